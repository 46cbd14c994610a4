"""Instructor tooling: tidy the source notebooks, generate the student versions, check the conventions.

Run it from the repository (``make labs`` runs the first two)::

    python -m course_lib.authoring sync      # solutions/: canonical setup cell and badges, no outputs, tidy metadata
    python -m course_lib.authoring generate  # labs/ from solutions/ with nbgrader, byte-for-byte repeatable
    python -m course_lib.authoring check     # every convention below; exits 1 and lists the problems

``solutions/<lab>/<lab>.ipynb`` is a lab's nbgrader source (instructor) notebook and
``labs/<lab>/<lab>.ipynb`` the student version generated from it: never edit labs/ by hand. The repository
and ref that setup cells and badges point at are set in one place, ``[tool.deepfake-lab]`` in pyproject.toml.

Conventions checked: the first cell is markdown tagged ``title`` with a badges line between
``<!-- badges -->`` and ``<!-- /badges -->``; the second is the canonical ``setup`` cell; a code cell is tagged
``parameters``; each exercise is a solution cell defining a function whose body holds the
``### BEGIN SOLUTION`` region, checked by a locked test cell with points that wraps its asserts (and hidden
tests) in ``with checking(...)``; at least three graded exercises; a written answer graded by hand is a
markdown solution cell with ``grade: true`` and points, its rubric between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` (students see ``YOUR ANSWER HERE`` instead); notebooks are committed without outputs.

This module needs the ``dev`` extra (nbgrader, nbformat); the labs never import it.
"""
from __future__ import annotations

import argparse
import ast
import copy
import fnmatch
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat

SOLUTIONS = "solutions"
LABS = "labs"
FIX = "run `make labs`"  # make labs = python -m course_lib.authoring sync && python -m course_lib.authoring generate
KEEP_WORK = " (it overwrites labs/: copy any work of your own elsewhere first)"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"
CELL_TIMEOUT = 300  # seconds per cell when nbgrader runs a lab (nbgrader's own default, 30 s, is too short)
MIN_EXERCISES = 3
# Never released to students, never compared: hidden files, caches, learners' outputs, nbgrader's leftovers.
IGNORE = [".*", "__pycache__", "*.pyc", "outputs", "gradebook.db", "*.log", "feedback", "*~"]
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
LANGUAGE_INFO = {"name": "python"}
KEEP_NOTEBOOK_METADATA = {"kernelspec", "language_info"}
DROP_CELL_METADATA = {
    "execution", "ExecuteTime", "collapsed", "scrolled", "trusted", "colab", "id", "outputId",
    "executionInfo", "pycharm", "vscode",
}
GRADE_ID = re.compile(r"^[a-zA-Z0-9_-]*$")
CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
BADGES = re.compile(r"<!-- badges -->.*?<!-- /badges -->", re.S)
BEGIN_MARKERS = ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS")  # nbgrader matches these as substrings of a line
END_MARKERS = ("END SOLUTION", "END HIDDEN TESTS")


class AuthoringError(RuntimeError):
    """nbgrader could not generate a lab."""


# ---------------------------------------------------------------- the course checkout and its settings


@dataclass(frozen=True)
class Course:
    """A course checkout: its root folder, solutions/ and labs/."""

    root: Path

    @property
    def solutions(self) -> Path:
        """The folder of nbgrader source notebooks."""
        return self.root / SOLUTIONS

    @property
    def labs(self) -> Path:
        """The folder of generated student notebooks."""
        return self.root / LABS

    def publication(self) -> tuple[str, str]:
        """The (repository, ref) from ``[tool.deepfake-lab]`` in pyproject.toml."""
        return publication(self.root / "pyproject.toml")

    def solution(self, lab: str) -> Path:
        """The source notebook of a lab."""
        return self.solutions / lab / f"{lab}.ipynb"

    def student(self, lab: str) -> Path:
        """The student notebook of a lab."""
        return self.labs / lab / f"{lab}.ipynb"

    def rel(self, path: Path) -> str:
        """A path as the user sees it: relative to the root where possible."""
        try:
            return Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def find_root(start: Path | str | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: cwd) whose pyproject.toml has [tool.deepfake-lab]."""
    here = Path(start or Path.cwd()).resolve()
    candidates = [here, *here.parents, Path(__file__).resolve().parents[1]]
    for folder in candidates:
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.deepfake-lab]" in pyproject.read_text(encoding="utf-8"):
            return folder
    raise FileNotFoundError(f"no pyproject.toml with [tool.deepfake-lab] at or above {here}")


def course(root: Path | str | None = None) -> Course:
    """The course checkout at ``root`` (default: found from the working directory)."""
    return Course(Path(root).resolve() if root else find_root())


def publication(pyproject: Path) -> tuple[str, str]:
    """Read (repository, ref) from ``[tool.deepfake-lab]`` in a pyproject.toml."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    table = tomllib.loads(Path(pyproject).read_text(encoding="utf-8")).get("tool", {}).get("deepfake-lab", {})
    missing = [key for key in ("repository", "ref") if not table.get(key)]
    if missing:
        raise KeyError(f"{pyproject}: [tool.deepfake-lab] must set {', '.join(missing)}")
    return str(table["repository"]), str(table["ref"])


