"""The shared figure helper and input validation."""

import math

import numpy as np
import pytest

from gradlab import _validation as v
from gradlab import plotting


def test_png_bytes_are_reproducible():
    def make():
        fig, ax = plotting.new_figure()
        ax.plot([0, 1, 2], [1, 3, 2])
        return plotting.png_bytes(fig)

    assert make() == make()


def test_show_carries_alt_text_in_bundle_and_metadata():
    fig, ax = plotting.new_figure(5, 3)
    ax.plot([0, 1], [0, 1])
    view = plotting.show(fig, alt="A rising straight line from (0, 0) to (1, 1).")
    data, meta = view._repr_mimebundle_()
    assert data["image/png"].startswith(b"\x89PNG")
    assert data["text/plain"] == view.alt
    assert meta["image/png"][plotting.ALT_KEY] == view.alt
    assert meta["image/png"]["width"] == 500


def test_show_requires_real_alt_text():
    fig, _ = plotting.new_figure()
    with pytest.raises(ValueError, match="alt"):
        plotting.show(fig, alt="plot")
    with pytest.raises(TypeError, match="fig"):
        plotting.png_bytes("not a figure")


def test_check_array_messages_name_the_argument():
    with pytest.raises(TypeError, match="X"):
        v.check_array("abc", "X")
    with pytest.raises(TypeError, match="X"):
        v.check_array(np.array(["a", "b"]), "X")
    with pytest.raises(TypeError, match="X"):
        v.check_array([True, False], "X")
    with pytest.raises(TypeError, match="X"):
        v.check_array([[1, 2], [3]], "X")
    with pytest.raises(ValueError, match="X"):
        v.check_array([[1.0, np.inf]], "X")
    with pytest.raises(ValueError, match="X"):
        v.check_array([1.0, 2.0], "X", ndim=2)
    with pytest.raises(ValueError, match="X"):
        v.check_array(np.zeros((2, 3)), "X", shape=(None, 4))
    out = v.check_array([[1, 2]], "X", shape=(1, None))
    assert out.dtype == np.float64


def test_check_scalars():
    assert v.check_int(np.int64(3), "k") == 3
    with pytest.raises(TypeError, match="k"):
        v.check_int(3.0, "k")
    with pytest.raises(ValueError, match="k"):
        v.check_int(0, "k", minimum=1)
    with pytest.raises(ValueError, match="k"):
        v.check_int(5, "k", maximum=4)
    with pytest.raises(ValueError, match="s"):
        v.check_real(0.0, "s", minimum=0.0, strict_minimum=True)
    with pytest.raises(TypeError, match="s"):
        v.check_real(None, "s")
    with pytest.raises(ValueError, match="mode"):
        v.check_choice("fan", "mode", ["fan_in", "fan_out"])
    with pytest.raises(TypeError, match="mode"):
        v.check_choice(1, "mode", ["fan_in"])


def test_show_carries_the_caption_in_metadata():
    fig, ax = plotting.new_figure(5, 3)
    ax.plot([0, 1], [0, 1])
    view = plotting.show(fig, alt="A rising straight line from (0, 0) to (1, 1).", caption="Up.")
    _, meta = view._repr_mimebundle_()
    assert meta["image/png"][plotting.CAPTION_KEY] == "Up."
    bare = plotting.show(fig, alt="A rising straight line from (0, 0) to (1, 1).")
    assert plotting.CAPTION_KEY not in bare._repr_mimebundle_()[1]["image/png"]
    with pytest.raises(TypeError, match="caption"):
        plotting.show(fig, alt="A rising straight line from (0, 0) to (1, 1).", caption=3)


def test_log_tick_labels_have_no_superscripts():
    label = plotting.log_tick_formatter()
    assert [label(v, 0) for v in (1e-30, 1.0, 1e10, 0.0)] == ["1e\u221230", "1", "1e10", ""]
    assert label(2e-3, 0) == "0.002"


def test_line_end_labels_keep_their_order_and_do_not_overlap():
    fig, ax = plotting.new_figure()
    ax.set_ylim(0, 10)
    ends = [(5.0, "b", "k"), (5.05, "c", "k"), (1.0, "a", "k"), (9.99, "d", "k")]
    texts = plotting.label_line_ends(ax, ends, gap_pt=14)
    ys = {t.get_text(): t.get_position()[1] for t in texts}
    assert ys["a"] < ys["b"] < ys["c"] < ys["d"] <= 1.0
    height_pt = ax.get_position().height * fig.get_figheight() * 72
    assert (ys["c"] - ys["b"]) * height_pt == pytest.approx(14)
    assert ys["a"] == pytest.approx(0.1)  # a label with room stays at its line's end


