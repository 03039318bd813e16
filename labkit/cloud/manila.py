"""Manila: shared file systems, with Manila's own DummyDriver back ends, and one that holds data.

api, scheduler and share services run in one process (runners/manila_all.py) on the
in-process ``fake://`` transport: no message broker. Two back ends are Manila's DummyDriver:
shares, snapshots and access rules as records, no data (share type ``default``). The
third, ``folders``, runs where the file server does (file_server.py): folders exported over
NFSv4 by nfs-ganesha (share type ``nfs-ganesha``; runners/manila_folder_driver.py). The
share types are made with the database (runners/manila_share_type.py), so Keystone's
bootstrap needs nothing from Manila.
"""

from . import file_server
from .process import Process
from .service import RUNNERS, Service


class Manila(Service):
    name = "manila"
    has_service_user = True
    optional = True  # lesson 2 only; lessons 1, 3 and 4 must not wait for it
    templates = [("manila/manila.conf", "manila/manila.conf"),
                 ("manila/api-paste.ini", "manila/api-paste.ini")]
    ports = {"manila": 8786}
    databases = ["manila"]
    folders = ["manila/state", "manila/locks", "manila/coordination"]

    def init(self, layout, run, secrets):
        run([self.tool(layout, "manila-manage"), "--config-file",
             str(layout.state / "manila/manila.conf"), "db", "sync"])
        run([self.tool(layout, "python"), str(RUNNERS / "manila_share_type.py")])

    def processes(self, layout):
        port = layout.ports()["manila"]
        serving = "0" if file_server.SERVICE.missing(layout) else "1"
        return [Process("manila", [self.tool(layout, "python"), str(RUNNERS / "manila_all.py")],
                        port=port, health_url=layout.url("manila", "/"),
                        env={"LABKIT_FILE_SERVER": serving}, family="eventlet")]

    def endpoints(self, layout):
        url = layout.url("manila", "/v2")
        # python-manilaclient looks for sharev2 when shared-file-system is missing; both
        # point at the same API so every client finds it.
        return [("shared-file-system", "manila", url), ("sharev2", "manilav2", url)]


SERVICE = Manila()
