"""course_lib.config: FAST mode, parameters cells, device choice, seeding and the data cache (lab 00)."""
import os
import random
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from course_lib import config


@pytest.fixture
def no_fast_env(monkeypatch):
    """Neither COURSE_FAST nor nbgrader: the full-size course."""
    monkeypatch.delenv("COURSE_FAST", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


@pytest.fixture
def torch_global_state(monkeypatch):
    """seed_everything and torch_threads change process-wide settings; put them back afterwards."""
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)  # monkeypatch restores whatever was there
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    deterministic = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    threads = torch.get_num_threads()
    benchmark = torch.backends.cudnn.benchmark
    np_state = np.random.get_state()
    py_state = random.getstate()
    torch_state = torch.get_rng_state()
    yield
    torch.use_deterministic_algorithms(deterministic, warn_only=warn_only)
    torch.set_num_threads(threads)
    torch.backends.cudnn.benchmark = benchmark
    np.random.set_state(np_state)
    random.setstate(py_state)
    torch.set_rng_state(torch_state)


# ---------------------------------------------------------------------------------------------- FAST


def test_fast_mode_is_off_without_course_fast_or_nbgrader(no_fast_env):
    assert config.is_fast() is False, "with neither COURSE_FAST nor NBGRADER_EXECUTION set, labs must run full size"


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", " 1 "])
def test_course_fast_turns_fast_mode_on(no_fast_env, monkeypatch, value):
    monkeypatch.setenv("COURSE_FAST", value)
    assert config.is_fast() is True, f"COURSE_FAST={value!r} should switch the labs to FAST mode"


@pytest.mark.parametrize("value", ["0", "false", "no", "off", ""])
def test_course_fast_false_values_keep_full_mode(no_fast_env, monkeypatch, value):
    monkeypatch.setenv("COURSE_FAST", value)
    assert config.is_fast() is False, f"COURSE_FAST={value!r} must not switch the labs to FAST mode"


@pytest.mark.parametrize("value", ["autograde", "validate", "1"])
def test_nbgrader_execution_turns_fast_mode_on(no_fast_env, monkeypatch, value):
    monkeypatch.setenv("NBGRADER_EXECUTION", value)
    assert config.is_fast() is True, f"under nbgrader (NBGRADER_EXECUTION={value!r}) labs must run in FAST mode"


def test_resolve_mode_with_no_mode_reads_course_fast_and_nbgrader(no_fast_env, monkeypatch):
    assert config.resolve_mode() == "full", "with neither COURSE_FAST nor nbgrader set, the mode is full"
    monkeypatch.setenv("COURSE_FAST", "1")
    assert config.resolve_mode(None) == "fast", "COURSE_FAST=1 must make the resolved mode fast"
    monkeypatch.delenv("COURSE_FAST")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert config.resolve_mode() == "fast", "under nbgrader the resolved mode must be fast"


@pytest.mark.parametrize("env, mode", [("1", "full"), ("0", "fast"), ("", "fast"), ("", "full")])
def test_an_explicit_mode_wins_over_course_fast(no_fast_env, monkeypatch, env, mode):
    monkeypatch.setenv("COURSE_FAST", env)
    assert config.resolve_mode(mode) == mode, f"mode={mode!r} must win over COURSE_FAST={env!r}"
    assert config.is_fast(mode) is (mode == "fast"), f"is_fast({mode!r}) must follow the explicit mode"


@pytest.mark.parametrize("bad", ["quick", "FAST", "", True, 1])
def test_resolve_mode_rejects_anything_but_fast_full_or_none_and_names_mode(bad):
    with pytest.raises(ValueError, match="mode must be 'fast' or 'full'"):
        config.resolve_mode(bad)


