"""The benchmarks' command-line contract: last line JSON, a result line appended. Never their speed."""
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import benchmarks

ROOT = Path(__file__).resolve().parents[1]


def test_synth_fast_prints_json_last_and_appends_a_result(tmp_path):
    env = {**os.environ, "BENCH_RESULTS_DIR": str(tmp_path)}
    for _ in range(2):
        res = subprocess.run([sys.executable, "-m", "benchmarks", "synth", "--mode", "fast"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
    last = json.loads(res.stdout.strip().splitlines()[-1])
    assert {"faces_per_s", "faces_1000_s", "clip_10s_s", "peak_rss_mb", "targets_met"} <= set(last)
    lines = (tmp_path / "synth.jsonl").read_text().splitlines()
    assert len(lines) == 2
    record = json.loads(lines[-1])
    assert record["mode"] == "fast" and record["name"] == "synth" and record["date"] and record["commit"]
    assert {"cpu", "cores", "torch_threads", "ram_gb", "gpu", "torch", "os"} <= set(record["machine"])
    assert set(record["targets_met"]) == {"faces_1000_s", "clip_10s_s"}


def test_a_trivial_benchmark_through_the_runner(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_RESULTS_DIR", str(tmp_path))
    module = types.SimpleNamespace(__name__="benchmarks.trivial", TARGETS={"x": (">=", 1.0), "y": ("<=", 0.5)},
                                   run=lambda mode: {"x": 2.0, "y": 1.0})
    record = benchmarks.run(module, "fast")
    assert record["targets_met"] == {"x": True, "y": False}
    assert json.loads((tmp_path / "trivial.jsonl").read_text())["metrics"] == {"x": 2.0, "y": 1.0}
    assert any("MISSED" in line for line in benchmarks.summary(record))
    assert f"{record['machine']['torch_threads']} torch threads" in benchmarks.summary(record)[0]


def test_a_record_from_before_thread_counts_still_reads():
    old = {"name": "gan", "mode": "full", "machine": {"cpu": "Intel Xeon", "cores": 2, "gpu": None, "torch": "2.13.0"},
           "metrics": {"train_s": 432.0}, "targets": {}, "targets_met": {}, "peak_rss_mb": 1300.0,
           "results_file": "benchmarks/results/gan.jsonl"}
    assert benchmarks.summary(old)[0] == "benchmark gan (full mode) on Intel Xeon, 2 cores, torch 2.13.0"


def test_registry_lists_modules_and_rejects_unknown_names():
    assert "synth" in benchmarks.names()
    with pytest.raises(ValueError, match="synth"):
        benchmarks.load("no-such-benchmark")
    with pytest.raises(ValueError, match="mode"):
        benchmarks.run(benchmarks.load("synth"), "medium")


def test_unknown_benchmark_exits_nonzero():
    res = subprocess.run([sys.executable, "-m", "benchmarks", "no-such-benchmark"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode != 0 and "synth" in res.stderr


def test_capstone_benchmark_is_registered_with_its_macro_f1_target():
    assert "capstone" in benchmarks.names(), f"benchmarks/capstone.py is not found among {benchmarks.names()}"
    module = benchmarks.load("capstone")
    assert module.TARGETS["macro_f1"] == (">=", 0.9), f"lab 09's target is macro-F1 >= 0.9, not {module.TARGETS}"


def test_capstone_swap_aucs_read_each_cue_alone_against_the_real_clips():
    import numpy as np

    from course_lib import capstone

    module = benchmarks.load("capstone")
    y = np.repeat([0, 1, 2, 3], 5)
    clean = np.zeros((len(y), len(capstone.EVIDENCE)))
    clean[:, capstone.EVIDENCE.index("face")] = (y == 2) * 1.0 + np.arange(len(y)) * 1e-3  # separates swaps
    clean[:, capstone.EVIDENCE.index("grain")] = -1.0 * (y == 2)  # separates them the other way round
    again = np.zeros_like(clean)  # re-encoding erased every cue
    aucs = module.swap_aucs(clean, again, y, cues=("face", "grain"))
    assert aucs == {"swap_auc_face": 1.0, "swap_auc_face_reencoded": 0.5, "swap_auc_grain": 0.0,
                    "swap_auc_grain_reencoded": 0.5}, f"one cue's AUC, swaps (class 2) against real clips: {aucs}"
