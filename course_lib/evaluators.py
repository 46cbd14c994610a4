"""Judges: small networks trained on *real* synthetic-world images only, used to measure fakes (lab 03, lab 04).

A claim such as "the swap carries the target's identity" or "the GAN's faces cover every skin tone" is
only as good as the instrument that measures it. Every judge here is trained on real renders (never on a
swap or a GAN sample), evaluated on held-out real renders, and reports that accuracy, so a lab can print
the instrument's own error beside the measurement.

* ``identity_judge``: which cast member is this face? (lab 03)
* ``expression_judge``: how open are the mouth and the eyes? (lab 03)
* ``attribute_judge``: skin-tone band and hair colour (lab 04)
* ``face_judge``: face or not a face? (lab 04)
* ``frechet_distance``: distance between two sets of judge features (lab 04)

Judges are cached in the course cache (``config.data_dir()/judges``) as checksummed checkpoints, keyed by
their settings, so the second lab that needs one loads it in a fraction of a second.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np

from . import checkpoints, config, synth
from .validate import check_images

TONE_BANDS = (0.0, 1 / 3, 2 / 3, 1.0001)  # light, medium, deep (thirds of the Monk scale)
TONE_NAMES = ("light", "medium", "deep")


def _torch():
    import torch
    import torch.nn as nn

    return torch, nn


def small_cnn(n_out: int, size: int = 64, width: int = 16):
    """A four-block CNN (conv, batch norm, ReLU, pool) ending in a linear layer: every judge's body (lab 03)."""
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
        torch, _ = _torch()
        imgs = self._inputs(images, masks)
        self.net.eval()
        outs = []
        with torch.no_grad():
            for a in range(0, len(imgs), batch):
                x = torch.from_numpy(np.ascontiguousarray(imgs[a:a + batch].transpose(0, 3, 1, 2)))
                outs.append(self.net(x).float().numpy())
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
        torch, _ = _torch()
        imgs = self._inputs(images, masks)
        body = self.net[:-1]
        self.net.eval()
        outs = []
        with torch.no_grad():
            for a in range(0, len(imgs), batch):
                x = torch.from_numpy(np.ascontiguousarray(imgs[a:a + batch].transpose(0, 3, 1, 2)))
                outs.append(body(x).numpy())
        return np.concatenate(outs)


