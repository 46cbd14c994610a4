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
"""
from __future__ import annotations

import importlib.util
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
RUN_ALL_TIMEOUT = 180  # seconds: a whole lab in FAST mode
ACTION_TIMEOUT = 30  # seconds: any single click, key press or re-render

LAB_USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(tmp: Path) -> dict:
    """The server's (and so the kernel's) environment: FAST mode, a fresh cache, private Jupyter folders."""
    env = dict(os.environ)
    for name in ("COURSE_STRICT", "NBGRADER_EXECUTION", "NBGRADER_VALIDATING", "MPLBACKEND", "JUPYTER_TOKEN",
                 "JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        env.pop(name, None)  # a student notebook must never raise on an unsolved exercise; plots inline
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


def run_lab(page, server: LabServer, notebook: str) -> float:
    """What a learner does first: open the lab, Run > Run All Cells, and see no error. Fails the test with
    every problem a learner would see; returns the seconds Run All Cells took."""
    open_notebook(page, server, notebook)
    elapsed = run_all_cells(page, server, notebook)
    problems = notebook_errors(page, server, notebook)
    if problems:
        pytest.fail(f"Run All Cells in JupyterLab went wrong for {notebook}:\n"
                    + "\n".join(f"  - {p}" for p in problems), pytrace=False)
    strangers = [exe for exe in server.kernel_pythons() if Path(exe).parent != VENV_BIN]
    if strangers:
        pytest.fail(f"{notebook} ran on {strangers[0]}, not on this virtualenv's Python ({VENV_BIN})", pytrace=False)
    return elapsed


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


# ---------------------------------------------------------------------------------------------- ipywidgets


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
