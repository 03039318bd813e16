"""Lesson 2's clients of a share that holds data, on the pocket cloud.

    from labkit import share_clients
    if share_clients.available(conn):
        alice = share_clients.Client("alice", "172.30.0.10")
        alice.write(location, "plan.txt", "Monday: kick-off\\n")   # prints the command, the answer

A share of the ``nfs-ganesha`` type is a folder that nfs-ganesha exports on the pocket
cloud's storage network (labkit/cloud/file_server.py). A client here is a network namespace
on that network, and it reads and writes with libnfs's NFS tools in user space (``nfs-ls``,
``nfs-cp``, ``nfs-cat``): no boot needed, and this machine's kernel has no NFS client.
Servers that mount a share with their own kernel are share_mounts.py's (a port on the
storage network). On any other cloud the same steps are ``mount -t nfs`` on two servers,
then ``cp`` and ``cat``.
"""

import os
import tempfile
from pathlib import Path

from . import cleanup, show
from .cloud import PocketCloud
from .cloud.file_server import nfs_url as url

SHARE_TYPE = "nfs-ganesha"
#: The lesson's clients' names start with this, so that cleanup finds exactly them.
PREFIX = "day3-"


def _pocket():
    return PocketCloud(say=lambda *_: None)


def available(conn):
    """True when this cloud's shares of SHARE_TYPE hold data that lesson clients can reach;
    otherwise say why this part skips (and what a real cloud does)."""
    from . import shares

    pocket = _pocket()
    if not pocket.serves(conn):
        show.note("This part uses the pocket cloud's file server and storage network. On your "
                  "cloud, do the same from two servers: mount the export location with the "
                  "mount command above, then cp and cat.", "skip")
        return False
    if not pocket.file_server_running():
        show.note(f"The pocket cloud's file server is not running here: "
                  f"{pocket.file_server_status()}. Without it, shares are records only "
                  f"(DummyDriver) and this part skips.", "skip")
        return False
    try:
        shares.find_share_type(conn, SHARE_TYPE)
    except shares.NotFound:
        show.note(f"This cloud has no share type {SHARE_TYPE!r} yet: Manila makes it as it "
                  f"starts (`labkit cloud down manila`, then `labkit cloud up`).", "skip")
        return False
    return True


class Client:
    """A client on the storage network: a name and an address (172.30.0.2 to .254)."""

    def __init__(self, name, address):
        self.name, self.address = name, address
        self.netns = _pocket().add_storage_client(address, f"{PREFIX}{name}")

    def _run(self, *argv, cwd=None):
        print(f"{self.name}@{self.address}$ {' '.join(argv)}")
        done = _pocket().run_in_storage_client(self.netns, *argv, cwd=cwd)
        answer = (done.stdout + done.stderr).strip()
        if answer:
            print(answer if done.returncode == 0 else f"  refused: {_reason(answer)}")
        return done.returncode == 0

    def list(self, location):
        """nfs-ls of the export location's top folder; True if the server answered."""
        return self._run("nfs-ls", url(location))

    def read(self, location, file_name):
        return self._run("nfs-cat", url(location, file_name))

    def write(self, location, file_name, text):
        """Copy text (under 4 KiB: libnfs 4.0's NFSv4 writes stop there) into a new file."""
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / file_name).write_text(text)
            return self._run("nfs-cp", file_name, url(location, file_name), cwd=folder)

    def close(self):
        PocketCloud.remove_storage_client(self.netns)


def _reason(answer):
    """The NFS error in libnfs's message (NFS4ERR_...), with what it means."""
    meanings = {"NFS4ERR_ROFS": "read-only file system: the rule lets this client only read",
                "NFS4ERR_NOENT": "no such export for this client: no rule lets it in",
                "NFS4ERR_ACCESS": "permission denied"}
    for code, meaning in meanings.items():
        if code in answer:
            return f"{code} ({meaning})"
    return answer.splitlines()[0]


def fill_on_server(conn, share, mib):
    """As the file server's operator: put a file of mib MiB on the share's folder (the
    user-space client cannot write that much). Returns its path."""
    from . import shares

    location = shares.export_locations(conn, share)[0].path
    path = _pocket().share_folder(location) / "filler.bin"
    with open(path, "wb") as f:
        os.posix_fallocate(f.fileno(), 0, mib << 20)  # blocks taken on disk, as written data
    return path


@cleanup.finder("share client", order=19)
def _lesson_clients(conn, lesson):
    """The lesson's client namespaces (lesson 2's), on the pocket cloud only."""
    if lesson not in (None, "02"):
        return []
    pocket = _pocket()
    if not pocket.serves(conn):
        return []
    return [(netns, lambda netns=netns: PocketCloud.remove_storage_client(netns))
            for netns in pocket.storage_clients() if f"-{PREFIX}" in netns]
