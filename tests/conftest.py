"""Shared test set-up: FAST mode, strict exercise checks, an isolated data cache, no display, shared lab runs."""
import os

import pytest

# Set before any course_lib import, so module-level FAST flags and matplotlib see them.
os.environ.setdefault("COURSE_FAST", "1")
os.environ.setdefault("COURSE_STRICT", "1")  # a failing exercise check raises instead of printing a hint
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own empty course cache, so nothing touches the user's real one."""
    cache = tmp_path_factory.mktemp("course-cache")
    monkeypatch.setenv("COURSE_DATA_DIR", str(cache))
    monkeypatch.delenv("COURSE_CLASS_DIR", raising=False)  # nor a hub's class folder
    return cache


@pytest.fixture(scope="session")
def lab_runs(tmp_path_factory, pytestconfig):
    """Each lab's nbgrader round trip, run on first use and shared by every test of the session."""
    from notebook_runs import LabRuns  # tests/notebook_runs.py: pytest puts tests/ on sys.path

    return LabRuns(tmp_path_factory, pytestconfig)


@pytest.fixture(scope="session")
def binder(tmp_path_factory, pytestconfig):
    """The environment binder/ describes, built without Docker, with the repository copied in and postBuild run
    (tests/classroom_envs.py); shared by the Binder and Voila tests."""
    import classroom_envs

    return classroom_envs.binder_image(tmp_path_factory.mktemp("binder-home"), pytestconfig)


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory):
    """One JupyterLab for every browser test of the session (tests/browser_helpers.py says how it is isolated)."""
    import browser_helpers as bh

    reason = bh.unavailable()
    if reason and os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"the browser test must run here (COURSE_REQUIRE_BROWSER=1, set by `make test` where apt-get "
                    f"exists) but cannot: {reason}")
    if reason:
        pytest.skip(reason)
    with bh.lab_server(tmp_path_factory.mktemp("jupyterlab")) as server:
        yield server


@pytest.fixture(scope="module")
def chromium(jupyterlab):
    """Debian's Chromium, headless, shared by a test module's browser tests. Module scope, not session: Playwright's
    sync API keeps an asyncio loop running while it is open, and later tests that run their own loop (the
    JupyterHub test's kernel client) would find it "already running"."""
    from playwright.sync_api import sync_playwright

    import browser_helpers as bh

    with sync_playwright() as playwright:
        browser = bh.launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture()
def lab_page(chromium, jupyterlab, request):
    """A fresh browser tab; afterwards (pass or fail) its screenshot and console log go to test-artifacts/browser/
    and the server's kernels are shut down, so a finished lab holds no memory while the next one runs."""
    import browser_helpers as bh

    context = chromium.new_context(viewport=bh.VIEWPORT)
    context.set_default_timeout(bh.ACTION_TIMEOUT * 1000)
    tab = context.new_page()
    console = bh.ConsoleLog(tab)
    name = bh.artifact_name(request.node.name)
    try:
        yield tab
    finally:
        bh.screenshot(tab, name)
        bh.notebook_screenshot(tab, name)
        console.save(name)
        context.close()
        jupyterlab.shut_down_kernels()
