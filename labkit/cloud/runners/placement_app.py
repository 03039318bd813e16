"""gunicorn entry point for Placement."""
import os
import sys

os.environ.setdefault("OS_PLACEMENT_CONFIG_DIR", f"{os.environ['LABKIT_STATE']}/placement")
sys.argv = sys.argv[:1]

from placement.wsgi.api import application  # noqa: E402,F401
