"""Chapter 3's exercise checkers: correct, incorrect with the right hint, not attempted; no crash.

The notebook's exercise texts and cells live here (``CELLS``), verbatim, so the chapter can copy
them; the tests run the starter and solution cells.
"""

import math
import warnings

import numpy as np
import pytest
from _cells import ANSWERS, check_exercise_cells
from hypothesis import given, settings
from scipy import special

from gradlab import activations
from gradlab.exercises import ch3
from gradlab.exercises._core import FINITE_HINT, TYPE_HINT, WHOLE_HINT
from gradlab.exercises._functions import _GENERIC_HINTS

# Independent references (plain Python / NumPy, not gradlab's functions) ------------------------


def ref_leaky(z: float, slope: float = 0.01) -> tuple[float, float]:
    return (z, 1.0) if z > 0 else (slope * z, slope)


def ref_leaky_array(z, slope=0.01):
    pairs = [ref_leaky(float(v), slope) for v in np.ravel(z)]
    shape = np.shape(z)
    return (
        np.array([p[0] for p in pairs]).reshape(shape),
        np.array([p[1] for p in pairs]).reshape(shape),
    )


DERIVATIVES = {
    "sigmoid": (special.expit, lambda z: special.expit(z) * special.expit(-z)),
    "tanh": (np.tanh, lambda z: 1.0 / np.cosh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01)),
    "elu": (
        lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
        lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0))),
    ),
    "silu": (
        lambda z: z * special.expit(z),
        lambda z: special.expit(z) * (1 + z * special.expit(-z)),
    ),
}


def ref_ratio(name, depth=15, width=64, gain=6.0, seed=0):
    """||dJ/da_0|| / ||dJ/da_{L-1}||: forward and backward pass written out with NumPy."""
    phi, dphi = DERIVATIVES[name]
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((16, width))
    probe = rng.standard_normal((16, width)) / 16
    W = rng.standard_normal((depth, width, width)) * gain / math.sqrt(width)
    zs, a = [], X
    for layer in range(depth):
        zs.append(a @ W[layer])
        a = phi(zs[-1]) if layer < depth - 1 else zs[-1]
    g, norms = probe, []
    for layer in reversed(range(depth)):
        g_in = g @ W[layer].T  # the gradient entering this layer
        norms.append(np.linalg.norm(g_in))
        if layer > 0:
            g = g_in * dphi(zs[layer - 1])
    return norms[-1] / norms[0]


def test_expected_values_agree_with_independent_references():
    Z = ch3.dead_units_batch()
    assert Z.shape == (ch3.DEAD_BATCH, ch3.DEAD_UNITS) == (6, 10)
    assert ch3.DEAD == int(np.sum(np.all(Z <= 0, axis=0))) == 4
    for name in ch3.CHOICES:
        assert ch3.choice_ratios()[name] == pytest.approx(ref_ratio(name), rel=1e-9), name
    for z in (-2.0, 0.0, 3.0, -0.0):
        value, derivative = activations.leaky_relu(z), activations.leaky_relu_derivative(z)
        assert (float(value), float(derivative)) == ref_leaky(z)


def test_the_batch_is_what_the_statement_says():
    Z = ch3.dead_units_batch()
    assert Z is not ch3.dead_units_batch() and np.array_equal(Z, ch3.dead_units_batch())
    assert np.array_equal(Z, np.round(Z, 1)) and not np.any(np.signbit(Z) & (Z == 0))
    dead, strict = np.all(Z <= 0, axis=0), np.all(Z < 0, axis=0)
    assert np.sum(dead) > np.sum(strict)  # an exact 0 makes z < 0 miss a dead unit
    # Every mistake the hints name gives a different number, none of them the answer.
    mistakes = [
        int(np.sum(strict)),
        int(np.sum(Z <= 0)),
        int(np.sum(Z < 0)),
        int(np.sum(np.all(Z <= 0, axis=1))),
        ch3.DEAD_UNITS - ch3.DEAD,
        int(np.sum(np.any(Z <= 0, axis=0))),
    ]
    assert len(set(mistakes)) == len(mistakes) and ch3.DEAD not in mistakes


