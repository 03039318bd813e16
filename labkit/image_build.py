"""Build small bootable images offline, from Debian packages: `labkit image build tiny`.

The tiny image is CirrOS-like: Debian's cloud kernel, an initramfs with busybox, and a
FAT disk booted by syslinux. Its init reads the OpenStack config drive (label config-2):
it takes the hostname, installs the SSH public key for root and prints its fingerprint,
and runs the user data when it is a script (``#!``), all on the serial console, which is
what `openstack console log show` shows. It starts an SSH server (Debian's dropbear, with
the libraries it needs copied in: busybox has none) that lets root in with that key, takes
an address by DHCP (busybox udhcpc) on each network interface there is, answers the ACPI
power button with a clean power-off (busybox acpid: Nova's stop), and leaves a root shell on
the console.

Packages come from `apt-get download` (no root needed) and are cached; building needs
dosfstools, syslinux, mtools, kmod and qemu-utils (all in `sudo make compute`).

Outputs, in the folder given:
- ``tiny.qcow2``: one bootable disk (the image to upload and boot);
- ``tiny-vmlinuz``, ``tiny-initrd.gz``, ``tiny-root.img``: the same as a separate kernel
  (AKI), ramdisk (ARI) and root disk (AMI), linked in Glance by ``kernel_id`` and
  ``ramdisk_id``: Nova then boots the kernel directly, with that ramdisk.
"""

import gzip
import hashlib
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import locks
from .cloud import system
from .cloud.layout import labkit_home

KERNEL_PACKAGE = "linux-image-cloud-amd64"  # Debian's metapackage for the newest cloud kernel
BUSYBOX_PACKAGE = "busybox-static"
DROPBEAR_PACKAGE = "dropbear-bin"  # the SSH server (dropbear) and dropbearkey
#: the shared libraries dropbear loads, by package (Debian 12 has no static dropbear)
DROPBEAR_LIBRARIES = {"libc6": ["ld-linux-x86-64.so.2", "libc.so.6"],
                      "libcrypt1": ["libcrypt.so.1"], "libtomcrypt1": ["libtomcrypt.so.1"],
                      "libtommath1": ["libtommath.so.1"], "libgmp10": ["libgmp.so.10"],
                      "zlib1g": ["libz.so.1"]}
#: drivers a guest needs for its disks, config drive and console (copied when not built in)
MODULES = ["virtio_pci", "virtio_blk", "virtio_net", "virtio_scsi", "virtio_console",
           "ata_piix", "ahci", "sr_mod", "sd_mod", "cdrom", "isofs", "vfat",
           "button", "evdev"]  # the ACPI power button, as an input device acpid reads
#: the kernel's NFSv4 client (with sunrpc, nfs, lockd...: 5 MiB, 1 MiB more in the gzip'd
#: initramfs), so that user data can `mount -t nfs4` a share; loaded when a mount asks for it
NFS_MODULES = ["nfsv4"]
#: (command, package) the build runs
TOOLS = [("apt-get", "apt"), ("dpkg-deb", "dpkg"), ("depmod", "kmod"),
         ("mkfs.vfat", "dosfstools"), ("syslinux", "syslinux"), ("mcopy", "mtools"),
         ("qemu-img", "qemu-utils")]

