"""Initialization studies: Chapter 4's experiments on the schemes of :mod:`gradlab.initializers`.

Four measurements, each deterministic from a seed:

* **Forward and backward statistics** (:func:`forward_backward_stats`): the
  per-layer standard deviation of the activations and the per-layer norm of the
  gradient of a deep MLP initialised with a named scheme. For ReLU, He et al.
  (2015) show ``Var[y_L] = Var[y_1] prod_l (1/2) n_l Var[w_l]``: with
  ``n Var[w] = 1`` (LeCun) instead of He's ``n Var[w] = 2`` the output's std is
  ``2^(-L/2)`` of He's (:func:`he_prediction`), and with a standard normal
  (``Var[w] = 1``) it grows by ``sqrt(n/2)`` per layer.
* **Symmetry** (:func:`symmetry_demo`): from a constant initialization, the
  units of a hidden layer compute the same function and receive the same
  gradient, so SGD keeps them identical for ever; a random initialization
  breaks the tie.
* **Jacobian spectra** (:func:`jacobian_singular_values`): the singular values
  of the input-output Jacobian ``prod_l W_l^T diag(phi'(z_l))`` at a random
  input. Orthogonal linear networks have all of them equal to 1 (Saxe et al.,
  2014); ReLU networks cannot reach this "dynamical isometry", while
  orthogonal tanh networks with small pre-activations come close (Pennington
  et al., 2017).
* **Finite-width drift** (:func:`finite_width_drift`): He initialization keeps
  the *mean* square of a ReLU network's activations, but the *typical*
  (median) norm still drifts down, by about ``5/(4n)`` in ``ln`` per layer at
  width ``n`` (:func:`relu_log_norm_slope` gives the exact value).

References
----------
He, K., Zhang, X., Ren, S., Sun, J. (2015). Delving deep into rectifiers. ICCV. arXiv:1502.01852.
Glorot, X., Bengio, Y. (2010). Understanding the difficulty of training deep feedforward
neural networks. AISTATS, PMLR 9:249-256.
Saxe, A. M., McClelland, J. L., Ganguli, S. (2014). Exact solutions to the nonlinear dynamics of
learning in deep linear neural networks. ICLR. arXiv:1312.6120.
Pennington, J., Schoenholz, S., Ganguli, S. (2017). Resurrecting the sigmoid in deep learning
through dynamical isometry. NeurIPS. arXiv:1711.04735.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import FuncFormatter
from scipy import special, stats

from . import activations, initializers, plotting
from ._validation import check_choice, check_int, check_real, check_rng
from .network import MLP

__all__ = [
    "SPECTRUM_CASES",
    "jacobian_spectra",
    "LayerStats",
    "forward_backward_stats",
    "he_prediction",
    "LayerSamples",
    "layer_samples",
    "SymmetryRun",
    "symmetry_demo",
    "JacobianSpectrum",
    "jacobian_singular_values",
    "relu_log_norm_slope",
    "WidthDrift",
    "finite_width_drift",
    "plot_forward_backward",
    "plot_jacobian_spectra",
    "plot_layer_histograms",
    "plot_symmetry",
]


def _check_activation(activation: object) -> str:
    return check_choice(activation, "activation", activations.names())


def _check_init(init: object) -> str:
    return check_choice(init, "init", initializers.names())


# --- forward and backward statistics --------------------------------------------------------


@dataclass(frozen=True)
class LayerStats:
    """Per-layer statistics of a deep MLP at initialization (first layer first).

    Attributes
    ----------
    init, activation, depth, width, batch
        The network: ``depth`` layers of ``width x width`` weights drawn by the
        initializer ``init``, zero biases, ``activation`` after every layer but
        the last (linear), and a standard-normal batch of ``batch`` inputs.
    activation_std : numpy.ndarray, shape (depth,)
        Standard deviation of ``a_l`` over the batch and the units, ``l = 1..depth``
        (``a_L = z_L``, the linear output).
    gradient_norm : numpy.ndarray, shape (depth,)
        ``||dJ/da_{l-1}||`` (Frobenius over the batch), the gradient reaching the
        input of layer ``l``, for a random probe cost (see :func:`forward_backward_stats`).
    """

    init: str
    activation: str
    depth: int
    width: int
    batch: int
    activation_std: np.ndarray
    gradient_norm: np.ndarray

    @property
    def output_std(self) -> float:
        """The standard deviation of the network's output ``a_L``."""
        return float(self.activation_std[-1])


def forward_backward_stats(
    init: str,
    activation: str,
    depth: int,
    width: int,
    *,
    batch: int = 64,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
    **init_options: object,
) -> LayerStats:
    """Per-layer activation std and gradient norm of a deep MLP initialised with ``init``.

    The network ``a_l = phi(a_{l-1} W_l)``, ``l = 1..L``, has ``width x width``
    weights drawn by :func:`gradlab.initializers.get` ``(init)``, zero biases and
    a linear last layer. Forward: the std of each ``a_l`` on a standard-normal
    batch ``X``. Backward: the cost ``J = sum(r * a_L) / batch`` for a fixed
    standard-normal probe ``r`` (as :func:`gradlab.backprop.gradient_norms_at_init`
    does), so ``dJ/da_{l-1} = (r / batch) J_L ... J_l`` with the layer Jacobians
    ``J_k = W_k^T diag(phi'(z_{k-1}))``, computed by :meth:`gradlab.network.MLP.backward`.

    For ReLU, He et al. (2015, eq. 10) give ``Var[y_L] = Var[y_1] prod_l (1/2) n_l
    Var[w_l]``, so ``n Var[w] = 2`` (He) keeps the scale and ``n Var[w] = 1``
    shrinks the std by ``2^(-L/2)`` (:func:`he_prediction`).

    Parameters
    ----------
    init : str
        A name from :func:`gradlab.initializers.names`.
    activation : str
        A name from :func:`gradlab.activations.names`.
    depth, width : int
        Number of layers ``L`` (>= 1) and units per layer (>= 1).
    batch : int, default 64
        Examples in the batch (>= 2, so a std can be taken).
    rng, seed
        A ``numpy.random.Generator``, or a seed to build one. The draws are the
        batch, then the probe, then the weights layer by layer: two schemes that
        differ only by a scale (``lecun_normal`` and ``he_normal``) get
        proportional weights from the same seed.
    **init_options
        Options of the initializer, e.g. ``gain=1.0`` or ``std=1.0``.

    Returns
    -------
    LayerStats
    """
    init = _check_init(init)
    activation = _check_activation(activation)
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    batch = check_int(batch, "batch", minimum=2)
    initializers.check_options(init, init_options)
    rng = check_rng(rng, seed)
    net, grads = _probe_run(init, activation, depth, width, batch, rng, init_options)
    with np.errstate(all="ignore"):
        std = np.array([float(a.std()) for a in net.activations[1:]])
        norms = np.array([float(np.linalg.norm(g)) for g in grads.activation_grads])
    return LayerStats(init, activation, depth, width, batch, std, norms)


