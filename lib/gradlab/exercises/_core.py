"""Core of the exercise checkers: the verdict and the numeric check."""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Feedback", "is_blank", "check_number", "near"]

_STYLE = {
    "correct": ("✅", "Correct", "#e6f4ea", "#137333"),
    "incorrect": ("❌", "Not quite", "#fce8e6", "#a50e0e"),
    "not attempted": ("✏️", "Not attempted yet", "#f1f3f4", "#3c4043"),
}


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer.

    Attributes
    ----------
    status : {"correct", "incorrect", "not attempted"}
    message : str
        What was checked, or what to do.
    hint : str
        For an incorrect answer: a nudge towards the mistake (may be empty).
    """

    status: str
    message: str
    hint: str = ""

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        icon, title, _, _ = _STYLE[self.status]
        text = f"{icon} {title}: {self.message}"
        return f"{text}\nHint: {self.hint}" if self.hint else text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        icon, title, background, colour = _STYLE[self.status]
        hint = f"<br><b>Hint:</b> {html.escape(self.hint)}" if self.hint else ""
        return (
            f'<div class="gradlab-feedback gradlab-{self.status.replace(" ", "-")}" '
            f'style="background:{background};color:{colour};padding:0.5em 0.8em;'
            f'border-left:4px solid {colour};border-radius:4px">'
            f"{icon} <b>{title}:</b> {html.escape(self.message)}{hint}</div>"
        )


def is_blank(answer: object) -> bool:
    """True for the untouched placeholders ``...`` and ``None``."""
    return answer is Ellipsis or answer is None


Hint = tuple[Callable[[float], bool], str]


def check_number(
    answer: object,
    expected: float,
    *,
    what: str,
    rtol: float = 1e-6,
    atol: float = 0.0,
    integer: bool = False,
    hints: Sequence[Hint] = (),
    fallback_hint: str = "",
) -> Feedback:
    """Check a numeric answer against ``expected``.

    Parameters
    ----------
    answer
        The learner's value (``...``/``None`` means not attempted).
    expected : float
        The right value, computed by ``gradlab``.
    what : str
        What the answer is, for messages ("the depth L").
    rtol, atol : float
        Accepted if ``|answer - expected| <= atol + rtol * |expected|``.
    integer : bool
        The answer must be a whole number (an ``int`` or an integral float).
    hints : sequence of (predicate, hint)
        For a wrong answer, the first hint whose predicate holds is shown:
        each names a likely mistake.
    fallback_hint : str
        Shown when no specific hint applies.
    """
    if is_blank(answer):
        return Feedback("not attempted", f"replace ... with {what} and run the cell again.")
    if hasattr(answer, "item") and getattr(answer, "size", None) == 1:
        answer = answer.item()  # a NumPy scalar or 1-element array
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return Feedback(
            "incorrect",
            f"expected {what} as a single number, got {type(answer).__name__}.",
            "Assign a plain number (int or float), not a list, string or array.",
        )
    value = float(answer)
    if not math.isfinite(value):
        return Feedback(
            "incorrect",
            f"{what} must be a finite number, got {value}.",
            "Check for a division by zero or an overflow in your computation.",
        )
    if integer and value != round(value):
        return Feedback(
            "incorrect",
            f"{what} must be a whole number, got {value}.",
            "Depths count layers: round to the right whole number.",
        )
    if abs(value - expected) <= atol + rtol * abs(expected):
        return Feedback("correct", f"{what} = {_show(value)}.")
    for predicate, hint in hints:
        try:
            applies = bool(predicate(value))
        except Exception:  # a hint must never break the feedback
            applies = False
        if applies:
            return Feedback("incorrect", f"{_show(value)} is not {what}.", hint)
    return Feedback("incorrect", f"{_show(value)} is not {what}.", fallback_hint)


def near(target: float, rtol: float = 1e-3, atol: float = 1e-9) -> Callable[[float], bool]:
    """Predicate: the value is close to ``target`` (for hint tables)."""
    return lambda v: abs(v - target) <= atol + rtol * abs(target)


def _show(value: float) -> str:
    return str(int(value)) if value == round(value) and abs(value) < 1e15 else f"{value:.6g}"
