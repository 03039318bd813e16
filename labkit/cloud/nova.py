"""Nova: the compute API, and where compute can run, the whole of Nova in one process.

Without compute (see system.py) Nova is its API only under gunicorn: key pairs, flavors,
and servers that cannot be built. With it, runners/nova_all.py hosts the API, conductor,
scheduler and a libvirt compute (QEMU software emulation) in one process on the
in-process ``fake://`` transport, as Manila does: no message broker.

Cells are set up once in the seed: cell0 (where servers that found no host are kept) and
cell1, the one cell this cloud has. Their database URLs are stored as Nova's templates
(``{path}`` from ``[database] connection``), so a seed copied into any state folder points
at that state's own files.
"""

from . import system
from .process import Process
from .service import RUNNERS, Service

CELL1_DB = "sqlite:////{path}"
CELL0_DB = "sqlite:////{path}_cell0"  # nova/nova.db -> nova/nova.db_cell0


class Nova(Service):
    name = "nova"
    has_service_user = True
    templates = [("nova/nova.conf", "nova/nova.conf"),
                 ("nova/nova-compute.conf", "nova/nova-compute.conf")]
    seed_files = ["nova/nova_api.db", "nova/nova.db", "nova/nova.db_cell0"]
    folders = ["nova/state", "nova/locks", "nova/instances"]

    def init(self, layout, run, secrets):
        manage = [self.tool(layout, "nova-manage"), "--config-file",
                  str(layout.state / "nova/nova.conf")]
        run([*manage, "api_db", "sync"])
        run([*manage, "cell_v2", "map_cell0", "--database_connection", CELL0_DB])
        run([*manage, "cell_v2", "create_cell", "--name", "cell1", "--transport-url", "fake://",
             "--database_connection", CELL1_DB])
        run([*manage, "db", "sync"])  # cell1's database, and cell0's now that it is mapped

    def missing(self, layout):
        """Nova's API always runs; this says why its compute part does not."""
        return system.why_not_available(layout.services)

    def processes(self, layout):
        port = layout.ports()["nova"]
        health = layout.url("nova", "/")
        if self.missing(layout):
            return [Process("nova", self.gunicorn(layout, "nova", "nova_app", port, 2),
                            port=port, health_url=health)]
        return [Process("nova", [self.tool(layout, "python"), str(RUNNERS / "nova_all.py")],
                        port=port, health_url=health, ready=lambda: self._computes(layout),
                        env={"NOVA_PORT": str(port)})]

    @staticmethod
    def _computes(layout):
        """Healthy once the compute host is mapped to its cell. Before the state's first
        bootstrap the API alone is enough: compute waits for the service user it makes."""
        from .identities import is_bootstrapped

        return (layout.state / "nova/compute-ready").is_file() or not is_bootstrapped(layout)

    def endpoints(self, layout):
        return [("compute", "nova", layout.url("nova", "/v2.1"))]


SERVICE = Nova()
