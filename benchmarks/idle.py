"""How busy an idle pocket cloud keeps the machine. Prints figures only.

    .venv/bin/python benchmarks/idle.py [--seconds 60] [--settle 20]

Starts the cloud (its own state folder and ports, like cloud_start.py), lets it settle,
then measures over --seconds, in percent of ONE core:
- the whole machine's busy share, from /proc/stat (what a fan or a battery feels; it
  includes anything else running, so run it on a quiet machine), first with the cloud down
  (when it was down: what the machine does without it), then up and idle;
- the pocket cloud's own share: CPU time of its processes, their children included (forks
  that have exited count too), from psutil; this one is not disturbed by other programs.
Goal: at most 2 % of one core.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("LABKIT_STATE", str(ROOT / ".labkit" / "bench-state"))
os.environ.setdefault("LABKIT_PORT_OFFSET", "17000")
sys.path.insert(0, str(ROOT))

from labkit.cloud import PocketCloud, process  # noqa: E402


def machine_busy_seconds():
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


def machine_busy_share(seconds):
    """The whole machine's busy share over the next `seconds`, in % of one core."""
    before = machine_busy_seconds()[0]
    time.sleep(seconds)
    return 100 * (machine_busy_seconds()[0] - before) / seconds


def cloud_cpu_seconds(cloud):
    """{process name: CPU seconds} of each pocket-cloud process and all its descendants."""
    used = {}
    for _, proc in cloud.processes():
        pid = process.read_pid(cloud.layout, proc.name)
        if pid is None:
            continue
        try:
            root = psutil.Process(pid)
            total = 0.0
            for each in [root, *root.children(recursive=True)]:
                times = each.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
        except psutil.Error:
            continue
        used[proc.name] = total
    return used


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--settle", type=float, default=20)
    args = parser.parse_args()
    cloud = PocketCloud(say=lambda *_: None)
    was_up = cloud.is_up()
    without = None if was_up else machine_busy_share(args.seconds)
    cloud.up()
    time.sleep(args.settle)
    machine_before, cloud_before = machine_busy_seconds(), cloud_cpu_seconds(cloud)
    time.sleep(args.seconds)
    machine_after, cloud_after = machine_busy_seconds(), cloud_cpu_seconds(cloud)
    busy = machine_after[0] - machine_before[0]
    per_process = {name: cloud_after[name] - cloud_before.get(name, 0.0) for name in cloud_after}
    share = lambda seconds: 100 * seconds / args.seconds  # noqa: E731
    print(f"idle pocket cloud, {args.seconds:.0f} s, in % of one core "
          f"({os.cpu_count()} cores):")
    if without is not None:
        print(f"  whole machine busy, cloud down:   {without:6.2f} %")
    print(f"  whole machine busy, cloud idle:   {share(busy):6.2f} %")
    print(f"  the pocket cloud's own processes: {share(sum(per_process.values())):6.2f} %  "
          f"(goal: 2 %)")
    for name, seconds in sorted(per_process.items(), key=lambda kv: -kv[1])[:6]:
        print(f"    {name:24}{share(seconds):6.2f} %")
    if not was_up:
        cloud.down()  # leave the machine as we found it


if __name__ == "__main__":
    main()
