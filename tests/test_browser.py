"""The labs work in a real browser: JupyterLab in Debian's Chromium, driven by Playwright.

What nbclient (test_notebooks.py) cannot see is checked here: the notebook runs from JupyterLab's own
Run > Run All Cells, the widgets render (the ipywidgets front end is installed and talks to the kernel), they
respond to input, and media outputs appear. One JupyterLab serves every test of this module, on a temporary
copy of labs/ (see browser_helpers for how it is isolated). Each test saves a screenshot, whether it passes
or fails, as test-artifacts/browser/<test name>.png, with the page's console errors next to it; the server
log is kept as test-artifacts/browser/jupyter-server.log.

Skipped when /usr/bin/chromium or Playwright is missing (`make test` installs both).

To test another lab, add a test that takes `lab` and `page` (a fresh browser tab), calls
`bh.run_lab(page, lab, "<lab>/<lab>.ipynb")` (open it, Run All Cells, fail on any error), then drives the
lab's own widgets with the helpers in browser_helpers (slider, press_slider, image_src, new_image_src,
media_state, screenshot).
"""
import json
import os
import re

import pytest

import browser_helpers as bh  # tests/browser_helpers.py (pytest puts tests/ on sys.path)

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.timeout(420, method="signal")]  # a hung browser still gets its teardown

WELCOME = "00_welcome/00_welcome.ipynb"
DEEPFAKE = "01_what_is_a_deepfake/01_what_is_a_deepfake.ipynb"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab on a temporary copy of labs/, shut down (kernels included) after the module."""
    reason = bh.unavailable()
    if reason and os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"the browser test must run here (COURSE_REQUIRE_BROWSER=1, set by `make test` where apt-get "
                    f"exists) but cannot: {reason}")
    if reason:
        pytest.skip(reason)
    with bh.lab_server(tmp_path_factory.mktemp("jupyterlab")) as server:
        yield server


@pytest.fixture(scope="module")
def browser(lab):
    """Debian's Chromium, headless, shared by the module's tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = bh.launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def page(browser, request):
    """A fresh browser tab; afterwards (pass or fail) its screenshot and console log go to test-artifacts/."""
    context = browser.new_context(viewport=bh.VIEWPORT)
    context.set_default_timeout(bh.ACTION_TIMEOUT * 1000)
    tab = context.new_page()
    console = bh.ConsoleLog(tab)
    name = bh.artifact_name(request.node.name)
    try:
        yield tab
    finally:
        bh.screenshot(tab, name)
        console.save(name)
        context.close()


def test_welcome_lab_runs_and_face_explorer_responds(lab, page, request):
    elapsed = bh.run_lab(page, lab, WELCOME)  # open it, Run All Cells, no error, this venv's kernel
    request.node.user_properties.append(("run_all_s", round(elapsed, 1)))

    explorer = page.locator(".face-explorer")
    if explorer.count() != 1:
        pytest.fail(f"the face explorer did not appear ({explorer.count()} elements with class face-explorer); "
                    f"the cell that calls face_explorer shows: {bh.cell_output(page, 'face_explorer(')}", pytrace=False)
    explorer.scroll_into_view_if_needed()
    image = explorer.locator("img.face-explorer-image")
    before = bh.image_src(image)
    if before is None:
        pytest.fail("the face explorer shows no picture: its <img class=face-explorer-image> did not become "
                    f"visible with a decoded blob:/data: image (src={image.get_attribute('src')!r})", pytrace=False)

    smile = bh.slider(explorer, "smile")
    if smile.count() != 1:
        pytest.fail("the face explorer has no slider labelled 'smile'", pytrace=False)
    moved = bh.press_slider(smile, "ArrowRight", times=3)  # one step (0.1) each
    if moved is None:
        pytest.fail("the smile slider did not move when its handle was focused and ArrowRight pressed 3 times",
                    pytrace=False)
    if bh.new_image_src(image, before) is None:
        pytest.fail(f"the face explorer did not re-render after moving the smile slider from {moved[0]} to "
                    f"{moved[1]}: the picture stayed the same for {bh.ACTION_TIMEOUT} s (is the kernel connected?)",
                    pytrace=False)
    bh.screenshot(page, bh.artifact_name(request.node.name) + "-face-explorer", explorer)

    video = page.locator(".jp-OutputArea-output video")
    if video.count() != 1:
        pytest.fail(f"the talking clip should appear as one <video>, found {video.count()}; the cell that shows it "
                    f"shows: {bh.cell_output(page, 'show_video(')}", pytrace=False)
    source = video.locator("source").first.get_attribute("src") or ""
    assert source.startswith("data:video/mp4;base64,"), f"the talking clip has no embedded mp4 ({source[:40]!r})"
    state = bh.media_state(video)
    assert state is not None, f"Chromium did not load the talking clip within {bh.ACTION_TIMEOUT} s"
    assert not state["error"], f"the talking clip does not play in Chromium (MediaError code {state['error']})"
    assert state["duration"] > 0, f"the talking clip has no duration in Chromium ({state})"
    problem = bh.plays(video, seconds=0.5)
    assert problem is None, f"the talking clip does not play in Chromium: {problem}"


