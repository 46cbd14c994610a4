"""Sound as data: spectrograms, mel and linear filterbanks, cepstra, decibels, YIN pitch, speaker features (lab 05).

1. **Spectrograms**: ``spectrogram`` (``scipy.signal.stft``), ``mel_filterbank`` and ``mel_spectrogram``,
   ``mfcc`` (a DCT of the log-mel spectrum), and ``linear_filterbank`` with ``lfcc``, the cepstra of audio
   anti-spoofing baselines that lab 07's audio detector builds on.
2. **Pitch**: ``pitch_track``, a YIN tracker (de Cheveigné & Kawahara, 2002) written out step by step:
   ``yin_difference`` then ``yin_cmnd`` then the first dip under a threshold.
3. **Who is speaking**: ``speaker_features``, the 40 numbers of lab 05's speaker judge.

Audio is mono float32 in [-1, 1] at 16 kHz (see ``course_lib.validate``).
"""
from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
from scipy import signal
from scipy.stats import iqr

from .synth.speech import Speech
from .validate import SAMPLE_RATE, check_audio, check_finite, check_scalar

# ====================================================================================================
# 1. Spectrograms, filterbanks, cepstra


class Spectrogram(NamedTuple):
    """A time-frequency picture: ``power`` is F×T, ``freqs`` in Hz (F,), ``times`` in seconds (T,) (lab 05)."""

    freqs: np.ndarray
    times: np.ndarray
    power: np.ndarray


def _frame_sizes(sr: int, win_ms: float, hop_ms: float, fn: str) -> tuple[int, int]:
    win_ms = check_scalar(win_ms, "win_ms", float, min_val=1.0, max_val=500.0, include_boundaries="right", fn=fn)
    hop_ms = check_scalar(hop_ms, "hop_ms", float, min_val=0.5, max_val=500.0, include_boundaries="right", fn=fn)
    win, hop = int(round(win_ms * sr / 1000)), int(round(hop_ms * sr / 1000))
    if hop > win:
        raise ValueError(f"{fn}: hop_ms ({hop_ms}) must not exceed win_ms ({win_ms}), or samples are skipped")
    return win, hop


def _n_fft(n_fft, win: int, fn: str) -> int:
    if n_fft is None:
        return int(2 ** np.ceil(np.log2(win)))
    return check_scalar(n_fft, "n_fft", int, min_val=win, fn=fn)  # at least the window length


def spectrogram(audio, sr: int = SAMPLE_RATE, win_ms: float = 25.0, hop_ms: float = 10.0,
                n_fft: int | None = None) -> Spectrogram:
    """Power spectrogram |STFT|² with a Hann window; frame k is centred at k·hop (lab 05).

    ``scipy.signal.stft`` does the work; its default scaling divides by the window's sum, so a full-scale
    sine of amplitude A shows a peak of about (A/2)² at its frequency.
    """
    audio = check_audio(audio, sr, "spectrogram: audio")
    win, hop = _frame_sizes(sr, win_ms, hop_ms, "spectrogram")
    n_fft = _n_fft(n_fft, win, "spectrogram")
    if len(audio) < win:
        raise ValueError(f"spectrogram: the audio has {len(audio)} samples, fewer than one window ({win}); "
                         "pass a longer signal or a shorter win_ms")
    freqs, times, z = signal.stft(audio, fs=sr, window="hann", nperseg=win, noverlap=win - hop, nfft=n_fft)
    return Spectrogram(freqs.astype(np.float32), times.astype(np.float32), (np.abs(z) ** 2).astype(np.float32))


def _non_negative(x, name: str, fn: str) -> np.ndarray:
    """Finite numbers, none below zero (frequencies, powers), as float64."""
    arr = check_finite(x, name, fn).astype(np.float64)
    if arr.size and arr.min() < 0:
        raise ValueError(f"{fn}: {name} must not be negative, got {arr.min():g}; give values of 0 or more")
    return arr


def hz_to_mel(hz):
    """Frequency in Hz to mels: 2595·log10(1 + f/700), the HTK formula (lab 05)."""
    return _hz_to_mel(_non_negative(hz, "hz", "hz_to_mel"))


