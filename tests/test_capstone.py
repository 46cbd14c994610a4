"""Lab 09's capstone library: the held-back set, the evidence, the reference pipeline, submissions, the claims table."""
import numpy as np
import pytest
from sklearn.metrics import f1_score

from course_lib import capstone, categories, synth

N = len(capstone.EVIDENCE)
TINY = dict(validation=1, held_back=2, seconds=2.0, size=64)  # one clip per recipe would be 8 a split


@pytest.fixture(scope="module")
def tiny_set():
    """A small capstone set (1 validation and 2 held-back clips per class), made once for the module."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(capstone.SIZES, "fast", TINY)
        return capstone.make_set("fast", seed=3)


def perfect(cs):
    """The submission that gets every held-back clip right, from the set's private answer key."""
    return {i: cs._key[i]["category"] for i in cs.clip_ids}


# ------------------------------------------------------------------------------------------- the held-back set

def test_held_back_clips_carry_no_labels_and_only_what_a_detector_may_see(tiny_set):
    for item in tiny_set.held_back:
        assert item.category is None, f"{item.clip_id}: a held-back clip shows its class {item.category}"
        assert set(item.clip.truth) == {"landmarks", "labels"}, (
            f"{item.clip_id}: the clip's truth still says {sorted(item.clip.truth)}; only landmarks may remain")
        assert item.clip.labels == capstone.HELD_BACK, "a held-back clip's .labels must not reveal its tracks"
        with pytest.raises(ValueError, match="labels"):
            categories.category(item.clip.labels)  # refused, rather than called real


def test_every_class_is_in_both_splits_in_equal_numbers(tiny_set):
    for split, n in (("validation", TINY["validation"]), ("held_back", TINY["held_back"])):
        classes = [tiny_set._key[it.clip_id]["category"] for it in getattr(tiny_set, split)]
        assert sorted(classes) == sorted(list(capstone.CLASSES) * n), f"{split} has classes {sorted(classes)}"
    assert [it.category for it in tiny_set.validation] == [tiny_set._key[it.clip_id]["category"]
                                                           for it in tiny_set.validation]


def test_validation_and_held_back_show_different_people_some_never_seen_before(tiny_set):
    people = {split: {tiny_set._key[it.clip_id]["person"] for it in getattr(tiny_set, split)}
              for split in ("validation", "held_back")}
    assert not people["validation"] & people["held_back"], f"people in both splits: {people}"
    assert any(tiny_set._key[i]["new_person"] for i in tiny_set.clip_ids), "no held-back person is new to the course"


def test_a_share_of_the_held_back_clips_is_reencoded(tiny_set):
    again = [tiny_set._key[i]["reencoded"] for i in tiny_set.clip_ids]
    assert sum(again) == round(capstone.REENCODE_SHARE * len(again)), f"re-encoded: {again}"
    assert not any(tiny_set._key[it.clip_id]["reencoded"] for it in tiny_set.validation)


def test_more_validation_clips_leave_the_held_back_clips_as_they_were(tiny_set, monkeypatch):
    # each split has its own random stream, so a larger validation set can be compared on the same held-back clips
    monkeypatch.setitem(capstone.SIZES, "fast", dict(TINY, validation=2))
    bigger = capstone.make_set("fast", seed=3)
    assert len(bigger.validation) == 2 * len(tiny_set.validation)
    assert bigger.clip_ids == tiny_set.clip_ids and bigger.recipes() == tiny_set.recipes()
    for a, b in zip(bigger.held_back, tiny_set.held_back):
        assert np.array_equal(a.clip.frames, b.clip.frames), \
            f"held-back clip {a.clip_id} changed with the validation size"


def test_every_recipe_makes_the_class_it_claims():
    maker = capstone._Maker(seconds=1.0, size=64)
    person, donor = synth.identity(capstone.PEOPLE_SEED + 7), synth.identity(capstone.PEOPLE_SEED + 8)
    for recipe, (cat, _) in capstone.RECIPES.items():
        clip = maker.make(recipe, person, donor, seed=11)
        assert categories.category(clip.labels) == cat, f"{recipe} made a class-{categories.category(clip.labels)} clip"
        assert clip.frames.shape[1:] == (64, 64, 3) and len(clip.audio) == len(clip.frames) * 640


