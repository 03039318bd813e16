"""Lesson 1 end to end with papermill: twice in a row (re-runnable), and on a machine
without qemu-img (every cell still runs). nbval runs it once more on its own."""

import os
import shutil
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.cloud
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01-working-with-images.ipynb"


def run(output, env=None):
    import papermill

    saved = dict(os.environ)
    try:
        os.environ.update(env or {})
        papermill.execute_notebook(str(NOTEBOOK), str(output), cwd=str(NOTEBOOK.parent),
                                   kernel_name="python3", progress_bar=False,
                                   execution_timeout=600)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    import nbformat

    return nbformat.read(output, as_version=4)


def outputs_text(notebook):
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


def assert_glance_answers_are_shown(text):
    """The lesson shows Glance's own answers next to labkit's checks, and the duplicate pitfall."""
    assert "raw bytes declared qcow2: 415 Unsupported Media Type" in text
    assert "the image is back to: queued" in text  # a failed v2 upload goes back to queued
    assert "an ftp:// URL: 400 Bad Request" in text and "does not pass filtering" in text
    assert "minimum disk -1: 400 Bad Request" in text and "Cannot be a negative value" in text
    assert "Glance's own answer: 403" in text and "is protected and cannot be deleted" in text
    assert "publicize_image" in text or "not allowed to make images public" in text.lower() \
        or "Glance's own answer: 403 Forbidden" in text
    assert "More than one Image exists" in text  # the duplicate-name pitfall, live
    assert "images are called 'day3-twin'" in text


def test_runs_twice_in_a_row(tmp_path):
    for attempt in (1, 2):
        notebook = run(tmp_path / f"run{attempt}.ipynb")
        assert errors(notebook) == []
        text = outputs_text(notebook)
        assert "Correct: Uploaded as qcow2" in text and "Correct: Right: the bytes are" in text
        assert "Correct: Protected" in text
        assert "Traceback" not in text
        assert_glance_answers_are_shown(text)


def test_runs_without_qemu_img(tmp_path, path_without_qemu_img):
    path = path_without_qemu_img
    assert shutil.which("qemu-img", path=path) is None
    assert shutil.which("openstack", path=path) or Path(sys.executable).parent.joinpath(
        "openstack").exists()
    notebook = run(tmp_path / "no-qemu.ipynb", env={"PATH": path})
    assert errors(notebook) == []
    text = outputs_text(notebook)
    assert "qemu-img: not installed" in text
    assert "No vmdk sample: needs qemu-img" in text
    assert "Correct: Right: the bytes are qcow2" in text
