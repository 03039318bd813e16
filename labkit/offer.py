"""What a cloud offers the course: its services, their API versions, and the features we use.

    from labkit import offer
    offer.show_summary(conn)       # two tables: the service catalog, then the probed features
    found = offer.summary(conn)    # the same as data: found.services, found.features

Everything comes from the cloud itself: the service catalog in the token, each service's
version discovery document, and a few capability documents (Glance's ``/v2/info/import``,
``/v2/info/stores`` and ``/v2/schemas/image``, Swift's ``/info``). A service the cloud lacks,
or one that does not answer, is reported as such: a summary never fails.

The parse_* functions read those documents as plain dicts, so that they can be tested with
recorded JSON.
"""

import re
import urllib.parse
from dataclasses import dataclass, field

from keystoneauth1 import exceptions as ks_exc

from . import capabilities, show
from .messages import error_line

#: What the course does with each service type (the catalog may hold others: not used).
COURSE_USES = {
    "identity": "who you are: projects, roles, application credentials (part 3)",
    "image": "part 1: working with images (Glance)",
    "shared-file-system": "part 2: network shared folders (Manila)",
    "sharev2": "part 2: network shared folders (Manila)",
    "network": "part 3: security groups (Neutron)",
    "compute": "parts 1 and 3: servers booted from your images, key pairs, flavors (Nova)",
    "placement": "behind Nova: where a server can go (Placement; with compute)",
    "object-store": "part 4: containers and objects (Swift)",
}
MANILA_TYPES = ("shared-file-system", "sharev2")
NOT_OFFERED = "not offered"
UNREACHABLE = "unreachable"
DISCOVERY_TIMEOUT = 10  # seconds per request: a dead endpoint must not hang the notebook


@dataclass
class CatalogService:
    """One catalog entry, with what its version discovery document says."""

    type: str
    name: str
    endpoint: str
    version: str
    microversions: str
    use: str


@dataclass
class Feature:
    """One probed capability: which service, what, the answer, and where it came from."""

    service: str
    feature: str
    value: str
    source: str


@dataclass
class Summary:
    services: list = field(default_factory=list)
    features: list = field(default_factory=list)

    def offers(self, service_type):
        return any(s.type == service_type for s in self.services)

    def feature(self, service, name):
        """The value of one feature row, or None when there is no such row."""
        return next((f.value for f in self.features
                     if f.service == service and f.feature == name), None)


# --- parsing the documents (pure functions) ---

def parse_versions(body):
    """The version entries of a discovery document, in any of its three shapes.

    ``{"versions": {"values": [...]}}`` (Keystone's root), ``{"versions": [...]}`` (Glance,
    Neutron, Manila) or ``{"version": {...}}`` (Keystone /v3, Nova /v2.1).
    """
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("version"), dict):
        return [body["version"]]
    versions = body.get("versions")
    if isinstance(versions, dict):
        versions = versions.get("values")
    return [v for v in versions or [] if isinstance(v, dict) and v.get("id")]


def _version_key(entry):
    return tuple(int(n) for n in re.findall(r"\d+", entry.get("id", "")))


def current_version(entries):
    """(version id, "min - max" microversions or "") of the current (else newest) entry."""
    if not entries:
        return None, ""
    current = [e for e in entries if str(e.get("status", "")).upper() in ("CURRENT", "STABLE")]
    best = max(current or entries, key=_version_key)
    low, high = best.get("min_version"), best.get("max_version") or best.get("version")
    return best["id"], f"{low} - {high}" if low and high else ""


def parse_import_methods(body):
    """Glance's GET /v2/info/import: {"import-methods": {"value": [...]}}."""
    return list((body or {}).get("import-methods", {}).get("value") or [])


def parse_stores(body):
    """Glance's GET /v2/info/stores: {"stores": [{"id": "fs", "default": "true"}, ...]}."""
    return [store["id"] + (" (default)" if str(store.get("default")).lower() == "true" else "")
            for store in (body or {}).get("stores", [])]


def parse_schema_enum(schema, attribute):
    """The allowed values of an attribute in Glance's image schema (null left out)."""
    allowed = schema.get("properties", {}).get(attribute, {}).get("enum") or []
    return [value for value in allowed if value is not None]


