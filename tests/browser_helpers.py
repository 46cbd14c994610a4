"""Helpers for the browser tests: a throwaway JupyterLab, Debian's Chromium driven by Playwright, and the
steps a learner takes in a lab (open it, Run All Cells, see what went wrong, take a screenshot).

The server is started the way `make lab` starts it (the venv's `jupyter lab`), but on a temporary copy of
labs/ (JupyterLab writes outputs into the notebooks it runs), on a free port, without a token, with FAST
mode, an empty course cache and its own Jupyter config/data/runtime folders, so neither the repository nor
the user's settings are touched or used.

Two JupyterLab settings differ from a learner's defaults, both written into the temporary settings folder:
no "Jupyter news" toast (it would cover the notebook), and `windowingMode: none`, so that every cell stays in
the page (by default JupyterLab 4 detaches cells that are scrolled out of view, and the test reads all of
them).

The kernels start under the interactive matplotlib backend, as after `%matplotlib widget` (ipympl; see
KERNEL_CONFIG), so every lab is proven in a real front end under that backend too.

`check_lab` is the whole learner's check of one lab; the smaller helpers below it drive a lab's own widgets.
"""
from __future__ import annotations

import http.cookiejar
import importlib.util
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the tests skip themselves; this module must still import
    PlaywrightTimeout = TimeoutError

ROOT = Path(__file__).resolve().parents[1]
LABS = ROOT / "labs"
ARTIFACTS = ROOT / "test-artifacts" / "browser"  # gitignored; screenshots and logs for debugging
CHROMIUM = Path("/usr/bin/chromium")
# --disable-background-networking & co.: without them Chromium tries to reach Google's services, which a
# closed network (CI) refuses. Headless is Playwright's default.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run",
]
VENV_BIN = Path(sys.executable).parent  # the venv that runs pytest: its jupyter, its python for the kernel
VIEWPORT = {"width": 1400, "height": 1000}

SERVER_START_TIMEOUT = 60  # seconds
PAGE_TIMEOUT = 90  # seconds: JupyterLab loaded, the notebook open and its kernel idle
RUN_ALL_TIMEOUT = 600  # seconds: a whole lab in FAST mode (labs 03 and 04 take ~100 s idle; CI may be busy)
ACTION_TIMEOUT = 30  # seconds: any single click, key press or re-render
POLL_MS = 500  # how often a wait that reads every figure's pixels looks again (not on every frame)

LAB_USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

# The kernels start as if a learner's first cell were `%matplotlib widget` (ipympl): every figure becomes an
# interactive canvas widget. The notebook tests keep Agg and nbgrader's run keeps inline, so together the labs
# are proven under all three backends. Written as IPython's kernel config in the server's private IPYTHONDIR.
MATPLOTLIB_BACKEND = "widget"
KERNEL_CONFIG = f"c.InteractiveShellApp.matplotlib = {MATPLOTLIB_BACKEND!r}\n"

# A JavaScript expression for the notebook panel on screen (the current tab of the main area).
CURRENT_PANEL = "[...document.querySelectorAll('.jp-NotebookPanel')].find(p => !p.classList.contains('lm-mod-hidden'))"


def unavailable() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return (f"no Chromium at {CHROMIUM}: `make test` installs it, or install it yourself with "
                "`sudo apt-get install -y chromium` (Debian/Ubuntu); the browser tests drive that browser")
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed: `make test` (or `pip install -e '.[dev]'`) installs it"
    if not (VENV_BIN / "jupyter").exists() or importlib.util.find_spec("jupyterlab") is None:
        return f"JupyterLab is not installed in {sys.prefix}: `make test` (or `pip install -e '.[dev]'`) installs it"
    return None


# ---------------------------------------------------------------------------------------------- the server


