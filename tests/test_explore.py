"""Explorers: headless updates, in-place redraws, live widgets, static fallback."""

import io
import math

import numpy as np
import pytest
from PIL import Image

from gradlab import chains, explore, plotting

EXPLORERS = [explore.ScalarChainExplorer, explore.MatrixProductExplorer]


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


@pytest.mark.parametrize("cls", EXPLORERS)
def test_update_redraws_in_place(cls):
    ex = cls()
    fig, artists = ex.fig, list(ex._animated)
    n_children = len(fig.axes[0].get_children())
    first = ex.render()
    name, control = next(iter(ex.controls.items()))
    new = control.options[-1] if control.options else control.max
    second = ex.update(**{name: new})
    assert second.startswith(b"\x89PNG") and second != first
    assert ex.fig is fig and ex._animated == artists  # same figure, same artists
    assert len(fig.axes[0].get_children()) == n_children  # nothing added per event


@pytest.mark.parametrize("cls", EXPLORERS)
def test_blitted_frame_matches_a_full_redraw(cls):
    ex = cls()
    name, control = list(ex.controls.items())[-1]
    ex.update(**{name: control.options[1] if control.options else control.min})
    blitted = pixels(ex.render())
    full = pixels(ex.static_png(dpi=ex.dpi))
    assert blitted.shape == full.shape
    assert np.mean(np.abs(blitted - full)) < 1.0  # antialiasing noise only


@pytest.mark.parametrize("cls", EXPLORERS)
def test_bad_updates_name_the_control(cls):
    ex = cls()
    with pytest.raises(ValueError, match="nonsense"):
        ex.update(nonsense=1)
    for name, control in ex.controls.items():
        bad = 10**6 if control.options or control.max is not None else -1
        with pytest.raises((ValueError, TypeError), match=name):
            ex.update(**{name: bad})
        with pytest.raises((ValueError, TypeError), match=name):
            ex.update(**{name: "high"})


@pytest.mark.parametrize("cls", EXPLORERS)
def test_mimebundle_has_live_widget_and_static_picture(cls):
    ex = cls()
    data, meta = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["image/png"].startswith(b"\x89PNG")
    assert data["text/plain"].endswith(ex.alt_text())
    assert data["text/plain"].startswith("Interactive explorer")
    assert meta["image/png"][plotting.ALT_KEY] == data["text/plain"]
    assert meta[explore.EXPLORER_KEY] == cls.__name__
    assert "0x" not in data["text/plain"]


@pytest.mark.parametrize("cls", EXPLORERS)
def test_slider_moves_update_the_image(cls):
    import ipywidgets as w

    ex = cls()
    box = ex.widget
    sliders = [c for c in box.children[0].children if isinstance(c, w.widgets.ValueWidget)]
    assert [s.description for s in sliders] == [c.label for c in ex.controls.values()]
    image = box.children[1]
    before = image.value
    slider = sliders[0]
    slider.value = slider.options[-1] if hasattr(slider, "options") else slider.max
    assert image.value != before
    name = list(ex.controls)[0]
    assert ex.values[name] == pytest.approx(slider.value)


def test_float_slider_values_snap_to_the_step():
    ex = explore.ScalarChainExplorer()
    on_change = ex._observer("w", ex.controls["w"])
    on_change({"new": 0.9000000000000001})  # what 90 * 0.01 gives in floating point
    assert ex.values["w"] == 0.9
    on_change({"new": 1.1049})
    assert ex.values["w"] == 1.1


def test_scalar_chain_explorer_shows_the_right_numbers():
    ex = explore.ScalarChainExplorer()
    ex.update(w=1.5, depth=40)
    x, y = ex._line.get_data()
    np.testing.assert_allclose(y, 1.5 ** np.arange(41))
    assert f"{1.5**40:.2e}" in ex._label.get_text()
    assert "grows" in ex.alt_text() and "40" in ex.alt_text()


def test_matrix_explorer_prediction_and_noise():
    ex = explore.MatrixProductExplorer(seed=3)
    ex.update(gain=1.3, width=16)
    sigma = 1.3 / 4
    lam = chains.lyapunov_exponent(16, sigma)
    _, pred = ex._pred.get_data()
    assert pred[-1] == pytest.approx(100 * lam / math.log(10))
    # Changing only the gain shifts every draw by the same line (same noise).
    before = np.array([line.get_ydata() for line in ex._lines])
    ex.update(gain=0.8)
    after = np.array([line.get_ydata() for line in ex._lines])
    shift = np.arange(101) * math.log(0.8 / 1.3) / math.log(10)
    np.testing.assert_allclose(after - before, np.broadcast_to(shift, before.shape), atol=1e-9)
    assert f"{lam:+.4f}" not in ex._label.get_text()
    assert f"{chains.lyapunov_exponent(16, 0.2):+.4f}" in ex._label.get_text()


def test_matrix_explorer_seed_is_reproducible_and_validated():
    a, b = explore.MatrixProductExplorer(seed=1), explore.MatrixProductExplorer(seed=1)
    assert a.render() == b.render()
    with pytest.raises(ValueError, match="seed"):
        explore.MatrixProductExplorer(seed=-1)
