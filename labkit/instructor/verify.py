"""Run the lessons against a cloud and report: `labkit verify`.

Each lesson notebook runs top to bottom with papermill (solutions included), with only cloud
*names* as parameters (never a secret); then its marked resources are cleaned up, whether it
passed or not. The output folder gets the executed notebooks, ``junit.xml`` and
``report.html`` (each lesson, each failing cell with its error, durations).
"""

import html
import time
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import nbformat
import papermill
from traitlets.config import Config

from .release import lesson_notebooks


@dataclass
class CellFailure:
    index: int
    source: str
    error: str


@dataclass
class LessonResult:
    name: str
    seconds: float
    failures: list = field(default_factory=list)
    cleanup: str = ""

    @property
    def passed(self):
        return not self.failures


# The kernel talks to papermill over local sockets: over TCP, ipykernel warns on every start
# (once per lesson) that the channel is not encrypted; a socket file is private to this user.
KERNEL_OVER_IPC = Config({"KernelManager": {"transport": "ipc"}})
PAPERMILL_TAGS = {"injected-parameters", "papermill-error-cell-tag"}


def failing_cells(notebook):
    """The cells of an executed notebook whose outputs hold an error, numbered as in the
    lesson's source (papermill's own inserted cells are not counted)."""
    found = []
    cells = [c for c in notebook.cells if not PAPERMILL_TAGS & set(c.metadata.get("tags", []))]
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(CellFailure(index, cell.source,
                                         f"{output.get('ename')}: {output.get('evalue')}"))
    return found


def run_lesson(path, output, parameters, timeout):
    started = time.monotonic()
    executed = output / path.name
    try:
        papermill.execute_notebook(str(path), str(executed), parameters=parameters,
                                   cwd=str(path.parent), progress_bar=False,
                                   execution_timeout=timeout, log_output=False,
                                   config=KERNEL_OVER_IPC)
    except papermill.PapermillExecutionError:
        pass  # the executed notebook records where it failed
    except Exception as exc:  # the kernel died, the notebook is unreadable, ...
        return LessonResult(path.stem, time.monotonic() - started,
                            [CellFailure(-1, "", f"{type(exc).__name__}: {exc}")])
    failures = failing_cells(nbformat.read(executed, as_version=4))
    return LessonResult(path.stem, time.monotonic() - started, failures)


def clean_after(result, cloud, lesson):
    from .. import cleanup
    from ..connect import connect

    try:
        conn = connect(cloud)
        removed = cleanup.cleanup(conn, lesson=lesson, quiet=True)
        result.cleanup = f"{sum(r.done for r in removed)} removed"
        stuck = [r for r in removed if not r.done]
        if stuck:
            result.cleanup += f", {len(stuck)} could not be removed"
    except Exception as exc:
        result.cleanup = f"cleanup failed: {exc}"


def verify(cloud=None, lessons=None, output="verify-report", admin=None, partner=None,
           timeout=600, say=print, folder=None):
    """Run lessons (all, or those whose names start with one of `lessons`); return results."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    parameters = {"cloud": cloud, "admin_cloud": admin, "partner_cloud": partner}
    chosen = [p for p in (lesson_notebooks(folder) if folder else lesson_notebooks())
              if not lessons or any(p.stem.startswith(str(lesson)) for lesson in lessons)]
    results = []
    for number, path in enumerate(chosen, 1):
        say(f"[{number}/{len(chosen)}] {path.stem} ...")
        result = run_lesson(path, output, parameters, timeout)
        clean_after(result, cloud, path.stem[:2])
        say(f"      {'passed' if result.passed else 'FAILED'} in {result.seconds:.0f} s"
            + (f" (cleanup: {result.cleanup})" if result.cleanup else ""))
        for failure in result.failures:
            say(f"      cell {failure.index}: {failure.error}")
        results.append(result)
    write_junit(results, output / "junit.xml", cloud)
    write_html(results, output / "report.html", cloud)
    return results


def write_junit(results, path, cloud):
    suite = ElementTree.Element("testsuite", name=f"labkit verify ({cloud or 'pocket cloud'})",
                                tests=str(len(results)),
                                failures=str(sum(not r.passed for r in results)),
                                time=f"{sum(r.seconds for r in results):.1f}")
    for result in results:
        case = ElementTree.SubElement(suite, "testcase", classname="lessons", name=result.name,
                                      time=f"{result.seconds:.1f}")
        for failure in result.failures:
            node = ElementTree.SubElement(case, "failure", message=failure.error)
            node.text = f"cell {failure.index}:\n{failure.source}"
    ElementTree.ElementTree(suite).write(path, encoding="unicode", xml_declaration=True)


def write_html(results, path, cloud):
    esc = html.escape
    rows = []
    for r in results:
        status = ("<span style='color:#137333'>passed</span>" if r.passed
                  else "<span style='color:#c5221f'>FAILED</span>")
        details = "".join(
            f"<details><summary>cell {f.index}: {esc(f.error)}</summary>"
            f"<pre>{esc(f.source)}</pre></details>" for f in r.failures)
        rows.append(f"<tr><td><a href='{esc(r.name)}.ipynb'>{esc(r.name)}</a></td><td>{status}"
                    f"</td><td>{r.seconds:.0f} s</td><td>{esc(r.cleanup)}</td>"
                    f"<td>{details}</td></tr>")
    passed = sum(r.passed for r in results)
    path.write_text(
        "<!doctype html><meta charset='utf-8'><title>labkit verify</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 10px;"
        "text-align:left;vertical-align:top;border-bottom:1px solid #ddd}</style>"
        f"<h1>Lesson verification: {passed} of {len(results)} passed</h1>"
        f"<p>Cloud: <b>{esc(cloud or 'the pocket cloud')}</b>. Total "
        f"{sum(r.seconds for r in results):.0f} s. Executed notebooks are beside this file.</p>"
        "<table><tr><th>lesson</th><th>result</th><th>time</th><th>cleanup</th>"
        f"<th>failing cells</th></tr>{''.join(rows)}</table>")
