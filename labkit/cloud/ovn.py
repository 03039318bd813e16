"""Networking: Neutron's ML2/OVN on Open vSwitch's userspace datapath (a tier above compute).

Where it runs (root, compute, the packages in system.py), servers get ports on real tenant
networks: DHCP, security groups that block, routers with SNAT and floating IPs, all done by
OVN in Open vSwitch's flows, with no agent and no message bus (ML2/OVN, DevStack's default;
the ML2/OVS agents would need RabbitMQ and three more Python processes). Its processes, each
with its database, sockets, pid file and log in the state folder (``ovn/``, ``logs/``):

- ovsdb-server (the switch's database) and ovs-vswitchd with ``datapath_type=netdev``: this
  kernel has no Open vSwitch module, so packets are switched in user space, conntrack too;
- the OVN northbound and southbound databases, where Neutron writes and ovn-northd turns
  logical networks into logical flows;
- ovn-controller (runners/ovn_chassis.sh): this host as OVN's one chassis and gateway.

Nothing of it reaches the host's own network: the bridges have no address, and the
"public" network's outside world is a network namespace this service makes
(``outside_namespace``), joined to the external bridge by a veth. A second flat provider
network, "storage", is the file server's (file_server.py): its bridge is joined by a veth
to the storage namespace where nfs-ganesha listens, so a server with a port on it mounts
shares, as on clouds that give Manila a dedicated storage network (OpenStack-Ansible's
and TripleO's "StorageNFS" network: a shared provider network servers join with a second
NIC, whose subnet's allocation pool keeps the file server's addresses out). Names of bridges and
namespaces carry Neutron's port, so clouds on other port offsets do not share them.
Without it, Neutron stays the API only (security groups, ports as records).
"""

import os
import subprocess
from pathlib import Path

from . import system
from .process import Process
from .service import RUNNERS, Service

#: the "public" network: a documentation range (RFC 5737), never routed anywhere
PUBLIC_CIDR = "203.0.113.0/24"
#: the outside namespace's address on it: the public subnet's gateway
OUTSIDE_ADDRESS = "203.0.113.1"
PHYSNET = "public"
#: the storage network's physical network name (Neutron's provider:physical_network)
STORAGE_PHYSNET = "storage"
#: its DHCP range: never the file server (.1) nor the namespace clients lessons and tests
#: make on it (.2 to .99, file_server.add_client)
STORAGE_POOL = {"start": "172.30.0.100", "end": "172.30.0.250"}

#: database (its file and socket are NAME.db and NAME.sock): (its schema's name, schema file)
DATABASES = {"db": ("Open_vSwitch", "/usr/share/openvswitch/vswitch.ovsschema"),
             "ovnnb_db": ("OVN_Northbound", "/usr/share/ovn/ovn-nb.ovsschema"),
             "ovnsb_db": ("OVN_Southbound", "/usr/share/ovn/ovn-sb.ovsschema")}


def folder(layout):
    return layout.state / "ovn"


def names(layout):
    """Kernel-wide names (bridges, veth, namespace) unique to this cloud."""
    tag = f"lk{layout.ports()['neutron']}"
    return {"integration_bridge": f"{tag}-int", "external_bridge": f"{tag}-ex",
            "veth": f"{tag}-pub", "namespace": f"labkit-{layout.ports()['neutron']}-outside",
            "storage_bridge": f"{tag}-st", "storage_veth": f"{tag}-sto"}


def outside_namespace(layout):
    """The network namespace that plays the world outside the cloud: it owns the public
    network's gateway address; a floating IP is reachable from there, and only there."""
    return names(layout)["namespace"]


def socket(layout, name):
    """unix:PATH of one of the databases: "db" (the switch's), "ovnnb_db", "ovnsb_db"."""
    return f"unix:{folder(layout) / name}.sock"


def _ovsdb_answers(layout, name, schema):
    result = subprocess.run(["ovsdb-client", "--timeout=2", "list-dbs", socket(layout, name)],
                            capture_output=True, text=True)
    return result.returncode == 0 and schema in result.stdout.split()


