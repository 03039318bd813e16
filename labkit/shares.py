"""Lesson 2, network shared folders: thin helpers over openstacksdk's Manila proxy.

    from labkit import shares
    share = shares.create_share(conn, "docs", size=1)            # -> day3-docs, marked, waited
    rule = shares.allow_access(conn, share, "10.0.0.0/24", "ro")  # waits until active
    for location in shares.export_locations(conn, share):
        print(shares.mount_command("NFS", location.path))
    shares.delete_share(conn, share)                              # idempotent, waits

Every helper calls ``conn.shared_file_system`` (the SDK's Manila proxy) and shows the
equivalent SDK call and ``openstack share ...`` line when asked (``show_equivalent=True``).
Bad input is refused before the cloud is asked, with a message that says what to do; what
only the cloud can judge (a duplicate rule, a share that still has snapshots) comes back as
the same kind of message.

Waiting stays labkit's own here: with the SDK's wait_for_status / wait_for_delete (tried in
this branch's history), tests/test_shares.py's twenty create-delete cycles failed (a share
not yet available to delete, and Manila's 400 on a snapshot GET mid-delete) where these
loops pass; the cause is not yet found.
"""

import ipaddress
import time

from openstack import exceptions as sdk_exc

from . import capabilities, cleanup, marks, polling, show
from .messages import error_line

LESSON = "02"
SERVICE_TYPE = "shared-file-system"
#: The microversion the helpers ask for when the cloud's clouds.yaml names none (without
#: one the SDK sends none, the server answers as 2.0, and extend/shrink are not found).
MICROVERSION = "2.82"
#: Statuses a share or snapshot does not leave by itself: waiting longer is pointless.
FAILED = ("error", "error_deleting", "extending_error", "shrinking_error",
          "shrinking_possible_data_loss_error", "manage_error", "unmanage_error")
ACCESS_LEVELS = ("rw", "ro")
ACCESS_TYPES = ("ip", "user", "cert", "cephx")


class ShareError(RuntimeError):
    """A share, snapshot or access rule landed in an error state, or took too long."""


class BadRequest(ValueError):
    """Input Manila would refuse (the message says what to do instead)."""


class NotFound(LookupError):
    """No share (or share type) with that name or ID."""


class Ambiguous(LookupError):
    """Several shares have that name: use the ID."""


class HasSnapshots(RuntimeError):
    """Manila refuses to delete a share that still has snapshots."""


class ShrinkRefused(RuntimeError):
    """The back end refused to shrink a share below the data on it (the share kept its size)."""


# ------------------------------------------------------------------ the service itself

def manila(conn):
    """conn's Manila proxy, with a microversion set when clouds.yaml sets none."""
    sfs = conn.shared_file_system
    if not sfs.default_microversion:
        top = sfs.get_endpoint_data().max_microversion
        sfs.default_microversion = (MICROVERSION if top is None or top >= (2, 82)
                                    else f"{top[0]}.{top[1]}")
    return sfs


def available(conn):
    """True when conn's catalog has Manila and it answers; False (quietly) otherwise."""
    if not capabilities.has_service(conn, SERVICE_TYPE, "sharev2"):
        return False
    try:
        manila(conn)
        list(conn.shared_file_system.share_types())
    except Exception:  # listed in the catalog but down or refusing: treat as absent
        return False
    return True


def require(conn):
    """True if the cloud has a working Manila; otherwise say why the part is skipped."""
    if not capabilities.require(conn, SERVICE_TYPE, "shared file systems (Manila)", "sharev2"):
        return False
    if not available(conn):
        show.note("This cloud lists Manila in its catalog but it does not answer: the cells "
                  "of this part will skip their work. (Pocket cloud: `labkit cloud status`, "
                  "and `labkit cloud logs manila`.)", "skip")
        return False
    return True


# ------------------------------------------------------------------ checks before asking

def check_size(size):
    """Refuse a size Manila would refuse: a whole number of GiB, at least 1."""
    if isinstance(size, bool) or not isinstance(size, int):
        raise BadRequest(f"A share size is a whole number of GiB, like 1 or 5, not {size!r}.")
    if size < 1:
        raise BadRequest(f"A share needs at least 1 GiB; {size} GiB is not a size. "
                         f"Ask for size=1 or more.")


