"""Upload throughput of labkit.images vs `openstack image create`, and labkit's memory.

    LABKIT_STATE=... LABKIT_PORT_OFFSET=... .venv/bin/python benchmarks/image_upload.py [--size-gib 1] [--runs 2]

Makes a sparse raw file (default 1 GiB), uploads it from that server-side path through
labkit.images.create_image (streamed, with a progress callback) and through the CLI, and
prints each one's throughput and the Python process's peak memory growth during labkit's
upload (RSS sampled every 10 ms from /proc). Targets (issue 3): labkit >= 0.9x the CLI's
throughput; memory growth < 64 MB. Prints figures only; asserts nothing. Uses the cloud
named by OS_CLOUD, else the pocket cloud of LABKIT_STATE/LABKIT_PORT_OFFSET.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import labkit  # noqa: E402
from labkit import formats, images, marks  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


class PeakRss:
    """Samples this process's resident memory in a thread while the block runs."""

    def __enter__(self):
        self.base = self.peak = rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.growth = self.peak - self.base


def upload_labkit(conn, path, name):
    with PeakRss() as memory:
        start = time.perf_counter()
        image = images.create_image(conn, name, filename=path, disk_format="raw",
                                    progress=lambda done, total: None, timeout=600)
        seconds = time.perf_counter() - start
    images.delete_image(conn, image.id)
    return seconds, memory.growth


def upload_cli(path, name):
    cli = shutil.which("openstack") or str(Path(sys.executable).parent / "openstack")
    start = time.perf_counter()
    subprocess.run([cli, "image", "create", "--file", str(path), "--disk-format", "raw",
                    "--container-format", "bare", "--property",
                    f"{marks.KEY}=bench", "--tag", marks.TAG, name, "-f", "value", "-c", "id"],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-gib", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    conn = labkit.connect()  # exports OS_CLOUD / OS_CLIENT_CONFIG_FILE for the CLI
    size = int(args.size_gib * 1024**3)
    with tempfile.TemporaryDirectory() as folder:
        path = formats.make_raw(Path(folder) / "bench.raw", size, content=b"")
        labkit_runs, cli_runs, growths = [], [], []
        for run in range(args.runs):
            seconds, growth = upload_labkit(conn, path, f"bench-labkit-{run}")
            labkit_runs.append(seconds)
            growths.append(growth)
            name = marks.name(f"bench-cli-{run}")
            cli_runs.append(upload_cli(path, name))
            images.delete_image(conn, name)
    mib = size / 2**20
    labkit_rate = mib / statistics.median(labkit_runs)
    cli_rate = mib / statistics.median(cli_runs)
    print(f"file: {formats.human(size)} sparse raw, {args.runs} runs each (median)")
    print(f"labkit.images.create_image : {labkit_rate:8.1f} MiB/s  "
          f"({', '.join(f'{s:.2f}' for s in labkit_runs)} s)")
    print(f"openstack image create     : {cli_rate:8.1f} MiB/s  "
          f"({', '.join(f'{s:.2f}' for s in cli_runs)} s; includes the CLI's start-up)")
    print(f"labkit / CLI throughput    : {labkit_rate / cli_rate:8.2f}x   (target >= 0.9x)")
    print(f"peak memory growth (labkit): {max(growths) / 2**20:8.1f} MiB   (target < 64 MB)")


if __name__ == "__main__":
    main()