def _chassis_registered(layout):
    result = subprocess.run(["ovn-sbctl", "--timeout=2", f"--db={socket(layout, 'ovnsb_db')}",
                             "--bare", "--columns=hostname", "list", "Chassis"],
                            capture_output=True, text=True)
    return result.returncode == 0 and "localhost" in result.stdout.split()


def _controller_connected(layout):
    """ovn-controller itself answers, connected to the southbound database. (Its chassis row
    outlives it, and its runner script lives on while it waits for the first sync.)"""
    result = subprocess.run(["ovn-appctl", "--timeout=2", "-t", "ovn-controller",
                             "connection-status"], capture_output=True, text=True,
                            env={**os.environ, "OVN_RUNDIR": str(folder(layout))})
    return result.returncode == 0 and result.stdout.strip() == "connected"


def ensure_public_network(conn):
    """The external network "public" (admin's; every project may put a router's gateway and
    floating IPs on it): the flat network bridged to the outside namespace, whose address
    is its gateway. Made once, at bootstrap."""
    network = conn.network.find_network("public")
    if network is None:
        network = conn.network.create_network(
            name="public", is_router_external=True, provider_network_type="flat",
            provider_physical_network=PHYSNET,
            description="The pocket cloud's outside world: a namespace on this machine")
    if not list(conn.network.subnets(network_id=network.id)):
        conn.network.create_subnet(
            network_id=network.id, name="public-subnet", ip_version=4, cidr=PUBLIC_CIDR,
            gateway_ip=OUTSIDE_ADDRESS, enable_dhcp=False,
            allocation_pools=[{"start": "203.0.113.10", "end": "203.0.113.200"}])
    return network


def ensure_storage_network(conn, cidr):
    """The shared provider network "storage" (admin's; every project may put ports on it):
    the flat network bridged to the file server's namespace. Its subnet has no gateway (a
    server's default route stays on its tenant network) and DHCP by OVN. Made at bootstrap,
    and on the next `up` of a state made before it existed."""
    network = conn.network.find_network(STORAGE_PHYSNET)
    if network is None:
        network = conn.network.create_network(
            name=STORAGE_PHYSNET, is_shared=True, provider_network_type="flat",
            provider_physical_network=STORAGE_PHYSNET,
            description="The file server's network: give a server a second port here to "
                        "mount shares of the nfs-ganesha type")
    if not list(conn.network.subnets(network_id=network.id)):
        conn.network.create_subnet(
            network_id=network.id, name="storage-subnet", ip_version=4, cidr=str(cidr),
            gateway_ip=None, enable_dhcp=True, allocation_pools=[STORAGE_POOL])
    return network