#: The guest's /init. Its console lines all start with "tiny:", so tests and lessons can
#: find them in the console log; user data's own output comes between them.
INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin; export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mkdir -p /dev/pts /root/.ssh; mount -t devpts devpts /dev/pts
# the kernel loads a module on demand (e.g. nfsv4 for `mount -t nfs4`) with this program
echo /bin/modprobe > /proc/sys/kernel/modprobe
echo "tiny: kernel $(uname -r) up after $(cut -d' ' -f1 /proc/uptime) s"
# one modprobe for all (each call costs a process and a read of modules.dep); devtmpfs
# makes the device nodes, so no mdev scan
modprobe -a @MODULES@ 2>/dev/null
hostname tiny
cd=""; for i in $(seq 1 50); do cd=$(findfs LABEL=config-2 2>/dev/null) && break; sleep 0.1; done
if [ -n "$cd" ]; then
  mkdir -p /mnt/config
  mount -o ro "$cd" /mnt/config 2>/dev/null || mount -t vfat -o ro "$cd" /mnt/config
  echo "tiny: config drive $cd"
  md=/mnt/config/openstack/latest/meta_data.json
  name=$(sed -n 's/.*"hostname": *"\([^"]*\)".*/\1/p' $md | head -1)
  [ -n "$name" ] && hostname "$name"
  key=$(sed -n 's/.*"public_keys": *{[^}]*: *"\([^"]*\)".*/\1/p' $md | sed 's/\\n$//' | head -1)
  if [ -n "$key" ]; then
    echo "$key" > /root/.ssh/authorized_keys
    # the MD5 fingerprint, in the form Nova shows for a key pair (openstack keypair show)
    fp=$(echo "$key" | cut -d' ' -f2 | base64 -d | md5sum | cut -c1-32 | sed 's/../&:/g; s/:$//')
    echo "tiny: ssh key for root: $(echo "$key" | cut -d' ' -f1) fingerprint $fp"
  else echo "tiny: no ssh key"; fi
fi
ip link set lo up
nics=$(ls /sys/class/net | grep -v '^lo$')
for nic in $nics; do
  ip link set "$nic" up
  echo "tiny: $nic asks for an address by DHCP"
  # -b: udhcpc returns once it has a lease (or after its tries) and then keeps renewing it
  # in the background; the wait below lets user data find the network up, as cloud-init's
  # scripts do
  udhcpc -b -t 10 -T 2 -i "$nic" -s /etc/udhcpc.script >/dev/null 2>&1 &
done
wait
[ -z "$nics" ] && echo "tiny: no network interface"
ud=/mnt/config/openstack/latest/user_data
if [ -f $ud ] && head -c2 $ud | grep -q '#!'; then
  cp $ud /tmp/user_data; chmod +x /tmp/user_data
  echo "tiny: running user data ($(wc -c < $ud) bytes)"
  /tmp/user_data; echo "tiny: user data exited with $?"
elif [ -f $ud ]; then echo "tiny: user data is not a script (#!), not run"
elif [ -n "$cd" ]; then echo "tiny: no user data"
else echo "tiny: no config drive found"; fi
mkdir -p /etc/dropbear /var/log; touch /var/log/lastlog
# -R: the host keys are made at the first connection; -s: keys only, no passwords
if dropbear -R -s -p 22 && pidof dropbear >/dev/null; then
  echo "tiny: ssh server (dropbear) listening on port 22"
else echo "tiny: ssh server (dropbear) did not start"; fi
# Nova's stop presses the ACPI power button and waits for the guest to power off: answer
# it (busybox acpid runs /etc/acpi/PWRF/00000080), as cloud images do with systemd or acpid
if acpid -c /etc/acpi; then echo "tiny: acpid listening: the power button shuts down"
else echo "tiny: acpid did not start: a stop waits, then Nova forces it off"; fi
echo "tiny: boot finished after $(cut -d' ' -f1 /proc/uptime) s, hostname $(hostname)"
grep -q tiny.poweroff /proc/cmdline && poweroff -f
exec setsid cttyhack sh -l
"""

#: What udhcpc runs when it gets (or renews) an address: set it, and the default route.
UDHCPC_SCRIPT = r"""#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface" ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
    echo "tiny: $interface has address $ip" > /dev/console ;;
