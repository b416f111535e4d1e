"""Checkers for Chapter 2, *Backpropagation is a chain of derivatives*.

Code: :func:`sigmoid_derivative` (Exercise 2.1) and :func:`grad_w1` (2.2), which
check functions the learner writes. Numeric answers: :func:`decades_lost`
(2.3) and :func:`best_step` (2.4).

Each checker's hints are a module-level table (``SIGMOID_HINTS``, ...), so the
tests can trigger every one of them. Every expected value is computed by
``gradlab`` (:mod:`gradlab.activations`, :mod:`gradlab.backprop`,
:mod:`gradlab.gradcheck`), never typed in.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .. import activations, backprop, gradcheck
from ._core import Feedback, Hint, Interval, Region, any_at_sig_figs, at_sig_figs, number_rule
from ._functions import Attempt, Case, Diagnoser, check_function
from ._page import CodeExercise, exercise, single_number

__all__ = ["sigmoid_derivative", "grad_w1", "decades_lost", "best_step"]

#: Settings of the exercises, shown in the chapter.
#: Exercise 2.3: a chain of DECADES_L layers, every unit at z = DECADES_Z, every weight DECADES_W.
DECADES_L, DECADES_W, DECADES_Z = 20, 3.0, 1.0
DECADES_SIG_FIGS = 3
#: Exercise 2.4: f(x) = exp(STEP_RATE x) at x = STEP_X, central difference, eps = 2**-52.
STEP_RATE, STEP_X = 2.0, 0.5
STEP_SIG_FIGS = 2
#: Exercise 2.2: the chapter's numbers (the first case of GRAD_CASES).
TINY_X, TINY_Y, TINY_W1, TINY_W2 = 1.5, 1.0, 0.8, -0.5
#: Exercise 2.1 and 2.2: relative tolerance of the code checkers (no absolute slack, so a
#: gradient of 4e-18 must be 4e-18, not 0).
CODE_RTOL = 1e-9


def _sigmoid(z: float) -> float:
    return float(activations.sigmoid(z))


def _sigmoid_prime(z: float) -> float:
    return float(activations.sigmoid_derivative(z))


def _at_sig_figs(target: float, n: int) -> Interval:
    """The values that agree with ``target`` to ``n`` significant figures.

    The same acceptance rule as the checker's (:func:`sig_fig_tolerance`), so a
    mistake answered at the precision the statement asks for is recognised.
    """
    return at_sig_figs(target, n)


# Exercise 2.1 (code): sigmoid_derivative --------------------------------------------------------


def _reference_sigmoid_derivative(z: object) -> object:
    """``sigma'(z) = e^{-|z|} / (1 + e^{-|z|})^2``, by :func:`activations.sigmoid_derivative`.

    A float for a float input (a NumPy float64 scalar), an array of the same shape otherwise.
    """
    return activations.sigmoid_derivative(z)


#: The table of inputs, ordinary first, then the tails: the first failing one is reported.
SIGMOID_CASES: tuple[Case, ...] = (
    # A positive z first: at z = 0 several wrong answers coincide (2 sigma'(0) = sigma(0)), and
    # at a negative z e^{-|z|} / (1 + e^{-|z|}) is sigma(z), so their hints could not differ.
    Case((1.5,), label="z = 1.5 (a float)"),
    Case((0.0,), label="z = 0.0 (a float)"),
    Case((-2.5,), label="z = -2.5 (a float)"),
    Case((np.array([0.0, 1.0, -1.0, 2.5, -2.5]),), label="z = [0, 1, -1, 2.5, -2.5]"),
    Case((np.linspace(-10.0, 10.0, 81),), label="z = 81 points from -10 to 10"),
    Case(
        (np.array([[-2.0, -1.0, 0.0], [1.0, 2.0, 3.0]]),),
        label="z = [[-2, -1, 0], [1, 2, 3]] (a 2-D array)",
    ),
    Case(
        (np.array([40.0, -40.0]),),
        label=f"z = [40, -40] (the tails: sigma'(40) = {_sigmoid_prime(40.0):.1e})",
    ),
    Case((np.array([800.0, -800.0]),), label="z = [800, -800]"),
    Case((np.array([[1e4], [-1e4]]),), label="z = [[1e4], [-1e4]] (a 2-D array)"),
)


def _input(a: Attempt) -> object:
    return a.case.args[0]


def _is_array_case(a: Attempt) -> bool:
    return isinstance(_input(a), np.ndarray)


def _got_matches(formula: Callable[[np.ndarray], np.ndarray]) -> Callable[[Attempt], bool]:
    """Predicate: the learner's result is ``formula(z)`` on the failing case (to 1e-6)."""

    def predicate(a: Attempt) -> bool:
        if a.problem != "value":
            return False
        z = np.asarray(_input(a), dtype=np.float64)
        with np.errstate(all="ignore"):
            want = formula(z)
            got = np.asarray(a.got, dtype=np.float64)
            if got.shape != want.shape or not np.allclose(got, want, rtol=1e-6, atol=0.0):
                return False
            # The mistake must explain the failure: where formula(z) is itself the right
            # answer (e^{-|z|} / (1 + e^{-|z|}) in the far tails), it is not this mistake.
            right = np.asarray(a.expected, dtype=np.float64)
            return not np.allclose(want, right, rtol=1e-6, atol=0.0)

    return predicate


