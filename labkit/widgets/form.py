"""What the image forms share: labelled fields with an error line, fill(), errors, Result.

A form is not itself a widget: ``form.widget`` is its box, and a form shows itself when
it is the last value of a cell (``_repr_mimebundle_``), so ``CreateImageForm(conn)`` in a
cell draws the form.
"""

import html
from dataclasses import dataclass, field

import ipywidgets as w

from .. import images
from ..messages import error_line
from .. import image_rules as v
from .metadata_catalog import MetadataCatalog
from .metadata_rows import MetadataRows

LABEL_WIDTH = "170px"
REQUIRED = " *"  # Horizon marks required fields with an asterisk
GENERAL = "form"  # errors[GENERAL]: a message about the whole form, not one field


@dataclass
class Result:
    """What submit() did: ok, the image or server (or None), {field: message} and Horizon's
    message."""

    ok: bool
    image: object = None
    server: object = None  #: Launch Instance: the server launched
    errors: dict = field(default_factory=dict)
    message: str = ""
    needs_confirmation: bool = False  #: Delete Images: nothing was done, confirm first
    deleted: list = field(default_factory=list)  #: Delete Images: the names deleted


def text(label, *, required=False, placeholder="", value="", css=None):
    box = w.Text(value=value, description=label + (REQUIRED if required else ""),
                 placeholder=placeholder, style={"description_width": LABEL_WIDTH},
                 layout=w.Layout(width="560px"))
    if css:
        box.add_class(css)
    return box


def choice(kind, label, options, value, *, required=False, css=None):
    """A Dropdown or ToggleButtons with Horizon's label (required marked with *)."""
    box = kind(options=options, value=value, description=label + (REQUIRED if required else ""),
               style={"description_width": LABEL_WIDTH})
    if css:
        box.add_class(css)
    return box


def one_line(exc):
    """An exception as one readable line: labkit's own messages as they are, others named."""
    if isinstance(exc, images.ImageError):  # written for a learner: as it is
        return " ".join(str(exc).split())
    return f"{type(exc).__name__}: {error_line(exc)}"  # not written for a learner: say what it was


def heading(title):
    return w.HTML(f"<h4 style='margin:10px 0 4px 0'>{title}</h4>")


class Form:
    """Base of the three forms: error lines under fields, fill(), and display."""

    #: fill() keyword -> the attribute it sets: a widget (its value is set) or a method
    fillable = {}

    def __init__(self):
        self.errors = {}
        self.result = None
        self._error_lines = {}
        self.message = w.HTML("")
        self.message.add_class("labkit-image-message")
        self.equivalent = w.HTML("")
        self.equivalent.add_class("labkit-image-equivalent")

    # --- error lines -----------------------------------------------------------------
    def error_line(self, field_name):
        """The (initially hidden) red line under a field, shown by show_errors()."""
        line = w.HTML("", layout=w.Layout(display="none", margin="0 0 4px 175px"))
        line.add_class(f"labkit-error-{field_name}")
        self._error_lines[field_name] = line
        return line

    def with_error(self, widget, field_name):
        if "value" in widget.keys:  # as in Horizon, an error goes away once the field changes
            widget.observe(lambda _: self._clear_error(field_name), "value")
        return w.VBox([widget, self.error_line(field_name)])

    def _clear_error(self, field_name):
        if self.errors.pop(field_name, None) is None:
            return
        line = self._error_lines[field_name]
        line.value, line.layout.display = "", "none"
        if not self.errors:
            self.say("")

    def show_errors(self, errors):
        self.errors = dict(errors)
        for name, line in self._error_lines.items():
            text_ = errors.get(name, "")
            line.value = f"<span style='color:#a94442'>{_escape(text_)}</span>" if text_ else ""
            line.layout.display = "" if text_ else "none"
        general = errors.get(GENERAL)
        if general and GENERAL not in self._error_lines:
            self.say(general, "error")

    def say(self, text_, kind="info"):
        colours = {"info": "#e8f0fe", "ok": "#e6f4ea", "error": "#fdecea", "warn": "#fef7e0"}
        self.message.value = (f"<div style='background:{colours[kind]};padding:6px 10px;"
                              f"border-radius:4px;max-width:760px'>{_escape(text_)}</div>"
                              if text_ else "")

    def finish(self, result):
        """Record and show a submit() result, and return it."""
        self.result = result
        self.show_errors(result.errors)
        if result.ok:
            self.say(result.message, "ok")
        elif result.message:
            self.say(result.message, "warn" if result.needs_confirmation else "error")
        return result

    def on_click(self, button, action):
        """Run action when button is clicked. An unexpected error becomes the form's failed
        result and a one-line message (a click has no cell to show a traceback in)."""
        def clicked(_):
            try:
                action()
            except Exception as exc:
                self.finish(Result(ok=False, message=f"Unexpected error: {one_line(exc)}"))
        button.on_click(clicked)

    # --- the Python API ---------------------------------------------------------------
    def fill(self, **fields):
        """Set fields by name (see ``fillable``); returns the form, so calls can chain."""
        unknown = sorted(set(fields) - set(self.fillable))
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(unknown)}; "
                            f"its fields are: {', '.join(self.fillable)}.")
        for name in self.fillable:  # in form order, so that source_type precedes file/url
            if name in fields:
                target = getattr(self, self.fillable[name])
                if isinstance(target, w.ValueWidget):
                    target.value = fields[name]
                else:
                    target(fields[name])
        return self

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _escape(text_):
    return html.escape(str(text_))


