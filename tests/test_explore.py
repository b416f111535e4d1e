"""Explorers: headless updates, in-place redraws, live widgets, static fallback, honesty."""

import io
import math
import re

import numpy as np
import pytest
from _mutation import shared_scope
from matplotlib.colors import same_color
from matplotlib.patches import Rectangle
from PIL import Image

from gradlab import chains, explore, plotting
from gradlab.explore._base import LIVE_NOTE, Control, Explorer, fmt

#: Every explorer of the book: the framework's checks below run on each of them.
EXPLORERS = [
    cls
    for cls in (getattr(explore, name) for name in explore.__all__)
    if isinstance(cls, type) and issubclass(cls, explore.Explorer) and cls is not explore.Explorer
]
LN10 = math.log(10)


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


def sliders_of(ex):
    import ipywidgets as w

    box = ex.widget
    return [c for c in box.children[0].children if isinstance(c, w.widgets.ValueWidget)]


def test_package_layout_keeps_the_public_names():
    from gradlab.explore import EXPLORER_KEY, LIVE_NOTE, Control, Explorer, ch1

    assert EXPLORER_KEY == "gradlab/explorer" and "JupyterLab" in LIVE_NOTE
    assert explore.ScalarChainExplorer is ch1.ScalarChainExplorer
    assert issubclass(explore.MatrixProductExplorer, Explorer)
    assert isinstance(explore.ScalarChainExplorer.controls["w"], Control)


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
def test_static_png_keeps_the_live_background(cls):
    # The first move after display must not pay for a full redraw.
    ex = cls()
    ex.render()
    background = ex._background
    ex._repr_mimebundle_()
    assert ex._background is background
    name, control = list(ex.controls.items())[0]
    value = control.options[0] if control.options else control.min
    moved = pixels(ex.update(**{name: value}))
    fresh = cls()
    fresh.update(**{name: value})
    assert np.array_equal(moved, pixels(fresh.render()))


@pytest.mark.parametrize("cls", EXPLORERS)
def test_bad_updates_name_the_control(cls):
    ex = cls()
    with pytest.raises(ValueError, match="nonsense"):
        ex.update(nonsense=1)
    for name, control in ex.controls.items():
        # A choice takes one of its strings; a number takes a number in range.
        wrong_value = ("high", "") if control.choices else (10**6, -1, math.nan, math.inf)
        wrong_type = (10**6, math.nan, None, True) if control.choices else ("high", None, True)
        for bad in wrong_value:
            with pytest.raises(ValueError, match=name):
                ex.update(**{name: bad})
        for bad in (*wrong_type, [1.0]):
            with pytest.raises(TypeError, match=name):
                ex.update(**{name: bad})


@pytest.mark.parametrize(
    "cls, bad, good",
    [
        (explore.MatrixProductExplorer, {"width": 8.5}, {"width": 16, "gain": 1.3}),
        (explore.MatrixProductExplorer, {"gain": 1.5, "width": 3}, {"gain": 0.7}),
        (explore.MatrixProductExplorer, {"gain": math.nan}, {"width": 2}),
        (explore.ScalarChainExplorer, {"w": 1.2, "depth": 40.5}, {"depth": 30}),
        (explore.ScalarChainExplorer, {"w": 2.0}, {"w": 0.6}),
        (explore.GradientFlowExplorer, {"activation": "softmax"}, {"activation": "relu"}),
        (explore.GradientFlowExplorer, {"depth": 30, "gain": 3.0}, {"depth": 12}),
        (explore.GradientFlowExplorer, {"activation": 1.0}, {"gain": 0.8}),
    ],
)
def test_a_rejected_update_changes_nothing(cls, bad, good):
    ex = cls()
    values, png = dict(ex.values), ex.render()
    with pytest.raises((ValueError, TypeError)):
        ex.update(**bad)
    assert ex.values == values
    assert ex.render() == png
    fresh = cls()
    assert ex.update(**good) == fresh.update(**good)


def test_values_are_coerced_to_the_controls_type():
    ex = explore.MatrixProductExplorer()
    ex.update(width=8.0)  # equal to the option 8: stored as the option itself
    assert ex.values["width"] == 8 and type(ex.values["width"]) is int
    ex.update(gain=1.2)  # later updates still work (they used to fail for good)
    ex.update(width=np.int64(16), gain=np.float64(1.1))
    assert type(ex.values["width"]) is int and type(ex.values["gain"]) is float
    scalar = explore.ScalarChainExplorer()
    scalar.update(depth=40.0)
    assert scalar.values["depth"] == 40 and type(scalar.values["depth"]) is int
    scalar.update(w=1)
    assert type(scalar.values["w"]) is float


@pytest.mark.parametrize("cls", EXPLORERS)
def test_mimebundle_has_live_widget_and_static_picture(cls):
    ex = cls()
    data, meta = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["image/png"].startswith(b"\x89PNG")
    assert data["text/plain"].endswith(ex.alt_text())
    assert data["text/plain"].startswith("Interactive explorer")
    assert meta["image/png"][plotting.ALT_KEY] == data["text/plain"]
    assert meta["image/png"][plotting.CAPTION_KEY] == ex.caption
    assert 20 < len(ex.caption) < 300
    assert meta[explore.EXPLORER_KEY] == cls.__name__
    assert "0x" not in data["text/plain"]


def test_caption_can_be_replaced_and_is_validated():
    ex = explore.ScalarChainExplorer(caption=" Watch the slope. ")
    _, meta = ex._repr_mimebundle_()
    assert meta["image/png"][plotting.CAPTION_KEY] == "Watch the slope."
    assert explore.ScalarChainExplorer().caption != "Watch the slope."  # class default kept
    with pytest.raises(TypeError, match="caption"):
        explore.MatrixProductExplorer(caption=3)


