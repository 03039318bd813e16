"""Lesson 4, working with containers: thin helpers over openstacksdk's object store (Swift).

    from labkit import containers
    containers.create_container(conn, "photos")                  # -> day3-photos, marked
    containers.upload_file(conn, "day3-photos", "cat.jpg")        # streamed, progress bar
    containers.download_file(conn, "day3-photos", "cat.jpg", "copy.jpg")   # ETag verified
    containers.set_acl(conn, "day3-photos", read=".r:*,.rlistings")
    url = containers.temp_url(conn, "day3-photos", "cat.jpg", seconds=60)

Every helper talks to ``conn.object_store`` (the SDK's Swift proxy); where the SDK has no
call for a step (listing with a delimiter, SLO manifests) the helper sends the plain Swift
request through that same proxy, so the learner sees the real API.

Why uploads send their own PUT: in openstacksdk 4.x ``create_object(data=...)`` drops
``content_type``, and the object-store resources keep ``metadata`` in a class-level dict, so
``create_object(..., metadata=...)`` leaks those headers into every later container and object
request of the process. Headers are therefore sent explicitly here.
"""

import hashlib
import hmac
import json
import mimetypes
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from openstack import exceptions as sdk_exc

from . import capabilities, cleanup, marks, show
from .progress import Progress

LESSON = "04"
MARK_META = marks.KEY.replace("_", "-")  # X-Container-Meta-Labkit-Lesson (no '_' in headers)
MiB = 1024 * 1024
CHUNK = MiB  # read and write files in 1 MiB pieces


class NameRefused(ValueError):
    """A container or object name that Swift would refuse."""


class MalformedACL(ValueError):
    """An ACL string that Swift would refuse, or that would not do what it seems to say."""


class ContainerNotEmpty(Exception):
    """Swift refuses (409) to delete a container that still holds objects."""


class IntegrityError(Exception):
    """Bytes sent or received do not match the checksum (ETag) Swift reports."""


# ---------------------------------------------------------------- names and limits

def swift_limits(conn):
    """The limits this Swift publishes at GET /info (no token needed)."""
    info = conn.object_store.get_info()
    return {"max_container_name_length": info.swift.get("max_container_name_length", 256),
            "max_object_name_length": info.swift.get("max_object_name_length", 1024),
            "max_file_size": info.swift.get("max_file_size"),
            "slo_min_segment_size": (info.slo or {}).get("min_segment_size", 1),
            "tempurl_digests": (info.tempurl or {}).get("allowed_digests", [])}


def check_container_name(name, max_length=256):
    """Raise NameRefused, saying what to do, for a name Swift would refuse."""
    if not name:
        raise NameRefused("A container needs a name: give a non-empty one, e.g. 'day3-photos'.")
    if "/" in name:
        raise NameRefused(
            f"Container names cannot contain '/': Swift would read {name!r} as object "
            f"{name.split('/', 1)[1]!r} in container {name.split('/', 1)[0]!r}. Use '-' in "
            f"the container name, and keep '/' for object names (pseudo-folders).")
    length = len(name.encode("utf-8"))
    if length > max_length:
        raise NameRefused(
            f"Container name is {length} bytes long; this cloud allows at most {max_length} "
            f"(swift.max_container_name_length in /info). Choose a shorter name.")


def check_object_name(name, max_length=1024):
    """Raise NameRefused, saying what to do, for an object name Swift would refuse."""
    if not name:
        raise NameRefused("An object needs a name: give a non-empty one, e.g. 'notes/a.txt'.")
    length = len(name.encode("utf-8"))
    if length > max_length:
        raise NameRefused(
            f"Object name is {length} bytes long; this cloud allows at most {max_length} "
            f"(swift.max_object_name_length in /info). Choose a shorter name.")


def _path(container, name=None):
    """The URL path below the account, quoted: 'day3-c/a%20b.txt'."""
    return quote(container) + ("" if name is None else "/" + quote(name))


