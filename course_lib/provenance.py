"""Provenance: invisible watermarks on faces and voices, attacks on them, tamper maps, and signatures (lab 08).

Two ways to say where a picture or a voice came from, each with its own failure:

- A **watermark** hides a keyed pattern in the content itself. It survives re-encoding, resizing and noise,
  but anyone without the key cannot check it, and it only speaks for content that was marked at the source.
  The image mark here is *dither modulation* (quantisation index modulation) of nine low-frequency DCT
  coefficients of every 8×8 block of the luma channel: each coefficient is moved onto one of two keyed grids,
  one for bit 0 and one for bit 1. The 32 payload bits are protected by a Hamming(7,4) code and spread over
  all blocks, so a 64×64 face carries about ten copies of each coded bit and a full frame thousands.
  The voice mark is multiplicative spread spectrum: keyed ±1 chips scale tiles of the spectrogram (300 to
  3,500 Hz, where speech lives and AAC keeps it) by 1 ± ``strength``.
- A **signature** binds a manifest (who, when, what was done) to the exact bytes of a file. Any change,
  even a lossless re-encode, breaks the hash: it tells you *that* something changed, not what or where.
  It is done twice: by hand (JSON + SHA-256 + a perceptual hash + Ed25519) and with the real standard, C2PA,
  through ``c2pa-python`` (pinned: its API changes between releases).
"""
from __future__ import annotations

import base64
import datetime as _dt
import io
import json
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
from scipy import fft as _fft
from scipy import ndimage, signal, stats

from .files import as_path, existing_file, sha256_file, write_bytes_atomic
from .validate import (SAMPLE_RATE, check_audio, check_finite, check_image, check_images, check_mask, check_scalar,
                       check_seed)

BLOCK = 8
# Zig-zag positions 1 to 9 of an 8×8 DCT block: the lowest AC frequencies, which JPEG quantises finely and
# which survive resizing and blur. DC (0, 0) is left alone, so brightness changes do not touch the mark.
COEFFS = ((0, 1), (1, 0), (2, 0), (1, 1), (0, 2), (0, 3), (1, 2), (2, 1), (3, 0))
MAX_BLOCKS = 270  # the keyed pattern covers up to 2,160 pixels a side (a 4K-wide frame needs 480: crop or resize)
N_BITS = 32
PSNR_DB = 40.0
FPR = 0.001
LUMA = np.array([0.299, 0.587, 0.114], np.float32)

# Signature verdicts, one name each, shared by the hand-made manifest and C2PA.
VALID, CHANGED, BAD_SIGNATURE, NO_MANIFEST = "valid", "content changed", "bad signature", "no manifest"


# ---------------------------------------------------------------- error correction: Hamming(7,4)

_G = np.array([[1, 0, 0, 0, 1, 1, 0], [0, 1, 0, 0, 1, 0, 1], [0, 0, 1, 0, 0, 1, 1], [0, 0, 0, 1, 1, 1, 1]], np.uint8)
_CODEBOOK = (np.array([[(n >> (3 - i)) & 1 for i in range(4)] for n in range(16)], np.uint8) @ _G) % 2


def hamming_encode(bits) -> np.ndarray:
    """Hamming(7,4): every 4 payload bits become 7, so any single flipped bit in 7 can be corrected (lab 08)."""
    bits = _check_bits(bits)
    return (bits.reshape(-1, 4) @ _G % 2).astype(np.uint8).ravel()


def hamming_decode(soft) -> np.ndarray:
    """Decode 7-bit words from soft votes (>0 means 1) by picking the nearest of the 16 codewords (lab 08)."""
    soft = check_finite(soft, "soft", "hamming_decode").astype(np.float64)
    if soft.ndim != 1 or not soft.size or soft.size % 7:
        raise ValueError(f"hamming_decode: soft must be a 1-D array of votes whose length is a multiple of 7, got "
                         f"shape {soft.shape}")
    soft = soft.reshape(-1, 7)
    scores = soft @ (2.0 * _CODEBOOK.T - 1.0)  # agreement of the votes with each codeword's ±1 pattern
    return _CODEBOOK[np.argmax(scores, axis=1), :4].ravel().astype(np.uint8)


def random_bits(n: int = N_BITS, seed: int = 0) -> np.ndarray:
    """``n`` random payload bits (0/1, uint8) to embed, e.g. an ID of the camera or the newsroom (lab 08)."""
    n = check_scalar(n, "n", int, min_val=4, fn="random_bits")
    if n % 4:
        raise ValueError(f"random_bits: n must be a multiple of 4 (Hamming codes 4 bits at a time), got {n}")
    return np.random.default_rng(check_seed(seed)).integers(0, 2, n, dtype=np.uint8)


