"""course_lib.baseline: the human baseline that labs 06 and 07 read back from the course cache (lab 01)."""
import json
import subprocess
import sys
import threading

import numpy as np
import pytest
from lab01_helpers import FakeClock, clip_item, png_item

from course_lib import baseline, game

# ------------------------------------------------------------------------------------ the human baseline


def test_baseline_lives_in_the_course_cache(isolated_cache):
    assert baseline.baseline_path() == isolated_cache / "human_baseline.json"


def test_every_answer_saves_the_session_so_a_half_played_round_counts(isolated_cache):
    g = game.Game([png_item(0, True), png_item(1, False), png_item(2, True)], seed=11, player="ana",
                  clock=FakeClock(0.0, 1.0, 3.0))
    g.start()
    g.answer("fake")
    sessions = baseline.load_baseline()
    assert len(sessions) == 1 and sessions[0]["id"] == g.id and len(sessions[0]["answers"]) == 1
    g.answer("fake")
    sessions = baseline.load_baseline()
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
    sessions = baseline.load_baseline()
    assert [s["id"] for s in sessions] == [g.id for g in games]
    assert sessions == [json.loads(json.dumps(g.record())) for g in games]
    raw = json.loads(baseline.baseline_path().read_text())
    assert raw["format"] == baseline.BASELINE_FORMAT


def test_human_baseline_pools_every_saved_answer_and_filters_by_media(isolated_cache):
    assert baseline.human_baseline()["answered"] == 0 and baseline.human_baseline()["sessions"] == 0
    for guesses in (("fake", "real"), ("real", "real")):
        g = game.Game([png_item(0, True), clip_item(1, False)], clock=FakeClock(0.0, 1.0, 2.0))
        g.start()
        for guess in guesses:
            g.answer(guess)
    pooled = baseline.human_baseline()
    assert (pooled["sessions"], pooled["answered"], pooled["correct"]) == (2, 4, 3)
    assert pooled["ci"] == list(game.wilson_interval(3, 4))
    images = baseline.human_baseline(media="image")
    assert (images["answered"], images["correct"]) == (2, 1)
    assert baseline.human_baseline(media="clip")["accuracy"] == 1.0
    with pytest.raises(ValueError, match="media"):
        baseline.human_baseline(media="audio")


def test_a_failed_save_leaves_the_previous_baseline_whole_and_no_temporary_file(isolated_cache):
    g = game.Game([png_item(0, True)], clock=FakeClock(0.0, 1.0))
    g.answer("fake")
    before = baseline.baseline_path().read_bytes()
    with pytest.raises(TypeError, match="save_session: the record holds a object"):
        baseline.save_session({"id": "broken", "answers": [object()]})
    assert baseline.baseline_path().read_bytes() == before
    assert [p.name for p in isolated_cache.iterdir() if p.suffix == ".tmp"] == []


def test_an_unreadable_baseline_is_kept_aside_and_a_new_one_started(isolated_cache, capsys):
    baseline.baseline_path().write_text("{ this is not json")
    g = game.Game([png_item(0, False)], clock=FakeClock(0.0, 1.0))
    g.answer("real")
    assert [s["id"] for s in baseline.load_baseline()] == [g.id]
    kept = list(isolated_cache.glob("human_baseline.json.unreadable-*"))
    assert len(kept) == 1 and kept[0].read_text() == "{ this is not json"
    assert "could not be read" in capsys.readouterr().out


def test_sessions_saved_at_the_same_time_are_all_kept(isolated_cache):
    records = [{"id": f"s{k}", "answers": [], "score": {}} for k in range(8)]
    threads = [threading.Thread(target=baseline.save_session, args=(r,)) for r in records]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s["id"] for s in baseline.load_baseline()) == [r["id"] for r in records]


def test_save_session_rejects_records_that_are_not_sessions(isolated_cache):
    for bad in ({}, {"id": "a"}, {"id": "", "answers": []}, []):
        with pytest.raises(ValueError, match="save_session"):
            baseline.save_session(bad)
    assert baseline.load_baseline() == []


def test_save_path_can_be_given_explicitly(tmp_path):
    target = tmp_path / "class" / "baseline.json"
    g = game.Game([png_item(0, True)], path=target, clock=FakeClock(0.0, 1.0))
    g.answer("real")
    assert [s["id"] for s in baseline.load_baseline(target)] == [g.id]
    assert baseline.load_baseline() == [], "the course cache is untouched"


def test_numpy_numbers_in_a_record_are_saved_as_plain_json_numbers(isolated_cache):
    record = {"id": "np", "answers": [{"item": "a", "fake": np.bool_(True), "guess_fake": np.bool_(False),
                                       "seconds": np.float32(1.5), "index": np.int64(3)}],
              "score": {"ci": np.array([0.1, 0.9])}}
    baseline.save_session(record)
    saved = baseline.load_baseline()[0]
    assert saved["answers"] == [{"item": "a", "fake": True, "guess_fake": False, "seconds": 1.5, "index": 3}]
    assert saved["score"]["ci"] == [0.1, 0.9]
    assert baseline.human_baseline()["answered"] == 1 and baseline.human_baseline()["correct"] == 0


def test_reading_the_baseline_loads_no_model_module_and_no_torch(isolated_cache):
    """Labs 06 and 07 read the human baseline; that must not import the swapper, the GAN, the voices or torch."""
    code = ("import sys\n"
            "from course_lib import baseline\n"
            "baseline.human_baseline()\n"
            "heavy = ['course_lib.swap', 'course_lib.gan', 'course_lib.voice', 'torch']\n"
            "print(sorted(m for m in heavy if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", f"reading the baseline imported {out.stdout.strip()}"
