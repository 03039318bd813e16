"""The cloud-init image: `labkit image build cloud-init`.

Debian 12 with the real cloud-init, Debian's cloud kernel and an SSH server (OpenSSH), as a
whole disk that a server boots: an MBR, a small FAT partition holding the kernel, its
initramfs and the syslinux boot loader, and the ext4 root (label ``cloudroot``). cloud-init
reads the OpenStack config drive (``datasource_list: [ConfigDrive, None]``), runs
``#cloud-config`` user data and ``#!`` scripts, puts the key pair's public key in the
default user's (``debian``) authorized_keys and writes its progress to the serial console,
which is what `openstack console log show` shows.

How, with no loop device and nothing mounted: mmdebstrap makes the root folder (as root:
its files must belong to root in the image), ``mkfs.ext4 -d`` makes the root file system
from that folder straight into the disk file, ``mkfs.vfat`` and ``mcopy`` make the boot
partition, and ``syslinux --offset`` installs the boot loader in it (extlinux, the ext4
flavour of syslinux, only installs into a mounted file system). The downloaded packages
are cached, so a second build downloads nothing new.

Output, in the folder given: ``cloud-init.qcow2``.
"""

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .cloud import system
from .cloud.layout import labkit_home
from .image_build import BuildError, _run

SUITE = "bookworm"  # Debian 12
#: what the image holds beyond Debian's minimal base, and why
PACKAGES = {
    "linux-image-cloud-amd64": "Debian's cloud kernel (virtio drivers, no hardware ones)",
    "systemd-sysv": "init",
    "udev": "finds the disks (and the config drive by its label)",
    "cloud-init": "reads the config drive: hostname, key pair, user data",
    "openssh-server": "SSH logins with the key pair, once the server has a network",
    "ifupdown": "networking, which cloud-init configures from the config drive",
    "isc-dhcp-client": "an address by DHCP on a tenant network",
    "iproute2": "the ip command",
    "e2fsprogs": "fsck and resize for the root file system",
    "sudo": "the default user's root access",
}
#: (command, package) the build runs
TOOLS = [("mmdebstrap", "mmdebstrap"), ("mkfs.ext4", "e2fsprogs"), ("sfdisk", "fdisk"),
         ("mkfs.vfat", "dosfstools"), ("syslinux", "syslinux"), ("mcopy", "mtools"),
         ("qemu-img", "qemu-utils")]
MBR = Path("/usr/lib/syslinux/mbr/mbr.bin")  # syslinux-common: boots the active partition
ROOT_LABEL = "cloudroot"
SECTOR = 512
BOOT_START = 2048  # sectors: the first partition at 1 MiB, as partitioning tools do
#: Kernel arguments: the serial console last, so that /dev/console (systemd's and
#: cloud-init's output) is it.
CMDLINE = f"root=LABEL={ROOT_LABEL} ro console=tty0 console=ttyS0,115200"

#: cloud-init's settings for the pocket cloud (/etc/cloud/cloud.cfg.d/99-labkit.cfg)
CLOUD_CFG = """\
# labkit: OpenStack's config drive, and no waiting for a metadata server that is not there
datasource_list: [ ConfigDrive, None ]
# the image's locale is C.UTF-8 (no locales package): nothing to generate
locale: C.UTF-8
"""


@dataclass
class CloudInitImage:
    qcow2: Path
    kernel_version: str


def cache_dir():
    return labkit_home() / "cache" / f"debian-{SUITE}-debs"


def _require_tools_and_root():
    lack = [(cmd, pkg) for cmd, pkg in TOOLS if not system.which(cmd)]
    if lack:
        raise BuildError(
            "Building the cloud-init image needs " + ", ".join(f"{c} (package {p})" for c, p in lack)
            + f". Install them with `{system.ADD_COMPUTE}` (Debian/Ubuntu).")
    if os.geteuid() != 0:
        raise BuildError(
            "Building the cloud-init image needs root: the image's files must belong to root, "
            "and mmdebstrap makes them so only as root. Run it as root (`sudo .venv/bin/labkit "
            "image build cloud-init`), or use the tiny image.")


def _debootstrap(rootfs, say):
    """Debian's minimal base plus PACKAGES, into folder rootfs, with the .debs cached."""
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    cached = len(list(cache.glob("*.deb")))
    say(f"mmdebstrap: Debian {SUITE} (minbase) + {', '.join(PACKAGES)}; "
        f"{cached} packages already cached in {cache}")
    _run(["mmdebstrap", "--variant=minbase", "--mode=root", "--skip=essential/unlink",
          "--include=" + ",".join(PACKAGES),
          "--setup-hook=mkdir -p \"$1\"/var/cache/apt/archives/",
          f"--setup-hook=sync-in {cache} /var/cache/apt/archives/",
          f"--customize-hook=sync-out /var/cache/apt/archives {cache}",
          "--customize-hook=chroot \"$1\" apt-get clean",
          SUITE, str(rootfs)])


