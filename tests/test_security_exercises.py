"""Lesson 3's exercises: the solution the notebook shows passes, doing nothing does not, and
the likely mistake does not. A crashing check fails here (the outcome's kind is asserted)."""

import datetime
from pathlib import Path

import pytest

import solutions
from labkit import security
from labkit.exercises import security as exercises

pytestmark = pytest.mark.cloud
NOTEBOOK = (Path(__file__).resolve().parents[1] / "notebooks"
            / "03-tightening-your-security.ipynb")


@pytest.fixture(autouse=True)
def lesson_home(tmp_path, monkeypatch):
    monkeypatch.setenv("LABKIT_DAY3_HOME", str(tmp_path / "day3"))
    return tmp_path / "day3"


def _remove(conn):
    for group in conn.network.security_groups(name=exercises.WebGroup.name,
                                              project_id=conn.current_project_id):
        conn.network.delete_security_group(group)
    security.delete_keypair(conn, exercises.ImportKey.name)
    security.revoke_app_credential(conn, exercises.ReadOnlyCredential.name)


@pytest.fixture
def clean(learner):
    _remove(learner)
    yield
    _remove(learner)


def solve(exercise, conn):
    solutions.solve(exercise, {"conn": conn, "security": security, "datetime": datetime})


def test_the_notebook_shows_these_solutions():
    assert solutions.missing_from_notebook(NOTEBOOK, (exercises.WebGroup, exercises.ImportKey, exercises.ReadOnlyCredential, exercises.SshFromOffice)) == []


def test_web_group(learner, clean):
    ex = exercises.WebGroup(learner)
    assert ex.check().kind == "Not attempted"
    solve(ex, learner)


def test_web_group_mistakes(learner, clean):
    ex = exercises.WebGroup(learner)
    group = security.create_security_group(learner, exercises.WebGroup.name)
    security.add_rule(learner, group, "tcp", 443, "0.0.0.0/0")
    outcome = ex.check()
    assert outcome.kind == "Not yet" and "port 22" in outcome.message
    security.add_rule(learner, group, "tcp", 22, "198.51.100.0/24")
    security.add_rule(learner, group, "tcp", 22, "0.0.0.0/0")  # SSH from anywhere too
    outcome = ex.check()
    assert outcome.kind == "Not yet" and "too many" in outcome.message
    learner.network.create_security_group(name=exercises.WebGroup.name)  # the same name again
    outcome = ex.check()
    assert outcome.kind == "Not yet" and "same name twice" in outcome.message


def test_import_key(learner, clean):
    ex = exercises.ImportKey(learner)
    assert ex.check().kind == "Not attempted"
    solve(ex, learner)


def test_import_key_mistakes(learner, clean, tmp_path):
    ex = exercises.ImportKey(learner)
    other = security.generate_key("day3-other-key", folder=tmp_path)
    security.generate_key(exercises.ImportKey.name)  # the files are here, but...
    learner.compute.create_keypair(name=exercises.ImportKey.name,  # ...another key uploaded
                                   public_key=other.public.read_text())
    outcome = ex.check()
    assert outcome.kind == "Not yet" and "is not the one in" in outcome.message


def test_read_only_credential(learner, clean):
    ex = exercises.ReadOnlyCredential(learner)
    assert ex.check().kind == "Not attempted"
    solve(ex, learner)


def test_read_only_credential_mistakes(learner, clean):
    ex = exercises.ReadOnlyCredential(learner)
    security.create_app_credential(learner, exercises.ReadOnlyCredential.name,
                                   roles=["member"], expires_in=datetime.timedelta(hours=12))
    outcome = ex.check()
    assert outcome.kind == "Not yet" and "give it only 'reader'" in outcome.message
    security.revoke_app_credential(learner, exercises.ReadOnlyCredential.name)
    security.create_app_credential(learner, exercises.ReadOnlyCredential.name,
                                   roles=["reader"], expires_in=datetime.timedelta(days=3))
    outcome = ex.check()
    assert outcome.kind == "Not yet" and "more than a day" in outcome.message
