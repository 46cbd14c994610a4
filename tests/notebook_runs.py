"""Each lab's two notebook versions, executed once per test session by one real nbgrader round trip.

For a lab (the sample fixture or solutions/<lab>), ``LabRuns.get(lab)`` lays out a fresh temporary course folder
and gradebook, generates the student version with the course's nbgrader settings, and autogrades two
submissions: the solution notebook and the untouched student copy. Autograde executes each of them once, in
the submission's folder, with NBGRADER_EXECUTION set (course_lib runs in FAST mode and a failing check raises),
COURSE_STRICT unset and an empty COURSE_DATA_DIR of its own; the solution with MPLBACKEND=Agg, the student copy
with the kernel's default inline backend. The executed notebooks and the gradebook's scores are kept for the
session, so test_grading.py and test_notebooks.py read one execution per notebook version.

Each execution's wall time is printed as a "[notebook] ..." line (with -q too).
"""
from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from course_lib import authoring

ROOT = Path(__file__).resolve().parents[1]
COURSE = authoring.Course(ROOT)
SAMPLE = Path(__file__).parent / "fixtures" / "sample_lab" / "sample_lab.ipynb"
LABS = ["sample_lab"] + [lab for lab in authoring.lab_names(COURSE.solutions) if COURSE.solution(lab).is_file()]
STUDENTS = {"solution": "the solution notebook", "untouched": "the untouched student copy"}
BACKENDS = {"solution": "Agg", "untouched": None}  # None: the kernel's default, inline
PROBE = "import sys as _sys\nprint('kernel prefix:', _sys.prefix)"


@dataclass(frozen=True)
class Run:
    """One submission autograded: what was handed in, the notebook as nbgrader executed it, its scores."""

    lab: str
    student: str
    name: str  # the notebook as the repository names it, for messages
    submitted: nbformat.NotebookNode  # the notebook handed in (without the kernel probe)
    executed: nbformat.NotebookNode  # autograde's executed notebook (the probe cell removed)
    kernel_prefix: str  # what the probe cell printed: the kernel's sys.prefix
    scores: dict[str, tuple[float, float]]  # {grade_id: (auto_score, max_score)} from the gradebook
    written: dict[str, bool]  # {grade_id: needs_manual_grade} of every written answer, from the gradebook
    wall_s: float


@dataclass(frozen=True)
class LabRun:
    """A lab's round trip: its temporary course folder and its two autograded submissions."""

    lab: str
    root: Path
    runs: dict[str, Run]

    def graded_cells(self) -> set[str]:
        """The grade_ids of the autograded test cells in the lab's source notebook."""
        nb = authoring.read(self.root / "solutions" / self.lab / f"{self.lab}.ipynb")
        return {authoring.nbgrader_meta(cell)["grade_id"] for cell in nb.cells if authoring.is_test_cell(cell)}


class LabRuns:
    """Runs each lab's round trip on first use and keeps it for the session."""

    def __init__(self, tmp_path_factory, config):
        self._tmp, self._config, self._done, self._failed = tmp_path_factory, config, {}, {}

    def get(self, lab: str) -> LabRun:
        """The lab's round trip, run now if this session has not run it yet (nor seen it fail)."""
        if lab in self._failed:
            pytest.fail(f"{lab}: its nbgrader round trip failed earlier in this session:\n{self._failed[lab]}",
                        pytrace=False)
        if lab not in self._done:
            try:
                self._done[lab] = self._round_trip(lab)
            except Exception as exc:
                self._failed[lab] = f"{type(exc).__name__}: {exc}"
                raise
        return self._done[lab]

    def _round_trip(self, lab: str) -> LabRun:
        root = self._tmp.mktemp(f"course-{lab}")
        new_course(root, lab)
        authoring.nbgrader_generate(root, lab)
        released = {"solution": root / "solutions" / lab / f"{lab}.ipynb",
                    "untouched": root / "labs" / lab / f"{lab}.ipynb"}
        runs = {}
        for student, notebook in released.items():
            submit(root, lab, student, notebook)
            cache = self._tmp.mktemp(f"cache-{lab}-{student}")
            name = notebook_name(lab, student)
            backend = f"MPLBACKEND={BACKENDS[student]}" if BACKENDS[student] else "inline plots"
            start, outcome = time.perf_counter(), ", autograde failed"
            try:
                autograde(root, lab, student, cache, BACKENDS[student])
                outcome = ""
            finally:
                wall = time.perf_counter() - start
                self._report(f"{name}: {wall:.1f} s (FAST, nbgrader autograde, {backend}{outcome})")
            executed = authoring.read(root / "autograded" / student / lab / f"{lab}.ipynb")
            probe = executed.cells.pop()
            runs[student] = Run(lab, student, name, authoring.read(notebook), executed, stdout(probe).strip(),
                                *grades(root, lab, student), round(wall, 2))
        return LabRun(lab, root, runs)

    def _report(self, line: str) -> None:
        """Print a line to the terminal even when pytest captures output."""
        reporter = self._config.pluginmanager.get_plugin("terminalreporter")
        capture = self._config.pluginmanager.get_plugin("capturemanager")
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.write_line(f"[notebook] {line}")