def _overflowed(a: Attempt) -> bool:
    """On huge |z|: a floating-point error, or inf/nan in the result (exp of a large number)."""
    if not _is_array_case(a) or np.max(np.abs(_input(a))) < 700.0:
        return False
    if isinstance(a.error, FloatingPointError | OverflowError):
        return True
    if a.problem != "value":
        return False
    with np.errstate(all="ignore"):
        got = np.asarray(a.got, dtype=np.float64)
    return not bool(np.all(np.isfinite(got)))


def _lost_tail(a: Attempt) -> bool:
    """Right for moderate z, wrong only in the tails (|z| >= 30), where sigma(z) rounds to 1."""
    if a.problem != "value" or not _is_array_case(a):
        return False
    z = _input(a)
    with np.errstate(all="ignore"):
        got = np.asarray(a.got, dtype=np.float64)
        bad = ~np.isclose(got, a.expected, rtol=CODE_RTOL, atol=0.0)
    return bool(np.any(bad)) and bool(np.all(np.abs(z[bad]) >= 30.0))


def _not_elementwise(a: Attempt) -> bool:
    """Crashed on an array (math.exp, or a loop that assumes 1-D input)."""
    return _is_array_case(a) and isinstance(a.error, TypeError | ValueError)


def _not_scalar_ready(a: Attempt) -> bool:
    """Crashed on a plain float (len(z), z.shape, z.copy(), iterating over z)."""
    return not _is_array_case(a) and isinstance(a.error, TypeError | AttributeError)


def _tanh_prime(z: np.ndarray) -> np.ndarray:
    return 1.0 - np.tanh(z) ** 2


def _sigma(z: np.ndarray) -> np.ndarray:
    return activations.sigmoid(z)


