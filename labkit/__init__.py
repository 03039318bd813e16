"""labkit: the helper behind the OpenStack Day 3 notebooks.

    import labkit
    conn = labkit.connect()          # an openstacksdk Connection, to your cloud or the pocket cloud
"""

from .connect import connect, identities, optional_connection

__all__ = ["connect", "identities", "optional_connection"]
__version__ = "0.1.0"
