"""Lesson 00's exercise against the pocket cloud: the solution passes its check, no answer
and the typical mistakes (the project's ID, another project's name) do not."""

import pytest

from labkit.exercises.start import WhichProject

pytestmark = pytest.mark.cloud


def outcome_for(conn, answer):
    exercise = WhichProject(conn)
    if answer is not ...:
        exercise.answer = answer
    return exercise.check()


def test_the_solution_passes(learner):
    exercise = WhichProject(learner)
    exec(WhichProject.solution, {"ex": exercise, "conn": learner})
    assert exercise.check().passed


def test_no_answer_is_not_attempted(learner):
    outcome = outcome_for(learner, ...)
    assert not outcome.passed and outcome.kind == "Not attempted"


def test_the_project_id_is_not_the_name(learner):
    project_id = learner.session.auth.get_access(learner.session).project_id
    outcome = outcome_for(learner, project_id)
    assert not outcome.passed and "ID" in outcome.message


def test_another_projects_name_is_not_passed(learner, partner):
    other = partner.session.auth.get_access(partner.session).project_name
    outcome = outcome_for(learner, other)
    assert not outcome.passed and other in outcome.message
