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
