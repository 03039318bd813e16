"""Files only their owner may read: secrets, clouds.yaml, private keys."""

import os
from pathlib import Path


def write_private(path, data):
    """Write text or bytes to path with mode 0600 (whatever the umask, new file or not).

    The data goes to a new file first, which then takes path's place: a reader (a service
    re-reading its policy file, a second notebook reading clouds.yaml) sees the old content or
    the new, never a half-written file, and a crash mid-write leaves the old one whole."""
    path = Path(path)
    staged = path.with_name(f".{path.name}.{os.getpid()}.new")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)
        os.chmod(staged, 0o600)
        os.replace(staged, path)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
