"""Shipped, pretrained weights, and the command that remakes them (lab 03, lab 04).

Binder gives a room 1 CPU and 2 GB, too little to train in class; so each model a lab trains also ships
pretrained, in ``course_lib/pretrained/``, for both FAST and full mode, and so do FAST mode's judges
(``course_lib.judges``), which labs 03 and 04 only read verdicts from. Anyone can remake a file with::

    python -m course_lib.pretrained build swap-full      # or: swap-fast, gan-full, gan-fast, judge-face-fast, all
    python -m course_lib.pretrained list

Building is deterministic for a given machine and seed; ``MANIFEST`` says what each file holds and
``builder`` gives the function that trains it. Files are float16 checkpoints (see ``course_lib.checkpoints``)
with a ``.sha256`` beside them, verified on every load. All shipped weights together stay under 20 MB (a test checks it).
"""
from __future__ import annotations

import sys
from pathlib import Path

from . import checkpoints

FOLDER = Path(__file__).parent / "pretrained"
BUDGET_BYTES = 20 * 1024 * 1024

# name -> what the file holds; ``builder(name)`` is the function that trains it
MANIFEST = {
    "swap-fast": "lab 03's face-swap autoencoder, FAST mode",
    "swap-full": "lab 03's face-swap autoencoder, full mode",
    "gan-fast": "lab 04's DCGAN, FAST mode",
    "gan-full": "lab 04's DCGAN, full mode",
    "swap-blink-openeyes-fast": "lab 06's blink story: swap-fast's recipe with a dense code, Gus's eyes open only",
    "swap-blink-allframes-fast": "lab 06's blink story: the same swapper trained on all frames",
    "detect": "lab 07's detectors: image (Meso-4-style CNN), frequency, audio (LFCC-GMM) and clip, full-mode data",
    "judge-identity-fast": "lab 03's identity judge (which cast member?), FAST mode",
    "judge-expression-fast": "lab 03's expression judge (mouth and eye opening), FAST mode",
    "judge-attributes-fast": "lab 04's attribute judge (skin tone × hair colour), FAST mode",
    "judge-face-fast": "lab 04's face judge (face or not?), FAST mode",
}


def builder(name: str):
    """The function that trains the model for ``name`` and returns (state_dict, meta) (lab 03).

    swap, gan, judges, fakes and detect are imported only here, when a file is built: they need torch.
    """
    path(name)  # a clear error for an unknown name
    from . import detect, fakes, gan, judges, swap

    return {"swap-fast": swap.build_pretrained_fast, "swap-full": swap.build_pretrained_full,
            "gan-fast": gan.build_pretrained_fast, "gan-full": gan.build_pretrained_full,
            "swap-blink-openeyes-fast": fakes.build_pretrained_blink_open_eyes_fast,
            "swap-blink-allframes-fast": fakes.build_pretrained_blink_all_frames_fast,
            "detect": detect.build_pretrained_full,
            "judge-identity-fast": judges.build_pretrained_judge_identity_fast,
            "judge-expression-fast": judges.build_pretrained_judge_expression_fast,
            "judge-attributes-fast": judges.build_pretrained_judge_attributes_fast,
            "judge-face-fast": judges.build_pretrained_judge_face_fast}[name]


def path(name: str) -> Path:
    """Where the shipped file for ``name`` lives (lab 03)."""
    if not isinstance(name, str) or name not in MANIFEST:
        raise ValueError(f"no pretrained model {name!r}; the course ships {sorted(MANIFEST)}")
    return FOLDER / f"{name}.pt"


def available(name: str) -> bool:
    """True if the pretrained file for ``name`` is present (lab 03)."""
    return path(name).exists()


def load(name: str) -> tuple[dict, dict]:
    """Verify and load a shipped checkpoint: (state_dict, meta) (lab 03)."""
    p = path(name)
    if not p.exists():
        raise checkpoints.CheckpointError(
            f"the pretrained file {p.name} is missing; remake it with: python -m course_lib.pretrained build {name}")
    return checkpoints.load(p)


def build(name: str) -> Path:
    """Train the model for ``name`` with its builder and write the shipped file (lab 03)."""
    state, meta = builder(name)()
    out = checkpoints.save(path(name), state, {**meta, "name": name}, half=True)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m course_lib.pretrained list|build NAME|build all`` (lab 03)."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] == "list":
        for name in MANIFEST:
            p = path(name)
            size = f"{p.stat().st_size / 1e6:.1f} MB" if p.exists() else "missing"
            print(f"{name:<21} {size:>10}  {MANIFEST[name]}")
        return 0
    if argv[0] == "build" and len(argv) == 2:
        names = list(MANIFEST) if argv[1] == "all" else [argv[1]]
        if argv[1] != "all" and argv[1] not in MANIFEST:
            print(f"no pretrained model {argv[1]!r}; the course ships {', '.join(MANIFEST)} (or: all)", file=sys.stderr)
            return 2
        for name in names:
            build(name)
        return 0
    print("usage: python -m course_lib.pretrained list | build NAME | build all", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
