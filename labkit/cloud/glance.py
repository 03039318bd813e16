"""Glance: the image service, with a filesystem store and interoperable image import."""

import shutil

from .process import Process
from .service import Service


def import_plugins():
    """image_conversion shells out to qemu-img, so it is enabled only where qemu-img is."""
    return "'image_conversion'" if shutil.which("qemu-img") else ""


class Glance(Service):
    name = "glance"
    has_service_user = True
    templates = [("glance/glance-api.conf", "glance/glance-api.conf"),
                 ("glance/glance-api-paste.ini", "glance/glance-api-paste.ini"),
                 ("glance/glance-image-import.conf", "glance/glance-image-import.conf")]
    seed_files = ["glance/glance.db"]
    folders = ["glance/images", "glance/staging", "glance/tasks", "glance/locks"]

    def init(self, layout, run, secrets):
        run([self.tool(layout, "glance-manage"), "--config-dir", str(layout.state / "glance"),
             "db_sync"], env={"OS_GLANCE_CONFIG_DIR": str(layout.state / "glance")})

    def processes(self, layout):
        port = layout.ports()["glance"]
        return [Process("glance", self.gunicorn(layout, "glance", "glance_app", port, 8),
                        port=port, health_url=layout.url("glance", "/healthcheck"))]

    def endpoints(self, layout):
        return [("image", "glance", layout.url("glance"))]


SERVICE = Glance()
