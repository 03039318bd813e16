"""labkit.shares against the pocket cloud's real Manila (api + scheduler + share service with
Manila's DummyDriver): round trips, every bad input of issue 4, cleanup, repeated cycles."""

import pytest
from openstack import exceptions as sdk_exc

from labkit import cleanup, marks, shares
from labkit.exercises import shares as exercises
from labkit.shares import BadRequest, HasSnapshots, NotFound

pytestmark = pytest.mark.cloud


@pytest.fixture
def share(learner, day3_name):
    """A fresh marked 1 GiB NFS share, removed (with its snapshots) afterwards."""
    made = shares.create_share(learner, day3_name, size=1)
    yield made
    sfs = shares.manila(learner)
    for snap in sfs.share_snapshots(share_id=made.id):
        shares.delete_snapshot(learner, snap)
    shares.delete_share(learner, made)


def _gone(sfs, share_id):
    try:
        sfs.get_share(share_id)
    except sdk_exc.NotFoundException:
        return True
    return False


def test_the_catalog_and_the_default_share_type(learner):
    assert shares.available(learner)
    default = shares.find_share_type(learner, "default")
    assert default.required_extra_specs["driver_handles_share_servers"] in ("False", "false")
    assert default.extra_specs["snapshot_support"] in ("True", "true")
    assert default.is_default


def test_create_marks_waits_and_exports(learner, share):
    assert share.status == "available"
    assert share.name.startswith(marks.PREFIX)
    assert share.metadata[marks.KEY] == shares.LESSON
    assert share.id in {s.id for s in shares.list_shares(learner, lesson=shares.LESSON)}
    locations = shares.export_locations(learner, share)
    assert locations and locations[0].is_preferred
    command = shares.mount_command(share.share_protocol, locations[0].path)
    assert command.startswith("sudo mount -t nfs ") and locations[0].path in command


def test_access_rules_become_active_and_go_away(learner, share):
    rw = shares.allow_access(learner, share, "10.0.0.0/24", "rw")
    ro = shares.allow_access(learner, share, "10.0.1.5", "ro")
    assert (rw.state, ro.state) == ("active", "active")
    found = {r.access_to: r.access_level for r in shares.access_rules(learner, share)}
    assert found == {"10.0.0.0/24": "rw", "10.0.1.5": "ro"}
    assert shares.deny_access(learner, share, ro) is True
    assert shares.deny_access(learner, share, ro) is False  # already gone: a no-op
    assert [r.access_to for r in shares.access_rules(learner, share)] == ["10.0.0.0/24"]


def test_metadata_extend_and_shrink(learner, share):
    meta = shares.set_metadata(learner, share, team="physics")
    assert meta["team"] == "physics" and meta[marks.KEY] == shares.LESSON
    assert shares.resize_share(learner, share, 3).size == 3
    assert shares.resize_share(learner, share, 2).size == 2
    assert shares.get_share(learner, share.id).status == "available"


def test_snapshot_copy_and_delete_order(learner, share):
    snap = shares.create_snapshot(learner, share, f"{share.name}-snap")
    assert snap.status == "available" and snap.share_id == share.id
    copy = shares.create_share(learner, f"{share.name}-copy", size=share.size, snapshot=snap)
    assert copy.snapshot_id == snap.id and copy.status == "available"
    with pytest.raises(HasSnapshots, match="delete them first"):
        shares.delete_share(learner, share)
    assert shares.get_share(learner, share.id).status == "available"  # nothing was lost
    assert shares.delete_share(learner, copy) is True
    assert shares.delete_snapshot(learner, snap) is True
    assert shares.delete_snapshot(learner, snap) is False
    assert shares.delete_share(learner, share) is True
    assert shares.delete_share(learner, share) is False
    assert _gone(shares.manila(learner), share.id)


# ---------------------------------------------------------------- bad input (issue 4)

@pytest.mark.parametrize("size", [0, -2])
def test_size_zero_or_negative(learner, day3_name, size):
    with pytest.raises(BadRequest, match="at least 1 GiB"):
        shares.create_share(learner, day3_name, size=size)
    # and Manila itself refuses it too
    with pytest.raises(sdk_exc.BadRequestException, match="greater than 0"):
        shares.manila(learner).create_share(name=day3_name, size=size, share_proto="NFS")
    assert not list(shares.manila(learner).shares(name=day3_name))


def test_share_type_that_does_not_exist(learner, day3_name):
    with pytest.raises(NotFound, match="no share type 'gold'.*default"):
        shares.create_share(learner, day3_name, share_type="gold")
    with pytest.raises(sdk_exc.NotFoundException):
        shares.manila(learner).create_share(name=day3_name, size=1, share_proto="NFS",
                                            share_type="gold")
    assert not list(shares.manila(learner).shares(name=day3_name))


def test_name_clash(learner, share):
    with pytest.raises(BadRequest, match="exists already"):
        shares.create_share(learner, share.name)
    assert len(list(shares.manila(learner).shares(name=share.name))) == 1


@pytest.mark.parametrize("address", ["10.0.0.300", "10.0.0.1/24", "not-an-ip"])
def test_invalid_ip_or_cidr(learner, share, address):
    with pytest.raises(BadRequest, match="not an IP address"):
        shares.allow_access(learner, share, address)
    if address != "10.0.0.1/24":  # Manila itself accepts host bits; the helper is stricter
        with pytest.raises(sdk_exc.BadRequestException):
            shares.manila(learner).create_access_rule(share.id, access_type="ip",
                                                      access_to=address, access_level="rw")
    assert shares.access_rules(learner, share) == []


