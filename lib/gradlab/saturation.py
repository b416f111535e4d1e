"""Saturation, dead units and gradient flow across activations: Chapter 3's experiments.

Chapter 3 of the course. Four measurements, each deterministic from a seed:

* **Saturation over training** (:func:`saturation_over_training`), after Glorot
  and Bengio (2010, Figure 2): a sigmoid network with four hidden layers,
  initialised with the old "standard" ``U(-1/sqrt(n), 1/sqrt(n))``, trained with
  SGD on a 10-class task. Early in training the *top* hidden layer's outputs are
  pushed to 0, where the sigmoid is flat, while the lower layers stay near 0.5;
  the top layer leaves saturation only slowly. Glorot and Bengio explain it:
  with random lower layers, the output layer first learns from its biases, and
  the cheapest way to stop the top layer's random, uninformative outputs from
  disturbing the prediction is to drive them to 0. A sigmoid's 0 is saturated (and
  not its centre); tanh's 0 is its centre, so tanh networks do not show this.
* **Saturation at initialization** (:func:`saturation_at_init`): the fraction of
  saturated units per layer of a deep sigmoid or tanh network as the weights'
  scale (the gain) grows.
* **Dead ReLUs** (:func:`dead_fraction_at_init`, :func:`dead_after_one_step`,
  :func:`track_dead_units`): a ReLU unit whose pre-activation is negative on
  every input outputs 0 and has derivative 0 on every input, so it passes back
  no gradient and its incoming weights get a gradient of exactly 0.
* **Gradient flow compared** (:func:`gradient_flow`, :func:`activation_samples`):
  per-layer gradient norms and activation histograms of one deep MLP,
  same weights, for each activation.

References
----------
Glorot, X., Bengio, Y. (2010). Understanding the difficulty of training deep feedforward
neural networks. AISTATS, PMLR 9:249-256.
He, K., Zhang, X., Ren, S., Sun, J. (2015). Delving deep into rectifiers. ICCV. arXiv:1502.01852.
Maas, A. L., Hannun, A. Y., Ng, A. Y. (2013). Rectifier nonlinearities improve neural
network acoustic models. ICML Workshop on Deep Learning for Audio, Speech and Language.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import FuncFormatter

from . import activations, backprop, data, initializers, plotting, progress
from ._validation import check_choice, check_int, check_real, check_rng
from .network import MLP
from .seeds import SEEDS

__all__ = [
    "saturation_over_seeds",
    "SaturationRun",
    "saturation_over_training",
    "SaturationAtInit",
    "saturation_at_init",
    "dead_fraction_at_init",
    "dead_after_one_step",
    "DeadUnitsRun",
    "track_dead_units",
    "dead_units",
    "gradient_flow",
    "gradient_ratios",
    "gradient_ratio_table",
    "activation_samples",
    "FLOW_ACTIVATIONS",
    "FAMILY",
    "plot_activation_family",
    "plot_saturation_over_training",
    "plot_saturation_at_init",
    "plot_dead_units",
    "plot_gradient_flow",
    "plot_activation_histograms",
]

#: The activations Chapter 3 compares in a deep network.
FLOW_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu")

#: The activations drawn side by side by :func:`plot_activation_family`.
FAMILY = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu")


def _check_names(names: object, argument: str) -> tuple[str, ...]:
    if isinstance(names, str) or not isinstance(names, Sequence) or len(names) == 0:
        raise TypeError(f"{argument} must be a non-empty list of activation names")
    return tuple(check_choice(n, argument, activations.names()) for n in names)


# --- saturation over training ---------------------------------------------------------------


@dataclass(frozen=True)
class SaturationRun:
    """Per-layer activation statistics recorded during training (rows: records; columns: layers).

    Attributes
    ----------
    activation, init
        The hidden layers' activation and the weights' initializer.
    steps : numpy.ndarray, shape (n_records,)
        The SGD step at which each row was recorded (0 = before training).
    mean, std : numpy.ndarray, shape (n_records, n_hidden)
        Mean and standard deviation of each hidden layer's outputs ``a_l`` on
        the fixed batch (over its examples and units).
    p02, p98 : numpy.ndarray, shape (n_records, n_hidden)
        2nd and 98th percentiles of those outputs.
    saturated_fraction : numpy.ndarray, shape (n_records, n_hidden)
        :attr:`gradlab.network.Diagnostics.saturated_fraction` (sigmoid: output
        below 0.01 or above 0.99; tanh: ``|a| > 0.98``).
    loss : numpy.ndarray, shape (n_records,)
        Cross-entropy on the fixed batch.
    seconds : float
        Wall-clock time of the run.
    """

    activation: str
    init: str
    steps: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    p02: np.ndarray
    p98: np.ndarray
    saturated_fraction: np.ndarray
    loss: np.ndarray
    seconds: float

    @property
    def depth(self) -> int:
        """Number of hidden layers."""
        return self.mean.shape[1]

    def top_layer_minimum(self) -> tuple[int, float]:
        """``(step, mean)`` where the top hidden layer's mean output is lowest."""
        i = int(np.argmin(self.mean[:, -1]))
        return int(self.steps[i]), float(self.mean[i, -1])

    def facts(self) -> dict[str, float]:
        """The numbers §3.1 reads off a run, by name.

        ``top start``, ``top lowest``, ``lowest at step``, ``top end``: the top hidden layer's
        mean output at the first record, at its lowest (:meth:`top_layer_minimum`) and at the
        end; ``saturated at lowest`` and ``saturated at end``: the top layer's saturated share
        at those records; ``largest |mean|`` and ``largest saturated share``: over every layer
        and record.
        """
        step, low = self.top_layer_minimum()
        i = list(self.steps).index(step)
        return {
            "top start": float(self.mean[0, -1]),
            "top lowest": low,
            "lowest at step": float(step),
            "top end": float(self.mean[-1, -1]),
            "saturated at lowest": float(self.saturated_fraction[i, -1]),
            "saturated at end": float(self.saturated_fraction[-1, -1]),
            "largest |mean|": float(np.abs(self.mean).max()),
            "largest saturated share": float(self.saturated_fraction.max()),
        }


