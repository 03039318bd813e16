"""Files only their owner may read: secrets, clouds.yaml, private keys."""

import os


def write_private(path, data):
    """Write text or bytes to path with mode 0600 (whatever the umask, new file or not)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    os.chmod(path, 0o600)
