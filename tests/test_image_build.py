"""`labkit image build tiny`: a clear message without its tools; with them, an image that
boots under QEMU (TCG) and runs the config drive's user data, its output on the serial port."""

import json
import shutil
import subprocess
import time

import pytest

from labkit import image_build
from labkit.cloud import system


def test_missing_tools_are_named_with_their_packages(monkeypatch, tmp_path):
    monkeypatch.setattr(system, "which", lambda command: None)
    with pytest.raises(image_build.BuildError) as error:
        image_build.build_tiny(tmp_path / "out", say=lambda *_: None)
    message = str(error.value)
    assert "mkfs.vfat (package dosfstools)" in message and "sudo make compute" in message
    assert not (tmp_path / "out").exists()  # nothing half-made


def test_unknown_kind_lists_the_known_ones(tmp_path):
    with pytest.raises(image_build.BuildError, match="choose from: tiny"):
        image_build.build("huge", tmp_path)


def _config_drive(folder, user_data, hostname):
    """An OpenStack config drive as Nova makes it: ISO 9660 labelled config-2."""
    latest = folder / "drive/openstack/latest"
    latest.mkdir(parents=True)
    key = subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                          str(folder / "key")], capture_output=True)
    public = (folder / "key.pub").read_text() if key.returncode == 0 else ""
    (latest / "meta_data.json").write_text(json.dumps(
        {"uuid": "0000", "hostname": hostname, "name": hostname,
         "public_keys": {"day3-key": public} if public else {}}))
    (latest / "user_data").write_text(user_data)
    iso = folder / "config.iso"
    subprocess.run(["genisoimage", "-quiet", "-o", str(iso), "-V", "config-2", "-J", "-r",
                    str(folder / "drive")], check=True)
    return iso


def _boot_until(disk, iso, serial, pattern, timeout):
    """Boot disk under QEMU's software emulation until pattern is in the serial log (or
    timeout: a guest that hangs does not end QEMU). Returns the serial log's text."""
    qemu = subprocess.Popen(
        ["qemu-system-x86_64", "-accel", "tcg,tb-size=128", "-cpu", "qemu64", "-m", "256",
         "-display", "none", "-nodefaults", "-no-reboot", "-serial", f"file:{serial}",
         "-drive", f"file={disk},if=virtio,snapshot=on", "-drive", f"file={iso},media=cdrom"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and qemu.poll() is None:
            text = serial.read_text(errors="replace") if serial.exists() else ""
            if pattern in text:
                return text
            time.sleep(0.5)
        return serial.read_text(errors="replace") if serial.exists() else ""
    finally:
        qemu.kill()
        qemu.wait()


@pytest.mark.long
def test_tiny_image_boots_and_runs_user_data(tmp_path):
    if system.missing():  # a machine without `sudo make compute`: nothing to boot with
        pytest.skip(f"compute is not installed: {system.why_not_available()}")
    image = image_build.build_tiny(tmp_path / "out", say=lambda *_: None)
    for path in (image.qcow2, image.kernel, image.ramdisk, image.root):
        assert path.stat().st_size > 1_000_000
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", str(image.qcow2)],
                                     capture_output=True, text=True, check=True).stdout)
    assert info["format"] == "qcow2"
    iso = _config_drive(tmp_path, '#!/bin/sh\necho "DAY3-USER-DATA from $(hostname)"\n',
                        "day3-tiny")
    log = _boot_until(image.qcow2, iso, tmp_path / "serial.log", "tiny: boot finished", 180)
    assert "tiny: config drive" in log, log[-2000:]
    assert "DAY3-USER-DATA from day3-tiny" in log, log[-2000:]
    if shutil.which("ssh-keygen"):
        assert "tiny: ssh key for root: ssh-ed25519 fingerprint" in log
