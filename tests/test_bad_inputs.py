"""Bad input to course_lib's public calls: a clear error that names the argument, never a silent result (issue 10).

Three promises, checked on a committed table of hand-picked bad inputs (``BAD_INPUTS``) and on inputs
that hypothesis draws:

* every bad input raises ``ValueError``/``TypeError`` (or a course_lib error) whose message names the argument;
* no exception comes from inside numpy, torch, cv2, scipy or skimage: the raising frame is course_lib's own;
* no NaN comes back from finite input, and no result comes back from invalid input.

The module stays fast (a few seconds on one core): objects are tiny and every bad call fails before real work.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib
import math
import traceback
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib import checkpoints, faces, forensics, gan, swap, synth, validate, widgets

COURSE_LIB = Path(validate.__file__).resolve().parent
STATE_RANGES = importlib.import_module("course_lib.synth.face").STATE_RANGES
FACE_RANGES = importlib.import_module("course_lib.synth.identity").FACE_RANGES
LIBRARIES = ("numpy", "torch", "cv2", "scipy", "skimage", "PIL", "imageio")
NAN, INF = float("nan"), float("inf")

# derandomize: the same examples on every run, so CI is repeatable; small, so the module stays fast
FAST = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


# ------------------------------------------------------------------------------------------- objects


@functools.cache
def face():
    """A 64×64 render of ada: (image, landmarks, mask)."""
    return synth.render(synth.cast("ada"), size=64)


def IMG():
    return face()[0]


def PTS():
    return face()[1]


def MASK():
    return face()[2]


@functools.cache
def model():
    return swap.SwapModel(swap.PAIR, size=32, width=4, latent=4)


@functools.cache
def crops32():
    return np.random.default_rng(0).random((2, 32, 32, 3), dtype=np.float32)


@functools.cache
def tiny_sets():
    return {name: swap.face_set(name, 2, size=32) for name in swap.PAIR}


@functools.cache
def G():
    return gan.Generator(latent=8, filters=4, size=32)


@functools.cache
def D():
    return gan.Discriminator(filters=4, size=32)


def tiny_settings(**changes):
    return gan.GANSettings(size=32, latent=8, g_filters=4, d_filters=4, batch=2, n_train=4, steps=1, **changes)


def z8(n=2):
    return gan.latent(n, 0, 8)


def faces32(n=6):
    return np.random.default_rng(1).random((n, 32, 32, 3), dtype=np.float32)


def with_nan(arr, where=(0,)):
    arr = np.array(arr, np.float32, copy=True)
    arr[where] = np.nan
    return arr


ADA = synth.cast("ada")
N = synth.NEUTRAL

# ---------------------------------------------------------------------------------------- the table
# (what is called, the call, a word the message must contain: the argument's name or the fix)

BAD_INPUTS = [
    # validate: the checkers themselves
    ("check_scalar str", lambda: validate.check_scalar("64x64", "size"), "size"),
    ("check_scalar bool", lambda: validate.check_scalar(True, "n"), "n"),
    ("check_scalar nan", lambda: validate.check_scalar(NAN, "rate", float), "rate"),
    ("check_scalar inf", lambda: validate.check_scalar(INF, "rate", float), "rate"),
    ("check_scalar fraction", lambda: validate.check_scalar(2.5, "n"), "round(x)"),
    ("check_scalar below", lambda: validate.check_scalar(-1, "n", min_val=0), "non-negative"),
    ("check_scalar above", lambda: validate.check_scalar(9, "n", max_val=3), "n"),
    ("check_scalar open bound", lambda: validate.check_scalar(0.0, "lr", float, min_val=0, include_boundaries="right"), "lr"),
    ("check_scalar None", lambda: validate.check_scalar(None, "n"), "n"),
    ("check_scalar list", lambda: validate.check_scalar([1], "n"), "n"),
    ("check_scalar boundaries", lambda: validate.check_scalar(1, "n", include_boundaries="all"), "include_boundaries"),
    ("check_shape str", lambda: validate.check_shape("64x64"), "shape"),
    ("check_shape short", lambda: validate.check_shape((64,)), "shape"),
    ("check_shape negative", lambda: validate.check_shape((64, -1)), "shape[1]"),
    ("check_shape fraction", lambda: validate.check_shape((64.5, 64)), "shape[0]"),
    ("check_shape channels", lambda: validate.check_shape((64, 64, 7)), "shape"),
    ("check_seed negative", lambda: validate.check_seed(-1), "seed"),
    ("check_seed bool", lambda: validate.check_seed(True), "seed"),
    ("check_seed str", lambda: validate.check_seed("3"), "seed"),
    ("check_seed float", lambda: validate.check_seed(1.0), "seed"),
    ("check_object None", lambda: validate.check_object(None, "model", dict, "somewhere"), "model"),
    ("check_finite str", lambda: validate.check_finite("abc", "x"), "x"),
    ("check_finite nan", lambda: validate.check_finite([1.0, NAN], "x"), "x"),
    ("check_image str", lambda: validate.check_image("abc"), "image"),
    ("check_images None", lambda: validate.check_images(None), "images"),
    ("check_mask nan", lambda: validate.check_mask(with_nan(np.ones((8, 8)))), "mask"),
    ("check_landmarks inf", lambda: validate.check_landmarks(np.full((68, 2), INF)), "landmarks"),
    ("check_audio nan", lambda: validate.check_audio(with_nan(np.zeros(10))), "audio"),
    ("check_audio sr str", lambda: validate.check_audio(np.zeros(10, np.float32), sr="16k"), "sr"),
    ("check_numbers", lambda: validate.check_numbers([N], {"yaw": (0, 1, 3)}, "f"), "yaw"),
    ("to_image HWC", lambda: validate.to_image(np.zeros((32, 32, 3), np.float32)), "H×W×3"),
    ("to_image nan", lambda: validate.to_image(torch.full((1, 3, 8, 8), NAN)), "NaN"),
    ("to_image 2-D", lambda: validate.to_image(torch.zeros(4, 4)), "CHW"),
    ("to_image str", lambda: validate.to_image("abc"), "tensor"),
    ("to_uint8 nan", lambda: validate.to_uint8(np.array([0.5, NAN])), "NaN"),
    ("to_uint8 str", lambda: validate.to_uint8("abc"), "img"),
    ("to_tensor NCHW", lambda: validate.to_tensor(np.zeros((2, 3, 8, 8), np.float32)), "NCHW"),
    ("to_tensor nan", lambda: validate.to_tensor(with_nan(np.zeros((1, 8, 8, 3)))), "NaN"),
    ("to_tensor None", lambda: validate.to_tensor(None), "images"),
    ("to_tensor 0-255", lambda: validate.to_tensor(np.full((1, 8, 8, 3), 200.0, np.float32)), "divide by 255"),
    ("evaluating None", lambda: validate.evaluating(None).__enter__(), "model"),
    # synth: identities
    ("identity seed -1", lambda: synth.identity(-1), "seed"),
    ("identity seed 1.5", lambda: synth.identity(1.5), "seed"),
    ("identity seed str", lambda: synth.identity("1"), "seed"),
    ("identity face_width nan", lambda: synth.identity(1, face_width=NAN), "face_width"),
    ("identity face_width negative", lambda: synth.identity(1, face_width=-1.0), "face_width"),
    ("identity skin_tone 2", lambda: synth.identity(1, skin_tone=2.0), "skin_tone"),
    ("identity skin_tone str", lambda: synth.identity(1, skin_tone="deep"), "skin_tone"),
    ("identity skin short", lambda: synth.identity(1, skin=(1.0, 1.0)), "skin"),
    ("identity shirt nan", lambda: synth.identity(1, shirt=(NAN, 0.1, 0.1)), "shirt"),
    ("identity glasses str", lambda: synth.identity(1, glasses="yes"), "glasses"),
    ("identity voice f0 nan", lambda: synth.identity(1, voice=dict(f0=NAN)), "f0"),
    ("identity voice f0 negative", lambda: synth.identity(1, voice=dict(f0=-5.0)), "f0"),
    ("identity voice str", lambda: synth.identity(1, voice="deep"), "voice"),
    ("identity hair_style", lambda: synth.identity(1, hair_style="mohawk"), "hair_style"),
    ("identity unknown field", lambda: synth.identity(1, nose=1.0), "nose"),
    ("with_overrides None", lambda: synth.with_overrides(None, smile=1), "ident"),
    ("cast int", lambda: synth.cast(3), "name"),
    ("cast unknown", lambda: synth.cast("zed"), "cast member"),
    ("skin_color nan", lambda: synth.skin_color(NAN), "tone"),
    ("skin_color str", lambda: synth.skin_color("dark"), "tone"),
    # synth: states and rendering
    ("render yaw nan", lambda: synth.render(ADA, yaw=NAN), "yaw"),
    ("render yaw inf", lambda: synth.render(ADA, yaw=INF), "yaw"),
    ("render yaw str", lambda: synth.render(ADA, yaw="left"), "yaw"),
    ("render pitch 10", lambda: synth.render(ADA, pitch=10.0), "pitch"),
    ("render mouth_open -1", lambda: synth.render(ADA, mouth_open=-1.0), "mouth_open"),
    ("render exposure 0", lambda: synth.render(ADA, exposure=0.0), "exposure"),
    ("render scale -1", lambda: synth.render(ADA, scale=-1.0), "scale"),
    ("render noise nan", lambda: synth.render(ADA, noise=NAN), "noise"),
    ("render background short", lambda: synth.render(ADA, background=(1.0, 2.0)), "background"),
    ("render background str", lambda: synth.render(ADA, background="red"), "background"),
    ("render background 2", lambda: synth.render(ADA, background=(2.0, 0.0, 0.0)), "background"),
    ("render jpeg_quality 101", lambda: synth.render(ADA, jpeg_quality=101), "jpeg_quality"),
    ("render jpeg_quality 50.5", lambda: synth.render(ADA, jpeg_quality=50.5), "jpeg_quality"),
    ("render size str", lambda: synth.render(ADA, size="64"), "size"),
    ("render size bool", lambda: synth.render(ADA, size=True), "size"),
    ("render size 8", lambda: synth.render(ADA, size=8), "size"),
    ("render seed -1", lambda: synth.render(ADA, seed=-1), "seed"),
    ("render ident None", lambda: synth.render(None), "ident"),
    ("render ident str", lambda: synth.render("ada"), "ident"),
    ("render state str", lambda: synth.render(ADA, "smile"), "state"),
    ("render unknown field", lambda: synth.render(ADA, grin=1.0), "grin"),
    ("render identity nan", lambda: synth.render(dataclasses.replace(ADA, face_width=NAN)), "face_width"),
    ("render_batch counts", lambda: synth.render_batch([ADA], [N, N]), "states"),
    ("render_batch str", lambda: synth.render_batch("ada", [N, N, N]), "identities"),
    ("render_batch states", lambda: synth.render_batch([ADA], [None]), "states"),
    ("render_batch chunk 0", lambda: synth.render_batch([ADA], [N], chunk=0), "chunk"),
    ("render_batch size 64.0", lambda: synth.render_batch([ADA], [N], size=64.0), "size"),
    ("random_states n -1", lambda: synth.random_states(-1), "n"),
    ("random_states n 2.5", lambda: synth.random_states(2.5), "n"),
    ("random_states n str", lambda: synth.random_states("3"), "n"),
    ("random_states pose nan", lambda: synth.random_states(3, pose=NAN), "pose"),
    ("random_states expression inf", lambda: synth.random_states(3, expression=INF), "expression"),
    ("random_states blink_share 2", lambda: synth.random_states(3, blink_share=2.0), "blink_share"),
    ("random_states seed bool", lambda: synth.random_states(3, seed=True), "seed"),
    # synth: motion and clips
    ("blink_times seconds nan", lambda: synth.blink_times(NAN), "seconds"),
    ("blink_times rate -1", lambda: synth.blink_times(5.0, rate_per_min=-1.0), "rate_per_min"),
    ("blink_times seed -1", lambda: synth.blink_times(5.0, seed=-1), "seed"),
    ("eye_openness n_frames -1", lambda: synth.eye_openness([(0.1, 0.3)], -1), "n_frames"),
    ("eye_openness blinks str", lambda: synth.eye_openness("abc", 10), "blinks"),
    ("eye_openness blink reversed", lambda: synth.eye_openness([(0.3, 0.1)], 10), "blink"),
    ("eye_openness fps 0", lambda: synth.eye_openness([(0.1, 0.3)], 10, fps=0), "fps"),
    ("head_motion n_frames -5", lambda: synth.head_motion(-5), "n_frames"),
    ("head_motion amount nan", lambda: synth.head_motion(10, amount=NAN), "amount"),
    ("head_motion fps 0", lambda: synth.head_motion(10, fps=0), "fps"),
    ("head_motion speech_energy nan", lambda: synth.head_motion(10, speech_energy=[NAN] * 10), "speech_energy"),
    ("sample_text seconds nan", lambda: synth.sample_text(NAN), "seconds"),
    ("sample_text seed -1", lambda: synth.sample_text(5.0, seed=-1), "seed"),
    ("talking_clip ident str", lambda: synth.talking_clip("ada"), "Identity"),
    ("talking_clip seconds nan", lambda: synth.talking_clip(ADA, "hi", seconds=NAN), "seconds"),
    ("talking_clip seconds 0.1", lambda: synth.talking_clip(ADA, "hi", seconds=0.1), "seconds"),
    ("talking_clip size str", lambda: synth.talking_clip(ADA, "hi", size="64"), "size"),
    ("talking_clip motion -1", lambda: synth.talking_clip(ADA, "hi", motion=-1.0), "motion"),
    ("talking_clip noise nan", lambda: synth.talking_clip(ADA, "hi", noise=NAN), "noise"),
    ("talking_clip jpeg_quality 200", lambda: synth.talking_clip(ADA, "hi", jpeg_quality=200), "jpeg_quality"),
    ("talking_clip blink_rate -1", lambda: synth.talking_clip(ADA, "hi", blink_rate=-1.0), "blink_rate"),
    ("talking_clip text int", lambda: synth.talking_clip(ADA, 5), "text"),
    ("talking_clip speech str", lambda: synth.talking_clip(ADA, speech="hello"), "speech"),
    ("talking_clip mouth nan", lambda: synth.talking_clip(ADA, "hi", mouth=[NAN]), "mouth"),
    ("talking_clip background 2", lambda: synth.talking_clip(ADA, "hi", background=(2.0, 0.0, 0.0)), "background"),
    ("talking_clip light nan", lambda: synth.talking_clip(ADA, "hi", light=(NAN, 0.5)), "light"),
    # faces
    ("face_width None", lambda: faces.face_width(None), "landmarks"),
    ("face_width nan", lambda: faces.face_width(with_nan(PTS())), "landmarks"),
    ("eye_aspect_ratio side", lambda: faces.eye_aspect_ratio(PTS(), side="up"), "side"),
    ("mouth_opening str", lambda: faces.mouth_opening("x"), "landmarks"),
    ("template size str", lambda: faces.template(size="64"), "size"),
    ("template size bool", lambda: faces.template(size=True), "size"),
    ("template zoom nan", lambda: faces.template(zoom=NAN), "zoom"),
    ("template zoom str", lambda: faces.template(zoom="2"), "zoom"),
    ("umeyama str", lambda: faces.umeyama("a", "b"), "src"),
    ("umeyama nan", lambda: faces.umeyama(with_nan(PTS()), PTS()), "src"),
    ("transform_points matrix nan", lambda: faces.transform_points(with_nan(np.eye(2, 3)), PTS()), "matrix"),
    ("transform_points matrix 3×3", lambda: faces.transform_points(np.eye(3), PTS()), "matrix"),
    ("transform_points matrix str", lambda: faces.transform_points("M", PTS()), "matrix"),
    ("transform_points pts str", lambda: faces.transform_points(np.eye(2, 3), "pts"), "pts"),
    ("align size 15", lambda: faces.align(IMG(), PTS(), size=15), "size"),
    ("align size 64.0", lambda: faces.align(IMG(), PTS(), size=64.0), "size"),
    ("align zoom 0", lambda: faces.align(IMG(), PTS(), zoom=0.0), "zoom"),
    ("align img None", lambda: faces.align(None, PTS()), "img"),
    ("align landmarks None", lambda: faces.align(IMG(), None), "landmarks"),
    ("align_batch zoom nan", lambda: faces.align_batch(IMG()[None], PTS()[None], zoom=NAN), "zoom"),
    ("align_batch landmarks str", lambda: faces.align_batch(IMG()[None], "x"), "landmarks"),
    ("align_batch masks shape", lambda: faces.align_batch(IMG()[None], PTS()[None], masks=np.ones((1, 5, 5))), "masks"),
    ("triangulate 2 points", lambda: faces.triangulate(np.zeros((2, 2))), "points"),
    ("triangulate str", lambda: faces.triangulate("abc"), "points"),
    ("border_points str", lambda: faces.border_points("64x64"), "shape"),
    ("border_points 0", lambda: faces.border_points((0, 5)), "shape"),
    ("warp_triangles out_shape str", lambda: faces.warp_triangles(IMG(), PTS(), PTS(), out_shape="64x64"), "out_shape"),
    ("warp_triangles out_shape nan", lambda: faces.warp_triangles(IMG(), PTS(), PTS(), out_shape=(64, NAN)), "out_shape"),
    ("warp_triangles triangles str", lambda: faces.warp_triangles(IMG(), PTS(), PTS(), triangles="abc"), "triangles"),
    ("warp_triangles triangles index", lambda: faces.warp_triangles(IMG(), PTS(), PTS(), triangles=np.array([[0, 1, 99]])),
     "triangle"),
    ("hull_mask shape str", lambda: faces.hull_mask(PTS(), "64x64"), "shape"),
    ("hull_mask shape short", lambda: faces.hull_mask(PTS(), (64,)), "shape"),
    ("hull_mask shape None", lambda: faces.hull_mask(PTS(), None), "shape"),
    ("hull_mask shape fraction", lambda: faces.hull_mask(PTS(), (64.5, 64)), "shape"),
    ("erode_mask -1", lambda: faces.erode_mask(MASK(), -1), "pixels"),
    ("erode_mask nan", lambda: faces.erode_mask(MASK(), NAN), "pixels"),
    ("erode_mask str", lambda: faces.erode_mask(MASK(), "3"), "pixels"),
    ("erode_mask None", lambda: faces.erode_mask(None, 2), "mask"),
    ("feather_mask blur inf", lambda: faces.feather_mask(MASK(), blur=INF), "blur"),
    ("feather_mask erosion bool", lambda: faces.feather_mask(MASK(), erosion=True), "erosion"),
    ("reinhard_transfer None", lambda: faces.reinhard_transfer(IMG(), None), "target"),
    ("reinhard_transfer mask shape", lambda: faces.reinhard_transfer(IMG(), IMG(), source_mask=np.ones((5, 5))),
     "source_mask"),
    ("alpha_blend alpha nan", lambda: faces.alpha_blend(IMG(), IMG(), with_nan(MASK())), "alpha"),
    ("alpha_blend shapes", lambda: faces.alpha_blend(IMG(), IMG()[:32], MASK()), "same shape"),
    ("poisson_blend mask str", lambda: faces.poisson_blend(IMG(), IMG(), "m"), "mask"),
    ("default_erosion None", lambda: faces.default_erosion(None), "landmarks"),
    ("classical_swap blend", lambda: faces.classical_swap(IMG(), PTS(), IMG(), PTS(), blend="x"), "blend"),
    ("classical_swap erosion nan", lambda: faces.classical_swap(IMG(), PTS(), IMG(), PTS(), erosion=NAN), "erosion"),
    ("classical_swap feather -1", lambda: faces.classical_swap(IMG(), PTS(), IMG(), PTS(), feather=-1.0), "feather"),
    ("classical_swap source None", lambda: faces.classical_swap(None, PTS(), IMG(), PTS()), "source_img"),
    ("detect_faces min_size 0", lambda: faces.detect_faces(IMG(), min_size=0), "min_size"),
    ("detect_faces min_size str", lambda: faces.detect_faces(IMG(), min_size="24"), "min_size"),
    ("detect_faces min_size big", lambda: faces.detect_faces(IMG(), min_size=1000), "min_size"),
    ("detect_faces max_size -5", lambda: faces.detect_faces(IMG(), max_size=-5), "max_size"),
    # swap
    ("SwapModel size 48", lambda: swap.SwapModel(size=48), "size"),
    ("SwapModel size str", lambda: swap.SwapModel(size="64"), "size"),
    ("SwapModel size bool", lambda: swap.SwapModel(size=True), "size"),
    ("SwapModel width 0", lambda: swap.SwapModel(size=32, width=0), "width"),
    ("SwapModel latent 2.5", lambda: swap.SwapModel(size=32, latent=2.5), "latent"),
    ("SwapModel names str", lambda: swap.SwapModel("ab", size=32), "names"),
    ("SwapModel names same", lambda: swap.SwapModel(("a", "a"), size=32), "names"),
    ("SwapModel names None", lambda: swap.SwapModel(None, size=32), "names"),
    ("face_set n 0", lambda: swap.face_set("ada", 0), "n"),
    ("face_set n -3", lambda: swap.face_set("ada", -3), "n"),
    ("face_set n 2.5", lambda: swap.face_set("ada", 2.5), "n"),
    ("face_set n str", lambda: swap.face_set("ada", "10"), "n"),
    ("face_set name", lambda: swap.face_set("zed", 4), "cast member"),
    ("face_set size 8", lambda: swap.face_set("ada", 4, size=8), "size"),
    ("face_set blink_share nan", lambda: swap.face_set("ada", 4, blink_share=NAN), "blink_share"),
    ("face_set seed -1", lambda: swap.face_set("ada", 4, seed=-1), "seed"),
    ("face_set states str", lambda: swap.face_set("ada", 4, states="abc"), "states"),
    ("face_set states empty", lambda: swap.face_set("ada", 4, states=[]), "states"),
    ("loss_weights None", lambda: swap.loss_weights(None, None), "masks"),
    ("loss_weights shapes", lambda: swap.loss_weights(np.ones((2, 8, 8)), np.ones((3, 68, 2))), "landmarks"),
    ("decode_as crops size", lambda: swap.decode_as(model(), np.zeros((1, 64, 64, 3), np.float32), "gus"), "crops"),
    ("decode_as who", lambda: swap.decode_as(model(), crops32(), "zed"), "who"),
    ("decode_as model None", lambda: swap.decode_as(None, crops32(), "gus"), "model"),
    ("decode_as 0-255", lambda: swap.decode_as(model(), crops32() * 255, "gus"), "divide by 255"),
    ("decode_as one crop", lambda: swap.decode_as(model(), crops32()[0], "gus"), "crops"),
    ("decode_as nan", lambda: swap.decode_as(model(), with_nan(crops32()), "gus"), "NaN"),
    ("decode_as batch 0", lambda: swap.decode_as(model(), crops32(), "gus", batch=0), "batch"),
    ("swap_frames landmarks None", lambda: swap.swap_frames(model(), IMG()[None], None, "gus"), "landmarks"),
    ("swap_frames landmarks 60", lambda: swap.swap_frames(model(), IMG()[None], np.zeros((1, 60, 2)), "gus"),
     "landmarks"),
    ("swap_frames to", lambda: swap.swap_frames(model(), IMG()[None], PTS()[None], "zed"), "to"),
    ("swap_frames frames str", lambda: swap.swap_frames(model(), "frames", PTS()[None], "gus"), "frames"),
    ("swap_clip None", lambda: swap.swap_clip(model(), None), "clip"),
    ("swap_clip model", lambda: swap.swap_clip("model", None), "model"),
    ("train sets empty", lambda: swap.train(model(), {}, 1), "sets"),
    ("train sets list", lambda: swap.train(model(), [], 1), "sets"),
    ("train steps -1", lambda: swap.train(model(), tiny_sets(), -1), "steps"),
    ("train steps str", lambda: swap.train(model(), tiny_sets(), "5"), "steps"),
    ("train lr 0", lambda: swap.train(model(), tiny_sets(), 1, lr=0.0), "lr"),
    ("train lr nan", lambda: swap.train(model(), tiny_sets(), 1, lr=NAN), "lr"),
    ("train batch 0", lambda: swap.train(model(), tiny_sets(), 1, batch=0), "batch"),
    ("train seed -1", lambda: swap.train(model(), tiny_sets(), 1, seed=-1), "seed"),
    ("train model None", lambda: swap.train(None, tiny_sets(), 1), "model"),
    ("evaluate source", lambda: swap.evaluate(model(), source="zed"), "source"),
    ("evaluate n 2", lambda: swap.evaluate(model(), n=2), "n"),
    ("evaluate n nan", lambda: swap.evaluate(model(), n=NAN), "n"),
    ("SwapSettings size", lambda: swap.settings("fast", "cpu", size=48), "size"),
    ("SwapSettings lr nan", lambda: swap.settings("fast", "cpu", lr=NAN), "lr"),
    ("SwapSettings n_train 0", lambda: swap.settings("fast", "cpu", n_train=0), "n_train"),
    ("train_pair settings", lambda: swap.train_pair("fast"), "settings"),
    ("train_pair seed", lambda: swap.train_pair(swap.settings("fast", "cpu"), seed=-1), "seed"),
    ("preview sets", lambda: swap.preview(model(), {}), "sets"),
    ("preview n 0", lambda: swap.preview(model(), tiny_sets(), n=0), "n"),
    # gan
    ("latent n 0", lambda: gan.latent(0), "n"),
    ("latent n bool", lambda: gan.latent(True), "n"),
    ("latent n str", lambda: gan.latent("4"), "n"),
    ("latent n 2.0", lambda: gan.latent(2.0), "n"),
    ("latent dim 0", lambda: gan.latent(2, dim=0), "dim"),
    ("latent seed -1", lambda: gan.latent(2, seed=-1), "seed"),
    ("generate z nan", lambda: gan.generate(G(), torch.full((2, 8), NAN)), "z"),
    ("generate z inf numpy", lambda: gan.generate(G(), np.full((2, 8), INF)), "z"),
    ("generate one z", lambda: gan.generate(G(), torch.zeros(8)), "z[None]"),
    ("generate z str", lambda: gan.generate(G(), "z"), "z"),
    ("generate z width", lambda: gan.generate(G(), torch.zeros(2, 5)), "z"),
    ("generate z text array", lambda: gan.generate(G(), np.array([["a"] * 8])), "z"),
    ("generate G None", lambda: gan.generate(None, z8()), "G"),
    ("generate batch 0", lambda: gan.generate(G(), z8(), batch=0), "batch"),
    ("sample n 0", lambda: gan.sample(G(), 0), "n"),
    ("sample seed -1", lambda: gan.sample(G(), 2, seed=-1), "seed"),
    ("sample G str", lambda: gan.sample("G", 2), "G"),
    ("interpolate steps 1", lambda: gan.interpolate(z8()[0], z8()[1], steps=1), "steps"),
    ("interpolate steps 2.5", lambda: gan.interpolate(z8()[0], z8()[1], steps=2.5), "steps"),
    ("interpolate z0 nan", lambda: gan.interpolate(torch.full((8,), NAN), z8()[1]), "z0"),
    ("interpolate lengths", lambda: gan.interpolate(torch.zeros(3), torch.zeros(4)), "same length"),
    ("mix t nan", lambda: gan.mix(z8()[0], z8()[1], NAN), "t"),
    ("mix t 1.5", lambda: gan.mix(z8()[0], z8()[1], 1.5), "t"),
    ("mix t str", lambda: gan.mix(z8()[0], z8()[1], "half"), "t"),
    ("mix t bool", lambda: gan.mix(z8()[0], z8()[1], True), "t"),
    ("mix t 2-D", lambda: gan.mix(z8()[0], z8()[1], torch.tensor([[0.5]])), "t"),
    ("mix z1 inf", lambda: gan.mix(z8()[0], torch.full((8,), INF), 0.5), "z1"),
    ("mix z0 str", lambda: gan.mix("z", z8()[1], 0.5), "z0"),
    ("edit amount nan", lambda: gan.edit(G(), z8(), {"a": torch.ones(8)}, {"a": NAN}), "amounts"),
    ("edit amount str", lambda: gan.edit(G(), z8(), {"a": torch.ones(8)}, {"a": "lots"}), "amounts"),
    ("edit direction nan", lambda: gan.edit(G(), z8(), {"a": torch.full((8,), NAN)}, {"a": 1.0}), "directions"),
    ("edit direction length", lambda: gan.edit(G(), z8(), {"a": torch.zeros(5)}, {"a": 1.0}), "directions"),
    ("edit unknown direction", lambda: gan.edit(G(), z8(), {}, {"b": 1.0}), "b"),
    ("edit directions None", lambda: gan.edit(G(), z8(), None, {}), "directions"),
    ("edit z nan", lambda: gan.edit(G(), torch.full((1, 8), NAN), {}, {}), "z"),
    ("GANSettings size 48", lambda: gan.GANSettings(size=48), "size"),
    ("GANSettings size str", lambda: gan.GANSettings(size="64"), "size"),
    ("GANSettings lr_g nan", lambda: gan.GANSettings(lr_g=NAN), "lr_g"),
    ("GANSettings lr_d 0", lambda: gan.GANSettings(lr_d=0.0), "lr_d"),
    ("GANSettings batch bool", lambda: gan.GANSettings(batch=True), "batch"),
    ("GANSettings steps str", lambda: gan.GANSettings(steps="10"), "steps"),
    ("GANSettings anneal 2", lambda: gan.GANSettings(anneal=2.0), "anneal"),
    ("GANSettings beta1 1", lambda: gan.GANSettings(beta1=1.0), "beta1"),
    ("GANSettings seed -1", lambda: gan.GANSettings(seed=-1), "seed"),
    ("GANSettings n_train 1.5", lambda: gan.GANSettings(n_train=1.5), "n_train"),
    ("GANSettings n_train < batch", lambda: gan.GANSettings(batch=64, n_train=10), "batch"),
    ("settings mode", lambda: gan.settings("medium"), "mode"),
    ("settings mode int", lambda: gan.settings(5), "mode"),
    ("settings unknown", lambda: gan.settings("fast", "cpu", filters=3), "filters"),
    ("Generator size 48", lambda: gan.Generator(size=48), "size"),
    ("Generator latent 0", lambda: gan.Generator(latent=0), "latent"),
    ("Discriminator filters 2", lambda: gan.Discriminator(filters=2), "filters"),
    ("build str", lambda: gan.build("fast"), "GANSettings"),
    ("fixed_noise None", lambda: gan.fixed_noise(None), "GANSettings"),
    ("fixed_noise n 0", lambda: gan.fixed_noise(tiny_settings(), n=0), "n"),
    ("initial_generator None", lambda: gan.initial_generator(None), "GANSettings"),
    ("train_gan images size", lambda: gan.train_gan(tiny_settings(), images=np.zeros((4, 64, 64, 3), np.float32),
                                                    device="cpu", progress=False), "images"),
    ("train_gan images nan", lambda: gan.train_gan(tiny_settings(), images=with_nan(faces32(4)), device="cpu",
                                                   progress=False), "images"),
    ("train_gan settings str", lambda: gan.train_gan("fast", images=faces32(4), device="cpu", progress=False),
     "GANSettings"),
    ("train_gan callback", lambda: gan.train_gan(tiny_settings(), images=faces32(4), device="cpu", progress=False,
                                                 callback=5), "callback"),
    ("train_gan G only", lambda: gan.train_gan(tiny_settings(), images=faces32(4), device="cpu", progress=False,
                                               G=G()), "D"),
    ("discriminator_accuracy size", lambda: gan.discriminator_accuracy(D(), np.zeros((2, 64, 64, 3), np.float32),
                                                                       faces32(2)), "real"),
    ("discriminator_accuracy D None", lambda: gan.discriminator_accuracy(None, faces32(2), faces32(2)), "D"),
    ("discriminator_accuracy nan", lambda: gan.discriminator_accuracy(D(), with_nan(faces32(2)), faces32(2)), "real"),
    ("fresh_detector_accuracy sizes", lambda: gan.fresh_detector_accuracy(faces32(), np.zeros((6, 16, 16, 3))),
     "differ"),
    ("fresh_detector_accuracy epochs 0", lambda: gan.fresh_detector_accuracy(faces32(), faces32(), epochs=0),
     "epochs"),
    ("fresh_detector_accuracy too few", lambda: gan.fresh_detector_accuracy(faces32(2), faces32(2)), "at least 5"),
    ("direction_effects n 1", lambda: gan.direction_effects(G(), {"a": torch.ones(8)}, n=1), "n"),
    ("direction_effects step nan", lambda: gan.direction_effects(G(), {"a": torch.ones(8)}, step=NAN), "step"),
    ("direction_effects directions str", lambda: gan.direction_effects(G(), "x"), "directions"),
    ("attribute_directions n 5", lambda: gan.attribute_directions(G(), n=5), "n"),
    ("attribute_directions G None", lambda: gan.attribute_directions(None), "G"),
    ("smooth window 0", lambda: gan.smooth([1.0, 2.0], window=0), "window"),
    ("smooth window nan", lambda: gan.smooth([1.0, 2.0], window=NAN), "window"),
    ("smooth values nan", lambda: gan.smooth([1.0, NAN]), "values"),
    ("smooth values str", lambda: gan.smooth("abc"), "values"),
    ("plot_game history str", lambda: gan.plot_game("history"), "history"),
    ("plot_game window 0", lambda: gan.plot_game({}, window=0), "window"),
    ("live_view window -1", lambda: gan.live_view(window=-1), "window"),
    ("measure_run None", lambda: gan.measure_run(None), "run"),
    ("Yardstick n 5", lambda: gan.Yardstick(n=5), "n"),
    ("Yardstick n str", lambda: gan.Yardstick(n="100"), "n"),
    ("pretrained_run mode", lambda: gan.pretrained_run("medium"), "mode"),
    # forensics
    ("boundary_bands width 0", lambda: forensics.boundary_bands(MASK(), 0), "width"),
    ("boundary_bands width 2.5", lambda: forensics.boundary_bands(MASK(), 2.5), "width"),
    ("boundary_bands width str", lambda: forensics.boundary_bands(MASK(), "3"), "width"),
    ("boundary_bands mask None", lambda: forensics.boundary_bands(None, 3), "mask"),
    ("default_band None", lambda: forensics.default_band(None), "mask"),
    ("gradient_energy None", lambda: forensics.gradient_energy(None), "img"),
    ("seam_score band 0", lambda: forensics.seam_score(IMG(), IMG(), MASK(), band=0), "band"),
    ("seam_score shapes", lambda: forensics.seam_score(IMG(), IMG()[:32], MASK()), "same shape"),
    ("colour_mismatch sectors 0", lambda: forensics.colour_mismatch(IMG(), MASK(), sectors=0), "sectors"),
    ("colour_mismatch min_pixels 0", lambda: forensics.colour_mismatch(IMG(), MASK(), min_pixels=0), "min_pixels"),
    ("colour_mismatch width nan", lambda: forensics.colour_mismatch(IMG(), MASK(), width=NAN), "width"),
    ("swap_scores target_pts None", lambda: forensics.swap_scores(IMG(), PTS(), IMG(), None), "target_pts"),
    ("spectrum one image", lambda: forensics.spectrum(IMG()), "images"),
    ("spectrum nan", lambda: forensics.spectrum(with_nan(faces32(2))), "NaN"),
    ("radial_profile 1-D", lambda: forensics.radial_profile(np.zeros(5)), "spec"),
    ("radial_profile nan", lambda: forensics.radial_profile(with_nan(np.zeros((8, 8)))), "spec"),
    # widgets (the plain functions behind them, and the checks before any widget is built)
    ("face_png scale 0", lambda: widgets.face_png("ada", {}, scale=0), "scale"),
    ("face_png who -1", lambda: widgets.face_png(-1, {}), "who"),
    ("face_png who 2.5", lambda: widgets.face_png(2.5, {}), "who"),
    ("face_png state str", lambda: widgets.face_png("ada", "smile"), "state"),
    ("face_png yaw nan", lambda: widgets.face_png("ada", {"yaw": NAN}), "yaw"),
    ("face_explorer who", lambda: widgets.face_explorer(who="zed"), "who"),
    ("face_explorer size 8", lambda: widgets.face_explorer(size=8), "size"),
    ("blend_view source None", lambda: widgets.blend_view(None, (IMG(), PTS()), 1.0, 1.0, True, "alpha"), "source"),
    ("blend_view erosion nan", lambda: widgets.blend_view((IMG(), PTS()), (IMG(), PTS()), NAN, 1.0, True, "alpha"),
     "erosion"),
    ("blend_view scale 0", lambda: widgets.blend_view((IMG(), PTS()), (IMG(), PTS()), 1.0, 1.0, True, "alpha",
                                                      scale=0), "scale"),
    ("blend_explorer size 8", lambda: widgets.blend_explorer(size=8), "size"),
    ("scores_html nan", lambda: widgets.scores_html(NAN, 1.0), "seam"),
    ("latent_view t nan", lambda: widgets.latent_view(G(), 1, 2, NAN), "t"),
    ("latent_view t 2", lambda: widgets.latent_view(G(), 1, 2, 2.0), "t"),
    ("latent_view G None", lambda: widgets.latent_view(None, 1, 2, 0.5), "G"),
    ("latent_view seed_a -1", lambda: widgets.latent_view(G(), -1, 2, 0.5), "seed_a"),
    ("latent_explorer G None", lambda: widgets.latent_explorer(None), "G"),
    ("latent_explorer limit nan", lambda: widgets.latent_explorer(G(), limit=NAN), "limit"),
    ("labels_html None", lambda: widgets.labels_html(None), "labels"),
    ("track_view clips None", lambda: widgets.track_view(None, "real", "real", "real"), "clips"),
    ("track_view missing clip", lambda: widgets.track_view({}, "real", "real", "real"), "no pre-built clip"),
    ("track_view width 0", lambda: widgets.track_view({}, "real", "real", "real", width=0), "width"),
    ("track_viewer empty", lambda: widgets.track_viewer({}), "clips"),
    ("score_html None", lambda: widgets.score_html(None), "game"),
    ("reveal_html None", lambda: widgets.reveal_html(None), "game"),
    ("game_view None", lambda: widgets.game_view(None), "game"),
    ("game_click None", lambda: widgets.game_click(None, "real"), "game"),
    ("real_or_fake None", lambda: widgets.real_or_fake(None), "game"),
]

COURSE_ERRORS = (ValueError, TypeError, checkpoints.CheckpointError)


def raising_frame(err: BaseException) -> str:
    """The file of the frame that raised ``err``: the last frame of its traceback."""
    return traceback.extract_tb(err.__traceback__)[-1].filename


def assert_clear_error(call, word: str, what: str) -> BaseException:
    """``call()`` must raise a course error, from course_lib's own code, whose message contains ``word``."""
    try:
        result = call()
    except COURSE_ERRORS as err:
        where = Path(raising_frame(err)).resolve()
        assert COURSE_LIB in where.parents, (
            f"{what}: the error comes from inside {where}, not from course_lib; a learner sees: {err}")
        assert not type(err).__module__.split(".")[0] in LIBRARIES, f"{what}: a library's own error type {type(err)}"
        assert word in str(err), f"{what}: the message should mention {word!r}; a learner sees: {err}"
        return err
    except Exception as err:  # noqa: BLE001 - any other type is the failure this test reports
        pytest.fail(f"{what}: raised {type(err).__module__}.{type(err).__name__} from {raising_frame(err)}, "
                    f"not a ValueError/TypeError naming the argument: {err}")
    pytest.fail(f"{what}: returned {type(result).__name__} for invalid input instead of raising")


