import math
import warnings
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlab import activations

FAST = settings(max_examples=50, deadline=None)
# Points away from the kink at 0, so finite differences see one side only.
Z = np.concatenate([-np.geomspace(6.0, 0.05, 12), np.geomspace(0.05, 6.0, 12)])


@pytest.mark.parametrize("name", activations.names())
def test_derivative_matches_central_differences(name):
    act = activations.get(name)
    h = 1e-6
    numeric = (act.forward(Z + h) - act.forward(Z - h)) / (2 * h)
    analytic = act.derivative(Z)
    assert np.max(np.abs(numeric - analytic) / np.maximum(np.abs(analytic), 1e-3)) < 1e-6


@pytest.mark.parametrize("name", ["leaky_relu", "elu"])
def test_parametrized_derivatives_match_central_differences(name):
    params = {"leaky_relu": {"negative_slope": 0.2}, "elu": {"alpha": 1.7}}[name]
    act = activations.get(name, **params)
    h = 1e-6
    numeric = (act.forward(Z + h) - act.forward(Z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(Z), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize(
    "name", [n for n in activations.names() if activations.get(n).derivative_from_output]
)
def test_derivative_from_output_agrees_with_derivative(name):
    # Only exact shortcuts are allowed: bit-for-bit the derivative from z.
    act = activations.get(name)
    z = np.linspace(-8, 8, 101) + 0.013  # avoid exactly 0
    a = act.forward(z)
    np.testing.assert_array_equal(
        act.derivative_from_output(a, np.empty_like(a)), act.derivative(z)
    )


def test_saturating_activations_have_no_derivative_from_output():
    # 1 - a**2 and a (1 - a) round to 0 in the tails: backprop must use derivative(z).
    assert activations.get("tanh").derivative_from_output is None
    assert activations.get("sigmoid").derivative_from_output is None


def _reference_derivative(name, z):
    """sigma'(z) or tanh'(z) with 50 significant digits, rounded to the nearest float64."""
    with localcontext() as ctx:
        ctx.prec = 50
        if name == "sigmoid":
            t = (-abs(Decimal(z))).exp()
            return float(t / (1 + t) ** 2)
        t = (-2 * abs(Decimal(z))).exp()
        return float(4 * t / (1 + t) ** 2)


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_derivatives_keep_full_relative_precision_in_the_tails(name):
    derivative = activations.get(name).derivative
    for z in (0.5, 5.0, 15.0, 20.0, 40.0, 700.0):
        for signed in (z, -z):
            expected = _reference_derivative(name, signed)
            got = float(derivative(signed))
            if expected == 0.0:  # tanh'(700) = 4e-608 underflows: 0 is the nearest float
                assert got == 0.0
            else:
                assert abs(got - expected) <= 1e-15 * expected, (name, signed, got, expected)
    # The from-output formulas the network used to take are exactly 0 here.
    assert 1.0 - math.tanh(20.0) ** 2 == 0.0 and derivative(20.0) > 0.0


def test_tail_numbers():
    assert float(activations.tanh_derivative(20.0)) == pytest.approx(
        1.6993417021166355e-17, rel=1e-12, abs=0
    )
    assert float(activations.sigmoid_derivative(40.0)) == pytest.approx(
        4.248354255291589e-18, rel=1e-12, abs=0
    )


def test_sigmoid_derivative_numbers_from_the_brief():
    # sigma'(z) = sigma(z)(1 - sigma(z)), computed independently with math.exp.
    def reference(z):
        s = 1.0 / (1.0 + math.exp(-z))
        return s * (1.0 - s)

    assert activations.sigmoid_derivative(0.0) == 0.25
    grid = np.linspace(-10, 10, 20001)
    d = activations.sigmoid_derivative(grid)
    assert d.max() == 0.25 and grid[np.argmax(d)] == 0.0
    assert activations.sigmoid_derivative(5.0) == pytest.approx(reference(5.0), rel=1e-12)
    assert round(float(activations.sigmoid_derivative(5.0)), 4) == 0.0066
    assert f"{float(activations.sigmoid_derivative(5.0)):.3e}" == "6.648e-03"


def test_tanh_derivative_numbers_from_the_brief():
    d5 = float(activations.tanh_derivative(5.0))
    assert d5 == pytest.approx(1.0 - math.tanh(5.0) ** 2, rel=1e-9)
    assert f"{d5:.1e}" == "1.8e-04"
    assert activations.tanh_derivative(0.0) == 1.0


def test_product_of_sigmoid_factors_shrinks_at_least_like_four_to_the_minus_L():
    rng = np.random.default_rng(0)
    for depth in (1, 5, 20):
        factors = activations.sigmoid_derivative(rng.normal(0, 3, size=(1000, depth)))
        assert np.all(np.prod(factors, axis=1) <= 0.25**depth)


@pytest.mark.parametrize("name", activations.names())
def test_no_warnings_for_huge_inputs(name):
    act = activations.get(name)
    z = np.array([-1e4, -800.0, -1e-300, 0.0, 1e-300, 800.0, 1e4])
    with warnings.catch_warnings(), np.errstate(all="warn"):
        warnings.simplefilter("error")
        a = act.forward(z)
        d = act.derivative(z)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d)) and np.all(d >= 0.0)


