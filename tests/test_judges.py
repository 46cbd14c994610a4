"""course_lib.judges: the shared network base (small_cnn, fit, recalibrate) that the judges and lab 07's detectors use.

The judges themselves are trained and measured in test_gan.py (lab 04's) and test_voice.py (lab 05's speaker
judge); here the pieces every image network shares, on tiny untrained networks, and FAST mode's shipped judges.
"""
import numpy as np
import pytest
import torch

from course_lib import datasets, judges, pretrained, swap, synth


@pytest.fixture(scope="module")
def faces():
    return datasets.load_synthetic_faces(12, 32, seed=4).images


def test_recalibrate_sets_batch_norm_statistics_to_the_plain_average_over_the_images(faces):
    net = judges.small_cnn(2, 32, width=4)
    out = judges.recalibrate(net, faces)
    assert out is net and not net.training, "the network comes back, in eval mode"
    with torch.no_grad():
        first = net[0](torch.from_numpy(np.ascontiguousarray(faces.transpose(0, 3, 1, 2))))
    assert torch.allclose(net[1].running_mean, first.mean((0, 2, 3)), atol=1e-5), \
        "the first batch norm's mean is the mean of its inputs over every image"
    assert torch.allclose(net[1].running_var, first.var((0, 2, 3), unbiased=True), rtol=1e-4, atol=1e-6)
    assert net[1].momentum == 0.1, "later training uses batch norm's usual momentum again"


def test_recalibrate_of_a_judge_checks_the_images_against_the_judges_size(faces):
    judge = judges.Judge("test", judges.small_cnn(2, 32, width=4), "classes", ("a", "b"), 32)
    assert judges.recalibrate(judge, faces) is judge
    with pytest.raises(ValueError, match="expects 32×32 images"):
        judges.recalibrate(judge, datasets.load_synthetic_faces(2, 64, seed=0).images)


def test_recalibrate_says_what_it_needs_when_given_something_else(faces):
    with pytest.raises(ValueError, match="recalibrate: model: give a Judge or Module"):
        judges.recalibrate("a judge", faces)
    with pytest.raises(ValueError, match="recalibrate: images"):
        judges.recalibrate(judges.small_cnn(2, 32, width=4), faces[0])


def test_fit_trains_a_small_cnn_to_separate_two_easy_classes(faces):
    x = np.concatenate([faces, faces[:, ::-1, ::-1]])  # upright and upside-down faces
    y = np.r_[np.ones(len(faces), int), np.zeros(len(faces), int)]
    net = judges.fit(judges.small_cnn(2, 32, width=4), x, y, "classes", epochs=15, seed=0, batch=8)
    judges.recalibrate(net, x)
    with torch.no_grad():
        pred = net(torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))).argmax(1).numpy()
    assert (pred == y).mean() >= 0.9, f"training accuracy {(pred == y).mean():.2f} on upright vs upside-down faces"


# ----------------------------------------------------------------------------------------------------
# Precision and recall (Kynkäänniemi et al. 2019), and the damaged faces the face judge must reject

def _brute_precision_recall(real, fake, k):
    """The definition, written out with full distance matrices."""
    def radii(x):
        d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
        return np.sort(d, axis=1)[:, k]  # column 0 is the sample itself

    cross = np.sqrt(((fake[:, None] - real[None]) ** 2).sum(-1))  # fake × real
    precision = (cross <= radii(real)[None, :]).any(1).mean()
    recall = (cross.T <= radii(fake)[None, :]).any(1).mean()
    return precision, recall


def test_precision_and_recall_are_one_for_identical_sets():
    x = np.random.default_rng(0).normal(size=(50, 8))
    assert judges.precision_recall(x, x.copy()) == (1.0, 1.0)


def test_precision_and_recall_are_zero_for_a_set_far_away():
    rng = np.random.default_rng(1)
    assert judges.precision_recall(rng.normal(size=(40, 5)), rng.normal(size=(40, 5)) + 100) == (0.0, 0.0)


def test_a_collapsed_fake_set_has_high_precision_and_low_recall():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(200, 4))
    fake = real[0] + 0.01 * rng.normal(size=(200, 4))  # every sample near one real point: mode collapse
    precision, recall = judges.precision_recall(real, fake)
    assert precision >= 0.9, f"samples on the real manifold must count as precise, got {precision:.2f}"
    assert recall <= 0.1, f"one point cannot cover the real manifold, got recall {recall:.2f}"


