"""Faults: a service that crashes on start, a port already taken, an old state folder, reset.

The port and reset cases use a SECOND pocket cloud (its own state folder under the same
.labkit/ home, ports shifted 500 above the session cloud's), so the session cloud is never
wiped. Every wait is bounded by the `timeout` given to up().
"""

import json
import os
import shutil
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import openstack
import pytest

from labkit import locks
from labkit.cloud import Layout, PocketCloud, system
from labkit.connect import open_cloud
from labkit.cloud.errors import PortInUse, ServiceCrashed, StateTooOld

pytestmark = [pytest.mark.cloud, pytest.mark.disruptive]  # stops and crashes services


def quiet(*_):
    pass


def _new_cloud(pocket, monkeypatch):
    offset = int(os.environ.get("LABKIT_PORT_OFFSET", "0")) + 500
    monkeypatch.setenv("LABKIT_PORT_OFFSET", str(offset))  # ports are fixed when it is created
    folder = Path(tempfile.mkdtemp(prefix="t-second-", dir=pocket.layout.state.parent))
    return PocketCloud(Layout(state=folder, services=pocket.layout.services), say=quiet)


def _remove(cloud):
    cloud.reset()
    shutil.rmtree(cloud.layout.state, ignore_errors=True)
    locks.lock_file(cloud.layout.state).unlink(missing_ok=True)  # nobody else uses this state


@pytest.fixture
def second_cloud(pocket, monkeypatch):
    """A second, not yet created pocket cloud; stopped and deleted afterwards."""
    cloud = _new_cloud(pocket, monkeypatch)
    yield cloud
    _remove(cloud)


