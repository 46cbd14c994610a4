"""Lip sync: a mouth from the voice, and how far apart voice and lips are (lab 05).

``mouth_from_audio`` turns speech into a mouth opening per video frame (energy and the first formant's
region), which drives ``lipsync_clip``; ``av_offset`` estimates the audio-visual offset the way SyncNet does
(Chung & Zisserman, 2016): distances at every offset within ±10 frames, offset = argmin, confidence = median
− minimum. ``faces.mouth_opening`` (landmarks) and ``mouth_contrast`` (pixels, for any frames, e.g. a swapped
clip) are its video features. ``replace_voice`` gives a clip a new soundtrack and ``offset_trials`` measures
how often injected shifts are recovered.

Audio is mono float32 in [-1, 1] at 16 kHz; video is 25 fps (see ``course_lib.validate``).
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from . import synth
from .audio import SILENCE_DB, _decibels, _fit_length, spectrogram
from .synth.speech import Speech
from .validate import (FPS, SAMPLE_RATE, check_audio, check_finite, check_images, check_landmarks, check_object,
                       check_scalar)

# ====================================================================================================
# 1. A mouth from the voice, and how far apart voice and lips are

SAMPLES_PER_FRAME = SAMPLE_RATE // FPS  # 640: one video frame of audio
MAX_OFFSET = 10  # frames; SyncNet searches ±10 frames (±0.4 s) at 25 fps
SYNC_WINDOW = 5  # frames compared at once (0.2 s), as SyncNet's audio and video windows


def frame_spectra(audio, n_frames: int | None = None, sr: int = SAMPLE_RATE,
                  fps: int = FPS) -> tuple[np.ndarray, np.ndarray]:
    """The mean power spectrum of each video frame's audio: (freqs, F×n_frames) (lab 05).

    A 40 ms spectrogram every 10 ms (``spectrogram``); frame i averages the four columns centred inside
    [i/fps, (i + 1)/fps). ``n_frames`` pads with silence or trims, so audio and video line up.
    """
    return _frame_spectra(*_check_frames_of_audio(audio, n_frames, sr, fps, "frame_spectra"), sr)


def _check_frames_of_audio(audio, n_frames, sr, fps, fn: str) -> tuple[np.ndarray, int]:
    """The checked audio and its number of video frames (given, or enough to hold all of it)."""
    audio = check_audio(audio, sr, f"{fn}: audio")
    fps = check_scalar(fps, "fps", int, min_val=1, fn=fn)
    if fps != FPS:
        raise ValueError(f"{fn}: fps: the course's video runs at {FPS} fps, got fps={fps}")
    n_frames = check_scalar(n_frames, "n_frames", int, min_val=1, allow_none=True, fn=fn)
    n_frames = int(np.ceil(len(audio) / SAMPLES_PER_FRAME)) if n_frames is None else n_frames
    if n_frames < 1:
        raise ValueError(f"{fn}: audio is empty; need at least one frame of audio (640 samples at 16 kHz)")
    return audio, n_frames


def _frame_spectra(audio: np.ndarray, n_frames: int, sr: int = SAMPLE_RATE) -> tuple[np.ndarray, np.ndarray]:
    per = SAMPLES_PER_FRAME
    spec = spectrogram(_fit_length(audio, n_frames * per), sr, win_ms=40.0, hop_ms=10.0)
    sub = per // int(0.01 * sr)  # four 10 ms columns per frame
    power = spec.power[:, :n_frames * sub].reshape(len(spec.freqs), n_frames, sub).mean(axis=2)
    return spec.freqs, power


def mouth_from_audio(audio, n_frames: int | None = None, sr: int = SAMPLE_RATE, range_db: float = 30.0) -> np.ndarray:
    """How open the mouth should be in each video frame, in [0, 1], predicted from the voice alone (lab 05).

    Two cues: **loudness** of the voiced band (150-1200 Hz, in dB, mapped from 30 dB below the clip's
    95th percentile to it, then squared: quiet sounds barely open the mouth), times the **first formant's
    region**: the power-weighted mean frequency in 200-1000 Hz, which rises as the jaw drops (F1 of "ah"
    is about 730 Hz, of "ee" 270 Hz), standardised over the clip's loud frames.
    """
    audio, n_frames = _check_frames_of_audio(audio, n_frames, sr, FPS, "mouth_from_audio")
    range_db = check_scalar(range_db, "range_db", float, min_val=0.0, max_val=200.0, include_boundaries="right",
                            fn="mouth_from_audio")
    return _mouth_from_audio(audio, n_frames, sr, range_db)


def _mouth_from_audio(audio: np.ndarray, n_frames: int, sr: int = SAMPLE_RATE, range_db: float = 30.0) -> np.ndarray:
    freqs, power = _frame_spectra(audio, n_frames, sr)
    power = power.astype(np.float64) + 1e-12
    level_db = _decibels(power[(freqs >= 150) & (freqs < 1200)].sum(axis=0))
    top = max(float(np.percentile(level_db, 95)), SILENCE_DB + range_db)  # a silent clip stays shut
    level = np.clip((level_db - (top - range_db)) / range_db, 0.0, 1.0) ** 2
    f1_band = (freqs >= 200) & (freqs < 1000)
    centroid = (power[f1_band] * freqs[f1_band, None]).sum(axis=0) / power[f1_band].sum(axis=0)
    loud = level > 0.25
    ref = centroid[loud] if loud.sum() >= 3 else centroid
    jaw = np.clip(0.5 + 0.25 * (centroid - np.median(ref)) / (np.std(ref) + 1e-9), 0.0, 1.0)
    return np.clip(level * (0.5 + jaw), 0.0, 1.0).astype(np.float32)


@lru_cache(maxsize=8)
def _average_faces(size: int) -> np.ndarray:
    """Landmarks of eight neutral people of the synthetic world at this frame size (computed once per size)."""
    people = [synth.identity(s) for s in range(8)]
    return synth.render_batch(people, [synth.NEUTRAL] * len(people), size=size).landmarks


def mouth_box(reference, margin: float = 0.25) -> tuple[int, int, int, int]:
    """A pixel box (x0, y0, x1, y1) around the lips, from landmarks or from a frame size (lab 05).

    ``reference`` is 68×2 or T×68×2 landmarks, or a frame size in pixels (then the synthetic world's average
    neutral face at that size is used). The box spans every frame's lip landmarks (48-67), widened by
    ``margin`` times the lips' width.
    """
    margin = check_scalar(margin, "margin", float, min_val=0.0, max_val=5.0, fn="mouth_box")
    if isinstance(reference, (int, np.integer)) and not isinstance(reference, (bool, np.bool_)):
        size = check_scalar(reference, "reference (a frame size)", int, min_val=16, max_val=2048, fn="mouth_box")
        return _mouth_box(_average_faces(size), margin)
    pts = np.asarray(reference) if isinstance(reference, (list, tuple, np.ndarray)) else np.empty(0)
    if pts.ndim not in (2, 3) or pts.shape[-2:] != (68, 2):
        raise ValueError(f"mouth_box: reference: give 68×2 or T×68×2 landmarks, or a frame size in pixels (an int); "
                         f"got {reference!r:.60}")
    return _mouth_box(check_landmarks(pts.reshape(-1, 2), None, "mouth_box: reference"), margin)


def _mouth_box(pts: np.ndarray, margin: float = 0.25) -> tuple[int, int, int, int]:
    lips = pts.reshape(-1, 68, 2)[:, 48:68].reshape(-1, 2)
    (x0, y0), (x1, y1) = lips.min(axis=0), lips.max(axis=0)
    pad = margin * (x1 - x0)
    return int(np.floor(x0 - pad)), int(np.floor(y0 - pad)), int(np.ceil(x1 + pad)), int(np.ceil(y1 + pad))


def mouth_contrast(frames, box=None) -> np.ndarray:
    """How open the mouth is, from pixels alone: the spread (std) of brightness in the lip box, per frame (lab 05).

    A closed mouth is lips on skin; an open one adds its dark inside and bright teeth, whatever the skin
    tone or a beard around it. No landmarks needed, so it also reads a swapped clip; ``box`` is
    (x0, y0, x1, y1) from ``mouth_box`` (default: the synthetic world's average lips at this frame size).
    """
    frames = check_images(frames, "mouth_contrast: frames")
    t, h, w, _ = frames.shape
    if h != w and box is None:
        raise ValueError("mouth_contrast: frames are not square; pass box=mouth_box(landmarks) for them")
    if box is not None:
        corners = check_finite(box if isinstance(box, (list, tuple, np.ndarray)) else "", "box", "mouth_contrast")
        if corners.shape != (4,):
            raise ValueError(f"mouth_contrast: box must be 4 numbers (x0, y0, x1, y1) from mouth_box, got {box!r:.60}")
    x0, y0, x1, y1 = mouth_box(h) if box is None else (int(v) for v in corners)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        raise ValueError(f"mouth_contrast: the box {box} leaves less than 2×2 pixels inside the {w}×{h} frames")
    luma = frames[:, y0:y1, x0:x1] @ np.array([0.299, 0.587, 0.114], np.float32)
    return luma.reshape(t, -1).std(axis=1).astype(np.float32)


class SyncResult(NamedTuple):
    """An audio-visual offset estimate, its confidence and the distance curve behind them (lab 05).

    ``offset`` in frames (positive: the audio lags the lips), ``confidence`` (median − minimum distance), and
    the mean ``distances`` at each of ``offsets``.
    """

    offset: int
    confidence: float
    distances: np.ndarray
    offsets: np.ndarray


def _zscore(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() + 1e-9)


def av_offset(video_feature, audio_feature, max_offset: int = MAX_OFFSET, window: int = SYNC_WINDOW) -> SyncResult:
    """SyncNet's rule on two per-frame signals: mean distance per offset, argmin, confidence median − min (lab 05).

    Both signals are standardised (mean 0, standard deviation 1). For each offset k in −max_offset..max_offset
    and each frame t, the video window v[t : t + window] is compared with the audio window a[t + k : t + k +
    window] by Euclidean distance; the distance at k is the mean over the same frames t for every k (those
    where all windows fit). A positive offset means the audio comes k frames late.
    """
    fn = "av_offset"
    v = check_finite(video_feature, "video_feature", fn).astype(np.float64).reshape(-1)
    a = check_finite(audio_feature, "audio_feature", fn).astype(np.float64).reshape(-1)
    max_offset = check_scalar(max_offset, "max_offset", int, min_val=1, fn=fn)
    window = check_scalar(window, "window", int, min_val=1, fn=fn)
    if len(v) != len(a):
        raise ValueError(f"av_offset: the video feature has {len(v)} frames but the audio feature {len(a)}; "
                         "compute both over the same frames (mouth_from_audio(audio, n_frames=len(frames)))")
    if len(v) < 2 * max_offset + window + 1:
        need = 2 * max_offset + window + 1
        raise ValueError(f"av_offset: {len(v)} frames are too few to search ±{max_offset} frames with a "
                         f"{window}-frame window; need at least {need} ({need / FPS:.1f} s)")
    v, a = _zscore(v), _zscore(a)
    vw = np.lib.stride_tricks.sliding_window_view(v, window)
    aw = np.lib.stride_tricks.sliding_window_view(a, window)
    ts = np.arange(max_offset, len(vw) - max_offset)
    offsets = np.arange(-max_offset, max_offset + 1)
    distances = np.array([np.linalg.norm(vw[ts] - aw[ts + k], axis=1).mean() for k in offsets])
    best = int(np.argmin(distances))
    return SyncResult(int(offsets[best]), float(np.median(distances) - distances[best]), distances, offsets)


def shift_audio(audio, frames: int, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Delay (``frames`` > 0) or advance (< 0) audio by whole video frames, keeping its length (lab 05)."""
    audio = check_audio(audio, sr, "shift_audio: audio")
    return _shift_audio(audio, check_scalar(frames, "frames", int, fn="shift_audio"))


def _shift_audio(audio: np.ndarray, frames: int) -> np.ndarray:
    k = int(frames) * SAMPLES_PER_FRAME
    if abs(k) >= len(audio):
        return np.zeros_like(audio)
    return np.concatenate([np.zeros(k, np.float32), audio[:len(audio) - k]]) if k >= 0 else \
        np.concatenate([audio[-k:], np.zeros(-k, np.float32)])


def sync_offset(clip, max_offset: int = MAX_OFFSET, use: str = "landmarks", box=None) -> SyncResult:
    """The audio-visual offset of a clip, lips read from landmarks (``use="landmarks"``) or pixels (lab 05)."""
    from . import faces

    clip = check_object(clip, "clip", synth.Clip, "synth.talking_clip or lipsync.lipsync_clip", "sync_offset")
    max_offset = check_scalar(max_offset, "max_offset", int, min_val=1, fn="sync_offset")
    _check_use(use, clip, "sync_offset")
    video = faces.mouth_opening(clip.truth["landmarks"]) if use == "landmarks" else mouth_contrast(clip.frames, box)
    return av_offset(video, _mouth_from_audio(clip.audio, len(clip.frames)), max_offset)


def _check_use(use, clip, fn: str) -> None:
    if use not in ("landmarks", "pixels"):
        raise ValueError(f"{fn}: use must be 'landmarks' or 'pixels', got {use!r}")
    if use == "landmarks" and "landmarks" not in clip.truth:
        raise ValueError(f"{fn}: this clip has no landmarks (a swapped clip?); use use='pixels'")


# ====================================================================================================
# 2. Clips whose voice or lips are synthetic, with labels that say so

VOICE_LABELS = ("real", "synthetic", "converted")


def _check_voice_label(label: str, fn: str) -> str:
    if label not in VOICE_LABELS:
        raise ValueError(f"{fn}: voice must be one of {VOICE_LABELS} (what made the audio), got {label!r}")
    return label


def lipsync_clip(ident, speech: Speech, voice: str, seconds: float | None = None, size: int = 128, seed: int = 0,
                 **kwargs) -> synth.Clip:
    """A clip of ``ident`` whose lips are driven by the audio of ``speech`` (``mouth_from_audio``) (lab 05).

    ``voice`` labels the audio: "real", "synthetic" (text-to-speech) or "converted". The clip's
    ``truth["labels"]`` say lips "synced" and ``truth["mouth_from_audio"]`` keeps the driving track.
    """
    speech = check_object(speech, "speech", Speech, "synth.speak", "lipsync_clip")
    label = _check_voice_label(voice, "lipsync_clip")
    mouth = _mouth_from_audio(speech.audio, int(np.ceil(len(speech.audio) / SAMPLES_PER_FRAME)))
    clip = synth.talking_clip(ident, seconds=seconds, size=size, seed=seed, speech=speech, mouth=mouth, **kwargs)
    clip.truth["labels"] = {"face": "real", "voice": label, "lips": "synced"}
    clip.truth["mouth_from_audio"] = mouth[:len(clip.frames)]
    return clip


def replace_voice(clip: synth.Clip, speech: Speech, voice: str) -> synth.Clip:
    """The same frames with a new soundtrack (padded or cut to fit); the lips stay as they were (lab 05)."""
    from dataclasses import replace

    clip = check_object(clip, "clip", synth.Clip, "synth.talking_clip", "replace_voice")
    speech = check_object(speech, "speech", Speech, "synth.speak or categories.speak_as", "replace_voice")
    label = _check_voice_label(voice, "replace_voice")
    audio = _fit_length(speech.audio, len(clip.frames) * SAMPLES_PER_FRAME)
    truth = {**clip.truth, "video_text": clip.truth.get("text"), "text": speech.text, "segments": speech.segments,
             "labels": {**clip.labels, "voice": label}}
    return replace(clip, audio=audio, truth=truth)


# ====================================================================================================
# 3. Measuring: offsets recovered from injected shifts


def offset_trials(clips, shifts=range(-MAX_OFFSET, MAX_OFFSET + 1), use: str = "landmarks", tolerance: int = 1) -> dict:
    """Delay each clip's audio by each shift, estimate the offset with ``sync_offset``, count the hits (lab 05).

    A hit is an estimate within ``tolerance`` frames of the injected shift. Returns ``accuracy``, the
    ``estimates`` and ``confidence`` (clips × shifts) and the ``shifts``.
    """
    from dataclasses import replace

    fn = "offset_trials"
    if not isinstance(clips, (list, tuple)) or not clips:
        raise ValueError(f"{fn}: clips must be a non-empty list of synth.Clip, got {clips!r:.60}")
    for i, clip in enumerate(clips):
        check_object(clip, f"clips[{i}]", synth.Clip, "synth.talking_clip", fn)
        _check_use(use, clip, fn)
    shifts = check_finite([] if isinstance(shifts, str) else list(shifts), "shifts", fn)
    if shifts.ndim != 1 or not len(shifts) or not np.array_equal(shifts, np.round(shifts)):
        raise ValueError(f"{fn}: shifts must be a non-empty list of whole numbers of frames, e.g. range(-10, 11)")
    shifts = shifts.astype(int)
    tolerance = check_scalar(tolerance, "tolerance", int, min_val=0, fn=fn)
    estimates = np.zeros((len(clips), len(shifts)), int)
    confidence = np.zeros((len(clips), len(shifts)))
    for i, clip in enumerate(clips):
        for j, s in enumerate(shifts):
            result = sync_offset(replace(clip, audio=_shift_audio(clip.audio, int(s))), use=use)
            estimates[i, j], confidence[i, j] = result.offset, result.confidence
    hits = np.abs(estimates - shifts[None]) <= tolerance
    return {"accuracy": float(hits.mean()), "estimates": estimates, "confidence": confidence, "shifts": shifts}
