"""Compute's, networking's and the file server's system packages: QEMU, libvirt, Open
vSwitch, OVN and nfs-ganesha cannot come from PyPI.

The one place that knows which Debian/Ubuntu packages booting servers (compute), wiring
them to tenant networks (networking, a tier above compute) and exporting shares (the file
server) need, whether they are there, and how to add them. Standard library only: `make
compute`, `make lab` and
`make test` run this file with the system's python3 before any virtual environment exists.

    python3 labkit/cloud/system.py check     # what is missing (exit 1 if anything)
    python3 labkit/cloud/system.py install   # root: apt-get install what is missing
    python3 labkit/cloud/system.py auto      # install when root on Debian/Ubuntu, else hint
"""

import glob
import os
import shutil
import subprocess
import sys

#: The command that adds compute, for messages.
ADD_COMPUTE = "sudo make compute"

#: Debian/Ubuntu package -> (how labkit tells it is installed, what it is for)
PACKAGES = {
    "qemu-system-x86": ("cmd:qemu-system-x86_64", "QEMU, which runs the servers (software emulation)"),
    "libvirt-daemon": ("cmd:libvirtd", "libvirtd, through which Nova drives QEMU"),
    "libvirt-daemon-driver-qemu": ("glob:/usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so",
                                   "libvirtd's QEMU driver"),
    "libvirt-clients": ("cmd:virsh", "virsh, to look at (and stop) the servers' domains"),
    "libvirt-dev": ("glob:/usr/lib/*/pkgconfig/libvirt.pc",
                    "libvirt's headers: libvirt-python is compiled against them"),
    "pkg-config": ("cmd:pkg-config", "finds libvirt when libvirt-python is compiled"),
    "gcc": ("cmd:gcc", "compiles libvirt-python"),
    "genisoimage": ("cmd:genisoimage", "config drives (the server's metadata and user data)"),
    "qemu-utils": ("cmd:qemu-img", "qemu-img: image conversion, qcow2 overlays"),
    "syslinux": ("cmd:syslinux", "the tiny image's boot loader"),
    "syslinux-common": ("glob:/usr/lib/syslinux/modules/bios/ldlinux.c32", "the boot loader's modules"),
    "mtools": ("cmd:mcopy", "copies files into the tiny image's FAT disk without mounting it"),
    "dosfstools": ("cmd:mkfs.vfat", "makes the tiny image's FAT disk"),
    "kmod": ("cmd:depmod", "indexes the kernel modules in the tiny image's initramfs"),
    "mmdebstrap": ("cmd:mmdebstrap", "makes the cloud-init image's Debian root file system"),
    "e2fsprogs": ("cmd:mkfs.ext4", "makes the cloud-init image's ext4 root from a folder (-d)"),
    "fdisk": ("cmd:sfdisk", "writes the cloud-init image's partition table"),
}

#: The file server behind Manila's shares with data, installed with compute's packages.
FILE_SERVER_PACKAGES = {
    "nfs-ganesha": ("cmd:ganesha.nfsd", "nfs-ganesha, the NFS server (in user space) that "
                                        "exports the shares"),
    "nfs-ganesha-vfs": ("glob:/usr/lib/*/ganesha/libfsalvfs.so",
                        "ganesha's back end for plain folders"),
    "libnfs-utils": ("cmd:nfs-cp", "nfs-ls, nfs-cp, nfs-cat: NFS clients in user space"),
    "sqlite3": ("cmd:sqlite3", "Manila's ganesha helper keeps its export ids with it"),
    "iproute2": ("cmd:ip", "the storage network namespace the file server listens in"),
}

#: Networking (labkit/cloud/ovn.py): Neutron's ML2/OVN on Open vSwitch's userspace datapath
NETWORKING_PACKAGES = {
    "openvswitch-switch": ("cmd:ovs-vswitchd", "Open vSwitch: the switch the servers plug into"),
    "ovn-central": ("cmd:ovn-northd", "OVN's databases and northd: Neutron's networks as flows"),
    "ovn-host": ("cmd:ovn-controller", "ovn-controller: DHCP, security groups, routers, NAT"),
    "iputils-ping": ("cmd:ping", "ping, from the namespaces that reach servers"),
    "openssh-client": ("cmd:ssh", "ssh, to log in to servers with a key pair from those namespaces"),
}

#: sbin folders hold some of these tools but are not on every user's PATH
_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin", "/sbin"])


def which(command):
    """Like shutil.which, also looking in the sbin folders."""
    return shutil.which(command, path=_PATH)


def _present(probe):
    kind, what = probe.split(":", 1)
    return bool(which(what)) if kind == "cmd" else bool(glob.glob(what))


def missing(packages=None):
    """The packages compute (or the given table) needs that are not installed, in order."""
    return [name for name, (probe, _) in (packages or PACKAGES).items() if not _present(probe)]


def missing_all():
    """Every package of compute, networking and the file server that is not installed."""
    return missing() + missing(NETWORKING_PACKAGES) + missing(FILE_SERVER_PACKAGES)


