"""Shares that hold data: Manila's `folders` back end (runners/manila_folder_driver.py), with
nfs-ganesha exporting each share on the cloud's storage network.

Clients are network namespaces on that network (file_server.client_namespace), using
libnfs's user-space tools (this host's kernel has no NFS client): nfs-cp, nfs-cat, nfs-ls.
libnfs 4.0 (Debian 12) cannot encode an NFSv4 WRITE of 4 KiB or more ("Failed to encode
COMPOUND4args"), so the files a client writes here are small; reads have no such limit.

A server mounts a share with its kernel's NFSv4 client where networking runs too: its
second port is on the "storage" provider network (share_mounts.py); one boot proves it.

These run where the file server can (root, and `sudo make compute`'s packages). A machine
without it skips them, saying why; in CI (CI=true) that is a failure instead.
"""

import uuid

import pytest

import ipaddress

from labkit import cleanup, images, networks, servers, share_clients, share_mounts, shares
from labkit.cloud import file_server, ovn, system

import tiers

pytestmark = pytest.mark.cloud

SHARE_TYPE = "nfs-ganesha"
WRITER, READER, STRANGER = "172.30.0.10", "172.30.0.11", "172.30.0.12"


@pytest.fixture(scope="module")
def served(pocket):
    """The session's cloud, where its file server runs."""
    tiers.require("the file server for shares", file_server.SERVICE.missing(pocket.layout))
    return pocket


@pytest.fixture
def share(served, learner, day3_name):
    """A marked 1 GiB share of the nfs-ganesha type; the lesson's cleanup removes it after."""
    made = shares.create_share(learner, day3_name, size=1, share_type=SHARE_TYPE)
    yield made
    cleanup.cleanup(learner, lesson=shares.LESSON, quiet=True)


@pytest.fixture
def client(served):
    """client(address) -> a runner of commands in a namespace with that address on the
    storage network; every namespace is removed after the test."""
    with_them = []

    def make(address):
        context = file_server.client_namespace(served.layout, address,
                                               f"t{len(with_them)}")
        with_them.append(context)
        return context.__enter__()
    yield make
    for context in reversed(with_them):
        context.__exit__(None, None, None)


def _location(conn, share):
    return shares.export_locations(conn, share)[0].path


def _server_folder(pocket, conn, share):
    """The share's folder on the file server (the export's path is the share's instance)."""
    return pocket.share_folder(_location(conn, share))


def _put(run, tmp_path, location, name, text):
    local = tmp_path / f"{uuid.uuid4().hex}.txt"
    local.write_text(text)
    return run("nfs-cp", str(local), file_server.nfs_url(location, name))


def test_a_file_one_client_writes_another_reads_and_a_stranger_cannot_mount(
        learner, share, client, tmp_path):
    location = _location(learner, share)
    assert location.startswith(f"{file_server.SERVER_ADDRESS}:/")
    rw = shares.allow_access(learner, share, WRITER, "rw")
    shares.allow_access(learner, share, READER, "ro")
    writer, reader, stranger = client(WRITER), client(READER), client(STRANGER)

    text = f"written by {WRITER} {uuid.uuid4().hex}\n"
    wrote = _put(writer, tmp_path, location, "hello.txt", text)
    assert wrote.returncode == 0, wrote.stderr
    read = reader("nfs-cat", file_server.nfs_url(location, "hello.txt"))
    assert (read.returncode, read.stdout) == (0, text)

    listed = stranger("nfs-ls", file_server.nfs_url(location))
    assert listed.returncode != 0 and "NFS4ERR_NOENT" in listed.stderr  # no rule, no export
    # denying the writer's rule stops its next mount too
    shares.deny_access(learner, share, rw)
    again = writer("nfs-ls", file_server.nfs_url(location))
    assert again.returncode != 0 and "NFS4ERR_NOENT" in again.stderr
    assert reader("nfs-cat", file_server.nfs_url(location, "hello.txt")).stdout == text


def test_a_read_only_rule_refuses_writes(learner, share, client, tmp_path):
    location = _location(learner, share)
    shares.allow_access(learner, share, READER, "ro")
    reader = client(READER)
    refused = _put(reader, tmp_path, location, "nope.txt", "should not land\n")
    assert refused.returncode != 0 and "NFS4ERR_ROFS" in refused.stderr
    listed = reader("nfs-ls", file_server.nfs_url(location))
    assert listed.returncode == 0 and "nope.txt" not in listed.stdout


