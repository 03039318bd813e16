"""Nova servers for the lessons: launch an image, watch it build, read its console, stop, delete.

Thin over openstacksdk: each helper is one or two ``conn.compute`` calls plus the checks a
learner needs; ``show_equivalent=True`` prints the plain SDK call and the ``openstack`` line.

    server = servers.launch(conn, "tiny", image="day3-tiny", flavor="m1.tiny",
                            key_name="day3-key", user_data="#!/bin/sh\\necho hi\\n")
    print(servers.console_log(conn, server, until="tiny: boot finished"))
    servers.stop(conn, server)
    servers.delete(conn, server)

- Names get the lesson prefix (``day3-``) and servers the metadata ``labkit_lesson=<lesson>``,
  so that cleanup removes them (first of all: a server holds its image, key pair and ports).
- ``networks="none"`` until the project has networks to attach (the pocket cloud's Neutron
  has no data plane yet): the server boots with no network card.
- Errors are ``ServerError`` subclasses; str() is the whole message, and a notebook shows
  that message alone, not a traceback. A server that ends in ERROR raises ``ServerFailed``
  carrying Nova's fault message (``server.fault``) and the server.
"""

import base64
import time

from openstack import exceptions as sdk_exc
from tqdm.auto import tqdm

from . import capabilities, cleanup, images, marks, polling, show
from .messages import error_line

DEFAULT_FLAVOR = "m1.tiny"
BUILD_SECONDS = 15  # how long the tiny image typically takes to go ACTIVE on the pocket cloud


# --- errors ---------------------------------------------------------------------------
class ServerError(Exception):
    """Base class: str(error) is the whole message, written for the learner."""

    def _render_traceback_(self):
        # IPython shows this instead of a traceback: the message is all a learner needs
        return [f"{type(self).__name__}: {self}"]


class NoCompute(ServerError):
    """The cloud has no compute host to boot on."""


class UnknownFlavor(ServerError, LookupError):
    pass


class ImageNotBootable(ServerError):
    """No such image, several, or one that is not active (e.g. still queued)."""


class Refused(ServerError):
    """Nova's API refused the request (its own words are in the message)."""


class ServerFailed(ServerError):
    """The server ended in ERROR; .server is it, .fault Nova's fault message."""

    def __init__(self, message, server=None, fault=""):
        super().__init__(message)
        self.server, self.fault = server, fault


class ServerTimeout(ServerError, TimeoutError):
    pass


# --- does this cloud boot servers? ------------------------------------------------------
def why_no_compute(conn):
    """None when the cloud can boot servers, else one sentence saying why and what to do.

    A learner cannot list hypervisors; an availability zone is listed as available only
    when a compute service in it is up (GET /os-availability-zone), which is what matters."""
    if not capabilities.has_service(conn, "compute"):
        return "This cloud has no compute service (no 'compute' in its service catalog)."
    try:
        zones = [z.name for z in conn.compute.availability_zones()
                 if (z.state or {}).get("available")]
    except sdk_exc.HttpException as exc:
        return f"This cloud's compute API does not list its zones: {error_line(exc)}."
    if zones:
        return None
    from .cloud import system
    from .security import is_pocket_cloud

    if is_pocket_cloud(conn):
        from .cloud import PocketCloud

        status = PocketCloud(say=lambda *_: None).compute_status()
        why = status if status != "available" else "its compute service is not up yet"
        return (f"The pocket cloud has no compute host: {why}. Add compute once with "
                f"`{system.ADD_COMPUTE}`, then `labkit cloud up`.")
    return "This cloud has no available compute host (no availability zone is up)."


def require_compute(conn):
    """True if the cloud boots servers; otherwise show why the next part is skipped."""
    why = why_no_compute(conn)
    if why:
        show.note(f"{why} The cells of this part skip their work.", "skip")
    return why is None


def tiny_image():
    """The tiny image to boot (`labkit image build tiny`: about 10 s, its packages cached),
    built once where lessons look and reused after; None, with a note saying why, where it
    cannot be built here."""
    from . import image_build

    try:
        return image_build.tiny(say=lambda line: None)
    except image_build.BuildError as exc:
        show.note(f"The tiny image cannot be built here: {exc}", "skip")
        return None


# --- looking things up -------------------------------------------------------------------
def find_flavor(conn, name_or_id):
    flavor = conn.compute.find_flavor(name_or_id, ignore_missing=True)
    if flavor is None:
        names = ", ".join(f.name for f in conn.compute.flavors()) or "none"
        raise UnknownFlavor(f"No flavor called {name_or_id!r}. This cloud offers: {names} "
                            f"(`openstack flavor list`).")
    return flavor


