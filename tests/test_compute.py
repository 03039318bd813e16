"""Compute in the pocket cloud: a server boots the tiny image through Nova, its key and user
data reach it by the config drive, and the console log read through Nova's API shows them;
libvirtd that dies is restarted by `up`.

These run where compute is available (`sudo make compute`; `make test` as root does it). A
machine without it skips them, saying why; in CI (CI=true) that is a failure instead, so
every boot is tested there.
"""

import base64
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from labkit import image_build, servers
from labkit.cloud import process

pytestmark = pytest.mark.cloud


def _children(pid):
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _wait(condition, seconds, what):
    """Poll condition (bounded); fail the test saying what did not happen."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {seconds} s")
        time.sleep(0.5)


def _console_until(conn, server, text, seconds):
    """The server's console log (read through Nova's API) once it holds text, polled every
    2 s; after seconds, what it holds then."""
    console = ""
    deadline = time.monotonic() + seconds
    while text not in console and time.monotonic() < deadline:
        time.sleep(2)
        console = conn.compute.get_server_console_output(server)["output"]
    return console


def _boot(learner, name, image, user_data, **extra):
    """A server of image with user data and a config drive, no network; ACTIVE."""
    server = learner.compute.create_server(
        name=name, image_id=image.id, flavor_id=learner.compute.find_flavor("m1.tiny").id,
        networks="none", config_drive=True,
        user_data=base64.b64encode(user_data.encode()).decode(), **extra)
    return learner.compute.wait_for_server(server, status="ACTIVE", wait=300, interval=2)


@pytest.mark.disruptive
def test_a_dead_libvirtd_is_restarted_by_up(compute, admin):
    runner = process.read_pid(compute.layout, "libvirtd")
    assert runner is not None, "libvirtd is not running"
    daemons = _children(runner)
    assert daemons, "libvirtd's runner has no libvirtd"
    os.kill(daemons[0], signal.SIGKILL)  # as a crash would
    _wait(lambda: process.read_pid(compute.layout, "libvirtd") is None, 15,
          "the runner's exit after libvirtd died")
    rows = {row.process: row for row in compute.status()}
    assert not rows["libvirtd"].healthy
    unhealthy = [name for name, row in rows.items() if not row.healthy]
    assert unhealthy == ["libvirtd"], unhealthy  # the rest of the cloud runs on

    restarted = compute.up(timeout=60)
    assert [proc.name for proc in restarted] == ["libvirtd"]
    assert {row.process: row for row in compute.status()}["libvirtd"].healthy
    # Nova disabled its compute service when libvirtd went away; it reconnects and enables
    # it again by itself (the boot test builds on it)

    def compute_service():
        return next(s for s in admin.compute.services() if s.binary == "nova-compute")

    _wait(lambda: (compute_service().status, compute_service().state) == ("enabled", "up"),
          45, "Nova's compute service being enabled and up again")


def test_a_server_boots_the_tiny_image_and_its_console_shows_key_and_user_data(
        compute, tiny, learner, day3_name, tmp_path):
    keyfile = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keyfile)],
                   check=True)
    key = learner.compute.create_keypair(name=day3_name,
                                         public_key=(tmp_path / "key.pub").read_text())
    image = learner.image.create_image(name=day3_name, filename=str(tiny.qcow2),
                                       disk_format="qcow2", container_format="bare", wait=True)
    marker = f"DAY3-BOOT-{uuid.uuid4().hex[:8]}"
    # the line names the hostname the guest set, so it can only come from the script's run
    user_data = f'#!/bin/sh\necho "{marker} from $(hostname)"\n'
    server = None
    try:
        server = _boot(learner, day3_name, image, user_data, key_name=key.name)
        assert server.status == "ACTIVE"

        # the last line the guest's init writes: everything asserted below comes before it
        console = _console_until(learner, server, "tiny: boot finished", 240)
        assert f"{marker} from {day3_name}" in console, console[-2000:]
        assert f"ssh-ed25519 fingerprint {key.fingerprint}" in console, console[-2000:]
        assert "tiny: user data exited with 0" in console
        # the SSH server starts even with no network interface (--nic none)
        assert "tiny: no network interface" in console
        assert "tiny: ssh server (dropbear) listening on port 22" in console, console[-2000:]

        # a stop presses the ACPI power button; the guest's acpid powers it off cleanly (the
        # API has no console for a stopped server: the log file Nova keeps shows it)
        assert servers.stop(learner, server).status == "SHUTOFF"
        log = compute.layout.state / "nova" / "instances" / server.id / "console.log"
        assert "tiny: power button pressed: powering off" in log.read_text(errors="replace")

        learner.compute.delete_server(server)
        # the SDK's wait_for_delete returns once the status says DELETED; the record goes a
        # moment later, and then the API answers 404
        learner.compute.wait_for_delete(server, wait=120)
        deadline = time.monotonic() + 60
        while learner.compute.find_server(server.id) is not None:
            assert time.monotonic() < deadline, "the deleted server is still listed after 60 s"
            time.sleep(1)
        server = None
    finally:
        if server is not None:
            learner.compute.delete_server(server, ignore_missing=True)
            learner.compute.wait_for_delete(server, wait=120)
        learner.image.delete_image(image, ignore_missing=True)
        learner.compute.delete_keypair(key, ignore_missing=True)


@pytest.mark.long
def test_the_cloud_init_image_builds_boots_and_runs_cloud_config(
        compute, learner, day3_name, tmp_path):
    """`labkit image build cloud-init`, uploaded and booted through Nova: the real cloud-init
    reads the config drive and runs the #cloud-config's runcmd (minutes under QEMU TCG)."""
    built = image_build.build("cloud-init", tmp_path / "out", say=lambda *_: None)
    image = learner.image.create_image(name=day3_name, filename=str(built.qcow2),
                                       disk_format="qcow2", container_format="bare", wait=True)
    marker = f"DAY3-CLOUDINIT-{uuid.uuid4().hex[:8]}"
    # runcmd runs through a shell: the line names the hostname cloud-init set from the drive
    user_data = f'#cloud-config\nruncmd:\n  - echo "{marker} from $(hostname)"\n'
    server = None
    try:
        server = _boot(learner, day3_name, image, user_data)
        # cloud-init's last line: "Cloud-init v. ... finished at ... Datasource ..."
        console = _console_until(learner, server, " finished at ", 600)
        assert f"{marker} from {day3_name}" in console, console[-3000:]
        finished = [line for line in console.splitlines() if " finished at " in line]
        assert finished and "Datasource DataSourceConfigDrive" in finished[-1], console[-3000:]
    finally:
        if server is not None:
            learner.compute.delete_server(server, ignore_missing=True)
            learner.compute.wait_for_delete(server, wait=120)
        learner.image.delete_image(image, ignore_missing=True)
