"""Every lab runs top to bottom in FAST mode.

The labs are not executed here: each test reads the one execution per notebook version that
tests/notebook_runs.py makes with nbgrader's autograde (shared with test_grading.py). Under autograde,
NBGRADER_EXECUTION makes course_lib pick FAST mode and makes a failing check raise.

* A solution notebook (solutions/<lab>/<lab>.ipynb), run with MPLBACKEND=Agg, runs without an error in any
  cell, so every exercise check passes and the lab works under a non-inline matplotlib backend.
* A student notebook (labs/<lab>/<lab>.ipynb), run untouched with the default inline backend, never blocks:
  the only cells that raise are the graded test cells (each of which, in a learner's Jupyter, prints a
  "not yet" hint instead: its checks sit inside ``with checking(...)``, see course_lib/grading.py). Every other
  cell, exercise cells included, runs, so the lab runs past every exercise.
* The hint itself is checked in a real kernel, outside nbgrader, on the tiny sample lab's student version.

Kernels are this virtualenv's Python (checked inside the kernel). Each notebook's wall time is printed (with -q
too) when it runs and recorded as the `wall_time_s` property of the test that reads it.
"""
import os
import sys

import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert.filters import strip_ansi

from course_lib import authoring
from notebook_runs import LABS, errors, learners_env, stdout

CELL_TIMEOUT = 300  # seconds per cell; FAST mode keeps whole labs far below this

pytestmark = pytest.mark.notebook


def shared_run(lab_runs, lab: str, student: str, request):
    """A lab's autograded submission, its wall time recorded on the test, its kernel checked."""
    run = lab_runs.get(lab).runs[student]
    request.node.user_properties.append(("wall_time_s", run.wall_s))
    assert run.kernel_prefix == f"kernel prefix: {sys.prefix}", (
        f"{run.name}: the kernel was not this venv's Python ({sys.prefix}): {run.kernel_prefix}"
    )
    return run


def failures(nb, allowed) -> list[str]:
    """Each code cell that raised although ``allowed(cell)`` is false: its number, grade id and error."""
    return [
        f"cell {i} ({authoring.nbgrader_meta(cell).get('grade_id', 'not graded')}): {'; '.join(errors(cell))}"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and errors(cell) and not allowed(cell)
    ]


@pytest.mark.parametrize("lab", LABS)
def test_solution_runs_strict(lab, lab_runs, request):
    run = shared_run(lab_runs, lab, "solution", request)
    stopped = failures(run.executed, allowed=lambda cell: False)
    assert not stopped, f"{run.name} raised under nbgrader (FAST, MPLBACKEND=Agg):\n" + "\n".join(stopped)


@pytest.mark.parametrize("lab", LABS)
def test_student_version_never_blocks(lab, lab_runs, request):
    run = shared_run(lab_runs, lab, "untouched", request)
    tests = list(filter(authoring.is_test_cell, run.executed.cells))
    assert tests, f"{run.name} has no graded checks"
    stopped = failures(run.executed, allowed=authoring.is_test_cell)
    assert not stopped, (
        f"{run.name}, untouched, raised outside its graded checks, so a learner's lab would stop there:\n"
        + "\n".join(stopped)
    )
    passing = [authoring.nbgrader_meta(cell)["grade_id"] for cell in tests if not errors(cell)]
    assert not passing, f"{run.name}: the checks {passing} pass on the untouched copy; they must fail on the stub"


def test_sample_lab_student_version_prints_hints_in_jupyter(lab_runs, monkeypatch):
    """Outside nbgrader, each failing check of the untouched sample prints a "not yet" hint and the lab runs on."""
    path = lab_runs.get("sample_lab").root / "labs" / "sample_lab" / "sample_lab.ipynb"
    nb = authoring.read(path)
    learners_env(monkeypatch)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute(env=dict(os.environ))
    except CellExecutionError as exc:
        pytest.fail(f"the sample lab's student version stopped in Jupyter:\n{strip_ansi(str(exc))}", pytrace=False)
    for cell in filter(authoring.is_test_cell, nb.cells):
        grade_id = authoring.nbgrader_meta(cell).get("grade_id")
        assert "not yet" in stdout(cell), (
            f"the check {grade_id} should print a 'not yet' hint for an unsolved exercise, "
            f"but printed:\n{stdout(cell) or '(nothing)'}"
        )
