"""Chapter 4's explorer draws what gradlab's initializers and MLP compute, predicts what He et
al. predict (and only where they do), and says when it clips. The framework's generic checks
(test_explore.py) are run on it too."""

import math

import numpy as np
import pytest
import test_explore as generic  # the framework's checks, run on this explorer below

from gradlab import backprop, explore, initializers, plotting
from gradlab.network import MLP

CLS = explore.InitializationExplorer
SCHEMES = ["standard_normal", "uniform_fan_in", "lecun_normal", "xavier_normal", "he_normal"]
SCHEMES += ["orthogonal"]
ACTIVATIONS = ["tanh", "relu", "leaky_relu", "identity", "sigmoid"]


def reference(scheme, activation, depth, width, seed):
    """The same network built from gradlab's initializers and MLP: rms per layer, grad norms."""
    rng = np.random.default_rng(seed)  # gradient_norms_at_init's order: batch, probe, layers
    X = rng.standard_normal((16, width))
    r = rng.standard_normal((16, width))
    init = initializers.get(scheme)
    W = [init((width, width), rng) for _ in range(depth)]
    net = MLP.from_arrays(W, [np.zeros(width)] * depth, activation)
    grads = net.backward(X, r / 16)
    rms = np.array([math.sqrt(np.mean(a**2)) for a in net.activations[:depth]])
    norms = np.array([np.linalg.norm(g) for g in grads.activation_grads])
    return rms, norms


def test_controls_are_the_chapters():
    c = CLS.controls
    assert list(c["scheme"].options) == SCHEMES and set(SCHEMES) <= set(initializers.names())
    assert list(c["activation"].options) == ACTIVATIONS
    assert (c["depth"].min, c["depth"].max) == (2, 50)
    assert list(c["width"].options) == [16, 32, 64, 128, 256]


@pytest.mark.parametrize(
    "scheme, activation, depth, width, seed",
    [(s, "tanh", 13, 32, 3) for s in SCHEMES]
    + [("he_normal", a, 21, 16, 1) for a in ACTIVATIONS]
    + [("standard_normal", "tanh", 50, 256, 0), ("orthogonal", "relu", 50, 128, 2)]
    + [("uniform_fan_in", "leaky_relu", 2, 64, 4), ("xavier_normal", "sigmoid", 40, 64, 0)],
)
def test_explorer_draws_what_gradlab_computes(scheme, activation, depth, width, seed):
    ex = CLS(seed=seed)
    ex.update(scheme=scheme, activation=activation, depth=depth, width=width)
    rms, norms = reference(scheme, activation, depth, width, seed)
    layers, act = ex._act.get_data()
    np.testing.assert_array_equal(layers, np.arange(depth))
    np.testing.assert_allclose(act, np.log10(rms), rtol=1e-12, atol=1e-12)
    layers, grad = ex._grad.get_data()
    np.testing.assert_array_equal(layers, np.arange(1, depth + 1))
    np.testing.assert_allclose(grad, np.log10(norms), rtol=1e-12, atol=1e-12)
    nvar = width * initializers.variance(scheme, width, width)
    header = ex._header.get_text()
    assert f"n·Var[W] = {nvar:.3g}" in header and f"L = {depth}, n = {width}" in header
    alt = ex.alt_text()
    assert f"{rms[0]:.3g} at the input to {rms[-1]:.3g} at layer {depth - 1}" in alt
    assert f"{norms[-1]:.3g} at layer {depth} to {norms[0]:.3g} at layer 1" in alt


@pytest.mark.parametrize(
    "scheme", ["standard_normal", "lecun_normal", "xavier_normal", "he_normal"]
)
def test_gaussian_schemes_match_gradient_norms_at_init(scheme):
    """A Gaussian scheme is gradient_norms_at_init's network with gain sqrt(n Var[W])."""
    ex = CLS(seed=7)
    for activation in ("relu", "identity", "leaky_relu"):
        ex.update(scheme=scheme, activation=activation, depth=25, width=128)
        gain = math.sqrt(128 * initializers.variance(scheme, 128, 128))
        norms = backprop.gradient_norms_at_init(activation, 25, 128, gain, seed=7)
        np.testing.assert_allclose(ex.measure()["grads"], norms.backward, rtol=1e-9)


