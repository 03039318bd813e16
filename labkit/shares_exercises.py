"""Lesson 2's exercises: each check() looks at the cloud and says what is right or missing."""

from . import marks, shares, show
from .exercises import Correct, Exercise, Incorrect, NotAttempted, Uncheckable

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
            show.note(str(outcome), "skip")
            return outcome
        return super().check()


class ReadOnlyShare(_ManilaExercise):
    """A 2 GiB NFS share day3-exercise (marked) that the lab network may mount read-only."""

    hints = ["shares.create_share(conn, 'exercise', size=2) makes a marked day3-exercise.",
             f"Then one access rule for the whole network {LAB_NETWORK}.",
             f"shares.allow_access(conn, share, '{LAB_NETWORK}', access_level='ro')"]
    solution = ("share = shares.create_share(conn, 'exercise', size=2)\n"
                f"shares.allow_access(conn, share, '{LAB_NETWORK}', access_level='ro')")

    def evaluate(self, conn):
        share = _share_or_none(conn, EXERCISE_SHARE)
        if share is None:
            return NotAttempted(f"There is no share {EXERCISE_SHARE} yet.")
        if not marks.is_marked(share.name, share.metadata, shares.LESSON):
            return Incorrect(f"{EXERCISE_SHARE} lacks the metadata {marks.KEY}="
                             f"{shares.LESSON}: create it with shares.create_share.")
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
            return Incorrect(f"{LAB_NETWORK} may write ({lab[0].access_level}): deny that rule "
                             f"and allow it again with access_level='ro'.")
        if lab[0].state != "active":
            return Incorrect(f"The rule is {lab[0].state}; it is not applied yet.")
        return Correct(f"{EXERCISE_SHARE} is 2 GiB of NFS, and {LAB_NETWORK} may read it.")


class CopyFromSnapshot(_ManilaExercise):
    """Snapshot day3-exercise as day3-exercise-snap, and create day3-exercise-copy from it."""

    hints = ["shares.create_snapshot(conn, share, 'exercise-snap')",
             "create_share takes snapshot=...: the new share starts as a copy of it.",
             "A share from a snapshot must be at least as large as the snapshot's share."]
    solution = ("share = shares.get_share(conn, 'day3-exercise')\n"
                "snap = shares.create_snapshot(conn, share, 'exercise-snap')\n"
                "shares.create_share(conn, 'exercise-copy', size=share.size, snapshot=snap)")

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
                             f"snapshot_id is {copy.snapshot_id}): pass snapshot=...")
        if copy.status != "available":
            return Incorrect(f"{EXERCISE_COPY} is {copy.status}; wait until it is available.")
        return Correct(f"{EXERCISE_COPY} is a copy of {EXERCISE_SHARE} from its snapshot.")


class GrowAndLabel(_ManilaExercise):
    """Extend day3-exercise to 4 GiB and give it the metadata purpose=exercise."""

    hints = ["shares.resize_share(conn, share, new_size) extends (or shrinks).",
             "shares.set_metadata(conn, share, key=value) adds metadata.",
             "shares.resize_share(conn, share, 4); shares.set_metadata(conn, share, "
             "purpose='exercise')"]
    solution = ("share = shares.get_share(conn, 'day3-exercise')\n"
                "shares.resize_share(conn, share, 4)\n"
                "shares.set_metadata(conn, share, purpose='exercise')")

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
