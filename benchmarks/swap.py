"""The autoencoder face swap: training time and quality against ground truth (lab 03).

Full mode trains the course's CPU model (or the 128×128 model when a GPU is present) from scratch with the
shipped settings, then measures it with judges trained on real faces only (``swap.evaluate``). The sharpness
target is issue 17's: swaps at least half as sharp as real faces (the shipped swap-full measured 0.20).
"""
from __future__ import annotations

import os

TARGETS = {"identity_transfer": (">=", 0.95), "expression_corr": (">=", 0.9), "swap_sharpness_ratio": (">=", 0.5),
           "train_s": ("<=", 300.0)}


def run(mode: str) -> dict:
    """Train the swapper for this mode and device, then evaluate it with that mode's judges (lab 03)."""
    from course_lib import config, swap

    mode = config.resolve_mode(mode)
    device = config.device()
    settings = swap.settings(mode, device)
    size_override = os.environ.get("BENCH_SWAP_SIZE")  # e.g. 64 on a GPU, to compare with the CPU model
    if size_override:
        settings = settings.replace(size=int(size_override))
    model, history = swap.train_pair(settings, seed=0, device=device, progress=False)
    metrics = swap.evaluate(model, mode=mode)
    return {**{k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items()},
            "train_s": round(history.seconds, 1), "device": device, "size": settings.size,
            "steps": settings.steps, "width": settings.width, "latent": settings.latent}
