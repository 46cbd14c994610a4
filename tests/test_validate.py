"""course_lib.validate: the course's data conventions, with errors that say how to fix the input (lab 00)."""
import numpy as np
import pytest
import torch

from course_lib import validate as V


def rand_image(h=16, w=16, seed=0):
    return np.random.default_rng(seed).random((h, w, 3), dtype=np.float32)


def error_of(fn, *args, **kwargs) -> str:
    with pytest.raises(ValueError) as err:
        fn(*args, **kwargs)
    return str(err.value)


def test_conventions_are_the_course_constants():
    assert (V.SAMPLE_RATE, V.FPS, V.N_LANDMARKS) == (16_000, 25, 68), "the course works at 16 kHz, 25 fps, iBUG-68"


# --------------------------------------------------------------------------------------------- image


def test_check_image_accepts_float32_image_unchanged():
    img = rand_image()
    out = V.check_image(img)
    assert out.dtype == np.float32 and out.shape == (16, 16, 3), f"a valid image should come back as is, got {out.dtype}"
    assert np.array_equal(out, img), "a valid float32 image must not change"


def test_check_image_converts_uint8_to_float_in_unit_range():
    u8 = np.array([[[0, 128, 255]] * 8] * 8, np.uint8)
    out = V.check_image(u8)
    assert out.dtype == np.float32, "uint8 images should be converted to float32"
    assert np.allclose(out[0, 0], [0, 128 / 255, 1]), f"uint8 0..255 should map to 0..1, got {out[0, 0]}"


def test_check_image_converts_float64_to_float32():
    out = V.check_image(rand_image().astype(np.float64))
    assert out.dtype == np.float32, "a float64 image should come back as float32"


def test_check_image_accepts_nested_lists():
    out = V.check_image(rand_image(8, 8).tolist())
    assert out.shape == (8, 8, 3) and out.dtype == np.float32, "a nested list image should be converted to an array"


def test_check_image_clips_tiny_rounding_overshoot():
    img = rand_image()
    img[0, 0, 0] = 1.0005
    img[0, 0, 1] = -0.0005
    out = V.check_image(img)
    assert out.max() <= 1.0 and out.min() >= 0.0, "values within 1e-3 of [0, 1] should be clipped, not rejected"


def test_check_image_channels_first_says_transpose():
    msg = error_of(V.check_image, rand_image().transpose(2, 0, 1))
    assert "img.transpose(1, 2, 0)" in msg and "channels-first" in msg, f"a CHW image should get the fix, got: {msg}"


def test_check_image_grey_says_how_to_stack():
    msg = error_of(V.check_image, np.zeros((16, 16), np.float32))
    assert "np.dstack" in msg, f"a grey image should be told how to make it RGB, got: {msg}"


def test_check_image_rgba_says_drop_alpha():
    msg = error_of(V.check_image, np.zeros((16, 16, 4), np.float32))
    assert "img[..., :3]" in msg, f"an RGBA image should be told to drop alpha, got: {msg}"


def test_check_image_rejects_a_batch_with_its_shape():
    msg = error_of(V.check_image, np.zeros((2, 16, 16, 3), np.float32))
    assert "H×W×3" in msg and "(2, 16, 16, 3)" in msg, f"a batch given as one image should be described, got: {msg}"


def test_check_image_rejects_tiny_images():
    msg = error_of(V.check_image, np.zeros((4, 16, 3), np.float32))
    assert "too small" in msg and "8×8" in msg, f"a 4-pixel-high image should be rejected as too small, got: {msg}"


def test_check_image_0_255_floats_say_divide_by_255():
    msg = error_of(V.check_image, rand_image() * 255)
    assert "divide by 255" in msg, f"0-255 float values should be told to divide by 255, got: {msg}"


def test_check_image_tanh_output_says_x_plus_1_over_2():
    msg = error_of(V.check_image, rand_image() * 2 - 1)
    assert "(x + 1) / 2" in msg, f"[-1, 1] values should be told to use (x + 1) / 2, got: {msg}"


