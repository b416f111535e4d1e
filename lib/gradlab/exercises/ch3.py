"""Checkers for Chapter 3, *Activation functions: saturation, ReLU, leaky ReLU*.

Code: :func:`leaky_relu` (Exercise 3.1) checks a function the learner writes,
``leaky_relu_and_derivative(z, slope=0.01)``, which returns the pair (value, derivative).
Numeric: :func:`dead_units` (3.2) counts the dead units of a batch
(:func:`dead_units_batch`), and :func:`choose_activation` (3.3) takes an activation's name
*and* the gradient ratio measured for it.

Each checker's hints are a module-level table (``LEAKY_HINTS``, ``DEAD_HINTS``,
:func:`choice_ratio_hints`), so the tests can trigger every one of them. Every expected value
is computed by ``gradlab`` (:mod:`gradlab.activations`, :class:`gradlab.network.MLP`,
:func:`gradlab.backprop.gradient_norms_at_init`), never typed in.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from .. import activations, backprop
from ..network import MLP
from ._core import (
    Feedback,
    Hint,
    Interval,
    Region,
    any_at_sig_figs,
    at_sig_figs,
    between,
    equals,
    number_rule,
)
from ._functions import Attempt, Case, Diagnoser, check_function, is_stub
from ._page import (
    NEEDS_NOTEBOOK,
    CodeExercise,
    Field,
    Option,
    PageExercise,
    exercise,
    single_number,
)

__all__ = [
    "leaky_relu",
    "dead_units_batch",
    "dead_units",
    "choose_activation",
    "choice_ratios",
    "choice_ratio_hints",
    "passing",
]

#: Exercise 3.1: the default slope, and the relative tolerance (no absolute slack).
LEAKY_SLOPE = 0.01
CODE_RTOL = 1e-9
#: Exercise 3.2: the batch of pre-activations (seed, examples, units).
DEAD_SEED, DEAD_BATCH, DEAD_UNITS = 5, 6, 10
#: Exercise 3.3: the network (depth, width, gain = sigma sqrt(width), seed), the candidates,
#: the criterion (first/last gradient ratio within a factor CHOICE_FACTOR either way) and the
#: significant figures asked for the ratio.
CHOICE_DEPTH, CHOICE_WIDTH, CHOICE_GAIN, CHOICE_SEED = 15, 64, 6.0, 0
CHOICES = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "silu")
CHOICE_FACTOR = 100.0
CHOICE_SIG_FIGS = 2


def _at_sig_figs(target: float, n: int) -> Interval:
    """The values that agree with ``target`` to ``n`` significant figures."""
    return at_sig_figs(target, n)


# Exercise 3.1 (code): leaky ReLU and its derivative ---------------------------------------------


def _reference_leaky(z: object, slope: float = LEAKY_SLOPE) -> tuple[object, object]:
    """``(leaky_relu(z), leaky_relu'(z))`` by :mod:`gradlab.activations` (slope at ``z = 0``)."""
    return (
        activations.leaky_relu(z, negative_slope=slope),
        activations.leaky_relu_derivative(z, negative_slope=slope),
    )


#: The table of inputs: a negative and a positive float, the kink, arrays (with 0 and -0.0),
#: then other slopes. The first failing one is reported.
LEAKY_CASES: tuple[Case, ...] = (
    Case((-2.0,), label="z = -2.0 (a float)"),
    Case((3.0,), label="z = 3.0 (a float)"),
    Case((0.0,), label="z = 0.0 (a float: the kink)"),
    Case((np.array([-3.0, -0.5, 0.0, 0.5, 3.0]),), label="z = [-3, -0.5, 0, 0.5, 3]"),
    Case(
        (np.array([[-2.0, -1.0, -0.0], [0.0, 1.0, 2.0]]),),
        label="z = [[-2, -1, -0.0], [0, 1, 2]] (a 2-D array)",
    ),
    Case(
        (np.array([-4.0, -1.0, 0.0, 2.0]),),
        {"slope": 0.2},
        label="z = [-4, -1, 0, 2], slope = 0.2",
    ),
    Case(
        (np.linspace(-5.0, 5.0, 12).reshape(3, 4),),
        {"slope": 0.3},
        label="z = 12 points from -5 to 5 as a 3 x 4 array, slope = 0.3",
    ),
)


def _z(a: Attempt) -> np.ndarray:
    return np.asarray(a.case.args[0], dtype=np.float64)


def _slope(a: Attempt) -> float:
    return float(a.case.kwargs.get("slope", LEAKY_SLOPE))


def _pair(a: Attempt) -> tuple[np.ndarray, np.ndarray] | None:
    """The learner's (value, derivative) as float arrays, if it returned two numbers/arrays."""
    if not isinstance(a.got, tuple | list) or len(a.got) != 2:
        return None
    try:
        with np.errstate(all="ignore"):
            value, derivative = (np.asarray(g, dtype=np.float64) for g in a.got)
    except Exception:
        return None
    return value, derivative


def _close(got: np.ndarray, want: object) -> bool:
    want = np.asarray(want, dtype=np.float64)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-6, atol=1e-12))


