"""Tenant networks, routers and floating IPs, and reaching servers from a namespace.

Where the pocket cloud's networking tier runs (labkit/cloud/ovn.py), these are real: a
server on a tenant network gets its address by DHCP, its security groups decide what
reaches it, and a router with a gateway on the "public" network gives it a floating IP.
That public network's outside world is a network namespace on this machine, and only from
there can a floating IP be reached: ``ping_from_outside`` runs ``ping`` in it, and
``ssh_from_outside`` OpenSSH's ``ssh`` (``ip netns exec``).

    net, subnet = create_network(conn, "day3-net", "10.10.0.0/24", lesson="03")
    router = create_router(conn, "day3-router", subnet, lesson="03")
    fip = add_floating_ip(conn, server, lesson="03")
    ping_from_outside(fip.floating_ip_address)      # -> Reply(ok, output, command)
    ssh_from_outside(fip.floating_ip_address, keys.private, "hostname")

Everything made here is marked (name prefix, ``labkit_lesson=NN`` in its description), and
cleanup removes it in the order Neutron needs: floating IPs, then routers (their interfaces
and gateway first), then ports, subnets and networks.
"""

import ipaddress
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from openstack import exceptions as sdk_exc

from . import cleanup, marks, polling, servers
from .messages import error_line

#: the external network labkit's pocket cloud makes where networking runs
PUBLIC_NETWORK = "public"


class NetworkInputError(ValueError):
    """Input Neutron refused (or would): the message says what to do instead."""


def _mark(lesson):
    return f"{marks.KEY}={lesson}"


def _check_cidr(cidr):
    try:
        return ipaddress.ip_network(cidr, strict=True)
    except ValueError as exc:
        raise NetworkInputError(f"{cidr!r} is not a subnet in CIDR notation ({exc}): write a "
                                f"network address and a prefix length, like '10.10.0.0/24'.") from None


def create_network(conn, name, cidr, lesson):
    """A tenant network with one IPv4 subnet (DHCP on). Returns (network, subnet).
    A subnet that overlaps one of the network's own is Neutron's error, said plainly, and
    the network made for it is removed again."""
    name = marks.name(name)
    network_cidr = _check_cidr(cidr)
    network = conn.network.create_network(name=name, description=_mark(lesson))
    try:
        subnet = add_subnet(conn, network, cidr, lesson, name=f"{name}-subnet")
    except NetworkInputError:
        conn.network.delete_network(network, ignore_missing=True)
        raise
    assert ipaddress.ip_network(subnet.cidr) == network_cidr
    return network, subnet


def add_subnet(conn, network, cidr, lesson, name=None):
    _check_cidr(cidr)
    try:
        return conn.network.create_subnet(
            network_id=network.id, name=marks.name(name or f"{network.name}-subnet"),
            ip_version=4, cidr=cidr, enable_dhcp=True, description=_mark(lesson))
    except sdk_exc.BadRequestException as exc:
        raise NetworkInputError(
            f"Neutron refused subnet {cidr} on {network.name}: {error_line(exc)}. "
            f"A network's subnets may not overlap: choose a range none of them holds.") from None


def public_network(conn):
    found = conn.network.find_network(PUBLIC_NETWORK)
    if found is None or not found.is_router_external:
        raise NetworkInputError(
            f"This cloud has no external network {PUBLIC_NETWORK!r}: floating IPs need "
            f"the pocket cloud's networking tier (see `labkit cloud status`).")
    return found


def create_router(conn, name, subnet, lesson):
    """A router with its gateway on the public network (SNAT on) and an interface on
    subnet. An interface whose subnet overlaps one the router has is refused by Neutron;
    the router is then removed again."""
    router = conn.network.create_router(
        name=marks.name(name), description=_mark(lesson),
        external_gateway_info={"network_id": public_network(conn).id})
    try:
        conn.network.add_interface_to_router(router, subnet_id=subnet.id)
    except sdk_exc.BadRequestException as exc:
        delete_router(conn, router)
        raise NetworkInputError(f"Neutron refused the router interface on {subnet.name}: "
                                f"{error_line(exc)}. A router routes between distinct "
                                f"ranges: give this network a range of its own.") from None
    return conn.network.get_router(router.id)


