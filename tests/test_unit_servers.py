"""labkit.servers' own logic, without a cloud: the equivalent SDK and CLI lines it shows, the
console lines it picks, and errors that a notebook shows as one message, not a traceback."""

from types import SimpleNamespace

from labkit import servers

IMAGE = SimpleNamespace(name="day3-tiny", id="1234")
FLAVOR = SimpleNamespace(name="m1.tiny", id="42")


def test_the_cli_line_is_the_lessons_server_create():
    line = servers._cli_line("day3-x", IMAGE, FLAVOR, "day3-key", "#!/bin/sh\n", True,
                             ["day3-web"], "01")
    assert line == ("openstack server create --image day3-tiny --flavor m1.tiny --nic none "
                    "--property labkit_lesson=01 --config-drive true --user-data script.sh "
                    "--key-name day3-key --security-group day3-web --wait day3-x")
    bare = servers._cli_line("day3-x", IMAGE, FLAVOR, None, None, False, None, "03")
    assert "--key-name" not in bare and "--config-drive" not in bare and "--user-data" not in bare
    on_network = servers._cli_line("day3-x", IMAGE, FLAVOR, None, None, False, None, "03",
                                   ["--network day3-net"])
    assert "--network day3-net " in on_network and "--nic" not in on_network


def test_the_sdk_line_looks_up_ids_and_encodes_user_data():
    request = dict(name="day3-x", image_id=IMAGE.id, flavor_id=FLAVOR.id, networks="none",
                   user_data="aGk=")
    line = servers._sdk_line(request, IMAGE, FLAVOR)
    assert line == ("conn.compute.create_server(name='day3-x', "
                    "image_id=conn.image.find_image('day3-tiny').id, "
                    "flavor_id=conn.compute.find_flavor('m1.tiny').id, networks='none', "
                    "user_data=base64.b64encode(script.encode()).decode())")


def test_console_lines_keeps_the_marked_lines_only():
    log = "[    0.1] Linux version\r\ntiny: config drive /dev/sr0\r\nnoise\nHello from x\n"
    assert servers.console_lines(log, "tiny:", "Hello") == (
        "tiny: config drive /dev/sr0\nHello from x")


def test_a_server_error_shows_its_message_instead_of_a_traceback():
    failed = servers.ServerFailed("Server 'day3-x' ended in ERROR. Nova's fault: No valid host",
                                  server=None, fault="No valid host")
    assert failed._render_traceback_() == [f"ServerFailed: {failed}"]
    assert isinstance(servers.UnknownFlavor("x"), LookupError)


class _Zones:
    def __init__(self, zones):
        self._zones = zones

    def availability_zones(self):
        return self._zones


def test_why_no_compute_names_the_command_that_adds_it_on_the_pocket_cloud(monkeypatch):
    from labkit import capabilities, security
    from labkit.cloud import PocketCloud, system

    monkeypatch.setattr(capabilities, "has_service", lambda conn, kind, *aliases: True)
    monkeypatch.setattr(security, "is_pocket_cloud", lambda conn: True)
    monkeypatch.setattr(PocketCloud, "compute_status",
                        lambda self: "compute needs system packages that are not installed")
    up = SimpleNamespace(compute=_Zones([SimpleNamespace(name="nova",
                                                         state={"available": True})]))
    assert servers.why_no_compute(up) is None
    none = SimpleNamespace(compute=_Zones([]))
    why = servers.why_no_compute(none)
    assert "not installed" in why and f"`{system.ADD_COMPUTE}`" in why
    monkeypatch.setattr(security, "is_pocket_cloud", lambda conn: False)
    assert "no available compute host" in servers.why_no_compute(none)


def test_the_cli_line_has_one_option_per_network_or_port_named():
    conn = SimpleNamespace(network=SimpleNamespace(
        get_network=lambda id: SimpleNamespace(name=f"day3-{id}"),
        get_port=lambda id: SimpleNamespace(name=f"day3-{id}")))
    nics = servers._nic_options(conn, [{"uuid": "net"}, {"port": "storage-port"}])
    assert nics == ["--network day3-net", "--port day3-storage-port"]
    line = servers._cli_line("day3-x", IMAGE, FLAVOR, None, None, True, None, "02", nics)
    assert "--network day3-net --port day3-storage-port " in line and "--nic" not in line
    assert servers._nic_options(conn, "none") == "none"


class _Compute:
    """A compute proxy whose get_server answers the given statuses, one per call."""

    def __init__(self, *statuses, fault=None):
        self.statuses = list(statuses)
        self.fault = fault
        self.calls = 0

    def get_server(self, server_id):
        self.calls += 1
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return SimpleNamespace(id=server_id, name="day3-x", status=status, progress=0,
                               fault=self.fault)


def test_waiting_returns_the_server_once_it_reaches_the_status():
    compute = _Compute("BUILD", "BUILD", "ACTIVE")
    server = servers.wait_for_status(SimpleNamespace(compute=compute),
                                     SimpleNamespace(id="1", name="day3-x"), progress=False)
    assert server.status == "ACTIVE" and compute.calls == 3


def test_waiting_on_a_server_in_error_raises_novas_fault():
    compute = _Compute("BUILD", "ERROR", fault={"message": "No valid host was found."})
    try:
        servers.wait_for_status(SimpleNamespace(compute=compute),
                                SimpleNamespace(id="1", name="day3-x"), progress=False)
    except servers.ServerFailed as failed:
        assert failed.fault == "No valid host was found."
    else:
        raise AssertionError("ERROR did not raise ServerFailed")


def test_waiting_gives_up_after_the_timeout_naming_the_server():
    compute = _Compute("BUILD")
    try:
        servers.wait_for_status(SimpleNamespace(compute=compute),
                                SimpleNamespace(id="1", name="day3-x"), timeout=0.3,
                                progress=False)
    except servers.ServerTimeout as timeout:
        assert "day3-x" in str(timeout) and "0.3 s" in str(timeout)
    else:
        raise AssertionError("a server that stays in BUILD did not time out")
    assert compute.calls >= 2  # it asked again before giving up
