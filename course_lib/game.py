"""The real-or-fake game: a seeded, balanced round, its items, and the score with a Wilson interval (lab 01).

``round_plan`` draws a seeded, balanced set of things to judge (half real, half fake; every fake source and,
for fairness, every real item in the *format* of one fake source, so that size or framing never gives the
answer away); ``make_round`` renders them; ``Game`` records each answer with the time it took; ``score`` gives
the accuracy with a Wilson confidence interval. Every session is kept by ``baseline`` (the human-baseline
store), so that labs 06 and 07 can put the human baseline beside each detector.

Everything here is a plain function or a small class that tests call; ``widgets.real_or_fake`` only wires
buttons to it.
"""
from __future__ import annotations

import math
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import config, synth
from .categories import full_fake, speak_as
from .files import as_path
from .validate import check_object, check_scalar, check_seed
from .viz import DISPLAY, clip_html

# ====================================================================================================
# A seeded, balanced round

IMAGE_FAKES = ("autoencoder swap", "GAN sample", "cheapfake")  # labs 03, 04, 02
CLIP_FAKES = ("(1) fake voice", "(2) fake face", "(3) both")


@dataclass(frozen=True)
class PlanEntry:
    """One thing to judge, before it is made: media, source, ground truth, format and its own seed (lab 01).

    ``format`` is the fake source whose look (size, framing, person) the item has: a real item in the format
    "GAN sample" is a real render made the way the GAN's training faces were.
    """

    index: int
    media: str  # "image" or "clip"
    source: str  # "real" or one of IMAGE_FAKES / CLIP_FAKES
    fake: bool
    format: str
    seed: int


def _balanced(n: int, fake_sources, rng, media: str, start: int) -> list[PlanEntry]:
    sources = list(fake_sources)
    if n and not sources:  # every real item takes a fake source's format, so even an all-real draw needs one
        raise ValueError(f"round_plan: {n} {media}s need at least one fake source; give some or ask for 0 {media}s")
    n_fake = n // 2 + (int(rng.integers(2)) if n % 2 else 0)
    order = [sources[i] for i in rng.permutation(len(sources))] if sources else []
    fakes = [order[i % len(order)] for i in range(n_fake)]
    formats = [order[(i + n_fake) % len(order)] for i in range(n - n_fake)]
    entries = [(media, s, True, s) for s in fakes] + [(media, "real", False, f) for f in formats]
    entries = [entries[i] for i in rng.permutation(len(entries))]
    seeds = rng.integers(0, 2**31 - 1, size=len(entries))
    return [PlanEntry(start + k, m, s, fk, f, int(sd)) for k, ((m, s, fk, f), sd) in enumerate(zip(entries, seeds))]


def round_plan(n_images: int = 12, n_clips: int = 4, seed: int = 0, image_sources=IMAGE_FAKES,
               clip_sources=CLIP_FAKES) -> list[PlanEntry]:
    """A seeded, balanced round: images first, then clips; half of each real, fakes spread over the sources (lab 01).

    With an odd count the extra item is real or fake by the seed's coin. Each real item takes the format of one
    fake source in turn, so that no size or framing gives the answer away. The same seed gives the same plan.
    """
    seed = check_seed(seed)
    n_images = check_scalar(n_images, "n_images", int, min_val=0, max_val=200, fn="round_plan")
    n_clips = check_scalar(n_clips, "n_clips", int, min_val=0, max_val=200, fn="round_plan")
    if n_images + n_clips == 0:
        raise ValueError("round_plan: a round needs at least one image or clip")
    for name, sources, allowed in (("image_sources", image_sources, IMAGE_FAKES),
                                   ("clip_sources", clip_sources, CLIP_FAKES)):
        if isinstance(sources, str) or not isinstance(sources, (list, tuple)):
            raise ValueError(f"round_plan: {name} must be a tuple of names from {allowed}, got {sources!r}")
        bad = [s for s in sources if s not in allowed]
        if bad or len(set(sources)) != len(tuple(sources)):
            raise ValueError(f"round_plan: {name} must be distinct names from {allowed}, got {tuple(sources)}")
    rng = np.random.default_rng([seed, 0x0F4E])
    images = _balanced(int(n_images), image_sources, rng, "image", 0)
    clips = _balanced(int(n_clips), clip_sources, rng, "clip", len(images))
    return images + clips


