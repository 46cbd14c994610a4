"""Identities of the synthetic world: a face and a voice drawn from a seed (lab 00).

Every identity is a frozen dataclass of numbers and labels. ``identity(seed)`` draws one; the same seed
always gives the same person. ``CAST`` is a fixed, named set of people that the labs use by name.

Skin tones follow the ten swatches of the Monk Skin Tone Scale (Monk, 2019; skintone.google, CC BY 4.0),
interpolated, so the world covers light to deep skin in equal measure.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np

from ..validate import check_numbers, check_scalar, check_seed

# Monk Skin Tone Scale swatches 1..10 (sRGB), the source of the course's skin colours.
MONK_SWATCHES = np.array(
    [
        [0xF6, 0xED, 0xE4], [0xF3, 0xE7, 0xDB], [0xF7, 0xEA, 0xD0], [0xEA, 0xDA, 0xBA], [0xD7, 0xBD, 0x96],
        [0xA0, 0x7E, 0x56], [0x82, 0x5C, 0x43], [0x60, 0x41, 0x34], [0x3A, 0x31, 0x2A], [0x29, 0x24, 0x20],
    ],
    dtype=np.float32,
) / 255.0

HAIR_STYLES = ("short", "long", "bun", "curly", "fringe", "bald")
HAIR_COLORS = {
    "black": (0.07, 0.06, 0.06),
    "dark brown": (0.22, 0.14, 0.09),
    "brown": (0.42, 0.27, 0.15),
    "auburn": (0.55, 0.24, 0.11),
    "blonde": (0.86, 0.72, 0.45),
    "grey": (0.66, 0.65, 0.63),
}
EYE_COLORS = {
    "brown": (0.30, 0.18, 0.09),
    "hazel": (0.45, 0.36, 0.18),
    "blue": (0.30, 0.48, 0.70),
    "green": (0.32, 0.50, 0.32),
    "grey": (0.50, 0.55, 0.58),
}
SHIRT_COLORS = (
    (0.20, 0.30, 0.55), (0.55, 0.18, 0.20), (0.20, 0.45, 0.30), (0.85, 0.85, 0.82),
    (0.15, 0.15, 0.17), (0.75, 0.55, 0.20), (0.45, 0.30, 0.55), (0.35, 0.55, 0.65),
)


# The ranges an identity's numbers may take: generous around what ``identity`` draws, so a lab can
# exaggerate a feature, but never NaN, infinite, negative or absurd. (low, high, how many numbers)
FACE_RANGES = {
    "face_width": (0.3, 2.0, 1), "face_height": (0.3, 2.5, 1), "jaw_length": (0.3, 2.5, 1),
    "jaw_shape": (1.0, 8.0, 1), "skin_tone": (0.0, 1.0, 1), "hairline": (0.0, 1.5, 1),
    "eye_spacing": (0.05, 1.0, 1), "eye_width": (0.02, 0.6, 1), "eye_height": (0.05, 1.5, 1),
    "brow_thickness": (0.0, 0.3, 1), "brow_arch": (0.0, 0.5, 1), "nose_length": (0.1, 2.5, 1),
    "nose_width": (0.02, 0.6, 1), "lip_width": (0.05, 0.9, 1), "lip_thickness": (0.0, 0.3, 1),
    "skin": (0.0, 1.0, 3), "hair_color": (0.0, 1.0, 3), "eye_color": (0.0, 1.0, 3), "lip_color": (0.0, 1.0, 3),
    "shirt": (0.0, 1.0, 3),
}
VOICE_RANGES = {"f0": (50.0, 500.0, 1), "formant_scale": (0.5, 2.0, 1), "rate": (0.25, 4.0, 1),
                "breathiness": (0.0, 1.0, 1), "jitter": (0.0, 0.5, 1)}


def check_identities(identities, fn: str) -> dict:
    """Check identities' numbers (finite, in ``FACE_RANGES``); returns them as arrays (lab 00)."""
    return check_numbers(identities, FACE_RANGES, fn, "identity field")


def skin_color(tone: float) -> tuple[float, float, float]:
    """The RGB skin colour for a tone in [0, 1] (0 = Monk 1, lightest; 1 = Monk 10, deepest) (lab 00)."""
    t = float(np.clip(check_scalar(tone, "tone", float, fn="skin_color"), 0.0, 1.0)) * (len(MONK_SWATCHES) - 1)
    i = min(int(t), len(MONK_SWATCHES) - 2)
    c = MONK_SWATCHES[i] * (1 - (t - i)) + MONK_SWATCHES[i + 1] * (t - i)
    # swatches are paper-white lit; real lit skin is a little warmer and less bright
    c = c * np.array([0.97, 0.90, 0.86], dtype=np.float32)
    return tuple(float(v) for v in c)