def _probe_run(init, activation, depth, width, batch, rng, init_options):
    """Build the network of :func:`forward_backward_stats` and backpropagate its probe."""
    X = rng.standard_normal((batch, width))
    r = rng.standard_normal((batch, width))
    net = MLP([width] * (depth + 1), activation, init, rng=rng, init_options=dict(init_options))
    return net, net.backward(X, r / batch)


@dataclass(frozen=True)
class LayerSamples:
    """Hidden-layer values of one probe run (what :func:`layer_samples` returns).

    Attributes
    ----------
    init, activation, depth, width, batch
        As in :class:`LayerStats`.
    activations : list of numpy.ndarray
        ``activations[l - 1]`` holds every entry of ``a_l`` (flattened, ``batch *
        width`` values) for the hidden layers ``l = 1..depth-1``.
    gradients : list of numpy.ndarray
        ``gradients[l - 1]`` holds every entry of ``dJ/da_l`` for the same layers.
    """

    init: str
    activation: str
    depth: int
    width: int
    batch: int
    activations: list[np.ndarray]
    gradients: list[np.ndarray]


def layer_samples(
    init: str,
    activation: str,
    depth: int,
    width: int,
    *,
    batch: int = 64,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
    **init_options: object,
) -> LayerSamples:
    """The hidden activations ``a_l`` and gradients ``dJ/da_l`` of :func:`forward_backward_stats`.

    Same network, same draws, same probe cost; the values themselves instead of a
    std and a norm, for histograms in the style of Glorot and Bengio (2010, Figures
    6 and 7): with the old ``U(-1/sqrt(n), 1/sqrt(n))`` (``n Var = 1/3``) a tanh
    network's activations narrow layer by layer and the gradients shrink towards
    the input, while their normalized initialization ``Var = 2/(n_in + n_out)``
    keeps both spreads nearly constant. Parameters as in :func:`forward_backward_stats`
    (``depth >= 2``, so there is a hidden layer).
    """
    init = _check_init(init)
    activation = _check_activation(activation)
    depth = check_int(depth, "depth", minimum=2)
    width = check_int(width, "width", minimum=1)
    batch = check_int(batch, "batch", minimum=2)
    initializers.check_options(init, init_options)
    rng = check_rng(rng, seed)
    net, grads = _probe_run(init, activation, depth, width, batch, rng, init_options)
    acts = [net.activations[i].ravel().copy() for i in range(1, depth)]
    backs = [grads.activation_grads[i].ravel().copy() for i in range(1, depth)]
    return LayerSamples(init, activation, depth, width, batch, acts, backs)


def he_prediction(depth: int) -> float:
    """The factor ``2^(-L/2)`` by which ``n Var[w] = 1`` shrinks a ReLU network's std against He.

    With zero biases and ReLU between layers, each layer multiplies ``E[z^2]`` by
    ``(1/2) n Var[w]`` (He et al., 2015, eq. 10: ``Var[y_L] = Var[y_1] prod_l
    (1/2) n_l Var[w_l]``; the first layer sees the raw input, which loses no
    half, so it contributes ``n Var[w]``). He's ``n Var[w] = 2`` gives a factor
    1 per layer; ``n Var[w] = 1`` gives one half of He's at each of the ``L``
    layers, so the output's std is ``sqrt(2^(-L)) = 2^(-L/2)`` of He's: about
    ``4.9e-4`` at ``L = 22`` and ``3.1e-5`` at ``L = 30``.

    Parameters
    ----------
    depth : int
        Number of layers ``L`` (>= 0).
    """
    depth = check_int(depth, "depth", minimum=0)
    return 2.0 ** (-depth / 2)


# --- symmetry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SymmetryRun:
    """What :func:`symmetry_demo` returns.

    Attributes
    ----------
    init : str
        The initializer of the weights.
    steps : int
        SGD steps taken.
    spread : numpy.ndarray, shape (steps + 1, depth - 1)
        After each step (row 0: at initialization), for each hidden layer, the
        largest difference between the incoming weight columns of any two units,
        ``max_j max_i |W[i, j] - W[i, 0]|``. Exactly 0 means the units are identical.
    identical : numpy.ndarray of bool, shape (steps + 1, depth - 1)
        ``spread == 0``: every column equal to the first, to the bit.
    loss : numpy.ndarray, shape (steps + 1,)
        The training loss before each step (the last entry after the last step).
    """

    init: str
    steps: int
    spread: np.ndarray
    identical: np.ndarray
    loss: np.ndarray


