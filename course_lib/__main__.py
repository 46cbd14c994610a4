"""Command line of the course library: ``python -m course_lib COMMAND`` (lab 00)."""
from __future__ import annotations

import importlib
import sys

# command -> (module with a main(argv) -> int, one-line help)
COMMANDS = {
    "doctor": ("course_lib.doctor", "check that this environment can run the labs, and say how to fix it"),
}


def usage() -> str:
    """The list of commands (lab 00)."""
    lines = ["usage: python -m course_lib COMMAND [ARGS]", "", "commands:"]
    return "\n".join(lines + [f"  {name:<8} {text}" for name, (_, text) in COMMANDS.items()])


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand and return its exit status (lab 00)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    return importlib.import_module(COMMANDS[name][0]).main(rest)


if __name__ == "__main__":
    sys.exit(main())