def _configure(root):
    """What makes the tree a cloud image: its root by label, cloud-init's data source,
    no SSH host keys (each server makes its own at first boot) and no machine-id."""
    (root / "etc/fstab").write_text(f"LABEL={ROOT_LABEL} / ext4 defaults,discard 0 1\n")
    (root / "etc/hostname").write_text("debian\n")
    (root / "etc/default/locale").write_text("LANG=C.UTF-8\n")
    (root / "etc/cloud/cloud.cfg.d/99-labkit.cfg").write_text(CLOUD_CFG)
    (root / "etc/network/interfaces").write_text(
        "auto lo\niface lo inet loopback\nsource /etc/network/interfaces.d/*\n")
    for key in (root / "etc/ssh").glob("ssh_host_*"):
        key.unlink()
    (root / "etc/machine-id").write_text("")  # systemd makes one at first boot
    for folder in ("usr/share/doc", "usr/share/man", "usr/share/locale", "usr/share/info",
                   "var/lib/apt/lists"):
        shutil.rmtree(root / folder, ignore_errors=True)
        (root / folder).mkdir()


def _boot_partition(kernel, initrd, out, work):
    """A FAT file system with the kernel, initramfs and syslinux.cfg (syslinux itself is
    installed once it sits in the disk: it records where)."""
    size_kib = (kernel.stat().st_size + initrd.stat().st_size) // 1024 + 8192
    _run(["mkfs.vfat", "-n", "BOOT", "-h", str(BOOT_START), "-C", str(out), str(size_kib)])
    config = work / "syslinux.cfg"
    config.write_text(f"DEFAULT debian\nTIMEOUT 0\nPROMPT 0\nLABEL debian\n  KERNEL vmlinuz\n"
                      f"  INITRD initrd.img\n  APPEND {CMDLINE}\n")
    _run(["mcopy", "-i", str(out), str(config), "::/syslinux.cfg"])
    _run(["mcopy", "-i", str(out), str(kernel), "::/vmlinuz"])
    _run(["mcopy", "-i", str(out), str(initrd), "::/initrd.img"])


def _disk(root, kernel, initrd, raw, work):
    """MBR + boot partition (FAT, active) + root partition (ext4 made from folder root)."""
    boot = work / "boot.vfat"
    _boot_partition(kernel, initrd, boot, work)
    boot_sectors = boot.stat().st_size // SECTOR
    used_mib = int(subprocess.run(["du", "-sm", str(root)], capture_output=True, text=True,
                                  check=True).stdout.split()[0])
    root_mib = used_mib * 13 // 10 + 64  # room for the first boot's files and logs
    root_start = BOOT_START + boot_sectors
    root_start += -root_start % 2048  # aligned to 1 MiB
    size = root_start * SECTOR + root_mib * 1048576
    with open(raw, "wb") as disk:
        disk.truncate(size)
    table = (f"start={BOOT_START}, size={boot_sectors}, type=c, bootable\n"
             f"start={root_start}, type=83\n")
    subprocess.run([system.which("sfdisk"), "-q", str(raw)], input=table, text=True,
                   capture_output=True, check=True)
    # ext4 features extlinux-era loaders and older kernels read; made into the partition
    _run(["mkfs.ext4", "-q", "-L", ROOT_LABEL, "-O", "^orphan_file",
          "-E", f"offset={root_start * SECTOR}", "-d", str(root), str(raw), f"{root_mib}M"])
    with open(raw, "r+b") as disk, open(boot, "rb") as fat:
        disk.write(MBR.read_bytes()[:440])  # boot code only: the partition table stays
        disk.seek(BOOT_START * SECTOR)
        shutil.copyfileobj(fat, disk)
    _run(["syslinux", "--offset", str(BOOT_START * SECTOR), "--install", str(raw)])


def build_cloudinit(output, say=print):
    """Build the cloud-init image into folder output; returns a CloudInitImage."""
    _require_tools_and_root()
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    image = output / "cloud-init.qcow2"
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="labkit-cloudinit-") as tmp:
        work = Path(tmp)
        root = work / "rootfs"
        _debootstrap(root, say)
        say(f"  root file system made in {time.monotonic() - started:.0f} s")
        kernel = sorted((root / "boot").glob("vmlinuz-*"))[-1]
        initrd = sorted((root / "boot").glob("initrd.img-*"))[-1]
        version = kernel.name.removeprefix("vmlinuz-")
        _configure(root)
        say(f"disk: MBR, FAT boot partition (syslinux, kernel {version}), ext4 root "
            f"(label {ROOT_LABEL})")
        raw = work / "disk.raw"
        _disk(root, kernel, initrd, raw, work)
        image.unlink(missing_ok=True)
        _run(["qemu-img", "convert", "-c", "-O", "qcow2", str(raw), str(image)])
    say(f"  {image}  {image.stat().st_size / 1048576:6.1f} MiB "
        f"(built in {time.monotonic() - started:.0f} s)")
    return CloudInitImage(qcow2=image, kernel_version=version)
