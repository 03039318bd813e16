"""Several learners on one pocket cloud at once: calls per second and failures, for 1, 4
and 8 learners. Prints figures only.

    .venv/bin/python benchmarks/concurrent_learners.py [--seconds 30] [--learners 1 4 8]

Each learner is a thread with its own connection (user `learner`), looping over the
lessons' ordinary calls against every service (tests/learners.py): a token, a security
group with a rule, an image uploaded, tagged and deleted, a key pair, an object written,
read and deleted, and a look at the shares (one share each, made before the rounds).
Uses its own state folder and ports, like benchmarks/cloud_start.py.
"""

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("LABKIT_STATE", str(ROOT / ".labkit" / "bench-state"))
os.environ.setdefault("LABKIT_PORT_OFFSET", "17000")
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import labkit  # noqa: E402
from labkit.cloud import PocketCloud  # noqa: E402
from learners import run  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--learners", type=int, nargs="+", default=[1, 4, 8])
    args = parser.parse_args()
    PocketCloud(say=lambda *_: None).up()
    print(f"{'learners':>8} {'calls':>7} {'calls/s':>8} {'failures':>9} {'5xx':>5}  by service")
    for count in args.learners:
        connections = []

        def connect(_):
            conn = labkit.connect(role="learner")
            connections.append(conn)
            return conn

        tally, elapsed = run(connect, count, args.seconds)
        for conn in connections:
            conn.close()
        by_service = " ".join(f"{name}:{n}" for name, n in sorted(tally.calls.items()))
        print(f"{count:>8} {tally.total:>7} {tally.total / elapsed:>8.1f} "
              f"{len(tally.failures):>9} {len(tally.server_errors()):>5}  {by_service}")
        for service, status, message in Counter(tally.failures).most_common(5):
            print(f"{'':>8} failed: {service} {status} {message}")


if __name__ == "__main__":
    main()
