"""Plots, diagrams and code display for the labs.

``show_source`` is how a lab shows the library code it teaches (a model, a training loop) without keeping a
second copy of it in the notebook: one source of truth, visible where it is taught. ``clip_html`` and
``gallery_html`` show clips with sound; ``autoencoder_picture`` and ``gan_picture`` draw how a face swap and a
GAN work, each with a model's own outputs (lab 01).
"""
from __future__ import annotations

import inspect
import math
import tempfile
from pathlib import Path

import numpy as np

DISPLAY = 192  # every image and clip is shown this many pixels wide, whatever its size


def source(obj) -> str:
    """The source code of a library function, class or method, as text (lab 02 onwards)."""
    try:
        return inspect.getsource(obj)
    except (TypeError, OSError) as exc:
        raise ValueError(f"cannot show the source of {obj!r}: {exc}") from None


def show_source(*objs):
    """Display the source of library functions or classes, syntax-highlighted, in the notebook (lab 02 onwards)."""
    from IPython.display import Code, display

    for obj in objs:
        display(Code(source(obj), language="python"))


def live_slot():
    """A display slot that a training loop can overwrite with ``slot.update(...)`` (lab 03)."""
    from IPython.display import display

    return display(display_id=True)


def show_image_in(slot, img, scale: int = 2):
    """Put an image (H×W×3 in [0, 1]) into a display slot from ``live_slot`` (lab 03)."""
    from IPython.display import Image

    from .media import png_bytes

    slot.update(Image(png_bytes(img, scale=scale)))


# ----------------------------------------------------------------------------------------------------
# Clips with sound (lab 01)

def clip_html(clip, width: int = DISPLAY) -> str:
    """A clip as an HTML <video> with its mp4 (H.264/AAC) embedded, written through a temporary file (lab 01)."""
    from . import media

    folder = Path(tempfile.mkdtemp(prefix="real-or-fake-"))
    try:
        path = clip.write(folder / "clip.mp4")
        return media.video_html(path, width=width)
    finally:
        for p in folder.glob("*"):
            p.unlink()
        folder.rmdir()


def gallery_html(clips: dict, width: int = DISPLAY) -> str:
    """Clips side by side, each a <video> with sound under its name and its labels: {name: clip} (lab 01)."""
    import html

    cells = []
    from .categories import TRACKS

    for name, clip in clips.items():
        tracks = ", ".join(f"{k} {clip.labels[k]}" for k in TRACKS)
        cells.append(f'<figure style="margin:0 12px 8px 0">{clip_html(clip, width)}<figcaption><b>{html.escape(name)}'
                     f"</b><br><small>{html.escape(tracks)}</small></figcaption></figure>")
    return f'<div class="clip-gallery" style="display:flex;flex-wrap:wrap">{"".join(cells)}</div>'


# ----------------------------------------------------------------------------------------------------
# How a face swap and a GAN are made, in one picture each (lab 01; labs 03 and 04 build them)

def _box(ax, x, y, w, h, text, colour):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.005", fc=colour, ec="0.3", lw=1))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=9)


def _arrow(ax, a, b, text="", **kw):
    ax.annotate("", xy=b, xytext=a, arrowprops=dict(arrowstyle="->", color="0.25", lw=1.2, **kw))
    if text:
        ax.text((a[0] + b[0]) / 2, (a[1] + b[1]) / 2 + 0.03, text, ha="center", va="bottom", fontsize=8)


def _canvas(width: float, height: float):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    return fig, ax


def _picture(fig, img, x, y, w, title=""):
    """An image on the canvas: left edge x, vertical centre y, width w (figure fractions, kept square)."""
    fw, fh = fig.get_size_inches()
    h = w * fw / fh
    ax = fig.add_axes([x, y - h / 2, w, h])
    ax.imshow(np.clip(img, 0, 1), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=8)
    return ax


