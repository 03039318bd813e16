"""Lesson 3, tightening your security: thin helpers over openstacksdk, and nothing secret shown.

Security groups (Neutron)
    create_security_group(conn, name)            add_rule(conn, group, protocol, ports, cidr)
    security_group_rows(conn, group)             show_security_group(conn, group)
    delete_security_group(conn, group)
Key pairs (Nova): the private key is made and kept on this machine, only the public key goes up
    generate_key(name) -> KeyFiles               read_public_key(path_or_text)
    fingerprints(public_key)                     import_keypair(conn, name, public_key)
    delete_keypair(conn, name)
Identity (Keystone)
    attempt(fn) -> Attempt (allowed, or the refusal as one line)
    create_reader(admin, project)                application credentials:
    create_app_credential(conn, name, roles, expires_in)   write_app_credential_cloud(...)
    connect_app_credential(cloud_name)           revoke_app_credential(conn, name_or_id)
Images (Glance)
    share_image / answer_share / member_rows / partner_view, upload_image, verify_download,
    make_backing_file_qcow2, make_mismatched_file
Policy (the pocket cloud's Glance only)
    glance_policy_rules(names), glance_policy_override(rules)
Showing things
    error_line(exc), mask(text, *secrets)

Files the lesson writes on this machine (private keys, a clouds.yaml for application
credentials) live in the lesson folder, ``~/.labkit-day3`` (or ``LABKIT_DAY3_HOME``), mode 0700;
secret files are 0600.
"""

import base64
import contextlib
import datetime
import hashlib
import ipaddress
import os
import re
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from keystoneauth1 import exceptions as ksa_exc
from openstack import exceptions as sdk_exc

from . import cleanup, marks, show
from .messages import error_line
from .private import write_private

LESSON = "03"
MARK = f"{marks.KEY}={LESSON}"  # written into descriptions, for kinds without properties


class SecurityInputError(ValueError):
    """Bad input: the message says what to change. Nothing was created or changed."""


class CredentialRejected(Exception):
    """Keystone refused a credential (expired, revoked or wrong)."""


class ImageRefused(Exception):
    """Glance refused an image's data; the image record was removed again."""


# --- showing things -----------------------------------------------------------------------
FERNET = re.compile(r"gAAAAA[A-Za-z0-9_\-=]{20,}")


def _status(exc):
    """The HTTP status of an SDK or keystoneauth error (also when wrapped in SDKException)."""
    if getattr(exc, "status_code", None):
        return f"HTTP {exc.status_code}"
    found = re.search(r"\(HTTP (\d{3})\)", str(exc))
    return f"HTTP {found.group(1)}" if found else "refused"


def mask(text, *hidden):
    """text with the given secrets and any Fernet token replaced by a mask."""
    for value in hidden:
        if value:
            text = text.replace(value, "****(hidden)")
    return FERNET.sub("gAAAA****(token hidden)", text)


def lesson_folder(*parts):
    """The folder (made mode 0700) where this lesson keeps files on this machine."""
    home = Path(os.environ.get("LABKIT_DAY3_HOME") or Path.home() / ".labkit-day3")
    folder = home.joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _check_name(name, what):
    if not marks.has_prefix(name):
        raise SecurityInputError(f"{what} names in this lesson start with "
                                 f"{marks.PREFIX!r} (so cleanup finds them): use "
                                 f"{marks.name(name)!r}.")


# --- security groups ----------------------------------------------------------------------
def find_security_group(conn, name_or_id):
    """The group of this project with that name or ID (None if there is none)."""
    return conn.network.find_security_group(name_or_id, project_id=conn.current_project_id)


def create_security_group(conn, name, description=""):
    """A new security group (or the existing one of that name: safe to re-run)."""
    _check_name(name, "Security group")
    group = find_security_group(conn, name)
    if group is None:
        group = conn.network.create_security_group(
            name=name, description=f"{description} ({MARK})".strip())
    show.equivalent(sdk=f"conn.network.create_security_group(name={name!r})",
                    cli=f"openstack security group create {name}")
    return group