def notebook_name(lab: str, student: str) -> str:
    """How the repository names the notebook a submission is a copy of."""
    if lab == "sample_lab":
        return COURSE.rel(SAMPLE) if student == "solution" else "the sample lab's student version"
    return COURSE.rel(COURSE.solution(lab) if student == "solution" else COURSE.student(lab))


def new_course(root: Path, lab: str) -> None:
    """Lay out a fresh course folder holding one lab's source (the sample is synced first)."""
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    if lab == "sample_lab":
        (root / "solutions" / lab).mkdir(parents=True)
        shutil.copy(SAMPLE, root / "solutions" / lab / f"{lab}.ipynb")
        authoring.sync(root)
    else:
        authoring.stage(COURSE, root, [lab])


def submit(root: Path, lab: str, student: str, notebook: Path) -> None:
    """Hand in the released files with ``notebook`` as the lab, plus a last cell that prints the kernel's prefix."""
    folder = root / "submitted" / student / lab
    shutil.copytree(root / "labs" / lab, folder)
    nb = authoring.read(notebook)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    (folder / f"{lab}.ipynb").write_text(authoring.dumps(nb), encoding="utf-8")


def autograde(root: Path, lab: str, student: str, cache: Path, backend: str | None) -> None:
    """Run nbgrader's autograde for one submission; fail with nbgrader's log if it breaks."""
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    config = authoring.nbgrader_config(root)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.student_id = lab, student
    app = Autograde(coursedir=coursedir, config=config)
    app.force, app.create_student = True, True
    with pytest.MonkeyPatch.context() as mp:  # the kernel inherits this process's environment
        learners_env(mp)
        mp.setenv("COURSE_DATA_DIR", str(cache))
        if backend:
            mp.setenv("MPLBACKEND", backend)
        authoring.cache_alembic_version()
        result = capture_log(app)
    log = f"{result.get('log', '')}{result.get('error', '')}"
    assert result["success"], f"nbgrader autograde failed for {STUDENTS[student]} of {lab}:\n{log}"


def learners_env(mp: pytest.MonkeyPatch) -> None:
    """Make the environment kernels inherit a learner's: this venv first on PATH, no mode, grader or backend set."""
    mp.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    for name in ("COURSE_STRICT", "COURSE_FAST", "NBGRADER_EXECUTION", "NBGRADER_VALIDATING", "MPLBACKEND"):
        mp.delenv(name, raising=False)


def grades(root: Path, lab: str, student: str) -> tuple[dict, dict]:
    """From nbgrader's Gradebook: {grade_id: (auto_score, max_score)} of every autograded code cell, and
    {grade_id: needs_manual_grade} of every written answer (a markdown grade cell, which scores 0 unchanged)."""
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    with Gradebook(CourseDirectory(config=authoring.nbgrader_config(root)).db_url) as gb:
        notebook = gb.find_submission_notebook(lab, lab, student)
        auto = {g.name: (g.auto_score, g.max_score) for g in notebook.grades
                if g.auto_score is not None and g.cell_type == "code"}
        written = {g.name: g.needs_manual_grade for g in notebook.grades if g.cell_type == "markdown"}
        return auto, written


def stdout(cell) -> str:
    """Everything a cell printed."""
    return "".join(out.get("text", "") for out in cell.get("outputs", []) if out.output_type == "stream")


def errors(cell) -> list[str]:
    """The errors a code cell raised, as "Name: message"."""
    return [f"{out.ename}: {out.evalue}" for out in cell.get("outputs", []) if out.output_type == "error"]
