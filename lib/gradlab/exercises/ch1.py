"""Checkers for Chapter 1, *Exponential weights*."""

from __future__ import annotations

import math

from scipy import special

from .. import chains
from ._core import Feedback, check_number, near

__all__ = ["depth_to_vanish", "growth_rate", "critical_gain"]

#: Settings of the exercises, shown in the chapter.
VANISH_W, VANISH_TARGET = 0.9, 1e-6
RATE_WIDTH = 32
GAIN_WIDTH = 8


def depth_to_vanish(answer: object) -> Feedback:
    """Exercise 1.1: the smallest depth ``L`` with ``0.9**L < 1e-6``."""
    w, target = VANISH_W, VANISH_TARGET
    expected = chains.depth_to_reach(w, target)

    return check_number(
        answer,
        expected,
        what=f"the smallest L with {w}^L < {target:g}",
        integer=True,
        rtol=0.0,
        hints=[
            (
                lambda v: v == expected - 1,
                f"Off by one: at that depth {w}^L is still just above {target:g}. "
                "You want the first depth *below* the threshold.",
            ),
            (
                lambda v: v < 0,
                "Depths are positive. Both logarithms, ln(1e-6) and ln(0.9), are negative; "
                "their ratio is positive.",
            ),
            (
                near(math.log10(target) / math.log(w), 0.02),
                "It looks like log10 on top and ln below: use the same base for both.",
            ),
            (
                near(math.log(target) / math.log10(w), 0.02),
                "It looks like ln on top and log10 below: use the same base for both.",
            ),
        ],
        fallback_hint="Solve 0.9^L < 1e-6 for L with logarithms: L > ln(1e-6) / ln(0.9).",
    )


def growth_rate(answer: object) -> Feedback:
    """Exercise 1.2: the Lyapunov exponent for ``n = RATE_WIDTH`` at ``sigma^2 = 1/n``."""
    n = RATE_WIDTH
    sigma = 1 / math.sqrt(n)
    expected = chains.lyapunov_exponent(n, sigma)
    chi = math.log(2) + _digamma(n / 2)
    return check_number(
        answer,
        expected,
        what=f"the growth rate per layer for n = {n}, sigma = 1/sqrt({n})",
        rtol=1e-4,
        atol=1e-6,
        hints=[
            (
                near(0.0, atol=1e-9),
                "sigma^2 = 1/n keeps the *mean square* E||x||^2 fixed, but the rate is the mean "
                "of the *log* of the norm; by Jensen's inequality E[ln X] < ln E[X].",
            ),
            (
                near(math.log(sigma)),
                "That is ln(sigma) alone. Each layer also multiplies the norm by sqrt(chi^2_n): "
                "add (1/2) E[ln chi^2_n].",
            ),
            (
                near(math.log(sigma**2) + 0.5 * chi),
                "That uses ln(sigma^2) where the formula has ln(sigma): the norm scales with "
                "sigma, its square with sigma^2.",
            ),
            (
                near(-1 / (2 * n), 1e-4),
                "That is the large-width approximation -1/(2n). The question asks for the exact "
                "value: use scipy.special.digamma.",
            ),
            (
                near(math.log(sigma) + chi),
                "The norm is the *square root* of sigma^2 chi^2_n: the chi-square term has a "
                "factor 1/2.",
            ),
            (
                near(0.5 * (math.log(2) + _digamma(n) - math.log(n)), 0.05),
                "Check the digamma argument: E[ln chi^2_n] = ln 2 + psi(n/2), at n/2, not n.",
            ),
            (
                near(expected, 0.2),
                "Close, but not exact: rounded too far, or estimated by simulation? Give at "
                "least 4 significant figures, from the formula with scipy.special.digamma.",
            ),
        ],
        fallback_hint="lambda = ln(sigma) + (1/2) [ln 2 + psi(n/2)], psi = scipy.special.digamma.",
    )


def critical_gain(answer: object) -> Feedback:
    """Exercise 1.3: the critical gain ``g* = sigma* sqrt(n)`` at ``n = GAIN_WIDTH``."""
    n = GAIN_WIDTH
    sigma_star = chains.critical_scale(n)
    expected = sigma_star * math.sqrt(n)
    return check_number(
        answer,
        expected,
        what=f"the critical gain sigma* sqrt(n) for n = {n}",
        rtol=1e-4,
        hints=[
            (
                near(1.0),
                f"Gain 1 (sigma^2 = 1/n) preserves the mean square, but at n = {n} the typical "
                "norm still shrinks: the critical gain is a little larger.",
            ),
            (
                near(math.sqrt(n)),
                "That is sigma = 1, where most entries are below 1 in size, yet products explode: "
                "entry size is the wrong lens.",
            ),
            (
                near(sigma_star),
                "That is sigma* itself; the question asks for the gain sigma* * sqrt(n).",
            ),
            (
                near(expected, 0.02),
                "Close: read off the slider? Its step is 0.01. Solve lambda = 0 with the formula "
                "and give at least 4 significant figures.",
            ),
            (
                near(1 / sigma_star),
                "Inverted: solve ln(sigma) + (1/2)[ln 2 + psi(n/2)] = 0 for sigma, then multiply "
                "by sqrt(n).",
            ),
        ],
        fallback_hint="Set the growth rate to zero: sigma* = exp(-(1/2)[ln 2 + psi(n/2)]).",
    )


def _digamma(x: float) -> float:
    return float(special.digamma(x))
