"""Backpropagation as a chain of derivatives: a network small enough to hold in your head,
the per-layer gradient norms of a deep one, and what the backward pass costs.

Chapter 2 of the course.

**The tiny network.** One input ``x``, two weights, two sigmoid units and a
squared-error cost::

    z1 = w1 x,   a1 = sigma(z1),   z2 = w2 a1,   y_hat = sigma(z2),   J = (y_hat - y)^2 / 2

By the chain rule each derivative of ``J`` is a product of local factors, one
per arrow on the path from the weight to the cost:

.. math::

    \\frac{\\partial J}{\\partial w_2} = (\\hat y - y)\\,\\sigma'(z_2)\\,a_1, \\qquad
    \\frac{\\partial J}{\\partial w_1} = (\\hat y - y)\\,\\sigma'(z_2)\\,w_2\\,\\sigma'(z_1)\\,x,

with ``sigma'(z) = sigma(z) (1 - sigma(z)) <= 1/4``. The gradient for ``w1``
carries every factor of ``w2``'s and two more, ``w2 sigma'(z1)``: one weight and
one activation derivative per extra layer.

**The deep network.** In vector form, layer ``l`` computes
``z_l = W_l a_{l-1}``, ``a_l = phi(z_l)``, and the gradient reaching the input
of layer ``l`` is the gradient at the top multiplied by one Jacobian per layer
above it, ``W_k^T diag(phi'(z_{k-1}))``. Without ``phi'`` (a linear network)
that is exactly the random matrix product of Chapter 1, which grows or shrinks
at the Lyapunov rate ``lambda(n, sigma)`` per layer;
:func:`gradient_norms_at_init` measures the norms layer by layer.

References
----------
Rumelhart, D. E., Hinton, G. E., Williams, R. J. (1986). Learning representations
by back-propagating errors. *Nature* 323, 533-536.
Goodfellow, I., Bengio, Y., Courville, A. (2016). *Deep Learning*, MIT Press,
section 6.5 (back-propagation) and 8.2.5 (long-term dependencies).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from . import activations, chains, plotting
from ._validation import check_choice, check_int, check_real, check_rng
from .network import MLP

__all__ = [
    "TinyChain",
    "tiny_cost",
    "tiny_chain",
    "GradientNorms",
    "ProbeNetworks",
    "gradient_norms_at_init",
    "linear_prediction",
    "flop_counts",
    "time_passes",
    "plot_sigmoid_tanh_derivatives",
    "plot_gradient_norms",
]


def _sigmoid(z: float) -> float:
    return float(activations.sigmoid(z))


def _sigmoid_prime(z: float) -> float:
    return float(activations.sigmoid_derivative(z))


def _check_tiny(x: object, y: object, w1: object, w2: object) -> tuple[float, ...]:
    return tuple(check_real(v, name) for v, name in ((x, "x"), (y, "y"), (w1, "w1"), (w2, "w2")))


def tiny_cost(x: float, y: float, w1: float, w2: float) -> float:
    """The cost ``J = (sigma(w2 sigma(w1 x)) - y)^2 / 2`` of the tiny network.

    Parameters
    ----------
    x, y : float
        The input and the target.
    w1, w2 : float
        The two weights.
    """
    x, y, w1, w2 = _check_tiny(x, y, w1, w2)
    y_hat = _sigmoid(w2 * _sigmoid(w1 * x))
    return 0.5 * (y_hat - y) ** 2


@dataclass(frozen=True)
class TinyChain:
    """Every value of the tiny network's forward pass and every factor of its gradient.

    Attributes
    ----------
    x, y, w1, w2 : float
        Input, target and weights.
    z1, a1, z2, y_hat, cost : float
        The forward pass.
    factors : dict[str, float]
        The local derivatives, keyed by their symbol: ``dJ/dy_hat = y_hat - y``,
        ``dy_hat/dz2 = sigma'(z2)``, ``dz2/dw2 = a1``, ``dz2/da1 = w2``,
        ``da1/dz1 = sigma'(z1)``, ``dz1/dw1 = x``.
    grad_w2, grad_w1 : float
        ``dJ/dw2`` and ``dJ/dw1``, the products of those factors.
    """

    x: float
    y: float
    w1: float
    w2: float
    z1: float
    a1: float
    z2: float
    y_hat: float
    cost: float
    factors: dict[str, float]
    grad_w2: float
    grad_w1: float

    #: The factors of each gradient, from the cost down to the weight.
    PATH_W2 = ("dJ/dy_hat", "dy_hat/dz2", "dz2/dw2")
    PATH_W1 = ("dJ/dy_hat", "dy_hat/dz2", "dz2/da1", "da1/dz1", "dz1/dw1")

    def table(self) -> str:
        """The factors as a text table: symbol, formula, value, and which gradients use it."""
        formulas = {
            "dJ/dy_hat": "y_hat - y",
            "dy_hat/dz2": "sigma'(z2)",
            "dz2/dw2": "a1",
            "dz2/da1": "w2",
            "da1/dz1": "sigma'(z1)",
            "dz1/dw1": "x",
        }
        lines = [f"{'factor':<11} {'formula':<11} {'value':>10}   in dJ/dw2  in dJ/dw1"]
        for key, value in self.factors.items():
            in2 = "yes" if key in self.PATH_W2 else ""
            in1 = "yes" if key in self.PATH_W1 else ""
            lines.append(f"{key:<11} {formulas[key]:<11} {value:>10.5f}   {in2:^9}  {in1:^9}")
        return "\n".join(lines)


def tiny_chain(x: float, y: float, w1: float, w2: float) -> TinyChain:
    """Forward pass, local derivatives and chain-rule gradients of the tiny network.

    .. math::

        \\frac{\\partial J}{\\partial w_2} = (\\hat y - y)\\,\\sigma'(z_2)\\,a_1, \\qquad
        \\frac{\\partial J}{\\partial w_1} = (\\hat y - y)\\,\\sigma'(z_2)\\,w_2\\,\\sigma'(z_1)\\,x

    Parameters
    ----------
    x, y : float
        The input and the target.
    w1, w2 : float
        The two weights.
    """
    x, y, w1, w2 = _check_tiny(x, y, w1, w2)
    z1 = w1 * x
    a1 = _sigmoid(z1)
    z2 = w2 * a1
    y_hat = _sigmoid(z2)
    factors = {
        "dJ/dy_hat": y_hat - y,
        "dy_hat/dz2": _sigmoid_prime(z2),
        "dz2/dw2": a1,
        "dz2/da1": w2,
        "da1/dz1": _sigmoid_prime(z1),
        "dz1/dw1": x,
    }
    grad_w2 = math.prod(factors[k] for k in TinyChain.PATH_W2)
    grad_w1 = math.prod(factors[k] for k in TinyChain.PATH_W1)
    return TinyChain(
        x, y, w1, w2, z1, a1, z2, y_hat, 0.5 * (y_hat - y) ** 2, factors, grad_w2, grad_w1
    )


@dataclass(frozen=True)
class GradientNorms:
    """Per-layer gradient norms of a deep network at initialization (first layer first).

    Attributes
    ----------
    activation, depth, width, gain
        The network: ``depth`` layers of ``width x width`` weights with
        i.i.d. ``N(0, gain^2 / width)`` entries, activation ``phi`` between them
        and a linear last layer.
    backward : numpy.ndarray, shape (depth,)
        ``||dJ/da_{l-1}||``, the norm of the gradient reaching the input of
        layer ``l`` (Frobenius over the batch), for ``l = 1..depth``.
    weight : numpy.ndarray, shape (depth,)
        ``||dJ/dW_l||``, the norm of each weight matrix's gradient.
    """

    activation: str
    depth: int
    width: int
    gain: float
    backward: np.ndarray
    weight: np.ndarray

    @property
    def decades_lost(self) -> float:
        """``log10(||dJ/da_0|| / ||dJ/da_{L-1}||)``: orders of magnitude from the top to the input.

        Negative when the gradient vanishes on its way down, positive when it explodes.
        """
        return float(np.log10(self.backward[0] / self.backward[-1]))

    @property
    def weight_decades(self) -> float:
        """``log10(||dJ/dW_1|| / ||dJ/dW_L||)``: the first weight gradient against the last."""
        return float(np.log10(self.weight[0] / self.weight[-1]))


def gradient_norms_at_init(
    activation: str,
    depth: int,
    width: int = 64,
    gain: float = 1.0,
    *,
    batch: int = 16,
    cost: str = "probe",
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> GradientNorms:
    """Per-layer gradient norms of a deep MLP at initialization, on one random batch.

    The network has ``depth`` layers of width ``width``, weights with i.i.d.
    ``N(0, gain^2 / width)`` entries (``gain = 1`` keeps the mean square of a
    linear layer's output; Chapter 4 chooses it per activation), zero biases, the
    activation after every layer but the last, and the mean-squared-error cost
    against random targets. The inputs and targets are standard normal. The
    backward pass is :meth:`gradlab.network.MLP.loss_and_gradients`.

    Parameters
    ----------
    activation : str
        A name from :func:`gradlab.activations.names` (``"identity"`` for a
        linear network).
    depth : int
        Number of layers ``L`` (>= 1).
    width : int, default 64
        Units per layer (>= 1).
    gain : float, default 1.0
        ``sigma sqrt(width)`` (> 0).
    batch : int, default 16
        Examples in the batch (>= 1).
    cost : {"probe", "mse"}
    rng, seed
        A ``numpy.random.Generator``, or a seed to build one.
    """
    activation = check_choice(activation, "activation", activations.names())
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    gain = check_real(gain, "gain", minimum=0.0, strict_minimum=True)
    batch = check_int(batch, "batch", minimum=1)
    cost = check_choice(cost, "cost", ("probe", "mse"))
    rng = check_rng(rng, seed)
    X, r, units = _probe_draws(rng, batch, width, depth)
    return _probe_norms(activation, units, X, r, gain, cost)


def _probe_draws(
    rng: np.random.Generator, batch: int, width: int, depth: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The draws of :func:`gradient_norms_at_init`, in order: batch, probe, a matrix per layer.

    The batch comes first, so the first ``L`` matrices are the same whatever the depth: a
    shallower network's draws are a prefix of a deeper one's.
    """
    X = rng.standard_normal((batch, width))
    r = rng.standard_normal((batch, width))
    units = rng.standard_normal((depth, width, width))
    return X, r, units


class ProbeNetworks:
    """:func:`gradient_norms_at_init` for many settings, fast: drawn once, networks reused.

    Draws as ``gradient_norms_at_init(seed=seed)`` does for the deepest setting; a network of
    depth ``L`` uses the first ``L`` matrices, so every measurement equals that function's
    (probe cost) exactly. One :class:`~gradlab.network.MLP` per (activation, depth) is kept and
    its weights overwritten for each gain, so an explorer's redraw allocates nothing.

    Parameters
    ----------
    width : int
        Units per layer (>= 1).
    max_depth : int
        The deepest network that will be asked for (>= 1).
    batch : int, default 16
        Examples in the batch (>= 1), as in :func:`gradient_norms_at_init`.
    seed : int, default 0
        The seed of the draws.
    """

    def __init__(self, width: int, max_depth: int, *, batch: int = 16, seed: int = 0) -> None:
        self.width = check_int(width, "width", minimum=1)
        self.max_depth = check_int(max_depth, "max_depth", minimum=1)
        batch = check_int(batch, "batch", minimum=1)
        self.seed = check_int(seed, "seed", minimum=0)
        rng = np.random.default_rng(self.seed)
        self.X, self.r, self._units = _probe_draws(rng, batch, self.width, self.max_depth)
        self._nets: dict[tuple[str, int], MLP] = {}

    def measure(self, activation: str, depth: int, gain: float) -> tuple[GradientNorms, MLP]:
        """The gradient norms at these settings, and the network (its forward pass cached)."""
        activation = check_choice(activation, "activation", activations.names())
        depth = check_int(depth, "depth", minimum=1, maximum=self.max_depth)
        gain = check_real(gain, "gain", minimum=0.0, strict_minimum=True)
        units = self._units[:depth]
        if (activation, depth) not in self._nets:
            zeros = [np.zeros(self.width)] * depth
            self._nets[activation, depth] = MLP.from_arrays(list(units), zeros, activation)
        net = self._nets[activation, depth]
        return _probe_norms(activation, units, self.X, self.r, gain, "probe", net), net


def _probe_norms(
    activation: str,
    units: np.ndarray,
    X: np.ndarray,
    r: np.ndarray,
    gain: float,
    cost: str,
    net: MLP | None = None,
) -> GradientNorms:
    """:func:`gradient_norms_at_init` on given draws: ``W_l = gain / sqrt(n) * units[l]``.

    ``net``, an MLP of this activation and shape, is reused (its weights overwritten)
    instead of building a new one: an explorer's redraw saves the allocations.
    """
    depth, width = units.shape[0], units.shape[1]
    sigma = gain / math.sqrt(width)
    if net is None:
        net = MLP.from_arrays(list(sigma * units), [np.zeros(width)] * depth, activation)
    else:
        for W, unit in zip(net.weights, units, strict=True):
            np.multiply(unit, sigma, out=W)
    if cost == "probe":
        grads = net.backward(X, r / X.shape[0])
    else:
        grads = net.loss_and_gradients(X, r)
    backward = np.array([np.linalg.norm(g) for g in grads.activation_grads])
    weight = np.array([np.linalg.norm(g) for g in grads.weight_grads])
    return GradientNorms(activation, depth, width, gain, backward, weight)


def linear_prediction(norms: GradientNorms) -> np.ndarray:
    """Chapter 1's prediction of ``log10 ||dJ/da_{l-1}||`` for a *linear* network.

    Going down from layer ``L`` to layer ``l`` multiplies the gradient by
    ``L - l`` transposed Gaussian matrices, so its log-norm changes by
    ``(L - l) lambda(n, sigma)`` on average, with ``lambda`` the top Lyapunov
    exponent (:func:`gradlab.chains.lyapunov_exponent`):

    .. math:: \\log_{10}\\|g_l\\| \\approx \\log_{10}\\|g_L\\| + (L - l)\\,\\lambda / \\ln 10

    Parameters
    ----------
    norms : GradientNorms
        A measurement whose top-layer value anchors the line.

    Returns
    -------
    numpy.ndarray, shape (depth,)
        The predicted ``log10`` norms for ``l = 1..depth``.
    """
    if not isinstance(norms, GradientNorms):
        raise TypeError(f"norms must be a GradientNorms, got {type(norms).__name__}")
    lam = chains.lyapunov_exponent(norms.width, norms.gain / math.sqrt(norms.width))
    layers = np.arange(1, norms.depth + 1)
    return np.log10(norms.backward[-1]) + (norms.depth - layers) * lam / math.log(10)


def flop_counts(sizes: list[int], batch: int) -> tuple[int, int]:
    """Floating-point operations of the matrix products in one forward and one backward pass.

    A product of a ``(batch, m)`` and an ``(m, n)`` matrix costs ``2 batch m n``
    operations (a multiply and an add per term). The forward pass does one per
    layer, ``z_l = a_{l-1} W_l``; the backward pass two, ``dW_l = a_{l-1}^T delta_l``
    and ``dJ/da_{l-1} = delta_l W_l^T``, each of the same size. So the backward
    pass costs twice the forward pass's matrix products (element-wise work, a
    small extra, is not counted).

    Parameters
    ----------
    sizes : list of int
        Layer widths from input to output.
    batch : int
        Examples per batch (>= 1).

    Returns
    -------
    (forward, backward) : tuple of int
    """
    if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
        raise TypeError("sizes must be a list of at least two layer widths")
    sizes = [check_int(s, "sizes", minimum=1) for s in sizes]
    batch = check_int(batch, "batch", minimum=1)
    forward = sum(2 * batch * m * n for m, n in zip(sizes[:-1], sizes[1:], strict=True))
    return forward, 2 * forward


def time_passes(
    sizes: list[int],
    batch: int,
    *,
    repeats: int = 21,
    activation: str = "tanh",
    seed: int = 0,
) -> tuple[float, float]:
    """Median wall-clock time of a forward pass and of a backward pass of an MLP.

    The backward time is that of :meth:`MLP.loss_and_gradients` (forward, loss and
    backward) minus the forward time. Times vary from run to run and machine to
    machine; their *ratio* is what to read.

    Parameters
    ----------
    sizes : list of int
        Layer widths from input to output.
    batch : int
        Examples per batch (>= 1).
    repeats : int, default 21
        Timed repetitions (>= 3); the median of each is returned.
    activation : str, default "tanh"
    seed : int, default 0

    Returns
    -------
    (forward_seconds, backward_seconds) : tuple of float
    """
    flop_counts(sizes, batch)  # validates sizes and batch
    repeats = check_int(repeats, "repeats", minimum=3)
    net = MLP(list(sizes), activation, "xavier_normal", seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, sizes[0]))
    y = rng.standard_normal((batch, sizes[-1]))
    out = net.loss_and_gradients(X, y)  # warm up, and allocate the buffers
    forward, both = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        net.forward(X)
        t1 = time.perf_counter()
        net.loss_and_gradients(X, y, out=out)
        t2 = time.perf_counter()
        forward.append(t1 - t0)
        both.append(t2 - t1)
    f, b = float(np.median(forward)), float(np.median(both))
    return f, max(b - f, 0.0)


