import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gradlab import clipping

FAST = settings(max_examples=40, deadline=None)
values = st.floats(-1e6, 1e6, allow_nan=False)
grad_lists = st.lists(
    arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=values),
    min_size=1,
    max_size=4,
)
thresholds = st.floats(1e-3, 1e3)


def _flat(grads):
    return np.concatenate([g.ravel() for g in grads])


@FAST
@given(grads=grad_lists, max_norm=thresholds)
def test_global_clipping_bounds_the_norm_and_keeps_the_direction(grads, max_norm):
    before = [g.copy() for g in grads]
    clipped, total = clipping.clip_by_global_norm(grads, max_norm)
    flat, new = _flat(before), _flat(clipped)
    assert total == pytest.approx(math.sqrt(sum(float(x) ** 2 for x in flat)), rel=1e-12)
    assert np.linalg.norm(new) <= max_norm * (1 + 1e-12) or np.array_equal(new, flat)
    if total <= max_norm:
        np.testing.assert_array_equal(new, flat)
    else:
        # one common factor max_norm / (total + 1e-6), as PyTorch's clip_grad_norm_
        np.testing.assert_allclose(new, flat * (max_norm / (total + 1e-6)), rtol=1e-12)
    for g, b in zip(grads, before, strict=True):  # inputs untouched
        np.testing.assert_array_equal(g, b)


@FAST
@given(grads=grad_lists, max_norm=thresholds)
def test_per_tensor_clipping_bounds_each_norm(grads, max_norm):
    clipped, norms = clipping.clip_by_norm(grads, max_norm)
    for g, c, n in zip(grads, clipped, norms, strict=True):
        assert n == pytest.approx(np.sqrt(np.sum(g**2)), rel=1e-12)
        assert np.linalg.norm(c) <= max_norm * (1 + 1e-12) or np.array_equal(c, g)
        scale = max_norm / (n + 1e-6) if n > max_norm else 1.0
        np.testing.assert_allclose(c, g * scale, rtol=1e-12)


@FAST
@given(grads=grad_lists, clip_value=thresholds)
def test_value_clipping_keeps_every_entry_in_bounds(grads, clip_value):
    clipped, _ = clipping.clip_by_value(grads, clip_value)
    for g, c in zip(grads, clipped, strict=True):
        assert np.all(np.abs(c) <= clip_value)
        inside = np.abs(g) <= clip_value
        np.testing.assert_array_equal(c[inside], g[inside])
        assert c is not g


def test_value_clipping_can_change_the_direction_norm_clipping_cannot():
    g = [np.array([10.0, 0.1])]
    by_value, _ = clipping.clip_by_value(g, 1.0)
    by_norm, _ = clipping.clip_by_global_norm(g, 1.0)

    def cosine(a, b):
        return a @ b / (np.linalg.norm(a) * np.linalg.norm(b))

    assert cosine(by_value[0], g[0]) < 0.996
    assert cosine(by_norm[0], g[0]) == pytest.approx(1.0, abs=1e-15)


def test_global_differs_from_per_tensor():
    grads = [np.array([3.0, 4.0]), np.array([0.0, 0.5])]  # norms 5 and 0.5
    per_tensor, norms = clipping.clip_by_norm(grads, 1.0)
    together, total = clipping.clip_by_global_norm(grads, 1.0)
    np.testing.assert_allclose(norms, [5.0, 0.5])
    assert total == pytest.approx(math.hypot(5.0, 0.5))
    np.testing.assert_array_equal(per_tensor[1], grads[1])  # small tensor untouched
    np.testing.assert_allclose(together[1], grads[1] / (total + 1e-6))  # shrunk with the rest


def test_norm_survives_huge_and_tiny_entries():
    # abs=0: pytest.approx's default absolute tolerance (1e-12) would accept 0 for 5e-200.
    assert clipping.frobenius_norm(np.array([3e200, 4e200])) == pytest.approx(5e200, rel=1e-15)
    tiny = clipping.frobenius_norm(np.array([3e-200, 4e-200]))
    assert tiny == pytest.approx(5e-200, rel=1e-15, abs=0)
    assert clipping.global_norm([np.array([3e-200]), np.array([4e-200])]) == pytest.approx(
        5e-200, rel=1e-15, abs=0
    )
    assert clipping.frobenius_norm(np.zeros(3)) == 0.0
    clipped, total = clipping.clip_by_global_norm([np.array([3e200]), np.array([4e200])], 1.0)
    assert total == pytest.approx(5e200) and np.all(np.isfinite(clipped[0]))


