"""Glance's metadata definitions beside the free rows, as Horizon's "Update Metadata" does.

Pick a namespace (e.g. "libvirt Driver Options for Images (OS::Compute::LibvirtImage)"),
one of its properties and, where the definition lists them, one of its allowed values; "Add"
puts the key and value into the free rows, where they can still be edited or removed.

    catalog = MetadataCatalog(conn, rows)   # rows: the form's MetadataRows
    catalog.choose("OS::Compute::LibvirtImage", "hw_disk_bus", "virtio")

The catalog is read when first needed (the Metadata step is opened, or choose() is
called): about twenty small requests that a form which never opens the step does not pay.
A cloud without metadefs gets a note saying so, and the free rows work as before.
"""

import html

import ipywidgets as w

from .. import images_metadefs

EMPTY = ("This cloud has no metadata definitions for images (GET /v2/metadefs/namespaces"
         "?resource_types=OS::Glance::Image lists none), so there is no catalog to choose from: "
         "type keys in the free rows below. An operator loads Glance's definitions with "
         "<code>glance-manage db_load_metadefs</code>.")
UNREADABLE = "Glance's metadata definitions could not be read (%s): use the free rows below."
CHOOSE = "Choose a namespace"


class MetadataCatalog:
    """Namespace -> property -> value choosers that add a row to a MetadataRows."""

    def __init__(self, conn, rows):
        self.conn, self.rows = conn, rows
        self.namespaces = None  # [images_metadefs.Namespace] once loaded
        self.note = w.HTML("")
        self.note.add_class("labkit-metadata-catalog-note")
        self.namespace_input = w.Dropdown(description="Namespace", options=[(CHOOSE, "")],
                                          style={"description_width": "90px"},
                                          layout=w.Layout(width="560px"))
        self.namespace_input.add_class("labkit-metadata-namespace")
        self.property_input = w.Dropdown(description="Property", options=[],
                                         style={"description_width": "90px"},
                                         layout=w.Layout(width="560px"))
        self.property_input.add_class("labkit-metadata-property")
        self.value_choice = w.Dropdown(options=[], description="Value",
                                       style={"description_width": "90px"})
        self.value_text = w.Text(description="Value", placeholder="value",
                                 style={"description_width": "90px"})
        self.help = w.HTML("", layout=w.Layout(max_width="760px"))
        self.add_button = w.Button(description="Add", icon="plus",
                                   tooltip="Add this property to the image's metadata")
        self.add_button.add_class("labkit-metadata-catalog-add")
        self.choosers = w.VBox([self.namespace_input, self.property_input,
                                w.HBox([self.value_choice, self.value_text, self.add_button]),
                                self.help], layout=w.Layout(display="none"))
        self.widget = w.VBox([w.HTML("<b>Glance's metadata definitions</b>"), self.note,
                              self.choosers])
        self.namespace_input.observe(self._namespace_changed, "value")
        self.property_input.observe(self._property_changed, "value")
        self.add_button.on_click(lambda _: self.add_chosen())

    # --- loading -----------------------------------------------------------------------
    def load(self):
        """Read the catalog once; returns the namespaces ([] when the cloud has none)."""
        if self.namespaces is not None:
            return self.namespaces
        try:
            self.namespaces = images_metadefs.image_catalog(self.conn)
        except Exception as exc:  # the free rows still work; say why there is no catalog
            self.namespaces = []
            self.note.value = UNREADABLE % html.escape(f"{type(exc).__name__}: {exc}"[:200])
            return self.namespaces
        if not self.namespaces:
            self.note.value = f"<p>{EMPTY}</p>"
            return self.namespaces
        self.note.value = (f"<p>{len(self.namespaces)} namespaces from Glance's catalog: pick a "
                           f"property and a value, then Add puts them in the rows below.</p>")
        self.namespace_input.options = [(CHOOSE, "")] + [(ns.label, ns.namespace)
                                                         for ns in self.namespaces]
        self.choosers.layout.display = ""
        return self.namespaces

    # --- reacting to choices ---------------------------------------------------------------
    def _find(self, namespace):
        for ns in self.load():
            if ns.namespace == namespace:
                return ns
        names = ", ".join(ns.namespace for ns in self.namespaces) or "none (no metadefs loaded)"
        raise ValueError(f"No metadata namespace {namespace!r} for images on this cloud; "
                         f"there are: {names}.")

    def _definition(self):
        if not self.namespace_input.value or not self.property_input.value:
            return None
        ns = self._find(self.namespace_input.value)
        return next((d for d in ns.properties if d.name == self.property_input.value), None)

    def _namespace_changed(self, change):
        if not change["new"]:
            self.property_input.options = []
            return
        ns = self._find(change["new"])
        self.property_input.options = [(f"{d.title} ({d.name})", d.name) for d in ns.properties]
        self._property_changed()

    def _property_changed(self, *_):
        definition = self._definition()
        choices = definition.choices if definition else []
        self.value_choice.options = choices
        self.value_choice.layout.display = "" if choices else "none"
        self.value_text.layout.display = "none" if choices else ""
        self.value_text.value = "" if definition is None or definition.default is None \
            else str(definition.default)
        if definition is None:
            self.help.value = ""
            return
        allowed = (f" Allowed values: {', '.join(choices)}." if choices else
                   f" Type: {definition.type}.")
        self.help.value = (f"<small><code>{html.escape(definition.name)}</code>: "
                           f"{html.escape(definition.description[:300])}"
                           f"{html.escape(allowed)}</small>")

    # --- the Python API ---------------------------------------------------------------------
    def choose(self, namespace, name, value):
        """Choose a namespace, a property and a value, and add them to the rows (as Add does)."""
        self._find(namespace)
        self.namespace_input.value = namespace
        if name not in [key for _, key in self.property_input.options]:
            raise ValueError(f"Namespace {namespace} has no property {name!r}; it has "
                             f"{', '.join(key for _, key in self.property_input.options)}.")
        self.property_input.value = name
        definition = self._definition()
        if definition.choices:
            if str(value) not in definition.choices:
                raise ValueError(f"{value!r} is not an allowed value of {name}: choose one of "
                                 f"{', '.join(definition.choices)}.")
            self.value_choice.value = str(value)
        else:
            self.value_text.value = str(value)
        return self.add_chosen()

    def add_chosen(self):
        """Put the chosen key and value into the rows (replacing a row with the same key)."""
        definition = self._definition()
        if definition is None:
            return None
        value = self.value_choice.value if definition.choices else self.value_text.value
        return self.rows.put(definition.name, value)
