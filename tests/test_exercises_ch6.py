"""Chapter 6's exercise checkers: correct, incorrect with the right hint, not attempted; no crash.

The notebook's exercise texts and cells live here (``CELLS``), verbatim, so the chapter can copy
them; the tests run the starter and solution cells.
"""

import math

import numpy as np
import pytest
from _cells import ANSWERS, NAMESPACE, check_exercise_cells
from hypothesis import given, settings

from gradlab import capstone
from gradlab.exercises import ch6
from gradlab.exercises._core import TYPE_HINT
from gradlab.exercises._functions import _GENERIC_HINTS

# Exercise 6.1: residual_backward ----------------------------------------------------------------


def good(grad_out, W, z, alpha):
    return grad_out + alpha * (grad_out * (z > 0)) @ W.T


def good_where(grad_out, W, z, alpha):
    branch = np.where(z > 0, grad_out, 0.0)
    return grad_out + alpha * branch.dot(W.T)


def good_einsum(grad_out, W, z, alpha):
    return grad_out + alpha * np.einsum("bk,jk->bj", grad_out * (z > 0), W)


@pytest.mark.parametrize("func", [good, good_where, good_einsum])
def test_residual_backward_accepts_correct_implementations(func):
    fb = ch6.residual_backward(func)
    assert fb.correct and fb.hint == "", fb


def test_reference_matches_the_network_engine():
    # The reference is what MLP's backward pass does through a residual ReLU layer.
    from gradlab.network import MLP

    g, W, z, alpha = ch6.RESIDUAL_CASES[1].args
    n = W.shape[0]
    rng = np.random.default_rng(0)
    a_in = rng.normal(size=(g.shape[0], n))
    net = MLP.from_arrays(
        [np.eye(n), W, np.eye(n)],
        [np.zeros(n), np.zeros(n), np.zeros(n)],
        "relu",
        residual=True,
        residual_scale=alpha,
    )
    X = a_in  # layer 1 (identity weights) is residual too: a_1 = X + alpha relu(X)
    grads = net.backward(X, g)  # dJ/da_2 = g (the linear last layer has identity weights)
    z_net = net.pre_activations[1]
    want = ch6.reference_residual_backward(g, W, z_net, alpha)
    np.testing.assert_allclose(grads.activation_grads[1], want, rtol=1e-12)


def only_branch(grad_out, W, z, alpha):
    return alpha * (grad_out * (z > 0)) @ W.T


def no_alpha(grad_out, W, z, alpha):
    return grad_out + (grad_out * (z > 0)) @ W.T


def no_mask(grad_out, W, z, alpha):
    return grad_out + alpha * grad_out @ W.T


def no_transpose(grad_out, W, z, alpha):
    return grad_out + alpha * (grad_out * (z > 0)) @ W


def geq(grad_out, W, z, alpha):
    return grad_out + alpha * (grad_out * (z >= 0)) @ W.T


def multiplied(grad_out, W, z, alpha):
    return grad_out * (alpha * (grad_out * (z > 0)) @ W.T)


@pytest.mark.parametrize(
    ("func", "index"),
    [
        (only_branch, 0),
        (no_alpha, 1),
        (no_mask, 2),
        (no_transpose, 3),
        (geq, 4),
        (multiplied, 5),
    ],
)
def test_residual_backward_hints_name_the_mistake(func, index):
    fb = ch6.residual_backward(func)
    assert fb.status == "incorrect"
    assert fb.hint == ch6.RESIDUAL_DIAGNOSERS[index][1], fb


def test_every_residual_hint_is_reachable():
    # One wrong function per diagnoser above; none is shadowed by an earlier one.
    assert len(ch6.RESIDUAL_DIAGNOSERS) == 6


def mutates(grad_out, W, z, alpha):
    grad_out += alpha * (grad_out * (z > 0)) @ W.T
    return grad_out


def raises(grad_out, W, z, alpha):
    raise ValueError("oops")


def returns_none(grad_out, W, z, alpha):
    grad_out + alpha * (grad_out * (z > 0)) @ W.T


def stub(grad_out, W, z, alpha):
    result = ...
    return result


