"""Chapter 1 maths: scalar chains and products of Gaussian matrices."""

import math

import numpy as np
import pytest
from _mutation import shared_scope
from scipy import integrate, special, stats

from gradlab import chains, plotting


def test_scalar_chain_is_powers_of_w():
    a = chains.scalar_chain(0.9, 20, a0=2.0)
    assert a.shape == (21,)
    np.testing.assert_allclose(a, 2.0 * 0.9 ** np.arange(21), rtol=1e-15)


def test_scalar_chain_matches_brief_style_examples():
    # Computed, not copied: 0.6^15 and 1.6^15 by plain Python arithmetic.
    assert chains.scalar_chain(0.6, 15)[-1] == pytest.approx(0.6**15, rel=1e-14)
    assert chains.scalar_chain(1.6, 15)[-1] == pytest.approx(1.6**15, rel=1e-14)
    assert 1.6**15 > 1000  # an exploding chain, not a mild one


def test_scalar_chain_overflow_is_silent_inf():
    with np.errstate(all="raise"):
        a = chains.scalar_chain(10.0, 400)
    assert np.isinf(a[-1]) and np.isfinite(a[300])


@pytest.mark.parametrize("w", [0.3, 0.5, 0.9, 0.99, -0.9, 1.1, 2.0, -1.5])
@pytest.mark.parametrize("target_exp", [2, 6, 12])
def test_depth_to_reach_matches_brute_force(w, target_exp):
    target = 10.0 ** (-target_exp if abs(w) < 1 else target_exp)
    depth = chains.depth_to_reach(w, target)
    crossed = (lambda v: v < target) if abs(w) < 1 else (lambda v: v > target)
    assert crossed(abs(w) ** depth)
    assert not crossed(abs(w) ** (depth - 1))


def test_depth_to_reach_exact_power_boundary():
    # 0.5^10 == 2^-10 exactly: "below" means strictly below, so the answer is 11.
    assert chains.depth_to_reach(0.5, 2.0**-10) == 11


@pytest.mark.parametrize(
    "w, target, expected",
    [
        # ln 1000 / ln 10 rounds to 2.9999999999999996, but 10**3 == 1000 is not above 1000.
        (10.0, 1000.0, 4),
        (-10.0, 1000.0, 4),
        # 10**5 == 1e5 exactly: not yet above; just below 1e5 it is, at L = 5.
        (10.0, 1e5, 6),
        (10.0, math.nextafter(1e5, 0.0), 5),
        # One layer already crosses a target just below |w| (ln of the two is the same float).
        (1e5, math.nextafter(1e5, 0.0), 1),
        (3.0, 1.5, 1),
        (1.5, 2.0, 2),  # 1.5 < 2 < 2.25
        # 0.5**10 == 2**-10 is not below 2**-10; just above 2**-10 it is.
        (0.5, 2.0**-10, 11),
        (0.5, math.nextafter(2.0**-10, 1.0), 10),
        (0.5, 5e-324, 1075),  # 2**-1075 rounds to 0, below the smallest subnormal 2**-1074
        (1e200, 1e300, 2),  # 1e400 is past float64's range, so past any target
    ],
)
def test_depth_to_reach_at_exact_powers_and_float_edges(w, target, expected):
    assert chains.depth_to_reach(w, target) == expected


