"""The course's fakes from every generator, each beside real items in the same framing and size (lab 06).

Labs 06 (cues) and 07 (learned detectors) read their data here, so that a detector never wins on framing:
every fake sits beside real items of the same size, framing and kind.

* ``image_sets`` (64×64 by default): ``classical`` (lab 02's ``faces.classical_swap``, alpha blend with colour
  transfer, of one person onto another, against the untouched target frames); ``autoencoder`` (the shipped
  full-mode swapper turning its performer's frames into its other person, against the same frames unswapped);
  ``gan`` (the shipped ``gan-full`` run's samples against real renders of people drawn as its training faces
  were, ``datasets.load_synthetic_faces``; a GAN sample has no landmarks, so both sides use the real renders'
  mean landmarks as the face region).
* ``clip_sets`` (talking clips, 128×128): ``autoencoder`` (``swap.swap_clip``), ``lipsync`` (the person's lips
  driven by a text-to-speech line, ``lipsync.lipsync_clip``) and ``dub`` (the person's real footage with an
  actor's converted voice, ``lipsync.replace_voice``: lab 01's category 1), against the person's real clips.
* ``audio_sets``: ``tts`` (``synth.speak`` on lines nobody said) and ``conversion`` (an actor's reading converted
  to the person's voice) against the person's own recordings of the course's sentences.

Who appears is a parameter (``people``), so that lab 07 can split by identity: ``FakeSet.real_people`` and
``fake_people`` give each item's identity seed (``synth.Identity.seed``; -1 for a GAN sample, which is nobody).
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .validate import check_scalar, check_seed

SEED = 6
SIZE, CLIP_SIZE = 64, 128
IMAGE_GENERATORS = ("classical", "autoencoder", "gan")
CLIP_GENERATORS = ("autoencoder", "lipsync", "dub")
AUDIO_GENERATORS = ("tts", "conversion")
NOBODY = -1  # the identity of a GAN sample


class FakeSet(NamedTuple):
    """Real and fake images (N×S×S×3), their 68-point landmarks (N×68×2) and identity seeds (N,) (lab 06)."""

    real: np.ndarray
    fake: np.ndarray
    real_landmarks: np.ndarray
    fake_landmarks: np.ndarray
    real_people: np.ndarray
    fake_people: np.ndarray


class ClipSet(NamedTuple):
    """Real and fake ``synth.Clip`` lists of the same person, size and length (lab 06)."""

    real: list
    fake: list


class AudioSet(NamedTuple):
    """Real and fake recordings (lists of mono float32 arrays at 16 kHz), one pair per line (lab 06)."""

    real: list
    fake: list


def _check_generators(generators, known: tuple, fn: str) -> tuple:
    if generators is None:
        return known
    if isinstance(generators, str):
        generators = (generators,)
    try:
        chosen = tuple(generators)
    except TypeError:
        raise ValueError(f"{fn}: generators must be a name or a list of names from {known}, "
                         f"got {generators!r}") from None
    bad = [g for g in chosen if g not in known]
    if bad or not chosen:
        raise ValueError(f"{fn}: generators must be names from {known}, got {list(chosen)!r}")
    return chosen


def _check_n(n, fn: str) -> int:
    return check_scalar(n, "n", int, min_val=1, max_val=10_000, fn=fn)


def _check_people(people, fn: str, minimum: int = 1) -> list[int] | None:
    if people is None:
        return None
    if isinstance(people, (str, bytes)) or not hasattr(people, "__len__") or len(people) < minimum:
        raise ValueError(f"{fn}: people must be a list of at least {minimum} identity seeds (whole numbers), "
                         f"got {people!r}")
    return [check_seed(p, f"{fn}: people[{i}]") for i, p in enumerate(people)]


def face_pairs(n: int, size: int = SIZE, seed: int = SEED, people=None) -> list:
    """``n`` (source, target) pairs of distinct synthetic people: ((img, pts), (img, pts)) (lab 02, lab 06).

    ``people`` (identity seeds, at least 2) picks who appears: pair ``i`` pastes ``people[(i+1) % k]`` onto
    ``people[i % k]``. By default ``2n`` distinct people are drawn from ``seed``.
    """
    n = _check_n(n, "face_pairs")
    size = check_scalar(size, "size", int, min_val=32, max_val=256, fn="face_pairs")
    seed = check_seed(seed, "face_pairs: seed")
    people = _check_people(people, "face_pairs", minimum=2)
    return _face_pairs(n, size, seed, people)[0]


def _face_pairs(n, size, seed, people):
    from . import synth

    if people is None:
        rng = np.random.default_rng([seed, 0xC4EA9])
        seeds = [int(s) for s in rng.choice(100_000, size=2 * n, replace=False)]
    else:
        k = len(people)
        seeds = [people[j] for i in range(n) for j in ((i + 1) % k, i % k)]
    faces = synth.render_batch([synth.identity(s) for s in seeds], synth.random_states(2 * n, seed, pose=0.6),
                               size=size, seed=seed)
    pairs = [((faces.images[2 * i], faces.landmarks[2 * i]), (faces.images[2 * i + 1], faces.landmarks[2 * i + 1]))
             for i in range(n)]
    return pairs, seeds


def image_sets(n: int = 24, seed: int = SEED, size: int = SIZE, generators=None, people=None) -> dict:
    """``{generator: FakeSet}`` of ``n`` real and ``n`` fake images each, at ``size``×``size`` (lab 06).

    ``generators`` picks some of ``IMAGE_GENERATORS`` (default all). ``people`` (identity seeds) picks who is
    in the classical swaps (at least 2) and in the GAN's real side; the autoencoder swaps the two people its
    shipped model knows (``swap.PAIR``), whatever ``people`` says. The GAN makes 64×64 samples only.
    """
    fn = "image_sets"
    n, seed = _check_n(n, fn), check_seed(seed, f"{fn}: seed")
    size = check_scalar(size, "size", int, min_val=32, max_val=256, fn=fn)
    chosen = _check_generators(generators, IMAGE_GENERATORS, fn)
    people = _check_people(people, fn, minimum=2 if "classical" in chosen else 1)
    if "gan" in chosen and size != SIZE:
        raise ValueError(f"{fn}: the shipped GAN makes {SIZE}×{SIZE} samples; use size={SIZE} or leave 'gan' out "
                         "of generators")
    build = {"classical": _classical, "autoencoder": _autoencoder_images, "gan": _gan}
    return {g: build[g](n, seed, size, people) for g in chosen}


def _classical(n, seed, size, people) -> FakeSet:
    from . import faces

    pairs, seeds = _face_pairs(n, size, seed, people)
    fakes = [faces.classical_swap(s_img, s_pts, t_img, t_pts).image for (s_img, s_pts), (t_img, t_pts) in pairs]
    reals, pts = np.stack([t[0] for _, t in pairs]), np.stack([t[1] for _, t in pairs])
    targets = np.array(seeds[1::2])
    return FakeSet(reals, np.stack(fakes), pts, pts, targets, targets.copy())


def _autoencoder_images(n, seed, size, people) -> FakeSet:
    from . import swap, synth

    model = swap.pretrained(mode="full", device="cpu")
    performer = synth.cast(model.names[0])
    frames = synth.render_batch([performer] * n, synth.random_states(n, seed + 1), size=size, seed=seed + 1)
    swapped = swap.swap_frames(model, frames.images, frames.landmarks, model.names[-1])
    who = np.full(n, performer.seed)
    return FakeSet(frames.images, swapped, frames.landmarks, frames.landmarks, who, who.copy())


def _gan(n, seed, size, people) -> FakeSet:
    from . import datasets, gan, synth

    if people is None:  # drawn as the GAN's training faces were
        real = datasets.load_synthetic_faces(n, size, seed=seed + 2)
        images, landmarks, seeds = real.images, real.landmarks, np.asarray(real.seeds)
    else:
        seeds = np.array([people[i % len(people)] for i in range(n)])
        real = synth.render_batch([synth.identity(int(s)) for s in seeds], synth.random_states(n, seed=seed + 2),
                                  size=size, seed=seed + 2)
        images, landmarks = real.images, real.landmarks
    mean_pts = np.broadcast_to(landmarks.mean(axis=0), (n, 68, 2))
    samples = gan.pretrained_run("full", "cpu").sample(n, seed=seed)
    return FakeSet(images, samples, mean_pts, mean_pts, seeds, np.full(n, NOBODY))


@lru_cache(maxsize=16)
def converter(target: str, enrol: int = 4, actor: str = "ben"):
    """A converter from ``actor``'s voice to ``target``'s, fitted on ``enrol`` recordings of each (lab 06)."""
    from . import synth, voice

    synth.cast(target), synth.cast(actor)  # a clear error for an unknown name
    enrol = check_scalar(enrol, "enrol", int, min_val=1, max_val=64, fn="converter")
    return voice.fit_converter(voice.enrolment(actor, enrol), voice.enrolment(target, enrol))


def clip_sets(n: int = 3, seed: int = SEED, size: int = CLIP_SIZE, generators=None, seconds: float = 3.0,
              enrol: int = 2, person: str | None = None) -> dict:
    """``{generator: ClipSet}``: ``n`` real talking clips of ``person`` and ``n`` fakes of each kind (lab 06).

    ``person`` (a cast name) defaults to the shipped swapper's performer, the only one the ``autoencoder``
    fakes can show. ``enrol`` recordings per speaker fit the dub's voice converter.
    """
    from . import swap, synth

    fn = "clip_sets"
    n, seed = _check_n(n, fn), check_seed(seed, f"{fn}: seed")
    size = check_scalar(size, "size", int, min_val=64, max_val=512, fn=fn)
    seconds = check_scalar(seconds, "seconds", float, min_val=1.0, max_val=60.0, fn=fn)
    enrol = check_scalar(enrol, "enrol", int, min_val=1, max_val=64, fn=fn)
    chosen = _check_generators(generators, CLIP_GENERATORS, fn)
    performer = swap.PAIR[0] if person is None else synth.cast(person).name
    if "autoencoder" in chosen and performer != swap.PAIR[0]:
        raise ValueError(f"{fn}: person {person!r}: the shipped swapper only swaps {swap.PAIR[0]!r}'s frames; "
                         "use that person or leave 'autoencoder' out of generators")
    return _clip_sets(n, seed, size, chosen, seconds, enrol, performer)


def _clip_sets(n, seed, size, chosen, seconds, enrol, performer) -> dict:
    from . import categories, lipsync, swap, synth, voice

    kw = dict(seconds=seconds, size=size)
    ident = synth.cast(performer)
    real = [synth.talking_clip(ident, seed=seed + i, **kw) for i in range(n)]
    lines = [voice.NEW_LINES[i % len(voice.NEW_LINES)] for i in range(n)]

    def autoencoder():
        model = swap.pretrained(mode="full", device="cpu")
        return [swap.swap_clip(model, c, to=model.names[-1]) for c in real]

    def lipsync_fakes():
        return [lipsync.lipsync_clip(ident, synth.speak(ident, line, seed=i), voice="synthetic", seed=seed + i, **kw)
                for i, line in enumerate(lines)]

    def dub():
        conv = converter(performer, enrol)
        return [lipsync.replace_voice(c, categories.speak_as(conv, line, seed=i), "converted")
                for i, (c, line) in enumerate(zip(real, lines))]

    build = {"autoencoder": autoencoder, "lipsync": lipsync_fakes, "dub": dub}
    return {g: ClipSet(real, build[g]()) for g in chosen}


def audio_sets(n: int = 4, seed: int = SEED, generators=None, people=None, enrol: int = 2) -> dict:
    """``{generator: AudioSet}``: ``n`` recordings of the cast's own voices against ``n`` fakes of each kind (lab 06).

    ``people`` (cast names) take turns, line by line (default: the first two of ``sorted(synth.CAST)``).
    """
    from . import synth

    fn = "audio_sets"
    n, seed = _check_n(n, fn), check_seed(seed, f"{fn}: seed")
    enrol = check_scalar(enrol, "enrol", int, min_val=1, max_val=64, fn=fn)
    chosen = _check_generators(generators, AUDIO_GENERATORS, fn)
    if people is None:
        people = sorted(synth.CAST)[:2]
    if isinstance(people, str) or not hasattr(people, "__len__") or not people:
        raise ValueError(f"{fn}: people must be a list of cast names from {sorted(synth.CAST)}, got {people!r}")
    names = [synth.cast(p).name for p in people]
    return _audio_sets(n, seed, chosen, names, enrol)


def _audio_sets(n, seed, chosen, names, enrol) -> dict:
    from . import categories, synth, voice

    who = [names[i % len(names)] for i in range(n)]
    real = [synth.speak(synth.cast(p), synth.SENTENCES[(i + 5) % len(synth.SENTENCES)], seed=seed + i).audio
            for i, p in enumerate(who)]
    line = lambda i: voice.NEW_LINES[i % len(voice.NEW_LINES)]  # noqa: E731
    build = {
        "tts": lambda: [synth.speak(synth.cast(p), line(i), seed=seed + i).audio for i, p in enumerate(who)],
        "conversion": lambda: [categories.speak_as(converter(p, enrol), line(i), seed=i).audio
                               for i, p in enumerate(who)],
    }
    return {g: AudioSet(real, build[g]()) for g in chosen}


# ----------------------------------------------------------------------------------------------------
# The blink story of 2018: a swapper that never saw closed eyes makes faces that do not blink

OPEN_EYES = 0.5  # a training frame counts as open-eyed when FaceState.eye_open is at least this
BLINK_CODE = 64  # the blink-story swappers' dense code: 64 numbers, one vector, no 8×8 map
BLINK_STEPS = 1000  # their training steps; every other setting is lab 03's FAST swapper's
BLINK_FRAMES = ("open_eyes", "all_frames")  # what the drawn face's decoder is trained on
BLINK_WEIGHTS = {"open_eyes": "swap-blink-openeyes-fast", "all_frames": "swap-blink-allframes-fast"}


def _check_frames(frames, fn: str) -> str:
    if not isinstance(frames, str) or frames not in BLINK_FRAMES:
        raise ValueError(f"{fn}: frames must be one of {BLINK_FRAMES}, got {frames!r}")
    return frames


def blink_settings(mode: str | None = None, device: str | None = None):
    """The blink-story swappers' settings: ``swap.settings(mode, device)``, at least ``BLINK_STEPS`` steps (lab 06)."""
    from . import swap

    s = swap.settings(mode, device)
    return s.replace(steps=max(s.steps, BLINK_STEPS))


