import contextlib
import dataclasses
import math
import warnings

import numpy as np
import pytest

from gradlab import activations
from gradlab.network import LAYER_NORM_EPS, MLP, Gradients, cross_entropy, mse

KINKED = {"relu", "leaky_relu", "elu"}


def _problem(activation, loss, seed=0):
    rng = np.random.default_rng(seed)
    k = 3 if loss == "cross_entropy" else 2
    net = MLP([3, 5, 4, k], activation, "xavier_normal", seed=seed)
    for b in net.biases:
        b[:] = rng.normal(0, 0.2, size=b.shape)
    X = rng.normal(size=(7, 3))
    y = rng.integers(0, k, size=7) if loss == "cross_entropy" else rng.normal(size=(7, k))
    return net, X, y


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("activation", activations.names())
def test_parameter_gradients_match_finite_differences(
    activation, loss, numerical_gradient, relative_error
):
    net, X, y = _problem(activation, loss)
    result = net.loss_and_gradients(X, y, loss)
    if activation in KINKED:  # finite differences must not straddle the kink
        assert min(np.abs(z).min() for z in net.pre_activations[:-1]) > 1e-3
    for param, grad in zip(net.get_params(), result.as_list(), strict=True):
        numeric = numerical_gradient(lambda: net.loss_and_gradients(X, y, loss).loss, param)
        assert relative_error(grad, numeric) < 1e-6


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_activation_gradients_match_finite_differences(
    activation, numerical_gradient, relative_error
):
    net, X, y = _problem(activation, "mse", seed=3)
    result = net.loss_and_gradients(X, y)
    # dLoss/da_{l-1}: the gradient with respect to the input of the sub-network from layer l.
    hidden = [X] + [a.copy() for a in net.activations[1:-1]]
    for i, a in enumerate(hidden):
        tail = MLP.from_arrays(net.weights[i:], net.biases[i:], activation)
        numeric = numerical_gradient(lambda tail=tail, a=a: tail.loss_and_gradients(a, y).loss, a)
        assert relative_error(result.activation_grads[i], numeric) < 1e-6


def _textbook_backprop(net, X, y, loss):
    """Backpropagation written plainly from the four equations, with fresh arrays."""
    act = net.activation
    a, zs, As = X, [], [X]
    for i, (W, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        z = a @ W + b
        a = z if i == net.depth - 1 else act.forward(z)
        zs.append(z)
        As.append(a)
    out = As[-1]
    if loss == "mse":  # delta_L = dLoss/dz_L
        value = np.mean((out - y) ** 2)
        delta = 2 * (out - y) / out.size
    else:
        shifted = out - out.max(axis=1, keepdims=True)  # stable log-softmax
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        onehot = np.eye(out.shape[1])[y]
        value = -np.mean(log_probs[np.arange(len(y)), y])
        delta = (np.exp(log_probs) - onehot) / len(y)
    dWs, dbs, das = [None] * net.depth, [None] * net.depth, [None] * net.depth
    for i in reversed(range(net.depth)):
        dWs[i] = As[i].T @ delta  # dW_l = a_{l-1}.T @ delta_l
        dbs[i] = delta.sum(axis=0)  # db_l = delta_l.sum(0)
        das[i] = delta @ net.weights[i].T  # dLoss/da_{l-1}
        if i > 0:  # delta_{l-1} = (delta_l @ W_l.T) * phi'(z_{l-1})
            delta = (delta @ net.weights[i].T) * act.derivative(zs[i - 1])
    return value, dWs, dbs, das


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("activation", activations.names())
def test_backward_pass_matches_a_textbook_reference(activation, loss):
    # Large weights and biases push sigmoid/tanh units deep into saturation (|z| up to ~40),
    # where the optimized pass must still agree with phi'(z) to full relative precision.
    rng = np.random.default_rng(11)
    k = 3 if loss == "cross_entropy" else 2
    sizes = [4, 9, 8, 7, k]
    Ws = [rng.normal(0, 3.0, size=(m, n)) for m, n in zip(sizes[:-1], sizes[1:], strict=True)]
    bs = [rng.normal(0, 6.0, size=n) for n in sizes[1:]]
    net = MLP.from_arrays(Ws, bs, activation)
    X = rng.normal(0, 2.0, size=(13, 4))
    y = rng.integers(0, k, size=13) if loss == "cross_entropy" else rng.normal(size=(13, k))
    result = net.loss_and_gradients(X, y, loss)
    value, dWs, dbs, das = _textbook_backprop(net, X, y, loss)
    if activation in ("tanh", "sigmoid"):
        assert max(np.abs(z).max() for z in net.pre_activations[:-1]) > 25  # deep in the tails
    assert result.loss == pytest.approx(value, rel=1e-13)
    for got, want in zip(
        result.weight_grads + result.bias_grads + result.activation_grads,
        dWs + dbs + das,
        strict=True,
    ):
        # An entry that is a sum of large terms of both signs (here -0.016 among entries of
        # 3e5) is exact only to round-off relative to those terms, and its last bits depend
        # on the order the BLAS kernel sums in (another CPU): so the absolute tolerance is
        # 1e-12 of the array's largest entry, the relative one 1e-12 of each entry.
        scale = float(np.max(np.abs(want)))
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * scale)


def _one_unit(activation, z):
    """x = 1 -> z_1 = 1 * 1 + (z - 1) = z -> a_1 = phi(z) -> output a_1 (weight 1)."""
    return MLP.from_arrays(
        [np.ones((1, 1)), np.ones((1, 1))], [np.array([z - 1.0]), np.zeros(1)], activation
    )


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
@pytest.mark.parametrize("z", [20.0, 40.0])
def test_saturated_units_get_their_tiny_gradient(activation, z):
    net = _one_unit(activation, z)
    result = net.loss_and_gradients(np.ones((1, 1)), np.zeros((1, 1)))
    assert net.pre_activations[0][0, 0] == z
    # Loss = phi(z)**2, so dLoss/dW_1 = dLoss/db_1 = 2 phi(z) phi'(z) with x = 1.
    if activation == "tanh":
        phi, phi_prime = math.tanh(z), 4 * math.exp(-2 * z) / (1 + math.exp(-2 * z)) ** 2
    else:
        phi, phi_prime = 1 / (1 + math.exp(-z)), math.exp(-z) / (1 + math.exp(-z)) ** 2
    expected = 2 * phi * phi_prime
    # The from-output shortcut 1 - a**2 (tanh) or a (1 - a) (sigmoid) is exactly 0 here,
    # or (sigmoid at z = 20) wrong from the 8th digit: the test can tell them apart.
    a = np.float64(phi)
    shortcut = 1 - a**2 if activation == "tanh" else a * (1 - a)
    assert abs(shortcut - phi_prime) > 1e-8 * phi_prime
    # abs=0: by default pytest.approx also accepts anything within 1e-12, 0 included.
    assert result.weight_grads[0][0, 0] == pytest.approx(expected, rel=1e-14, abs=0)
    assert result.bias_grads[0][0] == pytest.approx(expected, rel=1e-14, abs=0)
    assert result.activation_grads[0][0, 0] == pytest.approx(expected, rel=1e-14, abs=0)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_saturated_units_are_not_dead(activation):
    # Biases of +-20 and +-40: every unit saturated on every example, none dead
    # (their derivative is tiny, not 0: dead means phi'(z) == 0 exactly).
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(30, 2))
    W1, b1 = 0.1 * rng.normal(size=(2, 4)), np.array([20.0, -20.0, 40.0, -40.0])
    net = MLP.from_arrays([W1, np.ones((4, 1))], [b1, np.zeros(1)], activation)
    for d in (net.diagnostics(X), net.diagnostics(X, np.full(30, 5.0))):
        assert d.saturated_fraction[0] == 1.0
        assert d.dead_fraction[0] == 0.0
    assert net.diagnostics(X, np.full(30, 5.0)).weight_grad_norm[0] > 0.0


