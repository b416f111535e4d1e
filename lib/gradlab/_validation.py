"""Input validation shared by every public ``gradlab`` function.

Each helper checks one argument and raises a ``TypeError`` (wrong kind of
value) or ``ValueError`` (right kind, bad value) whose message starts with the
argument's name, so a learner sees *which* input was wrong and what was
expected, never a NumPy traceback from deep inside.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

__all__ = [
    "check_int",
    "check_real",
    "check_array",
    "check_rng",
    "check_choice",
    "check_float_array",
    "check_labels",
]


def check_int(
    value: object,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """Return ``value`` as an ``int`` after checking its type and range.

    Booleans are rejected (``True`` is an ``int`` in Python, but never a
    meaningful depth or width).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_real(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
) -> float:
    """Return ``value`` as a finite ``float`` after checking type and range.

    ``strict_minimum=True`` requires ``value > minimum`` instead of ``>=``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None:
        if strict_minimum and value <= minimum:
            raise ValueError(f"{name} must be > {minimum}, got {value}")
        if not strict_minimum and value < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_array(
    value: object,
    name: str,
    *,
    ndim: int | Sequence[int] | None = None,
    shape: tuple[int | None, ...] | None = None,
    finite: bool = True,
    dtype: type = np.float64,
) -> np.ndarray:
    """Return ``value`` as a NumPy array of ``dtype`` after checking it.

    Parameters
    ----------
    value
        Anything ``numpy.asarray`` accepts that holds real numbers.
    name
        The argument's name, used in error messages.
    ndim
        Required number of dimensions (one int, or a sequence of allowed ones).
    shape
        Required shape; ``None`` entries match any length.
    finite
        If true (default), NaN and infinity are rejected.
    dtype
        The dtype of the returned array (``float64`` by default).
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got a string")
    try:
        raw = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of numbers ({exc})") from None
    if raw.dtype == bool or not (
        np.issubdtype(raw.dtype, np.number) and not np.issubdtype(raw.dtype, np.complexfloating)
    ):
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {raw.dtype}")
    with np.errstate(over="ignore", invalid="ignore"):  # checked below, with a message
        arr = raw.astype(dtype, copy=False)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name} must have {want} dimension(s), got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(
            s is not None and s != a for s, a in zip(shape, arr.shape, strict=True)
        ):
            want = ", ".join("any" if s is None else str(s) for s in shape)
            want = f"({want},)" if len(shape) == 1 else f"({want})"  # as Python writes shapes
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        if np.all(np.isfinite(raw)):  # finite numbers too large for dtype (1e39 in float32)
            top = np.finfo(dtype).max
            raise ValueError(
                f"{name} must lie within {np.dtype(dtype).name}'s range (|x| <= {top:.4g})"
            )
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    return arr


def check_rng(rng: object = None, seed: object = None, name: str = "rng") -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from ``rng`` or ``seed``.

    Exactly one source is used: ``rng`` if given (it must be a ``Generator``),
    else ``numpy.random.default_rng(seed)`` with an integer ``seed``. Neither
    given is an error: every random draw in ``gradlab`` is reproducible.
    """
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"{name} must be a numpy.random.Generator (numpy.random.default_rng(seed)), "
                f"got {type(rng).__name__}"
            )
        return rng
    if seed is None:
        raise ValueError(
            f"pass {name}=numpy.random.default_rng(seed) or an integer seed: "
            "every random draw in gradlab is reproducible"
        )
    return np.random.default_rng(check_int(seed, "seed", minimum=0))


def check_choice(value: object, name: str, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``; else raise naming them."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {list(choices)}, got {value!r}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def check_float_array(
    value: object,
    name: str,
    *,
    ndim: int | Sequence[int] | None = None,
    shape: tuple[int | None, ...] | None = None,
    finite: bool = True,
) -> np.ndarray:
    """Like :func:`check_array`, but a float array keeps its dtype (float32 stays float32).

    Integer input becomes float64. Use it where the caller's precision must
    be preserved (gradients, activations, losses).
    """
    dtype: type | np.dtype = np.float64
    if isinstance(value, np.ndarray | np.floating) and np.issubdtype(value.dtype, np.floating):
        dtype = value.dtype
    return check_array(value, name, ndim=ndim, shape=shape, finite=finite, dtype=dtype)


def check_labels(
    value: object, name: str, *, n: int | None = None, n_classes: int | None = None
) -> np.ndarray:
    """Return integer class labels as a 1-D ``intp`` array after checking them.

    ``value`` must be 1-D and hold whole numbers (``[0, 2, 1]``, or floats such
    as ``[0.0, 2.0]``; ``0.5`` is rejected), ``n`` of them if given, each in
    ``0..n_classes-1`` if ``n_classes`` is given.
    """
    labels = check_array(value, name, ndim=1)
    if n is not None and labels.shape[0] != n:
        raise ValueError(f"{name} must hold one label per row ({n}), got shape {labels.shape}")
    if np.any(labels != np.round(labels)):
        bad = labels[labels != np.round(labels)][0]
        raise ValueError(f"{name} must hold integer class labels, got {bad}")
    if labels.size and labels.min() < 0:
        raise ValueError(f"{name} must hold class labels >= 0, got {labels.min():g}")
    if n_classes is not None and labels.size and labels.max() >= n_classes:
        raise ValueError(
            f"{name} must hold class labels in 0..{n_classes - 1}, got {labels.max():g}"
        )
    return labels.astype(np.intp)
