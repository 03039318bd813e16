"""Unit tests of labkit.security's own logic (no cloud): checks, keys, files, masking."""

import datetime
import shutil
import stat
import subprocess
from types import SimpleNamespace

import pytest
import yaml

from labkit import security
from labkit.security import SecurityInputError


@pytest.fixture(autouse=True)
def lesson_home(tmp_path, monkeypatch):
    monkeypatch.setenv("LABKIT_DAY3_HOME", str(tmp_path / "day3"))
    return tmp_path / "day3"


# --- security group input ------------------------------------------------------------------
@pytest.mark.parametrize("cidr, says", [
    ("203.0.113.300/24", "not a network in CIDR notation"),
    ("hello", "not a network in CIDR notation"),
    ("203.0.113.7/24", "the network is 203.0.113.0/24"),
])
def test_bad_cidr_is_refused_before_the_cloud(cidr, says):
    with pytest.raises(SecurityInputError, match=says):
        security.add_rule(None, "day3-x", "tcp", 22, cidr)  # no conn needed: refused first


def test_good_cidrs_pass():
    assert str(security._check_cidr("203.0.113.0/24")) == "203.0.113.0/24"
    assert security._check_cidr("2001:db8::/64").version == 6


@pytest.mark.parametrize("protocol, ports, says", [
    ("tcp", (8080, 8000), "runs backwards"),
    ("tcp", 0, "not a port number"),
    ("udp", (1, 70000), "not a port number"),
    ("icmp", 22, "Ports only mean something"),
])
def test_bad_ports_are_refused(protocol, ports, says):
    with pytest.raises(SecurityInputError, match=says):
        security.add_rule(None, "day3-x", protocol, ports)


def test_port_range_and_single_port():
    assert security._check_ports("tcp", 22) == (22, 22)
    assert security._check_ports("tcp", (8000, 8080)) == (8000, 8080)
    assert security._check_ports(None, None) == (None, None)


def test_rule_cannot_trust_both_cidr_and_group():
    with pytest.raises(SecurityInputError, match="not both"):
        security.add_rule(None, "day3-x", "tcp", 22, "10.0.0.0/8", remote_group="day3-y")


def test_direction_must_be_ingress_or_egress():
    with pytest.raises(SecurityInputError, match="direction"):
        security.add_rule(None, "day3-x", direction="inbound")


def test_names_need_the_lesson_prefix():
    with pytest.raises(SecurityInputError, match="day3-web"):
        security.create_security_group(None, "web")


# --- keys ----------------------------------------------------------------------------------
def test_generated_key_files(lesson_home):
    keys = security.generate_key("day3-unit")
    assert keys.private.parent == lesson_home / "keys"
    assert stat.S_IMODE(keys.private.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.private.parent.stat().st_mode) == 0o700
    assert keys.private.read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    assert keys.public_key.startswith("ssh-ed25519 ") and keys.public_key.endswith(" day3-unit")
    again = security.generate_key("day3-unit")  # re-run: the same key, not a new one
    assert again.public_key == keys.public_key


@pytest.mark.skipif(not shutil.which("ssh-keygen"), reason="ssh-keygen (openssh-client) missing")
def test_fingerprints_match_ssh_keygen():
    keys = security.generate_key("day3-unit")
    ours = security.fingerprints(keys.public)
    for algorithm in ("md5", "sha256"):
        out = subprocess.run(["ssh-keygen", "-l", "-E", algorithm, "-f", str(keys.public)],
                             capture_output=True, text=True, check=True).stdout
        theirs = out.split()[1]
        assert theirs == ("MD5:" + ours["md5"] if algorithm == "md5" else ours["sha256"])
    # and ssh-keygen itself accepts the private key file we wrote
    derived = subprocess.run(["ssh-keygen", "-y", "-f", str(keys.private)],
                             capture_output=True, text=True, check=True).stdout.split()[:2]
    assert derived == keys.public_key.split()[:2]


def test_private_key_is_refused():
    keys = security.generate_key("day3-unit")
    with pytest.raises(SecurityInputError, match="PRIVATE key"):
        security.read_public_key(keys.private)
    with pytest.raises(SecurityInputError, match="PRIVATE key"):
        security.read_public_key(keys.private.read_text())


@pytest.mark.parametrize("text", ["not a key at all", "ssh-ed25519 AAAAnotbase64 x",
                                  "ssh-foo AAAAC3NzaC1lZDI1NTE5 x"])
def test_text_that_is_no_public_key_is_refused(text):
    with pytest.raises(SecurityInputError, match="not an OpenSSH public key"):
        security.read_public_key(text)


def test_missing_key_file_is_named(tmp_path):
    with pytest.raises(SecurityInputError, match="No file .*nothing.pub"):
        security.read_public_key(tmp_path / "nothing.pub")


