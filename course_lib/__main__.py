"""Command line of the course library: ``python -m course_lib doctor`` (lab 00)."""
from __future__ import annotations

import sys

USAGE = """usage: python -m course_lib COMMAND [ARGS]

commands:
  doctor   check that this environment can run the labs, and say how to fix it"""


def main(argv: list[str] | None = None) -> int:
    """Run the one command, ``doctor``, and return its exit status (lab 00)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0 if argv else 2
    if argv[0] != "doctor":
        print(f"unknown command {argv[0]!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    from . import doctor

    return doctor.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
