"""A generative adversarial network: DCGAN on the synthetic world's faces (lab 04).

Two networks play a game. The **generator** G turns random noise z (100 numbers) into a 64×64 face; the
**discriminator** D looks at an image and says how likely it is to be real. D is trained to tell real faces
from G's; G is trained to make D say "real". The design is DCGAN (Radford et al. 2016), as in PyTorch's
DCGAN example: transposed convolutions with batch norm and ReLU up to a tanh image in G, strided
convolutions with batch norm and LeakyReLU(0.2) down to one logit in D, weights drawn from N(0, 0.02),
Adam with learning rate 2e-4 and β1 = 0.5, binary cross-entropy with the *non-saturating* generator loss.

Scaled to a laptop: on a CPU the networks have 32 base filters instead of 64 and train for 1,200 steps with
a doubled learning rate (4e-4) that decays linearly to zero over the last 30% of the steps (``anneal``); on a
CUDA GPU they have the reference 64 filters and train 4,000 steps (``settings(mode, device)``). Why, with the
numbers measured while building it: ``docs/design.md``.

Images outside the models follow the course's convention (float32 RGB in [0, 1], N×H×W×3); inside they are
NCHW tensors in [-1, 1], the range of G's tanh.

Measuring a GAN needs instruments that were never trained on its output: the judges of
``course_lib.judges`` (trained on real renders only) give the Fréchet distance, the attribute coverage
and the face rate (``Yardstick``).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import checkpoints, config, datasets, judges
from .validate import (Settings, check_finite, check_images, check_object, check_scalar, check_seed, evaluating,
                       to_image, to_tensor, to_uint8)

LATENT = 100  # DCGAN's latent size
SIZES = (32, 64)


# ----------------------------------------------------------------------------------------------------
# Settings: one frozen record per training run

@dataclass(frozen=True)
class GANSettings(Settings):
    """Everything that defines a DCGAN training run: model size, data and optimiser (lab 04).

    ``replace(**changes)`` gives a changed copy and refuses unknown names; ``to_dict()`` is what checkpoints store.
    """

    size: int = 64  # image height and width: 32 or 64
    latent: int = LATENT  # length of the noise vector z
    g_filters: int = 32  # G's filters in its last hidden layer (DCGAN: 64); doubled per layer towards z
    d_filters: int = 32  # D's filters in its first layer (DCGAN: 64); doubled per layer
    batch: int = 64
    steps: int = 1000  # rounds of the game: one D update and one G update each
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    beta1: float = 0.5
    n_train: int = 5000  # real faces rendered for training
    data_seed: int = 1  # which people: datasets.load_synthetic_faces(n_train, size, seed=data_seed)
    seed: int = 0  # initial weights, noise and batch order
    every: int = 50  # record a preview of the fixed noise every this many steps
    anneal: float = 0.0  # share of the final steps over which both learning rates fall linearly to 0
    g_steps: int = 1  # generator updates per round (DCGAN: 1; more makes G too strong: lab 04's collapse)
    ema: float = 0.0  # decay of a moving average of G's weights (0: off); run.G is then that average (train_gan)
    spectral_norm: bool = False  # D's convolutions spectrally normalised, without batch norm (Miyato et al. 2018)

    def __post_init__(self):
        if check_scalar(self.size, "size", int, fn="GANSettings") not in SIZES:
            raise ValueError(f"GANSettings: size must be one of {SIZES} (the networks double 4×4 up to it), "
                             f"got {self.size!r}")
        for name, lo in (("latent", 1), ("g_filters", 4), ("d_filters", 4), ("batch", 2), ("steps", 1),
                         ("n_train", 2), ("every", 1), ("g_steps", 1)):
            check_scalar(getattr(self, name), name, int, min_val=lo, fn="GANSettings")
        check_seed(self.seed, "GANSettings: seed")
        check_seed(self.data_seed, "GANSettings: data_seed")
        for name in ("lr_g", "lr_d"):  # a learning rate, strictly between 0 and 1
            check_scalar(getattr(self, name), name, float, min_val=0, max_val=1, include_boundaries="neither",
                         fn="GANSettings")
        check_scalar(self.anneal, "anneal", float, min_val=0, max_val=1, fn="GANSettings")  # a share of the steps
        check_scalar(self.ema, "ema", float, min_val=0, max_val=1, include_boundaries="left", fn="GANSettings")
        if not isinstance(self.spectral_norm, bool):
            raise ValueError(f"GANSettings: spectral_norm must be True or False, got {self.spectral_norm!r}")
        check_scalar(self.beta1, "beta1", float, min_val=0, max_val=1, include_boundaries="left", fn="GANSettings")
        if self.n_train < self.batch:
            raise ValueError(f"GANSettings: n_train ({self.n_train}) must be at least one batch ({self.batch})")


# The three scales. "full-cpu": the lab's full mode on a laptop CPU (time in benchmarks/results/gan.jsonl);
# "fast": a narrower net, the shipped file FAST mode loads (the lab's FAST *training* is cut to a few steps by
# its parameters cell); "full-gpu": DCGAN's width and learning rate on a CUDA GPU, 4,000 steps.
PRESETS = {
    "fast": dict(size=64, g_filters=24, d_filters=24, batch=64, steps=1000, lr_g=4e-4, lr_d=4e-4, anneal=0.3,
                 n_train=3000, every=100),
    "full-cpu": dict(size=64, g_filters=32, d_filters=32, batch=64, steps=1200, lr_g=4e-4, lr_d=4e-4, anneal=0.3,
                     n_train=5000, every=100),
    "full-gpu": dict(size=64, g_filters=64, d_filters=64, batch=128, steps=4000, n_train=20000, every=200),
}


def settings(mode: str | None = None, device: str | None = None, **changes) -> GANSettings:
    """The run for a mode ("fast" or "full", default from ``COURSE_FAST``) on a device (default: config.device()) (lab 04).

    Full mode on a CUDA GPU uses DCGAN's own width, learning rate and batch (64 filters, 2e-4, 128) for 4,000
    steps; on a CPU or Apple GPU, 32 filters for 1,200 steps at 4e-4, decaying over the last 30% (``PRESETS``).
    Keyword arguments change any setting.
    """
    return GANSettings(**PRESETS[config.preset(mode, device)]).replace(**changes)


# ----------------------------------------------------------------------------------------------------
# The two players

def _check_net(filters, size, fn: str) -> tuple[int, int]:
    filters = check_scalar(filters, "filters", int, min_val=4, max_val=4096, fn=fn)
    if check_scalar(size, "size", int, fn=fn) not in SIZES:
        raise ValueError(f"{fn}: size must be one of {SIZES} (the networks double 4×4 up to it), got {size!r}")
    return filters, size


class Generator(nn.Module):
    """DCGAN's generator: z (N×latent) → images N×3×size×size in [-1, 1], doubling 4×4 up to size (lab 04)."""

    def __init__(self, latent: int = LATENT, filters: int = 64, size: int = 64):
        super().__init__()
        latent = check_scalar(latent, "latent", int, min_val=1, max_val=100_000, fn="Generator")
        filters, size = _check_net(filters, size, "Generator")
        n_up = int(math.log2(size)) - 2  # 4 → 8 → 16 → 32 (→ 64)
        c = filters * 2 ** (n_up - 1)
        layers = [nn.ConvTranspose2d(latent, c, 4, 1, 0, bias=False),  # z as a 1×1 image → 4×4
                  nn.BatchNorm2d(c), nn.ReLU(True)]
        for _ in range(n_up - 1):  # each block doubles the size and halves the channels
            layers += [nn.ConvTranspose2d(c, c // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(c // 2), nn.ReLU(True)]
            c //= 2
        layers += [nn.ConvTranspose2d(c, 3, 4, 2, 1, bias=False), nn.Tanh()]  # to RGB in [-1, 1]
        self.main = nn.Sequential(*layers)
        self.latent, self.size = latent, size

    def forward(self, z):
        """Noise N×latent → images N×3×size×size (lab 04)."""
        return self.main(z.view(len(z), self.latent, 1, 1))


class Discriminator(nn.Module):
    """DCGAN's discriminator: images N×3×size×size in [-1, 1] → one logit each; D(x) = sigmoid(logit) (lab 04).

    With ``spectral_norm`` every convolution's weight is divided by its largest singular value (Miyato et al.
    2018), which bounds how sharply D's verdict can change, and batch norm is left out, as in SNGAN.
    """

    def __init__(self, filters: int = 64, size: int = 64, spectral_norm: bool = False):
        super().__init__()
        filters, size = _check_net(filters, size, "Discriminator")
        self.size = size
        n_down = int(math.log2(size)) - 2
        conv = nn.utils.parametrizations.spectral_norm if spectral_norm else (lambda m: m)
        norm = (lambda c: nn.Identity()) if spectral_norm else nn.BatchNorm2d
        layers = [conv(nn.Conv2d(3, filters, 4, 2, 1, bias=False)), nn.LeakyReLU(0.2, True)]  # no batch norm here
        c = filters
        for _ in range(n_down - 1):  # each block halves the size and doubles the channels
            layers += [conv(nn.Conv2d(c, c * 2, 4, 2, 1, bias=False)), norm(c * 2), nn.LeakyReLU(0.2, True)]
            c *= 2
        layers += [conv(nn.Conv2d(c, 1, 4, 1, 0, bias=False))]  # 4×4 → one number: the logit
        self.main = nn.Sequential(*layers)

    def forward(self, x):
        """Images N×3×size×size → logits N (lab 04)."""
        return self.main(x).view(-1)


def weights_init(m):
    """DCGAN's initialisation: convolutions from N(0, 0.02), batch-norm scales from N(1, 0.02) (lab 04)."""
    name = type(m).__name__
    if "Conv" in name:  # a spectrally normalised convolution draws its raw weight, which is then normalised
        weight = m.parametrizations.weight.original if hasattr(m, "parametrizations") else m.weight
        nn.init.normal_(weight, 0.0, 0.02)
    elif "BatchNorm" in name:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def build(s: GANSettings | None = None) -> tuple[Generator, Discriminator]:
    """A freshly initialised (G, D) pair for settings ``s``; the same seed gives the same weights (lab 04)."""
    s = s or settings()
    if not isinstance(s, GANSettings):
        raise ValueError(f"build: expected GANSettings (from gan.settings()), got {type(s).__name__}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(s.seed)
        G, D = Generator(s.latent, s.g_filters, s.size), Discriminator(s.d_filters, s.size, s.spectral_norm)
        G.apply(weights_init)
        D.apply(weights_init)
    return G, D


# ----------------------------------------------------------------------------------------------------
# The game: losses and one training step

def discriminator_loss(real_logits, fake_logits):
    """D's loss: binary cross-entropy with real → 1 and fake → 0, the two halves added (lab 04).

    This is −[log D(x) + log(1 − D(G(z)))], averaged over each batch: D wants D(x) near 1, D(G(z)) near 0.
    """
    real_loss = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real_loss + fake_loss


def generator_loss(fake_logits):
    """G's non-saturating loss −log D(G(z)): cross-entropy with the fakes labelled real (lab 04)."""
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


def saturating_generator_loss(fake_logits):
    """G's original minimax loss log(1 − D(G(z))), which G minimises; its gradient vanishes when D wins (lab 04)."""
    return -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))


def train_step(G, D, opt_g, opt_d, real, z, amp: bool = False) -> dict:
    """One round of the game: update D on a real and a fake batch, then G through D's verdict (lab 04).

    With ``amp`` the players run in bf16 (``config.autocast``; ``train_gan`` turns it on on a recent GPU).
    """
    # (1) The discriminator: maximise log D(x) + log(1 - D(G(z)))
    with config.autocast(real.device, amp):
        fake = G(z)
        real_logits = D(real).float()  # float() changes nothing without amp: the losses are float32 either way
        fake_logits = D(fake.detach()).float()  # detach: this update must not change G
    loss_d = discriminator_loss(real_logits, fake_logits)
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    # (2) The generator: maximise log D(G(z)), asking the freshly updated D
    with config.autocast(real.device, amp):
        fake_logits_after = D(fake).float()
    loss_g = generator_loss(fake_logits_after)
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    return {"loss_d": loss_d.item(), "loss_g": loss_g.item(),
            "d_real": torch.sigmoid(real_logits).mean().item(),  # D(x): D's belief that real faces are real
            "d_fake": torch.sigmoid(fake_logits).mean().item(),  # D(G(z)) before D's update
            "d_fake_after": torch.sigmoid(fake_logits_after).mean().item(),  # ... and after it
            "acc_real": (real_logits > 0).float().mean().item(),  # share of real faces D calls real
            "acc_fake": (fake_logits < 0).float().mean().item()}  # share of fakes D calls fake


def generator_step(G, D, opt_g, z, amp: bool = False) -> float:
    """One extra update of G alone against the current D; returns G's loss (lab 04)."""
    with config.autocast(z.device, amp):
        logits = D(G(z)).float()
    loss_g = generator_loss(logits)
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    return loss_g.item()


HISTORY_KEYS = ("loss_d", "loss_g", "d_real", "d_fake", "d_fake_after", "acc_real", "acc_fake")


# ----------------------------------------------------------------------------------------------------
# Data and noise

def training_images(s: GANSettings) -> np.ndarray:
    """The real faces a run trains on: ``datasets.load_synthetic_faces(n_train, size, data_seed)`` (lab 04)."""
    images = datasets.load_synthetic_faces(s.n_train, s.size, seed=s.data_seed).images
    return images


def latent(n: int, seed: int = 0, dim: int = LATENT) -> torch.Tensor:
    """``n`` noise vectors z ~ N(0, I) of length ``dim``, the same on every device for a seed (lab 04)."""
    n = check_scalar(n, "n", int, min_val=1, max_val=10_000_000, fn="latent")
    dim = check_scalar(dim, "dim", int, min_val=1, max_val=100_000, fn="latent")
    gen = torch.Generator().manual_seed(check_seed(seed, "latent: seed"))
    return torch.randn(n, dim, generator=gen)


def _device_of(model) -> torch.device:
    return next(model.parameters()).device


def _check_generator(G, fn: str) -> "Generator":
    return check_object(G, "G", Generator, "gan.build(s)[0], a run's run.G or gan.pretrained_run().G", fn)


def _check_z(G, z, fn: str = "generate") -> torch.Tensor:
    if isinstance(z, np.ndarray) and np.issubdtype(z.dtype, np.number):
        z = torch.from_numpy(z)
    if not isinstance(z, torch.Tensor):
        raise ValueError(f"{fn}: z must be a tensor N×{G.latent} (use gan.latent(n, seed)), got {type(z).__name__}")
    if z.ndim == 1:
        raise ValueError(f"{fn}: z must be a batch N×{G.latent}; for one vector use z[None]")
    if z.ndim != 2 or z.shape[1] != G.latent:
        raise ValueError(f"{fn}: z must have shape N×{G.latent} for this generator, got {tuple(z.shape)}")
    if z.is_complex() or z.dtype == torch.bool:
        raise ValueError(f"{fn}: z must hold real numbers (use gan.latent(n, seed)), got dtype {z.dtype}")
    z = z.float()
    if not torch.isfinite(z).all():
        raise ValueError(f"{fn}: z contains NaN or infinite values; check the step that produced it")
    return z


def generate(G, z, batch: int = 256) -> np.ndarray:
    """Images N×H×W×3 in [0, 1] that G draws for noise ``z`` (N×latent), with batch norm in eval mode (lab 04).

    Eval mode uses the running statistics, so each face depends on its own z only, not on the batch.
    """
    _check_generator(G, "generate")
    z = _check_z(G, z)
    batch = check_scalar(batch, "batch", int, min_val=1, max_val=65536, fn="generate")
    return _generate(G, z, batch)


def _generate(G, z: torch.Tensor, batch: int = 256) -> np.ndarray:
    dev = _device_of(G)
    out = []
    with evaluating(G):
        for a in range(0, len(z), batch):
            x = G(z[a:a + batch].to(dev))
            if not torch.isfinite(x).all():
                raise ValueError("generate: G drew NaN or infinite pixels: its weights have diverged in training; "
                                 "train again with a lower learning rate (lr_g, lr_d)")
            out.append(to_image(x, tanh=True))  # G's tanh output in [-1, 1] to images in [0, 1]
    return np.concatenate(out) if out else np.zeros((0, G.size, G.size, 3), np.float32)


def sample(G, n: int, seed: int = 0) -> np.ndarray:
    """``n`` faces from G for the noise of ``seed``: ``generate(G, latent(n, seed))`` (lab 04)."""
    _check_generator(G, "sample")
    return _generate(G, latent(n, seed, G.latent))


def interpolate(z0, z1, steps: int = 8, spherical: bool = True) -> torch.Tensor:
    """``steps`` codes from z0 to z1 (both ends included): along the sphere (slerp) or a straight line (lab 04).

    A Gaussian z of 100 numbers has a length close to 10; the straight line's midpoint is shorter (about
    7 for two independent codes), where G has rarely been, so slerp (White 2016) is the default.
    """
    steps = check_scalar(steps, "steps", int, min_val=2, max_val=100_000, fn="interpolate")  # at least the two ends
    return mix(z0, z1, torch.linspace(0, 1, steps), spherical)


def mix(z0, z1, t, spherical: bool = True) -> torch.Tensor:
    """The code a fraction ``t`` (a number or a 1-D tensor of them) of the way from z0 to z1 (lab 04)."""
    z0 = torch.from_numpy(check_finite(z0, "z0", "mix").astype(np.float32))
    z1 = torch.from_numpy(check_finite(z1, "z1", "mix").astype(np.float32))
    if z0.shape != z1.shape or z0.ndim != 1 or not len(z0):
        raise ValueError(f"interpolate: z0 and z1 must be two vectors of the same length (e.g. z[0], z[1]), "
                         f"got shapes {tuple(z0.shape)} and {tuple(z1.shape)}")
    if isinstance(t, (bool, np.bool_, str)):
        raise ValueError(f"mix: t must be a number in [0, 1] (or a 1-D tensor of them), got {t!r}")
    t = check_finite(t, "t", "mix")
    if t.ndim > 1 or t.size == 0 or t.min() < 0 or t.max() > 1:
        raise ValueError(f"mix: t must be a number in [0, 1] (or a 1-D tensor of them): 0 = z0, 1 = z1; got {t!r}")
    t = torch.from_numpy(t.astype(np.float32)).reshape(-1, 1)
    cos = torch.dot(z0, z1) / (z0.norm() * z1.norm()).clamp_min(1e-12)
    omega = torch.arccos(cos.clamp(-1, 1))
    if not spherical or omega < 1e-4:  # (nearly) the same direction: slerp is the straight line
        return (1 - t) * z0 + t * z1
    return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)


