"""Is this environment ready for the labs? ``python -m course_lib doctor`` (lab 00).

``checks()`` returns one ``Check`` per item (Python and package versions, torch device and threads, the
widgets extension, ffmpeg's H.264/AAC encoders, the data cache, FAST mode, the platform, the built-in data);
``main()`` prints them as a table and exits non-zero, with a plain fix for each problem, when one fails.
"""
from __future__ import annotations

import importlib
import importlib.metadata as metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass

from . import config
from .files import temporary_folder

REINSTALL = "pip install -e '.[lab]' in the course folder (on Colab: rerun the lab's setup cell)"
MIN_FREE_GB = 0.5


@dataclass
class Check:
    """One line of the doctor's report: what, whether it is fine, details, and how to fix it (lab 00)."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


# (label, module to import, distribution whose floor course_lib declares, required?)
PACKAGES = (
    ("numpy", "numpy", "numpy", True),
    ("scipy", "scipy", "scipy", True),
    ("torch", "torch", "torch", True),
    ("scikit-image", "skimage", "scikit-image", True),
    ("scikit-learn", "sklearn", "scikit-learn", True),
    ("opencv", "cv2", "opencv-python-headless", True),
    ("ipywidgets", "ipywidgets", "ipywidgets", True),
    ("imageio-ffmpeg", "imageio_ffmpeg", "imageio-ffmpeg", True),
    ("gdown", "gdown", "gdown", True),
    ("jupyterlab", None, "jupyterlab", False),
    ("nbgrader", None, "nbgrader", False),
)


def _vtuple(version: str) -> tuple:
    """'2.13.0+cpu' -> (2, 13, 0) for comparing against a floor (lab 00)."""
    return tuple(int(p) for p in re.findall(r"\d+", version.split("+")[0])[:3])


def floors() -> dict:
    """The ``>=`` floors course_lib declares for its dependencies, by distribution name (lab 00)."""
    try:
        reqs = metadata.requires("course_lib") or []
    except metadata.PackageNotFoundError:
        return {}
    found = (re.match(r"^\s*([A-Za-z0-9_.-]+)\s*>=\s*([\w.]+)", r) for r in reqs)
    return {m.group(1).lower(): m.group(2) for m in found if m}


def _dist_version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def check_python() -> Check:
    """Python 3.10 or newer (lab 00)."""
    v = platform.python_version()
    ok = sys.version_info >= (3, 10)
    return Check("python", ok, f"{v} ({sys.executable})", "" if ok else "install Python 3.10 or newer")


def check_package(label: str, module: str | None, dist: str, required: bool, floor: str | None) -> Check:
    """A package imports and is at least the version course_lib asks for (lab 00)."""
    version = _dist_version(dist)
    if module is not None:
        try:
            version = getattr(importlib.import_module(module), "__version__", None) or version or "?"
        except ModuleNotFoundError as exc:
            if exc.name != module:  # the package is there but something it needs is not
                return Check(label, False, f"cannot import {module}: {exc}", f"reinstall it: {REINSTALL}")
            version = None
        except Exception as exc:  # a broken binary, an ABI mismatch
            return Check(label, False, f"cannot import {module}: {exc}", f"reinstall it: {REINSTALL}")
    if version is None:
        return Check(label, not required, "not installed" + ("" if required else " (optional)"),
                     f"install it: {REINSTALL}" if required else "")
    if floor and _vtuple(version) < _vtuple(floor):
        return Check(label, False, f"{version} is older than {floor}", f"pip install -U '{dist}>={floor}'")
    return Check(label, True, version)


def check_packages() -> list[Check]:
    """Every library the labs use (lab 00)."""
    need = floors()
    return [check_package(label, mod, dist, req, need.get(dist)) for label, mod, dist, req in PACKAGES]


def check_device() -> Check:
    """The torch device the labs will use and the number of CPU threads (lab 00)."""
    try:
        dev = config.device()
        import torch

        threads = config.torch_threads()
        name = torch.cuda.get_device_name(0) if dev.startswith("cuda") else config.cpu_model()
    except Exception as exc:
        return Check("torch device", False, str(exc), "unset COURSE_DEVICE or set it to cpu")
    note = ""
    if dev == "cpu" and shutil.which("nvidia-smi") and _runs(["nvidia-smi"]):
        note = "; an NVIDIA GPU is present but this torch has no CUDA: reinstall torch from pytorch.org"
    return Check("torch device", True, f"{dev} ({name}), {threads} CPU threads{note}")


def _runs(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def check_widgets() -> Check:
    """The widgets front end: jupyterlab_widgets matching ipywidgets, or Colab's manager (lab 00)."""
    ipw = _dist_version("ipywidgets")
    if config.is_colab():
        return Check("widgets", True, f"Colab, ipywidgets {ipw}; course widgets call "
                     "google.colab.output.enable_custom_widget_manager() (the setup cell does it)")
    jlw, nbx = _dist_version("jupyterlab_widgets"), _dist_version("widgetsnbextension")
    detail = f"jupyterlab_widgets {jlw or 'missing'}, widgetsnbextension {nbx or 'missing'}"
    if ipw is None or jlw is None:
        return Check("widgets", False, detail, "pip install -U ipywidgets jupyterlab_widgets")
    want = {"7": "1", "8": "3"}.get(ipw.split(".")[0])
    if want and jlw.split(".")[0] != want:
        return Check("widgets", False, f"ipywidgets {ipw} needs jupyterlab_widgets {want}.x; {detail}",
                     "pip install -U ipywidgets jupyterlab_widgets (they must match)")
    return Check("widgets", True, detail)


