"""course_lib.audio, voice and lipsync (lab 05): spectrograms, cepstra, YIN pitch, a vowel, conversion, lip sync.

Accuracy is checked against the synthetic world's ground truth (the pitch contour the synthesiser used, the
mouth track a clip was rendered with, shifts injected on purpose). No timing is asserted here.
"""
from dataclasses import replace

import numpy as np
import pytest

import benchmarks
from course_lib import audio, faces, judges, lipsync, synth, voice
from course_lib.synth import speech as S

SR = 16_000


def tone(freq: float, seconds: float = 1.0, amp: float = 0.5) -> np.ndarray:
    return (amp * np.sin(2 * np.pi * freq * np.arange(int(seconds * SR)) / SR)).astype(np.float32)


def voiced_mean_spectrum(sound: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean power spectrum of the voiced frames (frequencies, power)."""
    spec = audio.spectrogram(sound)
    track = audio.pitch_track(sound)
    on = np.interp(spec.times, track.times, track.voiced.astype(float)) > 0.5
    return spec.freqs, spec.power[:, on].mean(axis=1)


def centroid(sound: np.ndarray) -> float:
    freqs, power = voiced_mean_spectrum(sound)
    return float((freqs * power).sum() / power.sum())


def median_pitch(sound: np.ndarray) -> float:
    track = audio.pitch_track(sound)
    return float(np.median(track.f0[track.voiced]))


# ------------------------------------------------------------------------------------ sound as data


def test_spectrogram_shape_frequency_axis_and_a_tone_peaks_at_its_frequency():
    spec = audio.spectrogram(tone(1250.0), win_ms=25, hop_ms=10, n_fft=512)
    assert spec.power.shape == (257, len(spec.times)), "n_fft 512 gives 257 frequencies from 0 to 8 kHz"
    assert np.isclose(spec.freqs[1] - spec.freqs[0], SR / 512) and np.isclose(spec.freqs[-1], SR / 2)
    assert np.allclose(np.diff(spec.times), 0.01), "frames every hop_ms = 10 ms"
    assert len(spec.times) == pytest.approx(101, abs=1), "one second at 10 ms hops is about 100 frames"
    peak = spec.freqs[np.argmax(spec.power[:, 50])]
    assert abs(peak - 1250) <= SR / 512 / 2, f"a 1250 Hz tone should peak at 1250 Hz, not {peak}"
    for f in (300.0, 3000.0, 6500.0):
        s = audio.spectrogram(tone(f, 0.3))
        assert abs(s.freqs[np.argmax(s.power.mean(axis=1))] - f) <= 16


def test_default_fft_size_is_the_next_power_of_two():
    spec = audio.spectrogram(tone(500.0, 0.2), win_ms=25)  # 400 samples -> 512
    assert spec.power.shape[0] == 257


def test_mel_scale_round_trip_and_reference_point():
    f = np.array([0.0, 100.0, 700.0, 1000.0, 4000.0, 8000.0])
    assert np.allclose(audio.mel_to_hz(audio.hz_to_mel(f)), f, atol=1e-6)
    assert audio.hz_to_mel(1000.0) == pytest.approx(1000.0, abs=0.5), "the HTK formula puts 1000 Hz at ~1000 mel"


def test_mel_filterbank_properties():
    bank = audio.mel_filterbank(40, 512)
    assert bank.shape == (40, 257) and bank.dtype == np.float32
    assert bank.min() >= 0 and bank.max() <= 1 + 1e-6
    fine = audio.mel_filterbank(20, 8192)  # with fine bins every triangle reaches its peak of 1
    assert np.allclose(fine.max(axis=1), 1.0, atol=0.01)
    freqs = np.fft.rfftfreq(8192, 1 / SR)
    centres = freqs[fine.argmax(axis=1)]
    assert np.all(np.diff(centres) > 0), "filter centres rise"
    assert np.allclose(np.diff(audio.hz_to_mel(centres)), np.diff(audio.hz_to_mel(centres)).mean(), rtol=0.05), \
        "centres are equally spaced in mels"
    widths = (fine > 0).sum(axis=1)
    assert widths[-1] > 5 * widths[0], "filters widen with frequency"
    inner = (freqs > centres[0]) & (freqs < centres[-1])
    assert np.allclose(fine.sum(axis=0)[inner], 1.0, atol=0.01), "neighbouring triangles add up to 1 between centres"
    limited = audio.mel_filterbank(10, 512, fmin=300, fmax=3400)
    band = np.fft.rfftfreq(512, 1 / SR)
    assert limited[:, (band < 300) | (band > 3400)].max() == 0, "nothing outside fmin..fmax"


def test_mel_spectrogram_and_mfcc_shapes():
    sound = synth.speak(synth.cast("ben"), "one two three", seed=1).audio
    spec = audio.spectrogram(sound, n_fft=512)
    mel = audio.mel_spectrogram(sound, n_mels=32)
    assert mel.power.shape == (32, spec.power.shape[1])
    assert np.all(np.diff(mel.freqs) > 0) and mel.freqs[-1] < SR / 2
    assert np.allclose(mel.power, audio.mel_filterbank(32, 512) @ spec.power, rtol=1e-4, atol=1e-12)
    assert audio.mfcc(sound, n_mfcc=13).shape == (13, spec.power.shape[1])


def test_linear_filters_are_equally_wide_unlike_mel_filters():
    linear, mel = audio.linear_filterbank(20, 512), audio.mel_filterbank(20, 512)
    assert linear.shape == mel.shape == (20, 257)
    widths = (linear > 0).sum(axis=1)
    assert widths.max() - widths.min() <= 1, f"linear filters should all be about as wide, got {widths}"
    assert (mel > 0).sum(axis=1)[-1] > 5 * (mel > 0).sum(axis=1)[0], "mel filters widen with frequency"


def test_lfcc_of_a_louder_copy_differs_only_in_c0():
    noise = (np.random.default_rng(0).standard_normal(SR) * 0.05).astype(np.float32)
    quiet, loud = audio.lfcc(noise), audio.lfcc(noise * 4)
    assert quiet.shape == (20, len(audio.spectrogram(noise, win_ms=20, n_fft=512).times))
    gain_db = 20 * np.log10(4)
    assert np.allclose(loud[0] - quiet[0], gain_db * np.sqrt(20), atol=1e-2), \
        "a gain of g shifts every log band by 20·log10(g) dB, which the orthonormal DCT puts in c0 alone (×√20)"
    assert np.allclose(loud[1:], quiet[1:], atol=1e-3), "the spectral shape (c1 and up) does not depend on loudness"


def test_lfcc_tells_a_tone_from_noise_in_the_high_band():
    noise = (np.random.default_rng(1).standard_normal(SR) * 0.05).astype(np.float32)
    hiss = audio.lfcc(noise)[1:].mean(axis=1)
    whistle = audio.lfcc(tone(6000.0, amp=0.05) + noise * 0.01)[1:].mean(axis=1)
    assert np.linalg.norm(hiss - whistle) > 10, "a 6 kHz tone and white noise should have clearly different cepstra"


# ------------------------------------------------------------------------------------ pitch (YIN)


def test_yin_difference_and_cmnd_match_their_definitions():
    rng = np.random.default_rng(0)
    frame = rng.standard_normal(300 + 120)
    d = audio.yin_difference(frame, 300, 120)[0]
    direct = np.array([np.sum((frame[:300] - frame[tau:tau + 300]) ** 2) for tau in range(121)])
    assert np.allclose(d, direct, rtol=1e-9, atol=1e-9)
    cm = audio.yin_cmnd(d)[0]
    assert cm[0] == 1.0
    assert np.allclose(cm[1:], direct[1:] * np.arange(1, 121) / np.cumsum(direct[1:]))


@pytest.mark.parametrize("freq", [70.0, 110.0, 180.0, 260.0, 380.0])
def test_pitch_track_on_pure_tones(freq):
    track = audio.pitch_track(tone(freq))
    assert track.voiced.mean() > 0.9, f"a {freq} Hz tone is voiced nearly everywhere"
    assert np.median(track.f0[track.voiced]) == pytest.approx(freq, rel=0.005)
    assert np.all(track.f0[~track.voiced] == 0)


def test_pitch_track_calls_silence_and_noise_unvoiced():
    quiet = np.zeros(SR, np.float32)
    assert not audio.pitch_track(quiet).voiced.any()
    noise = (np.random.default_rng(3).standard_normal(SR) * 0.2).astype(np.float32)
    assert audio.pitch_track(noise).voiced.mean() < 0.05


@pytest.mark.parametrize("name", ["ben", "farah", "eli", "hana"])
def test_pitch_track_follows_the_synthesisers_true_contour(name):
    person = synth.cast(name)
    text = synth.SENTENCES[3]
    sp = synth.speak(person, text, seed=4)
    true = S.pitch_contour(sp.segments, len(sp.audio), person.voice.f0, False, person.voice.jitter, SR, 4)
    track = audio.pitch_track(sp.audio)
    idx = np.minimum((track.times * SR).astype(int), len(true) - 1)
    vowels = np.zeros(len(track.times), bool)
    for seg in sp.segments:
        if S.PHONES[seg.phone]["kind"] in ("vowel", "diph"):
            vowels |= (track.times >= seg.start + 0.01) & (track.times < seg.end - 0.01)
    found = vowels & track.voiced
    assert found.sum() > 0.85 * vowels.sum(), f"most vowel frames should be voiced ({found.sum()}/{vowels.sum()})"
    err = np.abs(track.f0[found] / true[idx][found] - 1)
    assert np.median(err) < 0.01, f"median pitch error {np.median(err):.3%}"
    assert np.mean(err > 0.2) < 0.03, f"gross (octave) errors in {np.mean(err > 0.2):.1%} of vowel frames"


# ---------------------------------------------------------------------------------- a vowel, source and filter


def test_vowel_formants_scale_with_the_vocal_tract():
    def f1(x):
        freqs, power = voiced_mean_spectrum(x)
        envelope = audio.decibels(voice.lpc_envelopes(power[:, None]))[:, 0]
        band = (freqs > 400) & (freqs < 1100)
        return freqs[band][np.argmax(envelope[band])]

    low, high = voice.vowel("AA", f0=110, formant_scale=1.0), voice.vowel("AA", f0=110, formant_scale=1.2)
    assert f1(high) / f1(low) == pytest.approx(1.2, abs=0.08)
    assert median_pitch(voice.vowel("IY", f0=200)) == pytest.approx(200, rel=0.01)


# ------------------------------------------------------------------------------------ voice conversion


@pytest.fixture(scope="module")
def recordings():
    return {name: voice.enrolment(name, n=3) for name in ("chen", "ada", "ben")}


@pytest.fixture(scope="module")
def enrolled(recordings):
    return {name: voice.voice_profile(recs) for name, recs in recordings.items()}


def test_voice_profiles_measure_pitch_and_the_vocal_tract_ratio(enrolled):
    for name, prof in enrolled.items():
        assert prof.f0 == pytest.approx(synth.cast(name).voice.f0, rel=0.06), name
    for a, b in (("chen", "ada"), ("ada", "ben")):
        truth = synth.cast(b).voice.formant_scale / synth.cast(a).voice.formant_scale
        assert voice.warp_factor(enrolled[a], enrolled[b]) == pytest.approx(truth, rel=0.02), (a, b)
    assert voice.warp_factor(enrolled["ada"], enrolled["ada"]) == pytest.approx(1.0, abs=0.005)


def test_psola_shifts_pitch_and_keeps_duration():
    sound = synth.speak(synth.cast("gus"), synth.SENTENCES[6], seed=5).audio
    for ratio in (0.6, 1.5):
        out = voice.psola(sound, ratio)
        assert len(out) == len(sound) and out.dtype == np.float32
        assert median_pitch(out) / median_pitch(sound) == pytest.approx(ratio, rel=0.03)
    same = voice.psola(sound, 1.0)
    assert np.corrcoef(same, sound)[0, 1] > 0.95, "a ratio of 1 should give back (nearly) the same signal"


def test_warp_envelope_moves_formants_and_keeps_pitch():
    sound = synth.speak(synth.cast("chen"), synth.SENTENCES[1], seed=1).audio
    up = voice.warp_envelope(sound, 1.2)
    assert len(up) == len(sound)
    assert median_pitch(up) == pytest.approx(median_pitch(sound), rel=0.02)
    assert centroid(up) > 1.08 * centroid(sound)
    assert np.corrcoef(voice.warp_envelope(sound, 1.0), sound)[0, 1] > 0.99


@pytest.mark.parametrize("source,target", [("chen", "ada"), ("ada", "ben")])
def test_conversion_moves_pitch_and_spectral_centroid_toward_the_target(recordings, source, target):
    converter = voice.fit_converter(recordings[source], recordings[target])
    assert converter.pitch_ratio == pytest.approx(converter.target.f0 / converter.source.f0)
    said = synth.speak(synth.cast(source), voice.NEW_LINES[0], seed=3).audio
    real = synth.speak(synth.cast(target), voice.NEW_LINES[0], seed=3).audio
    out = voice.convert(said, converter)
    assert len(out) == len(said) and out.dtype == np.float32 and np.abs(out).max() <= 1
    assert median_pitch(out) == pytest.approx(converter.target.f0, rel=0.03)
    gap_before, gap_after = abs(centroid(said) - centroid(real)), abs(centroid(out) - centroid(real))
    assert gap_after < 0.5 * gap_before, f"centroid gap {gap_before:.0f} Hz before, {gap_after:.0f} Hz after"


def test_the_equaliser_is_learned_from_enrolment_and_can_be_left_out(recordings):
    plain = voice.fit_converter(recordings["chen"], recordings["ada"], equalise_spectrum=False)
    assert not np.any(plain.eq_db)
    fitted = voice.fit_converter(recordings["chen"], recordings["ada"])
    assert fitted.eq_db.shape == fitted.target.freqs.shape and np.abs(fitted.eq_db).max() > 1
    said = synth.speak(synth.cast("chen"), voice.NEW_LINES[2], seed=1).audio
    assert not np.allclose(voice.convert(said, plain), voice.convert(said, fitted))


@pytest.fixture(scope="module")
def judge():
    return judges.speaker_judge(n_others=2, per_speaker=4, held_out=4, seed=0)


def test_speaker_judge_recognises_real_held_out_sentences(judge):
    assert judge.speakers[:8] == tuple(sorted(synth.CAST)) and len(judge.speakers) == 10
    assert judge.held_out["accuracy"] >= 0.9, judge.held_out
    assert judge.held_out["n"] == 10 * judges.SPEAKER_HELD_OUT
    heard = synth.speak(synth.cast("eli"), voice.NEW_LINES[2], seed=8)
    assert judge.predict(heard) == ["eli"]
    probs = judge.probabilities([heard.audio, synth.speak(synth.cast("hana"), voice.NEW_LINES[2]).audio])
    assert probs.shape == (2, 10) and np.allclose(probs.sum(axis=1), 1)
    again = judges.speaker_judge(n_others=2, per_speaker=4, held_out=4, seed=0)
    assert again is judge, "the second call reuses the judge"


def test_speaker_judge_caches_features_not_models(isolated_cache):
    small = dict(n_others=0, per_speaker=2, held_out=1, seed=1)
    first = judges.speaker_judge(**small)
    files = sorted(p.name for p in (isolated_cache / "judges").iterdir())
    assert len(files) == 1 and files[0].startswith("speaker-") and files[0].endswith(".npz"), files
    judges._SPEAKER_JUDGES.clear()  # forget the fitted model: the next call refits from the cached features
    again = judges.speaker_judge(**small)
    assert again is not first and again.held_out == first.held_out
    assert sorted(p.name for p in (isolated_cache / "judges").iterdir()) == files


def test_conversions_fool_the_speaker_judge(judge):
    trials = voice.conversion_trials(judge, [("chen", "farah"), ("hana", "gus")], voice.NEW_PASSAGES[:1])
    assert trials["transfer"] == 1.0, trials["rows"]
    assert trials["real_recognised"] == 1.0 and trials["by_line"] == [1.0]
    assert all(r["pitch_match"] == pytest.approx(1.0, abs=0.03) for r in trials["rows"])


# ------------------------------------------------------------------------------------ lip sync


@pytest.fixture(scope="module")
def clip():
    return synth.talking_clip(synth.identity(4242), seconds=4.0, size=64, seed=3)


def test_mouth_from_audio_follows_the_true_mouth(clip):
    mouth = lipsync.mouth_from_audio(clip.audio, n_frames=len(clip.frames))
    assert mouth.shape == (len(clip.frames),) and 0 <= mouth.min() and mouth.max() <= 1
    assert np.corrcoef(mouth, clip.truth["mouth_open"])[0, 1] > 0.75
    assert lipsync.mouth_from_audio(np.zeros(6400, np.float32)).max() == 0, "silence keeps the mouth shut"


def test_pixel_mouth_measure_follows_the_true_mouth(clip):
    contrast = lipsync.mouth_contrast(clip.frames)
    assert np.corrcoef(contrast, clip.truth["mouth_open"])[0, 1] > 0.7
    box = lipsync.mouth_box(clip.truth["landmarks"])
    lips = clip.truth["landmarks"][:, 48:68]
    assert box[0] <= lips[..., 0].min() and box[2] >= lips[..., 0].max()
    assert box[1] <= lips[..., 1].min() and box[3] >= lips[..., 1].max()


def test_av_offset_sign_convention_and_confidence():
    rng = np.random.default_rng(0)
    base = np.convolve(rng.standard_normal(160), np.ones(3) / 3, mode="same")
    lips = base[20:120]
    for true in (-10, -3, 0, 7, 10):
        res = lipsync.av_offset(lips, base[20 - true:120 - true])
        assert res.offset == true and res.confidence > 0.5
        assert len(res.distances) == len(res.offsets) == 21 and res.offsets[0] == -10
    unrelated = lipsync.av_offset(lips, rng.standard_normal(100))
    assert unrelated.confidence < lipsync.av_offset(lips, lips).confidence


@pytest.mark.parametrize("use", ["landmarks", "pixels"])
def test_offset_recovered_for_injected_shifts(clip, use):
    out = lipsync.offset_trials([clip], shifts=range(-10, 11, 2), use=use)
    assert out["accuracy"] == 1.0, (out["shifts"], out["estimates"])


def test_shift_audio_delays_and_advances_by_whole_frames():
    sound = np.arange(6400, dtype=np.float32) / 6400
    late = lipsync.shift_audio(sound, 2)
    assert len(late) == len(sound) and np.all(late[:1280] == 0) and late[1280] == sound[0]
    early = lipsync.shift_audio(sound, -1)
    assert early[0] == sound[640] and np.all(early[-640:] == 0)
    assert np.all(lipsync.shift_audio(sound, 50) == 0)


def test_lipsync_clip_is_in_sync_and_labelled():
    line = synth.speak(synth.cast("ada"), voice.NEW_LINES[4], seed=1)
    made = lipsync.lipsync_clip(synth.cast("ada"), line, voice="synthetic", size=64, seed=1)
    assert made.labels == {"face": "real", "voice": "synthetic", "lips": "synced"}
    assert len(made.audio) == len(made.frames) * 640
    assert lipsync.sync_offset(made).offset == 0
    assert np.allclose(made.truth["mouth_open"], made.truth["mouth_from_audio"])


def test_replace_voice_keeps_frames_and_relabels(clip):
    new = synth.speak(synth.cast("ben"), voice.NEW_LINES[5], seed=2)
    conv = voice.with_audio(new, new.audio * 0.5)
    assert conv.voice is None and conv.segments == new.segments
    fake = lipsync.replace_voice(clip, conv, voice="converted")
    assert fake.frames is clip.frames and len(fake.audio) == len(clip.audio)
    assert fake.labels == {"face": "real", "voice": "converted", "lips": "real"}
    assert fake.truth["text"] == new.text and fake.truth["video_text"] == clip.truth["text"]
    assert clip.labels["voice"] == "real", "the original clip is not changed"


# ------------------------------------------------------------------------------------ validation messages


@pytest.mark.parametrize("call,match", [
    (lambda: audio.spectrogram(np.zeros((2, 16000), np.float32)), "mono"),
    (lambda: audio.spectrogram(np.zeros(16000, np.float32), sr=44100), "16000 Hz"),
    (lambda: audio.spectrogram(np.zeros(100, np.float32)), "fewer than one window"),
    (lambda: audio.spectrogram(np.zeros(16000, np.float32), win_ms=10, hop_ms=20), "hop_ms"),
    (lambda: audio.spectrogram(np.zeros(16000, np.float32), n_fft=128), "n_fft"),
    (lambda: audio.mel_filterbank(0), "n_mels"),
    (lambda: audio.mel_filterbank(20, fmin=5000, fmax=4000), r"fmax must be a number in \(5000"),
    (lambda: audio.mfcc(np.zeros(16000, np.float32), n_mfcc=50), "n_mfcc"),
    (lambda: audio.lfcc(np.zeros(16000, np.float32), n_lfcc=30), "n_lfcc"),
    (lambda: audio.linear_filterbank(0), "n_filters"),
    (lambda: audio.pitch_track(np.zeros(16000, np.float32), fmin=30), "longest period"),
    (lambda: audio.yin_difference(np.zeros(100), 80, 40), "window \\+ max_lag"),
    (lambda: voice.vowel("S"), "steady vowels"),
    (lambda: synth.synthesis_steps("ada", "hello"), "Identity or Voice"),
    (lambda: voice.voice_profile(np.zeros(16000, np.float32)), "voiced frames"),
    (lambda: voice.voice_profile([]), "non-empty list"),
    (lambda: voice.convert(np.zeros(16000, np.float32), "ada"), "Converter"),
    (lambda: voice.fit_converter(np.zeros(16000, np.float32), []), "non-empty"),
    (lambda: voice.psola(np.zeros(16000, np.float32), 9.0), "ratio"),
    (lambda: lipsync.av_offset(np.zeros(50), np.zeros(40)), "same frames"),
    (lambda: lipsync.av_offset(np.zeros(20), np.zeros(20)), "too few"),
    (lambda: lipsync.av_offset(np.zeros(60), np.zeros(60), max_offset=0), "max_offset"),
    (lambda: lipsync.shift_audio(np.zeros(6400, np.float32), 1.5), "frames must be an integer"),
    (lambda: lipsync.mouth_box(np.zeros((5, 2))), "68×2"),
    (lambda: lipsync.mouth_contrast(np.zeros((3, 64, 48, 3), np.float32)), "not square"),
    (lambda: lipsync.sync_offset("clip.mp4"), "Clip"),
    (lambda: lipsync.lipsync_clip(synth.cast("ada"), synth.speak(synth.cast("ada"), "hi there"), voice="fake"),
     "one of"),
    (lambda: voice.cast_pairs("some"), "ring"),
    (lambda: voice.enrolment("ada", n=0), "n must"),
    (lambda: judges.speaker_judge(per_speaker=1), "per_speaker"),
    (lambda: judges.speaker_judge(held_out=5), "held_out"),
    (lambda: judges.speaker_pool(-1), "n_others"),
])
def test_bad_inputs_say_what_was_expected(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_sync_offset_on_a_clip_without_landmarks_points_to_pixels(clip):
    bare = replace(clip, truth={k: v for k, v in clip.truth.items() if k != "landmarks"})
    with pytest.raises(ValueError, match="pixels"):
        lipsync.sync_offset(bare)
    assert lipsync.sync_offset(bare, use="pixels").offset == 0


# ------------------------------------------------------------------------------------ the benchmark module


def test_voice_benchmark_is_registered_with_its_targets():
    assert "voice" in benchmarks.names()
    module = benchmarks.load("voice")
    assert module.TARGETS == {"vc_speaker_transfer": (">=", 0.9), "lipsync_offset_acc": (">=", 0.95)}
    assert set(module.SETTINGS) == set(benchmarks.MODES)


def test_mel_filterbank_warns_when_too_many_mels_leave_filters_empty():
    with pytest.warns(UserWarning, match="mel filters are all zero"):
        bank = audio.mel_filterbank(n_mels=128, n_fft=64)
    assert (bank.max(axis=1) == 0).any(), "the warning must match a bank that really has empty filters"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (audio.mel_filterbank(n_mels=40, n_fft=512).max(axis=1) > 0).all(), "the course's default has no empty filter"