def _size(n_bytes):
    return f"{n_bytes / 2**30:.1f} GiB ({n_bytes} bytes)"


def parse_swift_info(info):
    """Swift's GET /info -> [(feature, value)] for what the course uses."""
    swift = info.get("swift") or {}
    tempurl, slo = info.get("tempurl"), info.get("slo")
    rows = [("Swift release", swift.get("version", "unknown"))]
    if "max_file_size" in swift:
        rows.append(("largest single object", _size(swift["max_file_size"])))
    rows.append(("temporary URLs (tempurl)", NOT_OFFERED if tempurl is None else
                 "yes: methods " + ", ".join(tempurl.get("methods", []))
                 + "; digests " + ", ".join(tempurl.get("allowed_digests", ["sha1"]))))
    rows.append(("static large objects (slo)", NOT_OFFERED if slo is None else
                 f"yes: up to {slo.get('max_manifest_segments', '?')} segments per manifest"))
    return rows


# --- asking the cloud ---

def _endpoint_url(entry, conn):
    """The entry's URL for this connection's interface (and region, when it has one)."""
    interface = (conn.config.get_interface() or "public").replace("URL", "")
    region = conn.config.get_region_name()
    endpoints = [e for e in entry.get("endpoints", []) if e.get("interface") == interface]
    in_region = [e for e in endpoints if not region or region in (e.get("region_id"),
                                                                     e.get("region"))]
    chosen = (in_region or endpoints or entry.get("endpoints") or [{}])[0]
    return chosen.get("url", "")


def _unversioned(url):
    """The URL with its version segment and what follows cut off: .../share/v2 -> .../share/"""
    parts = urllib.parse.urlsplit(url)
    path = re.sub(r"/v\d+(\.\d+)?(/.*)?$", "", parts.path.rstrip("/")) + "/"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _get_document(conn, url):
    """The JSON at url, fetched without a token (discovery is public), or None."""
    response = conn.session.get(url, authenticated=False, raise_exc=False,
                                timeout=DISCOVERY_TIMEOUT, connect_retries=0)
    if response.status_code not in (200, 300):
        return None
    try:
        return response.json()
    except ValueError:
        return None


def discover(conn, url):
    """(version, microversions) from the discovery document at url or at its unversioned root."""
    for candidate in dict.fromkeys([url, _unversioned(url)]):
        version, micro = current_version(parse_versions(_get_document(conn, candidate)))
        if version:
            return version, micro
    in_url = re.search(r"/(v\d+(\.\d+)?)(/|$)", urllib.parse.urlsplit(url).path)
    return (f"{in_url.group(1)} (from the URL)" if in_url else "no discovery document"), ""


def catalog_services(conn):
    """One CatalogService row per catalog entry, in catalog order."""
    rows = []
    for entry in capabilities.catalog(conn):
        url = _endpoint_url(entry, conn)
        try:
            version, micro = discover(conn, url)
        except ks_exc.ConnectFailure:  # refused or timed out: the service is down
            version, micro = f"{UNREACHABLE}: no answer at {url}", ""
        except Exception as exc:  # nothing a service says must stop the summary
            version, micro = f"{UNREACHABLE}: {error_line(exc, limit=160)}", ""
        rows.append(CatalogService(entry.get("type", "?"), entry.get("name", ""), url, version, micro,
                            COURSE_USES.get(entry.get("type"), "not used by this course")))
    return rows


def _probe(service, feature, source, ask):
    """A Feature row from ask(), or a one-line reason when the cloud did not answer."""
    try:
        value = ask()
    except Exception as exc:
        value = f"could not ask: {error_line(exc, limit=160)}"
    return Feature(service, feature, value, source)


def _glance_json(conn, path):
    """GET path on Glance's v2 API (the SDK's image proxy adds /v2) -> (status, JSON or None)."""
    response = conn.image.get(path)  # the SDK's proxies return error responses, not raise
    if response.status_code == 404:
        return 404, None
    response.raise_for_status()
    return response.status_code, response.json()