@pytest.mark.parametrize("k", [1, 3, 5])
def test_precision_recall_matches_the_brute_force_definition(k):
    rng = np.random.default_rng(k)
    real, fake = rng.normal(size=(60, 6)), rng.normal(size=(45, 6)) * 1.3 + 0.4
    got = judges.precision_recall(real, fake, k=k)
    assert np.allclose(got, _brute_precision_recall(real, fake, k)), f"k={k}: {got}"


def test_precision_recall_names_the_bad_argument():
    x = np.zeros((10, 4)) + np.arange(10)[:, None]
    with pytest.raises(ValueError, match="real_feats must be an N×D array"):
        judges.precision_recall(x[0], x)
    with pytest.raises(ValueError, match="same width"):
        judges.precision_recall(x, x[:, :3])
    with pytest.raises(ValueError, match="fake_feats needs at least k \\+ 1 = 4 rows"):
        judges.precision_recall(x, x[:3])
    with pytest.raises(ValueError, match="fake_feats holds NaN"):
        judges.precision_recall(x, np.where(x == 2, np.nan, x))
    with pytest.raises(ValueError, match="k must be a positive whole number"):
        judges.precision_recall(x, x, k=0)


def test_damaged_faces_blur_erase_and_mismatch_real_faces():
    faces = datasets.load_synthetic_faces(8, 64, seed=4)
    damaged = judges.damaged_faces(faces, seed=1)
    assert damaged.shape == faces.images.shape and damaged.dtype == np.float32
    assert 0 <= damaged.min() and damaged.max() <= 1
    diff = np.abs(damaged - faces.images).mean(axis=(1, 2, 3))
    assert (diff > 0.001).all(), f"every face must be visibly damaged, mean changes {diff.round(4)}"
    sharp = lambda im: np.abs(np.diff(im, axis=0)).mean()  # noqa: E731
    assert sharp(damaged[0]) < 0.6 * sharp(faces.images[0]), "face 0 is blurred"
    eyes = faces.landmarks[1, 36:48].astype(int)
    assert not np.allclose(damaged[1][eyes[:, 1], eyes[:, 0]], faces.images[1][eyes[:, 1], eyes[:, 0]]), \
        "face 1's eyes are painted over"
    mouth = faces.landmarks[2, 48:60].astype(int)
    assert not np.allclose(damaged[2][mouth[:, 1], mouth[:, 0]], faces.images[2][mouth[:, 1], mouth[:, 0]]), \
        "face 2's mouth is painted over"
    assert np.allclose(damaged[3][:, :32], faces.images[3][:, :32]), "face 3 keeps its own left half"
    assert not np.allclose(damaged[3][:, 32:], faces.images[3][:, 32:]), "and gets another face's right half"
    assert np.array_equal(damaged, judges.damaged_faces(faces, seed=1)), "the same seed, the same damage"


def test_damaged_faces_needs_landmarks_and_two_faces():
    faces = datasets.load_synthetic_faces(2, 32, seed=0)
    with pytest.raises(ValueError, match="damaged_faces: faces.images"):
        judges.damaged_faces(faces.images)
    with pytest.raises(ValueError, match="at least 2 faces"):
        judges.damaged_faces(datasets.SyntheticFaces(faces.images[:1], faces.landmarks[:1], faces.masks[:1],
                                                     faces.seeds[:1]))


def test_the_face_judge_is_examined_on_damage_it_never_learnt_from():
    exam, lesson = judges.EXAM_DAMAGE, judges.LESSON_DAMAGE
    overlap = lambda a, b: a[0] <= b[1] and b[0] <= a[1]  # noqa: E731 - two closed intervals meet
    assert not any(overlap(e, l) for e in exam["blur"] for l in lesson["blur"]), \
        f"the exam's blur {exam['blur']} must not reuse a blur the judge learnt from {lesson['blur']}"
    assert not overlap(exam["pad"], lesson["pad"]), "the exam erases with other margins than the lessons"
    assert exam["eyes"] != lesson["eyes"], "the exam erases another number of eyes than the lessons"
    seams = (lesson["seam"], (1 - lesson["seam"][1], 1 - lesson["seam"][0]))  # the lessons' seams, both sides
    assert not any(overlap(exam["seam"], s) for s in seams), "the exam's seam lies where no lesson put one"