def delete_router(conn, router):
    """Interfaces first, then the gateway, then the router: Neutron refuses a router that
    still has interfaces ("Router ... still has ports")."""
    for port in conn.network.ports(device_id=router.id,
                                   device_owner="network:router_interface"):
        for ip in port.fixed_ips:
            conn.network.remove_interface_from_router(router, subnet_id=ip["subnet_id"])
    conn.network.delete_router(router, ignore_missing=True)


def add_floating_ip(conn, server, lesson):
    """A floating IP from the public network, on the server's first port."""
    port = next(iter(conn.network.ports(device_id=server.id)), None)
    if port is None:
        raise NetworkInputError(f"Server {server.name} has no port: boot it on a network "
                                f"(a router joins that network to the public one).")
    try:
        return conn.network.create_ip(floating_network_id=public_network(conn).id,
                                      port_id=port.id, description=_mark(lesson))
    except sdk_exc.NotFoundException as exc:
        raise NetworkInputError(f"Neutron could not give {server.name} a floating IP: "
                                f"{error_line(exc)}. Its network needs a router with a gateway "
                                f"on {PUBLIC_NETWORK!r} (create_router).") from None


def create_port(conn, network, name, lesson, **fields):
    """A port on network (a tenant network, or a shared one such as "storage"), made before
    its server so that its address is known in advance (e.g. for a share's access rule);
    Nova plugs it in when a server is created with it (networks=[{"port": port.id}]) and
    leaves it when the server goes: cleanup removes it (marked)."""
    try:
        return conn.network.create_port(network_id=network.id, name=marks.name(name),
                                        description=_mark(lesson), **fields)
    except sdk_exc.HttpException as exc:
        raise NetworkInputError(f"Neutron refused a port on {network.name}: "
                                f"{error_line(exc)}.") from None


def port_address(port):
    """The port's (first) IPv4 address."""
    return next(ip["ip_address"] for ip in port.fixed_ips if "." in ip["ip_address"])


def delete_network(conn, network):
    """Ports, then the network (its subnets go with it). A port a server uses is the
    server's: delete the server first, or Neutron's 409 says which port is in use."""
    for port in conn.network.ports(network_id=network.id):
        if port.device_owner == "network:router_interface":
            continue  # its router's (delete_router)
        if port.device_owner.startswith("compute:"):
            continue  # its server's: Nova removes it with the server
        if port.device_owner in ("network:distributed", "network:dhcp"):
            continue  # the network's own (OVN's DHCP/metadata port): it goes with it
        conn.network.delete_port(port, ignore_missing=True)
    try:
        conn.network.delete_network(network, ignore_missing=True)
    except sdk_exc.ConflictException as exc:
        raise NetworkInputError(f"Neutron keeps {network.name}: {error_line(exc)}. Delete the "
                                f"servers on it, and its router's interface, first.") from None


# --- reaching servers -------------------------------------------------------------------------
@dataclass
class Reply:
    ok: bool
    output: str  # the client's own words: ping's lines, the remote command's output, ssh's error
    command: str = ""  # the client's command line, as typed in the outside namespace

    def __str__(self):
        return self.output

    def shown(self, last=None):
        """The command and (the last lines of) its output, as a terminal shows them."""
        lines = self.output.splitlines()
        return "\n".join([f"outside$ {self.command}", *(lines[-last:] if last else lines)])


#: where `ip netns` keeps the namespaces it names
NAMESPACES = Path("/run/netns")


def outside_namespace(layout=None):
    """The pocket cloud's "outside world" namespace, or None where there is none (no
    networking tier, or the cloud is down). Asked of the machine, not of the packages on
    this process's PATH: the cloud runs in processes of its own."""
    from .cloud import ovn
    from .cloud.layout import Layout

    name = ovn.outside_namespace(layout or Layout.default())
    return name if (NAMESPACES / name).exists() else None


def _run_outside(argv, layout, timeout=60):
    """argv run in the outside namespace (never in this machine's own network)."""
    namespace = outside_namespace(layout)
    if namespace is None:
        raise NetworkInputError("This cloud has no outside namespace: it needs the pocket "
                                "cloud's networking tier (see `labkit cloud status`).")
    return subprocess.run(["ip", "netns", "exec", namespace, *argv], capture_output=True,
                          text=True, timeout=timeout)


