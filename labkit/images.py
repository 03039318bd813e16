"""Glance images for the lessons: create (upload or import), update, delete, wait, clean up.

Thin over openstacksdk: every helper is one or two SDK calls plus the checks a learner
needs, and with ``show_equivalent=True`` it prints the equivalent SDK call and ``openstack``
CLI line.

API contract (also used by labkit.widgets)
------------------------------------------
create_image(conn, name, *, filename=None, url=None, data=None, disk_format,
             container_format="bare", visibility=None, protected=False, min_disk=0,
             min_ram=0, description=None, properties=None, tags=None, kernel_id=None,
             ramdisk_id=None, architecture=None, lesson="01", progress=None, wait=True,
             timeout=300, show_equivalent=False) -> openstack.image.v2.image.Image

- Exactly one source:
  * ``filename``: a file on the Jupyter server, streamed to ``PUT /v2/images/{id}/file``
    in chunks (memory does not grow with the file); ``progress(done_bytes, total_bytes)``
    is called as it goes (at most every MiB, and once at the end). ``progress=True``
    shows a ready-made bar (labkit.progress: a widget in Jupyter, text elsewhere).
  * ``url``: an http(s) URL fetched by Glance itself (interoperable import,
    ``web-download``): the image is created, then ``import_image(method="web-download")``.
  * ``data``: bytes (a small browser upload), sent like a file.
  No source is refused, as Horizon does ("An image file or an external location must be
  specified."): an image without data stays ``queued`` and is of no use.
- The name gets the lesson prefix ``day3-`` when it lacks it (``cirros`` becomes
  ``day3-cirros``), so that cleanup can find it; the image also gets the tag
  ``marks.TAG`` and the property ``marks.KEY=<lesson>``. The returned image's ``name``
  is the name actually used.
- Raw API field names: ``protected`` (SDK: ``is_protected``), ``min_disk``, ``min_ram``.
- ``wait=True`` waits (bounded by ``timeout``) until the image is ``active``; a failed
  import raises. ``wait=False`` returns as soon as the data is sent / the import accepted.
- Errors are ``ImageError`` subclasses whose message says what to do; on any failure the
  half-made image is deleted (nothing is left behind):
    InvalidImageInput   empty/long name, bad min_disk/min_ram, unknown format or
                        visibility, no source or several, over-long URL
    FileMissing         the file does not exist on the Jupyter server
    DuplicateName       an image with that name is already visible to you
    FormatMismatch      Glance answered 415: the bytes are not the declared disk_format
    UnsupportedURL      not http/https, or refused by the cloud's import filter
    URLNotAnswering     the URL does not answer (checked before creating anything)
    NotAllowed          403, e.g. visibility="public" without the admin role
    ImportFailed        Glance could not fetch/import the data
    ImageTimeout        no final status within ``timeout`` seconds
    ImageNotFound / AmbiguousImage   name-or-id matches none / several images
    ProtectedImage      delete_image on a protected image
    ImageServiceDown    Glance does not answer at all

update_image(conn, name_or_id, *, show_equivalent=False, **changes) -> Image
    Raw API names: name, description, visibility, protected, min_disk, min_ram,
    disk_format / container_format (only while queued), tags=[...] (the full new list),
    properties={key: value, key2: None}  (None removes the property).
    Sends one JSON-patch with only the fields that change (never ``remove`` for read-only
    extras such as ``stores``, the SDK pitfall that gives 409).

delete_image(conn, name_or_id, *, show_equivalent=False) -> bool
    True when deleted, False when it was already gone (idempotent). Protected -> ProtectedImage.

find_image(conn, name_or_id) -> Image          (ImageNotFound / AmbiguousImage)
wait_for_status(conn, image, status="active", *, timeout=300, interval=1.0,
                on_change=None) -> Image       on_change(status) at every change
list_lesson_images(conn, lesson=None) -> [Image]   the marked images (as cleanup sees them)
disk_formats(conn), container_formats(conn), import_methods(conn)   what the cloud offers
"""

import html
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import requests
from keystoneauth1 import exceptions as ksa_exc
from openstack import exceptions as sdk_exc

from . import cleanup, marks
from . import image_equivalents as equivalents
from . import image_rules as rules
from . import show
from .messages import service_words
from .progress import Progress

NAME_MAX = rules.FIELD_MAX_LENGTH
VISIBILITIES = tuple(value for _, value in rules.VISIBILITIES)
CHUNK = 1024 * 1024  # progress is reported at most once per MiB
PATCH_TYPE = "application/openstack-images-v2.1-json-patch"