def test_only_the_sigmoid_passes_and_not_at_chapter_2s_gain():
    """The docstring's claims: at gain 6 only the sigmoid stays within 100x; at gain 1 it is the
    one that vanishes the most."""
    decades = {name: math.log10(ref_ratio(name)) for name in ch3.CHOICES}
    assert ch3.passing() == ("sigmoid",)
    assert [n for n, d in decades.items() if abs(d) <= 2] == ["sigmoid"]
    assert decades["sigmoid"] == pytest.approx(-1.7, abs=0.05)
    assert decades["tanh"] == pytest.approx(3.5, abs=0.05)
    assert all(8.5 < decades[n] < 8.8 for n in ("relu", "leaky_relu", "elu", "silu"))
    at_one = {n: math.log10(ref_ratio(n, depth=30, gain=1.0)) for n in ch3.CHOICES}
    assert min(at_one, key=at_one.get) == "sigmoid" and at_one["sigmoid"] < -18
    assert ch3.CHOICE_GAIN / math.sqrt(ch3.CHOICE_WIDTH) == 0.75


# Exercise 3.2: dead units -----------------------------------------------------------------------

Z = ch3.dead_units_batch()
DEAD_TRIGGERS = [
    ([int(np.sum(np.all(Z < 0, axis=0)))], "z <= 0, not z < 0"),
    ([int(np.sum(Z <= 0)), int(np.sum(Z < 0))], "counts entries"),
    ([int(np.sum(np.all(Z <= 0, axis=1)))], "examples (rows)"),
    ([10 - ch3.DEAD], "still alive"),
    ([int(np.sum(np.any(Z <= 0, axis=0)))], "np.all, not np.any"),
    ([ch3.DEAD / 10, 0.4], "fraction"),
]


def test_dead_units_correct_and_not_attempted():
    for answer in (4, 4.0, np.int64(4), np.array([4])):
        fb = ch3.dead_units(answer)
        assert fb.correct and fb.hint == "", answer
    for blank in (..., None):
        assert ch3.dead_units(blank).status == "not attempted"


def test_dead_units_every_hint_fires_for_its_own_mistake():
    assert len(DEAD_TRIGGERS) == len(ch3.DEAD_HINTS)
    for (answers, words), (predicate, hint) in zip(DEAD_TRIGGERS, ch3.DEAD_HINTS, strict=True):
        assert words in hint and not predicate(ch3.DEAD)
        for answer in answers:
            fb = ch3.dead_units(answer)
            assert fb.status == "incorrect" and fb.hint == hint, (answer, fb.hint)


def test_dead_units_other_answers():
    for answer in (5, 2, 0, 7):
        fb = ch3.dead_units(answer)
        assert fb.status == "incorrect" and fb.hint == ch3.DEAD_FALLBACK, answer
    assert ch3.dead_units(4.5).hint == WHOLE_HINT
    assert ch3.dead_units("4").hint == TYPE_HINT
    assert ch3.dead_units(float("nan")).hint == FINITE_HINT


# Exercise 3.3: choose the activation --------------------------------------------------------------

R = ref_ratio("sigmoid")
SIGMOID = ch3._measure("sigmoid")
RATIO_TRIGGERS = [
    ([1 / R, 52.0, 52], "upside down"),
    ([math.log10(R), -1.7, -1.72], "log10"),
    ([math.log(R), -4.0, -3.95], "natural log"),
    ([float(SIGMOID.weight[0] / SIGMOID.weight[-1]), 0.030], "weight gradients"),
    ([ref_ratio("tanh"), 3500.0, 3.5e3, ref_ratio("relu"), 4.8e8], "another activation"),
]


def test_choose_activation_correct():
    for name, ratio in (
        ("sigmoid", R),
        ("sigmoid", 0.019),
        (" Sigmoid", 0.0192),
        ("sigmoid", 0.02),
    ):
        fb = ch3.choose_activation(name, ratio)
        assert fb.correct and fb.hint == "", (name, ratio, fb)
    assert ch3.choose_activation("sigmoid", np.float64(R)).correct


def test_choose_activation_ratio_boundary():
    """2 significant figures: within 0.001 of 0.01918."""
    assert ch3.choose_activation("sigmoid", R + 0.0009).correct
    assert ch3.choose_activation("sigmoid", R - 0.0009).correct
    for ratio in (R + 0.0011, R - 0.0011, 0.01, 0.2):
        fb = ch3.choose_activation("sigmoid", ratio)
        assert fb.status == "incorrect" and fb.hint, ratio


def test_choose_activation_not_attempted():
    for name, ratio in ((..., ...), (None, 0.019), ("sigmoid", ...), ("sigmoid", None)):
        assert ch3.choose_activation(name, ratio).status == "not attempted"