def test_evidence_after_the_round_trip_is_the_evidence_of_the_reencoded_copies(tiny_set):
    items = tiny_set.validation[:2]
    streamed = capstone.evidence_table(items, round_trip=True)
    held = capstone.evidence_table(capstone.reencoded(items))
    assert np.allclose(streamed, held), "round_trip=True measured something other than the re-encoded copies"
    assert not np.allclose(streamed, capstone.evidence_table(items)), "round_trip=True did not re-encode"


def test_reencoding_keeps_the_shape_and_changes_the_pixels():
    clip = synth.talking_clip(synth.identity(capstone.PEOPLE_SEED + 3), seconds=1.0, size=64, seed=1)
    again = capstone.reencode(clip)
    assert again.frames.shape == clip.frames.shape and again.audio.shape == clip.audio.shape
    err = float(np.abs(again.frames - clip.frames).mean())
    assert 0.002 < err < 0.1, f"a low-quality round trip should change pixels a little; mean change {err:.4f}"


def test_visible_strips_everything_but_the_landmarks():
    clip = synth.talking_clip(synth.cast("ada"), seconds=1.0, size=64, seed=0)
    seen = capstone.visible(clip)
    assert set(seen.truth) == {"landmarks", "labels"} and np.array_equal(seen.frames, clip.frames)
    assert seen.labels == capstone.HELD_BACK and clip.labels == synth.REAL_LABELS


# ------------------------------------------------------------------------------------------- evidence, pipeline

def test_evidence_gives_every_cue_as_a_finite_number(tiny_set):
    e = capstone.evidence(tiny_set.validation[0].clip)
    assert set(e) == set(capstone.EVIDENCE) and all(np.isfinite(v) for v in e.values()), e


def _table(y, reencoded, rng):
    """Evidence rows in which face, voice and sync carry the class, and re-encoding lowers the face score."""
    x = rng.normal(0, 0.1, (len(y), len(capstone.EVIDENCE)))
    col = {name: capstone.EVIDENCE.index(name) for name in ("face", "voice", "sync", "error_level")}
    x[:, col["face"]] += np.where(y == 2, 2.0, 0.0) - 1.5 * reencoded  # a blurred copy looks less fake ...
    x[:, col["error_level"]] += reencoded  # ... and a re-encoding leaves its own trace
    x[:, col["voice"]] += np.where(y == 1, 1.0, 0.0)
    x[:, col["sync"]] += np.select([y == 1, y == 3], [2.0, -2.0], 0.0)
    return x


def test_reference_pipeline_recovers_classes_the_evidence_separates():
    rng = np.random.default_rng(0)
    y = np.repeat(capstone.CLASSES, 10)
    reference = capstone.fit_reference(_table(y, 0.0, rng), y)
    test = _table(y, 0.0, rng)
    assert capstone.macro_f1(y, capstone.predict_reference(test, reference)) == 1.0, reference.c
    assert reference.c in capstone.C_GRID, reference.c


def test_reencoded_copies_teach_the_reference_what_reencoding_does():
    rng = np.random.default_rng(1)
    y = np.repeat(capstone.CLASSES, 10)
    clean, again = _table(y, 0.0, rng), _table(y, 1.0, rng)
    test = _table(y, 1.0, rng)  # held-back clips, all re-encoded
    plain = capstone.macro_f1(y, capstone.predict_reference(test, capstone.fit_reference(clean, y)))
    taught = capstone.macro_f1(y, capstone.predict_reference(test, capstone.fit_reference(clean, y, again=again)))
    assert taught == 1.0 and plain < 0.9, f"macro-F1 on re-encoded clips: {plain:.2f} without copies, {taught:.2f} with"


def test_cue_aucs_measure_flicker_on_swaps_and_sync_on_dubs():
    rng = np.random.default_rng(2)
    y = np.repeat(capstone.CLASSES, 6)
    x = _table(y, 0.0, rng)
    x[:, capstone.EVIDENCE.index("flicker")] = np.where(y == 2, 1.0, 0.0)
    got = capstone.cue_aucs(x, y)
    assert got == {"capstone_auc_flicker": 1.0, "capstone_auc_sync": 1.0}, got
    with pytest.raises(ValueError, match="class-2"):
        capstone.cue_aucs(x[y != 2], y[y != 2])


