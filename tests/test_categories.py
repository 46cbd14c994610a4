"""course_lib.categories and the track viewer: the three categories as clips and the kinds of synthesis (lab 01).

Models are tiny and untrained where a test needs one: these tests check the plumbing, not the fakes' quality.
Widgets are driven without a browser: their callbacks are plain functions.
"""
from dataclasses import replace

import numpy as np
import pytest
from lab01_helpers import REAL, base_clip, converter, tiny_swapper  # noqa: F401 (fixtures)

from course_lib import categories, lipsync, swap, synth, viz, voice, widgets

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
    assert categories.category(labels) == expected
    assert categories.CATEGORY_NAMES[expected] in categories.CATEGORY_NAMES


@pytest.mark.parametrize("labels, message", [
    ({"face": "real", "voice": "real"}, "missing"),
    ({**REAL, "voice": "cloned"}, "voice"),
    ({**REAL, "face": "generated"}, "face"),
    ("real", "labels dict"),
])
def test_category_rejects_labels_that_are_not_a_clips_tracks(labels, message):
    with pytest.raises(ValueError, match=message):
        categories.category(labels)


def test_category_reads_the_labels_the_library_writes_on_clips(base_clip, converter):
    speech = synth.speak(synth.cast("ben"), voice.NEW_LINES[0], seed=0)
    fake_voice = lipsync.replace_voice(base_clip, voice.with_audio(speech, voice.convert(speech.audio, converter)),
                                       "converted")
    synced = lipsync.lipsync_clip(synth.cast("gus"), speech, voice="synthetic", seconds=1.0, size=32)
    assert categories.category(base_clip.labels) == 0
    assert categories.category(fake_voice.labels) == 1
    assert categories.category(synced.labels) == 3


def test_track_clips_makes_every_setting_of_the_tracks_with_matching_labels(tiny_swapper, converter):
    clips = categories.track_clips(tiny_swapper, converter, seconds=1.0, size=32, seed=0)
    assert set(clips) == {(f, v, l) for f in ("real", "swapped") for v in ("real", "converted")
                          for l in ("real", "synced")}
    for (face, voice_, lips), clip in clips.items():
        assert clip.labels == {"face": face, "voice": voice_, "lips": lips}
        assert clip.frames.shape == (25, 32, 32, 3) and len(clip.audio) == 16_000
    assert {categories.category(c.labels) for c in clips.values()} == {0, 1, 2, 3}
    real, fake_voice = clips[("real", "real", "real")], clips[("real", "converted", "real")]
    assert np.array_equal(real.frames, fake_voice.frames), "category 1 keeps the real footage"
    assert not np.allclose(real.audio, fake_voice.audio), "category 1 replaces the voice"
    assert clips[("swapped", "real", "real")].truth["swapped_to"] == swap.PAIR[1], "every clip shows the same person"


def test_track_clips_rejects_lengths_outside_half_a_second_to_thirty(tiny_swapper, converter):
    with pytest.raises(ValueError, match="seconds"):
        categories.track_clips(tiny_swapper, converter, seconds=0.1)


def test_disclose_burns_a_label_into_the_bottom_of_every_frame_and_keeps_the_original(base_clip):
    before = base_clip.frames.copy()
    labelled = categories.disclose(base_clip, "  Synthetic line, made with Gus's consent. ")
    assert labelled.truth["disclosure"] == "Synthetic line, made with Gus's consent."
    assert np.array_equal(base_clip.frames, before) and "disclosure" not in base_clip.truth
    band = labelled.frames.shape[1] - max(8, labelled.frames.shape[1] // 8)
    assert np.array_equal(labelled.frames[:, :band], before[:, :band]), "the picture above the band is untouched"
    assert all(not np.allclose(labelled.frames[i, band:], before[i, band:]) for i in range(len(before)))
    assert labelled.frames.min() >= 0 and labelled.frames.max() <= 1
    with pytest.raises(ValueError, match="note"):
        categories.disclose(base_clip, "  ")


def test_speak_as_keeps_the_actors_words_and_timing_in_the_targets_voice(converter):
    line = voice.NEW_LINES[2]
    reading = synth.speak(synth.cast("ben"), line, seed=3)
    converted = categories.speak_as(converter, line, "ben", seed=3)
    assert converted.text == line and converted.segments == reading.segments
    assert len(converted.audio) == len(reading.audio) and not np.allclose(converted.audio, reading.audio)
    assert np.array_equal(converted.audio, voice.convert(reading.audio, converter))


def test_full_fake_is_category_3_showing_the_swappers_second_person_saying_the_line(tiny_swapper, converter):
    line = voice.NEW_LINES[4]
    clip = categories.full_fake(tiny_swapper, converter, line, seconds=1.0, size=32, seed=1)
    assert clip.labels == {"face": "swapped", "voice": "converted", "lips": "synced"}
    assert categories.category(clip.labels) == 3 and clip.truth["swapped_to"] == swap.PAIR[1]
    assert clip.truth["text"] == line and clip.frames.shape == (25, 32, 32, 3)
    speech = categories.speak_as(converter, line, "ben", seed=1)
    assert np.allclose(clip.audio, speech.audio[:len(clip.audio)]), "the soundtrack is the converted reading"


def test_gallery_shows_each_clip_as_a_video_with_its_name_and_labels(base_clip):
    labelled = replace(base_clip, truth={**base_clip.truth, "labels": {**REAL, "voice": "converted"}})
    html = viz.gallery_html({"real <one>": base_clip, "(1) fake voice": labelled}, width=128)
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
    assert categories.synthesis_kind(source, target) == expected


@pytest.mark.parametrize("source, target", [("smell", "speech"), ("text", None), ("text", "")])
def test_synthesis_kind_rejects_unknown_media(source, target):
    with pytest.raises(ValueError, match="synthesis_kind"):
        categories.synthesis_kind(source, target)


def test_every_pipeline_step_names_a_library_function_and_a_known_kind():
    import importlib

    for name, steps in categories.PIPELINES.items():
        assert steps, f"{name} has no steps"
        for step in steps:
            module, func = step.function.split(".")
            assert callable(getattr(importlib.import_module(f"course_lib.{module}"), func)), step.function
            assert categories.synthesis_kind(step.source, step.target) in {
                "text-to-speech", "speech-to-speech", "image-to-image", "speech-to-image"}
    assert [s.function for s in categories.PIPELINES["(3) both"]] == ["voice.convert", "lipsync.lipsync_clip",
                                                                "swap.swap_frames"]



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
    assert view["category"] == 3 and view["name"] == categories.CATEGORY_NAMES[3]
    assert "face <b>swapped</b>" in view["caption"] and "category 3" in view["caption"]
    assert widgets.track_view(labelled_clips, "real", "real", "real")["caption"].endswith("<b>real</b>")
    with pytest.raises(ValueError, match="no pre-built clip"):
        widgets.track_view(labelled_clips, "real", "synthetic", "real")


def test_track_view_encodes_each_clip_once_when_given_a_cache(labelled_clips, monkeypatch):
    cache = {}
    first = widgets.track_view(labelled_clips, "real", "converted", "real", cache)
    monkeypatch.setattr(viz, "clip_html", lambda *a, **k: pytest.fail("encoded the same clip twice"))
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

