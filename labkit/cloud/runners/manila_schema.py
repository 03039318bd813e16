"""Create Manila's database on sqlite, with the pocket cloud's share type.

Manila's alembic migrations deadlock on a sqlite file (one migration opens a second
connection inside an open transaction), so the schema is built from the models and
alembic is stamped at head, which is what `manila-manage db sync` would have left.
WAL journaling lets readers go on while one writer commits (it is stored in the file).
The share type ``default`` (named by ``default_share_type`` in manila.conf) is created
here through Manila's own share-type code, so every state copied from the seed has it.
"""
import os
import sys

from oslo_config import cfg

from manila.common import config  # noqa: F401  registers the options

cfg.CONF(["--config-file", f"{os.environ['LABKIT_STATE']}/manila/manila.conf"],
         project="manila")

import sqlite3  # noqa: E402

import alembic.command  # noqa: E402
from manila.db.migrations.alembic import migration  # noqa: E402
from manila import context  # noqa: E402
from manila.db.sqlalchemy import api as db_api, models  # noqa: E402
from manila.share import share_types  # noqa: E402

DEFAULT_TYPE = "default"
DEFAULT_TYPE_SPECS = {
    "driver_handles_share_servers": "False",  # the DummyDriver back ends need no share network
    "snapshot_support": "True",
    "create_share_from_snapshot_support": "True",
    "revert_to_snapshot_support": "True",
    "mount_snapshot_support": "True",
}

models.BASE.metadata.create_all(db_api.get_engine())
alembic.command.stamp(migration._alembic_config(), "head")
share_types.create(context.get_admin_context(), DEFAULT_TYPE, extra_specs=DEFAULT_TYPE_SPECS,
                   description="Shares on the pocket cloud's DummyDriver back ends")
# outside oslo.db, which wraps every statement in a transaction (journal_mode refuses that)
with sqlite3.connect(cfg.CONF.database.connection.removeprefix("sqlite:///")) as db:
    db.execute("PRAGMA journal_mode=WAL")
    tables = db.execute("select count(*) from sqlite_master where type='table'").fetchone()[0]
print(f"manila schema ready: {tables} tables, version {migration.version()}")
sys.exit(0)
