"""Chapter 4's initialization studies: He's 2^(-L/2), symmetry, Jacobian spectra, width drift."""

import math
import warnings

import numpy as np
import pytest
from _mutation import shared_scope

from gradlab import initialization as ini
from gradlab import initializers


def test_he_prediction_numbers():
    assert ini.he_prediction(22) == 2.0**-11
    assert ini.he_prediction(22) == pytest.approx(4.9e-4, rel=0.01)
    assert ini.he_prediction(30) == pytest.approx(3.1e-5, rel=0.02)
    assert ini.he_prediction(0) == 1.0
    with pytest.raises(ValueError, match="depth"):
        ini.he_prediction(-1)
    with pytest.raises(TypeError, match="depth"):
        ini.he_prediction(2.5)


def test_stats_are_the_networks_own():
    # The std and gradient norms are those of an MLP built from the same draws.
    from gradlab.network import MLP

    s = ini.forward_backward_stats("he_normal", "relu", 5, 16, batch=8, seed=3)
    rng = np.random.default_rng(3)
    X, r = rng.standard_normal((8, 16)), rng.standard_normal((8, 16))
    net = MLP([16] * 6, "relu", "he_normal", rng=rng)
    grads = net.backward(X, r / 8)
    np.testing.assert_array_equal(s.activation_std, [a.std() for a in net.activations[1:]])
    np.testing.assert_array_equal(
        s.gradient_norm, [np.linalg.norm(g) for g in grads.activation_grads]
    )
    assert s.activation_std.shape == s.gradient_norm.shape == (5,)
    assert s.output_std == s.activation_std[-1]


@pytest.mark.parametrize("depth", [22, 30])
def test_lecun_against_he_same_draws_is_exactly_two_to_minus_half_depth(depth):
    # Same seed: lecun weights = he weights / sqrt(2), and ReLU is positively homogeneous,
    # so every layer's std is He's times 2^(-l/2) up to rounding, and the gradient
    # reaching layer l (which passes through L - l + 1 scaled layers) is He's times
    # 2^(-(L - l + 1)/2).
    he = ini.forward_backward_stats("he_normal", "relu", depth, 64, batch=16, seed=1)
    le = ini.forward_backward_stats("lecun_normal", "relu", depth, 64, batch=16, seed=1)
    layers = np.arange(1, depth + 1)
    np.testing.assert_allclose(le.activation_std / he.activation_std, 2.0 ** (-layers / 2), 1e-12)
    np.testing.assert_allclose(
        le.gradient_norm / he.gradient_norm, 2.0 ** (-(depth - layers + 1) / 2), rtol=1e-12
    )
    assert le.output_std / he.output_std == pytest.approx(ini.he_prediction(depth), rel=1e-12)


@pytest.mark.parametrize("depth", [22, 30])
def test_lecun_against_he_independent_draws_within_sampling_error(depth):
    # Independent networks: log2 of the output-std ratio is -L/2 on average (the two
    # log-stds have the same law up to the shift, by homogeneity) plus noise; with
    # width 128 its spread over seeds is about 0.5. Mean of 8 seeds within 4 standard
    # errors, each measured, and the spread itself far below the 11-15 being tested.
    logs = np.array(
        [
            math.log2(
                ini.forward_backward_stats("lecun_normal", "relu", depth, 128, seed=s).output_std
                / ini.forward_backward_stats(
                    "he_normal", "relu", depth, 128, seed=50 + s
                ).output_std
            )
            for s in range(8)
        ]
    )
    sd = logs.std(ddof=1)
    assert 0.1 < sd < 1.5
    assert abs(logs.mean() + depth / 2) < 4 * sd / math.sqrt(len(logs))
    # A wrong prediction (2^(-L) for the variance read as the std) is rejected.
    assert abs(logs.mean() + depth) > 4 * sd / math.sqrt(len(logs))


def test_he_keeps_the_scale_and_standard_normal_explodes():
    depth, width = 30, 128
    he = ini.forward_backward_stats("he_normal", "relu", depth, width, seed=0)
    sn = ini.forward_backward_stats("standard_normal", "relu", depth, width, seed=0)
    # He: the std stays within a factor 3 of the first layer's.
    assert np.all(np.abs(np.log10(he.activation_std / he.activation_std[0])) < 0.5)
    # N(0, 1) multiplies the variance by n/2 per ReLU layer: the same draws scaled by
    # sqrt(n/2) relative to He, so exactly sqrt(n/2)^l times He's std.
    layers = np.arange(1, depth + 1)
    np.testing.assert_allclose(
        sn.activation_std / he.activation_std, math.sqrt(width / 2) ** layers, rtol=1e-10
    )
    assert sn.output_std > 1e25 and np.all(np.isfinite(sn.gradient_norm))
    assert sn.gradient_norm[0] / sn.gradient_norm[-1] > 1e25  # the gradient explodes too


def test_forward_backward_stats_validation():
    with pytest.raises(ValueError, match="init"):
        ini.forward_backward_stats("kaiming", "relu", 3, 8, seed=0)
    with pytest.raises(ValueError, match="activation"):
        ini.forward_backward_stats("he_normal", "relu6", 3, 8, seed=0)
    with pytest.raises(ValueError, match="depth"):
        ini.forward_backward_stats("he_normal", "relu", 0, 8, seed=0)
    with pytest.raises(ValueError, match="batch"):
        ini.forward_backward_stats("he_normal", "relu", 3, 8, batch=1, seed=0)
    with pytest.raises(ValueError, match="options"):
        ini.forward_backward_stats("he_normal", "relu", 3, 8, seed=0, gain=2.0)
    with pytest.raises(ValueError, match="rng"):
        ini.forward_backward_stats("he_normal", "relu", 3, 8)
    s = ini.forward_backward_stats("xavier_normal", "tanh", 3, 8, seed=0, gain=5 / 3)
    assert np.all(np.isfinite(s.activation_std))


def test_constant_init_keeps_units_identical_to_the_bit():
    run = ini.symmetry_demo("constant", steps=100, seed=0)
    assert run.identical.shape == (101, 2)
    assert run.identical.all() and np.all(run.spread == 0.0)
    assert run.loss[-1] < run.loss[0]  # it learns, but as one unit per layer
    rand = ini.symmetry_demo("xavier_normal", steps=100, seed=0)
    assert not rand.identical.any() and rand.spread.min() > 0.1
    assert rand.loss[-1] < 0.5 * run.loss[-1]  # the broken symmetry fits better
    # With other widths and a ReLU network too (and a non-default constant).
    run = ini.symmetry_demo("constant", sizes=(3, 5, 7, 1), activation="relu", steps=30, seed=1)
    assert run.identical.all()


def test_symmetry_loop_computes_the_networks_gradients():
    from gradlab.initialization import _columnwise_loss_and_gradients
    from gradlab.network import MLP

    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((9, 3)), rng.standard_normal((9, 1))
    for activation in ("tanh", "relu"):
        net = MLP([3, 5, 7, 1], activation, "xavier_normal", seed=2)
        loss, grads = _columnwise_loss_and_gradients(net, X, y)
        ref = net.loss_and_gradients(X, y)
        assert loss == pytest.approx(ref.loss, rel=1e-13)
        for g, r in zip(grads, ref.as_list(), strict=True):
            np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-15)


def test_symmetry_demo_validation():
    with pytest.raises(ValueError, match="sizes"):
        ini.symmetry_demo(sizes=(2, 1))
    with pytest.raises(ValueError, match="sizes"):
        ini.symmetry_demo(sizes=(2, 4, 2), seed=0)
    with pytest.raises(TypeError, match="sizes"):
        ini.symmetry_demo(sizes="248", seed=0)
    with pytest.raises(ValueError, match="lr"):
        ini.symmetry_demo(lr=0.0, seed=0)
    with pytest.raises(ValueError, match="options"):
        ini.symmetry_demo("constant", seed=0, std=1.0)


def _dense_jacobian(init, activation, depth, n, gain, input_std, seed):
    """The Jacobian by finite differences of the same network (same draws)."""
    from gradlab import activations

    rng = np.random.default_rng(seed)
    a0 = input_std * rng.standard_normal(n)
    Ws = []
    for _ in range(depth):
        if init == "gaussian":
            Ws.append(rng.normal(0.0, gain / math.sqrt(n), size=(n, n)))
        else:
            Ws.append(initializers.orthogonal((n, n), rng, gain=gain))
    act = activations.get(activation)

    def f(x):
        for W in Ws:
            x = act.forward(W.T @ x)
        return x

    h = 1e-6
    return np.column_stack([(f(a0 + h * e) - f(a0 - h * e)) / (2 * h) for e in np.eye(n)])


def test_jacobian_matches_finite_differences():
    for init, act in (("gaussian", "tanh"), ("orthogonal", "relu")):
        spec = ini.jacobian_singular_values(init, act, 4, 6, gain=1.5, seed=2)
        J = _dense_jacobian(init, act, 4, 6, 1.5, 1.0, 2)
        s = np.linalg.svd(J, compute_uv=False)
        np.testing.assert_allclose(spec.singular_values, np.where(s < 1e-8, 0.0, s), 1e-6, 1e-9)


def test_orthogonal_linear_network_is_an_isometry():
    spec = ini.jacobian_singular_values("orthogonal", "identity", 50, 64, seed=0)
    np.testing.assert_allclose(spec.singular_values, 1.0, atol=1e-12)
    assert spec.spread < 1e-12
    # Gaussian weights with the same mean square spread the spectrum over decades.
    gauss = ini.jacobian_singular_values("gaussian", "identity", 16, 64, seed=0)
    assert gauss.spread > 5


def test_relu_cannot_reach_isometry_but_orthogonal_tanh_near_zero_can():
    depth, n = 16, 64
    relu = {
        k: ini.jacobian_singular_values(k, "relu", depth, n, gain=math.sqrt(2), seed=0)
        for k in ("gaussian", "orthogonal")
    }
    for spec in relu.values():
        # Inactive units pass nothing back: the Jacobian is singular (about half the
        # values are 0) and the rest spread over more than two decades.
        assert len(spec.resolved) < 0.7 * n
        assert spec.spread > 2
    tanh = ini.jacobian_singular_values("orthogonal", "tanh", depth, n, input_std=0.1, seed=0)
    assert len(tanh.resolved) == n and tanh.spread < 0.3
    # At gain 1 with standard-normal inputs tanh' shrinks the early layers' factors:
    # the orthogonal tanh spectrum is wider then, but still far narrower than Gaussian's.
    wide = ini.jacobian_singular_values("orthogonal", "tanh", depth, n, input_std=1.0, seed=0)
    gauss = ini.jacobian_singular_values("gaussian", "tanh", depth, n, input_std=0.1, seed=0)
    assert tanh.spread < wide.spread < gauss.spread