def check_access(access_type, access_to, access_level):
    """Refuse an access rule Manila would refuse, saying what a valid one looks like."""
    if access_level not in ACCESS_LEVELS:
        raise BadRequest(f"access_level must be 'rw' (read-write) or 'ro' (read-only), "
                         f"not {access_level!r}.")
    if access_type not in ACCESS_TYPES:
        raise BadRequest(f"access_type must be one of {', '.join(ACCESS_TYPES)}, "
                         f"not {access_type!r}.")
    if access_type == "ip":
        try:
            ipaddress.ip_network(access_to, strict=True)
        except ValueError as exc:
            raise BadRequest(
                f"{access_to!r} is not an IP address or network ({exc}). Give one address "
                f"such as '10.0.0.5', or a network such as '10.0.0.0/24' (host bits zero)."
            ) from None
    elif not access_to or not str(access_to).strip():
        raise BadRequest(f"An access rule of type {access_type} needs access_to: the user "
                         f"name, certificate common name or cephx id it lets in.")


# ------------------------------------------------------------------ share types

def share_types(conn):
    """The share types this project may use."""
    return list(manila(conn).share_types())


def find_share_type(conn, name_or_id):
    """A share type by name or ID; NotFound names the ones there are."""
    types = share_types(conn)
    for share_type in types:
        if name_or_id in (share_type.name, share_type.id):
            return share_type
    raise NotFound(f"There is no share type {name_or_id!r}. This cloud has: "
                   f"{', '.join(t.name for t in types) or 'none'} (see shares.share_types).")


# ------------------------------------------------------------------ shares

def get_share(conn, name_or_id):
    """A share by ID or name. NotFound and Ambiguous say which it was."""
    sfs = manila(conn)
    try:
        return sfs.get_share(name_or_id)
    except sdk_exc.NotFoundException:
        pass
    found = [s for s in sfs.shares(name=name_or_id)]
    if not found:
        raise NotFound(f"No share called {name_or_id!r} in this project.")
    if len(found) > 1:
        raise Ambiguous(f"{len(found)} shares are called {name_or_id!r}: use an ID "
                        f"({', '.join(s.id for s in found)}).")
    return sfs.get_share(found[0].id)


def _find_share(conn, name_or_id):
    try:
        return get_share(conn, name_or_id)
    except NotFound:
        return None


def list_shares(conn, lesson=None):
    """Shares of this project; with lesson, only the ones that lesson marked."""
    found = manila(conn).shares(details=True)
    return [s for s in found if lesson is None or marks.is_marked(s.name, s.metadata, lesson)]


def wait_for_share(conn, share, status="available", timeout=120, progress=False):
    """Poll until the share has status; ShareError on an error status or timeout.

    progress=True prints each status as it changes, with the time since the call."""
    return _wait(lambda: manila(conn).get_share(getattr(share, "id", share)), "share",
                 status, timeout, progress)


def _wait(fetch, kind, status, timeout, progress):
    started = time.monotonic()
    seen = None
    backoff = polling.Backoff()
    while True:
        current = fetch()
        if progress and current.status != seen:
            print(f"  {time.monotonic() - started:5.1f} s  {current.status}")
        seen = current.status
        if current.status == status:
            return current
        if current.status in FAILED:
            raise ShareError(f"The {kind} {current.name or current.id} went to {current.status}."
                             f" Its messages: `openstack share message list --resource-id "
                             f"{current.id}`; delete it and try again.")
        if time.monotonic() - started > timeout:
            raise ShareError(f"The {kind} {current.name or current.id} is still {current.status}"
                             f" after {timeout} s; it should have been {status}.")
        backoff.sleep()