@pytest.mark.parametrize("what, call, word", BAD_INPUTS, ids=[row[0] for row in BAD_INPUTS])
def test_each_hand_picked_bad_input_gets_a_clear_error_naming_the_argument(what, call, word):
    assert_clear_error(call, word, what)


def test_the_table_covers_every_module_this_hardening_owns():
    modules = {row[1].__code__.co_names[0] for row in BAD_INPUTS if row[1].__code__.co_names}
    assert {"validate", "synth", "faces", "swap", "gan", "forensics", "widgets"} <= modules, (
        f"every hardened module needs hand-picked bad inputs; the table reaches {sorted(modules)}")
    assert len(BAD_INPUTS) >= 300, f"the committed table shrank to {len(BAD_INPUTS)} bad inputs"


# ----------------------------------------------------------------------------------- drawn inputs

NOT_NUMBERS = st.one_of(st.booleans(), st.text(max_size=6), st.none(), st.lists(st.integers(), max_size=2),
                        st.just(float("nan")), st.just(float("inf")), st.just(-float("inf")))


def bad_int(lo: int, hi: int | None = None):
    """Anything that is not an integer in [lo, hi]: out-of-range integers, every float, and non-numbers."""
    above = [] if hi is None else [st.integers(min_value=hi + 1)]
    return st.one_of(st.integers(max_value=lo - 1), *above, st.floats(allow_nan=False, allow_infinity=False),
                     NOT_NUMBERS)