SIGMOID_HINTS: tuple[Diagnoser, ...] = (
    (
        lambda a: a.problem == "mutated",
        "Your function changed the caller's array (z *= -1, np.abs(z, out=z), z[...] = ...?). "
        "Leave z alone: np.abs(z) and np.exp(...) return new arrays.",
    ),
    (
        _not_scalar_ready,
        "Your function must also accept a plain float such as 0.0: avoid len(z), z.shape, "
        "z.copy() and loops over z. NumPy's np.exp and np.abs work on floats and arrays alike.",
    ),
    (
        _not_elementwise,
        "Your function must work element-wise on arrays of any shape, 2-D included: use "
        "NumPy's np.exp and np.abs on the whole array, not math.exp or a loop over its entries.",
    ),
    (
        _overflowed,
        "The exponential of a large positive number overflows: np.exp(800) is inf in float64 "
        "(anything above about 709). Only ever take exp of a non-positive number: use "
        "np.exp(-np.abs(z)), since sigma'(z) = e^{-|z|} / (1 + e^{-|z|})^2. (np.where does "
        "not help: it computes both branches on every entry before choosing.)",
    ),
    (
        _got_matches(lambda z: 2.0 * activations.sigmoid_derivative(z)),
        "Twice the derivative: check the constant. sigma'(z) = sigma(z) (1 - sigma(z)) = "
        "e^{-|z|} / (1 + e^{-|z|})^2 has no factor 2 (its largest value is 1/4, at z = 0).",
    ),
    (
        _got_matches(lambda z: np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z)))),
        "The denominator needs its square: sigma'(z) = e^{-|z|} / (1 + e^{-|z|})^2. Without it "
        "you have e^{-|z|} / (1 + e^{-|z|}) = sigma(-|z|), a value of sigma, not its slope.",
    ),
    (
        _got_matches(_sigma),
        "That is sigma(z) itself, the activation. The exercise asks for its derivative, "
        "sigma'(z) = sigma(z) (1 - sigma(z)).",
    ),
    (
        _got_matches(_tanh_prime),
        "That is the derivative of tanh, 1 - tanh(z)^2. The sigmoid's derivative is "
        "sigma(z) (1 - sigma(z)), at most 1/4.",
    ),
    (
        _got_matches(lambda z: 1.0 - _sigma(z) ** 2),
        "That is 1 - sigma(z)^2, tanh's pattern applied to sigma. The sigmoid's derivative is "
        "sigma(z) (1 - sigma(z)).",
    ),
    (
        _got_matches(lambda z: -activations.sigmoid_derivative(z)),
        "Sign error: sigma is increasing, so sigma'(z) is positive everywhere.",
    ),
    (
        _lost_tail,
        "Right for moderate z, wrong in the tails. Once sigma(z) rounds to 1 in float64 "
        "(z > 36.7), 1 - sigma(z) is exactly 0, so sigma(z) (1 - sigma(z)) gives 0 while "
        "sigma'(40) = 4.2e-18. Compute from e^{-|z|} directly: "
        "sigma'(z) = e^{-|z|} / (1 + e^{-|z|})^2 (sigma' is even).",
    ),
)
SIGMOID_FALLBACK = (
    "sigma'(z) = sigma(z) (1 - sigma(z)) = e^{-|z|} / (1 + e^{-|z|})^2; the second form keeps "
    "full precision in the tails and never overflows."
)


SIGMOID_DERIVATIVE_CODE = CodeExercise(
    "ch2-ex-sigmoid-derivative",
    "2.1",
    f"The checker runs your function on {len(SIGMOID_CASES)} inputs, floats and arrays of "
    "several shapes out to z = ±10,000, and compares each result with gradlab's to a "
    "relative 1e-9, tails included, with no overflow and z left unchanged.",
)


@exercise(SIGMOID_DERIVATIVE_CODE)
def sigmoid_derivative(func: object) -> Feedback:
    """Exercise 2.1: check the learner's ``sigmoid_derivative(z)``.

    It must return

    .. math:: \\sigma'(z) = \\sigma(z)\\,(1 - \\sigma(z)) = \\frac{e^{-|z|}}{(1 + e^{-|z|})^2}

    element-wise, for a float (a float) and for arrays of any shape (a float
    array of that shape), without changing ``z``, to a relative ``CODE_RTOL``
    (1e-9) with no absolute slack, *including the tails* (``sigma'(40) =
    4.2e-18``, where ``sigma(z) (1 - sigma(z))`` gives 0), and with no overflow
    (``z = -1e4``). The cases are ``SIGMOID_CASES``; the reference is
    :func:`gradlab.activations.sigmoid_derivative`.

    References
    ----------
    Goodfellow, I., Bengio, Y., Courville, A. (2016). *Deep Learning*, MIT Press,
    section 6.3.2 (logistic sigmoid) and 4.1 (overflow and underflow).
    """
    return check_function(
        func,
        _reference_sigmoid_derivative,
        SIGMOID_CASES,
        name="sigmoid_derivative",
        rtol=CODE_RTOL,
        atol=0.0,
        diagnosers=SIGMOID_HINTS,
        fallback_hint=SIGMOID_FALLBACK,
    )


