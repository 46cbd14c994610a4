"""course_lib.synth speech: text to phonemes to a formant synthesiser, with timing and mouth ground truth."""
from dataclasses import replace

import numpy as np
import pytest

from course_lib import synth
from course_lib.synth import Segment, speech as S

SR = 16_000


def estimate_f0(x: np.ndarray, sr: int = SR, lo: float = 60, hi: float = 400) -> float:
    """Pitch (Hz) from the highest autocorrelation peak between 1/hi and 1/lo seconds."""
    x = x - x.mean()
    ac = np.correlate(x, x, "full")[len(x) - 1:]
    a, b = int(sr / hi), int(sr / lo)
    return sr / (a + int(np.argmax(ac[a:b])))


def spectral_centroid(x: np.ndarray, sr: int = SR) -> float:
    power = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / sr)
    return float((power * freqs).sum() / power.sum())


def high_band_share(x: np.ndarray, sr: int = SR, cutoff: float = 3500) -> float:
    power = np.abs(np.fft.rfft(x)) ** 2
    return float(power[np.fft.rfftfreq(len(x), 1 / sr) > cutoff].sum() / power.sum())


def segment_audio(sp, seg) -> np.ndarray:
    return sp.audio[int(seg.start * sp.sr): int(seg.end * sp.sr)]


@pytest.fixture(scope="module")
def voice():
    """A steady voice (no jitter, no breath) so that pitch measurements are clean."""
    return replace(synth.cast("chen").voice, jitter=0.0, breathiness=0.0)


# ---------------------------------------------------------------------------------- text to phones


@pytest.mark.parametrize("text,phones", [
    ("cat", ["K", "AE", "T"]),
    ("cake", ["K", "EY", "K"]),  # a silent e lengthens the vowel
    ("ship", ["SH", "IH", "P"]),
    ("thin", ["TH", "IH", "N"]),
    ("yes", ["Y", "EH", "S"]),
    ("quick", ["K", "W", "IH", "K"]),
    ("city", ["S", "IH", "T", "IY"]),  # soft c before i
    ("hello world", ["HH", "EH", "L", "OW", "W", "AO", "R", "L", "D"]),
    ("The moon", ["DH", "AH", "M", "UW", "N"]),
])
def test_text_to_phonemes_spells_common_words(text, phones):
    assert synth.text_to_phonemes(text) == phones, f"{text!r} should be {phones}"


@pytest.mark.parametrize("word,phones", [("face", ["F", "EY", "S"]), ("page", ["P", "EY", "JH"])])
def test_c_and_g_before_a_silent_e_are_soft(word, phones):
    assert synth.word_to_phonemes(word) == phones, f"{word!r} should be {phones}, got {synth.word_to_phonemes(word)}"


def test_punctuation_becomes_single_pauses_and_digits_are_spoken():
    assert synth.text_to_phonemes("Hello, world!") == ["HH", "EH", "L", "OW", "_", "W", "AO", "R", "L", "D"], (
        "a comma should become one pause and trailing punctuation none"
    )
    assert synth.text_to_phonemes("one ,, two") == ["W", "AH", "N", "_", "T", "UW"], "repeated punctuation: one pause"
    assert synth.text_to_phonemes("5") == synth.text_to_phonemes("five"), "digits should be read as words"
    assert synth.text_to_phonemes("don't") == synth.text_to_phonemes("dont"), "apostrophes are dropped"


def test_every_produced_phoneme_is_known():
    for text in synth.SENTENCES:
        phones = synth.text_to_phonemes(text)
        assert phones and set(phones) <= set(synth.PHONES), f"unknown phonemes from {text!r}: {set(phones) - set(synth.PHONES)}"


def test_text_to_phonemes_rejects_non_strings():
    with pytest.raises(ValueError, match="must be a string"):
        synth.text_to_phonemes(42)


def test_plan_rejects_unknown_phonemes_and_lists_the_known_ones():
    with pytest.raises(ValueError) as err:
        synth.plan(["HH", "XX"])
    assert "'XX'" in str(err.value) and "AA" in str(err.value), f"got: {err.value}"


