"""The shared figure helper and input validation."""

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