def test_duplicate_rule(learner, share):
    first = shares.allow_access(learner, share, "10.0.0.0/24", "rw")
    with pytest.raises(BadRequest, match=f"already has a rule.*{first.id}"):
        shares.allow_access(learner, share, "10.0.0.0/24", "ro")
    rules = shares.access_rules(learner, share)
    assert [(r.access_to, r.access_level, r.state) for r in rules] == \
        [("10.0.0.0/24", "rw", "active")]


def test_deleting_a_share_that_has_snapshots(learner, share):
    snap = shares.create_snapshot(learner, share, f"{share.name}-keep")
    with pytest.raises(HasSnapshots, match=snap.name):
        shares.delete_share(learner, share)
    with pytest.raises(sdk_exc.ForbiddenException, match="dependent snapshots"):
        shares.manila(learner).delete_share(share.id)
    assert shares.get_share(learner, share.id).status == "available"
    assert shares.manila(learner).get_share_snapshot(snap.id).status == "available"


def test_shrinking_below_what_is_allowed(learner, share):
    shares.resize_share(learner, share, 2)
    for size in (0, -1):
        with pytest.raises(BadRequest, match="at least 1 GiB"):
            shares.resize_share(learner, share, size)
    with pytest.raises(BadRequest, match="already 2 GiB"):
        shares.resize_share(learner, share, 2)
    with pytest.raises(sdk_exc.BadRequestException, match="greater than 0"):
        shares.manila(learner).resize_share(share.id, 0)
    kept = shares.get_share(learner, share.id)
    assert (kept.size, kept.status) == (2, "available")


def test_get_share_errors_name_the_case(learner, day3_name):
    with pytest.raises(NotFound, match=day3_name):
        shares.get_share(learner, day3_name)
    assert shares.delete_share(learner, day3_name) is False


# ---------------------------------------------------------------- cleanup, exercises, cycles

def test_cleanup_removes_rules_snapshots_and_copies_only_of_the_lesson(learner, day3_name):
    share = shares.create_share(learner, day3_name)
    shares.allow_access(learner, share, "10.0.0.0/24")
    snap = shares.create_snapshot(learner, share, f"{day3_name}-snap")
    copy = shares.create_share(learner, f"{day3_name}-copy", snapshot=snap)
    stranger = shares.manila(learner).create_share(name=f"{day3_name}-unmarked", size=1,
                                                   share_proto="NFS")
    try:
        listed = cleanup.cleanup(learner, lesson=None, dry_run=True, quiet=True)
        assert stranger.name not in {r.name for r in listed}  # every lesson: still not it
        report = cleanup.cleanup(learner, lesson=shares.LESSON, quiet=True)
        done = [(r.kind, r.name) for r in report if r.done]
        assert ("share access rule", f"{share.name}: 10.0.0.0/24") in done
        assert ("share snapshot", snap.name) in done
        kinds = [k for k, _ in done]
        assert ("share copy", copy.name) in done and ("share", share.name) in done
        # the copy goes before its snapshot, the snapshot before its share
        assert kinds.index("share copy") < kinds.index("share snapshot") < kinds.index("share")
        assert all(r.done for r in report), report
        sfs = shares.manila(learner)
        assert _gone(sfs, share.id) and _gone(sfs, copy.id)
        assert sfs.get_share(stranger.id).name == stranger.name  # not marked: untouched
    finally:
        shares.manila(learner).wait_for_status(stranger, "available", interval=1, wait=60)
        shares.manila(learner).delete_share(stranger.id)


def test_create_delete_cycles_leave_nothing_stuck(learner, day3_name):
    # (a guard from the sqlite days, when shares got stuck: every step twice, the second cycle
    # on a Manila the first one used; tests/test_concurrent_learners.py loads Manila from
    # several learners at once)
    sfs = shares.manila(learner)
    for cycle in range(2):
        share = shares.create_share(learner, f"{day3_name}-{cycle}", timeout=60)
        rule = shares.allow_access(learner, share, f"10.1.{cycle}.0/24", "ro")
        snap = shares.create_snapshot(learner, share, f"{day3_name}-{cycle}-snap", timeout=60)
        shares.delete_snapshot(learner, snap, timeout=60)
        shares.deny_access(learner, share, rule)
        shares.delete_share(learner, share, timeout=60)
    left = [s for s in sfs.shares(details=True) if s.name.startswith(day3_name)]
    assert left == []
    assert [s for s in sfs.share_snapshots() if (s.name or "").startswith(day3_name)] == []


@pytest.mark.disruptive  # Manila stops: the concurrency test and lesson 2 use it
def test_manila_down_is_said_and_skipped_and_comes_back(pocket, learner, capsys):
    pocket.down(["manila"])
    try:
        assert shares.available(learner) is False
        assert shares.require(learner) is False
        assert "does not answer" in capsys.readouterr().out
        assert shares._marked_shares(learner, shares.LESSON) == []  # cleanup moves on
        outcome = exercises.ReadOnlyShare(learner).check()
        assert outcome.kind == "Cannot check"
    finally:
        pocket.up(timeout=180)
    assert shares.available(learner)
