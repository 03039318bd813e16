"""`labkit image build tiny`: a clear message without its tools; with them, a qcow2 and the
separate kernel, ramdisk and root disk."""

import json
import subprocess

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
    assert "sudo .venv/bin/labkit image build cloud-init" in image_build.missing_message("cloud-init")
    (tmp_path / "cloud-init.qcow2").write_bytes(b"QFI\xfb")
    assert image_build.find_image("cloud-init", tmp_path) == tmp_path / "cloud-init.qcow2"
