"""Lesson 2's exercises: the solution the notebook shows passes, doing nothing does not, and
the likely mistake does not (each named by its message). A check that crashes fails here:
the tests assert the outcome's kind, and a crash is a CheckCrashed ("Cannot check")."""

from pathlib import Path

import pytest

import solutions
from labkit import cleanup, shares
from labkit.exercises import shares as exercises

pytestmark = pytest.mark.cloud
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "02-network-shared-folders.ipynb"


@pytest.fixture
def clean(learner):
    cleanup.cleanup(learner, lesson=shares.LESSON, quiet=True)
    yield
    cleanup.cleanup(learner, lesson=shares.LESSON, quiet=True)


def kind(exercise):
    return exercise.check().kind


def solve(exercise, conn):
    solutions.solve(exercise, {"conn": conn})


def test_the_notebook_shows_these_solutions():
    assert solutions.missing_from_notebook(NOTEBOOK, (exercises.ReadOnlyShare, exercises.CopyFromSnapshot, exercises.GrowAndLabel)) == []


def test_read_only_share(learner, clean):
    ex = exercises.ReadOnlyShare(learner)
    assert kind(ex) == "Not attempted"
    solve(ex, learner)


def test_read_only_share_mistakes(learner, clean):
    ex = exercises.ReadOnlyShare(learner)
    sfs = shares.manila(learner)
    unmarked = sfs.create_share(name=exercises.EXERCISE_SHARE, size=2, share_proto="NFS")
    sfs.wait_for_status(unmarked, "available", failures=["error"], interval=1, wait=120)
    outcome = ex.check()
    assert outcome.kind == "Not yet" and "lacks the metadata" in outcome.message
    shares.set_metadata(learner, unmarked, labkit_lesson=shares.LESSON)
    shares.allow_access(learner, unmarked, exercises.LAB_NETWORK, access_level="rw")
    outcome = ex.check()
    assert outcome.kind == "Not yet" and "may write" in outcome.message  # the likely mistake


def test_copy_from_snapshot(learner, clean):
    ex = exercises.CopyFromSnapshot(learner)
    assert kind(ex) == "Not attempted"
    solutions.run(exercises.ReadOnlyShare.solution, {"conn": learner})
    assert kind(ex) == "Not attempted"  # the share, but no snapshot yet
    solve(ex, learner)


def test_copy_from_snapshot_mistakes(learner, clean):
    ex = exercises.CopyFromSnapshot(learner)
    share = shares.create_share(learner, "exercise", size=2)
    shares.create_snapshot(learner, share, "exercise-snap")
    assert kind(ex) == "Not yet"  # a snapshot, no copy
    sfs = shares.manila(learner)
    plain = sfs.create_share(name=exercises.EXERCISE_COPY, size=2, share_proto="NFS",
                             metadata={"labkit_lesson": shares.LESSON})
    sfs.wait_for_status(plain, "available", failures=["error"], interval=1, wait=120)
    outcome = ex.check()  # the likely mistake: a new empty share, not one from the snapshot
    assert outcome.kind == "Not yet" and "was not made from" in outcome.message


def test_grow_and_label(learner, clean):
    ex = exercises.GrowAndLabel(learner)
    assert kind(ex) == "Not attempted"
    shares.create_share(learner, "exercise", size=2)
    assert kind(ex) == "Not attempted"
    solve(ex, learner)


def test_grow_and_label_mistakes(learner, clean):
    ex = exercises.GrowAndLabel(learner)
    share = shares.create_share(learner, "exercise", size=2)
    shares.set_metadata(learner, share, purpose="exercise")
    shares.resize_share(learner, share, 3)  # grew, but not enough
    outcome = ex.check()
    assert outcome.kind == "Not yet" and "3 GiB" in outcome.message
    shares.resize_share(learner, share, 4)
    shares.set_metadata(learner, share, purpose="Exercise")
    outcome = ex.check()
    assert outcome.kind == "Not yet" and "not 'exercise'" in outcome.message
