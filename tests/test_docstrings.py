"""Docstring lab tags: each public function's "(lab N)" names a lab that really uses it.

The rule, read statically (no notebook runs, no course_lib import):

* A lab *uses* a course_lib function or class when its solution notebook names it (``module.name``, or a name
  from ``from course_lib.module import ...``), or names a course_lib function whose code uses it, and so on.
* A tag fails when labs use the function but none of the labs it names does. Labs that do not exist yet (a
  function written ahead for lab 07) and "(lab N onwards)" tags that some later lab fulfils are fine.
* Tagged functions that no notebook reaches (command-line tools, builders of the shipped weights, loaders for
  later labs) are reported, as a warning.
* A lab that uses a function directly *before* every lab its tag names is only reported, as a warning (the
  tag may name the wrong lab, or an earlier lab borrows it on purpose). Later labs reusing a function is
  normal: a helper is tagged by the lab that introduces it, not by every lab that calls it.
"""
from __future__ import annotations

import ast
import json
import re
import warnings
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "course_lib"
TAG = re.compile(r"\((labs? [^()]*)\)\.?\s*$")


def _module_of(path: Path) -> str:
    """course_lib/audio.py -> audio; course_lib/synth/speech.py -> synth (the package exports its parts)."""
    parts = path.relative_to(LIB).with_suffix("").parts
    return parts[0]


def _tag_labs(doc: str) -> tuple[set[int], bool] | None:
    """Labs named by the tag at the end of a docstring's first line, and whether it says "onwards"."""
    match = TAG.search(doc.strip().splitlines()[0]) if doc and doc.strip() else None
    if not match:
        return None
    text = match.group(1)
    return {int(n) for n in re.findall(r"\b\d\d\b", text)}, "onwards" in text


class _Library:
    """Every top-level function and class of course_lib: its tag, and the course_lib names its code uses."""

    def __init__(self):
        self.tags: dict[tuple[str, str], tuple[set[int], bool]] = {}
        self.public: set[tuple[str, str]] = set()
        self.uses: dict[tuple[str, str], set[tuple[str, str]]] = {}
        self.modules = {_module_of(p) for p in LIB.rglob("*.py")} - {"__init__", "__main__"}
        for path in sorted(LIB.rglob("*.py")):
            self._read(path)

    def _read(self, path: Path) -> None:
        module = _module_of(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {}  # bare name -> (module, name), from "from .x import name"
        aliases = {m: m for m in self.modules}  # "from . import pretrained as shipped": shipped -> pretrained
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("course_lib")):
                parts = [p for p in (node.module or "").split(".") if p and p != "course_lib"]
                if path.parent != LIB and node.level == 1:
                    parts = [module] + parts  # inside the synth package
                for alias in node.names:
                    if parts:
                        imported[alias.asname or alias.name] = (parts[0], alias.name)
                    elif alias.name in self.modules:
                        aliases[alias.asname or alias.name] = alias.name
        defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))} | {
            t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):  # PIPELINES = {...Step(...)}
                node.name = node.targets[0].id
            elif not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                continue
            key = (module, node.name)
            used = set()
            for sub in ast.walk(node):
                if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id in aliases:
                    used.add((aliases[sub.value.id], sub.attr))
                elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):  # "course_lib.swap:build"
                    used.update(re.findall(r"course_lib\.(\w+):(\w+)", sub.value))
                elif isinstance(sub, ast.Name):
                    if sub.id in defined and sub.id != node.name:
                        used.add((module, sub.id))
                    elif sub.id in imported:
                        used.add(imported[sub.id])
            self.uses.setdefault(key, set()).update(used)
            if not node.name.startswith("_") and not isinstance(node, ast.Assign):
                self.public.add(key)
                tag = _tag_labs(ast.get_docstring(node) or "")
                if tag:
                    self.tags[key] = tag


def _notebooks() -> dict[int, str]:
    """Lab number -> all the text (code and markdown) of its solution notebook."""
    out = {}
    for path in sorted((ROOT / "solutions").glob("[0-9][0-9]_*/*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        out[int(path.name[:2])] = "\n".join("".join(c["source"]) for c in cells)
    return out


@lru_cache(maxsize=1)
def usage() -> tuple[_Library, dict[int, set], dict[int, set]]:
    """The library, and for each lab the course_lib names it uses directly and transitively."""
    lib = _Library()
    direct, reached = {}, {}
    for lab, text in _notebooks().items():
        names = {(m, n) for m, n in re.findall(r"\b([a-z_]+)\.([A-Za-z_]\w*)", text) if m in lib.modules}
        for m, listed in re.findall(r"from course_lib\.(\w+) import ([\w, ()\n]+)", text):
            names |= {(m, n) for n in re.findall(r"\w+", listed)}
        direct[lab] = names & set(lib.uses)
        seen, todo = set(), list(direct[lab])
        while todo:
            key = todo.pop()
            if key not in seen:
                seen.add(key)
                todo.extend(lib.uses.get(key, ()))
        reached[lab] = seen
    return lib, direct, reached


def test_every_lab_tag_names_a_lab_that_uses_the_function():
    lib, direct, reached = usage()
    labs = set(reached)
    wrong = []
    for key, (tagged, onwards) in sorted(lib.tags.items()):
        named = {lab for lab in labs if lab in tagged or (onwards and lab >= min(tagged))}
        users = sorted(lab for lab in labs if key in reached[lab])
        if named and users and not named & set(users):
            wrong.append(f"{key[0]}.{key[1]} is tagged lab {sorted(tagged)} but used by labs {users}")
    missing = sorted(f"{m}.{n}: used by lab {lab:02d}, tagged lab {sorted(lib.tags[m, n][0])}"
                     for lab, names in direct.items() for m, n in names
                     if (m, n) in lib.tags and lab < min(lib.tags[m, n][0], default=lab))
    unused = sorted(f"{m}.{n} (tagged lab {sorted(lib.tags[m, n][0])})" for m, n in lib.tags
                    if not any((m, n) in seen for seen in reached.values()))
    if missing:
        warnings.warn("functions used by a lab before the labs their tags name (a report, not a failure):\n"
                      + "\n".join(missing), stacklevel=1)
    if unused:  # command-line tools, builders, and what later labs will use
        warnings.warn("tagged functions no lab's notebook reaches (a report, not a failure):\n" + "\n".join(unused),
                      stacklevel=1)
    assert not wrong, "docstring tags name labs that never use the function:\n" + "\n".join(wrong)


def test_the_rule_sees_library_internal_use():
    lib, direct, reached = usage()
    assert ("audio", "as_recordings") in lib.tags, "the parser should find tagged functions in every module"
    assert ("audio", "as_recordings") not in direct[5], "lab 05 reaches it only through the speaker judge"
    assert ("audio", "as_recordings") in reached[5], "... which the transitive rule must follow"
    assert ("synth", "glottal_source") in reached[5], "synth's submodules count as synth"
    assert ("categories", "Step") in reached[1], "module constants (categories.PIPELINES holds Steps) are followed too"


def test_readme_layout_and_package_docstring_name_every_module():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Repository layout"):]
    package_doc = (LIB / "__init__.py").read_text(encoding="utf-8")
    for path in sorted(LIB.glob("*.py")) + sorted(p for p in LIB.iterdir() if (p / "__init__.py").exists()):
        name = path.stem if path.suffix else path.name
        if name.startswith("_"):
            continue
        assert re.search(rf"\b{name}\b", layout), f"README's 'Repository layout' does not name course_lib.{name}"
        assert f"``{name}``" in package_doc, f"course_lib/__init__.py's module list does not name {name}"
