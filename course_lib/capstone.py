"""The capstone: unseen mixed clips in lab 01's four classes, a submission, its score, and the claims table (lab 09).

* ``make_set(mode, seed)`` makes a fresh, seeded ``CapstoneSet``: a ``validation`` split whose labels are given
  (for picking thresholds) and a ``held_back`` split whose labels are not. Every clip is one of lab 01's classes
  (``categories.category``): 0 real, 1 a fake voice over real video, 2 a swapped face with the real voice,
  3 both. Each class is made by several of the course's generators (``RECIPES``): lab 02's classical swap,
  lab 03's autoencoder swap, lab 05's voice conversion, text-to-speech and lip sync, alone and together. The
  people are new (their own seed range, ``PEOPLE_SEED``), except a few of the cast; a share of the held-back
  clips went through an H.264/AAC round trip at a low quality (``reencode``), as footage from the wild does.
* Each clip keeps only what a detector may see: frames, audio, and the face landmarks a face tracker would
  find (``truth["landmarks"]``). What made it stays in the set's private answer key.
* ``evidence(clip)`` gathers the course's cues of one clip (``EVIDENCE``): the shipped clip detector's face
  and voice P(fake) (``detect.pretrained("clip")``), lips against voice (``lipsync``), the face's flicker, lab
  06's image cues over ten frames (mean and highest), its voice traces, and the camera's grain that a swapped
  face loses (``forensics.grain_score``, ``forensics.temporal_noise_score``).
  ``fit_reference``/``predict_reference`` are the reference pipeline: a cross-validated multinomial logistic
  regression fitted on the validation split and its re-encoded copies (``evidence_table(..., round_trip=True)``);
  the lab's learners build their own.
* A submission is ``{clip_id: class 0-3}`` for every held-back clip; ``check_submission`` says what is wrong
  with one, ``CapstoneSet.score`` grades it (macro-F1 with scikit-learn, recall per class, confusion matrix,
  and the same on the re-encoded clips).
* ``claims_table`` puts each claim of the source material beside the course's experiment and its number:
  the learner's own where there is one, the shipped reference figure otherwise, marked as such.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, NamedTuple

import numpy as np

from . import categories, config, synth
from .validate import check_scalar, check_seed

CLASSES = (0, 1, 2, 3)
CLASS_NAMES = categories.CATEGORY_NAMES
PEOPLE_SEED = 9_000_000  # the capstone's own people: synth.identity(PEOPLE_SEED + 100_000 * split + i)
CAST_SHARE = 4  # every CAST_SHARE-th clip shows a cast member, whom earlier labs used
RECIPES = {  # recipe: (class, what makes it)
    "real": (0, "a person's own talking clip (synth.talking_clip)"),
    "dub_conversion": (1, "real footage, an actor's reading converted into the person's voice (lab 05)"),
    "dub_tts": (1, "real footage, a line the person never said, by text-to-speech in their voice (lab 05)"),
    "swap_autoencoder": (2, "the shipped autoencoder swapper's face on the person, real voice (lab 03)"),
    "swap_classical": (2, "lab 02's classical swap, frame by frame, another person's face, real voice"),
    "lipsync_conversion": (3, "lips re-drawn to a converted voice: the Nixon film's recipe (lab 05)"),
    "lipsync_tts": (3, "lips re-drawn to a text-to-speech line: dubbing a corrected line (lab 05)"),
    "full_fake": (3, "converted voice, re-drawn lips, then the autoencoder's face (categories.full_fake)"),
}
SIZES = {"fast": dict(validation=3, held_back=5, seconds=2.5, size=128),  # clips per class and split
         "full": dict(validation=30, held_back=20, seconds=3.0, size=128)}
REENCODE_SHARE = 0.25  # of the held-back clips
REENCODE_CRF = 36  # x264's quality scale: 18 is visually lossless, 36 visibly blocky
REENCODE_KBPS = 32  # AAC bit rate of the re-encoded audio
SPLIT_IDS = {"validation": "v", "held_back": "h"}


class Item(NamedTuple):
    """One clip of the capstone: its id, the clip, and its class (None in the held-back split) (lab 09)."""

    clip_id: str
    clip: synth.Clip
    category: int | None


@dataclass
class CapstoneSet:
    """The capstone's clips: ``validation`` (labelled) and ``held_back`` (labels kept back) ``Item`` lists (lab 09)."""

    validation: list
    held_back: list
    mode: str
    seed: int
    _key: dict = field(default_factory=dict, repr=False)  # clip_id: {"category", "recipe", "reencoded", ...}

    @property
    def clip_ids(self) -> list:
        """The held-back clip ids a submission must cover, in order (lab 09)."""
        return [it.clip_id for it in self.held_back]

    def score(self, submission) -> dict:
        """Grade a submission against the held-back answers: macro-F1, recall per class, confusion (lab 09).

        ``macro_f1_clean`` and ``macro_f1_reencoded`` average F1 over the classes present among those clips.
        """
        sub = check_submission(submission, self.clip_ids)
        ids = self.clip_ids
        truth = [self._key[i]["category"] for i in ids]
        pred = [sub[i] for i in ids]
        out = score(truth, pred)
        again = [self._key[i]["reencoded"] for i in ids]
        for name, keep in (("clean", [not r for r in again]), ("reencoded", again)):
            t = [a for a, k in zip(truth, keep) if k]
            p = [b for b, k in zip(pred, keep) if k]
            out[f"macro_f1_{name}"] = _macro_f1(t, p, sorted(set(t))) if t else float("nan")  # classes present
            out[f"accuracy_{name}"] = float(np.mean(np.array(t) == np.array(p))) if t else float("nan")
            out[f"n_{name}"] = len(t)
        return out

    def recipes(self) -> dict:
        """How many held-back clips each recipe made, without saying which clip is which (lab 09)."""
        counts: dict = {}
        for i in self.clip_ids:
            counts[self._key[i]["recipe"]] = counts.get(self._key[i]["recipe"], 0) + 1
        return counts