# Exercise 2.2 (code): grad_w1 -------------------------------------------------------------------


def _reference_grad_w1(x: float, y: float, w1: float, w2: float) -> float:
    """``dJ/dw1 = (y_hat - y) sigma'(z2) w2 sigma'(z1) x``, by :func:`backprop.tiny_chain`."""
    return backprop.tiny_chain(x, y, w1, w2).grad_w1


#: The table of inputs: the chapter's numbers first, then negative values and a saturated network.
GRAD_CASES: tuple[Case, ...] = (
    Case(
        (TINY_X, TINY_Y, TINY_W1, TINY_W2),
        label=f"x={TINY_X}, y={TINY_Y}, w1={TINY_W1}, w2={TINY_W2} (the chapter's numbers)",
    ),
    Case((-2.0, 0.0, 0.3, 1.7), label="x=-2.0, y=0.0, w1=0.3, w2=1.7 (negative input)"),
    Case((0.5, 1.0, -1.2, -2.0), label="x=0.5, y=1.0, w1=-1.2, w2=-2.0 (negative weights)"),
    Case((2.0, 0.0, 6.0, 4.0), label="x=2.0, y=0.0, w1=6.0, w2=4.0 (both units saturated)"),
)


def _grad_is(formula: Callable[[backprop.TinyChain], float]) -> Callable[[Attempt], bool]:
    """Predicate: the learner's number is ``formula(chain)`` on the failing case (to 1e-6)."""

    def predicate(a: Attempt) -> bool:
        v = a.value
        if v is None or a.problem != "value":
            return False
        want = formula(backprop.tiny_chain(*a.case.args))
        return abs(v - want) <= 1e-6 * abs(want)

    return predicate


def _sigma_for_prime(c: backprop.TinyChain) -> float:
    """sigma'(z) replaced by sigma(z) in both places."""
    return (c.y_hat - c.y) * c.y_hat * c.w2 * c.a1 * c.x


GRAD_HINTS: tuple[Diagnoser, ...] = (
    (
        _grad_is(lambda c: c.grad_w2),
        "That is dJ/dw2 = (y_hat - y) sigma'(z2) a1. For w1 the chain goes one layer further "
        "down: replace the last factor a1 = dz2/dw2 by dz2/da1 * da1/dz1 * dz1/dw1.",
    ),
    (
        _grad_is(lambda c: c.grad_w1 / c.w2),
        "A factor is missing: z2 = w2 a1, so dz2/da1 = w2. Going down through the second "
        "layer multiplies the gradient by its weight.",
    ),
    (
        _grad_is(lambda c: c.grad_w1 / _sigmoid_prime(c.z1)),
        "A factor is missing: a1 = sigma(z1), so da1/dz1 = sigma'(z1). Each sigmoid on the path "
        "contributes its derivative.",
    ),
    (
        _grad_is(lambda c: c.grad_w1 / _sigmoid_prime(c.z1) * c.a1),
        "That uses sigma(z1) where the chain rule needs da1/dz1 = sigma'(z1) = "
        "sigma(z1) (1 - sigma(z1)).",
    ),
    (
        _grad_is(lambda c: c.grad_w1 / c.x),
        "A factor is missing: z1 = w1 x, so dz1/dw1 = x.",
    ),
    (
        _grad_is(lambda c: -c.grad_w1),
        "Sign flipped: J = (y_hat - y)^2 / 2, so dJ/dy_hat = y_hat - y, not y - y_hat.",
    ),
    (
        _grad_is(lambda c: 2.0 * c.grad_w1),
        "Twice too big: the cost is (y_hat - y)^2 / 2, and the 1/2 cancels the 2 of the square: "
        "dJ/dy_hat = y_hat - y.",
    ),
    (
        _grad_is(_sigma_for_prime),
        "That uses sigma'(z) = sigma(z). The sigmoid's derivative is "
        "sigma'(z) = sigma(z) (1 - sigma(z)), at both sigmoids.",
    ),
)
GRAD_FALLBACK = (
    "Multiply the local derivatives along the path from J down to w1: "
    "dJ/dw1 = (y_hat - y) * sigma'(z2) * w2 * sigma'(z1) * x."
)


