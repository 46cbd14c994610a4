"""The classical face swap of lab 02: speed per frame, seams and colour mismatch per blend mode (lab 02).

Pairs of synthetic people (different identities, poses, light and backgrounds) are swapped the four ways
of ``course_lib.forensics.SWAP_VARIANTS``, all with the same mask erosion, so that every score is read
along the same boundary:

* hard paste (``*_hard``): no colour transfer, no feathering (the reference)
* feathered (``colour_delta_e_raw``): alpha blend with a feathered mask, no colour transfer
* feathered + colour (``seam_alpha``, ``colour_delta_e_transfer``): the same after Reinhard colour transfer
* Poisson + colour (``*_poisson``): Poisson blending (cv2.seamlessClone) after Reinhard colour transfer

Metrics: ``ms_per_frame`` (one alpha swap of a 128×128 frame, with colour transfer), ``seam_*`` (median
``forensics.seam_score``; 1 = no new edge along the boundary), ``colour_delta_e_*`` (median
``forensics.colour_mismatch``, CIEDE2000 between the skin just inside and just outside the boundary).
"""
from __future__ import annotations

import numpy as np

from . import median_time

PAIRS = {"fast": 12, "full": 60}
REPEATS = {"fast": 3, "full": 20}
SIZE = 128
SEED = 2
TARGETS = {"seam_alpha": ("<=", 1.5), "seam_poisson": ("<=", 1.5)}


def run(mode: str) -> dict:
    """Median time per swapped frame, and median seam and colour scores over the mode's pairs (lab 02)."""
    from course_lib import faces, fakes, forensics

    data = fakes.face_pairs(PAIRS[mode], size=SIZE, seed=SEED)
    rows = [forensics.swap_scores(s_img, s_pts, t_img, t_pts) for (s_img, s_pts), (t_img, t_pts) in data]
    (s_img, s_pts), (t_img, t_pts) = data[0]
    seconds = median_time(lambda: faces.classical_swap(s_img, s_pts, t_img, t_pts), REPEATS[mode])

    def med(variant, score):
        return float(np.median([r[variant][score] for r in rows]))

    return {
        "ms_per_frame": round(seconds * 1e3, 2),
        "seam_hard": round(med("hard paste", "seam"), 3),
        "seam_alpha": round(med("feathered + colour", "seam"), 3),
        "seam_poisson": round(med("Poisson + colour", "seam"), 3),
        "colour_delta_e_hard": round(med("hard paste", "colour"), 2),
        "colour_delta_e_raw": round(med("feathered", "colour"), 2),
        "colour_delta_e_transfer": round(med("feathered + colour", "colour"), 2),
        "colour_delta_e_poisson": round(med("Poisson + colour", "colour"), 2),
        "pairs": len(rows),
        "size": SIZE,
    }
