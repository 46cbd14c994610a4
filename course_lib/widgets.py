"""Interactive explorers built from ipywidgets (works with ipywidgets 7 on Colab and 8 elsewhere).

The logic behind every widget is a plain function that tests call directly; the widget only wires
sliders to it, because an ``Output`` widget captures nothing without a browser.
"""
from __future__ import annotations

from . import media, synth
from .validate import check_image, check_landmarks, check_object, check_scalar, check_seed

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


def _check_scale(scale, fn: str) -> int:
    return check_scalar(scale, "scale", int, min_val=1, max_val=16, fn=fn)  # a whole enlargement factor


def _check_pair(pair, name: str, fn: str):
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
        raise ValueError(f"{fn}: {name} must be an (image, landmarks) pair, e.g. the first two results of "
                         f"synth.render(...), got {type(pair).__name__}")
    return check_image(pair[0], f"{fn}: {name} image"), check_landmarks(pair[1], name=f"{fn}: {name} landmarks")


def _identity(who, fn: str):
    if isinstance(who, str):
        return synth.cast(who)
    return synth.identity(check_seed(who, f"{fn}: who (a cast name or a seed)"))


def face_png(who: str | int, state: dict, size: int = 128, scale: int = 2, landmarks: bool = False) -> bytes:
    """PNG bytes of a cast member (by name) or an identity (by seed) in a given state (lab 00)."""
    import numpy as np

    ident = _identity(who, "face_png")
    scale = _check_scale(scale, "face_png")
    if not isinstance(state, dict):
        raise ValueError(f"face_png: state must be a dict of FaceState fields, e.g. {{'smile': 0.5}}, got {state!r}")
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
    if who not in people:
        raise ValueError(f"face_explorer: who must be one of {people}, got {who!r}")
    size = check_scalar(size, "size", int, min_val=16, max_val=256, fn="face_explorer")
    scale = _check_scale(scale, "face_explorer")
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

    src_img, src_pts = _check_pair(source, "source", "blend_view")
    tgt_img, tgt_pts = _check_pair(target, "target", "blend_view")
    scale = _check_scale(scale, "blend_view")
    out = faces.classical_swap(src_img, src_pts, tgt_img, tgt_pts, blend=blend, colour_transfer=bool(colour_transfer),
                               erosion=erosion, feather=feather)
    seam = forensics.seam_score(out.image, tgt_img, out.mask)
    colour = forensics.colour_mismatch(out.image, out.mask)
    mask_rgb = np.repeat(out.mask[..., None], 3, axis=2)
    return {"png": media.png_bytes(out.image, scale=scale), "mask_png": media.png_bytes(mask_rgb, scale=scale),
            "seam": seam, "colour": colour, "image": out.image, "mask": out.mask}


def scores_html(seam: float, colour: float) -> str:
    """The blend explorer's live read-out of the two artifact scores, with what they mean (lab 02)."""
    seam = check_scalar(seam, "seam", float, min_val=0.0, fn="scores_html")
    colour = check_scalar(colour, "colour", float, min_val=0.0, fn="scores_html")
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

    size = check_scalar(size, "size", int, min_val=16, max_val=256, fn="blend_explorer")
    scale = _check_scale(scale, "blend_explorer")
    if source is None or target is None:
        default_src, default_tgt = _default_pair(size)
        source = default_src if source is None else source
        target = default_tgt if target is None else target
    source = _check_pair(source, "source", "blend_explorer")
    target = _check_pair(target, "target", "blend_explorer")
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

    check_object(G, "G", gan.Generator, "a run's run.G or gan.pretrained_run().G", "latent_view")
    t = check_scalar(t, "t", float, min_val=0.0, max_val=1.0, fn="latent_view")  # 0 = code A, 1 = code B
    scale = _check_scale(scale, "latent_view")
    z_a = gan.latent(1, check_seed(seed_a, "latent_view: seed_a"), G.latent)[0]
    z_b = gan.latent(1, check_seed(seed_b, "latent_view: seed_b"), G.latent)[0]
    z = gan.mix(z_a, z_b, t, spherical)
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

    from . import gan

    check_object(G, "G", gan.Generator, "a run's run.G or gan.pretrained_run().G", "latent_explorer")
    scale = _check_scale(scale, "latent_explorer")
    limit = check_scalar(limit, "limit", float, min_val=0.25, max_val=100.0, fn="latent_explorer")
    seed_a, seed_b = check_seed(seed_a, "latent_explorer: seed_a"), check_seed(seed_b, "latent_explorer: seed_b")
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


