"""Gradient checking by finite differences, and the numerics of the step size.

Chapter 2 of the course. A derivative computed by backpropagation can be
checked against a *finite difference*, the slope of a secant:

.. math::

    D_+ f(x) = \\frac{f(x + h) - f(x)}{h}, \\qquad
    D_0 f(x) = \\frac{f(x + h) - f(x - h)}{2h}.

Two errors compete. Taylor's theorem gives the **truncation error**,
``(h/2) |f''|`` for the forward difference and ``(h^2/6) |f'''|`` for the
central one: it falls as ``h`` shrinks. Each value of ``f`` is also rounded to
float64, with relative error up to the unit roundoff ``u = eps/2``, so the
difference of two values is off by up to ``2u|f| = eps |f|``; dividing by a
small step amplifies it into a **round-off error** that *grows* as ``h``
shrinks. The error model

.. math::

    E_+(h) = \\frac{h}{2} |f''| + \\frac{\\varepsilon |f|}{h}, \\qquad
    E_0(h) = \\frac{h^2}{6} |f'''| + \\frac{\\varepsilon |f|}{2h}

is smallest at

.. math::

    h_+^* = \\sqrt{2 \\varepsilon |f| / |f''|}, \\qquad
    h_0^* = \\left(\\tfrac32 \\varepsilon |f| / |f'''|\\right)^{1/3},

of the order of ``sqrt(eps) ~ 1.5e-8`` and ``eps^(1/3) ~ 6e-6`` for a function
whose size and derivatives are of order one, with best errors of order
``sqrt(eps) ~ 1e-8`` and ``eps^(2/3) ~ 4e-11``. The model bounds the
round-off; measured errors scatter below it.

References
----------
Nocedal, J., Wright, S. J. (2006). *Numerical Optimization*, 2nd ed.,
Springer, section 8.1.
Goodfellow, I., Bengio, Y., Courville, A. (2016). *Deep Learning*, MIT Press,
section 11.5 (debugging strategies: gradient checking).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from . import plotting
from ._validation import check_array, check_choice, check_real

__all__ = [
    "format_power",
    "below",
    "EPS",
    "finite_difference",
    "step_errors",
    "error_model",
    "best_step",
    "relative_error",
    "numerical_gradient",
    "check_gradient",
    "plot_step_errors",
]

#: Machine epsilon of float64, the spacing of floats just above 1 (2**-52).
EPS = float(np.finfo(np.float64).eps)

_METHODS = ("forward", "central")


def format_power(power: float) -> str:
    """A power of ten as text: ``1e-7``, ``1e+3`` is ``1e3``, ``1`` is ``1``.

    Raises ``ValueError`` unless ``power`` is ``10**k`` for an integer ``k``.
    """
    value = check_real(power, "power", minimum=0.0, strict_minimum=True)
    k = round(math.log10(value))
    if not math.isclose(value, 10.0**k, rel_tol=1e-12):
        raise ValueError(f"power must be a power of ten, got {value!r}")
    return "1" if k == 0 else f"1e{k}"


def below(value: object, bound: float) -> str:
    r"""Text for a round-off-level quantity that every CPU prints alike: ``"< 1e-7"``.

    The exact size of a round-off error (a finite-difference error, the difference between
    two orders of summation) depends on the CPU and the BLAS kernel; its order of magnitude
    does not. The caller chooses a power of ten ``bound`` well above what any machine gives
    (a factor of 10 or more above the value seen), so the text is the same everywhere; a value
    at or above it (a real error, not round-off) is printed as it is, so a broken check shows.

    .. math:: \text{below}(x, b) = \text{"< b"} \quad \text{if } |x| < b

    Reference: Higham, N. J. (2002). *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
    SIAM, section 3.1 (rounding errors are bounded, not predicted digit by digit).
    """
    x = check_real(value, "value")
    text = format_power(bound)
    if abs(x) < bound:
        return f"< {text}"
    return f"{x:.2g} (not below {text})"


def finite_difference(
    f: Callable[[float], float], x: float, h: float, method: str = "central"
) -> float:
    """The finite-difference estimate of ``f'(x)`` with step ``h``.

    ``forward``: ``(f(x + h) - f(x)) / h``; ``central``:
    ``(f(x + h) - f(x - h)) / (2h)``.

    Parameters
    ----------
    f : callable
        A scalar function of one float.
    x : float
        Where to differentiate.
    h : float
        The step (> 0).
    method : {"central", "forward"}
    """
    if not callable(f):
        raise TypeError(f"f must be a function of one float, got {type(f).__name__}")
    x = check_real(x, "x")
    h = check_real(h, "h", minimum=0.0, strict_minimum=True)
    method = check_choice(method, "method", _METHODS)
    if method == "forward":
        return (float(f(x + h)) - float(f(x))) / h
    return (float(f(x + h)) - float(f(x - h))) / (2 * h)


def step_errors(
    f: Callable[[float], float],
    df: Callable[[float], float],
    x: float,
    steps: np.ndarray,
    method: str = "central",
) -> np.ndarray:
    """Absolute error ``|D f(x) - f'(x)|`` of the finite difference for each step.

    Parameters
    ----------
    f, df : callable
        The function and its exact derivative.
    x : float
        Where to differentiate.
    steps : array_like
        Steps ``h`` (each > 0), e.g. ``np.logspace(-16, -1, 61)``.
    method : {"central", "forward"}

    Returns
    -------
    numpy.ndarray
        One error per step. On a log-log plot, the error falls with slope 1
        (forward) or 2 (central) where truncation dominates, and rises with
        slope -1 where round-off dominates.
    """
    if not callable(df):
        raise TypeError(f"df must be a function of one float, got {type(df).__name__}")
    steps = check_array(steps, "steps", ndim=1)
    if np.any(steps <= 0):
        raise ValueError("steps must all be > 0")
    exact = float(df(check_real(x, "x")))
    return np.array([abs(finite_difference(f, x, float(h), method) - exact) for h in steps])


def error_model(
    h: object, method: str = "central", *, f_size: float = 1.0, derivative_size: float = 1.0
) -> np.ndarray:
    """The estimated total error of a finite difference, truncation plus round-off.

    .. math:: E_+(h) = \\tfrac{h}{2} |f''| + \\varepsilon |f| / h, \\qquad
              E_0(h) = \\tfrac{h^2}{6} |f'''| + \\varepsilon |f| / (2h)

    Parameters
    ----------
    h : array_like
        Steps (each > 0).
    method : {"central", "forward"}
    f_size : float
        ``|f(x)|`` (> 0).
    derivative_size : float
        ``|f''(x)|`` for ``forward``, ``|f'''(x)|`` for ``central`` (> 0).
    """
    h = check_array(h, "h")
    if np.any(h <= 0):
        raise ValueError("h must be > 0")
    method = check_choice(method, "method", _METHODS)
    fs = check_real(f_size, "f_size", minimum=0.0, strict_minimum=True)
    ds = check_real(derivative_size, "derivative_size", minimum=0.0, strict_minimum=True)
    if method == "forward":
        return h / 2 * ds + EPS * fs / h
    return h**2 / 6 * ds + EPS * fs / (2 * h)


def best_step(
    method: str = "central", *, f_size: float = 1.0, derivative_size: float = 1.0
) -> float:
    """The step that minimises the estimated total error of a finite difference.

    .. math:: h_+^* = \\sqrt{2 \\varepsilon |f| / |f''|}, \\qquad
              h_0^* = (\\tfrac32 \\varepsilon |f| / |f'''|)^{1/3}

    (the minimum of :func:`error_model`).

    Parameters
    ----------
    method : {"central", "forward"}
    f_size : float
        ``|f(x)|`` (> 0), which sets the round-off error ``eps |f| / h``.
    derivative_size : float
        ``|f''(x)|`` for ``forward``, ``|f'''(x)|`` for ``central`` (> 0), which
        sets the truncation error.
    """
    method = check_choice(method, "method", _METHODS)
    fs = check_real(f_size, "f_size", minimum=0.0, strict_minimum=True)
    ds = check_real(derivative_size, "derivative_size", minimum=0.0, strict_minimum=True)
    if method == "forward":
        return float(np.sqrt(2.0 * EPS * fs / ds))
    return float(np.cbrt(1.5 * EPS * fs / ds))


def relative_error(a: object, b: object) -> float:
    """Relative error between two gradients: ``||a - b|| / max(||a|| + ||b||, tiny)``.

    Symmetric and scale-free. A correct backpropagation against a central
    difference typically gives about 1e-7 or less in float64; 1e-2 or more means
    a bug (a wrong factor, a missing term). Both zero gives 0.

    Parameters
    ----------
    a, b : array_like
        Gradients of the same shape.
    """
    a = check_array(a, "a")
    b = check_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    denominator = float(np.linalg.norm(a) + np.linalg.norm(b))
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b)) / denominator


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Central-difference gradient of a scalar function of an array.

    ``g_i = (f(x + h e_i) - f(x - h e_i)) / (2h)`` for every entry ``i``. ``x`` is
    not changed (the function sees perturbed copies).

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    x : array_like
        The point.
    h : float, default 1e-5
        The step (> 0).
    """
    if not callable(f):
        raise TypeError(f"f must be a function of an array, got {type(f).__name__}")
    x = check_array(x, "x").copy()
    h = check_real(h, "h", minimum=0.0, strict_minimum=True)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        up = float(f(x.copy()))
        x[idx] = old - h
        down = float(f(x.copy()))
        x[idx] = old
        grad[idx] = (up - down) / (2 * h)
    return grad


def check_gradient(
    f: Callable[[np.ndarray], float], grad: object, x: np.ndarray, h: float = 1e-5
) -> float:
    """Relative error between an analytic gradient and the central difference.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    grad : array_like
        The gradient to check, at ``x``.
    x : array_like
        The point.
    h : float, default 1e-5
        The finite-difference step.

    Returns
    -------
    float
        :func:`relative_error` of ``grad`` and :func:`numerical_gradient`.
    """
    return relative_error(grad, numerical_gradient(f, x, h))


def plot_step_errors(x: float = 1.0) -> plotting.FigureView:
    """Figure: error of forward and central differences of ``sin`` at ``x`` against the step.

    Log-log axes; the measured errors (points), the error model
    :func:`error_model` (lines) and the best steps :func:`best_step` (markers).
    """
    x = check_real(x, "x")
    steps = np.logspace(-15, -1, 141)
    f_size, d2, d3 = abs(math.sin(x)), abs(math.sin(x)), abs(math.cos(x))
    if min(f_size, d3) < 1e-3:
        raise ValueError("x must keep |sin x| and |cos x| away from 0 (e.g. x = 1)")
    fig, ax = plotting.new_figure(plotting.FIGURE_WIDTH, 4.2)
    styles = {
        "forward": (plotting.COLORS["orange"], d2, "^"),
        "central": (plotting.COLORS["blue"], d3, "o"),
    }
    best = {}
    with plotting.style():  # legends and texts read the style when created
        for method, (colour, size, marker) in styles.items():
            errors = step_errors(math.sin, math.cos, x, steps, method)
            shown = np.maximum(errors, 1e-14)  # an error of exactly 0 cannot sit on a log axis
            ax.loglog(steps, shown, marker, ms=2.5, ls="none", color=colour, alpha=0.6)
            model = error_model(steps, method, f_size=f_size, derivative_size=size)
            ax.loglog(steps, model, "-", lw=1.5, color=colour, label=f"{method} difference")
            h_star = best_step(method, f_size=f_size, derivative_size=size)
            ax.axvline(h_star, color=colour, lw=1, ls=":")
            at_best = error_model(h_star, method, f_size=f_size, derivative_size=size)
            best[method] = (h_star, float(at_best))
        ax.set_ylim(1e-14, 1)
        ax.set_xticks([1e-15, 1e-12, 1e-9, 1e-6, 1e-3])
        ax.set_yticks([1e-12, 1e-9, 1e-6, 1e-3, 1])
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(plotting.log_tick_formatter())
        ax.minorticks_off()
        ax.set_xlabel("step h")
        ax.set_ylabel("error of the derivative")
        # "best": lower left at x = 1 (the book's), higher up where small x fills that corner
        ax.legend(loc="best", title="points: measured; lines: model")
    alt = (
        f"Log-log plot of the error of finite-difference derivatives of sin at x = {x:g} "
        "against the step h from 1e-15 to 0.1. For large h the error falls as h shrinks "
        "(slope 1 for the forward difference, 2 for the central one); for small h round-off "
        "makes it rise again, like 1/h. The best steps are "
        f"{best['forward'][0]:.1e} (forward, model error {best['forward'][1]:.0e}) and "
        f"{best['central'][0]:.1e} (central, model error {best['central'][1]:.0e}); the measured "
        "points scatter below the model's curves."
    )
    caption = (
        "The error of a finite difference against its step. Truncation error falls as $h$ "
        "shrinks, round-off error grows: the central difference does best near "
        r"$h \approx \varepsilon^{1/3}$, the forward one near $\sqrt{\varepsilon}$."
    )
    return plotting.show(fig, alt, caption, label="fig-step-errors")
