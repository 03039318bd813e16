"""The optional tiers in tests: a machine without one skips its tests, saying why; in CI
(CI=true) a missing tier is a failure instead, so that CI tests every tier."""

import os

import pytest


def require(what, why):
    """Go on when why is None (the tier is here); else skip, or fail under CI=true."""
    if why is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is not available in CI: {why}")
    pytest.skip(f"{what} is not available on this machine: {why}")
