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
between them is a valid *subgradient*. gradlab uses the value of the ``z <= 0``
branch: ``relu'(0) = 0``, ``leaky_relu'(0) = negative_slope`` and ``elu'(0) =
alpha``. The frameworks do not all agree: ``relu'(0) = 0`` in PyTorch, JAX and
TensorFlow; ``leaky_relu'(0) = negative_slope`` in PyTorch and TensorFlow, but
JAX defines ``leaky_relu`` as ``where(z >= 0, z, negative_slope * z)``, so its
autodiff gives 1 at 0. In floating point a pre-activation is almost never
exactly 0, so the choice rarely matters in training, but it does matter in
tests: finite differences straddling the kink measure the average of both
sides, so gradient checks use inputs away from 0.

**Framework names and defaults** (checked against each framework's documentation and source):

- leaky ReLU: PyTorch ``nn.LeakyReLU(negative_slope=0.01)``; Keras 3 layer
  ``keras.layers.LeakyReLU(negative_slope=0.3)`` (not 0.01!); JAX
  ``jax.nn.leaky_relu(x, negative_slope=0.01)``.
- PReLU (:func:`prelu`): PyTorch ``nn.PReLU(num_parameters=1, init=0.25)``; Keras
  ``keras.layers.PReLU(alpha_initializer="Zeros")``; JAX has none.
- ELU: PyTorch ``nn.ELU(alpha=1.0)``; ``jax.nn.elu(x, alpha=1.0)``. SiLU: PyTorch
  ``nn.SiLU()``, ``jax.nn.silu``.
- GELU (:func:`gelu`, :func:`gelu_tanh`): PyTorch ``nn.GELU(approximate='none')``
  (exact); Keras ``keras.activations.gelu(x, approximate=False)`` (exact); JAX
  ``jax.nn.gelu(x, approximate=True)``: the tanh approximation by default.

**Precision in the tails.** The derivatives are computed from ``z`` with full
relative precision, however small they are: ``sigmoid'(z)`` and ``tanh'(z)``
from ``exp(-|z|)``, never as ``a (1 - a)`` or ``1 - a**2`` from the output
``a``, which round to exactly 0 once ``a`` rounds to 1 (``|z| > 19.06`` for
tanh, ``z > 36.7`` for sigmoid) while the true derivative is still, e.g.,
``tanh'(20) = 1.7e-17``. Vanishing gradients are the subject of this course,
so tiny gradients must be right, not zero.

All functions accept anything array-like, work element-wise, return float64
(or the input's float dtype: float32 stays float32) and never emit overflow
warnings: exponentials are only ever taken of non-positive numbers. ``out=``,
if given, must be a float array of the shape of ``z``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy import special

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
    "gelu",
    "gelu_derivative",
    "gelu_tanh",
    "gelu_tanh_derivative",
    "prelu",
    "prelu_derivative",
    "prelu_slope_gradient",
    "GELU_TANH_COEFFICIENT",
    "get",
    "names",
]

#: The cubic coefficient of the tanh approximation of GELU (Hendrycks and Gimpel, 2016).
GELU_TANH_COEFFICIENT = 0.044715

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

#: A bounded unit counts as *saturated* when its output lies within this
#: fraction of the output range from a bound: sigmoid output < 0.01 or > 0.99
#: (|z| > 4.6, where sigma' < 0.0099, 4 % of its peak 1/4); tanh output with
#: |a| > 0.98 (|z| > 2.3, where tanh' < 0.040, 4 % of its peak 1).
SATURATION_TOL = 0.01

ArrayLike = object  # anything numpy.asarray accepts


def _as_float(z: ArrayLike) -> np.ndarray:
    """``z`` as a float array (float64 unless it already is a float array)."""
    if isinstance(z, (str, bytes)):
        raise TypeError("z must hold real numbers, got a string")
    z = np.asarray(z)
    if np.issubdtype(z.dtype, np.floating):
        return z
    if z.dtype == bool or not np.issubdtype(z.dtype, np.integer):
        raise TypeError(f"z must hold real numbers, got an array of dtype {z.dtype}")
    return z.astype(np.float64)


def _check_out(out: object, z: np.ndarray) -> np.ndarray | None:
    """``out`` unchanged after checking it can hold the result for ``z``."""
    if out is None:
        return None
    if not isinstance(out, np.ndarray) or not np.issubdtype(out.dtype, np.floating):
        kind = f"an array of dtype {out.dtype}" if isinstance(out, np.ndarray) else type(out)
        raise TypeError(f"out must be a float numpy array, got {kind}")
    if out.shape != z.shape:
        raise ValueError(f"out must have the shape of z {z.shape}, got {out.shape}")
    return out


def _result(out: np.ndarray | None, z: np.ndarray) -> np.ndarray:
    """A fresh array to compute into when no ``out`` was given."""
    return np.empty_like(z) if out is None else out


def _store(result: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    """Return ``result``, or copy it into ``out`` and return ``out``."""
    if out is None:
        return result
    np.copyto(out, result)
    return out


def _check_slope(negative_slope: object) -> float:
    return check_real(negative_slope, "negative_slope", minimum=0.0, maximum=0.999)


def _check_alpha(alpha: object) -> float:
    return check_real(alpha, "alpha", minimum=0.0, strict_minimum=True)


# --- identity -------------------------------------------------------------------------------


def identity(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """Identity ``phi(z) = z`` (the linear output layer)."""
    z = _as_float(z)
    out = _check_out(out, z)
    return z.copy() if out is None else _store(z, out)


def identity_derivative(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """Derivative of the identity: ``phi'(z) = 1``."""
    z = _as_float(z)
    out = _check_out(out, z)
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
    out = _check_out(out, z)
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(z))
    numerator = np.where(z >= 0, 1.0, e)
    e += 1.0
    return np.divide(numerator, e, out=out)


def sigmoid_derivative(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """``sigma'(z) = sigma(z) (1 - sigma(z))``; maximum 1/4 at ``z = 0``.

    Evaluated as ``t / (1 + t)**2`` with ``t = exp(-|z|)`` (the derivative is
    even), which keeps full relative precision in the tails, where
    ``sigma(z) (1 - sigma(z))`` would round to 0 (for ``z > 36.7``).
    ``sigma'(5) = 0.006648``, ``sigma'(40) = 4.248e-18``.
    """
    z = _as_float(z)
    t = _result(_check_out(out, z), z)
    with np.errstate(under="ignore"):  # exp(-|z|) underflows to 0 for |z| > 745: correct
        np.abs(z, out=t)
        np.negative(t, out=t)
        np.exp(t, out=t)  # t = exp(-|z|) in (0, 1]
        denominator = np.add(t, 1.0, out=np.empty_like(t))
        np.square(denominator, out=denominator)
        np.divide(t, denominator, out=t)
    return t if out is not None or t.ndim else t[()]


# --- tanh -----------------------------------------------------------------------------------


def tanh(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """Hyperbolic tangent ``tanh(z) = (e^z - e^-z) / (e^z + e^-z) = 2 sigma(2z) - 1``."""
    z = _as_float(z)
    return np.tanh(z, out=_check_out(out, z))


def tanh_derivative(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """``tanh'(z) = 1 - tanh(z)**2 = sech(z)**2``; maximum 1 at ``z = 0``.

    Evaluated as ``4 t / (1 + t)**2`` with ``t = exp(-2|z|)``: full relative
    precision, with no overflow (``cosh`` would overflow for ``|z| > 710``)
    and no cancellation in the tails, where ``1 - tanh(z)**2`` is exactly 0
    for ``|z| > 19.06``. ``tanh'(5) = 1.8158e-4``, ``tanh'(20) = 1.6994e-17``.
    """
    z = _as_float(z)
    t = _result(_check_out(out, z), z)
    with np.errstate(under="ignore"):  # tanh'(z) underflows to 0 for |z| > 372.6: correct
        np.abs(z, out=t)
        np.multiply(t, -2.0, out=t)
        np.exp(t, out=t)  # t = exp(-2|z|) in (0, 1]
        denominator = np.add(t, 1.0, out=np.empty_like(t))
        np.square(denominator, out=denominator)
        np.multiply(t, 4.0, out=t)
        np.divide(t, denominator, out=t)
    return t if out is not None or t.ndim else t[()]


# --- ReLU family ----------------------------------------------------------------------------


def _step(x: np.ndarray, out: np.ndarray, slope: float = 0.0) -> np.ndarray:
    """``out = 1`` where ``x > 0``, else ``slope``: the ReLU-family derivative (slope < 1)."""
    np.greater(x, 0.0, out=out)  # 1.0 where x > 0, else 0.0
    return np.maximum(out, slope, out=out) if slope else out


def relu(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """Rectified linear unit ``relu(z) = max(z, 0)`` (Nair and Hinton, 2010)."""
    z = _as_float(z)
    return np.maximum(z, 0.0, out=_check_out(out, z))


def relu_derivative(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """``relu'(z) = 1`` if ``z > 0`` else ``0`` (0 at the kink, as in PyTorch, JAX and TF)."""
    z = _as_float(z)
    return _step(z, _result(_check_out(out, z), z))


def leaky_relu(
    z: ArrayLike, negative_slope: float = 0.01, out: np.ndarray | None = None
) -> np.ndarray:
    """Leaky ReLU ``z`` if ``z > 0`` else ``negative_slope * z`` (Maas et al., 2013).

    The default slope 0.01 is Maas et al.'s, and PyTorch's
    ``nn.LeakyReLU``'s (Keras ``LeakyReLU`` defaults to 0.3). A *PReLU*
    (He et al., 2015) learns the slope instead. ``negative_slope`` must be
    in ``[0, 1)`` (at most 0.999), so the result is ``max(z, negative_slope * z)``.
    """
    z = _as_float(z)
    slope = _check_slope(negative_slope)
    out = _result(_check_out(out, z), z)
    np.multiply(z, slope, out=out)
    return np.maximum(out, z, out=out)


def leaky_relu_derivative(
    z: ArrayLike, negative_slope: float = 0.01, out: np.ndarray | None = None
) -> np.ndarray:
    """``1`` if ``z > 0`` else ``negative_slope``.

    At the kink ``z = 0`` this is the slope, as in PyTorch and TensorFlow (JAX gives 1).
    """
    z = _as_float(z)
    slope = _check_slope(negative_slope)
    return _step(z, _result(_check_out(out, z), z), slope)


def elu(z: ArrayLike, alpha: float = 1.0, out: np.ndarray | None = None) -> np.ndarray:
    """Exponential linear unit: ``z`` if ``z > 0`` else ``alpha (exp(z) - 1)``, ``alpha > 0``.

    Clevert, Unterthiner and Hochreiter (2016), arXiv:1511.07289.
    """
    z = _as_float(z)
    alpha = _check_alpha(alpha)
    out = _check_out(out, z)
    negative = alpha * np.expm1(np.minimum(z, 0.0))  # exp of non-positive numbers only
    return _store(np.where(z > 0, z, negative), out)


def elu_derivative(z: ArrayLike, alpha: float = 1.0, out: np.ndarray | None = None) -> np.ndarray:
    """``1`` if ``z > 0`` else ``alpha exp(z)`` (``alpha`` at the kink, as in PyTorch and JAX)."""
    z = _as_float(z)
    alpha = _check_alpha(alpha)
    out = _check_out(out, z)
    with np.errstate(under="ignore"):
        negative = alpha * np.exp(np.minimum(z, 0.0))
    return _store(np.where(z > 0, 1.0, negative), out)


def silu(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """SiLU / swish ``silu(z) = z sigma(z)`` (Elfwing et al., 2018; Ramachandran et al., 2017).

    Smooth everywhere, close to ReLU for large ``|z|``; PyTorch ``nn.SiLU``,
    Keras ``"silu"``/``"swish"``, ``jax.nn.silu``.
    """
    z = _as_float(z)
    return np.multiply(z, sigmoid(z), out=_check_out(out, z))


def silu_derivative(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """``silu'(z) = sigma(z) + z sigma(z) (1 - sigma(z)) = sigma(z) + z sigma'(z)``."""
    z = _as_float(z)
    return np.add(sigmoid(z), z * sigmoid_derivative(z), out=_check_out(out, z))


# --- GELU -----------------------------------------------------------------------------------


def gelu(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """Gaussian error linear unit, exact: ``gelu(z) = z Phi(z)``.

    .. math::
        \\mathrm{GELU}(z) = z\\,\\Phi(z) = \\tfrac{z}{2}\\left(1 + \\mathrm{erf}(z/\\sqrt2)\\right)

    with ``Phi`` the standard normal CDF, evaluated with ``scipy.special.ndtr``
    (accurate in the lower tail, where ``(1 + erf)/2`` would cancel). Smooth,
    not monotonic: its minimum is ``-0.170`` at ``z = -0.752``.

    Framework names and defaults: PyTorch ``nn.GELU(approximate='none')`` (the
    default is this exact form; ``'tanh'`` gives :func:`gelu_tanh`); Keras
    ``keras.activations.gelu(x, approximate=False)`` (exact by default); JAX
    ``jax.nn.gelu(x, approximate=True)``: JAX's default is the *tanh
    approximation*, pass ``approximate=False`` for this function.

    References
    ----------
    Hendrycks, D., Gimpel, K. (2016). Gaussian error linear units (GELUs). arXiv:1606.08415.
    """
    z = _as_float(z)
    out = _check_out(out, z)
    with np.errstate(under="ignore"):
        phi_cdf = special.ndtr(z)
    return np.multiply(z, phi_cdf, out=out)


def gelu_derivative(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """``gelu'(z) = Phi(z) + z phi(z)``, with ``phi(z) = exp(-z**2/2) / sqrt(2 pi)``.

    Negative for ``z < -0.752`` (GELU dips before rising), 1/2 at 0, about
    1.129 at its maximum (``z = 1.414``), then tends to 1; both terms vanish for
    ``z -> -inf``. No overflow warning for any float input (``z**2`` may overflow
    to ``inf``, and ``exp(-inf) = 0`` is then exact).
    """
    z = _as_float(z)
    out = _check_out(out, z)
    with np.errstate(under="ignore", over="ignore"):
        z_density = z * (np.exp(-0.5 * np.square(z)) * z.dtype.type(_INV_SQRT_2PI))
        result = special.ndtr(z) + z_density
    return _store(result, out)


def _tanh_argument(z: np.ndarray) -> np.ndarray:
    """``2 u = 2 sqrt(2/pi) (z + 0.044715 z**3)``, the argument of the sigmoid in gelu_tanh."""
    with np.errstate(over="ignore", under="ignore"):  # z**3 -> +-inf or 0: both harmless
        return (z + GELU_TANH_COEFFICIENT * np.power(z, 3)) * (2.0 * _SQRT_2_OVER_PI)


def gelu_tanh(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """GELU's tanh approximation ``0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z**3)))``.

    .. math::
        \\mathrm{GELU}_{\\tanh}(z) = \\tfrac{z}{2}\\left(1 + \\tanh u\\right)
        = z\\,\\sigma(2u), \\qquad u = \\sqrt{2/\\pi}\\,(z + 0.044715\\,z^3)

    Evaluated as ``z sigma(2u)`` (the same function, since ``1 + tanh u = 2
    sigma(2u)``), which keeps relative precision for negative ``z`` where ``1 +
    tanh u`` cancels. Within ``4.8e-4`` of the exact :func:`gelu` everywhere.

    Framework names and defaults: PyTorch ``nn.GELU(approximate='tanh')``;
    Keras ``keras.activations.gelu(x, approximate=True)``; JAX
    ``jax.nn.gelu(x)``, whose default ``approximate=True`` is this function.

    References
    ----------
    Hendrycks, D., Gimpel, K. (2016). Gaussian error linear units (GELUs). arXiv:1606.08415.
    """
    z = _as_float(z)
    out = _check_out(out, z)
    with np.errstate(over="ignore"):  # z**3 may overflow to +-inf: sigma(+-inf) is exact
        gate = sigmoid(_tanh_argument(z))
    return np.multiply(z, gate, out=out)


def gelu_tanh_derivative(z: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
    """Derivative of :func:`gelu_tanh`: ``sigma(2u) + 2 z sigma'(2u) u'``.

    With ``u = sqrt(2/pi) (z + 0.044715 z**3)`` and ``u' = sqrt(2/pi) (1 + 3 *
    0.044715 z**2)``. ``sigma'`` is :func:`sigmoid_derivative`, exact in the tails;
    where it underflows to 0 the second term is 0 (not ``0 * inf``).
    """
    z = _as_float(z)
    out = _check_out(out, z)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        two_u = _tanh_argument(z)
        slope = sigmoid_derivative(two_u)
        two_du = (np.square(z) * (3.0 * GELU_TANH_COEFFICIENT) + 1.0) * (2.0 * _SQRT_2_OVER_PI)
        second = np.where(slope == 0.0, 0.0, z * two_du * slope).astype(z.dtype, copy=False)
        result = sigmoid(two_u) + second
    return _store(result, out)


# --- PReLU ----------------------------------------------------------------------------------


def _check_prelu_slope(a: object) -> float:
    return check_real(a, "a")


def prelu(z: ArrayLike, a: float = 0.25, out: np.ndarray | None = None) -> np.ndarray:
    """Parametric ReLU ``prelu(z) = z`` if ``z > 0`` else ``a z``, with a *learned* slope ``a``.

    .. math:: \\mathrm{PReLU}(z) = \\max(0, z) + a \\min(0, z)

    He et al. (2015) learn ``a`` by backpropagation along with the weights (see
    :func:`prelu_slope_gradient`), initialised at 0.25, either one per channel
    or one shared by a layer. With ``a`` fixed it is a leaky ReLU
    (:func:`leaky_relu`); unlike there, ``a`` may be any real number here, since
    training may move it anywhere.

    Framework names and defaults: PyTorch ``nn.PReLU(num_parameters=1,
    init=0.25)`` (one slope shared by the layer; ``num_parameters=channels``
    for one per channel); Keras ``keras.layers.PReLU`` (one slope per unit,
    ``alpha_initializer="Zeros"``); Flax ``flax.linen.PReLU`` (one slope,
    ``negative_slope_init=0.01``); plain JAX has none (``jax.nn.leaky_relu`` with a learned
    ``negative_slope``).

    Parameters
    ----------
    z
        Pre-activations.
    a
        The slope for ``z <= 0`` (default 0.25, He et al.'s initial value).
    out
        Optional output array of the shape of ``z``.

    References
    ----------
    He, K., Zhang, X., Ren, S., Sun, J. (2015). Delving deep into rectifiers. ICCV.
    arXiv:1502.01852.
    """
    z = _as_float(z)
    a = _check_prelu_slope(a)
    out = _check_out(out, z)
    return _store(np.where(z > 0, z, z * z.dtype.type(a)), out)


def prelu_derivative(z: ArrayLike, a: float = 0.25, out: np.ndarray | None = None) -> np.ndarray:
    """``dprelu/dz = 1`` if ``z > 0`` else ``a`` (``a`` at the kink, like :func:`leaky_relu`)."""
    z = _as_float(z)
    a = _check_prelu_slope(a)
    out = _check_out(out, z)
    return _store(np.where(z > 0, z.dtype.type(1.0), z.dtype.type(a)), out)


def prelu_slope_gradient(z: ArrayLike, delta: ArrayLike) -> float:
    """Gradient of a cost with respect to a PReLU slope ``a`` shared by a layer.

    .. math:: \\frac{\\partial J}{\\partial a} = \\sum_{i:\\,z_i \\le 0} \\delta_i\\, z_i

    since ``dprelu(z_i)/da = z_i`` where ``z_i <= 0`` and 0 elsewhere (He et
    al. 2015, eq. 2, channel-shared variant: the sum runs over every entry of
    the layer, over the batch and the units). The ``z <= 0`` side matches the
    kink convention of :func:`prelu_derivative`; at ``z = 0`` the term is 0
    either way.

    Parameters
    ----------
    z
        The layer's pre-activations, any shape.
    delta
        ``dJ/dprelu(z)``, the gradient reaching the layer's output, same shape as ``z``.

    Returns
    -------
    float
    """
    z = _as_float(z)
    if isinstance(delta, (str, bytes)):
        raise TypeError("delta must hold real numbers, got a string")
    delta = np.asarray(delta)
    if delta.dtype == bool or not np.issubdtype(delta.dtype, np.number):
        raise TypeError(f"delta must hold real numbers, got an array of dtype {delta.dtype}")
    if delta.shape != z.shape:
        raise ValueError(f"delta must have the shape of z {z.shape}, got {delta.shape}")
    negative = z <= 0
    return float(np.sum(delta[negative] * z[negative], dtype=np.float64))


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
        ``phi'`` written in terms of the output ``a = phi(z)``, only where that
        is *exact*: the ReLU family (``phi'(z) = 1`` where ``a > 0``, i.e.
        ``z > 0``, else the slope) and the identity; else ``None``. Backprop
        uses it to skip recomputing from ``z``. Sigmoid and tanh have none on
        purpose: ``a (1 - a)`` and ``1 - a**2`` lose all relative precision in
        the tails (they are exactly 0 for ``|z| > 19.06`` with tanh), so
        backprop evaluates ``derivative(z)`` instead.
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


def _identity_from_output(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    out.fill(1.0)
    return out


_NAMES = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "silu", "gelu", "gelu_tanh")


def names() -> tuple[str, ...]:
    """The names :func:`get` accepts."""
    return _NAMES


def get(name: str | Activation, **params: float) -> Activation:
    """Return the :class:`Activation` registered as ``name``.

    Parameters
    ----------
    name
        One of :func:`names`; an :class:`Activation` is returned unchanged
        (its parameters are fixed, so ``params`` cannot be given with it).
    **params
        ``negative_slope`` for ``"leaky_relu"`` (default 0.01, must be in
        [0, 1)), ``alpha`` for ``"elu"`` (default 1.0, > 0).

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones) or a parameter
        the activation does not take.
    """
    if isinstance(name, Activation):
        if params:
            raise ValueError(
                f"params {sorted(params)} cannot be applied to the Activation object {name!r}, "
                f"whose parameters are already fixed: pass its name instead, e.g. "
                f"get({name.name!r}, ...)"
            )
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
        return Activation(name, sigmoid, sigmoid_derivative, None, (0.0, 1.0))
    if name == "tanh":
        return Activation(name, tanh, tanh_derivative, None, (-1.0, 1.0))
    if name == "relu":
        return Activation(name, relu, relu_derivative, _step)  # a > 0 exactly when z > 0
    if name == "leaky_relu":
        slope = _check_slope(params.get("negative_slope", 0.01))
        return Activation(
            name,
            partial(leaky_relu, negative_slope=slope),
            partial(leaky_relu_derivative, negative_slope=slope),
            partial(_step, slope=slope),  # a > 0 exactly when z > 0 (slope >= 0)
        )
    if name == "elu":
        alpha = _check_alpha(params.get("alpha", 1.0))
        return Activation(name, partial(elu, alpha=alpha), partial(elu_derivative, alpha=alpha))
    if name == "gelu":
        return Activation(name, gelu, gelu_derivative)  # derivative_from_output None: uses z
    if name == "gelu_tanh":
        return Activation(name, gelu_tanh, gelu_tanh_derivative)
    return Activation(name, silu, silu_derivative)
