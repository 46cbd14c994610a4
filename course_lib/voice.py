"""Voices: a steady vowel from the source-filter model, and voice conversion on the audio alone (lab 05).

1. **A voice from its parts**: ``course_lib.synth.synthesis_steps`` keeps every step of the synthesiser
   (source, formants, filter); ``vowel`` holds one vowel steady with any pitch and vocal-tract length.
2. **Voice conversion**: ``voice_profile`` measures a speaker's pitch and long-term spectral envelope from
   example utterances (``enrolment``); ``fit_converter`` learns a pitch ratio, an envelope stretch and an EQ
   from both speakers' recordings; ``convert`` shifts the pitch with TD-PSOLA (``psola``, Moulines &
   Charpentier, 1990), warps the spectral envelope's frequency axis (``warp_envelope``, LPC analysis per
   frame, overlap-add resynthesis) and equalises. It never sees the synthesiser's hidden voice parameters.
3. **Measuring**: ``conversion_trials`` asks a speaker judge who speaks in converted lines nobody has said.

Audio is mono float32 in [-1, 1] at 16 kHz (see ``course_lib.validate``); the features come from
``course_lib.audio``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal
from scipy.stats import iqr

from . import synth
from .audio import (PitchTrack, _decibels, _fit_length, _hz_to_mel, _mel_to_hz, as_recordings, mel_filterbank,
                    pitch_track)
from .synth.speech import Speech
from .validate import SAMPLE_RATE, check_audio, check_finite, check_object, check_scalar, check_seed

# ====================================================================================================
# 1. A voice from its parts: one vowel from the synthesiser's source and filter


def _peak(x: np.ndarray, level: float = 0.8) -> np.ndarray:
    return (np.asarray(x, np.float32) / (np.abs(x).max() + 1e-9) * level).astype(np.float32)


def vowel(phone: str = "AA", f0: float = 120.0, formant_scale: float = 1.0, seconds: float = 0.6,
          breathiness: float = 0.02, seed: int = 0) -> np.ndarray:
    """A steady vowel from the source-filter model: a buzz at ``f0`` through the vowel's formants (lab 05)."""
    vowels = sorted(k for k, v in synth.PHONES.items() if v["kind"] == "vowel" and "F" in v)
    if not isinstance(phone, str) or phone not in vowels:
        raise ValueError(f"vowel: phone must be one of the synthesiser's steady vowels {vowels}, got {phone!r}")
    f0 = check_scalar(f0, "f0", float, min_val=30.0, max_val=1000.0, include_boundaries="right", fn="vowel")
    formant_scale = check_scalar(formant_scale, "formant_scale", float, min_val=0.3, max_val=3.0,
                                 include_boundaries="right", fn="vowel")
    seconds = check_scalar(seconds, "seconds", float, min_val=0.05, max_val=10.0,
                           include_boundaries="right", fn="vowel")
    breathiness = check_scalar(breathiness, "breathiness", float, min_val=0.0, max_val=1.0, fn="vowel")
    n = int(seconds * SAMPLE_RATE)
    source = synth.glottal_source(np.full(n, f0, np.float32), breathiness=breathiness, seed=check_seed(seed))
    formants = synth.formant_tracks([synth.Segment(phone, 0.0, seconds)], n, formant_scale)
    fade = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / (0.02 * SAMPLE_RATE))
    return _peak(synth.formant_filter(source, formants) * fade)


# ====================================================================================================
# 2. Voice conversion on the audio alone: measure two voices, shift the pitch, warp the envelope

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
    fn = "lpc_envelopes"
    power = check_finite(power, "power", fn).astype(np.float64)
    if power.ndim != 2 or power.shape[0] < 3 or (power.size and power.min() < 0):
        raise ValueError(f"{fn}: power must be a power spectrogram, F×T non-negative values with F >= 3 "
                         f"(np.abs(stft) ** 2), got {_shape_or_sign(power)}")
    order = check_scalar(order, "order", int, min_val=1, max_val=2 * (power.shape[0] - 1) - 1, fn=fn)
    sr = check_scalar(sr, "sr", int, min_val=1, fn=fn)
    lag_hz = check_scalar(lag_hz, "lag_hz", float, min_val=0.0, fn=fn)
    return _lpc_envelopes(power, order, sr, lag_hz)


