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