def test_sigmoid_is_stable_for_huge_inputs():
    z = np.array([-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = activations.sigmoid(z)
        d = activations.sigmoid_derivative(z)
        t = activations.tanh_derivative(z)
        e = activations.elu(z)
        u = activations.silu(z)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert 0 < s[2] < 1e-17  # full relative precision in the tail, not rounded to 0
    assert s[2] == pytest.approx(math.exp(-40.0) / (1 + math.exp(-40.0)), rel=1e-14)
    assert np.all(np.isfinite(d)) and np.all(np.isfinite(t))
    assert e[0] == -1.0 and e[-1] == 1e4 and u[-1] == 1e4


@FAST
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_sigmoid_range_and_symmetry(z):
    s = float(activations.sigmoid(z))
    assert 0.0 <= s <= 1.0
    assert float(activations.sigmoid(-z)) == pytest.approx(1.0 - s, abs=1e-15)


@FAST
@given(st.floats(min_value=-50, max_value=50, allow_nan=False))
def test_tanh_is_a_rescaled_sigmoid(z):
    expected = 2 * float(activations.sigmoid(2 * z)) - 1
    assert float(activations.tanh(z)) == pytest.approx(expected, abs=1e-14)


def test_kink_convention_is_the_left_branch():
    # gradlab's documented choice: at z = 0 the derivative is that of the z <= 0 branch.
    # (The frameworks differ: JAX's leaky_relu gives 1 there, PyTorch and TF the slope.)
    assert activations.relu_derivative(0.0) == 0.0
    assert activations.leaky_relu_derivative(0.0) == 0.01
    assert activations.get("leaky_relu", negative_slope=0.3).derivative(0.0) == 0.3
    assert activations.get("elu", alpha=2.0).derivative(0.0) == 2.0
    # ... and the same on either side of 0 for the left branch, 1 on the right.
    for name, params, left in (("relu", {}, 0.0), ("leaky_relu", {"negative_slope": 0.3}, 0.3)):
        d = activations.get(name, **params).derivative(np.array([-1e-300, 0.0, -0.0, 1e-300]))
        np.testing.assert_array_equal(d, [left, left, left, 1.0])


def test_leaky_relu_default_slope_is_maas():
    assert activations.leaky_relu(-100.0) == -1.0
    assert activations.leaky_relu(3.0) == 3.0


def test_out_argument_is_filled_and_returned():
    z = np.linspace(-3, 3, 7) + 0.1
    for name in activations.names():
        act = activations.get(name)
        out = np.empty_like(z)
        assert act.forward(z, out=out) is out
        np.testing.assert_array_equal(out, act.forward(z))
        assert act.derivative(z, out=out) is out
        np.testing.assert_array_equal(out, act.derivative(z))


def test_integer_input_and_float32_preserved():
    assert activations.relu(np.array([-2, 3])).dtype == np.float64
    assert activations.tanh(np.float32([0.5])).dtype == np.float32
    z32 = np.float32([-3.0, -0.5, 0.25, 4.0])
    for name in activations.names():
        act = activations.get(name)
        assert act.forward(z32).dtype == np.float32, name
        assert act.derivative(z32).dtype == np.float32, name
        np.testing.assert_allclose(act.forward(z32), act.forward(z32.astype(np.float64)), rtol=1e-6)
    leaky = activations.leaky_relu(z32, negative_slope=0.2)
    assert leaky.dtype == np.float32
    np.testing.assert_array_equal(leaky, np.where(z32 > 0, z32, np.float32(0.2) * z32))
    d = activations.leaky_relu_derivative(z32, negative_slope=0.2)
    assert d.dtype == np.float32
    np.testing.assert_array_equal(d, np.float32([0.2, 0.2, 1.0, 1.0]))


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="name") as info:
        activations.get("softsign")
    assert "relu" in str(info.value) and "sigmoid" in str(info.value)
    with pytest.raises(TypeError, match="name"):
        activations.get(3)


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="negative_slope"):
        activations.get("leaky_relu", negative_slope=-0.1)
    with pytest.raises(ValueError, match="alpha"):
        activations.get("elu", alpha=0.0)
    with pytest.raises(ValueError, match="params"):
        activations.get("tanh", alpha=1.0)


