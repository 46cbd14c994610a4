"""course_lib.results reads the benchmarks' recorded runs wherever the course is installed (lab 03)."""
import json

import pytest

from course_lib import results


@pytest.fixture
def recorded_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(results.ENV, str(tmp_path))
    return tmp_path


def test_recorded_runs_come_back_oldest_first_and_last_keeps_the_newest(recorded_dir):
    lines = [json.dumps({"name": "swap", "date": f"2026-11-2{i}", "metrics": {"x": i}}) for i in range(3)]
    (recorded_dir / "swap.jsonl").write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    assert [r["metrics"]["x"] for r in results.recorded("swap")] == [0, 1, 2]
    assert [r["metrics"]["x"] for r in results.recorded("swap", last=2)] == [1, 2]


def test_a_benchmark_without_recorded_runs_gives_an_empty_list(recorded_dir):
    assert results.recorded("never_run") == []


def test_a_broken_line_is_named_with_its_file_and_line_number(recorded_dir):
    (recorded_dir / "swap.jsonl").write_text('{"ok": 1}\n{not json\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 2 is not JSON"):
        results.recorded("swap")


@pytest.mark.parametrize("name, last", [("", None), ("../secret", None), (3, None), ("swap", 0), ("swap", True)])
def test_bad_arguments_name_the_argument(recorded_dir, name, last):
    with pytest.raises(ValueError, match="recorded: (name|last)"):
        results.recorded(name, last=last)


def test_a_checkout_reads_the_committed_results(monkeypatch):
    monkeypatch.delenv(results.ENV, raising=False)
    assert results.folder() == results.CHECKOUT
    assert all(run.get("name") == "swap" for run in results.recorded("swap"))


def test_an_installed_course_carries_the_results_where_folder_looks():
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    data_files = pyproject["tool"]["setuptools"]["data-files"]
    assert "benchmarks/results/*.jsonl" in data_files.get(results.INSTALLED.as_posix(), []), \
        f"pyproject's data-files must install benchmarks/results/*.jsonl to {results.INSTALLED.as_posix()}"
