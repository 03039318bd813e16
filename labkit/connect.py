"""Which cloud the lessons use, and as whom.

A lesson needs up to three identities: the learner, an admin, and a member of a second
("partner") project. They are found, in order:

1. arguments: ``labkit.identities(cloud=..., admin=..., partner=...)`` (papermill
   parameters end up here);
2. environment: ``OS_CLOUD`` for the learner, ``LABKIT_ADMIN_CLOUD`` and
   ``LABKIT_PARTNER_CLOUD`` for the others;
3. well-known names: DevStack's clouds.yaml has ``devstack``, ``devstack-admin`` and
   ``devstack-alt``; the pocket cloud has ``labkit``, ``labkit-admin``, ``labkit-partner``;
4. nothing set at all: the pocket cloud, started if needed.
"""

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import openstack
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc
from openstack.config import OpenStackConfig
from openstack.config.exceptions import OpenStackConfigException

IDENTITY_ROLES = ("learner", "admin", "partner")  #: who a lesson acts as (not Keystone roles)
WELL_KNOWN = {  # learner cloud name -> its admin and partner clouds
    "devstack": {"admin": "devstack-admin", "partner": "devstack-alt"},
    "labkit": {"admin": "labkit-admin", "partner": "labkit-partner"},
}
POCKET_NAMES = ("labkit", "labkit-admin", "labkit-partner")  #: in the pocket's clouds.yaml
ROLE_ENV = {"admin": "LABKIT_ADMIN_CLOUD", "partner": "LABKIT_PARTNER_CLOUD"}
API_TIMEOUT = 60  # seconds


class ConnectError(Exception):
    """A cloud could not be reached or used; the message says what to do."""


class NoSuchCloud(ConnectError):
    """clouds.yaml has no cloud of that name."""


class CredentialsRefused(ConnectError):
    """Keystone refused the credentials; status is e.g. "HTTP 401"."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


class MissingIdentity(ConnectError):
    """The lesson needs an identity (admin, partner) that this cloud set-up does not have."""


@dataclass
class Identities:
    """The cloud names (in clouds.yaml) for each role; None where there is none."""

    learner: str
    admin: str | None
    partner: str | None
    config_file: str | None = None  #: set for the pocket cloud
    pocket: bool = False

    def name(self, role):
        if role not in IDENTITY_ROLES:
            raise ValueError(f"role must be one of {', '.join(IDENTITY_ROLES)}, not {role!r}")
        return getattr(self, role)


_chosen = {}


def identities(cloud=None, admin=None, partner=None):
    """Resolve (and remember, for later connect() calls) who the lesson acts as."""
    given = {k: v for k, v in dict(learner=cloud, admin=admin, partner=partner).items() if v}
    if given:
        _chosen.clear()
        _chosen.update(given)
    learner = _chosen.get("learner") or os.environ.get("OS_CLOUD")
    if not learner or _is_pocket_name(learner):
        return _pocket_identities(learner or "labkit")
    known = WELL_KNOWN.get(learner, {})
    pick = {role: _chosen.get(role) or os.environ.get(ROLE_ENV[role]) or known.get(role)
            for role in ("admin", "partner")}
    config_file = os.environ.get("OS_CLIENT_CONFIG_FILE")
    return Identities(learner, pick["admin"], pick["partner"], config_file=config_file,
                      pocket=_is_pocket(learner, config_file))


def _is_pocket(learner, config_file):
    """True when the named cloud is this machine's pocket cloud: `labkit` read from the pocket
    cloud's own clouds.yaml, which is what `labkit lab` and `labkit cloud env` export."""
    if learner != "labkit" or not config_file:
        return False
    from .cloud import PocketCloud

    pocket_file = PocketCloud(say=lambda *_: None).layout.clouds_yaml
    return Path(config_file).resolve() == pocket_file.resolve()


