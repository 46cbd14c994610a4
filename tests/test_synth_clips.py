"""course_lib.synth talking clips, blinks and head motion: frames and audio in sync, with ground truth."""
import numpy as np
import pytest

from course_lib import synth
from course_lib.synth import motion

FPS, SR = 25, 16_000
SPF = SR // FPS  # audio samples per video frame


def eye_aspect_ratio(lm):
    """EAR per frame from the image-left eye (landmarks 36-41); lm is T×68×2."""
    p = lm[:, 36:42]
    v = np.linalg.norm(p[:, 1] - p[:, 5], axis=1) + np.linalg.norm(p[:, 2] - p[:, 4], axis=1)
    return v / (2 * np.linalg.norm(p[:, 0] - p[:, 3], axis=1))


@pytest.fixture(scope="module")
def clip():
    """A short clip with a given text (so its length comes from the speech)."""
    return synth.talking_clip(synth.cast("ben"), "Hello mama, how are you today?", size=32, seed=2)


@pytest.fixture(scope="module")
def long_clip():
    """An 8-second clip of sampled sentences, long enough to hold blinks."""
    return synth.talking_clip(synth.cast("gus"), seconds=8.0, size=16, seed=0)


# -------------------------------------------------------------------------------------- timing


def test_clip_has_25fps_frames_and_16khz_audio(clip):
    assert clip.fps == FPS and clip.sr == SR, f"clips are 25 fps and 16 kHz, got {clip.fps} and {clip.sr}"
    assert clip.frames.ndim == 4 and clip.frames.shape[1:] == (32, 32, 3) and clip.frames.dtype == np.float32, (
        f"frames are T×32×32×3 float32, got {clip.frames.shape} {clip.frames.dtype}"
    )
    assert clip.frames.min() >= 0 and clip.frames.max() <= 1, "frames are images in [0, 1]"
    assert clip.audio.dtype == np.float32 and clip.audio.ndim == 1 and np.abs(clip.audio).max() <= 1, (
        "audio is mono float32 in [-1, 1]"
    )


def test_clip_frames_and_audio_last_equally_long(clip):
    video_s, audio_s = len(clip.frames) / FPS, len(clip.audio) / SR
    assert abs(video_s - audio_s) <= 0.5 / FPS, f"video ({video_s:.3f} s) and audio ({audio_s:.3f} s) should match"
    assert clip.duration == video_s, "Clip.duration is the video length"


@pytest.mark.parametrize("seconds", [0.2, 0.4, 1.2, 3.0])  # 0.2 s: 5 frames, under the nod filter's 9
def test_clip_with_seconds_is_exactly_that_long(seconds):
    c = synth.talking_clip(synth.cast("ada"), "Good morning everyone.", seconds=seconds, size=16, seed=1)
    assert len(c.frames) == round(seconds * FPS), f"{seconds} s should be {round(seconds * FPS)} frames"
    assert len(c.audio) == round(seconds * SR), f"{seconds} s should be {round(seconds * SR)} samples"
    assert c.duration == pytest.approx(seconds), f"the clip should last {seconds} s, got {c.duration}"


def test_clip_audio_is_a_whole_number_of_frames_long(clip):
    assert len(clip.audio) == len(clip.frames) * SPF, (
        f"{len(clip.frames)} frames need {len(clip.frames) * SPF} audio samples, got {len(clip.audio)}"
    )


