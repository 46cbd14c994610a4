"""Every lab runs top to bottom in FAST mode.

* A solution notebook (solutions/<lab>/<lab>.ipynb) runs without error with COURSE_STRICT=1, so every
  exercise check passes.
* A student notebook (labs/<lab>/<lab>.ipynb) runs without error with COURSE_STRICT unset: exercises never
  block, and each graded check prints a "not yet" hint instead.

Kernels are this virtualenv's Python (checked inside the kernel), started in the notebook's folder. Each
notebook's wall time is printed (with -q too) and recorded as the test's `wall_time_s` property.
"""
import os
import shutil
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert.filters import strip_ansi

from course_lib import authoring

ROOT = Path(__file__).resolve().parents[1]
COURSE = authoring.Course(ROOT)
SAMPLE = Path(__file__).parent / "fixtures" / "sample_lab" / "sample_lab.ipynb"
LABS = [lab for lab in authoring.lab_names(COURSE.solutions) if COURSE.solution(lab).is_file()]
STUDENT_LABS = [lab for lab in authoring.lab_names(COURSE.labs) if COURSE.student(lab).is_file()]
CELL_TIMEOUT = 300  # seconds per cell; FAST mode keeps whole labs far below this
PROBE = "import sys as _sys\nprint('kernel prefix:', _sys.prefix)"

pytestmark = pytest.mark.notebook


def kernel_env(strict: bool) -> dict:
    """The kernel's environment: FAST mode, strict or not, this venv first on PATH, inline plots."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["COURSE_FAST"] = "1"
    for name in ("COURSE_STRICT", "NBGRADER_EXECUTION", "NBGRADER_VALIDATING", "MPLBACKEND"):
        env.pop(name, None)
    if strict:
        env["COURSE_STRICT"] = "1"
    return env


def run_notebook(path: Path, strict: bool, request) -> nbformat.NotebookNode:
    """Execute a notebook in its own folder with this venv's kernel; report its wall time; return it run."""
    nb = authoring.read(path)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    outputs = path.parent / "outputs"
    had_outputs = outputs.exists()
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start, error = time.perf_counter(), None
    try:
        client.execute(env=kernel_env(strict))
    except CellExecutionError as exc:
        error = strip_ansi(str(exc))
    finally:
        if not had_outputs and outputs.is_dir():
            shutil.rmtree(outputs)  # what the lab wrote while testing; a learner's own outputs stay
    mode = "FAST, strict" if strict else "FAST"
    if error:
        pytest.fail(f"{_rel(path)} stopped after {time.perf_counter() - start:.1f} s ({mode}):\n{error}", pytrace=False)
    elapsed = time.perf_counter() - start
    report(request, f"{_rel(path)}: {elapsed:.1f} s ({mode})")
    request.node.user_properties.append(("wall_time_s", round(elapsed, 2)))
    probe = stdout(nb.cells.pop())
    assert f"kernel prefix: {sys.prefix}" in probe, f"the kernel was not this venv's Python ({sys.prefix}): {probe}"
    return nb


def report(request, line: str) -> None:
    """Print a line to the terminal even when pytest captures output."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"[notebook] {line}")


def stdout(cell) -> str:
    """Everything a cell printed."""
    return "".join(out.get("text", "") for out in cell.get("outputs", []) if out.output_type == "stream")


def _rel(path: Path) -> str:
    """A path relative to the repository, where possible."""
    return COURSE.rel(path)


@pytest.fixture(scope="module")
def sample_student(tmp_path_factory) -> Path:
    """The sample lab's student version, generated in a temporary course folder."""
    root = tmp_path_factory.mktemp("sample-course")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    (root / "solutions" / "sample_lab").mkdir(parents=True)
    shutil.copy(SAMPLE, root / "solutions" / "sample_lab" / "sample_lab.ipynb")
    authoring.sync(root)
    authoring.generate(root=root)
    return authoring.Course(root).student("sample_lab")


def check_solution(path: Path, request) -> None:
    """The solution runs cleanly in strict mode and every graded check passes."""
    nb = run_notebook(path, strict=True, request=request)
    for cell in filter(authoring.is_test_cell, nb.cells):
        assert "not yet" not in stdout(cell), f"{_rel(path)}: a check failed:\n{stdout(cell)}"


def check_student(path: Path, request) -> None:
    """The student version runs to the end, and every graded check prints a "not yet" hint."""
    nb = run_notebook(path, strict=False, request=request)
    tests = list(filter(authoring.is_test_cell, nb.cells))
    assert tests, f"{_rel(path)} has no graded checks"
    for cell in tests:
        grade_id = authoring.nbgrader_meta(cell).get("grade_id")
        assert "not yet" in stdout(cell), (
            f"{_rel(path)}: the check {grade_id} should print a 'not yet' hint for an unsolved exercise, "
            f"but printed:\n{stdout(cell) or '(nothing)'}"
        )


def test_sample_solution_runs_strict(request):
    check_solution(SAMPLE, request)


def test_sample_student_version_never_blocks(sample_student, request):
    check_student(sample_student, request)


@pytest.mark.parametrize("lab", LABS)
def test_solution_runs_strict(lab, request):
    check_solution(COURSE.solution(lab), request)


@pytest.mark.parametrize("lab", STUDENT_LABS)
def test_student_version_never_blocks(lab, request):
    check_student(COURSE.student(lab), request)
