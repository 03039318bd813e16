"""Horizon's rules and messages for the image forms, as pure functions (no cloud, no widgets).

The texts are Horizon's own (openstack_dashboard/static/app/core/images/ and
dashboards/project/images/images/forms.py), so a learner who later meets the dashboard
sees the same words. Where Horizon has no message (the metadata rows, the browser-upload
limit), the message says what to do instead.

    errors = validate_create(values, formats=offered, sources=["file", "url"])
    errors  # {} or {"name": "An image name less than 256 characters is required.", ...}
"""

from urllib.parse import urlparse

from . import marks

#: Horizon's validationRules.fieldMaxLength: names, descriptions, locations, architecture.
FIELD_MAX_LENGTH = 255

#: Above this a browser upload (ipywidgets FileUpload) fails: the websocket message limit.
BROWSER_UPLOAD_LIMIT = 10 * 1024 * 1024

#: Horizon's format choices (OPENSTACK_IMAGE_BACKEND['image_formats']), in its order.
FORMAT_LABELS = {
    "aki": "AKI - Amazon Kernel Image",
    "ami": "AMI - Amazon Machine Image",
    "ari": "ARI - Amazon Ramdisk Image",
    "docker": "Docker",
    "iso": "ISO - Optical Disk Image",
    "ova": "OVA - Open Virtual Appliance",
    "ploop": "PLOOP - Virtuozzo/Parallels Loopback Disk",
    "qcow2": "QCOW2 - QEMU Emulator",
    "raw": "Raw",
    "vdi": "VDI - Virtual Disk Image",
    "vhd": "VHD - Virtual Hard Disk",
    "vhdx": "VHDX - Large Virtual Hard Disk",
    "vmdk": "VMDK - Virtual Machine Disk",
}
SELECT_FORMAT = "Select format"  # Horizon's empty first choice

SOURCE_TYPES = [("File", "file"), ("URL", "url")]
VISIBILITIES = [("Private", "private"), ("Shared", "shared"), ("Community", "community"),
                ("Public", "public")]
DEFAULT_VISIBILITY = "shared"  # Horizon's Create Image default (Glance's default too)
PROTECTED_CHOICES = [("Yes", True), ("No", False)]

#: Image fields a metadata row may not set: Glance's base, read-only and reserved
#: attributes, the fields that have their own box in the form, and labkit's lesson mark.
NOT_PROPERTIES = {
    "checksum", "created_at", "container_format", "disk_format", "id", "min_disk", "min_ram",
    "name", "size", "virtual_size", "status", "tags", "owner", "updated_at", "visibility",
    "protected", "os_hidden", "direct_url", "self", "file", "schema", "os_hash_algo",
    "os_hash_value", "location", "locations", "deleted", "deleted_at", "stores",
    "description", "architecture", "kernel_id", "ramdisk_id", marks.KEY,
}
RESERVED_PREFIX = "os_glance"  # Glance: "Attribute '%s' is reserved."

# --- Horizon's messages -------------------------------------------------------------------
NAME_REQUIRED = "An image name less than 256 characters is required."
DESCRIPTION_TOO_LONG = "An image description less than 256 characters is required."
FILE_REQUIRED = "A local file should be selected."
URL_REQUIRED = "An external (HTTP) URL is required"
NO_SOURCE = "An image file or an external location must be specified."
URL_SCHEME = "URL scheme not supported."
URL_INVALID = "Enter a valid URL."
FORMAT_REQUIRED = "This field is required."
INVALID_FORMAT = "Invalid disk format %s for image."
MIN_DISK = "The minimum disk (GB) is required and must be an integer not less than 0."
MIN_RAM = "The minimum memory (MB) is required and must be an integer not less than 0."
PUBLIC_NOT_ALLOWED = "Non admin users are not allowed to make images public."
NO_METHODS = ("No valid image creation methods are available. Providing an image location "
              "and/or uploading from the local file system must be allowed to support image "
              "creation.")
QUEUED = "Your image %s has been queued for creation."
UPDATED = "Image %s was successfully updated."
CONFIRM_DELETE = "Deletion of images is permanent and cannot be reversed."
DELETE_TITLE = "Confirm Delete Images"
DELETE_SELECTED = 'You have selected "%s". Deleted images are not recoverable.'
DELETED = "Deleted Images: %s."
DELETE_FAILED = "Unable to delete Images: %s."
NOT_ALLOWED_DELETE = "You are not allowed to delete images: %s"

# --- labkit's messages where Horizon has none ------------------------------------------------
TOO_LONG = "Ensure this value has at most 255 characters (it has %d)."
BOTH_FILES = ("Give either a path on the Jupyter server or a browser upload, not both: "
              "clear one of them.")
UPLOAD_TOO_BIG = ("The browser upload is %.1f MB; uploads through the browser stop at about "
                  "10 MB. Copy the file to the Jupyter server and give its path, or use the "
                  "URL source.")
URL_UNAVAILABLE = ("This cloud does not offer web-download (GET /v2/info/import), so it "
                   "cannot fetch a URL: choose File.")
NO_KEY = "Row %d has a value but no key: give the property a key, or remove the row."
DUPLICATE_KEY = "The property %r is given twice: keep one row for it."
KEY_TOO_LONG = "The property key %r is longer than 255 characters."
NOT_A_PROPERTY = ("%r is an image field, not a free property: set it with its own field in "
                  "the form (or leave it to Glance).")
RESERVED_KEY = "Attribute %r is reserved: Glance keeps os_glance* properties for itself."


