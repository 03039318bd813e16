"""Object upload and download throughput: labkit.containers against `openstack object`.

    .venv/bin/python benchmarks/object_io.py [--size-mib 512] [--runs 1]

One file of random bytes goes up and comes back down, through labkit (streamed, ETag
verified both ways) and through the `openstack object create` / `openstack object save`
commands (which also start a Python interpreter each time: that start-up is measured apart,
with `openstack object list`, and shown). Prints figures only; asserts nothing.

It uses its own state folder and ports (LABKIT_STATE, LABKIT_PORT_OFFSET; defaults below), so
a cloud started by `make lab` or by the tests is left alone. Set them to use another cloud.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("LABKIT_STATE", str(ROOT / ".labkit" / "bench-state"))
os.environ.setdefault("LABKIT_PORT_OFFSET", "17000")
for variable in ("OS_CLOUD", "OS_CLIENT_CONFIG_FILE"):  # always the pocket cloud
    os.environ.pop(variable, None)
sys.path.insert(0, str(ROOT))

import labkit  # noqa: E402
from labkit import containers  # noqa: E402

OPENSTACK = str(Path(sys.executable).parent / "openstack")


def timed(action):
    started = time.monotonic()
    action()
    return time.monotonic() - started


def make_file(path, mib):
    with path.open("wb") as out:
        for _ in range(mib):
            out.write(os.urandom(containers.MiB))


def cli(*args):
    subprocess.run([OPENSTACK, *args], check=True, stdout=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mib", type=int, default=512)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    conn = labkit.connect()  # starts the pocket cloud if needed; exports OS_CLOUD for the CLI
    bucket = containers.create_container(conn, "bench-object-io")
    size = args.size_mib * containers.MiB
    figures = {key: [] for key in ("labkit up", "labkit down", "cli up", "cli down",
                                   "cli start-up")}
    with tempfile.TemporaryDirectory(prefix="labkit-bench-") as scratch:
        source = Path(scratch) / "source.bin"
        make_file(source, args.size_mib)
        for _ in range(args.runs):
            figures["labkit up"].append(timed(lambda: containers.upload_file(
                conn, bucket, source, name="labkit.bin", progress=False)))
            figures["labkit down"].append(timed(lambda: containers.download_file(
                conn, bucket, "labkit.bin", Path(scratch) / "labkit.out", progress=False)))
            (Path(scratch) / "labkit.out").unlink()
            figures["cli start-up"].append(timed(lambda: cli("object", "list", bucket)))
            figures["cli up"].append(timed(lambda: cli(
                "object", "create", bucket, str(source), "--name", "cli.bin")))
            figures["cli down"].append(timed(lambda: cli(
                "object", "save", bucket, "cli.bin", "--file", str(Path(scratch) / "cli.out"))))
            (Path(scratch) / "cli.out").unlink()
    containers.delete_container(conn, bucket, force=True)

    print(f"{args.size_mib} MiB object, {args.runs} run(s), median seconds and MiB/s")
    rate = {}
    for key in ("labkit up", "cli up", "labkit down", "cli down"):
        seconds = statistics.median(figures[key])
        rate[key] = size / containers.MiB / seconds
        print(f"  {key:12} {seconds:7.2f} s  {rate[key]:7.1f} MiB/s")
    start_up = statistics.median(figures["cli start-up"])
    print(f"  (each `openstack` command spends ~{start_up:.2f} s starting up and "
          f"authenticating: `openstack object list`)")
    for direction in ("up", "down"):
        labkit_rate = rate[f"labkit {direction}"]
        cli_net = size / containers.MiB / max(
            statistics.median(figures[f"cli {direction}"]) - start_up, 1e-9)
        print(f"  labkit / CLI, {direction:4}: {labkit_rate / rate[f'cli {direction}']:.2f}x "
              f"({labkit_rate / cli_net:.2f}x with the CLI's start-up taken off)")


if __name__ == "__main__":
    main()
