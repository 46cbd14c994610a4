"""Voices and lip sync (lab 05): voice conversion judged by a speaker judge, lip-sync offsets, TTS speed.

* ``vc_speaker_transfer``: share of source→target conversions (cast pairs, new two-sentence passages of about
  7 s, ``voice.NEW_PASSAGES``) that the speaker judge (``judges.speaker_judge``: LDA on MFCC and pitch
  statistics, trained on real utterances of the cast and extra people only) assigns to the target;
  ``vc_speaker_transfer_single_line`` the same for single new sentences (about 3.5 s, harder: a sentence's
  median pitch varies more). ``judge_accuracy`` is the judge's accuracy on held-out real sentences,
  ``judge_real_same_lines`` its accuracy on the real targets saying the very passages and lines converted.
  ``vc_pitch_match``: median of (measured output pitch / target's pitch); ``vc_alpha_error``: median
  |α / true tract ratio − 1|, α being the converter's own estimate from audio (the true ratio is read from
  the Identity objects here, for checking only).
* ``lipsync_offset_acc``: share of (clip, injected shift in −10..10 frames) whose offset ``lipsync.sync_offset``
  recovers within one frame, lips read from landmarks; ``lipsync_offset_acc_pixels`` the same from pixels
  (``lipsync.mouth_contrast``). ``mouth_audio_corr``: correlation of ``mouth_from_audio`` with the true mouth.
* ``tts_s_per_s``: seconds of ``synth.speak`` per second of audio; ``vc_s_per_s`` the same for ``convert``.
"""
from __future__ import annotations

import numpy as np

from . import median_time

TARGETS = {"vc_speaker_transfer": (">=", 0.9), "lipsync_offset_acc": (">=", 0.95)}
SETTINGS = {
    "fast": dict(pairs="ring", passages=1, lines=1, clips=4, seconds=4.0, size=64, repeats=1),
    "full": dict(pairs="all", passages=2, lines=2, clips=20, seconds=6.0, size=128, repeats=5),
}


def run(mode: str) -> dict:
    """Conversion transfer, offset accuracy and synthesis speed for the mode's settings (lab 05)."""
    from course_lib import judges, lipsync, synth, voice

    s = SETTINGS[mode]
    judge = judges.speaker_judge(**judges.SPEAKER_JUDGE_SETTINGS[mode])
    passages, lines = voice.NEW_PASSAGES[:s["passages"]], voice.NEW_LINES[4:4 + s["lines"]]
    trials = voice.conversion_trials(judge, voice.cast_pairs(s["pairs"]), passages + lines)
    n_passages = len(passages)
    true_ratio = [synth.cast(r["target"]).voice.formant_scale / synth.cast(r["source"]).voice.formant_scale
                  for r in trials["rows"]]
    alpha_error = np.median([abs(r["alpha"] / t - 1) for r, t in zip(trials["rows"], true_ratio)])

    clips = [synth.talking_clip(synth.identity(60_000 + i), seconds=s["seconds"], size=s["size"], seed=i)
             for i in range(s["clips"])]
    by_landmarks = lipsync.offset_trials(clips, use="landmarks")
    by_pixels = lipsync.offset_trials(clips, use="pixels")
    mouth_corr = np.median([np.corrcoef(lipsync.mouth_from_audio(c.audio, len(c.frames)), c.truth["mouth_open"])[0, 1]
                            for c in clips])

    tts_lines = list(synth.SENTENCES[:4])
    seconds_of_audio = sum(synth.speak(synth.cast("ada"), line).duration for line in tts_lines)
    tts = median_time(lambda: [synth.speak(synth.cast("ada"), line) for line in tts_lines], s["repeats"])
    return {
        "vc_speaker_transfer": round(float(np.mean(trials["by_line"][:n_passages])), 4),
        "lipsync_offset_acc": round(by_landmarks["accuracy"], 4),
        "tts_s_per_s": round(tts / seconds_of_audio, 4),
        "judge_accuracy": round(judge.held_out["accuracy"], 4),
        "judge_speakers": len(judge.speakers),
        "vc_speaker_transfer_single_line": round(float(np.mean(trials["by_line"][n_passages:])), 4),
        "judge_real_same_lines": round(trials["real_recognised"], 4),
        "vc_conversions": len(trials["rows"]),
        "vc_pitch_match": round(float(np.median([r["pitch_match"] for r in trials["rows"]])), 4),
        "vc_alpha_error": round(float(alpha_error), 4),
        "vc_s_per_s": round(trials["seconds"], 4),
        "lipsync_offset_acc_pixels": round(by_pixels["accuracy"], 4),
        "lipsync_trials": int(by_landmarks["estimates"].size),
        "lipsync_confidence_median": round(float(np.median(by_landmarks["confidence"])), 3),
        "mouth_audio_corr": round(float(mouth_corr), 3),
    }
