"""labkit doctor, verify, cleanup, workshop and release, against the pocket cloud."""

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
import yaml

from labkit import cleanup, containers, marks
from labkit.instructor import doctor, release, verify, workshop
from labkit.connect import ConnectError, open_cloud

ROOT = Path(__file__).resolve().parents[1]
LABKIT = [sys.executable, "-m", "labkit"]


def labkit_cli(*args, env=None):
    return subprocess.run([*LABKIT, *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})}, cwd=ROOT)


def _notebook(cells, tags_by_index=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) if not src.startswith("#md")
                else nbformat.v4.new_markdown_cell(src[3:]) for src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    for index, tags in (tags_by_index or {}).items():
        nb.cells[index].metadata["tags"] = tags
    return nb


# --- release -------------------------------------------------------------------------

def test_release_removes_solutions_and_outputs_and_keeps_exercises(tmp_path):
    source = tmp_path / "notebooks"
    source.mkdir()
    nb = _notebook(["cloud = None", "# YOUR CODE HERE\n...", "answer = 42", "assert answer == 42",
                    "print('kept')"], {0: ["parameters"], 1: ["exercise"], 2: ["solution"],
                                       3: ["selftest"]})
    nb.cells[4].outputs = [nbformat.v4.new_output("stream", text="kept\n")]
    nb.cells[4].execution_count = 3
    nbformat.write(nb, source / "07-sample.ipynb")
    nbformat.write(nb, source / "scratch.ipynb")  # not a lesson: not released

    written = release.release(source, tmp_path / "release")

    assert [p.name for p in written] == ["07-sample.ipynb"]
    learner = nbformat.read(written[0], as_version=4)
    sources = [c.source for c in learner.cells]
    assert sources == ["cloud = None", "# YOUR CODE HERE\n...", "print('kept')"]
    assert all(c.outputs == [] and c.execution_count is None for c in learner.cells)
    # the source notebook is untouched
    assert len(nbformat.read(source / "07-sample.ipynb", as_version=4).cells) == 5


def test_release_of_the_real_lessons_has_no_solution_cells(tmp_path):
    written = release.release(dest=tmp_path)
    assert written, "notebooks/ holds no lesson notebooks"
    for path in written:
        for cell in nbformat.read(path, as_version=4).cells:
            assert "solution" not in cell.metadata.get("tags", []), path.name


# --- doctor --------------------------------------------------------------------------

@pytest.mark.cloud
def test_doctor_passes_on_the_pocket_cloud(pocket):
    checks = {c.check: c for c in doctor.doctor()}
    assert checks["authentication"].result == doctor.PASS
    for service in ("identity", "image", "object-store", "network", "compute"):
        assert checks[f"service {service}"].result == doctor.PASS, checks[f"service {service}"]
    assert checks["image import: web-download"].result == doctor.PASS
    assert checks["swift temporary URLs (tempurl)"].result == doctor.PASS
    # compute: the learner's view (a zone is up) agrees with the machine's (QEMU, libvirt)
    boots = pocket.compute_status() == "available"
    assert checks["compute hosts"].result == (doctor.PASS if boots else doctor.WARN)
    for quota in ("instances", "cores", "ram"):
        assert checks[f"quota compute {quota}"].result == doctor.PASS
    assert not [c for c in checks.values() if c.result == doctor.FAIL]


@pytest.mark.cloud
def test_doctor_cli_exit_status_and_unknown_cloud(pocket):
    good = labkit_cli("doctor")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "authentication" in good.stdout and " 0 failed" in good.stdout
    bad = labkit_cli("doctor", "--cloud", "no-such-cloud",
                     env={"OS_CLIENT_CONFIG_FILE": str(pocket.layout.clouds_yaml)})
    assert bad.returncode == 1
    assert "No cloud called 'no-such-cloud'" in bad.stdout


@pytest.mark.cloud
def test_wrong_credentials_are_named(pocket, tmp_path):
    clouds = yaml.safe_load(pocket.layout.clouds_yaml.read_text())
    clouds["clouds"]["labkit"]["auth"]["password"] = "not-the-password"
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump(clouds))
    with pytest.raises(ConnectError, match="refused the credentials"):
        open_cloud("labkit", path)


def test_unreachable_endpoint_gives_up_within_its_bound(tmp_path):
    # A server that accepts connections and never answers: the wait must end, and say so.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    port = server.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"silent": {
        "auth": {"auth_url": f"http://127.0.0.1:{port}/v3", "username": "u", "password": "p",
                 "project_name": "p", "user_domain_name": "Default",
                 "project_domain_name": "Default"},
        "api_timeout": 2}}}))
    with pytest.raises(ConnectError, match="Could not reach cloud 'silent'"):
        open_cloud("silent", path)
    server.close()


# --- cleanup -------------------------------------------------------------------------

@pytest.mark.cloud
def test_cleanup_touches_marked_resources_only(learner):
    marked = containers.create_container(learner, marks.name("cleanup-probe"), lesson="99")
    learner.object_store.create_container("not-a-lesson-container")
    try:
        listed = cleanup.cleanup(learner, lesson="99", dry_run=True, quiet=True)
        assert [r.name for r in listed] == [marked] and not listed[0].done
        assert learner.object_store.get_container_metadata(marked)  # dry run kept it
        removed = cleanup.cleanup(learner, lesson="99", quiet=True)
        assert [(r.name, r.done) for r in removed] == [(marked, True)]
        names = [c.name for c in learner.object_store.containers()]
        assert marked not in names and "not-a-lesson-container" in names
        assert cleanup.cleanup(learner, lesson="99", quiet=True) == []  # nothing left: no-op
    finally:
        learner.object_store.delete_container("not-a-lesson-container", ignore_missing=True)
        learner.object_store.delete_container(marked, ignore_missing=True)


