"""What the lab 01 tests share: a fake clock, hand-made game items and tiny models (no test here)."""
import numpy as np
import pytest

from course_lib import game, swap, synth, voice

REAL = {"face": "real", "voice": "real", "lips": "real"}


class FakeClock:
    """A clock that returns the given times in turn, for timing answers without waiting."""

    def __init__(self, *times):
        self.times = list(times)

    def __call__(self):
        return self.times.pop(0)


def answer(fake: bool, guess_fake: bool, source: str = "GAN sample", media: str = "image", seconds: float = 1.0,
           item: str = "x") -> game.Answer:
    return game.Answer(item, media, source if fake else "real", fake, guess_fake, seconds)


def png_item(k: int, fake: bool, source: str = "GAN sample") -> game.Item:
    from course_lib import media

    img = np.full((8, 8, 3), 0.1 * k, np.float32)
    return game.Item(f"{k:02d}", "image", source if fake else "real", fake, source, png=media.png_bytes(img), image=img)


def clip_item(k: int, fake: bool) -> game.Item:
    return game.Item(f"{k:02d}", "clip", "(2) fake face" if fake else "real", fake, "(2) fake face",
                     html=f'<video class="v{k}"></video>')



@pytest.fixture(scope="module")
def tiny_swapper():
    """An untrained swapper for the shipped pair, small enough to build in milliseconds."""
    return swap.SwapModel(swap.PAIR, size=32, width=4, latent=16).eval()


@pytest.fixture(scope="module")
def converter():
    """Ben's voice into Gus's (the person every lab 01 clip shows), from two recordings each."""
    return voice.fit_converter(voice.enrolment("ben", n=2), voice.enrolment(swap.PAIR[1], n=2))


@pytest.fixture(scope="module")
def base_clip():
    return synth.talking_clip(synth.cast("gus"), seconds=1.0, size=32, seed=0)

