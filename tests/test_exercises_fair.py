"""No hidden test rejects a correct answer: every exercise's test cells pass answers written differently.

For each lab with a file in tests/alternative_answers/ (see its README), the exercise test cells (visible
and hidden parts, taken from the solution notebook by their nbgrader metadata) are run in-process against:

* the reference solution, which must pass (so the harness really runs the cells);
* each alternative correct answer for that exercise, which must pass too (issue 15: a hidden test checks what
  the prompt asks, with tolerances that fit the lab's dtypes);
* the student stub (``raise NotImplementedError()``), which must fail (so the cells check something).

Only the cells the test cells need are run first, once per lab: the parameters cell and every earlier code
cell that defines a name a test cell uses (and, in turn, what those cells use). conftest.py sets FAST mode and
COURSE_STRICT=1, so a failing check raises.
"""
from __future__ import annotations

import ast
import builtins
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib
import pytest

from course_lib import authoring

matplotlib.use("Agg")  # test cells and the cells they need may plot

ROOT = Path(__file__).resolve().parents[1]
COURSE = authoring.Course(ROOT)
ANSWERS = Path(__file__).parent / "alternative_answers"
LABS = [lab for lab in authoring.lab_names(COURSE.solutions) if COURSE.solution(lab).is_file()]


@dataclass(frozen=True)
class Exercise:
    """One graded exercise: the function the student writes and the cell that tests it."""

    lab: str
    grade_id: str  # the test cell's
    function: str  # the name the solution cell defines
    solution: str  # the solution cell's source (the reference)
    test: str  # the test cell's source, hidden tests included


def _code(source: str) -> str:
    """A cell's source as plain Python (IPython magics turned into calls)."""
    return ast.unparse(authoring.parse(source))


def _defined(tree: ast.AST) -> set[str]:
    """Names a cell binds: assignments, loop and with targets, imports, functions and classes."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def _used(tree: ast.AST) -> set[str]:
    """Names a cell reads."""
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


@lru_cache(maxsize=None)
def exercises(lab: str) -> tuple[Exercise, ...]:
    """Every exercise of a lab: each autograded test cell with the solution cell before it."""
    found, solution = [], None
    for cell in authoring.read(COURSE.solution(lab)).cells:
        meta = authoring.nbgrader_meta(cell)
        if cell.cell_type == "code" and meta.get("solution"):
            solution = cell.source
        elif authoring.is_test_cell(cell) and solution is not None:
            tree = authoring.parse(solution)
            name = next(n.name for n in tree.body if isinstance(n, ast.FunctionDef))
            found.append(Exercise(lab, meta["grade_id"], name, solution, cell.source))
    return tuple(found)


@lru_cache(maxsize=None)
def alternatives(lab: str) -> dict:
    """{grade_id: [functions]} from tests/alternative_answers/<lab>.py (empty when there is no file)."""
    path = ANSWERS / f"{lab}.py"
    if not path.is_file():
        return {}
    spec = importlib.util.spec_from_file_location(f"alternative_answers_{lab}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.ALTERNATIVES)


def needed_cells(lab: str) -> list[str]:
    """The plain code cells the lab's test cells need, in notebook order: the parameters cell and its providers."""
    cells = authoring.read(COURSE.solution(lab)).cells
    plain = [(i, cell) for i, cell in enumerate(cells)
             if cell.cell_type == "code" and not authoring.nbgrader_meta(cell) and "setup" not in authoring.tags(cell)]
    trees = {i: authoring.parse(cell.source) for i, cell in plain}
    tests = [(i, authoring.parse(cell.source)) for i, cell in enumerate(cells) if authoring.is_test_cell(cell)]
    chosen = {i for i, cell in plain if "parameters" in authoring.tags(cell)}
    todo = [(i, _used(tree) - _defined(tree)) for i, tree in tests]
    while todo:
        at, names = todo.pop()
        for name in names - set(dir(builtins)):
            providers = [i for i in trees if i < at and name in _defined(trees[i])]
            if providers and providers[-1] not in chosen:
                chosen.add(providers[-1])
                todo.append((providers[-1], _used(trees[providers[-1]])))
    return [_code(cells[i].source) for i in sorted(chosen)]