@pytest.mark.parametrize("call, word", [
    (lambda: capstone.fit_reference(np.zeros((4, 3)), [0, 1, 2, 3]), "table"),
    (lambda: capstone.fit_reference(np.zeros((4, N)), [0, 1, 2]), "labels"),
    (lambda: capstone.fit_reference(np.zeros((4, N)), [0, 1, 2, 7]), "labels"),
    (lambda: capstone.fit_reference(np.zeros((5, N)), [0, 0, 1, 2, 3]), "at least two"),
    (lambda: capstone.fit_reference(np.zeros((8, N)), [0, 1, 2, 3] * 2, again=np.zeros((4, N))), "again"),
    (lambda: capstone.fit_reference(np.full((4, N), np.nan), [0, 1, 2, 3]), "table"),
    (lambda: capstone.predict_reference(np.zeros((4, N)), {"face": 0.5}), "reference"),
    (lambda: capstone.reencoded(["v000"]), "items"),
    (lambda: capstone.evidence("clip.mp4"), "clip"),
    (lambda: capstone.evidence(synth.Clip(np.zeros((2, 64, 64, 3), np.float32), np.zeros(1280, np.float32))),
     "landmarks"),
    (lambda: capstone.evidence_table([]), "items"),
    (lambda: capstone.evidence_table(["h000"]), r"items\[0\]"),
    (lambda: capstone.evidence_table(["h000"], round_trip="yes"), "round_trip"),
    (lambda: capstone.reencode(synth.talking_clip(synth.cast("ada"), seconds=0.4, size=64), crf=99), "crf"),
    (lambda: capstone.make_set("medium"), "mode"),
    (lambda: capstone.make_set("fast", seed=-1), "seed"),
])
def test_bad_inputs_get_an_error_naming_the_argument(call, word):
    with pytest.raises(ValueError, match=word):
        call()


# ------------------------------------------------------------------------------------------- submissions, scores

@pytest.mark.parametrize("change, word", [
    (lambda s: list(s.values()), "dict"),
    (lambda s: {k: v for k, v in list(s.items())[1:]}, "missing"),
    (lambda s: {**s, "v000": 0}, "not held-back"),
    (lambda s: {**s, next(iter(s)): 4}, "0-3"),
    (lambda s: {**s, next(iter(s)): 1.0}, "whole number"),
    (lambda s: {**s, next(iter(s)): True}, "whole number"),
    (lambda s: {**s, next(iter(s)): "fake"}, "whole number"),
])
def test_a_broken_submission_is_refused_with_a_message_that_says_what_is_wrong(tiny_set, change, word):
    with pytest.raises(ValueError, match=word):
        capstone.check_submission(change(perfect(tiny_set)), tiny_set.clip_ids)


def test_numpy_integers_are_a_valid_submission(tiny_set):
    sub = {k: np.int64(v) for k, v in perfect(tiny_set).items()}
    assert capstone.check_submission(sub, tiny_set.clip_ids) == perfect(tiny_set)


def test_the_perfect_submission_scores_one_everywhere(tiny_set):
    got = tiny_set.score(perfect(tiny_set))
    assert got["macro_f1"] == 1.0 and set(got["recall"].values()) == {1.0}
    assert got["macro_f1_reencoded"] == 1.0 and got["n_reencoded"] + got["n_clean"] == len(tiny_set.held_back)
    assert np.array_equal(np.diag(got["confusion"]), [TINY["held_back"]] * 4)


def test_calling_everything_real_scores_what_sklearn_says(tiny_set):
    got = tiny_set.score({i: 0 for i in tiny_set.clip_ids})
    truth = [tiny_set._key[i]["category"] for i in tiny_set.clip_ids]
    assert got["macro_f1"] == pytest.approx(f1_score(truth, [0] * len(truth), average="macro", labels=[0, 1, 2, 3]))
    assert got["recall"] == {0: 1.0, 1: 0.0, 2: 0.0, 3: 0.0}
    assert [sum(row) for row in got["confusion"]] == [TINY["held_back"]] * 4 and \
        [row[0] for row in got["confusion"]] == [TINY["held_back"]] * 4