GRAD_W1_CODE = CodeExercise(
    "ch2-ex-grad-w1",
    "2.2",
    f"The checker runs your function on {len(GRAD_CASES)} sets of (x, y, w1, w2), the "
    "chapter's numbers first, then negative inputs and weights and saturated units, and "
    "compares each result with the backward pass of gradlab.backprop.tiny_chain to a "
    "relative 1e-9.",
)


@exercise(GRAD_W1_CODE)
def grad_w1(func: object) -> Feedback:
    """Exercise 2.2: check the learner's ``grad_w1(x, y, w1, w2)`` for the tiny network.

    With ``z1 = w1 x``, ``a1 = sigma(z1)``, ``z2 = w2 a1``, ``y_hat = sigma(z2)``
    and ``J = (y_hat - y)^2 / 2``, it must return the float

    .. math:: \\frac{\\partial J}{\\partial w_1} = (\\hat y - y)\\,\\sigma'(z_2)\\,w_2\\,
              \\sigma'(z_1)\\,x

    on every case of ``GRAD_CASES``, to a relative ``CODE_RTOL`` (1e-9). The
    reference is :func:`gradlab.backprop.tiny_chain` (its ``grad_w1``).

    References
    ----------
    Rumelhart, D. E., Hinton, G. E., Williams, R. J. (1986). Learning representations
    by back-propagating errors. *Nature* 323, 533-536.
    """
    return check_function(
        func,
        _reference_grad_w1,
        GRAD_CASES,
        name="grad_w1",
        rtol=CODE_RTOL,
        atol=0.0,
        diagnosers=GRAD_HINTS,
        fallback_hint=GRAD_FALLBACK,
    )


# Exercise 2.3: orders of magnitude lost -----------------------------------------------------------

#: The factor per layer, w sigma'(z).
DECADES_FACTOR = DECADES_W * _sigmoid_prime(DECADES_Z)
#: log10(dJ/da_0 / dJ/da_L): one factor per layer, L = 20 factors from the top to the input.
DECADES = DECADES_L * math.log10(DECADES_FACTOR)