def test_depth_to_reach_answers_a_hundred_million_layers_at_once():
    # |w| = 1 - 2**-20 and a target just above |w|**1e8: the answer is 1e8, since
    # |w|**(1e8 - 1) is larger by a factor 1 + 2**-20, far more than one float step. The
    # formula is one too high here (the ratio rounds to exactly 1e8); it is corrected by one
    # step back, not by walking up from depth 1.
    aw = 1 - 2.0**-20
    target = math.nextafter(aw**100_000_000, 1.0)
    assert aw ** (100_000_000 - 1) > target * (1 + 2.0**-21)
    assert chains.depth_to_reach(aw, target) == 100_000_000
    assert chains.depth_to_reach(-aw, target) == 100_000_000


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(w=1.0, target=0.1), r"^w must satisfy \|w\| != 0 and \|w\| != 1, got 1\.0$"),
        (dict(w=-1.0, target=0.1), r"^w must satisfy \|w\| != 0 and \|w\| != 1, got -1\.0$"),
        (dict(w=0.0, target=0.1), r"^w must satisfy"),
        (dict(w="0.9", target=0.1), r"^w must be a real number"),
        (dict(w=0.9, target=0.0), r"^target must be > 0\.0, got 0\.0$"),
        (dict(w=0.9, target=-1.0), r"^target must be > 0\.0"),
        (dict(w=0.9, target="0.1"), r"^target must be a real number"),
        (dict(w=0.9, target=1.0), r"^target must be on the side of 1 the chain heads to"),
        (dict(w=1.1, target=1.0), r"^target must be on the side of 1 the chain heads to"),
        (dict(w=0.9, target=10.0), r"^target must be on the side of 1"),
        (dict(w=1.1, target=0.5), r"^target must be on the side of 1"),
        (dict(w=1.1, target=0.999), r"^target must be on the side of 1"),
        (dict(w=2.0, target=2.0), None),  # accepted: 2 is above 1, where 2**L heads
    ],
)
def test_depth_to_reach_rejects_bad_input(kwargs, message):
    if message is None:
        assert chains.depth_to_reach(**kwargs) == 2  # 2**1 == 2 is not above 2; 2**2 is
        return
    with pytest.raises((ValueError, TypeError), match=message):
        chains.depth_to_reach(**kwargs)


def test_lyapunov_exponent_formula_against_numerical_expectation():
    # E[ln chi^2_n] by numerical integration, independent of the digamma identity.
    for n in [1, 2, 4, 16, 256]:
        e_log = stats.chi2(n).expect(np.log)
        for sigma in [0.1, 1.0, 3.0]:
            expected = math.log(sigma) + 0.5 * e_log
            assert chains.lyapunov_exponent(n, sigma) == pytest.approx(expected, abs=1e-7)


def test_lyapunov_exponent_brief_values():
    assert chains.lyapunov_exponent(4, 1.0) == pytest.approx(0.558, abs=5e-4)
    assert chains.lyapunov_exponent(4, 0.5) == pytest.approx(-0.135, abs=5e-4)
    assert chains.lyapunov_exponent(256, 1 / 16) == pytest.approx(-0.002, abs=5e-5)
    # 100 products of 4x4 standard normal matrices: around 1e24.
    assert 1e24 < math.exp(100 * chains.lyapunov_exponent(4, 1.0)) < 1e25


@pytest.mark.parametrize("n, sigma", [(4, 1.0), (4, 0.5), (16, 0.25), (64, 0.15)])
def test_simulated_growth_rate_matches_formula(n, sigma):
    depth, draws = 100, 200
    logs = chains.log_norms(n, depth, sigma, draws, seed=11, method="matrices")
    rates = logs[:, -1] / depth
    stderr = chains.log_norm_std(n, depth) / depth / math.sqrt(draws)
    assert abs(rates.mean() - chains.lyapunov_exponent(n, sigma)) < 4 * stderr


def test_measured_growth_rate_is_mean_and_standard_error():
    rate, stderr = chains.measured_growth_rate(4, 1.0, 50, 300, seed=2)
    logs = chains.log_norms(4, 50, 1.0, 300, seed=2)[:, -1] / 50
    assert rate == pytest.approx(logs.mean()) and stderr == pytest.approx(
        logs.std(ddof=1) / 300**0.5
    )
    assert abs(rate - chains.lyapunov_exponent(4, 1.0)) < 4 * stderr
    with pytest.raises(ValueError, match="n_draws"):
        chains.measured_growth_rate(4, 1.0, 50, 1, seed=0)


def test_log_norm_std_matches_simulation():
    logs = chains.log_norms(4, 50, 1.0, 4000, seed=3, method="matrices")[:, -1]
    # The sample sd of 4000 draws is within ~5% of the truth.
    assert logs.std(ddof=1) == pytest.approx(chains.log_norm_std(4, 50), rel=0.06)


def test_chi2_shortcut_has_same_distribution_as_matrices():
    a = chains.log_norms(8, 30, 0.4, 3000, seed=1, method="matrices")[:, -1]
    b = chains.log_norms(8, 30, 0.4, 3000, seed=2, method="chi2")[:, -1]
    assert stats.ks_2samp(a, b).pvalue > 0.01


