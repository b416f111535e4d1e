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
Newman, C. M. (1986). The distribution of Lyapunov exponents: exact results
for random matrices. *Communications in Mathematical Physics* 103, 121-126.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from . import plotting
from ._validation import check_array, check_choice, check_int, check_real, check_rng

__all__ = [
    "scalar_chain",
    "depth_to_reach",
    "log_product",
    "uniform_mean_log",
    "lyapunov_exponent",
    "log_norm_std",
    "critical_scale",
    "log_norms",
    "measured_growth_rate",
    "random_matrix_product",
    "lyapunov_spectrum",
    "product_log_singular_values",
    "plot_scalar_chains",
    "plot_random_scalar_chains",
    "plot_log_norm_histogram",
    "plot_product_spectrum",
    "product_spectrum",
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
    The formula gives the answer up to rounding; the answer is settled by
    computing ``|w|**L`` itself (in float64, as Python does), so an exact
    power is not yet crossed: ``depth_to_reach(10.0, 1000.0)`` is 4.

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
    # The ratio is rounded (ln 1000 / ln 10 is 2.9999999999999996): near an exact power the
    # formula may be one off either way, so step back while still crossed, on while not.
    while depth > 1 and _crossed(aw, depth - 1, target):
        depth -= 1
    while not _crossed(aw, depth, target):
        depth += 1
    return depth


def _crossed(aw: float, depth: int, target: float) -> bool:
    """Whether ``aw**depth``, computed in float64, is past ``target`` (away from 1)."""
    try:
        value = aw**depth
    except OverflowError:  # beyond float64's range, so past any finite target (aw > 1)
        return True
    return value < target if aw < 1 else value > target


def log_product(factors: np.ndarray) -> np.ndarray:
    """Running ``ln |prod|`` of sequences of scalar factors, without overflow.

    ``ln |w_1 w_2 ... w_l| = sum_{k<=l} ln |w_k|``: the product is governed by
    the mean of ``ln |w|`` (the log of the geometric mean), not by the mean
    of ``w``.

    Parameters
    ----------
    factors : array_like, shape (L,) or (n_draws, L)
        Non-zero, finite factors; each row is one chain.

    Returns
    -------
    numpy.ndarray of shape (L + 1,) or (n_draws, L + 1)
        ``[0, ln|w_1|, ln|w_1 w_2|, ...]`` for each chain.
    """
    f = check_array(factors, "factors", ndim=(1, 2))
    if np.any(f == 0):
        raise ValueError("factors must be non-zero (the log of 0 is -inf)")
    out = np.zeros(f.shape[:-1] + (f.shape[-1] + 1,))
    np.cumsum(np.log(np.abs(f)), axis=-1, out=out[..., 1:])
    return out


def uniform_mean_log(low: float, high: float) -> float:
    """``E[ln w]`` for ``w ~ U(low, high)`` with ``0 < low < high``.

    .. math:: E[\\ln w] = \\frac{[x \\ln x - x]_{low}^{high}}{high - low}

    By Jensen's inequality it is below ``ln E[w] = ln((low + high) / 2)``.
    """
    low = check_real(low, "low", minimum=0.0, strict_minimum=True)
    high = check_real(high, "high")
    if high <= low:
        raise ValueError(f"high must be > low = {low}, got {high}")

    def antiderivative(x: float) -> float:
        return x * math.log(x) - x

    return (antiderivative(high) - antiderivative(low)) / (high - low)


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


def measured_growth_rate(
    width: int,
    scale: float,
    depth: int,
    n_draws: int,
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
    method: str = "matrices",
) -> tuple[float, float]:
    """Growth rate per layer of ``ln ||x_L||``, measured by simulation.

    Runs :func:`log_norms` and returns the mean of ``ln ||x_L|| / L`` over the
    draws with its standard error, ``sd / sqrt(n_draws)``: the estimate of the
    Lyapunov exponent and how far off it may be.

    Returns
    -------
    (rate, stderr) : tuple of float
    """
    depth = check_int(depth, "depth", minimum=1)
    n_draws = check_int(n_draws, "n_draws", minimum=2)
    logs = log_norms(width, depth, scale, n_draws, rng=rng, seed=seed, method=method)
    rates = logs[:, -1] / depth
    return float(rates.mean()), float(rates.std(ddof=1) / math.sqrt(n_draws))


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
            f"depth={depth} is too deep: the product left float64's range; use a smaller depth"
        )
    return product