# ====================================================================================================
# 1. The clips

def _people(split: int, n: int) -> list:
    """``n`` people of split 0 or 1: new identities, and every CAST_SHARE-th a cast member of that split's half."""
    from . import detect

    cast = sorted(name for name in synth.CAST if name not in (detect.ACTOR, detect.SWAP_TO))[split::2]
    return [synth.cast(cast[(i // CAST_SHARE) % len(cast)]) if i % CAST_SHARE == CAST_SHARE - 1
            else synth.identity(PEOPLE_SEED + 100_000 * split + i) for i in range(n)]


def _actor() -> str:
    from . import detect

    return detect.ACTOR


class _Maker:
    """Makes clips by recipe, caching the swapper and each person's voice converter."""

    def __init__(self, seconds: float, size: int):
        from . import detect, swap

        self.seconds, self.size = seconds, size
        self.swapper = swap.pretrained(mode="full", device="cpu")
        self.to = detect.SWAP_TO
        self.converters: dict = {}
        self.actor_enrolment: list | None = None

    def _converted(self, person, line: str, seed: int):
        from . import voice

        if self.actor_enrolment is None:
            self.actor_enrolment = voice.enrolment(_actor(), 2)
        if person.seed not in self.converters:
            self.converters[person.seed] = voice.fit_converter(self.actor_enrolment, voice.enrolment(person, 2))
        return categories.speak_as(self.converters[person.seed], line, _actor(), seed)

    def make(self, recipe: str, person, donor, seed: int) -> synth.Clip:
        from . import lipsync, swap, voice

        kw = dict(seconds=self.seconds, size=self.size)
        line = voice.NEW_LINES[seed % len(voice.NEW_LINES)]
        if recipe.startswith(("lipsync", "full")):
            speech = synth.speak(person, line, seed=seed + 1) if recipe == "lipsync_tts" else \
                self._converted(person, line, seed)
            synced = lipsync.lipsync_clip(person, speech, "converted" if recipe != "lipsync_tts" else "synthetic",
                                          seed=seed, **kw)
            return swap.swap_clip(self.swapper, synced, to=self.to) if recipe == "full_fake" else synced
        real = synth.talking_clip(person, seed=seed, **kw)
        if recipe == "real":
            return real
        if recipe == "dub_conversion":
            return lipsync.replace_voice(real, self._converted(person, line, seed), "converted")
        if recipe == "dub_tts":
            return lipsync.replace_voice(real, synth.speak(person, line, seed=seed + 1), "synthetic")
        if recipe == "swap_autoencoder":
            return swap.swap_clip(self.swapper, real, to=self.to)
        return self._classical(real, person, donor, seed)  # swap_classical

    def _classical(self, real: synth.Clip, person, donor, seed: int) -> synth.Clip:
        """The donor filmed with the same motion and mouth (same seed and speech), pasted frame by frame."""
        from . import faces

        speech = synth.speak(person, real.truth["text"], seed=seed)  # the speech the real clip was made from
        twin = synth.talking_clip(donor, seconds=self.seconds, size=self.size, seed=seed, speech=speech)
        pts_t, pts_s = real.truth["landmarks"], twin.truth["landmarks"]
        frames = np.stack([faces.classical_swap(twin.frames[t], pts_s[t], real.frames[t], pts_t[t]).image
                           for t in range(len(real.frames))]).astype(np.float32)
        truth = {**real.truth, "labels": {**real.labels, "face": "swapped"}}
        return replace(real, frames=frames, truth=truth)


HELD_BACK = {track: "held back" for track in categories.TRACKS}  # what a capstone clip's .labels say


def visible(clip: synth.Clip) -> synth.Clip:
    """A copy of ``clip`` with only what a detector may see: frames, audio, face-tracker landmarks (lab 09).

    Its ``labels`` say "held back" for every track, so that ``categories.category`` refuses it instead of
    calling it real.
    """
    from .validate import check_object

    clip = check_object(clip, "clip", synth.Clip, "synth.talking_clip", "visible")
    truth = {"labels": dict(HELD_BACK)}
    if "landmarks" in clip.truth:
        truth["landmarks"] = np.asarray(clip.truth["landmarks"], np.float32)
    return replace(clip, truth=truth)


def reencode(clip: synth.Clip, crf: int = REENCODE_CRF, kbps: int = REENCODE_KBPS) -> synth.Clip:
    """``clip`` after an H.264/AAC round trip at x264 quality ``crf`` and ``kbps`` of AAC (``media``) (lab 09)."""
    from . import media, provenance
    from .files import temporary_folder
    from .validate import check_object

    clip = check_object(clip, "clip", synth.Clip, "synth.talking_clip", "reencode")
    crf = check_scalar(crf, "crf", int, min_val=0, max_val=51, fn="reencode")
    kbps = check_scalar(kbps, "kbps", int, min_val=16, max_val=320, fn="reencode")

    with temporary_folder(prefix="deepfake-lab-reencode-") as tmp:
        path = media.write_mp4(tmp / "clip.mp4", clip.frames, None, clip.fps, min_size=1, crf=crf)
        frames, _ = media.read_video(path)
    frames = frames[:len(clip.frames)]
    if len(frames) < len(clip.frames):
        frames = np.concatenate([frames, np.repeat(frames[-1:], len(clip.frames) - len(frames), 0)])
    audio = provenance.aac(clip.audio, kbps)
    return replace(clip, frames=frames.astype(np.float32), audio=audio)


def _plan(n_per_class: int, rng) -> list:
    """(recipe, class) pairs: n per class, the class's recipes in turn, shuffled."""
    by_class = {c: [r for r, (k, _) in RECIPES.items() if k == c] for c in CLASSES}
    plan = [(by_class[c][i % len(by_class[c])], c) for c in CLASSES for i in range(n_per_class)]
    return [plan[i] for i in rng.permutation(len(plan))]


def make_set(mode: str | None = None, seed: int = 9, progress: bool = False) -> CapstoneSet:
    """A fresh, seeded capstone set: labelled ``validation`` clips and ``held_back`` clips without labels (lab 09).

    ``SIZES[mode]`` says how many clips of each class each split has. The two splits show different people.
    A share ``REENCODE_SHARE`` of the held-back clips is re-encoded (``reencode``).
    """
    mode = config.resolve_mode(mode)
    seed = check_seed(seed, "make_set: seed")
    s = SIZES[mode]
    maker = _Maker(s["seconds"], s["size"])
    splits: dict = {"validation": [], "held_back": []}
    key: dict = {}
    for k, split in enumerate(splits):
        rng = np.random.default_rng([seed, 0xCA95, k])  # one stream per split: more validation clips leave the
        plan = _plan(s[split], rng)                     # held-back clips as they were
        people = _people(k, len(plan))
        order = rng.permutation(len(plan))
        again = set(order[:int(round(REENCODE_SHARE * len(plan)))].tolist()) if split == "held_back" else set()
        for i, (recipe, cat) in enumerate(plan):
            person, donor = people[i], people[(i + 1) % len(people)]
            clip = maker.make(recipe, person, donor, int(rng.integers(1 << 30)))
            if categories.category(clip.labels) != cat:  # the recipes and lab 01's rule must agree
                raise RuntimeError(f"make_set: recipe {recipe} made a class-{categories.category(clip.labels)} clip")
            if i in again:
                clip = reencode(clip)
            clip_id = f"{SPLIT_IDS[split]}{i:03d}"
            splits[split].append(Item(clip_id, visible(clip), cat if split == "validation" else None))
            key[clip_id] = {"category": cat, "recipe": recipe, "reencoded": i in again, "person": person.name,
                            "new_person": person.name not in synth.CAST}
            if progress:
                print(f"\r{split}: {i + 1}/{len(plan)} clips", end="", flush=True)
        if progress:
            print()
    return CapstoneSet(splits["validation"], splits["held_back"], mode, seed, key)


# ====================================================================================================
# 2. Evidence and the reference pipeline

HEADLINE = ("face", "voice", "sync", "flicker", "sharpness")  # the five cues the lab plots, first in every table
FRAME_CUES = ("sharpness", "residual", "boundary", "colour", "error_level")  # lab 06's image cues, read per frame
EVIDENCE = HEADLINE + (
    "face_max",  # the image detector's most confident frame (log-odds), where the mean hides one bad frame
    "sync_confidence", "sync_corr",  # lips against voice: how clear the best offset is, and how well they follow
    "sharpness_max", "residual", "residual_max", "boundary", "boundary_max", "colour", "colour_max",
    "error_level", "error_level_max",  # each image cue's mean and worst (highest) frame
    "spectral_flatness", "high_band_ratio", "pitch_jitter",  # lab 06's traces of a synthesised or converted voice
    "grain", "grain_max", "temporal_noise")  # the camera's grain a resampled (swapped) face loses (forensics)
FRAMES = 10  # frames per clip for the per-frame cues, spread evenly, as the clip detector reads its face track


def evidence(clip: synth.Clip) -> dict:
    """The course's cues of one clip, one number each, named as ``EVIDENCE`` (lab 09).

    From lab 07's shipped clip detector (``detect.pretrained("clip")``): ``face`` and ``voice`` P(fake), and
    ``face_max``, the image detector's highest log-odds over ``FRAMES`` frames. From lab 05/06's lips against
    voice (``lipsync.sync_offset``): ``sync`` = ``forensics.av_sync_score`` (high: lips and voice disagree, as
    in a dub; low: lips follow the voice better than real lips do, as re-drawn lips), its ``sync_confidence``
    and ``sync_corr``, the correlation of the lips' opening with the one the voice predicts. Lab 06's
    ``flicker`` of the face; its image cues (``FRAME_CUES``: blur, noise residual, blending boundary, colour
    mismatch at the seam, error level) over ``FRAMES`` frames, as the mean (``sharpness``...) and the highest
    frame (``sharpness_max``...); its voice traces (``forensics.audio_traces``); and the camera's grain:
    ``grain``/``grain_max`` (``forensics.grain_score`` over the same frames) and ``temporal_noise``
    (``forensics.temporal_noise_score``), above 0 when the face is smoother, or steadier, than its frame.
    """
    from . import detect, faces, forensics, lipsync
    from .validate import check_object

    clip = check_object(clip, "clip", synth.Clip, "an Item's clip from capstone.make_set", "evidence")
    if "landmarks" not in clip.truth:
        raise ValueError("evidence: the clip has no face landmarks (truth['landmarks']); give a clip from "
                         "capstone.make_set or synth.talking_clip")
    detector = detect.pretrained("clip")
    scored = detector.score_clip(clip)
    pts = clip.truth["landmarks"]
    pick = detect.spread(len(clip.frames), FRAMES)
    sync = lipsync.sync_offset(clip)
    lips, heard = faces.mouth_opening(pts), lipsync.mouth_from_audio(clip.audio, len(clip.frames))
    out = {"face": scored["face"], "voice": scored["voice"], "sync": forensics.sync_score(sync),
           "flicker": forensics.flicker_score(clip.frames, pts),
           "face_max": float(np.max(detector.image.logits(clip.frames[pick]))),
           "sync_confidence": float(sync.confidence),
           "sync_corr": float(np.corrcoef(lips, heard)[0, 1]) if lips.std() > 0 and heard.std() > 0 else 0.0}
    for name in FRAME_CUES:  # lab 06's registered image cues, at their default parameters
        per_frame = np.array([forensics.CUES[name].score(clip.frames[t], pts[t]) for t in pick])
        out[name], out[f"{name}_max"] = float(per_frame.mean()), float(per_frame.max())
    grain = np.array([forensics.grain_score(clip.frames[t], pts[t]) for t in pick])
    out.update(grain=float(grain.mean()), grain_max=float(grain.max()),
               temporal_noise=forensics.temporal_noise_score(clip.frames, pts))
    out.update(forensics.audio_traces(clip.audio, clip.sr))
    return {k: out[k] for k in EVIDENCE}


def evidence_table(items, round_trip: bool = False) -> np.ndarray:
    """``evidence`` of every item, as an N×len(EVIDENCE) array, columns in the order of ``EVIDENCE`` (lab 09).

    ``round_trip=True`` measures each clip after ``reencode``, one at a time: the table of ``reencoded(items)``
    without holding every re-encoded copy at once (full mode's 120 validation copies are 1.8 GB of frames).
    """
    if not isinstance(items, (list, tuple)) or not items:
        raise ValueError("evidence_table: items must be a non-empty list of capstone Items (make_set(...).validation)")
    if not isinstance(round_trip, (bool, np.bool_)):
        raise ValueError(f"evidence_table: round_trip must be True or False, got {round_trip!r}")
    rows = []
    for i, it in enumerate(items):
        if not isinstance(it, Item):
            raise ValueError(f"evidence_table: items[{i}] is a {type(it).__name__}, not a capstone Item")
        e = evidence(reencode(it.clip) if round_trip else it.clip)
        rows.append([e[k] for k in EVIDENCE])
    return np.array(rows, np.float64)


def reencoded(items) -> list:
    """The same Items (ids and classes kept) after ``reencode``: validation copies as the wild would send them (lab 09)."""
    if not isinstance(items, (list, tuple)) or not items or not all(isinstance(it, Item) for it in items):
        raise ValueError("reencoded: items must be a non-empty list of capstone Items (make_set(...).validation)")
    return [it._replace(clip=reencode(it.clip)) for it in items]


def _check_table(table, fn: str, name: str = "table") -> np.ndarray:
    from .validate import check_finite

    x = check_finite(table, name, fn)
    if x.ndim != 2 or x.shape[1] != len(EVIDENCE) or not len(x):
        raise ValueError(f"{fn}: {name} must be an N×{len(EVIDENCE)} array of evidence (columns capstone.EVIDENCE), "
                         f"as evidence_table gives; got shape {x.shape}")
    return x.astype(np.float64)


C_GRID = tuple(float(c) for c in np.logspace(-2, 2, 9))  # the regularisation strengths cross-validation chooses among
FOLDS = 4


class Reference(NamedTuple):
    """The reference pipeline: a fitted scikit-learn model of lab 01's class, and what it was fitted with (lab 09).

    ``centre`` is the validation clips' median sync, around which ``_features`` measures how far a clip's
    sync strays either way; ``c`` is the regularisation strength cross-validation chose.
    """

    model: object
    centre: float
    c: float


def _features(x: np.ndarray, centre: float) -> np.ndarray:
    """The evidence plus the sync's distance from the centre on each side: a dub strays up, re-drawn lips down."""
    sync = x[:, EVIDENCE.index("sync")] - centre
    return np.c_[x, np.maximum(sync, 0), np.maximum(-sync, 0)]


def fit_reference(table, labels, again=None, folds: int = FOLDS) -> Reference:
    """The reference pipeline, fitted on labelled (validation) clips: a multinomial logistic regression (lab 09).

    It learns lab 01's four classes from every column of the evidence, standardised, with an L1 penalty
    that keeps only the cues that help, plus how far the sync
    strays from the clips' median either way (up for a dub, down for re-drawn lips). Its regularisation
    strength ``C`` is chosen by ``folds``-fold cross-validation (log-loss) on these clips, never by its score
    on them. ``again`` (optional) is the evidence of the same clips after ``reencode``, row for row: the
    regression then learns both copies, and a clip's two copies always share a fold, so that the
    cross-validation never scores a clip it learned.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss, make_scorer
    from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    fn = "fit_reference"
    x = _check_table(table, fn)
    y = _check_classes(labels, "labels", fn)
    if len(y) != len(x):
        raise ValueError(f"{fn}: labels needs one class per row of table, got {len(y)} for {len(x)} rows")
    folds = check_scalar(folds, "folds", int, min_val=2, max_val=20, fn=fn)
    fewest = int(np.bincount(y, minlength=len(CLASSES)).min())
    if fewest < 2:
        raise ValueError(f"{fn}: labels need at least two clips of every class 0-3 for the cross-validation; the "
                         f"rarest has {fewest}")
    groups = np.arange(len(x))
    if again is not None:
        extra = _check_table(again, fn, "again")
        if extra.shape != x.shape:
            raise ValueError(f"{fn}: again must hold the same clips as table, re-encoded, row for row: shape "
                             f"{x.shape}, got {extra.shape}")
        x, y, groups = np.r_[x, extra], np.r_[y, y], np.r_[groups, groups]
    centre = float(np.median(x[:, EVIDENCE.index("sync")]))
    feats = _features(x, centre)
    cv = list(StratifiedGroupKFold(min(folds, fewest), shuffle=True, random_state=0).split(feats, y, groups))
    # log loss over all four classes, named: a fold of few clips may lack one, and "neg_log_loss" then gives NaN
    loss = make_scorer(log_loss, greater_is_better=False, response_method="predict_proba", labels=list(CLASSES))
    # an L1 penalty (the lasso): with a few dozen clips and many weak cues, it keeps the cues that carry the
    # class and sets the rest to zero, where an L2 penalty spreads weight over noise columns too
    # 5,000 saga passes left full mode's fit (120 clips and their copies) unconverged at one C, with a warning
    lasso = LogisticRegression(l1_ratio=1.0, solver="saga", max_iter=20000)
    search = GridSearchCV(make_pipeline(StandardScaler(), lasso),
                          {"logisticregression__C": list(C_GRID)}, cv=cv, scoring=loss)
    search.fit(feats, y)
    return Reference(search.best_estimator_, centre, float(search.best_params_["logisticregression__C"]))


def predict_reference(table, reference) -> np.ndarray:
    """Lab 01's class (0-3) per row of evidence, by the fitted reference pipeline (lab 09)."""
    x = _check_table(table, "predict_reference")
    if not isinstance(reference, Reference):
        raise ValueError(f"predict_reference: reference must be what fit_reference returns, got "
                         f"{type(reference).__name__}")
    return reference.model.predict(_features(x, reference.centre)).astype(int)


def cue_aucs(table, labels) -> dict:
    """Lab 06's two claims measured on labelled capstone clips: AUC of flicker on swaps, of sync on dubs (lab 09).

    ``capstone_auc_flicker``: ``flicker`` of class-2 clips (a swapped face) against real ones;
    ``capstone_auc_sync``: ``sync`` of class-1 clips (a new voice on old lips) against real ones, as
    ``forensics.auc`` (0.5 is chance). The keys are those ``claims_table`` reads.
    """
    from . import forensics

    x = _check_table(table, "cue_aucs")
    y = _check_classes(labels, "labels", "cue_aucs")
    if len(y) != len(x) or not all((y == c).any() for c in (0, 1, 2)):
        raise ValueError(f"cue_aucs: labels needs one class per row of table ({len(x)}), with real, class-1 and "
                         f"class-2 clips among them; got {len(y)} labels, classes {sorted(set(y.tolist()))}")
    col = {name: EVIDENCE.index(name) for name in ("flicker", "sync")}
    return {"capstone_auc_flicker": forensics.auc(x[y == 0, col["flicker"]], x[y == 2, col["flicker"]]),
            "capstone_auc_sync": forensics.auc(x[y == 0, col["sync"]], x[y == 1, col["sync"]])}


# ====================================================================================================
# 3. Submissions and scores

def _check_classes(values, name: str, fn: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1 or not len(arr) or arr.dtype.kind not in "iu" or not np.isin(arr, CLASSES).all():
        raise ValueError(f"{fn}: {name} must be a non-empty list of classes, whole numbers 0-3 (lab 01's "
                         f"categories), got {values!r:.80}")
    return arr.astype(int)


def check_submission(submission, clip_ids) -> dict:
    """A submission as ``{clip_id: class}`` with plain ints, or a ValueError that says what is wrong (lab 09).

    It must be a dict with one entry for every held-back clip id and no other, each a class 0-3 (0 real,
    1 fake voice, 2 fake face, 3 both) as a whole number (numpy integers are fine; True/False are not).
    """
    if not isinstance(submission, Mapping):
        raise ValueError(f"check_submission: submission must be a dict {{clip_id: class}}, e.g. {{'h000': 2}}, got "
                         f"{type(submission).__name__}")
    ids = [str(i) for i in clip_ids]
    unknown = [k for k in submission if k not in set(ids)]
    if unknown:
        raise ValueError(f"check_submission: submission has {len(unknown)} clip id(s) that are not held-back clips, "
                         f"e.g. {unknown[:3]}; use the ids of capstone_set.held_back (validation clips do not count)")
    missing = [i for i in ids if i not in submission]
    if missing:
        raise ValueError(f"check_submission: submission is missing {len(missing)} of {len(ids)} held-back clips, "
                         f"e.g. {missing[:3]}; give a class for every clip id")
    out = {}
    for k in ids:
        v = submission[k]
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or int(v) not in CLASSES:
            raise ValueError(f"check_submission: submission[{k!r}] must be a class, a whole number 0-3 (0 real, "
                             f"1 fake voice, 2 fake face, 3 both), got {v!r}")
        out[k] = int(v)
    return out


def macro_f1(truth, predicted) -> float:
    """Mean over the four classes of F1 (scikit-learn's ``f1_score``, ``average="macro"``) (lab 09)."""
    y = _check_classes(truth, "truth", "macro_f1")
    p = _check_classes(predicted, "predicted", "macro_f1")
    if len(y) != len(p):
        raise ValueError(f"macro_f1: truth and predicted need one class per clip each, got {len(y)} and {len(p)}")
    return _macro_f1(y, p, list(CLASSES))


def _macro_f1(truth, predicted, labels) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0))


def score(truth, predicted) -> dict:
    """``macro_f1``, ``recall`` per class and the 4×4 ``confusion`` matrix (rows: truth) (lab 09)."""
    from sklearn.metrics import confusion_matrix, recall_score

    f1 = macro_f1(truth, predicted)
    y, p = np.asarray(truth, int), np.asarray(predicted, int)
    recall = recall_score(y, p, labels=list(CLASSES), average=None, zero_division=0)
    return {"macro_f1": f1, "recall": {c: float(r) for c, r in zip(CLASSES, recall)},
            "confusion": confusion_matrix(y, p, labels=list(CLASSES)).tolist(), "n": len(y)}


# ====================================================================================================
# 4. The claims table

class Claim(NamedTuple):
    """One claim of the source material, the course's experiment, its number and the verdict (lab 09)."""

    claim: str
    experiment: str
    measured: str
    source: str  # "your run", "recorded benchmark run" or "shipped reference figure"
    verdict: str


REFERENCE = {  # shipped reference figures (README, benchmarks/results), used when no run of the learner exists
    "capstone_macro_f1": 0.91, "gan_fd_ratio": 0.18, "detect_auc_gan": 1.0, "artifacts_auc_flicker_autoencoder": 1.0,
    "artifacts_auc_av_offset_dub": 1.0, "provenance_tamper_iou": 0.86, "detect_auc_challenge": 0.89,
}


def _recorded(name: str, key: str):
    """The last recorded value of a benchmark metric, or None."""
    from . import results

    for run in reversed(results.recorded(name)):
        if key in run.get("metrics", {}):
            return float(run["metrics"][key])
    return None


def _number(measured: Mapping, key: str, bench: str | None, metric: str | None):
    """(value, source) from the learner's run, a recorded benchmark run, or the shipped reference."""
    if key in measured and measured[key] is not None:
        return float(measured[key]), "your run"
    value = _recorded(bench, metric) if bench else None
    if value is not None:
        return value, "recorded benchmark run"
    return REFERENCE.get(key), "shipped reference figure"


def _pair(measured: Mapping, first: tuple, second: tuple):
    """Two numbers (each as ``_number``) and where they come from, said once when both come from one place."""
    (a, src_a), (b, src_b) = _number(measured, *first), _number(measured, *second)
    return a, b, src_a if src_a == src_b else f"{src_a}; {src_b}"


def claims_table(measured: Mapping | None = None, baseline_path=None) -> list:
    """The source material's claims, each beside the course's experiment and number, with a verdict (lab 09).

    ``measured`` holds the learner's own numbers (keys as ``REFERENCE``, plus ``capstone_recall`` {class:
    recall}, ``capstone_reencoded_drop``, and ``capstone_auc_flicker`` / ``capstone_auc_sync``: lab 06's two
    cues measured again on this lab's clips, ``cue_aucs``); the human baseline comes from lab 01's store (``baseline``),
    benchmark figures from ``results.recorded``; anything missing falls back to ``REFERENCE``, marked so.
    """
    from . import baseline

    measured = {} if measured is None else measured
    if not isinstance(measured, Mapping):
        raise ValueError(f"claims_table: measured must be a dict of your numbers, e.g. {{'capstone_macro_f1': 0.93}}, "
                         f"got {type(measured).__name__}")
    rows = []
    f1, src = _number(measured, "capstone_macro_f1", "capstone", "macro_f1")
    recall = measured.get("capstone_recall")
    low = min(recall.values()) if isinstance(recall, Mapping) and recall else None
    rows.append(Claim(
        "Deepfakes come in three categories: fake voice, fake face, both.",
        "Lab 01 sorts clips by track; lab 09's pipeline sorts unseen clips into real and the three categories.",
        f"macro-F1 {f1:.2f}" + (f", lowest recall per class {low:.2f}" if low is not None else ""), src,
        "agrees: the categories are distinct in the evidence (sync, voice, face)" if f1 >= 0.8 else
        "disagrees here: the pipeline confuses the categories"))
    rows.append(Claim(
        "96% of deepfakes online were non-consensual pornography.",
        "None can test it: it is a count of videos online (Deeptrace, 2019), read in lab 01.",
        "not measured", "cited (Ajder et al. 2019)",
        "not tested: the figure is a 2019 count of one kind of site; it says nothing about what is made today"))
    ratio, auc_gan, src_g = _pair(measured, ("gan_fd_ratio", "gan", "fd_ratio"),
                                  ("detect_auc_gan", "detect", "auc_gan"))
    rows.append(Claim(
        "GAN training ends when the discriminator can't tell real from fake.",
        "Lab 04 watches D's accuracy and trains a fresh detector; lab 07's detector on GAN samples.",
        f"FD trained/untrained {ratio:.2f}; detector AUC on GAN samples {auc_gan:.2f}", src_g,
        "disagrees: training is stopped by a budget, and the fakes stay detectable" if auc_gan > 0.75 else
        "agrees here: the detector could not tell the samples apart"))
    human = baseline.generator_baseline(baseline_path)
    acc = {g: r["accuracy"] for g, r in human.rows.items()}
    early, recent = acc.get("classical"), acc.get("autoencoder")
    rows.append(Claim(
        "Early fakes were detectable by people; recent ones are not.",
        "Lab 01's real-or-fake game: the share of fakes people caught, per generator.",
        f"cheapfakes caught {early:.0%}, autoencoder swaps {recent:.0%}" if early is not None and recent is not None
        else "no answers on these generators", "your run" if human.played else "shipped reference figure "
        "(an invented example player)",
        "agrees: people caught the older fakes more often" if (early or 0) > (recent or 0) else
        "disagrees: people caught the newer fakes as often"))
    flick, av, src_f = _pair(measured, ("artifacts_auc_flicker_autoencoder", "artifacts", "auc_flicker_autoencoder"),
                             ("artifacts_auc_av_offset_dub", "artifacts", "auc_av_offset_dub"))
    here = [measured.get(k) for k in ("capstone_auc_flicker", "capstone_auc_sync")]
    here = None if any(v is None for v in here) else [float(v) for v in here]
    weak = [name for name, v in zip(("flicker", "sync"), here or ()) if v < 0.8]
    rows.append(Claim(
        "Slight movements and sound features still give fakes away.",
        "Lab 06's cues: the flicker of a swapped face, the audio-visual offset of a dub; lab 09 measures both "
        "again on its own clips (new people, more generators).",
        f"lab 06: AUC flicker on swaps {flick:.2f}, sync on dubs {av:.2f}" + (
            f"; lab 09: flicker on swaps {here[0]:.2f}, sync on dubs {here[1]:.2f}" if here else
            "; lab 09's own clips: not measured"),
        src_f if here is None else f"{src_f}; your run",
        (f"partly: lab 06's clips separate, but on this lab's clips the {' and the '.join(weak)} "
         f"cue{'s are' if len(weak) > 1 else ' is'} weak" if weak else "agrees, in this synthetic world: both cues separate their fakes, in lab 06 "
         "and here") if here else
        "agrees on lab 06's clips only: this lab's own figures are missing" if min(flick, av) >= 0.8 else
        "partly: at least one cue is weak"))
    iou, src_i = _number(measured, "provenance_tamper_iou", "provenance", "tamper_iou")
    rows.append(Claim(
        "Watermarks do not survive a deepfake's morphing.",
        "Lab 08 marks a face and a voice, swaps and converts them, and maps where the mark is gone.",
        f"the whole-frame check still says 'marked' after a swap; tamper map IoU with the swapped region {iou:.2f}",
        src_i, "disagrees as stated: the mark survives outside the swapped region and partly in a converted "
        "voice; only a local check finds the swap"))
    drop = measured.get("capstone_reencoded_drop")
    auc_ch, src_c = _number(measured, "detect_auc_challenge", "detect", "auc_challenge")
    rows.append(Claim(
        "Detection is a hard, open challenge (the DFDC: the best model scored 65% on unseen videos).",
        "Lab 07's challenge set (new people, re-encoded); lab 09's held-back clips, some re-encoded.",
        f"image detector AUC on the challenge set {auc_ch:.2f}" + (f"; lab 09 macro-F1 drop on re-encoded clips "
                                                                 f"{drop:+.2f}" if drop is not None else ""),
        src_c if drop is None else f"{src_c}; your run",
        "agrees: every detector loses ground on unseen people and re-encoded footage" if auc_ch < 0.95 or
        (drop is not None and drop > 0.02) else "disagrees here: the synthetic world is easier than the wild"))
    return rows


def format_claims(rows) -> str:
    """The claims table as Markdown, one row per claim (lab 09)."""
    if not isinstance(rows, (list, tuple)) or not all(isinstance(r, Claim) for r in rows):
        raise ValueError("format_claims: rows must be the list claims_table() returns")
    lines = ["| claim | experiment | measured | from | verdict |", "| --- | --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(str(v).replace("|", "/") for v in r) + " |" for r in rows]
    return "\n".join(lines)