@lru_cache(maxsize=None)
def namespace(lab: str) -> dict:
    """The lab's state before its test cells: the needed cells run once, plus the course's `checking`."""
    from course_lib.grading import checking

    ns = {"__name__": f"lab_{lab}", "checking": checking}
    for source in needed_cells(lab):
        exec(compile(source, f"<{lab} cell>", "exec"), ns)  # noqa: S102 - the course's own notebooks
    return ns


def run_test_cell(exercise: Exercise, answer) -> None:
    """Run an exercise's test cell with ``answer`` as the student's function (a function or solution source)."""
    ns = dict(namespace(exercise.lab))
    source = answer if isinstance(answer, str) else _stub(exercise)  # the cell's own imports run either way
    exec(compile(_code(source), f"<{exercise.lab} solution>", "exec"), ns)  # noqa: S102
    if not isinstance(answer, str):
        ns[exercise.function] = answer
    exec(compile(_code(exercise.test), f"<{exercise.lab} {exercise.grade_id}>", "exec"), ns)  # noqa: S102


def _stub(exercise: Exercise) -> str:
    """The student's version of the solution cell (nbgrader's code stub in place of the solution region)."""
    lines, out, inside = exercise.solution.splitlines(), [], False
    for line in lines:
        if "BEGIN SOLUTION" in line:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + stub for stub in authoring.CODE_STUB.splitlines()]
        elif "END SOLUTION" in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


CASES = [(lab, ex.grade_id, fn.__name__, fn) for lab in LABS for ex in exercises(lab)
         for fn in alternatives(lab).get(ex.grade_id, [])]
EXERCISES = [(lab, ex.grade_id) for lab in LABS for ex in exercises(lab)]


def _exercise(lab: str, grade_id: str) -> Exercise:
    return next(ex for ex in exercises(lab) if ex.grade_id == grade_id)


@pytest.mark.parametrize("lab", LABS)
def test_every_exercise_has_an_alternative_answer(lab):
    if not (ANSWERS / f"{lab}.py").is_file():
        pytest.skip(f"no tests/alternative_answers/{lab}.py yet: {lab}'s hidden tests are not checked against "
                    "alternative correct answers")
    given = alternatives(lab)
    missing = [ex.grade_id for ex in exercises(lab) if not given.get(ex.grade_id)]
    assert not missing, f"{lab}: give at least one alternative correct answer for {missing} in " \
                        f"tests/alternative_answers/{lab}.py"
    unknown = sorted(set(given) - {ex.grade_id for ex in exercises(lab)})
    assert not unknown, f"tests/alternative_answers/{lab}.py names test cells {lab} does not have: {unknown}"


@pytest.mark.parametrize("lab, grade_id, name, answer", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_hidden_tests_accept_an_alternative_correct_answer(lab, grade_id, name, answer):
    try:
        run_test_cell(_exercise(lab, grade_id), answer)
    except Exception as exc:  # noqa: BLE001 - any failure is a correct answer rejected
        pytest.fail(f"{lab}: the test cell {grade_id} rejects {name}, a correct answer "
                    f"({answer.__doc__.strip()}): {type(exc).__name__}: {exc}", pytrace=False)


@pytest.mark.parametrize("lab, grade_id", EXERCISES, ids=[f"{lab}-{gid}" for lab, gid in EXERCISES])
def test_reference_passes_and_stub_fails(lab, grade_id):
    if not (ANSWERS / f"{lab}.py").is_file():
        pytest.skip(f"no tests/alternative_answers/{lab}.py yet")
    exercise = _exercise(lab, grade_id)
    run_test_cell(exercise, exercise.solution)  # the harness runs the cells as the notebook does
    with pytest.raises(NotImplementedError):
        run_test_cell(exercise, _stub(exercise))
