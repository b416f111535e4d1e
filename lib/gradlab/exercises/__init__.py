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

Exercises as data. Every exercise whose answer is a number, a choice or a short set of
them is a :class:`PageExercise` (its numbers' :class:`NumberRule` s: accepted interval, hint
regions), and its checker is built from it; the HTML book writes the same description into
the page, where a small script checks what the reader types with the same verdicts and hints
(:func:`catalogue`, :func:`page_data`). Code exercises are :class:`CodeExercise` s. Each
checker keeps its latest verdict in the kernel: :func:`progress` summarises a chapter's.

Worked solutions. A solution cell of a chapter starts with ``%solution`` (registered when this
package is imported in IPython): the rest of the cell's output is shown folded, so *Run All* in
JupyterLab does not print the answers (:class:`FoldedOutput`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import ch1, ch2, ch3, ch4, ch5, ch6
from ._core import (
    Feedback,
    Hint,
    Interval,
    NumberRule,
    Region,
    check_number,
    is_blank,
    near,
    number_rule,
    parse_typed,
    sig_fig_tolerance,
)
from ._functions import Attempt, Case, Diagnoser, check_function, is_stub
from ._page import (
    RESULTS,
    CodeExercise,
    Field,
    Option,
    PageExercise,
    Progress,
    describe,
    progress_of,
    styles,
)
from ._solution import FoldedOutput, register

# Inside IPython (a notebook), importing the checkers also registers the ``%solution`` magic
# that keeps a worked solution's output folded until the learner opens it (see _solution.py).
register()

__all__ = [
    "Feedback",
    "Interval",
    "Region",
    "NumberRule",
    "number_rule",
    "parse_typed",
    "PageExercise",
    "CodeExercise",
    "Field",
    "Option",
    "Progress",
    "RESULTS",
    "CHAPTERS",
    "checkers",
    "catalogue",
    "progress",
    "page_data",
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


#: The chapters with exercise checkers, by number.
CHAPTERS = {1: ch1, 2: ch2, 3: ch3, 4: ch4, 5: ch5, 6: ch6}


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def checkers(chapter: int) -> tuple[Callable[..., Feedback], ...]:
    """The exercise checkers of ``chapter`` (1 to 6), in the order of their exercises."""
    if isinstance(chapter, bool) or not isinstance(chapter, int):
        raise TypeError(f"chapter must be an int, got {type(chapter).__name__}")
    if chapter not in CHAPTERS:
        raise ValueError(f"chapter must be one of {sorted(CHAPTERS)}, got {chapter}")
    module = CHAPTERS[chapter]
    found = [getattr(module, name) for name in module.__all__]
    found = [f for f in found if hasattr(f, "exercise")]
    return tuple(sorted(found, key=lambda f: _number_key(describe(f).number)))


def catalogue(chapter: int) -> tuple[PageExercise | CodeExercise, ...]:
    """The exercises of ``chapter`` as data, in order: a :class:`PageExercise` for a number
    or a choice, a :class:`CodeExercise` for code."""
    return tuple(describe(f) for f in checkers(chapter))


def progress(chapter: int) -> Progress:
    """The latest verdict of each exercise of ``chapter`` checked in this kernel.

    Shown at the end of a learner notebook: "Chapter 1: 2 of 4 exercises correct in this
    session (1.1 correct, 1.2 incorrect, ...)". An exercise whose checker has not run counts
    as *not attempted*.
    """
    return progress_of(chapter, catalogue(chapter))


def page_data(chapter: int) -> dict[str, Any]:
    """What the HTML book writes into ``chapter``'s page for its script (``gvx-check.js``):
    each exercise's description by label (:meth:`PageExercise.to_json`, or the code
    exercise's number and sentence), in order, and the verdict boxes' styles."""
    exercises: list[dict[str, Any]] = []
    for described in catalogue(chapter):
        if isinstance(described, PageExercise):
            exercises.append({"kind": "page", **described.to_json()})
        else:
            exercises.append(
                {
                    "kind": "code",
                    "label": described.label,
                    "number": described.number,
                    "tests": described.tests,
                }
            )
    return {"chapter": chapter, "exercises": exercises, "styles": styles()}