# --- every refusal of _validation, word for word: the message is the learner's only guide -----


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: v.check_int(True, "k"), TypeError, "k must be an integer, got bool True"),
        (lambda: v.check_int(2.0, "k"), TypeError, "k must be an integer, got float 2.0"),
        (lambda: v.check_int(0, "k", minimum=1), ValueError, "k must be >= 1, got 0"),
        (lambda: v.check_int(5, "k", maximum=4), ValueError, "k must be <= 4, got 5"),
        (lambda: v.check_real(False, "s"), TypeError, "s must be a real number, got bool False"),
        (lambda: v.check_real("1", "s"), TypeError, "s must be a real number, got str '1'"),
        (lambda: v.check_real(np.nan, "s"), ValueError, "s must be finite, got nan"),
        (lambda: v.check_real(-np.inf, "s"), ValueError, "s must be finite, got -inf"),
        (
            lambda: v.check_real(0.5, "s", minimum=0.5, strict_minimum=True),
            ValueError,
            "s must be > 0.5, got 0.5",
        ),
        (lambda: v.check_real(0.25, "s", minimum=0.5), ValueError, "s must be >= 0.5, got 0.25"),
        (lambda: v.check_real(2.5, "s", maximum=2), ValueError, "s must be <= 2, got 2.5"),
        (
            lambda: v.check_array("ab", "X"),
            TypeError,
            "X must be an array of numbers, got a string",
        ),
        (
            lambda: v.check_array(b"ab", "X"),
            TypeError,
            "X must be an array of numbers, got a string",
        ),
        (
            lambda: v.check_array([1j], "X"),
            TypeError,
            "X must hold real numbers, got an array of dtype complex128",
        ),
        (
            lambda: v.check_array([True], "X"),
            TypeError,
            "X must hold real numbers, got an array of dtype bool",
        ),
        (
            lambda: v.check_array([1.0], "X", ndim=(2, 3)),
            ValueError,
            "X must have 2 or 3 dimension(s), got shape (1,)",
        ),
        (
            lambda: v.check_array(np.zeros((2, 3)), "X", shape=(None, 4)),
            ValueError,
            "X must have shape (any, 4), got (2, 3)",
        ),
        (
            lambda: v.check_array(np.zeros(3), "X", shape=(3, None)),
            ValueError,
            "X must have shape (3, any), got (3,)",
        ),
        (
            lambda: v.check_array(np.zeros(2), "b", shape=(3,)),
            ValueError,
            "b must have shape (3,), got (2,)",  # a 1-tuple written as Python writes it
        ),
        (
            lambda: v.check_array(np.zeros(2), "b", shape=(None, 2)),
            ValueError,
            "b must have shape (any, 2), got (2,)",
        ),
        (  # finite, but beyond float32's largest value (3.4028e38)
            lambda: v.check_array([1.0, -1e39], "X", dtype=np.float32),
            ValueError,
            "X must lie within float32's range (|x| <= 3.403e+38)",
        ),
        (  # a NaN as well: the NaN is what is named
            lambda: v.check_array([np.nan, 1e39], "X", dtype=np.float32),
            ValueError,
            "X must contain only finite values (no NaN or inf)",
        ),
        (
            lambda: v.check_array([np.nan], "X"),
            ValueError,
            "X must contain only finite values (no NaN or inf)",
        ),
        (
            lambda: v.check_rng("x"),
            TypeError,
            "rng must be a numpy.random.Generator (numpy.random.default_rng(seed)), got str",
        ),
        (
            lambda: v.check_rng(None, None, name="gen"),
            ValueError,
            "pass gen=numpy.random.default_rng(seed) or an integer seed: "
            "every random draw in gradlab is reproducible",
        ),
        (lambda: v.check_rng(seed=-1), ValueError, "seed must be >= 0, got -1"),
        (
            lambda: v.check_choice(1, "mode", ["a", "b"]),
            TypeError,
            "mode must be a string, one of ['a', 'b'], got 1",
        ),
        (
            lambda: v.check_choice("c", "mode", ["a", "b"]),
            ValueError,
            "mode must be one of ['a', 'b'], got 'c'",
        ),
        (
            lambda: v.check_labels([0, 1], "y", n=3),
            ValueError,
            "y must hold one label per row (3), got shape (2,)",
        ),
        (
            lambda: v.check_labels([0, 1.5, 2.5], "y"),
            ValueError,
            "y must hold integer class labels, got 1.5",
        ),
        (lambda: v.check_labels([0, -2], "y"), ValueError, "y must hold class labels >= 0, got -2"),
    ],
)
def test_every_refusal_is_worded_exactly(call, error, message):
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message