def autoencoder_picture(swapper, seed: int = 0):
    """The encoder-decoder face swap in one picture, drawn with ``swapper``'s own outputs (lab 01; lab 03 builds it).

    Two rows of training (each person's aligned face through the one shared encoder and their own decoder,
    which learns to rebuild it) and a row for the swap (the performer's face through the *other* decoder, then
    pasted back into the frame). Returns the matplotlib figure; ``fig.shown`` holds the images drawn.
    """
    from . import faces, swap, synth

    performer, person = swapper.names[0], swapper.names[-1]
    size = swapper.size
    frames = {}
    for name in (performer, person):
        img, pts, _ = synth.render(synth.cast(name), synth.random_states(1, seed=seed)[0], size=2 * size, seed=seed)
        frames[name] = (img, pts, faces.align(img, pts, size, swap.ZOOM).image)
    rebuilt = {name: swap.decode_as(swapper, frames[name][2][None], name)[0][0] for name in frames}
    swapped_crop = swap.decode_as(swapper, frames[performer][2][None], person)[0][0]
    pasted = swap.swap_frames(swapper, frames[performer][0][None], frames[performer][1][None], person)[0]

    fig, ax = _canvas(11, 4.6)
    rows = [(0.80, performer, performer, f"train on\n{performer}"),
            (0.50, person, person, f"train on\n{person}"),
            (0.18, performer, person, "swap")]
    _box(ax, 0.24, 0.06, 0.09, 0.88, "shared\nencoder", "#cfe2f3")
    shown = {}
    for y, who, decoder, label in rows:
        ax.text(0.01, y, label, va="center", fontsize=9)
        shown[f"{who} in"] = frames[who][2]
        _picture(fig, frames[who][2], 0.11, y, 0.085, f"{who}, aligned")
        _arrow(ax, (0.197, y), (0.24, y))
        _box(ax, 0.37, y - 0.05, 0.07, 0.10, f"code:\n{swapper.latent} numbers", "#eeeeee")
        _arrow(ax, (0.33, y), (0.37, y))
        _box(ax, 0.48, y - 0.07, 0.10, 0.14, f"decoder\n{decoder}", "#d9ead3" if decoder == person else "#fce5cd")
        _arrow(ax, (0.44, y), (0.48, y))
        out = swapped_crop if who != decoder else rebuilt[who]
        shown[f"{who} as {decoder}"] = out
        _picture(fig, out, 0.62, y, 0.085, f"{who} → {decoder}" if who != decoder else f"{who}, rebuilt")
        _arrow(ax, (0.58, y), (0.62, y))
    ax.text(0.73, 0.65, "Each decoder learns one face.\nThe encoder, shared, learns what\nboth have in common: "
            "pose,\nexpression, light.", fontsize=9, va="center")
    shown["swapped frame"] = pasted
    _arrow(ax, (0.707, 0.18), (0.80, 0.18), "paste back,\nblend")
    _picture(fig, pasted, 0.81, 0.18, 0.085, "the swapped frame")
    ax.text(0.5, 0.985, "Encoder-decoder face swap (lab 03 trains it)", ha="center", va="top", fontsize=11)
    fig.shown = shown
    return fig