@pytest.mark.parametrize("mode", ["value", "norm", "global_norm"])
def test_float32_gradients_stay_float32(mode):
    grads32 = [np.float32([[3.0, -4.0], [0.5, 2.0]]), np.float32([1e-3, -7.0])]
    grads64 = [g.astype(np.float64) for g in grads32]
    fn = {
        "value": clipping.clip_by_value,
        "norm": clipping.clip_by_norm,
        "global_norm": clipping.clip_by_global_norm,
    }[mode]
    clipped32, before32 = fn(grads32, 1.0)
    clipped64, before64 = fn(grads64, 1.0)
    for c32, c64 in zip(clipped32, clipped64, strict=True):
        assert c32.dtype == np.float32
        np.testing.assert_allclose(c32, c64, rtol=1e-6)
    np.testing.assert_allclose(before32, before64, rtol=1e-6)
    assert clipping.global_norm(grads32) == pytest.approx(clipping.global_norm(grads64), rel=1e-6)


def test_non_finite_gradients_raise_unless_allowed():
    grads = [np.ones(2), np.array([1.0, np.inf])]
    for fn, arg in (
        (clipping.clip_by_value, 1.0),
        (clipping.clip_by_norm, 1.0),
        (clipping.clip_by_global_norm, 1.0),
    ):
        with pytest.raises(ValueError, match=r"grads\[1\]"):
            fn(grads, arg)
    clipped, total = clipping.clip_by_global_norm(grads, 1.0, allow_nonfinite=True)
    assert total == math.inf
    np.testing.assert_array_equal(clipped[0], [0.0, 0.0])  # scale 1/inf = 0
    assert np.isnan(clipped[1][1])
    clipped, _ = clipping.clip_by_value([np.array([np.nan, -np.inf])], 2.0, allow_nonfinite=True)
    assert np.isnan(clipped[0][0]) and clipped[0][1] == -2.0


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: clipping.clip_by_global_norm([np.ones(2)], 0.0), ValueError, "max_norm"),
        (lambda: clipping.clip_by_norm([np.ones(2)], -1.0), ValueError, "max_norm"),
        (lambda: clipping.clip_by_value([np.ones(2)], math.nan), ValueError, "clip_value"),
        (lambda: clipping.clip_by_value([np.ones(2)], "1"), TypeError, "clip_value"),
        (lambda: clipping.clip_by_global_norm(np.ones(2), 1.0), TypeError, "grads"),
        (lambda: clipping.clip_by_global_norm([["a"]], 1.0), TypeError, r"grads\[0\]"),
        (lambda: clipping.clip_by_norm("abc", 1.0), TypeError, "grads"),
        (lambda: clipping.frobenius_norm(None), TypeError, "x"),
        (lambda: clipping.frobenius_norm("abc"), TypeError, "x"),
        (lambda: clipping.frobenius_norm([[1.0], [2.0, 3.0]]), TypeError, "x"),
        (lambda: clipping.global_norm(None), TypeError, "grads"),
        (lambda: clipping.global_norm("abc"), TypeError, "grads"),
        (lambda: clipping.global_norm([np.ones(2), None]), TypeError, r"grads\[1\]"),
        (lambda: clipping.clip_by_norm([np.ones(2)], 1.0, eps=-1.0), ValueError, "eps"),
        (
            lambda: clipping.clip_by_norm([np.ones(2)], 1.0, allow_nonfinite=1),
            TypeError,
            "allow_nonfinite",
        ),
    ],
)
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- documented defaults and conditions, each pinned -----------------------------------------


