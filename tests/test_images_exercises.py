"""Lesson 1's exercises against the pocket cloud: for each, the solution (run as the lesson
shows it: plain SDK, or the `openstack` command) makes check() pass, doing nothing does not,
and one typical mistake does not, with a message that names the mistake."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from labkit import formats, marks
from labkit.exercises.images import MysteryFormat, ProtectWithTheCLI, UploadWithTheSDK

pytestmark = pytest.mark.cloud
NAMES = (marks.name("ex-upload"), marks.name("ex-mystery"))


def remove_exercise_images(conn):
    """Every image under an exercise's name, marked or not (a mistake may lack the marks)."""
    for name in NAMES:
        for image in conn.image.images(name=name):
            if image.is_protected:
                conn.image.update_image(image.id, is_protected=False)
            conn.image.delete_image(image.id, ignore_missing=True)


@pytest.fixture(autouse=True)
def clean(learner):
    remove_exercise_images(learner)
    yield
    remove_exercise_images(learner)


@pytest.fixture
def samples(tmp_path):
    return {"qcow2": formats.write_qcow2(tmp_path / "sample.qcow2", size=16 * formats.MiB)}


def run_cli(line, **names):
    """Run a `!openstack ...` line as a notebook does ({name} filled in from names), as the
    learner: labkit.connect() (the learner fixture) exported OS_CLOUD and
    OS_CLIENT_CONFIG_FILE; the CLI is the one beside this Python."""
    line = re.sub(r"\{([^}]+)\}", lambda m: str(eval(m.group(1), dict(names))), line)  # as IPython
    command = shlex.split(line.lstrip("!"))
    command[0] = str(Path(sys.executable).parent / command[0])
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def sdk_upload(conn, path, **changes):
    fields = dict(disk_format="qcow2", container_format="bare", tags=[marks.TAG],
                  os_distro="cirros", labkit_lesson="01", wait=True)
    fields.update(changes)
    fields = {key: value for key, value in fields.items() if value is not None}
    return conn.image.create_image(marks.name("ex-upload"), filename=str(path), **fields)


# --- exercise 1: openstacksdk ------------------------------------------------------------
def test_sdk_exercise_solution_passes(learner, samples):
    exec(UploadWithTheSDK.solution, {"conn": learner, "samples": samples})
    outcome = UploadWithTheSDK(learner).check()
    assert outcome.passed, outcome


def test_sdk_exercise_nothing_done_is_not_attempted(learner):
    outcome = UploadWithTheSDK(learner).check()
    assert not outcome.passed and outcome.kind == "Not attempted"


def test_sdk_exercise_without_the_marks_is_not_passed(learner, samples):
    sdk_upload(learner, samples["qcow2"], tags=[], labkit_lesson=None)
    outcome = UploadWithTheSDK(learner).check()
    assert not outcome.passed and "clean-up would not find it" in outcome.message


def test_sdk_exercise_wrong_property_is_not_passed(learner, samples):
    sdk_upload(learner, samples["qcow2"], os_distro="ubuntu")
    outcome = UploadWithTheSDK(learner).check()
    assert not outcome.passed and "os_distro is 'ubuntu'" in outcome.message


# --- exercise 2: the openstack CLI --------------------------------------------------------
def test_cli_exercise_solution_passes(learner, samples):
    sdk_upload(learner, samples["qcow2"])
    run_cli(ProtectWithTheCLI.solution)
    outcome = ProtectWithTheCLI(learner).check()
    assert outcome.passed, outcome


def test_cli_exercise_nothing_done_is_not_passed(learner, samples):
    assert ProtectWithTheCLI(learner).check().kind == "Not attempted"  # no image at all
    sdk_upload(learner, samples["qcow2"])
    outcome = ProtectWithTheCLI(learner).check()  # the image, unchanged
    assert not outcome.passed and "not protected" in outcome.message


def test_cli_exercise_protected_without_minimums_is_not_passed(learner, samples):
    sdk_upload(learner, samples["qcow2"])
    run_cli("!openstack image set --protected day3-ex-upload")
    outcome = ProtectWithTheCLI(learner).check()
    assert not outcome.passed and "min_disk is 0" in outcome.message


# --- exercise 3: the mystery file, any way ------------------------------------------------
def test_mystery_solution_passes(learner, samples):
    mystery = samples["qcow2"].with_name("mystery")
    mystery.write_bytes(samples["qcow2"].read_bytes())
    exercise = MysteryFormat(learner, mystery)
    run_cli(MysteryFormat.solution, mystery=mystery, formats=formats)
    outcome = exercise.check()
    assert outcome.passed, outcome


def test_mystery_nothing_done_is_not_attempted(learner, samples):
    outcome = MysteryFormat(learner, samples["qcow2"]).check()
    assert not outcome.passed and outcome.kind == "Not attempted"


def test_mystery_declared_raw_is_accepted_by_glance_but_not_passed(learner, samples):
    mystery = samples["qcow2"]
    run_cli("!openstack image create --file {mystery} --disk-format raw --container-format bare "
            "--tag labkit --property labkit_lesson=01 day3-ex-mystery", mystery=mystery)
    image = next(iter(learner.image.images(name="day3-ex-mystery")))
    assert image.status == "active"  # Glance cannot check raw: it took the qcow2 bytes
    outcome = MysteryFormat(learner, mystery).check()
    assert not outcome.passed and "cannot check `raw`" in outcome.message
