"""Motion for the synthetic world's clips: head movement, blinks and a mouth driven by speech (lab 00).

Blink figures, which lab 06 uses to catch fakes that forget to blink:

* rate: about 17 blinks a minute at rest and 26 in conversation, 4.5 while reading
  (Bentivoglio et al., 1997, *Movement Disorders* 12(6)); talking clips use the conversation rate;
* duration: about 100-400 ms from closing to fully open (Caffier, Erdmann & Ullsperger, 2003,
  *Eur. J. Appl. Physiol.* 89), with the lid closing faster than it reopens.

Head motion is smooth, band-limited noise (a few tenths of a hertz), with small nods while speaking.
"""
from __future__ import annotations

import numpy as np

from ..validate import FPS, check_finite, check_scalar, check_seed

BLINKS_PER_MIN_TALKING = 26.0
BLINKS_PER_MIN_REST = 17.0
BLINK_DURATION_RANGE = (0.10, 0.40)


def blink_times(seconds: float, rate_per_min: float = BLINKS_PER_MIN_TALKING, seed: int = 0) -> list[tuple[float, float]]:
    """Start and end (s) of each blink in a clip: gamma-distributed gaps, 100-400 ms long (lab 00, lab 06)."""
    seconds = check_scalar(seconds, "seconds", float, min_val=0.0, max_val=3600.0, fn="blink_times")
    rate_per_min = check_scalar(rate_per_min, "rate_per_min", float, min_val=0.0, max_val=600.0, fn="blink_times")
    rng = np.random.default_rng([check_seed(seed, "blink_times: seed"), 0xB1])
    mean_dur = 0.2  # about the mean blink length drawn below
    mean_gap = max(60.0 / max(rate_per_min, 1e-3) - mean_dur, 0.05)  # onset to onset = 60 / rate
    blinks = []
    t = rng.uniform(0.2, 1.0) * mean_gap
    while t < seconds:
        dur = float(np.clip(rng.lognormal(np.log(0.2), 0.3), *BLINK_DURATION_RANGE))
        blinks.append((t, t + dur))
        t += dur + rng.gamma(4.0, mean_gap / 4.0)
    return blinks


def eye_openness(blinks: list[tuple[float, float]], n_frames: int, fps: int = FPS) -> np.ndarray:
    """Eye openness per frame (1 open, 0 closed) for blink intervals: a fast close, a slower reopen (lab 00)."""
    n_frames = check_scalar(n_frames, "n_frames", int, min_val=0, max_val=10_000_000, fn="eye_openness")
    fps = check_scalar(fps, "fps", float, min_val=1.0, max_val=1000.0, include_boundaries="both", fn="eye_openness")
    try:
        blinks = [(float(a), float(b)) for a, b in blinks]
    except (TypeError, ValueError):
        raise ValueError("eye_openness: blinks must be (start, end) pairs in seconds, e.g. from "
                         f"synth.blink_times(seconds), got {blinks!r}") from None
    if any(not (np.isfinite(a) and np.isfinite(b) and a < b) for a, b in blinks):
        raise ValueError(f"eye_openness: each blink must be a (start, end) pair of finite seconds with start < end, "
                         f"got {blinks!r}")
    t = (np.arange(n_frames) + 0.5) / fps
    closure = np.zeros(n_frames, np.float32)
    for a, b in blinks:
        peak = a + 0.35 * (b - a)
        up = np.clip((t - a) / (peak - a), 0, 1)
        down = np.clip((b - t) / (b - peak), 0, 1)
        closure = np.maximum(closure, np.where(t < peak, up, down))
    return (1.0 - closure ** 0.8).astype(np.float32)


def smooth_noise(n_frames: int, amplitude: float, seed: int, fps: int = FPS, max_hz: float = 0.6) -> np.ndarray:
    """Band-limited random motion: a sum of slow sinusoids with random phases (lab 00)."""
    n_frames = check_scalar(n_frames, "n_frames", int, min_val=0, max_val=10_000_000, fn="smooth_noise")
    amplitude = check_scalar(amplitude, "amplitude", float, min_val=0.0, max_val=100.0, fn="smooth_noise")
    fps = check_scalar(fps, "fps", float, min_val=1.0, max_val=1000.0, fn="smooth_noise")
    max_hz = check_scalar(max_hz, "max_hz", float, min_val=0.05, max_val=fps / 2, fn="smooth_noise")
    return _smooth_noise(n_frames, amplitude, seed, fps, max_hz)


def _smooth_noise(n_frames: int, amplitude: float, seed, fps: float, max_hz: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n_frames) / fps
    out = np.zeros(n_frames, np.float64)
    for _ in range(4):
        f = rng.uniform(0.05, max_hz)
        out += rng.normal(0, 1) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    return (amplitude * out / 2.0).astype(np.float32)


def head_motion(n_frames: int, seed: int = 0, fps: int = FPS, amount: float = 1.0, speech_energy=None) -> dict:
    """Yaw, pitch and roll per frame (radians), with nods that follow speech energy if given (lab 00)."""
    n_frames = check_scalar(n_frames, "n_frames", int, min_val=0, max_val=10_000_000, fn="head_motion")
    s = check_seed(seed, "head_motion: seed")
    fps = check_scalar(fps, "fps", float, min_val=2.0, max_val=1000.0, fn="head_motion")
    amount = check_scalar(amount, "amount", float, min_val=0.0, max_val=3.0, fn="head_motion")
    yaw = _smooth_noise(n_frames, 0.14 * amount, [s, 1], fps, 0.6)
    pitch = _smooth_noise(n_frames, 0.06 * amount, [s, 2], fps, 0.6)
    roll = _smooth_noise(n_frames, 0.05 * amount, [s, 3], fps, 0.6)
    if speech_energy is not None:
        e = check_finite(speech_energy, "speech_energy", "head_motion").astype(np.float32).reshape(-1)[:n_frames]
        if len(e) < n_frames:
            raise ValueError(f"head_motion: speech_energy has {len(e)} values for {n_frames} frames; pass one "
                             f"value per frame (the mouth opening a talking clip derives from its voice)")
        k = np.hanning(9)  # "same" centred without its length rule (max of both), so clips under 9 frames work
        pitch = pitch - 0.04 * amount * np.convolve(e, k / k.sum(), mode="full")[4:4 + n_frames]
    return {"yaw": yaw, "pitch": pitch, "roll": roll}
