"""Finite differences and the numerics of the step size (gradlab.gradcheck)."""

import math

import matplotlib
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


# --- each quantity against its definition, computed here ---------------------------------------


def test_finite_differences_are_their_formulas_exactly():
    f = lambda x: x**3  # noqa: E731 (in binary: every value below is exact)
    assert gc.finite_difference(f, 1.0, 0.5, "forward") == (1.5**3 - 1.0) / 0.5
    assert gc.finite_difference(f, 1.0, 0.5, "central") == (1.5**3 - 0.5**3) / 1.0
    assert gc.finite_difference(f, 1.0, 0.5) == gc.finite_difference(f, 1.0, 0.5, "central")
    # central on x^3: 3x^2 + h^2, so the default step of numerical_gradient shows in the result
    # (near 0, where the round-off eps |f| / h is far below h^2)
    x = np.array([1e-3, 2e-3])
    g = gc.numerical_gradient(lambda v: float(np.sum(v**3)), x)
    np.testing.assert_allclose(g - 3 * x**2, [1e-10, 1e-10], rtol=1e-3)
    g = gc.numerical_gradient(lambda v: float(np.sum(v**3)), np.array([1.0]), h=0.5)
    assert g[0] == 3.0 + 0.25


def test_numerical_gradient_perturbs_one_entry_at_a_time_and_leaves_x_alone():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    weights = np.array([[1.0, 2.0], [3.0, 4.0]])
    g = gc.numerical_gradient(lambda v: float(np.sum(weights * v**2)), x, h=0.25)
    np.testing.assert_allclose(g, 2 * weights * x, rtol=1e-15)  # central: exact on a quadratic
    np.testing.assert_array_equal(x, before)
    # check_gradient: relative_error against the central difference, same default step
    grad = 2 * weights * x
    assert gc.check_gradient(lambda v: float(np.sum(weights * v**2)), grad, x) < 1e-9
    wrong = grad + [[0.0, 0.0], [0.0, 1.0]]
    want = np.linalg.norm(wrong - grad) / (np.linalg.norm(wrong) + np.linalg.norm(grad))
    got = gc.check_gradient(lambda v: float(np.sum(weights * v**2)), wrong, x)
    assert got == pytest.approx(want, rel=1e-8)
    cubic = lambda v: float(np.sum(v**3))  # noqa: E731
    # numerical: 3e-6 + h^2 with the default h = 1e-5, against the exact 3e-6
    assert gc.check_gradient(cubic, [3e-6], [1e-3]) == pytest.approx(1e-10 / 6e-6, rel=1e-3)
    assert gc.check_gradient(cubic, [3.0], [1.0], h=0.5) == pytest.approx(0.25 / 6.25)


def test_error_model_is_its_formula_and_best_step_is_its_minimum():
    h = np.array([1e-9, 3e-6, 1e-3])
    fs, ds = 2.5, 0.75
    np.testing.assert_allclose(
        gc.error_model(h, "forward", f_size=fs, derivative_size=ds),
        h / 2 * ds + gc.EPS * fs / h,
        rtol=1e-15,
    )
    np.testing.assert_allclose(
        gc.error_model(h, f_size=fs, derivative_size=ds),
        h**2 / 6 * ds + gc.EPS * fs / (2 * h),
        rtol=1e-15,
    )
    np.testing.assert_allclose(gc.error_model(h), h**2 / 6 + gc.EPS / (2 * h), rtol=1e-15)
    grid = np.logspace(-12, -2, 200_001)
    for method in ("forward", "central"):
        model = gc.error_model(grid, method, f_size=fs, derivative_size=ds)
        best = gc.best_step(method, f_size=fs, derivative_size=ds)
        assert best == pytest.approx(grid[np.argmin(model)], rel=1e-4)
    assert gc.best_step() == pytest.approx((1.5 * gc.EPS) ** (1 / 3), rel=1e-14)
    assert gc.best_step("forward") == pytest.approx(math.sqrt(2 * gc.EPS), rel=1e-14)


def test_relative_error_is_its_definition():
    a, b = np.array([3.0, 4.0]), np.array([0.0, 4.0])
    assert gc.relative_error(a, b) == 3.0 / (5.0 + 4.0)
    assert gc.relative_error(np.zeros(2), np.zeros(2)) == 0.0
    assert gc.relative_error([1e-150], [0.0]) == 1.0
    with pytest.raises(ValueError) as caught:
        gc.relative_error(np.zeros(2), np.zeros(3))
    assert str(caught.value) == "a and b must have the same shape, got (2,) and (3,)"


