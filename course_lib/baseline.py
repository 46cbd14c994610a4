"""The human baseline: every real-or-fake session, kept in ``config.data_dir()/human_baseline.json`` (lab 01).

``save_session`` adds a session (``game.Game.record()``) or updates it in place by its id, under a lock and
atomically, so that two kernels saving at once lose nothing and a failed save leaves the file whole.
``load_baseline`` reads every session; ``human_baseline`` pools their answers into one score, which labs 06
and 07 print beside each detector. Reading the baseline imports none of the models (swap, gan, voice).

**A class folder.** When ``COURSE_CLASS_DIR`` is set (``config.class_dir()``: a folder every learner of a
JupyterHub can write to), ``save_session`` also writes the session there, as its own file
``session-<id>.json``, with ``files.write_json_atomic`` (a temporary file beside it, then a rename). Why one
file per session and not one shared file under a lock: a room has 20 kernels saving at once, often on NFS,
where ``flock`` may be emulated, local to one machine, or missing, so a shared file could lose a session or
be left half-written. With one file per session no two writers ever touch the same file (a session's id is
random and only its own kernel updates it), and a rename is atomic on every POSIX filesystem, NFS included,
so a reader sees the old session or the new one, never a mix. No lock, so nothing to go stale either.
A file that cannot be read is set aside (renamed ``<name>.unreadable-<time>``), never overwritten: the
learner's own file as before, and a class file before its session is saved again.

``python -m course_lib baseline report PATH...`` (``report_main``) pools the sessions of class folders,
baseline files and nbgrader ``submitted/`` trees, one session per id, into a table and a plotly figure.
"""
from __future__ import annotations

import argparse
import getpass
import hashlib
import json
import os
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import config
from .files import as_path, atomic_path, write_json_atomic
from .game import CLIP_FAKES, IMAGE_FAKES, score, wilson_interval

BASELINE_FILE = "human_baseline.json"
BASELINE_FORMAT = "deepfake-lab/human-baseline/1"
CLASS_FILE_PREFIX = "session-"
DEFAULT_PLAYER = "me"  # game.Game's player name when none is given


def baseline_path() -> Path:
    """Where the human baseline lives: ``config.data_dir()/human_baseline.json`` (lab 01)."""
    return config.data_dir() / BASELINE_FILE


@contextmanager
def _locked(path: Path):
    """An advisory lock beside the file, so two kernels saving at once do not lose a session."""
    lock = path.with_name(path.name + ".lock")
    with open(lock, "a+") as handle:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: the atomic replace still keeps the file whole
            pass
        yield


def _parse(path: Path) -> dict:
    """A baseline or class file's content; ValueError (or OSError) when it is not one."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("sessions"), list):
        raise ValueError("no list of sessions")
    if not all(isinstance(s, dict) for s in data["sessions"]):
        raise ValueError("a session is not a JSON object")
    return data


def _set_aside(path: Path, why) -> Path:
    """Rename an unreadable file to a name no other file has, so that nothing ever overwrites it."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    n = 0
    while (kept := path.with_name(f"{path.name}.unreadable-{stamp}" + (f"-{n}" if n else ""))).exists():
        n += 1
    os.replace(path, kept)
    print(f"note: {path} could not be read ({why}); kept it as {kept.name} and started a new one")
    return kept


def _read(path: Path) -> list[dict]:
    """The sessions in ``path``; an unreadable file is set aside and the list starts empty."""
    if not path.exists():
        return []
    try:
        return _parse(path)["sessions"]
    except (ValueError, OSError) as exc:
        _set_aside(path, exc)
        return []


def _plain(value):
    """JSON's fallback: numpy scalars and arrays become Python numbers and lists; anything else is refused."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"save_session: the record holds a {type(value).__name__}, which the baseline file cannot "
                    "store; give plain numbers, strings, lists and dicts (as Game.record() does)")


def _account() -> str | None:
    """The login name a class file is saved from (tells apart players who kept the default name)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name in some containers
        return None


def _class_file(folder: Path, session_id) -> Path:
    """``session-<id>.json``; an id that is not a plain name is replaced by its hash."""
    sid = str(session_id)
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", sid):
        sid = hashlib.sha256(sid.encode("utf-8")).hexdigest()[:24]
    return folder / f"{CLASS_FILE_PREFIX}{sid}.json"


def _save_to_class(folder: Path, record: dict) -> None:
    """Write one session to its own file in the class folder; a failure there is reported, not raised."""
    target = _class_file(folder, record["id"])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if target.exists():
            try:
                _parse(target)
            except (ValueError, OSError) as exc:
                _set_aside(target, exc)
        write_json_atomic(target, {"format": BASELINE_FORMAT, "account": _account(), "sessions": [record]})
    except OSError as exc:
        print(f"note: this session is saved in your own baseline, but not in the class folder {folder} ({exc}); "
              "check that COURSE_CLASS_DIR names a folder you can write to, or unset it")


