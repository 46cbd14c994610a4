"""Alternative correct answers for lab 02's exercises, written differently from the reference (issue 15)."""
import cv2
import numpy as np
from scipy import ndimage
from skimage import color, draw
from skimage.transform import SimilarityTransform


def umeyama_float32(src, dst):
    """Umeyama in float32, the landmarks' own dtype, and no np.asarray: the prompt promises n×2 arrays."""
    src, dst = src.astype(np.float32), dst.astype(np.float32)
    s, d = src - src.mean(0), dst - dst.mean(0)
    U, D, Vt = np.linalg.svd(d.T @ s / np.float32(len(src)))
    sign = np.float32(np.sign(np.linalg.det(U @ Vt)) or 1)
    S = np.diag(np.array([1, sign], np.float32))
    R = U @ S @ Vt
    c = (D * np.diag(S)).sum() / (s ** 2).sum(1).mean()
    t = dst.mean(0) - c * R @ src.mean(0)
    return np.concatenate([c * R, t[:, None]], axis=1)


def umeyama_skimage(src, dst):
    """scikit-image's SimilarityTransform, which implements Umeyama's method."""
    return SimilarityTransform.from_estimate(np.asarray(src), np.asarray(dst)).params[:2]


def warp_triangle_remap(img, src_tri, dst_tri, out):
    """The backward map solved with NumPy, sampled with cv2.remap, the mask drawn by scikit-image."""
    src_tri = np.float32(src_tri) - 0.5
    dst_tri = np.float32(dst_tri) - 0.5
    x0, y0 = np.maximum(np.floor(dst_tri.min(axis=0)).astype(int), 0)
    x1 = min(int(np.ceil(dst_tri[:, 0].max())) + 1, out.shape[1])
    y1 = min(int(np.ceil(dst_tri[:, 1].max())) + 1, out.shape[0])
    w, h = x1 - x0, y1 - y0
    local = (dst_tri - [x0, y0]).astype(np.float64)
    A = np.linalg.solve(np.c_[local, np.ones(3)], src_tri.astype(np.float64))  # 3×2: [x, y, 1] @ A = source
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    grid = np.stack([xx, yy, np.ones_like(xx)], axis=-1) @ A
    patch = cv2.remap(img, grid[..., 0].astype(np.float32), grid[..., 1].astype(np.float32), cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_REPLICATE)
    mask = np.zeros((h, w), np.float32)
    rows, cols = draw.polygon(local[:, 1], local[:, 0], shape=(h, w))
    mask[rows, cols] = 1.0
    for y in range(h):  # a loop instead of broadcasting
        for x in range(w):
            if mask[y, x]:
                out[y0 + y, x0 + x] = patch[y, x]
    return out


def feather_scipy(mask, erosion, blur):
    """SciPy's binary erosion (with OpenCV's disc) and Gaussian filter, in float64."""
    m = np.asarray(mask) > 0.5
    r = int(round(erosion))
    if r > 0:
        disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)).astype(bool)
        m = ndimage.binary_erosion(m, structure=disc)
    m = m.astype(np.float64)
    if blur > 0:
        m = ndimage.gaussian_filter(m, blur, truncate=4.0)
    return m.astype(np.float32)


def reinhard_loop(source, target):
    """Channel by channel in float32, without clipping L* (the library's convention is not asked for)."""
    lab_s = color.rgb2lab(source).astype(np.float32)
    lab_t = color.rgb2lab(target).astype(np.float32)
    out = np.empty_like(lab_s)
    for ch in range(3):
        s, t = lab_s[..., ch], lab_t[..., ch]
        out[..., ch] = (s - s.mean()) * (t.std() / max(s.std(), 1e-6)) + t.mean()
    return np.clip(color.lab2rgb(out), 0, 1).astype(np.float32)


ALTERNATIVES = {
    "umeyama_test": [umeyama_float32, umeyama_skimage],
    "warp_triangle_test": [warp_triangle_remap],
    "feather_test": [feather_scipy],
    "reinhard_test": [reinhard_loop],
}
