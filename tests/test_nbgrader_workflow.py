"""The whole nbgrader workflow with nbgrader's own command line and exchange, as an instructor runs it.

A fresh course folder (the sample lab plus a written answer that needs a manual grade), a fresh gradebook and a
temporary exchange. The instructor generates and releases; two students, each in their own home folder, fetch
and submit (one answers with the solutions, one leaves the code undone); the instructor collects,
autogrades, enters the written answers' grades through nbgrader's Gradebook API (as formgrader does),
generates feedback and exports the grades to CSV. The commands are the ones the README's "For instructors"
section lists, word for word; the shared settings (course id, exchange) come from deploy/jupyterhub's
nbgrader_config.py, as on a course server.
"""
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_lib import authoring

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = Path(__file__).parent / "fixtures" / "sample_lab" / "sample_lab.ipynb"
SHARED_CONFIG = ROOT / "deploy" / "jupyterhub"
LAB = "sample_lab"
WRITTEN = "written_answer"  # grade_id of the manually graded cell added to the staged sample
WRITTEN_POINTS = 2

# The README's "For instructors" steps, in order. (role, command); $LAB is the lab's folder name.
STEPS = [
    ("instructor", 'nbgrader generate_assignment "$LAB" --force'),
    ("instructor", 'nbgrader release_assignment "$LAB" --force'),
    ("student", 'nbgrader fetch_assignment "$LAB"'),
    ("student", 'nbgrader submit "$LAB"'),
    ("instructor", 'nbgrader collect "$LAB"'),
    ("instructor", 'nbgrader autograde "$LAB"'),
    ("instructor", 'nbgrader generate_feedback "$LAB"'),
    ("instructor", "nbgrader export --to grades.csv"),
]
# The manual score each student's written answer gets, entered as formgrader would. ada answers everything
# with the solutions; bo leaves the code exercises undone and writes only a short answer.
STUDENTS = {"ada": 1.5, "bo": 0.5}
BO_ANSWER = "So that the checks are not all visible."

pytestmark = [
    pytest.mark.notebook,
    pytest.mark.timeout(600),
    pytest.mark.filterwarnings("ignore:Object of type .* not in session:sqlalchemy.exc.SAWarning"),
]


def written_answer_cell() -> nbformat.NotebookNode:
    """A markdown answer cell that nbgrader clears for students and leaves for a manual grade."""
    cell = nbformat.v4.new_markdown_cell(
        "Why does a lab keep some of its tests hidden?\n\n### BEGIN SOLUTION\n"
        "So that a learner cannot pass by fitting the answer to the visible checks: the hidden ones try "
        "other inputs.\n### END SOLUTION"
    )
    cell.metadata["nbgrader"] = {"grade": True, "solution": True, "locked": False, "task": False,
                                 "grade_id": WRITTEN, "points": WRITTEN_POINTS, "schema_version": 3}
    return cell


def new_course(root: Path) -> None:
    """A course folder like a copy of the repository: pyproject, nbgrader_config.py and the sample's source."""
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    nb = authoring.read(SAMPLE)
    nb.cells.insert(len(nb.cells) - 2, written_answer_cell())
    (root / "solutions" / LAB).mkdir(parents=True)
    nbformat.write(nb, root / "solutions" / LAB / f"{LAB}.ipynb")
    authoring.sync(root)