def _check_ports(protocol, ports):
    if ports is None:
        return None, None
    low, high = (ports, ports) if isinstance(ports, int) else ports
    if protocol not in ("tcp", "udp", "sctp", "dccp", "udplite", 6, 17):
        raise SecurityInputError(f"Ports only mean something for tcp or udp (and sctp), not "
                                 f"for protocol {protocol!r}: leave ports out, or set "
                                 f"protocol='tcp'.")
    for port in (low, high):
        if not isinstance(port, int) or not 1 <= port <= 65535:
            raise SecurityInputError(f"Port {port!r} is not a port number: use whole numbers "
                                     f"from 1 to 65535.")
    if low > high:
        raise SecurityInputError(f"The port range {low}-{high} runs backwards: the first port "
                                 f"must not be above the last; did you mean ({high}, {low})?")
    return low, high


def _check_cidr(cidr):
    """The network of a CIDR like '203.0.113.0/24' (a single address becomes /32 or /128)."""
    try:
        return ipaddress.ip_network(cidr, strict=True)
    except ValueError:
        try:
            loose = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise SecurityInputError(
                f"{cidr!r} is not a network in CIDR notation: write an address and a prefix "
                f"length, like '203.0.113.0/24' (IPv4) or '2001:db8::/64' (IPv6).") from None
        raise SecurityInputError(
            f"{cidr!r} has host bits set after the prefix: the network is {loose}; write "
            f"that (or '{loose.network_address}/{loose.max_prefixlen}' for one address)."
        ) from None


def add_rule(conn, group, protocol=None, ports=None, cidr=None, remote_group=None,
             direction="ingress", idempotent=False):
    """Add a rule to group: who (cidr or remote_group) may reach which protocol and ports.

    ports: one port (22) or a range ((8000, 8080)). With neither cidr nor remote_group the
    rule allows everyone (0.0.0.0/0). A rule that exists already is an error, or with
    idempotent=True the existing rule is returned.
    """
    if direction not in ("ingress", "egress"):
        raise SecurityInputError(f"direction is 'ingress' (traffic coming in) or 'egress' "
                                 f"(going out), not {direction!r}.")
    if cidr and remote_group:
        raise SecurityInputError("Give cidr or remote_group, not both: a rule trusts either "
                                 "addresses or the members of a group.")
    low, high = _check_ports(protocol, ports)
    network = _check_cidr(cidr) if cidr else None
    group = _group(conn, group)
    remote = _group(conn, remote_group) if remote_group else None
    attrs = dict(security_group_id=group.id, direction=direction,
                 ethertype="IPv6" if network and network.version == 6 else "IPv4",
                 protocol=protocol, port_range_min=low, port_range_max=high)
    if network:
        attrs["remote_ip_prefix"] = str(network)
    if remote:
        attrs["remote_group_id"] = remote.id
    try:
        rule = conn.network.create_security_group_rule(**attrs)
    except sdk_exc.ConflictException as exc:
        existing = re.search(r"Rule id is ([0-9a-f-]{36})", str(exc))
        if idempotent and existing:
            return conn.network.get_security_group_rule(existing.group(1))
        raise SecurityInputError(f"That rule exists already in {group.name} ({error_line(exc)}). "
                                 f"Rules are sets: there is nothing to add.") from None
    except sdk_exc.BadRequestException as exc:
        raise SecurityInputError(f"Neutron refused the rule: {error_line(exc)}") from None
    return rule


def _group(conn, group):
    if hasattr(group, "id") and hasattr(group, "security_group_rules"):
        return group
    found = find_security_group(conn, group)
    if found is None:
        raise SecurityInputError(f"No security group {group!r} in this project: create it "
                                 f"first (create_security_group) or check the name.")
    return found


def _ports_text(rule):
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if low is None:
        return "any"
    return str(low) if low == high else f"{low}-{high}"


