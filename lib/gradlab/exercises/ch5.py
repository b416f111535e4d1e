"""Checkers for Chapter 5, *Gradient clipping*.

Code: :func:`clip_by_global_norm` (Exercise 5.1) checks the learner's
``clip_by_global_norm(grads, max_norm)`` against :func:`gradlab.clipping.clip_by_global_norm`
(with ``eps=0``), including zero gradients, a norm exactly at the threshold, and inputs left
unchanged. Numeric: :func:`value_clip_angle` (5.2) is the angle value clipping turns a given
gradient by; :func:`decide_clipping` (5.3) takes, for two gradient-norm histories, whether each is
spiky, and the threshold the median rule gives for the spiky one.

Each checker's hints are a module-level table (``GLOBAL_DIAGNOSERS``, ``ANGLE_HINTS``,
:func:`threshold_hints`), so the tests can trigger every one of them. Every expected value is
computed by ``gradlab`` (:mod:`gradlab.clipping`, :mod:`gradlab.recurrent_study`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from .. import clipping, recurrent_study
from ._core import Feedback, Hint, Interval, at_sig_figs, between, number_rule
from ._functions import Attempt, Case, Diagnoser, check_function
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
    "clip_by_global_norm",
    "value_clip_angle",
    "ANGLE_GRADIENT",
    "ANGLE_THRESHOLD",
    "norm_history",
    "regenerate_history",
    "HISTORIES",
    "decide_clipping",
    "threshold_hints",
    "spiky_history",
    "SPIKE_FACTOR",
]

# Exercise 5.1 (code): clip by global norm -----------------------------------------------------


def _reference_global(grads: list, max_norm: float) -> list:
    """gradlab's global clipping without eps (Pascanu et al.'s rule), new arrays."""
    return clipping.clip_by_global_norm(grads, max_norm, eps=0.0)[0]


def _g(*rows: list[float]) -> np.ndarray:
    return np.array(rows, dtype=np.float64)


#: The table of inputs, simple to hard; the first failing one is reported.
GLOBAL_CASES: tuple[Case, ...] = (
    Case(([np.array([3.0, 4.0])], 1.0), label="grads = [array([3., 4.])], max_norm = 1.0"),
    Case(
        ([np.array([3.0, 0.0]), np.array([[0.0, 4.0]])], 2.5),
        label="grads = [array([3., 0.]), array([[0., 4.]])], max_norm = 2.5 (global norm 5)",
    ),
    Case(
        ([np.array([0.3, -0.4]), np.array([0.1])], 1.0),
        label="grads = [array([0.3, -0.4]), array([0.1])], max_norm = 1.0 (already small)",
    ),
    Case(
        ([np.zeros(3), np.zeros((2, 2))], 1.0),
        label="all-zero gradients [zeros(3), zeros((2, 2))], max_norm = 1.0",
    ),
    Case(
        ([np.array([6.0, 8.0]), np.array([0.0])], 10.0),
        label="grads = [array([6., 8.]), array([0.])], max_norm = 10.0 (norm exactly 10)",
        rtol=0.0,
        atol=0.0,
    ),
    Case(
        ([_g([2.0, -1.0], [0.5, 3.0]), np.array([-7.0, 0.25, 1.0]), np.array([1e-3])], 0.5),
        label="a 2x2, a 3-entry and a 1-entry gradient, max_norm = 0.5",
    ),
)


def _grads(a: Attempt) -> list[np.ndarray]:
    return [np.asarray(g, dtype=np.float64) for g in a.case.args[0]]


def _max_norm(a: Attempt) -> float:
    return float(a.case.args[1])


def _got_list(a: Attempt) -> list[np.ndarray] | None:
    if not isinstance(a.got, (list, tuple)) or len(a.got) != len(a.case.args[0]):
        return None
    try:
        return [np.asarray(g, dtype=np.float64) for g in a.got]
    except Exception:
        return None


def _matches(a: Attempt, expected: list[np.ndarray]) -> bool:
    got = _got_list(a)
    if got is None or a.problem != "value":
        return False
    return all(
        g.shape == e.shape and np.allclose(g, e, rtol=1e-7, atol=1e-12)
        for g, e in zip(got, expected, strict=True)
    )


def _per_tensor(a: Attempt) -> bool:
    return _matches(a, clipping.clip_by_norm(_grads(a), _max_norm(a), eps=0.0)[0])


def _always_rescaled(a: Attempt) -> bool:
    grads, c = _grads(a), _max_norm(a)
    total = clipping.global_norm(grads)
    return total > 0 and _matches(a, [g * (c / total) for g in grads])


def _by_value(a: Attempt) -> bool:
    return _matches(a, [np.clip(g, -_max_norm(a), _max_norm(a)) for g in _grads(a)])


def _squared_norm(a: Attempt) -> bool:
    grads, c = _grads(a), _max_norm(a)
    sq = sum(float(np.sum(g * g)) for g in grads)
    return sq > c and _matches(a, [g * (c / sq) for g in grads])


def _sum_of_norms(a: Attempt) -> bool:
    grads, c = _grads(a), _max_norm(a)
    total = sum(float(np.linalg.norm(g)) for g in grads)
    return total > c and _matches(a, [g * (c / total) for g in grads])


def _with_eps(a: Attempt) -> bool:
    got = _got_list(a)
    if got is None or a.problem != "value":
        return False
    grads, c = _grads(a), _max_norm(a)
    total = clipping.global_norm(grads)
    for eps in (1e-6, 1e-8, 1e-12):
        scale = min(1.0, c / (total + eps))
        if all(
            np.allclose(g, e * scale, rtol=1e-12, atol=0) for g, e in zip(got, grads, strict=True)
        ):
            return True
    return False


def _zero_division(a: Attempt) -> bool:
    zero = all(not np.any(g) for g in _grads(a))
    return zero and (a.problem == "error" or (a.problem == "value" and a.got is not None))


def _clipped_only_above(a: Attempt) -> bool:
    """Returned the scale, the norm or one array instead of the list."""
    return a.problem == "type" and not isinstance(a.got, (list, tuple)) and a.got is not None


#: Specific mistakes, checked in order on the first failing case.
GLOBAL_DIAGNOSERS: tuple[Diagnoser, ...] = (
    (
        _zero_division,
        "All the gradients are zero, so the global norm is 0: divide only when the norm is "
        "above max_norm (if total > max_norm: ...), and return the zeros unchanged.",
    ),
    (
        # before _per_tensor and _always_rescaled: with a tiny eps (1e-8, 1e-12) the first
        # failure is the norm exactly at the threshold, where those two expect the arrays
        # unchanged and match within their tolerance
        _with_eps,
        "Close: you added a small eps to the norm, as PyTorch does (1e-6). This exercise asks "
        "for Pascanu et al.'s rule without eps: scale by exactly max_norm / total_norm.",
    ),
    (
        _per_tensor,
        "You clipped each array on its own norm (per tensor, Keras's clipnorm). Global clipping "
        "computes ONE norm over all arrays together, sqrt(sum of every squared entry), and "
        "scales every array by the same factor.",
    ),
    (
        _always_rescaled,
        "You rescaled gradients whose norm is already below max_norm, which lengthens them. "
        "Only rescale when the global norm is larger than max_norm.",
    ),
    (
        _by_value,
        "That is clipping by value (each entry into [-max_norm, max_norm]), which turns the "
        "gradient. Rescale all arrays by max_norm / total_norm instead.",
    ),
    (
        _squared_norm,
        "You divided by the sum of squares: the norm is its square root, "
        "sqrt(sum over arrays of np.sum(g**2)).",
    ),
    (
        _sum_of_norms,
        "You added the arrays' norms. The global norm is the norm of all entries together: "
        "sqrt(sum of the squared norms), not the sum of the norms.",
    ),
    (
        _clipped_only_above,
        "Return the list of clipped arrays (one per input array, in the same order).",
    ),
)


CLIP_BY_GLOBAL_NORM_CODE = CodeExercise(
    "ch5-ex-global-norm",
    "5.1",
    f"The checker runs your function on {len(GLOBAL_CASES)} lists of gradients, all-zero "
    "ones and a norm exactly at the threshold among them, compares the result with "
    "gradlab's, and checks that the caller's arrays are left unchanged.",
)


@exercise(CLIP_BY_GLOBAL_NORM_CODE)
def clip_by_global_norm(func: object) -> Feedback:
    """Exercise 5.1: check the learner's ``clip_by_global_norm(grads, max_norm)``.

    It must return a new list of arrays, ``g_i * max_norm / N`` when the global norm
    ``N = sqrt(sum_i ||g_i||^2)`` is above ``max_norm`` and the arrays unchanged otherwise,
    without modifying its input (Pascanu et al. 2013, Algorithm 1, without eps). The reference
    is :func:`gradlab.clipping.clip_by_global_norm` with ``eps=0`` on ``GLOBAL_CASES``: zero
    gradients, a norm exactly at the threshold (compared exactly) and the caller's arrays left
    unchanged are among them. Hints: ``GLOBAL_DIAGNOSERS``.
    """
    feedback = check_function(
        func,
        _reference_global,
        GLOBAL_CASES,
        name="clip_by_global_norm",
        diagnosers=GLOBAL_DIAGNOSERS,
        fallback_hint="Compute total = sqrt(sum of np.sum(g**2) over the arrays); if total > "
        "max_norm, return [g * (max_norm / total) for g in grads], else copies of the arrays.",
    )
    if feedback.correct:
        shared = _shares_the_callers_arrays(func)
        if shared:
            return Feedback(
                "incorrect",
                f"clip_by_global_norm returned the caller's own array ({shared}) instead of a "
                "copy: the values are right, but a later in-place update of the result would "
                "change the caller's gradients.",
                "When nothing is clipped, return copies: [g.copy() for g in grads].",
            )
    return feedback


#: A list whose global norm (0.5) is below the threshold (1.0): nothing to clip, so a correct
#: function returns copies, not the arrays it was given.
SHARING_CASE = ([np.array([0.3, 0.4])], 1.0)


def _shares_the_callers_arrays(func: Callable[..., object]) -> str:
    """Which input array the result shares memory with, on :data:`SHARING_CASE` ("" if none)."""
    grads = [g.copy() for g in SHARING_CASE[0]]
    try:
        out = func(grads, SHARING_CASE[1])
        arrays = list(out) if isinstance(out, (list, tuple)) else []
    except Exception:  # noqa: BLE001 - the main check already ran this function cleanly
        return ""
    for i, (got, given) in enumerate(zip(arrays, grads, strict=False)):
        if isinstance(got, np.ndarray) and np.shares_memory(got, given):
            return f"array {i} of the list"
    return ""


# Exercise 5.2: the angle a value clip introduces ----------------------------------------------

#: The gradient and threshold of Exercise 5.2, and the figures asked for.
ANGLE_GRADIENT = (2.5, -0.4, 1.2)
ANGLE_THRESHOLD = 1.0
ANGLE_SIG_FIGS = 3


@functools.lru_cache(maxsize=1)
def _angle_case() -> clipping.ClipComparison:
    return clipping.compare_clipping(np.array(ANGLE_GRADIENT), ANGLE_THRESHOLD)


def expected_angle() -> float:
    """The answer: degrees between ``ANGLE_GRADIENT`` and its value clip at ``ANGLE_THRESHOLD``."""
    return _angle_case().value_angle


def _at(target: float, n: int = ANGLE_SIG_FIGS) -> Interval:
    return at_sig_figs(target, n)


def _angle_hints() -> tuple[Hint, ...]:
    r = _angle_case()
    g, v = r.gradient, r.by_value
    cos = float(g @ v / (np.linalg.norm(g) * np.linalg.norm(v)))
    wrong_clip = np.clip(g, 0.0, ANGLE_THRESHOLD)  # clipped to [0, c]: the sign lost
    wrong = math.degrees(
        math.acos(g @ wrong_clip / (np.linalg.norm(g) * np.linalg.norm(wrong_clip)))
    )
    return (
        (
            _at(math.radians(r.value_angle)),
            "That is the angle in radians: the question asks for "
            "degrees (multiply by 180/π, or use np.degrees).",
        ),
        (
            _at(cos),
            "That is the cosine of the angle: take np.arccos of it, then convert to degrees.",
        ),
        (
            between(-1e-6, 1e-6),
            "Norm clipping keeps the direction (angle 0); value clipping "
            "clamps each entry to [-c, c] with np.clip(g, -c, c), which turns it.",
        ),
        (
            _at(wrong),
            "Clip each entry to [-c, c], not [0, c]: np.clip(g, -c, c) keeps the sign "
            "of the negative entry.",
        ),
        (
            _at(180.0 - r.value_angle),
            "That is 180° minus the angle: the cosine of the angle "
            "between g and its clip is positive (the angle is below 90°).",
        ),
    )


ANGLE_FALLBACK = (
    "Clip: v = np.clip(g, -c, c). Then cos θ = g·v / (‖g‖ ‖v‖) and θ = degrees(arccos(cos θ))."
)


@functools.cache
def angle_page() -> PageExercise:
    """Exercise 5.2 as data (built on first use: it runs
    :func:`gradlab.clipping.compare_clipping`)."""
    return single_number(
        "ch5-ex-angle",
        "5.2",
        number_rule(
            expected_angle(),
            what="the angle between g and its value-clipped version, in degrees",
            sig_figs=ANGLE_SIG_FIGS,
            hints=_angle_hints(),
            fallback_hint=ANGLE_FALLBACK,
        ),
        "Angle in degrees",
    )


@exercise(angle_page)
def value_clip_angle(answer: object) -> Feedback:
    """Exercise 5.2: the angle, in degrees, between ``g = ANGLE_GRADIENT`` and its value clip.

    .. math:: v = \\mathrm{clip}(g, -c, c), \\qquad
              \\theta = \\arccos \\frac{g \\cdot v}{\\|g\\|\\,\\|v\\|}

    with ``c = ANGLE_THRESHOLD``, to ``ANGLE_SIG_FIGS`` significant figures
    (:func:`gradlab.clipping.compare_clipping`).
    """
    return angle_page().check({"answer": answer})


# Exercise 5.3: decide from a gradient-norm history --------------------------------------------

#: A history "spikes" when its largest norm exceeds SPIKE_FACTOR times its median.
SPIKE_FACTOR = 10.0
#: Where the two histories came from: the first RULE_STEPS global gradient norms of an
#: unclipped :func:`gradlab.recurrent_study.run_adding` run on a tanh RNN with these
#: recurrent scales (gamma sigma_max) and seeds, rounded to 4 significant figures. They are
#: stored here as fixed numbers, not retrained: an exploding run is chaotic, and a learner's
#: CPU would give other norms (tests/test_exercises_ch5.py retrains their first steps).
HISTORY_SCALES = {"a": 1.2, "b": 2.0}
HISTORY_SEEDS = {"a": 0, "b": 2}
#: The rule's number of steps and percentile, and the figures asked for.
RULE_STEPS, RULE_PERCENTILE, THRESHOLD_SIG_FIGS = 50, 50.0, 2
#: The histories themselves (norms, steps 0 to 49).
HISTORIES: dict[str, tuple[float, ...]] = {
    "a": (
        12.17, 2.548, 4.483, 6.274, 5.989, 5.667, 2.976, 4.195, 4.347, 2.911,
        3.593, 4.032, 1.258, 4.306, 3.372, 2.233, 3.285, 2.815, 1.602, 2.223,
        2.48, 2.053, 1.426, 2.622, 1.692, 2.64, 2.231, 1.761, 2.073, 1.391,
        1.473, 1.899, 2.505, 2.008, 1.535, 1.769, 1.516, 1.667, 2.66, 1.384,
        3.31, 2.115, 4.033, 3.14, 2.404, 4.543, 4.165, 2.248, 4.067, 2.172,
    ),
    "b": (
        31.67, 11.12, 12.15, 13.85, 40.57, 43.02, 33.44, 6.7, 18.42, 34.65,
        29.73, 49.69, 8.509, 637.9, 184.8, 789.0, 969.7, 576.8, 3346.0, 777.6,
        702.7, 1647.0, 126.4, 288.9, 518.6, 467.3, 189.8, 154.5, 388.1, 403.5,
        2103.0, 74.67, 87.34, 189.7, 186.2, 86.22, 50.34, 147.5, 158.5, 87.77,
        21.51, 112.0, 138.4, 90.29, 3.179, 90.14, 125.4, 95.65, 22.09, 55.29,
    ),
}  # fmt: skip


def _history(name: str) -> np.ndarray:
    norms = np.array(HISTORIES[name], dtype=float)
    norms.setflags(write=False)
    return norms


def regenerate_history(name: str) -> np.ndarray:
    """Retrain history ``name`` from its recipe (``HISTORY_SCALES``, ``HISTORY_SEEDS``) on this
    machine: the numbers :data:`HISTORIES` stores, up to rounding that the exploding run
    amplifies (so only the first steps agree closely)."""
    if name not in HISTORY_SCALES:
        raise ValueError(f"name must be one of {sorted(HISTORY_SCALES)}, got {name!r}")
    setup = recurrent_study.ADDING._replace(
        recurrent_scale=HISTORY_SCALES[name], epochs=math.ceil(RULE_STEPS / 8)
    )
    run = recurrent_study.run_adding(None, seed=HISTORY_SEEDS[name], setup=setup)
    return run.history.global_grad_norm[:RULE_STEPS].copy()


def norm_history(name: str) -> np.ndarray:
    """History ``"a"`` or ``"b"``: the global gradient norms of the first 50 unclipped steps.

    Each is :func:`gradlab.recurrent_study.run_adding` without clipping, on a tanh RNN with
    ``gamma sigma_max`` of ``HISTORY_SCALES[name]``, stored as fixed numbers
    (:data:`HISTORIES`) so that every machine checks the same answer. Returns a copy.
    """
    if name not in HISTORY_SCALES:
        raise ValueError(f"name must be one of {sorted(HISTORY_SCALES)}, got {name!r}")
    return _history(name).copy()


def _spiky(name: str) -> bool:
    return _spike_ratio(name) > SPIKE_FACTOR


def _rule(name: str) -> float:
    return clipping.suggest_threshold(_history(name), steps=RULE_STEPS, percentile=RULE_PERCENTILE)


def _spike_ratio(name: str) -> float:
    h = _history(name)
    return float(np.max(h) / np.median(h))


def spiky_history() -> str:
    """The name of the history that spikes (largest norm above ``SPIKE_FACTOR`` medians).

    The stored histories have exactly one (a test checks it); were there none or two, the one
    with the largest max/median ratio is the one the exercise asks about, so the checker
    never fails on its own data.
    """
    return max(sorted(HISTORIES), key=_spike_ratio)


def threshold_hints(name: str | None = None) -> tuple[Hint, ...]:
    """Hints for a wrong threshold on history ``name`` (default: the spiky one): the other
    history's median, then the usual wrong statistics."""
    name = spiky_history() if name is None else name
    h = _history(name)
    other = next(n for n in sorted(HISTORIES) if n != name)
    at = lambda target: _at(target, THRESHOLD_SIG_FIGS)  # noqa: E731
    return (
        (
            at(float(np.median(_history(other)))),
            f"That is the median of history {other!r}, which does not spike: the threshold "
            f"asked for is the one for the spiky history, {name!r}.",
        ),
        (
            at(float(np.mean(h))),
            "That is the mean, which the spikes pull up: the rule uses the "
            "median, np.median(history), robust to them.",
        ),
        (
            at(float(np.max(h))),
            "A threshold at the largest norm never clips anything: use the "
            "median of the history, a typical step.",
        ),
        (
            at(float(np.min(h))),
            "A threshold at the smallest norm clips almost every step and "
            "slows learning: use the median.",
        ),
        (
            at(float(np.percentile(h, 90))),
            "That is the 90th percentile: the rule of thumb here is the median (50th).",
        ),
    )


