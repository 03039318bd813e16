"""Which lesson runs where, so that CI runs each lesson end to end exactly twice, on one
cloud, the second run after the first:

1. `make test`: nbval runs every cell of every lesson (notebooks/), and scans each cell's
   outputs for secrets (the root conftest.py);
2. `make test-long` (the same test cloud, stopped and started again, as a learner coming
   back the next day): `labkit verify` runs every lesson (the `verified_course` fixture), on
   a machine without qemu-img (the servers boot the tiny image built before); the lessons'
   own tests (test_lesson01_notebook.py, test_lesson02_notebook.py,
   test_lesson03_notebook.py) check what those runs showed, and test_no_secrets.py scans them.

A newcomer's `make test` thus runs each lesson once; CI also proves they can be run again.
"""

from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def executed(verified_course, notebook):
    """A lesson as `labkit verify` executed it (the verified_course fixture)."""
    path = verified_course.output / notebook.name
    assert path.is_file(), (f"labkit verify wrote no {notebook.name}: "
                            f"{verified_course.result.stdout[-2000:]}")
    return nbformat.read(path, as_version=4)


def shown(verified_course, name):
    """What the lesson named name (e.g. "02-network-shared-folders") showed when `labkit
    verify` ran it, as one text; the lesson must have run to its end."""
    notebook = executed(verified_course, NOTEBOOKS / f"{name}.ipynb")
    assert errors(notebook) == []
    return outputs_text(notebook)


def outputs_text(notebook):
    """Everything the executed notebook's cells showed, as one text."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(str(output.get("data", {}).get("text/html", "")))
            parts.append(str(output.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def errors(notebook):
    return [output for cell in notebook.cells for output in cell.get("outputs", [])
            if output.get("output_type") == "error"]
