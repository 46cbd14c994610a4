"""Voices and lip sync: sound as data, pitch, the source-filter voice, voice conversion, lip sync (lab 05).

The lab's path through this module:

1. **Sound as data**: ``spectrogram`` (``scipy.signal.stft``), ``mel_filterbank`` and ``mel_spectrogram``,
   ``mfcc`` (a DCT of the log-mel spectrum).
2. **Pitch**: ``pitch_track``, a YIN tracker (de Cheveigné & Kawahara, 2002) written out step by step:
   ``yin_difference`` then ``yin_cmnd`` then the first dip under a threshold.
3. **A voice from its parts**: ``synthesis_steps`` and ``vowel`` call the synthesiser of
   ``course_lib.synth.speech`` (source, formants, filter) one step at a time.
4. **Voice conversion** on the audio alone: ``voice_profile`` measures a speaker's pitch and long-term
   spectral envelope from example utterances; ``fit_converter`` learns a pitch ratio, an envelope stretch and
   an EQ from both speakers' recordings; ``convert`` shifts the pitch with TD-PSOLA (``psola``, Moulines &
   Charpentier, 1990), warps the spectral envelope's frequency axis (``warp_envelope``, LPC analysis per
   frame, overlap-add resynthesis) and equalises. It never sees the synthesiser's hidden voice parameters.
5. **Lip sync**: ``mouth_from_audio`` turns speech into a mouth opening per video frame (energy and the first
   formant's region), which drives ``lipsync_clip``; ``av_offset`` estimates the audio-visual offset the way
   SyncNet does (Chung & Zisserman, 2016): distances at every offset within ±10 frames, offset = argmin,
   confidence = median − minimum. ``faces.mouth_opening`` (landmarks) and ``mouth_contrast`` (pixels, for any
   frames, e.g. a swapped clip) are its video features.

Audio is mono float32 in [-1, 1] at 16 kHz; video is 25 fps (see ``course_lib.validate``).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy import signal

from . import synth
from .synth import speech as _speech
from .synth.speech import Speech, speak  # noqa: F401  (text-to-speech is the synthesiser's own ``speak``)
from .validate import FPS, SAMPLE_RATE, check_audio, check_seed

# ====================================================================================================
# 1. Sound as data: spectrograms, mel spectrograms, cepstra


class Spectrogram(NamedTuple):
    """A time-frequency picture: ``power`` is F×T, ``freqs`` in Hz (F,), ``times`` in seconds (T,) (lab 05)."""

    freqs: np.ndarray
    times: np.ndarray
    power: np.ndarray


def _positive(value, name: str, fn: str, lo: float = 0.0, hi: float = np.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not lo < value <= hi:
        raise ValueError(f"{fn}: {name} must be a number above {lo:g}" + (f" and at most {hi:g}" if hi < np.inf else "")
                         + f", got {value!r}")
    return float(value)


def _frame_sizes(sr: int, win_ms: float, hop_ms: float, fn: str) -> tuple[int, int]:
    win = int(round(_positive(win_ms, "win_ms", fn, 1.0, 500.0) * sr / 1000))
    hop = int(round(_positive(hop_ms, "hop_ms", fn, 0.5, 500.0) * sr / 1000))
    if hop > win:
        raise ValueError(f"{fn}: hop_ms ({hop_ms}) must not exceed win_ms ({win_ms}), or samples are skipped")
    return win, hop


def _n_fft(n_fft, win: int, fn: str) -> int:
    if n_fft is None:
        return int(2 ** np.ceil(np.log2(win)))
    if isinstance(n_fft, bool) or not isinstance(n_fft, (int, np.integer)) or n_fft < win:
        raise ValueError(f"{fn}: n_fft must be a whole number at least the window length ({win} samples), "
                         f"got {n_fft!r}")
    return int(n_fft)


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


def hz_to_mel(hz):
    """Frequency in Hz to mels: 2595·log10(1 + f/700), the HTK formula (lab 05)."""
    return 2595.0 * np.log10(1.0 + np.asarray(hz, np.float64) / 700.0)


def mel_to_hz(mel):
    """Mels back to Hz: 700·(10^(m/2595) − 1) (lab 05)."""
    return 700.0 * (10.0 ** (np.asarray(mel, np.float64) / 2595.0) - 1.0)


def mel_filterbank(n_mels: int = 40, n_fft: int = 512, sr: int = SAMPLE_RATE, fmin: float = 0.0,
                   fmax: float | None = None) -> np.ndarray:
    """Triangular filters on the mel scale, n_mels × (n_fft/2 + 1), each peaking at 1 at its centre (lab 05).

    The n_mels + 2 edge frequencies are equally spaced in mels from ``fmin`` to ``fmax``; filter i rises
    linearly (in Hz) from edge i to edge i + 1 and falls to edge i + 2.
    """
    if isinstance(n_mels, bool) or not isinstance(n_mels, (int, np.integer)) or not 1 <= n_mels <= 256:
        raise ValueError(f"mel_filterbank: n_mels must be a whole number from 1 to 256, got {n_mels!r}")
    if isinstance(n_fft, bool) or not isinstance(n_fft, (int, np.integer)) or n_fft < 16:
        raise ValueError(f"mel_filterbank: n_fft must be a whole number of at least 16, got {n_fft!r}")
    fmax = sr / 2 if fmax is None else fmax
    if not 0 <= fmin < fmax <= sr / 2:
        raise ValueError(f"mel_filterbank: need 0 <= fmin < fmax <= sr/2 = {sr / 2:g} Hz, got fmin={fmin}, fmax={fmax}")
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    bins = np.fft.rfftfreq(int(n_fft), 1.0 / sr)
    lo, centre, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins - lo) / (centre - lo)
    falling = (hi - bins) / (hi - centre)
    return np.clip(np.minimum(rising, falling), 0.0, None).astype(np.float32)


def mel_spectrogram(audio, sr: int = SAMPLE_RATE, n_mels: int = 40, win_ms: float = 25.0, hop_ms: float = 10.0,
                    n_fft: int | None = 512) -> Spectrogram:
    """The power spectrogram pooled by ``mel_filterbank``; ``freqs`` are the filters' centres (lab 05)."""
    spec = spectrogram(audio, sr, win_ms, hop_ms, n_fft)
    n_fft = 2 * (len(spec.freqs) - 1)
    bank = mel_filterbank(n_mels, n_fft, sr)
    centres = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sr / 2), n_mels + 2))[1:-1]
    return Spectrogram(centres.astype(np.float32), spec.times, bank @ spec.power)


