"""The Metadata step's free rows: key/value properties, one row each, add and remove buttons.

Beside Glance's catalog of definitions (metadata_catalog.py), as in Horizon's "Update
Metadata", any other key can be typed here; the common properties (os_distro,
hw_disk_bus, ...) are offered as suggestions in the key box.
"""

import ipywidgets as w

#: Glance's "useful image properties" that a learner is likely to set.
SUGGESTED_KEYS = ["os_distro", "os_version", "os_type", "hw_architecture", "hw_disk_bus",
                  "hw_scsi_model", "hw_vif_model", "hw_firmware_type", "hw_machine_type",
                  "hw_qemu_guest_agent", "img_hv_type", "hw_vm_mode",
                  "img_hv_requested_version", "os_require_quiesce"]


class MetadataRows:
    """Rows of (key, value) Text boxes; ``rows`` reads them, ``set(dict)`` replaces them."""

    def __init__(self, on_change=None):
        self._on_change = on_change
        self._rows = []  # (key box, value box, row box)
        self.add_button = w.Button(description="Add property", icon="plus")
        self.add_button.add_class("labkit-metadata-add")
        self.add_button.on_click(lambda _: self.add())
        self.list_box = w.VBox([])
        self.widget = w.VBox([
            w.HTML("<p>Free properties of the image (<code>--property key=value</code>). "
                   "Nova's scheduler and the hypervisor read some of them, e.g. "
                   "<code>hw_disk_bus</code> or <code>os_distro</code>.</p>"),
            self.list_box, self.add_button])

    @property
    def rows(self):
        return [(key.value, value.value) for key, value, _ in self._rows]

    def add(self, key="", value=""):
        key_box = w.Combobox(value=key, options=SUGGESTED_KEYS, placeholder="key",
                             ensure_option=False, layout=w.Layout(width="240px"))
        key_box.add_class("labkit-metadata-key")
        value_box = w.Text(value=str(value), placeholder="value", layout=w.Layout(width="260px"))
        value_box.add_class("labkit-metadata-value")
        remove = w.Button(icon="trash", tooltip="Remove this property",
                          layout=w.Layout(width="40px"))
        row = w.HBox([key_box, value_box, remove])
        entry = (key_box, value_box, row)
        remove.on_click(lambda _: self._remove(entry))
        for box in (key_box, value_box):
            box.observe(self._changed, "value")
        self._rows.append(entry)
        self.list_box.children = [r for _, _, r in self._rows]
        self._changed()
        return entry

    def put(self, key, value):
        """Set key to value: the row that has the key is changed, or a new row is added."""
        for key_box, value_box, _ in self._rows:
            if key_box.value.strip() == key:
                value_box.value = str(value)
                return key_box, value_box
        key_box, value_box, _ = self.add(key, value)
        return key_box, value_box

    def set(self, properties):
        self._rows = []
        for key, value in dict(properties or {}).items():
            self.add(key, value)
        self.list_box.children = [r for _, _, r in self._rows]
        self._changed()

    def _remove(self, entry):
        self._rows.remove(entry)
        self.list_box.children = [r for _, _, r in self._rows]
        self._changed()

    def _changed(self, *_):
        if self._on_change:
            self._on_change()
