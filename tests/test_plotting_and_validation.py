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
