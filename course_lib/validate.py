"""The course's data conventions, checked at every public boundary (lab 00).

* **Image**: float32 RGB in [0, 1], shape H×W×3 (a batch is N×H×W×3). Models use NCHW tensors inside.
* **Mask**: float32 in [0, 1], shape H×W (1 inside the face).
* **Landmarks**: float32 (x, y) pixel coordinates, shape 68×2, in the iBUG-68 layout (see ``synth``).
* **Audio**: mono float32 in [-1, 1] at 16 kHz.
* **Video**: 25 frames per second, frames as a T×H×W×3 image batch, plus audio.

Each ``check_*`` returns the input converted where conversion is safe (a dtype), and otherwise raises a
``ValueError`` that says what was expected and how to convert what was given. ``check_scalar`` (in the spirit
of scikit-learn's) is the one checker for counts, sizes, seeds, rates and scales; ``to_tensor``/``to_image``
are the one image<->tensor conversion and ``evaluating`` the one "run a model for inference" context.
``Settings`` is the base of the frozen settings records (``swap.SwapSettings``, ``gan.GANSettings``), and
``replace_fields`` the one "copy a record with changes, refusing unknown names".
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import numbers

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
    sr = check_scalar(sr, "sr", int, min_val=1, allow_none=True, fn=name)
    if sr is not None and sr != SAMPLE_RATE:
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


def _where(name: str, fn: str | None) -> str:
    return f"{fn}: {name}" if fn else name


_BOUNDS = {"both": ("[", "]"), "left": ("[", ")"), "right": ("(", "]"), "neither": ("(", ")")}


def _expected(kind, min_val, max_val, include_boundaries: str) -> str:
    lo_b, hi_b = _BOUNDS[include_boundaries]
    what = "an integer" if kind is int else "a number"
    if min_val is not None and max_val is not None:
        if include_boundaries == "both":
            between = "from {:g} to {:g}" if kind is int else "between {:g} and {:g}"
            return f"{what} {between.format(min_val, max_val)}"
        return f"{what} in {lo_b}{min_val:g}, {max_val:g}{hi_b}"
    if min_val is not None:
        if kind is int and lo_b == "[" and min_val in (0, 1):
            return "a non-negative integer" if min_val == 0 else "a positive integer"
        return f"{what} {'of at least' if lo_b == '[' else 'above'} {min_val:g}"
    if max_val is not None:
        return f"{what} {'of at most' if hi_b == ']' else 'below'} {max_val:g}"
    return what


def check_scalar(x, name: str, kind: type = int, *, min_val=None, max_val=None, include_boundaries: str = "both",
                 allow_none: bool = False, fn: str | None = None):
    """Validate one number: its kind (``int`` or ``float``), finiteness and range; returns a plain int/float (lab 00).

    Refuses bools and strings (``"64"``, ``"64x64"``), NaN and infinity, and whole-number kinds given a fraction;
    the message names the argument (``fn: name``), what was given and what to give instead.
    """
    if include_boundaries not in _BOUNDS:
        raise ValueError(f"check_scalar: include_boundaries must be one of {sorted(_BOUNDS)}, got {include_boundaries!r}")
    where = _where(name, fn)
    expected = _expected(kind, min_val, max_val, include_boundaries)
    if x is None:
        if allow_none:
            return None
        raise ValueError(f"{where} must be {expected}, got None")
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        hint = " Give a number, not text." if isinstance(x, str) else ""
        if hasattr(x, "shape") and getattr(x, "shape", None) == () and not isinstance(x, (bool, np.bool_)):
            try:  # a 0-d array or tensor holding one number
                return check_scalar(x.item(), name, kind, min_val=min_val, max_val=max_val,
                                    include_boundaries=include_boundaries, allow_none=allow_none, fn=fn)
            except AttributeError:  # pragma: no cover - shape-only objects
                pass
        raise ValueError(f"{where} must be {expected}, got {x!r} (a {type(x).__name__}).{hint}")
    if not math.isfinite(float(x)):
        raise ValueError(f"{where} must be {expected}, got {x!r}; check the step that computed it")
    if kind is int:
        if not isinstance(x, numbers.Integral):
            hint = "int(x)" if float(x).is_integer() else "round(x)"
            raise ValueError(f"{where} must be {expected}, got the float {x!r}; convert it with {hint}")
        x = int(x)
    else:
        x = float(x)
    lo_b, hi_b = _BOUNDS[include_boundaries]
    below = min_val is not None and (x < min_val if lo_b == "[" else x <= min_val)
    above = max_val is not None and (x > max_val if hi_b == "]" else x >= max_val)
    if below or above:
        raise ValueError(f"{where} must be {expected}, got {x!r}")
    return x


def check_seed(seed, name: str = "seed") -> int:
    """Validate a seed: a non-negative integer (lab 00)."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{name}: expected a non-negative integer, got {seed!r} (a {type(seed).__name__}); "
                         "give a whole number such as 0 or 42")
    return int(seed)