def ignored(name: str) -> bool:
    """True for a file or folder name that is never released or compared (see IGNORE)."""
    return any(fnmatch.fnmatch(name, pattern) for pattern in IGNORE)


def lab_names(folder: Path) -> list[str]:
    """The lab folders in solutions/ or labs/, sorted."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not ignored(p.name))


# ---------------------------------------------------------------- canonical cells


def setup_source(repository: str, ref: str) -> str:
    """The canonical setup cell: install course_lib at the pinned ref on Colab only."""
    return (
        "# Setup: on Google Colab this installs the course library; anywhere else it does nothing.\n"
        "import sys\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install -q "course_lib @ git+https://github.com/{repository}@{ref}"\n'
        "    from google.colab import output\n"
        "    output.enable_custom_widget_manager()"
    )


def badges(repository: str, ref: str, lab: str) -> str:
    """The title cell's badges line: Open in Colab and Binder, for the student notebook at the pinned ref."""
    path = f"{LABS}/{lab}/{lab}.ipynb"
    colab = f"https://colab.research.google.com/github/{repository}/blob/{ref}/{path}"
    binder = f"https://mybinder.org/v2/gh/{repository}/{ref}?urlpath=lab/tree/{path}"
    return (
        "<!-- badges -->"
        f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab}) "
        f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder})"
        "<!-- /badges -->"
    )


# ---------------------------------------------------------------- notebooks: read, write, tidy


def read(path: Path) -> nbformat.NotebookNode:
    """Read a notebook file (see ``loads``)."""
    return loads(Path(path).read_text(encoding="utf-8"))


def loads(text: str) -> nbformat.NotebookNode:
    """Parse a notebook as nbformat 4.5, giving cells without an id a repeatable one (nbformat's are random)."""
    raw = json.loads(text)
    if raw.get("nbformat") == 4:
        raw["nbformat_minor"] = max(int(raw.get("nbformat_minor", 0)), 5)
        _ensure_ids(raw)
    return nbformat.reads(json.dumps(raw), as_version=4)


def dumps(nb: nbformat.NotebookNode) -> str:
    """A notebook as Jupyter writes it (one-space indent, sorted keys), ending in a newline."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def tags(cell) -> list[str]:
    """A cell's tags."""
    return list(cell.get("metadata", {}).get("tags", []))


def nbgrader_meta(cell) -> dict:
    """A cell's nbgrader metadata (empty for ordinary cells)."""
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def tidy(nb: nbformat.NotebookNode, lab: str, repository: str, ref: str) -> nbformat.NotebookNode:
    """The notebook as it is committed: canonical setup cell and badges, no outputs, tidy metadata."""
    nb = copy.deepcopy(nb)
    nb.nbformat, nb.nbformat_minor = 4, max(int(nb.get("nbformat_minor", 0)), 5)
    metadata = {key: value for key, value in nb.metadata.items() if key in KEEP_NOTEBOOK_METADATA}
    metadata.update(kernelspec=dict(KERNELSPEC), language_info=dict(LANGUAGE_INFO))
    nb.metadata = nbformat.from_dict(metadata)
    for cell in nb.cells:
        _tidy_cell(cell)
    _sync_title(nb, badges(repository, ref, lab))
    _sync_setup(nb, setup_source(repository, ref))
    _ensure_ids(nb)
    return nb


