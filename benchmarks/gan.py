"""The DCGAN of lab 04: train it, then measure its samples with judges trained on real faces only (lab 04).

``--mode full`` trains the full preset for this machine's device (``gan.settings("full")``: 32 filters on a
CPU, DCGAN's 64 on a CUDA GPU) and measures 1,000 samples with the full judges; it also loads the shipped
``gan-full`` run and measures it the same way (``shipped_*``), so the two can be compared. ``--mode fast``
trains the FAST preset for only 100 steps and measures 200 samples with the FAST judges: a smoke test of the
pipeline whose own numbers are not expected to meet the targets (they are full-mode targets); its
``shipped_*`` keys measure the shipped ``gan-fast`` run (the FAST preset's 1,000 steps) with the same judges.
"""
from __future__ import annotations

import time

TARGETS = {"fd_ratio": ("<=", 0.25), "attribute_coverage": (">=", 0.8), "face_rate": (">=", 0.9)}
FAST_STEPS = 100


def run(mode: str, steps: int | None = None, n: int | None = None, n_train: int | None = None) -> dict:
    """Train and measure: FD (final, initial, real-vs-real), coverage, face rate, time, device (lab 04).

    ``steps``, ``n`` (samples measured) and ``n_train`` shrink a run further, for the tests.
    """
    from course_lib import config, gan

    shrunk = steps is not None or n is not None or n_train is not None
    device = config.device()
    s = gan.settings(mode, device)
    if steps is not None or mode == "fast":
        steps = steps or FAST_STEPS
        s = s.replace(steps=steps, every=max(1, steps))
    if n_train is not None:
        s = s.replace(n_train=n_train)
    with config.mode(mode):
        t0 = time.perf_counter()
        run_ = gan.train_gan(s, device=device, progress=False)
        ys = gan.Yardstick(n or (200 if mode == "fast" else 1000))
        metrics = gan.measure_run(run_, ys)
        if not shrunk:  # the shipped run of this mode, measured with the same judges and real faces
            shipped = gan.measure_run(gan.pretrained_run(mode, device), ys)
            metrics.update({f"shipped_{k}": shipped[k] for k in
                            ("fd_final", "fd_ratio", "attribute_coverage", "face_rate", "train_s")})
        metrics["total_s"] = round(time.perf_counter() - t0, 2)
    return metrics