def test_choose_activation_failing_names_say_by_how_much():
    for name in ("tanh", "relu", "leaky_relu", "elu", "silu"):
        fb = ch3.choose_activation(name, ref_ratio(name))  # their own ratio, measured right
        decades = math.log10(ref_ratio(name))
        assert fb.status == "incorrect", name
        assert f"grows by {decades:.1f} decades" in fb.hint
        assert f"{decades - 2:.1f} decades beyond the factor of 100" in fb.hint
    fb = ch3.choose_activation("gelu", 1.0)
    assert fb.status == "incorrect" and "'sigmoid'" in fb.hint
    fb = ch3.choose_activation(3, 1.0)
    assert fb.status == "incorrect" and "string" in fb.message


def test_choose_activation_every_ratio_hint_fires():
    hints = ch3.choice_ratio_hints("sigmoid")
    assert len(RATIO_TRIGGERS) == len(hints)
    for (answers, words), (predicate, hint) in zip(RATIO_TRIGGERS, hints, strict=True):
        assert words in hint and not predicate(R)
        for answer in answers:
            fb = ch3.choose_activation("sigmoid", answer)
            assert fb.status == "incorrect" and fb.hint == hint, (answer, fb.hint)
    fb = ch3.choose_activation("sigmoid", 0.5)
    assert "gradient_norms_at_init('sigmoid', 15, 64, 6, seed=0)" in fb.hint


STRANGE = ["0.019", [1, 2], np.zeros(3), float("nan"), float("inf"), True, 10**400, 1 + 2j, print]


@settings(max_examples=100, deadline=None)
@given(a=ANSWERS, b=ANSWERS)
def test_numeric_checkers_never_raise_property(a, b):
    for fb in (ch3.dead_units(a), ch3.choose_activation(a, b), ch3.choose_activation("sigmoid", b)):
        assert fb.status in {"correct", "incorrect", "not attempted"}
        assert str(fb) and fb._repr_html_()


def test_strange_answers_never_raise():
    for answer in STRANGE:
        for fb in (ch3.dead_units(answer), ch3.choose_activation("sigmoid", answer)):
            assert fb.status == "incorrect" and fb.hint and fb.message, repr(answer)


# Exercise 3.1: leaky ReLU and its derivative ----------------------------------------------------


def good_where(z, slope=0.01):
    positive = np.asarray(z) > 0
    return np.where(positive, z, slope * np.asarray(z)), np.where(positive, 1.0, slope)


def good_maximum(z, slope=0.01):
    z = np.asarray(z, dtype=float)
    return np.maximum(z, slope * z), (z > 0) + (z <= 0) * slope


def good_gradlab(z, slope=0.01):
    return (
        activations.leaky_relu(z, negative_slope=slope),
        activations.leaky_relu_derivative(z, negative_slope=slope),
    )


def good_python_for_floats(z, slope=0.01):
    if isinstance(z, float):
        return ref_leaky(z, slope)
    return ref_leaky_array(z, slope)


def test_leaky_accepts_correct_implementations():
    for func in (good_where, good_maximum, good_gradlab, good_python_for_floats):
        fb = ch3.leaky_relu(func)
        assert fb.correct, (func, fb)


def test_leaky_stubs_are_not_attempted():
    def stub(z, slope=0.01):
        """Leaky ReLU."""
        ...

    def starter(z, slope=0.01):
        value = ...  # replace ... with your code
        derivative = ...  # replace ... with your code
        return value, derivative

    def raises(z, slope=0.01):
        raise NotImplementedError

    for func in (stub, starter, raises, ..., None):
        assert ch3.leaky_relu(func).status == "not attempted", func


def mutates(z, slope=0.01):
    derivative = np.where(np.asarray(z) > 0, 1.0, slope)
    if isinstance(z, np.ndarray):
        z[z <= 0] *= slope
        return z, derivative
    return good_where(z, slope)


def not_scalar_ready(z, slope=0.01):
    value = z.copy()
    value[value <= 0] *= slope
    return value, np.where(z > 0, 1.0, slope)


def python_if(z, slope=0.01):
    if z > 0:
        return z, 1.0
    return slope * z, slope


def python_max(z, slope=0.01):
    return max(z, slope * z), (1.0 if z > 0 else slope)


def value_only(z, slope=0.01):
    return good_where(z, slope)[0]


def derivative_unfinished(z, slope=0.01):
    value = good_where(z, slope)[0]
    derivative = ...
    return value, derivative


def swapped(z, slope=0.01):
    value, derivative = good_where(z, slope)
    return derivative, value


