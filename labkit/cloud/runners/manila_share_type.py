"""The pocket cloud's share types, made through Manila's own share-type code.

``default`` (named by ``default_share_type`` in manila.conf) lands on the DummyDriver back
ends; ``nfs-ganesha`` on the ``folders`` back end, whose shares hold data (where the file
server runs). Made once with the database (after `manila-manage db sync`), so every state
copied from the seed has them, and again by manila_all.py as Manila starts (a no-op once
they exist), so a state made before a type was added gains it.
"""
import os
import sys

SHARE_TYPES = {
    "default": ("Shares on the pocket cloud's DummyDriver back ends (records, no data)", {
        "driver_handles_share_servers": "False",  # they need no share network
        "snapshot_support": "True",
        "create_share_from_snapshot_support": "True",
        "revert_to_snapshot_support": "True",
        "mount_snapshot_support": "True",
    }),
    "nfs-ganesha": ("Folders exported over NFSv4 by nfs-ganesha: shares that hold data", {
        "driver_handles_share_servers": "False",
        "share_backend_name": "folders",
        "snapshot_support": "True",
        "create_share_from_snapshot_support": "True",
    }),
}


def ensure_share_types(say=print):
    """Create the share types that do not exist yet (Manila's config is already loaded)."""
    from manila import context
    from manila import exception
    from manila.share import share_types

    for name, (description, specs) in SHARE_TYPES.items():
        try:
            share_types.create(context.get_admin_context(), name, extra_specs=specs,
                               description=description)
        except exception.ShareTypeExists:
            continue
        say(f"share type {name!r} made")


if __name__ == "__main__":
    from oslo_config import cfg

    from manila.common import config  # noqa: F401  registers the options

    cfg.CONF(["--config-file", f"{os.environ['LABKIT_STATE']}/manila/manila.conf"],
             project="manila")
    ensure_share_types()
    print(f"share types ready: {', '.join(SHARE_TYPES)}")
    sys.exit(0)