# ----------------------------------------------------------------------------------------------------
# Training

@dataclass
class GANRun:
    """A trained (or loaded) DCGAN: both players, its settings, and what happened during training (lab 04).

    ``history`` maps each key of ``HISTORY_KEYS`` (and "step") to one value per step; ``previews`` is a list
    of (step, images) with G's faces for the fixed noise ``fixed_z`` at that step. ``device`` is where the
    players are; a loaded run keeps the device it was trained on in ``meta["trained_on"]``.
    """

    G: Generator
    D: Discriminator
    settings: GANSettings
    history: dict = field(default_factory=dict)
    previews: list = field(default_factory=list)
    train_s: float = 0.0
    device: str = "cpu"
    meta: dict = field(default_factory=dict)
    G_trained: Generator | None = None  # with ``settings.ema``: the G the game updated (run.G is its average)

    @property
    def fixed_z(self) -> torch.Tensor:
        """The fixed noise whose faces the previews show (lab 04)."""
        return fixed_noise(self.settings)

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """``n`` faces from this run's generator (lab 04)."""
        return sample(self.G, n, seed)


def fixed_noise(s: GANSettings, n: int = 16) -> torch.Tensor:
    """The fixed noise a run previews: the same 16 codes at every step, so changes are G's alone (lab 04)."""
    check_object(s, "s", GANSettings, "gan.settings()", "fixed_noise")
    return latent(n, seed=10_000 + s.seed, dim=s.latent)


