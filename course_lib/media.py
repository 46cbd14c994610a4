"""Video and audio in and out: H.264/AAC mp4 files that browsers play, and notebook display (lab 00).

Writing goes through imageio-ffmpeg's own ffmpeg (libx264 for video, AAC for audio, ``yuv420p`` and
``+faststart`` so that every browser plays the file inline). Files are written atomically
(``files.atomic_path``): a temporary file beside the target is renamed into place only once ffmpeg has
finished. Reading checks that the file exists before ffmpeg runs, and says so when ffmpeg cannot read it.
"""
from __future__ import annotations

import base64
import io
import re
import subprocess
from pathlib import Path

import numpy as np

from .files import as_path, atomic_path, existing_file, temporary_folder
from .validate import FPS, SAMPLE_RATE, check_audio, check_image, check_images, check_scalar, to_uint8  # noqa: F401


def ffmpeg_exe() -> str:
    """Path of the ffmpeg that imageio-ffmpeg ships (lab 00)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def write_wav(path, audio, sr: int = SAMPLE_RATE) -> Path:
    """Write mono 16-bit PCM WAV, atomically (lab 00)."""
    from scipy.io import wavfile

    audio = check_audio(audio, sr)
    path = as_path(path)
    with atomic_path(path) as tmp:
        wavfile.write(tmp, sr, (np.clip(audio, -1, 1) * 32767).astype(np.int16))
    return path


def _upscale(frames: np.ndarray, min_size: int) -> np.ndarray:
    h, w = frames.shape[1:3]
    k = int(np.ceil(min_size / min(h, w))) if min(h, w) < min_size else 1
    if k > 1:
        frames = frames.repeat(k, axis=1).repeat(k, axis=2)
    h, w = frames.shape[1:3]
    pad_h, pad_w = (-h) % 2, (-w) % 2  # yuv420p needs even sizes
    if pad_h or pad_w:
        frames = np.pad(frames, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    return frames


def write_mp4(path, frames, audio=None, fps: int = FPS, sr: int = SAMPLE_RATE, min_size: int = 128,
              crf: int = 18) -> Path:
    """Write frames (T×H×W×3 in [0, 1]) and optional 16 kHz audio as an H.264/AAC mp4 (lab 00).

    Frames smaller than ``min_size`` are enlarged by whole-pixel repetition, so that players show sharp
    pixels instead of blurring a 64×64 video.
    """
    import imageio_ffmpeg

    frames = check_images(frames, "write_mp4: frames")
    if not len(frames):
        raise ValueError("write_mp4: frames is empty; a video needs at least one frame")
    fps = check_scalar(fps, "fps", int, min_val=1, max_val=120, fn="write_mp4")
    min_size = check_scalar(min_size, "min_size", int, min_val=1, max_val=4096, fn="write_mp4")
    crf = check_scalar(crf, "crf", int, min_val=0, max_val=51, fn="write_mp4")  # x264's quality scale
    audio = None if audio is None else check_audio(audio, sr, "write_mp4: audio")
    u8 = to_uint8(_upscale(frames, min_size))
    path = as_path(path)
    with temporary_folder(prefix="deepfake-lab-mp4-") as tmp_dir, atomic_path(path) as tmp_video:
        wav = None
        if audio is not None:
            wav = write_wav(tmp_dir / "audio.wav", audio, sr)
        writer = imageio_ffmpeg.write_frames(
            str(tmp_video), (u8.shape[2], u8.shape[1]), fps=fps, codec="libx264", macro_block_size=2,
            output_params=["-crf", str(crf), "-preset", "veryfast", "-movflags", "+faststart"]
            + (["-shortest"] if wav else []),
            audio_path=str(wav) if wav else None, audio_codec="aac" if wav else None, ffmpeg_log_level="error",
        )
        writer.send(None)
        try:
            for frame in u8:
                writer.send(np.ascontiguousarray(frame))
        except BaseException:
            try:  # imageio-ffmpeg kills ffmpeg at once on KeyboardInterrupt, so no process is orphaned
                writer.throw(KeyboardInterrupt)
            except KeyboardInterrupt:
                pass
            raise
        writer.close()
    return path


def _ffmpeg_error(stderr: str, path: Path) -> str:
    """ffmpeg's complaint about ``path``: its last line, without the path it repeats."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip() and "At least one output" not in ln]
    last = lines[-1] if lines else "no output"
    return last.replace(f"{path}: ", "").replace(str(path), "the file")[:200]


def probe(path) -> dict:
    """Codecs, size, frame rate and duration of a media file, read from ffmpeg's report (lab 00)."""
    path = existing_file(path, what="media file")  # before ffmpeg, whose own error is a page of banner
    res = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True)
    text = res.stderr
    if "Stream #" not in text:
        raise ValueError(f"probe: ffmpeg cannot read {path} as audio or video ({_ffmpeg_error(text, path)}); "
                         "check that it is a media file and not damaged")
    info: dict = {"video_codec": None, "audio_codec": None}
    m = re.search(r"Stream .*Video: (\w+).*?, (\d+)x(\d+).*?, ([\d.]+) fps", text)
    if m:
        info.update(video_codec=m.group(1), width=int(m.group(2)), height=int(m.group(3)), fps=float(m.group(4)))
    m = re.search(r"Stream .*Audio: (\w+).*?, (\d+) Hz", text)
    if m:
        info.update(audio_codec=m.group(1), sample_rate=int(m.group(2)))
    m = re.search(r"Duration: (\d+):(\d+):([\d.]+)", text)
    if m:
        info["duration"] = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    return info