def test_below_at_awkward_values_just_under_and_at_the_bound():
    for bound in (1e-7, 1e-12, 1.0, 1e3):
        under = float(np.nextafter(bound, 0.0))
        assert gc.below(under, bound) == f"< {gc.format_power(bound)}"
        assert gc.below(-under, bound) == f"< {gc.format_power(bound)}"
        assert gc.below(bound, bound) == f"{bound:.2g} (not below {gc.format_power(bound)})"
        assert gc.below(-bound, bound).startswith(f"{-bound:.2g} (not below")
    assert gc.format_power(1.0) == "1"
    assert gc.format_power(1e-7 * (1 + 1e-13)) == "1e-7"  # 1e-7 as computed, not typed
    assert gc.format_power(10.0**-7) == "1e-7"
    with pytest.raises(ValueError) as caught:
        gc.format_power(1e-7 * (1 + 1e-11))
    assert str(caught.value).startswith("power must be a power of ten, got 1.0000000000")
    with pytest.raises(ValueError) as caught:
        gc.format_power(0.0)
    assert str(caught.value) == "power must be > 0.0, got 0.0"


def test_refusals_are_worded_exactly():
    cases = [
        (lambda: gc.finite_difference(3, 0.0, 1e-3), "f must be a function of one float, got int"),
        (lambda: gc.step_errors(math.sin, 3, 0.0, [1e-3]), "df must be a function of one float"),
        (lambda: gc.step_errors(math.sin, math.cos, 0.0, [1e-3, 0.0]), "steps must all be > 0"),
        (lambda: gc.error_model([1e-3, 0.0]), "h must be > 0"),
        (lambda: gc.numerical_gradient(3, [1.0]), "f must be a function of an array, got int"),
        (lambda: gc.best_step(derivative_size=0.0), "derivative_size must be > 0.0, got 0.0"),
        (lambda: gc.error_model([1.0], f_size=-1.0), "f_size must be > 0.0, got -1.0"),
    ]
    for call, message in cases:
        with pytest.raises((TypeError, ValueError)) as caught:
            call()
        assert str(caught.value).startswith(message), message


def test_step_errors_are_the_finite_difference_errors_one_by_one():
    steps = np.array([0.5, 0.25])
    got = gc.step_errors(lambda x: x**3, lambda x: 3 * x**2, 1.0, steps, "forward")
    want = [abs((1.5**3 - 1.0) / 0.5 - 3.0), abs((1.25**3 - 1.0) / 0.25 - 3.0)]
    np.testing.assert_array_equal(got, want)
    got = gc.step_errors(lambda x: x**3, lambda x: 3 * x**2, 1.0, steps)
    np.testing.assert_allclose(got, steps**2, rtol=1e-12)  # central on x^3: exactly h^2


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gc.finite_difference(math.sin, "1", 1e-3), "x must be a real number, got str"),
        (lambda: gc.finite_difference(math.sin, 1.0, -1e-3), "h must be > 0.0, got -0.001"),
        (
            lambda: gc.finite_difference(math.sin, 1.0, 1e-3, "back"),
            "method must be one of ['forward', 'central'], got 'back'",
        ),
        (lambda: gc.step_errors(math.sin, math.cos, "1", [1e-3]), "x must be a real number"),
        (lambda: gc.step_errors(math.sin, math.cos, 1.0, [[1e-3]]), "steps must have 1 dimen"),
        (lambda: gc.error_model("h"), "h must be an array of numbers, got a string"),
        (lambda: gc.error_model([1e-3], "back"), "method must be one of ['forward', 'central']"),
        (lambda: gc.error_model([1e-3], f_size=0.0), "f_size must be > 0.0, got 0.0"),
        (
            lambda: gc.error_model([1e-3], derivative_size=0.0),
            "derivative_size must be > 0.0, got 0.0",
        ),
        (
            lambda: gc.error_model([1e-3], derivative_size=-1.0),
            "derivative_size must be > 0.0, got -1.0",
        ),
        (lambda: gc.best_step("back"), "method must be one of ['forward', 'central']"),
        (lambda: gc.best_step(f_size=-2.0), "f_size must be > 0.0, got -2.0"),
        (lambda: gc.best_step(derivative_size=-1.0), "derivative_size must be > 0.0, got -1.0"),
        (lambda: gc.relative_error("a", [1.0]), "a must be an array of numbers, got a string"),
        (lambda: gc.relative_error([1.0], "b"), "b must be an array of numbers, got a string"),
        (lambda: gc.numerical_gradient(np.sum, "x"), "x must be an array of numbers, got a string"),
        (lambda: gc.numerical_gradient(np.sum, [1.0], h=0.0), "h must be > 0.0, got 0.0"),
        (lambda: gc.numerical_gradient(np.sum, [1.0], h=-1.0), "h must be > 0.0, got -1.0"),
        (lambda: gc.below("x", 1e-7), "value must be a real number, got str"),
    ],
)
def test_every_argument_is_named_in_its_refusal(call, message):
    with pytest.raises((TypeError, ValueError)) as caught:
        call()
    assert str(caught.value).startswith(message)


