"""Lab 06's cues as detectors: the AUC of each cue against each generator of the course, and its speed (lab 06).

Every AUC is scikit-learn's ``roc_auc_score`` of fakes (label 1) against real items (label 0), with each cue's
score oriented as its docstring predicts (higher = fake; ``SIGN`` flips the cues whose fakes score lower). An
AUC of 0.5 is chance; below 0.5 the cue points the wrong way for that generator. Data, real always in the
fake's size and framing:

* ``classical``: ``faces.classical_swap`` (alpha blend with colour transfer, lab 02's best) of one
  person onto another at 64×64, against the untouched target frames;
* ``autoencoder``: the shipped full-mode swapper (``swap.pretrained(mode="full")``) turning Farah's frames into
  Gus at 64×64, against the same frames unswapped;
* ``gan``: the shipped ``gan-full`` run's samples against real renders made as its training faces were
  (``evaluators.real_faces``); a GAN sample has no landmarks, so both sides use the real renders' mean
  landmarks as the face region (same framing);
* clips (128×128, of the swapper's performer Farah): ``autoencoder`` (``swap.swap_clip`` to Gus), ``lipsync``
  (her lips driven by a TTS line's audio, ``lipsync.lipsync_clip``) and ``dub`` (her real footage with an
  actor's converted voice, ``lipsync.replace_voice``: lab 01's category 1), against her real talking clips;
* audio: ``tts`` (``synth.speak`` on lines nobody said) and ``conversion`` (``game.speak_as``: an actor's
  reading converted to the person's voice) against the person's own recordings (``synth.speak`` on the
  course's sentences), which is what labs 01 and 05 call a real voice. In the synthetic world the real voice
  and text-to-speech come from the same synthesiser, so ``tts`` AUCs near 0.5 are expected, not a bug.

Voice conversions are fitted on ``enrol`` recordings of each speaker (``voice.enrolment``): 2 in FAST mode,
4 (lab 05's default) in full mode. ``ms_per_image_<cue>`` is the median time of one call on one 64×64 image
(for clip cues: per frame of a 128×128 clip; for audio cues: per second of audio).
"""
from __future__ import annotations

import time
from functools import lru_cache

import numpy as np

from . import median_time

SETTINGS = {"fast": dict(images=24, clips=3, seconds=3.0, voices=4, speakers=2, enrol=2, repeats=5),
            "full": dict(images=200, clips=10, seconds=6.0, voices=24, speakers=8, enrol=4, repeats=20)}
SIZE, CLIP_SIZE = 64, 128
SEED = 6
IMAGE_CUES = ("high_frequency", "boundary", "colour", "residual", "error_level", "sharpness")
CLIP_CUES = ("blinks", "flicker", "av_offset")
AUDIO_CUES = ("spectral_flatness", "high_band_ratio", "pitch_jitter")
SIGN = {"blinks": -1.0, "high_band_ratio": -1.0, "pitch_jitter": -1.0}  # fakes predicted to score lower
TARGETS = {}


def image_cue(name: str, img, pts) -> float:
    """One image cue's score, oriented so that higher means fake (lab 06)."""
    from course_lib import forensics as F

    score = {"high_frequency": lambda: float(F.high_frequency_score(img[None])[0]),
             "boundary": lambda: F.boundary_score(img, pts),
             "colour": lambda: F.landmark_colour_mismatch(img, pts),
             "residual": lambda: F.residual_score(img, pts),
             "error_level": lambda: F.error_level_score(img, pts),
             "sharpness": lambda: F.sharpness_score(img, pts)}[name]()
    return SIGN.get(name, 1.0) * score


def clip_cue(name: str, clip) -> float:
    """One clip cue's score, higher = fake; the eyes are read from pixels where the landmarks put them (lab 06)."""
    from course_lib import forensics as F

    pts = clip.truth["landmarks"]
    score = {"blinks": lambda: F.blinks(F.eye_contrast(clip.frames, pts), threshold=0.85).rate_per_min,
             "flicker": lambda: F.flicker_score(clip.frames, pts),
             "av_offset": lambda: F.av_sync_score(clip)}[name]()
    return SIGN.get(name, 1.0) * score


def audio_cue(name: str, audio) -> float:
    """One audio cue's score, higher = fake (lab 06)."""
    from course_lib import forensics as F

    return SIGN.get(name, 1.0) * getattr(F, name)(audio)


def image_sets(n: int, seed: int = SEED) -> dict:
    """{generator: (real images, fake images, real landmarks, fake landmarks)} at 64×64 (lab 06)."""
    from course_lib import faces, gan, swap, synth

    from .cheapswap import pairs

    out = {}
    data = pairs(n, size=SIZE, seed=seed)
    fakes = [faces.classical_swap(s_img, s_pts, t_img, t_pts).image for (s_img, s_pts), (t_img, t_pts) in data]
    reals, pts = [t[0] for _, t in data], [t[1] for _, t in data]
    out["classical"] = (np.stack(reals), np.stack(fakes), np.stack(pts), np.stack(pts))

    model = swap.pretrained(mode="full", device="cpu")
    frames = synth.render_batch([synth.cast(model.names[0])] * n, synth.random_states(n, seed + 1), size=SIZE,
                                seed=seed + 1)
    swapped = swap.swap_frames(model, frames.images, frames.landmarks, model.names[-1])
    out["autoencoder"] = (frames.images, swapped, frames.landmarks, frames.landmarks)

    people = [synth.identity((seed + 2) * 1_000_003 + i) for i in range(n)]  # as evaluators.real_faces draws them
    real = synth.render_batch(people, synth.random_states(n, seed=seed + 2), size=SIZE, seed=seed + 2)
    mean_pts = np.broadcast_to(real.landmarks.mean(axis=0), (n, 68, 2))
    samples = gan.pretrained_run("full", "cpu").sample(n, seed=seed)
    out["gan"] = (real.images, samples, mean_pts, mean_pts)
    return out


