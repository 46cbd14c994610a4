"""course_lib.game and the lab 01 widgets: categories, kinds of synthesis, the real-or-fake game and its baseline.

The scoring logic is checked against published values (Newcombe 1998's table of Wilson intervals) and exact
binomial coverage; rounds against the properties the lab promises (seeded, repeatable, balanced, no format
that gives the answer away); the human baseline against what labs 06 and 07 read back from the course cache.
Widgets are driven without a browser: their callbacks are plain functions, and button clicks fire handlers.
Models are tiny and untrained where a test needs one: these tests check the plumbing, not the fakes' quality.
"""
import json
import math
import threading
from dataclasses import replace

import numpy as np
import pytest

from course_lib import game, gan, lipsync, swap, synth, voice, widgets

REAL = {"face": "real", "voice": "real", "lips": "real"}


class FakeClock:
    """A clock that returns the given times in turn, for timing answers without waiting."""

    def __init__(self, *times):
        self.times = list(times)

    def __call__(self):
        return self.times.pop(0)


def answer(fake: bool, guess_fake: bool, source: str = "GAN sample", media: str = "image", seconds: float = 1.0,
           item: str = "x") -> game.Answer:
    return game.Answer(item, media, source if fake else "real", fake, guess_fake, seconds)


def png_item(k: int, fake: bool, source: str = "GAN sample") -> game.Item:
    from course_lib import media

    img = np.full((8, 8, 3), 0.1 * k, np.float32)
    return game.Item(f"{k:02d}", "image", source if fake else "real", fake, source, png=media.png_bytes(img), image=img)


def clip_item(k: int, fake: bool) -> game.Item:
    return game.Item(f"{k:02d}", "clip", "(2) fake face" if fake else "real", fake, "(2) fake face",
                     html=f'<video class="v{k}"></video>')


@pytest.fixture(scope="module")
def tiny_swapper():
    """An untrained swapper for the shipped pair, small enough to build in milliseconds."""
    return swap.SwapModel(swap.PAIR, size=32, width=4, latent=16).eval()


@pytest.fixture(scope="module")
def converter():
    """Ben's voice into Gus's (the person every lab 01 clip shows), from two recordings each."""
    return voice.fit_converter(voice.enrolment("ben", n=2), voice.enrolment(swap.PAIR[1], n=2))


@pytest.fixture(scope="module")
def base_clip():
    return synth.talking_clip(synth.cast("gus"), seconds=1.0, size=32, seed=0)


# ------------------------------------------------------------------------------------------- categories


@pytest.mark.parametrize("labels, expected", [
    (REAL, 0),
    ({**REAL, "voice": "synthetic"}, 1),
    ({**REAL, "voice": "converted"}, 1),
    ({**REAL, "face": "swapped"}, 2),
    ({**REAL, "lips": "synced"}, 2),  # a re-drawn mouth is synthetic video, as in the Nixon film
    ({"face": "swapped", "voice": "converted", "lips": "real"}, 3),
    ({"face": "real", "voice": "synthetic", "lips": "synced"}, 3),
    ({"face": "swapped", "voice": "converted", "lips": "synced"}, 3),
])
def test_category_follows_which_tracks_are_synthetic(labels, expected):
    assert game.category(labels) == expected
    assert game.CATEGORY_NAMES[expected] in game.CATEGORY_NAMES


@pytest.mark.parametrize("labels, message", [
    ({"face": "real", "voice": "real"}, "missing"),
    ({**REAL, "voice": "cloned"}, "voice"),
    ({**REAL, "face": "generated"}, "face"),
    ("real", "labels dict"),
])
def test_category_rejects_labels_that_are_not_a_clips_tracks(labels, message):
    with pytest.raises(ValueError, match=message):
        game.category(labels)