def test_jacobian_scale_is_factored_out():
    # Gain 4 over 300 linear layers: singular values around 4^300 ~ 1e180 and beyond,
    # represented in logs without overflow.
    spec = ini.jacobian_singular_values("orthogonal", "identity", 300, 8, gain=4.0, seed=0)
    np.testing.assert_allclose(spec.log_singular_values, 300 * math.log(4.0), rtol=1e-12)


def test_jacobian_validation():
    with pytest.raises(ValueError, match="init"):
        ini.jacobian_singular_values("haar", "tanh", 2, 4, seed=0)
    with pytest.raises(ValueError, match="gain"):
        ini.jacobian_singular_values("gaussian", "tanh", 2, 4, gain=0.0, seed=0)
    with pytest.raises(ValueError, match="input_std"):
        ini.jacobian_singular_values("gaussian", "tanh", 2, 4, input_std=-1.0, seed=0)
    spec = ini.jacobian_singular_values("he_normal", "relu", 3, 8, seed=0)
    assert spec.log_singular_values.shape == (8,)


def test_relu_log_norm_slope_is_about_minus_five_over_four_n():
    # -5/(4n) is the large-n limit; the exact slope times n approaches it from below.
    scaled = [ini.relu_log_norm_slope(n) * n for n in (8, 16, 64, 256, 1024)]
    assert scaled == sorted(scaled)
    assert scaled[0] < -1.5 and scaled[-1] == pytest.approx(-1.25, abs=0.01)
    # Against a direct Monte Carlo of S = (2/n) sum relu(xi)^2.
    rng = np.random.default_rng(0)
    xi = rng.standard_normal((200_000, 8))
    s = 2 / 8 * np.sum(np.maximum(xi, 0) ** 2, axis=1)
    s = s[s > 0]
    assert np.mean(s) == pytest.approx(1.0, abs=0.01)
    assert 0.5 * np.mean(np.log(s)) == pytest.approx(ini.relu_log_norm_slope(8), abs=0.005)


def test_finite_width_drift_median_falls_as_predicted():
    # Median over 400 networks of a random walk with per-layer std ~ sqrt(5/n)/2: the
    # fitted slope's sampling error is under 10 % of the drift at these widths (seeds 0-4
    # stay within 15 %).
    d = ini.finite_width_drift((8, 16, 32), depth=30, n_networks=400, seed=0)
    assert np.all(d.median_slope < 0)
    np.testing.assert_allclose(d.median_slope, d.predicted_slope, rtol=0.2)
    # The drift shrinks like 1/n: slope * n stays between -2 and -1 across the widths.
    assert np.all(np.abs(d.median_slope * d.widths + 1.5) < 0.5)
    # The mean square is kept much better than the median at the larger widths.
    assert np.all(np.abs(d.mean_square_slope[1:]) < 0.5 * np.abs(d.median_slope[1:]))
    with pytest.raises(ValueError, match="widths"):
        ini.finite_width_drift((0,), seed=0)
    with pytest.raises(TypeError, match="widths"):
        ini.finite_width_drift(8, seed=0)


def test_layer_samples_are_the_stats_values_and_show_glorots_narrowing():
    samples = ini.layer_samples("uniform_fan_in", "tanh", 6, 128, batch=32, seed=4)
    stats = ini.forward_backward_stats("uniform_fan_in", "tanh", 6, 128, batch=32, seed=4)
    assert len(samples.activations) == len(samples.gradients) == 5
    np.testing.assert_allclose([a.std() for a in samples.activations], stats.activation_std[:5])
    np.testing.assert_allclose(
        [np.linalg.norm(g) for g in samples.gradients], stats.gradient_norm[1:]
    )
    # Glorot and Bengio (2010): n Var = 1/3 narrows the activations by about a factor
    # 1/sqrt(3) per layer and shrinks the gradients towards the input ...
    a_sd = np.array([a.std() for a in samples.activations])
    g_sd = np.array([g.std() for g in samples.gradients])
    assert np.all(np.diff(a_sd) < 0) and a_sd[-1] < 0.2 * a_sd[0]
    assert np.all(np.diff(g_sd) > 0) and g_sd[0] < 0.2 * g_sd[-1]
    # ... while their normalized initialization loses far less in both directions.
    xav = ini.layer_samples("xavier_uniform", "tanh", 6, 128, batch=32, seed=4)
    xa = np.array([a.std() for a in xav.activations])
    xg = np.array([g.std() for g in xav.gradients])
    assert xa[-1] / xa[0] > 2 * a_sd[-1] / a_sd[0]
    assert xg[0] / xg[-1] > 2 * g_sd[0] / g_sd[-1]
    with pytest.raises(ValueError, match="depth"):
        ini.layer_samples("xavier_uniform", "tanh", 1, 8, seed=0)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7])
def test_relu_log_norm_slope_at_small_widths_is_its_exact_expectation(n):
    """Below 8 units the K = 0 correction (probability 2^-n) and the small-k terms dominate:
    the slope is compared with E[ln S | K >= 1] / 2, each E[ln chi^2_k] integrated here."""
    from scipy import integrate

    def mean_log_chi2(k):
        c = -(k / 2) * math.log(2) - math.lgamma(k / 2)

        def pdf(s):  # the chi-squared density with k degrees of freedom
            return math.exp(c + (k / 2 - 1) * math.log(s) - s / 2)

        # split at 1: the density has a singularity at 0 for k = 1
        lo = integrate.quad(lambda s: math.log(s) * pdf(s), 0, 1, limit=200)[0]
        hi = integrate.quad(lambda s: math.log(s) * pdf(s), 1, np.inf, limit=200)[0]
        return lo + hi

    weights = [math.comb(n, k) / 2**n for k in range(1, n + 1)]
    mean = sum(w * mean_log_chi2(k) for w, k in zip(weights, range(1, n + 1), strict=True))
    want = 0.5 * (math.log(2 / n) + mean / sum(weights))
    assert ini.relu_log_norm_slope(n) == pytest.approx(want, rel=1e-7)
    if n == 1:  # S = 2 chi^2_1 given the unit is on: E[ln S] / 2 = -gamma / 2
        assert ini.relu_log_norm_slope(1) == pytest.approx(-np.euler_gamma / 2, rel=1e-12)


# --- jacobian_singular_values, layer_samples, finite_width_drift, relu_log_norm_slope,
# jacobian_spectra: refusals, returned fields and summaries against their definitions ---------


def _jacobian_by_formula(init, activation, depth, n, gain, input_std, seed):
    """``J = D_L W_L^T ... D_1 W_1^T`` written out from the docstring (same draws), and the layers'
    pre-activations ``z_l``."""
    derivative = {
        "identity": lambda z: np.ones_like(z),
        "tanh": lambda z: 1.0 - np.tanh(z) ** 2,
        "relu": lambda z: (z > 0).astype(float),
    }[activation]
    forward = {"identity": lambda z: z, "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0)}
    rng = np.random.default_rng(seed)
    a = input_std * rng.standard_normal(n)
    J, zs = np.eye(n), []
    for _ in range(depth):
        if init == "gaussian":
            W = rng.normal(0.0, gain / math.sqrt(n), size=(n, n))
        else:
            W = initializers.orthogonal((n, n), rng, gain=gain)
        z = W.T @ a
        zs.append(z)
        J = np.diag(derivative(z)) @ W.T @ J
        a = forward[activation](z)
    return J, zs


_JSV = dict(init="gaussian", activation="tanh", depth=2, width=3, seed=0)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (dict(depth=0), ValueError, r"^depth must be >= 1, got 0"),
        (dict(depth=-3), ValueError, r"^depth must be >= 1"),
        (dict(depth=1.5), TypeError, r"^depth must be an integer"),
        (dict(width=0), ValueError, r"^width must be >= 1, got 0"),
        (dict(width=2.0), TypeError, r"^width must be an integer"),
        (dict(gain=0.0), ValueError, r"^gain must be > 0.0"),
        (dict(gain=-1.0), ValueError, r"^gain must be > 0.0"),
        (dict(gain="1"), TypeError, r"^gain must be a real number"),
        (dict(input_std=0.0), ValueError, r"^input_std must be > 0.0, got 0.0"),
        (dict(input_std=-1.0), ValueError, r"^input_std must be > 0.0"),
        (dict(input_std="1"), TypeError, r"^input_std must be a real number"),
        (dict(init="haar"), ValueError, r"^init must be one of"),
        (dict(activation="relu6"), ValueError, r"^activation must be one of"),
        (dict(seed=None), ValueError, r"^pass rng="),
    ],
)
def test_jacobian_singular_values_refusals(change, error, message):
    with pytest.raises(error, match=message):
        ini.jacobian_singular_values(**{**_JSV, **change})


@pytest.mark.parametrize(
    "change",
    [dict(depth=1), dict(width=1), dict(gain=1e-3), dict(input_std=1e-3), dict(init="orthogonal")],
)
def test_jacobian_singular_values_accepts_the_boundaries(change):
    args = {**_JSV, **change}
    spec = ini.jacobian_singular_values(**args)
    J, _ = _jacobian_by_formula(
        args["init"], "tanh", args["depth"], args["width"], args.get("gain", 1.0),
        args.get("input_std", 1.0), 0,
    )  # fmt: skip
    np.testing.assert_allclose(spec.singular_values, np.linalg.svd(J, compute_uv=False), 1e-10)


