"""Judges: small networks trained on *real* synthetic-world images only, used to measure fakes (lab 03, lab 04).

A claim such as "the swap carries the target's identity" or "the GAN's faces cover every skin tone" is
only as good as the instrument that measures it. Every judge here is trained on real renders (never on a
swap or a GAN sample), evaluated on held-out real renders, and reports that accuracy, so a lab can print
the instrument's own error beside the measurement.

* ``identity_judge``: which cast member is this face? (lab 03)
* ``expression_judge``: how open are the mouth and the eyes? (lab 03)
* ``attribute_judge``: skin-tone band and hair colour (lab 04)
* ``face_judge``: face or not a face? (lab 04); ``damaged_rejection`` measures whether it can fail
* ``frechet_distance``: distance between two sets of judge features (lab 04)
* ``precision_recall``: how many samples land on the real manifold, how much of it they cover (lab 04)
* ``speaker_judge``: whose voice is this? (lab 05)

``small_cnn``, ``fit`` and ``recalibrate`` are the shared base of every image network trained here, and of
lab 07's detectors. Judges are cached in the course cache (``config.data_dir()/judges``) as checksummed
checkpoints, keyed by their settings, so the second lab that needs one loads it in a fraction of a second.

FAST mode's four image judges (identity, expression, attributes, face, at 64×64 with their default settings)
also ship with the course, in ``course_lib/pretrained/judge-NAME-fast.pt``: labs 03 and 04 only read their
verdicts, so a call with exactly the shipped judge's settings loads that file (checksum verified, loaded with
``weights_only=True``) instead of training. ``python -m course_lib.pretrained build judge-identity-fast`` (and
so on) remakes a file by the same recipe, trained afresh; each builder's docstring says which data it learns.
"""
from __future__ import annotations

import contextvars
import hashlib
import json
import time
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import train_test_split

from . import checkpoints, config, datasets, synth
from .validate import (check_callback, check_finite, check_images, check_object, check_scalar, check_seed, evaluating,
                       to_tensor)

TONE_BANDS = (0.0, 1 / 3, 2 / 3, 1.0001)  # light, medium, deep (thirds of the Monk scale)
TONE_NAMES = ("light", "medium", "deep")
JUDGE_FORMAT = 2  # part of every cached judge's key; 2: held-out split by scikit-learn's train_test_split


def _torch():
    import torch
    import torch.nn as nn

    return torch, nn


def small_cnn(n_out: int, size: int = 64, width: int = 16):
    """A four-block CNN (conv, batch norm, ReLU, pool) ending in a linear layer: every judge's body (lab 03)."""
    n_out = check_scalar(n_out, "n_out", int, min_val=1, fn="small_cnn")
    check_scalar(size, "size", int, min_val=16, max_val=1024, fn="small_cnn")  # four poolings halve it four times
    width = check_scalar(width, "width", int, min_val=1, max_val=256, fn="small_cnn")
    torch, nn = _torch()
    layers, c = [], 3
    for i in range(4):
        layers += [nn.Conv2d(c, width * 2 ** i, 3, padding=1), nn.BatchNorm2d(width * 2 ** i), nn.ReLU(),
                   nn.MaxPool2d(2)]
        c = width * 2 ** i
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, n_out))


@dataclass
class Judge:
    """A trained judge: the network, what its outputs mean, and its accuracy on held-out real images (lab 03)."""

    name: str
    net: object
    kind: str  # "classes" or "regression"
    outputs: tuple
    size: int
    held_out: dict = field(default_factory=dict)
    masked: bool = False
    settings: dict = field(default_factory=dict)  # the recipe that trained it (what the cache key is made of)

    def _inputs(self, images, masks=None):
        imgs = check_images(images, f"{self.name} judge: images")
        if imgs.shape[1] != self.size or imgs.shape[2] != self.size:
            raise ValueError(f"{self.name} judge: expects {self.size}×{self.size} images, got "
                             f"{imgs.shape[1]}×{imgs.shape[2]}; align or resize them first")
        if self.masked:
            if masks is None:
                raise ValueError(f"{self.name} judge looks at the face only: pass masks= (N×H×W, 1 on the face)")
            imgs = imgs * np.asarray(masks, np.float32)[..., None]
        return imgs

    def raw(self, images, masks=None, batch: int = 256) -> np.ndarray:
        """The network's outputs (logits or values) for N×H×W×3 images (lab 03)."""
        batch = check_scalar(batch, "batch", int, min_val=1, fn=f"{self.name} judge")
        imgs = self._inputs(images, masks)
        with evaluating(self.net):
            outs = [self.net(to_tensor(imgs[a:a + batch])).float().numpy() for a in range(0, len(imgs), batch)]
        return np.concatenate(outs) if outs else np.zeros((0, len(self.outputs)), np.float32)

    def probabilities(self, images, masks=None) -> np.ndarray:
        """Class probabilities, N×classes (lab 03)."""
        logits = self.raw(images, masks)
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, images, masks=None) -> np.ndarray:
        """Class indices (classifiers) or values N×outputs (regressors) (lab 03)."""
        out = self.raw(images, masks)
        return out.argmax(axis=1) if self.kind == "classes" else out

    def features(self, images, masks=None, batch: int = 256) -> np.ndarray:
        """The penultimate-layer features, N×width·8: the space Fréchet distances are measured in (lab 04)."""
        batch = check_scalar(batch, "batch", int, min_val=1, fn=f"{self.name} judge")
        imgs = self._inputs(images, masks)
        body = self.net[:-1]
        with evaluating(self.net):
            outs = [body(to_tensor(imgs[a:a + batch])).numpy() for a in range(0, len(imgs), batch)]
        return np.concatenate(outs)


