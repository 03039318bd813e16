"""Unit tests of labkit.connect: which cloud names a lesson uses, and the messages when
something is missing. No cloud is contacted: every case here fails or resolves before that.
"""

import importlib

import pytest

from labkit.connect import ConnectError, MissingIdentity, connect, identities

# the module itself (the package's `labkit.connect` attribute is the function)
connect_module = importlib.import_module("labkit.connect")


@pytest.fixture(autouse=True)
def clean_choice(monkeypatch):
    """No identities chosen earlier in the session, and no role variables set."""
    monkeypatch.setattr(connect_module, "_chosen", {})
    for variable in ("OS_CLOUD", "OS_CLIENT_CONFIG_FILE", "LABKIT_ADMIN_CLOUD",
                     "LABKIT_PARTNER_CLOUD"):
        monkeypatch.delenv(variable, raising=False)


def test_devstack_names_are_recognised(monkeypatch):
    monkeypatch.setenv("OS_CLOUD", "devstack")
    who = identities()
    assert (who.learner, who.admin, who.partner) == ("devstack", "devstack-admin", "devstack-alt")
    assert who.pocket is False


def test_environment_overrides_the_well_known_names(monkeypatch):
    monkeypatch.setenv("OS_CLOUD", "devstack")
    monkeypatch.setenv("LABKIT_ADMIN_CLOUD", "my-admin")
    who = identities()
    assert (who.admin, who.partner) == ("my-admin", "devstack-alt")


def test_arguments_override_the_environment(monkeypatch):
    monkeypatch.setenv("OS_CLOUD", "devstack")
    monkeypatch.setenv("LABKIT_PARTNER_CLOUD", "env-partner")
    who = identities(cloud="school", partner="arg-partner")
    assert (who.learner, who.admin, who.partner) == ("school", None, "arg-partner")


def test_unknown_cloud_has_no_admin_and_connect_says_how_to_set_one(monkeypatch):
    monkeypatch.setenv("OS_CLOUD", "my-university")
    who = identities()
    assert (who.learner, who.admin, who.partner) == ("my-university", None, None)
    with pytest.raises(MissingIdentity) as err:
        connect(role="admin")
    assert "LABKIT_ADMIN_CLOUD" in str(err.value)
    assert "my-university" in str(err.value)


def test_cloud_missing_from_clouds_yaml_is_a_clear_error(tmp_path, monkeypatch):
    clouds_yaml = tmp_path / "clouds.yaml"
    clouds_yaml.write_text(
        "clouds:\n"
        "  other:\n"
        "    auth:\n"
        "      auth_url: http://127.0.0.1:1/v3\n"
        "      username: someone\n"
        "      password: not-used\n"
        "      project_name: p\n"
        "      user_domain_name: Default\n"
        "      project_domain_name: Default\n")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds_yaml))
    monkeypatch.setenv("OS_CLOUD", "missing")
    with pytest.raises(ConnectError) as err:
        connect()
    assert not isinstance(err.value, MissingIdentity)
    message = str(err.value)
    assert "'missing'" in message
    assert "OS_CLOUD" in message and "OS_CLIENT_CONFIG_FILE" in message


def test_unknown_role_is_refused(monkeypatch):
    monkeypatch.setenv("OS_CLOUD", "devstack")
    with pytest.raises(ValueError) as err:
        connect(role="boss")
    assert "learner, admin, partner" in str(err.value)


def test_the_pocket_cloud_named_as_labkit_lab_exports_it_is_the_pocket_cloud(monkeypatch, tmp_path):
    # `labkit lab` exports OS_CLOUD=labkit and the pocket cloud's clouds.yaml; the lessons'
    # pocket-only parts (lesson 1's local mirror, lesson 00's logs) must still run there
    from labkit.cloud import PocketCloud

    monkeypatch.setenv("OS_CLOUD", "labkit")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(PocketCloud(say=print).layout.clouds_yaml))
    assert identities().pocket is True
    other = tmp_path / "clouds.yaml"  # a cloud that a learner happens to call labkit
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(other))
    assert identities().pocket is False


class FakePocket:
    """Stands in for PocketCloud: up, with its clouds.yaml at a known path."""

    layout = type("Layout", (), {"clouds_yaml": "/pocket/clouds.yaml"})()

    def is_up(self):
        return True


@pytest.mark.parametrize("name, admin", [("labkit", "labkit-admin"), ("labkit-admin", None),
                                          ("labkit-partner", None)])
def test_pocket_names_work_without_exported_variables(monkeypatch, name, admin):
    """`labkit verify --cloud labkit` in a fresh shell: the name is the pocket cloud's own."""
    import labkit.cloud

    monkeypatch.setattr(labkit.cloud, "PocketCloud", FakePocket)
    who = identities(cloud=name)
    assert (who.learner, who.admin, who.config_file, who.pocket) == (
        name, admin, "/pocket/clouds.yaml", True)


def test_exported_config_file_still_decides_where_pocket_names_are(monkeypatch):
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", "/elsewhere/clouds.yaml")
    who = identities(cloud="labkit")
    assert (who.config_file, who.pocket) == ("/elsewhere/clouds.yaml", False)
