"""Stored runs: training whose trajectory amplifies rounding, computed once and shipped as data.

A training run that explodes, or is chaotic, turns a difference in the last bit of one
product (another CPU, another BLAS kernel, another thread count) into a different run after a
few dozen steps. Its numbers cannot be the book's numbers on every machine if every machine
recomputes them. So such runs are computed once, by ``gradlab``'s own code, and stored in
``gradlab/_cache/*.npz``; the chapters read them, and the tests retrain a prefix of every
stored run on the current machine and compare it with the stored one (see
``tests/test_store.py``).

A file stores named float64/int/bool arrays and a *fingerprint*: a hash of what made them (the
set-up, the list of runs, the format). :func:`load` refuses a file whose fingerprint differs,
so a changed set-up cannot silently read old runs; regenerate with ``make runs``.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
from collections.abc import Mapping

import numpy as np

__all__ = ["CACHE_DIR", "fingerprint", "save", "load"]

#: Where the stored runs live, inside the package (so an installed ``gradlab`` has them).
CACHE_DIR = pathlib.Path(__file__).resolve().parent / "_cache"

_FINGERPRINT = "__fingerprint__"


def fingerprint(spec: object) -> str:
    """A short, stable hash of ``spec`` (anything JSON can write: dicts, lists, numbers).

    Two specs with the same JSON text (keys sorted) have the same fingerprint.
    """
    try:
        text = json.dumps(spec, sort_keys=True)
    except TypeError as exc:
        raise TypeError(f"spec must be JSON-serialisable: {exc}") from None
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def save(path: str | pathlib.Path, arrays: Mapping[str, np.ndarray], spec: object) -> pathlib.Path:
    """Write ``arrays`` and the fingerprint of ``spec`` to ``path`` (compressed ``.npz``).

    Parameters
    ----------
    path
        The file to write (its folder is created).
    arrays
        Name to array; names are any strings but ``__fingerprint__``.
    spec
        What made the arrays (see :func:`fingerprint`).
    """
    if not isinstance(arrays, Mapping):
        raise TypeError(f"arrays must be a mapping of names to arrays, got {type(arrays).__name__}")
    if _FINGERPRINT in arrays:
        raise ValueError(f"arrays must not use the reserved name {_FINGERPRINT!r}")
    out = {str(k): np.asarray(v) for k, v in arrays.items()}
    out[_FINGERPRINT] = np.array(fingerprint(spec))
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.savez_compressed(f, **out)
    return path


def load(path: str | pathlib.Path, spec: object) -> dict[str, np.ndarray]:
    """The arrays stored in ``path``, if they were made from ``spec``.

    Raises
    ------
    FileNotFoundError
        No such file: regenerate it (``make runs``).
    ValueError
        The file was made from another spec (its fingerprint differs).
    """
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no stored runs at {path.name}: regenerate them with `make runs`")
    with np.load(path, allow_pickle=False) as npz:
        if _FINGERPRINT not in npz.files or str(npz[_FINGERPRINT]) != fingerprint(spec):
            raise ValueError(
                f"{path.name} was made from another set-up: regenerate it with `make runs`"
            )
        arrays = {name: npz[name] for name in npz.files if name != _FINGERPRINT}
    for value in arrays.values():
        value.setflags(write=False)
    return arrays
