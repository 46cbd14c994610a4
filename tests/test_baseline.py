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


# ------------------------------------------------------------------------------------ a class folder and its report

def _answers(pattern, source="GAN sample"):
    """Answer dicts as Game.record() writes them: 'c' a correct answer, 'w' a wrong one, all on fakes of ``source``."""
    return [{"item": f"i{k}", "media": "image", "source": source, "fake": True, "guess_fake": c == "c",
             "seconds": 1.0, "correct": c == "c"} for k, c in enumerate(pattern)]


def _save_twice_at_once(barrier, k, store):
    """One learner's kernel: save a half-played session, then update it with the second answer."""
    barrier.wait()
    baseline.save_session({"id": f"p{k:02d}", "player": f"p{k}", "answers": _answers("c")}, store)
    baseline.save_session({"id": f"p{k:02d}", "player": f"p{k}", "answers": _answers("cw")}, store)


def test_twenty_kernels_saving_at_once_lose_no_session_in_the_store_or_the_class_folder(tmp_path, monkeypatch):
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("this test forks its 20 kernels; this platform cannot fork")
    class_dir, store = tmp_path / "class", tmp_path / "shared" / "human_baseline.json"
    monkeypatch.setenv("COURSE_CLASS_DIR", str(class_dir))
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(20)
    workers = [ctx.Process(target=_save_twice_at_once, args=(barrier, k, store)) for k in range(20)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0] * 20, "a kernel failed to save its session"
    expected = [f"p{k:02d}" for k in range(20)]
    saved = baseline.load_baseline(store)
    assert sorted(s["id"] for s in saved) == expected, "the shared baseline file lost a session"
    assert all(len(s["answers"]) == 2 for s in saved), "an update was lost in the shared baseline file"
    files = sorted(class_dir.iterdir())
    assert [f.name for f in files] == [f"session-{i}.json" for i in expected], "the class folder lost a session " \
        "or kept a temporary file"
    for f in files:
        data = json.loads(f.read_text())  # every file parses: none was left half-written
        assert data["format"] == baseline.BASELINE_FORMAT and len(data["sessions"][0]["answers"]) == 2
    assert list(store.parent.glob("*.unreadable-*")) == [], "a whole file was taken for a damaged one"


def test_a_damaged_class_file_is_set_aside_each_time_never_overwritten(tmp_path, monkeypatch, capsys):
    class_dir = tmp_path / "class"
    monkeypatch.setenv("COURSE_CLASS_DIR", str(class_dir))
    target = class_dir / "session-abc.json"
    class_dir.mkdir()
    for damage in ("{ half a fi", '{"sessions": 3}'):  # twice within the same second: both copies are kept
        target.write_text(damage)
        baseline.save_session({"id": "abc", "answers": _answers("c")})
    kept = sorted(class_dir.glob("session-abc.json.unreadable-*"))
    assert sorted(k.read_text() for k in kept) == sorted(["{ half a fi", '{"sessions": 3}'])
    assert json.loads(target.read_text())["sessions"][0]["id"] == "abc"
    assert "could not be read" in capsys.readouterr().out


def test_an_unwritable_class_folder_leaves_the_own_baseline_saved_and_says_so(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the class folder should be")
    monkeypatch.setenv("COURSE_CLASS_DIR", str(blocker))
    baseline.save_session({"id": "own", "answers": _answers("c")})
    assert [s["id"] for s in baseline.load_baseline()] == ["own"]
    assert "not in the class folder" in capsys.readouterr().out


def _class_file(folder, record, account):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"session-{record['id']}.json").write_text(json.dumps(
        {"format": baseline.BASELINE_FORMAT, "account": account, "sessions": [record]}))


def _room(tmp_path):
    """Two class folders and an nbgrader submitted/ tree, with one session in two places and some clutter."""
    ana = {"id": "s1", "player": "ana", "answers": _answers("cw") + _answers("cc", "real")}
    ana_more = {**ana, "answers": ana["answers"] + _answers("w", "cheapfake")}
    records = {
        "a": [ana, {"id": "s2", "player": "me", "answers": _answers("ww")}],
        "b": [ana_more, {"id": "s3", "player": "ben", "answers": _answers("c", "cheapfake")}],
        "carl": [{"id": "s4", "player": "me", "answers": _answers("c")},
                 {"id": "s5", "player": "me", "answers": _answers("w", "real")}],
        "dana": [{"id": "s6", "player": "me", "answers": _answers("ccw")}],
    }
    _class_file(tmp_path / "class-a", records["a"][0], "ana-login")
    _class_file(tmp_path / "class-a", records["a"][1], "eve-login")
    for r in records["b"]:
        _class_file(tmp_path / "class-b", r, "someone")
    (tmp_path / "class-b" / "session-zz.json").write_text("{ damaged")
    (tmp_path / "class-b" / "session-noid.json").write_text(json.dumps({"sessions": [{"answers": _answers("c")}]}))
    hidden = tmp_path / "class-b" / ".session-s9.json.x.tmp"  # a save in progress: not a session yet
    hidden.mkdir()
    (hidden / "session-s9.json").write_text(json.dumps({"sessions": [{"id": "s9", "answers": _answers("c")}]}))
    for student in ("carl", "dana"):
        lab = tmp_path / "submitted" / student / "01_what_is_a_deepfake"
        lab.mkdir(parents=True)
        (lab / "01_what_is_a_deepfake.ipynb").write_text("{}")
        (lab / baseline.BASELINE_FILE).write_text(json.dumps({"format": baseline.BASELINE_FORMAT,
                                                              "sessions": records[student]}))
    pooled = [ana_more] + records["a"][1:] + records["b"][1:] + records["carl"] + records["dana"]
    return [tmp_path / "class-a", tmp_path / "class-b", tmp_path / "submitted"], pooled