def test_category_reads_the_labels_the_library_writes_on_clips(base_clip, converter):
    speech = synth.speak(synth.cast("ben"), voice.NEW_LINES[0], seed=0)
    fake_voice = lipsync.replace_voice(base_clip, voice.with_audio(speech, voice.convert(speech.audio, converter)),
                                       "converted")
    synced = lipsync.lipsync_clip(synth.cast("gus"), speech, voice="synthetic", seconds=1.0, size=32)
    assert game.category(base_clip.labels) == 0
    assert game.category(fake_voice.labels) == 1
    assert game.category(synced.labels) == 3


def test_track_clips_makes_every_setting_of_the_tracks_with_matching_labels(tiny_swapper, converter):
    clips = game.track_clips(tiny_swapper, converter, seconds=1.0, size=32, seed=0)
    assert set(clips) == {(f, v, l) for f in ("real", "swapped") for v in ("real", "converted")
                          for l in ("real", "synced")}
    for (face, voice_, lips), clip in clips.items():
        assert clip.labels == {"face": face, "voice": voice_, "lips": lips}
        assert clip.frames.shape == (25, 32, 32, 3) and len(clip.audio) == 16_000
    assert {game.category(c.labels) for c in clips.values()} == {0, 1, 2, 3}
    real, fake_voice = clips[("real", "real", "real")], clips[("real", "converted", "real")]
    assert np.array_equal(real.frames, fake_voice.frames), "category 1 keeps the real footage"
    assert not np.allclose(real.audio, fake_voice.audio), "category 1 replaces the voice"
    assert clips[("swapped", "real", "real")].truth["swapped_to"] == swap.PAIR[1], "every clip shows the same person"


def test_track_clips_rejects_lengths_outside_half_a_second_to_thirty(tiny_swapper, converter):
    with pytest.raises(ValueError, match="seconds"):
        game.track_clips(tiny_swapper, converter, seconds=0.1)


