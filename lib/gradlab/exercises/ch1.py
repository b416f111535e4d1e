"""Checkers for Chapter 1, *Exponential weights*.

Numeric answers: :func:`depth_to_vanish` (Exercise 1.1), :func:`growth_rate`
(1.2), :func:`critical_gain` (1.3). Code: :func:`log_abs_product` (1.4), which
checks a function ``log_abs_product(ws)`` the learner writes.

Each checker's hints are a module-level table (``DEPTH_HINTS``, ...), so the
tests can trigger every one of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import special

from .. import chains
from ._core import Feedback, Hint, at_sig_figs, below, equals, near, number_rule
from ._functions import Attempt, Case, Diagnoser, check_function
from ._page import CodeExercise, exercise, single_number

#: What Exercises 1.2 and 1.3 need beyond a calculator (shown above the page's form).
DIGAMMA_NOTE = (
    "You need the digamma function: scipy.special.digamma in the learner notebook (few "
    "calculators have it)."
)

__all__ = ["depth_to_vanish", "growth_rate", "critical_gain", "log_abs_product"]

#: Settings of the exercises, shown in the chapter.
VANISH_W, VANISH_TARGET = 0.9, 1e-6
RATE_WIDTH = 32
GAIN_WIDTH = 8
#: "4 significant figures or better", as the statements of Exercises 1.2 and 1.3 say.
RATE_SIG_FIGS = 4
GAIN_SIG_FIGS = 4


def _digamma(x: float) -> float:
    return float(special.digamma(x))


# Exercise 1.1 -------------------------------------------------------------------------------

DEPTH = chains.depth_to_reach(VANISH_W, VANISH_TARGET)
_DEPTH_RATIO = math.log(VANISH_TARGET) / math.log(VANISH_W)

DEPTH_HINTS: tuple[Hint, ...] = (
    (
        equals(DEPTH - 1),
        f"Off by one: at that depth {VANISH_W}^L is still just above {VANISH_TARGET:g}. "
        "You want the first depth *below* the threshold.",
    ),
    (
        below(0.0),
        "Depths are positive. Both logarithms, ln(1e-6) and ln(0.9), are negative; "
        "their ratio is positive.",
    ),
    (
        near(math.log10(VANISH_TARGET) / math.log(VANISH_W), 0.02),
        "It looks like log10 on top and ln below: use the same base for both.",
    ),
    (
        near(math.log(VANISH_TARGET) / math.log10(VANISH_W), 0.02),
        "It looks like ln on top and log10 below: use the same base for both.",
    ),
    (
        near(_DEPTH_RATIO, 1e-4),
        "That is the ratio ln(1e-6) / ln(0.9) itself. The depth is a whole number of layers: "
        "the smallest whole L strictly above that ratio.",
    ),
)
DEPTH_FALLBACK = "Solve 0.9^L < 1e-6 for L with logarithms: L > ln(1e-6) / ln(0.9)."


DEPTH_PAGE = single_number(
    "ch1-ex-depth",
    "1.1",
    number_rule(
        DEPTH,
        what=f"the smallest L with {VANISH_W}^L < {VANISH_TARGET:g}",
        integer=True,
        rtol=0.0,
        hints=DEPTH_HINTS,
        fallback_hint=DEPTH_FALLBACK,
    ),
    "Smallest depth L",
)


@exercise(DEPTH_PAGE)
def depth_to_vanish(answer: object) -> Feedback:
    """Exercise 1.1: the smallest depth ``L`` with ``0.9**L < 1e-6``.

    Exact: ``L = floor(ln(1e-6) / ln(0.9)) + 1`` (:func:`gradlab.chains.depth_to_reach`).
    The rule (``DEPTH_PAGE``) is data the HTML book's page checks answers with too.
    """
    return DEPTH_PAGE.check({"answer": answer})


# Exercise 1.2 -------------------------------------------------------------------------------

_RATE_SIGMA = 1 / math.sqrt(RATE_WIDTH)
RATE = chains.lyapunov_exponent(RATE_WIDTH, _RATE_SIGMA)
_CHI = math.log(2) + _digamma(RATE_WIDTH / 2)  # E[ln chi^2_n]

RATE_HINTS: tuple[Hint, ...] = (
    (
        near(0.0, atol=1e-9),
        "sigma^2 = 1/n keeps the *mean square* E||x||^2 fixed, but the rate is the mean "
        "of the *log* of the norm; by Jensen's inequality E[ln X] < ln E[X].",
    ),
    (
        near(math.log(_RATE_SIGMA)),
        "That is ln(sigma) alone. Each layer also multiplies the norm by sqrt(chi^2_n): "
        "add (1/2) E[ln chi^2_n].",
    ),
    (
        near(math.log(_RATE_SIGMA**2) + 0.5 * _CHI),
        "That uses ln(sigma^2) where the formula has ln(sigma): the norm scales with "
        "sigma, its square with sigma^2.",
    ),
    (
        # -1/(2n) itself, or rounded or truncated to the 4 significant figures asked for.
        at_sig_figs(-1 / (2 * RATE_WIDTH), 4),
        "That is the large-width approximation -1/(2n). The question asks for the exact "
        "value: use scipy.special.digamma.",
    ),
    (
        near(math.log(_RATE_SIGMA) + _CHI),
        "The norm is the *square root* of sigma^2 chi^2_n: the chi-square term has a factor 1/2.",
    ),
    (
        near(0.5 * (math.log(2) + _digamma(RATE_WIDTH) - math.log(RATE_WIDTH)), 0.05),
        "Check the digamma argument: E[ln chi^2_n] = ln 2 + psi(n/2), at n/2, not n.",
    ),
    (
        near(RATE, 0.2),
        "Close, but not exact: rounded too far, or estimated by simulation? Give at "
        f"least {RATE_SIG_FIGS} significant figures, from the formula with scipy.special.digamma.",
    ),
)
RATE_FALLBACK = "lambda = ln(sigma) + (1/2) [ln 2 + psi(n/2)], psi = scipy.special.digamma."


RATE_PAGE = single_number(
    "ch1-ex-rate",
    "1.2",
    number_rule(
        RATE,
        what=f"the growth rate per layer for n = {RATE_WIDTH}, sigma = 1/sqrt({RATE_WIDTH})",
        sig_figs=RATE_SIG_FIGS,
        hints=RATE_HINTS,
        fallback_hint=RATE_FALLBACK,
    ),
    "Growth rate λ",
    DIGAMMA_NOTE,
)


@exercise(RATE_PAGE)
def growth_rate(answer: object) -> Feedback:
    """Exercise 1.2: the Lyapunov exponent for ``n = RATE_WIDTH`` at ``sigma^2 = 1/n``.

    ``lambda = ln sigma + (1/2)[ln 2 + psi(n/2)]`` (:func:`gradlab.chains.lyapunov_exponent`),
    accepted to ``RATE_SIG_FIGS`` significant figures (:func:`sig_fig_tolerance`).
    """
    return RATE_PAGE.check({"answer": answer})


# Exercise 1.3 -------------------------------------------------------------------------------

_SIGMA_STAR = chains.critical_scale(GAIN_WIDTH)
GAIN = _SIGMA_STAR * math.sqrt(GAIN_WIDTH)

GAIN_HINTS: tuple[Hint, ...] = (
    (
        near(1.0),
        f"Gain 1 (sigma^2 = 1/n) preserves the mean square, but at n = {GAIN_WIDTH} the typical "
        "norm still shrinks: the critical gain is a little larger.",
    ),
    (
        near(math.sqrt(GAIN_WIDTH)),
        "That is sigma = 1, where most entries are below 1 in size, yet products explode: "
        "entry size is the wrong lens.",
    ),
    (
        near(_SIGMA_STAR),
        "That is sigma* itself; the question asks for the gain sigma* * sqrt(n).",
    ),
    (
        near(1 / _SIGMA_STAR),
        "Inverted: solve ln(sigma) + (1/2)[ln 2 + psi(n/2)] = 0 for sigma, then multiply "
        "by sqrt(n).",
    ),
    (
        near(1 + 1 / (2 * GAIN_WIDTH), 1e-4),
        f"That is the large-width approximation 1 + 1/(2n) = {1 + 1 / (2 * GAIN_WIDTH):g}: at "
        f"n = {GAIN_WIDTH} it is already off in the third figure. Solve lambda = 0 exactly, with "
        "the digamma function.",
    ),
    (
        near(GAIN, 0.02),
        "Close: read off the explorer? Its gain moves in steps of 0.01 in JupyterLab and 0.10 "
        f"on the book's page. Solve lambda = 0 with the formula and give at least "
        f"{GAIN_SIG_FIGS} significant figures.",
    ),
)
GAIN_FALLBACK = "Set the growth rate to zero: sigma* = exp(-(1/2)[ln 2 + psi(n/2)])."


GAIN_PAGE = single_number(
    "ch1-ex-gain",
    "1.3",
    number_rule(
        GAIN,
        what=f"the critical gain sigma* sqrt(n) for n = {GAIN_WIDTH}",
        sig_figs=GAIN_SIG_FIGS,
        hints=GAIN_HINTS,
        fallback_hint=GAIN_FALLBACK,
    ),
    "Critical gain g*",
    DIGAMMA_NOTE,
)


@exercise(GAIN_PAGE)
def critical_gain(answer: object) -> Feedback:
    """Exercise 1.3: the critical gain ``g* = sigma* sqrt(n)`` at ``n = GAIN_WIDTH``.

    ``sigma* = exp(-(1/2)[ln 2 + psi(n/2)])`` (:func:`gradlab.chains.critical_scale`),
    accepted to ``GAIN_SIG_FIGS`` significant figures (:func:`sig_fig_tolerance`).
    """
    return GAIN_PAGE.check({"answer": answer})


# Exercise 1.4 (code) --------------------------------------------------------------------------


def _reference_log_abs_product(ws: np.ndarray) -> float:
    """``ln|w_1 ... w_L| = sum_k ln|w_k|``, via :func:`gradlab.chains.log_product`."""
    return float(chains.log_product(ws)[-1])


#: The table of inputs, simple first: the first failing one is reported.
PRODUCT_CASES: tuple[Case, ...] = (
    Case((np.array([2.0]),), label="ws = [2.0]"),
    Case((np.array([0.5, 4.0, 3.0]),), label="ws = [0.5, 4.0, 3.0]"),
    Case((np.array([-2.0, 3.0, -0.25]),), label="ws = [-2.0, 3.0, -0.25] (negative weights)"),
    Case((np.full(2000, 0.5),), label="ws = 2000 weights of 0.5"),
    Case((np.full(2000, 2.0),), label="ws = 2000 weights of 2.0"),
    Case(
        (np.random.default_rng(1).normal(size=1000),),
        label="ws = 1000 standard normal weights (seed 1)",
    ),
    Case((np.array([], dtype=np.float64),), label="ws = [] (no layers: the empty product is 1)"),
)


def _has_negative(a: Attempt) -> bool:
    return bool(np.any(np.asarray(a.case.args[0]) < 0))


def _is_long(a: Attempt) -> bool:
    return len(a.case.args[0]) >= 1000


def _ratio_is(target: float) -> Callable[[Attempt], bool]:
    """Predicate: the learner's number is ``target`` times the expected one (to 1e-6)."""

    def predicate(a: Attempt) -> bool:
        v, e = a.value, float(a.expected)
        return v is not None and e != 0 and abs(v / e - target) <= 1e-6 * abs(target)

    return predicate


