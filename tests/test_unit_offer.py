"""Unit tests of labkit.offer: reading discovery and capability documents, recorded from real
services (Keystone 28, Glance 31, Neutron, Nova 33 of OpenStack 2026.1, Swift 2.37, and the
shape Manila's versions controller builds), and a summary of a cloud that lacks services.
The summary tests use a stand-in connection that serves those recorded documents.
"""

import pytest
import requests
from keystoneauth1 import exceptions as ks_exc

from labkit import offer

KEYSTONE_ROOT = {"versions": {"values": [{
    "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
    "links": [{"rel": "self", "href": "http://127.0.0.1:16000/v3/"}]}]}}
KEYSTONE_V3 = {"version": {
    "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
    "links": [{"rel": "self", "href": "http://127.0.0.1:16000/v3/"}]}}
GLANCE_ROOT = {"versions": [  # Glance lists the current version after the older ones
    {"id": "v2.15", "status": "SUPPORTED", "links": [{"rel": "self", "href": "http://g/v2/"}]},
    {"id": "v2.9", "status": "SUPPORTED", "links": [{"rel": "self", "href": "http://g/v2/"}]},
    {"id": "v2.17", "status": "CURRENT", "links": [{"rel": "self", "href": "http://g/v2/"}]},
    {"id": "v2.16", "status": "SUPPORTED", "links": [{"rel": "self", "href": "http://g/v2/"}]}]}
NEUTRON_ROOT = {"versions": [{"id": "v2.0", "status": "CURRENT",
                              "links": [{"rel": "self", "href": "http://n/v2.0/"}]}]}
NOVA_V21 = {"version": {
    "id": "v2.1", "status": "CURRENT", "version": "2.103", "min_version": "2.1",
    "updated": "2013-07-23T11:33:21Z", "links": [{"rel": "self", "href": "http://c/v2.1/"}]}}
NOVA_ROOT = {"versions": [
    {"id": "v2.0", "status": "DEPRECATED", "version": "", "min_version": "",
     "links": [{"rel": "self", "href": "http://c/v2/"}]},
    {"id": "v2.1", "status": "CURRENT", "version": "2.103", "min_version": "2.1",
     "links": [{"rel": "self", "href": "http://c/v2.1/"}]}]}
MANILA_ROOT = {"versions": [{
    "id": "v2.0", "status": "CURRENT", "version": "2.95", "min_version": "2.0",
    "updated": "2015-08-27T11:33:21Z", "links": [{"rel": "describedby", "type": "text/html",
                                                   "href": "http://docs.openstack.org/"}]}]}
GLANCE_IMPORT = {"import-methods": {"description": "Import methods available.", "type": "array",
                                    "value": ["glance-direct", "web-download", "copy-image"]}}
GLANCE_STORES = {"stores": [{"id": "fs", "default": "true"}, {"id": "cold"}]}
GLANCE_SCHEMA = {"name": "image", "properties": {
    "disk_format": {"type": ["null", "string"], "description": "Format of the disk",
                    "enum": [None, "ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2",
                             "vdi", "iso", "ploop"]},
    "container_format": {"type": ["null", "string"], "description": "Format of the container",
                         "enum": [None, "ami", "ari", "aki", "bare", "ovf", "ova", "docker",
                                  "compressed"]}}}
SWIFT_INFO = {
    "swift": {"version": "2.37.4", "max_file_size": 5368709122, "account_autocreate": True},
    "slo": {"max_manifest_segments": 1000, "max_manifest_size": 8388608, "min_segment_size": 1},
    "tempurl": {"methods": ["GET", "HEAD", "PUT", "POST", "DELETE"],
                "allowed_digests": ["sha1", "sha256", "sha512"]},
    "staticweb": {}}


# --- version discovery documents ---

@pytest.mark.parametrize("body, expected", [
    (KEYSTONE_ROOT, ("v3.14", "")),
    (KEYSTONE_V3, ("v3.14", "")),
    (GLANCE_ROOT, ("v2.17", "")),
    (NEUTRON_ROOT, ("v2.0", "")),
    (NOVA_V21, ("v2.1", "2.1 - 2.103")),
    (NOVA_ROOT, ("v2.1", "2.1 - 2.103")),
    (MANILA_ROOT, ("v2.0", "2.0 - 2.95")),
])
def test_current_version_and_microversions_from_each_shape(body, expected):
    assert offer.current_version(offer.parse_versions(body)) == expected


