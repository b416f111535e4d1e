"""Residual connections and layer normalization in gradlab.network (Chapter 6)."""

import numpy as np
import pytest

from gradlab.network import LAYER_NORM_EPS, MLP

STRUCTURES = {
    "residual": {"residual": True},
    "residual_scaled": {"residual": True, "residual_scale": 0.4},
    "layer_norm": {"layer_norm": True},
    "both": {"residual": True, "residual_scale": 0.7, "layer_norm": True},
}


def _problem(activation, loss, structure, seed=0):
    rng = np.random.default_rng(seed)
    k = 3 if loss == "cross_entropy" else 2
    net = MLP([3, 5, 5, 5, k], activation, "xavier_normal", seed=seed, **STRUCTURES[structure])
    for b in net.biases:
        b[:] = rng.normal(0, 0.3, size=b.shape)
    for g in net.gains:  # away from their initial 1, so a missing gain factor shows
        g[:] = rng.uniform(0.5, 1.5, size=g.shape)
    X = rng.normal(size=(7, 3))
    y = rng.integers(0, k, size=7) if loss == "cross_entropy" else rng.normal(size=(7, k))
    return net, X, y


def _reference_forward(net, X):
    """The layer formulas written plainly, fresh arrays, no buffers."""
    a = X
    for i, (W, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        u = a @ W
        if net.gains and i < net.depth - 1:
            u_hat = (u - u.mean(axis=1, keepdims=True)) / np.sqrt(
                u.var(axis=1, keepdims=True) + net.norm_eps
            )
            z = net.gains[i] * u_hat + b
        else:
            z = u + b
        if i == net.depth - 1:
            return z
        branch = net.activation.forward(z)
        a = a + net.residual_scale * branch if net.residual_layers[i] else branch
    raise AssertionError("unreachable")


@pytest.mark.parametrize("structure", STRUCTURES)
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_structural_gradients_match_finite_differences(
    activation, loss, structure, numerical_gradient, relative_error
):
    net, X, y = _problem(activation, loss, structure, seed=1)
    result = net.loss_and_gradients(X, y, loss)
    if activation == "relu":  # finite differences must not straddle the kink
        assert min(np.abs(z).min() for z in net.pre_activations[:-1]) > 1e-3
    params = net.get_params()
    assert len(params) == len(result.as_list()) == len(net.param_names())
    for param, grad in zip(params, result.as_list(), strict=True):
        numeric = numerical_gradient(lambda: net.loss_and_gradients(X, y, loss).loss, param)
        assert relative_error(grad, numeric) < 1e-6
    # dLoss/dX, through every skip connection and normalization
    numeric = numerical_gradient(lambda: net.loss_and_gradients(X, y, loss).loss, X)
    assert relative_error(result.activation_grads[0], numeric) < 1e-6


@pytest.mark.parametrize("structure", STRUCTURES)
def test_forward_matches_the_layer_formulas(structure):
    net, X, _ = _problem("tanh", "mse", structure, seed=2)
    np.testing.assert_allclose(net.forward(X), _reference_forward(net, X), rtol=1e-12)


def test_which_layers_are_residual_and_normalized():
    net = MLP([2, 8, 8, 8, 3], "relu", "he_normal", seed=0, residual=True, layer_norm=True)
    # the first layer changes the width (2 -> 8), the last is the linear output
    assert net.residual_layers == [False, True, True, False]
    assert [g.shape for g in net.gains] == [(8,), (8,), (8,)]
    assert all(np.all(g == 1.0) for g in net.gains)
    assert net.param_names() == "W1 b1 g1 W2 b2 g2 W3 b3 g3 W4 b4".split()
    assert net.get_params()[2] is net.gains[0]
    assert net.norm_eps == LAYER_NORM_EPS == 1e-5
    plain = MLP([2, 8, 8, 3], "relu", "he_normal", seed=0)
    assert plain.residual_layers == [False, False, False] and plain.gains == []
    assert plain.param_names() == "W1 b1 W2 b2 W3 b3".split()


def test_layer_norm_output_has_zero_mean_unit_variance_per_row():
    rng = np.random.default_rng(3)
    net = MLP([4, 16, 16, 1], "identity", "standard_normal", seed=1, layer_norm=True)
    net.forward(rng.normal(0, 50.0, size=(9, 4)))  # a huge input scale is normalized away
    z = net.pre_activations[0]
    np.testing.assert_allclose(z.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(z.var(axis=1), 1.0, rtol=1e-6)


def test_residual_jacobian_is_identity_plus_branch():
    # One residual layer a_1 = a_0 + alpha tanh(a_0 W + b); its Jacobian as a map of rows is
    # I + alpha W diag(tanh'(z)), read off column by column from backward() with unit probes.
    rng = np.random.default_rng(4)
    n, alpha = 6, 0.3
    W, b = rng.normal(0, 1 / np.sqrt(n), size=(n, n)), rng.normal(0, 0.1, size=n)
    net = MLP.from_arrays(
        [np.eye(n), W, np.eye(n)],
        [np.zeros(n), b, np.zeros(n)],
        "tanh",
        residual=True,
        residual_scale=alpha,
    )
    assert net.residual_layers == [True, True, False]  # layer 1 is residual too (n -> n)
    x = rng.normal(size=(1, n))
    a0 = x + alpha * np.tanh(x)  # after layer 1 (identity weights)
    z = a0 @ W + b
    expected = np.eye(n) + alpha * W * (1 - np.tanh(z) ** 2)  # rows: d a_2 / d a_1
    got = np.vstack([net.backward(x, np.eye(n)[[k]]).activation_grads[1] for k in range(n)]).T
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_copy_and_set_params_keep_the_structure():
    net, X, y = _problem("relu", "mse", "both", seed=5)
    twin = net.copy()
    assert twin.residual and twin.residual_scale == 0.7 and twin.layer_norm
    np.testing.assert_array_equal(twin.forward(X), net.forward(X))
    twin.gains[0][:] = 2.0
    assert not np.any(net.gains[0] == 2.0)
    net.set_params(twin.get_params())
    np.testing.assert_array_equal(net.forward(X), twin.forward(X))
    assert "layer_norm=True" in repr(net) and "residual_scale=0.7" in repr(net)


def test_out_reuse_with_gains():
    net, X, y = _problem("tanh", "mse", "layer_norm", seed=6)
    first = net.loss_and_gradients(X, y)
    expected = [g.copy() for g in first.as_list()]
    again = net.loss_and_gradients(X, y, out=first)
    assert again.gain_grads[0] is first.gain_grads[0]
    for g, e in zip(again.as_list(), expected, strict=True):
        np.testing.assert_array_equal(g, e)
    plain = MLP([3, 5, 5, 5, 2], "tanh", seed=0)
    with pytest.raises(ValueError, match="out"):
        plain.loss_and_gradients(X, y, out=first)


def test_residual_diagnostics_measure_the_branch():
    # Saturation is a property of phi(z_l); a residual layer's output a_{l-1} + phi(z_l) is not
    # bounded, so it is measured on the branch. Dead units: phi'(z_l) from z, not from a_l.
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(40, 4))
    W = [np.eye(4), np.eye(4), np.ones((4, 1))]
    b = [np.zeros(4), np.array([-100.0, 0.0, 0.0, 50.0]), np.zeros(1)]
    net = MLP.from_arrays(W, b, "relu", residual=True)
    d = net.diagnostics(X, np.zeros(40))
    assert d.dead_fraction[1] == 0.25  # the unit with bias -100 is dead, though a_2 > 0 there
    sig = MLP.from_arrays(W, b, "sigmoid", residual=True)
    assert sig.diagnostics(X).saturated_fraction[1] == 0.5  # biases -100 and 50 saturate


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"residual": 1}, TypeError, "residual"),
        ({"layer_norm": "yes"}, TypeError, "layer_norm"),
        ({"residual": True, "residual_scale": 0.0}, ValueError, "residual_scale"),
        ({"layer_norm": True, "norm_eps": -1.0}, ValueError, "norm_eps"),
    ],
)
def test_bad_structure_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        MLP([2, 4, 4, 1], "relu", "he_normal", seed=0, **kwargs)