def kink_one(z, slope=0.01):
    z = np.asarray(z)
    return np.where(z >= 0, z, slope * z), np.where(z >= 0, 1.0, slope)


def slope_everywhere(z, slope=0.01):
    return slope * np.asarray(z), np.full(np.shape(z), slope)


def wrong_side(z, slope=0.01):
    z = np.asarray(z)
    return np.where(z > 0, slope * z, z), np.where(z > 0, slope, 1.0)


def plain_relu(z, slope=0.01):
    z = np.asarray(z)
    return np.maximum(z, 0.0), (z > 0).astype(float)


def leaky_value_relu_derivative(z, slope=0.01):
    return good_where(z, slope)[0], (np.asarray(z) > 0).astype(float)


def hard_coded_slope(z, slope=0.01):
    return good_where(z, 0.01)


def derivative_is_value(z, slope=0.01):
    value = good_where(z, slope)[0]
    return value, value


# Each wrong implementation, the case it fails on, and the hint it must get (by table index).
LEAKY_WRONG = [
    (mutates, "z = [-3, -0.5, 0, 0.5, 3]", 0, "changed the caller's array"),
    (not_scalar_ready, "z = -2.0", 1, "plain float"),
    (python_if, "z = [-3, -0.5, 0, 0.5, 3]", 2, "np.where"),
    (python_max, "z = [-3, -0.5, 0, 0.5, 3]", 2, "max(z, slope * z)"),
    (value_only, "z = -2.0", 3, "as a pair"),
    (derivative_unfinished, "z = -2.0", 4, "still `...`"),
    (swapped, "z = -2.0", 5, "swapped"),
    (kink_one, "z = 0.0", 6, "not 1"),
    (slope_everywhere, "z = 3.0", 7, "slope everywhere"),
    (wrong_side, "z = -2.0", 8, "wrong side"),
    (plain_relu, "z = -2.0", 9, "plain ReLU"),
    (leaky_value_relu_derivative, "z = -2.0", 9, "plain ReLU"),
    (hard_coded_slope, "slope = 0.2", 10, "slope argument"),
    (derivative_is_value, "z = -2.0", 11, "constant on each side"),
]


@pytest.mark.parametrize(
    "func, where, index, words", LEAKY_WRONG, ids=[w[0].__name__ for w in LEAKY_WRONG]
)
def test_leaky_catches_each_mistake_with_its_hint(func, where, index, words):
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        fb = ch3.leaky_relu(func)
    assert escaped == []
    assert fb.status == "incorrect"
    assert where in fb.message, fb.message
    assert fb.hint == ch3.LEAKY_HINTS[index][1], fb.hint
    assert words in fb.hint


def test_leaky_every_hint_is_exercised():
    assert {w[2] for w in LEAKY_WRONG} == set(range(len(ch3.LEAKY_HINTS)))


def test_leaky_cases_cover_what_the_statement_promises():
    inputs = [c.args[0] for c in ch3.LEAKY_CASES]
    assert {np.ndim(z) for z in inputs} == {0, 1, 2}
    assert isinstance(inputs[0], float) and inputs[0] < 0 and inputs[1] > 0 and inputs[2] == 0
    values = np.concatenate([np.ravel(z) for z in inputs])
    assert np.any((values == 0) & np.signbit(values)) and np.any(
        (values == 0) & ~np.signbit(values)
    )
    assert {c.kwargs.get("slope", 0.01) for c in ch3.LEAKY_CASES} == {0.01, 0.2, 0.3}


def test_leaky_other_mistakes():
    fb = ch3.leaky_relu(lambda z, slope=0.01: tuple(x + 1e-3 for x in good_where(z, slope)))
    assert fb.status == "incorrect" and fb.hint == ch3.LEAKY_FALLBACK
    fb = ch3.leaky_relu(lambda z, slope=0.01: good_where(z, slope) if np.ndim(z) else None)
    assert fb.status == "incorrect" and fb.hint == _GENERIC_HINTS["none"]
    fb = ch3.leaky_relu(lambda z: good_where(z))  # no slope parameter
    assert fb.status == "incorrect" and "slope = 0.2" in fb.message and "TypeError" in fb.message
    fb = ch3.leaky_relu(lambda z, slope=0.01: tuple(np.atleast_1d(x) for x in good_where(z, slope)))
    assert fb.status == "incorrect" and "single number" in fb.message

    def float32(z, slope=0.01):
        pair = good_where(z, slope)
        return tuple(np.asarray(x, np.float32) for x in pair) if np.ndim(z) else pair

    fb = ch3.leaky_relu(float32)
    assert fb.status == "incorrect" and "dtype float32" in fb.message and "dtype" in fb.hint
    fb = ch3.leaky_relu(lambda z, slope=0.01: tuple(np.float32(x) for x in good_where(z, slope)))
    assert fb.status == "incorrect" and "z = -2.0" in fb.message  # 1e-9: float32 is too coarse
    assert fb.hint == ch3.LEAKY_FALLBACK  # nearly right: no specific mistake is blamed


