"""Create Image: Horizon's form (steps "Image Details" and "Metadata") in ipywidgets.

    form = CreateImageForm(conn)          # a cell ending with the form draws it
    result = form.fill(name="cirros", file="cirros.qcow2", format="qcow2").submit()
    result.ok, result.image, result.errors, result.message

The upload itself is labkit.images.create_image (streamed from the server's disk, or a
web-download import for a URL); this module only collects and checks the fields.
"""

import ipywidgets as w

from .. import image_equivalents as equivalents
from .. import images, marks, show
from .. import image_rules as v
from .file_chooser import ServerFileChooser
from .form import GENERAL, ImageDetailsForm, Result, choice, heading, one_line, text

#: Which field an error from labkit.images belongs under (the rest go above the form).
ERROR_FIELDS = [(images.FileMissing, "file"), (images.DuplicateName, "name"),
                (images.FormatMismatch, "format"), (images.UnsupportedURL, "url"),
                (images.URLNotAnswering, "url"), (images.ImportFailed, "url")]
HAS_ERRORS = "The form has errors: see the messages under the fields."
UPLOAD_NOTE = ("<b>Browser upload: files under about 10 MB only</b> (larger uploads break the "
               "notebook's connection). For a larger image, give its <b>path on the Jupyter "
               "server</b> above, or use the <b>URL</b> source type.")


def read_offer(conn):
    """(format choices, source types) that this cloud offers, asked from the cloud itself."""
    try:
        offered = v.offered_formats(images.disk_formats(conn), images.container_formats(conn))
        methods = images.import_methods(conn)
    except images.ImageError:
        raise
    except Exception as exc:  # Glance down or refusing: say so, not a traceback
        raise images.ImageServiceDown(
            f"Cannot read what this cloud's image service offers (GET /v2/schemas/image, "
            f"/v2/info/import): {str(exc).splitlines()[0][:200]}. Is the cloud up?") from None
    sources = ["file"] + (["url"] if "web-download" in methods else [])
    return offered, sources