def lip_color(skin) -> tuple[float, float, float]:
    """Lip colour derived from a skin colour: redder and a little darker (lab 00)."""
    return tuple(float(v) for v in np.clip(np.array(skin) * [0.80, 0.55, 0.55] + [0.12, 0.02, 0.03], 0, 1))


@dataclass(frozen=True)
class Voice:
    """How an identity sounds: pitch, vocal-tract length, speaking rate (lab 00, lab 05)."""

    f0: float  # mean pitch in Hz (about 85-180 for low voices, 165-255 for high ones)
    formant_scale: float  # 1.0 = adult male reference tract; >1 = shorter tract, higher formants
    rate: float  # 1.0 = about 4.5 syllables per second
    breathiness: float  # share of aspiration noise in the voice source
    jitter: float  # cycle-to-cycle pitch variation (fraction)


@dataclass(frozen=True)
class Identity:
    """One person of the synthetic world: face geometry, colours, style and voice (lab 00)."""

    seed: int
    name: str
    face_width: float
    face_height: float
    jaw_length: float
    jaw_shape: float
    skin_tone: float
    skin: tuple
    hair_style: str
    hair_color_name: str
    hair_color: tuple
    hairline: float
    eye_spacing: float
    eye_width: float
    eye_height: float
    eye_color_name: str
    eye_color: tuple
    brow_thickness: float
    brow_arch: float
    nose_length: float
    nose_width: float
    lip_width: float
    lip_thickness: float
    lip_color: tuple
    glasses: bool
    beard: bool
    shirt: tuple
    voice: Voice = field(repr=False)

    def to_dict(self) -> dict:
        """All parameters as plain Python values (lab 00)."""
        return asdict(self)


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


def identity(seed: int, name: str | None = None, **overrides) -> Identity:
    """Draw the identity for ``seed``; keyword overrides fix any field (lab 00)."""
    seed = check_seed(seed)
    rng = np.random.default_rng([seed, 0x1D])
    tone = float(rng.uniform(0.0, 1.0))
    style = _pick(rng, HAIR_STYLES)
    hair_name = _pick(rng, tuple(HAIR_COLORS))
    eye_name = _pick(rng, tuple(EYE_COLORS))
    skin = skin_color(tone)
    lip = lip_color(skin)
    high_voice = bool(rng.random() < 0.5)
    voice = Voice(
        f0=float(rng.uniform(165, 245) if high_voice else rng.uniform(90, 150)),
        formant_scale=float(rng.uniform(1.08, 1.2) if high_voice else rng.uniform(0.92, 1.04)),
        rate=float(rng.uniform(0.85, 1.15)),
        breathiness=float(rng.uniform(0.02, 0.12)),
        jitter=float(rng.uniform(0.003, 0.012)),
    )
    fields = dict(
        seed=seed,
        name=name or f"person-{seed}",
        face_width=float(rng.uniform(0.86, 1.02)),
        face_height=float(rng.uniform(1.15, 1.32)),
        jaw_length=float(rng.uniform(1.02, 1.18)),
        jaw_shape=float(rng.uniform(1.7, 2.8)),
        skin_tone=tone,
        skin=skin,
        hair_style=style,
        hair_color_name=hair_name,
        hair_color=HAIR_COLORS[hair_name],
        hairline=float(rng.uniform(0.62, 0.78)),
        eye_spacing=float(rng.uniform(0.34, 0.42)),
        eye_width=float(rng.uniform(0.16, 0.2)),
        eye_height=float(rng.uniform(0.42, 0.58)),
        eye_color_name=eye_name,
        eye_color=EYE_COLORS[eye_name],
        brow_thickness=float(rng.uniform(0.045, 0.085)),
        brow_arch=float(rng.uniform(0.0, 0.07)),
        nose_length=float(rng.uniform(0.85, 1.12)),
        nose_width=float(rng.uniform(0.13, 0.2)),
        lip_width=float(rng.uniform(0.28, 0.37)),
        lip_thickness=float(rng.uniform(0.05, 0.085)),
        lip_color=lip,
        glasses=bool(rng.random() < 0.18),
        beard=bool((not high_voice) and rng.random() < 0.3),
        shirt=_pick(rng, SHIRT_COLORS),
        voice=voice,
    )
    ident = Identity(**fields)
    return with_overrides(ident, **overrides) if overrides else ident


