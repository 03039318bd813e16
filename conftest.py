"""Test-session settings for tests/ and notebooks/ (nbval).

The tests run their own pocket cloud (own state folder, ports shifted by 10000) and keep
lesson 3's files in their own folder, so that `make test` never touches the cloud or the files
a learner has with `make lab`. They always test the pocket cloud: a learner's OS_CLOUD is
ignored here (use `labkit verify` for other clouds).
"""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests"))  # the tests' helpers (secret_scan), for nbval's cells too
os.environ.setdefault("LABKIT_STATE", str(ROOT / ".labkit" / "test-state"))
os.environ.setdefault("LABKIT_PORT_OFFSET", "10000")
os.environ.setdefault("LABKIT_STRICT_CHECKS", "1")  # a crashing exercise check fails the test
# Lesson 3's files (keys, the application credentials' clouds.yaml) go to a folder of this
# checkout, not to ~/.labkit-day3: a learner's own files stay untouched, and two checkouts
# testing at once cannot delete each other's credentials between a write and a login.
os.environ.setdefault("LABKIT_DAY3_HOME", str(ROOT / ".labkit" / "test-day3-home"))
for variable in ("OS_CLOUD", "OS_CLIENT_CONFIG_FILE", "LABKIT_ADMIN_CLOUD",
                 "LABKIT_PARTNER_CLOUD"):
    os.environ.pop(variable, None)


def pytest_addoption(parser):
    parser.addoption("--long", action="store_true",
                     help="also run the tests marked `long` (image builds, cloud-init boots: "
                          "minutes each); `make test-long` runs only those")


def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's scope scheduling with tests/parallel_groups.py's groups as the scopes:
    a group runs whole on one worker, the biggest groups first."""
    from xdist.scheduler import LoadScopeScheduling

    from parallel_groups import group

    class SharedStateScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return group(nodeid.split("::", 1)[0].rsplit("/", 1)[-1])

    return SharedStateScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """Whatever needs the pocket cloud is marked `cloud`, so that `-m "not cloud"` is a fast
    lane that starts none: every notebook cell (nbval), and every test using the fixture.
    Tests marked `long` run only with --long (CI passes it): `make test` stays short.
    A parallel run leaves the tests marked `disruptive` for a serial run after it
    (`pytest -m disruptive`)."""
    for item in items:
        if item.path.suffix == ".ipynb" or "pocket" in getattr(item, "fixturenames", ()):
            item.add_marker("cloud")
    if not config.getoption("--long"):
        config.labkit_long_deselected = _deselect(config, items, "long")
    if _parallel(config):
        _deselect(config, items, "disruptive")


def _deselect(config, items, marker):
    chosen = [item for item in items if item.get_closest_marker(marker)]
    if chosen:
        config.hook.pytest_deselected(items=chosen)
        items[:] = [item for item in items if not item.get_closest_marker(marker)]
    return len(chosen)


def _parallel(config):
    """True in a pytest-xdist worker or its controller (-n N)."""
    return hasattr(config, "workerinput") or (config.getoption("numprocesses", None) or 0) > 0


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Every cell nbval runs is also scanned for secrets (tests/secret_scan.py): a cell that
    shows a password, a token or a private key fails, with the kind and a short excerpt."""
    outcome = yield
    outputs = getattr(item, "test_outputs", None)  # nbval's cell items keep what the cell showed
    report = outcome.get_result()
    if call.when != "call" or not outputs or not report.passed:
        return
    from secret_scan import find_secrets, texts

    leaks = [found for text in texts(outputs) for found in find_secrets(text, _cloud_secrets())]
    if leaks:
        report.outcome = "failed"
        report.longrepr = f"{item.name} shows secrets (kind, start): {leaks}"


def _cloud_secrets():
    from secret_scan import cloud_secrets

    layout = _test_cloud().layout
    return cloud_secrets(layout) if layout.secrets_file.is_file() else []


def pytest_terminal_summary(terminalreporter, config):
    count = getattr(config, "labkit_long_deselected", 0)
    if count:
        terminalreporter.write_line(f"{count} long test(s) not run: `make test-long` runs them "
                                    "(CI does)")
    if _parallel(config):  # the controller collects nothing itself: it says what workers skip
        terminalreporter.write_line("Tests marked `disruptive` (they stop, kill or reconfigure "
                                    "the shared cloud) do not run in parallel: `pytest -m "
                                    "disruptive` runs them alone (`make test` does, next)")


def _test_cloud():
    from labkit.cloud import PocketCloud

    return PocketCloud(say=lambda *_: None)


def pytest_sessionstart(session):
    # a session stops only the test cloud it started: another session (a full run beside
    # a quick `-m "not cloud"` or `--collect-only`) keeps the cloud it is using
    session.config.labkit_cloud_was_up = _test_cloud().is_up()


def pytest_sessionfinish(session, exitstatus):
    """Stop the test cloud at the end if this session started it (set LABKIT_KEEP_CLOUD=1 to
    keep it for re-runs)."""
    if os.environ.get("LABKIT_KEEP_CLOUD") or getattr(session.config, "labkit_cloud_was_up",
                                                      True):
        return
    if hasattr(session.config, "workerinput"):  # a parallel run's controller stops it, last
        return
    _test_cloud().down()
