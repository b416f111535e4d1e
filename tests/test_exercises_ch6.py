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


def test_residual_cases_are_the_documented_batches_and_labels():
    # Simplest first: one row with alpha = 1, a 4 x 5 batch with alpha = 0.5, then a 3 x 4
    # batch with alpha = 0.25 whose first row has its first two pre-activations exactly at the
    # kink (and only those); each label says what the failure message will name.
    (g0, W0, z0, a0), (g1, W1, z1, a1), (g2, W2, z2, a2) = (c.args for c in ch6.RESIDUAL_CASES)
    assert [c.label for c in ch6.RESIDUAL_CASES] == [
        "one row, alpha = 1, 1 x 3",
        "alpha = 0.5, 4 x 5",
        "z = 0 in places, alpha 0.25",
    ]
    assert (g0.shape, W0.shape, z0.shape, a0) == ((1, 3), (3, 3), (1, 3), 1.0)
    assert (g1.shape, W1.shape, z1.shape, a1) == ((4, 5), (5, 5), (4, 5), 0.5)
    assert (g2.shape, W2.shape, z2.shape, a2) == ((3, 4), (4, 4), (3, 4), 0.25)
    assert np.argwhere(z2 == 0.0).tolist() == [[0, 0], [0, 1]]


def test_residual_cases_are_the_same_every_time():
    # A fixed seed: every learner (and every rerun) is checked on the same numbers.
    for a, b in zip(ch6._cases(), ch6.RESIDUAL_CASES, strict=True):
        assert a.label == b.label
        for x, y in zip(a.args, b.args, strict=True):
            np.testing.assert_array_equal(x, y)


def _wrong_on(alpha, wrong):
    # Right on every case but the one with this alpha: the message names that case.
    def func(grad_out, W, z, a):
        return (wrong if a == alpha else good)(grad_out, W, z, a)

    return func


def test_residual_backward_message_names_the_failing_case():
    fb = ch6.residual_backward(only_branch)
    assert fb.message.startswith("residual_backward(one row, alpha = 1, 1 x 3): entry ")
    fb = ch6.residual_backward(_wrong_on(0.5, no_alpha))
    assert fb.message.startswith("residual_backward(alpha = 0.5, 4 x 5): entry ")
    assert fb.hint == ch6.RESIDUAL_DIAGNOSERS[1][1]
    # z >= 0 differs from z > 0 only at the kink, in the first row of the last case
    fb = ch6.residual_backward(geq)
    assert fb.message.startswith("residual_backward(z = 0 in places, alpha 0.25): entry (0, 0) ")


def test_residual_hint_tolerance_is_relative_1e_7():
    # A diagnoser recognises the mistake within rtol = 1e-7 (rounding), not beyond.
    def scaled(factor):
        return lambda g, W, z, a: only_branch(g, W, z, a) * factor

    assert ch6.residual_backward(scaled(1 + 1e-8)).hint == ch6.RESIDUAL_DIAGNOSERS[0][1]
    fb = ch6.residual_backward(scaled(1 + 1e-6))
    assert fb.status == "incorrect" and fb.hint.startswith("Two paths reach a_in")


def test_residual_hint_tolerance_is_absolute_1e_12_near_zero():
    # The kink case's first row has z <= 0 throughout, so the branch alone is exactly 0 there:
    # an offset of 1e-13 is within atol = 1e-12, one of 1e-10 is not.
    def offset(eps):
        return _wrong_on(0.25, lambda g, W, z, a: only_branch(g, W, z, a) + eps)

    g, W, z, a = ch6.RESIDUAL_CASES[2].args
    assert np.all(z[0] <= 0) and np.all(only_branch(g, W, z, a)[0] == 0.0)
    assert ch6.residual_backward(offset(1e-13)).hint == ch6.RESIDUAL_DIAGNOSERS[0][1]
    fb = ch6.residual_backward(offset(1e-10))
    assert fb.status == "incorrect" and fb.hint.startswith("Two paths reach a_in")


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


CHOOSE = "Choose one of 'vanishing', 'dying', 'healthy'."


def test_diagnose_unknown_cause_message_and_hint():
    fb = ch6.diagnose({**RIGHT, "A": "broken"})
    assert fb.status == "incorrect"
    assert fb.message == "run A: 'broken' is not one of the causes."
    assert fb.hint == CHOOSE  # nothing about 'exploding' for another word
    fb = ch6.diagnose({**RIGHT, "B": " Exploding"})
    assert fb.message == "run B: ' Exploding' is not one of the causes."
    assert fb.hint == (
        CHOOSE + " A run whose global norm spikes only after most of its units have died is "
        "diagnosed by its dead fraction: that is 'dying'."
    )