def _tidy_cell(cell) -> None:
    """Drop a cell's outputs, execution count and editor-specific metadata."""
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    for key in DROP_CELL_METADATA:
        cell.metadata.pop(key, None)
    if "tags" in cell.metadata and not cell.metadata.tags:
        del cell.metadata["tags"]


def _add_tag(cell, tag: str) -> None:
    """Tag a cell (once)."""
    if tag not in tags(cell):
        cell.metadata["tags"] = tags(cell) + [tag]


def _sync_title(nb, line: str) -> None:
    """Tag the first markdown cell ``title`` and put the badges line in it."""
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return
    cell = nb.cells[0]
    _add_tag(cell, "title")
    if BADGES.search(cell.source):
        cell.source = BADGES.sub(lambda _: line, cell.source, count=1)
    else:  # no badges yet: put them under the heading
        head, _, rest = cell.source.partition("\n")
        cell.source = f"{head}\n{line}\n{rest}".rstrip("\n")


def _sync_setup(nb, source: str) -> None:
    """Make the second cell the canonical setup cell, moving or creating it as needed."""
    found = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and "setup" in tags(cell)]
    if found:
        cell = nb.cells.pop(found[0])
    else:
        cell = nbformat.v4.new_code_cell(metadata={"tags": ["setup"]})
        cell.id = "setup"
    cell.source = source
    nb.cells.insert(min(1, len(nb.cells)), cell)


def _ensure_ids(nb) -> None:
    """Give every cell a valid, unique id; new ids are derived from the cell so they repeat."""
    seen: set[str] = set()
    for index, cell in enumerate(nb["cells"]):
        cid = cell.get("id", "")
        if not CELL_ID.match(cid or "") or cid in seen:
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            digest = hashlib.sha1(f"{index}\0{source}".encode()).hexdigest()
            cid = next(digest[i:i + 8] for i in range(0, 32) if digest[i:i + 8] not in seen)
        cell["id"] = cid
        seen.add(cid)


def sync(root: Path | str | None = None) -> list[Path]:
    """Tidy every source notebook in solutions/ (setup cell, badges, outputs, metadata); return those changed."""
    c = course(root)
    repository, ref = c.publication()
    changed = []
    for lab in lab_names(c.solutions):
        path = c.solution(lab)
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        new = dumps(tidy(loads(text), lab, repository, ref))
        if new != text:
            path.write_bytes(new.encode("utf-8"))
            changed.append(path)
    return changed


# ---------------------------------------------------------------- generating the student versions


def release_files(lab_dir: Path) -> list[str]:
    """What nbgrader may release from a source lab folder: its notebook and data files, no clutter."""
    lab = lab_dir.name
    files = []
    for path in sorted(lab_dir.rglob("*")):
        rel = path.relative_to(lab_dir)
        if any(ignored(part) for part in rel.parts) or not path.is_file():
            continue
        if path.suffix == ".ipynb" and rel.as_posix() != f"{lab}.ipynb":
            continue  # a lab is one notebook named after its folder; scratch notebooks stay private
        files.append(rel.as_posix())
    return [rel for rel in files if rel not in _git_ignored(lab_dir, files)]


