"""Neutron: the networking API (security groups), with no agents touching the host."""

from .process import Process
from .service import RUNNERS, Service


class Neutron(Service):
    name = "neutron"
    has_service_user = True
    templates = [("neutron/neutron.conf", "neutron/neutron.conf")]
    seed_files = ["neutron/neutron.db"]
    folders = ["neutron/state", "neutron/locks"]

    def init(self, layout, run, secrets):
        run([self.tool(layout, "python"), str(RUNNERS / "neutron_schema.py")])
        run([self.tool(layout, "neutron-db-manage"), "--config-file",
             str(layout.state / "neutron/neutron.conf"), "stamp", "heads"])

    def processes(self, layout):
        port = layout.ports()["neutron"]
        return [Process("neutron", self.gunicorn(layout, "neutron", "neutron_app", port, 2),
                        port=port, health_url=layout.url("neutron", "/"))]

    def endpoints(self, layout):
        return [("network", "neutron", layout.url("neutron"))]

SERVICE = Neutron()