@dataclass
class LabServer:
    """A running JupyterLab: its address, the temporary labs/ copy it serves, and its log."""
    url: str
    root: Path
    log: Path
    process: subprocess.Popen = field(repr=False)

    def path(self, notebook: str) -> Path:
        """Where a notebook (relative to labs/, e.g. 00_welcome/00_welcome.ipynb) lies in the served copy."""
        return self.root / notebook

    @property
    def cache(self) -> Path:
        """The course cache (COURSE_DATA_DIR) the server's kernels use: what a lab saves lands here."""
        return self.root.parent / "course-cache"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def api(self, endpoint: str):
        """GET a JSON endpoint of the server's REST API (e.g. "sessions")."""
        with urllib.request.urlopen(f"{self.url}/api/{endpoint}", timeout=5) as response:
            return json.load(response)

    def kernel_pythons(self) -> list[str]:
        """The interpreters the server's kernels run on (empty when psutil is missing)."""
        try:
            import psutil  # ipykernel depends on it
            children = psutil.Process(self.process.pid).children(recursive=True)
            return [c.cmdline()[0] for c in children if "ipykernel_launcher" in " ".join(c.cmdline())]
        except Exception:  # noqa: BLE001 - no psutil, or a process that just ended
            return []

    def kernel_state(self, notebook: str) -> str | None:
        """The execution state of the notebook's kernel as the server sees it ('idle', 'busy', ...), or None."""
        for session in self.api("sessions"):
            if session.get("path") == notebook and session.get("kernel"):
                return session["kernel"].get("execution_state")
        return None

    def shut_down_kernels(self) -> None:
        """End every session and its kernel, as File > Shut Down All Kernels would: a finished lab's kernel
        (torch, its tensors) must not hold memory while the next lab runs on the same server."""
        cookies = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
        try:
            opener.open(f"{self.url}/lab", timeout=30).close()  # the page sets the _xsrf cookie a DELETE must echo
            sessions = self.api("sessions")
        except OSError:
            return  # the server is gone (its log says why); nothing left to shut down
        xsrf = next((c.value for c in cookies if c.name == "_xsrf"), "")
        for session in sessions:
            request = urllib.request.Request(f"{self.url}/api/sessions/{session['id']}", method="DELETE",
                                             headers={"X-XSRFToken": xsrf})
            try:
                opener.open(request, timeout=30).close()
            except OSError:
                pass  # already gone; the server's own shutdown stops whatever is left

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(tmp: Path) -> dict:
    """The server's (and so the kernel's) environment: FAST mode, a fresh cache, private Jupyter folders."""
    env = dict(os.environ)
    for name in ("COURSE_STRICT", "NBGRADER_EXECUTION", "NBGRADER_VALIDATING", "MPLBACKEND", "JUPYTER_TOKEN",
                 "JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        env.pop(name, None)  # a student notebook must never raise on an unsolved exercise; the backend: below
    env["PATH"] = os.pathsep.join([str(VENV_BIN), env.get("PATH", "")])  # the kernel is this venv's python
    env["COURSE_FAST"] = "1"
    env["COURSE_GAME_ITEMS"] = "3"  # lab 01's round: 3 items keep the browser test short (learners get 10 or more)
    env["COURSE_DATA_DIR"] = str(tmp / "course-cache")
    for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                      ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
        env[name] = str(tmp / "jupyter" / sub)
    for folder in ("course-cache", "jupyter/config", "jupyter/data", "jupyter/runtime", "jupyter/ipython"):
        (tmp / folder).mkdir(parents=True, exist_ok=True)
    settings = tmp / "jupyter" / "config" / "lab" / "user-settings"  # JupyterLab's default settings folder
    for rel, values in LAB_USER_SETTINGS.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(values))
    (tmp / "jupyter" / "ipython" / "profile_default").mkdir(parents=True, exist_ok=True)
    (tmp / "jupyter" / "ipython" / "profile_default" / "ipython_kernel_config.py").write_text(KERNEL_CONFIG)
    return env


@contextmanager
def lab_server(tmp: Path) -> Iterator[LabServer]:
    """Start JupyterLab on a temporary copy of labs/ and stop it (and its kernels) afterwards."""
    root = tmp / "labs"
    shutil.copytree(LABS, root, ignore=shutil.ignore_patterns("outputs", ".ipynb_checkpoints"))
    env = server_env(tmp)
    port = free_port()
    cmd = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", "--IdentityProvider.token=", "--ServerApp.password=",
           f"--ServerApp.root_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # as `make lab` does
    log = tmp / "jupyter-server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    server = LabServer(f"http://127.0.0.1:{port}", root, log, process)
    try:
        _wait_until_up(server)
        yield server
    finally:
        _stop(process)
        _keep(log, "jupyter-server.log")


def _wait_until_up(server: LabServer) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if server.process.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {server.process.returncode} while starting:\n"
                        f"{server.log_tail()}", pytrace=False)
        try:
            server.api("status")
            return
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"JupyterLab did not answer at {server.url} within {SERVER_START_TIMEOUT} s:\n"
                        f"{server.log_tail()}", pytrace=False)
        time.sleep(0.25)  # polling interval, not a wait for something to happen


def _stop(process: subprocess.Popen) -> None:
    """Stop the server gracefully (it shuts its kernels down), then forcibly, including stray kernels."""
    try:
        import psutil  # ipykernel depends on it
        family = psutil.Process(process.pid).children(recursive=True)
    except Exception:  # noqa: BLE001 - without psutil, the process group is all we can stop
        family = []
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)  # jupyter server shuts its kernels down on SIGTERM
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)
    for child in family:  # kernels run in their own sessions, outside the server's process group
        try:
            child.kill()
        except Exception:  # noqa: BLE001 - already gone
            pass


def _keep(path: Path, name: str) -> Path | None:
    """Copy a file into test-artifacts/browser/ for debugging."""
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, ARTIFACTS / name)
        return ARTIFACTS / name
    except OSError:
        return None


# --------------------------------------------------------------------------------------------- the browser


