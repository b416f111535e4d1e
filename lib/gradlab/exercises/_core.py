"""Core of the exercise checkers: the verdict, the numeric check, significant figures."""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Feedback",
    "Hint",
    "is_blank",
    "check_number",
    "near",
    "sig_fig_tolerance",
    "Interval",
    "Region",
    "NumberRule",
    "number_rule",
    "at_sig_figs",
    "any_at_sig_figs",
    "equals",
    "below",
    "between",
    "parse_typed",
]

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


#: A hint table entry: (the values it recognises, an Interval or Region; the hint shown).
#: A notebook-only checker may use any predicate on the value instead.
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

    The answer is accepted if it lies in the interval
    ``[expected - tol, expected + tol]`` with ``tol = atol + rtol |expected|``, or, with
    ``sig_figs=N``, ``tol`` one unit of the N-th significant figure
    (:func:`sig_fig_tolerance`). This is :meth:`NumberRule.check` of the rule
    :func:`number_rule` builds from the same arguments.

    A wrong answer gets one hint, chosen in this order: the first entry of
    ``hints`` that holds for the (finite) value, then a generic
    complaint about its form (not finite, not a whole number, fewer figures than asked), then
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
    hints : sequence of (condition, hint)
        Each condition names a likely mistake: an :class:`Interval` or :class:`Region` of
        values (data, which the HTML book's page checker reads too) or, for notebook-only
        checkers, any predicate on the value as a float. A predicate that raises counts as
        not matching.
    fallback_hint : str
        Shown when neither a specific nor a generic hint applies.
    """
    rule = number_rule(
        expected,
        what=what,
        rtol=rtol,
        atol=atol,
        sig_figs=sig_figs,
        integer=integer,
        hints=hints,
        fallback_hint=fallback_hint,
    )
    return rule.check(answer)


# Rules as data: what the notebook's checker and the page's checker both evaluate -----------


def _twelve_figures(x: float) -> float:
    """``x`` rounded to 12 significant figures (infinities and zero unchanged)."""
    return float(f"{x:.12g}") if math.isfinite(x) else x


def _bound(x: float) -> float | None:
    return None if math.isinf(x) else x


@dataclass(frozen=True)
class Interval:
    """The values ``v`` with ``lo <= v <= hi`` (``<`` at an open end); callable on a value.

    An interval is data: :meth:`to_json` writes it for the HTML book's page checker
    (``static/gvx-check.js``), which evaluates the same comparisons on the same doubles. NaN is
    in no interval. Its ends are rounded to 12 significant figures, so that an end computed
    with round-off (a BLAS product, a libm call) is the same number on every CPU and the page's
    data never differ from one build machine to another; at that precision the rounding moves
    no answer a learner gives across a boundary.

    Parameters
    ----------
    lo, hi : float
        The ends (``-inf``/``inf`` for an unbounded side); ``lo <= hi``.
    lo_open, hi_open : bool
        Whether the end itself is left out.
    """

    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False

    def __post_init__(self) -> None:
        for name in ("lo", "hi"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
            if math.isnan(value):
                raise ValueError(f"{name} must not be NaN")
            object.__setattr__(self, name, _twelve_figures(float(value)))
        if self.lo > self.hi:
            raise ValueError(f"lo must be <= hi, got lo={self.lo}, hi={self.hi}")

    def __call__(self, value: float) -> bool:
        v = float(value)
        above = v > self.lo if self.lo_open else v >= self.lo
        below = v < self.hi if self.hi_open else v <= self.hi
        return above and below

    def __or__(self, other: Interval | Region) -> Region:
        return Region((self,)) | other

    def to_json(self) -> list:
        """``[lo, hi, lo_open, hi_open]``, an unbounded end as ``null``."""
        return [_bound(self.lo), _bound(self.hi), self.lo_open, self.hi_open]


@dataclass(frozen=True)
class Region:
    """A union of :class:`Interval` s (empty: no value); callable on a value."""

    parts: tuple[Interval, ...] = ()

    def __post_init__(self) -> None:
        for part in self.parts:
            if not isinstance(part, Interval):
                raise TypeError(f"parts must be Intervals, got {type(part).__name__}")

    def __call__(self, value: float) -> bool:
        return any(part(value) for part in self.parts)

    def __or__(self, other: Interval | Region) -> Region:
        return Region(self.parts + as_region(other).parts)

    def to_json(self) -> list:
        return [part.to_json() for part in self.parts]


def as_region(condition: object) -> Region:
    """``condition`` as a :class:`Region`; TypeError for a predicate that is not data."""
    if isinstance(condition, Region):
        return condition
    if isinstance(condition, Interval):
        return Region((condition,))
    raise TypeError(
        "a hint's condition must be an Interval or a Region (data the page can read), got "
        f"{type(condition).__name__}"
    )


def near(target: float, rtol: float = 1e-3, atol: float = 1e-9) -> Interval:
    """The values within ``atol + rtol |target|`` of ``target`` (for hint tables)."""
    tol = atol + rtol * abs(target)
    return Interval(target - tol, target + tol)


def at_sig_figs(target: float, n: int) -> Interval:
    """The values that agree with ``target`` to ``n`` significant figures: within one unit of
    the ``n``-th figure (:func:`sig_fig_tolerance`), the rule answers are accepted by."""
    tol = sig_fig_tolerance(target, n)
    return Interval(target - tol, target + tol)


def any_at_sig_figs(targets: Sequence[float], n: int) -> Region:
    """The values that agree with one of ``targets`` to ``n`` significant figures."""
    return Region(tuple(at_sig_figs(t, n) for t in targets))


def equals(*values: float) -> Region:
    """Exactly one of ``values``."""
    return Region(tuple(Interval(v, v) for v in values))


def below(x: float) -> Interval:
    """The values ``< x``."""
    return Interval(-math.inf, x, hi_open=True)


def between(lo: float, hi: float) -> Interval:
    """The values strictly between ``lo`` and ``hi``."""
    return Interval(lo, hi, lo_open=True, hi_open=True)


def fewer_figures(expected: float, sig_figs: int) -> Region:
    """``expected`` rounded or truncated to 1 .. ``sig_figs - 1`` significant figures, each
    as a tiny interval (relative width 1e-9): answers that are right but too short."""
    if sig_figs < 2 or expected == 0 or not math.isfinite(expected):
        return Region()
    exponent = math.floor(math.log10(abs(expected)))
    parts = []
    for k in range(1, sig_figs):
        unit = 10.0 ** (exponent - k + 1)
        for short in (round(expected / unit) * unit, math.trunc(expected / unit) * unit):
            tol = max(1e-9 * abs(short), unit * 1e-9)
            parts.append(Interval(short - tol, short + tol))
    return Region(tuple(parts))


def _fewer_figures(value: float, expected: float, sig_figs: int) -> bool:
    """Whether ``value`` is ``expected`` rounded or truncated to fewer than ``sig_figs`` figures."""
    return fewer_figures(expected, sig_figs)(value)


def fewer_figures_hint(sig_figs: int) -> str:
    """The hint for an answer right but rounded to fewer figures than asked."""
    return f"Close, but rounded too far: give {sig_figs} significant figures, not fewer."


@dataclass(frozen=True)
class NumberRule:
    """How a numeric answer is judged: the one description both checkers evaluate.

    The notebook's checker calls :meth:`check` on the learner's Python value; the HTML
    book's page checker (``static/gvx-check.js``) evaluates :meth:`to_json` on the number
    typed in, and :meth:`check_text` is its definition in Python (a test runs both on the same
    answers). The verdict on a value ``v``:

    1. ``v`` finite, in ``accept``, and whole if ``integer``: *correct*;
    2. else the first hint whose region holds ``v`` (finite ``v`` only);
    3. else: not finite, not whole (``integer``), fewer figures than ``sig_figs`` (``v`` in
       ``fewer``), each with its generic hint;
    4. else ``fallback``.

    Attributes
    ----------
    what : str
        What the answer is ("the smallest L with 0.9^L < 1e-06").
    expected : float
        The right value.
    accept : Interval
        The values accepted.
    integer : bool
        A count: only whole numbers are accepted.
    sig_figs : int or None
        The figures the statement asks for (for the "not fewer" hint).
    hints : tuple of (condition, str)
        Conditions are :class:`Region` s (predicates in notebook-only rules).
    fallback : str
    fewer : Region
        Values that are the answer to fewer figures than asked.
    """

    what: str
    expected: float
    accept: Interval
    integer: bool = False
    sig_figs: int | None = None
    hints: tuple[tuple[Any, str], ...] = ()
    fallback: str = ""
    fewer: Region = Region()

    def check(self, answer: object, blank: str | None = None) -> Feedback:
        """The verdict on a Python answer (``...``/``None``: not attempted, with ``blank``)."""
        try:
            if is_blank(answer):
                return Feedback(
                    "not attempted",
                    blank or f"replace ... with {self.what} and run the cell again.",
                )
            value = _as_float(answer)
        except Exception:  # an object whose size, item or __float__ misbehaves
            value = None
        if value is None:
            return Feedback(
                "incorrect",
                f"expected {self.what} as a single number, got {_type_name(answer)}.",
                TYPE_HINT,
            )
        return self.judge(value)

    def check_text(self, text: str, blank: str | None = None) -> Feedback:
        """The verdict on text typed into the page (the page checker's definition).

        The text, trimmed of spaces, must be a plain number (:func:`parse_typed`); empty
        text is *not attempted*, other text *incorrect* with a hint on how to type it.
        """
        value = parse_typed(text)
        if value is BLANK:
            return Feedback(
                "not attempted", blank or f"type {self.what} in the box, then press Check."
            )
        if value is None:
            hint = COMMA_HINT if COMMA_DECIMAL.fullmatch(trim(text)) else TEXT_HINT
            return Feedback("incorrect", f"expected {self.what} as a single number.", hint)
        return self.judge(float(value))  # type: ignore[arg-type]

    def judge(self, value: float) -> Feedback:
        """The verdict on a number (steps 1 to 4 above)."""
        finite = math.isfinite(value)
        whole = finite and value == math.floor(value)
        if finite and self.accept(value) and (whole or not self.integer):
            return Feedback("correct", f"{self.what} = {_show(value)}.")
        wrong = f"{_show(value)} is not {self.what}."
        if finite:
            for condition, hint in self.hints:
                try:
                    applies = bool(condition(value))
                except Exception:  # a hint must never break the feedback
                    applies = False
                if applies:
                    return Feedback("incorrect", wrong, hint)
        if not finite:
            return Feedback(
                "incorrect",
                f"{self.what} must be a finite number, got {_show(value)}.",
                FINITE_HINT,
            )
        if self.integer and not whole:
            return Feedback(
                "incorrect",
                f"{self.what} must be a whole number, got {_show(value)}.",
                WHOLE_HINT,
            )
        if self.sig_figs is not None and self.fewer(value):
            return Feedback("incorrect", wrong, fewer_figures_hint(self.sig_figs))
        return Feedback("incorrect", wrong, self.fallback)

    def to_json(self) -> dict[str, Any]:
        """The rule as JSON data for the page checker (TypeError if a hint is a predicate)."""
        return {
            "what": self.what,
            "accept": self.accept.to_json(),
            "integer": self.integer,
            "fewerHint": "" if self.sig_figs is None else fewer_figures_hint(self.sig_figs),
            "hints": [[as_region(c).to_json(), text] for c, text in self.hints],
            "fallback": self.fallback,
            "fewer": self.fewer.to_json(),
        }


def number_rule(
    expected: float,
    *,
    what: str,
    rtol: float = 1e-6,
    atol: float = 0.0,
    sig_figs: int | None = None,
    integer: bool = False,
    hints: Sequence[Hint] = (),
    fallback_hint: str = "",
) -> NumberRule:
    """The :class:`NumberRule` of :func:`check_number`'s arguments.

    Accepted: ``[expected - tol, expected + tol]``, ``tol = atol + rtol |expected|``, or one
    unit of the ``sig_figs``-th figure (:func:`sig_fig_tolerance`).
    """
    if isinstance(expected, bool) or not isinstance(expected, numbers.Real):
        raise TypeError(f"expected must be a real number, got {type(expected).__name__}")
    expected = float(expected)
    if not math.isfinite(expected):
        raise ValueError(f"expected must be finite, got {expected}")
    if sig_figs is not None:
        accept = at_sig_figs(expected, sig_figs)
    else:
        if rtol < 0 or atol < 0:
            raise ValueError(f"rtol and atol must be >= 0, got rtol={rtol}, atol={atol}")
        tol = atol + rtol * abs(expected)
        accept = Interval(expected - tol, expected + tol)
    return NumberRule(
        what=what,
        expected=expected,
        accept=accept,
        integer=integer,
        sig_figs=sig_figs,
        hints=tuple((c, h) for c, h in hints),
        fallback=fallback_hint,
        fewer=fewer_figures(expected, sig_figs) if sig_figs is not None else Region(),
    )


# Text typed into the page ---------------------------------------------------------------------

#: What :func:`parse_typed` returns for empty text.
BLANK = object()
#: A plain number: the grammar both the page (gvx-check.js) and :func:`parse_typed` accept.
NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
#: The IEEE specials, spelled as Python's float() spells them.
SPECIAL_TEXT = re.compile(r"([+-]?)(inf|infinity|nan)", re.IGNORECASE)
#: A number written with a decimal comma (or a thousands separator).
COMMA_DECIMAL = re.compile(r"[+-]?[0-9]*(?:,[0-9]+)+(?:[eE][+-]?[0-9]+)?")
#: Spaces trimmed from typed text (the page trims the same set).
_SPACE = re.compile(r"^[ \t\r\n\u00a0]+|[ \t\r\n\u00a0]+$")
TEXT_HINT = "Type one plain number, such as 17, -0.25 or 3.5e-4: no letters, units or formulas."
COMMA_HINT = (
    "Write decimals with a point, not a comma (0.25, not 0,25), and no thousands separator."
)


def trim(text: str) -> str:
    """``text`` without leading and trailing spaces, tabs, newlines and no-break spaces,
    and with the minus sign U+2212 read as a hyphen-minus."""
    return _SPACE.sub("", text).replace("\u2212", "-")


def parse_typed(text: str) -> float | None | object:
    """The number typed in the page: a float, :data:`BLANK` for empty text, None for text
    that is not a plain number (:data:`NUMBER_TEXT`, or ``inf``/``nan``, any case).

    Too large a number is ``inf`` (``1e999``), as in Python and JavaScript alike; both read a
    decimal to the nearest double, so the page and Python see the same value.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    t = trim(text)
    if not t:
        return BLANK
    if NUMBER_TEXT.fullmatch(t):
        return float(t)
    special = SPECIAL_TEXT.fullmatch(t)
    if special:
        value = math.nan if special.group(2).lower() == "nan" else math.inf
        return -value if special.group(1) == "-" else value
    return None


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
