"""Lab 07's detectors: the documented interface, bad inputs, identity-disjoint data, and detectors that can fail."""
from __future__ import annotations

import numpy as np
import pytest

from course_lib import checkpoints, detect, synth


@pytest.fixture(scope="module")
def fresh_images():
    """A small held-out set: people of the challenge split, whom no shipped detector saw."""
    return detect.image_dataset(20, splits=("challenge",), people_per_split=6, seed=11)


@pytest.fixture(scope="module")
def frames():
    people = detect.people("challenge", 3)
    return {size: synth.render_batch(people, synth.random_states(3, 1), size=size, seed=1).images
            for size in (64, 128, 256)}


@pytest.mark.parametrize("size", [64, 128, 256])
@pytest.mark.parametrize("kind", ["image", "frequency"])
def test_image_detectors_give_one_probability_per_frame_at_every_size(kind, size, frames):
    p = detect.pretrained(kind).score(frames[size])
    assert p.shape == (3,), f"{kind} detector at {size}×{size} returned shape {p.shape}, expected (3,)"
    assert np.all((p >= 0) & (p <= 1)), f"{kind} detector returned values outside [0, 1]: {p}"


def test_audio_detector_gives_one_probability_per_recording():
    waves = [synth.speak(p, "a short line for the test", seed=i).audio
             for i, p in enumerate(detect.people("challenge", 2))]
    p = detect.pretrained("audio").score(waves, 16_000)
    assert p.shape == (2,) and np.all((p >= 0) & (p <= 1)), p


def test_clip_detector_scores_each_track_and_names_a_category():
    clip = synth.talking_clip(detect.people("challenge", 1)[0], seconds=1.5, size=64, seed=3)
    out = detect.pretrained("clip").score_clip(clip)
    assert set(out) == {"face", "voice", "sync", "fake", "category"}, out
    assert all(0 <= out[k] <= 1 for k in ("face", "voice", "sync", "fake")), out
    assert out["category"] in (0, 1, 2, 3)


def test_clip_category_reads_the_sign_of_the_sync_score(monkeypatch):
    """Lips that disagree with the voice accuse the voice (a dub); lips re-drawn from it accuse the video.

    The offsets are those measured on FAST clips: dubs 10-30 real standard deviations above, re-drawn lips 2-4 below.
    """
    from course_lib import forensics

    det = detect.pretrained("clip")
    clip = synth.talking_clip(detect.people("challenge", 1)[0], seconds=1.5, size=64, seed=3)
    mean, std = det.sync_ref
    out = {}
    for name, score in (("as real", mean), ("dub", mean + 25 * std), ("redrawn", mean - 6 * std)):
        monkeypatch.setattr(forensics, "av_sync_score", lambda c, use="landmarks", s=score: s)
        out[name] = det.score_clip(clip)
    face_bit = 2 * int(out["as real"]["face"] >= 0.5)
    assert out["as real"]["sync"] < 0.5, f"a clip synced like a real one got P(sync fake) {out['as real']['sync']:.2f}"
    assert out["dub"]["category"] == 1 + face_bit, f"lips that disagree with the voice were called {out['dub']}"
    assert out["redrawn"]["category"] & 2, f"lips that follow the voice too closely were not a fake video: {out}"
    assert out["redrawn"]["sync"] >= 0.5 and out["dub"]["sync"] >= 0.5, out


@pytest.mark.parametrize("kind", detect.KINDS)
def test_save_and_load_round_trip_gives_the_same_scores(kind, tmp_path, frames):
    det = detect.pretrained(kind)
    again = detect.load(det.save(tmp_path / f"{kind}.pt"))
    if kind == "clip":
        clip = synth.talking_clip(detect.people("challenge", 1)[0], seconds=1.5, size=64, seed=4)
        a, b = det.score_clip(clip), again.score_clip(clip)
        assert a == pytest.approx(b, abs=2e-3), "the clip detector scores differently after save and load"
    elif kind == "audio":
        wave = [synth.speak(detect.people("challenge", 1)[0], "another line", seed=2).audio]
        assert np.allclose(det.score(wave), again.score(wave), atol=2e-3)
    else:
        assert np.allclose(det.score(frames[64]), again.score(frames[64]), atol=2e-3), \
            f"the {kind} detector scores differently after save and load"