def decibels(power, floor_db: float = -100.0) -> np.ndarray:
    """10·log10(power), floored at ``floor_db`` so silence does not give −∞ (lab 05)."""
    return np.maximum(10.0 * np.log10(np.maximum(np.asarray(power, np.float64), 1e-30)), floor_db).astype(np.float32)


def mfcc(audio, sr: int = SAMPLE_RATE, n_mfcc: int = 20, n_mels: int = 40, win_ms: float = 25.0,
         hop_ms: float = 10.0) -> np.ndarray:
    """Mel-frequency cepstral coefficients, n_mfcc × T: the DCT of the log-mel spectrum (lab 05)."""
    from scipy.fft import dct

    if isinstance(n_mfcc, bool) or not isinstance(n_mfcc, (int, np.integer)) or not 1 <= n_mfcc <= n_mels:
        raise ValueError(f"mfcc: n_mfcc must be a whole number from 1 to n_mels={n_mels}, got {n_mfcc!r}")
    mel = mel_spectrogram(audio, sr, n_mels, win_ms, hop_ms)
    return dct(decibels(mel.power), type=2, norm="ortho", axis=0)[:n_mfcc].astype(np.float32)


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
    x = np.atleast_2d(np.asarray(frames, np.float64))
    if x.shape[1] != window + max_lag:
        raise ValueError(f"yin_difference: each frame needs window + max_lag = {window + max_lag} samples, "
                         f"got {x.shape[1]}")
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
    d = np.atleast_2d(np.asarray(d, np.float64))
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
    fmin = _positive(fmin, "fmin", "pitch_track", 20.0, 2000.0)
    fmax = _positive(fmax, "fmax", "pitch_track", fmin, sr / 4)
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
        d = yin_difference(frames, win, max_lag)
        cm = yin_cmnd(d)
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
# 3. A voice from its parts: the synthesiser of course_lib.synth.speech, one step at a time


@dataclass
class SynthesisSteps:
    """Every intermediate of the source-filter synthesiser for one line, per sample at 16 kHz (lab 05).

    ``source`` is the glottal buzz alone, ``filtered`` that buzz through the moving formants (no consonants,
    no silences), and ``audio`` the synthesiser's finished output.
    """

    text: str
    phonemes: list
    segments: list
    f0: np.ndarray
    source: np.ndarray
    formants: np.ndarray
    filtered: np.ndarray
    audio: np.ndarray
    sr: int = SAMPLE_RATE


