import math

import numpy as np
import pytest
from scipy import special

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
    assert grads[0][0, 0] == pytest.approx(2 * phi * phi_prime, rel=1e-14, abs=0)  # dW_xh
    assert grads[0][0, 0] == pytest.approx(mlp_grads.weight_grads[0][0, 0], rel=1e-14, abs=0)
    assert grads[2][0] == pytest.approx(mlp_grads.bias_grads[0][0], rel=1e-14, abs=0)


def test_params_and_copy():
    net = rnn.RNN(2, 3, seed=0)
    assert net.param_names() == ["W_xh", "W_hh", "b", "W_hy", "b_y"]
    copy = net.copy()
    net.set_params([p + 1 for p in net.get_params()])
    np.testing.assert_allclose(net.W_hh, copy.W_hh + 1)
    with pytest.raises(ValueError, match=r"params\[1\]"):
        net.set_params([net.W_xh, np.zeros((2, 2)), net.b, net.W_hy, net.b_y])


def _arrays(**changed):
    """A valid (W_xh, W_hh, b, W_hy, b_y) for input 2, hidden 3, output 1, with some replaced."""
    arrays = {
        "W_xh": np.ones((3, 2)),
        "W_hh": np.eye(3),
        "b": np.zeros(3),
        "W_hy": np.ones((1, 3)),
        "b_y": np.zeros(1),
    }
    return [changed.get(name, a) for name, a in arrays.items()]


# Each message starts with the argument's name (gradlab._validation's convention), so the
# patterns are anchored: "^b " is not found in "XXbXX must ..." nor in "W_hy must ...".
@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: rnn.RNN(0, 3, seed=0), ValueError, r"^input_size must be >= 1, got 0"),
        (lambda: rnn.RNN(2.0, 3, seed=0), TypeError, r"^input_size must be an integer"),
        (lambda: rnn.RNN(2, 0, seed=0), ValueError, r"^hidden_size must be >= 1, got 0"),
        (lambda: rnn.RNN(2, 3, 0, seed=0), ValueError, r"^output_size must be >= 1, got 0"),
        (lambda: rnn.RNN(2, 3, "1", seed=0), TypeError, r"^output_size must be an integer"),
        (
            lambda: rnn.RNN(2, 3, recurrent_scale=-1, seed=0),
            ValueError,
            r"^recurrent_scale must be >= 0",
        ),
        (
            lambda: rnn.RNN(2, 3, recurrent_init="eye", seed=0),
            ValueError,
            r"^recurrent_init must be one of \['orthogonal', 'normal'\]",
        ),
        (lambda: rnn.RNN(2, 3, activation="softmax", seed=0), ValueError, r"^activation must be"),
        (lambda: rnn.RNN(2, 3), ValueError, "rng"),
        (
            lambda: rnn.RNN(2, 3, seed=0).forward(np.ones((4, 5, 3))),
            ValueError,
            r"^X must have shape \(n >= 1, T >= 1, 2\), got \(4, 5, 3\)",
        ),
        (
            lambda: rnn.RNN(2, 3, seed=0).forward(np.ones((4, 2))),
            ValueError,
            r"^X must have 3 dimension",
        ),
        (
            lambda: rnn.RNN(2, 3, seed=0).forward(np.ones((0, 5, 2))),
            ValueError,
            r"^X must have shape \(n >= 1, T >= 1, 2\), got \(0, 5, 2\)",
        ),
        (  # no time step: there is no h_T to read out
            lambda: rnn.RNN(2, 3, seed=0).forward(np.ones((4, 0, 2))),
            ValueError,
            r"^X must have shape \(n >= 1, T >= 1, 2\), got \(4, 0, 2\)",
        ),
        (
            lambda: rnn.RNN(2, 3, seed=0).loss_and_gradients(np.ones((0, 5, 2)), np.ones((0, 1))),
            ValueError,
            r"^X must have shape",
        ),
        (lambda: rnn.pascanu_check(np.eye(2), "foo"), ValueError, r"^activation must be one of"),
        (lambda: rnn.pascanu_check(np.eye(2), 3), TypeError, r"^activation must be a string"),
        (lambda: rnn.derivative_bound("foo"), ValueError, r"^activation must be one of"),
        (
            lambda: rnn.RNN(2, 3, seed=0).loss_and_gradients(np.ones((4, 5, 2)), np.ones(3)),
            ValueError,
            r"^y must have shape \(4, 1\), got \(3, 1\)",
        ),
        (
            lambda: rnn.RNN(2, 3, seed=0).loss_and_gradients(
                np.ones((4, 5, 2)), np.ones((4, 1, 1))
            ),
            ValueError,
            r"^y must have 1 or 2 dimension",
        ),
        (
            lambda: rnn.RNN(2, 3, seed=0).loss_and_gradients(
                np.ones((4, 5, 2)), np.ones(4), "cross_entropy"
            ),
            ValueError,
            r"^loss must be one of \['mse'\]",
        ),
        (lambda: rnn.spectral_radius(np.ones((2, 3))), ValueError, r"^W must be square"),
        (lambda: rnn.spectral_radius(np.ones(3)), ValueError, r"^W must have 2 dimension"),
        (lambda: rnn.largest_singular_value(np.ones(3)), ValueError, r"^W must have 2 dimension"),
        (
            lambda: rnn.RNN.from_arrays(*_arrays(W_hh=np.ones(3))),
            ValueError,
            r"^W_hh must have 2 dimension",
        ),
        (  # the hidden size is W_hh's number of rows (math layout (out, in)), as in W_xh and b
            lambda: rnn.RNN.from_arrays(*_arrays(W_hh=np.ones((3, 2)))),
            ValueError,
            r"^W_hh must have shape \(3, 3\), got \(3, 2\)",
        ),
        (
            lambda: rnn.RNN.from_arrays(*_arrays(W_xh=np.ones((2, 2)))),
            ValueError,
            r"^W_xh must have shape \(3, any\), got \(2, 2\)",
        ),
        (
            lambda: rnn.RNN.from_arrays(*_arrays(b=np.zeros(2))),
            ValueError,
            r"^b must have shape \(3,\), got \(2,\)",
        ),
        (
            lambda: rnn.RNN.from_arrays(*_arrays(W_hy=np.ones((1, 2)))),
            ValueError,
            r"^W_hy must have shape \(any, 3\), got \(1, 2\)",
        ),
        (
            lambda: rnn.RNN.from_arrays(*_arrays(b_y=np.zeros(2))),
            ValueError,
            r"^b_y must have shape \(1,\), got \(2,\)",
        ),
        (
            lambda: rnn.RNN.from_arrays(*_arrays(), "softmax"),
            ValueError,
            r"^activation must be one of",
        ),
        (
            lambda: rnn.RNN(2, 3, seed=0).set_params([np.ones((3, 2))] * 4),
            ValueError,
            r"^params must be a list of 5 arrays \[W_xh, W_hh, b, W_hy, b_y\]",
        ),
    ],
)
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- documented defaults and conditions, each pinned -----------------------------------------