def test_parameters_cannot_be_applied_to_an_activation_object():
    elu = activations.get("elu")
    assert activations.get(elu) is elu
    with pytest.raises(ValueError, match="params") as info:
        activations.get(elu, alpha=2.0)
    assert "'elu'" in str(info.value) and "must be a string" not in str(info.value)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: activations.leaky_relu([1.0, -1.0], negative_slope="a"),
            TypeError,
            "negative_slope",
        ),
        (lambda: activations.leaky_relu(1.0, negative_slope=1.5), ValueError, "negative_slope"),
        (
            lambda: activations.leaky_relu_derivative(1.0, negative_slope=-0.1),
            ValueError,
            "negative_slope",
        ),
        (lambda: activations.elu([1.0, -1.0], alpha=-1.0), ValueError, "alpha"),
        (lambda: activations.elu(1.0, alpha=0.0), ValueError, "alpha"),
        (lambda: activations.elu_derivative(1.0, alpha="x"), TypeError, "alpha"),
        (lambda: activations.relu(np.ones(3), out=np.empty(4)), ValueError, "out"),
        (lambda: activations.tanh(np.ones((2, 2)), out=np.empty(4)), ValueError, "out"),
        (lambda: activations.sigmoid_derivative(np.ones(3), out=np.empty(2)), ValueError, "out"),
        (lambda: activations.relu(np.ones(3), out=[0.0, 0.0, 0.0]), TypeError, "out"),
        (lambda: activations.relu(np.ones(3), out=np.zeros(3, dtype=int)), TypeError, "out"),
        (lambda: activations.tanh("abc"), TypeError, "z"),
    ],
)
def test_bad_function_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_non_numeric_input_names_z():
    with pytest.raises(TypeError, match="z"):
        activations.sigmoid(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="z"):
        activations.relu(np.array([True, False]))


# --- documented defaults and conditions, each pinned -----------------------------------------


def test_leaky_relu_default_slope_everywhere_is_001():
    # Maas et al.'s 0.01: the functions, their derivatives and the registry all default to it.
    z = np.array([-3.0, -1.0, 2.0])
    want = np.array([-0.03, -0.01, 2.0])
    np.testing.assert_array_equal(activations.leaky_relu(z), want)
    np.testing.assert_array_equal(activations.get("leaky_relu").forward(z), want)
    np.testing.assert_array_equal(activations.leaky_relu_derivative(z), [0.01, 0.01, 1.0])
    np.testing.assert_array_equal(activations.get("leaky_relu").derivative(z), [0.01, 0.01, 1.0])
    act = activations.get("leaky_relu")
    np.testing.assert_array_equal(
        act.derivative_from_output(act.forward(z), np.empty(3)), act.derivative(z)
    )


def test_elu_default_alpha_everywhere_is_one():
    z = np.array([-2.0, -0.5, 1.5])
    forward = np.where(z > 0, z, np.expm1(z))  # alpha = 1
    derivative = np.where(z > 0, 1.0, np.exp(z))
    for act in (
        activations.get("elu"),
        activations.Activation("elu", activations.elu, activations.elu_derivative),
    ):
        np.testing.assert_allclose(act.forward(z), forward, rtol=1e-15)
        np.testing.assert_allclose(act.derivative(z), derivative, rtol=1e-15)
    assert activations.elu_derivative(0.0) == 1.0  # alpha at the kink, and alpha = 1


def test_bounds_are_those_of_the_saturating_activations_only():
    assert activations.get("sigmoid").bounds == (0.0, 1.0)
    assert activations.get("tanh").bounds == (-1.0, 1.0)
    for name in ("identity", "relu", "leaky_relu", "elu", "silu"):
        assert activations.get(name).bounds is None, name


