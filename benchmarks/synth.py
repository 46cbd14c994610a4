"""Speed of the synthetic world: 1,000 faces with landmarks, and a 10 s talking clip as mp4 (lab 00)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from . import median_time

TARGETS = {"faces_1000_s": ("<=", 2.0), "clip_10s_s": ("<=", 3.0)}
REPEATS = {"fast": 1, "full": 5}


def faces_1000(seed: int = 0):
    """Draw 1,000 identities and states and render them at 64×64 with landmarks (lab 00)."""
    from course_lib import synth

    ids = [synth.identity(i) for i in range(1000)]
    states = synth.random_states(1000, seed)
    return synth.render_batch(ids, states, size=64)


def clip_10s(path) -> Path:
    """Make a 10 s talking clip with audio at 128×128 and write it as an H.264/AAC mp4 (lab 00)."""
    from course_lib import synth

    clip = synth.talking_clip(synth.cast("ada"), seconds=10, size=128)
    return clip.write(path)


def run(mode: str) -> dict:
    """Median seconds for each task over the mode's repeats, and faces per second (lab 00)."""
    repeats = REPEATS[mode]
    faces_s = median_time(faces_1000, repeats)
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
        clip_s = median_time(lambda: clip_10s(Path(tmp) / "clip.mp4"), repeats)
    return {"faces_per_s": round(1000 / faces_s, 1), "faces_1000_s": round(faces_s, 4),
            "clip_10s_s": round(clip_s, 4), "repeats": repeats}