def test_newest_version_wins_when_none_is_marked_current():
    body = {"versions": [{"id": "v2.9", "status": "SUPPORTED"},
                         {"id": "v2.12", "status": "SUPPORTED"}]}
    assert offer.current_version(offer.parse_versions(body)) == ("v2.12", "")


def test_max_version_is_read_where_a_service_names_it_so():
    body = {"version": {"id": "v1.0", "status": "CURRENT", "min_version": "1.1",
                        "max_version": "1.9"}}
    assert offer.current_version(offer.parse_versions(body)) == ("v1.0", "1.1 - 1.9")


@pytest.mark.parametrize("body", [None, [], {}, {"error": "not found"}, {"versions": None},
                                  {"versions": [{"status": "CURRENT"}]}, "<html>"])
def test_anything_else_is_no_version(body):
    assert offer.current_version(offer.parse_versions(body)) == (None, "")


@pytest.mark.parametrize("url, root", [
    ("http://h:5000/v3", "http://h:5000/"),
    ("http://h:8774/v2.1/", "http://h:8774/"),
    ("http://h/share/v2", "http://h/share/"),
    ("http://h/share/v2/0123abcd", "http://h/share/"),
    ("http://h:8080/v1/AUTH_0123", "http://h:8080/"),
    ("http://h:9292", "http://h:9292/"),
    ("https://h/image", "https://h/image/"),
])
def test_unversioned_root_of_a_catalog_url(url, root):
    assert offer._unversioned(url) == root


# --- capability documents ---

def test_glance_import_methods_stores_and_format_enums():
    assert offer.parse_import_methods(GLANCE_IMPORT) == ["glance-direct", "web-download",
                                                         "copy-image"]
    assert offer.parse_import_methods({"import-methods": {"value": []}}) == []
    assert offer.parse_stores(GLANCE_STORES) == ["fs (default)", "cold"]
    disk = offer.parse_schema_enum(GLANCE_SCHEMA, "disk_format")
    assert None not in disk and disk[:3] == ["ami", "ari", "aki"] and "qcow2" in disk
    assert "bare" in offer.parse_schema_enum(GLANCE_SCHEMA, "container_format")
    assert offer.parse_schema_enum(GLANCE_SCHEMA, "no_such_attribute") == []


def test_swift_info_features():
    rows = dict(offer.parse_swift_info(SWIFT_INFO))
    assert rows["Swift release"] == "2.37.4"
    assert rows["largest single object"] == "5.0 GiB (5368709122 bytes)"
    assert rows["temporary URLs (tempurl)"].startswith("yes: methods GET, HEAD, PUT")
    assert "sha256" in rows["temporary URLs (tempurl)"]
    assert rows["static large objects (slo)"] == "yes: up to 1000 segments per manifest"


def test_swift_without_tempurl_or_slo_says_not_offered():
    rows = dict(offer.parse_swift_info({"swift": {"version": "2.30.0"}, "slo": None,
                                        "tempurl": None}))
    assert rows["temporary URLs (tempurl)"] == offer.NOT_OFFERED
    assert rows["static large objects (slo)"] == offer.NOT_OFFERED
    assert "largest single object" not in rows


# --- a summary of a cloud that lacks services, through a stand-in connection ---

class _Response:
    def __init__(self, status, body):
        self.status_code, self._body = status, body

    def json(self):
        if self._body is None:
            raise ValueError("no JSON")
        return self._body

    def raise_for_status(self):
        if self.status_code >= 400:
            raise requests.HTTPError(f"{self.status_code} Client Error for url")


class _Config:
    def get_interface(self):
        return "public"

    def get_region_name(self):
        return "RegionOne"


class _Access:
    def __init__(self, catalog):
        self.service_catalog = type("Catalog", (), {"catalog": catalog})


class _Session:
    def __init__(self, catalog, documents):
        self.auth = type("Auth", (), {"get_access": lambda _self, _s: _Access(catalog)})()
        self.documents = documents

    def get(self, url, **_):
        found = self.documents.get(url)
        if isinstance(found, Exception):
            raise found
        return _Response(*found) if found else _Response(404, None)


class _Glance:
    def __init__(self, documents):
        self.documents = documents

    def get(self, path):
        if isinstance(self.documents, Exception):  # the whole service is down
            raise self.documents
        return _Response(*self.documents.get(path, (404, None)))


