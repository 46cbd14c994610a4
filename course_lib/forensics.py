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