def security_group_rows(conn, group):
    """The rules of a group as rows (direction, ethertype, protocol, ports, remote, id)."""
    group = conn.network.get_security_group(_group(conn, group).id)
    names = {}

    def remote(rule):
        if rule.get("remote_group_id"):
            gid = rule["remote_group_id"]
            if gid not in names:
                other = conn.network.find_security_group(gid)
                names[gid] = other.name if other else gid
            return f"members of {names[gid]}"
        return rule.get("remote_ip_prefix") or "anywhere"

    order = {"ingress": 0, "egress": 1}
    rules = sorted(group.security_group_rules,
                   key=lambda r: (order[r["direction"]], r["ethertype"], r.get("protocol") or ""))
    return [{"direction": r["direction"], "ethertype": r["ethertype"],
             "protocol": r.get("protocol") or "any", "ports": _ports_text(r),
             "remote": remote(r), "id": r["id"][:8]} for r in rules]


def show_security_group(conn, group):
    """Show a group's rules as a table, with the equivalent SDK call and CLI line."""
    group = _group(conn, group)
    rows = security_group_rows(conn, group)
    show.table(rows, ["direction", "ethertype", "protocol", "ports", "remote", "id"],
               title=f"Security group {group.name}: {len(rows)} rules")
    show.equivalent(sdk=f"conn.network.get_security_group({group.id[:8]}...).security_group_rules",
                    cli=f"openstack security group rule list {group.name} --long")
    return rows


def delete_security_group(conn, group):
    """Delete a group; deleting one that is already gone is a no-op."""
    found = find_security_group(conn, group) if isinstance(group, str) else group
    if found is not None:
        conn.network.delete_security_group(found, ignore_missing=True)
    return found is not None


# --- key pairs ----------------------------------------------------------------------------
@dataclass
class KeyFiles:
    private: Path
    public: Path

    @property
    def public_key(self):
        return self.public.read_text().strip()


def generate_key(name, folder=None):
    """An ed25519 key made on this machine: private key file (0600) and .pub file.

    The private key never leaves this machine and is never printed. When the files exist
    already they are reused (safe to re-run); delete them to make a new key.
    """
    _check_name(name, "Key")
    folder = Path(folder) if folder else lesson_folder("keys")
    private, public = folder / name, folder / f"{name}.pub"
    if not (private.is_file() and public.is_file()):
        key = ed25519.Ed25519PrivateKey.generate()
        write_private(private, key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption()))
        public.write_bytes(key.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
            + f" {name}\n".encode())
    return KeyFiles(private, public)


def read_public_key(path_or_text):
    """The OpenSSH public key in a file (or given as text), checked to be one."""
    text = str(path_or_text)
    path = Path(text).expanduser() if "\n" not in text and len(text) < 4096 else None
    if path is not None and path.is_file():
        text = path.read_text(errors="replace")
    elif isinstance(path_or_text, Path) or text.endswith(".pub") or text.startswith(("/", "~")):
        raise SecurityInputError(f"No file {path}: give the path of a public key "
                                 f"(usually ending in .pub) or the key text itself.")
    text = text.strip()
    if "PRIVATE KEY" in text:
        raise SecurityInputError("That is a PRIVATE key: it must never leave your machine. "
                                 "Give the public key instead (the .pub file next to it).")
    try:
        serialization.load_ssh_public_key(text.encode())
    except (ValueError, TypeError, IndexError, UnsupportedAlgorithm) as exc:
        raise SecurityInputError(f"That is not an OpenSSH public key ({exc}). A public key is "
                                 f"one line like 'ssh-ed25519 AAAA... comment'.") from None
    return text


def fingerprints(public_key):
    """The key's fingerprints: Nova's MD5 (colon hex) and OpenSSH's SHA256 (base64)."""
    blob = base64.b64decode(read_public_key(public_key).split()[1])
    md5 = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    sha256 = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return {"md5": ":".join(md5[i:i + 2] for i in range(0, 32, 2)), "sha256": f"SHA256:{sha256}"}


