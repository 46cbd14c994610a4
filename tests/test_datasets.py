"""course_lib.datasets: the registry, verified atomic downloads with mirrors, safe extraction, loaders.

Every download test talks to a loopback HTTP server that the test starts itself; a guard below makes any
other host name fail to resolve, so no test can reach the real network.
"""
import hashlib
import http.server
import inspect
import io
import json
import re
import socket
import stat
import subprocess
import sys
import tarfile
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from course_lib import datasets, synth

GOOD = bytes(range(256)) * 400  # 102,400 bytes
WRONG = bytes(reversed(GOOD))
HTML = b"<!DOCTYPE html>\n<html><head><title>Google Drive - Quota exceeded</title></head><body>Sorry</body></html>"


# ----------------------------------------------------------------------------------------------------
# Fixtures: no real network, a loopback server with faults, a test registry


@pytest.fixture(autouse=True)
def no_real_network(monkeypatch):
    """Only loopback names resolve; proxies are ignored, so requests go straight to the test server."""
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost", b"127.0.0.1"):
            raise socket.gaierror(socket.EAI_NONAME, f"Name or service not known (test guard: {host})")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")


class Server:
    """A loopback HTTP server: ``routes[path] = (status, headers, body, send)``; it records every request."""

    def __init__(self):
        self.routes, self.hits = {}, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.hits.append(self.path)
                status, headers, body, send = server.routes.get(self.path, (404, {}, b"", None))
                self.send_response(status)
                for k, v in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body if send is None else body[:send])
                if send is not None:  # drop the connection mid-file
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path, body, *, status=200, content_type="application/octet-stream", send=None):
        self.routes[path] = (status, {"Content-Type": content_type}, body, send)
        return self.url(path)

    def stop(self):
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.stop()


