"""Hand-crafted artifact cues (lab 06; introduced in lab 02).

A pasted face leaves traces where it meets the picture it was pasted into. Lab 02 measures two of them on
its own classical face swaps, and lab 06 turns them (and more) into detectors:

* ``seam_score``: is there an edge along the paste boundary that the original picture did not have?
* ``colour_mismatch``: does the skin just inside the boundary have another colour than the skin just
  outside it?

Both take the blending mask of the swap (H×W in [0, 1], 1 on the pasted face); its boundary is the 0.5
contour. Images follow the course's convention: float32 RGB in [0, 1], H×W×3.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .validate import check_finite, check_image, check_images, check_landmarks, check_mask, check_scalar


def _binary(mask) -> np.ndarray:
    return (mask > 0.5).astype(np.uint8)


def _check_width(width, fn: str, name: str = "width") -> int:
    return check_scalar(width, name, int, min_val=1, max_val=200, fn=fn)  # in pixels


def default_band(mask) -> int:
    """The band width the cues use by default: 6% of the square root of the mask's area, at least 2 px (lab 02)."""
    area = float((check_mask(mask, name="default_band: mask") > 0.5).sum())
    return max(2, int(round(0.06 * np.sqrt(area))))


def boundary_bands(mask, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Two boolean H×W bands along the mask's 0.5 contour: ``width`` pixels inside it and outside it (lab 02)."""
    import cv2

    mask = check_mask(mask, name="boundary_bands: mask")
    width = _check_width(width, "boundary_bands")
    binary = _binary(mask)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * width + 1, 2 * width + 1))
    inner = cv2.erode(binary, disc, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    outer = cv2.dilate(binary, disc)
    return (binary > inner), (outer > binary)


def gradient_energy(img) -> np.ndarray:
    """Per-pixel squared gradient magnitude, summed over the RGB channels (3×3 Sobel) (lab 02)."""
    import cv2

    img = check_image(img, "gradient_energy: img")
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REFLECT)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REFLECT)
    return (gx ** 2 + gy ** 2).sum(axis=-1)


def seam_score(result, original, mask, band: int | None = None) -> float:
    """Gradient energy along the paste boundary of ``result``, over the same band's energy in ``original`` (lab 02).

    The band is every pixel within ``band`` pixels of the mask's 0.5 contour, on either side (default:
    ``default_band(mask)``). Gradient energy is the mean over the band of the squared Sobel gradient
    magnitude, summed over R, G and B. The score is ``(E_result + ε) / (E_original + ε)`` with ε = 1e-4:
    about 1 means the swap added no edge along its boundary (no visible seam); 2 means twice the edge
    energy the original picture had there; below 1, the swap smoothed the boundary region.
    """
    result = check_image(result, "seam_score: result")
    original = check_image(original, "seam_score: original")
    if result.shape != original.shape:
        raise ValueError(f"seam_score: result {result.shape} and original {original.shape} must have the same shape "
                         "(the swapped image and the target image it was made from)")
    mask = check_mask(mask, result.shape[:2], "seam_score: mask")
    width = default_band(mask) if band is None else _check_width(band, "seam_score", "band")
    inside, outside = boundary_bands(mask, width)
    ring = inside | outside
    if ring.sum() < 4:
        raise ValueError("seam_score: the mask has no boundary inside the image (it is empty or covers everything)")
    eps = 1e-4
    e_res = float(gradient_energy(result)[ring].mean())
    e_orig = float(gradient_energy(original)[ring].mean())
    return (e_res + eps) / (e_orig + eps)


def colour_mismatch(result, mask, width: int | None = None, sectors: int = 12, min_pixels: int = 4) -> float:
    """Mean CIEDE2000 colour difference between the skin just inside the paste boundary and just outside it (lab 02).

    The two bands are ``width`` pixels inside and outside the mask's 0.5 contour (default:
    ``default_band(mask)``). Lighting changes across a face, so they are compared locally: the bands are cut
    into ``sectors`` wedges around the mask's centre, each band's median CIELAB colour is taken per wedge
    (the median ignores a stray eyebrow or hair), and the result is the mean over the wedges of
    ``deltaE_ciede2000(inside, outside)``. About 1 is a just-noticeable difference; above 5 or so a viewer
    sees two different skins.
    """
    from skimage import color

    result = check_image(result, "colour_mismatch: result")
    mask = check_mask(mask, result.shape[:2], "colour_mismatch: mask")
    sectors = check_scalar(sectors, "sectors", int, min_val=1, max_val=360, fn="colour_mismatch")
    min_pixels = check_scalar(min_pixels, "min_pixels", int, min_val=1, max_val=100_000, fn="colour_mismatch")
    width = default_band(mask) if width is None else _check_width(width, "colour_mismatch")
    inside, outside = boundary_bands(mask, width)
    if inside.sum() < min_pixels or outside.sum() < min_pixels:
        raise ValueError("colour_mismatch: the mask has no boundary inside the image "
                         "(it is empty or covers everything)")
    ys, xs = np.nonzero(mask > 0.5)
    cy, cx = ys.mean(), xs.mean()
    hh, ww = np.mgrid[0:mask.shape[0], 0:mask.shape[1]]
    wedge = ((np.arctan2(hh - cy, ww - cx) + np.pi) / (2 * np.pi) * sectors).astype(int) % sectors
    lab = color.rgb2lab(result)
    pairs_in, pairs_out = [], []
    for k in range(sectors):
        a, b = inside & (wedge == k), outside & (wedge == k)
        if a.sum() >= min_pixels and b.sum() >= min_pixels:
            pairs_in.append(np.median(lab[a], axis=0))
            pairs_out.append(np.median(lab[b], axis=0))
    if not pairs_in:
        raise ValueError("colour_mismatch: no wedge has enough pixels on both sides of the boundary; use fewer sectors")
    return float(np.mean(color.deltaE_ciede2000(np.array(pairs_in), np.array(pairs_out))))


