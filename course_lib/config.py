"""Course-wide settings: FAST mode, parameters, device, seeds and the data cache.

Every lab starts from here (lab 00 introduces it):

* ``resolve_mode(mode)`` is "fast" or "full": an explicit ``mode`` wins; with none, FAST when ``COURSE_FAST=1``
  is set or when nbgrader is executing the notebook (``NBGRADER_EXECUTION`` is set by autograde and validate).
  Labs shrink their parameters cell then. The library reads these variables and writes none.
* ``device()`` picks cuda, then mps, then cpu; ``COURSE_DEVICE`` overrides. ``mixed_precision(device)`` says
  whether training there uses bf16 autocast (``autocast``) and ``channels_last``: on a recent CUDA GPU only.
* ``preset(mode, device)`` names the settings preset a mode and device get: "fast", "full-cpu" or "full-gpu".
* ``seed_everything(seed)`` makes a lab's results repeat exactly on the same machine.
* ``data_dir()`` is the cache for downloads, checkpoints and saved scores (``COURSE_DATA_DIR`` overrides).
* ``class_dir()`` is the room's shared folder of game sessions (``COURSE_CLASS_DIR``), or None when unset.
* ``machine_summary()`` names the machine a recorded timing or trained model comes from.
"""
from __future__ import annotations

import os
import platform
import random
import re
import sys
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}


def resolve_mode(mode: str | None = None) -> str:
    """"fast" or "full": ``mode`` when given, else FAST when ``COURSE_FAST=1`` or under nbgrader (lab 00).

    Labs and benchmarks resolve the mode once, at their entry point, and pass it down; the library never
    writes COURSE_FAST.
    """
    if mode is None:
        if os.environ.get("COURSE_FAST", "").strip().lower() in _TRUE or os.environ.get("NBGRADER_EXECUTION"):
            return "fast"
        return "full"
    if not isinstance(mode, str) or mode not in ("fast", "full"):
        raise ValueError(f"mode must be 'fast' or 'full' (or None, to read COURSE_FAST), got {mode!r}")
    return mode


def is_fast(mode: str | None = None) -> bool:
    """True in FAST mode: ``mode="fast"``, or with no mode ``COURSE_FAST=1`` or nbgrader (lab 00)."""
    return resolve_mode(mode) == "fast"


def params(*, fast: dict, full: dict, mode: str | None = None) -> dict:
    """Pick a lab's parameters cell values for FAST or full mode (lab 00)."""
    if set(fast) != set(full):
        missing = sorted(set(fast) ^ set(full))
        raise ValueError(f"params(): fast and full must set the same names; these differ: {missing}")
    return dict(fast if is_fast(mode) else full)


def is_colab() -> bool:
    """True when running inside Google Colab (lab 00)."""
    return "google.colab" in sys.modules


def device(prefer: str | None = None) -> str:
    """The torch device to use: ``COURSE_DEVICE``, else cuda, then mps, then cpu (lab 00)."""
    choice = (prefer or os.environ.get("COURSE_DEVICE", "")).strip().lower()
    import torch

    if choice:
        if choice not in {"cpu", "cuda", "mps"} and not re.fullmatch(r"cuda:\d+", choice):
            raise ValueError(f"COURSE_DEVICE={choice!r} is not a device; use cpu, cuda, cuda:N or mps")
        if choice.startswith("cuda") and not torch.cuda.is_available():
            raise RuntimeError(f"COURSE_DEVICE={choice!r} but torch sees no CUDA GPU; unset it or use cpu")
        if choice == "mps" and not _mps_available(torch):
            raise RuntimeError("COURSE_DEVICE=mps but this torch has no Apple GPU support; use cpu")
        return choice
    if torch.cuda.is_available():
        return "cuda"
    if _mps_available(torch):
        return "mps"
    return "cpu"


def preset(mode: str | None = None, device: str | None = None) -> str:
    """The settings preset for a mode and device: "fast", else "full-gpu" on CUDA and "full-cpu" elsewhere (lab 03).

    ``device`` None means ``config.device()``. An Apple GPU gets "full-cpu": the GPU presets are sized for CUDA.
    """
    if resolve_mode(mode) == "fast":
        return "fast"
    on = str(device or _default_device())
    return "full-gpu" if on.startswith("cuda") else "full-cpu"


_default_device = device  # preset's parameter is called device, as in swap.settings and gan.settings


def _mps_available(torch) -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def mixed_precision(device, enabled: bool | None = None) -> bool:
    """Whether training on ``device`` uses bf16 autocast and channels_last; ``enabled`` overrides (lab 03, lab 04).

    By default only on a CUDA GPU with native bf16 (Ampere or newer, not Colab's T4), so CPU training is unchanged.
    """
    if enabled is not None:
        if not isinstance(enabled, bool):
            raise ValueError(f"amp must be True, False or None (None: on a recent CUDA GPU only), got {enabled!r}")
        return enabled
    import torch

    dev = torch.device(device)
    return dev.type == "cuda" and torch.cuda.get_device_capability(dev)[0] >= 8


def autocast(device, on: bool):
    """bf16 autocast on ``device``'s kind when ``on``, else a context that changes nothing (lab 03, lab 04)."""
    import contextlib

    import torch

    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16) if on else contextlib.nullcontext()


def channels_last(x, on: bool):
    """Tensor or module ``x`` in channels_last layout when ``on`` (faster GPU convolutions), else x (lab 03, lab 04)."""
    import torch

    return x.to(memory_format=torch.channels_last) if on else x


def seed_everything(seed: int = 0) -> int:
    """Seed Python, NumPy and torch so a lab repeats exactly on the same machine (lab 00).

    It writes no environment variable. Python's string hashing (``PYTHONHASHSEED``) is fixed when the
    interpreter starts, and exact CUDA matrix products need ``CUBLAS_WORKSPACE_CONFIG=:4096:8`` set before the
    kernel starts; without it torch warns (``warn_only=True``) instead of failing.
    """
    import numpy as np

    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        import torch
    except ImportError:  # torch is a dependency, but seeding should not be the place that says so
        return seed
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    if hasattr(torch.backends, "cudnn"):
        torch.backends.cudnn.benchmark = False
    return seed


def data_dir(create: bool = True) -> Path:
    """The course's cache folder: ``COURSE_DATA_DIR``, else the user's cache folder (lab 00)."""
    env = os.environ.get("COURSE_DATA_DIR")
    if env:
        path = Path(env).expanduser()
    else:
        from platformdirs import user_cache_dir

        path = Path(user_cache_dir("deepfake-lab", appauthor=False))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def class_dir() -> Path | None:
    """The class folder every learner's game sessions are also saved to: ``COURSE_CLASS_DIR``, or None (lab 01)."""
    env = os.environ.get("COURSE_CLASS_DIR", "").strip()
    return Path(env).expanduser() if env else None


def torch_threads() -> int:
    """Number of CPU threads torch uses; ``COURSE_THREADS`` overrides (lab 00)."""
    import torch

    n = os.environ.get("COURSE_THREADS")
    if n:
        torch.set_num_threads(max(1, int(n)))
    return torch.get_num_threads()


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what platform knows (lab 00)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_summary() -> str:
    """One line naming the CPU, cores, torch threads and version, and any GPU, for recorded timings (lab 03, lab 04)."""
    import torch

    gpu = (f", GPU {torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda})"
           if torch.cuda.is_available() else "")
    return (f"{cpu_model()}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads, "
            f"torch {torch.__version__}{gpu}")