def create_share(conn, name, size=1, protocol="NFS", share_type=None, metadata=None,
                 snapshot=None, description=None, wait=True, timeout=120, progress=False,
                 lesson=LESSON, show_equivalent=False):
    """Create a marked share (name gets 'day3-', metadata the lesson mark) and wait for it.

    share_type: a name or ID (default: the cloud's default type). snapshot: a snapshot (or
    ID) to copy. A share of that name already there is an error (names are not unique in
    Manila, but a lesson's are)."""
    check_size(size)
    name = marks.name(name)
    sfs = manila(conn)
    if _find_share(conn, name) is not None:
        raise BadRequest(f"A share called {name} exists already. Use shares.get_share(conn, "
                         f"{name!r}), or delete it first with shares.delete_share.")
    attrs = {"name": name, "size": size, "share_proto": protocol,
             "metadata": {**(metadata or {}), **marks.properties(lesson)}}
    if share_type is not None:
        attrs["share_type"] = find_share_type(conn, share_type).id
    if snapshot is not None:
        attrs["snapshot_id"] = getattr(snapshot, "id", snapshot)
    if description:
        attrs["description"] = description
    if show_equivalent:
        type_opt = f" --share-type {share_type}" if share_type else ""
        show.equivalent(
            sdk=f"conn.shared_file_system.create_share(name={name!r}, size={size}, "
                f"share_proto={protocol!r}, metadata={attrs['metadata']!r})",
            cli=f"openstack share create {protocol} {size} --name {name}{type_opt} "
                f"--property {marks.KEY}={lesson}")
    try:
        share = sfs.create_share(**attrs)
    except sdk_exc.BadRequestException as exc:
        raise BadRequest(f"Manila refused the share: {error_line(exc)}") from None
    return wait_for_share(conn, share, timeout=timeout, progress=progress) if wait else share


def delete_share(conn, share, wait=True, timeout=120):
    """Delete a share (name, ID or object). Already gone: nothing to do, returns False.

    Manila refuses while the share has snapshots: HasSnapshots names them."""
    sfs = manila(conn)
    found = _find_share(conn, getattr(share, "id", share))
    if found is None:
        return False
    try:
        sfs.delete_share(found.id, ignore_missing=True)
    except (sdk_exc.BadRequestException, sdk_exc.ForbiddenException,
            sdk_exc.ConflictException) as exc:
        snaps = [s.name or s.id for s in sfs.share_snapshots(share_id=found.id)]
        if snaps:
            raise HasSnapshots(f"{found.name} still has snapshots ({', '.join(snaps)}); "
                               f"delete them first with shares.delete_snapshot, then the "
                               f"share.") from None
        raise BadRequest(f"Manila refused to delete {found.name}: {error_line(exc)}") from None
    if wait:
        _wait_gone(lambda: sfs.get_share(found.id), f"share {found.name}", timeout)
    return True


def _wait_gone(fetch, what, timeout, field="status", failed=FAILED):
    """Poll fetch() until it answers 404; field names the resource's status attribute."""
    deadline = time.monotonic() + timeout
    backoff = polling.Backoff()
    while True:
        try:
            current = fetch()
        except sdk_exc.NotFoundException:
            return
        except sdk_exc.BadRequestException:
            # Manila answers a bare 400 to a GET that lands while the last instance of a
            # snapshot is being removed (manila/db/sqlalchemy/models.py, ShareSnapshot.instance
            # reads share_instance['status'] of an instance whose share instance is already
            # gone: TypeError, which its wsgi layer turns into 400). It is a passing state
            # of the delete, so ask again.
            if time.monotonic() > deadline:
                raise ShareError(f"The {what} is still being deleted after {timeout} s "
                                 f"(Manila answers 400 to a GET of it).") from None
            backoff.sleep()
            continue
        status = getattr(current, field)
        if status in failed:
            raise ShareError(f"Deleting the {what} failed: it is {status}. An admin "
                             f"can reset its state and delete it again.")
        if time.monotonic() > deadline:
            raise ShareError(f"The {what} is still {status} after {timeout} s.")
        backoff.sleep()


