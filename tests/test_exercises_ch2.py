"""Chapter 2's exercise checkers: correct, incorrect with the right hint, not attempted; no crash.

The notebook's exercise texts and cells live here (``CELLS``), verbatim, so the chapter can copy
them; the tests run the starter and solution cells.
"""

import math
import warnings
from decimal import ROUND_DOWN, Decimal

import numpy as np
import pytest
from _cells import ANSWERS, check_exercise_cells
from hypothesis import given, settings
from scipy import special

from gradlab import activations, backprop, gradcheck
from gradlab.exercises import ch2
from gradlab.exercises._core import FINITE_HINT, TYPE_HINT
from gradlab.exercises._functions import _GENERIC_HINTS

# Reference solutions, written independently of gradlab's own functions.


def ref_sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def ref_sigmoid_prime(z: float) -> float:
    t = math.exp(-abs(z))
    return t / (1.0 + t) ** 2


REF_DECADES = 20 * math.log10(3.0 * ref_sigmoid_prime(1.0))
REF_STEP = (1.5 * 2.0**-52 * math.e / (8 * math.e)) ** (1 / 3)


def ref_grad_w1(x, y, w1, w2):
    z1 = w1 * x
    a1 = ref_sigmoid(z1)
    z2 = w2 * a1
    y_hat = ref_sigmoid(z2)
    return (y_hat - y) * ref_sigmoid_prime(z2) * w2 * ref_sigmoid_prime(z1) * x


def test_expected_values_agree_with_independent_references():
    assert ch2.DECADES == pytest.approx(REF_DECADES, rel=1e-12)
    assert ch2.BEST_STEP == pytest.approx(REF_STEP, rel=1e-12)
    for case in ch2.GRAD_CASES:
        assert backprop.tiny_chain(*case.args).grad_w1 == pytest.approx(
            ref_grad_w1(*case.args), rel=1e-12
        )
    # dJ/dw1 is the slope of the cost: a central difference agrees on the chapter's numbers.
    x, y, w1, w2 = ch2.TINY_X, ch2.TINY_Y, ch2.TINY_W1, ch2.TINY_W2
    slope = gradcheck.finite_difference(lambda w: backprop.tiny_cost(x, y, w, w2), w1, 1e-5)
    assert slope == pytest.approx(ref_grad_w1(x, y, w1, w2), rel=1e-8)
    # The exercise settings are the ones the statements give.
    assert (ch2.DECADES_L, ch2.DECADES_W, ch2.DECADES_Z, ch2.DECADES_SIG_FIGS) == (20, 3.0, 1.0, 3)
    assert (ch2.STEP_RATE, ch2.STEP_X, ch2.STEP_SIG_FIGS) == (2.0, 0.5, 2)


def test_the_tail_the_statement_describes():
    """sigma(z) rounds to 1 beyond z = 36.7, so sigma (1 - sigma) is 0 while sigma'(40) is not."""
    s = 1.0 / (1.0 + math.exp(-40.0))
    assert s == 1.0 and s * (1 - s) == 0.0
    assert float(activations.sigmoid_derivative(40.0)) == pytest.approx(4.248e-18, rel=1e-3)
    threshold = math.log(2.0**53)  # exp(-z) < 2^-53: 1 + exp(-z) rounds to 1
    assert threshold == pytest.approx(36.7, abs=0.05)
    with pytest.raises(FloatingPointError), np.errstate(over="raise"):
        np.exp(np.float64(1e4))  # the naive 1 / (1 + exp(-z)) at z = -1e4


def test_sigmoid_cases_cover_shapes_and_tails():
    """A float, 1-D and 2-D arrays; z = +-40 (where sigma (1 - sigma) is 0), +-800 and -1e4."""
    inputs = [c.args[0] for c in ch2.SIGMOID_CASES]
    assert isinstance(inputs[0], float)
    assert {np.ndim(z) for z in inputs} == {0, 1, 2}
    values = np.concatenate([np.ravel(z) for z in inputs])
    for z in (0.0, 1.0, -1.0, 2.5, -2.5, 40.0, -40.0, 800.0, -800.0, 1e4, -1e4):
        assert z in values, z
    assert "4.2e-18" in ch2.SIGMOID_CASES[6].label and 40.0 in ch2.SIGMOID_CASES[6].args[0]
    # the first case is a positive z: at 0 or a negative z wrong answers coincide (below)
    assert inputs[0] > 0


# Numeric exercises 2.3 and 2.4 ----------------------------------------------------------------

NUMERIC = [(ch2.decades_lost, REF_DECADES, 3), (ch2.best_step, REF_STEP, 2)]
NUMERIC_IDS = ["decades", "step"]

S1 = ref_sigmoid(1.0)
S1P = ref_sigmoid_prime(1.0)
EPS = 2.0**-52
E = math.e