def train_blink_swapper(frames: str = "open_eyes", mode: str | None = None, seed: int = 0,
                        device: str | None = None, progress: bool = True):
    """Lab 03's swapper with a dense code, trained on ``"all_frames"`` or Gus's ``"open_eyes"`` only (lab 06).

    Both people's frames are drawn exactly as ``swap.train_pair`` draws them (a third with closed eyes, as
    faceswap users curate their sets). With ``"open_eyes"`` the frames of the person whose decoder draws the
    swap (``swap.PAIR[-1]``) are then filtered to ``eye_open >= OPEN_EYES``, as a 2018 set scraped from photos,
    where people rarely blink, would be. The code is one vector of ``BLINK_CODE`` numbers (``swap.SwapModel``'s
    ``dense``), as in the original faceswap: lab 03's 8×8 code map carries a closing eyelid through *where it
    lies*, so even a decoder that never saw a closed eye redraws it. Returns (model, history); the history's
    ``cpu_seconds`` is the process CPU time the training took.
    """
    import time

    from . import config, swap, synth

    frames = _check_frames(frames, "train_blink_swapper")
    seed = check_seed(seed, "train_blink_swapper: seed")
    s = blink_settings(mode, device)
    config.seed_everything(seed)
    model = swap.SwapModel(swap.PAIR, s.size, s.width, s.latent, dense=BLINK_CODE)
    sets = {}
    for k, name in enumerate(swap.PAIR):
        states = synth.random_states(s.n_train, seed=seed + k, blink_share=0.3)  # as swap.face_set draws them
        if frames == "open_eyes" and name == swap.PAIR[-1]:
            states = [st for st in states if st.eye_open >= OPEN_EYES]
        sets[name] = swap.face_set(name, len(states), s.size, seed=seed + k, states=states)
    cpu = time.process_time()
    history = swap.train(model, sets, s.steps, s.batch, s.lr, seed=seed, device=device, progress=progress)
    history.cpu_seconds = time.process_time() - cpu
    return model.eval(), history


