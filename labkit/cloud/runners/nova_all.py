"""Nova's API, conductor, scheduler and a libvirt compute in one process.

oslo.messaging's ``fake://`` transport delivers messages only inside one process, so
everything of Nova's that talks RPC lives here (as manila_all.py does for Manila): Nova's
own service objects under one oslo.service launcher (eventlet, as nova-compute uses), and
the compute API served from the same process by eventlet.wsgi. A build in flight is lost
if this process restarts.

Started by labkit as root where compute can run (labkit/cloud/system.py). Writes
``nova/compute-ready`` once the compute host is mapped to its cell, which is when a server
can be scheduled to it.
"""
from nova import monkey_patch

monkey_patch.patch()  # eventlet, before anything else, as nova's own commands do

import gc  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import parse_qs, urlparse  # noqa: E402

import eventlet  # noqa: E402
import eventlet.wsgi  # noqa: E402
from keystoneauth1 import exceptions as ks_exceptions  # noqa: E402
from keystoneauth1 import loading as ks_loading  # noqa: E402
from oslo_log import log as logging  # noqa: E402
from oslo_privsep import priv_context  # noqa: E402
from oslo_service import service as oslo_service  # noqa: E402

import fake_transport  # noqa: E402  (beside this file: fake:// without its 50 ms polling)

STATE = Path(os.environ["LABKIT_STATE"])
PORT = int(os.environ["NOVA_PORT"])
READY = STATE / "nova/compute-ready"
os.environ.setdefault("OS_NOVA_CONFIG_DIR", str(STATE / "nova"))
# Nova loads its paste pipeline from the first file: the one its package ships.
# NOVA_OVERLAYS: more files after the compute overlay (nova-network.conf where networking runs)
os.environ.setdefault("OS_NOVA_CONFIG_FILES", ";".join(
    [f"{sys.prefix}/etc/nova/api-paste.ini", "nova.conf", "nova-compute.conf",
     *filter(None, os.environ.get("NOVA_OVERLAYS", "").split(";"))]))
sys.argv = sys.argv[:1]

import os_brick  # noqa: E402
import os_vif  # noqa: E402

import nova.conf  # noqa: E402
from nova.api.openstack import wsgi_app  # noqa: E402
from nova import context as nova_context  # noqa: E402
from nova.compute import rpcapi as compute_rpcapi  # noqa: E402
from nova import objects  # noqa: E402
from nova import service  # noqa: E402

CONF = nova.conf.CONF
LOG = logging.getLogger("nova_all")


def _privsep_in_process():
    """We are root already: run privsep entrypoints in this process, no helper daemon."""
    for obj in gc.get_objects():
        if isinstance(obj, priv_context.PrivContext):
            obj.set_client_mode(False)


def _read_console_pty_without_adopting_it():
    """Nova reads a guest's console pty in its privsep daemon, a process of its own. Here
    it runs in this one, which changes two things:

    - This process leads its own session (labkit starts it detached) and has no
      controlling terminal, so a plain open() made the guest's pty ours, and the guest's
      end sent us SIGHUP. O_NOCTTY prevents that.
    - eventlet patches os.read: on anything but a regular file it first waits until the
      descriptor is readable, so a read of a quiet console never returned, the compute
      manager never replied, and the API's call timed out ("No reply on topic compute").
      The unpatched read raises BlockingIOError at once instead, as the daemon's does."""
    import nova.privsep.libvirt as privsep_libvirt
    from eventlet.patcher import original

    native_read = original("os").read

    def readpty(path):
        # raw reads until the pty has nothing more (EAGAIN): a text-mode read() of a
        # non-blocking pty fails with TypeError instead
        chunks = []
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as exc:
            LOG.info("Ignored error while opening instance console pty: %s", exc)
            return ""
        try:
            while chunk := native_read(fd, 65536):
                chunks.append(chunk)
        except BlockingIOError:
            pass
        except OSError as exc:
            LOG.info("Ignored error while reading from instance console pty: %s", exc)
        finally:
            os.close(fd)
        return b"".join(chunks).decode(errors="replace")

    privsep_libvirt.readpty = readpty