def symmetry_demo(
    init: str = "constant",
    *,
    sizes: Sequence[int] = (2, 8, 8, 1),
    activation: str = "tanh",
    steps: int = 200,
    lr: float = 0.1,
    n_examples: int = 64,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
    **init_options: object,
) -> SymmetryRun:
    """Train a small MLP with full-batch SGD and track whether its hidden units stay identical.

    With a constant initialization every unit ``j`` of a hidden layer has the same
    incoming column ``W_l[:, j]`` and the same outgoing row ``W_{l+1}[j, :]``, so it
    computes the same ``a_l[:, j]`` and gets the same ``delta_l[:, j] = (delta_{l+1}
    W_{l+1}^T)_j phi'(z_l)_j``; the update ``dW_l = a_{l-1}^T delta_l`` keeps the
    columns equal. The layer behaves as a single unit whatever its width (Goodfellow,
    Bengio and Courville, 2016, sec. 8.4). The loop computes the gradients of
    :meth:`gradlab.network.MLP.loss_and_gradients` with products that do the same
    arithmetic for every column (BLAS need not: it can round two equal columns
    differently, by about 1e-17), so the equality holds to the bit (``spread ==
    0``); a random initialization starts with distinct columns and they stay distinct.

    Parameters
    ----------
    init : str, default "constant"
        A name from :func:`gradlab.initializers.names`.
    sizes : sequence of int, default (2, 8, 8, 1)
        Layer widths, at least one hidden layer.
    activation : str, default "tanh"
    steps : int, default 200
        Full-batch SGD steps (>= 0) on the mean squared error.
    lr : float, default 0.1
        Learning rate (> 0).
    n_examples : int, default 64
        Training examples: standard-normal inputs, target ``sin(x_1) + x_n^2 / 2`` with
        ``x_n`` the last input (``x_2`` for the default two inputs; the targets only need to
        be a nonlinear function of the input).
    rng, seed
        A ``numpy.random.Generator``, or a seed to build one (data, then weights).
    **init_options
        Options of the initializer, e.g. ``value=0.1`` for ``"constant"``.
    """
    init = _check_init(init)
    activation = _check_activation(activation)
    if not isinstance(sizes, Sequence) or isinstance(sizes, str):
        raise TypeError(f"sizes must be a sequence of layer widths, got {type(sizes).__name__}")
    sizes = [check_int(s, f"sizes[{i}]", minimum=1) for i, s in enumerate(sizes)]
    if len(sizes) < 3:
        raise ValueError(f"sizes must have at least one hidden layer, got {sizes!r}")
    if sizes[-1] != 1:
        raise ValueError(f"sizes must end with one output unit, got {sizes[-1]}")
    steps = check_int(steps, "steps", minimum=0)
    lr = check_real(lr, "lr", minimum=0.0, strict_minimum=True)
    n_examples = check_int(n_examples, "n_examples", minimum=1)
    initializers.check_options(init, init_options)
    rng = check_rng(rng, seed)
    X = rng.standard_normal((n_examples, sizes[0]))
    y = (np.sin(X[:, 0]) + 0.5 * X[:, -1] ** 2)[:, None]
    net = MLP(sizes, activation, init, rng=rng, init_options=dict(init_options))
    hidden = len(sizes) - 2
    spread = np.empty((steps + 1, hidden))
    loss = np.empty(steps + 1)

    def record(k: int) -> None:
        for i in range(hidden):
            W = net.weights[i]
            spread[k, i] = float(np.max(np.abs(W - W[:, :1])))

    record(0)
    for k in range(steps):
        loss[k], grads = _columnwise_loss_and_gradients(net, X, y)
        for p, g in zip(net.get_params(), grads, strict=True):
            p -= lr * g
        record(k + 1)
    loss[steps] = _columnwise_loss_and_gradients(net, X, y)[0]
    return SymmetryRun(init, steps, spread, spread == 0.0, loss)