# --- errors ---------------------------------------------------------------------------
class ImageError(Exception):
    """Base class: str(error) is the whole message, written for the learner."""


class InvalidImageInput(ImageError, ValueError):
    pass


class FileMissing(ImageError, FileNotFoundError):
    pass


class DuplicateName(ImageError):
    pass


class FormatMismatch(ImageError):
    pass


class UnsupportedURL(ImageError):
    pass


class URLNotAnswering(ImageError):
    pass


class NotAllowed(ImageError, PermissionError):
    pass


class ImportFailed(ImageError):
    pass


class ImageTimeout(ImageError, TimeoutError):
    pass


class ImageNotFound(ImageError, LookupError):
    pass


class AmbiguousImage(ImageError, LookupError):
    pass


class ProtectedImage(ImageError):
    pass


class ImageServiceDown(ImageError, ConnectionError):
    pass


def _translate(exc, what):
    """An SDK/keystoneauth exception -> the ImageError a learner can act on."""
    if isinstance(exc, ImageError):
        return exc
    if isinstance(exc, (ksa_exc.ConnectFailure, requests.ConnectionError)):
        return ImageServiceDown(
            f"{what}: the image service (Glance) does not answer ({type(exc).__name__}). "
            f"Is the cloud up? For the pocket cloud run `labkit cloud status` and "
            f"`labkit cloud up`.")
    code = getattr(exc, "status_code", None)
    said = service_words(exc)
    if code == 415:
        return FormatMismatch(
            f"{what}: Glance refused the data (415 Unsupported Media Type): the bytes are not "
            f"the disk format you declared. Glance inspects every upload (format inspection, "
            f"the same oslo.utils code as labkit.formats.detect_format) and refuses a "
            f"mismatch. Check the file with labkit.formats.detect_format(path) and choose "
            f"that format, or convert the file first.")
    if code == 403 and "publicize" in said:
        return NotAllowed(
            f"{what}: only an admin may make images public (Glance's publicize_image policy): "
            f"\"Non admin users are not allowed to make images public\". Choose private, "
            f"shared or community, or ask an admin.")
    if code == 403:
        return NotAllowed(f"{what}: the cloud refused it (403 Forbidden: {said}). Your role "
                          f"does not allow this, or the image belongs to another project.")
    if code == 413:
        return ImageError(f"{what}: the image is larger than this cloud accepts "
                          f"(413: {said}). Use a smaller image or ask for a larger quota.")
    if code == 409:
        return ImageError(f"{what}: the image is not in a state that allows this "
                          f"(409 Conflict: {said}).")
    if code == 400:
        return InvalidImageInput(f"{what}: Glance refused the request (400: {said}).")
    return ImageError(f"{what}: {said}")


def api_answer(response):
    """An HTTP answer of the API as one line: status, reason and the service's own words.

    For lessons that show what Glance itself says, e.g. after a plain
    ``conn.image.put(...)``: "415 Unsupported Media Type: ... does not match stream data raw".
    Glance wraps its message in a small HTML page; only the text is kept."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.text or ""))
    status = f"{response.status_code} {response.reason}"
    words = " ".join(text.split()).replace(status, "").strip()
    return f"{status}: {words[:300]}" if words else status


# --- what the cloud offers --------------------------------------------------------------
def image_schema(conn):
    """GET /v2/schemas/image: the fields and allowed values of this cloud's images."""
    return conn.image.get_image_schema().properties


def disk_formats(conn):
    """The disk_format values this cloud accepts (from its image schema)."""
    return [f for f in image_schema(conn)["disk_format"]["enum"] if f]


def container_formats(conn):
    return [f for f in image_schema(conn)["container_format"]["enum"] if f]


def import_methods(conn):
    """GET /v2/info/import: e.g. ['glance-direct', 'web-download', 'copy-image']."""
    return list(conn.image.get_import_info().import_methods.get("value", []))


# --- finding ----------------------------------------------------------------------------
def find_image(conn, name_or_id):
    """The one image with this ID or name; ImageNotFound / AmbiguousImage otherwise."""
    if isinstance(name_or_id, str) is False and hasattr(name_or_id, "id"):
        name_or_id = name_or_id.id
    try:
        return conn.image.find_image(name_or_id, ignore_missing=False)
    except sdk_exc.NotFoundException:
        raise ImageNotFound(f"No image called {name_or_id!r} (or with that ID) is visible to "
                            f"you. List them with conn.image.images() or `openstack image "
                            f"list`.") from None
    except sdk_exc.DuplicateResource:
        ids = ", ".join(image.id for image in conn.image.images(name=name_or_id))
        raise AmbiguousImage(f"Several images are called {name_or_id!r} ({ids}): use the ID "
                             f"instead of the name.") from None
    except Exception as exc:
        raise _translate(exc, f"Looking for image {name_or_id!r}") from None