def object_url(conn, container, name=None):
    """The full URL of a container or object, as anyone (with or without a token) uses it."""
    return conn.object_store.get_endpoint().rstrip("/") + "/" + _path(container, name)


# ---------------------------------------------------------------- containers

def create_container(conn, name, lesson=LESSON):
    """Create (or keep) a marked container; returns its name (with the day3- prefix)."""
    name = marks.name(name)
    check_container_name(name, swift_limits(conn)["max_container_name_length"])
    conn.object_store.create_container(name=name)  # PUT: 201 new, 202 already there
    conn.object_store.set_container_metadata(name, refresh=False, **{MARK_META: lesson})
    return name


def delete_object(conn, container, name):
    """Delete an object; for a static large object, its segments too. Gone already: no-op."""
    try:
        head = conn.object_store.get_object_metadata(name, container)
    except sdk_exc.NotFoundException:
        return
    if not head.is_static_large_object:
        conn.object_store.delete_object(name, container=container, ignore_missing=True)
        return
    # multipart-manifest=delete removes the manifest and every segment it lists; Swift
    # answers 200 with a report, whose "Errors" say what could not be deleted.
    response = conn.object_store.delete(_path(container, name),
                                        params={"multipart-manifest": "delete"},
                                        headers={"Accept": "application/json"})
    sdk_exc.raise_from_response(response)
    errors = response.json().get("Errors") or []
    if errors:
        raise RuntimeError(f"Deleting {container}/{name} left segments behind: {errors}")


def delete_container(conn, name, force=False):
    """Delete a container (already gone: no-op). force=True deletes its objects first."""
    if force:
        try:
            names = [obj.name for obj in conn.object_store.objects(name)]
        except sdk_exc.NotFoundException:
            return
        for each in names:
            delete_object(conn, name, each)
    try:
        conn.object_store.delete_container(name, ignore_missing=True)
    except sdk_exc.ConflictException:
        count = conn.object_store.get_container_metadata(name).object_count
        raise ContainerNotEmpty(
            f"Swift refused to delete {name!r} (409 Conflict): it still holds {count} "
            f"object(s). Delete them first, or call delete_container(conn, {name!r}, "
            f"force=True).") from None


# ---------------------------------------------------------------- listing

def list_objects(conn, container, prefix=None, delimiter=None):
    """Objects (and, with a delimiter, pseudo-folders) as dicts: name, kind, bytes, type.

    openstacksdk's ``objects()`` drops the ``delimiter`` query parameter, so this sends
    ``GET /v1/AUTH_.../container?format=json&prefix=..&delimiter=..`` itself.
    """
    params = {"format": "json"}
    if prefix:
        params["prefix"] = prefix
    if delimiter:
        params["delimiter"] = delimiter
    rows, marker = [], None
    while True:  # Swift returns at most container_listing_limit entries per page
        page_params = dict(params, **({"marker": marker} if marker else {}))
        response = conn.object_store.get(_path(container), params=page_params)
        sdk_exc.raise_from_response(response)
        page = response.json() if response.status_code == 200 else []
        if not page:
            return rows
        for entry in page:
            if "subdir" in entry:
                rows.append({"name": entry["subdir"], "kind": "pseudo-folder", "bytes": "",
                             "content_type": ""})
            else:
                rows.append({"name": entry["name"], "kind": "object", "bytes": entry["bytes"],
                             "content_type": entry["content_type"]})
        marker = page[-1].get("name") or page[-1].get("subdir")


