"""What the Colab and Binder tests share: separate virtual environments built once, a copy of the checkout as a
fresh clone has it, and a watcher of a process tree's memory (no test here).

The environments live in `.test-envs/<name>/` (gitignored; `make clean` removes it), each with a `.key` file:
a hash of what built it (the requirement lines, the Python version). A later session whose inputs hash the
same reuses it; any change rebuilds it from scratch. pip's own cache makes a rebuild cheaper.

Building one needs the package indexes (PyPI, and the machine's local wheel folders where pip is configured
with them); the tests that use them run offline afterwards. When an install fails and PyPI cannot be
reached, the tests skip and say so; when PyPI answers, a failed install fails the test.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENVS = ROOT / ".test-envs"
TORCH = "torch==2.13.0"  # the Makefile's TORCH_VERSION: pip takes it from local disk where it lies there
# Variables of this test process that must not reach a learner's environment: the checkout on PYTHONPATH
# would shadow the installed course, and the suite's own modes and backends are not a learner's.
NOT_INHERITED = ("PYTHONPATH", "VIRTUAL_ENV", "COURSE_FAST", "COURSE_STRICT", "COURSE_DATA_DIR", "COURSE_CLASS_DIR",
                 "MPLBACKEND", "NBGRADER_EXECUTION", "NBGRADER_VALIDATING", "JUPYTER_PATH", "JUPYTER_CONFIG_DIR",
                 "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "PYTEST_CURRENT_TEST")


def learner_env(venv: Path, **extra: str) -> dict:
    """This process's environment as a learner of ``venv`` would have it: its bin first, no suite settings."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env.update(extra)
    return env


def reachable(host: str, port: int = 443, seconds: float = 3.0) -> bool:
    """Does ``host`` answer on ``port`` within a few seconds (or is a proxy set)?"""
    if os.environ.get("https_proxy") or os.environ.get("HTTPS_PROXY"):
        return True
    try:
        socket.create_connection((host, port), seconds).close()
        return True
    except OSError:
        return False


def run(cmd: list, what: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 900) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)
    if result.returncode != 0:
        tail = (result.stdout + result.stderr)[-3000:]
        if "pip" in cmd and not reachable("pypi.org"):
            pytest.skip(f"{what}: pip could not install and PyPI is unreachable from here, so the environment "
                        f"cannot be built:\n{tail}")
        pytest.fail(f"{what} failed ({' '.join(map(str, cmd))}):\n{tail}", pytrace=False)
    return result.stdout


