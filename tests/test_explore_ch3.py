"""Chapter 3's explorer draws what gradlab.backprop and MLP.diagnostics compute, and says when
it clips. The framework's generic checks (test_explore.py) are run on it too."""

import math

import numpy as np
import pytest
import test_explore as generic  # the framework's checks, run on this explorer below

from gradlab import activations, backprop, explore, plotting
from gradlab.network import MLP

CLS = explore.ActivationStatsExplorer
NAMES = [n for n in activations.names() if n != "identity"]


def reference(activation, depth, gain, seed):
    """The same network built from scratch: gradient norms, and diagnostics of its batch."""
    norms = backprop.gradient_norms_at_init(activation, depth, 64, gain, seed=seed)
    rng = np.random.default_rng(seed)  # gradient_norms_at_init's draws, in its order
    X = rng.standard_normal((16, 64))
    rng.standard_normal((16, 64))  # the probe
    W = rng.standard_normal((depth, 64, 64)) * gain / math.sqrt(64)
    net = MLP.from_arrays(list(W), [np.zeros(64)] * depth, activation)
    return norms, net.diagnostics(X)


def test_activation_choices_are_read_from_the_registry():
    control = CLS.controls["activation"]
    assert control.choices and list(control.options) == NAMES
    assert {"sigmoid", "tanh", "relu", "leaky_relu", "elu", "silu"} <= set(control.options)
    assert (CLS.controls["depth"].min, CLS.controls["depth"].max) == (2, 40)
    gain = CLS.controls["gain"]
    assert (gain.min, gain.max, gain.step) == (0.5, 3.0, 0.01)