DECADES_HINTS: tuple[Hint, ...] = (
    (
        _at_sig_figs(DECADES_L * math.log10(DECADES_W * _sigmoid(DECADES_Z)), DECADES_SIG_FIGS),
        f"That uses sigma({DECADES_Z:g}) = {_sigmoid(DECADES_Z):.4f}, the unit's output. The "
        f"backward pass multiplies by its derivative, sigma'({DECADES_Z:g}) = "
        f"sigma(1) (1 - sigma(1)).",
    ),
    (
        _at_sig_figs(DECADES_L * math.log10(_sigmoid_prime(DECADES_Z)), DECADES_SIG_FIGS),
        f"The weight is missing: each layer multiplies the gradient by w sigma'(z), "
        f"with w = {DECADES_W:g}.",
    ),
    (
        _at_sig_figs(DECADES_L * math.log(DECADES_FACTOR), DECADES_SIG_FIGS),
        "That is a natural logarithm. Orders of magnitude are powers of ten: use log10.",
    ),
    (
        _at_sig_figs((DECADES_L - 1) * math.log10(DECADES_FACTOR), DECADES_SIG_FIGS),
        f"Count the factors: from the output of the top layer down to the input of the first, "
        f"the gradient goes through all {DECADES_L} layers, one factor each.",
    ),
    (
        _at_sig_figs(-DECADES, DECADES_SIG_FIGS),
        f"Sign flipped: each factor w sigma'(z) = {DECADES_FACTOR:.3f} is below 1, so the "
        "gradient shrinks on its way down and the log10 of the ratio is negative.",
    ),
    (
        _at_sig_figs(DECADES_L * math.log10(DECADES_W / 4), DECADES_SIG_FIGS),
        f"That uses the bound sigma' <= 1/4, reached only at z = 0. Here every unit sits at "
        f"z = {DECADES_Z:g}: use sigma'({DECADES_Z:g}).",
    ),
    (
        _at_sig_figs(DECADES_FACTOR**DECADES_L, DECADES_SIG_FIGS),
        "That is the ratio itself. The question asks for its log10, the number of orders of "
        "magnitude.",
    ),
)
DECADES_FALLBACK = (
    "The ratio is (w sigma'(z))^L, so its log10 is L log10(w sigma'(z)), "
    "with sigma'(z) = sigma(z) (1 - sigma(z))."
)


DECADES_PAGE = single_number(
    "ch2-ex-decades",
    "2.3",
    number_rule(
        DECADES,
        what=(
            f"log10 of the gradient ratio over {DECADES_L} layers with w = {DECADES_W:g}, "
            f"z = {DECADES_Z:g}"
        ),
        sig_figs=DECADES_SIG_FIGS,
        hints=DECADES_HINTS,
        fallback_hint=DECADES_FALLBACK,
    ),
    "log10 of the ratio",
)


@exercise(DECADES_PAGE)
def decades_lost(answer: object) -> Feedback:
    """Exercise 2.3: orders of magnitude between the gradient at the top and at the input.

    A chain of ``L = DECADES_L`` scalar layers, every unit at ``z = DECADES_Z``
    and every weight ``w = DECADES_W``. Going down one layer multiplies the
    gradient by ``w sigma'(z)``; from the output of the top layer,
    ``dJ/da_L``, to the input of the first, ``dJ/da_0``, it passes ``L``
    factors (the statement says so), so

    .. math:: \\log_{10} \\frac{\\partial J / \\partial a_0}{\\partial J / \\partial a_L}
              = L \\log_{10}\\bigl(w\\,\\sigma'(z)\\bigr),

    negative when the gradient shrinks; accepted to ``DECADES_SIG_FIGS``
    significant figures (:func:`sig_fig_tolerance`). ``sigma'`` is
    :func:`gradlab.activations.sigmoid_derivative`.

    References
    ----------
    Goodfellow, I., Bengio, Y., Courville, A. (2016). *Deep Learning*, MIT Press,
    section 8.2.5 (long-term dependencies).
    """
    return DECADES_PAGE.check({"answer": answer})


# Exercise 2.4: the best step of the central difference --------------------------------------------

#: |f| and |f'''| for f(x) = exp(r x) at x: e^{r x} and r^3 e^{r x}.
STEP_F = math.exp(STEP_RATE * STEP_X)
STEP_F3 = STEP_RATE**3 * STEP_F
STEP_F2 = STEP_RATE**2 * STEP_F
BEST_STEP = gradcheck.best_step("central", f_size=STEP_F, derivative_size=STEP_F3)


def _central_step(eps: float, f3: float, factor: float = 1.5) -> float:
    return (factor * eps * STEP_F / f3) ** (1 / 3)


def _step_near(*targets: float) -> Region:
    """The values that agree with one of ``targets`` to ``STEP_SIG_FIGS`` figures."""
    return any_at_sig_figs(targets, STEP_SIG_FIGS)


