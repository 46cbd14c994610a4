"""Static checks of the labs (one test per rule), and of the authoring tools on a sample lab.

The first group checks the repository's own solutions/ and labs/; each failure says what is wrong and how to
fix it (usually `make labs`). The second group runs course_lib.authoring on tests/fixtures/sample_lab in a
temporary course folder: a lab that follows every convention passes, and each kind of mistake is caught.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_lib import authoring

ROOT = Path(__file__).resolve().parents[1]
COURSE = authoring.Course(ROOT)
SAMPLE = Path(__file__).parent / "fixtures" / "sample_lab" / "sample_lab.ipynb"


def fail_if(problems: list[str], rule: str) -> None:
    """Fail with every problem listed under the rule's name."""
    if problems:
        pytest.fail(f"{rule}:\n" + "\n".join(f"  - {p}" for p in problems), pytrace=False)


def new_course(root: Path, sample: Path = SAMPLE) -> authoring.Course:
    """A course folder holding the sample lab (synced and generated) and the repository's pyproject.toml."""
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    (root / "solutions" / "sample_lab").mkdir(parents=True)
    shutil.copy(sample, root / "solutions" / "sample_lab" / "sample_lab.ipynb")
    authoring.sync(root)
    authoring.generate(root=root)
    return authoring.Course(root)


@pytest.fixture(scope="session")
def built():
    """The student versions generate would write for the repository's labs (generated once per session)."""
    try:
        return authoring.build(ROOT)
    except authoring.AuthoringError:
        return None  # check_stale generates again and reports nbgrader's error as a problem


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """A course folder with the sample lab, synced and generated once for this module."""
    return new_course(tmp_path_factory.mktemp("sample-course"))


@pytest.fixture()
def scratch(tmp_path):
    """A fresh course folder with the sample lab, for tests that break it."""
    return new_course(tmp_path)


# ---------------------------------------------------------------- the repository's labs, one test per rule


def test_every_lab_has_source_and_student_version():
    fail_if(authoring.check_pairs(COURSE), "every lab needs solutions/<lab>/<lab>.ipynb and labs/<lab>/<lab>.ipynb")


def test_no_outputs_committed():
    fail_if(authoring.check_outputs(COURSE), "notebooks are committed without outputs")


def test_setup_cells_match_pyproject():
    fail_if(authoring.check_setup(COURSE), "setup cells must match [tool.deepfake-lab] in pyproject.toml")


def test_badges_match_pyproject():
    fail_if(authoring.check_badges(COURSE), "badges must match [tool.deepfake-lab] in pyproject.toml")


def test_source_notebooks_are_tidy():
    fail_if(authoring.check_tidy(COURSE), "source notebooks must be as `sync` writes them")


def test_title_setup_and_parameters_cells():
    fail_if(authoring.check_cells(COURSE), "every lab has a title cell, a setup cell and a parameters cell")


def test_at_least_three_well_formed_graded_exercises():
    fail_if(authoring.check_exercises(COURSE), "graded exercises")


def test_grade_ids_are_valid():
    fail_if(authoring.check_grade_ids(COURSE), "nbgrader grade_ids")


def test_solution_cells_define_functions():
    fail_if(authoring.check_solution_cells(COURSE), "exercises never block: solution cells define functions")


def test_labs_are_not_stale(built):
    fail_if(authoring.check_stale(COURSE, built), "labs/ must be exactly what nbgrader generates from solutions/")


def test_no_solutions_or_hidden_tests_in_labs():
    fail_if(authoring.check_leaks(COURSE), "student notebooks must not show solutions or hidden tests")


def test_generating_leaves_no_clutter_in_the_repository(built):
    clutter = [p for p in ("gradebook.db", "release", "source", "submitted", "autograded") if (ROOT / p).exists()]
    assert not clutter, f"nbgrader left {clutter} in the repository root; `make labs` works in a temporary folder"


def test_root_nbgrader_config_uses_the_course_settings():
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "labs"
    assert config.ClearSolutions.code_stub == {"python": authoring.CODE_STUB}
    assert config.Execute.timeout >= 300, "nbgrader's 30 s default per cell is too short for the labs"


# ---------------------------------------------------------------- the tools, on the sample lab


def test_sample_lab_passes_every_check(sample):
    fail_if(authoring.check(sample.root), "the sample lab follows every convention")


