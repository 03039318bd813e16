"""Lesson 3 as `labkit verify` ran it in the long tests, on a machine without qemu-img: its
unsafe-image demos need qemu-img to make their files, so those cells say so, and every cell
still runs; its servers boot the tiny image built before. nbval ran it earlier, with qemu-img
(see lesson_runs.py)."""

from pathlib import Path

import pytest
from lesson_runs import errors, executed, outputs_text

pytestmark = [pytest.mark.cloud, pytest.mark.long]  # a lesson's second run: lesson_runs.py
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03-tightening-your-security.ipynb"


def test_runs_without_qemu_img(verified_course):
    notebook = executed(verified_course, NOTEBOOK)
    assert errors(notebook) == []
    assert "qemu-img" in outputs_text(notebook)  # the skipped demos say why