def test_disclose_burns_a_label_into_the_bottom_of_every_frame_and_keeps_the_original(base_clip):
    before = base_clip.frames.copy()
    labelled = game.disclose(base_clip, "  Synthetic line, made with Gus's consent. ")
    assert labelled.truth["disclosure"] == "Synthetic line, made with Gus's consent."
    assert np.array_equal(base_clip.frames, before) and "disclosure" not in base_clip.truth
    band = labelled.frames.shape[1] - max(8, labelled.frames.shape[1] // 8)
    assert np.array_equal(labelled.frames[:, :band], before[:, :band]), "the picture above the band is untouched"
    assert all(not np.allclose(labelled.frames[i, band:], before[i, band:]) for i in range(len(before)))
    assert labelled.frames.min() >= 0 and labelled.frames.max() <= 1
    with pytest.raises(ValueError, match="note"):
        game.disclose(base_clip, "  ")


def test_speak_as_keeps_the_actors_words_and_timing_in_the_targets_voice(converter):
    line = voice.NEW_LINES[2]
    reading = synth.speak(synth.cast("ben"), line, seed=3)
    converted = game.speak_as(converter, line, "ben", seed=3)
    assert converted.text == line and converted.segments == reading.segments
    assert len(converted.audio) == len(reading.audio) and not np.allclose(converted.audio, reading.audio)
    assert np.array_equal(converted.audio, voice.convert(reading.audio, converter))


def test_full_fake_is_category_3_showing_the_swappers_second_person_saying_the_line(tiny_swapper, converter):
    line = voice.NEW_LINES[4]
    clip = game.full_fake(tiny_swapper, converter, line, seconds=1.0, size=32, seed=1)
    assert clip.labels == {"face": "swapped", "voice": "converted", "lips": "synced"}
    assert game.category(clip.labels) == 3 and clip.truth["swapped_to"] == swap.PAIR[1]
    assert clip.truth["text"] == line and clip.frames.shape == (25, 32, 32, 3)
    speech = game.speak_as(converter, line, "ben", seed=1)
    assert np.allclose(clip.audio, speech.audio[:len(clip.audio)]), "the soundtrack is the converted reading"


def test_gallery_shows_each_clip_as_a_video_with_its_name_and_labels(base_clip):
    labelled = replace(base_clip, truth={**base_clip.truth, "labels": {**REAL, "voice": "converted"}})
    html = game.gallery_html({"real <one>": base_clip, "(1) fake voice": labelled}, width=128)
    assert html.count("<video") == 2 and html.count("data:video/mp4;base64,") == 2
    assert "real &lt;one&gt;" in html and "voice converted" in html and 'width="128"' in html


# -------------------------------------------------------------------------------------- kinds of synthesis


@pytest.mark.parametrize("source, target, expected", [
    ("text", "speech", "text-to-speech"),
    ("speech", "speech", "speech-to-speech"),
    ("audio", "voice", "speech-to-speech"),
    ("image", "image", "image-to-image"),
    ("video", "frames", "image-to-image"),
    ("speech", "video", "speech-to-image"),
    (" Text ", "AUDIO", "text-to-speech"),
])
def test_synthesis_kind_names_a_step_by_what_goes_in_and_comes_out(source, target, expected):
    assert game.synthesis_kind(source, target) == expected


@pytest.mark.parametrize("source, target", [("smell", "speech"), ("text", None), ("text", "")])
def test_synthesis_kind_rejects_unknown_media(source, target):
    with pytest.raises(ValueError, match="synthesis_kind"):
        game.synthesis_kind(source, target)


def test_every_pipeline_step_names_a_library_function_and_a_known_kind():
    import importlib

    for name, steps in game.PIPELINES.items():
        assert steps, f"{name} has no steps"
        for step in steps:
            module, func = step.function.split(".")
            assert callable(getattr(importlib.import_module(f"course_lib.{module}"), func)), step.function
            assert game.synthesis_kind(step.source, step.target) in {
                "text-to-speech", "speech-to-speech", "image-to-image", "speech-to-image"}
    assert [s.function for s in game.PIPELINES["(3) both"]] == ["voice.convert", "lipsync.lipsync_clip",
                                                                "swap.swap_frames"]


# ------------------------------------------------------------------------------ how they are made, pictured


def test_autoencoder_picture_draws_what_the_swapper_really_outputs(tiny_swapper):
    import matplotlib.pyplot as plt

    from course_lib import faces

    fig = game.autoencoder_picture(tiny_swapper, seed=2)
    performer, person = swap.PAIR
    img, pts, _ = synth.render(synth.cast(performer), game._state(2), size=64, seed=2)
    crop = faces.align(img, pts, 32, swap.ZOOM).image
    want = swap.decode_as(tiny_swapper, crop[None], person)[0][0]
    assert np.allclose(fig.shown[f"{performer} as {person}"], want), "the swap row decodes Farah as Gus"
    assert np.allclose(fig.shown["swapped frame"], swap.swap_frames(tiny_swapper, img[None], pts[None], person)[0])
    drawn = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(drawn) == 7, "three inputs, three outputs and the pasted frame"
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "shared\nencoder" in texts and f"decoder\n{person}" in texts and "lab 03" in texts
    plt.close(fig)


def test_gan_picture_measures_the_discriminator_on_fresh_faces():
    import matplotlib.pyplot as plt

    run = gan.GANRun(gan.Generator(filters=4, size=32), gan.Discriminator(filters=4, size=32),
                     gan.settings("fast", size=32))
    fig = game.gan_picture(run, n=8, seed=0)
    assert all(0.0 <= a <= 1.0 for a in fig.accuracy) and len(fig.accuracy) == 2
    from course_lib.media import image_grid

    assert np.allclose(fig.shown["fake"], image_grid(gan.sample(run.G, 8, seed=0)[:4], ncols=2)), "G's own faces"
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert f"{fig.accuracy[0]:.0%} of real" in texts and "lab 04" in texts
    plt.close(fig)


# ---------------------------------------------------------------------------------------- Wilson interval


@pytest.mark.parametrize("correct, n, lo, hi", [  # Newcombe (1998), Statistics in Medicine 17, table II
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718),
])
def test_wilson_interval_matches_published_values(correct, n, lo, hi):
    assert game.wilson_interval(correct, n) == pytest.approx((lo, hi), abs=5e-5)


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
        assert game.category(item.labels) == expected, (entry, item.labels)


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


