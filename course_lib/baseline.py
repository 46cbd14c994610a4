"""The human baseline: every real-or-fake session, kept in ``config.data_dir()/human_baseline.json`` (lab 01).

``save_session`` adds a session (``game.Game.record()``) or updates it in place by its id, under a lock and
atomically, so that two kernels saving at once lose nothing and a failed save leaves the file whole.
``load_baseline`` reads every session; ``human_baseline`` pools their answers into one score, which labs 06
and 07 print beside each detector. Reading the baseline imports none of the models (swap, gan, voice).
"""
from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from . import config
from .checkpoints import write_atomic
from .game import score

BASELINE_FILE = "human_baseline.json"
BASELINE_FORMAT = "deepfake-lab/human-baseline/1"


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


def _read(path: Path) -> dict:
    if not path.exists():
        return {"format": BASELINE_FORMAT, "sessions": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("sessions"), list):
            raise ValueError("no list of sessions")
        return data
    except (ValueError, OSError) as exc:
        kept = path.with_name(f"{path.name}.unreadable-{int(time.time())}")
        os.replace(path, kept)
        print(f"note: {path} could not be read ({exc}); kept it as {kept.name} and started a new baseline")
        return {"format": BASELINE_FORMAT, "sessions": []}


def _plain(value):
    """JSON's fallback: numpy scalars and arrays become Python numbers and lists; anything else is refused."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"save_session: the record holds a {type(value).__name__}, which the baseline file cannot "
                    "store; give plain numbers, strings, lists and dicts (as Game.record() does)")


def save_session(record: dict, path=None) -> Path:
    """Add a session record to the baseline file, or replace the one with the same id; atomic (lab 01)."""
    if not isinstance(record, dict) or not record.get("id") or not isinstance(record.get("answers"), list):
        raise ValueError("save_session: give a session record with an 'id' and a list of 'answers' (Game.record())")
    path = Path(path) if path is not None else baseline_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        data = _read(path)
        sessions = [s for s in data["sessions"] if s.get("id") != record["id"]]
        at = next((i for i, s in enumerate(data["sessions"]) if s.get("id") == record["id"]), len(sessions))
        sessions.insert(at, record)
        text = json.dumps({"format": BASELINE_FORMAT, "sessions": sessions}, indent=1, default=_plain)
        return write_atomic(path, text.encode("utf-8"))


def load_baseline(path=None) -> list[dict]:
    """Every saved session, oldest first (empty when nobody has played yet) (lab 01; used by labs 06 and 07)."""
    path = Path(path) if path is not None else baseline_path()
    if not path.exists():
        return []
    with _locked(path):
        return list(_read(path)["sessions"])


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