def test_check_image_wild_range_says_clip_or_rescale():
    msg = error_of(V.check_image, rand_image() * 10 - 5)
    assert "Clip or rescale" in msg, f"values far outside [0, 1] should be told to clip or rescale, got: {msg}"


def test_check_image_slight_overshoot_above_one_does_not_suggest_tanh_rescaling():
    img = np.linspace(0, 1.2, 16 * 16 * 3, dtype=np.float32).reshape(16, 16, 3)
    msg = error_of(V.check_image, img)
    assert "(x + 1) / 2" not in msg, f"values 0..1.2 are not a tanh output; (x + 1) / 2 would be wrong advice: {msg}"


def test_check_image_int_dtype_says_astype():
    msg = error_of(V.check_image, np.zeros((16, 16, 3), np.int32))
    assert "astype(np.float32)" in msg, f"an int32 image should be told to convert with astype, got: {msg}"


def test_check_image_rejects_nan():
    img = rand_image()
    img[3, 3, 1] = np.nan
    msg = error_of(V.check_image, img)
    assert "NaN" in msg, f"a NaN pixel should be reported, got: {msg}"


def test_check_image_rejects_torch_tensor_and_points_to_to_image():
    msg = error_of(V.check_image, torch.zeros(3, 16, 16))
    assert "to_image" in msg, f"a torch tensor should be pointed at validate.to_image, got: {msg}"


def test_check_image_uses_the_callers_name():
    msg = error_of(V.check_image, np.zeros((16, 16), np.float32), name="face_crop")
    assert msg.startswith("face_crop:"), f"the error should start with the argument's name, got: {msg}"


# --------------------------------------------------------------------------------------------- batch


def test_check_images_accepts_batch_and_converts_uint8():
    batch = (np.random.default_rng(0).random((3, 16, 16, 3)) * 255).astype(np.uint8)
    out = V.check_images(batch)
    assert out.shape == (3, 16, 16, 3) and out.dtype == np.float32, f"got {out.shape} {out.dtype}"
    assert np.allclose(out, batch / 255.0), "uint8 batches should be divided by 255"


def test_check_images_single_image_says_img_none():
    msg = error_of(V.check_images, rand_image())
    assert "img[None]" in msg, f"one image given as a batch should be told to use img[None], got: {msg}"


def test_check_images_nchw_says_transpose():
    msg = error_of(V.check_images, np.zeros((2, 3, 16, 16), np.float32))
    assert "x.transpose(0, 2, 3, 1)" in msg and "NCHW" in msg, f"an NCHW batch should get the transpose, got: {msg}"


def test_check_images_0_255_says_divide_by_255():
    msg = error_of(V.check_images, np.full((2, 16, 16, 3), 200.0, np.float32))
    assert "divide by 255" in msg, f"got: {msg}"


def test_check_images_rejects_wrong_rank():
    msg = error_of(V.check_images, np.zeros((16, 16), np.float32))
    assert "N×H×W×3" in msg, f"a 2-D array should be described against N×H×W×3, got: {msg}"


# ---------------------------------------------------------------------------------------------- mask


def test_check_mask_accepts_float_bool_and_uint8_masks():
    m = np.zeros((16, 16), np.float32)
    m[4:12, 4:12] = 1
    assert np.array_equal(V.check_mask(m), m), "a float mask in [0, 1] should come back unchanged"
    b = V.check_mask(m.astype(bool))
    assert b.dtype == np.float32 and np.array_equal(b, m), "a bool mask should become float32 0/1"
    u = V.check_mask((m * 255).astype(np.uint8))
    assert np.allclose(u, m), "a uint8 0/255 mask should become 0/1"


def test_check_mask_squeezes_a_single_channel():
    out = V.check_mask(np.ones((16, 16, 1), np.float32))
    assert out.shape == (16, 16), f"an H×W×1 mask should be squeezed to H×W, got {out.shape}"


def test_check_mask_rgb_says_take_one_channel():
    msg = error_of(V.check_mask, np.ones((16, 16, 3), np.float32))
    assert "m[..., 0]" in msg, f"a 3-channel mask should be told to take one channel, got: {msg}"


