"""Saving and loading model weights safely (lab 03; used by every lab that trains).

* Written atomically (``course_lib.files``): a crash never leaves a half-written checkpoint under the real name.
* Checked before it is written: ``save`` loads what it is about to write back with ``weights_only=True``, so a
  file that could never be loaded again (it would hold a Python object) is refused, and any older file is kept.
* Verified: a ``.sha256`` file beside each checkpoint holds its checksum; loading checks it first.
* Loaded with ``torch.load(weights_only=True)``: a checkpoint holds tensors and plain values only, never
  code, so loading a file from elsewhere cannot run anything. Every failure is a ``CheckpointError`` that
  says what is wrong and how to fix it.
"""
from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

from .files import as_path, sha256_file, write_bytes_atomic

FORMAT = "deepfake-lab/1"
_SHA256_RE = re.compile(r"[0-9a-f]{64}")


class CheckpointError(RuntimeError):
    """A checkpoint is missing, corrupted or not the expected kind (lab 03)."""


def _fix(path: Path) -> str:
    """How to get a good file back: rebuild a shipped one, retrain any other."""
    from . import pretrained

    if path.parent.resolve() == pretrained.FOLDER.resolve() and path.name.endswith(".pt"):
        name = path.name[:-3]
        return (f"restore it with git (git checkout -- course_lib/pretrained) or rebuild it with: "
                f"python -m course_lib.pretrained build {name}")
    return f"delete {path.name} and its .sha256 file, then train (or fetch) the model again"