def test_derivative_bound_of_every_activation():
    # gamma = sup |phi'|: 1 for tanh, the identity and the ReLU family (slopes are < 1), 1/4 for
    # sigmoid, max(1, alpha) for ELU, about 1.0998 for SiLU.
    for name in ("identity", "tanh", "relu", "leaky_relu"):
        assert rnn.derivative_bound(name) == 1.0, name
    for slope in (0.0, 0.3, 0.999):
        assert rnn.derivative_bound(activations.get("leaky_relu", negative_slope=slope)) == 1.0
    assert rnn.derivative_bound("sigmoid") == 0.25
    assert rnn.derivative_bound("elu") == 1.0
    assert rnn.derivative_bound("silu") == pytest.approx(1.0998, abs=5e-5)


@pytest.mark.parametrize(("activation", "threshold"), [("tanh", 1.0), ("sigmoid", 4.0)])
def test_pascanu_conditions_at_the_threshold_and_either_side(activation, threshold):
    # sigma_max exactly 1/gamma: neither vanishing guaranteed nor exploding possible.
    check = rnn.pascanu_check(threshold * np.eye(3), activation)
    assert check.largest_singular_value == threshold and check.threshold == threshold
    assert not check.vanishing_guaranteed and not check.exploding_possible
    below = rnn.pascanu_check(np.nextafter(threshold, 0.0) * np.eye(3), activation)
    assert below.vanishing_guaranteed and not below.exploding_possible
    above = rnn.pascanu_check(np.nextafter(threshold, 10.0) * np.eye(3), activation)
    assert above.exploding_possible and not above.vanishing_guaranteed


def test_pascanu_check_uses_the_largest_singular_value_not_the_spectral_radius():
    # Nilpotent: every eigenvalue is 0, yet one step can double a vector.
    check = rnn.pascanu_check(np.array([[0.0, 2.0], [0.0, 0.0]]), "tanh")
    assert check.spectral_radius == 0.0 and check.largest_singular_value == pytest.approx(2.0)
    assert check.exploding_possible and not check.vanishing_guaranteed


