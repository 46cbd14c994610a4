"""Faces as data: landmark measures (lab 00), alignment, warping, masks, colour and blending (lab 02).

Landmarks follow the iBUG-68 layout described in ``course_lib.synth.face``. Lab 02's toolkit, in the order
a classical face swap uses it: ``umeyama`` and ``align`` (similarity alignment onto ``template``),
``triangulate`` and ``warp_triangles`` (Delaunay, piecewise-affine warping), ``hull_mask``, ``erode_mask``
and ``feather_mask``, ``reinhard_transfer`` (colour), ``alpha_blend`` and ``poisson_blend``, and
``classical_swap``, which chains them. ``detect_faces`` and ``astronaut`` bring in a real photograph.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from .validate import (check_finite, check_image, check_images, check_landmarks, check_mask, check_scalar,
                       check_shape, to_uint8)

RIGHT_EYE = slice(36, 42)
LEFT_EYE = slice(42, 48)


def _as_batch(landmarks) -> tuple[np.ndarray, bool]:
    arr = check_finite(landmarks, "landmarks")
    if arr.ndim == 2:
        return check_landmarks(arr)[None], False
    if arr.ndim == 3:
        if arr.shape[1:] != (68, 2):
            raise ValueError(f"landmarks: expected N×68×2 points (the iBUG-68 layout), got shape {arr.shape}")
        return arr.astype(np.float32), True
    raise ValueError(f"landmarks: expected 68×2 or N×68×2 points, got shape {arr.shape}")


def face_width(landmarks) -> np.ndarray | float:
    """Distance between the jaw's end points 0 and 16: a scale for normalising other measures (lab 02)."""
    pts, batch = _as_batch(landmarks)
    w = np.linalg.norm(pts[:, 16] - pts[:, 0], axis=-1)
    return w if batch else float(w[0])


def eye_aspect_ratio(landmarks, side: str = "both") -> np.ndarray | float:
    """Eye aspect ratio (Soukupová & Čech, 2016): lid opening over eye width; about 0.3 open, 0 closed (lab 00).

    ``side`` is "right" (landmarks 36-41, image left), "left" (42-47) or "both" (their mean).
    """
    if side not in ("right", "left", "both"):
        raise ValueError(f"side must be 'right', 'left' or 'both', got {side!r}")
    pts, batch = _as_batch(landmarks)

    def one(eye):
        p = pts[:, eye]
        vertical = np.linalg.norm(p[:, 1] - p[:, 5], axis=-1) + np.linalg.norm(p[:, 2] - p[:, 4], axis=-1)
        return vertical / (2 * np.linalg.norm(p[:, 0] - p[:, 3], axis=-1) + 1e-9)

    ear = {"right": lambda: one(RIGHT_EYE), "left": lambda: one(LEFT_EYE),
           "both": lambda: (one(RIGHT_EYE) + one(LEFT_EYE)) / 2}[side]()
    return ear if batch else float(ear[0])


def mouth_opening(landmarks) -> np.ndarray | float:
    """Gap between the inner lips (landmarks 62 and 66) over the face width (lab 00)."""
    pts, batch = _as_batch(landmarks)
    gap = np.linalg.norm(pts[:, 66] - pts[:, 62], axis=-1)
    out = gap / (np.linalg.norm(pts[:, 16] - pts[:, 0], axis=-1) + 1e-9)
    return out if batch else float(out[0])


# ====================================================================================================
# Lab 02: faces as data. Alignment, Delaunay warping, masks, colour transfer, blending, a classical swap.
#
# Coordinates. Landmarks are continuous (x, y) pixel coordinates in which pixel (row i, column j) covers
# [j, j + 1) × [i, i + 1), so its centre is (j + 0.5, i + 0.5): the convention of course_lib.synth. OpenCV
# puts pixel centres at whole numbers; the functions below convert (``_cv_affine``, ``_cv_points``).

INNER = slice(17, 68)  # brows, nose, eyes and lips: the points alignment uses (the jaw moves with the mouth)
TEMPLATE_SIZE = 128
_TEMPLATE_PEOPLE = 200


