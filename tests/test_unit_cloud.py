"""Unit tests of the pocket cloud's own logic: no services run here.

Mocks appear only where a real fault cannot be produced on demand (a filesystem without
xattr); everything else uses real files, sockets and processes.
"""

import errno
import importlib
import json
import os
import pkgutil
import re
import socket
import stat
import subprocess
import sys
import textwrap
import time

import pytest

import labkit.cloud as cloud_package
from labkit.cloud import PocketCloud, configuration, glance, identities, process, state, swift
from labkit.cloud.errors import CloudError, NoXattr, StateTooOld
from labkit.cloud.layout import STATE_FORMAT, Layout
from labkit.cloud.registry import SERVICES, default_ports
from labkit.cloud.service import TEMPLATES

PLACEHOLDER = re.compile(r"@[A-Z0-9_]+@")


@pytest.fixture
def layout(tmp_path):
    """A layout in a temporary folder; its services folder is empty (nothing gets installed)."""
    return Layout(state=tmp_path / "state", services=tmp_path / "services")


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


# --- configuration templates ---

def defined_services():
    """Every service labkit.cloud defines (a module with SERVICE), registered or not yet."""
    found = {service.name: service for service in SERVICES}
    for module in pkgutil.iter_modules(cloud_package.__path__):
        service = getattr(importlib.import_module(f"labkit.cloud.{module.name}"), "SERVICE", None)
        if service is not None:
            found.setdefault(service.name, service)
    return list(found.values())


def test_every_template_renders_completely_into_private_files(layout, monkeypatch):
    services = defined_services()
    # render them all, including a service still being brought in behind a switch (Manila)
    monkeypatch.setattr(state, "SERVICES", services)
    layout.state.mkdir()
    secrets = state.add_service_secrets(state.new_secrets(), services)
    state._configure(layout, secrets, services)  # what state.create() does for a new cloud
    identities.write_clouds_yaml(layout, secrets)

    rendered = {template: dest for service in services for template, dest in service.templates}
    rendered["clouds/clouds.yaml"] = "clouds.yaml"
    # every file in templates/ belongs to a service (or is clouds.yaml)
    assert {str(p.relative_to(TEMPLATES)) for p in _files(TEMPLATES)} == set(rendered)
    for dest in rendered.values():
        path = layout.state / dest
        text = path.read_text()
        assert not PLACEHOLDER.search(text), f"{dest} still has {PLACEHOLDER.search(text)[0]}"
        assert mode(path) == 0o600, f"{dest} has mode {mode(path):o}"
    # the values really went in, e.g. Glance's service password and the learner's
    glance_conf = (layout.state / "glance/glance-api.conf").read_text()
    assert secrets["services"]["glance"] in glance_conf
    # each service reaches its own database with its own role and password
    assert (f"postgresql+psycopg2://glance:{secrets['databases']['glance']}@127.0.0.1:"
            f"{layout.ports()['postgres']}/glance") in glance_conf
    assert len(set(secrets["databases"].values())) == len(secrets["databases"])
    assert secrets["learner"] in layout.clouds_yaml.read_text()


def _files(folder):
    return [p for p in folder.rglob("*") if p.is_file() and p.suffix != ".pyc"]


# --- processes: ports and pid files ---

def test_port_in_use_sees_a_listening_socket():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert process.port_in_use(port) is True
    assert process.port_in_use(port) is False


def test_read_pid_trusts_a_live_process_and_not_a_dead_one(layout):
    layout.run.mkdir(parents=True)
    child = subprocess.Popen(["sleep", "60"])
    try:
        layout.pidfile("sleeper").write_text(f"{child.pid} {process._start_time(child.pid)}\n")
        assert process.read_pid(layout, "sleeper") == child.pid
    finally:
        child.kill()
        child.wait()
    assert process.read_pid(layout, "sleeper") is None


def test_read_pid_ignores_stale_missing_and_garbled_pidfiles(layout):
    layout.run.mkdir(parents=True)
    # a pid that now belongs to another process (here: ours), started at another time
    layout.pidfile("stale").write_text(f"{os.getpid()} 1\n")
    assert process.read_pid(layout, "stale") is None
    assert process.read_pid(layout, "missing") is None
    layout.pidfile("garbled").write_text("not a pid\n")
    assert process.read_pid(layout, "garbled") is None