@pytest.mark.parametrize(
    ("init", "activation", "depth", "n", "gain", "input_std"),
    [
        ("gaussian", "tanh", 5, 7, 1.3, 0.5),
        ("orthogonal", "identity", 3, 5, 0.7, 2.0),
        ("gaussian", "identity", 4, 6, 1.0, 1.0),
        ("orthogonal", "tanh", 2, 4, 2.0, 0.1),
    ],
)
def test_jacobian_singular_values_are_the_svd_of_the_chain_rule_product(
    init, activation, depth, n, gain, input_std
):
    spec = ini.jacobian_singular_values(
        init, activation, depth, n, gain=gain, input_std=input_std, seed=11
    )
    J, _ = _jacobian_by_formula(init, activation, depth, n, gain, input_std, 11)
    s = np.linalg.svd(J, compute_uv=False)
    np.testing.assert_allclose(spec.log_singular_values, np.log(s), rtol=1e-10, atol=1e-10)
    # Every field says what was asked for.
    assert (spec.init, spec.activation, spec.depth, spec.width) == (init, activation, depth, n)
    assert (spec.gain, spec.input_std) == (gain, input_std)
    # A Generator passed as rng draws exactly what the seed does.
    again = ini.jacobian_singular_values(
        init, activation, depth, n, gain=gain, input_std=input_std, rng=np.random.default_rng(11)
    )
    np.testing.assert_array_equal(again.log_singular_values, spec.log_singular_values)


def test_one_unit_orthogonal_linear_network_has_singular_value_one():
    # A 1 x 1 orthogonal matrix is +-1: the Jacobian of any depth is +-1, ln s = 0 exactly.
    for depth in (1, 4):
        spec = ini.jacobian_singular_values("orthogonal", "identity", depth, 1, seed=0)
        np.testing.assert_array_equal(spec.log_singular_values, [0.0])


@pytest.mark.parametrize("n", [1, 3])
def test_relu_network_with_a_dead_layer_has_a_zero_jacobian(n):
    # Seeds where the formula finds a layer with every pre-activation <= 0 (J = 0, all
    # singular values -inf) and seeds where it does not (all of them >= 0 and finite for n = 1).
    depth, seen = 3, set()
    for seed in range(40):
        J, zs = _jacobian_by_formula("gaussian", "relu", depth, n, math.sqrt(2), 1.0, seed)
        dead = any(np.all(z <= 0) for z in zs)
        spec = ini.jacobian_singular_values(
            "gaussian", "relu", depth, n, gain=math.sqrt(2), seed=seed
        )
        assert (spec.init, spec.activation, spec.depth, spec.width) == ("gaussian", "relu", 3, n)
        assert (spec.gain, spec.input_std) == (math.sqrt(2), 1.0)
        assert spec.log_singular_values.dtype == np.float64
        assert spec.log_singular_values.shape == (n,)
        if dead:
            assert not J.any()
            np.testing.assert_array_equal(spec.log_singular_values, np.full(n, -np.inf))
            np.testing.assert_array_equal(spec.singular_values, np.zeros(n))
        elif n == 1:
            assert spec.log_singular_values[0] == pytest.approx(math.log(abs(J[0, 0])), 1e-12)
        seen.add(dead)
    assert seen == {True, False}


def test_singular_values_below_1e_minus_13_of_the_largest_are_minus_inf(monkeypatch):
    # The documented cut: exactly 1e-13 of the largest is kept, just below it is -inf.
    # (The SVD is replaced so that the values sit on the boundary; the largest is 2, not 1.)
    real = ini.jacobian_singular_values("orthogonal", "identity", 1, 3, seed=0)
    monkeypatch.setattr(
        np.linalg, "svd", lambda M, compute_uv=True: np.array([2.0, 2e-13, 1.9e-13])
    )
    spec = ini.jacobian_singular_values("orthogonal", "identity", 1, 3, seed=0)
    # Whatever scale c was factored out of M, the logs are ln(value) + c.
    scale = spec.log_singular_values[0] - math.log(2.0)
    assert math.isfinite(scale)
    np.testing.assert_allclose(
        spec.log_singular_values[:2], [math.log(2.0) + scale, math.log(2e-13) + scale], rtol=1e-12
    )
    assert spec.log_singular_values[2] == -np.inf
    np.testing.assert_allclose(real.log_singular_values, 0.0, atol=1e-12)


_LAYER_SAMPLES = dict(init="xavier_normal", activation="tanh", depth=3, width=4, batch=4, seed=0)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (dict(depth=1), ValueError, r"^depth must be >= 2, got 1"),
        (dict(depth=2.0), TypeError, r"^depth must be an integer"),
        (dict(width=0), ValueError, r"^width must be >= 1, got 0"),
        (dict(width=-2), ValueError, r"^width must be >= 1"),
        (dict(width=1.0), TypeError, r"^width must be an integer"),
        (dict(batch=1), ValueError, r"^batch must be >= 2, got 1"),
        (dict(batch=-1), ValueError, r"^batch must be >= 2"),
        (dict(batch=2.0), TypeError, r"^batch must be an integer"),
        (dict(init="kaiming"), ValueError, r"^init must be one of"),
        (dict(activation="relu6"), ValueError, r"^activation must be one of"),
        (dict(seed=None), ValueError, r"^pass rng="),
    ],
)
def test_layer_samples_refusals(change, error, message):
    with pytest.raises(error, match=message):
        ini.layer_samples(**{**_LAYER_SAMPLES, **change})


@pytest.mark.parametrize(
    "change", [dict(depth=2), dict(width=1), dict(batch=2), dict(depth=2, width=1, batch=2)]
)
def test_layer_samples_accepts_the_boundaries_and_reports_its_network(change):
    args = {**_LAYER_SAMPLES, **change}
    s = ini.layer_samples(**args)
    assert (s.init, s.activation, s.depth, s.width, s.batch) == (
        args["init"], args["activation"], args["depth"], args["width"], args["batch"],
    )  # fmt: skip
    # One flattened array per hidden layer l = 1..depth-1, batch * width values each.
    assert len(s.activations) == len(s.gradients) == args["depth"] - 1
    for values in (*s.activations, *s.gradients):
        assert values.shape == (args["batch"] * args["width"],)


def test_layer_samples_from_a_generator_are_those_of_its_seed():
    s = ini.layer_samples(**_LAYER_SAMPLES)
    args = {**_LAYER_SAMPLES, "seed": None}
    g = ini.layer_samples(**args, rng=np.random.default_rng(0))
    for x, y in zip(s.activations + s.gradients, g.activations + g.gradients, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(
    ("width", "error", "message"),
    [
        (0, ValueError, r"^width must be >= 1, got 0"),
        (-4, ValueError, r"^width must be >= 1"),
        (8.0, TypeError, r"^width must be an integer"),
        (True, TypeError, r"^width must be an integer"),
    ],
)
def test_relu_log_norm_slope_refusals(width, error, message):
    with pytest.raises(error, match=message):
        ini.relu_log_norm_slope(width)


_DRIFT = dict(widths=(2,), depth=2, n_networks=3, seed=0)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (dict(widths=()), TypeError, r"^widths must be a non-empty sequence of integers$"),
        (dict(widths=[]), TypeError, r"^widths must be a non-empty sequence of integers$"),
        (dict(widths=""), TypeError, r"^widths must be a non-empty sequence of integers$"),
        (dict(widths="8"), TypeError, r"^widths must be a non-empty sequence of integers$"),
        (dict(widths=8), TypeError, r"^widths must be a non-empty sequence of integers$"),
        (dict(widths=(4, 0)), ValueError, r"^widths\[1\] must be >= 1, got 0"),
        (dict(widths=(4, 2.5)), TypeError, r"^widths\[1\] must be an integer"),
        (dict(depth=0), ValueError, r"^depth must be >= 1, got 0"),
        (dict(depth=-1), ValueError, r"^depth must be >= 1"),
        (dict(depth=2.0), TypeError, r"^depth must be an integer"),
        (dict(n_networks=0), ValueError, r"^n_networks must be >= 1, got 0"),
        (dict(n_networks=-5), ValueError, r"^n_networks must be >= 1"),
        (dict(n_networks=3.0), TypeError, r"^n_networks must be an integer"),
        (dict(seed=None), ValueError, r"^pass rng="),
    ],
)
def test_finite_width_drift_refusals(change, error, message):
    with pytest.raises(error, match=message):
        ini.finite_width_drift(**{**_DRIFT, **change})


@pytest.mark.parametrize(
    "change", [dict(widths=(1,)), dict(depth=1), dict(n_networks=1), dict(widths=[1, 2])]
)
def test_finite_width_drift_accepts_the_boundaries(change):
    args = {**_DRIFT, **change}
    d = ini.finite_width_drift(**args)
    assert list(d.widths) == list(args["widths"])
    assert (d.depth, d.n_networks) == (args["depth"], args["n_networks"])
    assert d.median_slope.shape == d.mean_square_slope.shape == (len(args["widths"]),)


def test_finite_width_drift_is_minus_infinity_where_the_median_network_dies():
    """A network all of whose units switch off has norm 0 from then on (ln 0 = -inf). At width 3
    more than half of 50 networks die within 10 layers: the median has no finite slope, -inf
    (not a NaN from fitting a line through -inf); at width 1 every network dies, and the mean
    square's slope is -inf too. At width 64 none dies and both are finite."""
    d = ini.finite_width_drift((1, 3, 64), depth=10, n_networks=50, seed=0)
    assert d.median_slope[0] == d.median_slope[1] == -np.inf
    assert d.mean_square_slope[0] == -np.inf
    assert np.isfinite(d.mean_square_slope[1]) and d.mean_square_slope[1] < 0
    assert np.all(np.isfinite([d.median_slope[2], d.mean_square_slope[2]]))
    assert not np.any(np.isnan(np.concatenate([d.median_slope, d.mean_square_slope])))


def test_finite_width_drift_defaults_are_50_layers_and_200_networks():
    d = ini.finite_width_drift((1,), seed=0)
    assert (d.depth, d.n_networks) == (50, 200)


def _slope(y):
    """Least-squares slope of ``y`` against ``0, 1, ..., len(y) - 1``."""
    x = np.arange(len(y), dtype=float)
    return float(np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2))


