"""Finite differences and the numerics of the step size (gradlab.gradcheck)."""

import math

import numpy as np
import pytest

from gradlab import gradcheck as gc


def test_eps_is_float64_machine_epsilon():
    assert gc.EPS == 2.0**-52
    assert 1.0 + gc.EPS != 1.0 and 1.0 + gc.EPS / 2 == 1.0


def test_finite_differences_match_taylor():
    # f = exp at 0: forward error ~ h/2 * f'' = h/2, central error ~ h^2/6 * f''' = h^2/6.
    h = 1e-3
    forward = gc.finite_difference(math.exp, 0.0, h, "forward")
    central = gc.finite_difference(math.exp, 0.0, h, "central")
    assert forward - 1.0 == pytest.approx(h / 2, rel=1e-3)
    assert central - 1.0 == pytest.approx(h**2 / 6, rel=1e-3)
    assert gc.finite_difference(math.exp, 0.0, h) == central  # central is the default


def test_step_errors_show_truncation_and_round_off_slopes():
    steps = np.logspace(-14, -1, 53)
    errors = gc.step_errors(math.exp, math.exp, 1.0, steps, "central")
    # Truncation regime (large h): slope 2 on a log-log plot.
    big = steps > 1e-3
    slope = np.polyfit(np.log10(steps[big]), np.log10(errors[big]), 1)[0]
    assert slope == pytest.approx(2.0, abs=0.1)
    # Round-off regime (tiny h): errors grow as h shrinks, about like 1/h.
    tiny = steps < 1e-10
    slope = np.polyfit(np.log10(steps[tiny]), np.log10(errors[tiny]), 1)[0]
    assert -1.4 < slope < -0.6
    forward = gc.step_errors(math.exp, math.exp, 1.0, steps, "forward")
    slope = np.polyfit(np.log10(steps[big]), np.log10(forward[big]), 1)[0]
    assert slope == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize("method", ["forward", "central"])
def test_best_step_is_where_the_measured_error_is_smallest(method):
    # exp at x = 1: |f| = |f''| = |f'''| = e.
    steps = np.logspace(-13, -1, 241)
    errors = gc.step_errors(math.exp, math.exp, 1.0, steps, method)
    h_star = gc.best_step(method, f_size=math.e, derivative_size=math.e)
    # The measured minimum (smoothed over neighbours: round-off is jagged) is within a
    # factor of 10 of the model's best step, and the error there is near the model's.
    smooth = np.convolve(np.log10(errors), np.ones(9) / 9, mode="same")
    h_measured = steps[4:-4][np.argmin(smooth[4:-4])]
    assert abs(math.log10(h_measured / h_star)) < 1.0
    at_best = gc.error_model(h_star, method, f_size=math.e, derivative_size=math.e)
    assert np.min(errors) <= at_best
    assert np.min(errors) > at_best / 1000


def test_best_step_orders_of_magnitude():
    assert gc.best_step("forward") == pytest.approx(math.sqrt(2 * gc.EPS))
    assert gc.best_step("central") == pytest.approx((1.5 * gc.EPS) ** (1 / 3))
    assert 1e-8 < gc.best_step("forward") < 1e-7
    assert 1e-6 < gc.best_step("central") < 1e-5


def test_error_model_minimum_is_best_step():
    for method in ("forward", "central"):
        h = np.logspace(-12, -2, 20001)
        model = gc.error_model(h, method, f_size=2.0, derivative_size=0.5)
        best = gc.best_step(method, f_size=2.0, derivative_size=0.5)
        assert h[np.argmin(model)] == pytest.approx(best, rel=2e-3)


def test_relative_error():
    assert gc.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert gc.relative_error([0.0], [0.0]) == 0.0
    assert gc.relative_error([1.0], [-1.0]) == 1.0
    assert gc.relative_error([1.0], [1.0 + 2e-7]) == pytest.approx(1e-7, rel=1e-6)
    with pytest.raises(ValueError, match="shape"):
        gc.relative_error([1.0, 2.0], [1.0])


def test_numerical_gradient_and_check_gradient():
    a = np.array([[1.0, -2.0], [0.5, 3.0]])

    def f(x):
        return float(np.sum(np.sin(a * x)))

    x = np.array([[0.3, -0.1], [0.7, 0.2]])
    before = x.copy()
    exact = a * np.cos(a * x)
    numeric = gc.numerical_gradient(f, x)
    np.testing.assert_array_equal(x, before)  # the point is not changed
    assert gc.relative_error(numeric, exact) < 1e-9
    assert gc.check_gradient(f, exact, x) < 1e-9
    wrong = exact.copy()
    wrong[0, 0] *= 2  # a "bug": one entry twice too large
    assert gc.check_gradient(f, wrong, x) > 1e-2


def test_validation_names_the_argument():
    with pytest.raises(TypeError, match="f must"):
        gc.finite_difference("exp", 0.0, 1e-3)
    with pytest.raises(ValueError, match="h"):
        gc.finite_difference(math.exp, 0.0, 0.0)
    with pytest.raises(ValueError, match="method"):
        gc.finite_difference(math.exp, 0.0, 1e-3, "backward")
    with pytest.raises(ValueError, match="steps"):
        gc.step_errors(math.exp, math.exp, 0.0, [1e-3, -1e-3])
    with pytest.raises(TypeError, match="df"):
        gc.step_errors(math.exp, None, 0.0, [1e-3])
    with pytest.raises(ValueError, match="f_size"):
        gc.best_step("central", f_size=0.0)
    with pytest.raises(ValueError, match="h"):
        gc.error_model([0.0])


def test_plot_step_errors_reports_the_best_steps():
    view = gc.plot_step_errors(1.0)
    assert f"{gc.best_step('central', f_size=math.sin(1), derivative_size=math.cos(1)):.1e}" in (
        view.alt
    )
    assert view.caption
    with pytest.raises(ValueError, match="x"):
        gc.plot_step_errors(0.0)


def test_below_prints_the_bound_or_the_value():
    assert gc.below(2.5e-9, 1e-7) == "< 1e-7"
    assert gc.below(-4.4e-15, 1e-12) == "< 1e-12"
    assert gc.below(0.0, 1.0) == "< 1"
    assert gc.below(9.99e-8, 1e-7) == "< 1e-7"
    # at or above the bound: not round-off, so the value shows
    assert gc.below(1e-7, 1e-7) == "1e-07 (not below 1e-7)"
    assert gc.below(3.2e-5, 1e-7) == "3.2e-05 (not below 1e-7)"
    assert gc.format_power(1e3) == "1e3" and gc.format_power(1e-12) == "1e-12"
    with pytest.raises(ValueError, match="power"):
        gc.format_power(2e-7)
    with pytest.raises(ValueError, match="power"):
        gc.below(1e-9, 0.0)
    with pytest.raises(TypeError, match="value"):
        gc.below("small", 1e-7)
    with pytest.raises(ValueError, match="value"):
        gc.below(float("nan"), 1e-7)
