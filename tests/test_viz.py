"""course_lib.viz: how a face swap and a GAN are made, each drawn with a model's own outputs (lab 01)."""
import numpy as np
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

