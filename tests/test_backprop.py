"""Chapter 2's engine: the tiny network's chain of factors, deep gradient norms, costs."""

import math

import numpy as np
import pytest

from gradlab import backprop, chains, gradcheck
from gradlab.network import MLP


@pytest.mark.parametrize(
    "x, y, w1, w2", [(1.5, 1.0, 0.8, -0.5), (-2.0, 0.0, 3.0, 4.0), (0.3, 0.7, -1.2, 0.1)]
)
def test_tiny_chain_gradients_match_finite_differences(x, y, w1, w2):
    c = backprop.tiny_chain(x, y, w1, w2)
    assert c.cost == pytest.approx(backprop.tiny_cost(x, y, w1, w2), abs=1e-15)
    for name, grad in (("w1", c.grad_w1), ("w2", c.grad_w2)):

        def cost_of(v, name=name):
            args = {"w1": w1, "w2": w2, name: v}
            return backprop.tiny_cost(x, y, args["w1"], args["w2"])

        fd = gradcheck.finite_difference(cost_of, {"w1": w1, "w2": w2}[name], 1e-5)
        # Round-off of the difference, eps |J| / (2h) ~ 1e-11, against gradients >= 3e-4.
        assert gradcheck.relative_error([grad], [fd]) < 1e-6


def test_tiny_chain_factors_are_the_textbook_ones():
    c = backprop.tiny_chain(1.5, 1.0, 0.8, -0.5)
    s = 1 / (1 + math.exp(-1.2))
    assert c.z1 == pytest.approx(1.2) and c.a1 == pytest.approx(s)
    assert c.factors["da1/dz1"] == pytest.approx(s * (1 - s))
    assert c.factors["dz2/da1"] == -0.5 and c.factors["dz1/dw1"] == 1.5
    assert c.grad_w1 == pytest.approx(
        c.grad_w2 / c.factors["dz2/dw2"] * c.factors["dz2/da1"] * c.factors["da1/dz1"] * 1.5
    )
    table = c.table()
    assert "sigma'(z1)" in table and table.count("\n") == 6


def test_tiny_chain_validates():
    with pytest.raises(ValueError, match="w1"):
        backprop.tiny_chain(1.0, 0.0, float("nan"), 1.0)
    with pytest.raises(TypeError, match="x"):
        backprop.tiny_cost("1", 0.0, 1.0, 1.0)


def test_backward_probe_is_the_product_of_jacobians():
    rng = np.random.default_rng(0)
    net = MLP([5, 4, 3, 2], "tanh", seed=1)
    X, r = rng.standard_normal((7, 5)), rng.standard_normal((7, 2))
    grads = net.backward(X, r)
    # Explicit product of Jacobians for one example: r W3^T diag(phi'(z2)) W2^T diag(phi'(z1)) W1^T
    net.forward(X[:1])
    z1, z2 = net.pre_activations[0][0], net.pre_activations[1][0]
    d1, d2 = 1 - np.tanh(z1) ** 2, 1 - np.tanh(z2) ** 2
    W1, W2, W3 = net.weights
    expected = r[0] @ W3.T @ np.diag(d2) @ W2.T @ np.diag(d1) @ W1.T
    np.testing.assert_allclose(grads.activation_grads[0][0], expected, rtol=1e-12)
    assert math.isnan(grads.loss)
    with pytest.raises(ValueError, match="grad_output"):
        net.backward(X, r[:, :1])


def test_backward_matches_finite_differences_of_the_probe_cost():
    rng = np.random.default_rng(3)
    net = MLP([3, 4, 2], "sigmoid", seed=2)
    X, r = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    grads = net.backward(X, r)

    def cost(W):
        saved = net.weights[0].copy()
        net.weights[0][...] = W
        value = float(np.sum(r * net.forward(X)))
        net.weights[0][...] = saved
        return value

    assert gradcheck.check_gradient(cost, grads.weight_grads[0], net.weights[0]) < 1e-8