def test_log_norms_shape_start_and_reproducibility():
    a = chains.log_norms(5, 7, 1.0, 3, seed=0)
    b = chains.log_norms(5, 7, 1.0, 3, rng=np.random.default_rng(0))
    assert a.shape == (3, 8)
    assert np.all(a[:, 0] == 0.0)
    np.testing.assert_array_equal(a, b)


def test_log_norms_no_overflow_at_great_depth():
    logs = chains.log_norms(4, 5000, 10.0, 2, seed=0)
    assert np.all(np.isfinite(logs)) and logs[0, -1] > 1000


def test_critical_scale_zeroes_the_exponent_and_tends_to_one_over_sqrt_n():
    ratios = []
    for n in [1, 2, 4, 16, 64, 256, 1024]:
        s = chains.critical_scale(n)
        assert chains.lyapunov_exponent(n, s) == pytest.approx(0.0, abs=1e-12)
        ratios.append(s * math.sqrt(n))
    assert all(r > 1 for r in ratios)
    assert ratios == sorted(ratios, reverse=True)
    assert ratios[-1] == pytest.approx(1.0, abs=1e-3)


def test_mean_square_scale_has_negative_rate_at_every_width():
    for n in [1, 2, 4, 16, 256, 4096]:
        assert chains.lyapunov_exponent(n, 1 / math.sqrt(n)) < 0


def test_mean_square_is_preserved_on_average():
    # E||x_L||^2 = 1 at sigma^2 = 1/n: a shallow depth where sampling can see it.
    logs = chains.log_norms(16, 3, 0.25, 100_000, seed=5, method="chi2")[:, -1]
    assert np.mean(np.exp(2 * logs)) == pytest.approx(1.0, abs=0.02)


def test_random_matrix_product_depth_zero_is_identity_and_explodes():
    np.testing.assert_array_equal(chains.random_matrix_product(3, 0, seed=0), np.eye(3))
    big = chains.random_matrix_product(4, 100, seed=0)
    assert np.abs(big).max() > 1e15


def test_random_matrix_product_overflow_raises():
    with pytest.raises(ValueError, match="depth"):
        chains.random_matrix_product(4, 2000, scale=10.0, seed=0)


def test_uniform_mean_log_against_quadrature():
    for low, high in [(0.5, 1.5), (0.1, 2.0), (1.0, 3.0)]:
        quad, _ = integrate.quad(np.log, low, high)
        assert chains.uniform_mean_log(low, high) == pytest.approx(quad / (high - low), 1e-10)
    assert chains.uniform_mean_log(0.5, 1.5) < 0 < math.log(1.0) + 1e-12


