"""libvirtd, through which Nova's compute drives QEMU: started and stopped with the cloud.

Its configuration, sockets, logs and domain definitions live in the state folder
(``libvirt/``), bound over libvirt's fixed paths in a private mount namespace by
runners/libvirtd.sh: no systemd, dbus, virtlogd or socket activation, and nothing of the
host's libvirt is touched. Nova connects to ``libvirt/run/libvirt-sock``.
"""

import socket

from . import system
from .process import Process
from .service import RUNNERS, Service


def socket_path(layout):
    return layout.state / "libvirt/run/libvirt-sock"


def cache_folder(layout):
    """libvirt's cache (QEMU's probed capabilities): the install's, so a new state does not
    probe QEMU again (8-9 s here); libvirt probes again whenever QEMU or libvirtd changes."""
    return layout.services / "libvirt-cache"


def connection_uri(layout):
    return f"qemu+unix:///system?socket={socket_path(layout)}"


def _answers(path):
    """True once libvirtd accepts connections on its socket."""
    with socket.socket(socket.AF_UNIX) as sock:
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True


class Libvirtd(Service):
    name = "libvirt"
    optional = True  # compute is: lessons' boot parts say they skip without it
    templates = [("libvirt/libvirtd.conf", "libvirt/etc/libvirtd.conf"),
                 ("libvirt/qemu.conf", "libvirt/etc/qemu.conf")]
    folders = ["libvirt/run", "libvirt/lib", "libvirt/log"]

    def missing(self, layout):
        return system.why_not_available(layout.services)

    def processes(self, layout):
        if self.missing(layout):
            return []
        sock = socket_path(layout)
        return [Process("libvirtd", [str(RUNNERS / "libvirtd.sh")],
                        env={"LIBVIRT_CACHE": str(cache_folder(layout))},
                        ready=lambda: _answers(sock))]


SERVICE = Libvirtd()