def _pair_is(
    value: Callable[[np.ndarray, float], np.ndarray] | None = None,
    derivative: Callable[[np.ndarray, float], np.ndarray] | None = None,
    *,
    either: bool = False,
) -> Callable[[Attempt], bool]:
    """Predicate: on the failing case the learner's value and/or derivative follow a formula.

    Every given half must match its formula, and at least one of them must be wrong (else the
    answer is right, or off only by rounding); with ``either``, one wrong half that matches its
    formula is enough (at ``z = 0`` many formulas give the right value 0, which says nothing
    about the mistake).
    """

    def predicate(a: Attempt) -> bool:
        pair = _pair(a)
        if a.problem != "value" or pair is None:
            return False
        z, s = _z(a), _slope(a)
        right = _reference_leaky(z, s)
        matches, wrong = [], []
        with np.errstate(all="ignore"):
            for got, formula, want in zip(pair, (value, derivative), right, strict=True):
                if formula is None:
                    continue
                matches.append(_close(got, np.broadcast_to(formula(z, s), z.shape)))
                wrong.append(not _close(got, want))
        if either:
            return any(m and w for m, w in zip(matches, wrong, strict=True))
        return all(matches) and any(wrong)

    return predicate


def _leaky_value(z: np.ndarray, s: float) -> np.ndarray:
    return np.where(z > 0, z, s * z)


def _leaky_derivative(z: np.ndarray, s: float) -> np.ndarray:
    return np.where(z > 0, 1.0, s)


def _not_scalar_ready(a: Attempt) -> bool:
    """Crashed on a plain float (z.copy(), z[z < 0], len(z), ...)."""
    return not isinstance(a.case.args[0], np.ndarray) and isinstance(
        a.error, TypeError | AttributeError | IndexError
    )


def _not_elementwise(a: Attempt) -> bool:
    """Crashed on an array: Python's ``if z > 0``, ``max(z, slope * z)``, ``math`` functions."""
    return isinstance(a.case.args[0], np.ndarray) and isinstance(a.error, TypeError | ValueError)


def _not_a_pair(a: Attempt) -> bool:
    got = a.got
    return (
        a.problem == "type"
        and got is not None
        and got is not Ellipsis
        and not (isinstance(got, tuple | list) and len(got) == 2)
    )


def _half_unfinished(a: Attempt) -> bool:
    return isinstance(a.got, tuple | list) and any(g is Ellipsis or g is None for g in a.got)


def _swapped(a: Attempt) -> bool:
    pair = _pair(a)
    if a.problem != "value" or pair is None:
        return False
    value, derivative = _reference_leaky(_z(a), _slope(a))
    return _close(pair[0], derivative) and _close(pair[1], value)


def _ignores_slope(a: Attempt) -> bool:
    """Right with the default slope 0.01, wrong with the slope the case passes."""
    if _slope(a) == LEAKY_SLOPE:
        return False
    return _pair_is(
        lambda z, s: _leaky_value(z, LEAKY_SLOPE), lambda z, s: _leaky_derivative(z, LEAKY_SLOPE)
    )(a)


