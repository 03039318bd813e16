"""Lesson 1 (Working with images): the "Your turn" exercises. Each looks at the cloud, so
any way of doing the task passes: plain openstacksdk, the `openstack` CLI, labkit, Horizon.

Exercise 1 trains openstacksdk, exercise 2 the `openstack` CLI; exercises 3 and 4 any of
them (4 boots a server: it needs compute).
A learner who works without labkit names and marks things as the lesson does (the name
prefix ``day3-``, the tag ``labkit`` and the property ``labkit_lesson=01``) so that the
lesson's clean-up finds them; the checks say so when a mark is missing.
"""

from .. import formats, marks
from .base import Correct, Exercise, Incorrect, NotAttempted, Uncheckable

LESSON = "01"


def _one_image(conn, name):
    found = list(conn.image.images(name=name))
    return found[0] if len(found) == 1 else (None if not found else found)


def _missing_marks(image):
    """None, or what the lesson's clean-up would miss on this image."""
    missing = []
    if marks.TAG not in (image.tags or []):
        missing.append(f"the tag {marks.TAG!r}")
    if (image.properties or {}).get(marks.KEY) != LESSON:
        missing.append(f"the property {marks.KEY}={LESSON}")
    if not missing:
        return None
    return (f"It lacks {' and '.join(missing)}, so the lesson's clean-up would not find it. "
            f"Add them (SDK: tags=[{marks.TAG!r}], {marks.KEY}={LESSON!r}; CLI: --tag "
            f"{marks.TAG} --property {marks.KEY}={LESSON}).")


class UploadWithTheSDK(Exercise):
    """With plain openstacksdk, upload the qcow2 sample as day3-ex-upload, os_distro=cirros."""

    name = marks.name("ex-upload")
    hints = ["The SDK call is conn.image.create_image(name, filename=..., disk_format=..., "
             "container_format=..., wait=True). Keyword arguments it does not know become "
             "image properties.",
             "Properties: os_distro='cirros', and the lesson's mark labkit_lesson='01'; the tag "
             "goes in tags=['labkit'].",
             "conn.image.create_image('day3-ex-upload', filename=str(samples['qcow2']), "
             "disk_format='qcow2', container_format='bare', tags=['labkit'], "
             "os_distro='cirros', labkit_lesson='01', wait=True)"]
    solution = ("conn.image.create_image('day3-ex-upload', filename=str(samples['qcow2']), "
                "disk_format='qcow2', container_format='bare', tags=['labkit'], "
                "os_distro='cirros', labkit_lesson='01', wait=True)")

    def evaluate(self, conn):
        image = _one_image(conn, self.name)
        if image is None:
            return NotAttempted(f"No image called {self.name} yet.")
        if isinstance(image, list):
            return Incorrect(f"There are {len(image)} images called {self.name} (Glance allows "
                             f"duplicate names): delete the extra ones by ID.")
        if image.disk_format != "qcow2":
            return Incorrect(f"Its disk_format is {image.disk_format}, not qcow2: the file's "
                             f"bytes are qcow2 (formats.detect_format says so).")
        if image.status != "active":
            return Incorrect(f"It is {image.status}, not active: did the upload finish? "
                             f"(wait=True waits for it.)")
        if image.os_distro != "cirros":
            return Incorrect(f"os_distro is {image.os_distro!r}, not 'cirros'.")
        missing = _missing_marks(image)
        if missing:
            return Incorrect(missing)
        return Correct("Uploaded as qcow2, active, with os_distro=cirros and the lesson's marks.")


class ProtectWithTheCLI(Exercise):
    """With the `openstack` CLI, protect day3-ex-upload and set min disk 1 GB, min RAM 128 MB."""

    name = marks.name("ex-upload")
    hints = ["In a code cell, a line starting with ! runs a shell command: "
             "!openstack image set --help lists the options.",
             "The options are --protected, --min-disk (GB) and --min-ram (MB).",
             "!openstack image set --protected --min-disk 1 --min-ram 128 day3-ex-upload"]
    solution = "!openstack image set --protected --min-disk 1 --min-ram 128 day3-ex-upload"

    def evaluate(self, conn):
        image = _one_image(conn, self.name)
        if image is None or isinstance(image, list):
            return NotAttempted(f"Do the previous exercise first ({self.name}).")
        if not image.is_protected:
            return Incorrect("It is not protected yet (--protected).")
        if image.min_disk < 1 or image.min_ram < 128:
            return Incorrect(f"min_disk is {image.min_disk} and min_ram {image.min_ram}: "
                             f"want at least 1 (GB) and 128 (MB).")
        return Correct("Protected, and Nova will refuse flavors that are too small.")


