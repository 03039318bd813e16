"""Lesson 3 on a machine without qemu-img: its unsafe-image demos need qemu-img to make
their files, so without it those cells say so, and every cell still runs."""

import shutil
from pathlib import Path

import nbformat
import papermill
import pytest

from labkit import image_build

pytestmark = pytest.mark.cloud
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03-tightening-your-security.ipynb"


def test_runs_without_qemu_img(pocket, executed_lessons, path_without_qemu_img, monkeypatch):
    assert shutil.which("qemu-img", path=path_without_qemu_img) is None
    monkeypatch.setenv("PATH", path_without_qemu_img)  # the kernel inherits it
    output = executed_lessons / NOTEBOOK.name  # kept for the secret scan
    # the tiny image that part 2 boots: without qemu-img the lesson cannot build it and uses
    # one built before, where `labkit image build tiny` leaves it
    image_build.find_image("tiny") or image_build.build_tiny(image_build.default_folder(),
                                                             say=lambda *_: None)
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
    assert_enforced_part_ran(shown)


def assert_enforced_part_ran(text):
    """Part 3 ("Enforced") showed each refusal and each success from a real client: ping and
    SSH from the outside namespace, the remote-group ping from the bastion. Without the
    networking tier it said that it skips (in CI, a missing tier is a failure)."""
    import os
    import re

    import tiers
    from labkit.cloud import PocketCloud, system

    why = system.why_networking_not_available(PocketCloud(say=lambda *_: None).layout.services)
    if why and os.environ.get("CI", "").lower() != "true":
        assert "packets that the rules can refuse" in text and "It skips." in text
        return
    tiers.require("networking", why)
    shown = {  # what each step printed: the client's command, then its own words
        "pings and ssh from outside": text.count("outside$ ping ") >= 4
        and text.count("outside$ ssh ") >= 7,
        "ping refused: no rule, rule gone, no member": text.count(
            "2 packets transmitted, 0 received") >= 3,
        "ping allowed from the office": re.search(r"2 packets transmitted, [12] received", text),
        "ssh timed out: no rule, other CIDR, rule gone": text.count(
            "port 22: Connection timed out") >= 3,
        "logged in with the key pair": "\nday3-keyed.novalocal" in text,
        "a stranger's key refused": "Permission denied (publickey)" in text,
        "bastion, no member: no answer": "2 packets transmitted, 0 packets received" in text,
        "bastion, a member: answers": re.search(r"2 packets transmitted, [12] packets received",
                                                text),
        "the bastion's port holds both groups": "day3-admins, day3-jump" in text,
    }
    assert all(shown.values()), [step for step, seen in shown.items() if not seen]