class Aligned(NamedTuple):
    """An aligned face: the image, its landmarks in the aligned frame, and the 2×3 matrix used (lab 02)."""

    image: np.ndarray
    landmarks: np.ndarray
    matrix: np.ndarray


class Warped(NamedTuple):
    """A warped image and its coverage (1 where a triangle landed, 0 elsewhere) (lab 02)."""

    image: np.ndarray
    coverage: np.ndarray


class Swap(NamedTuple):
    """The result of a classical face swap and the blending mask it used (lab 02)."""

    image: np.ndarray
    mask: np.ndarray


def _unit_template() -> np.ndarray:
    if _unit_template.cache is None:
        from . import synth

        people = [synth.identity(seed) for seed in range(_TEMPLATE_PEOPLE)]
        faces = synth.render_batch(people, [synth.NEUTRAL] * len(people), size=16)
        _unit_template.cache = (faces.landmarks.astype(np.float64).mean(axis=0) / 16).astype(np.float32)
    return _unit_template.cache


_unit_template.cache = None


def template(size: int = TEMPLATE_SIZE, zoom: float = 1.0) -> np.ndarray:
    """The canonical face: the synthetic world's mean frontal landmarks in a size×size crop (lab 02).

    ``zoom`` > 1 enlarges the face about the centre of its landmarks' bounding box and centres it in the
    crop: a tight face crop, as the autoencoder swapper of lab 03 uses (faceswap's "face" centring).
    """
    size = _check_size(size, "template")
    zoom = _check_zoom(zoom, "template")
    return _template(size, zoom)


def _template(size: int, zoom: float) -> np.ndarray:
    unit = _unit_template()
    if zoom != 1.0:
        centre = (unit.min(axis=0) + unit.max(axis=0)) / 2
        unit = (unit - centre) * np.float32(zoom) + np.float32(0.5)
    return unit * np.float32(size)


def _check_pair(src, dst, fn: str) -> tuple[np.ndarray, np.ndarray]:
    src = check_landmarks(src, n=None, name=f"{fn}: src")
    dst = check_landmarks(dst, n=None, name=f"{fn}: dst")
    if src.shape != dst.shape:
        raise ValueError(f"{fn}: src and dst must hold the same number of points, in the same order, "
                         f"but have shapes {src.shape} and {dst.shape}")
    if len(src) < 2:
        raise ValueError(f"{fn}: need at least 2 point pairs to fix a similarity transform, got {len(src)}")
    return src.astype(np.float64), dst.astype(np.float64)


def umeyama(src, dst, scale: bool = True) -> np.ndarray:
    """The similarity transform (rotation, uniform scale, shift) that best maps src onto dst: Umeyama (1991) (lab 02).

    Returns a 2×3 matrix ``M = [c·R | t]`` minimising the mean squared distance between ``c·R·src + t`` and
    ``dst``; ``scale=False`` fixes ``c = 1`` (a rigid transform). Points are n×2 arrays of (x, y).
    """
    src, dst = _check_pair(src, dst, "umeyama")
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    s, d = src - mu_s, dst - mu_d
    var_s = (s ** 2).sum(axis=1).mean()  # mean squared distance of src from its centre
    if var_s < 1e-12:
        raise ValueError("umeyama: all src points are the same point, so no rotation or scale can be found")
    cov = d.T @ s / len(src)  # 2×2 cross-covariance of dst and src
    U, D, Vt = np.linalg.svd(cov)
    S = np.eye(2)
    if np.linalg.det(U) * np.linalg.det(Vt) < 0:  # the best orthogonal matrix would be a reflection
        S[1, 1] = -1.0
    R = U @ S @ Vt
    c = float(np.trace(np.diag(D) @ S) / var_s) if scale else 1.0
    t = mu_d - c * R @ mu_s
    return np.hstack([c * R, t[:, None]]).astype(np.float64)


