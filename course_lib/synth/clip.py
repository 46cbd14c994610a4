"""Talking clips: a synthetic person saying a text, frames and audio in sync, with ground truth (lab 00).

A ``Clip`` holds 25 fps frames, 16 kHz audio and a ``truth`` dict. Its ``labels`` say which tracks are
real and which synthetic (face, voice, lips), the vocabulary of the course's three categories of deepfake:
(1) a real video with a fake voice, (2) a swapped face with the real voice, (3) both.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..validate import FPS, SAMPLE_RATE, check_finite, check_object, check_scalar, check_seed
from .face import FaceState, render_batch
from .identity import Identity
from .motion import BLINKS_PER_MIN_TALKING, blink_times, eye_openness, head_motion
from .speech import speak

SENTENCES = (
    "The weather today is bright and clear, with a light wind from the west.",
    "Please remember to bring your notes to the meeting on Monday.",
    "We planted tomatoes and beans in the garden last spring.",
    "The library opens at nine and closes late on Thursday.",
    "A good map and a warm coat make any long walk easier.",
    "The train to the coast leaves from platform five.",
    "Our team will present the results of the survey next week.",
    "She painted the kitchen a soft shade of green.",
    "Fresh bread is best eaten on the day it is baked.",
    "The museum has a new room of old maps and clocks.",
    "He fixed the bike and then rode it to the lake.",
    "Thank you all for coming, and welcome to the course.",
    "The river was calm, so we took the boat out at dawn.",
    "Every morning the cat waits by the door for its breakfast.",
    "Turn left at the bakery and the school is on your right.",
    "The concert was moved indoors because of the rain.",
)

REAL_LABELS = {"face": "real", "voice": "real", "lips": "real"}


@dataclass
class Clip:
    """Frames T×H×W×3 in [0, 1] at ``fps``, mono audio at ``sr``, and ground truth in ``truth`` (lab 00)."""

    frames: np.ndarray
    audio: np.ndarray
    fps: int = FPS
    sr: int = SAMPLE_RATE
    truth: dict = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return len(self.frames) / self.fps

    @property
    def labels(self) -> dict:
        """Which tracks are real or synthetic: keys face, voice, lips (lab 01)."""
        return dict(self.truth.get("labels", REAL_LABELS))

    def write(self, path) -> Path:
        """Write the clip as an H.264/AAC mp4 that plays in a browser (lab 00)."""
        from ..media import write_mp4

        return write_mp4(path, self.frames, self.audio, self.fps, self.sr)

    def show(self, path=None, width: int = 256):
        """Play the clip inline with sound, keeping the mp4 at ``path`` if given; returns ``path`` (lab 00).

        Without ``path`` the mp4 goes to a temporary folder that is removed once the video is embedded.
        """
        from ..files import temporary_folder
        from ..media import show_video

        if path is not None:
            show_video(self.write(path), width)
            return path
        with temporary_folder(prefix="deepfake-lab-clip-") as folder:
            show_video(self.write(folder / "clip.mp4"), width)
        return None


def sample_text(seconds: float, seed: int = 0) -> str:
    """Sentences from the course's neutral corpus, enough for about ``seconds`` of speech (lab 00)."""
    seconds = check_scalar(seconds, "seconds", float, min_val=0.0, max_val=3600.0, fn="sample_text")
    rng = np.random.default_rng([check_seed(seed, "sample_text: seed"), 0x7E47])
    order = rng.permutation(len(SENTENCES))
    words_needed = seconds * 2.6  # about 2.6 words a second in this synthesiser
    chosen, words = [], 0
    for i in np.resize(order, 4 * len(order)):
        chosen.append(SENTENCES[i])
        words += len(SENTENCES[i].split())
        if words >= words_needed:
            break
    return " ".join(chosen)