def resize_share(conn, share, new_size, wait=True, timeout=120):
    """Extend or shrink a share to new_size GiB and wait until it is available again.

    Shrinking below the data on the share is refused by the back end: the share is
    available again with its old size, and Manila leaves its owner a message
    (manila/share/manager.py, shrink_share): ShrinkRefused quotes it."""
    check_size(new_size)
    sfs = manila(conn)
    current = get_share(conn, getattr(share, "id", share))
    if new_size == current.size:
        raise BadRequest(f"{current.name} is already {new_size} GiB: give a larger size to "
                         f"extend it or a smaller one to shrink it.")
    try:
        sfs.resize_share(current.id, new_size)
    except (sdk_exc.BadRequestException, sdk_exc.ForbiddenException) as exc:
        raise BadRequest(f"Manila refused to resize {current.name} to {new_size} GiB: "
                         f"{error_line(exc)}") from None
    if not wait:
        return current
    done = wait_for_share(conn, current, timeout=timeout)
    if done.size != new_size:
        # Manila writes the new size and status in one transaction, but reads a share and
        # its instance (which holds the status) in two queries; on PostgreSQL (read
        # committed) a GET that straddles that write shows the new status with the old
        # size. The write is done by then: one more read sees both.
        done = get_share(conn, current.id)
    if new_size < current.size and done.size != new_size:
        raise ShrinkRefused(f"{current.name} was not shrunk to {new_size} GiB; it is still "
                            f"{done.size} GiB. Manila says: {_latest_message(conn, current)} "
                            f"Make room on it first (delete files), or keep its size.")
    return done


def _latest_message(conn, share):
    """The newest user message Manila left about a share (what a driver refused, and why)."""
    found = sorted(manila(conn).user_messages(resource_id=share.id),
                   key=lambda m: m.created_at or "")
    if not found:
        return "(no message)."
    return found[-1].user_message.rstrip(".") + "."


def set_metadata(conn, share, **metadata):
    """Add or change metadata on a share (values are strings); returns all of it."""
    sfs = manila(conn)
    share_id = getattr(share, "id", share)
    sfs.create_share_metadata(share_id, **{k: str(v) for k, v in metadata.items()})
    return dict(sfs.get_share_metadata(share_id).metadata)


# ------------------------------------------------------------------ access rules

def access_rules(conn, share):
    return list(manila(conn).access_rules(getattr(share, "id", share)))


def allow_access(conn, share, access_to, access_level="rw", access_type="ip", wait=True,
                 timeout=60, lesson=LESSON):
    """Let access_to (an IP or network for NFS) mount the share, read-write or read-only.

    The rule is marked (metadata) and returned once active. A rule for the same client
    exists already: BadRequest says which one."""
    check_access(access_type, access_to, access_level)
    sfs = manila(conn)
    share_id = getattr(share, "id", share)
    try:
        rule = sfs.create_access_rule(share_id, access_type=access_type, access_to=access_to,
                                      access_level=access_level,
                                      metadata=marks.properties(lesson))
    except sdk_exc.BadRequestException as exc:
        same = [r for r in access_rules(conn, share_id) if r.access_to == access_to]
        if same:
            raise BadRequest(f"{access_to} already has a rule on this share ({same[0].id}, "
                             f"{same[0].access_level}). To change its level, deny that rule "
                             f"and allow again.") from None
        raise BadRequest(f"Manila refused the rule: {error_line(exc)}") from None
    return wait_for_rule(conn, rule, timeout=timeout) if wait else rule


def wait_for_rule(conn, rule, state="active", timeout=60):
    sfs = manila(conn)
    deadline = time.monotonic() + timeout
    backoff = polling.Backoff()
    while True:
        current = sfs.get_access_rule(getattr(rule, "id", rule))
        if current.state == state:
            return current
        if current.state == "error":
            raise ShareError(f"The access rule for {current.access_to} went to error: the "
                             f"back end could not apply it. Deny it and try again.")
        if time.monotonic() > deadline:
            raise ShareError(f"The access rule for {current.access_to} is still "
                             f"{current.state} after {timeout} s.")
        backoff.sleep()


def deny_access(conn, share, rule, wait=True, timeout=60):
    """Remove an access rule (object or ID). Already gone: nothing to do, returns False."""
    sfs = manila(conn)
    rule_id = getattr(rule, "id", rule)
    try:
        sfs.get_access_rule(rule_id)
    except sdk_exc.NotFoundException:
        return False
    sfs.delete_access_rule(rule_id, getattr(share, "id", share), ignore_missing=True)
    if wait:
        _wait_gone(lambda: sfs.get_access_rule(rule_id), f"access rule {rule_id}", timeout,
                   field="state", failed=())
    return True