def bad_float(lo: float, hi: float):
    """Anything that is not a finite number in [lo, hi]."""
    return st.one_of(st.floats(max_value=lo, exclude_max=True), st.floats(min_value=hi, exclude_min=True),
                     NOT_NUMBERS)


# (the call with one argument left open, the argument's name, what a bad value is)
SCALAR_ARGUMENTS = [
    (lambda v: synth.random_states(v), "n", bad_int(0, 1_000_000)),
    (lambda v: synth.random_states(2, pose=v), "pose", bad_float(0, 2)),
    (lambda v: synth.render(ADA, size=v), "size", bad_int(16, 256)),
    (lambda v: synth.identity(v), "seed", bad_int(0)),
    (lambda v: synth.blink_times(v), "seconds", bad_float(0, 3600)),
    (lambda v: synth.head_motion(4, amount=v), "amount", bad_float(0, 3)),
    (lambda v: faces.template(size=v), "size", bad_int(16, 1024)),
    (lambda v: faces.template(zoom=v), "zoom", bad_float(0.5, 4)),
    (lambda v: faces.erode_mask(MASK(), v), "pixels", bad_float(0, 1000)),
    (lambda v: faces.hull_mask(PTS(), (64, v)), "shape", bad_int(1, 8192)),
    (lambda v: swap.face_set("ada", v), "n", bad_int(1, 1_000_000)),
    (lambda v: swap.SwapModel(size=32, width=v), "width", bad_int(1, 1024)),
    (lambda v: gan.latent(v), "n", bad_int(1, 10_000_000)),
    (lambda v: gan.GANSettings(lr_g=v), "lr_g", bad_float(0, 1)),
    (lambda v: gan.smooth([1.0, 2.0], window=v), "window", bad_int(1)),
    (lambda v: forensics.boundary_bands(MASK(), v), "width", bad_int(1, 200)),
    (lambda v: forensics.colour_mismatch(IMG(), MASK(), sectors=v), "sectors", bad_int(1, 360)),
    (lambda v: widgets.face_png("ada", {}, scale=v), "scale", bad_int(1, 16)),
]