# For every hint: answers that make that mistake (at the precision asked for), and words the
# hint must say.
HINT_TRIGGERS = {
    "decades": (
        ch2.decades_lost,
        ch2.DECADES_HINTS,
        [
            ([20 * math.log10(3 * S1), 6.82, 6.821], "sigma(1)"),
            ([20 * math.log10(S1P), -14.1, -14.13], "weight is missing"),
            ([20 * math.log(3 * S1P), -10.6, -10.56, -10.5], "natural logarithm"),
            ([19 * math.log10(3 * S1P), -4.36, -4.356, -4.35], "Count the factors"),
            ([-REF_DECADES, 4.59, 4.585, 4.58], "Sign flipped"),
            ([20 * math.log10(0.75), -2.50, -2.499, -2.49], "bound"),
            ([(3 * S1P) ** 20, 2.60e-5, 2.6e-5], "ratio itself"),
        ],
    ),
    "step": (
        ch2.best_step,
        ch2.STEP_HINTS,
        [
            ([math.sqrt(2 * EPS * E / (4 * E)), 1.1e-8, 1.0e-8, math.sqrt(2 * EPS / 8)], "forward"),
            ([EPS ** (1 / 3), 6.1e-6, 6.0e-6], "eps^(1/3) alone"),
            ([(EPS / 8) ** (1 / 3), 3.0e-6], "3/2 is missing"),
            ([(1.5 * EPS / 4) ** (1 / 3), 4.4e-6, 4.3e-6], "uses f''"),
            ([(1.5 * EPS) ** (1 / 3), 6.9e-6, (1.5 * EPS / 2) ** (1 / 3), 5.5e-6], "chain rule"),
            ([(1.5e-16 / 8) ** (1 / 3), 2.7e-6, 2.6e-6, (1.5 * 2.0**-53 / 8) ** (1 / 3)], "2^-52"),
            ([REF_STEP * 10, 3.5e-5, REF_STEP / 10, 3.5e-7, 3.4e-7], "power of ten"),
        ],
    ),
}
FALLBACKS = {
    "decades": (ch2.decades_lost, ch2.DECADES_FALLBACK, [-1.0, 0.5, -20.0, -4.7]),
    "step": (ch2.best_step, ch2.STEP_FALLBACK, [1e-5, 1e-3, 3.8e-6, 0.1]),
}


@pytest.mark.parametrize("checker, reference, n", NUMERIC, ids=NUMERIC_IDS)
def test_reference_solution_is_correct(checker, reference, n):
    fb = checker(reference)
    assert fb.status == "correct" and fb.correct and fb.hint == ""
    assert checker(np.float64(reference)).correct
    assert checker(np.array([reference])).correct
    assert checker(float(f"{reference:.{n}g}")).correct


@pytest.mark.parametrize("checker", [c for c, _, _ in NUMERIC], ids=NUMERIC_IDS)
def test_untouched_starter_is_not_attempted(checker):
    for blank in (..., None):
        fb = checker(blank)
        assert fb.status == "not attempted" and not fb.correct


@pytest.mark.parametrize("key", list(HINT_TRIGGERS))
def test_every_hint_fires_for_its_own_mistake(key):
    checker, hints, triggers = HINT_TRIGGERS[key]
    assert len(triggers) == len(hints), "one row of triggers per hint"
    for (answers, words), (_, hint) in zip(triggers, hints, strict=True):
        assert words in hint
        for answer in answers:
            fb = checker(answer)
            assert fb.status == "incorrect", (key, answer)
            assert fb.hint == hint, (key, answer, fb.hint)


@pytest.mark.parametrize("key", list(HINT_TRIGGERS))
def test_no_hint_predicate_accepts_the_right_answer(key):
    checker, hints, _ = HINT_TRIGGERS[key]
    exact = {"decades": REF_DECADES, "step": REF_STEP}[key]
    for predicate, _ in hints:
        assert not predicate(exact)


@pytest.mark.parametrize("key", list(FALLBACKS))
def test_unrecognised_wrong_answers_get_the_fallback(key):
    checker, fallback, answers = FALLBACKS[key]
    for answer in answers:
        fb = checker(answer)
        assert fb.status == "incorrect" and fb.hint == fallback, (key, answer, fb.hint)


def unit_of(x: float, n: int) -> float:
    """One unit of the n-th significant figure, from the decimal exponent of x."""
    exponent = int(f"{abs(x):e}".split("e")[1])
    return 10.0 ** (exponent - n + 1)


def truncated(x: float, n: int) -> float:
    quantum = Decimal(1).scaleb(int(f"{abs(x):e}".split("e")[1]) - n + 1)
    return float(Decimal(x).quantize(quantum, rounding=ROUND_DOWN))


@pytest.mark.parametrize("checker, exact, n", NUMERIC, ids=NUMERIC_IDS)
def test_sig_fig_answers_inside_the_boundary_pass(checker, exact, n):
    unit = unit_of(exact, n)
    inside = [
        float(f"{exact:.{n}g}"),
        truncated(exact, n),
        exact + 0.9 * unit,
        exact - 0.9 * unit,
        float(f"{exact:.{n + 2}g}"),
    ]
    for answer in inside:
        assert checker(answer).correct, answer


@pytest.mark.parametrize("checker, exact, n", NUMERIC, ids=NUMERIC_IDS)
def test_sig_fig_answers_outside_the_boundary_fail(checker, exact, n):
    unit = unit_of(exact, n)
    for answer in (exact + 1.1 * unit, exact - 1.1 * unit, float(f"{exact:.{n - 1}g}")):
        fb = checker(answer)
        assert fb.status == "incorrect" and fb.hint, answer