def _batches(n: int, batch: int, gen: torch.Generator):
    """Endless mini-batch indices: a fresh shuffle every epoch, dropping the incomplete last batch."""
    while True:
        order = torch.randperm(n, generator=gen)
        for a in range(0, n - batch + 1, batch):
            yield order[a:a + batch]


def _real_bytes(s: GANSettings, images=None) -> torch.Tensor:
    """The training faces as a uint8 tensor N×3×H×W (a quarter of float32's memory), checked against ``s``."""
    if not isinstance(s, GANSettings):
        raise ValueError(f"train_gan: expected GANSettings (from gan.settings()), got {type(s).__name__}")
    images = check_images(training_images(s) if images is None else images, "train_gan: images")
    if images.shape[1:3] != (s.size, s.size):
        raise ValueError(f"train_gan: images are {images.shape[1]}×{images.shape[2]} but the settings say "
                         f"size={s.size}; render them at that size or change the setting")
    if len(images) < s.batch:
        raise ValueError(f"train_gan: {len(images)} images are fewer than one batch ({s.batch})")
    return torch.from_numpy(to_uint8(images)).permute(0, 3, 1, 2)


def _average_into(avg: Generator, G: Generator, decay: float) -> None:
    """One step of the moving average of G's weights: avg ← decay·avg + (1 − decay)·G."""
    with torch.no_grad():
        for a, p in zip(avg.parameters(), G.parameters()):
            a.lerp_(p.detach(), 1 - decay)


