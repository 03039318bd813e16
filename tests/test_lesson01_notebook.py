"""Lesson 1 end to end with papermill, on a machine without qemu-img: every cell still runs,
the samples that need it say so, and the boot part boots the tiny image built before (it is
built once and reused). nbval runs the lesson again later in the session, with qemu-img: two
runs on one cloud, the second after the first (re-runnable), each path covered once."""

import os
import shutil
import sys
from pathlib import Path

import pytest

from labkit import image_build

pytestmark = [pytest.mark.cloud, pytest.mark.long]  # a lesson's second run: lesson_runs.py
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


def assert_the_boot_part_ran(text):
    """Part 8 booted the upload three ways, read its console, and showed Nova's refusals."""
    assert "Instance day3-form-tiny is ACTIVE." in text
    assert "Hello from day3-form-tiny" in text and "Hello from day3-cli-tiny" in text
    assert "Hello from day3-trio" in text  # the AKI/ARI/AMI trio booted
    assert "day3-form-tiny -> SHUTOFF" in text
    assert "400 Flavor's disk is smaller than the minimum size" in text
    assert "400 Flavor's memory is too small" in text
    assert "No valid host was found" in text
    assert "ImagePropertiesFilter: (start: 1, end: 0)" in text
    assert "Correct: ACTIVE, from day3-tiny on m1.tiny" in text  # exercise 4


def test_runs_without_qemu_img(path_without_qemu_img, executed_lessons, pocket):
    assert shutil.which("qemu-img", path=path_without_qemu_img) is None
    assert shutil.which("openstack", path=path_without_qemu_img) or Path(
        sys.executable).parent.joinpath("openstack").exists()
    boots = pocket.compute_status() == "available"
    if boots:  # the tiny image a machine with qemu-img built before (image_build.tiny)
        image_build.tiny(say=lambda *_: None)
    executed = run(executed_lessons / NOTEBOOK.name, env={"PATH": path_without_qemu_img})
    assert errors(executed) == []
    text = outputs_text(executed)
    assert "qemu-img: not installed" in text
    assert "No vmdk sample: needs qemu-img" in text
    assert "Correct: Uploaded as qcow2" in text and "Correct: Right: the bytes are" in text
    assert "Correct: Protected" in text
    assert "Traceback" not in text
    assert_glance_answers_are_shown(text)
    if boots:
        assert_the_boot_part_ran(text)
    else:
        assert "sudo make compute" in text