def _exists(conn, name):
    try:
        return next(iter(conn.image.images(name=name)), None)
    except Exception as exc:
        raise _translate(exc, f"Checking whether {name!r} exists") from None


# --- validation -------------------------------------------------------------------------
def _check_whole_number(value, label):
    number = rules.whole_number(value)
    if number is None:
        raise InvalidImageInput(f"{label} is required and must be an integer not less than 0 "
                                f"(got {value!r}).")
    return number


def _check_name(name):
    if not isinstance(name, str) or not name.strip():
        raise InvalidImageInput("The image name is empty: give the image a name.")
    name = marks.name(name.strip())
    if len(name) > NAME_MAX:
        raise InvalidImageInput(f"Image name too long: {len(name)} characters (with the "
                                f"'{marks.PREFIX}' prefix), at most {NAME_MAX}.")
    return name


def _check_source(filename, url, data):
    given = [label for label, value in (("filename", filename), ("url", url), ("data", data))
             if value is not None]
    if not given:
        raise InvalidImageInput("An image file or an external location must be specified "
                                "(filename=, url= or data=).")
    if len(given) > 1:
        raise InvalidImageInput(f"Give exactly one source, not {' and '.join(given)}.")
    if filename is not None:
        path = Path(filename).expanduser()
        if not path.is_file():
            where = "is a folder, not a file" if path.is_dir() else "does not exist"
            raise FileMissing(f"{path} {where} on the Jupyter server (relative paths start in "
                              f"{os.getcwd()}). Check the path, or make a sample with "
                              f"labkit.formats.")
        return "file", path
    if url is not None:
        problem = rules.check_url(url)
        if problem in (rules.URL_SCHEME, rules.URL_INVALID):
            raise UnsupportedURL(f"URL scheme not supported: {url!r}. Glance's web-download "
                                 f"fetches http:// and https:// URLs only.")
        if problem:
            raise InvalidImageInput(f"The URL is {len(url)} characters long; at most "
                                    f"{rules.FIELD_MAX_LENGTH}.")
        return "url", url
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidImageInput(f"data= must be bytes, not {type(data).__name__}; for a file "
                                f"on the server use filename=.")
    return "data", bytes(data)


def _check_url_answers(url, timeout=10):
    """Ask the URL ourselves first, so that a dead link fails fast and creates nothing."""
    try:
        with requests.get(url, stream=True, timeout=timeout) as answer:
            status = answer.status_code
    except requests.RequestException as exc:
        raise URLNotAnswering(f"{url} does not answer ({type(exc).__name__}). Check the "
                              f"address; Glance would fail to download it too.") from None
    if status >= 400:
        raise URLNotAnswering(f"{url} answers {status}: there is no image to download there. "
                              f"Check the address.")


# --- progress -----------------------------------------------------------------------------
class ProgressReader:
    """A read-only file that reports progress(done, total) as it is read, at most every MiB.

    requests streams any object with read() in small blocks, so memory stays flat. It is
    deliberately not an io class: requests would call tell() and fall back to chunked
    transfer, and Glance wants the size up front."""

    def __init__(self, raw, total, progress=None):
        self._raw, self.total, self.done = raw, total, 0
        self._progress, self._reported = progress, 0

    def read(self, size=-1):
        block = self._raw.read(size)
        self.done += len(block)
        if self._progress and (self.done - self._reported >= CHUNK or
                               (self.done == self.total and self._reported != self.done)):
            self._reported = self.done
            self._progress(self.done, self.total)
        return block

    def __len__(self):
        return self.total



