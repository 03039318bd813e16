"""Creating a state folder fast: the slow part is done once into a seed, then copied.

Database syncs and Keystone's bootstrap take most of a fresh start (tens of seconds). They
are run once per services environment into ``seed/``; every new state copies the seed's
databases, then gets its own passwords, keys, rings and configuration.
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
from .errors import CloudError, InstallFailed, StateTooOld
from .glance import import_plugins
from .layout import DEFAULT_PORTS, STATE_FORMAT, Layout
from .process import log_tail
from .registry import SERVICES
from .service import template_values

SEED_FORMAT = f"{STATE_FORMAT}"

#: What a state folder may hold: anything else means LABKIT_STATE points somewhere wrong.
STATE_ENTRIES = {"FORMAT", "ports.json", "secrets.json", "clouds.yaml", "logs", "run",
                 "bootstrapped", *(s.name for s in SERVICES)}


def new_secrets():
    word = lambda: pysecrets.token_urlsafe(18)  # noqa: E731
    return {
        "admin": word(), "learner": word(), "partner": word(),
        "services": {s.name: word() for s in SERVICES if s.has_service_user},
        "swift_hash": [pysecrets.token_hex(8), pysecrets.token_hex(8)],
    }


def read_secrets(layout):
    return json.loads(layout.secrets_file.read_text())


class Runner:
    """Runs a services tool against one state folder, its output going to logs/setup.log."""

    def __init__(self, layout, log_name="setup"):
        self.layout = layout
        self.log_name = log_name
        layout.logs.mkdir(parents=True, exist_ok=True)

    def __call__(self, argv, env=None):
        log = self.layout.log(self.log_name)
        with open(log, "a") as out:
            out.write(f"$ {' '.join(Path(argv[0]).name if i == 0 else a for i, a in enumerate(argv))}\n")
            out.flush()
            done = subprocess.run(
                argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=self.layout.state,
                env={**os.environ, "LABKIT_STATE": str(self.layout.state),
                     "PYTHONWARNINGS": "ignore", **(env or {})})
        if done.returncode:
            raise InstallFailed(f"the pocket cloud's state ({Path(argv[0]).name})", log,
                                log_tail(log))


def _configure(layout, secrets_):
    values = template_values(layout, secrets_, {
        "SWIFT_HASH_PREFIX": secrets_["swift_hash"][0],
        "SWIFT_HASH_SUFFIX": secrets_["swift_hash"][1],
        "IMPORT_PLUGINS": import_plugins(),
    })
    for service in SERVICES:
        service.configure(layout, values)


def ensure_seed(layout, say=print):
    """Build the seed once per services environment (databases made by each service's init)."""
    if (layout.seed / "SEED").is_file() and (layout.seed / "SEED").read_text() == SEED_FORMAT:
        return False
    say("Preparing the initial cloud state (once per install; about 30 s).")
    tmp = Path(tempfile.mkdtemp(prefix="seed-", dir=layout.services))
    seed = Layout(state=tmp, services=layout.services)
    seed_secrets = new_secrets()
    _configure(seed, seed_secrets)
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            for future in [pool.submit(s.init, seed, Runner(seed, f"setup-{s.name}"),
                                       seed_secrets) for s in SERVICES]:
                future.result()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    write_private(tmp / "secrets.json", json.dumps({"admin": seed_secrets["admin"]}))
    (tmp / "ports.json").write_text(json.dumps(seed.ports()))
    (tmp / "SEED").write_text(SEED_FORMAT)
    shutil.rmtree(layout.seed, ignore_errors=True)
    tmp.rename(layout.seed)
    return True


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
    offset = int(os.environ.get("LABKIT_PORT_OFFSET", "0"))
    layout.ports_file.write_text(json.dumps(
        {name: port + offset for name, port in DEFAULT_PORTS.items()}, indent=1))
    secrets_ = new_secrets()
    secrets_["bootstrap_admin"] = json.loads((layout.seed / "secrets.json").read_text())["admin"]
    write_private(layout.secrets_file, json.dumps(secrets_, indent=1))
    for service in SERVICES:
        for rel in service.seed_files:
            (layout.state / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(layout.seed / rel, layout.state / rel)
    _configure(layout, secrets_)
    run = Runner(layout)
    for service in SERVICES:
        service.prepare(layout, run)
    layout.format_file.write_text(f"{STATE_FORMAT}\n")  # written last: the state is complete
    say(f"New cloud state in {layout.state}")
