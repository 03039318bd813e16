"""Start several pocket-cloud Python processes from one interpreter that imported their
common libraries once (a fork server, as gunicorn's --preload or multiprocessing's
forkserver do).

Most of a service's start is importing: oslo.*, SQLAlchemy, keystonemiddleware and the
rest take 1-2 CPU-seconds per interpreter, and the cloud starts nine of them on two cores.
Here they are imported once per *family*, then each process is a fork that runs its own
program (its argv, unchanged) with its own environment, folder and log, in a session of
its own. The forked children also share those modules' memory pages (see main()).

    python forkserver.py FAMILY < children.json      # [{"name", "argv", "env", "cwd", "log"}]

prints ``NAME PID`` per child as it forks it, then exits: the children live on.

A family is what must be true before its libraries are imported:
- ``wsgi``: the APIs under gunicorn (Keystone, Glance, Neutron, Placement): plain threads,
  oslo.service's default backend (chosen as oslo.messaging imports it);
- ``eventlet``: Nova and Manila, which patch the standard library with eventlet before
  they import anything else (their monkey_patch modules say why), so this process does too;
- ``swift``: Swift's servers, which import Swift first and patch later, as their own
  commands do.
"""

import gc
import importlib
import json
import os
import runpy
import sys
import threading
import traceback

_OPENSTACK_LIBRARIES = [
    "eventlet", "dns.resolver", "oslo_config.cfg", "oslo_log.log", "oslo_i18n",
    "oslo_utils.timeutils", "oslo_serialization.jsonutils", "oslo_context.context",
    "oslo_concurrency.lockutils", "sqlalchemy.orm", "sqlalchemy.ext.declarative",
    "oslo_db.sqlalchemy.enginefacade", "oslo_db.sqlalchemy.models", "oslo_db.api", "psycopg2",
    "oslo_messaging", "oslo_messaging.rpc", "oslo_messaging.notify", "oslo_policy.policy",
    "oslo_middleware", "keystonemiddleware.auth_token", "keystoneauth1.loading",
    "keystoneauth1.session", "keystoneclient.v3.client", "openstack.connection", "requests",
    "cryptography.fernet", "webob.dec", "routes", "paste.deploy", "jsonschema",
    "osprofiler.profiler", "osprofiler.opts", "dogpile.cache", "stevedore.driver",
    "oslo_versionedobjects.base", "netaddr", "yaml", "jinja2",
    "mako.template", "prometheus_client", "os_traits", "futurist", "tenacity",
]

FAMILIES = {
    "wsgi": {"patch": False,
             "preload": [*_OPENSTACK_LIBRARIES, "gunicorn.app.wsgiapp",
                         "gunicorn.workers.gthread"]},
    "eventlet": {"patch": True,
                 "preload": [*_OPENSTACK_LIBRARIES, "castellan.key_manager",
                             "oslo_reports.guru_meditation_report"]},
    "swift": {"patch": False,
              "preload": ["swift.common.wsgi", "swift.common.db", "swift.common.ring",
                          "swift.common.request_helpers"]},
}


def preload(family):
    if family["patch"]:
        import eventlet

        eventlet.monkey_patch()
    for name in family["preload"]:
        try:
            importlib.import_module(name)
        except Exception as exc:  # a library this release lacks: its users import what they need
            print(f"forkserver: not preloading {name}: {exc!r}", file=sys.stderr)
    # A fork copies only the calling thread: a library that started one would lose it.
    if threading.active_count() > 1:
        print(f"forkserver: threads running before fork: {threading.enumerate()}",
              file=sys.stderr)


def _redirect(log_path):
    """stdin from /dev/null, stdout and stderr appended to the child's log."""
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.close(devnull)


def _title(argv):
    """What `ps` shows: the command, not this file. (Before the environment is replaced:
    setproctitle borrows the environment's memory on its first call.)"""
    try:
        from setproctitle import setproctitle  # gunicorn's optional dependency
    except ImportError:
        return
    setproctitle(" ".join(argv))


def run_program(argv):
    """Run argv as `python ...` or as a Python console script would run, in this process."""
    if os.path.basename(argv[0]).startswith("python"):
        argv = argv[1:]
        if argv[0] == "-m":
            sys.argv = [argv[1], *argv[2:]]
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
            return
    sys.argv = list(argv)
    sys.path[0] = os.path.dirname(os.path.abspath(argv[0]))
    runpy.run_path(argv[0], run_name="__main__")


def child(spec):
    """In the forked child: become the process spec describes and run it. Never returns:
    its exit (and the exit code of its program) ends this process, as it would its own."""
    gc.enable()
    code = 1
    try:
        os.setsid()
        _redirect(spec["log"])
        _title(spec["argv"])
        os.chdir(spec["cwd"])
        os.environ.clear()
        os.environ.update(spec["env"])
        run_program(spec["argv"])
        code = 0
    except SystemExit as exc:
        code = exc.code
    except BaseException:
        traceback.print_exc()
    sys.exit(code)


def main():
    # What Python's gc documentation advises before fork without exec: no collection in
    # here (its freed holes would be copied into every child), and what was imported moved
    # out of the collector's sight (its bookkeeping writes would copy the pages anyway).
    gc.disable()
    family = FAMILIES[sys.argv[1]]
    children = json.load(sys.stdin)
    preload(family)
    gc.freeze()
    for spec in children:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            child(spec)
        print(spec["name"], pid, flush=True)


if __name__ == "__main__":
    main()