def mel_to_hz(mel):
    """Mels back to Hz: 700·(10^(m/2595) − 1) (lab 05)."""
    return _mel_to_hz(_non_negative(mel, "mel", "mel_to_hz"))


def _hz_to_mel(hz):
    return 2595.0 * np.log10(1.0 + np.asarray(hz, np.float64) / 700.0)


def _mel_to_hz(mel):
    return 700.0 * (10.0 ** (np.asarray(mel, np.float64) / 2595.0) - 1.0)


def _triangles(edges: np.ndarray, n_fft: int, sr: int) -> np.ndarray:
    """Filter i rises linearly (in Hz) from edges[i] to edges[i + 1] and falls to edges[i + 2]."""
    bins = np.fft.rfftfreq(n_fft, 1.0 / sr)
    lo, centre, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins - lo) / (centre - lo)
    falling = (hi - bins) / (hi - centre)
    return np.clip(np.minimum(rising, falling), 0.0, None).astype(np.float32)


def mel_filterbank(n_mels: int = 40, n_fft: int = 512, sr: int = SAMPLE_RATE, fmin: float = 0.0,
                   fmax: float | None = None) -> np.ndarray:
    """Triangular filters on the mel scale, n_mels × (n_fft/2 + 1), each peaking at 1 at its centre (lab 05).

    The n_mels + 2 edge frequencies are equally spaced in mels from ``fmin`` to ``fmax``; filter i rises
    linearly (in Hz) from edge i to edge i + 1 and falls to edge i + 2.
    """
    fn = "mel_filterbank"
    n_mels = check_scalar(n_mels, "n_mels", int, min_val=1, max_val=256, fn=fn)
    n_fft = check_scalar(n_fft, "n_fft", int, min_val=16, fn=fn)
    sr = check_scalar(sr, "sr", int, min_val=1, fn=fn)
    fmin = check_scalar(fmin, "fmin", float, min_val=0.0, max_val=sr / 2, include_boundaries="left", fn=fn)
    fmax = check_scalar(fmax, "fmax", float, min_val=fmin, max_val=sr / 2, include_boundaries="right",
                        allow_none=True, fn=fn)
    fmax = sr / 2 if fmax is None else fmax
    bank = _triangles(_mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2)), n_fft, sr)
    empty = int((bank.max(axis=1) == 0).sum())
    if empty:  # as librosa warns: narrow low filters fall between two FFT bins
        warnings.warn(f"mel_filterbank: {empty} of the {n_mels} mel filters are all zero: too many mels "
                      f"(n_mels={n_mels}) for n_fft={n_fft}. Use fewer mels or a larger n_fft.", stacklevel=2)
    return bank


def mel_spectrogram(audio, sr: int = SAMPLE_RATE, n_mels: int = 40, win_ms: float = 25.0, hop_ms: float = 10.0,
                    n_fft: int | None = 512) -> Spectrogram:
    """The power spectrogram pooled by ``mel_filterbank``; ``freqs`` are the filters' centres (lab 05)."""
    n_mels = check_scalar(n_mels, "n_mels", int, min_val=1, max_val=256, fn="mel_spectrogram")
    spec = spectrogram(audio, sr, win_ms, hop_ms, n_fft)
    n_fft = 2 * (len(spec.freqs) - 1)
    bank = mel_filterbank(n_mels, n_fft, sr)
    centres = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(sr / 2), n_mels + 2))[1:-1]
    return Spectrogram(centres.astype(np.float32), spec.times, bank @ spec.power)


def decibels(power, floor_db: float = -100.0) -> np.ndarray:
    """10·log10(power), floored at ``floor_db`` so silence does not give −∞ (lab 05)."""
    floor_db = check_scalar(floor_db, "floor_db", float, fn="decibels")
    return _decibels(_non_negative(power, "power", "decibels"), floor_db)


def _decibels(power, floor_db: float = -100.0) -> np.ndarray:
    return np.maximum(10.0 * np.log10(np.maximum(np.asarray(power, np.float64), 1e-30)), floor_db).astype(np.float32)


