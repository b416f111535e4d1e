"""Exercise checkers: each says *correct*, *incorrect* (with a hint) or *not attempted*.

A starter cell in a chapter looks like::

    answer = ...          # replace ... with your answer
    exercises.ch1.depth_to_vanish(answer)

Running it untouched never raises: ``...`` (or ``None``) means *not
attempted*. A checker never raises on a strange answer either (a string, an
array, NaN): it says what kind of answer it expected.

The expected values are computed by ``gradlab`` itself (the same functions
the chapter teaches), never typed in.
"""

from __future__ import annotations

from . import ch1
from ._core import Feedback, check_number, is_blank, near

__all__ = ["Feedback", "is_blank", "check_number", "near", "ch1"]
