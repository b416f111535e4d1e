"""Chapter 4's exercise checkers: correct, incorrect with the right hint, not attempted; no crash.

The notebook's exercise texts and cells live here (``CELLS``), verbatim, so the chapter can copy
them; the tests run the starter and solution cells.
"""

import json
import math
import pathlib
import warnings

import numpy as np
import pytest
from _cells import ANSWERS, check_exercise_cells
from hypothesis import given, settings

from gradlab import initializers
from gradlab.exercises import ch4
from gradlab.exercises._core import FINITE_HINT, TYPE_HINT
from gradlab.exercises._functions import _GENERIC_HINTS

ROOT = pathlib.Path(__file__).resolve().parents[1]

# Exercise 4.1: he_normal ----------------------------------------------------------------------


def good_normal(shape, rng):
    return rng.normal(0.0, math.sqrt(2.0 / shape[0]), size=shape)


def good_standard(shape, rng):
    fan_in, fan_out = shape
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_in)


def good_transposed_draw(shape, rng):
    """Right distribution, drawn in another order: the checker tests statistics, not values."""
    return np.ascontiguousarray(rng.normal(0.0, math.sqrt(2.0 / shape[0]), shape[::-1]).T)


def good_gradlab(shape, rng):
    return initializers.he_normal(shape, rng)


@pytest.mark.parametrize("func", [good_normal, good_standard, good_transposed_draw, good_gradlab])
def test_he_normal_accepts_correct_implementations(func):
    fb = ch4.he_normal(func)
    assert fb.correct and fb.hint == "", fb


def fan_out(shape, rng):
    return rng.normal(0.0, math.sqrt(2.0 / shape[1]), size=shape)


def lecun(shape, rng):
    return rng.normal(0.0, math.sqrt(1.0 / shape[0]), size=shape)


def std_not_sqrt(shape, rng):
    return rng.normal(0.0, 2.0 / shape[0], size=shape)


def uniform(shape, rng):
    limit = math.sqrt(6.0 / shape[0])
    return rng.uniform(-limit, limit, size=shape)


def global_state(shape, rng):
    return np.random.normal(0.0, math.sqrt(2.0 / shape[0]), size=shape)  # noqa: NPY002


def own_generator(shape, rng):
    return np.random.default_rng(0).normal(0.0, math.sqrt(2.0 / shape[0]), size=shape)


def swapped_shape(shape, rng):
    return rng.normal(0.0, math.sqrt(2.0 / shape[0]), size=(shape[1], shape[0]))


def flat(shape, rng):
    return rng.normal(0.0, math.sqrt(2.0 / shape[0]), size=shape[0] * shape[1])


def float32(shape, rng):
    return good_normal(shape, rng).astype(np.float32)


def as_list(shape, rng):
    return good_normal(shape, rng).tolist()


def shifted(shape, rng):
    return good_normal(shape, rng) + 0.05


def wrong_scale(shape, rng):
    return rng.normal(0.0, 3.0, size=shape)


def laplace(shape, rng):
    return rng.laplace(0.0, math.sqrt(1.0 / shape[0]), size=shape)  # variance 2 b^2 = 2/fan_in


def xavier(shape, rng):
    return rng.normal(0.0, math.sqrt(2.0 / (shape[0] + shape[1])), size=shape)


def truncated_narrow(shape, rng):  # cut at +-2 std without widening: variance 0.774 x 2/fan_in
    w = rng.normal(0.0, 1.0, size=(shape[0] * shape[1] * 2,))
    return (w[np.abs(w) <= 2.0][: shape[0] * shape[1]] * math.sqrt(2.0 / shape[0])).reshape(shape)


def truncated_widened(shape, rng):  # Keras's he_normal: the variance right, the tails cut
    return truncated_narrow(shape, rng) / math.sqrt(ch4.TRUNCATED_VARIANCE)


def with_nan(shape, rng):
    w = good_normal(shape, rng)
    w[0, 0] = np.nan
    return w


