"""One real openstacksdk round trip per service, then project isolation and image policy.

Everything is named day3-test-... and deleted at the end of its test.
"""

import base64
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from openstack import exceptions

pytestmark = pytest.mark.cloud


@pytest.fixture
def private_image(learner, day3_name):
    """A private raw image of the learner's, with the bytes it was made from."""
    data = os.urandom(1 << 20)
    image = learner.image.create_image(name=day3_name, data=data, disk_format="raw",
                                       container_format="bare", visibility="private", wait=True)
    yield image, data
    learner.image.delete_image(image.id, ignore_missing=True)


@pytest.fixture
def container(learner, day3_name):
    """A container of the learner's holding one object, notes.txt."""
    learner.object_store.create_container(name=day3_name)
    learner.object_store.upload_object(container=day3_name, name="notes.txt", data=b"private")
    yield day3_name
    learner.object_store.delete_object("notes.txt", container=day3_name, ignore_missing=True)
    learner.object_store.delete_container(day3_name, ignore_missing=True)


# --- one round trip per service ---

def test_keystone_token_catalog_and_roles(learner, admin):
    assert learner.auth_token
    catalog = {entry["type"] for entry in learner.service_catalog}
    assert {"identity", "image", "object-store", "network", "compute"} <= catalog
    projects = {project.name: project.id for project in admin.identity.projects()}
    assert {"lesson", "partner"} <= set(projects)
    assert learner.current_project_id == projects["lesson"]
    with pytest.raises(exceptions.ForbiddenException):
        list(learner.identity.users())


def test_glance_upload_and_download_match_the_hash(learner, private_image):
    image, data = private_image
    image = learner.image.get_image(image.id)
    assert image.status == "active" and image.disk_format == "raw"
    assert image.size == len(data)
    assert image.hash_algo == "sha512"
    assert image.hash_value == hashlib.sha512(data).hexdigest()
    got = learner.image.download_image(image).content
    assert hashlib.sha512(got).hexdigest() == image.hash_value


def test_swift_object_put_get_and_etag(learner, container):
    data = b"hello from day 3\n" * 100
    learner.object_store.upload_object(container=container, name="day3.txt", data=data)
    try:
        assert learner.object_store.download_object("day3.txt", container=container) == data
        meta = learner.object_store.get_object_metadata("day3.txt", container=container)
        assert meta.etag == hashlib.md5(data).hexdigest()
        names = {obj.name for obj in learner.object_store.objects(container)}
        assert names == {"notes.txt", "day3.txt"}
    finally:
        learner.object_store.delete_object("day3.txt", container=container, ignore_missing=True)


def test_neutron_security_group_rules(learner, day3_name):
    group = learner.network.create_security_group(name=day3_name)
    try:
        defaults = {(r["direction"], r["ethertype"]) for r in group.security_group_rules}
        assert defaults == {("egress", "IPv4"), ("egress", "IPv6")}
        ssh = dict(security_group_id=group.id, direction="ingress", ethertype="IPv4",
                   protocol="tcp", port_range_min=22, port_range_max=22,
                   remote_ip_prefix="192.0.2.0/24")
        rule = learner.network.create_security_group_rule(**ssh)
        assert rule.port_range_min == 22
        with pytest.raises(exceptions.ConflictException):
            learner.network.create_security_group_rule(**ssh)
        rules = list(learner.network.security_group_rules(security_group_id=group.id))
        assert len(rules) == 3
    finally:
        learner.network.delete_security_group(group, ignore_missing=True)


def test_nova_keypair_import_and_flavors(learner, day3_name):
    public_key = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    blob = base64.b64decode(public_key.split()[1])
    fingerprint = ":".join(f"{byte:02x}" for byte in hashlib.md5(blob).digest())
    keypair = learner.compute.create_keypair(name=day3_name, public_key=public_key)
    try:
        assert keypair.fingerprint == fingerprint
        assert day3_name in {k.name for k in learner.compute.keypairs()}
    finally:
        learner.compute.delete_keypair(day3_name, ignore_missing=True)
    assert day3_name not in {k.name for k in learner.compute.keypairs()}
    assert {"m1.tiny", "m1.small", "m1.medium"} <= {f.name for f in learner.compute.flavors()}


# --- isolation between projects ---

def test_partner_cannot_see_the_learners_private_image(partner, private_image):
    image, _ = private_image
    with pytest.raises(exceptions.NotFoundException):
        partner.image.get_image(image.id)
    assert image.id not in {i.id for i in partner.image.images()}


def test_partner_cannot_read_the_learners_container(learner, partner, container):
    url = f"{learner.object_store.get_endpoint()}/{container}"
    assert learner.object_store.get(url, raise_exc=False).status_code == 200
    assert partner.object_store.get(url, raise_exc=False).status_code == 403
    assert partner.object_store.get(f"{url}/notes.txt", raise_exc=False).status_code == 403
    assert container not in {c.name for c in partner.object_store.containers()}


# --- policy: who may publish an image ---

def test_only_the_admin_can_make_an_image_public(learner, admin, partner, private_image):
    image, _ = private_image
    with pytest.raises(exceptions.ForbiddenException):
        learner.image.update_image(image, visibility="public")
    assert learner.image.get_image(image.id).visibility == "private"  # unchanged
    assert admin.image.update_image(image, visibility="public").visibility == "public"
    assert partner.image.get_image(image.id).visibility == "public"  # now everyone sees it


# --- connect() prepares `!openstack` cells ---

def test_connect_exports_the_pocket_cloud_to_the_openstack_cli(pocket, learner,
                                                               private_image):
    assert os.environ["OS_CLOUD"] == "labkit"
    assert os.environ["OS_CLIENT_CONFIG_FILE"] == str(pocket.layout.clouds_yaml)
    image, _ = private_image
    done = subprocess.run(
        [str(Path(sys.executable).parent / "openstack"), "image", "show", image.id,
         "-f", "value", "-c", "name"],
        capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == image.name
