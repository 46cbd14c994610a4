"""binder/, environment.yml, the Makefile, .ci/run and the README agree with pyproject.toml."""
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
CONDA_ONLY = {"python", "pip"}
CONDA_ALIASES = {"matplotlib-base": "matplotlib"}  # conda-forge's Qt-free matplotlib


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def floor(req: Requirement) -> Version | None:
    """The lowest version a requirement allows (from >=, ==, ~= and >), or None for no floor."""
    lows = [Version(s.version) for s in req.specifier if s.operator in {">=", "==", "~=", ">", "==="}]
    return max(lows) if lows else None


def parse(lines, aliases=None) -> dict:
    """name -> Requirement for requirement strings, skipping options, local paths and comments."""
    out = {}
    for line in lines:
        line = str(line).split("#", 1)[0].strip()
        if not line or line.startswith(("-", ".")):
            continue
        req = Requirement(line)
        name = canonicalize_name(req.name)
        out[(aliases or {}).get(name, name)] = req
    return out


def wanted() -> dict:
    """What a learner's environment needs: pyproject's dependencies plus the lab extra."""
    project = pyproject()["project"]
    return parse(project["dependencies"] + project["optional-dependencies"]["lab"])


def assert_agrees(found: dict, where: str):
    need = wanted()
    assert set(found) == set(need), (f"{where} and pyproject.toml (dependencies + lab extra) list different "
                                     f"packages: only in {where}: {sorted(set(found) - set(need))}, "
                                     f"only in pyproject: {sorted(set(need) - set(found))}")
    for name, req in need.items():
        low, have = floor(req), floor(found[name])
        if low is not None:
            assert have is not None and have >= low, f"{where}: {found[name]} allows less than pyproject's {req}"


def binder_requirements() -> list[str]:
    return (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()


def conda_env() -> tuple[list, list]:
    """(conda dependencies, pip dependencies) of environment.yml."""
    deps = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
    conda = [d for d in deps if isinstance(d, str)]
    pip = [x for d in deps if isinstance(d, dict) for x in d.get("pip", [])]
    return conda, pip


def makefile_torch_version() -> str:
    m = re.search(r"^TORCH_VERSION \?= (\S+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert m, "the Makefile sets no default TORCH_VERSION"
    return m.group(1)


def test_pyproject_keeps_torch_floor_and_publishing_section():
    data = pyproject()
    assert "torch>=2.2" in data["project"]["dependencies"]
    assert {"repository", "ref"} <= set(data["tool"]["deepfake-lab"])


def test_dev_extra_contains_lab_extra():
    extras = pyproject()["project"]["optional-dependencies"]
    assert set(extras["lab"]) <= set(extras["dev"]), "make test's environment must also run the labs"


def test_binder_requirements_match_pyproject():
    assert_agrees(parse(binder_requirements()), "binder/requirements.txt")


def test_binder_uses_cpu_torch_pinned_like_the_makefile():
    lines = [line.strip() for line in binder_requirements()]
    assert f"--extra-index-url {CPU_INDEX}" in lines
    torch = parse(lines)["torch"]
    assert str(torch.specifier) == f"=={makefile_torch_version()}+cpu"


def test_binder_postbuild_installs_the_package_without_deps():
    post = ROOT / "binder" / "postBuild"
    assert os.access(post, os.X_OK), "binder/postBuild must be executable"
    assert re.search(r"pip install --no-deps -e \.", post.read_text(encoding="utf-8"))
    assert not (ROOT / "binder" / "environment.yml").exists(), "it would make Binder ignore requirements.txt"


def test_binder_sessions_start_in_fast_mode_unless_the_launcher_chose():
    start = ROOT / "binder" / "start"
    assert os.access(start, os.X_OK), "binder/start must be executable, or Binder will not run it"
    env = {k: v for k, v in os.environ.items() if k != "COURSE_FAST"}
    run = lambda **extra: subprocess.run([str(start), "sh", "-c", 'printf %s "$COURSE_FAST"'],  # noqa: E731
                                         env={**env, **extra}, capture_output=True, text=True, check=True).stdout
    assert run() == "1", "on Binder (1 CPU, 2 GB) the labs must start in FAST mode"
    assert run(COURSE_FAST="0") == "0", "a launcher that set COURSE_FAST=0 must keep full mode"


def test_environment_yml_matches_pyproject():
    conda, pip = conda_env()
    found = parse([d for d in conda if re.split(r"[ =<>!]", d)[0] not in CONDA_ONLY], CONDA_ALIASES)
    both = set(found) & set(parse(pip))
    assert not both, f"environment.yml installs {sorted(both)} with both conda and pip"
    found.update(parse(pip))
    assert_agrees(found, "environment.yml")


def test_environment_yml_installs_the_course_with_cpu_torch():
    data = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert data["channels"] == ["conda-forge"]
    _, pip = conda_env()
    assert f"--extra-index-url {CPU_INDEX}" in pip
    assert "-e .[lab]" in pip
    assert str(parse(pip)["torch"].specifier) == f"=={makefile_torch_version()}"


def test_ci_runs_make_test():
    ci = ROOT / ".ci" / "run"
    assert os.access(ci, os.X_OK), ".ci/run must be executable"
    text = ci.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash") and "set -euo pipefail" in text
    commands = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert commands[-1].strip() == "make test"


def test_makefile_puts_the_venv_first_on_path_and_has_the_targets():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^export PATH := \$\(BIN\):\$\(PATH\)$", text, re.M), "nbgrader needs alembic on PATH"
    for target in ("lab", "test", "labs", "bench", "doctor", "clean"):
        assert re.search(rf"^{target}:", text, re.M), f"no `make {target}`"


def test_readme_badges_point_at_the_published_repository():
    pub = pyproject()["tool"]["deepfake-lab"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    repo, ref = pub["repository"], pub["ref"]
    assert f"https://mybinder.org/v2/gh/{repo}/{ref}?urlpath=lab/tree/labs" in readme
    colab = re.findall(r"\]\(https://colab\.research\.google\.com/github/([^)\s]+)\)", readme)  # badge links
    labs = sorted(p.parent.name for p in (ROOT / "labs").glob("*/*.ipynb") if p.stem == p.parent.name)
    assert len(colab) == len(labs), f"the README should have one Colab badge per lab in labs/ ({len(labs)}), " \
                                    f"and mark the others 'coming'; it has {len(colab)}"
    for url in colab:
        m = re.fullmatch(rf"{re.escape(repo)}/blob/{re.escape(ref)}/labs/(\w+)/(\w+)\.ipynb", url)
        assert m and m.group(1) == m.group(2), f"Colab link {url} does not follow [tool.deepfake-lab]"