def tree(conn, container):
    """Print a container's objects as a folder tree (pseudo-folders split on '/')."""
    root = {}
    for row in list_objects(conn, container):
        node = root
        *folders, leaf = row["name"].split("/")
        for folder in folders:
            node = node.setdefault(folder + "/", {})
        node[leaf] = row["bytes"]
    lines = [container]

    def walk(node, indent):
        items = sorted(node.items())
        for index, (key, value) in enumerate(items):
            last = index == len(items) - 1
            branch = "└── " if last else "├── "
            label = key if isinstance(value, dict) else f"{key}  ({value} bytes)"
            lines.append(indent + branch + label)
            if isinstance(value, dict):
                walk(value, indent + ("    " if last else "│   "))

    walk(root, "")
    text = "\n".join(lines)
    print(text)
    return text


# ---------------------------------------------------------------- upload and download

class _Stream:
    """Feeds at most `length` bytes of an open file to requests, 1 MiB at a time.

    It has a length, so requests sends Content-Length (not chunked encoding), and it
    keeps an MD5 of what was sent, to compare with the ETag Swift answers.
    """

    def __init__(self, handle, length, progress):
        self.handle, self.length, self.progress = handle, length, progress
        self.md5 = hashlib.md5(usedforsecurity=False)

    def __len__(self):
        return self.length

    def __iter__(self):
        left = self.length
        while left > 0:
            chunk = self.handle.read(min(CHUNK, left))
            if not chunk:
                raise IOError("The file became shorter while it was being uploaded.")
            left -= len(chunk)
            self.md5.update(chunk)
            self.progress.advance(len(chunk))
            yield chunk


@dataclass
class Transfer:
    """What an upload or download did: shown as a one-line summary."""

    container: str
    name: str
    bytes: int
    etag: str
    seconds: float
    md5: str = ""
    segments: int = 0
    path: str = ""

    @property
    def mib_per_second(self):
        return self.bytes / MiB / max(self.seconds, 1e-9)

    def summary(self, verb):
        parts = f" in {self.segments} segments" if self.segments else ""
        return (f"{verb} {self.container}/{self.name}: {self.bytes / MiB:.1f} MiB{parts} in "
                f"{self.seconds:.1f} s ({self.mib_per_second:.0f} MiB/s); ETag verified.")


def _source(path):
    path = Path(path).expanduser()
    if not path.is_file():
        where = "it is a folder" if path.is_dir() else "it does not exist"
        raise FileNotFoundError(
            f"Cannot upload {str(path)!r}: {where}. Give the path of a file (relative "
            f"paths start from {Path.cwd()}). Nothing was uploaded.")
    return path


def _content_type(name, content_type):
    return content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _put_stream(conn, container, name, handle, length, progress, headers):
    """PUT one object from an open file; checks Swift's ETag against the bytes sent."""
    stream = _Stream(handle, length, progress)
    response = conn.object_store.put(_path(container, name), data=stream, headers=headers)
    sdk_exc.raise_from_response(response)
    etag = response.headers.get("Etag", "").strip('"')
    if etag != stream.md5.hexdigest():
        raise IntegrityError(f"Swift stored {container}/{name} with ETag {etag}, but the "
                             f"bytes sent have MD5 {stream.md5.hexdigest()}: upload it again.")
    return etag


def upload_bytes(conn, container, name, data, content_type=None, metadata=None):
    """Upload an object from memory (str or bytes); metadata: {'colour': 'blue'}.

    One PUT with explicit headers: ``create_object(data=..., content_type=...)`` in
    openstacksdk 4.x does not send the content type (and see the module docstring on
    ``metadata=``).
    """
    check_object_name(name, swift_limits(conn)["max_object_name_length"])
    body = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    headers = {"Content-Type": _content_type(name, content_type)}
    headers.update({f"X-Object-Meta-{key}": str(value)
                    for key, value in (metadata or {}).items()})
    response = conn.object_store.put(_path(container, name), data=body, headers=headers)
    sdk_exc.raise_from_response(response)
    etag = response.headers.get("Etag", "").strip('"')
    if etag != hashlib.md5(body, usedforsecurity=False).hexdigest():
        raise IntegrityError(f"Swift stored {container}/{name} with ETag {etag}, which is not "
                             f"the MD5 of the bytes sent: upload it again.")
    return conn.object_store.get_object_metadata(name, container)


