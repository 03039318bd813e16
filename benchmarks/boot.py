"""Booting a server in the pocket cloud. Prints figures only.

    .venv/bin/python benchmarks/boot.py [--runs 2] [--image FILE]

Starts the cloud with compute (its own state folder and ports, like cloud_start.py), builds
the tiny image (`labkit image build tiny`) unless --image names a qcow2 (another build of
it, to compare), uploads it, then for each run creates a server
with a config drive and a user-data script as a learner would, and prints:
- seconds from `server create` to ACTIVE, and to the user data's line in the console log
  read through Nova's API (polled once a second, as a learner's cell would);
- where the guest's part goes, from its own clock (uptime) in the console: when its init
  started (firmware, boot loader and kernel before it) and when its init finished;
- QEMU's memory for the running server (PSS, and its peak RSS);
- the memory (PSS) of Nova (all in one process), Placement and libvirtd.
Goals (issue 13): the console line within 15 s; at most about 400 MB per VM.
"""

import argparse
import base64
import os
import re
import sys
import time
import uuid
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("LABKIT_STATE", str(ROOT / ".labkit" / "bench-state"))
os.environ.setdefault("LABKIT_PORT_OFFSET", "17000")
sys.path.insert(0, str(ROOT))

import labkit  # noqa: E402
from labkit import image_build  # noqa: E402
from labkit.cloud import PocketCloud, process, system  # noqa: E402


def pss_mb(pid):
    """Proportional set size of one process and its descendants, in MB."""
    procs = [psutil.Process(pid)]
    procs += procs[0].children(recursive=True)
    return sum(p.memory_full_info().pss for p in procs) / 1e6


def qemu_pids():
    return [p.pid for p in psutil.process_iter(["name"]) if p.info["name"]
            and p.info["name"].startswith("qemu-system")]


def peak_rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1e3
    return 0.0


def boot_once(conn, image, flavor):
    marker = f"DAY3-BENCH-{uuid.uuid4().hex[:8]}"
    user_data = f'#!/bin/sh\necho "{marker} ran"\n'
    before = set(qemu_pids())
    started = time.monotonic()
    server = conn.compute.create_server(
        name=f"day3-bench-{marker[-8:]}", image_id=image.id, flavor_id=flavor.id,
        networks="none", config_drive=True,
        user_data=base64.b64encode(user_data.encode()).decode())
    server = conn.compute.wait_for_server(server, status="ACTIVE", wait=300, interval=0.5)
    active = time.monotonic() - started
    console = None
    output = ""
    while time.monotonic() - started < 300:
        output = conn.compute.get_server_console_output(server)["output"]
        if f"{marker} ran" in output:
            console = time.monotonic() - started
            break
        time.sleep(1)
    guest = guest_clock(conn, server, output)
    qemu = [pid for pid in qemu_pids() if pid not in before]
    memory = [(pss_mb(pid), peak_rss_mb(pid)) for pid in qemu]
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=120)
    return active, console, memory, guest


def guest_clock(conn, server, output):
    """The guest's uptime when its init started and when it finished (the tiny image's
    console lines), waiting a little for the second."""
    for _ in range(10):
        finished = re.search(r"boot finished after ([0-9.]+) s", output)
        if finished:
            break
        time.sleep(0.5)
        output = conn.compute.get_server_console_output(server)["output"]
    init = re.search(r"tiny: kernel \S+ up after ([0-9.]+) s", output)
    return (float(init.group(1)) if init else None,
            float(finished.group(1)) if finished else None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--image", type=Path, help="a qcow2 to boot instead of a fresh tiny "
                                                   "image (e.g. one built from another commit)")
    args = parser.parse_args()
    why = system.why_not_available()
    if why:
        sys.exit(f"No compute on this machine: {why}")
    cloud = PocketCloud(say=lambda *_: None)
    cloud.up(timeout=300)
    conn = labkit.connect()
    disk = args.image or image_build.tiny(say=lambda *_: None).qcow2  # built once, reused
    image = conn.image.create_image(name="day3-bench-tiny", filename=str(disk),
                                    disk_format="qcow2", container_format="bare", wait=True)
    try:
        flavor = conn.compute.find_flavor("m1.tiny")
        print(f"image {args.image or 'tiny (built now)'}")
        print(f"flavor m1.tiny: {flavor.ram} MB RAM, {flavor.vcpus} vCPU; QEMU TCG")
        for run in range(1, args.runs + 1):
            active, console, memory, (init, finished) = boot_once(conn, image, flavor)
            line = f"{console:.1f} s" if console is not None else "not seen within 300 s"
            print(f"run {run}: ACTIVE after {active:.1f} s, user data's console line after {line}")
            if init is not None and finished is not None:
                print(f"        guest clock: init started at {init:.1f} s, finished at "
                      f"{finished:.1f} s of uptime")
            for pss, peak in memory:
                print(f"        QEMU for the server: {pss:.0f} MB PSS (peak RSS {peak:.0f} MB)")
        for name in ("nova", "placement", "libvirtd"):
            pid = process.read_pid(cloud.layout, name)
            if pid:
                print(f"{name:10} {pss_mb(pid):6.0f} MB PSS (no server running)")
    finally:
        conn.image.delete_image(image, ignore_missing=True)
        conn.close()
        if not os.environ.get("LABKIT_KEEP_CLOUD"):
            cloud.down()


if __name__ == "__main__":
    main()