def _shape_or_sign(x: np.ndarray) -> str:
    return f"shape {x.shape}" if x.ndim != 2 or x.shape[0] < 3 else f"a minimum of {x.min():g}"


def _lpc_envelopes(power: np.ndarray, order: int = LPC_ORDER, sr: int = SAMPLE_RATE, lag_hz: float = 80.0):
    from scipy.linalg import solve_toeplitz

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
    (``scipy.stats.iqr`` scaled to a normal standard deviation: it ignores the tracker's rare octave errors).
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


def voice_profile(audios, sr: int = SAMPLE_RATE) -> VoiceProfile:
    """Measure a voice from example recordings (enrolment): median pitch, mean envelope and spectrum (lab 05)."""
    _check_rate(sr, "voice_profile")
    return _voice_profile(as_recordings(audios, "voice_profile"), sr)


def _check_rate(sr, fn: str) -> int:
    sr = check_scalar(sr, "sr", int, min_val=1, fn=fn)
    if sr != SAMPLE_RATE:
        raise ValueError(f"{fn}: sr: the course works at {SAMPLE_RATE} Hz, got sr={sr}; resample to 16 kHz first")
    return sr


def _voice_profile(audios: list, sr: int = SAMPLE_RATE) -> VoiceProfile:
    log_f0, envs, specs, freqs = [], [], [], None
    for audio in audios:
        track = pitch_track(audio, sr)
        log_f0.append(np.log(track.f0[track.voiced]))
        freqs, times, z = _stft(audio, sr)
        voiced_at = np.interp(times, track.times, track.voiced.astype(float)) > 0.5
        power = np.abs(z[:, voiced_at]) ** 2
        envs.append(_decibels(_lpc_envelopes(power, sr=sr)))
        specs.append(_decibels(power))
    log_f0 = np.concatenate(log_f0)
    if len(log_f0) < 10:
        raise ValueError("voice_profile: found fewer than 10 voiced frames (0.1 s) in the recordings; "
                         "give speech, not silence or noise, and at least a second of it")
    band = (freqs >= PROFILE_BAND[0]) & (freqs <= PROFILE_BAND[1])

    def mean_shape(frames_db):  # each frame's level removed, then averaged
        x = np.concatenate(frames_db, axis=1).astype(np.float64)
        return (x - x[band].mean(axis=0)).mean(axis=1).astype(np.float32)

    return VoiceProfile(float(np.exp(np.median(log_f0))), float(iqr(log_f0, scale="normal")), mean_shape(envs),
                        mean_shape(specs), freqs.astype(np.float32), float(sum(len(a) for a in audios) / sr))


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
    source = check_object(source, "source", VoiceProfile, "voice_profile(recordings)", "warp_factor")
    target = check_object(target, "target", VoiceProfile, "voice_profile(recordings)", "warp_factor")
    lo = check_scalar(lo, "lo", float, min_val=0.0, max_val=10.0, include_boundaries="right", fn="warp_factor")
    hi = check_scalar(hi, "hi", float, min_val=lo, max_val=10.0, include_boundaries="right", fn="warp_factor")
    return _warp_factor(source, target, lo, hi)


def _warp_factor(source: VoiceProfile, target: VoiceProfile, lo: float = 0.7, hi: float = 1.45) -> float:
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
    audio = _check_recording(audio, sr, "pitch_marks")
    track = check_object(track, "track", (PitchTrack, type(None)), "audio.pitch_track(audio)", "pitch_marks")
    unvoiced_ms = check_scalar(unvoiced_ms, "unvoiced_ms", float, min_val=0.0, max_val=1000.0,
                               include_boundaries="right", fn="pitch_marks")
    return _pitch_marks(audio, track, sr, unvoiced_ms)


def _check_recording(audio, sr, fn: str) -> np.ndarray:
    """``check_audio``, and at least one sample."""
    audio = check_audio(audio, sr, f"{fn}: audio")
    if not audio.size:
        raise ValueError(f"{fn}: audio is empty; give a recording of at least one sample")
    return audio


def _pitch_marks(audio: np.ndarray, track: PitchTrack | None = None, sr: int = SAMPLE_RATE,
                 unvoiced_ms: float = 10.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    audio = _check_recording(audio, sr, "psola")
    ratio = check_scalar(ratio, "ratio", float, min_val=0.25, max_val=4.0, include_boundaries="right", fn="psola")
    track = check_object(track, "track", (PitchTrack, type(None)), "audio.pitch_track(audio)", "psola")
    return _psola(audio, ratio, sr, track)


def _psola(audio: np.ndarray, ratio: float, sr: int = SAMPLE_RATE, track: PitchTrack | None = None) -> np.ndarray:
    marks, periods, voiced = _pitch_marks(audio, track, sr)
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
    audio = _check_recording(audio, sr, "warp_envelope")
    alpha = check_scalar(alpha, "alpha", float, min_val=0.5, max_val=2.0,
                         include_boundaries="right", fn="warp_envelope")
    max_gain_db = check_scalar(max_gain_db, "max_gain_db", float, min_val=0.0, max_val=120.0,
                               include_boundaries="right", fn="warp_envelope")
    return _warp_envelope(audio, alpha, sr, max_gain_db)


def _warp_envelope(audio: np.ndarray, alpha: float, sr: int = SAMPLE_RATE, max_gain_db: float = 30.0) -> np.ndarray:
    freqs, _, z = _stft(audio, sr)
    env = _lpc_envelopes(np.abs(z) ** 2, sr=sr)
    log_env = np.log(env)
    moved = np.stack([np.interp(freqs / alpha, freqs, col) for col in log_env.T], axis=1)
    limit = max_gain_db / 20 * np.log(10)
    gain = np.exp(np.clip(0.5 * (moved - log_env), -limit, limit))
    _, out = signal.istft(z * gain, fs=sr, window="hann", nperseg=STFT_WIN, noverlap=STFT_WIN - STFT_HOP)
    return _fit_length(out, len(audio))


def equalise(audio, gain_db, freqs, sr: int = SAMPLE_RATE, taps: int = 255) -> np.ndarray:
    """Filter ``audio`` with a linear-phase FIR whose gain (dB) follows ``gain_db`` at ``freqs`` (lab 05).

    ``scipy.signal.firwin2`` designs the filter; ``scipy.signal.oaconvolve`` applies it, delay removed.
    """
    fn = "equalise"
    audio = _check_recording(audio, sr, fn)
    gain_db, freqs = check_finite(gain_db, "gain_db", fn), check_finite(freqs, "freqs", fn)
    if freqs.ndim != 1 or len(freqs) < 2 or gain_db.shape != freqs.shape:
        raise ValueError(f"{fn}: gain_db and freqs must be two 1-D arrays of the same length (at least 2), a gain "
                         f"in dB at each frequency; got shapes {gain_db.shape} and {freqs.shape}")
    if (np.diff(freqs) <= 0).any() or freqs[0] < 0:
        raise ValueError(f"{fn}: freqs must be increasing frequencies in Hz, from 0 up (e.g. converter.target.freqs)")
    taps = check_scalar(taps, "taps", int, min_val=3, max_val=8191, fn=fn)
    if taps % 2 == 0:
        raise ValueError(f"{fn}: taps must be odd (a linear-phase filter with a gain at sr/2), got {taps}; "
                         f"use {taps + 1}")
    return _equalise(audio, gain_db, freqs, sr, taps)


def _equalise(audio: np.ndarray, gain_db, freqs, sr: int = SAMPLE_RATE, taps: int = 255) -> np.ndarray:
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
    centres = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(SAMPLE_RATE / 2), n_bands + 2))[1:-1]
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
    return _within_range(_warp_envelope(_psola(audio, ratio, sr), alpha, sr))


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
    sr = _check_rate(sr, "fit_converter")
    sources = as_recordings(source_recordings, "fit_converter: source_recordings")
    targets = as_recordings(target_recordings, "fit_converter: target_recordings")
    source, target = _voice_profile(sources, sr), _voice_profile(targets, sr)
    ratio, alpha = target.f0 / source.f0, _warp_factor(source, target)
    eq = np.zeros(len(target.freqs))
    if equalise_spectrum:
        moved = [_shift_and_warp(x, ratio, alpha, sr) for x in sources]
        for _ in range(EQ_PASSES):  # closed loop: measure, correct, measure again
            heard = _voice_profile([_within_range(_equalise(x, eq, target.freqs, sr)) for x in moved], sr)
            eq = eq + _long_term_eq(heard, target)
    return Converter(source, target, float(ratio), float(alpha), eq.astype(np.float32))