def pyproject() -> dict:
    """The checkout's pyproject.toml."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def venv(name: str, installs: list[list[str]], cwd: Path | None = None) -> Path:
    """A virtual environment `.test-envs/<name>` with each pip install of ``installs`` run in order, reused
    while its inputs stay the same."""
    folder = ENVS / name
    key = hashlib.sha256(repr((sys.version_info[:2], installs)).encode()).hexdigest()
    stamp = folder / ".key"
    python = folder / "bin" / "python"
    if stamp.is_file() and stamp.read_text() == key and python.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    ENVS.mkdir(exist_ok=True)
    run([sys.executable, "-m", "venv", str(folder)], f"creating the {name} environment")
    env = learner_env(folder)
    for args in installs:
        run([str(python), "-m", "pip", "install", "-q", *args], f"building the {name} environment", env, cwd)
    stamp.write_text(key)
    return folder


def checkout_copy(dest: Path) -> Path:
    """A copy of the checkout's files as a fresh clone holds them (tracked and untracked but not ignored files,
    as they are now), so nothing built from it writes into the checkout."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=False)
    if listed.returncode != 0:  # not a git checkout: everything but the usual build and cache folders
        shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(".git", ".venv", ".test-envs", "test-artifacts",
                                                                  "__pycache__", "*.egg-info", "build"))
        return dest
    for rel in filter(None, listed.stdout.decode().split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            kids.setdefault(ppid, []).append(int(entry))
    return kids


def _alive(pid: int) -> bool:
    """True while ``pid`` runs; False once it has exited (a zombie whose memory is gone, or reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _memory(pid: int) -> int:
    """The process's proportional set size (PSS): its resident pages, each page shared with other processes
    divided among them. Summed over a tree, that counts every page once, as a container's memory limit does.
    Resident size (RSS) would not: a child forked to start ffmpeg shares its parent's pages (copy-on-write) until
    it execs, and its RSS then repeats the parent's whole ~1 GiB for those few milliseconds. Falls back to RSS
    where smaps_rollup (Linux 4.14) cannot be read."""
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            text = Path(f"/proc/{pid}/{name}").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    return 0


class TreeWatcher:
    """Polls a process and its descendants (Linux /proc) until ``done`` is set, and keeps the peak of their summed
    memory (PSS, so each shared page counts once; ``_memory``): of the whole tree, and of the descendants alone
    (the kernel and what it starts). Kills the tree once it passes ``limit`` bytes, as a container's memory limit
    would."""

    def __init__(self, pid: int, done: threading.Event, limit: int | None = None, every: float = 0.1):
        self.pid, self.done, self.limit, self.every = pid, done, limit, every
        self.peak = self.peak_children = 0
        self.killed = False
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self.done.is_set():
            kids, tree = _children(), []
            todo = list(kids.get(self.pid, []))
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo.extend(kids.get(pid, []))
            below = sum(_memory(pid) for pid in tree)
            whole = below + _memory(self.pid)
            if not all(map(_alive, tree)):  # a child exited between its reading and its parent's: the parent's
                self.done.wait(self.every)  # pages it shared were counted in both halves; this sample is void
                continue
            self.peak_children = max(self.peak_children, below)
            self.peak = max(self.peak, whole)
            if self.limit is not None and self.peak > self.limit and not self.killed:
                self.killed = True
                for pid in [self.pid, *tree]:
                    try:
                        os.kill(pid, 9)
                    except OSError:
                        pass
            self.done.wait(self.every)

    def join(self) -> None:
        """Wait for the last reading."""
        self._thread.join()


def gib(n: int) -> str:
    return f"{n / 1024 ** 3:.2f} GiB"


def report(config, tag: str, line: str) -> None:
    """Print a line to the terminal even when pytest captures output (like the notebook runs' lines)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"[{tag}] {line}")


def binder_requirements() -> tuple[list[str], str]:
    """binder/requirements.txt as pip arguments (comments dropped), and a note on what was changed: the PyTorch
    CPU index is left out when it cannot be reached (the same +cpu wheel then comes from pip's configured
    local wheel folder)."""
    args, note = [], ""
    for line in (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("--extra-index-url"):
            url = line.split(None, 1)[1]
            if not reachable(url.split("/")[2]):
                note = f"{url} unreachable: torch's +cpu wheel came from this machine's wheel folder"
                continue
            args += line.split(None, 1)
        elif line:
            args.append(line)
    return args, note


@dataclass(frozen=True)
class BinderImage:
    """What repo2docker would build from binder/, without Docker: the environment, the repository copied into
    the image's home, postBuild run there."""

    venv: Path
    repo: Path
    home: Path

    def env(self, **extra: str) -> dict:
        """A Binder session's environment: this venv first on PATH, the image's home."""
        return learner_env(self.venv, HOME=str(self.home), **extra)


def binder_image(home: Path, config) -> BinderImage:
    """Build (or reuse) the Binder environment, copy the checkout into ``home`` and run binder/postBuild there."""
    args, note = binder_requirements()
    folder = venv("binder", [args])
    image = BinderImage(folder, checkout_copy(home / "repo"), home)
    run([str(image.repo / "binder" / "postBuild")], "binder/postBuild", image.env(), image.repo)
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    here = f"python-{sys.version_info.major}.{sys.version_info.minor}"
    report(config, "binder", f"environment from binder/ ({runtime}; here {here}){'; ' + note if note else ''}")
    return image