def _measure_batch_norm(G: Generator, s: GANSettings, batches: int = 16) -> Generator:
    """Re-measure an averaged G's batch-norm statistics on fresh noise (its weights never ran in the game)."""
    norms = [m for m in G.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a plain average over the batches below
    gen = torch.Generator().manual_seed(s.seed + 1)  # its own noise: the run's stream is untouched
    G.train()
    with torch.no_grad():
        for _ in range(batches):
            G(torch.randn(s.batch, s.latent, generator=gen).to(_device_of(G)))
    for m in norms:
        m.momentum = 0.1
    return G.eval()


def _annealing(s: GANSettings):
    """The learning-rate factor after i steps: 1, then falling linearly to 0 over the last ``s.anneal`` of them."""
    ramp = max(1, int(round(s.anneal * s.steps)))
    return lambda i: min(1.0, (s.steps - i) / ramp)


def train_gan(s: GANSettings | None = None, images=None, device: str | None = None, callback=None,
              progress: bool = True, checkpoint=None, G=None, D=None, amp: bool | None = None) -> GANRun:
    """Train a DCGAN: ``s.steps`` rounds of ``train_step`` on real faces, recording the game (lab 04).

    ``images`` (N×H×W×3 in [0, 1]) default to ``training_images(s)``. Every ``s.every`` steps (and at the
    end) G draws the fixed noise, and ``callback(step, history, preview)`` is called with the history so far
    and those faces, so a notebook can plot live. With ``checkpoint`` (a path) the run is saved there
    through ``course_lib.checkpoints`` at every preview and at the end. ``G``/``D`` continue from given players.
    ``amp`` (default: on a recent CUDA GPU only, ``config.mixed_precision``) trains in bf16 and channels_last.
    With ``s.ema`` > 0 a moving average of G's weights (decay ``s.ema``, shorter while the run is young) is kept
    beside the game; at the end ``run.G`` is that average, with its batch-norm statistics re-measured, and
    ``run.G_trained`` the G the game updated. The previews show the game's G.
    """
    import copy

    from tqdm.auto import tqdm

    s = settings() if s is None else s
    device = str(device or config.device())
    data = _real_bytes(s, images)  # real faces, N×3×H×W, one byte per value
    if callback is not None and not callable(callback):
        raise ValueError("train_gan: callback must be a function (step, history, preview), "
                         f"got {type(callback).__name__}")
    if (G is None) != (D is None):
        raise ValueError("train_gan: give both players G and D (from a run: run.G, run.D) to continue, or neither")
    if G is None:
        G, D = build(s)
    else:
        _check_generator(G, "train_gan")
        check_object(D, "D", Discriminator, "gan.build(s)[1] or a run's run.D", "train_gan")
        if (G.latent, G.size) != (s.latent, s.size):
            raise ValueError(f"train_gan: G draws {G.size}×{G.size} faces from {G.latent} numbers but the settings "
                             f"say size={s.size}, latent={s.latent}; continue with the run's own settings")
    G, D = G.to(device).train(), D.to(device).train()
    amp = config.mixed_precision(device, amp)
    G, D = config.channels_last(G, amp), config.channels_last(D, amp)
    G_avg = copy.deepcopy(G).requires_grad_(False) if s.ema else None
    opt_g = torch.optim.Adam(G.parameters(), lr=s.lr_g, betas=(s.beta1, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=s.lr_d, betas=(s.beta1, 0.999))
    scheds = [torch.optim.lr_scheduler.LambdaLR(opt, _annealing(s)) for opt in (opt_g, opt_d)]
    gen = torch.Generator().manual_seed(s.seed)  # noise and batch order, the same on every device
    batches = _batches(len(data), s.batch, gen)
    fixed_z = fixed_noise(s)
    run = GANRun(G, D, s, {k: [] for k in ("step",) + HISTORY_KEYS}, [], 0.0, device)
    start, plotting = time.perf_counter(), 0.0
    for step in tqdm(range(1, s.steps + 1), desc="training the GAN", disable=not progress):
        real = data[next(batches)].to(device).float() / 127.5 - 1  # bytes → [-1, 1], the range of G's tanh
        real = config.channels_last(real, amp)
        z = torch.randn(s.batch, s.latent, generator=gen).to(device)
        stats = train_step(G, D, opt_g, opt_d, real, z, amp)
        for _ in range(s.g_steps - 1):  # a generator stronger than DCGAN's: extra updates against this D
            generator_step(G, D, opt_g, torch.randn(s.batch, s.latent, generator=gen).to(device), amp)
        for sched in scheds:
            sched.step()
        if G_avg is not None:  # a young run's average forgets its start faster: below ~1,000 steps the cap
            # (1 + step) / (10 + step) is what sets the decay (measured: ema 0.99, 0.995, 0.999 alike at 400 steps)
            _average_into(G_avg, G, min(s.ema, (1 + step) / (10 + step)))
        run.history["step"].append(step)
        for k in HISTORY_KEYS:
            run.history[k].append(stats[k])
        if step % s.every == 0 or step == s.steps:
            run.previews.append((step, _generate(G, fixed_z)))
            run.train_s = time.perf_counter() - start - plotting
            if checkpoint is not None:
                save_run(checkpoint, run)
            if callback is not None:
                t0 = time.perf_counter()
                callback(step, run.history, run.previews[-1][1])
                plotting += time.perf_counter() - t0  # the notebook's plotting is not training time
    G.eval()
    D.eval()
    if G_avg is not None:
        run.G, run.G_trained = _measure_batch_norm(G_avg, s), G
    run.train_s = time.perf_counter() - start - plotting
    if checkpoint is not None:
        save_run(checkpoint, run)
    return run


# ----------------------------------------------------------------------------------------------------
# Checkpoints (through course_lib.checkpoints: atomic, sha256-verified, weights_only=True)

KIND = "dcgan"


def run_state(run: GANRun) -> tuple[dict, dict]:
    """A run as (state_dict, meta) for ``checkpoints.save``: both players, previews as bytes, the history (lab 04)."""
    state = {f"G.{k}": v for k, v in run.G.state_dict().items()}
    state.update({f"D.{k}": v for k, v in run.D.state_dict().items()})
    if run.previews:
        state["previews"] = torch.from_numpy(np.stack([to_uint8(p) for _, p in run.previews]))
    meta = {**{k: v for k, v in run.meta.items() if k != "trained_on"}, "kind": KIND,
            "settings": run.settings.to_dict(), "history": run.history,
            "preview_steps": [int(step) for step, _ in run.previews], "train_s": float(run.train_s),
            "device": str(run.meta.get("trained_on", run.device))}
    return state, meta


def run_from_state(state: dict, meta: dict, device: str | None = None) -> GANRun:
    """Rebuild a ``GANRun`` from ``run_state``'s (state_dict, meta), e.g. a loaded checkpoint (lab 04)."""
    if meta.get("kind") != KIND:
        raise checkpoints.CheckpointError(f"this checkpoint holds a {meta.get('kind', 'different')!r} model, "
                                          "not a DCGAN; load it with the lab that made it")
    s = GANSettings(**meta["settings"])
    G, D = build(s)
    G.load_state_dict({k[2:]: v for k, v in state.items() if k.startswith("G.")})
    D.load_state_dict({k[2:]: v for k, v in state.items() if k.startswith("D.")})
    previews = []
    if "previews" in state:
        arr = state["previews"].numpy().astype(np.float32) / 255.0
        previews = list(zip(meta.get("preview_steps", []), arr))
    device = str(device or config.device())
    extra = {k: v for k, v in meta.items()
             if k not in ("kind", "settings", "history", "preview_steps", "train_s", "device")}
    extra["trained_on"] = str(meta.get("device", "cpu"))  # run.device is where the players are now
    return GANRun(G.to(device).eval(), D.to(device).eval(), s, dict(meta.get("history", {})), previews,
                  float(meta.get("train_s", 0.0)), device, extra)


def save_run(path, run: GANRun, half: bool = False):
    """Save a run atomically with a .sha256 beside it, through ``course_lib.checkpoints`` (lab 04)."""
    if not isinstance(run, GANRun):
        raise ValueError(f"save_run: expected a GANRun (from gan.train_gan), got {type(run).__name__}")
    state, meta = run_state(run)
    return checkpoints.save(path, state, meta, half=half)


def load_run(path, device: str | None = None) -> GANRun:
    """Verify a saved run's checksum, load it with ``weights_only=True`` and rebuild it (lab 04)."""
    state, meta = checkpoints.load(path)
    if device is not None:
        checkpoints.check_device(device, "load_run: device")
    try:
        return run_from_state(state, meta, device)
    except checkpoints.CheckpointError:
        raise
    except Exception as exc:  # noqa: BLE001 - wrong shapes, missing settings or weights: one clear error
        reason = " ".join(str(exc).split())[:200]
        raise checkpoints.CheckpointError(
            f"{path} is a verified checkpoint but not a DCGAN run this library can rebuild "
            f"({type(exc).__name__}: {reason}); it was saved by another version of the course or holds another "
            "model: delete it and train the run again (gan.train_gan, then gan.save_run)") from None


# ----------------------------------------------------------------------------------------------------
# Measuring a generator with instruments it never saw (lab 04)

class Yardstick:
    """The judges and real reference faces lab 04 measures a generator with (lab 04).

    * **FD** (Fréchet distance, the formula of FID) between the generated and real faces, in the feature
      space of the *attribute judge* (its 128-number penultimate layer). That judge was trained on real
      renders only, to tell skin tones and hair colours apart, so its features describe exactly what a
      generator of this world must get right; 128 numbers are estimated well from a thousand faces
      (Inception's 2,048 need ten times more). ``fd_real_vs_real`` between two disjoint sets of real people
      of the same size is the floor: no generator can beat it.
    * **Attribute coverage**: the share of the 18 bins (3 skin-tone bands × 6 hair colours) present among
      the samples, a bin counting as present when it holds at least 1% of them (real faces: about 5.6%).
    * **Precision and recall** (Kynkäänniemi et al. 2019, k = 3) in the same features: the share of samples
      on the real faces' manifold (are they realistic?) and the share of real faces on the samples' manifold
      (do they cover the real variety?).
    * **Face rate**: the share of samples the face judge accepts. The judge learnt to reject non-faces and
      damaged faces (``judges.face_negatives``); ``damaged_rejection`` is the share of the second real set,
      damaged otherwise (``judges.damaged_faces``), that it rejects: a face rate means something only when
      that is high.

    Both judges get their batch-norm statistics re-measured on a third set of real faces (the face judge on
    them and their ``face_negatives``, as it trained) (``judges.recalibrate``), and ``judge_accuracy``
    reports how often each is right on the second real set: the instruments' own error, to read every
    measurement against.
    """

    def __init__(self, n: int | None = None, seed: int = 7, attributes=None, faces=None, mode: str | None = None):
        n = check_scalar(n, "n", int, min_val=10, max_val=100_000, allow_none=True, fn="Yardstick")
        self.mode = config.resolve_mode(mode)
        self.n = n or (200 if self.mode == "fast" else 1000)
        self.seed = check_seed(seed, "Yardstick: seed")
        self.attributes = attributes or judges.attribute_judge(64, mode=self.mode)  # the mode's judges unless given
        self.faces = faces or judges.face_judge(64, mode=self.mode)
        real_a = datasets.load_synthetic_faces(self.n, 64, seed=seed).images  # people no run trains on
        faces_b = datasets.load_synthetic_faces(self.n, 64, seed=seed + 1)
        real_b, people_b = faces_b.images, faces_b.identities()
        calibration = datasets.load_synthetic_faces(max(self.n, 200), 64, seed=seed + 2)
        judges.recalibrate(self.attributes, calibration.images)  # batch-norm statistics, exact (see recalibrate)
        judges.recalibrate(self.faces, np.concatenate([calibration.images,
                                                       judges.face_negatives(calibration, seed)]))
        # the instruments' own accuracy, on the second set of real people (and non-faces made from them)
        bins = np.array([judges.attribute_bin(p) for p in people_b])
        both = np.concatenate([real_b, datasets.non_faces(real_b, seed + 1)])
        self.judge_accuracy = {
            "attributes": float((self.attributes.predict(real_b) == bins).mean()),
            "faces": float((self.faces.predict(both) == np.repeat([1, 0], len(real_b))).mean())}
        damaged = judges.damaged_faces(faces_b, seed + 1)
        self.damaged_rejection = judges.damaged_rejection(damaged, self.faces)
        self.damaged_by_kind = judges.damaged_rejection(damaged, self.faces, by_kind=True)
        self.real = real_a
        self.real_features = judges.fd_features(real_a, self.attributes)
        self.real_shares = judges.attribute_shares(real_a, self.attributes)
        features_b = judges.fd_features(real_b, self.attributes)
        self.fd_real_vs_real = judges.frechet_distance(self.real_features, features_b)
        # what real faces reach: the precision and recall of a second real set
        self.real_precision_recall = judges.precision_recall(self.real_features, features_b, k=3)
        self.real_coverage = judges.attribute_coverage(real_a, self.attributes)
        self.real_face_rate = judges.face_rate(real_a, self.faces)

    def measure(self, images) -> dict:
        """FD, precision, recall, coverage (≥ 1% and ≥ 1 sample), bin distance and face rate of images (lab 04)."""
        imgs = check_images(images, "Yardstick.measure: images")
        shares = judges.attribute_shares(imgs, self.attributes)
        feats = judges.fd_features(imgs, self.attributes)
        precision, recall = judges.precision_recall(self.real_features, feats, k=3)
        return {"fd": judges.frechet_distance(feats, self.real_features), "precision": precision, "recall": recall,
                "attribute_coverage": float((shares >= 0.01).mean()),
                "coverage_any": float((shares > 0).mean()),
                "bins_tv": float(0.5 * np.abs(shares - self.real_shares).sum()),  # 0 = same mix as real, 1 = disjoint
                "largest_bin": float(shares.max()),
                "face_rate": judges.face_rate(imgs, self.faces),
                "shares": shares}

    def measure_generator(self, G, seed: int = 99) -> dict:
        """``measure`` on ``n`` fresh samples of G (lab 04)."""
        return self.measure(sample(G, self.n, check_seed(seed, "measure_generator: seed")))


def initial_generator(s: GANSettings) -> Generator:
    """The generator of a run before its first step (``build`` with the same seed) (lab 04)."""
    check_object(s, "s", GANSettings, "gan.settings() or run.settings", "initial_generator")
    return build(s)[0].eval()


def discriminator_accuracy(D, real, fake) -> tuple[float, float]:
    """D's accuracy on fresh real and fake faces, in the training mode it played in: (on real, on fake) (lab 04)."""
    import copy

    check_object(D, "D", nn.Module, "gan.build(s)[1] or a run's run.D", "discriminator_accuracy")
    real = check_images(real, "discriminator_accuracy: real")
    fake = check_images(fake, "discriminator_accuracy: fake")
    size = getattr(D, "size", real.shape[1])
    for name, imgs in (("real", real), ("fake", fake)):
        if imgs.shape[1:3] != (size, size) or not len(imgs):
            raise ValueError(f"discriminator_accuracy: {name} must be a non-empty batch of {size}×{size} faces, "
                             f"got shape {imgs.shape}")
    judge = copy.deepcopy(D).train()  # batch statistics, as in the game; a copy, so D's running stats stay
    dev = _device_of(judge)
    with torch.no_grad():
        to_t = lambda a: to_tensor(a, tanh=True, device=dev)  # noqa: E731 - D plays on [-1, 1] images
        real_logits = torch.cat([judge(to_t(real[a:a + 64])) for a in range(0, len(real), 64)])
        fake_logits = torch.cat([judge(to_t(fake[a:a + 64])) for a in range(0, len(fake), 64)])
    return float((real_logits > 0).float().mean()), float((fake_logits < 0).float().mean())


def fresh_detector_accuracy(real, fake, epochs: int = 3, seed: int = 0) -> float:
    """Train a new small CNN to tell real from generated faces on 80% of them; its accuracy on the rest (lab 04).

    The game's D chases a moving G; a detector trained afterwards on the final G shows whether its faces
    can really not be told apart (50%) or only fooled one particular, outdated D.
    """
    real = check_images(real, "fresh_detector_accuracy: real")
    fake = check_images(fake, "fresh_detector_accuracy: fake")
    if real.shape[1:] != fake.shape[1:]:
        raise ValueError(f"fresh_detector_accuracy: real {real.shape[1:]} and fake {fake.shape[1:]} differ in size")
    if len(real) < 5 or len(fake) < 5:
        raise ValueError(f"fresh_detector_accuracy: give at least 5 real and 5 fake faces, got {len(real)} and "
                         f"{len(fake)}")
    epochs = check_scalar(epochs, "epochs", int, min_val=1, max_val=1000, fn="fresh_detector_accuracy")
    seed = check_seed(seed, "fresh_detector_accuracy: seed")
    x = np.concatenate([real, fake])
    y = np.concatenate([np.ones(len(real), int), np.zeros(len(fake), int)])
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(y))
    k = max(2, len(y) // 5)
    test, train = idx[:k], idx[k:]
    with torch.random.fork_rng(devices=[]):
        net = judges.fit(judges.small_cnn(2, real.shape[1]), x[train], y[train], "classes", epochs, seed)
    judges.recalibrate(net, x[train])  # after a short training, batch norm's running averages lag: measure them
    with evaluating(net):
        pred = net(to_tensor(x[test])).argmax(1).numpy()
    return float((pred == y[test]).mean())


# ----------------------------------------------------------------------------------------------------
# The latent space: attribute directions found from the world's labels (lab 04)

ATTRIBUTES = ("skin tone", "hair lightness", "background brightness")


def attribute_scores(images, judge=None) -> dict:
    """Three numbers per face: skin tone and hair lightness read by the attribute judge, background from pixels (lab 04).

    * skin tone: the judge's expected tone band, 0 (light) to 1 (deep);
    * hair lightness: the judge's expected hair colour, scored by that colour's luma, 0 (black) to 1 (blonde);
    * background brightness: the mean luma of the two top corners (8% of the width square), 0 to 1.
    """
    from . import synth

    judge = judge or judges.attribute_judge(64)
    imgs = judges._judge_input(images, judge, "attribute_scores: images")
    p = judge.probabilities(imgs).reshape(len(imgs), len(judges.TONE_NAMES), len(synth.HAIR_COLORS))
    luma = np.array([0.299 * r + 0.587 * g + 0.114 * b for r, g, b in synth.HAIR_COLORS.values()])
    luma = (luma - luma.min()) / (luma.max() - luma.min())
    k = max(2, imgs.shape[1] * 8 // 100)
    corners = np.concatenate([imgs[:, :k, :k], imgs[:, :k, -k:]], axis=2)
    return {"skin tone": p.sum(2) @ np.linspace(0, 1, p.shape[1]),
            "hair lightness": p.sum(1) @ luma,
            "background brightness": (corners @ np.float32([0.299, 0.587, 0.114])).mean(axis=(1, 2))}


def attribute_directions(G, n: int = 2000, seed: int = 5, judge=None) -> dict:
    """For each of ``ATTRIBUTES``, the unit direction in z along which it grows, by least squares (lab 04).

    Draw ``n`` codes z, let G draw them, score each face (``attribute_scores``) and fit score ≈ w·z + b;
    the direction is w / |w| (the normal of the best linear predictor). Returns ``{name: tensor of length
    latent}``; ``directions["skin tone"] * 3`` added to a code makes its face's skin deeper.
    """
    _check_generator(G, "attribute_directions")
    n = check_scalar(n, "n", int, min_val=10, max_val=1_000_000, fn="attribute_directions")
    z = latent(n, seed, G.latent)
    scores = attribute_scores(_generate(G, z), judge)
    zc = (z - z.mean(0)).double().numpy()
    out = {}
    for name, y in scores.items():
        w, *_ = np.linalg.lstsq(zc, y - y.mean(), rcond=None)
        out[name] = torch.from_numpy(w / max(np.linalg.norm(w), 1e-12)).float()
    return out


def direction_effects(G, directions: dict, n: int = 200, step: float = 3.0, seed: int = 6, judge=None) -> dict:
    """How much each direction moves its own score: mean score at z + step·d minus at z − step·d (lab 04).

    Measured on ``n`` fresh codes (not those the directions were fitted on). Returns ``{name: (change,
    spread of the score among plain samples)}``, so a change can be read against the natural variation.
    """
    _check_generator(G, "direction_effects")
    directions = _check_directions(G, directions, "direction_effects")
    n = check_scalar(n, "n", int, min_val=2, max_val=1_000_000, fn="direction_effects")
    step = check_scalar(step, "step", float, min_val=-100.0, max_val=100.0, fn="direction_effects")
    z = latent(n, seed, G.latent)
    plain = attribute_scores(_generate(G, z), judge)
    out = {}
    for name, d in directions.items():
        up = attribute_scores(_generate(G, z + step * d), judge)[name]
        down = attribute_scores(_generate(G, z - step * d), judge)[name]
        out[name] = (float(np.mean(up - down)), float(np.std(plain[name])))
    return out


def edit(G, z, directions: dict, amounts: dict) -> np.ndarray:
    """Faces for codes z (N×latent) moved by ``amounts[name]`` along ``directions[name]`` (lab 04)."""
    _check_generator(G, "edit")
    z = _check_z(G, z, "edit").clone()
    directions = _check_directions(G, directions, "edit")
    if not isinstance(amounts, dict):
        raise ValueError(f"edit: amounts must be a dict {{direction name: amount}}, got {type(amounts).__name__}")
    unknown = set(amounts) - set(directions)
    if unknown:
        raise ValueError(f"edit: no direction for {sorted(unknown)}; known: {sorted(directions)}")
    for name, a in amounts.items():
        a = check_scalar(a, f"amounts[{name!r}]", float, min_val=-100.0, max_val=100.0, fn="edit")
        z = z + a * directions[name].to(z.dtype)
    return _generate(G, z)


def _check_directions(G, directions, fn: str) -> dict:
    if not isinstance(directions, dict):
        raise ValueError(f"{fn}: directions must be a dict {{name: vector}} (from gan.attribute_directions(G)), "
                         f"got {type(directions).__name__}")
    out = {}
    for name, d in directions.items():
        d = check_finite(d, f"directions[{name!r}]", fn).astype(np.float32)
        if d.shape != (G.latent,):
            raise ValueError(f"{fn}: directions[{name!r}] must be a vector of {G.latent} numbers, got shape {d.shape}")
        out[name] = torch.from_numpy(d)
    return out


# ----------------------------------------------------------------------------------------------------
# A run's report card: the numbers lab 04 and benchmarks/gan.py print

def measure_run(run: GANRun, yardstick: Yardstick | None = None, seed: int = 99, mode: str | None = None) -> dict:
    """FD at the end, at initialisation and between real sets; coverage; precision, recall; face rate; time (lab 04).

    Without a ``yardstick``, a ``Yardstick(mode=mode)`` measures. ``fd_ratio`` is the trained G's FD over the
    untrained G's, both against the same real faces; like every measure here it is read in the feature space of
    the ``judges`` mode's attribute judge with ``n_samples`` samples, so compare reports only when both agree
    (FAST mode's weaker judge and 200 samples put the shipped full-mode GAN at about half its full-mode ratio).
    """
    check_object(run, "run", GANRun, "gan.train_gan(s) or gan.pretrained_run()", "measure_run")
    if yardstick is not None:
        check_object(yardstick, "yardstick", Yardstick, "gan.Yardstick()", "measure_run")
    ys = yardstick or Yardstick(mode=mode)
    final = ys.measure_generator(run.G, seed)
    init = ys.measure_generator(initial_generator(run.settings).to(_device_of(run.G)), seed)
    return {"fd_final": round(final["fd"], 4), "fd_init": round(init["fd"], 4),
            "fd_real_vs_real": round(ys.fd_real_vs_real, 4),
            "fd_ratio": round(final["fd"] / init["fd"], 4),
            "attribute_coverage": round(final["attribute_coverage"], 4),
            "coverage_any": round(final["coverage_any"], 4),
            "bins_tv": round(final["bins_tv"], 4), "largest_bin": round(final["largest_bin"], 4),
            "precision": round(final["precision"], 4), "recall": round(final["recall"], 4),
            "face_rate": round(final["face_rate"], 4), "damaged_rejection": round(ys.damaged_rejection, 4),
            "damaged_rejection_by_kind": {k: round(v, 4) for k, v in ys.damaged_by_kind.items()},
            "real_precision": round(ys.real_precision_recall[0], 4),
            "real_recall": round(ys.real_precision_recall[1], 4),
            "real_face_rate": round(ys.real_face_rate, 4), "real_coverage": round(ys.real_coverage, 4),
            "judge_accuracy_attributes": round(ys.judge_accuracy["attributes"], 4),
            "judge_accuracy_faces": round(ys.judge_accuracy["faces"], 4),
            "judges": ys.mode, "n_samples": ys.n, "train_s": round(float(run.train_s), 2), "device": str(run.device),
            "steps": run.settings.steps, "size": run.settings.size}


def print_quality(report: dict) -> None:
    """Print precision, recall, face rate and the face judge's damaged-face rejection of a ``measure_run`` (lab 04)."""
    need = ("precision", "recall", "real_precision", "real_recall", "face_rate", "real_face_rate",
            "damaged_rejection")
    if not isinstance(report, dict) or any(k not in report for k in need):
        raise ValueError(f"print_quality: report must be what gan.measure_run returns (with {', '.join(need)}), "
                         f"got {type(report).__name__}")
    r = report
    print(f"precision:          {r['precision']:5.0%}   share of samples on the real faces' manifold "
          f"(other real faces: {r['real_precision']:.0%})")
    print(f"recall:             {r['recall']:5.0%}   share of real faces on the samples' manifold "
          f"(other real faces: {r['real_recall']:.0%})")
    print(f"face rate:          {r['face_rate']:5.0%}   samples the face judge accepts (real faces: "
          f"{r['real_face_rate']:.0%})")
    print(f"damaged rejection:  {r['damaged_rejection']:5.0%}   damaged real faces it rejects (blurred, eyes or "
          "mouth erased, halves mismatched)")
    if "damaged_rejection_by_kind" in r:
        print("  by kind: " + ", ".join(f"{k} {v:.0%}" for k, v in r["damaged_rejection_by_kind"].items()))
    if r["damaged_rejection"] < 0.9:
        print("  the face judge accepts many damaged faces: its face rate cannot show smeared samples")


# ----------------------------------------------------------------------------------------------------
# Watching the game

def smooth(values, window: int = 25) -> np.ndarray:
    """Moving average over ``window`` steps (shorter at the start), for noisy per-step curves (lab 04)."""
    window = check_scalar(window, "window", int, min_val=1, fn="smooth")
    v = check_finite(values, "values", "smooth").astype(np.float64).reshape(-1)
    if v.size == 0:
        return v
    c = np.cumsum(np.insert(v, 0, 0.0))
    idx = np.arange(1, len(v) + 1)
    lo = np.maximum(idx - window, 0)
    return (c[idx] - c[lo]) / (idx - lo)


def plot_game(history: dict, preview=None, window: int = 25, title: str | None = None):
    """Losses, D(x) and D(G(z)), and D's accuracy over the steps, beside G's faces for the fixed noise (lab 04).

    Dotted lines mark the game's theoretical equilibrium: D(x) = D(G(z)) = 0.5, accuracy 50%, D loss 2·ln 2.
    Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    from skimage.util import montage

    if not isinstance(history, dict):
        raise ValueError(f"plot_game: history must be a run's history dict (run.history), got {type(history).__name__}")
    window = check_scalar(window, "window", int, min_val=1, fn="plot_game")
    steps = np.asarray(history.get("step", []))
    ncols = 4 if preview is not None else 3
    fig, axes = plt.subplots(1, ncols, figsize=(4.0 * ncols, 3.2))
    panels = ((("loss_d", "D loss"), ("loss_g", "G loss")),
              (("d_real", "D(x), real"), ("d_fake", "D(G(z)), fake")),
              (("acc_real", "D's accuracy on real"), ("acc_fake", "D's accuracy on fake")))
    levels = (2 * np.log(2), 0.5, 0.5)
    for ax, panel, level, name in zip(axes, panels, levels, ("losses", "D's verdicts", "D's accuracy")):
        for key, label in panel:
            if len(history.get(key, [])):
                ax.plot(steps, smooth(history[key], window), label=label)
        ax.axhline(level, ls=":", c="grey", lw=1)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("step")
        ax.legend(fontsize=7)
    axes[1].set_ylim(0, 1)
    axes[2].set_ylim(0, 1.02)
    if preview is not None:
        grid = montage(preview, grid_shape=(-(-len(preview) // 4), 4), padding_width=2, fill=(1.0, 1.0, 1.0),
                       channel_axis=-1)
        axes[3].imshow(grid, interpolation="nearest")
        axes[3].axis("off")
        axes[3].set_title("G's faces for the fixed noise", fontsize=10)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def live_view(window: int = 25):
    """A ``train_gan`` callback that redraws ``plot_game`` in place in a notebook, as training goes (lab 04)."""
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    window = check_scalar(window, "window", int, min_val=1, fn="live_view")
    handle = display(display_id=True)  # None outside IPython: then the callback only draws

    def callback(step, history, preview):
        fig = plot_game(history, preview, window, title=f"step {step}")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=72)
        plt.close(fig)
        if handle is not None:
            handle.update(Image(buf.getvalue()))

    return callback


# ----------------------------------------------------------------------------------------------------
# Shipped models (python -m course_lib.pretrained build gan-fast|gan-full)

def _build_pretrained(mode: str) -> tuple[dict, dict]:
    from .config import machine_summary

    s = settings(mode, "cpu")
    run = train_gan(s, device="cpu", progress=True)
    keep = np.unique(np.linspace(0, len(run.previews) - 1, 6).round().astype(int))  # 6 previews of 8 faces ship
    run.previews = [(step, faces[:8]) for step, faces in (run.previews[i] for i in keep)]
    run.meta["metrics"] = measure_run(run, mode=mode)  # measured with the judges of the run's own mode
    run.meta["machine"] = machine_summary()
    return run_state(run)


def build_pretrained_fast() -> tuple[dict, dict]:
    """Train the FAST-mode DCGAN that ships with the course: (state_dict, meta) (lab 04)."""
    return _build_pretrained("fast")


def build_pretrained_full() -> tuple[dict, dict]:
    """Train the full-mode (CPU) DCGAN that ships with the course: (state_dict, meta) (lab 04)."""
    return _build_pretrained("full")


def pretrained_run(mode: str | None = None, device: str | None = None) -> GANRun:
    """Load the shipped run for FAST or full mode (default from ``COURSE_FAST``), checksum verified (lab 04)."""
    from . import pretrained as shipped

    mode = config.resolve_mode(mode)
    state, meta = shipped.load(f"gan-{mode}")
    return run_from_state(state, meta, device)
