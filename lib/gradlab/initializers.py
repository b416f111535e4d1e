"""Weight initializers, with the variance each one targets.

Every initializer has the signature ``init(shape, rng=None, *, seed=None,
**options)`` with ``shape = (fan_in, fan_out)``, the layout of ``W`` in
``a_l = phi(a_{l-1} @ W_l + b_l)``. (PyTorch stores ``nn.Linear.weight`` the
other way round, as ``(fan_out, fan_in)``; the fans are the same.) Random
draws come from the ``numpy.random.Generator`` ``rng``, or from
``numpy.random.default_rng(seed)``.

Why the variance matters: a unit sums ``fan_in`` products ``a_i w_i``, so
``Var[z] = fan_in Var[w] E[a**2]``. Keeping the signal's scale fixed from
layer to layer pins ``fan_in Var[w]`` to a constant that depends on the
activation (1 for linear/tanh near 0, 2 for ReLU, which zeroes half its
inputs). The backward pass gives the same condition with ``fan_out``.
:func:`variance` returns the variance of each scheme so the book and the tests
can compare samples against theory.

Framework names (PyTorch ``torch.nn.init`` / Keras ``keras.initializers``):

- ``zeros``: ``zeros_`` / ``Zeros``
- ``constant``: ``constant_`` / ``Constant``
- ``standard_normal``: ``normal_`` (std 1 by default) / ``RandomNormal(stddev=1.0)``
- ``uniform_fan_in``: the default of PyTorch's ``nn.Linear``,
  ``kaiming_uniform_(a=sqrt(5))`` / ``VarianceScaling(scale=1/3, mode="fan_in",
  distribution="uniform")`` (not a Keras default)
- ``lecun_normal``: ``kaiming_normal_(nonlinearity="linear")`` / ``LecunNormal`` (truncated)
- ``lecun_uniform``: ``kaiming_uniform_(nonlinearity="linear")`` / ``LecunUniform``
- ``xavier_normal``: ``xavier_normal_`` / ``GlorotNormal`` (truncated)
- ``xavier_uniform``: ``xavier_uniform_`` / ``GlorotUniform`` (the default of Keras ``Dense``)
- ``he_normal``: ``kaiming_normal_`` / ``HeNormal`` (truncated)
- ``he_uniform``: ``kaiming_uniform_`` / ``HeUniform``
- ``orthogonal``: ``orthogonal_`` / ``Orthogonal``

"Truncated": Keras draws its ``*Normal`` initializers from a normal cut at two
standard deviations, rescaled (by 1/0.8796) so that the variance after
truncation is still the target; so do JAX's ``jax.nn.initializers.lecun_normal``,
``glorot_normal`` and ``he_normal``. gradlab, like PyTorch, draws an
untruncated normal: same variance, different tails.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ._validation import check_choice, check_int, check_real, check_rng

__all__ = [
    "zeros",
    "constant",
    "standard_normal",
    "uniform_fan_in",
    "lecun_normal",
    "lecun_uniform",
    "xavier_normal",
    "xavier_uniform",
    "he_normal",
    "he_uniform",
    "orthogonal",
    "get",
    "names",
    "variance",
]

Shape = tuple[int, int]


def _check_shape(shape: object) -> Shape:
    if not isinstance(shape, Sequence) or isinstance(shape, str) or len(shape) != 2:
        raise TypeError(f"shape must be a pair (fan_in, fan_out), got {shape!r}")
    return (
        check_int(shape[0], "shape[0] (fan_in)", minimum=1),
        check_int(shape[1], "shape[1] (fan_out)", minimum=1),
    )


def _check_unused_rng(rng: object, seed: object) -> None:
    """Validate ``rng``/``seed`` given to an initializer that draws nothing."""
    if rng is not None:
        check_rng(rng)
    if seed is not None:
        check_int(seed, "seed", minimum=0)


def _normal(shape: Shape, rng: np.random.Generator, var: float) -> np.ndarray:
    return rng.normal(0.0, math.sqrt(var), size=shape)


def _uniform(shape: Shape, rng: np.random.Generator, var: float) -> np.ndarray:
    # U(-r, r) has variance r**2 / 3, so r = sqrt(3 Var).
    limit = math.sqrt(3.0 * var)
    return rng.uniform(-limit, limit, size=shape)


# --- initializers ---------------------------------------------------------------------------


def zeros(
    shape: Shape, rng: np.random.Generator | None = None, *, seed: int | None = None
) -> np.ndarray:
    """All zeros, ``Var[W] = 0``.

    Fine for biases; fatal for weights: every unit of a layer computes the
    same function and receives the same gradient, so the symmetry is never
    broken (and with zero weights, no gradient reaches earlier layers).
    PyTorch ``torch.nn.init.zeros_``; Keras ``keras.initializers.Zeros``.
    ``rng``/``seed`` are accepted for a uniform signature (checked if given,
    then unused).
    """
    shape = _check_shape(shape)
    _check_unused_rng(rng, seed)
    return np.zeros(shape)


def constant(
    shape: Shape,
    rng: np.random.Generator | None = None,
    *,
    seed: int | None = None,
    value: float = 0.1,
) -> np.ndarray:
    """Every weight equal to ``value``, ``Var[W] = 0``: the symmetry problem of :func:`zeros`.

    PyTorch ``torch.nn.init.constant_``; Keras ``keras.initializers.Constant``.
    ``rng``/``seed`` are checked if given, then unused, as in :func:`zeros`.
    """
    shape = _check_shape(shape)
    _check_unused_rng(rng, seed)
    return np.full(shape, check_real(value, "value"))


def standard_normal(
    shape: Shape,
    rng: np.random.Generator | None = None,
    *,
    seed: int | None = None,
    std: float = 1.0,
) -> np.ndarray:
    """``W ~ N(0, std**2)``, ignoring the width: ``Var[W] = std**2``.

    With ``std = 1`` a layer multiplies the signal's variance by ``fan_in``,
    so activations explode (or saturate) with depth. PyTorch
    ``torch.nn.init.normal_`` (std 1 by default); Keras
    ``keras.initializers.RandomNormal`` (stddev 0.05 by default).
    """
    shape = _check_shape(shape)
    return _normal(shape, check_rng(rng, seed), variance("standard_normal", *shape, std=std))


def uniform_fan_in(
    shape: Shape, rng: np.random.Generator | None = None, *, seed: int | None = None
) -> np.ndarray:
    """``W ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, ``Var[W] = 1 / (3 fan_in)``.

    The classic heuristic Glorot and Bengio (2010) start from ("standard
    initialization"): ``fan_in Var[W] = 1/3``, so the signal shrinks by a
    factor 3 in variance per linear layer. It is also PyTorch's default for
    ``nn.Linear``: ``kaiming_uniform_(weight, a=sqrt(5))``, whose bound is
    ``sqrt(2 / (1 + 5)) sqrt(3 / fan_in) = 1/sqrt(fan_in)``. Its variance is one
    sixth of He's ``2 / fan_in``: PyTorch's default is *not* He initialization.
    """
    shape = _check_shape(shape)
    return _uniform(shape, check_rng(rng, seed), variance("uniform_fan_in", *shape))


def lecun_normal(
    shape: Shape, rng: np.random.Generator | None = None, *, seed: int | None = None
) -> np.ndarray:
    """``W ~ N(0, 1/fan_in)``: ``Var[W] = 1 / fan_in`` (LeCun et al., 1998, Efficient BackProp).

    Keeps ``Var[z]`` fixed through linear (or tanh near 0) layers. PyTorch
    ``kaiming_normal_(w, nonlinearity="linear")``; Keras
    ``keras.initializers.LecunNormal`` (truncated normal); default of Flax's
    ``nn.Dense``.
    """
    shape = _check_shape(shape)
    return _normal(shape, check_rng(rng, seed), variance("lecun_normal", *shape))


def lecun_uniform(
    shape: Shape, rng: np.random.Generator | None = None, *, seed: int | None = None
) -> np.ndarray:
    """``W ~ U(-sqrt(3/fan_in), sqrt(3/fan_in))``: ``Var[W] = 1 / fan_in`` (LeCun et al., 1998).

    PyTorch ``kaiming_uniform_(w, nonlinearity="linear")``; Keras
    ``keras.initializers.LecunUniform``.
    """
    shape = _check_shape(shape)
    return _uniform(shape, check_rng(rng, seed), variance("lecun_uniform", *shape))


def xavier_normal(
    shape: Shape,
    rng: np.random.Generator | None = None,
    *,
    seed: int | None = None,
    gain: float = 1.0,
) -> np.ndarray:
    """``W ~ N(0, gain**2 * 2 / (fan_in + fan_out))`` (Glorot and Bengio, 2010).

    The forward condition ``fan_in Var[W] = 1`` and the backward condition
    ``fan_out Var[W] = 1`` cannot both hold unless the fans are equal; their
    compromise is ``Var[W] = 2 / (fan_in + fan_out)``. PyTorch
    ``torch.nn.init.xavier_normal_``; Keras ``keras.initializers.GlorotNormal``
    (truncated normal).
    """
    shape = _check_shape(shape)
    return _normal(shape, check_rng(rng, seed), variance("xavier_normal", *shape, gain=gain))


def xavier_uniform(
    shape: Shape,
    rng: np.random.Generator | None = None,
    *,
    seed: int | None = None,
    gain: float = 1.0,
) -> np.ndarray:
    """``W ~ U(-r, r)``, ``r = gain sqrt(6 / (fan_in + fan_out))`` (Glorot and Bengio, 2010).

    ``Var[W] = gain**2 * 2 / (fan_in + fan_out)``, the "normalized
    initialization" of the paper (their eq. 16). PyTorch
    ``torch.nn.init.xavier_uniform_``; Keras ``keras.initializers.GlorotUniform``,
    the default ``kernel_initializer`` of ``keras.layers.Dense``.
    """
    shape = _check_shape(shape)
    return _uniform(shape, check_rng(rng, seed), variance("xavier_uniform", *shape, gain=gain))


def he_normal(
    shape: Shape,
    rng: np.random.Generator | None = None,
    *,
    seed: int | None = None,
    mode: str = "fan_in",
    negative_slope: float = 0.0,
) -> np.ndarray:
    """``W ~ N(0, 2 / ((1 + a**2) fan))``, ``a = negative_slope`` (He et al., 2015).

    A ReLU zeroes half of its inputs, so ``Var[y_L] = Var[y_1] prod_l (1/2)
    n_l Var[w_l]``: the condition ``(1/2) n_l Var[w_l] = 1`` gives std
    ``sqrt(2 / n_l)``. ``mode="fan_in"`` preserves the forward signal,
    ``"fan_out"`` the backward gradient (both work in practice). For leaky ReLU
    / PReLU with slope ``a`` the condition is ``(1/2)(1 + a**2) n Var = 1``.
    PyTorch ``torch.nn.init.kaiming_normal_(w, a, mode)``; Keras
    ``keras.initializers.HeNormal`` (fan-in, truncated normal).
    """
    shape = _check_shape(shape)
    var = variance("he_normal", *shape, mode=mode, negative_slope=negative_slope)
    return _normal(shape, check_rng(rng, seed), var)


def he_uniform(
    shape: Shape,
    rng: np.random.Generator | None = None,
    *,
    seed: int | None = None,
    mode: str = "fan_in",
    negative_slope: float = 0.0,
) -> np.ndarray:
    """``W ~ U(-r, r)``, ``r = sqrt(6 / ((1 + a**2) fan))``: the variance of :func:`he_normal`.

    He et al. (2015). PyTorch ``torch.nn.init.kaiming_uniform_(w, a, mode)``;
    Keras ``keras.initializers.HeUniform``.
    """
    shape = _check_shape(shape)
    var = variance("he_uniform", *shape, mode=mode, negative_slope=negative_slope)
    return _uniform(shape, check_rng(rng, seed), var)


def orthogonal(
    shape: Shape,
    rng: np.random.Generator | None = None,
    *,
    seed: int | None = None,
    gain: float = 1.0,
) -> np.ndarray:
    """A random (semi-)orthogonal matrix times ``gain`` (Saxe et al., 2014).

    With ``fan_in >= fan_out`` the columns are orthonormal (``W.T @ W = gain**2
    I``), otherwise the rows are (``W @ W.T = gain**2 I``). All singular values
    equal ``gain``, so a deep *linear* network with ``gain = 1`` preserves
    every direction's norm exactly. ``Var[W] = gain**2 / max(fan_in,
    fan_out)``. Drawn as the Q of a QR decomposition of a Gaussian matrix,
    with the signs of ``diag(R)`` folded in so that Q is uniformly (Haar)
    distributed (Mezzadri, 2007). PyTorch ``torch.nn.init.orthogonal_``; Keras
    ``keras.initializers.Orthogonal``.
    """
    fan_in, fan_out = _check_shape(shape)
    gain = check_real(gain, "gain", minimum=0.0, maximum=MAX_SCALE)
    rng = check_rng(rng, seed)
    tall = (max(fan_in, fan_out), min(fan_in, fan_out))
    q, r = np.linalg.qr(rng.standard_normal(tall))
    q *= np.where(np.diag(r) < 0, -1.0, 1.0)
    return gain * (q if fan_in >= fan_out else q.T)


# --- registry and theory --------------------------------------------------------------------

#: The largest ``std``, ``gain`` or ``negative_slope`` taken: the variance squares it, and a
#: scale above ``sqrt(1.8e308)``, about 1.3e154, has no float square. 1e150 is the round
#: bound below it (its square, 1e300, is a float).
MAX_SCALE = 1e150

_REGISTRY: dict[str, Callable[..., np.ndarray]] = {
    f.__name__: f
    for f in (
        zeros,
        constant,
        standard_normal,
        uniform_fan_in,
        lecun_normal,
        lecun_uniform,
        xavier_normal,
        xavier_uniform,
        he_normal,
        he_uniform,
        orthogonal,
    )
}

_OPTIONS: dict[str, dict[str, object]] = {
    "constant": {"value": 0.1},
    "standard_normal": {"std": 1.0},
    "xavier_normal": {"gain": 1.0},
    "xavier_uniform": {"gain": 1.0},
    "he_normal": {"mode": "fan_in", "negative_slope": 0.0},
    "he_uniform": {"mode": "fan_in", "negative_slope": 0.0},
    "orthogonal": {"gain": 1.0},
}


def names() -> tuple[str, ...]:
    """The names :func:`get` and :func:`variance` accept."""
    return tuple(_REGISTRY)


def get(name: str) -> Callable[..., np.ndarray]:
    """Return the initializer function registered as ``name`` (see :func:`names`).

    Raises ``ValueError`` listing the valid names for an unknown one.
    """
    return _REGISTRY[check_choice(name, "name", tuple(_REGISTRY))]


def check_options(name: str, options: dict[str, object]) -> dict[str, object]:
    """Raise ``ValueError`` if ``options`` has a key the initializer ``name`` does not take."""
    allowed = _OPTIONS.get(check_choice(name, "name", tuple(_REGISTRY)), {})
    unknown = set(options) - set(allowed)
    if unknown:
        raise ValueError(
            f"options: initializer {name!r} takes {sorted(allowed) or 'no options'}, "
            f"got {sorted(unknown)}"
        )
    return {**allowed, **options}


def variance(name: str, fan_in: int, fan_out: int, **options: object) -> float:
    """The theoretical ``Var[W_ij]`` of initializer ``name`` for a ``(fan_in, fan_out)`` matrix.

    The one place the formulas live: every initializer draws with this variance.

    ======================== ===================================
    zeros, constant          ``0``
    standard_normal          ``std**2``
    uniform_fan_in           ``1 / (3 fan_in)``
    lecun_normal / _uniform  ``1 / fan_in``
    xavier_normal / _uniform ``gain**2 * 2 / (fan_in + fan_out)``
    he_normal / _uniform     ``2 / ((1 + a**2) fan)``, ``fan`` per ``mode``
    orthogonal               ``gain**2 / max(fan_in, fan_out)``
    ======================== ===================================

    For ``orthogonal`` it is the mean of ``W_ij**2`` (the entries of an
    orthogonal matrix are not independent). The tests compare sample variances
    against these values.
    """
    fan_in, fan_out = _check_shape((fan_in, fan_out))
    opts = check_options(name, options)
    if name in ("zeros", "constant"):
        return 0.0
    if name == "standard_normal":
        return check_real(opts["std"], "std", minimum=0.0, maximum=MAX_SCALE) ** 2
    if name == "uniform_fan_in":
        return 1.0 / (3.0 * fan_in)
    if name in ("lecun_normal", "lecun_uniform"):
        return 1.0 / fan_in
    if name in ("xavier_normal", "xavier_uniform"):
        return (
            check_real(opts["gain"], "gain", minimum=0.0, maximum=MAX_SCALE) ** 2
            * 2.0
            / (fan_in + fan_out)
        )
    if name in ("he_normal", "he_uniform"):
        slope = check_real(opts["negative_slope"], "negative_slope", minimum=0.0, maximum=MAX_SCALE)
        fan = (
            fan_in
            if check_choice(opts["mode"], "mode", ("fan_in", "fan_out")) == "fan_in"
            else fan_out
        )
        return 2.0 / ((1.0 + slope**2) * fan)
    return check_real(opts["gain"], "gain", minimum=0.0, maximum=MAX_SCALE) ** 2 / max(
        fan_in, fan_out
    )
