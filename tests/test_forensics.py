"""The hand-crafted artifact cues that lab 02 introduces and lab 06 reuses: seams and colour mismatch."""
import numpy as np
import pytest

from course_lib import faces, forensics, synth


def square_mask(n=96, a=28, b=68):
    m = np.zeros((n, n), np.float32)
    m[a:b, a:b] = 1
    return m


def textured(n=96, seed=0, level=0.5):
    rng = np.random.default_rng(seed)
    return np.clip(level + rng.normal(0, 0.02, (n, n, 3)), 0, 1).astype(np.float32)


def test_boundary_bands_lie_on_either_side_of_the_edge():
    inside, outside = forensics.boundary_bands(square_mask(), 3)
    m = square_mask() > 0.5
    assert inside.any() and outside.any()
    assert (inside & ~m).sum() == 0 and (outside & m).sum() == 0
    assert not (inside & outside).any()


def test_an_untouched_image_has_seam_score_one():
    img = textured()
    assert forensics.seam_score(img, img, square_mask()) == pytest.approx(1.0)


def test_a_hard_paste_of_another_colour_scores_a_strong_seam():
    original = textured(level=0.5)
    pasted = original.copy()
    m = square_mask()
    pasted[m > 0.5] = textured(seed=1, level=0.75)[m > 0.5]
    assert forensics.seam_score(pasted, original, m) > 5


def test_a_feathered_paste_scores_a_weaker_seam_than_a_hard_one():
    original = textured(level=0.5)
    other = textured(seed=1, level=0.75)
    m = square_mask()
    hard = faces.alpha_blend(other, original, m)
    soft = faces.alpha_blend(other, original, faces.feather_mask(m, 0, 4))
    assert forensics.seam_score(soft, original, m) < 0.5 * forensics.seam_score(hard, original, m)


def test_colour_mismatch_is_zero_for_one_skin_and_large_for_two():
    one = textured()
    m = square_mask()
    assert forensics.colour_mismatch(one, m) < 2.5, "noise alone should stay below a just-noticeable difference"
    two = one.copy()
    two[m > 0.5] = np.float32([0.75, 0.5, 0.4])
    assert forensics.colour_mismatch(two, m) > 10


def test_colour_mismatch_compares_locally_so_smooth_light_does_not_count():
    """A face lit from one side is darker on that side, on both sides of the boundary: no mismatch."""
    n = 96
    ramp = np.linspace(0.3, 0.9, n, dtype=np.float32)[None, :, None]
    img = np.broadcast_to(ramp * np.float32([1.0, 0.8, 0.7]), (n, n, 3)).copy()
    assert forensics.colour_mismatch(img, square_mask()) < 2.0


def test_colour_mismatch_sees_the_difference_between_two_synthetic_skins():
    tgt_img, tgt_pts, _ = synth.render(synth.cast("dara"), size=128)
    src_img, src_pts, _ = synth.render(synth.cast("ada"), size=128)
    out, mask = faces.classical_swap(src_img, src_pts, tgt_img, tgt_pts, colour_transfer=False, feather=0)
    assert forensics.colour_mismatch(out, mask) > 10, "light skin pasted on deep skin is an obvious colour step"