def with_overrides(ident: Identity, **overrides) -> Identity:
    """A copy of an identity with some fields changed, keeping derived colours consistent (lab 00)."""
    if not isinstance(ident, Identity):
        raise ValueError("with_overrides: ident: give a course_lib.synth.Identity (from synth.identity(seed) or "
                         f"synth.cast(name)), got {type(ident).__name__}")
    unknown = set(overrides) - set(Identity.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown identity fields {sorted(unknown)}; see course_lib.synth.Identity")
    for key in overrides.keys() & FACE_RANGES.keys():
        lo, hi, width = FACE_RANGES[key]
        if width == 1:
            overrides[key] = check_scalar(overrides[key], key, float, min_val=lo, max_val=hi, fn="identity")
        else:  # a colour: checked before the colours derived from it are computed
            colour = np.asarray(overrides[key]) if isinstance(overrides[key], (tuple, list, np.ndarray)) else None
            if colour is None or colour.shape != (width,) or colour.dtype.kind not in "iuf" or not (
                    np.isfinite(colour).all() and lo <= colour.min() and colour.max() <= hi):
                raise ValueError(f"identity: {key} must be an RGB colour, {width} numbers in [{lo:g}, {hi:g}], "
                                 f"got {overrides[key]!r}")
            overrides[key] = tuple(float(v) for v in colour)
    for key in ("glasses", "beard"):
        if key in overrides and not isinstance(overrides[key], (bool, np.bool_)):
            raise ValueError(f"identity: {key} must be True or False, got {overrides[key]!r}")
    if "skin_tone" in overrides and "skin" not in overrides:
        overrides["skin"] = skin_color(overrides["skin_tone"])
    if "skin" in overrides and "lip_color" not in overrides:
        overrides["lip_color"] = lip_color(overrides["skin"])
    for field_, table in (("hair_color", HAIR_COLORS), ("eye_color", EYE_COLORS)):
        name = overrides.get(f"{field_}_name")
        if name is not None and name not in table:
            raise ValueError(f"{field_}_name must be one of {sorted(table)}, got {name!r}")
        if name is not None and field_ not in overrides:
            overrides[field_] = table[name]
    if "hair_style" in overrides and overrides["hair_style"] not in HAIR_STYLES:
        raise ValueError(f"hair_style must be one of {HAIR_STYLES}, got {overrides['hair_style']!r}")
    if isinstance(overrides.get("voice"), dict):
        bad = set(overrides["voice"]) - set(Voice.__dataclass_fields__)
        if bad:
            raise ValueError(f"unknown voice fields {sorted(bad)}; choose from {sorted(Voice.__dataclass_fields__)}")
        overrides["voice"] = replace(ident.voice, **overrides["voice"])
    if "voice" in overrides:
        if not isinstance(overrides["voice"], Voice):
            raise ValueError("identity: voice must be a dict of Voice fields or a synth.Voice, "
                             f"got {overrides['voice']!r}")
        check_numbers([overrides["voice"]], VOICE_RANGES, "identity", "voice field")
    out = replace(ident, **overrides)
    check_identities([out], "identity")
    return out


# The named cast the labs use. Seeds are fixed; overrides make sure the cast spans skin tones,
# hair and voices, so that every lab's examples are diverse by construction.
_CAST_SPEC = {
    "ada": (101, dict(skin_tone=0.08, hair_style="long", hair_color_name="auburn", glasses=False, beard=False,
                      voice=dict(f0=210.0, formant_scale=1.16))),
    "ben": (202, dict(skin_tone=0.72, hair_style="short", hair_color_name="black", glasses=False, beard=True,
                      voice=dict(f0=105.0, formant_scale=0.95))),
    "chen": (303, dict(skin_tone=0.32, hair_style="fringe", hair_color_name="black", glasses=True, beard=False,
                       voice=dict(f0=125.0, formant_scale=1.0))),
    "dara": (404, dict(skin_tone=0.9, hair_style="curly", hair_color_name="black", glasses=False, beard=False,
                       voice=dict(f0=195.0, formant_scale=1.13))),
    "eli": (505, dict(skin_tone=0.5, hair_style="bald", hair_color_name="grey", glasses=True, beard=True,
                      voice=dict(f0=95.0, formant_scale=0.93))),
    "farah": (606, dict(skin_tone=0.42, hair_style="bun", hair_color_name="dark brown", glasses=False, beard=False,
                        voice=dict(f0=225.0, formant_scale=1.18))),
    "gus": (707, dict(skin_tone=0.2, hair_style="short", hair_color_name="blonde", glasses=False, beard=False,
                      voice=dict(f0=135.0, formant_scale=1.02))),
    "hana": (808, dict(skin_tone=0.62, hair_style="long", hair_color_name="brown", glasses=True, beard=False,
                       voice=dict(f0=240.0, formant_scale=1.2))),
}

CAST: dict[str, Identity] = {
    name: identity(seed, name=name, **spec) for name, (seed, spec) in _CAST_SPEC.items()
}


def cast(name: str) -> Identity:
    """One member of the named cast, e.g. ``cast("ada")`` (lab 00)."""
    if not isinstance(name, str):
        raise ValueError(f"cast: name must be the name of a cast member, one of {sorted(CAST)}; got {name!r}")
    try:
        return CAST[name.lower()]
    except KeyError:
        raise ValueError(f"no cast member {name!r}; choose one of {sorted(CAST)}") from None