# Each wrong implementation and the hint it must get (a key of HE_HINTS, or a generic hint).
HE_WRONG = [
    (fan_out, "fan_out"),
    (lecun, "lecun"),
    (std_not_sqrt, "std_not_sqrt"),
    (uniform, "uniform"),
    (global_state, "global_state"),
    (own_generator, "ignores_rng"),
    (swapped_shape, "shape_order"),
    (flat, "shape"),
    (float32, "dtype"),
    (as_list, "not_array"),
    (shifted, "mean"),
    (wrong_scale, "variance"),
    (laplace, "not_normal"),
    (with_nan, "finite"),
    (xavier, "xavier"),
    (truncated_narrow, "truncated"),
    (truncated_widened, "truncated"),
]


@pytest.mark.parametrize("func, key", HE_WRONG, ids=[f.__name__ for f, _ in HE_WRONG])
def test_he_normal_catches_each_mistake_with_its_hint(func, key):
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        fb = ch4.he_normal(func)
    assert escaped == []
    assert fb.status == "incorrect" and fb.hint == ch4.HE_HINTS[key], (fb, key)
    assert "(256, 64)" in fb.message or "seeds 0 and 100" in fb.message


def test_he_normal_every_hint_is_exercised():
    assert {key for _, key in HE_WRONG} == set(ch4.HE_HINTS)


def test_he_normal_tolerances_are_the_statistical_ones():
    """The variance test accepts a correct sampler's spread and rejects a 10% error: the
    checker's cases are large enough for that, as its docstring says."""
    for (fan_in, fan_out), _seed in ch4.HE_CASES:
        n = fan_in * fan_out
        assert n >= 16_000 and fan_in != fan_out
        rel = ch4.HE_Z * math.sqrt(2 / (n - 1))
        assert rel < 0.06  # a 10% variance error is always caught
        target = 2 / fan_in
        assert ch4._var_ok(target * (1 + 0.9 * rel), target, n)
        assert not ch4._var_ok(target * (1 + 1.1 * rel), target, n)
    # Over many seeds, a correct sampler's statistics stay well inside the tolerances.
    worst = {"var": 0.0, "kurtosis": 0.0, "mean": 0.0}
    for seed in range(200):
        w = initializers.he_normal((256, 64), seed=seed)
        s = ch4.he_statistics(w)
        worst["var"] = max(
            worst["var"], abs(s["var"] / (2 / 256) - 1) / math.sqrt(2 / (s["n"] - 1))
        )
        worst["kurtosis"] = max(worst["kurtosis"], abs(s["kurtosis"]) / math.sqrt(24 / s["n"]))
        worst["mean"] = max(worst["mean"], abs(s["mean"]) / math.sqrt(2 / 256 / s["n"]))
    assert all(2.0 < z < ch4.HE_Z for z in worst.values()), worst
    # The statistics agree with NumPy/SciPy-free textbook formulas.
    x = np.random.default_rng(1).uniform(-1, 1, 10_000)
    s = ch4.he_statistics(x)
    assert s["var"] == pytest.approx(np.var(x, ddof=1))
    assert s["kurtosis"] == pytest.approx(-1.2, abs=0.05)


def test_he_normal_stubs_and_non_functions():
    def stub(shape, rng):
        """He normal."""
        ...

    def starter(shape, rng):
        weights = ...  # replace ... with your code
        return weights

    def raises(shape, rng):
        raise NotImplementedError

    for func in (stub, starter, raises, ..., None):
        assert ch4.he_normal(func).status == "not attempted", func
    for thing in (3, "f", np.zeros(2)):
        fb = ch4.he_normal(thing)
        assert fb.status == "incorrect" and "expected a function" in fb.message
    fb = ch4.he_normal(lambda shape: good_normal(shape, np.random.default_rng()))
    assert fb.status == "incorrect" and "TypeError" in fb.message
    assert fb.hint == _GENERIC_HINTS["error"]
    assert ch4.he_normal(lambda shape, rng: None).status == "not attempted"  # a stub's body
    fb = ch4.he_normal(lambda shape, rng: None if shape[0] == 256 else good_normal(shape, rng))
    assert fb.status == "incorrect" and fb.hint == _GENERIC_HINTS["none"]