def test_losses_against_direct_formulas():
    rng = np.random.default_rng(0)
    out, target = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    loss, grad = mse(out, target)
    assert loss == pytest.approx(
        sum((o - t) ** 2 for o, t in zip(out.ravel(), target.ravel(), strict=True)) / 12
    )
    np.testing.assert_allclose(grad, 2 * (out - target) / 12)
    labels = np.array([0, 2, 1, 2])
    loss, grad = cross_entropy(out, labels)
    probs = np.exp(out) / np.exp(out).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(probs[np.arange(4), labels])), rel=1e-12)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = cross_entropy(logits, np.array([0, 0]))
    assert loss == pytest.approx(1e4)  # first row is right (loss 0), second off by 2e4
    assert np.all(np.isfinite(grad))


def test_forward_computes_the_layer_formula():
    rng = np.random.default_rng(1)
    Ws = [rng.normal(size=(2, 3)), rng.normal(size=(3, 1))]
    bs = [rng.normal(size=3), rng.normal(size=1)]
    net = MLP.from_arrays(Ws, bs, "tanh")
    X = rng.normal(size=(5, 2))
    expected = np.tanh(X @ Ws[0] + bs[0]) @ Ws[1] + bs[1]
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-14)
    # The cache holds a_0 = X, z_l and a_l = phi(z_l) of this very batch.
    assert len(net.pre_activations) == 2 and len(net.activations) == 3
    np.testing.assert_array_equal(net.activations[0], X)
    np.testing.assert_allclose(net.pre_activations[0], X @ Ws[0] + bs[0], rtol=1e-14)
    np.testing.assert_array_equal(net.activations[1], np.tanh(net.pre_activations[0]))
    np.testing.assert_array_equal(net.activations[2], net.pre_activations[1])


def test_forward_returns_a_copy_and_arrays_are_copied():
    net = MLP([2, 4, 1], seed=0)
    X = np.ones((3, 2))
    out = net.forward(X)
    out[:] = 99.0
    assert not np.any(net.forward(X) == 99.0)
    W = np.ones((2, 1))
    net2 = MLP.from_arrays([W], [np.zeros(1)])
    net2.weights[0][0, 0] = 5.0
    assert W[0, 0] == 1.0


def test_out_reuses_arrays_and_matches_fresh_results():
    net, X, y = _problem("tanh", "mse")
    first = net.loss_and_gradients(X, y)
    expected = [g.copy() for g in first.as_list()]
    again = net.loss_and_gradients(X, y, out=first)
    assert again.weight_grads[0] is first.weight_grads[0]
    for g, e in zip(again.as_list(), expected, strict=True):
        np.testing.assert_array_equal(g, e)
    with pytest.raises(ValueError, match="out"):
        net.loss_and_gradients(X[:3], y[:3], out=first)


def test_sigmoid_chain_shrinks_at_least_like_four_to_the_minus_L():
    # Scalar chain with weights 1: each step back multiplies by sigma'(z) <= 1/4,
    # with equality when every z is 0 (biases -1/2 cancel sigma(0) = 1/2).
    L = 12
    for biases, exact in (([0.3] * L, False), ([0.0] + [-0.5] * (L - 1), True)):
        net = MLP.from_arrays([np.ones((1, 1))] * L, [np.array([b]) for b in biases], "sigmoid")
        grads = net.loss_and_gradients(np.zeros((1, 1)), np.ones((1, 1))).activation_grads
        ratio = abs(grads[0][0, 0] / grads[-1][0, 0])
        if exact:
            assert ratio == pytest.approx(0.25 ** (L - 1), rel=1e-12)
        else:
            assert ratio < 0.25 ** (L - 1)


def test_deep_sigmoid_network_vanishes_at_initialization():
    X = np.random.default_rng(0).normal(size=(64, 32))
    net = MLP([32] * 11 + [1], "sigmoid", "xavier_normal", seed=0)
    d = net.diagnostics(X, np.zeros(64))
    assert d.weight_grad_norm[0] < 1e-3 * d.weight_grad_norm[-2]


def test_diagnostics_dead_and_saturated_fractions():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(50, 2))
    # Units 0 and 1 have a bias so negative they are off on every example: dead.
    W1, b1 = 0.1 * rng.normal(size=(2, 4)), np.array([-100.0, -50.0, 0.2, 5.0])
    net = MLP.from_arrays([W1, np.ones((4, 1))], [b1, np.zeros(1)], "relu")
    d = net.diagnostics(X, np.zeros(50))
    assert d.dead_fraction[0] == 0.5
    assert np.isnan(d.dead_fraction[-1]) and np.isnan(d.saturated_fraction).all()
    leaky = MLP.from_arrays([W1, np.ones((4, 1))], [b1, np.zeros(1)], "leaky_relu")
    assert leaky.diagnostics(X).dead_fraction[0] == 0.0

    W = rng.normal(0, 3, size=(2, 6))
    for name, limit in (("tanh", 0.98), ("sigmoid", None)):
        net = MLP.from_arrays([W, np.ones((6, 1))], [np.zeros(6), np.zeros(1)], name)
        d = net.diagnostics(X)
        z = X @ W
        if name == "tanh":
            expected = np.mean(np.abs(np.tanh(z)) > limit)
        else:
            s = 1 / (1 + np.exp(-z))
            expected = np.mean((s < 0.01) | (s > 0.99))
        assert 0 < expected < 1
        assert d.saturated_fraction[0] == pytest.approx(expected)
        assert np.isnan(d.saturated_fraction[-1])
        assert np.isnan(d.loss) and np.isnan(d.weight_grad_norm).all()


