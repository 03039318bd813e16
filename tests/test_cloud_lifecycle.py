"""The pocket cloud's life: up, status, a killed service, down and up again, and the CLI.

These tests share the session's cloud and leave it up and healthy when they finish.
"""

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from labkit.cloud import process

pytestmark = [pytest.mark.cloud, pytest.mark.disruptive]  # down, up, kill, restart

LABKIT = str(Path(sys.executable).parent / "labkit")
#: the processes every pocket cloud has (services added later come on top)
CORE = {"keystone", "glance", "swift-storage", "swift-proxy", "swift-container-updater",
        "neutron", "nova", "mirror"}


def process_names(cloud):
    return {proc.name for _, proc in cloud.processes()}


def rows_by_process(cloud):
    return {row.process: row for row in cloud.status()}


def wait_until_gone(pid, seconds=10):
    """Wait (bounded) until pid has exited; fail the test with the reason if it has not."""
    deadline = time.monotonic() + seconds
    while process._start_time(pid) is not None:
        if time.monotonic() > deadline:
            pytest.fail(f"process {pid} still runs {seconds} s after SIGKILL")
        time.sleep(0.1)


def upload_raw_image(conn, name, size=1 << 20):
    data = os.urandom(size)
    image = conn.image.create_image(name=name, data=data, disk_format="raw",
                                    container_format="bare", visibility="private", wait=True)
    return image, data


def downloaded(conn, image):
    return conn.image.download_image(image).content


def run_cli(*args):
    """The real `labkit` command, with this session's environment (state folder, ports)."""
    return subprocess.run([LABKIT, *args], capture_output=True, text=True, timeout=120,
                          env=os.environ.copy())


def test_up_is_idempotent(pocket):
    assert pocket.up(timeout=60) == []


def test_up_restarts_a_running_service_whose_configuration_this_labkit_changed(pocket):
    """A learner updates labkit while the cloud runs: the next `up` renders the new
    configuration and restarts the services that read it, not the others."""
    from labkit.cloud import PocketCloud, configuration

    conf = pocket.layout.state / "keystone/keystone.conf"
    current = conf.read_text()
    older = current + "\n# an option an older labkit wrote\n"
    conf.write_text(older)  # as that labkit left it, and recorded
    record_file = pocket.layout.state / configuration.RECORD
    record = json.loads(record_file.read_text())
    record["keystone/keystone.conf"] = configuration.digest(older)
    record_file.write_text(json.dumps(record))
    before = {name: process.read_pid(pocket.layout, name) for name in ("keystone", "glance")}
    said = []

    PocketCloud(pocket.layout, say=said.append).up()

    assert conf.read_text() == current
    assert any(line.startswith("Restarting keystone:") for line in said), said
    assert process.read_pid(pocket.layout, "keystone") not in (None, before["keystone"])
    assert process.read_pid(pocket.layout, "glance") == before["glance"]


def test_status_shows_every_process_healthy(pocket):
    rows = rows_by_process(pocket)
    assert CORE <= set(rows) == process_names(pocket)
    ports = set(pocket.layout.ports().values())
    procs = {proc.name: proc for _, proc in pocket.processes()}
    for name, row in rows.items():
        assert row.healthy, f"{name} is not healthy"
        assert isinstance(row.pid, int) and process._start_time(row.pid) is not None
        assert Path(row.log) == pocket.layout.log(name) and Path(row.log).is_file()
        # a process with a port of the host listens on it; the others listen on none of
        # the host's (unix sockets: libvirtd, Open vSwitch, OVN; nfs-ganesha: inside the
        # storage namespace; the container updater: nothing). Swift's storage servers are
        # one process with three ports.
        if procs[name].ports:
            assert row.port == procs[name].port and set(procs[name].ports) <= ports
            assert all(process.port_in_use(port) for port in procs[name].ports), name
        else:
            assert row.port is None


def test_killed_service_is_seen_and_restarted_alone_with_nothing_lost(pocket, learner,
                                                                       day3_name):
    image, data = upload_raw_image(learner, day3_name)
    try:
        pid = rows_by_process(pocket)["glance"].pid
        os.killpg(pid, signal.SIGKILL)
        wait_until_gone(pid)

        rows = rows_by_process(pocket)
        assert rows["glance"].pid is None and not rows["glance"].healthy
        assert all(row.healthy for name, row in rows.items() if name != "glance")
        assert not pocket.is_up()

        restarted = pocket.up(timeout=60)
        assert [proc.name for proc in restarted] == ["glance"]
        assert rows_by_process(pocket)["glance"].healthy
        again = learner.image.get_image(image.id)
        assert again.status == "active"
        assert downloaded(learner, again) == data
    finally:
        learner.image.delete_image(image.id, ignore_missing=True)


