"""labkit.security against the pocket cloud's real Neutron, Nova, Keystone and Glance.

Every bad input of issue 5 is asserted here: a malformed CIDR, a port range with min > max,
a protocol that does not exist, a key that is not a public key, a duplicate key name, an
expired or a revoked application credential. Each must give a clear message and change nothing.
"""

import datetime
import time

import pytest
import yaml
from openstack import exceptions as sdk_exc

from labkit import cleanup, security
from labkit.cloud import process
from labkit.security import CredentialRejected, ImageRefused, SecurityInputError

pytestmark = pytest.mark.cloud


@pytest.fixture(autouse=True)
def lesson_home(tmp_path, monkeypatch):
    monkeypatch.setenv("LABKIT_DAY3_HOME", str(tmp_path / "day3"))
    return tmp_path / "day3"


@pytest.fixture
def group(learner, day3_name):
    made = security.create_security_group(learner, day3_name)
    yield made
    security.delete_security_group(learner, made.id)


def _rule_ids(conn, group):
    return {r["id"] for r in conn.network.get_security_group(group.id).security_group_rules}


# --- security groups -----------------------------------------------------------------------
def test_group_rules_as_rows(learner, group, day3_name):
    other = security.create_security_group(learner, day3_name + "-db")
    try:
        security.add_rule(learner, group, "tcp", 22, "203.0.113.0/24")
        security.add_rule(learner, group, "icmp")
        security.add_rule(learner, other, "tcp", (5432, 5433), remote_group=group)
        rows = security.security_group_rows(learner, group)
        ingress = {(r["protocol"], r["ports"], r["remote"]) for r in rows
                   if r["direction"] == "ingress"}
        assert ingress == {("tcp", "22", "203.0.113.0/24"), ("icmp", "any", "anywhere")}
        egress = [r for r in rows if r["direction"] == "egress"]
        assert {r["ethertype"] for r in egress} == {"IPv4", "IPv6"}  # a new group's defaults
        trusted = security.security_group_rows(learner, other)[0]
        assert (trusted["ports"], trusted["remote"]) == ("5432-5433", f"members of {group.name}")
        assert security.create_security_group(learner, day3_name).id == group.id  # re-run
    finally:
        security.delete_security_group(learner, other.id)


@pytest.mark.parametrize("rule, says, neutron_says", [
    (dict(protocol="tcp", ports=22, cidr="203.0.113.300/24"), "not a network in CIDR",
     "Invalid CIDR"),
    (dict(protocol="tcp", ports=(90, 80)), "runs backwards", "port_range_min must be <="),
])
def test_malformed_cidr_and_backward_ports(learner, group, rule, says, neutron_says):
    before = _rule_ids(learner, group)
    with pytest.raises(SecurityInputError, match=says):
        security.add_rule(learner, group, **rule)
    # the cloud itself refuses the same rule, sent with the plain SDK
    low, high = rule["ports"] if isinstance(rule["ports"], tuple) else (rule["ports"],) * 2
    with pytest.raises(sdk_exc.BadRequestException, match=neutron_says):
        learner.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", ethertype="IPv4",
            protocol="tcp", port_range_min=low, port_range_max=high,
            **({"remote_ip_prefix": rule["cidr"]} if "cidr" in rule else {}))
    assert _rule_ids(learner, group) == before


def test_unknown_protocol_gets_neutrons_list(learner, group):
    before = _rule_ids(learner, group)
    with pytest.raises(SecurityInputError, match="protocol tcpx not supported.*'udp'"):
        security.add_rule(learner, group, "tcpx")
    assert _rule_ids(learner, group) == before


def test_duplicate_rule(learner, group):
    first = security.add_rule(learner, group, "tcp", 443, "0.0.0.0/0")
    with pytest.raises(SecurityInputError, match="exists already"):
        security.add_rule(learner, group, "tcp", 443, "0.0.0.0/0")
    again = security.add_rule(learner, group, "tcp", 443, "0.0.0.0/0", idempotent=True)
    assert again.id == first.id