def _voice_of(who, fn: str) -> synth.Voice:
    voice_ = who.voice if isinstance(who, synth.Identity) else who
    if not isinstance(voice_, synth.Voice):
        raise ValueError(f"{fn}: give a course_lib.synth.Identity or Voice, e.g. synth.cast('ada'), "
                         f"got {type(who).__name__}")
    return voice_


def _peak(x: np.ndarray, level: float = 0.8) -> np.ndarray:
    return (np.asarray(x, np.float32) / (np.abs(x).max() + 1e-9) * level).astype(np.float32)


def synthesis_steps(who, text: str, seed: int = 0) -> SynthesisSteps:
    """Run ``synth.speech``'s synthesiser step by step: phonemes, timing, pitch, source, formants, filter (lab 05)."""
    voice_ = _voice_of(who, "synthesis_steps")
    seed = check_seed(seed)
    phones = _speech.text_to_phonemes(text)
    if not phones:
        raise ValueError(f"synthesis_steps: found no words to say in {text!r}")
    segs = _speech.plan(phones, rate=voice_.rate, seed=seed)
    n = int(np.ceil(segs[-1].end * SAMPLE_RATE))
    question = text.strip().endswith("?")
    f0 = _speech.pitch_contour(segs, n, voice_.f0, question, voice_.jitter, SAMPLE_RATE, seed)
    source = _speech.glottal_source(f0, SAMPLE_RATE, breathiness=voice_.breathiness, seed=seed)
    formants = _speech.formant_tracks(segs, n, voice_.formant_scale)
    filtered = _speech.formant_filter(source, formants)
    audio = _speech.synthesize(segs, voice_, SAMPLE_RATE, question=question, seed=seed)
    return SynthesisSteps(text, phones, segs, f0, _peak(source), formants, _peak(filtered), audio)


def vowel(phone: str = "AA", f0: float = 120.0, formant_scale: float = 1.0, seconds: float = 0.6,
          breathiness: float = 0.02, seed: int = 0) -> np.ndarray:
    """A steady vowel from the source-filter model: a buzz at ``f0`` through the vowel's formants (lab 05)."""
    if phone not in _speech.PHONES or "F" not in _speech.PHONES[phone] or _speech.PHONES[phone]["kind"] != "vowel":
        vowels = sorted(k for k, v in _speech.PHONES.items() if v["kind"] == "vowel")
        raise ValueError(f"vowel: {phone!r} is not one of the synthesiser's steady vowels {vowels}")
    f0 = _positive(f0, "f0", "vowel", 30.0, 1000.0)
    formant_scale = _positive(formant_scale, "formant_scale", "vowel", 0.3, 3.0)
    seconds = _positive(seconds, "seconds", "vowel", 0.05, 10.0)
    n = int(seconds * SAMPLE_RATE)
    source = _speech.glottal_source(np.full(n, f0, np.float32), breathiness=breathiness, seed=check_seed(seed))
    formants = _speech.formant_tracks([_speech.Segment(phone, 0.0, seconds)], n, formant_scale)
    fade = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / (0.02 * SAMPLE_RATE))
    return _peak(_speech.formant_filter(source, formants) * fade)


# ====================================================================================================
# 4. Voice conversion on the audio alone: measure two voices, shift the pitch, warp the envelope

STFT_WIN = 512  # 32 ms analysis frames for the envelope warp ...
STFT_HOP = 128  # ... every 8 ms (75% overlap, so Hann windows add up to a constant)
LPC_ORDER = 18  # two poles per kHz of bandwidth, plus two: the usual rule at 16 kHz
PROFILE_BAND = (200.0, 5000.0)  # where the envelopes of two voices are compared (Hz)
EQ_PASSES = 2  # rounds of long-term equalisation in fit_converter()


def lpc_envelopes(power, order: int = LPC_ORDER, sr: int = SAMPLE_RATE, lag_hz: float = 80.0) -> np.ndarray:
    """The all-pole (LPC) spectral envelope of each column of a power spectrogram, same shape (lab 05).

    Per frame: the autocorrelation is the inverse FFT of the power spectrum; a Gaussian lag window
    (``lag_hz``) keeps the fit from locking onto single harmonics of a high voice; the normal equations are
    solved with ``scipy.linalg.solve_toeplitz``; the envelope is g / |A(e^jω)|².
    """
    from scipy.linalg import solve_toeplitz

    power = np.asarray(power, np.float64)
    n_fft = 2 * (power.shape[0] - 1)
    r = np.fft.irfft(power, n_fft, axis=0)[:order + 1]
    lags = np.arange(order + 1)
    r = r * np.exp(-0.5 * (2 * np.pi * lag_hz * lags / sr) ** 2)[:, None]
    r[0] *= 1.0 + 1e-6  # white-noise correction: keeps silent frames solvable
    out = np.empty_like(power)
    for k in range(power.shape[1]):
        if r[0, k] <= 1e-20:
            out[:, k] = 1e-20
            continue
        a = solve_toeplitz(r[:order, k], r[1:, k])
        gain = max(r[0, k] - a @ r[1:, k], 1e-20)
        out[:, k] = gain / np.abs(np.fft.rfft(np.r_[1.0, -a], n_fft)) ** 2
    return out