def test_the_fork_server_starts_each_program_as_its_own_detached_process(layout, monkeypatch):
    """runners/forkserver.py (here with this interpreter: nothing to preload) runs each
    child's argv with its own environment, folder and log, in a session of its own, and
    labkit records the pids it reports, as if each had been started alone."""
    (layout.services / "bin").mkdir(parents=True)
    (layout.services / "bin" / "python").symlink_to(sys.executable)
    layout.state.mkdir(parents=True)
    script = layout.state / "report.py"
    script.write_text(textwrap.dedent("""
        import json, os, sys, time
        print(json.dumps({"argv": sys.argv, "cwd": os.getcwd(), "sid": os.getsid(0),
                          "pid": os.getpid(), "env": os.environ.get("PICKED")}), flush=True)
        time.sleep(60)
    """))
    monkeypatch.setenv("PICKED", "from labkit")
    procs = [process.Process(f"child{n}", [str(layout.venv_bin / "python"), str(script), str(n)],
                             env={"PICKED": f"for child {n}"}, family="swift")
             for n in (1, 2)]
    process.start_all(layout, procs)
    try:
        pids = [process.read_pid(layout, proc.name) for proc in procs]
        assert all(pids) and len(set(pids)) == 2
        for n, (proc, pid) in enumerate(zip(procs, pids), start=1):
            for _ in range(100):
                lines = layout.log(proc.name).read_text().splitlines()
                if lines and lines[-1].startswith("{"):
                    break
                time.sleep(0.1)
            seen = json.loads(lines[-1])
            assert seen == {"argv": [str(script), str(n)], "cwd": str(layout.state),
                            "sid": pid, "pid": pid, "env": f"for child {n}"}
    finally:
        assert sorted(process.stop(layout, procs)) == ["child1", "child2"]
    assert not any(process.read_pid(layout, proc.name) for proc in procs)


# --- Swift's xattr check ---

def test_check_xattr_explains_a_filesystem_without_xattr(tmp_path, monkeypatch):
    def unsupported(*_):
        raise OSError(errno.ENOTSUP, os.strerror(errno.ENOTSUP))

    monkeypatch.setattr(os, "setxattr", unsupported)
    with pytest.raises(NoXattr) as err:
        swift.check_xattr(tmp_path)
    message = str(err.value)
    assert str(tmp_path) in message
    assert "extended attributes" in message and "LABKIT_STATE" in message
    assert not (tmp_path / ".xattr-probe").exists()  # the probe is cleaned up


def test_check_xattr_does_not_hide_other_errors(tmp_path, monkeypatch):
    def broken(*_):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "setxattr", broken)
    with pytest.raises(OSError) as err:
        swift.check_xattr(tmp_path)
    assert not isinstance(err.value, NoXattr)


# --- the state folder ---

def test_state_from_another_format_is_refused(layout):
    layout.state.mkdir()
    assert state.check_format(layout) is False  # no FORMAT: not created yet
    layout.format_file.write_text(f"{STATE_FORMAT}\n")
    assert state.check_format(layout) is True
    layout.format_file.write_text(f"{STATE_FORMAT - 1}\n")
    with pytest.raises(StateTooOld) as err:
        state.check_format(layout)
    assert str(layout.state) in str(err.value)
    assert "labkit cloud reset" in str(err.value)


def test_a_state_from_before_a_service_existed_can_still_be_stopped_and_reset(layout):
    """What `labkit cloud reset` (the advice of StateTooOld) meets after an upgrade: a state
    whose ports.json predates a service (format 1 had no Manila) and a process still running."""
    import subprocess
    import sys

    layout.state.mkdir()
    (layout.state / "FORMAT").write_text(f"{STATE_FORMAT - 1}\n")
    old_ports = {name: port + 3 for name, port in default_ports().items() if name != "manila"}
    layout.ports_file.write_text(json.dumps(old_ports))
    assert layout.ports()["manila"] == default_ports()["manila"] + 3  # the state's own offset
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                               start_new_session=True)
    layout.run.mkdir()
    layout.pidfile("keystone").write_text(f"{sleeper.pid} {process._start_time(sleeper.pid)}\n")
    cloud = PocketCloud(layout, say=lambda *_: None)
    assert cloud.status()  # no KeyError for the newer service
    cloud.reset()
    assert sleeper.wait(timeout=20) is not None and not layout.state.exists()


