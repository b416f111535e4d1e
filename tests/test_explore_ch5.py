"""Chapter 5's explorers draw what gradlab computes, use only serializable animated artists, and
pass the framework's generic checks (test_explore.py)."""

import math

import numpy as np
import pytest
from _mutation import shared_scope
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon

from gradlab import clipping, explore, plotting, rnn
from gradlab import recurrent_study as rs
from gradlab.explore._text import FastText
from gradlab.plotting import COLORS

CLASSES = [explore.ClippingExplorer, explore.RecurrentGradientExplorer]


@pytest.mark.parametrize("cls", CLASSES)
def test_only_serializable_animated_artists(cls):
    ex = cls()
    assert all(type(a) in (Line2D, FastText, Polygon) for a in ex._animated)


@pytest.mark.parametrize("g1, g2, c", [(3.0, 1.0, 1.0), (0.3, 0.4, 1.0), (4.5, 2.0, 0.2)])
def test_clipping_explorer_draws_compare_clipping(g1, g2, c):
    ex = explore.ClippingExplorer()
    ex.update(g1=g1, g2=g2, threshold=c)
    g = np.array([g1, g2])
    norm = math.hypot(g1, g2)
    r = clipping.compare_clipping(g, c)
    for key, vec in (("gradient", g), ("by_value", r.by_value), ("by_norm", r.by_norm)):
        np.testing.assert_allclose(ex._heads[key].get_xy()[0], vec, atol=1e-12)  # the tip
    np.testing.assert_allclose(np.abs(ex._box.get_xy()), c)
    assert f"turned {r.value_angle:.1f}°" in ex._header.get_text()
    header = ex._header.get_text()
    assert f"by value norm {r.value_norm:.2f}" in header and "‖g‖ =" in header
    assert f"by norm: norm {r.by_norm_norm:.2f}" in header
    if norm <= c:  # inside the circle, hence the box: nothing changes
        assert r.value_angle == r.norm_angle == 0.0
        assert "neither clip changes it" in ex.alt_text()
        assert "becomes" not in ex.alt_text()
    else:
        assert f"turned by {r.value_angle:.1f} degrees" in ex.alt_text()
        assert "neither" not in ex.alt_text()


def test_clipping_explorer_zero_gradient():
    ex = explore.ClippingExplorer()
    ex.update(g1=0.0, g2=0.0)
    assert "nothing to clip" in ex._header.get_text() and "zero gradient" in ex.alt_text()
    assert len(ex._arrows["gradient"].get_data()[0]) == 0
    # The alt text still describes what is drawn at each threshold: the box and the circle.
    ex.update(threshold=2.2)
    assert "half-width c = 2.2" in ex.alt_text()
    assert ex.controls["g1"].label == "gradient entry g1"


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"ratio": 0.8, "activation": "sigmoid", "length": 30},
        {"ratio": 2.0, "inputs": 0.1, "length": 100},
    ],
)
def test_recurrent_explorer_draws_temporal_gradient_norms(values):
    ex = explore.RecurrentGradientExplorer()
    ex.update(**values)
    v = ex.values
    r = rs.temporal_gradient_norms(v["activation"], v["ratio"], v["length"], input_std=v["inputs"])
    x, y = ex._line.get_data()
    np.testing.assert_array_equal(x, v["length"] - np.arange(v["length"] + 1))
    np.testing.assert_allclose(y, np.log10(r.relative), rtol=1e-12)
    np.testing.assert_allclose(ex._bound.get_data()[1], x * math.log10(v["ratio"]), atol=1e-12)
    assert f"{r.decades:+.1f} decades" in ex.alt_text()


def test_recurrent_explorer_marks_off_scale_and_caches():
    ex = explore.RecurrentGradientExplorer()
    ex.update(ratio=0.5, activation="sigmoid", length=100, inputs=2.0)
    y = ex._line.get_data()[1]
    n = int(np.sum(y < ex.ylim[0]))
    assert n > 0 and ex._off.note.get_text() == f"{n} steps off scale (triangles)"
    key = next(iter(ex._cache))
    first = ex._cache[key]
    ex.update(ratio=1.0)
    ex.update(ratio=0.5)
    assert ex._cache[("sigmoid", 0.5, 100, 2.0)] is ex.measure()
    assert first is ex._cache[key]
    with pytest.raises(ValueError, match="seed"):
        explore.RecurrentGradientExplorer(seed=-1)


@pytest.mark.parametrize("cls", CLASSES)
def test_is_legible_at_phone_width(cls):
    ex = cls()
    for name, c in cls.controls.items():
        ex.update(**{name: c.options[-1] if c.options else c.max})
        assert plotting.phone_text_px(ex.fig, ex._width) >= plotting.MIN_PHONE_TEXT_PX