def encoders(exe: str) -> set[str]:
    """Names of the encoders an ffmpeg binary has (lab 00)."""
    out = subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=30).stdout
    return {m.group(1) for m in re.finditer(r"^\s*[VAS][.\w]{5}\s+(\S+)", out, re.M)}


def check_ffmpeg() -> Check:
    """imageio-ffmpeg's ffmpeg exists and has libx264 and aac, for browser-playable mp4s (lab 00)."""
    fix = "reinstall imageio-ffmpeg: pip install --force-reinstall imageio-ffmpeg"
    if os.environ.get("IMAGEIO_FFMPEG_EXE"):
        fix = "unset IMAGEIO_FFMPEG_EXE (it points at another ffmpeg) or " + fix
    try:
        from .media import ffmpeg_exe  # imports imageio_ffmpeg

        exe = ffmpeg_exe()
        if not (os.path.isfile(exe) or shutil.which(exe)):
            return Check("ffmpeg", False, f"no ffmpeg at {exe}", fix)
        have = encoders(exe)
    except ImportError:
        return Check("ffmpeg", False, "imageio-ffmpeg is not installed", f"install it: {REINSTALL}")
    except Exception as exc:
        return Check("ffmpeg", False, f"ffmpeg does not run: {exc}", fix)
    missing = [e for e in ("libx264", "aac") if e not in have]
    if missing:
        return Check("ffmpeg", False, f"ffmpeg has no {' or '.join(missing)}: {exe}", fix)
    return Check("ffmpeg", True, f"libx264 and aac encoders ({os.path.basename(exe)})")


def check_cache() -> Check:
    """The data cache folder exists, is writable and has room (lab 00)."""
    fix = "set COURSE_DATA_DIR to a writable folder with space, e.g. export COURSE_DATA_DIR=~/deepfake-data"
    try:
        path = config.data_dir()
        with temporary_folder(prefix=".doctor-", dir=path):  # can we write here? (removed at once)
            pass
        free_gb = shutil.disk_usage(path).free / 1e9
    except OSError as exc:
        return Check("cache folder", False, f"not writable: {exc}", fix)
    ok = free_gb >= MIN_FREE_GB
    detail = f"{path} (writable, {free_gb:.1f} GB free)"
    return Check("cache folder", ok, detail, "" if ok else f"free some disk space or {fix}")


def check_fast(mode: str | None = None) -> Check:
    """Whether FAST mode (small, quick runs) is on: ``mode``, or with None COURSE_FAST and nbgrader (lab 00)."""
    if config.is_fast(mode):
        return Check("FAST mode", True, "on: labs use small parameters (COURSE_FAST=1 or nbgrader)")
    return Check("FAST mode", True, "off: full-size runs (set COURSE_FAST=1 for quick ones)")


def where() -> str:
    """'Colab', 'Binder' or 'local' (lab 00)."""
    if config.is_colab():
        return "Colab"
    if any(k.startswith("BINDER_") for k in os.environ):
        return "Binder"
    return "local"


def _ram_gb() -> float | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):
        return None


def check_platform() -> Check:
    """Where the labs run (Colab, Binder or local), the OS and the memory (lab 00)."""
    place, ram = where(), _ram_gb()
    detail = f"{place}, {platform.system()} {platform.machine()}, {os.cpu_count()} cores"
    detail += f", {ram:.0f} GB RAM" if ram else ""
    if place == "Binder":
        detail += " (Binder caps memory at 2 GB: keep COURSE_FAST=1 for the heavy labs)"
    return Check("platform", True, detail)