def lyapunov_spectrum(width: int, scale: float) -> np.ndarray:
    """All ``n`` Lyapunov exponents of products of Gaussian matrices.

    .. math:: \\lambda_i = \\ln \\sigma + \\tfrac12\\,[\\ln 2 + \\psi((n - i + 1)/2)],
              \\quad i = 1, \\dots, n

    The ``i``-th largest singular value of ``W_L ... W_1`` grows like
    ``exp(L lambda_i)`` for ``n x n`` matrices with i.i.d. ``N(0, scale^2)``
    entries (Newman, 1986). ``lambda_1`` is :func:`lyapunov_exponent`. The
    exponents are distinct, so a deep Gaussian product stretches some
    directions far more than others; an orthogonal product has every exponent
    equal to ``ln gain``.

    Parameters
    ----------
    width : int
        The matrix size ``n`` (>= 1).
    scale : float
        The standard deviation ``sigma`` of each entry (> 0).

    Returns
    -------
    numpy.ndarray of shape (width,)
        The exponents in decreasing order (nats per layer).
    """
    n = check_int(width, "width", minimum=1)
    s = check_real(scale, "scale", minimum=0.0, strict_minimum=True)
    dof = np.arange(n, 0, -1) / 2.0
    return math.log(s) + 0.5 * (math.log(2.0) + special.digamma(dof))