def launch_chromium(playwright):
    """Debian's Chromium, headless, with a fresh profile (Playwright's own browser download is not used)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


class ConsoleLog:
    """What the page reported: console errors and warnings, and uncaught exceptions."""

    def __init__(self, page):
        self.lines: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.lines.append(f"[uncaught] {exc}"))

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.lines.append(f"[{message.type}] {message.text}")

    def save(self, name: str) -> None:
        try:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / f"{name}.console.log").write_text("\n".join(self.lines) + "\n")
        except OSError:
            pass


def screenshot(page, name: str, locator=None) -> Path | None:
    """Save a screenshot (of the page, or of one element) as test-artifacts/browser/<name>.png."""
    path = ARTIFACTS / f"{name}.png"
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        if locator is not None:
            locator.screenshot(path=str(path), timeout=10_000)
        else:
            page.screenshot(path=str(path), timeout=10_000)
        return path
    except Exception:  # noqa: BLE001 - a screenshot must never hide the test's own failure
        return None


def artifact_name(nodeid_name: str) -> str:
    """A file name from a test's name (parametrised ids included)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid_name).strip("_")


# -------------------------------------------------------------------------------------------- the notebook


def run_lab(page, server: LabServer, notebook: str, timeout: float | None = None) -> float:
    """What a learner does first: open the lab, Run > Run All Cells, and see no error. Fails the test with
    every problem a learner would see; returns the seconds Run All Cells took."""
    times, problems = _run(page, server, notebook, timeout)
    record_run_time(notebook, **times)
    _fail_on(problems, notebook)
    return times["run_all_s"]


def _run(page, server: LabServer, notebook: str, timeout: float | None) -> tuple[dict, list[str]]:
    """Open the lab, Run All Cells, and list the errors and cells that never ran; and how long each step took."""
    start = time.monotonic()
    open_notebook(page, server, notebook)
    opened = time.monotonic()
    elapsed = run_all_cells(page, server, notebook, timeout)
    problems = notebook_errors(page, server, notebook)
    strangers = [exe for exe in server.kernel_pythons() if Path(exe).parent != VENV_BIN]
    if strangers:
        problems.append(f"the notebook ran on {strangers[0]}, not on this virtualenv's Python ({VENV_BIN})")
    return {"open_s": opened - start, "run_all_s": elapsed}, problems


def _fail_on(problems: list[str], notebook: str) -> None:
    if problems:
        pytest.fail(f"Run All Cells in JupyterLab went wrong for {notebook} (FAST mode, `%matplotlib "
                    f"{MATPLOTLIB_BACKEND}`):\n" + "\n".join(f"  - {p}" for p in problems), pytrace=False)