def read_audio(path, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Decode the audio track of any media file to mono float32 at ``sr`` (labs 05 and 08)."""
    path = existing_file(path, what="media file")
    sr = check_scalar(sr, "sr", int, min_val=1000, max_val=192_000, fn="read_audio")
    res = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(sr), "-f", "s16le", "-"],
                         capture_output=True)
    if res.returncode != 0:
        raise ValueError(f"could not read audio from {path}: {_ffmpeg_error(res.stderr.decode(errors='replace'), path)}")
    return np.frombuffer(res.stdout, np.int16).astype(np.float32) / 32768.0


def read_video(path, max_frames: int | None = None) -> tuple[np.ndarray, float]:
    """Decode a video file's frames to T×H×W×3 float32 in [0, 1]; returns (frames, fps) (labs 05 and 08)."""
    import imageio_ffmpeg

    path = existing_file(path, what="media file")
    max_frames = check_scalar(max_frames, "max_frames", int, min_val=1, allow_none=True, fn="read_video")
    frames = []
    try:
        gen = imageio_ffmpeg.read_frames(str(path))
        meta = next(gen)
        w, h = meta["size"]
        for i, raw in enumerate(gen):
            if max_frames is not None and i >= max_frames:
                break
            frames.append(np.frombuffer(raw, np.uint8).reshape(h, w, 3))
        gen.close()
    except (OSError, RuntimeError, StopIteration, KeyError, ValueError) as exc:
        raise ValueError(f"read_video: ffmpeg cannot read {path} as a video ({_ffmpeg_error(str(exc), path)}); "
                         "check that it is a video file and not damaged") from None
    if not frames:
        raise ValueError(f"read_video: {path} holds no video frames; is it an audio-only file?")
    return np.stack(frames).astype(np.float32) / 255.0, float(meta["fps"])


def video_html(path, width: int = 256, autoplay: bool = False) -> str:
    """An HTML5 <video> tag with the mp4 embedded, so it plays in Jupyter, Colab and exported pages (lab 00)."""
    path = existing_file(path, what="media file")
    width = check_scalar(width, "width", int, min_val=1, fn="video_html")
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    auto = " autoplay" if autoplay else ""
    return (f'<video width="{int(width)}" controls{auto} playsinline style="image-rendering: pixelated">'
            f'<source src="data:video/mp4;base64,{data}" type="video/mp4">'
            "Your browser cannot play this video.</video>")


def show_video(path, width: int = 256):
    """Display an mp4 file inline in the notebook, with sound (lab 00)."""
    from IPython.display import HTML, display

    display(HTML(video_html(path, width)))


def show_audio(audio, sr: int = SAMPLE_RATE):
    """An audio player for a mono signal (lab 00)."""
    from IPython.display import Audio, display

    display(Audio(check_audio(audio, sr), rate=sr, normalize=False))


def png_bytes(img, scale: int = 1) -> bytes:
    """PNG-encode an RGB image in [0, 1], enlarged by a whole factor (lab 00; for ipywidgets.Image)."""
    import imageio.v3 as iio

    u8 = to_uint8(check_image(img))
    scale = check_scalar(scale, "scale", int, min_val=1, max_val=64, fn="png_bytes")
    if scale > 1:
        u8 = u8.repeat(scale, 0).repeat(scale, 1)
    buf = io.BytesIO()
    iio.imwrite(buf, u8, extension=".png")
    return buf.getvalue()


def show_images(images, titles=None, ncols: int | None = None, size: float = 1.6, suptitle: str | None = None):
    """Show a batch of images in a matplotlib grid with optional titles (lab 00)."""
    import matplotlib.pyplot as plt

    imgs = check_images(images)
    n = len(imgs)
    if not n:
        raise ValueError("show_images: images is empty; give at least one image")
    ncols = check_scalar(ncols, "ncols", int, min_val=1, allow_none=True, fn="show_images") or min(n, 8)
    size = check_scalar(size, "size", float, min_val=0.0, max_val=20.0, include_boundaries="right", fn="show_images")
    if titles is not None and (isinstance(titles, str) or not hasattr(titles, "__len__") or len(titles) != n):
        raise ValueError(f"show_images: titles must be a list of {n} titles, one per image, got {titles!r:.60}")
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if suptitle else 0)),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for i, img in enumerate(imgs):
        ax = axes.ravel()[i]
        ax.imshow(img, interpolation="nearest")
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    plt.show()  # returns nothing, so a cell ending with this call does not draw the figure twice