def test_measured_answers():
    assert ch2.decades_lost(-4.59).correct and ch2.decades_lost(-4.58).correct  # -4.5854
    assert not ch2.decades_lost(-4.57).correct and not ch2.decades_lost(-4.6).correct
    assert ch2.best_step(3.5e-6).correct and ch2.best_step(3.4e-6).correct  # 3.4659e-6
    assert not ch2.best_step(3.3e-6).correct and not ch2.best_step(3.6e-6).correct


STRANGE = [
    "-4.59",
    [1, 2],
    np.zeros(3),
    np.array(["x"]),
    float("nan"),
    float("inf"),
    True,
    10**400,
    1 + 2j,
    object(),
    print,
]


@pytest.mark.parametrize("checker", [c for c, _, _ in NUMERIC], ids=NUMERIC_IDS)
def test_strange_answers_never_raise(checker):
    for answer in STRANGE:
        fb = checker(answer)
        assert fb.status == "incorrect" and fb.hint and fb.message, repr(answer)
        assert str(fb) and fb._repr_html_()
    assert checker("-4.59").hint == TYPE_HINT
    assert checker(float("nan")).hint == FINITE_HINT


@settings(max_examples=100, deadline=None)
@given(answer=ANSWERS)
def test_numeric_checkers_never_raise_property(answer):
    for checker, _, _ in NUMERIC:
        fb = checker(answer)
        assert fb.status in {"correct", "incorrect", "not attempted"}
        assert str(fb) and fb._repr_html_()


# Exercise 2.1: sigmoid_derivative ---------------------------------------------------------------


def stable(z):
    t = np.exp(-np.abs(z))
    return t / (1.0 + t) ** 2


def stable_of_minus_z(z):  # sigma' is even: the same function of -z is right, not a sign error
    return stable(-np.asarray(z)) if np.ndim(z) else stable(-z)


def stable_via_expit(z):  # sigma(-|z|) (1 - sigma(-|z|)): exact, since sigma(-|z|) <= 1/2
    s = special.expit(-np.abs(z))
    return s * (1.0 - s)


def stable_via_logs(z):
    a = np.abs(z)
    return np.exp(-a - 2.0 * np.log1p(np.exp(-a)))


def test_sigmoid_derivative_accepts_correct_implementations():
    for func in (
        stable,
        stable_of_minus_z,
        stable_via_expit,
        stable_via_logs,
        np.vectorize(ref_sigmoid_prime, otypes=[np.float64]),
        activations.sigmoid_derivative,
    ):
        fb = ch2.sigmoid_derivative(func)
        assert fb.correct, (func, fb)


def test_sigmoid_derivative_stubs_are_not_attempted():
    def stub(z):
        """sigma'(z)."""
        ...

    def assigns(z):
        result = ...  # replace ... with your code
        return result

    def raises(z):
        raise NotImplementedError

    for func in (stub, assigns, raises, ..., None):
        assert ch2.sigmoid_derivative(func).status == "not attempted"


def naive_overflow(z):  # exact in the tails, but exp(-z) overflows at z = -800
    e = np.exp(-z)
    return e / (1.0 + e) ** 2


def naive_overflow_positive(z):  # exp(z) overflows at z = 800
    e = np.exp(z)
    return e / (1.0 + e) ** 2


def naive_overflow_silenced(z):  # a learner who silenced the warning gets inf / inf = nan
    with np.errstate(all="ignore"):
        return naive_overflow(z)


def product_form(z):  # loses the tail: sigma(40) rounds to 1
    s = 1.0 / (1.0 + np.exp(-z))
    return s * (1.0 - s)


def product_form_expit(z):  # a stable sigma does not help: 1 - sigma(40) is still 0
    s = special.expit(z)
    return s * (1.0 - s)


def product_form_of_minus_z(z):  # loses the other tail, sigma(-(-40)) rounds to 1
    s = special.expit(-np.asarray(z)) if np.ndim(z) else special.expit(-z)
    return s * (1.0 - s)


def math_exp(z):
    s = 1.0 / (1.0 + math.exp(-z))
    return s * (1.0 - s)


def loop_1d(z):  # fine on 1-D arrays, crashes on 2-D rows
    out = np.empty(len(z))
    for i in range(len(z)):
        t = math.exp(-abs(z[i]))
        out[i] = t / (1.0 + t) ** 2
    return out


def loop_with_np_exp(z):  # on 2-D, out[i] = a row: "setting an array element with a sequence"
    out = np.empty(len(z))
    for i in range(len(z)):
        t = np.exp(-np.abs(z[i]))
        out[i] = t / (1.0 + t) ** 2
    return out


def loop_any_shape_but_not_scalar(z):
    return np.array([stable(v) for v in z.ravel()]).reshape(z.shape)


def python_naive(z):  # math.exp(800) raises OverflowError
    def one(v):
        return math.exp(-v) / (1.0 + math.exp(-v)) ** 2

    return np.vectorize(one, otypes=[np.float64])(z)


def copies_with_method(z):
    t = z.copy()
    np.abs(t, out=t)
    return stable(t)


def mutates(z):
    z = np.asarray(z)
    if z.ndim:
        np.abs(z, out=z)
    return stable(z)


