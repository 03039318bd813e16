"""Disk image files on your own machine (no cloud): make, inspect, convert, bundle, unpack.

    samples = formats.make_samples("samples")     # one small real image per disk format
    formats.detect_format("samples/disk.vmdk")    # what the bytes say, as Glance reads them
    formats.convert("disk.raw", "disk.qcow2", "qcow2")
    formats.snapshot_create("disk.qcow2", "before-update"); formats.snapshot_list(...)
    formats.make_uec(...), formats.unpack_uec(...), formats.make_ova(...), formats.unpack_ova(...)

Detection uses oslo.utils' format inspector, the very code Glance runs on every upload.
``qemu-img`` (Debian ``qemu-utils``, conda-forge ``qemu``, Homebrew ``qemu``) makes and
converts the rich formats. Without it, labkit still makes what it can in pure Python
(raw, qcow2 (a real, qemu-compatible qcow2 v2 file), ISO 9660, initrd, UEC tarball) and says
what it cannot (``ToolMissing``).
"""

import gzip
import hashlib
import json
import shutil
import struct
import subprocess
import tarfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from oslo_utils.imageutils import format_inspector

MiB = 1024 * 1024
DEFAULT_SIZE = 64 * MiB
#: disk_format (Glance's name) -> qemu-img's name for it
QEMU_NAMES = {"raw": "raw", "qcow2": "qcow2", "vmdk": "vmdk", "vdi": "vdi", "vhd": "vpc",
              "vhdx": "vhdx"}
#: the files each disk format gets in make_samples()
SUFFIX = {"raw": "raw", "qcow2": "qcow2", "vmdk": "vmdk", "vdi": "vdi", "vhd": "vhd",
          "vhdx": "vhdx", "iso": "iso", "ami": "img", "aki": "vmlinuz", "ari": "initrd"}
INSTALL_QEMU = ("Install qemu-img: Debian/Ubuntu `sudo apt install qemu-utils`, conda "
                "`conda install -c conda-forge qemu`, macOS `brew install qemu`.")


class FormatError(Exception):
    """Base class: str(error) says what went wrong and what to do."""


class ToolMissing(FormatError):
    pass


class NotAnImage(FormatError):
    pass


def qemu_img():
    """The path of qemu-img, or None when it is not installed (not on PATH)."""
    return shutil.which("qemu-img")


def _need_qemu(what):
    tool = qemu_img()
    if tool is None:
        raise ToolMissing(f"Making {what} needs qemu-img, which is not on this machine's "
                          f"PATH. {INSTALL_QEMU}")
    return tool


def _run(args):
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise FormatError(f"{' '.join(map(str, args))} failed: "
                          f"{(done.stderr or done.stdout).strip()[:300]}")
    return done.stdout


# --- raw ----------------------------------------------------------------------------------
def sample_bytes(size=2 * MiB):
    """Some recognisable, incompressible-ish content for the start of a sample disk."""
    block = hashlib.sha512(b"labkit sample disk").digest()
    data = bytearray()
    while len(data) < size:
        block = hashlib.sha512(block).digest()
        data += block
    return bytes(data[:size])


def make_raw(path, size=DEFAULT_SIZE, content=None):
    """A raw disk: content at the start, then a hole up to size (a sparse file)."""
    path = Path(path)
    content = sample_bytes() if content is None else content
    with open(path, "wb") as out:
        out.write(content)
        out.truncate(size)
    return path


# --- qcow2 in pure Python -----------------------------------------------------------------
QCOW_MAGIC = b"QFI\xfb"
QCOW_CLUSTER_BITS = 16
QCOW_COPIED = 1 << 63


