"""gunicorn settings every pocket-cloud API shares (service.py passes --config this file).

`labkit cloud down` sends the master SIGTERM; the master asks its worker with SIGTERM too.
Two things kept a worker from stopping, and `down` killed it 15 s later:
- Neutron's: its SIGTERM handler was no longer gunicorn's once Neutron's app had loaded,
  and its OVN driver's threads (OVSDB connections, periodic tasks) are not daemon threads.
- every API's, after a client had called it: gthread's graceful shutdown waits for each
  open connection, and an idle keep-alive one (--keep-alive 120) only times out later than
  graceful_timeout (30 s).
"""

import logging
import os
import signal
import time


def post_worker_init(worker):
    """The app is loaded: SIGTERM is gunicorn's again, and it lets idle connections go."""
    handler = signal.getsignal(signal.SIGTERM)
    if handler != worker.handle_exit:
        worker.log.info("SIGTERM handler %r set while the app loaded: gunicorn's again", handler)

    def handle_exit(sig, frame):
        # on the worker's main thread, which owns the connection lists (a signal handler may
        # interrupt it halfway through changing them)
        worker.method_queue.defer(_expire_idle_connections, worker)
        worker.handle_exit(sig, frame)

    signal.signal(signal.SIGTERM, handle_exit)
    worker.labkit_booted = True


def _expire_idle_connections(worker):
    """Idle keep-alive and not-yet-read connections time out now: the worker's loop closes
    them (a client's next request opens a new connection). Requests in flight finish."""
    now = time.monotonic()
    for conn in [*worker.keepalived_conns, *worker.pending_conns]:
        conn.timeout = now


def worker_exit(server, worker):
    """The worker has finished its requests: leave now, whatever threads the app started.
    (A worker whose app failed to load leaves as gunicorn says: its exit status tells the
    master to stop, and `up` to report the crash.)"""
    if not getattr(worker, "labkit_booted", False):
        return
    logging.shutdown()
    os._exit(0)
