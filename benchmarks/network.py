"""Tenant networking in the pocket cloud (ML2/OVN, userspace datapath). Prints figures only.

    .venv/bin/python benchmarks/network.py [--runs 2]

Starts the cloud (its own state folder and ports, like boot.py), then prints:
- what the networking tier adds: seconds to start its processes (Open vSwitch's database
  and switch, OVN's two databases, northd, ovn-controller) once the rest runs, and their
  memory (PSS), and Neutron's with ML2/OVN;
- for each run: seconds from `server create` (the tiny image with a key pair, on a tenant
  network behind a router, its default group allowing ICMP and SSH from the outside) to
  ACTIVE, to the first ping answered and to the first SSH login through its floating IP from
  the outside namespace (each tried about once a second).
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("LABKIT_STATE", str(ROOT / ".labkit" / "bench-state"))
os.environ.setdefault("LABKIT_PORT_OFFSET", "17000")
sys.path.insert(0, str(ROOT))

import labkit  # noqa: E402
from labkit import cleanup, image_build, networks, security  # noqa: E402
from labkit.cloud import PocketCloud, ovn, process, system  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from boot import pss_mb  # noqa: E402

LESSON = "98"
KEY = "day3-bench-net-key"


def tier_start(cloud):
    """Seconds to start the tier's processes alone (the rest of the cloud running)."""
    cloud.down(services=["ovn"])
    started = time.monotonic()
    cloud.up(timeout=300)
    return time.monotonic() - started


def replies_after_create(conn, image, flavor, network, keys):
    """Seconds from `server create` to ACTIVE, to the first ping answered and to the first SSH
    login (the key pair's key, `true` run) through the floating IP; None: not within 300 s."""
    started = time.monotonic()
    fip = None
    server = conn.compute.create_server(name="day3-bench-net", image_id=image.id,
                                        flavor_id=flavor.id, networks=[{"uuid": network.id}],
                                        key_name=KEY, config_drive=True)
    try:
        server = conn.compute.wait_for_server(server, status="ACTIVE", wait=300, interval=0.5)
        active = time.monotonic() - started
        fip = networks.add_floating_ip(conn, server, lesson=LESSON).floating_ip_address
        ping = login = None
        while time.monotonic() - started < 300 and (ping is None or login is None):
            if ping is None and networks.ping_from_outside(fip, count=1).ok:
                ping = time.monotonic() - started
            if login is None and networks.ssh_from_outside(fip, keys, "true",
                                                           connect_timeout=2).ok:
                login = time.monotonic() - started
            time.sleep(0.5)
        return active, ping, login
    finally:
        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, wait=120)
        for ip in conn.network.ips(floating_ip_address=fip) if fip else ():
            conn.network.delete_ip(ip, ignore_missing=True)


def _seconds(value):
    return f"{value:.1f} s" if value is not None else "none within 300 s"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    cloud = PocketCloud(say=lambda *_: None)
    why = system.why_networking_not_available(cloud.layout.services)
    if why:
        sys.exit(f"No networking on this machine: {why}")
    cloud.up(timeout=300)
    conn = labkit.connect()
    network = image = None
    rules = []
    keys_folder = tempfile.mkdtemp(prefix="day3-bench-keys-")
    try:
        print(f"networking tier: its processes start in {tier_start(cloud):.1f} s "
              f"(the rest of the cloud running)")
        total = 0.0
        for _, proc in cloud.processes(["ovn"]):
            pid = process.read_pid(cloud.layout, proc.name)
            if pid:
                pss = pss_mb(pid)
                total += pss
                print(f"  {proc.name:16} {pss:6.1f} MB PSS")
        print(f"  {'all of them':16} {total:6.1f} MB PSS")
        neutron = process.read_pid(cloud.layout, "neutron")
        print(f"neutron (ML2/OVN) {pss_mb(neutron):6.1f} MB PSS")
        disk = image_build.tiny(say=lambda *_: None).qcow2  # built once, reused
        image = conn.image.create_image(name="day3-bench-net-tiny", filename=str(disk),
                                        disk_format="qcow2", container_format="bare", wait=True)
        network, subnet = networks.create_network(conn, "day3-bench-net", "10.98.0.0/24",
                                                  lesson=LESSON)
        networks.create_router(conn, "day3-bench-router", subnet, lesson=LESSON)  # cleanup takes it
        rules = [security.add_rule(conn, "default", protocol="icmp", cidr=ovn.PUBLIC_CIDR,
                                   idempotent=True),
                 security.add_rule(conn, "default", "tcp", 22, ovn.PUBLIC_CIDR, idempotent=True)]
        keys = security.generate_key(KEY, folder=keys_folder)
        conn.compute.delete_keypair(KEY, ignore_missing=True)
        conn.compute.create_keypair(name=KEY, public_key=keys.public_key)
        flavor = conn.compute.find_flavor("m1.tiny")
        for run in range(1, args.runs + 1):
            active, ping, login = replies_after_create(conn, image, flavor, network, keys)
            print(f"run {run}: ACTIVE after {active:.1f} s; through the floating IP, first ping "
                  f"answered after {_seconds(ping)}, first SSH login after {_seconds(login)}")
    finally:
        for rule in rules:
            conn.network.delete_security_group_rule(rule, ignore_missing=True)
        conn.compute.delete_keypair(KEY, ignore_missing=True)
        shutil.rmtree(keys_folder, ignore_errors=True)
        cleanup.cleanup(conn, lesson=LESSON, quiet=True)
        if image is not None:
            conn.image.delete_image(image, ignore_missing=True)
        conn.close()
        if not os.environ.get("LABKIT_KEEP_CLOUD"):
            cloud.down()


if __name__ == "__main__":
    main()