# --- create -------------------------------------------------------------------------------
def create_image(conn, name, *, filename=None, url=None, data=None, disk_format,
                 container_format="bare", visibility=None, protected=False, min_disk=0,
                 min_ram=0, description=None, properties=None, tags=None, kernel_id=None,
                 ramdisk_id=None, architecture=None, lesson="01", progress=None, wait=True,
                 timeout=300, show_equivalent=False):
    """Create an image from a file, a URL or bytes: validate, create, upload or import, wait.
    See the module docstring for the rules."""
    request = _validate(conn, name, filename=filename, url=url, data=data,
                        disk_format=disk_format, container_format=container_format,
                        visibility=visibility, min_disk=min_disk, min_ram=min_ram,
                        description=description, lesson=lesson)
    request.fields.update(
        is_protected=bool(protected), tags=list(dict.fromkeys([*(tags or []), marks.TAG])),
        **_properties(properties, description=description, kernel_id=kernel_id,
                      ramdisk_id=ramdisk_id, architecture=architecture, lesson=lesson))
    if show_equivalent:
        show.equivalent(*equivalents.create_lines(**request.equivalent_arguments()))
    image = None
    try:
        image = _create_record(conn, request)
        if request.source == "url":
            _import_from_url(conn, image, request.value)
        else:
            _upload(conn, image, request.source, request.value,
                    Progress(None, "Uploading") if progress is True else progress)
        return (wait_for_status(conn, image, "active", timeout=timeout) if wait
                else conn.image.get_image(image.id))
    except BaseException as exc:  # also Ctrl-C: never leave a half-made image behind
        if image is not None:
            _delete_quietly(conn, image.id)
        if isinstance(exc, Exception):
            raise _translate(exc, f"Creating image {request.name!r}") from None
        raise


@dataclass
class _Request:
    """A create_image call, checked: the name used, the source, and the image's fields."""

    name: str
    source: str  #: "file", "url" or "data"
    value: object  #: the path, the URL or the bytes
    lesson: str
    fields: dict  #: for conn.image.create_image (SDK names), besides the name

    def equivalent_arguments(self):
        fields = dict(self.fields)
        known = {"disk_format", "container_format", "min_disk", "min_ram", "tags",
                 "is_protected", "visibility"}
        return dict(name=self.name, source=self.source,
                    location=None if self.source == "data" else self.value,
                    disk_format=fields["disk_format"],
                    container_format=fields["container_format"],
                    visibility=fields.get("visibility"), protected=fields["is_protected"],
                    min_disk=fields["min_disk"], min_ram=fields["min_ram"],
                    properties={k: v for k, v in fields.items() if k not in known},
                    tags=fields["tags"], lesson=self.lesson)


def _validate(conn, name, *, filename, url, data, disk_format, container_format, visibility,
              min_disk, min_ram, description, lesson):
    """Every check that can be made before the cloud is changed (Horizon's rules, then what
    this cloud offers); returns the checked request."""
    name = _check_name(name)
    source, value = _check_source(filename, url, data)
    fields = {"disk_format": disk_format, "min_disk": _check_whole_number(min_disk, "Minimum "
              "Disk (GB)"), "min_ram": _check_whole_number(min_ram, "Minimum RAM (MB)")}
    if visibility is not None and visibility not in VISIBILITIES:
        raise InvalidImageInput(f"Visibility must be one of {', '.join(VISIBILITIES)}, "
                                f"not {visibility!r}.")
    if visibility:
        fields["visibility"] = visibility
    if rules.check_description(description):
        raise InvalidImageInput(f"The description is {len(description)} characters long; "
                                f"at most {NAME_MAX}.")
    _check_offered(conn, disk_format, source)
    # Horizon's rule: aki/ari/ami imply their container format; the others keep the one given
    fields["container_format"] = (rules.disk_and_container(disk_format)[1]
                                  if disk_format in ("aki", "ari", "ami") else container_format)
    if _exists(conn, name):
        raise DuplicateName(f"An image called {name!r} already exists. Choose another name, "
                            f"or delete the old one first (labkit.images.delete_image).")
    if source == "url":
        _check_url_answers(value)
    return _Request(name, source, value, lesson, fields)


def _check_offered(conn, disk_format, source):
    """The disk format is in this cloud's schema, and a URL source has web-download."""
    try:
        formats = disk_formats(conn)
    except Exception as exc:
        raise _translate(exc, "Reading the image schema") from None
    if disk_format not in formats:
        raise InvalidImageInput(f"Invalid disk format {disk_format!r}: this cloud accepts "
                                f"{', '.join(formats)}.")
    if source == "url" and "web-download" not in import_methods(conn):
        raise UnsupportedURL("This cloud does not offer the web-download import method "
                             "(GET /v2/info/import), so it cannot create an image from a URL. "
                             "Download the file and upload it instead.")