def test_diagnostics_norms_and_statistics():
    net, X, y = _problem("tanh", "mse", seed=5)
    d = net.diagnostics(X, y)
    result = net.loss_and_gradients(X, y)
    assert d.loss == result.loss
    for i in range(net.depth):
        assert d.weight_grad_norm[i] == pytest.approx(np.sqrt(np.sum(result.weight_grads[i] ** 2)))
        assert d.bias_grad_norm[i] == pytest.approx(np.sqrt(np.sum(result.bias_grads[i] ** 2)))
        assert d.activation_grad_norm[i] == pytest.approx(
            np.sqrt(np.sum(result.activation_grads[i] ** 2))
        )
        assert d.grad_to_weight_ratio[i] == pytest.approx(
            d.weight_grad_norm[i] / np.sqrt(np.sum(net.weights[i] ** 2))
        )
        a = net.activations[i + 1]
        assert d.activation_mean[i] == pytest.approx(np.sum(a) / a.size)
        assert d.activation_std[i] == pytest.approx(np.sqrt(np.mean((a - a.mean()) ** 2)))
    table = d.table()
    assert len(table.splitlines()) == net.depth + 1 and "dead" in table


def test_params_roundtrip_and_live_arrays():
    net = MLP([2, 3, 1], seed=0)
    assert net.param_names() == ["W1", "b1", "W2", "b2"]
    params = net.get_params()
    params[0] += 1.0  # live arrays
    assert net.weights[0] is params[0]
    copy = net.copy()
    new = [p * 2 for p in params]
    net.set_params(new)
    for p, n in zip(net.get_params(), new, strict=True):
        np.testing.assert_array_equal(p, n)
    assert not np.array_equal(copy.weights[0], net.weights[0])
    with pytest.raises(ValueError, match=r"params\[1\]"):
        net.set_params([new[0], np.zeros(7), new[2], new[3]])
    with pytest.raises(ValueError, match="params"):
        net.set_params(new[:2])


def test_same_seed_same_network_and_float32():
    a, b = MLP([3, 4, 2], seed=4), MLP([3, 4, 2], rng=np.random.default_rng(4))
    np.testing.assert_array_equal(a.weights[1], b.weights[1])
    net = MLP(
        [3, 4, 2], init="he_uniform", seed=0, dtype=np.float32, init_options={"mode": "fan_out"}
    )
    assert net.forward(np.ones((2, 3))).dtype == np.float32
    assert (
        net.loss_and_gradients(np.ones((2, 3)), np.ones((2, 2))).weight_grads[0].dtype == np.float32
    )


def test_exploding_network_gives_inf_without_warnings():
    net = MLP([8] * 50 + [1], "relu", "standard_normal", init_options={"std": 1e3}, seed=0)
    X = np.random.default_rng(0).normal(size=(4, 8))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = net.loss_and_gradients(X, np.zeros(4))
        d = net.diagnostics(X, np.zeros(4))
    assert not np.isfinite(result.loss)
    assert not np.isfinite(d.activation_std[-1])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"sizes": [2, 0, 1]}, ValueError, r"sizes\[1\]"),
        ({"sizes": [2, 3.5, 1]}, TypeError, r"sizes\[1\]"),
        ({"sizes": [3]}, ValueError, "sizes"),
        ({"sizes": "2,3"}, TypeError, "sizes"),
        ({"sizes": [2, 1], "activation": "swish"}, ValueError, "activation"),
        ({"sizes": [2, 1], "init": "kaiming"}, ValueError, "init"),
        (
            {"sizes": [2, 1], "init_options": {"gain": 2}, "init": "he_normal"},
            ValueError,
            "options",
        ),
        ({"sizes": [2, 1], "init_options": 3}, TypeError, "init_options"),
        ({"sizes": [2, 1], "dtype": np.int64}, TypeError, "dtype"),
        ({"sizes": [2, 1], "dtype": "complex128"}, TypeError, "dtype"),
        ({"sizes": [2, 1], "rng": 3}, TypeError, "rng"),
    ],
)
def test_bad_construction_names_the_argument(kwargs, error, match):
    kwargs.setdefault("seed", 0)
    if "rng" in kwargs:
        del kwargs["seed"]
    with pytest.raises(error, match=match):
        MLP(**kwargs)


def test_bad_arrays_name_the_argument():
    with pytest.raises(ValueError, match=r"weights\[1\]"):
        MLP.from_arrays([np.ones((2, 3)), np.ones((4, 1))], [np.zeros(3), np.zeros(1)])
    with pytest.raises(ValueError, match=r"biases\[0\]"):
        MLP.from_arrays([np.ones((2, 3))], [np.zeros(2)])
    with pytest.raises(ValueError, match=r"weights\[0\]"):
        MLP.from_arrays([np.full((2, 3), np.nan)], [np.zeros(3)])
    with pytest.raises(TypeError, match=r"weights\[0\]"):
        MLP.from_arrays([np.array([["a", "b"]])], [np.zeros(2)])
    with pytest.raises(ValueError, match="biases"):
        MLP.from_arrays([np.ones((2, 3))], [])


def test_bad_data_names_the_argument():
    net = MLP([2, 3, 2], seed=0)
    X, y = np.ones((4, 2)), np.ones((4, 2))
    with pytest.raises(ValueError, match="X"):
        net.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match="X"):
        net.forward(np.array([[np.inf, 0.0]]))
    with pytest.raises(TypeError, match="X"):
        net.forward(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="X"):
        net.forward(np.ones(2))
    with pytest.raises(ValueError, match="y"):
        net.loss_and_gradients(X, np.ones((4, 3)))
    with pytest.raises(ValueError, match="y"):
        net.loss_and_gradients(X, np.array([0, 1, 2, 1]), "cross_entropy")
    with pytest.raises(ValueError, match="y"):
        net.loss_and_gradients(X, np.array([0, 1, 0.5, 1]), "cross_entropy")
    with pytest.raises(ValueError, match="loss"):
        net.loss_and_gradients(X, y, "hinge")
    with pytest.raises(ValueError, match="loss"):
        MLP([2, 1], seed=0).loss_and_gradients(X, np.zeros(4), "cross_entropy")
    with pytest.raises(TypeError, match="result"):
        net.summarize("not a result")
    assert isinstance(net.loss_and_gradients(X, np.array([0, 1, 1, 0]), "cross_entropy"), Gradients)


def test_empty_batch_is_rejected():
    net = MLP([2, 3, 1], seed=0)
    empty = np.ones((0, 2))
    for call in (
        lambda: net.forward(empty),
        lambda: net.loss_and_gradients(empty, np.ones(0)),
        lambda: net.diagnostics(empty),
        lambda: net.diagnostics(empty, np.ones(0)),
    ):
        with pytest.raises(ValueError, match="X"):
            call()


def test_diagnostics_checks_X_and_loss_first():
    net = MLP([2, 3, 2], seed=0)
    X, y = np.ones((4, 2)), np.ones((4, 2))
    with pytest.raises(TypeError, match="X"):
        net.diagnostics("abc", y)
    with pytest.raises(ValueError, match="X"):
        net.diagnostics(np.ones((4, 5)), y)
    with pytest.raises(ValueError, match="loss"):
        net.diagnostics(X, None, loss="hinge")
    with pytest.raises(ValueError, match="loss"):
        net.diagnostics(X, y, loss="hinge")


