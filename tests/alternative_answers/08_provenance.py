"""Alternative correct answers for lab 08's exercises, written differently from the reference (issue 15)."""
import math

import numpy as np


def detection_score_float32(angles):
    """All in float32, the dtype of the library's angles, with the mean instead of the sum: z = mean · sqrt(2n)."""
    a = np.asarray(angles, np.float32).reshape(-1)
    return np.cos(2 * a).mean() * np.sqrt(np.float32(2 * a.size))


def detection_score_loop(angles):
    """A plain loop with the math module, returning a Python float."""
    flat = np.ravel(angles)
    return sum(math.cos(2 * float(x)) for x in flat) / math.sqrt(len(flat) / 2)


def bit_accuracy_loop(decoded, sent):
    """Counting agreements one pair at a time."""
    pairs = list(zip(np.ravel(decoded), np.ravel(sent)))
    return sum(int(a) == int(b) for a, b in pairs) / len(pairs)


def bit_accuracy_xor(decoded, sent):
    """One minus the share of differing bits (XOR), as the Hamming distance is usually written."""
    d = np.asarray(decoded, bool)
    s = np.asarray(sent, bool)
    return 1 - np.count_nonzero(d ^ s) / s.size


def verify_signature_any_exception(public_key, signature, message):
    """Catching every exception from verify, and returning 1 or 0."""
    try:
        public_key.verify(signature, message)
        return 1
    except Exception:  # noqa: BLE001 - any failure to verify means "not valid"
        return 0


def verify_signature_else(public_key, signature, message):
    """try / except / else with the exception imported at the top of the function."""
    from cryptography import exceptions

    try:
        public_key.verify(signature, message)
    except exceptions.InvalidSignature:
        ok = False
    else:
        ok = True
    return ok


ALTERNATIVES = {
    "detection_score_test": [detection_score_float32, detection_score_loop],
    "bit_accuracy_test": [bit_accuracy_loop, bit_accuracy_xor],
    "verify_signature_test": [verify_signature_any_exception, verify_signature_else],
}
