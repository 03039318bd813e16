"""Manila's api, scheduler and share services in one process.

Manila's services talk over RPC. oslo.messaging's ``fake://`` transport delivers messages
only inside one process, so all three run here, side by side, as Manila's own service
objects under one oslo.service launcher (eventlet, as Manila's own commands use). This
needs no message broker and no second process; the API is Manila's built-in WSGI server.
Start order matters: the scheduler must listen before the share services announce their
pools, which they do once as they start.
"""
from manila import monkey_patch

monkey_patch.patch()  # what manila.cmd does first: eventlet, before anything else

import os  # noqa: E402

import fake_transport  # noqa: E402  (beside this file: fake:// without its 50 ms polling)

from oslo_config import cfg  # noqa: E402
from oslo_log import log  # noqa: E402
from oslo_service import service as oslo_service  # noqa: E402
from oslo_utils import timeutils  # noqa: E402

from manila.common import config  # noqa: E402
from manila import context  # noqa: E402
from manila import db  # noqa: E402
from manila import service  # noqa: E402
from manila import version  # noqa: E402

from manila_share_type import ensure_share_types  # noqa: E402  (beside this file)

CONF = cfg.CONF
LOG = log.getLogger("manila_all")
#: The back end whose shares hold data: it needs the file server (labkit sets
#: LABKIT_FILE_SERVER=1 where it runs), and is left out where it does not.
FILE_SERVER_BACKEND = "folders"


def main():
    fake_transport.install()
    log.register_options(CONF)
    CONF(["--config-file", f"{os.environ['LABKIT_STATE']}/manila/manila.conf"],
         project="manila", version=version.version_string())
    config.verify_share_protocols()
    config.set_lib_defaults()
    log.setup(CONF, "manila")
    ensure_share_types(say=LOG.info)
    backends = [name for name in CONF.enabled_share_backends
                if name != FILE_SERVER_BACKEND or os.environ.get("LABKIT_FILE_SERVER") == "1"]
    services = [service.Service.create(binary="manila-scheduler")]
    services += [service.Service.create(host=f"{CONF.host}@{backend}", service_name=backend,
                                        binary="manila-share", coordination=True)
                 for backend in backends]
    # The API comes last: the share manager registers [keystone_authtoken] auth_url itself,
    # which clashes if keystonemiddleware (loaded with the API) registered it first. It
    # also means the port opens only once the scheduler and share services exist.
    services.append(service.WSGIService("osapi_share"))
    _heartbeat_now(backends)
    launcher = oslo_service.ServiceLauncher(CONF, restart_method="mutate")
    for each in services:
        launcher.launch_service(each)
    launcher.wait()


def _heartbeat_now(backends):
    """Date the share services' heartbeats now, as they start.

    A share service's first heartbeat comes report_interval (30 s) after its start; until
    then the scheduler judges it by its record's updated_at. Manila's start writes
    state='down' there, which changes nothing (and so leaves updated_at as it was) when the
    previous run ended before its first heartbeat: the service then looks down, and shares
    fail with "no hosts", for up to 30 s. A back end is still chosen only once its driver
    has reported its pools."""
    ctxt = context.get_admin_context()
    hosts = {f"{CONF.host}@{backend}" for backend in backends}
    for record in db.service_get_all_by_topic(ctxt, "manila-share"):
        if record["host"] in hosts:
            db.service_update(ctxt, record["id"], {"updated_at": timeutils.utcnow()})


if __name__ == "__main__":
    main()