@pytest.mark.parametrize("call, words", [
    (lambda: forensics.seam_score(textured(), textured(64), square_mask()), "same shape"),
    (lambda: forensics.seam_score(textured(), textured(), np.zeros((96, 96))), "no boundary"),
    (lambda: forensics.colour_mismatch(textured(), square_mask(64)), "does not match"),
    (lambda: forensics.colour_mismatch(textured(), square_mask(), width=0), "width"),
    (lambda: forensics.colour_mismatch(textured() * 255, square_mask()), "divide by 255"),
])
def test_the_cues_explain_bad_inputs(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_swap_scores_rank_the_four_classical_swaps_as_lab_02_claims():
    src_img, src_pts, _ = synth.render(synth.cast("gus"), size=128, light_azimuth=0.7)
    tgt_img, tgt_pts, _ = synth.render(synth.cast("ben"), size=128, yaw=-0.1, light_azimuth=-0.5)
    s = forensics.swap_scores(src_img, src_pts, tgt_img, tgt_pts)
    assert list(s) == list(forensics.SWAP_VARIANTS)
    assert s["feathered"]["seam"] < s["hard paste"]["seam"]
    assert s["feathered + colour"]["colour"] < s["feathered"]["colour"]
    assert s["Poisson + colour"]["seam"] < s["hard paste"]["seam"]


def test_the_cheapswap_benchmark_reports_its_metrics(monkeypatch):
    from benchmarks import cheapswap

    monkeypatch.setitem(cheapswap.PAIRS, "fast", 3)
    metrics = cheapswap.run("fast")
    for key in ("ms_per_frame", "seam_alpha", "seam_poisson", "colour_delta_e_raw", "colour_delta_e_transfer"):
        assert key in metrics and np.isfinite(metrics[key]), f"the benchmark should report {key}"
    assert metrics["colour_delta_e_transfer"] < metrics["colour_delta_e_raw"]


# ----------------------------------------------------------------------------------------------------
# Lab 06: each cue separates a real case from a fake it should catch

def noisy_frame(n=96, seed=0, sigma=0.03):
    """A camera-like frame: a smooth colour ramp with sensor noise."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0.35, 0.65, n, dtype=np.float32)[None, :, None] * np.float32([1.0, 0.85, 0.7])
    return np.clip(ramp + rng.normal(0, sigma, (n, n, 3)), 0, 1).astype(np.float32)


def paste(frame, face, mask):
    out = frame.copy()
    out[mask > 0.5] = face[mask > 0.5]
    return out


def jpeg(img, quality):
    import cv2

    ok, buf = cv2.imencode(".jpg", np.round(img[..., ::-1] * 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].astype(np.float32) / 255


def test_face_regions_are_the_face_and_a_ring_around_it():
    face, around = forensics.face_regions(square_mask(), (96, 96))
    assert face.sum() == 40 * 40 and not (face & around).any()
    assert around.sum() > 0.5 * face.sum(), "the ring should be a fair sample of the frame around the face"
    img, pts, _ = synth.render(synth.cast("ada"), size=64)
    hull, ring = forensics.face_regions(pts, img.shape[:2])
    assert hull.sum() > 300 and ring.sum() > 100


def test_spectral_profiles_are_the_radial_profile_of_each_image():
    imgs = np.stack([noisy_frame(64, seed=s) for s in range(3)])
    prof = forensics.spectral_profiles(imgs)
    assert prof.shape == (3, 33)
    np.testing.assert_allclose(prof[1], forensics.radial_profile(forensics.spectrum(imgs[1:2])), rtol=1e-5)


def test_high_frequency_score_drops_when_an_image_is_smoothed():
    import cv2

    sharp = noisy_frame(64)
    smooth = cv2.GaussianBlur(sharp, (0, 0), 1.0)
    s = forensics.high_frequency_score(np.stack([sharp, smooth]))
    assert s[1] < s[0] - 1, f"blurring removes high frequencies, but the scores were {s}"


def test_a_clean_face_pasted_into_a_noisy_frame_shows_its_residual_and_its_boundary():
    frame, m = noisy_frame(), square_mask()
    fake = paste(frame, noisy_frame(seed=1, sigma=0.0), m)
    assert abs(forensics.residual_score(frame, m)) < 0.2, "one camera's noise is the same inside and out"
    assert forensics.residual_score(fake, m) > 1, "the pasted face carries no sensor noise"
    assert forensics.boundary_score(fake, m) > 2 * forensics.boundary_score(frame, m) + 0.05
    b = forensics.blending_boundary(fake)
    assert b.shape == (96, 96) and 0 <= b.min() and b.max() <= 1
    edge, _ = forensics.boundary_bands(m, 3)
    assert b[edge].mean() > 3 * b[20:76, 40:56].mean(), "B = 4M(1-M) peaks on the boundary, not inside the face"


def test_error_level_analysis_finds_a_region_pasted_after_the_last_jpeg_save():
    m = square_mask()
    saved = jpeg(noisy_frame(), 90)
    pasted = paste(saved, noisy_frame(seed=2), m)
    real_score, fake_score = forensics.error_level_score(saved, m), forensics.error_level_score(pasted, m)
    assert fake_score > real_score + 0.1, f"the pasted region was never compressed: {fake_score} vs {real_score}"
    assert forensics.error_level(saved).shape == (96, 96)


def test_a_blurred_face_in_a_sharp_frame_scores_as_blurrier_than_the_frame():
    import cv2

    frame, m = noisy_frame(), square_mask()
    fake = paste(frame, cv2.GaussianBlur(frame, (0, 0), 1.5), m)
    assert forensics.sharpness_score(fake, m) > forensics.sharpness_score(frame, m) + 0.5


def test_landmark_colour_mismatch_sees_a_swap_without_colour_transfer():
    tgt_img, tgt_pts, _ = synth.render(synth.cast("dara"), size=128)
    src_img, src_pts, _ = synth.render(synth.cast("ada"), size=128)
    out, _ = faces.classical_swap(src_img, src_pts, tgt_img, tgt_pts, colour_transfer=False, feather=0)
    real, fake = forensics.landmark_colour_mismatch(tgt_img, tgt_pts), forensics.landmark_colour_mismatch(out, tgt_pts)
    assert fake > real + 5, f"light skin on deep skin should stand out from the face's own colours: {fake} vs {real}"


def test_blinks_counts_dips_in_eye_opening_and_their_length():
    ear = np.full(250, 0.3, np.float32)  # 10 s at 25 fps
    assert forensics.blinks(ear).count == 0
    ear[[50, 51, 52, 53, 150, 151, 152, 153]] = 0.05
    b = forensics.blinks(ear)
    assert b.count == 2 and b.rate_per_min == pytest.approx(12.0) and b.duration_s == pytest.approx(0.16)


def test_blinks_tell_a_face_that_never_blinks_from_a_talking_one():
    person = synth.cast("ben")
    real = synth.talking_clip(person, seconds=4, size=64, seed=0)
    staring = synth.talking_clip(person, seconds=4, size=64, seed=0, blink_rate=1e-3)
    assert len(real.truth["blinks"]) >= 2
    assert forensics.blinks(real.truth["landmarks"]).count == len(real.truth["blinks"])
    assert forensics.blinks(staring.truth["landmarks"]).count == 0


def test_eye_opening_reads_blinks_from_pixels():
    clip = synth.talking_clip(synth.cast("ada"), seconds=2.5, size=128, seed=0)
    opening = forensics.eye_opening(clip.frames, clip.truth["landmarks"])
    ear = faces.eye_aspect_ratio(clip.truth["landmarks"])
    assert np.corrcoef(opening, ear)[0, 1] > 0.7, "pixels should follow the lids the landmarks describe"


def test_the_blink_cue_counts_real_blinks_at_its_default_threshold():
    clip = synth.talking_clip(synth.cast("farah"), seconds=8, size=128, seed=3)
    threshold = forensics.get_cue("blinks").params["threshold"].default
    found = forensics.blinks(forensics.eye_opening(clip.frames, clip.truth["landmarks"]), threshold=threshold)
    assert found.count == len(clip.truth["blinks"]), (
        f"the blink cue's default threshold counted {found.count} blinks in a clip with {len(clip.truth['blinks'])}")


def _dim_eyes(frames, landmarks, factor, frames_dimmed):
    out = frames.copy()
    for t in frames_dimmed:
        for eye in (slice(36, 42), slice(42, 48)):
            (x0, y0), (x1, y1) = landmarks[t, eye].min(axis=0) - 4, landmarks[t, eye].max(axis=0) + 4
            box = out[t, int(y0):int(y1) + 1, int(x0):int(x1) + 1]
            box[:] = box.mean(axis=(0, 1)) + factor * (box - box.mean(axis=(0, 1)))
    return out


def test_a_dimmed_but_open_eye_is_not_a_blink():
    clip = synth.talking_clip(synth.cast("farah"), seconds=4, size=128, seed=0, blink_rate=1e-3)
    pts = clip.truth["landmarks"]
    dimmed = _dim_eyes(clip.frames, pts, 0.5, [t for t in range(len(pts)) if t % 25 < 4])
    found = forensics.blinks(forensics.eye_opening(dimmed, pts), threshold=forensics.EYE_OPENING_THRESHOLD)
    assert found.count == 0, f"eyes dimmed to half their contrast, never closed, were counted as {found.count} blinks"


def test_eye_opening_of_a_flat_frame_is_zero_not_nan():
    pts = synth.talking_clip(synth.cast("ada"), seconds=1, size=64, seed=0).truth["landmarks"]
    opening = forensics.eye_opening(np.full((len(pts), 64, 64, 3), 0.5, np.float32), pts)
    assert np.array_equal(opening, np.zeros(len(pts))), f"a featureless frame has no eye to open: {opening}"


def test_flicker_score_catches_a_face_whose_brightness_jitters_from_frame_to_frame():
    clip = synth.talking_clip(synth.cast("chen"), seconds=2, size=64, seed=1)
    pts = clip.truth["landmarks"]
    jittery = clip.frames.copy()
    rng = np.random.default_rng(0)
    for t in range(len(jittery)):
        hull = faces.hull_mask(pts[t], jittery.shape[1:3]) > 0.5
        jittery[t][hull] = np.clip(jittery[t][hull] + rng.normal(0, 0.03), 0, 1)
    assert forensics.flicker_score(jittery, pts) > forensics.flicker_score(clip.frames, pts) + 0.5


def test_av_sync_score_is_higher_for_a_new_voice_on_old_lips():
    from course_lib import lipsync

    clip = synth.talking_clip(synth.cast("ada"), seconds=4, size=64, seed=2)
    dub = lipsync.replace_voice(clip, synth.speak(synth.cast("ada"), synth.SENTENCES[9], seed=5), "synthetic")
    assert forensics.av_sync_score(dub) > forensics.av_sync_score(clip) + 1


def test_audio_traces_measure_noise_against_tone_and_a_wobbling_pitch():
    sr = 16_000
    t = np.arange(sr) / sr
    tone = (0.5 * np.sin(2 * np.pi * 150 * t)).astype(np.float32)
    noise = np.random.default_rng(0).uniform(-0.5, 0.5, sr).astype(np.float32)
    wobble = 150 * (1 + 0.05 * np.sin(2 * np.pi * 12 * t))
    wobbly = (0.5 * np.sin(2 * np.pi * np.cumsum(wobble) / sr)).astype(np.float32)
    steady, noisy = forensics.audio_traces(tone), forensics.audio_traces(noise)
    assert noisy["spectral_flatness"] > 10 * steady["spectral_flatness"]
    assert noisy["high_band_ratio"] > 0.4 > steady["high_band_ratio"]
    assert forensics.pitch_jitter(wobbly) > 3 * steady["pitch_jitter"] + 1e-3


@pytest.mark.parametrize("call, words", [
    (lambda: forensics.face_regions(np.zeros((96, 96)), (96, 96)), "covers 0"),
    (lambda: forensics.face_regions(square_mask(), (64, 64)), "does not match"),
    (lambda: forensics.residual_score(textured(), np.zeros((5, 2))), "68×2 landmarks or an H×W mask"),
    (lambda: forensics.high_frequency_score(textured()[None], band=(0.9, 0.5)), "low < high"),
    (lambda: forensics.spectral_profiles(textured()), "batch"),
    (lambda: forensics.noise_residual(textured(), size=4), "size must be 3 or 5"),
    (lambda: forensics.error_level(textured(), quality=0), "quality"),
    (lambda: forensics.error_level(textured() * 255), "divide by 255"),
    (lambda: forensics.blending_boundary(textured(), sigma=-1), "sigma"),
    (lambda: forensics.blinks([0.3, np.nan, 0.3]), "NaN"),
    (lambda: forensics.blinks(np.ones((4, 4))), "one value per frame"),
    (lambda: forensics.eye_opening(np.zeros((3, 64, 64, 3)), np.zeros((2, 68, 2))), "one set per frame"),
    (lambda: forensics.flicker_score(np.zeros((3, 64, 64, 3)), np.zeros((3, 68, 2))), "at least 4 frames"),
    (lambda: forensics.av_sync_score(np.zeros(5)), "give a Clip"),
    (lambda: forensics.audio_traces(np.zeros(100, np.float32)), "0.1 s"),
    (lambda: forensics.audio_traces(np.ones(16_000) * 3), "Normalise"),
    (lambda: forensics.spectral_flatness(np.ones((2, 16_000), np.float32)), "spectral_flatness: audio"),
    (lambda: forensics.pitch_jitter(np.ones(16_000), sr=44_100), "pitch_jitter: audio.*16000 Hz"),
])
def test_the_lab_06_cues_explain_bad_inputs(call, words):
    with pytest.raises(ValueError, match=words):
        call()



# ---- the registry: every cue as a detector ----------------------------------------------------------

def one_face(seed=0, size=64):
    faces_ = synth.render_batch([synth.identity(seed)], synth.random_states(1, seed), size=size, seed=seed)
    return faces_.images[0], faces_.landmarks[0]


def test_every_registered_cue_has_a_kind_a_direction_and_sliders_that_include_their_default():
    assert set(forensics.cue_names()) == set(forensics.CUES)
    for name, cue in forensics.CUES.items():
        assert cue.kind in forensics.CUE_KINDS and cue.sign in (1.0, -1.0), name
        assert (cue.map is not None) == (cue.kind == "image"), f"{name}: only image cues draw a map"
        for key, p in cue.params.items():
            assert p.low <= p.default <= p.high and p.step > 0, f"{name}.{key}: the slider cannot show its default"


def test_cue_score_is_the_underlying_cue_with_its_orientation():
    img, pts = one_face()
    assert forensics.cue_score("sharpness", img, pts) == pytest.approx(forensics.sharpness_score(img, pts))
    assert forensics.cue_score("error_level", img, pts, quality=70) == pytest.approx(
        forensics.error_level_score(img, pts, quality=70))
    tone = (0.3 * np.sin(2 * np.pi * 200 * np.arange(16_000) / 16_000)).astype(np.float32)
    assert forensics.cue_score("high_band_ratio", tone) == pytest.approx(-forensics.high_band_ratio(tone))


def test_moving_a_parameter_changes_the_cue_map():
    img, pts = one_face()
    for name in forensics.cue_names("image"):
        cue = forensics.CUES[name]
        base = forensics.cue_map(name, img, pts)
        assert base.shape[:2] == img.shape[:2] and np.isfinite(base).all(), name
        for key, p in cue.params.items():
            other = p.low if p.default != p.low else p.high
            moved = forensics.cue_map(name, img, pts, **{key: other})
            assert not np.allclose(base, moved), f"{name}: moving {key} from {p.default} to {other} changed nothing"


def test_auc_is_one_for_separated_scores_and_a_half_for_identical_ones():
    assert forensics.auc([0, 1, 2], [3, 4]) == 1.0
    assert forensics.auc([3, 4], [0, 1, 2]) == 0.0
    assert forensics.auc([1, 1], [1, 1]) == 0.5


@pytest.mark.parametrize("call, words", [
    (lambda: forensics.cue_score("blink", np.zeros((64, 64, 3))), "no cue 'blink'; choose one of"),
    (lambda: forensics.cue_score("error_level", *one_face(), quality=10), "quality must be"),
    (lambda: forensics.cue_score("error_level", *one_face(), sigma=2), "no parameter 'sigma'"),
    (lambda: forensics.cue_score("residual", *one_face(), size=4), "size must be 3 or 5"),
    (lambda: forensics.cue_score("sharpness", one_face()[0], None), "cue_score: landmarks"),
    (lambda: forensics.cue_score("flicker", np.zeros((64, 64, 3))), "reads a clip"),
    (lambda: forensics.cue_map("pitch_jitter", np.zeros((64, 64, 3))), "no image map"),
    (lambda: forensics.cue_names("video"), "kind must be one of"),
    (lambda: forensics.auc([], [1.0]), "at least one real"),
    (lambda: forensics.auc([np.nan], [1.0]), "real_scores"),
])
def test_the_cue_registry_explains_bad_inputs(call, words):
    with pytest.raises(ValueError, match=words):
        call()


# ---- lab 09's grain cues: what a resampled face loses ------------------------------------------------

def test_a_smoothed_face_in_a_grainy_frame_has_lost_the_frames_grain():
    import cv2

    frame, m = noisy_frame(), square_mask()
    fake = paste(frame, cv2.GaussianBlur(frame, (0, 0), 1.0), m)
    assert abs(forensics.grain_score(frame, m)) < 0.2, "one camera's grain is the same inside and out"
    assert forensics.grain_score(fake, m) > 0.3, "a resampled face keeps less of the sensor's grain"


def test_temporal_noise_sees_a_face_steadier_than_the_camera_and_needs_two_frames():
    clip = synth.talking_clip(synth.cast("ada"), seconds=0.4, size=96, seed=3)
    pts = clip.truth["landmarks"]
    real = forensics.temporal_noise_score(clip.frames, pts)
    inside = [forensics.face_regions(p, clip.frames.shape[1:3])[0] for p in pts]
    steady = np.stack([np.where(m[..., None], clip.frames[0], f) for f, m in zip(clip.frames, inside)])
    assert abs(real) < 0.3, f"a real clip's face is as noisy as its frame, got {real}"
    assert forensics.temporal_noise_score(steady, pts) > real + 0.5, "a face frozen in time carries no new noise"
    with pytest.raises(ValueError, match="2 frames"):
        forensics.temporal_noise_score(clip.frames[:1], pts[:1])