def test_saturation_tolerance_is_one_percent_of_the_range():
    # The documented numbers: sigmoid saturated outside [0.01, 0.99], i.e. |z| > ln 99 = 4.6,
    # where sigma' < 0.0099; tanh with |a| > 0.98, i.e. |z| > atanh(0.98) = 2.3, tanh' < 0.040.
    assert activations.SATURATION_TOL == 0.01
    z_sigmoid = math.log(99.0)
    assert round(z_sigmoid, 1) == 4.6
    assert float(activations.sigmoid(z_sigmoid)) == pytest.approx(0.99, rel=1e-15)
    assert float(activations.sigmoid_derivative(z_sigmoid)) == pytest.approx(0.0099, rel=1e-12)
    z_tanh = math.atanh(1 - 2 * activations.SATURATION_TOL)
    assert round(z_tanh, 1) == 2.3
    assert float(activations.tanh_derivative(z_tanh)) < 0.040


def test_leaky_slope_must_be_at_most_0999():
    # Documented range [0, 1), "at most 0.999": the boundary values themselves.
    for slope in (0.0, 0.999):
        act = activations.get("leaky_relu", negative_slope=slope)
        assert act.derivative(-1.0) == slope
        assert activations.leaky_relu(-1.0, negative_slope=slope) == -slope
    for fn in (activations.leaky_relu, activations.leaky_relu_derivative):
        with pytest.raises(ValueError, match="negative_slope"):
            fn(-1.0, negative_slope=1.0)
    with pytest.raises(ValueError, match="negative_slope"):
        activations.get("leaky_relu", negative_slope=np.nextafter(0.999, 1.0))


def test_elu_alpha_must_be_strictly_positive():
    assert activations.get("elu", alpha=1e-12).derivative(-1.0) == pytest.approx(
        1e-12 * math.exp(-1)
    )
    for fn in (activations.elu, activations.elu_derivative):
        with pytest.raises(ValueError, match="alpha"):
            fn(-1.0, alpha=0.0)


# --- GELU and PReLU (Chapter 3) -------------------------------------------------------------


def _gelu_reference(z):
    """z Phi(z) with Phi from math.erfc: an independent evaluation of the exact GELU."""
    return z * 0.5 * math.erfc(-z / math.sqrt(2.0))


def test_gelu_is_z_times_the_normal_cdf():
    for z in (-30.0, -8.0, -3.0, -0.752, -1e-3, 0.0, 0.5, 1.0, 2.0, 6.0, 40.0):
        expected = _gelu_reference(z)
        got = float(activations.gelu(z))
        # (math.erfc and scipy's ndtr each carry ~1e-13 relative error at z = -30.)
        assert got == pytest.approx(expected, rel=2e-13, abs=1e-300), z
    # Its shape: a dip to -0.170 at z = -0.752, gelu'(0) = 1/2, a maximum slope 1.129 at sqrt 2.
    z = np.linspace(-3, 3, 60001)
    g, d = activations.gelu(z), activations.gelu_derivative(z)
    assert z[np.argmin(g)] == pytest.approx(-0.7518, abs=2e-4)
    assert g.min() == pytest.approx(-0.16997, abs=1e-5)
    assert float(activations.gelu_derivative(0.0)) == 0.5
    assert z[np.argmax(d)] == pytest.approx(math.sqrt(2.0), abs=2e-4)
    assert d.max() == pytest.approx(1.12890, abs=1e-5)
    assert np.all(d[z < -0.76] < 0) and np.all(d[z > -0.74] > 0)


