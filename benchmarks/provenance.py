"""Lab 08's watermarks and signatures: invisibility, robustness, false positives, tamper maps, voice, C2PA (lab 08).

The anchor, ``invisible-watermark``'s dwtDct, needs ``opencv-python``, which clashes with the course's
``opencv-python-headless``, so it lives in its own virtual environment and is optional::

    python -m venv /tmp/anchor-venv
    /tmp/anchor-venv/bin/pip install --no-deps invisible-watermark==0.2.0
    /tmp/anchor-venv/bin/pip install opencv-python PyWavelets numpy
    export PROVENANCE_ANCHOR_PYTHON=/tmp/anchor-venv/bin/python
    python -m benchmarks provenance --mode full

``--no-deps`` skips torch, onnx and onnxruntime, which only its RivaGAN method needs; the scripts below stand
in empty modules for them so that ``import imwatermark`` works (a full ``pip install invisible-watermark``
works too). With the variable set, the benchmark sends the same 256×256 faces, marked with the same 32 bits,
through the same attacks, and reports ``anchor_bit_acc_*`` beside the course's figures; without it, it says
so and skips them.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np

TARGETS = {"wm_psnr": (">=", 38.0), "bit_acc_jpeg70_64": (">=", 0.99), "bit_acc_jpeg70_256": (">=", 0.99),
           "bit_acc_resize075_64": (">=", 0.99), "bit_acc_resize075_256": (">=", 0.99),
           "bit_acc_noise_64": (">=", 0.99), "bit_acc_noise_256": (">=", 0.99),
           "false_positive_rate": ("<=", 0.001), "tamper_iou": (">=", 0.7), "audio_bit_acc_aac96": (">=", 0.95),
           "c2pa_roundtrip": (">=", 1)}
SIZES = {"fast": {"faces": 4, "null": 200, "tamper": 2, "clips": 1, "voices": 1},
         "full": {"faces": 32, "null": 3000, "tamper": 16, "clips": 4, "voices": 6}}
KEY = 2026


def attacks():
    """The image attacks measured, by metric name (lab 08)."""
    from course_lib import provenance as P

    return {"jpeg70": lambda m: P.jpeg(m, 70), "resize075": lambda m: P.resize(m, 0.75),
            "noise": lambda m: P.noise(m, 0.01), "crop": lambda m: P.crop(m, 0.25), "blur": lambda m: P.blur(m, 1.0)}


def faces(n: int, size: int, seed: int):
    """``n`` rendered faces with their landmarks (lab 08)."""
    from course_lib import synth

    return synth.render_batch([synth.identity(seed + i) for i in range(n)], synth.random_states(n, seed), size=size)


def image_metrics(n: int) -> dict:
    """PSNR and bit accuracy after each attack, on 64×64 and 256×256 faces (lab 08)."""
    from course_lib import provenance as P

    out, psnrs, bits = {}, [], P.random_bits(32, 1)
    for size in (64, 256):
        acc = {name: [] for name in attacks()}
        for img in faces(n, size, 100 + size).images:
            marked = P.embed(img, bits, KEY)
            psnrs.append(P.psnr_db(marked, img))
            for name, attack in attacks().items():
                acc[name].append(P.bit_accuracy(P.decode(attack(marked), KEY), bits))
        out.update({f"bit_acc_{name}_{size}": round(float(np.mean(v)), 4) for name, v in acc.items()})
    out["wm_psnr"] = round(float(np.min(psnrs)), 2)
    out["bit_acc_crop"] = min(out.pop("bit_acc_crop_64"), out.pop("bit_acc_crop_256"))
    return out


def false_positive_rate(n: int) -> float:
    """Share of unmarked 64×64 faces the detector calls marked at its 0.1% threshold (lab 08)."""
    from course_lib import provenance as P

    return float(np.mean([P.detect(img, KEY).marked for img in faces(n, 64, 5000).images]))


def tamper_iou(n: int) -> dict:
    """Mean IoU of the tamper map with the true region: the course's classical swap, and a plain paste (lab 08).

    The target face is marked, then swapped (``faces.classical_swap``, alpha and Poisson blends) or has another
    face pasted inside its hull, and is saved as JPEG 90; the truth is the swap's own mask.
    """
    from course_lib import faces as F, provenance as P

    swapped, pasted = [], []
    for i in range(n):
        r = faces(2, 256, 700 + 2 * i)
        marked = P.embed(r.images[0], P.random_bits(32, i), KEY)
        for blend in ("alpha", "poisson"):
            swap = F.classical_swap(r.images[1], r.landmarks[1], marked, r.landmarks[0], blend=blend)
            swapped.append(P.iou(P.tamper_map(P.jpeg(swap.image, 90), KEY), swap.mask > 0.5))
        truth = F.hull_mask(r.landmarks[0], (256, 256))
        fake = P.jpeg(marked * (1 - truth[..., None]) + r.images[1] * truth[..., None], 90)
        pasted.append(P.iou(P.tamper_map(fake, KEY), truth))
    return {"tamper_iou": round(float(np.mean(swapped)), 4), "tamper_iou_paste": round(float(np.mean(pasted)), 4)}


def learned_fake_tamper_iou(n: int) -> dict:
    """Tamper maps against the course's learned fakes: the autoencoder swap (lab 03) and lip sync (lab 05) (lab 08).

    Frames of Farah (128×128, 5 per clip) are marked, faked and saved as JPEG 90. The truth is where the fake
    changed the unmarked frame, which the synthetic world gives exactly: the shipped ``swap-full`` swapper run on
    the unmarked frames, and for lip sync the same clip rendered with its mouth driven by another sentence's
    audio (``lipsync.mouth_from_audio``); the lip-sync fake redraws only those pixels, as a lip-sync tool redraws
    the mouth. A small region (a mouth) is hard for 8×8 blocks scored with their neighbours: the IoU says how hard.
    """
    from course_lib import lipsync, provenance as P, swap, synth

    model = swap.pretrained(mode="full", device="cpu")
    performer, person = swap.PAIR
    ident = synth.cast(performer)
    ae, ls = [], []
    for i in range(n):
        speech = synth.speak(ident, synth.SENTENCES[i % len(synth.SENTENCES)], seed=i)
        other = synth.speak(ident, synth.SENTENCES[(i + 5) % len(synth.SENTENCES)], seed=i)
        real = synth.talking_clip(ident, seconds=1.0, size=128, seed=i, speech=speech)
        synced = synth.talking_clip(ident, seconds=1.0, size=128, seed=i, speech=speech,
                                    mouth=lipsync.mouth_from_audio(other.audio))
        frames, synced_frames, marks = real.frames[::5], synced.frames[::5], real.truth["landmarks"][::5]
        marked = np.stack([P.embed(f, P.random_bits(32, i), KEY) for f in frames])
        changed = np.abs(swap.swap_frames(model, frames, marks, person) - frames).max(axis=-1) > 2 / 255
        faked = swap.swap_frames(model, marked, marks, person)
        ae += [P.iou(P.tamper_map(P.jpeg(f, 90), KEY), t) for f, t in zip(faked, changed)]
        mouth = np.abs(synced_frames - frames).max(axis=-1) > 2 / 255
        redrawn = np.where(mouth[..., None], synced_frames, marked)
        ls += [P.iou(P.tamper_map(P.jpeg(f, 90), KEY), t) for f, t in zip(redrawn, mouth) if t.any()]
    return {"tamper_iou_autoencoder_swap": round(float(np.mean(ae)), 4),
            "tamper_iou_lipsync": round(float(np.mean(ls)), 4) if ls else None}


def audio_metrics(n: int) -> dict:
    """Voice mark: SNR and bit accuracy after AAC 96k and 64k, a resample to 8 kHz, and noise (lab 08)."""
    from course_lib import provenance as P, synth

    bits, snr, acc = P.random_bits(32, 3), [], {"aac96": [], "aac64": [], "resample8k": [], "noise20db": []}
    for i, name in enumerate(list(synth.CAST)[:n]):
        voice = synth.speak(synth.cast(name), " ".join(synth.SENTENCES[2 * i:2 * i + 2])).audio
        marked = P.embed_audio(voice, bits, KEY)
        snr.append(P.snr_db(marked, voice))
        for key, attacked in {"aac96": P.aac(marked, 96), "aac64": P.aac(marked, 64),
                              "resample8k": P.resample(marked, 8000), "noise20db": P.audio_noise(marked, 20)}.items():
            acc[key].append(P.bit_accuracy(P.decode_audio(attacked, KEY), bits))
    return {"audio_snr_db": round(float(np.mean(snr)), 2),
            **{f"audio_bit_acc_{k}": round(float(np.mean(v)), 4) for k, v in acc.items()}}


def c2pa_roundtrip() -> int:
    """1 when a signed JPEG and MP4 validate and their edited copies do not, else 0 (lab 08)."""
    import imageio.v3 as iio

    from course_lib import media, provenance as P

    img = faces(1, 128, 9).images[0]
    creds = P.make_credentials()
    with tempfile.TemporaryDirectory(prefix="bench-c2pa-") as tmp:
        d = Path(tmp)
        iio.imwrite(d / "a.jpg", media.to_uint8(img), quality=90)
        media.write_mp4(d / "a.mp4", np.repeat(img[None], 5, axis=0), audio=np.zeros(3200, np.float32))
        ok = True
        for name in ("a.jpg", "a.mp4"):
            signed = P.c2pa_sign(d / name, d / f"s-{name}", creds).read_bytes()
            edited = bytearray(signed)
            edited[-300] ^= 0xFF
            (d / f"e-{name}").write_bytes(bytes(edited))
            ok &= P.c2pa_verify(d / f"s-{name}").status == P.VALID
            ok &= P.c2pa_verify(d / f"e-{name}").status != P.VALID
    return int(ok)


ANCHOR_IMPORT = r"""
import json, sys, types, numpy as np
for missing in ("torch", "onnxruntime"):  # only RivaGAN needs them; dwtDct does not
    try:
        __import__(missing)
    except ImportError:
        sys.modules[missing] = types.ModuleType(missing)