def test_bounds_are_inclusive_unless_strict():
    assert v.check_int(1, "k", minimum=1, maximum=1) == 1
    assert type(v.check_int(np.int32(7), "k")) is int
    assert v.check_real(0.5, "s", minimum=0.5, maximum=0.5) == 0.5
    assert v.check_real(np.nextafter(0.5, 1), "s", minimum=0.5, strict_minimum=True) > 0.5
    assert type(v.check_real(np.float32(1.5), "s")) is float
    assert type(v.check_real(3, "s")) is float


def test_check_array_dtype_and_what_it_lets_through():
    assert v.check_array([1, 2], "X").dtype == np.float64
    assert v.check_array([1.5], "X", dtype=np.float32).dtype == np.float32
    same = np.zeros(3)
    assert v.check_array(same, "X") is same  # no copy when nothing changes
    assert v.check_array([np.inf], "X", finite=False)[0] == np.inf
    assert v.check_array(np.zeros((2, 3)), "X", ndim=2).shape == (2, 3)
    assert v.check_array(np.zeros((2, 3)), "X", shape=(2, 3)).shape == (2, 3)


def test_check_float_array_keeps_float_precision_only():
    f32 = np.ones(2, dtype=np.float32)
    assert v.check_float_array(f32, "g").dtype == np.float32
    assert v.check_float_array(np.float32(2.0), "g").dtype == np.float32
    assert v.check_float_array(np.arange(3), "g").dtype == np.float64
    assert v.check_float_array([1.0], "g").dtype == np.float64
    assert v.check_float_array(f32, "g", ndim=1, shape=(2,)).shape == (2,)
    with pytest.raises(ValueError, match="^g must have 2 dimension"):
        v.check_float_array(f32, "g", ndim=2)
    with pytest.raises(ValueError, match="^g must have shape"):
        v.check_float_array(f32, "g", shape=(3,))
    assert np.isnan(v.check_float_array([np.nan], "g", finite=False)[0])


def test_check_rng_uses_exactly_one_source():
    gen = np.random.default_rng(1)
    assert v.check_rng(gen, seed=5) is gen
    assert v.check_rng(seed=5).random() == np.random.default_rng(5).random()
    assert v.check_rng(seed=0).random() == np.random.default_rng(0).random()


def test_check_labels_accepts_whole_floats_and_returns_intp():
    labels = v.check_labels([0.0, 2.0, 1.0], "y", n=3, n_classes=3)
    assert labels.dtype == np.intp and labels.tolist() == [0, 2, 1]
    assert v.check_labels([], "y").size == 0
    assert v.check_labels([2], "y", n_classes=3).tolist() == [2]
    with pytest.raises(ValueError) as caught:
        v.check_labels([0, 3], "y", n_classes=3)
    assert str(caught.value) == "y must hold class labels in 0..2, got 3"


# --- plotting, property by property (each test fails for a plausible slip in plotting.py) ------


def test_style_is_the_course_rc():
    import matplotlib

    with plotting.style():
        # The sizes the phone rule rests on (11 pt text, 12 pt labels) and the course's look.
        assert matplotlib.rcParams["font.size"] == 11
        assert matplotlib.rcParams["axes.labelsize"] == 12
        assert matplotlib.rcParams["legend.fontsize"] == 11
        assert matplotlib.rcParams["legend.frameon"] is False


