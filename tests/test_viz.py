"""course_lib.viz: how a face swap and a GAN are made, each drawn with a model's own outputs (lab 01)."""
import numpy as np
import pytest
from lab01_helpers import tiny_swapper  # noqa: F401 (fixture)

from course_lib import gan, swap, synth, viz

# ------------------------------------------------------------------------------ how they are made, pictured


def test_autoencoder_picture_draws_what_the_swapper_really_outputs(tiny_swapper):
    import matplotlib.pyplot as plt

    from course_lib import faces

    fig = viz.autoencoder_picture(tiny_swapper, seed=2)
    performer, person = swap.PAIR
    img, pts, _ = synth.render(synth.cast(performer), synth.random_states(1, seed=2)[0], size=64, seed=2)
    crop = faces.align(img, pts, 32, swap.ZOOM).image
    want = swap.decode_as(tiny_swapper, crop[None], person)[0][0]
    assert np.allclose(fig.shown[f"{performer} as {person}"], want), "the swap row decodes Farah as Gus"
    assert np.allclose(fig.shown["swapped frame"], swap.swap_frames(tiny_swapper, img[None], pts[None], person)[0])
    drawn = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(drawn) == 7, "three inputs, three outputs and the pasted frame"
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "shared\nencoder" in texts and f"decoder\n{person}" in texts and "lab 03" in texts
    plt.close(fig)


def test_gan_picture_measures_the_discriminator_on_fresh_faces():
    import matplotlib.pyplot as plt

    run = gan.GANRun(gan.Generator(filters=4, size=32), gan.Discriminator(filters=4, size=32),
                     gan.settings("fast", size=32))
    fig = viz.gan_picture(run, n=8, seed=0)
    assert all(0.0 <= a <= 1.0 for a in fig.accuracy) and len(fig.accuracy) == 2
    fakes = gan.sample(run.G, 8, seed=0)
    grid = fig.shown["fake"]
    assert grid.shape == (2 * 34 + 2, 2 * 34 + 2, 3), "four of G's faces, 2×2, with a 2-pixel white border"
    assert np.allclose(grid[2:34, 2:34], fakes[0]) and np.allclose(grid[36:68, 36:68], fakes[3]), "G's own faces"
    assert np.all(grid[:2] == 1.0), "the border is white"
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert f"{fig.accuracy[0]:.0%} of real" in texts and "lab 04" in texts
    plt.close(fig)



# ------------------------------------------------------------------------------ plotly figures (lab 06)

def test_auc_heatmap_reads_the_benchmarks_metrics_and_puts_people_beneath_each_generator():
    metrics = {"auc_high_frequency_gan": 0.2, "auc_sharpness_autoencoder": 0.99, "auc_blinks_autoencoder": 0.1,
               "ms_per_image_sharpness": 0.3}
    fig = viz.auc_heatmap(metrics)
    heat = fig.data[0]
    assert list(heat.y) == ["high_frequency", "sharpness", "blinks"] and list(heat.x) == ["gan", "autoencoder"]
    assert heat.z[1][1] == 0.99 and np.isnan(heat.z[0][1]), "a cue never measured on a generator stays empty"
    people = {"autoencoder": {"accuracy": 0.6, "ci": [0.4, 0.77], "players": 3, "answers": 20}}
    fig = viz.auc_heatmap(metrics, baseline=people)
    humans = fig.data[1]
    assert np.isnan(humans.z[0][0]) and humans.z[0][1] == 0.6
    assert "[40%, 77%], 3 players" in humans.text[0][1] and "no answers" in humans.text[0][0]


def test_roc_figure_hover_shows_each_threshold_with_its_rates():
    from sklearn.metrics import roc_curve

    y, s = [0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.2, 0.9]
    fig = viz.roc_figure(y, s, "toy")
    fpr, tpr, thr = roc_curve(y, s)
    curve = fig.data[0]
    assert np.allclose(curve.x, fpr) and np.allclose(curve.y, tpr)
    assert np.allclose(curve.customdata[1:], thr[1:]) and np.isfinite(curve.customdata).all()
    assert "threshold" in curve.hovertemplate and "TPR" in curve.hovertemplate and "FPR" in curve.hovertemplate
    assert "AUC 0.89" in curve.name


def test_cue_histogram_shows_both_sides_and_marks_the_current_sample():
    fig = viz.cue_histogram([0.1, 0.2], [0.5, 0.7, 0.9], "sharpness", current=0.6)
    assert [t.name for t in fig.data] == ["real", "fake", "this sample"]
    assert list(fig.data[1].x) == [0.5, 0.7, 0.9] and list(fig.data[2].x) == [0.6, 0.6]


def test_radial_spectra_draws_each_generators_mean_profile():
    prof = np.array([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]])
    fig = viz.radial_spectra({"real": prof, "gan": prof[0]})
    assert list(fig.data[0].y) == [2.0, 3.0, 4.0] and list(fig.data[1].y) == [1.0, 2.0, 3.0]
    assert fig.data[0].x[-1] == 1.0


def test_training_figure_draws_one_line_per_measure_and_makes_room_for_a_large_log_loss():
    fig = viz.training_figure({"epoch": [1, 2], "val AUC": [0.7, 0.8], "val log loss": [1.4, 0.6]})
    assert [t.name for t in fig.data] == ["val AUC", "val log loss"]
    assert list(fig.data[1].y) == [1.4, 0.6] and list(fig.data[0].x) == [1, 2]
    assert "validation" in fig.layout.title.text, "lab 07's browser test finds the live curve by its title"
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis.range[1] >= 1.45, "the log loss of 1.4 must show"


@pytest.mark.parametrize("call, words", [
    (lambda: viz.training_figure([0.7, 0.8]), "history must be a dict"),
    (lambda: viz.training_figure({"epoch": [1, 2]}), "at least one measure"),
    (lambda: viz.training_figure({"epoch": [1, 2], "val AUC": [0.7]}), r"history\['val AUC'\] has 1 values"),
    (lambda: viz.training_figure({"epoch": [1], "val AUC": [np.nan]}), r"history\['val AUC'\]"),
    (lambda: viz.auc_heatmap({}), "table must be a non-empty dict"),
    (lambda: viz.auc_heatmap({"sharpness": {"gan": 1.5}}), r"table\['sharpness'\]\['gan'\]"),
    (lambda: viz.auc_heatmap({"total_s": 3.0}), "no auc_<cue>_<generator> keys"),
    (lambda: viz.auc_heatmap({"sharpness": {"gan": 0.5}}, baseline=[1]), "baseline must be"),
    (lambda: viz.roc_figure([0, 1], [0.5]), "one per item"),
    (lambda: viz.roc_figure([1, 1], [0.5, 0.6]), "both labels"),
    (lambda: viz.roc_figure([0, 1], [0.5, np.nan]), "scores"),
    (lambda: viz.cue_histogram([], [1.0], "x"), "real is empty"),
    (lambda: viz.radial_spectra({"gan": np.ones((2, 3, 4))}), r"profiles_by_generator\['gan'\]"),
])
def test_the_plotly_figures_explain_bad_inputs(call, words):
    with pytest.raises(ValueError, match=words):
        call()
