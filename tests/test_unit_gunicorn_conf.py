"""runners/gunicorn_conf.py: on SIGTERM a worker lets its idle connections go and stops as
gunicorn does; a worker whose app failed to load keeps gunicorn's exit status.
(tests/test_cloud_lifecycle.py checks the real thing: after `down`, no process was killed.)"""

import importlib.util
import signal
from types import SimpleNamespace

import pytest

from labkit.cloud.service import RUNNERS


def load_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", RUNNERS / "gunicorn_conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeWorker:
    """What the hooks use of gunicorn's gthread worker."""

    def __init__(self):
        self.deferred, self.exits = [], []
        self.keepalived_conns = [SimpleNamespace(timeout=10**9)]
        self.pending_conns = [SimpleNamespace(timeout=10**9)]
        self.method_queue = SimpleNamespace(defer=lambda fn, *args: self.deferred.append((fn, args)))
        self.log = SimpleNamespace(info=lambda *args: None)

    def handle_exit(self, sig, frame):
        self.exits.append(sig)


@pytest.fixture
def sigterm_restored():
    before = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, before)


def test_sigterm_expires_idle_connections_on_the_main_loop_then_exits_gracefully(
        sigterm_restored):
    conf, worker = load_conf(), FakeWorker()
    signal.signal(signal.SIGTERM, lambda *_: None)  # as an app's loading leaves it
    conf.post_worker_init(worker)

    signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)

    assert worker.exits == [signal.SIGTERM]
    assert all(conn.timeout == 10**9 for conn in worker.keepalived_conns)  # not from the handler
    for fn, args in worker.deferred:  # the worker's loop runs what was deferred
        fn(*args)
    conns = [*worker.keepalived_conns, *worker.pending_conns]
    assert all(conn.timeout < 10**9 for conn in conns)


def test_a_worker_whose_app_did_not_load_leaves_as_gunicorn_says():
    conf = load_conf()
    # returns (gunicorn then exits with its boot-error status) instead of exiting 0 here
    assert conf.worker_exit(None, FakeWorker()) is None