def test_unknown_group_is_named(learner):
    with pytest.raises(SecurityInputError, match="No security group 'day3-nothing-here'"):
        security.add_rule(learner, "day3-nothing-here", "icmp")


def test_deleting_a_gone_group_is_a_no_op(learner, day3_name):
    assert security.delete_security_group(learner, day3_name) is False


# --- key pairs -----------------------------------------------------------------------------
def test_import_public_key_only_and_fingerprint(learner, day3_name):
    keys = security.generate_key(day3_name)
    try:
        keypair = security.import_keypair(learner, day3_name, keys.public)
        assert keypair.fingerprint == security.fingerprints(keys.public)["md5"]
        assert keypair.private_key is None
        assert learner.compute.get_keypair(day3_name).public_key.split()[:2] == \
            keys.public_key.split()[:2]
    finally:
        security.delete_keypair(learner, day3_name)
    security.delete_keypair(learner, day3_name)  # gone already: no error
    assert learner.compute.find_keypair(day3_name) is None


@pytest.mark.parametrize("what", ["private key", "garbage"])
def test_key_that_is_not_a_public_key(learner, day3_name, what):
    keys = security.generate_key(day3_name)
    key = keys.private if what == "private key" else "ssh-ed25519 bm90IGEga2V5 oops"
    with pytest.raises(SecurityInputError, match="PRIVATE key|not an OpenSSH public key"):
        security.import_keypair(learner, day3_name, key)
    assert learner.compute.find_keypair(day3_name) is None
    # and Nova itself refuses garbage sent with the plain SDK
    with pytest.raises(sdk_exc.BadRequestException, match="failed to generate fingerprint"):
        learner.compute.create_keypair(name=day3_name, public_key="ssh-ed25519 bm90IGEga2V5")


def test_duplicate_key_name(learner, day3_name, tmp_path):
    first = security.generate_key(day3_name)
    other = security.generate_key(day3_name, folder=tmp_path)
    security.import_keypair(learner, day3_name, first.public)
    try:
        with pytest.raises(SecurityInputError, match="exists already .with a different key."):
            security.import_keypair(learner, day3_name, other.public)
        assert learner.compute.get_keypair(day3_name).fingerprint == \
            security.fingerprints(first.public)["md5"]  # the first key is untouched
    finally:
        security.delete_keypair(learner, day3_name)


def test_server_side_key_generation_ends_at_2_92(learner):
    if learner.compute.get_endpoint_data().max_microversion < (2, 92):
        pytest.fail("the pocket cloud's Nova should offer microversion 2.92")
    name = "day3-made-by-cloud-test"
    made = learner.compute.post("/os-keypairs", json={"keypair": {"name": name}},
                                microversion="2.91")
    learner.compute.delete_keypair(name, ignore_missing=True)
    assert made.status_code == 201 and "PRIVATE KEY" in made.json()["keypair"]["private_key"]
    refused = learner.compute.post("/os-keypairs", json={"keypair": {"name": name}},
                                   microversion="2.92")
    assert refused.status_code == 400 and "public_key" in refused.text


# --- identity ------------------------------------------------------------------------------
def test_reader_can_look_but_not_change(learner, admin):
    auditor = security.create_reader(admin, learner.current_project_id, "day3-auditor-test")
    try:
        assert security.attempt(lambda: auditor.image.images()).allowed
        refused = security.attempt(lambda: auditor.network.create_security_group(name="day3-no"))
        assert not refused.allowed and refused.result.startswith("403")
        assert not security.attempt(lambda: learner.identity.users()).allowed
        assert security.attempt(lambda: admin.identity.users()).allowed
        # a re-run gets a fresh password and works again
        again = security.create_reader(admin, learner.current_project_id, "day3-auditor-test")
        assert security.attempt(lambda: again.image.images()).allowed
    finally:
        security.delete_user(admin, "day3-auditor-test")
    assert admin.identity.find_user("day3-auditor-test", domain_id="default") is None


