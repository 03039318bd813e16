"""The image mirror: a plain HTTP server on loopback that Glance's web-download can fetch
from, standing in for the internet sites that publish cloud images."""

from .process import Process
from .service import Service


class Mirror(Service):
    name = "mirror"
    ports = {"mirror": 8099}
    folders = ["mirror"]

    def processes(self, layout):
        port = layout.ports()["mirror"]
        return [Process("mirror", [self.tool(layout, "python"), "-m", "http.server", str(port),
                                   "--bind", "127.0.0.1",
                                   "--directory", str(layout.state / "mirror")],
                        port=port, health_url=layout.url("mirror", "/"))]


SERVICE = Mirror()