def bootable_image(conn, name_or_id):
    """The image, if it exists and is active; else ImageNotBootable saying why."""
    try:
        image = images.find_image(conn, name_or_id)
    except images.ImageError as exc:
        raise ImageNotBootable(str(exc)) from None
    if image.status != "active":
        hint = (" It has no data yet: upload some (part 3)." if image.status == "queued"
                else " Wait for it to become active, or upload it again.")
        raise ImageNotBootable(f"Image {image.name!r} is {image.status}, not active: Nova "
                               f"boots only active images.{hint}")
    return image


def find_server(conn, name_or_id):
    server = conn.compute.find_server(marks.name(name_or_id), ignore_missing=True) \
        or conn.compute.find_server(name_or_id, ignore_missing=True)
    if server is None:
        raise ServerError(f"No server called {name_or_id!r} (`openstack server list`).")
    return conn.compute.get_server(server.id)


# --- launch ------------------------------------------------------------------------------
def launch(conn, name, *, image, flavor=DEFAULT_FLAVOR, key_name=None, user_data=None,
           description=None, config_drive=True, security_groups=None, networks="none",
           lesson="01", wait=True, timeout=300, progress=True, show_equivalent=False):
    """Create a server from image (name or ID) and, with wait, wait until it is ACTIVE.
    user_data is the script's text (labkit encodes it as Nova wants, base64)."""
    name = marks.name(name)
    flavor_ = find_flavor(conn, flavor)
    image_ = bootable_image(conn, image)
    request = dict(name=name, image_id=image_.id, flavor_id=flavor_.id, networks=networks,
                   config_drive=config_drive, metadata=marks.properties(lesson))
    if description:
        request["description"] = description
    if key_name:
        request["key_name"] = key_name
    if user_data:
        request["user_data"] = base64.b64encode(user_data.encode()).decode()
    if security_groups:
        request["security_groups"] = [{"name": group} for group in security_groups]
    if show_equivalent:
        show.equivalent(sdk=_sdk_line(request, image_, flavor_), cli=_cli_line(
            name, image_, flavor_, key_name, user_data, config_drive, security_groups, lesson,
            _nic_options(conn, networks)))
    try:
        server = conn.compute.create_server(**request)
    except sdk_exc.HttpException as exc:
        raise Refused(f"Nova refused to create {name!r}: {error_line(exc)}") from None
    return wait_for_active(conn, server, timeout=timeout, progress=progress) if wait else server


def _sdk_line(request, image, flavor):
    """The plain SDK call, with the lookups and the encoding it needs written out."""
    code = {"image_id": f"conn.image.find_image({image.name!r}).id",
            "flavor_id": f"conn.compute.find_flavor({flavor.name!r}).id",
            "user_data": "base64.b64encode(script.encode()).decode()"}
    arguments = ", ".join(f"{key}={code[key]}" if key in code else f"{key}={value!r}"
                          for key, value in request.items())
    return f"conn.compute.create_server({arguments})"


def _nic_options(conn, networks):
    """"none", or the CLI's option for each NIC of a create request's networks: a network
    ({"uuid": ...}) by its name, a port made before ({"port": ...}) by its name."""
    if networks in ("none", "auto"):
        return networks
    return [f"--network {conn.network.get_network(nic['uuid']).name}" if "uuid" in nic
            else f"--port {conn.network.get_port(nic['port']).name}" for nic in networks]


def _cli_line(name, image, flavor, key_name, user_data, config_drive, groups, lesson,
              networks="none"):
    nics = [f"--nic {networks}"] if isinstance(networks, str) else list(networks)
    parts = ["openstack server create", f"--image {image.name}", f"--flavor {flavor.name}",
             *nics, f"--property {marks.KEY}={lesson}"]
    if config_drive:
        parts.append("--config-drive true")
    if user_data:
        parts.append("--user-data script.sh")
    if key_name:
        parts.append(f"--key-name {key_name}")
    parts += [f"--security-group {group}" for group in groups or ()]
    return " ".join(parts + ["--wait", name])


# --- waiting -----------------------------------------------------------------------------
class _BuildBar:
    """A bar over Nova's build progress (0-100), fed by the SDK waiter's callback."""

    def __init__(self, name, visible):
        self.name = name
        self._bar = tqdm(total=100, desc=f"{name}: BUILD", disable=not visible, leave=True,
                         bar_format="{desc} {bar} {elapsed}")

    def __call__(self, percent):
        self._bar.update(max(0, min(100, int(percent or 0)) - self._bar.n))

    def close(self, status):
        self._bar.set_description_str(f"{self.name}: {status}")
        if status == "ACTIVE":
            self._bar.update(100 - self._bar.n)
        self._bar.close()