@pytest.mark.parametrize("result", ["w", 3.0, (1, 2), 10**400, object(), np.array(["a"])])
def test_he_normal_never_raises_on_strange_results(result):
    fb = ch4.he_normal(lambda shape, rng, _r=result: _r)
    assert fb.status == "incorrect" and fb.hint and str(fb) and fb._repr_html_()


# Exercise 4.2: the scale after 17 leaky-ReLU layers ---------------------------------------------

A, L = 0.2, 17
SCALE = ((1 + A**2) / 2) ** (L / 2)  # independent of gradlab


def test_scale_is_he_et_als_and_what_a_network_does():
    assert ch4.SCALE == pytest.approx(SCALE, rel=1e-12)
    assert ch4.SCALE == pytest.approx(3.855e-3, rel=1e-3)
    # A wide leaky-ReLU network with n Var[W] = 1 (every layer applies the leaky ReLU).
    rng = np.random.default_rng(0)
    n, batch = 1000, 200
    a0 = rng.standard_normal((batch, n))
    a = a0
    for _ in range(L):
        z = a @ rng.normal(0.0, math.sqrt(1 / n), (n, n))
        a = np.where(z > 0, z, A * z)
    ratio = math.sqrt(np.mean(a**2) / np.mean(a0**2))
    # Each layer's factor fluctuates by about sqrt(2/n) on E[a^2] (the weights are random):
    # over 17 layers about 18% on E[a^2], 9% on the rms. Within 20%, and nearer the answer
    # than the mistakes the hints name (plain ReLU -28%, L - 1 layers +39%).
    assert ratio == pytest.approx(SCALE, rel=0.2)
    assert abs(ratio - SCALE) < min(abs(ratio - 0.5 ** (L / 2)), abs(ratio - 0.52**8))


SCALE_TRIGGERS = [
    ([SCALE**2, 1.486e-5], "square root"),
    ([1.04 ** (L / 2), 1.395], "factor 1/2"),
    ([0.52**8, 0.52**9, 5.35e-3], "Count the layers"),
    ([0.6 ** (L / 2), 0.48 ** (L / 2)], "α squared"),
    ([0.5 ** (L / 2), 2.76e-3], "plain ReLU"),
    ([1 / SCALE, 259.4], "inverse"),
    ([math.log10(SCALE), math.log(SCALE), -2.414, -5.558], "logarithm"),
]


def test_scale_correct_and_boundary():
    for answer in (SCALE, 3.855e-3, 0.003855, 0.00386, np.float64(SCALE), 3.85e-3):
        fb = ch4.leaky_depth_scale(answer)
        assert fb.correct and fb.hint == "", answer
    tol = 1e-5  # 3 significant figures of 0.003855
    assert ch4.leaky_depth_scale(SCALE + 0.9 * tol).correct
    assert not ch4.leaky_depth_scale(SCALE + 1.1 * tol).correct
    for blank in (..., None):
        assert ch4.leaky_depth_scale(blank).status == "not attempted"


def test_scale_every_hint_fires_for_its_own_mistake():
    assert len(SCALE_TRIGGERS) == len(ch4.SCALE_HINTS)
    for (answers, words), (predicate, hint) in zip(SCALE_TRIGGERS, ch4.SCALE_HINTS, strict=True):
        assert words in hint and not predicate(SCALE)
        for answer in answers:
            fb = ch4.leaky_depth_scale(answer)
            assert fb.status == "incorrect" and fb.hint == hint, (answer, fb.hint)


