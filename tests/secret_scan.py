"""What looks like a secret in a notebook's outputs, for the tests: the pocket cloud's own
passwords and keys (its secrets.json), Fernet tokens (Keystone's tokens start "gAAAA"), PEM
private keys, and any other long random-looking base64 run (application-credential secrets,
generated passwords). Hex strings (hashes, IDs, UUIDs) cannot match: a run must mix upper
case, lower case and digits and be as random as a secret. Public SSH keys and SHA256
fingerprints are not secrets and are allowed.

Used by test_no_secrets.py and by the root conftest.py, which scans every cell nbval runs.
"""

import json
import math
import re
from collections import Counter

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


def texts(outputs):
    """The text of each of a cell's outputs (streams, errors, every text-like display)."""
    for out in outputs:
        if out.output_type == "stream":
            yield out.text
        elif out.output_type == "error":
            yield "\n".join([out.ename, out.evalue, *out.traceback])
        else:
            for kind in TEXT_TYPES:
                value = out.get("data", {}).get(kind)
                if value is not None:
                    yield value if isinstance(value, str) else json.dumps(value)


def output_texts(nb):
    """(cell index, text) for every text output of every code cell."""
    for index, cell in enumerate(nb.cells):
        for text in texts(cell.get("outputs", [])):
            yield index, text


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