def test_face_negatives_are_a_quarter_non_faces_and_the_rest_damaged_faces():
    faces = datasets.load_synthetic_faces(8, 64, seed=4)
    negatives = judges.face_negatives(faces, seed=2)
    assert negatives.shape == faces.images.shape and negatives.dtype == np.float32
    assert np.array_equal(negatives[:2], datasets.non_faces(faces.images[:2], 2)), "the first quarter: non-faces"
    diff = np.abs(negatives[2:] - faces.images[2:]).mean(axis=(1, 2, 3))
    assert (diff > 0.001).all(), f"the rest are the other faces, damaged: mean changes {diff.round(4)}"
    assert np.array_equal(negatives, judges.face_negatives(faces, seed=2)), "the same seed, the same negatives"
    with pytest.raises(ValueError, match="face_negatives: need at least 4 faces"):
        judges.face_negatives(datasets.SyntheticFaces(faces.images[:3], faces.landmarks[:3], faces.masks[:3],
                                                      faces.seeds[:3]))


def test_damaged_rejection_is_the_share_the_face_judge_rejects(faces):
    judge = judges.Judge("face", judges.small_cnn(2, 32, width=4), "classes", ("not a face", "face"), 32)
    assert judges.damaged_rejection(faces, judge) == pytest.approx(1 - judges.face_rate(faces, judge))
    by_kind = judges.damaged_rejection(faces, judge, by_kind=True)  # 12 faces: 3 of each kind, face i has kind i % 4
    assert tuple(by_kind) == judges.DAMAGE_KINDS, "one share per kind of damage, in damaged_faces' order"
    rejected = judge.predict(faces) == 0
    assert by_kind["halves"] == pytest.approx(rejected[3::4].mean()), "halves are faces 3, 7, 11"
    assert np.mean(list(by_kind.values())) == pytest.approx(judges.damaged_rejection(faces, judge))


# ----------------------------------------------------------------------------------------------------
# FAST mode's judges ship with the course (course_lib/pretrained/judge-NAME-fast.pt)

SHIPPED_JUDGES = {  # shipped name -> the call labs 03 (through swap.evaluate) and 04 (gan.Yardstick) make in FAST mode
    "judge-identity-fast": lambda: judges.identity_judge(sorted(synth.CAST), size=64, zoom=swap.ZOOM, mode="fast"),
    "judge-expression-fast": lambda: judges.expression_judge(size=64, zoom=swap.ZOOM, mode="fast"),
    "judge-attributes-fast": lambda: judges.attribute_judge(64, mode="fast"),
    "judge-face-fast": lambda: judges.face_judge(64, mode="fast"),
}


@pytest.fixture()
def no_judge_training(monkeypatch):
    """Make any attempt to draw a judge's training data fail at once, naming the fix."""
    def refuse(*args, **kwargs):
        raise AssertionError("a FAST judge was trained instead of loaded from course_lib/pretrained: the shipped "
                             "file was made by another recipe than the code's; rebuild it with "
                             "python -m course_lib.pretrained build judge-NAME-fast")

    for name in ("aligned_faces", "load_synthetic_faces"):
        monkeypatch.setattr(judges.datasets, name, refuse)


@pytest.mark.parametrize("name", SHIPPED_JUDGES)
def test_the_labs_fast_judges_are_the_shipped_weights_not_a_new_training(name, no_judge_training, isolated_cache):
    state, meta = pretrained.load(name)  # checksum verified, weights_only=True
    judge = SHIPPED_JUDGES[name]()
    got = judge.net.state_dict()
    assert set(got) == set(state) and all(torch.equal(got[k], v) for k, v in state.items()), \
        f"{name}: the lab's judge must carry the shipped weights"
    assert judge.held_out == meta["held_out"], "the judge reports the held-out score recorded when it was built"
    assert meta["key"] == judges._judge_key(judge.name, judge.settings), f"{name} records the recipe it was made by"
    assert not (isolated_cache / "judges").exists(), "loading a shipped judge writes nothing to the course cache"


@pytest.fixture(scope="module")
def fresh_cast():
    """Real, aligned, masked renders of every cast member in poses no judge trained on (seeds 9000+)."""
    names = sorted(synth.CAST)
    people, states, labels = [], [], []
    for k, name in enumerate(names):
        people += [synth.cast(name)] * 6
        states += synth.random_states(6, seed=9000 + k)
        labels += [k] * 6
    imgs, masks, _ = datasets.aligned_faces(people, states, 64, swap.ZOOM, seed=9000)
    return imgs, masks, np.array(labels), states