def _check_matrix(matrix, fn: str) -> np.ndarray:
    M = check_finite(matrix, "matrix", fn).astype(np.float64)
    if M.shape != (2, 3):
        raise ValueError(f"{fn}: matrix must be a 2×3 affine matrix (e.g. from faces.umeyama), got shape {M.shape}")
    return M


def transform_points(matrix, pts) -> np.ndarray:
    """Apply a 2×3 affine matrix to n×2 (x, y) points (lab 02)."""
    M = _check_matrix(matrix, "transform_points")
    pts = check_landmarks(pts, n=None, name="transform_points: pts")
    return _transform(M, pts)


def _transform(M: np.ndarray, pts: np.ndarray) -> np.ndarray:
    return (pts.astype(np.float64) @ M[:, :2].T + M[:, 2]).astype(np.float32)


def _cv_affine(M: np.ndarray) -> np.ndarray:
    """A 2×3 matrix in the course's coordinates to OpenCV's (pixel centres at whole numbers)."""
    M = np.asarray(M, dtype=np.float64).copy()
    M[:, 2] += M[:, :2] @ np.array([0.5, 0.5]) - 0.5
    return M


def _cv_points(pts) -> np.ndarray:
    return np.asarray(pts, np.float64) - 0.5


def _check_size(size, fn: str) -> int:
    return check_scalar(size, "size", int, min_val=16, max_val=1024, fn=fn)


def _check_zoom(zoom, fn: str) -> float:
    return check_scalar(zoom, "zoom", float, min_val=0.5, max_val=4.0, fn=fn)


