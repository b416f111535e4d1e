"""Chapter 5's engine: gradients through time against Pascanu et al.'s bound, the clipping
helpers against the frameworks' formulas, and the training studies."""

import math

import numpy as np
import pytest

from gradlab import recurrent_study as rs
from gradlab import rnn


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
@pytest.mark.parametrize("ratio", [0.8, 1.0, 1.5, 2.5])
def test_measured_norms_obey_pascanus_bound(activation, ratio):
    r = rs.temporal_gradient_norms(activation, ratio, 40)
    assert r.norms.shape == (41,) and r.relative[-1] == 1.0
    assert r.within_bound
    assert r.check.largest_singular_value == pytest.approx(ratio / r.gamma, rel=1e-12)
    if ratio != 1.0:  # at 1 exactly, sigma_max is 1/gamma up to rounding (either side)
        assert r.check.vanishing_guaranteed == (ratio < 1)
        assert r.check.exploding_possible == (ratio > 1)
    if ratio < 1:  # sufficient: it must vanish at least as fast as the bound
        assert r.decades <= 40 * math.log10(ratio) + 1e-9 and r.behaviour == "vanishes"


def test_the_bound_can_fail_to_hold_only_if_the_code_is_wrong():
    # The check can fail: a "measurement" above the bound is reported as such.
    r = rs.temporal_gradient_norms("tanh", 0.8, 20)
    fake = r._replace(norms=r.norms[-1] * np.ones_like(r.norms))
    assert not fake.within_bound


def test_above_threshold_can_explode_or_vanish():
    explodes = rs.temporal_gradient_norms("tanh", 2.0, 50, input_std=0.1)
    assert explodes.behaviour == "explodes" and explodes.decades > 2
    saturated = rs.temporal_gradient_norms("tanh", 2.0, 50, bias=3.0)
    assert saturated.check.exploding_possible and saturated.behaviour == "vanishes"
    unexcited = rs.unexcited_direction("tanh", 2.0, 50)
    assert unexcited.check.exploding_possible and unexcited.behaviour == "vanishes"
    # The gradient never enters the large direction: it shrinks at least like 0.5 per step.
    assert np.all(unexcited.relative <= 0.5 ** (50 - np.arange(51)) * (1 + 1e-9))
    assert unexcited.within_bound


@pytest.mark.parametrize("activation, ratio", [("tanh", 0.9), ("tanh", 2.0), ("sigmoid", 1.5)])
def test_hidden_gradient_norms_match_finite_differences(activation, ratio):
    assert rs.finite_difference_check(activation, ratio, 10) < 1e-7


def test_finite_difference_check_detects_a_wrong_norm(monkeypatch):
    real = rnn.RNN.loss_and_gradients

    def wrong(self, X, y, loss="mse"):
        out = real(self, X, y, loss)
        return out._replace(hidden_grad_norms=out.hidden_grad_norms * 1.01)

    monkeypatch.setattr(rnn.RNN, "loss_and_gradients", wrong)
    assert rs.finite_difference_check("tanh", 1.0, 8) > 1e-3


def test_finite_difference_check_compares_the_vectors_not_only_their_norms(monkeypatch):
    real = rs._hidden_gradients

    def turned(net, X, y):  # every dL/dh_t with its units reversed: the norms are unchanged
        return [g[:, ::-1] for g in real(net, X, y)]

    monkeypatch.setattr(rs, "_hidden_gradients", turned)
    assert rs.finite_difference_check("tanh", 1.0, 8) > 1e-2


def test_operating_point_small_inputs_above_the_threshold_sit_away_from_zero():
    # Below the threshold with small inputs the units stay near 0, where tanh' is about 1 ...
    quiet = rs.operating_point("tanh", 0.5, 50, input_std=0.1)
    assert quiet.mean_abs_state < 0.2 and quiet.mean_slope > 0.9
    # ... above it, the same inputs drive them out, and the slope, the gradient's factor, drops.
    loud = rs.operating_point("tanh", 2.0, 50, input_std=0.1)
    assert loud.mean_abs_state > 0.5 and loud.mean_slope < 0.6
    grown = rs.temporal_gradient_norms("tanh", 2.0, 50, input_std=0.1)
    assert 1.0 < grown.factor_per_step < 0.75 * grown.ratio  # grows, far below the bound
    # Saturation (a bias of 3) flattens the slope further.
    assert rs.operating_point("tanh", 2.0, 50, bias=3.0).mean_slope < loud.mean_slope
    for p in (quiet, loud):
        assert 0.0 < p.mean_slope <= 1.0 and p.start == 10


def test_operating_point_validates_start():
    with pytest.raises(ValueError, match="start"):
        rs.operating_point("tanh", 1.0, 5, start=6)
    with pytest.raises(ValueError, match="start"):
        rs.operating_point("tanh", 1.0, 5, start=0)


