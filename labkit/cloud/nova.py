"""Nova: the compute API only (key pairs, flavors); no scheduler, conductor or hypervisor."""

from .process import Process
from .service import Service


class Nova(Service):
    name = "nova"
    has_service_user = True
    templates = [("nova/nova.conf", "nova/nova.conf")]
    ports = {"nova": 8774}
    databases = ["nova_api", "nova"]
    folders = ["nova/state", "nova/locks"]

    def init(self, layout, run, secrets):
        manage = [self.tool(layout, "nova-manage"), "--config-file",
                  str(layout.state / "nova/nova.conf")]
        run([*manage, "api_db", "sync"])
        run([*manage, "db", "sync"])

    def processes(self, layout):
        port = layout.ports()["nova"]
        return [Process("nova", self.gunicorn(layout, "nova", "nova_app", port, 2),
                        port=port, health_url=layout.url("nova", "/"))]

    def endpoints(self, layout):
        return [("compute", "nova", layout.url("nova", "/v2.1"))]


SERVICE = Nova()