def test_a_damaged_detector_file_is_refused_with_a_checkpoint_error(tmp_path):
    path = detect.pretrained("frequency").save(tmp_path / "freq.pt")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(checkpoints.CheckpointError, match="corrupted"):
        detect.load(path)


def test_an_image_detector_file_from_before_the_face_crop_is_refused(tmp_path):
    """A whole-frame detector's weights fit the face network's shapes; loading them would give wrong scores silently."""
    det = detect.pretrained("image")
    state = {k: v for k, v in det._state().items() if k != "face_box"}
    path = checkpoints.save(tmp_path / "whole_frame.pt", state, {"kind": "image", "temperature": 1.0, "held_out": {}})
    with pytest.raises(checkpoints.CheckpointError, match="save it again"):
        detect.load(path)


@pytest.mark.parametrize("size", [64, 96, 256])
def test_the_face_box_holds_every_landmark_of_the_course_framing(size):
    """The image detector reads only FACE_BOX: every face synth.render_batch frames, in every pose, must be inside."""
    n = 300
    people = [synth.identity(detect.PEOPLE_SEED + 50_000 + i) for i in range(n)]
    pts = synth.render_batch(people, synth.random_states(n, size), size=size, seed=size).landmarks * detect.SIZE / size
    x0, y0, x1, y1 = detect.FACE_BOX
    outside = (pts[..., 0] < x0) | (pts[..., 0] > x1) | (pts[..., 1] < y0) | (pts[..., 1] > y1)
    bad = pts[outside.any(1)]
    assert not len(bad), (f"{len(bad)} of {n} faces at {size}×{size} have landmarks outside FACE_BOX "
                          f"{detect.FACE_BOX}, e.g. x {bad[0, :, 0].min():.1f}-{bad[0, :, 0].max():.1f}, "
                          f"y {bad[0, :, 1].min():.1f}-{bad[0, :, 1].max():.1f}")


def test_the_image_detector_ignores_the_background_outside_the_face_box(frames):
    x0, y0, x1, y1 = detect.FACE_BOX
    keep = np.zeros((detect.SIZE, detect.SIZE), bool)
    keep[y0 - 2:y1 + 2, x0 - 2:x1 + 2] = True  # the high-pass residual reads 2 pixels around the square
    painted = np.where(keep[None, :, :, None], frames[64], np.float32(0.9))
    det = detect.pretrained("image")
    assert np.allclose(det.score(frames[64]), det.score(painted), atol=1e-5), \
        "repainting the background outside the face square changed the image detector's scores"


def test_a_checkpoint_that_is_not_a_detector_is_refused(tmp_path):
    import torch

    path = checkpoints.save(tmp_path / "other.pt", {"w": torch.zeros(2)}, {"kind": "swap"})
    with pytest.raises(checkpoints.CheckpointError, match="no detector"):
        detect.load(path)


@pytest.mark.parametrize("images, match", [
    (np.zeros((2, 32, 32, 3), np.float32), "64×64"),
    (np.zeros((64, 64, 3), np.float32), "img\\[None\\]"),
    (np.full((1, 64, 64, 3), np.nan, np.float32), "NaN"),
    (np.full((1, 64, 64, 3), 255.0, np.float32), "255"),
    ("frames.png", "images"),
])
def test_bad_images_get_a_clear_error_naming_the_argument(images, match):
    with pytest.raises(ValueError, match=match):
        detect.pretrained("image").score(images)


@pytest.mark.parametrize("waves, sr, match", [
    ([np.zeros(16_000, np.float32)], 44_100, "sample_rate"),
    (np.zeros(16_000, np.float32), 16_000, r"\[wave\]"),
    ([np.zeros(100, np.float32)], 16_000, "shorter"),
    ([np.full(16_000, 3.0, np.float32)], 16_000, "waves\\[0\\]"),
    ("speech.wav", 16_000, "waves"),
])
def test_bad_audio_gets_a_clear_error_naming_the_argument(waves, sr, match):
    with pytest.raises(ValueError, match=match):
        detect.pretrained("audio").score(waves, sr)


def test_unknown_detector_kind_and_non_clip_are_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        detect.pretrained("video")
    with pytest.raises(ValueError, match="clip"):
        detect.pretrained("clip").score_clip(np.zeros((4, 64, 64, 3)))