@pytest.fixture(scope="module")
def shared_second_cloud(pocket):
    """A second pocket cloud that the tests of this module which start one share, so that a
    test suite pays for one fresh start less (each test still calls up() itself). It is the
    cloud a machine without compute's packages runs (no compute, networking or file server),
    so CI, which has them, also starts that configuration; what these tests look at is the
    same either way."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(system, "missing", lambda packages=None: ["(left out here)"])
        cloud = _new_cloud(pocket, monkeypatch)
        yield cloud
        _remove(cloud)


def connect_to(layout, cloud="labkit"):
    return open_cloud(cloud, layout.clouds_yaml)


def test_a_service_crashing_on_start_names_its_log(pocket):
    conf = pocket.layout.state / "glance/glance-api.conf"
    original = conf.read_text()
    assert pocket.down(["glance"]) == ["glance"]
    try:
        conf.write_text(original + "\nthis line is not an option\n")
        with pytest.raises(ServiceCrashed) as err:
            pocket.up(timeout=60)
        assert err.value.service == "glance"
        assert str(pocket.layout.log("glance")) in str(err.value)
    finally:
        conf.write_text(original)
    assert [proc.name for proc in pocket.up(timeout=60)] == ["glance"]
    assert pocket.is_up()


def test_an_optional_service_that_crashes_does_not_stop_the_cloud(pocket):
    """Manila serves lesson 2 only: if it cannot start, the rest of the course still runs."""
    conf = pocket.layout.state / "manila/manila.conf"
    original = conf.read_text()
    said = []
    cloud = PocketCloud(pocket.layout, say=said.append)
    assert cloud.down(["manila"]) == ["manila"]
    try:
        conf.write_text(original + "\nthis line is not an option\n")
        cloud.up(timeout=60)  # no exception: the other services are up
        assert any("manila" in line and "did not start" in line for line in said)
        rows = {row.process: row for row in cloud.status()}
        assert not rows["manila"].healthy and rows["glance"].healthy
        assert cloud.is_up()
        learner = connect_to(pocket.layout)
        assert learner.image.get("/images").status_code == 200
    finally:
        conf.write_text(original)
    assert [proc.name for proc in cloud.up(timeout=60)] == ["manila"]
    assert {row.process: row.healthy for row in cloud.status()}["manila"]


def test_a_port_in_use_is_named_and_nothing_starts(second_cloud):
    layout = second_cloud.layout
    port = layout.ports()["keystone"]
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        with pytest.raises(PortInUse) as err:
            second_cloud.up(timeout=60)
    assert err.value.port == port and err.value.service == "keystone"
    assert f"Port {port}" in str(err.value) and "LABKIT_PORT_OFFSET" in str(err.value)
    assert all(row.pid is None for row in second_cloud.status())
    assert not any(layout.run.glob("*.pid"))


def test_a_new_state_names_its_own_ports_in_the_catalog_before_anything_starts(second_cloud):
    """The services read the catalog from their first second, before the state's bootstrap
    (Nova's compute keeps the Placement URL it first finds): a state made from the seed has
    its own ports there already, not the seed's (which may be another cloud's)."""
    from labkit.cloud import state
    from labkit.cloud.postgres import SERVICE as DATABASE

    layout = second_cloud.layout
    state.create(layout, quiet)
    with DATABASE.running(layout):
        urls = DATABASE.sql(layout, state.read_secrets(layout),
                            "\\connect keystone\nSELECT url FROM endpoint;", tuples=True).split()
    assert urls
    assert {urlsplit(url).port for url in urls} <= set(layout.ports().values())


def test_a_state_folder_of_another_format_is_refused_and_kept(pocket, tmp_path):
    old = tmp_path / "old-state"
    old.mkdir()
    (old / "FORMAT").write_text("0\n")
    (old / "secrets.json").write_text("{}")
    cloud = PocketCloud(Layout(state=old, services=pocket.layout.services), say=quiet)
    with pytest.raises(StateTooOld) as err:
        cloud.up(timeout=30)
    assert "labkit cloud reset" in str(err.value)
    assert sorted(p.name for p in old.iterdir()) == ["FORMAT", "secrets.json"]
    assert all(row.pid is None for row in cloud.status())


def _forget_service(cloud, name):
    """Make the state what an older labkit, without the service `name`, would have left:
    no database, role, folder, passwords, service user, catalog entry or record of it."""
    from labkit.cloud import state
    from labkit.cloud.postgres import SERVICE as DATABASE

    layout = cloud.layout
    secrets = state.read_secrets(layout)
    admin = connect_to(layout, "labkit-admin")
    for entry in list(admin.identity.services()):
        if entry.name.startswith(name):  # manila, manilav2
            admin.identity.delete_service(entry)
    admin.identity.delete_user(admin.identity.find_user(name, domain_id="default"))
    admin.close()
    cloud.down([name])
    DATABASE.sql(layout, secrets, f'DROP DATABASE "{name}";\nDROP ROLE "{name}";')
    shutil.rmtree(layout.state / name)
    for group in ("databases", "services"):
        del secrets[group][name]
    layout.secrets_file.write_text(json.dumps(secrets))
    for record in (layout.services_file, layout.state / "bootstrapped"):
        record.write_text(json.dumps([n for n in json.loads(record.read_text()) if n != name]))


def test_a_service_registered_after_the_state_was_made_joins_it_keeping_the_data(
        shared_second_cloud):
    """A newer labkit brings a service (here Manila) that an existing state lacks: the next
    `up` adds its database, set-up and catalog entry, and the learner's work stays."""
    second_cloud = shared_second_cloud
    layout = second_cloud.layout
    second_cloud.up(timeout=120)
    conn = connect_to(layout)
    data = os.urandom(1 << 16)
    image = conn.image.create_image(name="day3-test-kept", data=data, disk_format="raw",
                                    container_format="bare", wait=True)
    conn.object_store.create_container(name="day3-test-kept")
    conn.object_store.upload_object(container="day3-test-kept", name="notes.txt", data=b"mine")
    conn.close()
    _forget_service(second_cloud, "manila")
    second_cloud.down()

    second_cloud.up(timeout=180)
    assert "manila" in json.loads(layout.services_file.read_text())
    conn = connect_to(layout)
    assert conn.image.download_image(image).content == data
    assert conn.object_store.download_object("notes.txt", container="day3-test-kept") == b"mine"
    assert "shared-file-system" in {entry["type"] for entry in conn.service_catalog}
    assert "default" in {t.name for t in conn.shared_file_system.share_types()}  # init ran
    conn.close()