class _Conn:
    def __init__(self, catalog, documents, glance=None):
        self.config = _Config()
        self.session = _Session(catalog, documents)
        self.image = _Glance({} if glance is None else glance)


def _entry(service_type, name, url):
    return {"type": service_type, "name": name, "endpoints": [
        {"interface": "admin", "region_id": "RegionOne", "url": "http://admin-only/"},
        {"interface": "public", "region_id": "RegionOne", "url": url}]}


def test_a_cloud_with_only_identity_and_a_dead_image_service():
    catalog = [_entry("identity", "keystone", "http://k:5000/v3"),
               _entry("image", "glance", "http://g:9292")]
    documents = {"http://k:5000/v3": (200, KEYSTONE_V3),
                 "http://g:9292": ConnectionRefusedError("Connection refused"),
                 "http://g:9292/": ConnectionRefusedError("Connection refused")}
    found = offer.summary(_Conn(catalog, documents, ConnectionRefusedError("refused")))

    assert [(s.type, s.endpoint, s.version) for s in found.services] == [
        ("identity", "http://k:5000/v3", "v3.14"),
        ("image", "http://g:9292", "unreachable: Connection refused")]
    assert found.feature("object-store", "service") == offer.NOT_OFFERED
    assert found.feature("compute", "service") == offer.NOT_OFFERED
    assert found.feature("shared-file-system", "service").startswith(offer.NOT_OFFERED)
    assert found.feature("image", "service") == "unreachable: Connection refused"
    assert found.feature("image", "import methods") is None  # one line, not four failures
    assert not found.offers("object-store") and found.offers("image")


def test_a_refused_connection_names_the_url():
    catalog = [_entry("compute", "nova", "http://c:8774/v2.1"),
               _entry("shared-file-system", "manila", "http://m/share/v2")]
    refused = ks_exc.ConnectFailure("Unable to establish connection to http://c:8774/v2.1")
    documents = {"http://c:8774/v2.1": refused, "http://m/share/v2": refused}
    found = offer.summary(_Conn(catalog, documents))
    assert found.services[0].version == "unreachable: no answer at http://c:8774/v2.1"
    assert found.feature("compute", "service") == found.services[0].version
    assert found.feature("shared-file-system", "API microversions") == \
        "unreachable: no answer at http://m/share/v2"


def test_manila_under_its_old_type_name_and_glance_without_multistore():
    catalog = [_entry("sharev2", "manilav2", "http://m/share/v2"),
               _entry("image", "glance", "http://g:9292"),
               _entry("dns", "designate", "http://d:9001/")]
    documents = {"http://m/share/": (300, MANILA_ROOT), "http://g:9292": (300, GLANCE_ROOT)}
    glance = {"/info/import": (200, GLANCE_IMPORT), "/schemas/image": (200, GLANCE_SCHEMA)}
    found = offer.summary(_Conn(catalog, documents, glance))

    manila, image, dns = found.services
    assert (manila.version, manila.microversions) == ("v2.0", "2.0 - 2.95")
    assert manila.use.startswith("part 2") and dns.use == "not used by this course"
    assert dns.version == "no discovery document"
    assert found.feature("sharev2", "API microversions") == "2.0 - 2.95"
    assert found.feature("image", "stores") == "one store (multi-store not configured)"
    assert found.feature("image", "import methods") == "glance-direct, web-download, copy-image"
    assert "qcow2" in found.feature("image", "disk formats")


def test_a_glance_error_is_reported_not_hidden():
    catalog = [_entry("image", "glance", "http://g:9292")]
    glance = {"/info/import": (500, None), "/schemas/image": (403, None)}
    found = offer.summary(_Conn(catalog, {"http://g:9292": (300, GLANCE_ROOT)}, glance))
    assert found.feature("image", "import methods").startswith("could not ask: 500")
    assert found.feature("image", "disk formats").startswith("could not ask: 403")


def test_show_summary_prints_both_tables(capsys):
    catalog = [_entry("compute", "nova", "http://c:8774/v2.1")]
    offer.show_summary(_Conn(catalog, {"http://c:8774/v2.1": (200, NOVA_V21)}))
    out = capsys.readouterr().out
    assert "Services in the catalog" in out and "2.1 - 2.103" in out
    assert "parts 1 and 3: servers booted from your images, key pairs" in out
    assert "not offered" in out