def fit(net, images: np.ndarray, targets: np.ndarray, kind: str, epochs: int, seed: int = 0,
        batch: int = 64, lr: float = 2e-3):
    """Train a judge's network on real images with light augmentation (lab 03)."""
    torch, nn = _torch()
    torch.manual_seed(seed)
    x_all = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))
    y_all = torch.from_numpy(targets).long() if kind == "classes" else torch.from_numpy(targets).float()
    loss_fn = nn.CrossEntropyLoss() if kind == "classes" else nn.SmoothL1Loss(beta=0.05)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=epochs * int(np.ceil(len(x_all) / batch)))
    gen = torch.Generator().manual_seed(seed)
    net.train()
    for _ in range(epochs):
        for idx in torch.randperm(len(x_all), generator=gen).split(batch):
            x = x_all[idx]
            x = x * (0.85 + 0.3 * torch.rand(len(x), 1, 1, 1, generator=gen))  # brightness jitter
            loss = loss_fn(net(x), y_all[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    net.eval()
    return net


def _key(name: str, settings: dict) -> str:
    blob = json.dumps({"name": name, **settings}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _cached(name: str, settings: dict, build):
    """Load a judge from the cache, or build, evaluate and save it."""
    torch, _ = _torch()
    path = config.data_dir() / "judges" / f"{name}-{_key(name, settings)}.pt"
    if path.exists():
        try:
            state, meta = checkpoints.load(path)
            judge = build(train=False)
            judge.net.load_state_dict(state)
            judge.net.eval()
            judge.held_out = meta["held_out"]
            return judge
        except checkpoints.CheckpointError:
            path.unlink(missing_ok=True)  # corrupted: rebuild below
    judge = build(train=True)
    checkpoints.save(path, judge.net.state_dict(), {"held_out": judge.held_out, "settings": settings})
    return judge


def aligned_faces(identities, states, size: int, zoom: float, seed: int = 0, render_size: int | None = None):
    """Render faces and align them to the template crop: (images, masks, landmarks) (lab 03)."""
    from . import faces

    render_size = render_size or max(2 * size, 64)
    out = synth.render_batch(identities, states, size=render_size, seed=seed)
    return faces.align_batch(out.images, out.landmarks, size, zoom, masks=out.masks)


def _split(n: int, seed: int, frac: float = 0.2):
    rng = np.random.default_rng(seed)
    idx = rng.permutation(n)
    k = max(1, int(n * frac))
    return idx[k:], idx[:k]


def identity_judge(names, size: int = 64, zoom: float = 1.5, per_person: int | None = None, seed: int = 0) -> Judge:
    """Which of ``names`` (cast members) is this face? Trained on masked real faces only (lab 03)."""
    names = tuple(names)
    per_person = per_person or (60 if config.is_fast() else 300)
    epochs = 4 if config.is_fast() else 8
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
        imgs, masks, _ = aligned_faces(people, states, size, zoom, seed)
        y = np.array(labels)
        tr, te = _split(len(y), seed)
        fit(judge.net, imgs[tr] * masks[tr, ..., None], y[tr], "classes", epochs, seed)
        judge.held_out = {"accuracy": float((judge.predict(imgs[te], masks[te]) == y[te]).mean()), "n": int(len(te))}
        return judge

    return _cached("identity", settings, build)


def expression_judge(size: int = 64, zoom: float = 1.5, n: int | None = None, seed: int = 0) -> Judge:
    """Reads mouth opening and eye opening (0-1) off a masked face; trained on many real identities (lab 03)."""
    n = n or (600 if config.is_fast() else 4000)
    epochs = 4 if config.is_fast() else 10
    settings = dict(size=size, zoom=zoom, n=n, seed=seed, epochs=epochs)

    def build(train: bool) -> Judge:
        judge = Judge("expression", small_cnn(2, size), "regression", ("mouth_open", "eye_open"), size,
                      masked=True)
        if not train:
            return judge
        people = [synth.identity(10_000 + seed * 100_000 + i) for i in range(n)]
        states = synth.random_states(n, seed=seed + 77)
        imgs, masks, _ = aligned_faces(people, states, size, zoom, seed)
        y = np.array([[s.mouth_open, np.clip(s.eye_open, 0, 1)] for s in states], np.float32)
        tr, te = _split(n, seed)
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

    a, b = np.asarray(feats_a, np.float64), np.asarray(feats_b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"frechet_distance: expected two N×D feature arrays with the same D, got {a.shape} and {b.shape}")
    if min(len(a), len(b)) < 2:
        raise ValueError("frechet_distance: need at least two samples in each set")
    mu_a, mu_b = a.mean(0), b.mean(0)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean, _ = linalg.sqrtm(ca @ cb, disp=False)
    covmean = covmean.real
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(ca + cb - 2 * covmean))


def attribute_bin(ident) -> int:
    """The attribute bin of an identity: skin-tone band × hair colour, 3 × 6 = 18 bins (lab 04)."""
    band = int(np.searchsorted(TONE_BANDS, ident.skin_tone, side="right") - 1)
    return band * len(synth.HAIR_COLORS) + list(synth.HAIR_COLORS).index(ident.hair_color_name)


def attribute_names() -> tuple:
    """Names of the 18 attribute bins, e.g. "deep skin, black hair" (lab 04)."""
    return tuple(f"{t} skin, {h} hair" for t in TONE_NAMES for h in synth.HAIR_COLORS)


def real_faces(n: int, size: int = 64, seed: int = 0):
    """Plain real renders of n random people (the GAN's training distribution): (images, identities) (lab 04)."""
    people = [synth.identity(seed * 1_000_003 + i) for i in range(n)]
    out = synth.render_batch(people, synth.random_states(n, seed=seed), size=size, seed=seed)
    return out.images, people


def attribute_judge(size: int = 64, n: int | None = None, seed: int = 0) -> Judge:
    """Skin-tone band × hair colour of a whole (unaligned) face image, 18 classes; real faces only (lab 04)."""
    n = n or (900 if config.is_fast() else 6000)
    epochs = 4 if config.is_fast() else 10
    settings = dict(size=size, n=n, seed=seed, epochs=epochs)

    def build(train: bool) -> Judge:
        judge = Judge("attributes", small_cnn(18, size), "classes", attribute_names(), size)
        if not train:
            return judge
        imgs, people = real_faces(n, size, seed=500 + seed)
        y = np.array([attribute_bin(p) for p in people])
        tr, te = _split(n, seed)
        fit(judge.net, imgs[tr], y[tr], "classes", epochs, seed)
        judge.held_out = {"accuracy": float((judge.predict(imgs[te]) == y[te]).mean()), "n": int(len(te))}
        return judge

    return _cached("attributes", settings, build)


def non_faces(faces_: np.ndarray, seed: int = 0) -> np.ndarray:
    """Images that are not faces, made from real ones: shuffled tiles, upside-down, smooth noise, blobs (lab 04)."""
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    n, h, w, _ = faces_.shape
    out = np.empty_like(faces_)
    for i, img in enumerate(faces_):
        kind = i % 4
        if kind == 0:  # the face's own pixels in 4×4 tiles, shuffled: right colours, wrong structure
            t = h // 4
            tiles = [img[r:r + t, c:c + t] for r in range(0, h, t) for c in range(0, w, t)]
            order = rng.permutation(len(tiles))
            rows = [np.concatenate([tiles[j] for j in order[r * 4:(r + 1) * 4]], 1) for r in range(4)]
            out[i] = np.concatenate(rows, 0)
        elif kind == 1:  # upside down and mirrored
            out[i] = img[::-1, ::-1]
        elif kind == 2:  # smooth coloured noise
            noise = ndimage.gaussian_filter(rng.random((h, w, 3)), (h / 10, w / 10, 0))
            out[i] = np.clip((noise - noise.mean()) * 6 + img.mean((0, 1)), 0, 1)
        else:  # skin-coloured blobs on the background, no features
            yy, xx = np.mgrid[0:h, 0:w] / h
            canvas = np.broadcast_to(img[:4].mean((0, 1)), img.shape).copy()
            for _ in range(3):
                cy, cx, r = rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8), rng.uniform(0.1, 0.35)
                blob = (((yy - cy) / r) ** 2 + ((xx - cx) / (r * rng.uniform(0.6, 1.4))) ** 2) < 1
                canvas[blob] = img[h // 2, w // 2]
            out[i] = ndimage.gaussian_filter(canvas, (1, 1, 0))
    return out.astype(np.float32)


def face_judge(size: int = 64, n: int | None = None, seed: int = 0) -> Judge:
    """Face (1) or not a face (0): real renders against non-faces made from them (lab 04)."""
    n = n or (600 if config.is_fast() else 3000)
    epochs = 3 if config.is_fast() else 6
    settings = dict(size=size, n=n, seed=seed, epochs=epochs)

    def build(train: bool) -> Judge:
        judge = Judge("face", small_cnn(2, size), "classes", ("not a face", "face"), size)
        if not train:
            return judge
        imgs, _ = real_faces(n, size, seed=900 + seed)
        x = np.concatenate([imgs, non_faces(imgs, seed)])
        y = np.concatenate([np.ones(n, int), np.zeros(n, int)])
        tr, te = _split(len(y), seed)
        fit(judge.net, x[tr], y[tr], "classes", epochs, seed)
        judge.held_out = {"accuracy": float((judge.predict(x[te]) == y[te]).mean()), "n": int(len(te))}
        return judge

    return _cached("face", settings, build)
