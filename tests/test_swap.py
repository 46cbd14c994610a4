"""The autoencoder face swap (lab 03): model shapes, augmentation, loss, training, conversion, checkpoints."""
import numpy as np
import pytest
import torch

from course_lib import checkpoints, faces, pretrained, swap, synth


@pytest.fixture(scope="module")
def tiny_sets():
    return {name: swap.face_set(name, 24, 32, seed=k) for k, name in enumerate(swap.PAIR)}


@pytest.fixture(scope="module")
def tiny_model(tiny_sets):
    torch.manual_seed(0)
    model = swap.SwapModel(swap.PAIR, size=32, width=4, latent=16)
    swap.train(model, tiny_sets, steps=3, batch=4, lr=1e-3, device="cpu", progress=False)
    return model


@pytest.mark.parametrize("size", [32, 64, 128])
def test_model_rebuilds_a_crop_of_the_same_size_with_a_mask(size):
    model = swap.SwapModel(swap.PAIR, size=size, width=4, latent=8)
    with torch.no_grad():
        rgb, mask = model(torch.rand(2, 3, size, size), swap.PAIR[1])
    assert tuple(rgb.shape) == (2, 3, size, size), f"a {size}px crop must come back {size}px, got {tuple(rgb.shape)}"
    assert tuple(mask.shape) == (2, 1, size, size)
    assert 0 <= float(rgb.min()) and float(rgb.max()) <= 1, "colours come from a sigmoid, so they lie in [0, 1]"


def test_model_has_one_shared_encoder_and_one_decoder_per_person():
    model = swap.SwapModel(("a", "b", "c"), size=32, width=4, latent=8)
    assert sorted(model.decoders) == ["a", "b", "c"]
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        assert not torch.allclose(model(x, "a")[0], model(x, "b")[0]), "each person needs their own decoder"


@pytest.mark.parametrize("size", [32, 64])
def test_a_dense_code_is_one_vector_per_face_and_each_decoder_spreads_it_back(size):
    model = swap.SwapModel(swap.PAIR, size=size, width=4, latent=8, dense=12)
    x = torch.rand(2, 3, size, size)
    with torch.no_grad():
        code = model.encoder(x)
        rgb, mask = model(x, swap.PAIR[1])
    assert tuple(code.shape) == (2, 12), f"a dense code holds 12 numbers per face, got shape {tuple(code.shape)}"
    assert tuple(rgb.shape) == (2, 3, size, size) and tuple(mask.shape) == (2, 1, size, size)


def test_model_rejects_sizes_it_cannot_build():
    with pytest.raises(ValueError, match="size must be"):
        swap.SwapModel(swap.PAIR, size=48)


@pytest.mark.parametrize("kwargs, message", [
    (dict(names=("a",)), "at least two different names"),
    (dict(names=("a", "a")), "at least two different names"),
    (dict(width=0), "width must be an integer from 1 to 1024"),
    (dict(latent=2.5), "latent must be an integer from 1 to 1024, got the float 2.5"),
    (dict(dense=-1), "dense must be an integer from 0 to 4096"),
])
def test_model_explains_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        swap.SwapModel(**{"names": swap.PAIR, "size": 32, **kwargs})


@pytest.mark.parametrize("mode, device, preset", [
    ("fast", "cpu", "fast"), ("fast", "cuda", "fast"), ("full", "cpu", "full-cpu"), ("full", "mps", "full-cpu"),
    ("full", "cuda", "full-gpu"), ("full", "cuda:1", "full-gpu"),
])
def test_settings_come_from_the_preset_of_the_mode_and_device(mode, device, preset):
    s = swap.settings(mode, device)
    assert s == swap.SwapSettings(**swap.PRESETS[preset]), f"{mode} mode on {device} should use the {preset} preset"


def test_the_cpu_model_is_the_default_and_the_fast_one_is_smaller():
    assert swap.settings("full", "cpu") == swap.SwapSettings(), "full mode on a CPU is the course's CPU model"
    fast, full = swap.settings("fast", "cpu"), swap.settings("full", "cpu")
    assert (fast.width, fast.steps, fast.n_train) < (full.width, full.steps, full.n_train), (
        "FAST mode must train a narrower model for fewer steps on fewer crops")


