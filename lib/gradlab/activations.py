"""Activation functions and their derivatives.

Every activation ``phi`` comes with its derivative ``phi'``, because the
backward pass multiplies by ``phi'(z)`` once per layer: that factor is where
gradients vanish (sigmoid, tanh) or die (ReLU).

The registry :func:`get` returns an :class:`Activation` object with
``.forward(z)`` and ``.derivative(z)``::

    >>> from gradlab import activations
    >>> act = activations.get("sigmoid")
    >>> float(act.derivative(0.0))
    0.25

**The kink at zero.** ReLU, leaky ReLU and ELU (for ``alpha != 1``) are not
differentiable at ``z = 0``: the left and right derivatives differ. Any value
between them is a valid *subgradient*. We use the value of the ``z <= 0``
branch, as PyTorch, JAX and TensorFlow do: ``relu'(0) = 0``,
``leaky_relu'(0) = negative_slope`` and ``elu'(0) = alpha``. In floating point
a pre-activation is almost never exactly 0, so the choice rarely matters in
training, but it does matter in tests: finite differences straddling the kink
measure the average of both sides, so gradient checks use inputs away from 0.

All functions accept anything array-like, work element-wise, return float64
(or the input's float dtype) and never emit overflow warnings: exponentials
are only ever taken of non-positive numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from ._validation import check_choice, check_real

__all__ = [
    "Activation",
    "SATURATION_TOL",
    "identity",
    "identity_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "tanh",
    "tanh_derivative",
    "relu",
    "relu_derivative",
    "leaky_relu",
    "leaky_relu_derivative",
    "elu",
    "elu_derivative",
    "silu",
    "silu_derivative",
    "get",
    "names",
]

#: A bounded unit counts as *saturated* when its output lies within this
#: fraction of the output range from a bound: sigmoid output < 0.01 or > 0.99
#: (|z| > 4.6, where sigma' < 0.0099, 4 % of its peak 1/4); tanh output with
#: |a| > 0.98 (|z| > 2.3, where tanh' < 0.040, 4 % of its peak 1).
SATURATION_TOL = 0.01

ArrayLike = object  # anything numpy.asarray accepts


def _as_float(z: ArrayLike) -> np.ndarray:
    """``z`` as a float array (float64 unless it already is a float array)."""
    z = np.asarray(z)
    if np.issubdtype(z.dtype, np.floating):
        return z
    if z.dtype == bool or not np.issubdtype(z.dtype, np.integer):
        raise TypeError(f"z must hold real numbers, got an array of dtype {z.dtype}")
    return z.astype(np.float64)


def _store(result: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    """Return ``result``, or copy it into ``out`` and return ``out``."""
    if out is None:
        return result
    np.copyto(out, result)
    return out


# --- identity -------------------------------------------------------------------------------


def identity(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """Identity ``phi(z) = z`` (the linear output layer)."""
    z = _as_float(z)
    return z.copy() if out is None else _store(z, out)


def identity_derivative(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """Derivative of the identity: ``phi'(z) = 1``."""
    z = _as_float(z)
    if out is None:
        return np.ones_like(z)
    out.fill(1.0)
    return out


# --- sigmoid --------------------------------------------------------------------------------


