"""Who is who in the pocket cloud: projects, users, roles, the catalog, and clouds.yaml.

Made once per services install, into the seed (state.ensure_seed calls ``set_up`` with the
seed's own Keystone running):
- the roles; project ``service`` with a user per service (roles ``admin`` and ``service``);
- projects ``lesson`` (the learner's) and ``partner`` (a second project for sharing and
  isolation lessons), users ``learner`` and ``partner`` with the ``member`` role;
- a catalog entry for every registered service.

Then, per state, as the admin, right after its Keystone answers (``bootstrap``): the admin's,
learner's and partner's passwords are changed from the seed's to this state's own (the
service users keep the seed's, so every service authenticates from its first second); the
catalog is made to list exactly the services that run on this machine; a service that
joined the state since gets its user; flavors and networks; ``clouds.yaml`` with the clouds
``labkit``, ``labkit-admin`` and ``labkit-partner``. Each step makes only what is missing,
so an interrupted bootstrap is simply run again.
"""

import json
import time
from dataclasses import dataclass, field

import openstack
from keystoneauth1 import exceptions as ks_exc

from . import file_server, ovn
from .registry import SERVICES
from .service import render
from ..private import write_private
from .state import read_secrets

CLOUD_NAMES = {"learner": "labkit", "admin": "labkit-admin", "partner": "labkit-partner"}
PEOPLE = [("learner", "lesson"), ("partner", "partner")]  # user, project
PROJECTS = {"service": "Service users of the pocket cloud",
            "lesson": "The learner's project for OpenStack Day 3",
            "partner": "A second project, for sharing and isolation lessons"}
#: Keystone's own three, "service" for the service users, and the role Swift's proxy names
#: (reseller_admin_role) for operations on any account, such as setting account quotas
ROLES = ["admin", "member", "reader", "service", "ResellerAdmin"]
FLAVORS = [("m1.tiny", 512, 1, 1), ("m1.small", 2048, 1, 20), ("m1.medium", 4096, 2, 40)]
INTERFACES = ("public", "internal", "admin")
REGION = "RegionOne"


def _admin_connection(layout, password):
    # A state made by an older labkit has the seed's Keystone port in its catalog until its
    # bootstrap corrects it: talk to this state's Keystone directly.
    return openstack.connection.Connection(
        auth_url=layout.url("keystone", "/v3"), username="admin", password=password,
        identity_endpoint_override=layout.url("keystone", "/v3"),
        project_name="admin", user_domain_name="Default", project_domain_name="Default",
        region_name=REGION, identity_api_version=3)


# --- users, projects and roles ---

def _accounts(secrets, services):
    """(user, password, project, roles) of every account of the pocket cloud."""
    return ([(service.name, secrets["services"][service.name], "service", ["admin", "service"])
             for service in services if service.has_service_user]
            + [(user, secrets[user], project, ["member"]) for user, project in PEOPLE])


def ensure_accounts(idc, secrets, services):
    """The roles, and the users with their projects and roles, that are missing, from one
    listing of each: into the seed, all of them; in a state made from it, only the user of
    a service that joined the state since (state.join). Returns the users by name."""
    roles = {role.name: role for role in idc.roles()}
    for name in ROLES:
        if name not in roles:
            roles[name] = idc.create_role(name=name)
    projects = {project.name: project for project in idc.projects(domain_id="default")}
    users = {user.name: user for user in idc.users(domain_id="default")}
    assigned = {(a.user["id"], a.scope["project"]["id"], a.role["id"])
                for a in idc.role_assignments() if a.user and "project" in (a.scope or {})}
    for name, password, project_name, role_names in _accounts(secrets, services):
        if project_name not in projects:
            projects[project_name] = idc.create_project(
                name=project_name, domain_id="default", description=PROJECTS[project_name])
        project = projects[project_name]
        if name not in users:
            users[name] = idc.create_user(name=name, password=password, domain_id="default",
                                          default_project_id=project.id)
        for role in role_names:
            if (users[name].id, project.id, roles[role].id) not in assigned:
                idc.assign_project_role_to_user(project, users[name], roles[role])
    return users


# --- the catalog ---

def catalog(layout, services):
    """[(service type, service name, URL)]: the services' catalog entries, at this state's
    ports."""
    return [entry for service in services for entry in service.endpoints(layout)]


@dataclass
class CatalogPlan:
    """What makes Keystone's catalog list exactly the wanted entries."""

    services: list = field(default_factory=list)  #: (type, name, URL): new, with 3 endpoints
    endpoints: list = field(default_factory=list)  #: (listed service, interface, URL) to add
    urls: list = field(default_factory=list)  #: (listed endpoint, URL) to point elsewhere
    removals: list = field(default_factory=list)  #: listed services (and their endpoints)

    def __bool__(self):
        return bool(self.services or self.endpoints or self.urls or self.removals)


