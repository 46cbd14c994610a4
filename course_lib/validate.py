"""The course's data conventions, checked at every public boundary (lab 00).

* **Image**: float32 RGB in [0, 1], shape H×W×3 (a batch is N×H×W×3). Models use NCHW tensors inside.
* **Mask**: float32 in [0, 1], shape H×W (1 inside the face).
* **Landmarks**: float32 (x, y) pixel coordinates, shape 68×2, in the iBUG-68 layout (see ``synth``).
* **Audio**: mono float32 in [-1, 1] at 16 kHz.
* **Video**: 25 frames per second, frames as a T×H×W×3 image batch, plus audio.

Each ``check_*`` returns the input converted where conversion is safe (a dtype), and otherwise raises a
``ValueError`` that says what was expected and how to convert what was given.
"""
from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16_000
FPS = 25
N_LANDMARKS = 68


def _describe(x) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return f"a {type(x).__name__} of shape {tuple(x.shape)} and dtype {x.dtype}"
    return f"a {type(x).__name__}"


def _as_array(x, name: str, kind: str = "image") -> np.ndarray:
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch tensor
        if kind == "image":
            raise ValueError(
                f"{name}: expected a NumPy image (H×W×3, float32 in [0, 1]) but got {_describe(x)}. "
                "Convert a model's NCHW tensor with course_lib.validate.to_image(tensor)."
            )
        raise ValueError(f"{name}: expected a NumPy array of {kind} but got {_describe(x)}. "
                         "Convert it with x.detach().cpu().numpy().")
    if not isinstance(x, np.ndarray):
        try:
            x = np.asarray(x)
        except Exception as exc:  # pragma: no cover - exotic inputs
            raise ValueError(f"{name}: expected an array, got {_describe(x)}") from exc
    return x


def _to_float01(x: np.ndarray, name: str) -> np.ndarray:
    if x.dtype == np.uint8:
        return x.astype(np.float32) / 255.0
    if x.dtype == bool:
        return x.astype(np.float32)
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(
            f"{name}: expected float32 values in [0, 1] (or uint8 0-255) but got dtype {x.dtype}. "
            "Convert with x.astype(np.float32) / 255 if it holds 0-255 values."
        )
    x = x.astype(np.float32, copy=False)
    if x.size:
        if not np.isfinite(x).all():
            raise ValueError(f"{name}: contains NaN or infinite values; check the step that produced it")
        lo, hi = float(x.min()), float(x.max())
        if lo < -1e-3 or hi > 1 + 1e-3:
            hint = (
                " It looks like 0-255 values: divide by 255." if hi > 1.5 and lo >= 0 else
                " It looks like [-1, 1] values (a tanh output): use (x + 1) / 2." if lo >= -1.001 and hi <= 1.001 else
                " Clip or rescale it into [0, 1]."
            )
            raise ValueError(f"{name}: values must lie in [0, 1] but range from {lo:.3g} to {hi:.3g}.{hint}")
        x = np.clip(x, 0.0, 1.0)
    return x


def check_image(img, name: str = "image") -> np.ndarray:
    """Validate one H×W×3 RGB image, returned as float32 in [0, 1] (lab 00)."""
    img = _as_array(img, name)
    if img.ndim == 2:
        raise ValueError(
            f"{name}: expected a colour image H×W×3 but got a grey H×W array {img.shape}. "
            "Stack it: np.dstack([img] * 3)."
        )
    if img.ndim == 3 and img.shape[0] == 3 and img.shape[-1] != 3:
        raise ValueError(
            f"{name}: expected H×W×3 (channels last) but got {img.shape}, which looks channels-first. "
            "Use img.transpose(1, 2, 0)."
        )
    if img.ndim == 3 and img.shape[-1] == 4:
        raise ValueError(f"{name}: got an RGBA image {img.shape}; drop the alpha channel with img[..., :3]")
    if img.ndim != 3 or img.shape[-1] != 3:
        raise ValueError(f"{name}: expected an H×W×3 RGB image but got {_describe(img)}")
    if min(img.shape[:2]) < 8:
        raise ValueError(f"{name}: image {img.shape[:2]} is too small; the course needs at least 8×8 pixels")
    return _to_float01(img, name)


def check_images(imgs, name: str = "images") -> np.ndarray:
    """Validate a batch N×H×W×3 of RGB images, returned as float32 in [0, 1] (lab 00)."""
    imgs = _as_array(imgs, name)
    if imgs.ndim == 3 and imgs.shape[-1] == 3:
        raise ValueError(
            f"{name}: expected a batch N×H×W×3 but got one image {imgs.shape}. Use img[None] to make a batch of one."
        )
    if imgs.ndim == 4 and imgs.shape[1] == 3 and imgs.shape[-1] != 3:
        raise ValueError(
            f"{name}: expected N×H×W×3 but got {imgs.shape}, which looks like NCHW. Use x.transpose(0, 2, 3, 1)."
        )
    if imgs.ndim != 4 or imgs.shape[-1] != 3:
        raise ValueError(f"{name}: expected a batch of RGB images N×H×W×3 but got {_describe(imgs)}")
    return _to_float01(imgs, name)