def closed_port_url(path="/data.bin"):
    """A loopback URL where nothing listens: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def entry(name, *urls, data=GOOD, filename="data.bin", extract="none", algo="sha256", **extra):
    e = {"name": name, "kind": "download", "description": "test data", "licence": "CC0 (test)",
         "filename": filename, "sources": [{"url": u} for u in urls], "size": len(data), "extract": extract}
    e[algo] = hashlib.new(algo, data).hexdigest()
    e.update(extra)
    return e


@pytest.fixture
def use_registry(tmp_path, monkeypatch):
    """Point COURSE_DATASETS_REGISTRY at a registry file holding the given entries."""

    def use(*entries):
        path = tmp_path / "registry.json"
        path.write_text(json.dumps({"schema": 1, "datasets": list(entries)}))
        monkeypatch.setenv(datasets.REGISTRY_ENV, str(path))
        return path

    return use


def listing(root: Path) -> dict:
    """Every file and folder under the cache, with each file's size and sha256."""
    return {str(p.relative_to(root)): (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
            if p.is_file() else "dir" for p in sorted(root.rglob("*"))}


def fails_cleanly(isolated_cache, match, name="t", **kwargs):
    """fetch(name) raises a DatasetError matching ``match`` and the cache is exactly as before."""
    before = listing(isolated_cache)
    with pytest.raises(datasets.DatasetError, match=match) as info:
        datasets.fetch(name, progress=False, **kwargs)
    assert listing(isolated_cache) == before
    return str(info.value)


# ----------------------------------------------------------------------------------------------------
# The registry


def test_registry_lists_the_course_datasets_with_licences():
    assert datasets.registry_path() == datasets.DEFAULT_REGISTRY  # the checkout's datasets/registry.json
    reg = datasets.registry()
    kinds = {"synthetic-faces": "generated", "astronaut": "package", "lfw-subset": "package",
             "celeba-aligned": "download"}
    assert {n: reg[n]["kind"] for n in kinds} == kinds
    for e in reg.values():
        assert e["licence"] and e["description"] and e["loader"].startswith("course_lib.datasets.load_")
        assert "extract" in e and "sources" in e and "size" in e and "sha256" in e


def test_celeba_entry_has_drive_id_checksums_and_a_mirror():
    e = datasets.info("celeba-aligned")
    assert e["sources"][0] == {"gdrive": "0B7EVK8r0v71pZjFTYXZWM3FlRnM", "note": e["sources"][0]["note"]}
    assert len(e["sources"]) >= 2 and "url" in e["sources"][1]
    assert e["md5"] == "00d2c5bc6d35e252742224ab0c1e8fcb"  # torchvision's value
    assert len(e["sha256"]) == 64 and e["size"] == 1443490838  # TensorFlow Datasets' values
    assert e["opt_in"] is True and e["extract"] == "none" and e["filename"] == "img_align_celeba.zip"
    assert "non-commercial" in e["licence"] and "detection" in e["consent"]


def test_unknown_dataset_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown dataset 'celeba'.*synthetic-faces.*celeba-aligned"):
        datasets.info("celeba")


def test_info_returns_a_copy():
    datasets.info("astronaut")["licence"] = "changed"
    assert datasets.info("astronaut")["licence"] != "changed"


def test_env_var_name_is_upper_case_with_underscores():
    assert datasets.url_env_var("celeba-aligned") == "COURSE_DATASET_URL_CELEBA_ALIGNED"


def test_malformed_registry_entry_is_a_clear_error(use_registry):
    bad = entry("t", "http://127.0.0.1/x")
    del bad["sha256"]
    use_registry(bad)
    with pytest.raises(ValueError, match="'t' needs a \"sha256\""):
        datasets.registry()
    use_registry(entry("t", "http://127.0.0.1/x", filename="../escape.bin"))
    with pytest.raises(ValueError, match="plain \"filename\""):
        datasets.registry()


def test_missing_registry_file_says_how_to_fix_it(monkeypatch, tmp_path):
    monkeypatch.setenv(datasets.REGISTRY_ENV, str(tmp_path / "nope.json"))
    with pytest.raises(ValueError, match="no dataset registry at .*nope.json; unset COURSE_DATASETS_REGISTRY"):
        datasets.registry()


def test_fetch_refuses_datasets_that_need_no_download():
    with pytest.raises(ValueError, match="nothing to download.*load_astronaut"):
        datasets.fetch("astronaut")


def test_every_public_function_has_a_one_line_docstring_naming_its_lab():
    public = [f for n, f in vars(datasets).items() if not n.startswith("_")
              and (inspect.isfunction(f) or inspect.isclass(f)) and f.__module__ == datasets.__name__]
    assert len(public) >= 12
    for f in public:
        first = (f.__doc__ or "").strip().splitlines()[0]
        assert re.search(r"\(labs? \d\d[^)]*\)\.$", first), f"{f.__name__}: {first!r} does not end with its lab, e.g. (lab 00)."


def test_importing_the_module_touches_no_network():
    code = ("import socket\n"
            "def boom(*a, **k): raise AssertionError('network at import')\n"
            "socket.getaddrinfo = boom; socket.socket.connect = boom\n"
            "import course_lib.datasets")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])


# ----------------------------------------------------------------------------------------------------
# fetch: the good path, the cache, mirrors, overrides


def test_fetch_downloads_verifies_and_caches(server, use_registry, isolated_cache):
    use_registry(entry("t", server.serve("/good.bin", GOOD)))
    path = datasets.fetch("t", progress=False)
    assert path == isolated_cache / "datasets" / "t" / "data.bin"
    assert path.read_bytes() == GOOD
    assert list(listing(isolated_cache)) == ["datasets", "datasets/t", "datasets/t/data.bin"]  # no temp files


def test_cached_verified_file_is_reused_without_network(server, use_registry):
    use_registry(entry("t", server.serve("/good.bin", GOOD)))
    first = datasets.fetch("t", progress=False)
    server.stop()
    datasets._VERIFIED.clear()  # as in a new session: the file is hashed again, but not downloaded
    assert datasets.fetch("t", progress=False) == first
    assert server.hits == ["/good.bin"]


def test_first_mirror_failing_falls_back_to_the_second(server, use_registry):
    use_registry(entry("t", server.serve("/gone", b"", status=404), server.serve("/good.bin", GOOD)))
    assert datasets.fetch("t", progress=False).read_bytes() == GOOD
    assert server.hits == ["/gone", "/good.bin"]


