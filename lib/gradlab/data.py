"""Small deterministic toy datasets, generated from a seed (never downloaded).

Classification sets return ``X`` of shape ``(n_samples, 2)`` (float64; ``(n_samples,
dim)`` for :func:`gaussian_clusters`) and
integer labels ``y`` of shape ``(n_samples,)``; the same seed gives the same
numbers on every machine. The sequence task returns ``X`` of shape
``(n_samples, length, 2)`` and targets ``y`` of shape ``(n_samples, 1)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validation import check_int, check_real, check_rng

__all__ = ["Dataset", "two_spirals", "moons", "xor", "adding_problem", "gaussian_clusters"]


class Dataset(NamedTuple):
    """Inputs ``X`` and targets ``y``; unpacks as ``X, y = dataset``."""

    X: np.ndarray
    y: np.ndarray


def _common(n_samples: object, noise: object, rng: object, seed: object):
    n = check_int(n_samples, "n_samples", minimum=2)
    sigma = check_real(noise, "noise", minimum=0.0)
    return n, sigma, check_rng(rng, seed)


def two_spirals(
    n_samples: int = 400,
    *,
    noise: float = 0.05,
    turns: float = 1.5,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> Dataset:
    """Two interleaved spirals, classes 0 and 1 (Lang and Witbrock, 1988).

    A point at angle ``theta`` in ``[0, 2 pi turns]`` lies at radius ``r =
    theta / (2 pi turns)`` (inside the unit disc), at ``(r cos(theta + pi c),
    r sin(theta + pi c))`` for class ``c``, plus Gaussian noise of std
    ``noise``. ``theta`` is drawn so that points cover the spiral's length
    evenly. Hard for shallow networks, a good test for deep ones.
    """
    n, sigma, rng = _common(n_samples, noise, rng, seed)
    turns = check_real(turns, "turns", minimum=0.0, strict_minimum=True)
    y = np.arange(n) % 2
    theta = np.sqrt(rng.uniform(0.0, 1.0, n)) * 2 * np.pi * turns  # sqrt: even density
    r = theta / (2 * np.pi * turns)
    angle = theta + np.pi * y
    X = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    X += rng.normal(0.0, sigma, size=X.shape)
    return Dataset(X, y)


def moons(
    n_samples: int = 400,
    *,
    noise: float = 0.1,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> Dataset:
    """Two interleaving half circles, classes 0 and 1 (as scikit-learn's ``make_moons``).

    Class 0: ``(cos t, sin t)``; class 1: ``(1 - cos t, 0.5 - sin t)``, ``t``
    uniform in ``[0, pi]``; plus Gaussian noise of std ``noise``.
    """
    n, sigma, rng = _common(n_samples, noise, rng, seed)
    y = np.arange(n) % 2
    t = rng.uniform(0.0, np.pi, n)
    X = np.where(
        y[:, None] == 0,
        np.column_stack([np.cos(t), np.sin(t)]),
        np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)]),
    )
    X += rng.normal(0.0, sigma, size=X.shape)
    return Dataset(X, y)


def xor(
    n_samples: int = 400,
    *,
    noise: float = 0.1,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> Dataset:
    """The XOR problem: points near the corners ``(+-1, +-1)``, class 1 where the signs differ.

    Not linearly separable: a network needs a hidden layer. Each point is a
    uniformly chosen corner plus Gaussian noise of std ``noise``.
    """
    n, sigma, rng = _common(n_samples, noise, rng, seed)
    corners = rng.choice([-1.0, 1.0], size=(n, 2))
    y = (corners[:, 0] != corners[:, 1]).astype(np.int64)
    return Dataset(corners + rng.normal(0.0, sigma, size=(n, 2)), y)


def adding_problem(
    n_samples: int = 256,
    length: int = 50,
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> Dataset:
    """The adding problem: a sum of two marked values far apart in a sequence.

    A variant of the adding problem of Hochreiter and Schmidhuber (1997), as
    used by Le et al. (2015) and Arjovsky et al. (2016). (Hochreiter and
    Schmidhuber's experiment 4 draws the values from ``[-1, 1]`` and asks for
    ``0.5 + (X1 + X2) / 4``; the version here, with values uniform in ``[0, 1]``
    and the plain sum as target, is that of Le, Jaitly and Hinton (2015) and
    Arjovsky, Shah and Bengio (2016).)

    Each sequence has ``length`` steps with two channels: a value uniform in
    ``[0, 1]`` and a marker, 1 at exactly two steps (one in the first half,
    one in the second) and 0 elsewhere. The target is the sum of the two
    marked values. Solving it means carrying information across up to
    ``length`` steps, so gradients must flow that far back through time: with
    a large recurrent matrix they explode, with a small one they vanish.
    Predicting the mean, 1, gives an MSE of 1/6, the baseline to beat.

    Returns ``X`` of shape ``(n_samples, length, 2)`` and ``y`` of shape ``(n_samples, 1)``.
    """
    n = check_int(n_samples, "n_samples", minimum=1)
    T = check_int(length, "length", minimum=2)
    rng = check_rng(rng, seed)
    values = rng.uniform(0.0, 1.0, size=(n, T))
    first = rng.integers(0, T // 2, size=n)
    second = rng.integers(T // 2, T, size=n)
    markers = np.zeros((n, T))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    y = (values[rows, first] + values[rows, second])[:, None]
    return Dataset(np.stack([values, markers], axis=2), y)


def gaussian_clusters(
    n_samples: int = 2000,
    *,
    n_classes: int = 10,
    dim: int = 32,
    separation: float = 2.0,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> Dataset:
    """``n_classes`` Gaussian clusters in ``dim`` dimensions: a small stand-in for Shapeset.

    Class centres ``mu_c ~ N(0, separation**2 I)`` are drawn first, then each
    point is ``x = mu_y + e`` with a uniformly drawn label ``y`` and ``e ~ N(0,
    I)``. With the defaults (10 classes, 32 dimensions, separation 2) the classes
    overlap a little: a network can learn them, but not in a few steps. Glorot
    and Bengio (2010) trained on Shapeset-3x2 (10 classes, 32 x 32 images); this
    task keeps their 10-way softmax output and costs far less.
    """
    n = check_int(n_samples, "n_samples", minimum=2)
    k = check_int(n_classes, "n_classes", minimum=2)
    d = check_int(dim, "dim", minimum=1)
    sep = check_real(separation, "separation", minimum=0.0)
    rng = check_rng(rng, seed)
    centres = rng.normal(0.0, sep, size=(k, d))
    y = rng.integers(0, k, size=n)
    X = centres[y] + rng.standard_normal((n, d))
    return Dataset(X, y)
