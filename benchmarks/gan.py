"""The DCGAN of lab 04: train it, then measure its samples with judges trained on real faces only (lab 04).

``--mode full`` trains the full preset for this machine's device (``gan.settings("full")``: 32 filters on a
CPU, DCGAN's 64 on a CUDA GPU) and measures 1,000 samples with the full judges; it also loads the shipped
``gan-full`` run and measures it the same way (``shipped_*``), so the two can be compared. ``--mode fast``
trains the FAST preset for only 100 steps and measures 200 samples with the FAST judges: a smoke test of the
pipeline whose own numbers are not expected to meet the targets (they are full-mode targets); its
``shipped_*`` keys measure the shipped ``gan-fast`` run (the FAST preset's 1,000 steps) with the same judges.

Beside FD and coverage, ``gan.measure_run`` reports ``precision`` and ``recall`` (Kynkäänniemi et al. 2019,
k = 3) of the samples against the real faces in the attribute judge's feature space (the one FD uses), the
face rate, and ``damaged_rejection``: the share of deliberately damaged real faces (``judges.damaged_faces``:
people the face judge never saw, damaged with other values than the ones it learnt from) that the face judge
rejects; a face rate from a judge that cannot reject a smeared face measures nothing.

``python -m benchmarks.gan --shipped --mode full`` measures only the shipped run of that mode, trains nothing
new (``measure_shipped``), and appends its record (``"run": "shipped gan-full"``) to the same results file.

**One measure, one instrument.** ``fd_ratio`` is FD(samples, real) / FD(untrained G, real), read in the
feature space of the attribute judge of the mode measured, with that mode's sample count; every record names
both (``judges``, ``n_samples``). The instrument matters more than the generator: the shipped ``gan-full``
scores 0.200 (a fresh full run 0.187) with full mode's judge (6,000 training faces, 88% held-out accuracy)
and 1,000 samples, 0.208 with that judge and 200 samples, but 0.097 with FAST mode's judge (900 faces, 46%)
and 200 samples, 0.081 with 1,000. The real-against-real floor is negligible in every case: at most 0.011
of the untrained G's FD.
``TARGETS`` are issue 17's full-mode targets: they apply to a ``--mode full`` record (``judges: "full"``);
a FAST record's ``targets_met`` only shows the pipeline runs.
"""
from __future__ import annotations

import argparse
import sys
import time
import types

# issue 17's targets, set for full mode's judges and 1,000 samples (see "One measure, one instrument" above)
TARGETS = {"fd_ratio": ("<=", 0.12), "attribute_coverage": (">=", 0.8), "face_rate": (">=", 0.9),
           "precision": (">=", 0.7), "recall": (">=", 0.6), "damaged_rejection": (">=", 0.9)}
FAST_STEPS = 100
SHIPPED_KEYS = ("fd_final", "fd_ratio", "attribute_coverage", "precision", "recall", "face_rate", "train_s")


def measure_shipped(mode: str, n: int | None = None) -> dict:
    """The shipped run of ``mode`` measured with this mode's judges, without training anything new (lab 04)."""
    from course_lib import config, gan

    mode = config.resolve_mode(mode)
    metrics = gan.measure_run(gan.pretrained_run(mode, config.device()), gan.Yardstick(n, mode=mode))
    return {"run": f"shipped gan-{mode}", **metrics}


def run(mode: str, steps: int | None = None, n: int | None = None, n_train: int | None = None) -> dict:
    """Train and measure: FD, coverage, precision, recall, face rate, damaged rejection, time, device (lab 04).

    ``steps``, ``n`` (samples measured) and ``n_train`` shrink a run further, for the tests.
    """
    from course_lib import config, gan

    mode = config.resolve_mode(mode)
    shrunk = steps is not None or n is not None or n_train is not None
    device = config.device()
    s = gan.settings(mode, device)
    if steps is not None or mode == "fast":
        steps = steps or FAST_STEPS
        s = s.replace(steps=steps, every=max(1, steps))
    if n_train is not None:
        s = s.replace(n_train=n_train)
    t0 = time.perf_counter()
    run_ = gan.train_gan(s, device=device, progress=False)
    ys = gan.Yardstick(n, mode=mode)  # this mode's judges (200 samples in FAST mode, 1,000 in full)
    metrics = {"run": "trained now", **gan.measure_run(run_, ys)}
    if not shrunk:  # the shipped run of this mode, measured with the same judges and real faces
        shipped = gan.measure_run(gan.pretrained_run(mode, device), ys)
        metrics.update({f"shipped_{k}": shipped[k] for k in SHIPPED_KEYS})
    metrics["total_s"] = round(time.perf_counter() - t0, 2)
    return metrics


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.gan --shipped [--mode fast|full]``: measure the shipped run only, record it (lab 04)."""
    import benchmarks

    parser = argparse.ArgumentParser(prog="python -m benchmarks.gan", description="Measure the shipped GAN only "
                                     "(to train and measure, run python -m benchmarks gan).")
    parser.add_argument("--shipped", action="store_true", required=True, help="measure the shipped run, train nothing")
    parser.add_argument("--mode", choices=benchmarks.MODES, default="fast")
    args = parser.parse_args(argv)
    module = types.SimpleNamespace(__name__=__name__, TARGETS=TARGETS, run=measure_shipped)
    record = benchmarks.run(module, args.mode, "gan")
    print("\n".join(benchmarks.summary(record)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
