"""Neutron: the networking API (security groups), with no agents touching the host; where
networking runs (ovn.py), ML2/OVN wires real tenant networks (overlay neutron-ovn.conf).

Its schema comes from its models, not its migrations, which no longer run on PostgreSQL
(runners/neutron_schema.py says why)."""

from . import ovn
from .service import RUNNERS, Service


class Neutron(Service):
    name = "neutron"
    has_service_user = True
    templates = [("neutron/neutron.conf", "neutron/neutron.conf")]
    ports = {"neutron": 9696}
    databases = ["neutron"]
    folders = ["neutron/state", "neutron/locks"]

    def init(self, layout, run, secrets):
        conf = str(layout.state / "neutron/neutron.conf")
        run([self.tool(layout, "python"), str(RUNNERS / "neutron_schema.py"), conf])
        run([self.tool(layout, "neutron-db-manage"), "--config-file", conf, "stamp", "heads"])

    def processes(self, layout):
        api = self.web_process(layout, threads=2)
        if not ovn.SERVICE.missing(layout):  # OVN runs for this cloud
            api.env["OS_NEUTRON_CONFIG_FILES"] = "neutron.conf;neutron-ovn.conf"
        return [api]

    def endpoints(self, layout):
        return [("network", "neutron", layout.url("neutron"))]


SERVICE = Neutron()