@dataclass
class Item:
    """One rendered thing to judge: an image (PNG) or a clip (an HTML <video>), with its ground truth (lab 01)."""

    id: str
    media: str
    source: str
    fake: bool
    format: str
    png: bytes = field(default=b"", repr=False)
    html: str = field(default="", repr=False)
    image: np.ndarray | None = field(default=None, repr=False)
    labels: dict = field(default_factory=dict)

    @property
    def truth(self) -> str:
        """ "fake" or "real" (lab 01)."""
        return "fake" if self.fake else "real"


def _person(seed: int):
    return synth.identity(10_000 + seed % 1_000_000)  # beyond the cast's seeds


def _state(seed: int):
    return synth.random_states(1, seed=seed)[0]


def _png(img: np.ndarray) -> bytes:
    from . import media

    return media.png_bytes(img, scale=max(1, int(math.ceil(DISPLAY / img.shape[0]))))


def _image_item(entry: PlanEntry, swapper, generator) -> tuple[np.ndarray, dict]:
    from . import faces

    fmt, s = entry.format, entry.seed
    if fmt == "autoencoder swap":
        size = 2 * swapper.size
        if entry.fake:
            img, pts, _ = synth.render(synth.cast(swapper.names[0]), _state(s), size=size, seed=s)
            from . import swap

            img = swap.swap_frames(swapper, img[None], pts[None], swapper.names[-1])[0]
            return img, {"face": "swapped"}
        return synth.render(synth.cast(swapper.names[-1]), _state(s), size=size, seed=s)[0], {"face": "real"}
    if fmt == "GAN sample":
        if entry.fake:
            from . import gan

            return gan.sample(generator, 1, seed=s)[0], {"face": "generated"}
        return synth.render(_person(s), _state(s), size=generator.size, seed=s)[0], {"face": "real"}
    # cheapfake: a random person's face pasted onto another random person (lab 02's classical swap)
    size = 128
    target, target_pts, _ = synth.render(_person(s), _state(s), size=size, seed=s)
    if not entry.fake:
        return target, {"face": "real"}
    donor, donor_pts, _ = synth.render(_person(s + 1), _state(s + 1), size=size, seed=s + 1)
    return faces.classical_swap(donor, donor_pts, target, target_pts).image, {"face": "swapped"}


def _clip_item(entry: PlanEntry, swapper, converter, seconds: float, size: int, actor: str):
    from . import lipsync, swap, voice

    s = entry.seed
    rng = np.random.default_rng([s, 0xC1])
    performer, person = swapper.names[0], swapper.names[-1]
    who = performer if entry.source == "(2) fake face" else person
    text = synth.SENTENCES[int(rng.integers(len(synth.SENTENCES)))]
    line = voice.NEW_LINES[int(rng.integers(len(voice.NEW_LINES)))]
    if entry.source == "(3) both":
        return full_fake(swapper, converter, line, actor, seconds, size, s)
    clip = synth.talking_clip(synth.cast(who), seconds=seconds, size=size, seed=s,
                              speech=synth.speak(synth.cast(who), text, seed=s))
    if entry.source == "(1) fake voice":
        clip = lipsync.replace_voice(clip, speak_as(converter, line, actor, s), "converted")
    if entry.source == "(2) fake face":
        clip = swap.swap_clip(swapper, clip, to=person)
    return clip


def _check_makers(swapper, generator, converter) -> None:
    """Each model given is of its kind (imported only when given, so a round of real images needs none)."""
    if swapper is not None:
        from .swap import SwapModel

        check_object(swapper, "swapper", SwapModel, "swap.pretrained()", "make_round")
    if generator is not None:
        from .gan import Generator

        check_object(generator, "generator", Generator, "gan.pretrained_run().G", "make_round")
    if converter is not None:
        from .voice import Converter

        check_object(converter, "converter", Converter, "voice.fit_converter(...)", "make_round")