def test_new_figure_size_layout_grid_and_style():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig, ax = plotting.new_figure()
    # Defaults: FIGURE_WIDTH (6 in) by 3.6 in at DISPLAY_DPI (100), constrained layout.
    assert tuple(fig.get_size_inches()) == (6.0, 3.6)
    assert fig.dpi == 100
    assert fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"
    assert isinstance(fig.canvas, FigureCanvasAgg)
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert ax.spines["left"].get_visible()
    assert ax.xaxis.label.get_fontsize() == 12 and ax.title.get_fontsize() == 12
    assert ax.xaxis.get_major_ticks()[0].label1.get_fontsize() == 11
    fig, axes = plotting.new_figure(4.0, 2.5, ncols=2, nrows=1, dpi=50, squeeze=False, sharey=True)
    assert tuple(fig.get_size_inches()) == (4.0, 2.5) and fig.dpi == 50
    assert axes.shape == (1, 2)  # nrows rows of ncols axes
    assert axes[0, 0].get_shared_y_axes().joined(axes[0, 0], axes[0, 1])


def _png_size(png):
    # A PNG starts with its 8-byte signature, then the IHDR chunk: 4 bytes length, b"IHDR",
    # 4 bytes width, 4 bytes height (big-endian).
    assert png[12:16] == b"IHDR"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_png_bytes_are_rendered_at_render_dpi_without_software_chunk():
    fig, ax = plotting.new_figure(1, 0.5)
    ax.plot([0, 1], [0, 1])
    png = plotting.png_bytes(fig)
    assert _png_size(png) == (200, 100)  # 1 x 0.5 in at RENDER_DPI = 200 (2x the display's 100)
    assert _png_size(plotting.png_bytes(fig, dpi=50)) == (50, 25)
    assert b"Software" not in png  # matplotlib's version would make the bytes version-bound
    import matplotlib

    with matplotlib.rc_context({"savefig.format": "svg"}):  # a PNG whatever the rc says
        assert plotting.png_bytes(fig).startswith(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(TypeError, match=r"^fig must be a matplotlib Figure, got str$"):
        plotting.png_bytes("not a figure")


ALT = "A rising straight line from (0, 0) to (1, 1)."


def test_show_strips_and_measures_alt_width_caption_label():
    fig, ax = plotting.new_figure(1.256, 0.5)
    ax.plot([0, 1], [0, 1])
    view = plotting.show(fig, alt=f"  {ALT}\n", caption=" Up. ", label="fig-symmetry")
    assert isinstance(view, plotting.FigureView)
    assert view.alt == ALT and repr(view) == ALT
    assert view.caption == "Up." and view.label == "fig-symmetry"
    assert view.width == 126  # 1.256 in at DISPLAY_DPI 100 is 125.6 px, rounded
    assert _png_size(view.png) == (251, 100)  # at RENDER_DPI 200: 251.2 x 100 px
    data, meta = view._repr_mimebundle_()
    assert data == {"image/png": view.png, "text/plain": ALT}
    assert meta == {
        "image/png": {
            "width": 126,
            plotting.ALT_KEY: ALT,
            plotting.CAPTION_KEY: "Up.",
            plotting.LABEL_KEY: "fig-symmetry",
        }
    }
    bare = plotting.show(fig, alt=ALT)
    assert bare.caption == "" and bare.label == ""
    assert bare._repr_mimebundle_()[1] == {"image/png": {"width": 126, plotting.ALT_KEY: ALT}}


def test_figure_view_made_directly_has_no_caption_or_label():
    view = plotting.FigureView(b"\x89PNG", "A picture of nothing in particular.", 300)
    assert (view.caption, view.label) == ("", "")
    assert view._repr_mimebundle_() == (
        {"image/png": b"\x89PNG", "text/plain": "A picture of nothing in particular."},
        {"image/png": {"width": 300, plotting.ALT_KEY: "A picture of nothing in particular."}},
    )


def test_show_alt_text_is_at_least_twenty_characters_after_stripping():
    fig, _ = plotting.new_figure(0.5, 0.5)
    assert plotting.show(fig, alt=" " + "x" * 20 + " ").alt == "x" * 20
    message = r"^alt must be a sentence saying what the figure shows \(>= 20 characters\)$"
    for alt in ("x" * 19, "   " + "x" * 19 + "   ", None):
        with pytest.raises(ValueError, match=message):
            plotting.show(fig, alt=alt)
    with pytest.raises(TypeError, match=r"^caption must be a str, got int$"):
        plotting.show(fig, alt=ALT, caption=3)
    for label, kind in ((None, "NoneType"), (0, "int")):
        with pytest.raises(TypeError, match=rf"^label must be a str, got {kind}$"):
            plotting.show(fig, alt=ALT, caption="Up.", label=label)
    with pytest.raises(ValueError, match=r"^caption must be a non-empty str$"):
        plotting.show(fig, alt=ALT, caption="", label="fig-symmetry")


def test_log_tick_labels_between_and_near_powers_of_ten():
    label = plotting.log_tick_formatter()
    # Values that are not powers of ten keep their %g form, with a real minus sign.
    assert [label(v, 0) for v in (9.0, 300.0, 2e-30, 0.5)] == ["9", "300", "2e\u221230", "0.5"]
    assert label(-1.0, 0) == ""
    assert label(1e-5, 0) == "1e\u22125" and label(1e5, 0) == "1e5"
    # A power of ten up to 1e-9 off in log10 (rounding) is labelled as one; 2e-9 off is not.
    assert label(10 ** (5 + 0.5e-9), 0) == "1e5"
    assert label(10 ** (5 + 2e-9), 0) == "100000"  # 100000.00046..., %g: 6 significant digits
    assert label(10 ** (5 - 2e-9), 0) == "100000"


def test_line_end_labels_are_course_text_at_the_right_edge():
    fig, ax = plotting.new_figure()
    ax.set_ylim(0, 10)
    blue, red = plotting.COLORS["blue"], plotting.COLORS["red"]
    p, q = plotting.label_line_ends(ax, [(5.0, "p", blue), (5.0, "q", red)])
    for t, colour in ((p, blue), (q, red)):
        assert t.get_fontsize() == 11  # the course's legend size
        assert t.get_position()[0] == 1.01 and t.get_transform() is ax.transAxes
        assert t.get_color() == colour
        assert (t.get_va(), t.get_ha(), t.get_clip_on()) == ("center", "left", False)
    # Equal ends: the first stays at 5 / 10 = 0.5, the second goes 1.25 font sizes (13.75 pt) up.
    height_pt = ax.get_position().height * fig.get_figheight() * 72
    assert p.get_position()[1] == pytest.approx(0.5)
    assert (q.get_position()[1] - 0.5) * height_pt == pytest.approx(1.25 * 11)
    assert plotting.label_line_ends(ax, []) == []


def test_line_end_labels_on_a_log_axis_clamped_and_pushed_down_from_the_top():
    fig, ax = plotting.new_figure()
    ax.set_yscale("log")
    ax.set_ylim(1, 100)
    (mid,) = plotting.label_line_ends(ax, [(10.0, "mid", "k")])
    assert mid.get_position()[1] == pytest.approx(0.5)  # log10 10 is halfway from 0 to 2
    (gone,) = plotting.label_line_ends(ax, [(float("nan"), "gone", "k")])
    assert math.isnan(gone.get_position()[1])  # a line without an end has no place
    (far,) = plotting.label_line_ends(ax, [(float("inf"), "far", "k")])
    assert math.isnan(far.get_position()[1])  # nor one that ends at infinity
    # Three ends above the top and one below the bottom: the low one is clamped to 0, the
    # three (all clamped to 1) are stacked down from 1 one gap apart, in the order of their ends.
    gap_pt = 10.0
    ends = [(1e4, "a", "k"), (1e3, "b", "k"), (1e-3, "low", "k"), (1e5, "c", "k")]
    texts = plotting.label_line_ends(ax, ends, gap_pt=gap_pt)
    ys = {t.get_text(): t.get_position()[1] for t in texts}
    gap = gap_pt / (ax.get_position().height * fig.get_figheight() * 72)
    assert ys["low"] == 0.0
    assert [ys["c"], ys["a"], ys["b"]] == pytest.approx([1.0, 1.0 - gap, 1.0 - 2 * gap])


def test_line_end_labels_with_room_stay_at_their_ends_bottom_up():
    fig, ax = plotting.new_figure()
    ax.set_ylim(0, 10)
    texts = plotting.label_line_ends(ax, [(6.0, "hi", "k"), (2.0, "lo", "k")], gap_pt=1.0)
    # Far apart: each stays at its end (0.6 and 0.2 of the axes), returned bottom up.
    assert [t.get_text() for t in texts] == ["lo", "hi"]
    assert [t.get_position()[1] for t in texts] == pytest.approx([0.2, 0.6])


def test_phone_text_sizes_count_only_the_texts_a_draw_shows():
    fig, ax = plotting.new_figure(6.0, 3.0)
    canvas = fig.canvas
    ax.set_ylim(0, 1)
    ax.set_yticks([0.0, 0.5, 1.0], labels=["lo", "mid", "hi"])
    ax.yaxis.tick_right()  # the labels are the ticks' label2, label1 hidden
    ax.set_xticks([0.5], labels=["x-tick"])  # label1
    fig.text(0.5, 0.5, "shown", fontsize=20)
    fig.text(0.5, 0.6, "hidden", fontsize=20).set_visible(False)
    fig.text(0.5, 0.7, "   ", fontsize=20)
    px = 11 / 72 * 390 / 6  # 11 pt ticks in a 6 in figure shrunk to 390 px

    def texts():
        return sorted(t for t, _ in plotting.phone_text_sizes(fig))

    sizes = plotting.phone_text_sizes(fig)
    assert sorted(t for t, _ in sizes) == ["hi", "lo", "mid", "shown", "x-tick"]  # each once
    assert [s for _, s in sizes] == pytest.approx([px, px, px, px, 20 / 72 * 390 / 6])
    assert fig.canvas is canvas  # a canvas that can draw is kept (an explorer's widget)
    # A display wider than the phone is shrunk to it; a narrower one is not.
    assert plotting.phone_text_px(fig, display_width=1000) == pytest.approx(px)
    assert plotting.phone_text_px(fig, display_width=0.5) == pytest.approx(11 / 72 * 0.5 / 6)
    # Hidden axes show no tick labels, even those an earlier draw filled in.
    ax.xaxis.set_visible(False)
    assert texts() == ["hi", "lo", "mid", "shown"]
    ax.xaxis.set_visible(True)
    ax.yaxis.set_visible(False)
    assert texts() == ["shown", "x-tick"]
    ax.yaxis.set_visible(True)
    ax.set_axis_off()
    assert texts() == ["shown"]
    ax.set_axis_on()
    ax.set_visible(False)
    assert texts() == ["shown"]
    fig, ax = plotting.new_figure()
    ax.set_axis_off()
    assert plotting.phone_text_sizes(fig) == [] and plotting.phone_text_px(fig) == math.inf
    for bad in ("300", -5.0, [300]):
        with pytest.raises(ValueError, match=r"^display_width must be a positive number, got "):
            plotting.phone_text_px(fig, display_width=bad)
    with pytest.raises(TypeError, match=r"^fig must be a matplotlib Figure, got str$"):
        plotting.phone_text_sizes("figure")


def test_phone_text_sizes_draw_a_bare_figure_with_agg():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.0, 2.0))  # no canvas able to draw: phone_text_sizes gives it Agg
    fig.text(0.5, 0.5, "x", fontsize=18)
    ax = fig.subplots()
    ax.set_xticks([0.5], labels=["half"])
    ax.set_yticks([])
    # 4 in shown 400 px wide, shrunk to 390: 18 pt is 18 / 72 * 390 / 4 px; the tick label
    # keeps matplotlib's default 10 pt it was made with (outside the course style).
    assert dict(plotting.phone_text_sizes(fig)) == pytest.approx(
        {"x": 18 / 72 * 390 / 4, "half": 10 / 72 * 390 / 4}
    )


