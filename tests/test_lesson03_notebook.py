"""Lesson 3 on a machine without qemu-img: its unsafe-image demos need qemu-img to make
their files, so without it those cells say so, and every cell still runs; its servers boot
the tiny image built before (built once, reused). nbval runs it again later, with qemu-img."""

import shutil
from pathlib import Path

import nbformat
import papermill
import pytest

from labkit import image_build

pytestmark = [pytest.mark.cloud, pytest.mark.long]  # a lesson's second run: lesson_runs.py
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03-tightening-your-security.ipynb"


def test_runs_without_qemu_img(pocket, executed_lessons, path_without_qemu_img, monkeypatch):
    assert shutil.which("qemu-img", path=path_without_qemu_img) is None
    if pocket.compute_status() == "available":  # built where qemu-img is (image_build.tiny)
        image_build.tiny(say=lambda *_: None)
    monkeypatch.setenv("PATH", path_without_qemu_img)  # the kernel inherits it
    output = executed_lessons / NOTEBOOK.name  # kept for the secret scan
    papermill.execute_notebook(str(NOTEBOOK), str(output), cwd=str(NOTEBOOK.parent),
                               kernel_name="python3", progress_bar=False,
                               execution_timeout=600)
    executed = nbformat.read(output, as_version=4)
    errors = [out for cell in executed.cells for out in cell.get("outputs", [])
              if out.get("output_type") == "error"]
    assert errors == []
    shown = "".join(str(out.get("text", "")) + str(out.get("data", {}))
                    for cell in executed.cells for out in cell.get("outputs", []))
    assert "qemu-img" in shown  # the skipped demos say why
