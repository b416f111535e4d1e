"""Chapter 5's clipping helpers: angles, per-tensor vs global, and the frameworks' exact
formulas (PyTorch clip_grad_norm_/clip_grad_value_, Keras clipnorm/global_clipnorm/clipvalue),
each checked against an independent line of NumPy."""

import math

import numpy as np
import pytest

from gradlab import clipping


def test_angle_between_known_vectors():
    assert clipping.angle_between([1.0, 0.0], [0.0, 2.0]) == pytest.approx(90.0)
    assert clipping.angle_between([1.0, 1.0], [-3.0, -3.0]) == pytest.approx(180.0)
    assert clipping.angle_between([3.0, 4.0], [6.0, 8.0]) == 0.0
    tiny = clipping.angle_between([1.0, 0.0], [1.0, 1e-12])  # arccos would say 0
    assert tiny == pytest.approx(math.degrees(1e-12), rel=1e-6)
    assert clipping.angle_between([np.array([1.0]), np.array([0.0])], [0.0, 1.0]) == 90.0
    with pytest.raises(ValueError, match="non-zero"):
        clipping.angle_between([0.0, 0.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="same size"):
        clipping.angle_between([1.0], [1.0, 0.0])


def test_compare_clipping_value_turns_norm_keeps():
    g = np.array([3.0, 0.4])
    before = g.copy()
    r = clipping.compare_clipping(g, 1.0)
    np.testing.assert_array_equal(g, before)
    np.testing.assert_array_equal(r.by_value, [1.0, 0.4])
    np.testing.assert_allclose(r.by_norm, g / np.linalg.norm(g))
    expected = math.degrees(math.atan2(0.4, 1.0) - math.atan2(0.4, 3.0))
    assert r.value_angle == pytest.approx(expected, rel=1e-12)
    assert r.norm_angle == 0.0 and r.by_norm_norm == pytest.approx(1.0)
    small = clipping.compare_clipping([0.2, -0.1], 1.0)  # inside both: nothing changes
    assert small.value_angle == small.norm_angle == 0.0
    with pytest.raises(ValueError, match="threshold"):
        clipping.compare_clipping(g, 0.0)


def test_per_tensor_turns_the_whole_gradient_global_does_not():
    grads = [np.array([3.0, 4.0]), np.array([0.1, 0.2])]
    r = clipping.compare_tensorwise(grads, 1.0)
    np.testing.assert_allclose(r.per_tensor_norms, [1.0, math.hypot(0.1, 0.2)])
    assert r.global_angle == pytest.approx(0.0, abs=1e-6) and r.per_tensor_angle > 5.0
    assert np.linalg.norm(r.global_norms) == pytest.approx(1.0)


def torch_reference(grads, max_norm):
    """PyTorch's two lines: clip_coef = max_norm / (total + 1e-6), clamped to 1, always applied."""
    total = np.sqrt(sum(np.sum(g**2) for g in grads))
    coef = min(max_norm / (total + 1e-6), 1.0)
    return [g * coef for g in grads], total


@pytest.mark.parametrize("scale", [0.0, 0.3, 1.0, 7.0])
def test_torch_clip_grad_norm_is_pytorchs_formula(scale):
    rng = np.random.default_rng(0)
    grads = [scale * rng.normal(size=(3, 4)), scale * rng.normal(size=5)]
    copies = [g.copy() for g in grads]
    got, total = clipping.torch_clip_grad_norm_(grads, 2.0)
    want, want_total = torch_reference(copies, 2.0)
    assert total == pytest.approx(want_total, rel=1e-12)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    for g, c in zip(grads, copies, strict=True):
        np.testing.assert_array_equal(g, c)  # not mutated


def test_torch_scales_a_norm_exactly_at_the_threshold_by_a_hair():
    got, total = clipping.torch_clip_grad_norm_([np.array([6.0, 8.0])], 10.0)
    assert total == 10.0
    np.testing.assert_allclose(got[0], np.array([6.0, 8.0]) * 10.0 / (10.0 + 1e-6), rtol=1e-15)
    assert got[0][0] < 6.0  # gradlab's own clip_by_global_norm leaves it alone
    assert clipping.clip_by_global_norm([np.array([6.0, 8.0])], 10.0)[0][0][0] == 6.0


def test_torch_other_norms_and_nonfinite():
    g = [np.array([3.0, -4.0]), np.array([1.0])]
    _, total_inf = clipping.torch_clip_grad_norm_(g, 1.0, math.inf)
    _, total_1 = clipping.torch_clip_grad_norm_(g, 1.0, 1)
    assert total_inf == 4.0 and total_1 == pytest.approx(8.0)
    out, total = clipping.torch_clip_grad_norm_([np.array([np.inf, 1.0])], 1.0)
    assert total == math.inf and np.isnan(out[0][0]) and out[0][1] == 0.0
    with pytest.raises(ValueError, match="non-finite"):
        clipping.torch_clip_grad_norm_([np.array([np.inf])], 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueError, match="norm_type"):
        clipping.torch_clip_grad_norm_(g, 1.0, 0.5)
    with pytest.raises(TypeError, match="norm_type"):
        clipping.torch_clip_grad_norm_(g, 1.0, "2")


def test_torch_clip_grad_value():
    g = [np.array([-3.0, 0.5, 2.0, np.nan])]
    out = clipping.torch_clip_grad_value_(g, 1.0)
    np.testing.assert_array_equal(out[0][:3], [-1.0, 0.5, 1.0])
    assert np.isnan(out[0][3]) and g[0][0] == -3.0


def test_keras_formulas():
    g = [np.array([3.0, 4.0]), np.array([0.0, 0.0]), np.array([0.3])]
    per = clipping.keras_clip_gradients(g, clipnorm=1.0)
    np.testing.assert_allclose(per[0], [0.6, 0.8])
    np.testing.assert_array_equal(per[1], [0.0, 0.0])  # a zero gradient stays zero
    np.testing.assert_allclose(per[2], [0.3])  # below c: unchanged (c / max(n, c) = 1)
    total = math.sqrt(25 + 0.09)
    glob = clipping.keras_clip_gradients(g, global_clipnorm=1.0)
    for a, b in zip(glob, g, strict=True):
        np.testing.assert_allclose(a, b / total, rtol=1e-12)
    at = clipping.keras_clip_gradients([np.array([6.0, 8.0])], global_clipnorm=10.0)
    np.testing.assert_array_equal(at[0], [6.0, 8.0])  # no eps: exactly at c is left alone
    zero = clipping.keras_clip_gradients([np.zeros(3)], global_clipnorm=1.0)
    np.testing.assert_array_equal(zero[0], np.zeros(3))
    bad = clipping.keras_clip_gradients([np.array([np.inf, 1.0])], global_clipnorm=1.0)
    assert np.all(np.isnan(bad[0]))
    np.testing.assert_array_equal(clipping.keras_clip_gradients(g, clipvalue=0.5)[0], [0.5, 0.5])
    np.testing.assert_array_equal(clipping.keras_clip_gradients(g)[0], g[0])
    with pytest.raises(ValueError, match="only one"):
        clipping.keras_clip_gradients(g, clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="clipnorm"):
        clipping.keras_clip_gradients(g, clipnorm=-1.0)


def test_keras_agrees_with_gradlab_eps_zero():
    rng = np.random.default_rng(3)
    g = [rng.normal(size=(4, 3)) * 5, rng.normal(size=7)]
    for a, b in zip(
        clipping.keras_clip_gradients(g, global_clipnorm=2.0),
        clipping.clip_by_global_norm(g, 2.0, eps=0.0)[0],
        strict=True,
    ):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    for a, b in zip(
        clipping.keras_clip_gradients(g, clipnorm=2.0),
        clipping.clip_by_norm(g, 2.0, eps=0.0)[0],
        strict=True,
    ):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_suggest_threshold_is_the_median_of_early_norms():
    norms = np.concatenate([np.arange(1.0, 52.0), [1e9] * 10])
    assert clipping.suggest_threshold(norms) == 25.5  # median of 1..50
    assert clipping.suggest_threshold(norms, steps=3) == 2.0
    assert clipping.suggest_threshold(norms, percentile=100) == 50.0
    assert clipping.suggest_threshold([np.nan, 4.0, 2.0]) == 3.0  # non-finite steps skipped
    with pytest.raises(ValueError, match="percentile"):
        clipping.suggest_threshold(norms, percentile=0)
    with pytest.raises(ValueError, match="norms"):
        clipping.suggest_threshold([-1.0])
    with pytest.raises(ValueError, match="finite"):
        clipping.suggest_threshold([np.inf])


@pytest.mark.parametrize("p", [1, 1.5, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_torch_non_default_norms_are_pytorchs_formula(p, max_norm):
    """N is the p-norm of every entry together (the p-norm of the per-tensor p-norms)."""
    rng = np.random.default_rng(7)
    g = [rng.normal(size=(3, 4)), rng.normal(size=5), np.zeros(0)]
    flat = np.concatenate([x.ravel() for x in g])
    want_total = float(np.max(np.abs(flat))) if math.isinf(p) else float(np.linalg.norm(flat, p))
    out, total = clipping.torch_clip_grad_norm_(g, max_norm, p)
    assert total == pytest.approx(want_total, rel=1e-13)
    coef = min(max_norm / (want_total + 1e-6), 1.0)
    for a, b in zip(out, g, strict=True):
        np.testing.assert_allclose(a, b * coef, rtol=1e-13)
    if max_norm < want_total:
        clipped = np.concatenate([x.ravel() for x in out])
        got = np.max(np.abs(clipped)) if math.isinf(p) else np.linalg.norm(clipped, p)
        assert got == pytest.approx(max_norm * want_total / (want_total + 1e-6), rel=1e-12)


def test_torch_norms_of_float32_gradients_and_of_nothing():
    g32 = [np.array([3.0, -4.0], dtype=np.float32)]
    for p in (1, 2.0, math.inf):
        out, total = clipping.torch_clip_grad_norm_(g32, 1.0, p)
        assert out[0].dtype == np.float32
        assert total == pytest.approx({1: 7.0, 2.0: 5.0, math.inf: 4.0}[p], rel=1e-6)
    assert clipping.torch_clip_grad_norm_([np.zeros(0)], 1.0, math.inf)[1] == 0.0
    assert clipping.torch_clip_grad_norm_([np.zeros(0)], 1.0)[1] == 0.0
    assert clipping.torch_clip_grad_norm_([], 1.0, math.inf)[1] == 0.0
    assert clipping.torch_clip_grad_norm_([], 1.0)[1] == 0.0
    # norm_type 1 exactly is allowed (the smallest), just below is not
    assert clipping.torch_clip_grad_norm_(g32, 1.0, 1.0)[1] == pytest.approx(7.0)
    with pytest.raises(ValueError) as caught:
        clipping.torch_clip_grad_norm_(g32, 1.0, float(np.nextafter(1.0, 0.0)))
    assert str(caught.value).startswith("norm_type must be >= 1 (or math.inf), got 0.99999")
    with pytest.raises(TypeError) as caught:
        clipping.torch_clip_grad_norm_(g32, 1.0, True)
    assert str(caught.value) == "norm_type must be a real number >= 1 or math.inf, got True"


def test_torch_nonfinite_total_message_and_nan():
    with pytest.raises(ValueError) as caught:
        clipping.torch_clip_grad_norm_([np.array([np.inf])], 1.0, 3, error_if_nonfinite=True)
    assert str(caught.value) == (
        "the total norm of order 3 of grads is non-finite (inf), so it cannot be clipped "
        "(PyTorch raises RuntimeError here)"
    )
    out, total = clipping.torch_clip_grad_norm_([np.array([np.nan, 1.0])], 1.0)
    assert math.isnan(total) and np.all(np.isnan(out[0]))
    # finite total: no error even when asked to raise
    out, total = clipping.torch_clip_grad_norm_(
        [np.array([3.0, 4.0])], 1.0, error_if_nonfinite=True
    )
    assert total == 5.0


def test_keras_options_on_float32_and_their_refusals():
    g32 = [np.array([3.0, 4.0], dtype=np.float32), np.array([0.5], dtype=np.float32)]
    for kwargs in ({"clipnorm": 1.0}, {"global_clipnorm": 1.0}, {"clipvalue": 1.0}, {}):
        out = clipping.keras_clip_gradients(g32, **kwargs)
        assert [a.dtype for a in out] == [np.float32, np.float32]
    kept = clipping.keras_clip_gradients(g32)
    assert kept[0] is not g32[0]  # a copy, never the caller's array
    with pytest.raises(ValueError) as caught:
        clipping.keras_clip_gradients(g32, clipnorm=1.0, global_clipnorm=2.0)
    assert str(caught.value) == (
        "only one of clipnorm, global_clipnorm and clipvalue can be set, "
        "got {'clipnorm': 1.0, 'global_clipnorm': 2.0}"
    )
    with pytest.raises(ValueError) as caught:
        clipping.keras_clip_gradients(g32, global_clipnorm=0.0)
    assert str(caught.value) == "global_clipnorm must be > 0.0, got 0.0"
    with pytest.raises(ValueError) as caught:
        clipping.keras_clip_gradients(g32, clipvalue=-1.0)
    assert str(caught.value) == "clipvalue must be > 0.0, got -1.0"
    # global_clipnorm above the norm: unchanged (c * min(1/N, 1/c) = 1)
    np.testing.assert_array_equal(
        clipping.keras_clip_gradients(g32, global_clipnorm=10.0)[0], g32[0]
    )


def test_suggest_threshold_boundaries_and_defaults():
    norms = np.arange(1.0, 101.0)
    assert clipping.suggest_threshold(norms) == np.percentile(norms[:50], 50)  # steps=50, q=50
    assert clipping.suggest_threshold(norms, percentile=100.0) == 50.0
    assert clipping.suggest_threshold(norms, steps=1) == 1.0
    tiny = float(np.nextafter(0.0, 1.0))
    assert clipping.suggest_threshold(norms, percentile=tiny) == pytest.approx(1.0)
    assert clipping.suggest_threshold([0.0, 2.0]) == 1.0  # a zero norm is a norm
    with pytest.raises(ValueError) as caught:
        clipping.suggest_threshold(norms, percentile=float(np.nextafter(100.0, 200.0)))
    assert str(caught.value).startswith("percentile must be in (0, 100], got 100.0000")
    with pytest.raises(ValueError) as caught:
        clipping.suggest_threshold(norms, steps=0)
    assert str(caught.value) == "steps must be >= 1, got 0"
    with pytest.raises(ValueError) as caught:
        clipping.suggest_threshold([1.0, -1e-300])
    assert str(caught.value) == "norms must be >= 0 (they are norms)"
    with pytest.raises(ValueError) as caught:
        clipping.suggest_threshold([np.nan, np.inf])
    assert str(caught.value) == "norms must hold at least one finite value"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: clipping.clip_by_norm([np.ones(2)], 0.0), "max_norm must be > 0.0, got 0.0"),
        (lambda: clipping.clip_by_norm([np.ones(2)], 1.0, eps=-1e-9), "eps must be >= 0.0"),
        (lambda: clipping.clip_by_norm([np.ones(2)], 1.0, eps="x"), "eps must be a real number"),
        (lambda: clipping.clip_by_global_norm([np.ones(2)], -1.0), "max_norm must be > 0.0"),
        (lambda: clipping.clip_by_global_norm([np.ones(2)], 1.0, eps=-1.0), "eps must be >= 0.0"),
        (lambda: clipping.clip_by_value([np.ones(2)], 0.0), "clip_value must be > 0.0, got 0.0"),
        (lambda: clipping.torch_clip_grad_norm_([np.ones(2)], 0.0), "max_norm must be > 0.0"),
        (lambda: clipping.torch_clip_grad_norm_([np.ones(2)], -1.0), "max_norm must be > 0.0"),
        (lambda: clipping.torch_clip_grad_value_([np.ones(2)], 0.0), "clip_value must be > 0.0"),
        (lambda: clipping.torch_clip_grad_value_([np.ones(2)], -1.0), "clip_value must be > 0.0"),
        (lambda: clipping.compare_clipping([1.0, 2.0], 0.0), "threshold must be > 0.0, got 0.0"),
        (lambda: clipping.compare_clipping("g", 1.0), "g must be an array of numbers, got a st"),
        (lambda: clipping.angle_between(None, [1.0]), "a must hold real numbers, got an array"),
        (lambda: clipping.angle_between([1.0], None), "b must hold real numbers, got an array"),
        (lambda: clipping.angle_between("a", [1.0]), "a[0] must be an array of numbers"),
        (lambda: clipping.angle_between([np.ones(2), "x"], [1.0]), "a[1] must be an array"),
        (lambda: clipping.angle_between([1.0], [np.ones(1), "x"]), "b[1] must be an array"),
        (lambda: clipping.frobenius_norm("x"), "x must be an array of numbers, got a string"),
        (lambda: clipping.suggest_threshold("n"), "norms must be an array of numbers, got a st"),
        (lambda: clipping.suggest_threshold([[1.0]]), "norms must have 1 dimension(s)"),
        (lambda: clipping.suggest_threshold([1.0], percentile=0.0), "percentile must be > 0.0"),
    ],
)
def test_every_clipping_argument_is_named_in_its_refusal(call, message):
    with pytest.raises((TypeError, ValueError)) as caught:
        call()
    assert str(caught.value).startswith(message), str(caught.value)