def test_scale_other_answers():
    for answer in (0.1, 1.0, -SCALE):
        fb = ch4.leaky_depth_scale(answer)
        assert fb.status == "incorrect" and fb.hint == ch4.SCALE_FALLBACK, answer
    assert ch4.leaky_depth_scale(0.004).hint.startswith("Close, but rounded too far")
    assert ch4.leaky_depth_scale("0.00385").hint == TYPE_HINT
    assert ch4.leaky_depth_scale(math.inf).hint == FINITE_HINT


# Exercise 4.3: choose the initializers -----------------------------------------------------------

VAR = 2 / ((1 + A**2) * 256)  # independent of gradlab
GOOD = dict(tanh="xavier_normal", relu="he_normal", leaky="he_normal")


def test_choose_initializers_correct():
    assert ch4._leaky_variance() == pytest.approx(VAR, rel=1e-12)
    for tanh in (
        "xavier_normal",
        "xavier_uniform",
        "lecun_normal",
        "lecun_uniform",
        "Glorot_Normal",
    ):
        for relu in ("he_normal", "he_uniform", " kaiming_normal"):
            fb = ch4.choose_initializers(
                tanh=tanh, relu=relu, leaky="he_uniform", leaky_variance=VAR
            )
            assert fb.correct and fb.hint == "", (tanh, relu, fb)
    for v in (7.51e-3, 0.00751, 0.0075120, np.float64(VAR)):
        assert ch4.choose_initializers(**GOOD, leaky_variance=v).correct, v


def test_choose_initializers_not_attempted():
    assert ch4.choose_initializers().status == "not attempted"
    for key in ("tanh", "relu", "leaky"):
        kwargs = {**GOOD, key: ..., "leaky_variance": VAR}
        assert ch4.choose_initializers(**kwargs).status == "not attempted"
    assert ch4.choose_initializers(**GOOD, leaky_variance=None).status == "not attempted"


NAME_TRIGGERS = [
    ({"tanh": "he_normal"}, ("tanh", "he"), "tanh'(0) = 1"),
    ({"tanh": "kaiming_uniform"}, ("tanh", "he"), "tanh'(0) = 1"),
    ({"relu": "xavier_uniform"}, ("relu", "xavier"), "2^(-1/2)"),
    ({"relu": "lecun_normal"}, ("relu", "lecun"), "2^(-1/2)"),
    ({"leaky": "glorot_normal"}, ("leaky", "xavier"), "1/(1 + α^2)"),
    ({"leaky": "lecun_uniform"}, ("leaky", "lecun"), "1/(1 + α^2)"),
    ({"tanh": "standard_normal"}, ("any", "standard_normal"), "sqrt(256) = 16"),
    ({"relu": "uniform_fan_in"}, ("any", "uniform_fan_in"), "nn.Linear"),
    ({"leaky": "orthogonal"}, ("any", "orthogonal"), "not a variance-scaling"),
    ({"tanh": "orthogonal"}, ("any", "orthogonal"), "good choice for tanh"),
    ({"relu": "zeros"}, ("any", "constant"), "symmetry"),
]


def test_choose_initializers_every_name_hint_fires():
    assert {key for _, key, _ in NAME_TRIGGERS} == set(ch4.NAME_HINTS)
    for change, key, words in NAME_TRIGGERS:
        fb = ch4.choose_initializers(**{**GOOD, **change}, leaky_variance=VAR)
        assert fb.status == "incorrect" and fb.hint == ch4.NAME_HINTS[key], change
        assert words in fb.hint


VAR_TRIGGERS = [
    ([2 / 256, 0.00781], "plain He"),
    ([2 / (1.04 * 128), 0.0150], "fan_out"),
    ([math.sqrt(VAR), 0.0867], "standard deviation"),
    ([2 / (1.2 * 256), 0.00651], "1 + α^2"),
    ([1 / 256, 2 / 384, 0.00391, 0.00521], "LeCun's or Xavier's"),
    ([2 / 1.04, 1.92], "n Var[W]"),
]


