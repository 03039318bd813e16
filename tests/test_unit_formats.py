"""labkit.formats without a cloud: every sample is made for real and detected from its bytes,
with qemu-img and with qemu-img hidden from PATH."""

import shutil
import subprocess
import tarfile

import pytest

from labkit import formats

QEMU = shutil.which("qemu-img")
needs_qemu = pytest.mark.skipif(QEMU is None, reason="qemu-img is not installed")
SIZE = 16 * formats.MiB


@pytest.fixture
def no_qemu(monkeypatch, tmp_path):
    """PATH without qemu-img (an empty folder), as on a laptop that lacks it."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    assert formats.qemu_img() is None


@needs_qemu
def test_every_disk_format_is_made_and_detected_from_its_bytes(tmp_path):
    samples = formats.make_samples(tmp_path, size=SIZE)
    assert samples.skipped == {}
    expected = {"raw": "raw", "qcow2": "qcow2", "vmdk": "vmdk", "vdi": "vdi", "vhd": "vhd",
                "vhdx": "vhdx", "iso": "iso", "ami": "raw", "aki": "raw", "ari": "raw"}
    for disk_format, detected in expected.items():
        found = formats.detect_format(samples[disk_format])
        assert found.format == detected, disk_format
        assert found.safe, (disk_format, found.problem)
    for disk_format in ("raw", "qcow2", "vmdk", "vdi", "vhdx"):
        assert formats.detect_format(samples[disk_format]).virtual_size == SIZE
    # VHD rounds the size up to a whole cylinder/head/sector geometry
    assert formats.detect_format(samples["vhd"]).virtual_size >= SIZE
    # a raw disk is sparse: its file is as long as the disk, but it uses far less
    raw = formats.detect_format(samples["raw"])
    assert raw.file_size == SIZE and raw.disk_usage < SIZE // 2
    # qemu-img agrees with the inspector about the format of every qemu-made file
    for disk_format in ("qcow2", "vmdk", "vdi", "vhd", "vhdx"):
        assert formats.qemu_info(samples[disk_format])["format"] == \
            formats.QEMU_NAMES[disk_format]


def test_without_qemu_img_the_python_formats_are_made_and_the_rest_explained(tmp_path, no_qemu):
    samples = formats.make_samples(tmp_path, size=SIZE)
    assert set(samples.skipped) == {"vmdk", "vdi", "vhd", "vhdx"}
    assert all("qemu-utils" in reason for reason in samples.skipped.values())
    for disk_format, detected in {"raw": "raw", "qcow2": "qcow2", "iso": "iso",
                                  "ami": "raw", "ari": "raw", "aki": "raw"}.items():
        assert formats.detect_format(samples[disk_format]).format == detected
    assert formats.detect_format(samples["qcow2"]).virtual_size == SIZE
    with pytest.raises(formats.ToolMissing, match="apt install qemu-utils"):
        formats.convert(samples["raw"], tmp_path / "x.vmdk", "vmdk")
    with pytest.raises(formats.ToolMissing):
        formats.snapshot_create(samples["qcow2"], "s1")
    with pytest.raises(formats.ToolMissing):
        formats.make_ova(tmp_path / "a.ova", samples["raw"])


@needs_qemu
def test_python_qcow2_is_valid_for_qemu_and_holds_the_same_data(tmp_path):
    raw = formats.make_raw(tmp_path / "d.raw", SIZE)
    qcow2 = formats.write_qcow2(tmp_path / "d.qcow2", SIZE, formats.sample_bytes())
    subprocess.run([QEMU, "check", str(qcow2)], check=True, capture_output=True)
    compare = subprocess.run([QEMU, "compare", str(qcow2), str(raw)], capture_output=True,
                             text=True)
    assert compare.returncode == 0, compare.stdout + compare.stderr


def test_iso_is_iso9660_with_the_volume_size_in_its_descriptor(tmp_path):
    iso = formats.make_iso(tmp_path / "x.iso", {"A.TXT": b"a" * 5000, "B.TXT": b"b"})
    data = iso.read_bytes()
    assert data[32769:32774] == b"CD001" and data[34817:34822] == b"CD001"  # PVD, terminator
    found = formats.detect_format(iso)
    assert found.format == "iso" and found.virtual_size == len(data)
    assert b"a" * 5000 in data


@needs_qemu
def test_qcow2_snapshots_are_taken_and_listed(tmp_path):
    disk = formats.convert(formats.make_raw(tmp_path / "d.raw", SIZE), tmp_path / "d.qcow2",
                           "qcow2")
    assert formats.snapshot_list(disk) == []
    formats.snapshot_create(disk, "before-update")
    formats.snapshot_create(disk, "after-update")
    assert [s["name"] for s in formats.snapshot_list(disk)] == ["before-update", "after-update"]
    assert formats.detect_format(disk).format == "qcow2"


def test_uec_tarball_round_trip(tmp_path):
    tarball = formats.make_uec(tmp_path / "tiny-uec.tar.gz", base="tiny", size=SIZE)
    parts = formats.unpack_uec(tarball, tmp_path / "out")
    assert parts.machine.name == "tiny-blank.img" and parts.machine.stat().st_size == SIZE
    assert parts.kernel.name == "tiny-vmlinuz"
    assert parts.ramdisk.read_bytes()[:2] == b"\x1f\x8b"  # gzip
    import gzip
    assert gzip.decompress(parts.ramdisk.read_bytes()).startswith(b"070701")  # cpio newc


def test_unpack_refuses_what_is_not_a_uec_tarball(tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a tarball")
    with pytest.raises(formats.NotAnImage, match="not a readable tar"):
        formats.unpack_uec(bogus, tmp_path / "out")
    only_one = tmp_path / "one.tar"
    (tmp_path / "x.img").write_bytes(b"x")
    with tarfile.open(only_one, "w") as tar:
        tar.add(tmp_path / "x.img", arcname="x.img")
    with pytest.raises(formats.NotAnImage, match="vmlinuz"):
        formats.unpack_uec(only_one, tmp_path / "out2")


def test_unpack_refuses_path_traversal(tmp_path):
    evil = tmp_path / "evil.tar"
    (tmp_path / "p").write_bytes(b"x")
    with tarfile.open(evil, "w") as tar:
        tar.add(tmp_path / "p", arcname="../escaped")
    with pytest.raises(Exception):
        formats.unpack_uec(evil, tmp_path / "out")
    assert not (tmp_path / "escaped").exists()


@needs_qemu
def test_ova_holds_ovf_first_and_unpacks_to_a_checked_vmdk(tmp_path):
    raw = formats.make_raw(tmp_path / "d.raw", SIZE)
    ova = formats.make_ova(tmp_path / "app.ova", raw, name="app")
    with tarfile.open(ova) as tar:
        assert tar.getnames()[0] == "app.ovf"
    parts = formats.unpack_ova(ova, tmp_path / "out")
    assert parts.manifest_ok is True
    assert [formats.detect_format(d).format for d in parts.disks] == ["vmdk"]
    # a tampered disk fails the manifest check
    parts.disks[0].write_bytes(parts.disks[0].read_bytes() + b"x")
    with tarfile.open(tmp_path / "tampered.ova", "w") as tar:
        for f in (parts.ovf, parts.ovf.with_suffix(".mf"), parts.disks[0]):
            tar.add(f, arcname=f.name)
    assert formats.unpack_ova(tmp_path / "tampered.ova", tmp_path / "t").manifest_ok is False


def test_detect_format_of_missing_file_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        formats.detect_format(tmp_path / "nope.qcow2")


@needs_qemu
def test_unsafe_qcow2_with_a_backing_file_is_flagged(tmp_path):
    base = formats.convert(formats.make_raw(tmp_path / "b.raw", SIZE), tmp_path / "b.qcow2",
                           "qcow2")
    subprocess.run([QEMU, "create", "-f", "qcow2", "-F", "qcow2", "-b", str(base),
                    str(tmp_path / "child.qcow2")], check=True, capture_output=True)
    found = formats.detect_format(tmp_path / "child.qcow2")
    assert found.format == "qcow2" and not found.safe and "backing" in found.problem.lower()


def test_human_sizes():
    assert formats.human(512) == "512 B"
    assert formats.human(1536) == "1.5 KiB"
    assert formats.human(64 * formats.MiB) == "64.0 MiB"