def gan_picture(run, n: int = 64, seed: int = 0):
    """A GAN in one picture, drawn with ``run``'s own generator and discriminator (lab 01; lab 04 trains it).

    Noise goes into the generator G; its faces and real faces go to the discriminator D, which says real or
    fake; D learns to be right, G learns to make D say "real". ``n`` fresh faces of each kind measure how
    often D is right now. Returns the figure; ``fig.shown`` holds the images drawn and ``fig.accuracy`` D's
    accuracy on (real, fake).
    """
    from skimage.util import montage

    from . import datasets, gan

    G, D = run.G, run.D
    fakes = gan.sample(G, n, seed=seed)
    reals = datasets.load_synthetic_faces(n, G.size, seed=10_000 + seed).images
    accuracy = gan.discriminator_accuracy(D, reals, fakes)

    z = gan.latent(1, seed, G.latent)[0].numpy()
    side = int(math.ceil(math.sqrt(len(z))))
    noise = np.zeros(side * side, np.float32)
    noise[:len(z)] = (np.clip(z, -2.5, 2.5) + 2.5) / 5
    noise = np.repeat(noise.reshape(side, side)[..., None], 3, axis=2)
    tiles = dict(grid_shape=(2, 2), padding_width=2, fill=(1.0, 1.0, 1.0), channel_axis=-1)
    shown = {"noise": noise, "fake": montage(fakes[:4], **tiles), "real": montage(reals[:4], **tiles)}

    fig, ax = _canvas(11, 4.2)
    _picture(fig, noise, 0.04, 0.68, 0.07, f"noise z: {len(z)} numbers")
    _arrow(ax, (0.11, 0.68), (0.15, 0.68))
    _box(ax, 0.15, 0.59, 0.10, 0.18, "generator\nG", "#fce5cd")
    _arrow(ax, (0.25, 0.68), (0.30, 0.68))
    _picture(fig, shown["fake"], 0.30, 0.68, 0.10, "G's faces (fake)")
    _picture(fig, shown["real"], 0.30, 0.24, 0.10, "real faces")
    _arrow(ax, (0.40, 0.66), (0.50, 0.53))
    _arrow(ax, (0.40, 0.26), (0.50, 0.41))
    _box(ax, 0.50, 0.38, 0.11, 0.18, "discriminator\nD", "#cfe2f3")
    _arrow(ax, (0.61, 0.47), (0.66, 0.47))
    ax.text(0.665, 0.47, f"real or fake?\nD is right on {accuracy[0]:.0%} of real\nand {accuracy[1]:.0%} of fake "
            "faces now", va="center", fontsize=9)
    ax.text(0.665, 0.16, "The game: D learns to tell them apart;\nG learns, from D's verdicts, to make D say "
            "\"real\".\nBoth improve in turn.", va="center", fontsize=9)
    ax.text(0.5, 0.985, "Generative adversarial network (lab 04 trains one)", ha="center", va="top", fontsize=11)
    fig.shown, fig.accuracy = shown, accuracy
    return fig


# ====================================================================================================
# Interactive figures (plotly): hover, zoom and toggle where a learner gains from them (lab 06 onwards)

def _numbers(x, name: str, fn: str) -> np.ndarray:
    from .validate import check_finite

    arr = check_finite(x, name, fn).astype(np.float64).ravel()
    if not len(arr):
        raise ValueError(f"{fn}: {name} is empty; give at least one score")
    return arr


def _auc_table(table, fn: str) -> dict:
    """{cue: {generator: auc}} from a nested mapping or the artifacts benchmark's ``auc_<cue>_<generator>`` keys."""
    from .forensics import cue_names

    if not isinstance(table, dict) or not table:
        raise ValueError(f"{fn}: table must be a non-empty dict {{cue: {{generator: auc}}}} or the artifacts "
                         f"benchmark's metrics (keys auc_<cue>_<generator>), got {type(table).__name__}")
    if all(isinstance(v, dict) for v in table.values()):
        nested = table
    else:
        nested = {}
        for key, value in table.items():
            cue = next((c for c in cue_names() if str(key).startswith(f"auc_{c}_")), None)
            if cue is not None:
                nested.setdefault(cue, {})[str(key)[len(cue) + 5:]] = value
        if not nested:
            raise ValueError(f"{fn}: table has no auc_<cue>_<generator> keys for the registered cues {cue_names()}")
    for cue, row in nested.items():
        for gen, value in row.items():
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not 0 <= value <= 1:
                raise ValueError(f"{fn}: table[{cue!r}][{gen!r}] must be an AUC from 0 to 1, got {value!r}")
    return nested