def test_sync_and_generate_change_nothing_the_second_time(sample):
    before = authoring.read_tree(sample.root)
    assert authoring.sync(sample.root) == []
    assert authoring.generate(root=sample.root) == []
    assert authoring.read_tree(sample.root) == before


def test_generate_is_byte_for_byte_repeatable(sample, tmp_path):
    authoring.generate(tmp_path / "again", root=sample.root)
    first = authoring.read_tree(sample.labs)
    assert first == authoring.read_tree(tmp_path / "again")
    assert list(first) == ["sample_lab/sample_lab.ipynb"]


def test_generate_releases_only_the_notebook_and_data_files(scratch):
    lab = scratch.solutions / "sample_lab"
    clutter = ["outputs/clip.mp4", ".ipynb_checkpoints/sample_lab-checkpoint.ipynb", "__pycache__/x.pyc",
               "scratch.ipynb", "gradebook.db", "notes.log", ".DS_Store"]
    for rel in clutter + ["data/points.csv"]:
        (lab / rel).parent.mkdir(parents=True, exist_ok=True)
        (lab / rel).write_text("x,y\n1,2\n")
    authoring.generate(root=scratch.root)
    assert sorted(authoring.read_tree(scratch.labs / "sample_lab")) == ["data/points.csv", "sample_lab.ipynb"]
    assert sorted(p.name for p in (scratch.labs / "sample_lab").iterdir()) == ["data", "sample_lab.ipynb"]
    assert sorted(p.name for p in scratch.root.iterdir()) == ["labs", "pyproject.toml", "solutions"]
    assert [p for p in authoring.check_pairs(scratch) if "scratch.ipynb would never reach students" in p]


def test_generate_removes_labs_whose_source_is_gone(scratch):
    shutil.copytree(scratch.labs / "sample_lab", scratch.labs / "old_lab")
    (scratch.labs / "old_lab" / "sample_lab.ipynb").rename(scratch.labs / "old_lab" / "old_lab.ipynb")
    assert any("old_lab has no source" in p for p in authoring.check_pairs(scratch))
    authoring.generate(root=scratch.root)
    assert not (scratch.labs / "old_lab").exists()


def test_student_version_only_raises_not_implemented(sample):
    nb = authoring.read(sample.student("sample_lab"))
    solutions = [cell for cell in nb.cells if authoring.nbgrader_meta(cell).get("solution")]
    assert len(solutions) == 3
    for cell in solutions:
        assert "raise NotImplementedError()" in cell.source and cell.source.startswith("def ")
        assert "BEGIN SOLUTION" not in cell.source


def test_sync_repairs_setup_badges_outputs_and_metadata(scratch):
    path = scratch.solution("sample_lab")
    pristine = path.read_bytes()
    nb = authoring.read(path)
    nb.metadata["widgets"] = {"state": {}}
    nb.metadata.language_info = {"name": "python", "version": "3.11.7"}
    nb.cells[0].source = nb.cells[0].source.replace("v0.", "v9.")
    parameters = nb.cells[2]
    parameters.outputs = [nbformat.v4.new_output("stream", text="hello\n")]
    parameters.execution_count = 7
    parameters.metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00"}
    setup = nb.cells.pop(1)
    setup.source = "import sys  # edited by hand"
    nb.cells.insert(3, setup)
    path.write_text(nbformat.writes(nb))
    for rule in ("outputs", "setup", "badges", "tidy"):
        assert authoring.RULES[rule](scratch), f"check_{rule} should notice the damage"
    assert authoring.sync(scratch.root) == [path]
    assert path.read_bytes() == pristine


def _break(course: authoring.Course, damage) -> None:
    """Apply ``damage(nb)`` to the sample's source notebook and write it back as sync would."""
    path = course.solution("sample_lab")
    nb = authoring.read(path)
    damage(nb)
    path.write_text(authoring.dumps(nb))


def _cell(nb, grade_id):
    """The cell with a grade_id."""
    return next(cell for cell in nb.cells if authoring.nbgrader_meta(cell).get("grade_id") == grade_id)


def _unwrap_solution(nb):
    cell = _cell(nb, "add_sol")
    cell.source = "### BEGIN SOLUTION\ndef add(a, b):\n    return a + b\n### END SOLUTION"


def _assert_outside(nb):
    cell = _cell(nb, "mirror_test")
    cell.source = cell.source + "\nassert mirror(img).ndim == 3"


