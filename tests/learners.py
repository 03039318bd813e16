"""Several learners at once: each one a thread with its own connection, looping over the
ordinary calls of the lessons, against every service. Used by the concurrency test
(tests/test_concurrent_learners.py) and the benchmark (benchmarks/concurrent_learners.py).

Each learner makes and removes its own marked resources (day3-load-<learner>-...), so the
run leaves nothing behind; every call's outcome is counted by service and status.
"""

import io
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

from labkit import marks

LESSON = "load"
PUBLIC_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGs6uSXVgSkc7pEvdcOM13KZJ0D7hY9Ii9vQ3uhjD0"
              "Dh day3-load")


@dataclass
class Tally:
    """Calls made, and those that failed, by service and HTTP status."""

    calls: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)  # (service, status, message)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, service, error=None):
        with self.lock:
            self.calls[service] += 1
            if error is not None:
                status = getattr(error, "status_code", None) or getattr(error, "http_status", None)
                self.failures.append((service, status, str(error).splitlines()[0][:200]))

    @property
    def total(self):
        return sum(self.calls.values())

    def server_errors(self):
        return [f for f in self.failures if f[1] is not None and f[1] >= 500]


class Learner:
    def __init__(self, conn, number, tally, with_share=True):
        self.conn, self.tally = conn, tally
        self.prefix = marks.name(f"load-{number}-{uuid.uuid4().hex[:6]}")
        self.container = f"{self.prefix}-objects"
        self.share = None
        self.with_share = with_share

    def call(self, service, action, *args, **kwargs):
        try:
            result = action(*args, **kwargs)
        except (sdk_exc.SDKException, ks_exc.ClientException) as exc:
            self.tally.record(service, exc)
            return None
        self.tally.record(service)
        return result

    # --- one round of a lesson's ordinary calls ---
    def round(self, n):
        name = f"{self.prefix}-{n}"
        conn = self.conn
        # Keystone: a new token, as every new connection or CLI command gets
        self.call("keystone", lambda: (conn.session.auth.invalidate(),
                                       conn.session.get_token()))
        # Neutron: a security group with a rule, removed again
        group = self.call("neutron", conn.network.create_security_group, name=name,
                          description=f"{marks.KEY}={LESSON}")
        if group is not None:
            self.call("neutron", conn.network.create_security_group_rule,
                      security_group_id=group.id, direction="ingress", protocol="tcp",
                      port_range_min=22, port_range_max=22, remote_ip_prefix="192.0.2.0/24")
            self.call("neutron", conn.network.delete_security_group, group)
        # Glance: create and upload (POST then PUT of the data), tag, delete
        image = self.call("glance", conn.image.upload_image, name=name, disk_format="raw",
                          container_format="bare", visibility="private",
                          data=io.BytesIO(b"\0" * 4096), **marks.properties(LESSON))
        if image is not None:
            self.call("glance", conn.image.add_tag, image, marks.TAG)
            self.call("glance", conn.image.delete_image, image)
        # Nova: a key pair
        keypair = self.call("nova", conn.compute.create_keypair, name=name,
                            public_key=PUBLIC_KEY)
        if keypair is not None:
            self.call("nova", conn.compute.delete_keypair, keypair)
        # Swift: put, read, delete an object
        self.call("swift", conn.object_store.upload_object, container=self.container,
                  name=f"{n}.txt", data=b"hello " * 100)
        self.call("swift", conn.object_store.download_object, f"{n}.txt",
                  container=self.container)
        self.call("swift", conn.object_store.delete_object, f"{n}.txt",
                  container=self.container)
        # Manila: look at the shares (one share per learner is made in setup)
        if self.with_share:
            self.call("manila", lambda: list(conn.shared_file_system.shares()))

    # --- before and after the rounds ---
    def setup(self):
        self.call("swift", self.conn.object_store.create_container, self.container,
                  metadata=marks.properties(LESSON))
        if self.with_share:
            self.share = self.call("manila", self.conn.shared_file_system.create_share,
                                   name=self.prefix, share_proto="NFS", size=1,
                                   metadata=marks.properties(LESSON))

    def teardown(self):
        conn = self.conn
        if self.share is not None:
            try:
                conn.shared_file_system.wait_for_status(self.share, "available", wait=120)
            except sdk_exc.SDKException as exc:
                self.tally.record("manila", exc)
            self.call("manila", conn.shared_file_system.delete_share, self.share)
            self.call("manila", conn.shared_file_system.wait_for_delete, self.share, wait=120)
        self.call("swift", conn.object_store.delete_container, self.container)


def run(connect, learners, seconds, with_share=True):
    """Run `learners` threads for `seconds`; connect(i) gives learner i its connection.
    Returns the tally and the elapsed seconds of the rounds."""
    tally = Tally()
    crowd = [Learner(connect(i), i, tally, with_share) for i in range(learners)]
    for learner in crowd:
        learner.setup()
    deadline = time.monotonic() + seconds

    def loop(learner):
        n = 0
        while time.monotonic() < deadline:
            learner.round(n)
            n += 1

    started = time.monotonic()
    threads = [threading.Thread(target=loop, args=(learner,)) for learner in crowd]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    for learner in crowd:
        learner.teardown()
    return tally, elapsed
