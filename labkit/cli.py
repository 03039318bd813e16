"""The `labkit` command.

    labkit cloud up | down [SERVICE...] | status | reset | logs SERVICE | env
    labkit lab            start the pocket cloud and JupyterLab on notebooks/
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

from .cloud import CloudError, PocketCloud


def _cloud_up(cloud, args):
    cloud.up(timeout=args.timeout)
    print()
    print(f"clouds.yaml: {cloud.layout.clouds_yaml} (mode 0600)")
    print("  clouds: labkit (learner), labkit-admin (admin), labkit-partner (second project)")
    print('In a shell:   eval "$(labkit cloud env)"; openstack image list')
    print("In Python:    import labkit; conn = labkit.connect()")
    print("Stop it with: labkit cloud down")


def _cloud_down(cloud, args):
    stopped = cloud.down(args.services or None)
    print(f"Stopped {', '.join(stopped)}." if stopped else "Nothing was running.")


def _cloud_status(cloud, args):
    rows = cloud.status()
    print(f"State folder: {cloud.layout.state}")
    print(f"{'process':26}{'port':>7}{'pid':>9}  {'health':9} log")
    for r in rows:
        health = "healthy" if r.healthy else ("DOWN" if r.pid is None else "UNHEALTHY")
        print(f"{r.process:26}{r.port or '-':>7}{r.pid or '-':>9}  {health:9} {r.log}")
    return 0 if all(r.healthy for r in rows) else 3


def _cloud_reset(cloud, args):
    cloud.reset()
    print(f"Deleted {cloud.layout.state}. `labkit cloud up` makes a new cloud.")


def _cloud_logs(cloud, args):
    path = cloud.log_path(args.service)
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    print(f"==> {path} <==")
    print("\n".join(lines[-args.lines:]))


def _cloud_env(cloud, args):
    print("\n".join(cloud.env_lines(args.cloud)))


def _lab(cloud, args):
    cloud.up()
    notebooks = Path(args.notebooks).resolve()
    print(f"\nStarting JupyterLab on {notebooks} (Ctrl-C twice to stop it) ...")
    env = {**os.environ, **dict(line.removeprefix("export ").split("=", 1)
                                for line in cloud.env_lines())}
    try:
        subprocess.call([sys.executable, "-m", "jupyter", "lab", "--ip", "127.0.0.1",
                         f"--ServerApp.root_dir={notebooks}",
                         *(["--no-browser"] if args.no_browser else []),
                         # containers and CI run as root; JupyterLab refuses that by default
                         *(["--allow-root"] if os.geteuid() == 0 else [])], env=env)
    except KeyboardInterrupt:
        pass
    running = cloud.is_up()
    print("\nJupyterLab has stopped.", "The pocket cloud is still running (its data is kept):"
          " stop it with `make down` or `.venv/bin/labkit cloud down`." if running else
          "The pocket cloud is not running.")


def parser():
    top = argparse.ArgumentParser(prog="labkit", description=__doc__.split("\n")[0])
    sub = top.add_subparsers(dest="command", required=True)

    cloud = sub.add_parser("cloud", help="the pocket cloud of real OpenStack services")
    csub = cloud.add_subparsers(dest="action", required=True)
    up = csub.add_parser("up", help="start it (idempotent) and wait until every service answers")
    up.add_argument("--timeout", type=float, default=120, help="seconds to wait (default 120)")
    up.set_defaults(run=_cloud_up)
    down = csub.add_parser("down", help="stop it, or only the services named")
    down.add_argument("services", nargs="*")
    down.set_defaults(run=_cloud_down)
    csub.add_parser("status", help="each process: port, pid, health, log").set_defaults(
        run=_cloud_status)
    csub.add_parser("reset", help="stop it and delete its state").set_defaults(run=_cloud_reset)
    logs = csub.add_parser("logs", help="the end of a service's log")
    logs.add_argument("service")
    logs.add_argument("-n", "--lines", type=int, default=40)
    logs.set_defaults(run=_cloud_logs)
    env = csub.add_parser("env", help="print the export lines for the openstack CLI")
    env.add_argument("--cloud", default="labkit",
                     choices=["labkit", "labkit-admin", "labkit-partner"])
    env.set_defaults(run=_cloud_env)

    lab = sub.add_parser("lab", help="start the pocket cloud and JupyterLab")
    lab.add_argument("--notebooks", default=str(Path(__file__).resolve().parents[1] / "notebooks"))
    lab.add_argument("--no-browser", action="store_true")
    lab.set_defaults(run=_lab)
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.run(PocketCloud(), args) or 0
    except CloudError as exc:
        print(f"labkit: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
