"""Lab 06 in a real browser: JupyterLab in Debian's Chromium runs the lab, and its artifact explorer responds.

What the kernel-side tests cannot see is checked here: the explorer's plotly figures (FigureWidgets, drawn by
plotly.js through anywidget) appear in the page, and when a learner picks another cue or moves the sample
slider, the figures in the page change. The server, browser and tab fixtures are conftest's (the same
isolated JupyterLab on a temporary copy of labs/); each test saves a screenshot and the console log in
test-artifacts/browser/. Skipped when /usr/bin/chromium or Playwright is missing (`make test` installs both).
"""
import json

import pytest

import browser_helpers as bh  # tests/browser_helpers.py (pytest puts tests/ on sys.path)

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.timeout(900, method="signal")]  # a hung browser still gets its teardown

ARTIFACT_EXPLORER = "06_artifact_explorer/06_artifact_explorer.ipynb"
RUN_ALL_TIMEOUT = 600  # seconds: lab 06 makes every generator's fakes; a shared 2-core machine needs the margin
EXPLORER_CALL = "explorer.explorer("  # the code of the cell that shows the explorer


def plot_titles(area) -> list[str]:
    """The titles of the plotly figures drawn inside an output area, in order."""
    return area.evaluate("a => [...a.querySelectorAll('.js-plotly-plot')].map(p => "
                         "(p.querySelector('.gtitle') || {}).textContent || '')")


def wait_for_title(area, pattern: str) -> list[str] | None:
    """The figures' titles once one of them matches a regular expression (JavaScript syntax), or None."""
    found = bh._waits(lambda: area.page.wait_for_function(
        "([a, p]) => [...a.querySelectorAll('.js-plotly-plot .gtitle')].some(t => new RegExp(p).test(t.textContent))",
        arg=[area.element_handle(), pattern], timeout=bh.ACTION_TIMEOUT * 1000))
    return plot_titles(area) if found else None


def test_artifact_explorer_lab_runs_and_its_plotly_figures_follow_the_controls(jupyterlab, lab_page, request):
    lab, page = jupyterlab, lab_page  # conftest's shared JupyterLab and a fresh tab
    elapsed = bh.check_lab(page, lab, ARTIFACT_EXPLORER, timeout=RUN_ALL_TIMEOUT)  # no error, everything rendered
    request.node.user_properties.append(("run_all_s", round(elapsed, 1)))

    cell = page.locator(".jp-CodeCell", has=page.locator(".jp-InputArea-editor", has_text=EXPLORER_CALL))
    if cell.count() != 1:
        pytest.fail(f"expected one code cell calling {EXPLORER_CALL}, found {cell.count()}", pytrace=False)
    area = cell.locator(".jp-OutputArea")
    area.scroll_into_view_if_needed()
    plots = area.locator(".js-plotly-plot")
    if not bh._waits(lambda: plots.nth(2).wait_for(state="visible", timeout=bh.ACTION_TIMEOUT * 1000)):
        pytest.fail(f"the explorer should draw three plotly figures (sample, cue map, distribution); the page shows "
                    f"{plots.count()}. The cell shows: {bh.cell_output(page, EXPLORER_CALL)}", pytrace=False)
    before = wait_for_title(area, "^residual on ")
    assert before, f"the explorer should open on the residual cue; its figures' titles: {plot_titles(area)}"

    cue = area.locator(".widget-dropdown", has=page.locator("label", has_text="cue")).locator("select")
    if cue.count() != 1:
        pytest.fail("the explorer has no dropdown labelled 'cue'", pytrace=False)
    cue.select_option("boundary")
    after = wait_for_title(area, "^boundary on ")
    if after is None:
        pytest.fail(f"picking the 'boundary' cue did not change the figures in the page within {bh.ACTION_TIMEOUT} s "
                    f"(titles before: {before}, now: {plot_titles(area)}; is the kernel connected?)", pytrace=False)
    assert any(t.startswith("boundary map") for t in after), f"the cue map did not follow the cue: {after}"
    sliders = area.locator(".widget-slider .widget-label").all_inner_texts()
    assert {"sigma", "dead_zone", "span"} <= {s.strip() for s in sliders}, \
        f"the boundary cue's parameter sliders (sigma, dead_zone, span) should appear; the sliders are {sliders}"

    which = bh.slider(area, "which")
    moved = bh.press_slider(which, "ArrowRight")
    if moved is None:
        pytest.fail("the explorer's 'which' slider did not move when its handle was focused and ArrowRight pressed",
                    pytrace=False)
    sample = wait_for_title(area, f"#{json.loads(moved[1])}$")
    if sample is None:
        pytest.fail(f"moving the sample slider from {moved[0]} to {moved[1]} did not change the sample figure in the "
                    f"page within {bh.ACTION_TIMEOUT} s (titles: {plot_titles(area)})", pytrace=False)
    bh.screenshot(page, bh.artifact_name(request.node.name) + "-explorer", area)