def plan_catalog(wanted, known, services, endpoints):
    """The changes from the listed services and endpoints to the wanted entries. Entries of
    known (every entry labkit may make) that are not wanted go: a service that cannot run
    on this machine is not listed. Anything else listed (an operator's own) stays."""
    by_name = {service.name: service for service in services}
    plan = CatalogPlan()
    for stype, name, url in wanted:
        service = by_name.get(name)
        if service is None:
            plan.services.append((stype, name, url))
            continue
        have = {e.interface: e for e in endpoints if e.service_id == service.id}
        for interface in INTERFACES:
            if interface not in have:
                plan.endpoints.append((service, interface, url))
            elif have[interface].url != url:
                plan.urls.append((have[interface], url))
    wanted_names = {name for _, name, _ in wanted}
    plan.removals = [by_name[name] for _, name, _ in known
                     if name in by_name and name not in wanted_names]
    return plan


def reconcile_catalog(idc, wanted, known):
    """Make the catalog list exactly wanted, from one listing of services and endpoints.
    Returns the plan it carried out (false when nothing changed)."""
    plan = plan_catalog(wanted, known, list(idc.services()), list(idc.endpoints()))
    new = [(idc.create_service(name=name, type=stype, enabled=True), url)
           for stype, name, url in plan.services]
    for service, interface, url in plan.endpoints + [(service, interface, url)
                                                     for service, url in new
                                                     for interface in INTERFACES]:
        idc.create_endpoint(service_id=service.id, interface=interface, url=url,
                            region_id=REGION)
    for endpoint, url in plan.urls:
        idc.update_endpoint(endpoint, url=url)
    for service in plan.removals:
        idc.delete_service(service)
    return plan


# --- the seed's part: once per services install ---

def set_up(layout, secrets):
    """Every account and a catalog entry for every registered service, with the seed's
    Keystone running (state.ensure_seed). A state copied from the seed points the catalog
    at its own ports before it starts (Keystone.prepare)."""
    conn = _admin_connection(layout, secrets["admin"])
    ensure_accounts(conn.identity, secrets, SERVICES)
    everything = catalog(layout, SERVICES)
    reconcile_catalog(conn.identity, everything, everything)
    conn.close()


# --- the state's part: once per state ---

def _connect_as_admin(layout, secrets):
    """The admin's connection, and the password it used: the seed's while this state's
    people still have the seed's passwords (an earlier, interrupted run may have changed
    them already), then the state's own."""
    seed_password = secrets.get("bootstrap_admin")
    if seed_password:
        conn = _admin_connection(layout, seed_password)
        try:
            conn.session.get_token()
            return conn, seed_password
        except ks_exc.Unauthorized:
            conn.close()
    return _admin_connection(layout, secrets["admin"]), secrets["admin"]


def _wait_past_revocation(changed_at):
    """A password change revokes the user's tokens issued up to that moment, compared with
    tokens' issue times, which have one-second granularity: a token issued in the same
    second would be refused too. Wait for the next second."""
    time.sleep(max(0.0, int(changed_at) + 1.05 - time.time()))


def _flavors(conn):
    have = {f.name for f in conn.compute.flavors()}
    for name, ram, vcpus, disk in FLAVORS:
        if name not in have:
            conn.compute.create_flavor(name=name, ram=ram, vcpus=vcpus, disk=disk)


def bootstrap(layout):
    """This state's own part (the module's docstring says what), once its processes answer:
    a few listings and the changes they show are missing, so safe to run again after an
    interruption."""
    secrets = read_secrets(layout)
    conn, password = _connect_as_admin(layout, secrets)
    from_seed = password != secrets["admin"]
    users = ensure_accounts(conn.identity, secrets, SERVICES)
    if from_seed:  # the admin's changes last: this connection's token goes with it
        for who, _ in PEOPLE:
            conn.identity.update_user(users[who], password=secrets[who])
    running = [service for service in SERVICES if not service.missing(layout)]
    if reconcile_catalog(conn.identity, catalog(layout, running), catalog(layout, SERVICES)):
        conn.close()  # a new connection sees the catalog just written
        conn = _admin_connection(layout, password)
    _flavors(conn)
    if not ovn.SERVICE.missing(layout):
        ovn.ensure_public_network(conn)
    if _has_storage_network(layout):
        ovn.ensure_storage_network(conn, file_server.STORAGE_NETWORK)
    if from_seed:
        conn.identity.update_user(users["admin"], password=secrets["admin"])
        _wait_past_revocation(time.time())
    conn.close()
    if "bootstrap_admin" in secrets:
        del secrets["bootstrap_admin"]
        write_private(layout.secrets_file, json.dumps(secrets, indent=1))
    write_clouds_yaml(layout, secrets)
    _marker(layout).write_text(json.dumps(sorted(_catalogued(layout))))


def _marker(layout):
    return layout.state / "bootstrapped"


def _has_storage_network(layout):
    """Servers can join the file server's network where both networking and it run."""
    return not ovn.SERVICE.missing(layout) and not file_server.SERVICE.missing(layout)


def _catalogued(layout):
    """The services whose catalog entries bootstrap makes on this machine: every registered
    one that can run here (Placement only where compute can, see system.py), and
    "network:storage" where the storage network can be made (so that a state made before it
    gains it on its next `up`)."""
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