def test_data_survives_down_and_up(pocket, learner, day3_name):
    image, data = upload_raw_image(learner, day3_name)
    learner.object_store.create_container(name=day3_name)
    learner.object_store.upload_object(container=day3_name, name="notes.txt", data=b"kept")
    try:
        stopped = pocket.down()
        assert set(stopped) == process_names(pocket) >= CORE
        rows = pocket.status()
        assert all(row.pid is None and not row.healthy for row in rows)
        assert not any(process.port_in_use(row.port) for row in rows if row.port)
        assert pocket.down() == []  # down while down: a no-op
        # every process stopped when asked (TERM, or INT for PostgreSQL): none had to be killed
        killed = [row.process for row in rows
                  if "killed:" in _since_last_start(pocket, row.process)]
        assert killed == []

        started = pocket.up(timeout=120)
        assert {proc.name for proc in started} == process_names(pocket)
        assert downloaded(learner, learner.image.get_image(image.id)) == data
        assert learner.object_store.download_object(
            "notes.txt", container=day3_name) == b"kept"
    finally:
        pocket.up(timeout=120)  # no-op when the test got that far
        learner.image.delete_image(image.id, ignore_missing=True)
        learner.object_store.delete_object("notes.txt", container=day3_name,
                                           ignore_missing=True)
        learner.object_store.delete_container(day3_name, ignore_missing=True)


def _since_last_start(pocket, name):
    text = pocket.layout.log(name).read_text(errors="replace")
    return text[text.rfind(f"{process.LOG_MARK}starting {name}"):]


def test_cli_status(pocket):
    done = run_cli("cloud", "status")
    assert done.returncode == 0, done.stderr
    assert str(pocket.layout.state) in done.stdout
    lines = {line.split()[0]: line for line in done.stdout.splitlines()[2:-3]}
    assert set(lines) == process_names(pocket)
    # the last lines say whether each optional tier is here, or what adds it
    assert done.stdout.splitlines()[-3:] == [
        f"compute (booting servers): {pocket.compute_status()}",
        f"file server (mounting shares): {pocket.file_server_status()}",
        "networking (tenant networks, security groups that block, floating IPs): "
        f"{pocket.networking_status()}"]
    for name, line in lines.items():
        assert "healthy" in line.split() and str(pocket.layout.log(name)) in line
    assert f"{pocket.layout.ports()['keystone']}" in lines["keystone"]


def test_cli_env(pocket):
    done = run_cli("cloud", "env")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"export OS_CLIENT_CONFIG_FILE={pocket.layout.clouds_yaml}", "export OS_CLOUD=labkit"]


def test_cli_logs(pocket):
    done = run_cli("cloud", "logs", "glance", "-n", "5")
    assert done.returncode == 0, done.stderr
    first, *rest = done.stdout.splitlines()
    assert first == f"==> {pocket.layout.log('glance')} <=="
    assert 0 < len(rest) <= 5


def test_cli_logs_of_an_unknown_service_lists_the_known_ones(pocket):
    done = run_cli("cloud", "logs", "cinder")
    assert done.returncode == 1
    assert "No service or process called 'cinder'" in done.stderr
    assert "glance" in done.stderr and "keystone" in done.stderr


def test_secrets_are_private_and_stay_out_of_the_logs(pocket):
    layout = pocket.layout
    for path in (layout.clouds_yaml, layout.secrets_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    secrets = json.loads(layout.secrets_file.read_text())
    passwords = [secrets["admin"], secrets["learner"], secrets["partner"],
                 *secrets["services"].values(), *secrets["databases"].values()]
    assert secrets["databases"]["postgres"]  # the database roles' passwords are checked too
    assert secrets["learner"] in layout.clouds_yaml.read_text()  # the right secrets file
    logs = [p for p in layout.logs.rglob("*") if p.is_file()]
    assert logs
    for path in logs:
        content = path.read_bytes()
        for password in passwords:
            assert password.encode() not in content, f"a password is written in {path}"


def test_a_process_an_older_labkit_named_differently_is_stopped_by_up(pocket):
    """Swift's storage servers were three processes (swift-account, ...), now one: a cloud
    started before the change still runs them, holding the ports the new one needs. `up`
    stops what runs under a name no service has now, and says so."""
    from labkit.cloud import PocketCloud

    stray = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        process._record(pocket.layout, "swift-account", stray.pid)
        said = []
        assert PocketCloud(pocket.layout, say=said.append).up(timeout=60) == []
        assert stray.wait(timeout=20) == -signal.SIGTERM
        assert any(line.startswith("Stopping swift-account: started by an older labkit")
                   for line in said), said
        assert not pocket.layout.pidfile("swift-account").exists()
    finally:
        stray.kill()
        pocket.layout.pidfile("swift-account").unlink(missing_ok=True)
