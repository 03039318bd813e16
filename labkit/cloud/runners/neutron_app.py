"""gunicorn entry point for the Neutron API server."""
import os
import sys

os.environ.setdefault("OS_NEUTRON_CONFIG_DIR", f"{os.environ['LABKIT_STATE']}/neutron")
os.environ.setdefault("OS_NEUTRON_CONFIG_FILES", "neutron.conf")
sys.argv = sys.argv[:1]

from neutron.wsgi.api import application  # noqa: E402,F401