def test_choose_initializers_every_variance_hint_fires():
    hints = ch4.variance_hints()
    assert len(VAR_TRIGGERS) == len(hints)
    for (answers, words), (predicate, hint) in zip(VAR_TRIGGERS, hints, strict=True):
        assert words in hint and not predicate(VAR)
        for answer in answers:
            fb = ch4.choose_initializers(**GOOD, leaky_variance=answer)
            assert fb.status == "incorrect" and fb.hint == hint, (answer, fb.hint)
    fb = ch4.choose_initializers(**GOOD, leaky_variance=0.5)
    assert fb.status == "incorrect" and "2/((1 + α^2) fan_in)" in fb.hint


def test_choose_initializers_bad_names():
    fb = ch4.choose_initializers(tanh=3, relu="he_normal", leaky="he_normal", leaky_variance=VAR)
    assert fb.status == "incorrect" and "string" in fb.message and "'he_normal'" in fb.hint
    fb = ch4.choose_initializers(**{**GOOD, "relu": "kaiming"}, leaky_variance=VAR)
    assert fb.status == "incorrect" and "not an initializer" in fb.message


STRANGE = ["0.0075", [1, 2], np.zeros(3), float("nan"), True, 10**400, 1 + 2j, print]


@settings(max_examples=100, deadline=None)
@given(a=ANSWERS, b=ANSWERS)
def test_numeric_checkers_never_raise_property(a, b):
    for fb in (
        ch4.leaky_depth_scale(a),
        ch4.choose_initializers(tanh=a, relu=b, leaky="he_normal", leaky_variance=b),
        ch4.choose_initializers(**GOOD, leaky_variance=a),
    ):
        assert fb.status in {"correct", "incorrect", "not attempted"}
        assert str(fb) and fb._repr_html_()


def test_strange_answers_never_raise():
    for answer in STRANGE:
        for fb in (
            ch4.leaky_depth_scale(answer),
            ch4.choose_initializers(**GOOD, leaky_variance=answer),
        ):
            assert fb.status == "incorrect" and fb.hint and fb.message, repr(answer)


# The notebook's cells, verbatim ----------------------------------------------------------------