def test_check_mask_checks_shape_against_the_image():
    msg = error_of(V.check_mask, np.ones((16, 16), np.float32), shape=(32, 32))
    assert "(32, 32)" in msg and "does not match" in msg, f"a mask of the wrong size should say so, got: {msg}"


def test_check_mask_out_of_range_says_divide_by_255():
    msg = error_of(V.check_mask, np.full((16, 16), 255.0, np.float32))
    assert "divide by 255" in msg, f"got: {msg}"


# ----------------------------------------------------------------------------------------- landmarks


def test_check_landmarks_accepts_68_points_and_converts_to_float32():
    pts = np.arange(136).reshape(68, 2)
    out = V.check_landmarks(pts)
    assert out.dtype == np.float32 and out.shape == (68, 2), f"got {out.shape} {out.dtype}"
    assert np.array_equal(out, pts), "integer landmarks keep their values as float32"


def test_check_landmarks_transposed_says_pts_t():
    msg = error_of(V.check_landmarks, np.zeros((2, 68)))
    assert "pts.T" in msg, f"2×68 landmarks should be told to transpose, got: {msg}"


def test_check_landmarks_wrong_count_points_to_the_layout():
    msg = error_of(V.check_landmarks, np.zeros((5, 2)))
    assert "68" in msg and "LANDMARK_GROUPS" in msg, f"5 points should be told about the 68-point layout, got: {msg}"


def test_check_landmarks_any_count_when_n_is_none():
    out = V.check_landmarks(np.zeros((5, 2)), n=None)
    assert out.shape == (5, 2), "n=None should accept any number of points"


def test_check_landmarks_rejects_nan_and_non_numbers():
    pts = np.zeros((68, 2))
    pts[3, 0] = np.inf
    assert "infinite" in error_of(V.check_landmarks, pts), "an infinite coordinate should be reported"
    msg = error_of(V.check_landmarks, np.full((68, 2), "a"))
    assert "numbers" in msg, f"string landmarks should be rejected, got: {msg}"


@pytest.mark.parametrize("fn,arg", [(V.check_landmarks, torch.zeros(68, 2)), (V.check_audio, torch.zeros(160)),
                                    (V.check_mask, torch.zeros(16, 16))])
def test_torch_tensor_errors_describe_the_expected_kind_not_an_image(fn, arg):
    msg = error_of(fn, arg)
    assert "image" not in msg and ".numpy()" in msg, f"a tensor given as non-image data got image advice: {msg}"


# --------------------------------------------------------------------------------------------- audio


def test_check_audio_accepts_float32_mono():
    a = np.sin(np.linspace(0, 100, 1600)).astype(np.float32) * 0.5
    out = V.check_audio(a)
    assert out.dtype == np.float32 and np.array_equal(out, a), "valid audio must come back unchanged"


def test_check_audio_converts_int16_to_unit_range():
    out = V.check_audio(np.array([-32768, 0, 16384, 32767], np.int16))
    assert out.dtype == np.float32 and np.allclose(out, [-1, 0, 0.5, 32767 / 32768]), f"got {out}"


def test_check_audio_flattens_a_single_channel_column():
    out = V.check_audio(np.zeros((100, 1), np.float32))
    assert out.shape == (100,), f"an N×1 column should be flattened to mono, got {out.shape}"


def test_check_audio_stereo_says_average_the_channels():
    msg = error_of(V.check_audio, np.zeros((1600, 2), np.float32))
    assert "audio.mean(axis=1)" in msg, f"N×2 stereo should be told to average channels, got: {msg}"


def test_check_audio_channels_first_stereo_gets_the_right_axis():
    msg = error_of(V.check_audio, np.zeros((2, 1600), np.float32))
    assert "axis=0" in msg, f"a 2×N array should be averaged over axis 0, got: {msg}"


def test_check_audio_wrong_rate_says_resample():
    msg = error_of(V.check_audio, np.zeros(100, np.float32), sr=44100)
    assert "resample" in msg.lower() and "16000" in msg, f"44.1 kHz audio should be told to resample, got: {msg}"


