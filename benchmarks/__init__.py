"""The course's benchmarks: ``python -m benchmarks NAME --mode fast|full`` (lab 00 introduces them).

Each benchmark is a module of this package (``benchmarks/synth.py``, later ``cheapswap``, ``swap``, ``gan``,
``voice``) with ``run(mode) -> dict`` of metrics and optionally ``TARGETS = {metric: ("<=" or ">=", value)}``.
A module is registered by existing: no list to edit. Every run prints the metrics, whether each target is
met, and as its LAST line one JSON object; and appends a JSON line (date, mode, git commit, machine, peak
RSS, metrics) to ``benchmarks/results/<name>.jsonl`` (``BENCH_RESULTS_DIR`` redirects it, for tests).
Speed is measured here and never asserted in tests.
"""
from __future__ import annotations

import importlib
import json
import os
import pkgutil
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from course_lib import results

ROOT = Path(__file__).resolve().parent
MODES = ("fast", "full")


def names() -> list[str]:
    """The registered benchmarks: every module of this package not starting with '_' (lab 00)."""
    return sorted(m.name for m in pkgutil.iter_modules([str(ROOT)]) if not m.name.startswith("_"))


def load(name: str):
    """Import benchmark ``name``; a ValueError lists the known ones (lab 00)."""
    if name not in names():
        raise ValueError(f"no benchmark {name!r}; choose one of {names()}")
    module = importlib.import_module(f"{__name__}.{name}")
    if not callable(getattr(module, "run", None)):
        raise ValueError(f"benchmarks/{name}.py has no run(mode) function")
    return module


def median_time(fn, repeats: int) -> float:
    """Median wall-clock seconds of ``repeats`` calls of ``fn()`` (lab 00)."""
    times = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def results_dir() -> Path:
    """Where result lines go: ``BENCH_RESULTS_DIR``, else benchmarks/results (lab 00)."""
    return Path(os.environ.get(results.ENV) or ROOT / "results")


def git_commit() -> str:
    """The checkout's commit, with '-dirty' when tracked files have changed; 'unknown' outside git (lab 00)."""
    def git(*args):
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=10)

    try:
        head = git("rev-parse", "--short=12", "HEAD")
        if head.returncode:
            return "unknown"
        dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
        return head.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine() -> dict:
    """CPU, cores, torch threads, RAM, GPU (and its CUDA), torch and OS of this machine, for comparing results (lab 00).

    ``torch_threads`` is read after the benchmark ran, so it is the count its arithmetic used (``OMP_NUM_THREADS``
    sets it; otherwise torch's default, one a core): a timing means little without it.
    """
    import torch

    from course_lib.config import cpu_model

    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):
        ram = None
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "ram_gb": ram and round(ram, 1), "gpu": gpu,
            "cuda": torch.version.cuda if gpu else None, "torch": torch.__version__,
            "python": platform.python_version(), "os": platform.platform()}


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (lab 00)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(rss / (1e6 if sys.platform == "darwin" else 1e3), 1)  # bytes on macOS, KiB on Linux


def judge(metrics: dict, targets: dict) -> dict:
    """For each target (op, value), whether the metric meets it (lab 00)."""
    ops = {"<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b}
    return {k: bool(ops[op](metrics[k], v)) for k, (op, v) in targets.items() if k in metrics}


def run(module, mode: str, name: str | None = None) -> dict:
    """Run one benchmark module, append its record to the results file and return the record (lab 00)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    name = name or module.__name__.rsplit(".", 1)[-1]
    metrics = module.run(mode)
    rss = peak_rss_mb()  # before machine() imports torch, which the benchmark may not need
    targets = getattr(module, "TARGETS", {})
    record = {"name": name, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "mode": mode,
              "commit": git_commit(), "machine": machine(), "peak_rss_mb": rss, "metrics": metrics,
              "targets": {k: {"op": op, "value": v} for k, (op, v) in targets.items()},
              "targets_met": judge(metrics, targets)}
    out = results_dir()
    out.mkdir(parents=True, exist_ok=True)
    with open(out / f"{name}.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
    record["results_file"] = str(out / f"{name}.jsonl")
    return record


def summary(record: dict) -> list[str]:
    """Readable lines for a record; the caller prints the JSON line last (lab 00)."""
    m = record["machine"]
    threads = f", {m['torch_threads']} torch threads" if "torch_threads" in m else ""  # older records lack it
    lines = [f"benchmark {record['name']} ({record['mode']} mode) on {m['cpu']}, {m['cores']} cores{threads}"
             + (f", {m['gpu']}" if m["gpu"] else "") + f", torch {m['torch']}"]
    width = max(map(len, record["metrics"]), default=0)
    for key, value in record["metrics"].items():
        shown = f"{value:>10.4g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else f"{value!s:>10}"
        line = f"  {key:<{width}}  {shown}"
        if key in record["targets"]:
            t = record["targets"][key]
            line += f"   target {t['op']} {t['value']:g}: {'met' if record['targets_met'][key] else 'MISSED'}"
        lines.append(line)
    lines.append(f"  peak RSS {record['peak_rss_mb']:.0f} MB; appended to {record['results_file']}")
    return lines