def make_round(plan, swapper=None, generator=None, converter=None, *, clip_seconds: float = 2.0,
               clip_size: int = 64, actor: str = "ben") -> list[Item]:
    """Render a ``round_plan``: images as PNGs, clips as embedded mp4s with sound, each with its truth (lab 01).

    ``swapper`` (``swap.pretrained()``) makes the swaps and the clips' swapped faces, and its second person
    is the one every clip appears to show; ``generator`` (a GAN's G) makes the GAN samples; ``converter``
    (``voice.fit_converter`` from ``actor`` to that person) makes the fake voices. Each is needed only if the
    plan holds items that use it. The same plan and models give the same items.
    """
    if not isinstance(plan, (list, tuple)) or not plan or not all(isinstance(e, PlanEntry) for e in plan):
        raise ValueError(f"make_round: plan: give the list that round_plan(...) returns, got {plan!r:.60}")
    plan = list(plan)
    _check_makers(swapper, generator, converter)
    clip_seconds = check_scalar(clip_seconds, "clip_seconds", float, min_val=0.5, max_val=30.0, fn="make_round")
    clip_size = check_scalar(clip_size, "clip_size", int, min_val=16, max_val=256, fn="make_round")
    if not isinstance(actor, str) or actor not in synth.CAST:
        raise ValueError(f"make_round: actor must be a cast member, one of {sorted(synth.CAST)}, got {actor!r}")
    needs = {"swapper": any(e.format == "autoencoder swap" or e.media == "clip" for e in plan),
             "generator": any(e.format == "GAN sample" for e in plan),
             "converter": any(e.media == "clip" and e.source in ("(1) fake voice", "(3) both") for e in plan)}
    given = {"swapper": swapper, "generator": generator, "converter": converter}
    missing = [k for k, need in needs.items() if need and given[k] is None]
    if missing:
        raise ValueError(f"make_round: this plan needs {missing} (swap.pretrained(), gan.pretrained_run().G, "
                         "voice.fit_converter(...)); or plan without those sources")
    items = []
    for entry in plan:
        item_id = f"{entry.index:02d}-{entry.seed:08x}"
        if entry.media == "image":
            img, labels = _image_item(entry, swapper, generator)
            items.append(Item(item_id, "image", entry.source, entry.fake, entry.format, png=_png(img), image=img,
                              labels=labels))
        else:
            clip = _clip_item(entry, swapper, converter, clip_seconds, clip_size, actor)
            items.append(Item(item_id, "clip", entry.source, entry.fake, entry.format, html=clip_html(clip),
                              labels=clip.labels))
    return items


# ====================================================================================================
# Scoring: accuracy with a Wilson interval, and the time taken

