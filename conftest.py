"""Test-session settings for tests/ and notebooks/ (nbval).

The tests run their own pocket cloud (own state folder, ports shifted by 10000), so that
`make test` never touches the cloud a learner runs with `make lab`. They always test the
pocket cloud: a learner's OS_CLOUD is ignored here (use `labkit verify` for other clouds).
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
os.environ.setdefault("LABKIT_STATE", str(ROOT / ".labkit" / "test-state"))
os.environ.setdefault("LABKIT_PORT_OFFSET", "10000")
os.environ.setdefault("LABKIT_STRICT_CHECKS", "1")  # a crashing exercise check fails the test
for variable in ("OS_CLOUD", "OS_CLIENT_CONFIG_FILE", "LABKIT_ADMIN_CLOUD",
                 "LABKIT_PARTNER_CLOUD"):
    os.environ.pop(variable, None)


def pytest_collection_modifyitems(config, items):
    """Whatever needs the pocket cloud is marked `cloud`, so that `-m "not cloud"` is a fast
    lane that starts none: every notebook cell (nbval), and every test using the fixture."""
    for item in items:
        if item.path.suffix == ".ipynb" or "pocket" in getattr(item, "fixturenames", ()):
            item.add_marker("cloud")


def pytest_sessionfinish(session, exitstatus):
    """Stop the test cloud at the end (set LABKIT_KEEP_CLOUD=1 to keep it for re-runs)."""
    if os.environ.get("LABKIT_KEEP_CLOUD"):
        return
    from labkit.cloud import PocketCloud

    PocketCloud(say=lambda *_: None).down()