def fit(net, images: np.ndarray, targets: np.ndarray, kind: str, epochs: int, seed: int = 0,
        batch: int = 64, lr: float = 2e-3, on_epoch=None):
    """Train a judge's network on real images with light augmentation; ``on_epoch(epoch, net)`` after each (lab 03)."""
    torch, nn = _torch()
    net = check_object(net, "net", nn.Module, "small_cnn(n_out, size)", "fit")
    if kind not in ("classes", "regression"):
        raise ValueError(f"fit: kind must be 'classes' or 'regression', got {kind!r}")
    images = check_images(images, "fit: images")
    targets = check_finite(targets if isinstance(targets, np.ndarray) else np.asarray(targets), "targets", "fit")
    if len(targets) != len(images) or (kind == "classes" and (targets.ndim != 1 or targets.dtype.kind not in "iu")):
        raise ValueError(f"fit: targets must hold one {'class index (integer)' if kind == 'classes' else 'value'} per "
                         f"image: {len(images)}, got an array of shape {targets.shape} and dtype {targets.dtype}")
    epochs = check_scalar(epochs, "epochs", int, min_val=1, fn="fit")
    seed, batch = check_seed(seed), check_scalar(batch, "batch", int, min_val=1, fn="fit")
    lr = check_scalar(lr, "lr", float, min_val=0.0, max_val=1.0, include_boundaries="right", fn="fit")
    check_callback(on_epoch, "on_epoch", "on_epoch(epoch, net) after each epoch", "fit")
    torch.manual_seed(seed)
    x_all = to_tensor(images)
    y_all = torch.from_numpy(targets).long() if kind == "classes" else torch.from_numpy(targets).float()
    loss_fn = nn.CrossEntropyLoss() if kind == "classes" else nn.SmoothL1Loss(beta=0.05)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=epochs * int(np.ceil(len(x_all) / batch)))
    gen = torch.Generator().manual_seed(seed)
    net.train()
    for epoch in range(1, epochs + 1):
        for idx in torch.randperm(len(x_all), generator=gen).split(batch):
            x = x_all[idx]
            x = x * (0.85 + 0.3 * torch.rand(len(x), 1, 1, 1, generator=gen))  # brightness jitter
            loss = loss_fn(net(x), y_all[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        if on_epoch is not None:  # e.g. a live validation curve; one schedule runs across every epoch
            on_epoch(epoch, net)
            net.train()
    net.eval()
    return net


def _key(name: str, settings: dict) -> str:
    blob = json.dumps({"name": name, **settings}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _judge_key(name: str, settings: dict) -> str:
    """The key of a judge's recipe: its cache file's name and the shipped file's ``meta["key"]``."""
    return _key(name, {**settings, "format": JUDGE_FORMAT})


# True while a shipped judge is being built: train afresh, ignoring the shipped file and the cache
_AFRESH = contextvars.ContextVar("judges_afresh", default=False)


def _restore(build, state: dict, meta: dict, settings: dict) -> Judge:
    judge = build(train=False)
    judge.net.load_state_dict(state)
    judge.net.eval()
    judge.held_out, judge.settings = meta["held_out"], settings
    return judge


def _shipped(name: str, settings: dict, build) -> Judge | None:
    """The judge shipped with the course for exactly these settings, or None (lab 03 and 04's FAST judges)."""
    from . import pretrained

    shipped = f"judge-{name}-fast"
    if shipped not in pretrained.MANIFEST or not pretrained.available(shipped):
        return None
    state, meta = pretrained.load(shipped)  # checksum verified; a damaged file is a CheckpointError that says the fix
    if meta.get("key") != _judge_key(name, settings):
        return None  # other settings than the shipped judge's (another size, mode or seed): cache or train
    return _restore(build, state, meta, settings)


def _cached(name: str, settings: dict, build):
    """The shipped judge for these settings, else one from the cache, else build, evaluate and save it."""
    if _AFRESH.get():
        judge = build(train=True)
        judge.settings = settings
        return judge
    judge = _shipped(name, settings, build)
    if judge is not None:
        return judge
    path = config.data_dir() / "judges" / f"{name}-{_judge_key(name, settings)}.pt"
    if path.exists():
        try:
            state, meta = checkpoints.load(path)
            return _restore(build, state, meta, settings)
        except checkpoints.CheckpointError:
            path.unlink(missing_ok=True)  # corrupted: rebuild below
    judge = build(train=True)
    judge.settings = settings
    checkpoints.save(path, judge.net.state_dict(), {"held_out": judge.held_out, "settings": settings})
    return judge


def _check_judge_settings(fn: str, size, seed, zoom=1.5, **counts) -> None:
    """A judge's image size, seed, crop zoom and training counts (None: the mode's default)."""
    check_scalar(size, "size", int, min_val=16, max_val=256, fn=fn)
    check_seed(seed)
    check_scalar(zoom, "zoom", float, min_val=0.5, max_val=4.0, fn=fn)
    for name, value in counts.items():
        check_scalar(value, name, int, min_val=10 if name == "n" else 5, max_val=100_000, allow_none=True, fn=fn)


def _build_shipped(make, trained_on: str) -> tuple[dict, dict]:
    """Train ``make()``'s judge afresh (no shipped file, no cache): (state_dict, meta) for ``pretrained.build``."""
    from .config import machine_summary

    token = _AFRESH.set(True)
    try:
        start = time.perf_counter()
        config.seed_everything(0)  # the networks' initial weights are drawn before ``fit`` seeds its own steps
        judge = make()
        seconds = time.perf_counter() - start
    finally:
        _AFRESH.reset(token)
    settings = json.loads(json.dumps(judge.settings, default=str))  # plain values (tuples become lists)
    return judge.net.state_dict(), {"held_out": judge.held_out, "settings": settings,
                                    "key": _judge_key(judge.name, judge.settings), "trained_on": trained_on,
                                    "train_s": round(seconds, 2), "device": "cpu", "machine": machine_summary()}


def build_pretrained_judge_identity_fast() -> tuple[dict, dict]:
    """Train FAST mode's identity judge that ships with the course (lab 03).

    Data: 150 masked, aligned 64×64 real renders of each of the eight cast members (``sorted(synth.CAST)``),
    member k in ``synth.random_states(150, seed=k)``, rendered with seed 0; 80% trained, 20% held out
    (stratified, ``random_state=0``). It judges swaps of frames drawn with other seeds (``swap.evaluate``:
    seed 123 by default, 100 in lab 03), never a frame it learned from.
    """
    from . import synth

    return _build_shipped(lambda: identity_judge(sorted(synth.CAST), size=64, zoom=1.5, mode="fast"),
                          "cast members 0-7 (sorted), 150 each, random_states seed k, render seed 0; 20% held out")


def build_pretrained_judge_expression_fast() -> tuple[dict, dict]:
    """Train FAST mode's expression judge that ships with the course (lab 03).

    Data: 1,500 masked, aligned 64×64 real renders of 1,500 people who are not in the cast,
    ``synth.identity(10_000 + i)``, in ``synth.random_states(1500, seed=77)``; 80% trained, 20% held out
    (``random_state=0``). It judges swaps of the cast, whom it never saw.
    """
    return _build_shipped(lambda: expression_judge(size=64, zoom=1.5, mode="fast"),
                          "synth.identity(10000 + i) for i < 1500, random_states seed 77, render seed 0; 20% held out")


def build_pretrained_judge_attributes_fast() -> tuple[dict, dict]:
    """Train FAST mode's attribute judge that ships with the course (lab 04).

    Data: ``datasets.load_synthetic_faces(900, 64, seed=500)``, people ``synth.identity(500 * 1_000_003 + i)``;
    80% trained, 20% held out (stratified, ``random_state=0``). No GAN trains on them (lab 04's GANs use
    ``data_seed`` 1) and ``gan.Yardstick`` measures against seeds 7, 8 and 9.
    """
    return _build_shipped(lambda: attribute_judge(64, mode="fast"),
                          "datasets.load_synthetic_faces(900, 64, seed=500); 20% held out")


def build_pretrained_judge_face_fast() -> tuple[dict, dict]:
    """Train FAST mode's face judge that ships with the course (lab 04).

    Data: ``datasets.load_synthetic_faces(1000, 64, seed=900)`` against ``face_negatives`` of them (seed 0):
    250 ``datasets.non_faces`` and 750 faces damaged with ``LESSON_DAMAGE`` (blur σ 0.9–1.3 or 2.8–4 px, one
    eye erased, a small mouth erasure, a second face from an off-centre seam); 80% trained, 20% held out
    (stratified, ``random_state=0``). Its exam, ``damaged_faces`` (``EXAM_DAMAGE``: blur σ 1.5–2.5 px, both
    eyes, a larger mouth erasure, a seam down the middle), uses none of these values, and ``gan.Yardstick``
    gives it to people of seed 8, whom it never saw. No GAN trains on these people (lab 04's GANs use
    ``data_seed`` 1) and ``gan.Yardstick`` measures against seeds 7, 8 and 9.
    """
    return _build_shipped(lambda: face_judge(64, mode="fast"),
                          "datasets.load_synthetic_faces(1000, 64, seed=900) against face_negatives of them "
                          "(non-faces and LESSON_DAMAGE); 20% held out")


def identity_judge(names, size: int = 64, zoom: float = 1.5, per_person: int | None = None, seed: int = 0,
                   mode: str | None = None) -> Judge:
    """Which of ``names`` (cast members) is this face? Trained on masked real faces only (lab 03)."""
    if isinstance(names, str) or not isinstance(names, (list, tuple)) or len(names) < 2:
        raise ValueError(f"identity_judge: names must be a list of at least two cast names, e.g. ['farah', 'gus'], "
                         f"got {names!r:.60}")
    unknown = [n for n in names if not isinstance(n, str) or n not in synth.CAST]
    if unknown:
        raise ValueError(f"identity_judge: names: {unknown} are not cast members; choose from {sorted(synth.CAST)}")
    names = tuple(names)
    _check_judge_settings("identity_judge", size, seed, zoom=zoom, per_person=per_person)
    fast = config.is_fast(mode)
    per_person = per_person or (150 if fast else 300)  # FAST: held-out accuracy 0.99
    epochs = 4 if fast else 8
    settings = dict(names=names, size=size, zoom=zoom, per_person=per_person, seed=seed, epochs=epochs)

    def build(train: bool) -> Judge:
        judge = Judge("identity", small_cnn(len(names), size), "classes", names, size, masked=True)
        if not train:
            return judge
        people, states, labels = [], [], []
        for k, name in enumerate(names):
            people += [synth.cast(name)] * per_person
            states += synth.random_states(per_person, seed=seed * 1000 + k)
            labels += [k] * per_person
        imgs, masks, _ = datasets.aligned_faces(people, states, size, zoom, seed)
        y = np.array(labels)
        tr, te = train_test_split(np.arange(len(y)), test_size=0.2, random_state=seed, stratify=y)
        fit(judge.net, imgs[tr] * masks[tr, ..., None], y[tr], "classes", epochs, seed)
        judge.held_out = {"accuracy": float((judge.predict(imgs[te], masks[te]) == y[te]).mean()), "n": int(len(te))}
        return judge

    return _cached("identity", settings, build)


def expression_judge(size: int = 64, zoom: float = 1.5, n: int | None = None, seed: int = 0,
                     mode: str | None = None) -> Judge:
    """Reads mouth opening and eye opening (0-1) off a masked face; trained on many real identities (lab 03)."""
    _check_judge_settings("expression_judge", size, seed, zoom=zoom, n=n)
    fast = config.is_fast(mode)
    n = n or (1500 if fast else 4000)  # FAST: held-out mouth r 0.90, eyes r 0.75
    epochs = 4 if fast else 10
    settings = dict(size=size, zoom=zoom, n=n, seed=seed, epochs=epochs)

    def build(train: bool) -> Judge:
        judge = Judge("expression", small_cnn(2, size), "regression", ("mouth_open", "eye_open"), size,
                      masked=True)
        if not train:
            return judge
        people = [synth.identity(10_000 + seed * 100_000 + i) for i in range(n)]
        states = synth.random_states(n, seed=seed + 77)
        imgs, masks, _ = datasets.aligned_faces(people, states, size, zoom, seed)
        y = np.array([[s.mouth_open, np.clip(s.eye_open, 0, 1)] for s in states], np.float32)
        tr, te = train_test_split(np.arange(len(y)), test_size=0.2, random_state=seed)
        fit(judge.net, imgs[tr] * masks[tr, ..., None], y[tr], "regression", epochs, seed)
        pred = judge.predict(imgs[te], masks[te])
        judge.held_out = {f"{k}_corr": float(np.corrcoef(pred[:, i], y[te, i])[0, 1])
                          for i, k in enumerate(judge.outputs)}
        judge.held_out["n"] = int(len(te))
        return judge

    return _cached("expression", settings, build)


def frechet_distance(feats_a: np.ndarray, feats_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (the FID formula) (lab 04)."""
    from scipy import linalg

    a = check_finite(feats_a, "feats_a", "frechet_distance").astype(np.float64)
    b = check_finite(feats_b, "feats_b", "frechet_distance").astype(np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"frechet_distance: expected two N×D feature arrays with the same D, got {a.shape} and {b.shape}")
    if min(len(a), len(b)) < 2:
        raise ValueError("frechet_distance: need at least two samples in each set")
    mu_a, mu_b = a.mean(0), b.mean(0)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # trace(sqrt(ca @ cb)) = sum of the square roots of the eigenvalues of s @ cb @ s with s = sqrt(ca): a
    # symmetric form that stays real and stable when the covariances are singular (few samples, many features)
    w, v = linalg.eigh(ca)
    s = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    tr_covmean = np.sqrt(np.clip(linalg.eigvalsh(s @ cb @ s), 0, None)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(ca) + np.trace(cb) - 2 * tr_covmean)


def attribute_bin(ident) -> int:
    """The attribute bin of an identity: skin-tone band × hair colour, 3 × 6 = 18 bins (lab 04)."""
    ident = check_object(ident, "ident", synth.Identity, "synth.identity(seed) or synth.cast(name)", "attribute_bin")
    band = int(np.searchsorted(TONE_BANDS, ident.skin_tone, side="right") - 1)
    return band * len(synth.HAIR_COLORS) + list(synth.HAIR_COLORS).index(ident.hair_color_name)


def attribute_names() -> tuple:
    """Names of the 18 attribute bins, e.g. "deep skin, black hair" (lab 04)."""
    return tuple(f"{t} skin, {h} hair" for t in TONE_NAMES for h in synth.HAIR_COLORS)


def attribute_judge(size: int = 64, n: int | None = None, seed: int = 0, mode: str | None = None) -> Judge:
    """Skin-tone band × hair colour of a whole (unaligned) face image, 18 classes; real faces only (lab 04)."""
    _check_judge_settings("attribute_judge", size, seed, n=n)
    fast = config.is_fast(mode)
    n = n or (900 if fast else 6000)
    epochs = 4 if fast else 10
    settings = dict(size=size, n=n, seed=seed, epochs=epochs)

    def build(train: bool) -> Judge:
        judge = Judge("attributes", small_cnn(18, size), "classes", attribute_names(), size)
        if not train:
            return judge
        faces = datasets.load_synthetic_faces(n, size, seed=500 + seed)
        imgs, people = faces.images, faces.identities()
        y = np.array([attribute_bin(p) for p in people])
        tr, te = train_test_split(np.arange(len(y)), test_size=0.2, random_state=seed, stratify=y)
        fit(judge.net, imgs[tr], y[tr], "classes", epochs, seed)
        judge.held_out = {"accuracy": float((judge.predict(imgs[te]) == y[te]).mean()), "n": int(len(te))}
        return judge

    return _cached("attributes", settings, build)


EYES, MOUTH = (slice(36, 42), slice(42, 48)), (slice(48, 60),)  # iBUG-68 landmark ranges (synth.face)
# How faces are damaged, at 64×64 (scaled with the size): blur σ (px), erasing pad (px), eyes erased, the column
# where a face's right half from another face begins (a share of the width; mirrored at random). The exam
# (``damaged_faces``) and the face judge's lessons (``face_negatives``) share no value: the judge learns strong
# blur and weak blur, one eye erased, a small mouth erasure and an off-centre seam, and is examined on blur
# between the two, both eyes, a larger mouth erasure and a seam down the middle.
EXAM_DAMAGE = dict(blur=((1.5, 2.5),), pad=(2.5, 4.0), eyes=2, seam=(0.5, 0.5))
LESSON_DAMAGE = dict(blur=((0.9, 1.3), (2.8, 4.0)), pad=(1.5, 2.3), eyes=1, seam=(0.32, 0.46))
DAMAGE_KINDS = ("blur", "eyes", "mouth", "halves")  # face i of damaged_faces (and _damage) gets DAMAGE_KINDS[i % 4]


def _erase(img: np.ndarray, mask: np.ndarray, points: np.ndarray, pad: float) -> np.ndarray:
    """Paint an ellipse around ``points`` (x, y pixels) with the face's median skin colour, soft-edged."""
    from scipy import ndimage

    h, w, _ = img.shape
    skin = np.median(img[mask > 0.9], axis=0) if (mask > 0.9).any() else img[h // 2, w // 2]
    centre = points.mean(0)
    rx = (points[:, 0].max() - points[:, 0].min()) / 2 + pad
    ry = max((points[:, 1].max() - points[:, 1].min()) / 2, rx / 2) + pad
    yy, xx = np.mgrid[0:h, 0:w]
    inside = (((xx - centre[0]) / rx) ** 2 + ((yy - centre[1]) / ry) ** 2 <= 1).astype(np.float32)
    alpha = ndimage.gaussian_filter(inside, pad / 2)[..., None]
    return img * (1 - alpha) + skin * alpha


def _face_parts(faces, fn: str, least: int = 2):
    """Images, landmarks and masks of a ``datasets.SyntheticFaces``, checked."""
    imgs = check_images(getattr(faces, "images", None), f"{fn}: faces.images (a datasets.SyntheticFaces)")
    marks = np.asarray(getattr(faces, "landmarks", None), np.float32)
    masks = np.asarray(getattr(faces, "masks", None), np.float32)
    n, h, w, _ = imgs.shape
    if marks.shape != (n, 68, 2) or masks.shape != (n, h, w):
        raise ValueError(f"{fn}: faces needs images, 68 landmarks and a mask per face; pass what "
                         "datasets.load_synthetic_faces returns")
    if n < least:
        raise ValueError(f"{fn}: need at least {least} faces (halves are swapped between faces), got {n}")
    return imgs, marks, masks


def _damage(imgs, marks, masks, seed: int, blur, pad, eyes: int, seam) -> np.ndarray:
    """Face ``i`` gets damage ``i % 4``: blurred, eyes erased, mouth erased, right half from another face."""
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    n, h, w, _ = imgs.shape
    scale = h / 64
    out = np.empty_like(imgs)
    for i, img in enumerate(imgs):
        kind = i % 4
        if kind == 0:
            sigma = rng.uniform(*blur[rng.integers(len(blur))]) * scale
            out[i] = ndimage.gaussian_filter(img, (sigma, sigma, 0))
        elif kind in (1, 2):
            parts = (EYES if eyes == 2 else (EYES[rng.integers(2)],)) if kind == 1 else MOUTH
            done = img
            for part in parts:
                done = _erase(done, masks[i], marks[i, part], rng.uniform(*pad) * scale)
            out[i] = done
        else:
            other = imgs[(i + rng.integers(1, n)) % n]
            at = rng.uniform(*seam)
            col = int(round(w * (at if rng.random() < 0.5 else 1 - at)))
            out[i] = np.concatenate([img[:, :col], other[:, col:]], axis=1)
    return np.clip(out, 0, 1).astype(np.float32)


def damaged_faces(faces, seed: int = 0) -> np.ndarray:
    """Real faces damaged the way a weak GAN smears them: blurred, eyes erased, mouth erased, halves mismatched (lab 04).

    ``faces`` is a ``datasets.SyntheticFaces`` (its landmarks locate the eyes and mouth); face ``i`` gets
    damage ``i % 4``. Blur is a Gaussian of σ 1.5–2.5 px at 64×64 (scaled with the size); both eyes, or the
    mouth, are filled with the face's own median skin colour (a soft ellipse 2.5–4 px beyond the landmarks);
    a mismatched face is the left half of one face and the right half of another. This is the face judge's
    exam: ``face_negatives``, which it learns from, damages with other values (``LESSON_DAMAGE``).
    ``damaged_rejection`` measures how many the face judge rejects.
    """
    imgs, marks, masks = _face_parts(faces, "damaged_faces")
    return _damage(imgs, marks, masks, check_seed(seed), **EXAM_DAMAGE)


def face_negatives(faces, seed: int = 0) -> np.ndarray:
    """What the face judge learns to reject: a quarter ``datasets.non_faces``, the rest damaged faces (lab 04).

    The damage is ``LESSON_DAMAGE``: blur of σ 0.9–1.3 or 2.8–4 px, one eye or a small mouth erased, a
    second face's pixels from an off-centre seam (32–46% of the width from either side); none of the
    exam's values (``damaged_faces``). Returns as many images as ``faces`` holds.
    """
    imgs, marks, masks = _face_parts(faces, "face_negatives", least=4)
    seed, cut = check_seed(seed), len(imgs) // 4
    return np.concatenate([datasets.non_faces(imgs[:cut], seed),
                           _damage(imgs[cut:], marks[cut:], masks[cut:], seed, **LESSON_DAMAGE)])


def face_judge(size: int = 64, n: int | None = None, seed: int = 0, mode: str | None = None) -> Judge:
    """Face (1) or not a face (0): real renders against non-faces and damaged faces made from them (lab 04).

    Its negatives are ``face_negatives``: non-faces, and faces blurred, with an eye or the mouth erased, or
    mismatched at an off-centre seam. ``damaged_rejection`` examines it on damage of other values
    (``damaged_faces``) of people it never saw.
    """
    _check_judge_settings("face_judge", size, seed, n=n)
    fast = config.is_fast(mode)
    n = n or (1000 if fast else 3000)  # FAST: 1,000 and 10 epochs reject 0.89 of the exam; 600 and 3 epochs, 0.44
    epochs = 10 if fast else 6
    settings = dict(size=size, n=n, seed=seed, epochs=epochs, negatives="non-faces+lesson-damage/v1")

    def build(train: bool) -> Judge:
        judge = Judge("face", small_cnn(2, size), "classes", ("not a face", "face"), size)
        if not train:
            return judge
        faces = datasets.load_synthetic_faces(n, size, seed=900 + seed)
        x = np.concatenate([faces.images, face_negatives(faces, seed)])
        y = np.concatenate([np.ones(n, int), np.zeros(n, int)])
        tr, te = train_test_split(np.arange(len(y)), test_size=0.2, random_state=seed, stratify=y)
        fit(judge.net, x[tr], y[tr], "classes", epochs, seed)
        recalibrate(judge, x[tr])  # batch norm's running averages lag after a short training (see recalibrate)
        judge.held_out = {"accuracy": float((judge.predict(x[te]) == y[te]).mean()), "n": int(len(te))}
        return judge

    return _cached("face", settings, build)


# ----------------------------------------------------------------------------------------------------
# Measures of a set of generated faces (lab 04), appended: they use the judges above, trained on real
# renders only.

def _judge_or(judge, default, fn: str) -> Judge:
    """The judge given, or the default one when None."""
    return default() if judge is None else check_object(judge, "judge", Judge, f"judges.{default.__name__}()", fn)


def _judge_input(images, judge: Judge, name: str) -> np.ndarray:
    """Images at the judge's size: smaller or larger square images are resized (bilinear) to fit."""
    import cv2

    imgs = check_images(images, name)
    if imgs.shape[1:3] != (judge.size, judge.size):
        if imgs.shape[1] != imgs.shape[2]:
            raise ValueError(f"{name}: the judges need square images, got {imgs.shape[1]}×{imgs.shape[2]}")
        imgs = np.stack([cv2.resize(im, (judge.size, judge.size), interpolation=cv2.INTER_LINEAR) for im in imgs])
    return imgs


def attribute_shares(images, judge: Judge | None = None) -> np.ndarray:
    """The share of images the attribute judge puts in each of the 18 bins (sums to 1) (lab 04)."""
    judge = _judge_or(judge, attribute_judge, "attribute_shares")
    imgs = _judge_input(images, judge, "attribute_shares: images")
    if len(imgs) == 0:
        raise ValueError("attribute_shares: no images given")
    counts = np.bincount(judge.predict(imgs), minlength=len(judge.outputs))
    return counts / counts.sum()


def attribute_coverage(images, judge: Judge | None = None, min_share: float = 0.01) -> float:
    """Share of the 18 attribute bins holding at least ``min_share`` of the images (lab 04).

    Real faces fill each bin with about 1/18 ≈ 5.6% of them; the default 1% (a fifth of that) counts a bin
    as present only if the generator draws it regularly, not once by the judge's error. ``min_share=0``
    counts a bin present with a single image.
    """
    min_share = check_scalar(min_share, "min_share", float, min_val=0.0, max_val=1.0, include_boundaries="left",
                             fn="attribute_coverage")
    shares = attribute_shares(images, judge)
    present = shares > 0 if min_share == 0 else shares >= min_share
    return float(present.mean())


def _accepted(images, judge: Judge | None, fn: str, name: str) -> np.ndarray:
    """For each image, whether the face judge calls it a face."""
    judge = _judge_or(judge, face_judge, fn)
    imgs = _judge_input(images, judge, f"{fn}: {name}")
    if len(imgs) == 0:
        raise ValueError(f"{fn}: no images given")
    return judge.predict(imgs) == 1


def face_rate(images, judge: Judge | None = None) -> float:
    """Share of images the face judge calls a face (lab 04)."""
    return float(_accepted(images, judge, "face_rate", "images").mean())


def damaged_rejection(damaged, judge: Judge | None = None, by_kind: bool = False) -> float | dict:
    """Share of damaged faces (``damaged_faces``) the face judge rejects: can the yardstick fail? (lab 04)

    With ``by_kind`` a dict: the share for each kind of damage (``DAMAGE_KINDS``; face i has kind i % 4).
    """
    rejected = ~_accepted(damaged, judge, "damaged_rejection", "damaged")
    if not by_kind:
        return float(rejected.mean())
    kinds = np.arange(len(rejected)) % len(DAMAGE_KINDS)
    return {kind: float(rejected[kinds == k].mean()) for k, kind in enumerate(DAMAGE_KINDS) if (kinds == k).any()}


def _check_features(feats, name: str, k: int) -> np.ndarray:
    a = np.asarray(feats, dtype=np.float64) if not isinstance(feats, str) else None
    if a is None or a.ndim != 2:
        raise ValueError(f"precision_recall: {name} must be an N×D array of features (judges.fd_features), "
                         f"got {getattr(a, 'shape', type(feats).__name__)}")
    if len(a) < k + 1:
        raise ValueError(f"precision_recall: {name} needs at least k + 1 = {k + 1} rows for k = {k} "
                         f"neighbours, got {len(a)}; give more samples or a smaller k")
    if not np.isfinite(a).all():
        raise ValueError(f"precision_recall: {name} holds NaN or infinite values; check the images it came from")
    return a


def _covered(points: np.ndarray, centres: np.ndarray, radii: np.ndarray, chunk: int = 256) -> np.ndarray:
    """For each point, whether it lies in at least one centre's ball (chunked, so memory stays small)."""
    from scipy.spatial.distance import cdist

    return np.concatenate([(cdist(points[a:a + chunk], centres) <= radii[None, :]).any(axis=1)
                           for a in range(0, len(points), chunk)])


def _knn_radii(feats: np.ndarray, k: int) -> np.ndarray:
    """Each sample's distance to its k-th nearest neighbour in its own set, itself excluded."""
    from sklearn.neighbors import NearestNeighbors

    dist, _ = NearestNeighbors(n_neighbors=k + 1).fit(feats).kneighbors(feats)
    return dist[:, k]


def precision_recall(real_feats, fake_feats, k: int = 3) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019) of fake features against real ones (lab 04).

    Each set's manifold is the union of balls around its samples, of radius the distance to the k-th nearest
    neighbour. Precision: share of fakes inside the real manifold (are samples realistic?). Recall: share
    of reals inside the fake manifold (do samples cover the real variety?).
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"precision_recall: k must be a positive whole number of neighbours, got {k!r}")
    real = _check_features(real_feats, "real_feats", int(k))
    fake = _check_features(fake_feats, "fake_feats", int(k))
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"precision_recall: real_feats and fake_feats need the same width, got {real.shape[1]} "
                         f"and {fake.shape[1]}; compute both with the same judge")
    precision = _covered(fake, real, _knn_radii(real, int(k))).mean()
    recall = _covered(real, fake, _knn_radii(fake, int(k))).mean()
    return float(precision), float(recall)


def fd_features(images, judge: Judge | None = None) -> np.ndarray:
    """The features lab 04 measures Fréchet distances in: the attribute judge's penultimate layer (lab 04)."""
    judge = _judge_or(judge, attribute_judge, "fd_features")
    return judge.features(_judge_input(images, judge, "fd_features: images"))


# ----------------------------------------------------------------------------------------------------
# Lab 05: the speaker judge (appended). Like the judges above it is trained on real recordings only (the
# synthesiser's own voices, never a conversion), scored on held-out real sentences, and reports that score.

SPEAKER_OTHERS_SEED = 50_000  # the extra speakers are synth.identity(SPEAKER_OTHERS_SEED + i)
SPEAKER_HELD_OUT = 4  # the last sentences of synth.SENTENCES are never trained on
SPEAKER_JUDGE_SETTINGS = {"fast": dict(n_others=4, per_speaker=4, held_out=2),
                          "full": dict(n_others=32, per_speaker=12, held_out=4)}


@dataclass
class SpeakerJudge:
    """Whose voice is this? A shrinkage LDA on ``audio.speaker_features``, trained on real utterances only (lab 05)."""

    speakers: tuple
    model: object
    held_out: dict = field(default_factory=dict)

    def features(self, audios) -> np.ndarray:
        """``audio.speaker_features`` of one recording (1-D array or Speech) or a list of them, N×40 (lab 05)."""
        from . import audio

        return np.stack([audio.speaker_features(a) for a in audio.as_recordings(audios, "speaker judge")])

    def probabilities(self, audios) -> np.ndarray:
        """Probability of each speaker (columns in the order of ``speakers``) for each recording (lab 05)."""
        return self.model.predict_proba(self.features(audios))

    def predict(self, audios) -> list:
        """The most likely speaker's name for each recording (lab 05)."""
        return [self.speakers[i] for i in self.model.predict(self.features(audios))]


def speaker_pool(n_others: int) -> list:
    """The speakers a speaker judge knows: the whole cast, then ``n_others`` people drawn by seed (lab 05)."""
    if isinstance(n_others, bool) or not isinstance(n_others, (int, np.integer)) or not 0 <= n_others <= 1000:
        raise ValueError(f"speaker_pool: n_others must be a whole number from 0 to 1000, got {n_others!r}")
    return [synth.cast(name) for name in sorted(synth.CAST)] + [
        synth.identity(SPEAKER_OTHERS_SEED + i) for i in range(int(n_others))]


def _speaker_data(n_others: int, per_speaker: int, held_out: int, seed: int) -> dict:
    """Features of real utterances: ``per_speaker`` training sentences and ``held_out`` held-out ones, per speaker."""
    from . import audio

    sentences = list(synth.SENTENCES)
    train_lines, test_lines = sentences[:-SPEAKER_HELD_OUT], sentences[-SPEAKER_HELD_OUT:][:held_out]
    xs, ys, held = [], [], []
    for k, person in enumerate(speaker_pool(n_others)):
        for j in range(per_speaker + held_out):
            line = train_lines[j % len(train_lines)] if j < per_speaker else test_lines[j - per_speaker]
            speech = synth.speak(person, line, seed=seed * 1_000_003 + k * 1000 + j)
            xs.append(audio.speaker_features(speech.audio))
            ys.append(k)
            held.append(j >= per_speaker)
    return {"x": np.stack(xs), "y": np.array(ys), "held": np.array(held)}


_SPEAKER_JUDGES: dict = {}


def speaker_judge(n_others: int | None = None, per_speaker: int | None = None, held_out: int | None = None,
                  seed: int = 0, mode: str | None = None) -> SpeakerJudge:
    """Which of the cast (and ``n_others`` more people) is speaking? Real utterances only (lab 05).

    Defaults: ``SPEAKER_JUDGE_SETTINGS`` for ``mode`` ("fast" or "full"; None reads COURSE_FAST). Each speaker says ``per_speaker`` training
    sentences and ``held_out`` (at most four) of the last four sentences of ``synth.SENTENCES``, which are
    never trained on; ``held_out["accuracy"]`` is the judge's accuracy on them. The features (not a pickled
    model) are cached in the course cache, so a second call only refits the LDA (milliseconds).
    """
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    seed = check_seed(seed)
    defaults = SPEAKER_JUDGE_SETTINGS[config.resolve_mode(mode)]
    n_others = defaults["n_others"] if n_others is None else n_others
    per_speaker = defaults["per_speaker"] if per_speaker is None else per_speaker
    held_out = defaults["held_out"] if held_out is None else held_out
    for name, value, lo, hi in (("per_speaker", per_speaker, 2, 200), ("held_out", held_out, 1, SPEAKER_HELD_OUT)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
            raise ValueError(f"speaker_judge: {name} must be a whole number from {lo} to {hi}, got {value!r}")
    speakers = tuple(p.name for p in speaker_pool(n_others))
    settings = dict(n_others=int(n_others), per_speaker=int(per_speaker), held_out=int(held_out), seed=int(seed),
                    features="mfcc19+f0/v1")
    key = _key("speaker", settings)
    if key in _SPEAKER_JUDGES:
        return _SPEAKER_JUDGES[key]
    path = config.data_dir() / "judges" / f"speaker-{key}.npz"
    data = None
    if path.exists():
        try:
            with np.load(path, allow_pickle=False) as f:
                data = {k: f[k] for k in ("x", "y", "held")}
        except (OSError, ValueError, KeyError):
            path.unlink(missing_ok=True)  # unreadable: rebuild below
    if data is None:
        data = _speaker_data(int(n_others), int(per_speaker), int(held_out), int(seed))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp.npz")
        np.savez(tmp, **data)
        tmp.replace(path)
    train = ~data["held"]
    model = make_pipeline(StandardScaler(), LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"))
    model.fit(data["x"][train], data["y"][train])
    accuracy = float((model.predict(data["x"][~train]) == data["y"][~train]).mean())
    judge = SpeakerJudge(speakers, model, {"accuracy": accuracy, "n": int((~train).sum()),
                                           "speakers": len(speakers), "chance": 1 / len(speakers)})
    _SPEAKER_JUDGES[key] = judge
    return judge


def recalibrate(model, images, batch: int = 256):
    """Re-measure batch-norm statistics on images like the training set; for a ``Judge`` or a bare network (lab 04).

    ``fit`` leaves batch norm's running averages (momentum 0.1) lagging after a short training, as in FAST
    mode: measured on FAST mode's face judge, its held-out accuracy was 62% in eval mode and 98% once its
    statistics were re-measured on its own training images. This recomputes them as a plain average over
    ``images`` (for the face judge: real faces and ``non_faces`` of them, like its training set). The model
    is changed in memory only, never in the cache, and returned in eval mode.
    """
    torch, nn = _torch()
    check_object(model, "model", (Judge, nn.Module), "judges.face_judge() or small_cnn(...)", "recalibrate")
    batch = check_scalar(batch, "batch", int, min_val=1, fn="recalibrate")
    net, imgs = (model.net, model._inputs(images)) if isinstance(model, Judge) else (
        model, check_images(images, "recalibrate: images"))
    if not len(imgs):
        raise ValueError("recalibrate: images is empty; give images like the training set (a few hundred)")
    norms = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average over the batches below
    net.train()
    with torch.no_grad():
        for a in range(0, len(imgs), batch):
            net(to_tensor(imgs[a:a + batch]))
    for m in norms:
        m.momentum = 0.1
    net.eval()
    return model