def _properties(properties, *, lesson, **named):
    """The image's free properties as strings: the given ones, the named core properties
    that are set, and the lesson's mark."""
    extra = {key: str(val) for key, val in (properties or {}).items()}
    extra.update({key: str(val) for key, val in named.items() if val})
    extra.update(marks.properties(lesson))
    return extra


def _create_record(conn, request):
    """POST /v2/images with every field. The data follows in a second request, so that we
    hold the image's ID and can delete it if anything after this fails."""
    return conn.image.create_image(request.name, allow_duplicates=True, **request.fields)


def _import_from_url(conn, image, url):
    """Ask Glance to fetch the URL itself (interoperable import, web-download)."""
    answer = conn.image.import_image(image, method="web-download", uri=url)
    if answer.status_code == 400 and "filtering" in answer.text:
        raise UnsupportedURL(
            f"The cloud refuses to download from {url}: its import filter only allows some "
            f"hosts and ports ([import_filtering_opts] in glance-api.conf). Use a URL the "
            f"cloud allows, or download the file and upload it.")
    sdk_exc.raise_from_response(answer)


def _upload(conn, image, source, value, progress):
    """PUT /v2/images/{id}/file, streamed from the file (or the bytes) in small blocks."""
    if source == "file":
        raw = open(value, "rb")
        total = os.fstat(raw.fileno()).st_size
    else:
        raw, total = io.BytesIO(value), len(value)
    with raw:
        reader = ProgressReader(raw, total, progress)
        answer = image.upload(conn.image, data=reader, size=total)
        sdk_exc.raise_from_response(answer)
        if progress and reader.done == 0 == total:
            progress(0, 0)


def _delete_quietly(conn, image_id):
    try:
        image = conn.image.get_image(image_id)
        if image.is_protected:
            conn.image.update_image(image_id, is_protected=False)
        conn.image.delete_image(image_id, ignore_missing=True)
    except Exception:  # the original error is what the learner needs to see
        pass


# --- wait ---------------------------------------------------------------------------------
def _failed_import(image):
    return (image.properties or {}).get("os_glance_failed_import")


def wait_for_status(conn, image, status="active", *, timeout=300, interval=1.0,
                    on_change=None):
    """Wait (the SDK's wait_for_status) until the image reaches status; raise on killed or a
    failed import, or timeout.

    on_change(status) is called at each new status (to show queued -> saving -> active)."""
    image_id = getattr(image, "id", image)
    try:
        image = conn.image.get_image(image_id)
        watch = _StatusWatch(image, on_change)
        conn.image.wait_for_status(image, status, failures=["killed", "deleted", "pending_delete"],
                                   interval=interval, wait=timeout, callback=watch)
        watch()
        return image
    except sdk_exc.ResourceFailure:
        raise ImportFailed(f"Image {image.name!r} ended {image.status}: its data could not "
                           f"be stored. Check the source and try again.") from None
    except sdk_exc.ResourceTimeout:
        raise ImageTimeout(f"Image {image.name!r} is still {image.status} after "
                           f"{timeout:.0f} s. Try again with a larger timeout=, or check "
                           f"the source.") from None
    except ImageError:
        raise
    except Exception as exc:
        raise _translate(exc, f"Waiting for image {image_id}") from None


class _StatusWatch:
    """The callback for the SDK's wait: it is given only a progress figure, but the SDK's
    fetch updates the image in place, so the status is read there. It reports each new
    status, and stops the wait on a failed import, which the SDK cannot see: the status
    goes back to queued, and only os_glance_failed_import says why."""

    def __init__(self, image, on_change):
        self.image, self.on_change, self.seen = image, on_change, None
        self()

    def __call__(self, _progress=None):
        if self.image.status != self.seen:
            self.seen = self.image.status
            if self.on_change:
                self.on_change(self.seen)
        failed = _failed_import(self.image)
        if failed and self.image.status == "queued":
            raise ImportFailed(
                f"Glance could not import the data of {self.image.name!r} (the import to store "
                f"'{failed}' failed and the image went back to queued). The URL may not "
                f"answer from the cloud, or the data is not a {self.image.disk_format}"
                f" image. Check the URL and the format.")


# --- update -------------------------------------------------------------------------------
_FIELDS = {"name", "description", "visibility", "protected", "min_disk", "min_ram",
           "disk_format", "container_format", "architecture", "kernel_id", "ramdisk_id"}


def _patch_ops(current, changes):
    """JSON-patch operations that turn the raw image body `current` into one with changes."""
    ops = []
    for key, value in changes.items():
        if value is None:
            if key in current:
                ops.append({"op": "remove", "path": f"/{key}"})
        elif current.get(key) != value:
            ops.append({"op": "replace" if key in current else "add", "path": f"/{key}",
                        "value": value})
    return ops