def talking_clip(ident: Identity, text: str | None = None, seconds: float | None = None, size: int = 128,
                 seed: int = 0, *, motion: float = 1.0, blink_rate: float = BLINKS_PER_MIN_TALKING,
                 background=None, light: tuple[float, float] | None = None, noise: float = 0.01,
                 jpeg_quality: int = 0, speech=None, mouth=None) -> Clip:
    """A clip of ``ident`` saying ``text`` (or neutral sentences), lips, blinks and head in motion (lab 00).

    ``seconds`` trims or pads the clip to an exact length. ``speech`` replaces the voice track with a
    ready-made ``Speech`` (lab 05 passes converted voices here), and the mouth follows its phonemes.
    ``mouth`` (one opening in [0, 1] per frame) overrides the mouth track: lab 05 drives lips from audio.
    """
    check_object(ident, "ident", Identity, "synth.cast(name) or synth.identity(seed)", "talking_clip")
    seed = check_seed(seed, "talking_clip: seed")
    seconds = check_scalar(seconds, "seconds", float, min_val=0.2, max_val=120.0, allow_none=True, fn="talking_clip")
    size = check_scalar(size, "size", int, min_val=16, max_val=256, fn="talking_clip")
    motion = check_scalar(motion, "motion", float, min_val=0.0, max_val=3.0, fn="talking_clip")
    blink_rate = check_scalar(blink_rate, "blink_rate", float, min_val=0.0, max_val=600.0, fn="talking_clip")
    noise = check_scalar(noise, "noise", float, min_val=0.0, max_val=1.0, fn="talking_clip")
    jpeg_quality = check_scalar(jpeg_quality, "jpeg_quality", int, min_val=0, max_val=100, fn="talking_clip")
    if text is not None and not isinstance(text, str):
        raise ValueError(f"talking_clip: text must be a str (or None for neutral sentences), got {type(text).__name__}")
    if speech is not None and not hasattr(speech, "mouth_track"):
        raise ValueError("talking_clip: speech must be a synth.Speech (from synth.speak or the voice module), "
                         f"got {type(speech).__name__}")
    if mouth is not None:
        mouth = check_finite(mouth, "mouth", "talking_clip").astype(np.float32).reshape(-1)
    if background is not None:
        background = check_finite(background, "background", "talking_clip")
        if background.shape != (3,) or background.min() < 0 or background.max() > 1:
            raise ValueError(f"talking_clip: background must be an RGB colour, 3 numbers in [0, 1], got {background!r}")
    if light is not None:
        light = check_finite(light, "light", "talking_clip")
        if light.shape != (2,):
            raise ValueError(f"talking_clip: light must be (azimuth, elevation) in radians, got {light!r}")
    if speech is None:
        text = text if text is not None else sample_text(seconds or 6.0, seed)
        speech = speak(ident, text, seed=seed)
    audio = speech.audio
    # a whole number of frames, and exactly SAMPLE_RATE / FPS audio samples per frame
    n_frames = int(round(seconds * FPS)) if seconds is not None else int(np.ceil(speech.duration * FPS))
    duration = n_frames / FPS
    n_samples = n_frames * (SAMPLE_RATE // FPS)
    audio = np.pad(audio, (0, max(0, n_samples - len(audio))))[:n_samples]

    if mouth is None:
        mouth, rounding = speech.mouth_track(FPS, n_frames)
    else:
        given = np.clip(mouth, 0, 1)
        mouth = np.pad(given, (0, max(0, n_frames - len(given))))[:n_frames]
        rounding = np.zeros(n_frames, np.float32)
    blinks = blink_times(duration, blink_rate, seed)
    eyes = eye_openness(blinks, n_frames)
    head = head_motion(n_frames, seed, amount=motion, speech_energy=mouth)
    rng = np.random.default_rng([seed, 0xC11])
    bg = tuple(float(v) for v in (background if background is not None else rng.uniform(0.25, 0.8, 3)))
    az, el = (float(light[0]), float(light[1])) if light is not None else (float(rng.uniform(-0.7, 0.7)),
                                                                           float(rng.uniform(0.3, 0.8)))
    smile0 = float(rng.uniform(-0.05, 0.35))
    gaze = rng.normal(0, 0.15, 2)
    states = [
        FaceState(yaw=float(head["yaw"][i]), pitch=float(head["pitch"][i]), roll=float(head["roll"][i]),
                  mouth_open=float(mouth[i]) * 0.85, smile=float(smile0 * (1 - rounding[i]) - 0.8 * rounding[i]),
                  eye_open=float(eyes[i]), brow_raise=float(0.25 * mouth[i] - 0.05),
                  gaze_x=float(gaze[0]), gaze_y=float(gaze[1]), light_azimuth=az, light_elevation=el,
                  background=bg, noise=noise, jpeg_quality=jpeg_quality)
        for i in range(n_frames)
    ]
    faces = render_batch([ident] * n_frames, states, size=size, seed=seed)
    truth = {
        "identity": ident, "text": speech.text, "segments": speech.segments, "blinks": blinks,
        "landmarks": faces.landmarks, "masks": faces.masks, "states": states,
        "mouth_open": mouth, "labels": dict(REAL_LABELS), "seed": seed,
    }
    return Clip(faces.images, audio.astype(np.float32), FPS, SAMPLE_RATE, truth)