def import_keypair(conn, name, public_key):
    """Upload only the public key as key pair `name`; returns Nova's key pair."""
    _check_name(name, "Key pair")
    text = read_public_key(public_key)
    try:
        keypair = conn.compute.create_keypair(name=name, public_key=text)
    except sdk_exc.ConflictException:
        have = conn.compute.find_keypair(name)
        same = have is not None and have.fingerprint == fingerprints(text)["md5"]
        raise SecurityInputError(
            f"A key pair called {name!r} exists already"
            + (" (with this very key)" if same else " (with a different key)")
            + f": delete it first (delete_keypair(conn, {name!r})) or choose another name."
        ) from None
    except sdk_exc.BadRequestException as exc:
        raise SecurityInputError(f"Nova refused the key pair: {error_line(exc)}") from None
    show.equivalent(sdk=f"conn.compute.create_keypair(name={name!r}, public_key=...)",
                    cli=f"openstack keypair create --public-key {name}.pub {name}")
    return keypair


def delete_keypair(conn, name):
    """Delete a key pair from the cloud (the local files stay); a no-op when it is gone."""
    conn.compute.delete_keypair(name, ignore_missing=True)


# --- identity -----------------------------------------------------------------------------
@dataclass
class Attempt:
    allowed: bool
    result: str

    def __str__(self):
        return ("allowed" if self.allowed else "refused") + f": {self.result}"


def attempt(fn):
    """Run fn (a call that may be refused) and say how it went, in one line."""
    try:
        value = fn()
        if hasattr(value, "__next__"):  # SDK listings are lazy: the request happens here
            value = list(value)
    except sdk_exc.HttpException as exc:
        return Attempt(False, error_line(exc))
    except (sdk_exc.SDKException, ksa_exc.ClientException) as exc:  # e.g. a login refused
        return Attempt(False, f"{_status(exc)} {str(exc).split(' (HTTP')[0]}")
    return Attempt(True, f"{len(value)} items" if isinstance(value, list) else "done")


def create_reader(admin, project, name="day3-auditor"):
    """A user with only the reader role on project, and a Connection that acts as it.

    The password is random, lives only in the returned Connection, and is never shown:
    ask the cloud's admin (admin: an admin Connection) to remove the user when done.
    """
    _check_name(name, "User")
    idc = admin.identity
    project = idc.find_project(project, domain_id="default", ignore_missing=False) \
        if isinstance(project, str) else project
    password = secrets.token_urlsafe(32)
    user = idc.find_user(name, domain_id="default")
    if user is None:
        user = idc.create_user(name=name, password=password, domain_id="default",
                               default_project_id=project.id,
                               description=f"A read-only user of lesson 3 ({MARK})")
    else:  # re-run: a new password, since the old one was never kept
        idc.update_user(user, password=password)
        # A password change revokes the user's tokens with one-second granularity, so a
        # token issued in that same second would be refused: wait for the next second.
        time.sleep(1.1)
    idc.assign_project_role_to_user(project, user, idc.find_role("reader", ignore_missing=False))
    from openstack.connection import Connection

    auth_url = admin.config.get_auth_args()["auth_url"]
    conn = Connection(auth=dict(auth_url=auth_url, username=name, password=password,
                                project_id=project.id, user_domain_id="default"),
                      region_name=admin.config.get_region_name(), identity_api_version="3")
    conn.authorize()
    return conn


def token_state(checker, conn):
    """Ask Keystone whether the token conn holds is still valid (checker: its owner, or admin).

    Services may still accept a token for a few minutes after this says no: keystonemiddleware
    caches each token's validation (``token_cache_time``, 300 s by default).
    """
    token = conn.session.get_token() if conn.session.auth.auth_ref else None
    if token is None:
        return "no token yet"
    answer = checker.session.get(checker.config.get_auth_args()["auth_url"] + "/auth/tokens",
                                 headers={"X-Subject-Token": token}, raise_exc=False)
    return "valid" if answer.status_code == 200 else f"not valid (HTTP {answer.status_code})"