class ImageDetailsForm(Form):
    """The fields Create Image and Edit Image share, with their fill() setters."""

    def build_common(self, offered):
        """Name, description, format, minimums, visibility, protected, metadata widgets."""
        self.offered = offered
        self._bad_format = None  # a format given to fill() that the cloud does not offer
        self.name_input = text("Image Name", required=True, css="labkit-image-name")
        self.description_input = text("Image Description", css="labkit-image-description")
        self.format_input = choice(w.Dropdown, "Format", [(v.SELECT_FORMAT, "")] + offered, "",
                                   required=True, css="labkit-image-format")
        self.min_disk_input = text("Minimum Disk (GB)", required=True, value="0",
                                   css="labkit-image-min-disk")
        self.min_ram_input = text("Minimum RAM (MB)", required=True, value="0",
                                  css="labkit-image-min-ram")
        self.visibility_input = choice(w.ToggleButtons, "Visibility", v.VISIBILITIES,
                                       v.DEFAULT_VISIBILITY, required=True,
                                       css="labkit-image-visibility")
        self.protected_input = choice(w.ToggleButtons, "Protected", v.PROTECTED_CHOICES,
                                      False, required=True, css="labkit-image-protected")
        self.metadata = MetadataRows(on_change=self._refresh_view)
        self.catalog = MetadataCatalog(self.conn, self.metadata)
        self.format_input.observe(self._format_changed, "value")

    def minimums_and_sharing(self):
        """The last rows of the details step: minimum disk/RAM, then "Image Sharing"."""
        return [self.with_error(self.min_disk_input, "min_disk"),
                self.with_error(self.min_ram_input, "min_ram"),
                heading("Image Sharing"),
                self.with_error(self.visibility_input, "visibility"),
                self.with_error(self.protected_input, "protected")]

    def build_steps(self, details, title):
        """self.steps: Horizon's two steps (tabs), the details (titled title) and Metadata:
        Glance's catalog of definitions above the free rows. The catalog is read when the
        Metadata step is first opened."""
        self.steps = w.Tab(children=[details, w.VBox([self.catalog.widget, self.metadata.widget,
                                                      self.error_line("metadata")])])
        self.steps.set_title(0, title)
        self.steps.set_title(1, "Metadata")
        self.steps.observe(lambda change: change["new"] == 1 and self.catalog.load(),
                           "selected_index")
        return self.steps

    def _refresh_view(self, *_):
        """Subclasses redraw what depends on the values (panels, the equivalent lines)."""

    def _format_changed(self, change):
        self._bad_format = None

    def _set_format(self, value):
        offered = [key for _, key in self.offered]
        self.format_input.value = value if value in offered else ""
        self._bad_format = value if value and value not in offered else None

    def _set_min_disk(self, value):
        self.min_disk_input.value = "" if value is None else str(value)

    def _set_min_ram(self, value):
        self.min_ram_input.value = "" if value is None else str(value)

    def _set_visibility(self, value):
        choices = [key for _, key in v.VISIBILITIES]
        if value not in choices:
            raise ValueError(f"visibility must be one of {', '.join(choices)}, not {value!r}.")
        self.visibility_input.value = value

    def _set_protected(self, value):
        self.protected_input.value = {"yes": True, "no": False}.get(str(value).lower(),
                                                                   bool(value))

    def _set_metadata(self, properties):
        self.metadata.set(properties)

    def common_values(self):
        """The shared fields as the validation functions read them."""
        return {"name": self.name_input.value, "description": self.description_input.value,
                "format": self._bad_format or self.format_input.value,
                "min_disk": self.min_disk_input.value, "min_ram": self.min_ram_input.value,
                "visibility": self.visibility_input.value,
                "protected": self.protected_input.value, "metadata": self.metadata.rows}
