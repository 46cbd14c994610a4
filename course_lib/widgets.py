"""Interactive explorers built from ipywidgets (works with ipywidgets 7 on Colab and 8 elsewhere).

The logic behind every widget is a plain function that tests call directly; the widget only wires
sliders to it, because an ``Output`` widget captures nothing without a browser.
"""
from __future__ import annotations

from . import media, synth

FACE_SLIDERS = {  # name: (min, max, step, default)
    "yaw": (-0.6, 0.6, 0.05, 0.0),
    "pitch": (-0.4, 0.4, 0.05, 0.0),
    "roll": (-0.4, 0.4, 0.05, 0.0),
    "smile": (-1.0, 1.0, 0.1, 0.0),
    "mouth_open": (0.0, 1.0, 0.05, 0.0),
    "eye_open": (0.0, 1.0, 0.05, 1.0),
    "brow_raise": (-1.0, 1.0, 0.1, 0.0),
    "light_azimuth": (-1.2, 1.2, 0.1, 0.5),
}


def face_png(who: str | int, state: dict, size: int = 128, scale: int = 2, landmarks: bool = False) -> bytes:
    """PNG bytes of a cast member (by name) or an identity (by seed) in a given state (lab 00)."""
    import numpy as np

    ident = synth.cast(who) if isinstance(who, str) else synth.identity(int(who))
    img, pts, _ = synth.render(ident, size=size, **state)
    if landmarks:
        img = img.copy()
        for x, y in np.round(pts).astype(int):
            if 0 <= x < size and 0 <= y < size:
                img[y, x] = (0.1, 1.0, 0.2)
    return media.png_bytes(img, scale=scale)


def face_explorer(who: str = "ada", size: int = 128, scale: int = 2):
    """Sliders for pose, expression and light next to a live render of a synthetic face (lab 00)."""
    import ipywidgets as W

    people = sorted(synth.CAST) + ["random"]
    person = W.Dropdown(options=people, value=who, description="person")
    seed = W.IntSlider(value=0, min=0, max=9999, description="seed (random)")
    show_pts = W.Checkbox(value=False, description="show landmarks")
    sliders = {name: W.FloatSlider(value=d, min=lo, max=hi, step=st, description=name, continuous_update=True)
               for name, (lo, hi, st, d) in FACE_SLIDERS.items()}
    image = W.Image(format="png", width=size * scale, height=size * scale)
    image.add_class("face-explorer-image")

    def update(change=None):
        target = seed.value if person.value == "random" else person.value
        state = {k: s.value for k, s in sliders.items()}
        image.value = face_png(target, state, size, scale, show_pts.value)

    for w in (person, seed, show_pts, *sliders.values()):
        w.observe(update, names="value")
    update()
    box = W.HBox([image, W.VBox([person, seed, show_pts, *sliders.values()])])
    box.add_class("face-explorer")
    box.image, box.sliders, box.person = image, sliders, person  # handles for code and tests
    return box


# ----------------------------------------------------------------------------------------------------
# Lab 02: the blend explorer

BLEND_SLIDERS = {  # name: (min, max, step)
    "erosion": (0.0, 16.0, 1.0),
    "feather": (0.0, 10.0, 0.5),
}


def _default_pair(size: int):
    """A source and a target face that differ in skin tone, light and pose, so every artifact shows."""
    src_img, src_pts, _ = synth.render(synth.cast("ada"), size=size, light_azimuth=0.6)
    tgt_img, tgt_pts, _ = synth.render(synth.cast("dara"), size=size, yaw=0.15, smile=0.4, light_azimuth=-0.6,
                                       background=(0.62, 0.7, 0.55))
    return (src_img, src_pts), (tgt_img, tgt_pts)


def blend_view(source, target, erosion: float, feather: float, colour_transfer: bool, blend: str,
               scale: int = 2) -> dict:
    """One setting of the blend explorer: the swap as PNG bytes, its mask, and its seam and colour scores (lab 02).

    ``source`` and ``target`` are (image, landmarks) pairs. Returns a dict with ``png`` (the swapped image),
    ``mask_png``, ``seam`` (``forensics.seam_score`` against the target) and ``colour``
    (``forensics.colour_mismatch``), plus the raw ``image`` and ``mask``.
    """
    import numpy as np

    from . import faces, forensics
    from .validate import check_image

    (src_img, src_pts), (tgt_img, tgt_pts) = source, target
    out = faces.classical_swap(src_img, src_pts, tgt_img, tgt_pts, blend=blend, colour_transfer=bool(colour_transfer),
                               erosion=float(erosion), feather=float(feather))
    tgt = check_image(tgt_img, "blend_view: target image")
    seam = forensics.seam_score(out.image, tgt, out.mask)
    colour = forensics.colour_mismatch(out.image, out.mask)
    mask_rgb = np.repeat(out.mask[..., None], 3, axis=2)
    return {"png": media.png_bytes(out.image, scale=scale), "mask_png": media.png_bytes(mask_rgb, scale=scale),
            "seam": seam, "colour": colour, "image": out.image, "mask": out.mask}


def scores_html(seam: float, colour: float) -> str:
    """The blend explorer's live read-out of the two artifact scores, with what they mean (lab 02)."""
    seam_word = "no visible seam" if seam < 1.3 else "a faint seam" if seam < 2 else "a visible seam"
    colour_word = ("colours match" if colour < 3 else "a slight colour step" if colour < 8
                   else "two different skins")
    return (f"<b>seam score</b> {seam:.2f} <small>(1 = no new edge; {seam_word})</small><br>"
            f"<b>colour mismatch</b> ΔE00 {colour:.1f} <small>(~1 just noticeable; {colour_word})</small>")