def bit_accuracy(decoded, sent) -> float:
    """Share of payload bits decoded correctly: 1.0 is perfect, about 0.5 is chance (lab 08)."""
    decoded, sent = _check_bits(np.ravel(decoded), "decoded"), _check_bits(sent, "sent")
    if decoded.shape != sent.shape:
        raise ValueError(f"decoded has {decoded.size} bits but sent has {sent.size}: compare payloads of one length")
    return float(np.mean(decoded.astype(np.uint8) == sent))


def _check_bits(bits, name: str = "bits") -> np.ndarray:
    arr = np.asarray(bits)
    if arr.ndim != 1 or arr.size < 4 or arr.size % 4 or not np.isin(arr, (0, 1)).all():
        raise ValueError(f"{name} must be a 1-D sequence of 0/1 whose length is a multiple of 4 "
                         f"(e.g. provenance.random_bits(32)), got shape {arr.shape}")
    return arr.astype(np.uint8)


def _n_coded(n_bits) -> int:
    """How many coded bits carry ``n_bits`` payload bits (7 per 4)."""
    if not isinstance(n_bits, (int, np.integer)) or n_bits < 4 or n_bits % 4:
        raise ValueError(f"n_bits must be the payload length that was embedded, a multiple of 4 (e.g. 32), "
                         f"got {n_bits!r}")
    return int(n_bits) * 7 // 4


def _check_key(key) -> int:
    return check_seed(key, "key")


# ---------------------------------------------------------------- image watermark

class Detection(NamedTuple):
    """What the detector says about one image (lab 08)."""
    score: float       # z-score of the correlation with the key's grid; about N(0, 1) on unmarked images
    threshold: float   # the score above which it says "marked", set for the target false-positive rate
    marked: bool
    bits: np.ndarray   # the decoded payload (meaningless when not marked)


def step_for_psnr(psnr: float = PSNR_DB) -> float:
    """The quantiser step whose embedding noise gives ``psnr`` dB on a [0, 1] image (lab 08).

    Moving a coefficient to the nearest point of a grid with step Δ (and a random keyed offset) adds uniform
    noise of variance Δ²/12; 9 of every 64 coefficients move, and the DCT keeps energy, so the pixel
    MSE is (9/64)·Δ²/12. Solving 10·log10(1/MSE) = psnr gives Δ.
    """
    psnr = check_scalar(psnr, "psnr", float, min_val=20.0, max_val=60.0, fn="step_for_psnr")  # 40 is invisible
    mse = 10.0 ** (-psnr / 10.0)
    return float(np.sqrt(12.0 * mse * BLOCK * BLOCK / len(COEFFS)))


@lru_cache(maxsize=8)
def _pattern(key: int, n_coded: int, rows: int):
    """The key's dither (fraction of a step) and coded-bit index for (block row, block col, coefficient)."""
    rng = np.random.default_rng([key, 0x0808])
    # Coded bits cycle along each block row, with a keyed shift per row and a keyed relabelling: any region
    # of a few blocks holds every bit, and a crop that keeps the top-left corner keeps the same layout.
    shift, labels = int(rng.integers(1, n_coded)), rng.permutation(n_coded)
    dither = rng.random((rows, MAX_BLOCKS, len(COEFFS)))  # the first rows of the same full-size draw
    by, bx, k = np.meshgrid(np.arange(rows), np.arange(MAX_BLOCKS), np.arange(len(COEFFS)), indexing="ij")
    return dither, labels[(bx * len(COEFFS) + k + by * shift) % n_coded]


