"""Lab 06's artifact explorer: controls move, and the three figures follow in place, without a browser."""
import numpy as np
import pytest

from course_lib import explorer, fakes, forensics


@pytest.fixture(scope="module")
def sets():
    return fakes.image_sets(3, generators="classical")


@pytest.fixture
def ex(sets):
    return explorer.Explorer(sets, cue="sharpness")


def test_the_explorer_updates_plotly_figure_widgets_in_place(ex):
    import plotly.graph_objects as go

    assert ex.live and all(isinstance(f, go.FigureWidget) for f in (ex.image_fig, ex.map_fig, ex.hist_fig))
    hist = ex.hist_fig.data[1]
    ex.set(cue="boundary")
    assert ex.hist_fig.data[1] is hist, "the histogram's trace object is kept and changed, not replaced"


def test_changing_the_cue_changes_the_map_and_the_histogram(ex):
    before_map, before_real = np.array(ex.map_fig.data[0].z), np.array(ex.hist_fig.data[0].x)
    ex.set(cue="error_level")
    img, pts = ex.sample()
    assert np.allclose(ex.map_fig.data[0].z, forensics.cue_map("error_level", img, pts))
    assert not np.allclose(ex.map_fig.data[0].z, before_map)
    want = [forensics.cue_score("error_level", im, p) for im, p in zip(ex.sets["classical"].real,
                                                                         ex.sets["classical"].real_landmarks)]
    assert np.allclose(ex.hist_fig.data[0].x, want) and not np.allclose(ex.hist_fig.data[0].x, before_real)
    assert list(ex.sliders) == ["quality"], "the sliders are the new cue's parameters"


def test_moving_a_parameter_changes_the_map_and_the_marker_follows_the_sample(ex):
    ex.set(cue="boundary")
    before = np.array(ex.map_fig.data[0].z)
    ex.set(sigma=4.0)
    img, pts = ex.sample()
    assert not np.allclose(ex.map_fig.data[0].z, before)
    assert np.allclose(ex.map_fig.data[0].z, forensics.cue_map("boundary", img, pts, sigma=4.0))
    ex.set(side="real", index=2)
    want = forensics.cue_score("boundary", ex.sets["classical"].real[2], ex.sets["classical"].real_landmarks[2],
                               sigma=4.0)
    assert ex.hist_fig.data[2].x == pytest.approx([want, want])
    assert np.array_equal(ex.image_fig.data[0].z, np.round(ex.sets["classical"].real[2] * 255).astype(np.uint8))


def test_without_figure_widgets_it_redraws_plain_figures_and_says_so_once(sets, capsys, monkeypatch):
    import plotly.graph_objects as go

    monkeypatch.setattr(explorer, "_noted", False)
    first = explorer.Explorer(sets, figure_widget=False)
    explorer.Explorer(sets, figure_widget=False)
    assert capsys.readouterr().out.count("cannot run here") == 1
    assert type(first.hist_fig) is go.Figure
    first.set(cue="residual")
    assert first.hist_fig.layout.title.text.startswith("residual")


@pytest.mark.parametrize("change, words", [
    (dict(cue="blinks"), "cue must be one of"),
    (dict(index=3), "index must be a whole number from 0 to 2"),
    (dict(sigma=3.0), "no control 'sigma'"),
    (dict(generator="gan"), "generator must be one of"),
])
def test_bad_control_changes_are_explained(ex, change, words):
    with pytest.raises(ValueError, match=words):
        ex.set(**change)


def test_a_slider_value_out_of_range_is_explained(ex):
    ex.set(cue="error_level")
    with pytest.raises(ValueError, match="quality must be"):
        ex.set(quality=20)


@pytest.mark.parametrize("call, words", [
    (lambda s: explorer.Explorer({"classical": s["classical"].real}), "sets must be a non-empty dict"),
    (lambda s: explorer.Explorer(s, cue="pitch_jitter"), "one of the image cues"),
])
def test_bad_explorer_inputs_are_explained(sets, call, words):
    with pytest.raises(ValueError, match=words):
        call(sets)
