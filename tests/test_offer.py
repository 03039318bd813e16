"""labkit.offer against the real pocket cloud: the summary agrees with what the services say
through other routes (openstacksdk's own discovery and resources), and a service that is down
is reported, not fatal.
"""

import importlib

import pytest

import labkit
from labkit import capabilities, offer

pytestmark = pytest.mark.cloud


@pytest.fixture
def found(learner):
    return offer.summary(learner)


def test_every_catalog_entry_is_described(learner, found):
    catalog = capabilities.catalog(learner)
    assert [s.type for s in found.services] == [e["type"] for e in catalog]
    assert {"identity", "image", "object-store", "network", "compute"} <= {
        s.type for s in found.services}
    for service in found.services:
        assert service.endpoint.startswith("http://127.0.0.1:"), service
        assert service.use != "not used by this course", service
    versions = {s.type: s.version for s in found.services}
    assert versions["identity"].startswith("v3.")
    assert versions["image"].startswith("v2.")
    assert versions["network"] == "v2.0"
    assert versions["object-store"] == "v1 (from the URL)"


def test_compute_microversions_match_the_sdk_discovery(learner, found):
    data = learner.compute.get_endpoint_data()
    expected = f"{data.min_microversion[0]}.{data.min_microversion[1]} - " \
               f"{data.max_microversion[0]}.{data.max_microversion[1]}"
    assert found.feature("compute", "API microversions") == expected
    assert next(s for s in found.services if s.type == "compute").microversions == expected


def test_glance_features_match_the_sdk_resources(learner, found):
    methods = learner.image.get_import_info().import_methods["value"]
    assert found.feature("image", "import methods") == ", ".join(methods)
    assert {"glance-direct", "web-download", "copy-image"} <= set(methods)
    default = next(s.id for s in learner.image.stores() if s.is_default)
    assert f"{default} (default)" in found.feature("image", "stores")
    schema = learner.image.get_image_schema().properties
    assert found.feature("image", "disk formats").split(", ") == [
        f for f in schema["disk_format"]["enum"] if f]
    assert "bare" in found.feature("image", "container formats").split(", ")


def test_swift_features_match_its_info(learner, found):
    info = learner.object_store.get_info()
    assert found.feature("object-store", "Swift release") == info.swift["version"]
    assert str(info.swift["max_file_size"]) in found.feature("object-store",
                                                              "largest single object")
    assert found.feature("object-store", "temporary URLs (tempurl)").startswith("yes")
    assert f"up to {info.slo['max_manifest_segments']} segments" in found.feature(
        "object-store", "static large objects (slo)")


def test_manila_row_follows_the_catalog(found):
    manila = [s for s in found.services if s.type in offer.MANILA_TYPES]
    if manila:
        assert found.feature(manila[0].type, "API microversions").startswith("2.0 - 2.")
    else:
        assert found.feature("shared-file-system", "service").startswith(offer.NOT_OFFERED)


def test_show_summary_shows_no_token(learner, capsys):
    offer.show_summary(learner)
    out = capsys.readouterr().out
    assert "Services in the catalog" in out and "import methods" in out
    assert learner.auth_token not in out


@pytest.mark.disruptive
def test_a_service_that_is_down_is_reported_and_the_rest_still_answers(pocket, learner):
    learner.authorize()  # the token (and its catalog) is in hand before Glance stops
    pocket.down(["glance"])
    try:
        found = offer.summary(learner)
    finally:
        pocket.up(timeout=120)
    image = next(s for s in found.services if s.type == "image")
    assert image.version == f"unreachable: no answer at {image.endpoint}"
    assert found.feature("image", "service") == image.version
    assert found.feature("compute", "API microversions").startswith("2.1 - 2.")
    assert found.feature("object-store", "Swift release")[0].isdigit()


def test_identity_rows_say_which_identities_work(pocket, monkeypatch):
    connect_module = importlib.import_module("labkit.connect")
    monkeypatch.setattr(connect_module, "_chosen", {})  # leave no choice behind for other tests
    who = labkit.identities(admin="no-such-cloud")
    who.partner = None  # as on a cloud where no partner identity is configured
    rows = {row["role"]: row for row in offer.identity_rows(who)}
    assert (rows["learner"]["available"], rows["learner"]["user"], rows["learner"]["project"]) \
        == ("yes", "learner", "lesson")
    assert "member" in rows["learner"]["roles"].split(", ")
    assert rows["admin"]["available"].startswith("no: No cloud called 'no-such-cloud'")
    assert rows["partner"]["available"] == \
        "no: set LABKIT_PARTNER_CLOUD to a cloud in your clouds.yaml"


def test_token_facts_hold_no_secret(learner):
    facts = offer.token_facts(learner)
    assert facts["project"] == "lesson" and facts["user"] == "learner"
    assert learner.auth_token not in repr(facts)
