"""`labkit image build tiny`: a clear message without its tools; with them, a qcow2 and the
separate kernel, ramdisk and root disk."""

import json
import shutil
import subprocess
import time

import pytest

from labkit import image_build
from labkit.cloud import system
from labkit.cloud.process import free_ports

import tiers


def test_missing_tools_are_named_with_their_packages(monkeypatch, tmp_path):
    monkeypatch.setattr(system, "which", lambda command: None)
    with pytest.raises(image_build.BuildError) as error:
        image_build.build_tiny(tmp_path / "out", say=lambda *_: None)
    message = str(error.value)
    assert "mkfs.vfat (package dosfstools)" in message and "sudo make compute" in message
    assert not (tmp_path / "out").exists()  # nothing half-made


def test_cloud_init_image_names_its_missing_tools_and_needs_root(monkeypatch, tmp_path):
    from labkit import image_cloudinit

    monkeypatch.setattr(system, "which", lambda command: None)
    with pytest.raises(image_build.BuildError, match=r"mmdebstrap \(package mmdebstrap\)"):
        image_build.build("cloud-init", tmp_path / "out", say=lambda *_: None)
    monkeypatch.setattr(system, "which", lambda command: f"/usr/bin/{command}")
    monkeypatch.setattr(image_cloudinit.os, "geteuid", lambda: 1000)
    with pytest.raises(image_build.BuildError, match="needs root"):
        image_build.build("cloud-init", tmp_path / "out", say=lambda *_: None)
    assert not (tmp_path / "out").exists()  # nothing half-made


def test_unknown_kind_lists_the_known_ones(tmp_path):
    with pytest.raises(image_build.BuildError, match="choose from: tiny, cloud-init"):
        image_build.build("huge", tmp_path)


def test_tiny_image_has_its_disk_kernel_and_ramdisk(tmp_path):
    """What the build writes. That it boots, reads the config drive and runs user data is
    tested through Nova (tests/test_compute.py): one boot in the suite, not two."""
    if system.missing():  # a machine without `sudo make compute`: nothing to build with
        pytest.skip(f"compute is not installed: {system.why_not_available()}")
    image = image_build.build_tiny(tmp_path / "out", say=lambda *_: None)
    for path in (image.qcow2, image.kernel, image.ramdisk, image.root):
        assert path.stat().st_size > 1_000_000
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", str(image.qcow2)],
                                     capture_output=True, text=True, check=True).stdout)
    assert info["format"] == "qcow2"


def test_find_image_finds_a_built_disk_or_says_how_to_build_it(tmp_path):
    assert image_build.find_image("cloud-init", tmp_path) is None
    message = image_build.missing_message("cloud-init")
    assert "sudo .venv/bin/labkit image build cloud-init" in message
    (tmp_path / "cloud-init.qcow2").write_bytes(b"QFI\xfb")
    assert image_build.find_image("cloud-init", tmp_path) == tmp_path / "cloud-init.qcow2"


@pytest.mark.long
def test_tiny_image_takes_an_address_by_dhcp_and_lets_the_key_in_by_ssh(tmp_path):
    """The tiny image's network and SSH server, outside Nova (the pocket cloud's servers
    get NICs with the data plane): QEMU's own user-mode network, restricted (nothing leaves
    the VM but the forwarded port, on 127.0.0.1), gives it an address by DHCP; root logs in
    with the key from the config drive, and a password-less login without it is refused."""
    if system.missing():
        tiers.require("compute", system.why_not_available())
    image = image_build.build_tiny(tmp_path / "out", say=lambda *_: None)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "key")],
                   check=True)
    drive = tmp_path / "config" / "openstack" / "latest"
    drive.mkdir(parents=True)
    key = (tmp_path / "key.pub").read_text().strip()
    (drive / "meta_data.json").write_text(json.dumps(
        {"uuid": "0", "hostname": "day3-ssh", "name": "day3-ssh", "public_keys": {"k": key}}))
    subprocess.run(["genisoimage", "-quiet", "-o", str(tmp_path / "config.iso"), "-V", "config-2",
                    "-J", "-r", str(tmp_path / "config")], check=True)
    disk = tmp_path / "disk.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                    str(image.qcow2), str(disk)], check=True)
    port, console = free_ports()[0], tmp_path / "console.log"
    qemu = subprocess.Popen(
        ["qemu-system-x86_64", "-accel", "tcg,tb-size=64", "-m", "256", "-display", "none",
         "-monitor", "none", "-serial", f"file:{console}", "-no-reboot",
         "-drive", f"file={disk},if=virtio", "-cdrom", str(tmp_path / "config.iso"),
         "-netdev", f"user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:{port}-:22",
         "-device", "virtio-net-pci,netdev=n0"])
    ssh = ["ssh", "-p", str(port), "-o", "StrictHostKeyChecking=no", "-o",
           "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=30", "-o", "BatchMode=yes"]
    try:
        deadline = time.monotonic() + 240
        while "tiny: boot finished" not in _read(console) and time.monotonic() < deadline:
            time.sleep(1)
        while "has address" not in _read(console) and time.monotonic() < deadline:
            time.sleep(1)  # udhcpc runs in the background
        log = _read(console)
        assert "tiny: eth0 has address 10.0.2.15" in log, log[-2000:]
        assert "tiny: ssh server (dropbear) listening on port 22" in log, log[-2000:]
        login = subprocess.run([*ssh, "-i", str(tmp_path / "key"), "root@127.0.0.1",
                                "hostname; id -u"], capture_output=True, text=True, timeout=120)
        assert login.stdout.split() == ["day3-ssh", "0"], login.stderr
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                        str(tmp_path / "other")], check=True)
        refused = subprocess.run([*ssh, "-i", str(tmp_path / "other"), "root@127.0.0.1", "true"],
                                 capture_output=True, text=True, timeout=120)
        assert refused.returncode == 255 and "Permission denied" in refused.stderr
    finally:
        qemu.kill()
        qemu.wait()


def _read(path):
    return path.read_text(errors="replace") if path.exists() else ""


def test_a_built_tiny_image_is_reused_until_its_recipe_changes(tiny, tmp_path, monkeypatch):
    """Lessons call image_build.tiny(): the image built before is reused (a machine without
    qemu-img boots it too); a different recipe (another kernel, a newer labkit) builds anew."""
    folder = tiny.qcow2.parent
    made = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    which = system.which
    monkeypatch.setattr(system, "which", lambda command: None if command == "qemu-img"
                        else which(command))
    again = image_build.tiny(folder, say=lambda *_: None)
    assert again == tiny and {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == made

    copy = tmp_path / "older"
    shutil.copytree(folder, copy)
    (copy / image_build.TINY_RECIPE).write_text("linux-image-0.0-older 0000\n")
    with pytest.raises(image_build.BuildError, match=r"qemu-img \(package qemu-utils\)"):
        image_build.tiny(copy, say=lambda *_: None)  # it builds again: here, without qemu-img