def test_what_is_a_deepfake_clips_play_and_the_game_scores_three_rounds(lab, page, request):
    elapsed = bh.run_lab(page, lab, DEEPFAKE)
    request.node.user_properties.append(("run_all_s", round(elapsed, 1)))

    gallery = page.locator(".clip-gallery").first
    videos = gallery.locator("video")
    if videos.count() != 4:
        pytest.fail(f"the three categories and the real clip should appear as four <video>s, found {videos.count()}; "
                    f"the cell shows: {bh.cell_output(page, 'gallery_html(four)')}", pytrace=False)
    for k in range(4):
        state = bh.media_state(videos.nth(k))
        assert state is not None and not state["error"] and state["duration"] > 0, \
            f"clip {k + 1} of the categories does not load in Chromium ({state})"

    box = page.locator(".real-or-fake")
    if box.count() != 1:
        pytest.fail(f"the real-or-fake game did not appear ({box.count()} elements with class real-or-fake); the cell "
                    f"shows: {bh.cell_output(page, 'real_or_fake(')}", pytrace=False)
    box.scroll_into_view_if_needed()
    progress, score = box.locator(".rof-progress"), box.locator(".rof-score")
    real, fake = box.locator("button.rof-real"), box.locator("button.rof-fake")
    assert real.is_disabled() and fake.is_disabled(), "Real and Fake must wait for start"
    box.locator("button.rof-start").click()
    shown = bh.text_matching(progress, r"^Item 1 of \d+")
    assert shown, f"pressing start did not show the first item (progress: {progress.inner_text()!r})"
    total = int(re.search(r"of (\d+)", shown).group(1))
    assert total == 3, f"with COURSE_GAME_ITEMS=3 (browser_helpers sets it) a round has three items, not {total}"

    guesses = ["fake", "real", "fake"]
    for k, guess in enumerate(guesses, 1):
        media = re.search(r"\((image|clip)\)", progress.inner_text()).group(1)
        if media == "image":
            assert bh.image_src(box.locator("img.rof-image")), f"item {k} (an image) shows no picture"
        else:
            assert bh.widget_hidden(box.locator("img.rof-image")), f"item {k} is a clip but the image stays shown"
            video = box.locator(".rof-clip video")
            state = bh.media_state(video)
            assert state is not None and not state["error"] and state["duration"] > 0, \
                f"item {k} (a clip) does not load in Chromium ({state})"
        (fake if guess == "fake" else real).click()
        after = r"^Round over" if k == total else rf"^Item {k + 1} of {total}"
        assert bh.text_matching(progress, after), \
            f"after answer {k} the game did not move on (progress: {progress.inner_text()!r})"

    final = bh.text_matching(score, r"accuracy")
    assert final and final.startswith("3 answered"), f"the score did not appear after three answers: {score.inner_text()!r}"
    assert re.search(r"accuracy \d+% \(95% CI \d+%–\d+%\)", final), f"the score has no accuracy and interval: {final!r}"
    assert real.is_disabled() and fake.is_disabled(), "the buttons must stop working when the round is over"
    assert box.locator(".rof-reveal tr").count() == 4, "the reveal lists the three items under a header row"
    bh.screenshot(page, bh.artifact_name(request.node.name) + "-game", box)

    saved = json.loads((lab.cache / "human_baseline.json").read_text())["sessions"]
    assert len(saved) == 1, f"one session should be saved in the course cache, found {len(saved)}"
    assert [a["guess_fake"] for a in saved[0]["answers"]] == [g == "fake" for g in guesses]
    assert saved[0]["score"]["answered"] == 3