def sigmoid(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """Logistic sigmoid ``sigma(z) = 1 / (1 + exp(-z))``.

    Computed stably for any float: with ``e = exp(-|z|)`` (never overflows),
    ``sigma(z) = 1 / (1 + e)`` for ``z >= 0`` and ``e / (1 + e)`` for ``z < 0``.
    The naive formula overflows ``exp(-z)`` for ``z < -709``.
    """
    z = _as_float(z)
    e = np.exp(-np.abs(z))
    numerator = np.where(z >= 0, 1.0, e)
    e += 1.0
    return np.divide(numerator, e, out=out)


def sigmoid_derivative(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """``sigma'(z) = sigma(z) (1 - sigma(z))``; maximum 1/4 at ``z = 0``.

    Evaluated as ``e / (1 + e)**2`` with ``e = exp(-|z|)`` (the derivative is
    even), which keeps full relative precision in the tails, where
    ``sigma(z) (1 - sigma(z))`` would round to 0. ``sigma'(5) = 0.006648``.
    """
    z = _as_float(z)
    e = np.exp(-np.abs(z))
    denominator = (1.0 + e) ** 2
    return np.divide(e, denominator, out=out)


def _sigmoid_derivative_from_output(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    # sigma' = a (1 - a) with a = sigma(z): no exponential needed.
    np.subtract(1.0, a, out=out)
    out *= a
    return out


# --- tanh -----------------------------------------------------------------------------------


def tanh(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """Hyperbolic tangent ``tanh(z) = (e^z - e^-z) / (e^z + e^-z) = 2 sigma(2z) - 1``."""
    return np.tanh(_as_float(z), out=out)


def tanh_derivative(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """``tanh'(z) = 1 - tanh(z)**2 = sech(z)**2``; maximum 1 at ``z = 0``.

    Evaluated as ``4 e / (1 + e)**2`` with ``e = exp(-2|z|)``: exact, with no
    overflow (``cosh`` would overflow for ``|z| > 710``) and no cancellation
    in the tails. ``tanh'(5) = 1.8158e-4``.
    """
    z = _as_float(z)
    e = np.exp(-2.0 * np.abs(z))
    denominator = (1.0 + e) ** 2
    e *= 4.0
    return np.divide(e, denominator, out=out)


def _tanh_derivative_from_output(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    # tanh' = 1 - a**2 with a = tanh(z).
    np.multiply(a, a, out=out)
    np.subtract(1.0, out, out=out)
    return out


# --- ReLU family ----------------------------------------------------------------------------


def relu(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """Rectified linear unit ``relu(z) = max(z, 0)`` (Nair and Hinton, 2010)."""
    return np.maximum(_as_float(z), 0.0, out=out)


def relu_derivative(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """``relu'(z) = 1`` if ``z > 0`` else ``0`` (0 at the kink, as in PyTorch/JAX/TF)."""
    z = _as_float(z)
    return np.greater(z, 0.0, out=out if out is not None else np.empty_like(z))


def _relu_derivative_from_output(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    # a = max(z, 0) > 0 exactly when z > 0.
    return np.greater(a, 0.0, out=out)


def leaky_relu(
    z: ArrayLike, negative_slope: float = 0.01, out: np.ndarray | None = None
) -> np.ndarray:
    """Leaky ReLU ``z`` if ``z > 0`` else ``negative_slope * z`` (Maas et al., 2013).

    The default slope 0.01 is Maas et al.'s, and PyTorch's
    ``nn.LeakyReLU``'s (Keras ``LeakyReLU`` defaults to 0.3). A *PReLU*
    (He et al., 2015) learns the slope instead.
    """
    z = _as_float(z)
    return np.multiply(z, np.where(z > 0, 1.0, negative_slope), out=out)


def leaky_relu_derivative(
    z: ArrayLike, negative_slope: float = 0.01, out: np.ndarray | None = None
) -> np.ndarray:
    """``1`` if ``z > 0`` else ``negative_slope`` (the slope at the kink, as in PyTorch)."""
    z = _as_float(z)
    return _store(np.where(z > 0, 1.0, negative_slope), out)


def elu(z: ArrayLike, alpha: float = 1.0, out: np.ndarray | None = None) -> np.ndarray:
    """Exponential linear unit: ``z`` if ``z > 0`` else ``alpha (exp(z) - 1)``.

    Clevert, Unterthiner and Hochreiter (2016), arXiv:1511.07289.
    """
    z = _as_float(z)
    negative = alpha * np.expm1(np.minimum(z, 0.0))  # exp of non-positive numbers only
    return _store(np.where(z > 0, z, negative), out)


def elu_derivative(z: ArrayLike, alpha: float = 1.0, out: np.ndarray | None = None) -> np.ndarray:
    """``1`` if ``z > 0`` else ``alpha exp(z)`` (``alpha`` at the kink, as in PyTorch)."""
    z = _as_float(z)
    negative = alpha * np.exp(np.minimum(z, 0.0))
    return _store(np.where(z > 0, 1.0, negative), out)


def silu(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """SiLU / swish ``silu(z) = z sigma(z)`` (Elfwing et al., 2018; Ramachandran et al., 2017).

    Smooth everywhere, close to ReLU for large ``|z|``; PyTorch ``nn.SiLU``,
    Keras ``"silu"``/``"swish"``, ``jax.nn.silu``.
    """
    z = _as_float(z)
    return np.multiply(z, sigmoid(z), out=out)


def silu_derivative(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """``silu'(z) = sigma(z) + z sigma(z) (1 - sigma(z)) = sigma(z) + z sigma'(z)``."""
    z = _as_float(z)
    return np.add(sigmoid(z), z * sigmoid_derivative(z), out=out)


# --- registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activation:
    """An activation function packaged for a network layer.

    Attributes
    ----------
    name
        Registry name, e.g. ``"tanh"``.
    forward, derivative
        ``phi(z)`` and ``phi'(z)``, element-wise; both accept ``out=``.
    derivative_from_output
        ``phi'`` written in terms of the output ``a = phi(z)`` when that is
        possible (sigmoid: ``a (1 - a)``, tanh: ``1 - a**2``, ReLU:
        ``a > 0``), else ``None``. Backprop uses it to skip recomputing an
        exponential, the same trick the frameworks use.
    bounds
        ``(low, high)`` for bounded, saturating activations, else ``None``.
    """

    name: str
    forward: Callable[..., np.ndarray]
    derivative: Callable[..., np.ndarray]
    derivative_from_output: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    bounds: tuple[float, float] | None = None

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def _from_output_slope(slope: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def derivative(a: np.ndarray, out: np.ndarray) -> np.ndarray:
        # For slope >= 0, a > 0 exactly when z > 0.
        np.greater(a, 0.0, out=out)
        out *= 1.0 - slope
        out += slope
        return out

    return derivative


def _identity_from_output(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    out.fill(1.0)
    return out


_NAMES = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "silu")


def names() -> tuple[str, ...]:
    """The names :func:`get` accepts."""
    return _NAMES


def get(name: str | Activation, **params: float) -> Activation:
    """Return the :class:`Activation` registered as ``name``.

    Parameters
    ----------
    name
        One of :func:`names`; an :class:`Activation` is returned unchanged.
    **params
        ``negative_slope`` for ``"leaky_relu"`` (default 0.01, must be in
        [0, 1)), ``alpha`` for ``"elu"`` (default 1.0, > 0).

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones) or a parameter
        the activation does not take.
    """
    if isinstance(name, Activation) and not params:
        return name
    name = check_choice(name, "name", _NAMES)
    allowed = {"leaky_relu": {"negative_slope"}, "elu": {"alpha"}}.get(name, set())
    unknown = set(params) - allowed
    if unknown:
        raise ValueError(
            f"params: activation {name!r} takes {sorted(allowed) or 'no parameters'}, "
            f"got {sorted(unknown)}"
        )
    if name == "identity":
        return Activation(name, identity, identity_derivative, _identity_from_output)
    if name == "sigmoid":
        return Activation(
            name, sigmoid, sigmoid_derivative, _sigmoid_derivative_from_output, (0.0, 1.0)
        )
    if name == "tanh":
        return Activation(name, tanh, tanh_derivative, _tanh_derivative_from_output, (-1.0, 1.0))
    if name == "relu":
        return Activation(name, relu, relu_derivative, _relu_derivative_from_output)
    if name == "leaky_relu":
        slope = check_real(
            params.get("negative_slope", 0.01), "negative_slope", minimum=0.0, maximum=0.999
        )
        return Activation(
            name,
            partial(leaky_relu, negative_slope=slope),
            partial(leaky_relu_derivative, negative_slope=slope),
            _from_output_slope(slope),
        )
    if name == "elu":
        alpha = check_real(params.get("alpha", 1.0), "alpha", minimum=0.0, strict_minimum=True)
        return Activation(name, partial(elu, alpha=alpha), partial(elu_derivative, alpha=alpha))
    return Activation(name, silu, silu_derivative)
