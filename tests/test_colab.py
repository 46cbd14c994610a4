"""Colab, as far as this machine can check it (issue 16): every lab's setup cell runs in a kernel with a
stand-in `google.colab` and Colab's ipywidgets 7, in an environment of its own, and the course's widgets and
plotly figures build there and respond to a front end's messages, without a browser.

The environment (`.test-envs/colab`, built once and reused while its inputs stay the same; tests/
classroom_envs.py) holds what a Colab runtime brings (ipywidgets 7.7.1, ipykernel 6) plus the course's
dependencies as pip resolves them next to those (CPU torch from local disk first). The course itself is not
in it: each lab's own setup cell installs it, with `%pip install "course_lib @ git+https://github.com/...
@<ref>"`, which the stand-in serves from a copy of this checkout (tests/colab_standin/README.md). So the
non-editable install a Colab learner gets (package data, shipped weights, data files) is what every test
below imports.

Each lab gets a fresh kernel, as each Colab notebook gets a fresh runtime. The kernel imports
`google.colab` at start, as Colab's does. After the setup cell and the parameters cell, labs that show
widgets build them as the lab does and a headless front end (tests/widget_frontend.py) moves their controls
through the widget protocol; the kernel must answer with updates of what the control drives (an image, a
read-out, a plotly FigureWidget). What it cannot check: the pixels Colab's own widget manager draws.
"""
import json
import re
from pathlib import Path

import pytest

import classroom_envs as envs
from course_lib import authoring
from widget_frontend import Kernel

ROOT = Path(__file__).resolve().parents[1]
COURSE = authoring.Course(ROOT)
LABS = [lab for lab in authoring.lab_names(COURSE.solutions) if COURSE.solution(lab).is_file()]
STANDIN = Path(__file__).parent / "colab_standin"
# What a Colab runtime has preinstalled that matters here: ipywidgets 7 (its widget manager speaks protocol 2)
# and ipykernel 6. pip resolves the course's own dependencies (plotly, anywidget...) next to them.
COLAB_PREINSTALLED = ["ipywidgets==7.7.1", "ipykernel>=6.25,<7", "setuptools>=68"]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# Each lab that shows widgets: cells that build them as the lab does (smaller inputs), display them, and set
# DRIVES = [(control, new value or "click", {what it drives: widget})]. CHECK runs afterwards in the kernel.
# A lab that redraws into an Output area while a cell runs (no control to move) names it in REDRAWN = {what: widget}:
# under ipywidgets 7 the kernel must point the area at the running cell (its msg_id), which is how Colab's widget
# manager knows to route the figure that follows into it, and the figure must come as HTML.
SCENARIOS = {
    "00_welcome": """
from course_lib import widgets
box = widgets.face_explorer("ada")
display(box)
DRIVES = [(box.sliders["smile"], 0.8, {"face image": box.image})]
CHECK = "assert box.sliders['smile'].value == 0.8"
""",
    "01_what_is_a_deepfake": """
import dataclasses
import numpy as np
from course_lib import game, media, synth, widgets
clip = synth.talking_clip(synth.cast("gus"), seconds=1.0, size=32, seed=0)
dubbed = dataclasses.replace(clip, truth={**clip.truth, "labels": {"face": "real", "voice": "converted", "lips": "real"}})
viewer = widgets.track_viewer({("real", "real", "real"): clip, ("real", "converted", "real"): dubbed}, width=128)
pictures = [np.full((16, 16, 3), v, np.float32) for v in (0.2, 0.7)]
items = [game.Item(f"0{k}", "image", "GAN sample" if k else "real", bool(k), "GAN sample", png=media.png_bytes(p),
                   image=p) for k, p in enumerate(pictures)]
session = game.Game(items, seed=1, save=False)
play = widgets.real_or_fake(session)
display(viewer, play)
DRIVES = [(viewer.toggles["voice"], "converted", {"labels": viewer.caption}),
          (play.buttons["start"], "click", {"progress": play.progress, "picture": play.image}),
          (play.buttons["fake"], "click", {"picture": play.image, "score": play.score})]
CHECK = "assert len(session.answers) == 1 and session.answers[0].guess_fake"
""",
    "02_faces_and_cheapfakes": """
from course_lib import widgets
box = widgets.blend_explorer(size=64)
display(box)
feather = box.controls["feather"]
DRIVES = [(feather, 0.0 if feather.value else 4.0, {"swap": box.image, "scores": box.scores})]
CHECK = "assert box.last['png'] == box.image.value"
""",
    "04_gan": """
from course_lib import gan, widgets
box = widgets.latent_explorer(gan.pretrained_run("fast").G, {})
display(box)
DRIVES = [(box.controls["t"], 0.5, {"face": box.image})]
CHECK = "assert box.controls['t'].value == 0.5"
""",
    "06_artifact_explorer": """
from course_lib import explorer, fakes, viz
ui = explorer.Explorer(fakes.image_sets(3, generators="classical"), cue="sharpness")
display(ui)
print("FIGURE_WIDGETS=" + str(ui.live))
shown = {"cue map": ui.map_fig, "histogram": ui.hist_fig} if ui.live else {"redrawn figures": ui.output}
DRIVES = [(ui.controls["cue"], "boundary", shown), (ui.controls["index"], 1, shown)]
viz.cue_histogram([0.1, 0.2], [0.3, 0.5], "sharpness", 0.2).show()  # a plain plotly figure, Colab's renderer
CHECK = "assert ui.cue.name == 'boundary' and ui.controls['index'].value == 1"
""",
    "07_detectors": """
import plotly.graph_objects as go
from IPython.display import clear_output
from ipywidgets import Output
slot = Output()  # as the lab's training cell: one area, the curve so far replaces the one before
display(slot)
for epoch in (1, 2):
    with slot:
        clear_output(wait=True)
        go.Figure(go.Scatter(x=list(range(1, epoch + 1)), y=[0.6, 0.8][:epoch], name="val AUC")).show()
DRIVES = []
REDRAWN = {"live validation curve": slot}
CHECK = "assert slot.msg_id == ''"
""",
}
HARNESS = """
import json as _json

def _front_end_state(control, value):  # what a front end syncs: selection widgets send the option's index
    if value == "click":
        return "click"
    return {"index": list(control._options_values).index(value)} if "index" in control.keys else {"value": value}

print("DRIVES=" + _json.dumps([{"control": c.model_id, "state": _front_end_state(c, v),
                                "watch": {k: w.model_id for k, w in ws.items()}} for c, v, ws in DRIVES]))
print("REDRAWN=" + _json.dumps({k: w.model_id for k, w in globals().get("REDRAWN", {}).items()}))
"""
PROBE = """
import json, sys, ipywidgets, plotly, course_lib
from google.colab import output
try:
    import anywidget
    anywidget_version = anywidget.__version__
except ImportError:
    anywidget_version = None
print("PROBE=" + json.dumps({"enabled": output.calls, "course": course_lib.__file__, "prefix": sys.prefix,
                             "ipywidgets": ipywidgets.__version__, "plotly": plotly.__version__,
                             "anywidget": anywidget_version}))
"""
# Where a lab's code shows widgets: the course's widget builders, the explorer, ipywidgets or FigureWidget.
SHOWS_WIDGETS = re.compile(r"\bwidgets\.\w+\(|\bexplorer\.\w+\(|\bipywidgets\b|FigureWidget")


