"""Lesson 4's exercises: the solution the notebook shows passes, doing nothing does not, and
the likely mistake does not. A crashing check fails here (the outcome's kind is asserted)."""

from pathlib import Path

import pytest

import solutions
from labkit import containers
from labkit.exercises import containers as exercises

pytestmark = pytest.mark.cloud
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04-working-with-containers.ipynb"
NAMES = (exercises.EXERCISE_CONTAINER, exercises.PUBLIC_CONTAINER, exercises.DROPBOX_CONTAINER)


@pytest.fixture
def clean(learner):
    for name in NAMES:
        containers.delete_container(learner, name, force=True)
    yield
    for name in NAMES:
        containers.delete_container(learner, name, force=True)


def solve(exercise, conn, **namespace):
    solutions.solve(exercise, {"conn": conn, **namespace})


def test_the_notebook_shows_these_solutions():
    assert solutions.missing_from_notebook(NOTEBOOK, (exercises.UploadNote, exercises.PublicWithoutListing, exercises.PartnerDropbox)) == []


def test_upload_note(learner, clean):
    ex = exercises.UploadNote(learner)
    assert ex.check().kind == "Not attempted"
    solve(ex, learner)


def test_upload_note_mistakes(learner, clean):
    ex = exercises.UploadNote(learner)
    # the likely mistake: the mark with an underscore, which never reaches Swift
    learner.object_store.create_container(name=exercises.EXERCISE_CONTAINER)
    learner.object_store.set_container_metadata(exercises.EXERCISE_CONTAINER,
                                                labkit_lesson="04")
    outcome = ex.check()
    assert outcome.kind == "Not yet" and "lacks the lesson mark" in outcome.message
    name = containers.create_container(learner, "exercise")
    containers.upload_bytes(learner, name, "notes/hello.txt", b"hello", content_type="text/plain")
    assert "not b'hello swift'" in ex.check().message
    containers.upload_bytes(learner, name, "notes/hello.txt", b"hello swift",
                            content_type="application/json")
    outcome = ex.check()
    assert outcome.kind == "Not yet" and "not text/plain" in outcome.message


def test_public_without_listing(learner, clean, tmp_path):
    ex = exercises.PublicWithoutListing(learner)
    assert ex.check().kind == "Not attempted"
    solve(ex, learner, work=tmp_path, swift_auth=containers.SwiftAuth(learner))


def test_public_without_listing_mistakes(learner, clean):
    ex = exercises.PublicWithoutListing(learner)
    name = containers.create_container(learner, "exercise-public")
    assert "is empty" in ex.check().message
    containers.upload_bytes(learner, name, "index.txt", b"public")
    assert "does not let everyone read" in ex.check().message
    containers.set_acl(learner, name, read=".r:*,.rlistings")  # the likely mistake
    outcome = ex.check()
    assert outcome.kind == "Not yet" and "drop '.rlistings'" in outcome.message


def test_partner_dropbox(learner, partner, clean):
    ex = exercises.PartnerDropbox(learner, partner.current_project_id)
    assert ex.check().kind == "Not attempted"
    solve(ex, learner, partner_project=partner.current_project_id)


def test_partner_dropbox_mistakes(learner, partner, clean):
    ex = exercises.PartnerDropbox(learner, partner.current_project_id)
    name = containers.create_container(learner, "exercise-dropbox")
    assert "should name the partner project" in ex.check().message
    acl = containers.project_acl(partner.current_project_id)
    containers.set_acl(learner, name, read=acl, write=acl)  # the likely mistake: read too
    outcome = ex.check()
    assert outcome.kind == "Not yet" and "lets others read" in outcome.message


def test_swift_auth_hides_its_token(learner):
    auth = containers.SwiftAuth(learner)
    assert learner.auth_token not in repr(auth) and learner.auth_token in str(auth)
