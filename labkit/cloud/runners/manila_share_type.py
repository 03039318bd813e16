"""Create the pocket cloud's share type ``default`` through Manila's own share-type code.

It is named by ``default_share_type`` in manila.conf; made once with the database (after
`manila-manage db sync`), so every state copied from the seed has it and Keystone's
bootstrap needs nothing from Manila.
"""
import os
import sys

from oslo_config import cfg

from manila.common import config  # noqa: F401  registers the options

cfg.CONF(["--config-file", f"{os.environ['LABKIT_STATE']}/manila/manila.conf"],
         project="manila")

from manila import context  # noqa: E402
from manila import exception  # noqa: E402
from manila.share import share_types  # noqa: E402

DEFAULT_TYPE = "default"
DEFAULT_TYPE_SPECS = {
    "driver_handles_share_servers": "False",  # the DummyDriver back ends need no share network
    "snapshot_support": "True",
    "create_share_from_snapshot_support": "True",
    "revert_to_snapshot_support": "True",
    "mount_snapshot_support": "True",
}

try:
    share_types.create(context.get_admin_context(), DEFAULT_TYPE,
                       extra_specs=DEFAULT_TYPE_SPECS,
                       description="Shares on the pocket cloud's DummyDriver back ends")
except exception.ShareTypeExists:
    pass  # a re-run of an interrupted set-up
print(f"share type {DEFAULT_TYPE!r} ready")
sys.exit(0)
