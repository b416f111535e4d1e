"""Exercise checkers: each says *correct*, *incorrect* (with a hint) or *not attempted*.

Numeric answers. A starter cell in a chapter looks like::

    answer = ...          # replace ... with your answer
    exercises.ch1.depth_to_vanish(answer)

:func:`check_number` compares the answer with a value computed by ``gradlab``
itself (never typed in). When a statement asks for *N significant figures*,
the checker passes ``sig_figs=N``: every answer within one unit of the N-th
significant figure is accepted (rounded and truncated answers both pass,
more figures too), anything further off is not (:func:`sig_fig_tolerance`).

Code. A starter cell holds a stub the learner completes::

    def log_abs_product(ws):
        result = ...      # replace ... with your code
        return result

    exercises.ch1.log_abs_product(log_abs_product)

:func:`check_function` runs the learner's function on a table of
:class:`Case` inputs (edge cases included) against the reference in
``gradlab``, each call on copies of the inputs with floating-point errors and
warnings caught. It reports the first failing case: the input, the expected
value, and what happened (wrong value, exception, warning such as an
overflow, input changed in place, wrong shape or dtype).

Verdicts and hints. Every checker returns a :class:`Feedback` (``status``,
``message``, ``hint``, ``correct``), shown as a coloured box in a notebook.
An untouched starter (``...``, ``None``, a stub whose body is ``...``,
``pass`` or ``raise NotImplementedError``) is *not attempted*. A wrong answer
gets one hint: the first *specific* hint whose predicate recognises the
mistake (a table per exercise), and only otherwise a generic complaint about
its form (not a number, not finite, not whole) or a fallback. A checker
never raises on a strange answer (a string, an array, NaN, a huge int, a
function that crashes): it says what kind of answer it expected.

Worked solutions. A solution cell of a chapter starts with ``%solution`` (registered when this
package is imported in IPython): the rest of the cell's output is shown folded, so *Run All* in
JupyterLab does not print the answers (:class:`FoldedOutput`).
"""

from __future__ import annotations

from . import ch1, ch2, ch3, ch4, ch5, ch6
from ._core import Feedback, Hint, check_number, is_blank, near, sig_fig_tolerance
from ._functions import Attempt, Case, Diagnoser, check_function, is_stub
from ._solution import FoldedOutput, register

# Inside IPython (a notebook), importing the checkers also registers the ``%solution`` magic
# that keeps a worked solution's output folded until the learner opens it (see _solution.py).
register()

__all__ = [
    "Feedback",
    "Hint",
    "is_blank",
    "check_number",
    "near",
    "sig_fig_tolerance",
    "Case",
    "Attempt",
    "Diagnoser",
    "check_function",
    "is_stub",
    "FoldedOutput",
    "register",
    "ch1",
    "ch2",
    "ch3",
    "ch4",
    "ch5",
    "ch6",
]