def _hidden_outside(nb):
    cell = _cell(nb, "add_test")
    cell.source = cell.source + "\n### BEGIN HIDDEN TESTS\nassert add(2, 2) == 4\n### END HIDDEN TESTS"


def _too_few(nb):
    _cell(nb, "mirror_test").metadata.nbgrader["points"] = 0


def _bad_grade_id(nb):
    _cell(nb, "add_test").metadata.nbgrader["grade_id"] = "add test"


def _no_parameters(nb):
    del nb.cells[2].metadata["tags"]


def _no_title(nb):
    del nb.cells[0].metadata["tags"]


def _not_a_function(nb):
    _cell(nb, "mean_square_sol").source = "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION"


def _written(source, points):
    def damage(nb):
        cell = nbformat.v4.new_markdown_cell(source)
        cell.metadata["nbgrader"] = {"grade": True, "solution": True, "locked": False, "points": points,
                                     "grade_id": "essay", "schema_version": 3, "task": False}
        nb.cells.append(cell)
    damage.__name__ = f"_written_{'without_rubric' if 'BEGIN' not in source else 'without_points'}"
    return damage


@pytest.mark.parametrize("damage, rule, message", [
    (_written("The rubric, for everyone to read.", 2), "solution_cells", "without its rubric"),
    (_written("### BEGIN SOLUTION\nrubric\n### END SOLUTION", 0), "solution_cells", "without points"),
    (_unwrap_solution, "solution_cells", "outside a function body"),
    (_not_a_function, "solution_cells", "does not define a function"),
    (_assert_outside, "exercises", "asserts outside"),
    (_hidden_outside, "exercises", "hidden tests outside"),
    (_too_few, "exercises", "needs at least 3"),
    (_bad_grade_id, "grade_ids", "'add test'"),
    (_no_parameters, "cells", "tagged `parameters`"),
    (_no_title, "cells", "tagged `title`"),
], ids=lambda x: getattr(x, "__name__", None))
def test_check_catches_a_broken_source(scratch, damage, rule, message):
    assert authoring.RULES[rule](scratch) == []
    _break(scratch, damage)
    problems = authoring.RULES[rule](scratch)
    assert any(message in p for p in problems), problems


def test_check_catches_a_hand_edited_lab(scratch):
    path = scratch.student("sample_lab")
    nb = json.loads(path.read_text())
    cell = next(c for c in nb["cells"] if "".join(c["source"]).startswith("def add"))
    cell["source"] = ["def add(a, b):\n", "    return a + b"]
    path.write_text(json.dumps(nb, indent=1))
    problems = authoring.check(scratch.root)
    assert any("labs/sample_lab is stale" in p and "run `make labs`" in p for p in problems), problems
    assert any("shows 1 line(s) of solution" in p and "'return a + b'" in p for p in problems), problems


def test_check_catches_a_new_ref(scratch):
    pyproject = scratch.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('ref = "', 'ref = "next-'))
    problems = authoring.check(scratch.root)
    assert any("setup cell is out of sync" in p for p in problems), problems
    assert any("badges are out of sync" in p for p in problems), problems
    authoring.sync(scratch.root)
    authoring.generate(root=scratch.root)
    assert authoring.check(scratch.root) == []
    assert "@next-" in authoring.read(scratch.student("sample_lab")).cells[1].source


@pytest.mark.slow
def test_command_line(scratch):
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    cli = [sys.executable, "-m", "course_lib.authoring", "--root", str(scratch.root)]
    synced = subprocess.run(cli + ["sync"], capture_output=True, text=True, env=env, check=False)
    assert synced.returncode == 0 and "solutions/ is in sync" in synced.stdout, synced.stdout + synced.stderr
    _break(scratch, _no_parameters)
    bad = subprocess.run(cli + ["check"], capture_output=True, text=True, env=env, check=False)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "tagged `parameters`" in bad.stdout and "problem(s)" in bad.stdout, bad.stdout + bad.stderr


def test_check_reports_what_nbgrader_cannot_generate(scratch):
    def region_outside_solution_cell(nb):
        nb.cells[-1].source = "### BEGIN SOLUTION\nprint('oops')\n### END SOLUTION"

    _break(scratch, region_outside_solution_cell)
    problems = authoring.check_stale(scratch)
    assert len(problems) == 1 and "nbgrader could not generate sample_lab" in problems[0], problems
    assert "Solution region detected in a non-solution cell" in problems[0]
