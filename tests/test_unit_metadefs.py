"""labkit's own logic around Glance's metadefs and API answers, without a cloud: how the
catalog reads Glance's JSON (pagination, objects, enums), and what a form says when a cloud
has no definitions. The cloud tests (test_widgets.py) read a real catalog."""

from types import SimpleNamespace

import pytest

from labkit import images, images_metadefs
from labkit.widgets.metadata_catalog import EMPTY, MetadataCatalog
from labkit.widgets.metadata_rows import MetadataRows


class Answer:
    def __init__(self, body, status=200, reason="OK", text=None):
        self.body, self.status_code, self.reason = body, status, reason
        self.text = text if text is not None else ""

    def json(self):
        return self.body

    def raise_for_status(self):
        if self.status_code >= 400:
            raise RuntimeError(self.status_code)


class FakeImageAPI:
    """GET answers keyed by (path, marker): Glance's metadefs JSON, two pages of namespaces."""

    def __init__(self, pages, namespaces):
        self.pages, self.namespaces, self.asked = pages, namespaces, []

    def get(self, path, params=None):
        self.asked.append((path, dict(params or {})))
        if path == "/metadefs/namespaces":
            return Answer(self.pages[(params or {}).get("marker")])
        return Answer(self.namespaces[path.rsplit("/", 1)[1]])


def fake_conn(pages, namespaces):
    return SimpleNamespace(image=FakeImageAPI(pages, namespaces))


LIBVIRT = {"namespace": "OS::Compute::LibvirtImage", "display_name": "libvirt Driver Options",
           "properties": {"hw_disk_bus": {"title": "Disk Bus", "type": "string",
                                          "enum": ["scsi", "virtio"]},
                          "hw_boot_menu": {"title": "Boot Menu", "type": "boolean"}}}
TOPOLOGY = {"namespace": "OS::Compute::VirtCPUTopology", "display_name": "Virtual CPU Topology",
            "objects": [{"name": "t", "properties": {"hw_cpu_sockets": {"type": "integer"}}}]}
EMPTY_NS = {"namespace": "OS::Empty", "display_name": "Nothing"}


def test_catalog_follows_pages_and_reads_properties_enums_and_objects():
    conn = fake_conn({None: {"namespaces": [{"namespace": "OS::Compute::LibvirtImage"}],
                             "next": "/v2/metadefs/namespaces?marker=OS::Compute::LibvirtImage"},
                      "OS::Compute::LibvirtImage": {"namespaces": [
                          {"namespace": "OS::Compute::VirtCPUTopology"},
                          {"namespace": "OS::Empty"}]}},
                     {"OS::Compute::LibvirtImage": LIBVIRT, "OS::Compute::VirtCPUTopology": TOPOLOGY,
                      "OS::Empty": EMPTY_NS})
    catalog = images_metadefs.image_catalog(conn)
    assert [ns.namespace for ns in catalog] == ["OS::Compute::LibvirtImage",
                                                "OS::Compute::VirtCPUTopology"]  # empty one dropped
    libvirt = {d.name: d for d in catalog[0].properties}
    assert libvirt["hw_disk_bus"].choices == ["scsi", "virtio"]
    assert libvirt["hw_boot_menu"].choices == ["true", "false"]
    assert [d.name for d in catalog[1].properties] == ["hw_cpu_sockets"]
    first = conn.image.asked[0]
    assert first == ("/metadefs/namespaces", {"resource_types": "OS::Glance::Image", "limit": 100})
    assert ("/metadefs/namespaces/OS::Compute::LibvirtImage",
            {"resource_type": "OS::Glance::Image"}) in conn.image.asked  # names with prefixes


def test_a_cloud_without_metadefs_says_so_and_keeps_the_free_rows():
    rows = MetadataRows()
    catalog = MetadataCatalog(fake_conn({None: {"namespaces": []}}, {}), rows)
    assert catalog.load() == []
    assert "no metadata definitions" in catalog.note.value and EMPTY in catalog.note.value
    assert catalog.choosers.layout.display == "none"
    rows.add("os_distro", "cirros")
    assert rows.rows == [("os_distro", "cirros")]
    with pytest.raises(ValueError, match="none \\(no metadefs loaded\\)"):
        catalog.choose("OS::Compute::LibvirtImage", "hw_disk_bus", "virtio")


def test_api_answer_keeps_glances_words_without_its_html():
    page = ("<html><head><title>415 Unsupported Media Type</title></head><body>"
            "<h1>415 Unsupported Media Type</h1>Image disk_format qcow2 does not match stream "
            "data raw<br /><br /></body></html>")
    line = images.api_answer(Answer(None, 415, "Unsupported Media Type", page))
    assert line == ("415 Unsupported Media Type: Image disk_format qcow2 does not match "
                    "stream data raw")
    assert images.api_answer(Answer(None, 204, "No Content", "")) == "204 No Content"