def delete_user(admin, name):
    """Delete a lesson user (admin only); a no-op when it is gone."""
    user = admin.identity.find_user(name, domain_id="default")
    if user is not None:
        admin.identity.delete_user(user, ignore_missing=True)
    return user is not None


def _expiry(expires_in):
    if not isinstance(expires_in, datetime.timedelta) or expires_in.total_seconds() <= 0:
        raise SecurityInputError(f"expires_in must be a positive datetime.timedelta (e.g. "
                                 f"timedelta(hours=8)), not {expires_in!r}: a credential "
                                 f"that has already expired is of no use.")
    at = datetime.datetime.now(datetime.timezone.utc) + expires_in
    return at.strftime("%Y-%m-%dT%H:%M:%S")


def create_app_credential(conn, name, roles=("reader",), expires_in=datetime.timedelta(hours=8),
                          description=""):
    """An application credential of the current user, limited to roles, expiring in time.

    The returned SDK object carries the secret (shown by Keystone once, at creation): do not
    display it; pass it to write_app_credential_cloud().
    """
    _check_name(name, "Application credential")
    if isinstance(roles, str):
        roles = [roles]
    try:
        cred = conn.identity.create_application_credential(
            user=conn.current_user_id, name=name, roles=[{"name": r} for r in roles],
            expires_at=_expiry(expires_in), unrestricted=False,
            description=f"{description} ({MARK})".strip())
    except sdk_exc.ConflictException:
        raise SecurityInputError(f"You have an application credential called {name!r} "
                                 f"already: revoke it first (revoke_app_credential) or "
                                 f"choose another name.") from None
    except sdk_exc.BadRequestException as exc:
        raise SecurityInputError(f"Keystone refused: {error_line(exc)} (you can only pass on "
                                 f"roles you have in this project).") from None
    show.equivalent(
        sdk=f"conn.identity.create_application_credential(user=..., name={name!r}, "
            f"roles={[{'name': r} for r in roles]}, expires_at=...)",
        cli=f"openstack application credential create {' '.join('--role ' + r for r in roles)} "
            f"--expiration <UTC time> {name}")
    return cred


def app_credential_row(cred):
    """What can be shown of a credential: everything but its secret."""
    return {"name": cred.name, "id": cred.id,
            "roles": ", ".join(r["name"] for r in cred.roles or []),
            "expires_at": cred.expires_at, "unrestricted": cred.unrestricted,
            "secret": "****(hidden)" if getattr(cred, "secret", None) else "(not returned)"}


def app_credentials_file():
    return lesson_folder() / "clouds.yaml"


def write_app_credential_cloud(conn, cred, cloud_name=None, path=None):
    """Add a cloud (named after the credential) to the lesson's clouds.yaml (mode 0600).

    Other entries in that file are kept. Returns the file's path.
    """
    if not getattr(cred, "secret", None):
        raise SecurityInputError("This credential object has no secret (Keystone only returns "
                                 "it at creation): create a new credential.")
    path = Path(path) if path else app_credentials_file()
    data = yaml.safe_load(path.read_text()) if path.is_file() else None
    data = data if isinstance(data, dict) else {}
    data.setdefault("clouds", {})[cloud_name or cred.name] = {
        "auth_type": "v3applicationcredential",
        "auth": {"auth_url": conn.config.get_auth_args()["auth_url"],
                 "application_credential_id": cred.id,
                 "application_credential_secret": cred.secret},
        "region_name": conn.config.get_region_name(),
        "interface": "public", "identity_api_version": 3}
    write_private(path, yaml.safe_dump(data, sort_keys=False).encode())
    return path


