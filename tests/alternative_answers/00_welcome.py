"""Alternative correct answers for lab 00's exercises, written differently from the reference (issue 15)."""
import math

import numpy as np


def to_float_image_reciprocal(img_u8):
    """float32 first, then multiply by 1/255 in float32."""
    return np.asarray(img_u8, dtype=np.float32) * np.float32(1 / 255)


def to_float_image_float64(img_u8):
    """Divide in float64 (NumPy's default), then cast."""
    return (img_u8 / 255).astype(np.float32)


def eye_aspect_ratio_float32(eye):
    """No conversion to float64 and a NumPy float32 result."""
    eye = eye.astype(np.float32)
    gap = np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])
    return gap / (2 * np.linalg.norm(eye[0] - eye[3]))


def eye_aspect_ratio_loop(eye):
    """Point by point with math.hypot, no np.asarray: the prompt promises a 6×2 array."""
    def dist(a, b):
        return math.hypot(eye[a][0] - eye[b][0], eye[a][1] - eye[b][1])
    return (dist(1, 5) + dist(2, 4)) / (2 * dist(0, 3))


def mouth_opening_float32(landmarks):
    """float32 throughout, np.hypot for the lengths."""
    pts = landmarks.astype(np.float32)
    return np.hypot(*(pts[66] - pts[62])) / np.hypot(*(pts[16] - pts[0]))


ALTERNATIVES = {
    "to_float_image_test": [to_float_image_reciprocal, to_float_image_float64],
    "eye_aspect_ratio_test": [eye_aspect_ratio_float32, eye_aspect_ratio_loop],
    "mouth_opening_test": [mouth_opening_float32],
}
