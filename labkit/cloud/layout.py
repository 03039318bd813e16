"""Where the pocket cloud keeps things: its services' virtual environment and its state.

Two folders, both under ``LABKIT_HOME`` (default: ``.labkit`` in the checkout):

- the services environment (``services-<release>/``): the OpenStack services installed
  from PyPI, plus a *seed*, an initialised state that new clouds are copied from;
- the state folder (``state/``, or ``LABKIT_STATE``): databases, keys, image store, Swift
  devices, logs, pid files, the generated ``clouds.yaml`` and secrets. ``reset`` wipes it.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

#: The OpenStack release series the services come from (see constraints.txt).
RELEASE = "2026.1"

#: Bumped when the state folder's layout or configuration changes incompatibly. A new
#: service is not such a change: it joins existing states on the next `up`.
STATE_FORMAT = 3  # 2: Manila joined; 3: the databases moved from sqlite to PostgreSQL

HOST = "127.0.0.1"


def _default_home():
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "labkit").is_dir():
        return checkout / ".labkit"
    return Path.home() / ".local" / "share" / "labkit"


def labkit_home():
    return Path(os.environ.get("LABKIT_HOME") or _default_home()).resolve()


@dataclass(frozen=True)
class Layout:
    """The paths of one pocket cloud. Cheap to build; creates nothing."""

    state: Path
    services: Path

    @classmethod
    def default(cls):
        home = labkit_home()
        state = os.environ.get("LABKIT_STATE") or home / "state"
        services = os.environ.get("LABKIT_SERVICES_VENV") or home / f"services-{RELEASE}"
        return cls(Path(state).resolve(), Path(services).resolve())

    # --- the services' environment ---
    @property
    def venv_bin(self):
        return self.services / "bin"

    @property
    def seed(self):
        return self.services / "seed"

    # --- the state folder ---
    @property
    def logs(self):
        return self.state / "logs"

    @property
    def run(self):
        return self.state / "run"

    @property
    def clouds_yaml(self):
        return self.state / "clouds.yaml"

    @property
    def secrets_file(self):
        return self.state / "secrets.json"

    @property
    def format_file(self):
        return self.state / "FORMAT"

    @property
    def ports_file(self):
        return self.state / "ports.json"

    @property
    def services_file(self):
        """The services set up in this state (a newer labkit may register more)."""
        return self.state / "services.json"

    def log(self, name):
        return self.logs / f"{name}.log"

    def pidfile(self, name):
        return self.run / f"{name}.pid"

    def ports(self):
        """The ports this state was created with. A service newer than the state (an older
        labkit made it) gets its default port with the same offset as the state's."""
        from .registry import default_ports  # each service declares its own

        defaults = default_ports()
        offset = int(os.environ.get("LABKIT_PORT_OFFSET", "0"))
        saved = json.loads(self.ports_file.read_text()) if self.ports_file.is_file() else {}
        if "keystone" in saved:
            offset = saved["keystone"] - defaults["keystone"]
        return {**{name: port + offset for name, port in defaults.items()}, **saved}

    def url(self, service, path=""):
        return f"http://{HOST}:{self.ports()[service]}{path}"