def returns_sigma(z):
    return special.expit(z)


def tanh_derivative(z):
    return 1.0 - np.tanh(z) ** 2


def one_minus_square(z):
    s = special.expit(z)
    return 1.0 - s**2


def negated(z):
    return -stable(z)


def twice(z):  # 2 t / (1 + t)^2: equal to sigma(0) at z = 0, so a z = 0 case cannot tell
    t = np.exp(-np.abs(z))
    return 2 * t / (1 + t) ** 2


def no_square(z):  # t / (1 + t) = sigma(-|z|): equal to sigma(z) at any z <= 0
    t = np.exp(-np.abs(z))
    return t / (1 + t)


# Each wrong implementation, the case it fails on, and the hint it must get (by table index).
SIGMOID_WRONG = [
    (mutates, "z = [0, 1, -1, 2.5, -2.5]", 0, "changed the caller's array"),
    (loop_1d, "z = 1.5", 1, "plain float"),
    (loop_any_shape_but_not_scalar, "z = 1.5", 1, "plain float"),
    (copies_with_method, "z = 1.5", 1, "plain float"),
    (math_exp, "z = [0, 1, -1, 2.5, -2.5]", 2, "math.exp"),
    (lambda z: loop_1d(z) if np.ndim(z) else stable(z), "2-D array", 2, "2-D included"),
    (lambda z: loop_with_np_exp(z) if np.ndim(z) else stable(z), "2-D array", 2, "2-D"),
    (naive_overflow, "z = [800, -800]", 3, "overflows"),
    (naive_overflow_positive, "z = [800, -800]", 3, "overflows"),
    (naive_overflow_silenced, "z = [800, -800]", 3, "overflows"),
    (python_naive, "z = [800, -800]", 3, "overflows"),
    (twice, "z = 1.5", 4, "no factor 2"),
    (no_square, "z = 1.5", 5, "needs its square"),
    (returns_sigma, "z = 1.5", 6, "sigma(z) itself"),
    (tanh_derivative, "z = 1.5", 7, "derivative of tanh"),
    (one_minus_square, "z = 1.5", 8, "1 - sigma(z)^2"),
    (negated, "z = 1.5", 9, "Sign error"),
    (product_form, "z = [40, -40]", 10, "36.7"),
    (product_form_expit, "z = [40, -40]", 10, "36.7"),
    (product_form_of_minus_z, "z = [40, -40]", 10, "36.7"),
]


@pytest.mark.parametrize(
    "func, where, index, words", SIGMOID_WRONG, ids=[str(w[2]) for w in SIGMOID_WRONG]
)
def test_sigmoid_derivative_catches_each_mistake_with_its_hint(func, where, index, words):
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        fb = ch2.sigmoid_derivative(func)
    assert escaped == []
    assert fb.status == "incorrect"
    assert where in fb.message, fb.message
    assert fb.hint == ch2.SIGMOID_HINTS[index][1], fb.hint
    assert words in fb.hint


def test_sigmoid_derivative_every_hint_is_exercised():
    assert {w[2] for w in SIGMOID_WRONG} == set(range(len(ch2.SIGMOID_HINTS)))


def test_sigmoid_derivative_overflow_message_names_the_overflow():
    fb = ch2.sigmoid_derivative(naive_overflow)
    assert "overflow" in fb.message and "FloatingPointError" in fb.message
    assert "OverflowError" in ch2.sigmoid_derivative(python_naive).message


def test_sigmoid_derivative_shape_dtype_and_other_mistakes():
    fb = ch2.sigmoid_derivative(lambda z: stable(z).ravel() if np.ndim(z) else stable(z))
    assert fb.status == "incorrect" and "2-D array" in fb.message and "shape" in fb.hint
    fb = ch2.sigmoid_derivative(lambda z: stable(z).astype(np.float32) if np.ndim(z) else stable(z))
    assert fb.status == "incorrect" and "dtype float32" in fb.message and "dtype" in fb.hint
    fb = ch2.sigmoid_derivative(lambda z: np.atleast_1d(stable(z)))
    assert fb.status == "incorrect" and "z = 1.5" in fb.message and "single number" in fb.message
    fb = ch2.sigmoid_derivative(lambda z: stable(z) + 1e-3)
    assert fb.status == "incorrect" and fb.hint == ch2.SIGMOID_FALLBACK
    fb = ch2.sigmoid_derivative(lambda z: stable(z) if np.ndim(z) else None)
    assert fb.status == "incorrect" and fb.hint == _GENERIC_HINTS["none"]
    # A lost tail on a *moderate* z is not blamed on the tails: z = 10 fails, with the fallback.
    fb = ch2.sigmoid_derivative(lambda z: np.where(np.abs(z) >= 10, 0.0, stable(z)))
    assert fb.status == "incorrect" and "81 points" in fb.message
    assert fb.hint == ch2.SIGMOID_FALLBACK


@pytest.mark.parametrize("offset, accepted", [(0.5e-9, True), (-0.5e-9, True), (5e-9, False)])
def test_sigmoid_derivative_acceptance_boundary(offset, accepted):
    """rtol = 1e-9 and no absolute slack: a checker ten times looser would accept 5e-9."""
    assert ch2.sigmoid_derivative(lambda z: stable(z) * (1 + offset)).correct is accepted