def align(img, landmarks, size: int = TEMPLATE_SIZE, zoom: float = 1.0) -> Aligned:
    """Rotate, scale and shift a face onto the canonical template, a size×size crop (lab 02).

    The transform is Umeyama's similarity fitted on the inner landmarks (17-67: brows, eyes, nose, lips),
    as faceswap does; ``zoom`` as in ``template``; returns ``Aligned(image, landmarks, matrix)``.
    """
    img = check_image(img, "align: img")
    pts = check_landmarks(landmarks, name="align: landmarks")
    size = _check_size(size, "align")
    M = umeyama(pts[INNER], _template(size, _check_zoom(zoom, "align"))[INNER])
    import cv2

    out = cv2.warpAffine(img, _cv_affine(M), (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return Aligned(np.clip(out, 0, 1).astype(np.float32), _transform(M, pts), M)


def align_batch(images, landmarks, size: int = TEMPLATE_SIZE, zoom: float = 1.0, masks=None):
    """Align a batch of faces (N×H×W×3, N×68×2, optional N×H×W masks); returns (images, masks, landmarks) (lab 03).

    ``masks`` come back aligned the same way (all ones when none are given); matrices are not returned:
    use ``align`` on one face when you need to undo the alignment.
    """
    import cv2

    imgs = check_images(images, "align_batch: images")
    pts = check_finite(landmarks, "landmarks", "align_batch").astype(np.float32)
    if pts.shape != (len(imgs), 68, 2):
        raise ValueError(f"align_batch: expected landmarks of shape ({len(imgs)}, 68, 2), got {pts.shape}")
    size = _check_size(size, "align_batch")
    tmpl = _template(size, _check_zoom(zoom, "align_batch"))[INNER]
    if masks is not None:
        masks = check_finite(masks, "masks", "align_batch")
        if masks.shape != imgs.shape[:3]:
            raise ValueError(f"align_batch: masks must have shape {imgs.shape[:3]} (one H×W mask per image), "
                             f"got {masks.shape}")
    out_img = np.empty((len(imgs), size, size, 3), np.float32)
    out_mask = np.ones((len(imgs), size, size), np.float32)
    out_pts = np.empty_like(pts)
    for i in range(len(imgs)):
        M = umeyama(pts[i][INNER], tmpl)
        A = _cv_affine(M)
        out_img[i] = cv2.warpAffine(imgs[i], A, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        if masks is not None:
            out_mask[i] = cv2.warpAffine(np.asarray(masks[i], np.float32), A, (size, size), flags=cv2.INTER_LINEAR)
        out_pts[i] = _transform(M, pts[i])
    return np.clip(out_img, 0, 1), np.clip(out_mask, 0, 1), out_pts


def triangulate(points) -> np.ndarray:
    """Delaunay triangles over the points: a K×3 array of point indices (lab 02)."""
    from scipy.spatial import Delaunay

    pts = check_landmarks(points, n=None, name="triangulate: points")
    if len(pts) < 3:
        raise ValueError(f"triangulate: need at least 3 points, got {len(pts)}")
    try:
        tri = Delaunay(pts.astype(np.float64))
    except Exception as exc:  # scipy raises QhullError for collinear or repeated points
        raise ValueError(f"triangulate: the points do not span an area (are they all on one line?): {exc}") from None
    return tri.simplices.astype(np.int32)


def border_points(shape) -> np.ndarray:
    """Eight points on an image's border (corners and edge midpoints), to triangulate a whole image (lab 02)."""
    h, w = check_shape(shape, "shape", "border_points")
    xs, ys = (0.0, w / 2, float(w)), (0.0, h / 2, float(h))
    return np.array([(x, y) for y in ys for x in xs if not (x == w / 2 and y == h / 2)], np.float32)


def _check_triangles(triangles, n: int, fn: str) -> np.ndarray:
    tris = np.asarray(triangles)
    if tris.ndim != 2 or tris.shape[1] != 3 or not np.issubdtype(tris.dtype, np.integer):
        raise ValueError(f"{fn}: triangles must be a K×3 integer array of point indices (from faces.triangulate), "
                         f"got {tris.shape} {tris.dtype}")
    if tris.size and (tris.min() < 0 or tris.max() >= n):
        raise ValueError(f"{fn}: triangle indices must lie in 0..{n - 1}, the points given")
    return tris.astype(np.int64)


def warp_triangles(img, src_pts, dst_pts, triangles=None, out_shape=None) -> Warped:
    """Piecewise-affine warp: each triangle of src_pts moves onto the same triangle of dst_pts (lab 02).

    ``triangles`` defaults to the Delaunay triangles of ``dst_pts``. Every output pixel finds the triangle
    its centre lies in and its barycentric coordinates there; the same weights of the source triangle's
    corners give the position it comes from (that is the one affine map fixing the three corners, what
    ``cv2.getAffineTransform`` computes). One ``cv2.remap`` then samples all positions (bilinear).
    Returns ``Warped(image, coverage)``: pixels outside every triangle are 0 and have coverage 0.
    """
    import cv2

    img = check_image(img, "warp_triangles: img")
    src, dst = _check_pair(src_pts, dst_pts, "warp_triangles")
    tris = triangulate(dst) if triangles is None else _check_triangles(triangles, len(dst), "warp_triangles")
    h, w = img.shape[:2] if out_shape is None else check_shape(out_shape, "out_shape", "warp_triangles")
    map_x = np.full((h, w), -1.0, np.float32)
    map_y = np.full((h, w), -1.0, np.float32)
    covered = np.zeros((h, w), bool)
    for tri in tris:
        d, s = dst[tri], src[tri]
        T = np.array([d[0] - d[2], d[1] - d[2]]).T  # 2×2: barycentric weights (b0, b1) -> offset from corner 2
        if abs(np.linalg.det(T)) < 1e-9:
            continue  # a flat triangle covers no pixels
        x0, y0 = np.maximum(np.floor(d.min(axis=0)).astype(int), 0)
        x1, y1 = np.minimum(np.ceil(d.max(axis=0)).astype(int), [w, h])
        if x1 <= x0 or y1 <= y0:
            continue
        yy, xx = np.mgrid[y0:y1, x0:x1]
        centres = np.stack([xx.ravel() + 0.5, yy.ravel() + 0.5], axis=1)
        b01 = (centres - d[2]) @ np.linalg.inv(T).T
        bary = np.column_stack([b01, 1.0 - b01.sum(axis=1)])
        inside = (bary >= -1e-7).all(axis=1)
        if not inside.any():
            continue
        pos = bary[inside] @ s - 0.5  # source position, in OpenCV's pixel-centre coordinates
        ys_, xs_ = yy.ravel()[inside], xx.ravel()[inside]
        map_x[ys_, xs_], map_y[ys_, xs_] = pos[:, 0], pos[:, 1]
        covered[ys_, xs_] = True
    out = cv2.remap(img, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    coverage = covered.astype(np.float32)
    out *= coverage[..., None]
    return Warped(np.clip(out, 0, 1).astype(np.float32), coverage)


def hull_mask(landmarks, shape) -> np.ndarray:
    """A float32 H×W mask: 1 inside the convex hull of the landmarks, 0 outside (lab 02)."""
    import cv2

    pts = check_landmarks(landmarks, n=None, name="hull_mask: landmarks")
    h, w = check_shape(shape, "shape", "hull_mask")
    hull = cv2.convexHull(_cv_points(pts).astype(np.float32))[:, 0]
    mask = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(mask, np.round(hull * 16).astype(np.int32), 1, cv2.LINE_8, 4)
    return mask.astype(np.float32)


def _check_pixels(value, name: str, fn: str) -> float:
    return check_scalar(value, name, float, min_val=0.0, max_val=1000.0, fn=fn)


def erode_mask(mask, pixels: float) -> np.ndarray:
    """Shrink a mask's 1-region by ``pixels`` (a disc-shaped erosion of the mask thresholded at 0.5) (lab 02)."""
    import cv2

    mask = check_mask(mask, name="erode_mask: mask")
    r = int(round(_check_pixels(pixels, "pixels", "erode_mask")))
    binary = (mask > 0.5).astype(np.uint8)
    if r == 0:
        return binary.astype(np.float32)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    return cv2.erode(binary, disc, borderType=cv2.BORDER_CONSTANT, borderValue=0).astype(np.float32)


def feather_mask(mask, erosion: float = 0.0, blur: float = 0.0) -> np.ndarray:
    """Erode a mask by ``erosion`` pixels, then soften its edge by a Gaussian blur of sigma ``blur`` pixels (lab 02).

    The result lies in [0, 1]; its 0.5 contour stays on the eroded edge, and the soft edge reaches about
    2·blur pixels either side of it.
    """
    import cv2

    _check_pixels(erosion, "erosion", "feather_mask")
    sigma = _check_pixels(blur, "blur", "feather_mask")
    eroded = erode_mask(mask, erosion)
    if sigma == 0:
        return eroded
    out = cv2.GaussianBlur(eroded, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_CONSTANT)
    return np.clip(out, 0, 1).astype(np.float32)


def _lab_stats(lab: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    pixels = lab.reshape(-1, 3) if mask is None else lab[mask > 0.5]
    if len(pixels) < 2:
        raise ValueError("reinhard_transfer: a mask selects fewer than 2 pixels; give a mask with a real region")
    return pixels.mean(axis=0), pixels.std(axis=0)


def reinhard_transfer(source, target, source_mask=None, target_mask=None) -> np.ndarray:
    """Recolour ``source`` so its CIELAB mean and spread match ``target``'s: Reinhard et al. (2001) (lab 02).

    Each Lab channel becomes ``(x - mean_s) / std_s * std_t + mean_t``; the statistics come from the pixels
    inside the masks where they are given (the face), and the whole image is recoloured. Reinhard et al.
    used the lαβ space; CIELAB (via scikit-image) is the same idea: a perceptual space where lightness and
    the two colour-opponent axes are nearly independent, so they can be matched one by one.
    """
    from skimage import color

    source = check_image(source, "reinhard_transfer: source")
    target = check_image(target, "reinhard_transfer: target")
    if source_mask is not None:
        source_mask = check_mask(source_mask, source.shape[:2], "reinhard_transfer: source_mask")
    if target_mask is not None:
        target_mask = check_mask(target_mask, target.shape[:2], "reinhard_transfer: target_mask")
    lab_s = color.rgb2lab(source)
    mu_s, sd_s = _lab_stats(lab_s, source_mask)
    mu_t, sd_t = _lab_stats(color.rgb2lab(target), target_mask)
    ratio = np.where(sd_s > 1e-6, sd_t / np.maximum(sd_s, 1e-6), 1.0)
    lab = (lab_s - mu_s) * ratio + mu_t
    lab[..., 0] = np.clip(lab[..., 0], 0, 100)
    return _lab_to_rgb(lab)


def _lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    import warnings

    from skimage import color

    with warnings.catch_warnings():  # out-of-gamut colours are clipped, which is what we want
        warnings.simplefilter("ignore")
        rgb = color.lab2rgb(lab)
    return np.clip(rgb, 0, 1).astype(np.float32)


def alpha_blend(foreground, background, alpha) -> np.ndarray:
    """``alpha·foreground + (1 − alpha)·background`` with an H×W alpha mask in [0, 1] (lab 02)."""
    fg = check_image(foreground, "alpha_blend: foreground")
    bg = check_image(background, "alpha_blend: background")
    if fg.shape != bg.shape:
        raise ValueError(f"alpha_blend: foreground {fg.shape} and background {bg.shape} must have the same shape")
    a = check_mask(alpha, bg.shape[:2], "alpha_blend: alpha")[..., None]
    return (a * fg + (1 - a) * bg).astype(np.float32)


def poisson_blend(foreground, background, mask) -> np.ndarray:
    """Poisson ("seamless") cloning of the masked foreground into the background: Pérez et al. (2003) (lab 02).

    Inside the mask (thresholded at 0.5) the result keeps the foreground's gradients, while its values on the
    mask's edge are the background's: ``cv2.seamlessClone`` solves that Poisson equation. Both images must be
    the same size and already aligned (the foreground warped into the background's geometry).
    """
    import cv2

    fg = check_image(foreground, "poisson_blend: foreground")
    bg = check_image(background, "poisson_blend: background")
    if fg.shape != bg.shape:
        raise ValueError(f"poisson_blend: foreground {fg.shape} and background {bg.shape} must have the same shape")
    m = (check_mask(mask, bg.shape[:2], "poisson_blend: mask") > 0.5).astype(np.uint8)
    if m.sum() < 4:
        return bg.copy()
    pad = 4  # seamlessClone needs the region away from the border
    fg_p = cv2.copyMakeBorder(to_uint8(fg), pad, pad, pad, pad, cv2.BORDER_REFLECT)
    bg_p = cv2.copyMakeBorder(to_uint8(bg), pad, pad, pad, pad, cv2.BORDER_REFLECT)
    m_p = cv2.copyMakeBorder(m * 255, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    x, y, w, h = cv2.boundingRect(m_p)
    out = cv2.seamlessClone(fg_p, bg_p, m_p, (x + w // 2, y + h // 2), cv2.NORMAL_CLONE)
    return out[pad:-pad, pad:-pad].astype(np.float32) / 255.0


def default_erosion(landmarks) -> float:
    """The classical swap's default mask erosion: 5% of the face width, in pixels (lab 02)."""
    return round(0.05 * face_width(landmarks), 1)


def default_feather(landmarks) -> float:
    """The classical swap's default feathering (Gaussian sigma): 3% of the face width, in pixels (lab 02)."""
    return round(0.03 * face_width(landmarks), 1)


BLENDS = ("alpha", "poisson")


def classical_swap(source_img, source_pts, target_img, target_pts, *, blend: str = "alpha",
                   colour_transfer: bool = True, erosion: float | None = None, feather: float | None = None,
                   triangles=None) -> Swap:
    """Put the source face onto the target's geometry, with no learning: the 2017 "cheapfake" recipe (lab 02).

    1. Warp the source face triangle by triangle onto the target's landmarks (``warp_triangles``).
    2. Mask: the convex hull of the target's landmarks, eroded by ``erosion`` pixels.
    3. Optionally match the pasted face's colours to the target's face (``reinhard_transfer``).
    4. Blend: ``"alpha"`` with the mask feathered by a Gaussian of sigma ``feather`` pixels, or
       ``"poisson"`` (``poisson_blend``, which ignores ``feather``).

    ``erosion`` and ``feather`` default to 5% and 3% of the target's face width. Returns
    ``Swap(image, mask)``: the swapped image and the blending mask used (feathered for alpha, binary for
    Poisson).
    """
    source_img = check_image(source_img, "classical_swap: source_img")
    target_img = check_image(target_img, "classical_swap: target_img")
    src = check_landmarks(source_pts, name="classical_swap: source_pts")
    dst = check_landmarks(target_pts, name="classical_swap: target_pts")
    if blend not in BLENDS:
        raise ValueError(f"classical_swap: blend must be one of {BLENDS}, got {blend!r}")
    erosion = default_erosion(dst) if erosion is None else _check_pixels(erosion, "erosion", "classical_swap")
    feather = default_feather(dst) if feather is None else _check_pixels(feather, "feather", "classical_swap")
    warped, coverage = warp_triangles(source_img, src, dst, triangles, out_shape=target_img.shape)
    region = hull_mask(dst, target_img.shape) * coverage
    if region.sum() < 4:
        raise ValueError("classical_swap: the target's landmarks cover almost no pixels of the target image; "
                         "check that target_pts are (x, y) pixel coordinates of target_img")
    if colour_transfer:
        warped = reinhard_transfer(warped, target_img, region, region)
    # outside the warped face there is nothing to paste: fill with the target, so no blur drags in black
    face = np.where(coverage[..., None] > 0, warped, target_img)
    if blend == "alpha":
        mask = feather_mask(region, erosion, feather)
        out = alpha_blend(face, target_img, mask)
    else:
        mask = erode_mask(region, erosion)
        out = poisson_blend(face, target_img, mask)
    return Swap(out, mask)


def detect_faces(img, min_size: int = 24, max_size: int | None = None) -> list[tuple[int, int, int, int]]:
    """Find frontal faces with scikit-image's LBP cascade (ships with it; no download): (x, y, w, h) boxes (lab 02)."""
    from skimage import data
    from skimage.color import rgb2gray
    from skimage.feature import Cascade

    img = check_image(img, "detect_faces: img")
    h, w = img.shape[:2]
    min_size = check_scalar(min_size, "min_size", int, min_val=8, max_val=min(h, w), fn="detect_faces")
    max_size = check_scalar(max_size, "max_size", int, min_val=min_size, allow_none=True, fn="detect_faces")
    max_size = min(h, w) if max_size is None else max_size
    detector = Cascade(data.lbp_frontal_face_cascade_filename())
    found = detector.detect_multi_scale(img=rgb2gray(img), scale_factor=1.2, step_ratio=1,
                                        min_size=(min_size, min_size), max_size=(max_size, max_size))
    return [(int(d["c"]), int(d["r"]), int(d["width"]), int(d["height"])) for d in found]


def _landmarks_file() -> Path:
    here = Path(__file__).resolve().parent.parent / "datasets" / "astronaut_landmarks.json"
    if here.is_file():
        return here
    import site
    import sysconfig

    for base in (sysconfig.get_path("data"), site.getuserbase()):  # a wheel install's copy in share/
        installed = Path(base) / "share" / "deepfake-lab" / "datasets" / "astronaut_landmarks.json"
        if installed.is_file():
            return installed
    raise FileNotFoundError(
        f"no astronaut landmark file at {here}: it ships with the course repository (datasets/). "
        "Install course_lib from a checkout with `pip install -e .`.")


def astronaut() -> tuple[np.ndarray, np.ndarray]:
    """scikit-image's public-domain astronaut photo (512×512) and 68 hand-annotated landmarks for it (lab 02).

    The landmarks (iBUG-68 layout, course coordinates) were placed by hand for the course; see
    ``datasets/astronaut_landmarks.json`` for how they were made and checked.
    """
    import json

    from skimage import data

    record = json.loads(_landmarks_file().read_text(encoding="utf-8"))
    pts = check_landmarks(np.asarray(record["landmarks"], np.float32), name="astronaut landmarks")
    return check_image(data.astronaut(), "astronaut"), pts
