"""Speech for the synthetic world: text to phonemes to a source-filter (formant) synthesiser (lab 00, lab 05).

The pipeline, each step a function lab 05 takes apart:

1. ``text_to_phonemes``: a few dozen spelling rules turn English text into ARPAbet-like phonemes.
2. ``plan``: each phoneme gets a duration (scaled by the voice's speaking rate) and a place in time.
3. ``glottal_source``: a train of Rosenberg glottal pulses at the pitch contour, with jitter and breath.
4. ``formant_filter``: a cascade of four time-varying two-pole resonators (the vocal tract), whose centre
   frequencies follow the phonemes' formant targets scaled by the voice's vocal-tract length.
5. Consonant noise: band-passed noise for fricatives (s, sh, f, h) and short bursts for stops (p, t, k).

``synthesize`` runs steps 3-5 on timed phonemes and keeps every intermediate (``SynthesisSteps``);
``synthesis_steps`` adds steps 1-2 for a line of text, and ``speak`` keeps only the audio and the timing.

Vowel formant targets are the adult male averages of Peterson & Barney (1952); a voice's
``formant_scale`` shifts them all, as a shorter vocal tract does. All audio is mono float32 at 16 kHz.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from scipy import signal

from ..validate import SAMPLE_RATE, FPS, check_seed
from .identity import Identity, Voice

# kind: vowel, diph(thong), approx(imant), nasal, stop, fric(ative), sil(ence)
# F: formant targets (F1, F2, F3) in Hz; for diphthongs a start and an end target.
# open: how far the mouth opens (0-1); round: lip rounding (0-1); noise: fricative band; amp: loudness.
PHONES: dict[str, dict] = {
    "IY": dict(kind="vowel", F=(270, 2290, 3010), dur=0.11, open=0.30, round=0.0),
    "IH": dict(kind="vowel", F=(390, 1990, 2550), dur=0.08, open=0.40, round=0.0),
    "EH": dict(kind="vowel", F=(530, 1840, 2480), dur=0.09, open=0.55, round=0.0),
    "AE": dict(kind="vowel", F=(660, 1720, 2410), dur=0.12, open=0.80, round=0.0),
    "AA": dict(kind="vowel", F=(730, 1090, 2440), dur=0.12, open=1.00, round=0.0),
    "AO": dict(kind="vowel", F=(570, 840, 2410), dur=0.12, open=0.75, round=0.5),
    "UH": dict(kind="vowel", F=(440, 1020, 2240), dur=0.08, open=0.40, round=0.5),
    "UW": dict(kind="vowel", F=(300, 870, 2240), dur=0.11, open=0.30, round=1.0),
    "AH": dict(kind="vowel", F=(520, 1190, 2390), dur=0.08, open=0.65, round=0.0),
    "ER": dict(kind="vowel", F=(490, 1350, 1690), dur=0.11, open=0.45, round=0.3),
    "AY": dict(kind="diph", F=((730, 1090, 2440), (300, 2100, 2700)), dur=0.16, open=0.85, round=0.0),
    "EY": dict(kind="diph", F=((530, 1840, 2480), (300, 2200, 2800)), dur=0.15, open=0.55, round=0.0),
    "OW": dict(kind="diph", F=((570, 840, 2410), (320, 870, 2240)), dur=0.15, open=0.60, round=0.9),
    "AW": dict(kind="diph", F=((730, 1090, 2440), (320, 870, 2240)), dur=0.16, open=0.85, round=0.6),
    "OY": dict(kind="diph", F=((570, 840, 2410), (300, 2100, 2700)), dur=0.17, open=0.70, round=0.6),
    "L": dict(kind="approx", F=(360, 1300, 2700), dur=0.06, open=0.35, round=0.0),
    "R": dict(kind="approx", F=(420, 1300, 1600), dur=0.06, open=0.30, round=0.4),
    "W": dict(kind="approx", F=(300, 650, 2200), dur=0.06, open=0.20, round=1.0),
    "Y": dict(kind="approx", F=(260, 2100, 2900), dur=0.06, open=0.25, round=0.0),
    "M": dict(kind="nasal", F=(250, 1000, 2200), dur=0.07, open=0.00, round=0.0),
    "N": dict(kind="nasal", F=(250, 1500, 2500), dur=0.06, open=0.15, round=0.0),
    "NG": dict(kind="nasal", F=(250, 2000, 2600), dur=0.07, open=0.20, round=0.0),
    "P": dict(kind="stop", voiced=False, burst="F", dur=0.08, open=0.00, round=0.0),
    "B": dict(kind="stop", voiced=True, burst="F", dur=0.07, open=0.00, round=0.0),
    "T": dict(kind="stop", voiced=False, burst="S", dur=0.07, open=0.15, round=0.0),
    "D": dict(kind="stop", voiced=True, burst="S", dur=0.06, open=0.15, round=0.0),
    "K": dict(kind="stop", voiced=False, burst="SH", dur=0.08, open=0.25, round=0.0),
    "G": dict(kind="stop", voiced=True, burst="SH", dur=0.07, open=0.25, round=0.0),
    "CH": dict(kind="fric", voiced=False, noise="SH", dur=0.10, open=0.20, round=0.4),
    "JH": dict(kind="fric", voiced=True, noise="SH", dur=0.09, open=0.20, round=0.4),
    "F": dict(kind="fric", voiced=False, noise="F", dur=0.09, open=0.08, round=0.0),
    "V": dict(kind="fric", voiced=True, noise="F", dur=0.07, open=0.08, round=0.0),
    "TH": dict(kind="fric", voiced=False, noise="F", dur=0.09, open=0.15, round=0.0),
    "DH": dict(kind="fric", voiced=True, noise="F", dur=0.05, open=0.15, round=0.0),
    "S": dict(kind="fric", voiced=False, noise="S", dur=0.10, open=0.12, round=0.0),
    "Z": dict(kind="fric", voiced=True, noise="S", dur=0.08, open=0.12, round=0.0),
    "SH": dict(kind="fric", voiced=False, noise="SH", dur=0.10, open=0.18, round=0.6),
    "ZH": dict(kind="fric", voiced=True, noise="SH", dur=0.08, open=0.18, round=0.6),
    "HH": dict(kind="fric", voiced=False, noise="H", dur=0.06, open=0.40, round=0.0),
    "_": dict(kind="sil", dur=0.12, open=0.0, round=0.0),  # pause
}
VOWELS = {k for k, v in PHONES.items() if v["kind"] in ("vowel", "diph")}

# Spelling rules, longest first. A trailing "e" after a consonant lengthens the vowel before it.
_RULES = [
    ("tion", ["SH", "AH", "N"]), ("ough", ["AO"]), ("augh", ["AO"]), ("igh", ["AY"]), ("eigh", ["EY"]),
    ("tch", ["CH"]), ("dge", ["JH"]), ("sch", ["S", "K"]), ("qu", ["K", "W"]), ("wh", ["W"]),
    ("ch", ["CH"]), ("sh", ["SH"]), ("th", ["TH"]), ("ph", ["F"]), ("ng", ["NG"]), ("ck", ["K"]),
    ("ee", ["IY"]), ("ea", ["IY"]), ("oo", ["UW"]), ("ou", ["AW"]), ("ow", ["OW"]), ("oa", ["OW"]),
    ("ai", ["EY"]), ("ay", ["EY"]), ("ey", ["EY"]), ("oi", ["OY"]), ("oy", ["OY"]), ("au", ["AO"]),
    ("aw", ["AO"]), ("ie", ["IY"]), ("ue", ["UW"]), ("ew", ["UW"]),
    ("er", ["ER"]), ("ir", ["ER"]), ("ur", ["ER"]), ("ar", ["AA", "R"]), ("or", ["AO", "R"]),
    ("ss", ["S"]), ("ll", ["L"]), ("tt", ["T"]), ("pp", ["P"]), ("mm", ["M"]), ("nn", ["N"]), ("ff", ["F"]),
    ("dd", ["D"]), ("bb", ["B"]), ("gg", ["G"]), ("rr", ["R"]), ("zz", ["Z"]),
    ("a", ["AE"]), ("e", ["EH"]), ("i", ["IH"]), ("o", ["AA"]), ("u", ["AH"]), ("y", ["IY"]),
    ("b", ["B"]), ("c", ["K"]), ("d", ["D"]), ("f", ["F"]), ("g", ["G"]), ("h", ["HH"]), ("j", ["JH"]),
    ("k", ["K"]), ("l", ["L"]), ("m", ["M"]), ("n", ["N"]), ("p", ["P"]), ("r", ["R"]), ("s", ["S"]),
    ("t", ["T"]), ("v", ["V"]), ("w", ["W"]), ("x", ["K", "S"]), ("z", ["Z"]),
]
_LONG = {"a": "EY", "i": "AY", "o": "OW", "u": "UW", "e": "IY"}
_WORDS = {  # a few common words whose spelling misleads the rules
    "the": ["DH", "AH"], "a": ["AH"], "of": ["AH", "V"], "to": ["T", "UW"], "you": ["Y", "UW"],
    "i": ["AY"], "is": ["IH", "Z"], "was": ["W", "AA", "Z"], "said": ["S", "EH", "D"], "are": ["AA", "R"],
    "one": ["W", "AH", "N"], "two": ["T", "UW"], "do": ["D", "UW"], "who": ["HH", "UW"], "be": ["B", "IY"],
    "we": ["W", "IY"], "he": ["HH", "IY"], "she": ["SH", "IY"], "me": ["M", "IY"], "my": ["M", "AY"],
    "by": ["B", "AY"], "there": ["DH", "EH", "R"], "where": ["W", "EH", "R"], "have": ["HH", "AE", "V"],
    "give": ["G", "IH", "V"], "live": ["L", "IH", "V"], "some": ["S", "AH", "M"], "come": ["K", "AH", "M"],
    "done": ["D", "AH", "N"], "never": ["N", "EH", "V", "ER"], "moon": ["M", "UW", "N"], "hello": ["HH", "EH", "L", "OW"],
}
_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def word_to_phonemes(word: str) -> list[str]:
    """Phonemes for one lower-case word, by the course's spelling rules (lab 05)."""
    if word in _WORDS:
        return list(_WORDS[word])
    out: list[str] = []
    i = 0
    silent_e = len(word) > 2 and word.endswith("e") and word[-2] not in "aeiouy" and word[-3] in "aeiou"
    body = word[:-1] if silent_e else word
    while i < len(body):
        for pattern, phones in _RULES:
            if body.startswith(pattern, i):
                if silent_e and i == len(body) - 2 and pattern in _LONG:
                    phones = [_LONG[pattern]]
                nxt = word[i + 1] if i + 1 < len(word) else ""  # look in the word: a silent e still softens
                if pattern == "c" and nxt and nxt in "eiy":
                    phones = ["S"]
                if pattern == "g" and nxt and nxt in "ei" and (i > 0 or (silent_e and i == len(body) - 1)):
                    phones = ["JH"]
                if pattern == "y" and i == 0:
                    phones = ["Y"]
                out.extend(phones)
                i += len(pattern)
                break
        else:
            i += 1  # a character the rules do not know: skip it
    return out


