"""What every pocket-cloud service declares, devstack style: one phase per method.

A service module (keystone.py, glance.py, ...) subclasses Service and fills in:

- ``ports``: the ports it listens on (before ``LABKIT_PORT_OFFSET``), by process name;
- ``databases``: the PostgreSQL databases it keeps its data in (its templates get each
  one's URL as ``@DB_<NAME>@``; the role and password are the service's own);
- ``templates``: its configuration files, rendered from ``templates/<name>/`` into the
  state folder on every `up` (a file an operator edited stays: see configuration.py);
- ``values``: template values of its own, beyond ports, passwords and database URLs;
- ``init``: the slow one-time set-up (database syncs), run with the database server up,
  once into the *seed* that new states are copied from;
- ``prepare``: the quick per-state set-up (keys, rings, folders);
- ``processes``: what to run, on which port, and how to tell it is healthy;
- ``endpoints``: its entries in Keystone's service catalog.

Adding a service is one module, its templates and one line in registry.py: an existing
state gains it on the next `labkit cloud up` (database, set-up, catalog entry).
"""

import getpass
import re
from importlib import resources

from .process import RUNNERS, Process

TEMPLATES = resources.files("labkit.cloud") / "templates"

_PLACEHOLDER = re.compile(r"@([A-Z0-9_]+)@")


def render(template, values):
    """Fill the @NAME@ placeholders of a template; every one must have a value."""
    text = (TEMPLATES / template).read_text()

    def value(match):
        key = match.group(1)
        if key not in values:
            raise KeyError(f"template {template} needs a value for @{key}@")
        return str(values[key])

    return _PLACEHOLDER.sub(value, text)


def template_values(layout, secrets, services):
    """Everything a template may refer to, for one state folder: paths, every port, every
    service user's password, every database's URL, and the services' own values."""
    from .postgres import database_urls  # postgres.py is itself a Service

    values = {"STATE": layout.state, "SERVICES": layout.services, "USER": getpass.getuser()}
    values.update({f"PORT_{name.upper().replace('-', '_')}": port
                   for name, port in layout.ports().items()})
    values.update({f"PASSWORD_{name.upper()}": pw
                   for name, pw in secrets.get("services", {}).items()})
    values.update(database_urls(layout, secrets, services))
    for service in services:
        values.update(service.values(layout, secrets))
    return values


class Service:
    name = ""
    #: {process name: port before the offset}
    ports = {}
    #: names of the PostgreSQL databases it needs
    databases = ()
    #: (template under templates/, destination under the state folder)
    templates = ()
    #: folders (under the state folder) made by init() and copied from the seed
    seed_folders = ()
    #: folders (under the state folder) every state needs
    folders = ()
    #: a Keystone service user is created for it (and its password rendered in)
    has_service_user = False
    #: the rest of the cloud works without it: if it fails to start, `up` says so, goes on,
    #: and the lessons that need it say they skip
    optional = False
    #: started, and waited for, before the others (the database server)
    starts_first = False
    #: for a service that may be missing (see missing()): the tier it belongs to, and what
    #: the cloud does without it, as `up` says them
    tier = "compute (booting servers)"
    without = "the other services run; the lessons' boot parts say they skip"

    def values(self, layout, secrets):
        """Template values of this service's own (see template_values for the shared ones)."""
        return {}

    def configuration(self, values):
        """{path under the state folder: text} of its configuration files."""
        return {dest: render(template, values) for template, dest in self.templates}

    def init(self, layout, run, secrets):
        """One-time set-up into a fresh state (the seed). run(argv) runs a services tool."""

    def prepare(self, layout, run):
        """Per-state set-up after the seed has been copied in."""
        self.make_folders(layout)

    def make_folders(self, layout):
        for folder in self.folders:
            (layout.state / folder).mkdir(parents=True, exist_ok=True)

    def missing(self, layout):
        """None when it can run on this machine, else why not (`up` says it)."""
        return None

    def processes(self, layout):
        return []

    def endpoints(self, layout):
        """[(service type, service name, URL)] for Keystone's catalog."""
        return []

    # helpers for subclasses
    def web_process(self, layout, threads, health_path="/"):
        """The service's API process: runners/NAME_app.py under gunicorn on its port, healthy
        once health_path answers."""
        port = layout.ports()[self.name]
        return Process(self.name, self.gunicorn(layout, self.name, f"{self.name}_app", port,
                                                threads),
                       port=port, health_url=layout.url(self.name, health_path), family="wsgi")

    @staticmethod
    def tool(layout, name):
        return str(layout.venv_bin / name)

    @staticmethod
    def gunicorn(layout, name, module, port, threads):
        """A WSGI app under gunicorn, as the recipe found works (see the flags' reasons)."""
        return [
            str(layout.venv_bin / "gunicorn"),
            "--config", str(RUNNERS / "gunicorn_conf.py"),
            # gunicorn would otherwise share one control socket between all instances
            "--no-control-socket",
            # the 2 s default races openstacksdk's 2 s polling (ConnectionResetError)
            "--keep-alive", "120",
            "--timeout", "600",
            "--workers", "1", "--worker-class", "gthread", "--threads", str(threads),
            "--bind", f"127.0.0.1:{port}",
            "--pythonpath", str(RUNNERS),
            "--access-logfile", str(layout.log(f"{name}-access")),
            "--access-logformat", '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
            f"{module}:application",
        ]