def test_residual_backward_generic_failures():
    assert ch6.residual_backward(mutates).hint == _GENERIC_HINTS["mutated"]
    assert ch6.residual_backward(raises).hint == _GENERIC_HINTS["error"]
    assert ch6.residual_backward(returns_none).hint == _GENERIC_HINTS["none"]
    assert ch6.residual_backward(stub).status == "not attempted"
    assert ch6.residual_backward(...).status == "not attempted"
    assert ch6.residual_backward(3.0).status == "incorrect"
    fb = ch6.residual_backward(lambda g, W, z, a: 2 * g)
    assert fb.status == "incorrect" and "Two paths" in fb.hint


def test_residual_cases_include_the_kink_and_alpha():
    alphas = {case.args[3] for case in ch6.RESIDUAL_CASES}
    assert 1.0 in alphas and len(alphas) == 3
    assert any(np.any(case.args[2] == 0.0) for case in ch6.RESIDUAL_CASES)


# Exercise 6.2: branch_growth --------------------------------------------------------------------


def test_branch_growth_value_and_figures():
    B = capstone.SETUP.depth - 2
    assert ch6.GROWTH_BLOCKS == B == 14
    assert ch6.expected_growth() == pytest.approx((1 + 1 / 14) ** 14)
    assert ch6.expected_growth() < math.e
    assert ch6.branch_growth(round(ch6.expected_growth(), 3)).correct
    # The statement says so: 2.627 (2.62715 rounded or truncated to 4 figures) and anything
    # within one unit of the fourth figure (2.628), not 2.626; and a miscounted B,
    # (1 + 1/13)^13 = 2.621 or (1 + 1/15)^15 = 2.633, is wrong.
    assert ch6.branch_growth(2.627).correct and ch6.branch_growth(2.628).correct
    assert not ch6.branch_growth(2.626).correct
    for b in (13, 15):
        fb = ch6.branch_growth((1 + 1 / b) ** b)
        assert fb.status == "incorrect" and "Count the residual layers" in fb.hint
    assert ch6.branch_growth(ch6.expected_growth()).correct
    assert ch6.branch_growth(...).status == "not attempted"
    assert ch6.branch_growth("2.6").hint == TYPE_HINT


@pytest.mark.parametrize("index", range(8))
def test_branch_growth_hints(index):
    B = ch6.GROWTH_BLOCKS
    wrong = [
        math.e,
        1 + B * (1 / B),  # the layers' shares added: 2
        math.sqrt(ch6.expected_growth()),
        2.0**B,
        1 + 1 / B,
        (1 + 1 / math.sqrt(B)) ** B,
        (1 + 2 / B) ** B,
        (1 + 1 / (B + 1)) ** (B + 1),
    ][index]
    fb = ch6.branch_growth(wrong)
    assert fb.status == "incorrect"
    assert fb.hint == ch6.growth_hints()[index][1], fb


def test_branch_growth_fallback():
    fb = ch6.branch_growth(5.0)
    assert fb.status == "incorrect" and "1 + alpha^2" in fb.hint


# Exercise 6.3: diagnose -------------------------------------------------------------------------

RIGHT = {"A": "dying", "B": "vanishing", "C": "healthy"}


def test_diagnose_accepts_the_right_causes():
    fb = ch6.diagnose(RIGHT)
    assert fb.correct, fb
    assert ch6.diagnose({k: v.upper() + " " for k, v in RIGHT.items()}).correct


@pytest.mark.parametrize(("given", "truth"), list(ch6.DIAGNOSIS_HINTS))
def test_diagnose_hints_for_each_confusion(given, truth):
    letter = next(k for k, v in RIGHT.items() if v == truth)
    fb = ch6.diagnose({**RIGHT, letter: given})
    assert fb.status == "incorrect"
    assert fb.hint == ch6.DIAGNOSIS_HINTS[(given, truth)]


def test_diagnose_odd_answers():
    assert ch6.diagnose(...).status == "not attempted"
    # The runs are checked in order: a wrong A is said at once, even with B and C blank.
    assert ch6.diagnose({"A": "exploding"}).status == "incorrect"
    assert ch6.diagnose({"A": RIGHT["A"]}).message == "give a cause for run B."
    assert ch6.diagnose(["A"]).status == "incorrect"
    assert ch6.diagnose({**RIGHT, "D": "healthy"}).status == "incorrect"
    fb = ch6.diagnose({**RIGHT, "A": "broken"})
    assert fb.status == "incorrect" and "'vanishing'" in fb.hint
    assert ch6.diagnose({**RIGHT, "A": 3}).status == "incorrect"
    # lower-case keys: told the keys, not "not attempted"
    fb = ch6.diagnose({k.lower(): v for k, v in RIGHT.items()})
    assert fb.status == "incorrect" and "in capitals" in fb.message
    fb = ch6.diagnose({**RIGHT, "A": "exploding"})  # the old name of run A's trouble
    assert fb.status == "incorrect" and "dead fraction" in fb.hint


