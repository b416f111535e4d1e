"""Chapter 5: where gradients explode (recurrent networks) and what clipping does about it.

Two studies, each a function that returns numbers and a ``plot_*`` that draws them.

**Gradients through time.** Backpropagation through time multiplies ``dL/dh_t`` by one
factor ``diag(phi'(z_t)) W_hh`` per step back (see :mod:`gradlab.rnn`), so

.. math:: \\frac{\\|\\partial L / \\partial h_t\\|}{\\|\\partial L / \\partial h_T\\|}
          \\le (\\gamma\\, \\sigma_{\\max})^{T - t}

with ``gamma = sup |phi'|`` (1 for tanh, 1/4 for sigmoid). :func:`temporal_gradient_norms`
measures the left side for a recurrent matrix with ``sigma_max = ratio / gamma``: below
``ratio = 1`` (``sigma_max < 1/gamma``) the bound forces vanishing (Pascanu, Mikolov and
Bengio 2013: sufficient); above it exploding becomes *possible* (necessary), not certain.
:func:`unexcited_direction` and ``bias``/``input_std`` build cases above ``1/gamma`` that
still vanish. :func:`finite_difference_check` checks BPTT's ``dL/dh_t`` against central
differences; :func:`operating_point` says where the units sit (mean ``|h|`` and ``phi'``).

**Training with and without clipping** on the adding problem (:func:`clipping_runs`,
:func:`threshold_sweep`, :func:`vanishing_runs`), with :func:`gradlab.train.train`.

References
----------
Bengio, Y., Simard, P., Frasconi, P. (1994). Learning long-term dependencies with gradient
descent is difficult. *IEEE Transactions on Neural Networks* 5(2), 157-166.
Pascanu, R., Mikolov, T., Bengio, Y. (2013). On the difficulty of training recurrent neural
networks. *ICML*, PMLR 28(3), 1310-1318 (section 3.2: the threshold heuristic).
Hochreiter, S., Schmidhuber, J. (1997). Long short-term memory. *Neural Computation* 9(8).
"""

from __future__ import annotations

import functools
import math
import pathlib
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
from matplotlib.ticker import NullFormatter

from . import clipping, data, plotting, rnn, store
from ._validation import check_choice, check_int, check_real
from .gradcheck import relative_error
from .network import mse
from .seeds import SEEDS, SeedSummary, over_seeds, summarize
from .train import History, train

__all__ = [
    "ACTIVATIONS",
    "TemporalGradients",
    "temporal_gradient_norms",
    "TemporalProbe",
    "unexcited_direction",
    "finite_difference_check",
    "OperatingPoint",
    "operating_point",
    "TemporalSummary",
    "temporal_over_seeds",
    "ABOVE_CASES",
    "above_threshold",
    "above_threshold_over_seeds",
    "stored_over_seeds",
    "stored_best_thresholds",
    "plot_temporal_gradients",
    "plot_above_threshold",
    "AddingSetup",
    "ADDING",
    "ClippingRun",
    "run_adding",
    "clipping_runs",
    "threshold_sweep",
    "vanishing_runs",
    "VANISHING",
    "STORED_THRESHOLDS",
    "STORED_SEEDS",
    "ADDING_CACHE",
    "precompute_adding",
    "stored_adding",
    "stored_vanishing_runs",
    "plot_clipping_runs",
    "plot_threshold_sweep",
    "plot_vanishing_runs",
]

#: The activations of the chapter (``gamma`` from :func:`gradlab.rnn.derivative_bound`).
ACTIVATIONS = ("tanh", "sigmoid")


# --- gradients through time ---------------------------------------------------------------


class TemporalGradients(NamedTuple):
    """``||dL/dh_t||`` over ``t = 0..T`` for one recurrent network (see the module docstring).

    Attributes
    ----------
    label
        What the case is ("orthogonal", "unexcited direction", ...).
    activation, gamma
        The activation and ``sup |phi'|``.
    ratio
        ``gamma * sigma_max(W_hh)``: 1 is Pascanu et al.'s threshold.
    length
        ``T``, the number of steps.
    input_std, bias
        The inputs' scale and the units' bias.
    norms
        ``||dL/dh_t||`` (Frobenius norm over the batch), ``t = 0..T``.
    check
        :func:`gradlab.rnn.pascanu_check` of the network.
    """

    label: str
    activation: str
    gamma: float
    ratio: float
    length: int
    input_std: float
    bias: float
    norms: np.ndarray
    check: rnn.PascanuCheck

    @property
    def relative(self) -> np.ndarray:
        """``||dL/dh_t|| / ||dL/dh_T||``, 1 at ``t = T``."""
        return self.norms / self.norms[-1]

    @property
    def bound(self) -> np.ndarray:
        """Pascanu et al.'s bound on :attr:`relative`: ``ratio**(T - t)``."""
        return self.ratio ** (self.length - np.arange(self.length + 1, dtype=float))

    @property
    def decades(self) -> float:
        """``log10(||dL/dh_0|| / ||dL/dh_T||)``: negative if the gradient vanishes back in time."""
        with np.errstate(all="ignore"):
            return float(np.log10(self.norms[0] / self.norms[-1]))

    @property
    def factor_per_step(self) -> float:
        """The geometric-mean factor per step back, ``10**(decades / T)``."""
        return 10.0 ** (self.decades / self.length)

    @property
    def within_bound(self) -> bool:
        """Whether every ``relative[t] <= bound[t]`` (up to rounding): the theorem holds."""
        return bool(np.all(self.relative <= self.bound * (1.0 + 1e-9)))

    @property
    def behaviour(self) -> str:
        """``"vanishes"`` (a factor below 0.9 per step), ``"explodes"`` (above 1.1), else
        ``"neither"``."""
        f = self.factor_per_step
        return "vanishes" if f < 0.9 else "explodes" if f > 1.1 else "neither"


def _network(
    activation: str,
    ratio: float,
    length: int,
    hidden_size: int,
    batch_size: int,
    input_std: float,
    bias: float,
    seed: int,
) -> tuple[rnn.RNN, np.ndarray, np.ndarray]:
    """The network (orthogonal ``W_hh`` with every singular value ``ratio / gamma``) and data.

    One generator, seeded with ``seed``, draws the network (``W_hh``, ``W_xh``, ``W_hy``, in
    :class:`~gradlab.rnn.RNN`'s order) and then the inputs ``N(0, input_std^2)`` of shape
    ``(batch, T, 2)`` and the targets ``N(0, 1)``: every ``ratio`` uses the same orthogonal
    matrix, scaled.
    """
    rng = np.random.default_rng(seed)
    gamma = rnn.derivative_bound(activation)
    net = rnn.RNN(2, hidden_size, 1, activation, recurrent_scale=ratio / gamma, rng=rng)
    net.b[:] = bias
    X = input_std * rng.standard_normal((batch_size, length, 2))
    y = rng.standard_normal((batch_size, 1))
    return net, X, y


