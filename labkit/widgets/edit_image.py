"""Edit Image: Horizon's form for an existing image, in ipywidgets.

    form = EditImageForm(conn, "day3-cirros")
    form.fill(visibility="private", min_ram=256, metadata={"os_distro": "cirros"}).submit()

Name, description, visibility, protected, minimum disk/RAM and the free properties can
change; the Format only while the image is still ``queued`` (it has no data yet); kernel,
ramdisk and architecture are shown read-only, as in Horizon. Only the fields that change
are sent (one JSON-patch, through labkit.images.update_image).
"""

import ipywidgets as w

from .. import image_equivalents as equivalents
from .. import images, show
from .. import image_rules as v
from .create_image import HAS_ERRORS, read_offer
from .form import GENERAL, ImageDetailsForm, Result, heading, one_line, text

SDK_BOOKKEEPING = "owner_specified."  # set by openstacksdk's create_image; left alone
NOTHING_CHANGED = "Nothing to update: the form shows the image as it is."


def raw_image(conn, image_id):
    """GET /v2/images/{id} as Glance sends it: every field under its raw API name (the SDK
    moves some properties, such as os_distro, onto attributes of its Image object)."""
    answer = conn.image.get(f"/images/{image_id}")
    answer.raise_for_status()
    return answer.json()


def editable_properties(raw):
    """The free properties of a raw image body: not core fields, not Glance's own, not
    labkit's mark, not openstacksdk's upload bookkeeping (owner_specified.openstack.*)."""
    return {key: value for key, value in raw.items()
            if key not in v.NOT_PROPERTIES and not key.startswith(v.RESERVED_PREFIX)
            and not key.startswith(SDK_BOOKKEEPING) and isinstance(value, str)}


