"""course_lib.game and the real-or-fake widget: rounds, the score and its Wilson interval, a session (lab 01).

The scoring logic is checked against published values (Newcombe 1998's table of Wilson intervals), scipy's
Wilson interval and exact binomial coverage; rounds against the properties the lab promises (seeded,
repeatable, balanced, no format that gives the answer away). Widgets are driven without a browser: their
callbacks are plain functions, and button clicks fire handlers.
"""
import json
import math

import pytest
from lab01_helpers import FakeClock, answer, clip_item, converter, png_item, tiny_swapper  # noqa: F401 (fixtures)

from course_lib import baseline, categories, game, gan, widgets

# ---------------------------------------------------------------------------------------- Wilson interval


@pytest.mark.parametrize("correct, n, lo, hi", [  # Newcombe (1998), Statistics in Medicine 17, table II
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718),
])
def test_wilson_interval_matches_published_values(correct, n, lo, hi):
    assert game.wilson_interval(correct, n) == pytest.approx((lo, hi), abs=5e-5)


@pytest.mark.parametrize("correct, n", [(0, 1), (1, 1), (0, 7), (3, 7), (7, 7), (12, 16), (81, 263), (250, 1000)])
def test_wilson_interval_matches_scipys_wilson_interval(correct, n):
    from scipy.stats import binomtest

    want = binomtest(correct, n).proportion_ci(confidence_level=0.95, method="wilson")
    got = game.wilson_interval(correct, n, z=1.959963984540054)  # the exact 97.5% normal quantile scipy uses
    assert got == pytest.approx((want.low, want.high), abs=1e-12), f"{correct} of {n}: lab 01's interval {got}"
    assert game.wilson_interval(correct, n) == pytest.approx(got, abs=1e-4), "z = 1.96 rounds the same quantile"


def test_wilson_interval_stays_in_0_1_and_does_not_collapse_at_all_or_none_correct():
    for correct, n in ((0, 5), (5, 5), (0, 1), (1, 1)):
        lo, hi = game.wilson_interval(correct, n)
        assert 0.0 <= lo < hi <= 1.0, (correct, n, lo, hi)
    assert game.wilson_interval(0, 10)[0] == 0.0 and game.wilson_interval(10, 10)[1] == 1.0


def test_wilson_interval_with_no_answers_says_nothing_is_known():
    assert game.wilson_interval(0, 0) == (0.0, 1.0)


def test_wilson_interval_contains_the_observed_rate_and_narrows_with_more_answers():
    widths = []
    for n in (10, 40, 160, 640):
        lo, hi = game.wilson_interval(int(0.7 * n), n)
        assert lo < 0.7 < hi
        widths.append(hi - lo)
    assert all(a > b for a, b in zip(widths, widths[1:]))
    assert widths[0] / widths[-1] == pytest.approx(8, rel=0.15), "width shrinks like 1/sqrt(n)"


def test_wilson_interval_covers_the_true_accuracy_about_95_percent_of_the_time():
    from scipy.stats import binom

    for p, n in ((0.5, 16), (0.7, 20), (0.9, 40)):
        coverage = sum(binom.pmf(k, n, p) for k in range(n + 1)
                       if game.wilson_interval(k, n)[0] <= p <= game.wilson_interval(k, n)[1])
        assert 0.92 <= coverage <= 0.99, f"p={p}, n={n}: coverage {coverage:.3f}"
    lo90, hi90 = game.wilson_interval(12, 16, z=1.645)
    lo95, hi95 = game.wilson_interval(12, 16)
    assert lo95 < lo90 and hi90 < hi95, "a smaller z gives a narrower interval"


@pytest.mark.parametrize("correct, n, z", [(5, 4, 1.96), (-1, 4, 1.96), (1.5, 4, 1.96), (True, 4, 1.96),
                                           (1, 4, 0), (1, 4, "1.96")])
def test_wilson_interval_rejects_impossible_counts(correct, n, z):
    with pytest.raises(ValueError, match="wilson_interval"):
        game.wilson_interval(correct, n, z)


# ------------------------------------------------------------------------------------------------ score


def test_score_counts_accuracy_misses_false_alarms_time_and_each_source():
    answers = [answer(True, True, "GAN sample", seconds=2.0), answer(True, False, "cheapfake", seconds=4.0),
               answer(False, False, seconds=1.0), answer(False, True, seconds=3.0),
               answer(True, True, "(2) fake face", media="clip", seconds=10.0)]
    s = game.score(answers)
    assert (s.answered, s.correct, s.accuracy) == (5, 3, 0.6)
    assert s.ci == game.wilson_interval(3, 5)
    assert (s.fakes_called_real, s.reals_called_fake) == (1, 1)
    assert (s.seconds_total, s.seconds_median) == (20.0, 3.0)
    assert s.by_source == {"GAN sample": [1, 1], "cheapfake": [0, 1], "real": [1, 2], "(2) fake face": [1, 1]}
    assert s.by_media == {"image": [2, 4], "clip": [1, 1]}


