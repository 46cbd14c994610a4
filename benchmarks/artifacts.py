"""Lab 06's cues as detectors: the AUC of each cue against each generator of the course, and its speed (lab 06).

Every AUC is scikit-learn's ``roc_auc_score`` of fakes (label 1) against real items (label 0), with each cue's
score oriented as its docstring predicts (higher = fake; ``forensics.CUES[name].sign`` flips the cues whose fakes
score lower). An
AUC of 0.5 is chance; below 0.5 the cue points the wrong way for that generator. Data, real always in the
fake's size and framing, from ``course_lib.fakes``:

* ``classical``: ``faces.classical_swap`` (alpha blend with colour transfer, lab 02's best) of one
  person onto another at 64×64, against the untouched target frames;
* ``autoencoder``: the shipped full-mode swapper (``swap.pretrained(mode="full")``) turning Farah's frames into
  Gus at 64×64, against the same frames unswapped;
* ``gan``: the shipped ``gan-full`` run's samples against real renders made as its training faces were
  (``datasets.load_synthetic_faces``); a GAN sample has no landmarks, so both sides use the real renders' mean
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
(for clip cues: per frame of a 128×128 clip; for audio cues: per second of audio). ``explorer_update_ms`` is
the median time from a control change of lab 06's explorer (``course_lib.explorer``, 12 images a side per
generator) to its updated plotly figure data, over the 20 changes of ``EXPLORER_CHANGES``; target 300 ms.
"""
from __future__ import annotations

import time

from . import median_time

SETTINGS = {"fast": dict(images=24, clips=3, seconds=3.0, voices=4, speakers=2, enrol=2, repeats=5),
            "full": dict(images=200, clips=10, seconds=6.0, voices=24, speakers=8, enrol=4, repeats=20)}
EXPLORER_N = 12  # samples a side in the lab's explorer (explorer.explorer's default)
TARGETS = {"explorer_update_ms": ("<=", 300.0)}
# The explorer's 20 control changes: samples, generators, cues and their parameters, each setting new
# (the explorer caches scores per setting, and a learner mostly moves to settings not seen yet).
EXPLORER_CHANGES = (dict(index=1), dict(side="real"), dict(cue="boundary"), dict(sigma=3.0), dict(index=2),
                    dict(generator="autoencoder"), dict(cue="error_level"), dict(quality=70), dict(side="fake"),
                    dict(cue="residual"), dict(size=5), dict(generator="gan"), dict(cue="colour"), dict(width=3),
                    dict(index=4), dict(cue="high_frequency"), dict(band_low=0.6), dict(generator="classical"),
                    dict(cue="sharpness"), dict(index=5))


def explorer_update_ms(sets: dict, n: int) -> float:
    """Median ms from a control change to updated figure data, over ``EXPLORER_CHANGES`` (lab 06).

    As in a kernel: the explorer is built in Python with the lab's ``n`` samples a side, then each change is
    set on its control, whose observers recompute the cue and write the FigureWidgets' traces.
    """
    import statistics

    from course_lib import fakes
    from course_lib.explorer import Explorer

    ex = Explorer({g: fakes.FakeSet(*(x[:n] for x in s)) for g, s in sets.items()}, cue="sharpness")
    times = []
    for change in EXPLORER_CHANGES:
        start = time.perf_counter()
        ex.set(**change)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1e3, 1)


def run(mode: str) -> dict:
    """AUC of every cue against every generator, and each cue's time per image (lab 06)."""
    from course_lib import fakes, synth
    from course_lib.forensics import auc, cue_names, cue_score

    s = SETTINGS[mode]
    t0 = time.perf_counter()
    metrics, timing = {}, {}
    image_sets = fakes.image_sets(s["images"])
    for gen, sets in image_sets.items():
        for cue in cue_names("image"):
            metrics[f"auc_{cue}_{gen}"] = auc(
                [cue_score(cue, im, p) for im, p in zip(sets.real, sets.real_landmarks)],
                [cue_score(cue, im, p) for im, p in zip(sets.fake, sets.fake_landmarks)])
            if gen == "classical":
                im, p = sets.real[0], sets.real_landmarks[0]
                timing[cue] = median_time(lambda: cue_score(cue, im, p), s["repeats"]) * 1e3
    for gen, (real, fake) in fakes.clip_sets(s["clips"], seconds=s["seconds"], enrol=s["enrol"]).items():
        for cue in cue_names("clip"):
            if gen != "dub" or cue == "av_offset":  # a dub keeps the real frames
                metrics[f"auc_{cue}_{gen}"] = auc([cue_score(cue, c) for c in real], [cue_score(cue, c) for c in fake])
            if gen == "autoencoder":
                frames = len(real[0].frames)
                timing[cue] = median_time(lambda: cue_score(cue, real[0]), 1) * 1e3 / frames
    people = sorted(synth.CAST)[:s["speakers"]]
    for gen, (real, fake) in fakes.audio_sets(s["voices"], people=people, enrol=s["enrol"]).items():
        for cue in cue_names("audio"):
            metrics[f"auc_{cue}_{gen}"] = auc([cue_score(cue, a) for a in real], [cue_score(cue, a) for a in fake])
            if gen == "tts":
                seconds = len(real[0]) / 16_000
                timing[cue] = median_time(lambda: cue_score(cue, real[0]), s["repeats"]) * 1e3 / seconds
    metrics.update({f"ms_per_image_{k}": round(v, 3) for k, v in timing.items()})
    metrics["explorer_update_ms"] = explorer_update_ms(image_sets, EXPLORER_N)
    metrics.update({"images_per_side": s["images"], "clips_per_side": s["clips"], "clip_seconds": s["seconds"],
                    "voices_per_side": s["voices"],
                    "total_s": round(time.perf_counter() - t0, 1)})
    return metrics
