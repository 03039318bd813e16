"""Which lesson runs where in a test session, so that each lesson runs end to end exactly
twice: once under nbval (every cell, notebooks/), and once more either in a test of its own
(lessons 01 and 03, which also try a machine without qemu-img) or in `labkit verify`."""

#: lessons a test of their own runs with papermill (tests/test_lesson01_notebook.py and
#: tests/test_lesson03_notebook.py); `labkit verify` runs the others
RUN_BY_THEIR_OWN_TESTS = ("01", "03")