def _address(address):
    try:
        return str(ipaddress.ip_address(address))  # an address, not a name to resolve
    except ValueError:
        raise NetworkInputError(f"{address!r} is not an IP address: give the server's floating "
                                f"IP, like '203.0.113.10'.") from None


def ping_from_outside(address, count=3, layout=None):
    """ping address from the outside namespace."""
    argv = ["ping", "-n", "-c", str(count), "-W", "1", "-i", "0.3", _address(address)]
    result = _run_outside(argv, layout)
    return Reply(result.returncode == 0, (result.stdout + result.stderr).strip(), " ".join(argv))


#: Every ssh_from_outside uses these: no configuration file but these options, never a
#: question (BatchMode), only the key given (not an agent's), and no known-hosts file: the
#: tiny image makes its host key at its first connection, so there is nothing to compare it
#: with (on a real cloud, cloud-init prints the host key fingerprints on the console: compare).
SSH_OPTIONS = ("-F", "/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
               "-o", "IdentityAgent=none", "-o", "StrictHostKeyChecking=no",
               "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR")
#: ssh's exit status for its own errors (any other is the remote command's)
SSH_FAILED = 255


def _private_key(key):
    """The private key file (a path, or security.KeyFiles): it must be readable by its owner
    only, as ssh insists. Its content is never read here."""
    path = Path(getattr(key, "private", key))
    if not path.is_file():
        raise NetworkInputError(f"No private key file at {path}: give the file that "
                                f"security.generate_key wrote (keys.private).")
    if path.stat().st_mode & 0o077:
        raise NetworkInputError(f"{path} can be read by others; ssh refuses such a key. "
                                f"Make it yours alone: chmod 600 {path}")
    return path


def _shown_path(path):
    home = str(Path.home())
    return "~" + str(path)[len(home):] if str(path).startswith(home + os.sep) else str(path)


def ssh_from_outside(address, key, command="hostname", user="root", connect_timeout=5,
                     layout=None):
    """Log in to address with OpenSSH's ssh, from the outside namespace, with the private key
    file key, and run command. A Reply: ok; output is the remote command's output, or, where
    ssh itself failed (exit status 255), its own error line (a timeout: nothing answered;
    "Permission denied (publickey)": the server refused the key)."""
    path = _private_key(key)
    target = f"{user}@{_address(address)}"
    argv = ["ssh", *SSH_OPTIONS, "-o", f"ConnectTimeout={int(connect_timeout)}",
            "-i", str(path), target, command]
    result = _run_outside(argv, layout, timeout=connect_timeout + 60)
    if result.returncode == SSH_FAILED:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        output = lines[-1].strip() if lines else f"ssh failed (exit status {SSH_FAILED})"
    else:
        output = (result.stdout + result.stderr).strip()
    shown = f"ssh -o ConnectTimeout={int(connect_timeout)} -i {_shown_path(path)} {target} {command}"
    return Reply(result.returncode == 0, output, shown)


def retry(attempt, until_ok=True, seconds=20):
    """attempt() (a Reply) again until its ok is until_ok, at most seconds long, soon at
    first, then about once a second (polling.Backoff): a rule reaches the switch's flows a
    moment after Neutron stores it, and a server's SSH server starts a moment after its
    address. The last Reply."""
    deadline = time.monotonic() + seconds
    pause = polling.Backoff()
    while True:
        reply = attempt()
        if reply.ok == until_ok or time.monotonic() > deadline:
            return reply
        pause.sleep()


# --- cleanup: floating IPs, routers, then networks ----------------------------------------------
def _marked(resources, lesson, named=True):
    """(name, resource) of those marked (a floating IP has no name: its address is shown)."""
    for resource in resources:
        description = resource.description or ""
        if marks.KEY not in description:
            continue
        if lesson is not None and _mark(lesson) not in description:
            continue
        if named and not marks.has_prefix(resource.name):
            continue
        yield (resource.name if named else resource.floating_ip_address), resource