def test_app_credential_lifecycle(learner, day3_name, lesson_home):
    cred = security.create_app_credential(learner, day3_name, roles=["reader"],
                                          expires_in=datetime.timedelta(hours=1))
    path = security.write_app_credential_cloud(learner, cred)
    assert path.stat().st_mode & 0o777 == 0o600
    ci = security.connect_app_credential(day3_name)
    assert security.attempt(lambda: ci.image.images()).allowed
    assert not security.attempt(lambda: ci.network.create_security_group(name="day3-no")).allowed
    assert security.token_state(learner, ci) == "valid"
    with pytest.raises(SecurityInputError, match="already"):
        security.create_app_credential(learner, day3_name)
    assert security.revoke_app_credential(learner, day3_name) is True
    assert security.token_state(learner, ci).startswith("not valid")
    assert not path.exists() or day3_name not in path.read_text()  # its entry went too
    security.write_app_credential_cloud(learner, cred)  # the revoked secret, back on purpose
    with pytest.raises(CredentialRejected, match="expired, been revoked"):
        security.connect_app_credential(day3_name)
    assert security.revoke_app_credential(learner, day3_name) is False  # no-op


def test_expired_app_credential(learner, day3_name):
    cred = security.create_app_credential(learner, day3_name,
                                          expires_in=datetime.timedelta(seconds=2))
    security.write_app_credential_cloud(learner, cred)
    time.sleep(3)
    try:
        with pytest.raises(CredentialRejected, match="401"):
            security.connect_app_credential(day3_name)
    finally:
        security.revoke_app_credential(learner, day3_name)


def test_app_credential_cannot_carry_roles_you_lack(learner, day3_name):
    with pytest.raises(SecurityInputError, match="unassigned role"):
        security.create_app_credential(learner, day3_name, roles=["admin"])
    assert security.find_app_credential(learner, day3_name) is None


# --- images --------------------------------------------------------------------------------
@pytest.fixture
def image(learner, day3_name, tmp_path):
    disk = security.make_small_qcow2(tmp_path)
    assert disk is not None, "qemu-img is needed by these tests (Debian qemu-utils)"
    made = security.upload_image(learner, day3_name, disk, "qcow2")
    yield made
    learner.image.update_image(made.id, is_protected=False)
    learner.image.delete_image(made.id, ignore_missing=True)


def test_sharing_seen_from_the_partner(learner, partner, image):
    assert image.status == "active" and image.visibility == "shared"
    security.share_image(learner, image.id, partner.current_project_id)
    security.share_image(learner, image.id, partner.current_project_id)  # again: no error
    view = security.partner_view(partner, image.id)
    assert (view["member status"], view["in default list"],
            view["in ?member_status=pending"]) == ("pending", "no", "yes")
    security.answer_share(partner, image.id, "accepted")
    assert security.partner_view(partner, image.id)["in default list"] == "yes"
    security.answer_share(partner, image.id, "rejected")
    view = security.partner_view(partner, image.id)
    assert (view["in default list"], view["in ?member_status=rejected"]) == ("no", "yes")
    assert security.member_rows(learner, image.id)[0]["status"] == "rejected"
    assert not security.attempt(lambda: partner.image.update_image(image.id, name="x")).allowed
    with pytest.raises(SecurityInputError, match="accepted"):
        security.answer_share(partner, image.id, "yes please")


def test_private_image_takes_no_members(learner, partner, image):
    learner.image.update_image(image.id, visibility="private")
    with pytest.raises(SecurityInputError, match="only 'shared' images take members"):
        security.share_image(learner, image.id, partner.current_project_id)


def test_protected_image_and_download_hash(learner, image, tmp_path):
    learner.image.update_image(image.id, is_protected=True)
    refused = security.attempt(lambda: learner.image.delete_image(image.id))
    assert not refused.allowed and "protected" in refused.result
    check = security.verify_download(learner, image.id, tmp_path / "copy.qcow2")
    assert check.ok and check.algorithm == "sha512" and check.bytes == image.size


