"""Run a notebook's exercise cells inside a test, as Jupyter would run them."""

from __future__ import annotations

import ast
import math
import re
import warnings

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradlab import activations, backprop, chains, exercises, gradcheck, initializers

#: What the chapters import before their exercises.
NAMESPACE = {
    "np": np,
    "math": math,
    "activations": activations,
    "backprop": backprop,
    "chains": chains,
    "exercises": exercises,
    "gradcheck": gradcheck,
    "initializers": initializers,
}


#: A worked solution's ``%solution`` line (gradlab.exercises): in IPython it folds the cell's
#: output until the reader opens it; it computes nothing, so plain Python runs the cell without.
SOLUTION_MAGIC = re.compile(r"^%solution(?:[ \t]+#[^\n]*)?[ \t]*$", re.M)


def run_cell(source: str) -> object:
    """Run a cell's code; return the value of its last statement, as Jupyter would show it."""
    tree = ast.parse(SOLUTION_MAGIC.sub("", source))
    *body, last = tree.body
    namespace = dict(NAMESPACE)
    exec(compile(ast.Module(body=body, type_ignores=[]), "<cell>", "exec"), namespace)
    if not isinstance(last, ast.Expr):
        exec(compile(ast.Module(body=[last], type_ignores=[]), "<cell>", "exec"), namespace)
        return None
    return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)


def logic_lines(source: str) -> int:
    """Lines of a cell that are neither blank, comments nor the ``%solution`` line (a notebook
    cell keeps <= 12)."""
    return sum(
        1
        for ln in SOLUTION_MAGIC.sub("", source).splitlines()
        if ln.strip() and not ln.strip().startswith("#")
    )


def check_exercise_cells(cells: dict[str, str], capsys, min_printed: int = 1) -> None:
    """The starter says *not attempted*, the solution is correct and prints labelled values.

    Both run with warnings as errors (a notebook cell must not write to stderr) and keep to a
    dozen logic lines; the solution's first line is ``# Solution`` (all a folded cell shows).
    """
    assert "= ..." in cells["starter"]
    assert cells["solution"].splitlines()[0] == "# Solution"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run_cell(cells["starter"]).status == "not attempted"
        capsys.readouterr()  # the starter may print the exercise's data
        fb = run_cell(cells["solution"])
    assert fb.correct, fb
    shown = capsys.readouterr().out.splitlines()
    assert len(shown) >= min_printed and all(line[0].isalpha() for line in shown)
    assert logic_lines(cells["starter"]) <= 12 and logic_lines(cells["solution"]) <= 12


#: Anything a learner might pass to a checker (property tests: a checker never raises).
ANSWERS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300),
    st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(),
    st.text(max_size=8),
    st.lists(st.floats(), max_size=3),
    hnp.arrays(hnp.scalar_dtypes(), hnp.array_shapes(min_dims=0, max_dims=2, max_side=3)),
)