def _product(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A @ B`` with the same arithmetic for every output column (elementwise adds, no BLAS).

    BLAS kernels may round two equal columns differently (a vectorized block and a
    remainder loop, with or without fused multiply-adds), which would break a
    constant initialization's symmetry at the level of 1e-17 for reasons that have
    nothing to do with learning. Summing ``A[:, j, None] * B[j]`` over ``j`` in order
    gives every output entry the same sequence of correctly rounded operations.
    """
    out = A[:, 0, None] * B[0]
    for j in range(1, A.shape[1]):
        out += A[:, j, None] * B[j]
    return out


def _columnwise_loss_and_gradients(
    net: MLP, X: np.ndarray, y: np.ndarray
) -> tuple[float, list[np.ndarray]]:
    """MSE loss and ``[dW_1, db_1, ...]`` of ``net``, as :meth:`MLP.loss_and_gradients`.

    The same chain rule (see :mod:`gradlab.network`), with :func:`_product` for the
    matrix products so that equal units get bit-for-bit equal gradients.
    """
    act = net.activation
    a, zs, acts = X, [], [X]
    for i, (W, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        z = _product(a, W) + b
        zs.append(z)
        a = z if i == net.depth - 1 else act.forward(z)
        acts.append(a)
    diff = a - y
    loss = float(np.mean(diff**2))
    delta = 2.0 * diff / diff.size
    grads: list[np.ndarray] = []
    for i in reversed(range(net.depth)):
        grads[:0] = [_product(acts[i].T, delta), delta.sum(axis=0)]
        if i > 0:
            delta = _product(delta, net.weights[i].T) * act.derivative(zs[i - 1])
    return loss, grads


# --- Jacobian spectra -----------------------------------------------------------------------


@dataclass(frozen=True)
class JacobianSpectrum:
    """Singular values of a deep network's input-output Jacobian (:func:`jacobian_singular_values`).

    Attributes
    ----------
    init, activation, depth, width, gain, input_std
        The network and the input's scale (see :func:`jacobian_singular_values`).
    log_singular_values : numpy.ndarray, shape (width,)
        ``ln s_1 >= ... >= ln s_n``; ``-inf`` for singular values that are exactly 0
        or below ``1e-13`` of the largest, which float64 cannot resolve (a ReLU
        network's Jacobian is singular: inactive units pass nothing back).
    """

    init: str
    activation: str
    depth: int
    width: int
    gain: float
    input_std: float
    log_singular_values: np.ndarray

    @property
    def singular_values(self) -> np.ndarray:
        """``exp(log_singular_values)`` (``inf`` only for astronomically large values)."""
        with np.errstate(over="ignore"):
            return np.exp(self.log_singular_values)

    @property
    def resolved(self) -> np.ndarray:
        """The finite log singular values (those float64 resolves)."""
        return self.log_singular_values[np.isfinite(self.log_singular_values)]

    @property
    def spread(self) -> float:
        """``log10(s_max / s_k)`` over the resolved values: decades the spectrum spans."""
        v = self.resolved
        return float((v[0] - v[-1]) / math.log(10))


def jacobian_singular_values(
    init: str,
    activation: str,
    depth: int,
    width: int,
    *,
    gain: float = 1.0,
    input_std: float = 1.0,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> JacobianSpectrum:
    """Singular values of the Jacobian ``da_L / da_0`` of a deep network at a random input.

    The network is ``z_l = W_l^T a_{l-1}`` (column vectors; ``W_l`` is ``(fan_in,
    fan_out)`` as in :mod:`gradlab.initializers`), ``a_l = phi(z_l)``, for all ``L``
    layers, zero biases. By the chain rule

    .. math:: J = \\frac{\\partial a_L}{\\partial a_0}
              = D_L W_L^T D_{L-1} W_{L-1}^T \\cdots D_1 W_1^T,
              \\qquad D_l = \\operatorname{diag}(\\phi'(z_l)).

    Dynamical isometry (Saxe et al., 2014; Pennington et al., 2017) is all the
    singular values of ``J`` near 1. The product is accumulated one layer at a
    time with its scale factored out (``J = e^c M``, ``max |M| = 1``), so it
    neither overflows nor underflows, then ``M`` is decomposed by SVD.

    Parameters
    ----------
    init : {"gaussian", "orthogonal"} or a name from :func:`gradlab.initializers.names`
        ``"gaussian"``: i.i.d. ``N(0, gain^2 / n)`` entries; ``"orthogonal"``:
        ``gain`` times a Haar-random orthogonal matrix; any other name draws with
        that initializer (its default options).
    activation : str
        A name from :func:`gradlab.activations.names`.
    depth, width : int
        ``L`` (>= 1) square layers of ``n = width`` units (>= 1).
    gain : float, default 1.0
        Used by ``"gaussian"`` and ``"orthogonal"`` (> 0).
    input_std : float, default 1.0
        Std of the entries of the standard-normal input ``a_0`` (> 0). Small
        inputs keep tanh's pre-activations near 0, where ``tanh' ~ 1``.
    rng, seed
        A ``numpy.random.Generator``, or a seed to build one.
    """
    if init not in ("gaussian", "orthogonal"):
        init = _check_init(init)
    activation = _check_activation(activation)
    depth = check_int(depth, "depth", minimum=1)
    n = check_int(width, "width", minimum=1)
    gain = check_real(gain, "gain", minimum=0.0, strict_minimum=True)
    input_std = check_real(input_std, "input_std", minimum=0.0, strict_minimum=True)
    rng = check_rng(rng, seed)
    act = activations.get(activation)
    a = input_std * rng.standard_normal(n)
    M = np.eye(n)
    log_scale = 0.0
    for _ in range(depth):
        if init == "gaussian":
            W = rng.normal(0.0, gain / math.sqrt(n), size=(n, n))
        elif init == "orthogonal":
            W = initializers.orthogonal((n, n), rng, gain=gain)
        else:
            W = initializers.get(init)((n, n), rng)
        z = W.T @ a
        a = act.forward(z)
        M = act.derivative(z)[:, None] * (W.T @ M)  # D_l W_l^T (previous product)
        top = float(np.max(np.abs(M)))
        if top == 0.0:  # every unit of the layer inactive: J = 0
            logs = np.full(n, -np.inf)
            return JacobianSpectrum(init, activation, depth, n, gain, input_std, logs)
        M /= top
        log_scale += math.log(top)
    values = np.linalg.svd(M, compute_uv=False)
    with np.errstate(divide="ignore"):
        logs = np.where(values >= 1e-13 * values[0], np.log(values), -np.inf) + log_scale
    return JacobianSpectrum(init, activation, depth, n, gain, input_std, logs)


# --- finite-width drift ---------------------------------------------------------------------


def relu_log_norm_slope(width: int) -> float:
    """Exact mean change of ``ln ||a_l||`` per layer of a He-initialised ReLU network.

    With Gaussian weights of variance ``2/n`` and zero biases, ``z = W^T a`` is
    ``N(0, (2/n) ||a||^2 I)`` whatever the direction of ``a``, so
    ``S = ||relu(z)||^2 / ||a||^2 = (2/n) chi^2_K`` with ``K ~ Binomial(n, 1/2)``
    active units, independently at each layer: ``ln ||a_l||`` is a random walk.
    ``E[S] = 1`` (He et al., 2015: the mean square is kept) but by Jensen
    ``E[ln S] < 0``:

    .. math:: \\tfrac12 E[\\ln S] = \\tfrac12 \\Big(\\ln\\tfrac{2}{n}
              + \\sum_{k\\ge1} \\binom{n}{k} 2^{-n} \\big(\\ln 2 + \\psi(k/2)\\big)\\Big)
              \\approx -\\frac{5}{4n},

    using ``E[ln chi^2_k] = ln 2 + psi(k/2)`` (``psi`` the digamma function) and
    ``Var[S] = 5/n``. The ``K = 0`` term (all units off, probability ``2^(-n)``)
    makes the exact mean ``-inf``; it is left out, i.e. the slope is conditioned on
    the signal surviving.

    Parameters
    ----------
    width : int
        ``n`` (>= 1).
    """
    n = check_int(width, "width", minimum=1)
    k = np.arange(1, n + 1)
    weights = stats.binom.pmf(k, n, 0.5)
    mean_log_chi2 = float(np.sum(weights * (math.log(2.0) + special.digamma(k / 2.0))))
    mean_log_chi2 /= float(np.sum(weights))
    return 0.5 * (math.log(2.0 / n) + mean_log_chi2)


@dataclass(frozen=True)
class WidthDrift:
    """What :func:`finite_width_drift` returns (one entry per width).

    Attributes
    ----------
    widths : numpy.ndarray of int
    depth, n_networks : int
    median_slope, mean_square_slope : numpy.ndarray
        Per layer, the least-squares slope over ``l = 0..depth`` of the median over
        networks of ``ln ||a_l|| - ln ||a_0||``, and of ``ln`` of the mean over
        networks of ``||a_l||^2 / ||a_0||^2``, halved (so both are in ``ln`` of a norm).
    predicted_slope : numpy.ndarray
        :func:`relu_log_norm_slope` of each width.
    """

    widths: np.ndarray
    depth: int
    n_networks: int
    median_slope: np.ndarray
    mean_square_slope: np.ndarray
    predicted_slope: np.ndarray


def finite_width_drift(
    widths: Sequence[int] = (8, 16, 32, 64, 128),
    depth: int = 50,
    *,
    n_networks: int = 200,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> WidthDrift:
    """Drift of the typical norm of a He-initialised ReLU network's activations, per width.

    For each width ``n``, ``n_networks`` independent networks of ``depth`` ReLU
    layers (weights ``N(0, 2/n)``, He et al. 2015, zero biases) each carry one
    standard-normal input; the log-norms ``ln ||a_l||`` are recorded. The mean of
    ``||a_l||^2`` is preserved; its median is not: the median log-norm falls by
    about ``5/(4n)`` per layer (:func:`relu_log_norm_slope`), a drift that vanishes
    only as ``n -> infinity``. Networks run in parallel as a stack of matrices.

    A network all of whose units switch off at some layer has norm 0 from there on
    (``ln 0 = -inf``); at a width of a few units most networks do. Where the median (or
    the mean square) reaches 0, it has no finite slope: that slope is ``-inf``. The
    median's is ``-inf`` once more than half of the networks have died; the mean
    square's only once all of them have.

    Parameters
    ----------
    widths : sequence of int, default (8, 16, 32, 64, 128)
        Widths ``n`` (each >= 1).
    depth : int, default 50
        Layers (>= 1).
    n_networks : int, default 200
        Independent networks per width (>= 1).
    rng, seed
        A ``numpy.random.Generator``, or a seed to build one.
    """
    if not isinstance(widths, Sequence) or isinstance(widths, str) or len(widths) == 0:
        raise TypeError("widths must be a non-empty sequence of integers")
    widths = [check_int(w, f"widths[{i}]", minimum=1) for i, w in enumerate(widths)]
    depth = check_int(depth, "depth", minimum=1)
    n_networks = check_int(n_networks, "n_networks", minimum=1)
    rng = check_rng(rng, seed)
    layers = np.arange(depth + 1)
    median_slope, mean_square_slope = [], []
    for n in widths:
        a = rng.standard_normal((n_networks, n))
        log_norm = np.empty((depth + 1, n_networks))
        log_norm[0] = 0.0
        base = np.linalg.norm(a, axis=1)
        a /= base[:, None]
        for layer in range(1, depth + 1):
            W = rng.normal(0.0, math.sqrt(2.0 / n), size=(n_networks, n, n))
            a = np.maximum(np.einsum("bi,bij->bj", a, W), 0.0)
            norm = np.linalg.norm(a, axis=1)
            with np.errstate(divide="ignore"):
                log_norm[layer] = log_norm[layer - 1] + np.log(norm)
            a /= np.where(norm > 0, norm, 1.0)[:, None]
        median_slope.append(_slope_or_minus_inf(layers, np.median(log_norm, axis=1)))
        with np.errstate(divide="ignore"):
            mean_square = np.log(np.mean(np.exp(2 * log_norm), axis=1)) / 2
        mean_square_slope.append(_slope_or_minus_inf(layers, mean_square))
    return WidthDrift(
        np.array(widths),
        depth,
        n_networks,
        np.array(median_slope),
        np.array(mean_square_slope),
        np.array([relu_log_norm_slope(n) for n in widths]),
    )


def _slope_or_minus_inf(layers: np.ndarray, log_values: np.ndarray) -> float:
    """Least-squares slope of ``log_values`` over ``layers``; ``-inf`` if one is ``-inf``."""
    if np.any(np.isneginf(log_values)):
        return -math.inf
    return float(np.polyfit(layers, log_values, 1)[0])


# --- figures --------------------------------------------------------------------------------

_LOOKS = (
    {"color": plotting.COLORS["blue"], "ls": "-", "marker": "o"},
    {"color": plotting.COLORS["orange"], "ls": "--", "marker": "s"},
    {"color": plotting.COLORS["red"], "ls": "-.", "marker": "^"},
    {"color": plotting.COLORS["green"], "ls": ":", "marker": "D"},
    {"color": plotting.COLORS["purple"], "ls": (0, (5, 1, 1, 1, 1, 1)), "marker": "v"},
)

_MINUS_TICKS = FuncFormatter(lambda v, _pos: f"{v:g}".replace("-", "\u2212"))

_SCHEME_LABELS = {
    "he_normal": "He (n·Var = 2)",
    "lecun_normal": "n·Var = 1",
    "standard_normal": "N(0, 1)",
}


def _scheme_label(init: str) -> str:
    """How :func:`plot_forward_backward` names a scheme in its legend, note and texts."""
    return _SCHEME_LABELS.get(init, init.replace("_", " "))


def _log_ticks(ax, values: np.ndarray, n_ticks: int = 4) -> None:
    """Decade ticks at ``10^(k step)``, anchored at ``10^0``, from just below the data to its top.

    Anchoring at 1 keeps a label next to a scale-preserving line (values near 1); the lowest
    tick is the first multiple of ``step`` at or below the smallest value, so the lowest line
    has a label near it too.
    """
    values = values[np.isfinite(values) & (values > 0)]
    top = math.ceil(math.log10(float(np.max(values))))
    bottom = math.floor(math.log10(float(np.min(values))))
    step = max(1, math.ceil((top - bottom) / n_ticks))
    low = step * math.floor(bottom / step)
    ax.set_yticks([10.0**k for k in range(low, top + 1, step) if k <= top])
    ax.yaxis.set_major_formatter(plotting.log_tick_formatter())
    ax.minorticks_off()


#: :func:`plot_forward_backward`'s forward panel covers the schemes whose activation std
#: stays within this many decades of 1; the others leave it at the top.
FORWARD_DECADES = 8.0


def plot_forward_backward(
    inits: Sequence[str] = ("he_normal", "lecun_normal", "standard_normal"),
    depth: int = 30,
    width: int = 256,
    *,
    seed: int = 0,
) -> plotting.FigureView:
    """Figure: per-layer activation std (left) and gradient norm (right) of a ReLU network.

    Each scheme is a :func:`forward_backward_stats` run with the same seed (so the
    weights of ``he_normal`` and ``lecun_normal`` are proportional). The dashed grey
    line on the left is He et al.'s prediction for ``n Var = 1``: He's measured std
    times ``2^(-l/2)`` (:func:`he_prediction`); it needs a ``"he_normal"`` run.
    """
    if isinstance(inits, str) or not isinstance(inits, Sequence) or not inits:
        raise TypeError("inits must be a non-empty sequence of initializer names")
    if len(inits) > len(_LOOKS):
        raise ValueError(f"inits must name at most {len(_LOOKS)} schemes, got {len(inits)}")
    runs = [forward_backward_stats(i, "relu", depth, width, seed=seed) for i in inits]
    layers = np.arange(1, depth + 1)
    fig, (left, right) = plotting.new_figure(plotting.FIGURE_WIDTH, 4.2, ncols=2)
    he = next((r for r in runs if r.init == "he_normal"), None)
    with plotting.style():
        for run, look in zip(runs, _LOOKS, strict=False):
            label = _scheme_label(run.init)
            kw = {**look, "ms": 3, "lw": 1.5}
            left.semilogy(layers, run.activation_std, label=label, **kw)
            right.semilogy(layers, run.gradient_norm, label=label, **kw)
        if he is not None:
            predicted = he.activation_std * np.array([he_prediction(k) for k in layers])
            left.semilogy(
                layers,
                predicted,
                color=plotting.COLORS["grey"],
                lw=3,
                alpha=0.6,
                label="2^(−ℓ/2)·He",
            )
        # The left axis covers the runs that keep a scale within FORWARD_DECADES of 1, so a
        # factor of 2 between neighbouring layers stays visible; an exploding run leaves it at
        # the top, and a note says where it ends.
        kept = [r for r in runs if np.all(np.abs(np.log10(r.activation_std)) <= FORWARD_DECADES)]
        gone = [r for r in runs if r not in kept]
        _log_ticks(left, np.concatenate([r.activation_std for r in kept or runs]), 5)
        if kept and gone:
            stds = np.concatenate([r.activation_std for r in kept])
            left.set_ylim(stds.min() / 3, stds.max() * 3)
            note = "; ".join(
                f"{_scheme_label(r.init)}: {r.output_std:.1e} at {depth}" for r in gone
            )
            left.text(0.97, 0.97, f"{note} ↑", transform=left.transAxes, ha="right", va="top")
        _log_ticks(right, np.concatenate([r.gradient_norm for r in runs]), 5)
        for ax, title in ((left, "std of aℓ (forward)"), (right, "‖∂J/∂aℓ₋₁‖ (backward)")):
            ax.set_xlabel("layer ℓ")
            ax.set_xticks([1, depth // 2, depth])
            ax.set_title(title)
        left.legend(loc="lower left", fontsize=11, handlelength=2.0, frameon=True, edgecolor="none")
    parts = [
        f"{_scheme_label(r.init)}: output std {r.output_std:.2g}, gradient at "
        f"layer 1 {r.gradient_norm[0]:.2g} against {r.gradient_norm[-1]:.2g} at layer {depth}"
        for r in runs
    ]
    alt = (
        f"Two log-scale panels for a {depth}-layer ReLU network of width {width}: the standard "
        f"deviation of each layer's output (left) and the norm of the gradient reaching each "
        f"layer (right), one line per initialization. {'; '.join(parts)}."
    )
    if kept and gone:
        names = [_scheme_label(r.init) for r in gone]
        said = (
            f"{', '.join(names[:-1])} and {names[-1]} leave"
            if len(names) > 1
            else (f"{names[0]} leaves")
        )
        alt += (
            f" The left axis covers the other schemes, so that the change at the last layer "
            f"shows; {said} it at the top."
        )
    if he is not None:
        alt += (
            f" A thick grey line shows He's std times 2^(−ℓ/2), reaching "
            f"{he.output_std * he_prediction(depth):.2g} at layer {depth}."
        )
    if sorted(inits) == sorted(_SCHEME_LABELS):  # the book's three schemes
        caption = (
            f"Three initializations of the same {depth}-layer ReLU network. He's variance keeps "
            f"the scale; n·Var = 1 loses a factor √2 per layer, ending "
            f"{he_prediction(depth):.1e} times He's, as He et al. predict (grey); a standard "
            "normal explodes."
        )
    else:
        count = ("One initialization", "Two", "Three", "Four", "Five")[len(runs) - 1]
        count += " initializations" if len(runs) > 1 else ""
        caption = (
            f"{count} of the same {depth}-layer ReLU network "
            f"({', '.join(_scheme_label(r.init) for r in runs)}): the std of each layer's output "
            "(left) and the norm of the gradient reaching each layer (right)."
        )
        if he is not None:
            caption += " Grey: He's std times 2^(−ℓ/2), He et al.'s prediction for n·Var = 1."
    return plotting.show(fig, alt, caption, label="fig-he-reproduced")


#: The cases of :func:`jacobian_spectra`: (activation, gain, input std).
SPECTRUM_CASES = (("identity", 1.0, 1.0), ("tanh", 1.0, 0.1), ("relu", math.sqrt(2.0), 1.0))


def jacobian_spectra(
    depth: int = 16, width: int = 128, *, seed: int = 0
) -> dict[tuple[str, str], JacobianSpectrum]:
    """The six spectra of :func:`plot_jacobian_spectra`, keyed ``(activation, init)``.

    For each case of :data:`SPECTRUM_CASES` (linear at gain 1; tanh at gain 1 with inputs of
    std 0.1, near criticality; ReLU at He's gain ``sqrt(2)``), :func:`jacobian_singular_values`
    with Gaussian and with orthogonal weights, each drawn from ``seed``.
    """
    return {
        (act, init): jacobian_singular_values(
            init, act, depth, width, gain=g, input_std=s, seed=seed
        )
        for act, g, s in SPECTRUM_CASES
        for init in ("gaussian", "orthogonal")
    }


def plot_jacobian_spectra(
    depth: int = 16,
    width: int = 128,
    *,
    seed: int = 0,
    spectra: dict[tuple[str, str], JacobianSpectrum] | None = None,
) -> plotting.FigureView:
    """Figure: sorted ``log10`` Jacobian singular values against rank, Gaussian vs orthogonal.

    Three panels: linear (gain 1), tanh (gain 1, inputs of std 0.1, so the
    pre-activations stay small: near criticality) and ReLU (gain ``sqrt(2)``, He's
    scale). Each from :func:`jacobian_singular_values`; singular values float64
    cannot resolve (below ``1e-13`` of the largest, or exact zeros: ReLU) are not drawn, so
    a line that stops short of rank ``width`` marks them; the alt text counts them.
    ``spectra`` (from :func:`jacobian_spectra`) draws those instead of computing them again
    (``depth``, ``width`` and ``seed`` are then theirs).
    """
    cases = SPECTRUM_CASES
    if spectra is None:
        spectra = jacobian_spectra(depth, width, seed=seed)
    elif not isinstance(spectra, dict) or set(spectra) != {
        (act, init) for act, _, _ in cases for init in ("gaussian", "orthogonal")
    }:
        raise TypeError("spectra must be the dict jacobian_spectra returns")
    else:
        depth, width = next(iter(spectra.values())).depth, next(iter(spectra.values())).width
    fig, axes = plotting.new_figure(plotting.FIGURE_WIDTH, 4.0, ncols=3, sharey=True)
    resolved = [s.resolved / math.log(10) for s in spectra.values()]
    with plotting.style():
        for ax, (act, g, _) in zip(axes, cases, strict=True):
            for k, init in enumerate(("gaussian", "orthogonal")):
                v = spectra[(act, init)].resolved / math.log(10)
                look = _LOOKS[k]
                ax.plot(
                    np.arange(1, len(v) + 1),
                    v,
                    color=look["color"],
                    ls=look["ls"],
                    lw=2.5,
                    label=init,
                )
            title = "linear" if act == "identity" else act
            ax.set_title(f"{title}, gain {g:.3g}")
            ax.set_xlabel("rank k")
            ax.set_xticks([1, width])
            ax.set_xlim(0, width + 1)
        low = math.floor(min(float(np.min(v)) for v in resolved))
        step = max(1, math.ceil(-low / 4))
        axes[0].set_yticks(list(range(0, low - 1, -step)))
        axes[0].yaxis.set_major_formatter(_MINUS_TICKS)
        axes[0].set_ylabel("log10 sₖ")
        axes[2].legend(loc="lower right", fontsize=11, handlelength=1.6)
    parts = []
    for (act, init), s in spectra.items():
        v = s.resolved / math.log(10)
        if max(abs(v[0]), abs(v[-1])) < 1e-12:  # every s = 1 up to round-off (CPU-dependent)
            spread = "every log10 s within 1e-12 of 0 (s = 1 up to round-off)"
        else:
            spread = f"log10 s from {v[-1]:.2g} to {v[0]:.2g}"
        parts.append(f"{act} {init}: {len(v)} of {width} resolved, {spread}")
    alt = (
        f"The base-10 logs of the singular values, largest first, of the input-output Jacobian "
        f"of a {depth}-layer network of width {width} at one random input, Gaussian against "
        f"orthogonal weights, three panels: linear, tanh with small inputs, ReLU. "
        f"{'; '.join(parts)}."
    )
    caption = (
        "Dynamical isometry: with orthogonal weights a linear network's Jacobian has every "
        "singular value 1 and tanh's stays close; Gaussian weights spread the spectrum over "
        "many decades, and ReLU's Jacobian is singular and spread whatever the weights."
    )
    return plotting.show(fig, alt, caption, label="fig-jacobian-spectra")


def plot_symmetry(runs: Sequence[SymmetryRun]) -> plotting.FigureView:
    """Figure: spread between hidden units' incoming weights (left) and loss (right) per step.

    The spread is :attr:`SymmetryRun.spread`'s largest entry over the hidden layers, on a
    linear axis: a constant initialization's is exactly 0 at every step.
    """
    if isinstance(runs, SymmetryRun) or not isinstance(runs, Sequence) or not runs:
        raise TypeError("runs must be a non-empty sequence of SymmetryRun")
    if len(runs) > len(_LOOKS):
        raise ValueError(f"runs must hold at most {len(_LOOKS)} runs, got {len(runs)}")
    fig, (left, right) = plotting.new_figure(plotting.FIGURE_WIDTH, 3.8, ncols=2)
    with plotting.style():
        for run, look in zip(runs, _LOOKS, strict=False):
            steps = np.arange(run.steps + 1)
            spread = run.spread.max(axis=1)
            label = run.init.replace("_", " ")
            if np.all(spread == 0):
                label += " (exactly 0)"
            kw = {"color": look["color"], "ls": look["ls"], "lw": 2.5}
            left.plot(steps, spread, label=label, **kw)
            right.semilogy(steps, run.loss, **kw)
        left.set_ylim(bottom=-0.05 * max(float(r.spread.max()) for r in runs) - 1e-3)
        _log_ticks(right, np.concatenate([r.loss for r in runs]), 3)
        left.set_title("spread of unit weights")
        right.set_title("training loss")
        for ax in (left, right):
            ax.set_xlabel("SGD step")
        left.legend(loc="center right", fontsize=11)
    parts = []
    for r in runs:
        parts.append(
            f"{r.init}: largest spread {float(r.spread.max()):.2g}, identical units at every "
            f"step: {'yes' if bool(r.identical.all()) else 'no'}, loss {r.loss[0]:.2g} to "
            f"{r.loss[-1]:.2g}"
        )
    alt = (
        "Left: the largest difference between the incoming weights of two hidden units of the "
        f"same layer over SGD steps; right: the training loss, log scale. {'; '.join(parts)}."
    )
    caption = (
        "Symmetry is never broken: from a constant initialization the hidden units stay identical "
        "to the bit, so the network learns as if each layer had one unit."
    )
    return plotting.show(fig, alt, caption, label="fig-symmetry")


def plot_layer_histograms(
    inits: Sequence[str] = ("uniform_fan_in", "xavier_uniform"),
    activation: str = "tanh",
    depth: int = 6,
    width: int = 256,
    *,
    batch: int = 64,
    seed: int = 0,
) -> plotting.FigureView:
    """Figure: per-layer histograms of activations (top) and gradients (bottom), per scheme.

    After Glorot and Bengio (2010, Figures 6 and 7), from :func:`layer_samples`:
    one outlined histogram per hidden layer (at most five), so a narrowing from layer
    to layer shows as nested curves. The activations' range is the activation's own
    (or the data's), the gradients' the same for both columns.
    """
    if isinstance(inits, str) or not isinstance(inits, Sequence) or not inits:
        raise TypeError("inits must be a non-empty sequence of initializer names")
    depth = check_int(depth, "depth", minimum=2, maximum=len(_LOOKS) + 1)
    runs = [layer_samples(i, activation, depth, width, batch=batch, seed=seed) for i in inits]
    fig, axes = plotting.new_figure(
        plotting.FIGURE_WIDTH, 5.4, nrows=2, ncols=len(runs), squeeze=False, sharey="row"
    )
    bounds = activations.get(activation).bounds
    if bounds is None:
        top = max(float(np.max(np.abs(a))) for r in runs for a in r.activations)
        bounds = (-top, top)
    g_top = max(float(np.percentile(np.abs(g), 99.5)) for r in runs for g in r.gradients)
    with plotting.style():
        for c, run in enumerate(runs):
            for row, (values, rng_) in enumerate(
                ((run.activations, bounds), (run.gradients, (-g_top, g_top)))
            ):
                ax = axes[row][c]
                for k, v in enumerate(values):
                    look = _LOOKS[k]
                    ax.hist(
                        v,
                        bins=41,
                        range=rng_,
                        histtype="step",
                        density=True,
                        lw=2,
                        color=look["color"],
                        ls=look["ls"],
                        label=f"layer {k + 1}",
                    )
                ax.set_yticks([])
                ax.grid(False)
                ax.set_xticks([rng_[0], 0.0, rng_[1]])
                ax.xaxis.set_major_formatter(_SHORT_TICKS)
            axes[0][c].set_title(run.init.replace("_", " "))
            axes[1][c].set_xlabel("∂J/∂aℓ")
            axes[0][c].set_xlabel("aℓ")
        for row in axes:  # histograms of densities: the shapes compare, the ticks would not
            row[0].set_ylabel("density")
        axes[0][-1].legend(loc="upper right", fontsize=11, handlelength=1.8, borderaxespad=0)
    parts = []
    for run in runs:
        a_sd = ", ".join(f"{float(np.std(a)):.2g}" for a in run.activations)
        g_sd = ", ".join(f"{float(np.std(g)):.2g}" for g in run.gradients)
        parts.append(f"{run.init}: activation std by layer {a_sd}; gradient std by layer {g_sd}")
    alt = (
        f"Histograms of the hidden activations (top row) and of the gradients reaching them "
        f"(bottom row) of a {depth}-layer {activation} network of width {width} at "
        f"initialization, one outlined curve per hidden layer, one column per initialization. "
        f"{'; '.join(parts)}."
    )
    narrowing = []
    for run in runs:
        a_ratio = float(np.std(run.activations[0]) / np.std(run.activations[-1]))
        g_ratio = float(np.std(run.gradients[-1]) / np.std(run.gradients[0]))
        narrowing.append(f"`{run.init}`: activations {a_ratio:.2g}×, gradients {g_ratio:.2g}×")
    caption = (
        "After Glorot and Bengio (2010): with the old U(−1/√n, 1/√n) the activations narrow "
        "layer by layer and the gradients shrink towards the input; their normalized "
        "initialization narrows both far less. Std of the first hidden layer over the last's "
        f"(activations) and of the last over the first's (gradients): {'; '.join(narrowing)}."
    )
    return plotting.show(fig, alt, caption, label="fig-layer-histograms")


_SHORT_TICKS = FuncFormatter(lambda v, _pos: f"{v:.2g}".replace("-", "\u2212"))