def test_same_seed_same_matrix_only_scaled():
    a = rs.temporal_gradient_norms("tanh", 0.5, 5)
    b = rs.temporal_gradient_norms("tanh", 0.5, 5)
    np.testing.assert_array_equal(a.norms, b.norms)
    net1, _, _ = rs._network("tanh", 1.0, 5, 32, 8, 0.5, 0.0, 0)
    net2, _, _ = rs._network("tanh", 2.0, 5, 32, 8, 0.5, 0.0, 0)
    np.testing.assert_allclose(net2.W_hh, 2 * net1.W_hh, rtol=1e-12)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"activation": "relu"}, ValueError),
        ({"ratio": 0.0}, ValueError),
        ({"length": 0}, ValueError),
        ({"input_std": -1.0}, ValueError),
        ({"seed": 1.5}, TypeError),
    ],
)
def test_bad_arguments_name_themselves(kwargs, error):
    name = next(iter(kwargs))
    with pytest.raises(error, match=name):
        rs.temporal_gradient_norms(**kwargs)


@pytest.mark.parametrize(
    "activation, length, kwargs",
    [
        ("tanh", 50, {}),
        ("sigmoid", 30, {"input_std": 2.0}),
        ("tanh", 100, {"input_std": 0.1}),  # explodes at ratio 3: a chaotic forward pass
        ("tanh", 12, {"bias": 3.0, "hidden_size": 6, "batch_size": 3, "seed": 4}),
        ("sigmoid", 1, {}),
    ],
)
def test_probe_equals_temporal_gradient_norms(activation, length, kwargs):
    probe = rs.TemporalProbe(activation, length, **kwargs)
    for ratio in (0.5, 1.0, 1.55, 2.0, 3.0):
        got = probe.measure(ratio)
        want = rs.temporal_gradient_norms(activation, ratio, length, **kwargs)
        np.testing.assert_allclose(got.norms, want.norms, rtol=1e-12, atol=0)
        assert got.check == want.check
        assert got._replace(norms=None, check=None) == want._replace(norms=None, check=None)


def test_probe_norms_do_not_overflow_or_underflow():
    # sigmoid far below its threshold for 100 steps: the gradient falls past 1e-154, where
    # squaring underflows; the rescaled norm must still be positive and right.
    r = rs.TemporalProbe("sigmoid", 100, input_std=2.0).measure(0.02)
    want = rs.temporal_gradient_norms("sigmoid", 0.02, 100, input_std=2.0)
    assert np.all(r.norms > 0) and r.norms.min() < 1e-154
    np.testing.assert_allclose(r.norms, want.norms, rtol=1e-12, atol=0)


def test_probe_validates_its_arguments():
    with pytest.raises(ValueError, match="activation"):
        rs.TemporalProbe("relu")
    with pytest.raises(ValueError, match="length"):
        rs.TemporalProbe(length=0)
    with pytest.raises(ValueError, match="ratio"):
        rs.TemporalProbe().measure(0.0)
    with pytest.raises(TypeError, match="ratio"):
        rs.TemporalProbe().measure("1")


def test_unexcited_needs_a_smaller_other_ratio():
    with pytest.raises(ValueError, match="other_ratio"):
        rs.unexcited_direction(ratio=1.5, other_ratio=2.0)


def test_clipping_runs_use_the_same_seeds_and_the_median_rule():
    short = rs.ADDING._replace(epochs=2)
    plain = rs.run_adding(None, setup=short)
    again = rs.run_adding(None, setup=short)
    np.testing.assert_array_equal(plain.history.loss, again.history.loss)
    clipped = rs.run_adding(0.1, setup=short)
    assert clipped.history.loss[0] == plain.history.loss[0]  # same start, then clipped steps
    assert clipped.history.clipped.any() and not plain.history.clipped.any()
    assert plain.label == "no clipping" and clipped.label == "clip at 0.1"
    assert plain.final_loss == pytest.approx(np.mean(plain.history.loss[-8:]))


def test_threshold_sweep_orders_runs_by_threshold_then_seed():
    runs = rs.threshold_sweep((None, 100.0), seeds=(0, 1))
    assert [(r.threshold, r.seed) for r in runs] == [(None, 0), (None, 1), (100.0, 0), (100.0, 1)]


def test_vanishing_runs_show_clipping_does_not_help():
    plain, clipped, through = rs.vanishing_runs(0.1, recurrent_scale=0.5, length=30)
    assert through.decades < -5  # the gradient reaching step 0 is tiny
    # Neither run beats predicting the mean by much: clipping changes nothing that matters.
    for r in (plain, clipped):
        assert r.final_loss > 0.5 * (1 / 6)


# -- over seeds (the course's evidence rule) ----------------------------------------------------