def test_score_of_no_answers_has_no_accuracy_and_saves_as_json_null():
    s = game.score([])
    assert s.answered == 0 and math.isnan(s.accuracy) and s.ci == (0.0, 1.0)
    d = json.loads(json.dumps(s.to_dict()))
    assert d["accuracy"] is None and d["seconds_median"] is None and d["ci"] == [0.0, 1.0]


def test_score_reads_saved_answer_dicts_the_same_as_answers():
    answers = [answer(True, True, seconds=1.5), answer(False, True, seconds=2.5)]
    saved = json.loads(json.dumps([{**a.__dict__, "correct": a.correct} for a in answers]))
    assert game.score(saved) == game.score(answers)
    with pytest.raises(ValueError, match="guess_fake"):
        game.score([{"item": "a", "fake": True}])
    with pytest.raises(ValueError, match="Answer"):
        game.score([("a", True, True)])


# ------------------------------------------------------------------------------------------- round plans


def test_round_plan_repeats_for_a_seed_and_changes_with_it():
    assert game.round_plan(12, 4, seed=3) == game.round_plan(12, 4, seed=3)
    assert game.round_plan(12, 4, seed=3) != game.round_plan(12, 4, seed=4)


@pytest.mark.parametrize("seed", range(6))
def test_round_plan_is_half_real_half_fake_with_every_source_and_no_telltale_format(seed):
    plan = game.round_plan(12, 6, seed=seed)
    assert [e.index for e in plan] == list(range(18))
    assert [e.media for e in plan] == ["image"] * 12 + ["clip"] * 6, "images first, then clips"
    for media, sources in (("image", game.IMAGE_FAKES), ("clip", game.CLIP_FAKES)):
        entries = [e for e in plan if e.media == media]
        fakes = [e for e in entries if e.fake]
        assert len(fakes) * 2 == len(entries)
        assert {e.source for e in fakes} == set(sources)
        assert all(e.source == "real" and e.format in sources for e in entries if not e.fake)
        for fmt in sources:  # as many real as fake items look like each source
            assert sum(e.format == fmt and e.fake for e in entries) == sum(e.format == fmt and not e.fake
                                                                          for e in entries)
    assert len({e.seed for e in plan}) == len(plan), "every item gets its own seed"


def test_round_plan_with_odd_counts_differs_by_at_most_one_and_both_ways_happen():
    extra = set()
    for seed in range(20):
        plan = game.round_plan(5, 0, seed=seed, image_sources=("cheapfake",))
        n_fake = sum(e.fake for e in plan)
        assert n_fake in (2, 3)
        extra.add(n_fake)
    assert extra == {2, 3}, "the odd item is real for some seeds and fake for others"


def test_round_plan_restricted_sources_are_the_only_fakes():
    plan = game.round_plan(6, 0, seed=1, image_sources=("GAN sample",))
    assert {e.format for e in plan} == {"GAN sample"}


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_images=-1), "n_images"), (dict(n_images=2.0), "n_images"), (dict(n_clips=True), "n_clips"),
    (dict(n_images=0, n_clips=0), "at least one"), (dict(image_sources=("deepfake",)), "image_sources"),
    (dict(image_sources=("cheapfake", "cheapfake")), "image_sources"), (dict(clip_sources=()), "clip"),
    (dict(n_images=1, n_clips=0, image_sources=()), "fake source"), (dict(seed=-1), "seed"),
])
def test_round_plan_rejects_bad_requests(kwargs, message):
    with pytest.raises(ValueError, match=message):
        game.round_plan(**{"n_images": 4, "n_clips": 2, **kwargs})


# ------------------------------------------------------------------------------------------------ rounds


def test_make_round_renders_each_entry_with_its_truth_and_repeats(tiny_swapper):
    G = gan.Generator(filters=4, size=32)
    plan = game.round_plan(9, 0, seed=5)
    items = game.make_round(plan, swapper=tiny_swapper, generator=G)
    again = game.make_round(plan, swapper=tiny_swapper, generator=G)
    assert [(i.source, i.fake, i.format, i.media) for i in items] == [(e.source, e.fake, e.format, e.media)
                                                                        for e in plan]
    assert [i.png for i in items] == [i.png for i in again], "the same plan and models give the same images"
    assert len({i.id for i in items}) == len(items)
    for item in items:
        assert item.png.startswith(b"\x89PNG") and item.html == ""
        assert item.truth == ("fake" if item.fake else "real")
    for fmt in game.IMAGE_FAKES:  # size never gives the answer away
        assert len({i.image.shape for i in items if i.format == fmt}) == 1, fmt


def test_make_round_clips_play_with_sound_and_carry_their_labels(tiny_swapper, converter):
    plan = game.round_plan(0, 4, seed=2)
    items = game.make_round(plan, swapper=tiny_swapper, converter=converter, clip_seconds=1.0, clip_size=32)
    for entry, item in zip(plan, items):
        assert item.media == "clip" and "<video" in item.html and "data:video/mp4;base64," in item.html
        expected = 0 if not entry.fake else game.CLIP_FAKES.index(entry.source) + 1
        assert categories.category(item.labels) == expected, (entry, item.labels)