def saturation_over_seeds(
    activation: str = "sigmoid",
    *,
    seeds: Sequence[int] = SEEDS,
    steps: int = 4000,
    progress_bar: bool = True,
) -> list[SaturationRun]:
    """:func:`saturation_over_training` once per seed (default: the course's five), in order.

    Each run takes about a second on two idle cores; with ``progress_bar`` a bar shows the runs
    (in a notebook it leaves only its fixed text in the saved output, :mod:`gradlab.progress`).

    Raises
    ------
    ValueError
        If ``seeds`` is empty or holds a negative seed (and as
        :func:`saturation_over_training` for the other arguments).
    """
    seeds = tuple(check_int(s, "seeds", minimum=0) for s in seeds)
    if not seeds:
        raise ValueError("seeds must not be empty")
    if not isinstance(progress_bar, bool):
        raise TypeError(f"progress_bar must be True or False, got {progress_bar!r}")
    runs = []
    bar = progress.bar(
        len(seeds), f"{activation}: {len(seeds)} runs of {steps} steps", progress_bar, "run"
    )
    try:
        for seed in seeds:
            runs.append(saturation_over_training(activation, steps=steps, seed=seed))
            bar.update(1)
    finally:
        bar.close()
    return runs


def saturation_over_training(
    activation: str = "sigmoid",
    *,
    depth: int = 4,
    width: int = 64,
    steps: int = 4000,
    record_every: int = 50,
    lr: float = 0.3,
    batch_size: int = 10,
    init: str = "uniform_fan_in",
    n_train: int = 2000,
    n_record: int = 300,
    seed: int = 0,
) -> SaturationRun:
    """Train an MLP with SGD and record its hidden layers' outputs, as Glorot and Bengio (2010).

    The network has ``depth`` hidden layers of ``width`` units, weights drawn by
    ``init`` (default the "standard" ``U(-1/sqrt(n), 1/sqrt(n))``,
    :func:`gradlab.initializers.uniform_fan_in`), zero biases and a 10-way
    softmax output trained by cross-entropy on
    :func:`gradlab.data.gaussian_clusters` (32 inputs). Plain SGD,
    ``theta <- theta - lr * g`` on minibatches of ``batch_size`` drawn with
    replacement (Glorot and Bengio: minibatches of 10). Every ``record_every``
    steps the outputs ``a_l`` of each hidden layer on a fixed batch of
    ``n_record`` held-out examples are summarized (mean, std, 2nd/98th
    percentiles, saturated fraction).

    Measured with the defaults (seed 0, sigmoid): the top layer's mean output
    falls from 0.50 to 0.13 by step 400 and to its lowest, 0.045, at step 2250
    (98 % of its outputs below 0.06: ``z`` near -3, where ``sigma'`` is 0.045,
    under a fifth of its peak; not "saturated" by the 1 % rule of
    :attr:`gradlab.network.Diagnostics.saturated_fraction`), while the lower
    layers stay between 0.48 and 0.72; it then climbs back slowly, to 0.22 at
    step 4000. Seeds 1 and 2 behave the same. With ``activation="tanh"`` every
    layer's mean stays near 0. About 2 s on one core.

    Parameters
    ----------
    activation : str, default "sigmoid"
        A name from :func:`gradlab.activations.names`.
    depth, width : int
        Hidden layers (>= 1) and units per hidden layer (>= 1).
    steps, record_every : int
        SGD steps (>= 1) and the recording interval (>= 1); step 0 is always recorded.
    lr : float, default 0.3
        Learning rate (> 0).
    batch_size : int, default 10
    init : str, default "uniform_fan_in"
        A name from :func:`gradlab.initializers.names`.
    n_train, n_record : int
        Training examples, and the fixed batch the statistics are measured on.
    seed : int, default 0
        Seeds the data, the weights and the minibatches.

    Returns
    -------
    SaturationRun

    References
    ----------
    Glorot, X., Bengio, Y. (2010). Understanding the difficulty of training deep feedforward
    neural networks. AISTATS, PMLR 9:249-256, section 3.1 and Figure 2.
    """
    import time

    activation = check_choice(activation, "activation", activations.names())
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    steps = check_int(steps, "steps", minimum=1)
    record_every = check_int(record_every, "record_every", minimum=1)
    lr = check_real(lr, "lr", minimum=0.0, strict_minimum=True)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    init = check_choice(init, "init", initializers.names())
    n_train = check_int(n_train, "n_train", minimum=1)
    n_record = check_int(n_record, "n_record", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    X, y = data.gaussian_clusters(n_train + n_record, n_classes=10, dim=32, rng=rng)
    X_train, y_train = X[:n_train], y[:n_train]
    X_rec, y_rec = X[n_train:], y[n_train:]
    net = MLP([32] + [width] * depth + [10], activation, init, rng=rng)
    params = net.get_params()
    records = list(range(0, steps + 1, record_every))
    if records[-1] != steps:
        records.append(steps)
    stats = np.full((6, len(records), depth), np.nan)
    loss = np.full(len(records), np.nan)
    grads = None
    r = 0
    with np.errstate(all="ignore"):
        for step in range(steps + 1):
            if step == records[r]:
                d = net.diagnostics(X_rec, y_rec, "cross_entropy")
                loss[r] = d.loss
                stats[0, r] = d.activation_mean[:depth]
                stats[1, r] = d.activation_std[:depth]
                stats[4, r] = d.saturated_fraction[:depth]
                for i in range(depth):
                    stats[2:4, r, i] = np.percentile(net.activations[i + 1], [2, 98])
                r += 1
            if step == steps:
                break
            idx = rng.integers(0, n_train, batch_size)
            grads = net.loss_and_gradients(X_train[idx], y_train[idx], "cross_entropy", out=grads)
            for p, g in zip(params, grads.as_list(), strict=True):
                p -= lr * g
    return SaturationRun(
        activation=activation,
        init=init,
        steps=np.array(records),
        mean=stats[0],
        std=stats[1],
        p02=stats[2],
        p98=stats[3],
        saturated_fraction=stats[4],
        loss=loss,
        seconds=time.perf_counter() - start,
    )


# --- saturation at initialization -----------------------------------------------------------


@dataclass(frozen=True)
class SaturationAtInit:
    """Fraction of saturated outputs per hidden layer at initialization, for several gains.

    Attributes
    ----------
    activation : str
    gains : numpy.ndarray, shape (n_gains,)
    fraction : numpy.ndarray, shape (n_gains, n_hidden)
        :attr:`gradlab.network.Diagnostics.saturated_fraction` of each hidden layer.
    """

    activation: str
    gains: np.ndarray
    fraction: np.ndarray


def saturation_at_init(
    activation: str,
    gains: Sequence[float] = (0.5, 1.0, 2.0, 4.0, 8.0),
    *,
    depth: int = 10,
    width: int = 100,
    batch: int = 200,
    seed: int = 0,
) -> SaturationAtInit:
    """Saturated fraction per layer of a deep sigmoid or tanh MLP at initialization vs the gain.

    Weights ``W_l ~ N(0, gain^2 / width)`` (the same standard-normal draws for
    every gain, scaled), zero biases, standard-normal inputs of width ``width``.
    A unit's output counts as saturated within 1 % of the output range from a
    bound (:data:`gradlab.activations.SATURATION_TOL`): ``Var[z] ~ gain^2 E[a^2]``
    grows with the gain, and with it the share of units on the flat tails,
    where ``phi'`` is below 4 % of its peak.

    Parameters
    ----------
    activation : {"sigmoid", "tanh"}
    gains : sequence of float
        Positive gains.
    depth, width, batch : int
        Hidden layers, units per layer, examples.
    seed : int

    Returns
    -------
    SaturationAtInit
    """
    activation = check_choice(activation, "activation", ("sigmoid", "tanh"))
    if isinstance(gains, str) or not isinstance(gains, Sequence) or len(gains) == 0:
        raise TypeError("gains must be a non-empty list of positive numbers")
    gains = [check_real(g, "gains", minimum=0.0, strict_minimum=True) for g in gains]
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    batch = check_int(batch, "batch", minimum=1)
    rng = check_rng(seed=check_int(seed, "seed", minimum=0))
    X = rng.standard_normal((batch, width))
    units = rng.standard_normal((depth + 1, width, width))
    fraction = np.empty((len(gains), depth))
    for k, gain in enumerate(gains):
        Ws = list(gain / math.sqrt(width) * units)
        net = MLP.from_arrays(Ws, [np.zeros(width)] * (depth + 1), activation)
        fraction[k] = net.diagnostics(X).saturated_fraction[:depth]
    return SaturationAtInit(activation, np.array(gains), fraction)


# --- dead ReLUs -----------------------------------------------------------------------------


def _relu_net(depth: int, width: int, n_in: int, bias: float, init: str, rng) -> MLP:
    net = MLP([n_in] + [width] * depth + [1], "relu", init, rng=rng)
    for b in net.biases[:-1]:
        b[...] = bias
    return net


def dead_fraction_at_init(
    *,
    depth: int = 8,
    width: int = 100,
    bias: float = 0.0,
    init: str = "he_normal",
    batch: int = 500,
    seed: int = 0,
) -> np.ndarray:
    """Fraction of dead units per hidden layer of a ReLU MLP at initialization.

    A unit is dead on a batch when ``relu'(z) = 0`` on every example, i.e. ``z
    <= 0`` for all of them (:attr:`gradlab.network.Diagnostics.dead_fraction`).
    Inputs are ``batch`` standard-normal rows of width ``width``; the hidden
    biases are all set to ``bias``. With zero biases and He initialization
    almost no unit is dead; a negative bias such as ``-1`` kills a growing share
    layer after layer, since each layer's outputs shrink and the bias then
    dominates.

    Parameters
    ----------
    depth, width : int
        Hidden layers and units per layer (>= 1).
    bias : float, default 0.0
        The initial bias of every hidden unit.
    init : str, default "he_normal"
    batch : int, default 500
    seed : int, default 0

    Returns
    -------
    numpy.ndarray, shape (depth,)
    """
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    bias = check_real(bias, "bias")
    init = check_choice(init, "init", initializers.names())
    batch = check_int(batch, "batch", minimum=1)
    rng = check_rng(seed=check_int(seed, "seed", minimum=0))
    X = rng.standard_normal((batch, width))
    net = _relu_net(depth, width, width, bias, init, rng)
    return net.diagnostics(X).dead_fraction[:depth].copy()


def dead_after_one_step(
    lr: float,
    *,
    depth: int = 4,
    width: int = 100,
    batch: int = 200,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Dead fraction per hidden layer before and after *one* SGD step at learning rate ``lr``.

    A He-initialised ReLU MLP regresses random targets ``y = X v`` (MSE) on a
    batch of standard-normal inputs; one full-batch step ``theta <- theta - lr
    g`` is taken and the dead fraction measured again on the same batch. A
    modest ``lr`` leaves it near 0; too large a step moves many biases and
    weights so far negative that the units are off on every example: dead,
    and (see :func:`track_dead_units`) with no gradient to bring them back.

    Parameters
    ----------
    lr : float
        Learning rate (> 0).
    depth, width, batch, seed
        The network and the batch.

    Returns
    -------
    (before, after) : tuple of numpy.ndarray, each shape (depth,)
    """
    lr = check_real(lr, "lr", minimum=0.0, strict_minimum=True)
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    batch = check_int(batch, "batch", minimum=1)
    rng = check_rng(seed=check_int(seed, "seed", minimum=0))
    X = rng.standard_normal((batch, 10))
    y = X @ rng.standard_normal((10, 1))
    net = _relu_net(depth, width, 10, 0.0, "he_normal", rng)
    before = net.diagnostics(X).dead_fraction[:depth].copy()
    grads = net.loss_and_gradients(X, y)
    with np.errstate(all="ignore"):
        for p, g in zip(net.get_params(), grads.as_list(), strict=True):
            p -= lr * g
        after = net.diagnostics(X).dead_fraction[:depth].copy()
    return before, after


def dead_units(net: MLP, X: np.ndarray) -> list[np.ndarray]:
    """Indices of the dead units of each hidden layer of ``net`` on the batch ``X``.

    A unit is dead when ``phi'(z) = 0`` on every row of ``X`` (for ReLU: ``z <=
    0`` everywhere), the definition of
    :attr:`gradlab.network.Diagnostics.dead_fraction`.

    Returns
    -------
    list of numpy.ndarray
        One sorted integer array per hidden layer.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a gradlab MLP, got {type(net).__name__}")
    net.forward(X)
    dead = []
    for i in range(net.depth - 1):
        d = net.activation.derivative(net.pre_activations[i])
        dead.append(np.flatnonzero(~np.any(d != 0, axis=0)))
    return dead


@dataclass(frozen=True)
class DeadUnitsRun:
    """Dead ReLUs tracked through training; rows are the recorded steps.

    Attributes
    ----------
    steps : numpy.ndarray, shape (n_records,)
    dead_fraction : numpy.ndarray, shape (n_records, n_hidden)
        Dead fraction per hidden layer on the whole training set.
    dead : list of list of numpy.ndarray
        ``dead[r][l]``: the indices of layer ``l + 1``'s dead units at record ``r``.
    dead_grad_max : numpy.ndarray, shape (n_records,)
        Largest ``|dJ/dW|`` entry in the incoming-weight columns (and biases) of
        the dead units, over a full-batch gradient at each record: exactly 0.
    revived : int
        Distinct units that were dead at some record and alive at the next one (each unit
        counted once, however often it dies and comes back).
    loss : numpy.ndarray, shape (n_records,)
        Training loss (MSE) at each record.
    diverged_at : int or None
        The step whose minibatch loss or gradient was not finite (training
        stopped there, and the records end before it), or ``None``.
    """

    steps: np.ndarray
    dead_fraction: np.ndarray
    dead: list[list[np.ndarray]]
    dead_grad_max: np.ndarray
    revived: int
    loss: np.ndarray
    diverged_at: int | None


def track_dead_units(
    *,
    lr: float = 0.05,
    depth: int = 4,
    width: int = 64,
    bias: float = 0.0,
    steps: int = 300,
    record_every: int = 10,
    batch_size: int = 32,
    n_train: int = 256,
    seed: int = 0,
) -> DeadUnitsRun:
    """Train a ReLU MLP with SGD and record which units are dead, step by step.

    The network (He initialization, hidden biases ``bias``) regresses
    ``y = sin(3 x_1) + x_2^2`` on ``n_train`` points of
    :func:`gradlab.data.two_spirals` (MSE, minibatches of ``batch_size``). At
    every record the dead units are computed on the *whole* training set
    (:func:`dead_units`), and a full-batch gradient confirms that their
    incoming weights' gradient columns are exactly 0: a dead unit outputs 0 and
    passes back ``relu'(z) = 0`` on every example, so SGD never changes its
    incoming weights. A dead unit of the *first* hidden layer therefore stays
    dead forever (its inputs, the data, do not change); one in a deeper layer
    could in principle revive if the layers below it change its inputs, which
    :attr:`DeadUnitsRun.revived` counts.

    Measured (300 steps): with ``lr=0.15, seed=7`` the dead fractions of layers
    1-4 go from 0, 0.09, 0.17, 0.12 to 0, 0.38, 0.42, 0.30 within 10 steps and
    stay there; at ``lr=0.15`` half of seeds 0-7 diverge within 10 steps instead,
    and at ``lr=0.3`` all but seed 0. With ``bias=-1`` about half of layer 1 and
    all of layer 4 are dead from the start: no gradient reaches any weight
    below the dead top layer and the loss hardly moves.

    Parameters
    ----------
    lr : float, default 0.05
        Learning rate (> 0); large values kill units in the first steps.
    depth, width : int
        Hidden layers and units per layer.
    bias : float, default 0.0
        Initial bias of every hidden unit (e.g. -1 to start with dead units).
    steps, record_every, batch_size, n_train : int
    seed : int

    Returns
    -------
    DeadUnitsRun
    """
    lr = check_real(lr, "lr", minimum=0.0, strict_minimum=True)
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    bias = check_real(bias, "bias")
    steps = check_int(steps, "steps", minimum=1)
    record_every = check_int(record_every, "record_every", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    n_train = check_int(n_train, "n_train", minimum=2)
    rng = check_rng(seed=check_int(seed, "seed", minimum=0))
    X, _ = data.two_spirals(n_train, rng=rng)
    y = (np.sin(3 * X[:, 0]) + X[:, 1] ** 2)[:, None]
    net = _relu_net(depth, width, 2, bias, "he_normal", rng)
    params = net.get_params()
    records = list(range(0, steps + 1, record_every))
    if records[-1] != steps:
        records.append(steps)
    fraction = np.full((len(records), depth), np.nan)
    dead_sets: list[list[np.ndarray]] = []
    grad_max = np.zeros(len(records))
    loss = np.full(len(records), np.nan)
    grads = None
    diverged_at = None
    r = 0
    with np.errstate(all="ignore"):
        for step in range(steps + 1):
            if step == records[r]:
                dead = dead_units(net, X)
                full = net.loss_and_gradients(X, y)
                loss[r] = full.loss
                worst = 0.0
                for i, idx in enumerate(dead):
                    if idx.size:
                        worst = max(
                            worst,
                            float(np.max(np.abs(full.weight_grads[i][:, idx]))),
                            float(np.max(np.abs(full.bias_grads[i][idx]))),
                        )
                grad_max[r] = worst
                fraction[r] = [len(idx) / width for idx in dead]
                dead_sets.append(dead)
                r += 1
            if step == steps:
                break
            idx = rng.integers(0, n_train, batch_size)
            grads = net.loss_and_gradients(X[idx], y[idx], out=grads)
            if not np.isfinite(grads.loss) or not all(np.isfinite(g).all() for g in grads[1]):
                diverged_at = step
                break
            for p, g in zip(params, grads.as_list(), strict=True):
                p -= lr * g
    n = len(dead_sets)  # records taken (fewer if training diverged)
    records, fraction, grad_max, loss = records[:n], fraction[:n], grad_max[:n], loss[:n]
    revived = len(  # distinct (layer, unit) pairs: dead at one record, alive at the next
        {
            (i, unit)
            for prev, cur in zip(dead_sets[:-1], dead_sets[1:], strict=True)
            for i in range(depth)
            for unit in set(prev[i].tolist()) - set(cur[i].tolist())
        }
    )
    return DeadUnitsRun(
        steps=np.array(records),
        dead_fraction=fraction,
        dead=dead_sets,
        dead_grad_max=grad_max,
        revived=revived,
        loss=loss,
        diverged_at=diverged_at,
    )


# --- gradient flow compared -----------------------------------------------------------------


def gradient_flow(
    names: Sequence[str] = FLOW_ACTIVATIONS,
    *,
    depth: int = 24,
    width: int = 64,
    gain: float = 1.0,
    batch: int = 128,
    seed: int = 0,
) -> dict[str, backprop.GradientNorms]:
    """Per-layer gradient norms of one deep MLP at initialization, for each activation.

    Every activation gets the *same* weights, ``W_l ~ N(0, gain^2 / width)`` from
    the same draws, and the same batch and probe
    (:func:`gradlab.backprop.gradient_norms_at_init` with one seed): only
    ``phi`` differs. The gradient reaching layer ``l`` is the probe times one
    Jacobian ``W_k^T diag(phi'(z_{k-1}))`` per layer above it, so its norm
    changes by roughly ``gain * sqrt(E[phi'(z)^2])`` per layer.

    Parameters
    ----------
    names : sequence of str
        Activation names (default :data:`FLOW_ACTIVATIONS`).
    depth, width : int
        Layers (default 24) and width (default 64).
    gain : float, default 1.0
        ``sigma sqrt(width)``, the same for every activation.
    batch : int, default 128
    seed : int, default 0

    Returns
    -------
    dict
        Activation name -> :class:`gradlab.backprop.GradientNorms`.
    """
    names = _check_names(names, "names")
    depth = check_int(depth, "depth", minimum=2)
    return {
        n: backprop.gradient_norms_at_init(n, depth, width, gain, batch=batch, seed=seed)
        for n in names
    }


def gradient_ratios(
    flows: dict[str, backprop.GradientNorms], kind: str = "backward"
) -> dict[str, float]:
    """First-layer to last-layer gradient norm, per activation.

    ``kind="backward"``: ``||dJ/da_0|| / ||dJ/da_{L-1}||``, the gradient
    reaching the first layer's input against the last layer's (what
    :func:`plot_gradient_flow` draws). ``kind="weight"``: ``||dJ/dW_1|| /
    ||dJ/dW_L||``. Since ``dJ/dW_l = a_{l-1}^T delta_l``, the weight ratio also
    carries the *forward* signal's change: in a ReLU network at gain 1 the
    backward gradient shrinks on its way down while the activations shrink on
    their way up, and the two cancel in the weight ratio. Below 1, the gradient
    vanished towards the first layer; above 1, it grew.
    """
    if not isinstance(flows, dict) or not flows:
        raise TypeError("flows must be a non-empty dict from gradient_flow")
    kind = check_choice(kind, "kind", ("backward", "weight"))
    if kind == "backward":
        return {n: float(f.backward[0] / f.backward[-1]) for n, f in flows.items()}
    return {n: float(f.weight[0] / f.weight[-1]) for n, f in flows.items()}


def gradient_ratio_table(flows: dict[str, backprop.GradientNorms]) -> str:
    """A text table of :func:`gradient_ratios`, both kinds, as ratios and in decades (log10)."""
    backward = gradient_ratios(flows, "backward")
    weight = gradient_ratios(flows, "weight")
    depth = next(iter(flows.values())).depth
    head_b, head_w = f"‖∂J/∂a_0‖ / ‖∂J/∂a_{depth - 1}‖", f"‖∂J/∂W_1‖ / ‖∂J/∂W_{depth}‖"
    lines = [f"{'activation':<11} {head_b:>24} {'decades':>8} {head_w:>24} {'decades':>8}"]
    for n in flows:
        b, w = backward[n], weight[n]
        lines.append(f"{n:<11} {b:24.3e} {math.log10(b):+8.1f} {w:24.3e} {math.log10(w):+8.1f}")
    return "\n".join(lines)


def activation_samples(
    names: Sequence[str] = FLOW_ACTIVATIONS,
    layers: Sequence[int] | None = None,
    *,
    depth: int = 24,
    width: int = 64,
    gain: float = 1.0,
    batch: int = 128,
    seed: int = 0,
) -> dict[str, dict[int, np.ndarray]]:
    """The hidden outputs ``a_l`` of chosen layers, for the network of :func:`gradient_flow`.

    Same draws as :func:`gradient_flow` (and
    :func:`gradlab.backprop.gradient_norms_at_init`) with the same ``seed``,
    ``batch`` and ``width``: the batch first, then the probe, then one
    standard-normal matrix per layer, scaled by ``gain / sqrt(width)``.

    Parameters
    ----------
    names : sequence of str
    layers : sequence of int, optional
        Hidden layers ``1..depth-1`` to return (default ``1``, ``depth // 2`` and ``depth - 1``,
        the last hidden layer).

    Returns
    -------
    dict
        ``samples[name][l]``: the flattened outputs of layer ``l`` (``batch * width`` values).
    """
    names = _check_names(names, "names")
    depth = check_int(depth, "depth", minimum=2)
    width = check_int(width, "width", minimum=1)
    gain = check_real(gain, "gain", minimum=0.0, strict_minimum=True)
    batch = check_int(batch, "batch", minimum=1)
    if layers is None:
        layers = (1, depth // 2, depth - 1)
    if isinstance(layers, str) or not isinstance(layers, Sequence) or len(layers) == 0:
        raise TypeError("layers must be a non-empty list of hidden layer numbers")
    layers = [check_int(n, "layers", minimum=1, maximum=depth - 1) for n in layers]
    rng = check_rng(seed=check_int(seed, "seed", minimum=0))
    X = rng.standard_normal((batch, width))
    rng.standard_normal((batch, width))  # the probe of gradient_norms_at_init
    units = rng.standard_normal((depth, width, width))
    Ws = list(gain / math.sqrt(width) * units)
    out: dict[str, dict[int, np.ndarray]] = {}
    for n in names:
        net = MLP.from_arrays(Ws, [np.zeros(width)] * depth, n)
        with np.errstate(all="ignore"):
            net.forward(X)
        out[n] = {ell: net.activations[ell].ravel().copy() for ell in layers}
    return out


# --- figures --------------------------------------------------------------------------------

_LOOKS = [  # (colour key, line style): told apart by more than hue
    ("blue", "-"),
    ("orange", "--"),
    ("green", "-."),
    ("red", ":"),
    ("purple", "-"),
    ("sky", "--"),
    ("black", "-."),
]


_SHORT_TICKS = FuncFormatter(lambda v, _pos: f"{v:.1g}".replace("-", "\u2212"))


def _look(i: int) -> dict[str, object]:
    colour, ls = _LOOKS[i % len(_LOOKS)]
    return {"color": plotting.COLORS[colour], "ls": ls}


def _curve(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    act = activations.get(name)
    return act.forward(z), act.derivative(z)


def plot_activation_family(names: Sequence[str] = FAMILY) -> plotting.FigureView:
    """Figure: each activation (left) and its derivative (right), for ``-4 <= z <= 4``.

    The leaky ReLU is drawn with its real default slope 0.01 (not exaggerated),
    so on this scale it is hard to tell from the ReLU for ``z < 0``.
    """
    names = _check_names(names, "names")
    z = np.linspace(-4.0, 4.0, 801)
    fig, (left, right) = plotting.new_figure(plotting.FIGURE_WIDTH, 4.4, ncols=2)
    with plotting.style():
        for i, n in enumerate(names):
            a, d = _curve(n, z)
            left.plot(z, a, lw=1.8, label=n.replace("_", " "), **_look(i))
            right.plot(z, d, lw=1.8, **_look(i))
        left.set_ylim(-1.5, 4.0)
        left.set_title("φ(z)")
        right.set_ylim(-0.2, 1.2)
        right.set_title("φ′(z)")
        for ax in (left, right):
            ax.set_xlabel("z")
            ax.set_xticks([-4, -2, 0, 2, 4])
        fig.legend(loc="outside lower center", ncol=4, handlelength=2.2, columnspacing=1.0)
    peaks = []
    for n in names:
        _, d = _curve(n, z)
        peaks.append(f"{n} {float(np.max(d)):.3g}")
    alt = (
        f"Two panels for z from -4 to 4. Left: the activations {', '.join(names)}. Right: "
        f"their derivatives, whose largest values on this range are: {'; '.join(peaks)}. "
        "Sigmoid and tanh derivatives fall towards 0 on both sides; the ReLU family's "
        "derivative is 1 for z > 0 and 0 (ReLU) or the slope (leaky ReLU: 0.01, ELU: e^z) "
        "for z < 0; GELU and SiLU are smooth, dip slightly below 0 and exceed 1 a little."
    )
    caption = (
        "The activation functions of this chapter and their derivatives. Only the "
        "sigmoid and tanh have a derivative that vanishes on *both* sides; the leaky ReLU is "
        "drawn with its real slope 0.01, so for z < 0 it is barely distinguishable from the ReLU."
    )
    return plotting.show(fig, alt, caption, label="fig-activation-family")


def plot_saturation_over_training(runs: Sequence[SaturationRun]) -> plotting.FigureView:
    """Figure: mean (line) and spread (bars from the 2nd to the 98th percentile) of each hidden
    layer's outputs over SGD steps, one panel per run, after Glorot and Bengio's (2010) Figure 2
    (which draws the standard deviation; percentiles stay inside the activation's range).
    """
    if isinstance(runs, SaturationRun):
        runs = [runs]
    if not runs or not all(isinstance(r, SaturationRun) for r in runs):
        raise TypeError("runs must be a non-empty list of SaturationRun")
    fig, axes = plotting.new_figure(plotting.FIGURE_WIDTH, 4.0, ncols=len(runs), squeeze=False)
    with plotting.style():
        for ax, run in zip(axes[0], runs, strict=True):
            stride = max(1, len(run.steps) // 12)
            for i in range(run.depth):
                look = _look(i)
                ax.plot(run.steps, run.mean[:, i], lw=2, label=f"layer {i + 1}", **look)
                sel = slice(i % stride, None, stride)
                ax.errorbar(
                    run.steps[sel],
                    run.mean[sel, i],
                    yerr=np.vstack(
                        [run.mean[sel, i] - run.p02[sel, i], run.p98[sel, i] - run.mean[sel, i]]
                    ),
                    fmt="none",
                    ecolor=look["color"],
                    elinewidth=1,
                    capsize=2,
                )
            low = 0.0 if run.activation == "sigmoid" else -1.0
            ax.set_ylim(low - 0.05, 1.05)
            ax.set_xlabel("SGD step")
            ax.set_title(run.activation)
        axes[0][0].set_ylabel("mean output (2–98%)")
        fig.legend(
            *axes[0][0].get_legend_handles_labels(),
            loc="outside lower center",
            ncol=4,
            handlelength=1.8,
            columnspacing=1.0,
        )
    parts = []
    for run in runs:
        means = ", ".join(f"{m:.2f}" for m in run.mean[-1])
        if run.activation == "sigmoid":
            step, low = run.top_layer_minimum()
            story = (
                f"the top hidden layer's mean output starts at {run.mean[0, -1]:.2f}, "
                f"reaches its lowest, {low:.2f}, at step {step} and ends at "
                f"{run.mean[-1, -1]:.2f}"
            )
        else:
            story = f"every layer's mean stays within {np.abs(run.mean).max():.3f} of 0"
        parts.append(
            f"{run.activation} ({int(run.steps[-1])} steps): {story}; final means of layers "
            f"1 to {run.depth}: {means}"
        )
    alt = (
        "Mean output of each hidden layer over SGD steps, with bars from the 2nd to the 98th "
        "percentile, one panel per activation. " + ". ".join(parts) + "."
    )
    caption = (
        "Saturation during training (after Glorot and Bengio, 2010, Figure 2). With the "
        "sigmoid, the top hidden layer's outputs are driven towards 0, where the sigmoid is "
        "flat, and come back only slowly; the lower layers stay near 0.5. Bars span the 2nd "
        "to the 98th percentile of each layer's outputs."
    )
    return plotting.show(fig, alt, caption, label="fig-saturation-training")


def plot_saturation_at_init(results: Sequence[SaturationAtInit]) -> plotting.FigureView:
    """Figure: saturated fraction of the first, middle and last hidden layer against the gain,
    one panel per activation.
    """
    if isinstance(results, SaturationAtInit):
        results = [results]
    if not results or not all(isinstance(r, SaturationAtInit) for r in results):
        raise TypeError("results must be a non-empty list of SaturationAtInit")
    fig, axes = plotting.new_figure(
        plotting.FIGURE_WIDTH, 3.8, ncols=len(results), squeeze=False, sharey=True
    )
    with plotting.style():
        for ax, res in zip(axes[0], results, strict=True):
            depth = res.fraction.shape[1]
            for k, layer in enumerate(sorted({1, (depth + 1) // 2, depth})):
                ax.plot(
                    res.gains,
                    res.fraction[:, layer - 1],
                    "o",
                    lw=2,
                    ms=4,
                    label=f"layer {layer}",
                    **_look(k),
                )
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(plotting.log_tick_formatter())
            ax.set_xticks(res.gains)
            ax.set_xticklabels([f"{g:g}" for g in res.gains])
            ax.minorticks_off()
            ax.set_xlabel("gain")
            ax.set_title(res.activation)
            ax.set_ylim(-0.03, 1.03)
        axes[0][0].set_ylabel("saturated fraction")
        axes[0][0].legend(loc="upper left", handlelength=2.0)
    parts = []
    for res in results:
        for where, column in (("first", 0), ("last", -1)):
            values = ", ".join(
                f"{f:.2f} at gain {g:g}"
                for g, f in zip(res.gains, res.fraction[:, column], strict=True)
            )
            parts.append(f"{res.activation}, {where} hidden layer: {values}")
    alt = (
        "Fraction of saturated hidden outputs at initialization against the weights' gain "
        "(log scale), for the first, middle and last hidden layer. " + "; ".join(parts) + "."
    )
    caption = (
        "Saturation at initialization grows with the scale of the weights: a larger gain "
        "spreads the pre-activations over the flat tails of the sigmoid and tanh."
    )
    return plotting.show(fig, alt, caption, label="fig-saturation-at-init")


def plot_dead_units(run: DeadUnitsRun) -> plotting.FigureView:
    """Figure: the fraction of dead units in each hidden layer over SGD steps."""
    if not isinstance(run, DeadUnitsRun):
        raise TypeError(f"run must be a DeadUnitsRun, got {type(run).__name__}")
    fig, ax = plotting.new_figure(plotting.FIGURE_WIDTH, 3.6)
    depth = run.dead_fraction.shape[1]
    with plotting.style():
        for i in range(depth):
            ax.plot(run.steps, run.dead_fraction[:, i], lw=2, label=f"layer {i + 1}", **_look(i))
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel("SGD step")
        ax.set_ylabel("fraction of dead units")
        ax.legend(loc="upper left", ncol=2, handlelength=2.0)
    start = ", ".join(f"{f:.2f}" for f in run.dead_fraction[0])
    end = ", ".join(f"{f:.2f}" for f in run.dead_fraction[-1])
    alt = (
        f"Fraction of dead ReLU units (zero output on every training example) in each of "
        f"{depth} hidden layers over {int(run.steps[-1])} SGD steps: {start} at the start, "
        f"{end} at the end. The largest gradient entry reaching a dead unit's incoming "
        f"weights at any record is {run.dead_grad_max.max():g}."
    )
    caption = (
        "Dead ReLUs during training. A dead unit passes back no gradient, so its incoming "
        "weights receive exactly zero gradient; in the first layer, whose inputs never "
        "change, it can never come back."
    )
    return plotting.show(fig, alt, caption, label="fig-dead-units")


def plot_gradient_flow(flows: dict[str, backprop.GradientNorms]) -> plotting.FigureView:
    """Figure: ``‖dJ/da_{l-1}‖`` against layer ``l`` on a log scale, one line per activation."""
    ratios = gradient_ratios(flows, "backward")
    first = next(iter(flows.values()))
    depth = first.depth
    layers = np.arange(1, depth + 1)
    fig, ax = plotting.new_figure(plotting.FIGURE_WIDTH, 4.2)
    with plotting.style():
        for i, (n, f) in enumerate(flows.items()):
            ax.semilogy(layers, f.backward, lw=2, label=n.replace("_", " "), **_look(i))
        low = min(float(np.min(f.backward)) for f in flows.values())
        high = max(float(np.max(f.backward)) for f in flows.values())
        bottom, top = math.floor(math.log10(low)), math.ceil(math.log10(high))
        step = max(1, math.ceil((top - bottom) / 5))
        ax.set_yticks([10.0**k for k in range(top, bottom - 1, -step)])
        ax.yaxis.set_major_formatter(plotting.log_tick_formatter())
        ax.minorticks_off()
        ax.set_xticks([1, depth // 2, depth])
        ax.set_xlabel("layer ℓ")
        ax.set_ylabel("‖∂J/∂a‖ at layer ℓ's input")
        ax.legend(loc="lower right", ncol=2, handlelength=2.2)
    summary = "; ".join(f"{n} {math.log10(r):+.1f}" for n, r in ratios.items())
    alt = (
        f"Log-scale norms of the gradient reaching each of {depth} layers of width "
        f"{first.width} at initialization, same weights (gain {first.gain:g}) for every "
        f"activation. Orders of magnitude between the gradient entering the first layer and "
        f"the last, log10(‖∂J/∂a_0‖ / ‖∂J/∂a_{depth - 1}‖): {summary}."
    )
    worst = min(ratios, key=ratios.get)
    best = max(ratios, key=ratios.get)
    caption = (
        f"Gradient flow through one {depth}-layer network, the same weights (gain "
        f"{first.gain:g}) for every activation: from the last layer to the first the gradient "
        f"loses {-math.log10(ratios[worst]):.1f} orders of magnitude with "
        f"{worst.replace('_', ' ')} and {-math.log10(ratios[best]):.1f} with "
        f"{best.replace('_', ' ')}."
    )
    return plotting.show(fig, alt, caption, label="fig-gradient-flow")


def plot_activation_histograms(samples: dict[str, dict[int, np.ndarray]]) -> plotting.FigureView:
    """Figure: histograms of hidden outputs, one row per activation, one column per layer."""
    if not isinstance(samples, dict) or not samples:
        raise TypeError("samples must be a non-empty dict from activation_samples")
    names = list(samples)
    layers = list(samples[names[0]])
    fig, axes = plotting.new_figure(
        plotting.FIGURE_WIDTH,
        1.25 * len(names) + 0.9,
        nrows=len(names),
        ncols=len(layers),
        squeeze=False,
    )
    with plotting.style():
        for r, n in enumerate(names):
            for c, ell in enumerate(layers):
                ax = axes[r][c]
                values = samples[n][ell]
                bounds = activations.get(n).bounds
                if bounds is None:
                    low, high = float(np.min(values)), float(np.max(values))
                    ticks = [0.0, float(f"{high:.1g}")]
                else:
                    low, high = bounds
                    ticks = [low, high]
                ax.hist(values, bins=40, range=(low, high), color=plotting.COLORS["blue"])
                ax.set_yticks([])
                ax.grid(False)
                ax.set_xticks(ticks)
                ax.xaxis.set_major_formatter(_SHORT_TICKS)
                if r == 0:
                    ax.set_title(f"layer {ell}")
                if c == 0:
                    ax.set_ylabel(n.replace("_", " "), rotation=0, ha="right", va="center")
    parts = []
    for n in names:
        stds = ", ".join(f"{float(np.std(samples[n][ell])):.2g}" for ell in layers)
        parts.append(f"{n}: {stds}")
    alt = (
        f"Histograms of hidden-layer outputs at initialization for layers "
        f"{', '.join(map(str, layers))} (columns), one row per activation. Standard deviation "
        f"of the outputs in those layers: {'; '.join(parts)}."
    )
    caption = (
        "What each layer outputs at initialization, same weights for every activation. Watch "
        "the spread shrink or stay from the first layer to the last."
    )
    return plotting.show(fig, alt, caption, label="fig-activation-histograms")