# --- RecurrentGradientExplorer, read off one figure driven through its controls -----------------

REC = explore.RecurrentGradientExplorer
GAMMA = {"tanh": 1.0, "sigmoid": 0.25}  # sup |phi'|: the docstring's gamma


@pytest.fixture(scope=shared_scope)
def rec():
    return REC()


def bptt_relative(activation, ratio, length, inputs, seed=0):
    """``||dL/dh_t|| / ||dL/dh_T||``, t = 0..T, by plain numpy BPTT on the network the docstring
    describes: an orthogonal W_hh with every singular value ratio / gamma, 32 units, a batch of
    8, drawn (network, then inputs and targets) from one generator seeded with ``seed``."""
    rng = np.random.default_rng(seed)
    net = rnn.RNN(2, 32, 1, activation, recurrent_scale=ratio / GAMMA[activation], rng=rng)
    X = inputs * rng.standard_normal((8, length, 2))
    y = rng.standard_normal((8, 1))
    assert np.allclose(np.linalg.svd(net.W_hh, compute_uv=False), ratio / GAMMA[activation])
    phi = np.tanh if activation == "tanh" else (lambda z: 1.0 / (1.0 + np.exp(-z)))
    h, zs = np.zeros((8, 32)), []
    for t in range(length):
        zs.append(h @ net.W_hh.T + X[:, t] @ net.W_xh.T)
        h = phi(zs[-1])
    g = (h @ net.W_hy.T - y) @ net.W_hy  # dL/dh_T up to a constant factor, which cancels
    norms = [np.linalg.norm(g)]
    for z in reversed(zs):
        d = 1.0 - np.tanh(z) ** 2 if activation == "tanh" else phi(z) * (1.0 - phi(z))
        g = (g * d) @ net.W_hh
        norms.append(np.linalg.norm(g))
    norms = np.array(norms[::-1])
    return norms / norms[-1]


@pytest.mark.parametrize(
    "activation, ratio, length, inputs", [("tanh", 2.0, 6, 0.5), ("sigmoid", 0.75, 5, 2.0)]
)
def test_recurrent_explorer_plots_the_bptt_norms_of_a_small_network(
    rec, activation, ratio, length, inputs
):
    rec.update(activation=activation, ratio=ratio, length=length, inputs=inputs)
    rel = bptt_relative(activation, ratio, length, inputs)
    back = np.array([length - t for t in range(length + 1)])  # T - t for t = 0..T
    x, y = rec._line.get_data()
    np.testing.assert_array_equal(x, back)
    np.testing.assert_allclose(y, np.log10(rel), rtol=1e-9, atol=1e-12)
    x, y = rec._bound.get_data()
    np.testing.assert_array_equal(x, back)
    np.testing.assert_allclose(y, np.log10(ratio**back), atol=1e-12)


def test_recurrent_explorer_axes_legend_and_reference_line(rec):
    ax = rec.fig.axes[0]
    assert ax.get_xlim() == (0.0, 101.0)  # every T - t of the longest sequence, T = 100
    assert ax.get_ylim() == (-30.0, 30.0) == REC.ylim
    assert (ax.get_xscale(), ax.get_yscale()) == ("linear", "linear")
    assert ax.get_xlabel() == "steps back, T − t"
    assert ax.get_ylabel() == "log10 ‖∂L/∂h_t‖ / ‖∂L/∂h_T‖"
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["measured", "bound (γσ_max)^(T−t)"]
    assert legend.legend_handles[0].get_marker() == "o"  # the measured points
    assert legend.legend_handles[1].get_linestyle() == "--"  # the bound: dashed
    blue, grey = COLORS["blue"], COLORS["grey"]
    assert (rec._line.get_marker(), rec._line.get_linestyle()) == ("o", "-")
    assert to_hex(rec._line.get_color()) == to_hex(blue)
    assert rec._bound.get_linestyle() == "--" and to_hex(rec._bound.get_color()) == to_hex(grey)
    # The triangles marking values off scale take the measured curve's colour.
    assert [to_hex(m.get_color()) for m in (rec._off.below, rec._off.above)] == [to_hex(blue)] * 2
    # A grey horizontal line at 0 (no change from the last step), not animated.
    (zero,) = [line for line in ax.lines if not line.get_animated()]
    assert list(zero.get_ydata()) == [0.0, 0.0] and to_hex(zero.get_color()) == to_hex(grey)


def test_recurrent_explorer_header_sits_inside_the_figure_above_the_legend(rec):
    rec.update(activation="tanh", ratio=0.5, length=50, inputs=0.5)
    renderer = rec.fig.canvas.get_renderer()
    header = rec._header.get_window_extent(renderer)
    figure = rec.fig.bbox
    legend = rec.fig.axes[0].get_legend().get_window_extent(renderer)
    assert header.x0 >= figure.x0 and header.x1 <= figure.x1
    assert header.y1 <= figure.y1 and header.y0 > legend.y1