# -- figures ------------------------------------------------------------------


def plot_sigmoid_tanh_derivatives(z_mark: float = 5.0) -> plotting.FigureView:
    """Figure: sigmoid and tanh (left) and their derivatives on a log scale (right).

    Marks ``sigma'(0) = 1/4``, ``tanh'(0) = 1`` and both derivatives at ``z_mark``.
    """
    z_mark = check_real(z_mark, "z_mark", minimum=0.5, maximum=15.0)
    reach = max(8.0, math.ceil(z_mark))  # the curves run out to the mark
    z = np.linspace(-reach, reach, 801)
    sig, dsig = activations.sigmoid(z), activations.sigmoid_derivative(z)
    th, dth = activations.tanh(z), activations.tanh_derivative(z)
    ds_mark = float(activations.sigmoid_derivative(z_mark))
    dt_mark = float(activations.tanh_derivative(z_mark))
    fig, (left, right) = plotting.new_figure(plotting.FIGURE_WIDTH, 3.6, ncols=2)
    blue, orange = plotting.COLORS["blue"], plotting.COLORS["orange"]
    with plotting.style():  # legends and texts read the style when created
        left.plot(z, sig, color=blue, lw=2, label="σ(z)")
        left.plot(z, th, color=orange, lw=2, ls="--", label="tanh z")
        left.set_xlabel("z")
        left.set_title("activation")
        left.set_yticks([-1, 0, 1])
        left.legend(loc="upper left")
        right.semilogy(z, dsig, color=blue, lw=2, label="σ′(z)")
        right.semilogy(z, dth, color=orange, lw=2, ls="--", label="tanh′(z)")
        right.plot([0, z_mark], [0.25, ds_mark], "o", color=blue, ms=5)
        right.plot([0, z_mark], [1.0, dt_mark], "s", color=orange, ms=5)
        right.annotate(
            f"{ds_mark:.2g}",
            (z_mark, ds_mark),
            xytext=(-4, -14),
            textcoords="offset points",
            ha="right",
            color=blue,
        )
        right.annotate(
            f"{dt_mark:.2g}",
            (z_mark, dt_mark),
            xytext=(-4, -14),
            textcoords="offset points",
            ha="right",
            color=orange,
        )
        bottom = min(1e-7, dt_mark / 100)  # two decades below the lower mark, for its label
        right.set_ylim(bottom, 3)
        right.set_yticks([10.0**k for k in range(2 * math.ceil(math.log10(bottom) / 2), 1, 2)])
        right.yaxis.set_major_formatter(plotting.log_tick_formatter())
        right.minorticks_off()
        right.set_xlabel("z")
        right.set_title("derivative (log scale)")
        right.legend(loc="lower center")
    alt = (
        f"Left: the sigmoid rises from 0 to 1 and tanh from -1 to 1, both flat for large |z|. "
        f"Right, on a log scale: the sigmoid's derivative peaks at 0.25 at z = 0 and tanh's at 1; "
        f"at z = {z_mark:g} they have fallen to {ds_mark:.2g} and {dt_mark:.2g}, and both fall "
        "exponentially further out."
    )
    caption = (
        r"The sigmoid and tanh, and their derivatives on a log scale. Neither derivative exceeds "
        r"its value at $z = 0$ ($\tfrac14$ and 1), and a saturated unit passes back only a tiny "
        "fraction of the gradient."
    )
    return plotting.show(fig, alt, caption, label="fig-sigmoid-derivative")


