"""Alternative correct answers for lab 07's exercises, written differently from the reference (issue 15)."""
import math
from collections import defaultdict
from functools import lru_cache

import numpy as np


def log_loss_loop(labels, probs, eps=1e-15):
    """A plain loop with math.log over Python floats, each item's cost chosen by its label."""
    total = 0.0
    for y, p in zip(labels, probs):
        p = min(max(float(p), eps), 1 - eps)
        total += -math.log(p) if y == 1 else -math.log(1 - p)
    return total / len(labels)


def log_loss_where(labels, probs, eps=1e-15):
    """The probability given to the true answer picked with np.where, returned as a NumPy scalar."""
    y = np.asarray(labels)
    p = np.clip(np.asarray(probs, dtype=np.float64), eps, 1 - eps)
    return -np.log(np.where(y == 1, p, 1 - p)).mean()


def log_loss_sklearn(labels, probs, eps=1e-15):
    """scikit-learn itself, after clipping, as the prompt allows any correct computation."""
    from sklearn.metrics import log_loss

    return log_loss(labels, np.clip(np.asarray(probs, dtype=np.float64), eps, 1 - eps), labels=[0, 1])


def equal_error_rate_roc(labels, scores):
    """scikit-learn's full ROC curve (no points dropped): FNR = 1 − TPR, the closest pair, float32 scores."""
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(np.asarray(labels), np.asarray(scores, dtype=np.float32), drop_intermediate=False)
    fnr = 1 - tpr
    i = np.argmin(np.abs(fpr - fnr))
    return (fpr[i] + fnr[i]) / 2


def equal_error_rate_interpolated(labels, scores):
    """Where the FPR and FNR curves cross, by linear interpolation between the two thresholds around it."""
    y = np.asarray(labels).astype(int)
    s = np.asarray(scores, dtype=np.float64)
    real, fake = s[y == 0], s[y == 1]
    ts = np.unique(s)
    fpr = np.array([np.mean(real >= t) for t in ts])  # falls as t rises
    fnr = np.array([np.mean(fake < t) for t in ts])  # rises as t rises
    d = fpr - fnr
    if d[0] <= 0:  # the rates never cross: the lowest threshold is the closest
        return float((fpr[0] + fnr[0]) / 2)
    k = int(np.argmax(d <= 0)) if np.any(d <= 0) else len(d) - 1
    if d[k] > 0:
        return float((fpr[k] + fnr[k]) / 2)
    w = d[k - 1] / (d[k - 1] - d[k])  # the fraction of the way from threshold k-1 to k where d reaches 0
    return float(fpr[k - 1] + w * (fpr[k] - fpr[k - 1]))


def clip_scores_grouped(frame_probs, clip_ids, eps=1e-6):
    """scipy's logit and expit, frames grouped in a dict of lists, ids kept exactly as given."""
    from scipy.special import expit, logit

    groups = defaultdict(list)
    for p, c in zip(frame_probs, clip_ids):
        groups[c].append(logit(min(max(float(p), eps), 1 - eps)))
    return {c: expit(np.mean(z)) for c, z in groups.items()}


def clip_scores_bincount(frame_probs, clip_ids, eps=1e-6):
    """np.unique's inverse index and np.bincount on float32 log-odds computed as log p − log(1 − p)."""
    p = np.clip(np.asarray(frame_probs, dtype=np.float32), eps, 1 - eps)
    uniq, which = np.unique(np.asarray(clip_ids), return_inverse=True)
    z = np.bincount(which, weights=np.log(p) - np.log1p(-p)) / np.bincount(which)
    return dict(zip(uniq.tolist(), 1 / (1 + np.exp(-z))))


@lru_cache(maxsize=1)
def _shipped_stack():
    """The shipped image and frequency detectors, and the weights that combine their log-odds, fitted by
    scikit-learn's cross-validated logistic regression on fresh validation frames compressed like the challenge's.

    Its C is chosen by log loss, the challenge's measure. Chosen by accuracy (the default), the smallest C
    (1e-4) won with the shipped detectors and every probability sat near 0.5: log loss 0.64 on the hidden set,
    a near-chance entry that the hidden test rightly fails."""
    from sklearn.linear_model import LogisticRegressionCV

    from course_lib import detect

    image, freq = detect.pretrained("image"), detect.pretrained("frequency")
    val = detect.image_dataset(150, splits=("val",), people_per_split=24, seed=123)
    x = detect.jpeg(val.items, 75)
    both = np.c_[image.logits(x), freq.logits(x)]
    model = LogisticRegressionCV(Cs=5, cv=3, scoring="neg_log_loss").fit(both, val.labels)
    return image, freq, model


def predict_fake_shipped(images):
    """Other detectors (the shipped ones), its own validation frames and weights, clipped at 0.05, as a list."""
    image, freq, model = _shipped_stack()
    p = model.predict_proba(np.c_[image.logits(images), freq.logits(images)])[:, 1]
    return [min(max(float(v), 0.05), 0.95) for v in p]


ALTERNATIVES = {
    "log_loss_by_hand_test": [log_loss_loop, log_loss_where, log_loss_sklearn],
    "equal_error_rate_test": [equal_error_rate_roc, equal_error_rate_interpolated],
    "clip_scores_test": [clip_scores_grouped, clip_scores_bincount],
    "predict_fake_test": [predict_fake_shipped],
}