@pytest.mark.parametrize("call, name, bad", SCALAR_ARGUMENTS, ids=[f"{i}-{row[1]}" for i, row in
                                                                 enumerate(SCALAR_ARGUMENTS)])
@FAST
@given(data=st.data())
def test_drawn_bad_scalars_get_a_clear_error_naming_the_argument(call, name, bad, data):
    value = data.draw(bad, label=name)
    assert_clear_error(lambda: call(value), name, f"{name}={value!r}")


NUMERIC_STATE_FIELDS = [k for k, (lo, hi, width) in STATE_RANGES.items() if width == 1]


@FAST
@given(field=st.sampled_from(NUMERIC_STATE_FIELDS), data=st.data())
def test_render_refuses_every_non_finite_or_out_of_range_state(field, data):
    lo, hi, _ = STATE_RANGES[field]
    value = data.draw(st.one_of(st.floats(max_value=lo, exclude_max=True), st.floats(min_value=hi, exclude_min=True),
                                st.text(max_size=4), st.none()), label=field)
    assert_clear_error(lambda: synth.render(ADA, size=16, **{field: value}), field, f"render({field}={value!r})")


@FAST
@given(field=st.sampled_from(sorted(FACE_RANGES)), value=st.one_of(
    st.just(float("nan")), st.just(float("inf")), st.floats(max_value=-3.0), st.floats(min_value=10.0)))
