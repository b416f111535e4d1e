"""Checking a function the learner writes against the course's reference implementation.

:func:`check_function` runs the learner's function on a table of :class:`Case`
inputs and compares every result with the reference's. Each call is
sandboxed: it gets its own copies of the inputs, exceptions are caught,
NumPy floating-point errors (overflow, division by zero, invalid values) are
raised and caught, other runtime warnings are recorded, and the copies are
compared with the originals afterwards to catch an input changed in place.
The first case that goes wrong is reported, with a hint. Nothing the
learner's code does escapes as a traceback.
"""

from __future__ import annotations

import copy
import dis
import math
import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._core import Feedback, is_blank

__all__ = ["Case", "Attempt", "Diagnoser", "check_function", "is_stub"]


@dataclass(frozen=True)
class Case:
    """One input of a code exercise.

    Attributes
    ----------
    args : tuple
        Positional arguments (never handed out: each call gets deep copies).
    kwargs : mapping
        Keyword arguments.
    label : str
        How to describe the input in messages ("2000 weights of 0.5");
        empty means a short ``repr`` of the arguments.
    rtol, atol : float, optional
        Tolerances for this case, overriding those of :func:`check_function`.
    """

    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""
    rtol: float | None = None
    atol: float | None = None


@dataclass(frozen=True)
class Attempt:
    """What happened when the learner's function ran on one case.

    Attributes
    ----------
    index : int
        Position of the case in the table.
    case : Case
    expected : object
        The reference's result.
    args : tuple
        The arguments as the learner's function left them (its copies).
    got : object
        The learner's result (``None`` if it raised).
    error : Exception or None
        What the learner's function raised, if anything.
    problem : {"ok", "error", "warning", "mutated", "type", "shape", "dtype", "value"}
        The first thing that went wrong.
    detail : str
        A sentence describing it.
    """

    index: int
    case: Case
    expected: object
    args: tuple
    got: object = None
    error: BaseException | None = None
    problem: str = "ok"
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.problem == "ok"

    @property
    def value(self) -> float | None:
        """The learner's result as a float, if it is a single real number (else None)."""
        return _real(self.got)

    @property
    def stub_like(self) -> bool:
        """The call behaved like an untouched stub (NotImplementedError, or returned ``...``)."""
        return isinstance(self.error, NotImplementedError) or self.got is Ellipsis


#: A diagnoser: (predicate on the first failing :class:`Attempt`, the hint it gives).
Diagnoser = tuple[Callable[[Attempt], bool], str]

#: Warnings that fail a case (numerical trouble); other categories are swallowed.
FAILING_WARNINGS: tuple[type[Warning], ...] = (RuntimeWarning,)

_GENERIC_HINTS = {
    "error": "Read the error message, then call your function on the input shown and fix the "
    "line it points to.",
    "floating": "A result left float64's range or was undefined (overflow, division by zero, "
    "or a log/sqrt of a negative number). Outside this check NumPy would only warn and "
    "return inf or nan. Find the step that does it.",
    "warning": "Your code triggered a warning: read it, it usually points at an empty input or "
    "a value out of range.",
    "mutated": "Your function changed its input in place (e.g. ws *= ..., ws[...] = ..., "
    "np.abs(ws, out=ws) or ws.sort()). Leave the caller's data alone: compute a new array.",
    "none": "Your function returned None: did you forget the `return` statement?",
    "ellipsis": "Your function still returns `...` for this input: replace it with your result.",
    "type": "Return the kind of value the exercise asks for.",
    "value": "Run your function on this input yourself and work out the expected value by "
    "hand: which step differs?",
}