def test_params_follows_an_explicit_mode_over_the_environment(no_fast_env, monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    got = config.params(fast={"n": 1}, full={"n": 100}, mode="full")
    assert got == {"n": 100}, f"params(mode='full') must pick the full values whatever COURSE_FAST says, got {got}"


def test_the_library_writes_no_environment_variable(torch_global_state, tmp_path, monkeypatch):
    from course_lib import gan, swap

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    torch.use_deterministic_algorithms(True, warn_only=True)  # torch's own first call sets TORCHINDUCTOR_CACHE_DIR
    before = dict(os.environ)
    config.resolve_mode()
    config.is_fast("full")
    config.params(fast={"n": 1}, full={"n": 2}, mode="fast")
    config.seed_everything(0)
    swap.settings(mode="fast")
    gan.settings(mode="full", device="cpu")
    after = dict(os.environ)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"course_lib must not write environment variables; these changed: {changed}"


def test_the_mode_context_manager_and_fast_constant_are_gone():
    assert not hasattr(config, "mode") and not hasattr(config, "FAST"), (
        "mode travels as a parameter: config.mode() (which wrote COURSE_FAST) and config.FAST must not come back"
    )


# -------------------------------------------------------------------------------------------- params


def test_params_picks_fast_values_in_fast_mode(no_fast_env, monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    got = config.params(fast={"epochs": 1, "size": 32}, full={"epochs": 20, "size": 128})
    assert got == {"epochs": 1, "size": 32}, f"FAST mode should use the fast parameters, got {got}"


def test_params_picks_full_values_outside_fast_mode(no_fast_env):
    got = config.params(fast={"epochs": 1, "size": 32}, full={"epochs": 20, "size": 128})
    assert got == {"epochs": 20, "size": 128}, f"full mode should use the full parameters, got {got}"


def test_params_picks_fast_values_under_nbgrader(no_fast_env, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    got = config.params(fast={"n": 1}, full={"n": 100})
    assert got == {"n": 1}, f"the grader must get the fast parameters, got {got}"


def test_params_returns_a_copy_that_does_not_change_the_cell(no_fast_env):
    full = {"n": 100}
    got = config.params(fast={"n": 1}, full=full)
    got["n"] = 5
    assert full == {"n": 100}, "changing the returned parameters must not change the dict the lab passed in"


def test_params_rejects_mismatched_names_and_lists_them():
    with pytest.raises(ValueError) as err:
        config.params(fast={"epochs": 1, "lr": 0.1}, full={"epochs": 2, "batch": 8})
    msg = str(err.value)
    assert "same names" in msg and "'batch'" in msg and "'lr'" in msg, (
        f"a mismatched parameters cell should name the differing keys, got: {msg}"
    )


def test_params_requires_keyword_arguments():
    with pytest.raises(TypeError):
        config.params({"n": 1}, {"n": 2})  # positional use would make fast/full easy to swap


# -------------------------------------------------------------------------------------------- device


def test_device_honours_course_device_cpu(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert config.device() == "cpu", "COURSE_DEVICE=cpu must force the CPU"


def test_device_accepts_prefer_argument_case_insensitively(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    assert config.device(" CPU ") == "cpu", "device('CPU') should be read as 'cpu'"


@pytest.mark.parametrize("bad", ["gpu", "tpu", "cuda0", "metal"])
def test_device_rejects_nonsense_with_the_valid_choices(monkeypatch, bad):
    monkeypatch.setenv("COURSE_DEVICE", bad)
    with pytest.raises(ValueError) as err:
        config.device()
    msg = str(err.value)
    assert bad in msg and "cpu" in msg and "cuda" in msg and "mps" in msg, (
        f"COURSE_DEVICE={bad!r} should be rejected with the valid choices listed, got: {msg}"
    )


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_device_cuda_without_a_gpu_says_how_to_fix(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cuda")
    with pytest.raises(RuntimeError) as err:
        config.device()
    assert "unset it or use cpu" in str(err.value), f"the error should say how to get going, got: {err.value}"


def test_device_rejects_cuda_with_a_non_numeric_index(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cuda:x")
    with pytest.raises(ValueError):
        config.device()


@pytest.mark.skipif(torch.cuda.is_available() or config._mps_available(torch), reason="this machine has a GPU")
def test_device_is_cpu_on_a_machine_without_a_gpu(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    assert config.device() == "cpu", "without a GPU and without COURSE_DEVICE the course must run on the CPU"


def test_device_result_is_usable_by_torch(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    t = torch.zeros(2, device=config.device())
    assert t.sum().item() == 0, "torch should accept the device that config.device() picks"


# ------------------------------------------------------------------------------------------- seeding


def test_seed_everything_makes_numpy_and_python_draws_repeat(torch_global_state):
    config.seed_everything(123)
    a = (np.random.rand(5), random.random())
    config.seed_everything(123)
    b = (np.random.rand(5), random.random())
    assert np.array_equal(a[0], b[0]), "np.random draws must repeat after seed_everything with the same seed"
    assert a[1] == b[1], "random.random draws must repeat after seed_everything with the same seed"


def test_seed_everything_makes_torch_draws_repeat(torch_global_state):
    config.seed_everything(7)
    a = torch.randn(6)
    config.seed_everything(7)
    b = torch.randn(6)
    assert torch.equal(a, b), "torch.randn must repeat after seed_everything with the same seed"


def test_seed_everything_makes_torch_model_init_repeat(torch_global_state):
    config.seed_everything(3)
    w1 = torch.nn.Linear(4, 3).weight.detach().clone()
    config.seed_everything(3)
    w2 = torch.nn.Linear(4, 3).weight.detach().clone()
    assert torch.equal(w1, w2), "a model's initial weights must repeat after seed_everything"


def test_different_seeds_give_different_draws(torch_global_state):
    config.seed_everything(1)
    a = np.random.rand(4), torch.randn(4)
    config.seed_everything(2)
    b = np.random.rand(4), torch.randn(4)
    assert not np.array_equal(a[0], b[0]) and not torch.equal(a[1], b[1]), "different seeds should give different draws"


def test_seed_everything_returns_the_seed_and_accepts_large_seeds(torch_global_state):
    assert config.seed_everything(5) == 5, "seed_everything should return the seed it used"
    big = 2**40 + 3
    assert config.seed_everything(big) == big, "a seed beyond 2**32 must work (NumPy gets it modulo 2**32)"


def test_seed_everything_asks_torch_for_deterministic_algorithms(torch_global_state):
    config.seed_everything(0)
    assert torch.are_deterministic_algorithms_enabled(), "seed_everything should turn on torch's deterministic mode"
    assert torch.is_deterministic_algorithms_warn_only_enabled(), (
        "deterministic mode should only warn, so labs do not crash on ops without a deterministic version"
    )


# ------------------------------------------------------------------------------------------ data dir


def test_data_dir_honours_course_data_dir_and_creates_it(monkeypatch, tmp_path):
    target = tmp_path / "nested" / "cache"
    monkeypatch.setenv("COURSE_DATA_DIR", str(target))
    got = config.data_dir()
    assert got == target, f"data_dir() should be COURSE_DATA_DIR ({target}), got {got}"
    assert target.is_dir(), "data_dir() should create the cache folder, parents included"


def test_data_dir_create_false_does_not_create(monkeypatch, tmp_path):
    target = tmp_path / "not-yet"
    monkeypatch.setenv("COURSE_DATA_DIR", str(target))
    assert config.data_dir(create=False) == target, "data_dir(create=False) should still name COURSE_DATA_DIR"
    assert not target.exists(), "data_dir(create=False) must not create the folder"


def test_data_dir_expands_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("COURSE_DATA_DIR", "~/course-cache")
    got = config.data_dir(create=False)
    assert got == tmp_path / "course-cache", f"'~' in COURSE_DATA_DIR should mean the home folder, got {got}"


def test_data_dir_defaults_to_a_per_user_cache_folder(monkeypatch):
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    got = config.data_dir(create=False)  # create=False: never touch the real user's cache from a test
    assert got.name == "deepfake-lab" and got.is_absolute(), f"the default cache should be .../deepfake-lab, got {got}"


def test_isolated_cache_fixture_points_the_course_at_a_temporary_folder(isolated_cache):
    assert config.data_dir() == Path(isolated_cache), "tests must never use the user's real course cache"


# ------------------------------------------------------------------------------------------- misc


def test_is_colab_follows_the_google_colab_module(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert config.is_colab() is False, "outside Colab is_colab() must be False"
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert config.is_colab() is True, "with google.colab imported is_colab() must be True"


def test_course_threads_sets_torch_threads(monkeypatch, torch_global_state):
    monkeypatch.setenv("COURSE_THREADS", "1")
    assert config.torch_threads() == 1, "COURSE_THREADS=1 should limit torch to one thread"
    monkeypatch.setenv("COURSE_THREADS", "0")
    assert config.torch_threads() == 1, "COURSE_THREADS=0 should still leave torch one thread"


def test_machine_summary_names_the_cpu_its_cores_and_torch(monkeypatch):
    monkeypatch.setattr(config, "cpu_model", lambda: "Test CPU 9000")
    line = config.machine_summary()
    assert line.startswith("Test CPU 9000, ") and f"{os.cpu_count()} cores" in line
    assert f"torch {torch.__version__}" in line and "torch threads" in line


def test_cpu_model_names_a_processor():
    assert isinstance(config.cpu_model(), str) and config.cpu_model().strip(), "cpu_model() returned nothing"