def _baseline_file(path, fn: str) -> Path:
    """The baseline file to use: ``path``, or the default one; never a folder (a folder is not set aside)."""
    path = baseline_path() if path is None else as_path(path, f"{fn}: path")
    if path.exists() and not path.is_file():
        raise ValueError(f"{fn}: path {path} is a folder, not a baseline file; give a file such as "
                         f"{path / BASELINE_FILE}")
    return path


def save_session(record: dict, path=None) -> Path:
    """Add a session record to the baseline file (and the class folder), or replace it by its id; atomic (lab 01)."""
    if not isinstance(record, dict) or not record.get("id") or not isinstance(record.get("answers"), list):
        raise ValueError("save_session: give a session record with an 'id' and a list of 'answers' (Game.record())")
    try:  # plain JSON values, or a TypeError naming the culprit
        record = json.loads(json.dumps(record, default=_plain, allow_nan=False))
    except ValueError as exc:  # NaN or infinity, which JSON cannot hold
        raise ValueError(f"save_session: the record holds a value JSON cannot store ({exc}); give finite numbers, "
                         "or None for a missing one (as Game.record() does)") from None
    path = _baseline_file(path, "save_session")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        old = _read(path)
        sessions = [s for s in old if s.get("id") != record["id"]]
        at = next((i for i, s in enumerate(old) if s.get("id") == record["id"]), len(sessions))
        sessions.insert(at, record)
        write_json_atomic(path, {"format": BASELINE_FORMAT, "sessions": sessions})
    folder = config.class_dir()
    if folder is not None:
        _save_to_class(folder, record)
    return path


def load_baseline(path=None) -> list[dict]:
    """Every saved session, oldest first (empty when nobody has played yet) (lab 01; used by labs 06 and 07)."""
    path = _baseline_file(path, "load_baseline")
    if not path.exists():
        return []
    with _locked(path):
        return list(_read(path))


def human_baseline(path=None, media: str | None = None) -> dict:
    """All saved answers pooled: sessions, answered, accuracy with its Wilson interval, per source (lab 01).

    ``media`` ("image" or "clip") keeps only those answers. Labs 06 and 07 print it beside each detector.
    """
    if media not in (None, "image", "clip"):
        raise ValueError(f"human_baseline: media must be None, 'image' or 'clip', got {media!r}")
    sessions = load_baseline(path)
    answers = [a for s in sessions for a in s.get("answers", []) if media is None or a.get("media") == media]
    s = score(answers)
    return {"sessions": sum(1 for x in sessions if x.get("answers")), **s.to_dict()}


# ====================================================================================================
# A class-wide report: pool the sessions of a room

class Pooled(NamedTuple):
    """One session in a class report, and the player it counts for (labs 01, 06)."""

    player: str
    record: dict


def _is_session_file(path: Path, root: Path) -> bool:
    """A baseline or class file, not inside a hidden folder (the atomic writer's temporary ones)."""
    if path.name != BASELINE_FILE and not (path.name.startswith(CLASS_FILE_PREFIX) and path.suffix == ".json"):
        return False
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def _session_files(paths) -> list[Path]:
    files = []
    for i, p in enumerate(paths):
        p = as_path(p, f"paths[{i}]")
        if p.is_file():
            files.append(p)
        elif p.is_dir():
            files.extend(sorted(f for f in p.rglob("*.json") if f.is_file() and _is_session_file(f, p)))
        else:
            raise FileNotFoundError(f"baseline report: no such file or folder: {p}; give class folders, baseline "
                                    "files or nbgrader submitted/ folders")
    return files


def _player(record: dict, path: Path, account) -> str:
    """Who played: the name given to the game, else the nbgrader student or hub account, else the session."""
    name = str(record.get("player") or "").strip()
    if name and name != DEFAULT_PLAYER:
        return name
    parts = path.resolve().parts
    student = next((parts[i + 1] for i in range(len(parts) - 2, -1, -1) if parts[i] == "submitted"), None)
    return student or account or f"session {record.get('id')}"