def test_sigmoid_derivative_no_absolute_slack_in_the_tail():
    """At z = 40 the answer must be 4.2e-18 to 1e-9 relative: 0 or 1e-18 are both wrong."""

    def tail_off(z):
        d = stable(z)
        if np.ndim(z):
            d = np.where(np.abs(z) == 40.0, d * (1 + 1e-6), d)
        return d

    fb = ch2.sigmoid_derivative(tail_off)
    assert fb.status == "incorrect" and "z = [40, -40]" in fb.message
    assert fb.hint == ch2.SIGMOID_HINTS[10][1]


STRANGE_RESULTS = ["0.25", [0.25], {"a": 1}, 10**400, True, 1 + 2j, np.array(["a"]), object()]


@pytest.mark.parametrize("result", STRANGE_RESULTS, ids=lambda r: type(r).__name__)
def test_code_checkers_never_raise_on_strange_results(result):
    for checker in (ch2.sigmoid_derivative, ch2.grad_w1):
        fb = checker(lambda *args, _r=result: _r)
        assert fb.status == "incorrect" and fb.hint
        assert str(fb) and fb._repr_html_()


@pytest.mark.parametrize("thing", [3, "f", [stable], np.zeros(2)])
def test_code_checkers_want_a_function(thing):
    for checker in (ch2.sigmoid_derivative, ch2.grad_w1):
        fb = checker(thing)
        assert fb.status == "incorrect" and "expected a function" in fb.message


# Exercise 2.2: grad_w1 --------------------------------------------------------------------------


def sp(z):
    return ref_sigmoid_prime(z)


def forward(x, w1, w2):
    z1 = w1 * x
    a1 = ref_sigmoid(z1)
    z2 = w2 * a1
    return z1, a1, z2, ref_sigmoid(z2)


def grad_product_form(x, y, w1, w2):  # sigma (1 - sigma): accurate enough at z1 = 12
    z1, a1, z2, y_hat = forward(x, w1, w2)
    return (y_hat - y) * y_hat * (1 - y_hat) * w2 * a1 * (1 - a1) * x


def grad_with_gradlab(x, y, w1, w2):
    ds = activations.sigmoid_derivative
    z1 = w1 * x
    z2 = w2 * float(activations.sigmoid(z1))
    y_hat = float(activations.sigmoid(z2))
    return (y_hat - y) * float(ds(z2)) * w2 * float(ds(z1)) * x


def test_grad_w1_accepts_correct_implementations():
    for func in (ref_grad_w1, grad_product_form, grad_with_gradlab):
        fb = ch2.grad_w1(func)
        assert fb.correct, (func, fb)


def test_grad_w1_stubs_are_not_attempted():
    def stub(x, y, w1, w2):
        """dJ/dw1."""
        ...

    def assigns(x, y, w1, w2):
        result = ...  # replace ... with your code
        return result

    for func in (stub, assigns, ..., None):
        assert ch2.grad_w1(func).status == "not attempted"


def with_factors(build):
    """A grad_w1 from a formula of (x, y, w2, z1, a1, z2, y_hat)."""

    def func(x, y, w1, w2):
        z1, a1, z2, y_hat = forward(x, w1, w2)
        return build(x, y, w2, z1, a1, z2, y_hat)

    return func


GRAD_WRONG = [
    (with_factors(lambda x, y, w2, z1, a1, z2, yh: (yh - y) * sp(z2) * a1), 0, "dJ/dw2"),
    (with_factors(lambda x, y, w2, z1, a1, z2, yh: (yh - y) * sp(z2) * sp(z1) * x), 1, "w2"),
    (with_factors(lambda x, y, w2, z1, a1, z2, yh: (yh - y) * sp(z2) * w2 * x), 2, "sigma'(z1)"),
    (
        with_factors(lambda x, y, w2, z1, a1, z2, yh: (yh - y) * sp(z2) * w2 * a1 * x),
        3,
        "sigma(z1)",
    ),
    (with_factors(lambda x, y, w2, z1, a1, z2, yh: (yh - y) * sp(z2) * w2 * sp(z1)), 4, "= x"),
    (with_factors(lambda x, y, w2, z1, a1, z2, yh: (y - yh) * sp(z2) * w2 * sp(z1) * x), 5, "Sign"),
    (
        with_factors(lambda x, y, w2, z1, a1, z2, yh: 2 * (yh - y) * sp(z2) * w2 * sp(z1) * x),
        6,
        "Twice",
    ),
    (with_factors(lambda x, y, w2, z1, a1, z2, yh: (yh - y) * yh * w2 * a1 * x), 7, "= sigma(z)"),
]


@pytest.mark.parametrize("func, index, words", GRAD_WRONG, ids=[str(w[1]) for w in GRAD_WRONG])
def test_grad_w1_catches_each_mistake_with_its_hint(func, index, words):
    fb = ch2.grad_w1(func)
    assert fb.status == "incorrect"
    assert "the chapter's numbers" in fb.message, fb.message
    assert fb.hint == ch2.GRAD_HINTS[index][1], fb.hint
    assert words in fb.hint