def code_cells(lab: str) -> list[str]:
    return [cell.source for cell in authoring.read(COURSE.solution(lab)).cells if cell.cell_type == "code"]


def line_value(text: str, key: str):
    found = [line[len(key) + 1:] for line in text.splitlines() if line.startswith(key + "=")]
    assert found, f"the kernel printed no {key}= line; it printed:\n{text[-2000:]}"
    return found[-1]


def test_every_lab_that_shows_widgets_has_a_colab_scenario():
    missing = [lab for lab in LABS if lab not in SCENARIOS and any(SHOWS_WIDGETS.search(c) for c in code_cells(lab))]
    assert not missing, (f"{missing} show widgets, but tests/test_colab.py does not build and drive them under "
                         f"ipywidgets 7: add the lab to SCENARIOS")
    assert set(SCENARIOS) <= set(LABS), f"SCENARIOS names labs that do not exist: {set(SCENARIOS) - set(LABS)}"


@pytest.fixture(scope="session")
def colab(tmp_path_factory):
    """The Colab stand-in environment (without the course) and the folder that stands in for the GitHub ref."""
    deps = [d for d in envs.pyproject()["project"]["dependencies"] if not d.startswith("torch")]
    venv = envs.venv("colab", [[envs.TORCH], [*COLAB_PREINSTALLED, *deps]])
    # A course left by an earlier session would make the setup cell's install a no-op: start without it.
    envs.run([str(venv / "bin" / "python"), "-m", "pip", "uninstall", "-q", "-y", "course_lib"],
             "removing an earlier session's course from the Colab environment")
    return venv, envs.checkout_copy(tmp_path_factory.mktemp("colab-source"))


