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