LEAKY_HINTS: tuple[Diagnoser, ...] = (
    (
        lambda a: a.problem == "mutated",
        "Your function changed the caller's array (z[z < 0] *= slope, or z *= ...?). Leave z "
        "alone: np.where(z > 0, z, slope * z) returns a new array.",
    ),
    (
        _not_scalar_ready,
        "Your function must also accept a plain float such as -2.0: avoid z.copy(), z[z < 0] "
        "and len(z). np.where and np.asarray work on floats and arrays alike.",
    ),
    (
        _not_elementwise,
        "Python's `if z > 0`, max(z, slope * z) and the math module take one number at a time; "
        "on an array they fail. Work element-wise on the whole array with np.where (or "
        "np.maximum).",
    ),
    (
        _not_a_pair,
        "Return both results as a pair: `return value, derivative`.",
    ),
    (
        _half_unfinished,
        "One of the two results is still `...` (or None): compute both the value and the "
        "derivative, then `return value, derivative`.",
    ),
    (
        _swapped,
        "The two results are swapped: return the value first, then the derivative.",
    ),
    (
        _pair_is(_leaky_value, lambda z, s: np.where(z >= 0, 1.0, s)),
        "At the kink z = 0 the derivative must be the slope, not 1: take the z <= 0 branch "
        "(gradlab's convention, and PyTorch's and TensorFlow's). Test z > 0, not z >= 0.",
    ),
    (
        _pair_is(lambda z, s: s * z, lambda z, s: np.full(z.shape, s), either=True),
        "That multiplies by the slope everywhere. Only the negative side is scaled: for z > 0 "
        "the leaky ReLU is z itself, with derivative 1.",
    ),
    (
        _pair_is(
            lambda z, s: np.where(z > 0, s * z, z),
            lambda z, s: np.where(z > 0, s, 1.0),
            either=True,
        ),
        "The slope is on the wrong side: leaky ReLU keeps z for z > 0 and multiplies by the "
        "slope for z <= 0 (derivative 1 on the right, slope on the left).",
    ),
    (
        _pair_is(lambda z, s: np.maximum(z, 0.0), lambda z, s: (z > 0).astype(float), either=True),
        "That is the plain ReLU, which is 0 (with derivative 0) for z <= 0. The leaky ReLU "
        "lets a little through: slope * z, with derivative slope.",
    ),
    (
        _ignores_slope,
        "Use the slope argument: this case passes slope = 0.2 or 0.3, and your function "
        "still uses 0.01.",
    ),
    (
        _pair_is(_leaky_value, _leaky_value),
        "The derivative is a constant on each side of 0: 1 for z > 0 and the slope for "
        "z <= 0, not the value slope * z.",
    ),
)
LEAKY_FALLBACK = (
    "value = z for z > 0 and slope * z for z <= 0; derivative = 1 for z > 0 and slope for "
    "z <= 0 (np.where(z > 0, ..., ...) does both)."
)


LEAKY_RELU_CODE = CodeExercise(
    "ch3-ex-leaky-relu",
    "3.1",
    f"The checker runs your function on {len(LEAKY_CASES)} inputs, floats and arrays, the "
    "kink z = 0 and other slopes among them, and compares the pair it returns with "
    "gradlab's, leaving z unchanged.",
)


@exercise(LEAKY_RELU_CODE)
def leaky_relu(func: object) -> Feedback:
    """Exercise 3.1: check the learner's ``leaky_relu_and_derivative(z, slope=0.01)``.

    It must return the pair

    .. math::

        \\phi(z) = \\begin{cases} z & z > 0 \\\\ \\text{slope}\\cdot z & z \\le 0 \\end{cases},
        \\qquad
        \\phi'(z) = \\begin{cases} 1 & z > 0 \\\\ \\text{slope} & z \\le 0 \\end{cases}

    element-wise, for a float (two numbers) and for arrays of any shape (two float arrays of
    that shape), without changing ``z``, to a relative ``CODE_RTOL``. At the kink,
    ``phi'(0) = slope`` (the ``z <= 0`` branch: gradlab's convention, shared by PyTorch and
    TensorFlow; JAX gives 1). The cases are ``LEAKY_CASES``; the reference is
    :func:`gradlab.activations.leaky_relu` and :func:`~gradlab.activations.leaky_relu_derivative`.

    References
    ----------
    Maas, A. L., Hannun, A. Y., Ng, A. Y. (2013). Rectifier nonlinearities improve neural
    network acoustic models. *ICML Workshop on Deep Learning for Audio, Speech and Language*.
    """
    if callable(func) and not is_stub(func):  # (is_stub must see the learner's own code)
        func = _unfinished_pair_as_stub(func)
    return check_function(
        func,
        _reference_leaky,
        LEAKY_CASES,
        name="leaky_relu_and_derivative",
        rtol=CODE_RTOL,
        atol=0.0,
        diagnosers=LEAKY_HINTS,
        fallback_hint=LEAKY_FALLBACK,
    )


