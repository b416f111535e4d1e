import inspect
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlab import initializers
from gradlab.network import MLP

FAST = settings(max_examples=15, deadline=None)
RANDOM = [n for n in initializers.names() if n not in ("zeros", "constant")]
OPTIONS = {
    "standard_normal": [{}, {"std": 0.3}],
    "xavier_normal": [{}, {"gain": 5 / 3}],
    "xavier_uniform": [{}, {"gain": 2.0}],
    "he_normal": [{}, {"mode": "fan_out"}, {"negative_slope": 0.2}],
    "he_uniform": [{}, {"mode": "fan_out", "negative_slope": 0.5}],
    "orthogonal": [{}, {"gain": 0.5}],
}
CASES = [(name, opts) for name in RANDOM for opts in OPTIONS.get(name, [{}])]


def _formula(name, n_in, n_out, opts):
    """The variances written out from the papers, independently of the module."""
    gain = opts.get("gain", 1.0)
    a = opts.get("negative_slope", 0.0)
    fan = n_out if opts.get("mode") == "fan_out" else n_in
    return {
        "standard_normal": opts.get("std", 1.0) ** 2,
        "uniform_fan_in": (2 / np.sqrt(n_in)) ** 2 / 12,  # U(-r, r): (2r)^2 / 12
        "lecun_normal": 1 / n_in,
        "lecun_uniform": 1 / n_in,
        "xavier_normal": gain**2 * 2 / (n_in + n_out),
        "xavier_uniform": (2 * gain * np.sqrt(6 / (n_in + n_out))) ** 2 / 12,
        "he_normal": 2 / ((1 + a**2) * fan),
        "he_uniform": 2 / ((1 + a**2) * fan),
        "orthogonal": gain**2 / max(n_in, n_out),
    }[name]


@pytest.mark.parametrize(("name", "opts"), CASES)
def test_variance_helper_matches_the_papers(name, opts):
    for n_in, n_out in [(100, 100), (300, 50), (20, 700)]:
        assert initializers.variance(name, n_in, n_out, **opts) == pytest.approx(
            _formula(name, n_in, n_out, opts), rel=1e-12
        )


@FAST
@given(
    case=st.sampled_from(CASES),
    n_in=st.integers(150, 400),
    n_out=st.integers(150, 400),
    seed=st.integers(0, 2**32 - 1),
)
def test_sample_variance_matches_formula(case, n_in, n_out, seed):
    name, opts = case
    W = initializers.get(name)((n_in, n_out), np.random.default_rng(seed), **opts)
    assert W.shape == (n_in, n_out) and W.dtype == np.float64
    expected = initializers.variance(name, n_in, n_out, **opts)
    # >= 22500 entries: the relative std of the mean square is <= sqrt(2/22500) < 1 %.
    assert np.mean(W**2) == pytest.approx(expected, rel=0.06)
    assert abs(np.mean(W)) < 6 * np.sqrt(expected / W.size)


@pytest.mark.parametrize(
    "name", ["uniform_fan_in", "lecun_uniform", "xavier_uniform", "he_uniform"]
)
def test_uniform_bounds(name):
    W = initializers.get(name)((400, 100), seed=0)
    limit = np.sqrt(3 * initializers.variance(name, 400, 100))
    assert np.abs(W).max() <= limit
    assert np.abs(W).max() > 0.99 * limit


def test_pytorch_default_is_one_sixth_of_he():
    n = 512
    ratio = initializers.variance("uniform_fan_in", n, n) / initializers.variance("he_normal", n, n)
    assert ratio == pytest.approx(1 / 6, rel=1e-12)
    W = initializers.uniform_fan_in((n, n), seed=1)
    assert np.abs(W).max() <= 1 / np.sqrt(n)  # U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    assert np.var(W) / (2 / n) == pytest.approx(1 / 6, rel=0.03)
    assert n * np.var(W) == pytest.approx(1 / 3, rel=0.03)  # Glorot & Bengio's n Var = 1/3


@FAST
@given(n_in=st.integers(1, 60), n_out=st.integers(1, 60), gain=st.floats(0.1, 3.0))
def test_orthogonal_has_orthonormal_columns_or_rows(n_in, n_out, gain):
    W = initializers.orthogonal((n_in, n_out), seed=n_in * 100 + n_out, gain=gain)
    gram = W.T @ W if n_in >= n_out else W @ W.T
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(n_in, n_out)), atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), gain, rtol=1e-12)