def blend_explorer(source=None, target=None, size: int = 160, scale: int = 2):
    """Sliders for mask erosion and feathering, colour transfer and blend mode over a live classical swap (lab 02).

    ``source`` and ``target`` are (image, landmarks) pairs; by default two cast members who differ in skin
    tone, light and pose. The seam and colour-mismatch scores update with every change.
    """
    import ipywidgets as W

    from . import faces
    from .validate import check_image

    if source is None or target is None:
        default_src, default_tgt = _default_pair(size)
        source, target = source or default_src, target or default_tgt
    tgt_pts = target[1]
    (e_lo, e_hi, e_step), (f_lo, f_hi, f_step) = BLEND_SLIDERS["erosion"], BLEND_SLIDERS["feather"]
    erosion = W.FloatSlider(value=min(e_hi, float(round(faces.default_erosion(tgt_pts)))), min=e_lo, max=e_hi,
                            step=e_step, description="erosion (px)", continuous_update=False)
    feather = W.FloatSlider(value=min(f_hi, round(faces.default_feather(tgt_pts) * 2) / 2), min=f_lo, max=f_hi,
                            step=f_step, description="feather σ (px)", continuous_update=False)
    colour = W.Checkbox(value=True, description="colour transfer (Reinhard)")
    blend = W.ToggleButtons(options=list(faces.BLENDS), value="alpha", description="blend")
    h, w = check_image(target[0], "blend_explorer: target image").shape[:2]
    image = W.Image(format="png", width=w * scale, height=h * scale)
    mask_image = W.Image(format="png", width=w * scale // 2, height=h * scale // 2)
    scores = W.HTML()
    image.add_class("blend-explorer-image")

    def update(change=None):
        view = blend_view(source, target, erosion.value, feather.value, colour.value, blend.value, scale)
        image.value, mask_image.value = view["png"], view["mask_png"]
        scores.value = scores_html(view["seam"], view["colour"])
        box.last = view

    controls = {"erosion": erosion, "feather": feather, "colour_transfer": colour, "blend": blend}
    box = W.HBox([image, W.VBox([blend, colour, erosion, feather, scores, W.HTML("<small>mask used</small>"),
                                 mask_image])])
    box.add_class("blend-explorer")
    box.image, box.mask_image, box.scores, box.controls = image, mask_image, scores, controls  # handles for tests
    for wdg in controls.values():
        wdg.observe(update, names="value")
    update()
    return box


# ----------------------------------------------------------------------------------------------------
# Lab 04: the latent explorer

def latent_view(G, seed_a: int, seed_b: int, t: float, directions: dict | None = None, amounts: dict | None = None,
                scale: int = 3, spherical: bool = True) -> dict:
    """One setting of the latent explorer: G's face a fraction ``t`` from code A to code B, edited (lab 04).

    Codes A and B are ``gan.latent(1, seed)``; the mix is moved by ``amounts[name]`` along
    ``directions[name]`` (from ``gan.attribute_directions``). Returns ``png`` (PNG bytes, enlarged ``scale``
    times), ``image`` (H×W×3 in [0, 1]) and ``z`` (the code used).
    """
    from . import gan

    if not 0.0 <= float(t) <= 1.0:
        raise ValueError(f"latent_view: t must lie in [0, 1] (0 = code A, 1 = code B), got {t!r}")
    z_a, z_b = gan.latent(1, seed_a, G.latent)[0], gan.latent(1, seed_b, G.latent)[0]
    z = gan.mix(z_a, z_b, float(t), spherical)
    image = gan.edit(G, z, directions or {}, amounts or {})[0]
    return {"png": media.png_bytes(image, scale=scale), "image": image, "z": z[0]}


def latent_explorer(G, directions: dict | None = None, seed_a: int = 1, seed_b: int = 2, scale: int = 3,
                    limit: float = 4.0):
    """Slide from one GAN face to another and along attribute directions (lab 04).

    Two seeds pick codes A and B, ``t`` moves between them along the sphere, and one slider per direction
    (from ``gan.attribute_directions``) adds ``amount × direction`` to the code. The logic is
    ``latent_view``; this only wires the sliders to it.
    """
    import ipywidgets as W

    directions = dict(directions or {})
    a = W.IntSlider(value=seed_a, min=0, max=9999, description="face A (seed)")
    b = W.IntSlider(value=seed_b, min=0, max=9999, description="face B (seed)")
    t = W.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.05, description="A → B")
    sliders = {name: W.FloatSlider(value=0.0, min=-limit, max=limit, step=0.25, description=name[:18])
               for name in directions}
    size = G.size * scale
    image = W.Image(format="png", width=size, height=size)
    image.add_class("latent-explorer-image")

    def update(change=None):
        view = latent_view(G, a.value, b.value, t.value, directions, {k: s.value for k, s in sliders.items()},
                           scale)
        image.value = view["png"]
        box.last = view

    box = W.HBox([image, W.VBox([a, b, t, *sliders.values()])])
    box.add_class("latent-explorer")
    box.image, box.sliders, box.controls = image, sliders, {"seed_a": a, "seed_b": b, "t": t}  # handles for tests
    for wdg in (a, b, t, *sliders.values()):
        wdg.observe(update, names="value")
    update()
    return box