def _unfinished_pair_as_stub(func: Callable[..., object]) -> Callable[..., object]:
    """``func``, except that the starter's ``(..., ...)`` comes back as ``...`` (not attempted).

    The arguments pass through unchanged, so changes in place are still caught.
    """

    @functools.wraps(func)
    def wrapper(*args: object, **kwargs: object) -> object:
        got = func(*args, **kwargs)
        if isinstance(got, tuple | list) and got and all(g is Ellipsis for g in got):
            return Ellipsis
        return got

    return wrapper


# Exercise 3.2: dead units on a batch -------------------------------------------------------------


def dead_units_batch() -> np.ndarray:
    """The batch of Exercise 3.2: pre-activations ``z`` of a ReLU layer, shape (6, 10).

    One row per example, one column per unit; each unit has a bias pushed towards negative
    values (uniform in [-2, 0.5], rounded to 0.1) and each entry adds a standard-normal
    input, rounded to one decimal (so some entries are exactly 0). Seeded
    (``DEAD_SEED``): a fresh copy on every call, the same numbers every time.
    """
    rng = np.random.default_rng(DEAD_SEED)
    bias = np.round(rng.uniform(-2.0, 0.5, DEAD_UNITS), 1)
    z = np.round(rng.standard_normal((DEAD_BATCH, DEAD_UNITS)) + bias, 1)
    return z + 0.0  # -0.0 becomes 0.0, so the printed array shows no "-0."


def _dead_by_diagnostics(z: np.ndarray) -> int:
    """Dead units by :meth:`MLP.diagnostics`: ``relu'(z) = 0`` on every row of the column.

    A ReLU network whose first layer is the identity (zero bias) has exactly ``z`` as that
    layer's pre-activations when fed ``z``; its ``dead_fraction`` times the width is the count.
    """
    units = z.shape[1]
    net = MLP.from_arrays(
        [np.eye(units), np.ones((units, 1))], [np.zeros(units), np.zeros(1)], "relu"
    )
    return int(round(net.diagnostics(z).dead_fraction[0] * units))


_Z = dead_units_batch()
#: The answer: units whose column is <= 0 on every example.
DEAD = _dead_by_diagnostics(_Z)
_DEAD_ENTRIES = int(np.count_nonzero(_Z <= 0))
_NEGATIVE_ENTRIES = int(np.count_nonzero(_Z < 0))
_DEAD_ROWS = int(np.count_nonzero(np.all(_Z <= 0, axis=1)))
_DEAD_STRICT = int(np.count_nonzero(np.all(_Z < 0, axis=0)))
_SOMETIMES_OFF = int(np.count_nonzero(np.any(_Z <= 0, axis=0)))


def _is(target: float) -> Region:
    return equals(target)


DEAD_HINTS: tuple[Hint, ...] = (
    (
        _is(_DEAD_STRICT),
        "z = 0 counts too: relu'(0) = 0, so a unit at exactly 0 passes no gradient. Test "
        "z <= 0, not z < 0 (one column holds an exact 0).",
    ),
    (
        equals(_DEAD_ENTRIES, _NEGATIVE_ENTRIES),
        "That counts entries of Z. The question counts units: a unit is a column, dead when "
        "all of its entries are <= 0.",
    ),
    (
        _is(_DEAD_ROWS),
        "That counts examples (rows) on which every unit is <= 0. A unit is a column: test "
        "each column over all the rows (axis=0).",
    ),
    (
        _is(DEAD_UNITS - DEAD),
        "That is the number of units still alive (some z > 0 in their column). The question "
        "asks for the dead ones.",
    ),
    (
        _is(_SOMETIMES_OFF),
        "A unit that is <= 0 on some examples still passes gradient through the others. Dead "
        "means <= 0 on every example: np.all, not np.any.",
    ),
    (
        between(0.0, 1.0),
        "That is a fraction. The question asks for a number of units.",
    ),
)
DEAD_FALLBACK = (
    "A unit is dead on this batch when relu'(z) = 0 on every example: every entry of its column "
    "is <= 0. Count such columns: np.all(Z <= 0, axis=0).sum()."
)