def test_plan_places_phonemes_back_to_back_between_silences():
    segs = synth.plan(["HH", "AA", "S"], seed=1)
    assert [s.phone for s in segs] == ["_", "HH", "AA", "S", "_"], "plan adds silence before and after"
    assert segs[0].start == 0 and all(a.end == pytest.approx(b.start) for a, b in zip(segs, segs[1:])), "no gaps"
    assert all(s.end > s.start for s in segs), "every segment has a positive length"
    fast = synth.plan(["HH", "AA", "S"], rate=2.0, seed=1)
    assert fast[-2].end - fast[1].start == pytest.approx((segs[-2].end - segs[1].start) / 2), "rate 2 halves speech"


# ------------------------------------------------------------------------------------------- speak


def test_speak_returns_mono_float32_16khz_in_range():
    sp = synth.speak(synth.cast("ada"), "Hello there.", seed=0)
    assert sp.sr == SR and sp.audio.dtype == np.float32 and sp.audio.ndim == 1, f"got {sp.sr} {sp.audio.dtype}"
    assert np.abs(sp.audio).max() <= 1.0, "samples must lie in [-1, 1]"
    assert np.abs(sp.audio).max() > 0.5, "speech should be at a healthy level, not near-silent"
    assert np.isfinite(sp.audio).all(), "speech must not contain NaN samples"
    assert sp.text == "Hello there." and sp.voice == synth.cast("ada").voice, "Speech keeps its text and voice"


def test_speech_duration_matches_its_segments():
    sp = synth.speak(synth.cast("ben"), "The train to the coast leaves from platform five.", seed=3)
    assert sp.duration == len(sp.audio) / SR, "duration is the audio length in seconds"
    assert abs(sp.duration - sp.segments[-1].end) <= 1 / SR, (
        f"audio ({sp.duration:.4f} s) should end with the last segment ({sp.segments[-1].end:.4f} s)"
    )
    assert sp.segments[0].phone == "_" and sp.segments[-1].phone == "_", "speech starts and ends with silence"
    lead = segment_audio(sp, sp.segments[0])
    body = sp.audio[int(sp.segments[1].start * SR): int(sp.segments[-1].start * SR)]
    assert np.sqrt((lead ** 2).mean()) < 0.1 * np.sqrt((body ** 2).mean()), "the leading silence should be quiet"


def test_speak_is_deterministic_per_seed():
    ada = synth.cast("ada")
    a, b = synth.speak(ada, "good morning", seed=4), synth.speak(ada, "good morning", seed=4)
    assert np.array_equal(a.audio, b.audio), "the same seed must give the same audio"
    assert [(s.phone, s.start, s.end) for s in a.segments] == [(s.phone, s.start, s.end) for s in b.segments], (
        "the same seed must give the same phoneme timing"
    )
    c = synth.speak(ada, "good morning", seed=5)
    assert not np.array_equal(a.audio, c.audio), "a different seed should vary the delivery"


def test_speak_accepts_a_voice_and_rejects_other_speakers():
    v = synth.cast("ada").voice
    assert np.array_equal(synth.speak(v, "hi", seed=0).audio, synth.speak(synth.cast("ada"), "hi", seed=0).audio)
    with pytest.raises(ValueError, match="Identity or Voice"):
        synth.speak("ada", "hi")


def test_speak_rejects_other_rates_and_empty_text():
    with pytest.raises(ValueError, match="16000 Hz"):
        synth.speak(synth.cast("ada"), "hi", sr=22050)
    with pytest.raises(ValueError, match="no words"):
        synth.speak(synth.cast("ada"), " ... ")


def test_a_higher_voice_has_a_higher_measured_pitch(voice):
    measured = {}
    for f0 in (100.0, 200.0):
        sp = synth.speak(replace(voice, f0=f0), "father", seed=1)
        vowel = max((s for s in sp.segments if s.phone in S.VOWELS), key=lambda s: s.end - s.start)
        mid = int((vowel.start + vowel.end) / 2 * SR)
        measured[f0] = estimate_f0(sp.audio[mid - 400: mid + 400])
    for f0, got in measured.items():
        assert 0.8 * f0 < got < 1.25 * f0, f"a {f0:.0f} Hz voice should measure near {f0:.0f} Hz, got {got:.0f} Hz"
    assert measured[200.0] > 1.6 * measured[100.0], f"doubling f0 should about double the pitch, got {measured}"