def test_identity_refuses_every_non_finite_or_absurd_number(field, value):
    width = FACE_RANGES[field][2]
    given_value = value if width == 1 else (value, 0.5, 0.5)
    assert_clear_error(lambda: synth.identity(3, **{field: given_value}), field, f"identity({field}={value!r})")


def finite_state():
    """Any state whose numbers lie in their ranges."""
    fields = {}
    for key, (lo, hi, width) in STATE_RANGES.items():
        if key == "jpeg_quality":
            fields[key] = st.sampled_from([0, 1, 50, 100])
        elif width == 1:
            fields[key] = st.floats(lo, hi)
        else:
            fields[key] = st.tuples(*[st.floats(lo, hi)] * width)
    return st.fixed_dictionaries(fields).map(lambda d: synth.FaceState(**d))


@FAST
@given(state=finite_state(), seed=st.integers(0, 2**32))
def test_no_nan_comes_back_from_a_render_of_any_valid_state(state, seed):
    img, pts, mask = synth.render(synth.identity(seed % 50), state, size=16, seed=seed)
    assert np.isfinite(img).all() and np.isfinite(pts).all() and np.isfinite(mask).all(), (
        f"a valid state drew NaN or infinite values: {state}")
    assert 0 <= img.min() and img.max() <= 1, f"a valid state drew pixels outside [0, 1]: {state}"