def test_log_product_1d_and_2d():
    f = np.array([2.0, 0.5, -4.0])
    np.testing.assert_allclose(chains.log_product(f), [0, math.log(2), 0, math.log(4)])
    two = chains.log_product(np.vstack([f, f]))
    assert two.shape == (2, 4)
    with pytest.raises(ValueError, match="factors"):
        chains.log_product([1.0, 0.0])
    with pytest.raises(ValueError, match="factors"):
        chains.log_product([1.0, np.nan])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: chains.scalar_chain(0.9, -1), "depth"),
        (lambda: chains.scalar_chain(0.9, 2.5), "depth"),
        (lambda: chains.scalar_chain("a", 3), "w"),
        (lambda: chains.scalar_chain(float("nan"), 3), "w"),
        (lambda: chains.lyapunov_exponent(0, 1.0), "width"),
        (lambda: chains.lyapunov_exponent(4, 0.0), "scale"),
        (lambda: chains.lyapunov_exponent(4, float("inf")), "scale"),
        (lambda: chains.log_norms(4, 10, 1.0), "rng"),
        (lambda: chains.log_norms(4, 10, 1.0, seed=0, method="qr"), "method"),
        (lambda: chains.log_norms(4, 10, 1.0, n_draws=0, seed=0), "n_draws"),
        (lambda: chains.log_norms(4, 10, 1.0, rng=42), "rng"),
        (lambda: chains.critical_scale(True), "width"),
        (lambda: chains.uniform_mean_log(1.0, 0.5), "high"),
        (lambda: chains.uniform_mean_log(0.0, 0.5), "low"),
        (lambda: chains.plot_scalar_chains([], 10), "weights"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_figures_have_png_and_computed_alt_text():
    views = [
        chains.plot_scalar_chains([0.5, 1.0, 1.5], 30),
        chains.plot_random_scalar_chains(0.5, 1.5, 50, 5, seed=0),
        chains.plot_log_norm_histogram(4, 10, 0.5, 1000, seed=0),
    ]
    for view in views:
        assert view.png.startswith(b"\x89PNG")
        assert len(view.alt) > 60
    assert f"{1.5**30:.1e}" in views[0].alt
    assert f"{chains.uniform_mean_log(0.5, 1.5):.4f}" in views[1].alt


# -- the whole Lyapunov spectrum (Newman 1986) ----------------------------------------


def test_lyapunov_spectrum_top_exponent_and_order():
    for n, s in [(1, 0.7), (4, 0.5), (32, 1 / 32**0.5)]:
        spec = chains.lyapunov_spectrum(n, s)
        assert spec.shape == (n,)
        assert spec[0] == pytest.approx(chains.lyapunov_exponent(n, s), abs=1e-14)
        assert np.all(np.diff(spec) < 0)


def _qr_sweep_exponents(n, depth, sigma, rng):
    """Independent estimate: the QR (Benettin) method, mean of ln|diag R| per layer."""
    q = np.eye(n)
    total = np.zeros(n)
    for _ in range(depth):
        q, r = np.linalg.qr((sigma * rng.standard_normal((n, n))) @ q)
        total += np.log(np.abs(np.diag(r)))
    return total / depth


def test_lyapunov_spectrum_matches_the_qr_method():
    from scipy import special

    n, sigma, depth = 4, 0.6, 20_000
    measured = _qr_sweep_exponents(n, depth, sigma, np.random.default_rng(11))
    predicted = chains.lyapunov_spectrum(n, sigma)
    # Each exponent's estimate has standard error sqrt(psi'(k/2) / (4 depth)).
    se = np.sqrt(special.polygamma(1, np.arange(n, 0, -1) / 2) / (4 * depth))
    assert np.all(np.abs(measured - predicted) < 4 * se)
    assert np.all(np.abs(measured - predicted) < 0.03)


def test_product_log_singular_values_gaussian_determinant_is_exact_on_average():
    # sum_i ln s_i = ln|det P| = sum over layers of ln|det W|, whose mean is exactly
    # depth * sum_i lambda_i (Bartlett decomposition): an exact check of the whole set.
    n, depth, draws = 6, 5, 400
    rng = np.random.default_rng(12)
    sums = [chains.product_log_singular_values(n, depth, 1.0, rng=rng).sum() for _ in range(draws)]
    expected = depth * chains.lyapunov_spectrum(n, 1 / np.sqrt(n)).sum()
    se = np.std(sums) / np.sqrt(draws)
    assert abs(np.mean(sums) - expected) < 4 * se


def test_product_log_singular_values_orthogonal_are_exactly_the_gain():
    logs = chains.product_log_singular_values(16, 30, 1.0, kind="orthogonal", seed=3)
    np.testing.assert_allclose(logs, 0.0, atol=1e-12)
    logs = chains.product_log_singular_values(8, 5, 1.1, kind="orthogonal", seed=3)
    np.testing.assert_allclose(logs, 5 * np.log(1.1), atol=1e-12)
    assert np.all(np.diff(chains.product_log_singular_values(8, 3, seed=1)) <= 0)


def test_product_log_singular_values_validates():
    with pytest.raises(ValueError, match="kind"):
        chains.product_log_singular_values(4, 2, kind="unitary")
    with pytest.raises(ValueError, match="gain"):
        chains.product_log_singular_values(4, 2, gain=0.0)
    with pytest.raises(ValueError, match="depth"):
        chains.product_log_singular_values(32, 40, seed=0)  # beyond float64's resolution
    with pytest.raises(ValueError, match="scale"):
        chains.lyapunov_spectrum(4, -1.0)


def test_plot_product_spectrum_says_what_it_draws():
    view = chains.plot_product_spectrum(8, (1, 4), seed=0)
    assert "decades at L = 4" in view.alt and "exactly 1" in view.alt
    assert view.caption
    with pytest.raises(ValueError, match="depths"):
        chains.plot_product_spectrum(8, ())


# --- documented defaults, each pinned --------------------------------------------------------


def test_scalar_chain_docstring_example_and_default_input():
    np.testing.assert_array_equal(chains.scalar_chain(0.5, 3), [1.0, 0.5, 0.25, 0.125])
    np.testing.assert_array_equal(chains.scalar_chain(0.5, 3), chains.scalar_chain(0.5, 3, 1.0))


def test_log_norms_defaults_are_one_draw_of_real_matrices():
    default = chains.log_norms(5, 7, 0.8, seed=0)
    assert default.shape == (1, 8)
    np.testing.assert_array_equal(
        default, chains.log_norms(5, 7, 0.8, 1, seed=0, method="matrices")
    )
    # By hand: x_0 = e_1, one standard-normal matrix per layer from the same generator.
    rng = np.random.default_rng(0)
    x, logs = np.eye(5)[0], [0.0]
    for _ in range(7):
        x = 0.8 * rng.standard_normal((1, 5, 5))[0] @ x
        logs.append(logs[-1] + np.log(np.linalg.norm(x)))
        x /= np.linalg.norm(x)
    np.testing.assert_allclose(default[0], logs, rtol=1e-12, atol=1e-12)


def test_random_matrix_product_default_scale_is_one():
    default = chains.random_matrix_product(3, 4, seed=0)
    np.testing.assert_array_equal(default, chains.random_matrix_product(3, 4, 1.0, seed=0))
    rng = np.random.default_rng(0)
    product = np.eye(3)
    for _ in range(4):
        product = rng.standard_normal((3, 3)) @ product
    np.testing.assert_allclose(default, product, rtol=1e-12)


def test_product_spectrum_is_the_figures_data():
    data = chains.product_spectrum(8, (1, 4), seed=5)
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(data[1], chains.product_log_singular_values(8, 1, rng=rng))
    np.testing.assert_array_equal(data[4], chains.product_log_singular_values(8, 4, rng=rng))
    np.testing.assert_allclose(data["orthogonal"], 0.0, atol=1e-12)
    view = chains.plot_product_spectrum(8, (1, 4), seed=5)
    spread = (data[4][0] - data[4][-1]) / np.log(10)
    assert f"{spread:.1f} decades at L = 4" in view.alt


# --- refusals and boundaries, argument by argument ------------------------------------------


def _growth(**kwargs):
    args = dict(width=4, scale=1.0, depth=5, n_draws=10, seed=0) | kwargs
    return chains.measured_growth_rate(**args)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(depth=0), r"^depth must be >= 1, got 0$"),
        (dict(depth=2.0), r"^depth must be an integer"),
        (dict(n_draws=1), r"^n_draws must be >= 2, got 1$"),
        (dict(n_draws="3"), r"^n_draws must be an integer"),
        (dict(width=0), r"^width must be >= 1"),
        (dict(scale=0.0), r"^scale must be > 0"),
        (dict(method="qr"), r"^method must be one of"),
    ],
)
def test_measured_growth_rate_refusals_name_the_argument(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        _growth(**kwargs)


def test_measured_growth_rate_smallest_depth_and_draws_by_hand():
    # depth = 1 and n_draws = 2, the smallest allowed: with the chi-square shortcut each
    # draw's rate is ln(sigma sqrt(chi2_n)), so the mean of two is (a + b) / 2 and the
    # standard error sd / sqrt(2) = |a - b| / 2.
    chi2 = np.random.default_rng(3).chisquare(4, size=(2, 1))[:, 0]
    a, b = np.log(0.5 * np.sqrt(chi2))
    for source in (dict(seed=3), dict(rng=np.random.default_rng(3))):
        rate, stderr = chains.measured_growth_rate(4, 0.5, 1, 2, method="chi2", **source)
        assert rate == pytest.approx((a + b) / 2, rel=1e-12)
        assert stderr == pytest.approx(abs(a - b) / 2, rel=1e-12)


def test_measured_growth_rate_uses_the_method_asked_for():
    for method in ("chi2", "matrices"):
        logs = chains.log_norms(3, 4, 0.7, 5, seed=8, method=method)[:, -1] / 4
        rate, stderr = chains.measured_growth_rate(3, 0.7, 4, 5, seed=8, method=method)
        assert rate == pytest.approx(logs.mean(), rel=1e-12)
        assert stderr == pytest.approx(logs.std(ddof=1) / math.sqrt(5), rel=1e-12)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(width=0), r"^width must be >= 1, got 0$"),
        (dict(width=2.0), r"^width must be an integer"),
        (dict(depth=-1), r"^depth must be >= 0, got -1$"),
        (dict(depth="3"), r"^depth must be an integer"),
        (dict(scale=0.0), r"^scale must be > 0\.0, got 0\.0$"),
        (dict(scale=-1.0), r"^scale must be > 0\.0, got -1\.0$"),
        (dict(scale="1"), r"^scale must be a real number"),
        (dict(depth=2000, scale=10.0), r"^depth=2000 is too deep: .* use a smaller depth$"),
    ],
)
def test_random_matrix_product_refusals_name_the_argument(kwargs, message):
    args = dict(width=3, depth=2, scale=1.0, seed=0) | kwargs
    with pytest.raises((ValueError, TypeError), match=message):
        chains.random_matrix_product(**args)


