"""Who is who in the pocket cloud: projects, users, roles, the catalog, and clouds.yaml.

Run once per state, as the admin, right after Keystone answers:
- the admin's password is changed from the seed's to this state's own;
- projects ``lesson`` (the learner's) and ``partner`` (a second project for sharing and
  isolation lessons), users ``learner`` and ``partner`` with the ``member`` role;
- a service user per service (roles ``admin`` and ``service`` in project ``service``);
- catalog entries for every service, and a few flavors;
- ``clouds.yaml`` with the clouds ``labkit``, ``labkit-admin`` and ``labkit-partner``.
"""

import json
import time

import openstack
from keystoneauth1 import exceptions as ks_exc

from . import file_server, ovn
from .registry import SERVICES
from .service import render
from ..accounts import find_or_create_project, find_or_create_user
from ..private import write_private
from .state import read_secrets

CLOUD_NAMES = {"learner": "labkit", "admin": "labkit-admin", "partner": "labkit-partner"}
PEOPLE = [("learner", "lesson"), ("partner", "partner")]  # user, project
#: Keystone's own three, "service" for the service users, and the role Swift's proxy names
#: (reseller_admin_role) for operations on any account, such as setting account quotas
ROLES = ["admin", "member", "reader", "service", "ResellerAdmin"]
FLAVORS = [("m1.tiny", 512, 1, 1), ("m1.small", 2048, 1, 20), ("m1.medium", 4096, 2, 40)]


def _admin_connection(layout, password):
    # The seed's catalog names the default Keystone port; until _catalog() has corrected it
    # for this state's ports, talk to this state's Keystone directly.
    return openstack.connection.Connection(
        auth_url=layout.url("keystone", "/v3"), username="admin", password=password,
        identity_endpoint_override=layout.url("keystone", "/v3"),
        project_name="admin", user_domain_name="Default", project_domain_name="Default",
        region_name="RegionOne", identity_api_version=3)


def _rotate_admin_password(layout, secrets):
    """Swap the seed's admin password for this state's; safe to repeat after a failure."""
    if "bootstrap_admin" not in secrets:
        return
    conn = _admin_connection(layout, secrets["bootstrap_admin"])
    try:
        admin = conn.identity.find_user("admin", domain_id="default", ignore_missing=False)
        conn.identity.update_user(admin, password=secrets["admin"])
    except ks_exc.Unauthorized:
        pass  # already rotated by an earlier, interrupted run
    del secrets["bootstrap_admin"]
    write_private(layout.secrets_file, json.dumps(secrets, indent=1))
    # A password change revokes the user's tokens with one-second granularity, so a token
    # issued in that same second is refused too: wait for the next one.
    time.sleep(1.1)


def _catalog(idc, layout):
    wanted = [("identity", "keystone", layout.url("keystone", "/v3"))]
    for service in SERVICES:
        wanted += service.endpoints(layout)
    for stype, name, url in wanted:
        svc = idc.find_service(name) or idc.create_service(name=name, type=stype, enabled=True)
        have = {e.interface: e for e in idc.endpoints(service_id=svc.id)}
        for interface in ("public", "internal", "admin"):
            if interface not in have:
                idc.create_endpoint(service_id=svc.id, interface=interface, url=url,
                                    region_id="RegionOne")
            elif have[interface].url != url:  # the state was made with other ports
                idc.update_endpoint(have[interface], url=url)


def _flavors(conn):
    have = {f.name for f in conn.compute.flavors()}
    for name, ram, vcpus, disk in FLAVORS:
        if name not in have:
            conn.compute.create_flavor(name=name, ram=ram, vcpus=vcpus, disk=disk)


def bootstrap(layout):
    secrets = read_secrets(layout)
    _rotate_admin_password(layout, secrets)
    conn = _admin_connection(layout, secrets["admin"])
    idc = conn.identity
    for role in ROLES:
        idc.find_role(role) or idc.create_role(name=role)
    service_project = find_or_create_project(idc, "service", "Service users of the pocket cloud")
    for service in SERVICES:
        if service.has_service_user:
            find_or_create_user(idc, service.name, secrets["services"][service.name],
                                service_project, ["admin", "service"])
    descriptions = {"lesson": "The learner's project for OpenStack Day 3",
                    "partner": "A second project, for sharing and isolation lessons"}
    for user, project in PEOPLE:
        find_or_create_user(idc, user, secrets[user],
                            find_or_create_project(idc, project, descriptions[project]),
                            ["member"])
    _catalog(idc, layout)
    conn.close()
    # a fresh connection sees the catalog just written
    conn = _admin_connection(layout, secrets["admin"])
    _flavors(conn)
    if not ovn.SERVICE.missing(layout):
        ovn.ensure_public_network(conn)
    if _has_storage_network(layout):
        ovn.ensure_storage_network(conn, file_server.STORAGE_NETWORK)
    conn.close()
    write_clouds_yaml(layout, secrets)
    _marker(layout).write_text(json.dumps(sorted(_catalogued(layout))))


def _marker(layout):
    return layout.state / "bootstrapped"


def _has_storage_network(layout):
    """Servers can join the file server's network where both networking and it run."""
    return not ovn.SERVICE.missing(layout) and not file_server.SERVICE.missing(layout)


def _catalogued(layout):
    """The services whose users and catalog entries bootstrap makes on this machine: every
    registered one that can run here (Placement only where compute can, see system.py),
    and "network:storage" where the storage network can be made (so that a state made
    before it gains it on its next `up`)."""
    done = {s.name for s in SERVICES if not s.missing(layout)}
    return done | ({"network:storage"} if _has_storage_network(layout) else set())


def is_bootstrapped(layout):
    """True once the catalog has an entry for every service that can run here (a service
    that joined the state since, or compute that became available, is missing until the
    next bootstrap, which adds it)."""
    try:
        done = json.loads(_marker(layout).read_text())
    except (OSError, ValueError):
        return False
    return set(done) >= _catalogued(layout)


def write_clouds_yaml(layout, secrets):
    write_private(layout.clouds_yaml, render("clouds/clouds.yaml", {
        "CLOUDS_YAML": layout.clouds_yaml,
        "AUTH_URL": layout.url("keystone", "/v3"),
        "PASSWORD_LEARNER": secrets["learner"],
        "PASSWORD_ADMIN": secrets["admin"],
        "PASSWORD_PARTNER": secrets["partner"],
    }))