def record_run_time(notebook: str, run_all_s: float, **steps: float) -> None:
    """Append a lab's Run All Cells time (and its other steps' times) to test-artifacts/browser/run-times.jsonl,
    and say it on stdout."""
    line = {"notebook": notebook, "run_all_s": round(run_all_s, 1), **{k: round(v, 1) for k, v in steps.items()},
            "backend": MATPLOTLIB_BACKEND, "fast": True, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    print(f"{notebook}: Run All Cells took {run_all_s:.1f} s in JupyterLab (FAST, %matplotlib {MATPLOTLIB_BACKEND}); "
          + ", ".join(f"{k} {v:.1f}" for k, v in steps.items()))
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with open(ARTIFACTS / "run-times.jsonl", "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
    except OSError:
        pass


def open_notebook(page, server: LabServer, notebook: str) -> None:
    """Open a notebook (relative to labs/) in a fresh JupyterLab workspace and wait until its kernel is idle."""
    workspace = re.sub(r"[^A-Za-z0-9]+", "-", notebook).strip("-")
    page.goto(f"{server.url}/lab/workspaces/{workspace}/tree/{notebook}", timeout=PAGE_TIMEOUT * 1000)
    try:
        page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(state="visible",
                                                                               timeout=PAGE_TIMEOUT * 1000)
    except PlaywrightTimeout as exc:
        pytest.fail(f"JupyterLab did not show {notebook} within {PAGE_TIMEOUT} s ({_short(exc)}); "
                    f"server log:\n{server.log_tail()}", pytrace=False)
    wait_for_kernel_idle(page, server, notebook, PAGE_TIMEOUT, "after opening the notebook")


def wait_for_kernel_idle(page, server: LabServer, notebook: str, timeout: float, when: str) -> None:
    """Wait until the server says the notebook's kernel is idle and the notebook's toolbar agrees."""
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        state = server.kernel_state(notebook)
        if state == "idle":
            break
        page.wait_for_timeout(250)  # polling interval: the server's state is not in the page
    else:
        pytest.fail(f"the kernel of {notebook} was not idle {when} within {timeout:.0f} s (the server says: "
                    f"{state or 'no kernel'}); server log:\n{server.log_tail()}", pytrace=False)
    remaining = max(1.0, deadline - time.monotonic())
    if not _waits(lambda: page.wait_for_function(
            f"() => {{ const p = {CURRENT_PANEL}; const i = p && p.querySelector('.jp-Notebook-ExecutionIndicator');"
            " return i && i.dataset.status === 'idle'; }", timeout=remaining * 1000)):
        pytest.fail(f"the kernel of {notebook} is idle {when}, but JupyterLab's notebook toolbar does not show it "
                    f"as idle within {timeout:.0f} s", pytrace=False)


def code_prompts(page) -> list[str]:
    """The input prompts of the notebook's code cells, in order: '[ ]:', '[*]:' or '[7]:'."""
    return page.evaluate(f"() => [...({CURRENT_PANEL}).querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
                         ".map(p => p.textContent.trim())")


def code_first_lines(page) -> list[str]:
    """The first non-blank line of each code cell's source, as shown in the page."""
    return page.evaluate(
        f"""() => [...({CURRENT_PANEL}).querySelectorAll('.jp-CodeCell .jp-InputArea-editor')].map(e =>
            ([...e.querySelectorAll('.cm-line')].map(l => l.textContent.trim()).find(t => t) || ''))""")


def click_menu(page, menu: str, label: str | None = None, command: str | None = None) -> None:
    """Click a main-menu item, by its label (what a learner reads) or by its JupyterLab command id."""
    page.locator(".lm-MenuBar-item", has=page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(
        rf"^{re.escape(menu)}$"))).click()
    if label is not None:
        item = page.locator(f".lm-Menu-item:has(.lm-Menu-itemLabel:text-is({json.dumps(label)}))")
    else:
        item = page.locator(f'.lm-Menu-item[data-command="{command}"]')
    item.first.click()


def run_all_cells(page, server: LabServer, notebook: str, timeout: float | None = None) -> float:
    """Run > Run All Cells, then wait until no cell is running or queued and the kernel is idle.

    Returns the seconds it took. A cell that raises stops the run (later cells keep an empty prompt);
    `notebook_errors` then says which one and why.
    """
    timeout = timeout or RUN_ALL_TIMEOUT
    before = code_prompts(page)
    assert before, f"{notebook} shows no code cells"
    start = time.monotonic()
    click_menu(page, "Run", label="Run All Cells")
    # Done: the first code cell has a new execution count, no cell is [*] and the toolbar says idle.
    finished = _waits(lambda: page.wait_for_function(
        f"""(before) => {{
            const p = {CURRENT_PANEL}; if (!p) return false;
            const prompts = [...p.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim());
            const indicator = p.querySelector('.jp-Notebook-ExecutionIndicator');
            return prompts.length > 0 && prompts[0] !== before && /\\d/.test(prompts[0])
                && !prompts.some(t => t.includes('*'))
                && indicator !== null && indicator.dataset.status === 'idle';
        }}""", arg=before[0], timeout=timeout * 1000))
    if not finished:
        prompts = code_prompts(page)
        busy = [n for n, p in enumerate(prompts, 1) if "*" in p]
        if busy:
            lines = code_first_lines(page)
            state = (f"code cell {busy[0]} of {len(prompts)} (`{lines[busy[0] - 1][:60]}`) was still running"
                     f" and {len(busy) - 1} more were queued")
        else:
            state = f"no cell shows [*] but the kernel is not idle; prompts: {' '.join(prompts)}"
        pytest.fail(f"{notebook} had not finished {timeout:.0f} s after Run All Cells: {state}", pytrace=False)
    wait_for_kernel_idle(page, server, notebook, ACTION_TIMEOUT, "after Run All Cells")
    return time.monotonic() - start


def save_notebook(page, server: LabServer, notebook: str) -> dict:
    """File > Save, wait until the tab is no longer marked unsaved, and return the saved notebook's JSON."""
    click_menu(page, "File", command="docmanager:save")
    if not _waits(lambda: page.wait_for_function(
            "() => { const tabs = document.querySelectorAll('#jp-main-dock-panel .lm-TabBar-tab');"
            " return tabs.length > 0 && ![...tabs].some(t => t.classList.contains('jp-mod-dirty')); }",
            timeout=ACTION_TIMEOUT * 1000)):
        pytest.fail(f"File > Save did not save {notebook} within {ACTION_TIMEOUT} s (its tab still shows unsaved "
                    f"changes); server log:\n{server.log_tail()}", pytrace=False)
    return json.loads(server.path(notebook).read_text(encoding="utf-8"))


def notebook_errors(page, server: LabServer, notebook: str) -> list[str]:
    """What went wrong, as a learner would report it: each error output and each cell that never ran, plus
    outputs JupyterLab could not render. Saves the notebook (in the server's temporary copy) to read them."""
    nb = save_notebook(page, server, notebook)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    problems, never_ran = [], []
    for n, cell in enumerate(code, 1):
        source = "".join(cell.get("source", ""))
        first = next((line.strip() for line in source.splitlines() if line.strip()), "")
        where = f"code cell {n} of {len(code)} (In [{cell.get('execution_count') or ' '}], `{first[:60]}`)"
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"{where} raised {out.get('ename')}: {strip_ansi(out.get('evalue', ''))}")
        if cell.get("execution_count") is None and source.strip():
            never_ran.append(n)
    if never_ran:
        problems.append(f"{len(never_ran)} code cell(s) never ran (Run All Cells stopped early): "
                        f"{', '.join(map(str, never_ran))}")
    problems += [f"code cell {n}: JupyterLab could not display an output: {text[:300]}"
                 for n, text in rendering_errors(page)]
    return problems


