"""``python -m benchmarks NAME --mode fast|full``; the last line printed is one JSON object (lab 00)."""
from __future__ import annotations

import argparse
import json
import sys

from . import MODES, load, names, run, summary


def main(argv: list[str] | None = None) -> int:
    """Run one benchmark, print a summary and then its metrics as one JSON line (lab 00)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Run one of the course's benchmarks.")
    parser.add_argument("name", help="one of: " + ", ".join(names()))
    parser.add_argument("--mode", choices=MODES, default="fast", help="fast: one quick pass; full: repeated, median")
    args = parser.parse_args(argv)
    try:
        module = load(args.name)
    except ValueError as exc:
        parser.error(str(exc))
    record = run(module, args.mode, args.name)
    print("\n".join(summary(record)))
    print(json.dumps({**record["metrics"], "peak_rss_mb": record["peak_rss_mb"],
                      "targets_met": record["targets_met"]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