def test_macro_f1_is_the_mean_of_per_class_f1():
    truth, pred = [0, 0, 1, 1, 2, 2, 3, 3], [0, 1, 1, 1, 2, 2, 3, 0]
    per_class = []
    for c in range(4):
        tp = sum(t == c and p == c for t, p in zip(truth, pred))
        fp = sum(t != c and p == c for t, p in zip(truth, pred))
        fn = sum(t == c and p != c for t, p in zip(truth, pred))
        per_class.append(2 * tp / (2 * tp + fp + fn))
    assert capstone.macro_f1(truth, pred) == pytest.approx(np.mean(per_class))
    with pytest.raises(ValueError, match="one class per clip"):
        capstone.macro_f1([0, 1], [0])


# ------------------------------------------------------------------------------------------- the claims table

def test_claims_table_marks_reference_figures_when_the_learner_has_no_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_RESULTS_DIR", str(tmp_path / "no-runs"))
    rows = capstone.claims_table(baseline_path=tmp_path / "nobody.json")
    assert len(rows) == 7, [r.claim for r in rows]
    sources = " ".join(r.source for r in rows)
    assert "your run" not in sources and "shipped reference figure" in sources
    human = next(r for r in rows if "people" in r.claim)
    assert "example player" in human.source, f"an invented player's figures must say so: {human.source}"


def test_claims_table_takes_the_learners_numbers_and_says_when_they_disagree(tmp_path):
    weak = capstone.claims_table({"capstone_macro_f1": 0.4, "capstone_recall": {0: 0.9, 1: 0.2, 2: 0.3, 3: 0.5}},
                                 baseline_path=tmp_path / "nobody.json")
    first = weak[0]
    assert first.source == "your run" and "0.40" in first.measured and "0.20" in first.measured
    assert first.verdict.startswith("disagrees"), first.verdict
    strong = capstone.claims_table({"capstone_macro_f1": 0.95}, baseline_path=tmp_path / "nobody.json")[0]
    assert strong.verdict.startswith("agrees"), strong.verdict


def test_claims_table_says_when_lab_09s_own_flicker_is_weaker_than_lab_06s(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_RESULTS_DIR", str(tmp_path / "no-runs"))
    mine = {"capstone_auc_flicker": 0.55, "capstone_auc_sync": 0.95}
    row = next(r for r in capstone.claims_table(mine, baseline_path=tmp_path / "nobody.json") if "movements" in r.claim)
    assert "lab 09: flicker on swaps 0.55" in row.measured and "your run" in row.source, row
    assert row.verdict.startswith("partly") and "flicker cue is weak" in row.verdict, row.verdict
    unmeasured = next(r for r in capstone.claims_table(baseline_path=tmp_path / "nobody.json") if "movements" in r.claim)
    assert "not measured" in unmeasured.measured and "lab 06's clips only" in unmeasured.verdict, unmeasured


def test_claims_table_reads_recorded_benchmark_runs(tmp_path, monkeypatch):
    import json

    monkeypatch.setenv("BENCH_RESULTS_DIR", str(tmp_path))
    (tmp_path / "gan.jsonl").write_text(json.dumps({"metrics": {"fd_ratio": 0.31}}) + "\n")
    row = next(r for r in capstone.claims_table(baseline_path=tmp_path / "nobody.json") if "GAN" in r.claim)
    assert "0.31" in row.measured and "recorded benchmark run" in row.source


def test_format_claims_writes_one_markdown_row_per_claim(tmp_path):
    rows = capstone.claims_table(baseline_path=tmp_path / "nobody.json")
    text = capstone.format_claims(rows)
    assert len(text.splitlines()) == len(rows) + 2 and text.startswith("| claim |")
    with pytest.raises(ValueError, match="rows"):
        capstone.format_claims(["a claim"])
    with pytest.raises(ValueError, match="measured"):
        capstone.claims_table([0.9])