def test_finite_width_drift_slopes_are_their_definitions():
    # The same draws as the docstring describes (per width: the inputs, then one stack of
    # N(0, 2/n) weights per layer), propagated network by network without renormalising.
    widths, depth, n_networks, seed = (4, 8), 5, 9, 2
    d = ini.finite_width_drift(widths, depth, n_networks=n_networks, seed=seed)
    rng = np.random.default_rng(seed)
    some_die = False
    for i, n in enumerate(widths):
        a0 = rng.standard_normal((n_networks, n))
        Ws = [rng.normal(0.0, math.sqrt(2.0 / n), size=(n_networks, n, n)) for _ in range(depth)]
        ratio = np.empty((depth + 1, n_networks))  # ||a_l|| / ||a_0||
        for b in range(n_networks):
            a = a0[b]
            ratio[0, b] = 1.0
            for layer, W in enumerate(Ws, start=1):
                a = np.maximum(a @ W[b], 0.0)
                ratio[layer, b] = np.linalg.norm(a) / np.linalg.norm(a0[b])
        some_die |= bool(np.any(ratio[-1] == 0))
        with np.errstate(divide="ignore"):
            median = np.median(np.log(ratio), axis=1)
        assert np.all(np.isfinite(median))
        mean_square = 0.5 * np.log(np.mean(ratio**2, axis=1))
        assert d.median_slope[i] == pytest.approx(_slope(median), rel=1e-9, abs=1e-12)
        assert d.mean_square_slope[i] == pytest.approx(_slope(mean_square), rel=1e-9, abs=1e-12)
        assert d.predicted_slope[i] == ini.relu_log_norm_slope(n)
    assert some_die  # the case of a network whose units all switch off is exercised
    np.testing.assert_array_equal(d.widths, widths)
    assert (d.depth, d.n_networks) == (depth, n_networks)
    # A Generator passed as rng draws exactly what the seed does.
    g = ini.finite_width_drift(widths, depth, n_networks=n_networks, rng=np.random.default_rng(2))
    np.testing.assert_array_equal(g.median_slope, d.median_slope)
    np.testing.assert_array_equal(g.mean_square_slope, d.mean_square_slope)


def test_jacobian_spectra_defaults_are_depth_16_width_128_seed_0(monkeypatch):
    # The six calls it makes (recorded instead of computed: a width-128 spectrum is slow).
    calls = []

    def record(init, activation, depth, width, **options):
        calls.append((activation, init, depth, width, options))
        return (activation, init)

    monkeypatch.setattr(ini, "jacobian_singular_values", record)
    spectra = ini.jacobian_spectra()
    cases = {"identity": (1.0, 1.0), "tanh": (1.0, 0.1), "relu": (math.sqrt(2.0), 1.0)}
    want = [
        (act, init, 16, 128, dict(gain=gain, input_std=input_std, seed=0))
        for act, (gain, input_std) in cases.items()
        for init in ("gaussian", "orthogonal")
    ]
    assert sorted(calls, key=repr) == sorted(want, key=repr)
    assert spectra == {(act, init): (act, init) for act, init, *_ in want}
    calls.clear()
    ini.jacobian_spectra(3, 5, seed=7)
    assert {(c[2], c[3], c[4]["seed"]) for c in calls} == {(3, 5, 7)} and len(calls) == 6


# --- figures: read from the artists (mutation-testing survivors) ---


def _build_figure(make):
    """Call a plot function with plotting.show replaced (no PNG rendered): the figure, alt text,
    caption and label it hands to show."""
    from gradlab import plotting

    shown = []

    def record(fig, alt, caption="", label=""):
        shown.append((fig, alt, caption, label))

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plotting, "show", record)
        make()
    ((fig, alt, caption, label),) = shown
    return fig, alt, caption, label


def _course_look(artist):
    """(hex colour, line style) of a line, or of an outlined patch (its edge and dash pattern)."""
    import matplotlib.colors as mcolors
    from matplotlib.lines import Line2D

    if isinstance(artist, Line2D):
        return mcolors.to_hex(artist.get_color()), str(artist.get_linestyle())
    offset, dashes = artist._dash_pattern  # as drawn (a legend handle's style reads "solid")
    dashes = None if dashes is None else tuple(float(d) for d in dashes)
    return mcolors.to_hex(artist.get_edgecolor()), str((float(offset), dashes))


def _legend_loc(ax):
    from matplotlib.legend import Legend

    codes = {v: k for k, v in Legend.codes.items()}
    return codes[ax.get_legend()._loc]


# Jacobian spectra: hand-made spectra (width 4, depth 3), base-10 logs of the singular values,
# largest first, -inf for a value float64 cannot resolve.
_SPECTRA_LOG10 = {
    ("identity", "gaussian"): [0.5, 0.0, 0.0, 0.0],
    ("identity", "orthogonal"): [3e-13, 1e-13, 0.0, -2e-13],  # s = 1 to round-off
    ("tanh", "gaussian"): [0.0, 0.0, 0.0, -0.5],
    ("tanh", "orthogonal"): [1e-12, 0.0, 0.0, 0.0],  # just at the round-off bound: not "= 1"
    ("relu", "gaussian"): [0.3, -2.0, -np.inf, -np.inf],
    ("relu", "orthogonal"): [0.2, -1.0, -4.01, -np.inf],
}


def _hand_spectra(table, depth=3):
    return {
        (act, init): ini.JacobianSpectrum(
            init, act, depth, len(v), 1.0, 1.0, np.array(v, dtype=float) * math.log(10)
        )
        for (act, init), v in table.items()
    }


@pytest.fixture(scope=shared_scope)
def jacobian_figure():
    return _build_figure(lambda: ini.plot_jacobian_spectra(spectra=_hand_spectra(_SPECTRA_LOG10)))


def test_jacobian_figure_draws_each_resolved_spectrum_against_its_rank(jacobian_figure):
    from gradlab import plotting

    fig, _, _, label = jacobian_figure
    assert label == "fig-jacobian-spectra"
    assert fig.get_figwidth() == plotting.FIGURE_WIDTH
    axes = fig.axes
    assert len(axes) == 3
    titles = ["linear, gain 1", "tanh, gain 1", "relu, gain 1.41"]  # ReLU at He's sqrt(2)
    looks = set()
    for ax, act, title in zip(axes, ("identity", "tanh", "relu"), titles, strict=True):
        assert ax.get_title() == title
        assert ax.get_xlabel() == "rank k"
        lines = ax.get_lines()
        assert len(lines) == 2
        for line, init in zip(lines, ("gaussian", "orthogonal"), strict=True):
            want = [x for x in _SPECTRA_LOG10[(act, init)] if np.isfinite(x)]
            np.testing.assert_allclose(line.get_ydata(), want, rtol=1e-12, atol=1e-25)
            np.testing.assert_array_equal(line.get_xdata(), np.arange(1, len(want) + 1))
            assert line.get_label() == init
        # Ranks 1 and n marked; the axis runs from 0 to n + 1 so both ends show.
        assert list(ax.get_xticks()) == [1, 4]
        assert ax.get_xlim() == (0, 5)
        # Gaussian and orthogonal told apart by colour and by dash, in course colours, the
        # same in every panel (one legend serves the three).
        pair = tuple(_course_look(line) for line in lines)
        looks.add(pair)
        (c1, d1), (c2, d2) = pair
        assert c1 != c2 and d1 != d2
        assert {c1.upper(), c2.upper()} <= set(plotting.COLORS.values())
    assert len(looks) == 1
    # One legend, in the ReLU panel's lower right (its spectra stop short, leaving it empty).
    assert [ax.get_legend() is not None for ax in axes] == [False, False, True]
    legend = axes[2].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["gaussian", "orthogonal"]
    assert [_course_look(h) for h in legend.legend_handles] == list(looks.pop())
    assert _legend_loc(axes[2]) == "lower right"


def test_jacobian_figure_y_axis_is_shared_with_decade_ticks_down_to_the_lowest(jacobian_figure):
    fig, _, _, _ = jacobian_figure
    axes = fig.axes
    for ax in axes[1:]:
        assert axes[0].get_shared_y_axes().joined(axes[0], ax)
    assert [ax.get_ylabel() for ax in axes] == ["log10 sₖ", "", ""]
    # Lowest resolved value -4.01: ticks from 0 down to floor(-4.01) = -5, at most five of
    # them, so every second decade: 0, -2, -4.
    assert list(axes[0].get_yticks()) == [0, -2, -4]
    fmt = axes[0].yaxis.get_major_formatter()
    assert [fmt(v, 0) for v in (0, -2, -4)] == ["0", "\u22122", "\u22124"]


def test_jacobian_figure_alt_and_caption_state_the_spectra(jacobian_figure):
    _, alt, caption, _ = jacobian_figure
    head, cases = alt.split(". ", 1)  # the first sentence, then the numbers
    assert head == (
        "The base-10 logs of the singular values, largest first, of the input-output Jacobian "
        "of a 3-layer network of width 4 at one random input, Gaussian against orthogonal "
        "weights, three panels: linear, tanh with small inputs, ReLU"
    )
    one = "every log10 s within 1e-12 of 0 (s = 1 up to round-off)"
    assert cases.split("; ") == [
        "identity gaussian: 4 of 4 resolved, log10 s from 0 to 0.5",
        f"identity orthogonal: 4 of 4 resolved, {one}",
        "tanh gaussian: 4 of 4 resolved, log10 s from -0.5 to 0",
        "tanh orthogonal: 4 of 4 resolved, log10 s from 0 to 1e-12",
        "relu gaussian: 2 of 4 resolved, log10 s from -2 to 0.3",
        "relu orthogonal: 3 of 4 resolved, log10 s from -4 to 0.2.",
    ]
    assert caption == (
        "Dynamical isometry: with orthogonal weights a linear network's Jacobian has every "
        "singular value 1 and tanh's stays close; Gaussian weights spread the spectrum over "
        "many decades, and ReLU's Jacobian is singular and spread whatever the weights."
    )


def test_jacobian_figure_defaults_to_the_books_network(monkeypatch):
    # 16 layers of 128 from seed 0 (the chapter's figure); spectra with a lowest value of
    # -2.5 get a tick at every decade from 0 to -3.
    calls = []
    table = {key: [0.1, -1.0, -2.5, -np.inf] for key in _SPECTRA_LOG10}

    def fake(*args, **kwargs):
        calls.append((args, kwargs))
        return _hand_spectra(table)

    monkeypatch.setattr(ini, "jacobian_spectra", fake)
    fig, alt, _, _ = _build_figure(ini.plot_jacobian_spectra)
    assert calls == [((16, 128), {"seed": 0})]
    assert "of a 16-layer network of width 128 at one random input" in alt
    assert list(fig.axes[0].get_yticks()) == [0, -1, -2, -3]
    with pytest.raises(TypeError, match=r"^spectra must be the dict jacobian_spectra returns$"):
        ini.plot_jacobian_spectra(spectra=_hand_spectra({("relu", "gaussian"): [0.0]}))