def test_check_audio_too_loud_says_normalise():
    msg = error_of(V.check_audio, np.array([0.0, 2.0, -0.5], np.float32))
    assert "Normalise" in msg, f"audio peaking at 2 should be told to normalise, got: {msg}"


def test_check_audio_rejects_other_dtypes_and_nan():
    assert "int16" in error_of(V.check_audio, np.zeros(10, np.int32)), "int32 audio should be rejected"
    assert "NaN" in error_of(V.check_audio, np.array([0.0, np.nan], np.float32)), "NaN audio should be rejected"
    assert "1-D" in error_of(V.check_audio, np.zeros((2, 2, 2), np.float32)), "3-D audio should be rejected"


def test_check_audio_accepts_sr_none():
    assert V.check_audio(np.zeros(10, np.float32), sr=None).shape == (10,), "sr=None should skip the rate check"


# ---------------------------------------------------------------------------------------------- seed


@pytest.mark.parametrize("seed", [0, 7, np.int64(3), 2**40])
def test_check_seed_accepts_non_negative_integers(seed):
    got = V.check_seed(seed)
    assert got == int(seed) and type(got) is int, f"seed={seed!r} should come back as the plain int {int(seed)}, got {got!r}"


@pytest.mark.parametrize("bad", [-1, 1.5, "3", None, True, np.bool_(False)])
def test_check_seed_rejects_non_integers_and_negatives(bad):
    msg = error_of(V.check_seed, bad)
    assert "non-negative integer" in msg, f"seed={bad!r} should be rejected, got: {msg}"


# ------------------------------------------------------------------------------------------- tensors


def test_to_tensor_gives_float32_nchw_and_to_image_round_trips():
    batch = np.random.default_rng(1).random((2, 16, 12, 3), dtype=np.float32)
    t = V.to_tensor(batch)
    assert isinstance(t, torch.Tensor) and tuple(t.shape) == (2, 3, 16, 12) and t.dtype == torch.float32, (
        f"to_tensor should give an NCHW float32 tensor, got {tuple(t.shape)} {t.dtype}"
    )
    back = V.to_image(t)
    assert back.shape == batch.shape and back.dtype == np.float32 and np.array_equal(back, batch), (
        "to_image(to_tensor(x)) must give x back"
    )


def test_to_tensor_makes_one_image_a_batch_of_one_and_chw_round_trips():
    img = rand_image(16, 12)
    t = V.to_tensor(img)
    assert tuple(t.shape) == (1, 3, 16, 12), f"one image should become a batch of one, got {tuple(t.shape)}"
    assert np.array_equal(V.to_image(t[0]), img), "to_image of a CHW tensor should give the H×W×3 image back"


def test_to_tensor_converts_uint8_and_rejects_bad_range():
    t = V.to_tensor(np.full((1, 8, 8, 3), 255, np.uint8))
    assert torch.allclose(t, torch.ones_like(t)), "uint8 255 should become 1.0"
    with pytest.raises(ValueError, match="divide by 255"):
        V.to_tensor(np.full((1, 8, 8, 3), 255.0, np.float32))


def test_to_tensor_is_contiguous_and_on_the_requested_device():
    t = V.to_tensor(rand_image(), device="cpu")
    assert t.is_contiguous() and t.device.type == "cpu", "the tensor should be contiguous and on the device asked for"


def test_to_image_clips_and_detaches_model_outputs():
    t = (torch.linspace(-0.5, 1.5, 2 * 3 * 4 * 4).reshape(2, 3, 4, 4)).requires_grad_()
    out = V.to_image(t * 1)
    assert out.shape == (2, 4, 4, 3) and out.min() >= 0 and out.max() <= 1, "to_image should clip into [0, 1]"


def test_to_image_rejects_other_ranks():
    msg = error_of(V.to_image, torch.zeros(4, 4))
    assert "CHW or NCHW" in msg, f"a 2-D tensor should be rejected, got: {msg}"
