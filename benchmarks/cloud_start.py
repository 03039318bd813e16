"""How fast the pocket cloud starts, and how much memory it holds. Prints figures only.

    .venv/bin/python benchmarks/cloud_start.py [--runs 3]

- seed: the one-time preparation per services install (database syncs, Keystone's users,
  projects and catalog);
- fresh start: `reset` then `up` (a new state copied from the seed, new passwords and keys),
  and what `up` said after the processes answered (the per-state bootstrap's time);
- warm start: `down` then `up` (the same state, processes started again);
- when each process answered during the last warm start (Manila's share of the start);
- resident memory of each service (all its processes), after the last warm start.

It uses its own state folder and ports (LABKIT_STATE, LABKIT_PORT_OFFSET; defaults below), so a
cloud started by `make lab` or by the tests is left alone.

    .venv/bin/python benchmarks/cloud_start.py --control-plane

measures the cloud a machine without compute's packages runs (Keystone, Glance, Swift,
Neutron's and Nova's APIs, Manila, PostgreSQL): as root, it hides one program of each
optional tier (libvirtd, ovs-vswitchd, ganesha.nfsd) in a private mount namespace for this
run only, and uses a state folder of its own.
"""

import argparse
import os
import shlex
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("LABKIT_STATE", str(ROOT / ".labkit" / "bench-state"))
os.environ.setdefault("LABKIT_PORT_OFFSET", "17000")
sys.path.insert(0, str(ROOT))

from labkit.cloud import PocketCloud, system  # noqa: E402
from labkit.cloud import environment, process, state  # noqa: E402
from labkit.cloud.registry import SERVICES  # noqa: E402


def timed(action):
    started = time.monotonic()
    action()
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--with-seed", action="store_true",
                        help="also time building the seed (deletes and rebuilds it)")
    parser.add_argument("--control-plane", action="store_true",
                        help="without the compute, networking and file-server tiers (root)")
    args = parser.parse_args()
    if args.control_plane and not os.environ.get("LABKIT_BENCH_TIERS_HIDDEN"):
        return without_optional_tiers()
    quiet = lambda *_: None  # noqa: E731
    cloud = PocketCloud(say=quiet)
    environment.ensure_installed(cloud.layout)

    if args.with_seed:
        cloud.reset()
        shutil.rmtree(cloud.layout.seed, ignore_errors=True)
        print(f"seed (once per install):   {timed(lambda: state.ensure_seed(cloud.layout, quiet)):6.1f} s")
    state.ensure_seed(cloud.layout, quiet)

    fresh, warm, said_fresh, said = [], [], [], []
    for _ in range(args.runs):
        cloud.reset()
        said_fresh.clear()
        cloud.say = said_fresh.append
        fresh.append(timed(cloud.up))
        cloud.down()
        said.clear()
        cloud.say = said.append
        warm.append(timed(cloud.up))
        cloud.say = quiet

    def line(label, values):
        print(f"{label:27}{statistics.median(values):6.1f} s median "
              f"(min {min(values):.1f}, max {max(values):.1f}, {len(values)} runs)")

    line("fresh start (reset + up):", fresh)
    line("warm start (down + up):", warm)

    print("\nlast fresh start, the last process answering and what followed (as `up` says):")
    timeline = [line for line in said_fresh if line.startswith("[")]
    answered = [line for line in timeline if " up" in line]
    for line in answered[-1:] + [line for line in timeline if " up" not in line]:
        print(f"  {line}")

    print("\nlast warm start, each process answering at:")
    for line in said:
        if line.startswith("[") and " up" in line:
            print(f"  {line}")

    print("\nmemory after a warm start      RSS       PSS (shared pages shared out)")
    totals = {"Rss": 0, "Pss": 0}
    for service in SERVICES:
        pids = [pid for proc in service.processes(cloud.layout)
                if (pid := process.read_pid(cloud.layout, proc.name))]
        kib = {kind: sum(process.memory_kib(pid, kind) for pid in pids) for kind in totals}
        for kind in totals:
            totals[kind] += kib[kind]
        print(f"  {service.name:26}{kib['Rss'] / 1024:6.0f} MB {kib['Pss'] / 1024:6.0f} MB")
    print(f"  {'all':26}{totals['Rss'] / 1024:6.0f} MB {totals['Pss'] / 1024:6.0f} MB")
    cloud.down()


#: one program of each optional tier: without it, `up` runs that tier's services as a
#: machine without its packages does (system.py's probes find it missing)
TIER_PROGRAMS = ("libvirtd", "ovs-vswitchd", "ganesha.nfsd")


def without_optional_tiers():
    """Run this benchmark again in a private mount namespace where each tier's program is
    /dev/null (not executable): only this process and its children see it so."""
    if os.geteuid() != 0:
        sys.exit("--control-plane hides programs with a bind mount: run it as root (a machine "
                 "without compute's packages runs the control plane anyway: no option needed)")
    hide = "; ".join(f"mount --bind /dev/null {shlex.quote(path)}"
                     for path in filter(None, map(system.which, TIER_PROGRAMS)))
    again = shlex.join([sys.executable, *sys.argv])
    env = {**os.environ, "LABKIT_BENCH_TIERS_HIDDEN": "1",
           "LABKIT_STATE": str(ROOT / ".labkit" / "bench-control-plane-state")}
    os.execvpe("unshare", ["unshare", "--mount", "--propagation", "private",
                           "sh", "-ec", f"{hide}; exec {again}"], env)


if __name__ == "__main__":
    main()