def rendering_errors(page) -> list[tuple[int, str]]:
    """Outputs that JupyterLab or the widget manager failed to render: (code cell number, message)."""
    return page.evaluate(
        f"""() => {{
            const found = [];
            const cells = [...({CURRENT_PANEL}).querySelectorAll('.jp-CodeCell')];
            cells.forEach((cell, i) => {{
                for (const out of cell.querySelectorAll('.jp-OutputArea-output')) {{
                    const text = out.textContent || '';
                    if (/Javascript Error|Error displaying widget|Error rendering output|Failed to load model class|No renderer could be found/.test(text))
                        found.push([i + 1, text.trim()]);
                }}
            }});
            return found;
        }}""")


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def cell_output(page, code: str) -> str:
    """What the first code cell whose source contains `code` shows as output (for failure messages)."""
    text = page.evaluate(
        f"""(code) => {{
            const cell = [...({CURRENT_PANEL}).querySelectorAll('.jp-CodeCell')]
                .find(c => (c.querySelector('.jp-InputArea-editor')?.textContent || '').includes(code));
            if (!cell) return null;
            return (cell.querySelector('.jp-OutputArea')?.innerText || '').trim();
        }}""", code)
    if text is None:
        return f"(no code cell contains {code!r})"
    return repr(text[:300]) if text else "(no output)"


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


# --------------------------------------------------------------------------------------------- a whole lab


def check_lab(page, server: LabServer, notebook: str, timeout: float | None = None) -> float:
    """Run a lab as a learner does and check all they see: no error and no cell left unrun; each exercise's
    check reached and passed over (the student version's `NotImplementedError` becomes a "not yet" hint, so the
    lab runs past it); every widget, matplotlib figure, plotly figure, image and clip rendered; a figure pans.
    Fails the test listing every problem; returns the seconds Run All Cells took."""
    times, problems = _run(page, server, notebook, timeout)
    start = time.monotonic()
    if not problems:  # after an error, later cells never ran: their outputs are not worth checking
        saved = json.loads(server.path(notebook).read_text(encoding="utf-8"))
        problems = exercise_problems(saved) + output_problems(page, saved)
        times["outputs_s"] = time.monotonic() - start
        if not problems:
            problems = figure_problems(page)
            times["figure_s"] = time.monotonic() - start - times["outputs_s"]
    record_run_time(notebook, **times)
    _fail_on(problems, notebook)
    return times["run_all_s"]