def is_debian_like():
    try:
        with open("/etc/os-release") as f:
            fields = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    except OSError:
        return False
    ids = {fields.get("ID", "").strip('"'), *fields.get("ID_LIKE", "").strip('"').split()}
    return bool(ids & {"debian", "ubuntu"}) and bool(which("apt-get"))


def can_install():
    return os.geteuid() == 0 and is_debian_like()


def has_libvirt_python(services):
    """True when the services' environment (a folder) holds libvirt-python."""
    return bool(glob.glob(os.path.join(services, "lib", "python3*", "site-packages",
                                       "libvirtmod*")))


def why_not_available(services=None):
    """None when this machine can boot servers, else one sentence saying what to do.
    With services (the services' environment), also that libvirt-python is in it."""
    lack = missing()
    if lack:
        return (f"compute needs system packages that are not installed ({', '.join(lack)}); "
                f"add them with `{ADD_COMPUTE}`")
    if services is not None and not has_libvirt_python(services):
        return ("libvirt-python is not in the services' environment yet; `labkit cloud up` "
                "adds it (its log says why it could not)")
    if os.geteuid() != 0:
        return ("compute runs libvirtd with its own folders in a private mount namespace, "
                "which needs root; run the pocket cloud as root to boot servers")
    return None


def why_networking_not_available(services=None):
    """None when servers can be wired to tenant networks here, else what to do."""
    why = why_not_available(services)
    if why:
        return f"networking needs compute first: {why}"
    lack = missing(NETWORKING_PACKAGES)
    if lack:
        return (f"networking needs system packages that are not installed ({', '.join(lack)}); "
                f"add them with `{ADD_COMPUTE}`")
    return None


def why_no_file_server():
    """None when this machine can run the file server for shares, else what to do."""
    lack = missing(FILE_SERVER_PACKAGES)
    if lack:
        return (f"the file server for shares needs system packages that are not installed "
                f"({', '.join(lack)}); add them with `{ADD_COMPUTE}`")
    if os.geteuid() != 0:
        return ("the file server listens in a network namespace of its own, which needs "
                "root; run the pocket cloud as root to export shares")
    return None


def _all_packages():
    return {**PACKAGES, **NETWORKING_PACKAGES, **FILE_SERVER_PACKAGES}


def install(say=print):
    """apt-get install what is missing (root, Debian/Ubuntu). Returns the packages installed."""
    lack = missing_all()
    if not lack:
        say("compute: QEMU, libvirt, the image tools, Open vSwitch, OVN and nfs-ganesha are "
            "installed.")
        return []
    if not can_install():
        raise SystemExit(f"Installing compute's packages needs root on Debian or Ubuntu "
                         f"(apt-get). Missing: {' '.join(lack)}. Run `{ADD_COMPUTE}`, or "
                         f"install them with your system's package manager.")
    say(f"compute: installing with apt-get (--no-install-recommends): {' '.join(lack)}")
    for name in lack:
        say(f"  {name:28} {_all_packages()[name][1]}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # apt's lists may be missing (fresh containers) or old (a removed version)
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    with _no_service_starts():
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *lack],
                       check=True, env=env)
    still = missing_all()
    if still:
        raise SystemExit(f"apt-get finished but these are still missing: {' '.join(still)}")
    return lack


class _no_service_starts:
    """While apt-get installs: a policy-rc.d that forbids starting services. nfs-ganesha's
    and rpcbind's packages would otherwise start them, listening on every address; the
    pocket cloud starts its own ganesha, in a network namespace of its own."""

    path = "/usr/sbin/policy-rc.d"

    def __enter__(self):
        self.made = not os.path.exists(self.path)
        if self.made:
            with open(self.path, "w") as f:
                f.write("#!/bin/sh\n# labkit: no service starts while it installs packages\n"
                        "exit 101\n")
            os.chmod(self.path, 0o755)
        return self

    def __exit__(self, *exc):
        if self.made:
            os.remove(self.path)


def auto(say=print):
    """What `make lab` and `make test` do: install when that is possible, else say how."""
    lack = missing_all()
    if not lack:
        return
    if can_install():
        say("compute: running as root on Debian/Ubuntu, so installing what booting servers "
            "and exporting shares need (once).")
        install(say)
    else:
        say(f"compute: not installed (missing {', '.join(lack)}). Everything else works; the "
            f"lessons' boot and mount cells will skip. To boot servers and mount shares, run "
            f"once: {ADD_COMPUTE}")


def main(argv):
    action = argv[1] if len(argv) > 1 else "check"
    if action == "install":
        install()
    elif action == "auto":
        auto()
    elif action == "check":
        why = why_not_available()
        print(f"compute: {why}" if why else "compute: available")
        networking = why_networking_not_available()
        print(f"networking: {networking}" if networking else "networking: available")
        file_server = why_no_file_server()
        print(f"file server: {file_server}" if file_server else "file server: available")
        return 1 if why or networking or file_server else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