def test_all_mirrors_failing_lists_what_each_said(server, use_registry, isolated_cache):
    use_registry(entry("t", server.serve("/gone", b"", status=404), closed_port_url(),
                       server.serve("/wrong.bin", WRONG)))
    msg = fails_cleanly(isolated_cache, "any of its 3 sources")
    assert "1. http" in msg and "not found at" in msg
    assert "2. http" in msg and "you seem to be offline" in msg
    assert "3. http" in msg and "registry expects" in msg
    assert "COURSE_DATASET_URL_T" in msg


def test_env_var_override_with_a_local_file(server, use_registry, monkeypatch, tmp_path):
    use_registry(entry("t", server.serve("/good.bin", WRONG)))
    local = tmp_path / "my-copy.bin"
    local.write_bytes(GOOD)
    monkeypatch.setenv("COURSE_DATASET_URL_T", str(local))
    assert datasets.fetch("t", progress=False).read_bytes() == GOOD
    assert server.hits == []  # the registry's source was never asked


def test_env_var_override_with_a_mirror_url(server, use_registry, monkeypatch):
    use_registry(entry("t", closed_port_url()))
    monkeypatch.setenv("COURSE_DATASET_URL_T", server.serve("/mirror/data.bin", GOOD))
    assert datasets.fetch("t", progress=False).read_bytes() == GOOD


def test_env_var_override_with_a_file_url(use_registry, monkeypatch, tmp_path):
    use_registry(entry("t", closed_port_url()))
    (tmp_path / "copy.bin").write_bytes(GOOD)
    monkeypatch.setenv("COURSE_DATASET_URL_T", (tmp_path / "copy.bin").as_uri())
    assert datasets.fetch("t", progress=False).read_bytes() == GOOD


def test_env_var_override_to_a_missing_file_says_so(use_registry, monkeypatch, isolated_cache, tmp_path):
    use_registry(entry("t", closed_port_url()))
    monkeypatch.setenv("COURSE_DATASET_URL_T", str(tmp_path / "nope.bin"))
    msg = fails_cleanly(isolated_cache, "no file at")
    assert "unset COURSE_DATASET_URL_T" in msg


def test_md5_only_entry_is_verified_by_md5(server, use_registry, isolated_cache):
    use_registry(entry("t", server.serve("/good.bin", GOOD), algo="md5"))
    assert datasets.fetch("t", progress=False).read_bytes() == GOOD
    use_registry(entry("t", server.serve("/wrong.bin", WRONG), algo="md5"))
    fails_cleanly(isolated_cache, "the file's md5 is .* but the registry expects", force=True)


def test_failed_forced_refetch_keeps_the_cached_file(server, use_registry, isolated_cache):
    use_registry(entry("t", server.serve("/good.bin", GOOD)))
    datasets.fetch("t", progress=False)
    server.serve("/good.bin", GOOD, send=1000)  # now the source drops the connection
    fails_cleanly(isolated_cache, "dropped", force=True)
    assert (isolated_cache / "datasets" / "t" / "data.bin").read_bytes() == GOOD


def test_corrupted_cached_file_is_fetched_again(server, use_registry, isolated_cache, capsys):
    use_registry(entry("t", server.serve("/good.bin", GOOD)))
    path = datasets.fetch("t", progress=False)
    path.write_bytes(WRONG)
    assert datasets.fetch("t", progress=False).read_bytes() == GOOD
    assert "does not match the registry's checksum" in capsys.readouterr().out
    assert server.hits == ["/good.bin", "/good.bin"]


# ----------------------------------------------------------------------------------------------------
# fetch: each fault ends in a clear error and leaves the cache exactly as it was


def test_connection_dropped_mid_file_is_a_clear_error(server, use_registry, isolated_cache):
    use_registry(entry("t", server.serve("/drop.bin", GOOD, send=5000)))
    msg = fails_cleanly(isolated_cache, "connection dropped mid-file")
    assert "COURSE_DATASET_URL_T" in msg


def test_wrong_bytes_fail_the_checksum(server, use_registry, isolated_cache):
    use_registry(entry("t", server.serve("/wrong.bin", WRONG)))
    sha = hashlib.sha256(WRONG).hexdigest()
    msg = fails_cleanly(isolated_cache, f"the file's sha256 is {sha} but the registry expects")
    assert "corrupted or the source changed" in msg


def test_http_404_says_not_found_at_the_url(server, use_registry, isolated_cache):
    url = server.serve("/missing.bin", b"", status=404)
    use_registry(entry("t", url))
    fails_cleanly(isolated_cache, f"not found at {url}")