def test_random_matrix_product_width_one_is_a_product_of_scalars():
    z = np.random.default_rng(4).standard_normal(3)  # one 1 x 1 matrix per layer, in order
    product = chains.random_matrix_product(1, 3, 2.0, seed=4)
    assert product.shape == (1, 1)
    assert product[0, 0] == pytest.approx(8.0 * z[0] * z[1] * z[2], rel=1e-14)


def test_random_matrix_product_underflows_quietly_to_zero():
    # 400 layers at scale 1e-3 shrink the product far below the smallest float: it becomes
    # exactly 0 (finite, so no refusal), without a FloatingPointError even when the caller
    # asks NumPy to raise on every floating-point event.
    with np.errstate(all="raise"):
        product = chains.random_matrix_product(3, 400, 1e-3, seed=0)
    np.testing.assert_array_equal(product, np.zeros((3, 3)))


@pytest.mark.parametrize("kind", ["gaussian", "orthogonal"])
@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(width=0), r"^width must be >= 1, got 0$"),
        (dict(width=True), r"^width must be an integer"),
        (dict(depth=-1), r"^depth must be >= 0, got -1$"),
        (dict(depth=1.5), r"^depth must be an integer"),
        (dict(gain=0.0), r"^gain must be > 0\.0, got 0\.0$"),
        (dict(gain="1"), r"^gain must be a real number"),
    ],
)
def test_product_log_singular_values_refusals_name_the_argument(kind, kwargs, message):
    args = dict(width=3, depth=2, gain=1.0, kind=kind, seed=0) | kwargs
    with pytest.raises((ValueError, TypeError), match=message):
        chains.product_log_singular_values(**args)