def test_rnn_defaults_and_initialisation():
    # Defaults: one output, tanh, orthogonal W_hh with gain recurrent_scale = 1, LeCun-normal
    # W_xh and W_hy, zero biases; drawn in that order from the generator.
    net = rnn.RNN(3, 6, seed=4)
    assert net.output_size == 1 and net.activation.name == "tanh"
    rng = np.random.default_rng(4)
    np.testing.assert_array_equal(net.W_hh, initializers.orthogonal((6, 6), rng, gain=1.0))
    np.testing.assert_array_equal(net.W_xh, initializers.lecun_normal((3, 6), rng).T)
    np.testing.assert_array_equal(net.W_hy, initializers.lecun_normal((6, 1), rng).T)
    assert not net.b.any() and not net.b_y.any() and net.b_y.shape == (1,)
    np.testing.assert_allclose(np.linalg.svd(net.W_hh, compute_uv=False), 1.0, rtol=1e-12)
    explicit = rnn.RNN(3, 6, 1, "tanh", recurrent_scale=1.0, recurrent_init="orthogonal", seed=4)
    for a, b in zip(net.get_params(), explicit.get_params(), strict=True):
        np.testing.assert_array_equal(a, b)
    scaled = rnn.RNN(3, 6, recurrent_scale=1.3, seed=4)
    np.testing.assert_allclose(np.linalg.svd(scaled.W_hh, compute_uv=False), 1.3, rtol=1e-12)


def test_normal_recurrent_init_has_std_scale_over_sqrt_n():
    # Entries N(0, scale^2 / n): spectral radius close to scale (circular law), sigma_max close
    # to twice that.
    n, scale = 300, 1.5
    W = rnn.RNN(2, n, recurrent_scale=scale, recurrent_init="normal", seed=0).W_hh
    assert np.std(W) == pytest.approx(scale / np.sqrt(n), rel=0.02)
    assert rnn.spectral_radius(W) == pytest.approx(scale, rel=0.06)
    assert rnn.largest_singular_value(W) == pytest.approx(2 * scale, rel=0.06)


# --- sizes, defaults and attributes ---------------------------------------------------------


def test_sizes_of_one_are_allowed():
    # One input, one hidden unit, one output: the scalar recurrence h_t = tanh(w h_{t-1} + u x_t
    # + b), read out as v h_T + c.
    net = rnn.RNN(1, 1, 1, seed=3)
    net.b[:], net.b_y[:] = 0.2, -0.1
    (u,), (w,), (v,) = net.W_xh[0], net.W_hh[0], net.W_hy[0]
    x = np.array([0.5, -1.0, 2.0])
    h = 0.0
    for x_t in x:
        h = math.tanh(w * h + u * x_t + 0.2)
    assert net.forward(x[None, :, None])[0, 0] == pytest.approx(v * h - 0.1, rel=1e-14)
    assert (net.input_size, net.hidden_size, net.output_size) == (1, 1, 1)


def test_from_arrays_defaults_to_tanh():
    W_xh, W_hh, b, W_hy, b_y = _arrays(W_hh=np.full((3, 3), 0.3), b=np.array([0.1, -0.2, 0.3]))
    net = rnn.RNN.from_arrays(W_xh, W_hh, b, W_hy, b_y)
    assert net.activation.name == "tanh"
    x = np.array([[1.0, -0.5], [0.25, 2.0]])
    h = np.zeros(3)
    for x_t in x:
        h = np.tanh(W_hh @ h + W_xh @ x_t + b)
    np.testing.assert_allclose(net.forward(x[None])[0], W_hy @ h + b_y, rtol=1e-14)


def test_stored_states_start_empty_and_hold_h_0_to_h_T():
    for net in (rnn.RNN(2, 3, seed=0), rnn.RNN.from_arrays(*_arrays())):
        assert net.hidden_states == [] and net.pre_activations == []
        net.forward(np.ones((4, 5, 2)))
        assert len(net.hidden_states) == 6 and len(net.pre_activations) == 5
        assert not net.hidden_states[0].any()  # h_0 = 0


def test_copy_keeps_the_activation():
    net = rnn.RNN(2, 3, 1, activations.get("elu", alpha=2.5), seed=0)
    net.b[:] = -1.0  # some z < 0, where elu with alpha = 2.5 differs from tanh and from elu(1)
    copy = net.copy()
    assert copy.activation is net.activation
    X = np.random.default_rng(0).normal(size=(4, 3, 2))
    np.testing.assert_array_equal(copy.forward(X), net.forward(X))
    copy.W_hh += 1.0
    assert not np.array_equal(copy.W_hh, net.W_hh)


def test_a_one_dimensional_target_is_a_column_for_one_output():
    # y of shape (n,) means (n, 1) when there is one output; with two outputs it is refused.
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(4, 3, 2)), rng.normal(size=4)
    net = rnn.RNN(2, 3, seed=0)
    flat, column = net.loss_and_gradients(X, y), net.loss_and_gradients(X, y[:, None])
    y_hat = net.forward(X)[:, 0]
    assert flat.loss == pytest.approx(np.mean((y_hat - y) ** 2), rel=1e-14)
    assert flat.loss == column.loss
    for a, b in zip(flat.grads, column.grads, strict=True):
        np.testing.assert_array_equal(a, b)
    two = rnn.RNN(2, 3, 2, seed=0)
    with pytest.raises(ValueError, match=r"^y must have shape \(4, 2\), got \(4,\)"):
        two.loss_and_gradients(X, y)


