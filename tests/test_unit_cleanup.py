"""labkit.cleanup's order, without a cloud: the deletes of a side_by_side kind run at once,
and a kind starts only once every delete of the kinds before it has ended."""

import threading

from labkit import cleanup


def test_deletes_of_a_kind_run_together_and_the_next_kind_waits_for_them(monkeypatch):
    both_servers_asked = threading.Barrier(2, timeout=5)  # broken if the two run one by one
    events = []

    def delete_server(name):
        def delete():
            both_servers_asked.wait()
            events.append(f"{name} gone")
        return delete

    def servers(conn, lesson):
        return [(name, delete_server(name)) for name in ("day3-a", "day3-b")]

    def networks(conn, lesson):
        return [("day3-net", lambda: events.append("day3-net gone"))]

    def stuck(conn, lesson):
        return [("day3-stuck", lambda: (_ for _ in ()).throw(RuntimeError("409 in use\nmore")))]

    monkeypatch.setattr(cleanup, "_FINDERS", [(1, "server", servers, True, False),
                                              (2, "key", stuck, False, False),
                                              (25, "network", networks, False, False)])
    monkeypatch.setattr(cleanup, "_load_lesson_modules", lambda: None)
    report = cleanup.cleanup(conn=None, quiet=True)
    assert [(r.kind, r.name, r.done, r.error) for r in report] == [
        ("server", "day3-a", True, ""), ("server", "day3-b", True, ""),
        ("key", "day3-stuck", False, "409 in use"), ("network", "day3-net", True, "")]
    assert sorted(events[:2]) == ["day3-a gone", "day3-b gone"] and events[2] == "day3-net gone"


def test_local_false_leaves_this_machines_lesson_files(monkeypatch):
    """A workshop's cleanup of its students' clouds (local=False) must not delete the
    instructor's own lesson files: keys and clouds.yaml entries on this machine."""
    deleted = []

    def remote(conn, lesson):
        return [("day3-group", lambda: deleted.append("day3-group"))]

    def files(conn, lesson):
        return [("/home/me/.labkit-day3/keys/day3-laptop", lambda: deleted.append("key file"))]

    monkeypatch.setattr(cleanup, "_FINDERS", [(30, "security group", remote, False, False),
                                              (90, "local file", files, False, True)])
    monkeypatch.setattr(cleanup, "_load_lesson_modules", lambda: None)
    report = cleanup.cleanup(conn=None, quiet=True, local=False)
    assert [r.kind for r in report] == ["security group"] and deleted == ["day3-group"]
    assert [r.kind for r in cleanup.cleanup(conn=None, quiet=True)] == ["security group",
                                                                        "local file"]
