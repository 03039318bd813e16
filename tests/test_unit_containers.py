"""Unit tests of labkit.containers' own logic: ACL parsing and explaining, name checks,
the streaming reader and the SLO ETag arithmetic (no cloud needed)."""

import hashlib
import io

import pytest

from labkit import containers
from labkit.containers import MalformedACL, NameRefused


# ---------------------------------------------------------------- ACLs

@pytest.mark.parametrize("acl, cleaned", [
    (".r:*", [".r:*"]),
    (".r:*, .rlistings", [".r:*", ".rlistings"]),
    (" .referrer : * ,,", [".r:*"]),
    (".ref:.example.com,.r:-thief.example.com", [".r:.example.com", ".r:-thief.example.com"]),
    ("abc123:*", ["abc123:*"]),
    ("*:*", ["*:*"]),
    ("admin", ["admin"]),
    ("", []),
    (None, []),
])
def test_parse_read_acl_cleans_as_swift_does(acl, cleaned):
    assert containers.parse_acl(acl, "read") == cleaned


@pytest.mark.parametrize("acl, kind, says", [
    (".r:", "read", "needs a host"),
    (".r:-", "read", "needs a host"),
    (".r:*", "write", "only work in a READ"),
    (".rlistings", "write", "unknown designator"),
    (".rlisting", "read", "unknown designator"),
    (".x:1", "read", "unknown designator"),
    ("a:b:c", "read", "exactly one ':'"),
])
def test_malformed_acls_are_refused_with_advice(acl, kind, says):
    with pytest.raises(MalformedACL, match=says):
        containers.parse_acl(acl, kind)


def test_parse_acl_rejects_unknown_kind():
    with pytest.raises(ValueError, match="'read' or 'write'"):
        containers.parse_acl(".r:*", "list")


def test_explain_acl_says_what_each_element_grants():
    rows = containers.explain_acl(".r:*,.rlistings,p1:*,p2:u2,reader", "read")
    grants = {row["element"]: row["grants"] for row in rows}
    assert "without a token" in grants[".r:*"] and "not list" in grants[".r:*"]
    assert "may also list" in grants[".rlistings"]
    assert grants["p1:*"].startswith("any user of project p1")
    assert grants["p2:u2"].startswith("user u2 of project p2")
    assert "role 'reader'" in grants["reader"]
    assert {row["acl"] for row in rows} == {"read"}


def test_explain_rlistings_alone_warns_it_needs_a_referrer():
    (row,) = containers.explain_acl(".rlistings", "read")
    assert "only together with a .r:" in row["grants"]


def test_explain_write_acl_and_referrer_domains():
    (row,) = containers.explain_acl("p9:*", "write")
    assert "create, overwrite and delete" in row["grants"]
    rows = containers.explain_acl(".r:.example.com,.r:-bad.example.com", "read")
    assert "any host in example.com" in rows[0]["grants"]
    assert rows[1]["grants"].startswith("deny")


def test_project_acl():
    assert containers.project_acl("abc") == "abc:*"
    assert containers.project_acl("abc", "u1") == "abc:u1"


# ---------------------------------------------------------------- names

@pytest.mark.parametrize("name, says", [
    ("", "non-empty"),
    ("day3-a/b", "cannot contain '/'"),
    ("x" * 257, "257 bytes long; this cloud allows at most 256"),
    ("é" * 129, "258 bytes"),  # the limit counts UTF-8 bytes, not characters
])
def test_container_names_swift_refuses(name, says):
    with pytest.raises(NameRefused, match=says):
        containers.check_container_name(name)


def test_container_names_swift_accepts():
    containers.check_container_name("x" * 256)
    containers.check_container_name("day3-photos_2024 (copy)")


def test_object_names():
    containers.check_object_name("a/b/c.txt")
    containers.check_object_name("o" * 1024)
    with pytest.raises(NameRefused, match="1025 bytes"):
        containers.check_object_name("o" * 1025)
    with pytest.raises(NameRefused, match="non-empty"):
        containers.check_object_name("")
    with pytest.raises(NameRefused, match="at most 10"):
        containers.check_object_name("o" * 11, max_length=10)


# ---------------------------------------------------------------- streaming and checksums

class _Counter:
    def __init__(self):
        self.total = 0

    def advance(self, count):
        self.total += count


def test_stream_sends_exactly_length_bytes_and_hashes_them():
    data = bytes(range(256)) * 10000  # 2.4 MiB: several 1 MiB chunks
    counter = _Counter()
    stream = containers._Stream(io.BytesIO(data + b"tail"), len(data), counter)
    assert len(stream) == len(data)
    sent = b"".join(stream)
    assert sent == data
    assert counter.total == len(data)
    assert stream.md5.hexdigest() == hashlib.md5(data).hexdigest()