def connect_app_credential(cloud_name, path=None):
    """A Connection that logs in with the application credential in the lesson's clouds.yaml."""
    from .connect import CredentialsRefused, NoSuchCloud, open_cloud

    path = Path(path) if path else app_credentials_file()
    try:
        return open_cloud(cloud_name, path)
    except NoSuchCloud:
        raise SecurityInputError(f"No cloud {cloud_name!r} in {path}: write it first "
                                 f"(write_app_credential_cloud).") from None
    except CredentialsRefused as exc:
        raise CredentialRejected(
            f"Keystone refused application credential {cloud_name!r} ({exc.status}): it has "
            f"expired, been revoked, or its secret is wrong. Create a new one.") from None


def find_app_credential(conn, name_or_id):
    """The learner's application credential with this name or ID, or None."""
    return conn.identity.find_application_credential(conn.current_user_id, name_or_id)


def revoke_app_credential(conn, name_or_id, path=None):
    """Delete the credential in Keystone and its entry in the lesson's clouds.yaml.

    Tokens it obtained stop working too. Revoking one that is gone is a no-op.
    """
    cred = find_app_credential(conn, name_or_id)
    if cred is not None:
        conn.identity.delete_application_credential(conn.current_user_id, cred.id,
                                                    ignore_missing=True)
    _forget_cloud(cred.name if cred else name_or_id, path)
    return cred is not None


def _forget_cloud(cloud_name, path=None):
    path = Path(path) if path else app_credentials_file()
    if not path.is_file():
        return
    data = yaml.safe_load(path.read_text()) or {}
    if cloud_name in data.get("clouds", {}):
        del data["clouds"][cloud_name]
        if data["clouds"] or len(data) > 1:
            write_private(path, yaml.safe_dump(data, sort_keys=False).encode())
        else:  # nothing else in it: the lesson made this file, so it goes
            path.unlink()


# --- images -------------------------------------------------------------------------------
def share_image(conn, image, project_id):
    """Offer a (shared-visibility) image to another project; safe to repeat."""
    image = conn.image.get_image(image)
    if image.visibility != "shared":
        raise SecurityInputError(f"Image {image.name!r} has visibility {image.visibility!r}: "
                                 f"only 'shared' images take members. Set it with "
                                 f"conn.image.update_image(image, visibility='shared').")
    member = conn.image.find_member(project_id, image)
    return member or conn.image.add_member(image, member_id=project_id)


def answer_share(partner, image_id, status):
    """As the member project: accept or reject an image offered to it."""
    if status not in ("accepted", "rejected", "pending"):
        raise SecurityInputError(f"A member's status is 'accepted', 'rejected' or 'pending', "
                                 f"not {status!r}.")
    return partner.image.update_member(partner.current_project_id, image_id, status=status)


def member_rows(conn, image):
    return [{"member (project)": m.member_id, "status": m.status}
            for m in conn.image.members(image)]


def partner_view(partner, image_id):
    """How the member project sees the image: in which image listings it appears."""
    def listed(**filters):
        return "yes" if any(i.id == image_id for i in partner.image.images(**filters)) else "no"

    member = partner.image.get_member(partner.current_project_id, image_id)
    return {"member status": member.status, "in default list": listed(),
            "in ?member_status=pending": listed(member_status="pending"),
            "in ?member_status=rejected": listed(member_status="rejected")}


def is_pocket_cloud(conn):
    """True when conn talks to this machine's pocket cloud (whose operator you are)."""
    return _pocket().serves(conn)


def _glance_log(conn):
    """The pocket cloud's Glance log, or None on another cloud (its log is the operator's)."""
    if not is_pocket_cloud(conn):
        return None
    log = _pocket().log_path("glance")
    return log if log.is_file() else None