def test_no_person_is_in_two_splits():
    images = detect.image_dataset(6, people_per_split=3, seed=3)
    voices = detect.audio_dataset(4, ("conversion",), speakers_per_split=1, seed=3)
    for data in (images, voices):
        seen = {s: data.people(s) for s in ("train", "val", "test")}
        assert all(seen.values()), f"a split has no people: {seen}"
        for a, b in (("train", "val"), ("train", "test"), ("val", "test")):
            assert not seen[a] & seen[b], f"{sorted(seen[a] & seen[b])} appear in both {a} and {b}"
    made_from = {r["made_from"] for r in images.manifest + voices.manifest} - {None}
    assert made_from <= {detect.SWAP_TO, detect.ACTOR}
    assert not made_from & (images.people() | voices.people()), "a generator's own identity is also a real sample"
    assert set(images.column("generator")) == {"real", *detect.IMAGE_GENERATORS}


def test_shipped_image_detector_beats_chance_on_people_it_never_saw(fresh_images):
    auc = detect.roc_auc(fresh_images.labels, detect.pretrained("image").score(fresh_images.items))
    assert auc >= 0.8, f"the shipped image detector's AUC on fresh people is {auc:.2f}"


def test_a_detector_trained_on_shuffled_labels_is_at_chance(fresh_images):
    train = detect.image_dataset(40, splits=("train",), people_per_split=8, seed=12)
    rng = np.random.default_rng(0)
    honest = detect.FrequencyDetector().fit(train.items, train.labels)
    control = detect.FrequencyDetector().fit(train.items, rng.permutation(train.labels))
    y = fresh_images.labels
    auc_honest = detect.roc_auc(y, honest.score(fresh_images.items))
    auc_control = detect.roc_auc(y, control.score(fresh_images.items))
    assert abs(auc_control - 0.5) < 0.2, f"a detector that learned from shuffled labels scored AUC {auc_control:.2f}"
    assert auc_honest > auc_control + 0.1, (auc_honest, auc_control)


def test_shipped_audio_detector_beats_chance_on_speakers_it_never_saw():
    voices = detect.audio_dataset(30, ("conversion",), splits=("challenge",), speakers_per_split=2, seed=13)
    auc = detect.roc_auc(voices.labels, detect.pretrained("audio").score(voices.items))
    assert auc >= 0.75, f"the shipped audio detector's AUC on fresh speakers is {auc:.2f}"


def test_metrics_match_their_definitions():
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.4, 0.35, 0.8])
    by_hand = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert detect.log_loss(y, p) == pytest.approx(by_hand)
    assert detect.roc_auc(y, p) == pytest.approx(0.75)
    assert detect.accuracy_at(y, p, 0.5) == pytest.approx(0.75)
    assert detect.eer(y, [0, 0.1, 0.9, 1])[0] == 0.0
    assert detect.eer(y, p)[0] == pytest.approx(0.5)
    rel = detect.reliability(y, p, bins=5)
    assert rel["count"].sum() == 4


def test_temperature_scaling_repairs_an_overconfident_detector():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 400)
    logits = 8 * ((2 * y - 1) + rng.normal(0, 1.2, 400))  # right on average, far too sure
    t = detect.fit_temperature(logits, y)
    assert t > 2, f"temperature {t:.2f} should be well above 1 for overconfident logits"
    before = detect.log_loss(y, 1 / (1 + np.exp(-logits)))
    after = detect.log_loss(y, 1 / (1 + np.exp(-logits / t)))
    assert after < before, (before, after)


def test_frame_scores_aggregate_to_one_score_per_clip():
    ids, scores = detect.aggregate([0.1, 0.3, 0.9, 0.7, 0.8], ["a", "a", "b", "b", "b"])
    assert list(ids) == ["a", "b"] and scores == pytest.approx([0.2, 0.8])
    with pytest.raises(ValueError, match="how must be one of"):
        detect.aggregate([0.1], ["a"], how="vote")
    with pytest.raises(ValueError, match="both real"):
        detect.roc_auc([1, 1], [0.2, 0.3])


def test_spread_frames_cover_the_clip_from_first_to_last_without_repeats():
    assert list(detect.spread(10, 4)) == [0, 3, 6, 9]
    assert list(detect.spread(3, 8)) == [0, 1, 2]  # fewer frames than asked: each once
    assert list(detect.spread(1, 5)) == [0]
    with pytest.raises(ValueError, match="count"):
        detect.spread(10, 0)


