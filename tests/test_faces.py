"""Lab 02's face toolkit: alignment, Delaunay warping, masks, colour transfer, blending, the classical swap."""
import json

import numpy as np
import pytest

from course_lib import faces, forensics, synth, widgets


def similarity(angle, scale, shift):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[scale * c, -scale * s, shift[0]], [scale * s, scale * c, shift[1]]])


@pytest.fixture(scope="module")
def pair():
    """A source and a target face of two different people, in different poses and light, at 128×128."""
    src_img, src_pts, _ = synth.render(synth.cast("ada"), size=128, light_azimuth=0.6)
    tgt_img, tgt_pts, tgt_mask = synth.render(synth.cast("dara"), size=128, yaw=0.15, smile=0.4,
                                              light_azimuth=-0.6, background=(0.62, 0.7, 0.55))
    return src_img, src_pts, tgt_img, tgt_pts


# ---- Umeyama and alignment --------------------------------------------------------------------------

def test_umeyama_recovers_a_known_similarity_exactly():
    rng = np.random.default_rng(0)
    src = rng.uniform(0, 100, (68, 2))
    M_true = similarity(0.4, 1.7, (12.0, -30.0))
    dst = src @ M_true[:, :2].T + M_true[:, 2]
    M = faces.umeyama(src, dst)
    assert M.shape == (2, 3)
    assert np.allclose(M, M_true, atol=1e-8), f"umeyama should return the true transform\n{M_true}\nbut gave\n{M}"


def test_umeyama_with_noise_stays_close_to_the_truth():
    rng = np.random.default_rng(1)
    src = rng.uniform(0, 100, (68, 2))
    M_true = similarity(-0.9, 0.6, (40.0, 5.0))
    dst = src @ M_true[:, :2].T + M_true[:, 2] + rng.normal(0, 0.5, (68, 2))
    M = faces.umeyama(src, dst)
    assert np.allclose(M[:, :2], M_true[:, :2], atol=0.01)
    assert np.allclose(M[:, 2], M_true[:, 2], atol=1.0)


def test_umeyama_never_returns_a_reflection():
    rng = np.random.default_rng(2)
    src = rng.uniform(0, 100, (20, 2))
    mirrored = src * [-1, 1]
    M = faces.umeyama(src, mirrored)
    assert np.linalg.det(M[:, :2]) > 0, "a similarity transform must keep orientation (no mirror image)"


def test_umeyama_without_scale_is_rigid():
    rng = np.random.default_rng(3)
    src = rng.uniform(0, 100, (10, 2))
    dst = src @ similarity(0.3, 2.0, (0, 0))[:, :2].T
    M = faces.umeyama(src, dst, scale=False)
    assert np.isclose(abs(np.linalg.det(M[:, :2])), 1.0)


@pytest.mark.parametrize("src, dst, words", [
    (np.zeros((68, 2)) + np.arange(68)[:, None], np.zeros((60, 2)), "same number of points"),
    (np.ones((5, 2)), np.ones((5, 2)), "same point"),
    (np.ones((2, 68)), np.ones((2, 68)), "pts.T"),
])
def test_umeyama_rejects_bad_point_sets_with_a_helpful_message(src, dst, words):
    with pytest.raises(ValueError, match=words):
        faces.umeyama(src, dst)


def test_align_puts_landmarks_near_the_template():
    people = [synth.identity(s) for s in range(6)]
    batch = synth.render_batch(people, synth.random_states(6, seed=5, pose=0.8), size=128)
    tpl = faces.template(96)
    for img, pts in zip(batch.images, batch.landmarks):
        aligned = faces.align(img, pts, size=96)
        assert aligned.image.shape == (96, 96, 3) and aligned.image.dtype == np.float32
        before = np.linalg.norm(pts[faces.INNER] * 96 / 128 - tpl[faces.INNER], axis=1).mean()
        after = np.linalg.norm(aligned.landmarks[faces.INNER] - tpl[faces.INNER], axis=1).mean()
        assert after < 4.0, f"aligned landmarks should sit within a few pixels of the template, mean {after:.1f} px"
        assert after <= before + 1e-3