@dataclass
class VoiceProfile:
    """What conversion needs to know about a voice, measured from its audio (lab 05).

    ``f0`` is the median pitch of the voiced frames (Hz) and ``f0_spread`` the spread of their log-pitch
    (interquartile range / 1.349, a standard deviation that ignores the tracker's rare octave errors).
    ``envelope`` is the mean LPC envelope of the voiced frames and ``spectrum`` their mean power spectrum,
    both averaged in dB with each frame's level removed, at the STFT frequencies ``freqs``.
    """

    f0: float
    f0_spread: float
    envelope: np.ndarray
    spectrum: np.ndarray
    freqs: np.ndarray
    seconds: float

    def __repr__(self) -> str:
        return f"VoiceProfile(f0={self.f0:.1f} Hz, f0_spread={self.f0_spread:.3f}, from {self.seconds:.1f} s of audio)"


def _stft(audio: np.ndarray, sr: int = SAMPLE_RATE):
    return signal.stft(audio, fs=sr, window="hann", nperseg=STFT_WIN, noverlap=STFT_WIN - STFT_HOP)


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


def robust_spread(x) -> float:
    """The interquartile range over 1.349: the standard deviation of a normal sample, unmoved by outliers (lab 05)."""
    q75, q25 = np.percentile(np.asarray(x, np.float64), [75, 25])
    return float((q75 - q25) / 1.349)


def voice_profile(audios, sr: int = SAMPLE_RATE) -> VoiceProfile:
    """Measure a voice from example recordings (enrolment): median pitch, mean envelope and spectrum (lab 05)."""
    audios = as_recordings(audios, "voice_profile")
    if sr != SAMPLE_RATE:
        raise ValueError(f"voice_profile: the course works at {SAMPLE_RATE} Hz, got sr={sr}")
    log_f0, envs, specs, freqs = [], [], [], None
    for audio in audios:
        track = pitch_track(audio, sr)
        log_f0.append(np.log(track.f0[track.voiced]))
        freqs, times, z = _stft(audio, sr)
        voiced_at = np.interp(times, track.times, track.voiced.astype(float)) > 0.5
        power = np.abs(z[:, voiced_at]) ** 2
        envs.append(decibels(lpc_envelopes(power, sr=sr)))
        specs.append(decibels(power))
    log_f0 = np.concatenate(log_f0)
    if len(log_f0) < 10:
        raise ValueError("voice_profile: found fewer than 10 voiced frames (0.1 s) in the recordings; "
                         "give speech, not silence or noise, and at least a second of it")
    band = (freqs >= PROFILE_BAND[0]) & (freqs <= PROFILE_BAND[1])

    def mean_shape(frames_db):  # each frame's level removed, then averaged
        x = np.concatenate(frames_db, axis=1).astype(np.float64)
        return (x - x[band].mean(axis=0)).mean(axis=1).astype(np.float32)

    return VoiceProfile(float(np.exp(np.median(log_f0))), robust_spread(log_f0), mean_shape(envs), mean_shape(specs),
                        freqs.astype(np.float32), float(sum(len(a) for a in audios) / sr))


def _warped(envelope: np.ndarray, freqs: np.ndarray, alpha: float) -> np.ndarray:
    """The envelope with its frequency axis stretched by ``alpha``: E'(f) = E(f / alpha)."""
    return np.interp(freqs / alpha, freqs, envelope)