def test_settings_are_frozen_and_changed_by_replace():
    s = swap.settings("fast", "cpu", steps=7)
    assert s.steps == 7 and s.replace(lr=1e-3).lr == 1e-3 and s.lr == swap.PRESETS["fast"]["lr"]
    with pytest.raises(AttributeError):
        s.steps = 8
    assert swap.SwapSettings(**s.to_dict()) == s, "to_dict is what a checkpoint stores: it must rebuild the settings"


@pytest.mark.parametrize("changes, message", [
    (dict(size=48), "size must be 32, 64, 128 or 256"),
    (dict(width=0), "SwapSettings: width must be an integer from 1 to 1024"),
    (dict(n_train=2.5), "SwapSettings: n_train must be an integer"),
    (dict(steps=-1), "SwapSettings: steps must be an integer"),
    (dict(batch="16"), "SwapSettings: batch must be an integer"),
    (dict(lr=0.0), r"SwapSettings: lr must be a number in \(0, 1\]"),
    (dict(lr=float("nan")), "SwapSettings: lr"),
    (dict(learning_rate=1e-3), r"SwapSettings: unknown settings \['learning_rate'\]; choose from"),
])
def test_bad_settings_are_refused_naming_the_field(changes, message):
    with pytest.raises(ValueError, match=message):
        swap.settings("fast", "cpu", **changes)


def test_train_pair_asks_for_settings_from_swap_settings():
    with pytest.raises(ValueError, match=r"train_pair: settings: give a SwapSettings \(from swap.settings\(\)\)"):
        swap.train_pair(swap.PRESETS["fast"])


def test_the_code_is_an_eight_by_eight_map_of_latent_channels():
    model = swap.SwapModel(swap.PAIR, size=64, width=4, latent=16)
    conv = model.encoder.to_code
    assert conv.out_channels == 16, "the bottleneck has `latent` channels"
    with torch.no_grad():
        x = torch.rand(1, 3, 64, 64)
        for c, n in zip(model.encoder.convs, model.encoder.norms):
            x = torch.nn.functional.leaky_relu(n(c(x)), 0.1)
        assert tuple(conv(x).shape) == (1, 16, 8, 8), "16 channels of 8×8: faceswap's 1,024 numbers"


def test_training_sets_show_closed_eyes_more_often_than_nature():
    fs = swap.face_set(swap.PAIR[0], 200, 32, seed=4)
    closed = np.mean([s.eye_open < 0.3 for s in fs.states])
    assert 0.2 < closed < 0.4, f"about 30% of training crops should catch a blink, got {closed:.0%}"


def test_face_set_holds_aligned_crops_masks_and_heavier_eyes_and_mouth(tiny_sets):
    fs = tiny_sets[swap.PAIR[0]]
    assert fs.images.shape == (24, 32, 32, 3) and fs.masks.shape == (24, 32, 32)
    template = faces.template(32, swap.ZOOM)[faces.INNER]
    err = np.abs(fs.landmarks[:, faces.INNER] - template).mean()
    assert err < 2.0, f"crops must be aligned to the template (mean landmark error {err:.2f} px)"
    assert fs.weights.max() == pytest.approx(swap.EYE_WEIGHT), "the eyes carry the largest loss weight"
    assert fs.weights.min() == pytest.approx(swap.BACKGROUND_WEIGHT), "the background carries the smallest"


def test_random_warp_bends_the_inside_but_not_the_border():
    gen = torch.Generator().manual_seed(0)
    yy, xx = torch.meshgrid(torch.linspace(0, 1, 64), torch.linspace(0, 1, 64), indexing="ij")
    x = torch.stack([xx, yy, xx * yy])[None].repeat(2, 1, 1, 1)
    out = swap.random_warp(x, gen, strength=0.08)
    assert (out - x)[..., 20:44, 20:44].abs().mean() > 1e-3, "the inside of the crop must move"
    assert (out - x)[..., :, :2].abs().max() < 0.05, "the border stays put"


