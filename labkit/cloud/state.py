"""Creating a state folder fast: the slow part is done once into a seed, then copied.

Database syncs and Keystone's users, projects and catalog take most of a fresh start (tens
of seconds). They run once per services environment into ``seed/``: a PostgreSQL data
folder holding every service's database, Keystone's with every account and catalog entry
(identities.set_up). Every new state copies it, keeps the seed's service-user passwords (so
the services authenticate from their first second), and gets its own passwords for the
admin, the learner and the partner (changed at its bootstrap) and the database roles, its
own keys, rings and configuration. A service that a state does not have yet (a newer labkit
registered it) joins that state on the next `up`: see ``join``.
"""

import json
import os
import secrets as pysecrets
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..private import write_private
from . import configuration, process
from .errors import CloudError, InstallFailed, StateTooOld
from .keystone import SERVICE as KEYSTONE
from .layout import STATE_FORMAT, Layout
from .postgres import SERVICE as DATABASE
from .process import log_tail
from .registry import SERVICES
from .service import Service, template_values

#: The seed's own changes come after the state's format: .1, its accounts and catalog
SEED_FORMAT = f"{STATE_FORMAT}.1"

#: What a state folder may hold: anything else means LABKIT_STATE points somewhere wrong.
STATE_ENTRIES = {"FORMAT", "ports.json", "services.json", "secrets.json", "clouds.yaml", "logs",
                 "run", "bootstrapped", configuration.RECORD, *(s.name for s in SERVICES)}


def _word():
    return pysecrets.token_urlsafe(18)


def new_secrets():
    return {
        "admin": _word(), "learner": _word(), "partner": _word(),
        "services": {}, "databases": {},
        "swift_hash": [pysecrets.token_hex(8), pysecrets.token_hex(8)],
    }


def add_service_secrets(secrets, services):
    """A password for each service user and each service's database role."""
    for service in services:
        if service.has_service_user:
            secrets["services"].setdefault(service.name, _word())
        if service.databases or service is DATABASE:
            secrets["databases"].setdefault(service.name, _word())
    return secrets


def read_secrets(layout):
    return json.loads(layout.secrets_file.read_text())


def state_services(layout):
    """The names of the services set up in this state."""
    try:
        return json.loads(layout.services_file.read_text())
    except (OSError, ValueError):
        return []


class Runner:
    """Runs a services tool against one state folder, its output going to logs/setup.log."""

    def __init__(self, layout, log_name="setup"):
        self.layout = layout
        self.log_name = log_name
        layout.logs.mkdir(parents=True, exist_ok=True)

    def __call__(self, argv, env=None, input=None):
        log = self.layout.log(self.log_name)
        with open(log, "a") as out:
            out.write(f"$ {' '.join(Path(argv[0]).name if i == 0 else a for i, a in enumerate(argv))}\n")
            out.flush()
            done = subprocess.run(
                argv, stdout=out, stderr=subprocess.STDOUT, text=True,
                **({"input": input} if input is not None else {"stdin": subprocess.DEVNULL}),
                cwd=self.layout.state,
                env={**os.environ, "LABKIT_STATE": str(self.layout.state),
                     "PYTHONWARNINGS": "ignore", **(env or {})})
        if done.returncode:
            raise InstallFailed(f"the pocket cloud's state ({Path(argv[0]).name})", log,
                                log_tail(log))


def _configure(layout, secrets_, services, say=print):
    """Render services' templates into the state; the paths whose text changed."""
    values = template_values(layout, secrets_, SERVICES)
    return configuration.write(layout, {dest: text for service in services
                                        for dest, text in service.configuration(values).items()},
                               say)


def refresh(layout, say=print):
    """Bring the services this state has up to this labkit (every `up`): their configuration
    rendered again (what an operator edited stays) and the folders they need. Returns the
    names of the services that read a changed file: running, they must restart to read it."""
    have = set(state_services(layout))
    services = [service for service in SERVICES if service.name in have]
    changed = _configure(layout, read_secrets(layout), services, say)
    for service in services:
        service.make_folders(layout)
    return sorted({_reader(dest) for dest in changed} & have)


def _reader(dest):
    """The service that reads a configuration file: the one whose folder it is in (OVN's
    overlay neutron/neutron-ovn.conf is Neutron's to read)."""
    return dest.split("/")[0]


def _puts_in_seed(service):
    """True when a service keeps something in the seed: a database, or a one-time init."""
    return bool(service.databases) or type(service).init is not Service.init


def _seed_is_current(layout):
    """The seed has this labkit's format and every service that keeps something in it (a
    service without either, such as the file server, needs no new seed to join)."""
    try:
        marker = json.loads((layout.seed / "SEED").read_text())
    except (OSError, ValueError):
        return False
    return (marker.get("format") == SEED_FORMAT
            and {s.name for s in SERVICES if _puts_in_seed(s)} <= set(marker.get("services", [])))


