"""Lesson 2 as `labkit verify` ran it in the long tests (its second run; nbval ran it first,
see lesson_runs.py): part 6 showed, from real NFS clients, each allowed and each refused
attempt. Two servers mounted one share with the kernel's client (alice-vm wrote, bob-vm read,
bob-vm's write refused by his ro rule); the namespace clients showed a stranger kept out, a
denied rule taking effect, a copy from a snapshot and a shrink the back end refused."""

import re
import pytest
from lesson_runs import shown

import tiers
from labkit.cloud import PocketCloud, system

pytestmark = [pytest.mark.cloud, pytest.mark.long]  # a lesson's second run: lesson_runs.py


def test_two_servers_mount_one_share_and_the_file_server_enforces_the_rules(verified_course):
    text = shown(verified_course, "02-network-shared-folders")
    services = PocketCloud(say=lambda *_: None).layout.services
    tiers.require("file server", system.why_no_file_server())
    tiers.require("networking", system.why_networking_not_available(services))
    steps = {
        "alice-vm mounted and wrote": "alice-vm# mount -t nfs4" in text
        and "alice-vm# echo 'Monday: kick-off at 9' > /mnt/share/plan.txt" in text,
        "bob-vm read alice-vm's file": "bob-vm# cat /mnt/share/plan.txt\nMonday: kick-off at 9"
        in text,
        "bob-vm's write refused by his kernel": "can't create /mnt/share/bob.txt: Read-only "
        "file system" in text,
        "a client's ro write refused by the server": "refused: NFS4ERR_ROFS" in text,
        "eve, and alice once denied, kept out": text.count("refused: NFS4ERR_NOENT") >= 2,
        "the snapshot's copy holds its files, not the later one": snapshot_copy_listing(text)
        in (["notes.txt", "plan.txt"], ["plan.txt", "notes.txt"]),
        "a shrink below the data refused": "ShrinkRefused: day3-team was not shrunk" in text
        and "size now: 2 GiB" in text,
    }
    assert all(steps.values()), [step for step, seen in steps.items() if not seen]


def snapshot_copy_listing(text):
    """The file names bob's nfs-ls of the copy made from the snapshot showed (his only one)."""
    listing = re.search(r"bob@[\d.]+\$ nfs-ls \S+\n((?:-[^\n]*\n?)+)", text)
    return [line.split()[-1] for line in listing.group(1).splitlines()] if listing else None