def wilson_interval(correct: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval for ``correct`` successes in ``n`` trials (95% for z = 1.96) (lab 01).

    Unlike p ± z·sqrt(p(1−p)/n), it never leaves [0, 1] and does not collapse to a point at 0 or n correct.
    With n = 0 there is no information: (0, 1).
    """
    n = check_scalar(n, "n", int, min_val=0, fn="wilson_interval")
    correct = check_scalar(correct, "correct", int, min_val=0, max_val=n, fn="wilson_interval")  # at most n
    z = check_scalar(z, "z", float, min_val=0.0, max_val=10.0, include_boundaries="right", fn="wilson_interval")
    if n == 0:
        return 0.0, 1.0
    p, z2 = correct / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Answer:
    """One answer: which item, its truth, the guess, and how many seconds it took (lab 01)."""

    item: str
    media: str
    source: str
    fake: bool
    guess_fake: bool
    seconds: float

    @property
    def correct(self) -> bool:
        return self.fake == self.guess_fake


@dataclass(frozen=True)
class Score:
    """A set of answers, scored: accuracy with its 95% Wilson interval, mistakes by kind, time (lab 01)."""

    answered: int
    correct: int
    accuracy: float  # nan before the first answer
    ci: tuple
    fakes_called_real: int  # missed fakes
    reals_called_fake: int  # false alarms
    seconds_total: float
    seconds_median: float
    by_source: dict  # source -> [correct, answered]
    by_media: dict  # media -> [correct, answered]

    def to_dict(self) -> dict:
        """Plain values for JSON (lab 01)."""
        d = asdict(self)
        d["ci"] = list(self.ci)
        for key in ("accuracy", "seconds_median"):
            d[key] = None if math.isnan(d[key]) else d[key]
        return d


def _as_answer(a) -> Answer:
    if isinstance(a, Answer):
        return a
    if isinstance(a, dict):
        missing = [k for k in ("item", "fake", "guess_fake") if k not in a]
        if missing:
            raise ValueError(f"score: an answer dict needs 'item', 'fake' and 'guess_fake'; missing {missing}")
        for key in ("fake", "guess_fake"):
            if not isinstance(a[key], (bool, np.bool_)):
                raise ValueError(f"score: an answer's {key} must be True or False, got {a[key]!r}")
        seconds = check_scalar(a.get("seconds", 0.0), "seconds", float, min_val=0.0, fn="score: an answer's")
        return Answer(str(a["item"]), str(a.get("media", "image")), str(a.get("source", "?")), bool(a["fake"]),
                      bool(a["guess_fake"]), seconds)
    raise ValueError(f"score: answers must be game.Answer objects or dicts, got {type(a).__name__}")


def score(answers) -> Score:
    """Score answers: accuracy, its Wilson interval, missed fakes, false alarms, time, per source and media (lab 01)."""
    if isinstance(answers, (str, dict)) or not isinstance(answers, (list, tuple)):
        raise ValueError(f"score: answers must be a list of game.Answer objects or dicts, got {type(answers).__name__}")
    answers = [_as_answer(a) for a in answers]
    n, k = len(answers), sum(a.correct for a in answers)
    by_source: dict = {}
    by_media: dict = {}
    for a in answers:
        for table, key in ((by_source, a.source), (by_media, a.media)):
            cell = table.setdefault(key, [0, 0])
            cell[0] += int(a.correct)
            cell[1] += 1
    secs = [a.seconds for a in answers]
    return Score(n, k, k / n if n else float("nan"), wilson_interval(k, n),
                 sum(a.fake and not a.guess_fake for a in answers), sum(a.guess_fake and not a.fake for a in answers),
                 float(sum(secs)), float(np.median(secs)) if secs else float("nan"), by_source, by_media)


def _guess(guess) -> bool:
    if isinstance(guess, (bool, np.bool_)):
        return bool(guess)
    if isinstance(guess, str) and guess.strip().lower() in ("real", "fake"):
        return guess.strip().lower() == "fake"
    raise ValueError(f"answer: say 'real' or 'fake' (or True for fake), got {guess!r}")


class Game:
    """One session of real-or-fake: shows items in order, records each answer and its time, saves itself (lab 01).

    ``start()`` starts the clock on the first item; ``answer("real" | "fake")`` records it and moves on.
    With ``save=True`` every answer updates this session's record in the human baseline (``baseline``; one
    record per session, so a half-played round still counts). ``clock`` is replaceable for tests. ``mode``
    ("fast" or "full"; None reads COURSE_FAST) is the lab's mode, recorded with the session.
    """

    def __init__(self, items, *, seed: int | None = None, save: bool = True, path=None, clock=time.monotonic,
                 player: str = "me", mode: str | None = None):
        if not isinstance(items, (list, tuple)) or not items or not all(isinstance(i, Item) for i in items):
            raise ValueError(f"Game: items: give the items that make_round(...) returns, got {items!r:.60}")
        if not callable(clock):
            raise ValueError(f"Game: clock must be a function that returns seconds, like time.monotonic; got {clock!r}")
        if not isinstance(player, str) or not player.strip():
            raise ValueError(f"Game: player must be a name (a non-empty str), got {player!r}")
        self.items = list(items)
        self.seed = None if seed is None else check_seed(seed)
        self.path = None if path is None else as_path(path, "Game: path")
        self.save_enabled, self.clock, self.player = bool(save), clock, player
        self.mode = config.resolve_mode(mode)
        self.answers: list[Answer] = []
        self.id = uuid.uuid4().hex[:12]
        self.started_at: str | None = None
        self._shown: float | None = None

    @property
    def started(self) -> bool:
        return self._shown is not None

    @property
    def done(self) -> bool:
        return len(self.answers) >= len(self.items)

    @property
    def current(self) -> Item | None:
        """The item on screen now, or None when the round is over (lab 01)."""
        return None if self.done else self.items[len(self.answers)]

    def start(self) -> Item | None:
        """Start (or restart) the clock on the current item and return it (lab 01)."""
        if self.started_at is None:
            self.started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self._shown = self.clock()
        return self.current

    def answer(self, guess) -> Answer:
        """Record a guess ("real", "fake", or True for fake) for the current item, then show the next (lab 01)."""
        fake_guess = _guess(guess)
        if self.done:
            raise ValueError("answer: the round is over; make a new Game to play again")
        if not self.started:
            self.start()
        item, now = self.current, self.clock()
        ans = Answer(item.id, item.media, item.source, item.fake, fake_guess, round(max(0.0, now - self._shown), 3))
        self.answers.append(ans)
        self._shown = now
        if self.save_enabled:
            self.save()
        return ans

    def score(self) -> Score:
        """The score so far (lab 01)."""
        return score(self.answers)

    def record(self) -> dict:
        """This session as plain JSON values: when, which round, every answer and the score (lab 01)."""
        from . import __version__

        return {"id": self.id, "player": self.player, "started": self.started_at, "seed": self.seed,
                "mode": self.mode, "course_version": __version__,
                "n_items": len(self.items), "answers": [{**asdict(a), "correct": a.correct} for a in self.answers],
                "score": self.score().to_dict()}

    def save(self, path=None) -> Path:
        """Write this session into the baseline file (added, or updated in place by its id) (lab 01)."""
        from .baseline import save_session  # the store reads scores from here: imported when first saving

        return save_session(self.record(), self.path if path is None else as_path(path, "Game.save: path"))