CELLS = {
    "he_normal": {
        "statement": r"""```{exercise} He initialization
:label: ch4-ex-he-normal

Write `he_normal(shape, rng)`, which returns a NumPy array of shape `shape = (fan_in, fan_out)`
(the layout of $W$ in $a_\ell = \phi(a_{\ell-1} W_\ell)$) whose entries are drawn independently
from $N(0, 2/n_\text{in})$, with $n_\text{in}$ = `fan_in`: standard deviation
$\sqrt{2/n_\text{in}}$. Draw from the generator `rng` you are given (a
`numpy.random.Generator`), not from NumPy's global state, so that the same seed gives the same
weights. The checker calls your function on several shapes with
seeds of its own, and tests the shape, the dtype (float64), the mean, the sample variance (within
five standard errors of $2/n_\text{in}$), the shape of the distribution, and that the weights
come from `rng`.
```""",
        "starter": '''def he_normal(shape, rng):
    """He-normal weights of shape (fan_in, fan_out), drawn from the generator rng."""
    weights = ...  # replace ... with your code
    return weights


exercises.ch4.he_normal(he_normal)''',
        "solution_prose": r"""```{solution-start} ch4-ex-he-normal
:class: dropdown
```

The variance is $2/n_\text{in}$ with $n_\text{in} = $ `shape[0]`, the number of inputs
each unit sums; `rng.normal` takes the standard deviation, its square root. Drawing from `rng`
makes the weights reproducible:""",
        "solution": '''# Solution
%solution  # keeps the answer folded until you open it


def he_normal(shape, rng):
    """He-normal weights of shape (fan_in, fan_out), drawn from the generator rng."""
    fan_in = shape[0]
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)


weights = he_normal((256, 64), np.random.default_rng(0))
print(f"variance: {weights.var():.5f}, target 2/fan_in: {2 / 256:.5f}")
exercises.ch4.he_normal(he_normal)''',
    },
    "leaky_depth_scale": {
        "statement": r"""```{exercise} The scale after 17 leaky-ReLU layers
:label: ch4-ex-leaky-depth

A deep network applies a leaky ReLU with slope $\alpha = 0.2$ after each of its $L = 17$ layers,
$a_\ell = \phi(a_{\ell-1} W_\ell)$, with zero biases and weights such that
$n\,\mathrm{Var}[W] = 1$. By He et al.'s argument, by what factor is the root mean square of the
activations, $\mathrm{rms}(a) = \sqrt{E[a^2]}$, multiplied from the input $a_0$ to $a_{17}$?
Give $\mathrm{rms}(a_{17}) / \mathrm{rms}(a_0)$ to 3 significant figures.
```""",
        "starter": """ratio = ...  # replace ... with your answer (3 significant figures)
exercises.ch4.leaky_depth_scale(ratio)""",
        "solution_prose": r"""```{solution-start} ch4-ex-leaky-depth
:class: dropdown
```

Half of a symmetric $z$ is positive and kept, the other half is multiplied by $\alpha$, so
$E[\phi(z)^2] = \tfrac{1 + \alpha^2}{2} E[z^2]$, and each layer multiplies $E[a^2]$ by
$\tfrac{1 + \alpha^2}{2}\, n\,\mathrm{Var}[W] = 0.52$. After 17 layers the root mean square is
multiplied by $0.52^{17/2}$:""",
        "solution": """# Solution
%solution  # keeps the answer folded until you open it
alpha, depth, n_var = 0.2, 17, 1.0
per_layer = (1 + alpha**2) / 2 * n_var  # the factor on E[a^2]
ratio = per_layer ** (depth / 2)  # the rms is its square root
print(f"factor on E[a^2] per layer: {per_layer:.6g}")
print(f"rms(a_17) / rms(a_0):       {ratio:.6g}")
exercises.ch4.leaky_depth_scale(ratio)""",
    },
    "choose_initializers": {
        "statement": r"""```{exercise} One initializer per activation
:label: ch4-ex-choose-initializers

Name a variance-scaling initializer of `gradlab.initializers` (of the LeCun, Xavier/Glorot or
He family, such as `"lecun_normal"`, `"xavier_normal"` or `"he_normal"`) for a deep network of
tanh units, one for ReLU units, and one for leaky-ReLU units of slope $\alpha = 0.2$. Then give
the variance $\mathrm{Var}[W]$ your leaky-ReLU choice should use for a layer with
$n_\text{in} = 256$ and $n_\text{out} = 128$ (forward rule), to 3 significant figures: the
variance `he_normal` draws when given the slope as `negative_slope=0.2`.
```""",
        "starter": """tanh_init = ...  # replace ... with a name, e.g. "lecun_normal"
relu_init = ...  # replace ... with a name
leaky_init = ...  # replace ... with a name
leaky_variance = ...  # replace ... with Var[W] (3 significant figures)
exercises.ch4.choose_initializers(
    tanh=tanh_init,
    relu=relu_init,
    leaky=leaky_init,
    leaky_variance=leaky_variance,
)""",
        "solution_prose": r"""```{solution-start} ch4-ex-choose-initializers
:class: dropdown
```

tanh is linear near 0, so the linear rule $n\,\mathrm{Var}[W] = 1$ holds: LeCun ($1/n_\text{in}$)
or Xavier ($2/(n_\text{in} + n_\text{out})$). A ReLU halves $E[a^2]$, so He doubles the
variance. A leaky ReLU keeps $\tfrac{1 + \alpha^2}{2}$ of it: He, divided by $1 + \alpha^2$
(orthogonal weights suit tanh too, §4.5, but they are not variance scaling):""",
        "solution": """# Solution
%solution  # keeps the answer folded until you open it
alpha, fan_in = 0.2, 256
tanh_init, relu_init, leaky_init = "xavier_normal", "he_normal", "he_normal"
leaky_variance = 2 / ((1 + alpha**2) * fan_in)
check = initializers.variance("he_normal", 256, 128, negative_slope=alpha)
print(f"Var[W] for the leaky ReLU:           {leaky_variance:.6g}")
print(f"gradlab's he_normal, slope alpha 0.2: {check:.6g}")
exercises.ch4.choose_initializers(
    tanh=tanh_init,
    relu=relu_init,
    leaky=leaky_init,
    leaky_variance=leaky_variance,
)""",
    },
}


