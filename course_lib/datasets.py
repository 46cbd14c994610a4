"""The course's datasets: a registry, verified downloads with mirrors, safe extraction, loaders (lab 00).

* The registry is ``datasets/registry.json`` (its datasheet is ``datasets/README.md``);
  ``COURSE_DATASETS_REGISTRY`` points at another registry file instead.
* ``fetch(name)`` downloads a "download" entry into ``data_dir()/"datasets"/name/``, trying its sources
  (URLs or Google Drive ids) in order, and checks the file's sha256 (or md5 where that is all the registry
  has). ``COURSE_DATASET_URL_<NAME>`` (upper case, dashes as underscores) replaces the sources with a local
  file path or a mirror URL. Writes are atomic: a failed fetch leaves the cache exactly as it was.
* Archives are extracted only if every member stays inside the target folder.
* Nothing here touches the network at import time; loaders for bundled data never touch it at all.
"""
from __future__ import annotations

import difflib
import json
import os
import posixpath
import re
import shutil
import stat
import tarfile
import urllib.parse
import urllib.request
import warnings
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .config import data_dir
from .files import as_path, atomic_path, existing_file, file_digest, temporary_folder
from .validate import check_image, check_images, check_scalar, check_seed

REGISTRY_ENV = "COURSE_DATASETS_REGISTRY"
URL_ENV_PREFIX = "COURSE_DATASET_URL_"
KINDS = ("generated", "package", "download")
EXTRACTS = ("none", "zip", "tar")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
DEFAULT_REGISTRY = Path(__file__).resolve().parent.parent / "datasets" / "registry.json"
_TIMEOUT = (15, 60)  # seconds to connect, and between bytes
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_VERIFIED: dict[tuple, str] = {}  # (path, size, mtime) -> digest, so a big cached file is hashed once per session
_CONSENT_SHOWN = False


class DatasetError(RuntimeError):
    """A dataset could not be fetched, verified or extracted; the message says how to fix it (lab 00)."""


# ----------------------------------------------------------------------------------------------------
# The registry


def registry_path() -> Path:
    """The registry file in use: ``COURSE_DATASETS_REGISTRY``, else ``datasets/registry.json`` (lab 00)."""
    env = os.environ.get(REGISTRY_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    if (DEFAULT_REGISTRY.parents[1] / "pyproject.toml").is_file():  # a checkout (pip install -e .)
        return DEFAULT_REGISTRY
    import site
    import sysconfig

    for base in (sysconfig.get_path("data"), site.getuserbase()):  # a wheel install puts a copy in share/
        installed = Path(base) / "share" / "deepfake-lab" / "datasets" / "registry.json"
        if installed.is_file():
            return installed
    return DEFAULT_REGISTRY


def registry() -> dict[str, dict]:
    """All registry entries, name -> entry, in file order (lab 00)."""
    path = registry_path()
    if not path.is_file():
        how = f"unset {REGISTRY_ENV} or fix its path" if os.environ.get(REGISTRY_ENV, "").strip() else (
            "it ships with the course repository: install course_lib from a checkout with `pip install -e .`, "
            f"or set {REGISTRY_ENV} to a copy of datasets/registry.json")
        raise ValueError(f"no dataset registry at {path}; {how}")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"the dataset registry {path} is not valid JSON ({exc}); fix the file") from exc
    entries = doc.get("datasets") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"the dataset registry {path} needs a top-level \"datasets\" list; see datasets/README.md")
    out: dict[str, dict] = {}
    for entry in entries:
        _check_entry(entry, path)
        if entry["name"] in out:
            raise ValueError(f"the dataset registry {path} lists {entry['name']!r} twice; keep one entry")
        out[entry["name"]] = entry
    return out


def info(name: str) -> dict:
    """The registry entry for ``name`` (a copy) (lab 00)."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a dataset name (a str) such as 'synthetic-faces', got {type(name).__name__}")
    entries = registry()
    if name not in entries:
        close = difflib.get_close_matches(str(name), entries, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown dataset {name!r}; the registry ({registry_path()}) knows: "
                         f"{', '.join(entries)}.{hint} To add one, see datasets/README.md.")
    return json.loads(json.dumps(entries[name]))


def url_env_var(name: str) -> str:
    """The environment variable that overrides ``name``'s sources, e.g. COURSE_DATASET_URL_CELEBA_ALIGNED (lab 00)."""
    return URL_ENV_PREFIX + dataset_dir(name).name.upper().replace("-", "_")