def warp_factor(source: VoiceProfile, target: VoiceProfile, lo: float = 0.7, hi: float = 1.45) -> float:
    """The frequency stretch α that best maps the source's envelope onto the target's (vocal-tract scale) (lab 05).

    A shorter vocal tract raises every formant by the same factor, so on a log-frequency axis the two envelopes
    differ by a shift. Grid search over α: the dB difference between target(f) and source(f/α) over 200-5000
    Hz, less its best straight line in log f (level and spectral tilt belong to the voice source, not to the
    tract), should be as small as possible.
    """
    if not isinstance(source, VoiceProfile) or not isinstance(target, VoiceProfile):
        raise ValueError("warp_factor: give two VoiceProfiles, e.g. voice_profile(recordings)")
    freqs = source.freqs
    band = (freqs >= PROFILE_BAND[0]) & (freqs <= PROFILE_BAND[1])
    basis = np.stack([np.ones(band.sum()), np.log(freqs[band])], axis=1)
    projector = np.eye(band.sum()) - basis @ np.linalg.pinv(basis)  # removes level and tilt
    alphas = np.exp(np.linspace(np.log(lo), np.log(hi), 301))
    diffs = np.stack([target.envelope[band] - _warped(source.envelope, freqs, a)[band] for a in alphas])
    costs = np.mean((diffs @ projector.T) ** 2, axis=1)
    return float(alphas[int(np.argmin(costs))])