def test_grad_w1_every_hint_is_exercised():
    assert {w[1] for w in GRAD_WRONG} == set(range(len(ch2.GRAD_HINTS)))


def test_grad_w1_later_cases_catch_what_the_first_misses():
    # Right only at the chapter's numbers (a hard-coded answer): the next case catches it.
    chapter = ref_grad_w1(ch2.TINY_X, ch2.TINY_Y, ch2.TINY_W1, ch2.TINY_W2)
    fb = ch2.grad_w1(lambda x, y, w1, w2: chapter)
    assert fb.status == "incorrect" and "negative input" in fb.message
    fb = ch2.grad_w1(lambda x, y, w1, w2: ref_grad_w1(x, y, w1, w2) + 1e-3)
    assert fb.status == "incorrect" and fb.hint == ch2.GRAD_FALLBACK
    fb = ch2.grad_w1(lambda x, y, w1: 0.0)
    assert "TypeError" in fb.message


@pytest.mark.parametrize("offset, accepted", [(0.5e-9, True), (-0.5e-9, True), (5e-9, False)])
def test_grad_w1_acceptance_boundary(offset, accepted):
    assert ch2.grad_w1(lambda *a: ref_grad_w1(*a) * (1 + offset)).correct is accepted


def test_grad_w1_saturated_case_has_a_tiny_gradient():
    case = ch2.GRAD_CASES[-1]
    assert "saturated" in case.label
    assert 0 < abs(ref_grad_w1(*case.args)) < 1e-5

    def zero_when_tiny(*args):  # no absolute slack: a tiny gradient is not zero
        g = ref_grad_w1(*args)
        return g if abs(g) > 1e-5 else 0.0

    fb = ch2.grad_w1(zero_when_tiny)
    assert fb.status == "incorrect" and "saturated" in fb.message


# The notebook's cells, verbatim ----------------------------------------------------------------