def _build_blink(frames: str):
    from . import swap
    from .config import machine_summary

    model, history = train_blink_swapper(frames, "fast", seed=0, device="cpu")
    meta = {**blink_settings("fast", "cpu").to_dict(), "dense": BLINK_CODE, "frames": frames,
            "names": list(swap.PAIR), "open_eyes_threshold": OPEN_EYES, "train_s": history.seconds,
            "train_cpu_s": history.cpu_seconds, "device": "cpu", "seed": 0, "machine": machine_summary(),
            "final_loss": {k: float(np.mean(v[-50:])) for k, v in history.loss.items()}}
    return model.state_dict(), meta


def build_pretrained_blink_open_eyes_fast():
    """Train the shipped open-eyes-only blink swapper (FAST settings, seed 0, CPU): (state_dict, meta) (lab 06)."""
    return _build_blink("open_eyes")


def build_pretrained_blink_all_frames_fast():
    """Train the shipped all-frames blink-story swapper (FAST settings, seed 0, CPU): (state_dict, meta) (lab 06)."""
    return _build_blink("all_frames")


def blink_swapper(frames: str = "open_eyes", device: str | None = None):
    """The shipped blink-story swapper trained on ``frames`` ("open_eyes" or "all_frames") (lab 06)."""
    from . import config, pretrained, swap

    frames = _check_frames(frames, "blink_swapper")
    state, meta = pretrained.load(BLINK_WEIGHTS[frames])
    model = swap.SwapModel(tuple(meta["names"]), meta["size"], meta["width"], meta["latent"], dense=meta["dense"])
    model.load_state_dict(state)
    model.meta = meta
    return model.to(device or config.device()).eval()


