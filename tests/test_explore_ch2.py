"""Chapter 2's explorer draws what gradlab.backprop computes, and says when it clips."""

import math

import matplotlib
import numpy as np
import pytest
from _mutation import shared_scope
from matplotlib.colors import same_color
from matplotlib.transforms import Bbox

from gradlab import backprop, chains, explore, plotting
from gradlab.explore._base import off_scale_count
from gradlab.plotting import COLORS


@pytest.mark.parametrize(
    "activation, depth, gain",
    [("sigmoid", 30, 1.0), ("tanh", 2, 0.5), ("relu", 50, 1.41), ("identity", 17, 1.9)],
)
def test_gradient_flow_explorer_draws_what_backprop_computes(activation, depth, gain):
    ex = explore.GradientFlowExplorer(seed=3)
    ex.update(activation=activation, depth=depth, gain=gain)
    norms = backprop.gradient_norms_at_init(activation, depth, ex.width, gain, seed=3)
    layers, logs = ex._line.get_data()
    np.testing.assert_array_equal(layers, np.arange(1, depth + 1))
    np.testing.assert_allclose(logs, np.log10(norms.backward), rtol=1e-12)
    _, pred = ex._pred.get_data()
    np.testing.assert_allclose(pred, backprop.linear_prediction(norms), rtol=1e-12)
    # The dashed line has Chapter 1's slope, lambda / ln 10 decades per layer.
    lam = chains.lyapunov_exponent(ex.width, gain / math.sqrt(ex.width))
    if depth > 1:
        assert pred[0] - pred[1] == pytest.approx(lam / math.log(10), rel=1e-9)
    header = ex._header.get_text()
    assert f"{norms.decades_lost:+.1f}".replace("-", "−") in header
    assert f"{norms.decades_lost:+.1f} decades" in ex.alt_text()


def test_gradient_flow_explorer_marks_layers_off_scale():
    ex = explore.GradientFlowExplorer()
    ex.update(activation="sigmoid", gain=0.5, depth=50)
    logs = np.log10(ex.norms().backward)
    lo, hi = ex.ylim
    off = int(np.sum((logs < lo) | (logs > hi)))
    assert off > 0
    xs, ys = ex._off.below.get_data()
    assert len(xs) == int(np.sum(logs < lo)) and np.all(np.asarray(ys) == lo)
    assert f"{off} layers off scale" in ex._off.note.get_text()
    assert f"{off} layers fall outside" in ex.alt_text()
    ex.update(gain=1.0, depth=30)
    assert ex._off.note.get_text() == "" and len(ex._off.below.get_data()[0]) == 0


def test_gradient_flow_explorer_choices_and_seed():
    ex = explore.GradientFlowExplorer()
    control = ex.controls["activation"]
    assert control.choices and control.validate("activation", "tanh") == "tanh"
    with pytest.raises(ValueError, match="activation"):
        ex.update(activation="softmax")
    with pytest.raises(ValueError, match="seed"):
        explore.GradientFlowExplorer(seed=-1)
    import ipywidgets as w

    dropdown = ex.widget.children[0].children[0]
    assert isinstance(dropdown, w.Dropdown) and list(dropdown.options) == list(control.options)
    dropdown.value = "relu"
    assert ex.values["activation"] == "relu"


def test_gradient_flow_explorer_is_legible_at_phone_width():
    ex = explore.GradientFlowExplorer()
    for values in ({}, {"activation": "sigmoid", "gain": 0.5, "depth": 50}):
        ex.update(**values)
        assert plotting.phone_text_px(ex.fig, ex._width) >= plotting.MIN_PHONE_TEXT_PX


# -- What the figure shows, read from its artists -------------------------------------------------

# Views that reach each branch (seed 0, the book's): nothing off the plot; the dashed line and two
# measured layers above it (gain 2: about 0.3 decades a layer over 49 layers, from a top near
# 0.6); a shallow net (its first-to-last differences are one or two layers' worth); the measured
# curve below the plot (sigmoid, small gain) with the dashed line inside; a single layer below it.
VIEWS = [
    ("sigmoid", 30, 1.0),
    ("identity", 50, 2.0),
    ("tanh", 3, 2.0),
    ("sigmoid", 50, 0.5),
    ("sigmoid", 50, 0.6),
]