def test_product_log_singular_values_refuses_an_unknown_kind_and_too_great_a_depth():
    with pytest.raises(ValueError, match=r"^kind must be one of \['gaussian', 'orthogonal'\]"):
        chains.product_log_singular_values(3, 2, kind="unitary", seed=0)
    # Width 2: the two singular values part at lambda_1 - lambda_2 = (psi(1) - psi(1/2)) / 2
    # = ln 2 nats per layer, so 200 layers put e^-139 between them, far past 1e-13.
    assert (special.digamma(1.0) - special.digamma(0.5)) / 2 == pytest.approx(math.log(2))
    with pytest.raises(
        ValueError,
        match=r"^depth=200 is too deep: the singular values span more than float64 can "
        r"resolve; use a smaller depth$",
    ):
        chains.product_log_singular_values(2, 200, seed=0)


def test_product_log_singular_values_smallest_width_and_depth():
    # Depth 0 is the identity: every singular value is 1, at every width, for both kinds.
    for kind in ("gaussian", "orthogonal"):
        np.testing.assert_array_equal(
            chains.product_log_singular_values(3, 0, 2.0, kind=kind, seed=0), np.zeros(3)
        )
    # Width 1: a product of 1 x 1 matrices, g z_1 ... g z_L (sigma = g / sqrt(1)), or +-g each.
    z = np.random.default_rng(6).standard_normal(3)
    logs = chains.product_log_singular_values(1, 3, 0.5, seed=6)
    assert logs.shape == (1,)
    assert logs[0] == pytest.approx(np.log(np.abs(0.5**3 * z.prod())), rel=1e-13)
    ortho = chains.product_log_singular_values(1, 3, 0.5, kind="orthogonal", seed=6)
    assert ortho[0] == pytest.approx(3 * math.log(0.5), rel=1e-14)