def _run(rung, accuracy, global_norm, grad_norm, update_ratio, dead):
    depth = capstone.SETUP.depth
    records = len(accuracy)
    return capstone.Run(
        rung=rung,
        depth=depth,
        loss=np.ones(len(global_norm)),
        global_grad_norm=np.array(global_norm, dtype=float),
        clipped=np.zeros(len(global_norm), dtype=bool),
        record_steps=np.arange(records) * 20,
        full_loss=np.ones(records),
        accuracy=np.array(accuracy, dtype=float),
        grad_norm=np.array(grad_norm, dtype=float),
        update_ratio=np.array(update_ratio, dtype=float),
        dead_fraction=np.array(dead, dtype=float),
        saturated_fraction=np.zeros((records, depth - 1)),
    )


def _layers(first, last, second=1.0, before_last=1.0, rest=1.0, depth=16):
    row = [rest] * depth
    row[0], row[1], row[-2], row[-1] = first, second, before_last, last
    return row


def _given_runs():
    # Three runs built by hand, records at steps 0, 20, 40, 60.
    nan = [np.nan] * 16
    return {
        ("relu_he_spike", 16): _run(  # A
            "relu_he_spike",
            [0.5, 0.95, 0.96, 0.97],
            [1.0, np.nan, 2346.0, 3.0],
            [_layers(3e-6, 2.0, 5.0, 13.0), _layers(7.0, 11.0)] + [_layers(1.0, 1.0)] * 2,
            [_layers(1e-3, 4e-4, 7e-2, 9e-5), _layers(3e-3, 6e-4, 7e-2, 9e-5), nan, nan],
            [
                [0.0] * 15,
                [0.0] * 14 + [0.5],
                [0.0] * 14 + [0.75],
                [0.0, 0.75] + [0.0] * 11 + [0.25, 0.0625],  # at the end: 6 % of the last
            ],
        ),
        ("sigmoid_xavier", 16): _run(  # B: never reaches 0.9
            "sigmoid_xavier",
            [0.5, 0.6, 0.89, 0.7],
            [0.5, 0.25],
            [_layers(1.0, 4.0)] * 4,
            [_layers(2e-5, 8e-3), _layers(4e-5, 8e-3), _layers(3e-5, 1e-2), nan],
            [[0.0] * 15] * 4,
        ),
        ("relu_he", 16): _run(  # C: reaches 0.9 exactly at step 40
            "relu_he",
            [0.5, 0.5, 0.9, 0.93],
            [15.6, 15.64],
            [_layers(2.0, 1.0)] * 4,
            [_layers(2e-3, 1e-3)] * 4,
            [[0.0] * 14 + [0.125]] * 3 + [[0.0] * 14 + [0.3125]],
        ),
    }


def test_diagnosis_table_of_given_runs():
    # Every cell of the hand-built runs worked out here.
    table = ch6.diagnosis_table(_given_runs())
    assert table.header == [
        "run",
        "accuracy",
        "steps to 90%",
        "max ‖g‖",
        "‖g‖ layer 1 / L, step 0",
        "update ratio, layer 1",
        "update ratio, layer L",
        "dead, last layer, end",
    ]
    assert table.rows == [
        # A: max of the finite norms; 3e-6 / 2 at step 0; medians of the recorded rows
        # (1e-3, 3e-3 -> 2e-3; 4e-4, 6e-4 -> 5e-4); the last layer's dead share at the end
        ["A", "0.970", "20", "2.35e+03", "1.5e-06", "2.0e-03", "5.0e-04", "6%"],
        ["B", "0.700", "did not reach", "0.5", "0.25", "3.0e-05", "8.0e-03", "0%"],
        ["C", "0.930", "40", "15.6", "2", "2.0e-03", "1.0e-03", "31%"],
    ]


def test_diagnosis_table_of_a_run_near_the_float_limit_is_quiet():
    # Update ratios of a run blowing up, beyond half the largest float: their median (NumPy
    # averages the two middle ones) overflows, and the table is still made without a warning.
    runs = _given_runs()
    A = runs[("relu_he_spike", 16)]
    A.update_ratio[:2, 0] = [1.5e308, 1.7e308]
    table = ch6.diagnosis_table(runs)
    assert table.rows[0][5] in {"1.6e+308", "inf"}
    assert table.rows[0][6] == "5.0e-04"


def test_diagnosis_table_caption_and_real_rows():
    table = ch6.diagnosis_table()
    caption = table.caption
    assert caption.startswith("Three runs of the ladder (seed 0, depth 16), names hidden; ")
    assert "; update ratios are medians over training, " in caption
    assert caption.endswith(", the dead share is the last hidden layer's at the end")
    assert str(table).splitlines()[0] == caption
    assert table.header[2] == f"steps to {capstone.SETUP.target_accuracy:.0%}" == "steps to 90%"
    runs = capstone.load_ladder()
    C = runs[(ch6.DIAGNOSIS_RUNS["C"], capstone.SETUP.depth)]
    first = C.record_steps[np.argmax(C.accuracy >= 0.9)]
    # A and B stay at chance; C reaches 90 % at its first record at or above 0.9
    assert [row[2] for row in table.rows] == ["did not reach", "did not reach", str(first)]
    assert table.rows[0][-1] == "100%"  # run A: its whole last hidden layer dead


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
