"""Fixtures for the pocket-cloud tests: one cloud per session, one connection per identity.

The cloud is the one the top-level conftest.py points at (LABKIT_STATE, LABKIT_PORT_OFFSET);
that conftest also stops it when the session ends.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

import labkit
from labkit import image_build, marks
from labkit.cloud import PocketCloud, system
import tiers


def pytest_configure(config):
    # openstacksdk warns about its own future API changes from inside its own calls; those
    # say nothing about labkit and would bury the test report.
    config.addinivalue_line("filterwarnings",
                            "ignore::openstack.warnings.OpenStackDeprecationWarning")
    config.addinivalue_line("filterwarnings",
                            "ignore::openstack.warnings._RemovedInSDKWarning")


def quiet(*_):
    """A `say` for PocketCloud that keeps the test output free of progress lines."""


def to_terminal(config):
    """A `say` that reaches the terminal past pytest's output capture: the first `make test`
    installs the services (minutes), and a newcomer should see that something is happening.
    A parallel run's worker reports to its controller, not to the terminal: it writes to its
    stderr, which is the run's once capture lets go of it."""
    capture = config.pluginmanager.getplugin("capturemanager")
    reporter = config.pluginmanager.getplugin("terminalreporter")
    worker = getattr(config, "workerinput", {}).get("workerid")

    def say(line):
        with capture.global_and_fixture_disabled():
            if worker:
                print(f"[{worker}] {line}", file=sys.stderr, flush=True)
            else:
                reporter.write_line(line)
    return say


@pytest.fixture(scope="session")
def pocket(pytestconfig):
    """The session's pocket cloud, started once (a no-op when it is already up). The one-off
    install is shown on the terminal; the routine start stays quiet."""
    PocketCloud(say=to_terminal(pytestconfig)).install()
    cloud = PocketCloud(say=quiet)
    cloud.up(timeout=180)
    yield cloud


def _connection(role):
    conn = labkit.connect(role=role)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def compute(pocket):
    """The session's cloud, where it can boot servers. A machine without compute skips,
    saying why; in CI (CI=true) that is a failure instead, so every boot is tested there."""
    tiers.require("compute", system.why_not_available(pocket.layout.services))
    return pocket


@pytest.fixture(scope="session")
def tiny():
    """The tiny image where lessons look for it: built by the first session that needs it
    (`labkit image build tiny`), reused while its recipe is the same (image_build.tiny)."""
    if system.missing():
        tiers.require("compute", system.why_not_available())
    return image_build.tiny(say=lambda *_: None)


@pytest.fixture
def learner(pocket):
    """The learner (member of project `lesson`), as an openstacksdk Connection."""
    yield from _connection("learner")


@pytest.fixture
def admin(pocket):
    """The cloud administrator."""
    yield from _connection("admin")


@pytest.fixture
def partner(pocket):
    """A member of the second project, `partner`."""
    yield from _connection("partner")


@pytest.fixture
def day3_name():
    """A fresh marked name (day3-test-xxxxxxxx), so a left-over from a failed run never clashes."""
    return marks.name(f"test-{uuid.uuid4().hex[:8]}")


NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.fixture(scope="session")
def verified_course(pocket, path_without_qemu_img, tmp_path_factory):
    """`labkit verify` as an instructor runs it (the CLI), over every lesson: the lessons'
    second run (lesson_runs.py), on a machine without qemu-img; their servers boot the tiny
    image built before (image_build.tiny). Its output folder (executed notebooks, junit.xml,
    report.html) and the result: the lessons' tests, the report's and the secret scan read it."""
    if pocket.compute_status() == "available":
        image_build.tiny(say=lambda *_: None)  # built where qemu-img is, reused by the lessons
    output = tmp_path_factory.mktemp("verify")
    lessons = sorted(p.name[:2] for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    result = subprocess.run([sys.executable, "-m", "labkit", "verify", "--output", str(output),
                             "--lessons", *lessons],
                            capture_output=True, text=True, timeout=3600,
                            env={**os.environ, "PATH": path_without_qemu_img},
                            cwd=Path(__file__).resolve().parents[1])
    return SimpleNamespace(output=output, result=result, lessons=lessons)


@pytest.fixture(scope="session")
def path_without_qemu_img(tmp_path_factory):
    """A PATH with every program of the current one except qemu-img (a machine without it)."""
    folder = tmp_path_factory.mktemp("bin-without-qemu-img")
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for entry in os.scandir(directory):
            target = folder / entry.name
            if entry.name.startswith("qemu-img") or target.exists():
                continue
            target.symlink_to(entry.path)
    return str(folder)