def environment(home: Path, exchange: Path, cache: Path) -> dict[str, str]:
    """One user's environment: own HOME, the shared nbgrader settings, the venv's bin first (for alembic)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("COURSE_STRICT", "NBGRADER_EXECUTION", "MPLBACKEND", "JUPYTER_CONFIG_DIR")}
    env.update(HOME=str(home), JUPYTER_CONFIG_PATH=str(SHARED_CONFIG), NBGRADER_EXCHANGE=str(exchange),
               COURSE_DATA_DIR=str(cache), LAB=LAB,
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    return env


def student_home(base: Path, student: str) -> Path:
    """A student's home folder; their config names them, as their login name would on a shared server."""
    home = base / "home" / student
    (home / ".jupyter").mkdir(parents=True)
    (home / ".jupyter" / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.student_id = {student!r}\n")
    return home


def run(command: str, cwd: Path, env: dict[str, str], who: str) -> None:
    """Run one README command in bash; fail with nbgrader's own output if it does not succeed."""
    done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{who}: `{command}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"


def answer(student: str, notebook: Path, source: Path) -> None:
    """ada fills every answer cell with the source notebook's solution; bo writes only the written answer."""
    answers = {authoring.nbgrader_meta(c).get("grade_id"): c.source for c in authoring.read(source).cells}
    if student == "bo":
        answers = {WRITTEN: BO_ANSWER}
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        grade_id = authoring.nbgrader_meta(cell).get("grade_id")
        if authoring.nbgrader_meta(cell).get("solution") and grade_id in answers:
            cell.source = answers[grade_id]
    nbformat.write(nb, notebook)


def enter_manual_grades(root: Path) -> dict[str, tuple]:
    """Set each written answer's manual score in the Gradebook; return what autograde had left before."""
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    before = {}
    with Gradebook(CourseDirectory(config=authoring.nbgrader_config(root)).db_url) as gb:
        for student, score in STUDENTS.items():
            grade = gb.find_grade(WRITTEN, LAB, LAB, student)
            before[student] = (grade.auto_score, grade.needs_manual_grade)
            grade.manual_score = score
        gb.db.commit()
    return before


def autograded_points(root: Path) -> float:
    """The points of the lab's autograded test cells, read from its source notebook."""
    nb = authoring.read(root / "solutions" / LAB / f"{LAB}.ipynb")
    return sum(authoring.nbgrader_meta(c)["points"] for c in nb.cells if authoring.is_test_cell(c))


@pytest.fixture(scope="module")
def workflow(tmp_path_factory):
    """Run every README step for real; return (course root, manual-grade state after autograde, CSV rows)."""
    base = tmp_path_factory.mktemp("nbgrader-workflow")
    root, exchange, cache = base / "course", base / "exchange", base / "cache"
    for folder in (root, exchange, cache, base / "home" / "instructor"):
        folder.mkdir(parents=True)
    exchange.chmod(0o1777)
    new_course(root)
    instructor = environment(base / "home" / "instructor", exchange, cache)
    homes = {student: student_home(base, student) for student in STUDENTS}
    before = None
    for role, command in STEPS:
        if role == "instructor":
            if command.startswith("nbgrader generate_feedback"):
                before = enter_manual_grades(root)
            run(command, root, instructor, "the instructor")
            continue
        for student, home in homes.items():
            if command.startswith("nbgrader submit"):
                answer(student, home / LAB / f"{LAB}.ipynb", root / "solutions" / LAB / f"{LAB}.ipynb")
            run(command, home, environment(home, exchange, cache), f"student {student}")
    with open(root / "grades.csv", newline="") as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    return root, before, rows


def test_readme_for_instructors_lists_exactly_the_commands_this_test_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## For instructors" in readme, "the README has no 'For instructors' section"
    section = readme.split("## For instructors", 1)[1].split("\n## ", 1)[0]
    listed = [line.strip() for line in section.splitlines() if line.strip().startswith("nbgrader ")]
    assert listed == [command for _, command in STEPS], (
        f"the README's instructor steps {listed} differ from the commands the workflow test runs")


def test_each_student_fetched_the_release_and_the_instructor_collected_both(workflow):
    root, _, _ = workflow
    for student in STUDENTS:
        submitted = root / "submitted" / student / LAB / f"{LAB}.ipynb"
        assert submitted.is_file(), f"nbgrader collect did not bring back {student}'s {LAB} submission"


def test_autograde_leaves_the_written_answer_for_a_manual_grade(workflow):
    _, before, _ = workflow
    for student, (auto, needs_manual) in before.items():
        assert auto is None and needs_manual, (
            f"{student}'s written answer came out of autograde with auto score {auto} and "
            f"needs_manual_grade={needs_manual}; an instructor must grade it in formgrader")


def test_feedback_pages_are_written_for_both_students(workflow):
    root, _, _ = workflow
    for student in STUDENTS:
        page = root / "feedback" / student / LAB / f"{LAB}.html"
        assert page.is_file() and page.stat().st_size > 0, f"nbgrader generate_feedback wrote no page for {student}"


def test_exported_totals_are_autograded_marks_plus_the_manual_grade(workflow):
    root, _, rows = workflow
    assert set(rows) == set(STUDENTS), f"grades.csv lists {sorted(rows)}, expected {sorted(STUDENTS)}"
    full = autograded_points(root)
    want = {"ada": full + STUDENTS["ada"], "bo": STUDENTS["bo"]}
    for student, total in want.items():
        row = rows[student]
        assert float(row["max_score"]) == full + WRITTEN_POINTS, f"{student}: max score {row['max_score']} in grades.csv"
        assert float(row["score"]) == pytest.approx(total), (
            f"{student}: grades.csv says {row['score']}, expected {total} (autograded marks + manual grade)")