class MysteryFormat(Exercise):
    """Upload the file `mystery` as day3-ex-mystery, declaring its real disk format."""

    name = marks.name("ex-mystery")
    hints = ["The file name says nothing; its bytes do. Part 1 detected formats "
             "(formats.detect_format), and so does `qemu-img info` where it is installed.",
             "formats.detect_format(mystery).format gives the format to declare.",
             "!openstack image create --file {mystery} --disk-format "
             "{formats.detect_format(mystery).format} --container-format bare --tag labkit "
             "--property labkit_lesson=01 day3-ex-mystery"]
    solution = ("!openstack image create --file {mystery} --disk-format "
                "{formats.detect_format(mystery).format} --container-format bare --tag labkit "
                "--property labkit_lesson=01 day3-ex-mystery")

    def __init__(self, conn, mystery):
        super().__init__(conn)
        self.truth = formats.detect_format(mystery).format

    def evaluate(self, conn):
        image = _one_image(conn, self.name)
        if image is None:
            return NotAttempted(f"No image called {self.name} yet.")
        if isinstance(image, list):
            return Incorrect(f"Several images are called {self.name}: delete the extras by ID.")
        if image.disk_format != self.truth:
            extra = (" Glance accepted it because it cannot check `raw` (any bytes are a raw "
                     "disk), but Nova would treat the file as a raw disk."
                     if image.disk_format == "raw" else "")
            return Incorrect(f"It is declared {image.disk_format}; the bytes say otherwise."
                             + extra)
        if image.status != "active":
            return Incorrect(f"It is {image.status}, not active: upload its data too.")
        missing = _missing_marks(image)
        if missing:
            return Incorrect(missing)
        return Correct(f"Right: the bytes are {self.truth}, and Glance agreed.")


class BootTheTiny(Exercise):
    """Boot day3-ex-server from day3-tiny: m1.tiny, a config drive, user data that prints
    DAY3-EXERCISE, and the lesson's mark labkit_lesson=01 in its metadata."""

    name = marks.name("ex-server")
    image = marks.name("tiny")
    flavor = "m1.tiny"
    marker = "DAY3-EXERCISE"
    hints = ["Part 8 shows three ways: the Launch Instance form, servers.launch and "
             "`openstack server create`. Any of them will do.",
             "The CLI needs the script in a file: write it first, e.g. "
             "(work / 'exercise.sh').write_text('#!/bin/sh\\necho DAY3-EXERCISE\\n'). Mark the "
             "server with --property labkit_lesson=01.",
             "!openstack server create --image day3-tiny --flavor m1.tiny --nic none "
             "--config-drive true --user-data {work / 'exercise.sh'} --property "
             "labkit_lesson=01 --wait day3-ex-server"]
    solution = ("(work / 'exercise.sh').write_text('#!/bin/sh\\necho DAY3-EXERCISE\\n')\n"
                "!openstack server create --image day3-tiny --flavor m1.tiny --nic none "
                "--config-drive true --user-data {work / 'exercise.sh'} --property "
                "labkit_lesson=01 --wait day3-ex-server -f value -c status")

    def evaluate(self, conn):
        from .. import servers

        if servers.why_no_compute(conn):
            return Uncheckable(servers.why_no_compute(conn))
        found = list(conn.compute.servers(name=f"^{self.name}$"))
        if not found:
            return NotAttempted(f"No server called {self.name} yet.")
        if len(found) > 1:
            return Incorrect(f"There are {len(found)} servers called {self.name}: delete the "
                             f"extra ones by ID (`openstack server delete ID`).")
        server = conn.compute.get_server(found[0].id)
        return self._evaluate_server(conn, server)

    def _evaluate_server(self, conn, server):
        from .. import servers

        if (server.metadata or {}).get(marks.KEY) != LESSON:
            return Incorrect(f"Its metadata lacks {marks.KEY}={LESSON}, so the lesson's "
                             f"clean-up would not find it (CLI: --property "
                             f"{marks.KEY}={LESSON}; SDK: metadata={{...}}).")
        image = conn.image.find_image(self.image, ignore_missing=True)
        if image is None or (server.image or {}).get("id") != image.id:
            return Incorrect(f"It was not booted from {self.image}.")
        flavor = (server.flavor or {}).get("original_name") or (server.flavor or {}).get("name")
        if flavor != self.flavor:
            return Incorrect(f"Its flavor is {flavor}, not {self.flavor}.")
        if str(server.has_config_drive).lower() not in ("true", "1"):
            return Incorrect("It has no config drive, so the tiny image cannot read its user "
                             "data (--config-drive true; SDK: config_drive=True).")
        if server.status != "ACTIVE":
            fault = (server.fault or {}).get("message", "")
            return Incorrect(f"It is {server.status}, not ACTIVE. {fault}".strip())
        try:
            servers.console_log(conn, server, until="tiny: boot finished", timeout=90)
        except servers.ServerTimeout:
            return Incorrect("It has not finished booting yet: check again in a few seconds.")
        if self.marker not in servers.console_log(conn, server):
            return Incorrect(f"Its console does not show {self.marker}: is the user data a "
                             f"script starting with #! that echoes it?")
        return Correct(f"ACTIVE, from {self.image} on {self.flavor}, and its console shows "
                       f"{self.marker}: your user data ran.")
