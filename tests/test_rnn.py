import math

import numpy as np
import pytest

from gradlab import activations, initializers, rnn
from gradlab.data import adding_problem
from gradlab.network import MLP


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "silu", "identity"])
def test_bptt_gradients_match_finite_differences(activation, numerical_gradient, relative_error):
    rng = np.random.default_rng(0)
    net = rnn.RNN(3, 5, 2, activation, recurrent_scale=0.9, seed=1)
    net.b[:] = rng.normal(0, 0.3, 5)
    net.b_y[:] = rng.normal(0, 0.3, 2)
    X, y = rng.normal(size=(4, 6, 3)), rng.normal(size=(4, 2))
    result = net.loss_and_gradients(X, y)
    assert len(result.grads) == 5
    for param, grad in zip(net.get_params(), result.as_list(), strict=True):
        numeric = numerical_gradient(lambda: net.loss_and_gradients(X, y).loss, param)
        assert relative_error(grad, numeric) < 1e-6


def test_forward_follows_the_recurrence():
    rng = np.random.default_rng(2)
    W_xh, W_hh, b = rng.normal(size=(4, 2)), rng.normal(size=(4, 4)) / 2, rng.normal(size=4)
    W_hy, b_y = rng.normal(size=(1, 4)), rng.normal(size=1)
    net = rnn.RNN.from_arrays(W_xh, W_hh, b, W_hy, b_y, "tanh")
    x = rng.normal(size=(5, 2))  # one sequence of 5 steps
    h = np.zeros(4)
    for x_t in x:
        h = np.tanh(W_hh @ h + W_xh @ x_t + b)
    np.testing.assert_allclose(net.forward(x[None])[0], W_hy @ h + b_y, rtol=1e-13)
    assert len(net.hidden_states) == 6


@pytest.mark.parametrize("scale", [0.5, 1.0, 1.5])
def test_hidden_gradient_norms_scale_by_sigma_for_linear_orthogonal_rnn(scale):
    # identity activation and W_hh = scale * orthogonal: each step back multiplies
    # ||dLoss/dh_t|| by exactly `scale` (W_hh^T preserves norms up to its gain).
    net = rnn.RNN(2, 8, 1, "identity", recurrent_scale=scale, seed=0)
    X, y = adding_problem(16, 12, seed=0)
    norms = net.loss_and_gradients(X, y).hidden_grad_norms
    assert norms.shape == (13,)
    np.testing.assert_allclose(norms[:-1] / norms[1:], scale, rtol=1e-10)


@pytest.mark.parametrize(("activation", "gamma"), [("tanh", 1.0), ("sigmoid", 0.25)])
def test_pascanu_sufficient_condition_for_vanishing(activation, gamma):
    # sigma_max(W_hh) < 1/gamma: every step back contracts by at least gamma * sigma_max.
    rng = np.random.default_rng(0)
    W_hh = rng.normal(size=(10, 10))
    W_hh *= 0.9 / (gamma * np.linalg.norm(W_hh, 2))
    net = rnn.RNN.from_arrays(
        rng.normal(size=(10, 2)),
        W_hh,
        np.zeros(10),
        rng.normal(size=(1, 10)),
        np.zeros(1),
        activation,
    )
    check = net.pascanu_check()
    assert check.gamma == gamma and check.threshold == 1 / gamma
    assert check.vanishing_guaranteed and not check.exploding_possible
    X, y = adding_problem(8, 30, seed=1)
    norms = net.loss_and_gradients(X, y).hidden_grad_norms
    assert np.all(norms[:-1] <= gamma * check.largest_singular_value * norms[1:] * (1 + 1e-12))
    assert norms[0] < 0.9**30 * norms[-1] * (1 + 1e-9)


def test_large_recurrent_scale_explodes_in_time():
    X, y = adding_problem(32, 40, seed=0)
    small = rnn.RNN(2, 32, 1, "tanh", recurrent_scale=0.5, seed=0)
    large = rnn.RNN(2, 32, 1, "tanh", recurrent_scale=3.0, seed=0)
    assert large.pascanu_check().exploding_possible
    n_small = small.loss_and_gradients(X, y).hidden_grad_norms
    n_large = large.loss_and_gradients(X, y).hidden_grad_norms
    assert n_small[0] < 1e-6 * n_small[-1]
    assert n_large[0] > 1e3 * n_large[-1]


def test_spectral_radius_and_singular_value():
    nilpotent = np.array([[0.0, 2.0], [0.0, 0.0]])
    assert rnn.spectral_radius(nilpotent) == 0.0
    assert rnn.largest_singular_value(nilpotent) == pytest.approx(2.0)
    Q = initializers.orthogonal((6, 6), seed=0, gain=1.3)
    assert rnn.spectral_radius(Q) == pytest.approx(1.3)
    assert rnn.largest_singular_value(Q) == pytest.approx(1.3)