@pytest.fixture(scope=shared_scope)
def shown():
    """One explorer with the default seed, shared by the tests of what set_values writes.

    The tests of what _build draws make their own (about 15 ms): mutmut runs, for a mutant of
    _build, the tests that call _build, and a module fixture's setup counts for one test only.
    """
    return explore.GradientFlowExplorer()


def _expected(activation, depth, gain, seed=0, width=64):
    """What the explorer should say at these settings, from backprop and Chapter 1's slope."""
    ylim = explore.GradientFlowExplorer.ylim
    norms = backprop.gradient_norms_at_init(activation, depth, width, gain, seed=seed)
    lam = chains.lyapunov_exponent(width, gain / math.sqrt(width))
    linear = (depth - 1) * lam / math.log(10)  # dashed line, first layer minus last
    top = math.log10(norms.backward[-1])  # where the dashed line is anchored
    ends = (top, top + linear)
    logs = np.log10(norms.backward)
    return {
        "decades": math.log10(norms.backward[0] / norms.backward[-1]),
        "linear": linear,
        "pred_off": min(ends) < ylim[0] or max(ends) > ylim[1],
        "off": int(np.sum((logs < ylim[0]) | (logs > ylim[1]))),
    }


@pytest.mark.parametrize("activation, depth, gain", VIEWS)
def test_gradient_flow_header_and_alt_text_say_what_is_drawn(shown, activation, depth, gain):
    shown.set_values(activation=activation, depth=depth, gain=gain)
    e = _expected(activation, depth, gain)
    leaves = ", off the plot" if e["pred_off"] else ""
    header = (
        f"{activation}, L = {depth}, gain {gain:.2f}\n"
        f"first layer vs last: {e['decades']:+.1f} decades (linear: {e['linear']:+.1f}{leaves})"
    )
    assert shown._header.get_text() == header.replace("-", "−")  # a true minus sign
    alt = shown.alt_text()
    assert f"by {e['decades']:+.1f} decades, against {e['linear']:+.1f} for a linear" in alt
    leaves = ", which leaves the plotted range" if e["pred_off"] else ""
    clipped = {
        0: "",
        1: " 1 layer falls outside the plotted range, marked by a triangle.",
    }.get(e["off"], f" {e['off']} layers fall outside the plotted range, marked by triangles.")
    assert alt.endswith(f"(dashed straight line{leaves}).{clipped}")


def test_gradient_flow_views_reach_every_branch():
    """VIEWS has a view with the dashed line off the plot, one with it inside, and views with
    none, one and several measured layers off the plot (else the tests above would miss a
    branch)."""
    expected = [_expected(*view) for view in VIEWS]
    assert {e["pred_off"] for e in expected} == {True, False}
    assert {min(e["off"], 2) for e in expected} == {0, 1, 2}


def test_gradient_flow_pred_off_means_outside_the_y_range(shown):
    """The dashed line 'leaves' the plot exactly where OffScale would mark a point: strictly
    outside the y range, below or above (a line ending on an edge is still drawn). No control
    setting takes the line below the range, so it is given here."""
    lo, hi = shown.ylim
    cases = [[lo - 1, 0.0], [0.0, hi + 1], [lo - 1, hi + 1], [lo, hi], [lo, 0.0, hi], [0.0]]
    cases += [[np.nextafter(lo, -np.inf)], [np.nextafter(hi, np.inf)]]
    for pred in map(np.array, cases):
        assert shown._pred_off(pred) is (off_scale_count(pred, (lo, hi)) > 0), pred


def test_gradient_flow_axes_labels_and_legend():
    ex = explore.GradientFlowExplorer()
    ax = ex._line.axes
    depth = ex.controls["depth"]
    assert ax.get_xlim() == (0.0, depth.max + 1)  # layers 1..50 with a layer's margin each side
    assert ax.get_ylim() == ex.ylim
    assert ax.get_xlabel() == "layer ℓ"
    assert ax.get_ylabel() == "log10 ‖∂J/∂a‖ at ℓ's input"
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["measured", "linear network (Chapter 1)"]
    assert legend.legend_handles[0].get_color() == ex._line.get_color()