def _validate_changes(changes):
    unknown = set(changes) - _FIELDS - {"tags", "properties"}
    if unknown:
        raise InvalidImageInput(f"Cannot change {', '.join(sorted(unknown))}: give API field "
                                f"names ({', '.join(sorted(_FIELDS))}, tags, properties).")
    fields = {k: v for k, v in changes.items() if k in _FIELDS}
    if "name" in fields:
        fields["name"] = _check_name(fields["name"])
    for key, label in (("min_disk", "Minimum Disk (GB)"), ("min_ram", "Minimum RAM (MB)")):
        if key in fields:
            fields[key] = _check_whole_number(fields[key], label)
    if "visibility" in fields and fields["visibility"] not in VISIBILITIES:
        raise InvalidImageInput(f"Visibility must be one of {', '.join(VISIBILITIES)}, "
                                f"not {fields['visibility']!r}.")
    if "protected" in fields:
        fields["protected"] = bool(fields["protected"])
    for key, value in (changes.get("properties") or {}).items():
        fields[key] = None if value is None else str(value)
    if "tags" in changes:  # the lesson's tag stays, or cleanup would lose the image
        fields["tags"] = list(dict.fromkeys([*(changes["tags"] or []), marks.TAG]))
    return fields


def update_image(conn, name_or_id, *, show_equivalent=False, **changes):
    """Change an image's fields in one PATCH, with raw API names; returns the updated image."""
    fields = _validate_changes(changes)
    image = find_image(conn, name_or_id)
    if "name" in fields and fields["name"] != image.name and _exists(conn, fields["name"]):
        raise DuplicateName(f"An image called {fields['name']!r} already exists: choose "
                            f"another name.")
    if show_equivalent:
        show.equivalent(*equivalents.update_lines(image.id, fields,
                                                   current_tags=image.tags or []))
    try:
        current = conn.image.get(f"/images/{image.id}").json()
        ops = _patch_ops(current, fields)
        if ops:
            answer = conn.image.patch(f"/images/{image.id}", json=ops,
                                      headers={"Content-Type": PATCH_TYPE})
            sdk_exc.raise_from_response(answer)
        return conn.image.get_image(image.id)
    except Exception as exc:
        raise _translate(exc, f"Updating image {image.name!r}") from None


# --- delete -------------------------------------------------------------------------------
def delete_image(conn, name_or_id, *, show_equivalent=False):
    """Delete an image (permanent). False if it was already gone; protected -> ProtectedImage."""
    try:
        image = find_image(conn, name_or_id)
    except ImageNotFound:
        return False
    if show_equivalent:
        show.equivalent(*equivalents.delete_lines([image]))
    if image.is_protected:
        raise ProtectedImage(f"Image {image.name!r} is protected, so Glance refuses to delete "
                             f"it. Unprotect it first: update_image(conn, {image.name!r}, "
                             f"protected=False) or `openstack image set --unprotected "
                             f"{image.name}`.")
    try:
        conn.image.delete_image(image.id, ignore_missing=True)
    except Exception as exc:
        raise _translate(exc, f"Deleting image {image.name!r}") from None
    return True


# --- cleanup ------------------------------------------------------------------------------
def list_lesson_images(conn, lesson=None):
    """The images this project owns that carry every mark (prefix, tag, lesson property)."""
    project = conn.current_project_id
    return [image for image in conn.image.images(tag=marks.TAG, owner=project)
            if marks.is_marked(image.name, image.properties or {}, lesson)]


@cleanup.finder("image", order=50)
def _marked_images(conn, lesson):
    def remover(image):
        def remove():
            if image.is_protected:  # a lesson protected it on purpose; the mark says it is ours
                conn.image.update_image(image.id, is_protected=False)
            conn.image.delete_image(image.id, ignore_missing=True)
        return remove
    return [(image.name, remover(image)) for image in list_lesson_images(conn, lesson)]


# --- the pocket cloud's image mirror ----------------------------------------------------
def publish_on_mirror(path):
    """Copy a file into the pocket cloud's image mirror; returns its URL there.

    The mirror is a plain web server on 127.0.0.1 that Glance's web-download may fetch
    from, standing in for sites such as cloud-images.ubuntu.com."""
    from .cloud import PocketCloud

    return PocketCloud(say=lambda *_: None).publish_on_mirror(path)