def test_orthogonal_deep_linear_map_keeps_every_singular_value():
    product = np.eye(64)
    rng = np.random.default_rng(0)
    for _ in range(50):
        product = product @ initializers.orthogonal((64, 64), rng)
    np.testing.assert_allclose(np.linalg.svd(product, compute_uv=False), 1.0, rtol=1e-10)


def test_constant_initializers_have_no_variance():
    assert not initializers.zeros((3, 4)).any()
    W = initializers.constant((3, 4), value=0.5)
    assert np.all(W == 0.5)
    assert initializers.variance("constant", 3, 4, value=0.5) == 0.0


def test_same_seed_same_weights_and_rng_is_used():
    a = initializers.he_normal((30, 20), seed=7)
    b = initializers.he_normal((30, 20), np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, initializers.he_normal((30, 20), seed=8))


def test_he_with_n_var_one_shrinks_std_by_two_to_minus_half_L():
    # He et al. (2015): Var[y_L] = Var[y_1] prod (1/2) n Var[w]. With n Var[w] = 2 the
    # signal keeps its scale; with n Var[w] = 1 each ReLU layer halves Var[y].
    depths, width, n_nets = (22, 30), 256, 12
    assert [f"{2 ** (-d / 2):.1e}" for d in depths] == ["4.9e-04", "3.1e-05"]
    X = np.random.default_rng(1).standard_normal((64, width))
    ratios = {}  # mean over networks of E[z_{L+1}^2] / E[z_1^2], L ReLUs in between
    for init in ("lecun_normal", "he_normal"):  # n Var = 1 and n Var = 2
        per_net = []
        for seed in range(n_nets):
            net = MLP([width] * (max(depths) + 2), "relu", init, seed=seed)
            net.forward(X)
            z = net.pre_activations
            per_net.append([np.mean(z[d] ** 2) / np.mean(z[0] ** 2) for d in depths])
        ratios[init] = np.sqrt(np.mean(per_net, axis=0))  # std ratios
    shrink = 2.0 ** (-np.array(depths) / 2)
    # Expectations over networks; finite width spreads each network's ratio by ~10 %.
    np.testing.assert_allclose(ratios["he_normal"], 1.0, rtol=0.3)
    np.testing.assert_allclose(ratios["lecun_normal"], shrink, rtol=0.3)
    # Same seeds: W_lecun = W_he / sqrt(2) and ReLU is homogeneous, so exactly 2^(-L/2).
    np.testing.assert_allclose(ratios["lecun_normal"] / ratios["he_normal"], shrink, rtol=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"shape": (0, 3)}, ValueError, r"shape\[0\]"),
        ({"shape": (3, -1)}, ValueError, r"shape\[1\]"),
        ({"shape": (2.5, 3)}, TypeError, "shape"),
        ({"shape": "ab"}, TypeError, "shape"),
        ({"shape": (3, 3, 3)}, TypeError, "shape"),
        ({"shape": (3, 3), "rng": 5}, TypeError, "rng"),
        ({"shape": (3, 3)}, ValueError, "rng"),
        ({"shape": (3, 3), "seed": -1}, ValueError, "seed"),
        ({"shape": (3, 3), "seed": 0, "mode": "fan_avg"}, ValueError, "mode"),
        ({"shape": (3, 3), "seed": 0, "negative_slope": -1}, ValueError, "negative_slope"),
        ({"shape": (3, 3), "seed": 0, "negative_slope": np.nan}, ValueError, "negative_slope"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        initializers.he_normal(**kwargs)


def test_bad_names_and_options():
    with pytest.raises(ValueError, match="name") as info:
        initializers.get("glorot")
    assert "xavier_normal" in str(info.value)
    with pytest.raises(ValueError, match="gain"):
        initializers.orthogonal((3, 3), seed=0, gain=-1.0)
    with pytest.raises(TypeError, match="std"):
        initializers.standard_normal((3, 3), seed=0, std="1")
    with pytest.raises(ValueError, match="options"):
        initializers.variance("lecun_normal", 3, 3, gain=2.0)
    with pytest.raises(ValueError, match="fan_in"):
        initializers.variance("lecun_normal", 0, 3)


@pytest.mark.parametrize("name", ["zeros", "constant"])
def test_deterministic_initializers_check_an_unused_rng(name):
    init = initializers.get(name)
    np.testing.assert_array_equal(init((2, 3)), init((2, 3), np.random.default_rng(0)))
    assert init((2, 3), seed=1).shape == (2, 3)
    with pytest.raises(TypeError, match="rng"):
        init((2, 3), rng="x")
    with pytest.raises(ValueError, match="seed"):
        init((2, 3), seed=-1)
    with pytest.raises(TypeError, match="seed"):
        init((2, 3), seed="x")


# --- documented defaults and conditions, each pinned -----------------------------------------

DOCUMENTED_DEFAULTS = {
    "constant": {"value": 0.1},
    "standard_normal": {"std": 1.0},
    "xavier_normal": {"gain": 1.0},
    "xavier_uniform": {"gain": 1.0},
    "he_normal": {"mode": "fan_in", "negative_slope": 0.0},
    "he_uniform": {"mode": "fan_in", "negative_slope": 0.0},
    "orthogonal": {"gain": 1.0},
}


@pytest.mark.parametrize("name", initializers.names())
def test_defaults_are_the_documented_ones_everywhere(name):
    # The function's signature, the options table (used by MLP and variance) and the docs agree.
    want = DOCUMENTED_DEFAULTS.get(name, {})
    signature = inspect.signature(initializers.get(name))
    defaults = {
        p.name: p.default
        for p in signature.parameters.values()
        if p.kind is p.KEYWORD_ONLY and p.name != "seed"
    }
    assert defaults == want
    assert initializers.check_options(name, {}) == want
    # An MLP with the default options draws the very weights of the function's defaults.
    net = MLP([5, 4], "identity", name, seed=3)
    np.testing.assert_array_equal(net.weights[0], initializers.get(name)((5, 4), seed=3))


def test_default_values_by_value():
    assert np.all(initializers.constant((2, 3)) == 0.1)
    W = initializers.standard_normal((300, 300), seed=0)
    assert np.std(W) == pytest.approx(1.0, rel=0.02)
    he = initializers.he_normal((200, 50), seed=0)
    np.testing.assert_array_equal(
        he, np.random.default_rng(0).normal(0.0, np.sqrt(2.0 / 200), size=(200, 50))
    )
    np.testing.assert_allclose(
        np.linalg.svd(initializers.orthogonal((7, 5), seed=0), compute_uv=False), 1.0, rtol=1e-12
    )


def test_orthogonal_is_haar_distributed():
    # The sign fix matters: without it numpy's QR makes Q[0, 0] = -|a_11| / ||a_1|| < 0 always.
    # Haar: every entry is symmetric about 0 with variance 1/n.
    n, draws = 6, 400
    rng = np.random.default_rng(0)
    corner = np.array([initializers.orthogonal((n, n), rng)[0, 0] for _ in range(draws)])
    assert abs(corner.mean()) < 4 * np.sqrt(1 / n / draws)
    assert np.mean(corner > 0) == pytest.approx(0.5, abs=0.1)
    assert np.mean(corner**2) == pytest.approx(1 / n, rel=0.2)


@pytest.mark.parametrize("name", ["standard_normal", "lecun_normal", "xavier_normal", "he_normal"])
def test_normal_initializers_are_not_truncated(name):
    # gradlab draws plain normals, like PyTorch (Keras and JAX cut at 2 std): 4.55 % of the
    # entries lie beyond 2 std and some beyond 3.5 std.
    W = initializers.get(name)((300, 300), seed=1)
    std = np.sqrt(initializers.variance(name, 300, 300))
    assert np.mean(np.abs(W) > 2 * std) == pytest.approx(0.0455, abs=0.004)
    assert np.abs(W).max() > 3.5 * std


def test_non_default_options_are_the_papers_formulas_from_the_same_draws():
    import math

    shape = (3, 5)
    got = initializers.xavier_normal(shape, seed=2, gain=2.5)
    want = np.random.default_rng(2).normal(0.0, 2.5 * math.sqrt(2 / (3 + 5)), size=shape)
    np.testing.assert_allclose(got, want, rtol=1e-15)
    for mode, fan in (("fan_in", 3), ("fan_out", 5)):
        got = initializers.he_uniform(shape, seed=3, mode=mode, negative_slope=0.5)
        r = math.sqrt(6 / ((1 + 0.5**2) * fan))
        want = np.random.default_rng(3).uniform(-r, r, size=shape)
        np.testing.assert_allclose(got, want, rtol=1e-15)


def test_variance_of_the_deterministic_initializers_is_zero():
    assert initializers.variance("zeros", 3, 4) == 0.0
    assert initializers.variance("constant", 3, 4) == 0.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: initializers.zeros((2, 2), seed=-1), "seed must be >= 0, got -1"),
        (lambda: initializers.constant((2, 2), value="a"), "value must be a real number, got str"),
        (lambda: initializers.get("nope"), "name must be one of ["),
        (lambda: initializers.orthogonal((2, 2), seed=0, gain=-1.0), "gain must be >= 0.0"),
        (lambda: initializers.variance("standard_normal", 2, 3, std=-1.0), "std must be >= 0.0"),
        (lambda: initializers.variance("xavier_normal", 2, 3, gain=-1.0), "gain must be >= 0.0"),
        (
            lambda: initializers.variance("he_normal", 2, 3, negative_slope=-1.0),
            "negative_slope must be >= 0.0",
        ),
        (
            lambda: initializers.variance("he_normal", 2, 3, mode="fan"),
            "mode must be one of ['fan_in', 'fan_out']",
        ),
    ],
)
def test_initializer_refusals_name_their_argument(call, message):
    with pytest.raises((TypeError, ValueError)) as caught:
        call()
    assert str(caught.value).startswith(message), str(caught.value)