def glance_features(conn):
    def import_methods():
        status, body = _glance_json(conn, "/info/import")
        return ("no import API (plain upload only)" if status == 404
                else ", ".join(parse_import_methods(body)) or "none (plain upload only)")

    def stores():
        status, body = _glance_json(conn, "/info/stores")
        if status == 404:  # Glance's answer when multi-store is not configured
            return "one store (multi-store not configured)"
        return ", ".join(parse_stores(body))

    schema = {}

    def enum(attribute):
        if not schema:
            status, body = _glance_json(conn, "/schemas/image")
            if status == 404:
                raise LookupError("Glance has no image schema at /v2/schemas/image")
            schema.update(body)
        return ", ".join(parse_schema_enum(schema, attribute))

    return [
        _probe("image", "import methods", "GET /v2/info/import", import_methods),
        _probe("image", "stores", "GET /v2/info/stores", stores),
        _probe("image", "disk formats", "GET /v2/schemas/image", lambda: enum("disk_format")),
        _probe("image", "container formats", "GET /v2/schemas/image",
               lambda: enum("container_format")),
    ]


def swift_features(conn):
    try:
        info = conn.object_store.get_info()
    except Exception as exc:
        return [Feature("object-store", "/info", f"could not ask: {error_line(exc, limit=160)}", "GET /info")]
    document = {key: getattr(info, key) for key in ("swift", "slo", "tempurl")}
    return [Feature("object-store", name, value, "GET /info")
            for name, value in parse_swift_info(document)]


def _microversion_feature(services, service_type, what):
    row = next(s for s in services if s.type == service_type)
    value = row.microversions or (row.version if row.version.startswith(UNREACHABLE)
                                  else f"none advertised ({row.version})")
    return Feature(service_type, what, value, "version discovery")


def summary(conn):
    """What the cloud offers the course: a Summary of catalog services and probed features."""
    services = catalog_services(conn)
    found = Summary(services=services)
    probes = [("image", glance_features), ("object-store", swift_features),
              ("compute", lambda c: [_microversion_feature(services, "compute",
                                                           "API microversions")])]
    for service_type, probe in probes:
        row = next((s for s in services if s.type == service_type), None)
        if row is None:
            found.features.append(Feature(service_type, "service", NOT_OFFERED,
                                          "service catalog"))
        elif row.version.startswith(UNREACHABLE):  # one line, not one failure per probe
            found.features.append(Feature(service_type, "service", row.version,
                                          "version discovery"))
        else:
            found.features += probe(conn)
    manila = [s.type for s in services if s.type in MANILA_TYPES]
    found.features.append(
        _microversion_feature(services, manila[0], "API microversions") if manila else
        Feature("shared-file-system", "service",
                NOT_OFFERED + ": the hands-on cells of part 2 will skip", "service catalog"))
    return found


def show_summary(conn, found=None):
    """Show the catalog and the probed features as two tables; returns the Summary."""
    found = found or summary(conn)
    show.table(found.services, ["type", "name", "endpoint", "version", "microversions", "use"],
               title="Services in the catalog",
               headers=["type", "name", "endpoint", "API version", "microversions",
                        "used in this course for"])
    show.table(found.features, ["service", "feature", "value", "source"],
               title="What the course needs, as this cloud answers it")
    return found


# --- who the lesson can act as ---

def token_facts(conn):
    """Who conn's token says you are (names, ids, roles): never the token or password."""
    access = conn.session.auth.get_access(conn.session)
    return {"user": access.username, "user_id": access.user_id,
            "project": access.project_name, "project_id": access.project_id,
            "domain": access.project_domain_name, "roles": ", ".join(sorted(access.role_names)),
            "expires": access.expires.isoformat(timespec="seconds")}


def identity_rows(who):
    """One row per role (learner, admin, partner): its cloud name and whether it works here."""
    from .connect import IDENTITY_ROLES, ROLE_ENV, ConnectError, connect

    rows = []
    for role in IDENTITY_ROLES:
        name = who.name(role)
        row = {"role": role, "cloud": name or "-", "available": "no", "user": "",
               "project": "", "roles": ""}
        if name is None:
            row["available"] = f"no: set {ROLE_ENV[role]} to a cloud in your clouds.yaml"
        else:
            try:
                conn = connect(role=role)
            except ConnectError as exc:
                row["available"] = f"no: {error_line(exc, limit=160)}"
            else:
                facts = token_facts(conn)
                row.update(available="yes", user=facts["user"], project=facts["project"],
                           roles=facts["roles"])
                conn.close()
        rows.append(row)
    return rows