# ----------------------------------------------------------------------------------------------------
# Lab 01: the track viewer and the real-or-fake game

def labels_html(labels: dict) -> str:
    """A clip's labels, track by track, with its category, as one line of HTML (lab 01)."""
    from . import categories

    if not isinstance(labels, dict) or not set(categories.TRACKS) <= set(labels):
        raise ValueError(f"labels_html: labels must be a clip's labels dict with {list(categories.TRACKS)}, got {labels!r}")
    cat = categories.category(labels)
    tracks = " · ".join(f"{track} <b>{labels[track]}</b>" for track in categories.TRACKS)
    return f"{tracks} → <b>{categories.CATEGORY_NAMES[cat]}</b>" + ("" if cat == 0 else f" (category {cat})")


def track_view(clips: dict, face: str, voice: str, lips: str, cache: dict | None = None, width: int = 256) -> dict:
    """One setting of the track viewer: the pre-built clip for (face, voice, lips), its labels and category (lab 01).

    ``clips`` is what ``categories.track_clips`` returns. Returns ``html`` (a <video> that plays with sound),
    ``labels``, ``category`` (0-3), ``name`` and ``caption``. ``cache`` (a dict) keeps each clip's HTML so that
    toggling back does not encode the clip again.
    """
    from . import categories, viz

    if not isinstance(clips, dict):
        raise ValueError(f"track_view: clips must be the dict categories.track_clips() returns, got {type(clips).__name__}")
    width = check_scalar(width, "width", int, min_val=64, max_val=4096, fn="track_view")
    key = (face, voice, lips)
    if key not in clips:
        raise ValueError(f"track_view: no pre-built clip for face={face!r}, voice={voice!r}, lips={lips!r}; "
                         f"there are {sorted(clips)}")
    clip = clips[key]
    html = cache.get(key) if cache is not None else None
    if html is None:
        html = viz.clip_html(clip, width)
        if cache is not None:
            cache[key] = html
    cat = categories.category(clip.labels)
    return {"html": html, "labels": clip.labels, "category": cat, "name": categories.CATEGORY_NAMES[cat],
            "caption": labels_html(clip.labels)}


def track_viewer(clips: dict, width: int = 256):
    """Three toggles (face, voice, lips: real or synthetic) that show the matching pre-built clip and its labels (lab 01).

    The logic is ``track_view``; this only wires the toggles to it.
    """
    import ipywidgets as W

    if not isinstance(clips, dict) or not clips:
        raise ValueError("track_viewer: clips must be the non-empty dict categories.track_clips() returns, "
                         f"got {type(clips).__name__}")
    width = check_scalar(width, "width", int, min_val=64, max_val=4096, fn="track_viewer")
    keys = list(clips)
    toggles = {}
    for pos, track in enumerate(("face", "voice", "lips")):
        options = sorted({k[pos] for k in keys}, key=lambda v: (v != "real", v))
        toggles[track] = W.ToggleButtons(options=options, value=options[0], description=track)
        toggles[track].add_class(f"track-{track}")
    video, caption = W.HTML(), W.HTML()
    video.add_class("track-video")
    caption.add_class("track-labels")
    cache: dict = {}

    def update(change=None):
        view = track_view(clips, toggles["face"].value, toggles["voice"].value, toggles["lips"].value, cache, width)
        video.value, caption.value = view["html"], view["caption"]
        box.last = view

    box = W.VBox([*toggles.values(), caption, video])
    box.add_class("track-viewer")
    box.toggles, box.video, box.caption = toggles, video, caption  # handles for code and tests
    for wdg in toggles.values():
        wdg.observe(update, names="value")
    update()
    return box


def _check_game(game_, fn: str):
    if not all(hasattr(game_, a) for a in ("items", "answers", "score", "started", "done")):
        got = "None" if game_ is None else f"a {type(game_).__name__}"
        raise ValueError(f"{fn}: game_: give a real-or-fake game (from game.Game(...)), got {got}")
    return game_


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def score_html(game_) -> str:
    """The game's score line: answers so far while playing, accuracy with its 95% interval at the end (lab 01).

    During a round it does not say which answers were right, so the round measures what you can already tell,
    not what you learn while playing.
    """
    s, n = _check_game(game_, "score_html").score(), len(game_.items)
    if not game_.done:
        return f"{s.answered} answered · {n - s.answered} to go"
    lo, hi = s.ci
    return (f"{s.answered} answered: {s.correct} correct, accuracy <b>{s.accuracy:.0%}</b> "
            f"(95% CI {lo:.0%}–{hi:.0%}) in {_duration(s.seconds_total)}; fakes you called real: "
            f"{s.fakes_called_real}, real ones you called fake: {s.reals_called_fake}")


