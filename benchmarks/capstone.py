"""Lab 09's reference pipeline on the capstone's held-back clips: macro-F1, recall per class, confusion (lab 09).

``capstone.make_set(mode)`` makes the clips (``capstone.SIZES``: validation and held-back clips per class);
``capstone.fit_reference`` fits the reference pipeline's regression on the validation clips and their
re-encoded copies (``capstone.evidence_table(..., round_trip=True)``); the held-back clips are classified with
``capstone.predict_reference`` and graded by ``CapstoneSet.score``.

* ``macro_f1``: mean F1 over real and the three categories; ``recall_<class>``; ``confusion_<t>_<p>`` (truth t,
  prediction p); ``macro_f1_clean`` and ``macro_f1_reencoded``: the clips without and with the H.264/AAC round
  trip (``capstone.reencode``), and ``reencoded_drop``, their difference (clean minus re-encoded).
* ``validation_macro_f1``: on the clean validation clips the regression learned (optimistic, for comparison);
  ``c``: the regularisation strength cross-validation chose.
* ``swap_auc_<cue>`` and ``swap_auc_<cue>_reencoded``: how well one cue alone separates the swapped faces
  (class 2) from the real clips of the validation split, clean and re-encoded (``SWAP_CUES``; few clips, so
  rough); ``validation_study`` below asks the same of a larger validation split.
* ``make_s``: making the clips; ``evidence_s``: re-encoding the validation copies and gathering every clip's cues.
"""
from __future__ import annotations

import time

TARGETS = {"macro_f1": (">=", 0.9)}
SWAP_CUES = ("face", "sharpness", "residual", "grain", "temporal_noise")  # the swap cues the lab's text discusses


def run(mode: str) -> dict:
    """Make the capstone set for ``mode``, pick thresholds on validation, grade the held-back clips (lab 09)."""
    from course_lib import capstone

    t0 = time.perf_counter()
    cs = capstone.make_set(mode)
    t1 = time.perf_counter()
    val_x, val_again, test_x, val_y = _evidence(cs)
    t2 = time.perf_counter()
    reference = capstone.fit_reference(val_x, val_y, again=val_again)
    scores = _grade(cs, reference, test_x)
    m = {"macro_f1": scores["macro_f1"],
         "validation_macro_f1": capstone.macro_f1(val_y, capstone.predict_reference(val_x, reference))}
    m.update({f"recall_{c}": r for c, r in scores["recall"].items()})
    m.update({f"confusion_{t}_{p}": scores["confusion"][t][p] for t in capstone.CLASSES for p in capstone.CLASSES})
    m.update(macro_f1_clean=scores["macro_f1_clean"], macro_f1_reencoded=scores["macro_f1_reencoded"],
             accuracy_clean=scores["accuracy_clean"], accuracy_reencoded=scores["accuracy_reencoded"],
             reencoded_drop=scores["macro_f1_clean"] - scores["macro_f1_reencoded"],
             n_clean=scores["n_clean"], n_reencoded=scores["n_reencoded"])
    m["c"] = reference.c
    m.update(swap_aucs(val_x, val_again, val_y))
    m = {k: round(float(v), 4) if isinstance(v, float) else v for k, v in m.items()}
    m.update(n_validation=len(cs.validation), n_held_back=len(cs.held_back), make_s=round(t1 - t0, 1),
             evidence_s=round(t2 - t1, 1), total_s=round(time.perf_counter() - t0, 1))
    return m


def _evidence(cs):
    """Evidence tables of the validation clips, of their re-encoded copies and of the held-back clips, and the
    validation classes: what the reference pipeline learns from and is graded on (lab 09)."""
    import numpy as np

    from course_lib import capstone

    return (capstone.evidence_table(cs.validation), capstone.evidence_table(cs.validation, round_trip=True),
            capstone.evidence_table(cs.held_back), np.array([it.category for it in cs.validation]))


def _grade(cs, reference, test_x) -> dict:
    """``cs.score`` of the reference pipeline's classes for the held-back clips (lab 09)."""
    from course_lib import capstone

    return cs.score(dict(zip(cs.clip_ids, capstone.predict_reference(test_x, reference).tolist())))