def test_phone_text_sizes_lay_out_a_bare_figure_before_reading_ticks():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def make():
        fig = Figure(figsize=(3.0, 2.0), layout="constrained")  # no canvas able to draw
        ax = fig.subplots()
        ax.set_xlim(0, 1)
        ax.set_ylabel("y", fontsize=60)  # the layout narrows the axes: fewer x ticks fit
        return fig, ax

    twin, twin_ax = make()
    FigureCanvasAgg(twin).draw()  # what a real draw shows
    ticks = [t.get_text() for t in twin_ax.get_xticklabels() + twin_ax.get_yticklabels()]
    fig, _ = make()
    assert sorted(t for t, _ in plotting.phone_text_sizes(fig)) == sorted([*ticks, "y"])


def test_only_mathtext_scripts_count_at_seven_tenths():
    # Mathtext (between $ signs) draws sub- and superscripts at 0.7 of the size; ^ and _
    # outside it, or after a lone $ (no mathtext), are drawn as plain characters.
    factor = plotting._script_factor
    assert [factor(s) for s in ("$x_1$", "$y^2$", "a $b$ and $c_d$")] == [0.7, 0.7, 0.7]
    plain = ("$z$", "a $b$ c_d $e$", "costs $5, x_2", "plain^", "x_1", "")
    assert [factor(s) for s in plain] == [1.0] * len(plain)
