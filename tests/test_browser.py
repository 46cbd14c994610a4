"""Every lab works in a real browser: JupyterLab in Debian's Chromium, driven by Playwright.

What nbclient (test_notebooks.py) cannot see is checked here, on each lab's student version (labs/) in FAST mode
with the interactive matplotlib backend (`%matplotlib widget`, ipympl; the notebook tests keep Agg and
nbgrader's run keeps inline): the lab runs from JupyterLab's own Run > Run All Cells to the end without an error;
each exercise's check meets the unfinished exercise (its NotImplementedError, shown as a "not yet" hint) and
the lab carries on; every widget, matplotlib canvas and plotly figure renders, every image and clip loads, a
figure pans through the kernel (bh.check_lab); then the lab's own widgets are moved and must change what they
show.

One JupyterLab and one Chromium serve the whole session (the `jupyterlab`, `chromium` and `lab_page` fixtures
in conftest.py; browser_helpers says how the server is isolated), one tab per lab. Each test saves, pass or
fail, test-artifacts/browser/<test name>.png (the screen), <test name>-notebook.jpg (the whole notebook) and
<test name>.console.log; the server log is test-artifacts/browser/jupyter-server.log and each lab's Run All
Cells time is appended to test-artifacts/browser/run-times.jsonl. test-artifacts/ is gitignored; a CI job
that should keep the screenshots uploads test-artifacts/browser/ as its artifact.

Skipped when /usr/bin/chromium or Playwright is missing (`make test` installs both).

To test another lab, add one line to LABS: its folder name and the function that drives its widgets (or None).
A lab's own test file can do the same with the fixtures: `bh.check_lab(lab_page, jupyterlab, notebook)`, then
the helpers in browser_helpers (slider, press_slider, image_src, new_image_src, media_state, screenshot).
"""
import json
import re
from pathlib import Path

import pytest

import browser_helpers as bh  # tests/browser_helpers.py (pytest puts tests/ on sys.path)

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.timeout(1200, method="signal")]  # a hung browser still gets its teardown


# The names earlier browser tests used, kept for files that import them from here (test_browser_lab06.py):
# the session's one JupyterLab, its Chromium, and a fresh tab.
@pytest.fixture()
def lab(jupyterlab):
    return jupyterlab


@pytest.fixture()
def browser(chromium):
    return chromium


@pytest.fixture()
def page(lab_page):
    return lab_page


def drive_face_explorer(page, server, request):
    """Lab 00: the face explorer's smile slider re-renders the face; the talking clip plays."""
    explorer = bh.one_widget(page, "face-explorer", "face_explorer(")
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


def drive_clips_viewer_and_game(page, server, request):
    """Lab 01: the four category clips load, the track viewer's face toggle swaps the clip, the real-or-fake game
    scores three rounds and saves the session."""
    gallery = page.locator(".clip-gallery").first
    videos = gallery.locator("video")
    if videos.count() != 4:
        pytest.fail(f"the three categories and the real clip should appear as four <video>s, found {videos.count()}; "
                    f"the cell shows: {bh.cell_output(page, 'gallery_html(four)')}", pytrace=False)
    for k in range(4):
        state = bh.media_state(videos.nth(k))
        assert state is not None and not state["error"] and state["duration"] > 0, \
            f"clip {k + 1} of the categories does not load in Chromium ({state})"

    viewer = bh.one_widget(page, "track-viewer", "track_viewer(")
    labels, source = viewer.locator(".track-labels"), viewer.locator(".track-video video source")
    before_labels, before_clip = labels.inner_text().strip(), source.first.get_attribute("src")
    other = viewer.locator(".track-face button.widget-toggle-button:not(.mod-active)").first
    choice = other.inner_text().strip()
    other.click()
    after_labels = bh.text_matching(labels, rf"face {re.escape(choice)}\b")
    assert after_labels, (f"choosing face '{choice}' in the track viewer did not change its labels within "
                          f"{bh.ACTION_TIMEOUT} s (still {labels.inner_text().strip()!r}; before: {before_labels!r})")
    assert source.first.get_attribute("src") != before_clip, \
        f"choosing face '{choice}' in the track viewer changed the labels but kept the same clip"
    state = bh.media_state(viewer.locator(".track-video video"))
    assert state is not None and not state["error"] and state["duration"] > 0, \
        f"the track viewer's clip for face '{choice}' does not load in Chromium ({state})"
    bh.screenshot(page, bh.artifact_name(request.node.name) + "-track-viewer", viewer)

    box = bh.one_widget(page, "real-or-fake", "real_or_fake(")
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

    saved = json.loads((server.cache / "human_baseline.json").read_text())["sessions"]
    assert len(saved) == 1, f"one session should be saved in the course cache, found {len(saved)}"
    assert [a["guess_fake"] for a in saved[0]["answers"]] == [g == "fake" for g in guesses]
    assert saved[0]["score"]["answered"] == 3