@pytest.mark.parametrize("cls", EXPLORERS)
def test_slider_moves_update_the_image(cls):
    ex = cls()
    sliders = sliders_of(ex)
    assert [s.description for s in sliders] == [c.label for c in ex.controls.values()]
    image = ex.widget.children[1]
    before = image.value
    slider = sliders[0]
    control = next(iter(ex.controls.values()))
    # A labelled drop-down's options are (label, value) pairs; its value is the option.
    slider.value = control.options[-1] if control.options is not None else slider.max
    assert image.value != before
    name = list(ex.controls)[0]
    assert ex.values[name] == pytest.approx(slider.value)


@pytest.mark.parametrize("cls", EXPLORERS)
def test_no_slider_value_raises_in_the_callback(cls):
    ex = cls()
    ex.widget  # noqa: B018 - builds the live view and its status line
    image, status = ex.widget.children[1], ex.widget.children[2]
    for name, control in ex.controls.items():
        on_change = ex._observer(name, control)
        values, shown = dict(ex.values), image.value
        for bad in (math.nan, math.inf, -math.inf, None, "abc", 1e9, -5.0, 8.5, True):
            on_change({"new": bad})  # must not raise
            assert ex.values == values and image.value == shown
            assert ex.message.startswith(f"Ignored {control.label}") and name in ex.message
            assert "Ignored" in status.value and "Traceback" not in status.value
        good = control.options[0] if control.options else control.min
        on_change({"new": good})
        assert ex.values[name] == good and ex.message == "" and status.value == ""


def test_float_slider_values_snap_to_the_step_without_float_noise():
    ex = explore.ScalarChainExplorer()
    on_change = ex._observer("w", ex.controls["w"])
    cases = [(57 * 0.01, 0.57), (0.7 + 0.1, 0.8), (3 * 0.3, 0.9), (1.5 + 3e-16, 1.5)]
    for noisy, clean in cases:
        assert noisy != clean  # the input really carries float noise
    for noisy, clean in cases:
        on_change({"new": noisy})
        assert ex.values["w"] == clean and repr(ex.values["w"]) == repr(clean)
    on_change({"new": 1.1049})
    assert ex.values["w"] == 1.1
    gain = explore.MatrixProductExplorer()
    assert 1.1 * 1.1 != 1.21
    gain._observer("gain", gain.controls["gain"])({"new": 1.1 * 1.1})
    assert repr(gain.values["gain"]) == "1.21"


@pytest.mark.parametrize("w, depth", [(0.5, 100), (0.9, 50), (1.0, 7), (1.27, 1), (1.5, 100)])
def test_scalar_explorer_draws_what_scalar_chain_computes(w, depth):
    ex = explore.ScalarChainExplorer()
    ex.update(w=w, depth=depth)
    x, y = ex._line.get_data()
    expected = np.abs(chains.scalar_chain(w, depth))
    np.testing.assert_array_equal(x, np.arange(depth + 1))
    np.testing.assert_allclose(y, expected, rtol=1e-12)
    assert ex._dot.get_data()[1][0] == expected[-1]
    lo, hi = ex._ax.get_ylim()
    assert lo <= y.min() and y.max() <= hi  # every setting stays in view
    slope = math.log10(w)
    assert f"{slope:+.4f} decades per layer" in ex._label.get_text()
    alt = ex.alt_text()
    assert str(depth) in alt
    if w != 1:
        assert f"{abs(slope):.4f} decades per layer" in alt
        assert f"every {1 / abs(slope):.1f} layers" in alt
    assert ("falls" in alt) == (w < 1) and ("rises" in alt) == (w > 1)


@pytest.mark.parametrize(
    "gain, width, seed", [(1.0, 4, 0), (1.3, 16, 3), (0.5, 1, 0), (2.0, 1024, 5), (0.8, 2, 1)]
)
def test_matrix_explorer_draws_what_the_chains_functions_compute(gain, width, seed):
    ex = explore.MatrixProductExplorer(seed=seed)
    ex.update(gain=gain, width=width)
    sigma = gain / math.sqrt(width)
    rng = np.random.default_rng([seed, width])
    logs = chains.log_norms(width, 100, sigma, 8, rng=rng, method="chi2") / LN10
    drawn = np.array([line.get_ydata() for line in ex._lines])
    np.testing.assert_allclose(drawn, logs, atol=1e-9)
    lam = chains.lyapunov_exponent(width, sigma)
    np.testing.assert_allclose(ex._pred.get_ydata(), np.arange(101) * lam / LN10, atol=1e-12)
    header = ex._header.get_text()
    assert f"predicted {lam / LN10:+.4f}" in header
    assert f"measured {np.mean(logs[:, -1]) / 100:+.4f}" in header
    assert f"critical gain {chains.critical_scale(width) * math.sqrt(width):.4f}" in header
    alt = ex.alt_text()
    assert f"{lam / LN10:+.4f} decades per layer" in alt and f"lambda = {lam:+.4f}" in alt


def test_matrix_explorer_changing_the_gain_only_shifts_the_draws():
    ex = explore.MatrixProductExplorer(seed=3)
    ex.update(gain=1.3, width=16)
    before = np.array([line.get_ydata() for line in ex._lines])
    ex.update(gain=0.8)
    after = np.array([line.get_ydata() for line in ex._lines])
    shift = np.arange(101) * math.log(0.8 / 1.3) / LN10
    np.testing.assert_allclose(after - before, np.broadcast_to(shift, before.shape), atol=1e-9)


@pytest.mark.parametrize("gain, width", [(0.5, 1), (0.5, 2), (0.6, 1), (1.0, 4), (2.0, 1024)])
def test_matrix_explorer_marks_every_line_that_leaves_the_axis(gain, width):
    ex = explore.MatrixProductExplorer()
    ex.update(gain=gain, width=width)
    lo, hi = ex._lines[0].axes.get_ylim()
    draws = np.array([line.get_ydata() for line in ex._lines])
    pred = ex._pred.get_ydata()
    n_below = int(np.sum(np.any(draws < lo, axis=1)))
    n_above = int(np.sum(np.any(draws > hi, axis=1)))
    xb, yb = ex._below.get_data()
    xa, ya = ex._above.get_data()
    assert len(xb) == n_below and len(xa) == n_above
    assert all(y == lo for y in yb) and all(y == hi for y in ya)
    pred_off = bool(np.any((pred < lo) | (pred > hi)))
    assert len(ex._pred_below.get_data()[0]) + len(ex._pred_above.get_data()[0]) == pred_off
    for x, row in zip(xb, draws[np.any(draws < lo, axis=1)], strict=True):
        first = int(np.flatnonzero(row < lo)[0])  # the marker sits where the line crosses
        assert first - 1 <= x <= first
    note = ex._clip_note.get_text()
    total = n_below + n_above + pred_off
    if total:
        assert "off scale" in note and str(total) in note
        assert "leave the plotted range" in ex.alt_text()
    else:
        assert note == "" and "leave the plotted range" not in ex.alt_text()
    if (gain, width) in [(0.5, 1), (0.5, 2)]:
        assert n_below > 0  # these settings really do leave the axis