def check_data() -> list[Check]:
    """The built-in data loads: the synthetic world and scikit-image's photos (lab 00)."""
    out = []
    try:
        from . import synth

        synth.render_batch([synth.identity(0)], synth.random_states(1, 0), size=64)
        out.append(Check("synthetic world", True, "renders (needs no download)"))
    except Exception as exc:
        out.append(Check("synthetic world", False, f"cannot render a face: {exc}", f"reinstall: {REINSTALL}"))
    try:
        from skimage import data

        shapes = data.astronaut().shape, data.lfw_subset().shape
        out.append(Check("scikit-image data", True, f"astronaut {shapes[0]}, lfw_subset {shapes[1]}"))
    except Exception as exc:
        out.append(Check("scikit-image data", False, f"cannot load: {exc}",
                         "pip install --force-reinstall scikit-image"))
    return out


def check_weights(folder=None) -> Check:
    """The shipped weights (of labs 01, 03, 04, 05) are all there and match their checksums (lab 00)."""
    from pathlib import Path

    from . import checkpoints, pretrained

    folder = Path(folder) if folder else pretrained.FOLDER
    bad = []
    for name in sorted(pretrained.MANIFEST):
        path, sidecar = folder / f"{name}.pt", folder / f"{name}.pt.sha256"
        if not path.exists() or not sidecar.exists():
            bad.append(f"{name} missing")
        else:
            try:
                checkpoints.verify(path)
            except checkpoints.CheckpointError:
                bad.append(f"{name} corrupted")
    if bad:
        return Check("shipped weights", False, ", ".join(bad),
                     "restore them with git (git checkout -- course_lib/pretrained) or rebuild: "
                     "python -m course_lib.pretrained build NAME")
    names = ", ".join(sorted(pretrained.MANIFEST))
    return Check("shipped weights", True, f"{len(pretrained.MANIFEST)} models verified ({names})")


def checks(mode: str | None = None) -> list[Check]:
    """Run every check and return the results; ``mode`` as in ``config.resolve_mode`` (lab 00)."""
    return [check_python(), *check_packages(), check_device(), check_widgets(), check_ffmpeg(),
            check_cache(), check_fast(config.resolve_mode(mode)), check_platform(), *check_data(), check_weights()]


def report(results: list[Check]) -> str:
    """The results as a readable table, followed by what to fix (lab 00)."""
    width = max(len(c.name) for c in results)
    lines = [f"{c.name:<{width}}  {'ok' if c.ok else 'FAIL':<4}  {c.detail}" for c in results]
    bad = [c for c in results if not c.ok]
    if bad:
        lines += ["", f"{len(bad)} problem(s) found:"]
        lines += [f"- {c.name}: {c.detail}\n  fix: {c.fix}" for c in bad]
    else:
        lines += ["", "All good: this environment can run the labs."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the report (``--json`` for machine-readable output); 0 if all is well, else 1 (lab 00)."""
    argv = sys.argv[1:] if argv is None else argv
    results = checks()
    if "--json" in argv:
        print(json.dumps([asdict(c) for c in results], indent=1))
    else:
        print(f"Deepfake Lab doctor: course_lib {_dist_version('course_lib') or '?'}\n")
        print(report(results))
    return 0 if all(c.ok for c in results) else 1


def html(results: list[Check]) -> str:
    """The results as an HTML table with ✓ and ✗, for a notebook (lab 00)."""
    from html import escape

    rows = "".join(
        f"<tr><td>{'✓' if c.ok else '✗'}</td><td>{escape(c.name)}</td><td>{escape(c.detail)}</td>"
        f"<td>{escape(c.fix) if not c.ok else ''}</td></tr>" for c in results)
    bad = sum(not c.ok for c in results)
    verdict = ("All good: this environment can run the labs." if not bad
               else f"{bad} problem(s): each ✗ row says how to fix it.")
    return (f"<table><tr><th></th><th>check</th><th>found</th><th>fix</th></tr>{rows}</table>"
            f"<p><b>{escape(verdict)}</b></p>")


def show(results: list[Check] | None = None) -> list[Check]:
    """Run the checks (unless given) and display them as a table in the notebook (lab 00)."""
    from IPython.display import HTML, display

    results = checks() if results is None else results
    display(HTML(html(results)))
    return results