def upload_file(conn, container, path, name=None, content_type=None, progress=True):
    """Upload a file as one object, streamed (never read whole) with a progress bar."""
    path = _source(path)
    name = name or path.name
    limits = swift_limits(conn)
    check_object_name(name, limits["max_object_name_length"])
    size = path.stat().st_size
    if limits["max_file_size"] and size > limits["max_file_size"]:
        raise ValueError(f"{path.name} is {size} bytes; one object may hold at most "
                         f"{limits['max_file_size']}: use upload_large_file().")
    bar = Progress(size, "upload", progress)
    with path.open("rb") as handle:
        etag = _put_stream(conn, container, name, handle, size, bar,
                           {"Content-Type": _content_type(name, content_type)})
    result = Transfer(container, name, size, etag, bar.finish(), md5=etag, path=str(path))
    if progress:
        show.note(result.summary("Uploaded"), "ok")
    return result


def segments_container(container):
    """Where upload_large_file puts the segments (the python-swiftclient convention)."""
    return container + "_segments"


def upload_large_file(conn, container, path, name=None, segment_size=MiB, content_type=None,
                      progress=True):
    """Upload a file as a static large object: segments, then a manifest that lists them."""
    path = _source(path)
    name = name or path.name
    limits = swift_limits(conn)
    check_object_name(name, limits["max_object_name_length"])
    if segment_size < limits["slo_min_segment_size"]:
        raise ValueError(f"segment_size must be at least {limits['slo_min_segment_size']} "
                         f"bytes on this cloud (slo.min_segment_size in /info).")
    size = path.stat().st_size
    store = create_container(conn, segments_container(container))
    bar = Progress(size, "segments", progress)
    manifest = []
    with path.open("rb") as handle:
        for index, offset in enumerate(range(0, max(size, 1), segment_size)):
            length = min(segment_size, size - offset)
            segment = f"{name}/{index:08d}"
            etag = _put_stream(conn, store, segment, handle, length, bar,
                               {"Content-Type": "application/octet-stream"})
            manifest.append({"path": f"/{store}/{segment}", "etag": etag,
                             "size_bytes": length})
    response = conn.object_store.put(_path(container, name),
                                     params={"multipart-manifest": "put"},
                                     data=json.dumps(manifest),
                                     headers={"Content-Type": _content_type(name, content_type)})
    sdk_exc.raise_from_response(response)
    etag = response.headers.get("Etag", "").strip('"')
    result = Transfer(container, name, size, etag, bar.finish(), segments=len(manifest),
                      path=str(path))
    if progress:
        show.note(result.summary("Uploaded"), "ok")
    return result


def manifest(conn, container, name):
    """The SLO manifest of an object as Swift stores it: [{path, etag, size_bytes}]."""
    response = conn.object_store.get(_path(container, name),
                                     params={"multipart-manifest": "get", "format": "raw"})
    sdk_exc.raise_from_response(response)
    return response.json()


class _SegmentHashes:
    """MD5 per segment while bytes stream by; Swift's SLO ETag is MD5(their hex digests)."""

    def __init__(self, sizes):
        self.sizes, self.digests = list(sizes), []
        self._current, self._left = None, 0

    def update(self, chunk):
        while chunk:
            if self._left == 0:
                self._current = hashlib.md5(usedforsecurity=False)
                self._left = self.sizes[len(self.digests)]
            piece, chunk = chunk[:self._left], chunk[self._left:]
            self._current.update(piece)
            self._left -= len(piece)
            if self._left == 0:
                self.digests.append(self._current.hexdigest())

    def etag(self):
        return hashlib.md5("".join(self.digests).encode(), usedforsecurity=False).hexdigest()