def test_the_diagnosis_matches_the_cached_runs():
    # The answer key is backed by the data the learner sees.
    runs = capstone.load_ladder()
    depth = capstone.SETUP.depth
    A, B, C = (runs[(ch6.DIAGNOSIS_RUNS[k], depth)] for k in "ABC")
    assert np.nanmax(A.global_grad_norm) > 100 * np.nanmax(C.global_grad_norm)  # a late spike
    # ... but A's ReLUs died first: most of its units dead by step 80, with a modest norm
    k = list(A.record_steps).index(80)
    assert np.nanmean(A.dead_fraction[k]) > 0.5 and A.accuracy[k] <= 0.55
    assert np.nanmax(A.global_grad_norm[:280]) < np.nanmax(C.global_grad_norm)
    assert A.dead_fraction[-1][-1] == 1.0 and C.dead_fraction[-1][-1] < 0.5
    assert A.final_accuracy < 0.6 and B.final_accuracy < 0.6  # at chance
    assert B.grad_norm[0, 0] < 1e-2 * B.grad_norm[0, -1]  # vanishing towards layer 1
    assert np.nanmax(B.global_grad_norm) < np.nanmax(C.global_grad_norm)  # no explosion
    assert capstone.steps_to_accuracy(C) is not None  # healthy: reaches the target
    table = ch6.diagnosis_table(runs)
    assert [row[0] for row in table.rows] == ["A", "B", "C"]
    assert all(r.rung not in str(table) for r in (A, B, C))  # names hidden


# The notebook's cells --------------------------------------------------------------------------

