"""The README's badges open what exists: labs that are in labs/, at a ref the repository has (issue 15).

That they follow [tool.deepfake-lab] is checked in test_environment_files.py.
"""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from course_lib import authoring

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Placeholders such as <repository> in the README's prose do not match: names are letters, digits, ., _ and -.
COLAB = re.compile(r"https://colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/([\w.-]+)/([^)\s]+)")
BINDER = re.compile(r"https://mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/([\w.-]+)")


def badge_targets() -> list[tuple[str, str, str]]:
    """(repository, ref, path or '') of every Colab and Binder badge link in the README."""
    found = [m.groups() for m in COLAB.finditer(README)]
    found += [(*m.groups(), "") for m in BINDER.finditer(README)]
    return found


def git(*args: str) -> str | None:
    """A git command's output in this checkout, or None when git or the checkout is not there."""
    if shutil.which("git") is None:
        return None
    try:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def test_readme_colab_badges_open_labs_that_exist():
    missing = sorted(path for _, _, path in badge_targets() if path and not (ROOT / path).is_file())
    assert not missing, f"README Colab badges open notebooks that do not exist: {missing}; mark those labs 'coming'"


def test_badge_ref_is_a_tag_or_branch_of_this_repository():
    if git("rev-parse", "--is-inside-work-tree") is None:
        pytest.skip("not a git checkout (or git is missing): cannot tell whether the badges' ref exists")
    if (git("rev-parse", "--is-shallow-repository") or "").strip() == "true":
        pytest.skip("a shallow clone: its tags and branches are incomplete, so the badges' ref cannot be checked")
    tags = set((git("tag", "--list") or "").split())
    if not tags:
        pytest.skip("this clone has no tags (cloned without them, or nothing is released yet): cannot tell whether "
                    "the badges' ref exists; `git fetch --tags` and run again before a release")
    branches = set()
    for name in (git("for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes") or "").split():
        branches |= {name, name.split("/", 1)[-1]}  # origin/main counts as main
    refs = {ref for _, ref, _ in badge_targets()} | {authoring.course(ROOT).publication()[1]}
    unknown = sorted(ref for ref in refs if ref not in tags and ref not in branches)
    assert not unknown, (f"the badges and setup cells open ref(s) {unknown}, which are neither a tag nor a branch of "
                         f"this repository (tags: {sorted(tags)[:10]}): push the tag before publishing")
