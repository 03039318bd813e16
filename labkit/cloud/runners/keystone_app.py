"""gunicorn entry point for Keystone."""
import os
import sys

STATE = os.environ["LABKIT_STATE"]
os.environ.setdefault("OS_KEYSTONE_CONFIG_FILES", f"{STATE}/keystone/keystone.conf")
# oslo.config parses sys.argv inside the app: hide gunicorn's own arguments.
sys.argv = sys.argv[:1]

from keystone.wsgi.api import application  # noqa: E402,F401
