"""Tenant networks, routers and floating IPs, and reaching servers from a namespace.

Where the pocket cloud's networking tier runs (labkit/cloud/ovn.py), these are real: a
server on a tenant network gets its address by DHCP, its security groups decide what
reaches it, and a router with a gateway on the "public" network gives it a floating IP.
That public network's outside world is a network namespace on this machine, and only from
there can a floating IP be reached: ``ping_from_outside`` runs ``ping`` in it
(``ip netns exec``).

    net, subnet = create_network(conn, "day3-net", "10.10.0.0/24", lesson="03")
    router = create_router(conn, "day3-router", subnet, lesson="03")
    fip = add_floating_ip(conn, server, lesson="03")
    ping_from_outside(fip.floating_ip_address)      # -> Reply(ok, output)

Everything made here is marked (name prefix, ``labkit_lesson=NN`` in its description), and
cleanup removes it in the order Neutron needs: floating IPs, then routers (their interfaces
and gateway first), then ports, subnets and networks.
"""

import ipaddress
import subprocess
from dataclasses import dataclass

from openstack import exceptions as sdk_exc

from . import cleanup, marks, servers
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
    output: str  # ping's own words

    def __str__(self):
        return self.output


def outside_namespace(layout=None):
    """The pocket cloud's "outside world" namespace, or None where it has none."""
    from .cloud import ovn
    from .cloud.layout import Layout

    layout = layout or Layout.default()
    if ovn.SERVICE.missing(layout):
        return None
    return ovn.outside_namespace(layout)


def ping_from_outside(address, count=3, layout=None):
    """ping address from the outside namespace (never from this machine's own network)."""
    namespace = outside_namespace(layout)
    if namespace is None:
        raise NetworkInputError("This cloud has no outside namespace: it needs the pocket "
                                "cloud's networking tier (see `labkit cloud status`).")
    ipaddress.ip_address(address)  # an address, not a name to resolve
    result = subprocess.run(["ip", "netns", "exec", namespace, "ping", "-n", "-c", str(count),
                             "-W", "1", "-i", "0.3", address],
                            capture_output=True, text=True)
    return Reply(result.returncode == 0, (result.stdout + result.stderr).strip())


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


# --- a server behind a floating IP, for lessons -----------------------------------------------
@dataclass
class Launched:
    server: object
    floating_ip: str
    address: str  # on the tenant network
    parts: tuple = ()  # (image, network, router): what remove_launched takes away


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


def launch_behind_floating_ip(conn, name, lesson, disk, security_groups, cidr):
    """Upload disk (the tiny image), make a network (cidr) with a router to the public
    network, boot a server on it in security_groups and give it a floating IP; wait until
    its console says it has its DHCP address. Everything is marked for lesson."""
    name = marks.name(name)
    image = conn.image.create_image(name=f"{name}-image", filename=str(disk),
                                    disk_format="qcow2", container_format="bare", wait=True,
                                    tags=[marks.TAG], **marks.properties(lesson))
    network, subnet = create_network(conn, f"{name}-net", cidr, lesson)
    router = create_router(conn, f"{name}-router", subnet, lesson)
    server = servers.launch(conn, name, image=image.id, networks=[{"uuid": network.id}],
                            security_groups=[group.name for group in security_groups],
                            lesson=lesson, progress=False)
    address = next(conn.network.ports(device_id=server.id)).fixed_ips[0]["ip_address"]
    fip = add_floating_ip(conn, server, lesson)
    servers.console_log(conn, server, until=f"has address {address}", timeout=180)
    return Launched(server, fip.floating_ip_address, address, (image, network, router))


def remove_launched(conn, launched):
    """The server, its floating IP, router, network and image, in the order Neutron needs."""
    image, network, router = launched.parts
    servers.delete(conn, launched.server)
    for fip in conn.network.ips(floating_ip_address=launched.floating_ip):
        conn.network.delete_ip(fip, ignore_missing=True)
    delete_router(conn, router)
    delete_network(conn, network)
    conn.image.delete_image(image, ignore_missing=True)