def dataset_dir(name: str) -> Path:
    """The cache folder of one dataset: ``data_dir()/"datasets"/name`` (not created) (lab 00)."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"dataset names are lower-case letters, digits and dashes; got {name!r}")
    return data_dir() / "datasets" / name


def _check_entry(e, path: Path) -> None:
    where = f"dataset registry {path}"
    if not isinstance(e, dict) or not isinstance(e.get("name"), str) or not _NAME_RE.match(e["name"]):
        raise ValueError(f"{where}: every entry needs a \"name\" of lower-case letters, digits and dashes; got {e!r:.80}")
    name = e["name"]
    missing = [k for k in ("kind", "description", "licence") if not e.get(k)]
    if missing:
        raise ValueError(f"{where}: entry {name!r} lacks {missing}; see datasets/README.md for the fields")
    if e["kind"] not in KINDS:
        raise ValueError(f"{where}: entry {name!r} has kind {e['kind']!r}; use one of {KINDS}")
    if e["kind"] != "download":
        return
    fname = e.get("filename")
    if not isinstance(fname, str) or not fname or fname in (".", "..") or "/" in fname or "\\" in fname:
        raise ValueError(f"{where}: entry {name!r} needs a plain \"filename\" (no folders) to save the download as")
    sources = e.get("sources")
    if not isinstance(sources, list) or not sources or not all(
            isinstance(s, dict) and len({"url", "gdrive"} & set(s)) == 1 for s in sources):
        raise ValueError(f"{where}: entry {name!r} needs \"sources\": a list of {{\"url\": ...}} or {{\"gdrive\": id}}")
    if not (isinstance(e.get("sha256"), str) and re.fullmatch(r"[0-9a-f]{64}", e["sha256"])) and not (
            isinstance(e.get("md5"), str) and re.fullmatch(r"[0-9a-f]{32}", e["md5"])):
        raise ValueError(f"{where}: entry {name!r} needs a \"sha256\" (64 hex digits) or, failing that, an \"md5\"")
    if e.get("size") is not None and (not isinstance(e["size"], int) or e["size"] <= 0):
        raise ValueError(f"{where}: entry {name!r} has size {e['size']!r}; give the file's size in bytes")
    if e.get("extract", "none") not in EXTRACTS:
        raise ValueError(f"{where}: entry {name!r} has extract {e['extract']!r}; use one of {EXTRACTS}")


# ----------------------------------------------------------------------------------------------------
# Fetching


def fetch(name: str, *, force: bool = False, progress: bool = True) -> Path:
    """Download, verify and (if the entry says so) extract a dataset; returns the file or folder (lab 00)."""
    entry = info(name)
    if entry["kind"] != "download":
        raise ValueError(f"{name!r} is a {entry['kind']} dataset: there is nothing to download. "
                         f"Use {entry.get('loader', 'its loader')}() instead.")
    folder = dataset_dir(name)
    target = folder / entry["filename"]
    extract = entry.get("extract", "none")
    out = folder / "extracted" if extract != "none" else target
    cached = not force and target.is_file() and _digest_ok(target, entry)
    if cached and out.exists():
        return out
    if not force and target.is_file() and not cached:
        print(f"{name}: the cached {target.name} does not match the registry's checksum; fetching it again")
    created = _make_dirs(folder)
    ok = False
    try:
        if cached:  # the archive is here and verified; only its extraction is missing
            safe_extract(target, out, extract)
        else:
            if entry.get("opt_in"):
                print(f"{name}: {entry['licence']}\n{entry.get('consent', '')}".rstrip())
            with atomic_path(target) as download:  # the cache keeps its old file unless all of this succeeds
                _download_verified(entry, download, progress)
                if extract != "none":
                    safe_extract(download, out, extract)
        ok = True
    finally:
        if not ok:
            for d in reversed(created):
                _rmdir_if_empty(d)
    return out


def _sources(entry: dict) -> list[dict]:
    value = os.environ.get(url_env_var(entry["name"]), "").strip()
    if not value:
        return entry["sources"]
    if value.startswith("file://"):
        return [{"path": urllib.request.url2pathname(urllib.parse.urlparse(value).path)}]
    if re.match(r"^https?://", value, re.I):
        return [{"url": value}]
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", value):
        raise ValueError(f"{url_env_var(entry['name'])}={value!r}: use an http(s) URL, a file path or gdrive:<id>")
    if value.startswith("gdrive:"):
        return [{"gdrive": value[len("gdrive:"):]}]
    return [{"path": str(Path(value).expanduser())}]


def _where(src: dict) -> str:
    if "path" in src:
        return f"local file {src['path']}"
    if "gdrive" in src:
        return f"Google Drive file {src['gdrive']}"
    return src["url"]


def _download_verified(entry: dict, dest: Path, progress: bool) -> None:
    """Try each source in order until one gives a file that passes the checksum; else raise."""
    name, env = entry["name"], url_env_var(entry["name"])
    sources = _sources(entry)
    overridden = bool(os.environ.get(env, "").strip())
    failures, last = [], None
    for src in sources:
        try:
            _download_one(src, dest, entry, progress)
            _verify(dest, entry, src)
            return
        except DatasetError as exc:
            failures.append((src, str(exc)))
            last = exc
            dest.unlink(missing_ok=True)
    if overridden:
        fix = f"Fix or unset {env} (it replaces the registry's sources)."
    else:
        fix = f"You can also set {env} to a local copy (a file path or a mirror URL)."
    if len(failures) == 1:
        raise DatasetError(f"{name}: {failures[0][1]} {fix}") from last
    lines = "\n".join(f"  {i}. {_where(s)}: {msg}" for i, (s, msg) in enumerate(failures, 1))
    raise DatasetError(f"{name}: could not fetch it from any of its {len(failures)} sources:\n{lines}\n"
                       f"Nothing was saved. {fix}") from last


def _download_one(src: dict, dest: Path, entry: dict, progress: bool) -> None:
    if "path" in src:
        path = Path(src["path"])
        if not path.is_file():
            raise DatasetError(f"there is no file at {path}; check the path")
        shutil.copyfile(path, dest)
        return
    import inspect

    import gdown

    where = _where(src)
    kwargs = dict(quiet=not progress, timeout=_TIMEOUT,
                  log_messages={"start": f"Downloading {entry['name']}\n",
                                "output": f"To: {dataset_dir(entry['name']) / entry['filename']}\n"})
    accepted = inspect.signature(gdown.download).parameters  # older gdown lacks timeout
    kwargs = {k: v for k, v in kwargs.items() if k in accepted}
    with open(dest, "wb") as f:
        try:
            if "gdrive" in src:
                gdown.download(id=src["gdrive"], output=f, **kwargs)
            else:
                gdown.download(src["url"], f, **kwargs)
        except Exception as exc:  # gdown and requests raise many types; each becomes a clear DatasetError
            raise _explain(exc, src, f.tell()) from exc


def _explain(exc: Exception, src: dict, written: int) -> DatasetError:
    """Turn what gdown or requests raised into a DatasetError that names the fix."""
    import requests
    from gdown import exceptions as gx

    where = _where(src)
    text = repr(exc) + repr(exc.__cause__) + repr(exc.__context__)
    if isinstance(exc, gx.FileURLRetrievalError):
        reason = " ".join(str(exc).split())[:300]
        return DatasetError(f"got an HTML page instead of the file (Google Drive's download quota?) from {where} "
                            f"[gdown said: {reason}]; try again later or use a mirror.")
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        status = exc.response.status_code
        if status == 404:
            return DatasetError(f"not found at {where} (HTTP 404): the file moved or the link is broken; "
                                "try a mirror.")
        return DatasetError(f"the server answered HTTP {status} {exc.response.reason} for {where}; "
                            "try again later or use a mirror.")
    connect_failed = isinstance(exc, requests.ConnectTimeout) or any(
        s in text for s in ("NewConnectionError", "NameResolutionError", "Failed to establish", "Failed to resolve",
                            "getaddrinfo", "Name or service not known", "Connection refused"))
    if isinstance(exc, requests.ConnectionError) and connect_failed:
        host = urllib.parse.urlparse(src.get("url", "https://drive.google.com")).netloc
        detail = "could not look up the host name" if re.search("resol|getaddrinfo|not known", text, re.I) else (
            "connection refused" if "refused" in text else "could not connect")
        return DatasetError(f"could not reach {host} ({detail}): you seem to be offline; check your connection "
                            "and try again.")
    download_error = getattr(gx, "DownloadError", ())
    if isinstance(exc, (requests.RequestException, download_error)):
        m = re.search(r"IncompleteRead\((\d+) bytes read, (\d+) more expected", text)
        got = (f" after {m[1]} of {int(m[1]) + int(m[2])} bytes" if m else
               f" after {written} bytes" if written else "")
        return DatasetError(f"the connection dropped mid-file{got} from {where} ({type(exc).__name__}); "
                            "try again (it starts over) or use a mirror.")
    if isinstance(exc, OSError):
        return DatasetError(f"could not save the download from {where} ({exc}); check that the cache folder "
                            f"{data_dir()} is writable and has room for the file.")
    return DatasetError(f"downloading from {where} failed: {type(exc).__name__}: {exc}")


def _algo(entry: dict) -> tuple[str, str]:
    return ("sha256", entry["sha256"]) if entry.get("sha256") else ("md5", entry["md5"])


def _digest_ok(path: Path, entry: dict) -> bool:
    """True if ``path`` has the registry's size and checksum (remembered per session by path, size and mtime)."""
    algo, expected = _algo(entry)
    st = path.stat()
    if entry.get("size") and st.st_size != entry["size"]:
        return False
    key = (str(path), st.st_size, st.st_mtime_ns, algo)
    if key not in _VERIFIED:
        _VERIFIED[key] = file_digest(path, algo)
    return _VERIFIED[key] == expected