def disk_and_container(choice):
    """Horizon's mapping of a Format choice to (disk_format, container_format).

    aki/ami/ari use the same container format; docker is raw in a docker container; vhd
    goes in an ovf container; ova is a vmdk disk in an ova container; the rest are bare.
    """
    if choice in ("aki", "ami", "ari"):
        return choice, choice
    return {"docker": ("raw", "docker"), "vhd": ("vhd", "ovf"),
            "ova": ("vmdk", "ova")}.get(choice, (choice, "bare"))


def format_choice(disk_format, container_format):
    """The Format choice that shows an existing image's formats (the reverse mapping)."""
    if container_format == "docker":
        return "docker"
    if container_format == "ova" and disk_format == "vmdk":
        return "ova"
    return disk_format


def offered_formats(disk_formats, container_formats=None):
    """Horizon's choices whose disk (and container) format this cloud's schema accepts.

    Returns [(label, choice), ...] in Horizon's order, ready for a Dropdown.
    """
    disks = {f for f in disk_formats if f}
    containers = None if container_formats is None else {f for f in container_formats if f}
    offered = []
    for choice, label in FORMAT_LABELS.items():
        disk, container = disk_and_container(choice)
        if disk in disks and (containers is None or container in containers):
            offered.append((label, choice))
    return offered


def whole_number(value):
    """An int >= 0 from an int or a string of digits (Horizon's /^[0-9]+$/), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def check_name(name):
    """None, or why the name cannot be used (the day3- prefix counts towards 255)."""
    name = (name or "").strip()
    if not name or len(marks.name(name)) > FIELD_MAX_LENGTH:
        return NAME_REQUIRED
    return None


def check_description(description):
    return DESCRIPTION_TOO_LONG if len(description or "") > FIELD_MAX_LENGTH else None


def check_url(url):
    """None, or why Glance's web-download cannot fetch this Location."""
    url = (url or "").strip()
    if not url:
        return URL_REQUIRED
    if len(url) > FIELD_MAX_LENGTH:
        return TOO_LONG % len(url)
    parsed = urlparse(url)
    if parsed.scheme.lower() not in ("http", "https"):
        return URL_SCHEME
    if not parsed.netloc:
        return URL_INVALID
    return None


def check_format(choice, offered):
    """offered: the choice keys this cloud accepts (see offered_formats)."""
    if not choice:
        return FORMAT_REQUIRED
    if choice not in offered:
        return INVALID_FORMAT % choice
    return None


def check_upload_size(size):
    return UPLOAD_TOO_BIG % (size / 1e6) if size > BROWSER_UPLOAD_LIMIT else None


def check_metadata(rows):
    """rows: [(key, value), ...] from the Metadata step; blank rows are ignored."""
    seen = set()
    for number, (key, value) in enumerate(rows, start=1):
        key = (key or "").strip()
        if not key:
            if str(value or "").strip():
                return NO_KEY % number
            continue
        if key in seen:
            return DUPLICATE_KEY % key
        seen.add(key)
        if len(key) > FIELD_MAX_LENGTH:
            return KEY_TOO_LONG % key
        if key.startswith(RESERVED_PREFIX):
            return RESERVED_KEY % key
        if key in NOT_PROPERTIES:
            return NOT_A_PROPERTY % key
    return None


def metadata_dict(rows):
    """The non-blank rows as {key: value} (call check_metadata first)."""
    return {key.strip(): str(value or "") for key, value in rows if (key or "").strip()}


def _common(values, offered, errors, format_editable=True):
    """The rules Create and Edit share: name, description, format, minimums, metadata."""
    for field, check in (("name", check_name), ("description", check_description)):
        message = check(values.get(field))
        if message:
            errors[field] = message
    if format_editable:
        message = check_format(values.get("format"), offered)
        if message:
            errors["format"] = message
    for field, message in (("min_disk", MIN_DISK), ("min_ram", MIN_RAM)):
        if whole_number(values.get(field)) is None:
            errors[field] = message
    message = check_metadata(values.get("metadata") or [])
    if message:
        errors["metadata"] = message


def validate_create(values, *, offered, sources=("file", "url")):
    """Horizon's Create Image rules. values: the form's fields; returns {field: message}.

    values keys: name, description, source_type ("file" or "url"), file (a server path),
    upload_size (bytes of a browser upload, or None), url, format, architecture, min_disk,
    min_ram, metadata ([(key, value)]). offered: the format choices; sources: the source
    types this cloud allows.
    """
    errors = {}
    if not sources:
        errors["source_type"] = NO_METHODS
    source = values.get("source_type")
    if sources and source not in sources:
        errors["source_type"] = URL_UNAVAILABLE if source == "url" else NO_SOURCE
    elif source == "file":
        path = (values.get("file") or "").strip()
        upload_size = values.get("upload_size")
        if path and upload_size is not None:
            errors["file"] = BOTH_FILES
        elif not path and upload_size is None:
            errors["file"] = FILE_REQUIRED
        elif upload_size is not None and check_upload_size(upload_size):
            errors["file"] = check_upload_size(upload_size)
    elif source == "url":
        message = check_url(values.get("url"))
        if message:
            errors["url"] = message
    if len(values.get("architecture") or "") > FIELD_MAX_LENGTH:
        errors["architecture"] = TOO_LONG % len(values["architecture"])
    _common(values, offered, errors)
    return errors


def validate_edit(values, *, offered, status):
    """Horizon's Edit Image rules; the Format may change only while the image is queued."""
    errors = {}
    _common(values, offered, errors, format_editable=(status == "queued"))
    return errors
