"""Run an exercise's solution text as the notebook runs it, for the exercise tests.

A solution is Python lines and `!` lines (shell commands, with {expression} replaced by the
value of a Python expression, as IPython does). Running the very text the notebook shows
means a test fails when the solution stops working, not only when a helper does.
"""

import json
import re
import subprocess
import textwrap

import nbformat

_EXPRESSION = re.compile(r"\{([^{}]+)\}")


def _shell(line, namespace):
    command = _EXPRESSION.sub(lambda m: str(eval(m.group(1), namespace)), line)
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{line!r} failed: {done.stderr.strip()[-400:]}"
    return done.stdout


def run(solution, namespace):
    """Run the solution's lines in order: Python in namespace, `!` lines in a shell."""
    python = []
    for line in solution.splitlines() + ["!true"]:
        if line.startswith("!"):
            if python:
                exec("\n".join(python), namespace)
                python = []
            _shell(line[1:], namespace)
        else:
            python.append(line)
    return namespace


def solution_cells(notebook):
    """The sources of the cells tagged `solution`, with an `if <capability>:` guard removed."""
    cells = nbformat.read(notebook, as_version=4).cells
    sources = []
    for cell in cells:
        if "solution" not in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell.source.strip()
        first, _, rest = source.partition("\n")
        if re.fullmatch(r"if \w+:", first):
            source = textwrap.dedent(rest)
        sources.append(source.strip())
    return sources


def dumps(outcome):
    """An outcome as one line, for assertion messages."""
    return json.dumps({"kind": outcome.kind, "message": outcome.message,
                       "error": repr(getattr(outcome, "error", None))})


def solve(exercise, namespace):
    """Run the exercise's solution as written (with these names), then assert its check passes."""
    run(exercise.solution, namespace)
    outcome = exercise.check()
    assert outcome.passed, dumps(outcome)


def missing_from_notebook(notebook, exercise_classes):
    """The exercises whose solution text the notebook's solution cells do not show."""
    shown = solution_cells(notebook)
    return [cls.__name__ for cls in exercise_classes if cls.solution.strip() not in shown]