@pytest.mark.cloud
def test_cleanup_older_than_leaves_young_resources(learner):
    container = containers.create_container(learner, marks.name("cleanup-young"), lesson="98")
    try:
        found = cleanup.cleanup(learner, lesson="98", older_than=3600, quiet=True)
        assert all(r.skipped and not r.done for r in found)
        assert container in [c.name for c in learner.object_store.containers()]
    finally:
        cleanup.cleanup(learner, lesson="98", quiet=True)


@pytest.mark.cloud
def test_cleanup_cli_with_nothing_to_clean(pocket):
    result = labkit_cli("cleanup", "--lesson", "97", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "Nothing to clean up" in result.stdout


# --- workshop ------------------------------------------------------------------------

@pytest.mark.cloud
def test_workshop_create_rerun_and_delete(admin, tmp_path):
    output = tmp_path / "workshop"
    try:
        # an interrupted run: the first student's project exists, nothing else
        admin.identity.create_project(name=workshop.student_name(1), domain_id="default",
                                      tags=[workshop.TAG])
        written = workshop.create(admin, 2, output)
        assert [p.parent.name for p in written] == ["day3-student01", "day3-student02"]
        for path in written:
            assert oct(path.stat().st_mode & 0o777) == "0o600"
            student = open_cloud("day3", path)
            assert student.current_project.name == path.parent.name
            partner = open_cloud("day3-partner", path)
            assert partner.current_project.name == path.parent.name + "-partner"
            # room to boot the lessons' servers (instances, cores, RAM), as workshop sets it
            quota = admin.get_compute_quotas(student.current_project_id)
            assert {key: quota[key] for key in ("instances", "cores", "ram")} == {
                key: workshop.QUOTAS["compute"][key] for key in ("instances", "cores", "ram")}
            # isolation: the partner project cannot see the student's container
            student.object_store.create_container(marks.name("ws-probe"))
            assert marks.name("ws-probe") not in [c.name for c in partner.object_store.containers()]
        rerun = workshop.create(admin, 2, output)  # idempotent; passwords renewed
        assert open_cloud("day3", rerun[0]).current_project.name == "day3-student01"
        gone = workshop.delete(admin, output, say=lambda *_: None)
        assert sorted(gone) == ["day3-student01", "day3-student01-partner",
                                "day3-student02", "day3-student02-partner"]
        assert workshop.workshop_projects(admin) == []
        assert admin.identity.find_user("day3-student01", domain_id="default") is None
        assert workshop.delete(admin, output) == []  # nothing left: a no-op
    finally:
        for project in workshop.workshop_projects(admin):
            admin.identity.delete_project(project, ignore_missing=True)


# --- verify --------------------------------------------------------------------------

@pytest.mark.cloud
def test_verify_reports_the_failing_cell_and_still_cleans_up(pocket, tmp_path):
    lessons = tmp_path / "notebooks"
    lessons.mkdir()
    good = _notebook(["cloud = None\nadmin_cloud = None\npartner_cloud = None",
                      "import labkit\nconn = labkit.connect(cloud)",
                      "print(conn.current_project.name)"], {0: ["parameters"]})
    bad = _notebook(["cloud = None\nadmin_cloud = None\npartner_cloud = None",
                     "import labkit\nfrom labkit import marks\nconn = labkit.connect(cloud)",
                     "from labkit import containers\n"
                     "containers.create_container(conn, marks.name('verify-left'), lesson='96')",
                     "raise RuntimeError('this lesson fails here')",
                     "print('never reached')"], {0: ["parameters"]})
    nbformat.write(good, lessons / "95-good.ipynb")
    nbformat.write(bad, lessons / "96-bad.ipynb")
    output = tmp_path / "report"

    results = verify.verify(output=output, folder=lessons, say=lambda *_: None, timeout=120)

    assert [(r.name, r.passed) for r in results] == [("95-good", True), ("96-bad", False)]
    failure = results[1].failures[0]
    assert failure.index == 3 and "this lesson fails here" in failure.error
    assert results[1].cleanup.startswith("1 removed")
    conn = open_cloud("labkit", pocket.layout.clouds_yaml)
    assert marks.name("verify-left") not in [c.name for c in conn.object_store.containers()]
    junit = (output / "junit.xml").read_text()
    assert 'tests="2"' in junit and 'failures="1"' in junit and "this lesson fails here" in junit
    report = (output / "report.html").read_text()
    assert "1 of 2 passed" in report and "96-bad" in report and "cell 3" in report
    assert (output / "95-good.ipynb").is_file() and (output / "96-bad.ipynb").is_file()
    executed = nbformat.read(output / "95-good.ipynb", as_version=4)
    assert "lesson" in executed.cells[-1].outputs[0]["text"]


@pytest.mark.cloud
@pytest.mark.long
def test_verify_cli_over_the_lessons(verified_course):
    """Every lesson end to end, with papermill, then cleanup: their second run (nbval's in
    `make test` is the first; see lesson_runs.py)."""
    result, output = verified_course.result, verified_course.output
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "passed" in result.stdout and "0 failed" in result.stdout
    report = (output / "report.html").read_text()
    count = len(verified_course.lessons)
    assert count == len(release.lesson_notebooks()) >= 5
    assert f"{count} of {count} passed" in report
    junit = (output / "junit.xml").read_text()
    assert f'tests="{count}"' in junit and 'failures="0"' in junit