def test_question_intonation_rises_at_the_end(voice):
    text = "Are you coming to the meeting on Monday"
    flat = synth.speak(voice, text + ".", seed=2)
    rise = synth.speak(voice, text + "?", seed=2)
    last = [s for s in rise.segments if s.phone in S.VOWELS][-1]
    mid = int((last.start + last.end) / 2 * SR)
    f_flat = estimate_f0(flat.audio[mid - 400: mid + 400])
    f_rise = estimate_f0(rise.audio[mid - 400: mid + 400])
    assert f_rise > 1.05 * f_flat, f"a question should end higher ({f_rise:.0f} Hz vs {f_flat:.0f} Hz)"


def test_a_short_question_rises_on_its_last_vowel():
    segs = synth.plan(synth.text_to_phonemes("Is it done?"), seed=0)
    n = int(np.ceil(segs[-1].end * SR))
    question = S.pitch_contour(segs, n, 120.0, question=True, jitter=0.0)
    statement = S.pitch_contour(segs, n, 120.0, question=False, jitter=0.0)
    last = [s for s in segs if s.phone in S.VOWELS][-1]
    a, b = int(last.start * SR), int(last.end * SR)
    ratio = float((question[a:b] / statement[a:b]).max())
    assert ratio > 1.1, f"the last vowel of a question should rise by 10% or more, got x{ratio:.3f}"


def test_formant_scale_shifts_the_spectral_centroid_up():
    base = synth.cast("chen").voice
    cents = []
    for fs in (0.9, 1.0, 1.2):
        sp = synth.speak(replace(base, formant_scale=fs), "a law ah oh", seed=0)
        vowels = np.concatenate([segment_audio(sp, s) for s in sp.segments if s.phone in S.VOWELS])
        cents.append(spectral_centroid(vowels))
    assert cents[0] < cents[1] < cents[2], f"a shorter vocal tract should raise the spectral centroid, got {np.round(cents)}"
    assert cents[2] > 1.15 * cents[0], f"formant_scale 0.9 → 1.2 should raise the centroid clearly, got {np.round(cents)}"


def test_fricatives_are_hissier_than_vowels(voice):
    sp = synth.speak(voice, "sass a sass", seed=0)
    hiss = [high_band_share(segment_audio(sp, s)) for s in sp.segments if s.phone == "S"]
    vowel = [high_band_share(segment_audio(sp, s)) for s in sp.segments if s.phone in S.VOWELS]
    assert min(hiss) > 0.5, f"an S should carry most of its energy above 3.5 kHz, got {np.round(hiss, 2)}"
    assert max(vowel) < 0.1, f"a vowel should carry little energy above 3.5 kHz, got {np.round(vowel, 2)}"


def test_vowels_have_their_formants_where_the_table_says():
    # AA has a high F1 (730 Hz), IY a low F1 (270 Hz) and a high F2 (2290 Hz)
    voice = replace(synth.cast("chen").voice, formant_scale=1.0, jitter=0.0, breathiness=0.0)
    segs = [Segment("_", 0, 0.1), Segment("AA", 0.1, 0.5), Segment("IY", 0.5, 0.9), Segment("_", 0.9, 1.0)]
    audio = synth.synthesize(segs, voice, seed=0).audio
    aa, iy = audio[int(0.2 * SR): int(0.4 * SR)], audio[int(0.6 * SR): int(0.8 * SR)]

    def band(x, lo, hi):
        p = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
        f = np.fft.rfftfreq(len(x), 1 / SR)
        return p[(f >= lo) & (f < hi)].sum() / p.sum()

    assert band(aa, 600, 900) > band(iy, 600, 900), "AA should have more energy around its 730 Hz F1 than IY"
    assert band(iy, 2000, 2600) > band(aa, 2000, 2600), "IY should have more energy around its 2290 Hz F2 than AA"