def test_public_losses_accept_lists():
    loss, grad = mse([1.0, 2.0], [0.0, 0.0])
    assert loss == 2.5
    np.testing.assert_array_equal(grad, [1.0, 2.0])
    loss, grad = cross_entropy([[0.0, 0.0]], [1])
    assert loss == pytest.approx(math.log(2.0))
    np.testing.assert_allclose(grad, [[0.5, -0.5]])
    # Whole-number float labels are accepted; an exploded output gives inf, silently.
    assert cross_entropy([[0.0, 0.0]], [1.0])[0] == loss
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mse(np.array([np.inf]), np.array([0.0]))[0] == math.inf
    assert mse(np.float32([1.0]), np.float32([0.0]))[1].dtype == np.float32


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: mse(["a"], [1.0]), TypeError, "output"),
        (lambda: mse(None, [1.0]), TypeError, "output"),
        (lambda: mse([1.0, 2.0], "ab"), TypeError, "target"),
        (lambda: mse(np.ones((2, 3)), np.ones((3, 2))), ValueError, "target"),
        (lambda: mse([1.0], [np.nan]), ValueError, "target"),
        (lambda: mse(np.ones((0, 2)), np.ones((0, 2))), ValueError, "output"),
        (lambda: cross_entropy(np.zeros((2, 3)), [0, 5]), ValueError, "labels"),
        (lambda: cross_entropy(np.zeros((2, 3)), [0, -1]), ValueError, "labels"),
        (lambda: cross_entropy(np.zeros((2, 3)), [0.5, 1.0]), ValueError, "labels"),
        (lambda: cross_entropy(np.zeros((2, 3)), [0, 1, 2]), ValueError, "labels"),
        (lambda: cross_entropy(np.zeros((2, 3)), [[0], [1]]), ValueError, "labels"),
        (lambda: cross_entropy(np.zeros((2, 3)), ["a", "b"]), TypeError, "labels"),
        (lambda: cross_entropy(np.zeros(3), [0]), ValueError, "logits"),
        (lambda: cross_entropy(np.zeros((0, 3)), []), ValueError, "logits"),
        (lambda: cross_entropy("abc", [0]), TypeError, "logits"),
    ],
)
def test_bad_loss_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_diagnostics_are_fresh_for_each_batch():
    net = MLP([2, 6, 1], "tanh", seed=0)
    rng = np.random.default_rng(0)
    X1, X2 = rng.normal(size=(5, 2)), rng.normal(size=(7, 2))
    first = net.diagnostics(X1, np.ones(5))
    other = net.diagnostics(X2, np.ones(7))
    again = net.diagnostics(X1, np.ones(5))
    np.testing.assert_array_equal(first.weight_grad_norm, again.weight_grad_norm)
    assert not np.array_equal(first.weight_grad_norm, other.weight_grad_norm)


# --- documented defaults and conditions, each pinned -----------------------------------------


def test_mlp_defaults_are_tanh_xavier_normal_and_zero_biases():
    default = MLP([3, 5, 4, 2], seed=7)
    explicit = MLP([3, 5, 4, 2], "tanh", "xavier_normal", seed=7)
    assert default.activation.name == "tanh" and default.dtype == np.float64
    for a, b in zip(default.get_params(), explicit.get_params(), strict=True):
        np.testing.assert_array_equal(a, b)
    # ... and the weights are Glorot's: drawn from the same generator with N(0, 2 / (m + n)).
    rng = np.random.default_rng(7)
    for W, (m, n) in zip(default.weights, [(3, 5), (5, 4), (4, 2)], strict=True):
        np.testing.assert_array_equal(W, rng.normal(0.0, np.sqrt(2.0 / (m + n)), size=(m, n)))
    for b in default.biases:
        assert b.dtype == np.float64 and not b.any()  # biases start at zero
    assert MLP.from_arrays([np.ones((2, 1))], [np.zeros(1)]).activation.name == "tanh"


def test_default_loss_is_mse():
    net, X, y = _problem("tanh", "mse", seed=2)
    expected = np.mean((net.forward(X) - y) ** 2)
    assert net.loss_and_gradients(X, y).loss == pytest.approx(expected, rel=1e-14)
    assert net.diagnostics(X, y).loss == pytest.approx(expected, rel=1e-14)


def _constant_layer(activation, values):
    """A network whose one hidden layer outputs exactly ``values`` (for X = [[0]])."""
    values = np.asarray(values, dtype=float)
    return MLP.from_arrays(
        [np.ones((1, values.size)), np.ones((values.size, 1))], [values, np.zeros(1)], activation
    )


@pytest.mark.parametrize(("low", "high"), [(0.0, 1.0), (-1.0, 1.0)])
def test_saturated_means_strictly_within_one_percent_of_the_range(low, high):
    # A linear unit with the bounds of sigmoid or tanh outputs exactly what we ask for, so the
    # boundary itself can be tested: "within 1 %" is strict (below 0.01, above 0.99; |a| > 0.98).
    bounded = dataclasses.replace(activations.get("identity"), bounds=(low, high))
    tol = 0.01 * (high - low)
    edge_low, edge_high = low + tol, high - tol
    assert (edge_low, edge_high) in [(0.01, 0.99), (-0.98, 0.98)]  # the documented numbers
    values = [
        edge_low,  # exactly 1 % from the bound: not saturated
        np.nextafter(edge_low, low),  # a hair closer: saturated
        edge_high,
        np.nextafter(edge_high, high),
        (low + high) / 2,
    ]
    net = _constant_layer(bounded, values)
    d = net.diagnostics(np.zeros((1, 1)))
    assert d.saturated_fraction[0] == 2 / 5
    assert d.dead_fraction[0] == 0.0  # identity: phi' = 1 everywhere


def test_dead_means_zero_derivative_on_every_example():
    # Unit 0 is alive on exactly one example of four, unit 1 on three, unit 2 (z = 0 on the whole
    # batch: relu'(0) = 0, the z <= 0 branch) on none: only unit 2 is dead.
    X = np.array([[-1.0], [-2.0], [-0.5], [1.0]])
    W1 = np.array([[1.0, -1.0, 0.0]])
    for name, dead in (("relu", 1 / 3), ("leaky_relu", 0.0), ("elu", 0.0)):
        net = MLP.from_arrays([W1, np.ones((3, 1))], [np.zeros(3), np.zeros(1)], name)
        d = net.diagnostics(X, np.zeros(4))
        assert d.dead_fraction[0] == pytest.approx(dead, abs=1e-15), name
    zero_slope = activations.get("leaky_relu", negative_slope=0.0)
    net = MLP.from_arrays([W1, np.ones((3, 1))], [np.zeros(3), np.zeros(1)], zero_slope)
    assert net.diagnostics(X).dead_fraction[0] == pytest.approx(1 / 3, abs=1e-15)
    # Alive on one example only: its weight gradient is non-zero, so it does learn.
    result = MLP.from_arrays([W1, np.ones((3, 1))], [np.zeros(3), np.zeros(1)], "relu")
    grads = result.loss_and_gradients(X, np.zeros(4))
    assert grads.weight_grads[0][0, 0] != 0.0 and grads.weight_grads[0][0, 2] == 0.0


