"""labkit.networks' own checks, without a cloud: what ssh_from_outside refuses before it
runs anything."""

import pytest

from labkit import networks, security


def test_ssh_refuses_a_private_key_others_can_read_and_says_how_to_fix_it(tmp_path):
    keys = security.generate_key("day3-unit", folder=tmp_path)
    keys.private.chmod(0o644)
    with pytest.raises(networks.NetworkInputError, match=r"chmod 600 .*day3-unit"):
        networks.ssh_from_outside("203.0.113.10", keys)
    assert keys.private.stat().st_mode & 0o777 == 0o644  # the file is the learner's: untouched


def test_ssh_wants_an_address_and_an_existing_key_file(tmp_path):
    keys = security.generate_key("day3-unit", folder=tmp_path)
    with pytest.raises(networks.NetworkInputError, match="not an IP address"):
        networks.ssh_from_outside("server.example", keys)
    with pytest.raises(networks.NetworkInputError, match="No private key file"):
        networks.ssh_from_outside("203.0.113.10", tmp_path / "missing")


def test_the_ssh_exercise_names_what_is_wrong_with_a_rule():
    from labkit.exercises.security import SshFromOffice

    def mistake(protocol="tcp", ports="22", remote="203.0.113.0/24"):
        row = {"direction": "ingress", "protocol": protocol, "ports": ports, "remote": remote}
        return SshFromOffice(None)._mistake(row)

    assert mistake() is None and mistake(remote="203.0.113.1/32") is None  # narrower is fine
    assert "not SSH alone" in mistake(ports="any") and "not SSH alone" in mistake(protocol="udp")
    assert "does not hold" in mistake(remote="198.51.100.0/24")
    assert "more than the office" in mistake(remote="anywhere")
    assert "trusts a group" in mistake(remote="members of day3-admins")
