"""Lab 07's learned detectors: in distribution, on unseen generators, after JPEG, on a challenge set, and speed (lab 07).

Everything is trained here from scratch by ``detect.train_all(mode)`` (the same path as the shipped file) on
``detect.image_dataset``'s train split; the temperature is fitted on val; every number below is measured on
people no detector saw (the test split, or the ``challenge`` split's own seed range). Data per mode:
``detect.TRAIN_SETTINGS``.

* ``auc_in_dist``: the image detector (Meso-4-style CNN on the face square, ``detect.FACE_BOX``) on the test
  split, all three image generators (classical swap, autoencoder swap, GAN; lip sync is a clip-level fake);
  ``auc_<generator>`` one at a time;
  ``auc_frequency_in_dist``: the frequency (radial spectrum) classifier on the same frames.
* ``auc_unseen_generator``: mean over leave-one-generator-out: a detector trained without one generator's
  fakes (for half the epochs, to keep the benchmark short), tested on that generator's test fakes against
  the test reals (``auc_unseen_<generator>``).
* ``auc_jpeg50``: the image detector on the test split re-encoded at JPEG quality 50 (it trains with
  ``detect.augment``: JPEG, resize and blur on half of the frames).
* ``logloss_challenge``: the image detector's temperature-scaled P(fake) on a challenge set: fresh people,
  every generator, frames rendered at 96×96 and JPEG-compressed at quality 75 (the DFDC metric, log loss).
* ``audio_eer``: the LFCC-GMM audio detector on test speakers' voice conversions (ASVspoof's equal error rate);
  ``audio_auc_tts`` shows that text-to-speech, made by the real voice's own synthesiser, is not detectable.
* ``clip_auc``, ``clip_category_accuracy``: the clip detector on test clips of lab 01's four categories.
* ``train_s``: fitting the four detectors (datasets excluded, ``build_s``); ``images_per_s``: the image
  detector's ``score`` on 256 frames of 64×64, median of ``repeats``.
* full mode adds ``gen_matrix`` (``detect.generalisation_matrix``): row i, column j is the test-split AUC on
  generator j's fakes of a detector trained on generator i's alone (half the epochs); ``gen_matrix_generators``
  names the rows and columns.
"""
from __future__ import annotations

import time

import numpy as np

from . import median_time

TARGETS = {"auc_in_dist": (">=", 0.99), "auc_jpeg50": (">=", 0.9), "logloss_challenge": ("<=", 0.2),
           "audio_eer": ("<=", 0.05), "train_s": ("<=", 300), "images_per_s": (">=", 500)}
CHALLENGE = {"fast": 60, "full": 200}  # fakes per generator in the challenge set
REPEATS = {"fast": 5, "full": 20}


def run(mode: str) -> dict:
    """Train the detectors for ``mode`` and measure them on held-out people (lab 07)."""
    from course_lib import detect as D

    t0 = time.perf_counter()
    dets = D.train_all(mode)
    image, freq, audio, clip = dets["image"], dets["frequency"], dets["audio"], dets["clip"]
    images, voices = dets["data"]["images"], dets["data"]["voices"]
    epochs = D.TRAIN_SETTINGS[mode]["epochs"]
    test = images.part("test")
    m = {"auc_in_dist": D.roc_auc(test.labels, image.score(test.items)),
         "auc_frequency_in_dist": D.roc_auc(test.labels, freq.score(test.items))}
    for gen in D.IMAGE_GENERATORS:
        part = test.part(generators=gen)
        m[f"auc_{gen}"] = D.roc_auc(part.labels, image.score(part.items))
    m["auc_jpeg50"] = D.roc_auc(test.labels, image.score(D.jpeg(test.items, 50)))
    unseen = {}
    for gen in D.IMAGE_GENERATORS:
        others = [g for g in D.IMAGE_GENERATORS if g != gen]
        det = D.train_image(images, max(4, epochs // 2), generators=others)
        part = test.part(generators=gen)
        unseen[gen] = D.roc_auc(part.labels, det.score(part.items))
        m[f"auc_unseen_{gen}"] = unseen[gen]
    m["auc_unseen_generator"] = float(np.mean(list(unseen.values())))
    challenge = D.image_dataset(CHALLENGE[mode], splits=("challenge",), size=96, seed=99)
    probs = image.score(D.jpeg(challenge.items, 75))
    m["logloss_challenge"] = D.log_loss(challenge.labels, probs)
    m["auc_challenge"] = D.roc_auc(challenge.labels, probs)
    vt = voices.part("test")
    m["audio_eer"] = D.eer(vt.labels, audio.score(vt.items))[0]
    tts = D.audio_dataset(max(8, D.TRAIN_SETTINGS[mode]["voices"] // 3), ("tts",), splits=("test",), seed=7)
    m["audio_auc_tts"] = D.roc_auc(tts.labels, audio.score(tts.items))
    clips = D.clip_dataset(D.TRAIN_SETTINGS[mode]["clips"], ("test",), seed=5)
    scored = [clip.score_clip(c) for c in clips.items]
    m["clip_auc"] = D.roc_auc(clips.labels, [s["fake"] for s in scored])
    m["clip_category_accuracy"] = float(np.mean([s["category"] == r["category"]
                                                 for s, r in zip(scored, clips.manifest)]))
    m = {k: round(float(v), 4) for k, v in m.items()}
    if mode == "full":
        matrix = D.generalisation_matrix(images, epochs=max(4, epochs // 2))
        m["gen_matrix"] = np.round(matrix["auc"], 4).tolist()
        m["gen_matrix_generators"] = list(matrix["generators"])
    frames = test.items[:256]
    m["images_per_s"] = round(len(frames) / median_time(lambda: image.score(frames), REPEATS[mode]), 1)
    m.update({"train_s": round(dets["train_s"], 1), "build_s": round(dets["build_s"], 1),
              "test_images": len(test), "test_voices": len(vt), "test_clips": len(clips),
              "total_s": round(time.perf_counter() - t0, 1)})
    return m