def test_bad_gains_are_named():
    W, b = [np.ones((2, 3)), np.ones((3, 1))], [np.zeros(3), np.zeros(1)]
    with pytest.raises(ValueError, match="gains"):
        MLP.from_arrays(W, b, gains=[np.ones(3), np.ones(1)])
    with pytest.raises(ValueError, match=r"gains\[0\]"):
        MLP.from_arrays(W, b, gains=[np.ones(2)])


def test_copy_keeps_norm_eps():
    # A large eps changes the output (sqrt(var + eps) != sqrt(var)), so the copy must carry it.
    net, X, _ = _problem("tanh", "mse", "layer_norm", seed=7)
    big = MLP.from_arrays(net.weights, net.biases, "tanh", gains=net.gains, norm_eps=0.5)
    twin = big.copy()
    assert twin.norm_eps == 0.5
    np.testing.assert_array_equal(twin.forward(X), big.forward(X))
    np.testing.assert_allclose(twin.forward(X), _reference_forward(big, X), rtol=1e-12)
    assert not np.allclose(big.forward(X), net.forward(X))  # eps 0.5 vs 1e-5 does show
    for p in twin.get_params():
        p += 1.0  # the copy's arrays are its own
    for p, q in zip(big.get_params(), net.get_params(), strict=True):
        np.testing.assert_array_equal(p, q)