finite = st.floats(-1e3, 1e3)


@FAST
@given(z=st.lists(st.tuples(finite, finite), min_size=1, max_size=3), t=st.floats(0, 1), spherical=st.booleans())
def test_no_nan_comes_back_from_mixing_finite_codes(z, t, spherical):
    z0 = torch.tensor([a for a, _ in z] + [1.0])
    z1 = torch.tensor([b for _, b in z] + [0.5])
    out = gan.mix(z0, z1, t, spherical)
    assert torch.isfinite(out).all(), f"mix({z0}, {z1}, {t}) gave {out}"


@FAST
@given(matrix=st.lists(finite, min_size=6, max_size=6))
def test_no_nan_comes_back_from_transforming_points_by_a_finite_matrix(matrix):
    out = faces.transform_points(np.reshape(matrix, (2, 3)), PTS())
    assert np.isfinite(out).all(), f"a finite matrix {matrix} gave non-finite points"


@FAST
@given(values=st.lists(st.floats(-10, 10), min_size=3 * 4 * 4, max_size=3 * 4 * 4), tanh=st.booleans())
def test_to_image_gives_finite_unit_range_images_from_finite_tensors(values, tanh):
    out = validate.to_image(torch.tensor(values).reshape(1, 3, 4, 4), tanh=tanh)
    assert out.shape == (1, 4, 4, 3) and np.isfinite(out).all() and 0 <= out.min() and out.max() <= 1