def pool_sessions(paths) -> list[Pooled]:
    """Every session in class folders, baseline files and nbgrader ``submitted/`` trees, one per id (lab 01).

    A session found twice (in the class folder and in a submitted baseline) counts once: the copy with the
    most answers. Unreadable files and sessions are skipped with a note naming them, never changed.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if not isinstance(paths, (list, tuple)) or not paths:
        raise TypeError(f"pool_sessions: paths must be a folder or file path, or a list of them, got {paths!r}")
    pooled: dict[str, Pooled] = {}
    for f in _session_files(paths):
        try:
            data = _parse(f)
        except (ValueError, OSError) as exc:
            print(f"note: skipped {f}: not a baseline file ({exc})", file=sys.stderr)
            continue
        for record in data["sessions"]:
            try:
                if not record.get("id") or not isinstance(record.get("answers"), list):
                    raise ValueError("a session needs an 'id' and a list of 'answers'")
                score(record["answers"])
            except (ValueError, TypeError) as exc:
                print(f"note: skipped session {record.get('id')!r} in {f}: {exc}", file=sys.stderr)
                continue
            sid = str(record.get("id"))
            if sid not in pooled or len(record.get("answers", [])) > len(pooled[sid].record.get("answers", [])):
                pooled[sid] = Pooled(_player(record, f, data.get("account")), record)
    return list(pooled.values())


def _source_order(source: str):
    known = ("real",) + IMAGE_FAKES + CLIP_FAKES
    return (known.index(source), "") if source in known else (len(known), source)


def class_table(pooled) -> list[dict]:
    """Per fake source, then all together: players, answers, correct, accuracy and its Wilson interval (labs 01, 06)."""
    if not isinstance(pooled, (list, tuple)) or not all(isinstance(p, tuple) and len(p) == 2 for p in pooled):
        raise ValueError(f"class_table: pooled must be the list that pool_sessions(paths) returns, got {pooled!r:.60}")
    for player, record in pooled:
        try:
            score(record.get("answers", []) if isinstance(record, dict) else None)
        except ValueError as exc:
            raise ValueError(f"class_table: pooled: player {player!r} has a session that cannot be scored ({exc}); "
                             "pass what pool_sessions(paths) returns") from None
    cells: dict[str, list] = {}
    for player, record in pooled:
        for a in record.get("answers", []):
            for key in (str(a.get("source", "?")), "all"):
                cell = cells.setdefault(key, [set(), 0, 0])
                cell[0].add(player)
                cell[1] += int(bool(a["fake"]) == bool(a["guess_fake"]))
                cell[2] += 1
    rows = []
    for source in sorted((k for k in cells if k != "all"), key=_source_order) + (["all"] if cells else []):
        players, correct, n = cells[source]
        rows.append({"source": source, "players": len(players), "answers": n, "correct": correct,
                     "accuracy": correct / n, "ci": list(wilson_interval(correct, n))})
    return rows


ROW_KEYS = ("source", "players", "answers", "correct", "accuracy", "ci")


def _check_rows(rows, fn: str) -> None:
    if not isinstance(rows, (list, tuple)) or not all(isinstance(r, dict) and all(k in r for k in ROW_KEYS)
                                                      for r in rows):
        raise ValueError(f"{fn}: rows must be the list that class_table(pooled) returns (dicts with {ROW_KEYS}), "
                         f"got {rows!r:.60}")


def format_table(rows) -> str:
    """The class table as aligned text (lab 01)."""
    _check_rows(rows, "format_table")
    lines = [f"{'source':<20} {'players':>7} {'answers':>7} {'accuracy':>8}  95% interval"]
    for r in rows:
        lo, hi = r["ci"]
        lines.append(f"{r['source']:<20} {r['players']:>7} {r['answers']:>7} {r['accuracy']:>8.0%}  "
                     f"[{lo:.0%}, {hi:.0%}]")
    return "\n".join(lines)


def class_figure(rows, title: str = "Human baseline"):
    """A plotly bar chart: accuracy per source with its Wilson interval, players and answers on hover (lab 01)."""
    import plotly.graph_objects as go

    _check_rows(rows, "class_figure")
    fig = go.Figure(go.Bar(
        x=[r["source"] for r in rows], y=[r["accuracy"] for r in rows],
        error_y={"type": "data", "symmetric": False, "array": [r["ci"][1] - r["accuracy"] for r in rows],
                 "arrayminus": [r["accuracy"] - r["ci"][0] for r in rows]},
        text=[f"{r['players']} players, {r['answers']} answers" for r in rows],
        hovertemplate="%{x}: %{y:.0%} correct<br>%{text}<extra></extra>"))
    fig.add_hline(y=0.5, line_dash="dot", annotation_text="chance")
    fig.update_layout(title=title, yaxis={"title": "accuracy (95% Wilson interval)", "range": [0, 1],
                                          "tickformat": ".0%"}, xaxis_title="what the item was")
    return fig


def report_main(argv: list[str]) -> int:
    """``python -m course_lib baseline report PATH... [--html OUT]``: the class table and figure (lab 01)."""
    if isinstance(argv, str) or not isinstance(argv, (list, tuple)):
        raise TypeError(f"report_main: argv must be a list of arguments, e.g. ['report', 'class/'], got {argv!r}")
    parser = argparse.ArgumentParser(prog="python -m course_lib baseline",
                                     description="Pool the real-or-fake sessions of a class.")
    sub = parser.add_subparsers(dest="command", required=True)
    report = sub.add_parser("report", help="one table and one plotly figure of the class's accuracy per source")
    report.add_argument("paths", nargs="+", metavar="PATH",
                        help="class folders (COURSE_CLASS_DIR), baseline files or nbgrader submitted/ folders")
    report.add_argument("--html", default="baseline_report.html", metavar="OUT",
                        help="where to write the figure (default: %(default)s); it works offline")
    args = parser.parse_args(argv)
    try:
        pooled = pool_sessions(args.paths)
    except (FileNotFoundError, TypeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = class_table(pooled)
    if not rows:
        print("no answered sessions found in " + ", ".join(args.paths), file=sys.stderr)
        return 1
    players = len({p.player for p in pooled if p.record.get("answers")})
    print(f"{len(pooled)} sessions from {players} players\n{format_table(rows)}")
    fig = class_figure(rows, title=f"Human baseline: {players} players, {rows[-1]['answers']} answers")
    out = as_path(args.html, "--html")
    with atomic_path(out) as tmp:
        fig.write_html(tmp, include_plotlyjs=True)  # plotly.js inside the file: it opens offline
    print(f"figure: {out}")
    return 0


# ====================================================================================================
# Lab 06's column: people against each generator

# Lab 01's fake sources as lab 06's generators (course_lib.fakes), where they are the same kind of fake.
# "(3) both" (a swapped face on lips re-drawn to a converted voice) has no single generator and is left out.
SOURCE_GENERATORS = {"cheapfake": "classical", "autoencoder swap": "autoencoder", "GAN sample": "gan",
                     "(1) fake voice": "dub", "(2) fake face": "autoencoder"}
EXAMPLE_PLAYER = "example player"
_EXAMPLE_CORRECT = {"cheapfake": 8, "autoencoder swap": 6, "GAN sample": 5, "(1) fake voice": 4, "(2) fake face": 6}


class GeneratorBaseline(NamedTuple):
    """People against each generator: ``rows`` ({generator: accuracy, ci, players}), ``played``, ``note`` (lab 06)."""

    rows: dict
    played: bool
    note: str


def example_answers() -> list[dict]:
    """An invented example player's answers, 10 fakes per lab 01 source, for when nobody has played (lab 06)."""
    return [{"item": f"{source}-{i}", "media": "clip" if source.startswith("(") else "image", "source": source,
             "fake": True, "guess_fake": i < correct, "seconds": 4.0}
            for source, correct in _EXAMPLE_CORRECT.items() for i in range(10)]


