"""No notebook shows a secret (the scanner is tests/secret_scan.py).

Every cell nbval runs is scanned as it runs (the root conftest.py): a cell that shows a secret
fails. The `long` test below scans the lessons' second runs, by `labkit verify` (see
lesson_runs.py).
"""

from pathlib import Path

import nbformat
import pytest
from lesson_runs import executed
from secret_scan import cloud_secrets, find_secrets, output_texts

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


# --- the scanner itself (no cloud) ---------------------------------------------------------
def test_scanner_finds_secrets():
    import secrets as pysecrets

    app_secret = pysecrets.token_urlsafe(64)  # the shape of a Keystone app-credential secret
    token = "gAAAAABnRt" + pysecrets.token_urlsafe(120)
    password = pysecrets.token_urlsafe(18)
    assert [k for k, _ in find_secrets(f"secret: {app_secret}")] == ["random-looking string"]
    assert "fernet token" in [k for k, _ in find_secrets(f"X-Auth-Token: {token}")]
    assert find_secrets(f"password: '{password}'", known=[password])[0][0] == "cloud secret"
    assert find_secrets("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn...")[0][0] == "private key"


def test_scanner_ignores_ids_hashes_paths_and_public_keys():
    import hashlib
    import uuid

    harmless = "\n".join([
        str(uuid.uuid4()), uuid.uuid4().hex, hashlib.sha512(b"x").hexdigest(),
        "72:7e:dc:7f:b8:c1:1c:db:27:90:52:b3:26:2f:12:53",
        "SHA256:6rSrWOZNgjziJih4eO+w05iR/PHnQormYhCj4VecaEQ",
        "SHA256:QeKg6LvQ/u5RnYygMFrK9NsY2BPl6XxHsYtjMKQTIFE",  # a long run after the '/'
        "<td>SHA256:QeKg6LvQ/u5RnYygMFrK9NsY2BPl6XxHsYtjMKQTIFE</td>",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICkrTGq0pnZ5lG6sWm0Xv9uJ3wq0K1a9bYkS2n2x7Hc1 day3",
        "/work/main/.labkit/s-state/glance/images/0b8a4bd2-6a5e-4c55-9d63-2d4d1b8f0c11",
        "http://127.0.0.1:22080/v1/AUTH_5469f7a9e03249d78bab8b5818684baf/day3-photos",
        "SecurityGroupRuleAlreadyExistsExceptionForTesting",
    ])
    assert find_secrets(harmless) == []


def test_a_cell_that_shows_a_secret_fails_under_nbval(tmp_path):
    """The root conftest.py scans each cell nbval runs: the cell showing a token fails."""
    import subprocess
    import sys

    leaky = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('print("nothing to hide")'),
        nbformat.v4.new_code_cell('print("X-Auth-Token:", "gAAAAAB" + "q7Rz2Kp9" * 6)')])
    nbformat.write(leaky, tmp_path / "leaky.ipynb")
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "conftest", "-c",
                           str(ROOT / "pyproject.toml"), str(tmp_path / "leaky.ipynb")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout[-2000:]
    assert "1 failed, 1 passed" in done.stdout and "fernet token" in done.stdout, done.stdout[-2000:]


# --- every lesson, executed ----------------------------------------------------------------
@pytest.mark.cloud
@pytest.mark.long
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_secret_in_any_output(pocket, verified_course, notebook):
    """Scan every lesson as `labkit verify` executed it in the long tests (lesson_runs.py)."""
    lesson = executed(verified_course, notebook)
    known = cloud_secrets(pocket.layout)
    leaks = [(index, kind, excerpt) for index, text in output_texts(lesson)
             for kind, excerpt in find_secrets(text, known)]
    assert not leaks, f"{notebook.name} shows secrets (cell, kind, start): {leaks}"
    errors = [index for index, cell in enumerate(lesson.cells)
              if any(out.output_type == "error" for out in cell.get("outputs", []))]
    assert not errors, (f"{notebook.name} did not run to the end (error in cell {errors[0]}), "
                        f"so not every output could be checked")
