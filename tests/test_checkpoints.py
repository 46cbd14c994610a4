"""course_lib.checkpoints, gan.load_run and pretrained: checkpoints save only what loads back, and every bad
file becomes a CheckpointError that says how to fix it and never suggests weights_only=False."""
import hashlib
import os
import traceback

import pytest
import torch

from course_lib import checkpoints, gan, pretrained
from course_lib.checkpoints import CheckpointError


def write_sidecar(path):
    """A .sha256 that matches the file, so loading gets past the checksum to torch itself."""
    path.with_name(path.name + ".sha256").write_text(hashlib.sha256(path.read_bytes()).hexdigest() + "\n")
    return path


def saved(tmp_path, name="model.pt"):
    return checkpoints.save(tmp_path / name, {"w": torch.arange(4.0), "n": torch.tensor(3)}, {"size": 32})


def load_error(path, **kwargs) -> str:
    """Load, expect a CheckpointError, and check it is safe to show a learner."""
    with pytest.raises(CheckpointError) as info:
        checkpoints.load(path, **kwargs)
    err = info.value
    shown = "".join(traceback.format_exception(err))
    assert "weights_only" not in shown, f"the error (and its traceback) must not suggest weights_only: {shown}"
    return str(err)


# ------------------------------------------------------------------------------------------- round trip


def test_save_then_load_gives_back_state_and_meta(tmp_path):
    path = checkpoints.save(tmp_path / "m.pt", {"w": torch.arange(4.0)}, {"size": 32, "names": ["a", "b"]}, half=True)
    state, meta = checkpoints.load(path)
    assert state["w"].dtype == torch.float32 and state["w"].tolist() == [0, 1, 2, 3], "half files load as float32"
    assert meta == {"size": 32, "names": ["a", "b"]}
    assert (tmp_path / "m.pt.sha256").read_text().split()[0] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pt", "m.pt.sha256"], "no temporaries left"


# ------------------------------------------------------------------------------------------- bad files


