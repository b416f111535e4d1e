"""Checkers for Chapter 6, *Diagnose and fix a deep network*.

Code: :func:`residual_backward` (Exercise 6.1) checks the learner's backward pass through one
residual ReLU layer. Numeric: :func:`branch_growth` (6.2) is the mean-square growth a scaled
residual branch adds over a whole network. Diagnosis: :func:`diagnose` (6.3) matches three
anonymous runs of the ladder to their cause.

Each checker's hints are a module-level table (``RESIDUAL_DIAGNOSERS``, :func:`growth_hints`,
``DIAGNOSIS_HINTS``), so the tests can trigger every one of them. Expected values are computed
by ``gradlab``, never typed in.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from .. import capstone
from ._core import Feedback, Hint, Region, is_blank, near, number_rule
from ._functions import Attempt, Case, Diagnoser, check_function
from ._page import CodeExercise, Field, Option, PageExercise, exercise, single_number

__all__ = [
    "reference_residual_backward",
    "residual_backward",
    "RESIDUAL_CASES",
    "RESIDUAL_DIAGNOSERS",
    "branch_growth",
    "expected_growth",
    "growth_hints",
    "GROWTH_BLOCKS",
    "DIAGNOSIS_RUNS",
    "CAUSES",
    "DIAGNOSIS_HINTS",
    "diagnose",
    "diagnosis_table",
]

# Exercise 6.1 (code): backward through a residual layer --------------------------------------


def reference_residual_backward(
    grad_out: np.ndarray, W: np.ndarray, z: np.ndarray, alpha: float
) -> np.ndarray:
    """``dLoss/da_in`` for ``a_out = a_in + alpha * relu(z)``, ``z = a_in @ W + b``.

    .. math:: \\frac{\\partial L}{\\partial a_{in}} = g + \\alpha\\,(g \\odot [z > 0])\\,W^T,
              \\qquad g = \\frac{\\partial L}{\\partial a_{out}}

    The skip connection passes ``g`` through unchanged; the branch multiplies by ReLU's
    derivative (0 at ``z <= 0``, gradlab's and the frameworks' choice) and by ``W^T``, as
    :meth:`gradlab.network.MLP.loss_and_gradients` does (He et al. 2016).
    """
    return grad_out + alpha * (grad_out * (z > 0)) @ W.T


def _cases() -> tuple[Case, ...]:
    rng = np.random.default_rng(6)
    cases = []
    for batch, n, alpha, label in ((1, 3, 1.0, "one row, alpha = 1"), (4, 5, 0.5, "alpha = 0.5")):
        g, z = rng.normal(size=(batch, n)), rng.normal(size=(batch, n))
        W = rng.normal(size=(n, n))
        cases.append(Case((g, W, z, alpha), label=f"{label}, {batch} x {n}"))
    g, z = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    z[0, :2] = 0.0  # exactly at the kink: relu'(0) = 0
    cases.append(Case((g, rng.normal(size=(4, 4)), z, 0.25), label="z = 0 in places, alpha 0.25"))
    return tuple(cases)


#: The inputs the checker tries, simplest first: ``(grad_out, W, z, alpha)``.
RESIDUAL_CASES = _cases()


def _matches(formula: Callable[..., np.ndarray]) -> Callable[[Attempt], bool]:
    def predicate(a: Attempt) -> bool:
        if a.problem not in ("value", "shape"):
            return False  # an error, a changed input, a wrong type: the generic hint says it
        got = np.asarray(a.got, dtype=float)
        want = formula(*a.case.args)
        return got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-7, atol=1e-12))

    return predicate


#: Specific mistakes, in the order they are checked.
RESIDUAL_DIAGNOSERS: tuple[Diagnoser, ...] = (
    (
        _matches(lambda g, W, z, a: a * (g * (z > 0)) @ W.T),
        "You returned only the branch. The skip connection a_out = a_in + ... passes the "
        "gradient straight through: add grad_out itself.",
    ),
    (
        _matches(lambda g, W, z, a: g + (g * (z > 0)) @ W.T),
        "The branch is scaled by alpha in the forward pass, so its gradient is too.",
    ),
    (
        _matches(lambda g, W, z, a: g + a * g @ W.T),
        "ReLU's derivative is missing: multiply grad_out by (z > 0) before the matrix product.",
    ),
    (
        _matches(lambda g, W, z, a: g + a * (g * (z > 0)) @ W),
        "Going backward multiplies by the transpose: z = a_in @ W, so dLoss/da_in uses W.T.",
    ),
    (
        _matches(lambda g, W, z, a: g + a * (g * (z >= 0)) @ W.T),
        "At z = 0 exactly, ReLU's derivative is taken as 0 (gradlab, PyTorch, JAX, "
        "TensorFlow): use z > 0, not z >= 0.",
    ),
    (
        _matches(lambda g, W, z, a: g * (a * (g * (z > 0)) @ W.T)),
        "The two paths add, they do not multiply: g + branch, not g * branch.",
    ),
)


RESIDUAL_BACKWARD_CODE = CodeExercise(
    "ch6-ex-residual-backward",
    "6.1",
    f"The checker runs your function on {len(RESIDUAL_CASES)} random batches, with z = 0 in "
    "places and several alphas, and compares the gradient it returns with gradlab's "
    "reference, leaving the inputs unchanged.",
)


@exercise(RESIDUAL_BACKWARD_CODE)
def residual_backward(func: object) -> Feedback:
    """Exercise 6.1: check ``residual_backward(grad_out, W, z, alpha)``.

    It must return ``grad_out + alpha * (grad_out * (z > 0)) @ W.T``
    (:func:`reference_residual_backward`) on every case of ``RESIDUAL_CASES``, without
    changing its inputs. Hints: ``RESIDUAL_DIAGNOSERS``.
    """
    return check_function(
        func,
        reference_residual_backward,
        RESIDUAL_CASES,
        name="residual_backward",
        diagnosers=RESIDUAL_DIAGNOSERS,
        fallback_hint="Two paths reach a_in: the skip (grad_out itself) and the branch "
        "(alpha, ReLU's derivative, then W.T). Add them.",
    )


# Exercise 6.2 (numeric): the growth of a scaled residual network -----------------------------

#: The residual layers of the ladder's 16-layer network (its hidden 32 -> 32 layers), and the
#: figures asked for.
GROWTH_BLOCKS = capstone.SETUP.depth - 2
#: 4 figures: with 3, (1 + 1/13)^13 and (1 + 1/15)^15 (a miscounted B) would pass.
GROWTH_SIG_FIGS = 4


def expected_growth(blocks: int = GROWTH_BLOCKS) -> float:
    """``(1 + alpha^2)^B`` with ``alpha = 1 / sqrt(B)``: the factor by which the branches
    multiply the mean square of the signal (and of the gradient) over ``B`` residual layers,
    when the unscaled branch keeps it (He initialization) and the cross term vanishes (a
    branch that ends in a zero-mean linear map; a ReLU-ending branch has a positive one, see
    :func:`gradlab.capstone.residual_forward_growth`)."""
    return (1.0 + 1.0 / blocks) ** blocks


def growth_hints(blocks: int = GROWTH_BLOCKS) -> tuple[Hint, ...]:
    """The hints of :func:`branch_growth`, each recognising one mistake."""
    target = expected_growth(blocks)

    def close(x: float) -> Region:  # within 0.5 %
        return Region((near(x, rtol=0.005, atol=0.0),))

    return (
        (
            close(math.e),
            "e is the limit for B -> infinity; compute (1 + 1/B)^B for the B given.",
        ),
        (
            close(2.0),
            "That is 1 + B alpha^2 = 1 + B (1/B) = 2: the layers' shares added up. Each layer "
            "*multiplies* the mean square by 1 + alpha^2, so B layers give (1 + 1/B)^B.",
        ),
        (
            close(math.sqrt(target)),
            "That is the factor on the norm (its square root): the question asks for the mean "
            "square.",
        ),
        (
            close(2.0**blocks),
            "That is alpha = 1: each layer doubles the mean square. Use alpha = 1/sqrt(B).",
        ),
        (
            close(1.0 + 1.0 / blocks),
            "That is one layer's factor, 1 + alpha^2; the network has B of them in a row.",
        ),
        (
            close((1.0 + 1.0 / math.sqrt(blocks)) ** blocks),
            "alpha multiplies the branch, so the branch's mean square gets alpha^2 = 1/B, "
            "not alpha.",
        ),
        (
            close((1.0 + 2.0 / blocks) ** blocks),
            "That is (1 + 2/B)^B, with a factor 2: the branch's mean square is alpha^2 = 1/B "
            "times the input's (He weights keep it), so each layer's factor is 1 + 1/B.",
        ),
        (
            Region(
                tuple(
                    near((1.0 + 1.0 / b) ** b, rtol=0.0005, atol=0.0)
                    for b in (blocks - 1, blocks + 1)
                )
            ),
            f"Count the residual layers again: B = {blocks}, and each multiplies the mean "
            f"square by 1 + 1/B, so the growth is (1 + 1/{blocks})^{blocks}.",
        ),
    )


GROWTH_PAGE = single_number(
    "ch6-ex-branch-growth",
    "6.2",
    number_rule(
        expected_growth(),
        what=f"the mean-square growth over B = {GROWTH_BLOCKS} scaled residual layers",
        sig_figs=GROWTH_SIG_FIGS,
        hints=growth_hints(),
        fallback_hint="Each layer multiplies the mean square by 1 + alpha^2 with alpha^2 = 1/B.",
    ),
    "Growth of the mean square",
)


@exercise(GROWTH_PAGE)
def branch_growth(answer: object) -> Feedback:
    """Exercise 6.2: ``(1 + 1/B)^B`` for ``B = GROWTH_BLOCKS``, to ``GROWTH_SIG_FIGS``
    significant figures."""
    return GROWTH_PAGE.check({"answer": answer})


# Exercise 6.3: diagnose three runs -------------------------------------------------------------

#: The anonymous runs of the exercise: letter -> rung of :data:`gradlab.capstone.RUNGS`.
DIAGNOSIS_RUNS = {"A": "relu_he_spike", "B": "sigmoid_xavier", "C": "relu_he"}

#: The causes to choose from, and the rung names each one describes. The exercise shows seed 0
#: of each rung (:func:`gradlab.capstone.load_ladder`). Its lr x 3 run is a learning rate so
#: large that the ReLUs die: by step 80, 94% of its last hidden layer is dead and the run sits
#: at chance while its gradient norm stays modest (at most 8.6 before step 280); the late spike
#: (step 299) only finishes it off. The dead fraction is the diagnostic.
CAUSES = {
    "vanishing": ("sigmoid_normal", "sigmoid_xavier"),
    "dying": ("relu_he_spike",),
    "healthy": ("relu_he", "relu_he_clip", "residual"),
}

#: Hints for each (given cause, true cause) confusion.
DIAGNOSIS_HINTS = {
    ("dying", "vanishing"): "Look at the dead fraction: this run's units are alive. Its first "
    "layers get tiny gradients because of the factors between them, layer after layer.",
    ("healthy", "vanishing"): "The accuracy stays at chance (0.5), and the first layers' "
    "update-to-weight ratios are far below 1e-3: they hardly move.",
    ("vanishing", "dying"): "At step 0 the first layer gets about as much gradient as the last "
    "(a ratio near 2, like the healthy run's): nothing vanishes. Look at the dead fraction.",
    ("healthy", "dying"): "A run that sits at chance accuracy with all of its last hidden layer "
    "dead is not healthy.",
    ("vanishing", "healthy"): "Its accuracy passes the target and the per-layer gradient norms "
    "stay within a decade of each other: nothing vanishes.",
    ("dying", "healthy"): "It reaches the target, and its last hidden layer keeps most of its "
    "units alive.",
}


def diagnosis_table(runs: dict[tuple[str, int], capstone.Run] | None = None) -> capstone.Table:
    """The diagnostics of the exercise's runs A, B, C (from the cached ladder), without names.

    Per run: final accuracy, steps to the target accuracy, the largest global gradient norm,
    the ratio of layer 1's to the last layer's weight-gradient norm at step 0, and the median
    update-to-weight ratio of layer 1 and of the last layer over training, and the share of
    the last hidden layer's units that are dead at the end.
    """
    runs = capstone.load_ladder() if runs is None else runs
    rows = []
    for letter, rung in sorted(DIAGNOSIS_RUNS.items()):
        run = runs[(rung, capstone.SETUP.depth)]
        reached = capstone.steps_to_accuracy(run)
        recorded = run.update_ratio[np.isfinite(run.update_ratio).any(axis=1)]
        with np.errstate(all="ignore"):
            ratio = np.nanmedian(recorded, axis=0)
        rows.append(
            [
                letter,
                f"{run.final_accuracy:.3f}",
                "did not reach" if reached is None else str(reached),
                f"{np.nanmax(run.global_grad_norm):.3g}",
                f"{run.grad_norm[0, 0] / run.grad_norm[0, -1]:.2g}",
                f"{ratio[0]:.1e}",
                f"{ratio[-1]:.1e}",
                f"{run.dead_fraction[-1][-1]:.0%}",
            ]
        )
    target = capstone.SETUP.target_accuracy
    header = [
        "run",
        "accuracy",
        f"steps to {target:.0%}",
        "max ‖g‖",
        "‖g‖ layer 1 / L, step 0",
        "update ratio, layer 1",
        "update ratio, layer L",
        "dead, last layer, end",
    ]
    caption = (
        "Three runs of the ladder (seed 0, depth 16), names hidden; update ratios are medians "
        "over training, the dead share is the last hidden layer's at the end"
    )
    return capstone.Table(header, rows, caption)


def _cause_of(rung: str) -> str:
    return next(cause for cause, rungs in CAUSES.items() if rung in rungs)


def _cause(letter: str, given: object) -> str | Feedback:
    key = given.strip().lower() if isinstance(given, str) else None
    if key in CAUSES:
        return key
    exploding = (
        " A run whose global norm spikes only after most of its units have died is "
        "diagnosed by its dead fraction: that is 'dying'."
        if key == "exploding"
        else ""
    )
    return Feedback(
        "incorrect",
        f"run {letter}: {given!r} is not one of the causes.",
        f"Choose one of {', '.join(repr(c) for c in CAUSES)}.{exploding}",
    )


def _diagnosis_outcome(letter: str, cause: str) -> Feedback | None:
    truth = _cause_of(DIAGNOSIS_RUNS[letter])
    if cause == truth:
        return None
    return Feedback("incorrect", f"run {letter} is not '{cause}'.", DIAGNOSIS_HINTS[(cause, truth)])


@functools.cache
def diagnose_page() -> PageExercise:
    """Exercise 6.3 as data: a cause of ``CAUSES`` for each run of ``DIAGNOSIS_RUNS``."""
    letters = sorted(DIAGNOSIS_RUNS)
    fields = tuple(
        Field(
            letter,
            f"Run {letter}",
            blank=f"give a cause for run {letter}.",
            blank_page=f"choose a cause for run {letter}.",
            options=tuple(Option(c, c, _diagnosis_outcome(letter, c)) for c in CAUSES),
            normalise=functools.partial(_cause, letter),
        )
        for letter in letters
    )
    fixes = {
        "vanishing": "He initialization with ReLU (or residual connections)",
        "dying": "a smaller learning rate (clipping the global norm also saved it here)",
        "healthy": "nothing to fix",
    }
    said = "; ".join(
        f"{k}: {_cause_of(DIAGNOSIS_RUNS[k])} (fix: {fixes[_cause_of(DIAGNOSIS_RUNS[k])]})"
        for k in letters
    )
    return PageExercise("ch6-ex-diagnose", "6.3", fields, correct=said + ".")


@exercise(diagnose_page)
def diagnose(answers: object) -> Feedback:
    """Exercise 6.3: ``answers`` maps each run letter of ``DIAGNOSIS_RUNS`` to a cause of
    ``CAUSES`` (``"vanishing"``, ``"dying"`` or ``"healthy"``); the rule is
    :func:`diagnose_page`."""
    if is_blank(answers):
        return Feedback("not attempted", "replace ... with a dict such as {'A': 'healthy', ...}.")
    if not isinstance(answers, dict):
        return Feedback(
            "incorrect",
            f"expected a dict from run letters to causes, got {type(answers).__name__}.",
            "Write answer = {'A': ..., 'B': ..., 'C': ...} with one cause in quotes each.",
        )
    letters = sorted(DIAGNOSIS_RUNS)
    extra = sorted(set(map(str, answers)) - set(letters))
    if extra:
        capitals = all(k.upper() in letters for k in extra)
        return Feedback(
            "incorrect",
            f"there is no run {', '.join(extra)}"
            + (
                f": the keys are {', '.join(repr(k) for k in letters)}, in capitals."
                if capitals
                else "."
            ),
            f"The runs are {', '.join(letters)}: write answer = {{'A': ..., 'B': ..., 'C': ...}}.",
        )
    return diagnose_page().check({k: answers.get(k) for k in letters})
