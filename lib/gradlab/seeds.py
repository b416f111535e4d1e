"""Random experiments over several seeds: median and range, the way the course reports them.

A number from one random draw (one network, one training run) is one sample of a random
variable. The course reports any such number that the prose interprets over at least five
seeds, as the median (robust to the odd run that explodes) and the range (the smallest and
largest value: with five seeds, an honest picture of the spread without assuming a
distribution). A comparison in the prose ("A ends lower than B") must hold in the median and
be worded no stronger than the ranges allow.

:func:`over_seeds` runs an experiment once per seed; :func:`summarize` summarises values
already computed (for example, stored runs). Both return a :class:`SeedSummary`.

References
----------
Henderson, P., Islam, R., Bachman, P., Pineau, J., Precup, D., Meger, D. (2018). Deep
reinforcement learning that matters. *AAAI* (why results over one seed mislead, and reporting
over several).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

import numpy as np

from ._validation import check_int

__all__ = ["SEEDS", "SeedSummary", "summarize", "over_seeds"]

#: The course's default seeds: five, the minimum its evidence rule asks for.
SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4)


class SeedSummary(NamedTuple):
    """One number per seed, and its median and range.

    Attributes
    ----------
    values : numpy.ndarray
        The values, in the order of ``seeds`` (``nan`` where a run gave none).
    seeds : tuple of int
    """

    values: np.ndarray
    seeds: tuple[int, ...]

    @property
    def median(self) -> float:
        """The median over the seeds that gave a value (``nan`` if none did)."""
        finite = self.values[~np.isnan(self.values)]
        return float(np.median(finite)) if finite.size else math.nan

    @property
    def low(self) -> float:
        """The smallest value (``nan`` if no seed gave one)."""
        finite = self.values[~np.isnan(self.values)]
        return float(finite.min()) if finite.size else math.nan

    @property
    def high(self) -> float:
        """The largest value (``nan`` if no seed gave one)."""
        finite = self.values[~np.isnan(self.values)]
        return float(finite.max()) if finite.size else math.nan

    @property
    def n(self) -> int:
        """How many seeds."""
        return len(self.seeds)

    def count(self, predicate: Callable[[float], bool]) -> int:
        """How many seeds' values satisfy ``predicate`` (``nan`` values never do)."""
        return sum(1 for v in self.values if not math.isnan(v) and predicate(float(v)))

    def format(self, spec: str = ".3g", *, sign: bool = False) -> str:
        """``"median (low to high)"``, each number formatted with ``spec``.

        With ``sign=True`` every number carries its sign (``+0.15``), for decades.
        """
        if not isinstance(spec, str):
            raise TypeError(f"spec must be a format string, got {type(spec).__name__}")
        spec = ("+" + spec) if sign and not spec.startswith("+") else spec
        return f"{self.median:{spec}} ({self.low:{spec}} to {self.high:{spec}})"

    def __str__(self) -> str:
        return f"{self.format()} over {self.n} seeds"

    def __format__(self, spec: str) -> str:
        """``f"{summary:+.2f}"`` is ``summary.format("+.2f")``; ``f"{summary}"`` is ``str``."""
        return self.format(spec) if spec else str(self)


def summarize(values: Iterable[float], seeds: Sequence[int] = SEEDS) -> SeedSummary:
    """The :class:`SeedSummary` of ``values``, one per seed in ``seeds``.

    .. math:: \\text{median}(v_1, \\dots, v_k), \\quad [\\min_i v_i, \\max_i v_i]

    Raises
    ------
    ValueError
        If the numbers of values and seeds differ, or there are no seeds.
    TypeError
        If a value is not a real number.
    """
    seeds = tuple(check_int(s, "seeds", minimum=0) for s in seeds)
    if not seeds:
        raise ValueError("seeds must not be empty")
    try:
        array = np.array([float(v) for v in values], dtype=float)
    except (TypeError, ValueError):
        raise TypeError("values must be real numbers, one per seed") from None
    if array.shape != (len(seeds),):
        raise ValueError(f"values must have one number per seed ({len(seeds)}), got {array.size}")
    array.setflags(write=False)
    return SeedSummary(array, seeds)


def over_seeds(experiment: Callable[[int], float], seeds: Sequence[int] = SEEDS) -> SeedSummary:
    """Run ``experiment(seed)`` for every seed and summarise the numbers it returns.

    Parameters
    ----------
    experiment
        A function of the seed that returns one real number.
    seeds
        The seeds (default :data:`SEEDS`, five).

    Examples
    --------
    >>> s = over_seeds(lambda seed: float(seed) ** 2)
    >>> s.median, s.low, s.high
    (4.0, 0.0, 16.0)
    """
    if not callable(experiment):
        raise TypeError(f"experiment must be callable, got {type(experiment).__name__}")
    seeds = tuple(seeds)
    return summarize([experiment(s) for s in seeds], seeds)
