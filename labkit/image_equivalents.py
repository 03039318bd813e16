"""The openstacksdk call and `openstack` CLI line that do an image create, update or delete.

labkit.images prints them with ``show_equivalent=True``; the image forms (labkit.widgets) show them
live under their buttons. Each builder returns ``(sdk, cli)`` as plain text, for the
values as given: only names, formats and values appear, never a password or token.
Default values (no visibility, unprotected, minimum disk/RAM 0) are left out, as the
SDK and the CLI send the same defaults anyway.

    sdk, cli = create_lines("cirros", source="file", location="cirros.qcow2",
                            disk_format="qcow2", container_format="bare")
    sdk, cli = update_lines(image.id, {"protected": False, "properties": {"os_distro": None}})
    sdk, cli = delete_lines([image])
"""

import shlex

from . import marks

NOTHING_TO_CHANGE = "(nothing to change)"
SELECT_IMAGES = "(select images)"

#: Fields that the CLI takes as an option of their own; other keys are ``--property k=v``
#: (``image set`` has --architecture, --kernel-id... too, but ``image create`` has not).
_CLI_OPTIONS = {"name": "--name", "disk_format": "--disk-format",
                "container_format": "--container-format", "min_disk": "--min-disk",
                "min_ram": "--min-ram"}
_DEFAULTS = (None, "", 0)  # False == 0: "unprotected" is a default too


def quote(value):
    """value as one shell word (quoted only when it has to be)."""
    return shlex.quote(str(value))


def _sdk_call(function, arguments):
    return f"{function}({', '.join(arguments)})"


def _sdk_arguments(fields):
    """key=value for each field (raw API names; `protected` is the SDK's `is_protected`);
    keys that are no Python name (e.g. hw:cpu_policy) go in one **{...}."""
    named = [f"{'is_protected' if key == 'protected' else key}={value!r}"
             for key, value in fields.items() if key.isidentifier()]
    other = {key: value for key, value in fields.items() if not key.isidentifier()}
    return named + ([f"**{other!r}"] if other else [])


def _cli_option(key, value):
    if key == "protected":
        return "--protected" if value else "--unprotected"
    if key == "visibility":
        return f"--{value}"
    if key == "tags":
        return " ".join(f"--tag {quote(tag)}" for tag in value)
    if key in _CLI_OPTIONS:
        return f"{_CLI_OPTIONS[key]} {quote(value)}"
    return f"--property {quote(f'{key}={value}')}"


def _cli_options(fields):
    return [option for option in (_cli_option(k, v) for k, v in fields.items()) if option]


def create_lines(name, *, source, location=None, disk_format, container_format,
                 visibility=None, protected=False, min_disk=0, min_ram=0, properties=None,
                 tags=None, lesson="01"):
    """(sdk, cli) for creating an image, with the lesson's marks (prefix, tag, property).

    source: "file" (location: a path), "url" (location: a URL Glance downloads itself,
    web-download) or "data" (bytes, e.g. a browser upload; location: its file name)."""
    name = marks.name(name or "<name>")
    fields = {key: value for key, value in
              (("disk_format", disk_format), ("container_format", container_format),
               ("visibility", visibility), ("protected", bool(protected)),
               ("min_disk", min_disk), ("min_ram", min_ram)) if value not in _DEFAULTS}
    fields["tags"] = list(dict.fromkeys([*(tags or []), marks.TAG]))
    fields.update({**(properties or {}), **marks.properties(lesson)})
    sdk = [f"name={name!r}"]
    cli = ["openstack image create"]
    if source == "file":
        sdk.append(f"filename={location or '<path>'!r}")
        cli.append(f"--file {quote(location or '<path>')}")
    elif source == "data":
        sdk.append("data=<the uploaded bytes>")
        cli.append(f"--file {quote(location or '<the uploaded file>')}")
    sdk += _sdk_arguments(fields)
    cli += _cli_options(fields) + [quote(name)]
    if source == "url":
        # web-download: Glance fetches the URL itself (interoperable import). The CLI needs
        # two commands: create the (queued) image, then ask Glance to import into it.
        # (Without --file, `image create` reads data from stdin when stdin is no terminal,
        # e.g. in a script: there, add `<&-` or the image is no longer queued.)
        sdk += ["import_method='web-download'", f"uri={location or '<url>'!r}"]
        cli.append(f"&& openstack image import --method web-download "
                   f"--uri {quote(location or '<url>')} {quote(name)}")
    return _sdk_call("conn.image.create_image", sdk), " ".join(cli)


def update_lines(image_id, changes, *, current_tags=None):
    """(sdk, cli) for changing an image (labkit.images.update_image's raw API names).

    changes: flat, or with the free properties under "properties"; a None value removes.
    "tags" is the full new list; given the image's current_tags, the tags it drops are
    unset too (``openstack image set --tag`` only adds)."""
    flat = {key: value for key, value in changes.items() if key != "properties"}
    flat.update(changes.get("properties") or {})
    removed = [key for key, value in flat.items() if value is None]
    kept = {key: value for key, value in flat.items() if value is not None}
    set_options = dict(kept)
    dropped_tags = []
    if "tags" in kept and current_tags is not None:
        set_options["tags"] = [tag for tag in kept["tags"] if tag not in current_tags]
        dropped_tags = [tag for tag in current_tags if tag not in kept["tags"]]
    cli = []
    if _cli_options(set_options):
        cli.append(f"openstack image set {' '.join(_cli_options(set_options))} "
                   f"{quote(image_id)}")
    if removed or dropped_tags:
        unset = [f"--tag {quote(tag)}" for tag in dropped_tags] + \
            [f"--property {quote(key)}" for key in removed]
        cli.append(f"openstack image unset {' '.join(unset)} {quote(image_id)}")
    sdk = _sdk_call("conn.image.update_image", [repr(image_id)] + _sdk_arguments(kept)) \
        if kept else ""
    if removed:  # the SDK has no one-liner for this: Glance needs a JSON-patch "remove"
        sdk += ("; " if sdk else "") + f"remove {', '.join(removed)} with a JSON-patch " \
            "(labkit.images.update_image(conn, id, properties={key: None}))"
    return sdk or NOTHING_TO_CHANGE, " && ".join(cli) or NOTHING_TO_CHANGE


def delete_lines(images):
    """(sdk, cli) for deleting these images (objects with .id and .name)."""
    images = list(images)
    if not images:
        return SELECT_IMAGES, SELECT_IMAGES
    sdk = "; ".join(f"conn.image.delete_image({image.id!r})" for image in images)
    cli = "openstack image delete " + " ".join(quote(image.name) for image in images)
    return sdk, cli
