"""Lesson 1 (Working with images): the "Your turn" exercises. Each looks at the cloud."""

from . import formats, marks
from .exercises import Correct, Exercise, Incorrect, NotAttempted


def _one_image(conn, name):
    found = list(conn.image.images(name=name))
    return found[0] if len(found) == 1 else (None if not found else found)


class UploadQcow2(Exercise):
    """Upload the qcow2 sample as an image called day3-ex-upload, with os_distro=cirros."""

    name = marks.name("ex-upload")
    hints = ["Look at the SDK cell of part 3: images.create_image(conn, name, filename=..., "
             "disk_format=...).",
             "The property goes in properties={'os_distro': 'cirros'}.",
             "images.create_image(conn, 'day3-ex-upload', filename=samples['qcow2'], "
             "disk_format='qcow2', properties={'os_distro': 'cirros'})"]
    solution = ("images.create_image(conn, 'day3-ex-upload', filename=samples['qcow2'], "
                "disk_format='qcow2', properties={'os_distro': 'cirros'})")

    def evaluate(self, conn):
        image = _one_image(conn, self.name)
        if image is None:
            return NotAttempted(f"No image called {self.name} yet.")
        if isinstance(image, list):
            return Incorrect(f"There are {len(image)} images called {self.name}: delete "
                             f"the extra ones.")
        if image.disk_format != "qcow2":
            return Incorrect(f"Its disk_format is {image.disk_format}, not qcow2.")
        if image.status != "active":
            return Incorrect(f"It is {image.status}, not active: did the upload finish?")
        if image.os_distro != "cirros":
            return Incorrect(f"os_distro is {image.os_distro!r}, not 'cirros'.")
        return Correct("Uploaded as qcow2, active, with os_distro=cirros.")


class ProtectAndSize(Exercise):
    """Protect day3-ex-upload and require at least 1 GB of disk and 128 MB of RAM."""

    name = marks.name("ex-upload")
    hints = ["Part 4 changed fields with images.update_image(conn, name, ...).",
             "The raw API names are protected, min_disk and min_ram.",
             "images.update_image(conn, 'day3-ex-upload', protected=True, min_disk=1, "
             "min_ram=128)"]
    solution = "images.update_image(conn, 'day3-ex-upload', protected=True, min_disk=1, min_ram=128)"

    def evaluate(self, conn):
        image = _one_image(conn, self.name)
        if image is None or isinstance(image, list):
            return NotAttempted(f"Do the previous exercise first ({self.name}).")
        if not image.is_protected:
            return Incorrect("It is not protected yet (protected=True).")
        if image.min_disk < 1 or image.min_ram < 128:
            return Incorrect(f"min_disk is {image.min_disk} and min_ram {image.min_ram}: "
                             f"want at least 1 and 128.")
        return Correct("Protected, and Nova will refuse flavors that are too small.")


class MysteryFormat(Exercise):
    """Upload the file `mystery` as day3-ex-mystery, declaring its real disk format."""

    name = marks.name("ex-mystery")
    hints = ["The file name says nothing; its bytes do. Part 1 detected formats.",
             "formats.detect_format(mystery).format",
             "images.create_image(conn, 'day3-ex-mystery', filename=mystery, "
             "disk_format=formats.detect_format(mystery).format)"]
    solution = ("images.create_image(conn, 'day3-ex-mystery', filename=mystery, "
                "disk_format=formats.detect_format(mystery).format)")

    def __init__(self, conn, mystery):
        super().__init__(conn)
        self.truth = formats.detect_format(mystery).format

    def evaluate(self, conn):
        image = _one_image(conn, self.name)
        if image is None:
            return NotAttempted(f"No image called {self.name} yet.")
        if isinstance(image, list):
            return Incorrect(f"Several images are called {self.name}: delete the extras.")
        if image.disk_format != self.truth:
            return Incorrect(f"It is declared {image.disk_format}; the bytes say otherwise.")
        return Correct(f"Right: the bytes are {self.truth}, and Glance agreed.")