def test_the_step_error_figure_draws_what_its_alt_text_says(monkeypatch):
    shown = {}

    def show(fig, alt, caption, label):
        shown.update(fig=fig, alt=alt, label=label)
        return alt

    monkeypatch.setattr(gc.plotting, "show", show)
    x = 1.0
    gc.plot_step_errors(x)
    ax = shown["fig"].axes[0]
    steps = np.logspace(-15, -1, 141)
    sizes = {"forward": abs(math.sin(x)), "central": abs(math.cos(x))}
    lines = list(ax.get_lines())
    assert len(lines) == 6  # per method: measured points, model curve, best step
    for i, method in enumerate(("forward", "central")):
        points, model, best = lines[3 * i : 3 * i + 3]
        np.testing.assert_array_equal(points.get_xdata(), steps)
        errors = gc.step_errors(math.sin, math.cos, x, steps, method)
        np.testing.assert_array_equal(points.get_ydata(), np.maximum(errors, 1e-14))
        assert points.get_linestyle() == "None"  # points, not a line
        np.testing.assert_array_equal(model.get_xdata(), steps)
        want = gc.error_model(steps, method, f_size=abs(math.sin(x)), derivative_size=sizes[method])
        np.testing.assert_array_equal(model.get_ydata(), want)
        assert model.get_label() == f"{method} difference"
        h_star = gc.best_step(method, f_size=abs(math.sin(x)), derivative_size=sizes[method])
        assert list(best.get_xdata()) == [h_star, h_star]
        assert f"{h_star:.1e} ({method}" in shown["alt"]
        at = gc.error_model(h_star, method, f_size=abs(math.sin(x)), derivative_size=sizes[method])
        assert f"model error {float(at):.0e})" in shown["alt"]
        # one colour per method: points, curve and best step
        assert points.get_color() == model.get_color() == best.get_color()
        # The best step is a guide: dotted and thinner than the solid model curve.
        assert best.get_linestyle() == ":" and model.get_linestyle() == "-"
        assert best.get_linewidth() < model.get_linewidth()
        # 141 measured points per method: small and translucent, so they stay apart and the
        # model curve shows through them (smaller than matplotlib's default marker).
        assert 0.0 < points.get_alpha() < 1.0
        with gc.plotting.style():
            assert points.get_markersize() < matplotlib.rcParams["lines.markersize"]
    assert lines[0].get_color() != lines[3].get_color()
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert ax.get_ylim() == (1e-14, 1)
    assert list(ax.get_xticks()) == [1e-15, 1e-12, 1e-9, 1e-6, 1e-3]
    assert list(ax.get_yticks()) == [1e-12, 1e-9, 1e-6, 1e-3, 1]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("step h", "error of the derivative")
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "points: measured; lines: model"
    assert [t.get_text() for t in legend.get_texts()] == [
        "forward difference",
        "central difference",
    ]
    assert shown["label"] == "fig-step-errors"


