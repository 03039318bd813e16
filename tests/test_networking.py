"""Networking in the pocket cloud (ML2/OVN on Open vSwitch's userspace datapath): a server
on a tenant network gets its address by DHCP; security groups decide, for real, whether a
ping reaches it through its floating IP from the "outside world" namespace; cleanup takes
floating IPs, routers and networks apart in the order Neutron needs; bad input gets
Neutron's own words and loses nothing.

These run where the networking tier is available (compute plus Open vSwitch and OVN:
`sudo make compute`; `make test` as root installs them). Elsewhere they skip saying why;
in CI (CI=true) that is a failure instead.
"""

import ipaddress
import json
import subprocess
import time

import pytest

from labkit import cleanup, image_build, networks, security
from labkit.cloud import PocketCloud, file_server, neutron, nova, ovn, system
from labkit.exercises import security as exercises

import solutions
import tiers

pytestmark = pytest.mark.cloud

LESSON = "90"  # a lesson number no notebook uses: cleanup(lesson=LESSON) takes only ours
CIDR = "10.90.0.0/24"


@pytest.fixture(scope="module")
def networking(pocket):
    tiers.require("networking", system.why_networking_not_available(pocket.layout.services))
    return pocket


def _until(condition, seconds, interval=1.0):
    """condition() polled until true or seconds pass; its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


@pytest.fixture(scope="module")
def served(networking, tmp_path_factory):
    """A tenant network, a router to the public network, the tiny image booted on it with a
    floating IP: what the tests below look at. Removed by cleanup at the end."""
    import labkit

    conn = labkit.connect(role="learner")
    built = image_build.tiny(say=lambda *_: None)
    image = conn.image.create_image(name="day3-test-net-tiny", filename=str(built.qcow2),
                                    disk_format="qcow2", container_format="bare", wait=True)
    network, subnet = networks.create_network(conn, "day3-test-net", CIDR, lesson=LESSON)
    router = networks.create_router(conn, "day3-test-router", subnet, lesson=LESSON)
    keys = security.generate_key("day3-test-net-key", folder=tmp_path_factory.mktemp("keys"))
    keypair = conn.compute.create_keypair(name="day3-test-net-key", public_key=keys.public_key)
    server = conn.compute.create_server(
        name="day3-test-net-server", image_id=image.id, networks=[{"uuid": network.id}],
        flavor_id=conn.compute.find_flavor("m1.tiny").id, config_drive=True,
        key_name=keypair.name)
    try:
        server = conn.compute.wait_for_server(server, status="ACTIVE", wait=300, interval=2)
        fip = networks.add_floating_ip(conn, server, lesson=LESSON)
        yield {"conn": conn, "network": network, "subnet": subnet, "router": router,
               "server": server, "fip": fip.floating_ip_address, "keys": keys,
               "layout": networking.layout}
    finally:
        conn.compute.delete_server(server, ignore_missing=True)
        conn.compute.wait_for_delete(server, wait=120)
        conn.compute.delete_keypair(keypair, ignore_missing=True)
        conn.image.delete_image(image, ignore_missing=True)
        cleanup.cleanup(conn, lesson=LESSON, quiet=True)
        conn.close()


def test_a_server_on_a_tenant_network_gets_its_address_by_dhcp(served):
    conn, server = served["conn"], served["server"]
    port = next(conn.network.ports(device_id=server.id))
    address = port.fixed_ips[0]["ip_address"]
    assert ipaddress.ip_address(address) in ipaddress.ip_network(CIDR)

    def console():
        text = conn.compute.get_server_console_output(server)["output"]
        return text if f"eth0 has address {address}" in text else ""
    assert _until(console, 120, interval=2), "the guest never reported its DHCP address"
    assert port.status == "ACTIVE"  # OVN reported the port up; Nova waited for that


def test_security_group_rules_decide_whether_the_outside_can_ping_the_server(served):
    """The default group lets nothing in; a rule for ICMP lets the ping through; without
    it again, the next ping fails. From the outside namespace, through the floating IP."""
    conn, fip = served["conn"], served["fip"]
    router_gateway = served["router"].external_gateway_info["external_fixed_ips"][0]
    # the path works: the router's own gateway address answers from the outside
    assert networks.ping_from_outside(router_gateway["ip_address"], count=1).ok

    refused = networks.ping_from_outside(fip, count=2)
    assert not refused.ok and "0 received" in refused.output, refused.output

    rule = security.add_rule(conn, "default", protocol="icmp", cidr="203.0.113.0/24")
    try:
        allowed = _until(lambda: networks.ping_from_outside(fip, count=1).ok, 20)
        assert allowed, "ICMP allowed, yet no reply within 20 s"
    finally:
        conn.network.delete_security_group_rule(rule)
    refused_again = _until(lambda: not networks.ping_from_outside(fip, count=1).ok, 20)
    assert refused_again, "the rule is gone, yet the server still answers"


def test_ssh_from_outside_logs_in_with_the_key_pair_only_where_a_rule_lets_it(served, tmp_path):
    """No rule for tcp/22: nothing answers, ssh times out. With one from the outside world:
    the key pair's key logs in and runs the command; another key is refused by the server."""
    conn, fip, keys = served["conn"], served["fip"], served["keys"]
    refused = networks.ssh_from_outside(fip, keys, "hostname", connect_timeout=3)
    assert not refused.ok and refused.output.endswith("Connection timed out"), refused.output

    rule = security.add_rule(conn, "default", "tcp", 22, "203.0.113.0/24")
    try:
        login = _until(lambda: networks.ssh_from_outside(fip, keys, "hostname", connect_timeout=3)
                       .ok, 60, interval=2)
        assert login, "SSH allowed, yet no login within 60 s"
        logged_in = networks.ssh_from_outside(fip, keys, "hostname; id -u")
        assert logged_in.ok and logged_in.output.split() == [
            f"{served['server'].name}.novalocal", "0"], logged_in.output  # root, on that server
        other = security.generate_key("day3-test-other", folder=tmp_path)
        wrong_key = networks.ssh_from_outside(fip, other, "hostname")
        assert not wrong_key.ok and "Permission denied (publickey)" in wrong_key.output, \
            wrong_key.output
    finally:
        conn.network.delete_security_group_rule(rule)