STEP_HINTS: tuple[Hint, ...] = (
    (
        _step_near(
            gradcheck.best_step("forward", f_size=STEP_F, derivative_size=STEP_F2),
            gradcheck.best_step("forward", f_size=STEP_F, derivative_size=STEP_F3),
        ),
        "That is the forward difference's best step, sqrt(2 eps |f| / |f''|). For the central "
        "difference, set the derivative of E_0(h) to zero: h^3 = (3/2) eps |f| / |f'''|.",
    ),
    (
        _step_near(gradcheck.EPS ** (1 / 3)),
        "That is eps^(1/3) alone, the order of magnitude for a function of size one. Here "
        "|f| / |f'''| is not 1: h = ((3/2) eps |f| / |f'''|)^(1/3).",
    ),
    (
        _step_near(_central_step(gradcheck.EPS, STEP_F3, factor=1.0)),
        "The factor 3/2 is missing: dE_0/dh = h |f'''| / 3 - eps |f| / (2 h^2) = 0 gives "
        "h^3 = (3/2) eps |f| / |f'''|.",
    ),
    (
        _step_near(_central_step(gradcheck.EPS, STEP_F2)),
        "That uses f''. The central difference's truncation error h^2 |f'''| / 6 involves the "
        "third derivative: f'''(x) = 8 e^{2x}.",
    ),
    (
        _step_near(
            _central_step(gradcheck.EPS, STEP_F), _central_step(gradcheck.EPS, STEP_RATE * STEP_F)
        ),
        "Mind the chain rule: the derivatives of e^{2x} are 2 e^{2x}, 4 e^{2x}, 8 e^{2x}, so "
        "|f'''| = 8 e^{2x} and |f| / |f'''| = 1/8.",
    ),
    (
        _step_near(_central_step(1e-16, STEP_F3), _central_step(gradcheck.EPS / 2, STEP_F3)),
        "Use eps = 2^-52 = 2.22e-16 (np.finfo(float).eps), not 1e-16 or the unit roundoff 2^-53.",
    ),
    (
        _step_near(BEST_STEP * 10, BEST_STEP / 10),
        "Right digits, wrong power of ten: check the exponent of your answer.",
    ),
)
STEP_FALLBACK = (
    "Minimise E_0(h) = h^2 |f'''| / 6 + eps |f| / (2h): h = ((3/2) eps |f| / |f'''|)^(1/3), "
    "with f = e^{2x} and f''' = 8 e^{2x} at x = 0.5."
)


STEP_PAGE = single_number(
    "ch2-ex-best-step",
    "2.4",
    number_rule(
        BEST_STEP,
        what=f"the best central-difference step for exp({STEP_RATE:g}x) at x = {STEP_X:g}",
        sig_figs=STEP_SIG_FIGS,
        hints=STEP_HINTS,
        fallback_hint=STEP_FALLBACK,
    ),
    "Best step h",
)


@exercise(STEP_PAGE)
def best_step(answer: object) -> Feedback:
    """Exercise 2.4: the step minimising the central difference's error model for ``exp(2x)``.

    With ``E_0(h) = h^2 |f'''| / 6 + eps |f| / (2h)``, ``eps = 2^-52``,
    ``f(x) = exp(STEP_RATE x)`` at ``x = STEP_X``:

    .. math:: h_0^* = \\left(\\tfrac32 \\varepsilon |f| / |f'''|\\right)^{1/3},
              \\quad |f| = e^{2x},\\ |f'''| = 8 e^{2x}

    (:func:`gradlab.gradcheck.best_step`), accepted to ``STEP_SIG_FIGS``
    significant figures (:func:`sig_fig_tolerance`).

    References
    ----------
    Nocedal, J., Wright, S. J. (2006). *Numerical Optimization*, 2nd ed., Springer,
    section 8.1.
    """
    return STEP_PAGE.check({"answer": answer})
