"""The file server behind shares with data (nfs-ganesha). Prints figures only.

    .venv/bin/python benchmarks/file_server.py [--mib 256]

Starts the cloud (its own state folder and ports, like cloud_start.py), then prints:
- seconds from starting ganesha (its namespace included) to serving, on a restart of it alone;
- its memory (PSS), idle and after the reads below;
- read throughput: a file of --mib MiB on a share, copied by nfs-cp from a client
  namespace on the storage network (NFSv4 over TCP through a veth pair);
- small writes: files of 3 KiB written by nfs-cp, per second (each one a new client
  session). libnfs 4.0 (Debian 12) cannot encode a WRITE of 4 KiB or more, so a user-space
  write throughput is measured from a guest's kernel client instead:
- where networking runs (servers reach the file server on the "storage" network): seconds
  from `server create` (the tiny image, a tenant network and a storage port) to ACTIVE and to
  the file its user data writes being visible in the share's folder on the file server; and
  the guest's write throughput, `dd` of --guest-mib MiB with conv=fsync, timed by the guest
  (its uptime before and after, read from the server's console).
Needs root and the file server's packages (`sudo make compute`).
"""

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("LABKIT_STATE", str(ROOT / ".labkit" / "bench-state"))
os.environ.setdefault("LABKIT_PORT_OFFSET", "17000")
sys.path.insert(0, str(ROOT))

import labkit  # noqa: E402
from labkit import cleanup, image_build, images, networks, share_mounts, shares  # noqa: E402
from labkit.cloud import PocketCloud, file_server, process  # noqa: E402

CLIENT = "172.30.0.50"


def pss_mb(pid):
    procs = [psutil.Process(pid)]
    procs += procs[0].children(recursive=True)
    return sum(p.memory_full_info().pss for p in procs) / 1e6


def restart_seconds(cloud):
    cloud.down(["nfs"])
    started = time.monotonic()
    cloud.up(timeout=120)
    return time.monotonic() - started


def guest_mount_and_write(conn, share, location, folder, mib):
    """Boot the tiny image with a storage port; its user data mounts the share, writes a
    marker file, then dd's mib MiB with fsync. Prints the times and dd's own figure."""
    tiny = image_build.tiny(say=lambda *_: None)
    image = images.create_image(conn, "bench-nfs-tiny", filename=tiny.qcow2,
                                disk_format="qcow2", lesson=shares.LESSON)
    network, _ = networks.create_network(conn, "bench-nfs-net", "10.97.0.0/24",
                                         lesson=shares.LESSON)
    port = share_mounts.storage_port(conn, "bench-nfs-vm", shares.LESSON)
    shares.allow_access(conn, share, networks.port_address(port), "rw")
    # busybox's dd prints no rate: the guest's uptime before and after it is the clock
    script = share_mounts.mount_script(location, [
        "echo here > /mnt/share/marker", "start=$(cut -d' ' -f1 /proc/uptime)",
        f"dd if=/dev/zero of=/mnt/share/dd bs=1M count={mib} conv=fsync",
        "echo \"dd ran from $start to $(cut -d' ' -f1 /proc/uptime)\""])
    started = time.monotonic()
    server = share_mounts.launch(conn, "bench-nfs-vm", image, network, port, script,
                                 shares.LESSON, progress=False)
    active = time.monotonic() - started
    while not (folder / "marker").exists():
        if time.monotonic() - started > 300:
            sys.exit("the guest's file did not appear within 300 s")
        time.sleep(0.2)
    visible = time.monotonic() - started
    print(f"guest: server create to ACTIVE {active:.1f} s, to its file visible on the file "
          f"server {visible:.1f} s (tiny image, two NICs, DHCP on both, then mount -t nfs4)")
    transcript = share_mounts.user_data_output(conn, server, timeout=600)
    ran = re.search(r"^dd ran from ([0-9.]+) to ([0-9.]+)", transcript, re.MULTILINE)
    if not ran or "records out" not in transcript:
        sys.exit(f"dd did not finish on the guest:\n{transcript}")
    seconds = float(ran.group(2)) - float(ran.group(1))
    print(f"guest write, dd {mib} MiB conv=fsync: {seconds:.1f} s, {mib / seconds:.1f} MiB/s "
          f"(timed by the guest's uptime; a QEMU TCG guest, NFSv4.1 over the storage network)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=256, help="size of the file read (MiB)")
    parser.add_argument("--files", type=int, default=50, help="small files written")
    parser.add_argument("--guest-mib", type=int, default=64,
                        help="MiB a guest writes with dd (0: no guest)")
    args = parser.parse_args()
    cloud = PocketCloud(say=lambda *_: None)
    why = file_server.SERVICE.missing(cloud.layout)
    if why:
        sys.exit(f"The file server cannot run here: {why}")
    cloud.up(timeout=300)
    conn = labkit.connect()
    try:
        print(f"ganesha restart to serving: {restart_seconds(cloud):.2f} s "
              f"(labkit's `up` of the one process, namespace made anew)")
        pid = process.read_pid(cloud.layout, "nfs-ganesha")
        print(f"ganesha memory, idle: {pss_mb(pid):.1f} MB PSS")
        share = shares.create_share(conn, "bench-nfs", size=1, share_type="nfs-ganesha")
        shares.allow_access(conn, share, CLIENT, "rw")
        location = shares.export_locations(conn, share)[0].path
        folder = cloud.layout.state / "nfs/shares" / location.split(":/", 1)[1]
        with open(folder / "big", "wb") as f:
            for _ in range(args.mib):
                f.write(os.urandom(1 << 20))
        with file_server.client_namespace(cloud.layout, CLIENT, "bench") as run, \
                tempfile.TemporaryDirectory() as tmp:
            started = time.monotonic()
            done = run("nfs-cp", file_server.nfs_url(location, "big"), f"{tmp}/big")
            seconds = time.monotonic() - started
            assert done.returncode == 0, done.stderr
            print(f"read {args.mib} MiB through ganesha: {seconds:.1f} s, "
                  f"{args.mib / seconds:.0f} MiB/s")
            print(f"ganesha memory, after the read: {pss_mb(pid):.1f} MB PSS")
            small = Path(tmp, "small")
            small.write_bytes(os.urandom(3072))
            started = time.monotonic()
            for n in range(args.files):
                done = run("nfs-cp", str(small), file_server.nfs_url(location, f"s{n}"))
                assert done.returncode == 0, done.stderr
            seconds = time.monotonic() - started
            print(f"{args.files} files of 3 KiB written: {args.files / seconds:.0f} files/s "
                  f"({seconds / args.files * 1000:.0f} ms each, a client session per file)")
        why = share_mounts.why_no_mounts(conn)
        if args.guest_mib and why:
            print(f"guest mount: not measured, {why}")
        elif args.guest_mib:
            guest_mount_and_write(conn, share, location, folder, args.guest_mib)
    finally:
        cleanup.cleanup(conn, lesson=shares.LESSON, quiet=True)
        cloud.down()


if __name__ == "__main__":
    main()