def test_product_log_singular_values_a_small_gain_is_no_lost_resolution():
    # Ten orthogonal layers of gain 0.1: all four singular values of the product are 1e-10,
    # equal, so nothing is lost to float64's resolution however small they all are.
    logs = chains.product_log_singular_values(4, 10, 0.1, kind="orthogonal", seed=0)
    np.testing.assert_allclose(logs, 10 * math.log(0.1), rtol=1e-13)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(width=1), r"^width must be >= 2, got 1$"),
        (dict(width="8"), r"^width must be an integer"),
        (dict(depths=()), r"^depths must hold at least one depth$"),
        (dict(depths=5), r"^depths must hold at least one depth$"),
        (dict(depths=(1, 0)), r"^depths must be >= 1, got 0$"),
        (dict(depths=(1, 2.5)), r"^depths must be an integer"),
    ],
)
def test_product_spectrum_refusals_name_the_argument(kwargs, message):
    args = dict(width=4, depths=(1, 2), seed=0) | kwargs
    with pytest.raises((ValueError, TypeError), match=message):
        chains.product_spectrum(**args)


def test_product_spectrum_smallest_width_one_depth_and_a_generator():
    # Width 2 is allowed; one depth is both the only Gaussian product and the orthogonal one's.
    data = chains.product_spectrum(2, (3,), rng=np.random.default_rng(7))
    assert list(data) == [3, "orthogonal"]
    rng = np.random.default_rng(7)
    np.testing.assert_array_equal(data[3], chains.product_log_singular_values(2, 3, rng=rng))
    expected = chains.product_log_singular_values(2, 3, kind="orthogonal", rng=rng)
    np.testing.assert_array_equal(data["orthogonal"], expected)
    # The orthogonal product is of the last (deepest) depth, drawn after all the Gaussian ones.
    data = chains.product_spectrum(3, (1, 2, 4), seed=1)
    rng = np.random.default_rng(1)
    for depth in (1, 2, 4):
        np.testing.assert_array_equal(
            data[depth], chains.product_log_singular_values(3, depth, rng=rng)
        )
    expected = chains.product_log_singular_values(3, 4, kind="orthogonal", rng=rng)
    np.testing.assert_array_equal(data["orthogonal"], expected)


# --- the singular-value spectrum figure, read from its artists --------------------------------


def _shown(make, render=True):
    """Call a plot_* function; return the figure it showed, its view, and show's arguments."""
    shown = []
    real = chains.plotting.show

    def show(fig, alt, caption="", label=""):
        shown.append(dict(fig=fig, alt=alt, caption=caption, label=label))
        return real(fig, alt, caption, label) if render else None

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(chains.plotting, "show", show)
        view = make()
    assert len(shown) == 1
    return shown[0]["fig"], view, shown[0]


def _hex(colour):
    from matplotlib import colors

    return colors.to_hex(colour)


@pytest.fixture(scope=shared_scope)
def spectrum_figure():
    """plot_product_spectrum for three depths at width 8, from a generator, rendered once."""
    fig, view, _ = _shown(
        lambda: chains.plot_product_spectrum(8, (1, 2, 4), rng=np.random.default_rng(5))
    )
    return fig, view, chains.product_spectrum(8, (1, 2, 4), seed=5)


def _lyapunov_by_hand(n, sigma):
    # lambda_i = ln sigma + (ln 2 + psi((n - i + 1) / 2)) / 2, i = 1..n (Newman, 1986).
    return np.array(
        [
            math.log(sigma) + 0.5 * (math.log(2) + special.digamma((n - i + 1) / 2))
            for i in range(1, n + 1)
        ]
    )