def pitch_marks(audio, track: PitchTrack | None = None, sr: int = SAMPLE_RATE,
                unvoiced_ms: float = 10.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Analysis marks for PSOLA: one per pitch period where voiced (on its peak), every 10 ms elsewhere (lab 05).

    Returns (marks in samples, the local period at each mark in samples, voiced at each mark). The local period
    is the distance to the next mark, so that laying the grains back at these distances rebuilds the signal;
    at the last mark of a voiced stretch it is the tracker's period.
    """
    audio = check_audio(audio, sr, "pitch_marks: audio")
    track = pitch_track(audio, sr) if track is None else track
    hop = float(track.times[1] - track.times[0]) * sr if len(track.times) > 1 else 160.0
    fallback = unvoiced_ms * sr / 1000
    marks, periods, voiced = [], [], []
    t, was_voiced = 0.0, False
    while t < len(audio):
        k = min(int(round(t / hop)), len(track.f0) - 1)
        is_voiced = bool(track.voiced[k])
        period = sr / float(track.f0[k]) if is_voiced else fallback
        if is_voiced:  # snap to the largest sample near the prediction: marks sit on the same point of each cycle
            reach = period / 2 if not was_voiced else period / 5
            a, b = max(0, int(t - reach)), min(len(audio), int(t + reach) + 1)
            t = float(a + np.argmax(audio[a:b]))
        marks.append(int(round(t)))
        periods.append(period)
        voiced.append(is_voiced)
        t, was_voiced = t + period, is_voiced
    marks, periods, voiced = np.array(marks), np.array(periods), np.array(voiced)
    spacing = np.diff(marks, append=len(audio)).astype(float)
    steady = np.r_[voiced[1:], False] == voiced  # the next mark is of the same kind
    steady &= (spacing > 0.5 * periods) & (spacing < 2.0 * periods)
    return marks, np.where(steady | ~voiced, np.maximum(spacing, 1.0), periods), voiced


def psola(audio, ratio: float, sr: int = SAMPLE_RATE, track: PitchTrack | None = None) -> np.ndarray:
    """Shift the pitch by ``ratio``, keep duration and formants: TD-PSOLA (Moulines & Charpentier, 1990) (lab 05).

    Each analysis mark contributes a grain, two periods long under a Hann window. Output marks are laid one
    *new* period (local period / ratio) apart; each takes the grain of the analysis mark nearest in time, so
    grains are repeated (higher pitch) or skipped (lower pitch), and each grain keeps its own spectral
    envelope. Unvoiced stretches are copied grain by grain. With ``ratio=1`` the grains land where they were.
    """
    audio = check_audio(audio, sr, "psola: audio")
    ratio = _positive(ratio, "ratio", "psola", 0.25, 4.0)
    marks, periods, voiced = pitch_marks(audio, track, sr)
    pad = int(np.ceil(periods.max())) + 1
    out = np.zeros(len(audio) + 2 * pad, np.float64)
    weight = np.zeros_like(out)
    src = np.pad(audio.astype(np.float64), (pad, pad))
    t = float(marks[0])
    while t < len(audio):
        i = int(np.searchsorted(marks, t))
        if i == len(marks) or (i > 0 and t - marks[i - 1] <= marks[i] - t):
            i -= 1
        half = int(round(periods[i]))
        window = np.hanning(2 * half + 1)
        grain = src[marks[i] + pad - half: marks[i] + pad + half + 1] * window
        grain -= window * (grain.sum() / window.sum())  # no DC: a train of grains would turn it into a hum
        if not voiced[i]:  # unvoiced: copy the grain where it was, and carry on from there
            t = float(marks[i])
        at = int(round(t)) + pad - half
        out[at: at + len(grain)] += grain
        weight[at: at + len(grain)] += window
        t += periods[i] / ratio if voiced[i] else periods[i]
    out = out / np.maximum(weight, 1.0)  # denser grains (a higher pitch) overlap more: keep the level
    return np.clip(out[pad: pad + len(audio)], -1, 1).astype(np.float32)


def warp_envelope(audio, alpha: float, sr: int = SAMPLE_RATE, max_gain_db: float = 30.0) -> np.ndarray:
    """Move every formant by ``alpha`` and keep the pitch: per-frame LPC envelope warp, overlap-add (lab 05).

    Each 32 ms frame's spectrum is multiplied by sqrt(E(f/α) / E(f)), where E is the frame's own LPC
    envelope: the harmonics stay where they are, their loudness follows the stretched envelope. The frames
    are put back together by ``scipy.signal.istft`` (weighted overlap-add).
    """
    audio = check_audio(audio, sr, "warp_envelope: audio")
    alpha = _positive(alpha, "alpha", "warp_envelope", 0.5, 2.0)
    freqs, _, z = _stft(audio, sr)
    env = lpc_envelopes(np.abs(z) ** 2, sr=sr)
    log_env = np.log(env)
    moved = np.stack([np.interp(freqs / alpha, freqs, col) for col in log_env.T], axis=1)
    limit = max_gain_db / 20 * np.log(10)
    gain = np.exp(np.clip(0.5 * (moved - log_env), -limit, limit))
    _, out = signal.istft(z * gain, fs=sr, window="hann", nperseg=STFT_WIN, noverlap=STFT_WIN - STFT_HOP)
    return _fit_length(out, len(audio))


def _fit_length(x: np.ndarray, n: int) -> np.ndarray:
    """Cut or pad with silence to exactly ``n`` samples."""
    x = np.asarray(x, np.float32)[:n]
    return np.pad(x, (0, n - len(x)))


def equalise(audio, gain_db, freqs, sr: int = SAMPLE_RATE, taps: int = 255) -> np.ndarray:
    """Filter ``audio`` with a linear-phase FIR whose gain (dB) follows ``gain_db`` at ``freqs`` (lab 05).

    ``scipy.signal.firwin2`` designs the filter; ``scipy.signal.oaconvolve`` applies it, delay removed.
    """
    audio = check_audio(audio, sr, "equalise: audio")
    freqs = np.asarray(freqs, np.float64)
    gain = 10 ** (np.interp(np.linspace(0, sr / 2, 257), freqs, np.asarray(gain_db, np.float64)) / 20)
    fir = signal.firwin2(taps, np.linspace(0, 1, 257), gain)
    out = signal.oaconvolve(audio.astype(np.float64), fir)[taps // 2: taps // 2 + len(audio)]
    return out.astype(np.float32)


def _long_term_eq(result: VoiceProfile, target: VoiceProfile, n_bands: int = 64, max_db: float = 15.0) -> np.ndarray:
    """A gain curve (dB) taking result's mean spectrum to the target's, averaged in mel bands, at most ±15 dB.

    Mel bands are narrow at low frequencies (about 50 Hz for 64 bands), so the curve can even correct the
    levels of the first few harmonics (the voice source's shape), and wide at high ones, where only the
    spectral tilt matters.
    """
    freqs = result.freqs
    bank = mel_filterbank(n_bands, 2 * (len(freqs) - 1), SAMPLE_RATE)
    diff = target.spectrum.astype(np.float64) - result.spectrum
    per_band = bank @ diff / np.maximum(bank.sum(axis=1), 1e-9)
    centres = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(SAMPLE_RATE / 2), n_bands + 2))[1:-1]
    curve = np.interp(freqs, centres, per_band)
    band = (freqs >= PROFILE_BAND[0]) & (freqs <= PROFILE_BAND[1])
    return np.clip(curve - curve[band].mean(), -max_db, max_db)


def _within_range(x: np.ndarray) -> np.ndarray:
    """Scale down (never up) so that every sample lies in [-1, 1]."""
    x = np.asarray(x, np.float32)
    return x / max(1.0, float(np.abs(x).max(initial=0.0)) / 0.99)


@dataclass
class Converter:
    """A voice converter fitted on enrolment recordings: pitch ratio, envelope stretch α, and an EQ curve (lab 05).

    Apply it with ``convert(audio, converter)``. ``eq_db`` is a gain in dB at ``target.freqs``.
    """

    source: VoiceProfile
    target: VoiceProfile
    pitch_ratio: float
    alpha: float
    eq_db: np.ndarray

    def __repr__(self) -> str:
        return (f"Converter(pitch ×{self.pitch_ratio:.3f}, formants ×{self.alpha:.3f}, EQ within "
                f"±{np.abs(self.eq_db).max():.1f} dB; {self.source.f0:.0f} Hz → {self.target.f0:.0f} Hz)")


def _shift_and_warp(audio: np.ndarray, ratio: float, alpha: float, sr: int) -> np.ndarray:
    return _within_range(warp_envelope(psola(audio, ratio, sr), alpha, sr))


def fit_converter(source_recordings, target_recordings, sr: int = SAMPLE_RATE,
                  equalise_spectrum: bool = True) -> Converter:
    """Learn to turn the source's voice into the target's from example recordings of each, audio only (lab 05).

    1. ``voice_profile`` of each speaker; pitch ratio = target.f0 / source.f0; α = ``warp_factor``;
    2. the source's own recordings are converted with ``psola`` and ``warp_envelope``, their mean spectrum is
       measured, and a smooth EQ curve (in mel bands) takes it to the target's; twice, each pass measuring the
       result of the last (spectral tilt, breathiness, the shape of the voice source's pulses).

    The EQ is learned on the enrolment recordings, not on the line being converted, so it keeps what that line
    says (its own mix of vowels) and changes only who says it.
    """
    sources = as_recordings(source_recordings, "fit_converter: source_recordings")
    targets = as_recordings(target_recordings, "fit_converter: target_recordings")
    source, target = voice_profile(sources, sr), voice_profile(targets, sr)
    ratio, alpha = target.f0 / source.f0, warp_factor(source, target)
    eq = np.zeros(len(target.freqs))
    if equalise_spectrum:
        moved = [_shift_and_warp(x, ratio, alpha, sr) for x in sources]
        for _ in range(EQ_PASSES):  # closed loop: measure, correct, measure again
            heard = voice_profile([_within_range(equalise(x, eq, target.freqs, sr)) for x in moved], sr)
            eq = eq + _long_term_eq(heard, target)
    return Converter(source, target, float(ratio), float(alpha), eq.astype(np.float32))


def convert(audio, converter: Converter, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Say the same thing in the target's voice: PSOLA pitch shift, envelope warp, EQ; loudness kept (lab 05).

    Timing (the speaking rate and rhythm) is left as it is: it is the source speaker's.
    """
    audio = as_recordings(audio, "convert")[0]
    if not isinstance(converter, Converter):
        raise ValueError("convert: give a Converter, made by fit_converter(source_recordings, target_recordings)")
    out = _shift_and_warp(audio, converter.pitch_ratio, converter.alpha, sr)
    if np.any(converter.eq_db):
        out = equalise(out, converter.eq_db, converter.target.freqs, sr)
    rms_in = np.sqrt(np.mean(audio.astype(np.float64) ** 2)) + 1e-12
    out = out * (rms_in / (np.sqrt(np.mean(out.astype(np.float64) ** 2)) + 1e-12))
    return _within_range(out)


# ====================================================================================================
# 5. Lip sync: a mouth from the voice, and how far apart voice and lips are

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
# 6. Putting it together: clips whose voice or lips are synthetic, with labels that say so

VOICE_LABELS = ("real", "synthetic", "converted")


def with_audio(speech: Speech, audio) -> Speech:
    """A copy of ``speech`` with new audio of the same timing (a converted voice); its voice is unknown (lab 05)."""
    from dataclasses import replace

    if not isinstance(speech, Speech):
        raise ValueError(f"with_audio: give a course_lib.synth.Speech (from synth.speak), got {type(speech).__name__}")
    return replace(speech, audio=check_audio(audio, speech.sr, "with_audio: audio"), voice=None)


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
    audio = _fit_length(speech.audio, len(clip.frames) * SAMPLES_PER_FRAME)
    truth = {**clip.truth, "video_text": clip.truth.get("text"), "text": speech.text, "segments": speech.segments,
             "labels": {**clip.labels, "voice": label}}
    return replace(clip, audio=audio, truth=truth)


# ====================================================================================================
# 7. Who is speaking? The features of lab 05's speaker judge (``evaluators.speaker_judge``)


def speaker_features(audio, sr: int = SAMPLE_RATE) -> np.ndarray:
    """A fixed-length description of a voice: MFCC means and spreads over voiced frames, and pitch statistics (lab 05).

    40 numbers: the mean and standard deviation of MFCCs 1-19 over the voiced frames (the vocal tract and the
    voice source; c0, loudness, is left out), the median log-pitch and its robust spread.
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
    return np.r_[body.mean(axis=1), body.std(axis=1), np.median(log_f0), robust_spread(log_f0)].astype(np.float32)


# ====================================================================================================
# 8. Measuring: conversions judged by a speaker judge, offsets recovered from injected shifts

NEW_LINES = (  # lines nobody in the synthetic world has said: not in synth.SENTENCES
    "Our flight leaves at noon, so pack your bags tonight.",
    "I never said the project would be finished by Friday.",
    "Please send the signed forms to the office before lunch.",
    "The results were checked twice and they look correct.",
    "We will meet again at the bridge when the bells ring.",
    "Nobody told me the shop would close so early today.",
)
NEW_PASSAGES = tuple(f"{NEW_LINES[i]} {NEW_LINES[i + 1]}" for i in (0, 2, 4))  # two lines each, about 7 s


def cast_pairs(kind: str = "ring") -> list[tuple[str, str]]:
    """(source, target) cast pairs: "ring" (each to the one three places on, 8) or "all" (56 ordered) (lab 05)."""
    names = sorted(synth.CAST)
    if kind == "ring":
        return [(names[i], names[(i + 3) % len(names)]) for i in range(len(names))]
    if kind == "all":
        return [(c, a) for c in names for a in names if c != a]
    raise ValueError(f"cast_pairs: kind must be 'ring' or 'all', got {kind!r}")


def enrolment(who, n: int = 4, seed: int = 0) -> list:
    """``n`` example recordings of a person (lines of ``synth.SENTENCES``): a converter's enrolment (lab 05)."""
    person = synth.cast(who) if isinstance(who, str) else who
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= len(synth.SENTENCES):
        raise ValueError(f"enrolment: n must be a whole number from 1 to {len(synth.SENTENCES)}, got {n!r}")
    seed = check_seed(seed)
    return [synth.speak(person, line, seed=90_000 + seed * 100 + i).audio for i, line in enumerate(synth.SENTENCES[:n])]


def conversion_trials(judge, pairs, lines=NEW_PASSAGES[:1], n_enrol: int = 4, seed: int = 0) -> dict:
    """Convert each source's new ``lines`` into each target's voice and ask ``judge`` who speaks (lab 05).

    ``pairs`` are (source, target) cast names. Each converter is fitted on ``enrolment`` recordings only; it
    never sees an Identity. Returns ``transfer`` (share judged to be the target), ``by_line`` (that share for
    each line), ``real_recognised`` (the share of the real targets saying the same lines that the judge
    recognises: the ceiling a conversion can reach), the per-trial ``rows`` (source, target, line, judged,
    pitch ratio, α, measured output pitch over the target's) and ``seconds`` (conversion time per second of
    audio, fitting not included).
    """
    import time

    pairs, lines = [(str(c), str(a)) for c, a in pairs], list(lines)
    if not pairs or not lines:
        raise ValueError("conversion_trials: give at least one (source, target) pair and one line")
    recordings = {name: enrolment(name, n_enrol, seed) for name in {n for p in pairs for n in p}}
    rows, spent, audio_s = [], 0.0, 0.0
    for c, a in pairs:
        converter = fit_converter(recordings[c], recordings[a])
        for k, line in enumerate(lines):
            said = synth.speak(synth.cast(c), line, seed=70_000 + seed * 100 + k)
            start = time.perf_counter()
            out = convert(said.audio, converter)
            spent += time.perf_counter() - start
            audio_s += said.duration
            track = pitch_track(out)
            rows.append({"source": c, "target": a, "line": k, "judged": judge.predict(out)[0],
                         "pitch_ratio": converter.pitch_ratio, "alpha": converter.alpha,
                         "pitch_match": float(np.median(track.f0[track.voiced]) / converter.target.f0)})
    hit = np.array([r["judged"] == r["target"] for r in rows])
    by_line = [float(hit[[r["line"] == k for r in rows]].mean()) for k in range(len(lines))]
    targets = sorted({a for _, a in pairs})
    real = [judge.predict(synth.speak(synth.cast(a), line, seed=70_000 + seed * 100 + k).audio)[0] == a
            for a in targets for k, line in enumerate(lines)]
    return {"transfer": float(hit.mean()), "by_line": by_line, "real_recognised": float(np.mean(real)),
            "rows": rows, "seconds": spent / audio_s}


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
