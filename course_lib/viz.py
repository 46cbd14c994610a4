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