def test_derivative_bounds():
    assert rnn.derivative_bound("tanh") == 1.0 and rnn.derivative_bound("sigmoid") == 0.25
    z = np.linspace(2.3, 2.5, 2001)
    silu_peak = np.max(1 / (1 + np.exp(-z)) * (1 + z * (1 - 1 / (1 + np.exp(-z)))))
    assert rnn.derivative_bound("silu") == pytest.approx(silu_peak, rel=1e-6)


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.5])
def test_derivative_bound_for_elu_is_max_of_one_and_alpha(alpha):
    act = activations.get("elu", alpha=alpha)
    gamma = rnn.derivative_bound(act)
    assert gamma == max(1.0, alpha)
    z = np.linspace(-10, 10, 200_001)
    assert np.max(act.derivative(z)) <= gamma  # a supremum: the grid never exceeds it
    assert rnn.pascanu_check(np.eye(3), act).threshold == 1 / max(1.0, alpha)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
@pytest.mark.parametrize("z", [20.0, 40.0])
def test_rnn_and_mlp_agree_on_a_saturated_unit(activation, z):
    # One step, one unit: z_1 = 1 * x + 0 * h_0 + (z - 1) = z, y_hat = h_1; the MLP
    # x -> phi(x + z - 1) -> linear is the same function, so the gradients must agree.
    net = rnn.RNN.from_arrays(
        np.ones((1, 1)),
        np.zeros((1, 1)),
        np.array([z - 1.0]),
        np.ones((1, 1)),
        np.zeros(1),
        activation,
    )
    grads = net.loss_and_gradients(np.ones((1, 1, 1)), np.zeros((1, 1))).grads
    mlp = MLP.from_arrays(
        [np.ones((1, 1)), np.ones((1, 1))], [np.array([z - 1.0]), np.zeros(1)], activation
    )
    mlp_grads = mlp.loss_and_gradients(np.ones((1, 1)), np.zeros((1, 1)))
    if activation == "tanh":
        phi, phi_prime = math.tanh(z), 4 * math.exp(-2 * z) / (1 + math.exp(-2 * z)) ** 2
    else:
        phi, phi_prime = 1 / (1 + math.exp(-z)), math.exp(-z) / (1 + math.exp(-z)) ** 2
    assert grads[0][0, 0] == pytest.approx(2 * phi * phi_prime, rel=1e-14)  # dW_xh
    assert grads[0][0, 0] == pytest.approx(mlp_grads.weight_grads[0][0, 0], rel=1e-14)
    assert grads[2][0] == pytest.approx(mlp_grads.bias_grads[0][0], rel=1e-14)


def test_params_and_copy():
    net = rnn.RNN(2, 3, seed=0)
    assert net.param_names() == ["W_xh", "W_hh", "b", "W_hy", "b_y"]
    copy = net.copy()
    net.set_params([p + 1 for p in net.get_params()])
    np.testing.assert_allclose(net.W_hh, copy.W_hh + 1)
    with pytest.raises(ValueError, match=r"params\[1\]"):
        net.set_params([net.W_xh, np.zeros((2, 2)), net.b, net.W_hy, net.b_y])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: rnn.RNN(2, 0, seed=0), ValueError, "hidden_size"),
        (lambda: rnn.RNN(2, 3, recurrent_scale=-1, seed=0), ValueError, "recurrent_scale"),
        (lambda: rnn.RNN(2, 3, recurrent_init="eye", seed=0), ValueError, "recurrent_init"),
        (lambda: rnn.RNN(2, 3, activation="softmax", seed=0), ValueError, "activation"),
        (lambda: rnn.RNN(2, 3), ValueError, "rng"),
        (lambda: rnn.RNN(2, 3, seed=0).forward(np.ones((4, 5, 3))), ValueError, "X"),
        (lambda: rnn.RNN(2, 3, seed=0).forward(np.ones((4, 2))), ValueError, "X"),
        (lambda: rnn.RNN(2, 3, seed=0).forward(np.ones((0, 5, 2))), ValueError, "X"),
        (
            lambda: rnn.RNN(2, 3, seed=0).loss_and_gradients(np.ones((0, 5, 2)), np.ones((0, 1))),
            ValueError,
            "X",
        ),
        (lambda: rnn.pascanu_check(np.eye(2), "foo"), ValueError, "activation"),
        (lambda: rnn.pascanu_check(np.eye(2), 3), TypeError, "activation"),
        (lambda: rnn.derivative_bound("foo"), ValueError, "activation"),
        (
            lambda: rnn.RNN(2, 3, seed=0).loss_and_gradients(np.ones((4, 5, 2)), np.ones(3)),
            ValueError,
            "y",
        ),
        (
            lambda: rnn.RNN(2, 3, seed=0).loss_and_gradients(
                np.ones((4, 5, 2)), np.ones(4), "cross_entropy"
            ),
            ValueError,
            "loss",
        ),
        (lambda: rnn.spectral_radius(np.ones((2, 3))), ValueError, "W"),
        (
            lambda: rnn.RNN.from_arrays(
                np.ones((3, 2)), np.ones((3, 2)), np.zeros(3), np.ones((1, 3)), np.zeros(1)
            ),
            ValueError,
            "W_hh",
        ),
        (
            lambda: rnn.RNN.from_arrays(
                np.ones((3, 2)), np.eye(3), np.zeros(2), np.ones((1, 3)), np.zeros(1)
            ),
            ValueError,
            "b",
        ),
    ],
)
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