# Symmetry: hand-made runs of 3 steps over 2 hidden layers.
_CONSTANT_RUN = ini.SymmetryRun(
    "constant", 3, np.zeros((4, 2)), np.ones((4, 2), bool), np.array([0.5, 0.25, 0.1, 0.02])
)
_RANDOM_RUN = ini.SymmetryRun(
    "xavier_normal",
    3,
    np.array([[1.0, 0.5], [4.0, 2.0], [3.0, 10.0], [7.0, 1.0]]),  # largest per step: 1 4 10 7
    np.zeros((4, 2), bool),
    np.array([0.4, 0.03, 0.002, 2e-4]),
)


@pytest.fixture(scope=shared_scope)
def symmetry_figure():
    return _build_figure(lambda: ini.plot_symmetry([_CONSTANT_RUN, _RANDOM_RUN]))


def _zero_height(ax):
    """Where 0 sits on the axis, as a fraction of its height from the bottom."""
    bottom, top = ax.get_ylim()
    return -bottom / (top - bottom)


def test_symmetry_figure_draws_the_spread_and_the_loss_of_each_run(symmetry_figure):
    from gradlab import plotting

    fig, _, _, label = symmetry_figure
    assert label == "fig-symmetry"
    assert fig.get_figwidth() == plotting.FIGURE_WIDTH
    left, right = fig.axes
    assert (left.get_title(), right.get_title()) == ("spread of unit weights", "training loss")
    assert left.get_xlabel() == right.get_xlabel() == "SGD step"
    assert (left.get_yscale(), right.get_yscale()) == ("linear", "log")
    spreads = ([0, 0, 0, 0], [1, 4, 10, 7])  # the largest over the hidden layers, per step
    for k, run in enumerate((_CONSTANT_RUN, _RANDOM_RUN)):
        s, loss = left.get_lines()[k], right.get_lines()[k]
        np.testing.assert_array_equal(s.get_xdata(), [0, 1, 2, 3])
        np.testing.assert_array_equal(s.get_ydata(), spreads[k])
        np.testing.assert_array_equal(loss.get_xdata(), [0, 1, 2, 3])
        np.testing.assert_array_equal(loss.get_ydata(), run.loss)
        # The left legend names the right panel's curves too: same colour and dash.
        assert _course_look(s) == _course_look(loss)
        assert _course_look(s)[0].upper() in plotting.COLORS.values()
    (c1, d1), (c2, d2) = (_course_look(line) for line in left.get_lines())
    assert c1 != c2 and d1 != d2
    # The legend flags the constant run's flat line; underscores read as spaces.
    assert [t.get_text() for t in left.get_legend().get_texts()] == [
        "constant (exactly 0)",
        "xavier normal",
    ]
    assert _legend_loc(left) == "center right" and right.get_legend() is None
    # The spread's 0 sits just above the bottom edge, so the constant run's line shows.
    assert 0.01 < _zero_height(left) < 0.1
    # Losses from 2e-4 to 0.5: decade ticks from 1e-4 to 1, three steps at most: every second.
    np.testing.assert_allclose(right.get_yticks(), [1e-4, 1e-2, 1.0], rtol=1e-12)


def test_symmetry_figure_alt_and_caption(symmetry_figure):
    _, alt, caption, _ = symmetry_figure
    assert alt == (
        "Left: the largest difference between the incoming weights of two hidden units of the "
        "same layer over SGD steps; right: the training loss, log scale. "
        "constant: largest spread 0, identical units at every step: yes, loss 0.5 to 0.02; "
        "xavier_normal: largest spread 10, identical units at every step: no, loss 0.4 to "
        "0.0002."
    )
    assert caption == (
        "Symmetry is never broken: from a constant initialization the hidden units stay "
        "identical to the bit, so the network learns as if each layer had one unit."
    )


def test_symmetry_figure_of_constant_runs_only_still_shows_the_zero_line():
    fig, _, _, _ = _build_figure(lambda: ini.plot_symmetry([_CONSTANT_RUN]))
    left = fig.axes[0]
    assert left.get_ylim()[1] > 0 and 0.005 < _zero_height(left) < 0.1


def test_symmetry_figure_takes_one_to_five_runs():
    fig, _, _, _ = _build_figure(lambda: ini.plot_symmetry([_RANDOM_RUN] * 5))
    assert len(fig.axes[0].get_lines()) == 5
    with pytest.raises(ValueError, match=r"^runs must hold at most 5 runs, got 6$"):
        ini.plot_symmetry([_RANDOM_RUN] * 6)
    message = r"^runs must be a non-empty sequence of SymmetryRun$"
    for bad in ([], _RANDOM_RUN, iter([_RANDOM_RUN])):
        with pytest.raises(TypeError, match=message):
            ini.plot_symmetry(bad)


@pytest.fixture(scope=shared_scope)
def histogram_figure():
    """The chapter's figure (the defaults) and the samples it should bin."""
    runs = [
        ini.layer_samples(i, "tanh", 6, 256, batch=64, seed=0)
        for i in ("uniform_fan_in", "xavier_uniform")
    ]
    return (*_build_figure(ini.plot_layer_histograms), runs)


def _outline(patch):
    """Bin edges and heights of a step histogram's outline."""
    xy = patch.get_xy()
    return np.unique(xy[:, 0]), xy[1:-1:2, 1]


def _check_histograms(fig, runs, a_range, g_range):
    from gradlab import plotting

    axes = np.array(fig.axes).reshape(2, len(runs))
    looks = None
    for c, run in enumerate(runs):
        for row, (samples, (lo, hi)) in enumerate(
            ((run.activations, a_range), (run.gradients, g_range))
        ):
            ax = axes[row][c]
            assert len(ax.patches) == len(samples)
            edges = np.linspace(lo, hi, 42)  # 41 bins over the range
            for patch, v in zip(ax.patches, samples, strict=True):
                drawn_edges, heights = _outline(patch)
                np.testing.assert_allclose(drawn_edges, edges, rtol=1e-12, atol=1e-15)
                np.testing.assert_allclose(heights, np.histogram(v, edges, density=True)[0])
            np.testing.assert_allclose(ax.get_xticks(), [lo, 0.0, hi])
            assert list(ax.get_yticks()) == []  # densities: shapes compare, numbers would not
            assert not any(g.get_visible() for g in ax.get_xgridlines() + ax.get_ygridlines())
            # One look per layer, the same in every panel: distinct course colours and dashes.
            panel = [_course_look(p) for p in ax.patches]
            assert len({c for c, _ in panel}) == len({d for _, d in panel}) == len(panel)
            assert {c.upper() for c, _ in panel} <= set(plotting.COLORS.values())
            assert looks is None or panel == looks
            looks = panel
        assert axes[0][c].get_title() == run.init.replace("_", " ")
        assert axes[1][c].get_title() == ""
        assert (axes[0][c].get_xlabel(), axes[1][c].get_xlabel()) == ("aℓ", "∂J/∂aℓ")
    # Each row shares its y axis; the rows do not.
    if len(runs) > 1:
        assert axes[0][0].get_shared_y_axes().joined(axes[0][0], axes[0][-1])
    assert not axes[0][0].get_shared_y_axes().joined(axes[0][0], axes[1][0])
    # One legend, top right, naming the layers 1, 2, ... in their looks.
    assert [ax.get_legend() is not None for ax in axes.ravel()] == [
        r == 0 and c == len(runs) - 1 for r in range(2) for c in range(len(runs))
    ]
    legend = axes[0][-1].get_legend()
    names = [f"layer {k}" for k in range(1, len(looks) + 1)]
    assert [t.get_text() for t in legend.get_texts()] == names
    assert [_course_look(h) for h in legend.legend_handles] == looks
    assert _legend_loc(axes[0][-1]) == "upper right"


def _std_list(samples):
    return ", ".join(f"{float(np.std(s)):.2g}" for s in samples)


def test_histogram_figure_bins_each_hidden_layer_of_the_chapters_runs(histogram_figure):
    from gradlab import plotting

    fig, _, _, label, runs = histogram_figure
    assert label == "fig-layer-histograms"
    assert fig.get_figwidth() == plotting.FIGURE_WIDTH
    # tanh's own range for the activations; the gradients' cut at the 99.5th percentile of
    # |g| of the widest layer, the same for both columns.
    g_top = max(np.percentile(np.abs(g), 99.5) for r in runs for g in r.gradients)
    _check_histograms(fig, runs, (-1.0, 1.0), (-g_top, g_top))


def test_histogram_figure_alt_and_caption_state_the_stds(histogram_figure):
    _, alt, caption, _, runs = histogram_figure
    head, numbers = alt.split(". ", 1)
    assert head == (
        "Histograms of the hidden activations (top row) and of the gradients reaching them "
        "(bottom row) of a 6-layer tanh network of width 256 at initialization, one outlined "
        "curve per hidden layer, one column per initialization"
    )
    assert numbers.split("; ") == [
        f"uniform_fan_in: activation std by layer {_std_list(runs[0].activations)}",
        f"gradient std by layer {_std_list(runs[0].gradients)}",
        f"xavier_uniform: activation std by layer {_std_list(runs[1].activations)}",
        f"gradient std by layer {_std_list(runs[1].gradients)}.",
    ]
    sentences = caption.split(". ")
    assert sentences[:2] == [
        "After Glorot and Bengio (2010): with the old U(−1/√n, 1/√n) the activations narrow "
        "layer by layer and the gradients shrink towards the input; their normalized "
        "initialization narrows both far less",
        "Std of the first hidden layer over the last's (activations) and of the last over the "
        "first's (gradients): " + sentences[1].split(": ", 1)[1],
    ]
    ratios = [
        (
            np.std(r.activations[0]) / np.std(r.activations[4]),
            np.std(r.gradients[4]) / np.std(r.gradients[0]),
        )
        for r in runs
    ]
    assert sentences[1].split(": ", 1)[1] == (
        f"`uniform_fan_in`: activations {ratios[0][0]:.2g}×, gradients {ratios[0][1]:.2g}×; "
        f"`xavier_uniform`: activations {ratios[1][0]:.2g}×, gradients {ratios[1][1]:.2g}×."
    )
    # As the caption says: the old scheme narrows both more than the normalized one.
    assert ratios[0][0] > ratios[1][0] > 1 and ratios[0][1] > ratios[1][1] > 1


