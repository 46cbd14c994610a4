"""The course's fakes beside real items of the same size and framing, for labs 06 and 07."""
import numpy as np
import pytest

from course_lib import fakes, synth


def test_image_sets_put_each_fake_beside_real_images_of_the_same_size_and_framing():
    sets = fakes.image_sets(3, generators=("classical", "gan"))
    assert list(sets) == ["classical", "gan"]
    for gen, s in sets.items():
        assert s.real.shape == s.fake.shape == (3, 64, 64, 3), gen
        assert s.real_landmarks.shape == s.fake_landmarks.shape == (3, 68, 2), gen
        assert len(s.real_people) == len(s.fake_people) == 3, gen
        assert not np.allclose(s.real, s.fake), f"{gen}: the fakes are the real images"
    assert (sets["gan"].fake_people == fakes.NOBODY).all(), "a GAN sample is nobody"


def test_people_choose_who_appears_so_that_splits_can_keep_identities_apart():
    chosen = [11, 22, 33]
    s = fakes.image_sets(4, generators="classical", people=chosen)["classical"]
    assert set(s.real_people) <= set(chosen) and set(s.fake_people) <= set(chosen)
    other = fakes.image_sets(4, generators="classical", people=[44, 55])["classical"]
    assert not set(other.real_people) & set(s.real_people)
    assert not np.allclose(other.real, s.real)


def test_the_same_seed_gives_the_same_fakes_and_another_seed_other_ones():
    a = fakes.image_sets(2, seed=1, generators="classical")["classical"]
    b = fakes.image_sets(2, seed=1, generators="classical")["classical"]
    c = fakes.image_sets(2, seed=2, generators="classical")["classical"]
    assert np.array_equal(a.fake, b.fake) and not np.allclose(a.fake, c.fake)


def test_audio_sets_pair_each_real_recording_with_a_fake_of_each_kind():
    sets = fakes.audio_sets(2, generators=["tts"], people=["ada"])
    real, fake = sets["tts"]
    assert len(real) == len(fake) == 2
    assert all(a.dtype == np.float32 and a.ndim == 1 for a in real + fake)


@pytest.mark.parametrize("call, words", [
    (lambda: fakes.image_sets(0), "n must be"),
    (lambda: fakes.image_sets(2, generators=["stylegan"]), "generators must be names from"),
    (lambda: fakes.image_sets(2, size=96), "use size=64 or leave 'gan' out"),
    (lambda: fakes.image_sets(2, generators="classical", people=[3]), "at least 2 identity seeds"),
    (lambda: fakes.image_sets(2, generators="classical", people=[3, -1]), r"people\[1\]"),
    (lambda: fakes.image_sets(2, seed="x"), "seed"),
    (lambda: fakes.clip_sets(1, person="ada"), "only swaps"),
    (lambda: fakes.clip_sets(1, seconds=0.1), "seconds"),
    (lambda: fakes.audio_sets(1, people=["nobody"]), "no cast member"),
    (lambda: fakes.audio_sets(1, people="ada"), "list of cast names"),
    (lambda: fakes.face_pairs(2, size=8), "size"),
])
def test_fakes_explain_bad_inputs(call, words):
    with pytest.raises(ValueError, match=words):
        call()



@pytest.mark.parametrize("frames", fakes.BLINK_FRAMES)
def test_the_blink_swappers_differ_only_in_the_drawn_persons_closed_eyes(monkeypatch, frames):
    from course_lib import swap

    seen = {}

    def fake_train(model, sets, *args, **kwargs):  # capture the model and training sets instead of training
        seen.update(sets, model=model)
        return swap.History()

    monkeypatch.setattr(swap, "train", fake_train)
    tiny = swap.SwapSettings(size=32, width=4, latent=4, n_train=40, steps=1, batch=4, lr=1e-3)
    monkeypatch.setattr(swap, "settings", lambda mode=None, device=None, **changes: tiny)
    fakes.train_blink_swapper(frames, "fast", seed=0, progress=False)
    performer, drawn = swap.PAIR
    assert seen["model"].dense == fakes.BLINK_CODE, "the blink swappers' code is one dense vector"
    assert min(st.eye_open for st in seen[performer].states) < fakes.OPEN_EYES, "the performer still blinks"
    assert len(seen[performer]) == 40
    if frames == "open_eyes":
        assert min(st.eye_open for st in seen[drawn].states) >= fakes.OPEN_EYES
        assert 0 < len(seen[drawn]) < 40
    else:
        assert min(st.eye_open for st in seen[drawn].states) < fakes.OPEN_EYES, "all frames include closed eyes"
        assert len(seen[drawn]) == 40


def test_the_shipped_blink_swappers_share_every_setting_but_their_training_frames():
    metas = {k: fakes.blink_swapper(k, "cpu").meta for k in fakes.BLINK_FRAMES}
    ignore = {"frames", "name", "train_s", "train_cpu_s", "final_loss", "machine"}
    same = [{k: v for k, v in m.items() if k not in ignore} for m in metas.values()]
    assert same[0] == same[1], f"the two blink swappers differ in more than their frames: {same}"
    assert metas["open_eyes"]["steps"] >= fakes.BLINK_STEPS and metas["open_eyes"]["dense"] == fakes.BLINK_CODE
    assert [m["frames"] for m in metas.values()] == list(fakes.BLINK_FRAMES)


@pytest.fixture(scope="module")
def story():
    return fakes.blink_story("fast", seed=0)  # the blink cue's own default threshold


def test_the_blink_story_counts_the_performers_real_blinks(story):
    n = len(story.true_counts)
    assert set(story.clips) == {"real", "open_eyes", "all_frames"}
    assert len({len(c.frames) for c in story.clips.values()}) == 1
    assert all(len(v) == n for v in story.counts.values())
    off = [abs(a - b) for a, b in zip(story.counts["real"], story.true_counts)]
    assert max(off) <= 1, f"the blink cue misread the real clips: {story.counts['real']} for {story.true_counts}"


def test_a_swapper_that_never_saw_closed_eyes_does_not_blink_and_the_cue_catches_it(story):
    opened, real = story.counts["open_eyes"], story.counts["real"]
    assert sum(opened) < sum(real), f"open-eyes-only swaps blinked {opened}, the real clips {real}"
    assert sum(opened) <= len(opened), f"open-eyes-only swaps should (almost) never blink, got {opened}"
    assert story.auc["open_eyes"] >= 0.9, f"the blink cue should catch the open-eyes-only swaps: {story.auc}"


def test_the_blink_cue_fails_on_a_swapper_trained_on_all_frames(story):
    every = story.counts["all_frames"]
    assert sum(every) >= sum(story.counts["open_eyes"]) + len(every), (
        f"all-frames swaps should blink like the real clips {story.counts['real']}, got {every}")
    assert story.auc["all_frames"] <= 0.6, f"the blink cue should not flag the all-frames swaps: {story.auc}"


def test_the_blink_story_refuses_bad_inputs():
    with pytest.raises(ValueError, match="threshold"):
        fakes.blink_story("fast", threshold=2)
    with pytest.raises(ValueError, match="frames must be one of"):
        fakes.blink_swapper("closed_eyes")
