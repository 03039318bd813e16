"""labkit.shares without a cloud: input checks, mount commands, and cleanup's order."""

import pytest

from labkit import cleanup, share_clients, shares  # noqa: F401  (share_clients: its finder)
from labkit.shares import BadRequest


@pytest.mark.parametrize("size", [0, -1, 1.5, "2", None, True])
def test_sizes_manila_would_refuse_are_refused_with_advice(size):
    with pytest.raises(BadRequest, match="GiB"):
        shares.check_size(size)


@pytest.mark.parametrize("size", [1, 2, 1000])
def test_whole_positive_sizes_pass(size):
    shares.check_size(size)


@pytest.mark.parametrize("address", ["10.0.0.5", "10.0.0.0/24", "2001:db8::/64", "::1"])
def test_ip_rules_accept_addresses_and_networks(address):
    shares.check_access("ip", address, "rw")


@pytest.mark.parametrize("address, why", [
    ("10.0.0.300", "not an IP address"),
    ("10.0.0.1/24", "host bits"),
    ("10.0.0.0/33", "not an IP address"),
    ("", "not an IP address"),
    ("server.example.org", "not an IP address"),
])
def test_bad_ip_rules_say_what_a_good_one_looks_like(address, why):
    with pytest.raises(BadRequest, match=why) as caught:
        shares.check_access("ip", address, "ro")
    assert "10.0.0.0/24" in str(caught.value)  # the example of a valid network


def test_access_level_and_type_are_checked():
    with pytest.raises(BadRequest, match="'rw'.*'ro'"):
        shares.check_access("ip", "10.0.0.5", "write")
    with pytest.raises(BadRequest, match="access_type must be one of"):
        shares.check_access("ipv4", "10.0.0.5", "rw")
    with pytest.raises(BadRequest, match="needs access_to"):
        shares.check_access("user", " ", "rw")
    shares.check_access("user", "alice", "rw")
    shares.check_access("cephx", "alice", "ro")


def test_mount_commands_per_protocol():
    assert shares.mount_command("nfs", "10.0.0.10:/exports/docs") == \
        "sudo mount -t nfs 10.0.0.10:/exports/docs /mnt/share"
    assert shares.mount_command("CIFS", r"\\10.0.0.10\docs", "/mnt/d", access_to="alice") == \
        "sudo mount -t cifs //10.0.0.10/docs /mnt/d -o username=alice"
    ceph = shares.mount_command("CephFS", "10.0.0.21:6789:/volumes/_nogroup/x", access_to="bob")
    assert ceph.startswith("sudo mount -t ceph 10.0.0.21:6789:/volumes/_nogroup/x /mnt/share")
    assert "name=bob" in ceph


def test_mount_command_for_an_unknown_protocol_says_which_it_knows():
    with pytest.raises(BadRequest, match="NFS, CIFS and CEPHFS"):
        shares.mount_command("HDFS", "hdfs://10.0.0.1/x")


def test_cleanup_removes_clients_then_rules_then_copies_then_snapshots_then_shares():
    kinds = [kind for _, kind, *_ in cleanup._FINDERS if kind.startswith("share")]
    assert kinds == ["share client", "share access rule", "share copy", "share snapshot",
                     "share"]


class _NoManila:
    """A connection whose catalog has no Manila (only what capabilities reads)."""

    class session:
        class auth:
            @staticmethod
            def get_access(_session):
                class Access:
                    class service_catalog:
                        catalog = [{"type": "identity"}, {"type": "image"}]
                return Access


def test_without_manila_the_finders_find_nothing_and_require_says_so(capsys):
    conn = _NoManila()
    assert shares.available(conn) is False
    assert shares._marked_rules(conn, "02") == []
    assert shares._marked_copies(conn, "02") == []
    assert shares._marked_snapshots(conn, "02") == []
    assert shares._marked_shares(conn, "02") == []
    assert shares.require(conn) is False
    assert "no shared file systems (Manila)" in capsys.readouterr().out


def test_a_passing_400_while_a_snapshot_goes_is_waited_out(monkeypatch):
    # Manila answers 400 to a GET that races the removal of a snapshot's last instance;
    # the wait asks again until the 404 comes.
    from openstack import exceptions as sdk_exc

    monkeypatch.setattr(shares.time, "sleep", lambda _: None)
    answers = iter([sdk_exc.BadRequestException("race"), sdk_exc.NotFoundException("gone")])

    def fetch():
        raise next(answers)

    shares._wait_gone(fetch, "snapshot s", timeout=60)


def test_a_400_that_never_ends_is_reported_not_waited_forever(monkeypatch):
    from openstack import exceptions as sdk_exc

    clock = iter(range(0, 1000, 10))
    monkeypatch.setattr(shares.time, "sleep", lambda _: None)
    monkeypatch.setattr(shares.time, "monotonic", lambda: next(clock))

    def fetch():
        raise sdk_exc.BadRequestException("race")

    with pytest.raises(shares.ShareError, match="still being deleted"):
        shares._wait_gone(fetch, "snapshot s", timeout=60)


class _Manila:
    """Manila's share answers, one per GET, in order (the last repeats)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.resized = None

    def get_share(self, share_id):
        from types import SimpleNamespace
        status, size = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return SimpleNamespace(id=share_id, name="day3-s", status=status, size=size)

    def resize_share(self, share_id, new_size):
        self.resized = new_size

    def user_messages(self, resource_id):
        from types import SimpleNamespace
        return [SimpleNamespace(created_at="2026-12-01T11:26:02",
                                user_message="shrink: possible data loss")]


def _shrink_with(monkeypatch, manila):
    monkeypatch.setattr(shares, "manila", lambda conn: manila)
    monkeypatch.setattr(shares.time, "sleep", lambda _: None)
    return shares.resize_share(None, "share-id", 2)


def test_a_read_that_shows_the_new_status_with_the_old_size_is_read_again(monkeypatch):
    # before; while shrinking; a GET across Manila's last write; the next GET
    manila = _Manila(("available", 3), ("shrinking", 3), ("available", 3), ("available", 2))
    assert _shrink_with(monkeypatch, manila).size == 2 and manila.resized == 2


def test_a_shrink_the_back_end_refused_is_reported_with_manilas_message(monkeypatch):
    manila = _Manila(("available", 3), ("shrinking", 3), ("available", 3))
    with pytest.raises(shares.ShrinkRefused, match="still 3 GiB.*possible data loss"):
        _shrink_with(monkeypatch, manila)
