"""The file server behind Manila's shares with data: nfs-ganesha in a storage network.

ganesha (NFSv4 in user space, FSAL VFS: plain folders under ``nfs/shares/``) runs in a
network namespace of this cloud's own, on the storage network: a bridge inside that
namespace carrying the server's address (runners/ganesha.sh). Manila's driver for it
(runners/manila_folder_driver.py) writes ganesha's export files and tells it to read them.

Clients reach the server by joining the storage network: ``client_namespace`` makes a
namespace linked to the bridge by a veth pair. Where networking runs (ovn.py), a veth pair
links the bridge to Open vSwitch's bridge of Neutron's "storage" provider network too, so a
server with a port on that network mounts shares (ovn.ensure_storage_network).

It needs root (namespaces; ganesha opens files by handle) and Debian's nfs-ganesha: where
either is missing it does not run, `up` says why, and Manila keeps only its DummyDriver
back ends.
"""

import contextlib
import ipaddress
import subprocess

from . import system
from .process import Process
from .service import RUNNERS, Service

#: The storage network of every pocket cloud (it exists only inside the cloud's namespaces,
#: so two clouds on one machine do not see each other's). The server has the first address.
STORAGE_NETWORK = ipaddress.ip_network("172.30.0.0/24")
SERVER_ADDRESS = STORAGE_NETWORK[1]
#: addresses namespace clients may take: below the DHCP range Neutron hands servers' ports
#: (ovn.STORAGE_POOL, from .100)
CLIENT_ADDRESSES = [STORAGE_NETWORK[n] for n in range(2, 100)]
#: ganesha's log line once it serves, and after each reread of its exports
SERVING = "NFS SERVER INITIALIZED"


def namespace(layout):
    """The name of this cloud's storage namespace: one per cloud (its Keystone port)."""
    return f"labkit{layout.ports()['keystone']}-storage"


def _started_log(layout):
    """ganesha's log since its latest start (labkit marks each start in it)."""
    try:
        text = layout.log("nfs-ganesha").read_text(errors="replace")
    except OSError:
        return ""
    return text[text.rfind("--- labkit: starting nfs-ganesha"):]


class FileServer(Service):
    name = "nfs"
    optional = True  # shares keep their DummyDriver back ends without it
    tier = "the file server for shares (mounting them)"
    without = ("Manila keeps its DummyDriver back ends: shares are records, nothing can be "
               "mounted, and lesson 2's mount part says it skips")
    templates = [("nfs/ganesha.conf", "nfs/ganesha.conf")]
    folders = ["nfs/shares", "nfs/snapshots", "nfs/exports", "nfs/recovery"]

    def values(self, layout, secrets):
        return {"STORAGE_ADDRESS": SERVER_ADDRESS, "STORAGE_NETNS": namespace(layout)}

    def prepare(self, layout, run):
        super().prepare(layout, run)
        index = layout.state / "nfs/exports/INDEX.conf"
        if not index.exists():
            index.write_text("")  # ganesha.conf includes it; Manila's helper fills it

    def missing(self, layout):
        return system.why_no_file_server()

    def processes(self, layout):
        if self.missing(layout):
            return []
        address = f"{SERVER_ADDRESS}/{STORAGE_NETWORK.prefixlen}"
        return [Process("nfs-ganesha", [str(RUNNERS / "ganesha.sh"), namespace(layout), address],
                        env=self._neutron_link(layout),
                        ready=lambda: SERVING in _started_log(layout))]

    @staticmethod
    def _neutron_link(layout):
        """Where networking runs: the Open vSwitch bridge of Neutron's storage network, for
        ganesha.sh to link to the storage namespace."""
        from . import ovn

        if ovn.SERVICE.missing(layout):
            return {}
        names = ovn.names(layout)
        return {"STORAGE_OVS_DB": ovn.socket(layout, "db"),
                "STORAGE_OVS_BRIDGE": names["storage_bridge"],
                "STORAGE_VETH": names["storage_veth"]}


SERVICE = FileServer()


def add_client(layout, address, name):
    """Make a network namespace with `address` on this cloud's storage network, linked to
    the storage bridge by a veth pair; returns the namespace's name. One left by an earlier
    run under that name is replaced."""
    address = ipaddress.ip_address(address)
    if address not in CLIENT_ADDRESSES:
        raise ValueError(f"{address} is not a client address on the storage network "
                         f"{STORAGE_NETWORK}: choose one from {CLIENT_ADDRESSES[0]} to "
                         f"{CLIENT_ADDRESSES[-1]} (the server is {SERVER_ADDRESS}; Neutron "
                         f"gives servers' ports the addresses from .100 on).")
    storage = namespace(layout)
    netns = f"{storage}-{name}"
    remove_client(netns)
    _ip("netns", "add", netns)
    try:
        # the veth's far end is named after the client, inside the storage namespace only
        _ip("link", "add", "eth0", "netns", netns, "type", "veth", "peer", "name",
            f"to-{name}"[:15], "netns", storage)
        _ip("-n", storage, "link", "set", f"to-{name}"[:15], "master", "br-storage", "up")
        _ip("-n", netns, "link", "set", "lo", "up")
        _ip("-n", netns, "addr", "add", f"{address}/{STORAGE_NETWORK.prefixlen}", "dev", "eth0")
        _ip("-n", netns, "link", "set", "eth0", "up")
    except subprocess.CalledProcessError:
        remove_client(netns)
        raise
    return netns


def remove_client(netns):
    """Delete a client namespace (and so its veth pair); a missing one is no error."""
    subprocess.run(["ip", "netns", "delete", netns], capture_output=True)


def clients(layout):
    """The client namespaces of this cloud's storage network that exist now."""
    prefix = f"{namespace(layout)}-"
    done = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    return [line.split()[0] for line in done.stdout.splitlines()
            if line.startswith(prefix)]


def run_in(netns, *argv, timeout=600, cwd=None):
    """Run a command inside a namespace; the CompletedProcess (text output)."""
    return subprocess.run(["ip", "netns", "exec", netns, *argv], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd)


@contextlib.contextmanager
def client_namespace(layout, address, name):
    """add_client for the length of the block; yields a function that runs a command in it."""
    netns = add_client(layout, address, name)
    try:
        yield lambda *argv, timeout=600: run_in(netns, *argv, timeout=timeout)
    finally:
        remove_client(netns)


def _ip(*argv):
    subprocess.run(["ip", *argv], check=True, capture_output=True, text=True)


def nfs_url(export_path, file_name=""):
    """The libnfs URL of a file on an export location ``host:/path`` (NFSv4)."""
    host, path = export_path.split(":", 1)
    return f"nfs://{host}{path.rstrip('/')}/{file_name}?version=4"