def _check_common(activation, ratio, length, hidden_size, batch_size, input_std, bias, seed):
    activation = check_choice(activation, "activation", ACTIVATIONS)
    ratio = check_real(ratio, "ratio", minimum=0.0, strict_minimum=True)
    length = check_int(length, "length", minimum=1)
    hidden_size = check_int(hidden_size, "hidden_size", minimum=2)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    input_std = check_real(input_std, "input_std", minimum=0.0)
    bias = check_real(bias, "bias")
    seed = check_int(seed, "seed", minimum=0)
    return activation, ratio, length, hidden_size, batch_size, input_std, bias, seed


def temporal_gradient_norms(
    activation: str = "tanh",
    ratio: float = 1.0,
    length: int = 50,
    *,
    hidden_size: int = 32,
    batch_size: int = 8,
    input_std: float = 0.5,
    bias: float = 0.0,
    seed: int = 0,
) -> TemporalGradients:
    """``||dL/dh_t||`` over time for an RNN whose ``W_hh`` has ``sigma_max = ratio / gamma``.

    The network is :class:`gradlab.rnn.RNN` with an orthogonal recurrent matrix times
    ``ratio / gamma`` (all its singular values equal ``sigma_max``), every unit's bias
    ``bias``, inputs ``N(0, input_std^2)`` over ``length`` steps and a mean-squared-error
    readout of the last state; the norms are BPTT's
    (:attr:`gradlab.rnn.RNNGradients.hidden_grad_norms`). The measured ratio obeys

    .. math:: \\|\\partial L/\\partial h_t\\| / \\|\\partial L/\\partial h_T\\|
              \\le \\text{ratio}^{T - t}

    (:attr:`TemporalGradients.bound`). Saturation (large inputs, a large bias, or sigmoid's
    outputs, which sit around 1/2 and push ``z`` away from 0) makes ``|phi'|`` smaller than
    ``gamma``, so the measurement falls below the bound.

    Parameters
    ----------
    activation : {"tanh", "sigmoid"}
    ratio : float
        ``gamma sigma_max(W_hh)`` (> 0); 1 is the threshold ``sigma_max = 1/gamma``.
    length : int
        ``T`` (>= 1).
    hidden_size, batch_size : int
        Units (>= 2) and sequences (>= 1).
    input_std, bias : float
        Scale of the inputs (>= 0) and the units' bias.
    seed : int
        Seeds the network and the data.
    """
    args = _check_common(activation, ratio, length, hidden_size, batch_size, input_std, bias, seed)
    net, X, y = _network(*args)
    norms = net.loss_and_gradients(X, y).hidden_grad_norms
    gamma = rnn.derivative_bound(args[0])
    return TemporalGradients(
        "orthogonal",
        args[0],
        gamma,
        args[1],
        args[2],
        args[5],
        args[6],
        norms,
        net.pascanu_check(),
    )


class TemporalProbe:
    """:func:`temporal_gradient_norms` for many ratios of one network and its data.

    ``temporal_gradient_norms(activation, ratio, length, **kw)`` draws the network and the
    data anew for every ``ratio``, although only the scale of ``W_hh`` changes with it: the
    same generator draws an orthogonal ``Q``, then ``W_xh``, ``W_hy`` and the data, whatever
    the ratio, and ``W_hh = (ratio / gamma) Q``. A probe draws them once (in that order), and
    :meth:`measure` runs BPTT at one ratio computing only ``||dL/dh_t||``: the forward pass
    with the same operations, in the same order, as :meth:`gradlab.rnn.RNN.forward`, then
    the backward recursion ``dL/dh_{t-1} = W_hh^T diag(phi'(z_t)) dL/dh_t`` with every
    ``phi'(z_t)`` computed in one call and the norms in one reduction. The results equal
    :func:`temporal_gradient_norms`'s to a relative 1e-12 (tested), at a fraction of the
    cost (no weight gradients, no new network). The explorer of Chapter 5 uses it.

    Parameters
    ----------
    activation, length, hidden_size, batch_size, input_std, bias, seed
        As in :func:`temporal_gradient_norms`.
    """

    def __init__(
        self,
        activation: str = "tanh",
        length: int = 50,
        *,
        hidden_size: int = 32,
        batch_size: int = 8,
        input_std: float = 0.5,
        bias: float = 0.0,
        seed: int = 0,
    ) -> None:
        args = _check_common(
            activation, 1.0, length, hidden_size, batch_size, input_std, bias, seed
        )
        self.activation, _, self.length, _, _, self.input_std, self.bias, _ = args
        self.gamma = rnn.derivative_bound(self.activation)
        net, X, self._y = _network(*args[:1], self.gamma, *args[2:])  # W_hh = Q exactly
        self._Q, self._net = net.W_hh, net
        self._inputs = X @ net.W_xh.T  # W_xh x_t for every t, as RNN.forward computes it

    def measure(self, ratio: float) -> TemporalGradients:
        """:func:`temporal_gradient_norms` at ``ratio`` (> 0) for this probe's settings."""
        ratio = check_real(ratio, "ratio", minimum=0.0, strict_minimum=True)
        net, act, T = self._net, self._net.activation, self.length
        W_hh = (ratio / self.gamma) * self._Q
        h = np.zeros((self._inputs.shape[0], net.hidden_size))
        Z = np.empty((T, *h.shape))  # z_1 .. z_T
        G = np.empty((T + 1, *h.shape))  # dL/dh_0 .. dL/dh_T
        with np.errstate(all="ignore"):
            for t in range(T):
                Z[t] = h @ W_hh.T + self._inputs[:, t] + net.b
                h = act.forward(Z[t])
            D = act.derivative(Z)  # every step's phi'(z_t) in one call
            G[T] = mse(h @ net.W_hy.T + net.b_y, self._y)[1] @ net.W_hy
            for t in range(T, 0, -1):
                G[t - 1] = (G[t] * D[t - 1]) @ W_hh
            squares = np.einsum("tij,tij->t", G, G)
        norms = np.sqrt(squares)
        for t in np.flatnonzero(~((squares > 1e-280) & (squares < math.inf))):
            norms[t] = clipping.frobenius_norm(G[t])  # rescaled: no overflow or underflow
        check = rnn.pascanu_check(W_hh, act)
        return TemporalGradients(
            "orthogonal", self.activation, self.gamma, ratio, T, self.input_std, self.bias,
            norms, check,
        )  # fmt: skip