def test_random_affine_moves_image_mask_and_weights_together():
    gen = torch.Generator().manual_seed(1)
    img = torch.rand(3, 1, 32, 32).repeat(1, 3, 1, 1)  # grey, so the image and the mask span the same range
    a, b = swap.random_affine((img, img[:, :1]), gen)
    assert torch.allclose(a[:, :1], b, atol=1e-5), "the mask must follow the image exactly"


def test_random_affine_keeps_the_training_target_sharp_and_in_range():
    img = torch.rand(8, 3, 64, 64)
    out, weights = swap.random_affine((img, img[:, :1] * 8), torch.Generator().manual_seed(0))
    kept = swap.sharpness(out.permute(0, 2, 3, 1).numpy()) / swap.sharpness(img.permute(0, 2, 3, 1).numpy())
    assert kept > 0.45, f"the jitter kept {kept:.0%} of the target's Laplacian variance: the decoder learns that blur"
    assert 0 <= float(out.min()) and float(out.max()) <= 1, "a resampled image must stay in [0, 1]"
    assert float(weights.max()) <= 8, "resampled loss weights must not overshoot"


def test_masked_l1_ignores_zero_weight_pixels_and_averages_the_rest():
    pred, target = torch.zeros(1, 3, 2, 2), torch.zeros(1, 3, 2, 2)
    target[..., 0, 0] = 1.0
    w = torch.ones(1, 1, 2, 2)
    assert float(swap.masked_l1(pred, target, w)) == pytest.approx(0.25)
    w[..., 0, 0] = 0
    assert float(swap.masked_l1(pred, target, w)) == 0.0


def test_ssim_map_agrees_with_scikit_image():
    from skimage.metrics import structural_similarity

    rng = np.random.default_rng(0)
    a = rng.random((32, 32, 3))
    b = np.clip(a + rng.normal(0, 0.1, a.shape), 0, 1)
    _, expected = structural_similarity(a, b, channel_axis=2, data_range=1.0, gaussian_weights=True, sigma=1.5,
                                        use_sample_covariance=False, full=True)
    as_t = lambda im: torch.from_numpy(im.transpose(2, 0, 1))[None]  # noqa: E731
    got = swap.ssim_map(as_t(a), as_t(b))[0].numpy().transpose(1, 2, 0)
    assert np.allclose(got[5:-5, 5:-5], expected[5:-5, 5:-5], atol=1e-6), "SSIM must match scikit-image's"


def test_dssim_is_zero_for_a_perfect_copy_and_grows_with_blur():
    img = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    w = torch.ones(1, 1, 32, 32)
    blurred = torch.nn.functional.avg_pool2d(img, 3, stride=1, padding=1, count_include_pad=False)
    assert float(swap.masked_dssim(img, img, w)) == pytest.approx(0.0, abs=1e-6)
    assert float(swap.masked_dssim(blurred, img, w)) > 0.1, "a blurred copy must cost something"


def test_training_lowers_the_reconstruction_loss(tiny_sets):
    torch.manual_seed(0)
    model = swap.SwapModel(swap.PAIR, size=32, width=8, latent=32)
    history = swap.train(model, tiny_sets, steps=60, batch=8, lr=2e-3, device="cpu", progress=False)
    for name, losses in history.loss.items():
        assert np.mean(losses[-10:]) < 0.8 * np.mean(losses[:10]), f"{name}'s loss should fall while training"


@pytest.mark.parametrize("steps", [1, 2, 3, 20])
def test_training_runs_for_any_short_number_of_steps(tiny_sets, steps):
    model = swap.SwapModel(swap.PAIR, size=32, width=4, latent=8)
    history = swap.train(model, tiny_sets, steps=steps, batch=2, device="cpu", progress=False)
    assert len(history.steps) == steps  # 20 steps once hit a division by zero inside torch's OneCycleLR