def test_histogram_figure_of_an_unbounded_activation_spans_its_data():
    # ReLU has no bounds: the activations' range is symmetric about 0 out to the largest |a|.
    fig, alt, _, _ = _build_figure(
        lambda: ini.plot_layer_histograms(("he_normal",), "relu", 3, 8, batch=16, seed=2)
    )
    (run,) = runs = [ini.layer_samples("he_normal", "relu", 3, 8, batch=16, seed=2)]
    top = max(np.max(np.abs(a)) for a in run.activations)
    g_top = max(np.percentile(np.abs(g), 99.5) for g in run.gradients)
    _check_histograms(fig, runs, (-top, top), (-g_top, g_top))
    assert "of a 3-layer relu network of width 8 at initialization" in alt
    assert f"he_normal: activation std by layer {_std_list(run.activations)};" in alt


def test_histogram_figure_depth_and_inits_refusals():
    with pytest.raises(ValueError, match=r"^depth must be <= 6, got 7$"):
        ini.plot_layer_histograms(depth=7, width=4, seed=0)
    with pytest.raises(ValueError, match=r"^depth must be >= 2, got 1$"):
        ini.plot_layer_histograms(depth=1, width=4, seed=0)
    # The figure checks its depth before it runs a network (whose refusal would name the
    # unknown activation first).
    with pytest.raises(ValueError, match=r"^depth must be >= 2, got 1$"):
        ini.plot_layer_histograms(("he_normal",), "relu6", depth=1, width=4, seed=0)
    fig, _, _, _ = _build_figure(lambda: ini.plot_layer_histograms(depth=2, width=4, seed=0))
    assert len(fig.axes[0].patches) == 1  # one hidden layer
    message = r"^inits must be a non-empty sequence of initializer names$"
    for bad in ([], "he_normal", {"he_normal"}):
        with pytest.raises(TypeError, match=message):
            ini.plot_layer_histograms(bad, depth=3, width=4, seed=0)


# --- forward_backward_stats and symmetry_demo against hand-written networks -----------------

# The activations these tests use, written out: phi and phi'.
_PHI = {
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
}


def _stats_by_hand(init, activation, depth, width, batch, seed, **options):
    """forward_backward_stats's documented network and probe, in plain numpy.

    Draws X, then r, then W_1..W_L (``width x width``); ``a_l = phi(a_{l-1} W_l)``, the
    last layer linear; std of each ``a_l`` over batch and units; ``J = sum(r a_L) / batch``
    so ``dJ/da_L = r / batch``, ``dJ/da_{l-1} = (dJ/da_l * phi'(z_l)) W_l^T``.
    """
    phi, dphi = _PHI[activation]
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, width))
    r = rng.standard_normal((batch, width))
    Ws = [initializers.get(init)((width, width), rng, **options) for _ in range(depth)]
    a, zs, stds = X, [], []
    for layer, W in enumerate(Ws, start=1):
        z = a @ W
        a = z if layer == depth else phi(z)
        zs.append(z)
        stds.append(math.sqrt(np.sum((a - a.mean()) ** 2) / a.size))
    g, norms = r / batch, []
    for layer in range(depth, 0, -1):
        dz = g if layer == depth else g * dphi(zs[layer - 1])
        g = dz @ Ws[layer - 1].T  # dJ/da_{layer-1}, the gradient reaching layer `layer`
        norms.insert(0, math.sqrt(np.sum(g**2)))
    return np.array(stds), np.array(norms)


@pytest.mark.parametrize(
    ("init", "activation", "depth", "width", "batch", "options"),
    [
        ("he_normal", "relu", 3, 5, None, {}),  # the default batch: 64
        ("standard_normal", "tanh", 4, 3, 6, {"std": 0.5}),  # an option reaches the weights
        ("xavier_uniform", "tanh", 1, 1, 2, {"gain": 2.0}),  # the smallest network
    ],
)
def test_forward_backward_stats_are_the_documented_std_and_gradient_norms(
    init, activation, depth, width, batch, options
):
    kw = {} if batch is None else {"batch": batch}
    s = ini.forward_backward_stats(init, activation, depth, width, seed=4, **kw, **options)
    want_batch = 64 if batch is None else batch
    assert (s.init, s.activation, s.depth, s.width, s.batch) == (
        init, activation, depth, width, want_batch,
    )  # fmt: skip
    std, norms = _stats_by_hand(init, activation, depth, width, want_batch, 4, **options)
    np.testing.assert_allclose(s.activation_std, std, rtol=1e-12)
    np.testing.assert_allclose(s.gradient_norm, norms, rtol=1e-12)
    assert s.output_std == pytest.approx(std[-1], rel=1e-12)
    # A generator gives the draws of its seed.
    g = ini.forward_backward_stats(
        init, activation, depth, width, rng=np.random.default_rng(4), **kw, **options
    )
    np.testing.assert_array_equal(g.activation_std, s.activation_std)
    np.testing.assert_array_equal(g.gradient_norm, s.gradient_norm)


def test_forward_backward_stats_of_an_overflowing_network_warns_nothing():
    # Weights of std 1e100: a_1 ~ 1e100 has a finite std, a_2 ~ 1e200 squares past the
    # largest float, so its std is not finite; reporting it raises no RuntimeWarning (which
    # this suite turns into an error).
    s = ini.forward_backward_stats("standard_normal", "relu", 2, 3, batch=4, seed=0, std=1e100)
    assert np.isfinite(s.activation_std[0]) and s.activation_std[0] > 1e50
    assert not np.isfinite(s.activation_std[1])


_STATS = dict(init="he_normal", activation="relu", depth=2, width=3, batch=4, seed=0)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (dict(depth=0), ValueError, r"^depth must be >= 1, got 0$"),
        (dict(depth=1.0), TypeError, r"^depth must be an integer"),
        (dict(width=0), ValueError, r"^width must be >= 1, got 0$"),
        (dict(width=-3), ValueError, r"^width must be >= 1, got -3$"),
        (dict(width=2.0), TypeError, r"^width must be an integer"),
        (dict(batch=1), ValueError, r"^batch must be >= 2, got 1$"),
        (dict(batch=4.0), TypeError, r"^batch must be an integer"),
        (dict(init="kaiming"), ValueError, r"^init must be one of"),
        (dict(activation="relu6"), ValueError, r"^activation must be one of"),
        (dict(seed=None), ValueError, r"^pass rng="),
    ],
)
def test_forward_backward_stats_refusals(change, error, message):
    with pytest.raises(error, match=message):
        ini.forward_backward_stats(**{**_STATS, **change})


@pytest.mark.parametrize(
    "change", [dict(depth=1), dict(width=1), dict(batch=2), dict(depth=1, width=1, batch=2)]
)
def test_forward_backward_stats_accepts_the_boundaries(change):
    args = {**_STATS, **change}
    s = ini.forward_backward_stats(**args)
    assert (s.depth, s.width, s.batch) == (args["depth"], args["width"], args["batch"])
    assert s.activation_std.shape == s.gradient_norm.shape == (args["depth"],)


def test_he_prediction_refuses_a_negative_depth_by_name():
    with pytest.raises(ValueError, match=r"^depth must be >= 0, got -1$"):
        ini.he_prediction(-1)
    with pytest.raises(TypeError, match=r"^depth must be an integer"):
        ini.he_prediction(1.0)
    assert ini.he_prediction(1) == pytest.approx(1 / math.sqrt(2), rel=1e-15)


