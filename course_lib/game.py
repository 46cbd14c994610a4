"""What a deepfake is: the three categories as clips, the real-or-fake game and its human baseline (lab 01).

The review this course answers sorts deepfakes by which tracks of a video are synthetic:

* **category 1**: the real video with a fake voice;
* **category 2**: a fake (swapped or re-animated) face with the real voice;
* **category 3**: both, like the "In Event of Moon Disaster" film, where the lips were re-drawn to match a
  converted voice.

A clip's ``labels`` (``synth.Clip.labels``) say, track by track, what is synthetic: face ``real`` or
``swapped``, voice ``real``, ``synthetic`` (text-to-speech) or ``converted`` (speech-to-speech), lips ``real``
or ``synced`` (re-drawn from the audio). ``category`` turns labels into 0 (real) to 3; ``track_clips`` makes
one clip for every setting of the three tracks, with the course's own swapper and voice converter.

**The game.** ``round_plan`` draws a seeded, balanced set of things to judge (half real, half fake; every fake
source and, for fairness, every real item in the *format* of one fake source, so that size or framing never
gives the answer away); ``make_round`` renders them; ``Game`` records each answer with the time it took;
``score`` gives the accuracy with a Wilson confidence interval; and ``save_session`` keeps every session in
``config.data_dir()/human_baseline.json`` (written atomically, sessions appended), so that labs 06 and 07 can
put the human baseline (``human_baseline``) beside each detector.

Everything here is a plain function or a small class that tests call; ``widgets.real_or_fake`` and
``widgets.track_viewer`` only wire buttons to it.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import checkpoints, config, synth
from .validate import check_seed

# ====================================================================================================
# 1. The three categories

TRACKS = {  # the values each track's label takes, real first
    "face": ("real", "swapped"),
    "voice": ("real", "synthetic", "converted"),
    "lips": ("real", "synced"),
}
CATEGORY_NAMES = ("real", "(1) fake voice", "(2) fake face", "(3) both")


def _check_labels(labels, fn: str) -> dict:
    if not isinstance(labels, dict):
        raise ValueError(f"{fn}: give a labels dict such as clip.labels, e.g. {synth.REAL_LABELS}, got "
                         f"{type(labels).__name__}")
    missing = [k for k in TRACKS if k not in labels]
    if missing:
        raise ValueError(f"{fn}: labels need the keys {list(TRACKS)}; missing {missing}")
    for track, allowed in TRACKS.items():
        if labels[track] not in allowed:
            raise ValueError(f"{fn}: labels[{track!r}] must be one of {allowed}, got {labels[track]!r}")
    return labels


def category(labels: dict) -> int:
    """0 for a real clip, else the category: 1 fake voice only, 2 fake video only, 3 both (lab 01).

    The video is fake when the face is swapped *or* the lips were re-drawn (``synced``): a re-drawn mouth is
    synthetic video, as in the Nixon film. The voice is fake when it is ``synthetic`` or ``converted``.
    """
    labels = _check_labels(labels, "category")
    video_fake = labels["face"] != "real" or labels["lips"] != "real"
    voice_fake = labels["voice"] != "real"
    return int(voice_fake) + 2 * int(video_fake)


def track_clips(swapper, converter, *, actor: str = "ben", line: str | None = None, seconds: float = 3.0,
                size: int = 64, seed: int = 0) -> dict:
    """One clip for each setting of the three tracks, all appearing to show ``swapper``'s target (lab 01).

    Keys are (face, voice, lips) with face "real"/"swapped", voice "real"/"converted", lips "real"/"synced".
    The person is ``swapper.names[-1]`` (Gus for the shipped swapper); a swapped face is put on footage of the
    performer ``swapper.names[0]`` (Farah), whose real voice it keeps. The fake voice is ``actor`` reading
    ``line`` (a line nobody in the synthetic world said), turned into the person's voice by ``converter``
    (``voice.fit_converter`` from the actor's to the person's recordings). Real lips move with the footage's
    own words; synced lips are re-drawn from the clip's audio (``lipsync.lipsync_clip``).
    """
    from . import lipsync, swap, voice

    seed = check_seed(seed)
    if not 0.5 <= float(seconds) <= 30:
        raise ValueError(f"track_clips: seconds must lie between 0.5 and 30, got {seconds!r}")
    performer, person = swapper.names[0], swapper.names[-1]
    fake_voice = speak_as(converter, line or voice.NEW_LINES[1], actor, seed)
    texts = {person: synth.SENTENCES[(seed + 3) % len(synth.SENTENCES)],
             performer: synth.SENTENCES[(seed + 7) % len(synth.SENTENCES)]}
    clips = {}
    for face in TRACKS["face"]:
        who = person if face == "real" else performer
        ident = synth.cast(who)
        own = synth.speak(ident, texts[who], seed=seed)
        for voice_label in ("real", "converted"):
            speech = own if voice_label == "real" else fake_voice
            for lips in TRACKS["lips"]:
                if lips == "synced":
                    clip = lipsync.lipsync_clip(ident, speech, voice=voice_label, seconds=seconds, size=size, seed=seed)
                else:
                    clip = synth.talking_clip(ident, seconds=seconds, size=size, seed=seed, speech=own)
                    if voice_label != "real":
                        clip = lipsync.replace_voice(clip, speech, voice_label)
                if face == "swapped":
                    clip = swap.swap_clip(swapper, clip, to=person)
                clips[(face, voice_label, lips)] = clip
    return clips


def speak_as(converter, line: str, actor: str = "ben", seed: int = 0):
    """``actor`` reads ``line`` and ``converter`` turns the reading into its target's voice: a ``Speech`` (lab 01).

    Speech-to-speech, as for the Nixon film: the words and timing are the actor's, the voice the target's.
    """
    from . import voice

    reading = synth.speak(synth.cast(actor), line, seed=seed)
    return voice.with_audio(reading, voice.convert(reading.audio, converter))


def full_fake(swapper, converter, line: str, actor: str = "ben", seconds: float | None = None, size: int = 64,
              seed: int = 0):
    """Category 3: ``swapper``'s second person saying ``line``, which they never said (lab 01).

    The actor's reading is converted into that person's voice (``speak_as``), the performer
    (``swapper.names[0]``) is driven by that audio so that the lips match it (``lipsync.lipsync_clip``), and the
    swapper puts the person's face on the performer. Used with consent, this is a reanimation.
    """
    from . import lipsync, swap

    speech = speak_as(converter, line, actor, seed)
    performance = lipsync.lipsync_clip(synth.cast(swapper.names[0]), speech, voice="converted", seconds=seconds,
                                       size=size, seed=seed)
    return swap.swap_clip(swapper, performance, to=swapper.names[-1])


def disclose(clip, note: str, band: str = "SYNTHETIC"):
    """A copy of ``clip`` with a visible label burned into every frame and ``truth["disclosure"]`` set (lab 01).

    Lab 00's third rule, "label what you make": the label travels with the pixels, not only with a file name.
    """
    import cv2

    if not isinstance(note, str) or not note.strip():
        raise ValueError("disclose: give a note that says what was synthesised and with whose consent")
    frames = np.array(clip.frames, np.float32, copy=True)
    h, w = frames.shape[1:3]
    bar = max(8, h // 8)
    frames[:, h - bar:] = frames[:, h - bar:] * 0.35  # a dark band at the bottom
    scale = bar / 22.0
    size, _ = cv2.getTextSize(band, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    x, y = max(1, (w - size[0]) // 2), h - max(1, (bar - size[1]) // 2)
    ink = np.zeros((h, w), np.uint8)  # OpenCV draws text on 8-bit images only: draw it once, as a mask
    cv2.putText(ink, band, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, 255, 1, cv2.LINE_AA)
    ink[:h - bar] = 0  # the letters stay inside the band; the picture above it is untouched
    alpha = (ink.astype(np.float32) / 255.0)[None, :, :, None]
    frames = frames * (1 - alpha) + alpha  # white letters, anti-aliased
    truth = {**clip.truth, "disclosure": note.strip()}
    return replace(clip, frames=np.clip(frames, 0, 1), truth=truth)


# ====================================================================================================
# 2. Kinds of synthesis: text-to-speech, speech-to-speech, image-to-image

MEDIA = {"text": "text", "speech": "speech", "audio": "speech", "voice": "speech", "image": "image",
         "video": "image", "frames": "image"}


def synthesis_kind(source: str, target: str) -> str:
    """Name a synthesis step by what goes in and what comes out, e.g. ("text", "speech") → "text-to-speech" (lab 01).

    Audio and voice count as speech; video and frames count as image (video is synthesised frame by frame).
    """
    kinds = []
    for name, value in (("source", source), ("target", target)):
        key = value.strip().lower() if isinstance(value, str) else value
        if key not in MEDIA:
            raise ValueError(f"synthesis_kind: {name} must be one of {sorted(MEDIA)}, got {value!r}")
        kinds.append(MEDIA[key])
    return f"{kinds[0]}-to-{kinds[1]}"


@dataclass(frozen=True)
class Step:
    """One machine step of a deepfake pipeline: what it does, the library function, its input and output (lab 01)."""

    what: str
    function: str
    source: str
    target: str


CONVERT = Step("turn an actor's reading into the person's voice", "voice.convert", "speech", "speech")
SPEAK = Step("read a script in the person's voice", "synth.speak", "text", "speech")
LIPSYNC = Step("re-draw the performer's lips from the new voice", "lipsync.lipsync_clip", "speech", "video")
SWAP = Step("put the person's face on the performer, frame by frame", "swap.swap_frames", "video", "video")
PASTE = Step("paste a face by warping triangles and blending", "faces.classical_swap", "image", "image")

PIPELINES = {  # how the course makes each kind of clip (labs 02, 03 and 05)
    "(1) fake voice": (CONVERT,),
    "(1) fake voice, from a script": (SPEAK,),
    "(2) fake face": (SWAP,),
    "(3) both": (CONVERT, LIPSYNC, SWAP),
    "cheapfake (lab 02)": (PASTE,),
    "dubbing a corrected line": (SPEAK, LIPSYNC),
}


# ====================================================================================================
# 3. The real-or-fake game: a seeded, balanced round

IMAGE_FAKES = ("autoencoder swap", "GAN sample", "cheapfake")  # labs 03, 04, 02
CLIP_FAKES = ("(1) fake voice", "(2) fake face", "(3) both")
DISPLAY = 192  # every image is shown this many pixels wide, whatever its size


@dataclass(frozen=True)
class PlanEntry:
    """One thing to judge, before it is made: media, source, ground truth, format and its own seed (lab 01).

    ``format`` is the fake source whose look (size, framing, person) the item has: a real item in the format
    "GAN sample" is a real render made the way the GAN's training faces were.
    """

    index: int
    media: str  # "image" or "clip"
    source: str  # "real" or one of IMAGE_FAKES / CLIP_FAKES
    fake: bool
    format: str
    seed: int


def _balanced(n: int, fake_sources, rng, media: str, start: int) -> list[PlanEntry]:
    sources = list(fake_sources)
    if n and not sources:  # every real item takes a fake source's format, so even an all-real draw needs one
        raise ValueError(f"round_plan: {n} {media}s need at least one fake source; give some or ask for 0 {media}s")
    n_fake = n // 2 + (int(rng.integers(2)) if n % 2 else 0)
    order = [sources[i] for i in rng.permutation(len(sources))] if sources else []
    fakes = [order[i % len(order)] for i in range(n_fake)]
    formats = [order[(i + n_fake) % len(order)] for i in range(n - n_fake)]
    entries = [(media, s, True, s) for s in fakes] + [(media, "real", False, f) for f in formats]
    entries = [entries[i] for i in rng.permutation(len(entries))]
    seeds = rng.integers(0, 2**31 - 1, size=len(entries))
    return [PlanEntry(start + k, m, s, fk, f, int(sd)) for k, ((m, s, fk, f), sd) in enumerate(zip(entries, seeds))]


def round_plan(n_images: int = 12, n_clips: int = 4, seed: int = 0, image_sources=IMAGE_FAKES,
               clip_sources=CLIP_FAKES) -> list[PlanEntry]:
    """A seeded, balanced round: images first, then clips; half of each real, fakes spread over the sources (lab 01).

    With an odd count the extra item is real or fake by the seed's coin. Each real item takes the format of one
    fake source in turn, so that no size or framing gives the answer away. The same seed gives the same plan.
    """
    seed = check_seed(seed)
    for name, n in (("n_images", n_images), ("n_clips", n_clips)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 0 <= n <= 200:
            raise ValueError(f"round_plan: {name} must be a whole number from 0 to 200, got {n!r}")
    if n_images + n_clips == 0:
        raise ValueError("round_plan: a round needs at least one image or clip")
    for name, sources, allowed in (("image_sources", image_sources, IMAGE_FAKES),
                                   ("clip_sources", clip_sources, CLIP_FAKES)):
        bad = [s for s in sources if s not in allowed]
        if bad or len(set(sources)) != len(tuple(sources)):
            raise ValueError(f"round_plan: {name} must be distinct names from {allowed}, got {tuple(sources)}")
    rng = np.random.default_rng([seed, 0x0F4E])
    images = _balanced(int(n_images), image_sources, rng, "image", 0)
    clips = _balanced(int(n_clips), clip_sources, rng, "clip", len(images))
    return images + clips


@dataclass
class Item:
    """One rendered thing to judge: an image (PNG) or a clip (an HTML <video>), with its ground truth (lab 01)."""

    id: str
    media: str
    source: str
    fake: bool
    format: str
    png: bytes = field(default=b"", repr=False)
    html: str = field(default="", repr=False)
    image: np.ndarray | None = field(default=None, repr=False)
    labels: dict = field(default_factory=dict)

    @property
    def truth(self) -> str:
        """ "fake" or "real" (lab 01)."""
        return "fake" if self.fake else "real"


def _person(seed: int):
    return synth.identity(10_000 + seed % 1_000_000)  # beyond the cast's seeds


def _state(seed: int):
    return synth.random_states(1, seed=seed)[0]


def _png(img: np.ndarray) -> bytes:
    from . import media

    return media.png_bytes(img, scale=max(1, int(math.ceil(DISPLAY / img.shape[0]))))


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
    for name, clip in clips.items():
        tracks = ", ".join(f"{k} {clip.labels[k]}" for k in TRACKS)
        cells.append(f'<figure style="margin:0 12px 8px 0">{clip_html(clip, width)}<figcaption><b>{html.escape(name)}'
                     f"</b><br><small>{html.escape(tracks)}</small></figcaption></figure>")
    return f'<div class="clip-gallery" style="display:flex;flex-wrap:wrap">{"".join(cells)}</div>'


def _image_item(entry: PlanEntry, swapper, generator) -> tuple[np.ndarray, dict]:
    from . import faces

    fmt, s = entry.format, entry.seed
    if fmt == "autoencoder swap":
        size = 2 * swapper.size
        if entry.fake:
            img, pts, _ = synth.render(synth.cast(swapper.names[0]), _state(s), size=size, seed=s)
            from . import swap

            img = swap.swap_frames(swapper, img[None], pts[None], swapper.names[-1])[0]
            return img, {"face": "swapped"}
        return synth.render(synth.cast(swapper.names[-1]), _state(s), size=size, seed=s)[0], {"face": "real"}
    if fmt == "GAN sample":
        if entry.fake:
            from . import gan

            return gan.sample(generator, 1, seed=s)[0], {"face": "generated"}
        return synth.render(_person(s), _state(s), size=generator.size, seed=s)[0], {"face": "real"}
    # cheapfake: a random person's face pasted onto another random person (lab 02's classical swap)
    size = 128
    target, target_pts, _ = synth.render(_person(s), _state(s), size=size, seed=s)
    if not entry.fake:
        return target, {"face": "real"}
    donor, donor_pts, _ = synth.render(_person(s + 1), _state(s + 1), size=size, seed=s + 1)
    return faces.classical_swap(donor, donor_pts, target, target_pts).image, {"face": "swapped"}


def _clip_item(entry: PlanEntry, swapper, converter, seconds: float, size: int, actor: str):
    from . import lipsync, swap, voice

    s = entry.seed
    rng = np.random.default_rng([s, 0xC1])
    performer, person = swapper.names[0], swapper.names[-1]
    who = performer if entry.source == "(2) fake face" else person
    text = synth.SENTENCES[int(rng.integers(len(synth.SENTENCES)))]
    line = voice.NEW_LINES[int(rng.integers(len(voice.NEW_LINES)))]
    if entry.source == "(3) both":
        return full_fake(swapper, converter, line, actor, seconds, size, s)
    clip = synth.talking_clip(synth.cast(who), seconds=seconds, size=size, seed=s,
                              speech=synth.speak(synth.cast(who), text, seed=s))
    if entry.source == "(1) fake voice":
        clip = lipsync.replace_voice(clip, speak_as(converter, line, actor, s), "converted")
    if entry.source == "(2) fake face":
        clip = swap.swap_clip(swapper, clip, to=person)
    return clip


def make_round(plan, swapper=None, generator=None, converter=None, *, clip_seconds: float = 2.0,
               clip_size: int = 64, actor: str = "ben") -> list[Item]:
    """Render a ``round_plan``: images as PNGs, clips as embedded mp4s with sound, each with its truth (lab 01).

    ``swapper`` (``swap.pretrained()``) makes the swaps and the clips' swapped faces, and its second person
    is the one every clip appears to show; ``generator`` (a GAN's G) makes the GAN samples; ``converter``
    (``voice.fit_converter`` from ``actor`` to that person) makes the fake voices. Each is needed only if the
    plan holds items that use it. The same plan and models give the same items.
    """
    plan = list(plan)
    if not plan or not all(isinstance(e, PlanEntry) for e in plan):
        raise ValueError("make_round: give the list that round_plan(...) returns")
    needs = {"swapper": any(e.format == "autoencoder swap" or e.media == "clip" for e in plan),
             "generator": any(e.format == "GAN sample" for e in plan),
             "converter": any(e.media == "clip" and e.source in ("(1) fake voice", "(3) both") for e in plan)}
    given = {"swapper": swapper, "generator": generator, "converter": converter}
    missing = [k for k, need in needs.items() if need and given[k] is None]
    if missing:
        raise ValueError(f"make_round: this plan needs {missing} (swap.pretrained(), gan.pretrained_run().G, "
                         "voice.fit_converter(...)); or plan without those sources")
    items = []
    for entry in plan:
        item_id = f"{entry.index:02d}-{entry.seed:08x}"
        if entry.media == "image":
            img, labels = _image_item(entry, swapper, generator)
            items.append(Item(item_id, "image", entry.source, entry.fake, entry.format, png=_png(img), image=img,
                              labels=labels))
        else:
            clip = _clip_item(entry, swapper, converter, clip_seconds, clip_size, actor)
            items.append(Item(item_id, "clip", entry.source, entry.fake, entry.format, html=clip_html(clip),
                              labels=clip.labels))
    return items


# ====================================================================================================
# 3b. How they are made, in one picture each (labs 03 and 04 build them)

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
    from . import faces, swap

    performer, person = swapper.names[0], swapper.names[-1]
    size = swapper.size
    frames = {}
    for name in (performer, person):
        img, pts, _ = synth.render(synth.cast(name), _state(seed), size=2 * size, seed=seed)
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
    from . import evaluators, gan

    G, D = run.G, run.D
    fakes = gan.sample(G, n, seed=seed)
    reals, _ = evaluators.real_faces(n, G.size, seed=10_000 + seed)
    accuracy = gan.discriminator_accuracy(D, reals, fakes)
    from .media import image_grid

    z = gan.latent(1, seed, G.latent)[0].numpy()
    side = int(math.ceil(math.sqrt(len(z))))
    noise = np.zeros(side * side, np.float32)
    noise[:len(z)] = (np.clip(z, -2.5, 2.5) + 2.5) / 5
    noise = np.repeat(noise.reshape(side, side)[..., None], 3, axis=2)
    shown = {"noise": noise, "fake": image_grid(fakes[:4], ncols=2), "real": image_grid(reals[:4], ncols=2)}

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
# 4. Scoring: accuracy with a Wilson interval, and the time taken

def wilson_interval(correct: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval for ``correct`` successes in ``n`` trials (95% for z = 1.96) (lab 01).

    Unlike p ± z·sqrt(p(1−p)/n), it never leaves [0, 1] and does not collapse to a point at 0 or n correct.
    With n = 0 there is no information: (0, 1).
    """
    for name, v in (("correct", correct), ("n", n)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise ValueError(f"wilson_interval: {name} must be a whole number ≥ 0, got {v!r}")
    if correct > n:
        raise ValueError(f"wilson_interval: correct ({correct}) cannot exceed n ({n})")
    if not (isinstance(z, (int, float)) and z > 0):
        raise ValueError(f"wilson_interval: z must be positive, got {z!r}")
    if n == 0:
        return 0.0, 1.0
    p, z2 = correct / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Answer:
    """One answer: which item, its truth, the guess, and how many seconds it took (lab 01)."""

    item: str
    media: str
    source: str
    fake: bool
    guess_fake: bool
    seconds: float

    @property
    def correct(self) -> bool:
        return self.fake == self.guess_fake


@dataclass(frozen=True)
class Score:
    """A set of answers, scored: accuracy with its 95% Wilson interval, mistakes by kind, time (lab 01)."""

    answered: int
    correct: int
    accuracy: float  # nan before the first answer
    ci: tuple
    fakes_called_real: int  # missed fakes
    reals_called_fake: int  # false alarms
    seconds_total: float
    seconds_median: float
    by_source: dict  # source -> [correct, answered]
    by_media: dict  # media -> [correct, answered]

    def to_dict(self) -> dict:
        """Plain values for JSON (lab 01)."""
        d = asdict(self)
        d["ci"] = list(self.ci)
        for key in ("accuracy", "seconds_median"):
            d[key] = None if math.isnan(d[key]) else d[key]
        return d


def _as_answer(a) -> Answer:
    if isinstance(a, Answer):
        return a
    if isinstance(a, dict):
        try:
            return Answer(str(a["item"]), str(a.get("media", "image")), str(a.get("source", "?")), bool(a["fake"]),
                          bool(a["guess_fake"]), float(a.get("seconds", 0.0)))
        except KeyError as exc:
            raise ValueError(f"score: an answer dict needs 'item', 'fake' and 'guess_fake'; missing {exc}") from None
    raise ValueError(f"score: answers must be game.Answer objects or dicts, got {type(a).__name__}")


def score(answers) -> Score:
    """Score answers: accuracy, its Wilson interval, missed fakes, false alarms, time, per source and media (lab 01)."""
    answers = [_as_answer(a) for a in answers]
    n, k = len(answers), sum(a.correct for a in answers)
    by_source: dict = {}
    by_media: dict = {}
    for a in answers:
        for table, key in ((by_source, a.source), (by_media, a.media)):
            cell = table.setdefault(key, [0, 0])
            cell[0] += int(a.correct)
            cell[1] += 1
    secs = [a.seconds for a in answers]
    return Score(n, k, k / n if n else float("nan"), wilson_interval(k, n),
                 sum(a.fake and not a.guess_fake for a in answers), sum(a.guess_fake and not a.fake for a in answers),
                 float(sum(secs)), float(np.median(secs)) if secs else float("nan"), by_source, by_media)


def _guess(guess) -> bool:
    if isinstance(guess, (bool, np.bool_)):
        return bool(guess)
    if isinstance(guess, str) and guess.strip().lower() in ("real", "fake"):
        return guess.strip().lower() == "fake"
    raise ValueError(f"answer: say 'real' or 'fake' (or True for fake), got {guess!r}")


class Game:
    """One session of real-or-fake: shows items in order, records each answer and its time, saves itself (lab 01).

    ``start()`` starts the clock on the first item; ``answer("real" | "fake")`` records it and moves on.
    With ``save=True`` every answer updates this session's record in ``human_baseline.json`` (one record per
    session, so a half-played round still counts). ``clock`` is replaceable for tests.
    """

    def __init__(self, items, *, seed: int | None = None, save: bool = True, path=None, clock=time.monotonic,
                 player: str = "me"):
        self.items = list(items)
        if not self.items or not all(isinstance(i, Item) for i in self.items):
            raise ValueError("Game: give the items that make_round(...) returns")
        self.seed, self.save_enabled, self.path, self.clock, self.player = seed, bool(save), path, clock, str(player)
        self.answers: list[Answer] = []
        self.id = uuid.uuid4().hex[:12]
        self.started_at: str | None = None
        self._shown: float | None = None

    @property
    def started(self) -> bool:
        return self._shown is not None

    @property
    def done(self) -> bool:
        return len(self.answers) >= len(self.items)

    @property
    def current(self) -> Item | None:
        """The item on screen now, or None when the round is over (lab 01)."""
        return None if self.done else self.items[len(self.answers)]

    def start(self) -> Item | None:
        """Start (or restart) the clock on the current item and return it (lab 01)."""
        if self.started_at is None:
            self.started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self._shown = self.clock()
        return self.current

    def answer(self, guess) -> Answer:
        """Record a guess ("real", "fake", or True for fake) for the current item, then show the next (lab 01)."""
        fake_guess = _guess(guess)
        if self.done:
            raise ValueError("answer: the round is over; make a new Game to play again")
        if not self.started:
            self.start()
        item, now = self.current, self.clock()
        ans = Answer(item.id, item.media, item.source, item.fake, fake_guess, round(max(0.0, now - self._shown), 3))
        self.answers.append(ans)
        self._shown = now
        if self.save_enabled:
            self.save()
        return ans

    def score(self) -> Score:
        """The score so far (lab 01)."""
        return score(self.answers)

    def record(self) -> dict:
        """This session as plain JSON values: when, which round, every answer and the score (lab 01)."""
        from . import __version__

        return {"id": self.id, "player": self.player, "started": self.started_at, "seed": self.seed,
                "mode": "fast" if config.is_fast() else "full", "course_version": __version__,
                "n_items": len(self.items), "answers": [{**asdict(a), "correct": a.correct} for a in self.answers],
                "score": self.score().to_dict()}

    def save(self, path=None) -> Path:
        """Write this session into the baseline file (added, or updated in place by its id) (lab 01)."""
        return save_session(self.record(), path or self.path)


# ====================================================================================================
# 5. The human baseline on disk: config.data_dir()/human_baseline.json

BASELINE_FILE = "human_baseline.json"
BASELINE_FORMAT = "deepfake-lab/human-baseline/1"


def baseline_path() -> Path:
    """Where the human baseline lives: ``config.data_dir()/human_baseline.json`` (lab 01)."""
    return config.data_dir() / BASELINE_FILE


@contextmanager
def _locked(path: Path):
    """An advisory lock beside the file, so two kernels saving at once do not lose a session."""
    lock = path.with_name(path.name + ".lock")
    with open(lock, "a+") as handle:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: the atomic replace still keeps the file whole
            pass
        yield


def _read(path: Path) -> dict:
    if not path.exists():
        return {"format": BASELINE_FORMAT, "sessions": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("sessions"), list):
            raise ValueError("no list of sessions")
        return data
    except (ValueError, OSError) as exc:
        kept = path.with_name(f"{path.name}.unreadable-{int(time.time())}")
        os.replace(path, kept)
        print(f"note: {path} could not be read ({exc}); kept it as {kept.name} and started a new baseline")
        return {"format": BASELINE_FORMAT, "sessions": []}


def write_json_atomic(path, data) -> Path:
    """Write JSON to a temporary file beside ``path``, flush it to disk, then rename it into place (lab 01)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return checkpoints.write_atomic(path, json.dumps(data, indent=1).encode("utf-8"))


def save_session(record: dict, path=None) -> Path:
    """Add a session record to the baseline file, or replace the one with the same id; atomic (lab 01)."""
    if not isinstance(record, dict) or not record.get("id") or not isinstance(record.get("answers"), list):
        raise ValueError("save_session: give a session record with an 'id' and a list of 'answers' (Game.record())")
    path = Path(path) if path is not None else baseline_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        data = _read(path)
        sessions = [s for s in data["sessions"] if s.get("id") != record["id"]]
        at = next((i for i, s in enumerate(data["sessions"]) if s.get("id") == record["id"]), len(sessions))
        sessions.insert(at, record)
        return write_json_atomic(path, {"format": BASELINE_FORMAT, "sessions": sessions})


def load_baseline(path=None) -> list[dict]:
    """Every saved session, oldest first (empty when nobody has played yet) (lab 01; used by labs 06 and 07)."""
    path = Path(path) if path is not None else baseline_path()
    if not path.exists():
        return []
    with _locked(path):
        return list(_read(path)["sessions"])


def human_baseline(path=None, media: str | None = None) -> dict:
    """All saved answers pooled: sessions, answered, accuracy with its Wilson interval, per source (lab 01).

    ``media`` ("image" or "clip") keeps only those answers. Labs 06 and 07 print it beside each detector.
    """
    if media not in (None, "image", "clip"):
        raise ValueError(f"human_baseline: media must be None, 'image' or 'clip', got {media!r}")
    sessions = load_baseline(path)
    answers = [a for s in sessions for a in s.get("answers", []) if media is None or a.get("media") == media]
    s = score(answers)
    return {"sessions": sum(1 for x in sessions if x.get("answers")), **s.to_dict()}
