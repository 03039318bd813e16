"""The exercise base class: a crashing check is visible to tests, and raises when strict."""

import pytest

from labkit.exercises import base as exercises


class Crashes(exercises.Exercise):
    def evaluate(self, conn):
        return conn.no_such_attribute


class Passes(exercises.Exercise):
    def evaluate(self, conn):
        return exercises.Correct("fine")


def test_a_crash_is_cannot_check_for_the_learner_and_kept_for_tests(monkeypatch):
    monkeypatch.delenv("LABKIT_STRICT_CHECKS", raising=False)
    outcome = Crashes(object()).check()
    assert outcome.kind == "Cannot check" and not outcome.passed
    assert isinstance(outcome, exercises.CheckCrashed)
    assert isinstance(outcome.error, AttributeError)


def test_a_crash_raises_when_strict(monkeypatch):
    monkeypatch.setenv("LABKIT_STRICT_CHECKS", "1")
    with pytest.raises(AttributeError):
        Crashes(object()).check()


def test_check_keeps_its_last_outcome():
    ex = Passes(object())
    assert ex.last is None
    outcome = ex.check()
    assert ex.last is outcome and outcome.passed