def product_log_singular_values(
    width: int,
    depth: int,
    gain: float = 1.0,
    *,
    kind: str = "gaussian",
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> np.ndarray:
    """Natural logs of the singular values of a product of ``depth`` random matrices.

    ``kind="gaussian"``: i.i.d. ``N(0, sigma^2)`` entries with ``sigma = gain / sqrt(n)``
    (``gain = 1`` keeps the mean square of a vector). ``kind="orthogonal"``: ``gain``
    times a Haar-random orthogonal matrix, whose singular values all equal ``gain``,
    so the product's are exactly ``gain**depth`` (Saxe et al., 2014). The product
    is formed plainly and its singular values computed by SVD.

    Parameters
    ----------
    width : int
        Matrix size ``n`` (>= 1).
    depth : int
        Number of factors ``L`` (>= 0).
    gain : float, default 1.0
        ``sigma sqrt(n)`` for Gaussian matrices, the common singular value for
        orthogonal ones (> 0).
    kind : {"gaussian", "orthogonal"}
    rng, seed
        A ``numpy.random.Generator``, or a seed to build one.

    Returns
    -------
    numpy.ndarray of shape (width,)
        ``ln s_1 >= ... >= ln s_n``.

    Raises
    ------
    ValueError
        If the singular values span more than float64 can resolve (smallest
        below ``1e-13`` times the largest): choose a smaller depth.
    """
    n = check_int(width, "width", minimum=1)
    depth = check_int(depth, "depth", minimum=0)
    g = check_real(gain, "gain", minimum=0.0, strict_minimum=True)
    kind = check_choice(kind, "kind", ("gaussian", "orthogonal"))
    rng = check_rng(rng, seed)
    if kind == "gaussian":
        product = random_matrix_product(n, depth, g / math.sqrt(n), rng=rng)
    else:
        product = np.eye(n)
        for _ in range(depth):
            q, r = np.linalg.qr(rng.standard_normal((n, n)))
            product = (g * q * np.where(np.diag(r) < 0, -1.0, 1.0)) @ product
    values = np.linalg.svd(product, compute_uv=False)
    if values[-1] < 1e-13 * values[0]:
        raise ValueError(
            f"depth={depth} is too deep: the singular values span more than float64 can "
            "resolve; use a smaller depth"
        )
    return np.log(values)


# -- figures ------------------------------------------------------------------


def plot_scalar_chains(weights: list[float], depth: int) -> plotting.FigureView:
    """Figure: ``|w|^l`` against ``l`` on a log scale, one line per weight.

    Each line (:func:`scalar_chain`) is labelled directly at its right end. Weights below 1
    are drawn in cool colours, above 1 in warm ones (Okabe-Ito, colour-blind safe), and
    ``|w| = 1`` as a black dashed line, so no two curves rely on hue alone.
    """
    depth = check_int(depth, "depth", minimum=1)
    if len(weights) == 0:
        raise ValueError("weights must hold at least one weight")
    weights = [check_real(w, "weights") for w in weights]
    if any(w == 0 for w in weights):
        raise ValueError("weights must be non-zero (|0|^l cannot be drawn on a log scale)")
    fig, ax = plotting.new_figure(plotting.FIGURE_WIDTH, 3.8)
    with plotting.style():  # legends and texts read the style when created
        layers = np.arange(depth + 1)
        falling = sorted({abs(w) for w in weights if abs(w) < 1})
        rising = sorted({abs(w) for w in weights if abs(w) > 1})
        cool, warm = ["blue", "sky", "green"], ["red", "purple", "orange"]
        colour = {}
        for i, aw in enumerate(falling):
            colour[aw] = plotting.COLORS[cool[i % len(cool)]]
        for i, aw in enumerate(rising):
            colour[aw] = plotting.COLORS[warm[i % len(warm)]]
        ends = []
        for w in weights:
            a = np.abs(scalar_chain(w, depth))
            if abs(w) == 1:
                ax.plot(layers, a, lw=2, color=plotting.COLORS["black"], ls="--")
                ends.append((a[-1], f"w = {w:g}", plotting.COLORS["black"]))
            else:
                ax.plot(layers, a, lw=2, color=colour[abs(w)])
                ends.append((a[-1], f"w = {w:g}", colour[abs(w)]))
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(plotting.log_tick_formatter())
        ax.set_xlabel("layer ℓ")
        ax.set_ylabel("|a| = |w|ˡ (log scale)")
        ax.set_xlim(0, depth)
        fig.canvas.draw()  # settle the limits and layout before placing the end labels
        plotting.label_line_ends(ax, ends)
    ends_text = ", ".join(f"{abs(w) ** depth:.1e} for w = {w:g}" for w in weights)
    alt = (
        f"Log-scale plot of |a_l| = |w|^l against layer l from 0 to {depth} for weights "
        f"{', '.join(f'{w:g}' for w in weights)}, each line labelled at its end. Each is a "
        f"straight line, of slope log10|w| decades per layer: weights below 1 fall, above 1 "
        f"rise, w = 1 stays flat. At depth {depth}: {ends_text}."
    )
    caption = (
        "Chains of identical weights on a log scale: every line is straight, because each "
        "layer multiplies by the same factor. Only $|w| = 1$ keeps the signal's size."
    )
    return plotting.show(fig, alt, caption=caption, label="fig-scalar-chains")


def plot_random_scalar_chains(
    low: float,
    high: float,
    depth: int,
    n_draws: int = 20,
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> plotting.FigureView:
    """Figure: chains of random weights ``w_l ~ U(low, high)`` and their trend.

    Each thin line is ``log10 |w_1 ... w_l|`` for one draw; the dashed line
    is the law-of-large-numbers trend ``l E[ln w] / ln 10``.
    """
    depth = check_int(depth, "depth", minimum=1)
    n_draws = check_int(n_draws, "n_draws", minimum=1)
    rng = check_rng(rng, seed)
    mean_log = uniform_mean_log(low, high)
    logs = log_product(rng.uniform(low, high, size=(n_draws, depth))) / math.log(10)
    layers = np.arange(depth + 1)
    fig, ax = plotting.new_figure(plotting.FIGURE_WIDTH, 3.6)
    with plotting.style():  # legends and texts read the style when created
        for row in logs:
            ax.plot(layers, row, color=plotting.COLORS["blue"], lw=0.8, alpha=0.5)
        ax.plot(
            layers,
            layers * mean_log / math.log(10),
            color=plotting.COLORS["red"],
            lw=2,
            ls="--",
            label="trend ℓ·E[ln w] / ln 10",
        )
        ax.axhline(0.0, color=plotting.COLORS["grey"], lw=1, label="no change")
        ax.set_xlabel("layer ℓ")
        ax.set_ylabel("log10 |product to layer ℓ|")
        ax.set_xlim(0, depth)
        ax.legend(loc="lower left")
    alt = (
        f"{n_draws} random paths of log10 of the product of {depth} weights drawn uniformly "
        f"from {low:g} to {high:g} (mean factor exactly {(low + high) / 2:g}). The paths "
        f"scatter around a dashed line sloping down at E[ln w] / ln 10 = "
        f"{mean_log / math.log(10):.4f} decades per layer (E[ln w] = {mean_log:.4f}), "
        f"and {float(np.mean(logs[:, -1] < 0)):.0%} of them end below 0: the product shrinks "
        f"although the mean factor is {(low + high) / 2:g}."
    )
    caption = (
        "Products of random factors whose mean is one. Each path wanders, but all follow the "
        "dashed trend set by the mean of $\\ln w$, which is negative."
    )
    return plotting.show(fig, alt, caption=caption, label="fig-random-scalar-chains")


def plot_log_norm_histogram(
    width: int,
    depth: int,
    scale: float,
    n_draws: int = 20000,
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> plotting.FigureView:
    """Figure: the distribution of ``ln ||x_L||`` over many random products.

    Marks ``ln ||x_0|| = 0`` (where a mean-square-preserving product is
    centred "on average") and the Lyapunov prediction ``L lambda`` (where the
    typical draw actually lands).
    """
    logs = log_norms(width, depth, scale, n_draws, rng=rng, seed=seed, method="chi2")[:, -1]
    lam = lyapunov_exponent(width, scale)
    fig, ax = plotting.new_figure(plotting.FIGURE_WIDTH, 3.6)
    with plotting.style():  # legends and texts read the style when created
        ax.hist(logs, bins=80, color=plotting.COLORS["sky"], alpha=0.8, density=True)
        ax.axvline(0.0, color=plotting.COLORS["black"], lw=1.5, label="no change, ln‖x‖ = 0")
        ax.axvline(
            depth * lam,
            color=plotting.COLORS["red"],
            lw=2,
            ls="--",
            label=f"prediction Lλ = {depth * lam:.2f}".replace("-", "−"),
        )
        ax.set_xlabel(f"ln ‖x‖ after L = {depth} layers (n = {width})")
        ax.set_ylabel("density")
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, borderaxespad=0.2)
    below = float(np.mean(logs < 0))
    alt = (
        f"Histogram of ln||x_L|| over {n_draws} random products of {depth} Gaussian "
        f"{width} x {width} matrices with entry variance {scale**2:.4g}. The bulk sits "
        f"around the Lyapunov prediction L*lambda = {depth * lam:.2f}, left of 0; "
        f"{below:.1%} of the draws end smaller than they started."
    )
    caption = (
        "Where random products end, in natural-log units. The bulk sits at the Lyapunov "
        "prediction $L\\lambda$, left of 0: most products shrink."
    )
    return plotting.show(fig, alt, caption=caption, label="fig-log-norm-histogram")


def product_spectrum(
    width: int,
    depths: tuple[int, ...] = (1, 3, 10),
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> dict[int | str, np.ndarray]:
    """The data of :func:`plot_product_spectrum`: log singular values of deep products.

    One Gaussian product at the mean-square scale (gain 1) per depth, drawn in the order of
    ``depths``, then one orthogonal product of the deepest depth, all from the same
    generator: ``{depth: ln s (descending), ..., "orthogonal": ln s}``
    (:func:`product_log_singular_values`).

    Parameters
    ----------
    width : int
        Matrix size ``n`` (>= 2).
    depths : tuple of int
        The depths, each >= 1.
    rng, seed
        A ``numpy.random.Generator``, or a seed to build one.
    """
    n = check_int(width, "width", minimum=2)
    if not isinstance(depths, (tuple, list)) or len(depths) == 0:
        raise ValueError("depths must hold at least one depth")
    depths = tuple(check_int(d, "depths", minimum=1) for d in depths)
    rng = check_rng(rng, seed)
    out: dict[int | str, np.ndarray] = {
        depth: product_log_singular_values(n, depth, 1.0, rng=rng) for depth in depths
    }
    out["orthogonal"] = product_log_singular_values(n, depths[-1], 1.0, kind="orthogonal", rng=rng)
    return out


def plot_product_spectrum(
    width: int,
    depths: tuple[int, ...] = (1, 3, 10),
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> plotting.FigureView:
    """Figure: every singular value of a deep product, Gaussian against orthogonal.

    For each depth ``L``, the sorted ``log10`` singular values of one product of
    ``L`` Gaussian ``n x n`` matrices at the mean-square scale ``sigma = 1/sqrt(n)``
    (solid), with the asymptotic prediction ``L lambda_i / ln 10`` of
    :func:`lyapunov_spectrum` for the deepest (dashed); and those of a product of
    orthogonal matrices, which are all exactly 1 (``log10 = 0``) at every depth.
    """
    data = product_spectrum(width, depths, rng=rng, seed=seed)
    depths = tuple(d for d in data if d != "orthogonal")
    n = len(data["orthogonal"])
    index = np.arange(1, n + 1)
    ln10 = math.log(10)
    fig, ax = plotting.new_figure(plotting.FIGURE_WIDTH, 4.2)
    shades = [plotting.COLORS["sky"], plotting.COLORS["blue"], plotting.COLORS["black"]]
    spreads = []
    with plotting.style():  # legends and texts read the style when created
        for k, depth in enumerate(depths):
            logs = data[depth] / ln10
            spreads.append(logs[0] - logs[-1])
            colour = shades[k] if len(depths) <= 3 else plotting.COLORS["blue"]
            ax.plot(index, logs, "o-", ms=3, lw=1.5, color=colour, label=f"Gaussian, L = {depth}")
        deepest = depths[-1]
        predicted = deepest * lyapunov_spectrum(n, 1 / math.sqrt(n)) / ln10
        ax.plot(
            index,
            predicted,
            ls="--",
            lw=2,
            color=plotting.COLORS["red"],
            label=f"prediction Lλᵢ / ln 10, L = {deepest}",
        )
        ortho = data["orthogonal"] / ln10
        ax.plot(
            index,
            ortho,
            "s-",
            ms=3,
            lw=2,
            color=plotting.COLORS["orange"],
            label="orthogonal, every L",
        )
        ax.set_xlabel(f"index i of the singular value (of {n})")
        ax.set_ylabel("log₁₀ sᵢ of the product")
        ax.set_xlim(0.5, n + 0.5)
        ax.legend(loc="lower left")
    alt = (
        f"Sorted log10 singular values of products of {n} x {n} random matrices at the "
        f"mean-square scale. For Gaussian matrices they spread out with depth: "
        + ", ".join(f"{s:.1f} decades at L = {d}" for d, s in zip(depths, spreads, strict=True))
        + f"; at L = {deepest} the smallest lie close to the dashed asymptotic prediction "
        "L*lambda_i/ln 10, the largest still above it. For orthogonal "
        "matrices every singular value is exactly 1 (log10 = 0) at every depth."
    )
    caption = (
        "Every singular value of a deep product. Gaussian layers at the mean-square scale "
        "stretch a few directions and crush the rest, more so with each layer; orthogonal "
        "layers keep every singular value at exactly one."
    )
    return plotting.show(fig, alt, caption, label="fig-product-spectrum")