def reveal_html(game_) -> str:
    """The end of a round: every item with what it was, your answer and the time you took (lab 01)."""
    rows = []
    for k, a in enumerate(_check_game(game_, "reveal_html").answers, 1):
        mark = "✓" if a.correct else "✗"
        rows.append(f"<tr><td>{k}</td><td>{a.media}</td><td>{a.source}</td><td>{'fake' if a.guess_fake else 'real'}"
                    f"</td><td>{mark}</td><td>{a.seconds:.1f} s</td></tr>")
    head = "<tr><th>#</th><th>media</th><th>it was</th><th>you said</th><th></th><th>time</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def game_view(game_) -> dict:
    """What the real-or-fake game shows now: progress, the item (PNG or <video>), score and reveal (lab 01)."""
    item, n = _check_game(game_, "game_view").current, len(game_.items)
    if not game_.started:
        progress = f"{n} items: {sum(i.media == 'image' for i in game_.items)} images, then " \
                   f"{sum(i.media == 'clip' for i in game_.items)} clips (with sound). Press start."
    elif item is None:
        progress = "Round over."
    else:
        progress = f"Item {len(game_.answers) + 1} of {n} ({item.media}): real or fake?"
    shown = item if game_.started else None
    return {"progress": progress, "media": shown.media if shown else None,
            "png": shown.png if shown is not None and shown.media == "image" else b"",
            "html": shown.html if shown is not None and shown.media == "clip" else "",
            "score": score_html(game_), "reveal": reveal_html(game_) if game_.done else "",
            "buttons": game_.started and not game_.done}


def game_click(game_, guess) -> dict:
    """The logic of the Real and Fake buttons: record the answer, then return the new ``game_view`` (lab 01)."""
    _check_game(game_, "game_click").answer(guess)
    return game_view(game_)


def real_or_fake(game_, size: int = 192):
    """The real-or-fake game: start, then a Real and a Fake button under each image or clip (lab 01).

    The logic is ``game.Game`` (answers, time, saving), ``game_view`` and ``game_click``; this only wires
    buttons to them. CSS classes for scripts and browser tests: ``real-or-fake`` (the box), ``rof-start``,
    ``rof-real``, ``rof-fake``, ``rof-progress``, ``rof-image``, ``rof-clip``, ``rof-score``, ``rof-reveal``.
    """
    import ipywidgets as W

    _check_game(game_, "real_or_fake")
    size = check_scalar(size, "size", int, min_val=32, max_val=2048, fn="real_or_fake")
    start = W.Button(description="start", button_style="primary")
    real = W.Button(description="Real", button_style="success")
    fake = W.Button(description="Fake", button_style="danger")
    progress, clip, score, reveal = W.HTML(), W.HTML(), W.HTML(), W.HTML()
    image = W.Image(format="png", width=size, height=size)
    for wdg, cls in ((start, "rof-start"), (real, "rof-real"), (fake, "rof-fake"), (progress, "rof-progress"),
                     (image, "rof-image"), (clip, "rof-clip"), (score, "rof-score"), (reveal, "rof-reveal")):
        wdg.add_class(cls)

    def show(view: dict) -> None:
        progress.value, score.value, reveal.value = view["progress"], view["score"], view["reveal"]
        if view["media"] == "image":
            image.value = view["png"]
        clip.value = view["html"]
        image.layout.display = None if view["media"] == "image" else "none"
        clip.layout.display = None if view["media"] == "clip" else "none"
        real.disabled = fake.disabled = not view["buttons"]
        start.layout.display = "none" if game_.started else None
        box.last = view

    def on_start(_):
        game_.start()
        show(game_view(game_))

    def on_answer(guess):
        def handler(_):
            if game_.started and not game_.done:
                show(game_click(game_, guess))
        return handler

    start.on_click(on_start)
    real.on_click(on_answer("real"))
    fake.on_click(on_answer("fake"))
    box = W.VBox([progress, start, image, clip, W.HBox([real, fake]), score, reveal])
    box.add_class("real-or-fake")
    box.buttons = {"start": start, "real": real, "fake": fake}  # handles for code and tests
    box.image, box.clip, box.score, box.progress, box.reveal = image, clip, score, progress, reveal
    show(game_view(game_))
    return box
