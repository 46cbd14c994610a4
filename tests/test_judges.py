"""course_lib.judges: the shared network base (small_cnn, fit, recalibrate) that the judges and lab 07's detectors use.

The judges themselves are trained and measured in test_gan.py (lab 04's) and test_voice.py (lab 05's speaker
judge); here the pieces every image network shares, on tiny untrained networks.
"""
import numpy as np
import pytest
import torch

from course_lib import datasets, judges


@pytest.fixture(scope="module")
def faces():
    return datasets.load_synthetic_faces(12, 32, seed=4).images


def test_recalibrate_sets_batch_norm_statistics_to_the_plain_average_over_the_images(faces):
    net = judges.small_cnn(2, 32, width=4)
    out = judges.recalibrate(net, faces)
    assert out is net and not net.training, "the network comes back, in eval mode"
    with torch.no_grad():
        first = net[0](torch.from_numpy(np.ascontiguousarray(faces.transpose(0, 3, 1, 2))))
    assert torch.allclose(net[1].running_mean, first.mean((0, 2, 3)), atol=1e-5), \
        "the first batch norm's mean is the mean of its inputs over every image"
    assert torch.allclose(net[1].running_var, first.var((0, 2, 3), unbiased=True), rtol=1e-4, atol=1e-6)
    assert net[1].momentum == 0.1, "later training uses batch norm's usual momentum again"


def test_recalibrate_of_a_judge_checks_the_images_against_the_judges_size(faces):
    judge = judges.Judge("test", judges.small_cnn(2, 32, width=4), "classes", ("a", "b"), 32)
    assert judges.recalibrate(judge, faces) is judge
    with pytest.raises(ValueError, match="expects 32×32 images"):
        judges.recalibrate(judge, datasets.load_synthetic_faces(2, 64, seed=0).images)


def test_recalibrate_says_what_it_needs_when_given_something_else(faces):
    with pytest.raises(TypeError, match="recalibrate: give a Judge or a torch network"):
        judges.recalibrate("a judge", faces)
    with pytest.raises(ValueError, match="recalibrate: images"):
        judges.recalibrate(judges.small_cnn(2, 32, width=4), faces[0])


def test_fit_trains_a_small_cnn_to_separate_two_easy_classes(faces):
    x = np.concatenate([faces, faces[:, ::-1, ::-1]])  # upright and upside-down faces
    y = np.r_[np.ones(len(faces), int), np.zeros(len(faces), int)]
    net = judges.fit(judges.small_cnn(2, 32, width=4), x, y, "classes", epochs=15, seed=0, batch=8)
    judges.recalibrate(net, x)
    with torch.no_grad():
        pred = net(torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))).argmax(1).numpy()
    assert (pred == y).mean() >= 0.9, f"training accuracy {(pred == y).mean():.2f} on upright vs upside-down faces"
