"""Deepfake Lab's helper library. Modules follow the syllabus:

* ``config``: FAST mode, parameters, device, seeds, the data cache (lab 00)
* ``validate``: the course's data conventions, checked at every public boundary (lab 00)
* ``synth``: the synthetic face-and-voice world with ground truth (lab 00)
* ``datasets``: the dataset registry, verified downloads, loaders (lab 00)
* ``media``: mp4 (H.264 + AAC) and audio in and out, notebook display (lab 00)
* ``grading``: friendly checks for the graded exercises (lab 00)
* ``widgets``, ``viz``: interactive explorers, plots and code display (lab 00 onwards)
* ``doctor``: is this environment ready? (lab 00)
* ``categories``: the three categories of deepfake as clips, and the kinds of synthesis (lab 01)
* ``game``: the real-or-fake game's rounds and score; ``baseline``: the human baseline it saves (lab 01)
* ``judges``: networks trained on real data only that measure fakes; the base of lab 07's detectors (labs 03-05)
* ``faces``: landmark measures, alignment, warping, masks, colour transfer, blending (labs 00 and 02)
* ``forensics``: hand-crafted artifact cues (introduced in lab 02, used in lab 06)
* ``checkpoints``: atomic, checksummed model weights loaded with ``weights_only=True`` (lab 03)

Importing ``course_lib`` is cheap: torch and other heavy libraries load only where a module needs them.
"""
__version__ = "0.1.0"
