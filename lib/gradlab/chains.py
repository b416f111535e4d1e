"""Products of many factors: scalar chains and products of random matrices.

Chapter 1 of the course. A deep *linear* network multiplies its input by one
weight (or one matrix) per layer, and backpropagation multiplies the gradient
by the same factors in reverse order. So the size of both signals after ``L``
layers is a product of ``L`` factors, and products grow or shrink
exponentially in ``L``.

For the scalar chain ``a_l = w a_{l-1}`` the product is exactly ``w**L``.
For ``n x n`` matrices with i.i.d. ``N(0, sigma^2)`` entries the growth rate of
``log ||W_L ... W_1 x||`` per layer converges to the *top Lyapunov exponent*

.. math::

    \\lambda(n, \\sigma) = \\ln \\sigma + \\tfrac12 \\left[\\ln 2 + \\psi(n/2)\\right],

where :math:`\\psi` is the digamma function (Cohen and Newman, 1984). The
formula is exact at every width because a Gaussian matrix is rotation
invariant: for any unit vector ``u``, ``||W u||^2 / sigma^2`` is chi-square
with ``n`` degrees of freedom, independently of ``u`` and of the layers
before, so ``log ||x_L||`` is a sum of ``L`` independent terms with mean
``lambda`` and variance ``psi'(n/2) / 4`` (``psi'`` the trigamma function).

References
----------
Cohen, J. E., Newman, C. M. (1984). The stability of large random matrices
and their products. *The Annals of Probability* 12(2), 283-310.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ._validation import check_array, check_choice, check_int, check_real, check_rng

__all__ = [
    "scalar_chain",
    "depth_to_reach",
    "log_product",
    "lyapunov_exponent",
    "log_norm_std",
    "critical_scale",
    "log_norms",
    "random_matrix_product",
]


def scalar_chain(w: float, depth: int, a0: float = 1.0) -> np.ndarray:
    """Activations of a chain of identical scalar weights.

    Layer ``l`` computes ``a_l = w * a_{l-1}``, so ``a_l = w**l * a0``.

    Parameters
    ----------
    w : float
        The weight every layer multiplies by.
    depth : int
        Number of layers ``L`` (>= 0).
    a0 : float, default 1.0
        The input ``a_0``.

    Returns
    -------
    numpy.ndarray of shape (depth + 1,)
        ``[a_0, a_1, ..., a_L]``. Entries that leave float64's range become
        ``0`` or ``inf`` (no warning), as they would in a real network.

    Examples
    --------
    >>> scalar_chain(0.5, 3)
    array([1.   , 0.5  , 0.25 , 0.125])
    """
    w = check_real(w, "w")
    depth = check_int(depth, "depth", minimum=0)
    a0 = check_real(a0, "a0")
    with np.errstate(over="ignore", under="ignore"):
        return a0 * np.power(w, np.arange(depth + 1, dtype=np.float64))


def depth_to_reach(w: float, target: float) -> int:
    """Smallest depth ``L`` at which ``|w|**L`` has crossed ``target``.

    For ``|w| < 1`` and ``0 < target < 1`` this is the smallest ``L`` with
    ``|w|**L < target``, i.e. ``L = floor(ln(target) / ln|w|) + 1``; for
    ``|w| > 1`` and ``target > 1`` the smallest ``L`` with ``|w|**L > target``.

    Parameters
    ----------
    w : float
        The weight; ``|w|`` must not be 0 or 1 (the chain never crosses).
    target : float
        A positive threshold on the same side of 1 as the chain is heading.

    Returns
    -------
    int
    """
    w = check_real(w, "w")
    target = check_real(target, "target", minimum=0.0, strict_minimum=True)
    aw = abs(w)
    if aw == 0.0 or aw == 1.0:
        raise ValueError(f"w must satisfy |w| != 0 and |w| != 1, got {w}")
    if (aw < 1) != (target < 1) or target == 1.0:
        raise ValueError(
            f"target must be on the side of 1 the chain heads to (|w| = {aw}), got {target}"
        )
    ratio = math.log(target) / math.log(aw)  # > 0
    depth = math.floor(ratio) + 1
    # Guard against rounding at an exact power: step back while still crossed.
    while depth > 1 and _crossed(aw, depth - 1, target):
        depth -= 1
    return depth


def _crossed(aw: float, depth: int, target: float) -> bool:
    value = depth * math.log(aw)
    return value < math.log(target) if aw < 1 else value > math.log(target)


def log_product(factors: np.ndarray) -> np.ndarray:
    """Running ``ln |prod|`` of a sequence of scalar factors, without overflow.

    ``ln |w_1 w_2 ... w_l| = sum_{k<=l} ln |w_k|``: the product is governed by
    the mean of ``ln |w|`` (the log of the geometric mean), not by the mean
    of ``w``.

    Parameters
    ----------
    factors : array_like, shape (L,)
        Non-zero, finite factors.

    Returns
    -------
    numpy.ndarray of shape (L + 1,)
        ``[0, ln|w_1|, ln|w_1 w_2|, ...]``.
    """
    f = check_array(factors, "factors", ndim=1)
    if np.any(f == 0):
        raise ValueError("factors must be non-zero (the log of 0 is -inf)")
    return np.concatenate([[0.0], np.cumsum(np.log(np.abs(f)))])


def lyapunov_exponent(width: int, scale: float) -> float:
    """Top Lyapunov exponent of products of Gaussian matrices.

    .. math:: \\lambda = \\ln \\sigma + \\tfrac12\\,[\\ln 2 + \\psi(n/2)]

    The almost-sure limit of ``ln ||W_L ... W_1 x|| / L`` for ``n x n``
    matrices with i.i.d. ``N(0, scale^2)`` entries (Cohen and Newman, 1984).
    It uses ``E[ln chi^2_n] = ln 2 + psi(n/2)``.

    Parameters
    ----------
    width : int
        The matrix size ``n`` (>= 1).
    scale : float
        The standard deviation ``sigma`` of each entry (> 0).

    Returns
    -------
    float
        Growth rate of the log-norm per layer (nats per layer).
    """
    n = check_int(width, "width", minimum=1)
    s = check_real(scale, "scale", minimum=0.0, strict_minimum=True)
    return math.log(s) + 0.5 * (math.log(2.0) + float(special.digamma(n / 2)))


def log_norm_std(width: int, depth: int) -> float:
    """Standard deviation of ``ln ||W_L ... W_1 x||`` for Gaussian matrices.

    .. math:: \\operatorname{sd} = \\tfrac12 \\sqrt{L\\, \\psi'(n/2)}

    The log-norm is a sum of ``L`` independent terms ``(1/2) ln(sigma^2 chi^2_n)``,
    each with variance ``psi'(n/2) / 4`` (``psi'`` the trigamma function). It
    does not depend on ``sigma``.

    Parameters
    ----------
    width : int
        The matrix size ``n`` (>= 1).
    depth : int
        The number of factors ``L`` (>= 0).
    """
    n = check_int(width, "width", minimum=1)
    depth = check_int(depth, "depth", minimum=0)
    return 0.5 * math.sqrt(depth * float(special.polygamma(1, n / 2)))


def critical_scale(width: int) -> float:
    """Entry scale ``sigma*`` at which the top Lyapunov exponent is zero.

    .. math:: \\sigma^* = \\exp\\left(-\\tfrac12\\,[\\ln 2 + \\psi(n/2)]\\right)

    Below it products shrink, above it they grow, exponentially in depth.
    ``sigma* sqrt(n)`` is a little above 1 and tends to 1 as ``n`` grows: the
    scale that matters is ``1/sqrt(n)``, set by the width.

    Parameters
    ----------
    width : int
        The matrix size ``n`` (>= 1).
    """
    n = check_int(width, "width", minimum=1)
    return math.exp(-0.5 * (math.log(2.0) + float(special.digamma(n / 2))))


def log_norms(
    width: int,
    depth: int,
    scale: float,
    n_draws: int = 1,
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
    method: str = "matrices",
) -> np.ndarray:
    """``ln ||x_l||`` along products of random Gaussian matrices.

    Starts from a unit vector ``x_0 = e_1`` and applies ``x_l = W_l x_{l-1}``
    with fresh ``n x n`` matrices of i.i.d. ``N(0, scale^2)`` entries. The
    vector is renormalised after every layer and the log of each norm
    accumulated, so no depth overflows.

    Parameters
    ----------
    width : int
        Matrix size ``n`` (>= 1).
    depth : int
        Number of layers ``L`` (>= 0).
    scale : float
        Entry standard deviation ``sigma`` (> 0).
    n_draws : int, default 1
        Independent products to simulate.
    rng, seed
        A ``numpy.random.Generator``, or a seed to build one.
    method : {"matrices", "chi2"}, default "matrices"
        ``"matrices"`` multiplies real random matrices (cost ``L n^2`` per
        draw). ``"chi2"`` draws each layer's norm ratio ``sigma * sqrt(chi^2_n)``
        directly: the same distribution, exactly, by rotation invariance, at
        cost ``L`` per draw (used by the live explorer).

    Returns
    -------
    numpy.ndarray of shape (n_draws, depth + 1)
        Row ``d`` is ``[ln||x_0||, ..., ln||x_L||]`` of draw ``d`` (starting at 0).
    """
    n = check_int(width, "width", minimum=1)
    depth = check_int(depth, "depth", minimum=0)
    s = check_real(scale, "scale", minimum=0.0, strict_minimum=True)
    n_draws = check_int(n_draws, "n_draws", minimum=1)
    method = check_choice(method, "method", ("matrices", "chi2"))
    rng = check_rng(rng, seed)
    steps = np.empty((n_draws, depth))
    if method == "chi2":
        steps[:] = math.log(s) + 0.5 * np.log(rng.chisquare(n, size=(n_draws, depth)))
    else:
        x = np.zeros((n_draws, n))
        x[:, 0] = 1.0
        for layer in range(depth):
            w = rng.standard_normal((n_draws, n, n))
            x = s * np.einsum("dij,dj->di", w, x)
            norms = np.linalg.norm(x, axis=1)
            steps[:, layer] = np.log(norms)
            x /= norms[:, None]
    out = np.zeros((n_draws, depth + 1))
    np.cumsum(steps, axis=1, out=out[:, 1:])
    return out


def random_matrix_product(
    width: int,
    depth: int,
    scale: float = 1.0,
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> np.ndarray:
    """The product ``W_L ... W_1`` of Gaussian matrices, computed plainly.

    No renormalisation: this is what a deep linear network's end-to-end map
    really is, entries and all.

    Parameters
    ----------
    width : int
        Matrix size ``n`` (>= 1).
    depth : int
        Number of factors ``L`` (>= 0; ``L = 0`` gives the identity).
    scale : float, default 1.0
        Entry standard deviation ``sigma`` (> 0).
    rng, seed
        A ``numpy.random.Generator``, or a seed to build one.

    Returns
    -------
    numpy.ndarray of shape (width, width)

    Raises
    ------
    ValueError
        If the product leaves float64's range (choose a smaller depth).
    """
    n = check_int(width, "width", minimum=1)
    depth = check_int(depth, "depth", minimum=0)
    s = check_real(scale, "scale", minimum=0.0, strict_minimum=True)
    rng = check_rng(rng, seed)
    product = np.eye(n)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for _ in range(depth):
            product = (s * rng.standard_normal((n, n))) @ product
    if not np.all(np.isfinite(product)):
        raise ValueError(
            f"the product of depth={depth} matrices left float64's range; use a smaller depth"
        )
    return product