def test_prediction_is_he_et_al_and_only_where_it_applies():
    ex = CLS()
    for activation, c in (("identity", 1.0), ("relu", 0.5), ("leaky_relu", (1 + 0.01**2) / 2)):
        ex.update(activation=activation, scheme="xavier_normal", depth=40, width=128)
        assert explore.ch4.variance_factor(activation) == c
        m = ex.measure()
        step = 0.5 * math.log10(c * 128 * initializers.variance("xavier_normal", 128, 128))
        xs, ys = ex._act_pred.get_data()
        np.testing.assert_allclose(ys, math.log10(m["rms"][0]) + step * np.arange(40))
        xs, ys = ex._grad_pred.get_data()
        np.testing.assert_allclose(ys, math.log10(m["grads"][-1]) + step * (40 - np.arange(1, 41)))
        header, alt = ex._header.get_text(), ex.alt_text()
        assert f"(c = {c:.5g}" in header and "Dashed" in alt
        # The leaky slope is printed: c = 0.50005 alone hides it.
        leaky = activation == "leaky_relu"
        assert ("slope α = 0.01" in header) == leaky and ("leaky slope of 0.01" in alt) == leaky
        # The measurement follows the prediction (a random network: within a decade at layer 39).
        assert abs(ex._act.get_data()[1][-1] - ex._act_pred.get_data()[1][-1]) < 1.0
        assert abs(ex._grad.get_data()[1][0] - ex._grad_pred.get_data()[1][0]) < 1.0
    for activation in ("tanh", "sigmoid"):
        ex.update(activation=activation)
        assert explore.ch4.variance_factor(activation) is None
        assert len(ex._act_pred.get_data()[0]) == len(ex._grad_pred.get_data()[0]) == 0
        assert f"{activation}: no closed-form prediction" in ex._header.get_text()
        assert f"no closed-form prediction for {activation}" in ex.alt_text()


def test_the_schemes_do_what_the_chapter_says():
    """Orthogonal keeps a linear network's scale exactly; He keeps ReLU's; LeCun loses 2^(-1/2)
    per ReLU layer, as predicted."""
    ex = CLS()
    ex.update(scheme="orthogonal", activation="identity", depth=50, width=64)
    m = ex.measure()
    np.testing.assert_allclose(m["rms"], m["rms"][0], rtol=1e-12)
    np.testing.assert_allclose(m["grads"], m["grads"][-1], rtol=1e-12)
    ex.update(scheme="he_normal", activation="relu", width=256)
    assert abs(math.log10(ex.measure()["rms"][-1] / ex.measure()["rms"][0])) < 0.5
    ex.update(scheme="lecun_normal")
    decades = math.log10(ex.measure()["rms"][-1] / ex.measure()["rms"][0])
    assert decades == pytest.approx(49 * math.log10(0.5) / 2, abs=0.5)  # -7.4 decades


def test_explorer_marks_values_off_scale():
    ex = CLS()
    ex.update(scheme="standard_normal", activation="relu", depth=50, width=256)
    act = ex._act.get_data()[1]
    n_above = int(np.sum(act > ex.ylim_act[1]))
    assert n_above > 20 and not np.any(act < ex.ylim_act[0])
    xs, ys = ex._act_off.above.get_data()
    np.testing.assert_array_equal(xs, np.arange(50)[act > ex.ylim_act[1]])
    assert np.all(np.asarray(ys) == ex.ylim_act[1])
    assert ex._act_off.note.get_text() == f"{n_above} layers off scale (triangles)"
    assert ex._act_off.note.get_va() == "bottom"  # away from the triangles on the top edge
    assert f"the activation scale of {n_above} layers" in ex.alt_text()
    ex.update(scheme="uniform_fan_in", activation="sigmoid")  # n Var = 1/3 and sigma' <= 1/4
    grad = ex._grad.get_data()[1]
    n_below = int(np.sum(grad < ex.ylim_grad[0]))
    assert n_below > 0 and len(ex._grad_off.below.get_data()[0]) == n_below
    assert ex._grad_off.note.get_text() == f"{n_below} layers off scale (triangles)"
    assert ex._grad_off.note.get_va() == "top" and not np.any(grad > ex.ylim_grad[1])
    assert f"the gradient of {n_below} layers" in ex.alt_text()
    ex.update(activation="relu")
    ex.update(scheme="he_normal")
    assert ex._act_off.note.get_text() == ex._grad_off.note.get_text() == ""
    assert "Off the plotted range" not in ex.alt_text()


def test_draws_are_cached_per_width_and_depth_keeps_the_first_layers():
    ex = CLS(seed=4)
    ex.update(scheme="orthogonal", activation="tanh", depth=12, width=32)
    short = ex.measure()["rms"]
    ex.update(depth=40)
    np.testing.assert_array_equal(ex.measure()["rms"][:12], short)
    normal = ex._draws[32]["normal"]
    ex.update(width=128)
    ex.update(width=32)
    assert ex._draws[32]["normal"] is normal  # drawn once per width
    for scheme in CLS.controls["scheme"].options:  # many settings: the forward cache is bounded
        for activation in CLS.controls["activation"].options:
            ex.update(scheme=scheme, activation=activation)
    assert len(ex._forwards) <= ex.forward_cache
    again = CLS(seed=4)
    again.update(scheme="lecun_normal", activation="sigmoid", depth=40, width=32)
    ex.update(scheme="lecun_normal", activation="sigmoid")
    assert ex.render() == again.render()