def test_gelu_tanh_is_hendrycks_and_gimpels_formula():
    z = np.linspace(-3, 8, 1101)
    literal = 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))
    np.testing.assert_allclose(activations.gelu_tanh(z), literal, rtol=1e-12, atol=1e-15)
    assert activations.GELU_TANH_COEFFICIENT == 0.044715
    # A close approximation of the exact GELU: within 4.8e-4 everywhere (documented).
    z = np.linspace(-12, 12, 240001)
    gap = np.abs(activations.gelu(z) - activations.gelu_tanh(z))
    assert 4.5e-4 < gap.max() < 4.8e-4
    # In the negative tail z sigma(2u) keeps precision where 1 + tanh(u) cancels to 0.
    assert float(activations.gelu_tanh(-10.0)) < 0.0
    assert 0.5 * -10.0 * (1 + math.tanh(math.sqrt(2 / math.pi) * (-10 - 44.715))) == 0.0


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh"])
def test_gelu_derivatives_match_central_differences_including_the_dip(name):
    act = activations.get(name)
    z = np.concatenate([np.linspace(-6, 6, 241), [-0.7518, 1.4142, -20.0, 20.0]])
    h = 1e-6
    numeric = (act.forward(z + h) - act.forward(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh"])
def test_gelu_is_registered_and_backprop_uses_z(name):
    assert name in activations.names()
    act = activations.get(name)
    assert act.name == name and act.bounds is None
    assert act.derivative_from_output is None  # gelu is not invertible: phi' needs z
    assert act.forward is getattr(activations, name)
    assert act.derivative is getattr(activations, f"{name}_derivative")


def test_prelu_is_a_leaky_relu_with_any_slope():
    z = np.array([-3.0, -0.5, 0.0, 0.25, 4.0])
    np.testing.assert_array_equal(activations.prelu(z), [-0.75, -0.125, 0.0, 0.25, 4.0])
    for a in (0.01, 0.2):  # equals the leaky ReLU where both are defined
        np.testing.assert_array_equal(activations.prelu(z, a), activations.leaky_relu(z, a))
        np.testing.assert_array_equal(
            activations.prelu_derivative(z, a), activations.leaky_relu_derivative(z, a)
        )
    # A learned slope may leave [0, 1): negative, or above 1.
    np.testing.assert_array_equal(activations.prelu(z, -0.5), [1.5, 0.25, -0.0, 0.25, 4.0])
    np.testing.assert_array_equal(activations.prelu(z, 2.0), [-6.0, -1.0, 0.0, 0.25, 4.0])
    np.testing.assert_array_equal(activations.prelu_derivative(z, 2.0), [2, 2, 2, 1, 1])


def test_prelu_default_slope_is_he_and_pytorchs_initial_value():
    import inspect

    for f in (activations.prelu, activations.prelu_derivative):
        assert inspect.signature(f).parameters["a"].default == 0.25
    assert float(activations.prelu(-4.0)) == -1.0
    assert float(activations.prelu_derivative(0.0)) == 0.25  # kink: the z <= 0 branch
    assert float(activations.prelu_derivative(1e-300)) == 1.0


def test_prelu_derivative_matches_central_differences():
    h = 1e-6
    for a in (0.25, -0.3, 1.7):
        numeric = (activations.prelu(Z + h, a) - activations.prelu(Z - h, a)) / (2 * h)
        np.testing.assert_allclose(activations.prelu_derivative(Z, a), numeric, rtol=1e-7)


def test_prelu_slope_gradient_matches_finite_differences():
    rng = np.random.default_rng(5)
    z = rng.normal(size=(16, 8))
    z[0, :3] = 0.0  # exact zeros contribute nothing, on either side
    delta = rng.normal(size=(16, 8))

    def cost(a):  # J(a) = sum delta * prelu(z, a), so dJ/dprelu = delta
        return float(np.sum(delta * activations.prelu(z, a)))

    for a in (0.25, 0.0, -0.4, 1.5):
        h = 1e-6
        numeric = (cost(a + h) - cost(a - h)) / (2 * h)
        got = activations.prelu_slope_gradient(z, delta)
        assert got == pytest.approx(numeric, rel=1e-8)
    assert activations.prelu_slope_gradient(z, delta) == pytest.approx(
        float(np.sum(np.minimum(z, 0.0) * delta)), rel=1e-14
    )
    assert activations.prelu_slope_gradient(np.abs(z) + 1.0, delta) == 0.0


def test_prelu_float32_out_and_no_warnings():
    z32 = np.float32([-1e4, -2.0, 0.0, 3.0, 1e4])
    for f in (activations.prelu, activations.prelu_derivative):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert f(z32, 0.25).dtype == np.float32
        out = np.empty(5)
        assert f(z32.astype(np.float64), 0.25, out=out) is out
        np.testing.assert_array_equal(out, f(z32.astype(np.float64), 0.25))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: activations.prelu([1.0], a="x"), TypeError, "a"),
        (lambda: activations.prelu([1.0], a=float("nan")), ValueError, "a"),
        (lambda: activations.prelu_derivative([1.0], a=None), TypeError, "a"),
        (lambda: activations.prelu(np.ones(3), out=np.empty(2)), ValueError, "out"),
        (lambda: activations.prelu_slope_gradient(np.ones(3), np.ones(2)), ValueError, "delta"),
        (lambda: activations.prelu_slope_gradient(np.ones(3), "abc"), TypeError, "delta"),
        (lambda: activations.prelu_slope_gradient("abc", np.ones(3)), TypeError, "z"),
        (lambda: activations.gelu(np.ones(3), out=np.empty(4)), ValueError, "out"),
        (lambda: activations.gelu_tanh_derivative("abc"), TypeError, "z"),
    ],
)
def test_bad_gelu_and_prelu_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_framework_defaults_are_stated_in_the_docstrings():
    # Checked against the frameworks' documentation and source (see the Chapter 3 report).
    assert "nn.GELU(approximate='none')" in activations.gelu.__doc__
    assert "keras.activations.gelu(x, approximate=False)" in activations.gelu.__doc__
    assert "jax.nn.gelu(x, approximate=True)" in activations.gelu.__doc__
    assert "nn.GELU(approximate='tanh')" in activations.gelu_tanh.__doc__
    prelu_doc = " ".join(activations.prelu.__doc__.split())
    assert "nn.PReLU(num_parameters=1, init=0.25)" in prelu_doc
    assert "keras.layers.PReLU" in prelu_doc