@pytest.mark.parametrize(
    ("name", "option", "variance_at_the_bound"),
    [
        ("standard_normal", "std", 1e300),
        ("xavier_normal", "gain", 1e300 * 2 / 5),
        ("orthogonal", "gain", 1e300 / 3),
        ("he_normal", "negative_slope", 2 / ((1 + 1e300) * 2)),
    ],
)
def test_a_scale_whose_square_is_not_a_float_is_refused_by_name(
    name, option, variance_at_the_bound
):
    # The largest float is about 1.8e308, so a scale above about 1.3e154 has no float square
    # (1e155**2 raised a bare OverflowError); the bound is the round 1e150 below it.
    assert initializers.MAX_SCALE == 1e150
    got = initializers.variance(name, 2, 3, **{option: 1e150})
    assert got == pytest.approx(variance_at_the_bound, rel=1e-12)
    for too_big in (2e150, 1e155, 1e200):
        with pytest.raises(
            ValueError, match="^" + re.escape(f"{option} must be <= 1e+150, got {too_big:g}")
        ):
            initializers.variance(name, 2, 3, **{option: too_big})
    with pytest.raises(ValueError, match=r"^gain must be <= 1e\+150, got 1e\+200$"):
        initializers.orthogonal((2, 2), seed=0, gain=1e200)
    assert np.isfinite(initializers.orthogonal((2, 2), seed=0, gain=1e150)).all()