def test_float32_network_keeps_every_array_in_float32():
    # dtype=float32 means the whole computation: inputs, the cached z_l and a_l, the gradients.
    net = MLP([3, 4, 4, 2], "tanh", seed=0, dtype=np.float32, residual=True, layer_norm=True)
    X, y = np.ones((5, 3)), np.ones((5, 2))  # float64 data, converted
    result = net.loss_and_gradients(X, y)
    arrays = net.activations + net.pre_activations + result.as_list() + result.activation_grads
    assert [a.dtype for a in arrays] == [np.dtype(np.float32)] * len(arrays)
    probe = net.backward(X, np.ones((5, 2)))
    arrays = probe.as_list() + probe.activation_grads + [net.forward(X)]
    assert [a.dtype for a in arrays] == [np.dtype(np.float32)] * len(arrays)


def test_structure_defaults():
    # residual_scale 1 (a_l = a_{l-1} + phi(z_l)), eps 1e-5, float64, no skips, no normalization,
    # whichever way the network is built.
    W, b = [np.eye(2), np.ones((2, 1))], [np.zeros(2), np.zeros(1)]
    for net in (MLP([2, 2, 1], seed=0, residual=True), MLP.from_arrays(W, b, residual=True)):
        assert net.residual_scale == 1.0 and net.norm_eps == LAYER_NORM_EPS
        assert net.residual_layers == [True, False] and net.dtype == np.float64
    plain = MLP.from_arrays(W, b)
    assert plain.residual_layers == [False, False] and plain.gains == []
    x = np.array([[0.5, -0.25]])
    skip = MLP.from_arrays(W, b, residual=True)
    np.testing.assert_allclose(skip.forward(x), np.sum(x + np.tanh(x)), rtol=1e-15)


@pytest.mark.parametrize("alpha", [1.0, 2.0, 0.5])
def test_every_residual_scale_is_applied_forward_and_backward(
    alpha, numerical_gradient, relative_error
):
    # No scale is special: a_l = a_{l-1} + alpha tanh(z_l) and its gradients, for alpha = 1, 2
    # and 1/2 (a shortcut that skips one of them shows here).
    rng = np.random.default_rng(8)
    W = [rng.normal(0, 0.6, size=s) for s in ((2, 3), (3, 3), (3, 3), (3, 1))]
    b = [rng.normal(0, 0.3, size=k) for k in (3, 3, 3, 1)]
    net = MLP.from_arrays(W, b, "tanh", residual=True, residual_scale=alpha)
    X, y = rng.normal(size=(4, 2)), rng.normal(size=(4, 1))
    np.testing.assert_allclose(net.forward(X), _reference_forward(net, X), rtol=1e-13)
    result = net.loss_and_gradients(X, y)
    for param, grad in zip(net.get_params(), result.as_list(), strict=True):
        numeric = numerical_gradient(lambda: net.loss_and_gradients(X, y).loss, param)
        assert relative_error(grad, numeric) < 1e-6