def ensure_seed(layout, say=print):
    """Build the seed once per services environment: a database server holding every
    service's database, made by each service's init, and Keystone's accounts and catalog."""
    if _seed_is_current(layout):
        return False
    say("Preparing the initial cloud state (once per install; about a minute).")
    tmp = Path(tempfile.mkdtemp(prefix="seed-", dir=layout.services))
    seed = Layout(state=tmp, services=layout.services)
    # the seed's own servers take any free ports, so a running cloud is never in the way
    postgres, keystone = process.free_ports(2)
    (tmp / "ports.json").write_text(json.dumps({**seed.ports(), "postgres": postgres,
                                                "keystone": keystone}))
    seed_secrets = add_service_secrets(new_secrets(), SERVICES)
    _configure(seed, seed_secrets, SERVICES)
    try:
        DATABASE.init(seed, Runner(seed, "setup-postgres"), seed_secrets)
        with DATABASE.running(seed):
            for service in SERVICES:
                DATABASE.create_databases(seed, seed_secrets, service)
            with ThreadPoolExecutor(max_workers=4) as pool:
                for future in [pool.submit(s.init, seed, Runner(seed, f"setup-{s.name}"),
                                           seed_secrets)
                               for s in SERVICES if s is not DATABASE]:
                    future.result()
            _seed_accounts(seed, seed_secrets)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    # what a new state inherits: the admin's password until its bootstrap changes it, and
    # the service users' for good
    write_private(tmp / "secrets.json", json.dumps(
        {"admin": seed_secrets["admin"], "services": seed_secrets["services"]}))
    (tmp / "SEED").write_text(json.dumps(
        {"format": SEED_FORMAT, "services": [s.name for s in SERVICES]}))
    shutil.rmtree(layout.seed, ignore_errors=True)
    tmp.rename(layout.seed)
    return True


def _seed_accounts(seed, seed_secrets):
    """Keystone's accounts and catalog, made through its API (identities.set_up) by the
    seed's own Keystone, on its free port."""
    from . import identities  # it imports this module

    keystone = KEYSTONE.processes(seed)
    process.start(seed, keystone[0])
    try:
        process.wait_healthy(seed, keystone, timeout=120)
        identities.set_up(seed, seed_secrets)
    finally:
        process.stop(seed, keystone)


def check_format(layout):
    found = layout.format_file.read_text().strip() if layout.format_file.is_file() else None
    if found is not None and found != str(STATE_FORMAT):
        raise StateTooOld(layout.state, found, STATE_FORMAT)
    return found is not None


def create(layout, say=print):
    """Make a new state folder from the seed. The caller checked there is none yet."""
    if layout.state.exists():
        strangers = {p.name for p in layout.state.iterdir()} - STATE_ENTRIES
        if strangers:
            raise CloudError(
                f"Not making a pocket cloud in {layout.state}: that folder holds files that "
                f"are not the pocket cloud's ({', '.join(sorted(strangers)[:3])}). Point "
                f"LABKIT_STATE at an empty or new folder.")
        shutil.rmtree(layout.state)  # an earlier creation that was interrupted
    layout.state.mkdir(parents=True, mode=0o700)
    layout.ports_file.write_text(json.dumps(layout.ports(), indent=1))
    seed_secrets = json.loads((layout.seed / "secrets.json").read_text())
    secrets_ = new_secrets()
    secrets_["services"].update(seed_secrets["services"])  # the seed's service users
    add_service_secrets(secrets_, SERVICES)
    secrets_["bootstrap_admin"] = seed_secrets["admin"]  # until bootstrap changes it
    write_private(layout.secrets_file, json.dumps(secrets_, indent=1))
    for service in SERVICES:
        for rel in service.seed_folders:
            shutil.copytree(layout.seed / rel, layout.state / rel, symlinks=True)
    _configure(layout, secrets_, SERVICES)
    run = Runner(layout)
    for service in SERVICES:
        service.prepare(layout, run)
    _record_services(layout, SERVICES)
    layout.format_file.write_text(f"{STATE_FORMAT}\n")  # written last: the state is complete
    say(f"New cloud state in {layout.state}")


def missing_services(layout):
    """Registered services this state was made without (an older labkit made it)."""
    have = set(state_services(layout))
    return [service for service in SERVICES if service.name not in have]


def join(layout, services, say=print):
    """Set up services in an existing state, keeping everything else in it: their ports,
    passwords, configuration, databases (made by their init, as for the seed) and set-up.
    The database server is running (`up` starts it first). The catalog follows at the
    next bootstrap."""
    secrets_ = add_service_secrets(read_secrets(layout), services)
    write_private(layout.secrets_file, json.dumps(secrets_, indent=1))
    layout.ports_file.write_text(json.dumps(layout.ports(), indent=1))
    _configure(layout, secrets_, services)
    for service in services:
        say(f"Adding {service.name} to this cloud (its database and set-up; once).")
        run = Runner(layout, f"setup-{service.name}")
        DATABASE.create_databases(layout, secrets_, service)
        service.init(layout, run, secrets_)
        service.prepare(layout, run)
    _record_services(layout, [s for s in SERVICES
                              if s in services or s.name in state_services(layout)])


def _record_services(layout, services):
    layout.services_file.write_text(json.dumps([s.name for s in services]))