def check_mask(mask, shape: tuple[int, int] | None = None, name: str = "mask") -> np.ndarray:
    """Validate an H×W mask in [0, 1], returned as float32 (lab 02)."""
    mask = _as_array(mask, name, "mask values")
    if mask.ndim == 3 and mask.shape[-1] == 1:
        mask = mask[..., 0]
    if mask.ndim != 2:
        raise ValueError(f"{name}: expected an H×W mask but got {_describe(mask)}; take one channel with m[..., 0]")
    if shape is not None and tuple(mask.shape) != tuple(shape):
        raise ValueError(f"{name}: shape {mask.shape} does not match the image's {tuple(shape)}")
    return _to_float01(mask, name)


def check_landmarks(pts, n: int | None = N_LANDMARKS, name: str = "landmarks") -> np.ndarray:
    """Validate (x, y) landmark coordinates, n×2, returned as float32 (lab 02)."""
    pts = _as_array(pts, name, "landmark coordinates")
    if pts.ndim != 2 or pts.shape[1] != 2:
        hint = " It looks transposed: use pts.T." if pts.ndim == 2 and pts.shape[0] == 2 else ""
        raise ValueError(f"{name}: expected an n×2 array of (x, y) points but got {_describe(pts)}.{hint}")
    if n is not None and pts.shape[0] != n:
        raise ValueError(
            f"{name}: expected {n} points (the iBUG-68 layout) but got {pts.shape[0]}. "
            "See course_lib.synth.LANDMARK_GROUPS for the layout."
        )
    if not np.issubdtype(pts.dtype, np.number):
        raise ValueError(f"{name}: expected numbers, got dtype {pts.dtype}")
    pts = pts.astype(np.float32, copy=False)
    if not np.isfinite(pts).all():
        raise ValueError(f"{name}: contains NaN or infinite coordinates")
    return pts


def check_audio(audio, sr: int | None = SAMPLE_RATE, name: str = "audio") -> np.ndarray:
    """Validate mono float32 audio in [-1, 1]; ``sr`` must be the course's 16 kHz (lab 00)."""
    if sr is not None and int(sr) != SAMPLE_RATE:
        raise ValueError(
            f"{name}: the course works at {SAMPLE_RATE} Hz but got {sr} Hz. "
            "Resample with scipy.signal.resample_poly(audio, 16000, sr)."
        )
    audio = _as_array(audio, name, "audio samples")
    if audio.ndim == 2 and 1 in audio.shape:
        audio = audio.reshape(-1)
    if audio.ndim == 2:
        axis = 0 if audio.shape[0] < audio.shape[1] else 1  # channels are the short side
        raise ValueError(
            f"{name}: expected mono audio (one dimension) but got {audio.shape}; "
            f"average the channels: audio.mean(axis={axis})"
        )
    if audio.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D mono signal but got {_describe(audio)}")
    if audio.dtype == np.int16:
        return audio.astype(np.float32) / 32768.0
    if not np.issubdtype(audio.dtype, np.floating):
        raise ValueError(f"{name}: expected float32 samples in [-1, 1] (or int16) but got dtype {audio.dtype}")
    audio = audio.astype(np.float32, copy=False)
    if audio.size:
        if not np.isfinite(audio).all():
            raise ValueError(f"{name}: contains NaN or infinite samples")
        peak = float(np.abs(audio).max())
        if peak > 1.0 + 1e-3:
            raise ValueError(
                f"{name}: samples must lie in [-1, 1] but peak at {peak:.3g}. Normalise: audio / np.abs(audio).max()"
            )
    return audio


def check_seed(seed, name: str = "seed") -> int:
    """Validate a seed: a non-negative integer (lab 00)."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"{name}: expected a non-negative integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"{name}: expected a non-negative integer, got {seed}")
    return int(seed)


def to_tensor(imgs, device: str | None = None):
    """Images N×H×W×3 (or one H×W×3) in [0, 1] to a float32 NCHW torch tensor (lab 03)."""
    import torch

    arr = np.asarray(imgs)
    batch = check_images(arr[None] if arr.ndim == 3 else arr)
    t = torch.from_numpy(np.ascontiguousarray(batch.transpose(0, 3, 1, 2)))
    return t.to(device) if device else t


def to_image(tensor) -> np.ndarray:
    """A float NCHW (or CHW) tensor in [0, 1] back to N×H×W×3 (or H×W×3) NumPy images (lab 03)."""
    arr = tensor.detach().float().cpu().numpy() if hasattr(tensor, "detach") else np.asarray(tensor)
    if arr.ndim == 3:
        return np.clip(arr.transpose(1, 2, 0), 0, 1).astype(np.float32)
    if arr.ndim == 4:
        return np.clip(arr.transpose(0, 2, 3, 1), 0, 1).astype(np.float32)
    raise ValueError(f"to_image: expected a CHW or NCHW tensor but got shape {arr.shape}")