# --- messages, scalars, tails and framework conventions, each pinned ------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        # Each message starts with the argument's name (gradlab._validation's convention).
        (lambda: activations.elu(1.0, alpha=0.0), ValueError, r"^alpha must be > 0"),
        (lambda: activations.leaky_relu(1.0, negative_slope=1.0), ValueError, r"^negative_slope "),
        (lambda: activations.prelu(1.0, a="x"), TypeError, r"^a must be a real number"),
        (lambda: activations.prelu_derivative(1.0, a=math.inf), ValueError, r"^a must be finite"),
        (lambda: activations.get("softsign"), ValueError, r"^name must be one of \['identity'"),
        (
            lambda: activations.relu(np.ones(3), out=np.zeros(3, dtype=np.int64)),
            TypeError,
            r"^out must be a float numpy array, got an array of dtype int64$",
        ),
        (
            lambda: activations.elu(np.ones(3), out=[0.0, 0.0, 0.0]),
            TypeError,
            r"^out must be a float numpy array, got <class 'list'>$",
        ),
        (
            lambda: activations.tanh_derivative(np.ones(2), out=np.zeros(2, dtype=bool)),
            TypeError,
            r"^out must be a float numpy array, got an array of dtype bool$",
        ),
        (
            lambda: activations.prelu_slope_gradient([1.0], "a"),
            TypeError,
            r"^delta must hold real numbers, got a string$",
        ),
        # A string (or bytes) is refused as z before NumPy could read it as a 0-d array.
        (lambda: activations.sigmoid("1"), TypeError, r"^z must hold real numbers, got a string$"),
        (lambda: activations.relu(b"1"), TypeError, r"^z must hold real numbers, got a string$"),
        (
            lambda: activations.prelu_slope_gradient([1.0, -1.0], np.array(["a", "b"])),
            TypeError,
            r"^delta must hold real numbers, got an array of dtype <U1$",
        ),
        (
            lambda: activations.prelu_slope_gradient([1.0], np.array([None])),
            TypeError,
            r"^delta must hold real numbers, got an array of dtype object$",
        ),
        (
            lambda: activations.get("tanh", alpha=1.0),
            ValueError,
            r"^params: activation 'tanh' takes no parameters, got \['alpha'\]$",
        ),
        (
            lambda: activations.get("elu", negative_slope=0.1, beta=2),
            ValueError,
            r"^params: activation 'elu' takes \['alpha'\], got \['beta', 'negative_slope'\]$",
        ),
    ],
)
def test_refusals_start_with_the_arguments_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_prelu_slope_gradient_accepts_integer_and_float32_deltas():
    # dJ/da = sum over z_i <= 0 of delta_i z_i, worked by hand: 3 * -2 + 4 * -0.5 = -8.
    z = [-2.0, -0.5, 1.0]
    assert activations.prelu_slope_gradient(z, [3, 4, 5]) == -8.0
    assert activations.prelu_slope_gradient(z, np.int8([3, 4, 5])) == -8.0
    # The sum is accumulated in float64: float32 terms -2**24, -1, -1 (each exact) add up to
    # -(2**24 + 2) exactly, where a float32 sum would round -2**24 - 1 back to -2**24 twice.
    z32 = np.float32([-1.0, -1.0, -1.0])
    delta32 = np.float32([2.0**24, 1.0, 1.0])
    assert activations.prelu_slope_gradient(z32, delta32) == -(2.0**24 + 2.0)


