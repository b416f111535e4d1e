"""Chapter 2's explorer draws what gradlab.backprop computes, and says when it clips."""

import math

import numpy as np
import pytest

from gradlab import backprop, explore, plotting


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
    from gradlab import chains

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