def test_last_layer_is_linear_and_has_no_saturation_or_dead_statistics():
    net = _constant_layer("sigmoid", [50.0, -50.0])
    d = net.diagnostics(np.zeros((1, 1)))
    assert d.saturated_fraction[0] == 1.0 and np.isnan(d.saturated_fraction[1])
    assert np.isnan(d.dead_fraction[1])
    assert net.forward(np.zeros((1, 1)))[0, 0] == pytest.approx(1.0)  # sigma(50) + sigma(-50)


# --- mutation-testing survivors: each test below pins one promise an earlier mutant broke -------


def _silent_floating_point():
    """Warnings are errors and NumPy warns on every floating-point problem (its default),
    whatever an earlier test left: only gradlab's own silencing can keep a call quiet."""
    stack = contextlib.ExitStack()
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("error")
    stack.enter_context(np.errstate(all="warn"))
    return stack


def test_cross_entropy_takes_an_exploded_output_silently():
    # logits may hold inf (documented): z - max(z) is inf - inf = nan, so the loss is nan,
    # without a RuntimeWarning and without refusing the input.
    with _silent_floating_point():
        loss, grad = cross_entropy(np.array([[np.inf, 0.0], [1.0, 2.0]]), np.array([0, 1]))
    assert math.isnan(loss) and np.isnan(grad[0]).all()


def test_cross_entropy_of_a_single_class_is_zero():
    # One class: softmax is 1, so Loss = log exp(z) - z = 0 and dLoss/dz = (1 - 1) / n = 0.
    loss, grad = cross_entropy(np.array([[3.0], [-7.0], [0.5]]), np.zeros(3))
    assert loss == 0.0
    np.testing.assert_array_equal(grad, np.zeros((3, 1)))


@pytest.mark.parametrize(
    ("logits", "labels", "match"),
    [
        (np.zeros((2, 0)), [0, 0], r"^logits must have at least one row and one class"),
        (np.zeros((0, 2)), [], r"^logits must have at least one row and one class"),
        (np.zeros(3), [0], r"^logits must have 2 dimension"),
        (np.zeros((2, 3)), [0, 3], r"^labels must hold class labels in 0\.\.2"),
        (np.zeros((2, 3)), [0, 1, 2], r"^labels must hold one label per row \(2\)"),
    ],
)
def test_cross_entropy_refusals_start_with_the_argument(logits, labels, match):
    with pytest.raises(ValueError, match=match):
        cross_entropy(logits, labels)


def _by_hand(X, W1, b1, W2, b2, y):
    """The diagnostics of a tanh network [n_in, h, 1] with MSE, from their definitions."""
    z1 = X @ W1 + b1
    a1 = np.tanh(z1)
    out = a1 @ W2 + b2
    loss = np.mean((out - y) ** 2)
    delta2 = 2 * (out - y) / out.size
    dW2, db2, da1 = a1.T @ delta2, delta2.sum(axis=0), delta2 @ W2.T
    delta1 = da1 * (1 - np.tanh(z1) ** 2)
    dW1, db1, dX = X.T @ delta1, delta1.sum(axis=0), delta1 @ W1.T

    def norm(x):
        return np.sqrt(np.sum(x**2))

    rows = []
    for a, sat, W, dW, db, da in (
        (a1, np.mean(np.abs(a1) > 0.98), W1, dW1, db1, dX),  # tanh saturates at |a| > 0.98
        (out, np.nan, W2, dW2, db2, da1),  # the linear last layer: no saturation, no dead units
    ):
        dead = 0.0 if a is a1 else np.nan  # tanh'(z) > 0 for these moderate z
        rows.append(
            [
                a.mean(),
                a.std(),
                sat,
                dead,
                norm(W),
                norm(dW),
                norm(db),
                norm(da),
                norm(dW) / norm(W),
            ]
        )
    return loss, rows


def test_table_rows_are_the_diagnostics_recomputed_from_their_definitions():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 1))
    W1, W2 = rng.normal(size=(3, 4)), rng.normal(size=(4, 1))
    b1, b2 = np.array([0.1, 3.0, -0.2, 0.0]), np.array([0.3])  # unit 1 mostly saturated
    net = MLP.from_arrays([W1, W2], [b1, b2], "tanh")
    d = net.diagnostics(X, y)
    loss, rows = _by_hand(X, W1, b1, W2, b2, y)
    assert d.loss == pytest.approx(loss, rel=1e-12)
    assert 0 < rows[0][2] < 1  # the saturated fraction is neither 0 nor 1: a real check
    lines = d.table().split("\n")
    # Nine columns (the fields but the loss, in their order), names shortened ("activation" ->
    # "act", "fraction" -> "frac") and cut to the column width of 12, right-aligned after
    # "layer "; each row: the layer number (width 5), then the nine values as 12.4g.
    names = ["act_mean", "act_std", "saturated_fr", "dead_frac", "weight_norm", "weight_grad_"]
    names += ["bias_grad_no", "act_grad_nor", "grad_to_weig"]
    assert lines[0] == "layer " + " ".join(name.rjust(12) for name in names)
    assert len(lines) == 1 + net.depth
    for layer, (line, expected) in enumerate(zip(lines[1:], rows, strict=True), start=1):
        assert len(line) == len(lines[0])  # fixed width: numbers under their names
        assert line[:6] == f"{layer:5d} "
        cells = [line[6 + 13 * j : 6 + 13 * j + 12] for j in range(9)]
        assert " ".join(cells) == line[6:]
        # 4 significant digits: within half a unit of the 4th digit
        np.testing.assert_allclose([float(c) for c in cells], expected, rtol=5e-4)


def test_as_list_refuses_gradients_whose_lists_disagree():
    # One bias gradient short: silently dropping the second layer's dW would train it no more.
    g = Gradients(0.0, [np.ones((2, 3)), np.ones((3, 1))], [np.ones(3)], [np.ones((1, 2))] * 2)
    with pytest.raises(ValueError, match="shorter"):
        g.as_list()
    full = g._replace(bias_grads=[np.ones(3), np.ones(1)])
    assert [x.shape for x in full.as_list()] == [(2, 3), (3,), (3, 1), (1,)]