def generator_baseline(path=None) -> GeneratorBaseline:
    """Lab 01's answers pooled per lab 06 generator: the share of its fakes people caught, Wilson interval (lab 06).

    Each generator's row pools the answers on fakes from the lab 01 sources ``SOURCE_GENERATORS`` maps to it:
    ``accuracy`` (fakes called fake), ``ci`` (95% Wilson), ``players``, ``answers``, ``correct`` and
    ``sources``. When nobody has played yet, ``played`` is False, ``note`` says so and the rows are the
    example player's (``example_answers``), so that the lab can still show the column.
    """
    sessions = [s for s in load_baseline(path) if s.get("answers")]
    played = bool(sessions)
    if not played:
        sessions = [{"id": "example", "player": EXAMPLE_PLAYER, "answers": example_answers()}]
    pooled = []
    for s in sessions:
        answers = [{**a, "source": SOURCE_GENERATORS[a.get("source")]} for a in s["answers"]
                   if a.get("fake") and a.get("source") in SOURCE_GENERATORS]
        player = s.get("player") if s.get("player") not in (None, "", DEFAULT_PLAYER) else f"session {s.get('id')}"
        pooled.append(Pooled(str(player), {**s, "answers": answers}))
    sources = {g: sorted(k for k, v in SOURCE_GENERATORS.items() if v == g) for g in set(SOURCE_GENERATORS.values())}
    rows = {r["source"]: {**r, "sources": sources[r["source"]]} for r in class_table(pooled) if r["source"] != "all"}
    if played:
        players = len({p.player for p in pooled})
        note = f"{players} player(s) of lab 01's game, {sum(r['answers'] for r in rows.values())} answers on fakes"
    else:
        note = ("Nobody has played lab 01's real-or-fake game yet: the human column shows an invented example "
                "player. Play lab 01's game, and it fills with your answers.")
    return GeneratorBaseline(rows, played, note)