def _is_pocket_name(name):
    """The pocket cloud's own names mean the pocket cloud, also in a shell that has not run
    `labkit cloud env`; an exported OS_CLIENT_CONFIG_FILE still decides where they are."""
    return name in POCKET_NAMES and not os.environ.get("OS_CLIENT_CONFIG_FILE")


def _pocket_identities(learner):
    """The pocket cloud's identities (its clouds.yaml), started if it is not running."""
    from .cloud import PocketCloud

    pocket = PocketCloud()
    if not pocket.is_up():
        pocket.up()
    known = WELL_KNOWN.get(learner, {})
    return Identities(learner, _chosen.get("admin") or known.get("admin"),
                      _chosen.get("partner") or known.get("partner"),
                      config_file=str(pocket.layout.clouds_yaml), pocket=True)


def connect(cloud=None, role="learner"):
    """An openstacksdk Connection for role ("learner", "admin" or "partner").

    With no cloud named anywhere this is the pocket cloud. For the learner, ``OS_CLOUD``
    (and ``OS_CLIENT_CONFIG_FILE``) are exported so that ``!openstack ...`` cells use the
    same cloud and identity.
    """
    who = identities(cloud) if cloud else identities()
    name = who.name(role)
    if name is None:
        raise MissingIdentity(
            f"This part needs the {role} identity, and none is configured for cloud "
            f"{who.learner!r}. Set {ROLE_ENV[role]} to the name of a cloud in your clouds.yaml "
            f"that acts as the {role}, or skip this part.")
    if role == "learner":
        _export_for_cli(name, who.config_file)
    return open_cloud(name, who.config_file)


def _export_for_cli(cloud, config_file):
    """Make `!openstack ...` cells act as the learner, on the same cloud, with the CLI that
    is installed beside the kernel's Python (a kernel's PATH need not include its venv)."""
    os.environ["OS_CLOUD"] = cloud
    if config_file:
        os.environ["OS_CLIENT_CONFIG_FILE"] = str(config_file)
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def open_cloud(name, config_file=None):
    """A Connection to cloud `name` of clouds.yaml (config_file, or the usual places),
    authenticated now so that a wrong password or an unreachable cloud shows at once."""
    # An explicit file wins over OS_CLIENT_CONFIG_FILE (which openstacksdk would read first).
    config = (OpenStackConfig(config_files=[str(config_file)], load_envvars=False)
              if config_file else OpenStackConfig())
    try:
        region = config.get_one(cloud=name)
    except OpenStackConfigException as exc:
        raise NoSuchCloud(
            f"No cloud called {name!r} in your clouds.yaml ({exc}). Check OS_CLOUD and "
            f"OS_CLIENT_CONFIG_FILE, or unset OS_CLOUD to use the pocket cloud.") from None
    # Bound every request (a cloud that accepts connections but never answers must not hang
    # a lesson), unless clouds.yaml chose a timeout itself.
    region.config.setdefault("api_timeout", None)
    region.config["api_timeout"] = region.config["api_timeout"] or API_TIMEOUT
    conn = openstack.connection.Connection(config=region)
    try:
        conn.authorize()
    except sdk_exc.SDKException as exc:
        # authorize() wraps keystoneauth's error; the original says what went wrong
        cause = exc.__context__ or exc
        # (404: Keystone's answer for an application credential that was deleted)
        if isinstance(cause, (ks_exc.Unauthorized, ks_exc.Forbidden, ks_exc.NotFound)):
            raise CredentialsRefused(
                f"Cloud {name!r} refused the credentials in clouds.yaml "
                f"({cause.http_status}): check the user name, password and project.",
                f"HTTP {cause.http_status}") from None
        raise ConnectError(f"Could not reach cloud {name!r}: {exc}") from None
    return conn


def optional_connection(role, cloud=None):
    """Like connect(), but returns None (and says why) when the identity is not available."""
    try:
        return connect(cloud, role=role)
    except MissingIdentity as exc:
        print(f"Skipping: {exc}")
        return None
