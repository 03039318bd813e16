"""gunicorn entry point for the Nova compute API."""
import os
import sys

os.environ.setdefault("OS_NOVA_CONFIG_DIR", f"{os.environ['LABKIT_STATE']}/nova")
# Nova loads its paste pipeline from the first file: the one its package ships.
os.environ.setdefault("OS_NOVA_CONFIG_FILES", f"{sys.prefix}/etc/nova/api-paste.ini;nova.conf")
sys.argv = sys.argv[:1]

from nova.wsgi.osapi_compute import application  # noqa: E402,F401
