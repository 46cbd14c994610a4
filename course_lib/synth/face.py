"""Rendering the synthetic world's faces, with their ground truth (lab 00).

A face is drawn from signed-distance shapes in a *canonical frame* (origin at the face centre, the face's
half-width about 1, y pointing down), posed in 3-D (yaw, pitch, roll), lit by a directional light and
anti-aliased. Every rendered face comes with its ground truth: 68 landmarks in the iBUG-68 layout (the
layout dlib and most landmark datasets use), a soft face mask, and every parameter that made it.

Layout of the 68 landmarks (indices, image left to right as seen by the viewer):

* 0-16 jaw line, from the face's right side (image left) over the chin (8) to its left side
* 17-21 right brow, 22-26 left brow (image left, then image right)
* 27-30 nose bridge, top to tip; 31-35 nose base, image left to right
* 36-41 right eye (image left), 42-47 left eye: corner, two upper-lid points, corner, two lower-lid points
* 48-59 outer lip (48 and 54 are the corners), 60-67 inner lip (60 and 64 are the corners)
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields

import numpy as np

from ..validate import check_numbers, check_object, check_scalar, check_seed, replace_fields
from .identity import Identity, check_identities

LANDMARK_GROUPS = {
    "jaw": range(0, 17),
    "right_brow": range(17, 22),
    "left_brow": range(22, 27),
    "nose_bridge": range(27, 31),
    "nose_base": range(31, 36),
    "right_eye": range(36, 42),
    "left_eye": range(42, 48),
    "outer_lip": range(48, 60),
    "inner_lip": range(60, 68),
}

# Canonical positions of the features (face half-width about 1, y down). Chosen from the classical
# facial thirds: brows, nose base and chin split the face into three roughly equal bands.
EYE_Y = -0.12
BROW_Y = -0.36
NOSE_TOP_Y = -0.08
NOSE_TIP_Y = 0.30
MOUTH_Y = 0.60
HEAD_DEPTH = 1.0
FACE_SCALE = 0.26  # canonical unit in pixels = FACE_SCALE * image size
FACE_CENTER_Y = 0.47  # face centre as a share of image height


@dataclass(frozen=True)
class FaceState:
    """What changes from frame to frame: pose, expression, light, framing and camera (lab 00)."""

    yaw: float = 0.0  # radians, + turns the face towards image right
    pitch: float = 0.0  # radians, + tilts the chin up
    roll: float = 0.0  # radians, + tilts the head clockwise in the image
    mouth_open: float = 0.0  # 0 closed .. 1 wide open (jaw drops too)
    smile: float = 0.0  # -1 rounded lips ("oo") .. 0 neutral .. 1 broad smile
    eye_open: float = 1.0  # 0 closed (a blink) .. 1 normal
    brow_raise: float = 0.0  # -1 frown .. 1 raised
    gaze_x: float = 0.0  # -1 .. 1, + looks towards image right
    gaze_y: float = 0.0  # -1 .. 1, + looks down
    light_azimuth: float = 0.5  # radians, + light from image right
    light_elevation: float = 0.5  # radians above the horizon
    exposure: float = 1.0  # overall brightness multiplier
    background: tuple = (0.55, 0.6, 0.65)  # top colour; the bottom is a darker shade
    tx: float = 0.0  # shift of the face centre, as a share of image size
    ty: float = 0.0
    scale: float = 1.0  # face size multiplier
    noise: float = 0.0  # standard deviation of Gaussian sensor noise
    jpeg_quality: int = 0  # 0 = no JPEG; else JPEG quality 1..100

    def to_dict(self) -> dict:
        """All fields as a dict (lab 00)."""
        return asdict(self)


NEUTRAL = FaceState()
STATE_FIELDS = tuple(f.name for f in fields(FaceState))

# The ranges a state's numbers may take (low, high, how many numbers): wide enough for every state
# ``random_states`` and the clips draw, and for a lab's exaggerations, but never NaN, infinite or absurd.
_HALF_PI = float(np.pi / 2)
STATE_RANGES = {
    "yaw": (-_HALF_PI, _HALF_PI, 1), "pitch": (-_HALF_PI, _HALF_PI, 1), "roll": (-float(np.pi), float(np.pi), 1),
    "mouth_open": (0.0, 1.5, 1), "smile": (-1.5, 1.5, 1), "eye_open": (0.0, 1.5, 1), "brow_raise": (-1.5, 1.5, 1),
    "gaze_x": (-2.0, 2.0, 1), "gaze_y": (-2.0, 2.0, 1), "light_azimuth": (-float(np.pi), float(np.pi), 1),
    "light_elevation": (-_HALF_PI, _HALF_PI, 1), "exposure": (0.05, 4.0, 1), "background": (0.0, 1.0, 3),
    "tx": (-1.0, 1.0, 1), "ty": (-1.0, 1.0, 1), "scale": (0.1, 4.0, 1), "noise": (0.0, 1.0, 1),
    "jpeg_quality": (0, 100, 1),
}


def random_states(n: int, seed: int = 0, *, pose: float = 1.0, expression: float = 1.0,
                  camera: bool = True, blink_share: float = 0.1) -> list[FaceState]:
    """``n`` random per-frame states: pose, expression, light, background and camera (lab 00).

    ``blink_share`` is the share of faces caught with their eyes (nearly) closed.
    """
    n = check_scalar(n, "n", int, min_val=0, max_val=1_000_000, fn="random_states")
    seed = check_seed(seed, "random_states: seed")
    pose = check_scalar(pose, "pose", float, min_val=0.0, max_val=2.0, fn="random_states")
    expression = check_scalar(expression, "expression", float, min_val=0.0, max_val=1.5, fn="random_states")
    blink_share = check_scalar(blink_share, "blink_share", float, min_val=0.0, max_val=1.0, fn="random_states")
    rng = np.random.default_rng([seed, 0x57A7E])
    bg = rng.uniform(0.15, 0.85, size=(n, 3)) * 0.6 + rng.uniform(0.2, 0.7, size=(n, 1)) * 0.4
    blink = rng.random(n) < blink_share
    states = []
    for i in range(n):
        states.append(FaceState(
            yaw=float(rng.normal(0, 0.18) * pose), pitch=float(rng.normal(0, 0.1) * pose),
            roll=float(rng.normal(0, 0.08) * pose),
            mouth_open=float(np.clip(rng.beta(0.8, 2.0), 0, 1) * expression),
            smile=float(np.clip(rng.normal(0.1, 0.45), -1, 1) * expression),
            eye_open=float(rng.uniform(0.0, 0.25) if blink[i] else rng.uniform(0.75, 1.1)),
            brow_raise=float(np.clip(rng.normal(0, 0.4), -1, 1) * expression),
            gaze_x=float(rng.normal(0, 0.3)), gaze_y=float(rng.normal(0, 0.2)),
            light_azimuth=float(rng.uniform(-0.9, 0.9)), light_elevation=float(rng.uniform(0.2, 0.9)),
            exposure=float(rng.uniform(0.85, 1.1)),
            background=tuple(float(v) for v in bg[i]),
            tx=float(rng.normal(0, 0.02)) if camera else 0.0, ty=float(rng.normal(0, 0.02)) if camera else 0.0,
            scale=float(rng.uniform(0.93, 1.07)) if camera else 1.0,
            noise=float(rng.uniform(0.0, 0.02)) if camera else 0.0,
            jpeg_quality=0,
        ))
    return states


@dataclass
class RenderedFaces:
    """Images N×H×W×3 in [0, 1], landmarks N×68×2 (x, y pixels), masks N×H×W (lab 00)."""

    images: np.ndarray
    landmarks: np.ndarray
    masks: np.ndarray

    def __len__(self) -> int:
        return len(self.images)


# ----------------------------------------------------------------------------------------------------
# Parameters as arrays: the renderer works on a whole batch at once.


def _stack(identities, states, fn: str) -> dict:
    """All parameters as arrays, each checked: finite and in its range (``FACE_RANGES``, ``STATE_RANGES``)."""
    p = check_identities(identities, fn)
    p["hair_style"] = np.array([i.hair_style for i in identities])
    p["glasses"] = np.array([i.glasses for i in identities], bool)
    p["beard"] = np.array([i.beard for i in identities], bool)
    p.update(check_numbers(states, STATE_RANGES, fn, "state field"))
    quality = p["jpeg_quality"]
    if (quality != np.round(quality)).any():
        raise ValueError(f"{fn}: state field jpeg_quality must be a whole number from 0 (no JPEG) to 100")
    p["jpeg_quality"] = quality.astype(np.int32)
    return p


def _geometry(p: dict, size: int) -> dict:
    """Per-face numbers the renderer and the landmarks share (all arrays of shape (N,))."""
    g = {}
    g["W"] = p["face_width"]
    g["Hu"] = p["face_height"]
    g["L"] = p["jaw_length"] + 0.12 * p["mouth_open"]  # the jaw drops as the mouth opens
    g["P"] = p["jaw_shape"]
    g["s"] = size * FACE_SCALE * p["scale"]
    g["cx"] = size * (0.5 + p["tx"])
    g["cy"] = size * (FACE_CENTER_Y + p["ty"])
    g["cos_r"], g["sin_r"] = np.cos(p["roll"]), np.sin(p["roll"])
    g["cos_y"], g["sin_y"] = np.cos(p["yaw"]), np.sin(p["yaw"])
    g["cos_p"], g["sin_p"] = np.cos(p["pitch"]), np.sin(p["pitch"])
    return g


def _depth(x, y, W):
    """Depth of the head surface at canonical (x, y): an ellipsoid."""
    return HEAD_DEPTH * np.sqrt(np.clip(1 - (x / (W * 1.08)) ** 2 - (y / 1.45) ** 2, 0.0, 1.0))


def _project(x, y, z, g):
    """Rotate canonical 3-D points by yaw and pitch; returns canonical 2-D (before roll)."""
    xp = x * g["cos_y"] + z * g["sin_y"]
    yp = y * g["cos_p"] - z * g["sin_p"]
    return xp, yp


def _foreshorten(x, y, g):
    """Horizontal and vertical shrink of a small patch at (x, y) as the head turns."""
    ax = np.arcsin(np.clip(x / (g["W"] * 1.1), -0.95, 0.95))
    ay = np.arcsin(np.clip(y / 1.5, -0.95, 0.95))
    fx = np.clip(np.cos(ax + np.arcsin(g["sin_y"])) / np.cos(ax), 0.3, 1.15)
    fy = np.clip(np.cos(ay - np.arcsin(g["sin_p"])) / np.cos(ay), 0.3, 1.15)
    return fx, fy


def _to_pixels(x, y, g):
    """Canonical 2-D (after yaw/pitch) to pixel coordinates: roll, scale, shift."""
    X = g["cx"] + g["s"] * (g["cos_r"] * x - g["sin_r"] * y)
    Y = g["cy"] + g["s"] * (g["sin_r"] * x + g["cos_r"] * y)
    return X, Y


def _features(p: dict, g: dict) -> dict:
    """Projected centres and sizes of eyes, brows, nose and mouth, per face."""
    f = {}
    W = g["W"]
    for side, sign in (("r", -1.0), ("l", 1.0)):
        ex = sign * p["eye_spacing"]
        xp, yp = _project(ex, np.full_like(ex, EYE_Y), _depth(ex, EYE_Y, W) * 0.92, g)
        fx, fy = _foreshorten(ex, EYE_Y, g)
        f[f"eye_{side}"] = (xp, yp, fx, fy)
        bx = sign * (p["eye_spacing"] + 0.03)
        by = BROW_Y - 0.08 * p["brow_raise"]
        xp, yp = _project(bx, by, _depth(bx, by, W) * 0.97, g)
        fx, fy = _foreshorten(bx, by, g)
        f[f"brow_{side}"] = (xp, yp, fx, fy)
    tip_y = NOSE_TIP_Y * p["nose_length"]
    f["nose_top"] = _project(np.zeros_like(W), np.full_like(W, NOSE_TOP_Y), np.full_like(W, HEAD_DEPTH * 1.02), g)
    f["nose_tip"] = _project(np.zeros_like(W), tip_y, np.full_like(W, HEAD_DEPTH * 1.22), g)
    f["nose_base"] = _project(np.zeros_like(W), tip_y + 0.05, np.full_like(W, HEAD_DEPTH * 1.05), g)
    f["nose_fx"], _ = _foreshorten(np.zeros_like(W), tip_y, g)
    my = MOUTH_Y + 0.03 * p["mouth_open"]
    mx, myp = _project(np.zeros_like(W), my, _depth(0.0, my, W) * 0.98, g)
    fx, fy = _foreshorten(np.zeros_like(W), my, g)
    f["mouth"] = (mx, myp, fx, fy)
    return f


def _mouth_shape(p):
    """Half-width, smile bend, lip thicknesses and the gap between the lips (canonical units)."""
    smile = p["smile"]
    hw = p["lip_width"] * (1 + 0.18 * np.clip(smile, 0, 1) + 0.3 * np.clip(smile, -1, 0))
    bend = 0.07 * smile  # corners rise as the face smiles
    t_up = p["lip_thickness"] * (1 - 0.25 * np.clip(smile, 0, 1) - 0.35 * np.clip(smile, -1, 0))
    t_lo = t_up * 1.3
    gap = 0.2 * p["mouth_open"]
    return hw, bend, t_up, t_lo, gap


def _lip_curves(u, p_shape):
    """Vertical offsets (relative to the mouth centre) of the four lip curves at normalised x ``u``."""
    hw, bend, t_up, t_lo, gap = p_shape
    base = -bend * u * u
    w = np.sqrt(np.clip(1 - u * u, 0, 1))
    bow = 1 - 0.35 * np.exp(-((u * 6) ** 2))  # a small Cupid's bow dip in the middle of the upper lip
    inner_up = base - 0.35 * gap * w ** 0.8
    inner_lo = base + 0.65 * gap * w ** 0.8
    top = inner_up - t_up * w * bow - 0.006
    bottom = inner_lo + t_lo * w + 0.006
    return top, inner_up, inner_lo, bottom


def _eye_curves(u, er, o):
    """Upper and lower lid offsets (in eye half-widths) at normalised x ``u`` for openness ``o``."""
    w = np.clip(1 - u * u, 0, 1) ** 0.7
    close = 0.22 * er * w  # the lids meet a little below the centre
    upper = close - 1.15 * er * o * w
    lower = close + 0.45 * er * o * w
    return upper, lower


def landmarks_for(p: dict, g: dict) -> np.ndarray:
    """Ground-truth iBUG-68 landmarks (N×68×2 pixel coordinates) from the batch parameters."""
    n = len(g["W"])
    out = np.zeros((n, 68, 2), np.float32)
    W, Hu, L, P = (g[k][:, None] for k in ("W", "Hu", "L", "P"))
    # jaw: points on the face outline from about eye level on one side, over the chin, to the other
    t = np.linspace(np.pi + 0.15, -0.15, 17, dtype=np.float32)[None, :]
    c, s_ = np.cos(t), np.sin(t)
    upper = s_ < 0
    x_lo = W * np.sign(c) * np.abs(c) ** (2 / P)
    y_lo = L * np.abs(s_) ** (2 / P)
    jx = np.where(upper, W * c, x_lo)
    jy = np.where(upper, Hu * s_ * 0.9, y_lo)
    jz = _depth(jx, np.minimum(jy, 0.9), W) * 0.3
    gx = {k: (v[:, None] if np.ndim(v) else v) for k, v in g.items()}
    xp, yp = _project(jx, jy, jz, gx)
    out[:, 0:17] = np.stack(_to_pixels(xp, yp, gx), -1)

    f = _features(p, g)
    u5 = np.array([-1, -0.5, 0, 0.5, 1], np.float32)[None, :]
    for side, sl in (("r", slice(17, 22)), ("l", slice(22, 27))):
        bx, by, fx, fy = (v[:, None] for v in f[f"brow_{side}"])
        bw = p["eye_width"][:, None] * 1.3
        tilt = (0.03 if side == "r" else -0.03)
        cy = -p["brow_arch"][:, None] * (1 - u5 * u5) + tilt * u5
        th = p["brow_thickness"][:, None]
        out[:, sl] = np.stack(_to_pixels(bx + u5 * bw * fx, by + (cy - th / 2) * fy, gx), -1)

    tx_, ty_ = (v[:, None] for v in f["nose_top"])
    kx, ky = (v[:, None] for v in f["nose_tip"])
    a = np.linspace(0, 1, 4, dtype=np.float32)[None, :]
    out[:, 27:31] = np.stack(_to_pixels(tx_ + (kx - tx_) * a, ty_ + (ky - ty_) * a, gx), -1)
    bx, by = (v[:, None] for v in f["nose_base"])
    nw = p["nose_width"][:, None] * f["nose_fx"][:, None]
    out[:, 31:36] = np.stack(_to_pixels(bx + nw * u5 * 0.85, by + 0.02 * (1 - u5 * u5) - 0.02, gx), -1)

    u6 = np.array([-1, -1 / 3, 1 / 3, 1, 1 / 3, -1 / 3], np.float32)[None, :]
    upper_pts = np.array([False, True, True, False, False, False])[None, :]
    for side, sl in (("r", slice(36, 42)), ("l", slice(42, 48))):
        ex, ey, fx, fy = (v[:, None] for v in f[f"eye_{side}"])
        ew = p["eye_width"][:, None]
        er = p["eye_height"][:, None]
        o = np.clip(p["eye_open"], 0, 1.2)[:, None]
        up, lo = _eye_curves(u6, er, o)
        v = np.where(upper_pts, up, lo)
        v = np.where(np.abs(u6) == 1, 0.0, v)
        out[:, sl] = np.stack(_to_pixels(ex + u6 * ew * fx, ey + v * ew * fy, gx), -1)

    mx, my, fx, fy = (v[:, None] for v in f["mouth"])
    shape = tuple(v[:, None] for v in _mouth_shape(p))
    hw = shape[0]
    uo = np.array([-1, -2 / 3, -1 / 3, 0, 1 / 3, 2 / 3, 1, 2 / 3, 1 / 3, 0, -1 / 3, -2 / 3], np.float32)[None, :]
    top, iu, il, bot = _lip_curves(uo, shape)
    vo = np.concatenate([top[:, :7], bot[:, 7:]], axis=1)
    out[:, 48:60] = np.stack(_to_pixels(mx + uo * hw * fx, my + vo * fy, gx), -1)
    ui = np.array([-0.88, -0.45, 0, 0.45, 0.88, 0.45, 0, -0.45], np.float32)[None, :]
    top, iu, il, bot = _lip_curves(ui, shape)
    vi = np.concatenate([iu[:, :5], il[:, 5:]], axis=1)
    vi[:, 0] = (iu[:, 0] + il[:, 0]) / 2
    vi[:, 4] = (iu[:, 4] + il[:, 4]) / 2
    out[:, 60:68] = np.stack(_to_pixels(mx + ui * hw * fx, my + vi * fy, gx), -1)
    return out


# ----------------------------------------------------------------------------------------------------
# The rasteriser. Shapes give a signed distance in pixels (negative inside); coverage ramps over ~1 px,
# which anti-aliases every edge. Layers are composited back to front.

def _cov(d_px, soft=1.0):
    """Coverage in [0, 1] from a signed distance in pixels (negative inside)."""
    return np.clip(0.5 - d_px / soft, 0.0, 1.0)


def _over(img, colour, alpha, total: int | None = None):
    """Composite ``colour`` over ``img`` with coverage ``alpha`` (in place), touching covered pixels only.

    ``total`` is the pixel count of the whole batch when ``img`` is a window of it (``_window``): a layer is
    dense, and composited everywhere, when it covers more than half of the whole batch.
    """
    colour = np.asarray(colour, np.float32)
    flat_a = alpha.reshape(-1)
    idx = np.flatnonzero(flat_a > 1e-4)
    if not len(idx):
        return
    if len(idx) > 0.5 * (total or flat_a.size):  # dense layer: whole-array arithmetic is faster
        img += alpha[..., None] * (colour - img)
        return
    flat = img.reshape(-1, 3)
    if colour.ndim <= 1:
        c = colour
    elif colour.shape[1:3] == (1, 1):  # one colour per face
        c = colour.reshape(-1, 3)[idx // (img.shape[1] * img.shape[2])]
    else:  # a colour per pixel
        c = np.broadcast_to(colour, img.shape).reshape(-1, 3)[idx]
    flat[idx] += flat_a[idx, None] * (c - flat[idx])


def _col(c):
    return c[:, None, None, :]


def _window(g: dict, size: int, x0, x1, y0, y1):
    """The rows and columns (two slices) that hold every face's canonical box [x0, x1]×[y0, y1] (N-arrays).

    None when the window would cover half the image or more: then the layer is drawn on the whole image. A
    feature whose coverage is below ``_over``'s threshold outside its box is drawn the same either way.
    """
    x0, x1, y0, y1 = (np.ravel(a) for a in np.broadcast_arrays(x0, x1, y0, y1))
    corners = [_to_pixels(x, y, g) for x in (x0, x1) for y in (y0, y1)]
    X = np.stack([c[0] for c in corners])
    Y = np.stack([c[1] for c in corners])
    if not (np.isfinite(X).all() and np.isfinite(Y).all()):
        return None
    # pixel i has its centre at i + 0.5; a margin of a pixel more on every side
    c0, c1 = max(int(np.floor(X.min() - 0.5)) - 1, 0), min(int(np.ceil(X.max() + 0.5)) + 1, size)
    r0, r1 = max(int(np.floor(Y.min() - 0.5)) - 1, 0), min(int(np.ceil(Y.max() + 0.5)) + 1, size)
    c1, r1 = max(c1, c0), max(r1, r0)
    if (c1 - c0) * (r1 - r0) >= size * size / 2:
        return None
    return slice(r0, r1), slice(c0, c1)


def _crop(win, *arrays) -> tuple:
    """Contiguous copies of the window ``win`` of N×H×W(×C) arrays; the arrays themselves when ``win`` is None."""
    if win is None:
        return arrays
    return tuple(np.ascontiguousarray(a[:, win[0], win[1]]) for a in arrays)


def _paste(img: np.ndarray, win, sub: np.ndarray) -> None:
    """Write a window drawn by ``_crop`` back into the image."""
    if win is not None:
        img[:, win[0], win[1]] = sub


def _e(v):
    return v[:, None, None]


def _render_chunk(p: dict, size: int, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(p["yaw"])
    g = _geometry(p, size)
    f = _features(p, g)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    dx = xs[None] - _e(g["cx"])
    dy = ys[None] - _e(g["cy"])
    inv_s = 1.0 / _e(g["s"])
    cr, sr = _e(g["cos_r"]), _e(g["sin_r"])
    qx = (cr * dx + sr * dy) * inv_s  # canonical coordinates of every pixel
    qy = (-sr * dx + cr * dy) * inv_s
    s = _e(g["s"])
    W, Hu, L, P = _e(g["W"]), _e(g["Hu"]), _e(g["L"]), _e(g["P"])

    # light: direction towards the light in (x right, y down, z towards the viewer)
    az, el = p["light_azimuth"], p["light_elevation"]
    lx, ly, lz = np.sin(az) * np.cos(el), -np.sin(el), np.cos(az) * np.cos(el)

    # background: vertical gradient and a soft vignette
    t = ys[None, :, :, None] / size
    top = _col(p["background"])
    img = top * (1.05 - 0.45 * t) + 0.02
    img = np.broadcast_to(img, (n, size, size, 3)).copy()

    skin = _col(p["skin"])
    hair = _col(p["hair_color"])
    style = p["hair_style"]

    # shoulders and neck
    sh = (qx / 2.3) ** 2 + ((qy - (L + 1.45)) / 0.95) ** 2
    _over(img, _col(p["shirt"]) * (0.85 + 0.15 * _e(lx) * np.clip(qx / 2, -1, 1))[..., None], _cov((np.sqrt(sh) - 1) * 0.9 * s))
    neck_d = np.maximum(np.abs(qx) - 0.5 * W, 0.35 - qy)
    _over(img, skin * 0.72, _cov(neck_d * s))

    # long hair falls behind the head
    long_ = style == "long"
    if long_.any():
        ii = np.nonzero(long_)[0]
        bx = np.abs(qx[ii]) - (W[ii] + 0.3)
        by_ = qy[ii] - 1.55
        d = np.maximum(bx, by_)
        top_d = np.sqrt((qx[ii] / (W[ii] + 0.3)) ** 2 + ((qy[ii] + 0.05) / (Hu[ii] + 0.25)) ** 2) - 1
        d = np.where(qy[ii] < -0.05, top_d * 1.2, d)
        sub = img[ii]
        tex = 0.85 + 0.15 * np.sin(qx[ii] * 38 + 3 * np.sin(qy[ii] * 4))
        _over(sub, hair[ii] * 0.8 * tex[..., None], _cov(d * s[ii]))
        img[ii] = sub

    # ears
    total = img[..., 0].size
    for sign in (-1.0, 1.0):
        ex_c = sign * (W * 0.97)
        k = 1 + 0.5 / (0.12 * s)  # coverage is 0 beyond k times the ear's radii
        win = _window(g, size, ex_c - 0.12 * k, ex_c + 0.12 * k, -0.02 - 0.21 * k, -0.02 + 0.21 * k)
        q_x, q_y, sub = _crop(win, qx, qy, img)
        ed = np.sqrt(((q_x - ex_c) / 0.12) ** 2 + ((q_y + 0.02) / 0.21) ** 2) - 1
        _over(sub, skin * 0.82, _cov(ed * 0.12 * s), total)
        _paste(img, win, sub)

    # the face: an ellipse above, a superellipse jaw below, shaded by the light
    ax_ = np.abs(qx) / W
    up = qy <= 0
    ry = np.where(up, -qy / Hu, np.maximum(qy, 0) / L)
    e = np.where(up, 2.0, P)
    F = ax_ ** e + ry ** e
    r = F ** (1 / e)
    face_cov = _cov((r - 1) * np.minimum(W, L) * s)
    nz = np.sqrt(np.clip(1 - np.minimum(F, 1), 0.02, 1))
    nx, ny = qx / W * 0.9, np.where(up, qy / Hu, qy / L) * 0.8
    yaw_ = _e(p["yaw"])
    diffuse = np.clip((nx + 0.4 * yaw_) * _e(lx) + ny * _e(ly) + nz * _e(lz), 0, 1)
    shade = (0.58 + 0.47 * diffuse)[..., None]
    _over(img, skin * shade, face_cov)
    # cheek warmth
    for sign in (-1.0, 1.0):  # 0.18·exp(-cd) is below 1e-4 where cd > 7.5, outside 2.74 times the radii
        win = _window(g, size, sign * 0.5 * W - 0.77, sign * 0.5 * W + 0.77, 0.25 - 0.55, 0.25 + 0.55)
        q_x, q_y, cov, sub = _crop(win, qx, qy, face_cov, img)
        cd = ((q_x - sign * 0.5 * W) / 0.28) ** 2 + ((q_y - 0.25) / 0.2) ** 2
        _over(sub, skin * np.array([1.0, 0.82, 0.8], np.float32), 0.18 * np.exp(-cd) * cov, total)
        _paste(img, win, sub)

    # beard
    bearded = p["beard"]
    if bearded.any():
        ii = np.nonzero(bearded)[0]
        mx_, my_, mfx, _ = (_e(v[ii]) for v in f["mouth"])
        yb = 0.42 + 0.28 * (qx[ii] / W[ii]) ** 2 - 0.08
        d = (yb - qy[ii]) * s[ii]
        tex = 0.8 + 0.2 * np.sin(qx[ii] * 90 + 7 * np.sin(qy[ii] * 23)) * np.sin(qy[ii] * 41 + 3 * np.sin(qx[ii] * 17))
        a = _cov(d, 2.0) * face_cov[ii] * 0.92
        sub = img[ii]
        _over(sub, hair[ii] * tex[..., None] * 0.9 + 0.02, a)
        img[ii] = sub

    # nose: shadow on the side away from the light, a soft tip highlight, nostrils
    tx_, ty_ = _e(f["nose_top"][0]), _e(f["nose_top"][1])
    kx, ky = _e(f["nose_tip"][0]), _e(f["nose_tip"][1])
    nw = _e(p["nose_width"]) * _e(f["nose_fx"])
    side = -np.sign(_e(lx) + 1e-3)
    bx, by = _e(f["nose_base"][0]), _e(f["nose_base"][1])
    k = 1 + 0.65 / (0.028 * s)  # a nostril's coverage is 0 beyond k times its radii
    # where each layer is above _over's threshold: the shadow within 2.94 of its path from the bridge to the tip
    # (x radius at most 0.12), the base within 2.37 and the tip within 2.05 times their radii, and the nostrils
    win = _window(g, size,
                  np.minimum.reduce([np.minimum(tx_, kx) - 0.85 * nw - 0.36, bx - 2.61 * nw, kx - 1.65 * nw,
                                     bx - nw * (0.5 + 0.32 * k)]),
                  np.maximum.reduce([np.maximum(tx_, kx) + 0.85 * nw + 0.36, bx + 2.61 * nw, kx + 1.65 * nw,
                                     bx + nw * (0.5 + 0.32 * k)]),
                  np.minimum.reduce([np.minimum(ty_, ky) - 0.24, by + 0.02 - 0.11, ky - 0.02 - 0.15,
                                     by - 0.005 - 0.028 * k]),
                  np.maximum.reduce([np.maximum(ty_, ky) + 0.24, by + 0.02 + 0.11, ky - 0.02 + 0.15,
                                     by - 0.005 + 0.028 * k]))
    q_x, q_y, cov, sub = _crop(win, qx, qy, face_cov, img)
    seg_t = np.clip((q_y - ty_) / np.maximum(ky - ty_, 1e-3), 0, 1)
    sx = tx_ + (kx - tx_) * seg_t + side * nw * (0.35 + 0.5 * seg_t)
    sy = ty_ + (ky - ty_) * seg_t
    dist = np.sqrt(((q_x - sx) / (0.05 + 0.07 * seg_t)) ** 2 + ((q_y - sy) / 0.08) ** 2)
    _over(sub, skin * 0.62, 0.55 * np.exp(-dist ** 2) * cov, total)
    base_d = ((q_x - bx) / (nw * 1.1)) ** 2 + ((q_y - by - 0.02) / 0.045) ** 2
    _over(sub, skin * 0.55, 0.45 * np.exp(-base_d * 1.5) * cov, total)
    tip_d = ((q_x - kx) / (nw * 0.8)) ** 2 + ((q_y - ky + 0.02) / 0.07) ** 2
    _over(sub, np.minimum(skin * 1.12 + 0.04, 1), 0.45 * np.exp(-tip_d * 2) * cov, total)
    for sign in (-1.0, 1.0):
        nd = np.sqrt(((q_x - bx - sign * nw * 0.5) / (nw * 0.32)) ** 2 + ((q_y - by + 0.005) / 0.028) ** 2) - 1
        _over(sub, skin * 0.32, _cov(nd * 0.028 * s, 1.3) * 0.85, total)
    _paste(img, win, sub)

    # mouth: inner mouth and teeth, then the two lips
    mx_, my_, mfx, mfy = (_e(v) for v in f["mouth"])
    shape = tuple(_e(v) for v in _mouth_shape(p))
    hw = shape[0]
    # every layer's coverage is 0 beyond |u| = 1 + 1.2 m / hw and outside the lips' curves widened by 1.2 m,
    # with m = 0.5 / (mfy s) canonical units (half a pixel): |v| <= |bend| u² + 0.65 gap + t_lo + 0.006 + 1.2 m
    m = 0.5 / (mfy * s)
    u_max = 1 + 1.2 * m / hw
    v_max = np.abs(shape[1]) * u_max ** 2 + 0.65 * shape[4] + np.maximum(shape[2], shape[3]) + 0.006 + 1.2 * m
    win = _window(g, size, mx_ - u_max * hw * mfx, mx_ + u_max * hw * mfx, my_ - v_max * mfy, my_ + v_max * mfy)
    q_x, q_y, sub = _crop(win, qx, qy, img)
    u = (q_x - mx_) / (hw * mfx)
    v = (q_y - my_) / mfy
    top_c, iu, il, bot_c = _lip_curves(u, shape)
    side_d = (np.abs(u) - 1) * hw
    lip_col = _col(p["lip_color"])
    mouth_in = np.maximum(np.maximum(iu - v, v - il), side_d)
    _over(sub, np.float32([0.22, 0.06, 0.07]), _cov(mouth_in * mfy * s), total)
    teeth = np.maximum(np.maximum(iu - v, v - (iu + 0.3 * (il - iu))), (np.abs(u) - 0.7) * hw)
    _over(sub, np.float32([0.9, 0.88, 0.82]), _cov(teeth * mfy * s) * np.clip((il - iu) * s * mfy / 1.5, 0, 1), total)
    upper_lip = np.maximum(np.maximum(top_c - v, v - iu), side_d)
    _over(sub, lip_col * 0.85, _cov(upper_lip * mfy * s), total)
    lower_lip = np.maximum(np.maximum(il - v, v - bot_c), side_d)
    lip_light = 1.0 + 0.15 * np.exp(-(((v - (il + bot_c) / 2) / 0.02) ** 2) - (u / 0.5) ** 2)
    _over(sub, lip_col * lip_light[..., None], _cov(lower_lip * mfy * s), total)
    # the line between closed lips
    seam = np.maximum(np.abs(v - (iu + il) / 2) - 0.006, side_d)
    _over(sub, lip_col * 0.45, _cov(seam * mfy * s, 1.2) * 0.7, total)
    _paste(img, win, sub)

    # eyes
    er = _e(p["eye_height"])
    ew = _e(p["eye_width"])
    o = _e(np.clip(p["eye_open"], 0, 1.2))
    iris_col = _col(p["eye_color"])
    for side in ("r", "l"):
        ex, ey, fx, fy = (_e(v) for v in f[f"eye_{side}"])
        px_per = ew * fy * s
        # every layer is below _over's threshold beyond |u| = 2.63 (the socket) or 1.06 + 1.25 / px_per (lash,
        # crease) and |v| = 2.68 er (the socket) or 1.71 er + 0.135 + 0.75 / px_per (the crease, the lowest)
        u_max = np.maximum(2.63, 1.06 + 1.25 / px_per) * ew * fx
        v_max = np.maximum(2.68 * er, 1.71 * er + 0.135 + 0.75 / px_per) * ew * fy
        win = _window(g, size, ex - u_max, ex + u_max, ey - v_max, ey + v_max)
        q_x, q_y, cov, sub = _crop(win, qx, qy, face_cov, img)
        u = (q_x - ex) / (ew * fx)
        v = (q_y - ey) / (ew * fy)
        upper, lower = _eye_curves(u, er, o)
        # socket shading above the eye and the lid crease
        sock = (u / 1.3) ** 2 + ((v + 0.45 * er) / (1.1 * er)) ** 2
        _over(sub, skin * 0.78, 0.35 * np.exp(-sock * 2) * cov, total)
        eye_d = np.maximum(np.maximum(upper - v, v - lower), (np.abs(u) - 1) * 0.6)
        eye_a = _cov(eye_d * px_per)
        _over(sub, np.float32([0.93, 0.91, 0.88]) * (0.8 + 0.2 * _e(lz))[..., None], eye_a, total)
        gx_, gy_ = _e(p["gaze_x"]) * 0.35, _e(p["gaze_y"]) * 0.15
        ir = np.sqrt((u - gx_) ** 2 + ((v - gy_) * 1.0) ** 2)
        iris_a = _cov((ir - 0.5) * px_per) * eye_a
        _over(sub, iris_col * (1.0 - 0.35 * ir[..., None]), iris_a, total)
        _over(sub, np.float32([0.03, 0.03, 0.03]), _cov((ir - 0.2) * px_per) * eye_a, total)
        hl = np.sqrt((u - gx_ + 0.15) ** 2 + (v - gy_ + 0.15) ** 2)
        _over(sub, np.float32([1.0, 1.0, 1.0]), _cov((hl - 0.08) * px_per) * eye_a * 0.8, total)
        lash = np.maximum(np.abs(v - upper) - 0.06, (np.abs(u) - 1.06) * 0.6)
        _over(sub, np.float32([0.08, 0.06, 0.06]), _cov(lash * px_per) * 0.95, total)
        crease = np.maximum(np.abs(v - (upper - 0.55 * er - 0.1 * (1 - o))) - 0.035, (np.abs(u) - 0.9) * 0.6)
        _over(sub, skin * 0.6, _cov(crease * px_per, 1.5) * 0.4, total)
        _paste(img, win, sub)

    # brows
    bt = _e(p["brow_thickness"])
    for side, tilt in (("r", 0.03), ("l", -0.03)):
        bx_, by_, fx, fy = (_e(v) for v in f[f"brow_{side}"])
        bw = ew * 1.3
        # coverage is 0 beyond |u| = 1 + m / bw and beyond th / 2 + m of the brow's arch, m = 0.5 / (fy s)
        m = 0.5 / (fy * s)
        u_max = 1 + m / bw
        v_max = (np.abs(_e(p["brow_arch"])) * np.maximum(1, u_max ** 2 - 1) + 0.03 * u_max
                 + np.abs(bt) * (0.925 + 0.225 * u_max) / 2 + m)
        win = _window(g, size, bx_ - u_max * bw * fx, bx_ + u_max * bw * fx, by_ - v_max * fy, by_ + v_max * fy)
        q_x, q_y, sub = _crop(win, qx, qy, img)
        u = (q_x - bx_) / (bw * fx)
        v = (q_y - by_) / fy
        cy_ = -_e(p["brow_arch"]) * (1 - u * u) + tilt * u
        inner = u if side == "r" else -u  # + towards the outer end
        th = bt * (1.15 - 0.45 * (inner + 1) / 2)
        d = np.maximum(np.abs(v - cy_) - th / 2, (np.abs(u) - 1) * bw)
        _over(sub, hair * 0.55 + 0.02, _cov(d * fy * s) * 0.95, total)
        _paste(img, win, sub)

    # hair on top of the head (every style but bald), with style-specific shapes
    ii = np.nonzero(style != "bald")[0]
    if len(ii):
        q_x, q_y = qx[ii], qy[ii]
        W_, Hu_, s_ = W[ii], Hu[ii], s[ii]
        st = style[ii][:, None, None]
        vol = np.where(st == "curly", 0.32, np.where(st == "long", 0.16, 0.11))
        ang = np.arctan2(q_x, -q_y)
        bumps = np.where(st == "curly", 0.05 * np.sin(ang * 14), 0.0)
        outer = np.sqrt((q_x / (W_ + vol)) ** 2 + ((q_y + 0.08) / (Hu_ + vol + 0.02)) ** 2) - 1 - bumps
        hl = -_e(p["hairline"][ii]) * Hu_ + 0.32 * (q_x / W_) ** 2
        hl = np.where(st == "fringe", -0.42 + 0.03 * np.sin(q_x * 45) + 0.1 * (q_x / W_) ** 2, hl)
        side_low = np.where((st == "long"), 0.25, np.where(st == "curly", 0.35, -0.08))
        region = np.maximum(outer * 1.1, q_y - hl)
        # inside the outer hair shape and above the hairline, or beside the face down to side_low
        beside = np.maximum(outer * 1.1, np.maximum(q_y - side_low, 0.02 - (np.abs(q_x) - W_ * 0.9)))
        d = np.minimum(region, beside)
        tex = 0.82 + 0.18 * np.sin(ang * 55 + 6 * q_y)
        hshade = 0.7 + 0.35 * np.clip(q_x * _e(lx[ii]) * 0.8 - (q_y + 0.5) * 0.4, -0.5, 1)
        sub = img[ii]
        _over(sub, np.clip(hair[ii] * (tex * hshade)[..., None] + 0.015, 0, 1), _cov(d * s_, 1.2))
        img[ii] = sub
        hair_front = _cov(d * s_, 1.2)
    bun = style == "bun"
    if bun.any():
        jj = np.nonzero(bun)[0]
        bd = np.sqrt(qx[jj] ** 2 + (qy[jj] + Hu[jj] + 0.12) ** 2) - 0.33
        sub = img[jj]
        _over(sub, hair[jj] * 0.9, _cov(bd * s[jj]))
        img[jj] = sub

    # glasses
    gl = p["glasses"]
    if gl.any():
        jj = np.nonzero(gl)[0]
        sub = img[jj]
        frame = np.float32([0.1, 0.08, 0.08])
        ew_j = ew[jj]
        rims = []
        for side in ("r", "l"):
            ex, ey, fx, fy = (_e(v[jj]) for v in f[f"eye_{side}"])
            rr = np.sqrt(((qx[jj] - ex) / (ew_j * 1.55 * fx)) ** 2 + ((qy[jj] - ey - 0.02) / (ew_j * 1.15 * fy)) ** 2)
            _over(sub, np.float32([0.75, 0.85, 0.95]), _cov((rr - 1) * ew_j * s[jj]) * 0.12)
            rims.append((ex, ey, rr))
            _over(sub, frame, _cov((np.abs(rr - 1) - 0.09) * ew_j * 1.2 * s[jj]))
        (rx, ry, _), (lx_, ly_, _) = rims
        mid_y = (ry + ly_) / 2 - 0.03
        bridge = np.maximum(np.abs(qy[jj] - mid_y) - 0.018, np.abs(qx[jj] - (rx + lx_) / 2) - 0.12)
        _over(sub, frame, _cov(bridge * s[jj]))
        img[jj] = sub

    # the face mask: visible face skin and features, not hair, ears or neck
    mask = face_cov.copy()
    if len(ii):
        mask[ii] *= 1 - hair_front
    # exposure, sensor noise, JPEG
    img *= _e(p["exposure"])[..., None]
    noisy = p["noise"] > 0
    if noisy.any():
        img += rng.standard_normal(img.shape, dtype=np.float32) * _e(p["noise"])[..., None]
    np.clip(img, 0, 1, out=img)
    return img, mask, landmarks_for(p, g)


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    import cv2

    u8 = (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", u8[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:  # pragma: no cover - OpenCV always encodes a valid uint8 image
        raise RuntimeError("JPEG encoding failed")
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].astype(np.float32) / 255.0


def render_batch(identities, states, size: int = 64, seed: int = 0, chunk: int = 32) -> RenderedFaces:
    """Render faces ``identities[i]`` in ``states[i]`` at ``size``×``size`` with ground truth (lab 00)."""
    identities = list(identities)
    states = list(states)
    if len(identities) != len(states):
        raise ValueError(f"render_batch: got {len(identities)} identities but {len(states)} states; give one each")
    return _render_batch(identities, states, size, seed, chunk, "render_batch")


def _render_batch(identities: list, states: list, size, seed, chunk, fn: str) -> RenderedFaces:
    if not all(isinstance(i, Identity) for i in identities):
        raise ValueError(f"{fn}: identities must be course_lib.synth.Identity objects (use synth.identity(seed))")
    if not all(isinstance(s, FaceState) for s in states):
        raise ValueError(f"{fn}: states must be course_lib.synth.FaceState objects (use synth.random_states(n))")
    size = check_scalar(size, "size", int, min_val=16, max_val=256, fn=fn)
    seed = check_seed(seed, f"{fn}: seed")
    chunk = check_scalar(chunk, "chunk", int, min_val=1, max_val=4096, fn=fn)
    n = len(identities)
    params = _stack(identities, states, fn)
    images = np.empty((n, size, size, 3), np.float32)
    masks = np.empty((n, size, size), np.float32)
    landmarks = np.empty((n, 68, 2), np.float32)
    chunk = max(1, int(chunk * (64 / size) ** 2))

    def work(a: int) -> None:
        b = min(n, a + chunk)
        rng = np.random.default_rng([seed, 0xFACE, a])  # noise depends on the seed and position only
        p = {k: v[a:b] for k, v in params.items()}
        images[a:b], masks[a:b], landmarks[a:b] = _render_chunk(p, size, rng)

    starts = range(0, n, chunk)
    workers = min(len(starts), os.cpu_count() or 1, 4)
    if workers > 1:  # NumPy releases the GIL in array arithmetic, so chunks render in parallel
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(work, starts))
    else:
        for a in starts:
            work(a)
    for i, quality in enumerate(params["jpeg_quality"]):
        if quality:
            images[i] = _jpeg(images[i], int(quality))
    return RenderedFaces(images, landmarks, masks)


def render(ident: Identity, state: FaceState | None = None, size: int = 64, seed: int = 0, **changes):
    """Render one face; returns (image H×W×3, landmarks 68×2, mask H×W) (lab 00).

    Keyword arguments change the state, e.g. ``render(cast("ada"), smile=1.0, yaw=0.3)``.
    """
    check_object(ident, "ident", Identity, "synth.cast(name) or synth.identity(seed)", "render")
    state = NEUTRAL if state is None else check_object(state, "state", FaceState, "synth.FaceState(...)", "render")
    if changes:
        state = replace_fields(state, changes, "render", "state field")
    out = _render_batch([ident], [state], size, seed, 32, "render")
    return out.images[0], out.landmarks[0], out.masks[0]