def _luma_blocks(img: np.ndarray):
    """Luma of the image cut to whole 8×8 blocks, and its blocks' DCT coefficients (nby, nbx, 8, 8)."""
    h, w = (img.shape[0] // BLOCK) * BLOCK, (img.shape[1] // BLOCK) * BLOCK
    y = img[:h, :w] @ LUMA
    blocks = y.reshape(h // BLOCK, BLOCK, w // BLOCK, BLOCK).transpose(0, 2, 1, 3)
    return blocks, _fft.dctn(blocks, axes=(2, 3), norm="ortho")


def _coeffs(dct: np.ndarray) -> np.ndarray:
    rows, cols = zip(*COEFFS)
    return dct[:, :, list(rows), list(cols)]


def _check_size(img: np.ndarray, name: str = "image") -> None:
    h, w = img.shape[:2]
    if min(h, w) < 4 * BLOCK or max(h, w) > MAX_BLOCKS * BLOCK:
        raise ValueError(f"{name} is {h}×{w}: the watermark needs at least {4 * BLOCK}×{4 * BLOCK} pixels and at "
                         f"most {MAX_BLOCKS * BLOCK} a side; resize it first")


def embed(image, bits, key: int, psnr: float = PSNR_DB) -> np.ndarray:
    """Hide ``bits`` in ``image`` with secret ``key``, at about ``psnr`` dB; returns the marked image (lab 08)."""
    img, coded, key = check_image(image), hamming_encode(bits), _check_key(key)
    _check_size(img)
    step = step_for_psnr(psnr)
    blocks, dct = _luma_blocks(img)
    nby, nbx = blocks.shape[:2]
    dither, index = _pattern(key, coded.size, nby)
    offset = (dither[:nby, :nbx] + 0.5 * coded[index[:nby, :nbx]]) * step  # bit 1 uses the grid shifted by Δ/2
    c = _coeffs(dct)
    rows, cols = zip(*COEFFS)
    dct[:, :, list(rows), list(cols)] = np.round((c - offset) / step) * step + offset
    delta_y = _fft.idctn(dct, axes=(2, 3), norm="ortho") - blocks
    delta = delta_y.transpose(0, 2, 1, 3).reshape(nby * BLOCK, nbx * BLOCK)
    out = img.copy()
    out[:nby * BLOCK, :nbx * BLOCK] += delta[..., None]  # the same change in R, G and B moves only the luma
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def embed_frames(frames, bits, key: int, psnr: float = PSNR_DB) -> np.ndarray:
    """Mark every frame of a clip (T×H×W×3) with the same bits and key (lab 08)."""
    frames = check_images(frames, "frames")
    return np.stack([embed(frame, bits, key, psnr) for frame in frames])


def _phases(img: np.ndarray, key: int, n_coded: int, step: float):
    """Each coefficient's position between the key's grid points, as an angle (0 = on the bit-0 grid)."""
    _, dct = _luma_blocks(img)
    nby, nbx = dct.shape[:2]
    dither, index = _pattern(key, n_coded, nby)
    return 2 * np.pi * (_coeffs(dct) / step - dither[:nby, :nbx]), index[:nby, :nbx]


def phases(image, key: int, n_bits: int = N_BITS, psnr: float = PSNR_DB) -> np.ndarray:
    """The detector's first step: each marked DCT coefficient's angle between ``key``'s grid points (lab 08).

    One angle in radians per coefficient, shaped (block rows, block columns, 9); 0 lies on the bit-0 grid.
    """
    img, key = check_image(image), _check_key(key)
    _check_size(img)
    return _phases(img, key, _n_coded(n_bits), step_for_psnr(psnr))[0]


def detect(image, key: int, n_bits: int = N_BITS, psnr: float = PSNR_DB, fpr: float = FPR) -> Detection:
    """Is ``image`` marked with ``key``? A correlation score, its threshold for ``fpr``, and the bits (lab 08).

    On either grid, cos(2·angle) is 1. Without the mark, the keyed random offsets make the angle uniform,
    so each cos(2·angle) has mean 0 and variance 1/2 whatever the picture: the sum over n coefficients,
    divided by sqrt(n/2), is close to a standard normal. The threshold is its (1 - fpr) quantile, so
    unmarked images pass it with probability about ``fpr`` (the benchmark measures it). That holds over
    keys; for one fixed key, smooth areas that many pictures share (all-zero coefficients) shift every
    score by the same small amount, which is why the rate is also measured on unmarked images.
    """
    img, key = check_image(image), _check_key(key)
    _check_size(img)
    fpr = check_scalar(fpr, "fpr", float, min_val=0.0, max_val=0.5, include_boundaries="neither", fn="detect")
    n_coded = _n_coded(n_bits)
    angle, index = _phases(img, key, n_coded, step_for_psnr(psnr))
    score = float(np.cos(2 * angle).sum() / np.sqrt(angle.size / 2))
    threshold = float(stats.norm.isf(fpr))
    votes = np.bincount(index.ravel(), weights=-np.cos(angle).ravel(), minlength=n_coded)  # >0: bit 1
    return Detection(score, threshold, score > threshold, hamming_decode(votes))


def decode(image, key: int, n_bits: int = N_BITS, psnr: float = PSNR_DB) -> np.ndarray:
    """The payload bits that ``key`` reads from ``image`` (lab 08)."""
    return detect(image, key, n_bits, psnr).bits


def tamper_map(image, key: int, n_bits: int = N_BITS, psnr: float = PSNR_DB, level: float = 0.3) -> np.ndarray:
    """A boolean H×W map, True where the mark is gone: each 8×8 block scored with its neighbours (lab 08).

    A block's score is the mean of cos(2·angle) over its 9 coefficients and its 3×3 neighbourhood
    (81 values): about 0.8 or more where the mark is intact, 0 ± 0.08 where it is not, so ``level``
    = 0.3 sits near four standard deviations above the unmarked mean.
    """
    img, key = check_image(image), _check_key(key)
    _check_size(img)
    level = check_scalar(level, "level", float, min_val=0.0, max_val=1.0, include_boundaries="neither",
                         fn="tamper_map")  # a block score; 0.3 is the default
    n_coded = _n_coded(n_bits)
    angle, _ = _phases(img, key, n_coded, step_for_psnr(psnr))
    block_score = ndimage.uniform_filter(np.cos(2 * angle).mean(axis=2), size=3, mode="nearest")
    gone = np.kron(block_score < level, np.ones((BLOCK, BLOCK), bool))
    out = np.zeros(img.shape[:2], bool)
    out[:gone.shape[0], :gone.shape[1]] = gone
    return out


def iou(pred, truth) -> float:
    """Intersection over union of two H×W masks (thresholded at 0.5): 1 is a perfect match (lab 08)."""
    pred = check_mask(pred, name="iou: pred") > 0.5
    truth = check_mask(truth, pred.shape, name="iou: truth") > 0.5
    union = np.logical_or(pred, truth).sum()
    return float(np.logical_and(pred, truth).sum() / union) if union else 1.0


def psnr_db(marked, original) -> float:
    """Peak signal-to-noise ratio of ``marked`` against ``original`` in dB (higher: less visible) (lab 08)."""
    from skimage.metrics import peak_signal_noise_ratio

    a, b = check_image(marked, "marked"), check_image(original, "original")
    if a.shape != b.shape:
        raise ValueError(f"marked is {a.shape} but original is {b.shape}: compare images of one size")
    return float(peak_signal_noise_ratio(b, a, data_range=1.0))


# ---------------------------------------------------------------- image attacks

def jpeg(image, quality: int = 70) -> np.ndarray:
    """Re-encode as JPEG at ``quality`` (1 to 100) and decode again, as a re-upload does (lab 08)."""
    import cv2

    img = check_image(image)
    quality = check_scalar(quality, "quality", int, min_val=1, max_val=100, fn="jpeg")
    bgr = np.round(img[..., ::-1] * 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].astype(np.float32) / 255.0


def resize(image, scale: float = 0.75) -> np.ndarray:
    """Scale by ``scale`` and back to the original size, losing the detail in between (lab 08)."""
    import cv2

    img = check_image(image)
    scale = check_scalar(scale, "scale", float, min_val=0.1, max_val=4.0, fn="resize")
    h, w = img.shape[:2]
    small = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return np.clip(cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC), 0, 1).astype(np.float32)


def crop(image, frac: float = 0.1) -> np.ndarray:
    """Cut ``frac`` of the height and width off the bottom and right (the mark's grid origin stays) (lab 08).

    A crop that also cuts the top or left shifts the 8×8 grid and the key's layout: this detector would then
    have to search every shift, which it does not.
    """
    img = check_image(image)
    frac = check_scalar(frac, "frac", float, min_val=0.0, max_val=0.9, include_boundaries="left", fn="crop")
    h, w = img.shape[:2]
    return img[:max(1, round(h * (1 - frac))), :max(1, round(w * (1 - frac)))].copy()


def noise(image, sigma: float = 0.01, seed: int = 0) -> np.ndarray:
    """Add Gaussian noise of standard deviation ``sigma`` (in [0, 1] units; 0.01 is 2.5 grey levels) (lab 08)."""
    img = check_image(image)
    sigma = check_scalar(sigma, "sigma", float, min_val=0.0, max_val=1.0, fn="noise")
    rng = np.random.default_rng(check_seed(seed))
    return np.clip(img + rng.normal(0, sigma, img.shape), 0, 1).astype(np.float32)


def blur(image, sigma: float = 1.0) -> np.ndarray:
    """Gaussian blur of ``sigma`` pixels (lab 08)."""
    img = check_image(image)
    sigma = check_scalar(sigma, "sigma", float, min_val=0.0, max_val=20.0, fn="blur")  # in pixels
    return ndimage.gaussian_filter(img, (sigma, sigma, 0)).astype(np.float32)


def brightness(image, delta: float = 0.1) -> np.ndarray:
    """Add ``delta`` to every pixel (clipped to [0, 1]) (lab 08)."""
    img = check_image(image)
    delta = check_scalar(delta, "delta", float, min_val=-1.0, max_val=1.0, fn="brightness")
    return np.clip(img + delta, 0, 1).astype(np.float32)


# ---------------------------------------------------------------- voice watermark

NPERSEG, TILE_BINS, TILE_FRAMES = 512, 1, 1  # one tile per spectrogram cell (32 ms × 31 Hz)
BAND_HZ = (300.0, 3500.0)
AUDIO_STRENGTH = 0.05
MIN_TILES_PER_BIT = 64  # fewer votes per bit and the voice drowns the mark


def _stft(audio: np.ndarray):
    return signal.stft(audio, fs=SAMPLE_RATE, nperseg=NPERSEG, noverlap=NPERSEG // 2, boundary="even")


@lru_cache(maxsize=8)
def _audio_pattern(key: int, n_coded: int, rows: int, cols: int):
    rng = np.random.default_rng([key, 0xA0D10])
    chips = rng.choice(np.array([-1.0, 1.0]), size=(rows, cols))
    index = rng.permutation(n_coded)[np.arange(rows * cols).reshape(rows, cols) % n_coded]
    return chips, index


def _tiles(z: np.ndarray, n_coded: int, key: int):
    """The band's bins and the tile grid: (first bin, rows, cols, chips, coded-bit index)."""
    freqs = np.fft.rfftfreq(NPERSEG, 1 / SAMPLE_RATE)
    lo, hi = np.searchsorted(freqs, BAND_HZ)
    rows, cols = (hi - lo) // TILE_BINS, z.shape[1] // TILE_FRAMES
    if cols * rows < MIN_TILES_PER_BIT * n_coded:
        need = MIN_TILES_PER_BIT * n_coded / rows * TILE_FRAMES * NPERSEG / 2 / SAMPLE_RATE
        raise ValueError(f"audio is too short to carry {n_coded * 4 // 7} bits: give at least {need + 0.1:.1f} s")
    chips, index = _audio_pattern(key, n_coded, rows, cols)
    return lo, rows, cols, chips, index


def embed_audio(audio, bits, key: int, strength: float = AUDIO_STRENGTH, margin: float = 0.06) -> np.ndarray:
    """Hide ``bits`` in 16 kHz mono ``audio``: keyed spectrogram tiles scaled by 1 ± a strength per bit (lab 08).

    The voice itself disturbs the detector's vote for each bit. The embedder knows the voice, so it checks
    what the detector would read and raises the strength of the bits whose vote is weaker than ``margin``
    (informed embedding), a few rounds, from ``strength`` up to at most 0.45.
    """
    x, coded, key = check_audio(audio), hamming_encode(bits), _check_key(key)
    strength = check_scalar(strength, "strength", float, min_val=0.0, max_val=0.45, include_boundaries="neither",
                            fn="embed_audio")  # 0.05 is about 26 dB before boosts
    margin = check_scalar(margin, "margin", float, min_val=0.0, max_val=1.0, fn="embed_audio")
    _, _, z = _stft(x)
    lo, rows, cols, chips, index = _tiles(z, coded.size, key)
    sign = 2.0 * coded - 1.0  # bit 1 follows the chips, bit 0 goes against them
    per_bit = np.full(coded.size, float(strength))
    counts = np.bincount(index.ravel(), minlength=coded.size)
    for _ in range(6):
        gain = np.ones(z.shape)
        tile_gain = 1 + per_bit[index] * chips * sign[index]
        gain[lo:lo + rows * TILE_BINS, :cols * TILE_FRAMES] = np.kron(tile_gain, np.ones((TILE_BINS, TILE_FRAMES)))
        _, y = signal.istft(z * gain, fs=SAMPLE_RATE, nperseg=NPERSEG, noverlap=NPERSEG // 2, boundary=True)
        y = np.clip(y[:x.size], -1, 1).astype(np.float32)
        read = _audio_votes(y, key, coded.size) * sign / counts  # mean vote per tile, positive when right
        weak = read < margin
        if not weak.any():
            break
        per_bit[weak] = np.minimum(per_bit[weak] * 1.3, 0.45)
    return y


def _audio_votes(x: np.ndarray, key: int, n_coded: int) -> np.ndarray:
    _, _, z = _stft(x)
    lo, rows, cols, chips, index = _tiles(z, n_coded, key)
    power = np.abs(z[lo:lo + rows * TILE_BINS, :cols * TILE_FRAMES]) ** 2
    energy = power.reshape(rows, TILE_BINS, cols, TILE_FRAMES).sum(axis=(1, 3))
    log_e = np.log(energy + 1e-4 * energy.max() + 1e-20)  # silence (below -40 dB) votes nothing
    detail = log_e - ndimage.uniform_filter(log_e, size=3, mode="nearest")
    return np.bincount(index.ravel(), weights=(chips * detail).ravel(), minlength=n_coded)


def decode_audio(audio, key: int, n_bits: int = N_BITS) -> np.ndarray:
    """The payload bits that ``key`` reads from 16 kHz mono ``audio`` (lab 08).

    Each tile's log energy, minus the mean of its 3×3 neighbourhood (which removes the voice's own
    spectral shape), is correlated with the tile's chip; the votes of all tiles of a coded bit are summed.
    """
    x, key = check_audio(audio), _check_key(key)
    n_coded = _n_coded(n_bits)
    return hamming_decode(_audio_votes(x, key, n_coded))


def snr_db(marked, original) -> float:
    """Signal-to-noise ratio of ``marked`` against ``original`` audio in dB (lab 08)."""
    a, b = check_audio(marked, name="marked"), check_audio(original, name="original")
    if a.shape != b.shape:
        raise ValueError(f"marked has {a.size} samples but original has {b.size}: compare equal lengths")
    err = float(np.sum((a.astype(np.float64) - b) ** 2))
    return float("inf") if err == 0 else float(10 * np.log10(np.sum(b.astype(np.float64) ** 2) / err))


# ---------------------------------------------------------------- audio attacks

def aac(audio, kbps: int = 96) -> np.ndarray:
    """Encode 16 kHz ``audio`` as AAC at ``kbps`` with the course's ffmpeg (imageio-ffmpeg) and decode it (lab 08)."""
    from .media import ffmpeg_exe, read_audio, write_wav

    x = check_audio(audio)
    kbps = check_scalar(kbps, "kbps", int, min_val=16, max_val=320, fn="aac")  # 64 to 128 is typical
    with tempfile.TemporaryDirectory(prefix="course-aac-") as tmp:
        wav, m4a = Path(tmp) / "in.wav", Path(tmp) / "out.m4a"
        write_wav(wav, x)
        res = subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(wav), "-c:a", "aac", "-b:a", f"{kbps}k",
                              str(m4a)], capture_output=True)
        if res.returncode != 0:
            raise RuntimeError(f"ffmpeg could not encode AAC: {res.stderr.decode(errors='replace').strip()}")
        y = read_audio(m4a)
    return _fit(y, x.size)


def resample(audio, sr: int = 8000) -> np.ndarray:
    """Resample 16 kHz ``audio`` to ``sr`` and back, as a phone line or a re-upload does (lab 08)."""
    from math import gcd

    x = check_audio(audio)
    sr = check_scalar(sr, "sr", int, min_val=4000, max_val=96000, fn="resample")
    g = gcd(int(sr), SAMPLE_RATE)
    y = signal.resample_poly(x, sr // g, SAMPLE_RATE // g)
    return _fit(np.clip(signal.resample_poly(y, SAMPLE_RATE // g, sr // g), -1, 1), x.size)


def audio_noise(audio, snr_db: float = 30.0, seed: int = 0) -> np.ndarray:
    """Add white noise at ``snr_db`` dB below the audio's power (lab 08)."""
    x = check_audio(audio)
    snr_db = check_scalar(snr_db, "snr_db", float, min_val=-10.0, max_val=80.0, fn="audio_noise")
    sigma = np.sqrt(np.mean(x.astype(np.float64) ** 2) / 10 ** (snr_db / 10))
    rng = np.random.default_rng(check_seed(seed))
    return np.clip(x + rng.normal(0, sigma, x.shape), -1, 1).astype(np.float32)


def _fit(y: np.ndarray, n: int) -> np.ndarray:
    y = np.asarray(y, np.float32)[:n]
    return np.pad(y, (0, n - y.size)).astype(np.float32)


# ---------------------------------------------------------------- signatures by hand: JSON + Ed25519

class Verdict(NamedTuple):
    """What a signature check says: one of VALID, CHANGED, BAD_SIGNATURE, NO_MANIFEST, and why (lab 08)."""
    status: str
    trusted: bool   # the signer is one the checker already trusts (a key it holds, or a C2PA trust anchor)
    detail: str


def phash(image) -> int:
    """A 64-bit perceptual hash: signs of the 8×8 lowest DCT frequencies of a 32×32 grey thumbnail (lab 08).

    Unlike SHA-256 it barely moves under re-encoding or resizing, so a small Hamming distance
    (``phash_distance``) says "the same picture" even when the bytes differ.
    """
    import cv2

    grey = cv2.resize(check_image(image) @ LUMA, (32, 32), interpolation=cv2.INTER_AREA)
    low = _fft.dctn(grey, norm="ortho")[:8, :8].ravel()
    bits = low > np.median(low[1:])
    return int("".join("1" if b else "0" for b in bits), 2)


def phash_distance(a: int, b: int) -> int:
    """How many of the 64 perceptual-hash bits differ: under about 10 means the same picture (lab 08)."""
    a = check_scalar(a, "a", int, min_val=0, max_val=2**64 - 1, fn="phash_distance")
    b = check_scalar(b, "b", int, min_val=0, max_val=2**64 - 1, fn="phash_distance")
    return bin(a ^ b).count("1")


def _first_frame(path: Path) -> np.ndarray:
    from .media import read_video

    if path.suffix.lower() in {".mp4", ".mov", ".m4v", ".webm", ".mkv"}:
        return read_video(path, max_frames=1)[0][0]
    import imageio.v3 as iio

    try:
        return np.asarray(iio.imread(path))[..., :3]
    except Exception as exc:  # noqa: BLE001 - imageio raises many kinds for a file it cannot decode
        raise ValueError(f"path: cannot read {path.name} as an image or video ({type(exc).__name__}); give a "
                         ".png, .jpg or .mp4 file") from None


def _check_file(path, name: str = "path") -> Path:
    return existing_file(path, name, "file (write the image or clip first)")


def make_manifest(path, creator: str, actions=("created",), when: str | None = None) -> dict:
    """A provenance manifest for a file: creator, time, actions, its SHA-256 and its perceptual hash (lab 08)."""
    path = _check_file(path)
    if not isinstance(creator, str) or not creator:
        raise ValueError("creator must be a non-empty string, e.g. 'Deepfake Lab newsroom'")
    if isinstance(actions, str) or not isinstance(actions, (list, tuple)):
        raise ValueError(f"actions must be a list of what was done, e.g. ['created'], got {actions!r}")
    if when is not None and not isinstance(when, str):
        raise ValueError(f"when must be None or an ISO time string, e.g. '2026-01-01T12:00:00+00:00', got {when!r}")
    return {"creator": creator, "time": when or _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "actions": [str(a) for a in actions], "file": path.name,
            "sha256": sha256_file(path), "phash": f"{phash(_first_frame(path)):016x}"}


def _canonical(manifest: dict) -> bytes:
    return json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode()


def new_signing_key():
    """A fresh Ed25519 private key; ``key.public_key()`` is what you publish (lab 08)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate()


def sign_manifest(manifest: dict, private_key) -> dict:
    """Sign the canonical JSON of ``manifest`` with an Ed25519 key: {"manifest", "signature"} (lab 08)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if not isinstance(manifest, dict):
        raise TypeError(f"manifest must be a dict (from make_manifest), got {type(manifest).__name__}")
    if not isinstance(private_key, Ed25519PrivateKey):
        raise TypeError("private_key must be an Ed25519 private key (provenance.new_signing_key())")
    try:
        blob = _canonical(manifest)
    except (TypeError, ValueError) as exc:  # a value JSON cannot hold (an object, NaN)
        raise ValueError(f"manifest holds a value that canonical JSON cannot carry ({exc}); keep strings and finite "
                         "numbers, as make_manifest does") from None
    return {"manifest": manifest, "signature": base64.b64encode(private_key.sign(blob)).decode()}


def verify_manifest(signed: dict, path, public_key) -> Verdict:
    """Check a signed manifest against a file: "valid", "bad signature" or "content changed" (lab 08).

    The signature is checked first: if it fails, nothing in the manifest can be believed. Then the file's
    SHA-256 is compared; when it differs, the perceptual hash says whether it still looks the same.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    path = _check_file(path)
    if not isinstance(public_key, Ed25519PublicKey):
        raise TypeError("public_key must be an Ed25519 public key (private_key.public_key())")
    if not isinstance(signed, dict) or not {"manifest", "signature"} <= set(signed):
        raise ValueError("signed must be the dict that sign_manifest returned, with 'manifest' and 'signature'")
    manifest = signed["manifest"]
    try:
        public_key.verify(base64.b64decode(signed["signature"]), _canonical(manifest))
    except (InvalidSignature, ValueError, TypeError):
        return Verdict(BAD_SIGNATURE, False, "the signature does not match this manifest and key")
    if sha256_file(path) != manifest.get("sha256"):
        d = phash_distance(phash(_first_frame(path)), int(manifest.get("phash", "0"), 16))
        looks = "looks like the same picture" if d <= 10 else "looks different"
        return Verdict(CHANGED, True, f"SHA-256 differs; perceptual hash {d}/64 bits apart ({looks})")
    return Verdict(VALID, True, f"signed by the holder of this key; created by {manifest.get('creator')!r}")


# ---------------------------------------------------------------- C2PA, the real standard

C2PA_MIME = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".mp4": "video/mp4", ".png": "image/png"}


class Credentials(NamedTuple):
    """A local certificate chain for C2PA: signer certificate + root (PEM), the signer's key, the root (lab 08)."""
    chain_pem: bytes
    key_pem: bytes
    root_pem: bytes


def make_credentials(organisation: str = "Deepfake Lab", days: int = 30) -> Credentials:
    """A local root CA and an ES256 (P-256) signing certificate with the extensions C2PA requires (lab 08).

    The signer's certificate is an end entity (CA false) with the digitalSignature key usage and the
    emailProtection extended key usage, which C2PA accepts for claim signing, and names its issuer's key.
    A reader validates the signature and the chain but calls the signer *untrusted*: trust means the root is on
    the reader's list of trust anchors (the C2PA trust list, which vets who may issue them), and a root
    that anyone can make in one call cannot be on it. Pass ``root_pem`` to ``c2pa_verify`` to trust it yourself.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    days = check_scalar(days, "days", int, min_val=1, max_val=3650, fn="make_credentials")  # of validity
    if not isinstance(organisation, str) or not organisation.strip():
        raise ValueError(f"make_credentials: organisation must be a name (a non-empty str), got {organisation!r}")
    now = _dt.datetime.now(_dt.timezone.utc)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)])

    def usage(sign=False, ca=False):
        return x509.KeyUsage(digital_signature=sign, content_commitment=False, key_encipherment=False,
                             data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                             encipher_only=False, decipher_only=False)

    def cert(subject, issuer, public, signing_key, ca):
        b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public)
             .serial_number(x509.random_serial_number()).not_valid_before(now - _dt.timedelta(hours=1))
             .not_valid_after(now + _dt.timedelta(days=days))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
             .add_extension(usage(sign=not ca, ca=ca), critical=True)
             .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False))
        if not ca:
            b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        return b.sign(signing_key, hashes.SHA256())

    root_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root = cert(name(f"{organisation} local root CA"), name(f"{organisation} local root CA"), root_key.public_key(),
                root_key, ca=True)
    leaf = cert(name(f"{organisation} signer"), root.subject, key.public_key(), root_key, ca=False)
    pem = serialization.Encoding.PEM
    return Credentials(leaf.public_bytes(pem) + root.public_bytes(pem),
                       key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
                       root.public_bytes(pem))


def _mime(path: Path) -> str:
    mime = C2PA_MIME.get(path.suffix.lower())
    if mime is None:
        raise ValueError(f"{path.name}: C2PA signing here supports {sorted(C2PA_MIME)}; convert the file first")
    return mime


def c2pa_sign(src, dst, credentials: Credentials, creator: str = "Deepfake Lab",
              actions=("c2pa.created",)) -> Path:
    """Embed a signed C2PA manifest (creator, actions) in a copy of a JPEG or MP4 at ``dst`` (lab 08).

    Signed offline: no timestamp authority (``ta_url`` None), so the signing time is not certified
    and the signature is only checkable while the certificate is valid.
    """
    import c2pa

    src, dst = _check_file(src, "src"), as_path(dst, "dst")
    if not isinstance(credentials, Credentials):
        raise TypeError("credentials must come from provenance.make_credentials()")
    mime = _mime(src)
    if _mime(dst) != mime:
        raise ValueError(f"dst {dst.name} must have the same kind of suffix as src {src.name}")
    def action(name):
        entry = {"action": name, "softwareAgent": {"name": creator}}
        if name == "c2pa.created":  # C2PA 2 requires saying what made new content; the course's is rendered
            entry["digitalSourceType"] = "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia"
        return entry

    manifest = {"claim_generator_info": [{"name": "deepfake-lab", "version": "0.1"}], "title": dst.name,
                "assertions": [{"label": "c2pa.actions", "data": {"actions": [action(a) for a in actions]}}]}
    info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, credentials.chain_pem, credentials.key_pem, None)
    out = io.BytesIO()
    with c2pa.Signer.from_info(info) as signer, c2pa.Builder(manifest) as builder, open(src, "rb") as source:
        builder.sign(signer, mime, source, out)
    return write_bytes_atomic(dst, out.getvalue())


def c2pa_verify(path, trust_root: bytes | None = None) -> Verdict:
    """Read and validate a file's C2PA manifest: "valid", "content changed", "bad signature" or "no manifest" (lab 08).

    Without ``trust_root`` the reader trusts no local root, so a valid manifest comes back with
    ``trusted`` False (failure code signingCredential.untrusted); with the course's root PEM it is trusted.
    """
    import c2pa

    path = _check_file(path)
    if trust_root is not None and not isinstance(trust_root, (bytes, str)):
        raise TypeError("trust_root must be a root certificate in PEM (make_credentials().root_pem) or None")
    settings = {"trust": {"trust_anchors": trust_root.decode() if isinstance(trust_root, bytes) else trust_root}}
    try:
        with open(path, "rb") as f, (c2pa.Context.from_dict(settings) if trust_root else c2pa.Context()) as context:
            reader = c2pa.Reader.try_create(_mime(path), f, None, context)
            if reader is None:
                return Verdict(NO_MANIFEST, False, "the file carries no C2PA manifest (re-encoding drops it)")
            with reader:
                state = reader.get_validation_state()
                results = (reader.get_validation_results() or {}).get("activeManifest", {})
    except c2pa.C2paError as exc:
        return Verdict(BAD_SIGNATURE, False, f"the manifest could not be read: {exc}")
    failures = [f["code"] for f in results.get("failure", [])]
    # Trusted: the chain ends at a root the reader holds (the default reader holds none of the course's).
    trusted = "signingCredential.untrusted" not in failures and (state == "Trusted" or trust_root is not None)
    if state in ("Valid", "Trusted") and all(c.startswith("signingCredential.") for c in failures):
        return Verdict(VALID, trusted, f"C2PA state {state}" + ("" if trusted else ": signer not on the trust list"))
    if any(c.startswith("claimSignature.") for c in failures):
        return Verdict(BAD_SIGNATURE, False, f"C2PA state {state}: {', '.join(failures)}")
    return Verdict(CHANGED, trusted, f"C2PA state {state}: {', '.join(failures)}")
