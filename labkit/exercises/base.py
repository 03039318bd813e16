"""Exercises in the learntools style: look at the cloud, say what is right or missing.

A lesson defines one small class per exercise:

    class UploadQcow2(Exercise):
        "Upload day3-exercise.qcow2 as a qcow2 image with the property os_distro=cirros."
        hints = ["Start from the SDK cell above.", "conn.image.create_image(..., os_distro=...)"]
        solution = "conn.image.create_image(name='day3-exercise', ...)"

        def evaluate(self, conn):
            image = conn.image.find_image("day3-exercise")
            if image is None:
                return NotAttempted("No image called day3-exercise yet.")
            if image.disk_format != "qcow2":
                return Incorrect(f"Its disk_format is {image.disk_format}, not qcow2.")
            return Correct("Uploaded, with the right format.")

and the notebook calls ``ex = UploadQcow2(conn)``, then ``ex.check()``, ``ex.hint()``,
``ex.solution_text()``. ``check()`` returns the outcome too (and keeps it in ``ex.last``), so
tests and the authors' ``selftest`` cells can assert on it.

A check that raises is a bug in the check, not the learner's fault: the learner sees
"Cannot check", and the outcome is a ``CheckCrashed`` carrying the exception, so a test that
asserts the outcome's kind fails. With ``LABKIT_STRICT_CHECKS=1`` (set for the test sessions)
``check()`` raises it instead, so that a notebook run under nbval fails too.
"""

import os
from dataclasses import dataclass

from .. import show


@dataclass
class Outcome:
    """What check() found; check() shows it as a coloured note."""

    message: str
    kind = ""
    style = "info"  # the colour show.note gives it
    passed = False
    shown = False  # set once check() has shown it

    def __str__(self):
        return f"{self.kind}: {self.message}"

    def show(self):
        show.note(str(self), self.style)
        self.shown = True

    def _ipython_display_(self):
        # A cell ending in `ex.check()` would show the outcome a second time; once is enough.
        if not self.shown:
            self.show()


class Correct(Outcome):
    kind, style, passed = "Correct", "ok", True


class Incorrect(Outcome):
    kind, style = "Not yet", "warn"


class NotAttempted(Outcome):
    kind = "Not attempted"


class Uncheckable(Outcome):
    """The cloud cannot show it (e.g. it has no such service)."""

    kind, style = "Cannot check", "skip"


class CheckCrashed(Uncheckable):
    """The check itself raised: shown to the learner as "Cannot check", kept for tests."""

    def __init__(self, message, error=None):
        super().__init__(message)
        self.error = error


def strict_checks():
    """True when a crashing check must raise (test sessions set LABKIT_STRICT_CHECKS=1)."""
    return os.environ.get("LABKIT_STRICT_CHECKS", "") not in ("", "0")


class Exercise:
    hints = []
    solution = ""

    def __init__(self, conn):
        self.conn = conn
        self._hints_shown = 0
        self.last = None  # the Outcome of the latest check()

    def evaluate(self, conn):  # pragma: no cover - every exercise defines it
        raise NotImplementedError

    def check(self):
        """Look at the cloud, show what is right or missing, and return the Outcome."""
        try:
            outcome = self.evaluate(self.conn)
        except Exception as exc:  # a bug in the check, or a cloud answer it did not expect
            if strict_checks():
                raise
            outcome = CheckCrashed(f"Could not look at the cloud: {exc}", exc)
        outcome.show()
        self.last = outcome
        return outcome

    def hint_text(self, number):
        """Hint `number` (1-based), as text."""
        return f"Hint {number} of {len(self.hints)}: {self.hints[number - 1]}"

    def hint(self):
        """Show the next hint, from gentle to almost the answer."""
        if not self.hints:
            show.note("No hints for this one.", "info")
            return
        number = min(self._hints_shown, len(self.hints) - 1) + 1
        self._hints_shown += 1
        show.note(self.hint_text(number), "info")

    def solution_text(self):
        """Show the solution (for learners who want to compare)."""
        show.note(f"Solution:\n{self.solution}", "info")