def test_html_page_instead_of_the_file_is_recognised(server, use_registry, isolated_cache):
    use_registry(entry("t", server.serve("/quota", HTML, content_type="text/html; charset=utf-8")))
    msg = fails_cleanly(isolated_cache, r"got an HTML page instead of the file \(Google Drive's download quota\?\)")
    assert "try again later or use a mirror" in msg


def test_connection_refused_reads_as_offline(use_registry, isolated_cache):
    use_registry(entry("t", closed_port_url()))
    msg = fails_cleanly(isolated_cache, "you seem to be offline")
    assert "set COURSE_DATASET_URL_T to a local copy" in msg


def test_dns_failure_reads_as_offline(use_registry, isolated_cache):
    use_registry(entry("t", "http://datasets.example.invalid/data.bin"))
    fails_cleanly(isolated_cache, r"could not look up the host name\): you seem to be offline")


def test_google_drive_quota_page_is_a_clear_error(use_registry, isolated_cache, monkeypatch):
    import gdown

    calls = []

    def fake_download(url=None, output=None, **kwargs):
        calls.append(kwargs.get("id"))
        raise gdown.exceptions.FileURLRetrievalError(
            "Failed to retrieve file url:\n\n\tToo many users have viewed or downloaded this file recently.")

    monkeypatch.setattr(gdown, "download", fake_download)
    e = entry("t")
    e["sources"] = [{"gdrive": "0B7EVK8r0v71pZjFTYXZWM3FlRnM"}]
    use_registry(e)
    msg = fails_cleanly(isolated_cache, "got an HTML page instead of the file")
    assert calls == ["0B7EVK8r0v71pZjFTYXZWM3FlRnM"] and "Too many users" in msg


# ----------------------------------------------------------------------------------------------------
# Extraction


def make_zip(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data, is_link in members:
            info = zipfile.ZipInfo(name)
            if is_link:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, data)
    return buf.getvalue()