def test_spectrum_figure_draws_each_products_log10_singular_values(spectrum_figure):
    fig, view, data = spectrum_figure
    assert tuple(fig.get_size_inches()) == (plotting.FIGURE_WIDTH, 4.2)
    assert view.width == plotting.FIGURE_WIDTH * plotting.DISPLAY_DPI
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert len(lines) == 5  # three depths, the prediction, the orthogonal product
    shades = [plotting.COLORS[c] for c in ("sky", "blue", "black")]  # lighter to darker
    for line, depth, shade in zip(lines[:3], (1, 2, 4), shades, strict=True):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 9))
        np.testing.assert_allclose(line.get_ydata(), np.log10(np.exp(data[depth])), rtol=1e-12)
        assert (line.get_marker(), line.get_linestyle()) == ("o", "-")
        assert _hex(line.get_color()) == shade.lower()
        assert line.get_label() == f"Gaussian, L = {depth}"
    prediction, ortho = lines[3], lines[4]
    np.testing.assert_array_equal(prediction.get_xdata(), np.arange(1, 9))
    expected = 4 * _lyapunov_by_hand(8, 1 / math.sqrt(8)) / math.log(10)
    np.testing.assert_allclose(prediction.get_ydata(), expected, rtol=1e-12)
    assert prediction.get_linestyle() == "--" and prediction.get_marker() in ("None", "", None)
    assert _hex(prediction.get_color()) == plotting.COLORS["red"].lower()
    assert prediction.get_label() == "prediction Lλᵢ / ln 10, L = 4"
    # Orthogonal: log10 s = ln s / ln 10, all 0 up to rounding (some not exactly 0).
    np.testing.assert_array_equal(ortho.get_xdata(), np.arange(1, 9))
    assert np.any(data["orthogonal"] != 0.0)
    np.testing.assert_allclose(ortho.get_ydata(), data["orthogonal"] / math.log(10), rtol=1e-9)
    np.testing.assert_allclose(ortho.get_ydata(), 0.0, atol=1e-14)
    assert (ortho.get_marker(), ortho.get_linestyle()) == ("s", "-")
    assert _hex(ortho.get_color()) == plotting.COLORS["orange"].lower()
    assert ortho.get_label() == "orthogonal, every L"


def test_spectrum_figure_axes_and_legend(spectrum_figure):
    from matplotlib.legend import Legend

    fig, _, _ = spectrum_figure
    (ax,) = fig.axes
    assert ax.get_xlabel() == "index i of the singular value (of 8)"
    assert ax.get_ylabel() == "log₁₀ sᵢ of the product"
    assert ax.get_xlim() == (0.5, 8.5)  # half an index of margin each side
    legend = ax.get_legend()
    assert legend._loc == Legend.codes["lower left"]
    assert [t.get_text() for t in legend.get_texts()] == [
        "Gaussian, L = 1",
        "Gaussian, L = 2",
        "Gaussian, L = 4",
        "prediction Lλᵢ / ln 10, L = 4",
        "orthogonal, every L",
    ]


def test_spectrum_figure_alt_text_and_caption_say_what_is_drawn(spectrum_figure):
    fig, view, data = spectrum_figure
    spreads = [(data[d][0] - data[d][-1]) / math.log(10) for d in (1, 2, 4)]  # in decades
    assert view.alt == (
        "Sorted log10 singular values of products of 8 x 8 random matrices at the mean-square "
        "scale. For Gaussian matrices they spread out with depth: "
        f"{spreads[0]:.1f} decades at L = 1, {spreads[1]:.1f} decades at L = 2, "
        f"{spreads[2]:.1f} decades at L = 4; at L = 4 the smallest lie close to the dashed "
        "asymptotic prediction L*lambda_i/ln 10, the largest still above it. For orthogonal "
        "matrices every singular value is exactly 1 (log10 = 0) at every depth."
    )
    assert spreads == sorted(spreads)  # "they spread out with depth"
    gaussian, prediction = fig.axes[0].get_lines()[2], fig.axes[0].get_lines()[3]
    assert gaussian.get_ydata()[0] > prediction.get_ydata()[0]  # "the largest still above it"
    assert view.caption == (
        "Every singular value of a deep product. Gaussian layers at the mean-square scale "
        "stretch a few directions and crush the rest, more so with each layer; orthogonal "
        "layers keep every singular value at exactly one."
    )
    assert view.label == "fig-product-spectrum"


def test_spectrum_figure_with_more_than_three_depths_draws_them_all_blue():
    # Three shades tell up to three depths apart; more are all drawn blue, labelled by depth.
    fig, _, shown = _shown(lambda: chains.plot_product_spectrum(4, (1, 2, 3, 5), seed=2), False)
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines[:4]] == [f"Gaussian, L = {d}" for d in (1, 2, 3, 5)]
    assert {_hex(line.get_color()) for line in lines[:4]} == {plotting.COLORS["blue"].lower()}
    assert lines[4].get_label() == "prediction Lλᵢ / ln 10, L = 5"
    assert shown["label"] == "fig-product-spectrum"