def test_prelu_slope_gradient_counts_the_kink_as_in_pytorch():
    # PyTorch's PReLU weight gradient is sum(where(z > 0, 0, z * delta)): z = 0 is on the summed
    # side, so a nan upstream gradient reaching a unit at exactly 0 makes dJ/da nan (0 * nan).
    z = np.array([0.0, -1.0, 2.0])
    delta = np.array([math.nan, 3.0, 5.0])
    assert math.isnan(float(np.sum(np.where(z > 0, 0.0, z * delta))))
    assert math.isnan(activations.prelu_slope_gradient(z, delta))
    assert activations.prelu_slope_gradient(z[1:], delta[1:]) == -3.0  # without the kink


def test_prelu_at_the_kink_is_the_slope_branch_bit_for_bit():
    # prelu(z) = z if z > 0 else a z: at z = 0 it is a * 0.0, which is -0.0 for a < 0.
    z = np.array([-2.0, -0.0, 0.0, 3.0])
    for a in (-0.5, 0.25, 2.0):
        literal = np.array([v if v > 0 else a * v for v in z])
        got = activations.prelu(z, a)
        np.testing.assert_array_equal(got, literal)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(literal))


def test_every_registered_activation_carries_its_name():
    for name in activations.names():
        act = activations.get(name)
        assert act.name == name and repr(act) == f"Activation({name!r})"
    assert activations.get("leaky_relu", negative_slope=0.2).name == "leaky_relu"
    assert activations.get("elu", alpha=2.0).name == "elu"


def test_identity_returns_a_new_array():
    z = np.array([-1.5, 0.0, 2.0])
    a = activations.identity(z)
    assert a is not z and not np.shares_memory(a, z)
    a[0] = 7.0  # the caller's pre-activations are untouched
    np.testing.assert_array_equal(z, [-1.5, 0.0, 2.0])


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_derivatives_of_a_scalar_are_numpy_scalars_like_the_forward(name):
    act = activations.get(name)
    for z, kind in ((0.5, np.float64), (np.float32(0.5), np.float32)):
        # The forward is a NumPy ufunc: a scalar in, a NumPy scalar of the same float type out.
        assert type(act.derivative(z)) is type(act.forward(z)) is kind
    out = np.empty(())
    assert act.derivative(np.array(0.5), out=out) is out  # a 0-d out= comes back as itself
    assert act.derivative(np.array([0.5]), out=np.empty(1)).shape == (1,)


def test_elu_takes_exponentials_of_non_positive_numbers_only_even_for_the_largest_alpha():
    # Every alpha > 0 is allowed; with alpha at the largest float, alpha * exp(z) for any z > 0
    # would overflow. The z > 0 side must never evaluate it (warnings are errors here).
    big = float(np.finfo(np.float64).max)
    z = np.array([-1.0, 0.0, 0.7, 2.0])
    expected = [big * math.expm1(-1.0), 0.0, 0.7, 2.0]
    np.testing.assert_allclose(activations.elu(z, alpha=big), expected, rtol=1e-15)
    derivative = [big * math.exp(-1.0), big, 1.0, 1.0]  # alpha exp(z) for z <= 0, else 1
    np.testing.assert_allclose(activations.elu_derivative(z, alpha=big), derivative, rtol=1e-15)


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh"])
def test_gelu_derivatives_in_the_far_tails_without_warnings(name):
    # For |z| > 1.3e154, z**2 overflows to inf: gelu' tends to 1 on the right and to 0 on the
    # left (both terms of each formula vanish or saturate), with no overflow or 0 * inf warning.
    act = activations.get(name)
    z = np.array([-1e300, -1e200, -1e103, 1e103, 1e200, 1e300])
    with warnings.catch_warnings(), np.errstate(all="warn"):
        warnings.simplefilter("error")
        d = act.derivative(z)
        a = act.forward(z)
    np.testing.assert_array_equal(d, [0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(a, np.where(z > 0, z, 0.0))
