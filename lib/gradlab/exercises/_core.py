"""Core of the exercise checkers: the verdict, the numeric check, significant figures."""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Feedback", "Hint", "is_blank", "check_number", "near", "sig_fig_tolerance"]

_STYLE = {
    "correct": ("✅", "Correct", "#e6f4ea", "#137333"),
    "incorrect": ("❌", "Not quite", "#fce8e6", "#a50e0e"),
    "not attempted": ("✏️", "Not attempted yet", "#f1f3f4", "#3c4043"),
}


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer.

    Shown as a coloured box in a notebook (``_repr_html_``) and as one or two
    lines of text elsewhere (``str``).

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
        hint = f"<br><b>Hint:</b> {_emphasis(self.hint)}" if self.hint else ""
        return (
            f'<div class="gradlab-feedback gradlab-{self.status.replace(" ", "-")}" '
            f'style="background:{background};color:{colour};padding:0.5em 0.8em;'
            f'border-left:4px solid {colour};border-radius:4px">'
            f"{icon} <b>{title}:</b> {_emphasis(self.message)}{hint}</div>"
        )


#: A word or phrase in single asterisks (``*below*``), the plain-text way the hints stress one.
_STRESS = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")


def _emphasis(text: str) -> str:
    """``text`` escaped for HTML, with ``*word*`` in italics (``<em>word</em>``), so that a
    hint's stress shows as such in the notebook instead of as asterisks; ``2*x*y`` stays."""
    return _STRESS.sub(r"<em>\1</em>", html.escape(text))


def is_blank(answer: object) -> bool:
    """True for the untouched placeholders ``...`` and ``None``."""
    return answer is Ellipsis or answer is None


#: A hint table entry: (predicate on the learner's finite value, the hint shown when it holds).
Hint = tuple[Callable[[float], bool], str]

#: Generic hints, shown only when no specific hint of the exercise applies.
TYPE_HINT = "Assign a plain number (int or float), not a list, string or array."
FINITE_HINT = "Check for a division by zero, a log of zero or an overflow in your computation."
WHOLE_HINT = "The answer is a count (of layers, of units): give the right whole number."