@lru_cache(maxsize=16)
def converter(target: str, enrol: int, actor: str = "ben"):
    """A converter from ``actor``'s voice to ``target``'s, fitted on ``enrol`` recordings of each (lab 06)."""
    from course_lib import voice

    return voice.fit_converter(voice.enrolment(actor, enrol), voice.enrolment(target, enrol))


def clip_sets(n: int, seconds: float, enrol: int, seed: int = SEED) -> dict:
    """{generator: (real clips, fake clips)}: the swapper's performer talking, at 128×128 (lab 06)."""
    from course_lib import game, lipsync, swap, synth, voice

    model = swap.pretrained(mode="full", device="cpu")
    performer, person = model.names
    kw = dict(seconds=seconds, size=CLIP_SIZE)
    ident = synth.cast(performer)
    real = [synth.talking_clip(ident, seed=seed + i, **kw) for i in range(n)]
    lines = [voice.NEW_LINES[i % len(voice.NEW_LINES)] for i in range(n)]
    return {
        "autoencoder": (real, [swap.swap_clip(model, c, to=person) for c in real]),
        "lipsync": (real, [lipsync.lipsync_clip(ident, synth.speak(ident, line, seed=i), voice="synthetic",
                                                seed=seed + i, **kw) for i, line in enumerate(lines)]),
        "dub": (real, [lipsync.replace_voice(c, game.speak_as(converter(performer, enrol), line, seed=i), "converted")
                       for i, (c, line) in enumerate(zip(real, lines))]),
    }


def audio_sets(n: int, speakers: int, enrol: int, seed: int = SEED) -> dict:
    """{generator: (real recordings, fake recordings)}: the cast's own voices, TTS and conversions (lab 06)."""
    from course_lib import game, synth, voice

    names = sorted(synth.CAST)[:speakers]
    people = [names[i % len(names)] for i in range(n)]
    real = [synth.speak(synth.cast(p), synth.SENTENCES[(i + 5) % len(synth.SENTENCES)], seed=seed + i).audio
            for i, p in enumerate(people)]
    tts = [synth.speak(synth.cast(p), voice.NEW_LINES[i % len(voice.NEW_LINES)], seed=seed + i).audio
           for i, p in enumerate(people)]
    converted = [game.speak_as(converter(p, enrol), voice.NEW_LINES[i % len(voice.NEW_LINES)], seed=i).audio
                 for i, p in enumerate(people)]
    return {"tts": (real, tts), "conversion": (real, converted)}


def auc(real_scores, fake_scores) -> float:
    """ROC AUC of fake (1) over real (0) scores (lab 06)."""
    from sklearn.metrics import roc_auc_score

    y = np.r_[np.zeros(len(real_scores)), np.ones(len(fake_scores))]
    return round(float(roc_auc_score(y, np.r_[real_scores, fake_scores])), 4)


def run(mode: str) -> dict:
    """AUC of every cue against every generator, and each cue's time per image (lab 06)."""
    s = SETTINGS[mode]
    t0 = time.perf_counter()
    metrics, timing = {}, {}
    for gen, (real, fake, real_pts, fake_pts) in image_sets(s["images"]).items():
        for cue in IMAGE_CUES:
            metrics[f"auc_{cue}_{gen}"] = auc([image_cue(cue, im, p) for im, p in zip(real, real_pts)],
                                              [image_cue(cue, im, p) for im, p in zip(fake, fake_pts)])
            if gen == "classical":
                timing[cue] = median_time(lambda: image_cue(cue, real[0], real_pts[0]), s["repeats"]) * 1e3
    for gen, (real, fake) in clip_sets(s["clips"], s["seconds"], s["enrol"]).items():
        for cue in CLIP_CUES:
            if gen != "dub" or cue == "av_offset":  # a dub keeps the real frames
                metrics[f"auc_{cue}_{gen}"] = auc([clip_cue(cue, c) for c in real], [clip_cue(cue, c) for c in fake])
            if gen == "autoencoder":
                frames = len(real[0].frames)
                timing[cue] = median_time(lambda: clip_cue(cue, real[0]), 1) * 1e3 / frames
    for gen, (real, fake) in audio_sets(s["voices"], s["speakers"], s["enrol"]).items():
        for cue in AUDIO_CUES:
            metrics[f"auc_{cue}_{gen}"] = auc([audio_cue(cue, a) for a in real], [audio_cue(cue, a) for a in fake])
            if gen == "tts":
                timing[cue] = median_time(lambda: audio_cue(cue, real[0]), s["repeats"]) * 1e3 / (len(real[0]) / 16_000)
    metrics.update({f"ms_per_image_{k}": round(v, 3) for k, v in timing.items()})
    metrics.update({"images_per_side": s["images"], "clips_per_side": s["clips"], "clip_seconds": s["seconds"],
                    "voices_per_side": s["voices"],
                    "total_s": round(time.perf_counter() - t0, 1)})
    return metrics
