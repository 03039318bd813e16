"""labkit.private.write_private: mode 0600 whatever was there, whole content, nothing left over."""

import os

from labkit.private import write_private


def test_a_private_file_replaces_an_open_one_whole_and_leaves_no_staging_file(tmp_path):
    path = tmp_path / "clouds.yaml"
    path.write_text("old: readable by all\n")
    path.chmod(0o644)
    old_umask = os.umask(0)
    try:
        write_private(path, "clouds: {}\n")
    finally:
        os.umask(old_umask)
    assert path.read_text() == "clouds: {}\n"
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["clouds.yaml"]