def test_default_eps_is_pytorchs_1e_minus_6():
    assert clipping.EPS == 1e-6
    g = [np.array([3.0, 4.0]), np.array([12.0])]  # norms 5 and 12, global norm 13
    together, total = clipping.clip_by_global_norm(g, 1.0)
    assert total == 13.0
    for c, x in zip(together, g, strict=True):
        np.testing.assert_array_equal(c, x * (1.0 / (13.0 + 1e-6)))
    per_tensor, norms = clipping.clip_by_norm(g, 1.0)
    np.testing.assert_array_equal(norms, [5.0, 12.0])
    for c, x, n in zip(per_tensor, g, norms, strict=True):
        np.testing.assert_array_equal(c, x * (1.0 / (n + 1e-6)))


@pytest.mark.parametrize("fn", [clipping.clip_by_norm, clipping.clip_by_global_norm])
def test_eps_zero_is_the_keras_tensorflow_form(fn):
    g = [np.array([3.0, 4.0])]
    clipped, _ = fn(g, 2.5, eps=0)
    np.testing.assert_array_equal(clipped[0], [1.5, 2.0])  # g * 2.5 / 5, exactly
    assert fn(g, 2.5, eps=0.0)[0][0][0] == 1.5


@pytest.mark.parametrize("fn", [clipping.clip_by_norm, clipping.clip_by_global_norm])
def test_a_norm_exactly_at_max_norm_is_left_alone(fn):
    # Only a norm *above* the threshold is rescaled (PyTorch would shrink it by a hair).
    g = [np.array([3.0, 4.0]), np.array([0.0, 0.0])]
    clipped, _ = fn(g, 5.0)
    for c, x in zip(clipped, g, strict=True):
        np.testing.assert_array_equal(c, x)
    just_above, _ = fn(g, np.nextafter(5.0, 0.0))
    assert np.linalg.norm(just_above[0]) < 5.0


def test_clip_by_value_reports_the_frobenius_norms_and_keeps_the_boundary():
    g = [np.array([[3.0, -4.0]]), np.array([12.0, -5.0])]
    clipped, norms = clipping.clip_by_value(g, 4.0)
    np.testing.assert_array_equal(norms, [5.0, 13.0])
    np.testing.assert_array_equal(clipped[0], [[3.0, -4.0]])  # |g| = c exactly: unchanged
    np.testing.assert_array_equal(clipped[1], [4.0, -4.0])


@pytest.mark.parametrize(
    ("fn", "name"),
    [
        (clipping.clip_by_value, "clip_value"),
        (clipping.clip_by_norm, "max_norm"),
        (clipping.clip_by_global_norm, "max_norm"),
    ],
)
def test_thresholds_must_be_strictly_positive(fn, name):
    with pytest.raises(ValueError, match=name):
        fn([np.ones(2)], 0.0)
    clipped, _ = fn([np.array([3.0, 4.0])], 1e-300)  # the smallest positive ones are fine
    assert np.all(np.abs(clipped[0]) <= 1e-300)


def test_frobenius_norm_of_empty_infinite_and_nan_arrays():
    assert clipping.frobenius_norm(np.zeros((0, 3))) == 0.0
    assert clipping.frobenius_norm(np.array([1.0, -np.inf])) == math.inf
    assert math.isnan(clipping.frobenius_norm(np.array([1.0, np.nan])))
    assert clipping.frobenius_norm(np.array([1e-300])) == 1e-300  # no underflow to 0


# --- the norms against math.hypot (exact to an ulp, never overflows), at awkward sizes ---------


@pytest.mark.parametrize(
    "size", [1e-300, 1e-160, 7e-141, 1.2e-140, 1e-139, 1e-20, 1.0, 3e153, 2e154, 1e300]
)
def test_frobenius_norm_is_hypot_on_both_sides_of_the_rescaling_thresholds(size):
    x = size * np.array([[3.0, -4.0], [1.0, 0.5]])
    want = math.hypot(*x.ravel())
    assert clipping.frobenius_norm(x) == pytest.approx(want, rel=1e-14)
    grads = [x, size * np.array([2.0]), np.zeros((0, 3))]
    want = math.hypot(*x.ravel(), 2.0 * size)
    assert clipping.global_norm(grads) == pytest.approx(want, rel=1e-14)


def test_frobenius_norm_of_float32_and_of_special_values():
    assert clipping.frobenius_norm(np.array([3.0, 4.0], dtype=np.float32)) == 5.0
    assert clipping.frobenius_norm(np.array([np.inf, 1.0])) == math.inf
    assert clipping.frobenius_norm(np.array([-np.inf, 1.0])) == math.inf
    assert math.isnan(clipping.frobenius_norm(np.array([np.nan, 1e200])))
    assert clipping.frobenius_norm(np.zeros(4)) == 0.0
    assert clipping.global_norm([]) == 0.0