# ------------------------------------------------------------------------------------ the human baseline


def test_baseline_lives_in_the_course_cache(isolated_cache):
    assert game.baseline_path() == isolated_cache / "human_baseline.json"


def test_every_answer_saves_the_session_so_a_half_played_round_counts(isolated_cache):
    g = game.Game([png_item(0, True), png_item(1, False), png_item(2, True)], seed=11, player="ana",
                  clock=FakeClock(0.0, 1.0, 3.0))
    g.start()
    g.answer("fake")
    sessions = game.load_baseline()
    assert len(sessions) == 1 and sessions[0]["id"] == g.id and len(sessions[0]["answers"]) == 1
    g.answer("fake")
    sessions = game.load_baseline()
    assert len(sessions) == 1, "a session is updated in place, not added twice"
    record = sessions[0]
    assert record["player"] == "ana" and record["seed"] == 11 and record["n_items"] == 3
    assert record["mode"] == "fast" and record["started"]
    assert [a["correct"] for a in record["answers"]] == [True, False]
    assert [a["seconds"] for a in record["answers"]] == [1.0, 2.0]
    assert record["score"]["accuracy"] == 0.5


def test_baseline_save_and_load_round_trip_keeps_every_session_in_order(isolated_cache):
    games = []
    for k in range(3):
        g = game.Game([png_item(0, True), clip_item(1, False)], seed=k, clock=FakeClock(0.0, 1.0, 2.0))
        g.start()
        g.answer("fake")
        g.answer("fake" if k else "real")
        games.append(g)
    games[0].save()  # saving again replaces the record where it stands
    sessions = game.load_baseline()
    assert [s["id"] for s in sessions] == [g.id for g in games]
    assert sessions == [json.loads(json.dumps(g.record())) for g in games]
    raw = json.loads(game.baseline_path().read_text())
    assert raw["format"] == game.BASELINE_FORMAT


def test_human_baseline_pools_every_saved_answer_and_filters_by_media(isolated_cache):
    assert game.human_baseline()["answered"] == 0 and game.human_baseline()["sessions"] == 0
    for guesses in (("fake", "real"), ("real", "real")):
        g = game.Game([png_item(0, True), clip_item(1, False)], clock=FakeClock(0.0, 1.0, 2.0))
        g.start()
        for guess in guesses:
            g.answer(guess)
    pooled = game.human_baseline()
    assert (pooled["sessions"], pooled["answered"], pooled["correct"]) == (2, 4, 3)
    assert pooled["ci"] == list(game.wilson_interval(3, 4))
    images = game.human_baseline(media="image")
    assert (images["answered"], images["correct"]) == (2, 1)
    assert game.human_baseline(media="clip")["accuracy"] == 1.0
    with pytest.raises(ValueError, match="media"):
        game.human_baseline(media="audio")


def test_a_failed_save_leaves_the_previous_baseline_whole_and_no_temporary_file(isolated_cache):
    g = game.Game([png_item(0, True)], clock=FakeClock(0.0, 1.0))
    g.answer("fake")
    before = game.baseline_path().read_bytes()
    with pytest.raises(TypeError):
        game.save_session({"id": "broken", "answers": [object()]})
    assert game.baseline_path().read_bytes() == before
    assert [p.name for p in isolated_cache.iterdir() if p.suffix == ".tmp"] == []