def test_repr_shows_the_structure():
    assert repr(MLP([2, 3, 1], seed=0)) == "MLP(sizes=[2, 3, 1], activation='tanh')"
    assert (
        repr(MLP([2, 3, 3, 1], "relu", "he_normal", seed=0, layer_norm=True))
        == "MLP(sizes=[2, 3, 3, 1], activation='relu', layer_norm=True)"
    )
    assert (
        repr(MLP([2, 3, 3, 1], "relu", "he_normal", seed=0, residual=True, residual_scale=0.25))
        == "MLP(sizes=[2, 3, 3, 1], activation='relu', residual=True, residual_scale=0.25)"
    )


def test_out_of_another_batch_is_refused_with_its_name():
    net = MLP([2, 3, 1], seed=0)
    first = net.loss_and_gradients(np.ones((4, 2)), np.ones(4))
    with pytest.raises(
        ValueError,
        match=r"^out must be a Gradients result of this network for the same batch size$",
    ):
        net.loss_and_gradients(np.ones((3, 2)), np.ones(3), out=first)


def test_mse_target_is_checked_and_converted_like_the_network():
    net = MLP([2, 3, 2], seed=0)
    X = np.ones((4, 2))
    with pytest.raises(ValueError, match=r"^y must contain only finite values"):
        net.loss_and_gradients(X, np.full((4, 2), np.nan))
    with pytest.raises(TypeError, match=r"^y must hold real numbers"):
        net.loss_and_gradients(X, np.full((4, 2), "a"))
    with pytest.raises(ValueError, match=r"^y must have 1 or 2 dimension\(s\)"):
        net.loss_and_gradients(X, np.ones((4, 2, 1)))
    with pytest.raises(ValueError, match=r"^y must have shape \(4, 2\) for loss='mse'"):
        net.loss_and_gradients(X, np.ones((4, 3)))
    # A float32 network computes in float32: zero weights give the output 0, and the target 0.1
    # is rounded to float32 first, so Loss = fl32(fl32(0.1)**2) (in float64 it would be 0.01).
    zero = MLP.from_arrays([np.zeros((1, 1))], [np.zeros(1)], dtype=np.float32)
    expected = float(np.float32(0.1) * np.float32(0.1))
    assert expected != 0.1**2
    assert zero.loss_and_gradients(np.ones((1, 1)), np.array([0.1])).loss == expected


def test_cross_entropy_labels_are_checked_against_the_batch():
    net = MLP([2, 3, 2], seed=0)
    X = np.ones((4, 2))
    # One label per row: a single label must not be broadcast to the whole batch.
    for y in ([1], [0, 1, 1]):
        with pytest.raises(ValueError, match=r"^y must hold one label per row \(4\)"):
            net.loss_and_gradients(X, y, "cross_entropy")
    with pytest.raises(ValueError, match=r"^y must hold class labels in 0\.\.1, got 2"):
        net.loss_and_gradients(X, [0, 1, 2, 1], "cross_entropy")
    with pytest.raises(
        ValueError, match=r"^loss: 'cross_entropy' needs an output layer of at least 2 classes$"
    ):
        MLP([2, 1], seed=0).loss_and_gradients(X, [0, 0, 0, 0], "cross_entropy")


def test_unknown_loss_is_refused_with_its_name():
    net = MLP([2, 3, 2], seed=0)
    X, y = np.ones((4, 2)), np.ones((4, 2))
    for call in (
        lambda: net.loss_and_gradients(X, y, "hinge"),
        lambda: net.diagnostics(X, y, loss="hinge"),
        lambda: net.diagnostics(X, loss="hinge"),
    ):
        with pytest.raises(ValueError, match=r"^loss must be one of \['mse', 'cross_entropy'\]"):
            call()


def test_copy_keeps_dtype_and_is_independent():
    net = MLP([2, 3, 1], seed=0, dtype=np.float32)
    twin = net.copy()
    assert twin.dtype == np.float32 and all(p.dtype == np.float32 for p in twin.get_params())
    X = np.ones((2, 2))
    np.testing.assert_array_equal(twin.forward(X), net.forward(X))
    for p in twin.get_params():
        p += 1.0
    assert not any(np.any(t == p) for t, p in zip(twin.get_params(), net.get_params(), strict=True))


def _exploding():
    # Weights 1e200 and X = 1: z_1 = 2e200, z_2 = 3 * 2e200 * 1e200 overflows to inf, silently.
    weights = [np.full((2, 3), 1e200), np.full((3, 1), 1e200)]
    return MLP.from_arrays(weights, [np.zeros(3), np.zeros(1)], "relu")


def test_forward_and_diagnostics_of_an_exploding_network_are_silent():
    net, X = _exploding(), np.ones((2, 2))
    with _silent_floating_point():
        out = net.forward(X)
        d = net.diagnostics(X)
        probe = net.backward(X, np.ones((2, 1)))
    assert np.all(out == np.inf)
    assert d.activation_mean[-1] == np.inf
    # With g = 1 on both rows: dW_2 = a_1.T @ g = 2 * 2e200 per entry; delta_1 = g W_2.T * relu' =
    # 1e200, so dW_1 = X.T @ delta_1 = 2e200 per entry; dX = delta_1 @ W_1.T = 3e400 overflows.
    np.testing.assert_allclose(probe.weight_grads[1], np.full((3, 1), 4e200), rtol=1e-15)
    np.testing.assert_allclose(probe.weight_grads[0], np.full((2, 3), 2e200), rtol=1e-15)
    assert np.all(probe.activation_grads[0] == np.inf)


def test_diagnostics_follow_batch_size_changes():
    # The gradient arrays are reused while the batch size stays the same. Batch sizes 4 -> 3 -> 5
    # with 3 inputs: a batch as long as the input is wide must not be mistaken for the last one.
    net = MLP([3, 4, 2], seed=0)
    rng = np.random.default_rng(1)
    for n in (4, 3, 5, 5):
        X, y = rng.normal(size=(n, 3)), rng.normal(size=(n, 2))
        d = net.diagnostics(X, y)
        fresh = MLP.from_arrays(net.weights, net.biases).loss_and_gradients(X, y)
        np.testing.assert_allclose(
            d.weight_grad_norm, [np.linalg.norm(g) for g in fresh.weight_grads], rtol=1e-14
        )
    # A network of one layer (activation_grads holds dLoss/dX only) also reuses them.
    single = MLP([3, 2], seed=0)
    for _ in range(2):
        d = single.diagnostics(X, y)
        out = X @ single.weights[0] + single.biases[0]  # dLoss/dW = X.T 2 (out - y) / size
        assert d.weight_grad_norm[0] == pytest.approx(
            np.linalg.norm(X.T @ (2 * (out - y) / out.size)), rel=1e-14
        )


def test_set_params_refuses_values_beyond_the_networks_dtype():
    # 1e39 is finite in float64 but beyond float32's range (max ~3.4e38): it would become inf.
    net = MLP([1, 1], seed=0, dtype=np.float32)
    before = [p.copy() for p in net.get_params()]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the refusal comes without NumPy's cast warning first
        with pytest.raises(
            ValueError,
            match=r"^params\[0\] must lie within float32's range \(\|x\| <= 3\.403e\+38\)$",
        ):
            net.set_params([np.array([[1e39]]), np.zeros(1)])
    for p, b in zip(net.get_params(), before, strict=True):
        np.testing.assert_array_equal(p, b)


