"""Lab 09's reference pipeline on the capstone's held-back clips: macro-F1, recall per class, confusion (lab 09).

``capstone.make_set(mode)`` makes the clips (``capstone.SIZES``: validation and held-back clips per class);
``capstone.fit_reference`` fits the reference pipeline's regression on the validation clips and their
re-encoded copies (``capstone.reencoded``); the held-back clips are classified with
``capstone.predict_reference`` and graded by ``CapstoneSet.score``.

* ``macro_f1``: mean F1 over real and the three categories; ``recall_<class>``; ``confusion_<t>_<p>`` (truth t,
  prediction p); ``macro_f1_clean`` and ``macro_f1_reencoded``: the clips without and with the H.264/AAC round
  trip (``capstone.reencode``), and ``reencoded_drop``, their difference (clean minus re-encoded).
* ``validation_macro_f1``: on the clean validation clips the regression learned (optimistic, for comparison);
  ``c``: the regularisation strength cross-validation chose.
* ``make_s``: making the clips; ``evidence_s``: re-encoding the validation copies and gathering every clip's cues.
"""
from __future__ import annotations

import time

TARGETS = {"macro_f1": (">=", 0.9)}


def run(mode: str) -> dict:
    """Make the capstone set for ``mode``, pick thresholds on validation, grade the held-back clips (lab 09)."""
    from course_lib import capstone

    t0 = time.perf_counter()
    cs = capstone.make_set(mode)
    t1 = time.perf_counter()
    val_x = capstone.evidence_table(cs.validation)
    val_again = capstone.evidence_table(capstone.reencoded(cs.validation))
    test_x = capstone.evidence_table(cs.held_back)
    t2 = time.perf_counter()
    val_y = [it.category for it in cs.validation]
    reference = capstone.fit_reference(val_x, val_y, again=val_again)
    pred = capstone.predict_reference(test_x, reference)
    scores = cs.score(dict(zip(cs.clip_ids, pred.tolist())))
    m = {"macro_f1": scores["macro_f1"],
         "validation_macro_f1": capstone.macro_f1(val_y, capstone.predict_reference(val_x, reference))}
    m.update({f"recall_{c}": r for c, r in scores["recall"].items()})
    m.update({f"confusion_{t}_{p}": scores["confusion"][t][p] for t in capstone.CLASSES for p in capstone.CLASSES})
    m.update(macro_f1_clean=scores["macro_f1_clean"], macro_f1_reencoded=scores["macro_f1_reencoded"],
             accuracy_clean=scores["accuracy_clean"], accuracy_reencoded=scores["accuracy_reencoded"],
             reencoded_drop=scores["macro_f1_clean"] - scores["macro_f1_reencoded"],
             n_clean=scores["n_clean"], n_reencoded=scores["n_reencoded"])
    m["c"] = reference.c
    m = {k: round(float(v), 4) if isinstance(v, float) else v for k, v in m.items()}
    m.update(n_validation=len(cs.validation), n_held_back=len(cs.held_back), make_s=round(t1 - t0, 1),
             evidence_s=round(t2 - t1, 1), total_s=round(time.perf_counter() - t0, 1))
    return m