def test_temporal_over_seeds_is_each_seeds_network_summarised():
    s = rs.temporal_over_seeds(rs.temporal_gradient_norms, "tanh", 1.5, 30, seeds=(0, 3, 7))
    runs = [rs.temporal_gradient_norms("tanh", 1.5, 30, seed=k) for k in (0, 3, 7)]
    decades = sorted(r.decades for r in runs)
    assert s.decades.seeds == (0, 3, 7)
    assert (s.decades.low, s.decades.median, s.decades.high) == tuple(decades)
    assert s.within_bound == sum(r.within_bound for r in runs) == 3
    assert s.explodes == sum(r.behaviour == "explodes" for r in runs)
    assert s.vanishes == sum(r.behaviour == "vanishes" for r in runs)
    assert s.bound == pytest.approx(30 * np.log10(1.5))
    np.testing.assert_allclose(s.factor_per_step.values, [r.factor_per_step for r in runs])
    assert s.describe() == f"{s.decades:+.2f}; {30 * np.log10(1.5):+.2f}, 3 of 3 within"
    with pytest.raises(TypeError, match="case"):
        rs.temporal_over_seeds(rs.operating_point, "tanh", 1.5, 30)


def test_above_threshold_cases_and_their_summaries():
    above = rs.above_threshold(2.0, 20, seed=1)
    assert [r.input_std for r in above] == [0.1, 0.5, 2.0, 0.5]
    assert [r.bias for r in above] == [0.0, 3.0, 0.0, 0.0]
    assert above[3].label == "unexcited direction"
    summaries = rs.above_threshold_over_seeds(2.0, 20, seeds=(1, 2))
    assert [s.decades.values[0] for s in summaries] == [r.decades for r in above]


def test_effective_slope_times_sigma_is_the_measured_factor_per_step():
    # With an orthogonal W_hh scaled to sigma_max, ||G_{t-1}|| = sigma ||G_t * phi'(z_t)||
    # exactly, so the geometric-mean factor per step is sigma_max * effective_slope.
    for ratio, inputs in ((2.0, 0.1), (1.0, 0.5), (1.5, 2.0)):
        point = rs.operating_point("tanh", ratio, 40, input_std=inputs, seed=2)
        run = rs.temporal_gradient_norms("tanh", ratio, 40, input_std=inputs, seed=2)
        assert ratio * point.effective_slope == pytest.approx(run.factor_per_step, rel=1e-9)
        # and it is a weighted mean of phi' in [0, 1], not the plain mean
        assert 0 < point.effective_slope <= 1


def test_stored_over_seeds_summarises_every_stored_seed():
    s = rs.stored_over_seeds(0.1, lambda run: run.final_loss)
    want = [rs.stored_adding(0.1, seed=k).final_loss for k in rs.STORED_SEEDS]
    np.testing.assert_array_equal(s.values, want)
    v = rs.stored_over_seeds(None, lambda run: run.final_loss, setup="vanishing", seeds=(0, 1))
    assert v.seeds == (0, 1)
    with pytest.raises(TypeError, match="measure"):
        rs.stored_over_seeds(0.1, "final_loss")


def test_threshold_sweep_plot_draws_the_median_per_threshold():
    runs = [rs.stored_adding(c, seed=k) for c in (None, 0.1, 1.0) for k in rs.STORED_SEEDS]
    view = rs.plot_threshold_sweep(runs)
    med = np.median([rs.stored_adding(0.1, seed=k).final_loss for k in rs.STORED_SEEDS])
    assert f"0.1: {med:.3g}" in view.alt and "median over 5 seeds" in view.alt


def test_rms_slope_is_the_root_mean_square_and_at_least_the_mean():
    point = rs.operating_point("tanh", 2.0, 30, input_std=0.1, start=5, seed=1)
    net, X, _ = rs._network("tanh", 2.0, 30, 32, 8, 0.1, 0.0, 1)
    net.forward(X)
    slopes = np.stack([net.activation.derivative(z) for z in net.pre_activations[4:]])
    assert point.rms_slope == pytest.approx(np.sqrt(np.mean(slopes**2)), rel=1e-12)
    assert point.mean_slope == pytest.approx(np.mean(slopes), rel=1e-12)
    assert point.rms_slope > point.mean_slope


def test_stored_best_thresholds_pick_each_seeds_lowest_final_loss():
    best = rs.stored_best_thresholds((0.03, 0.1, 0.3))
    for seed, c in zip(rs.STORED_SEEDS, best, strict=True):
        losses = {t: rs.stored_adding(t, seed=seed).final_loss for t in (0.03, 0.1, 0.3)}
        assert losses[c] == min(losses.values())
    with pytest.raises(ValueError, match="thresholds"):
        rs.stored_best_thresholds([None, 0.1])
