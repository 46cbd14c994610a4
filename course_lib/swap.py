"""The autoencoder face swap of faceswap and DeepFaceLab, scaled to a laptop (lab 03).

One **shared encoder** turns an aligned face into a code; **one decoder per identity** turns a code back
into that identity's face. Both decoders are trained only to *reconstruct* their own person, from randomly
warped inputs. Because the encoder is shared, its code has to describe what the two people's faces have in
common (pose, expression, light) and leave identity to the decoders. The swap is then one line: encode a
frame of A, decode it with B's decoder.

The design follows faceswap's "original" model (``plugins/train/model/original.py`` in
github.com/deepfakes/faceswap): 5×5 stride-2 convolutions, a bottleneck, pixel-shuffle upscaling, a sigmoid
output and a mask head; random-warp augmentation on a 5×5 control grid; a masked loss that weights the eyes
and mouth more. It is narrower (``width``) and trains at 64×64 on a CPU (128×128 when a GPU is present). Its
code is an 8×8 map with batch norm after every convolution, its loss adds DeepFaceLab's DSSIM to the L1 error,
eyes weigh 8 and the mouth 3, its random warp is half as strong as faceswap's, and its pose jitter resamples the
training targets bicubically (bilinear blurred them). Why, with the numbers measured while building it:
``docs/design.md`` and lab 03.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import config, faces, synth
from .validate import (Settings, check_finite, check_images, check_object, check_scalar, check_seed, evaluating,
                       to_image, to_tensor)

PAIR = ("farah", "gus")  # the pair the shipped models swap: farah's frames get gus's face
ZOOM = 1.5  # the aligned crop is a tight face crop (faces.template zoomed 1.5×)
EYE_WEIGHT, MOUTH_WEIGHT = 8.0, 3.0  # eyes and mouth count most: that is where swaps fail first
BACKGROUND_WEIGHT = 0.1  # outside the face the decoder's output is blended away, so it matters little


# ----------------------------------------------------------------------------------------------------
# The model

class Upscale(nn.Module):
    """3×3 convolution to 4× the channels, batch norm, then pixel shuffle: doubles height and width (lab 03)."""

    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out * 4, 3, padding=1)
        self.norm = nn.BatchNorm2d(c_out * 4)
        self.shuffle = nn.PixelShuffle(2)

    def forward(self, x):
        return self.shuffle(F.leaky_relu(self.norm(self.conv(x)), 0.1))


class Encoder(nn.Module):
    """Shared encoder: stride-2 5×5 convolutions down to 8×8, squeezed to a ``latent``-channel code (lab 03).

    With ``dense`` > 0 the code is instead one vector of ``dense`` numbers (faceswap's dense bottleneck), handed
    to the decoders as it is: nothing in it says *where* on the face a feature lies (lab 06's blink story).
    """

    def __init__(self, size: int = 64, width: int = 16, latent: int = 16, dense: int = 0):
        super().__init__()
        chans = [3] + [width * 2 ** i for i in range(int(np.log2(size // 8)))]
        self.convs = nn.ModuleList(nn.Conv2d(a, b, 5, stride=2, padding=2) for a, b in zip(chans, chans[1:]))
        self.norms = nn.ModuleList(nn.BatchNorm2d(b) for b in chans[1:])
        if dense:
            self.to_code = nn.Linear(chans[-1] * 64, dense)  # the whole 8×8 map into one vector
        else:
            self.to_code = nn.Conv2d(chans[-1], latent, 1)  # the bottleneck: everything must pass through it
            self.from_code = nn.Conv2d(latent, chans[-1], 3, padding=1)
        self.dense = dense

    def forward(self, x):
        for conv, norm in zip(self.convs, self.norms):
            x = F.leaky_relu(norm(conv(x)), 0.1)
        if self.dense:
            return self.to_code(x.flatten(1))  # N × dense, spread back to a map by each decoder
        code = self.to_code(x)  # N × latent × 8 × 8
        return F.leaky_relu(self.from_code(code), 0.1)  # the 8×8 feature map handed to a decoder


class Decoder(nn.Module):
    """One person's decoder: upscale from 8×8 back to full size; an RGB head and a mask head (lab 03)."""

    def __init__(self, size: int = 64, width: int = 16, dense: int = 0):
        super().__init__()
        n_up = int(np.log2(size // 8))
        chans = [width * 2 ** (n_up - 1)] + [width * 2 ** (n_up - 1 - i) for i in range(n_up)]
        self.from_code = nn.Linear(dense, chans[0] * 64) if dense else None  # a dense code back to an 8×8 map
        self.ups = nn.Sequential(*(Upscale(a, b) for a, b in zip(chans, chans[1:])))
        self.rgb = nn.Conv2d(chans[-1], 3, 5, padding=2)
        self.mask = nn.Conv2d(chans[-1], 1, 5, padding=2)

    def forward(self, h):
        if self.from_code is not None:
            h = F.leaky_relu(self.from_code(h), 0.1).view(len(h), -1, 8, 8)
        h = self.ups(h)
        # both heads as one 4-channel convolution: the same numbers, but on a CPU one thin convolution costs
        # about half as much as two (the heads were a third of a training step's time)
        out = F.conv2d(h, torch.cat([self.rgb.weight, self.mask.weight]), torch.cat([self.rgb.bias, self.mask.bias]),
                       padding=2)
        return torch.sigmoid(out[:, :3]), torch.sigmoid(out[:, 3:])


class SwapModel(nn.Module):
    """The swapper: a shared encoder and one decoder for each of ``names`` (lab 03).

    ``size`` is the crop side (32, 64, 128 or 256), ``width`` the first layer's channels, ``latent`` the
    channels of the 8×8 code (16 keeps faceswap's 1,024 numbers; 2 is the lab's "tiny bottleneck"). ``dense``
    > 0 makes the code one vector of that many numbers instead, which each decoder spreads back to an 8×8 map
    itself (``latent`` is then unused): lab 06's blink-story swappers.
    """

    def __init__(self, names=PAIR, size: int = 64, width: int = 16, latent: int = 16, dense: int = 0):
        size = _check_model_size(size, "SwapModel")
        if isinstance(names, str) or not hasattr(names, "__iter__"):
            raise ValueError(f"SwapModel: names must be a tuple of at least two names, one per decoder, got {names!r}")
        names = tuple(names)
        if len(names) < 2 or len(set(names)) != len(names) or not all(isinstance(n, str) and n for n in names):
            raise ValueError(f"SwapModel: give at least two different names, one per decoder, got {names!r}")
        width = check_scalar(width, "width", int, min_val=1, max_val=1024, fn="SwapModel")
        latent = check_scalar(latent, "latent", int, min_val=1, max_val=1024, fn="SwapModel")
        dense = check_scalar(dense, "dense", int, min_val=0, max_val=4096, fn="SwapModel")
        super().__init__()
        self.names, self.size, self.width, self.latent, self.dense = names, size, int(width), int(latent), int(dense)
        self.encoder = Encoder(size, self.width, self.latent, self.dense)
        self.decoders = nn.ModuleDict({n: Decoder(size, self.width, self.dense) for n in self.names})

    def forward(self, x, who: str):
        """Encode faces x (N×3×H×W in [0, 1]) and decode them as ``who``: (rgb, mask)."""
        return self.decoders[who](self.encoder(x))


def _check_model_size(size, fn: str) -> int:
    if check_scalar(size, "size", int, min_val=32, max_val=256, fn=fn) not in (32, 64, 128, 256):
        raise ValueError(f"{fn}: size must be 32, 64, 128 or 256 pixels, got {size!r}")
    return int(size)


def _check_model(model, fn: str):
    if not (hasattr(model, "decoders") and hasattr(model, "encoder") and hasattr(model, "size")):
        got = "None" if model is None else f"a {type(model).__name__}"
        raise ValueError(f"{fn}: model: give a SwapModel (from swap.pretrained(), swap.train_pair() or "
                         f"swap.SwapModel()), got {got}")
    return model


def _check_who(model, who, name: str, fn: str) -> str:
    if not isinstance(who, str) or who not in model.decoders:
        raise ValueError(f"{fn}: {name}: this model has decoders {list(model.decoders)}, not {who!r}")
    return who


@dataclass(frozen=True)
class SwapSettings(Settings):
    """A swapper's model and training settings: crop size, widths, training set, steps and optimiser (lab 03).

    ``replace(**changes)`` gives a changed copy and refuses unknown names; ``to_dict()`` is what checkpoints store.
    The defaults are the course's CPU model (the "full-cpu" preset).
    """

    size: int = 64  # aligned crop side: 32, 64, 128 or 256
    width: int = 16  # the first layer's channels, doubled per layer
    latent: int = 16  # channels of the 8×8 code
    n_train: int = 2000  # aligned crops per person
    steps: int = 1500  # training steps (one batch of each person per step)
    batch: int = 16
    lr: float = 2e-3  # peak learning rate of the one-cycle schedule

    def __post_init__(self):
        _check_model_size(self.size, "SwapSettings")
        for name, hi in (("width", 1024), ("latent", 1024), ("n_train", 1_000_000), ("batch", 4096)):
            check_scalar(getattr(self, name), name, int, min_val=1, max_val=hi, fn="SwapSettings")
        check_scalar(self.steps, "steps", int, min_val=0, max_val=10_000_000, fn="SwapSettings")
        check_scalar(self.lr, "lr", float, min_val=0.0, max_val=1.0, include_boundaries="right", fn="SwapSettings")


# "fast": a small model and a short run (the shipped swap-fast); "full-cpu": the course's CPU model (the
# defaults above, shipped as swap-full); "full-gpu": twice the crop side, wider and longer, on a CUDA GPU.
PRESETS = {
    "fast": dict(size=64, width=8, latent=8, n_train=300, steps=200, batch=16, lr=2e-3),
    "full-cpu": {},
    "full-gpu": dict(size=128, width=32, latent=32, n_train=3000, steps=6000, batch=64, lr=1e-3),
}


def settings(mode: str | None = None, device: str | None = None, **changes) -> SwapSettings:
    """The swapper for a mode ("fast" or "full", default from ``COURSE_FAST``) and device (lab 03).

    Full mode on a CUDA GPU trains a 128×128 model; elsewhere the course's 64×64 CPU model (``PRESETS``).
    Keyword arguments change any setting, e.g. ``swap.settings(steps=300)``.
    """
    return SwapSettings(**PRESETS[config.preset(mode, device)]).replace(**changes)


# ----------------------------------------------------------------------------------------------------
# Data: aligned crops with masks, per-pixel loss weights and the true expression

@dataclass
class FaceSet:
    """Aligned face crops of one person, with masks, loss weights and the true states (lab 03)."""

    name: str
    images: np.ndarray  # N×S×S×3
    masks: np.ndarray  # N×S×S
    weights: np.ndarray  # N×S×S: background 0.1, face 1, eyes ×8, mouth ×3
    landmarks: np.ndarray  # N×68×2 in the crop
    states: list = field(repr=False)

    def __len__(self) -> int:
        return len(self.images)


def loss_weights(masks: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """Per-pixel loss weights: background 0.1, face 1, eyes ×8, mouth ×3, from masks and landmarks (lab 03)."""
    import cv2

    masks = check_finite(masks, "masks", "loss_weights")
    landmarks = check_finite(landmarks, "landmarks", "loss_weights")
    if masks.ndim != 3 or landmarks.shape != (len(masks), 68, 2):
        raise ValueError(f"loss_weights: expected masks N×H×W and landmarks N×68×2 for the same N, got shapes "
                         f"{masks.shape} and {landmarks.shape}")
    w = BACKGROUND_WEIGHT + (1 - BACKGROUND_WEIGHT) * masks.astype(np.float32)
    for i in range(len(w)):
        for region, weight in ((slice(36, 42), EYE_WEIGHT), (slice(42, 48), EYE_WEIGHT),
                               (slice(48, 60), MOUTH_WEIGHT)):
            pts = landmarks[i, region] - 0.5
            centre = pts.mean(axis=0)
            hull = cv2.convexHull(((pts - centre) * 1.5 + centre).astype(np.int32))  # a margin around the feature
            region_mask = np.zeros(w.shape[1:], np.uint8)
            cv2.fillConvexPoly(region_mask, hull, 1)
            w[i] = np.where(region_mask > 0, np.maximum(w[i], weight), w[i])
    return w


def face_set(name: str, n: int, size: int = 64, seed: int = 0, states=None, blink_share: float = 0.3) -> FaceSet:
    """``n`` aligned crops of a cast member in random poses, expressions and lights (lab 03).

    A tenth of natural frames catch a blink; the training set shows closed eyes ``blink_share`` of the time,
    as faceswap users curate their sets, so that each decoder learns to draw them.
    """
    ident = synth.cast(name)
    size = check_scalar(size, "size", int, min_val=16, max_val=256, fn="face_set")
    seed = check_seed(seed, "face_set: seed")
    if states is None:
        n = check_scalar(n, "n", int, min_val=1, max_val=1_000_000, fn="face_set")
        blink_share = check_scalar(blink_share, "blink_share", float, min_val=0.0, max_val=1.0, fn="face_set")
        states = synth.random_states(n, seed=seed, blink_share=blink_share)
    states = list(states)
    if not states or not all(isinstance(st, synth.FaceState) for st in states):
        raise ValueError("face_set: states must be a non-empty list of synth.FaceState (from synth.random_states(n)), "
                         f"got {len(states)} items")
    from .datasets import aligned_faces  # renders in chunks, keeping only the small aligned crops

    imgs, masks, pts = aligned_faces([ident] * len(states), states, size, ZOOM, seed=seed, render_size=2 * size)
    return FaceSet(name, imgs, masks, loss_weights(masks, pts), pts, list(states))


# ----------------------------------------------------------------------------------------------------
# Augmentation: faceswap's random warp plus small affine jitter

def random_affine(x, generator, rotate: float = 0.05, zoom: float = 0.05, shift: float = 0.05):
    """The same small random rotation, zoom and shift for each tensor in ``x`` (a tuple of N×C×H×W) (lab 03)."""
    n = x[0].shape[0]
    r = lambda: torch.rand(n, generator=generator) * 2 - 1  # noqa: E731 - uniform in [-1, 1]
    ang, sc = r() * rotate, 1 + r() * zoom
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = torch.cos(ang) * sc, -torch.sin(ang) * sc
    theta[:, 1, 0], theta[:, 1, 1] = torch.sin(ang) * sc, torch.cos(ang) * sc
    theta[:, 0, 2], theta[:, 1, 2] = r() * shift, r() * shift
    grid = F.affine_grid(theta.to(x[0].device), x[0].shape, align_corners=False)  # drawn on the CPU, any device
    # bicubic, not bilinear: a bilinear resample at a sub-pixel shift blurs the training target itself (it kept
    # 45% of a crop's Laplacian variance, bicubic 74%), and the decoder can be no sharper than its targets.
    # Bicubic overshoots a little at edges, so each tensor is clamped to the range it had
    return tuple(F.grid_sample(t, grid, mode="bicubic", padding_mode="border", align_corners=False)
                 .clamp(t.amin(), t.amax()) for t in x)


def random_warp(x, generator, strength: float = 0.02, points: int = 5):
    """faceswap's random warp: jitter a 5×5 control grid, smooth it over the image, resample (lab 03).

    ``strength`` is the jitter's standard deviation as a share of the image half-width: 0.02 is about 0.6 px
    at 64×64, half of faceswap's (about 5 px of 256). Measured at 1,500 steps, faceswap's strength (0.04) kept
    the expression worse (r 0.85 against 0.92) and bought no identity. The border of the grid stays put, so
    the face warps but the frame does not.
    """
    n, _, h, w = x.shape
    jitter = torch.randn(n, 2, points, points, generator=generator) * strength
    jitter[:, :, [0, -1], :] = 0
    jitter[:, :, :, [0, -1]] = 0
    jitter = jitter.to(x.device)  # drawn on the CPU, so a seed warps alike on every device
    flow = F.interpolate(jitter, size=(h, w), mode="bicubic", align_corners=True).permute(0, 2, 3, 1)
    identity = F.affine_grid(torch.eye(2, 3, device=x.device).expand(n, 2, 3), x.shape, align_corners=False)
    return F.grid_sample(x, identity + flow, padding_mode="border", align_corners=False)


def masked_l1(pred, target, weights):
    """Weighted mean absolute error: the reconstruction loss, with eyes and mouth weighted more (lab 03)."""
    return (weights * (pred - target).abs()).sum() / (weights.sum() * pred.shape[1])


def ssim_map(x, y, sigma: float = 1.5, radius: int = 5):
    """Per-pixel SSIM of two image batches (N×C×H×W in [0, 1]), Gaussian window as in Wang et al. (lab 03).

    The same formula as ``skimage.metrics.structural_similarity(..., gaussian_weights=True,
    use_sample_covariance=False)`` (identical away from a ``radius``-pixel border, where the padding differs),
    written in torch so that a loss can be built on it.
    """
    t = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    g = torch.exp(-t ** 2 / (2 * sigma ** 2))
    g = g / g.sum()
    c = x.shape[1]
    # the five local means in one separable Gaussian blur (reflected at the border): one call, not five
    z = torch.cat([x, y, x * x, y * y, x * y], dim=1)
    z = F.pad(z, (radius, radius, radius, radius), mode="reflect")
    z = F.conv2d(z, g.view(1, 1, 1, -1).expand(5 * c, 1, 1, -1), groups=5 * c)
    z = F.conv2d(z, g.view(1, 1, -1, 1).expand(5 * c, 1, -1, 1), groups=5 * c)
    mu_x, mu_y, mean_xx, mean_yy, mean_xy = z.split(c, dim=1)
    var_x, var_y = mean_xx - mu_x ** 2, mean_yy - mu_y ** 2
    cov = mean_xy - mu_x * mu_y
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    return ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x ** 2 + mu_y ** 2 + c1) * (var_x + var_y + c2))


def masked_dssim(pred, target, weights):
    """Structural dissimilarity (1 − SSIM) / 2, weighted like ``masked_l1``: punishes blur more than L1 (lab 03)."""
    return (weights * (1 - ssim_map(pred, target)) / 2).sum() / (weights.sum() * pred.shape[1])


# ----------------------------------------------------------------------------------------------------
# Training

@dataclass
class History:
    """What happened during training: losses per step and wall time (lab 03)."""

    steps: list = field(default_factory=list)
    loss: dict = field(default_factory=dict)
    seconds: float = 0.0


def _tensors(fs: FaceSet, device):
    as_t = lambda a: torch.from_numpy(np.ascontiguousarray(a)).to(device)  # noqa: E731
    return (to_tensor(fs.images, device=device), as_t(fs.masks[:, None]), as_t(fs.weights[:, None]))


def train(model, sets: dict, steps: int, batch: int = 16, lr: float = 2e-3, warp: bool = True, seed: int = 0,
          device: str | None = None, preview_every: int = 0, on_preview=None, progress: bool = True,
          ssim: bool = True, amp: bool | None = None) -> History:
    """Train every decoder to rebuild its own person from warped inputs; the encoder is shared (lab 03).

    ``sets`` maps each decoder's name to its ``FaceSet``. The loss is the masked L1 plus, with ``ssim``, the
    masked structural dissimilarity (as DeepFaceLab does), plus the mask head's error. Every
    ``preview_every`` steps ``on_preview(step, model, history)`` is called (the lab draws a live preview).
    ``amp`` (default: on a recent CUDA GPU only, ``config.mixed_precision``) runs the model in bf16; the losses stay
    float32. With amp, and always on a CPU, the model runs channels_last (the CPU's convolutions are faster so). On a
    CUDA GPU the face sets and their augmentation live on the GPU too.
    """
    from tqdm.auto import tqdm

    _check_model(model, "train")
    if not isinstance(sets, dict) or set(sets) != set(model.decoders):
        got = sorted(sets) if isinstance(sets, dict) else type(sets).__name__
        raise ValueError(f"train: sets: give one FaceSet per decoder {sorted(model.decoders)}, got {got}")
    for name, fs in sets.items():
        check_object(fs, f"sets[{name!r}]", FaceSet, "swap.face_set(name, n, size)", "train")
        if fs.images.shape[1:3] != (model.size, model.size):
            raise ValueError(f"train: sets[{name!r}] holds {fs.images.shape[1]}×{fs.images.shape[2]} crops but the "
                             f"model is {model.size}×{model.size}; draw it with "
                             f"swap.face_set(name, n, size={model.size})")
    steps = check_scalar(steps, "steps", int, min_val=0, max_val=10_000_000, fn="train")
    batch = check_scalar(batch, "batch", int, min_val=1, max_val=4096, fn="train")
    lr = check_scalar(lr, "lr", float, min_val=0.0, max_val=1.0, include_boundaries="right", fn="train")
    seed = check_seed(seed, "train: seed")
    preview_every = check_scalar(preview_every, "preview_every", int, min_val=0, fn="train")
    device = device or config.device()
    model.to(device).train()
    amp = config.mixed_precision(device, amp)
    nhwc = amp or torch.device(device).type == "cpu"  # channels_last: a CPU training step costs about 10% less
    config.channels_last(model, nhwc)
    on_gpu = torch.device(device).type == "cuda"  # there the random warp runs on the GPU, not on a few CPU cores
    data = {name: _tensors(fs, device if on_gpu else "cpu") for name, fs in sets.items()}
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.5, 0.999))
    # a short warm-up, then a cosine decay: large steps early, fine detail (eyes, lips) late. The warm-up is at
    # least 2 steps: torch's OneCycleLR divides by zero when it would be exactly 1 (20 steps at 5%)
    warm_up = max(0.05, 2 / steps) if steps >= 4 else 0.05
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=max(steps, 1), pct_start=warm_up,
                                                div_factor=10, final_div_factor=20)
    history = History(loss={name: [] for name in sets})
    start = time.perf_counter()
    for step in tqdm(range(steps), desc="training", disable=not progress):
        total = 0.0
        for name, (images, masks, weights) in data.items():
            idx = torch.randint(0, len(images), (batch,), generator=gen).to(images.device)
            target, mask, weight = random_affine((images[idx], masks[idx], weights[idx]), gen)
            inputs = random_warp(target, gen) if warp else target
            target, mask, weight, inputs = (t.to(device) for t in (target, mask, weight, inputs))
            with config.autocast(device, amp):
                rgb, mask_pred = model(config.channels_last(inputs, nhwc), name)
            rgb, mask_pred = rgb.float(), mask_pred.float()  # the losses in float32 (unchanged without amp)
            loss = masked_l1(rgb, target, weight) + F.mse_loss(mask_pred, mask)
            if ssim:
                loss = loss + masked_dssim(rgb, target, weight)
            total = total + loss
            history.loss[name].append(float(loss.detach()))
        opt.zero_grad()
        total.backward()
        opt.step()
        sched.step()
        history.steps.append(step)
        if preview_every and on_preview and (step + 1) % preview_every == 0:
            on_preview(step + 1, model, history)
    history.seconds = time.perf_counter() - start
    model.eval()
    return history