@pytest.mark.parametrize("offset, accepted", [(0.5e-9, True), (-0.5e-9, True), (5e-9, False)])
def test_leaky_acceptance_boundary(offset, accepted):
    def off(z, slope=0.01):
        value, derivative = good_where(z, slope)
        return value * (1 + offset), derivative * (1 + offset)

    assert ch3.leaky_relu(off).correct is accepted


@pytest.mark.parametrize("thing", [3, "f", [good_where], np.zeros(2)])
def test_leaky_wants_a_function(thing):
    fb = ch3.leaky_relu(thing)
    assert fb.status == "incorrect" and "expected a function" in fb.message


@pytest.mark.parametrize(
    "result", ["0.25", [0.25], {"a": 1}, 10**400, True, (1, 2, 3), np.array(["a"]), object()]
)
def test_leaky_never_raises_on_strange_results(result):
    fb = ch3.leaky_relu(lambda z, slope=0.01, _r=result: _r)
    assert fb.status == "incorrect" and fb.hint
    assert str(fb) and fb._repr_html_()


# The notebook's cells, verbatim ----------------------------------------------------------------

CELLS = {
    "leaky_relu": {
        "statement": r"""```{exercise} Leaky ReLU and its derivative
:label: ch3-ex-leaky-relu

Write `leaky_relu_and_derivative(z, slope=0.01)`, which returns the pair `(value, derivative)`:
the leaky ReLU $\phi(z) = z$ for $z > 0$ and $\phi(z) = \text{slope} \cdot z$ for $z \le 0$, and
its derivative $\phi'(z) = 1$ for $z > 0$ and $\phi'(z) = \text{slope}$ for $z \le 0$. At the
kink $z = 0$ take the $z \le 0$ branch, $\phi'(0) = \text{slope}$: that is `gradlab`'s
convention, and PyTorch's and TensorFlow's. `z` is a float or a NumPy array of any shape:
return two numbers for a float, two arrays of `z`'s shape for an array, and leave `z`
unchanged. The checker tries negative, positive and zero floats, 1-D and 2-D arrays (with 0 and
$-0.0$) and other slopes.
```""",
        "starter": '''def leaky_relu_and_derivative(z, slope=0.01):
    """Leaky ReLU of z and its derivative, element-wise: returns (value, derivative)."""
    value = ...  # replace ... with your code
    derivative = ...  # replace ... with your code
    return value, derivative


exercises.ch3.leaky_relu(leaky_relu_and_derivative)''',
        "solution_prose": r"""```{solution-start} ch3-ex-leaky-relu
:class: dropdown
```

One test, `z > 0`, picks the branch for both results, element-wise: `np.where` works on floats
and arrays alike and returns new arrays, so `z` is left alone. Because the test is strict, $z = 0$
(and $-0.0$) falls in the $z \le 0$ branch, which gives $\phi'(0) = \text{slope}$:""",
        "solution": '''# Solution
%solution  # keeps the answer folded until you open it


def leaky_relu_and_derivative(z, slope=0.01):
    """Leaky ReLU of z and its derivative, element-wise: returns (value, derivative)."""
    positive = np.asarray(z) > 0  # z = 0 takes the z <= 0 branch
    value = np.where(positive, z, slope * np.asarray(z))
    derivative = np.where(positive, 1.0, slope)
    return value, derivative


value, derivative = leaky_relu_and_derivative(np.array([-2.0, 0.0, 3.0]))
print("value at -2, 0, 3:     ", value)
print("derivative at -2, 0, 3:", derivative)
exercises.ch3.leaky_relu(leaky_relu_and_derivative)''',
    },
    "dead_units": {
        "statement": r"""```{exercise} Count the dead units
:label: ch3-ex-dead-units

`Z = exercises.ch3.dead_units_batch()` holds the pre-activations $z$ of a ReLU layer of 10
units, whose biases were pushed negative, on a batch of 6 examples: one row per example, one
column per unit. A unit is *dead on this batch* when no gradient passes through it on any
example: $\mathrm{relu}'(z) = 0$, that is $z \le 0$, in every row of its column. How many of the
10 units are dead on this batch? Give a whole number.
```""",
        "starter": """Z = exercises.ch3.dead_units_batch()
print(Z)
n_dead = ...  # replace ... with your answer (a whole number)
exercises.ch3.dead_units(n_dead)""",
        "solution_prose": r"""```{solution-start} ch3-ex-dead-units
:class: dropdown
```

A unit is a column; it is dead when *all* its entries are $\le 0$: `np.all(Z <= 0, axis=0)`.
Mind the exact 0 in the third column: $\mathrm{relu}'(0) = 0$, so that unit is dead too, and
`Z < 0` would miss it. `MLP.diagnostics` counts the same way (its `dead_fraction`):""",
        "solution": """# Solution
%solution  # keeps the answer folded until you open it
Z = exercises.ch3.dead_units_batch()
dead = np.all(Z <= 0, axis=0)  # relu'(z) = 0 on every example (every row)
n_dead = int(dead.sum())
print("dead units (column indices):", np.flatnonzero(dead))
print("number of dead units:       ", n_dead)
print("with z < 0 instead of z <= 0:", int(np.all(Z < 0, axis=0).sum()))
exercises.ch3.dead_units(n_dead)""",
    },
    "choose_activation": {
        "statement": r"""```{exercise} Choose the activation, and say why with a number
:label: ch3-ex-choose-activation

A network has $L = 15$ layers of width 64, weights drawn from $N(0, 0.75^2)$ (a gain
$\sigma\sqrt{n} = 6$), zero biases, and seed 0. Which of `"sigmoid"`, `"tanh"`, `"relu"`,
`"leaky_relu"`, `"elu"` and `"silu"` keeps the gradient entering the first layer within a
factor of 100, either way, of the gradient entering the last layer? That is, with
$r = \|\partial J / \partial a_0\| \,/\, \|\partial J / \partial a_{14}\|$,

$$
\tfrac{1}{100} \le r \le 100 .
$$

Measure with `backprop.gradient_norms_at_init(name, 15, 64, 6.0, seed=0)`, whose `backward`
holds those norms from the first layer to the last. Give the name, and its ratio first/last to 2
significant figures.
```""",
        "starter": """activation = ...  # replace ... with a name, e.g. "tanh"
ratio = ...  # replace ... with the first/last gradient ratio (2 significant figures)
exercises.ch3.choose_activation(activation, ratio)""",
        "solution_prose": r"""```{solution-start} ch3-ex-choose-activation
:class: dropdown
```

Measure every candidate and keep the one whose ratio lies between $1/100$ and $100$. Only the
sigmoid does, about $10^{-1.7}$: with weights this large, tanh and the ReLU family make the
gradient grow by 3.5 and 8.6 to 8.7 decades. That is no victory for the sigmoid: even at gain 6
its gradient still shrinks by almost two decades over 14 layers, and weights this large
saturate a good share of its units (§3.1). Its factor $\tfrac14$ can only be fought with large
weights, which is what §3.2 said:""",
        "solution": """# Solution
%solution  # keeps the answer folded until you open it
ratios = {}
for name in ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "silu"):
    norms = backprop.gradient_norms_at_init(name, 15, 64, 6.0, seed=0)
    ratios[name] = norms.backward[0] / norms.backward[-1]
    decades = math.log10(ratios[name])
    print(
        f"{name:<10} first/last = {ratios[name]:.2g} ({decades:+.1f} decades)"
    )
activation = min(ratios, key=lambda name: abs(math.log10(ratios[name])))
ratio = ratios[activation]
exercises.ch3.choose_activation(activation, ratio)""",
    },
}


