"""Lab 07 in a real browser: JupyterLab in Debian's Chromium runs the detectors lab as a learner does.

Beyond the generic checks of ``bh.check_lab`` (no error, each unfinished exercise's "not yet" hint, every
widget, plotly and matplotlib figure rendered, a figure that pans), this checks what the lab's story rests on:
the training cell's live validation curve was redrawn in place into one plotly figure (not one figure per
epoch), and the generalisation matrix shows both heat maps, this run's and Wang et al.'s. The server, browser
and tab fixtures are conftest's; screenshots go to test-artifacts/browser/. Skipped when /usr/bin/chromium or
Playwright is missing (`make test` installs both).
"""
import pytest

import browser_helpers as bh  # tests/browser_helpers.py (pytest puts tests/ on sys.path)

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.timeout(900, method="signal")]  # a hung browser still gets its teardown

DETECTORS = "07_detectors/07_detectors.ipynb"
RUN_ALL_TIMEOUT = 600  # seconds: lab 07 trains five small detectors; a shared 2-core machine needs the margin
TRAINING_CALL = "training_figure(history)"  # the code of the cell that trains with a live curve
MATRIX_CALL = "WANG = {"  # the code of the cell that draws the generalisation matrix


def cell_area(page, code: str):
    """The output area of the one code cell whose source contains ``code``."""
    cell = page.locator(".jp-CodeCell", has=page.locator(".jp-InputArea-editor", has_text=code))
    if cell.count() != 1:
        pytest.fail(f"expected one code cell containing {code!r}, found {cell.count()}", pytrace=False)
    return cell.locator(".jp-Cell-outputArea")  # the cell's own area (a widget's output area sits inside it)


def test_detectors_lab_runs_with_its_live_curve_and_generalisation_matrix(jupyterlab, lab_page, request):
    lab, page = jupyterlab, lab_page  # conftest's shared JupyterLab and a fresh tab
    elapsed = bh.check_lab(page, lab, DETECTORS, timeout=RUN_ALL_TIMEOUT)  # no error, everything rendered
    request.node.user_properties.append(("run_all_s", round(elapsed, 1)))

    training = cell_area(page, TRAINING_CALL)
    training.scroll_into_view_if_needed()
    curves = training.locator(".js-plotly-plot")
    assert curves.count() == 1, (f"the training cell should redraw one live plotly figure in place, epoch after epoch; "
                                 f"the page shows {curves.count()}: {bh.cell_output(page, TRAINING_CALL)}")
    title = curves.first.locator(".gtitle").text_content()  # an SVG text node: no inner_text
    assert "validation" in title, f"the live figure should be the validation curve; its title is {title!r}"
    assert curves.first.locator(".scatterlayer .trace").count() == 2, \
        "the live figure should draw two curves (validation AUC and log loss)"

    matrix = cell_area(page, MATRIX_CALL)
    matrix.scroll_into_view_if_needed()
    heat = matrix.locator(".js-plotly-plot .hm")
    assert heat.count() == 2, (f"the generalisation matrix should show two heat maps (this run's and Wang et al. "
                               f"2020's); the page shows {heat.count()}: {bh.cell_output(page, MATRIX_CALL)}")
    bh.screenshot(page, bh.artifact_name(request.node.name) + "-matrix", matrix)