def test_seed_zero_is_a_seed_for_the_deterministic_initializers():
    np.testing.assert_array_equal(initializers.zeros((2, 3), seed=0), np.zeros((2, 3)))
    assert initializers.variance("standard_normal", 2, 3, std=0.0) == 0.0
    assert initializers.variance("xavier_normal", 2, 3, gain=0.0) == 0.0


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: initializers.he_normal(5, seed=0), TypeError, r"^shape must be a pair .*got 5$"),
        (
            lambda: initializers.he_normal("ab", seed=0),
            TypeError,
            r"^shape must be a pair \(fan_in, fan_out\), got 'ab'$",
        ),
        (lambda: initializers.lecun_normal((0, 3), seed=0), ValueError, r"^shape\[0\] \(fan_in\) "),
        (lambda: initializers.variance("lecun_normal", 3, 0), ValueError, r"^shape\[1\] \(fan_out"),
        (lambda: initializers.variance("glorot", 2, 3), ValueError, r"^name must be one of \["),
        (lambda: initializers.check_options(3, {}), TypeError, r"^name must be a string"),
        (
            lambda: initializers.variance("orthogonal", 2, 3, gain=-1.0),
            ValueError,
            r"^gain must be >= 0\.0, got -1\.0$",
        ),
        (lambda: initializers.variance("orthogonal", 2, 3, gain="1"), TypeError, r"^gain must be"),
        (
            lambda: initializers.variance("lecun_normal", 3, 3, gain=2.0),
            ValueError,
            r"^options: initializer 'lecun_normal' takes no options, got \['gain'\]$",
        ),
        (
            lambda: initializers.variance("he_normal", 3, 3, gain=2.0, std=1.0),
            ValueError,
            r"^options: initializer 'he_normal' takes \['mode', 'negative_slope'\], "
            r"got \['gain', 'std'\]$",
        ),
    ],
)
def test_shape_name_and_option_refusals_start_with_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_orthogonal_variance_is_gain_squared_over_the_larger_fan():
    # gain**2 / max(fan_in, fan_out), at the boundary gain = 0 and with a gain that is not 1.
    assert initializers.variance("orthogonal", 2, 3, gain=0.0) == 0.0
    assert initializers.variance("orthogonal", 5, 2, gain=3.0) == 9.0 / 5.0
    assert initializers.variance("orthogonal", 2, 4) == 1.0 / 4.0
