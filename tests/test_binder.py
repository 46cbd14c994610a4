"""Binder, as far as this machine can check it without Docker (issue 16): the environment `binder/` describes,
built in a fresh virtual environment, runs every lab in its Binder mode within Binder's 2 GB of memory.

The environment (`.test-envs/binder`, reused while binder/requirements.txt and the Python version stay the
same; tests/classroom_envs.py) is `pip install` of binder/requirements.txt's lines as they are. The one
exception: when the PyTorch CPU index that the file names cannot be reached (this machine is offline), its
`--extra-index-url` line is left out and the same `torch==<version>+cpu` wheel comes from the machine's own
wheel folder, as pip is configured here. As repo2docker does, the repository is copied into the "image" (a
temporary home) and binder/postBuild runs in that copy; every lab then runs there through binder/start (which
sets FAST mode), executed top to bottom by that environment's `jupyter nbconvert`.

Each lab runs in its solution version (a learner who did every exercise, the heaviest path) with an empty
course cache of its own (a learner who opens that lab first). A watcher polls the memory of the whole
process tree (nbconvert, standing in for Binder's Jupyter server, plus the kernel and whatever it starts) and
kills it past the ceiling, as the container's limit would. It sums proportional set sizes, not resident sizes:
a kernel that starts ffmpeg forks first, and until the child execs it shares the kernel's ~1 GiB, which a sum
of resident sizes counts twice (lab 09 was "killed" at 2.03 GiB that way while it used about 1.1 GiB). No
address-space limit, which torch's allocator breaks. A Binder session has one CPU, so each lab runs confined to
one CPU, and two labs run at once on a 2-core machine (which also halves what the test adds to the suite). Each
lab's peak (whole tree, and kernel tree alone), wall and CPU time are printed as "[binder] ..." lines and kept
in test-artifacts/classroom/binder.json.
"""
import json
import os
import queue
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

import classroom_envs as envs
from course_lib import authoring

ROOT = Path(__file__).resolve().parents[1]
COURSE = authoring.Course(ROOT)
LABS = [lab for lab in authoring.lab_names(COURSE.solutions) if COURSE.solution(lab).is_file()]
CEILING = 2 * 1024 ** 3  # mybinder.org's memory limit per session: 2 GB (2 GiB as Kubernetes reads "2G")
RESULTS = ROOT / "test-artifacts" / "classroom" / "binder.json"
LAB_TIMEOUT = 900  # seconds for one lab, nbconvert and kernel start included; FAST labs take about a minute
PROBE = ("import json, sys, course_lib\nfrom course_lib import config\n"
         "print('BINDER=' + json.dumps({'fast': config.is_fast(), 'prefix': sys.prefix, 'course': course_lib.__file__}))")


_RECORDING = threading.Lock()  # labs finish in parallel threads


def record(lab: str, result: dict) -> None:
    """Keep this lab's figures in test-artifacts/classroom/binder.json, beside the other labs' last figures."""
    with _RECORDING:
        _record(lab, result)


def _record(lab: str, result: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    results[lab] = result
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=1, sort_keys=True))
    tmp.replace(RESULTS)


@dataclass
class LabRun:
    """One lab run in Binder mode: its memory peaks, times, exit code, and what nbconvert wrote."""

    lab: str
    peak: int
    kernel_peak: int
    wall_s: float
    cpu_s: float
    returncode: int
    killed: bool
    folder: Path  # nbconvert's output and log

    def figures(self) -> dict:
        return {"peak_bytes": self.peak, "kernel_peak_bytes": self.kernel_peak, "wall_s": round(self.wall_s, 1),
                "cpu_s": round(self.cpu_s, 1), "fits": not self.killed and self.returncode == 0}


def run_lab(binder, lab: str, cpu: int | None, out: Path) -> LabRun:
    """Execute the lab's solution through binder/start, confined to one CPU (Binder gives one), watching memory."""
    folder = binder.repo / "solutions" / lab
    nb = authoring.read(folder / f"{lab}.ipynb")
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    notebook = folder / f"{lab}.binder-run.ipynb"
    notebook.write_text(authoring.dumps(nb), encoding="utf-8")
    cmd = [str(binder.repo / "binder" / "start"), str(binder.venv / "bin" / "jupyter"), "nbconvert", "--to",
           "notebook", "--execute", notebook.name, "--output-dir", str(out),
           f"--ExecutePreprocessor.timeout={LAB_TIMEOUT}"]
    pin = (lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None
    done, start = threading.Event(), time.perf_counter()
    with open(out / "nbconvert.log", "w") as log:
        process = subprocess.Popen(cmd, cwd=folder, env=binder.env(COURSE_DATA_DIR=str(out / "cache")), stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=pin)
        watcher = envs.TreeWatcher(process.pid, done, limit=CEILING)
        timer = threading.Timer(LAB_TIMEOUT + 60, lambda: os.kill(process.pid, 9))
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)  # its CPU time, with the kernel's (nbconvert waits for it)
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        watcher.join()
    return LabRun(lab, watcher.peak, watcher.peak_children, time.perf_counter() - start,
                  usage.ru_utime + usage.ru_stime, process.returncode, watcher.killed, out)