def _wait_for_service_user():
    """Wait (green: the API keeps serving) until Keystone knows Nova's service user.

    On a new state, labkit creates the service users after the API answers (it makes the
    flavors through it), while conductor, scheduler and compute talk to Placement as soon
    as they are made: so the API starts first, and they once the credentials work."""
    while True:
        # a new token each time: the catalog comes with it, and must list Placement
        auth = ks_loading.load_auth_from_conf_options(CONF, "placement")
        session = ks_loading.load_session_from_conf_options(CONF, "placement", auth=auth)
        try:
            auth.get_endpoint(session, service_type="placement", interface="public")
            return
        except (ks_exceptions.Unauthorized, ks_exceptions.EndpointNotFound):
            LOG.info("nova_all: waiting for Nova's service user and Placement's catalog entry")
        except ks_exceptions.ClientException as exc:
            LOG.info("nova_all: Keystone not reachable yet (%s)", exc)
        eventlet.sleep(1)


def _discover_compute_host(compute):
    """Map the compute host to cell1 once it has registered (Nova's periodic discovery is
    off: `nova-manage cell_v2 discover_hosts`, done once, in-process), and say it is ready
    once its service has started: its resources are in Placement and its RPC servers
    listen. (The mapping alone outlives a restart: it would say ready too early.)"""
    while vars(compute).get("rpcserver_alt") is None:  # set last in Service.start()
        eventlet.sleep(0.5)
    ctxt = nova_context.get_admin_context()
    while True:
        try:
            objects.HostMapping.get_by_host(ctxt, CONF.host)
            break
        except Exception:  # not mapped yet (HostMappingNotFound), or its node not yet made
            try:
                objects.host_mapping.discover_hosts(ctxt)
            except Exception as exc:
                LOG.info("nova_all: compute host not discoverable yet: %s", exc)
        eventlet.sleep(1)
    # A heartbeat now: the service's first one comes 5 s after it starts
    # (INITIAL_REPORTING_DELAY), and until then the scheduler's ComputeFilter sees the
    # heartbeat from before the restart and counts the host as down ("has not been heard
    # from": No valid host) when the cloud was down for more than service_down_time.
    compute.service_ref.report_count += 1
    compute.service_ref.save()
    READY.write_text("ok\n")
    LOG.info("nova_all: compute host %s is mapped to its cell; ready to build servers",
             CONF.host)


def _reconnect_to_libvirtd(compute):
    """When libvirtd goes away, Nova disables its compute service ("Connection to libvirt
    lost") and enables it again when it next connects: on its next periodic task, up to a
    minute later, since the scheduler sends a disabled host nothing. `labkit cloud up`
    restarts libvirtd; this asks for the connection every few seconds (one cheap libvirt
    call when it is up), so that Nova reconnects, and builds again, within seconds."""
    host = compute.manager.driver._host
    socket_path = parse_qs(urlparse(CONF.libvirt.connection_uri).query)["socket"][0]
    while True:
        eventlet.sleep(5)
        if not _accepts(socket_path):
            continue  # libvirtd is down: asking Nova would log a traceback every time
        try:
            host.get_connection()
        except Exception as exc:  # it went down again in between
            LOG.debug("nova_all: libvirtd not reachable: %s", exc)


def _accepts(path):
    with socket.socket(socket.AF_UNIX) as sock:
        try:
            sock.connect(path)
        except OSError:
            return False
    return True


def main():
    fake_transport.install()
    READY.unlink(missing_ok=True)
    # parses the config files (api-paste.ini, nova.conf, the compute overlay), sets up
    # logging and the RPC transport
    app = wsgi_app.init_application("osapi_compute", "nova-all")
    os_brick.setup(CONF)
    os_vif.initialize()
    import nova.privsep  # noqa: F401
    import nova.virt.libvirt.driver  # noqa: F401  (imports the privsep contexts it uses)
    _privsep_in_process()
    _read_console_pty_without_adopting_it()
    sock = eventlet.listen(("127.0.0.1", PORT))
    eventlet.spawn(eventlet.wsgi.server, sock, app, log=LOG, log_output=False)
    LOG.info("nova_all: API on 127.0.0.1:%s", PORT)
    _wait_for_service_user()
    launcher = oslo_service.ServiceLauncher(CONF, restart_method="mutate")
    # compute listens on a second topic too ('compute-alt'), as nova-compute does: some
    # calls (console output, shutdowns) are sent there
    for binary, topic, alt in (("nova-conductor", "conductor", None),
                               ("nova-scheduler", "scheduler", None),
                               ("nova-compute", "compute", compute_rpcapi.RPC_TOPIC_ALT)):
        server = service.Service.create(binary=binary, topic=topic, topic_alt=alt)
        launcher.launch_service(server)
    compute = server  # the last one made
    eventlet.spawn(_discover_compute_host, compute)
    eventlet.spawn(_reconnect_to_libvirtd, compute)
    launcher.wait()


if __name__ == "__main__":
    main()
