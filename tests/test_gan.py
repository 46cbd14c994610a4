"""The DCGAN of lab 04: shapes, determinism, losses, a training step, checkpoints, shipped weights, latent tools,
the explorer, the spectrum and the benchmark's contract. Speed is measured by benchmarks/gan.py, never here."""
import math
import types

import numpy as np
import pytest
import torch

import benchmarks
from benchmarks import gan as gan_bench
from course_lib import checkpoints, datasets, forensics, gan, judges, pretrained, widgets


def tiny(**changes) -> gan.GANSettings:
    """A GAN small enough to train in a blink: 32×32, 8 filters."""
    base = dict(size=32, g_filters=8, d_filters=8, batch=8, steps=6, every=3, n_train=32, seed=0)
    return gan.GANSettings(**{**base, **changes})


@pytest.fixture(scope="module")
def tiny_faces():
    return datasets.load_synthetic_faces(32, 32, seed=3).images


@pytest.fixture(scope="module")
def tiny_run(tiny_faces):
    return gan.train_gan(tiny(), images=tiny_faces, device="cpu", progress=False)


@pytest.fixture(scope="module")
def judge_dir(tmp_path_factory):
    """One course cache for this module's tests that need the (FAST-mode) judges, so they train once."""
    return tmp_path_factory.mktemp("gan-judges")