def test_the_report_pools_class_folders_and_submitted_trees_once_per_session(tmp_path, capsys):
    paths, sessions = _room(tmp_path)
    before = (paths[1] / "session-zz.json").read_text()
    pooled = baseline.pool_sessions(paths)
    assert sorted(p.record["id"] for p in pooled) == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert len(next(p for p in pooled if p.record["id"] == "s1").record["answers"]) == 5, \
        "a session found twice must count once, as its fullest copy"
    players = {p.record["id"]: p.player for p in pooled}
    assert players == {"s1": "ana", "s2": "eve-login", "s3": "ben", "s4": "carl", "s5": "carl", "s6": "dana"}
    notes = capsys.readouterr().err
    assert "session-zz.json" in notes and "session-noid.json" in notes, "a damaged file is skipped with a note"
    assert (paths[1] / "session-zz.json").read_text() == before, "the report never changes a file"

    rows = {r["source"]: r for r in baseline.class_table(pooled)}
    for source in ("GAN sample", "cheapfake", "real", "all"):
        answers = [(players[s["id"]], a) for s in sessions for a in s["answers"]
                   if source in ("all", a["source"])]
        correct = sum(a["correct"] for _, a in answers)
        row = rows[source]
        assert (row["answers"], row["correct"]) == (len(answers), correct), source
        assert row["players"] == len({p for p, _ in answers}), source
        assert row["ci"] == list(game.wilson_interval(correct, len(answers))), source
    assert list(rows) == ["real", "GAN sample", "cheapfake", "all"], "sources in the course's order, then all"


def test_baseline_report_command_prints_the_table_and_writes_an_offline_figure(tmp_path):
    paths, _ = _room(tmp_path)
    out = tmp_path / "figs" / "room.html"
    run = subprocess.run([sys.executable, "-m", "course_lib", "baseline", "report", *map(str, paths),
                          "--html", str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "6 sessions from 5 players" in run.stdout and "GAN sample" in run.stdout
    html = out.read_text()
    assert "Plotly.newPlot" in html and len(html) > 1_000_000, "plotly.js must be inside the file to work offline"


def test_baseline_report_names_a_path_that_does_not_exist(tmp_path, capsys):
    from course_lib.__main__ import main as cli

    assert cli(["baseline", "report", str(tmp_path / "nope")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert cli(["--help"]) == 0 and "baseline report" in capsys.readouterr().out


# ---- lab 06's column: people against each generator ----------------------------------------------

def test_generator_baseline_says_nobody_has_played_and_shows_the_example_player(tmp_path):
    from course_lib import baseline

    result = baseline.generator_baseline(tmp_path / "none.json")
    assert not result.played and "Nobody has played" in result.note
    assert set(result.rows) == set(baseline.SOURCE_GENERATORS.values())
    assert all(r["players"] == 1 for r in result.rows.values())


def test_generator_baseline_pools_lab_01_sources_into_lab_06_generators(tmp_path):
    from course_lib import baseline, game

    path = tmp_path / "b.json"
    answers = [{"item": str(i), "media": m, "source": s, "fake": True, "guess_fake": g, "seconds": 2.0}
               for i, (m, s, g) in enumerate([("image", "autoencoder swap", True), ("clip", "(2) fake face", False),
                                              ("image", "cheapfake", True), ("clip", "(3) both", True)])]
    answers.append({"item": "r", "media": "image", "source": "real", "fake": False, "guess_fake": False, "seconds": 1})
    baseline.save_session({"id": "a", "player": "ann", "answers": answers}, path)
    baseline.save_session({"id": "b", "player": "bo", "answers": answers[:1]}, path)
    result = baseline.generator_baseline(path)
    assert result.played and "2 player(s)" in result.note
    auto = result.rows["autoencoder"]
    assert (auto["players"], auto["answers"], auto["correct"]) == (2, 3, 2)
    assert auto["ci"] == pytest.approx(list(game.wilson_interval(2, 3)))
    assert set(result.rows) == {"autoencoder", "classical"}, "(3) both and real answers count for no generator"