def test_the_ssh_exercise_is_checked_by_logging_in(served):
    """Lesson 3's exercise 4, on this module's server in a group day3-guarded: nothing yet,
    then a rule from a network without the outside's address, then the notebook's solution,
    which the check proves by logging in."""
    conn, server = served["conn"], served["server"]

    class OnThisServer(exercises.SshFromOffice):
        def key_file(self):
            return served["keys"].private
    OnThisServer.server = server.name

    group = security.create_security_group(conn, "day3-guarded", "test")
    conn.compute.add_security_group_to_server(server, group)
    try:
        ex = OnThisServer(conn)
        assert ex.check().kind == "Not attempted"
        wrong = security.add_rule(conn, group, "tcp", 22, "198.51.100.0/24")
        outcome = ex.check()
        assert outcome.kind == "Not yet" and "does not hold" in outcome.message, outcome.message
        conn.network.delete_security_group_rule(wrong)
        solutions.solve(ex, {"conn": conn})
        assert server.name in ex.last.message  # the hostname the login printed
    finally:
        conn.compute.remove_security_group_from_server(server, group)
        _until(lambda: group.id not in next(conn.network.ports(device_id=server.id))
               .security_group_ids, 20)
        security.delete_security_group(conn, group)


def test_no_address_of_the_cloud_is_on_this_machines_own_network(served):
    """Tenant, floating and storage addresses live only in namespaces: the host's own
    interfaces hold none and its routing table names none (checked without sending a
    packet)."""
    cloud_ranges = [ipaddress.ip_network(CIDR), ipaddress.ip_network(ovn.PUBLIC_CIDR),
                    file_server.STORAGE_NETWORK]
    links = json.loads(subprocess.run(["ip", "-j", "addr"], capture_output=True, text=True,
                                      check=True).stdout)
    host_addresses = [ipaddress.ip_address(a["local"]) for link in links
                      for a in link.get("addr_info", [])]
    assert not [a for a in host_addresses if any(a in r for r in cloud_ranges)]
    routes = json.loads(subprocess.run(["ip", "-j", "route"], capture_output=True, text=True,
                                       check=True).stdout)
    named = [r["dst"] for r in routes if r["dst"] != "default"
             and any(ipaddress.ip_network(r["dst"], strict=False).overlaps(c) for c in cloud_ranges)]
    assert not named, named
    namespace = networks.outside_namespace(served["layout"])
    inside = subprocess.run(["ip", "netns", "exec", namespace, "ip", "-4", "addr"],
                            capture_output=True, text=True, check=True).stdout
    assert ovn.OUTSIDE_ADDRESS in inside