"""
ANCHOR_SCRIPT = ANCHOR_IMPORT + r"""
from imwatermark import WatermarkEncoder
data = np.load(sys.argv[1]); bits = [int(b) for b in data["bits"]]
enc = WatermarkEncoder(); enc.set_watermark("bits", bits)
marked = np.stack([enc.encode(np.ascontiguousarray(im[..., ::-1]), "dwtDct")[..., ::-1] for im in data["images"]])
np.save(sys.argv[2], marked)
"""
ANCHOR_DECODE = ANCHOR_IMPORT + r"""
from imwatermark import WatermarkDecoder
imgs = np.load(sys.argv[1]); dec = WatermarkDecoder("bits", int(sys.argv[2]))
print(json.dumps([[int(b) for b in dec.decode(np.ascontiguousarray(im[..., ::-1]), "dwtDct")] for im in imgs]))
"""


def anchor_metrics(n: int) -> dict:
    """invisible-watermark's dwtDct on the same 256×256 faces and attacks, if its venv is set up (lab 08)."""
    from course_lib import media, provenance as P

    python = os.environ.get("PROVENANCE_ANCHOR_PYTHON")
    if not python or not Path(python).exists():
        print("anchor skipped: set PROVENANCE_ANCHOR_PYTHON to a venv with invisible-watermark (see the docstring)")
        return {}
    bits = P.random_bits(32, 1)
    imgs = media.to_uint8(faces(n, 256, 356).images)
    with tempfile.TemporaryDirectory(prefix="bench-anchor-") as tmp:
        src, marked_path = Path(tmp) / "in.npz", Path(tmp) / "marked.npy"
        np.savez(src, images=imgs, bits=bits)
        subprocess.run([python, "-c", ANCHOR_SCRIPT, str(src), str(marked_path)], check=True, timeout=600)
        marked = np.load(marked_path).astype(np.float32) / 255.0
        out = {"anchor_wm_psnr": round(float(min(P.psnr_db(m, i / 255.0) for m, i in zip(marked, imgs))), 2)}
        anchor_attacks = {"clean": lambda m: m, **{k: v for k, v in attacks().items() if k != "crop"}}
        for name, attack in anchor_attacks.items():
            attacked_path = Path(tmp) / f"{name}.npy"
            np.save(attacked_path, media.to_uint8(np.stack([attack(m) for m in marked])))
            res = subprocess.run([python, "-c", ANCHOR_DECODE, str(attacked_path), str(bits.size)], check=True,
                                 capture_output=True, text=True, timeout=600)
            decoded = json.loads(res.stdout)
            out[f"anchor_bit_acc_{name}_256"] = round(float(np.mean([P.bit_accuracy(d, bits) for d in decoded])), 4)
    return out


def run(mode: str) -> dict:
    """All of lab 08's measures for the mode's sample sizes, each anchor figure beside the course's (lab 08)."""
    n = SIZES[mode]
    ours = {**image_metrics(n["faces"]), "false_positive_rate": false_positive_rate(n["null"]),
            "null_images": n["null"], **tamper_iou(n["tamper"]), **learned_fake_tamper_iou(n["clips"]),
            **audio_metrics(n["voices"]),
            "c2pa_roundtrip": c2pa_roundtrip()}
    anchor = anchor_metrics(n["faces"])
    out = {}
    for key, value in ours.items():
        out[key] = value
        if f"anchor_{key}" in anchor:
            out[f"anchor_{key}"] = anchor.pop(f"anchor_{key}")
    return {**out, **anchor}
