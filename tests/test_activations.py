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