def _matrix_with_rows(monkeypatch, rows):
    """A matrix explorer whose eight lines are ``rows`` (hand-made log10 norms, depth 100)."""
    ex = explore.MatrixProductExplorer()
    layers = np.arange(ex.depth + 1)
    table = np.array([np.asarray(r(layers), dtype=float) for r in rows])
    monkeypatch.setattr(ex, "_logs", lambda gain, width: table)
    ex.set_values(gain=1.0, width=4)  # the prediction at gain 1, width 4 stays inside
    assert not np.any(np.abs(ex._pred.get_ydata()) > 40)
    return ex


def test_matrix_explorer_exits_and_notes_of_hand_made_lines(monkeypatch):
    flat = lambda x: 0.0 * x  # noqa: E731
    # up by 1 a layer from 0 to 30 (layer 30), then 25 a layer: 55 at 31, so it crosses +40
    # at 30 + (40 - 30) / (55 - 30) = 30.4 (the interpolation uses the previous layer only)
    steep = lambda x: np.where(x <= 30, x, 30 + 25 * (x - 30.0))  # noqa: E731
    touch = lambda x: np.where(x == 50, 40.0, np.where(x == 60, -40.0, 0.0))  # noqa: E731
    rows = [steep, touch] + [flat] * 6
    ex = _matrix_with_rows(monkeypatch, rows)
    xa, ya = ex._above.get_data()
    assert list(ya) == [40.0] and xa[0] == pytest.approx(30.4, abs=1e-12)
    assert len(ex._below.get_data()[0]) == 0  # touching -40 or +40 is not leaving
    note = ex._clip_note
    assert note.get_text() == "▲ 1 line off scale above +40"
    # nothing below: the note sits at the bottom, where the plot is empty
    assert note.get_position()[1] == pytest.approx(0.03) and note.get_va() == "bottom"
    # two lines above, one below: both notes, plural, one per line; the note at the top
    down = lambda x: np.where(x <= 10, -3.0 * x, -30 - 20 * (x - 10.0))  # noqa: E731
    ex = _matrix_with_rows(monkeypatch, [steep, steep, down] + [flat] * 5)
    assert ex._clip_note.get_text() == (
        "▼ 1 line off scale below −40\n▲ 2 lines off scale above +40"
    )
    assert ex._clip_note.get_position()[1] == pytest.approx(0.97)
    assert ex._clip_note.get_va() == "top"
    xb, yb = ex._below.get_data()
    assert list(yb) == [-40.0] and xb[0] == pytest.approx(10.5, abs=1e-12)  # -30 to -50


def test_background_lines_are_faint_and_the_focus_lines_stand_out():
    # What the reader should look at is drawn solid and thicker; the context behind it (the
    # eight random draws, the reference chains w = 0.5 and 1.5) is translucent and thinner.
    ex = explore.MatrixProductExplorer()
    for line in ex._lines:
        assert 0 < line.get_alpha() < 1
        assert line.get_linewidth() < ex._pred.get_linewidth()
    assert ex._pred.get_alpha() in (None, 1.0)
    scalar = explore.ScalarChainExplorer()
    ax = scalar._line.axes
    refs = [ln for ln in ax.get_lines() if ln is not scalar._line and ln is not scalar._dot]
    refs = [ln for ln in refs if len(ln.get_xdata()) == 101]  # the w = 0.5 and 1.5 chains
    assert len(refs) == 2
    for line in refs:
        assert 0 < line.get_alpha() < 1
        assert line.get_linewidth() < scalar._line.get_linewidth()


def test_matrix_explorer_seed_is_reproducible_and_validated():
    a, b = explore.MatrixProductExplorer(seed=1), explore.MatrixProductExplorer(seed=1)
    assert a.render() == b.render()
    with pytest.raises(ValueError, match=r"^seed must be >= 0, got -1"):
        explore.MatrixProductExplorer(seed=-1)


@pytest.mark.parametrize("cls", EXPLORERS)
def test_live_png_is_lossless(cls):
    ex = cls()
    png = ex.render()
    drawn = np.asarray(ex.canvas.buffer_rgba())[..., :3]
    assert np.array_equal(pixels(png).astype(np.uint8), drawn)


