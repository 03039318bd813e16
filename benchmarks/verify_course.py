"""How long `labkit verify` takes over the whole course on a warm pocket cloud. Prints figures.

    .venv/bin/python benchmarks/verify_course.py

Starts (or reuses) the pocket cloud first, so that the time is the lessons' own; uses its own
state folder and ports (LABKIT_STATE, LABKIT_PORT_OFFSET; defaults below).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("LABKIT_STATE", str(ROOT / ".labkit" / "bench-state"))
os.environ.setdefault("LABKIT_PORT_OFFSET", "17000")
sys.path.insert(0, str(ROOT))

from labkit.cloud import PocketCloud  # noqa: E402
from labkit.instructor.verify import verify  # noqa: E402


def main():
    PocketCloud(say=lambda *_: None).up()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as output:
        results = verify(output=output, say=lambda *_: None)
    total = time.monotonic() - started
    for result in results:
        print(f"{result.name:36}{result.seconds:7.1f} s  {'passed' if result.passed else 'FAILED'}")
    print(f"{'whole course':36}{total:7.1f} s  ({sum(r.passed for r in results)} of "
          f"{len(results)} lessons passed)")


if __name__ == "__main__":
    main()