def test_the_shipped_identity_judge_names_cast_members_in_poses_it_never_saw(fresh_cast):
    imgs, masks, labels, _ = fresh_cast
    accuracy = float((SHIPPED_JUDGES["judge-identity-fast"]().predict(imgs, masks) == labels).mean())
    assert accuracy >= 0.7, f"the shipped identity judge named {accuracy:.0%} of 48 fresh cast faces (chance: 12%)"


def test_the_shipped_expression_judge_reads_the_mouth_of_people_it_never_saw():
    people = [synth.identity(900_000 + i) for i in range(48)]  # not the 10,000+ people it learned from
    states = synth.random_states(48, seed=9100)
    imgs, masks, _ = datasets.aligned_faces(people, states, 64, swap.ZOOM, seed=9100)
    read = SHIPPED_JUDGES["judge-expression-fast"]().predict(imgs, masks)
    r = float(np.corrcoef(read[:, 0], [s.mouth_open for s in states])[0, 1])
    assert r >= 0.75, f"the shipped expression judge's mouth reading should follow the truth on fresh people, r = {r:.2f}"


def test_the_shipped_face_and_attribute_judges_work_on_fresh_people_once_recalibrated():
    fresh = datasets.load_synthetic_faces(72, 64, seed=9200)  # people no judge (seeds 500, 900) trained on
    calibration = datasets.load_synthetic_faces(72, 64, seed=9201)
    faces_judge, attributes = SHIPPED_JUDGES["judge-face-fast"](), SHIPPED_JUDGES["judge-attributes-fast"]()
    judges.recalibrate(faces_judge, np.concatenate([calibration.images, judges.face_negatives(calibration, 0)]))
    judges.recalibrate(attributes, calibration.images)  # as gan.Yardstick does
    x = np.concatenate([fresh.images, datasets.non_faces(fresh.images, 1)])
    face_acc = float((faces_judge.predict(x) == np.repeat([1, 0], len(fresh.images))).mean())
    assert face_acc >= 0.9, f"the shipped face judge told {face_acc:.0%} of fresh faces and non-faces apart"
    accepted = judges.face_rate(fresh.images, faces_judge)
    assert accepted >= 0.9, f"the shipped face judge accepted {accepted:.0%} of fresh real faces"
    rejected = judges.damaged_rejection(judges.damaged_faces(fresh, 3), faces_judge)
    assert rejected >= 0.8, f"the shipped face judge rejected only {rejected:.0%} of fresh faces damaged in ways " \
        "it never learnt (blurred, both eyes or the mouth erased, halves of two faces): its face rate cannot fail"
    bins = np.array([judges.attribute_bin(p) for p in fresh.identities()])
    attr_acc = float((attributes.predict(fresh.images) == bins).mean())
    assert attr_acc >= 3 / 18, f"the shipped attribute judge put {attr_acc:.0%} of fresh faces in the right bin " \
        "(chance: 6%)"


def test_a_judge_with_other_settings_than_the_shipped_one_does_not_load_it():
    def build(train):
        raise AssertionError("the shipped judge must not be built for settings it was not made with")

    settings = dict(size=32, n=1000, seed=0, epochs=10, negatives="non-faces+lesson-damage/v1")  # FAST, at 32×32
    assert judges._shipped("face", settings, build) is None


def test_building_a_shipped_judge_trains_afresh_and_records_its_recipe(isolated_cache):
    make = lambda: judges.face_judge(32, n=16, mode="fast")  # noqa: E731 - a tiny recipe, trained in seconds
    state, meta = judges._build_shipped(make, "16 faces of seed 900 and non-faces of them")
    assert not (isolated_cache / "judges").exists(), "a judge built to ship bypasses the course cache"
    assert meta["key"] == judges._judge_key("face", dict(size=32, n=16, seed=0, epochs=10,
                                                         negatives="non-faces+lesson-damage/v1"))
    assert set(meta) >= {"held_out", "settings", "trained_on", "train_s", "machine"}
    again, _ = judges._build_shipped(make, "the same")
    assert all(torch.equal(state[k], again[k]) for k in state), "the same recipe trains the same weights"