@FAST
@given(bad=st.sampled_from([float("nan"), float("inf"), -float("inf")]), where=st.integers(0, 47))
def test_to_image_and_to_uint8_refuse_non_finite_values(bad, where):
    arr = np.zeros(48, np.float32)
    arr[where] = bad
    assert_clear_error(lambda: validate.to_image(arr.reshape(1, 3, 4, 4)), "NaN", "to_image")
    assert_clear_error(lambda: validate.to_uint8(arr), "NaN", "to_uint8")


def test_to_image_round_trips_to_tensor_in_the_tanh_range():
    imgs = np.random.default_rng(2).random((2, 8, 8, 3), dtype=np.float32)
    t = validate.to_tensor(imgs, tanh=True)
    assert float(t.min()) >= -1 and float(t.max()) <= 1 and float(t.min()) < -0.9, "tanh=True maps [0, 1] to [-1, 1]"
    assert np.allclose(validate.to_image(t, tanh=True), imgs, atol=1e-6), "to_image(tanh=True) undoes to_tensor"


def test_evaluating_restores_the_training_flag_and_turns_off_gradients():
    net = torch.nn.Linear(2, 1).train()
    with validate.evaluating(net):
        assert not net.training and not torch.is_grad_enabled(), "inside: eval mode, no gradients"
    assert net.training and torch.is_grad_enabled(), "after: training mode and gradients as before"
    net.eval()
    with validate.evaluating(net):
        pass
    assert not net.training, "a model in eval mode stays in eval mode"