@pytest.fixture(scope="module")
def module_judges(judge_dir):
    """FAST mode's judges with their batch-norm statistics re-measured (as gan.Yardstick does)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURSE_DATA_DIR", str(judge_dir))
        attributes, faces_judge = judges.attribute_judge(64), judges.face_judge(64)
    calibration = datasets.load_synthetic_faces(200, 64, seed=42)
    judges.recalibrate(attributes, calibration.images)
    judges.recalibrate(faces_judge, np.concatenate([calibration.images, judges.face_negatives(calibration)]))
    return attributes, faces_judge


@pytest.fixture()
def fast_judges(module_judges, judge_dir, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(judge_dir))  # code that asks for a judge finds these cached
    return module_judges


# ---------------------------------------------------------------- the players

@pytest.mark.parametrize("size", [32, 64])
def test_generator_and_discriminator_shapes(size):
    G, D = gan.build(tiny(size=size))
    with torch.no_grad():
        x = G(gan.latent(3, seed=0))
    assert tuple(x.shape) == (3, 3, size, size), f"G must draw 3×{size}×{size} images, got {tuple(x.shape)}"
    assert float(x.min()) >= -1 and float(x.max()) <= 1, "G ends in tanh, so its images lie in [-1, 1]"
    assert tuple(D(x).shape) == (3,), "D gives one logit per image"


def test_build_is_deterministic_per_seed():
    a, b, c = gan.build(tiny(seed=1))[0], gan.build(tiny(seed=1))[0], gan.build(tiny(seed=2))[0]
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters())), "same seed, same weights"
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters())), "another seed, other weights"
    conv = next(m for m in gan.build(tiny(g_filters=32))[0].modules() if isinstance(m, torch.nn.ConvTranspose2d))
    assert abs(conv.weight.std().item() - 0.02) < 0.002, "DCGAN initialises convolutions from N(0, 0.02)"


def test_samples_repeat_per_seed_and_do_not_depend_on_the_batch(tiny_run):
    G = tiny_run.G
    one, again, other = gan.sample(G, 4, seed=1), gan.sample(G, 4, seed=1), gan.sample(G, 4, seed=2)
    assert one.shape == (4, 32, 32, 3) and one.dtype == np.float32 and 0 <= one.min() and one.max() <= 1
    assert np.array_equal(one, again), "the same seed must give the same faces"
    assert not np.allclose(one, other), "another seed must give other faces"
    z = gan.latent(4, seed=1)
    assert np.allclose(gan.generate(G, z[2:3]), one[2:3], atol=1e-6), "a face depends on its own code only"


def test_latent_is_gaussian_and_repeatable():
    z = gan.latent(2000, seed=0)
    assert z.shape == (2000, gan.LATENT) and torch.equal(z, gan.latent(2000, seed=0))
    assert abs(z.mean().item()) < 0.01 and abs(z.std().item() - 1) < 0.01


# ---------------------------------------------------------------- the game

def test_losses_match_hand_computations():
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    real, fake = torch.tensor([2.0, -1.0]), torch.tensor([0.5, -3.0, 1.0])
    want_d = -(math.log(sig(2)) + math.log(sig(-1))) / 2 - (sum(math.log(1 - sig(v)) for v in (0.5, -3, 1)) / 3)
    assert gan.discriminator_loss(real, fake).item() == pytest.approx(want_d, abs=1e-6)
    assert gan.generator_loss(fake).item() == pytest.approx(-sum(math.log(sig(v)) for v in (0.5, -3, 1)) / 3, abs=1e-6)
    assert gan.saturating_generator_loss(fake).item() == pytest.approx(
        sum(math.log(1 - sig(v)) for v in (0.5, -3, 1)) / 3, abs=1e-6)
    assert gan.discriminator_loss(torch.zeros(5), torch.zeros(5)).item() == pytest.approx(2 * math.log(2)), \
        "at the game's equilibrium D says 1/2 to everything and its loss is 2 ln 2"


def test_non_saturating_loss_keeps_the_gradient_when_d_wins():
    logit = torch.tensor([-6.0], requires_grad=True)  # D is sure this fake is fake
    (g_sat,) = torch.autograd.grad(gan.saturating_generator_loss(logit), logit)
    (g_non,) = torch.autograd.grad(gan.generator_loss(logit), logit)
    assert abs(g_non.item()) > 100 * abs(g_sat.item())


def test_one_step_changes_both_players_and_lowers_d_loss_on_a_fixed_batch():
    s = tiny()
    G, D = gan.build(s)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(8, 3, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1
    z = gan.latent(8, seed=1)
    with torch.no_grad():
        fake = G(z)
        before_loss = gan.discriminator_loss(D(real), D(fake)).item()
    before_g = [p.clone() for p in G.parameters()]
    before_d = [p.clone() for p in D.parameters()]
    stats = gan.train_step(G, D, opt_g, opt_d, real, z)
    assert set(stats) == set(gan.HISTORY_KEYS), f"train_step must report {gan.HISTORY_KEYS}, got {sorted(stats)}"
    assert any(not torch.equal(a, b) for a, b in zip(before_g, G.parameters())), "G must change"
    assert any(not torch.equal(a, b) for a, b in zip(before_d, D.parameters())), "D must change"
    with torch.no_grad():
        after_loss = gan.discriminator_loss(D(real), D(fake)).item()
    assert after_loss < before_loss, f"D's loss on the same batch must fall: {before_loss:.4f} -> {after_loss:.4f}"
    assert stats["loss_d"] == pytest.approx(before_loss, abs=1e-5), "the step reports D's loss before its update"
    assert 0 <= stats["acc_real"] <= 1 and 0 <= stats["d_fake"] <= 1


def test_training_records_the_game_and_calls_back(tiny_faces):
    calls = []
    run = gan.train_gan(tiny(), images=tiny_faces, device="cpu", progress=False,
                        callback=lambda step, history, preview: calls.append((step, len(history["step"]), preview.shape)))
    assert calls == [(3, 3, (16, 32, 32, 3)), (6, 6, (16, 32, 32, 3))]
    assert all(len(run.history[k]) == 6 for k in ("step",) + gan.HISTORY_KEYS)
    assert [step for step, _ in run.previews] == [3, 6] and run.train_s > 0 and run.device == "cpu"


def test_training_repeats_with_the_same_seed(tiny_faces, tiny_run):
    again = gan.train_gan(tiny(), images=tiny_faces, device="cpu", progress=False)
    assert all(torch.equal(a, b) for a, b in zip(tiny_run.G.state_dict().values(), again.G.state_dict().values()))
    assert again.history["loss_d"] == tiny_run.history["loss_d"]


def test_extra_generator_steps_and_annealing_are_settings(tiny_faces):
    s = tiny(steps=4, every=4)
    plain = gan.train_gan(s, images=tiny_faces, device="cpu", progress=False)
    strong = gan.train_gan(s.replace(g_steps=3), images=tiny_faces, device="cpu", progress=False)
    assert len(strong.history["step"]) == 4, "g_steps adds G updates inside a round, not rounds"
    assert strong.history["loss_d"][0] == plain.history["loss_d"][0], "the first round's D update is the same"
    assert not all(torch.equal(a, b) for a, b in zip(plain.G.parameters(), strong.G.parameters())), \
        "with g_steps=3 G must have moved further than with DCGAN's one update per round"
    factor = gan._annealing(gan.GANSettings(steps=10, anneal=0.4, n_train=64))
    assert [round(factor(i), 3) for i in range(10)] == [1, 1, 1, 1, 1, 1, 1, 0.75, 0.5, 0.25], \
        "anneal=0.4 keeps the learning rate for 60% of the steps, then lowers it linearly towards 0"
    assert gan._annealing(gan.GANSettings(steps=10, anneal=0.0, n_train=64))(9) == 1, "anneal=0: a constant rate"


def test_an_ema_generator_averages_the_game_without_changing_it(tiny_faces, tiny_run):
    averaged = gan.train_gan(tiny(ema=0.9), images=tiny_faces, device="cpu", progress=False)
    assert averaged.history == tiny_run.history, "keeping an average of G must not change the game itself"
    assert all(torch.equal(a, b) for a, b in zip(averaged.G_trained.parameters(), tiny_run.G.parameters())), \
        "run.G_trained is the G the game updated, the same as without the average"
    assert not all(torch.equal(a, b) for a, b in zip(averaged.G.parameters(), tiny_run.G.parameters())), \
        "run.G, which samples and measures use, is the average"
    assert np.isfinite(averaged.sample(4)).all() and tiny_run.G_trained is None


def test_spectral_norm_in_d_is_a_setting_that_trains_and_round_trips(tiny_faces, tmp_path):
    run = gan.train_gan(tiny(spectral_norm=True), images=tiny_faces, device="cpu", progress=False)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in run.D.modules()), "SNGAN's D has no batch norm"
    conv = run.D.main[0]
    sigma = torch.linalg.matrix_norm(conv.weight.detach().flatten(1), ord=2).item()
    assert sigma == pytest.approx(1.0, abs=0.05), f"D's first convolution must have spectral norm 1, got {sigma:.3f}"
    back = gan.load_run(gan.save_run(tmp_path / "sn.pt", run), device="cpu")
    assert back.settings.spectral_norm and np.array_equal(back.sample(4, seed=5), run.sample(4, seed=5))


def test_plot_game_and_live_view_draw_the_game(tiny_run):
    import matplotlib.pyplot as plt

    fig = gan.plot_game(tiny_run.history, tiny_run.previews[-1][1], window=2, title="t")
    try:
        assert len(fig.axes) == 4, "losses, D's verdicts, D's accuracy and the preview grid"
        labels = {line.get_label() for ax in fig.axes[:3] for line in ax.get_lines()}
        assert {"D loss", "G loss", "D(x), real", "D(G(z)), fake"} <= labels, labels
        assert len(fig.axes[0].get_lines()[0].get_xdata()) == len(tiny_run.history["step"])
    finally:
        plt.close(fig)
    assert np.allclose(gan.smooth([0, 2, 4, 6], window=2), [0, 1, 3, 5]), "a moving average over 2 steps"
    callback = gan.live_view()  # outside a notebook it only draws, and must not fail
    callback(6, tiny_run.history, tiny_run.previews[-1][1])


# ---------------------------------------------------------------- checkpoints and shipped weights

def test_checkpoint_round_trip(tiny_run, tmp_path):
    path = gan.save_run(tmp_path / "gan.pt", tiny_run)
    back = gan.load_run(path, device="cpu")
    assert back.settings == tiny_run.settings and back.history == tiny_run.history
    assert np.array_equal(back.sample(4, seed=5), tiny_run.sample(4, seed=5))
    assert [s for s, _ in back.previews] == [s for s, _ in tiny_run.previews]
    assert np.abs(back.previews[-1][1] - tiny_run.previews[-1][1]).max() <= 1 / 255 + 1e-6


def test_a_corrupted_or_foreign_checkpoint_is_refused(tiny_run, tmp_path):
    path = gan.save_run(tmp_path / "gan.pt", tiny_run)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(checkpoints.CheckpointError, match="corrupted"):
        gan.load_run(path)
    other = checkpoints.save(tmp_path / "other.pt", {"w": torch.zeros(2)}, {"kind": "swap"})
    with pytest.raises(checkpoints.CheckpointError, match="not a DCGAN"):
        gan.load_run(other)


def test_train_gan_saves_a_checkpoint_as_it_goes(tiny_faces, tmp_path):
    run = gan.train_gan(tiny(steps=3, every=3), images=tiny_faces, device="cpu", progress=False,
                        checkpoint=tmp_path / "run.pt")
    assert (tmp_path / "run.pt.sha256").exists()
    assert gan.load_run(tmp_path / "run.pt").history == run.history


def test_shipped_gan_files_exist_and_stay_within_their_budget():
    sizes = {name: pretrained.path(name).stat().st_size for name in ("gan-fast", "gan-full")}
    assert sum(sizes.values()) < 8 * 1024 * 1024, f"the GAN's shipped files must stay under 8 MB together: {sizes}"
    for name in sizes:
        assert pretrained.path(name).with_name(f"{name}.pt.sha256").exists()


@pytest.mark.parametrize("mode", ["fast", "full"])
def test_shipped_gans_load_and_draw_faces(mode, fast_judges):
    run = gan.pretrained_run(mode, device="cpu")
    assert run.settings.size == 64 and run.history["step"] and run.previews
    assert "metrics" in run.meta, "the shipped file records the metrics measured when it was built"
    rate = judges.face_rate(run.sample(64, seed=0), fast_judges[1])
    untrained = judges.face_rate(gan.sample(gan.initial_generator(run.settings), 64, seed=0), fast_judges[1])
    assert rate >= untrained + 0.15, (
        f"the face judge should accept the shipped {mode} GAN's samples far more often than an untrained "
        f"generator's: {rate:.0%} against {untrained:.0%} (it rejects smeared faces, so not all of them)")


def test_shipped_gan_directions_move_their_attributes(fast_judges):
    G = gan.pretrained_run("full", device="cpu").G
    dirs = gan.attribute_directions(G, 300, judge=fast_judges[0])
    assert set(dirs) == set(gan.ATTRIBUTES)
    assert all(abs(d.norm().item() - 1) < 1e-5 for d in dirs.values())
    effects = gan.direction_effects(G, dirs, n=60, judge=fast_judges[0])
    for name, (change, _) in effects.items():
        assert change > 0, f"walking along the {name} direction must raise its score, got {change:+.3f}"


def test_a_too_strong_generator_collapses_the_shipped_gan(fast_judges):
    """Lab 04's mode-collapse run (FAST mode: 20 rounds in batches of 32): from the same players, 5 G updates per
    round lose attribute bins. Six rounds were too few: on another CPU the two runs' coverage differed by less than
    15 points."""
    import copy

    run = gan.pretrained_run("fast", device="cpu")
    images = gan.training_images(run.settings.replace(n_train=128))

    def continued(g_steps):
        s = run.settings.replace(steps=20, every=20, g_steps=g_steps, anneal=0.0, n_train=len(images), batch=32)
        out = gan.train_gan(s, images=images, G=copy.deepcopy(run.G), D=copy.deepcopy(run.D), device="cpu",
                            progress=False)
        shares = judges.attribute_shares(out.sample(200, seed=99), fast_judges[0])
        return float((shares >= 0.01).mean()), float(shares.max())

    (cov_dcgan, top_dcgan), (cov_strong, top_strong) = continued(1), continued(5)
    assert cov_strong <= cov_dcgan - 0.15, (
        f"with a 5× generator the attribute coverage should drop well below the DCGAN continuation's: "
        f"{cov_strong:.0%} vs {cov_dcgan:.0%}")
    assert top_strong > top_dcgan, f"the collapsed G's favourite bin should grow: {top_strong:.0%} vs {top_dcgan:.0%}"


def test_the_build_command_writes_a_loadable_run_with_its_metrics(fast_judges, tmp_path, monkeypatch):
    """`python -m course_lib.pretrained build gan-fast`, with the preset shrunk so it takes seconds."""
    monkeypatch.setitem(gan.PRESETS, "fast", dict(size=64, g_filters=8, d_filters=8, batch=8, steps=4, every=1,
                                                  n_train=16, anneal=0.3))
    monkeypatch.setattr(pretrained, "FOLDER", tmp_path)
    out = pretrained.build("gan-fast")
    assert out == tmp_path / "gan-fast.pt" and (tmp_path / "gan-fast.pt.sha256").exists()
    run = gan.pretrained_run("fast", device="cpu")
    assert run.settings.steps == 4 and run.settings.g_filters == 8
    assert [step for step, _ in run.previews] == [1, 2, 3, 4] and run.previews[0][1].shape == (8, 64, 64, 3), \
        "the shipped file keeps at most 6 previews of 8 faces"
    metrics = run.meta["metrics"]
    for key in ("fd_final", "fd_init", "fd_real_vs_real", "attribute_coverage", "face_rate", "train_s", "device"):
        assert key in metrics, f"the shipped file must record {key} (lab 04 prints it beside its own measurement)"
    assert metrics["fd_real_vs_real"] < metrics["fd_init"] and metrics["steps"] == 4
    assert "torch threads" in run.meta["machine"]


def test_yardstick_reports_the_real_floor_and_every_metric(tiny_run, fast_judges):
    ys = gan.Yardstick(n=40, attributes=fast_judges[0], faces=fast_judges[1])
    assert ys.real_coverage > 0.5 and ys.real_face_rate > 0.9
    assert ys.judge_accuracy["faces"] > 0.9, "the recalibrated face judge must be right on most fresh images"
    assert ys.judge_accuracy["attributes"] > 1 / 18, "the attribute judge must beat guessing among 18 bins"
    report = gan.measure_run(tiny_run, ys)
    for key in ("fd_final", "fd_init", "fd_real_vs_real", "attribute_coverage", "precision", "recall", "face_rate",
                "damaged_rejection", "real_precision", "real_recall", "train_s", "device"):
        assert key in report
    assert report["fd_real_vs_real"] < report["fd_init"], "two real sets are closer than real and noise"


@pytest.fixture(scope="module")
def yardstick(module_judges):
    return gan.Yardstick(n=100, attributes=module_judges[0], faces=module_judges[1])


def test_precision_and_recall_accept_real_faces_and_reject_blur_noise_and_collapse(yardstick):
    """Kynkäänniemi's precision and recall in the attribute judge's features can fail: blurred faces and noise
    fall off the real manifold (low precision), one face repeated covers almost none of it (low recall)."""
    from scipy import ndimage

    other = datasets.load_synthetic_faces(100, 64, seed=20).images  # real people the yardstick never saw
    real = yardstick.measure(other)
    assert real["precision"] >= 0.6 and real["recall"] >= 0.6, \
        f"other real faces must lie on the real manifold and cover it: {real['precision']:.0%}, {real['recall']:.0%}"
    blurred = np.stack([ndimage.gaussian_filter(im, (3, 3, 0)) for im in other])
    noise = np.random.default_rng(0).random(other.shape).astype(np.float32)
    for name, imgs in (("blurred faces", blurred), ("noise", noise)):
        precision = yardstick.measure(imgs)["precision"]
        assert precision <= min(0.5, real["precision"] - 0.3), \
            f"{name} must fall off the real manifold, got precision {precision:.0%} (real faces: {real['precision']:.0%})"
    collapsed = yardstick.measure(np.repeat(other[:1], 100, axis=0))  # mode collapse: one face, 100 times
    assert collapsed["recall"] <= 0.05, \
        f"one face repeated cannot cover the real faces, got recall {collapsed['recall']:.0%}"


def test_the_yardsticks_face_judge_rejects_damaged_faces_and_accepts_real_ones(yardstick):
    assert yardstick.damaged_rejection >= 0.8, (
        f"the face judge rejected only {yardstick.damaged_rejection:.0%} of damaged real faces (blurred, eyes or mouth "
        "erased, halves mismatched): a face rate it reports could not show smeared samples")
    assert yardstick.real_face_rate >= 0.9, f"the face judge accepted only {yardstick.real_face_rate:.0%} of real faces"


def test_print_quality_prints_the_new_measures_of_a_run(tiny_run, yardstick, capsys):
    report = gan.measure_run(tiny_run, yardstick)
    gan.print_quality(report)
    out = capsys.readouterr().out
    for word, key in (("precision", "precision"), ("recall", "recall"), ("face rate", "face_rate"),
                      ("damaged rejection", "damaged_rejection")):
        assert word in out and f"{report[key]:.0%}" in out, f"print_quality must print the {word}: {out}"


# ---------------------------------------------------------------- the latent space and the explorer

def test_interpolation_starts_and_ends_at_the_codes():
    a, b = gan.latent(2, seed=4)
    for spherical in (True, False):
        path = gan.interpolate(a, b, 5, spherical=spherical)
        assert path.shape == (5, gan.LATENT)
        assert torch.allclose(path[0], a, atol=1e-5) and torch.allclose(path[-1], b, atol=1e-5)
    mid_sphere, mid_line = gan.interpolate(a, b, 3)[1], gan.interpolate(a, b, 3, spherical=False)[1]
    assert mid_sphere.norm() > mid_line.norm() + 1, "slerp keeps the codes' length; the straight line shrinks it"
    assert torch.allclose(gan.interpolate(a, a, 3), a.expand(3, -1), atol=1e-5)


def test_the_explorer_callback_returns_png_bytes(tiny_run):
    d = {"up": torch.nn.functional.normalize(torch.ones(gan.LATENT), dim=0)}
    view = widgets.latent_view(tiny_run.G, 1, 2, 0.5, d, {"up": 2.0}, scale=2)
    assert view["png"][:8] == b"\x89PNG\r\n\x1a\n" and view["image"].shape == (32, 32, 3)
    plain = widgets.latent_view(tiny_run.G, 1, 2, 0.5)
    assert not np.array_equal(view["image"], plain["image"]), "the attribute slider must change the face"
    assert np.array_equal(widgets.latent_view(tiny_run.G, 1, 2, 0.0)["image"], tiny_run.sample(1, seed=1)[0])
    with pytest.raises(ValueError, match="t must be a number between 0 and 1"):
        widgets.latent_view(tiny_run.G, 1, 2, 1.5)
    box = widgets.latent_explorer(tiny_run.G, d)
    first = box.image.value
    box.controls["t"].value = 1.0
    assert box.image.value != first and box.last["png"] == box.image.value


# ---------------------------------------------------------------- fingerprints and detectors

def test_spectrum_finds_a_checkerboard_at_the_border():
    rng = np.random.default_rng(0)
    smooth = np.repeat(np.repeat(rng.random((6, 8, 8, 3)), 8, 1), 8, 2).astype(np.float32)
    checker = (np.indices((64, 64)).sum(0) % 2)[None, ..., None] * 0.1
    spec_plain, spec_checker = forensics.spectrum(smooth), forensics.spectrum(np.clip(smooth * 0.9 + checker, 0, 1))
    assert spec_plain.shape == (64, 64)
    assert spec_checker[0, 0] > spec_plain[0, 0] + 2, "a period-2 checkerboard puts power at the corner frequency"
    profile = forensics.radial_profile(spec_plain)
    assert profile.shape == (33,) and profile[1] > profile[-1], "natural-ish images have more power at low frequencies"


class _ConstantD(torch.nn.Module):
    """A discriminator with one opinion: the same logit for every image."""

    def __init__(self, logit):
        super().__init__()
        self.logit = torch.nn.Parameter(torch.tensor(float(logit)))

    def forward(self, x):
        return self.logit.expand(len(x))


def test_detector_measures_tell_real_from_obviously_fake(tiny_run, tiny_faces):
    noise = np.random.default_rng(0).random((128,) + tiny_faces.shape[1:]).astype(np.float32)
    assert gan.discriminator_accuracy(_ConstantD(3.0), tiny_faces, noise[:32]) == (1.0, 0.0), \
        "a D that calls everything real is right on every real face and on no fake"
    assert gan.discriminator_accuracy(_ConstantD(-3.0), tiny_faces, noise[:32]) == (0.0, 1.0)
    on_real, on_fake = gan.discriminator_accuracy(tiny_run.D, tiny_faces, noise[:32])
    assert 0 <= on_real <= 1 and 0 <= on_fake <= 1
    before = [b.clone() for b in tiny_run.D.buffers()]
    gan.discriminator_accuracy(tiny_run.D, noise[:64], noise[64:])
    assert all(torch.equal(a, b) for a, b in zip(before, tiny_run.D.buffers())), \
        "measuring D must not change its batch-norm statistics"
    acc = gan.fresh_detector_accuracy(np.concatenate([tiny_faces] * 4), noise, epochs=4)
    assert acc >= 0.8, f"a fresh detector should separate faces from noise, got {acc:.0%}"


# ---------------------------------------------------------------- settings, validation, benchmark

def test_settings_scale_with_the_device():
    cpu, gpu, fast = gan.settings("full", "cpu"), gan.settings("full", "cuda"), gan.settings("fast", "cuda")
    assert gpu.g_filters == 64 and cpu.g_filters < 64, "a CUDA GPU gets DCGAN's own width"
    assert gpu.steps > cpu.steps and fast.steps < cpu.steps
    assert cpu.latent == 100 and cpu.beta1 == 0.5, "DCGAN's latent size and Adam's beta1"
    assert gan.settings("full", "cpu", steps=7).steps == 7


@pytest.mark.parametrize("call, message", [
    (lambda: gan.GANSettings(size=48), "size must be one of"),
    (lambda: gan.GANSettings(lr_g=0), r"lr_g must be a number in \(0, 1\)"),
    (lambda: gan.GANSettings(batch=64, n_train=10), "at least one batch"),
    (lambda: gan.settings("medium"), "mode must be"),
    (lambda: tiny().replace(filters=3), "unknown settings"),
    (lambda: gan.latent(0), "n must be an integer from 1"),
    (lambda: gan.interpolate(torch.zeros(3), torch.zeros(4)), "same length"),
    (lambda: gan.interpolate(torch.ones(3), torch.ones(3), steps=1), "steps must be an integer from 2"),
])
def test_invalid_inputs_say_what_to_do(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_generate_and_train_check_their_inputs(tiny_run, tiny_faces):
    with pytest.raises(ValueError, match="for one vector use z\\[None\\]"):
        gan.generate(tiny_run.G, torch.zeros(gan.LATENT))
    with pytest.raises(ValueError, match="shape N×100"):
        gan.generate(tiny_run.G, torch.zeros(2, 5))
    with pytest.raises(ValueError, match="size=64"):
        gan.train_gan(tiny(size=64), images=tiny_faces, device="cpu", progress=False)
    with pytest.raises(ValueError, match="float32 values in \\[0, 1\\]|values must lie in"):
        gan.train_gan(tiny(), images=tiny_faces * 255, device="cpu", progress=False)


def test_benchmark_contract_in_fast_mode(tmp_path, monkeypatch, fast_judges):
    monkeypatch.setenv("BENCH_RESULTS_DIR", str(tmp_path))
    module = types.SimpleNamespace(__name__="benchmarks.gan", TARGETS=gan_bench.TARGETS,
                                   run=lambda mode: gan_bench.run(mode, steps=3, n=40, n_train=64))
    record = benchmarks.run(module, "fast")
    for key in ("fd_final", "fd_init", "fd_real_vs_real", "attribute_coverage", "face_rate", "train_s", "device"):
        assert key in record["metrics"], key
    assert set(record["targets_met"]) == set(gan_bench.TARGETS)
    assert (tmp_path / "gan.jsonl").read_text().count("\n") == 1
    assert any("target" in line for line in benchmarks.summary(record))


def test_the_benchmark_measures_the_shipped_run_without_training(fast_judges, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("measuring the shipped GAN must not train one")

    monkeypatch.setattr(gan, "train_gan", refuse)
    metrics = gan_bench.measure_shipped("fast", n=40)
    assert metrics["run"] == "shipped gan-fast"
    assert set(gan_bench.TARGETS) <= set(metrics), "every target is measured on the shipped run"


def test_frechet_distance_matches_the_fid_formula_and_stays_real_when_singular():
    import warnings

    from scipy import linalg

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(500, 16)), rng.normal(size=(500, 16)) * 1.3 + 0.2
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    expected = ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(ca + cb - 2 * linalg.sqrtm(ca @ cb).real)
    assert judges.frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)
    assert judges.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6), "a set is at distance 0 from itself"
    few = rng.normal(size=(10, 64))  # fewer samples than features: singular covariances
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = judges.frechet_distance(few, few + 0.5)
    assert np.isfinite(d) and d > 0