def is_stub(func: object) -> bool:
    """True if ``func``'s body does nothing: ``...``, ``pass``, a docstring, ``return None``.

    Looks at the compiled code: such a body compiles to "return None" (or
    "return ..."), whatever the arguments and docstring. A body that raises
    ``NotImplementedError`` or assigns ``result = ...`` is detected when
    called (see :attr:`Attempt.stub_like`). Never raises.
    """
    try:
        code = getattr(func, "__code__", None)
        if code is None:
            return False
        skip = {"RESUME", "NOP", "CACHE", "EXTENDED_ARG", "COPY_FREE_VARS", "MAKE_CELL"}
        ops = [i for i in dis.get_instructions(code) if i.opname not in skip]
        names = [i.opname for i in ops]
        if names == ["RETURN_CONST"]:  # Python >= 3.12
            return ops[0].argval is None or ops[0].argval is Ellipsis
        return names == ["LOAD_CONST", "RETURN_VALUE"] and (
            ops[0].argval is None or ops[0].argval is Ellipsis
        )
    except Exception:
        return False


def check_function(
    func: object,
    reference: Callable[..., Any],
    cases: Sequence[Case | tuple],
    *,
    name: str,
    rtol: float = 1e-7,
    atol: float = 1e-12,
    check_dtype: bool = True,
    diagnosers: Sequence[Diagnoser] = (),
    fallback_hint: str = "",
) -> Feedback:
    """Check a function the learner wrote against ``reference`` on a table of cases.

    For each case, the learner's function and the reference each get deep
    copies of the arguments. The learner's call runs under
    ``numpy.errstate(over, divide, invalid="raise")`` (underflow to zero is
    allowed) with warnings recorded. Its result must match the reference's:
    a single real number, within ``|got - expected| <= atol + rtol |expected|``
    (NaN matches NaN, infinities must be equal), or an array of the same
    shape (and dtype, if ``check_dtype``) and values, or a tuple of those.

    Verdicts:

    - *not attempted*: ``func`` is ``...``/``None``, its body does nothing
      (:func:`is_stub`), or every case raised ``NotImplementedError`` or
      returned ``...``;
    - *incorrect*: the first case that went wrong, with its input, the
      expected value and what happened (result, exception, warning, changed
      input, wrong shape or dtype), and one hint: the first diagnoser whose
      predicate holds on that :class:`Attempt`, else a generic hint for the
      kind of problem, else ``fallback_hint``;
    - *correct*: every case matched.

    Never raises because of the learner's function; a non-callable gets a
    message saying a function was expected.

    Parameters
    ----------
    func
        The learner's function.
    reference : callable
        The course's implementation (trusted: an error in it is a bug and raises).
    cases : sequence of Case or tuple
        The inputs; a plain tuple is the positional arguments of one case.
        Order them from simple to hard: the first failure is reported.
    name : str
        The function's name in the exercise, for messages.
    rtol, atol : float
        Default tolerances (a :class:`Case` may override them).
    check_dtype : bool
        Require array results to have the reference's dtype.
    diagnosers : sequence of (predicate, hint)
        Specific mistakes, checked first, in order. A predicate that raises
        counts as not matching.
    fallback_hint : str
        The hint for a wrong value that no diagnoser recognises (a generic one if empty).
    """
    table = [c if isinstance(c, Case) else Case(args=tuple(c)) for c in cases]
    if not table:
        raise ValueError("cases must hold at least one case")
    not_attempted = Feedback(
        "not attempted", f"write the body of {name} (replace ... with your code) and run the cell."
    )
    if is_blank(func) or is_stub(func):
        return not_attempted
    if not callable(func):
        return Feedback(
            "incorrect",
            f"expected a function {name}(...), got {_type_name(func)}.",
            f"Define it with `def {name}(...):` and pass the function itself, without calling it "
            f"(no parentheses after {name}).",
        )
    attempts = [
        _attempt(func, reference, i, case, rtol, atol, check_dtype) for i, case in enumerate(table)
    ]
    if all(a.stub_like for a in attempts):
        return not_attempted
    failed = next((a for a in attempts if not a.ok), None)
    if failed is None:
        return Feedback("correct", f"{name} matches the reference on all {len(table)} test cases.")
    message = f"{name}({_describe_args(failed.case)}): {failed.detail}"
    return Feedback("incorrect", message, _hint(failed, diagnosers, fallback_hint))


