"""The three categories of deepfake, as clips, and the kinds of synthesis that make them (lab 01).

The review this course answers sorts deepfakes by which tracks of a video are synthetic:

* **category 1**: the real video with a fake voice;
* **category 2**: a fake (swapped or re-animated) face with the real voice;
* **category 3**: both, like the "In Event of Moon Disaster" film, where the lips were re-drawn to match a
  converted voice.

A clip's ``labels`` (``synth.Clip.labels``) say, track by track, what is synthetic: face ``real`` or
``swapped``, voice ``real``, ``synthetic`` (text-to-speech) or ``converted`` (speech-to-speech), lips ``real``
or ``synced`` (re-drawn from the audio). ``category`` turns labels into 0 (real) to 3; ``track_clips`` makes
one clip for every setting of the three tracks, with the course's own swapper and voice converter.
``synthesis_kind`` and ``PIPELINES`` name the machine steps that make each kind of clip.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import synth
from .validate import check_object, check_scalar, check_seed

TRACKS = {  # the values each track's label takes, real first
    "face": ("real", "swapped"),
    "voice": ("real", "synthetic", "converted"),
    "lips": ("real", "synced"),
}
CATEGORY_NAMES = ("real", "(1) fake voice", "(2) fake face", "(3) both")


def _check_labels(labels, fn: str) -> dict:
    if not isinstance(labels, dict):
        raise ValueError(f"{fn}: give a labels dict such as clip.labels, e.g. {synth.REAL_LABELS}, got "
                         f"{type(labels).__name__}")
    missing = [k for k in TRACKS if k not in labels]
    if missing:
        raise ValueError(f"{fn}: labels need the keys {list(TRACKS)}; missing {missing}")
    for track, allowed in TRACKS.items():
        if labels[track] not in allowed:
            raise ValueError(f"{fn}: labels[{track!r}] must be one of {allowed}, got {labels[track]!r}")
    return labels


def category(labels: dict) -> int:
    """0 for a real clip, else the category: 1 fake voice only, 2 fake video only, 3 both (lab 01).

    The video is fake when the face is swapped *or* the lips were re-drawn (``synced``): a re-drawn mouth is
    synthetic video, as in the Nixon film. The voice is fake when it is ``synthetic`` or ``converted``.
    """
    labels = _check_labels(labels, "category")
    video_fake = labels["face"] != "real" or labels["lips"] != "real"
    voice_fake = labels["voice"] != "real"
    return int(voice_fake) + 2 * int(video_fake)


def track_clips(swapper, converter, *, actor: str = "ben", line: str | None = None, seconds: float = 3.0,
                size: int = 64, seed: int = 0) -> dict:
    """One clip for each setting of the three tracks, all appearing to show ``swapper``'s target (lab 01).

    Keys are (face, voice, lips) with face "real"/"swapped", voice "real"/"converted", lips "real"/"synced".
    The person is ``swapper.names[-1]`` (Gus for the shipped swapper); a swapped face is put on footage of the
    performer ``swapper.names[0]`` (Farah), whose real voice it keeps. The fake voice is ``actor`` reading
    ``line`` (a line nobody in the synthetic world said), turned into the person's voice by ``converter``
    (``voice.fit_converter`` from the actor's to the person's recordings). Real lips move with the footage's
    own words; synced lips are re-drawn from the clip's audio (``lipsync.lipsync_clip``).
    """
    from . import lipsync, swap, voice

    seed = _check_fake("track_clips", swapper, converter, line, actor, seconds, size, seed, line_optional=True)
    performer, person = swapper.names[0], swapper.names[-1]
    fake_voice = _speak_as(converter, line or voice.NEW_LINES[1], actor, seed)
    texts = {person: synth.SENTENCES[(seed + 3) % len(synth.SENTENCES)],
             performer: synth.SENTENCES[(seed + 7) % len(synth.SENTENCES)]}
    clips = {}
    for face in TRACKS["face"]:
        who = person if face == "real" else performer
        ident = synth.cast(who)
        own = synth.speak(ident, texts[who], seed=seed)
        for voice_label in ("real", "converted"):
            speech = own if voice_label == "real" else fake_voice
            for lips in TRACKS["lips"]:
                if lips == "synced":
                    clip = lipsync.lipsync_clip(ident, speech, voice=voice_label, seconds=seconds, size=size, seed=seed)
                else:
                    clip = synth.talking_clip(ident, seconds=seconds, size=size, seed=seed, speech=own)
                    if voice_label != "real":
                        clip = lipsync.replace_voice(clip, speech, voice_label)
                if face == "swapped":
                    clip = swap.swap_clip(swapper, clip, to=person)
                clips[(face, voice_label, lips)] = clip
    return clips


def _check_reading(fn: str, converter, line, actor, seed, *, line_optional: bool = False) -> int:
    """What a converted reading needs: a converter, a line, a cast member to read it, a seed; returns the seed."""
    from . import voice

    check_object(converter, "converter", voice.Converter, "voice.fit_converter(actor's, person's recordings)", fn)
    if not (line is None and line_optional) and (not isinstance(line, str) or not line.strip()):
        raise ValueError(f"{fn}: line must be a sentence to say (a non-empty str), got {line!r}")
    if not isinstance(actor, str) or actor not in synth.CAST:
        raise ValueError(f"{fn}: actor must be a cast member, one of {sorted(synth.CAST)}, got {actor!r}")
    return check_seed(seed)


def _check_fake(fn: str, swapper, converter, line, actor, seconds, size, seed, *, line_optional: bool = False,
                seconds_optional: bool = False) -> int:
    """The inputs of the clip makers, all checked before any work; returns the seed."""
    from . import swap

    check_object(swapper, "swapper", swap.SwapModel, "swap.pretrained()", fn)
    check_scalar(seconds, "seconds", float, min_val=0.5, max_val=30.0, allow_none=seconds_optional, fn=fn)
    check_scalar(size, "size", int, min_val=16, max_val=256, fn=fn)
    return _check_reading(fn, converter, line, actor, seed, line_optional=line_optional)


def speak_as(converter, line: str, actor: str = "ben", seed: int = 0):
    """``actor`` reads ``line`` and ``converter`` turns the reading into its target's voice: a ``Speech`` (lab 01).

    Speech-to-speech, as for the Nixon film: the words and timing are the actor's, the voice the target's.
    """
    return _speak_as(converter, line, actor, _check_reading("speak_as", converter, line, actor, seed))


def _speak_as(converter, line: str, actor: str, seed: int):
    from . import voice

    reading = synth.speak(synth.cast(actor), line, seed=seed)
    return voice.with_audio(reading, voice.convert(reading.audio, converter))


def full_fake(swapper, converter, line: str, actor: str = "ben", seconds: float | None = None, size: int = 64,
              seed: int = 0):
    """Category 3: ``swapper``'s second person saying ``line``, which they never said (lab 01).

    The actor's reading is converted into that person's voice (``speak_as``), the performer
    (``swapper.names[0]``) is driven by that audio so that the lips match it (``lipsync.lipsync_clip``), and the
    swapper puts the person's face on the performer. Used with consent, this is a reanimation.
    """
    from . import lipsync, swap

    _check_fake("full_fake", swapper, converter, line, actor, seconds, size, seed, seconds_optional=True)
    speech = _speak_as(converter, line, actor, seed)
    performance = lipsync.lipsync_clip(synth.cast(swapper.names[0]), speech, voice="converted", seconds=seconds,
                                       size=size, seed=seed)
    return swap.swap_clip(swapper, performance, to=swapper.names[-1])


def disclose(clip, note: str, band: str = "SYNTHETIC"):
    """A copy of ``clip`` with a visible label burned into every frame and ``truth["disclosure"]`` set (lab 01).

    Lab 00's third rule, "label what you make": the label travels with the pixels, not only with a file name.
    """
    import cv2

    clip = check_object(clip, "clip", synth.Clip, "synth.talking_clip or categories.track_clips", "disclose")
    if not isinstance(note, str) or not note.strip():
        raise ValueError("disclose: give a note that says what was synthesised and with whose consent")
    if not isinstance(band, str) or not band.strip():
        raise ValueError(f"disclose: band must be the label to burn in (a non-empty str), got {band!r}")
    frames = np.array(clip.frames, np.float32, copy=True)
    h, w = frames.shape[1:3]
    bar = max(8, h // 8)
    frames[:, h - bar:] = frames[:, h - bar:] * 0.35  # a dark band at the bottom
    scale = bar / 22.0
    size, _ = cv2.getTextSize(band, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    x, y = max(1, (w - size[0]) // 2), h - max(1, (bar - size[1]) // 2)
    ink = np.zeros((h, w), np.uint8)  # OpenCV draws text on 8-bit images only: draw it once, as a mask
    cv2.putText(ink, band, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, 255, 1, cv2.LINE_AA)
    ink[:h - bar] = 0  # the letters stay inside the band; the picture above it is untouched
    alpha = (ink.astype(np.float32) / 255.0)[None, :, :, None]
    frames = frames * (1 - alpha) + alpha  # white letters, anti-aliased
    truth = {**clip.truth, "disclosure": note.strip()}
    return replace(clip, frames=np.clip(frames, 0, 1), truth=truth)


MEDIA = {"text": "text", "speech": "speech", "audio": "speech", "voice": "speech", "image": "image",
         "video": "image", "frames": "image"}


def synthesis_kind(source: str, target: str) -> str:
    """Name a synthesis step by what goes in and what comes out, e.g. ("text", "speech") → "text-to-speech" (lab 01).

    Audio and voice count as speech; video and frames count as image (video is synthesised frame by frame).
    """
    kinds = []
    for name, value in (("source", source), ("target", target)):
        key = value.strip().lower() if isinstance(value, str) else None
        if key not in MEDIA:
            raise ValueError(f"synthesis_kind: {name} must be one of {sorted(MEDIA)}, got {value!r}")
        kinds.append(MEDIA[key])
    return f"{kinds[0]}-to-{kinds[1]}"


@dataclass(frozen=True)
class Step:
    """One machine step of a deepfake pipeline: what it does, the library function, its input and output (lab 01)."""

    what: str
    function: str
    source: str
    target: str


CONVERT = Step("turn an actor's reading into the person's voice", "voice.convert", "speech", "speech")
SPEAK = Step("read a script in the person's voice", "synth.speak", "text", "speech")
LIPSYNC = Step("re-draw the performer's lips from the new voice", "lipsync.lipsync_clip", "speech", "video")
SWAP = Step("put the person's face on the performer, frame by frame", "swap.swap_frames", "video", "video")
PASTE = Step("paste a face by warping triangles and blending", "faces.classical_swap", "image", "image")

PIPELINES = {  # how the course makes each kind of clip (labs 02, 03 and 05)
    "(1) fake voice": (CONVERT,),
    "(1) fake voice, from a script": (SPEAK,),
    "(2) fake face": (SWAP,),
    "(3) both": (CONVERT, LIPSYNC, SWAP),
    "cheapfake (lab 02)": (PASTE,),
    "dubbing a corrected line": (SPEAK, LIPSYNC),
}