def test_shrinking_below_the_data_on_the_share_is_refused_by_the_back_end(
        served, learner, share):
    shares.resize_share(learner, share, 2)
    # 1.2 GiB of data, put on the file server's side: the user-space client here cannot
    # write more than 4 KiB at a time (see the module's note)
    filler = share_clients.fill_on_server(learner, share, mib=1200)
    assert filler.parent == _server_folder(served, learner, share)
    with pytest.raises(shares.ShrinkRefused, match="smaller than the current used space"):
        shares.resize_share(learner, share, 1)
    kept = shares.get_share(learner, share.id)
    assert (kept.size, kept.status) == (2, "available")
    filler.unlink()
    assert shares.resize_share(learner, share, 1).size == 1  # room made: now it shrinks


def test_a_share_from_a_snapshot_holds_the_snapshots_files_and_cleanup_removes_all(
        served, learner, share, client, tmp_path):
    location = _location(learner, share)
    shares.allow_access(learner, share, WRITER, "rw")
    writer = client(WRITER)
    assert _put(writer, tmp_path, location, "before.txt", "in the snapshot\n").returncode == 0
    snap = shares.create_snapshot(learner, share, f"{share.name}-snap")
    assert _put(writer, tmp_path, location, "after.txt", "not in it\n").returncode == 0

    copy = shares.create_share(learner, f"{share.name}-copy", share_type=SHARE_TYPE,
                               snapshot=snap)
    shares.allow_access(learner, copy, READER, "ro")
    copied = _location(learner, copy)
    reader = client(READER)
    listed = reader("nfs-ls", file_server.nfs_url(copied))
    assert listed.returncode == 0, listed.stderr
    assert "before.txt" in listed.stdout and "after.txt" not in listed.stdout
    read = reader("nfs-cat", file_server.nfs_url(copied, "before.txt"))
    assert read.stdout == "in the snapshot\n"

    folders = [_server_folder(served, learner, s) for s in (share, copy)]
    report = cleanup.cleanup(learner, lesson=shares.LESSON, quiet=True)
    assert all(r.done for r in report), report
    nfs = served.layout.state / "nfs"
    assert not any(folder.exists() for folder in folders)
    assert list((nfs / "snapshots").iterdir()) == []
    assert (nfs / "exports/INDEX.conf").read_text().strip() == ""
    assert [p.name for p in (nfs / "exports").glob("*.conf")] == ["INDEX.conf"]


def test_a_server_with_a_port_on_the_storage_network_mounts_a_share_and_writes_to_it(
        served, learner, share, tiny):
    tiers.require("networking", system.why_networking_not_available(served.layout.services))
    location = _location(learner, share)
    port = share_mounts.storage_port(learner, share.name, shares.LESSON)
    address = networks.port_address(port)
    pool = ovn.STORAGE_POOL
    assert (ipaddress.ip_address(pool["start"]) <= ipaddress.ip_address(address)
            <= ipaddress.ip_address(pool["end"]))
    shares.allow_access(learner, share, address, "rw")
    image = images.create_image(learner, f"{share.name}-tiny", filename=tiny.qcow2,
                                disk_format="qcow2", lesson=shares.LESSON)
    network, _ = networks.create_network(learner, f"{share.name}-net", "10.92.0.0/24",
                                         lesson=shares.LESSON)
    text = f"written by a server {uuid.uuid4().hex}"
    script = share_mounts.mount_script(location, [f"echo {text} > /mnt/share/guest.txt",
                                                  "cat /mnt/share/guest.txt"])
    server = share_mounts.launch(learner, share.name, image, network, port, script,
                                 shares.LESSON, progress=False)

    transcript = share_mounts.user_data_output(learner, server)
    assert f"# {share_mounts.mount_command(location)}" in transcript
    assert transcript.endswith(text), transcript
    # the file is on the file server's folder of the share, written by the guest's kernel
    assert (_server_folder(served, learner, share) / "guest.txt").read_text() == text + "\n"
    # two NICs, each with its address by DHCP: the tenant network's and the storage port's
    console = servers.console_log(learner, server)
    tenant = next(p for p in learner.network.ports(device_id=server.id)
                  if p.network_id == network.id)
    for nic_address in (networks.port_address(tenant), address):
        assert f"has address {nic_address}" in console