def _attempt(
    func: Callable[..., Any],
    reference: Callable[..., Any],
    index: int,
    case: Case,
    rtol: float,
    atol: float,
    check_dtype: bool,
) -> Attempt:
    expected = reference(*copy.deepcopy(case.args), **copy.deepcopy(dict(case.kwargs)))
    args = copy.deepcopy(case.args)
    kwargs = copy.deepcopy(dict(case.kwargs))
    base = dict(index=index, case=case, expected=expected, args=args)
    got: object = None
    error: BaseException | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            try:
                got = func(*args, **kwargs)
            except (Exception, SystemExit) as exc:
                error = exc
    if error is not None:
        return Attempt(**base, error=error, problem="error", detail=_describe_error(error))
    bad = [w for w in caught if issubclass(w.category, FAILING_WARNINGS)]
    if bad:
        detail = f"{bad[0].category.__name__}: {_clip(str(bad[0].message))}"
        return Attempt(**base, got=got, problem="warning", detail=detail)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if not _same(args, case.args) or not _same(kwargs, dict(case.kwargs)):
                return Attempt(
                    **base, got=got, problem="mutated", detail="it changed its input in place."
                )
            tol_r = case.rtol if case.rtol is not None else rtol
            tol_a = case.atol if case.atol is not None else atol
            found = _compare(got, expected, tol_r, tol_a, check_dtype)
    except Exception as exc:  # a result whose comparison itself fails
        found = ("type", f"returned {_type_name(got)}, which could not be compared ({exc}).")
    if found is None:
        return Attempt(**base, got=got)
    problem, detail = found
    return Attempt(**base, got=got, problem=problem, detail=detail)


def _compare(
    got: object, expected: object, rtol: float, atol: float, check_dtype: bool, where: str = ""
) -> tuple[str, str] | None:
    """None if ``got`` matches ``expected``, else (problem, sentence)."""
    if got is None or got is Ellipsis:
        return "type", f"returned {got!r}{where}; expected {_show(expected)}."
    if isinstance(expected, tuple | list):
        if not isinstance(got, tuple | list) or len(got) != len(expected):
            return "type", (
                f"returned {_type_name(got)}{where}; expected a tuple of {len(expected)} values."
            )
        kind = "list" if isinstance(expected, list) else "tuple"
        for k, (g, e) in enumerate(zip(got, expected, strict=True)):
            item = "array" if isinstance(e, np.ndarray) and e.ndim > 0 else "item"
            found = _compare(g, e, rtol, atol, check_dtype, f"{where} ({item} {k} of the {kind})")
            if found is not None:
                return found
        return None
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        if not isinstance(got, np.ndarray):
            return "type", (
                f"returned {_type_name(got)}{where}; expected a NumPy array of shape "
                f"{expected.shape}."
            )
        if got.shape != expected.shape:
            return "shape", (
                f"returned an array of shape {got.shape}{where}; expected shape {expected.shape}."
            )
        if check_dtype and got.dtype != expected.dtype:
            return "dtype", (
                f"returned an array of dtype {got.dtype}{where}; expected dtype {expected.dtype}."
            )
        if not (np.issubdtype(got.dtype, np.number) and got.dtype != bool):
            return "type", f"returned an array of dtype {got.dtype}{where}; expected numbers."
        close = np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
        if not np.all(close):
            k = tuple(int(i) for i in np.unravel_index(int(np.argmin(close)), close.shape))
            at = k[0] if len(k) == 1 else k
            return "value", (
                f"entry {at}{where} is {_show(got[k])}, expected {_show(expected[k])} "
                f"(got {_show(got, exact=True)}, expected {_show(expected, exact=True)})."
            )
        return None
    want = _real(expected)
    if want is not None:
        value = _real(got)
        if value is None:
            return "type", f"returned {_type_name(got)}{where}; expected a single number."
        if not _close(value, want, rtol, atol):
            return "value", f"returned {_show(value)}{where}; expected {_show(want)}."
        return None
    if not bool(got == expected):
        return "value", f"returned {_show(got)}{where}; expected {_show(expected)}."
    return None