class Ovn(Service):
    name = "ovn"
    optional = True  # networking is: without it Neutron is the API only
    tier = "networking (tenant networks)"
    without = ("Neutron stays the API only: security groups are records that nothing "
               "enforces, and servers boot without a network")
    templates = [("ovn/neutron-ovn.conf", "neutron/neutron-ovn.conf"),
                 ("ovn/nova-network.conf", "nova/nova-network.conf")]
    folders = ["ovn"]

    def values(self, layout, secrets):
        return {"OVN_" + key.upper(): value for key, value in names(layout).items()}

    def missing(self, layout):
        return (system.why_networking_not_available(layout.services)
                or datapath_held_elsewhere(layout))

    def prepare(self, layout, run):
        super().prepare(layout, run)
        # a new state: Neutron's database is as new as OVN's, nothing to copy across
        sync_flag(layout).unlink(missing_ok=True)

    def make_folders(self, layout):
        """Every `up`: the folders, and OVN's databases where missing, so that a state made
        before networking could run here (without root, say) gains them when it can."""
        super().make_folders(layout)
        if self.missing(layout):
            return
        for db, (_, schema) in DATABASES.items():
            path = folder(layout) / f"{db}.db"
            if not path.exists():
                subprocess.run(["ovsdb-tool", "create", str(path), schema], check=True)
                if db == "ovnnb_db":
                    # beside a Neutron database that may already hold networks and security
                    # groups: Neutron copies them in before it serves
                    sync_flag(layout).touch()

    def processes(self, layout):
        if self.missing(layout):
            return []
        base = folder(layout)
        env = {"OVS_RUNDIR": str(base), "OVS_DBDIR": str(base), "OVS_LOGDIR": str(layout.logs),
               "OVN_RUNDIR": str(base), "OVN_DBDIR": str(base), "OVN_LOGDIR": str(layout.logs)}

        def daemon(name, argv, **kw):
            # no --detach: labkit starts, watches and stops it; its log goes to logs/NAME.log
            return Process(name, [*argv, f"--pidfile={base / name}.pid",
                                  f"--unixctl={base / name}.ctl", "-vconsole:off",
                                  f"--log-file={layout.log(name)}"], env=env, **kw)

        def database(name, db):
            return daemon(name, ["ovsdb-server", str(base / f"{db}.db"),
                                 f"--remote=p{socket(layout, db)}"],
                          ready=lambda: _ovsdb_answers(layout, db, DATABASES[db][0]))

        return [
            database("ovsdb-server", "db"),
            daemon("ovs-vswitchd", [str(RUNNERS / "ovs_vswitchd.sh"), socket(layout, "db")],
                   ready=lambda: (base / "ovs-vswitchd.ctl").exists()),
            database("ovn-nb", "ovnnb_db"),
            database("ovn-sb", "ovnsb_db"),
            daemon("ovn-northd", ["ovn-northd", f"--ovnnb-db={socket(layout, 'ovnnb_db')}",
                                  f"--ovnsb-db={socket(layout, 'ovnsb_db')}"]),
            Process("ovn-controller", [str(RUNNERS / "ovn_chassis.sh")],
                    env={**env, **self._chassis_env(layout)},
                    ready=lambda: (_chassis_registered(layout)
                                   and _controller_connected(layout))),
        ]

    @staticmethod
    def _chassis_env(layout):
        n = names(layout)
        return {"OVN_DB": socket(layout, "db"), "OVN_SB": socket(layout, "ovnsb_db"),
                "OVN_NB": socket(layout, "ovnnb_db"),
                "INT_BRIDGE": n["integration_bridge"], "EX_BRIDGE": n["external_bridge"],
                "VETH": n["veth"], "NAMESPACE": n["namespace"], "PHYSNET": PHYSNET,
                "STORAGE_PHYSNET": STORAGE_PHYSNET, "STORAGE_BRIDGE": n["storage_bridge"],
                "OUTSIDE": f"{OUTSIDE_ADDRESS}/{PUBLIC_CIDR.split('/')[1]}",
                "OVN_LOG": str(layout.log("ovn-controller"))}


def sync_flag(layout):
    """Present while OVN's northbound database has yet to receive what Neutron's holds:
    runners/neutron_app.py runs `neutron-ovn-db-sync-util` (repair), as an operator does
    when a deployment moves to ML2/OVN, then removes it."""
    return folder(layout) / "neutron-sync-needed"


def datapath_held_elsewhere(layout):
    """Open vSwitch's userspace datapath is one per network namespace (its device
    ovs-netdev): while another cloud's ovs-vswitchd holds it, this cloud's could make no
    bridge, and Nova would give up on each server's network two minutes later. Say so
    instead. (The device goes with the process that made it. /proc/self/net is this process's
    namespace; /sys/class/net would be the one sysfs was mounted in.)"""
    try:
        devices = Path("/proc/self/net/dev").read_text()
    except OSError:
        return None
    if "ovs-netdev:" not in devices or _own_vswitchd_runs(layout):
        return None
    return ("another pocket cloud on this machine runs networking in this network namespace "
            "(Open vSwitch's userspace datapath, device ovs-netdev, is one per namespace): "
            "stop it (`labkit cloud down` with its LABKIT_STATE), or run this cloud in a "
            "network namespace of its own (README: 'nsenter --net')")


def _own_vswitchd_runs(layout):
    try:
        pid = int((folder(layout) / "ovs-vswitchd.pid").read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return False
    return True


SERVICE = Ovn()