class BlinkStory(NamedTuple):
    """Blink rates per minute (``forensics.blinks`` on eye opening) of real clips and both swappers' swaps (lab 06).

    ``counts`` holds each version's blinks per clip; ``auc`` the blink cue's AUC of each swapper's swaps
    against the real clips (``forensics.auc``, fewer blinks counting as more fake).
    """

    real: float
    open_eyes: float
    all_frames: float
    true_rate: float
    seconds: float
    clips: dict
    counts: dict
    true_counts: list
    auc: dict


BLINK_CLIPS = {"fast": (3, 6.0), "full": (6, 10.0)}  # clips and seconds each


def blink_story(mode: str | None = None, seed: int = 0, threshold: float | None = None) -> BlinkStory:
    """The blink story of 2018: blink rates of real clips, and of open-eyes-only and all-frames swaps (lab 06).

    Both swappers are shipped (``blink_swapper``: lab 03's FAST recipe with a dense code, trained for
    ``BLINK_STEPS`` steps, seed 0, the same in every way except the drawn face's training frames) and turn the
    performer's blinking talking clips (128×128; ``BLINK_CLIPS[mode]`` clips from ``seed`` on) into the other
    person. Blinks are read from pixels (``forensics.eye_opening``, ``forensics.blinks`` at ``threshold``,
    by default ``forensics.EYE_OPENING_THRESHOLD``, as the blinks cue reads them), as a detector would;
    ``true_rate`` and ``true_counts`` are what the performer really did (``clip.truth["blinks"]``). ``clips``
    holds the first real clip and its two swaps.

    Measured (2026-11-29, the shipped swappers, 1,000 steps each; 8 s clips of seeds 1-5 with 3, 3, 3, 4, 3 true
    blinks, none of them used to choose the threshold), blinks per clip at the default 0.8: real 3,3,3,4,3; all
    frames 3,12,3,4,3; open eyes only 0,0,0,0,0. The blink cue's AUC against the real clips: open-eyes-only
    1.0, all-frames 0.38 (the swap of seed 2 shows its 3 true blinks as deep dips, to 0.34-0.37 of the open
    level, but its open eyes sag to 0.73-0.8 for whole stretches, 9 spurious counts). At 0.7 / 0.9: real
    3,3,3,4,3 / 6,3,3,4,4; all frames 3,3,3,4,3 / 23,17,13,16,17; open eyes only 0,0,0,0,0 / 2,2,3,3,2. The
    open-eyes-only swapper's eyes dim a little when Farah's close, but stay round: the eye-opening measure reads
    the dark patch's shape, not its darkness (the earlier eye-*contrast* measure took those dims for blinks at
    0.85). Lab 03's 8×8 code map, trained the same way for 200 steps, blinked 9, 3, 13 times (eye contrast,
    0.85) even open-eyes-only: it carries a closing eyelid through where it lies.
    """
    from . import config, forensics, swap, synth

    mode = config.resolve_mode(mode)
    seed = check_seed(seed, "blink_story: seed")
    threshold = check_scalar(threshold, "threshold", float, min_val=0.05, max_val=0.95, allow_none=True,
                             fn="blink_story")
    threshold = forensics.EYE_OPENING_THRESHOLD if threshold is None else threshold
    n, seconds = BLINK_CLIPS[mode]
    models = {k: blink_swapper(k, "cpu") for k in BLINK_FRAMES}
    rates: dict = {"real": [], **{k: [] for k in BLINK_FRAMES}}
    counts: dict = {k: [] for k in rates}
    shown, true_counts = {}, []
    for i in range(n):
        clip = synth.talking_clip(synth.cast(swap.PAIR[0]), seconds=seconds, size=CLIP_SIZE, seed=seed + i)
        true_counts.append(len(clip.truth["blinks"]))
        versions = {"real": clip, **{k: swap.swap_clip(m, clip, to=swap.PAIR[-1]) for k, m in models.items()}}
        for k, c in versions.items():
            b = forensics.blinks(forensics.eye_opening(c.frames, clip.truth["landmarks"]), threshold=threshold)
            rates[k].append(b.rate_per_min)
            counts[k].append(b.count)
        if i == 0:
            shown = versions
    sign = forensics.get_cue("blinks").sign  # fewer blinks: more likely fake, as the cue table reads it
    auc = {k: forensics.auc(sign * np.array(rates["real"]), sign * np.array(rates[k])) for k in BLINK_FRAMES}
    mean = {k: float(np.mean(v)) for k, v in rates.items()}
    return BlinkStory(mean["real"], mean["open_eyes"], mean["all_frames"], sum(true_counts) / (n * seconds / 60),
                      n * seconds, shown, counts, true_counts, auc)