def _toy_images(seed: int = 0, per_split: dict | None = None) -> detect.Dataset:
    """A tiny image set in seconds: flat random frames, each generator adding its own stripes or checks."""
    per_split = per_split or {"train": 24, "test": 12}
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:64, :64]
    marks = {"classical": ((yy // 4 + xx // 4) % 2) * 0.3, "autoencoder": (xx % 8 < 4) * 0.3,
             "gan": (yy % 6 < 3) * 0.3}  # coarse enough to survive the training augmentations
    items, labels, manifest = [], [], []
    for split, n in per_split.items():
        for gen in detect.IMAGE_GENERATORS:
            base = rng.uniform(0.2, 0.6, (2 * n, 1, 1, 3)) + rng.normal(0, 0.02, (2 * n, 64, 64, 3))
            base[n:] += marks[gen][None, :, :, None]
            items.append(base.clip(0, 1).astype(np.float32))
            labels += [0] * n + [1] * n
            manifest += [dict(split=split, generator="real", label=0, people=(), pair=gen)] * n
            manifest += [dict(split=split, generator=gen, label=1, people=(), pair=gen)] * n
    return detect.Dataset(np.concatenate(items), np.array(labels), manifest)


def test_generalisation_matrix_has_a_row_per_training_generator_and_a_column_per_tested_one():
    data = _toy_images()
    out = detect.generalisation_matrix(data, epochs=3)
    k = len(detect.IMAGE_GENERATORS)
    assert out["generators"] == detect.IMAGE_GENERATORS
    assert out["auc"].shape == (k, k), f"the matrix is {out['auc'].shape}, expected one row and column per generator"
    assert np.all((out["auc"] >= 0) & (out["auc"] <= 1)), out["auc"]
    assert np.diag(out["auc"]).min() > 0.8, f"a detector missed the generator it trained on: {out['auc']}"
    test_counts = [len(data.part("test", g)) for g in detect.IMAGE_GENERATORS]
    assert list(out["n_test"]) == test_counts, "each column must be measured on that generator's test split"


def test_generalisation_matrix_scores_only_the_test_split():
    data = _toy_images()
    test = data.column("split") == "test"
    data.items[test] = data.items[test][0]  # every test frame the same: no detector can tell them apart
    auc = detect.generalisation_matrix(data, ("classical", "gan"), epochs=3)["auc"]
    assert np.allclose(auc, 0.5), f"identical test frames must give AUC 0.5 everywhere, got {auc} (training data?)"


@pytest.mark.parametrize("call, match", [
    (lambda d: detect.generalisation_matrix("images"), "data"),
    (lambda d: detect.generalisation_matrix(detect.Dataset([np.zeros(4000)] * 2, np.array([0, 1]), [])), "image"),
    (lambda d: detect.generalisation_matrix(d, ("classical", "deepfacelab")), "generators"),
    (lambda d: detect.generalisation_matrix(d.part("train")), "'test' split"),
    (lambda d: detect.generalisation_matrix(d, epochs=0), "epochs"),
])
def test_generalisation_matrix_refuses_bad_input_with_a_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call(_toy_images(per_split={"train": 4, "test": 4}))


def test_fit_reports_each_epoch_of_one_schedule_to_on_epoch():
    import torch

    data = _toy_images(per_split={"train": 16, "test": 4})
    train = data.part("train")
    seen = []

    def record(epoch, detector):
        seen.append((epoch, detector.score(train.items[:4])))

    torch.manual_seed(0)  # the same initial weights for both detectors
    det = detect.ImageDetector()
    assert det.fit(train.items, train.labels, epochs=3, seed=1, on_epoch=record) is det
    assert [e for e, _ in seen] == [1, 2, 3], f"on_epoch should be called once after each epoch, got {seen}"
    assert seen[0][1].shape == (4,) and np.all((seen[0][1] >= 0) & (seen[0][1] <= 1)), "the callback can score"
    torch.manual_seed(0)
    quiet = detect.ImageDetector().fit(train.items, train.labels, epochs=3, seed=1)
    assert np.allclose(quiet.score(train.items), det.score(train.items), atol=1e-5), \
        "watching the epochs must not change the training: the same seed gives the same detector"


def test_fit_refuses_an_on_epoch_that_is_not_a_function():
    data = _toy_images(per_split={"train": 4, "test": 4})
    train = data.part("train")
    with pytest.raises(TypeError, match="on_epoch must be a function"):
        detect.ImageDetector().fit(train.items, train.labels, epochs=1, on_epoch="plot")