ARGS = {
    "leaky_relu": "leaky_relu_and_derivative",
    "dead_units": "n_dead",
    "choose_activation": "activation, ratio",
}


@pytest.mark.parametrize("key", list(CELLS))
def test_notebook_cells_give_not_attempted_and_correct(key, capsys):
    cells = CELLS[key]
    call = f"exercises.ch3.{key}({ARGS[key]})"
    assert cells["starter"].strip().splitlines()[-1] == call
    assert cells["solution"].strip().splitlines()[-1] == call
    check_exercise_cells(cells, capsys, min_printed=2)


def test_notebook_statements_match_the_checkers():
    labels = [c["statement"].splitlines()[1] for c in CELLS.values()]
    assert len(set(labels)) == 3 and all(lab.startswith(":label: ch3-ex-") for lab in labels)
    for cells in CELLS.values():
        label = cells["statement"].splitlines()[1].removeprefix(":label: ")
        assert cells["statement"].startswith("```{exercise} ")
        assert cells["solution_prose"].startswith(f"```{{solution-start}} {label}\n")
    leaky = CELLS["leaky_relu"]["statement"]
    assert r"\phi'(0) = \text{slope}" in leaky and "PyTorch's and TensorFlow's" in leaky
    assert f"slope={ch3.LEAKY_SLOPE}" in leaky
    dead = CELLS["dead_units"]["statement"]
    assert f"{ch3.DEAD_UNITS}\nunits" in dead and f"batch of {ch3.DEAD_BATCH} examples" in dead
    assert r"z \le 0" in dead
    column = int(np.flatnonzero(np.all(Z <= 0, axis=0) & ~np.all(Z < 0, axis=0))[0])
    assert column == 2 and "exact 0 in the third column" in CELLS["dead_units"]["solution_prose"]
    choose = CELLS["choose_activation"]["statement"]
    for text in (
        f"$L = {ch3.CHOICE_DEPTH}$",
        f"width {ch3.CHOICE_WIDTH}",
        f"N(0, {ch3.CHOICE_GAIN / math.sqrt(ch3.CHOICE_WIDTH):g}^2)",
        f"= {ch3.CHOICE_GAIN:g}$",
        f"seed {ch3.CHOICE_SEED}",
        f"seed={ch3.CHOICE_SEED})",
        f"a_{{{ch3.CHOICE_DEPTH - 1}}}",
        f"(name, {ch3.CHOICE_DEPTH}, {ch3.CHOICE_WIDTH}, {ch3.CHOICE_GAIN}, seed=0)",
        f"{ch3.CHOICE_SIG_FIGS} significant figures",
        f"factor of {ch3.CHOICE_FACTOR:g}",
        *(f'`"{name}"`' for name in ch3.CHOICES),
    ):
        assert " ".join(text.split()) in " ".join(choose.split()), text


