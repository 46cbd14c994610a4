"""Lab 06's artifact explorer: pick a sample and a cue, move its parameters, watch three figures follow (lab 06).

The three figures are plotly ``FigureWidget``s: the sample, the cue's map of it, and the cue's scores over the
generator's real and fake samples with a line at this sample. A control change updates their traces in place
(``fig.batch_update()``); nothing is redrawn. Where ``FigureWidget`` cannot work (``anywidget`` missing, or a
front end without it), the explorer says so once and redraws plain figures in an ``Output`` widget instead.

The logic needs no browser: ``Explorer.set(cue="boundary", sigma=3.0)`` moves the controls as a learner
would (their observers run, as in a kernel), and ``image_fig``, ``map_fig`` and ``hist_fig`` hold the
figures' data. It uses only ipywidgets APIs that exist in both 7 (Colab) and 8 (JupyterLab 4).
"""
from __future__ import annotations

import sys

import numpy as np

from . import forensics
from .fakes import FakeSet

SIDES = ("real", "fake")
_NOTE = ("note: plotly's FigureWidget cannot run here ({why}); the explorer redraws its figures instead of "
         "updating them in place (pip install anywidget, and on Colab enable the custom widget manager)")
_noted = False


def _figure_widgets_work(why_not: list) -> bool:
    """Can plotly's FigureWidget run here? On Colab, turn on the custom widget manager it needs first."""
    if "google.colab" in sys.modules:
        try:
            from google.colab import output

            output.enable_custom_widget_manager()
        except Exception as exc:  # pragma: no cover - Colab only
            why_not.append(f"Colab's custom widget manager: {exc}")
            return False
    try:
        import anywidget  # noqa: F401
        import plotly.graph_objects as go

        go.FigureWidget()
    except Exception as exc:  # ImportError without anywidget; plotly raises others on a broken install
        why_not.append(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return False
    return True


def _check_sets(sets, fn: str) -> dict:
    if not isinstance(sets, dict) or not sets or not all(isinstance(v, FakeSet) for v in sets.values()):
        raise ValueError(f"{fn}: sets must be a non-empty dict {{generator: FakeSet}} from fakes.image_sets(), "
                         f"got {type(sets).__name__}")
    return sets


class Explorer:
    """The explorer's state, controls and figures; ``widget`` is what the notebook shows (lab 06)."""

    def __init__(self, sets: dict, cue: str = "sharpness", figure_widget: bool | None = None):
        import ipywidgets as w

        self.sets = _check_sets(sets, "Explorer")
        if cue not in forensics.cue_names("image"):
            raise ValueError(f"Explorer: cue must be one of the image cues {forensics.cue_names('image')}, "
                             f"got {cue!r}")
        why_not: list = []
        self.live = _figure_widgets_work(why_not) if figure_widget is None else bool(figure_widget)
        if not self.live:
            _note_once(why_not[0] if why_not else "turned off")
        first = next(iter(self.sets))
        self._scores: dict = {}
        self._busy = False
        self.controls = {
            "generator": w.Dropdown(options=list(self.sets), value=first, description="generator"),
            "side": w.ToggleButtons(options=list(SIDES), value="fake", description="sample"),
            "index": w.IntSlider(value=0, min=0, max=len(self.sets[first].real) - 1, description="which"),
            "cue": w.Dropdown(options=list(forensics.cue_names("image")), value=cue, description="cue"),
        }
        self.params_box = w.VBox([])
        self.sliders: dict = {}
        self.output = w.Output()
        self._build_figures()
        for name, control in self.controls.items():
            control.observe(self._on_change, names="value")
        self._make_sliders()
        self.update()
        figures = [self.image_fig, self.map_fig, self.hist_fig] if self.live else [self.output]
        self.widget = w.VBox([w.HBox([self.controls["generator"], self.controls["side"]]),
                              w.HBox([self.controls["index"], self.controls["cue"]]), self.params_box,
                              w.HBox(figures[:2]) if self.live else figures[0]] + (figures[2:] if self.live else []))

    # ---- state ---------------------------------------------------------------------------------------
    @property
    def cue(self) -> forensics.Cue:
        """The chosen cue (lab 06)."""
        return forensics.CUES[self.controls["cue"].value]

    @property
    def params(self) -> dict:
        """The chosen cue's parameters, as the sliders set them (lab 06)."""
        return forensics.check_params(self.cue, {k: s.value for k, s in self.sliders.items()}, "Explorer")

    def sample(self) -> tuple[np.ndarray, np.ndarray]:
        """The chosen image and its landmarks (lab 06)."""
        s = self.sets[self.controls["generator"].value]
        i = self.controls["index"].value
        if self.controls["side"].value == "real":
            return s.real[i], s.real_landmarks[i]
        return s.fake[i], s.fake_landmarks[i]

    def scores(self) -> tuple[np.ndarray, np.ndarray]:
        """The chosen cue's scores over the generator's real and fake samples, cached per setting (lab 06)."""
        gen, cue, params = self.controls["generator"].value, self.cue, self.params
        key = (gen, cue.name, tuple(sorted(params.items())))
        if key not in self._scores:
            s = self.sets[gen]
            score = lambda imgs, pts: np.array([cue.sign * cue.score(im, p, **params)  # noqa: E731
                                                for im, p in zip(imgs, pts)])
            self._scores[key] = (score(s.real, s.real_landmarks), score(s.fake, s.fake_landmarks))
        return self._scores[key]

    def current_score(self) -> float:
        """The chosen sample's score (lab 06)."""
        reals, fakes_ = self.scores()
        return float((reals if self.controls["side"].value == "real" else fakes_)[self.controls["index"].value])

    # ---- controls ------------------------------------------------------------------------------------
    def set(self, **changes) -> None:
        """Move controls as a learner would: ``set(cue="boundary")``, ``set(sigma=3.0)``; the figures follow (lab 06)."""
        known = set(self.controls) | set(self.sliders)
        for name, value in changes.items():
            if name in self.controls:
                control = self.controls[name]
                if name in ("generator", "side", "cue") and value not in control.options:
                    raise ValueError(f"Explorer.set: {name} must be one of {list(control.options)}, got {value!r}")
                if name == "index" and not (isinstance(value, (int, np.integer)) and 0 <= value <= control.max):
                    raise ValueError(f"Explorer.set: index must be a whole number from 0 to {control.max}, "
                                     f"got {value!r}")
                control.value = value
            elif name in self.sliders:
                forensics.check_params(self.cue, {name: value}, "Explorer.set")
                self.sliders[name].value = value
            else:
                raise ValueError(f"Explorer.set: no control {name!r}; the controls are {sorted(known)}")

    def _make_sliders(self) -> None:
        import ipywidgets as w

        self.sliders = {}
        for name, p in self.cue.params.items():
            whole = all(float(v).is_integer() for v in p)
            cls = w.IntSlider if whole else w.FloatSlider
            conv = int if whole else float
            slider = cls(value=conv(p.default), min=conv(p.low), max=conv(p.high), step=conv(p.step),
                         description=name, continuous_update=False)
            slider.observe(self._on_change, names="value")
            self.sliders[name] = slider
        self.params_box.children = tuple(self.sliders.values())

    def _on_change(self, change) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            owner = change.get("owner") if isinstance(change, dict) else getattr(change, "owner", None)
            if owner is self.controls["cue"]:
                self._make_sliders()
            if owner is self.controls["generator"]:
                n = len(self.sets[self.controls["generator"].value].real)
                self.controls["index"].value = min(self.controls["index"].value, n - 1)
                self.controls["index"].max = n - 1
        finally:
            self._busy = False
        self.update()

    # ---- figures -------------------------------------------------------------------------------------
    def _build_figures(self) -> None:
        import plotly.graph_objects as go

        from .viz import cue_histogram

        make = go.FigureWidget if self.live else go.Figure
        layout = dict(width=330, height=330, margin=dict(l=10, r=10, t=40, b=10))
        self.image_fig = make(go.Image(z=np.zeros((2, 2, 3), np.uint8)), layout=dict(title="sample", **layout))
        self.map_fig = make(go.Heatmap(z=np.zeros((2, 2)), colorscale="Magma"), layout=dict(title="cue map", **layout))
        self.map_fig.update_yaxes(autorange="reversed", scaleanchor="x")
        self.hist_fig = make(cue_histogram([0.0], [0.0], self.cue.name, 0.0))
        self.hist_fig.update_layout(width=660, height=300, margin=dict(l=40, r=10, t=40, b=40))

    def update(self) -> None:
        """Recompute the sample, its map and the distribution, and write them into the figures' traces (lab 06)."""
        img, pts = self.sample()
        cue, params = self.cue, self.params
        cue_map = np.asarray(cue.map(img, pts, **params), np.float32)
        reals, fakes_ = self.scores()
        current = self.current_score()
        side, gen = self.controls["side"].value, self.controls["generator"].value
        with self.image_fig.batch_update():
            self.image_fig.data[0].z = np.round(np.clip(img, 0, 1) * 255).astype(np.uint8)
            self.image_fig.layout.title.text = f"{side} ({gen}) #{self.controls['index'].value}"
        with self.map_fig.batch_update():
            self.map_fig.data[0].z = cue_map
            self.map_fig.layout.title.text = f"{cue.name} map"
        with self.hist_fig.batch_update():
            self.hist_fig.data[0].x = reals
            self.hist_fig.data[1].x = fakes_
            self.hist_fig.data[2].x = [current, current]
            self.hist_fig.data[2].y = [0, 1]
            self.hist_fig.layout.title.text = (f"{cue.name} on {gen}: AUC {forensics.auc(reals, fakes_):.2f}; "
                                               f"this sample {current:.3g}")
            self.hist_fig.layout.xaxis.title.text = f"{cue.name} score (higher = more likely fake)"
        if not self.live:
            self._redraw()

    def _redraw(self) -> None:
        from IPython import get_ipython
        from IPython.display import clear_output, display

        if get_ipython() is None:  # plain Python (a test, the benchmark): nothing to show
            return
        with self.output:
            clear_output(wait=True)
            for fig in (self.image_fig, self.map_fig, self.hist_fig):
                display(fig)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def _note_once(why: str) -> None:
    global _noted
    if not _noted:
        print(_NOTE.format(why=why))
        _noted = True


def explorer(sets: dict | None = None, cue: str = "sharpness", n: int = 12, seed: int | None = None) -> Explorer:
    """The artifact explorer over ``sets`` (default: ``fakes.image_sets(n, seed)``, every image generator) (lab 06)."""
    from . import fakes

    if sets is None:
        sets = fakes.image_sets(n, fakes.SEED if seed is None else seed)
    return Explorer(sets, cue)