def _symmetry_by_hand(init, sizes, activation, steps, lr, n_examples, rng, **options):
    """symmetry_demo's documented training, in plain numpy: (spread, loss, last weights).

    Standard-normal inputs, target ``sin(x_1) + x_n^2 / 2`` (``x_n`` the last input), drawn
    before the weights; zero biases; full-batch gradient descent on the mean squared error
    with the chain rule written out.
    """
    phi, dphi = _PHI[activation]
    X = rng.standard_normal((n_examples, sizes[0]))
    y = (np.sin(X[:, 0]) + X[:, -1] ** 2 / 2).reshape(-1, 1)
    Ws = [
        initializers.get(init)((m, n), rng, **options)
        for m, n in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    bs = [np.zeros(n) for n in sizes[1:]]
    L = len(Ws)

    def spread_of(W):  # max_j max_i |W[i, j] - W[i, 0]|
        return max(abs(W[i, j] - W[i, 0]) for i in range(W.shape[0]) for j in range(W.shape[1]))

    spread = [[spread_of(W) for W in Ws[:-1]]]
    loss = []
    for _ in range(steps + 1):
        a, zs, acts = X, [], [X]
        for layer in range(L):
            z = a @ Ws[layer] + bs[layer]
            a = z if layer == L - 1 else phi(z)
            zs.append(z)
            acts.append(a)
        loss.append(float(np.mean((a - y) ** 2)))
        if len(loss) > steps:
            break
        dz = 2.0 * (a - y) / len(y)  # d(mean square)/d(output)
        grads = []
        for layer in range(L - 1, -1, -1):
            grads.insert(0, (acts[layer].T @ dz, dz.sum(axis=0)))
            if layer > 0:
                dz = (dz @ Ws[layer].T) * dphi(zs[layer - 1])
        for layer, (dW, db) in enumerate(grads):
            Ws[layer] = Ws[layer] - lr * dW
            bs[layer] = bs[layer] - lr * db
        spread.append([spread_of(W) for W in Ws[:-1]])
    return np.array(spread), np.array(loss), Ws


@pytest.mark.parametrize(
    ("init", "kw", "options"),
    [
        # The defaults: (2, 8, 8, 1), tanh, 200 steps, lr 0.1, 64 examples, value 0.1.
        ("constant", {}, {}),
        ("constant", dict(sizes=(3, 4, 5, 1), activation="relu", steps=6, lr=0.05), {"value": 0.3}),
        ("xavier_normal", dict(sizes=(2, 6, 5, 1), steps=8, n_examples=9), {}),
        ("he_uniform", dict(sizes=(3, 4, 2, 3, 1), activation="relu", steps=5), {}),
        # The boundaries: one input, one hidden unit, no step; one example.
        ("xavier_normal", dict(sizes=(1, 1, 1), steps=0, n_examples=1), {}),
        ("xavier_normal", dict(sizes=(1, 2, 1), steps=3, n_examples=1, lr=1e-3), {}),
    ],
)
def test_symmetry_demo_is_gradient_descent_on_the_documented_problem(init, kw, options):
    args = dict(sizes=(2, 8, 8, 1), activation="tanh", steps=200, lr=0.1, n_examples=64, **options)
    args.update(kw)
    run = ini.symmetry_demo(init, **kw, rng=np.random.default_rng(7), **options)
    spread, loss, _ = _symmetry_by_hand(init, rng=np.random.default_rng(7), **args)
    hidden = len(args["sizes"]) - 2
    assert run.init == init and run.steps == args["steps"]
    assert run.spread.shape == run.identical.shape == (args["steps"] + 1, hidden)
    assert run.loss.shape == (args["steps"] + 1,)
    np.testing.assert_allclose(run.loss, loss, rtol=1e-10)
    np.testing.assert_allclose(run.spread, spread, rtol=1e-9, atol=1e-14)
    np.testing.assert_array_equal(run.identical, run.spread == 0.0)
    if args["steps"] <= 10:  # a seed gives the draws of its generator
        again = ini.symmetry_demo(init, **kw, seed=7, **options)
        np.testing.assert_array_equal(again.loss, run.loss)


def test_constant_units_get_equal_gradients_so_stay_identical():
    # Hand-derived: with every weight equal, the units of a hidden layer compute the same
    # a[:, j], so the chain rule gives them the same delta[:, j] and dW[:, j] = a^T delta[:, j]
    # is the same column for every j; gradient descent keeps the columns equal. Plain numpy
    # (BLAS) may round equal columns apart by ~1e-17; symmetry_demo keeps them equal exactly.
    sizes = (3, 4, 5, 1)
    _, _, Ws = _symmetry_by_hand(
        "constant", sizes, "tanh", 25, 0.2, 10, np.random.default_rng(2), value=0.4
    )
    for W in Ws[:-1]:
        assert W.shape[1] > 1
        np.testing.assert_allclose(W, np.repeat(W[:, :1], W.shape[1], axis=1), atol=1e-14)
        assert abs(W[0, 0] - 0.4) > 1e-3  # the weights did move
    run = ini.symmetry_demo(
        "constant", sizes=sizes, steps=25, lr=0.2, n_examples=10, seed=2, value=0.4
    )
    assert run.identical.all() and np.all(run.spread == 0.0)


_SYMMETRY = dict(init="constant", sizes=(2, 3, 1), steps=2, lr=0.1, n_examples=4, seed=0)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (dict(sizes=5), TypeError, r"^sizes must be a sequence of layer widths, got int$"),
        (dict(sizes="241"), TypeError, r"^sizes must be a sequence of layer widths, got str$"),
        (dict(sizes={2, 4, 1}), TypeError, r"^sizes must be a sequence of layer widths, got set$"),
        (dict(sizes=(2, 0, 1)), ValueError, r"^sizes\[1\] must be >= 1, got 0$"),
        (dict(sizes=(0, 3, 1)), ValueError, r"^sizes\[0\] must be >= 1, got 0$"),
        (dict(sizes=(-2, 3, 1)), ValueError, r"^sizes\[0\] must be >= 1, got -2$"),
        (dict(sizes=(2, 4.0, 1)), TypeError, r"^sizes\[1\] must be an integer"),
        (
            dict(sizes=(2, 1)),
            ValueError,
            r"^sizes must have at least one hidden layer, got \[2, 1\]$",
        ),
        (dict(sizes=(2, 5, 7, 3)), ValueError, r"^sizes must end with one output unit, got 3$"),
        (dict(steps=-1), ValueError, r"^steps must be >= 0, got -1$"),
        (dict(steps=2.0), TypeError, r"^steps must be an integer"),
        (dict(lr=0.0), ValueError, r"^lr must be > 0.0, got 0.0$"),
        (dict(lr=-0.1), ValueError, r"^lr must be > 0.0, got -0.1$"),
        (dict(lr="0.1"), TypeError, r"^lr must be a real number"),
        (dict(n_examples=0), ValueError, r"^n_examples must be >= 1, got 0$"),
        (dict(n_examples=4.0), TypeError, r"^n_examples must be an integer"),
        (dict(init="kaiming"), ValueError, r"^init must be one of"),
        (dict(activation="relu6"), ValueError, r"^activation must be one of"),
        (dict(seed=None), ValueError, r"^pass rng="),
    ],
)
def test_symmetry_demo_refusals(change, error, message):
    with pytest.raises(error, match=message):
        ini.symmetry_demo(**{**_SYMMETRY, **change})


@pytest.mark.parametrize(
    "change",
    [
        dict(sizes=(1, 1, 1)),
        dict(sizes=[2, 3, 1]),
        dict(steps=0),
        dict(n_examples=1),
        dict(lr=1e-300),
    ],
)
def test_symmetry_demo_accepts_the_boundaries(change):
    args = {**_SYMMETRY, **change}
    run = ini.symmetry_demo(**args)
    assert run.steps == args["steps"] and run.loss.shape == (args["steps"] + 1,)
    assert run.spread.shape == (args["steps"] + 1, 1) and run.identical.all()


def test_symmetry_demo_near_the_float_limit_warns_nothing_while_its_loss_is_a_float():
    # One example x, three linear hidden units, weights s * G (N(0, s^2) from the seed's
    # draws, data first): the output is s^2 x.g with g = G_1 G_2, and the loss (s^2 x.g - y)^2
    # is set to a quarter of the largest float. Backpropagation needs dJ/dW_1 = x^T delta_1
    # (about 2 s^4 |x.g| |g_i|), never delta_1 W_1^T, which here would pass the largest float.
    rng = np.random.default_rng(0)
    x = rng.standard_normal(2)
    g = rng.standard_normal((2, 3)) @ rng.standard_normal(3)
    assert np.max(np.abs(g)) > 4 * abs(x @ g)
    s = (0.25 * np.finfo(float).max) ** 0.25 / math.sqrt(abs(x @ g))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = ini.symmetry_demo(
            "standard_normal",
            sizes=(2, 3, 1),
            activation="identity",
            steps=0,
            n_examples=1,
            seed=0,
            std=s,
        )
    y = math.sin(x[0]) + x[1] ** 2 / 2
    assert run.loss[0] == pytest.approx((s**2 * (x @ g) - y) ** 2, rel=1e-9)
    assert run.loss[0] == pytest.approx(0.25 * np.finfo(float).max, rel=1e-9)


# Forward and backward statistics (Chapter 4's He et al. figure).
_FB_LABELS = {
    "he_normal": "He (n·Var = 2)",
    "lecun_normal": "n·Var = 1",
    "standard_normal": "N(0, 1)",
}


def _fb_runs(depth, width, seed, inits=("he_normal", "lecun_normal", "standard_normal")):
    return [ini.forward_backward_stats(i, "relu", depth, width, seed=seed) for i in inits]


@pytest.fixture(scope=shared_scope)
def forward_backward_figure():
    """The chapter's figure (the defaults) and the three runs it should draw."""
    return (*_build_figure(ini.plot_forward_backward), _fb_runs(30, 256, 0))


def _decades(ticks):
    exps = np.log10(np.asarray(ticks, dtype=float))
    np.testing.assert_allclose(exps, np.round(exps), atol=1e-9)
    return [int(k) for k in np.round(exps)]


