"""Launch Instance: Horizon's wizard (Details, Source, Flavor, Key Pair, Configuration).

    form = LaunchInstanceForm(conn)       # a cell ending with the form draws it
    result = form.fill(name="tiny", image="day3-tiny", flavor="m1.tiny",
                       user_data="#!/bin/sh\\necho hi\\n").submit()
    result.ok, result.server, result.errors, result.message

Horizon's steps Networks, Network Ports, Security Groups, Server Groups, Scheduler Hints
and Metadata are left out: the server boots without a network (``--nic none``) until the
cloud has one. Labels, required marks and checks are Horizon's (launch-instance in
openstack_dashboard/dashboards/project/static/dashboard/project/workflow/). The launch
itself is labkit.servers.launch; this module only collects and checks the fields.
"""

import ipywidgets as w

from .. import servers
from .form import GENERAL, Form, Result, choice, heading, text

NO_KEY = ""
#: Horizon's limit on the Customization Script (16 KB: Nova's user data after base64 is 64 KB)
SCRIPT_MAX = 16 * 1024
HAS_ERRORS = "The form has errors: see the messages under the fields."


class LaunchInstanceForm(Form):
    """Horizon's Launch Instance; ``lesson`` marks what it creates for cleanup."""

    fillable = {"name": "name_input", "description": "description_input",
                "image": "image_input", "flavor": "flavor_input", "key_pair": "key_input",
                "user_data": "script_input", "config_drive": "config_drive_input"}

    def __init__(self, conn, *, lesson="01", timeout=300):
        super().__init__()
        self.conn, self.lesson, self.timeout = conn, lesson, timeout
        self._build()

    # --- building the widgets ----------------------------------------------------------
    def _build(self):
        self.name_input = text("Instance Name", required=True, css="labkit-server-name")
        self.description_input = text("Description", css="labkit-server-description")
        self.image_input = choice(w.Dropdown, "Image", self._image_choices(), "", required=True,
                                  css="labkit-server-image")
        self.flavor_input = choice(w.Dropdown, "Flavor", self._flavor_choices(), "",
                                   required=True, css="labkit-server-flavor")
        self.key_input = choice(w.Dropdown, "Key Pair", [("(none)", NO_KEY)] + [
            (k.name, k.name) for k in self.conn.compute.keypairs()], NO_KEY,
            css="labkit-server-key")
        self.script_input = w.Textarea(description="Customization Script",
                                       placeholder="#!/bin/sh  (run once at first boot)",
                                       style={"description_width": "170px"},
                                       layout=w.Layout(width="560px", height="90px"))
        self.config_drive_input = w.Checkbox(value=True, description="Configuration Drive",
                                             style={"description_width": "170px"})
        self.submit_button = w.Button(description="Launch Instance", button_style="primary",
                                      icon="rocket")
        self.on_click(self.submit_button, self.submit)
        steps = [
            ("Details", [self.with_error(self.name_input, "name"), self.description_input,
                         w.HTML("<small style='margin-left:175px'>Count: 1</small>")]),
            ("Source", [w.HTML("<small style='margin-left:175px'>Select Boot Source: Image"
                               "</small>"), self.with_error(self.image_input, "image")]),
            ("Flavor", [self.with_error(self.flavor_input, "flavor")]),
            ("Key Pair", [self.key_input]),
            ("Configuration", [self.with_error(self.script_input, "user_data"),
                               self.config_drive_input]),
        ]
        self.steps = w.Tab(children=[w.VBox(rows) for _, rows in steps])
        for index, (title, _) in enumerate(steps):
            self.steps.set_title(index, title)
        self.widget = w.VBox([heading("Launch Instance"), self.steps, self.message,
                              self.submit_button])

    def _image_choices(self):
        active = sorted((i for i in self.conn.image.images(status="active")
                         if i.disk_format not in ("aki", "ari")), key=lambda i: i.name or "")
        return [("Select an image", "")] + [(i.name or i.id, i.id) for i in active]

    def _flavor_choices(self):
        flavors = sorted(self.conn.compute.flavors(), key=lambda f: (f.ram, f.disk))
        return [("Select a flavor", "")] + [
            (f"{f.name} ({f.vcpus} VCPU, {f.ram} MB RAM, {f.disk} GB disk)", f.name)
            for f in flavors]

    # --- fill() helpers: names as well as IDs -------------------------------------------
    def fill(self, **fields):
        if "image" in fields:  # a name is as good as an ID, as in the other forms
            fields["image"] = self._image_value(fields["image"])
        return super().fill(**fields)

    def _image_value(self, name_or_id):
        for label, value in self.image_input.options:
            if name_or_id in (label, value) and value:
                return value
        return ""  # not offered: validate() says so under the field

    # --- checking and submitting -----------------------------------------------------------
    def validate(self):
        """Horizon's checks, before anything is sent: {field: message}."""
        errors = {}
        if not self.name_input.value.strip():
            errors["name"] = "This field is required."
        if not self.image_input.value:
            errors["image"] = "Select an active image (Source)."
        if not self.flavor_input.value:
            errors["flavor"] = "Select a flavor."
        if len(self.script_input.value.encode()) > SCRIPT_MAX:
            errors["user_data"] = (f"Content size {len(self.script_input.value.encode())} "
                                   f"bytes exceeds {SCRIPT_MAX // 1024} KB.")
        if not errors:
            too_small = self._too_small()
            if too_small:
                errors["flavor"] = too_small
        return errors

    def _too_small(self):
        """Horizon greys out flavors below the image's minimums (its Flavor step)."""
        image = self.conn.image.get_image(self.image_input.value)
        flavor = self.conn.compute.find_flavor(self.flavor_input.value)
        if flavor.ram < (image.min_ram or 0):
            return f"{flavor.name} has {flavor.ram} MB RAM; the image needs {image.min_ram} MB."
        if flavor.disk < (image.min_disk or 0):
            return f"{flavor.name} has a {flavor.disk} GB disk; the image needs {image.min_disk} GB."
        return ""

    def submit(self):
        """Validate, then launch and wait until ACTIVE (or ERROR); returns a Result."""
        errors = self.validate()
        if errors:
            return self.finish(Result(False, errors=errors, message=HAS_ERRORS))
        self.submit_button.disabled = True
        self.say("Launching... (the tiny image is typically ACTIVE within "
                 f"{servers.BUILD_SECONDS} s)")
        try:
            server = servers.launch(
                self.conn, self.name_input.value.strip(), image=self.image_input.value,
                flavor=self.flavor_input.value, key_name=self.key_input.value or None,
                user_data=self.script_input.value or None,
                description=self.description_input.value.strip() or None,
                config_drive=self.config_drive_input.value, lesson=self.lesson,
                timeout=self.timeout, progress=False)
        except servers.ServerFailed as exc:
            return self.finish(Result(False, server=exc.server, message=str(exc)))
        except servers.ServerError as exc:  # every failure is shown in the form
            return self.finish(Result(False, errors={GENERAL: str(exc)},
                                      message=f"Unable to launch the instance: {exc}"))
        finally:
            self.submit_button.disabled = False
        return self.finish(Result(True, server=server,
                                  message=f"Instance {server.name} is {server.status}."))