# --- the rest of the module: the same kinds of promises, pinned before its mutants run ---------


def test_mse_refusals_start_with_the_argument_and_overflow_is_silent():
    with pytest.raises(TypeError, match=r"^output must hold real numbers"):
        mse(["a"], [1.0])
    with pytest.raises(ValueError, match=r"^target must contain only finite values"):
        mse([1.0], [np.nan])
    with pytest.raises(ValueError, match=r"^target must have the shape of output \(2, 3\)"):
        mse(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"^output must have at least one entry"):
        mse(np.ones((0, 2)), np.ones((0, 2)))
    # output may hold nan (an exploded network): the loss is nan, not a refusal.
    assert math.isnan(mse([np.nan, 1.0], [0.0, 0.0])[0])
    # 1e308 - (-1e308) overflows: inf, silently.
    with _silent_floating_point():
        loss, grad = mse(np.array([1e308, 0.0]), np.array([-1e308, 0.0]))
    assert loss == math.inf and grad[0] == math.inf and grad[1] == 0.0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"sizes": "2,3"}, TypeError, r"^sizes must be a list of layer widths, got str"),
        ({"sizes": 5}, TypeError, r"^sizes must be a list of layer widths, got int"),
        ({"sizes": [3]}, ValueError, r"^sizes must list at least an input and an output width"),
        ({"sizes": [2, 0, 1]}, ValueError, r"^sizes\[1\] must be >= 1, got 0"),
        ({"sizes": [2, 1], "activation": "swish"}, ValueError, r"^activation must be one of"),
        ({"sizes": [2, 1], "init": "kaiming"}, ValueError, r"^init must be one of"),
        ({"sizes": [2, 1], "init_options": 3}, TypeError, r"^init_options must be a dict, got int"),
        ({"sizes": [2, 1], "dtype": "nonsense"}, TypeError, r"^dtype must be float64 or float32"),
        ({"sizes": [2, 1], "dtype": np.int64}, TypeError, r"^dtype must be float64 or float32"),
        ({"sizes": [2, 1], "residual": 1}, TypeError, r"^residual must be True or False, got 1"),
        ({"sizes": [2, 1], "layer_norm": 0}, TypeError, r"^layer_norm must be True or False"),
        ({"sizes": [2, 1], "residual_scale": 0.0}, ValueError, r"^residual_scale must be > 0"),
        ({"sizes": [2, 1], "norm_eps": 0.0}, ValueError, r"^norm_eps must be > 0"),
    ],
)
def test_construction_refusals_start_with_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        MLP(seed=0, **kwargs)


def test_smallest_accepted_construction_arguments():
    # Two widths make one layer; positive scale and eps, however small, are accepted.
    net = MLP([3, 2], seed=0, residual_scale=1e-300, norm_eps=1e-300)
    assert net.depth == 1 and net.sizes == [3, 2]
    assert net.residual_scale == 1e-300 and net.norm_eps == 1e-300
    assert MLP([1, 1, 1], seed=0).depth == 2


def test_init_options_reach_the_initializer():
    # xavier_normal draws N(0, gain**2 * 2 / (m + n)) from the same generator: gain 2 doubles
    # every weight (scaling by a power of 2 is exact).
    plain, double = MLP([3, 4, 2], seed=0), MLP([3, 4, 2], seed=0, init_options={"gain": 2.0})
    for W, W2 in zip(plain.weights, double.weights, strict=True):
        np.testing.assert_array_equal(W2, 2 * W)


def test_layer_norm_gains_start_at_one_on_the_hidden_layers():
    net = MLP([2, 3, 4, 1], seed=0, layer_norm=True)
    assert net.layer_norm and not MLP([2, 3, 1], seed=0).layer_norm
    assert [g.tolist() for g in net.gains] == [[1.0] * 3, [1.0] * 4]
    assert [b.tolist() for b in net.biases] == [[0.0] * 3, [0.0] * 4, [0.0]]


@pytest.mark.parametrize(
    ("weights", "biases", "kwargs", "error", "match"),
    [
        ([], [], {}, TypeError, r"^weights must be a non-empty list of 2-D arrays"),
        (np.ones((1, 2, 3)), [np.zeros(3)], {}, TypeError, r"^weights must be a non-empty list"),
        ([np.ones((2, 3))], [], {}, ValueError, r"^biases must be a list with one array per layer"),
        ([np.ones((2, 3))], np.zeros((1, 3)), {}, ValueError, r"^biases must be a list with one"),
        (
            [np.ones((2, 3)), np.ones((4, 1))],
            [np.zeros(3), np.zeros(1)],
            {},
            ValueError,
            r"^weights\[1\] must have 3 rows to follow weights\[0\], got shape \(4, 1\)",
        ),
        ([np.ones(3)], [np.zeros(3)], {}, ValueError, r"^weights\[0\] must have 2 dimension"),
        ([np.ones((2, 3))], [np.zeros(2)], {}, ValueError, r"^biases\[0\] must have shape \(3,\)"),
        (
            [np.ones((2, 3)), np.ones((3, 1))],
            [np.zeros(3), np.zeros(1)],
            {"gains": [np.ones(3), np.ones(1)]},
            ValueError,
            r"^gains must be a list with one array per hidden layer \(1\)",
        ),
        (
            [np.ones((2, 3)), np.ones((3, 1))],
            [np.zeros(3), np.zeros(1)],
            {"gains": [np.ones(2)]},
            ValueError,
            r"^gains\[0\] must have shape \(3,\)",
        ),
        ([np.ones((2, 3))], [np.zeros(3)], {"activation": "swish"}, ValueError, r"^activation"),
    ],
)
def test_from_arrays_refusals_start_with_the_argument(weights, biases, kwargs, error, match):
    with pytest.raises(error, match=match):
        MLP.from_arrays(weights, biases, **kwargs)


def test_from_arrays_copies_and_converts_every_array():
    W, b, g = np.ones((2, 2)), np.zeros(2), np.full(2, 3.0)
    net = MLP.from_arrays([W, np.ones((2, 1))], [b, np.zeros(1)], gains=[g], dtype=np.float32)
    W[0, 0], b[0], g[0] = 7.0, 7.0, 7.0  # the caller's arrays change afterwards ...
    assert net.weights[0][0, 0] == 1.0 and net.biases[0][0] == 0.0 and net.gains[0][0] == 3.0
    assert all(p.dtype == np.float32 for p in net.get_params())  # ... and were converted
    assert net.param_names() == ["W1", "b1", "g1", "W2", "b2"]
    relu = activations.get("leaky_relu", negative_slope=0.3)  # an Activation object is taken as is
    assert MLP.from_arrays([np.ones((1, 1))], [np.zeros(1)], relu).activation is relu