def swap_aucs(clean, again, labels, cues=SWAP_CUES, recipes=None, recipe=None) -> dict:
    """AUC of each cue alone, swapped faces (class 2; or only ``recipe`` where ``recipes`` names each row's
    recipe) against real clips, on clean evidence and on the re-encoded copies (lab 09)."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    from course_lib import capstone

    y = np.asarray(labels)
    rows = np.isin(y, (0, 2)) if recipe is None else (y == 0) | (np.asarray(recipes) == recipe)
    out = {}
    for cue in cues:
        k = capstone.EVIDENCE.index(cue)
        for suffix, table in (("", clean), ("_reencoded", again)):
            out[f"swap_auc_{cue}{suffix}"] = round(float(roc_auc_score(y[rows] != 0, np.asarray(table)[rows, k])), 3)
    return out


def validation_study(seed: int = 9, per_class: int = 40, sizes=(10, 20, 30, 40), mode: str = "full") -> dict:
    """Does a larger validation split help? One set of ``mode`` with ``per_class`` validation clips of each class;
    the reference is fitted on the first n of each class for every n in ``sizes`` and graded on the same
    held-back clips (make_set deals each split from its own stream); each swap cue's AUC per swap recipe on all
    the validation clips. About 10 minutes on 2 cores. ``python -c "from benchmarks import capstone;
    capstone.validation_study()"`` prints what docs/design.md quotes."""
    import numpy as np

    from course_lib import capstone

    sizes_before = dict(capstone.SIZES[mode])
    capstone.SIZES[mode] = dict(sizes_before, validation=per_class)
    try:
        cs = capstone.make_set(mode, seed=seed)
    finally:
        capstone.SIZES[mode] = sizes_before
    val_x, val_again, test_x, val_y = _evidence(cs)
    recipes = [cs._key[it.clip_id]["recipe"] for it in cs.validation]
    out: dict = {"seed": seed, "per_class": per_class}
    for n in sizes:
        rows = np.concatenate([np.flatnonzero(val_y == c)[:n] for c in capstone.CLASSES])
        scores = _grade(cs, capstone.fit_reference(val_x[rows], val_y[rows], again=val_again[rows]), test_x)
        out[f"validation_{n}"] = {k: scores[k] for k in ("macro_f1", "macro_f1_clean", "macro_f1_reencoded")}
    for recipe in ("swap_autoencoder", "swap_classical"):
        out[recipe] = swap_aucs(val_x, val_again, val_y, cues=capstone.EVIDENCE, recipes=recipes, recipe=recipe)
    print(out)
    return out


def _study_clips(n: int, seed: int):
    """``n`` full-mode capstone clips of new people, real, autoencoder- and classically swapped in turn, with their
    recipes (the studies below)."""
    import numpy as np

    from course_lib import capstone

    s = capstone.SIZES["full"]
    maker, people = capstone._Maker(s["seconds"], s["size"]), capstone._people(0, n)
    rng = np.random.default_rng(seed)
    kinds = np.array([("real", "swap_autoencoder", "swap_classical")[i % 3] for i in range(n)])
    clips = [maker.make(k, people[i], people[(i + 1) % n], int(rng.integers(1 << 30))) for i, k in enumerate(kinds)]
    return kinds, clips


def _face_aucs(image, clips, kinds, count: int) -> dict:
    """AUC of an image detector's mean log-odds over ``count`` spread frames, each swap recipe against real."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    from course_lib import detect

    score = np.array([image.logits(c.frames[detect.spread(len(c.frames), count)]).mean() for c in clips])
    out = {}
    for recipe in ("swap_autoencoder", "swap_classical"):
        rows = (kinds == "real") | (kinds == recipe)
        out[recipe] = round(float(roc_auc_score(kinds[rows] == recipe, score[rows])), 3)
    return out


def frames_study(n: int = 45, seed: int = 123, counts=(10, 25, 75)) -> dict:
    """Would the face cue gain from reading more frames? ``n`` full-mode clips of new people, real, autoencoder-
    and classically swapped in turn; lab 07's image detector's mean log-odds over 10, 25 or all 75 frames; its AUC
    for each swap against the real clips, clean and re-encoded. About 3 minutes on 2 cores; docs/design.md
    quotes it (``python -c "from benchmarks import capstone; capstone.frames_study()"``)."""
    from course_lib import capstone, detect

    kinds, clips = _study_clips(n, seed)
    image = detect.pretrained("clip").image
    out: dict = {}
    for condition, shown in (("clean", clips), ("reencoded", [capstone.reencode(c) for c in clips])):
        for count in counts:
            for recipe, auc in _face_aucs(image, shown, kinds, count).items():
                out[f"{condition}_{count}_{recipe}"] = auc
    print(out)
    return out


def detector_study(n: int = 45, seed: int = 123) -> dict:
    """Does an image detector trained on more data see the capstone's swaps better? One trained here on FAST
    mode's data (``detect.train_data("fast")``, the data ``detect.pt`` was first trained on) against the shipped one,
    trained on full mode's (``detect.build_pretrained("full")``), on frames_study's clips, 10 frames each, clean
    and re-encoded. About 3 minutes on 2 cores; docs/design.md quotes it."""
    from course_lib import capstone, detect

    fast = detect.train_image(detect.train_data("fast", 0)["images"], detect.TRAIN_SETTINGS["fast"]["epochs"], 0)
    shipped = detect.pretrained("clip").image
    kinds, clips = _study_clips(n, seed)
    out: dict = {}
    for condition, shown in (("clean", clips), ("reencoded", [capstone.reencode(c) for c in clips])):
        for name, image in (("fast_data", fast), ("shipped_full_data", shipped)):
            for recipe, auc in _face_aucs(image, shown, kinds, 10).items():
                out[f"{condition}_{name}_{recipe}"] = auc
    print(out)
    return out