def _close(got: float, want: float, rtol: float, atol: float) -> bool:
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    if math.isinf(want) or math.isinf(got):
        return got == want
    return abs(got - want) <= atol + rtol * abs(want)


def _real(value: object) -> float | None:
    """A single real number (Python or NumPy scalar, or 0-d array) as a float, else None."""
    try:
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        if isinstance(value, bool | np.bool_):
            return None
        if isinstance(value, numbers.Real):
            try:
                return float(value)
            except OverflowError:  # an int too large for a float
                return math.inf if value > 0 else -math.inf
    except Exception:
        return None
    return None


def _same(a: object, b: object) -> bool:
    """Structural equality for inputs (arrays by dtype, shape and value; NaN equals NaN)."""
    if isinstance(b, np.ndarray):
        if not isinstance(a, np.ndarray) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        if np.issubdtype(b.dtype, np.inexact):
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(b, tuple | list):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in b)
    if isinstance(b, float) and isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _hint(attempt: Attempt, diagnosers: Sequence[Diagnoser], fallback: str) -> str:
    for predicate, hint in diagnosers:
        try:
            applies = bool(predicate(attempt))
        except Exception:  # a diagnoser must never break the feedback
            applies = False
        if applies:
            return hint
    if attempt.problem == "error":
        floating = isinstance(attempt.error, FloatingPointError | OverflowError)
        return _GENERIC_HINTS["floating" if floating else "error"]
    if attempt.problem == "type" and attempt.got is None:
        return _GENERIC_HINTS["none"]
    if attempt.problem == "type" and attempt.got is Ellipsis:
        return _GENERIC_HINTS["ellipsis"]
    if attempt.problem in ("warning", "mutated", "type"):
        return _GENERIC_HINTS[attempt.problem]
    if attempt.problem in ("shape", "dtype"):
        return f"Make your function return what the reference returns: {attempt.detail}"
    return fallback or _GENERIC_HINTS["value"]


def _describe_error(error: BaseException) -> str:
    text = _clip(str(error))
    kind = type(error).__name__
    if isinstance(error, FloatingPointError):
        return (
            f"floating-point error: {text} (raised {kind}; in your notebook NumPy would only "
            "warn and return inf, -inf or nan, but the checker treats the warning as an error)."
        )
    return f"raised {kind}: {text}" if text else f"raised {kind}."


def _describe_args(case: Case) -> str:
    if case.label:
        return case.label
    parts = [_show(a) for a in case.args]
    parts += [f"{k}={_show(v)}" for k, v in case.kwargs.items()]
    return ", ".join(parts)


def _show(value: object, exact: bool = False) -> str:
    """A short, readable description of a value (arrays summarised; with ``exact``, every
    shown entry to the digits that tell it from its neighbours, so two arrays that differ in
    the seventh digit do not print alike)."""
    try:
        if isinstance(value, np.ndarray):
            digits = {"floatmode": "unique"} if exact else {"precision": 6}
            body = np.array2string(value, threshold=8, edgeitems=2, separator=", ", **digits)
            return f"array({body}, shape={value.shape}, dtype={value.dtype})"
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return _clip(str(int(value)))
        real = _real(value)
        if real is not None:
            return f"{real:.10g}"
        return _clip(repr(value))
    except Exception:
        return f"<{type(value).__name__}>"


def _type_name(value: object) -> str:
    try:
        if isinstance(value, np.ndarray):
            return f"an array of shape {value.shape} and dtype {value.dtype}"
        return f"{type(value).__name__} {_show(value)}"
    except Exception:
        return "an unreadable object"


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