def sig_fig_tolerance(expected: float, n: int) -> float:
    """Absolute tolerance of an answer given to ``n`` significant figures.

    One unit of the ``n``-th significant figure of ``expected``:

    .. math:: \\mathrm{tol} = 10^{\\lfloor \\log_{10} |x| \\rfloor - n + 1}

    An answer within ``tol`` of ``expected`` agrees with it to ``n``
    significant figures whether it was rounded or truncated (both are less
    than one unit away); an answer further off does not. For example
    ``x = 1.0672533`` and ``n = 4`` give ``tol = 0.001``: 1.067 (rounded or
    truncated) and 1.0681 are accepted, 1.0662 is not.

    Parameters
    ----------
    expected : float
        The exact value; finite and non-zero (zero has no significant figures).
    n : int
        Number of significant figures (>= 1).

    Returns
    -------
    float

    References
    ----------
    Taylor, J. R. (1997). *An Introduction to Error Analysis*, 2nd ed., §2.8
    (significant figures).
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be an integer, got {type(n).__name__} {n!r}")
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if isinstance(expected, bool) or not isinstance(expected, numbers.Real):
        raise TypeError(f"expected must be a real number, got {type(expected).__name__}")
    x = float(expected)
    if not math.isfinite(x) or x == 0.0:
        raise ValueError(f"expected must be finite and non-zero, got {x}")
    exponent = math.floor(math.log10(abs(x)))
    if 10.0**exponent > abs(x):  # log10 rounded up across a power of ten
        exponent -= 1
    elif 10.0 ** (exponent + 1) <= abs(x):  # or down
        exponent += 1
    return 10.0 ** (exponent - int(n) + 1)


def check_number(
    answer: object,
    expected: float,
    *,
    what: str,
    rtol: float = 1e-6,
    atol: float = 0.0,
    sig_figs: int | None = None,
    integer: bool = False,
    hints: Sequence[Hint] = (),
    fallback_hint: str = "",
) -> Feedback:
    """Check a numeric answer against ``expected``; never raises on a strange answer.

    The answer is accepted if it is within the tolerance,
    ``|answer - expected| <= atol + rtol * |expected|``, or, with ``sig_figs=N``,
    within one unit of the N-th significant figure (:func:`sig_fig_tolerance`).

    A wrong answer gets one hint, chosen in this order: the first entry of
    ``hints`` whose predicate holds for the (finite) value, then a generic
    complaint about its form (not finite, not a whole number), then
    ``fallback_hint``. Specific mistakes win over generic ones: ``56.95`` for
    a depth gets the hint about mixing log bases, not "round to a whole number".

    Parameters
    ----------
    answer
        The learner's value (``...``/``None`` means not attempted). A NumPy
        scalar or one-element array counts as a number.
    expected : float
        The right value, computed by ``gradlab``.
    what : str
        What the answer is, for messages ("the depth L").
    rtol, atol : float
        Relative and absolute tolerance (ignored when ``sig_figs`` is given).
    sig_figs : int, optional
        The statement asks for this many significant figures.
    integer : bool
        The answer must be a whole number (an ``int`` or an integral float).
    hints : sequence of (predicate, hint)
        Each predicate names a likely mistake; it gets the value as a float.
        A predicate that raises counts as not matching.
    fallback_hint : str
        Shown when neither a specific nor a generic hint applies.
    """
    if sig_figs is not None:
        rtol, atol = 0.0, sig_fig_tolerance(expected, sig_figs)
    try:
        if is_blank(answer):
            return Feedback("not attempted", f"replace ... with {what} and run the cell again.")
        value = _as_float(answer)
    except Exception:  # an object whose size, item or __float__ misbehaves
        value = None
    if value is None:
        return Feedback(
            "incorrect",
            f"expected {what} as a single number, got {_type_name(answer)}.",
            TYPE_HINT,
        )
    finite = math.isfinite(value)
    whole = finite and value == round(value)
    if finite and abs(value - expected) <= atol + rtol * abs(expected) and (whole or not integer):
        return Feedback("correct", f"{what} = {_show(value)}.")
    wrong = f"{_show(value)} is not {what}."
    if finite:
        for predicate, hint in hints:
            try:
                applies = bool(predicate(value))
            except Exception:  # a hint must never break the feedback
                applies = False
            if applies:
                return Feedback("incorrect", wrong, hint)
    if not finite:
        return Feedback("incorrect", f"{what} must be a finite number, got {value}.", FINITE_HINT)
    if integer and not whole:
        return Feedback("incorrect", f"{what} must be a whole number, got {value}.", WHOLE_HINT)
    if sig_figs is not None and _fewer_figures(value, expected, sig_figs):
        # Right, but to fewer figures than asked: say so rather than give a generic hint.
        return Feedback(
            "incorrect",
            wrong,
            f"Close, but rounded too far: give {sig_figs} significant figures, not fewer.",
        )
    return Feedback("incorrect", wrong, fallback_hint)


def _fewer_figures(value: float, expected: float, sig_figs: int) -> bool:
    """Whether ``value`` is ``expected`` rounded or truncated to fewer than ``sig_figs`` figures."""
    if expected == 0 or not math.isfinite(expected):
        return False
    exponent = math.floor(math.log10(abs(expected)))
    for k in range(1, sig_figs):
        unit = 10.0 ** (exponent - k + 1)
        for short in (round(expected / unit) * unit, math.trunc(expected / unit) * unit):
            if math.isclose(value, short, rel_tol=1e-9, abs_tol=unit * 1e-9):
                return True
    return False


def near(target: float, rtol: float = 1e-3, atol: float = 1e-9) -> Callable[[float], bool]:
    """Predicate: the value is close to ``target`` (for hint tables).

    True when ``|v - target| <= atol + rtol * |target|``.
    """
    return lambda v: abs(v - target) <= atol + rtol * abs(target)


def _as_float(answer: object) -> float | None:
    """The answer as a float (inf if too large), or None if it is not a single real number."""
    if hasattr(answer, "item") and getattr(answer, "size", None) == 1:
        answer = answer.item()  # a NumPy scalar or 1-element array
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return None
    try:
        return float(answer)
    except OverflowError:  # an int too large for a float
        if isinstance(answer, numbers.Integral):
            return math.inf if answer > 0 else -math.inf
        return None


def _type_name(answer: object) -> str:
    try:
        shape = getattr(answer, "shape", None)
        name = type(answer).__name__
        return f"{name} of shape {tuple(shape)}" if shape is not None else name
    except Exception:
        return "an unreadable object"


def _show(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    return str(int(value)) if value == round(value) and abs(value) < 1e15 else f"{value:.6g}"