DEAD_PAGE = single_number(
    "ch3-ex-dead-units",
    "3.2",
    number_rule(
        DEAD,
        what=f"the number of dead units among the {DEAD_UNITS}",
        rtol=0.0,
        atol=0.0,
        integer=True,
        hints=DEAD_HINTS,
        fallback_hint=DEAD_FALLBACK,
    ),
    "Dead units",
)


@exercise(DEAD_PAGE)
def dead_units(answer: object) -> Feedback:
    """Exercise 3.2: how many units of :func:`dead_units_batch` are dead on this batch.

    A ReLU unit is dead on a batch when ``relu'(z) = 0`` on every example, i.e. its column
    of ``Z`` is ``<= 0`` in every row (``relu'(0) = 0``). The expected count is computed as
    :meth:`gradlab.network.MLP.diagnostics` computes ``dead_fraction``; the answer must be
    that whole number exactly.

    References
    ----------
    Lu, L., Shin, Y., Su, Y., Karniadakis, G. E. (2020). Dying ReLU and initialization:
    theory and numerical examples. *Communications in Computational Physics* 28(5).
    """
    return DEAD_PAGE.check({"answer": answer})


# Exercise 3.3: choose the activation, and justify it with a number -------------------------------


@functools.cache
def _measure(name: str) -> backprop.GradientNorms:
    return backprop.gradient_norms_at_init(
        name, CHOICE_DEPTH, CHOICE_WIDTH, CHOICE_GAIN, seed=CHOICE_SEED
    )


def choice_ratios() -> dict[str, float]:
    """``||dJ/da_0|| / ||dJ/da_{L-1}||`` for every candidate, by
    :func:`gradlab.backprop.gradient_norms_at_init` on the exercise's network."""
    return {n: float(_measure(n).backward[0] / _measure(n).backward[-1]) for n in CHOICES}


def passing() -> tuple[str, ...]:
    """The candidates whose ratio lies within a factor ``CHOICE_FACTOR`` either way."""
    bound = math.log10(CHOICE_FACTOR)
    return tuple(n for n, r in choice_ratios().items() if abs(math.log10(r)) <= bound)


def choice_ratio_hints(name: str) -> tuple[Hint, ...]:
    """The hint table for a ratio given with a passing ``name`` (each at 2 significant figures)."""
    ratios = choice_ratios()
    r = ratios[name]
    norms = _measure(name)
    others = [(other, ratios[other]) for other in CHOICES if other != name]
    return (
        (
            _at_sig_figs(1.0 / r, CHOICE_SIG_FIGS),
            "That is the ratio upside down, last layer over first. Divide the first layer's "
            "norm by the last one's: norms.backward[0] / norms.backward[-1].",
        ),
        (
            _at_sig_figs(math.log10(r), CHOICE_SIG_FIGS),
            "That is log10 of the ratio (decades). Give the ratio itself.",
        ),
        (
            _at_sig_figs(math.log(r), CHOICE_SIG_FIGS),
            "That is the natural log of the ratio. Give the ratio itself.",
        ),
        (
            _at_sig_figs(float(norms.weight[0] / norms.weight[-1]), CHOICE_SIG_FIGS),
            "That is the ratio of the weight gradients, norms.weight. The question is about "
            "the gradient entering each layer: norms.backward.",
        ),
        (
            any_at_sig_figs([x for _, x in others], CHOICE_SIG_FIGS),
            "That ratio belongs to another activation. Measure it with the activation you name.",
        ),
    )


def _choice_fallback(name: str) -> str:
    return (
        f"Measure it: norms = backprop.gradient_norms_at_init({name!r}, {CHOICE_DEPTH}, "
        f"{CHOICE_WIDTH}, {CHOICE_GAIN:g}, seed={CHOICE_SEED}), then "
        "norms.backward[0] / norms.backward[-1]."
    )


