"""Lesson 3 as `labkit verify` ran it in the long tests, on a machine without qemu-img: its
unsafe-image demos need qemu-img to make their files, so those cells say so, and every cell
still runs; its servers boot the tiny image built before, and part 3 ("Enforced") showed each
refusal and each success from a real client. nbval ran it earlier, with qemu-img (see
lesson_runs.py)."""

import pytest
from lesson_runs import shown

pytestmark = [pytest.mark.cloud, pytest.mark.long]  # a lesson's second run: lesson_runs.py


def test_runs_without_qemu_img(verified_course):
    text = shown(verified_course, "03-tightening-your-security")
    assert "qemu-img" in text  # the skipped demos say why
    assert_enforced_part_ran(text)


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