def test_make_round_says_which_model_a_plan_needs():
    with pytest.raises(ValueError, match="generator"):
        game.make_round(game.round_plan(4, 0, seed=0, image_sources=("GAN sample",)))
    with pytest.raises(ValueError, match="swapper"):
        game.make_round(game.round_plan(0, 2, seed=0, clip_sources=("(2) fake face",)))
    cheap = game.make_round(game.round_plan(2, 0, seed=0, image_sources=("cheapfake",)))
    assert len(cheap) == 2, "a cheapfake-only round needs no model"
    with pytest.raises(ValueError, match="round_plan"):
        game.make_round([])


# -------------------------------------------------------------------------------------------------- Game


def test_game_times_each_answer_from_when_its_item_was_shown(tmp_path):
    items = [png_item(0, True), png_item(1, False), clip_item(2, True)]
    g = game.Game(items, seed=7, save=False, clock=FakeClock(100.0, 102.5, 106.0, 107.0))
    assert g.current is items[0] and not g.started
    g.start()  # 100.0
    first = g.answer("fake")  # 102.5
    second = g.answer(" Real ")  # 106.0
    third = g.answer(False)  # 107.0
    assert [a.seconds for a in (first, second, third)] == [2.5, 3.5, 1.0]
    assert [a.correct for a in (first, second, third)] == [True, True, False]
    assert g.done and g.current is None
    assert g.score().correct == 2 and g.score().seconds_total == 7.0
    with pytest.raises(ValueError, match="over"):
        g.answer("real")


def test_game_rejects_answers_other_than_real_or_fake_without_recording_them():
    g = game.Game([png_item(0, True)], save=False)
    for guess in ("maybe", "", 1, None):
        with pytest.raises(ValueError, match="real' or 'fake"):
            g.answer(guess)
    assert g.answers == [] and not g.done


def test_game_needs_the_items_make_round_returns():
    with pytest.raises(ValueError, match="make_round"):
        game.Game([])
    with pytest.raises(ValueError, match="make_round"):
        game.Game(["not an item"])



# ------------------------------------------------------------------------------- widgets: real or fake?


def test_game_view_hides_the_answers_until_the_round_is_over():
    g = game.Game([png_item(0, True), png_item(1, False)], save=False, clock=FakeClock(0.0, 1.0, 2.0))
    view = widgets.game_view(g)
    assert not view["buttons"] and view["media"] is None and "Press start" in view["progress"]
    g.start()
    view = widgets.game_click(g, "real")
    assert view["progress"].startswith("Item 2 of 2") and view["buttons"]
    assert "correct" not in view["score"] and "accuracy" not in view["score"] and view["reveal"] == ""
    view = widgets.game_click(g, "real")
    assert view["progress"] == "Round over." and not view["buttons"]
    assert "1 correct" in view["score"] and "accuracy <b>50%</b>" in view["score"]
    assert view["reveal"].count("<tr>") == 3 and "✗" in view["reveal"] and "✓" in view["reveal"]


def test_real_or_fake_widget_plays_a_round_by_button_clicks_and_saves_it(isolated_cache):
    items = [png_item(0, True), png_item(1, False), clip_item(2, True)]
    g = game.Game(items, seed=1)
    box = widgets.real_or_fake(g)
    buttons = box.buttons
    assert buttons["real"].disabled and buttons["fake"].disabled
    buttons["fake"].click()  # before start: ignored
    assert g.answers == []
    buttons["start"].click()
    assert buttons["start"].layout.display == "none" and not buttons["real"].disabled
    assert box.image.value == items[0].png and box.image.layout.display != "none"
    assert box.clip.layout.display == "none"
    buttons["fake"].click()
    assert box.image.value == items[1].png
    buttons["real"].click()
    assert box.clip.value == items[2].html and box.image.layout.display == "none"
    assert box.clip.layout.display != "none"
    buttons["real"].click()
    assert g.done and buttons["real"].disabled and buttons["fake"].disabled
    assert "2 correct" in box.score.value and "accuracy <b>67%</b>" in box.score.value
    assert box.reveal.value.count("<tr>") == 4
    buttons["fake"].click()  # after the end: ignored, no error
    saved = baseline.load_baseline()
    assert len(saved) == 1 and [a["guess_fake"] for a in saved[0]["answers"]] == [True, False, False]



def test_a_session_records_the_mode_its_lab_passed_over_course_fast(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    assert game.Game([png_item(0, True)], save=False).record()["mode"] == "fast", "no mode: COURSE_FAST decides"
    got = game.Game([png_item(0, True)], save=False, mode="full").record()["mode"]
    assert got == "full", f"a session played in a full-mode lab must be recorded as full, got {got!r}"
    with pytest.raises(ValueError, match="mode must be"):
        game.Game([png_item(0, True)], save=False, mode="medium")
