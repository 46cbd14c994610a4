"""course_lib.media: browser-playable H.264/AAC mp4s written atomically, decoding, and notebook display helpers."""
import base64
import io
import subprocess

import numpy as np
import pytest

from course_lib import media

FPS, SR = 25, 16_000


def moving_frames(n=25, h=32, w=32, seed=0):
    """Smooth, moving test frames (blocky noise compresses badly and would blur the comparison)."""
    ys, xs = np.mgrid[0:h, 0:w] / max(h, w)
    rng = np.random.default_rng(seed)
    base = rng.uniform(0.2, 0.8, 3)
    frames = [
        np.clip(np.stack([base[0] + 0.3 * np.sin(2 * np.pi * (xs + i / n)),
                          base[1] + 0.3 * np.cos(2 * np.pi * (ys - i / n)),
                          base[2] + 0.2 * np.sin(2 * np.pi * (xs + ys))], -1), 0, 1)
        for i in range(n)
    ]
    return np.array(frames, np.float32)


def tone(seconds=1.0, freq=440.0):
    t = np.arange(int(seconds * SR)) / SR
    return (0.5 * np.sin(2 * np.pi * freq * t) * np.sin(np.pi * t / seconds)).astype(np.float32)


def ffmpeg_report(path) -> str:
    return subprocess.run([media.ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """One second of 32×32 video with a tone, written once for the read-back tests."""
    frames, audio = moving_frames(), tone(1.0)
    path = media.write_mp4(tmp_path_factory.mktemp("mp4") / "clip.mp4", frames, audio)
    return path, frames, audio


# ------------------------------------------------------------------------------------------- write


def test_write_mp4_makes_browser_playable_h264_aac(written):
    path, frames, _ = written
    info = media.probe(path)
    assert info["video_codec"] == "h264", f"browsers need H.264 video, got {info['video_codec']}"
    assert info["audio_codec"] == "aac", f"browsers need AAC audio, got {info['audio_codec']}"
    assert info["fps"] == 25.0 and info["sample_rate"] == SR, f"25 fps and 16 kHz, got {info}"
    assert abs(info["duration"] - 1.0) <= 0.1, f"1 s of frames should give a 1 s file, got {info['duration']}"
    assert "yuv420p" in ffmpeg_report(path), "browsers need the yuv420p pixel format"


def test_small_frames_are_enlarged_by_whole_pixels(written):
    path, *_ = written
    info = media.probe(path)
    assert (info["width"], info["height"]) == (128, 128), f"32 px frames should become 128 px (4×), got {info}"


@pytest.mark.parametrize("h,w,min_size,expected", [(33, 45, 16, (34, 46)), (48, 48, 128, (144, 144)),
                                                   (130, 131, 128, (130, 132))])
def test_video_sizes_are_even_and_whole_multiples(tmp_path, h, w, min_size, expected):
    path = media.write_mp4(tmp_path / "v.mp4", moving_frames(3, h, w), min_size=min_size)
    info = media.probe(path)
    assert (info["height"], info["width"]) == expected, f"{h}×{w} with min_size={min_size} should be {expected}, got {info}"
    assert info["width"] % 2 == 0 and info["height"] % 2 == 0, "yuv420p needs even sizes"
    assert info["audio_codec"] is None, "without audio the file has no audio stream"


def test_written_video_decodes_back_to_the_frames(written):
    path, frames, _ = written
    decoded, fps = media.read_video(path)
    assert fps == 25.0 and decoded.dtype == np.float32, f"got fps {fps}, dtype {decoded.dtype}"
    assert decoded.shape == (25, 128, 128, 3), f"25 frames of 128×128 expected, got {decoded.shape}"
    k = 4
    down = decoded.reshape(25, 32, k, 32, k, 3).mean((2, 4))  # undo the whole-pixel enlargement
    err = np.abs(down - frames).mean()
    assert err < 0.03, f"decoded frames should be close to the originals (mean abs error {err:.4f})"
    assert decoded.min() >= 0 and decoded.max() <= 1, "decoded frames lie in [0, 1]"


def test_read_video_max_frames(written):
    path, *_ = written
    decoded, _ = media.read_video(path, max_frames=5)
    assert len(decoded) == 5, f"max_frames=5 should give 5 frames, got {len(decoded)}"


def test_read_audio_gets_the_sound_back(written):
    path, _, audio = written
    back = media.read_audio(path)
    assert back.dtype == np.float32 and back.ndim == 1, "read_audio gives mono float32"
    assert abs(len(back) - len(audio)) <= 0.05 * SR, f"about 1 s of audio expected, got {len(back) / SR:.3f} s"
    n = min(len(back), len(audio))
    cc = np.correlate(back[:n], audio[:n], "full")
    lag = int(np.argmax(cc)) - (n - 1)
    a, b = (audio[: n - lag], back[lag:n]) if lag >= 0 else (audio[-lag:n], back[: n + lag])
    r = np.corrcoef(a, b)[0, 1]
    assert abs(lag) <= 0.02 * SR and r > 0.95, f"the decoded audio should match the original (lag {lag}, r {r:.3f})"


def test_read_audio_of_a_non_media_file_says_so(tmp_path):
    bad = tmp_path / "not.mp4"
    bad.write_text("hello")
    with pytest.raises(ValueError, match="could not read audio"):
        media.read_audio(bad)


def test_write_mp4_creates_folders_and_replaces_an_existing_file(tmp_path):
    target = tmp_path / "a" / "b" / "out.mp4"
    media.write_mp4(target, moving_frames(3))
    first = target.read_bytes()
    media.write_mp4(target, moving_frames(6))
    assert target.read_bytes() != first and media.probe(target)["duration"] == pytest.approx(6 / FPS, abs=0.05), (
        "writing again should replace the old video with the new one"
    )
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.mp4"], "no temporary files may be left behind"


def test_clip_write_uses_the_same_format(tmp_path):
    from course_lib import synth

    clip = synth.talking_clip(synth.cast("ada"), "Hi.", seconds=0.8, size=16, seed=0)
    info = media.probe(clip.write(tmp_path / "clip.mp4"))
    assert info["video_codec"] == "h264" and info["audio_codec"] == "aac" and abs(info["duration"] - 0.8) <= 0.1, (
        f"Clip.write should make the same browser-playable mp4, got {info}"
    )


def test_write_mp4_validates_its_input(tmp_path):
    with pytest.raises(ValueError, match="img\\[None\\]"):
        media.write_mp4(tmp_path / "x.mp4", moving_frames(1)[0])
    with pytest.raises(ValueError, match="divide by 255"):
        media.write_mp4(tmp_path / "x.mp4", moving_frames(2) * 255)
    with pytest.raises(ValueError, match="fps must be an integer"):
        media.write_mp4(tmp_path / "x.mp4", moving_frames(2), fps=29.97)
    with pytest.raises(ValueError, match="resample"):
        media.write_mp4(tmp_path / "x.mp4", moving_frames(2), tone(0.1), sr=44100)
    assert list(tmp_path.iterdir()) == [], "rejected input must not leave files behind"


# ------------------------------------------------------------------------------------------ atomic


def _failing_write_frames(real, fail_after):
    """imageio_ffmpeg.write_frames that breaks after a few frames, the way a dying ffmpeg does."""

    def write_frames(*args, **kwargs):
        inner = real(*args, **kwargs)

        def gen():
            inner.send(None)
            sent = 0
            try:
                while True:
                    frame = yield
                    sent += 1
                    if sent > fail_after:
                        raise OSError("simulated: ffmpeg stopped accepting frames")
                    inner.send(frame)
            finally:
                inner.close()

        return gen()

    return write_frames


@pytest.mark.parametrize("with_audio", [False, True])
def test_a_failed_write_leaves_no_file_and_no_temporaries(tmp_path, monkeypatch, with_audio):
    import imageio_ffmpeg

    monkeypatch.setattr(imageio_ffmpeg, "write_frames", _failing_write_frames(imageio_ffmpeg.write_frames, 3))
    target = tmp_path / "out.mp4"
    with pytest.raises(OSError, match="simulated"):
        media.write_mp4(target, moving_frames(10), tone(0.4) if with_audio else None)
    assert not target.exists(), "a write that fails midway must not leave a partial mp4 at the target"
    assert list(tmp_path.iterdir()) == [], f"no temporary files may be left: {list(tmp_path.iterdir())}"


def test_a_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    import imageio_ffmpeg

    target = media.write_mp4(tmp_path / "out.mp4", moving_frames(4))
    before = target.read_bytes()
    monkeypatch.setattr(imageio_ffmpeg, "write_frames", _failing_write_frames(imageio_ffmpeg.write_frames, 2))
    with pytest.raises(OSError):
        media.write_mp4(target, moving_frames(10))
    assert target.read_bytes() == before, "a failed overwrite must leave the old video intact"
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"], "no temporary files may be left"


def test_write_wav_round_trips_through_read_audio(tmp_path):
    audio = tone(0.5)
    path = media.write_wav(tmp_path / "a.wav", audio)
    back = media.read_audio(path)
    assert len(back) == len(audio) and np.abs(back - audio).max() < 2e-4, "16-bit WAV should round-trip closely"
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"], "no temporary file may be left"


def test_probe_of_a_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such media file"):
        media.probe(tmp_path / "missing.mp4")


def test_probe_of_a_file_ffmpeg_cannot_read_raises(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("these are not frames")
    with pytest.raises(ValueError, match="probe: ffmpeg cannot read .*notes.mp4 as audio or video"):
        media.probe(bad)


@pytest.mark.parametrize("read", [media.read_video, media.video_html, media.read_audio])
def test_reading_a_missing_file_says_so_before_ffmpeg_runs(tmp_path, read, capfd):
    with pytest.raises(FileNotFoundError, match="no such media file: .*missing.mp4"):
        read(tmp_path / "missing.mp4")
    assert "ffmpeg version" not in capfd.readouterr().err, "ffmpeg's banner must not reach the learner"


def test_read_video_of_a_non_video_says_so(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("these are not frames")
    with pytest.raises(ValueError, match="read_video: ffmpeg cannot read .*notes.mp4 as a video"):
        media.read_video(bad)
    with pytest.raises(ValueError, match="read_video: max_frames must be a positive integer"):
        media.read_video(bad, max_frames=0)


def test_read_and_show_refuse_a_path_that_is_not_a_path():
    with pytest.raises(TypeError, match="path must be a file path"):
        media.read_video(None)
    with pytest.raises(TypeError, match="path must be a file path"):
        media.video_html(3)


def test_write_wav_errors_name_the_users_path(tmp_path):
    folder = tmp_path / "voices"
    folder.mkdir()
    with pytest.raises(OSError) as info:
        media.write_wav(folder, tone(0.1))
    assert str(folder) in str(info.value) and ".tmp" not in str(info.value), str(info.value)
    assert list(folder.iterdir()) == [], "the failed write must leave nothing behind"


def test_clip_show_leaves_no_temporary_folder_behind(tmp_path, monkeypatch):
    import tempfile

    from course_lib import synth

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    shown = []
    monkeypatch.setattr(media, "show_video", lambda path, width=256: shown.append(media.video_html(path, width)))
    clip = synth.talking_clip(synth.cast("ada"), "Hi.", seconds=0.4, size=16, seed=0)
    assert clip.show() is None and len(shown) == 1 and "base64," in shown[0], "the clip is embedded and shown"
    assert list(tmp_path.iterdir()) == [], f"Clip.show must remove its temporary mp4: {list(tmp_path.iterdir())}"
    kept = clip.show(tmp_path / "keep.mp4")
    assert kept == tmp_path / "keep.mp4" and kept.is_file(), "a path given to show keeps the mp4 there"


# ----------------------------------------------------------------------------------------- display


def test_to_uint8_rounds_and_clips():
    out = media.to_uint8(np.array([-0.5, 0.0, 0.5, 1.0, 2.0]))
    assert out.dtype == np.uint8 and out.tolist() == [0, 0, 128, 255, 255], f"got {out.tolist()}"


def test_png_bytes_returns_a_png_of_the_right_size():
    import imageio.v3 as iio

    img = moving_frames(1, 10, 12)[0]
    data = media.png_bytes(img, scale=3)
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "png_bytes should return PNG data"
    decoded = iio.imread(io.BytesIO(data), extension=".png")
    assert decoded.shape == (30, 36, 3), f"scale=3 should enlarge 10×12 to 30×36, got {decoded.shape}"
    assert np.array_equal(decoded[::3, ::3], media.to_uint8(img)), "the PNG holds the image's pixels, exactly"


def test_png_bytes_validates_the_image():
    with pytest.raises(ValueError, match="transpose"):
        media.png_bytes(np.zeros((3, 16, 16), np.float32))


def test_video_html_embeds_the_mp4(written):
    path, *_ = written
    html = media.video_html(path, width=200, autoplay=True)
    assert '<source src="data:video/mp4;base64,' in html, "the video should be embedded as a data: URL"
    assert 'width="200"' in html and "autoplay" in html and "controls" in html, "width, autoplay and controls are set"
    data = html.split("base64,", 1)[1].split('"', 1)[0]
    assert base64.b64decode(data) == path.read_bytes(), "the embedded data should be the mp4 file itself"
    assert "autoplay" not in media.video_html(path), "no autoplay unless asked"


def test_show_images_draws_a_figure_with_titles():
    import matplotlib.pyplot as plt

    assert media.show_images(moving_frames(3, 8, 8), titles=["a", "b", "c"], ncols=2, suptitle="demo") is None, \
        "show_images must return nothing, or a cell ending with it draws the figure twice"
    fig = plt.gcf()
    try:
        titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
        assert titles == ["a", "b", "c"] and len(fig.axes) == 4, f"3 images in a 2×2 grid, got {titles}"
    finally:
        plt.close(fig)
