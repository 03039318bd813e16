"""Swift: object storage. The proxy, the three storage servers (one process:
runners/swift_storage.py), and the container updater."""

import errno
import os

from .errors import NoXattr
from .process import Process, answers
from .service import RUNNERS, Service

STORAGE_SERVERS = ("account", "container", "object")


def check_xattr(folder):
    """Swift keeps object metadata in xattrs: fail early and clearly where they do not work."""
    probe = folder / ".xattr-probe"
    probe.write_bytes(b"")
    try:
        os.setxattr(probe, "user.labkit.probe", b"1")
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
            raise NoXattr(folder, exc.strerror) from exc
        raise
    finally:
        probe.unlink(missing_ok=True)


class Swift(Service):
    name = "swift"
    ports = {f"swift-{server}": port for server, port in (
        ("proxy", 8080), ("object", 6200), ("container", 6201), ("account", 6202))}
    has_service_user = True
    templates = [(f"swift/{name}", f"swift/{name}") for name in (
        "swift.conf", "proxy-server.conf",
        *(f"{server}-server.conf" for server in STORAGE_SERVERS))]
    folders = ["swift/node/sdb1", "swift/cache"]

    def values(self, layout, secrets):
        prefix, suffix = secrets["swift_hash"]
        return {"SWIFT_HASH_PREFIX": prefix, "SWIFT_HASH_SUFFIX": suffix}

    def prepare(self, layout, run):
        super().prepare(layout, run)
        check_xattr(layout.state / "swift/node/sdb1")
        ports = layout.ports()
        run([self.tool(layout, "python"), str(RUNNERS / "swift_rings.py"),
             *(str(ports[f"swift-{server}"]) for server in STORAGE_SERVERS)])

    def processes(self, layout):
        conf = layout.state / "swift"
        ports = layout.ports()
        first, *others = [f"swift-{server}" for server in STORAGE_SERVERS]
        health = [layout.url(name, "/healthcheck") for name in (first, *others)]
        return [
            # the three storage servers: one process (runners/swift_storage.py)
            Process("swift-storage",
                    [self.tool(layout, "python"), str(RUNNERS / "swift_storage.py"),
                     *(str(conf / f"{server}-server.conf") for server in STORAGE_SERVERS)],
                    port=ports[first], more_ports=[ports[name] for name in others],
                    ready=lambda: all(answers(url) for url in health), family="swift"),
            Process("swift-proxy",
                    [self.tool(layout, "swift-proxy-server"),
                     str(conf / "proxy-server.conf"), "-v"],
                    port=ports["swift-proxy"],
                    health_url=layout.url("swift-proxy", "/healthcheck"),
                    family="swift"),
            # Without the updater, account listings never show object counts and bytes.
            Process("swift-container-updater",
                    [self.tool(layout, "python"), str(RUNNERS / "swift_container_updater.py"),
                     str(conf / "container-server.conf")], family="swift"),
        ]

    def endpoints(self, layout):
        return [("object-store", "swift",
                 layout.url("swift-proxy", "/v1/AUTH_%(project_id)s"))]


SERVICE = Swift()