def exercise_problems(nb: dict) -> list[str]:
    """Each graded check of a student version must have failed on the unfinished exercise's
    NotImplementedError and printed the "not yet" hint; of a solution, it must have passed."""
    from course_lib import grading

    not_done = grading._message(NotImplementedError())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    student = any("raise NotImplementedError" in "".join(c.get("source", "")) for c in code
                  if c.get("metadata", {}).get("nbgrader", {}).get("solution"))
    problems = []
    for n, cell in enumerate(code, 1):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade") or meta.get("solution"):
            continue
        text = "".join("".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        where = f"code cell {n} (the check {meta.get('grade_id')})"
        if student and not_done not in text:
            problems.append(f"{where} should say the exercise is not done yet ({not_done!r}) on the untouched "
                            f"student version, but shows: {text.strip()[:200] or '(nothing)'!r}")
        elif not student and "✓" not in text:
            problems.append(f"{where} does not pass on the solution: {text.strip()[:200] or '(nothing)'!r}")
    return problems


# A drawn plotly trace: plotly.js gives most trace groups the class "trace", but a heat map's group is "hm".
PLOTLY_TRACES = ".trace, .hm, .imagelayer image"

# For each code cell: its outputs as JupyterLab shows them, and what each is.
_OUTPUTS_JS = f"""() => [...({CURRENT_PANEL}).querySelectorAll('.jp-CodeCell')].map(cell =>
    [...cell.querySelectorAll('.jp-OutputArea-output')].map(out => {{
        const root = out.querySelector('.jupyter-matplotlib, .jupyter-widgets');
        const box = root && root.getBoundingClientRect();
        return {{widget: !!root, shown: !!box && box.width > 0 && box.height > 0,
                plotly: out.classList.contains('jp-RenderedPlotly'),
                plotted: out.querySelectorAll('.main-svg').length > 0 && out.querySelectorAll({PLOTLY_TRACES!r}).length > 0}};
    }}))"""

# Every visible matplotlib canvas (ipympl) shows a drawing, every visible <img> is decoded and every visible
# <video>/<audio> has loaded its metadata or failed: the cells (1-based) where something is still missing.
_PENDING_JS = f"""() => {{
    const visible = e => e.offsetParent !== null;
    const probe = document.createElement('canvas');  // a thumbnail of each figure is read, not the figure
    probe.width = probe.height = 64;
    const thumb = probe.getContext('2d', {{willReadFrequently: true}});
    const drawn = c => {{
        if (!c.width || !c.height) return false;
        thumb.clearRect(0, 0, 64, 64);
        thumb.drawImage(c, 0, 0, 64, 64);
        const d = thumb.getImageData(0, 0, 64, 64).data;
        for (let i = 4; i < d.length; i += 4) if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) return true;
        return false;
    }};
    const pending = {{figures: [], images: [], media: []}};
    [...({CURRENT_PANEL}).querySelectorAll('.jp-CodeCell')].forEach((cell, i) => {{
        for (const c of cell.querySelectorAll('.jupyter-matplotlib-canvas-div canvas:first-child'))
            if (visible(c) && !drawn(c)) pending.figures.push(i + 1);
        for (const img of cell.querySelectorAll('.jp-OutputArea-output img'))
            if (visible(img) && !(img.complete && img.naturalWidth > 0)) pending.images.push(i + 1);
        for (const m of cell.querySelectorAll('.jp-OutputArea-output video, .jp-OutputArea-output audio'))
            if (visible(m) && !((m.readyState >= 1 && m.duration > 0) || m.error)) pending.media.push(i + 1);
    }});
    return pending;
}}"""

_MEDIA_ERRORS_JS = f"""() => [...({CURRENT_PANEL}).querySelectorAll('.jp-CodeCell')].flatMap((cell, i) =>
    [...cell.querySelectorAll('.jp-OutputArea-output video, .jp-OutputArea-output audio')]
        .filter(m => m.error).map(m => [i + 1, m.tagName.toLowerCase(), m.error.code]))"""


def output_problems(page, nb: dict, timeout: float = ACTION_TIMEOUT) -> list[str]:
    """Outputs the saved notebook holds that the page does not show: a widget (ipywidgets, an ipympl figure)
    or a plotly figure not rendered, a figure never drawn, an image not decoded, a clip that does not load."""
    widget_mime, plotly_mime = "application/vnd.jupyter.widget-view+json", "application/vnd.plotly.v1+json"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    problems = []
    _waits(lambda: page.wait_for_function(  # plotly draws asynchronously after the output appears
        f"() => [...({CURRENT_PANEL}).querySelectorAll('.jp-RenderedPlotly')].every(o => o.querySelector({PLOTLY_TRACES!r}))",
        polling=POLL_MS, timeout=timeout * 1000))
    shown = page.evaluate(_OUTPUTS_JS)
    for n, (cell, outs) in enumerate(zip(code, shown), 1):
        data = [o.get("data", {}) for o in cell.get("outputs", []) if o.get("output_type") in ("display_data",
                                                                                              "execute_result")]
        for kind, wanted, rendered in (
                ("widget", sum(widget_mime in d for d in data), sum(o["widget"] and o["shown"] for o in outs)),
                ("plotly figure", sum(plotly_mime in d and widget_mime not in d for d in data),
                 sum(o["plotly"] and o["plotted"] for o in outs))):
            if rendered < wanted:
                problems.append(f"code cell {n} displays {wanted} {kind}(s) but the page shows {rendered} "
                                f"rendered: {strip_ansi(_cell_text(page, n))[:200]!r}")
    pending = {}
    if not _waits(lambda: page.wait_for_function(
            f"() => {{ const p = ({_PENDING_JS})(); return Object.values(p).every(v => v.length === 0); }}",
            polling=POLL_MS, timeout=timeout * 1000)):
        pending = page.evaluate(_PENDING_JS)
    for key, what in (("figures", "a matplotlib figure (ipympl canvas) stayed blank"),
                      ("images", "an image did not load"), ("media", "a clip did not load its metadata")):
        for n in sorted(set(pending.get(key, []))):
            problems.append(f"code cell {n}: {what} within {timeout:.0f} s")
    problems += [f"code cell {n}: the <{tag}> does not play in Chromium (MediaError code {code_})"
                 for n, tag, code_ in page.evaluate(_MEDIA_ERRORS_JS)]
    return problems


def _cell_text(page, n: int) -> str:
    return page.evaluate(f"(n) => (({CURRENT_PANEL}).querySelectorAll('.jp-CodeCell')[n - 1]"
                         ".querySelector('.jp-OutputArea')?.innerText || '').trim()", n)


def figure_problems(page) -> list[str]:
    """The lab's first matplotlib figure answers the mouse through the kernel: with its pan tool, a drag
    redraws it (the widget backend's round trip). Empty when it does, or when the lab draws no figure."""
    figures = page.locator(".jp-OutputArea-output .jupyter-matplotlib")
    if figures.count() == 0:
        return []
    problem = pan_figure(figures.first)
    return [] if problem is None else [f"the first matplotlib figure does not respond to the mouse: {problem}"]


def pan_figure(figure, dx: int = 60, dy: int = 30) -> str | None:
    """Choose an ipympl figure's pan tool and drag inside one of its axes: None once the canvas shows new
    pixels, else what went wrong. The kernel says where the pointer is in data coordinates (the footer's
    "(x, y) = ..."), so points across the figure are tried until one lies inside an axes."""
    page = figure.page
    figure.scroll_into_view_if_needed()
    canvas = figure.locator(".jupyter-matplotlib-canvas-div canvas").first
    footer = figure.locator(".jupyter-matplotlib-footer")
    figure.hover()  # the toolbar fades in on hover
    figure.locator("button.jupyter-matplotlib-button[title^='Left button pans']").click()
    # The part of the canvas a learner can reach: a wide figure is clipped by the output area.
    box = figure.evaluate("""f => {
        const c = f.querySelector('.jupyter-matplotlib-canvas-div').getBoundingClientRect();
        const o = f.closest('.jp-OutputArea-output').getBoundingClientRect();
        const x = Math.max(c.left, o.left), y = Math.max(c.top, o.top);
        return {x, y, width: Math.min(c.right, o.right) - x, height: Math.min(c.bottom, o.bottom) - y};
    }""")
    # Halves, thirds and sixths are where a grid of axes has its gaps (a 4×6 frame grid has none of these points
    # inside an axes), so points off those lines follow.
    for fx, fy in ((0.5, 0.5), (0.3, 0.5), (0.7, 0.5), (0.15, 0.5), (0.85, 0.5), (0.5, 0.3), (0.5, 0.7),
                   (0.42, 0.42), (0.58, 0.58), (0.42, 0.58), (0.58, 0.42), (0.25, 0.38), (0.75, 0.62)):
        x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
        page.mouse.move(x - 3, y)
        page.mouse.move(x, y)
        if not _waits(lambda: page.wait_for_function("f => /\\(x, y\\) =|x=/.test(f.textContent || '')",
                                                     arg=footer.element_handle(), polling=POLL_MS, timeout=5000)):
            continue  # not over an axes (or the kernel is slow): the next point
        before = canvas.evaluate("c => c.toDataURL()")
        page.mouse.down()
        for step in range(1, 6):  # a learner's drag: a few moves, each one the kernel can answer
            page.mouse.move(x + dx * step / 5, y + dy * step / 5)
            page.wait_for_timeout(100)
        page.mouse.up()
        if _waits(lambda: page.wait_for_function("([c, old]) => c.toDataURL() !== old",
                                                 arg=[canvas.element_handle(), before], polling=POLL_MS,
                                                 timeout=2 * ACTION_TIMEOUT * 1000)):
            return None
        return (f"a drag with the pan tool inside an axes (the kernel reported {footer.inner_text().strip()!r}) "
                f"did not redraw it within {2 * ACTION_TIMEOUT} s")
    return ("the kernel never reported the pointer's position (the figure's footer stayed "
            f"{footer.inner_text().strip()!r}) while it moved over the figure: is ipympl's front end connected?")


def notebook_screenshot(page, name: str, max_height: int = 6000) -> Path | None:
    """Save the whole notebook (all its cells and outputs, not only the part on screen) as one picture,
    test-artifacts/browser/<name>-notebook.jpg: the page is made tall, scrolled through and stitched."""
    path = ARTIFACTS / f"{name}-notebook.jpg"
    viewport = page.viewport_size
    scroller = f"({CURRENT_PANEL}).querySelector('.jp-WindowedPanel-outer')"
    try:
        from PIL import Image

        total = page.evaluate(f"() => {scroller}.scrollHeight")
        page.set_viewport_size({"width": viewport["width"], "height": max_height})
        view = page.evaluate(f"() => {scroller}.clientHeight")
        tiles, top = [], 0
        while top < total:
            page.evaluate(f"(y) => {{ {scroller}.scrollTop = y; }}", top)
            page.wait_for_timeout(200)  # let the page paint at the new scroll position
            shot = page.locator(f"{_panel_selector()} .jp-WindowedPanel-outer").screenshot(timeout=20_000)
            tiles.append((page.evaluate(f"() => {scroller}.scrollTop"), Image.open(io.BytesIO(shot))))
            top += view
        width = max(tile.width for _, tile in tiles)
        sheet = Image.new("RGB", (width, max(y + tile.height for y, tile in tiles)), "white")
        for y, tile in tiles:  # the last tile may overlap the one before it: it is pasted at its real offset
            sheet.paste(tile.convert("RGB"), (0, y))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        sheet.save(path, quality=70)
        return path
    except Exception:  # noqa: BLE001 - a screenshot must never hide the test's own failure
        return None
    finally:
        page.set_viewport_size(viewport)


def _panel_selector() -> str:
    return ".jp-NotebookPanel:not(.lm-mod-hidden)"


# ---------------------------------------------------------------------------------------------- ipywidgets


def one_widget(page, css: str, call: str):
    """The one widget with CSS class `css`, scrolled into view; fails the test, showing what the cell that
    makes it (the first whose code contains `call`) printed, when there is not exactly one."""
    widget = page.locator(f".{css}")
    if widget.count() != 1:
        pytest.fail(f"the {css.replace('-', ' ')} did not appear ({widget.count()} elements with class {css}); the "
                    f"cell that calls {call.rstrip('(')} shows: {cell_output(page, call)}", pytrace=False)
    widget.scroll_into_view_if_needed()
    return widget


def slider(container, description: str):
    """The ipywidgets slider in `container` whose description is exactly `description`."""
    label = container.page.locator(".widget-label", has_text=re.compile(rf"^\s*{re.escape(description)}\s*$"))
    return container.locator(".widget-slider", has=label)


def press_slider(slider, key: str, times: int = 1) -> tuple[str, str] | None:
    """Focus a slider's handle and press a key; return its (old, new) readout once it moved, or None."""
    handle = slider.locator(".noUi-handle")
    old, shown = handle.get_attribute("aria-valuenow"), slider.locator(".widget-readout").inner_text().strip()
    handle.focus()
    for _ in range(times):
        handle.press(key)
    if not _waits(lambda: slider.page.wait_for_function(
            "([h, old]) => h.getAttribute('aria-valuenow') !== old", arg=[handle.element_handle(), old],
            timeout=ACTION_TIMEOUT * 1000)):
        return None
    return shown, slider.locator(".widget-readout").inner_text().strip()


def image_src(image, timeout: float = ACTION_TIMEOUT) -> str | None:
    """The src of an <img> once it is visible and decoded from a blob: or data: URL, or None."""
    if not _waits(lambda: image.wait_for(state="visible", timeout=timeout * 1000)):
        return None
    if not _waits(lambda: image.page.wait_for_function(
            "img => /^(blob|data):/.test(img.getAttribute('src') || '') && img.complete && img.naturalWidth > 0",
            arg=image.element_handle(), timeout=timeout * 1000)):
        return None
    return image.get_attribute("src")


def new_image_src(image, old: str, timeout: float = ACTION_TIMEOUT) -> str | None:
    """The src of an <img> once it shows a new, decoded picture (a src other than `old`), or None."""
    if not _waits(lambda: image.page.wait_for_function(
            "([img, old]) => (img.getAttribute('src') || '') !== old && img.complete && img.naturalWidth > 0",
            arg=[image.element_handle(), old], timeout=timeout * 1000)):
        return None
    return image.get_attribute("src")


def media_state(media, timeout: float = ACTION_TIMEOUT) -> dict | None:
    """Once a <video> or <audio> has loaded its metadata or failed: {'duration': s, 'error': MediaError code}."""
    media.scroll_into_view_if_needed()
    result = {}

    def loaded():
        result["state"] = media.page.wait_for_function(
            "m => (m.readyState >= 1 && m.duration > 0) || m.error"
            " ? {duration: m.duration, error: m.error ? m.error.code : null} : null",
            arg=media.element_handle(), timeout=timeout * 1000).json_value()

    return result["state"] if _waits(loaded) else None


def plays(media, seconds: float = 0.5, timeout: float = ACTION_TIMEOUT) -> str | None:
    """Play a <video> or <audio> muted until `seconds` have played, then pause it: None if it played, else why not."""
    started = media.evaluate("async m => { m.muted = true; try { await m.play(); return null; }"
                             " catch (e) { return String(e); } }")
    if started:
        return f"play() failed: {started}"
    ok = _waits(lambda: media.page.wait_for_function(
        "([m, s]) => m.currentTime >= s || m.error", arg=[media.element_handle(), seconds], timeout=timeout * 1000))
    state = media.evaluate("m => { m.pause(); return {time: m.currentTime, error: m.error && m.error.code}; }")
    if state["error"]:
        return f"MediaError code {state['error']} while playing"
    return None if ok else f"it stalled at {state['time']:.2f} s"


def text_matching(locator, pattern: str, timeout: float = ACTION_TIMEOUT) -> str | None:
    """The visible text of an element once it matches a regular expression (JavaScript syntax), or None."""
    if not _waits(lambda: locator.page.wait_for_function(
            "([e, p]) => new RegExp(p).test(e.innerText || '')", arg=[locator.element_handle(), pattern],
            timeout=timeout * 1000)):
        return None
    return locator.inner_text().strip()


def widget_hidden(locator) -> bool:
    """True when an ipywidget is hidden by its layout (display: none) or not in the page at all."""
    return locator.count() == 0 or locator.evaluate("e => getComputedStyle(e).display === 'none'")


def _waits(action) -> bool:
    """Run a Playwright wait; False if it timed out."""
    try:
        action()
        return True
    except PlaywrightTimeout:
        return False
