"""Alternative correct answers for lab 01's exercises, written differently from the reference (issue 15)."""
import math

MEDIA = {"text": {"text"}, "speech": {"speech", "audio", "voice"}, "image": {"image", "video", "frames"}}
NAMED = {("text", "speech"), ("speech", "speech"), ("image", "image"), ("speech", "image")}


def synthesis_kind_four(source, target):
    """Only the four kinds the prompt names; other pairs of known words give None."""
    found = []
    for word in (source, target):
        word = str(word).strip().lower()
        medium = next((m for m, words in MEDIA.items() if word in words), None)
        if medium is None:
            raise ValueError(f"unknown medium {word!r}")
        found.append(medium)
    return f"{found[0]}-to-{found[1]}" if tuple(found) in NAMED else None


def category_of_arithmetic(labels):
    """The category as a two-bit number: voice is bit 0, video bit 1."""
    fake_voice = labels["voice"] in ("synthetic", "converted")
    fake_video = labels["face"] == "swapped" or labels["lips"] == "synced"
    return int(fake_voice) + 2 * int(fake_video)


def accuracy_with_interval_loop(answers, z=1.96):
    """A loop and the math module, no clipping (the formula never leaves [0, 1])."""
    n = k = 0
    for answer in answers:
        n += 1
        if answer["fake"] == answer["guess_fake"]:
            k += 1
    p = k / n
    centre = (p + z ** 2 / (2 * n)) / (1 + z ** 2 / n)
    half = z / (1 + z ** 2 / n) * math.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2))
    return p, centre - half, centre + half


def accuracy_with_interval_counts(answers, z=1.96):
    """The same interval in its count form, (2k + z² ± z·√(z² + 4k(n−k)/n)) / (2(n + z²))."""
    n = len(answers)
    k = sum(1 for a in answers if bool(a["fake"]) is bool(a["guess_fake"]))
    root = z * math.sqrt(z * z + 4 * k * (n - k) / n)
    return k / n, (2 * k + z * z - root) / (2 * (n + z * z)), (2 * k + z * z + root) / (2 * (n + z * z))


ALTERNATIVES = {
    "synthesis_kind_test": [synthesis_kind_four],
    "category_of_test": [category_of_arithmetic],
    "accuracy_with_interval_test": [accuracy_with_interval_loop, accuracy_with_interval_counts],
}