@cleanup.finder("floating IP", order=12)
def _marked_floating_ips(conn, lesson):
    return [(name, lambda f=f: conn.network.delete_ip(f, ignore_missing=True))
            for name, f in _marked(conn.network.ips(project_id=conn.current_project_id), lesson,
                                   named=False)]


@cleanup.finder("router (and its interfaces)", order=13)
def _marked_routers(conn, lesson):
    return [(name, lambda r=r: delete_router(conn, r))
            for name, r in _marked(conn.network.routers(project_id=conn.current_project_id),
                                   lesson)]


@cleanup.finder("port", order=14)
def _marked_ports(conn, lesson):
    """Ports a lesson made itself (create_port): after the servers that used them."""
    return [(name, lambda p=p: conn.network.delete_port(p, ignore_missing=True))
            for name, p in _marked(conn.network.ports(project_id=conn.current_project_id),
                                   lesson)]


@cleanup.finder("network (its ports and subnets)", order=25)
def _marked_networks(conn, lesson):
    return [(name, lambda n=n: delete_network(conn, n))
            for name, n in _marked(conn.network.networks(project_id=conn.current_project_id),
                                   lesson)]


# --- servers behind floating IPs, for lessons ------------------------------------------------
@dataclass
class Launched:
    server: object
    floating_ip: str
    address: str  # on the tenant network
    parts: tuple = ()  # (image, network, router): shared with servers launched beside it


def why_not_enforced(conn, layout=None):
    """None where security groups meet real packets here (the pocket cloud's networking
    tier), else why not: a lesson shows it and skips its enforced part."""
    if outside_namespace(layout) is None:
        return ("this cloud has no networking tier (Open vSwitch and OVN, above compute: "
                "`sudo make compute`), so security groups are records that nothing enforces")
    try:
        public_network(conn)
    except NetworkInputError as exc:
        return str(exc)
    return None


def launch_behind_floating_ip(conn, name, lesson, disk, security_groups, cidr, key_name=None,
                              show_equivalent=False):
    """Upload disk (the tiny image), make a network (cidr) with a router to the public
    network, boot a server on it in security_groups (with the key pair key_name) and give
    it a floating IP; wait until its console says it has its DHCP address. Everything is
    marked for lesson."""
    name = marks.name(name)
    image = conn.image.create_image(name=f"{name}-image", filename=str(disk),
                                    disk_format="qcow2", container_format="bare", wait=True,
                                    tags=[marks.TAG], **marks.properties(lesson))
    network, subnet = create_network(conn, f"{name}-net", cidr, lesson)
    router = create_router(conn, f"{name}-router", subnet, lesson)
    return _launch_on(conn, name, lesson, (image, network, router), security_groups, key_name,
                      show_equivalent)


def launch_beside(conn, first, name, lesson, security_groups, key_name=None):
    """Another server on first's network, from its image, with a floating IP of its own."""
    return _launch_on(conn, marks.name(name), lesson, first.parts, security_groups, key_name)


def _launch_on(conn, name, lesson, parts, security_groups, key_name, show_equivalent=False):
    image, network, _ = parts
    server = servers.launch(conn, name, image=image.id, networks=[{"uuid": network.id}],
                            security_groups=[group.name for group in security_groups],
                            key_name=key_name, lesson=lesson, show_equivalent=show_equivalent)
    address = next(conn.network.ports(device_id=server.id)).fixed_ips[0]["ip_address"]
    fip = add_floating_ip(conn, server, lesson)
    servers.console_log(conn, server, until=f"has address {address}", timeout=180)
    return Launched(server, fip.floating_ip_address, address, parts)


def remove_server(conn, launched):
    """A launched server and its floating IP; the network, router and image stay."""
    servers.delete(conn, launched.server)
    for fip in conn.network.ips(floating_ip_address=launched.floating_ip):
        conn.network.delete_ip(fip, ignore_missing=True)


def remove_launched(conn, *launched):
    """The servers and their floating IPs, then the router, network and image they share,
    in the order Neutron needs."""
    for one in launched:
        remove_server(conn, one)
    image, network, router = launched[0].parts
    delete_router(conn, router)
    delete_network(conn, network)
    conn.image.delete_image(image, ignore_missing=True)