def _git_ignored(folder: Path, files: list[str]) -> set[str]:
    """The untracked files that .gitignore excludes (none when the folder is not in a git checkout)."""
    if not files:
        return set()
    try:
        result = subprocess.run(
            ["git", "check-ignore", "-z", "--stdin"], cwd=folder, input="\0".join(files),
            capture_output=True, text=True, timeout=60, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    return set(filter(None, result.stdout.split("\0"))) if result.returncode in (0, 1) else set()


def configure_nbgrader(c, root: Path | str | None = None):
    """Apply the course's nbgrader settings to a traitlets config (nbgrader_config.py calls this)."""
    if root is not None:
        c.CourseDirectory.root = str(Path(root).resolve())
    c.CourseDirectory.source_directory = SOLUTIONS
    c.CourseDirectory.release_directory = LABS
    c.CourseDirectory.ignore = list(IGNORE)
    c.ClearSolutions.code_stub = {"python": CODE_STUB}
    c.ClearSolutions.text_stub = TEXT_STUB
    c.Execute.timeout = CELL_TIMEOUT
    c.ExecutePreprocessor.timeout = CELL_TIMEOUT
    return c


def nbgrader_config(root: Path | str | None = None):
    """A fresh traitlets Config with the course's nbgrader settings for a course folder ``root``."""
    from traitlets.config import Config

    return configure_nbgrader(Config(), root)


@contextmanager
def venv_on_path():
    """Put this interpreter's bin folder first on PATH: nbgrader runs the ``alembic`` executable."""
    bindir = str(Path(sys.executable).parent)
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([bindir, old]) if old else bindir
    try:
        yield
    finally:
        os.environ["PATH"] = old


def cache_alembic_version() -> None:
    """Ask `alembic` for nbgrader's schema version once per process, not for each new gradebook (3-5 s each)."""
    import nbgrader.api

    if not hasattr(nbgrader.api.get_alembic_version, "cache_info"):
        nbgrader.api.get_alembic_version = functools.lru_cache(maxsize=None)(nbgrader.api.get_alembic_version)


def nbgrader_generate(root: Path, lab: str) -> None:
    """Run nbgrader's generate_assignment for one lab of the course folder ``root`` (solutions/ to labs/)."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    config = nbgrader_config(root)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = lab
    app = GenerateAssignment(coursedir=coursedir, config=config)
    app.force, app.create_assignment = True, True
    cache_alembic_version()
    with venv_on_path():
        result = capture_log(app)
    if not result["success"]:
        raise AuthoringError(f"nbgrader could not generate {lab}:\n{result.get('log', '')}{result.get('error', '')}")


def stage(c: Course, root: Path, labs: list[str] | None = None) -> list[str]:
    """Copy the releasable files of each lab into ``root/solutions``; return the labs staged."""
    staged = []
    for lab in labs if labs is not None else lab_names(c.solutions):
        if not c.solution(lab).is_file():
            continue
        for rel in release_files(c.solutions / lab):
            target = root / SOLUTIONS / lab / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel == f"{lab}.ipynb":  # cells without ids get repeatable ones, so the lab repeats too
                target.write_text(dumps(read(c.solutions / lab / rel)), encoding="utf-8")
            else:
                shutil.copyfile(c.solutions / lab / rel, target)
        staged.append(lab)
    return staged


def build(root: Path | str | None = None, labs: list[str] | None = None) -> dict[str, dict[str, bytes]]:
    """Generate the student versions in a throw-away course folder: {lab: {relative path: bytes}}."""
    c = course(root)
    with tempfile.TemporaryDirectory(prefix="deepfake-lab-generate-") as tmp:
        tmp = Path(tmp)
        built = {}
        for lab in stage(c, tmp, labs):
            nbgrader_generate(tmp, lab)
            built[lab] = read_tree(tmp / LABS / lab)
        return built


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every non-ignored file under a folder: {relative path: bytes}."""
    if not folder.is_dir():
        return {}
    tree = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(ignored(part) for part in rel.parts):
            tree[rel.as_posix()] = path.read_bytes()
    return tree


def write_tree(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Make a folder hold exactly ``files`` (ignored clutter aside), writing only what differs."""
    changed = []
    for rel in sorted(set(read_tree(folder)) - set(files)):
        (folder / rel).unlink()
        changed.append(folder / rel)
    for rel, data in sorted(files.items()):
        path = folder / rel
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            changed.append(path)
    _remove_empty_dirs(folder)
    return changed


def _remove_empty_dirs(folder: Path) -> None:
    """Remove empty folders under (and including) ``folder``."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    if not any(folder.iterdir()):
        folder.rmdir()


def generate(dest: Path | str = LABS, root: Path | str | None = None) -> list[Path]:
    """Regenerate the student versions from solutions/ into ``dest`` (default labs/); return the files changed."""
    c = course(root)
    dest = Path(dest) if Path(dest).is_absolute() else c.root / dest
    built = build(c.root)
    changed = []
    for lab, files in built.items():
        changed += write_tree(dest / lab, files)
    for lab in lab_names(dest):
        if lab not in built and not (c.solutions / lab).is_dir():  # its source is gone: so is the lab
            changed += write_tree(dest / lab, {})
    return changed


# ---------------------------------------------------------------- checks


def _source_notebooks(c: Course):
    """(lab, path, notebook) for every source notebook that exists."""
    for lab in lab_names(c.solutions):
        if c.solution(lab).is_file():
            yield lab, c.solution(lab), read(c.solution(lab))


def _student_notebooks(c: Course):
    """(lab, path, notebook) for every student notebook that exists."""
    for lab in lab_names(c.labs):
        if c.student(lab).is_file():
            yield lab, c.student(lab), read(c.student(lab))


def check_pairs(c: Course) -> list[str]:
    """Every lab has a source notebook and a student version, named after its folder."""
    problems = []
    for lab in lab_names(c.solutions):
        if not c.solution(lab).is_file():
            problems.append(
                f"{c.rel(c.solutions / lab)} has no {lab}.ipynb: a lab is one notebook named after its folder"
            )
        elif not c.student(lab).is_file():
            problems.append(f"{c.rel(c.solution(lab))} has no student version {c.rel(c.student(lab))}: {FIX}")
        notebooks = {path for path in (c.solutions / lab).glob("*.ipynb") if not ignored(path.name)}
        for extra in sorted(notebooks - {c.solution(lab)}):
            problems.append(
                f"{c.rel(extra)} would never reach students: a lab is one notebook named after its folder "
                f"({lab}.ipynb); merge it or move it out of solutions/"
            )
    for lab in lab_names(c.labs):
        if read_tree(c.labs / lab) and not (c.solutions / lab).is_dir():
            problems.append(
                f"{c.rel(c.labs / lab)} has no source {c.rel(c.solutions / lab)}: labs/ is generated, "
                f"so add the source notebook or {FIX} to remove it"
            )
    return problems


def check_outputs(c: Course) -> list[str]:
    """No notebook is committed with outputs or execution counts."""
    problems = []
    for kind, notebooks in (("source", _source_notebooks(c)), ("student", _student_notebooks(c))):
        for _, path, nb in notebooks:
            cells = [
                i for i, cell in enumerate(nb.cells)
                if cell.cell_type == "code" and (cell.outputs or cell.execution_count)
            ]
            if cells:
                problems.append(
                    f"{c.rel(path)} stores outputs or execution counts in {len(cells)} cell(s) "
                    f"(first: cell {cells[0]}): notebooks are committed without outputs; "
                    f"{FIX}{KEEP_WORK if kind == 'student' else ''}"
                )
    return problems


def check_setup(c: Course) -> list[str]:
    """The second cell of every source notebook is the canonical setup cell for the pinned ref."""
    repository, ref = c.publication()
    want = setup_source(repository, ref)
    problems = []
    for _, path, nb in _source_notebooks(c):
        cell = nb.cells[1] if len(nb.cells) > 1 else None
        if cell is None or cell.cell_type != "code" or "setup" not in tags(cell):
            problems.append(f"{c.rel(path)}: the second cell must be the code cell tagged `setup`; {FIX}")
        elif cell.source != want:
            problems.append(
                f"{c.rel(path)}: the setup cell is out of sync with [tool.deepfake-lab] ({repository}@{ref}); {FIX}"
            )
    return problems


def check_badges(c: Course) -> list[str]:
    """The title cell of every source notebook carries the badges for the pinned ref."""
    repository, ref = c.publication()
    problems = []
    for lab, path, nb in _source_notebooks(c):
        source = nb.cells[0].source if nb.cells and nb.cells[0].cell_type == "markdown" else ""
        found = BADGES.search(source)
        if not found:
            problems.append(
                f"{c.rel(path)}: the title cell has no badges line (<!-- badges --> ... <!-- /badges -->); {FIX}"
            )
        elif found.group(0) != badges(repository, ref, lab):
            problems.append(
                f"{c.rel(path)}: the badges are out of sync with [tool.deepfake-lab] ({repository}@{ref}); {FIX}"
            )
    return problems


def check_tidy(c: Course) -> list[str]:
    """Every source notebook is exactly as ``sync`` writes it (metadata, cell ids, no outputs)."""
    repository, ref = c.publication()
    problems = []
    for lab, path, nb in _source_notebooks(c):
        if dumps(tidy(nb, lab, repository, ref)) != path.read_text(encoding="utf-8"):
            problems.append(f"{c.rel(path)} is not tidy (outputs, metadata, cell ids or formatting): {FIX}")
    return problems


def check_cells(c: Course) -> list[str]:
    """Every source notebook has its title, setup and parameters cells."""
    problems = []
    for _, path, nb in _source_notebooks(c):
        first = nb.cells[0] if nb.cells else None
        if first is None or first.cell_type != "markdown" or "title" not in tags(first):
            problems.append(f"{c.rel(path)}: the first cell must be a markdown cell tagged `title`")
        if len(nb.cells) < 2 or nb.cells[1].cell_type != "code" or "setup" not in tags(nb.cells[1]):
            problems.append(f"{c.rel(path)}: the second cell must be the code cell tagged `setup`; {FIX}")
        if not any(cell.cell_type == "code" and "parameters" in tags(cell) for cell in nb.cells):
            problems.append(f"{c.rel(path)}: no code cell is tagged `parameters`")
    return problems


def is_test_cell(cell) -> bool:
    """An autograded test cell: a code cell with grade: true and solution: false."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def parse(source: str) -> ast.Module:
    """Parse a code cell, turning IPython syntax (%magics, !commands) into Python first if needed."""
    try:
        return ast.parse(source)
    except SyntaxError:
        from IPython.core.inputtransformer2 import TransformerManager

        return ast.parse(TransformerManager().transform_cell(source))


def _marker_lines(source: str, markers: tuple[str, ...]) -> list[int]:
    """1-based numbers of the lines holding any of the markers."""
    return [n for n, line in enumerate(source.splitlines(), 1) if any(m in line for m in markers)]


def _within(line: int, nodes) -> bool:
    """True when a line falls inside one of the AST nodes."""
    return any(node.lineno <= line <= node.end_lineno for node in nodes)


def _in_block(lines: list[str], n: int, node) -> bool:
    """True when line n (1-based, e.g. a comment) sits in the indented body of a compound statement."""
    def indent(line):
        return len(line) - len(line.lstrip())

    if n <= node.lineno or indent(lines[n - 1]) <= node.col_offset:
        return False
    between = [line for line in lines[node.end_lineno:n - 1] if line.strip() and not line.strip().startswith("#")]
    return all(indent(line) > node.col_offset for line in between)


def _is_checking(node) -> bool:
    """True for a ``with checking(...)`` block."""
    def call(expr):
        func = getattr(expr, "func", None)
        name = getattr(func, "id", None) or getattr(func, "attr", None)
        return isinstance(expr, ast.Call) and name == "checking"

    return isinstance(node, ast.With) and any(call(item.context_expr) for item in node.items)


def graded_cell_problems(cell) -> list[str]:
    """What is wrong with one autograded test cell (locked, points, asserts inside ``with checking``)."""
    meta, problems = nbgrader_meta(cell), []
    if not meta.get("locked"):
        problems.append("is not locked")
    if not float(meta.get("points") or 0) > 0:
        problems.append("has no points")
    try:
        tree = parse(cell.source)
    except SyntaxError as exc:
        return problems + [f"does not parse ({exc.msg}, line {exc.lineno})"]
    blocks = [node for node in ast.walk(tree) if _is_checking(node)]
    if not blocks:
        problems.append("does not wrap its checks in `with checking(\"name\", hint=...)`")
    if [node for node in tree.body if isinstance(node, ast.Assert)]:
        problems.append("has asserts outside `with checking(...)`, which would stop a student's lab")
    lines = cell.source.splitlines()
    if any(not any(_in_block(lines, n, b) for b in blocks) for n in _marker_lines(cell.source, ("HIDDEN TESTS",))):
        problems.append("has hidden tests outside its `with checking(...)` block")
    return problems


def check_exercises(c: Course) -> list[str]:
    """Every source notebook has at least three graded exercises, each test cell well formed."""
    problems = []
    for _, path, nb in _source_notebooks(c):
        tests = [(i, cell) for i, cell in enumerate(nb.cells) if is_test_cell(cell)]
        graded = [cell for _, cell in tests if float(nbgrader_meta(cell).get("points") or 0) > 0]
        if len(graded) < MIN_EXERCISES:
            problems.append(
                f"{c.rel(path)} has {len(graded)} graded exercise(s); each lab needs at least {MIN_EXERCISES} "
                "(autograded test cells with points)"
            )
        for i, cell in tests:
            for problem in graded_cell_problems(cell):
                problems.append(f"{c.rel(path)}: test cell {i} ({nbgrader_meta(cell).get('grade_id')}) {problem}")
    return problems


def check_grade_ids(c: Course) -> list[str]:
    """Every nbgrader cell has a unique grade_id made of letters, digits, _ and -."""
    problems = []
    for _, path, nb in _source_notebooks(c):
        seen: set[str] = set()
        for i, cell in enumerate(nb.cells):
            meta = nbgrader_meta(cell)
            if not any(meta.get(key) for key in ("grade", "solution", "locked", "task")):
                continue
            gid = meta.get("grade_id")
            if not gid or not GRADE_ID.match(gid):
                problems.append(f"{c.rel(path)}: cell {i} has grade_id {gid!r}; use only letters, digits, _ and -")
            elif gid in seen:
                problems.append(f"{c.rel(path)}: cell {i} repeats grade_id {gid!r}")
            seen.add(gid or "")
    return problems


def is_written_answer(cell) -> bool:
    """A written answer graded by hand: a markdown solution cell with grade: true (nbgrader's manual grading)."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "markdown" and bool(meta.get("solution")) and bool(meta.get("grade"))


def solution_cell_problems(cell) -> list[str]:
    """What is wrong with one solution cell: a function holding the solution region, or a written answer."""
    if is_written_answer(cell):
        if not float(nbgrader_meta(cell).get("points") or 0) > 0:
            return ["is a written answer without points; give it points so formgrader asks for a grade"]
        if not _marker_lines(cell.source, ("BEGIN SOLUTION",)):
            return ["is a written answer without its rubric between ### BEGIN SOLUTION and ### END SOLUTION"]
        return []
    if cell.cell_type != "code":
        return ["is a markdown cell without grade: true; exercises are code cells that define a function, "
                "written answers are markdown cells graded by hand (grade: true, points, a rubric)"]
    try:
        tree = parse(cell.source)
    except SyntaxError as exc:
        return [f"does not parse ({exc.msg}, line {exc.lineno})"]
    functions = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    markers = _marker_lines(cell.source, ("BEGIN SOLUTION",))
    if not functions:
        return ["does not define a function; an exercise is a function whose body holds ### BEGIN SOLUTION"]
    if not markers:
        return [
            "has no ### BEGIN SOLUTION region, so nbgrader would replace the whole cell with "
            "`raise NotImplementedError()`, which stops the student's lab"
        ]
    if any(not _within(n, functions) for n in markers):
        return ["has ### BEGIN SOLUTION outside a function body; the student version would raise when run"]
    return []


def check_solution_cells(c: Course) -> list[str]:
    """Every solution cell defines a function whose body holds the ### BEGIN SOLUTION region."""
    problems = []
    for _, path, nb in _source_notebooks(c):
        for i, cell in enumerate(nb.cells):
            if nbgrader_meta(cell).get("solution"):
                for problem in solution_cell_problems(cell):
                    grade_id = nbgrader_meta(cell).get("grade_id")
                    problems.append(f"{c.rel(path)}: solution cell {i} ({grade_id}) {problem}")
    return problems


def check_stale(c: Course, built: dict[str, dict[str, bytes]] | None = None) -> list[str]:
    """labs/ holds exactly what ``generate`` produces from solutions/."""
    if built is None:
        try:
            built = build(c.root)
        except AuthoringError as exc:
            return [str(exc)]
    problems = []
    for lab, files in sorted(built.items()):
        have = read_tree(c.labs / lab)
        if not have:
            continue  # check_pairs reports it
        differ = sorted(rel for rel in set(files) | set(have) if files.get(rel) != have.get(rel))
        if differ:
            verb = "differs" if len(differ) == 1 else "differ"
            where = _first_difference(files.get(f"{lab}.ipynb"), have.get(f"{lab}.ipynb"))
            differ = [f"{rel}{where if rel == f'{lab}.ipynb' else ''}" for rel in differ]
            problems.append(
                f"{c.rel(c.labs / lab)} is stale ({', '.join(differ)} {verb} from what nbgrader generates from "
                f"solutions/{lab}): {FIX}{KEEP_WORK}"
            )
    return problems


def _first_difference(want: bytes | None, have: bytes | None) -> str:
    """Where two versions of a notebook first differ, e.g. " at cell 12", for a stale-lab message."""
    if want is None or have is None:
        return ""
    try:
        a, b = json.loads(want), json.loads(have)
    except ValueError:
        return " (not valid JSON)"
    for i, (x, y) in enumerate(zip(a.get("cells", []), b.get("cells", []))):
        if x != y:
            return f" at cell {i}"
    if len(a.get("cells", [])) != len(b.get("cells", [])):
        return f" ({len(b.get('cells', []))} cells instead of {len(a.get('cells', []))})"
    return " in its metadata or formatting"


def secret_lines(nb) -> set[str]:
    """Lines only the instructor may see: inside solution or hidden-test regions and nowhere else in the notebook."""
    secret, public = set(), set()
    for cell in nb.cells:
        whole = nbgrader_meta(cell).get("solution") and not _marker_lines(cell.source, ("BEGIN SOLUTION",))
        inside = bool(whole)
        for line in cell.source.splitlines():
            text = line.strip()
            if any(m in text for m in BEGIN_MARKERS):
                inside = True
            elif any(m in text for m in END_MARKERS):
                inside = bool(whole)
            elif text:
                (secret if inside else public).add(text)
    return secret - public - set(CODE_STUB.splitlines()) - {TEXT_STUB}


def check_leaks(c: Course) -> list[str]:
    """No solution code, hidden test or region marker appears in a student notebook."""
    problems = []
    for lab, path, nb in _student_notebooks(c):
        lines = {line.strip() for cell in nb.cells for line in cell.source.splitlines()}
        markers = sorted(line for line in lines if any(m in line for m in BEGIN_MARKERS + END_MARKERS))
        if markers:
            problems.append(f"{c.rel(path)} contains nbgrader region markers ({markers[0]!r}): {FIX}")
        if c.solution(lab).is_file():
            leaked = sorted(secret_lines(read(c.solution(lab))) & lines)
            if leaked:
                problems.append(
                    f"{c.rel(path)} shows {len(leaked)} line(s) of solution or hidden-test code "
                    f"(first: {leaked[0]!r}): {FIX}, and never edit labs/ by hand"
                )
    return problems


RULES = {
    "pairs": check_pairs,
    "outputs": check_outputs,
    "setup": check_setup,
    "badges": check_badges,
    "tidy": check_tidy,
    "cells": check_cells,
    "exercises": check_exercises,
    "grade_ids": check_grade_ids,
    "solution_cells": check_solution_cells,
    "stale": check_stale,
    "leaks": check_leaks,
}


def check(root: Path | str | None = None) -> list[str]:
    """Every problem with the labs, as messages that say how to fix them (empty when all is well)."""
    c = course(root)
    problems = []
    for rule in RULES.values():
        problems += rule(c)
    return problems


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """The ``python -m course_lib.authoring`` command line."""
    parser = argparse.ArgumentParser(prog="python -m course_lib.authoring", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", help="the course checkout (default: found from the working directory)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("sync", help="tidy solutions/: setup cell, badges, no outputs, metadata")
    gen = commands.add_parser("generate", help="regenerate the student versions in labs/ from solutions/")
    gen.add_argument("--dest", default=LABS, help="where to write them (default: labs)")
    commands.add_parser("check", help="check every convention; exit 1 listing the problems")
    args = parser.parse_args(argv)
    c = course(args.root)
    if args.command == "sync":
        return _report(c, sync(c.root), "solutions/ is in sync")
    if args.command == "generate":
        try:
            return _report(c, generate(args.dest, c.root), f"{args.dest}/ is up to date")
        except AuthoringError as exc:
            print(f"✗ {exc}", file=sys.stderr)
            return 1
    problems = check(c.root)
    for problem in problems:
        print(f"✗ {problem}")
    print(f"{len(problems)} problem(s)" if problems else f"✓ {len(lab_names(c.solutions))} lab(s) pass every check")
    return 1 if problems else 0


def _report(c: Course, changed: list[Path], nothing: str) -> int:
    """Print the files a command changed."""
    for path in changed:
        print(f"{'wrote' if path.exists() else 'removed'} {c.rel(path)}")
    if not changed:
        print(nothing)
    return 0


if __name__ == "__main__":
    sys.exit(main())
