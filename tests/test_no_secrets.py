"""No notebook shows a secret: run every lesson with papermill and scan every output.

Looked for: the pocket cloud's own passwords and keys (its secrets.json), Fernet tokens
(Keystone's tokens start "gAAAA"), PEM private keys, and any other long random-looking
base64 run (application-credential secrets, generated passwords). Hex strings (hashes, IDs,
UUIDs) cannot match: a run must mix upper case, lower case and digits and be as random as a
secret. Public SSH keys and SHA256 fingerprints are not secrets and are allowed.
The notebooks are the ones `labkit verify` executed in this test session (conftest.py).
"""

import json
import math
import re
from collections import Counter
from pathlib import Path

import nbformat
import papermill
import pytest
from lesson_runs import RUN_BY_THEIR_OWN_TESTS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))

FERNET = re.compile(r"gAAAAA[A-Za-z0-9_\-]{20,}")
PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
RUN = re.compile(r"[A-Za-z0-9_\-]{32,}")  # URL-safe base64, as Keystone writes secrets
# a run right after one of these is a public key, a fingerprint or embedded data, not a secret
ALLOWED_BEFORE = re.compile(
    r"(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-\S+@openssh\.com) $|SHA256:$|base64,$")
TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")


def entropy(text):
    """Shannon entropy in bits per character."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def looks_random(run):
    return (any(c.isupper() for c in run) and any(c.islower() for c in run)
            and any(c.isdigit() for c in run) and entropy(run) >= 4.5)


# an SSH SHA256 fingerprint is base64 with '+' and '/', which would split it into runs
FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}=?")


def find_secrets(text, known=()):
    """What in text looks like a secret: [(kind, a short excerpt)]."""
    found = [("cloud secret", value[:4] + "...") for value in known if value in text]
    text = FINGERPRINT.sub("SHA256:<fingerprint>", text)
    found += [("fernet token", m.group()[:8] + "...") for m in FERNET.finditer(text)]
    found += [("private key", m.group()) for m in PRIVATE_KEY.finditer(text)]
    for m in RUN.finditer(text):
        before = text[max(0, m.start() - 40):m.start()]
        if looks_random(m.group()) and not ALLOWED_BEFORE.search(before):
            found.append(("random-looking string", m.group()[:6] + "..."))
    return found


def output_texts(nb):
    """(cell index, text) for every text output of every code cell."""
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                yield index, out.text
            elif out.output_type == "error":
                yield index, "\n".join([out.ename, out.evalue, *out.traceback])
            else:
                for kind in TEXT_TYPES:
                    value = out.get("data", {}).get(kind)
                    if value is not None:
                        yield index, value if isinstance(value, str) else json.dumps(value)


def cloud_secrets(layout):
    """Every string in the pocket cloud's secrets.json (passwords, hash salts)."""
    def leaves(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from leaves(v)
        elif isinstance(value, list):
            for v in value:
                yield from leaves(v)
        elif isinstance(value, str) and len(value) >= 8:
            yield value
    return sorted(set(leaves(json.loads(layout.secrets_file.read_text()))))


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


# --- every lesson, executed ----------------------------------------------------------------
@pytest.mark.cloud
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_secret_in_any_output(pocket, verified_course, executed_lessons, notebook):
    """Scan every lesson as executed in this session: by `labkit verify`, or by the lesson's
    own test, which runs first (see lesson_runs.py)."""
    executed = verified_course.output / notebook.name
    if notebook.name[:2] in RUN_BY_THEIR_OWN_TESTS:
        executed = executed_lessons / notebook.name
        if not executed.is_file():  # this test run alone: execute the lesson here
            papermill.execute_notebook(str(notebook), str(executed), cwd=str(notebook.parent),
                                       kernel_name="python3", progress_bar=False,
                                       execution_timeout=600)
    assert executed.is_file(), f"labkit verify wrote no {notebook.name}: " \
                               f"{verified_course.result.stdout[-2000:]}"
    known = cloud_secrets(pocket.layout)
    leaks = [(index, kind, excerpt)
             for index, text in output_texts(nbformat.read(executed, 4))
             for kind, excerpt in find_secrets(text, known)]
    assert not leaks, f"{notebook.name} shows secrets (cell, kind, start): {leaks}"
    errors = [index for index, cell in enumerate(nbformat.read(executed, 4).cells)
              if any(out.output_type == "error" for out in cell.get("outputs", []))]
    assert not errors, (f"{notebook.name} did not run to the end (error in cell {errors[0]}), "
                        f"so not every output could be checked")