@pytest.mark.parametrize("key", list(CELLS))
def test_notebook_cells_give_not_attempted_and_correct(key, capsys):
    cells = CELLS[key]
    assert f"exercises.ch4.{key}(" in cells["starter"]
    assert f"exercises.ch4.{key}(" in cells["solution"]
    check_exercise_cells(cells, capsys, min_printed=1)


def test_notebook_statements_match_the_checkers():
    labels = [c["statement"].splitlines()[1] for c in CELLS.values()]
    assert len(set(labels)) == 3 and all(lab.startswith(":label: ch4-ex-") for lab in labels)
    for cells in CELLS.values():
        label = cells["statement"].splitlines()[1].removeprefix(":label: ")
        assert cells["statement"].startswith("```{exercise} ")
        assert cells["solution_prose"].startswith(f"```{{solution-start}} {label}\n")
    flat = {k: " ".join(c["statement"].split()) for k, c in CELLS.items()}
    assert "within five standard errors" in flat["he_normal"] and ch4.HE_Z == 5
    assert f"$L = {ch4.SCALE_DEPTH}$" in flat["leaky_depth_scale"]
    assert f"$\\alpha = {ch4.SCALE_SLOPE}$" in flat["leaky_depth_scale"]
    assert f"{ch4.SCALE_SIG_FIGS} significant figures" in flat["leaky_depth_scale"]
    assert f"a_{{{ch4.SCALE_DEPTH}}}" in flat["leaky_depth_scale"]
    choose = flat["choose_initializers"]
    assert f"$n_\\text{{in}} = {ch4.CHOICE_FAN_IN}$" in choose
    assert f"$n_\\text{{out}} = {ch4.CHOICE_FAN_OUT}$" in choose
    assert f"$\\alpha = {ch4.CHOICE_SLOPE}$" in choose
    # The checker accepts only variance-scaling schemes (not orthogonal): the statement says so,
    # and names the argument that gives he_normal the slope's variance.
    assert "variance-scaling initializer" in choose and "LeCun, Xavier/Glorot or He" in choose
    assert f"`negative_slope={ch4.CHOICE_SLOPE}`" in choose
    assert "variance-scaling" in ch4.NAME_HINTS[("any", "orthogonal")]
    assert f"{ch4.CHOICE_SIG_FIGS} significant figures" in choose
    # The chapter prints ReLU over 22 layers (2^-11); the exercise's setting is a different one.
    assert "22" not in flat["leaky_depth_scale"]


def test_the_chapter_shows_these_cells_verbatim():
    """Chapter 4's exercise cells are exactly the ones tested here (statements, starters,
    solution prose and solutions), in order."""
    nb = json.loads((ROOT / "book" / "04_initialization.ipynb").read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in nb["cells"]]
    for key, cells in CELLS.items():
        found = [sources.index(cells[part]) for part in cells]  # ValueError if one is missing
        assert found == sorted(found) and found == list(range(found[0], found[0] + 4)), key


# Exercise 4.1: boundaries and degenerate answers ----------------------------------------------


def _exact_variance(factor):
    """A learner whose weights have sample variance exactly ``factor`` times 2/fan_in."""

    def learner(shape, rng):
        z = rng.standard_normal(shape)
        z = (z - z.mean()) / z.std(ddof=1)
        return z * math.sqrt(factor * 2.0 / shape[0])

    return learner


