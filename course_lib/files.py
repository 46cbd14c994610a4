"""Files written safely: one checksum, one atomic writer and one temporary folder for the library (lab 00).

* ``sha256_file`` (and ``file_digest`` for the registry's older md5 entries) hash a file block by block.
* ``as_path`` and ``existing_file`` check a path argument before anything opens it.
* ``atomic_path`` is the one atomic writer: it hands out a temporary name beside the target, and only once
  the writing succeeded does it flush the file to disk and rename it into place, so a crash or an error never
  leaves a half-written file under the real name (and never leaves the temporary file behind).
  ``write_bytes_atomic``, ``write_json_atomic`` and ``write_npz_atomic`` are built on it.
* ``temporary_folder`` is a folder that is removed when the ``with`` block ends, whatever happened inside.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def as_path(path, name: str = "path") -> Path:
    """``path`` as a Path, or a TypeError naming the argument if it is not a file path (lab 00)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a file path (a str or pathlib.Path), got {type(path).__name__} {path!r}")
    if str(path) == "":
        raise ValueError(f"{name} is an empty string; give a file path")
    return Path(path).expanduser()


def existing_file(path, name: str = "path", what: str = "file") -> Path:
    """``path`` as a Path to a file that exists, else FileNotFoundError naming the argument (lab 00)."""
    path = as_path(path, name)
    if not path.exists():
        hint = "" if path.parent.is_dir() else f" (its folder {path.parent} does not exist either)"
        raise FileNotFoundError(f"{name}: no such {what}: {path}{hint}; check the path")
    if not path.is_file():
        raise IsADirectoryError(f"{name}: {path} is a folder, not a file; give the path of a file inside it")
    return path


def file_digest(path, algo: str = "sha256") -> str:
    """The hex digest of a file with ``algo`` ("sha256" or "md5"), read in blocks, not whole (lab 00)."""
    if algo not in ("sha256", "md5"):
        raise ValueError(f"file_digest: algo must be 'sha256' or 'md5', got {algo!r}")
    with open(as_path(path), "rb") as f:
        return hashlib.file_digest(f, algo).hexdigest()


def sha256_file(path) -> str:
    """The sha256 hex digest of a file (lab 00)."""
    return file_digest(path, "sha256")


@contextmanager
def atomic_path(path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; once the block succeeds, fsync it and rename it into place (lab 00).

    The temporary file has the target's own name, inside a hidden folder beside it, so tools that read the
    name (ffmpeg picks the format from the suffix) and messages that quote it see the real one. If the block
    raises, or writes nothing, the target is left as it was and the temporary folder is removed.
    """
    path = as_path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; give a file name to write to, e.g. {path / 'out'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    tmp = folder / path.name
    try:
        yield tmp
        if not tmp.is_file():
            raise FileNotFoundError(f"nothing was written for {path}: the writer produced no file")
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        if str(folder) not in f"{exc} {exc.filename}":
            raise
        # the learner named ``path``, not our temporary file: say what failed in their words
        reason = exc.strerror or str(exc).replace(str(tmp), str(path))
        raise (OSError(exc.errno, f"cannot write {path}: {reason}") if exc.errno else
               OSError(f"cannot write {path}: {reason}")) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_bytes_atomic(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (lab 01 onwards)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"write_bytes_atomic: data must be bytes, got {type(data).__name__}")
    path = as_path(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def write_json_atomic(path, data, indent: int | None = 1) -> Path:
    """Write ``data`` as UTF-8 JSON to ``path`` atomically; refuse values JSON cannot hold, naming them (lab 01 onwards)."""
    try:
        text = json.dumps(data, indent=indent, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"write_json_atomic: cannot write {as_path(path).name} as JSON ({exc}); store plain numbers, "
                         "strings, lists and dicts (convert numpy values with float() or .tolist())") from exc
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_npz_atomic(path, **arrays) -> Path:
    """Write numpy arrays to an ``.npz`` file atomically, uncompressed, no pickled objects (lab 00)."""
    import numpy as np

    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    bad = [k for k, v in arrays.items() if v.dtype == object]
    if bad:
        raise ValueError(f"write_npz_atomic: {bad} hold Python objects, which np.load(allow_pickle=False) "
                         "refuses; store numeric or string arrays")
    path = as_path(path)
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, **arrays)
    return path


@contextmanager
def temporary_folder(prefix: str = "deepfake-lab-", dir=None) -> Iterator[Path]:
    """A new empty folder (inside ``dir`` if given), removed with all it holds when the block ends (lab 00)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=None if dir is None else as_path(dir, "dir")))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