def _reason(exc: BaseException) -> str:
    """torch's complaint in a few words, without its advice to turn the safety check off."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip()
    unsupported = re.search(r"Unsupported global: GLOBAL ([\w.]+)", text)
    if unsupported:
        return (f"it asks to rebuild the Python object {unsupported[1]}, which a checkpoint never holds: it was "
                "not saved by course_lib, or it carries code (nothing in it was run)")
    detail = re.search(r"WeightsUnpickler error:\s*(.+)", text)
    if detail or "weights" in text.lower():
        said = detail[1].strip() if detail else type(exc).__name__
    else:
        said = re.split(r"\.\s", text, maxsplit=1)[0][:160] or f"{type(exc).__name__}: the file ends too soon"
    if "weights_only" in said or "trusted" in said:  # never pass on the advice to load unsafely
        said = type(exc).__name__
    return f"its bytes do not form a checkpoint (torch says: {said})"


def check_device(map_location, name: str = "load: map_location"):
    """``map_location`` as a torch.device this machine has, else an error naming ``name`` and the devices (lab 03)."""
    import torch

    if not isinstance(map_location, (str, torch.device)):
        raise TypeError(f"{name} must be a device name such as 'cpu' or 'cuda', "
                        f"got {type(map_location).__name__} {map_location!r}")
    try:
        device = torch.device(map_location)
    except (RuntimeError, ValueError):
        device = None
    have = ["cpu"] + (["cuda"] if torch.cuda.is_available() else []) + (
        ["mps"] if torch.backends.mps.is_available() else [])
    if device is None or device.type not in have or (
            device.type == "cuda" and (device.index or 0) >= torch.cuda.device_count()):
        raise ValueError(f"{name}={map_location!r} is not a device this machine has; "
                         f"use one of {have} (or config.device())")
    return device


def _check_sha256(value, where: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{where} must be a sha256 checksum (a string of 64 hex digits), "
                        f"got {type(value).__name__} {value!r}")
    value = value.strip().lower()
    if not _SHA256_RE.fullmatch(value):
        raise ValueError(f"{where} must be a sha256 checksum (64 hex digits), got {value[:80]!r}")
    return value


def _serialise(payload: dict) -> bytes:
    import torch

    buf = io.BytesIO()
    torch.save(payload, buf)
    return buf.getvalue()


def _loads_back(payload: dict) -> bool:
    """True if ``payload`` survives torch.save and torch.load(weights_only=True)."""
    import torch

    try:
        torch.load(io.BytesIO(_serialise(payload)), map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 - pickling and unpickling raise many types; all mean "cannot be stored"
        return False
    return True


def save(path, state: dict, meta: dict | None = None, half: bool = False) -> Path:
    """Save a state dict (and plain metadata) atomically with a sha256 file beside it (lab 03).

    ``half=True`` stores floating-point tensors as float16 (half the size; loading restores float32).
    What is written is first loaded back with ``weights_only=True``; if that fails, nothing is written.
    """
    import torch

    path = as_path(path)
    if not isinstance(state, dict):
        raise ValueError(f"save: state must be a state dict, e.g. model.state_dict(), got {type(state).__name__}")
    bad = [k for k, v in state.items() if not (isinstance(k, str) and isinstance(v, torch.Tensor))]
    if bad:
        raise ValueError(f"save: state must map names to tensors, like model.state_dict(); {bad[0]!r} does not")
    if meta is not None and not isinstance(meta, dict):
        raise ValueError(f"save: meta must be a dict of plain values (or None), got {type(meta).__name__}")
    meta = dict(meta or {})
    tensors = {k: (v.detach().cpu().half() if half and v.is_floating_point() else v.detach().cpu())
               for k, v in state.items()}
    payload = {"state": tensors, "meta": meta, "format": FORMAT}
    if not _loads_back(payload):
        unloadable = [k for k, v in meta.items() if not _loads_back({k: v})]
        what = (f"meta[{unloadable[0]!r}] holds a {type(meta[unloadable[0]]).__name__}" if unloadable
                else "the checkpoint holds a value")
        raise ValueError(f"save: {what}, which load (weights_only=True) could not read back, so {path.name} was not "
                         "written. Store plain values only: numbers, strings, lists, dicts and tensors "
                         "(convert numpy values with float() or .tolist()).")
    data = _serialise(payload)
    write_bytes_atomic(path, data)
    write_bytes_atomic(path.with_name(path.name + ".sha256"), (hashlib.sha256(data).hexdigest() + "\n").encode())
    return path


def verify(path, expected_sha256: str | None = None) -> Path:
    """Check a checkpoint against ``expected_sha256`` or its ``.sha256`` file; raise CheckpointError if not (lab 03)."""
    path = as_path(path)
    if expected_sha256 is not None:
        expected_sha256 = _check_sha256(expected_sha256, "expected_sha256")
    if not path.exists():
        raise CheckpointError(f"no checkpoint at {path}: train the model first, or check the path")
    if not path.is_file():
        raise CheckpointError(f"{path} is a folder, not a checkpoint file; give the path of the .pt file")
    sidecar = path.with_name(path.name + ".sha256")
    want = expected_sha256
    if want is None:
        if not sidecar.is_file():
            raise CheckpointError(f"{path} has no .sha256 file beside it, so it cannot be verified; "
                                  "pass expected_sha256= if you know its checksum, or " + _fix(path))
        words = sidecar.read_text(errors="replace").split()
        if not words or not _SHA256_RE.fullmatch(words[0].lower()):
            raise CheckpointError(f"{sidecar.name} is empty or damaged: it should hold the 64-hex-digit sha256 of "
                                  f"{path.name}, so the checkpoint cannot be verified; {_fix(path)}")
        want = words[0].lower()
    try:
        got = sha256_file(path)
    except OSError as exc:
        raise CheckpointError(f"cannot read {path} ({exc.strerror or exc}); check its permissions") from exc
    if got != want:
        raise CheckpointError(f"{path} is corrupted or was changed: its sha256 is {got[:12]}… but {want[:12]}… "
                              f"was expected; {_fix(path)}")
    return path


def load(path, expected_sha256: str | None = None, map_location="cpu") -> tuple[dict, dict]:
    """Verify a checkpoint's checksum and load it with ``weights_only=True``; returns (state, meta) (lab 03)."""
    import torch

    device = check_device(map_location)
    path = verify(path, expected_sha256)
    try:
        payload = torch.load(path, map_location=device, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - torch raises many types for a bad file; all become one clear error
        raise CheckpointError(f"{path} cannot be loaded: {_reason(exc)}. The file is damaged or is not a Deepfake "
                              f"Lab checkpoint; {_fix(path)}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a Deepfake Lab checkpoint (no {FORMAT!r} format mark); "
                              f"use a file written by checkpoints.save, or {_fix(path)}")
    state, meta = payload.get("state"), payload.get("meta", {})
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{path} has no 'state' of tensors, so it holds no model; {_fix(path)}")
    if not isinstance(meta, dict):
        raise CheckpointError(f"{path} has a 'meta' that is a {type(meta).__name__}, not a dict; {_fix(path)}")
    state = {k: (v.float() if v.dtype == torch.float16 else v) for k, v in state.items()}
    return state, meta