# --- application credentials: the clouds.yaml entry -----------------------------------------
class _Config:
    def get_auth_args(self):
        return {"auth_url": "http://127.0.0.1:5000/v3"}

    def get_region_name(self):
        return "RegionOne"


def _credential(name, secret="s3cr3t-value-for-tests"):
    return SimpleNamespace(name=name, id=f"id-{name}", secret=secret)


def test_clouds_yaml_entry_is_private_and_keeps_others(lesson_home):
    conn = SimpleNamespace(config=_Config())
    path = security.write_app_credential_cloud(conn, _credential("day3-a"))
    security.write_app_credential_cloud(conn, _credential("day3-b"))
    assert path == lesson_home / "clouds.yaml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    clouds = yaml.safe_load(path.read_text())["clouds"]
    assert set(clouds) == {"day3-a", "day3-b"}
    assert clouds["day3-a"]["auth_type"] == "v3applicationcredential"
    assert clouds["day3-a"]["auth"]["application_credential_id"] == "id-day3-a"
    security._forget_cloud("day3-a")
    assert set(yaml.safe_load(path.read_text())["clouds"]) == {"day3-b"}


def test_credential_without_secret_is_refused():
    with pytest.raises(SecurityInputError, match="no secret"):
        security.write_app_credential_cloud(SimpleNamespace(config=_Config()),
                                            _credential("day3-a", secret=None))


def test_connecting_to_an_unknown_cloud_says_what_to_do():
    with pytest.raises(SecurityInputError, match="write it first"):
        security.connect_app_credential("day3-nowhere")


@pytest.mark.parametrize("expires_in", [datetime.timedelta(0), datetime.timedelta(hours=-1), 8])
def test_expiry_must_be_in_the_future(expires_in):
    with pytest.raises(SecurityInputError, match="positive"):
        security._expiry(expires_in)


def test_app_credential_row_never_holds_the_secret():
    cred = SimpleNamespace(name="day3-a", id="x", roles=[{"name": "reader"}],
                           expires_at="2030-01-01T00:00:00", unrestricted=False,
                           secret="very-secret-value")
    row = security.app_credential_row(cred)
    assert "very-secret-value" not in repr(row) and row["secret"] == "****(hidden)"


# --- showing things ------------------------------------------------------------------------
def test_mask_hides_secrets_and_fernet_tokens():
    token = "gAAAAABnQ" + "x1Y_z-" * 20
    text = f"secret: abc123SECRET token {token} end"
    masked = security.mask(text, "abc123SECRET")
    assert "abc123SECRET" not in masked and token not in masked and masked.endswith(" end")


def test_error_line_keeps_the_services_words_only():
    class Refused(Exception):
        status_code = 400
        details = None

    exc = Refused("BadRequestException: 400: Client Error for url: http://127.0.0.1:9696/"
                  "v2.0/security-group-rules, Invalid CIDR 10.0.0.300/8 given as IP prefix.")
    assert security.error_line(exc) == "400 Invalid CIDR 10.0.0.300/8 given as IP prefix."
    exc = Refused("x")
    exc.status_code, exc.details = 403, "403 Forbidden: Image x is protected and cannot be deleted."
    assert security.error_line(exc) == "403 Image x is protected and cannot be deleted."


def test_glance_log_reason(tmp_path):
    # two lines as Glance 2026.1 writes them (taken from a pocket cloud's glance.log)
    log = tmp_path / "glance.log"
    log.write_text(
        "2026-11-25 08:51:38.059 8944 WARNING glance.location [req] Image qcow2 Safety checks "
        "failed: backing_file: oslo_utils.imageutils.format_inspector.SafetyCheckFailed: "
        "Safety checks failed: backing_file\n"
        "2026-11-25 08:51:38.060 8944 ERROR glance.api.v2.image_data [req] Image failed safety "
        "checks: glance.common.exception.InvalidImageData: Image failed safety checks\n")
    assert security._log_reason(log, 0) == "Image failed safety checks"
    assert security._log_reason(log, log.stat().st_size) is None


# --- cleanup of local files ----------------------------------------------------------------
def test_local_finder_takes_only_lesson_files(lesson_home):
    security.generate_key("day3-unit")
    (lesson_home / "keys" / "mine").write_text("not the lesson's")
    conn = SimpleNamespace(config=_Config())
    security.write_app_credential_cloud(conn, _credential("day3-a"))
    found = security._lesson_files(None, "03")
    names = sorted(name for name, _ in found)
    assert any(n.endswith("keys/day3-unit") for n in names)
    assert not any(n.endswith("keys/mine") for n in names)
    assert any("[day3-a]" in n for n in names)
    assert security._lesson_files(None, "01") == []  # another lesson's cleanup: not ours
    for _, remove in found:
        remove()
    assert (lesson_home / "keys" / "mine").exists()
    assert not (lesson_home / "keys" / "day3-unit").exists()