def auc_heatmap(table, baseline=None):
    """Cues × generators AUC heat map (plotly), with the human baseline's accuracy per generator beneath (lab 06).

    ``table`` is ``{cue: {generator: auc}}`` or the artifacts benchmark's metrics. ``baseline`` is
    ``baseline.generator_baseline()`` (or its ``rows``: ``{generator: {"accuracy", "ci", "players", ...}}``); its
    hover gives each accuracy with its 95% Wilson interval and the number of players. 0.5 is chance (white).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    nested = _auc_table(table, "auc_heatmap")
    cues = list(nested)
    gens = list(dict.fromkeys(g for row in nested.values() for g in row))
    z = [[nested[c].get(g, np.nan) for g in gens] for c in cues]
    heat = go.Heatmap(z=z, x=gens, y=cues, zmin=0, zmax=1, zmid=0.5, colorscale="RdBu_r", name="AUC",
                      colorbar={"title": "AUC", "len": 0.75, "y": 0.62},
                      texttemplate="%{z:.2f}", hovertemplate="%{y} against %{x}: AUC %{z:.3f}<extra></extra>")
    if baseline is None:
        fig = go.Figure(heat)
        fig.update_layout(title="Each cue as a detector: AUC per generator (0.5 = chance)",
                          xaxis_title="generator", yaxis_title="cue")
        return fig
    rows = getattr(baseline, "rows", baseline)
    if not isinstance(rows, dict):
        raise ValueError("auc_heatmap: baseline must be baseline.generator_baseline() or a dict {generator: row}, "
                         f"got {type(baseline).__name__}")
    acc, text = [], []
    for g in gens:
        r = rows.get(g)
        if r is None:
            acc.append(np.nan)
            text.append("no answers for this generator")
        else:
            acc.append(float(r["accuracy"]))
            lo, hi = r["ci"]
            plural = "s" if r["players"] != 1 else ""
            text.append(f"{r['accuracy']:.0%} correct [{lo:.0%}, {hi:.0%}], {r['players']} player{plural}, "
                        f"{r['answers']} answers")
    label = "humans" + (" (example player)" if getattr(baseline, "played", True) is False else "")
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.82, 0.18], vertical_spacing=0.04)
    fig.add_trace(heat, row=1, col=1)
    fig.add_trace(go.Heatmap(z=[acc], x=gens, y=[label], zmin=0, zmax=1, colorscale="Greens", showscale=False,
                             name="humans", text=[text], texttemplate="%{z:.0%}",
                             hovertemplate="humans on %{x}: %{text}<extra></extra>"), row=2, col=1)
    fig.update_layout(title="Each cue as a detector (AUC, 0.5 = chance), and people on the same fakes (accuracy)")
    fig.update_xaxes(title_text="generator", row=2, col=1)
    return fig


def roc_figure(y_true, scores, name: str = "detector"):
    """ROC curve (plotly, scikit-learn's ``roc_curve``) whose hover shows each threshold, TPR and FPR (lab 06)."""
    import plotly.graph_objects as go
    from sklearn.metrics import roc_auc_score, roc_curve

    scores = _numbers(scores, "scores", "roc_figure")
    y = _numbers(y_true, "y_true", "roc_figure")
    if len(y) != len(scores):
        raise ValueError(f"roc_figure: y_true has {len(y)} labels but scores has {len(scores)}; give one per item")
    if not set(np.unique(y)) == {0.0, 1.0}:
        raise ValueError("roc_figure: y_true must hold both labels 0 (real) and 1 (fake), and only those")
    if not isinstance(name, str):
        raise ValueError(f"roc_figure: name must be text (the curve's legend), got {type(name).__name__}")
    fpr, tpr, thresholds = roc_curve(y, scores)
    thresholds = np.where(np.isfinite(thresholds), thresholds, scores.max())  # the first point: nothing flagged
    auc = roc_auc_score(y, scores)
    fig = go.Figure([
        go.Scatter(x=fpr, y=tpr, mode="lines+markers", name=f"{name} (AUC {auc:.2f})", customdata=thresholds,
                   hovertemplate="threshold %{customdata:.4g}<br>TPR %{y:.2f}<br>FPR %{x:.2f}<extra></extra>"),
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "grey"}, name="chance",
                   hoverinfo="skip")])
    fig.update_layout(title=f"ROC: {name}", xaxis={"title": "false positive rate (real flagged)", "range": [0, 1]},
                      yaxis={"title": "true positive rate (fakes caught)", "range": [0, 1]})
    return fig