def _spiky_outcome(name: str, value: bool) -> Feedback | None:
    """None if ``value`` is the right call on history ``name``, else the verdict and hint."""
    if value == _spiky(name):
        return None
    ratio = _spike_ratio(name)
    hint = (
        f"Compare the largest norm with the median: here max/median = {ratio:.3g}, "
        f"{'above' if ratio > SPIKE_FACTOR else 'below'} the factor {SPIKE_FACTOR:g} that "
        "marks a spike."
    )
    return Feedback("incorrect", f"spiky_{name} = {value} is not the right call.", hint)


def _as_call(name: str, value: object) -> str | Feedback:
    if not isinstance(value, (bool, np.bool_)):
        return Feedback(
            "incorrect",
            f"spiky_{name} must be True or False, got {type(value).__name__}.",
            "Answer with a bool: True (spiky) or False (not spiky).",
        )
    return str(bool(value))


@functools.cache
def decide_page() -> PageExercise:
    """Exercise 5.3 as data: True or False for each history, then the spiky one's threshold."""
    calls = tuple(
        Field(
            f"spiky_{name}",
            f"History {name!r} spikes",
            blank=f"replace ... with True or False for history {name!r}.",
            blank_page=f"choose True or False for history {name!r}.",
            options=tuple(Option(str(v), str(v), _spiky_outcome(name, v)) for v in (True, False)),
            normalise=functools.partial(_as_call, name),
        )
        for name in ("a", "b")
    )
    name = spiky_history()
    rule = number_rule(
        _rule(name),
        what=f"the threshold for history {name!r} (its median norm)",
        sig_figs=THRESHOLD_SIG_FIGS,
        hints=threshold_hints(name),
        fallback_hint=f"The rule of thumb: threshold = np.median(history_{name}).",
    )
    threshold = Field(
        "threshold",
        "Threshold",
        blank=f"replace ... with {rule.what} and run the cell again.",
        blank_page=f"type {rule.what}, then press Check.",
        rule=rule,
    )
    return PageExercise(
        "ch5-ex-decide",
        "5.3",
        (*calls, threshold),
        note=NEEDS_NOTEBOOK.format(
            what="the two histories' 50 norms are in the notebook, exercises.ch5.norm_history"
        ),
    )


@exercise(decide_page)
def decide_clipping(
    spiky_a: object = ..., spiky_b: object = ..., threshold: object = ...
) -> Feedback:
    """Exercise 5.3: for histories ``"a"`` and ``"b"`` (:func:`norm_history`), whether each is
    spiky, and the rule of thumb's threshold for the spiky one.

    A history is spiky when its largest norm is more than ``SPIKE_FACTOR`` times its median
    (an order-of-magnitude spike); the threshold is the median of the first ``RULE_STEPS``
    norms of the spiky history (:func:`gradlab.clipping.suggest_threshold`, after Pascanu,
    Mikolov and Bengio 2013, section 3.2), to ``THRESHOLD_SIG_FIGS`` significant figures
    (:func:`gradlab.exercises.sig_fig_tolerance`: within one unit of the last figure).
    """
    return decide_page().check({"spiky_a": spiky_a, "spiky_b": spiky_b, "threshold": threshold})
