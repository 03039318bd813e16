"""What a real deployment has, and the pocket cloud must have too: the roles Swift names,
Glance's metadata definitions, Manila's unique constraints (the database server brings the
real schema), and account listings that keep up with the objects."""

import secrets
import time

import openstack
import pytest
from openstack import exceptions

pytestmark = pytest.mark.cloud


@pytest.fixture
def reseller(admin, day3_name):
    """A user holding ResellerAdmin (the role Swift's proxy names) in the learner's project."""
    project = admin.identity.find_project("lesson", domain_id="default", ignore_missing=False)
    password = secrets.token_urlsafe(18)
    user = admin.identity.create_user(name=day3_name, password=password, domain_id="default")
    role = admin.identity.find_role("ResellerAdmin", ignore_missing=False)
    admin.identity.assign_project_role_to_user(project, user, role)
    auth = admin.config.config["auth"]
    conn = openstack.connection.Connection(
        auth_url=auth["auth_url"], username=day3_name, password=password,
        project_name="lesson", user_domain_name="Default", project_domain_name="Default",
        region_name="RegionOne")
    yield conn
    conn.close()
    admin.identity.delete_user(user)


def test_a_reseller_admin_sets_an_account_quota_that_a_member_cannot(reseller, learner):
    quota = {"X-Account-Meta-Quota-Bytes": "1000000000"}
    account = learner.object_store.get_endpoint()
    refused = learner.session.post(account, headers=quota, raise_exc=False)
    assert refused.status_code == 403  # account_quotas: only a reseller admin may set it
    try:
        done = reseller.session.post(account, headers=quota, raise_exc=False)
        assert done.status_code == 204, done.text
        head = learner.session.head(account)
        assert head.headers["X-Account-Meta-Quota-Bytes"] == "1000000000"
    finally:
        reseller.session.post(account, headers={"X-Remove-Account-Meta-Quota-Bytes": "x"},
                              raise_exc=False)


def test_glance_has_its_metadata_definitions_catalog(learner):
    """The catalog Horizon's "Update Metadata" offers (glance-manage db_load_metadefs)."""
    types = learner.image.get("/metadefs/resource_types").json()["resource_types"]
    assert "OS::Glance::Image" in {t["name"] for t in types}
    namespaces = learner.image.get("/metadefs/namespaces",
                                   params={"resource_types": "OS::Glance::Image"}).json()
    names = {n["namespace"] for n in namespaces["namespaces"]}
    assert "OS::Compute::Libvirt" in names and "OS::Compute::CPUPinning" in names
    libvirt = learner.image.get("/metadefs/namespaces/OS::Compute::Libvirt").json()
    # properties are stored without the "hw_" prefix that OS::Glance::Image adds
    assert "serial_port_count" in libvirt["properties"]
    prefixes = {r["name"]: r.get("prefix") for r in libvirt["resource_type_associations"]}
    assert prefixes["OS::Glance::Image"] == "hw_"


def test_manila_refuses_a_second_share_type_with_the_same_name(admin, day3_name):
    first = admin.shared_file_system.create_share_type(
        name=day3_name, extra_specs={"driver_handles_share_servers": "False"})
    try:
        with pytest.raises(exceptions.ConflictException):
            admin.shared_file_system.create_share_type(
                name=day3_name, extra_specs={"driver_handles_share_servers": "False"})
        assert [t.name for t in admin.shared_file_system.share_types()].count(day3_name) == 1
    finally:
        admin.shared_file_system.delete_share_type(first)


def test_account_listing_shows_new_objects_within_seconds(learner, day3_name):
    """Swift's container updater copies counts and bytes into the account listing; it sweeps
    when a container changes (runners/swift_container_updater.py), not on a timer."""
    learner.object_store.create_container(name=day3_name)
    try:
        learner.object_store.upload_object(container=day3_name, name="a.txt", data=b"x" * 1234)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            listed = {c.name: c for c in learner.object_store.containers()}[day3_name]
            if listed.count == 1:
                break
            time.sleep(0.5)
        assert (listed.count, listed.bytes) == (1, 1234)
    finally:
        learner.object_store.delete_object("a.txt", container=day3_name, ignore_missing=True)
        learner.object_store.delete_container(day3_name, ignore_missing=True)