def test_decode_as_gives_images_and_masks_in_range_and_keeps_the_training_flag():
    net = model().train()
    faces_, masks = swap.decode_as(net, crops32(), "gus")
    assert faces_.shape == (2, 32, 32, 3) and masks.shape == (2, 32, 32), f"got {faces_.shape} and {masks.shape}"
    assert np.isfinite(faces_).all() and 0 <= faces_.min() and faces_.max() <= 1
    assert net.training, "decoding a preview mid-training must leave the model in training mode"


def test_generate_of_finite_codes_gives_finite_images_in_range():
    out = gan.generate(G(), z8(3))
    assert out.shape == (3, 32, 32, 3) and np.isfinite(out).all() and 0 <= out.min() and out.max() <= 1


def test_check_scalar_gives_back_plain_python_numbers():
    assert validate.check_scalar(np.int64(3), "n") == 3 and type(validate.check_scalar(np.int64(3), "n")) is int
    assert type(validate.check_scalar(np.float32(0.5), "rate", float)) is float
    assert validate.check_scalar(torch.tensor(4), "n") == 4, "a 0-d tensor holding an integer is an integer"
    assert validate.check_scalar(None, "n", allow_none=True) is None
    assert validate.check_shape((64, 32, 3)) == (64, 32), "an image's shape gives its (height, width)"
    assert math.isclose(validate.check_scalar(1, "rate", float), 1.0)