def test_seconds_longer_than_the_speech_pads_with_silence_and_a_closed_mouth():
    c = synth.talking_clip(synth.cast("ada"), "Hi.", seconds=2.0, size=16, seed=0)
    assert len(c.audio) == 2 * SR and np.abs(c.audio[-SR // 2:]).max() == 0, "audio after the speech is silent"
    assert c.truth["mouth_open"][-10:].max() < 0.01, "the mouth is shut after the speech ends"


def test_talking_clip_rejects_bad_arguments():
    with pytest.raises(ValueError, match="Identity"):
        synth.talking_clip("ada", "hi")
    with pytest.raises(ValueError, match="seconds must be a number between 0.2 and 120"):
        synth.talking_clip(synth.cast("ada"), "hi", seconds=0.1)
    with pytest.raises(ValueError, match="non-negative integer"):
        synth.talking_clip(synth.cast("ada"), "hi", seed=-3)
    with pytest.raises(ValueError, match="size"):
        synth.talking_clip(synth.cast("ada"), "hi", size=8)


# --------------------------------------------------------------------------------------- truth


def test_clip_truth_holds_the_ground_truth(clip):
    t = len(clip.frames)
    truth = clip.truth
    assert truth["landmarks"].shape == (t, 68, 2), f"one set of 68 landmarks per frame, got {truth['landmarks'].shape}"
    assert truth["masks"].shape == (t, 32, 32), f"one mask per frame, got {truth['masks'].shape}"
    assert len(truth["states"]) == t and len(truth["mouth_open"]) == t, "one state and mouth value per frame"
    assert isinstance(truth["blinks"], list) and truth["segments"][0].phone == "_", "blinks and phoneme segments"
    assert truth["text"] == "Hello mama, how are you today?" and truth["identity"] is synth.cast("ben"), (
        "truth records who says what"
    )
    assert truth["seed"] == 2, "truth records the seed"
    assert clip.labels == {"face": "real", "voice": "real", "lips": "real"}, f"a synthetic clip is all real: {clip.labels}"


def test_clip_labels_are_a_copy(clip):
    labels = clip.labels
    labels["face"] = "fake"
    assert clip.labels["face"] == "real", "editing the returned labels must not change the clip"


def test_clip_without_text_says_sampled_sentences(long_clip):
    text = long_clip.truth["text"]
    assert any(s in text for s in synth.SENTENCES), f"without text the clip says the course's sentences: {text!r}"


def test_clips_are_deterministic_per_seed():
    a = synth.talking_clip(synth.cast("hana"), "See you soon.", size=16, seed=7)
    b = synth.talking_clip(synth.cast("hana"), "See you soon.", size=16, seed=7)
    assert np.array_equal(a.frames, b.frames) and np.array_equal(a.audio, b.audio), "same seed, same clip"
    assert a.truth["blinks"] == b.truth["blinks"] and np.array_equal(a.truth["landmarks"], b.truth["landmarks"]), (
        "same seed, same ground truth"
    )
    c = synth.talking_clip(synth.cast("hana"), "See you soon.", size=16, seed=8)
    assert not np.array_equal(a.frames, c.frames), "another seed should move the head differently"


def test_clip_options_reach_the_rendered_frames():
    c = synth.talking_clip(synth.cast("eli"), "Hi there.", size=16, seed=0, motion=0.0, noise=0.0,
                           background=(0.0, 1.0, 0.0), light=(0.3, 0.5))
    s = c.truth["states"][0]
    assert s.yaw == 0 and s.roll == 0, "motion=0 keeps the head still"
    assert s.background == (0.0, 1.0, 0.0) and (s.light_azimuth, s.light_elevation) == (0.3, 0.5), (
        "background and light options should reach every frame's state"
    )
    corner = c.frames[:, 0, 0]
    assert (corner[:, 1] > corner[:, 0] + 0.5).all(), "a green background should show in the corner"


def test_clip_with_given_speech_uses_its_audio_and_phonemes():
    sp = synth.speak(synth.cast("dara"), "Papa, come home.", seed=3)
    c = synth.talking_clip(synth.cast("ada"), speech=sp, size=16, seed=0)
    assert np.array_equal(c.audio[: len(sp.audio)], sp.audio), "the clip's audio should be the given speech"
    assert c.truth["segments"] is sp.segments and c.truth["text"] == sp.text, "truth describes the given speech"


# ------------------------------------------------------------------------------- mouth and sync


def test_rendered_mouth_opening_follows_the_speech(clip):
    lm = clip.truth["landmarks"]
    gap = np.linalg.norm(lm[:, 66] - lm[:, 62], axis=1)
    mouth = clip.truth["mouth_open"]
    r = np.corrcoef(gap, mouth)[0, 1]
    assert r > 0.9, f"the inner-lip gap in the frames should follow the speech's mouth track, r = {r:.3f}"
    assert mouth.max() > 0.5 and gap.max() > 0.5, "the mouth should visibly open while speaking"


def test_mouth_track_matches_the_speech_phonemes(clip):
    expected, _ = synth.mouth_track(clip.truth["segments"], len(clip.frames) / FPS)
    assert np.allclose(clip.truth["mouth_open"], expected), "the clip's mouth is the speech's own mouth track"


def test_audio_loudness_peaks_in_sync_with_the_mouth(long_clip):
    n = len(long_clip.frames)
    rms = np.sqrt((long_clip.audio[: n * SPF].reshape(n, SPF) ** 2).mean(1))
    mouth = long_clip.truth["mouth_open"]
    corr = {}
    for lag in range(-4, 5):
        a = rms[max(0, lag): n + min(0, lag)]
        b = mouth[max(0, -lag): n - max(0, lag)]
        corr[lag] = np.corrcoef(a, b)[0, 1]
    best = max(corr, key=corr.get)
    assert best == 0, f"loudness and mouth opening should line up at lag 0 frames, best lag {best}: {corr}"
    assert corr[0] > 0.6, f"loud frames should be open-mouthed frames, r = {corr[0]:.2f}"


# ---------------------------------------------------------------------------------------- blinks


def test_blink_rate_is_about_the_conversation_rate_over_ten_minutes():
    blinks = synth.blink_times(600.0, seed=0)
    per_min = len(blinks) / 10
    assert 26 * 0.7 < per_min < 26 * 1.3, f"talking faces blink about 26 times a minute, got {per_min:.1f}"
    rest = len(synth.blink_times(600.0, rate_per_min=synth.BLINKS_PER_MIN_REST, seed=0)) / 10
    assert rest < per_min, "a face at rest blinks less often than a talking one"


def test_blink_rate_matches_the_requested_rate_within_five_percent():
    counts = [len(synth.blink_times(3600.0, seed=s)) / 60 for s in range(5)]
    assert abs(np.mean(counts) - 26) < 26 * 0.05, f"asked for 26 blinks a minute, got {np.mean(counts):.1f}"


def test_blinks_last_100_to_400_ms_and_do_not_overlap():
    blinks = synth.blink_times(600.0, seed=1)
    dur = np.array([b - a for a, b in blinks])
    assert dur.min() >= 0.1 - 1e-9 and dur.max() <= 0.4 + 1e-9, f"blinks last 100-400 ms, got {dur.min():.3f}-{dur.max():.3f}"
    assert 0.15 < np.median(dur) < 0.25, f"a typical blink lasts about 200 ms, got {np.median(dur):.3f}"
    assert all(b[1] < nxt[0] for b, nxt in zip(blinks, blinks[1:])), "blinks must not overlap"
    assert blinks[-1][0] < 600 and blinks[0][0] > 0, "blinks start within the clip"


def test_blink_times_are_seeded():
    assert synth.blink_times(60, seed=3) == synth.blink_times(60, seed=3), "the same seed gives the same blinks"
    assert synth.blink_times(60, seed=3) != synth.blink_times(60, seed=4), "another seed gives other blinks"


def test_eye_openness_closes_inside_blinks_and_is_open_outside():
    blinks = [(1.0, 1.2), (2.0, 2.35)]
    fps = 1000  # fine sampling sees the moment of full closure
    eyes = synth.eye_openness(blinks, 3 * fps, fps=fps)
    t = (np.arange(len(eyes)) + 0.5) / fps
    for a, b in blinks:
        inside = eyes[(t >= a) & (t <= b)]
        assert inside.min() < 0.02, f"the eye should close fully in the blink {a}-{b} s, min {inside.min():.3f}"
        peak = t[(t >= a) & (t <= b)][np.argmin(inside)]
        assert peak - a < b - peak, "the lid closes faster than it reopens"
    outside = np.ones(len(t), bool)
    for a, b in blinks:
        outside &= (t < a) | (t > b)
    assert np.all(eyes[outside] == 1), "the eyes are fully open between blinks"
    assert eyes.min() >= 0 and eyes.max() <= 1, "openness lies in [0, 1]"


def test_eye_openness_at_25fps_shows_longer_blinks_nearly_closed():
    eyes = synth.eye_openness([(0.5, 0.75)], 25)
    assert eyes.min() < 0.3, f"a 250 ms blink should show a nearly closed eye at 25 fps, min {eyes.min():.2f}"


def test_clip_eyes_close_during_its_blinks(long_clip):
    blinks = long_clip.truth["blinks"]
    assert blinks, "an 8 s talking clip should contain blinks"
    n = len(long_clip.frames)
    t = (np.arange(n) + 0.5) / FPS
    eye_open = np.array([s.eye_open for s in long_clip.truth["states"]])
    in_blink = np.zeros(n, bool)
    for a, b in blinks:
        in_blink |= (t >= a) & (t <= b)
    assert np.all(eye_open[~in_blink] == 1), "outside blinks the eyes are open"
    assert eye_open[in_blink].min() < 0.1, "the eyes should close within the clip's blinks"
    ear = eye_aspect_ratio(long_clip.truth["landmarks"])
    assert ear[in_blink].min() < 0.3 * ear[~in_blink].mean(), "the rendered eye landmarks should close in a blink"


def test_clip_blink_rate_parameter_is_honoured():
    c = synth.talking_clip(synth.cast("ada"), "Hi.", seconds=10, size=16, seed=0, blink_rate=1e-3)
    assert c.truth["blinks"] == [], "a vanishing blink rate gives a clip without blinks (lab 06's tell-tale fake)"


# ---------------------------------------------------------------------------------------- head


def test_head_motion_is_smooth_seeded_and_scaled():
    a = synth.head_motion(250, seed=1)
    assert set(a) == {"yaw", "pitch", "roll"} and all(len(v) == 250 for v in a.values())
    assert np.array_equal(a["yaw"], synth.head_motion(250, seed=1)["yaw"]), "head motion repeats per seed"
    assert not np.array_equal(a["yaw"], synth.head_motion(250, seed=2)["yaw"]), "another seed moves the head differently"
    for name, v in a.items():
        assert np.abs(v).max() < 0.5, f"{name} should stay a few tenths of a radian, got {np.abs(v).max():.2f}"
        assert np.abs(np.diff(v)).max() < 0.02, f"{name} should change smoothly from frame to frame"
    still = synth.head_motion(250, seed=1, amount=0.0)
    assert all(np.all(v == 0) for v in still.values()), "amount=0 keeps the head still"


def test_head_nods_with_speech_energy():
    energy = np.zeros(100)
    energy[40:60] = 1
    calm = synth.head_motion(100, seed=0)["pitch"]
    nodding = synth.head_motion(100, seed=0, speech_energy=energy)["pitch"]
    assert (nodding[45:55] < calm[45:55]).all() and np.allclose(nodding[:30], calm[:30]), "speech should dip the pitch"


def test_blink_constants_follow_the_literature():
    assert motion.BLINKS_PER_MIN_TALKING == 26 and motion.BLINKS_PER_MIN_REST == 17, "Bentivoglio et al. 1997 rates"
    assert motion.BLINK_DURATION_RANGE == (0.10, 0.40), "Caffier et al. 2003: 100-400 ms"
