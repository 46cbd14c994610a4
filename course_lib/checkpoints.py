"""Saving and loading model weights safely (lab 03; used by every lab that trains).

* Written atomically: to a temporary file beside the target, then renamed, so a crash never leaves a
  half-written checkpoint under the real name.
* Verified: a ``.sha256`` file beside each checkpoint holds its checksum; loading checks it first.
* Loaded with ``torch.load(weights_only=True)``: a checkpoint holds tensors and plain values only, never
  code, so loading a file from elsewhere cannot run anything.
"""
from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path


class CheckpointError(RuntimeError):
    """A checkpoint is missing, corrupted or not the expected kind (lab 03)."""


def sha256_file(path) -> str:
    """The sha256 hex digest of a file (lab 03)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_atomic(path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename it into place (lab 03)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def save(path, state: dict, meta: dict | None = None, half: bool = False) -> Path:
    """Save a state dict (and plain metadata) atomically with a sha256 file beside it (lab 03).

    ``half=True`` stores floating-point tensors as float16 (half the size; loading restores float32).
    """
    import torch

    if not isinstance(state, dict):
        raise ValueError("save: expected a state dict, e.g. model.state_dict()")
    tensors = {k: (v.detach().cpu().half() if half and v.is_floating_point() else v.detach().cpu())
               for k, v in state.items()}
    payload = {"state": tensors, "meta": dict(meta or {}), "format": "deepfake-lab/1"}
    buf = io.BytesIO()
    torch.save(payload, buf)
    data = buf.getvalue()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)
    write_atomic(path.with_name(path.name + ".sha256"), (hashlib.sha256(data).hexdigest() + "\n").encode())
    return path


def verify(path, expected_sha256: str | None = None) -> Path:
    """Check a checkpoint against ``expected_sha256`` or its ``.sha256`` file; raise CheckpointError if not (lab 03)."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"no checkpoint at {path}: train the model first, or check the path")
    sidecar = path.with_name(path.name + ".sha256")
    want = expected_sha256 or (sidecar.read_text().split()[0] if sidecar.exists() else None)
    if want is None:
        raise CheckpointError(f"{path} has no .sha256 file beside it, so it cannot be verified; "
                              "pass expected_sha256= if you know its checksum")
    got = sha256_file(path)
    if got != want:
        raise CheckpointError(f"{path} is corrupted or was changed: its sha256 is {got[:12]}… but {want[:12]}… "
                              "was expected. Delete it and train (or fetch) it again.")
    return path


def load(path, expected_sha256: str | None = None, map_location: str = "cpu") -> tuple[dict, dict]:
    """Verify a checkpoint's checksum and load it with ``weights_only=True``; returns (state, meta) (lab 03)."""
    import torch

    path = verify(path, expected_sha256)
    payload = torch.load(path, map_location=map_location, weights_only=True)
    if not isinstance(payload, dict) or payload.get("format") != "deepfake-lab/1":
        raise CheckpointError(f"{path} is not a Deepfake Lab checkpoint")
    state = {k: (v.float() if v.dtype == torch.float16 else v) for k, v in payload["state"].items()}
    return state, payload["meta"]