def test_create_refuses_a_folder_with_foreign_files(layout):
    layout.state.mkdir()
    thesis = layout.state / "thesis.tex"
    thesis.write_text("years of work")
    with pytest.raises(CloudError) as err:  # (today an InstallFailed, a CloudError)
        state.create(layout, say=lambda *_: None)
    assert "thesis.tex" in str(err.value) and "LABKIT_STATE" in str(err.value)
    assert thesis.read_text() == "years of work"  # nothing lost
    assert sorted(p.name for p in layout.state.iterdir()) == ["thesis.tex"]


def test_reset_refuses_a_folder_with_foreign_files(layout):
    layout.state.mkdir()
    (layout.state / "FORMAT").write_text(f"{STATE_FORMAT}\n")
    thesis = layout.state / "thesis.tex"
    thesis.write_text("years of work")
    with pytest.raises(CloudError) as err:
        PocketCloud(layout, say=lambda *_: None).reset()
    assert "thesis.tex" in str(err.value)
    assert thesis.read_text() == "years of work"
    assert layout.format_file.is_file()


# --- configuration files follow the templates, except where an operator edited them ---

def test_up_renders_a_template_that_is_new_or_changed_and_keeps_an_edited_file(layout):
    layout.state.mkdir()
    said = []
    configuration.write(layout, {"nova/nova.conf": "a = 1\n"}, said.append)
    conf = layout.state / "nova/nova.conf"
    assert conf.read_text() == "a = 1\n" and mode(conf) == 0o600
    # a newer labkit: a changed template and a new file reach the state
    changed = configuration.write(layout, {"nova/nova.conf": "a = 2\n",
                                           "nova/compute.conf": "c\n"}, said.append)
    # a running Nova has read neither: `up` restarts it (pocket.py)
    assert changed == {"nova/nova.conf", "nova/compute.conf"}
    assert conf.read_text() == "a = 2\n"
    assert (layout.state / "nova/compute.conf").read_text() == "c\n"
    assert said == []
    # the operator edits it: their file stays, labkit's version goes beside it
    conf.write_text("a = 2\ndebug = true\n")
    assert configuration.write(layout, {"nova/nova.conf": "a = 3\n"}, said.append) == set()
    assert conf.read_text() == "a = 2\ndebug = true\n"
    assert (layout.state / "nova/nova.conf.labkit-new").read_text() == "a = 3\n"
    assert len(said) == 1 and "nova.conf.labkit-new" in said[0]


def test_a_file_from_before_the_record_is_kept_aside_when_replaced(layout):
    (layout.state / "glance").mkdir(parents=True)
    old = layout.state / "glance/glance-api.conf"
    old.write_text("written by an older labkit, maybe edited\n")
    configuration.write(layout, {"glance/glance-api.conf": "new\n"}, print)
    assert old.read_text() == "new\n"
    assert (layout.state / "glance/glance-api.conf.labkit-old").read_text() == (
        "written by an older labkit, maybe edited\n")


# --- Glance's import plugins follow qemu-img ---

def test_no_image_conversion_without_qemu_img(tmp_path, monkeypatch, layout):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert glance.import_plugins() == ""
    layout.state.mkdir()
    state._configure(layout, state.add_service_secrets(state.new_secrets(), SERVICES),
                     SERVICES)
    conf = (layout.state / "glance/glance-image-import.conf").read_text()
    assert "image_import_plugins = []" in conf


def test_image_conversion_with_qemu_img(tmp_path, monkeypatch):
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    qemu_img = bin_ / "qemu-img"
    qemu_img.write_text("#!/bin/sh\nexit 0\n")
    qemu_img.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_))
    assert glance.import_plugins() == "'image_conversion'"


def test_ports_follow_the_offset_until_the_state_fixes_them(layout, monkeypatch):
    monkeypatch.setenv("LABKIT_PORT_OFFSET", "500")
    assert layout.ports()["keystone"] == 5500
    layout.state.mkdir()
    layout.ports_file.write_text(json.dumps({"keystone": 6000}))
    assert layout.ports()["keystone"] == 6000


