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
from .audio import decibels, fit_length, spectrogram, SILENCE_DB
from .synth.speech import Speech
from .validate import FPS, SAMPLE_RATE, check_audio

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
    audio = check_audio(audio, sr, "frame_spectra: audio")
    if fps != FPS:
        raise ValueError(f"frame_spectra: the course's video runs at {FPS} fps, got fps={fps}")
    per = SAMPLES_PER_FRAME
    n_frames = int(np.ceil(len(audio) / per)) if n_frames is None else int(n_frames)
    if n_frames < 1:
        raise ValueError("frame_spectra: need at least one frame of audio (640 samples at 16 kHz)")
    spec = spectrogram(fit_length(audio, n_frames * per), sr, win_ms=40.0, hop_ms=10.0)
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
    freqs, power = frame_spectra(audio, n_frames, sr)
    power = power.astype(np.float64) + 1e-12
    level_db = decibels(power[(freqs >= 150) & (freqs < 1200)].sum(axis=0))
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
    if isinstance(reference, (int, np.integer)) and not isinstance(reference, bool):
        if not 16 <= reference <= 2048:
            raise ValueError(f"mouth_box: a frame size must lie between 16 and 2048 pixels, got {reference}")
        pts = _average_faces(int(reference))
    else:
        pts = np.asarray(reference, np.float32)
        if pts.ndim not in (2, 3) or pts.shape[-2:] != (68, 2):
            raise ValueError(f"mouth_box: give 68×2 or T×68×2 landmarks, or a frame size in pixels; "
                             f"got shape {pts.shape}")
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
    from .validate import check_images

    frames = check_images(frames, "mouth_contrast: frames")
    t, h, w, _ = frames.shape
    if h != w and box is None:
        raise ValueError("mouth_contrast: frames are not square; pass box=mouth_box(landmarks) for them")
    x0, y0, x1, y1 = mouth_box(h) if box is None else (int(v) for v in box)
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
    v = np.asarray(video_feature, np.float64).reshape(-1)
    a = np.asarray(audio_feature, np.float64).reshape(-1)
    for name, value in (("max_offset", max_offset), ("window", window)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"av_offset: {name} must be a whole number of frames, at least 1; got {value!r}")
    if len(v) != len(a):
        raise ValueError(f"av_offset: the video feature has {len(v)} frames but the audio feature {len(a)}; "
                         "compute both over the same frames (mouth_from_audio(audio, n_frames=len(frames)))")
    if len(v) < 2 * max_offset + window + 1:
        need = 2 * max_offset + window + 1
        raise ValueError(f"av_offset: {len(v)} frames are too few to search ±{max_offset} frames with a "
                         f"{window}-frame window; need at least {need} ({need / FPS:.1f} s)")
    if not (np.isfinite(v).all() and np.isfinite(a).all()):
        raise ValueError("av_offset: the features contain NaN or infinite values")
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
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)):
        raise ValueError(f"shift_audio: frames must be a whole number of video frames, got {frames!r}")
    k = int(frames) * SAMPLES_PER_FRAME
    if abs(k) >= len(audio):
        return np.zeros_like(audio)
    return np.concatenate([np.zeros(k, np.float32), audio[:len(audio) - k]]) if k >= 0 else \
        np.concatenate([audio[-k:], np.zeros(-k, np.float32)])


def sync_offset(clip, max_offset: int = MAX_OFFSET, use: str = "landmarks", box=None) -> SyncResult:
    """The audio-visual offset of a clip, lips read from landmarks (``use="landmarks"``) or pixels (lab 05)."""
    from . import faces

    if not isinstance(clip, synth.Clip):
        raise ValueError(f"sync_offset: give a course_lib.synth.Clip, got {type(clip).__name__}")
    n = len(clip.frames)
    if use == "landmarks":
        if "landmarks" not in clip.truth:
            raise ValueError("sync_offset: this clip has no landmarks (a swapped clip?); use use='pixels'")
        video = faces.mouth_opening(clip.truth["landmarks"])
    elif use == "pixels":
        video = mouth_contrast(clip.frames, box)
    else:
        raise ValueError(f"sync_offset: use must be 'landmarks' or 'pixels', got {use!r}")
    return av_offset(video, mouth_from_audio(clip.audio, n_frames=n), max_offset)


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
    if not isinstance(speech, Speech):
        raise ValueError(f"lipsync_clip: give a course_lib.synth.Speech, got {type(speech).__name__}")
    label = _check_voice_label(voice, "lipsync_clip")
    mouth = mouth_from_audio(speech.audio)
    clip = synth.talking_clip(ident, seconds=seconds, size=size, seed=seed, speech=speech, mouth=mouth, **kwargs)
    clip.truth["labels"] = {"face": "real", "voice": label, "lips": "synced"}
    clip.truth["mouth_from_audio"] = mouth[:len(clip.frames)]
    return clip


def replace_voice(clip: synth.Clip, speech: Speech, voice: str) -> synth.Clip:
    """The same frames with a new soundtrack (padded or cut to fit); the lips stay as they were (lab 05)."""
    from dataclasses import replace

    if not isinstance(clip, synth.Clip) or not isinstance(speech, Speech):
        raise ValueError("replace_voice: give a synth.Clip and a synth.Speech, "
                         "e.g. replace_voice(clip, speech, 'converted')")
    label = _check_voice_label(voice, "replace_voice")
    audio = fit_length(speech.audio, len(clip.frames) * SAMPLES_PER_FRAME)
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

    shifts = np.asarray(list(shifts), int)
    if not len(clips) or not len(shifts):
        raise ValueError("offset_trials: give at least one clip and one shift")
    estimates = np.zeros((len(clips), len(shifts)), int)
    confidence = np.zeros((len(clips), len(shifts)))
    for i, clip in enumerate(clips):
        for j, s in enumerate(shifts):
            result = sync_offset(replace(clip, audio=shift_audio(clip.audio, int(s))), use=use)
            estimates[i, j], confidence[i, j] = result.offset, result.confidence
    hits = np.abs(estimates - shifts[None]) <= tolerance
    return {"accuracy": float(hits.mean()), "estimates": estimates, "confidence": confidence, "shifts": shifts}