def test_a_damaged_file_fails_its_checksum_with_a_fix(tmp_path):
    path = saved(tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    message = load_error(path)
    assert "corrupted" in message and "delete model.pt" in message and "train" in message, message


def test_random_bytes_are_not_a_checkpoint(tmp_path):
    path = tmp_path / "random.pt"
    path.write_bytes(os.urandom(4096))
    message = load_error(write_sidecar(path))
    assert "cannot be loaded" in message and "delete random.pt" in message, message


def test_a_truncated_torch_file_is_not_a_checkpoint(tmp_path):
    path = saved(tmp_path)
    path.write_bytes(path.read_bytes()[:300])
    assert "cannot be loaded" in load_error(write_sidecar(path))


class RunsCode:
    """A pickle that would run code when loaded with weights_only=False."""

    marker = None

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')",))


def test_a_pickle_that_carries_code_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "code-ran.txt"
    RunsCode.marker = marker
    path = tmp_path / "evil.pt"
    torch.save({"format": checkpoints.FORMAT, "state": {"w": torch.zeros(1)}, "meta": {"x": RunsCode()}}, path)
    message = load_error(write_sidecar(path))
    assert not marker.exists(), "loading a checkpoint must never run the code inside it"
    assert "exec" in message and "nothing in it was run" in message, message


@pytest.mark.parametrize("content", ["", "\n", "abc123\n", "z" * 64])
def test_an_empty_or_short_sha256_file_is_named(tmp_path, content):
    path = saved(tmp_path)
    (tmp_path / "model.pt.sha256").write_text(content)
    message = load_error(path)
    assert "model.pt.sha256 is empty or damaged" in message and "delete model.pt" in message, message


def test_a_missing_sha256_file_says_how_to_verify(tmp_path):
    path = saved(tmp_path)
    (tmp_path / "model.pt.sha256").unlink()
    assert "no .sha256 file" in load_error(path)
    state, _ = checkpoints.load(path, expected_sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    assert state["w"].tolist() == [0, 1, 2, 3], "a known checksum passed in verifies the file instead"


def test_a_file_without_a_state_is_not_a_model(tmp_path):
    path = tmp_path / "nostate.pt"
    torch.save({"format": checkpoints.FORMAT, "meta": {}}, path)
    assert "no 'state' of tensors" in load_error(write_sidecar(path))


def test_a_torch_file_from_elsewhere_is_not_a_course_checkpoint(tmp_path):
    path = tmp_path / "other.pt"
    torch.save({"w": torch.zeros(2)}, path)
    assert "not a Deepfake Lab checkpoint" in load_error(write_sidecar(path))


def test_a_missing_file_or_a_folder_says_so(tmp_path):
    assert "no checkpoint at" in load_error(tmp_path / "never-trained.pt")
    (tmp_path / "folder.pt").mkdir()
    assert "is a folder" in load_error(tmp_path / "folder.pt")


def test_a_shipped_file_points_to_the_rebuild_command(tmp_path, monkeypatch):
    monkeypatch.setattr(pretrained, "FOLDER", tmp_path)
    path = saved(tmp_path, "swap-fast.pt")
    path.write_bytes(path.read_bytes()[:-1] + b"x")
    assert "python -m course_lib.pretrained build swap-fast" in load_error(path)


# ------------------------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize("checksum,error", [(123, TypeError), (b"ab" * 32, TypeError), ("abc", ValueError)])
def test_a_checksum_that_is_not_a_sha256_string_names_the_argument(tmp_path, checksum, error):
    path = saved(tmp_path)
    with pytest.raises(error, match="expected_sha256 must be a sha256 checksum"):
        checkpoints.load(path, expected_sha256=checksum)


@pytest.mark.parametrize("where,error", [("gpu", ValueError), ("cuda:99", ValueError), (5, TypeError),
                                         ({"cuda": "cpu"}, TypeError)])
def test_a_bad_map_location_names_the_devices_this_machine_has(tmp_path, where, error):
    path = saved(tmp_path)
    with pytest.raises(error, match="map_location"):
        checkpoints.load(path, map_location=where)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_map_location_cuda_without_a_gpu_says_to_use_cpu(tmp_path):
    with pytest.raises(ValueError, match=r"use one of \['cpu'"):
        checkpoints.load(saved(tmp_path), map_location="cuda")


# ------------------------------------------------------------------------------------------- save


@pytest.mark.parametrize("meta,key", [({"o": object()}, "'o'"), ({"ok": 1, "f": len}, "'f'"),
                                      ({"n": __import__("numpy").float64(0.5)}, "'n'")])
def test_save_refuses_meta_that_load_could_not_read_and_keeps_the_old_file(tmp_path, meta, key):
    path = saved(tmp_path)
    before = path.read_bytes(), (tmp_path / "model.pt.sha256").read_bytes()
    with pytest.raises(ValueError, match=rf"meta\[{key}\] holds .* was not written"):
        checkpoints.save(path, {"w": torch.ones(2)}, meta)
    assert (path.read_bytes(), (tmp_path / "model.pt.sha256").read_bytes()) == before, (
        "a refused save must leave the trained model on disk untouched")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt", "model.pt.sha256"], "no temporaries left"
    assert checkpoints.load(path)[1] == {"size": 32}


@pytest.mark.parametrize("state,match", [([1, 2], "state must be a state dict"),
                                         ({"w": [1.0, 2.0]}, "'w' does not"), ({1: torch.ones(1)}, "1 does not")])
def test_save_refuses_a_state_that_is_not_named_tensors(tmp_path, state, match):
    with pytest.raises(ValueError, match=match):
        checkpoints.save(tmp_path / "m.pt", state)
    assert list(tmp_path.iterdir()) == [], "nothing may be written"


def test_save_refuses_meta_that_is_not_a_dict(tmp_path):
    with pytest.raises(ValueError, match="meta must be a dict"):
        checkpoints.save(tmp_path / "m.pt", {"w": torch.ones(1)}, ["size", 32])


# ------------------------------------------------------------------------------------------- gan.load_run


def test_load_run_turns_a_bad_file_into_a_checkpoint_error(tmp_path):
    path = tmp_path / "run.pt"
    path.write_bytes(os.urandom(2048))
    with pytest.raises(CheckpointError, match="cannot be loaded") as info:
        gan.load_run(write_sidecar(path))
    assert "weights_only" not in "".join(traceback.format_exception(info.value))


def test_load_run_of_a_verified_file_that_is_not_a_dcgan_says_retrain(tmp_path):
    meta = {"kind": gan.KIND, "settings": gan.GANSettings(size=32).to_dict()}
    path = checkpoints.save(tmp_path / "run.pt", {"G.weight": torch.zeros(3)}, meta)
    with pytest.raises(CheckpointError, match="not a DCGAN run this library can rebuild.*train the run again"):
        gan.load_run(path)
    meta["settings"] = {"size": "huge"}
    checkpoints.save(path, {"G.weight": torch.zeros(3)}, meta)
    with pytest.raises(CheckpointError, match="not a DCGAN run"):
        gan.load_run(path)


def test_load_run_checks_the_device(tmp_path):
    path = checkpoints.save(tmp_path / "run.pt", {"w": torch.zeros(1)}, {"kind": gan.KIND})
    with pytest.raises(ValueError, match="load_run: device='gpu' is not a device this machine has"):
        gan.load_run(path, device="gpu")


# ------------------------------------------------------------------------------------------- pretrained


def test_every_shipped_name_has_a_builder_and_unknown_names_are_refused():
    for name in pretrained.MANIFEST:
        build = pretrained.builder(name)
        assert callable(build) and build.__name__.startswith("build_pretrained_"), f"{name}: {build}"
    with pytest.raises(ValueError, match="the course ships"):
        pretrained.builder("swap-huge")
    with pytest.raises(ValueError, match="no pretrained model"):
        pretrained.path(["swap-fast"])


def test_pretrained_command_lists_the_files_and_refuses_unknown_names(capsys):
    assert pretrained.main(["list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in pretrained.MANIFEST) and "missing" not in out, out
    assert pretrained.main(["build", "no-such-model"]) == 2
    assert "the course ships" in capsys.readouterr().err
    assert pretrained.main(["build"]) == 2


def test_the_shipped_files_still_verify_and_load():
    for name in pretrained.MANIFEST:
        state, meta = pretrained.load(name)
        assert state and meta.get("name") == name, f"{name} should load with its own name in meta"