# The four classical swaps lab 02 compares: each adds one remedy to the one before.
SWAP_VARIANTS = {
    "hard paste": dict(blend="alpha", colour_transfer=False, feather=0.0),
    "feathered": dict(blend="alpha", colour_transfer=False),
    "feathered + colour": dict(blend="alpha", colour_transfer=True),
    "Poisson + colour": dict(blend="poisson", colour_transfer=True),
}


def swap_scores(source_img, source_pts, target_img, target_pts) -> dict:
    """Seam and colour scores of the four classical swaps in ``SWAP_VARIANTS``, on one shared boundary (lab 02).

    All four use the same mask erosion (``faces.default_erosion``), so every score is read along the same
    boundary: the eroded landmark hull, which is the hard paste's mask and the 0.5 contour of the others.
    Returns ``{variant: {"seam": seam_score, "colour": colour_mismatch}}``.
    """
    from . import faces

    target_img = check_image(target_img, "swap_scores: target_img")
    target_pts = check_landmarks(target_pts, name="swap_scores: target_pts")
    erosion = faces.default_erosion(target_pts)
    out, boundary = {}, None
    for name, options in SWAP_VARIANTS.items():
        swap = faces.classical_swap(source_img, source_pts, target_img, target_pts, erosion=erosion, **options)
        boundary = swap.mask if boundary is None else boundary  # the hard paste's binary mask comes first
        out[name] = {"seam": seam_score(swap.image, target_img, boundary),
                     "colour": colour_mismatch(swap.image, boundary)}
    return out


# ----------------------------------------------------------------------------------------------------
# Frequency fingerprints (lab 04 shows them; lab 06 builds detectors on them)

def spectrum(images, window: bool = True) -> np.ndarray:
    """Average log power spectrum of a batch N×H×W×3 (grey levels), zero frequency at the centre (lab 04, lab 06).

    Each image is turned to grey (ITU-R 601 luma), its mean removed, multiplied by a Hann window (so the
    image border does not add a bright cross; ``window=False`` skips it), Fourier transformed; the result is
    the mean over the batch of log10(|F|² + 1e-10), shifted so that the centre pixel is frequency 0 and
    the border pixels are the highest frequencies (period 2 pixels). Up-convolution leaves bright dots at
    fixed positions here: the checkerboard fingerprint (Odena et al. 2016; Durall et al. 2020).
    """
    imgs = check_images(images, "spectrum: images")
    grey = imgs @ np.float32([0.299, 0.587, 0.114])
    grey = grey - grey.mean(axis=(1, 2), keepdims=True)
    if window:
        h, w = grey.shape[1:]
        grey = grey * np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
    power = np.abs(np.fft.fft2(grey)) ** 2
    return np.fft.fftshift(np.log10(power + 1e-10).mean(axis=0)).astype(np.float32)


