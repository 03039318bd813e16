"""Which lesson runs where, so that CI runs each lesson end to end exactly twice, on one
cloud, the second run after the first:

1. `make test`: nbval runs every cell of every lesson (notebooks/), and scans each cell's
   outputs for secrets (the root conftest.py);
2. `make test-long` (the same test cloud, stopped and started again, as a learner coming
   back the next day): lessons 01 and 03 in tests of their own, on a machine without
   qemu-img (their servers boot the tiny image built before), and the others by
   `labkit verify`, whose report is checked; tests/test_no_secrets.py scans both.

A newcomer's `make test` thus runs each lesson once; CI proves they are re-runnable.
"""

#: lessons a test of their own runs with papermill (tests/test_lesson01_notebook.py and
#: tests/test_lesson03_notebook.py); `labkit verify` runs the others
RUN_BY_THEIR_OWN_TESTS = ("01", "03")