def convert(audio, converter: Converter, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Say the same thing in the target's voice: PSOLA pitch shift, envelope warp, EQ; loudness kept (lab 05).

    Timing (the speaking rate and rhythm) is left as it is: it is the source speaker's.
    """
    audio = _check_recording(as_recordings(audio, "convert")[0], SAMPLE_RATE, "convert")
    converter = check_object(converter, "converter", Converter,
                             "fit_converter(source_recordings, target_recordings)", "convert")
    sr = _check_rate(sr, "convert")
    out = _shift_and_warp(audio, converter.pitch_ratio, converter.alpha, sr)
    if np.any(converter.eq_db):
        out = _equalise(out, converter.eq_db, converter.target.freqs, sr)
    rms_in = np.sqrt(np.mean(audio.astype(np.float64) ** 2)) + 1e-12
    out = out * (rms_in / (np.sqrt(np.mean(out.astype(np.float64) ** 2)) + 1e-12))
    return _within_range(out)


def with_audio(speech: Speech, audio) -> Speech:
    """A copy of ``speech`` with new audio of the same timing (a converted voice); its voice is unknown (lab 05)."""
    from dataclasses import replace

    speech = check_object(speech, "speech", Speech, "synth.speak", "with_audio")
    return replace(speech, audio=check_audio(audio, speech.sr, "with_audio: audio"), voice=None)


# ====================================================================================================
# 3. Measuring: conversions judged by a speaker judge

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
    person = _person(who, "who", "enrolment")
    n = check_scalar(n, "n", int, min_val=1, max_val=len(synth.SENTENCES), fn="enrolment")
    return _enrolment(person, n, check_seed(seed))


def _person(who, name: str, fn: str):
    """A cast member by name, or an Identity or Voice as it is."""
    who = check_object(who, name, (str, synth.Identity, synth.Voice),
                       "a cast name such as 'ada', or synth.identity(seed)", fn)
    return synth.cast(who) if isinstance(who, str) else who


def _enrolment(person, n: int, seed: int) -> list:
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

    fn = "conversion_trials"
    if not callable(getattr(judge, "predict", None)):
        raise ValueError(f"{fn}: judge: give a speaker judge (from judges.speaker_judge()), got {type(judge).__name__}")
    if isinstance(pairs, str) or not all(isinstance(p, (tuple, list)) and len(p) == 2 and all(
            isinstance(name, str) for name in p) for p in pairs) or not pairs:
        raise ValueError(f"{fn}: pairs must be a non-empty list of (source, target) cast names, e.g. "
                         f"cast_pairs(), got {pairs!r:.80}")
    if isinstance(lines, str) or not lines or not all(isinstance(x, str) and x.strip() for x in lines):
        raise ValueError(f"{fn}: lines must be a non-empty list of sentences (not one string), e.g. "
                         f"[\"{NEW_LINES[0]}\"]")
    n_enrol = check_scalar(n_enrol, "n_enrol", int, min_val=1, max_val=len(synth.SENTENCES), fn=fn)
    seed = check_seed(seed)
    pairs, lines = [(c, a) for c, a in pairs], list(lines)
    people = {name: _person(name, "pairs", fn) for name in {n for p in pairs for n in p}}
    recordings = {name: _enrolment(person, n_enrol, seed) for name, person in people.items()}
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
