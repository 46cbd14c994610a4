"""The benchmarks' recorded runs, read from a checkout or from an installed course (lab 03).

``python -m benchmarks NAME`` appends one JSON line per run to ``benchmarks/results/NAME.jsonl`` (see
``benchmarks/__init__.py``). A wheel or ``pip install git+...`` (Colab) copies those files to
``<prefix>/share/deepfake-lab/benchmarks/results`` (pyproject's data-files), so a lab finds them either way.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

ENV = "BENCH_RESULTS_DIR"  # redirects where runs are written and read (tests)
CHECKOUT = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
INSTALLED = Path("share") / "deepfake-lab" / "benchmarks" / "results"


def folder() -> Path | None:
    """The folder of recorded runs: ``BENCH_RESULTS_DIR``, a checkout's, an installed copy, or None (lab 03)."""
    env = os.environ.get(ENV, "").strip()
    if env:
        return Path(env).expanduser()
    if CHECKOUT.is_dir():
        return CHECKOUT
    import site
    import sysconfig

    for base in (sysconfig.get_path("data"), site.getuserbase()):
        if (Path(base) / INSTALLED).is_dir():
            return Path(base) / INSTALLED
    return None


def recorded(name: str, last: int | None = None) -> list[dict]:
    """The recorded runs of benchmark ``name``, oldest first; [] when none ship with this install (lab 03)."""
    if not isinstance(name, str) or not name.strip() or "/" in name or "\\" in name:
        raise ValueError(f"recorded: name must be a benchmark's name such as 'swap', got {name!r}")
    if last is not None and (not isinstance(last, int) or isinstance(last, bool) or last < 1):
        raise ValueError(f"recorded: last must be a positive whole number or None, got {last!r}")
    where = folder()
    path = where / f"{name}.jsonl" if where is not None else None
    if path is None or not path.is_file():
        return []
    runs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            runs.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ValueError(f"recorded: {path}, line {number} is not JSON ({exc.msg}); fix or delete that line")
    return runs[-last:] if last else runs