class EditImageForm(ImageDetailsForm):
    """Horizon's Edit Image form for one image (name or ID)."""

    fillable = {"name": "name_input", "description": "description_input",
                "format": "_set_format", "min_disk": "_set_min_disk", "min_ram": "_set_min_ram",
                "visibility": "_set_visibility", "protected": "_set_protected",
                "metadata": "_set_metadata"}

    def __init__(self, conn, name_or_id, *, table=None):
        super().__init__()
        self.conn, self.table = conn, table
        offered, _ = read_offer(conn)
        self.image = images.find_image(conn, name_or_id)
        self.build_common(offered)
        self._build()
        self.load(self.image)

    def _build(self):
        self.kernel_input = text("Kernel ID", css="labkit-image-kernel")
        self.ramdisk_input = text("Ramdisk ID", css="labkit-image-ramdisk")
        self.architecture_input = text("Architecture", css="labkit-image-architecture")
        for box in (self.kernel_input, self.ramdisk_input, self.architecture_input):
            box.disabled = True  # read-only in Horizon's Edit Image
        self.submit_button = w.Button(description="Update Image", button_style="primary",
                                      icon="save")
        self.submit_button.add_class("labkit-image-submit")
        self.title = w.HTML("")
        details = w.VBox([
            heading("Image Detail"),
            self.with_error(self.name_input, "name"),
            self.with_error(self.description_input, "description"),
            self.with_error(self.format_input, "format"),
            heading("Image Requirements"),
            self.kernel_input, self.ramdisk_input, self.architecture_input,
            *self.minimums_and_sharing()])
        self.widget = w.VBox([self.title, self.build_steps(details, "Image Detail"),
                              self.submit_button, self.message, self.equivalent])
        self.widget.add_class("labkit-edit-image")
        for box in (self.name_input, self.description_input, self.format_input,
                    self.min_disk_input, self.min_ram_input, self.visibility_input,
                    self.protected_input):
            box.observe(self._refresh_view, "value")
        self.on_click(self.submit_button, self.submit)

    def load(self, image):
        """Show the image's current values (after a submit, the updated image)."""
        self.image = image
        raw = raw_image(self.conn, image.id)
        self._original = original = {
            "name": raw.get("name") or "", "description": raw.get("description") or "",
            "format": v.format_choice(raw.get("disk_format"), raw.get("container_format")) or "",
            "min_disk": str(raw.get("min_disk") or 0), "min_ram": str(raw.get("min_ram") or 0),
            "visibility": raw["visibility"], "protected": bool(raw.get("protected")),
            "properties": editable_properties(raw)}
        self.title.value = (f"<h3 style='margin:4px 0'>Edit Image: {image.name}</h3>"
                            f"<small>status {image.status}; the Format can change only while "
                            f"the image is queued</small>")
        self.name_input.value = original["name"]
        self.description_input.value = original["description"]
        offered = [key for _, key in self.offered]
        if original["format"] and original["format"] not in offered:  # show it all the same
            label = v.FORMAT_LABELS.get(original["format"], original["format"])
            self.format_input.options = list(self.format_input.options) + [
                (label, original["format"])]
        self.format_input.value = original["format"]
        self.format_input.disabled = image.status != "queued"
        self.min_disk_input.value = original["min_disk"]
        self.min_ram_input.value = original["min_ram"]
        self.visibility_input.value = original["visibility"]
        self.protected_input.value = original["protected"]
        self.kernel_input.value = raw.get("kernel_id") or ""
        self.ramdisk_input.value = raw.get("ramdisk_id") or ""
        self.architecture_input.value = raw.get("architecture") or ""
        self.metadata.set(original["properties"])
        self._refresh_view()

    def _set_format(self, value):
        if self.image.status != "queued" and value != self._original["format"]:
            raise ValueError(f"The Format of {self.image.name!r} cannot change: the image is "
                             f"{self.image.status}, and Glance accepts a new format only while "
                             f"an image is queued (has no data).")
        super()._set_format(value)

    # --- reading and submitting -----------------------------------------------------------------
    def values(self):
        return self.common_values()

    def validate(self):
        errors = v.validate_edit(self.values(), offered=[key for _, key in self.offered],
                                 status=self.image.status)
        self.show_errors(errors)
        return errors

    def changes(self):
        """What differs from the image, in raw API names (for labkit.images.update_image)."""
        values, original = self.values(), self._original
        changes = {}
        if values["name"].strip() != original["name"]:
            changes["name"] = values["name"].strip()
        if values["description"] != original["description"]:
            changes["description"] = values["description"] or None
        if self.image.status == "queued" and values["format"] != original["format"]:
            changes["disk_format"], changes["container_format"] = \
                v.disk_and_container(values["format"])
        for key in ("min_disk", "min_ram"):
            number = v.whole_number(values[key])
            if number is not None and str(number) != original[key]:
                changes[key] = number
        for key in ("visibility", "protected"):
            if values[key] != original[key]:
                changes[key] = values[key]
        new = {} if v.check_metadata(values["metadata"]) else v.metadata_dict(values["metadata"])
        properties = {key: value for key, value in new.items()
                      if original["properties"].get(key) != value}
        properties.update({key: None for key in original["properties"] if key not in new})
        if properties:
            changes["properties"] = properties
        return changes

    def _refresh_view(self, *_):
        if not hasattr(self, "_original"):
            return
        self.equivalent.value = show.equivalent_html(
            *equivalents.update_lines(self.image.id, self.changes()))

    def submit(self):
        """Validate, then send the changes; returns a Result (the image as updated)."""
        errors = self.validate()
        if errors:
            return self.finish(Result(False, image=self.image, errors=errors,
                                      message=HAS_ERRORS))
        changes = self.changes()
        if not changes:
            return self.finish(Result(True, image=self.image, message=NOTHING_CHANGED))
        try:
            image = images.update_image(self.conn, self.image.id, **changes)
        except Exception as exc:  # shown in the form, never a traceback
            message = one_line(exc)
            field_name = GENERAL
            if isinstance(exc, images.DuplicateName):
                field_name = "name"
            elif isinstance(exc, images.NotAllowed) and changes.get("visibility") == "public":
                field_name = "visibility"
            return self.finish(Result(False, image=self.image, errors={field_name: message},
                                      message=f'Unable to update image "{self.image.name}": '
                                              f"{message}"))
        self.load(image)
        if self.table is not None:
            self.table.refresh()
        return self.finish(Result(True, image=image, message=v.UPDATED % image.name))
