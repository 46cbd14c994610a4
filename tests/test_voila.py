"""Lab 01's real-or-fake game as a Voila app (deploy/voila/): a room plays it in a browser without seeing code.

The app is served the way Binder would serve it (the Binder environment, through binder/start, so in FAST
mode), by `voila` on the loopback address, with a class folder set as a hub would set it. Debian's Chromium
(through Playwright, as the browser tests drive it) loads the page, starts the round, answers one item, and
the answer must land in the class folder, where `python -m course_lib baseline report` pools the room.
"""
import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

import browser_helpers as bh

APP = Path("deploy") / "voila" / "real_or_fake.ipynb"
PAGE_TIMEOUT = 240  # seconds: Voila starts a kernel and makes the round (a few seconds idle; CI may be busy)


@pytest.fixture
def browser_ready():
    reason = bh.unavailable()
    if reason and os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"the Voila test must run here (COURSE_REQUIRE_BROWSER=1) but cannot: {reason}")
    if reason:
        pytest.skip(reason)


def wait_for_page(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            pytest.fail(f"voila exited with code {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=5).close()  # voila answers once it listens
            return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"voila did not answer at {url} within 60 s:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)  # polling interval


@pytest.mark.slow
@pytest.mark.browser
def test_the_voila_game_plays_an_answer_into_the_class_folder(binder, browser_ready, tmp_path):
    from playwright.sync_api import sync_playwright

    assert (binder.venv / "bin" / "voila").exists(), "voila is not in the Binder environment (binder/requirements.txt)"
    port, log, room = bh.free_port(), tmp_path / "voila.log", tmp_path / "class"
    room.mkdir()
    env = binder.env(COURSE_DATA_DIR=str(tmp_path / "cache"), COURSE_CLASS_DIR=str(room), COURSE_GAME_ITEMS="3")
    cmd = [str(binder.repo / "binder" / "start"), str(binder.venv / "bin" / "voila"), str(APP), "--no-browser",
           f"--port={port}", "--Voila.ip=127.0.0.1"]
    url = f"http://127.0.0.1:{port}/"
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, cwd=binder.repo, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_page(url, process, log)
        with sync_playwright() as playwright:
            browser = bh.launch_chromium(playwright)
            try:
                page = browser.new_page(viewport=bh.VIEWPORT)
                page.set_default_timeout(bh.ACTION_TIMEOUT * 1000)
                page.goto(url, timeout=PAGE_TIMEOUT * 1000)
                start = page.locator(".rof-start")
                start.wait_for(state="visible", timeout=PAGE_TIMEOUT * 1000)
                assert "course_lib" not in page.inner_text("body"), "the app shows its code; Voila should hide it"
                start.click()
                page.locator(".rof-image img, img.rof-image").first.wait_for(state="visible")
                before = page.locator(".rof-progress").inner_text()
                page.locator(".rof-fake").click()
                page.wait_for_function("([sel, old]) => document.querySelector(sel).innerText !== old",
                                       arg=[".rof-progress", before])
                bh.screenshot(page, "voila_real_or_fake")
            finally:
                browser.close()
        deadline = time.monotonic() + 30
        while not (sessions := sorted(room.glob("**/session-*.json"))) and time.monotonic() < deadline:
            time.sleep(0.25)  # the kernel saves the answer right after the click
        assert sessions, f"the answer did not reach the class folder {room}; voila's log:\n" \
                         f"{log.read_text(errors='replace')[-3000:]}"
        record = json.loads(sessions[0].read_text())["sessions"][0]
        assert len(record["answers"]) == 1 and record["answers"][0]["guess_fake"] is True
    finally:
        bh._stop(process)