def mfcc(audio, sr: int = SAMPLE_RATE, n_mfcc: int = 20, n_mels: int = 40, win_ms: float = 25.0,
         hop_ms: float = 10.0) -> np.ndarray:
    """Mel-frequency cepstral coefficients, n_mfcc × T: the DCT of the log-mel spectrum (lab 05)."""
    n_mels = check_scalar(n_mels, "n_mels", int, min_val=1, max_val=256, fn="mfcc")
    n_mfcc = check_scalar(n_mfcc, "n_mfcc", int, min_val=1, max_val=n_mels, fn="mfcc")  # at most n_mels
    mel = mel_spectrogram(audio, sr, n_mels, win_ms, hop_ms)
    return _cepstrum(mel.power, n_mfcc)


def _cepstrum(band_power: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` coefficients of the orthonormal DCT-II of the log (dB) band powers, per column."""
    from scipy.fft import dct

    return dct(_decibels(band_power), type=2, norm="ortho", axis=0)[:n].astype(np.float32)


def linear_filterbank(n_filters: int = 20, n_fft: int = 512, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Triangular filters equally spaced in Hz from 0 to sr/2, n_filters × (n_fft/2 + 1) (lab 07).

    The same triangles as ``mel_filterbank``, but as wide at 7 kHz as at 100 Hz: the high frequencies, where
    vocoders and converters leave their traces, keep as much detail as the low ones.
    """
    fn = "linear_filterbank"
    n_filters = check_scalar(n_filters, "n_filters", int, min_val=1, max_val=256, fn=fn)
    n_fft = check_scalar(n_fft, "n_fft", int, min_val=2 * n_filters + 2, fn=fn)  # 2·n_filters + 2 at least
    sr = check_scalar(sr, "sr", int, min_val=1, fn=fn)
    return _triangles(np.linspace(0.0, sr / 2, n_filters + 2), n_fft, sr)


def lfcc(audio, sr: int = SAMPLE_RATE, n_lfcc: int = 20, n_filters: int = 20, win_ms: float = 20.0,
         hop_ms: float = 10.0) -> np.ndarray:
    """Linear-frequency cepstral coefficients, n_lfcc × T: the DCT of the log linear-filterbank spectrum (lab 07).

    The audio anti-spoofing baseline's features (ASVspoof 2019: 20 linear filters, 20 ms frames, 512-point
    FFT): like ``mfcc``, but on ``linear_filterbank``, so the high band is not squeezed together.
    """
    n_filters = check_scalar(n_filters, "n_filters", int, min_val=1, max_val=256, fn="lfcc")
    n_lfcc = check_scalar(n_lfcc, "n_lfcc", int, min_val=1, max_val=n_filters, fn="lfcc")  # at most n_filters
    spec = spectrogram(audio, sr, win_ms, hop_ms, 512)
    return _cepstrum(linear_filterbank(n_filters, 512, sr) @ spec.power, n_lfcc)


# ====================================================================================================
# 2. Pitch: a YIN tracker


SILENCE_DB = -90.0  # frames quieter than this (mean square, dB re full scale) are silence, whatever their shape


class PitchTrack(NamedTuple):
    """Pitch per frame: ``f0`` in Hz (0 where unvoiced), ``voiced``, and YIN's ``aperiodicity`` (lab 05)."""

    times: np.ndarray
    f0: np.ndarray
    voiced: np.ndarray
    aperiodicity: np.ndarray


def yin_difference(frames, window: int, max_lag: int) -> np.ndarray:
    """YIN's difference function d(τ) = Σ_{j<W} (x_j − x_{j+τ})² for τ = 0..max_lag, for each row (lab 05).

    ``frames`` is N×(window + max_lag) (or one such frame). Computed as E₀ + E_τ − 2·r(τ), with the
    correlation r from one FFT per frame rather than a loop over lags.
    """
    fn = "yin_difference"
    window = check_scalar(window, "window", int, min_val=1, fn=fn)
    max_lag = check_scalar(max_lag, "max_lag", int, min_val=1, fn=fn)
    x = np.atleast_2d(check_finite(frames, "frames", fn).astype(np.float64))
    if x.ndim != 2 or x.shape[1] != window + max_lag:
        raise ValueError(f"{fn}: frames must be N×(window + max_lag) = N×{window + max_lag} samples, "
                         f"got shape {x.shape}")
    return _yin_difference(x, window, max_lag)


def _yin_difference(x: np.ndarray, window: int, max_lag: int) -> np.ndarray:
    n = int(2 ** np.ceil(np.log2(window + max_lag)))
    head = np.fft.rfft(x[:, :window], n)
    whole = np.fft.rfft(x, n)
    r = np.fft.irfft(np.conj(head) * whole, n)[:, :max_lag + 1]
    cs = np.concatenate([np.zeros((len(x), 1)), np.cumsum(x ** 2, axis=1)], axis=1)
    lags = np.arange(max_lag + 1)
    energy = cs[:, lags + window] - cs[:, lags]  # E_τ = Σ_{j<W} x_{j+τ}²
    return np.maximum(energy[:, :1] + energy - 2 * r, 0.0)


def yin_cmnd(d) -> np.ndarray:
    """YIN's cumulative mean normalised difference: d'(0) = 1, d'(τ) = d(τ)·τ / Σ_{j=1..τ} d(j) (lab 05)."""
    d = np.atleast_2d(check_finite(d, "d", "yin_cmnd").astype(np.float64))
    if d.ndim != 2 or d.shape[1] < 2:
        raise ValueError(f"yin_cmnd: d must be yin_difference's output, N×(max_lag + 1) with max_lag >= 1, "
                         f"got shape {d.shape}")
    return _yin_cmnd(d)


def _yin_cmnd(d: np.ndarray) -> np.ndarray:
    lags = np.arange(d.shape[1])
    running = np.cumsum(d[:, 1:], axis=1)
    out = np.ones_like(d)
    out[:, 1:] = d[:, 1:] * lags[1:] / np.maximum(running, 1e-12)
    return out


def _pick_lags(cmnd: np.ndarray, lo: int, hi: int, threshold: float) -> np.ndarray:
    """YIN's step 4: the first dip below ``threshold`` in lags lo..hi (its lowest point), else the global minimum."""
    part = cmnd[:, lo:hi + 1]
    below = part < threshold
    idx = np.arange(part.shape[1])
    first = np.argmax(below, axis=1)
    after = idx[None] >= first[:, None]
    broken = after & ~below
    stop = np.where(broken.any(axis=1), np.argmax(broken, axis=1), part.shape[1])
    dip = np.where(after & (idx[None] < stop[:, None]), part, np.inf)
    lag = np.where(below.any(axis=1), np.argmin(dip, axis=1), np.argmin(part, axis=1))
    return lag + lo


def pitch_track(audio, sr: int = SAMPLE_RATE, fmin: float = 60.0, fmax: float = 400.0, hop_ms: float = 10.0,
                win_ms: float = 25.0, threshold: float = 0.2, silence_db: float = 40.0) -> PitchTrack:
    """Pitch every ``hop_ms`` by YIN: difference function, cumulative-mean normalisation, first dip (lab 05).

    A frame is voiced when its dip lies below ``threshold`` and its energy is within ``silence_db`` of the
    loudest frame's (and above −90 dB: digital silence is periodic with any period). The lag is refined by a
    parabola through the dip and its neighbours.
    """
    audio = check_audio(audio, sr, "pitch_track: audio")
    fmin = check_scalar(fmin, "fmin", float, min_val=20.0, max_val=2000.0, include_boundaries="right", fn="pitch_track")
    fmax = check_scalar(fmax, "fmax", float, min_val=fmin, max_val=sr / 4, include_boundaries="right", fn="pitch_track")
    threshold = check_scalar(threshold, "threshold", float, min_val=0.0, max_val=1.0, include_boundaries="right",
                             fn="pitch_track")
    silence_db = check_scalar(silence_db, "silence_db", float, min_val=0.0, include_boundaries="neither",
                              fn="pitch_track")
    win, hop = _frame_sizes(sr, win_ms, hop_ms, "pitch_track")
    lo, max_lag = max(2, int(np.floor(sr / fmax))), int(np.ceil(sr / fmin)) + 1
    if win < sr / fmin:
        raise ValueError(f"pitch_track: win_ms={win_ms} is shorter than the longest period (1/fmin = "
                         f"{1000 / fmin:.1f} ms); use win_ms >= {1000 / fmin:.0f} or a higher fmin")
    n_frames = int(np.ceil(len(audio) / hop)) if len(audio) else 0
    padded = np.pad(audio.astype(np.float64), (win // 2, win + max_lag + hop))
    view = np.lib.stride_tricks.sliding_window_view(padded, win + max_lag)[::hop][:n_frames]
    f0 = np.zeros(n_frames, np.float32)
    aper = np.ones(n_frames, np.float32)
    energy = np.zeros(n_frames)
    for a in range(0, n_frames, 1024):  # in chunks, so a long recording never needs a huge array
        frames = view[a:a + 1024]
        d = _yin_difference(frames, win, max_lag)
        cm = _yin_cmnd(d)
        lag = _pick_lags(cm, lo, max_lag - 1, threshold)
        rows = np.arange(len(lag))
        y0, y1, y2 = cm[rows, lag - 1], cm[rows, lag], cm[rows, lag + 1]
        denom = y0 - 2 * y1 + y2
        shift = np.where(np.abs(denom) > 1e-12, 0.5 * (y0 - y2) / np.where(denom == 0, 1, denom), 0.0)
        f0[a:a + len(lag)] = sr / (lag + np.clip(shift, -1, 1))
        aper[a:a + len(lag)] = y1
        energy[a:a + len(lag)] = np.mean(frames[:, :win] ** 2, axis=1)
    level_db = 10 * np.log10(energy + 1e-20)
    loud = (level_db > level_db.max(initial=-200.0) - silence_db) & (level_db > SILENCE_DB)
    voiced = (aper < threshold) & loud & (f0 >= fmin) & (f0 <= fmax)
    times = (np.arange(n_frames) * hop / sr).astype(np.float32)
    return PitchTrack(times, np.where(voiced, f0, 0.0).astype(np.float32), voiced, aper)


# ====================================================================================================
# 3. Recordings and who is speaking


def as_recordings(audios, fn: str = "as_recordings") -> list[np.ndarray]:
    """One recording (a 1-D array or a Speech) or a list of them, as a checked list of 16 kHz arrays (lab 05)."""
    if isinstance(audios, Speech):
        audios = [audios.audio]
    elif isinstance(audios, np.ndarray) and audios.ndim == 1:
        audios = [audios]
    elif not isinstance(audios, (list, tuple)) or not len(audios):
        raise ValueError(f"{fn}: give one recording (a 1-D array) or a non-empty list of them")
    return [check_audio(a.audio if isinstance(a, Speech) else a, SAMPLE_RATE, f"{fn}: recording {i}")
            for i, a in enumerate(audios)]


def fit_length(x, n: int) -> np.ndarray:
    """Cut, or pad with silence, to exactly ``n`` samples (lab 05)."""
    n = check_scalar(n, "n", int, min_val=0, fn="fit_length")
    x = check_finite(x, "x", "fit_length")
    if x.ndim != 1:
        raise ValueError(f"fit_length: x must be a 1-D signal, got shape {x.shape}")
    return _fit_length(x, n)


def _fit_length(x, n: int) -> np.ndarray:
    x = np.asarray(x, np.float32)[:n]
    return np.pad(x, (0, n - len(x)))


def speaker_features(audio, sr: int = SAMPLE_RATE) -> np.ndarray:
    """A fixed-length description of a voice: MFCC means and spreads over voiced frames, and pitch statistics (lab 05).

    40 numbers: the mean and standard deviation of MFCCs 1-19 over the voiced frames (the vocal tract and the
    voice source; c0, loudness, is left out), the median log-pitch and its robust spread
    (``scipy.stats.iqr`` scaled to a normal standard deviation).
    """
    audio = check_audio(audio, sr, "speaker_features: audio")
    coeffs = mfcc(audio, sr)[1:]
    track = pitch_track(audio, sr)
    if track.voiced.sum() < 10:
        raise ValueError("speaker_features: found fewer than 10 voiced frames; give at least a second of speech")
    times = np.arange(coeffs.shape[1]) * 0.01
    voiced = np.interp(times, track.times, track.voiced.astype(float)) > 0.5
    log_f0 = np.log(track.f0[track.voiced])
    body = coeffs[:, voiced]
    return np.r_[body.mean(axis=1), body.std(axis=1), np.median(log_f0), iqr(log_f0, scale="normal")].astype(np.float32)