# --- compute, where the machine has it ---

def test_placement_joins_the_catalog_when_compute_becomes_available(layout, monkeypatch):
    """A state bootstrapped without compute lists no Placement; once compute is available
    (`sudo make compute`), `up` sees the catalog is incomplete and bootstraps again."""
    from labkit.cloud import system

    layout.state.mkdir()
    monkeypatch.setattr(system, "why_not_available", lambda services=None: "no QEMU here")
    catalogued = identities._catalogued(layout)
    assert "placement" not in catalogued and "nova" in catalogued  # Nova's API runs anyway
    identities._marker(layout).write_text(json.dumps(sorted(catalogued)))
    assert identities.is_bootstrapped(layout)

    monkeypatch.setattr(system, "why_not_available", lambda services=None: None)
    assert not identities.is_bootstrapped(layout)
    assert "placement" in identities._catalogued(layout)



def test_a_state_made_before_the_storage_network_bootstraps_again_to_gain_it(layout,
                                                                             monkeypatch):
    """Where networking and the file server run, the "storage" network is part of what
    bootstrap makes: an older state's marker lacks it, so the next `up` bootstraps again
    (which makes only what is missing)."""
    from labkit.cloud import file_server, ovn

    layout.state.mkdir()
    monkeypatch.setattr(ovn.SERVICE, "missing", lambda layout: None)
    monkeypatch.setattr(file_server.SERVICE, "missing", lambda layout: None)
    older = identities._catalogued(layout) - {"network:storage"}
    identities._marker(layout).write_text(json.dumps(sorted(older)))
    assert not identities.is_bootstrapped(layout)
    monkeypatch.setattr(file_server.SERVICE, "missing", lambda layout: "no nfs-ganesha")
    assert identities.is_bootstrapped(layout)  # no file server: no storage network to make


# --- the catalog: what bootstrap changes, from one listing ---

def _listed(*entries):
    """A listing of services and endpoints, as Keystone returns them: (type, name, {interface:
    URL}) each."""
    from types import SimpleNamespace as Listed

    services, endpoints = [], []
    for index, (stype, name, urls) in enumerate(entries):
        service = Listed(id=f"s{index}", type=stype, name=name)
        services.append(service)
        endpoints += [Listed(id=f"e{index}{interface}", service_id=service.id,
                             interface=interface, url=url) for interface, url in urls.items()]
    return services, endpoints


def test_the_catalog_plan_changes_only_what_differs():
    """A state's catalog as the seed left it, on a machine without compute and with Manila
    new to the state: Glance's URLs follow the state's ports, a missing interface is added,
    Manila is added whole, Placement (known to labkit, not wanted here) goes, and an entry
    labkit does not know (an operator's) stays."""
    every = {"public", "internal", "admin"}
    services, endpoints = _listed(
        ("identity", "keystone", {i: "http://k:5000/v3" for i in every}),
        ("image", "glance", {"public": "http://g:9292", "internal": "http://g:9292"}),
        ("placement", "placement", {i: "http://p:8778" for i in every}),
        ("dns", "designate", {i: "http://d:9001" for i in every}))
    wanted = [("identity", "keystone", "http://k:5000/v3"), ("image", "glance", "http://g:19292"),
              ("shared-file-system", "manila", "http://m:8786/v2")]
    known = wanted + [("placement", "placement", "http://p:8778")]

    plan = identities.plan_catalog(wanted, known, services, endpoints)
    assert plan.services == [("shared-file-system", "manila", "http://m:8786/v2")]
    assert [(s.name, interface, url) for s, interface, url in plan.endpoints] == [
        ("glance", "admin", "http://g:19292")]
    assert sorted((e.id, url) for e, url in plan.urls) == [
        ("e1internal", "http://g:19292"), ("e1public", "http://g:19292")]
    assert [s.name for s in plan.removals] == ["placement"]


def test_the_catalog_plan_of_a_catalog_that_is_right_is_empty():
    wanted = [("identity", "keystone", "http://k:5000/v3"), ("image", "glance", "http://g:9292")]
    services, endpoints = _listed(*((stype, name, {i: url for i in identities.INTERFACES})
                                    for stype, name, url in wanted))
    assert not identities.plan_catalog(wanted, wanted, services, endpoints)