# ------------------------------------------------------------------ export locations

def export_locations(conn, share):
    """Where clients mount the share: paths, the preferred one first, admin-only ones last."""
    found = list(manila(conn).export_locations(getattr(share, "id", share)))
    return sorted(found, key=lambda e: (bool(getattr(e, "is_admin", False)),
                                        not getattr(e, "is_preferred", False)))


def mount_command(protocol, path, mount_point="/mnt/share", access_to=None):
    """The command that mounts an export location on a Linux instance.

    NFS: ``host:/path``; CIFS: ``\\\\host\\share``; CephFS: ``monitors:/path`` (needs the
    cephx id the rule let in). Other protocols: BadRequest."""
    protocol = protocol.upper()
    if protocol == "NFS":
        return f"sudo mount -t nfs {path} {mount_point}"
    if protocol == "CIFS":
        unc = path.replace("\\", "/")
        user = access_to or "USER"
        return f"sudo mount -t cifs {unc} {mount_point} -o username={user}"
    if protocol == "CEPHFS":
        user = access_to or "CEPHX_ID"
        return (f"sudo mount -t ceph {path} {mount_point} -o name={user},"
                f"secretfile=/etc/ceph/{user}.secret")
    raise BadRequest(f"No mount recipe for protocol {protocol!r}: this helper knows NFS, CIFS "
                     f"and CEPHFS. See your cloud's documentation for {protocol}.")


# ------------------------------------------------------------------ snapshots

def create_snapshot(conn, share, name, wait=True, timeout=120):
    """Snapshot a share (name gets 'day3-'); waits until available."""
    sfs = manila(conn)
    name = marks.name(name)
    share_id = getattr(share, "id", share)
    try:
        snap = sfs.create_share_snapshot(share_id=share_id, name=name)
    except sdk_exc.BadRequestException as exc:
        raise BadRequest(f"Manila refused the snapshot: {error_line(exc)}") from None
    if not wait:
        return snap
    return _wait(lambda: sfs.get_share_snapshot(snap.id), "snapshot", "available", timeout,
                 False)


def delete_snapshot(conn, snapshot, wait=True, timeout=120):
    """Delete a snapshot (object or ID). Already gone: nothing to do, returns False."""
    sfs = manila(conn)
    snap_id = getattr(snapshot, "id", snapshot)
    try:
        found = sfs.get_share_snapshot(snap_id)
    except sdk_exc.NotFoundException:
        return False
    sfs.delete_share_snapshot(found.id, ignore_missing=True)
    if wait:
        _wait_gone(lambda: sfs.get_share_snapshot(found.id), f"snapshot {found.name}", timeout)
    return True


# ------------------------------------------------------------------ cleanup

def _marked(conn, lesson):
    """Marked shares (of one lesson, or of any with lesson=None); none without Manila."""
    if not available(conn):
        return []
    return [s for s in manila(conn).shares(details=True)
            if marks.is_marked(s.name, s.metadata, lesson)]


@cleanup.finder("share access rule", order=20)
def _marked_rules(conn, lesson):
    return [(f"{share.name}: {rule.access_to}",
             lambda share=share, rule=rule: deny_access(conn, share, rule))
            for share in _marked(conn, lesson) for rule in access_rules(conn, share)]


@cleanup.finder("share copy", order=21)
def _marked_copies(conn, lesson):
    # shares made from a snapshot go before it: some back ends cannot drop a cloned snapshot
    return [(share.name, lambda share=share: delete_share(conn, share))
            for share in _marked(conn, lesson) if share.snapshot_id]


@cleanup.finder("share snapshot", order=22)
def _marked_snapshots(conn, lesson):
    found = []
    for share in _marked(conn, lesson):
        for snap in manila(conn).share_snapshots(share_id=share.id):
            if marks.has_prefix(snap.name):
                found.append((snap.name, lambda snap=snap: delete_snapshot(conn, snap)))
    return found


@cleanup.finder("share", order=23)
def _marked_shares(conn, lesson):
    return [(share.name, lambda share=share: delete_share(conn, share))
            for share in _marked(conn, lesson) if not share.snapshot_id]
