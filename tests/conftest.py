"""Shared test set-up: FAST mode, strict exercise checks, an isolated data cache, no display, shared lab runs."""
import os

import pytest

# Set before any course_lib import, so module-level FAST flags and matplotlib see them.
os.environ.setdefault("COURSE_FAST", "1")
os.environ.setdefault("COURSE_STRICT", "1")  # a failing exercise check raises instead of printing a hint
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own empty course cache, so nothing touches the user's real one."""
    cache = tmp_path_factory.mktemp("course-cache")
    monkeypatch.setenv("COURSE_DATA_DIR", str(cache))
    monkeypatch.delenv("COURSE_CLASS_DIR", raising=False)  # nor a hub's class folder
    return cache


@pytest.fixture(scope="session")
def lab_runs(tmp_path_factory, pytestconfig):
    """Each lab's nbgrader round trip, run on first use and shared by every test of the session."""
    from notebook_runs import LabRuns  # tests/notebook_runs.py: pytest puts tests/ on sys.path

    return LabRuns(tmp_path_factory, pytestconfig)