def wait_for_status(conn, server, status="ACTIVE", *, timeout=300, progress=True):
    """Wait (bounded) until the server has status; ERROR raises ServerFailed with Nova's
    fault message."""
    bar = _BuildBar(server.name, progress and status == "ACTIVE")
    deadline = time.monotonic() + timeout
    backoff = polling.Backoff()
    while True:
        server = conn.compute.get_server(server.id)
        if server.status == status:
            bar.close(server.status)
            return server
        if server.status == "ERROR":
            bar.close("ERROR")
            fault = (server.fault or {}).get("message", "no fault recorded")
            raise ServerFailed(f"Server {server.name!r} ended in ERROR. Nova's fault: {fault}",
                               server=server, fault=fault)
        if time.monotonic() > deadline:
            bar.close("timed out")
            raise ServerTimeout(f"Server {server.name!r} is not {status} after {timeout} s "
                                f"(`openstack server show {server.name}`).")
        bar(server.progress)
        backoff.sleep()


def wait_for_active(conn, server, *, timeout=300, progress=True):
    return wait_for_status(conn, server, "ACTIVE", timeout=timeout, progress=progress)


# --- the console -------------------------------------------------------------------------
def console_log(conn, server, *, until=None, timeout=120, lines=None):
    """The server's console log (GET .../action os-getConsoleOutput); with until, wait
    (bounded) until that text appears in it. lines: only the last so many."""
    deadline = time.monotonic() + timeout
    backoff = polling.Backoff()
    while True:
        output = conn.compute.get_server_console_output(server, length=lines)["output"]
        if until is None or until in output:
            return output
        if time.monotonic() > deadline:
            raise ServerTimeout(f"{until!r} did not appear in {server.name}'s console within "
                                f"{timeout} s; its last lines:\n" + "\n".join(
                                    output.splitlines()[-5:]))
        backoff.sleep()


def console_lines(output, *markers):
    """The console lines that contain one of markers (e.g. the tiny image's "tiny:")."""
    return "\n".join(line.rstrip() for line in output.splitlines()
                     if any(marker in line for marker in markers))


# --- the scheduler's reasons --------------------------------------------------------------
def scheduler_verdict(conn, server):
    """On the pocket cloud (whose operator you are), the scheduler's log line saying which
    filter removed every host for this server; None elsewhere (that log is the operator's)."""
    from .security import is_pocket_cloud

    if not is_pocket_cloud(conn):
        return None
    from .cloud import PocketCloud

    log = PocketCloud(say=lambda *_: None).log_path("nova")
    wanted = f"instance ID '{server.id}'"
    lines = [line for line in log.read_text(errors="replace").splitlines() if wanted in line] \
        if log.is_file() else []
    return lines[-1].split("] ", 1)[-1] if lines else None


# --- stop, delete ------------------------------------------------------------------------
def stop(conn, server, *, timeout=120):
    """Stop (power off) the server and wait for SHUTOFF. A guest that ignores the ACPI
    button is switched off after Nova's shutdown_timeout."""
    conn.compute.stop_server(server)
    return wait_for_status(conn, server, "SHUTOFF", timeout=timeout, progress=False)


def delete(conn, server, *, timeout=120):
    """Delete the server and wait until Nova no longer lists it; False if already gone."""
    try:
        conn.compute.delete_server(server)
    except sdk_exc.NotFoundException:
        return False
    # Nova lists a deleted server (status DELETED) a moment longer than it takes to delete it
    deadline = time.monotonic() + timeout
    backoff = polling.Backoff()
    while conn.compute.find_server(server.id, ignore_missing=True) is not None:
        if time.monotonic() > deadline:
            raise ServerTimeout(f"Server {server.name!r} is still listed {timeout} s after "
                                f"its deletion.")
        backoff.sleep()
    return True


def lesson_servers(conn, lesson=None):
    """The marked servers of the current project (of one lesson, or all)."""
    return [s for s in conn.compute.servers()
            if marks.is_marked(s.name, s.metadata or {}, lesson)]


@cleanup.finder("server", order=1, side_by_side=True)
def _marked_servers(conn, lesson):
    """Servers go first, and cleanup waits for them: a server keeps its ports (and so
    security groups) in use, and its key pair and image are what a lesson deletes next."""
    if not capabilities.has_service(conn, "compute"):
        return []
    return [(s.name, lambda s=s: delete(conn, s), s.created_at)
            for s in lesson_servers(conn, lesson)]