def unexcited_direction(
    activation: str = "tanh",
    ratio: float = 2.0,
    length: int = 50,
    *,
    other_ratio: float = 0.5,
    hidden_size: int = 32,
    batch_size: int = 8,
    input_std: float = 0.5,
    seed: int = 0,
) -> TemporalGradients:
    """A recurrent matrix above ``1/gamma`` whose large direction the gradient never reaches.

    ``W_hh = diag(ratio, other_ratio, ..., other_ratio) / gamma`` (so ``sigma_max =
    ratio / gamma``) and the readout ignores unit 0 (``W_hy[:, 0] = 0``). Each step back
    multiplies ``dL/dh`` by ``diag(phi') W_hh``, which is diagonal: coordinate 0 of the
    gradient starts at 0 and stays 0, and every other coordinate shrinks by at least
    ``other_ratio`` per step. So the gradient vanishes like ``other_ratio**(T - t)`` although
    ``sigma_max > 1/gamma``: the condition is necessary for exploding, not sufficient.
    """
    activation, ratio, length, hidden_size, batch_size, input_std, _, seed = _check_common(
        activation, ratio, length, hidden_size, batch_size, input_std, 0.0, seed
    )
    other = check_real(other_ratio, "other_ratio", minimum=0.0, strict_minimum=True)
    if other >= ratio:
        raise ValueError(f"other_ratio must be below ratio ({ratio}), got {other}")
    net, X, y = _network(activation, ratio, length, hidden_size, batch_size, input_std, 0.0, seed)
    gamma = rnn.derivative_bound(activation)
    diagonal = np.full(hidden_size, other / gamma)
    diagonal[0] = ratio / gamma
    W_hy = net.W_hy.copy()
    W_hy[:, 0] = 0.0
    net = rnn.RNN.from_arrays(net.W_xh, np.diag(diagonal), net.b, W_hy, net.b_y, activation)
    norms = net.loss_and_gradients(X, y).hidden_grad_norms
    return TemporalGradients(
        "unexcited direction",
        activation,
        gamma,
        ratio,
        length,
        input_std,
        0.0,
        norms,
        net.pascanu_check(),
    )


def _loss_from_state(net: rnn.RNN, X: np.ndarray, y: np.ndarray, t: int, h: np.ndarray) -> float:
    """The loss when the state at step ``t`` is ``h``: the recurrence run on from ``t + 1``."""
    for s in range(t, X.shape[1]):  # X[:, s] is x_{s+1}
        h = net.activation.forward(h @ net.W_hh.T + X[:, s] @ net.W_xh.T + net.b)
    y_hat = h @ net.W_hy.T + net.b_y
    return float(np.mean((y_hat - y) ** 2))


