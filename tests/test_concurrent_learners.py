"""Many learners at once: an instructor's `labkit verify` while students work, two notebooks
side by side, a JupyterHub on one pocket cloud. The pocket cloud must answer them all
without a server error (sqlite's "database is locked" 500s were the failure this guards)."""

import pytest

import labkit
from labkit import marks

from learners import LESSON, run

pytestmark = pytest.mark.cloud

LEARNERS = 4
SECONDS = 25


def test_four_learners_at_once_get_no_server_error_and_leave_nothing(pocket, admin, learner):
    connections = []

    def connect(_):
        conn = labkit.connect(role="learner")
        connections.append(conn)
        return conn

    try:
        tally, _ = run(connect, LEARNERS, SECONDS)
    finally:
        for conn in connections:
            conn.close()
    assert set(tally.calls) == {"keystone", "neutron", "glance", "nova", "swift", "manila"}
    assert tally.total > 100  # it really ran: a few rounds per learner at the least
    assert tally.server_errors() == []
    assert tally.failures == []  # not even a 4xx: nothing here should be refused
    # nothing left behind, by any learner
    project = admin.identity.find_project("lesson", domain_id="default").id
    left = [*(g.name for g in admin.network.security_groups(project_id=project)
              if marks.has_prefix(g.name)),
            *(i.name for i in admin.image.images(owner=project)
              if (i.properties or {}).get(marks.KEY) == LESSON),
            *(s.name for s in admin.shared_file_system.shares(all_tenants=True)
              if s.project_id == project and (s.metadata or {}).get(marks.KEY) == LESSON),
            *(k.name for k in learner.compute.keypairs() if k.name.startswith("day3-load-")),
            *(c.name for c in learner.object_store.containers()
              if c.name.startswith("day3-load-"))]
    assert left == []