def _looks_like_html(path: Path) -> bool:
    with open(path, "rb") as f:
        head = f.read(2048).lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def _verify(path: Path, entry: dict, src: dict) -> None:
    if _digest_ok(path, entry):
        return
    if _looks_like_html(path):
        raise DatasetError(f"got an HTML page instead of the file (Google Drive's download quota?) from {_where(src)}; "
                           "try again later or use a mirror.")
    algo, expected = _algo(entry)
    actual = file_digest(path, algo)
    size = path.stat().st_size
    sizes = f"{size} bytes" + (f", expected {entry['size']}" if entry.get("size") and entry["size"] != size else "")
    raise DatasetError(f"the file's {algo} is {actual} but the registry expects {expected} ({sizes}); "
                       f"the download was corrupted or the source changed ({_where(src)}). Try again; "
                       "if it repeats, tell the course maintainers.")


def _make_dirs(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return the ones created, outermost first."""
    missing = []
    p = folder
    while not p.exists():
        missing.append(p)
        p = p.parent
    folder.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def _rmdir_if_empty(d: Path) -> None:
    try:
        d.rmdir()
    except OSError:
        pass


# ----------------------------------------------------------------------------------------------------
# Safe extraction


def _member_path(root: Path, name: str, archive: Path) -> Path:
    clean = name.replace("\\", "/")
    reason = None
    if clean.startswith("/") or re.match(r"^[A-Za-z]:", clean):
        reason = "it has an absolute path"
    elif ".." in clean.split("/"):
        reason = "it climbs out with '..'"
    path = root.joinpath(*[p for p in clean.split("/") if p not in ("", ".")])
    if reason is None and not path.resolve().is_relative_to(root.resolve()):
        reason = "it resolves outside the folder"
    if reason:
        raise DatasetError(f"refusing to extract {archive.name}: member {name!r} would be written outside the "
                           f"target folder ({reason}). The archive is malformed or malicious: delete it and "
                           "get the data from a trusted source.")
    return path


def _check_link(member: str, link: str, archive: Path, relative_to_member: bool) -> None:
    base = posixpath.dirname(member.replace("\\", "/")) if relative_to_member else ""
    resolved = posixpath.normpath(posixpath.join(base, link.replace("\\", "/")))
    if link.startswith(("/", "\\")) or resolved == ".." or resolved.startswith("../"):
        raise DatasetError(f"refusing to extract {archive.name}: member {member!r} is a link to {link!r}, outside the "
                           "target folder. The archive is malformed or malicious: delete it and get the data "
                           "from a trusted source.")


def safe_extract(archive, target, kind: str | None = None) -> Path:
    """Extract a zip or tar archive into ``target`` atomically, refusing members that escape it (lab 00)."""
    archive, target = existing_file(archive, "archive"), as_path(target, "target")
    if target.exists() and not target.is_dir():
        raise ValueError(f"safe_extract: target {target} is a file; give a folder to extract into (it is replaced)")
    if target.resolve() in archive.resolve().parents:
        raise ValueError(f"safe_extract: the archive {archive} lies inside target {target}, which extraction "
                         "replaces; extract into another folder")
    if kind is None:
        kind = "zip" if zipfile.is_zipfile(archive) else "tar" if tarfile.is_tarfile(archive) else None
    if kind not in ("zip", "tar"):
        raise ValueError(f"safe_extract: {archive} is not a zip or tar archive; pass kind='zip' or kind='tar'")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with temporary_folder(prefix=".tmp-extract-", dir=target.parent) as tmp:
            _extract_checked(archive, tmp, kind)
            if target.exists():
                with temporary_folder(prefix=".tmp-old-", dir=target.parent) as old:
                    os.replace(target, old / "x")
                    os.replace(tmp, target)
            else:
                os.replace(tmp, target)
    except getattr(tarfile, "FilterError", ()) as exc:  # only Pythons with extraction filters have it
        raise DatasetError(f"refusing to extract {archive.name}: {exc}. The archive is malformed or malicious: "
                           "delete it and get the data from a trusted source.") from exc
    except (zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
        raise DatasetError(f"{archive.name} is not a readable {kind} archive ({exc}); delete it and fetch again") from exc
    return target


def _extract_checked(archive: Path, tmp: Path, kind: str) -> None:
    """Extract into the empty folder ``tmp``, after checking that every member stays inside it."""
    if kind == "zip":
        with zipfile.ZipFile(archive) as zf:
            for m in zf.infolist():
                _member_path(tmp, m.filename, archive)
                if stat.S_ISLNK(m.external_attr >> 16):
                    _check_link(m.filename, zf.read(m).decode("utf-8", "replace"), archive, True)
            zf.extractall(tmp)
        return
    with tarfile.open(archive) as tf:
        members = tf.getmembers()
        for m in members:
            _member_path(tmp, m.name, archive)
            if m.issym() or m.islnk():
                _check_link(m.name, m.linkname, archive, m.issym())
            elif not (m.isfile() or m.isdir()):
                raise DatasetError(f"refusing to extract {archive.name}: member {m.name!r} is a device or "
                                   "pipe, which a dataset never needs.")
        try:
            tf.extractall(tmp, members, filter="data")  # Python's own guard, as a second line of defence
        except TypeError:  # a Python without extraction filters: the checks above stand alone
            tf.extractall(tmp, members)


# ----------------------------------------------------------------------------------------------------
# Loaders


class SyntheticFaces(NamedTuple):
    """Synthetic faces with ground truth: images, landmarks, masks and identity seeds (labs 01, 03, 04)."""

    images: np.ndarray  # N×size×size×3 float32 in [0, 1]
    landmarks: np.ndarray  # N×68×2 float32 (x, y) pixels
    masks: np.ndarray  # N×size×size float32 in [0, 1]
    seeds: np.ndarray  # N int64: synth.identity(seeds[i]) is face i's person

    def identities(self) -> list:
        """The people drawn, ``synth.identity(seed)`` for each face (lab 04)."""
        from . import synth

        return [synth.identity(int(s)) for s in self.seeds]


def _check_count(n, name: str = "n") -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{name}: expected a positive integer number of images, got {n!r}")
    return int(n)


def load_synthetic_faces(n: int = 64, size: int = 64, seed: int = 0) -> SyntheticFaces:
    """``n`` synthetic faces of ``n`` distinct identities, with landmarks and masks; no download (labs 01, 03, 04).

    The course's one set of real synthetic faces: the GAN trains on it (lab 04) and the judges learn from it.
    """
    from . import synth

    n, seed = _check_count(n), check_seed(seed)
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 16 <= size <= 256:
        raise ValueError(f"load_synthetic_faces: size must be an integer from 16 to 256, got {size!r}")
    seeds = seed * 1_000_003 + np.arange(n, dtype=np.int64)  # distinct people, and distinct sets for seeds apart
    faces = synth.render_batch([synth.identity(int(s)) for s in seeds], synth.random_states(n, seed=seed),
                               size=int(size), seed=seed)
    return SyntheticFaces(faces.images, faces.landmarks, faces.masks, seeds)


def load_astronaut() -> np.ndarray:
    """scikit-image's astronaut photo (Eileen Collins, NASA, public domain), 512×512×3 float32 (lab 00)."""
    from skimage import data

    return check_image(data.astronaut(), "astronaut")


def load_lfw_subset() -> tuple[np.ndarray, np.ndarray]:
    """scikit-image's LFW subset: images 200×25×25 float32 grey, labels 1 = face, 0 = non-face (lab 00)."""
    from skimage import data

    raw = np.asarray(data.lfw_subset())
    images = raw.astype(np.float32) / 255.0 if raw.dtype == np.uint8 else np.clip(raw.astype(np.float32), 0, 1)
    half = len(images) // 2  # scikit-image documents: the first 100 are faces, the last 100 are not
    labels = np.r_[np.ones(half, np.int64), np.zeros(len(images) - half, np.int64)]
    return images, labels


def _to_rgb(img, size: int | None) -> np.ndarray:
    """A PIL image to float32 RGB, upright per EXIF, centre-cropped and resized to size×size if asked."""
    from PIL import Image, ImageOps

    img = ImageOps.exif_transpose(img).convert("RGB")
    if size is not None:
        img = ImageOps.fit(img, (size, size), Image.Resampling.LANCZOS)
    return np.asarray(img, np.float32) / 255.0


def _check_size(size, fn: str) -> int | None:
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 8 <= size <= 4096:
        raise ValueError(f"{fn}: size must be None or an integer from 8 to 4096 (pixels per side), got {size!r}")
    return int(size)


def load_folder(path, size: int | None = None) -> np.ndarray:
    """Your own jpg/png photos as N×H×W×3 float32; ``size`` centre-crops and resizes to size×size (lab 00)."""
    global _CONSENT_SHOWN
    from PIL import Image

    size = _check_size(size, "load_folder")
    folder = as_path(path, "load_folder: path")
    if not folder.is_dir():
        raise ValueError(f"load_folder: {folder} is not a folder; give the path of a folder of .jpg or .png photos")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise ValueError(f"load_folder: {folder} holds no .jpg or .png files; put some photos in it first")
    if not _CONSENT_SHOWN:
        print("Consent reminder: only use photos of people who agreed to it, and never make fakes of real "
              "people without their consent.")
        _CONSENT_SHOWN = True
    images, names = [], []
    for p in files:
        try:
            with Image.open(p) as img:
                images.append(_to_rgb(img, size))
                names.append(p.name)
        except Exception as exc:  # a broken or mislabelled file should not stop the rest
            warnings.warn(f"load_folder: skipped {p.name}, which could not be read as an image ({exc})", stacklevel=2)
    if not images:
        raise ValueError(f"load_folder: none of the {len(files)} image files in {folder} could be read")
    shapes = {im.shape for im in images}
    if len(shapes) > 1:
        raise ValueError(f"load_folder: the photos have different sizes ({len(shapes)} kinds, e.g. "
                         f"{names[0]} is {images[0].shape[1]}×{images[0].shape[0]}); pass size=128 (say) to "
                         "crop and resize them all to one square size")
    return check_images(np.stack(images), "load_folder")


def load_celeba(n: int = 64, size: int = 64) -> np.ndarray:
    """The first ``n`` CelebA aligned faces as n×size×size×3 float32; opt-in download, 1.4 GB (lab 00)."""
    from PIL import Image

    n, size = _check_count(n), _check_size(size, "load_celeba")
    if size is None:
        raise ValueError("load_celeba: size must be an integer (pixels per side), e.g. 64")
    path = fetch("celeba-aligned")
    with zipfile.ZipFile(path) as zf:  # reads only the members it needs, never the whole archive
        names = sorted(m.filename for m in zf.infolist()
                       if not m.is_dir() and m.filename.lower().endswith(IMAGE_SUFFIXES))
        if n > len(names):
            raise ValueError(f"load_celeba: asked for {n} images but the archive holds {len(names)}")
        images = []
        for member in names[:n]:
            with zf.open(member) as f, Image.open(f) as img:
                images.append(_to_rgb(img, size))
    return check_images(np.stack(images), "load_celeba")


# ----------------------------------------------------------------------------------------------------
# Made from synthetic faces: aligned crops (lab 03) and images that are not faces (lab 04)


def aligned_faces(identities, states, size: int, zoom: float, seed: int = 0, render_size: int | None = None,
                  chunk: int = 256):
    """Render faces and align them to the template crop: (images, masks, landmarks) (lab 03)."""
    from . import faces, synth

    fn = "aligned_faces"
    if not isinstance(identities, (list, tuple)) or not isinstance(states, (list, tuple)):
        raise ValueError(f"{fn}: identities and states must be lists (synth.identity(...) and synth.random_states(n)), "
                         f"got {type(identities).__name__} and {type(states).__name__}")
    if not states or len(identities) != len(states):
        raise ValueError(f"{fn}: give one identity per state, at least one: got {len(identities)} identities and "
                         f"{len(states)} states")
    size = check_scalar(size, "size", int, min_val=16, max_val=1024, fn=fn)
    zoom = check_scalar(zoom, "zoom", float, min_val=0.5, max_val=4.0, fn=fn)
    seed, chunk = check_seed(seed), check_scalar(chunk, "chunk", int, min_val=1, fn=fn)
    render_size = check_scalar(render_size, "render_size", int, min_val=16, max_val=256, allow_none=True, fn=fn)
    render_size = render_size or max(2 * size, 64)
    parts = []
    for a in range(0, len(states), chunk):  # in chunks: only the small aligned crops are kept, not the renders
        out = synth.render_batch(identities[a:a + chunk], states[a:a + chunk], size=render_size, seed=seed + a)
        parts.append(faces.align_batch(out.images, out.landmarks, size, zoom, masks=out.masks))
    return tuple(np.concatenate(p) for p in zip(*parts))


def non_faces(images: np.ndarray, seed: int = 0) -> np.ndarray:
    """Images that are not faces, made from real ones: shuffled tiles, upside-down, smooth noise, blobs (lab 04)."""
    from scipy import ndimage

    images = check_images(images, "non_faces: images")
    rng = np.random.default_rng(check_seed(seed))
    n, h, w, _ = images.shape
    if min(h, w) < 8 or h % 4 or w % 4:
        raise ValueError(f"non_faces: images must be at least 8×8 with sides a multiple of 4 (cut into 4×4 tiles), "
                         f"got {h}×{w}; resize them, e.g. to 64×64")
    out = np.empty_like(images)
    for i, img in enumerate(images):
        kind = i % 4
        if kind == 0:  # the face's own pixels in 4×4 tiles, shuffled: right colours, wrong structure
            t = h // 4
            tiles = [img[r:r + t, c:c + t] for r in range(0, h, t) for c in range(0, w, t)]
            order = rng.permutation(len(tiles))
            rows = [np.concatenate([tiles[j] for j in order[r * 4:(r + 1) * 4]], 1) for r in range(4)]
            out[i] = np.concatenate(rows, 0)
        elif kind == 1:  # upside down and mirrored
            out[i] = img[::-1, ::-1]
        elif kind == 2:  # smooth coloured noise
            noise = ndimage.gaussian_filter(rng.random((h, w, 3)), (h / 10, w / 10, 0))
            out[i] = np.clip((noise - noise.mean()) * 6 + img.mean((0, 1)), 0, 1)
        else:  # skin-coloured blobs on the background, no features
            yy, xx = np.mgrid[0:h, 0:w] / h
            canvas = np.broadcast_to(img[:4].mean((0, 1)), img.shape).copy()
            for _ in range(3):
                cy, cx, r = rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8), rng.uniform(0.1, 0.35)
                blob = (((yy - cy) / r) ** 2 + ((xx - cx) / (r * rng.uniform(0.6, 1.4))) ** 2) < 1
                canvas[blob] = img[h // 2, w // 2]
            out[i] = ndimage.gaussian_filter(canvas, (1, 1, 0))
    return out.astype(np.float32)