def download_file(conn, container, name, path, progress=True):
    """Download an object to path, streamed, and verify it against its ETag.

    A plain object's ETag is the MD5 of its bytes; a static large object's is the MD5 of
    its segments' MD5s, so those are computed on the way. The file appears only when the
    check passes (it is written as path + '.part' first).
    """
    head = conn.object_store.get_object_metadata(name, container)
    etag = (head.etag or "").strip('"')
    is_slo = bool(head.is_static_large_object)
    segments = _SegmentHashes(s["size_bytes"] for s in manifest(conn, container, name)) \
        if is_slo else None
    target = Path(path).expanduser()
    partial = target.with_name(target.name + ".part")
    bar = Progress(int(head.content_length or 0), "download", progress)
    whole = hashlib.md5(usedforsecurity=False)
    response = conn.object_store.get(_path(container, name), stream=True)
    sdk_exc.raise_from_response(response)
    try:
        with partial.open("wb") as out:
            for chunk in response.iter_content(CHUNK):
                out.write(chunk)
                whole.update(chunk)
                if segments:
                    segments.update(chunk)
                bar.advance(len(chunk))
        received = segments.etag() if segments else whole.hexdigest()
        if received != etag:
            raise IntegrityError(f"{container}/{name}: the bytes received hash to {received}, "
                                 f"Swift's ETag is {etag}. Nothing was saved; download again.")
        partial.replace(target)
    finally:
        response.close()
        partial.unlink(missing_ok=True)
    result = Transfer(container, name, bar.done, etag, bar.finish(), md5=whole.hexdigest(),
                      segments=len(segments.digests) if segments else 0, path=str(target))
    if progress:
        show.note(result.summary("Downloaded"), "ok")
    return result


def file_md5(path):
    """MD5 of a local file, read 1 MiB at a time."""
    digest = hashlib.md5(usedforsecurity=False)
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- ACLs

_REFERRER = (".r", ".ref", ".referer", ".referrer")


def parse_acl(acl, kind="read"):
    """The elements of a container ACL (kind 'read' or 'write'), cleaned as Swift cleans them.

    Raises MalformedACL, saying what to write instead, for what Swift refuses (a referrer
    with no host, a referrer in a write ACL, an unknown '.designator:') and for dot-words
    that Swift would store but that grant nothing (a typo such as '.rlisting').
    """
    if kind not in ("read", "write"):
        raise ValueError(f"kind must be 'read' or 'write', not {kind!r}")
    elements = []
    for raw in (acl or "").split(","):
        element = raw.strip()
        if not element:
            continue
        if not element.startswith("."):
            if element.count(":") > 1:
                raise MalformedACL(f"{element!r}: a project:user element has exactly one ':' "
                                   f"(use IDs, or names in the Default domain, or '*').")
            elements.append(element)
            continue
        designator, _, value = (part.strip() for part in element.partition(":"))
        if designator in _REFERRER:
            if kind == "write":
                raise MalformedACL(f"{element!r}: referrer elements (.r:) only work in a READ "
                                   f"ACL; a write ACL names projects and users, e.g. "
                                   f"'<project_id>:*'.")
            if not value or value in ("-", ".", "*.", "-."):
                raise MalformedACL(f"{element!r}: a referrer needs a host after '.r:', e.g. "
                                   f"'.r:*' (anyone) or '.r:.example.com'.")
            elements.append(".r:" + value)
        elif element == ".rlistings" and kind == "read":
            elements.append(element)
        else:
            raise MalformedACL(f"{element!r}: unknown designator. A read ACL knows '.r:<host>' "
                               f"and '.rlistings'; a write ACL knows neither.")
    return elements


