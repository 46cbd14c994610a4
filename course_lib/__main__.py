"""Command line of the course library: ``python -m course_lib doctor`` and ``baseline report`` (labs 00, 01)."""
from __future__ import annotations

import sys

USAGE = """usage: python -m course_lib COMMAND [ARGS]

commands:
  doctor                    check that this environment can run the labs, and say how to fix it
  baseline report PATH...   pool a class's real-or-fake sessions (class folders, baseline files,
                            nbgrader submitted/ folders): a table and a plotly figure (--html OUT)"""


def main(argv: list[str] | None = None) -> int:
    """Run ``doctor`` or ``baseline``, and return its exit status (lab 00)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0 if argv else 2
    if argv[0] == "doctor":
        from . import doctor

        return doctor.main(argv[1:])
    if argv[0] == "baseline":
        from . import baseline

        return baseline.report_main(argv[1:])
    print(f"unknown command {argv[0]!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