def _check_decade_ticks(ax, values, most):
    """The documented rule of the log panels' ticks: every step-th decade, anchored at 10^0, the
    smallest step for which at most `most` steps span the data's decades, from the first
    multiple of step at or below the smallest value up to the top of the data."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    bottom, top = math.floor(math.log10(v.min())), math.ceil(math.log10(v.max()))
    exps = _decades(ax.get_yticks())
    steps = set(np.diff(exps))
    assert len(steps) == 1
    (step,) = steps
    assert all(k % step == 0 for k in exps)
    assert exps[0] <= bottom < exps[0] + step
    assert exps[-1] <= top < exps[-1] + step
    assert top - bottom <= most * step and (step == 1 or top - bottom > most * (step - 1))


def test_forward_backward_figure_draws_each_run_and_hes_prediction(forward_backward_figure):
    from gradlab import plotting

    fig, _, _, label, runs = forward_backward_figure
    assert label == "fig-he-reproduced"
    assert tuple(fig.get_size_inches()) == (plotting.FIGURE_WIDTH, 4.2)
    left, right = fig.axes
    assert left.get_title() == "std of aℓ (forward)"
    assert right.get_title() == "‖∂J/∂aℓ₋₁‖ (backward)"
    layers = np.arange(1, 31)  # the default: 30 layers
    for ax in (left, right):
        assert ax.get_yscale() == "log"
        assert ax.get_xlabel() == "layer ℓ"
        assert list(ax.get_xticks()) == [1, 15, 30]
    looks = []
    for k, run in enumerate(runs):
        a, g = left.get_lines()[k], right.get_lines()[k]
        for line, want in ((a, run.activation_std), (g, run.gradient_norm)):
            np.testing.assert_array_equal(line.get_xdata(), layers)
            np.testing.assert_array_equal(line.get_ydata(), want)
            assert line.get_label() == _FB_LABELS[run.init]
        # Each scheme in one look on both panels (the left legend names the right's lines).
        look = (*_course_look(a), a.get_marker())
        assert look == (*_course_look(g), g.get_marker())
        assert look[0].upper() in plotting.COLORS.values() and look[2] not in ("None", "")
        looks.append(look)
    for i in range(3):  # colour, dash and marker all tell the schemes apart
        assert len({look[i] for look in looks}) == 3
    assert len(right.get_lines()) == 3
    # He et al.'s prediction for n Var = 1: He's std times 2^(-l/2), a thick grey line (thicker
    # than the schemes' lines), see-through so that the n Var = 1 line under it shows.
    grey = left.get_lines()[3]
    assert len(left.get_lines()) == 4
    np.testing.assert_array_equal(grey.get_xdata(), layers)
    np.testing.assert_allclose(grey.get_ydata(), runs[0].activation_std * 2.0 ** (-layers / 2))
    np.testing.assert_allclose(grey.get_ydata(), runs[1].activation_std, rtol=1e-10)
    assert _course_look(grey)[0].upper() == plotting.COLORS["grey"]
    assert grey.get_linewidth() > max(line.get_linewidth() for line in left.get_lines()[:3])
    assert 0 < grey.get_alpha() < 1
    legend = left.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "He (n·Var = 2)",
        "n·Var = 1",
        "N(0, 1)",
        "2^(−ℓ/2)·He",
    ]
    assert _legend_loc(left) == "lower left" and right.get_legend() is None
    assert legend.get_frame_on()  # a background: the lines do not run through the entries


def test_forward_backward_figure_axes_keep_the_schemes_that_keep_a_scale(forward_backward_figure):
    fig, _, _, _, runs = forward_backward_figure
    left, right = fig.axes
    he, lecun, normal = runs
    # The standard normal explodes past 8 decades; the left axis covers the other two, with a
    # factor 3 (half a decade) to spare on either side, and the panel says where it ends.
    assert np.max(np.abs(np.log10(normal.activation_std))) > 8
    kept = np.concatenate([he.activation_std, lecun.activation_std])
    assert np.max(np.abs(np.log10(kept))) <= 8
    np.testing.assert_allclose(left.get_ylim(), (kept.min() / 3, kept.max() * 3), rtol=1e-12)
    _check_decade_ticks(left, kept, 5)
    _check_decade_ticks(right, np.concatenate([r.gradient_norm for r in runs]), 5)
    (note,) = left.texts
    assert note.get_text() == f"N(0, 1): {normal.output_std:.1e} at 30 ↑"
    # In the top right corner, inside the axes, right- and top-aligned.
    corner = left.transAxes.inverted().transform(
        note.get_transform().transform(note.get_position())
    )
    assert 0.9 < corner[0] < 1 and 0.9 < corner[1] < 1
    assert (note.get_ha(), note.get_va()) == ("right", "top")
    assert not right.texts


def test_forward_backward_figure_alt_and_caption(forward_backward_figure):
    _, alt, caption, _, runs = forward_backward_figure
    he, lecun, normal = runs
    parts = "; ".join(
        f"{_FB_LABELS[r.init]}: output std {r.output_std:.2g}, gradient at layer 1 "
        f"{r.gradient_norm[0]:.2g} against {r.gradient_norm[29]:.2g} at layer 30"
        for r in runs
    )
    assert alt == (
        "Two log-scale panels for a 30-layer ReLU network of width 256: the standard deviation "
        "of each layer's output (left) and the norm of the gradient reaching each layer "
        f"(right), one line per initialization. {parts}. The left axis covers the other "
        "schemes, so that the change at the last layer shows; N(0, 1) leaves it at the top. "
        "A thick grey line shows He's std times 2^(−ℓ/2), reaching "
        f"{he.output_std * 2.0**-15:.2g} at layer 30."
    )
    assert caption == (
        "Three initializations of the same 30-layer ReLU network. He's variance keeps the "
        f"scale; n·Var = 1 loses a factor √2 per layer, ending {2.0**-15:.1e} times He's, as "
        "He et al. predict (grey); a standard normal explodes."
    )
    # As drawn: n Var = 1 ends 2^(-15) of He's (the same draws, weights scaled by 1/sqrt 2).
    assert lecun.output_std / he.output_std == pytest.approx(2.0**-15, rel=1e-10)
    assert normal.output_std > 1e8


# Hand-made runs of 7 layers: two keep a scale (one exactly 8 decades from 1, the bound),
# two leave it (one to 2e-11, one overflowing to inf); a zero and an inf among the gradients.
_FB_TABLE = {
    "lecun_normal": (
        [1e3, 3e3, 1e4, 1e5, 1e6, 1e7, 2e7],
        [2.0, 1.0, 0.5, 0.25, 0.125, 0.0625, 0.03],
    ),
    "orthogonal": (
        [1e4, 1e5, 1e6, 1e7, 1e8, 5e7, 1e8],
        [1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4],
    ),
    "xavier_normal": (
        [0.1, 1e-3, 1e-5, 1e-7, 1e-9, 1e-10, 2e-11],
        [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    ),
    "standard_normal": (
        [10.0, 1e4, 1e9, 1e15, 1e30, 1e200, np.inf],
        [np.inf, 1e11, 1e9, 1e7, 1e5, 1e3, 10.0],
    ),
}


@pytest.fixture(scope=shared_scope)
def hand_forward_backward_figure():
    calls = []

    def fake(init, activation, depth, width, **options):
        calls.append((init, activation, depth, width, options))
        a, g = _FB_TABLE[init]
        return ini.LayerStats(init, activation, depth, width, 64, np.array(a), np.array(g))

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ini, "forward_backward_stats", fake)
        shown = _build_figure(lambda: ini.plot_forward_backward(tuple(_FB_TABLE), 7, 16, seed=5))
    return (*shown, calls)


def test_forward_backward_figure_of_hand_made_runs(hand_forward_backward_figure):
    fig, alt, caption, _, calls = hand_forward_backward_figure
    assert calls == [(i, "relu", 7, 16, {"seed": 5}) for i in _FB_TABLE]
    left, right = fig.axes
    # No he_normal run: no prediction line. Other names read with spaces in the legend.
    assert len(left.get_lines()) == len(right.get_lines()) == 4
    names = ["n·Var = 1", "orthogonal", "xavier normal", "N(0, 1)"]
    assert [t.get_text() for t in left.get_legend().get_texts()] == names
    for k, (a, g) in enumerate(_FB_TABLE.values()):
        np.testing.assert_array_equal(left.get_lines()[k].get_xdata(), np.arange(1, 8))
        np.testing.assert_array_equal(left.get_lines()[k].get_ydata(), a)
        np.testing.assert_array_equal(right.get_lines()[k].get_ydata(), g)
        assert left.get_lines()[k].get_label() == right.get_lines()[k].get_label() == names[k]
    # Odd depth: ticks at the first, the middle (7 // 2) and the last layer.
    assert list(left.get_xticks()) == list(right.get_xticks()) == [1, 3, 7]
    # Left: the two kept runs, 1e3 to exactly 1e8 (kept: 8 decades is within the bound), with
    # a factor 3 to spare; 5 decades, at most 5 steps: every decade.
    np.testing.assert_allclose(left.get_ylim(), (1e3 / 3, 3e8), rtol=1e-12)
    assert _decades(left.get_yticks()) == [3, 4, 5, 6, 7, 8]
    # Right: every run's gradients, the zero and the inf left out: 1e-10 to 1e11, 21 decades,
    # at most 5 steps: every fifth decade, anchored at 10^0.
    assert _decades(right.get_yticks()) == [-10, -5, 0, 5, 10]
    (note,) = left.texts
    assert note.get_text() == "xavier normal: 2.0e-11 at 7; N(0, 1): inf at 7 ↑"
    assert alt == (
        "Two log-scale panels for a 7-layer ReLU network of width 16: the standard deviation "
        "of each layer's output (left) and the norm of the gradient reaching each layer "
        "(right), one line per initialization. "
        "n·Var = 1: output std 2e+07, gradient at layer 1 2 against 0.03 at layer 7; "
        "orthogonal: output std 1e+08, gradient at layer 1 1e-10 against 0.0001 at layer 7; "
        "xavier normal: output std 2e-11, gradient at layer 1 0 against 6 at layer 7; "
        "N(0, 1): output std inf, gradient at layer 1 inf against 10 at layer 7. "
        "The left axis covers the other schemes, so that the change at the last layer shows; "
        "xavier normal and N(0, 1) leave it at the top."
    )
    # The caption names these schemes (the book's caption is for its three only).
    assert caption == (
        "Four initializations of the same 7-layer ReLU network (n·Var = 1, orthogonal, "
        "xavier normal, N(0, 1)): the std of each layer's output (left) and the norm of the "
        "gradient reaching each layer (right)."
    )


def test_forward_backward_figure_of_schemes_that_all_keep_a_scale():
    # Five schemes (the most), 4 layers of 8: every run within 8 decades of 1, so the left axis
    # covers them all and no note is needed.
    inits = ("he_normal", "lecun_normal", "xavier_normal", "orthogonal", "standard_normal")
    fig, alt, caption, _ = _build_figure(lambda: ini.plot_forward_backward(inits, 4, 8, seed=0))
    runs = _fb_runs(4, 8, 0, inits)
    assert caption == (
        "Five initializations of the same 4-layer ReLU network (He (n·Var = 2), n·Var = 1, "
        "xavier normal, orthogonal, N(0, 1)): the std of each layer's output (left) and the "
        "norm of the gradient reaching each layer (right). Grey: He's std times 2^(−ℓ/2), "
        "He et al.'s prediction for n·Var = 1."
    )
    left, right = fig.axes
    assert len(left.get_lines()) == 6 and len(right.get_lines()) == 5
    assert not left.texts and "leaves it" not in alt
    stds = np.concatenate([r.activation_std for r in runs])
    low, high = left.get_ylim()
    assert low < stds.min() and stds.max() < high
    _check_decade_ticks(left, stds, 5)
    assert " A thick grey line shows He's std times 2^(−ℓ/2), reaching " in alt
    assert [t.get_text() for t in left.get_legend().get_texts()][-1] == "2^(−ℓ/2)·He"


def test_forward_backward_figure_refusals():
    with pytest.raises(ValueError, match=r"^inits must name at most 5 schemes, got 6$"):
        ini.plot_forward_backward(("he_normal",) * 6, 3, 4, seed=0)
    message = r"^inits must be a non-empty sequence of initializer names$"
    for bad in ([], (), "he_normal", {"he_normal"}, iter(["he_normal"])):
        with pytest.raises(TypeError, match=message):
            ini.plot_forward_backward(bad, 3, 4, seed=0)


def test_forward_backward_figure_of_one_scheme_says_one_and_the_book_caption_needs_its_three():
    _, alt, caption, _ = _build_figure(lambda: ini.plot_forward_backward(("orthogonal",), 3, 4))
    assert caption == (
        "One initialization of the same 3-layer ReLU network (orthogonal): the std of each "
        "layer's output (left) and the norm of the gradient reaching each layer (right)."
    )
    assert "A thick grey line" not in alt and "orthogonal: output std " in alt
    # The book's three in another order keep the book's caption.
    order = ("standard_normal", "he_normal", "lecun_normal")
    _, _, caption, _ = _build_figure(lambda: ini.plot_forward_backward(order, 3, 4))
    assert caption.startswith("Three initializations of the same 3-layer ReLU network. He's ")