def radial_profile(spec) -> np.ndarray:
    """Azimuthal average of a centred H×W spectrum: one value per whole radius from 0 to min(H, W) // 2 (lab 06).

    Durall et al. (2020) classify real and fake images with this 1-D profile alone.
    """
    spec = check_finite(spec, "spec", "radial_profile").astype(np.float64)
    if spec.ndim != 2 or min(spec.shape) < 2:
        raise ValueError(f"radial_profile: expected an H×W spectrum (from forensics.spectrum), got shape {spec.shape}")
    h, w = spec.shape
    yy, xx = np.mgrid[0:h, 0:w]
    r = np.round(np.hypot(yy - h // 2, xx - w // 2)).astype(int)
    n = min(h, w) // 2 + 1
    keep = r < n
    sums = np.bincount(r[keep], weights=spec[keep], minlength=n)
    counts = np.bincount(r[keep], minlength=n)
    return (sums / np.maximum(counts, 1)).astype(np.float32)


# ====================================================================================================
# Lab 06: every trace a fake leaves, each a map and/or a score.
#
# Scores are oriented so that a HIGHER score means "more likely fake" where the cue has a direction the
# literature predicts; each docstring says which way. Regional cues compare the face with the frame around it:
# ``face`` is either the face's 68 landmarks (the convex hull is the face) or an H×W mask (1 on the face).

def _grey(img: np.ndarray) -> np.ndarray:
    return img @ np.float32([0.299, 0.587, 0.114])


def _check_number(value, name: str, fn: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not lo <= value <= hi:
        raise ValueError(f"{fn}: {name} must be a number from {lo:g} to {hi:g}, got {value!r}")
    return float(value)


def face_regions(face, shape, ring: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Boolean H×W (face, surround): the face from landmarks' hull or a mask, and a ring around it (lab 06).

    The ring reaches ``ring`` × the face's size (square root of its area) outside the face's edge, clipped
    to the image: the frame the face sits in.
    """
    import cv2

    from . import faces
    from .validate import check_landmarks

    h, w = int(shape[0]), int(shape[1])
    arr = np.asarray(face)
    if arr.ndim == 2 and arr.shape == (68, 2):
        region = faces.hull_mask(check_landmarks(arr, name="face_regions: face"), (h, w)) > 0.5
    else:
        region = check_mask(face, (h, w), "face_regions: face (68×2 landmarks or an H×W mask)") > 0.5
    _check_number(ring, "ring", "face_regions", 0.01, 2.0)
    area = int(region.sum())
    if area < 16 or area > 0.9 * h * w:
        raise ValueError(f"face_regions: the face covers {area} of {h * w} pixels; give landmarks or a mask of a face "
                         "that fills part of the image, not none or all of it")
    r = max(1, int(round(ring * np.sqrt(area))))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    outer = cv2.dilate(region.astype(np.uint8), disc) > 0
    surround = outer & ~region
    if surround.sum() < 16:
        raise ValueError("face_regions: no frame is left around the face inside the image; use a smaller face")
    return region, surround


def _log_ratio(values: np.ndarray, numerator: np.ndarray, denominator: np.ndarray, eps: float = 1e-8,
               stat=np.mean) -> float:
    """log10 of ``stat`` of ``values`` over one region against another (mean energy; the median for grain)."""
    return float(np.log10((stat(values[numerator]) + eps) / (stat(values[denominator]) + eps)))


# ---- spectrum: Durall et al. 2020 ------------------------------------------------------------------

def spectral_profiles(images) -> np.ndarray:
    """One azimuthally averaged log power spectrum per image: N×R, R = min(H, W) // 2 + 1 radii (lab 06).

    Durall et al. (2020) feed this 1-D profile (of each image on its own) to a simple classifier; it is
    ``radial_profile(spectrum(img[None]))`` for each image.
    """
    from .validate import check_images

    imgs = check_images(images, "spectral_profiles: images")
    return np.stack([radial_profile(spectrum(img[None])) for img in imgs])


def high_frequency_score(images, band: tuple[float, float] = (0.75, 1.0)) -> np.ndarray:
    """Per image: the profile's mean log10 power in the top ``band`` of radii, minus its mean in 0.25-0.5 (lab 06).

    Up-convolution adds periodic energy at high frequencies, smoothing decoders remove it: a score far from
    real images' in either direction is suspect. Radii are fractions of the highest (period 2 pixels).
    """
    lo, hi = (_check_number(b, "band", "high_frequency_score", 0.0, 1.0) for b in band)
    if hi <= lo:
        raise ValueError(f"high_frequency_score: band must be (low, high) with low < high, got {band!r}")
    prof = spectral_profiles(images)
    r = np.linspace(0, 1, prof.shape[1])
    top, mid = (r >= lo) & (r <= hi), (r >= 0.25) & (r <= 0.5)
    return (prof[:, top].mean(axis=1) - prof[:, mid].mean(axis=1)).astype(np.float32)


# ---- noise residual, error level, sharpness ------------------------------------------------------

def noise_residual(img, size: int = 3) -> np.ndarray:
    """What a ``size``×``size`` median filter removes from the grey image: an H×W residual (lab 06).

    Sensor noise lives here; a generated or resampled face carries less of it (or another kind) than the
    camera frame it was pasted into.
    """
    img = check_image(img, "noise_residual: img")
    if size not in (3, 5):
        raise ValueError(f"noise_residual: size must be 3 or 5 (the median filter's width), got {size!r}")
    return _median_residual(_grey(img).astype(np.float32), size)


def _median_residual(grey: np.ndarray, size: int = 3) -> np.ndarray:
    """A float32 H×W array less its ``size``×``size`` median: what ``noise_residual`` keeps."""
    import cv2

    return grey - cv2.medianBlur(grey, size)


def residual_score(img, face, size: int = 3) -> float:
    """log10 of the surround's residual energy over the face's: above 0 the face is cleaner than its frame (lab 06)."""
    img = check_image(img, "residual_score: img")
    inside, around = face_regions(face, img.shape[:2])
    return _log_ratio(noise_residual(img, size) ** 2, around, inside)


def blending_boundary(img, sigma: float = 2.0, dead_zone: float = 0.3, span: float = 0.5) -> np.ndarray:
    """Face X-ray's B = 4·M·(1−M), with M estimated from where the noise level drops below the frame's (lab 06).

    M is unknown in a single image; here it is read from the local noise energy ``e`` (the median residual
    squared, Gaussian-smoothed over ``sigma`` px): M = clip((L90 − log10 e − dead_zone) / span, 0, 1), L90
    being the image's 90th percentile of log10 e (the camera's own noise). Natural variation within
    ``dead_zone`` decades counts as the frame (M = 0); a region ``dead_zone + span`` decades cleaner counts
    as pasted (M = 1). B is 1 where the two mix: the blending boundary. Fails on a paste as noisy as its frame.
    """
    import cv2

    img = check_image(img, "blending_boundary: img")
    sigma = _check_number(sigma, "sigma", "blending_boundary", 0.5, 20.0)
    dead_zone = _check_number(dead_zone, "dead_zone", "blending_boundary", 0.0, 5.0)
    span = _check_number(span, "span", "blending_boundary", 0.01, 5.0)
    energy = cv2.GaussianBlur(noise_residual(img) ** 2, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)
    level = np.log10(energy + 1e-9)
    m = np.clip((np.percentile(level, 90) - level - dead_zone) / span, 0, 1)
    return (4 * m * (1 - m)).astype(np.float32)


def boundary_score(img, face=None, **kwargs) -> float:
    """Mean ``blending_boundary`` over the face and its surround (or the whole image): higher, more blended (lab 06)."""
    img = check_image(img, "boundary_score: img")
    b = blending_boundary(img, **kwargs)
    if face is None:
        return float(b.mean())
    inside, around = face_regions(face, img.shape[:2])
    return float(b[inside | around].mean())


def error_level(img, quality: int = 90) -> np.ndarray:
    """Error-level analysis: |img − the same image re-saved as JPEG at ``quality``|, averaged over RGB (lab 06).

    A region already JPEG-compressed at about that quality barely changes; a region pasted in afterwards (or
    never compressed) changes more. The map is H×W, in the image's [0, 1] units.
    """
    import cv2

    img = check_image(img, "error_level: img")
    if isinstance(quality, bool) or not isinstance(quality, (int, np.integer)) or not 1 <= quality <= 100:
        raise ValueError(f"error_level: quality must be a whole number from 1 to 100, got {quality!r}")
    bgr = np.round(img[..., ::-1] * 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:  # pragma: no cover - OpenCV without a JPEG codec
        raise RuntimeError("error_level: OpenCV could not encode a JPEG; reinstall opencv-python-headless")
    resaved = cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].astype(np.float32) / 255
    return np.abs(img - resaved).mean(axis=-1)


def error_level_score(img, face, quality: int = 90) -> float:
    """log10 of the face's mean error level over its surround's: above 0 the face was saved fewer times (lab 06)."""
    img = check_image(img, "error_level_score: img")
    inside, around = face_regions(face, img.shape[:2])
    return _log_ratio(error_level(img, quality), inside, around)


def sharpness_map(img) -> np.ndarray:
    """The grey image's Laplacian (3×3), H×W: its variance over a region is that region's sharpness (lab 06)."""
    import cv2

    img = check_image(img, "sharpness_map: img")
    return cv2.Laplacian(_grey(img).astype(np.float32), cv2.CV_32F, ksize=1, borderType=cv2.BORDER_REFLECT)


def sharpness_score(img, face) -> float:
    """log10 of the Laplacian variance around the face over that on it: above 0 the face is blurrier (lab 06).

    A decoder's face is smoother than the camera frame it is pasted into (the blur lab 03 shows).
    """
    img = check_image(img, "sharpness_score: img")
    inside, around = face_regions(face, img.shape[:2])
    lap = sharpness_map(img)
    return float(np.log10((lap[around].var() + 1e-8) / (lap[inside].var() + 1e-8)))


def landmark_colour_mismatch(img, landmarks, width: int | None = None) -> float:
    """``colour_mismatch`` along the eroded hull of the landmarks: where a classical swap would put its seam (lab 06).

    The mask is the landmarks' convex hull eroded by ``faces.default_erosion`` (as ``faces.classical_swap``
    does), so the outer band lies on the person's own skin; ``width`` defaults to that erosion (at least 1 px).
    """
    from . import faces
    from .validate import check_landmarks

    img = check_image(img, "landmark_colour_mismatch: img")
    pts = check_landmarks(landmarks, name="landmark_colour_mismatch: landmarks")
    erosion = faces.default_erosion(pts)
    mask = faces.erode_mask(faces.hull_mask(pts, img.shape), erosion)
    width = max(1, int(round(erosion))) if width is None else width
    return colour_mismatch(img, mask, width=width)


# ---- clips: blinks, flicker, audio-visual offset -------------------------------------------------

def _check_clip_landmarks(frames: np.ndarray, landmarks, fn: str) -> np.ndarray:
    pts = np.asarray(landmarks, np.float32)
    if pts.ndim != 3 or pts.shape[1:] != (68, 2) or len(pts) != len(frames):
        raise ValueError(f"{fn}: landmarks must be T×68×2, one set per frame ({len(frames)} frames), "
                         f"got shape {pts.shape}")
    if not np.isfinite(pts).all():
        raise ValueError(f"{fn}: landmarks contain NaN or infinite coordinates")
    return pts


# where eye_opening samples each eye, in eye widths (corner to corner) from its centre: along the eye and across it
_ALONG_EYE = np.linspace(-0.6, 0.6, 25)
_ACROSS_EYE = np.linspace(-0.35, 0.35, 15)
EYE_OPENING_THRESHOLD = 0.8  # blinks' threshold for eye_opening, chosen on real clips only (see blinks)


def _weighted_variance(weight: np.ndarray, coord: np.ndarray) -> np.ndarray:
    """Per frame, the variance of a sampling grid's coordinate under weights that sum to 1 over the grid."""
    mean = (weight * coord).sum(axis=(1, 2), keepdims=True)
    return (weight * (coord - mean) ** 2).sum(axis=(1, 2))


def eye_opening(frames, landmarks) -> np.ndarray:
    """How open the eyes look, from pixels: the height over the width of the dark patch on each eye (lab 06).

    Around each eye (sampled along the line between its corners, so a tilted head reads the same), the pixels
    darker than the box's median are the lashes, iris and pupil: a round patch when the eye is open, the thin
    line of the lashes when it is closed. Its spread across the eye over its spread along it (standard
    deviations, each pixel weighted by how much darker than the median it is) is an eye aspect ratio read from
    pixels. Weights only set the shape, so an open eye that is dimmer than usual still reads as open, and a blur
    widens both spreads, so a blurry closed eye still reads as a line. The landmarks only say where the eyes
    are (a face tracker would), so it also reads a swapped clip, whose pixels may not blink when the actor did.
    A flat box (nothing darker than its median) reads 0.
    """
    from scipy import ndimage

    from .validate import check_images

    frames = check_images(frames, "eye_opening: frames")
    pts = _check_clip_landmarks(frames, landmarks, "eye_opening")
    grey = _grey(frames)
    n, u, v = len(frames), _ALONG_EYE[None, None, :], _ACROSS_EYE[None, :, None]
    t = np.broadcast_to(np.arange(n, dtype=np.float32)[:, None, None], (n, len(_ACROSS_EYE), len(_ALONG_EYE)))
    out = np.zeros(n, np.float32)
    for eye in (slice(36, 42), slice(42, 48)):
        p = pts[:, eye]
        axis = p[:, 3] - p[:, 0]  # corner to corner
        width = np.maximum(np.linalg.norm(axis, axis=-1), 1e-6)
        along = axis / width[:, None]
        across = np.stack([-along[:, 1], along[:, 0]], axis=-1)
        grid = (p.mean(axis=1)[:, None, None, :] + width[:, None, None, None]
                * (u[..., None] * along[:, None, None, :] + v[..., None] * across[:, None, None, :]))
        box = ndimage.map_coordinates(grey, [t, grid[..., 1], grid[..., 0]], order=1, mode="nearest")
        dark = np.clip(np.median(box, axis=(1, 2), keepdims=True) - box, 0, None)
        total = dark.sum(axis=(1, 2))
        weight = dark / np.maximum(total, 1e-12)[:, None, None]
        spread_u, spread_v = (_weighted_variance(weight, c) for c in (u, v))
        ratio = np.sqrt(np.divide(spread_v, spread_u, out=np.zeros_like(spread_v), where=spread_u > 1e-12))
        out += 0.5 * np.where(total > 1e-6, ratio, 0.0)
    return out


class Blinks(NamedTuple):
    """Blinks in an eye-opening signal: ``rate_per_min``, mean ``duration_s``, ``count``, ``closed`` frames (lab 06)."""

    rate_per_min: float
    duration_s: float
    count: int
    closed: np.ndarray


def blinks(opening, fps: int = 25, threshold: float = 0.6) -> Blinks:
    """Count blinks in a per-frame eye-opening signal (eye aspect ratio, ``eye_opening``...) (lab 06).

    Give ``opening`` as T values, or T×68×2 landmarks (their ``faces.eye_aspect_ratio`` is used). A frame is
    closed when its opening is below ``threshold`` × the clip's open level (its 90th percentile); a blink is a
    run of closed frames. 0.6 suits the eye aspect ratio, which nearly reaches 0. ``eye_opening`` keeps the
    lash line when the eye closes (about 0.4 of its open level at 128×128), so read it with
    ``threshold=EYE_OPENING_THRESHOLD`` (0.8), chosen on real clips only: Farah's 8 s clips of seeds 10-19
    (35 blinks), as rendered, blurred (Gaussian, 1.5 and 2.5 pixels) and, without blinks, with the eyes
    dimmed to 0.6 of their contrast for 5 frames each second. At 0.8 its counts were off by one blink in all
    40 clips (a clip blurred by 2.5 pixels) and it counted no dim as a blink; at 0.7, 0.75 and 0.85 they were
    off by 13, 10 and 2 (all in the most blurred clips), at 0.9 by 34 (spurious blinks in every kind of
    clip, dims included). No swap was looked at to choose it. People blink about 26
    times a minute in conversation (``synth.motion``); a fake that never shows closed eyes scores 0.
    """
    from . import faces

    arr = np.asarray(opening, np.float32)
    if arr.ndim == 3:
        arr = np.asarray(faces.eye_aspect_ratio(arr), np.float32)
    if arr.ndim != 1 or len(arr) < 2:
        raise ValueError(f"blinks: opening must be one value per frame (T,) or T×68×2 landmarks, got shape "
                         f"{np.shape(opening)}")
    if not np.isfinite(arr).all():
        raise ValueError("blinks: opening contains NaN or infinite values")
    if isinstance(fps, bool) or not isinstance(fps, (int, np.integer)) or not 1 <= fps <= 240:
        raise ValueError(f"blinks: fps must be a whole number from 1 to 240, got {fps!r}")
    threshold = _check_number(threshold, "threshold", "blinks", 0.05, 0.95)
    closed = arr < threshold * np.percentile(arr, 90)
    edges = np.diff(np.concatenate([[0], closed.astype(np.int8), [0]]))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    minutes = len(arr) / fps / 60
    duration = float((ends - starts).mean() / fps) if len(starts) else 0.0
    return Blinks(float(len(starts) / minutes), duration, int(len(starts)), closed)


def flicker_score(frames, landmarks, ring: float = 0.2) -> float:
    """log10 of the face's brightness jitter over the surround's: above 0 the face flickers more (lab 06).

    Jitter is the std of the second temporal difference of a region's mean brightness: smooth motion and
    slow light changes cancel out, frame-to-frame flicker of a per-frame generator stays. Face and surround
    come from each frame's landmarks (``face_regions``).
    """
    from .validate import check_images

    frames = check_images(frames, "flicker_score: frames")
    pts = _check_clip_landmarks(frames, landmarks, "flicker_score")
    if len(frames) < 4:
        raise ValueError(f"flicker_score: needs at least 4 frames, got {len(frames)}")
    grey = _grey(frames)
    means = np.zeros((len(frames), 2))
    for t in range(len(frames)):
        inside, around = face_regions(pts[t], grey.shape[1:], ring)
        means[t] = grey[t][inside].mean(), grey[t][around].mean()
    jitter = np.diff(means, n=2, axis=0).std(axis=0)
    return float(np.log10((jitter[0] + 1e-6) / (jitter[1] + 1e-6)))


def av_sync_score(clip, use: str = "landmarks") -> float:
    """``|offset| − confidence`` of ``lipsync.sync_offset``: high when lips and voice disagree (lab 06, from lab 05).

    A real clip sits at offset 0 with a clear minimum; a new voice on old lips has no clear offset. Lips
    re-drawn from the audio match it better than real lips do, so they score lower than real clips.
    """
    from . import lipsync

    return sync_score(lipsync.sync_offset(clip, use=use))


def sync_score(result) -> float:
    """``|offset| − confidence`` of a ``lipsync.SyncResult`` already found, as ``av_sync_score`` (lab 06, lab 09)."""
    return float(abs(result.offset) - result.confidence)


# ---- audio: traces of synthesis and conversion ---------------------------------------------------

def spectral_flatness(audio, sr: int = 16_000) -> float:
    """Median over loud frames of the spectrum's geometric over arithmetic mean: 0 tonal, 1 white noise (lab 06)."""
    from .audio import spectrogram
    from .validate import check_audio

    power = spectrogram(check_audio(audio, sr, "spectral_flatness: audio"), sr).power.astype(np.float64) + 1e-12
    loud = _loud_frames(power)
    flat = np.exp(np.log(power[:, loud]).mean(axis=0)) / power[:, loud].mean(axis=0)
    return float(np.median(flat))


def _loud_frames(power: np.ndarray, range_db: float = 30.0) -> np.ndarray:
    level = 10 * np.log10(power.sum(axis=0))
    return level > level.max() - range_db


def high_band_ratio(audio, sr: int = 16_000, cutoff_hz: float = 4000.0) -> float:
    """Share of the loud frames' energy above ``cutoff_hz``: vocoders and resynthesis often lose it (lab 06)."""
    from .audio import spectrogram
    from .validate import check_audio

    spec = spectrogram(check_audio(audio, sr, "high_band_ratio: audio"), sr)
    cutoff_hz = _check_number(cutoff_hz, "cutoff_hz", "high_band_ratio", 100.0, sr / 2 - 100)
    power = spec.power.astype(np.float64) + 1e-12
    loud = _loud_frames(power)
    return float(power[spec.freqs >= cutoff_hz][:, loud].sum() / power[:, loud].sum())


def pitch_jitter(audio, sr: int = 16_000) -> float:
    """Mean |ΔF0| / F0 between neighbouring voiced 10 ms frames of ``audio.pitch_track`` (frame-level jitter) (lab 06).

    Human voices wobble by about 1%; a synthesiser's pitch can be too steady, a pitch shifter's too rough.
    Returns 0 when fewer than two neighbouring frames are voiced.
    """
    from .audio import pitch_track
    from .validate import check_audio

    track = pitch_track(check_audio(audio, sr, "pitch_jitter: audio"), sr)
    both = track.voiced[1:] & track.voiced[:-1]
    if not both.any():
        return 0.0
    f0 = track.f0.astype(np.float64)
    return float(np.mean(np.abs(np.diff(f0))[both] / f0[1:][both]))


def audio_traces(audio, sr: int = 16_000) -> dict:
    """``spectral_flatness``, ``high_band_ratio`` and ``pitch_jitter`` of one recording, in a dict (lab 09)."""
    from .validate import check_audio

    audio = check_audio(audio, sr, "audio_traces: audio")
    if len(audio) < sr // 10:
        raise ValueError(f"audio_traces: needs at least 0.1 s of audio, got {len(audio)} samples")
    return {"spectral_flatness": spectral_flatness(audio, sr), "high_band_ratio": high_band_ratio(audio, sr),
            "pitch_jitter": pitch_jitter(audio, sr)}


# ====================================================================================================
# The registry: every cue of lab 06 by name, as a detector (a score oriented so that higher means fake), with
# the parameters the explorer's sliders move.

class Param(NamedTuple):
    """One cue parameter's slider: ``low``, ``high``, ``step`` and the ``default`` the explorer starts at (lab 06)."""

    low: float
    high: float
    step: float
    default: float


class Cue(NamedTuple):
    """A cue as a detector: ``kind`` (image, clip, audio), ``score`` (oriented), ``map``, ``sign``, ``params`` (lab 06).

    ``score(item, landmarks, **params)`` is the raw cue times ``sign``, so that higher always means "more
    likely fake"; ``sign`` is -1 for the cues whose fakes the literature predicts to score lower (no blinks,
    lost high band, too steady a pitch). ``map(img, landmarks, **params)`` is an image cue's H×W picture
    (None for clip and audio cues). Parameters left out take the underlying function's own default.
    """

    name: str
    kind: str
    score: object
    map: object
    sign: float
    params: dict
    summary: str


def colour_map(img, landmarks, width: int | None = None) -> np.ndarray:
    """H×W CIELAB distance of each pixel in the two bands along the face's edge to the outer band's median (lab 06).

    The picture behind ``landmark_colour_mismatch``: 0 outside the bands; a pasted face of another skin
    shows an inner band brighter than the outer one.
    """
    from skimage import color

    from . import faces

    img = check_image(img, "colour_map: img")
    pts = check_landmarks(landmarks, name="colour_map: landmarks")
    erosion = faces.default_erosion(pts)
    mask = faces.erode_mask(faces.hull_mask(pts, img.shape), erosion)
    width = max(1, int(round(erosion))) if width is None else _check_width(width, "colour_map")
    inside, outside = boundary_bands(mask, width)
    lab = color.rgb2lab(img)
    dist = np.linalg.norm(lab - np.median(lab[outside], axis=0), axis=-1) if outside.any() else np.zeros(img.shape[:2])
    return np.where(inside | outside, dist, 0.0).astype(np.float32)


def _clip_blinks(clip, _pts, threshold=EYE_OPENING_THRESHOLD):
    return blinks(eye_opening(clip.frames, clip.truth["landmarks"]), threshold=threshold).rate_per_min


def _band_spectrum(img, _pts, band_low=0.75):
    spec = spectrum(img[None])
    h, w = spec.shape
    yy, xx = np.mgrid[0:h, 0:w]
    radius = np.hypot(yy - h // 2, xx - w // 2) / (min(h, w) // 2)
    return np.where(radius >= band_low, spec, spec.min())  # the band the score reads, the rest dimmed


def _high_frequency(img, _pts, band_low=0.75):
    return float(high_frequency_score(img[None], band=(band_low, 1.0))[0])


def _cue(name, kind, score, map_=None, sign=1.0, params=None, summary=""):
    return Cue(name, kind, score, map_, sign, dict(params or {}), summary)


_BOUNDARY = {"sigma": Param(0.5, 6.0, 0.5, 2.0), "dead_zone": Param(0.0, 1.0, 0.05, 0.3),
             "span": Param(0.1, 2.0, 0.1, 0.5)}
CUES = {c.name: c for c in (
    _cue("high_frequency", "image", _high_frequency, _band_spectrum,
         params={"band_low": Param(0.5, 0.95, 0.05, 0.75)}, summary="high-frequency power of the spectrum"),
    _cue("boundary", "image", lambda img, pts, **p: boundary_score(img, pts, **p),
         lambda img, _pts, **p: blending_boundary(img, **p), params=_BOUNDARY,
         summary="blending boundary (Face X-ray)"),
    _cue("colour", "image", lambda img, pts, **p: landmark_colour_mismatch(img, pts, **p), colour_map,
         params={"width": Param(1, 8, 1, 2)}, summary="colour mismatch between face and surrounding skin"),
    _cue("residual", "image", lambda img, pts, **p: residual_score(img, pts, **p),
         lambda img, _pts, **p: noise_residual(img, **p), params={"size": Param(3, 5, 2, 3)},
         summary="noise residual: the face cleaner than its frame"),
    _cue("error_level", "image", lambda img, pts, **p: error_level_score(img, pts, **p),
         lambda img, _pts, **p: error_level(img, **p), params={"quality": Param(50, 100, 5, 90)},
         summary="error-level analysis after a JPEG re-save"),
    _cue("sharpness", "image", sharpness_score, lambda img, _pts: np.abs(sharpness_map(img)),
         summary="local sharpness: the face blurrier than its frame"),
    _cue("blinks", "clip", _clip_blinks, sign=-1.0, params={"threshold": Param(0.5, 0.95, 0.05, EYE_OPENING_THRESHOLD)},
         summary="blink rate from eye opening (the dark patch's height over its width)"),
    _cue("flicker", "clip", lambda clip, _pts: flicker_score(clip.frames, clip.truth["landmarks"]),
         summary="the face's flicker against the background's"),
    _cue("av_offset", "clip", lambda clip, _pts: av_sync_score(clip), summary="lips against voice (lab 05)"),
    _cue("spectral_flatness", "audio", lambda a, _pts: spectral_flatness(a), summary="spectral flatness"),
    _cue("high_band_ratio", "audio", lambda a, _pts, **p: high_band_ratio(a, **p), sign=-1.0,
         params={"cutoff_hz": Param(1000.0, 7000.0, 250.0, 4000.0)}, summary="energy above the cut-off"),
    _cue("pitch_jitter", "audio", lambda a, _pts: pitch_jitter(a), sign=-1.0, summary="pitch jitter"),
)}
CUE_KINDS = ("image", "clip", "audio")


def cue_names(kind: str | None = None) -> tuple:
    """The registered cues' names, all or those of one ``kind`` ("image", "clip", "audio") (lab 06)."""
    if kind is not None and kind not in CUE_KINDS:
        raise ValueError(f"cue_names: kind must be one of {CUE_KINDS} or None, got {kind!r}")
    return tuple(n for n, c in CUES.items() if kind is None or c.kind == kind)


def get_cue(name) -> Cue:
    """The registered cue ``name``; a ValueError lists the known ones (lab 06)."""
    if not isinstance(name, str) or name not in CUES:
        raise ValueError(f"cue: no cue {name!r}; choose one of {list(CUES)}")
    return CUES[name]


def check_params(cue: Cue, params: dict, fn: str) -> dict:
    """Check ``params`` against a cue's sliders: known names, numbers inside their ranges (lab 06)."""
    unknown = sorted(set(params) - set(cue.params))
    if unknown:
        raise ValueError(f"{fn}: cue {cue.name!r} has no parameter {unknown[0]!r}; its parameters are "
                         f"{list(cue.params) or 'none'}")
    out = {}
    for key, value in params.items():
        p = cue.params[key]
        whole = all(float(v).is_integer() for v in (p.low, p.high, p.step))
        out[key] = check_scalar(value, key, int if whole else float, min_val=p.low, max_val=p.high, fn=fn)
    if "size" in out and out["size"] not in (3, 5):
        raise ValueError(f"{fn}: size must be 3 or 5 (the median filter's width), got {out['size']!r}")
    return out


def cue_score(name: str, item, landmarks=None, **params) -> float:
    """Cue ``name``'s score of one image (with its landmarks), clip or recording: higher means fake (lab 06)."""
    cue = get_cue(name)
    params = check_params(cue, params, "cue_score")
    if cue.kind == "image":
        item = check_image(item, "cue_score: item")
        landmarks = check_landmarks(landmarks, name="cue_score: landmarks")
    elif cue.kind == "clip" and not hasattr(item, "frames"):
        raise ValueError(f"cue_score: cue {name!r} reads a clip (a synth.Clip, e.g. synth.talking_clip), got "
                         f"{type(item).__name__}")
    score = cue.sign * float(cue.score(item, landmarks, **params))
    if not np.isfinite(score):
        raise ValueError(f"cue_score: cue {name!r} gave {score} on this item; is it blank or all one colour?")
    return score


def cue_map(name: str, img, landmarks=None, **params) -> np.ndarray:
    """Image cue ``name``'s H×W map of ``img`` (the explorer's middle picture) (lab 06)."""
    cue = get_cue(name)
    if cue.map is None:
        raise ValueError(f"cue_map: cue {name!r} reads a {cue.kind}, it has no image map; choose one of "
                         f"{cue_names('image')}")
    params = check_params(cue, params, "cue_map")
    img = check_image(img, "cue_map: img")
    if landmarks is not None:
        landmarks = check_landmarks(landmarks, name="cue_map: landmarks")
    elif name == "colour":
        raise ValueError("cue_map: cue 'colour' needs the face's landmarks (68×2)")
    return np.asarray(cue.map(img, landmarks, **params), np.float32)


def auc(real_scores, fake_scores) -> float:
    """ROC AUC (scikit-learn) of fakes (label 1) over real items (label 0) by score; 0.5 is chance (lab 06)."""
    from sklearn.metrics import roc_auc_score

    real = check_finite(real_scores, "real_scores", "auc").ravel()
    fake = check_finite(fake_scores, "fake_scores", "auc").ravel()
    if not len(real) or not len(fake):
        raise ValueError(f"auc: needs at least one real and one fake score, got {len(real)} and {len(fake)}")
    y = np.r_[np.zeros(len(real)), np.ones(len(fake))]
    return round(float(roc_auc_score(y, np.r_[real, fake])), 4)


# ---- the camera's grain: what a pasted or decoded face loses (lab 09) -------------------------------

def _inner_face(face, shape, shrink: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    """``face_regions``' face, eroded by ``shrink`` × its size (the seam left out), and its surround."""
    import cv2

    inside, around = face_regions(face, shape)
    r = max(1, int(round(shrink * np.sqrt(inside.sum()))))
    inner = cv2.erode(inside.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    return (inner > 0) if inner.any() else inside, around


def grain_score(img, face) -> float:
    """log10 of the median noise residual around the face over inside it: above 0 the face lost the frame's grain (lab 09).

    ``residual_score`` takes the mean energy, which the few strong edges (eyes, mouth, the seam) rule; the
    median of ``noise_residual``'s size, over the face less its edge, reads the fine grain (sensor noise)
    that covers most pixels. A face warped triangle by triangle (lab 02) or drawn by a decoder (lab 03) was
    resampled, and resampling smooths that grain away.
    """
    img = check_image(img, "grain_score: img")
    inside, around = _inner_face(face, img.shape[:2])
    return _log_ratio(np.abs(noise_residual(img)), around, inside, eps=1e-6, stat=np.median)


def temporal_noise_score(frames, landmarks) -> float:
    """log10 of the surround's frame-to-frame noise over the face's, median over frame pairs: above 0 the face is
    steadier than the camera (lab 09).

    The sensor's noise is new in every frame, so the difference of two neighbouring frames, less its 3×3
    median (the motion), is noise; a pasted or decoded face was resampled and carries less of it. A heavy
    re-encoding removes the noise everywhere, and the score falls to about 0.
    """
    frames = check_images(frames, "temporal_noise_score: frames")
    pts = _check_clip_landmarks(frames, landmarks, "temporal_noise_score")
    if len(frames) < 2:
        raise ValueError(f"temporal_noise_score: needs at least 2 frames, got {len(frames)}")
    grey = _grey(frames).astype(np.float32)
    scores = []
    for t in range(len(frames) - 1):
        noise = np.abs(_median_residual(grey[t + 1] - grey[t]))
        inside, around = _inner_face(pts[t], noise.shape)
        scores.append(_log_ratio(noise, around, inside, eps=1e-6, stat=np.median))
    return float(np.median(scores))