def test_the_decoders_heads_are_the_rgb_and_mask_convolutions_it_stores():
    decoder = swap.SwapModel(swap.PAIR, size=32, width=4, latent=8).decoders[swap.PAIR[0]].eval()
    h = torch.randn(2, 8, 8, 8, generator=torch.Generator().manual_seed(0))
    rgb, mask = decoder(h)
    features = decoder.ups(h)
    assert torch.allclose(rgb, torch.sigmoid(decoder.rgb(features)), atol=1e-6), "rgb must come from decoder.rgb"
    assert torch.allclose(mask, torch.sigmoid(decoder.mask(features)), atol=1e-6), "mask must come from decoder.mask"


def test_training_is_repeatable_with_the_same_seed(tiny_sets):
    outs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = swap.SwapModel(swap.PAIR, size=32, width=4, latent=8)
        swap.train(model, tiny_sets, steps=3, batch=4, seed=5, device="cpu", progress=False)
        outs.append(swap.decode_as(model, tiny_sets[swap.PAIR[0]].images[:2], swap.PAIR[1])[0])
    assert np.array_equal(outs[0], outs[1]), "the same seed must give the same model"


def test_training_refuses_sets_that_do_not_match_the_decoders(tiny_sets):
    model = swap.SwapModel(("x", "y"), size=32, width=4, latent=8)
    with pytest.raises(ValueError, match="one FaceSet per decoder"):
        swap.train(model, tiny_sets, steps=1, device="cpu", progress=False)


def test_swap_frames_changes_the_face_and_keeps_the_rest(tiny_model):
    ident = synth.cast(swap.PAIR[0])
    out = synth.render_batch([ident] * 2, synth.random_states(2, seed=3), size=64)
    swapped = swap.swap_frames(tiny_model, out.images, out.landmarks, swap.PAIR[1])
    assert swapped.shape == out.images.shape and swapped.dtype == np.float32
    import cv2

    hull = np.stack([faces.hull_mask(p, (64, 64, 3)) for p in out.landmarks])
    near = np.stack([cv2.dilate(h.astype(np.uint8), np.ones((5, 5), np.uint8)) for h in (hull > 0.5)])
    assert np.abs(swapped - out.images)[near == 0].max() < 0.02, "pixels away from the face must not change"
    assert np.abs(swapped - out.images)[hull > 0.5].mean() > 0.01, "the face itself must change"


def test_swap_clip_keeps_audio_and_marks_the_face_as_swapped(tiny_model):
    clip = synth.talking_clip(synth.cast(swap.PAIR[0]), text="hello", size=64, seed=1)
    fake = swap.swap_clip(tiny_model, clip)
    assert np.array_equal(fake.audio, clip.audio), "a face swap keeps the original voice"
    assert fake.labels == {"face": "swapped", "voice": "real", "lips": "real"}
    assert fake.frames.shape == clip.frames.shape
    assert clip.labels["face"] == "real", "the original clip must not be changed"


def test_decode_as_rejects_an_unknown_person(tiny_model):
    with pytest.raises(ValueError, match="decoders"):
        swap.decode_as(tiny_model, np.zeros((1, 32, 32, 3), np.float32), "nobody")


def test_checkpoint_round_trip_gives_the_same_swaps(tiny_model, tmp_path):
    path = checkpoints.save(tmp_path / "swap.pt", tiny_model.state_dict(), {"size": 32})
    state, meta = checkpoints.load(path)
    clone = swap.SwapModel(swap.PAIR, size=32, width=4, latent=16)
    clone.load_state_dict(state)
    crops = np.random.default_rng(0).random((2, 32, 32, 3)).astype(np.float32)
    assert np.allclose(swap.decode_as(clone, crops, swap.PAIR[1])[0], swap.decode_as(tiny_model, crops, swap.PAIR[1])[0])
    assert meta == {"size": 32}


def test_a_corrupted_checkpoint_is_refused(tiny_model, tmp_path):
    path = checkpoints.save(tmp_path / "swap.pt", tiny_model.state_dict())
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(checkpoints.CheckpointError, match="corrupted"):
        checkpoints.load(path)