@pytest.fixture
def colab_kernel(colab, tmp_path):
    """A fresh kernel of the Colab environment that, like Colab's, has `google.colab` imported at start."""
    venv, source = colab
    repository, ref = COURSE.publication()
    env = envs.learner_env(venv, PYTHONPATH=str(STANDIN), COURSE_DATA_DIR=str(tmp_path / "cache"),
                           COLAB_STANDIN_URL=f"course_lib @ git+https://github.com/{repository}@{ref}",
                           COLAB_STANDIN_SOURCE=str(source),
                           COLAB_NOTEBOOK_ID="colab-stand-in")  # Colab's runtime sets it; plotly picks its renderer by it
    argv = [str(venv / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}",
            "--IPKernelApp.exec_lines=import google.colab, colab_pip; colab_pip.register()"]
    kernel = Kernel(argv, env, tmp_path, tmp_path / "kernel.log")
    try:
        yield kernel
    finally:
        kernel.close()


def run_cell(kernel: Kernel, code: str, what: str, timeout: float = 600):
    reply = kernel.execute(code, timeout)
    assert not reply.errors, (f"on the Colab stand-in, {what} raised {reply.errors}; it printed:\n{reply.text[-2000:]}"
                              f"\nkernel log:\n{kernel.log_tail()}")
    return reply


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS)
def test_lab_sets_up_on_colab_and_its_widgets_respond_under_ipywidgets_7(colab, colab_kernel, lab, pytestconfig):
    cells = code_cells(lab)
    assert "google.colab" in cells[0], f"{lab}'s first code cell is not the Colab setup cell"
    run_cell(colab_kernel, cells[0], f"{lab}'s setup cell")
    probe = json.loads(line_value(run_cell(colab_kernel, PROBE, "the probe").text, "PROBE"))
    assert probe["enabled"] >= 1, f"{lab}'s setup cell did not turn on Colab's custom widget manager"
    assert probe["ipywidgets"].startswith("7."), f"the Colab stand-in has ipywidgets {probe['ipywidgets']}, not 7"
    assert Path(probe["course"]).is_relative_to(probe["prefix"]), \
        f"course_lib came from {probe['course']}, not from the install the setup cell made in {probe['prefix']}"
    run_cell(colab_kernel, cells[1], f"{lab}'s parameters cell")
    summary = f"ipywidgets {probe['ipywidgets']}, plotly {probe['plotly']}, anywidget {probe['anywidget']}"
    if lab in SCENARIOS:
        summary += "; " + drive_widgets(colab_kernel, lab)
    envs.report(pytestconfig, "colab", f"{lab}: setup and parameters cells ran ({summary})")


def drive_widgets(kernel: Kernel, lab: str) -> str:
    """Build the lab's widgets, move each control as a front end would, and check that what it drives updated."""
    built = run_cell(kernel, SCENARIOS[lab] + HARNESS, f"building {lab}'s widgets")
    assert any(WIDGET_VIEW in d for d in built.displayed), f"{lab}'s widgets displayed no widget view"
    drives = json.loads(line_value(built.text, "DRIVES"))
    redrawn = json.loads(line_value(built.text, "REDRAWN"))
    for name, model in redrawn.items():
        assert "msg_id" in built.updated.get(model, set()), (
            f"{lab}: the kernel never pointed the {name} at the running cell, so Colab would show it empty; "
            f"kernel log:\n{kernel.log_tail()}")
    if redrawn:
        assert any("text/html" in d for d in built.displayed), f"{lab}: the redrawn figure showed no HTML"
    for drive in drives:
        control, state = drive["control"], drive["state"]
        assert control in built.opened, f"{lab}: the control {control} was never opened as a widget model"
        reply = kernel.click(control) if state == "click" else kernel.set_state(control, state)
        stale = [name for name, model in drive["watch"].items() if model not in reply.updated]
        assert not stale, (f"{lab}: after a front end sent {state!r} to a control, the kernel sent no update of "
                           f"{stale} (a learner would see nothing change); kernel log:\n{kernel.log_tail()}")
    run_cell(kernel, CHECK_CELL, f"{lab}'s check after driving its widgets")
    done = f"{len(drives)} control(s) driven" + (f", {len(redrawn)} output area(s) redrawn" if redrawn else "")
    if "FIGURE_WIDGETS=" in built.text:
        done += ", plotly FigureWidget" if line_value(built.text, "FIGURE_WIDGETS") == "True" else \
            ", plotly fallback (redrawn figures)"
        assert any("text/html" in d for d in built.displayed), f"{lab}: a plain plotly figure showed no HTML"
    return done


CHECK_CELL = "exec(CHECK)"
