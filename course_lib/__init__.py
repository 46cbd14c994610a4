"""Deepfake Lab's helper library. Modules follow the syllabus:

* ``config``: mode (fast/full), parameters, device, seeds, the data cache (lab 00)
* ``validate``: the course's data conventions, checked at every public boundary (lab 00)
* ``files``: checksums, atomic writes, temporary folders (lab 00)
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
* ``forensics``: hand-crafted artifact cues and their registry as detectors (introduced in lab 02, used in lab 06)
* ``fakes``: the course's fakes from every generator, beside real items of the same framing (labs 06, 07)
* ``explorer``: lab 06's artifact explorer, plotly figures that follow its controls in place (lab 06)
* ``checkpoints``, ``pretrained``: safe model weights and the shipped ones (lab 03)
* ``swap``: the autoencoder face swap (lab 03)
* ``gan``: DCGAN (lab 04)
* ``audio``: spectrograms, cepstra (MFCC, LFCC), pitch, speaker features (lab 05, lab 07)
* ``voice``: the source-filter vowel and voice conversion (lab 05)
* ``lipsync``: a mouth from the voice, audio-visual offset, re-synced clips (lab 05)
* ``results``: the benchmarks' recorded runs, from a checkout or an installed course (lab 03)
* ``detect``: learned detectors, identity-disjoint real/fake datasets and their evaluation (lab 07)
* ``provenance``: watermarks on faces and voices, attacks, tamper maps, Ed25519 and C2PA signatures (lab 08)
* ``capstone``: unseen mixed clips in four classes, submissions, macro-F1, the claims table (lab 09)
* ``authoring``: the notebooks' checks and generation (instructors)

Importing ``course_lib`` is cheap: torch and other heavy libraries load only where a module needs them.
"""
__version__ = "0.1.0"