@pytest.mark.parametrize("mode", ["fast", "full"])
def test_the_shipped_swappers_load_and_swap(mode):
    name = f"swap-{mode}"
    if not pretrained.available(name):
        pytest.fail(f"{name} is missing: run python -m course_lib.pretrained build {name}")
    model = swap.pretrained(mode=mode, device="cpu")
    assert model.names == swap.PAIR
    crops = np.random.default_rng(0).random((1, model.size, model.size, 3)).astype(np.float32)
    rgb, mask = swap.decode_as(model, crops, swap.PAIR[1])
    assert rgb.shape == crops.shape and np.isfinite(rgb).all()


def test_shipped_weights_stay_within_the_budget():
    total = sum(p.stat().st_size for p in pretrained.FOLDER.glob("*.pt"))
    assert total <= pretrained.BUDGET_BYTES, f"shipped weights take {total / 1e6:.1f} MB, over the 20 MB budget"


def test_evaluate_reports_every_metric_with_the_judges_own_accuracy(tiny_model):
    m = swap.evaluate(tiny_model, n=6)
    for key in ("identity_transfer", "expression_corr", "mouth_corr", "eye_corr", "recon_ssim",
                "swap_sharpness_ratio", "judge_identity_accuracy", "judge_mouth_corr", "judge_eye_corr"):
        assert key in m, f"evaluate must report {key}"
    assert 0 <= m["identity_transfer"] <= 1 and -1 <= m["recon_ssim"] <= 1
    assert 0 < m["swap_sharpness_ratio"] < 1, "a 3-step model's swaps must be blurrier than real faces"


def test_sharpness_is_the_labs_laplacian_variance_and_falls_with_blur():
    import cv2

    rng = np.random.default_rng(0)
    imgs = rng.random((3, 32, 32, 3)).astype(np.float32)
    blurred = np.stack([cv2.GaussianBlur(im, (5, 5), 1.0) for im in imgs])
    labs = np.mean([cv2.Laplacian(im.mean(axis=2), cv2.CV_32F).var() for im in imgs])
    assert swap.sharpness(imgs) == pytest.approx(labs, rel=1e-4), "must match lab 03's cv2.Laplacian measure"
    assert swap.sharpness(blurred) < 0.5 * swap.sharpness(imgs), "a blur must lower the sharpness"
    with pytest.raises(ValueError, match="sharpness: images"):
        swap.sharpness(np.zeros((2, 8, 8)))


def test_colour_transfer_works_even_when_the_mask_head_sees_no_face(tiny_model):
    import copy

    blind = copy.deepcopy(tiny_model)
    for decoder in blind.decoders.values():
        torch.nn.init.zeros_(decoder.mask.weight)
        torch.nn.init.constant_(decoder.mask.bias, -20.0)  # the mask head says "no face" everywhere
    out = synth.render_batch([synth.cast(swap.PAIR[0])], synth.random_states(1, seed=2), size=64)
    swapped = swap.swap_frames(blind, out.images, out.landmarks, swap.PAIR[1], colour=True)
    assert swapped.shape == out.images.shape and np.isfinite(swapped).all()


def test_a_live_preview_does_not_change_how_training_goes(tiny_sets):
    def trained(preview_every):
        torch.manual_seed(0)
        model = swap.SwapModel(swap.PAIR, size=32, width=4, latent=8)
        modes = []
        swap.train(model, tiny_sets, steps=4, batch=4, seed=3, device="cpu", progress=False,
                   preview_every=preview_every, on_preview=lambda step, m, h: (swap.preview(m, tiny_sets, n=2),
                                                                               modes.append(m.training)))
        return model, modes

    plain, _ = trained(0)
    watched, modes = trained(1)
    assert modes == [True] * 4, "after drawing a preview the model must be back in training mode (batch norm)"
    crops = tiny_sets[swap.PAIR[0]].images[:2]
    assert np.allclose(swap.decode_as(plain, crops, swap.PAIR[1])[0], swap.decode_as(watched, crops, swap.PAIR[1])[0],
                       atol=1e-5), "watching the training must not change the trained model"