def text_to_phonemes(text: str) -> list[str]:
    """English text to a phoneme list, with ``_`` for pauses at punctuation (lab 00, lab 05)."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    text = re.sub(r"\d", lambda m: f" {_DIGITS[int(m.group())]} ", text.lower())
    phones: list[str] = []
    for token in re.findall(r"[a-z']+|[.,;:!?]", text):
        if token in ".,;:!?":
            if phones and phones[-1] != "_":
                phones.append("_")
            continue
        phones.extend(word_to_phonemes(token.replace("'", "")))
    while phones and phones[-1] == "_":
        phones.pop()
    return phones


@dataclass
class Segment:
    """One phoneme placed in time (seconds) (lab 05)."""

    phone: str
    start: float
    end: float
    stress: float = 1.0


def plan(phones: list[str], rate: float = 1.0, seed: int = 0, lead: float = 0.15, tail: float = 0.2) -> list[Segment]:
    """Durations and start times for a phoneme list, with silence before and after (lab 05)."""
    rng = np.random.default_rng([check_seed(seed), 0x5EC])
    segs = [Segment("_", 0.0, lead)]
    t = lead
    vowel_count = 0
    for ph in phones:
        if ph not in PHONES:
            raise ValueError(f"unknown phoneme {ph!r}; the course's phonemes are {sorted(PHONES)}")
        d = PHONES[ph]["dur"]
        stress = 1.0
        if ph in VOWELS:
            vowel_count += 1
            stress = 1.25 if vowel_count % 2 == 1 else 0.9
            d *= stress
        d = d * rng.uniform(0.85, 1.15) / rate
        segs.append(Segment(ph, t, t + d, stress))
        t += d
    segs.append(Segment("_", t, t + tail))
    return segs


def _track(segs, sr, n, key, default=0.0):
    """A per-sample step function of a phone property, one value per segment."""
    out = np.full(n, default, np.float32)
    for sg in segs:
        a, b = int(sg.start * sr), min(n, int(sg.end * sr))
        out[a:b] = key(sg)
    return out


def _smooth(x, width):
    width = max(1, int(width))
    if width == 1:
        return x
    k = np.hanning(width + 2)[1:-1].astype(np.float32)
    k /= k.sum()
    return np.convolve(np.pad(x, (width, width), mode="edge"), k, mode="same")[width:-width]


def formant_tracks(segs: list[Segment], n: int, formant_scale: float = 1.0, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Formant frequencies F1-F4 per sample (4×n, Hz), smoothed across phonemes (lab 05)."""
    F = np.full((3, n), np.nan, np.float32)
    for sg in segs:
        info = PHONES[sg.phone]
        a, b = int(sg.start * sr), min(n, int(sg.end * sr))
        if b <= a or "F" not in info:
            continue
        if info["kind"] == "diph":
            f0, f1 = np.array(info["F"][0], np.float32), np.array(info["F"][1], np.float32)
            w = np.linspace(0, 1, b - a, dtype=np.float32)
            F[:, a:b] = f0[:, None] * (1 - w) + f1[:, None] * w
        else:
            F[:, a:b] = np.array(info["F"], np.float32)[:, None]
    idx = np.arange(n)
    for k, neutral in enumerate((500.0, 1500.0, 2500.0)):  # fill stops and silence from the neighbours
        known = ~np.isnan(F[k])
        F[k] = np.interp(idx, idx[known], F[k][known]) if known.any() else neutral
        F[k] = _smooth(F[k], 0.03 * sr)
    F4 = np.full((1, n), 3500.0, np.float32)
    return np.concatenate([F, F4]) * formant_scale