def test_an_unreadable_baseline_is_kept_aside_and_a_new_one_started(isolated_cache, capsys):
    game.baseline_path().write_text("{ this is not json")
    g = game.Game([png_item(0, False)], clock=FakeClock(0.0, 1.0))
    g.answer("real")
    assert [s["id"] for s in game.load_baseline()] == [g.id]
    kept = list(isolated_cache.glob("human_baseline.json.unreadable-*"))
    assert len(kept) == 1 and kept[0].read_text() == "{ this is not json"
    assert "could not be read" in capsys.readouterr().out


def test_sessions_saved_at_the_same_time_are_all_kept(isolated_cache):
    records = [{"id": f"s{k}", "answers": [], "score": {}} for k in range(8)]
    threads = [threading.Thread(target=game.save_session, args=(r,)) for r in records]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s["id"] for s in game.load_baseline()) == [r["id"] for r in records]


def test_save_session_rejects_records_that_are_not_sessions(isolated_cache):
    for bad in ({}, {"id": "a"}, {"id": "", "answers": []}, []):
        with pytest.raises(ValueError, match="save_session"):
            game.save_session(bad)
    assert game.load_baseline() == []


def test_save_path_can_be_given_explicitly(tmp_path):
    target = tmp_path / "class" / "baseline.json"
    g = game.Game([png_item(0, True)], path=target, clock=FakeClock(0.0, 1.0))
    g.answer("real")
    assert [s["id"] for s in game.load_baseline(target)] == [g.id]
    assert game.load_baseline() == [], "the course cache is untouched"


# ----------------------------------------------------------------------------------- widgets: track viewer


@pytest.fixture(scope="module")
def labelled_clips(base_clip):
    """The eight settings of the tracks as clips (the same pixels, labelled as track_clips labels them)."""
    keys = [(f, v, l) for f in ("real", "swapped") for v in ("real", "converted") for l in ("real", "synced")]
    return {k: replace(base_clip, truth={**base_clip.truth, "labels": dict(zip(("face", "voice", "lips"), k))})
            for k in keys}


def test_track_view_shows_the_clip_for_a_setting_with_its_category(labelled_clips):
    view = widgets.track_view(labelled_clips, "swapped", "converted", "real")
    assert "<video" in view["html"] and "data:video/mp4;base64," in view["html"]
    assert view["category"] == 3 and view["name"] == game.CATEGORY_NAMES[3]
    assert "face <b>swapped</b>" in view["caption"] and "category 3" in view["caption"]
    assert widgets.track_view(labelled_clips, "real", "real", "real")["caption"].endswith("<b>real</b>")
    with pytest.raises(ValueError, match="no pre-built clip"):
        widgets.track_view(labelled_clips, "real", "synthetic", "real")


def test_track_view_encodes_each_clip_once_when_given_a_cache(labelled_clips, monkeypatch):
    cache = {}
    first = widgets.track_view(labelled_clips, "real", "converted", "real", cache)
    monkeypatch.setattr(game, "clip_html", lambda *a, **k: pytest.fail("encoded the same clip twice"))
    assert widgets.track_view(labelled_clips, "real", "converted", "real", cache)["html"] == first["html"]


def test_track_viewer_toggles_show_the_matching_clip(labelled_clips):
    box = widgets.track_viewer(labelled_clips)
    assert box.last["category"] == 0 and set(box.toggles) == {"face", "voice", "lips"}
    assert box.toggles["voice"].options == ("real", "converted"), "real is always the first choice"
    box.toggles["voice"].value = "converted"
    assert box.last["category"] == 1 and box.caption.value == box.last["caption"]
    box.toggles["face"].value = "swapped"
    assert box.last["category"] == 3 and "face <b>swapped</b>" in box.caption.value
    box.toggles["voice"].value = "real"
    box.toggles["lips"].value = "synced"
    assert box.last["labels"] == {"face": "swapped", "voice": "real", "lips": "synced"}
    assert box.video.value == box.last["html"]


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
    saved = game.load_baseline()
    assert len(saved) == 1 and [a["guess_fake"] for a in saved[0]["answers"]] == [True, False, False]