def check_shape(shape, name: str = "shape", fn: str | None = None, *, min_val: int = 1,
                max_val: int = 8192) -> tuple[int, int]:
    """Validate an image size (height, width), e.g. ``img.shape[:2]`` or ``img.shape`` (lab 02)."""
    where = _where(name, fn)
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__") or not 2 <= len(shape) <= 3:
        raise ValueError(f"{where} must be (height, width) in pixels, e.g. img.shape[:2], got {shape!r}")
    if len(shape) == 3 and shape[2] not in (1, 3, 4):
        raise ValueError(f"{where} must be (height, width) or an image's (height, width, channels), got {shape!r}")
    return tuple(check_scalar(v, f"{name}[{i}]", int, min_val=min_val, max_val=max_val, fn=fn)
                 for i, v in enumerate(shape[:2]))


def check_object(x, name: str, cls, source: str, fn: str | None = None):
    """Validate that ``x`` is an object of ``cls`` (a class or a tuple of classes); say where to get one (lab 00)."""
    if isinstance(x, cls):
        return x
    what = cls.__name__ if isinstance(cls, type) else " or ".join(c.__name__ for c in cls)
    got = "None" if x is None else f"a {type(x).__name__}"
    raise ValueError(f"{_where(name, fn)}: give a {what} (from {source}), got {got}")


def check_callback(f, name: str, call: str, fn: str | None = None):
    """Validate an optional callback: None or a function, called as ``call`` says (lab 07)."""
    if f is not None and not callable(f):
        raise TypeError(f"{_where(name, fn)} must be a function called as {call}, or None; got {type(f).__name__}")
    return f


def check_finite(x, name: str, fn: str | None = None) -> np.ndarray:
    """Validate numbers (an array, tensor or list) that must all be finite; returns a NumPy array (lab 00)."""
    arr = x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{_where(name, fn)}: expected numbers, got {_describe(arr)}")
    if arr.size and not np.isfinite(arr).all():
        raise ValueError(f"{_where(name, fn)}: contains NaN or infinite values; check the step that produced it")
    return arr


def to_uint8(img) -> np.ndarray:
    """A [0, 1] float image or batch to uint8 0-255, clipping into range; NaN is refused (lab 01 onwards)."""
    arr = check_finite(img, "img", "to_uint8").astype(np.float32, copy=False)
    return (np.clip(arr, 0, 1) * 255 + 0.5).astype(np.uint8)


def to_tensor(images, *, tanh: bool = False, device=None):
    """Images N×H×W×3 (or one H×W×3) in [0, 1] to a float32 NCHW torch tensor; ``tanh`` maps to [-1, 1] (lab 03)."""
    import torch

    arr = _as_array(images, "to_tensor: images")
    batch = check_images(arr[None] if arr.ndim == 3 else arr, "to_tensor: images")
    t = torch.from_numpy(np.ascontiguousarray(batch.transpose(0, 3, 1, 2)))
    if tanh:
        t = t * 2 - 1
    return t.to(device) if device is not None else t