# ----------------------------------------------------------------------------------------------------
# Conversion: align, encode, decode as the other person, undo the alignment, colour-match, blend

def decode_as(model, crops: np.ndarray, who: str, batch: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """Decode aligned crops (N×S×S×3) with ``who``'s decoder: (faces N×S×S×3, masks N×S×S) (lab 03)."""
    _check_model(model, "decode_as")
    _check_who(model, who, "who", "decode_as")
    crops = check_images(crops, "decode_as: crops")
    if crops.shape[1:3] != (model.size, model.size):
        raise ValueError(f"decode_as: crops are {crops.shape[1]}×{crops.shape[2]} but this model works on "
                         f"{model.size}×{model.size} aligned crops; align them with "
                         f"faces.align(img, landmarks, size={model.size}, zoom=swap.ZOOM)")
    batch = check_scalar(batch, "batch", int, min_val=1, max_val=65536, fn="decode_as")
    return _decode(model, crops, who, batch)


def _decode(model, crops: np.ndarray, who: str, batch: int = 128) -> tuple[np.ndarray, np.ndarray]:
    device = next(model.parameters()).device
    rgbs, masks = [], []
    # eval mode: batch norm uses its running statistics; restored after, so a live preview can't spoil training
    with evaluating(model):
        for a in range(0, len(crops), batch):
            rgb, mask = model(to_tensor(crops[a:a + batch], device=device), who)
            rgbs.append(to_image(rgb))
            masks.append(mask.float().cpu().numpy()[:, 0])
    return np.concatenate(rgbs), np.concatenate(masks)


def swap_frames(model, frames: np.ndarray, landmarks: np.ndarray, to: str, colour: bool = False) -> np.ndarray:
    """Swap the face in each frame (T×H×W×3, with its T×68×2 landmarks) for ``to``'s face (lab 03).

    ``colour=True`` matches the new face's colours to the frame's face (Reinhard, lab 02): the seam vanishes,
    but when the two people's skin tones differ it also paints the source's skin onto the target's face.
    """
    import cv2

    _check_model(model, "swap_frames")
    _check_who(model, to, "to", "swap_frames")
    frames = check_images(frames, "swap_frames: frames")
    landmarks = check_finite(landmarks, "landmarks", "swap_frames")
    if landmarks.shape != (len(frames), 68, 2):
        raise ValueError(f"swap_frames: landmarks must be T×68×2, one set per frame ({len(frames)} frames), "
                         f"got shape {landmarks.shape}")
    size = model.size
    aligned = [faces.align(f, p, size, ZOOM)
               for f, p in zip(frames, landmarks)]
    rgb, mask = _decode(model, np.stack([a.image for a in aligned]), to)
    out = np.empty_like(np.asarray(frames, np.float32))
    for i, (frame, pts, al) in enumerate(zip(frames, landmarks, aligned)):
        h, w = frame.shape[:2]
        A = faces._cv_affine(al.matrix)
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        face = cv2.warpAffine(rgb[i], A, (w, h), flags=flags, borderMode=cv2.BORDER_REPLICATE)
        m = cv2.warpAffine(mask[i], A, (w, h), flags=flags)
        hull = faces.feather_mask(faces.hull_mask(pts, frame.shape), erosion=faces.default_erosion(pts) * 0.5,
                                  blur=faces.default_feather(pts))
        alpha = np.clip(m, 0, 1) * hull
        if colour:  # statistics over the face's hull: the predicted mask can be nearly empty on a hard frame
            region = (hull > 0.5).astype(np.float32)
            face = faces.reinhard_transfer(face, frame, region, region)
        out[i] = faces.alpha_blend(face, frame, alpha)
    return out


def swap_clip(model, clip, to: str | None = None, colour: bool = False):
    """Swap every frame of a synthetic ``Clip`` to ``to`` (default: the model's second person) (lab 03)."""
    from dataclasses import replace

    _check_model(model, "swap_clip")
    if not (hasattr(clip, "frames") and hasattr(clip, "truth")):
        raise ValueError("swap_clip: clip: give a synth Clip (from synth.talking_clip(...)), "
                         f"got {type(clip).__name__}")
    to = model.names[-1] if to is None else to
    frames = swap_frames(model, clip.frames, clip.truth["landmarks"], to, colour)
    truth = dict(clip.truth)
    truth["labels"] = {**clip.labels, "face": "swapped"}
    truth["swapped_to"] = to
    return replace(clip, frames=frames, truth=truth)


# ----------------------------------------------------------------------------------------------------
# Measuring a swap against ground truth

def sharpness(images: np.ndarray) -> float:
    """Mean variance of the Laplacian of grey images N×H×W×3: higher is sharper; a blur lowers it (lab 03)."""
    images = check_images(images, "sharpness: images")
    return _sharpness(images)


def _sharpness(images: np.ndarray) -> float:
    from scipy.ndimage import laplace

    # mode="mirror" reflects about the edge pixel, as cv2.Laplacian's default border does
    return float(np.mean([laplace(im.mean(axis=2), mode="mirror").var() for im in images]))


def evaluate(model, source: str | None = None, target: str | None = None, n: int | None = None, seed: int = 123,
             colour: bool = False, mode: str | None = None) -> dict:
    """Identity transfer, expression correlation and reconstruction SSIM, by judges trained on real faces (lab 03).

    * ``identity_transfer``: share of source→target swaps that an identity judge (trained on the whole cast's
      real faces) assigns to the target;
    * ``expression_corr``: mean correlation between the source's true mouth and eye opening and what an
      expression judge (trained on real faces of thousands of people) reads off the swapped frames;
    * ``recon_ssim``: masked SSIM of source→source reconstructions on held-out frames;
    * ``swap_sharpness_ratio``: ``sharpness`` of the decoded source→target crops over that of real target crops
      in the same poses and expressions, all on frames that training never saw (1 is as sharp as real).
    """
    from skimage.metrics import structural_similarity

    from . import judges

    _check_model(model, "evaluate")
    source = _check_who(model, model.names[0] if source is None else source, "source", "evaluate")
    target = _check_who(model, model.names[-1] if target is None else target, "target", "evaluate")
    n = check_scalar(n, "n", int, min_val=5, max_val=100_000, allow_none=True, fn="evaluate")
    mode = config.resolve_mode(mode)
    n = n or (40 if mode == "fast" else 200)
    seed = check_seed(seed, "evaluate: seed")
    size = model.size
    id_judge = judges.identity_judge(sorted(synth.CAST), size=size, zoom=ZOOM, mode=mode)
    ex_judge = judges.expression_judge(size=size, zoom=ZOOM, mode=mode)
    ident = synth.cast(source)
    states = synth.random_states(n, seed=seed)
    rendered = synth.render_batch([ident] * n, states, size=2 * size, seed=seed)
    swapped = swap_frames(model, rendered.images, rendered.landmarks, target, colour)
    crops, masks, _ = faces.align_batch(swapped, rendered.landmarks, size, ZOOM, masks=rendered.masks)
    target_idx = sorted(synth.CAST).index(target)
    identity_transfer = float((id_judge.predict(crops, masks) == target_idx).mean())
    read = ex_judge.predict(crops, masks)
    truth = np.array([[s.mouth_open, np.clip(s.eye_open, 0, 1)] for s in states])
    corrs = [float(np.corrcoef(read[:, k], truth[:, k])[0, 1]) for k in range(2)]
    real_crops, real_masks, _ = faces.align_batch(rendered.images, rendered.landmarks, size, ZOOM,
                                                  masks=rendered.masks)
    recon, _ = _decode(model, real_crops, source)
    swapped_crops, _ = _decode(model, real_crops, target)
    rendered_target = synth.render_batch([synth.cast(target)] * n, states, size=2 * size, seed=seed)
    target_crops, _, _ = faces.align_batch(rendered_target.images, rendered_target.landmarks, size, ZOOM)
    ssim = []
    for a, b, m in zip(real_crops, recon, real_masks):
        _, smap = structural_similarity(a, b, channel_axis=2, data_range=1.0, full=True)
        ssim.append(float((smap.mean(axis=2) * m).sum() / max(m.sum(), 1e-6)))
    return {
        "identity_transfer": identity_transfer,
        "expression_corr": float(np.mean(corrs)),
        "mouth_corr": corrs[0],
        "eye_corr": corrs[1],
        "recon_ssim": float(np.mean(ssim)),
        "swap_sharpness_ratio": _sharpness(swapped_crops) / max(_sharpness(target_crops), 1e-12),
        "judge_identity_accuracy": id_judge.held_out.get("accuracy"),
        "judge_mouth_corr": ex_judge.held_out.get("mouth_open_corr"),
        "judge_eye_corr": ex_judge.held_out.get("eye_open_corr"),
        "n": n,
    }


# ----------------------------------------------------------------------------------------------------
# Shipped models (python -m course_lib.pretrained build swap-fast|swap-full)

def train_pair(settings: SwapSettings, seed: int = 0, device: str | None = None, progress: bool = True):
    """Seed, draw both people's face sets, build and train a swapper with ``settings``: (model, history) (lab 03).

    The one recipe behind the shipped models and the benchmark, so that both measure the same thing.
    """
    s = check_object(settings, "settings", SwapSettings, "swap.settings()", "train_pair")
    seed = check_seed(seed, "train_pair: seed")
    config.seed_everything(seed)
    model = SwapModel(PAIR, s.size, s.width, s.latent)
    sets = {name: face_set(name, s.n_train, s.size, seed=seed + k) for k, name in enumerate(PAIR)}
    history = train(model, sets, s.steps, s.batch, s.lr, seed=seed, device=device, progress=progress)
    return model, history


def _build(mode: str, seed: int = 0):
    from .config import machine_summary

    s = settings(mode, "cpu")
    model, history = train_pair(s, seed, device="cpu")
    metrics = evaluate(model, mode=mode)  # measured with the judges of the model's own mode
    meta = {**s.to_dict(), "names": list(PAIR), "train_s": history.seconds, "device": "cpu", "seed": seed,
            "machine": machine_summary(),
            "final_loss": {k: float(np.mean(v[-50:])) for k, v in history.loss.items()},
            "metrics": metrics}
    return model.state_dict(), meta


def build_pretrained_fast():
    """Train the FAST-mode swapper that ships with the course (lab 03)."""
    return _build("fast")


def build_pretrained_full():
    """Train the full-mode swapper that ships with the course (lab 03)."""
    return _build("full")


def pretrained(mode: str | None = None, device: str | None = None):
    """Load the shipped swapper for ``mode`` ("fast", "full"; None reads COURSE_FAST), ready for ``PAIR`` (lab 03)."""
    from . import pretrained as shipped

    state, meta = shipped.load(f"swap-{config.resolve_mode(mode)}")
    model = SwapModel(tuple(meta["names"]), meta["size"], meta["width"], meta["latent"])
    model.load_state_dict(state)
    model.meta = meta
    return model.to(device or config.device()).eval()


def preview(model, sets: dict, n: int = 4) -> np.ndarray:
    """A grid for watching training: each person's faces, their reconstructions, and their swaps (lab 03)."""
    from skimage.util import montage

    _check_model(model, "preview")
    n = check_scalar(n, "n", int, min_val=1, max_val=64, fn="preview")
    if not isinstance(sets, dict) or not sets:
        raise ValueError("preview: sets: give a dict of FaceSets by name (from swap.face_set), "
                         f"got {type(sets).__name__}")
    rows = []
    names = list(sets)
    for name in names:
        other = names[-1] if name == names[0] else names[0]
        crops = sets[name].images[:n]
        rows += [crops, decode_as(model, crops, name)[0], decode_as(model, crops, other)[0]]
    tiles = np.concatenate(rows)
    return montage(tiles, grid_shape=(-(-len(tiles) // n), n), padding_width=2, fill=(1.0, 1.0, 1.0), channel_axis=-1)