# Mutation-testing additions: each learner below has one typical mistake --------------------------


def test_choose_activation_refusal_texts_in_full():
    options = "'sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'silu'"
    fb = ch3.choose_activation(3, 1.0)
    assert fb.status == "incorrect"
    assert fb.message == "expected the activation's name as a string, got int."
    assert fb.hint == f"Write the name in quotes, one of {options}."
    assert ch3.choose_activation(["sigmoid"], 0.019).message.endswith("got list.")
    fb = ch3.choose_activation("gelu", 1.0)
    assert fb.message == "'gelu' is not one of the candidates."
    assert fb.hint == f"Choose one of {options}."


def test_a_vanishing_candidate_is_said_to_shrink(monkeypatch):
    """The failing verdict's wording for a gradient that vanishes (ratio 1e-4: -4 decades)."""
    monkeypatch.setattr(ch3, "choice_ratios", lambda: {"tanh": 1e-4})
    fb = ch3._wrong_choice("tanh")
    assert fb.status == "incorrect"
    assert "the gradient shrinks by 4.0 decades" in fb.hint
    assert "(ratio 0.0001): 2.0 decades beyond the factor of 100" in fb.hint


def test_the_batch_follows_the_documented_recipe():
    """Biases uniform in [-2, 0.5] rounded to 0.1, plus standard normals, rounded to 0.1."""
    rng = np.random.default_rng(5)
    bias = np.round(rng.uniform(-2.0, 0.5, 10), 1)
    expected = np.round(rng.standard_normal((6, 10)) + bias, 1)
    assert np.array_equal(ch3.dead_units_batch(), expected)


def good_leaky(z, slope):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, slope * z), np.where(z > 0, 1.0, slope)


def _leaky_feedback(func):
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        fb = ch3.leaky_relu(func)
    assert escaped == [], [str(w.message) for w in escaped]
    assert fb.status == "incorrect"
    return fb


@pytest.mark.parametrize(
    "rel, hinted", [(5e-7, True), (-5e-7, True), (5e-6, False), (-5e-6, False)]
)
def test_leaky_swapped_recognised_within_a_relative_millionth(rel, hinted):
    """The mistake detectors compare to 1e-6 relative: a swap computed a bit off still counts."""

    def swapped_off(z, slope=0.01):
        value, derivative = good_leaky(z, slope)
        return derivative * (1 + rel), value * (1 + rel)

    fb = _leaky_feedback(swapped_off)
    assert "z = -2.0" in fb.message
    assert fb.hint == (ch3.LEAKY_HINTS[5][1] if hinted else ch3.LEAKY_FALLBACK)