def test_bad_network_input_gets_neutrons_words_and_loses_nothing(served):
    conn, network = served["conn"], served["network"]
    with pytest.raises(networks.NetworkInputError, match="overlaps"):
        networks.add_subnet(conn, network, "10.90.0.128/25", lesson=LESSON)
    with pytest.raises(networks.NetworkInputError, match="not a subnet in CIDR notation"):
        networks.create_network(conn, "day3-test-bad", "10.90.0.300/24", lesson=LESSON)
    assert conn.network.find_network("day3-test-bad") is None

    # a network with a server on it: Neutron's 409, and the network and the server stay
    with pytest.raises(networks.NetworkInputError, match="in use"):
        networks.delete_network(conn, network)
    assert conn.network.get_network(network.id).id == network.id
    assert conn.compute.get_server(served["server"].id).status == "ACTIVE"

    before = len(list(conn.network.security_group_rules(
        security_group_id=security.find_security_group(conn, "default").id)))
    with pytest.raises(security.SecurityInputError, match="not a network in CIDR notation"):
        security.add_rule(conn, "default", protocol="icmp", cidr="203.0.113.0/33")
    after = len(list(conn.network.security_group_rules(
        security_group_id=security.find_security_group(conn, "default").id)))
    assert after == before


def test_cleanup_removes_floating_ips_routers_and_networks_in_neutrons_order(networking):
    """A second, server-less set (network, router, floating IP on a free port): cleanup
    of its lesson removes all of it, floating IP first, network last."""
    import labkit

    conn = labkit.connect(role="learner")
    try:
        network, subnet = networks.create_network(conn, "day3-test-clean", "10.91.0.0/24",
                                                  lesson="91")
        networks.create_router(conn, "day3-test-clean-router", subnet, lesson="91")
        port = conn.network.create_port(network_id=network.id, name="day3-test-clean-port")
        conn.network.create_ip(floating_network_id=networks.public_network(conn).id,
                               port_id=port.id, description="labkit_lesson=91")
        removed = cleanup.cleanup(conn, lesson="91", quiet=True)
        kinds = [r.kind for r in removed if r.done]
        assert kinds == ["floating IP", "router (and its interfaces)",
                         "network (its ports and subnets)"], removed
        assert conn.network.find_network(network.id) is None
        assert not list(conn.network.routers(name="day3-test-clean-router"))
    finally:
        cleanup.cleanup(conn, lesson="91", quiet=True)
        conn.close()


def test_a_second_cloud_in_the_same_namespace_is_told_the_datapath_is_taken(networking,
                                                                             tmp_path):
    """Open vSwitch's userspace datapath is one per network namespace: while this session's
    cloud runs networking, another cloud's `up` here hears why it cannot, with what to do
    (instead of Nova's "Failed to allocate the network(s)" two minutes into a boot)."""
    from labkit.cloud import Layout

    other = Layout(state=tmp_path / "other-state", services=networking.layout.services)
    why = ovn.SERVICE.missing(other)
    assert why and "ovs-netdev" in why and "nsenter --net" in why
    assert ovn.SERVICE.missing(networking.layout) is None  # its own datapath: not missing
    # and the rest of that cloud runs without networking, rather than Neutron and Nova
    # configured for an OVN that does not start (Neutron crashed on its missing socket)
    assert ovn.SERVICE.processes(other) == []
    assert neutron.SERVICE.processes(other)[0].env.get("OS_NEUTRON_CONFIG_FILES") is None
    assert "NOVA_OVERLAYS" not in nova.SERVICE.processes(other)[0].env
    assert PocketCloud(other).networking_status() == why


def test_a_state_made_before_networking_gains_ovns_databases_and_a_sync(networking, tmp_path,
                                                                        monkeypatch):
    """A state made where networking could not run (without root, say) gets OVN's databases
    on the first `up` that can run it, and a flag that has Neutron copy what it holds into
    them before it serves (runners/neutron_app.py); a brand-new state needs no copy."""
    from labkit.cloud import Layout

    monkeypatch.setattr(ovn, "datapath_held_elsewhere", lambda layout: None)  # the session's
    older = Layout(state=tmp_path / "older", services=networking.layout.services)
    ovn.SERVICE.make_folders(older)
    assert all((tmp_path / "older/ovn" / f"{db}.db").is_file() for db in ovn.DATABASES)
    assert ovn.sync_flag(older).is_file()

    new = Layout(state=tmp_path / "new", services=networking.layout.services)
    ovn.SERVICE.prepare(new, run=None)
    assert (tmp_path / "new/ovn/ovnnb_db.db").is_file() and not ovn.sync_flag(new).exists()
