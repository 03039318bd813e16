"""The `labkit` command.

    labkit cloud up | down [SERVICE...] | status | reset | logs SERVICE | env
    labkit lab            start the pocket cloud and JupyterLab (opens notebooks/00-start-here)
    labkit doctor         check a cloud for the course
    labkit verify         run the lessons against a cloud, write a report
    labkit cleanup        remove what the lessons created (only that)
    labkit workshop create|delete   one project per student
    labkit release        learner copies of the notebooks (no solutions, no outputs)
    labkit image build tiny [--output DIR]   a small bootable image, from Debian packages
    labkit image build cloud-init [--output DIR]   Debian 12 + cloud-init + SSH (root, minutes)
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

from .cloud import CloudError, PocketCloud
from .connect import ConnectError


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
    print(f"compute (booting servers): {cloud.compute_status()}")
    print(f"file server (mounting shares): {cloud.file_server_status()}")
    print(f"networking (tenant networks, security groups that block, floating IPs): "
          f"{cloud.networking_status()}")
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
    # The lessons show pictures from ../media/ (as GitHub does), so JupyterLab serves the
    # folder above the notebooks and opens them; served from notebooks/ itself, every
    # picture would be a broken link (a server hands out nothing above its root).
    first = f"/lab/tree/{notebooks.name}/00-start-here.ipynb"
    try:
        subprocess.call([sys.executable, "-m", "jupyter", "lab", "--ip", "127.0.0.1",
                         f"--ServerApp.root_dir={notebooks.parent}",
                         f"--ServerApp.default_url={first}",
                         *(["--no-browser"] if args.no_browser else []),
                         # containers and CI run as root; JupyterLab refuses that by default
                         *(["--allow-root"] if os.geteuid() == 0 else [])], env=env)
    except KeyboardInterrupt:
        pass
    running = cloud.is_up()
    print("\nJupyterLab has stopped.", "The pocket cloud is still running (its data is kept):"
          " stop it with `make down` or `.venv/bin/labkit cloud down`." if running else
          "The pocket cloud is not running.")


def _doctor(cloud, args):
    from .instructor.doctor import doctor, show_checks

    return 1 if show_checks(doctor(args.cloud)) else 0


def _verify(cloud, args):
    from .instructor.verify import verify

    results = verify(args.cloud, args.lessons, args.output, args.admin_cloud, args.partner_cloud,
                     timeout=args.cell_timeout)
    passed = sum(r.passed for r in results)
    print(f"{passed} passed, {len(results) - passed} failed. Report: {Path(args.output) / 'report.html'}")
    return 0 if results and passed == len(results) else 1


def _cleanup(cloud, args):
    from . import cleanup
    from .connect import connect

    conn = connect(args.cloud, role=args.role)
    found = cleanup.cleanup(conn, lesson=args.lesson, dry_run=args.dry_run,
                            older_than=args.older_than)
    stuck = [r for r in found if not r.done and not args.dry_run and not r.skipped]
    return 1 if stuck else 0


def _workshop(cloud, args):
    from .instructor import workshop
    from .connect import connect, open_cloud

    admin = open_cloud(args.cloud) if args.cloud else connect(role="admin")
    if args.action == "create":
        for path in workshop.create(admin, args.students, args.output):
            print(f"wrote {path}")
    else:
        gone = workshop.delete(admin, args.output)
        print(f"Deleted {len(gone)} projects and their users." if gone
              else "No workshop projects to delete.")


def _release(cloud, args):
    from .instructor.release import release

    for path in release(dest=args.output):
        print(f"wrote {path}")


def _image_build(cloud, args):
    from .image_build import BuildError, build, default_folder

    try:
        build(args.kind, args.output or default_folder())
    except BuildError as exc:
        print(f"labkit: {exc}", file=sys.stderr)
        return 1


def _duration(text):
    """'90s', '30m', '2h', '1d' -> seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        return float(text[:-1]) * units[text[-1]] if text[-1] in units else float(text)
    except (ValueError, IndexError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 90s, 30m, 2h or 1d")


def parser():
    # Longer than 50 lines on purpose: the whole command line in one table, read top to
    # bottom as `labkit --help` shows it; each handler above stays small.
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
    doc = sub.add_parser("doctor", help="check a cloud for the course (before a workshop)")
    doc.add_argument("--cloud", help="a cloud in clouds.yaml (default: OS_CLOUD or the pocket cloud)")
    doc.set_defaults(run=_doctor)

    ver = sub.add_parser("verify", help="run the lessons against a cloud and write a report")
    ver.add_argument("--cloud", help="a cloud in clouds.yaml (default: OS_CLOUD or the pocket cloud)")
    ver.add_argument("--admin-cloud")
    ver.add_argument("--partner-cloud")
    ver.add_argument("--lessons", nargs="*", help="e.g. 01 03 (default: all)")
    ver.add_argument("--output", default="verify-report")
    ver.add_argument("--cell-timeout", type=int, default=600)
    ver.set_defaults(run=_verify)

    clean = sub.add_parser("cleanup", help="remove what the lessons created, and nothing else")
    clean.add_argument("--cloud")
    clean.add_argument("--role", default="learner", choices=["learner", "admin", "partner"])
    clean.add_argument("--lesson", help="only this lesson's resources, e.g. 01")
    clean.add_argument("--dry-run", action="store_true", help="list, delete nothing")
    clean.add_argument("--older-than", type=_duration, metavar="AGE",
                       help="only resources created more than AGE ago (90s, 30m, 2h, 1d)")
    clean.set_defaults(run=_cleanup)

    shop = sub.add_parser("workshop", help="one project and user per student")
    shop.add_argument("action", choices=["create", "delete"])
    shop.add_argument("--students", type=int, default=1)
    shop.add_argument("--cloud", help="an admin cloud in clouds.yaml (default: the admin "
                                      "identity of the lesson cloud)")
    shop.add_argument("--output", default="workshop", help="folder for the students' clouds.yaml")
    shop.set_defaults(run=_workshop)

    image = sub.add_parser("image", help="build images to boot, offline")
    isub = image.add_subparsers(dest="action", required=True)
    ibuild = isub.add_parser("build", help="build an image from Debian packages (tiny: no "
                                           "root, seconds; cloud-init: root, minutes)")
    ibuild.add_argument("kind", choices=["tiny", "cloud-init"])
    ibuild.add_argument("--output", help="folder for the image files (default: .labkit/images, "
                                         "where lessons look for them)")
    ibuild.set_defaults(run=_image_build)

    rel = sub.add_parser("release", help="learner copies of the notebooks")
    rel.add_argument("--output", default=str(Path(__file__).resolve().parents[1] / "release"))
    rel.set_defaults(run=_release)
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.run(PocketCloud(), args) or 0
    except (CloudError, ConnectError) as exc:
        print(f"labkit: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
