"""Lesson 1 as `labkit verify` ran it in the long tests, on a machine without qemu-img:
every cell ran, the samples that need qemu-img say so, Glance's own answers are shown, and
the boot part booted the tiny image built before (built once, reused). nbval ran the lesson
earlier, with qemu-img (see lesson_runs.py)."""

import pytest
from lesson_runs import shown

pytestmark = [pytest.mark.cloud, pytest.mark.long]  # a lesson's second run: lesson_runs.py


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


def test_runs_without_qemu_img(verified_course, pocket):
    text = shown(verified_course, "01-working-with-images")
    assert "qemu-img: not installed" in text
    assert "No vmdk sample: needs qemu-img" in text
    assert "Correct: Uploaded as qcow2" in text and "Correct: Right: the bytes are" in text
    assert "Correct: Protected" in text
    assert "Traceback" not in text
    assert_glance_answers_are_shown(text)
    if pocket.compute_status() == "available":
        assert_the_boot_part_ran(text)
    else:
        assert "sudo make compute" in text