def test_non_finite_gradients_clip_without_warnings_when_allowed():
    import warnings

    g = [np.array([np.inf, 1.0]), np.array([2.0])]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        by_norm, norms = clipping.clip_by_norm(g, 1.0, allow_nonfinite=True)
        by_global, total = clipping.clip_by_global_norm(g, 1.0, allow_nonfinite=True)
        keras = clipping.keras_clip_gradients(g, clipnorm=1.0)
        keras_global = clipping.keras_clip_gradients(g, global_clipnorm=1.0)
        torch, _ = clipping.torch_clip_grad_norm_(g, 1.0)
        value = clipping.clip_by_value(g, 1.0, allow_nonfinite=True)[0]
        assert clipping.frobenius_norm(np.array([np.inf, np.nan])) != 0.0
    assert norms[0] == math.inf and total == math.inf
    assert by_norm[1][0] == 1.0 / (2.0 + 1e-6) * 2.0
    assert np.isnan(by_global[0][0]) and by_global[1][0] == 0.0  # inf * 0, 2 * 0
    assert np.isnan(keras[0][0]) and np.all(np.isnan(keras_global[1]))
    assert np.isnan(torch[0][0]) and torch[1][0] == 0.0
    np.testing.assert_array_equal(value[0], [1.0, 1.0])
    nan = [np.array([np.nan, 1.0])]
    assert np.all(np.isnan(clipping.clip_by_global_norm(nan, 1.0, allow_nonfinite=True)[0][0]))