@pytest.mark.parametrize("eps, hinted", [(5e-13, True), (1e-11, False), (1e-9, False)])
def test_leaky_plain_relu_recognised_within_an_absolute_1e12(eps, hinted):
    """Near zero the detectors allow 1e-12 absolute: the plain ReLU plus a tiny epsilon."""

    def relu_plus_eps(z, slope=0.01):
        z = np.asarray(z, dtype=float)
        return np.maximum(z, 0.0) + eps, (z > 0).astype(float) + eps

    fb = _leaky_feedback(relu_plus_eps)
    assert "z = -2.0" in fb.message
    assert fb.hint == (ch3.LEAKY_HINTS[9][1] if hinted else ch3.LEAKY_FALLBACK)


def recursion_forgets_slope(z, slope=0.01):
    """2-D arrays are flattened and passed to itself, without the slope."""
    if np.ndim(z) == 2:
        value, derivative = recursion_forgets_slope(np.ravel(z))
        return value.reshape(np.shape(z)), derivative.reshape(np.shape(z))
    return good_leaky(z, slope)


def float_branch_right_kink_wrong_on_arrays(z, slope=0.01):
    if isinstance(z, float):
        return ref_leaky(z, slope)
    return np.where(z >= 0, z, slope * z), np.where(z >= 0, 1.0, slope)


def value_ignores_slope(z, slope=0.01):
    return good_leaky(z, 0.01)[0], good_leaky(z, slope)[1]


def derivative_ignores_slope(z, slope=0.01):
    return good_leaky(z, slope)[0], good_leaky(z, 0.01)[1]


def swaps_only_with_another_slope(z, slope=0.01):
    value, derivative = good_leaky(z, slope)
    return (value, derivative) if slope == 0.01 else (derivative, value)


def float32_arrays_kink_wrong(z, slope=0.01):
    if isinstance(z, float):
        return ref_leaky(z, slope)
    z32 = np.asarray(z, np.float32)
    return np.where(z32 >= 0, z32, slope * z32), np.where(z32 >= 0, 1.0, slope).astype(np.float32)


def float32_arrays_swapped(z, slope=0.01):
    if isinstance(z, float):
        return ref_leaky(z, slope)
    value, derivative = good_leaky(z, slope)
    return derivative.astype(np.float32), value.astype(np.float32)


@pytest.mark.parametrize(
    "func, where, hint",
    [
        # 0 < z <= 1 entries (0.45 here, 0.5 below) keep z itself, derivative 1.
        (recursion_forgets_slope, "slope = 0.3", ch3.LEAKY_HINTS[10][1]),
        (
            float_branch_right_kink_wrong_on_arrays,
            "z = [-3, -0.5, 0, 0.5, 3]",
            ch3.LEAKY_HINTS[6][1],
        ),
        # Only a function that uses 0.01 for both halves is told it ignores the slope.
        (value_ignores_slope, "slope = 0.2", ch3.LEAKY_FALLBACK),
        (derivative_ignores_slope, "slope = 0.2", ch3.LEAKY_FALLBACK),
        (swaps_only_with_another_slope, "slope = 0.2", ch3.LEAKY_HINTS[5][1]),
    ],
    ids=lambda x: getattr(x, "__name__", "")[:30],
)
def test_leaky_mistakes_that_show_late(func, where, hint):
    fb = _leaky_feedback(func)
    assert where in fb.message, fb.message
    assert fb.hint == hint


@pytest.mark.parametrize("func", [float32_arrays_kink_wrong, float32_arrays_swapped])
def test_leaky_a_wrong_dtype_is_reported_before_any_mistake(func):
    """A float32 array fails on its dtype: the hint asks for float64, whatever else is wrong."""
    fb = _leaky_feedback(func)
    assert "z = [-3, -0.5, 0, 0.5, 3]" in fb.message and "dtype float32" in fb.message
    assert fb.hint.startswith("Make your function return what the reference returns: ")
    assert "expected dtype float64" in fb.hint


def test_leaky_extended_precision_results_raise_no_warning():
    """A long-double overflow (1e400) is a wrong value, and converting it warns nobody."""
    fb = _leaky_feedback(lambda z, slope=0.01: (np.longdouble("1e400"), np.longdouble("1e400")))
    assert "returned inf" in fb.message and fb.hint == ch3.LEAKY_FALLBACK
