"""labkit/cloud/file_server.py and Manila's use of it: what runs where the file server cannot,
and what a client address must be. No services run here."""

import pytest

from labkit.cloud import file_server, manila, system
from labkit.cloud.layout import Layout


@pytest.fixture
def layout(tmp_path):
    return Layout(state=tmp_path / "state", services=tmp_path / "services")


def test_without_the_file_server_nothing_runs_and_manila_leaves_its_back_end_out(
        layout, monkeypatch):
    monkeypatch.setattr(system, "why_no_file_server", lambda: "no nfs-ganesha here")
    assert file_server.SERVICE.missing(layout) == "no nfs-ganesha here"
    assert file_server.SERVICE.processes(layout) == []
    [process] = manila.SERVICE.processes(layout)
    assert process.env["LABKIT_FILE_SERVER"] == "0"


def test_with_the_file_server_ganesha_runs_in_the_clouds_own_namespace(layout, monkeypatch):
    monkeypatch.setattr(system, "why_no_file_server", lambda: None)
    [process] = file_server.SERVICE.processes(layout)
    assert process.argv[1:] == [file_server.namespace(layout), "172.30.0.1/24"]
    assert file_server.namespace(layout) == f"labkit{layout.ports()['keystone']}-storage"
    assert manila.SERVICE.processes(layout)[0].env["LABKIT_FILE_SERVER"] == "1"


@pytest.mark.parametrize("address", ["172.30.0.1", "10.0.0.5", "172.30.1.10"])
def test_a_client_address_must_be_a_client_on_the_storage_network(layout, address):
    with pytest.raises(ValueError, match="not a client address on the storage network"):
        file_server.add_client(layout, address, "x")


def test_nfs_url_of_an_export_location():
    assert (file_server.nfs_url("172.30.0.1:/share-abc", "a.txt")
            == "nfs://172.30.0.1/share-abc/a.txt?version=4")
    assert file_server.nfs_url("172.30.0.1:/share-abc/") == "nfs://172.30.0.1/share-abc/?version=4"