@pytest.mark.parametrize(
    "activation, depth, gain, seed",
    [(name, 17, 1.3, 2) for name in NAMES]
    + [("tanh", 40, 3.0, 0), ("relu", 2, 0.5, 1), ("sigmoid", 40, 0.5, 0), ("relu", 40, 3.0, 5)],
)
def test_explorer_draws_what_gradlab_computes(activation, depth, gain, seed):
    ex = CLS(seed=seed)
    ex.update(activation=activation, depth=depth, gain=gain)
    norms, diag = reference(activation, depth, gain, seed)
    # Bottom panel: gradient_norms_at_init's numbers, exactly (same draws, same arithmetic).
    layers, logs = ex._grad.get_data()
    np.testing.assert_array_equal(layers, np.arange(1, depth + 1))
    np.testing.assert_array_equal(logs, np.log10(norms.backward))
    # Top panel: MLP.diagnostics of the batch, hidden layers only (the last layer is linear).
    hidden, mean = ex._mean.get_data()
    np.testing.assert_array_equal(hidden, np.arange(1, depth))
    np.testing.assert_allclose(mean, diag.activation_mean[:-1], rtol=1e-12, atol=1e-15)
    band = ex._band.get_xy()
    std = diag.activation_std[:-1]
    upper = band[: depth - 1, 1]
    lower = band[depth - 1 : 2 * (depth - 1), 1][::-1]
    np.testing.assert_allclose(upper, mean + std, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(lower, mean - std, rtol=1e-12, atol=1e-15)
    bounded = activations.get(activation).bounds is not None
    frac = (diag.saturated_fraction if bounded else diag.dead_fraction)[:-1]
    assert not np.any(np.isnan(frac))
    np.testing.assert_allclose(ex._frac.get_data()[1], 100 * frac, rtol=1e-12)
    # The header and the alt text say the same numbers.
    decades = f"{norms.decades_lost:+.1f}"
    header = ex._header.get_text()
    assert f"{decades.replace('-', '−')} decades" in header
    kind = "saturated" if bounded else "dead"
    assert f"{kind} units: {100 * frac.mean():.0f}% on average" in header
    alt = ex.alt_text()
    assert f"changes by {decades} decades" in alt and f"{activation} activation" in alt
    assert f"{kind} units make {100 * frac.mean():.0f}% of the units" in alt
    assert f"{mean[0]:.3g} at layer 1" in alt and f"gain {gain:.2f}" in alt


def test_saturated_and_dead_units_appear_where_expected():
    ex = CLS()
    ex.update(activation="tanh", gain=3.0, depth=30)
    assert np.mean(ex._frac.get_data()[1]) > 20  # a large gain saturates tanh
    ex.update(activation="relu", gain=1.0)
    assert np.max(ex._frac.get_data()[1]) > 0  # some ReLU units are off on every example
    ex.update(activation="leaky_relu")
    assert np.all(ex._frac.get_data()[1] == 0)  # leaky units never have phi' = 0


def test_moving_a_control_changes_only_its_part_of_the_network():
    """Cached draws: the same weights for every activation, and depth keeps the first layers."""
    ex = CLS(seed=4)
    ex.update(activation="elu", depth=12, gain=1.7)
    short = ex.measure()[1].activation_mean[:-1]
    ex.update(depth=30)
    long = ex.measure()[1].activation_mean[:11]
    np.testing.assert_array_equal(short, long)  # forward statistics of layers 1..11 unchanged
    ex.update(activation="relu")
    again = CLS(seed=4)
    again.update(activation="relu", depth=30, gain=1.7)
    assert ex.render() == again.render()


def test_explorer_marks_means_off_scale():
    ex = CLS()
    ex.update(activation="relu", gain=3.0, depth=40)
    hidden, mean = ex._mean.get_data()
    lo, hi = ex.ylim_act
    n_above = int(np.sum(mean > hi))
    assert n_above > 30 and not np.any(mean < lo)
    xs, ys = ex._mean_off.above.get_data()
    np.testing.assert_array_equal(xs, hidden[mean > hi])
    assert np.all(np.asarray(ys) == hi)
    assert ex._mean_off.note.get_text() == f"mean off scale at {n_above} layers"
    assert ex._mean_off.note.get_va() == "bottom"  # away from the triangles on the top edge
    assert f"the mean of {n_above} hidden layers" in ex.alt_text()
    ex.update(gain=1.0, depth=20)
    assert ex._mean_off.note.get_text() == "" and len(ex._mean_off.above.get_data()[0]) == 0
    assert "Off the plotted range" not in ex.alt_text()


def test_explorer_marks_gradients_off_scale():
    class Narrow(CLS):  # the same explorer with a narrower gradient axis
        ylim_grad = (-10.0, 5.0)

    ex = Narrow()
    ex.update(activation="sigmoid", gain=0.5, depth=40)
    logs = ex._grad.get_data()[1]
    n_below = int(np.sum(logs < -10.0))
    assert n_below > 0 and ex._grad.axes.get_ylim() == (-10.0, 5.0)
    xs, ys = ex._grad_off.below.get_data()
    assert len(xs) == n_below and np.all(np.asarray(ys) == -10.0)
    assert ex._grad_off.note.get_text() == f"{n_below} layers off scale (triangles)"
    assert ex._grad_off.note.get_va() == "top"
    assert f"the gradient of {n_below} layers" in ex.alt_text()
    ex.update(activation="relu", gain=3.0)
    n_above = int(np.sum(ex._grad.get_data()[1] > 5.0))
    assert n_above > 0 and len(ex._grad_off.above.get_data()[0]) == n_above
    assert ex._grad_off.note.get_va() == "bottom"


def test_every_setting_fits_the_gradient_axis():
    """The fixed gradient axis holds the extremes of the controls (no marker needed there)."""
    lo, hi = CLS.ylim_grad
    ex = CLS()
    for activation in NAMES:
        for gain in (0.5, 3.0):
            ex.update(activation=activation, gain=gain, depth=40)
            logs = ex._grad.get_data()[1]
            assert lo < logs.min() and logs.max() < hi, (activation, gain)


def test_seed_and_choices_are_validated():
    with pytest.raises(ValueError, match=r"^seed must be >= 0, got -1$"):
        CLS(seed=-1)
    with pytest.raises(TypeError, match=r"^seed must be an integer"):
        CLS(seed=1.5)
    ex = CLS()
    with pytest.raises(ValueError, match="activation"):
        ex.update(activation="identity")
    with pytest.raises(ValueError, match="depth"):
        ex.update(depth=41)
    import ipywidgets as w

    dropdown = ex.widget.children[0].children[0]
    assert isinstance(dropdown, w.Dropdown) and list(dropdown.options) == NAMES
    dropdown.value = "elu"
    assert ex.values["activation"] == "elu"


def test_is_legible_at_phone_width():
    ex = CLS()
    for values in ({}, {"activation": "relu", "gain": 3.0, "depth": 40}, {"activation": "silu"}):
        ex.update(**values)
        assert plotting.phone_text_px(ex.fig, ex._width) >= plotting.MIN_PHONE_TEXT_PX


@pytest.mark.parametrize(
    "bad, good",
    [
        ({"activation": "softmax"}, {"activation": "relu"}),
        ({"depth": 30, "gain": 3.5}, {"depth": 12}),
        ({"activation": 1.0}, {"gain": 0.8}),
    ],
)
def test_a_rejected_update_changes_nothing(bad, good):
    generic.test_a_rejected_update_changes_nothing(CLS, bad, good)


def test_choices_are_every_registered_activation_but_the_identity():
    # Called here, not only at import (the class attribute is computed once, on import).
    from gradlab.explore import ch3

    names = list(activations.names())
    expected = list(names)
    expected.remove("identity")  # the registry lists the identity once; the rest, in order
    assert len(expected) == len(names) - 1 >= 6
    assert ch3._choices() == tuple(expected)


def test_default_seed_is_0_and_the_probe_uses_the_class_batch():
    ex = CLS()
    assert ex.seed == 0
    np.testing.assert_array_equal(ex._probe.X, np.random.default_rng(0).standard_normal((16, 64)))

    class Small(CLS):  # a subclass's batch reaches the probe networks
        batch = 5

    small = Small(seed=3)
    np.testing.assert_array_equal(small._probe.X, np.random.default_rng(3).standard_normal((5, 64)))


def test_band_vertices_run_out_along_mean_plus_std_and_back_along_mean_minus_std():
    ex = CLS(seed=1)
    ex.update(activation="elu", depth=5, gain=1.4)
    _, diag = reference("elu", 5, 1.4, 1)
    mean, std = diag.activation_mean[:-1], diag.activation_std[:-1]
    xy = ex._band.get_xy()  # closed polygon: the first vertex repeated at the end
    np.testing.assert_array_equal(xy[:, 0], [1, 2, 3, 4, 4, 3, 2, 1, 1])
    expected_y = [*(mean + std), *(mean - std)[::-1], mean[0] + std[0]]
    np.testing.assert_allclose(xy[:, 1], expected_y, rtol=1e-12, atol=1e-15)


def test_header_legend_and_curve_styles():
    ex = CLS(seed=2)
    ex.update(activation="tanh", depth=4, gain=1.0)
    norms, diag = reference("tanh", 4, 1.0, 2)
    pct = 100 * float(np.mean(diag.saturated_fraction[:-1]))
    decades = f"{norms.decades_lost:+.1f}".replace("-", "−")
    assert ex._header.get_text() == (
        f"tanh, L = 4, gain 1.00: first layer vs last {decades} decades\n"
        f"saturated units: {pct:.0f}% on average over the hidden layers"
    )
    assert ex._header.get_position() == (0.02, 0.985)
    assert ex._header.get_va() == "top" and ex._header.get_linespacing() == 1.4
    legend = ex._top.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["mean", "± 1 std", "% saturated or dead"]
    assert legend.columnspacing == 1.0
    blue = plotting.COLORS["blue"]
    grad = ex._grad
    assert (grad.get_marker(), grad.get_linestyle()) == ("o", "-")
    assert (grad.get_markersize(), grad.get_linewidth(), grad.get_color()) == (3, 1.5, blue)
    for off in (ex._mean_off, ex._grad_off):  # the triangles have their curve's colour
        assert off.below.get_color() == blue and off.above.get_color() == blue


def test_alt_text_joins_both_off_scale_notes():
    class Narrow(CLS):  # a narrower gradient axis: means and gradients both leave their axes
        ylim_grad = (-10.0, 5.0)

    ex = Narrow()
    ex.update(activation="relu", gain=3.0, depth=40)
    n_mean = len(ex._mean_off.above.get_data()[0]) + len(ex._mean_off.below.get_data()[0])
    n_grad = len(ex._grad_off.above.get_data()[0]) + len(ex._grad_off.below.get_data()[0])
    assert n_mean > 0 and n_grad > 0
    assert ex.alt_text().endswith(
        " Off the plotted range, marked by triangles on the edge: "
        f"the mean of {n_mean} hidden layers and the gradient of {n_grad} layers."
    )
