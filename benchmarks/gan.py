"""The DCGAN of lab 04: train it, then measure its samples with judges trained on real faces only (lab 04).

``--mode full`` trains the full preset for this machine's device (``gan.settings("full")``: 32 filters on a
CPU, DCGAN's 64 on a CUDA GPU) and measures 1,000 samples with the full judges; it also loads the shipped
``gan-full`` run and measures it the same way (``shipped_*``), so the two can be compared. ``--mode fast``
trains the FAST preset for only 100 steps and measures 200 samples with the FAST judges: a smoke test of the
pipeline whose own numbers are not expected to meet the targets (they are full-mode targets); its
``shipped_*`` keys measure the shipped ``gan-fast`` run (the FAST preset's 1,000 steps) with the same judges.

Beside FD, coverage and face rate (``gan.measure_run``): ``precision`` and ``recall`` (Kynkäänniemi et al.
2019, k = 3) of the samples against the real faces in the attribute judge's feature space (the one FD uses),
and ``damaged_rejection``, the share of deliberately damaged real faces (``judges.damaged_faces``: people
and damage the face judge never trained on) that the face judge rejects: a face rate from a judge that
cannot reject a smeared face measures nothing. ``measure_shipped(mode)`` measures only the shipped run.
"""
from __future__ import annotations

import functools
import time

TARGETS = {"fd_ratio": ("<=", 0.12), "attribute_coverage": (">=", 0.8), "face_rate": (">=", 0.9),
           "precision": (">=", 0.7), "recall": (">=", 0.6), "damaged_rejection": (">=", 0.9)}
FAST_STEPS = 100
DAMAGED_SEED = 11  # people and damage the face judge never trained on (it uses seeds 900+ and 300+)
SHIPPED_KEYS = ("fd_final", "fd_ratio", "attribute_coverage", "face_rate", "precision", "recall", "train_s")


@functools.lru_cache(maxsize=2)
def damaged_set(n: int):
    """``n`` damaged faces of people no judge or run saw: the face judge's exam (lab 04)."""
    from course_lib import datasets, judges

    return judges.damaged_faces(datasets.load_synthetic_faces(n, 64, seed=DAMAGED_SEED), DAMAGED_SEED)


def sample_quality(G, ys, seed: int = 99) -> dict:
    """Precision and recall of ``ys.n`` samples of G against the yardstick's real faces, k = 3 (lab 04)."""
    from course_lib import gan, judges

    fake = judges.fd_features(gan.sample(G, ys.n, seed), ys.attributes)
    precision, recall = judges.precision_recall(ys.real_features, fake, k=3)
    return {"precision": round(precision, 4), "recall": round(recall, 4)}


def measure(run_, ys) -> dict:
    """``gan.measure_run`` plus precision, recall and the face judge's damaged-face rejection (lab 04)."""
    from course_lib import gan, judges

    metrics = gan.measure_run(run_, ys)
    metrics.update(sample_quality(run_.G, ys))
    metrics["damaged_rejection"] = round(judges.damaged_rejection(damaged_set(min(ys.n, 400)), ys.faces), 4)
    return metrics


def measure_shipped(mode: str, n: int | None = None) -> dict:
    """The shipped run of ``mode`` measured with this mode's judges, without training anything new (lab 04)."""
    from course_lib import config, gan

    mode = config.resolve_mode(mode)
    ys = gan.Yardstick(n, mode=mode)
    return measure(gan.pretrained_run(mode, config.device()), ys)


def run(mode: str, steps: int | None = None, n: int | None = None, n_train: int | None = None) -> dict:
    """Train and measure: FD, coverage, face rate, precision, recall, damaged rejection, time, device (lab 04).

    ``steps``, ``n`` (samples measured) and ``n_train`` shrink a run further, for the tests.
    """
    from course_lib import config, gan

    mode = config.resolve_mode(mode)
    shrunk = steps is not None or n is not None or n_train is not None
    device = config.device()
    s = gan.settings(mode, device)
    if steps is not None or mode == "fast":
        steps = steps or FAST_STEPS
        s = s.replace(steps=steps, every=max(1, steps))
    if n_train is not None:
        s = s.replace(n_train=n_train)
    t0 = time.perf_counter()
    run_ = gan.train_gan(s, device=device, progress=False)
    ys = gan.Yardstick(n, mode=mode)  # this mode's judges (200 samples in FAST mode, 1,000 in full)
    metrics = measure(run_, ys)
    if not shrunk:  # the shipped run of this mode, measured with the same judges and real faces
        shipped = measure(gan.pretrained_run(mode, device), ys)
        metrics.update({f"shipped_{k}": shipped[k] for k in SHIPPED_KEYS})
    metrics["total_s"] = round(time.perf_counter() - t0, 2)
    return metrics