def glottal_source(f0: np.ndarray, sr: int = SAMPLE_RATE, open_quotient: float = 0.6, breathiness: float = 0.05,
                   seed: int = 0) -> np.ndarray:
    """Glottal flow derivative for a per-sample pitch contour ``f0`` (Hz): the voice's source (lab 05)."""
    rng = np.random.default_rng([check_seed(seed), 0x9107])
    phase = np.cumsum(np.asarray(f0, np.float64) / sr) % 1.0
    tp, tn = 0.65 * open_quotient, 0.35 * open_quotient
    g = np.where(phase < tp, 0.5 * (1 - np.cos(np.pi * phase / tp)),
                 np.where(phase < tp + tn, np.cos(0.5 * np.pi * (phase - tp) / tn), 0.0))
    flow_deriv = np.diff(g, prepend=0.0) * sr / np.maximum(np.asarray(f0, np.float64), 1.0) * 0.25
    breath = rng.standard_normal(len(phase)) * breathiness * (0.3 + g)  # turbulence while the glottis is open
    return (flow_deriv + breath).astype(np.float32)


def _resonator_sos(freq, bw, sr):
    r = np.exp(-np.pi * bw / sr)
    theta = 2 * np.pi * freq / sr
    a1, a2 = -2 * r * np.cos(theta), r * r
    gain = 1 + a1 + a2  # unit gain at DC keeps the cascade's loudness stable as formants move
    return np.stack([gain, np.zeros_like(gain), np.zeros_like(gain), np.ones_like(gain), a1, a2], -1)