def write_qcow2(path, size=DEFAULT_SIZE, content=b""):
    """A real qcow2 (version 2) file, without qemu-img: header, refcounts, L1, one L2 table
    and the non-zero clusters of content (which must fit in the first 512 MiB)."""
    cluster = 1 << QCOW_CLUSTER_BITS
    per_l2 = cluster // 8
    if len(content) > per_l2 * cluster or len(content) > size:
        raise FormatError("write_qcow2 keeps content within the first 512 MiB and the disk size.")
    l1_size = max(1, -(-size // (per_l2 * cluster)))
    chunks = [content[i:i + cluster].ljust(cluster, b"\0")
              for i in range(0, len(content), cluster)]
    used = [i for i, chunk in enumerate(chunks) if chunk.strip(b"\0")]
    # clusters: 0 header, 1 refcount table, 2 refcount block, 3 L1, 4 L2, then data
    first_data = 5 if used else 4
    total = first_data + len(used)
    header = struct.pack(">4sIQIIQIIQQIIQ", QCOW_MAGIC, 2, 0, 0, QCOW_CLUSTER_BITS, size, 0,
                         l1_size, 3 * cluster, 1 * cluster, 1, 0, 0)
    refcount_table = struct.pack(">Q", 2 * cluster)
    refcount_block = struct.pack(f">{total}H", *([1] * total))
    l1 = struct.pack(">Q", (4 * cluster) | QCOW_COPIED) if used else b""
    l2 = bytearray(cluster)
    for n, index in enumerate(used):
        struct.pack_into(">Q", l2, 8 * index, ((first_data + n) * cluster) | QCOW_COPIED)
    with open(path, "wb") as out:
        for number, block in enumerate([header, refcount_table, refcount_block, l1]):
            out.seek(number * cluster)
            out.write(block)
        if used:
            out.seek(4 * cluster)
            out.write(bytes(l2))
            for index in used:
                out.write(chunks[index])
        out.truncate(total * cluster)
    return Path(path)


# --- ISO 9660 in pure Python -------------------------------------------------------------
SECTOR = 2048


def _both16(n):
    return struct.pack("<H", n) + struct.pack(">H", n)


def _both32(n):
    return struct.pack("<I", n) + struct.pack(">I", n)


def _dir_record(identifier, extent, length, is_dir, when):
    stamp = struct.pack("7B", when.tm_year - 1900, when.tm_mon, when.tm_mday, when.tm_hour,
                        when.tm_min, when.tm_sec, 0)
    body = (bytes([0]) + _both32(extent) + _both32(length) + stamp + bytes([2 if is_dir else 0])
            + bytes([0, 0]) + _both16(1) + bytes([len(identifier)]) + identifier)
    record = bytes([len(body) + 1]) + body
    return record + (b"\0" if len(record) % 2 else b"")


def make_iso(path, files=None, volume_id="LABKIT"):
    """A real ISO 9660 file (the CD/DVD format), with files in its root directory.

    files: {"README.TXT": b"..."}; names in 8.3 upper case, as plain ISO 9660 wants."""
    # Longer than 50 lines on purpose: the Primary Volume Descriptor is one byte layout
    # (ECMA-119 section 8.4), easiest to check against the standard when read in one place.
    files = files or {"README.TXT": b"An ISO 9660 image made by labkit.formats.make_iso.\n"}
    when = time.gmtime()
    root_sector, first_file = 20, 21
    layout, sector = [], first_file
    for name, data in files.items():
        layout.append((name.upper().encode("ascii") + b";1", sector, data))
        sector += max(1, -(-len(data) // SECTOR))
    total = sector
    root = (_dir_record(b"\0", root_sector, SECTOR, True, when)
            + _dir_record(b"\1", root_sector, SECTOR, True, when)
            + b"".join(_dir_record(ident, start, len(data), False, when)
                       for ident, start, data in layout))
    if len(root) > SECTOR:
        raise FormatError("make_iso keeps the root directory in one sector: fewer files.")
    path_l = struct.pack("<BBIH", 1, 0, root_sector, 1) + b"\0\0"
    path_m = struct.pack(">BBIH", 1, 0, root_sector, 1) + b"\0\0"
    date = time.strftime("%Y%m%d%H%M%S00", when).encode() + b"\0"
    pvd = bytearray(SECTOR)
    pvd[0:7] = b"\x01CD001\x01"
    pvd[8:40] = b"LINUX".ljust(32)
    pvd[40:72] = volume_id.upper().encode("ascii")[:32].ljust(32)
    pvd[80:88] = _both32(total)
    pvd[120:124] = _both16(1)
    pvd[124:128] = _both16(1)
    pvd[128:132] = _both16(SECTOR)
    pvd[132:140] = _both32(len(path_l) - 2)
    pvd[140:144] = struct.pack("<I", 18)
    pvd[148:152] = struct.pack(">I", 19)
    pvd[156:190] = _dir_record(b"\0", root_sector, SECTOR, True, when)
    for start, end in ((190, 318), (318, 446), (446, 574), (574, 702), (702, 739),
                       (739, 776), (776, 813)):
        pvd[start:end] = b" " * (end - start)
    pvd[813:830] = date
    pvd[830:847] = date
    pvd[847:864] = b"0" * 16 + b"\0"
    pvd[864:881] = b"0" * 16 + b"\0"
    pvd[881] = 1
    terminator = b"\xffCD001\x01".ljust(SECTOR, b"\0")
    with open(path, "wb") as out:
        out.write(bytes(16 * SECTOR))
        out.write(bytes(pvd) + terminator)
        out.write(path_l.ljust(SECTOR, b"\0") + path_m.ljust(SECTOR, b"\0"))
        out.write(root.ljust(SECTOR, b"\0"))
        for _, start, data in layout:
            out.seek(start * SECTOR)
            out.write(data)
        out.truncate(total * SECTOR)
    return Path(path)


# --- kernel and ramdisk (AKI / ARI) -------------------------------------------------------
def make_initrd(path, init_script=b"#!/bin/sh\necho 'labkit initrd'\nexec /bin/sh\n"):
    """A real initramfs: a gzip-compressed cpio archive (newc) holding /init, as an ARI is."""
    def entry(name, mode, data=b""):
        name_bytes = name.encode() + b"\0"
        fields = [1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_bytes), 0]
        head = b"070701" + b"".join(b"%08X" % value for value in fields) + name_bytes
        head += b"\0" * (-len(head) % 4)
        return head + data + b"\0" * (-len(data) % 4)
    archive = entry("init", 0o100755, init_script) + entry("TRAILER!!!", 0)
    Path(path).write_bytes(gzip.compress(archive, mtime=0))
    return Path(path)


def make_kernel_placeholder(path):
    """A stand-in for a kernel (vmlinuz): NOT bootable. Glance does not inspect aki data, so
    the lesson can register it; a real AKI is the kernel file from a distribution."""
    Path(path).write_bytes(b"labkit placeholder for a Linux kernel (vmlinuz); not bootable.\n")
    return Path(path)


# --- rich formats with qemu-img -----------------------------------------------------------
def convert(source, target, disk_format, options=None):
    """qemu-img convert -O <format>: a new file in disk_format (Glance's names: vhd is 'vpc')."""
    tool = _need_qemu(f"a {disk_format} file")
    if disk_format not in QEMU_NAMES:
        raise FormatError(f"convert() writes {', '.join(QEMU_NAMES)}, not {disk_format!r}.")
    args = [tool, "convert", "-O", QEMU_NAMES[disk_format]]
    if options:
        args += ["-o", ",".join(f"{k}={v}" for k, v in options.items())]
    _run(args + [str(source), str(target)])
    return Path(target)


def qemu_info(path):
    """qemu-img info --output=json, as a dict (format, virtual-size, snapshots, ...)."""
    tool = _need_qemu("the qemu-img view of a file")
    return json.loads(_run([tool, "info", "--output=json", str(path)]))


def snapshot_create(path, name):
    """Take an internal snapshot inside a qcow2 file (qemu-img snapshot -c)."""
    tool = _need_qemu("a qcow2 snapshot")
    _run([tool, "snapshot", "-c", name, str(path)])


def snapshot_list(path):
    """The internal snapshots of a qcow2 file: [{'name', 'vm-state-size', 'date-sec', ...}]."""
    return qemu_info(path).get("snapshots", [])


# --- detection ----------------------------------------------------------------------------
@dataclass
class Inspection:
    """What the bytes of a file say, as Glance's format inspection reads them."""

    path: str
    format: str            #: detected disk format (raw when nothing else matches)
    virtual_size: int      #: the size of the disk a guest sees
    file_size: int         #: the file's length
    disk_usage: int        #: bytes the file really takes on disk (sparse files take less)
    safe: bool             #: passed the inspector's safety checks (e.g. no backing file)
    problem: str = ""      #: why not safe

    @property
    def name(self):
        return Path(self.path).name


def detect_format(path):
    """Inspect a file with oslo.utils' format inspector (Glance's own code)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist (or is not a file).")
    try:
        inspector = format_inspector.detect_file_format(str(path))
    except format_inspector.ImageFormatError as exc:
        raise NotAnImage(f"{path.name}: the bytes match several formats at once ({exc}); "
                         f"Glance would refuse it.") from None
    stat = path.stat()
    safe, problem = True, ""
    try:
        inspector.safety_check()
    except format_inspector.SafetyCheckFailed as exc:
        safe, problem = False, str(exc)
    name = str(inspector)
    # The raw inspector only counts what it has read: a raw disk is as large as its file.
    virtual = stat.st_size if name == "raw" else inspector.virtual_size
    return Inspection(str(path), name, virtual, stat.st_size, stat.st_blocks * 512, safe,
                      problem)


# --- samples ------------------------------------------------------------------------------
@dataclass
class Samples:
    """make_samples' result: made {disk_format: path}, skipped {disk_format: reason}."""

    folder: Path
    made: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)

    def __getitem__(self, disk_format):
        return self.made[disk_format]


def make_samples(folder, size=DEFAULT_SIZE, base="disk"):
    """One small real image per disk format, with the same 2 MiB of content, in folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    samples = Samples(folder)
    raw = make_raw(folder / f"{base}.raw", size)
    samples.made["raw"] = raw
    for disk_format in ("qcow2", "vmdk", "vdi", "vhd", "vhdx"):
        target = folder / f"{base}.{SUFFIX[disk_format]}"
        if qemu_img():
            samples.made[disk_format] = convert(raw, target, disk_format)
        elif disk_format == "qcow2":
            samples.made["qcow2"] = write_qcow2(target, size, sample_bytes())
        else:
            target.unlink(missing_ok=True)  # no stale file from a run with qemu-img
            samples.skipped[disk_format] = f"needs qemu-img. {INSTALL_QEMU}"
    samples.made["iso"] = make_iso(folder / f"{base}.iso")
    samples.made["ami"] = make_raw(folder / f"{base}-ami.img", size)
    samples.made["aki"] = make_kernel_placeholder(folder / f"{base}-vmlinuz")
    samples.made["ari"] = make_initrd(folder / f"{base}-initrd")
    return samples


# --- bundles: UEC tarball and OVA ---------------------------------------------------------
@dataclass
class UecParts:
    machine: Path   #: the AMI, a raw disk
    kernel: Path    #: the AKI (vmlinuz)
    ramdisk: Path   #: the ARI (initrd)


def make_uec(path, base="day3-tiny", size=DEFAULT_SIZE):
    """A UEC-style tarball (.tar.gz) holding <base>-blank.img, <base>-vmlinuz, <base>-initrd,
    the layout of e.g. cirros-*-uec.tar.gz."""
    path = Path(path)
    work = path.parent / f".{base}-parts"
    work.mkdir(parents=True, exist_ok=True)
    parts = [make_raw(work / f"{base}-blank.img", size),
             make_kernel_placeholder(work / f"{base}-vmlinuz"),
             make_initrd(work / f"{base}-initrd")]
    with tarfile.open(path, "w:gz") as tar:
        for part in parts:
            tar.add(part, arcname=part.name)
    shutil.rmtree(work)
    return path


def _safe_extract(archive, dest):
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(dest, filter="data")  # refuses absolute paths, .., devices
            return [dest / member.name for member in tar.getmembers() if member.isfile()]
    except tarfile.TarError as exc:
        raise NotAnImage(f"{Path(archive).name} is not a readable tar archive ({exc}).") from None


def unpack_uec(tarball, dest):
    """Extract a UEC tarball and say which file is the machine, kernel and ramdisk image."""
    files = _safe_extract(tarball, dest)

    def pick(*words):
        found = [f for f in files if any(word in f.name for word in words)]
        if len(found) != 1:
            raise NotAnImage(f"{Path(tarball).name}: expected one file named like "
                             f"{' or '.join(words)}, found {len(found)}.")
        return found[0]
    return UecParts(machine=pick(".img"), kernel=pick("vmlinuz", "kernel"),
                    ramdisk=pick("initrd", "ramdisk", "loader"))


OVF_NS = "http://schemas.dmtf.org/ovf/envelope/1"
OVF_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"
          xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
          xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
  <References>
    <File ovf:id="file1" ovf:href="{disk}" ovf:size="{disk_size}"/>
  </References>
  <DiskSection>
    <Info>Virtual disks</Info>
    <Disk ovf:diskId="disk1" ovf:fileRef="file1" ovf:capacity="{capacity}"
          ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <VirtualSystem ovf:id="{name}">
    <Info>A one-disk virtual machine made by labkit</Info>
    <Name>{name}</Name>
    <VirtualHardwareSection>
      <Info>1 CPU, 256 MB memory, 1 disk</Info>
      <Item><rasd:ElementName>1 CPU</rasd:ElementName><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:ElementName>256 MB</rasd:ElementName><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>256</rasd:VirtualQuantity></Item>
      <Item><rasd:ElementName>disk1</rasd:ElementName><rasd:HostResource>ovf:/disk/disk1</rasd:HostResource><rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
"""


def make_ova(path, disk, name="day3-appliance"):
    """An OVA: a tar of the OVF descriptor (first), a manifest, and the disk as a
    streamOptimized VMDK (converted from disk with qemu-img)."""
    path = Path(path)
    work = path.parent / f".{name}-ova"
    work.mkdir(parents=True, exist_ok=True)
    vmdk = convert(disk, work / f"{name}-disk1.vmdk", "vmdk", {"subformat": "streamOptimized"})
    capacity = detect_format(vmdk).virtual_size
    ovf = work / f"{name}.ovf"
    ovf.write_text(OVF_XML.format(disk=vmdk.name, disk_size=vmdk.stat().st_size,
                                  capacity=capacity, name=name))
    manifest = work / f"{name}.mf"
    manifest.write_text("".join(f"SHA256({p.name})= {hashlib.sha256(p.read_bytes()).hexdigest()}\n"
                                for p in (ovf, vmdk)))
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for part in (ovf, manifest, vmdk):  # the OVF standard puts the descriptor first
            tar.add(part, arcname=part.name)
    shutil.rmtree(work)
    return path


@dataclass
class OvaParts:
    ovf: Path
    disks: list
    manifest_ok: bool | None  #: None when the OVA has no manifest


def unpack_ova(ova, dest):
    """Extract an OVA, read its OVF descriptor and return the disk files it names (checked
    against the manifest when there is one)."""
    files = _safe_extract(ova, dest)
    descriptors = [f for f in files if f.suffix.lower() == ".ovf"]
    if len(descriptors) != 1:
        raise NotAnImage(f"{Path(ova).name}: an OVA holds exactly one .ovf descriptor; "
                         f"found {len(descriptors)}.")
    ovf = descriptors[0]
    try:
        tree = ET.parse(ovf)
    except ET.ParseError as exc:
        raise NotAnImage(f"{ovf.name} is not valid XML ({exc}).") from None
    hrefs = [ref.get(f"{{{OVF_NS}}}href") for ref in tree.iter(f"{{{OVF_NS}}}File")]
    disks = [ovf.parent / href for href in hrefs if href]
    missing = [d.name for d in disks if not d.is_file()]
    if missing:
        raise NotAnImage(f"{Path(ova).name}: the descriptor names {', '.join(missing)}, "
                         f"which the archive does not contain.")
    manifest_ok = None
    for manifest in (f for f in files if f.suffix.lower() == ".mf"):
        manifest_ok = all(_manifest_line_ok(line, ovf.parent)
                          for line in manifest.read_text().splitlines() if line.strip())
    return OvaParts(ovf, disks, manifest_ok)


def _manifest_line_ok(line, folder):
    algorithm, rest = line.split("(", 1)
    name, digest = rest.split(")=", 1)
    hasher = hashlib.new(algorithm.strip().lower())
    with open(folder / name, "rb") as data:
        for block in iter(lambda: data.read(MiB), b""):
            hasher.update(block)
    return hasher.hexdigest() == digest.strip()


def file_digest(path, algorithm="sha512"):
    """A file's hex digest, read in 1 MiB blocks (Glance's os_hash_value uses sha512)."""
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(MiB), b""):
            hasher.update(block)
    return hasher.hexdigest()


def human(size):
    """1536 -> '1.5 KiB'."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(size) < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