CELLS = {
    "sigmoid_derivative": {
        "statement": r"""```{exercise} The sigmoid's derivative, accurate in the tails
:label: ch2-ex-sigmoid-derivative

Write `sigmoid_derivative(z)`, which returns $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$ for a
float or a NumPy array `z` of any shape: element-wise, an array of the same shape, without
changing `z`. The checker compares it with `gradlab`'s to a relative $10^{-9}$ **everywhere,
the tails included**: $\sigma'(40) = 4.2 \times 10^{-18}$, not 0, and $z = -10^4$ must not
overflow. Hint: $\sigma'$ is even, and $\sigma'(z) = e^{-|z|} / (1 + e^{-|z|})^2$.
```""",
        "starter": '''def sigmoid_derivative(z):
    """sigma'(z) = sigma(z) (1 - sigma(z)), element-wise, for a float or an array z."""
    result = ...  # replace ... with your code
    return result


exercises.ch2.sigmoid_derivative(sigmoid_derivative)''',
        "solution_prose": r"""```{solution-start} ch2-ex-sigmoid-derivative
:class: dropdown
```

Take exponentials of $-|z| \le 0$ only: $t = e^{-|z|}$ lies in $(0, 1]$ and never overflows,
and $t / (1 + t)^2$ keeps full relative precision in the tails. It is $\sigma'(z)$ because
$\sigma'(z) = e^{-z} / (1 + e^{-z})^2$ and $\sigma'$ is even. The product
$\sigma(z)(1 - \sigma(z))$ is exactly 0 once $\sigma(z)$ rounds to 1, for $z > 36.7$:""",
        "solution": '''# Solution
%solution  # keeps the answer folded until you open it


def sigmoid_derivative(z):
    """sigma'(z) = sigma(z) (1 - sigma(z)), element-wise, for a float or an array z."""
    t = np.exp(-np.abs(z))
    return t / (1 + t) ** 2


z = np.array([0.0, 40.0])
s = 1 / (1 + np.exp(-z))
print("sigma(z) (1 - sigma(z)) at z = 0, 40:", s * (1 - s))
print("sigmoid_derivative(z)   at z = 0, 40:", sigmoid_derivative(z))
exercises.ch2.sigmoid_derivative(sigmoid_derivative)''',
    },
    "grad_w1": {
        "statement": r"""```{exercise} The gradient of the first weight
:label: ch2-ex-grad-w1

Write `grad_w1(x, y, w1, w2)`, which returns $\partial J / \partial w_1$ for the tiny network of
this chapter: $z_1 = w_1 x$, $a_1 = \sigma(z_1)$, $z_2 = w_2 a_1$, $\hat y = \sigma(z_2)$,
$J = (\hat y - y)^2 / 2$. Multiply the local derivatives along the path from $J$ down to $w_1$.
You may use `activations.sigmoid` and `activations.sigmoid_derivative`. The checker tries the
chapter's numbers ($x = 1.5$, $y = 1$, $w_1 = 0.8$, $w_2 = -0.5$), negative inputs and weights,
and a saturated network.
```""",
        "starter": '''def grad_w1(x, y, w1, w2):
    """dJ/dw1 of the tiny network, for floats x, y, w1, w2."""
    result = ...  # replace ... with your code
    return result


exercises.ch2.grad_w1(grad_w1)''',
        "solution_prose": r"""```{solution-start} ch2-ex-grad-w1
:class: dropdown
```

Five local derivatives lie on the path from $J$ to $w_1$: $\partial J / \partial \hat y =
\hat y - y$, $\partial \hat y / \partial z_2 = \sigma'(z_2)$, $\partial z_2 / \partial a_1 = w_2$,
$\partial a_1 / \partial z_1 = \sigma'(z_1)$ and $\partial z_1 / \partial w_1 = x$. Their product
is the gradient; it agrees with `backprop.tiny_chain`, checked against a central difference in
§2.1:""",
        "solution": '''# Solution
%solution  # keeps the answer folded until you open it


def grad_w1(x, y, w1, w2):
    """dJ/dw1 of the tiny network, for floats x, y, w1, w2."""
    z1 = w1 * x
    z2 = w2 * float(activations.sigmoid(z1))
    y_hat = float(activations.sigmoid(z2))
    ds = activations.sigmoid_derivative
    return (y_hat - y) * float(ds(z2)) * w2 * float(ds(z1)) * x


print(f"chain rule: {grad_w1(1.5, 1.0, 0.8, -0.5):.8g}")
print(f"gradlab:    {backprop.tiny_chain(1.5, 1.0, 0.8, -0.5).grad_w1:.8g}")
exercises.ch2.grad_w1(grad_w1)''',
    },
    "decades_lost": {
        "statement": r"""```{exercise} Orders of magnitude lost
:label: ch2-ex-decades

A chain of $L = 20$ layers has one unit per layer; every weight is $w = 3$ and every unit sits
at $z = 1$ (the biases put it there). Going down one layer multiplies the gradient by
$w\,\sigma'(1)$, so from the output of the top layer, $\partial J / \partial a_{20}$, to the
input of the first,
$\partial J / \partial a_0$, the gradient passes 20 such factors. By how many orders of magnitude
does $\partial J / \partial a_0$ differ from $\partial J / \partial a_{20}$? Give $\log_{10}$ of
their ratio (negative if the gradient shrinks), to 3 significant figures.
```""",
        "starter": """decades = ...  # replace ... with your answer (a float, 3 significant figures)
exercises.ch2.decades_lost(decades)""",
        "solution_prose": r"""```{solution-start} ch2-ex-decades
:class: dropdown
```

Every layer multiplies the gradient by the same factor $w\,\sigma'(1) = 3\,\sigma(1)(1 -
\sigma(1))$, which is below 1 even though $w = 3$ is well above 1: $\sigma'$ is at most $1/4$.
Twenty factors give the ratio $(w\,\sigma'(1))^{20}$, and its $\log_{10}$ is
$20 \log_{10}(w\,\sigma'(1))$:""",
        "solution": """# Solution
%solution  # keeps the answer folded until you open it
factor = 3 * float(activations.sigmoid_derivative(1.0))
decades = 20 * math.log10(factor)
print(f"w sigma'(1)    = {factor:.6g}")
print(f"ratio          = {factor**20:.6g}")
print(f"log10 of ratio = {decades:.6g}")
exercises.ch2.decades_lost(decades)""",
    },
    "best_step": {
        "statement": r"""```{exercise} The best step of the central difference
:label: ch2-ex-best-step

Using the error model of the central difference,

$$
E_0(h) = \frac{h^2 |f'''(x)|}{6} + \frac{\varepsilon |f(x)|}{2h},
$$

with $\varepsilon = 2^{-52}$, find the step $h$ that minimises it for
$f(x) = e^{2x}$ at $x = 0.5$, to 2 significant figures.
```""",
        "starter": """h_best = ...  # replace ... with your answer (a float, 2 significant figures)
exercises.ch2.best_step(h_best)""",
        "solution_prose": r"""```{solution-start} ch2-ex-best-step
:class: dropdown
```

Setting $E_0'(h) = h |f'''| / 3 - \varepsilon |f| / (2h^2)$ to zero gives
$h^3 = \tfrac32\,\varepsilon |f| / |f'''|$. For $f(x) = e^{2x}$, $f'''(x) = 8 e^{2x}$, so
$|f| / |f'''| = 1/8$ at every $x$ and $h = (3\varepsilon / 16)^{1/3}$, a little below
$\varepsilon^{1/3}$:""",
        "solution": """# Solution
%solution  # keeps the answer folded until you open it
eps = 2.0**-52
f, f3 = math.exp(2 * 0.5), 8 * math.exp(2 * 0.5)
h_best = (1.5 * eps * f / f3) ** (1 / 3)
print(f"h_best    = {h_best:.6g}")
step = gradcheck.best_step("central", f_size=f, derivative_size=f3)
print(f"gradlab   = {step:.6g}")
print(f"eps^(1/3) = {eps ** (1 / 3):.6g}")
exercises.ch2.best_step(h_best)""",
    },
}


@pytest.mark.parametrize("key", list(CELLS))
def test_notebook_cells_give_not_attempted_and_correct(key, capsys):
    cells = CELLS[key]
    assert cells["starter"].strip().splitlines()[-1] == f"exercises.ch2.{key}({key_arg(key)})"
    assert cells["solution"].strip().splitlines()[-1] == f"exercises.ch2.{key}({key_arg(key)})"
    check_exercise_cells(cells, capsys, min_printed=2)