def test_align_moves_image_content_with_the_landmarks():
    """A bright dot drawn at a landmark must land where align says that landmark went."""
    img, pts, _ = synth.render(synth.cast("eli"), size=128, roll=0.3, scale=0.8, tx=0.05)
    marked = img.copy()
    x, y = pts[30]
    marked[int(y) - 1:int(y) + 2, int(x) - 1:int(x) + 2] = (0, 1, 0)
    out = faces.align(marked, pts, size=128)
    green = (out.image[..., 1] - out.image[..., [0, 2]].max(-1))
    yy, xx = np.unravel_index(np.argmax(green), green.shape)
    assert np.hypot(xx + 0.5 - out.landmarks[30, 0], yy + 0.5 - out.landmarks[30, 1]) < 1.6


def test_template_is_a_frontal_face_that_scales_with_size():
    t = faces.template(128)
    assert t.shape == (68, 2)
    assert np.allclose(faces.template(256), 2 * t, atol=1e-4)
    assert abs(t[8, 0] - 64) < 0.5, "the chin of the mean frontal face should be centred"
    with pytest.raises(ValueError, match="size"):
        faces.template(4)


# ---- Delaunay and piecewise-affine warping ----------------------------------------------------------

def coordinate_image(h, w):
    """An image whose red and green channels encode each pixel's own x and y (its centre, divided by 256)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32) + 0.5
    return np.dstack([xx / 256, yy / 256, np.full_like(xx, 0.5)])


def test_triangulate_covers_the_landmarks_with_valid_triangles():
    pts = faces.template(128)
    tris = faces.triangulate(pts)
    assert tris.ndim == 2 and tris.shape[1] == 3 and tris.min() >= 0 and tris.max() < 68
    assert len(tris) > 90  # 68 points give about 2n - 2 - hull triangles
    with pytest.raises(ValueError, match="area"):
        faces.triangulate(np.c_[np.arange(5.0), np.arange(5.0)])


def test_warp_triangles_sends_every_pixel_where_its_triangle_goes():
    """Warp a coordinate-encoding image: each output pixel must read the source position the affine map gives."""
    src_img = coordinate_image(200, 200)
    _, src, _ = synth.render(synth.cast("ada"), size=200)
    _, dst, _ = synth.render(synth.cast("ben"), size=200, yaw=0.25, mouth_open=0.7, roll=0.1)
    tris = faces.triangulate(dst)
    out, coverage = faces.warp_triangles(src_img, src, dst, tris)
    # landmarks: the output at each target landmark holds the source landmark's coordinates
    for i in (8, 30, 36, 45, 48, 54):
        x, y = dst[i]
        c = out[int(y), int(x)]
        if coverage[int(y), int(x)]:
            assert np.hypot(c[0] * 256 - src[i, 0], c[1] * 256 - src[i, 1]) < 2.0, f"landmark {i} went astray"
    # every covered pixel: the barycentric coordinates in dst equal those in src
    ys, xs = np.nonzero(coverage > 0)
    sample = np.random.default_rng(0).choice(len(ys), 400, replace=False)
    from scipy.spatial import Delaunay

    d = Delaunay(dst.astype(np.float64))
    for j in sample:
        p = np.array([xs[j] + 0.5, ys[j] + 0.5])
        k = d.find_simplex(p)
        if k < 0:
            continue
        bary = d.transform[k, :2] @ (p - d.transform[k, 2])
        bary = np.r_[bary, 1 - bary.sum()]
        expected = bary @ src[d.simplices[k]]
        got = out[ys[j], xs[j], :2] * 256
        assert np.allclose(got, expected, atol=0.6), f"pixel {p} should come from {expected}, got {got}"


def test_warp_triangles_leaves_uncovered_pixels_black_and_uncovered():
    img = coordinate_image(64, 64)
    src = np.array([[10, 10], [50, 12], [30, 50]], np.float32)
    out, coverage = faces.warp_triangles(img, src, src + 3, [[0, 1, 2]])
    assert set(np.unique(coverage)) <= {0.0, 1.0}
    assert np.all(out[coverage == 0] == 0)
    assert 0.25 * 40 * 40 < coverage.sum() < 0.6 * 40 * 40


def test_border_points_let_a_warp_cover_the_whole_image():
    img, pts, _ = synth.render(synth.cast("chen"), size=96)
    _, dst, _ = synth.render(synth.cast("chen"), size=96, smile=1.0)
    corners = faces.border_points(img.shape)
    src_all, dst_all = np.vstack([pts, corners]), np.vstack([dst, corners])
    out, coverage = faces.warp_triangles(img, src_all, dst_all)
    assert coverage.mean() > 0.97


# ---- masks ------------------------------------------------------------------------------------------

def test_hull_mask_is_binary_and_covers_the_face_region():
    img, pts, face = synth.render(synth.cast("farah"), size=128)
    m = faces.hull_mask(pts, img.shape)
    assert m.dtype == np.float32 and m.shape == (128, 128) and set(np.unique(m)) <= {0.0, 1.0}
    x0, y0 = pts.min(0)
    x1, y1 = pts.max(0)
    assert 0.6 * (x1 - x0) * (y1 - y0) < m.sum() < (x1 - x0 + 2) * (y1 - y0 + 2)
    assert (m * face).sum() / m.sum() > 0.9, "the landmark hull should lie on the face"


def test_erosion_shrinks_the_mask_by_about_the_asked_width():
    m = np.zeros((100, 100), np.float32)
    m[20:80, 30:70] = 1
    e = faces.erode_mask(m, 5)
    assert e.sum() == pytest.approx(50 * 30, rel=0.02), "a 60×40 box eroded by 5 px is a 50×30 box"
    assert np.array_equal(faces.erode_mask(m, 0), m)


def test_feathered_mask_stays_in_range_keeps_its_mass_and_softens_the_edge():
    m = np.zeros((100, 100), np.float32)
    m[20:80, 30:70] = 1
    f = faces.feather_mask(m, erosion=4, blur=3)
    assert f.dtype == np.float32 and 0 <= f.min() and f.max() <= 1
    assert f.sum() == pytest.approx(faces.erode_mask(m, 4).sum(), rel=0.03), "blurring moves mass, it does not add it"
    assert ((f > 0.02) & (f < 0.98)).sum() > 4 * 40, "a feathered edge has in-between values"
    assert f[50, 50] == pytest.approx(1.0, abs=1e-3)
    assert f[21, 31] < 0.05, "eroding first keeps the feathered edge inside the original mask"


@pytest.mark.parametrize("kwargs, words", [
    (dict(erosion=-1), "erosion"),
    (dict(blur="3"), "blur"),
])
def test_feather_mask_rejects_nonsense_widths(kwargs, words):
    with pytest.raises(ValueError, match=words):
        faces.feather_mask(np.ones((10, 10)), **kwargs)


# ---- colour transfer and blending -------------------------------------------------------------------

def test_reinhard_transfer_matches_the_target_lab_mean_and_spread():
    from skimage import color

    src = synth.render(synth.cast("ada"), size=96)[0]
    tgt = synth.render(synth.cast("dara"), size=96, light_azimuth=-0.8)[0]
    out = faces.reinhard_transfer(src, tgt)
    assert out.shape == src.shape and out.dtype == np.float32 and 0 <= out.min() and out.max() <= 1
    lab_out, lab_tgt = color.rgb2lab(out).reshape(-1, 3), color.rgb2lab(tgt).reshape(-1, 3)
    assert np.allclose(lab_out.mean(0), lab_tgt.mean(0), atol=1.5), "the Lab means should match the target's"
    assert np.allclose(lab_out.std(0), lab_tgt.std(0), rtol=0.1, atol=1.0), "the Lab spreads should match"


def test_reinhard_transfer_with_masks_matches_the_masked_statistics():
    from skimage import color

    src_img, _, src_mask = synth.render(synth.cast("gus"), size=96)
    tgt_img, _, tgt_mask = synth.render(synth.cast("ben"), size=96)
    out = faces.reinhard_transfer(src_img, tgt_img, src_mask, tgt_mask)
    got = color.rgb2lab(out)[src_mask > 0.5].mean(0)
    want = color.rgb2lab(tgt_img)[tgt_mask > 0.5].mean(0)
    assert np.allclose(got, want, atol=2.0)


def test_alpha_blend_mixes_by_the_mask():
    a, b = np.ones((16, 16, 3), np.float32), np.zeros((16, 16, 3), np.float32)
    m = np.full((16, 16), 0.25, np.float32)
    assert np.allclose(faces.alpha_blend(a, b, m), 0.25)
    with pytest.raises(ValueError, match="same shape"):
        faces.alpha_blend(a, np.zeros((8, 8, 3)), m)


def test_poisson_blend_of_an_image_into_itself_changes_nothing(pair):
    _, _, tgt_img, tgt_pts = pair
    mask = faces.erode_mask(faces.hull_mask(tgt_pts, tgt_img.shape), 3)
    out = faces.poisson_blend(tgt_img, tgt_img, mask)
    assert out.shape == tgt_img.shape and out.dtype == np.float32
    assert np.abs(out - tgt_img).max() < 3 / 255, "cloning an image into itself should be a no-op (no shift)"


def test_poisson_blend_pulls_colours_towards_the_background_at_the_edge():
    bg = np.full((80, 80, 3), 0.2, np.float32)
    fg = np.full((80, 80, 3), 0.9, np.float32)
    mask = np.zeros((80, 80), np.float32)
    mask[20:60, 20:60] = 1
    out = faces.poisson_blend(fg, bg, mask)
    assert np.abs(out - bg).max() < 3 / 255, "a flat foreground has no gradients, so nothing of it should show"


def test_poisson_blend_works_when_the_mask_touches_the_border():
    bg = synth.render(synth.cast("hana"), size=64)[0]
    fg = bg[:, ::-1].copy()
    mask = np.ones((64, 64), np.float32)
    mask[:, 40:] = 0
    out = faces.poisson_blend(fg, bg, mask)
    assert out.shape == bg.shape and np.isfinite(out).all()


# ---- the classical swap -----------------------------------------------------------------------------

@pytest.mark.parametrize("blend", faces.BLENDS)
def test_classical_swap_returns_an_image_and_its_mask(pair, blend):
    src_img, src_pts, tgt_img, tgt_pts = pair
    out, mask = faces.classical_swap(src_img, src_pts, tgt_img, tgt_pts, blend=blend)
    assert out.shape == tgt_img.shape and out.dtype == np.float32 and 0 <= out.min() and out.max() <= 1
    assert mask.shape == tgt_img.shape[:2] and 0 <= mask.min() and mask.max() <= 1
    outside = faces.hull_mask(tgt_pts, tgt_img.shape) == 0
    assert np.abs(out - tgt_img)[outside].max() < 0.02, "pixels away from the face must stay as they were"
    # Poisson blending keeps the target's colours by design, so only the source's details differ there
    assert np.abs(out - tgt_img)[mask > 0.99].mean() > 0.02, "the face must actually change"


def synthetic_pairs(n=8, size=96):
    people = [synth.identity(1000 + s) for s in range(2 * n)]
    batch = synth.render_batch(people, synth.random_states(2 * n, seed=11, pose=0.6), size=size)
    return [(batch.images[2 * i], batch.landmarks[2 * i], batch.images[2 * i + 1], batch.landmarks[2 * i + 1])
            for i in range(n)]


def test_colour_transfer_lowers_the_colour_mismatch():
    raw, matched = [], []
    for s_img, s_pts, t_img, t_pts in synthetic_pairs():
        a = faces.classical_swap(s_img, s_pts, t_img, t_pts, colour_transfer=False)
        b = faces.classical_swap(s_img, s_pts, t_img, t_pts, colour_transfer=True)
        raw.append(forensics.colour_mismatch(a.image, a.mask))
        matched.append(forensics.colour_mismatch(b.image, b.mask))
    assert np.median(matched) < 0.7 * np.median(raw), (
        f"Reinhard colour transfer should cut the colour step at the boundary: ΔE {np.median(raw):.1f} "
        f"without, {np.median(matched):.1f} with")


def test_feathering_and_poisson_lower_the_seam_score_against_a_hard_paste():
    hard, feathered, poisson = [], [], []
    for s_img, s_pts, t_img, t_pts in synthetic_pairs():
        e = faces.default_erosion(t_pts)
        h = faces.classical_swap(s_img, s_pts, t_img, t_pts, colour_transfer=False, erosion=e, feather=0)
        f = faces.classical_swap(s_img, s_pts, t_img, t_pts, colour_transfer=False, erosion=e)
        p = faces.classical_swap(s_img, s_pts, t_img, t_pts, blend="poisson", colour_transfer=False, erosion=e)
        hard.append(forensics.seam_score(h.image, t_img, h.mask))
        feathered.append(forensics.seam_score(f.image, t_img, h.mask))
        poisson.append(forensics.seam_score(p.image, t_img, h.mask))
    assert np.median(feathered) < np.median(hard), (
        f"feathering: {np.median(feathered):.2f} vs hard {np.median(hard):.2f}")
    assert np.median(poisson) < np.median(hard), f"Poisson: {np.median(poisson):.2f} vs hard {np.median(hard):.2f}"
    assert np.median(poisson) < 1.3, "Poisson blending should leave almost no seam"


@pytest.mark.parametrize("kwargs, words", [
    (dict(blend="multiply"), "blend must be one of"),
    (dict(erosion=-2), "erosion"),
    (dict(feather=float("nan")), "feather"),
])
def test_classical_swap_rejects_bad_options(pair, kwargs, words):
    src_img, src_pts, tgt_img, tgt_pts = pair
    with pytest.raises(ValueError, match=words):
        faces.classical_swap(src_img, src_pts, tgt_img, tgt_pts, **kwargs)


def test_classical_swap_explains_wrong_inputs(pair):
    src_img, src_pts, tgt_img, tgt_pts = pair
    with pytest.raises(ValueError, match="divide by 255"):
        faces.classical_swap(src_img * 255, src_pts, tgt_img, tgt_pts)
    with pytest.raises(ValueError, match="68 points"):
        faces.classical_swap(src_img, src_pts[:60], tgt_img, tgt_pts)
    with pytest.raises(ValueError, match="channels first|transpose"):
        faces.classical_swap(src_img.transpose(2, 0, 1), src_pts, tgt_img, tgt_pts)
    with pytest.raises(ValueError, match="cover almost no pixels"):
        faces.classical_swap(src_img, src_pts, tgt_img, tgt_pts + 1000)


# ---- the real photo ---------------------------------------------------------------------------------

def test_astronaut_landmarks_load_with_68_points_on_her_face():
    img, pts = faces.astronaut()
    assert img.shape == (512, 512, 3) and img.dtype == np.float32
    assert pts.shape == (68, 2) and pts.dtype == np.float32
    assert (pts >= 0).all() and (pts < 512).all()
    (x, y, w, h), = faces.detect_faces(img, min_size=60, max_size=300)
    inner = pts[faces.INNER]
    assert ((inner[:, 0] > x) & (inner[:, 0] < x + w) & (inner[:, 1] > y) & (inner[:, 1] < y + h + 15)).mean() > 0.95
    # the layout is the iBUG one: right eye left of left eye, brows above eyes, mouth below nose
    assert pts[36:42, 0].mean() < pts[42:48, 0].mean()
    assert pts[17:27, 1].mean() < pts[36:48, 1].mean() < pts[30, 1] < pts[48:68, 1].mean() < pts[8, 1]


def test_astronaut_landmark_file_documents_how_it_was_made():
    from course_lib.faces import _landmarks_file

    record = json.loads(_landmarks_file().read_text())
    for key in ("how_made", "coordinates", "licence", "layout"):
        assert record.get(key), f"datasets/astronaut_landmarks.json should say {key}"


def test_a_synthetic_face_pasted_onto_the_photo_lands_on_her_face():
    img, pts = faces.astronaut()
    src_img, src_pts, _ = synth.render(synth.cast("gus"), size=256)
    out, mask = faces.classical_swap(src_img, src_pts, img, pts, blend="poisson")
    assert out.shape == img.shape
    changed = np.abs(out - img).max(-1) > 0.05
    ys, xs = np.nonzero(changed)
    assert 170 < xs.mean() < 275 and 85 < ys.mean() < 180


# ---- the blend explorer -----------------------------------------------------------------------------

def test_blend_view_returns_png_bytes_and_both_scores(pair):
    src_img, src_pts, tgt_img, tgt_pts = pair
    view = widgets.blend_view((src_img, src_pts), (tgt_img, tgt_pts), erosion=4, feather=3, colour_transfer=True,
                              blend="alpha", scale=1)
    assert view["png"][:8] == b"\x89PNG\r\n\x1a\n" and view["mask_png"][:4] == b"\x89PNG"
    assert np.isfinite(view["seam"]) and np.isfinite(view["colour"])
    hard = widgets.blend_view((src_img, src_pts), (tgt_img, tgt_pts), erosion=4, feather=0, colour_transfer=False,
                              blend="alpha", scale=1)
    assert hard["seam"] > view["seam"] and hard["colour"] > view["colour"]


def test_blend_explorer_updates_the_image_and_scores_when_a_control_changes():
    box = widgets.blend_explorer(size=96, scale=1)
    first_png, first_scores = box.image.value, box.scores.value
    assert first_png[:4] == b"\x89PNG" and "seam score" in first_scores
    box.controls["blend"].value = "poisson"
    assert box.image.value != first_png and box.scores.value != first_scores
    box.controls["colour_transfer"].value = False
    box.controls["erosion"].value = 0.0
    box.controls["feather"].value = 0.0
    assert box.last["seam"] > 0 and box.last["colour"] > 0