def test_gradient_flow_line_styles():
    """Measured: blue dots joined by a thin line; prediction: a thicker dashed grey line; a thin
    grey line at 0 (a gradient norm of 1); triangles off the plot in the measured curve's blue."""
    ex = explore.GradientFlowExplorer()
    ax = ex._line.axes
    line, pred = ex._line, ex._pred
    assert same_color(line.get_color(), COLORS["blue"])
    assert (line.get_marker(), line.get_linestyle()) == ("o", "-")
    assert (line.get_markersize(), line.get_linewidth()) == (3, 1.5)
    assert same_color(pred.get_color(), COLORS["grey"])
    assert (pred.get_marker(), pred.get_linestyle(), pred.get_linewidth()) == ("None", "--", 2)
    for marks in (ex._off.below, ex._off.above):
        assert same_color(marks.get_color(), COLORS["blue"])
    ours = {line, pred, ex._off.below, ex._off.above}
    (zero,) = [other for other in ax.get_lines() if other not in ours]
    assert list(zero.get_ydata()) == [0.0, 0.0] and list(zero.get_xdata()) == [0.0, 1.0]
    assert zero.get_transform() == ax.get_yaxis_transform()  # spans the axes' width
    assert same_color(zero.get_color(), COLORS["grey"]) and zero.get_linewidth() == 1


def test_gradient_flow_line_widths_ignore_the_readers_rc():
    """A reader's own rcParams (an earlier notebook cell) leave the explorer's lines as drawn."""
    with matplotlib.rc_context({"lines.linewidth": 4.0, "lines.markersize": 9.0}):
        ex = explore.GradientFlowExplorer()
    assert (ex._line.get_linewidth(), ex._line.get_markersize()) == (1.5, 3)
    assert ex._pred.get_linewidth() == 2


def test_gradient_flow_layout_stays_in_the_figure():
    """Axes (with tick labels), legend and the two-line header lie inside the figure; the
    header is above the legend, the legend above the axes."""
    ex = explore.GradientFlowExplorer()
    ex.update()  # the first draw lays out the tick labels and the legend
    renderer = ex.canvas.get_renderer()
    fig_box = ex.fig.bbox
    ax = ex._line.axes
    # The axes with their ticks and labels (not ax.get_tightbbox: the empty triangle lines,
    # unclipped, report a box around the display origin).
    axes_box = Bbox.union(
        [ax.bbox, ax.xaxis.get_tightbbox(renderer), ax.yaxis.get_tightbbox(renderer)]
    )
    legend_box = ax.get_legend().get_window_extent(renderer)
    header_box = ex._header.get_window_extent(renderer)
    for box in (axes_box, legend_box, header_box):
        assert fig_box.x0 <= box.x0 < box.x1 <= fig_box.x1, box
        assert fig_box.y0 <= box.y0 < box.y1 <= fig_box.y1, box
    assert header_box.y0 >= legend_box.y1 and legend_box.y0 >= ax.bbox.y1
    header = ex._header
    assert header.get_verticalalignment() == "top" and header.get_linespacing() == 1.4


def test_gradient_flow_measures_once_per_view(shown, monkeypatch):
    """Drawing a view and then writing its alt text measures the network once."""
    calls = []
    measure = shown._probe.measure
    monkeypatch.setattr(shown._probe, "measure", lambda *a: calls.append(a) or measure(*a))
    shown.set_values(activation="relu", depth=12, gain=1.3)
    shown.alt_text()
    shown.norms()
    assert calls == [("relu", 12, 1.3)]


def test_gradient_flow_explorer_defaults_seed_and_caption():
    ex = explore.GradientFlowExplorer(caption="  Another caption.  ")
    assert ex.caption == "Another caption."
    assert explore.GradientFlowExplorer().caption == explore.GradientFlowExplorer.caption
    # Seed 0 by default (the book's views are drawn with it).
    np.testing.assert_array_equal(
        ex.norms().backward,
        backprop.gradient_norms_at_init("sigmoid", 30, 64, 1.0, seed=0).backward,
    )
    with pytest.raises(ValueError, match=r"^seed must be >= 0, got -1$"):
        explore.GradientFlowExplorer(seed=-1)
    with pytest.raises(TypeError, match=r"^seed must be an integer"):
        explore.GradientFlowExplorer(seed=1.5)


def test_gradient_flow_explorer_measures_with_its_batch():
    """The class's batch is the batch measured with (a subclass may take another)."""

    class Smaller(explore.GradientFlowExplorer):
        batch = 4

    ex = Smaller(seed=2)
    ex.set_values(activation="tanh", depth=5, gain=1.2)
    norms = backprop.gradient_norms_at_init("tanh", 5, 64, 1.2, batch=4, seed=2)
    np.testing.assert_array_equal(ex.norms().backward, norms.backward)
