"""Exercises as data: the description a notebook's checker and the HTML book's page both use.

An exercise whose answer is a number, a choice or a short set of them is a
:class:`PageExercise`: its fields (:class:`Field`), each a number judged by a
:class:`~gradlab.exercises._core.NumberRule` or a choice among :class:`Option` s whose
outcomes are fixed verdicts. The chapter's checker (``exercises.ch1.depth_to_vanish``) is
built from it (:meth:`PageExercise.check`); the book writes :meth:`PageExercise.to_json`
into the page, where ``static/gvx-check.js`` evaluates it on what the reader types
(:meth:`PageExercise.check_text` is that evaluation's definition, and
``tests/test_page_checkers.py`` runs both on the same answers). A code exercise is a
:class:`CodeExercise`: the page says where to do it and what its checker tests.

Every checker records its latest verdict in this kernel (:func:`exercise`), and
:func:`progress` summarises a chapter's, as the page summarises the reader's.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._core import _STYLE, Feedback, NumberRule, is_blank

__all__ = [
    "NEEDS_NOTEBOOK",
    "Option",
    "Field",
    "PageExercise",
    "CodeExercise",
    "exercise",
    "RESULTS",
    "Progress",
    "styles",
]


@dataclass(frozen=True)
class Option:
    """One choice of a choice field.

    Attributes
    ----------
    value : str
        The value as the notebook spells it (``"sigmoid"``, ``"True"``).
    label : str
        As the page's menu shows it.
    outcome : Feedback or None
        The verdict if this option is chosen (an *incorrect* one with its hint), or None for
        an acceptable choice: the next field is checked.
    """

    value: str
    label: str
    outcome: Feedback | None = None


@dataclass(frozen=True)
class Field:
    """One answer of an exercise: a number or a choice.

    Attributes
    ----------
    name : str
        Its name (the checker's argument).
    label : str
        The page's label for its input.
    blank : str
        The *not attempted* message in the notebook.
    blank_page : str
        The *not attempted* message in the page.
    rule : NumberRule or None
        A number's rule (None for a choice, or when ``rules`` applies).
    options : tuple of Option
        A choice's options (empty for a number).
    depends_on : str or None
        A choice field, earlier in the exercise, whose chosen value selects this number's
        rule in ``rules``.
    rules : mapping of str to NumberRule
    normalise : callable, optional
        Notebook only, for a choice: turns the learner's Python value into an option's value
        (``" ReLU"`` into ``"relu"``, ``True`` into ``"True"``), or returns the *incorrect*
        :class:`Feedback` saying what is wrong with it (not a string, not a candidate). The
        page offers only the options, so it needs none.
    """

    name: str
    label: str
    blank: str
    blank_page: str
    rule: NumberRule | None = None
    options: tuple[Option, ...] = ()
    depends_on: str | None = None
    rules: Mapping[str, NumberRule] = field(default_factory=dict)
    normalise: Callable[[object], object] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if bool(self.options) == (self.rule is not None or bool(self.rules)):
            raise ValueError(f"field {self.name!r} must have either options or a rule")
        if bool(self.rules) != (self.depends_on is not None):
            raise ValueError(f"field {self.name!r}: rules and depends_on go together")

    @property
    def kind(self) -> str:
        return "choice" if self.options else "number"

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    def rule_for(self, chosen: Mapping[str, str]) -> NumberRule:
        if self.rule is not None:
            return self.rule
        return self.rules[chosen[self.depends_on]]  # type: ignore[index]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "blank": self.blank_page,
        }
        if self.options:
            out["options"] = [
                {"value": o.value, "label": o.label, "outcome": _feedback_json(o.outcome)}
                for o in self.options
            ]
        elif self.rule is not None:
            out["rule"] = self.rule.to_json()
        else:
            out["dependsOn"] = self.depends_on
            out["rules"] = {k: r.to_json() for k, r in self.rules.items()}
        return out


def _feedback_json(fb: Feedback | None) -> dict[str, str] | None:
    return None if fb is None else {"status": fb.status, "message": fb.message, "hint": fb.hint}


@dataclass(frozen=True)
class PageExercise:
    """An exercise answered with numbers and choices, checkable in a notebook and a page.

    The fields are checked in order; the first that is blank gives *not attempted*, the
    first that is wrong gives its *incorrect* verdict and hint. When all are right the
    verdict is *correct*, with ``correct`` as its message or, if that is empty, the last
    number's ("the depth L = 59.").

    Attributes
    ----------
    label : str
        The exercise's label in the chapter (``ch1-ex-depth``): its key in the page.
    number : str
        As the book numbers it ("1.1").
    fields : tuple of Field
    correct : str
    note : str
        For the page: what the exercise needs beyond a calculator (a function, data or a
        measurement only Python has), shown above the form; empty if nothing.
    """

    label: str
    number: str
    fields: tuple[Field, ...]
    correct: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"{self.label}: fields must be distinct and at least one")

    def field(self, name: str) -> Field:
        """The field called ``name``; a ValueError naming the exercise's fields otherwise."""
        found = next((f for f in self.fields if f.name == name), None)
        if found is None:
            names = ", ".join(f.name for f in self.fields)
            raise ValueError(f"{self.label}: no field named {name!r} (its fields: {names})")
        return found

    def check(self, values: Mapping[str, object]) -> Feedback:
        """The notebook's verdict: ``values`` maps field names to the learner's answers
        (``...``/``None``: blank); a choice goes through its field's ``normalise`` first."""
        return self._run(values, page=False)

    def check_text(self, values: Mapping[str, str]) -> Feedback:
        """The page's verdict on what the reader entered (``""`` for an empty box or no
        choice): the definition ``gvx-check.js`` implements."""
        return self._run(values, page=True)

    def _run(self, values: Mapping[str, Any], page: bool) -> Feedback:
        chosen: dict[str, str] = {}
        last: Feedback | None = None
        for f in self.fields:
            value = values.get(f.name, "" if page else ...)
            if f.options:
                if (value == "") if page else is_blank(value):
                    return Feedback("not attempted", f.blank_page if page else f.blank)
                if not page and f.normalise is not None:
                    value = f.normalise(value)
                    if isinstance(value, Feedback):
                        return value
                option = f.option(value) if isinstance(value, str) else None
                if option is None:
                    raise ValueError(f"{self.label}: {value!r} is not an option of {f.name}")
                chosen[f.name] = value
                if option.outcome is not None:
                    return option.outcome
                continue
            rule = f.rule_for(chosen)
            if page:
                last = rule.check_text(value, f.blank_page)
            else:
                last = rule.check(value, f.blank)
            if not last.correct:
                return last
        if self.correct or last is None:
            return Feedback("correct", self.correct)
        return last

    def to_json(self) -> dict[str, Any]:
        """The exercise as JSON data for the page (``static/gvx-check.js``)."""
        return {
            "label": self.label,
            "number": self.number,
            "fields": [f.to_json() for f in self.fields],
            "correct": self.correct,
            "note": self.note,
        }


def single_number(
    label: str, number: str, rule: NumberRule, field_label: str, note: str = ""
) -> PageExercise:
    """A :class:`PageExercise` with one number, named ``answer`` (``note``: see its doc)."""
    return PageExercise(
        label,
        number,
        (
            Field(
                "answer",
                field_label,
                blank=f"replace ... with {rule.what} and run the cell again.",
                blank_page=f"type {rule.what} in the box, then press Check.",
                rule=rule,
            ),
        ),
        note=note,
    )


#: The note of an exercise that needs Python for its answer (a measurement or stored data).
NEEDS_NOTEBOOK = (
    "This one needs Python: {what}. Work it out in the learner notebook (or on Binder), then "
    "enter your answer here."
)


@dataclass(frozen=True)
class CodeExercise:
    """An exercise whose answer is code: done in a notebook, never in the page.

    Attributes
    ----------
    label, number : str
        As for :class:`PageExercise`.
    tests : str
        One sentence on what the checker tests, for the page.
    """

    label: str
    number: str
    tests: str


Exercise = PageExercise | CodeExercise

#: The latest verdict of each exercise checked in this kernel, by label.
RESULTS: dict[str, Feedback] = {}


def exercise(
    described: Exercise | Callable[[], Exercise],
) -> Callable[[Callable[..., Feedback]], Callable[..., Feedback]]:
    """Decorator: mark a checker as the one for ``described`` and record its verdicts.

    The checker gets an ``exercise`` attribute (``described``, or a function returning it,
    for descriptions costly to build), and each verdict it returns is kept in
    :data:`RESULTS` under the exercise's label, for :func:`progress`.
    """

    def wrap(checker: Callable[..., Feedback]) -> Callable[..., Feedback]:
        @functools.wraps(checker)
        def recorded(*args: Any, **kwargs: Any) -> Feedback:
            feedback = checker(*args, **kwargs)
            RESULTS[describe(recorded).label] = feedback
            return feedback

        recorded.exercise = described  # type: ignore[attr-defined]
        return recorded

    return wrap


def describe(checker: Callable[..., Feedback]) -> Exercise:
    """The :class:`PageExercise` or :class:`CodeExercise` of a checker made by :func:`exercise`."""
    described = getattr(checker, "exercise", None)
    if described is None:
        raise TypeError(f"{getattr(checker, '__name__', checker)!r} is not an exercise checker")
    return described if isinstance(described, PageExercise | CodeExercise) else described()


@dataclass(frozen=True)
class Progress:
    """A chapter's exercises and the latest verdict on each in this kernel.

    Attributes
    ----------
    chapter : int
    rows : tuple of (number, status)
        ``status`` is "correct", "incorrect" or "not attempted" (never checked counts as not
        attempted).
    """

    chapter: int
    rows: tuple[tuple[str, str], ...]

    @property
    def correct(self) -> int:
        return sum(status == "correct" for _, status in self.rows)

    def headline(self) -> str:
        return f"Chapter {self.chapter}: {self.correct} of {len(self.rows)} exercises correct"

    def __str__(self) -> str:
        parts = ", ".join(f"{number} {status}" for number, status in self.rows)
        return f"{self.headline()} in this session ({parts})."

    __repr__ = __str__

    def _repr_html_(self) -> str:
        items = "".join(
            f"<li>{_STYLE[status][0]} Exercise {html.escape(number)}: {status}</li>"
            for number, status in self.rows
        )
        return (
            f'<div class="gradlab-progress"><b>{html.escape(self.headline())}</b> in this '
            f'session (the latest run of each checker):<ul style="margin:0.3em 0">{items}</ul>'
            "</div>"
        )


def progress_of(chapter: int, described: Sequence[Exercise]) -> Progress:
    """The :class:`Progress` of ``described`` (a chapter's exercises) from :data:`RESULTS`."""
    rows = tuple(
        (d.number, RESULTS[d.label].status if d.label in RESULTS else "not attempted")
        for d in described
    )
    return Progress(chapter, rows)


def styles() -> dict[str, dict[str, str]]:
    """The verdict boxes' icon, title and colours (as in the notebook), for the page."""
    return {
        status: {"icon": icon, "title": title, "background": bg, "colour": fg}
        for status, (icon, title, bg, fg) in _STYLE.items()
    }
