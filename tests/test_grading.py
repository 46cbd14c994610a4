"""A real nbgrader round trip for every lab, in a fresh temporary course folder and database.

For each lab (the sample fixture and every solutions/<lab>): generate the student version with the course's
nbgrader settings; autograde two submissions, the solution notebook (full marks on every autograded cell) and
the untouched student copy (zero on every autograded cell), reading the scores from nbgrader's Gradebook;
and run nbgrader's Validator, which must pass the solution and, inverted, the untouched student copy.
COURSE_STRICT is unset here: under nbgrader, NBGRADER_EXECUTION alone must make the checks raise.
"""
import os
import shutil
import sys
from pathlib import Path

import pytest

from course_lib import authoring

ROOT = Path(__file__).resolve().parents[1]
COURSE = authoring.Course(ROOT)
SAMPLE = Path(__file__).parent / "fixtures" / "sample_lab" / "sample_lab.ipynb"
LABS = ["sample_lab"] + [lab for lab in authoring.lab_names(COURSE.solutions) if COURSE.solution(lab).is_file()]
STUDENTS = {"solution": "the solution notebook", "untouched": "the untouched student copy"}

pytestmark = [
    pytest.mark.notebook,
    # nbgrader 0.9 with SQLAlchemy 2 warns about its own autoflush while autograding; harmless.
    pytest.mark.filterwarnings("ignore:Object of type .* not in session:sqlalchemy.exc.SAWarning"),
]


@pytest.fixture(scope="module")
def grading_env(tmp_path_factory):
    """The environment nbgrader and its kernels run in: venv first on PATH, no COURSE_STRICT, own cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
        mp.setenv("COURSE_DATA_DIR", str(tmp_path_factory.mktemp("grading-cache")))
        for name in ("COURSE_STRICT", "NBGRADER_EXECUTION", "MPLBACKEND"):
            mp.delenv(name, raising=False)
        yield


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
    """Put a submission in submitted/<student>/<lab>: the released files, with ``notebook`` as the lab."""
    folder = root / "submitted" / student / lab
    shutil.copytree(root / "labs" / lab, folder)
    shutil.copyfile(notebook, folder / f"{lab}.ipynb")


def autograde(root: Path, lab: str, student: str) -> None:
    """Run nbgrader's autograde for one submission; fail with nbgrader's log if it breaks."""
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    config = authoring.nbgrader_config(root)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.student_id = lab, student
    app = Autograde(coursedir=coursedir, config=config)
    app.force, app.create_student = True, True
    result = capture_log(app)
    log = f"{result.get('log', '')}{result.get('error', '')}"
    assert result["success"], f"nbgrader autograde failed for {STUDENTS[student]}:\n{log}"


def scores(root: Path, lab: str, student: str) -> dict[str, tuple[float, float]]:
    """{grade_id: (auto_score, max_score)} of every autograded code cell, from nbgrader's Gradebook."""
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    with Gradebook(CourseDirectory(config=authoring.nbgrader_config(root)).db_url) as gb:
        notebook = gb.find_submission_notebook(lab, lab, student)
        return {g.name: (g.auto_score, g.max_score) for g in notebook.grades
                if g.auto_score is not None and g.cell_type == "code"}  # written answers score 0 while unchanged


def manual_grades(root: Path, lab: str, student: str) -> dict[str, bool]:
    """{grade_id: needs_manual_grade} of every written answer (markdown grade cell), from nbgrader's Gradebook."""
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    with Gradebook(CourseDirectory(config=authoring.nbgrader_config(root)).db_url) as gb:
        notebook = gb.find_submission_notebook(lab, lab, student)
        return {g.name: g.needs_manual_grade for g in notebook.grades if g.cell_type == "markdown"}


@pytest.fixture(scope="module", params=LABS)
def roundtrip(request, tmp_path_factory, grading_env):
    """One lab taken through generate and autograde in a fresh course: (lab, course root, scores per student)."""
    lab = request.param
    root = tmp_path_factory.mktemp(f"course-{lab}")
    new_course(root, lab)
    authoring.nbgrader_generate(root, lab)
    submit(root, lab, "solution", root / "solutions" / lab / f"{lab}.ipynb")
    submit(root, lab, "untouched", root / "labs" / lab / f"{lab}.ipynb")
    for student in STUDENTS:
        autograde(root, lab, student)
    return lab, root, {student: scores(root, lab, student) for student in STUDENTS}


def graded_cells(root: Path, lab: str) -> set[str]:
    """The grade_ids of the autograded test cells in a lab's source notebook."""
    nb = authoring.read(root / "solutions" / lab / f"{lab}.ipynb")
    return {authoring.nbgrader_meta(cell)["grade_id"] for cell in nb.cells if authoring.is_test_cell(cell)}


def test_solution_gets_full_marks(roundtrip):
    lab, root, got = roundtrip
    marks = got["solution"]
    assert set(marks) == graded_cells(root, lab), f"{lab}: autograde did not score every test cell: {marks}"
    short = {gid: m for gid, m in marks.items() if m[0] != m[1]}
    assert not short, f"{lab}: the solution lost marks on {short} (grade_id: (score, max))"


def test_untouched_student_copy_gets_zero(roundtrip):
    lab, root, got = roundtrip
    marks = got["untouched"]
    assert set(marks) == graded_cells(root, lab), f"{lab}: autograde did not score every test cell: {marks}"
    given = {gid: m for gid, m in marks.items() if m[0] != 0}
    assert not given, f"{lab}: an unsolved exercise earned marks on {given}: its checks must fail on the stub"


def test_written_answers_wait_for_a_manual_grade(roundtrip):
    lab, root, _ = roundtrip
    nb = authoring.read(root / "solutions" / lab / f"{lab}.ipynb")
    written = {authoring.nbgrader_meta(c)["grade_id"] for c in nb.cells if authoring.is_written_answer(c)}
    got = manual_grades(root, lab, "solution")
    assert set(got) == written, f"{lab}: the gradebook's written answers {sorted(got)} differ from {sorted(written)}"
    waiting = {gid for gid, needs in got.items() if needs}
    assert waiting == written, f"{lab}: formgrader does not ask for a grade on {sorted(written - waiting)}"


def validate(root: Path, notebook: Path, invert: bool) -> dict:
    """nbgrader's Validator results for a notebook ({} when it passes)."""
    from nbgrader.validator import Validator

    return Validator(config=authoring.nbgrader_config(root), invert=invert).validate(str(notebook))


def test_validator_passes_the_solution(roundtrip):
    lab, root, _ = roundtrip
    results = validate(root, root / "solutions" / lab / f"{lab}.ipynb", invert=False)
    assert results == {}, f"{lab}: nbgrader validate fails the solution: {results}"


def test_validator_inverted_passes_the_untouched_student_copy(roundtrip):
    lab, root, _ = roundtrip
    results = validate(root, root / "labs" / lab / f"{lab}.ipynb", invert=True)
    assert results == {}, f"{lab}: on the untouched student copy, some checks pass or cells changed: {results}"