def drive_blend_explorer(page, server, request):
    """Lab 02: the blend explorer's erosion slider re-renders the swap and its scores."""
    explorer = slider_moves_picture(page, "blend-explorer", "erosion (px)", "blend_explorer(", request)
    scores = explorer.locator(".widget-html").filter(has_text="seam score")
    assert scores.count() == 1 and re.search(r"seam score \d", scores.inner_text()), \
        f"the blend explorer shows no seam score: {explorer.inner_text()[:200]!r}"


def drive_latent_explorer(page, server, request):
    """Lab 04: the latent explorer's A → B slider moves the face along the latent path."""
    slider_moves_picture(page, "latent-explorer", "A → B", "latent_explorer(", request)


def slider_moves_picture(page, css: str, label: str, call: str, request):
    """An explorer (a picture beside sliders) re-renders when its main slider is moved by the keyboard."""
    explorer = bh.one_widget(page, css, call)
    image = explorer.locator(f"img.{css}-image")
    before = bh.image_src(image)
    if before is None:
        pytest.fail(f"the {css} shows no picture: its <img class={css}-image> did not become visible with a "
                    f"decoded blob:/data: image (src={image.get_attribute('src')!r})", pytrace=False)
    control = bh.slider(explorer, label)
    if control.count() != 1:
        pytest.fail(f"the {css} has no slider labelled {label!r}", pytrace=False)
    moved = bh.press_slider(control, "ArrowRight", times=2)
    if moved is None:
        pytest.fail(f"the {label!r} slider did not move when its handle was focused and ArrowRight pressed twice",
                    pytrace=False)
    if bh.new_image_src(image, before) is None:
        pytest.fail(f"the {css} did not re-render after moving {label!r} from {moved[0]} to {moved[1]}: the "
                    f"picture stayed the same for {bh.ACTION_TIMEOUT} s (is the kernel connected?)", pytrace=False)
    bh.screenshot(page, bh.artifact_name(request.node.name) + f"-{css}", explorer)
    return explorer


# One line per lab: its folder under labs/, and what drives its widgets after the generic checks (or None).
LABS = [
    pytest.param("00_welcome", drive_face_explorer, id="00_welcome"),
    pytest.param("01_what_is_a_deepfake", drive_clips_viewer_and_game, id="01_what_is_a_deepfake"),
    pytest.param("02_faces_and_cheapfakes", drive_blend_explorer, id="02_faces_and_cheapfakes"),
    pytest.param("03_autoencoder_swap", None, id="03_autoencoder_swap"),
    pytest.param("04_gan", drive_latent_explorer, id="04_gan"),
    pytest.param("05_voices_and_lipsync", None, id="05_voices_and_lipsync"),
    pytest.param("08_provenance", None, id="08_provenance"),
    pytest.param("09_capstone", None, id="09_capstone"),
]


@pytest.mark.parametrize("name, drive", LABS)
def test_lab_runs_in_jupyterlab_and_its_widgets_respond(name, drive, jupyterlab, lab_page, request):
    elapsed = bh.check_lab(lab_page, jupyterlab, f"{name}/{name}.ipynb")
    request.node.user_properties.append(("run_all_s", round(elapsed, 1)))
    if drive is not None:
        drive(lab_page, jupyterlab, request)


def test_every_lab_is_tested_in_the_browser():
    tested = {param.values[0] for param in LABS}
    others = [path.read_text(encoding="utf-8") for path in Path(__file__).parent.glob("test_*.py")
              if path.name != Path(__file__).name]
    labs = sorted(p.name for p in bh.LABS.iterdir() if (p / f"{p.name}.ipynb").is_file())
    missing = [lab for lab in labs if lab not in tested
               and not any(lab in t and ("check_lab(" in t or "run_lab(" in t) for t in others)]
    assert not missing, (f"labs/ has {missing} but no browser test runs them: add a line to LABS in "
                         f"tests/test_browser.py (or call bh.check_lab on it in the lab's own test file)")