def _left_range(a: Attempt) -> bool:
    """The product itself overflowed to inf or underflowed to 0 before the log."""
    if not _is_long(a):
        return False
    if isinstance(a.error, FloatingPointError | OverflowError | ValueError):
        return True
    v = a.value
    return v is not None and not math.isfinite(v)


def _forgot_abs(a: Attempt) -> bool:
    if not _has_negative(a):
        return False
    invalid = isinstance(a.error, FloatingPointError) and "invalid" in str(a.error)
    domain = isinstance(a.error, ValueError) and "domain" in str(a.error)
    v = a.value
    return invalid or domain or (v is not None and math.isnan(v))


def _forgot_log(a: Attempt) -> bool:
    v = a.value
    e = math.exp(float(a.expected))
    return v is not None and abs(abs(v) - e) <= 1e-9 * e


def _mean_not_sum(a: Attempt) -> bool:
    n = len(a.case.args[0])
    return n > 1 and _ratio_is(1 / n)(a)


def _running_values(a: Attempt) -> bool:
    """An array of one value per layer (or per layer and the start): a cumulative sum."""
    got, n = a.got, len(a.case.args[0])
    return isinstance(got, np.ndarray | list) and np.ndim(got) == 1 and len(got) in (n, n + 1)


PRODUCT_HINTS: tuple[Diagnoser, ...] = (
    (
        lambda a: a.problem == "mutated",
        "Your function changed the caller's array (np.abs(ws, out=ws), ws *= ..., "
        "ws[ws < 0] = ...?). Leave ws alone: np.abs(ws) and np.log(...) return new arrays.",
    ),
    (
        _forgot_abs,
        "The logarithm of a negative number is undefined, and weights can be negative. The size "
        "of the product is |w_1 ... w_L| = |w_1| ... |w_L|: take absolute values first.",
    ),
    (
        _left_range,
        "The product itself left float64's range before you took its log (0.5^2000 underflows "
        "to 0, 2^2000 overflows to inf). Work on the log scale: the log of a product is the sum "
        "of the logs, and a sum of moderate numbers never overflows.",
    ),
    (
        _ratio_is(1 / math.log(10)),
        "Your result is ln|w_1 ... w_L| divided by ln 10: that is log10. Use the natural "
        "logarithm, np.log.",
    ),
    (
        _ratio_is(1 / math.log(2)),
        "Your result is ln|w_1 ... w_L| divided by ln 2: that is log2. Use the natural "
        "logarithm, np.log.",
    ),
    (
        _mean_not_sum,
        "That is the average ln|w| per layer (the growth rate). The log of the whole product "
        "is the sum over the layers, not the mean.",
    ),
    (
        _running_values,
        "Return one number, the log of the whole product, not the running values after each "
        "layer (a sum, not a cumulative sum).",
    ),
    (
        _forgot_log,
        "That is the size of the product itself; the exercise asks for its natural logarithm.",
    ),
)
PRODUCT_FALLBACK = "ln|w_1 w_2 ... w_L| = ln|w_1| + ln|w_2| + ... + ln|w_L|."


LOG_ABS_PRODUCT_CODE = CodeExercise(
    "ch1-ex-logprod",
    "1.4",
    f"The checker runs your function on {len(PRODUCT_CASES)} arrays of weights (negative "
    "weights, 2,000 weights whose product under- or overflows float64, and the empty "
    "chain), compares each result with gradlab's to 1e-9, and checks that ws is left "
    "unchanged.",
)


@exercise(LOG_ABS_PRODUCT_CODE)
def log_abs_product(func: object) -> Feedback:
    """Exercise 1.4: check the learner's ``log_abs_product(ws)``.

    It must return ``ln|w_1 w_2 ... w_L| = sum_k ln|w_k|`` (a float) for a
    1-D array ``ws``, without changing ``ws``, on every case of
    ``PRODUCT_CASES``: negative weights, 2000 factors whose product under- or
    overflows float64, and the empty chain. The reference is
    :func:`gradlab.chains.log_product` (Chapter 1, §1.2).
    """
    return check_function(
        func,
        _reference_log_abs_product,
        PRODUCT_CASES,
        name="log_abs_product",
        rtol=1e-9,
        atol=1e-9,
        diagnosers=PRODUCT_HINTS,
        fallback_hint=PRODUCT_FALLBACK,
    )
