"""Ask the cloud what it has before a hands-on part, and say so when it lacks something.

    if capabilities.require(conn, "object-store", "Swift object storage"):
        ...   # the part runs; otherwise a note says why it is skipped
"""

from . import show


def catalog(conn):
    """The service catalog of conn's token: a list of {type, name, endpoints} entries."""
    return conn.session.auth.get_access(conn.session).service_catalog.catalog


def service_types(conn):
    """The service types in the catalog of conn's token (e.g. {'image', 'object-store'})."""
    return {entry.get("type") for entry in catalog(conn)}


def has_service(conn, service_type, *aliases):
    types = service_types(conn)
    return any(t in types for t in (service_type, *aliases))


def require(conn, service_type, what, *aliases):
    """True if the cloud has the service; otherwise show why the next part is skipped."""
    if has_service(conn, service_type, *aliases):
        return True
    show.note(f"This cloud has no {what} (no '{service_type}' in its service catalog): "
              f"the cells of this part will skip their work.", "skip")
    return False