def _explain(element, kind, elements):
    verb = "read (GET/HEAD) objects and list" if kind == "read" else \
        "create, overwrite and delete objects in"
    if element == ".rlistings":
        if not any(e.startswith(".r:") and not e.startswith(".r:-") for e in elements):
            return "list the container anonymously - but only together with a .r: element"
        return "anyone allowed by a .r: element may also list the container's objects"
    if element.startswith(".r:-"):
        return f"deny requests whose Referer is {element[4:]} (checked in order)"
    if element == ".r:*":
        return "anyone, without a token, may read objects (not list them: add .rlistings)"
    if element.startswith(".r:"):
        host = element[3:]
        scope = f"any host in {host[1:]}" if host.startswith(".") else f"host {host}"
        return (f"requests with a Referer from {scope} may read objects (a Referer is easily "
                f"faked: this is not security)")
    if ":" in element:
        project, user = element.split(":")
        who = "any user" if user == "*" else f"user {user}"
        where = "any project" if project == "*" else f"project {project}"
        return f"{who} of {where} (with a token) may {verb} the container"
    return f"any user whose token carries the role {element!r} may {verb} the container"


def explain_acl(acl, kind="read"):
    """Rows (element, grants) saying what each element of an ACL string allows."""
    elements = parse_acl(acl, kind)
    return [{"acl": kind, "element": e, "grants": _explain(e, kind, elements)}
            for e in elements]


def project_acl(project_id, user="*"):
    """The ACL element for (any user of) another project: '<project_id>:*'."""
    return f"{project_id}:{user}"


def set_acl(conn, container, read=None, write=None):
    """Set the read and/or write ACL (None: leave as is, '': remove). Checked before sending."""
    changes = {}
    for kind, acl in (("read", read), ("write", write)):
        if acl is not None:
            changes[f"{kind}_ACL"] = ",".join(parse_acl(acl, kind))
    if changes:
        conn.object_store.set_container_metadata(container, refresh=False, **changes)


def remove_acl(conn, container):
    """Remove both ACLs: the container is private to its project again."""
    set_acl(conn, container, read="", write="")


def show_acl(conn, container, quiet=False):
    """The container's current ACLs, explained; returns the rows."""
    meta = conn.object_store.get_container_metadata(container)
    rows = explain_acl(meta.read_ACL or "", "read") + explain_acl(meta.write_ACL or "", "write")
    if not quiet:
        if rows:
            show.table(rows, ["acl", "element", "grants"], title=f"ACLs of {container}")
        else:
            show.note(f"{container} has no ACL: only members of its project can use it.")
    return rows


# ---------------------------------------------------------------- plain HTTP (no token)

@dataclass
class Answer:
    status: int
    reason: str
    body: bytes = b""

    def __str__(self):
        return f"{self.status} {self.reason}"


def http_request(url, method="GET", data=None, headers=None):
    """A request with plain urllib, as a browser or curl sends it: no token at all."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, response.reason, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.reason, error.read())


def as_other_project(other_conn, url, method="GET", data=None):
    """A request with another project's token to a URL in OUR account (for ACL demos)."""
    response = other_conn.object_store.request(url, method, data=data)
    return Answer(response.status_code, response.reason, response.content)


# ---------------------------------------------------------------- temporary URLs

def set_temp_url_key(conn, container):
    """Give the container a new random temp-URL key (kept in Swift, never shown)."""
    conn.object_store.set_container_temp_url_key(container, secrets.token_hex(24))


def temp_url(conn, container, name, seconds=300, method="GET", expires=None):
    """A URL that lets anyone `method` one object until it expires (HMAC-SHA256 signed).

    expires: a Unix time instead of `seconds` from now. The SDK's own
    ``conn.object_store.generate_temp_url`` signs with SHA-1, which Swift lists as deprecated.
    """
    key = conn.object_store.get_temp_url_key(container)
    if not key:
        raise ValueError(f"{container!r} has no temp-URL key (nor has the account): call "
                         f"set_temp_url_key(conn, {container!r}) first.")
    url = urlparse(object_url(conn, container, name))
    expires = int(expires if expires is not None else time.time() + seconds)
    body = f"{method.upper()}\n{expires}\n{unquote(url.path)}"  # Swift signs the decoded path
    signature = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
    return (f"{url.scheme}://{url.netloc}{url.path}"
            f"?temp_url_sig={signature}&temp_url_expires={expires}")