class CreateImageForm(ImageDetailsForm):
    """Horizon's Create Image form; ``lesson`` marks what it creates for cleanup."""

    fillable = {"name": "name_input", "description": "description_input",
                "source_type": "_set_source", "file": "_set_file", "data": "_set_data",
                "url": "_set_url", "format": "_set_format", "kernel": "_set_kernel",
                "ramdisk": "_set_ramdisk", "architecture": "architecture_input",
                "min_disk": "_set_min_disk", "min_ram": "_set_min_ram",
                "visibility": "_set_visibility", "protected": "_set_protected",
                "metadata": "_set_metadata"}

    def __init__(self, conn, *, lesson="01", table=None, timeout=300, start_folder=None):
        super().__init__()
        self.conn, self.lesson, self.table, self.timeout = conn, lesson, table, timeout
        offered, self.sources = read_offer(conn)
        self.build_common(offered)
        self._data = None  # bytes of a browser upload (or of fill(data=...))
        self._data_name = ""
        self._build(start_folder)
        self._load_kernels_and_ramdisks()
        self._refresh_view()

    # --- building the widgets ----------------------------------------------------------
    def _build(self, start_folder):
        self.name_help = w.HTML("", layout=w.Layout(margin="0 0 0 175px"))
        self._build_sources(start_folder)
        self.kernel_input = choice(w.Dropdown, "Kernel", [("Choose an image", "")], "",
                                   css="labkit-image-kernel")
        self.ramdisk_input = choice(w.Dropdown, "Ramdisk", [("Choose an image", "")], "",
                                    css="labkit-image-ramdisk")
        self.architecture_input = text("Architecture", css="labkit-image-architecture")
        self.progress = w.FloatProgress(value=0, min=0, max=1, description="Uploading",
                                        layout=w.Layout(width="420px", display="none"))
        self.progress_text = w.Label("")
        self.submit_button = w.Button(description="Create Image", button_style="primary",
                                      icon="upload")
        self.submit_button.add_class("labkit-image-submit")

        self.kernel_panel = w.VBox([self.kernel_input, self.ramdisk_input])
        details = w.VBox([
            heading("Image Details"),
            self.with_error(self.name_input, "name"), self.name_help,
            self.with_error(self.description_input, "description"),
            heading("Image Source"),
            self.with_error(self.source_input, "source_type"),
            self.file_panel, self.url_panel,
            self.with_error(self.format_input, "format"),
            heading("Image Requirements"),
            self.kernel_panel,
            self.with_error(self.architecture_input, "architecture"),
            *self.minimums_and_sharing()])
        steps = self.build_steps(details, "Image Details")
        self.widget = w.VBox([
            w.HTML("<h3 style='margin:4px 0'>Create Image</h3>"), steps,
            w.HBox([self.progress, self.progress_text]),
            self.submit_button, self.message, self.equivalent])
        self.widget.add_class("labkit-create-image")

        for box in (self.name_input, self.description_input, self.source_input,
                    self.file_input, self.url_input, self.format_input, self.kernel_input,
                    self.ramdisk_input, self.architecture_input, self.min_disk_input,
                    self.min_ram_input, self.visibility_input, self.protected_input,
                    self.browse_button):
            box.observe(self._refresh_view, "value")
        self.upload_input.observe(self._uploaded, "value")
        self.clear_upload_button.on_click(lambda _: self._set_data(None))
        self.on_click(self.submit_button, self.submit)

    def _build_sources(self, start_folder):
        """The Image Source rows: the source choice, the file panel (a server path, a
        chooser, a browser upload) and the URL panel."""
        self.source_input = choice(w.ToggleButtons, "Source Type",
                                   [o for o in v.SOURCE_TYPES if o[1] in self.sources],
                                   self.sources[0], required=True, css="labkit-image-source")
        self.file_input = text("File", required=True, css="labkit-image-file",
                               placeholder="a path on the Jupyter server, e.g. cirros.qcow2")
        self.browse_button = w.ToggleButton(description="Browse the server", icon="folder-open")
        self.browse_button.add_class("labkit-image-browse")
        self.chooser = ServerFileChooser(self.file_input, start_folder)
        self.upload_input = w.FileUpload(description="Browser upload", multiple=False)
        self.upload_input.add_class("labkit-image-upload")
        self.upload_label = w.Label("")
        self.clear_upload_button = w.Button(description="Clear upload", icon="times")
        self.url_input = text("Location", required=True, css="labkit-image-url",
                              placeholder="An external (HTTP) URL to load the image from")
        self.file_panel = w.VBox([
            self.with_error(self.file_input, "file"),
            w.HBox([self.browse_button], layout=w.Layout(margin="0 0 0 175px")),
            self.chooser.widget,
            w.HTML(UPLOAD_NOTE, layout=w.Layout(margin="6px 0 2px 0", max_width="760px")),
            w.HBox([self.upload_input, self.clear_upload_button, self.upload_label])])
        self.url_panel = self.with_error(self.url_input, "url")

    def _load_kernels_and_ramdisks(self):
        """Horizon offers existing aki images as kernels and ari images as ramdisks."""
        try:
            visible = list(self.conn.image.images())
        except Exception:  # the choosers stay empty; the form still works without them
            visible = []
        for box, disk_format in ((self.kernel_input, "aki"), (self.ramdisk_input, "ari")):
            found = [(f"{image.name} ({image.id[:8]})", image.id) for image in visible
                     if image.disk_format == disk_format and image.status == "active"]
            current = box.value if box.value in [i for _, i in found] else ""
            box.options = [("Choose an image", "")] + found
            box.value = current

    # --- reacting to changes -------------------------------------------------------------
    def _format_changed(self, change):
        super()._format_changed(change)
        if change["new"] == "ami":
            self._load_kernels_and_ramdisks()

    def _uploaded(self, change):
        files = change["new"]
        if files:
            item = files[0]
            self._data, self._data_name = bytes(item["content"]), item["name"]
        self._refresh_view()

    def _refresh_view(self, *_):
        source = self.source_input.value
        self.source_input.layout.display = "" if len(self.sources) > 1 else "none"
        self.file_panel.layout.display = "" if source == "file" else "none"
        self.url_panel.layout.display = "" if source == "url" else "none"
        self.chooser.widget.layout.display = "" if self.browse_button.value else "none"
        self.kernel_panel.layout.display = "" if self.format_input.value == "ami" else "none"
        self.upload_label.value = (f"{self._data_name or 'bytes'}: {len(self._data):,} bytes"
                                   if self._data is not None else "")
        self.clear_upload_button.layout.display = "" if self._data is not None else "none"
        name = self.name_input.value.strip()
        self.name_help.value = (f"<small>Saved as <code>{marks.name(name)}</code>: the "
                                f"<code>{marks.PREFIX}</code> prefix lets cleanup find it."
                                f"</small>" if name and not marks.has_prefix(name) else "")
        self.equivalent.value = show.equivalent_html(*self._equivalent_lines())

    def _equivalent_lines(self):
        values = self.values()
        disk, container = v.disk_and_container(values["format"] or "<format>")
        source, location = values["source_type"], values["url"]
        if source == "file":
            source, location = ("data", self._data_name) if self._data is not None \
                else ("file", values["file"])
        return equivalents.create_lines(
            values["name"].strip(), source=source, location=location, disk_format=disk,
            container_format=container, visibility=values["visibility"],
            protected=values["protected"], min_disk=_number_or_text(values["min_disk"]),
            min_ram=_number_or_text(values["min_ram"]), properties=self._properties(),
            lesson=self.lesson)

    # --- setters for fill() ------------------------------------------------------------------
    def _set_source(self, value):
        if value not in self.sources:
            raise ValueError(f"source_type must be one of {', '.join(self.sources)} on this "
                             f"cloud, not {value!r}.")
        self.source_input.value = value

    def _set_file(self, path):
        self.source_input.value = "file"
        self.file_input.value = str(path or "")

    def _set_data(self, data):
        if data is not None and not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"data must be bytes, not {type(data).__name__}; for a file on "
                            f"the server use file=.")
        if data is not None:
            self.source_input.value = "file"
        if data is None and self.upload_input.value:
            self.upload_input.value = ()  # the browser widget forgets its file too
        self._data = None if data is None else bytes(data)
        self._data_name = "" if data is None else "upload"
        self._refresh_view()

    def _set_url(self, url):
        if "url" not in self.sources:
            raise ValueError(v.URL_UNAVAILABLE)
        self.source_input.value = "url"
        self.url_input.value = str(url or "")

    def _set_chosen_image(self, box, name_or_id):
        if not name_or_id:
            box.value = ""
            return
        self._load_kernels_and_ramdisks()
        for label, image_id in box.options:
            if name_or_id in (image_id, label.rsplit(" (", 1)[0]):
                box.value = image_id
                return
        raise ValueError(f"No active {box.description.strip(' *').lower()} image called "
                         f"{name_or_id!r}: the choices are "
                         f"{', '.join(label for label, i in box.options if i) or 'none'}.")

    def _set_kernel(self, name_or_id):
        self._set_chosen_image(self.kernel_input, name_or_id)

    def _set_ramdisk(self, name_or_id):
        self._set_chosen_image(self.ramdisk_input, name_or_id)

    # --- reading and submitting -----------------------------------------------------------------
    def values(self):
        """The fields as image_rules.validate_create reads them."""
        return {**self.common_values(), "source_type": self.source_input.value,
                "file": self.file_input.value,
                "upload_size": None if self._data is None else len(self._data),
                "url": self.url_input.value, "architecture": self.architecture_input.value}

    def validate(self):
        """Check the fields (no cloud call); shows and returns {field: message}."""
        errors = v.validate_create(self.values(), offered=[key for _, key in self.offered],
                                   sources=self.sources)
        self.show_errors(errors)
        return errors

    def _properties(self):
        if v.check_metadata(self.metadata.rows):
            return {}
        return v.metadata_dict(self.metadata.rows)

    def _arguments(self):
        """The keyword arguments for labkit.images.create_image."""
        values = self.values()
        disk, container = v.disk_and_container(values["format"])
        ami = values["format"] == "ami"
        arguments = dict(
            name=values["name"].strip(), disk_format=disk, container_format=container,
            visibility=values["visibility"], protected=values["protected"],
            min_disk=v.whole_number(values["min_disk"]),
            min_ram=v.whole_number(values["min_ram"]),
            description=values["description"] or None, properties=self._properties() or None,
            kernel_id=(self.kernel_input.value or None) if ami else None,
            ramdisk_id=(self.ramdisk_input.value or None) if ami else None,
            architecture=values["architecture"].strip() or None, lesson=self.lesson,
            wait=True, timeout=self.timeout)
        if values["source_type"] == "url":
            arguments["url"] = values["url"].strip()
        elif self._data is not None:
            arguments.update(data=self._data, progress=self._show_progress)
        else:
            arguments.update(filename=values["file"].strip(), progress=self._show_progress)
        return arguments

    def _show_progress(self, done, total):
        self.progress.layout.display = ""
        self.progress.value = done / total if total else 1
        self.progress.bar_style = "success" if done >= total else ""
        self.progress_text.value = f"{done / 2**20:,.1f} of {total / 2**20:,.1f} MiB"

    def submit(self):
        """Validate, then create the image (waiting until it is active); returns a Result."""
        errors = self.validate()
        if errors:
            return self.finish(Result(False, errors=errors, message=HAS_ERRORS))
        arguments = self._arguments()
        self.submit_button.disabled = True
        self.progress.layout.display = "none"
        self.say("Glance is downloading the URL (web-download import)..."
                 if "url" in arguments else "Uploading...")
        try:
            image = images.create_image(self.conn, **arguments)
        except Exception as exc:  # every failure is shown in the form, never a traceback
            field_name = _field_for(exc, arguments)
            message = one_line(exc)
            return self.finish(Result(False, errors={field_name: message},
                                      message=f"Unable to create new image: {message}"))
        finally:
            self.submit_button.disabled = False
        if self.table is not None:
            self.table.refresh()
        return self.finish(Result(True, image=image, message=v.QUEUED % image.name
                                  + f" Its status is now {image.status}."))


def _field_for(exc, arguments):
    if isinstance(exc, images.NotAllowed) and arguments.get("visibility") == "public":
        return "visibility"
    for kind, field_name in ERROR_FIELDS:
        if isinstance(exc, kind):
            return field_name
    return GENERAL


def _number_or_text(value):
    number = v.whole_number(value)
    return value if number is None else number