def training_figure(history, title: str = "the image detector on the validation split, after each epoch"):
    """Validation measures after each epoch so far, one line each, for a live training curve (plotly) (lab 07).

    ``history`` is ``{"epoch": [1, 2, ...], name: [value per epoch], ...}``, e.g. ``"val AUC"`` and ``"val log
    loss"``; the y axis runs from 0 to at least 1.05, higher if a value (a log loss) needs it.
    """
    import plotly.graph_objects as go

    fn = "training_figure"
    if not isinstance(history, dict) or "epoch" not in history or len(history) < 2:
        got = sorted(history) if isinstance(history, dict) else type(history).__name__
        raise ValueError(f"{fn}: history must be a dict {{'epoch': [...], name: [one value per epoch], ...}} with at "
                         f"least one measure, got {got}")
    epochs = _numbers(history["epoch"], "history['epoch']", fn)
    series = {}
    for name, values in history.items():
        if name == "epoch":
            continue
        arr = _numbers(values, f"history[{name!r}]", fn)
        if len(arr) != len(epochs):
            raise ValueError(f"{fn}: history[{name!r}] has {len(arr)} values for {len(epochs)} epochs; "
                             "give one per epoch")
        series[str(name)] = arr
    top = max([1.05] + [float(v.max()) + 0.05 for v in series.values()])
    fig = go.Figure([go.Scatter(x=epochs, y=v, mode="lines+markers", name=k) for k, v in series.items()])
    fig.update_layout(title=str(title), xaxis_title="epoch", yaxis_title="value", height=330, yaxis_range=[0, top])
    return fig


def cue_histogram(real, fake, cue: str, current: float | None = None):
    """Overlaid histograms of a cue's scores on real and fake items, with a line at ``current`` (lab 06).

    Traces: 0 real, 1 fake, 2 the current sample's marker (the explorer moves it in place).
    """
    import plotly.graph_objects as go

    real = _numbers(real, "real", "cue_histogram")
    fake = _numbers(fake, "fake", "cue_histogram")
    if not isinstance(cue, str):
        raise ValueError(f"cue_histogram: cue must be the cue's name (text), got {type(cue).__name__}")
    x = [] if current is None else [float(current)] * 2
    fig = go.Figure([go.Histogram(x=real, name="real", opacity=0.6, nbinsx=20),
                     go.Histogram(x=fake, name="fake", opacity=0.6, nbinsx=20),
                     go.Scatter(x=x, y=[0, 1] if x else [], mode="lines", name="this sample", yaxis="y2",
                                line={"color": "black", "width": 3})])
    fig.update_layout(barmode="overlay", title=f"{cue}: real against fake (higher = more likely fake)",
                      xaxis_title=f"{cue} score", yaxis_title="items",
                      yaxis2={"overlaying": "y", "range": [0, 1], "visible": False})
    return fig


def radial_spectra(profiles_by_generator):
    """Azimuthally averaged log spectra per generator (plotly): mean line, hover per radius (lab 06).

    ``profiles_by_generator`` is ``{name: profiles}``, each N×R (``forensics.spectral_profiles``) or one R
    profile; radii are shown as a fraction of the highest frequency (period 2 pixels).
    """
    import plotly.graph_objects as go

    if not isinstance(profiles_by_generator, dict) or not profiles_by_generator:
        raise ValueError("radial_spectra: give a non-empty dict {generator: profiles (N×R or R)}, got "
                         f"{type(profiles_by_generator).__name__}")
    from .validate import check_finite

    fig = go.Figure()
    for name, prof in profiles_by_generator.items():
        arr = check_finite(prof, f"profiles_by_generator[{name!r}]", "radial_spectra").astype(np.float64)
        if arr.ndim not in (1, 2) or arr.shape[-1] < 2:
            raise ValueError(f"radial_spectra: profiles_by_generator[{name!r}] must be N×R or R profiles "
                             f"(forensics.spectral_profiles), got shape {arr.shape}")
        mean = arr.reshape(-1, arr.shape[-1]).mean(axis=0)
        fig.add_trace(go.Scatter(x=np.linspace(0, 1, len(mean)), y=mean, mode="lines", name=str(name),
                                 hovertemplate=f"{name}<br>radius %{{x:.2f}}<br>log10 power %{{y:.2f}}<extra></extra>"))
    fig.update_layout(title="Azimuthal average of the power spectrum (Durall et al. 2020)",
                      xaxis_title="frequency (fraction of the highest)", yaxis_title="mean log10 power")
    return fig