def masked(url):
    """A temp URL with its signature shortened, for showing: the signature is a credential."""
    head, _, rest = url.partition("temp_url_sig=")
    signature, _, tail = rest.partition("&")
    return f"{head}temp_url_sig={signature[:6]}...&{tail}" if rest else url


def with_changed_signature(url):
    """The same temp URL with one hex digit of the signature changed (a forgery)."""
    head, _, rest = url.partition("temp_url_sig=")
    digit = "0" if rest[0] != "0" else "1"
    return f"{head}temp_url_sig={digit}{rest[1:]}"


# ---------------------------------------------------------------- application containers

# Zun's and Magnum's official service types and the aliases clouds register them under
# (service-types-authority, as packaged in os-service-types: application-container has the
# alias container; container-infrastructure-management has container-infra).
APPLICATION_CONTAINER_TYPES = ("application-container", "container",
                               "container-infrastructure-management", "container-infrastructure",
                               "container-infra")


def application_container_services(conn):
    """Rows for Zun and Magnum (under their official types or aliases) if the catalog has them."""
    rows = []
    for entry in capabilities.catalog(conn):
        if entry.get("type") in APPLICATION_CONTAINER_TYPES:
            for endpoint in entry.get("endpoints", []):
                if endpoint.get("interface") == "public":
                    rows.append({"type": entry["type"], "name": entry.get("name", ""),
                                 "url": endpoint.get("url", "")})
    return rows


# ---------------------------------------------------------------- cleanup

def is_marked(conn, container, lesson):
    """True when the container has the day3- name and the lesson's metadata mark (False
    when it is gone: another notebook or cleanup may delete it after it was listed)."""
    try:
        metadata = conn.object_store.get_container_metadata(container).metadata
    except sdk_exc.NotFoundException:
        return False
    normalised = {key.replace("-", "_"): value for key, value in metadata.items()}
    return marks.is_marked(container, normalised, lesson)


def marked_containers(conn, lesson=None):
    """Names of the containers that carry the marks (day3- name and lesson metadata)."""
    if not capabilities.has_service(conn, "object-store"):
        return []
    names = [c.name for c in conn.object_store.containers(prefix=marks.PREFIX)]
    return [name for name in names if is_marked(conn, name, lesson)]


@cleanup.finder("swift object", order=30)
def _marked_objects(conn, lesson):
    found = []
    for container in marked_containers(conn, lesson):
        try:
            objects = list(conn.object_store.objects(container))
        except sdk_exc.NotFoundException:
            continue  # deleted since it was listed: nothing left to clean in it
        found.extend((f"{container}/{obj.name}",
                      lambda c=container, o=obj.name: delete_object(conn, c, o))
                     for obj in objects)
    return found


@cleanup.finder("swift container", order=31)
def _marked_container_list(conn, lesson):
    return [(name, lambda n=name: delete_container(conn, n, force=True))
            for name in marked_containers(conn, lesson)]


# ------------------------------------------------------------------ the swift CLI
class SwiftAuth:
    """The `swift` CLI's login, for a `!swift {swift_auth} ...` line in a notebook.

    python-swiftclient reads no clouds.yaml, so it is given the SDK session's token and the
    account's URL. str() gives the options; repr() (what a notebook shows) hides the token.
    """

    def __init__(self, conn):
        self.storage_url = conn.object_store.get_endpoint()
        self._token = conn.auth_token

    def __str__(self):
        return f"--os-auth-token {self._token} --os-storage-url {self.storage_url}"

    def __repr__(self):
        return f"--os-auth-token ****(hidden) --os-storage-url {self.storage_url}"