@pytest.mark.parametrize("make, reason", [
    (security.make_backing_file_qcow2, "safety checks"),
    (security.make_mismatched_file, "does not match"),
])
def test_glance_refuses_unsafe_or_mislabelled_data(learner, day3_name, tmp_path, make, reason):
    path = make(tmp_path)
    with pytest.raises(ImageRefused, match=f"415.*{reason}"):
        security.upload_image(learner, day3_name, path, "qcow2")
    assert list(learner.image.images(name=day3_name)) == []  # nothing left behind


def test_upload_of_a_missing_file(learner, day3_name, tmp_path):
    with pytest.raises(SecurityInputError, match="No file"):
        security.upload_image(learner, day3_name, tmp_path / "nope.qcow2", "qcow2")


# --- policy --------------------------------------------------------------------------------
@pytest.mark.disruptive  # members may publicize while it runs: the image tests check they cannot
def test_glance_policy_override_and_restore_take_effect_without_a_restart(pocket, learner, image):
    assert security.glance_policy_rules(["publicize_image"]) == {
        "publicize_image": "rule:context_is_admin"}
    glance_pid = process.read_pid(pocket.layout, "glance")

    def publicize():
        return security.attempt(lambda: learner.image.update_image(image.id, visibility="public"))

    assert not publicize().allowed
    with security.glance_policy_override({"publicize_image": "role:member"}) as path:
        assert security.glance_policy_rules(["publicize_image"]) == {
            "publicize_image": "role:member"}
        assert publicize().allowed
        learner.image.update_image(image.id, visibility="shared")
    # the default written back (a rule removed from the file would stay in Glance's memory)
    assert yaml.safe_load(path.read_text()) == {"publicize_image": "rule:context_is_admin"}
    assert not publicize().allowed
    assert process.read_pid(pocket.layout, "glance") == glance_pid
    with security.glance_policy_override({"publicize_image": "role:member"}):  # a second time
        assert publicize().allowed
        learner.image.update_image(image.id, visibility="shared")
    assert not publicize().allowed


# --- cleanup -------------------------------------------------------------------------------
def test_cleanup_removes_the_lesson_and_nothing_else(learner, admin, lesson_home, tmp_path):
    keep = learner.network.create_security_group(name="keep-not-a-lesson-group")
    try:
        web = security.create_security_group(learner, "day3-web-cleanup")
        db = security.create_security_group(learner, "day3-db-cleanup")
        security.add_rule(learner, db, "tcp", 5432, remote_group=web)
        security.import_keypair(learner, "day3-key-cleanup",
                                security.generate_key("day3-key-cleanup").public)
        cred = security.create_app_credential(learner, "day3-cred-cleanup")
        security.write_app_credential_cloud(learner, cred)
        security.create_reader(admin, learner.current_project_id, "day3-auditor-cleanup")
        security.upload_image(learner, "day3-image-cleanup",
                              security.make_small_qcow2(tmp_path), "qcow2")
        report = cleanup.cleanup(learner, lesson="03", quiet=True)
        assert all(item.done for item in report), [i for i in report if not i.done]
        assert security.find_security_group(learner, "day3-web-cleanup") is None
        assert security.find_security_group(learner, "day3-db-cleanup") is None
        assert learner.compute.find_keypair("day3-key-cleanup") is None
        assert security.find_app_credential(learner, "day3-cred-cleanup") is None
        assert admin.identity.find_user("day3-auditor-cleanup", domain_id="default") is None
        assert list(learner.image.images(name="day3-image-cleanup")) == []
        assert not (lesson_home / "keys" / "day3-key-cleanup").exists()
        assert security.find_security_group(learner, keep.id) is not None  # not ours: kept
        assert cleanup.cleanup(learner, lesson="03", quiet=True) == []
    finally:
        learner.network.delete_security_group(keep, ignore_missing=True)