class BinderRuns:
    """Runs the selected labs in Binder mode on first use, one per CPU at a time (two on a 2-core machine, each
    confined to its own CPU as a Binder session is to one), and hands each test its lab's run."""

    def __init__(self, binder, labs: list[str], tmp_path_factory, config):
        self.binder, self.labs, self.tmp, self.config = binder, labs, tmp_path_factory, config
        self.futures: dict = {}

    def get(self, lab: str) -> LabRun:
        if not self.futures:
            cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
            free: queue.Queue = queue.Queue()
            for cpu in cpus[:2] or [None]:
                free.put(cpu)
            pool = ThreadPoolExecutor(max_workers=free.qsize())

            def one(name: str) -> LabRun:
                cpu = free.get()
                try:
                    run = run_lab(self.binder, name, cpu, self.tmp.mktemp(f"binder-{name}"))
                finally:
                    free.put(cpu)
                record(name, run.figures())
                envs.report(self.config, "binder", f"{name}: peak {envs.gib(run.peak)} (kernel tree "
                                                   f"{envs.gib(run.kernel_peak)}), {run.wall_s:.0f} s wall on one "
                                                   f"CPU, {run.cpu_s:.0f} s CPU")
                return run

            self.futures = {name: pool.submit(one, name) for name in self.labs}
            pool.shutdown(wait=False)
        return self.futures[lab].result()


@pytest.fixture(scope="session")
def binder_runs(binder, tmp_path_factory, request):
    selected = [item.callspec.params["lab"] for item in request.session.items
                if item.originalname == "test_lab_runs_in_binder_mode_within_binders_2_gb"]
    return BinderRuns(binder, selected or LABS, tmp_path_factory, request.config)


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS)
def test_lab_runs_in_binder_mode_within_binders_2_gb(binder, binder_runs, lab):
    run = binder_runs.get(lab)
    assert not run.killed, (f"{lab} passed Binder's memory limit ({envs.gib(CEILING)}) in Binder mode: its "
                            f"processes held {envs.gib(run.peak)}; on mybinder.org the kernel would die")
    log = (run.folder / "nbconvert.log").read_text(errors="replace")
    assert run.returncode == 0, f"{lab} failed in Binder mode (binder/start, FAST):\n{log[-4000:]}"
    executed = authoring.read(run.folder / f"{lab}.binder-run.ipynb")
    printed = "".join(o.get("text", "") for o in executed.cells[-1].get("outputs", []) if o.output_type == "stream")
    probe = json.loads(printed.split("BINDER=", 1)[1])
    assert probe["fast"], f"{lab} ran in full mode under binder/start, which must set COURSE_FAST=1"
    assert Path(probe["prefix"]).resolve() == binder.venv.resolve(), \
        f"{lab}'s kernel ran in {probe['prefix']}, not in the Binder environment {binder.venv}"
    assert Path(probe["course"]).resolve().is_relative_to(binder.repo.resolve()), \
        f"{lab} imported course_lib from {probe['course']}, not from postBuild's install in {binder.repo}"


def _tree_peak(script: str) -> int:
    """The watcher's peak over a Python process running ``script``."""
    import sys

    done = threading.Event()
    process = subprocess.Popen([sys.executable, "-c", script])
    watcher = envs.TreeWatcher(process.pid, done, every=0.02)
    process.wait(timeout=60)
    done.set()
    watcher.join()
    return watcher.peak


HOLD = "import numpy as np, os, time\nblock = np.ones(300 * 2 ** 20 // 8)\n"  # 300 MiB, every page written


def test_binder_watcher_counts_a_forked_childs_shared_pages_once():
    # the moment a kernel forks to start ffmpeg: parent and child both map the same 300 MiB until the child execs
    shared = _tree_peak(HOLD + "pid = os.fork()\nif pid == 0:\n    time.sleep(1.0)\n    os._exit(0)\n"
                               "os.waitpid(pid, 0)\n")
    # a child that writes its own copy really does use twice as much, and the watcher must still see that
    copied = _tree_peak(HOLD + "pid = os.fork()\nif pid == 0:\n    block += 1\n    time.sleep(1.0)\n    os._exit(0)\n"
                               "os.waitpid(pid, 0)\n")
    mib = 2 ** 20
    assert 300 * mib < shared < 450 * mib, (f"a forked child that only shares its parent's 300 MiB was counted as "
                                            f"{shared / mib:.0f} MiB in all: Binder labs that start ffmpeg would "
                                            f"look twice their size")
    assert copied > 580 * mib, f"a child that copied its parent's 300 MiB was counted as {copied / mib:.0f} MiB in all"
