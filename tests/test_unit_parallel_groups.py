"""make test's parallel step keeps apart only what shares no cloud state (parallel_groups.py):
read from the test files themselves, so that a new test that uses a lesson's
mark, or makes what lesson 3's cleanup takes, cannot land beside it on the other worker."""

import re
from pathlib import Path

from parallel_groups import group

TESTS = Path(__file__).resolve().parent
NOTEBOOKS = TESTS.parent / "notebooks"
#: a lesson module's LESSON constant, as tests spell it
MODULE_LESSONS = {"shares": "02", "security": "03", "containers": "04"}
#: what lesson 3's cleanup removes whatever its mark (labkit/security.py's finders)
LESSON_3_TAKES_ALL = re.compile(r"create_security_group|create_keypair|import_keypair")


def lesson_marks(source):
    """The lesson marks a test file puts on what it makes or cleans up."""
    found = set(re.findall(r'(?:lesson|LESSON)\s*=\s*"([^"]+)"', source))
    found |= {MODULE_LESSONS[m] for m in re.findall(r"lesson=(\w+)\.LESSON", source)}
    found |= set(re.findall(r'labkit_lesson="?(\w+)', source)) - {"shares"}
    return found


def cloud_test_files():
    return [path for path in sorted(TESTS.glob("test_*.py"))
            if not path.name.startswith("test_unit_")]  # unit tests use no cloud


def source(path):
    """A test file's source, with the tests' helper modules it imports (learners.py...)."""
    text = path.read_text()
    helpers = re.findall(r"^(?:from|import) (\w+)", text, re.MULTILINE)
    return "\n".join([text, *((TESTS / f"{name}.py").read_text() for name in helpers
                              if (TESTS / f"{name}.py").is_file())])


def users_of_each_mark():
    users = {}
    for path in cloud_test_files():
        for mark in lesson_marks(source(path)):
            users.setdefault(mark, set()).add(path.name)
    for notebook in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"):
        users.setdefault(notebook.name[:2], set()).add(notebook.name)
    return users


def test_files_that_share_a_lesson_mark_share_a_worker():
    split = {mark: sorted(files) for mark, files in users_of_each_mark().items()
             if len({group(f) for f in files}) > 1}
    assert split == {}, "put these files in one group of tests/parallel_groups.py"


def test_what_lesson_3s_cleanup_takes_is_made_beside_lesson_3_only():
    lesson_3 = group("03-tightening-your-security.ipynb")
    makers = [path.name for path in cloud_test_files() if LESSON_3_TAKES_ALL.search(source(path))]
    assert "test_concurrent_learners.py" in makers  # through learners.py
    assert [f for f in makers if group(f) != lesson_3] == []


def test_the_marks_are_read_as_tests_write_them():
    source = ('cleanup(conn, lesson="91")\nLESSON = "90"\nshares.create(lesson=shares.LESSON)\n'
              'props = {"labkit_lesson": "x"}\ncreate(labkit_lesson="04")\n--property labkit_lesson=01')
    assert lesson_marks(source) == {"91", "90", "02", "04", "01"}
