"""Learner copies of the lessons: the same notebooks CI runs, minus the answers.

From each notebook in notebooks/ it removes the cells tagged ``solution`` (hidden answers)
and ``selftest`` (authors' checks that a wrong answer fails), clears every output and
execution count, and keeps everything else - the exercise cells with their stubs included.
"""

import shutil
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
REMOVED_TAGS = {"solution", "selftest"}


def lesson_notebooks(folder=ROOT / "notebooks"):
    return sorted(Path(folder).glob("[0-9][0-9]-*.ipynb"))


def learner_copy(notebook):
    """The learner's version of a notebook node (a new node; the input is left as it was)."""
    copy = nbformat.from_dict(notebook)
    copy.cells = [cell for cell in copy.cells
                  if not REMOVED_TAGS & set(cell.get("metadata", {}).get("tags", []))]
    for cell in copy.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return copy


def release(source=ROOT / "notebooks", dest=ROOT / "release"):
    """Write the learner copies into dest (replacing an earlier release); return their paths."""
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    written = []
    for path in lesson_notebooks(source):
        notebook = nbformat.read(path, as_version=4)
        target = dest / path.name
        nbformat.write(learner_copy(notebook), target)
        written.append(target)
    return written
