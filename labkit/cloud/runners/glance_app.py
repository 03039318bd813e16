"""gunicorn entry point for Glance (Glance has no standalone server any more)."""
import os
import sys

os.environ.setdefault("OS_GLANCE_CONFIG_DIR", f"{os.environ['LABKIT_STATE']}/glance")
sys.argv = sys.argv[:1]

from glance.wsgi.api import application  # noqa: E402,F401