esac
"""

#: What the ACPI power button runs (Nova's stop, `openstack server stop`): a clean power-off.
POWER_BUTTON = r"""#!/bin/sh
echo "tiny: power button pressed: powering off" > /dev/console
sync; poweroff -f
"""

#: Kernel arguments: the serial console last, so that /dev/console (init's output) is it.
#: quiet: each kernel line costs time on an emulated serial port; cryptomgr.notests: no
#: self-tests of the kernel's crypto algorithms at boot (0.4 s of initcalls under QEMU TCG);
#: no_timer_check: no test of the timer interrupt, which a virtual machine's is (as cloud
#: images do).
CMDLINE = "console=tty0 console=ttyS0,115200 quiet cryptomgr.notests no_timer_check panic=-1"


class BuildError(Exception):
    """str() is the whole message: what went wrong and what to do."""


@dataclass
class TinyImage:
    qcow2: Path
    kernel: Path
    ramdisk: Path
    root: Path
    kernel_version: str


def cache_dir():
    return labkit_home() / "cache" / "debs"


def _require_tools():
    lack = [(cmd, pkg) for cmd, pkg in TOOLS if not system.which(cmd)]
    if lack:
        raise BuildError(
            "Building the tiny image needs " + ", ".join(f"{c} (package {p})" for c, p in lack)
            + f". Install them with `{system.ADD_COMPUTE}` (Debian/Ubuntu).")


def _run(argv, **kwargs):
    done = subprocess.run([system.which(argv[0]) or argv[0], *argv[1:]], capture_output=True,
                          text=True, **kwargs)
    if done.returncode:
        raise BuildError(f"`{' '.join(map(str, argv))}` failed:\n{(done.stderr or done.stdout)[-800:]}")
    return done.stdout


def kernel_package():
    """The versioned kernel package the cloud-kernel metapackage points at, e.g.
    linux-image-6.1.0-57-cloud-amd64."""
    out = _run(["apt-cache", "depends", KERNEL_PACKAGE])
    found = re.findall(r"Depends: (linux-image-[0-9][^\s]*)", out)
    if not found:
        raise BuildError(f"apt knows no {KERNEL_PACKAGE}: run `apt-get update` (as root) first, "
                         f"on Debian (its cloud kernel is Debian's).")
    return found[0]


def download(packages, dest=None):
    """The .deb files of packages, fetched with `apt-get download` once and then cached."""
    dest = dest or cache_dir()
    dest.mkdir(parents=True, exist_ok=True)
    debs = []
    for package in packages:
        have = sorted(dest.glob(f"{package}_*.deb"))
        if not have:
            _run(["apt-get", "download", package], cwd=dest)
            have = sorted(dest.glob(f"{package}_*.deb"))
        if not have:
            raise BuildError(f"`apt-get download {package}` left no .deb in {dest}.")
        debs.append(have[-1])
    return debs


def _unpack(deb, dest):
    _run(["dpkg-deb", "-x", str(deb), str(dest)])
    return dest


def _copy_modules(kernel_root, version, root):
    """Copy the modules the guest needs (with their dependencies) and index them."""
    moddir = kernel_root / "lib/modules" / version
    _run(["depmod", "-b", str(kernel_root), version])  # the package leaves this to its install
    deps = {}
    for line in (moddir / "modules.dep").read_text().splitlines():
        path, _, needs = line.partition(":")
        deps[Path(path).name.split(".ko")[0].replace("-", "_")] = [path, *needs.split()]
    for module in MODULES + NFS_MODULES:
        for path in deps.get(module, []):  # absent: built into the kernel
            target = root / "lib/modules" / version / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(moddir / path, target)
    for name in ("modules.builtin", "modules.order", "modules.builtin.modinfo"):
        if (moddir / name).is_file():
            shutil.copy2(moddir / name, root / "lib/modules" / version / name)
    _run(["depmod", "-b", str(root), version])


def _add_dropbear(root, debs, work):
    """dropbear and the libraries it loads, at the paths their packages give them."""
    work.mkdir()
    unpacked = [_unpack(deb, work / deb.name) for deb in debs]
    dropbear = unpacked[0]
    for program in ("usr/sbin/dropbear", "usr/bin/dropbearkey"):
        (root / program).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(dropbear / program, root / program)
    for tree, (package, names) in zip(unpacked[1:], DROPBEAR_LIBRARIES.items()):
        for name in names:
            found = [p for p in tree.glob(f"**/{name}") if "lib64" not in p.parts]
            if not found:
                raise BuildError(f"{package} holds no {name}: Debian's packaging changed; "
                                 f"labkit/image_build.py's DROPBEAR_LIBRARIES needs updating.")
            target = root / found[0].relative_to(tree)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(found[0].resolve(), target)  # the file a soname link points at
    (root / "lib64").mkdir(exist_ok=True)
    (root / "lib64/ld-linux-x86-64.so.2").symlink_to("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
    # dropbear looks root up (home, shell) in /etc/passwd
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "etc/group").write_text("root:x:0:\n")
    (root / "etc/shells").write_text("/bin/sh\n")
    script = root / "etc/udhcpc.script"
    script.write_text(UDHCPC_SCRIPT)
    script.chmod(0o755)


def _initramfs(root, busybox, out):
    """A gzip'd cpio (newc) of root, made by busybox's own cpio."""
    files = "\n".join(str(p.relative_to(root)) for p in sorted(root.rglob("*"))) + "\n"
    listing = subprocess.run([str(busybox), "cpio", "-o", "-H", "newc"], input=files.encode(),
                             cwd=root, capture_output=True)
    if listing.returncode:
        raise BuildError(f"busybox cpio failed: {listing.stderr.decode()[-400:]}")
    out.write_bytes(gzip.compress(listing.stdout, compresslevel=9, mtime=0))


def _fat_disk(kernel, ramdisk, out, work):
    """A FAT 'superfloppy' (no partition table) booted by syslinux, holding kernel and
    initramfs: no root and no loop device needed."""
    size_kib = (kernel.stat().st_size + ramdisk.stat().st_size) // 1024 + 4096
    out.unlink(missing_ok=True)
    _run(["mkfs.vfat", "-n", "TINYROOT", "-C", str(out), str(size_kib)])
    _run(["syslinux", "--install", str(out)])
    config = work / "syslinux.cfg"
    config.write_text(f"DEFAULT tiny\nTIMEOUT 0\nPROMPT 0\nLABEL tiny\n  KERNEL vmlinuz\n"
                      f"  INITRD initrd.gz\n  APPEND {CMDLINE}\n")
    shutil.copy2(kernel, work / "vmlinuz")
    shutil.copy2(ramdisk, work / "initrd.gz")
    _run(["mcopy", "-i", str(out), str(work / "vmlinuz"), str(work / "initrd.gz"),
          str(config), "::/"])


def build_tiny(output, say=print):
    """Build the tiny image into folder output; returns a TinyImage of the files made."""
    _require_tools()
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    kpkg = kernel_package()
    (output / TINY_RECIPE).unlink(missing_ok=True)  # until the new files are all written
    ssh_packages = [DROPBEAR_PACKAGE, *DROPBEAR_LIBRARIES]
    say(f"Packages: {kpkg}, {BUSYBOX_PACKAGE}, {', '.join(ssh_packages)} "
        f"(apt-get download, cached in {cache_dir()})")
    kernel_deb, busybox_deb, *ssh_debs = download([kpkg, BUSYBOX_PACKAGE, *ssh_packages])
    version = kpkg.removeprefix("linux-image-")
    with tempfile.TemporaryDirectory(prefix="labkit-tiny-") as tmp:
        work = Path(tmp)
        kroot = _unpack(kernel_deb, work / "kernel")
        broot = _unpack(busybox_deb, work / "busybox")
        busybox = broot / "bin/busybox"
        root = work / "root"
        for folder in ("bin", "sbin", "dev", "proc", "sys", "mnt", "tmp", "run", "etc", "root"):
            (root / folder).mkdir(parents=True)
        shutil.copy2(busybox, root / "bin/busybox")
        _copy_modules(kroot, version, root)
        _add_dropbear(root, ssh_debs, work / "ssh")
        init = root / "init"
        init.write_text(INIT.replace("@MODULES@", " ".join(MODULES)))
        init.chmod(0o755)
        button = root / "etc/acpi/PWRF/00000080"
        button.parent.mkdir(parents=True)
        button.write_text(POWER_BUTTON)
        button.chmod(0o755)
        image = _tiny_files(output, version)
        _initramfs(root, busybox, image.ramdisk)
        shutil.copy2(kroot / "boot" / f"vmlinuz-{version}", image.kernel)
        _fat_disk(image.kernel, image.ramdisk, image.root, work)
    image.qcow2.unlink(missing_ok=True)
    _run(["qemu-img", "convert", "-c", "-O", "qcow2", str(image.root), str(image.qcow2)])
    for path in (image.qcow2, image.kernel, image.ramdisk, image.root):
        say(f"  {path}  {path.stat().st_size / 1048576:6.1f} MiB")
    (output / TINY_RECIPE).write_text(_tiny_recipe(kpkg))
    return image


#: written beside a finished tiny build: what it was built from (see _tiny_recipe)
TINY_RECIPE = "tiny.recipe"


def _tiny_files(folder, kernel_version):
    return TinyImage(qcow2=folder / "tiny.qcow2", kernel=folder / "tiny-vmlinuz",
                     ramdisk=folder / "tiny-initrd.gz", root=folder / "tiny-root.img",
                     kernel_version=kernel_version)


def _tiny_recipe(kernel_pkg):
    """What a tiny build depends on: the kernel package and this module (its init, modules,
    packages). The same recipe builds the same image."""
    return f"{kernel_pkg} {hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]}\n"


def tiny(folder=None, say=print):
    """The tiny image in folder (by default where lessons look): built there the first time,
    then reused while its recipe is the same, so a lesson run again (or another lesson, or a
    machine without qemu-img once it is built) boots without building it again."""
    folder = Path(folder or default_folder())
    kpkg = kernel_package()
    image = _tiny_files(folder, kpkg.removeprefix("linux-image-"))
    recipe = folder / TINY_RECIPE
    files = (image.qcow2, image.kernel, image.ramdisk, image.root, recipe)
    # two lessons (or test workers) at once: one builds, the other waits and reuses it
    with locks.held(folder / "tiny", say, "building the tiny image"):
        if all(f.is_file() for f in files) and recipe.read_text() == _tiny_recipe(kpkg):
            say(f"The tiny image built before, in {folder} (same recipe): reused")
            return image
        return build_tiny(folder, say=say)


def build_cloudinit(output, say=print):
    """The Debian + cloud-init image: its own module (labkit/image_cloudinit.py)."""
    from .image_cloudinit import build_cloudinit as build_it
    return build_it(output, say=say)


BUILDERS = {"tiny": build_tiny, "cloud-init": build_cloudinit}
#: the disk each kind of image writes (the one to upload and boot)
DISKS = {"tiny": "tiny.qcow2", "cloud-init": "cloud-init.qcow2"}


def default_folder():
    """Where `labkit image build KIND` writes without --output, and where lessons look."""
    return labkit_home() / "images"


def find_image(kind, folder=None):
    """The disk of an image of that kind built before (in folder, by default where
    `labkit image build KIND` writes), or None: lessons use the cloud-init image only when
    it is there, since it takes minutes and root to build. missing_message(kind) says how."""
    disk = Path(folder or default_folder()) / DISKS[kind]
    return disk if disk.is_file() else None


def missing_message(kind):
    root = "sudo " if kind == "cloud-init" else ""
    return (f"The {kind} image is not built on this machine; build it once with "
            f"`{root}.venv/bin/labkit image build {kind}` (it writes {default_folder()}).")


def build(kind, output, say=print):
    if kind not in BUILDERS:
        raise BuildError(f"No image called {kind!r}; choose from: {', '.join(BUILDERS)}.")
    return BUILDERS[kind](output, say=say)
