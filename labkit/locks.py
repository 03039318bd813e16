"""One process at a time where two would collide: two notebooks building the tiny image,
`make lab` and `make test` installing the services, two test workers starting one cloud.

An advisory lock (flock) on a file beside what it guards: the kernel releases it when the
holder exits, even by a crash, so a stale lock never blocks anyone."""

import contextlib
import fcntl
from pathlib import Path


def lock_file(path):
    """The lock file for a folder or file: beside it, so removing the folder (reset) keeps
    the lock that guards it."""
    path = Path(path)
    return path.parent / f".{path.name}.lock"


@contextlib.contextmanager
def held(path, say=None, waiting_for=""):
    """Hold the lock guarding path for the block. When another process holds it, say so
    once (what we wait for) and wait: what it is doing is what we would do."""
    lock = lock_file(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if say and waiting_for:
                say(f"Waiting for another process: {waiting_for}")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
