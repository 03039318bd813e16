"""oslo.messaging's in-process ``fake://`` transport, woken by deliveries instead of a timer.

Nova and Manila run all their RPC services in one process each (nova_all.py,
manila_all.py) on ``fake://``. Its listeners look at their queues every 50 ms, for ever:
twenty wake-ups a second per RPC server, the main cost of an idle pocket cloud. Here a
delivery wakes them instead: one condition variable for the process and a count of
deliveries; a listener with nothing to read sleeps until the count moves, its timeout
ends, or it is stopped. Messages, queues and their order are the driver's own.

Import it (``fake_transport.install()``) after eventlet's monkey-patching, so that the
condition is a green one, like the driver's own locks.
"""
import threading
import time

from oslo_messaging._drivers import base
from oslo_messaging._drivers import impl_fake

_delivered = threading.Condition()
_deliveries = 0


def _count_and_wake():
    global _deliveries
    with _delivered:
        _deliveries += 1
        _delivered.notify_all()


def _deliver_message(deliver):
    def deliver_and_wake(self, *args, **kwargs):
        deliver(self, *args, **kwargs)
        _count_and_wake()
    return deliver_and_wake


def _next_message(listener):
    for target in listener._targets:
        exchange = listener._exchange_manager.get_exchange(target.exchange)
        ctxt, message, reply_q, requeue = exchange.poll(target, listener._pool)
        if message is not None:
            return impl_fake.FakeIncomingMessage(ctxt, message, reply_q, requeue)
    return None


@base.batch_poll_helper
def _poll(self, timeout=None):
    deadline = None if timeout is None else time.monotonic() + timeout
    while not self._stopped.is_set():
        with _delivered:
            seen = _deliveries
        message = _next_message(self)
        if message is not None:
            return message
        with _delivered:
            # a delivery between the look and here moved the count: look again at once
            while _deliveries == seen and not self._stopped.is_set():
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                _delivered.wait(left)
    return None


def _stop(self):
    self._stopped.set()
    _count_and_wake()


def install():
    if getattr(impl_fake.FakeListener.poll, "_labkit", False):
        return
    impl_fake.FakeExchange.deliver_message = _deliver_message(
        impl_fake.FakeExchange.deliver_message)
    _poll._labkit = True
    impl_fake.FakeListener.poll = _poll
    impl_fake.FakeListener.stop = _stop
