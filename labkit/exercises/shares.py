"""Lesson 2's exercises: each check() looks at the cloud and says what is right or missing.

The hints and solutions use the `openstack` CLI or plain openstacksdk, not labkit's helpers:
the checks look only at the cloud, so any way of doing it passes. What the checks need from
a learner working without the helpers: the `day3-` name prefix and the metadata
labkit_lesson=02 on every share (so that cleanup finds it).
"""

from .. import marks, shares
from .base import Correct, Exercise, Incorrect, NotAttempted, Uncheckable

EXERCISE_SHARE = "day3-exercise"
EXERCISE_SNAPSHOT = "day3-exercise-snap"
EXERCISE_COPY = "day3-exercise-copy"
LAB_NETWORK = "192.168.10.0/24"


def _share_or_none(conn, name):
    try:
        return shares.get_share(conn, name)
    except shares.NotFound:
        return None


class _ManilaExercise(Exercise):
    def check(self):
        if not shares.available(self.conn):
            outcome = Uncheckable("This cloud has no working Manila, so there is nothing to "
                                  "look at.")
            outcome.show()
            self.last = outcome
            return outcome
        return super().check()


def _unmarked(share):
    return not marks.is_marked(share.name, share.metadata, shares.LESSON)


class ReadOnlyShare(_ManilaExercise):
    """A 2 GiB NFS share day3-exercise (marked) that the lab network may mount read-only.
    Hints and solution: the `openstack` CLI."""

    hints = ["`openstack share create PROTOCOL SIZE --name NAME --property KEY=VALUE --wait` "
             "creates a share and waits until it is available; the mark is the property "
             "labkit_lesson=02.",
             f"Then one access rule of type ip for the whole network {LAB_NETWORK}: "
             "`openstack share access create SHARE ip CIDR --access-level ...`",
             "!openstack share create NFS 2 --name day3-exercise --property labkit_lesson=02 "
             f"--wait\n!openstack share access create day3-exercise ip {LAB_NETWORK} "
             "--access-level ro --wait"]
    solution = ("!openstack share create NFS 2 --name day3-exercise --property labkit_lesson=02 "
                "--wait -f value -c status\n"
                f"!openstack share access create day3-exercise ip {LAB_NETWORK} "
                "--access-level ro --wait -f value -c state")

    def evaluate(self, conn):
        share = _share_or_none(conn, EXERCISE_SHARE)
        if share is None:
            return NotAttempted(f"There is no share {EXERCISE_SHARE} yet.")
        if _unmarked(share):
            return Incorrect(f"{EXERCISE_SHARE} lacks the metadata {marks.KEY}="
                             f"{shares.LESSON} (cleanup looks for it): add it with "
                             f"`openstack share set {EXERCISE_SHARE} --property "
                             f"{marks.KEY}={shares.LESSON}`.")
        if share.share_protocol.upper() != "NFS":
            return Incorrect(f"It is a {share.share_protocol} share; the lab mounts NFS.")
        if share.size != 2:
            return Incorrect(f"It is {share.size} GiB; the task asks for 2 GiB.")
        if share.status != "available":
            return Incorrect(f"Its status is {share.status}; wait until it is available.")
        rules = shares.access_rules(conn, share)
        lab = [r for r in rules if r.access_to == LAB_NETWORK]
        if not lab:
            return Incorrect(f"No access rule for {LAB_NETWORK} yet (rules: "
                             f"{[r.access_to for r in rules]}).")
        if lab[0].access_level != "ro":
            return Incorrect(f"{LAB_NETWORK} may write ({lab[0].access_level}): delete that "
                             f"rule and create it again with --access-level ro.")
        if lab[0].state != "active":
            return Incorrect(f"The rule is {lab[0].state}; it is not applied yet.")
        return Correct(f"{EXERCISE_SHARE} is 2 GiB of NFS, and {LAB_NETWORK} may read it.")


