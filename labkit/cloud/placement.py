"""Placement: the inventory of the compute host's resources, which Nova's scheduler asks.

Its database (on the PostgreSQL server) is made once in the seed; the process runs only
where compute can (see system.py): without a compute host it would answer with nothing to
place.
"""

from . import system
from .process import Process
from .service import Service


class Placement(Service):
    name = "placement"
    has_service_user = True
    optional = True  # compute is: lessons' boot parts say they skip without it
    templates = [("placement/placement.conf", "placement/placement.conf")]
    ports = {"placement": 8778}
    databases = ["placement"]

    def init(self, layout, run, secrets):
        run([self.tool(layout, "placement-manage"), "--config-file",
             str(layout.state / "placement/placement.conf"), "db", "sync"])

    def missing(self, layout):
        return system.why_not_available(layout.services)

    def processes(self, layout):
        if self.missing(layout):
            return []
        port = layout.ports()["placement"]
        return [Process("placement", self.gunicorn(layout, "placement", "placement_app", port, 4),
                        port=port, health_url=layout.url("placement", "/"))]

    def endpoints(self, layout):
        # listed only where it can run (identities.bootstrap), so that a cloud without
        # compute does not list a service that never answers
        return [("placement", "placement", layout.url("placement"))]


SERVICE = Placement()