def test_reset_makes_a_new_cloud_with_new_passwords(shared_second_cloud):
    # after the join test, which leaves the shared cloud up, so the first up() here costs
    # nothing and the suite pays for one fresh start, the one after reset
    second_cloud = shared_second_cloud
    layout = second_cloud.layout
    second_cloud.up(timeout=120)
    old = json.loads(layout.secrets_file.read_text())
    conn = connect_to(layout)
    assert conn.current_project.name == "lesson"
    conn.close()

    second_cloud.reset()
    assert not layout.state.exists()
    assert all(row.pid is None for row in second_cloud.status())

    started = second_cloud.up(timeout=120)
    assert len(started) == len(second_cloud.processes())
    new = json.loads(layout.secrets_file.read_text())
    for who in ("admin", "learner", "partner"):
        assert new[who] != old[who]
    conn = connect_to(layout)
    assert conn.current_project.name == "lesson"
    conn.close()
    # the old learner password opens nothing in the new cloud, nor does the seed's admin one
    seed = json.loads((layout.seed / "secrets.json").read_text())
    for user, project, password in [("learner", "lesson", old["learner"]),
                                    ("admin", "admin", seed["admin"])]:
        with pytest.raises(openstack.exceptions.SDKException, match="HTTP 401"):
            _password_connection(layout, user, project, password).authorize()
    assert "bootstrap_admin" not in new
    # the service users are the seed's: each service authenticated from its first second
    assert new["services"] == {**new["services"], **seed["services"]}
    _password_connection(layout, "glance", "service", new["services"]["glance"]).authorize()
    _assert_catalog_lists_what_runs_here(layout)


def _password_connection(layout, user, project, password):
    return openstack.connection.Connection(
        auth_url=layout.url("keystone", "/v3"), username=user, password=password,
        project_name=project, user_domain_name="Default", project_domain_name="Default")


def _assert_catalog_lists_what_runs_here(layout):
    """The catalog has exactly the services that run here (Placement only with compute),
    each with its three endpoints at this cloud's own ports (not the seed's)."""
    from labkit.cloud.registry import SERVICES

    admin = connect_to(layout, "labkit-admin")
    types = {service.id: service.type for service in admin.identity.services()}
    listed = sorted((types[e.service_id], e.interface, e.url) for e in admin.identity.endpoints())
    admin.close()
    running = [s for s in SERVICES if not s.missing(layout)]
    assert listed == sorted((stype, interface, url)
                            for service in running for stype, _, url in service.endpoints(layout)
                            for interface in ("public", "internal", "admin"))
    assert "placement" not in types.values()  # this cloud runs without compute
    ports = {urlsplit(url).port for _, _, url in listed}
    assert ports <= set(layout.ports().values())


def test_a_bootstrap_interrupted_after_the_admin_password_changed_finishes_on_the_next_up(
        shared_second_cloud):
    """The seed's admin password is still in secrets.json (the run stopped before removing
    it) but Keystone refuses it: the next `up` goes on with the state's own, makes nothing
    twice, and leaves the cloud as a complete bootstrap does."""
    second_cloud = shared_second_cloud
    layout = second_cloud.layout
    second_cloud.up(timeout=120)
    secrets = json.loads(layout.secrets_file.read_text())
    secrets["bootstrap_admin"] = "the-seed-password-no-longer-works"
    layout.secrets_file.write_text(json.dumps(secrets))
    (layout.state / "bootstrapped").unlink()

    second_cloud.up(timeout=120)
    assert "bootstrap_admin" not in json.loads(layout.secrets_file.read_text())
    assert (layout.state / "bootstrapped").is_file()
    conn = connect_to(layout)
    assert conn.current_project.name == "lesson"
    assert sorted(f.name for f in conn.compute.flavors()) == ["m1.medium", "m1.small", "m1.tiny"]
    conn.close()
    _assert_catalog_lists_what_runs_here(layout)