def header_of(activation, ratio, length, inputs, side, verdict):
    """The header the docstring describes, from an independent measurement."""
    r = rs.temporal_gradient_norms(activation, ratio, length, input_std=inputs)
    decades = math.log10(r.norms[0] / r.norms[-1])
    gamma, sigma = GAMMA[activation], ratio / GAMMA[activation]
    text = (
        f"{activation}, γ = {gamma:g}: σ_max = {sigma:.3g}, {side} 1/γ ({verdict})\n"
        f"T = {length}: {decades:+.1f} decades (bound {length * math.log10(ratio):+.1f}), "
        f"×{10 ** (decades / length):.3g} per step"
    )
    return text.replace("-", "−")  # typographic minus signs


@pytest.mark.parametrize(
    "activation, ratio, length, inputs, side, verdict",
    [
        ("tanh", 0.5, 20, 0.5, "below", "vanishing guaranteed"),
        ("sigmoid", 0.95, 10, 1.0, "below", "vanishing guaranteed"),
        ("tanh", 1.0, 30, 0.5, "at", "the bound is flat"),
        ("tanh", 1.05, 10, 0.1, "above", "exploding possible, not certain"),
        ("sigmoid", 1.5, 12, 0.5, "above", "exploding possible, not certain"),
        ("tanh", 2.0, 15, 2.0, "above", "exploding possible, not certain"),
    ],
)
def test_recurrent_explorer_header_says_which_side_of_the_threshold(
    rec, activation, ratio, length, inputs, side, verdict
):
    rec.update(activation=activation, ratio=ratio, length=length, inputs=inputs)
    text = rec._header.get_text()
    assert text == header_of(activation, ratio, length, inputs, side, verdict)
    assert "-" not in text


def alt_of(activation, ratio, length, inputs):
    r = rs.temporal_gradient_norms(activation, ratio, length, input_std=inputs)
    decades = math.log10(r.norms[0] / r.norms[-1])
    factor = 10 ** (decades / length)
    behaviour = "vanishes" if factor < 0.9 else "explodes" if factor > 1.1 else "neither"
    logs = np.log10(r.norms / r.norms[-1])
    off = int(np.sum(np.abs(logs) > 30.0))
    return (
        f"Plot of log10 of the gradient norm reaching each of {length} steps back in a "
        f"{activation} recurrent network with γ times the largest singular value = {ratio:g} "
        f"and inputs of scale {inputs:g}: it changes by {decades:+.1f} decades ({behaviour}), "
        f"against {length * math.log10(ratio):+.1f} for the bound (dashed straight line)."
    ), off


@pytest.mark.parametrize(
    "values, off",
    [
        (("tanh", 1.0, 50, 0.5), 0),
        (("tanh", 0.55, 70, 1.0), 1),
        (("tanh", 0.5, 80, 0.5), 2),
        (("sigmoid", 0.5, 100, 2.0), None),  # many
    ],
)
def test_recurrent_explorer_alt_text_sentence_by_sentence(rec, values, off):
    activation, ratio, length, inputs = values
    rec.update(activation=activation, ratio=ratio, length=length, inputs=inputs)
    first, n = alt_of(*values)
    assert off is None or n == off  # the setting has that many steps off scale
    note = {
        0: "",
        1: " 1 step falls outside the plotted range, marked by a triangle.",
    }.get(n, f" {n} steps fall outside the plotted range, marked by triangles.")
    assert rec.alt_text() == first + note
    assert rec._off.note.get_text() == (
        f"{n} step{'s' if n > 1 else ''} off scale (triangles)" if n else ""
    )
    y = rec._line.get_data()[1]
    assert len(rec._off.below.get_xdata()) == int(np.sum(y < -30.0))


def test_rounding_sensitive_is_tanh_from_ratio_2_5_and_70_steps():
    sensitive = {"activation": "tanh", "ratio": 2.5, "length": 70}
    assert REC.rounding_sensitive(sensitive)
    assert REC.rounding_sensitive({**sensitive, "ratio": 3.0, "length": 100})
    assert not REC.rounding_sensitive({**sensitive, "ratio": 2.45})
    assert not REC.rounding_sensitive({**sensitive, "length": 69})
    assert not REC.rounding_sensitive({**sensitive, "activation": "sigmoid"})
    # A partial view is not sensitive: a missing ratio or length is none of the exploding ones.
    assert not REC.rounding_sensitive({"activation": "tanh", "length": 100})
    assert not REC.rounding_sensitive({"activation": "tanh", "ratio": 3.0})
    assert not REC.rounding_sensitive({})