def test_the_step_error_figure_is_described_in_full_and_marks_each_method(monkeypatch):
    shown = {}

    def show(fig, alt, caption, label):
        shown.update(fig=fig, alt=alt, caption=caption)
        return alt

    monkeypatch.setattr(gc.plotting, "show", show)
    x = 0.01  # |f| = sin x is far from 1, so the model errors use the real size of f
    gc.plot_step_errors(x)
    f, d2, d3 = math.sin(x), math.sin(x), math.cos(x)
    best = {
        m: (
            gc.best_step(m, f_size=f, derivative_size=d),
            gc.error_model(d_h, m, f_size=f, derivative_size=d),
        )
        for m, d, d_h in (
            ("forward", d2, gc.best_step("forward", f_size=f, derivative_size=d2)),
            ("central", d3, gc.best_step("central", f_size=f, derivative_size=d3)),
        )
    }
    assert shown["alt"] == (
        f"Log-log plot of the error of finite-difference derivatives of sin at x = {x:g} "
        "against the step h from 1e-15 to 0.1. For large h the error falls as h shrinks "
        "(slope 1 for the forward difference, 2 for the central one); for small h round-off "
        "makes it rise again, like 1/h. The best steps are "
        f"{best['forward'][0]:.1e} (forward, model error {float(best['forward'][1]):.0e}) and "
        f"{best['central'][0]:.1e} (central, model error {float(best['central'][1]):.0e}); "
        "the measured points scatter below the model's curves."
    )
    assert shown["caption"] == (
        "The error of a finite difference against its step. Truncation error falls as $h$ "
        "shrinks, round-off error grows: the central difference does best near "
        r"$h \approx \varepsilon^{1/3}$, the forward one near $\sqrt{\varepsilon}$."
    )
    fig = shown["fig"]
    # The book's figure width, and taller than the course's 3.6 in: the error axis spans
    # fourteen decades.
    assert tuple(fig.get_size_inches()) == (gc.plotting.FIGURE_WIDTH, 4.2)
    forward_points, central_points = fig.axes[0].get_lines()[0], fig.axes[0].get_lines()[3]
    markers = {forward_points.get_marker(), central_points.get_marker()}
    assert len(markers) == 2 and "None" not in markers and None not in markers


def test_plot_step_errors_refuses_an_x_near_a_zero_of_sin_or_cos():
    for x in (0.0, math.pi / 2, "1"):
        with pytest.raises((TypeError, ValueError)) as caught:
            gc.plot_step_errors(x)
    assert str(caught.value) == "x must be a real number, got str '1'"
    with pytest.raises(ValueError) as caught:
        gc.plot_step_errors(1e-4)
    assert str(caught.value) == "x must keep |sin x| and |cos x| away from 0 (e.g. x = 1)"
    with pytest.raises(TypeError) as caught:
        gc.step_errors(math.sin, 3, 0.0, [1e-3])
    assert str(caught.value) == "df must be a function of one float, got int"


def test_the_step_error_figure_defaults_to_x_1_and_accepts_sin_x_of_exactly_1e_3(monkeypatch):
    alts = []
    monkeypatch.setattr(gc.plotting, "show", lambda fig, alt, caption, label: alts.append(alt))
    # The default x is the one the refusal suggests (and the book draws): x = 1.
    gc.plot_step_errors()
    assert "of sin at x = 1 against" in alts[-1]
    # The rule is |sin x| >= 1e-3 and |cos x| >= 1e-3: math.asin(1e-3) has sin exactly 1e-3
    # (checked below), so it is drawn; the float just below it is refused.
    x = math.asin(1e-3)
    assert abs(math.sin(x)) == 1e-3 and abs(math.sin(math.nextafter(x, 0.0))) < 1e-3
    gc.plot_step_errors(x)
    assert f"of sin at x = {x:g} against" in alts[-1]
    with pytest.raises(ValueError, match=r"^x must keep \|sin x\| and \|cos x\| away from 0"):
        gc.plot_step_errors(math.nextafter(x, 0.0))


@pytest.mark.parametrize("x", [1.0, 0.01, math.asin(1e-3)])
def test_the_step_error_figure_legend_hides_no_point_or_curve(monkeypatch, x):
    # At x = 1 (the book's figure) the lower left corner is empty, and the legend sits there;
    # near x = 0 (sin x small) the measured points scatter down into that corner.
    shown = {}
    monkeypatch.setattr(gc.plotting, "show", lambda fig, *a, **k: shown.update(fig=fig))
    gc.plot_step_errors(x)
    fig = shown["fig"]
    fig.canvas.draw()
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    box, panel = ax.get_legend().get_window_extent(renderer), ax.get_window_extent(renderer)
    lines = ax.get_lines()
    for line in lines[0:2] + lines[3:5]:  # per method: the measured points, the model curve
        xy = ax.transData.transform(np.column_stack([line.get_xdata(), line.get_ydata()]))
        inside = (box.x0 <= xy[:, 0]) & (xy[:, 0] <= box.x1)
        inside &= (box.y0 <= xy[:, 1]) & (xy[:, 1] <= box.y1)
        assert not inside.any(), (x, line.get_label())
    if x == 1.0:
        assert box.x0 - panel.x0 < 0.05 * panel.width and box.y0 - panel.y0 < 0.05 * panel.height
