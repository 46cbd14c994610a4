"""course_lib.files: the one file hash, the one atomic writer (bytes, JSON, npz) and the temporary folder."""
import hashlib
import json
import tempfile

import numpy as np
import pytest

from course_lib import files


def test_sha256_file_matches_hashlib_and_md5_is_available(tmp_path):
    data = bytes(range(256)) * 5000  # over 1 MiB, so it is read in more than one block
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    assert files.sha256_file(path) == hashlib.sha256(data).hexdigest(), "sha256_file must agree with hashlib"
    assert files.file_digest(path, "md5") == hashlib.md5(data).hexdigest(), "md5 serves the registry's old entries"
    with pytest.raises(ValueError, match="algo must be"):
        files.file_digest(path, "sha1")


def test_write_bytes_atomic_writes_replaces_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "sub" / "out.bin"
    files.write_bytes_atomic(target, b"first")
    files.write_bytes_atomic(target, b"second")
    assert target.read_bytes() == b"second", "a second write should replace the first"
    assert [p.name for p in target.parent.iterdir()] == ["out.bin"], "no temporary file or folder may be left"


def test_a_failing_writer_keeps_the_old_file_and_leaves_no_temporaries(tmp_path):
    target = tmp_path / "keep.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="boom"):
        with files.atomic_path(target) as tmp:
            tmp.write_text("half of the new")
            raise RuntimeError("boom")
    assert target.read_text() == "old", "a write that fails midway must leave the old file as it was"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"], f"temporaries left: {list(tmp_path.iterdir())}"


def test_a_writer_that_writes_nothing_is_an_error_not_an_empty_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing was written"):
        with files.atomic_path(tmp_path / "x.bin"):
            pass
    assert list(tmp_path.iterdir()) == [], "nothing may be left behind"


def test_the_temporary_file_has_the_targets_name_beside_it(tmp_path):
    with files.atomic_path(tmp_path / "clip.mp4") as tmp:
        assert tmp.name == "clip.mp4" and tmp.parent.parent == tmp_path, (
            f"tools read the suffix and messages quote the name, so the temporary file keeps both: {tmp}")
        tmp.write_bytes(b"x")


def test_os_errors_name_the_users_path_not_the_temporary_file(tmp_path):
    target = tmp_path / "a.wav"
    with pytest.raises(OSError) as info:
        with files.atomic_path(target) as tmp:
            raise OSError(28, "No space left on device", str(tmp))
    message = str(info.value)
    assert str(target) in message and ".tmp" not in message, f"the learner should see their own path: {message}"


def test_writing_onto_a_folder_says_so(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a folder"):
        files.write_bytes_atomic(tmp_path, b"x")


def test_write_json_atomic_round_trips_and_refuses_what_json_cannot_hold(tmp_path):
    target = files.write_json_atomic(tmp_path / "d.json", {"a": [1, 2.5, "x"], "b": None})
    assert json.loads(target.read_text()) == {"a": [1, 2.5, "x"], "b": None}
    for bad in ({"o": object()}, {"nan": float("nan")}, {"n": np.float32(1.0)}):
        with pytest.raises(ValueError, match="cannot write d.json as JSON"):
            files.write_json_atomic(target, bad)
    assert json.loads(target.read_text())["b"] is None, "a refused write must leave the old file intact"


def test_write_npz_atomic_round_trips_without_pickles(tmp_path):
    target = files.write_npz_atomic(tmp_path / "d.npz", x=np.arange(6).reshape(2, 3), y=np.array(["a", "b"]))
    with np.load(target, allow_pickle=False) as f:
        assert f["x"].tolist() == [[0, 1, 2], [3, 4, 5]] and f["y"].tolist() == ["a", "b"]
    with pytest.raises(ValueError, match="Python objects"):
        files.write_npz_atomic(tmp_path / "e.npz", o=np.array([object()]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.npz"], "the refused write must leave nothing"


def test_write_bytes_atomic_refuses_text():
    with pytest.raises(TypeError, match="data must be bytes"):
        files.write_bytes_atomic("x.bin", "text")


def test_temporary_folder_is_removed_even_when_the_block_fails(tmp_path):
    with files.temporary_folder(dir=tmp_path) as folder:
        (folder / "a" / "b").mkdir(parents=True)
        (folder / "a" / "b" / "f.txt").write_text("x")
    assert not folder.exists(), "the folder and all it holds must go when the block ends"
    with pytest.raises(KeyError):
        with files.temporary_folder(dir=tmp_path) as folder:
            raise KeyError("boom")
    assert not folder.exists() and list(tmp_path.iterdir()) == [], "a failing block must not leave it behind"


def test_temporary_folder_defaults_to_the_systems_temporary_place(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with files.temporary_folder() as folder:
        assert folder.parent == tmp_path
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad,error", [(None, TypeError), (3, TypeError), ("", ValueError)])
def test_a_path_that_is_not_a_path_names_the_argument(bad, error):
    with pytest.raises(error, match="archive"):
        files.as_path(bad, "archive")


def test_existing_file_says_missing_or_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="video: no such media file"):
        files.existing_file(tmp_path / "nope.mp4", "video", "media file")
    with pytest.raises(FileNotFoundError, match="does not exist either"):
        files.existing_file(tmp_path / "no-folder" / "nope.mp4")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        files.existing_file(tmp_path)