def _wrong_choice(key: str) -> Feedback:
    r = choice_ratios()[key]
    decades = math.log10(r)
    trend = "grows" if decades > 0 else "shrinks"
    return Feedback(
        "incorrect",
        f"{key} does not keep the gradient within a factor of {CHOICE_FACTOR:g}.",
        f"With {key} the gradient {trend} by {abs(decades):.1f} decades from the last layer "
        f"to the first (ratio {r:.2g}): "
        f"{abs(decades) - math.log10(CHOICE_FACTOR):.1f} decades beyond the factor of "
        f"{CHOICE_FACTOR:g}. Measure the other candidates.",
    )


def _activation_name(name: object) -> str | Feedback:
    options = ", ".join(repr(c) for c in CHOICES)
    if not isinstance(name, str):
        return Feedback(
            "incorrect",
            f"expected the activation's name as a string, got {type(name).__name__}.",
            f"Write the name in quotes, one of {options}.",
        )
    key = name.strip().lower()
    if key not in CHOICES:
        return Feedback(
            "incorrect", f"{name!r} is not one of the candidates.", f"Choose one of {options}."
        )
    return key


@functools.cache
def choice_page() -> PageExercise:
    """Exercise 3.3 as data: the activation (a choice; the ones that fail carry their verdict)
    and, for a passing one, its ratio's rule (:func:`choice_ratio_hints`)."""
    ratios = choice_ratios()
    ok = passing()
    rules = {
        key: number_rule(
            ratios[key],
            what=f"the first/last gradient ratio with {key}",
            sig_figs=CHOICE_SIG_FIGS,
            hints=choice_ratio_hints(key),
            fallback_hint=_choice_fallback(key),
        )
        for key in ok
    }
    options = tuple(Option(key, key, None if key in ok else _wrong_choice(key)) for key in CHOICES)
    return PageExercise(
        "ch3-ex-choose-activation",
        "3.3",
        (
            Field(
                "name",
                "Activation",
                blank="replace the first ... with an activation's name.",
                blank_page="choose an activation.",
                options=options,
                normalise=_activation_name,
            ),
            Field(
                "ratio",
                "Ratio first/last",
                blank="replace the second ... with the first/last gradient ratio you measured.",
                blank_page="type the first/last gradient ratio you measured, then press Check.",
                depends_on="name",
                rules=rules,
            ),
        ),
        note=NEEDS_NOTEBOOK.format(
            what="each candidate's ratio is measured with gradlab.backprop.gradient_norms_at_init"
        ),
    )


@exercise(choice_page)
def choose_activation(name: object, ratio: object) -> Feedback:
    """Exercise 3.3: which activation keeps the first layer's gradient within 100x of the last's.

    The network: ``CHOICE_DEPTH = 15`` layers of width 64, weights i.i.d.
    ``N(0, gain^2 / 64)`` with gain 6 (``sigma = 0.75``), zero biases, seed 0, probe cost
    (:func:`gradlab.backprop.gradient_norms_at_init`). The candidates are ``CHOICES``. An
    answer is correct when ``name`` satisfies

    .. math:: \\frac{1}{100} \\le \\frac{\\|\\partial J / \\partial a_0\\|}
              {\\|\\partial J / \\partial a_{L-1}\\|} \\le 100

    and ``ratio`` is that activation's ratio to ``CHOICE_SIG_FIGS`` significant figures.
    With these settings only the **sigmoid** passes (ratio 0.019, -1.7 decades): tanh
    explodes by 3.5 decades and the ReLU family, ELU and SiLU by about 8.6, while at
    Chapter 2's gain of 1 the sigmoid was the one that vanished (-18 decades at depth 30).
    Since ``sigma'(0) = 1/4``, the sigmoid needs a gain about four times tanh's to keep the
    gradient's size. The tests recompute this.

    References
    ----------
    Glorot, X., Bengio, Y. (2010). Understanding the difficulty of training deep feedforward
    neural networks. *AISTATS*, 249-256.
    """
    return choice_page().check({"name": name, "ratio": ratio})