def plot_gradient_norms(
    activation_names: tuple[str, ...] = ("sigmoid", "tanh", "relu"),
    depth: int = 30,
    width: int = 64,
    gain: float = 1.0,
    *,
    seed: int = 0,
) -> plotting.FigureView:
    """Figure: per-layer gradient norms at initialization, one panel per activation.

    Each panel shows ``log10 ||dJ/da_{l-1}||`` against layer ``l`` for the same
    weights' scale (:func:`gradient_norms_at_init`, probe cost), with the
    linear network's Chapter-1 prediction dashed for reference.
    """
    if len(activation_names) == 0:
        raise ValueError("activation_names must hold at least one activation")
    runs = [gradient_norms_at_init(a, depth, width, gain, seed=seed) for a in activation_names]
    linear = gradient_norms_at_init("identity", depth, width, gain, seed=seed)
    fig, axes = plotting.new_figure(
        plotting.FIGURE_WIDTH, 3.6, ncols=len(runs), sharey=True, squeeze=False
    )
    layers = np.arange(1, depth + 1)
    low = min(float(np.min(r.backward)) for r in runs)
    with plotting.style():  # titles and texts read the style when created
        for ax, run in zip(axes[0], runs, strict=True):
            ax.semilogy(layers, run.backward, "o-", ms=2.5, color=plotting.COLORS["blue"])
            ax.semilogy(
                layers, 10 ** linear_prediction(linear), ls="--", color=plotting.COLORS["grey"]
            )
            ax.set_title(f"{run.activation}\n{run.decades_lost:+.1f} decades".replace("-", "−"))
            ax.set_xlabel("layer ℓ")
            ax.set_xticks([1, depth // 2, depth])
        top = math.ceil(math.log10(max(float(np.max(r.backward)) for r in runs)))
        bottom = math.floor(math.log10(low))
        step = max(1, math.ceil((top - bottom) / 4))
        axes[0][0].set_yticks([10.0**k for k in range(top, bottom - 1, -step)])
        axes[0][0].yaxis.set_major_formatter(plotting.log_tick_formatter())
        axes[0][0].minorticks_off()
        axes[0][0].set_ylabel("‖∂J/∂a‖ at layer ℓ's input")
    summary = "; ".join(f"{r.activation} {r.decades_lost:+.1f}" for r in runs)
    line = linear_prediction(linear)  # log10 of the dashed line, first layer to last
    change = float(line[0] - line[-1])
    line_shape = "nearly flat" if abs(change) < 0.5 else f"{change:+.1f} decades"
    words = {1: "one activation", 2: "two activations", 3: "three activations"}
    count = words.get(len(runs), f"{len(runs)} activations")
    alt = (
        f"Per-layer norms of the gradient reaching each of {depth} layers of width {width} at "
        f"initialization (weights N(0, {gain**2:g}/{width})), log scale, one panel per activation. "
        f"Change in orders of magnitude from the last layer to the first: {summary}. A dashed grey "
        f"line shows a linear network's Chapter-1 prediction, {line_shape}."
    )
    caption = (
        "Vanishing made visible: the gradient reaching each layer of a deep network at "
        f"initialization, same weights' scale, {count}. The dashed line is a linear "
        "network's prediction from Chapter 1."
    )
    return plotting.show(fig, alt, caption, label="fig-gradient-norms")
