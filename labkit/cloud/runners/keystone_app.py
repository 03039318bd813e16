"""gunicorn entry point for Keystone."""
import os
import sys

STATE = os.environ["LABKIT_STATE"]
os.environ.setdefault("OS_KEYSTONE_CONFIG_FILES", f"{STATE}/keystone/keystone.conf")
# oslo.config parses sys.argv inside the app: hide gunicorn's own arguments.
sys.argv = sys.argv[:1]

# sqlite ignores ON DELETE CASCADE unless foreign keys are on: without this, deleting an
# application credential leaves its role rows behind and the next create fails with 409.
from keystone.common.sql import core as _sql_core  # noqa: E402

_sql_core.enable_sqlite_foreign_key()

from keystone.wsgi.api import application  # noqa: E402,F401