def formant_filter(source: np.ndarray, formants: np.ndarray, bandwidths=(80, 100, 140, 200), sr: int = SAMPLE_RATE,
                   block: int = 64) -> np.ndarray:
    """Pass ``source`` through resonators at the per-sample ``formants`` (k×n Hz): the vocal tract (lab 05)."""
    formants = np.asarray(formants, np.float64)
    k, n = formants.shape
    if len(source) != n:
        raise ValueError(f"formant_filter: source has {len(source)} samples but formants cover {n}")
    bws = np.asarray(bandwidths[:k], np.float64)
    out = np.empty(n, np.float64)
    zi = np.zeros((k, 2))
    src = np.asarray(source, np.float64)
    for a in range(0, n, block):
        b = min(n, a + block)
        f = np.minimum(formants[:, a], sr / 2 * 0.95)
        sos = _resonator_sos(f, bws, sr)
        out[a:b], zi = signal.sosfilt(sos, src[a:b], zi=zi)
    return out.astype(np.float32)


_NOISE_BANDS = {"S": (3800, 7600), "SH": (1800, 5200), "F": (1000, 7600)}


def _band_noise(n, sr, rng):
    white = rng.standard_normal(n)
    out = {}
    for name, (lo, hi) in _NOISE_BANDS.items():
        sos = signal.butter(4, [lo, min(hi, sr / 2 * 0.95)], btype="bandpass", fs=sr, output="sos")
        band = signal.sosfilt(sos, white)
        out[name] = (band / (np.std(band) + 1e-9)).astype(np.float32)
    return out