CELLS = {
    "residual_backward": {
        "statement": r"""```{exercise} Backward through a residual layer
:label: ch6-ex-residual-backward

A residual ReLU layer computes $a_{\text{out}} = a_{\text{in}} + \alpha\,\mathrm{relu}(z)$ with
$z = a_{\text{in}} W + b$, for a batch of rows (rows are examples, so this $W$ is the
transpose of §6.1's $W_\ell$). Write `residual_backward(grad_out, W, z, alpha)`,
which returns $\partial L / \partial a_{\text{in}}$ given
`grad_out` $= \partial L / \partial a_{\text{out}}$ (shape `(batch, n)`), the weights `W`
(`(n, n)`), the pre-activations `z` (`(batch, n)`) and the scale `alpha`. Use
$\mathrm{relu}'(0) = 0$, and do not change the inputs.
```""",
        "starter": '''def residual_backward(grad_out, W, z, alpha):
    """dLoss/da_in for a_out = a_in + alpha * relu(a_in @ W + b)."""
    grad_in = ...  # replace ... with your code
    return grad_in


exercises.ch6.residual_backward(residual_backward)''',
        "solution_prose": r"""```{solution-start} ch6-ex-residual-backward
:class: dropdown
```

Two paths lead from $a_{\text{in}}$ to $a_{\text{out}}$, and their gradients add. The skip
connection is the identity, so it passes `grad_out` through unchanged. The branch multiplies
by $\alpha$, by ReLU's derivative $[z > 0]$ and, going backward through $z = a_{\text{in}} W$,
by $W^T$:""",
        "solution": '''# Solution
%solution  # keeps the answer folded until you open it


def residual_backward(grad_out, W, z, alpha):
    """dLoss/da_in for a_out = a_in + alpha * relu(a_in @ W + b)."""
    branch = alpha * (grad_out * (z > 0)) @ W.T
    return grad_out + branch


g = np.ones((1, 3))
print("identity part alone (W = 0):", residual_backward(g, np.zeros((3, 3)), g, 0.5))
exercises.ch6.residual_backward(residual_backward)''',
    },
    "branch_growth": {
        "statement": r"""```{exercise} How much do scaled branches add?
:label: ch6-ex-branch-growth

Take $B = 14$ residual layers, as in the ladder, with $\alpha = 1/\sqrt{B}$ and a branch
whose output has mean zero, $a_\ell = a_{\ell-1} + \alpha\,\phi(z_\ell) V_\ell$ (§6.1). He
weights make the unscaled branch keep the mean square, so the scaled branch contributes
$\alpha^2 E[a_{\ell-1}^2]$, and with a zero-mean branch the cross term
$2\alpha\, E[a_{\ell-1} \cdot \phi(z_\ell) V_\ell]$ vanishes: each layer multiplies the mean
square by $1 + \alpha^2$. By what factor do the $B$ layers multiply it? Give it to 4 significant
figures, rounded or truncated: the checker accepts any answer within one unit of the fourth
figure.
```""",
        "starter": """growth = ...  # replace ... with your answer (4 significant figures)
exercises.ch6.branch_growth(growth)""",
        "solution_prose": r"""```{solution-start} ch6-ex-branch-growth
:class: dropdown
```

$B$ factors of $1 + 1/B$ in a row: $(1 + 1/B)^B$, which increases towards $e$ as $B$ grows,
so however deep the network, with a zero-mean branch, the branches add less than a factor
$e$ to the mean square in expectation (about 1.65 to the norm); §6.1 measured 2.58 at
$B = 14$. The ladder's ReLU-ending branch has a cross term and grows far more. With
$\alpha = 1$ it would be $2^B$:""",
        "solution": """# Solution
%solution  # keeps the answer folded until you open it
B = 14
alpha = 1 / math.sqrt(B)
growth = (1 + alpha**2) ** B
print(f"growth of the mean square: {growth:.6g} (e = {math.e:.6g})")
print("with alpha = 1:           ", 2.0**B)
exercises.ch6.branch_growth(growth)""",
    },
    "diagnose": {
        "statement": r"""```{exercise} Diagnose three runs
:label: ch6-ex-diagnose

The table below shows the diagnostics of three runs of the ladder, names hidden. For each
run, A, B and C, say whether its gradients are `"vanishing"`, whether its ReLUs are
`"dying"`, or whether it is `"healthy"`.
```""",
        "starter": """print(exercises.ch6.diagnosis_table())
answer = ...  # replace ... with {"A": ..., "B": ..., "C": ...}
exercises.ch6.diagnose(answer)""",
        "solution_prose": r"""```{solution-start} ch6-ex-diagnose
:class: dropdown
```

Run A ends at chance with its whole last hidden layer dead: dying (the ReLU network with a
three times larger learning rate; its gradient norm jumps only at the end, after most units
had died). Run B's first layer
gets a gradient ten orders of magnitude smaller than its last, its first layer's updates are
far below $10^{-3}$ of its weights, and it never leaves chance: vanishing (sigmoid with
Xavier weights). Run C reaches the target with ratios near $10^{-3}$: healthy (ReLU, He):""",
        "solution": """# Solution
%solution  # keeps the answer folded until you open it
answer = {"A": "dying", "B": "vanishing", "C": "healthy"}
for run, cause in answer.items():
    print("run", run, "->", cause)
exercises.ch6.diagnose(answer)""",
    },
}


@pytest.mark.parametrize("key", list(CELLS))
def test_notebook_cells_give_not_attempted_and_correct(key, capsys):
    cells = CELLS[key]
    assert f"exercises.ch6.{key}(" in cells["starter"]
    assert f"exercises.ch6.{key}(" in cells["solution"]
    check_exercise_cells(cells, capsys, min_printed=1)


def test_notebook_statements_match_the_checkers():
    labels = [c["statement"].splitlines()[1] for c in CELLS.values()]
    assert len(set(labels)) == 3 and all(lab.startswith(":label: ch6-ex-") for lab in labels)
    assert f"$B = {ch6.GROWTH_BLOCKS}$" in CELLS["branch_growth"]["statement"]
    assert "exercises" in NAMESPACE and "math" in NAMESPACE


@settings(max_examples=100, deadline=None)
@given(a=ANSWERS)
def test_numeric_checkers_never_raise_property(a):
    for fb in (ch6.branch_growth(a), ch6.diagnose(a)):
        assert fb.status in {"correct", "incorrect", "not attempted"}