def test_he_normal_variance_tolerance_is_five_standard_errors_with_n_minus_1():
    # The docstring: within HE_Z = 5 standard errors, sqrt(2 / (N - 1)) relative, N the
    # number of weights. Just inside (1 - 1e-5 of it) on every shape passes; just outside
    # (1 + 1e-5) fails on the first shape, 256 x 64, with the generic variance hint.
    # (each shape has its own N, so the learner sets its margin per shape)
    def within(margin):
        def learner(shape, rng):
            size = shape[0] * shape[1]
            return _exact_variance(1 + 5.0 * math.sqrt(2.0 / (size - 1)) * margin)(shape, rng)

        return learner

    assert ch4.he_normal(within(1 - 1e-5)).correct
    fb = ch4.he_normal(within(1 + 1e-5))
    assert fb.status == "incorrect" and fb.hint == ch4.HE_HINTS["variance"]
    assert fb.message.startswith("he_normal((256, 64), np.random.default_rng(0)): sample variance")


def test_he_normal_one_number_broadcast_gets_the_variance_hint():
    # rng.normal(0, std) without size=shape draws ONE number: every weight equal, a different
    # one per seed. Variance (about) 0: far from 2/256.
    def one_draw(shape, rng):
        return np.full(shape, rng.normal(0.0, math.sqrt(2.0 / shape[0])))

    fb = ch4.he_normal(one_draw)
    assert fb.status == "incorrect" and fb.hint == ch4.HE_HINTS["variance"]
    assert "expected 2/fan_in = 0.007812 " in fb.message


def test_he_statistics_of_equal_entries_and_of_float32():
    # All entries equal: mean the value, variance 0, and kurtosis reported as 0 (undefined).
    s = ch4.he_statistics(np.full((4, 4), 0.5))
    assert s == {"mean": 0.5, "var": 0.0, "kurtosis": 0.0, "n": 16.0}
    # float32 weights: the statistics are those of the same numbers in float64.
    w = np.random.default_rng(3).normal(0.0, 0.1, (256, 64)).astype(np.float32)
    x = w.astype(np.float64).ravel()
    s = ch4.he_statistics(w)
    assert s["mean"] == pytest.approx(float(np.sum(x)) / x.size, rel=1e-12, abs=1e-15)
    assert s["var"] == pytest.approx(float(np.sum((x - x.mean()) ** 2)) / (x.size - 1), rel=1e-12)


def test_he_normal_ignores_the_callers_numpy_error_settings():
    # A standard deviation of inf (2 / 0.0 in NumPy) gives inf weights: the "finite" hint, even
    # when the notebook asked NumPy to raise on floating-point errors.
    def divides_by_zero(shape, rng):
        std = np.sqrt(2.0 / np.float64(shape[0] - shape[0]))
        return rng.normal(0.0, std, size=shape)

    with np.errstate(all="raise"):
        fb = ch4.he_normal(divides_by_zero)
    assert fb.status == "incorrect" and fb.hint == ch4.HE_HINTS["finite"], fb


# Exercise 4.3: the messages of a bad name ----------------------------------------------------

OPTIONS = (
    "'zeros', 'constant', 'standard_normal', 'uniform_fan_in', 'lecun_normal', 'lecun_uniform', "
    "'xavier_normal', 'xavier_uniform', 'he_normal', 'he_uniform', 'orthogonal'"
)


def test_choose_initializers_bad_name_messages_and_hints():
    fb = ch4.choose_initializers(tanh=3, relu="he_normal", leaky="he_normal", leaky_variance=VAR)
    assert fb.status == "incorrect"
    assert "tanh: expected an initializer's name as a string, got int." in fb.message
    assert fb.hint == f"Write the name in quotes, one of {OPTIONS}."
    fb = ch4.choose_initializers(**{**GOOD, "relu": "kaiming"}, leaky_variance=VAR)
    assert fb.status == "incorrect" and "relu: 'kaiming' is not an initializer." in fb.message
    assert fb.hint == f"Choose one of {OPTIONS}."