def make_tar(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data, link in members:
            info = tarfile.TarInfo(name)
            if link:
                info.type, info.linkname = tarfile.SYMTYPE, link
                tf.addfile(info)
            else:
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_zip_entry_is_extracted_into_the_cache(server, use_registry, isolated_cache):
    data = make_zip([("faces/a.txt", b"a", False), ("faces/b.txt", b"b", False)])
    use_registry(entry("t", server.serve("/ok.zip", data), data=data, filename="t.zip", extract="zip"))
    out = datasets.fetch("t", progress=False)
    assert out == isolated_cache / "datasets" / "t" / "extracted"
    assert (out / "faces" / "b.txt").read_bytes() == b"b"
    assert sorted(listing(isolated_cache / "datasets" / "t")) == [
        "extracted", "extracted/faces", "extracted/faces/a.txt", "extracted/faces/b.txt", "t.zip"]
    server.stop()
    assert datasets.fetch("t", progress=False) == out  # cached: no network


def test_tar_entry_is_extracted_into_the_cache(server, use_registry):
    data = make_tar([("set/x.txt", b"x", None), ("set/inside-link", b"", "x.txt")])
    use_registry(entry("t", server.serve("/ok.tgz", data), data=data, filename="t.tar.gz", extract="tar"))
    out = datasets.fetch("t", progress=False)
    assert (out / "set" / "x.txt").read_bytes() == b"x"


EVIL_ZIPS = {
    "dot-dot": [("ok.txt", b"fine", False), ("../evil.txt", b"pwned", False)],
    "absolute": [("/tmp/evil.txt", b"pwned", False)],
    "nested-dot-dot": [("a/../../evil.txt", b"pwned", False)],
    "symlink-out": [("link", b"../../outside", True)],
}
EVIL_TARS = {
    "dot-dot": [("ok.txt", b"fine", None), ("../evil.txt", b"pwned", None)],
    "absolute": [("/tmp/evil.txt", b"pwned", None)],
    "symlink-out": [("link", b"", "../../outside")],
    "absolute-symlink": [("link", b"", "/etc/passwd")],
}


@pytest.mark.parametrize("case", EVIL_ZIPS)
def test_zip_members_escaping_the_folder_are_refused(case, server, use_registry, isolated_cache):
    data = make_zip(EVIL_ZIPS[case])
    use_registry(entry("t", server.serve("/evil.zip", data), data=data, filename="t.zip", extract="zip"))
    fails_cleanly(isolated_cache, "refusing to extract t.zip.*outside the target folder")
    assert not (isolated_cache / "datasets" / "evil.txt").exists()


@pytest.mark.parametrize("case", EVIL_TARS)
def test_tar_members_escaping_the_folder_are_refused(case, server, use_registry, isolated_cache):
    data = make_tar(EVIL_TARS[case])
    use_registry(entry("t", server.serve("/evil.tgz", data), data=data, filename="t.tar.gz", extract="tar"))
    fails_cleanly(isolated_cache, "refusing to extract t.tar.gz.*outside the target folder")


def test_safe_extract_refuses_before_writing_anything(tmp_path):
    archive = tmp_path / "evil.zip"
    archive.write_bytes(make_zip(EVIL_ZIPS["dot-dot"]))
    target = tmp_path / "out" / "x"
    with pytest.raises(datasets.DatasetError, match=r"'\.\./evil\.txt'.*climbs out"):
        datasets.safe_extract(archive, target)
    assert list((tmp_path / "out").iterdir()) == [] and not (tmp_path / "out" / "evil.txt").exists()


def test_safe_extract_replaces_an_old_extraction(tmp_path):
    archive = tmp_path / "a.tar"
    archive.write_bytes(make_tar([("new.txt", b"new", None)]))
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old")
    datasets.safe_extract(archive, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tar", "out"]
    assert [p.name for p in target.iterdir()] == ["new.txt"]


def test_safe_extract_checks_its_paths_first(tmp_path):
    with pytest.raises(FileNotFoundError, match="archive: no such file: .*missing.zip"):
        datasets.safe_extract(tmp_path / "missing.zip", tmp_path / "out")
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("x.txt", "x")
    with pytest.raises(TypeError, match="target must be a file path"):
        datasets.safe_extract(archive, None)
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(ValueError, match="target .*a-file is a file"):
        datasets.safe_extract(archive, tmp_path / "a-file")
    with pytest.raises(ValueError, match="lies inside target"):
        datasets.safe_extract(archive, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "a.zip"], "refused calls write nothing"


# ----------------------------------------------------------------------------------------------------
# Loaders


def test_load_astronaut_is_float32_rgb_in_unit_range():
    img = datasets.load_astronaut()
    assert img.shape == (512, 512, 3) and img.dtype == np.float32
    assert 0.0 <= img.min() and img.max() <= 1.0 and img.max() > 0.9


def test_load_lfw_subset_has_100_faces_then_100_non_faces():
    images, labels = datasets.load_lfw_subset()
    assert images.shape == (200, 25, 25) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert labels.tolist() == [1] * 100 + [0] * 100


def test_load_synthetic_faces_shapes_distinct_identities_and_determinism():
    a = datasets.load_synthetic_faces(n=6, size=32, seed=3)
    images, landmarks, masks, seeds = a
    assert images.shape == (6, 32, 32, 3) and images.dtype == np.float32
    assert landmarks.shape == (6, 68, 2) and masks.shape == (6, 32, 32)
    assert len(set(seeds.tolist())) == 6
    b = datasets.load_synthetic_faces(n=6, size=32, seed=3)
    assert np.array_equal(a.images, b.images) and np.array_equal(a.seeds, b.seeds)
    assert not np.array_equal(a.seeds, datasets.load_synthetic_faces(n=6, size=32, seed=4).seeds)


@pytest.mark.parametrize("kwargs, match", [({"n": 0}, "positive integer"), ({"size": 8}, "16 to 256"),
                                           ({"seed": -1}, "non-negative")])
def test_load_synthetic_faces_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        datasets.load_synthetic_faces(**kwargs)


def test_load_synthetic_faces_names_the_people_it_drew():
    faces = datasets.load_synthetic_faces(n=3, size=32, seed=5)
    people = faces.identities()
    assert [p.seed for p in people] == faces.seeds.tolist()
    assert people == [synth.identity(int(s)) for s in faces.seeds], "face i shows synth.identity(seeds[i])"


def test_non_faces_keep_the_faces_colours_and_size_but_not_a_face():
    faces = datasets.load_synthetic_faces(n=8, size=32, seed=1).images
    fakes = datasets.non_faces(faces, seed=0)
    assert fakes.shape == faces.shape and fakes.dtype == np.float32
    assert 0.0 <= fakes.min() and fakes.max() <= 1.0
    assert np.array_equal(fakes[1], faces[1][::-1, ::-1]), "every fourth image is the face upside down and mirrored"
    assert np.allclose(np.sort(fakes[0].ravel()), np.sort(faces[0].ravel())), "shuffled tiles keep the pixels"
    assert np.array_equal(fakes, datasets.non_faces(faces, seed=0)), "the same seed gives the same images"
    with pytest.raises(ValueError, match="non_faces: images"):
        datasets.non_faces(faces[0])


def test_aligned_faces_gives_crops_masks_and_landmarks_at_the_asked_size():
    people = [synth.identity(k) for k in range(3)]
    images, masks, landmarks = datasets.aligned_faces(people, synth.random_states(3, seed=2), 32, 1.5, seed=2)
    assert images.shape == (3, 32, 32, 3) and masks.shape == (3, 32, 32) and landmarks.shape == (3, 68, 2)
    assert masks[:, 16, 16].min() > 0.5, "the aligned crop is centred on the face"


def save_png(path, rgb, size=(40, 30)):
    from PIL import Image

    Image.new("RGB", size, rgb).save(path)


def test_load_folder_reads_pngs_and_jpgs_skipping_unreadable_files(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(datasets, "_CONSENT_SHOWN", False)
    save_png(tmp_path / "b.png", (0, 0, 255))
    save_png(tmp_path / "a.jpg", (255, 0, 0))
    (tmp_path / "broken.png").write_bytes(b"not an image")
    (tmp_path / "notes.txt").write_text("ignored")
    with pytest.warns(UserWarning, match="skipped broken.png"):
        images = datasets.load_folder(tmp_path)
    assert images.shape == (2, 30, 40, 3) and images.dtype == np.float32
    assert images[0, 0, 0, 0] > 0.9 and images[1, 0, 0, 2] > 0.9  # sorted by name: a.jpg (red), b.png (blue)
    assert "only use photos of people who agreed" in capsys.readouterr().out
    with pytest.warns(UserWarning):
        datasets.load_folder(tmp_path)
    assert "Consent" not in capsys.readouterr().out  # the reminder shows once


def test_load_folder_resizes_mixed_sizes_or_asks_for_size(tmp_path):
    save_png(tmp_path / "a.png", (10, 20, 30), size=(40, 30))
    save_png(tmp_path / "b.png", (10, 20, 30), size=(64, 64))
    with pytest.raises(ValueError, match="different sizes.*pass size="):
        datasets.load_folder(tmp_path)
    assert datasets.load_folder(tmp_path, size=16).shape == (2, 16, 16, 3)


def test_load_folder_empty_or_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="holds no .jpg or .png files"):
        datasets.load_folder(tmp_path)
    with pytest.raises(ValueError, match="is not a folder"):
        datasets.load_folder(tmp_path / "nowhere")


def test_load_celeba_reads_the_first_images_without_extracting(server, use_registry, isolated_cache, capsys):
    from PIL import Image

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, colour in [("000003.jpg", (0, 0, 255)), ("000001.jpg", (255, 0, 0)), ("000002.jpg", (0, 255, 0))]:
            jpg = io.BytesIO()
            Image.new("RGB", (178, 218), colour).save(jpg, "JPEG")
            zf.writestr(f"img_align_celeba/{name}", jpg.getvalue())
    data = buf.getvalue()
    e = entry("celeba-aligned", server.serve("/img_align_celeba.zip", data), data=data,
              filename="img_align_celeba.zip", opt_in=True, consent="Used only for detection exercises.")
    use_registry(e)
    images = datasets.load_celeba(n=2, size=32)
    assert images.shape == (2, 32, 32, 3) and images.dtype == np.float32
    assert images[0, ..., 0].mean() > 0.9 and images[1, ..., 1].mean() > 0.9  # 000001 (red), then 000002 (green)
    assert "detection exercises" in capsys.readouterr().out  # the terms are shown before the opt-in download
    assert sorted(listing(isolated_cache / "datasets" / "celeba-aligned")) == ["img_align_celeba.zip"]