def test_stream_refuses_a_file_that_shrank():
    stream = containers._Stream(io.BytesIO(b"short"), 100, _Counter())
    with pytest.raises(IOError, match="shorter"):
        b"".join(stream)


def test_slo_etag_is_md5_of_segment_md5s_whatever_the_chunking():
    segments = [b"a" * 7, b"b" * 7, b"c" * 3]
    expected = hashlib.md5("".join(hashlib.md5(s).hexdigest() for s in segments)
                           .encode()).hexdigest()
    whole = b"".join(segments)
    for chunk_size in (1, 4, 7, 10, 100):
        hashes = containers._SegmentHashes(len(s) for s in segments)
        for start in range(0, len(whole), chunk_size):
            hashes.update(whole[start:start + chunk_size])
        assert hashes.etag() == expected
        assert len(hashes.digests) == 3


def test_changed_signature_differs_only_in_the_signature():
    url = "http://h/v1/AUTH_p/c/o?temp_url_sig=abcdef&temp_url_expires=10"
    forged = containers.with_changed_signature(url)
    assert forged != url
    assert forged.endswith("&temp_url_expires=10")
    assert forged.split("temp_url_sig=")[1][1:] == "bcdef&temp_url_expires=10"
    zero = "http://h/o?temp_url_sig=0bc&temp_url_expires=1"
    assert containers.with_changed_signature(zero) != zero


def test_missing_upload_source_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist.*Nothing was uploaded"):
        containers._source(tmp_path / "nope.bin")
    with pytest.raises(FileNotFoundError, match="it is a folder"):
        containers._source(tmp_path)


def test_masked_temp_url_hides_the_signature():
    url = "http://h/v1/AUTH_p/c/o?temp_url_sig=" + "ab" * 32 + "&temp_url_expires=10"
    shown = containers.masked(url)
    assert "ab" * 32 not in shown and shown.endswith("temp_url_sig=ababab...&temp_url_expires=10")
    assert containers.masked("http://h/v1/AUTH_p/c/o") == "http://h/v1/AUTH_p/c/o"


def test_application_container_types_are_zuns_and_magnums_with_their_aliases():
    # service-types-authority (os-service-types, installed with keystoneauth) is the source
    import os_service_types

    authority = os_service_types.ServiceTypes()
    expected = set()
    for official in ("application-container", "container-infrastructure-management"):
        expected |= {official, *authority.get_aliases(official)}
    assert set(containers.APPLICATION_CONTAINER_TYPES) == expected


def test_application_container_services_finds_official_names_and_aliases(monkeypatch):
    def endpoint(url):
        return [{"interface": "public", "url": url}, {"interface": "internal", "url": "x"}]

    catalog = [{"type": "application-container", "name": "zun", "endpoints": endpoint("z")},
               {"type": "container-infra", "name": "magnum", "endpoints": endpoint("m")},
               {"type": "object-store", "name": "swift", "endpoints": endpoint("s")}]
    monkeypatch.setattr(containers.capabilities, "catalog", lambda conn: catalog)
    rows = containers.application_container_services(None)
    assert [(r["name"], r["url"]) for r in rows] == [("zun", "z"), ("magnum", "m")]


def test_cleanup_passes_over_a_container_deleted_after_it_was_listed(monkeypatch):
    """Another notebook, or another lesson's cleanup, may delete a container between the
    listing and the next call: Swift then answers 404, and there is nothing left to clean."""
    from types import SimpleNamespace

    from openstack import exceptions as sdk_exc

    from labkit import containers, marks

    mark = {marks.KEY: "04"}
    gone = {"day3-gone-at-head", "day3-gone-at-listing"}

    class Store:
        def containers(self, prefix):
            return [SimpleNamespace(name=n) for n in ("day3-kept", *sorted(gone))]

        def get_container_metadata(self, name):
            if name == "day3-gone-at-head":
                raise sdk_exc.NotFoundException("404")
            return SimpleNamespace(metadata=mark)

        def objects(self, name):
            if name == "day3-gone-at-listing":
                raise sdk_exc.NotFoundException("404")
            return [SimpleNamespace(name="a.txt")]

    monkeypatch.setattr(containers.capabilities, "has_service", lambda conn, kind: True)
    conn = SimpleNamespace(object_store=Store())
    assert containers.marked_containers(conn, "04") == ["day3-kept", "day3-gone-at-listing"]
    assert [name for name, _ in containers._marked_objects(conn, "04")] == ["day3-kept/a.txt"]
