"""A real nbgrader round trip for every lab, in a fresh temporary course folder and database.

For each lab (the sample fixture and every solutions/<lab>), tests/notebook_runs.py generates the student
version with the course's nbgrader settings and autogrades two submissions once per session: the solution
notebook (full marks on every autograded cell) and the untouched student copy (zero on every autograded cell),
with the scores read from nbgrader's Gradebook. COURSE_STRICT is unset there: under nbgrader,
NBGRADER_EXECUTION alone must make the checks raise.

nbgrader's Validator must pass the solution and, inverted, the untouched student copy. Its ``validate`` always
runs its ``preprocessors`` (CheckCellMetadata, ClearOutput, Execute), that is, it clears and re-executes the
notebook. ``preprocessors`` is an ordinary trait of the Validator, so the labs are validated with
CheckCellMetadata alone, on the notebook as handed in with the outputs autograde's execution gave each cell:
everything else the Validator does (type changes, checksums of locked cells, failed or passed test cells) runs
unchanged. One real Validator run, clearing and executing, is kept for the tiny sample lab.
"""
import pytest
from nbgrader.preprocessors import CheckCellMetadata
from nbgrader.validator import Validator

from course_lib import authoring
from notebook_runs import LABS, learners_env

pytestmark = [
    pytest.mark.notebook,
    # nbgrader 0.9 with SQLAlchemy 2 warns about its own autoflush while autograding; harmless.
    pytest.mark.filterwarnings("ignore:Object of type .* not in session:sqlalchemy.exc.SAWarning"),
]


@pytest.mark.parametrize("lab", LABS)
def test_solution_gets_full_marks(lab, lab_runs):
    done = lab_runs.get(lab)
    marks = done.runs["solution"].scores
    assert set(marks) == done.graded_cells(), f"{lab}: autograde did not score every test cell: {marks}"
    short = {gid: m for gid, m in marks.items() if m[0] != m[1]}
    assert not short, f"{lab}: the solution lost marks on {short} (grade_id: (score, max))"


@pytest.mark.parametrize("lab", LABS)
def test_untouched_student_copy_gets_zero(lab, lab_runs):
    done = lab_runs.get(lab)
    marks = done.runs["untouched"].scores
    assert set(marks) == done.graded_cells(), f"{lab}: autograde did not score every test cell: {marks}"
    given = {gid: m for gid, m in marks.items() if m[0] != 0}
    assert not given, f"{lab}: an unsolved exercise earned marks on {given}: its checks must fail on the stub"


@pytest.mark.parametrize("lab", LABS)
def test_written_answers_wait_for_a_manual_grade(lab, lab_runs):
    done = lab_runs.get(lab)
    nb = authoring.read(done.root / "solutions" / lab / f"{lab}.ipynb")
    written = {authoring.nbgrader_meta(c)["grade_id"] for c in nb.cells if authoring.is_written_answer(c)}
    got = done.runs["solution"].written
    assert set(got) == written, f"{lab}: the gradebook's written answers {sorted(got)} differ from {sorted(written)}"
    waiting = {gid for gid, needs in got.items() if needs}
    assert waiting == written, f"{lab}: formgrader does not ask for a grade on {sorted(written - waiting)}"


