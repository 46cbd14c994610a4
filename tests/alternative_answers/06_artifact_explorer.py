"""Alternative correct answers for lab 06's exercises, written differently from the reference (issue 15)."""
import numpy as np


def azimuthal_average_floor_loop(spec):
    """Truncated (floor) radii, the other common convention the prompt allows, summed in a plain loop, float32."""
    spec = np.asarray(spec, np.float32)
    h, w = spec.shape
    n = min(h, w) // 2 + 1
    sums, counts = np.zeros(n, np.float32), np.zeros(n, np.int64)
    for y in range(h):
        for x in range(w):
            r = int(np.hypot(y - h // 2, x - w // 2))
            if r < n:
                sums[r] += spec[y, x]
                counts[r] += 1
    return sums / counts


def azimuthal_average_masks(spec):
    """One boolean ring per radius with np.mean, rounded radii, returned as a list."""
    spec = np.array(spec)
    h, w = spec.shape
    yy, xx = np.mgrid[0:h, 0:w]
    radius = np.round(np.sqrt((yy - h // 2) ** 2 + (xx - w // 2) ** 2))
    return [float(spec[radius == r].mean()) for r in range(min(h, w) // 2 + 1)]


def error_level_map_pillow(img, quality=90):
    """Pillow's JPEG encoder instead of OpenCV's, in float64, truncating to 8 bits as many tutorials do."""
    import io

    from PIL import Image

    arr = np.asarray(img, dtype=np.float64)
    buffer = io.BytesIO()
    Image.fromarray((arr * 255).astype(np.uint8)).save(buffer, format="JPEG", quality=quality)
    resaved = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"), dtype=np.float64) / 255
    return np.mean(np.abs(arr - resaved), axis=2)


def error_level_map_channels(img, quality=90):
    """OpenCV's encoder called directly, the three channels' differences added and divided by 3."""
    import cv2

    img = np.asarray(img, dtype=np.float32)
    ok, buf = cv2.imencode(".jpg", np.round(img * 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality])
    back = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED).astype(np.float32) / 255  # channel order kept as given
    diff = np.abs(img - back)
    return (diff[..., 0] + diff[..., 1] + diff[..., 2]) / 3


def count_blinks_loop(opening, threshold=0.6):
    """A frame-by-frame state machine over a Python list, with np.quantile for the open level."""
    values = list(opening)
    limit = threshold * float(np.quantile(values, 0.9))
    count, closed_before = 0, False
    for v in values:
        closed = v < limit
        if closed and not closed_before:
            count += 1
        closed_before = closed
    return count


def count_blinks_diff(opening, threshold=0.6):
    """Rising edges of the padded closed signal with np.diff, returned as a NumPy integer."""
    x = np.asarray(opening, dtype=np.float32)
    closed = (x < threshold * np.percentile(x, 90)).astype(np.int8)
    return np.count_nonzero(np.diff(np.r_[0, closed]) == 1)


ALTERNATIVES = {
    "azimuthal_average_test": [azimuthal_average_floor_loop, azimuthal_average_masks],
    "error_level_map_test": [error_level_map_pillow, error_level_map_channels],
    "count_blinks_test": [count_blinks_loop, count_blinks_diff],
}