def test_residual_layers_are_the_hidden_layers_that_keep_their_width():
    net = MLP([3, 3, 4, 4, 4, 4], "relu", seed=0, residual=True)
    # layer 1: 3 -> 3 (residual), 2: 3 -> 4 (no), 3 and 4: 4 -> 4 (yes), 5: the linear output
    assert net.residual_layers == [True, False, True, True, False]
    assert MLP([3, 3, 3], seed=0).residual_layers == [False, False]


def test_bad_X_is_refused_with_its_name():
    net = MLP([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match=r"^X must have shape \(any, 2\), got \(4, 3\)"):
        net.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"^X must have 2 dimension"):
        net.forward(np.ones(2))
    with pytest.raises(ValueError, match=r"^X must contain only finite values"):
        net.forward(np.array([[np.inf, 0.0]]))
    with pytest.raises(ValueError, match=r"^X must have at least one row, got an empty batch$"):
        net.forward(np.ones((0, 2)))
    # A batch of one row is a batch.
    assert net.forward(np.ones((1, 2))).shape == (1, 1)


def test_backward_is_the_gradient_of_the_probe_cost(numerical_gradient, relative_error):
    # backward(X, g) backpropagates dJ/da_L = g, so its gradients are those of J = sum(g * a_L).
    net, X, _ = _problem("tanh", "mse", seed=4)
    g = np.random.default_rng(5).normal(size=(7, 2))
    probe = g.copy()
    result = net.backward(X, g)
    np.testing.assert_array_equal(g, probe)  # the caller's probe is left alone
    assert math.isnan(result.loss)
    for param, grad in zip(net.get_params(), result.as_list(), strict=True):
        numeric = numerical_gradient(lambda: float(np.sum(g * net.forward(X))), param)
        assert relative_error(grad, numeric) < 1e-6
    numeric = numerical_gradient(lambda: float(np.sum(g * net.forward(X))), X)
    assert relative_error(result.activation_grads[0], numeric) < 1e-6


def test_backward_refuses_a_probe_of_the_wrong_shape():
    net = MLP([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match=r"^grad_output must have shape \(4, 1\), got \(4, 2\)"):
        net.backward(np.ones((4, 2)), np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"^grad_output must have 2 dimension"):
        net.backward(np.ones((4, 2)), np.ones(4))
    with pytest.raises(ValueError, match=r"^grad_output must contain only finite values"):
        net.backward(np.ones((4, 2)), np.full((4, 1), np.nan))


def test_summarize_is_the_diagnostics_of_the_last_pass():
    net, X, y = _problem("sigmoid", "mse", seed=6)
    with pytest.raises(
        ValueError, match=r"^summarize needs a forward pass first: call forward\(X\)$"
    ):
        net.summarize()
    result = net.loss_and_gradients(X, y)
    with pytest.raises(TypeError, match=r"^result must be a Gradients, got tuple"):
        net.summarize(tuple(result))
    with_grads, without = net.summarize(result), net.summarize()
    assert with_grads.loss == result.loss and math.isnan(without.loss)
    np.testing.assert_allclose(
        with_grads.bias_grad_norm, [np.sqrt(np.sum(b**2)) for b in result.bias_grads], rtol=1e-14
    )
    assert np.isnan(without.weight_grad_norm).all() and np.isnan(without.grad_to_weight_ratio).all()
    np.testing.assert_array_equal(without.activation_mean, with_grads.activation_mean)


def test_backward_probe_is_converted_like_the_network():
    # A float32 network computes in float32: with x = 3 and dJ/da_1 = 0.3 (one unit, one layer),
    # dW_1 = x * g = fl32(3 * fl32(0.3)), which is not 0.9 rounded to float32 (a float64 probe).
    net = MLP.from_arrays([np.ones((1, 1))], [np.zeros(1)], dtype=np.float32)
    result = net.backward(np.array([[3.0]]), np.array([[0.3]]))
    expected = np.float32(3.0) * np.float32(0.3)
    assert expected != np.float32(0.9)
    assert result.weight_grads[0][0, 0] == expected
    assert result.activation_grads[0][0, 0] == np.float32(0.3)  # dJ/dx = g W = g


def test_backward_pass_of_a_float32_network_rounds_in_float32():
    # One leaky ReLU unit (slope 0.1), weights 1, x = -13, probe g = 1: delta_1 = slope * W_2 g
    # = fl32(0.1), so dW_1 = x delta_1 = fl32(-13 * fl32(0.1)); carried in float64 it would be
    # -1.3 rounded to float32, which differs in the last bit.
    leaky = activations.get("leaky_relu", negative_slope=0.1)
    net = MLP.from_arrays([np.ones((1, 1))] * 2, [np.zeros(1)] * 2, leaky, dtype=np.float32)
    result = net.backward(np.array([[-13.0]]), np.ones((1, 1)))
    expected = np.float32(-13.0) * np.float32(0.1)
    assert expected != np.float32(-1.3)
    assert result.weight_grads[0][0, 0] == expected
    assert result.bias_grads[0][0] == np.float32(0.1)


def test_the_cache_is_empty_before_the_first_pass():
    net = MLP([2, 3, 1], seed=0)
    assert net.activations == [] and net.pre_activations == []
    net.forward(np.ones((4, 2)))
    assert [a.shape for a in net.activations] == [(4, 2), (4, 3), (4, 1)]
    assert [z.shape for z in net.pre_activations] == [(4, 3), (4, 1)]


def test_a_float32_network_normalizes_its_layers_in_float32():
    # Layer normalization (Ba et al. 2016) of u_1 = x W_1 in float32 throughout:
    # u^ = (u - mean(u)) / sqrt(mean((u - mean u)^2) + eps), z_1 = g * u^ + b_1, each step rounded
    # to float32. The same formula in float64, rounded at the end, differs in the last bits.
    rng = np.random.default_rng(3)
    X, W1 = rng.normal(size=(8, 5)), rng.normal(size=(5, 16))
    g, b1 = rng.uniform(0.5, 2.0, 16), rng.normal(size=16)
    net = MLP.from_arrays(
        [W1, np.ones((16, 1))], [b1, np.zeros(1)], "tanh", gains=[g], dtype=np.float32
    )
    net.forward(X)

    def normalized(dtype):
        u = X.astype(np.float32) @ W1.astype(np.float32)  # the float32 product, then ...
        u = u.astype(dtype)  # ... normalized in dtype
        centred = u - u.mean(axis=1, keepdims=True)
        var = np.mean(centred * centred, axis=1, keepdims=True)
        inv = np.reciprocal(np.sqrt(var + dtype(LAYER_NORM_EPS)))
        return (centred * inv * g.astype(dtype) + b1.astype(dtype)).astype(np.float32)

    in32, in64 = normalized(np.float32), normalized(np.float64)
    assert np.any(in32 != in64)  # the data tell the two apart
    np.testing.assert_array_equal(net.pre_activations[0], in32)
