"""The synthetic face-and-voice world: the course's default data, with ground truth (lab 00)."""
from .identity import CAST, HAIR_COLORS, HAIR_STYLES, EYE_COLORS, Identity, Voice, cast, identity, skin_color, with_overrides
from .face import (FaceState, LANDMARK_GROUPS, NEUTRAL, RenderedFaces, random_states, render, render_batch)
from .speech import PHONES, Segment, Speech, SynthesisSteps, formant_filter, formant_tracks, glottal_source, mouth_track, pitch_contour, plan, speak, synthesis_steps, synthesize, text_to_phonemes, word_to_phonemes
from .motion import BLINK_DURATION_RANGE, BLINKS_PER_MIN_REST, BLINKS_PER_MIN_TALKING, blink_times, eye_openness, head_motion
from .clip import REAL_LABELS, SENTENCES, Clip, sample_text, talking_clip