def test_synthesis_steps_reproduce_the_synthesiser_and_expose_each_step():
    person = synth.cast("dara")
    steps = synth.synthesis_steps(person, "Hello there, friend.", seed=2)
    assert np.array_equal(steps.audio, synth.speak(person, "Hello there, friend.", seed=2).audio)
    n = len(steps.audio)
    assert steps.f0.shape == steps.source.shape == steps.filtered.shape == (n,)
    assert steps.formants.shape == (4, n)
    assert steps.phonemes == synth.text_to_phonemes("Hello there, friend.")
    mid = slice(n // 2 - 800, n // 2 + 800)  # 0.1 s: the buzz repeats at the contour's pitch
    assert estimate_f0(steps.source[mid]) == pytest.approx(np.median(steps.f0[mid]), rel=0.03)


def test_speak_keeps_the_audio_and_timing_of_its_steps():
    person = synth.cast("eli")
    steps, said = synth.synthesis_steps(person, "Is it far?", seed=1), synth.speak(person, "Is it far?", seed=1)
    assert said.segments == steps.segments and np.array_equal(said.audio, steps.audio)
    assert steps.voiced.shape == steps.noise.shape == steps.audio.shape
    assert np.abs(steps.noise).max() > 0, "the f of 'far' and the s of 'is' add hiss"


# ----------------------------------------------------------------------------------- mouth track


def test_mouth_track_is_closed_on_lips_and_pauses_and_open_on_aa():
    segs = [Segment("_", 0.0, 0.3), Segment("M", 0.3, 0.6), Segment("AA", 0.6, 0.9), Segment("P", 0.9, 1.2),
            Segment("AA", 1.2, 1.5), Segment("B", 1.5, 1.8), Segment("_", 1.8, 2.1)]
    opening, rounding = synth.mouth_track(segs, 2.1, fps=25)
    assert len(opening) == len(rounding) == round(2.1 * 25), f"one value per frame, got {len(opening)}"
    t = (np.arange(len(opening)) + 0.5) / 25

    def during(a, b):
        return opening[(t > a + 0.08) & (t < b - 0.08)]  # away from coarticulation at the edges

    for a, b, name in ((0.0, 0.3, "pause"), (0.3, 0.6, "M"), (0.9, 1.2, "P"), (1.5, 1.8, "B"), (1.8, 2.1, "pause")):
        assert during(a, b).max() < 0.05, f"the mouth should be shut during {name}, got {during(a, b).round(2)}"
    for a, b in ((0.6, 0.9), (1.2, 1.5)):
        assert during(a, b).min() > 0.9, f"the mouth should be wide open on AA, got {during(a, b).round(2)}"
    assert opening.min() >= 0 and opening.max() <= 1 and rounding.min() >= 0 and rounding.max() <= 1, "tracks lie in [0, 1]"


def test_mouth_track_rounds_the_lips_on_oo():
    segs = [Segment("_", 0, 0.3), Segment("UW", 0.3, 0.7), Segment("IY", 0.7, 1.1), Segment("_", 1.1, 1.3)]
    _, rounding = synth.mouth_track(segs, 1.3)
    t = (np.arange(len(rounding)) + 0.5) / 25
    assert rounding[(t > 0.4) & (t < 0.6)].min() > 0.9, "UW is a rounded vowel"
    assert rounding[(t > 0.8) & (t < 1.0)].max() < 0.1, "IY is spread, not rounded"


def test_speech_mouth_track_follows_real_speech():
    sp = synth.speak(synth.cast("dara"), "Papa, come home.", seed=0)
    opening, _ = sp.mouth_track()
    assert len(opening) == round(sp.duration * 25), "one value per 25 fps frame of the speech"
    t = (np.arange(len(opening)) + 0.5) / 25
    pause = next(s for s in sp.segments[1:-1] if s.phone == "_")
    vowels = [s for s in sp.segments if s.phone in S.VOWELS]
    in_vowels = np.zeros(len(t), bool)
    for s in vowels:
        in_vowels |= (t >= s.start) & (t < s.end)
    assert opening[in_vowels].mean() > 0.4, "vowels open the mouth"
    assert opening[t < sp.segments[0].end - 0.05].max() < 0.05, "the mouth is shut before speech starts"
    assert opening[(t > pause.start + 0.04) & (t < pause.end - 0.04)].max() < opening[in_vowels].max() * 0.6, (
        "the mouth should close towards a pause"
    )
    frames = sp.mouth_track(n_frames=80)[0]
    assert len(frames) == 80 and frames[-10:].max() < 0.05, "padding frames after the speech keep the mouth shut"


# -------------------------------------------------------------------------------- source and filter


def test_glottal_source_repeats_at_the_pitch():
    for f0 in (100.0, 160.0, 220.0):
        src = synth.glottal_source(np.full(SR // 2, f0), breathiness=0.0)
        assert src.dtype == np.float32 and len(src) == SR // 2, "one float32 source sample per pitch sample"
        got = estimate_f0(src[1000:5000])
        assert abs(got - f0) / f0 < 0.02, f"a {f0:.0f} Hz source should repeat every 1/{f0:.0f} s, measured {got:.1f} Hz"
        spectrum = np.abs(np.fft.rfft(src * np.hanning(len(src))))
        freqs = np.fft.rfftfreq(len(src), 1 / SR)
        lowest = freqs[(freqs > 50)][np.argmax(spectrum[freqs > 50][: int(1.5 * f0 * len(src) / SR)])]
        assert abs(lowest - f0) < 4, f"the source's fundamental should be at {f0:.0f} Hz, got {lowest:.1f} Hz"


def test_glottal_source_breath_is_seeded_noise():
    f0 = np.full(4000, 120.0)
    clean = synth.glottal_source(f0, breathiness=0.0, seed=0)
    assert np.array_equal(clean, synth.glottal_source(f0, breathiness=0.0, seed=9)), "no breath, no randomness"
    a, b = synth.glottal_source(f0, breathiness=0.1, seed=1), synth.glottal_source(f0, breathiness=0.1, seed=1)
    assert np.array_equal(a, b) and not np.array_equal(a, clean), "breath noise should be there and repeat per seed"


def test_formant_filter_resonates_at_its_formant():
    rng = np.random.default_rng(0)
    noise = rng.standard_normal(SR).astype(np.float32)
    out = synth.formant_filter(noise, np.full((1, SR), 1000.0), bandwidths=(60,))
    spectrum = np.abs(np.fft.rfft(out)) ** 2
    freqs = np.fft.rfftfreq(SR, 1 / SR)
    smooth = np.convolve(spectrum, np.ones(50) / 50, mode="same")
    peak = freqs[np.argmax(smooth)]
    assert out.dtype == np.float32 and len(out) == SR, "the filter keeps the length and gives float32"
    assert abs(peak - 1000) < 60, f"white noise through a 1 kHz resonator should peak near 1 kHz, got {peak:.0f} Hz"


def test_formant_filter_rejects_mismatched_lengths():
    with pytest.raises(ValueError) as err:
        synth.formant_filter(np.zeros(100, np.float32), np.full((4, 90), 500.0))
    assert "100 samples" in str(err.value) and "90" in str(err.value), f"got: {err.value}"


def test_formant_tracks_fill_stops_and_follow_the_scale():
    segs = synth.plan(["AA", "P", "IY"], seed=0)
    n = int(segs[-1].end * SR)
    tracks = synth.formant_tracks(segs, n)
    assert tracks.shape == (4, n) and np.isfinite(tracks).all(), "every sample gets four formants, stops included"
    assert np.allclose(synth.formant_tracks(segs, n, formant_scale=1.2), tracks * 1.2, rtol=1e-5), (
        "formant_scale multiplies every formant"
    )
    assert (np.diff(tracks[:3], axis=0) > 0).all(), "F1 < F2 < F3 everywhere"