def test_negative_entries_are_clipped_at_minus_c():
    g = [np.array([-3.0, 0.25, 3.0])]
    np.testing.assert_array_equal(
        clipping.keras_clip_gradients(g, clipvalue=0.5)[0], [-0.5, 0.25, 0.5]
    )
    cmp = clipping.compare_clipping([-3.0, 0.25, 3.0], 0.5)
    assert cmp.value_norm == pytest.approx(math.hypot(0.5, 0.25, 0.5), rel=1e-15)


def test_compare_clipping_at_exactly_the_threshold_and_compare_tensorwise_without_eps():
    cmp = clipping.compare_clipping([3.0, 4.0], 5.0)  # norm exactly at c: nothing changes
    assert cmp.by_norm_norm == 5.0 and cmp.norm_angle == 0.0
    np.testing.assert_array_equal(cmp.by_norm, [3.0, 4.0])
    grads = [np.array([30.0, 40.0]), np.array([0.5])]
    t = clipping.compare_tensorwise(grads, 2.0)
    np.testing.assert_array_equal(t.norms, [50.0, 0.5])
    assert t.total_norm == math.hypot(50.0, 0.5)
    # eps = 0: the global norm after clipping is the threshold to the last bits, not 1e-6 below
    assert np.linalg.norm(t.global_norms) == pytest.approx(2.0, rel=1e-14)
    np.testing.assert_allclose(t.per_tensor_norms, [2.0, 0.5], rtol=1e-14)
    assert t.global_angle == pytest.approx(0.0, abs=1e-6)
    assert t.per_tensor_angle > 1.0