def to_image(tensor, *, tanh: bool = False) -> np.ndarray:
    """An NCHW (or CHW) tensor back to N×H×W×3 (or H×W×3) float32 images in [0, 1] (lab 03).

    ``tanh=True`` reads [-1, 1] values (a tanh output). Values outside the range are clipped; NaN is refused.
    """
    if hasattr(tensor, "detach"):
        arr = tensor.detach().float().cpu().numpy()
    else:
        arr = np.asarray(tensor)
        if not np.issubdtype(arr.dtype, np.number):
            raise ValueError(f"to_image: tensor: expected a CHW or NCHW tensor of numbers, got {_describe(arr)}")
    if arr.ndim not in (3, 4):
        raise ValueError(f"to_image: tensor: expected a CHW or NCHW tensor but got shape {arr.shape}")
    if arr.shape[-3] != 3:
        hint = (" It is already an H×W×3 image (channels last): use it as it is, or to_tensor(...) first."
                if arr.shape[-1] == 3 else "")
        raise ValueError(f"to_image: tensor: expected 3 colour channels first (CHW or NCHW), got shape {arr.shape}.{hint}")
    arr = check_finite(arr, "tensor", "to_image").astype(np.float32, copy=False)
    if tanh:
        arr = (arr + 1) / 2
    axes = (1, 2, 0) if arr.ndim == 3 else (0, 2, 3, 1)
    return np.ascontiguousarray(np.clip(arr.transpose(axes), 0, 1), dtype=np.float32)


@contextlib.contextmanager
def evaluating(model):
    """Run ``model`` for inference: eval mode and no gradients, then its training flag back as it was (lab 03)."""
    import torch

    if not (hasattr(model, "training") and hasattr(model, "eval") and hasattr(model, "train")):
        raise ValueError(f"evaluating: model: give a torch model (an nn.Module), got {type(model).__name__}")
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield model
    finally:
        model.train(was_training)


def check_numbers(objects, fields_: dict, fn: str, what: str = "field") -> dict:
    """Gather numeric attributes of many objects into arrays, each checked finite and in its range (lab 00).

    ``fields_`` maps an attribute to ``(low, high, width)``: its closed range and how many numbers it holds
    (1 for a number, 3 for a colour). Returns ``{attribute: float32 array of shape (n,) or (n, width)}``.
    """
    out = {}
    for key, (lo, hi, width) in fields_.items():
        values = [getattr(o, key) for o in objects]
        if not values:
            out[key] = np.zeros((0,) if width == 1 else (0, width), np.float32)
            continue
        try:
            arr = np.asarray(values)
        except (TypeError, ValueError):  # ragged: some colours have the wrong length
            arr = np.empty(0, object)
        if arr.dtype.kind not in "iuf" or arr.shape != ((len(values),) if width == 1 else (len(values), width)):
            bad = next((v for v in values if not _is_numbers(v, width)), values[0])
            raise ValueError(f"{fn}: {what} {key} must be {_n_numbers(width)}, got {bad!r}")
        arr = arr.astype(np.float64)
        wrong = ~np.isfinite(arr) | (arr < lo) | (arr > hi)
        if wrong.any():
            i = int(np.argwhere(wrong.reshape(len(values), -1).any(axis=1))[0, 0])
            which = f" (face {i})" if len(values) > 1 else ""
            raise ValueError(f"{fn}: {what} {key} must lie in [{lo:g}, {hi:g}], got {values[i]!r}{which}")
        out[key] = arr.astype(np.float32)
    return out


def _n_numbers(width: int) -> str:
    return "a number" if width == 1 else f"{width} numbers (e.g. an RGB colour in [0, 1])"


def _is_numbers(v, width: int) -> bool:
    if width == 1:
        return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
    return (hasattr(v, "__len__") and not isinstance(v, str) and len(v) == width
            and all(_is_numbers(u, 1) for u in v))


def replace_fields(record, changes: dict, fn: str, what: str = "field"):
    """A copy of a dataclass ``record`` with ``changes``, refusing names it does not have (lab 00)."""
    names = [f.name for f in dataclasses.fields(record)]
    unknown = sorted(set(changes) - set(names))
    if unknown:
        raise ValueError(f"{fn}: unknown {what}s {unknown}; choose from {names}")
    return dataclasses.replace(record, **changes)


class Settings:
    """Base of the frozen settings records: ``replace`` refusing unknown names, and ``to_dict`` (lab 03)."""

    def replace(self, **changes):
        """A copy with some settings changed, e.g. ``s.replace(steps=300)``; unknown names are refused (lab 03)."""
        return replace_fields(self, changes, type(self).__name__, "setting")

    def to_dict(self) -> dict:
        """The settings as a plain dict (what checkpoints store) (lab 03)."""
        return dataclasses.asdict(self)
