"""`python -m course_lib doctor`: a healthy environment passes; broken ones fail with a plain fix."""
import os
import subprocess
import sys
from pathlib import Path

from course_lib import doctor
from course_lib.__main__ import main as cli

ROOT = Path(__file__).resolve().parents[1]


def run_doctor(*args, **env):
    return subprocess.run([sys.executable, "-m", "course_lib", "doctor", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **env}, timeout=120)


def fake_ffmpeg(tmp_path, encoders: str) -> str:
    """A stand-in ffmpeg whose `-encoders` lists only the given lines."""
    exe = tmp_path / "ffmpeg"
    exe.write_text(f"#!/bin/sh\nprintf '%s\\n' 'Encoders:' ' ------' {encoders}\n")
    exe.chmod(0o755)
    return str(exe)


def by_name(results):
    return {c.name: c for c in results}


def test_healthy_environment_exits_zero_with_a_table():
    res = run_doctor()
    assert res.returncode == 0, res.stdout + res.stderr
    for name in ("python", "numpy", "torch", "torch device", "widgets", "ffmpeg", "cache folder", "FAST mode",
                 "platform", "synthetic world", "scikit-image data", "shipped weights"):
        assert name in res.stdout
    assert "All good" in res.stdout


def test_checks_return_named_results():
    results = doctor.checks()
    assert all(isinstance(c, doctor.Check) and c.name and isinstance(c.ok, bool) for c in results)
    assert all(c.fix for c in results if not c.ok)
    assert by_name(results)["FAST mode"].detail.startswith("on")  # conftest sets COURSE_FAST=1


def test_unwritable_cache_is_reported_with_a_fix(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # even root cannot create a folder inside a file
    monkeypatch.setenv("COURSE_DATA_DIR", str(blocker / "cache"))
    check = doctor.check_cache()
    assert not check.ok and "COURSE_DATA_DIR" in check.fix


def test_missing_ffmpeg_fails_the_whole_run(tmp_path):
    res = run_doctor(IMAGEIO_FFMPEG_EXE=str(tmp_path / "no-such-ffmpeg"))
    assert res.returncode == 1
    assert "no ffmpeg at" in res.stdout and "reinstall imageio-ffmpeg" in res.stdout


def test_ffmpeg_without_libx264_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", fake_ffmpeg(tmp_path, "' A....D aac  AAC'"))
    check = doctor.check_ffmpeg()
    assert not check.ok
    assert "ffmpeg has no libx264" in check.detail and "reinstall imageio-ffmpeg" in check.fix


def test_ffmpeg_with_both_encoders_passes(tmp_path, monkeypatch):
    lines = "' V....D libx264  libx264 H.264' ' A....D aac  AAC'"
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", fake_ffmpeg(tmp_path, lines))
    assert doctor.check_ffmpeg().ok


def test_bad_device_setting_is_reported(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "tpu")
    check = doctor.check_device()
    assert not check.ok and "COURSE_DEVICE" in check.fix


def test_old_package_is_flagged():
    check = doctor.check_package("numpy", "numpy", "numpy", True, "999.0")
    assert not check.ok and "pip install -U" in check.fix


def test_missing_optional_package_is_fine_and_required_is_not():
    assert doctor.check_package("nope", None, "no-such-dist-xyz", False, None).ok
    assert not doctor.check_package("nope", "no_such_module_xyz", "no-such-dist-xyz", True, None).ok


def test_colab_needs_the_custom_widget_manager(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", object())
    check = doctor.check_widgets()
    assert check.ok and "enable_custom_widget_manager" in check.detail
    assert doctor.where() == "Colab"


def test_report_lists_problems_and_main_exits_nonzero(monkeypatch, capsys):
    bad = doctor.Check("ffmpeg", False, "ffmpeg has no libx264", "reinstall imageio-ffmpeg")
    monkeypatch.setattr(doctor, "checks", lambda: [doctor.Check("python", True, "3.11"), bad])
    assert cli(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "1 problem(s) found" in out and "fix: reinstall imageio-ffmpeg" in out


def test_cli_usage_and_unknown_command(capsys):
    assert cli(["--help"]) == 0 and "doctor" in capsys.readouterr().out
    assert cli(["no-such-command"]) == 2


def test_a_corrupted_shipped_weight_file_is_named_with_a_fix(tmp_path):
    import shutil

    from course_lib import pretrained

    for f in pretrained.FOLDER.glob("*.pt*"):
        shutil.copy(f, tmp_path / f.name)
    assert doctor.check_weights(tmp_path).ok
    damaged = tmp_path / "swap-full.pt"
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"x")
    (tmp_path / "gan-fast.pt").unlink()
    check = doctor.check_weights(tmp_path)
    assert not check.ok
    assert "swap-full corrupted" in check.detail and "gan-fast missing" in check.detail
    assert "python -m course_lib.pretrained build" in check.fix