@pytest.mark.parametrize("lab", LABS)
def test_exported_totals_add_the_manual_grades_to_the_autograded_marks(lab, lab_runs, tmp_path):
    """Once an instructor grades the written answers, ``nbgrader export`` counts them: a full-marks solution whose
    written answers each get one point less than their maximum totals every point but one per answer."""
    import csv

    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.plugins.export import CsvExportPlugin

    done = lab_runs.get(lab)
    written = done.runs["solution"].written
    if not written:
        pytest.skip(f"{lab} has no written answers")
    nb = authoring.read(done.root / "solutions" / lab / f"{lab}.ipynb")
    points = {authoring.nbgrader_meta(c)["grade_id"]: float(authoring.nbgrader_meta(c)["points"])
              for c in nb.cells if authoring.nbgrader_meta(c).get("grade")}
    manual = {gid: points[gid] - 1 for gid in written}
    with Gradebook(CourseDirectory(config=authoring.nbgrader_config(done.root)).db_url) as gb:
        for gid, score in manual.items():
            gb.find_grade(gid, lab, lab, "solution").manual_score = score
        gb.db.commit()
        export = CsvExportPlugin(to=str(tmp_path / "grades.csv"), assignment=[lab], student=["solution"])
        export.export(gb)
    with open(tmp_path / "grades.csv", newline="") as f:
        row = next(csv.DictReader(f))
    autograded = sum(points[gid] for gid in done.graded_cells())
    assert float(row["max_score"]) == pytest.approx(sum(points.values())), f"{lab}: grades.csv max_score {row}"
    assert float(row["score"]) == pytest.approx(autograded + sum(manual.values())), (
        f"{lab}: grades.csv gives the solution {row['score']}; expected every autograded point ({autograded}) plus "
        f"the manual grades {manual}")


def validate_executed(done, student: str, invert: bool) -> dict:
    """nbgrader's Validator results ({} when it passes) for a submission, with autograde's outputs, not re-run."""
    run = done.runs[student]
    nb = authoring.loads(authoring.dumps(run.submitted))
    outputs = {cell.id: cell.get("outputs", []) for cell in run.executed.cells}
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.id in outputs, f"{done.lab}: autograde's notebook lost the cell {cell.id} of {run.name}"
            cell.outputs = outputs[cell.id]
    path = done.root / "validate" / student / f"{done.lab}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(authoring.dumps(nb), encoding="utf-8")
    validator = Validator(config=authoring.nbgrader_config(done.root), invert=invert,
                          preprocessors=[CheckCellMetadata])
    return validator.validate(str(path))


@pytest.mark.parametrize("lab", LABS)
def test_validator_passes_the_solution(lab, lab_runs):
    results = validate_executed(lab_runs.get(lab), "solution", invert=False)
    assert results == {}, f"{lab}: nbgrader validate fails the solution: {results}"


@pytest.mark.parametrize("lab", LABS)
def test_validator_inverted_passes_the_untouched_student_copy(lab, lab_runs):
    done = lab_runs.get(lab)
    results = validate_executed(done, "untouched", invert=True)
    assert results == {}, f"{lab}: on the untouched student copy, some checks pass or cells changed: {results}"
    failed = validate_executed(done, "untouched", invert=False).get("failed", [])
    expected = len(done.graded_cells()) + len(done.runs["untouched"].written)  # an unanswered question fails too
    assert len(failed) == expected, (
        f"{lab}: the Validator should see every check and written answer of the untouched copy fail in "
        f"autograde's outputs, but saw {len(failed)} of {expected} fail"
    )


def test_validator_executing_the_sample_lab_agrees_with_the_shared_run(lab_runs, monkeypatch):
    """The real Validator, clearing and executing the notebooks itself, on the sample lab (tiny)."""
    done = lab_runs.get("sample_lab")
    config = authoring.nbgrader_config(done.root)
    learners_env(monkeypatch)
    solution = Validator(config=config).validate(str(done.root / "solutions" / "sample_lab" / "sample_lab.ipynb"))
    student = Validator(config=config).validate(str(done.root / "labs" / "sample_lab" / "sample_lab.ipynb"))
    assert solution == {}, f"nbgrader validate fails the sample solution: {solution}"
    executing = sorted(cell["source"] for cell in student.get("failed", []))
    shared = sorted(cell["source"] for cell in validate_executed(done, "untouched", invert=False).get("failed", []))
    assert executing and executing == shared, (
        "on the sample's untouched student copy, the Validator executing it and the Validator reading the "
        f"shared autograded run should fail the same checks:\nexecuting: {executing}\nshared run: {shared}"
    )