def upload_image(conn, name, path, disk_format, **properties):
    """Upload a file as a marked image; a refusal raises ImageRefused with Glance's reason.

    Glance's API answers only "415 Unsupported Media Type"; its log holds the reason. On
    the pocket cloud (where you are the operator) that line is added to the message.
    """
    _check_name(name, "Image")
    path = Path(path)
    if not path.is_file():
        raise SecurityInputError(f"No file {path}: make it first, or check the path.")
    log = _glance_log(conn)
    start = log.stat().st_size if log else 0
    try:
        image = conn.image.create_image(
            name=name, filename=str(path), disk_format=disk_format, container_format="bare",
            tags=[marks.TAG], wait=True, **marks.properties(LESSON), **properties)
        image = conn.image.get_image(image.id)  # as it is now (active), not as first created
    except sdk_exc.HttpException as exc:
        if exc.status_code != 415:
            raise
        reason = _log_reason(log, start) if log else None
        raise ImageRefused(f"Glance refused the data of {name!r}: {error_line(exc)}"
                           + (f". Glance's log says: {reason}" if reason else "")) from None
    return image


def _log_reason(log, start):
    with open(log, errors="replace") as f:
        f.seek(start)
        lines = [line for line in f if "glance.api.v2.image_data" in line or "Safety" in line]
    for line in reversed(lines):
        found = re.search(r"(Image (?:disk_format|failed|qcow2|vmdk).*?)(?::\s*glance\.|$)", line)
        if found:
            return found.group(1).strip()
    return None


@dataclass
class Verification:
    algorithm: str
    expected: str
    computed: str
    bytes: int

    @property
    def ok(self):
        return self.expected == self.computed


def verify_download(conn, image, dest):
    """Download an image to dest, hashing as it streams, and compare with os_hash_value."""
    image = conn.image.get_image(image)
    digest = hashlib.new(image.hash_algo)
    size = 0
    with open(dest, "wb") as out:
        for chunk in conn.image.download_image(image, stream=True).iter_content(1 << 20):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return Verification(image.hash_algo, image.hash_value, digest.hexdigest(), size)


def make_backing_file_qcow2(folder=None, backing="/etc/hostname"):
    """A qcow2 whose backing file is a file of the host (made with qemu-img); None without it."""
    if not shutil.which("qemu-img"):
        return None
    path = Path(folder or lesson_folder("images")) / "day3-backing-file.qcow2"
    path.unlink(missing_ok=True)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", backing, "-F", "raw",
                    str(path), "1M"], check=True, capture_output=True)
    return path


def make_mismatched_file(folder=None, size=65536):
    """Random bytes: a file that is no disk format at all (lessons declare it qcow2)."""
    path = Path(folder or lesson_folder("images")) / "day3-not-really.qcow2"
    path.write_bytes(os.urandom(size))
    return path


def make_small_qcow2(folder=None):
    """A small, valid, empty qcow2 (qemu-img); None without qemu-img."""
    if not shutil.which("qemu-img"):
        return None
    path = Path(folder or lesson_folder("images")) / "day3-small.qcow2"
    if not path.is_file():
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(path), "1M"],
                       check=True, capture_output=True)
    return path


# --- policy (the pocket cloud's Glance) ---------------------------------------------------
def _pocket():
    from .cloud import PocketCloud

    return PocketCloud(say=lambda *_: None)


def glance_policy_rules(names):
    """{rule: check string} of the pocket cloud's Glance: its defaults, then its policy.yaml.

    The defaults come from ``oslopolicy-policy-generator --namespace glance`` (the services'
    own tool); the overrides from the ``policy.yaml`` next to ``glance-api.conf``.
    """
    rules = _pocket().default_policy("glance")
    if glance_policy_file().is_file():
        rules.update(yaml.safe_load(glance_policy_file().read_text()) or {})
    return {name: rules.get(name) for name in names}


def glance_policy_file():
    return _pocket().image_policy_file