@pytest.mark.parametrize("dpi", [100, 200])
def test_fast_text_draws_like_matplotlib_text(dpi):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from gradlab.explore._text import FastText

    def draw(cls, text):
        fig = Figure(figsize=(6, 1), dpi=dpi)
        canvas = FigureCanvasAgg(fig)
        fig.add_artist(cls(0.05, 0.9, text, fontsize=11, va="top", linespacing=1.4))
        canvas.draw()
        return np.asarray(canvas.buffer_rgba())[..., 0].astype(float)

    text = "n = 4, σ = 0.5, gain 1.00 (critical gain 1.1447)\nslope −0.0587, measured +0.0590"
    reference, fast = draw(Text, text), draw(FastText, text)
    assert (255 - fast).sum() == pytest.approx((255 - reference).sum(), rel=0.02)  # same ink
    # Same place: the ink's bounding box agrees within a pixel or two at 200 dpi.
    for axis in (0, 1):
        ink_ref = np.flatnonzero((reference < 128).any(axis=1 - axis))
        ink_fast = np.flatnonzero((fast < 128).any(axis=1 - axis))
        assert abs(ink_ref[0] - ink_fast[0]) <= dpi // 100
        assert abs(ink_ref[-1] - ink_fast[-1]) <= 2 * dpi // 100
    # Same shapes: after aligning by at most a pixel per 100 dpi, the pixels agree.
    shifts = range(-(dpi // 100), dpi // 100 + 1)
    best = min(np.mean(np.abs(reference - np.roll(fast, dy, axis=0))) for dy in shifts)
    assert best < 3.0
    # Mathtext falls back to Text.draw: identical pixels.
    assert np.array_equal(draw(Text, r"$x^2$"), draw(FastText, r"$x^2$"))


def test_default_views_are_the_ones_the_chapters_describe():
    """The notes under each explorer in the book name its default view."""
    assert explore.ScalarChainExplorer().values == {"w": 0.9, "depth": 50}
    assert explore.MatrixProductExplorer().values == {"gain": 1.0, "width": 4}
    assert explore.GradientFlowExplorer().values == {
        "activation": "sigmoid",
        "depth": 30,
        "gain": 1.0,
    }
    assert explore.ActivationStatsExplorer().values == {
        "activation": "tanh",
        "depth": 20,
        "gain": 1.0,
    }
    assert explore.InitializationExplorer().values == {
        "scheme": "lecun_normal",
        "activation": "relu",
        "depth": 30,
        "width": 64,
    }


def test_off_scale_marks_points_beyond_the_axis_and_keeps_its_note_clear_of_them():
    fig, ax = plotting.new_figure()
    ax.set_ylim(-1, 1)
    off = explore.OffScale(ax, "blue")
    x, y = np.arange(5), np.array([0.0, 2.0, -3.0, 0.5, 5.0])
    assert off.update(x, y, (-1, 1)) == 3
    np.testing.assert_array_equal(off.above.get_data()[0], [1, 4])
    np.testing.assert_array_equal(off.above.get_data()[1], [1, 1])
    np.testing.assert_array_equal(off.below.get_data()[0], [2])
    assert off.note.get_text() == "3 layers off scale (triangles)"
    assert off.note.get_va() == "bottom"  # triangles on the top edge: the note goes low
    assert off.update(x, np.clip(y, -2, 0.5), (-1, 1)) == 1 and off.note.get_va() == "top"
    assert off.update(x, np.zeros(5), (-1, 1)) == 0 and off.note.get_text() == ""
    assert len(off.below.get_data()[0]) == len(off.above.get_data()[0]) == 0


def test_float_noise_is_a_grid_point_not_an_error():
    from gradlab import explore

    e = explore.ClippingExplorer()
    e.set_values(threshold=0.2 + 28 * 0.1)  # 3.0000000000000004
    assert e.values["threshold"] == 3.0
    e.set_values(threshold=0.25)  # a value between grid points is kept, not snapped
    assert e.values["threshold"] == 0.25
    with pytest.raises(ValueError, match="threshold"):
        e.set_values(threshold=3.05)


# --- nothing drawn over anything else (explorer states a reviewer found colliding) ----------


def _extent(artist, renderer):
    return artist.get_window_extent(renderer)


@pytest.mark.parametrize(
    ("cls", "values"),
    [
        (explore.GradientFlowExplorer, {"activation": "identity", "depth": 50, "gain": 2.0}),
        (explore.ActivationStatsExplorer, {"activation": "gelu_tanh", "depth": 40, "gain": 3.0}),
        (explore.MatrixProductExplorer, {"gain": 0.5, "width": 1}),
    ],
)
def test_off_scale_triangles_stay_inside_their_axes_clear_of_the_legend(cls, values):
    ex = cls()
    ex.update(**values)
    renderer = ex.canvas.get_renderer()
    ex.fig.draw(renderer)
    triangles = [
        line
        for ax in ex.fig.axes
        for line in ax.get_lines()
        if line.get_marker() in ("^", "v") and len(line.get_xdata())
    ]
    assert triangles, "the state must put something off scale"
    legends = [ax.get_legend() for ax in ex.fig.axes if ax.get_legend() is not None]
    for line in triangles:
        box, axes = _extent(line, renderer), line.axes.bbox
        assert axes.y0 - 0.5 <= box.y0 and box.y1 <= axes.y1 + 0.5, (box, axes)
        for legend in legends:
            assert not box.overlaps(_extent(legend, renderer)), (box, legend)


@pytest.mark.parametrize(("w", "depth"), [(1.5, 100), (0.5, 100), (1.0, 100), (1.5, 99)])
def test_the_chain_end_dot_is_whole_and_clear_of_the_line_labels(w, depth):
    ex = explore.ScalarChainExplorer()
    ex.update(w=w, depth=depth)
    renderer = ex.canvas.get_renderer()
    ex.fig.draw(renderer)
    dot = _extent(ex._dot, renderer)
    labels = [t for t in ex._ax.texts if t.get_text().startswith("w = ")]
    assert len(labels) == 3
    for label in labels:
        assert not dot.overlaps(_extent(label, renderer)), label.get_text()
    assert not ex._dot.get_clip_on()  # drawn whole on the axes' edge


# -- Off-plot notes in the alt texts agree in number with their count -----------------------


@pytest.mark.parametrize("off", [1, 2, 3])
def test_matrix_product_alt_text_counts_lines_off_the_plot(monkeypatch, off):
    ex = explore.MatrixProductExplorer()
    lo, hi = ex.ylim
    real = ex._logs

    def logs(gain, width):
        out = np.array(real(gain, width), dtype=float)
        out[:] = (lo + hi) / 2
        out[:off, -1] = hi + 1  # the last point of `off` lines above the range
        return out

    monkeypatch.setattr(ex, "_logs", logs)
    alt = ex.alt_text()
    n = ex.n_draws
    if off == 1:
        assert f" 1 of the {n} lines leaves the plotted range" in alt
        assert "marked by a triangle at the edge." in alt
    else:
        assert f" {off} of the {n} lines leave the plotted range" in alt
        assert "marked by triangles at the edge." in alt


@pytest.mark.parametrize("off", [1, 4])
def test_recurrent_alt_text_counts_steps_off_the_plot(monkeypatch, off):
    from gradlab.explore import ch5

    ex = explore.RecurrentGradientExplorer()
    monkeypatch.setattr(ch5, "off_scale_count", lambda values, lim: off)
    one = " 1 step falls outside the plotted range, marked by a triangle."
    many = f" {off} steps fall outside the plotted range, marked by triangles."
    assert (one if off == 1 else many) in ex.alt_text()


@pytest.mark.parametrize("counts, off", [((1, 0, 0), 1), ((0, 2, 1), 3)])
def test_ladder_alt_text_counts_points_off_the_plot(monkeypatch, counts, off):
    from gradlab.explore import ch6

    ex = explore.LadderExplorer()
    seen = iter(counts)
    monkeypatch.setattr(ch6, "off_scale_count", lambda values, lim: next(seen))
    alt = ex.alt_text()
    if off == 1:
        assert " 1 point lies off the plotted ranges, marked by a triangle." in alt
    else:
        assert f" {off} points lie off the plotted ranges, marked by triangles." in alt


# -- Chapter 1's explorers, read from their figures -------------------------------------------
#
# One explorer of each per module. mutmut credits a module fixture's setup (and so _build) to
# the first test that uses it only: the test reading what _build draws comes first.


def _in_palette(color):
    """The course's rule: every colour is one of the Okabe-Ito palette of plotting.COLORS."""
    return any(same_color(color, c) for c in plotting.COLORS.values())


def _named(name):
    """The colour that prose calls ``name`` (plotting.COLOR_NAMES), as drawn."""
    return plotting.COLORS[next(k for k, v in plotting.COLOR_NAMES.items() if v == name)]


def _inside(box, outer):
    return outer.x0 <= box.x0 < box.x1 <= outer.x1 and outer.y0 <= box.y0 < box.y1 <= outer.y1


@pytest.fixture(scope=shared_scope)
def scalar():
    return explore.ScalarChainExplorer()


@pytest.fixture(scope=shared_scope)
def matrix():
    return explore.MatrixProductExplorer()


def test_scalar_chain_figure_axes_reference_lines_and_their_labels(scalar):
    ax, fig = scalar._ax, scalar.fig
    renderer = scalar.canvas.get_renderer()
    assert _inside(ax.bbox, fig.bbox)
    assert ax.get_yscale() == "log"
    assert ax.get_xlim() == (0, 100) and ax.get_ylim() == (1e-32, 1e20)
    np.testing.assert_array_equal(ax.get_yticks(), [10.0**k for k in range(-30, 21, 10)])
    assert ax.get_xlabel() == "layer ℓ" and ax.get_ylabel() == "|a| at layer ℓ (log scale)"
    # "Grey reference lines show w = 0.5, w = 1 and w = 1.5": |w|^l over the whole axis.
    layers = np.arange(101)
    refs = [line for line in ax.get_lines() if line not in (scalar._line, scalar._dot)]
    by_w = {}
    for line in refs:
        x, y = (np.asarray(d, dtype=float) for d in line.get_data())
        if len(x) == 2:  # the flat line, across the axes (axes-fraction x)
            np.testing.assert_array_equal(x, [0, 1])
            by_w[float(y[0])] = line
            np.testing.assert_array_equal(y, [1.0, 1.0])
        else:
            np.testing.assert_array_equal(x, layers)
            by_w[float(y[1])] = line  # |w|^1
            np.testing.assert_allclose(y, y[1] ** layers.astype(float), rtol=1e-12)
        assert same_color(line.get_color(), _named("grey"))
    assert sorted(by_w) == [0.5, 1.0, 1.5] and len(refs) == 3
    # The flat line is told apart from the sloped ones by more than its slope.
    assert by_w[1.0].get_linestyle() == "--"
    assert by_w[0.5].get_linestyle() == by_w[1.5].get_linestyle() == "-"
    # Each reference line is labelled at its right end, in its colour, just right of the axes.
    labels = {t.get_text(): t for t in ax.texts}
    assert sorted(labels) == ["w = 0.5", "w = 1", "w = 1.5"]
    for w in (0.5, 1.0, 1.5):
        label = labels[f"w = {w:g}"]
        assert label.xy == (100, w**100)
        assert same_color(label.get_color(), by_w[w].get_color())
        box = label.get_window_extent(renderer)
        y_end = ax.transData.transform((100, w**100))[1]
        assert box.x0 > ax.bbox.x1  # right of the axes (the dot sits on its edge)
        assert abs((box.y0 + box.y1) / 2 - y_end) < box.height / 4  # centred on the line
    # The chain and its end dot: palette colours, told apart from each other and the greys.
    line, dot = scalar._line, scalar._dot
    assert line.get_marker() in ("None", "", None) and dot.get_marker() == "o"
    for artist in (line, dot):
        assert _in_palette(artist.get_color())
        assert not same_color(artist.get_color(), _named("grey"))
    assert not same_color(line.get_color(), dot.get_color())
    # The two-line label: inside the figure, above the axes.
    box = scalar._label.get_window_extent(renderer)
    assert _inside(box, fig.bbox) and box.y0 >= ax.bbox.y1


def _number_after(text, prefix):
    match = re.search(re.escape(prefix) + r"(\S+?)(?:[\s,)]|\.?$)", text)
    assert match, (prefix, text)
    return float(match.group(1).replace("−", "-"))


@pytest.mark.parametrize("w, depth", [(0.9, 50), (0.5, 100), (1.0, 7), (1.27, 3), (1.5, 99)])
def test_scalar_chain_line_dot_label_and_alt_text_show_w_to_the_l(scalar, w, depth):
    scalar.set_values(w=w, depth=depth)
    x, y = scalar._line.get_data()
    layers = np.arange(depth + 1)
    np.testing.assert_array_equal(x, layers)
    np.testing.assert_allclose(y, w ** layers.astype(float), rtol=1e-12)
    dx, dy = scalar._dot.get_data()
    assert list(dx) == [depth] and dy[0] == pytest.approx(w**depth, rel=1e-12)
    first, second = scalar._label.get_text().split("\n")
    assert first.startswith(f"w = {w:.2f}, L = {depth}:  |w|^L = ")
    assert _number_after(first, "|w|^L = ") == pytest.approx(w**depth, rel=5e-3)
    assert second == f"slope {math.log10(w):+.4f} decades per layer"
    # The alt text, sentence by sentence.
    plot, refs = re.split(r"(?<=\.) (?=[A-Z])", scalar.alt_text())
    head = f"Log-scale plot of |a_l| = |w|^l against layer l for w = {w:.2f}: a straight line that "
    assert plot.startswith(head) and plot.endswith(f" at depth L = {depth}.")
    assert _number_after(plot, "reaching ") == pytest.approx(w**depth, rel=5e-3)
    trend = plot[len(head) :]
    if w == 1:
        assert trend.startswith("stays flat at 1, ")
    else:
        assert trend.startswith("falls by " if w < 1 else "rises by ")
        decades = abs(math.log10(w))
        assert _number_after(trend, "by ") == pytest.approx(decades, abs=5e-5)
        assert f" decades per layer (a factor of 10 every {1 / decades:.1f} layers)," in trend
    assert refs == "Grey reference lines show w = 0.5, w = 1 and w = 1.5."


def test_matrix_product_figure_axes_legend_colours_and_texts(matrix):
    ax, fig = matrix.fig.axes[0], matrix.fig
    renderer = matrix.canvas.get_renderer()
    assert _inside(ax.bbox, fig.bbox)
    assert ax.get_xlim() == (0, 100) and ax.get_ylim() == (-40, 40)
    assert ax.get_xlabel() == "layer ℓ" and ax.get_ylabel() == "log10 ‖x‖ at layer ℓ"
    # The caption: "Eight random products (solid) and the Lyapunov prediction (dashed)".
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "8 random products",
        "prediction ℓλ / ln 10",
    ]
    products, prediction = legend.legend_handles
    assert len(matrix._lines) == matrix.n_draws == 8
    for line in matrix._lines:
        assert same_color(line.get_color(), products.get_color())
        assert line.get_linestyle() == products.get_linestyle() == "-"
        np.testing.assert_array_equal(line.get_xdata(), np.arange(101))
    assert same_color(matrix._pred.get_color(), prediction.get_color())
    assert matrix._pred.get_linestyle() == prediction.get_linestyle() == "--"
    assert not same_color(products.get_color(), prediction.get_color())
    # The zero line (norm unchanged) is neither a product nor the prediction.
    (zero,) = [line for line in ax.get_lines() if list(line.get_ydata()) == [0, 0]]
    np.testing.assert_array_equal(zero.get_xdata(), [0, 1])
    for handle in (products, prediction):
        assert not same_color(zero.get_color(), handle.get_color())
    # Off-scale triangles (▼ below, ▲ above) in the colour of the line they mark.
    marks = {
        (matrix._below, "v"): products,
        (matrix._above, "^"): products,
        (matrix._pred_below, "v"): prediction,
        (matrix._pred_above, "^"): prediction,
    }
    for (mark, shape), handle in marks.items():
        assert mark.get_marker() == shape and same_color(mark.get_color(), handle.get_color())
    assert all(_in_palette(line.get_color()) for line in ax.get_lines())
    # The off-scale note sits inside the axes; the header inside the figure, above the legend.
    matrix.set_values(gain=0.5, width=1)
    note = matrix._clip_note.get_window_extent(renderer)
    assert "off scale" in matrix._clip_note.get_text() and _inside(note, ax.bbox)
    header = matrix._header.get_window_extent(renderer)
    assert _inside(header, fig.bbox) and header.y0 >= legend.get_window_extent(renderer).y1


def _draws(gain, width, seed=0):
    """The eight lines and the dashed one, from gradlab.chains, in decades."""
    sigma = gain / math.sqrt(width)
    rng = np.random.default_rng([seed, width])
    logs = chains.log_norms(width, 100, sigma, 8, rng=rng, method="chi2") / LN10
    return logs, np.arange(101) * chains.lyapunov_exponent(width, sigma) / LN10


@pytest.mark.parametrize("gain, width", [(0.5, 1), (0.5, 2), (0.6, 1), (1.0, 4)])
def test_matrix_product_note_says_how_many_lines_leave_and_where(matrix, gain, width):
    matrix.set_values(gain=gain, width=width)
    logs, pred = _draws(gain, width)
    assert not np.any(logs > 40) and not np.any(pred > 40)  # no gain reaches the top edge
    n = int(np.sum(np.any(logs < -40, axis=1))) + bool(np.any(pred < -40))
    lines = f"{n} line{'s' if n > 1 else ''}"
    assert matrix._clip_note.get_text() == (f"▼ {lines} off scale below −40" if n else "")


@pytest.mark.parametrize("gain, width", [(1.0, 4), (0.5, 1), (2.0, 1024), (1.3, 16)])
def test_matrix_product_alt_text_sentence_by_sentence(matrix, gain, width):
    matrix.set_values(gain=gain, width=width)
    logs, pred = _draws(gain, width)
    sigma = gain / math.sqrt(width)
    lam = chains.lyapunov_exponent(width, sigma)
    alt = matrix.alt_text()
    plot, *clipped = re.split(r"(?<=\.) (?=\d)", alt)
    head = (
        f"Plot of log10 of the norm of a vector after l random {width} x {width} Gaussian layers"
        " with entry scale sigma = "
    )
    assert plot.startswith(head)
    assert _number_after(plot, "sigma = ") == pytest.approx(sigma, rel=5e-4)
    assert f" (gain {gain:.2f}), for 8 random draws: the lines scatter around a dashed" in plot
    assert f" straight line of slope {lam / LN10:+.4f} decades per layer" in plot
    assert f" (lambda = {lam:+.4f} in natural log units), which " in plot
    assert (" falls with depth;" if lam < 0 else " rises with depth;") in plot
    measured = np.mean(logs[:, -1]) / 100
    assert plot.endswith(f"; the draws' mean slope is {measured:+.4f} decades per layer.")
    off = int(np.sum(np.any(logs < -40, axis=1)))
    if off:
        verb, marks = ("leave", "triangles") if off > 1 else ("leaves", "a triangle")
        assert clipped == [
            f"{off} of the 8 lines {verb} the plotted range (-40 to +40), marked by {marks} at"
            " the edge."
        ]
    else:
        assert clipped == []
    assert (off > 0) == ((gain, width) == (0.5, 1))


def test_matrix_product_at_the_critical_gain_the_alt_text_says_flat(matrix):
    gain = chains.critical_scale(1)  # width 1: sigma is the gain
    assert chains.lyapunov_exponent(1, gain) == 0.0  # exactly, in floats
    matrix.set_values(gain=gain, width=1)
    alt = matrix.alt_text()
    assert "(lambda = +0.0000 in natural log units), which stays flat with depth;" in alt


def test_matrix_product_a_line_touching_the_edge_is_on_the_plot(monkeypatch, matrix):
    lo, hi = matrix.ylim
    real = matrix._logs

    def logs(gain, width):
        out = np.array(real(gain, width), dtype=float)
        out[:] = 0.0
        out[0, -1], out[1, 50] = lo, hi  # on the edges, not beyond
        return out

    monkeypatch.setattr(matrix, "_logs", logs)
    assert "plotted range" not in matrix.alt_text()


# --- The explorer framework itself (gradlab.explore._base) on a tiny hand-made explorer ---


class Toy(Explorer):
    """One black square (the animated artist) on empty axes, and one control of each kind."""

    controls = {
        "n": Control("N", 3, min=2, max=9, integer=True),
        "k": Control("K", 4, min=1, max=10, step=3, integer=True),
        "x": Control("X", 0.5, min=-1.0, max=2.0, step=0.25),
        "o": Control("O", 8, options=(2, 8, 32)),
        "c": Control("C", "b", options=("a", "b"), labels=("Alpha", "Beta")),
    }
    figsize = (2.0, 1.5)
    label = "toy-label"

    def __init__(self, seed=0, caption=None):
        self.seed = seed
        super().__init__(caption)

    def _build(self, fig):
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        self.square = ax.add_patch(Rectangle((0.25, 0.25), 0.5, 0.5, color="black"))
        return [self.square]

    def _apply(self, values):
        pass

    def alt_text(self):
        return "A black square."


def image(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def centre(png: bytes) -> np.ndarray:
    rgb = image(png)
    return rgb[rgb.shape[0] // 2, rgb.shape[1] // 2]


# -- fmt ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (0.0, "0.0"),  # str(x): no exponent for zero
        (0, "0"),
        (-0.0, "-0.0"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        (math.nan, "nan"),
        (1e-3, "0.001"),  # the lower bound is inside the plain range
        (-1e-3, "-0.001"),
        (9.99e-4, "9.99e-04"),  # just below it: exponent
        (1e4, "1.00e+04"),  # the upper bound is outside
        (10000.5, "1.00e+04"),
        (9999.0, "9999"),  # just below it: plain, four significant digits
        (0.0051544, "0.005154"),
        (117.0, "117"),
    ],
)
def test_fmt_boundaries(x, text):
    assert fmt(x) == text


# -- Control --------------------------------------------------------------------------------


def test_control_labels_are_stored_as_a_tuple():
    c = Control("C", "a", options=("a", "b"), labels=["Alpha", "Beta"])
    assert c.labels == ("Alpha", "Beta")
    assert type(c.labels) is tuple


def test_label_of_with_and_without_labels():
    c = Control("C", "a", options=("a", "b"), labels=("Alpha", "Beta"))
    assert c.label_of("b") == "Beta"
    assert c.label_of("zz") == "zz"  # not an option: shown as itself
    assert c.label_of(0.5) == "0.5"
    plain = Control("O", 8, options=(2, 8))
    assert plain.label_of(8) == "8"
    real = Control("X", 0.5, min=0.0, max=1.0, step=0.25)
    assert real.label_of(0.75) == "0.75"
    assert real.label_of(3) == "3"


def test_widget_options():
    assert Control("O", 8, options=(2, 8)).widget_options() == [2, 8]
    c = Control("C", "a", options=("a", "b"), labels=("Alpha", "Beta"))
    assert c.widget_options() == [("Alpha", "a"), ("Beta", "b")]
    with pytest.raises(ValueError, match=r"^control 'X' has no options$"):
        Control("X", 0.5, min=0.0, max=1.0).widget_options()


def test_widget_options_never_drops_an_unlabelled_option():
    # __post_init__ checks the lengths; should the options change behind its back (a frozen
    # dataclass can still be forced), the pairing must fail rather than silently drop one.
    c = Control("C", "a", options=("a", "b"), labels=("Alpha", "Beta"))
    object.__setattr__(c, "options", ("a", "b", "c"))
    with pytest.raises(ValueError):
        c.widget_options()


# -- Explorer: repr, spec, mimebundle ---------------------------------------------------------


def test_repr_lists_the_settings():
    ex = Toy()
    assert repr(ex) == "Toy(n=3, k=4, x=0.5, o=8, c='b')"
    ex.set_values(x=1.25, c="a")
    assert repr(ex) == "Toy(n=3, k=4, x=1.25, o=8, c='a')"


def test_spec_keeps_positional_arguments_and_drops_the_caption():
    ex = Toy(5, caption="A caption.")
    ex.set_values(n=7)
    spec = ex.spec()
    assert spec == {
        "class": f"{__name__}.Toy",
        "kwargs": {"seed": 5},
        "values": {"n": 7, "k": 4, "x": 0.5, "o": 8, "c": "b"},
    }
    assert ex.caption == "A caption."


def test_spec_rejects_arguments_json_cannot_carry():
    with pytest.raises(TypeError):
        Toy(seed=object()).spec()


def test_spec_of_an_explorer_made_without_recorded_arguments():
    class Bare(Toy):
        def __new__(cls, *args, **kwargs):
            return object.__new__(cls)  # skips Explorer.__new__: no _init_args

    ex = Bare(3)
    assert not hasattr(ex, "_init_args")
    assert ex.spec()["kwargs"] == {}


def test_mimebundle_metadata_has_width_and_label():
    ex = Toy(caption="Cap.")
    data, meta = ex._repr_mimebundle_()
    picture = meta["image/png"]
    assert picture["width"] == 200  # 2.0 in at 100 dpi
    assert picture[plotting.LABEL_KEY] == "toy-label"
    assert picture[plotting.CAPTION_KEY] == "Cap."
    assert (
        data["text/plain"] == "Interactive explorer, shown at its current settings. A black square."
    )


# -- static and background pictures ----------------------------------------------------------


def test_static_png_leaves_the_live_canvas_alone():
    ex = Toy()
    ex.render()
    renderer = ex.canvas.get_renderer()
    png = ex.static_png(dpi=50)
    assert image(png).shape == (75, 100, 3)  # 1.5 x 2.0 in at 50 dpi
    assert tuple(centre(png)) == (0, 0, 0)  # the square is drawn
    assert ex.fig.canvas is ex.canvas
    assert ex.canvas.get_renderer() is renderer  # not redrawn at another dpi
    assert ex.square.get_animated() is True


def test_background_png_hides_the_animated_artists_then_restores_them():
    ex = Toy()
    ex.render()
    renderer = ex.canvas.get_renderer()
    png = ex.background_png(dpi=40)
    assert image(png).shape == (60, 80, 3)  # 1.5 x 2.0 in at 40 dpi
    assert tuple(centre(png)) == (255, 255, 255)  # no square
    assert ex.fig.canvas is ex.canvas
    assert ex.canvas.get_renderer() is renderer
    assert ex.square.get_visible() is True
    ex.square.set_visible(False)
    ex.background_png(dpi=20)
    assert ex.square.get_visible() is False


# -- the live widget ------------------------------------------------------------------------


@pytest.fixture
def toy_widget():
    import ipywidgets as w

    ex = Toy()
    ex.set_values(n=5, k=7, x=1.25, o=32, c="a")
    box = ex.widget
    sliders = {s.description: s for s in box.children[0].children}
    return w, ex, box, sliders


def test_widget_sliders_show_the_controls(toy_widget):
    w, ex, box, s = toy_widget
    assert list(s) == ["N", "K", "X", "O", "C"]
    n, k, x, o, c = (s[name] for name in ("N", "K", "X", "O", "C"))
    assert type(n) is w.IntSlider and (n.min, n.max, n.step, n.value) == (2, 9, 1, 5)
    assert type(k) is w.IntSlider and (k.min, k.max, k.step, k.value) == (1, 10, 3, 7)
    assert type(x) is w.FloatSlider and (x.min, x.max, x.step, x.value) == (-1.0, 2.0, 0.25, 1.25)
    assert type(o) is w.SelectionSlider and (o.options, o.value) == ((2, 8, 32), 32)
    assert type(c) is w.Dropdown and c.value == "a" and c.label == "Alpha"
    for slider in (n, k, x, o, c):
        assert slider.style.description_width == "initial"
        assert slider.layout.width == "300px"
    for slider in (n, k, x, o):
        assert slider.continuous_update is True


def test_widget_layout_image_status_and_note(toy_widget):
    w, ex, box, s = toy_widget
    row, img, status, note = box.children
    assert row.layout.flex_flow == "row wrap"
    assert img is ex._image and img.format == "png"
    assert img.layout.width == "200px" and img.layout.max_width == "100%"
    assert image(img.value).shape == (150, 200, 3)  # the live frame, 2.0 x 1.5 in at 100 dpi
    assert tuple(centre(img.value)) == (0, 0, 0)
    assert status is ex._status and status.value == ""
    assert note.value == f"<small>{LIVE_NOTE}</small>"


def test_widget_observes_only_the_value(toy_widget):
    w, ex, box, s = toy_widget
    s["N"].disabled = True  # another trait: no update, no message
    s["X"].tooltip = "tip"
    assert ex.message == "" and ex._status.value == ""
    s["N"].value = 6
    assert ex.values["n"] == 6


def test_observer_reports_the_rejected_value():
    ex = Toy()
    ex._observer("n", Toy.controls["n"])({"new": 99})
    assert ex.message == "Ignored N = 99: n must be in [2, 9], got 99"
    assert ex.values["n"] == 3


@pytest.mark.parametrize(
    ("control", "value", "snapped"),
    [
        # a grid whose start has more decimals than its step: 0.05, 0.15, ..., 0.95
        (Control("X", 0.05, min=0.05, max=0.95, step=0.1), 0.26, 0.25),
        (Control("X", 0.05, min=0.05, max=0.95, step=0.1), 0.05, 0.05),
        (Control("X", 0.05, min=0.05, max=0.95, step=0.1), 0.94, 0.95),
        # half-integers with a step of 1.0: 0.5, 1.5, ..., 3.5
        (Control("X", 0.5, min=0.5, max=3.5, step=1.0), 1.4, 1.5),
        (Control("X", 0.5, min=0.5, max=3.5, step=1.0), 2.6, 2.5),
        # the step has more decimals than the start: 0, 0.25, 0.5, ...
        (Control("X", 0.0, min=0.0, max=1.0, step=0.25), 0.3, 0.25),
        # the grid starts at min, not at 0: 0.2, 0.5, 0.8, ...
        (Control("X", 0.2, min=0.2, max=2.0, step=0.3), 0.62, 0.5),
    ],
)
def test_snap_keeps_a_grid_that_starts_off_the_steps_decimals(control, value, snapped):
    """min + k step, rounded to the decimals of min or step, whichever has more: a grid that
    starts at 0.05 or 0.5 keeps its last digit (it was rounded to the step's decimals, 0.3 and
    2.0, values off the grid)."""
    assert control.snap(value) == snapped