def test_gradient_norms_linear_network_follow_chapter_one():
    # Over many seeds, the mean log-slope of the probe gradient in a linear network is the
    # Lyapunov rate (one vector) or the mean-square rate (a full batch) within a few s.e.
    n, depth, gain = 16, 40, 0.9
    slopes = []
    for seed in range(30):
        g = backprop.gradient_norms_at_init("identity", depth, n, gain, batch=1, seed=seed)
        slopes.append(math.log(g.backward[0] / g.backward[-1]) / (depth - 1))
    lam = chains.lyapunov_exponent(n, gain / math.sqrt(n))
    se = np.std(slopes) / math.sqrt(len(slopes))
    assert abs(np.mean(slopes) - lam) < 4 * se
    g = backprop.gradient_norms_at_init("identity", depth, n, gain, batch=1, seed=0)
    pred = backprop.linear_prediction(g)
    assert pred[-1] == pytest.approx(math.log10(g.backward[-1]))
    assert pred[0] - pred[-1] == pytest.approx((depth - 1) * lam / math.log(10))


def test_gradient_norms_sigmoid_vanishes_tanh_and_relu_less():
    sig = backprop.gradient_norms_at_init("sigmoid", 20, 32, 1.0, seed=0)
    tanh = backprop.gradient_norms_at_init("tanh", 20, 32, 1.0, seed=0)
    # Each sigmoid layer multiplies by at most 1/4 times a gain-1 matrix: > 19 * log10(4) / 2.
    assert sig.decades_lost < -6
    assert tanh.decades_lost > sig.decades_lost + 5
    assert sig.backward.shape == (20,) and sig.weight.shape == (20,)
    mse = backprop.gradient_norms_at_init("sigmoid", 20, 32, 1.0, cost="mse", seed=0)
    assert mse.decades_lost < -6


def test_gradient_norms_validate():
    with pytest.raises(ValueError, match="activation"):
        backprop.gradient_norms_at_init("softmax", 5)
    with pytest.raises(ValueError, match="cost"):
        backprop.gradient_norms_at_init("relu", 5, cost="l1")
    with pytest.raises(ValueError, match="gain"):
        backprop.gradient_norms_at_init("relu", 5, gain=0)
    with pytest.raises(TypeError, match="norms"):
        backprop.linear_prediction([1.0])


def test_flop_counts_backward_is_twice_forward():
    forward, backward = backprop.flop_counts([10, 20, 30], 8)
    assert forward == 2 * 8 * (10 * 20 + 20 * 30)
    assert backward == 2 * forward
    with pytest.raises(TypeError, match="sizes"):
        backprop.flop_counts([10], 8)


def test_time_passes_returns_two_positive_times():
    f, b = backprop.time_passes([32, 32, 32], 16, repeats=3)
    assert f > 0 and b >= 0 and math.isfinite(f + b)


def test_figures_say_what_they_show():
    view = backprop.plot_sigmoid_tanh_derivatives()
    assert "0.0066" in view.alt and "0.00018" in view.alt and view.caption
    view = backprop.plot_gradient_norms(("sigmoid", "relu"), depth=10, width=16, seed=0)
    sig = backprop.gradient_norms_at_init("sigmoid", 10, 16, 1.0, seed=0)
    assert f"sigmoid {sig.decades_lost:+.1f}" in view.alt
    with pytest.raises(ValueError, match="activation_names"):
        backprop.plot_gradient_norms(())


def test_probe_networks_equal_gradient_norms_at_init_at_every_setting():
    probe = backprop.ProbeNetworks(16, 12, batch=8, seed=4)
    for activation, depth, gain in [("tanh", 12, 1.0), ("relu", 3, 1.4), ("tanh", 12, 0.7)]:
        norms, net = probe.measure(activation, depth, gain)
        ref = backprop.gradient_norms_at_init(activation, depth, 16, gain, batch=8, seed=4)
        np.testing.assert_array_equal(norms.backward, ref.backward)
        np.testing.assert_array_equal(norms.weight, ref.weight)
        assert net.depth == depth
    assert probe.measure("tanh", 12, 2.0)[1] is probe.measure("tanh", 12, 1.0)[1]  # reused
    with pytest.raises(ValueError, match="depth"):
        probe.measure("tanh", 13, 1.0)
    with pytest.raises(ValueError, match="activation"):
        probe.measure("softmax", 3, 1.0)