def _hidden_gradients(net: rnn.RNN, X: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """BPTT's full ``dL/dh_t``, ``t = 0..T``, each ``(batch, hidden)``: the recursion of
    :meth:`gradlab.rnn.RNN.loss_and_gradients`, ``dL/dh_{t-1} = (dL/dh_t * phi'(z_t)) W_hh``,
    from ``dL/dh_T = (dL/dy_hat) W_hy``, kept as vectors instead of norms."""
    y_hat = net.forward(X)
    target = np.asarray(y, dtype=np.float64).reshape(y_hat.shape)
    _, d_out = mse(y_hat, target)
    grad_h = d_out @ net.W_hy
    grads = [grad_h]
    for t in range(X.shape[1], 0, -1):
        grad_h = (grad_h * net.activation.derivative(net.pre_activations[t - 1])) @ net.W_hh
        grads.append(grad_h)
    return grads[::-1]


def finite_difference_check(
    activation: str = "tanh",
    ratio: float = 1.0,
    length: int = 12,
    *,
    steps: Sequence[int] | None = None,
    hidden_size: int = 6,
    batch_size: int = 3,
    input_std: float = 0.5,
    bias: float = 0.0,
    seed: int = 0,
    h: float = 1e-6,
) -> float:
    """Largest relative error between BPTT's ``dL/dh_t`` and central differences.

    For each ``t`` in ``steps`` (default ``0, T/2, T``) the loss is written as a function of
    the state ``h_t`` alone (the recurrence run on from ``t + 1``), and its gradient computed
    by :func:`gradlab.gradcheck.numerical_gradient`. Two errors are measured
    (:func:`gradlab.gradcheck.relative_error`), and the larger is returned: the full vector
    ``dL/dh_t`` (every unit of every sequence) against BPTT's, and its norm against the norm
    :attr:`gradlab.rnn.RNNGradients.hidden_grad_norms` reports, the number the chapter plots.
    A correct BPTT gives about 1e-9 or less.

    References
    ----------
    Werbos, P. J. (1990). Backpropagation through time: what it does and how to do it.
    *Proceedings of the IEEE* 78(10), 1550-1560.
    """
    args = _check_common(activation, ratio, length, hidden_size, batch_size, input_std, bias, seed)
    from .gradcheck import numerical_gradient

    net, X, y = _network(*args)
    norms = net.loss_and_gradients(X, y).hidden_grad_norms
    vectors = _hidden_gradients(net, X, y)
    T = args[2]
    chosen = [0, T // 2, T] if steps is None else [check_int(s, "steps", minimum=0) for s in steps]
    if any(s > T for s in chosen):
        raise ValueError(f"steps must be in 0..{T}, got {list(chosen)}")
    errors = []
    for t in chosen:
        state = net.hidden_states[t].copy()
        grad = numerical_gradient(lambda H, t=t: _loss_from_state(net, X, y, t, H), state, h)
        errors.append(relative_error(grad, vectors[t]))
        errors.append(relative_error(np.linalg.norm(grad), norms[t]))
    return max(errors)


class OperatingPoint(NamedTuple):
    """Where the units of a recurrent network sit, averaged from step ``start`` to ``T``.

    Attributes
    ----------
    mean_abs_state
        The mean of ``|h_t|`` over units, sequences and steps ``t = start..T``.
    mean_slope
        The mean of ``phi'(z_t)`` over the same entries: the average diagonal of ``D_t``,
        which multiplies the gradient at each step back.
    start
        The first step averaged (the early steps are the transient from ``h_0 = 0``).
    rms_slope
        The root mean square of ``phi'(z_t)`` over the same entries as :attr:`mean_slope`:
        what multiplies the norm of a gradient spread evenly over the units (a norm is a root
        mean square), at least the mean (Jensen's inequality).
    effective_slope
        The slope the gradient actually meets, over every step back ``t = T..1``: the
        geometric mean of ``||G_t * phi'(z_t)|| / ||G_t||``, with ``G_t = dL/dh_t`` (batch by
        units, Frobenius norms). A mean of ``phi'`` weighted by where the gradient is: with an
        orthogonal ``W_hh`` scaled to ``sigma_max``, each step back multiplies ``||G_t||`` by
        exactly ``sigma_max`` times this ratio, so the measured factor per step is
        ``sigma_max * effective_slope``.
    """

    mean_abs_state: float
    mean_slope: float
    start: int
    effective_slope: float = math.nan
    rms_slope: float = math.nan


def operating_point(
    activation: str = "tanh",
    ratio: float = 1.0,
    length: int = 50,
    *,
    start: int = 10,
    hidden_size: int = 32,
    batch_size: int = 8,
    input_std: float = 0.5,
    bias: float = 0.0,
    seed: int = 0,
) -> OperatingPoint:
    """Mean ``|h_t|`` and mean ``phi'(z_t)`` of :func:`temporal_gradient_norms`'s network.

    The same network and inputs as :func:`temporal_gradient_norms` with the same arguments,
    run forward; the averages are over units, sequences and steps ``t = start..T``:

    .. math:: \\overline{|h|} = \\operatorname{mean}_{t \\ge t_0} |h_t|, \\qquad
              \\overline{\\phi'} = \\operatorname{mean}_{t \\ge t_0} \\phi'(z_t)

    Each step back multiplies the gradient by ``W_hh^T D_t`` with ``D_t = diag(phi'(z_t))``,
    so a mean slope well below ``gamma`` is why a gradient stays far under Pascanu et al.'s
    bound ``(gamma sigma_max)^(T - t)`` (Pascanu, Mikolov and Bengio 2013). But a norm is a
    root mean square: a gradient spread evenly over the units is multiplied at each step by
    ``sigma_max`` times the *root mean square* of ``phi'`` (:attr:`OperatingPoint.rms_slope`),
    which is at least its mean. :attr:`OperatingPoint.effective_slope` weights ``phi'`` by the
    gradient's own entries,

    .. math:: s_{\\text{eff}} = \\Big(\\prod_{t=1}^{T}
              \\frac{\\|G_t \\odot \\phi'(z_t)\\|}{\\|G_t\\|}\\Big)^{1/T},

    and with an orthogonal ``W_hh`` the gradient changes by exactly ``sigma_max s_eff`` per
    step back (an identity: ``||G_{t-1}|| = sigma_max ||G_t * phi'(z_t)||``).

    Parameters
    ----------
    activation, ratio, length, hidden_size, batch_size, input_std, bias, seed
        As in :func:`temporal_gradient_norms`.
    start : int
        The first step averaged, ``1 <= start <= length``.
    """
    args = _check_common(activation, ratio, length, hidden_size, batch_size, input_std, bias, seed)
    start = check_int(start, "start", minimum=1)
    if start > args[2]:
        raise ValueError(f"start must be at most length ({args[2]}), got {start}")
    net, X, y = _network(*args)
    grads = _hidden_gradients(net, X, y)  # runs the forward pass too: G_t = dL/dh_t
    states = np.stack(net.hidden_states[start:])  # h_start .. h_T
    slopes = np.stack([net.activation.derivative(z) for z in net.pre_activations[start - 1 :]])
    ratios = [
        np.linalg.norm(grads[t] * net.activation.derivative(net.pre_activations[t - 1]))
        / np.linalg.norm(grads[t])
        for t in range(1, len(grads))
    ]
    effective = float(np.exp(np.mean(np.log(ratios))))
    return OperatingPoint(
        float(np.mean(np.abs(states))),
        float(np.mean(slopes)),
        start,
        effective,
        float(np.sqrt(np.mean(slopes**2))),
    )


class TemporalSummary(NamedTuple):
    """One setting of :func:`temporal_gradient_norms` (or :func:`unexcited_direction`) over
    several random networks (seeds).

    Attributes
    ----------
    decades
        :attr:`TemporalGradients.decades` per seed: median and range.
    within_bound
        In how many seeds every step stays under Pascanu et al.'s bound.
    explodes, vanishes
        In how many seeds :attr:`TemporalGradients.behaviour` is ``"explodes"`` (a factor above
        1.1 per step) or ``"vanishes"`` (below 0.9).
    """

    decades: SeedSummary
    within_bound: int
    explodes: int
    vanishes: int
    length: int
    ratio: float = math.nan

    @property
    def bound(self) -> float:
        """Pascanu et al.'s bound over the whole sequence, in decades: ``T log10(ratio)``."""
        return self.length * math.log10(self.ratio)

    def describe(self) -> str:
        """``"-9.43 (-9.87 to -8.66); -4.85, 5 of 5 within"``: the decades (median and range),
        the bound in decades, and how many networks stay under it at every step."""
        return (
            f"{self.decades:+.2f}; {self.bound:+.2f},"
            f" {self.within_bound} of {self.decades.n} within"
        )

    @property
    def factor_per_step(self) -> SeedSummary:
        """The geometric-mean factor per step back, ``10**(decades / T)``, per seed."""
        return SeedSummary(10.0 ** (self.decades.values / self.length), self.decades.seeds)


def temporal_over_seeds(
    case: Callable[..., TemporalGradients], *args: object, seeds: Sequence[int] = SEEDS, **kwargs
) -> TemporalSummary:
    """``case(*args, seed=s, **kwargs)`` for every seed, summarised.

    ``case`` is :func:`temporal_gradient_norms` or :func:`unexcited_direction`: one random
    network per seed (its weights, inputs and targets). The decades are summarised by
    :func:`gradlab.seeds.summarize` (median and range); the bound and the behaviour are
    counted.
    """
    if case not in (temporal_gradient_norms, unexcited_direction):
        raise TypeError("case must be temporal_gradient_norms or unexcited_direction")
    runs = [case(*args, seed=s, **kwargs) for s in seeds]
    return TemporalSummary(
        summarize([r.decades for r in runs], tuple(seeds)),
        sum(r.within_bound for r in runs),
        sum(r.behaviour == "explodes" for r in runs),
        sum(r.behaviour == "vanishes" for r in runs),
        runs[0].length,
        runs[0].ratio,
    )


#: The four networks above the threshold of section 5.1: (case, keyword arguments).
ABOVE_CASES: tuple[tuple[Callable[..., TemporalGradients], dict[str, float]], ...] = (
    (temporal_gradient_norms, {"input_std": 0.1}),
    (temporal_gradient_norms, {"bias": 3.0}),
    (temporal_gradient_norms, {"input_std": 2.0}),
    (unexcited_direction, {}),
)


def above_threshold(
    ratio: float = 2.0, length: int = 50, *, seed: int = 0
) -> list[TemporalGradients]:
    """The tanh networks of :data:`ABOVE_CASES` at ``gamma sigma_max = ratio``, one seed:
    small inputs, a bias of 3, large inputs, and the unexcited direction."""
    return [case("tanh", ratio, length, seed=seed, **kw) for case, kw in ABOVE_CASES]


def above_threshold_over_seeds(
    ratio: float = 2.0, length: int = 50, *, seeds: Sequence[int] = SEEDS
) -> list[TemporalSummary]:
    """:func:`above_threshold`'s cases over ``seeds`` (:func:`temporal_over_seeds`)."""
    return [
        temporal_over_seeds(case, "tanh", ratio, length, seeds=seeds, **kw)
        for case, kw in ABOVE_CASES
    ]


def _log10(x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.log10(x)


def plot_temporal_gradients(
    runs: Sequence[TemporalGradients],
) -> plotting.FigureView:
    """One panel per activation: ``log10 ||dL/dh_t|| / ||dL/dh_T||`` against the steps back
    ``T - t``, solid for the measurement, dashed for the bound ``ratio**(T - t)``."""
    if not runs or not all(isinstance(r, TemporalGradients) for r in runs):
        raise TypeError("runs must be a non-empty list of TemporalGradients")
    acts = list(dict.fromkeys(r.activation for r in runs))
    colours = [plotting.COLORS[k] for k in ("blue", "orange", "red", "green", "purple")]
    ratios = sorted({r.ratio for r in runs})
    colour_of = {q: colours[i % len(colours)] for i, q in enumerate(ratios)}
    with plotting.style():
        fig, axes = plotting.new_figure(height=3.9, ncols=len(acts), sharey=True)
        axes = np.atleast_1d(axes)
        for ax, act in zip(axes, acts, strict=True):
            for r in (r for r in runs if r.activation == act):
                back = r.length - np.arange(r.length + 1)
                c = colour_of[r.ratio]
                ax.plot(back, _log10(r.relative), color=c, lw=2, label=f"γσ = {r.ratio:g}")
                ax.plot(back, _log10(r.bound), color=c, lw=1.2, ls="--")
            ax.set_title(f"{act}, γ = {rnn.derivative_bound(act):g}")
            ax.set_xlabel("steps back, T − t")
            ax.axhline(0.0, color=plotting.COLORS["grey"], lw=1)
        axes[0].set_ylabel("log10 ‖∂L/∂h_t‖ / ‖∂L/∂h_T‖")
        # Measurements and bounds both in view.
        lo = min(float(np.nanmin(_log10(r.relative))) for r in runs)
        hi = max(float(np.nanmax(np.r_[_log10(r.relative), _log10(r.bound)])) for r in runs)
        axes[0].set_ylim(min(lo, -1.0) - 1.0, max(hi, 1.0) + 1.0)
        fig.legend(
            *axes[0].get_legend_handles_labels(), loc="outside upper center", ncol=len(ratios)
        )
    parts = [
        f"{r.activation} at γσ = {r.ratio:g}: {r.decades:+.1f} decades over {r.length} steps "
        f"(bound {r.length * math.log10(r.ratio):+.1f})"
        for r in runs
    ]
    alt = (
        "Log-scale plots of the gradient norm with respect to the hidden state, relative to the "
        "last step, against the number of steps back, one panel per activation, with dashed "
        "straight lines for Pascanu et al.'s bound: " + "; ".join(parts) + "."
    )
    caption = (
        "The gradient reaching step $t$ of a recurrent network, relative to the last step, for "
        "recurrent matrices whose largest singular value is below, at and above $1/\\gamma$ "
        "(solid), with Pascanu et al.'s bound $(\\gamma\\sigma_{\\max})^{T-t}$ (dashed), one "
        "network per setting (seed 0): every measurement stays under its bound."
    )
    return plotting.show(fig, alt, caption, label="fig-temporal-gradients")


def plot_above_threshold(runs: Sequence[TemporalGradients]) -> plotting.FigureView:
    """Cases with ``sigma_max > 1/gamma``: ``log10`` relative norms against the steps back,
    one line per case, labelled at its end; the bound of the first case dashed."""
    if not runs or not all(isinstance(r, TemporalGradients) for r in runs):
        raise TypeError("runs must be a non-empty list of TemporalGradients")
    colours = [plotting.COLORS[k] for k in ("red", "blue", "green", "purple", "orange")]
    styles = ["-", "-.", ":", "-", "-."]
    with plotting.style():
        fig, ax = plotting.new_figure(height=3.8)
        ends = []
        for i, r in enumerate(runs):
            back = r.length - np.arange(r.length + 1)
            y = _log10(r.relative)
            ax.plot(back, y, color=colours[i % 5], ls=styles[i % 5], lw=2)
            ends.append((float(y[0]), _short_label(r), colours[i % 5]))
        first = runs[0]
        ax.plot(
            first.length - np.arange(first.length + 1),
            _log10(first.bound),
            color=plotting.COLORS["grey"],
            ls="--",
            lw=1.2,
        )
        ax.axhline(0.0, color=plotting.COLORS["grey"], lw=1)
        ax.set_xlabel("steps back, T − t")
        ax.set_ylabel("log10 ‖∂L/∂h_t‖ / ‖∂L/∂h_T‖")
        T = max(r.length for r in runs)
        ax.set_xlim(0, T)
        lo = min(float(np.nanmin(_log10(r.relative))) for r in runs)
        hi = max(float(np.nanmax(_log10(r.relative))) for r in runs)
        ax.set_ylim(lo - 1.0, max(hi, 1.0) + 1.0)
        top = first.length * math.log10(first.ratio)
        leaves = f",\nup to {top:+.1f} at T − t = {first.length}" if top > hi + 1.0 else ""
        ax.text(  # bottom left: clear of the lines, which all start at (0, 0)
            0.02,
            0.03,
            f"dashed: bound (γσ)^(T−t), γσ = {first.ratio:g}{leaves}",
            transform=ax.transAxes,
            va="bottom",
            color=plotting.COLORS["grey"],
        )
        plotting.label_line_ends(ax, ends)
    parts = [f"{_short_label(r)}: {r.decades:+.1f} decades ({r.behaviour})" for r in runs]
    alt = (
        "Log-scale plot of the gradient norm with respect to the hidden state, relative to the "
        "last step, against the steps back, for recurrent networks whose largest singular "
        "value is above 1/γ: " + "; ".join(parts) + "."
    )
    caption = (
        "Above 1/γ the gradient may explode, but need not: saturated units and a large "
        "direction the gradient never reaches both make it vanish (one network per case, seed "
        "0). The condition is necessary for exploding, not sufficient."
    )
    return plotting.show(fig, alt, caption, label="fig-above-threshold")


def _short_label(r: TemporalGradients) -> str:
    if r.label == "unexcited direction":
        return "unexcited"
    if r.bias:
        return f"bias {r.bias:g}"
    return f"inputs {r.input_std:g}"


# --- training with and without clipping ---------------------------------------------------


class AddingSetup(NamedTuple):
    """The adding-problem run of the chapter (see :func:`run_adding`)."""

    length: int = 20
    n_samples: int = 256
    hidden_size: int = 32
    recurrent_scale: float = 2.0
    lr: float = 0.05
    momentum: float = 0.9
    epochs: int = 40
    batch_size: int = 32


#: The chapter's setting: a tanh RNN with ``gamma sigma_max = 2`` on sequences of 20 steps,
#: SGD with momentum 0.9 (lr 0.05), 40 epochs of 8 minibatches (320 steps).
ADDING = AddingSetup()


class ClippingRun(NamedTuple):
    """One training run: its clipping threshold (None for none) and its :class:`History`."""

    threshold: float | None
    seed: int
    history: History

    @property
    def label(self) -> str:
        return "no clipping" if self.threshold is None else f"clip at {self.threshold:g}"

    @property
    def final_loss(self) -> float:
        """Mean minibatch loss over the last epoch (``nan`` if training diverged)."""
        if self.history.diverged:
            return math.nan
        steps = math.ceil(ADDING.n_samples / ADDING.batch_size)
        return float(np.mean(self.history.loss[-steps:]))


def run_adding(
    threshold: float | None = None,
    *,
    seed: int = 0,
    setup: AddingSetup = ADDING,
) -> ClippingRun:
    """Train the chapter's RNN on the adding problem, clipping the global norm at ``threshold``.

    The data is :func:`gradlab.data.adding_problem` (seed 0, the same for every run); the
    network is ``RNN(2, hidden, 1, "tanh", recurrent_scale=...)`` seeded with ``seed``;
    training is :func:`gradlab.train.train` with the setup's SGD settings and the shuffling
    seeded with ``seed``, ``clip="global_norm"`` unless ``threshold`` is None. Predicting
    the mean scores an MSE of 1/6, the baseline to beat.
    """
    if threshold is not None:
        threshold = check_real(threshold, "threshold", minimum=0.0, strict_minimum=True)
    seed = check_int(seed, "seed", minimum=0)
    if not isinstance(setup, AddingSetup):
        raise TypeError(f"setup must be an AddingSetup, got {type(setup).__name__}")
    X, y = data.adding_problem(setup.n_samples, setup.length, seed=0)
    net = rnn.RNN(2, setup.hidden_size, 1, "tanh", recurrent_scale=setup.recurrent_scale, seed=seed)
    history = train(
        net,
        X,
        y,
        epochs=setup.epochs,
        batch_size=setup.batch_size,
        lr=setup.lr,
        momentum=setup.momentum,
        clip=None if threshold is None else "global_norm",
        clip_threshold=1.0 if threshold is None else threshold,
        seed=seed,
        progress=False,
    )
    return ClippingRun(threshold, seed, history)


def clipping_runs(threshold: float | None = None, *, seed: int = 0) -> tuple[ClippingRun, ...]:
    """The unclipped run and a clipped one, same seeds; the threshold defaults to
    :func:`gradlab.clipping.suggest_threshold` of the unclipped run's norms."""
    plain = run_adding(None, seed=seed)
    if threshold is None:
        threshold = clipping.suggest_threshold(plain.history.global_grad_norm)
    return plain, run_adding(threshold, seed=seed)


def threshold_sweep(
    thresholds: Sequence[float | None] = (None, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0),
    *,
    seeds: Sequence[int] = (0,),
) -> list[ClippingRun]:
    """:func:`run_adding` for every threshold and seed (None: no clipping)."""
    return [run_adding(t, seed=s) for t in thresholds for s in seeds]


def vanishing_runs(
    threshold: float = 0.1, *, recurrent_scale: float = 0.5, length: int = 50, seed: int = 0
) -> tuple[ClippingRun, ClippingRun, TemporalGradients]:
    """Clipping against *vanishing* gradients: the same run with and without it.

    A tanh RNN with ``recurrent_scale`` below 1 on adding sequences of ``length`` steps:
    the gradient reaching the early steps is tiny, the loss stays near the baseline 1/6 with
    or without clipping (global clipping only ever multiplies the whole gradient by a factor
    <= 1, so it cannot enlarge a small part of it). Also returns the untrained network's
    ``||dL/dh_t||`` (:func:`temporal_gradient_norms` at ``ratio = recurrent_scale``).
    """
    scale = check_real(recurrent_scale, "recurrent_scale", minimum=0.0, strict_minimum=True)
    setup = ADDING._replace(length=check_int(length, "length", minimum=2), recurrent_scale=scale)
    plain = run_adding(None, seed=seed, setup=setup)
    clipped = run_adding(threshold, seed=seed, setup=setup)
    through_time = temporal_gradient_norms("tanh", scale, setup.length, seed=seed)
    return plain, clipped, through_time


# --- stored runs ------------------------------------------------------------------------------
#
# The adding-problem runs explode, so they are chaotic: a last-bit difference in one product
# (another CPU or BLAS kernel) gives another trajectory after a few dozen steps, and another
# final loss. The chapter therefore reads them from ADDING_CACHE, written once by
# precompute_adding (``make runs``) with this module's own run_adding; tests/test_store.py
# retrains the first steps of every stored run and compares.

#: The vanishing-gradient setting of section 5.7: sequences of 50 steps, ``gamma sigma = 0.5``.
VANISHING = ADDING._replace(length=50, recurrent_scale=0.5)
#: The thresholds stored for :data:`ADDING` (None: no clipping), plus ``"rule"`` (the median
#: rule of :func:`gradlab.clipping.suggest_threshold` applied to the unclipped run's norms).
STORED_THRESHOLDS: tuple[float | None, ...] = (None, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
#: The thresholds stored for :data:`VANISHING`.
STORED_VANISHING_THRESHOLDS: tuple[float | None, ...] = (None, 0.1)
#: Every stored run exists for each of these seeds (network and minibatch order).
STORED_SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4)
#: The file of stored runs.
ADDING_CACHE = store.CACHE_DIR / "adding_runs.npz"

_SETUPS = {"exploding": ADDING, "vanishing": VANISHING}
_HISTORY_ARRAYS = ("loss", "grad_norms", "global_grad_norm", "clipped")


def _store_spec() -> dict[str, object]:
    return {
        "format": 1,
        "setups": {name: setup._asdict() for name, setup in _SETUPS.items()},
        "thresholds": list(STORED_THRESHOLDS),
        "vanishing_thresholds": list(STORED_VANISHING_THRESHOLDS),
        "seeds": list(STORED_SEEDS),
        "rule": "suggest_threshold(global_grad_norm) of the unclipped run",
    }


def _store_key(setup: str, threshold: float | str | None, seed: int) -> str:
    if threshold is None:
        return f"{setup}/none/{seed}"
    text = threshold if isinstance(threshold, str) else repr(float(threshold))
    return f"{setup}/{text}/{seed}"


def _stored_plan() -> list[tuple[str, float | str | None, int]]:
    """Every stored run, as ``(setup name, threshold or "rule", seed)``."""
    plan: list[tuple[str, float | str | None, int]] = []
    for seed in STORED_SEEDS:
        plan += [("exploding", t, seed) for t in (*STORED_THRESHOLDS, "rule")]
        plan += [("vanishing", t, seed) for t in STORED_VANISHING_THRESHOLDS]
    return plan


def precompute_adding(path: str | pathlib.Path = ADDING_CACHE) -> pathlib.Path:
    """Train every stored run (:data:`STORED_THRESHOLDS` and the rule's threshold on
    :data:`ADDING`, :data:`STORED_VANISHING_THRESHOLDS` on :data:`VANISHING`, each for every
    seed in :data:`STORED_SEEDS`) with :func:`run_adding` and write them to ``path``.

    ``make runs`` calls this under the ``haswell`` CPU profile (``tools/cpu_profile.py``), so
    that any x86-64 machine with AVX2 regenerates the same bits.
    """
    arrays: dict[str, np.ndarray] = {}
    plain: dict[int, ClippingRun] = {}
    for setup_name, threshold, seed in _stored_plan():
        if threshold == "rule":
            value: float | None = clipping.suggest_threshold(plain[seed].history.global_grad_norm)
        else:
            value = threshold  # type: ignore[assignment]
        run = run_adding(value, seed=seed, setup=_SETUPS[setup_name])
        if setup_name == "exploding" and threshold is None:
            plain[seed] = run
        key = _store_key(setup_name, threshold, seed)
        h = run.history
        for field in _HISTORY_ARRAYS:
            arrays[f"{key}/{field}"] = np.asarray(getattr(h, field))
        arrays[f"{key}/threshold"] = np.array(math.nan if value is None else value)
        arrays[f"{key}/diverged_at"] = np.array(-1 if h.diverged_at is None else h.diverged_at)
        arrays[f"{key}/epochs"] = np.array(h.epochs)
        arrays[f"{key}/param_names"] = np.array(h.param_names)
        arrays[f"{key}/divergence"] = np.array(h.divergence or "")
    return store.save(path, arrays, _store_spec())


@functools.lru_cache(maxsize=1)
def _stored_arrays() -> dict[str, np.ndarray]:
    """The stored runs' arrays (read once; read-only, callers copy)."""
    return store.load(ADDING_CACHE, _store_spec())


def stored_adding(
    threshold: float | str | None = None, *, seed: int = 0, setup: str = "exploding"
) -> ClippingRun:
    """A stored :func:`run_adding` run: the same numbers on every machine.

    Parameters
    ----------
    threshold
        ``None`` (no clipping), one of :data:`STORED_THRESHOLDS` (``"exploding"``) or
        :data:`STORED_VANISHING_THRESHOLDS` (``"vanishing"``), or ``"rule"``: the threshold
        :func:`gradlab.clipping.suggest_threshold` gives for the stored unclipped run of that
        seed (exploding only).
    seed
        One of :data:`STORED_SEEDS`.
    setup
        ``"exploding"`` (:data:`ADDING`, section 5.5) or ``"vanishing"`` (:data:`VANISHING`,
        section 5.7).

    Returns
    -------
    ClippingRun
        What :func:`run_adding` returned when :func:`precompute_adding` ran it.
    """
    setup = check_choice(setup, "setup", tuple(_SETUPS))
    seed = check_int(seed, "seed", minimum=0)
    if seed not in STORED_SEEDS:
        raise ValueError(f"seed must be one of the stored seeds {STORED_SEEDS}, got {seed}")
    allowed = STORED_THRESHOLDS if setup == "exploding" else STORED_VANISHING_THRESHOLDS
    if isinstance(threshold, str):
        if threshold != "rule" or setup != "exploding":
            raise ValueError(f'threshold must be a number, None or "rule", got {threshold!r}')
        key_threshold: float | str | None = threshold
    elif threshold is None:
        key_threshold = None
    else:
        value = check_real(threshold, "threshold", minimum=0.0, strict_minimum=True)
        matches = [t for t in allowed if t is not None and math.isclose(t, value, rel_tol=1e-9)]
        if not matches:
            stored = ", ".join("None" if t is None else f"{t:g}" for t in allowed)
            raise ValueError(
                f"threshold {value:g} is not stored for the {setup} setting (stored: {stored}); "
                "train it with run_adding"
            )
        key_threshold = matches[0]
    arrays = _stored_arrays()
    key = _store_key(setup, key_threshold, seed)
    stored_threshold = float(arrays[f"{key}/threshold"])
    diverged_at = int(arrays[f"{key}/diverged_at"])
    history = History(
        loss=arrays[f"{key}/loss"].copy(),
        grad_norms=arrays[f"{key}/grad_norms"].copy(),
        global_grad_norm=arrays[f"{key}/global_grad_norm"].copy(),
        clipped=arrays[f"{key}/clipped"].copy(),
        param_names=[str(n) for n in arrays[f"{key}/param_names"]],
        diverged_at=None if diverged_at < 0 else diverged_at,
        divergence=str(arrays[f"{key}/divergence"]) or None,
        epochs=int(arrays[f"{key}/epochs"]),
    )
    return ClippingRun(None if math.isnan(stored_threshold) else stored_threshold, seed, history)


def stored_vanishing_runs(
    threshold: float = 0.1, *, seed: int = 0
) -> tuple[ClippingRun, ClippingRun, TemporalGradients]:
    """:func:`vanishing_runs` from the stored runs: the unclipped and clipped runs on
    :data:`VANISHING` and the untrained network's gradient through time (computed now: it is
    not chaotic)."""
    plain = stored_adding(None, seed=seed, setup="vanishing")
    clipped = stored_adding(threshold, seed=seed, setup="vanishing")
    through_time = temporal_gradient_norms(
        "tanh", VANISHING.recurrent_scale, VANISHING.length, seed=seed
    )
    return plain, clipped, through_time


def stored_over_seeds(
    threshold: float | str | None,
    measure: Callable[[ClippingRun], float],
    *,
    setup: str = "exploding",
    seeds: Sequence[int] = STORED_SEEDS,
) -> SeedSummary:
    """``measure(run)`` for the stored run at ``threshold`` of every seed (median and range).

    For example the final loss, ``lambda run: run.final_loss``, or the share of clipped
    steps, ``lambda run: np.mean(run.history.clipped)``.
    """
    if not callable(measure):
        raise TypeError(f"measure must be callable, got {type(measure).__name__}")
    seeds = tuple(seeds)
    return over_seeds(lambda s: measure(stored_adding(threshold, seed=s, setup=setup)), seeds)


def stored_best_thresholds(
    thresholds: Sequence[float] = STORED_THRESHOLDS[1:], *, seeds: Sequence[int] = STORED_SEEDS
) -> list[float]:
    """For each seed, the threshold among ``thresholds`` whose stored run ends with the lowest
    final loss (:attr:`ClippingRun.final_loss`)."""
    thresholds = list(thresholds)
    if not thresholds or None in thresholds:
        raise ValueError("thresholds must be a non-empty list of stored clipping thresholds")
    return [min(thresholds, key=lambda c, s=s: stored_adding(c, seed=s).final_loss) for s in seeds]


def _runs_check(runs: object) -> list[ClippingRun]:
    if (
        not isinstance(runs, Sequence)
        or not runs
        or not all(isinstance(r, ClippingRun) for r in runs)
    ):
        raise TypeError("runs must be a non-empty list of ClippingRun")
    return list(runs)


def plot_clipping_runs(
    runs: Sequence[ClippingRun], *, baseline: float = 1 / 6
) -> plotting.FigureView:
    """Side by side: minibatch loss (left) and global gradient norm before clipping (right),
    both on log scales, one line per run; the threshold of each clipped run dotted."""
    runs = _runs_check(runs)
    colours = [plotting.COLORS[k] for k in ("red", "blue", "green", "purple")]
    styles = ["-", "-", "--", "-."]
    with plotting.style():
        fig, (left, right) = plotting.new_figure(height=3.6, ncols=2)
        for i, r in enumerate(runs):
            c, ls = colours[i % 4], styles[i % 4]
            steps = np.arange(len(r.history.loss))
            left.plot(steps, r.history.loss, color=c, ls=ls, lw=1.3, label=r.label)
            right.plot(steps, r.history.global_grad_norm, color=c, ls=ls, lw=1.0)
            if r.threshold is not None:
                right.axhline(r.threshold, color=c, ls=":", lw=1.5)
        left.axhline(baseline, color=plotting.COLORS["grey"], lw=1)
        for ax in (left, right):
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(plotting.log_tick_formatter())
            ax.yaxis.set_minor_formatter(NullFormatter())
            ax.set_xlabel("step")
        left.set_ylabel("minibatch loss (MSE)")
        right.set_ylabel("‖g‖ before clipping")
        fig.legend(*left.get_legend_handles_labels(), loc="outside upper center", ncol=len(runs))
    parts = [
        f"{r.label}: final loss {r.final_loss:.3g}, largest gradient norm "
        f"{np.nanmax(r.history.global_grad_norm):.3g}, clipped on "
        f"{100 * np.mean(r.history.clipped):.0f}% of steps"
        for r in runs
    ]
    alt = (
        "Two log-scale plots against the training step on the adding problem: the minibatch "
        "loss (left, with the baseline 1/6 as a grey line) and the global gradient norm before "
        "clipping (right, thresholds dotted). " + "; ".join(parts) + "."
    )
    caption = (
        "The same recurrent network, data and seeds trained with and without clipping the "
        "global gradient norm: loss (left) and the norm clipping saw (right), one run each "
        "(seed 0)."
    )
    return plotting.show(fig, alt, caption, label="fig-clipping-runs")


def plot_threshold_sweep(
    runs: Sequence[ClippingRun], *, baseline: float = 1 / 6
) -> plotting.FigureView:
    """Final loss against the clipping threshold (log-log), one marker per run (seed) and a
    line through each threshold's median; the unclipped runs' median as a horizontal line, the
    baseline 1/6 in grey."""
    runs = _runs_check(runs)
    clipped = [r for r in runs if r.threshold is not None]
    plain = [r for r in runs if r.threshold is None]
    if not clipped:
        raise ValueError("runs must include at least one clipped run")
    with plotting.style():
        fig, ax = plotting.new_figure(height=3.6)
        xs = np.array([r.threshold for r in clipped])
        ys = np.array([r.final_loss for r in clipped])
        several = len(clipped) > len(set(xs.tolist()))
        ax.plot(
            xs,
            ys,
            "o",
            color=plotting.COLORS["blue"],
            ms=6,
            alpha=0.7 if several else 1,
            label="one run per seed" if several else "clipped",
        )
        thresholds = sorted(set(xs))
        medians = [np.nanmedian(ys[xs == t]) for t in thresholds]
        ax.plot(
            thresholds,
            medians,
            color=plotting.COLORS["blue"],
            lw=1.5,
            label="median" if several else None,
        )
        if plain:
            level = float(np.nanmedian([r.final_loss for r in plain]))
            ax.axhline(
                level,
                color=plotting.COLORS["red"],
                ls="--",
                lw=1.5,
                label="no clipping (median)" if len(plain) > 1 else "no clipping",
            )
        ax.axhline(baseline, color=plotting.COLORS["grey"], lw=1, label="baseline 1/6")
        ax.set_xscale("log")
        ax.set_yscale("log")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(plotting.log_tick_formatter())
            axis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("clipping threshold c")
        ax.set_ylabel("final loss (last epoch)")
        fig.legend(*ax.get_legend_handles_labels(), loc="outside upper center", ncol=2)
    best = thresholds[int(np.nanargmin(medians))]
    parts = ", ".join(f"{t:g}: {m:.3g}" for t, m in zip(thresholds, medians, strict=True))
    plain_text = f"; without clipping {level:.3g}" if plain else ""
    n_seeds = len(clipped) // len(thresholds)
    what = f"median over {n_seeds} seeds" if several else "one run each"
    alt = (
        "Log-log plot of the final training loss on the adding problem against the global-norm "
        f"clipping threshold ({what}): {parts}{plain_text}; the best threshold is {best:g}."
    )
    caption = (
        "Final loss against the clipping threshold: too low a threshold shortens every step "
        "and slows learning; higher ones clip fewer and fewer steps and help less."
    )
    return plotting.show(fig, alt, caption, label="fig-threshold-sweep")


def plot_vanishing_runs(
    plain: ClippingRun,
    clipped: ClippingRun,
    through_time: TemporalGradients,
    *,
    baseline: float = 1 / 6,
) -> plotting.FigureView:
    """Left: the loss with and without clipping on a vanishing-gradient RNN; right: the
    untrained network's ``log10 ||dL/dh_t|| / ||dL/dh_T||`` against the steps back."""
    _runs_check([plain, clipped])
    with plotting.style():
        fig, (left, right) = plotting.new_figure(height=3.6, ncols=2)
        for r, c, ls in ((plain, "red", "-"), (clipped, "blue", "--")):
            left.plot(r.history.loss, color=plotting.COLORS[c], ls=ls, lw=1.3, label=r.label)
        left.axhline(baseline, color=plotting.COLORS["grey"], lw=1)
        left.set_yscale("log")
        left.yaxis.set_major_formatter(plotting.log_tick_formatter())
        left.yaxis.set_minor_formatter(NullFormatter())
        left.set_xlabel("step")
        left.set_ylabel("minibatch loss (MSE)")
        back = through_time.length - np.arange(through_time.length + 1)
        right.plot(back, _log10(through_time.relative), color=plotting.COLORS["blue"], lw=2)
        right.set_xlabel("steps back, T − t")
        right.set_ylabel("log10 ‖∂L/∂h_t‖ / ‖∂L/∂h_T‖")
        fig.legend(*left.get_legend_handles_labels(), loc="outside upper center", ncol=2)
    alt = (
        f"Left: minibatch loss against the step for a tanh RNN with γσ = {through_time.ratio:g} "
        f"on adding sequences of {through_time.length} steps, without clipping (final loss "
        f"{plain.final_loss:.3g}) and with clipping at {clipped.threshold:g} (final loss "
        f"{clipped.final_loss:.3g}, {100 * np.mean(clipped.history.clipped):.0f}% of steps "
        f"clipped). Right: the gradient reaching step t falls by {-through_time.decades:.1f} "
        f"decades over the {through_time.length} steps."
    )
    caption = (
        "Clipping does not help vanishing gradients: it can only shorten a step, never "
        "lengthen the tiny part of the gradient that reaches the early time steps (one run "
        "each)."
    )
    return plotting.show(fig, alt, caption, label="fig-vanishing-runs")


if __name__ == "__main__":  # pragma: no cover - regenerates the stored runs (make runs)
    print(f"wrote {precompute_adding()}")