@contextlib.contextmanager
def glance_policy_override(rules):
    """Run a block with extra Glance policy rules on the pocket cloud, then restore.

    oslo.policy re-reads a changed policy file on the next request, in every Glance worker, so
    nothing restarts. Glance merges what it reads into the rules it holds (its Enforcer has
    overwrite=False): a rule removed from the file stays in force. So restoring writes each
    overridden rule's default back.
    """
    path = glance_policy_file()
    defaults = _pocket().default_policy("glance")
    if path.exists():
        current = yaml.safe_load(path.read_text()) or {}
        if any(check != defaults.get(rule) for rule, check in current.items()):
            raise SecurityInputError(f"{path} overrides rules (an operator's own policy): this "
                                     f"demonstration does not overwrite it.")
    write_private(path, yaml.safe_dump(rules).encode())
    try:
        time.sleep(0.05)  # a distinct mtime from any earlier read
        yield path
    finally:
        time.sleep(0.05)  # and from the override's
        restored = {rule: defaults[rule] for rule in rules}
        write_private(path, "# Glance's defaults, written back by labkit after a lesson's "
                            "override\n" + yaml.safe_dump(restored))


# --- cleanup finders: what lesson 3 makes ---------------------------------------------------
def _ours(lesson):
    return lesson in (None, LESSON)


@cleanup.finder("application credential", order=10)
def _marked_app_credentials(conn, lesson):
    if not _ours(lesson):
        return []
    return [(c.name, lambda c=c: revoke_app_credential(conn, c.id))
            for c in conn.identity.application_credentials(user=conn.current_user_id)
            if marks.has_prefix(c.name)]


def keypair_lesson(name):
    """The lesson a marked key pair belongs to. Key pairs have no metadata: lesson 1's key
    (for its boot part) carries the lesson in its name, the rest are lesson 3's."""
    return "01" if name.startswith(marks.name("lesson01-")) else LESSON


@cleanup.finder("key pair", order=30)
def _marked_keypairs(conn, lesson):
    return [(k.name, lambda k=k: delete_keypair(conn, k.name))
            for k in conn.compute.keypairs()
            if marks.has_prefix(k.name) and lesson in (None, keypair_lesson(k.name))]


@cleanup.finder("security group", order=30)
def _marked_security_groups(conn, lesson):
    if not _ours(lesson):
        return []
    # A rule that trusts a group (remote_group_id) is deleted with that group (ON DELETE
    # CASCADE, neutron/db/models/securitygroup.py), so groups go in any order; the ports
    # that could keep one in use went before (networks.py's finder, a lower order).
    return [(g.name, lambda g=g: conn.network.delete_security_group(g, ignore_missing=True))
            for g in conn.network.security_groups(project_id=conn.current_project_id)
            if marks.has_prefix(g.name)]


def _admin_for_users(conn):
    """conn if it may manage users, else the lesson's admin identity, else None."""
    try:
        next(iter(conn.identity.users(name=marks.PREFIX + "probe")), None)
        return conn
    except sdk_exc.HttpException:
        pass
    from .connect import ConnectError, connect

    try:
        return connect(role="admin")
    except ConnectError:
        return None


@cleanup.finder("user", order=80)
def _marked_users(conn, lesson):
    if not _ours(lesson):
        return []
    admin = _admin_for_users(conn)
    if admin is None:
        return []
    return [(u.name, lambda u=u: admin.identity.delete_user(u, ignore_missing=True))
            for u in admin.identity.users(domain_id="default")
            if marks.has_prefix(u.name) and MARK in (u.description or "")]


@cleanup.finder("local file", order=90, local=True)
def _lesson_files(conn, lesson):
    """Key files, images and app-credential clouds made on this machine by the lesson."""
    if not _ours(lesson):
        return []
    home = Path(os.environ.get("LABKIT_DAY3_HOME") or Path.home() / ".labkit-day3")
    found = [(str(p), lambda p=p: p.unlink(missing_ok=True))
             for sub in ("keys", "images") if (home / sub).is_dir()
             for p in sorted((home / sub).iterdir()) if marks.has_prefix(p.name)]
    clouds = home / "clouds.yaml"
    if clouds.is_file():
        names = [n for n in (yaml.safe_load(clouds.read_text()) or {}).get("clouds", {})
                 if marks.has_prefix(n)]
        found += [(f"{clouds} [{n}]", lambda n=n: _forget_cloud(n)) for n in names]
    return found
