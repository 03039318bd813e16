"""Nova: the compute API, and where compute can run, the whole of Nova in one process.

Without compute (see system.py) Nova is its API only under gunicorn: key pairs, flavors,
and servers that cannot be built. With it, runners/nova_all.py hosts the API, conductor,
scheduler and a libvirt compute (QEMU software emulation) in one process on the
in-process ``fake://`` transport, as Manila does: no message broker.

Cells are set up once in the seed: cell0 (where servers that found no host are kept) and
cell1, the one cell this cloud has, each in a database of its own on the PostgreSQL server.
Their URLs are stored as Nova's templates, filled from ``[database] connection`` when Nova
reads them, so a seed copied into any state reaches that state's server with that state's
password: cell1 is that very database, cell0 the one beside it whose name ends in _cell0.
"""

from . import ovn, system
from .process import Process, answers
from .service import RUNNERS, Service

CELL1_DB = "{scheme}://{username}:{password}@{hostname}:{port}/{path}"
CELL0_DB = "{scheme}://{username}:{password}@{hostname}:{port}/{path}_cell0"  # nova_cell0


class Nova(Service):
    name = "nova"
    has_service_user = True
    templates = [("nova/nova.conf", "nova/nova.conf"),
                 ("nova/nova-compute.conf", "nova/nova-compute.conf")]
    ports = {"nova": 8774}
    databases = ["nova_api", "nova", "nova_cell0"]  # the API's, cell1's and cell0's
    folders = ["nova/state", "nova/locks", "nova/instances"]

    def init(self, layout, run, secrets):
        manage = [self.tool(layout, "nova-manage"), "--config-file",
                  str(layout.state / "nova/nova.conf")]
        run([*manage, "api_db", "sync"])
        run([*manage, "cell_v2", "map_cell0", "--database_connection", CELL0_DB])
        run([*manage, "cell_v2", "create_cell", "--name", "cell1", "--transport-url", "fake://",
             "--database_connection", CELL1_DB])
        run([*manage, "db", "sync"])  # cell1's database, and cell0's now that it is mapped

    def processes(self, layout):
        port = layout.ports()["nova"]
        health = layout.url("nova", "/")
        if system.why_not_available(layout.services):  # Nova's API runs anyway
            # not forked from the wsgi family: Nova's API picks oslo.service's threading
            # backend, which must happen before oslo.messaging is imported (it picks eventlet)
            return [Process("nova", self.gunicorn(layout, "nova", "nova_app", port, 2),
                            port=port, health_url=health)]
        return [Process("nova", [self.tool(layout, "python"), str(RUNNERS / "nova_all.py")],
                        port=port, ready=lambda: answers(health) and self._computes(layout),
                        env={"NOVA_PORT": str(port), **self._config_files(layout)},
                        family="eventlet")]

    @staticmethod
    def _config_files(layout):
        """Where networking runs, the overlay with os-vif's switch database (ovn.py)."""
        if ovn.SERVICE.missing(layout):
            return {}
        return {"NOVA_OVERLAYS": "nova-network.conf"}

    @staticmethod
    def _computes(layout):
        """Ready once the compute host is mapped to its cell. Before the state's first
        bootstrap the API alone is enough: in a state made by an older labkit, compute
        waits for the service user that bootstrap makes."""
        from .identities import is_bootstrapped

        return (layout.state / "nova/compute-ready").is_file() or not is_bootstrapped(layout)

    def endpoints(self, layout):
        return [("compute", "nova", layout.url("nova", "/v2.1"))]


SERVICE = Nova()