def test_seed_and_choices_are_validated():
    with pytest.raises(ValueError, match="seed"):
        CLS(seed=-1)
    with pytest.raises(TypeError, match="seed"):
        CLS(seed=1.5)
    ex = CLS()
    with pytest.raises(ValueError, match="scheme"):
        ex.update(scheme="zeros")
    with pytest.raises(ValueError, match="width"):
        ex.update(width=100)
    with pytest.raises(ValueError, match="activation"):
        ex.update(activation="elu")
    assert CLS(seed=3).render() != CLS(seed=4).render()


def test_is_legible_at_phone_width():
    ex = CLS()
    for values in (
        {},
        {"scheme": "standard_normal", "activation": "tanh", "depth": 50, "width": 256},
        {"scheme": "uniform_fan_in", "activation": "leaky_relu", "depth": 2, "width": 16},
    ):
        ex.update(**values)
        assert plotting.phone_text_px(ex.fig, ex._width) >= plotting.MIN_PHONE_TEXT_PX


@pytest.mark.parametrize(
    "bad, good",
    [
        ({"scheme": "he_uniform"}, {"scheme": "orthogonal"}),
        ({"depth": 30, "width": 100}, {"depth": 12}),
        ({"activation": 1.0}, {"width": 128}),
    ],
)
def test_a_rejected_update_changes_nothing(bad, good):
    generic.test_a_rejected_update_changes_nothing(CLS, bad, good)


def test_the_things_to_try_are_visible_on_the_fixed_axes():
    """Chapter 4's "Things to try" compare lines a decade or less apart: the fixed y ranges must
    keep them on scale and far enough apart to see (a sixteenth of the axis is half a decade)."""
    ex = CLS()
    assert ex.ylim_act == ex.ylim_grad == (-8.0, 8.0)

    def view(**values):
        ex.update(**{"depth": 30, "width": 64, **values})
        act, grad = ex._act.get_data()[1], ex._grad.get_data()[1]
        for ys, lim in ((act, ex.ylim_act), (grad, ex.ylim_grad)):
            assert np.all((ys > lim[0]) & (ys < lim[1])), values
        return act, grad

    act, _ = view(scheme="lecun_normal", activation="relu", depth=50)  # all 50 layers on scale
    assert act[-1] < -7.0
    xavier_act, xavier_grad = view(scheme="xavier_normal", activation="tanh")
    he_act, he_grad = view(scheme="he_normal", activation="tanh")
    assert he_act[-1] - xavier_act[-1] > 0.5 and he_grad[0] - xavier_grad[0] > 1.0
    assert xavier_grad[0] < xavier_grad[-1] and he_grad[0] > he_grad[-1]  # shrinks / grows
    narrow, _ = view(scheme="he_normal", activation="relu", width=16)
    wide, _ = view(scheme="he_normal", activation="relu", width=256)
    assert narrow[-1] - narrow[0] < -0.5 and abs(wide[-1] - wide[0]) < 0.1


@pytest.mark.parametrize("scheme", SCHEMES)
def test_weights_are_gradlabs_initializer_draws_written_into_out(scheme):
    width, layer, seed = 16, 3, 5
    ex = CLS(seed=seed)
    rng = np.random.default_rng(seed)  # the batch and the probe first, then the layers
    rng.standard_normal((16, width))
    rng.standard_normal((16, width))
    init = initializers.get(scheme)
    expected = [init((width, width), rng) for _ in range(layer + 1)][layer]
    out = np.full((width, width), np.nan)
    got = ex.weights(scheme, width, layer, out)
    assert got is out
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-14)
    other = ex.weights(scheme, width, 0, np.empty((width, width)))  # a layer is its own draw
    assert not np.allclose(other, expected)


def test_rounding_sensitive_is_standard_normal_tanh_from_depth_20():
    sensitive = {"scheme": "standard_normal", "activation": "tanh", "depth": 20}
    assert CLS.rounding_sensitive(sensitive)
    assert not CLS.rounding_sensitive({**sensitive, "depth": 19})
    assert not CLS.rounding_sensitive({**sensitive, "scheme": "he_normal"})
    assert not CLS.rounding_sensitive({**sensitive, "activation": "relu"})
    assert not CLS.rounding_sensitive({"scheme": "standard_normal", "activation": "tanh"})