def test_gradient_lists_are_refused_in_words():
    cases = [
        (
            lambda: clipping.global_norm(np.zeros(3)),
            TypeError,
            "grads must be a list of arrays (one per parameter), got ndarray",
        ),
        (
            lambda: clipping.global_norm("ab"),
            TypeError,
            "grads must be a list of arrays (one per parameter), got str",
        ),
        (
            lambda: clipping.clip_by_norm([np.ones(2)], 1.0, allow_nonfinite=1),
            TypeError,
            "allow_nonfinite must be True or False, got 1",
        ),
        (
            lambda: clipping.clip_by_norm([np.ones(2), np.array([np.nan])], 1.0),
            ValueError,
            "grads[1] contains non-finite values (inf or nan): the gradient has already exploded, "
            "clipping cannot repair it (pass allow_nonfinite=True to clip anyway)",
        ),
        (lambda: clipping.global_norm([np.ones(2), "x"]), TypeError, "grads[1] must"),
        (
            lambda: clipping.angle_between([1.0, 0.0], [1.0, 0.0, 0.0]),
            ValueError,
            "a and b must have the same size, got 2 and 3",
        ),
        (
            lambda: clipping.angle_between([0.0, 0.0], [1.0, 0.0]),
            ValueError,
            "a and b must be non-zero: a zero gradient has no direction",
        ),
        (
            lambda: clipping.compare_clipping([0.0, 0.0], 1.0),
            ValueError,
            "g must be non-zero: a zero gradient has no direction to compare",
        ),
    ]
    for call, error, message in cases:
        with pytest.raises(error) as caught:
            call()
        assert str(caught.value).startswith(message), message


@pytest.mark.parametrize("degrees", [1e-7, 0.5, 30.0, 89.9, 90.0, 135.0, 179.9999])
def test_angle_between_is_the_angle_of_the_definition(degrees):
    t = math.radians(degrees)
    a = [[2.0, 0.0], [0.0, 0.0]]
    b = [np.array([3.0 * math.cos(t)]), np.array([3.0 * math.sin(t), 0.0, 0.0])]
    assert clipping.angle_between(a, b) == pytest.approx(degrees, rel=1e-9, abs=1e-12)


def test_angle_between_scalars_and_lists_of_numbers():
    # A scalar gradient is a vector of length 1: same sign 0 degrees, opposite signs 180.
    assert clipping.angle_between(2.0, 0.5) == 0.0
    assert clipping.angle_between(np.float64(-3.0), 1.0) == 180.0
    assert clipping.angle_between([1.0, 1.0], [2, 0]) == pytest.approx(45.0, rel=1e-15)
    for a, b, name in (([1.0, math.nan], [1.0, 2.0], "a"), ([1.0, 2.0], [math.inf, 0.0], "b")):
        with pytest.raises(ValueError, match=f"^{name} must contain only finite values"):
            clipping.angle_between(a, b)


def test_clip_by_value_beyond_float32s_range_leaves_float32_gradients_alone():
    # c = 1e300 is a valid threshold; every float32 entry lies inside [-c, c], so nothing moves
    # (and c's overflow to inf when cast to float32 must not surface as a warning).
    g = np.float32([1.5, -3e38, 0.0])
    clipped, norms = clipping.clip_by_value([g], 1e300)
    assert clipped[0].dtype == np.float32
    np.testing.assert_array_equal(clipped[0], g)
    assert norms[0] == pytest.approx(3e38, rel=1e-7)


def test_frobenius_norm_raises_no_floating_point_error_when_rescaling():
    # Entries 1e300 and 1e-10: the sum of squares overflows, so x is divided by 1e300, and
    # 1e-10 / 1e300 underflows to a subnormal. That must stay silent even under errstate raise.
    x = np.array([1e300, -1e-10, 3e299])
    with np.errstate(all="raise"):
        got = clipping.frobenius_norm(x)
    assert got == pytest.approx(math.hypot(*x), rel=1e-15)