def key_arg(key: str) -> str:
    return {"decades_lost": "decades", "best_step": "h_best"}.get(key, key)


def test_notebook_statements_match_the_checkers():
    labels = [c["statement"].splitlines()[1] for c in CELLS.values()]
    assert len(set(labels)) == 4 and all(lab.startswith(":label: ch2-ex-") for lab in labels)
    for cells in CELLS.values():
        label = cells["statement"].splitlines()[1].removeprefix(":label: ")
        assert cells["statement"].startswith("```{exercise} ")
        assert cells["solution_prose"].startswith(f"```{{solution-start}} {label}\n")
    decades = CELLS["decades_lost"]["statement"]
    for text in (
        f"$L = {ch2.DECADES_L}$",
        f"$w = {ch2.DECADES_W:g}$",
        f"$z = {ch2.DECADES_Z:g}$",
        f"passes {ch2.DECADES_L} such factors",
        f"a_{{{ch2.DECADES_L}}}",
        f"{ch2.DECADES_SIG_FIGS} significant figures",
    ):
        assert text in decades, text
    step = CELLS["best_step"]["statement"]
    for text in (
        f"e^{{{ch2.STEP_RATE:g}x}}",
        f"$x = {ch2.STEP_X:g}$",
        "2^{-52}",
        f"{ch2.STEP_SIG_FIGS} significant figures",
    ):
        assert text in step, text
    assert gradcheck.EPS == 2.0**-52
    tail = float(activations.sigmoid_derivative(40.0))
    mantissa, exponent = f"{tail:.1e}".split("e")
    assert f"{mantissa} \\times 10^{{{int(exponent)}}}" in CELLS["sigmoid_derivative"]["statement"]
    grad = CELLS["grad_w1"]["statement"]
    for text in (
        f"$x = {ch2.TINY_X:g}$",
        f"$y = {ch2.TINY_Y:g}$",
        f"$w_1 = {ch2.TINY_W1:g}$",
        f"$w_2 = {ch2.TINY_W2:g}$",
    ):
        assert text in grad, text


# Mutation-testing additions: learners with one typical mistake, and the detectors' tolerance ------


def _sd_feedback(func):
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        fb = ch2.sigmoid_derivative(func)
    assert escaped == []
    assert fb.status == "incorrect"
    return fb


def ref_sigmoid_prime_array(z):
    e = np.exp(-np.abs(np.asarray(z, dtype=float)))
    return e / (1.0 + e) ** 2


@pytest.mark.parametrize("rel, hinted", [(5e-7, True), (-5e-7, True), (5e-6, False)])
def test_sigmoid_twice_recognised_within_a_relative_millionth(rel, hinted):
    fb = _sd_feedback(lambda z: 2.0 * ref_sigmoid_prime_array(z) * (1 + rel))
    assert "z = 1.5" in fb.message
    assert fb.hint == (ch2.SIGMOID_HINTS[4][1] if hinted else ch2.SIGMOID_FALLBACK)


def clipped_before_exp(z):
    """Clips z to +-500 to dodge the overflow: finite, but wrong at z = +-800."""
    return ref_sigmoid_prime_array(np.clip(z, -500.0, 500.0))


def log_space_product(z):
    """sigma (1 - sigma) as exp(log sigma + log(1 - sigma)): log(0) once sigma(z) rounds to 1."""
    s = 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))
    return np.exp(np.log(s) + np.log(1.0 - s))


def test_sigmoid_finite_wrong_tail_is_not_called_an_overflow():
    fb = _sd_feedback(clipped_before_exp)
    assert "z = [800, -800]" in fb.message
    assert fb.hint == ch2.SIGMOID_HINTS[10][1]  # wrong in the tails, nothing overflowed


def test_sigmoid_an_error_in_the_tails_gets_the_floating_point_hint():
    fb = _sd_feedback(log_space_product)
    assert "z = [40, -40]" in fb.message and "divide by zero" in fb.message
    assert fb.hint == _GENERIC_HINTS["floating"]


def chain_grad_w2(x, y, w1, w2):
    a1 = 1.0 / (1.0 + math.exp(-w1 * x))
    y_hat = 1.0 / (1.0 + math.exp(-w2 * a1))
    return (y_hat - y) * y_hat * (1.0 - y_hat) * a1


@pytest.mark.parametrize("rel, hinted", [(5e-7, True), (-5e-7, True), (5e-6, False)])
def test_grad_w2_recognised_within_a_relative_millionth(rel, hinted):
    fb = ch2.grad_w1(lambda x, y, w1, w2: chain_grad_w2(x, y, w1, w2) * (1 + rel))
    assert fb.status == "incorrect"
    assert fb.hint == (ch2.GRAD_HINTS[0][1] if hinted else ch2.GRAD_FALLBACK)


def test_grad_errors_and_none_get_the_generic_hints():
    def divides_by_zero(x, y, w1, w2):
        return (y - y) / (x - x)

    def forgot_return(x, y, w1, w2):
        chain_grad_w2(x, y, w1, w2)

    assert ch2.grad_w1(divides_by_zero).hint == _GENERIC_HINTS["error"]
    assert ch2.grad_w1(forgot_return).hint == _GENERIC_HINTS["none"]