class CopyFromSnapshot(_ManilaExercise):
    """Snapshot day3-exercise as day3-exercise-snap, and create day3-exercise-copy (marked)
    from it. Hints and solution: plain openstacksdk."""

    hints = ["sfs = conn.shared_file_system; find the share with "
             "next(sfs.shares(name='day3-exercise')).",
             "sfs.create_share_snapshot(share_id=..., name=...), then "
             "sfs.wait_for_status(snap, status='available', failures=['error']).",
             "sfs.create_share(name=..., size=share.size, share_proto='NFS', "
             "snapshot_id=snap.id, metadata={'labkit_lesson': '02'}), and wait for it too."]
    solution = (
        "sfs = conn.shared_file_system\n"
        "share = next(sfs.shares(name='day3-exercise'))\n"
        "snap = sfs.create_share_snapshot(share_id=share.id, name='day3-exercise-snap')\n"
        "snap = sfs.wait_for_status(snap, status='available', failures=['error'],\n"
        "                           interval=1, wait=120)\n"
        "copy = sfs.create_share(name='day3-exercise-copy', size=share.size, share_proto='NFS',\n"
        "                        snapshot_id=snap.id, metadata={'labkit_lesson': '02'})\n"
        "copy = sfs.wait_for_status(copy, status='available', failures=['error'],\n"
        "                           interval=1, wait=120)")

    def evaluate(self, conn):
        share = _share_or_none(conn, EXERCISE_SHARE)
        if share is None:
            return NotAttempted(f"Do the first exercise first: no {EXERCISE_SHARE} yet.")
        sfs = shares.manila(conn)
        snaps = [s for s in sfs.share_snapshots(share_id=share.id)
                 if s.name == EXERCISE_SNAPSHOT]
        if not snaps:
            return NotAttempted(f"{EXERCISE_SHARE} has no snapshot {EXERCISE_SNAPSHOT} yet.")
        copy = _share_or_none(conn, EXERCISE_COPY)
        if copy is None:
            return Incorrect(f"The snapshot is there; now create {EXERCISE_COPY} from it.")
        if copy.snapshot_id != snaps[0].id:
            return Incorrect(f"{EXERCISE_COPY} was not made from {EXERCISE_SNAPSHOT} (its "
                             f"snapshot_id is {copy.snapshot_id}): pass snapshot_id=...")
        if _unmarked(copy):
            return Incorrect(f"{EXERCISE_COPY} lacks the metadata {marks.KEY}="
                             f"{shares.LESSON}, so cleanup would not find it: pass "
                             f"metadata={{'{marks.KEY}': '{shares.LESSON}'}}.")
        if copy.status != "available":
            return Incorrect(f"{EXERCISE_COPY} is {copy.status}; wait until it is available.")
        return Correct(f"{EXERCISE_COPY} is a copy of {EXERCISE_SHARE} from its snapshot.")


class GrowAndLabel(_ManilaExercise):
    """Extend day3-exercise to 4 GiB and give it the metadata purpose=exercise.
    Hints and solution: the `openstack` CLI for the resize, the SDK for the metadata."""

    hints = ["`openstack share resize SHARE NEW_SIZE --wait` extends (or shrinks).",
             "Metadata with the SDK: conn.shared_file_system.create_share_metadata(share_id, "
             "KEY=VALUE). (`openstack share set --property` sets it too, but python-manilaclient "
             "6.3 then always tries an admin-only task-state reset and exits with an error for a "
             "member: manilaclient/osc/v2/share.py, SetShare.take_action.)",
             "!openstack share resize day3-exercise 4 --wait\n"
             "share = next(conn.shared_file_system.shares(name='day3-exercise'))\n"
             "conn.shared_file_system.create_share_metadata(share.id, purpose='exercise')"]
    solution = ("!openstack share resize day3-exercise 4 --wait\n"
                "share = next(conn.shared_file_system.shares(name='day3-exercise'))\n"
                "conn.shared_file_system.create_share_metadata(share.id, purpose='exercise')")

    def evaluate(self, conn):
        share = _share_or_none(conn, EXERCISE_SHARE)
        if share is None:
            return NotAttempted(f"Do the first exercise first: no {EXERCISE_SHARE} yet.")
        purpose = (share.metadata or {}).get("purpose")
        if share.size == 2 and purpose is None:
            return NotAttempted(f"{EXERCISE_SHARE} is still 2 GiB and has no purpose yet.")
        if share.size != 4:
            return Incorrect(f"{EXERCISE_SHARE} is {share.size} GiB ({share.status}); the "
                             f"task asks for 4 GiB.")
        if purpose != "exercise":
            return Incorrect(f"Its metadata purpose is {purpose!r}, not 'exercise'.")
        return Correct(f"{EXERCISE_SHARE} is 4 GiB and says what it is for.")