def test_gradients_are_those_of_the_float64_forward_pass():
    # The forward pass rounds X to float64; BPTT must use that same X, so an input given in
    # extended precision (np.longdouble, 80-bit on x86-64) has the gradients of its float64
    # rounding exactly. x / 3 is not a float64 number, so the two differ in the last bits.
    rng = np.random.default_rng(6)
    X = rng.normal(size=(3, 4, 2)).astype(np.longdouble) / 3
    y = rng.normal(size=(3, 1))
    net = rnn.RNN(2, 3, seed=0)
    extended = net.loss_and_gradients(X, y)
    rounded = net.loss_and_gradients(X.astype(np.float64), y)
    assert extended.loss == rounded.loss
    for a, b in zip(extended.grads, rounded.grads, strict=True):
        assert a.dtype == np.float64
        np.testing.assert_array_equal(a, b)


def test_an_exploded_network_gives_inf_and_nan_without_warnings():
    # The course runs exploding networks on purpose: forward and BPTT return inf/nan quietly
    # (RuntimeWarnings are errors in these tests, see pyproject.toml).
    X = np.ones((1, 3, 1))
    # identity, W_hh = 1e200 I, x_t = 1: h_1 = 1, h_2 = 1e200 + 1, h_3 = 1e200 h_2 + 1 = inf.
    linear = rnn.RNN.from_arrays(
        np.ones((2, 1)), 1e200 * np.eye(2), np.zeros(2), np.ones((1, 2)), np.zeros(1), "identity"
    )
    assert np.isposinf(linear.forward(X)).all()
    # tanh, W_hh = 0: h_t = tanh(1) at every step, y_hat = 2e200 tanh(1) is finite, but
    # dLoss/dh_T = 2 y_hat W_hy ~ 1e400 overflows in the backward pass.
    readout = rnn.RNN.from_arrays(
        np.ones((2, 1)), np.zeros((2, 2)), np.zeros(2), np.full((1, 2), 1e200), np.zeros(1)
    )
    result = readout.loss_and_gradients(X, np.zeros((1, 1)))
    y_hat = 2e200 * math.tanh(1.0)
    assert result.loss == math.inf and result.hidden_grad_norms[-1] == math.inf
    np.testing.assert_allclose(result.grads[3], 2 * y_hat * math.tanh(1.0), rtol=1e-14)


def _silu_peak():
    # silu''(z) = s'(z) (2 + z (1 - 2 s(z))) with s the sigmoid: the peak of silu' is the root
    # of 2 + z (1 - 2 s(z)) in [2, 3] (it is decreasing there); bisection to the last bit.
    def g(z):
        return 2 + z * (1 - 2 / (1 + math.exp(-z)))

    lo, hi = 2.0, 3.0
    while hi - lo > 4e-16 * hi:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if g(mid) > 0 else (lo, mid)
    return lo


@pytest.mark.parametrize("name", ["silu", "gelu"])
def test_derivative_bound_is_the_maximum_on_the_documented_grid(name):
    # SiLU and GELU have no entry in the table: gamma is the largest |phi'| on the grid
    # z = -20, -20 + 1e-4, ..., 20 (400_001 points), phi' written out here.
    z = np.linspace(-20.0, 20.0, 400_001)
    if name == "silu":
        s = 1 / (1 + np.exp(-z))
        slope = s * (1 + z * (1 - s))
        peak = _silu_peak()
        sp = 1 / (1 + math.exp(-peak))
        sup = sp * (1 + peak * (1 - sp))
    else:
        slope = 0.5 * (1 + special.erf(z / math.sqrt(2))) + z * np.exp(-(z**2) / 2) / math.sqrt(
            2 * math.pi
        )
        # gelu''(z) = phi(z) (2 - z^2): the peak is at z = sqrt(2).
        sup = 0.5 * (1 + math.erf(1.0)) + math.sqrt(2) * math.exp(-1) / math.sqrt(2 * math.pi)
    gamma = rnn.derivative_bound(name)
    assert gamma == pytest.approx(np.max(np.abs(slope)), rel=1e-14)
    # A maximum over points never exceeds the supremum, and a step of 1e-4 comes within
    # |phi''(peak)| / 2 (5e-5)^2 < 1e-9 of it.
    assert sup - 1e-9 < gamma <= sup * (1 + 1e-15)
