"""course_lib.synth identities and the face renderer: shapes, determinism and ground truth that matches the pixels."""
from dataclasses import fields, replace

import numpy as np
import pytest

from course_lib import synth
from course_lib.synth import FaceState, NEUTRAL
from course_lib.synth.face import STATE_FIELDS

RIGHT_EYE = slice(36, 42)  # image left
LEFT_EYE = slice(42, 48)  # image right


def eye_aspect_ratio(lm: np.ndarray, eye: slice) -> float:
    """Soukupová & Čech's EAR from the six eye landmarks: corner, two upper, corner, two lower."""
    p = lm[eye]
    return float((np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])) / (2 * np.linalg.norm(p[0] - p[3])))


def mask_boundary_distance(mask: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Distance (pixels) from each point to the nearest pixel centre on the edge of ``mask > 0.5``."""
    inside = mask > 0.5
    pad = np.pad(inside, 1)
    interior = pad[:-2, 1:-1] & pad[2:, 1:-1] & pad[1:-1, :-2] & pad[1:-1, 2:]
    ys, xs = np.nonzero(inside & ~interior)
    edge = np.stack([xs + 0.5, ys + 0.5], 1)  # landmarks use pixel centres at +0.5
    return np.sqrt(((pts[:, None, :] - edge[None]) ** 2).sum(-1)).min(1)


def luminance(rgb) -> np.ndarray:
    return np.asarray(rgb) @ np.array([0.2126, 0.7152, 0.0722])


@pytest.fixture(scope="module")
def cast_faces():
    """Every cast member, frontal and neutral, at 128 px."""
    idents = list(synth.CAST.values())
    return idents, synth.render_batch(idents, [NEUTRAL] * len(idents), size=128)


# ------------------------------------------------------------------------------------------ identity


def test_identity_is_deterministic_per_seed():
    assert synth.identity(42) == synth.identity(42), "the same seed must always give the same person"
    assert synth.identity(42) != synth.identity(43), "different seeds should give different people"


def _params(ident):
    d = ident.to_dict()
    voice = d.pop("voice")
    d.pop("name"), d.pop("seed")
    return tuple(sorted(d.items())) + tuple(sorted(voice.items()))


def test_a_thousand_seeds_give_a_thousand_distinct_identities():
    idents = [synth.identity(s) for s in range(1000)]
    assert len({_params(i) for i in idents}) == 1000, "1,000 seeds should give 1,000 distinct parameter sets"
    assert len({i.name for i in idents}) == 1000, "default names should be unique per seed"


def test_random_identities_span_the_world():
    idents = [synth.identity(s) for s in range(1000)]
    tones = np.array([i.skin_tone for i in idents])
    assert tones.min() < 0.05 and tones.max() > 0.95, "skin tones should cover light to deep"
    assert 0.4 < np.mean(tones < 0.5) < 0.6, "light and deep skin should be about equally common"
    assert {i.hair_style for i in idents} == set(synth.HAIR_STYLES), "every hair style should occur"
    f0 = np.array([i.voice.f0 for i in idents])
    assert (f0 < 150).any() and (f0 > 165).any(), "both low and high voices should occur"
    assert any(i.glasses for i in idents) and any(i.beard for i in idents), "glasses and beards should occur"
    for i in idents[:50]:
        assert all(0 <= c <= 1 for c in i.skin + i.lip_color + i.hair_color + i.eye_color), f"{i.name}: colour out of range"


def test_identity_rejects_bad_seeds():
    for bad in (-1, 2.5, "7"):
        with pytest.raises(ValueError, match="non-negative integer"):
            synth.identity(bad)


def test_identity_overrides_and_name():
    ident = synth.identity(9, name="zoe", skin_tone=1.0, hair_style="bun")
    assert ident.name == "zoe" and ident.hair_style == "bun" and ident.skin_tone == 1.0, f"overrides ignored: {ident}"
    assert ident.skin == synth.skin_color(1.0), "overriding skin_tone should recompute the skin colour"


def test_skin_color_runs_from_light_to_deep():
    light, deep = luminance(synth.skin_color(0.0)), luminance(synth.skin_color(1.0))
    assert light > 0.75 and deep < 0.2, f"Monk 1 should be light and Monk 10 deep, got {light:.2f} and {deep:.2f}"
    lum = [luminance(synth.skin_color(t)) for t in np.linspace(0.3, 1, 8)]
    assert np.all(np.diff(lum) < 0), "skin colour should get darker as the tone goes up (past the palest swatches)"
    assert synth.skin_color(-1) == synth.skin_color(0) and synth.skin_color(2) == synth.skin_color(1), "tones clip"


def test_cast_members_exist_and_are_diverse():
    assert sorted(synth.CAST) == ["ada", "ben", "chen", "dara", "eli", "farah", "gus", "hana"]
    tones = [c.skin_tone for c in synth.CAST.values()]
    assert min(tones) < 0.2 and max(tones) > 0.8, f"the cast should span light to deep skin, got {tones}"
    styles = {c.hair_style for c in synth.CAST.values()}
    assert len(styles) >= 5, f"the cast should show several hair styles, got {styles}"
    f0 = [c.voice.f0 for c in synth.CAST.values()]
    assert min(f0) < 120 and max(f0) > 200, "the cast should have low and high voices"
    assert {c.glasses for c in synth.CAST.values()} == {True, False}, "some of the cast wear glasses, some do not"
    for name, c in synth.CAST.items():
        assert c.name == name and c.skin == synth.skin_color(c.skin_tone), f"{name}: skin colour must follow skin_tone"


def test_cast_lookup_is_case_insensitive_and_names_the_choices():
    assert synth.cast("Ada") is synth.CAST["ada"], "cast names should work in any case"
    with pytest.raises(ValueError) as err:
        synth.cast("zoe")
    assert "ada" in str(err.value) and "hana" in str(err.value), f"an unknown name should list the cast: {err.value}"


def test_lip_colour_follows_the_cast_members_skin():
    for name, c in synth.CAST.items():
        expected = np.clip(np.array(c.skin) * [0.80, 0.55, 0.55] + [0.12, 0.02, 0.03], 0, 1)
        assert np.allclose(c.lip_color, expected, atol=1e-6), f"{name}: lips {c.lip_color} do not match skin {c.skin}"


def test_with_overrides_keeps_derived_colours_consistent():
    base = synth.cast("ben")
    ident = synth.with_overrides(base, skin_tone=0.1, hair_color_name="blonde", eye_color_name="green")
    assert ident.skin == synth.skin_color(0.1), "skin should follow a new skin_tone"
    assert ident.hair_color == synth.HAIR_COLORS["blonde"] and ident.eye_color == synth.EYE_COLORS["green"], (
        "hair and eye colour names should set the matching RGB colours"
    )
    assert base.skin_tone == 0.72, "the original identity must not change"


def test_with_overrides_updates_part_of_the_voice():
    ident = synth.with_overrides(synth.cast("ada"), voice={"f0": 120.0})
    assert ident.voice.f0 == 120.0, "a voice dict should change the named voice fields"
    assert ident.voice.formant_scale == synth.cast("ada").voice.formant_scale, "other voice fields stay"


def test_with_overrides_rejects_unknown_fields_and_styles():
    with pytest.raises(ValueError, match=r"unknown identity fields \['eye_colour'\]"):
        synth.with_overrides(synth.cast("ada"), eye_colour="blue")
    with pytest.raises(ValueError) as err:
        synth.with_overrides(synth.cast("ada"), hair_style="mohawk")
    assert "mohawk" in str(err.value) and "curly" in str(err.value), f"should list the styles: {err.value}"


@pytest.mark.parametrize("field_name", ["hair_color_name", "eye_color_name"])
def test_with_overrides_rejects_unknown_colour_names_with_the_choices(field_name):
    with pytest.raises(ValueError) as err:
        synth.with_overrides(synth.cast("ada"), **{field_name: "purple"})
    assert "purple" in str(err.value) and "brown" in str(err.value), f"should name the bad colour and the choices: {err.value}"


def test_with_overrides_rejects_unknown_voice_fields():
    with pytest.raises(ValueError, match="pitch"):
        synth.with_overrides(synth.cast("ada"), voice={"pitch": 3.0})


# ----------------------------------------------------------------------------------- render_batch


@pytest.mark.parametrize("size", [32, 64, 128, 256])
def test_render_batch_shapes_dtypes_and_ranges(size):
    idents = [synth.cast("ada"), synth.cast("dara")]
    out = synth.render_batch(idents, synth.random_states(2, seed=1), size=size)
    assert len(out) == 2, "len(RenderedFaces) is the number of faces"
    assert out.images.shape == (2, size, size, 3) and out.images.dtype == np.float32, f"images {out.images.shape}"
    assert out.landmarks.shape == (2, 68, 2) and out.landmarks.dtype == np.float32, f"landmarks {out.landmarks.shape}"
    assert out.masks.shape == (2, size, size) and out.masks.dtype == np.float32, f"masks {out.masks.shape}"
    assert out.images.min() >= 0 and out.images.max() <= 1, "images must lie in [0, 1]"
    assert out.masks.min() >= 0 and out.masks.max() <= 1, "masks must lie in [0, 1]"
    assert np.isfinite(out.landmarks).all(), "landmarks must be finite"
    assert ((out.landmarks >= 0) & (out.landmarks <= size)).all(), "a near-frontal face's landmarks lie in the image"


def test_render_batch_of_nothing_gives_empty_arrays():
    out = synth.render_batch([], [], size=32)
    assert out.images.shape == (0, 32, 32, 3) and out.landmarks.shape == (0, 68, 2) and out.masks.shape == (0, 32, 32), (
        "rendering no faces should give empty arrays of the usual shapes"
    )


def test_rendering_is_deterministic_for_a_seed_and_noise_follows_the_seed():
    ident = synth.cast("chen")
    st = [replace(NEUTRAL, noise=0.03)] * 2
    a = synth.render_batch([ident] * 2, st, size=32, seed=5)
    b = synth.render_batch([ident] * 2, st, size=32, seed=5)
    assert np.array_equal(a.images, b.images), "the same seed must give exactly the same pixels"
    assert np.array_equal(a.landmarks, b.landmarks) and np.array_equal(a.masks, b.masks), "same seed, same ground truth"
    c = synth.render_batch([ident] * 2, st, size=32, seed=6)
    assert not np.array_equal(a.images, c.images), "a different seed should give different sensor noise"
    assert np.array_equal(a.landmarks, c.landmarks), "landmarks do not depend on the noise seed"
    assert not np.array_equal(a.images[0], a.images[1]), "two frames in a batch get different noise"


def test_without_noise_the_seed_does_not_matter():
    ident = synth.cast("eli")
    a = synth.render(ident, size=32, seed=1)[0]
    b = synth.render(ident, size=32, seed=2)[0]
    assert np.array_equal(a, b), "a noise-free render should not depend on the seed"


def test_a_face_does_not_depend_on_its_batch_neighbours():
    ada, ben = synth.cast("ada"), synth.cast("ben")
    st = synth.random_states(3, seed=2, camera=False)
    batch = synth.render_batch([ben, ada, ben], st, size=32)
    alone = synth.render_batch([ada], st[1:2], size=32)
    assert np.allclose(batch.images[1], alone.images[0], atol=1e-6), "a face's pixels must not depend on the others"
    assert np.allclose(batch.landmarks[1], alone.landmarks[0], atol=1e-5), "nor its landmarks"


def test_chunked_and_threaded_rendering_gives_the_same_faces():
    idents = [synth.identity(s) for s in range(10)]
    st = synth.random_states(10, seed=4, camera=False)
    one = synth.render_batch(idents, st, size=32, chunk=100)
    many = synth.render_batch(idents, st, size=32, chunk=1)
    assert np.allclose(one.images, many.images, atol=1e-6), "chunking is an implementation detail; pixels must agree"
    assert np.allclose(one.masks, many.masks, atol=1e-6), "masks must agree too"


@pytest.mark.parametrize("size", [16, 32, 64, 128])
def test_drawing_small_features_in_windows_gives_the_same_pixels_as_the_whole_image(size, monkeypatch):
    # eyes, brows, nose, mouth, ears and cheeks are drawn on the window that holds them (face._window); their
    # bounds must hold for any state, from tiny to huge faces and extreme expressions
    from course_lib.synth import face
    from course_lib.synth.face import STATE_RANGES

    rng = np.random.default_rng(size)

    def draw(key, lo, hi, width, wide):  # anywhere in the allowed range, or mostly near its middle
        if width == 3:
            return tuple(rng.uniform(lo, hi, 3))
        if key == "jpeg_quality":
            return int(rng.integers(0, 2)) * 60
        return float(rng.uniform(lo, hi) if wide else np.clip(rng.normal((lo + hi) / 2, (hi - lo) / 8), lo, hi))

    states = [FaceState(**{k: draw(k, *r, wide=i % 2) for k, r in STATE_RANGES.items()}) for i in range(24)]
    states += synth.random_states(24, seed=size)
    ids = [synth.identity(i) for i in range(len(states))]
    windowed = synth.render_batch(ids, states, size=size, seed=1)
    monkeypatch.setattr(face, "_window", lambda *args: None)  # draw every layer on the whole image
    whole = synth.render_batch(ids, states, size=size, seed=1)
    for got, want, what in ((windowed.images, whole.images, "images"), (windowed.masks, whole.masks, "masks")):
        worst = float(np.abs(got - want).max())
        assert worst == 0, f"{size}px {what} drawn in windows differ from the whole-image drawing by up to {worst}"


def test_render_matches_render_batch_and_applies_keyword_changes():
    ada = synth.cast("ada")
    img, lm, mask = synth.render(ada, size=32, smile=0.8, yaw=0.2)
    ref = synth.render_batch([ada], [replace(NEUTRAL, smile=0.8, yaw=0.2)], size=32)
    assert np.array_equal(img, ref.images[0]) and np.array_equal(lm, ref.landmarks[0]) and np.array_equal(mask, ref.masks[0]), (
        "render(ident, **changes) should equal render_batch with the changed state"
    )
    assert img.shape == (32, 32, 3) and lm.shape == (68, 2) and mask.shape == (32, 32), "render gives one face, not a batch"


def test_render_refuses_an_unknown_state_field_and_lists_the_fields():
    with pytest.raises(ValueError, match=r"render: unknown state fields \['smiles'\]; choose from \['yaw'"):
        synth.render(synth.cast("ada"), size=32, smiles=1.0)


def test_landmarks_scale_with_image_size():
    ada = synth.cast("ada")
    lm64 = synth.render(ada, size=64, yaw=0.2, roll=0.1, mouth_open=0.5)[1]
    lm128 = synth.render(ada, size=128, yaw=0.2, roll=0.1, mouth_open=0.5)[1]
    assert np.allclose(lm128, 2 * lm64, atol=1e-3), "landmarks are in pixels: doubling the size doubles them"


def test_random_faces_keep_their_landmarks_inside_the_image():
    n = 120
    out = synth.render_batch([synth.identity(s) for s in range(n)], synth.random_states(n, seed=3), size=32)
    assert ((out.landmarks > 0) & (out.landmarks < 32)).all(), "random states should keep the face in the frame"
    assert (out.masks.reshape(n, -1).max(1) > 0.99).all(), "every random face should have a visible face mask"


# --------------------------------------------------------------------------- landmarks vs the pixels


def test_jaw_landmarks_lie_on_the_face_mask_boundary(cast_faces):
    bald = synth.with_overrides(synth.cast("ada"), hair_style="bald")
    _, lm, mask = synth.render(bald, size=128)
    d = mask_boundary_distance(mask, lm[0:17])
    assert d.max() < 1.5, f"jaw points 0-16 should sit on the face outline (within 1.5 px at 128), got {d.round(1)}"
    idents, out = cast_faces
    for ident, lm, mask in zip(idents, out.landmarks, out.masks):
        d = mask_boundary_distance(mask, lm[2:15])  # hair can cover the top of the jaw line, not the chin
        assert d.max() < 1.5, f"{ident.name}: jaw points 2-14 should sit on the mask edge, got {d.round(1)}"


def test_eye_nose_mouth_and_uncovered_brow_landmarks_are_inside_the_face_mask(cast_faces):
    idents, out = cast_faces
    for ident, lm, mask in zip(idents, out.landmarks, out.masks):
        inner = lm[27:68]
        vals = mask[inner[:, 1].astype(int), inner[:, 0].astype(int)]
        assert vals.min() > 0.9, f"{ident.name}: eyes, nose and lips must lie inside the face mask"
        if ident.hair_style != "fringe":  # a fringe hides the brows, and the mask leaves out hair
            brows = lm[17:27]
            vals = mask[brows[:, 1].astype(int), brows[:, 0].astype(int)]
            assert vals.min() > 0.5, f"{ident.name}: without a fringe the brows lie inside the face mask"


def test_frontal_face_features_are_in_anatomical_order():
    _, lm, _ = synth.render(synth.cast("farah"), size=64)
    brows, eyes = lm[17:27, 1].mean(), lm[36:48, 1].mean()
    nose_tip, mouth, chin = lm[30, 1], lm[48:68, 1].mean(), lm[8, 1]
    assert brows < eyes < nose_tip < mouth < chin, (
        f"top to bottom should be brows < eyes < nose tip < mouth < chin, got "
        f"{brows:.1f} {eyes:.1f} {nose_tip:.1f} {mouth:.1f} {chin:.1f}"
    )
    assert lm[39, 0] < lm[30, 0] < lm[42, 0], "the nose tip lies between the inner eye corners"
    assert lm[36:42, 0].mean() < 32 < lm[42:48, 0].mean(), "landmarks 36-41 are the image-left eye"
    assert lm[0, 0] < lm[8, 0] < lm[16, 0], "the jaw runs from image left over the chin to image right"
    assert lm[48, 0] < lm[51, 0] < lm[54, 0] and lm[51, 1] < lm[57, 1], "outer lip: corners 48/54, top 51, bottom 57"


def test_frontal_face_is_mirror_symmetric():
    _, lm, _ = synth.render(synth.cast("gus"), size=64)
    mirror = {0: 16, 1: 15, 17: 26, 36: 45, 39: 42, 31: 35, 48: 54, 60: 64}
    for a, b in mirror.items():
        assert np.isclose(lm[a, 0] + lm[b, 0], 64, atol=1e-3) and np.isclose(lm[a, 1], lm[b, 1], atol=1e-3), (
            f"landmarks {a} and {b} should mirror each other in a frontal face"
        )


def test_eye_aspect_ratio_drops_when_the_eyes_close():
    ada = synth.cast("ada")
    ears = [eye_aspect_ratio(synth.render(ada, size=64, eye_open=o)[1], RIGHT_EYE) for o in (1.0, 0.5, 0.0)]
    assert ears[0] > 0.25, f"an open eye should have an EAR well above blink level, got {ears[0]:.2f}"
    assert ears[0] > ears[1] > ears[2], f"EAR should fall as eye_open goes 1 → 0.5 → 0, got {np.round(ears, 3)}"
    assert ears[2] < 0.05, f"a closed eye should have an EAR near 0, got {ears[2]:.3f}"
    lm = synth.render(ada, size=64, eye_open=0.0)[1]
    assert eye_aspect_ratio(lm, LEFT_EYE) < 0.05, "both eyes close in a blink"


def test_inner_lip_gap_grows_with_mouth_open():
    ben = synth.cast("ben")
    gaps, chins = [], []
    for m in (0.0, 0.3, 0.6, 1.0):
        lm = synth.render(ben, size=64, mouth_open=m)[1]
        gaps.append(lm[66, 1] - lm[62, 1])
        chins.append(lm[8, 1])
    assert abs(gaps[0]) < 1e-3, f"closed lips should touch (inner-lip gap 0), got {gaps[0]:.3f}"
    assert np.all(np.diff(gaps) > 0), f"the inner-lip gap (66 - 62) should grow with mouth_open, got {np.round(gaps, 2)}"
    assert gaps[-1] > 2, f"a wide-open mouth should open by a few pixels at 64 px, got {gaps[-1]:.2f}"
    assert np.all(np.diff(chins) > 0), "the chin should drop as the mouth opens"


def test_open_mouth_landmarks_enclose_the_dark_inside_of_the_mouth():
    for size in (64, 128, 256):
        img, lm, _ = synth.render(synth.cast("gus"), size=size, mouth_open=1.0)
        x, y = ((lm[62] + lm[66]) / 2).astype(int)
        px = img[y, x]
        assert luminance(px) < 0.25 and px[0] > px[1], f"{size}px: between lips 62 and 66 should be the dark mouth, got {px}"


def test_yaw_moves_the_nose_tip_sideways_relative_to_the_jaw():
    ada = synth.cast("ada")
    offs = []
    for yaw in (-0.4, 0.0, 0.4):
        lm = synth.render(ada, size=64, yaw=yaw)[1]
        offs.append(lm[30, 0] - lm[0:17, 0].mean())
    assert abs(offs[1]) < 0.1, f"a frontal nose tip sits over the jaw centre, got offset {offs[1]:.2f}"
    assert offs[2] > 2 and offs[0] < -2, f"+yaw turns the nose to image right, -yaw to the left; got {np.round(offs, 2)}"


def test_roll_tilts_the_eye_line_clockwise():
    lm = synth.render(synth.cast("ada"), size=64, roll=0.2)[1]
    assert lm[45, 1] > lm[36, 1] + 2, "positive roll tilts the head clockwise: the image-right eye goes down"


def test_smile_raises_the_mouth_corners_and_brow_raise_lifts_the_brows():
    ada = synth.cast("ada")
    lm0 = synth.render(ada, size=64)[1]
    smile = synth.render(ada, size=64, smile=1.0)[1]
    corner = lambda lm: lm[[48, 54], 1].mean() - lm[[51, 57], 1].mean()  # noqa: E731
    assert corner(smile) < corner(lm0) - 0.5, "a smile should lift the mouth corners"
    assert smile[54, 0] - smile[48, 0] > lm0[54, 0] - lm0[48, 0], "a smile should widen the mouth"
    raised = synth.render(ada, size=64, brow_raise=1.0)[1]
    assert raised[17:27, 1].mean() < lm0[17:27, 1].mean() - 0.5, "brow_raise should move the brows up"


def test_camera_shift_and_scale_move_the_landmarks():
    ada = synth.cast("ada")
    lm0 = synth.render(ada, size=64)[1]
    shifted = synth.render(ada, size=64, tx=0.1, ty=-0.05)[1]
    assert np.allclose(shifted - lm0, [6.4, -3.2], atol=1e-3), "tx/ty shift the face by a share of the image size"
    big = synth.render(ada, size=64, scale=1.2)[1]
    iod = lambda lm: np.linalg.norm(lm[36:42].mean(0) - lm[42:48].mean(0))  # noqa: E731
    assert np.isclose(iod(big), 1.2 * iod(lm0), rtol=1e-3), "scale multiplies the face size"


def test_face_mask_centroid_is_near_the_landmarks_centroid(cast_faces):
    idents, out = cast_faces
    ys, xs = np.mgrid[0:128, 0:128] + 0.5
    for ident, lm, mask in zip(idents, out.landmarks, out.masks):
        c = np.array([(xs * mask).sum(), (ys * mask).sum()]) / mask.sum()
        d = c - lm.mean(0)
        assert abs(d[0]) < 0.03 * 128 and abs(d[1]) < 0.12 * 128, (
            f"{ident.name}: the face mask ({c.round(1)}) should be centred on the landmarks ({lm.mean(0).round(1)})"
        )


def test_face_mask_covers_the_face_only(cast_faces):
    idents, out = cast_faces
    for ident, lm, mask in zip(idents, out.landmarks, out.masks):
        share = mask.mean()
        assert 0.08 < share < 0.4, f"{ident.name}: the face should cover a plausible share of the image, got {share:.2f}"
        assert mask[:4, :4].max() == 0 and mask[-4:, :4].max() == 0, f"{ident.name}: the corners are background"
        x, y = lm[30].astype(int)
        assert mask[y, x] == 1, f"{ident.name}: the nose tip is fully inside the face mask"


def test_pixels_inside_the_mask_are_the_identitys_skin_colour(cast_faces):
    idents, out = cast_faces
    for ident, img, mask in zip(idents, out.images, out.masks):
        avg = img[mask > 0.95].mean(0)
        skin = np.array(ident.skin)
        chroma = np.abs(avg / avg.sum() - skin / skin.sum()).max()
        assert chroma < 0.04, f"{ident.name}: the face's hue should be its skin's, got {avg.round(2)} vs {skin.round(2)}"
        ratio = luminance(avg) / luminance(skin)
        assert 0.6 < ratio < 1.1, f"{ident.name}: the lit face should be about as bright as its skin, ratio {ratio:.2f}"


def test_deeper_skin_tones_render_darker(cast_faces):
    idents, out = cast_faces
    lum = {i.name: luminance(img[m > 0.95].mean(0)) for i, img, m in zip(idents, out.images, out.masks)}
    for a in idents:
        for b in idents:
            if b.skin_tone - a.skin_tone >= 0.25:
                assert lum[b.name] < lum[a.name], f"{b.name} (tone {b.skin_tone}) should render darker than {a.name}"


def test_jpeg_and_exposure_change_pixels_not_ground_truth():
    ada = synth.cast("ada")
    img, lm, mask = synth.render(ada, size=64)
    jimg, jlm, jmask = synth.render(ada, size=64, jpeg_quality=30)
    err = np.abs(jimg - img).mean()
    assert 0 < err < 0.05, f"JPEG at quality 30 should change the pixels a little, mean change {err:.3f}"
    assert np.array_equal(lm, jlm) and np.array_equal(mask, jmask), "JPEG must not move the ground truth"
    dim = synth.render(ada, size=64, exposure=0.7)[0]
    assert dim.mean() < img.mean() - 0.05, "lower exposure should darken the image"


def test_noise_has_the_requested_standard_deviation():
    ada = synth.cast("ada")
    clean = synth.render(ada, size=64)[0]
    noisy = synth.render(ada, size=64, noise=0.05, seed=3)[0]
    mid = (clean > 0.2) & (clean < 0.8)  # away from clipping
    sd = (noisy - clean)[mid].std()
    assert 0.04 < sd < 0.06, f"noise=0.05 should add sensor noise of standard deviation 0.05, got {sd:.3f}"


# ------------------------------------------------------------------------------------ input checks


def test_render_batch_rejects_mismatched_lengths():
    with pytest.raises(ValueError) as err:
        synth.render_batch([synth.cast("ada")] * 2, [NEUTRAL], size=32)
    assert "2 identities but 1 states" in str(err.value) and "one each" in str(err.value), str(err.value)


def test_render_batch_rejects_wrong_types_with_the_fix():
    with pytest.raises(ValueError, match=r"synth\.identity\(seed\)"):
        synth.render_batch([3], [NEUTRAL], size=32)
    with pytest.raises(ValueError, match="FaceState"):
        synth.render_batch([synth.cast("ada")], [{"yaw": 0.1}], size=32)


@pytest.mark.parametrize("size", [8, 15, 257, 1024, 64.0, "64"])
def test_render_batch_rejects_sizes_out_of_range(size):
    with pytest.raises(ValueError, match="size must be an integer from 16 to 256"):
        synth.render_batch([synth.cast("ada")], [NEUTRAL], size=size)


def test_render_batch_accepts_numpy_integer_sizes_and_edge_sizes():
    for size in (np.int64(16), 256):
        assert synth.render_batch([synth.cast("ada")], [NEUTRAL], size=size).images.shape[1] == size, f"size {size!r}"


def test_render_rejects_unknown_state_fields_and_lists_the_real_ones():
    with pytest.raises(ValueError) as err:
        synth.render(synth.cast("ada"), size=32, mouth=0.5)
    msg = str(err.value)
    assert "['mouth']" in msg and "mouth_open" in msg, f"a misspelt state field should be named with the choices: {msg}"


def test_render_rejects_negative_seed():
    with pytest.raises(ValueError, match="non-negative integer"):
        synth.render(synth.cast("ada"), size=32, seed=-1)


# ----------------------------------------------------------------------------------- random states


def test_random_states_are_reproducible_and_seeded():
    a, b = synth.random_states(20, seed=4), synth.random_states(20, seed=4)
    assert a == b, "the same seed must give the same states"
    assert a != synth.random_states(20, seed=5), "different seeds should give different states"
    assert len(a) == 20 and all(isinstance(s, FaceState) for s in a), "random_states(n) gives n FaceStates"


def test_random_states_stay_in_sensible_ranges():
    st = synth.random_states(500, seed=0)
    eye = np.array([s.eye_open for s in st])
    assert eye.min() >= 0 and eye.max() <= 1.1 and (eye < 0.3).mean() > 0.03, "a few random states are mid-blink"
    for name in ("mouth_open",):
        v = np.array([getattr(s, name) for s in st])
        assert v.min() >= 0 and v.max() <= 1, f"{name} should stay in [0, 1]"
    smile = np.array([s.smile for s in st])
    assert smile.min() >= -1 and smile.max() <= 1, "smile should stay in [-1, 1]"
    bg = np.array([s.background for s in st])
    assert bg.min() >= 0 and bg.max() <= 1, "backgrounds are colours in [0, 1]"
    assert all(s.jpeg_quality == 0 for s in st), "random states do not JPEG-compress"


def test_random_states_pose_expression_and_camera_switches():
    still = synth.random_states(30, seed=1, pose=0.0, expression=0.0, camera=False)
    for s in still:
        assert s.yaw == 0 and s.pitch == 0 and s.roll == 0, "pose=0 should give frontal faces"
        assert s.mouth_open == 0 and s.smile == 0 and s.brow_raise == 0, "expression=0 should give neutral faces"
        assert s.tx == 0 and s.ty == 0 and s.scale == 1 and s.noise == 0, "camera=False should fix the framing"


def test_face_state_fields_are_all_known_to_render():
    assert set(STATE_FIELDS) == {f.name for f in fields(FaceState)}, "render(**changes) must accept every FaceState field"
    assert NEUTRAL.to_dict()["eye_open"] == 1.0 and NEUTRAL.to_dict()["yaw"] == 0.0, "NEUTRAL is frontal with open eyes"