def pitch_contour(segs: list[Segment], n: int, f0: float, question: bool = False, jitter: float = 0.005,
                  sr: int = SAMPLE_RATE, seed: int = 0) -> np.ndarray:
    """Per-sample pitch (Hz): declination, stress accents, a rise for questions, jitter (lab 05)."""
    rng = np.random.default_rng([check_seed(seed), 0xF0])
    t = np.arange(n) / sr
    dur = max(t[-1], 1e-3)
    contour = f0 * (1.08 - 0.16 * t / dur)
    accent = _track(segs, sr, n, lambda s: (s.stress - 1.0) * 0.35 if s.phone in VOWELS else 0.0)
    contour = contour * (1 + _smooth(accent, 0.08 * sr))
    if question:  # rise over the last words, timed from the end of speech, not of the trailing silence
        speech_end = segs[-1].start if segs and segs[-1].phone == "_" else dur
        span = max(0.3, 0.2 * speech_end)
        contour = contour * (1 + 0.25 * np.clip((t - (speech_end - span)) / span, 0, 1))
    wobble = _smooth(rng.standard_normal(n).astype(np.float32), 0.02 * sr) * jitter * 8
    return (contour * (1 + wobble)).astype(np.float32)


@dataclass
class Speech:
    """Synthesised speech with its ground truth: phoneme timing and mouth movement (lab 00, lab 05)."""

    audio: np.ndarray
    sr: int
    text: str
    segments: list[Segment]
    voice: Voice = field(repr=False)

    @property
    def duration(self) -> float:
        return len(self.audio) / self.sr

    def mouth_track(self, fps: int = FPS, n_frames: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Mouth opening (0-1) and lip rounding (0-1) per video frame, from the phonemes (lab 00)."""
        return mouth_track(self.segments, self.duration if n_frames is None else n_frames / fps, fps)


def mouth_track(segs: list[Segment], duration: float, fps: int = FPS) -> tuple[np.ndarray, np.ndarray]:
    """Mouth opening and lip rounding per frame for timed phonemes, with coarticulation (lab 05)."""
    rate = 200  # an internal control rate fine enough for 25 fps
    n = int(np.ceil(duration * rate))
    op = _track(segs, rate, n, lambda s: PHONES[s.phone]["open"] * (0.8 + 0.2 * s.stress))
    rd = _track(segs, rate, n, lambda s: PHONES[s.phone]["round"])
    op, rd = _smooth(op, 0.06 * rate), _smooth(rd, 0.08 * rate)
    n_frames = int(round(duration * fps))
    t = (np.arange(n_frames) + 0.5) / fps
    idx = np.clip((t * rate).astype(int), 0, n - 1)
    return np.clip(op[idx], 0, 1), np.clip(rd[idx], 0, 1)


@dataclass
class SynthesisSteps:
    """Every intermediate of the synthesiser for one line, per sample (lab 05).

    ``f0`` is the pitch contour, ``source`` the glottal buzz alone (at the synthesiser's own level, which can
    exceed 1: scale it before playing it), ``formants`` the F1-F4 tracks (4×n Hz),
    ``voiced`` the voiced excitation through those formants, ``noise`` the consonants' hiss and bursts, and
    ``audio`` the finished line (what ``speak`` returns).
    """

    segments: list[Segment]
    f0: np.ndarray
    source: np.ndarray
    formants: np.ndarray
    voiced: np.ndarray
    noise: np.ndarray
    audio: np.ndarray
    sr: int = SAMPLE_RATE

    @property
    def phonemes(self) -> list[str]:
        """The phonemes between the leading and trailing silence that ``plan`` adds."""
        return [s.phone for s in self.segments[1:-1]]

    @property
    def filtered(self) -> np.ndarray:
        """The buzz alone through the moving formants, for listening: vowel-like, no consonants, no pauses."""
        out = formant_filter(self.source, self.formants, sr=self.sr)
        return (out / (np.abs(out).max() + 1e-9) * 0.8).astype(np.float32)


def _voicing(s: Segment) -> float:
    """How much of the glottal buzz a phoneme lets through."""
    info = PHONES[s.phone]
    return {"vowel": 1.0, "diph": 1.0, "approx": 0.7, "nasal": 0.45, "sil": 0.0}.get(
        info["kind"], 0.3 if info.get("voiced") else 0.0) * (0.85 + 0.15 * s.stress)


def _excitation(source: np.ndarray, segs: list[Segment], sr: int, rng) -> np.ndarray:
    """The buzz, gated by each phoneme's voicing, plus aspiration noise for h."""
    n = len(source)
    v_gain = _smooth(_track(segs, sr, n, _voicing), 0.012 * sr)
    asp_gain = _smooth(_track(segs, sr, n, lambda s: 1.0 if PHONES[s.phone].get("noise") == "H" else 0.0), 0.01 * sr)
    return source * v_gain + rng.standard_normal(n).astype(np.float32) * 0.25 * asp_gain


def _consonant_noise(segs: list[Segment], n: int, sr: int, rng) -> np.ndarray:
    """Band-passed hiss for fricatives and a short transient at each stop's release."""
    bands = _band_noise(n, sr, rng)
    noise = np.zeros(n, np.float32)
    for name in _NOISE_BANDS:
        level = {"S": 0.10, "SH": 0.09, "F": 0.035}[name]
        g = _track(segs, sr, n, lambda s, name=name: level if PHONES[s.phone].get("noise") == name else 0.0)
        noise += bands[name] * _smooth(g, 0.015 * sr)
    for sg in segs:  # stop bursts: a short noise transient at the release
        info = PHONES[sg.phone]
        if info["kind"] == "stop":
            rel = int(sg.end * sr) - int(0.012 * sr)
            L = min(int(0.02 * sr), n - rel)
            if L > 0:
                env = np.exp(-np.arange(L) / (0.004 * sr)).astype(np.float32)
                noise[rel:rel + L] += bands[info["burst"]][rel:rel + L] * env * (0.12 if not info["voiced"] else 0.06)
    return noise


def _mix(voiced: np.ndarray, noise: np.ndarray, sr: int) -> np.ndarray:
    """Voiced part and noise together, a gentle high-pass against DC and rumble, peak at 0.8."""
    out = voiced / (np.abs(voiced).max() + 1e-9) * 0.7 + noise
    out = signal.sosfilt(signal.butter(2, 60, btype="highpass", fs=sr, output="sos"), out)
    return (out / (np.abs(out).max() + 1e-9) * 0.8).astype(np.float32)


def synthesize(segs: list[Segment], voice: Voice, sr: int = SAMPLE_RATE, question: bool = False,
               seed: int = 0) -> SynthesisSteps:
    """Timed phonemes in ``voice``: pitch, source, formants, filter, consonant noise; every step kept (lab 05)."""
    rng = np.random.default_rng([check_seed(seed), 0xA0D10])
    n = int(np.ceil(segs[-1].end * sr))
    f0 = pitch_contour(segs, n, voice.f0, question, voice.jitter, sr, seed)  # 1. the pitch contour
    source = glottal_source(f0, sr, breathiness=voice.breathiness, seed=seed)  # 2. the buzz at that pitch
    excitation = _excitation(source, segs, sr, rng)  # 3. gated by each phoneme's voicing
    formants = formant_tracks(segs, n, voice.formant_scale, sr)  # 4. the vocal tract's resonances
    nasal = _smooth(_track(segs, sr, n, lambda s: 1.0 if PHONES[s.phone]["kind"] == "nasal" else 0.0), 0.01 * sr)
    voiced = formant_filter(excitation, formants, sr=sr) * (1 - 0.5 * nasal)  # 5. the filter; nasals muffled
    noise = _consonant_noise(segs, n, sr, rng)  # 6. hiss and bursts
    return SynthesisSteps(segs, f0, source, formants, voiced, noise, _mix(voiced, noise, sr), sr)


def _from_text(who, text: str, seed: int, sr: int, fn: str) -> tuple[Voice, SynthesisSteps]:
    """Check the speaker and the text, then phonemes, timing and ``synthesize``."""
    voice = who.voice if isinstance(who, Identity) else who
    if not isinstance(voice, Voice):
        raise ValueError(f"{fn}: give a course_lib.synth.Identity or Voice, e.g. {fn}(cast('ada'), 'hello'), "
                         f"got {type(who).__name__}")
    if sr != SAMPLE_RATE:
        raise ValueError(f"{fn}: the course works at {SAMPLE_RATE} Hz; got sr={sr}")
    phones = text_to_phonemes(text)
    if not phones:
        raise ValueError(f"{fn}: found no words to say in {text!r}")
    segs = plan(phones, rate=voice.rate, seed=seed)
    return voice, synthesize(segs, voice, sr, question=text.strip().endswith("?"), seed=seed)


def synthesis_steps(who, text: str, seed: int = 0, sr: int = SAMPLE_RATE) -> SynthesisSteps:
    """Text to speech with every step kept: phonemes, timing, pitch, source, formants, filter (lab 05)."""
    return _from_text(who, text, seed, sr, "synthesis_steps")[1]


def speak(who, text: str, seed: int = 0, sr: int = SAMPLE_RATE) -> Speech:
    """Text to speech in an identity's (or a ``Voice``'s) voice, with ground truth (lab 00, lab 05)."""
    voice, steps = _from_text(who, text, seed, sr, "speak")
    return Speech(steps.audio, sr, text, steps.segments, voice)
