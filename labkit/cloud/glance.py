"""Glance: the image service, with a filesystem store and interoperable image import."""

import shutil

from .service import Service


def import_plugins():
    """image_conversion shells out to qemu-img, so it is enabled only where qemu-img is."""
    return "'image_conversion'" if shutil.which("qemu-img") else ""


def metadefs_folder(layout):
    """Glance's metadata definition files, as its wheel installs them into the venv."""
    return layout.services / "etc" / "glance" / "metadefs"


class Glance(Service):
    name = "glance"
    has_service_user = True
    templates = [("glance/glance-api.conf", "glance/glance-api.conf"),
                 ("glance/glance-api-paste.ini", "glance/glance-api-paste.ini"),
                 ("glance/glance-image-import.conf", "glance/glance-image-import.conf")]
    ports = {"glance": 9292}
    databases = ["glance"]
    folders = ["glance/images", "glance/staging", "glance/tasks", "glance/locks"]

    def values(self, layout, secrets):
        return {"IMPORT_PLUGINS": import_plugins()}

    def init(self, layout, run, secrets):
        manage = [self.tool(layout, "glance-manage"), "--config-dir", str(layout.state / "glance")]
        env = {"OS_GLANCE_CONFIG_DIR": str(layout.state / "glance")}
        run([*manage, "db_sync"], env=env)
        # The metadata definitions catalog (OS::Compute::*, ...), as deployments load it:
        # Horizon's "Update Metadata" and the course's image forms offer it.
        run([*manage, "db_load_metadefs", str(metadefs_folder(layout))], env=env)

    def processes(self, layout):
        return [self.web_process(layout, threads=8, health_path="/healthcheck")]

    def endpoints(self, layout):
        return [("image", "glance", layout.url("glance"))]


SERVICE = Glance()
