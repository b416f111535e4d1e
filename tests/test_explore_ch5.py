"""Chapter 5's explorers draw what gradlab computes, use only serializable animated artists, and
pass the framework's generic checks (test_explore.py)."""

import math

import numpy as np
import pytest
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon

from gradlab import clipping, explore, plotting
from gradlab import recurrent_study as rs
from gradlab.explore._text import FastText

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
