"""A multilayer perceptron with backpropagation written out layer by layer.

Layer ``l = 1..L`` computes::

    z_l = a_{l-1} @ W_l + b_l          a_0 = X, a batch of rows
    a_l = phi(z_l)                     (the last layer is linear: a_L = z_L)

and the backward pass is the chain rule, one factor per layer::

    delta_L     = dLoss/dz_L                        (from the loss)
    dW_l        = a_{l-1}.T @ delta_l
    db_l        = sum over the batch of delta_l
    dLoss/da_{l-1} = delta_l @ W_l.T
    delta_{l-1} = (delta_l @ W_l.T) * phi'(z_{l-1})

Each step back multiplies by ``W_l.T`` and by ``phi'``: when those factors are
small the gradient vanishes, when large it explodes. :meth:`MLP.diagnostics`
measures both, layer by layer.

Two structural fixes (Chapter 6) change the hidden layers ``l = 1..L-1``:

* **Layer normalization** (``layer_norm=True``; Ba, Kiros and Hinton 2016)
  normalizes each row's summed inputs over the layer's units, then applies a
  learned gain ``g_l`` and the layer's bias::

      u_l = a_{l-1} @ W_l,   u^_l = (u_l - mean(u_l)) / sqrt(var(u_l) + eps)
      z_l = g_l * u^_l + b_l                     (g_l starts at 1)

  and backward, with ``d^ = dLoss/du^_l = delta_l * g_l`` and means over the units::

      dg_l = sum over the batch of delta_l * u^_l
      dLoss/du_l = (d^ - mean(d^) - u^_l * mean(d^ * u^_l)) / sqrt(var(u_l) + eps)

* **Residual connections** (``residual=True``; He, Zhang, Ren and Sun 2016)
  add the layer's input to its output where the widths agree::

      a_l = a_{l-1} + alpha * phi(z_l)           (alpha = residual_scale)

  so the layer's Jacobian is ``I + alpha * diag(phi'(z_l)) W_l^T`` (as a map of
  row vectors, ``I + alpha W_l diag(phi'(z_l))``) and backward adds the
  gradient arriving at ``a_l`` straight to the one leaving for ``a_{l-1}``::

      dLoss/da_{l-1} = delta_l @ W_l.T + dLoss/da_l,   delta_l = alpha * dLoss/da_l * phi'(z_l)

  The product of Chapter 1 becomes a product of ``I + small`` factors, which
  stays near 1 instead of shrinking or growing exponentially.

Overflow is part of the subject here: a network that explodes produces
``inf`` and ``nan`` *silently* (no ``RuntimeWarning``); check
``numpy.isfinite(result.loss)``, or let :func:`gradlab.train.train` report
where it happened.

Speed: :meth:`MLP.forward` keeps ``z_l`` and ``a_l`` in buffers that are
reused while the batch size stays the same, and ``loss_and_gradients(...,
out=previous)`` writes into the arrays of an earlier result (like NumPy's
``out=``), so training allocates nothing per step and the time goes to the
three matrix products per layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np

from . import activations, initializers
from ._validation import (
    check_array,
    check_choice,
    check_float_array,
    check_int,
    check_labels,
    check_real,
    check_rng,
)
from .clipping import frobenius_norm

__all__ = ["MLP", "Gradients", "Diagnostics", "mse", "cross_entropy", "LOSSES", "LAYER_NORM_EPS"]

LOSSES = ("mse", "cross_entropy")

#: ``eps`` of layer normalization: PyTorch ``nn.LayerNorm``'s default (Keras
#: ``LayerNormalization``'s is 1e-3).
LAYER_NORM_EPS = 1e-5


# --- losses ---------------------------------------------------------------------------------


def mse(output: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error and its gradient with respect to ``output``.

    ``Loss = mean((output - target)**2)`` over all entries (PyTorch
    ``nn.MSELoss()``), so ``dLoss/doutput = 2 (output - target) / output.size``.
    Both arrays must have the same shape, with at least one entry; ``output``
    may hold ``inf``/``nan`` (an exploded network), ``target`` may not.
    """
    output = check_float_array(output, "output", finite=False)
    target = check_float_array(target, "target")
    if target.shape != output.shape:
        raise ValueError(f"target must have the shape of output {output.shape}, got {target.shape}")
    if output.size == 0:
        raise ValueError("output must have at least one entry, got an empty array")
    with np.errstate(all="ignore"):
        return _mse(output, target)


def _mse(output: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    diff = output - target
    loss = float(np.vdot(diff, diff)) / diff.size
    diff *= 2.0 / diff.size
    return loss, diff


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy of integer ``labels`` and its gradient with respect to ``logits``.

    ``Loss = mean_i [log sum_k exp(z_ik) - z_{i, y_i}]`` (PyTorch
    ``nn.CrossEntropyLoss()``); the log-softmax subtracts each row's maximum
    first so ``exp`` never overflows. ``dLoss/dz = (softmax(z) - onehot(y)) / n``.
    ``logits`` has shape ``(n, k)`` with ``n >= 1``; ``labels`` holds ``n``
    whole numbers in ``0..k-1``.
    """
    logits = check_float_array(logits, "logits", ndim=2, finite=False)
    if logits.shape[0] == 0 or logits.shape[1] == 0:
        raise ValueError(f"logits must have at least one row and one class, got {logits.shape}")
    labels = check_labels(labels, "labels", n=logits.shape[0], n_classes=logits.shape[1])
    with np.errstate(all="ignore"):
        return _cross_entropy(logits, labels)


def _cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_probs = shifted - log_norm
    rows = np.arange(n)
    loss = -float(log_probs[rows, labels].mean())
    grad = np.exp(log_probs)
    grad[rows, labels] -= 1.0
    grad /= n
    return loss, grad


# --- results --------------------------------------------------------------------------------


class Gradients(NamedTuple):
    """What :meth:`MLP.loss_and_gradients` returns; lists are ordered from the first layer.

    Attributes
    ----------
    loss
        The loss (a float; ``inf``/``nan`` if the network overflowed).
    weight_grads, bias_grads
        ``dLoss/dW_l`` (shape of ``W_l``) and ``dLoss/db_l``.
    activation_grads
        ``activation_grads[l-1] = dLoss/da_{l-1}``, the gradient reaching the
        *input* of layer ``l`` (shape ``(batch, sizes[l-1])``);
        ``activation_grads[0]`` is ``dLoss/dX``.
    gain_grads
        ``dLoss/dg_l`` of the layer-normalization gains, one per hidden layer
        (an empty list for a network without layer normalization).
    """

    loss: float
    weight_grads: list[np.ndarray]
    bias_grads: list[np.ndarray]
    activation_grads: list[np.ndarray]
    gain_grads: list[np.ndarray] = []  # noqa: RUF012 - a NamedTuple default, never mutated

    def as_list(self) -> list[np.ndarray]:
        """``[dW_1, db_1, (dg_1,) dW_2, ...]``, the order of :meth:`MLP.get_params`."""
        out = []
        for i, (dW, db) in enumerate(zip(self.weight_grads, self.bias_grads, strict=True)):
            out += [dW, db]
            if i < len(self.gain_grads):
                out.append(self.gain_grads[i])
        return out


@dataclass(frozen=True)
class Diagnostics:
    """Per-layer statistics of one batch; every array has one entry per layer (first to last).

    Attributes
    ----------
    loss
        The batch loss (``nan`` when no targets were given).
    activation_mean, activation_std
        Mean and standard deviation of ``a_l`` over the batch and the units.
    saturated_fraction
        Fraction of the entries of ``a_l`` within ``SATURATION_TOL`` (1 %) of
        the output range from a bound: sigmoid outputs below 0.01 or above
        0.99, tanh outputs with ``|a| > 0.98``. ``nan`` for unbounded
        activations (ReLU family, ELU, SiLU) and for the linear last layer.
    dead_fraction
        Fraction of the layer's units whose derivative ``phi'(z)`` is exactly 0
        on *every* example of the batch, so no gradient passes through them:
        for ReLU, units that output 0 on the whole batch. A saturated sigmoid
        or tanh unit is *not* dead: its derivative is tiny but not 0 (until
        it underflows, e.g. ``tanh'(z) = 0`` for ``|z| > 372.6``); that is what
        ``saturated_fraction`` reports. ``nan`` for the last layer.
    weight_norm, weight_grad_norm, bias_grad_norm
        Frobenius norms of ``W_l``, ``dLoss/dW_l`` and ``dLoss/db_l``.
    activation_grad_norm
        Frobenius norm of ``dLoss/da_{l-1}``, the gradient reaching the input of
        layer ``l``.
    grad_to_weight_ratio
        ``weight_grad_norm / weight_norm``: roughly the relative size of one
        SGD step at learning rate 1; very small means the layer barely learns.
    """

    loss: float
    activation_mean: np.ndarray
    activation_std: np.ndarray
    saturated_fraction: np.ndarray
    dead_fraction: np.ndarray
    weight_norm: np.ndarray
    weight_grad_norm: np.ndarray
    bias_grad_norm: np.ndarray
    activation_grad_norm: np.ndarray
    grad_to_weight_ratio: np.ndarray

    def table(self) -> str:
        """The diagnostics as a fixed-width text table, one row per layer."""
        columns = [f.name for f in fields(self) if f.name != "loss"]
        short = [c.replace("activation", "act").replace("fraction", "frac") for c in columns]
        lines = ["layer " + " ".join(f"{s:>12.12}" for s in short)]
        for i in range(len(self.weight_norm)):
            values = " ".join(f"{getattr(self, c)[i]:12.4g}" for c in columns)
            lines.append(f"{i + 1:5d} {values}")
        return "\n".join(lines)


# --- the network ----------------------------------------------------------------------------


def _check_sizes(sizes: object) -> list[int]:
    if not isinstance(sizes, Sequence) or isinstance(sizes, str):
        raise TypeError(f"sizes must be a list of layer widths, got {type(sizes).__name__}")
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and an output width, got {sizes!r}")
    return [check_int(s, f"sizes[{i}]", minimum=1) for i, s in enumerate(sizes)]


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def _check_dtype(dtype: object) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float64 or float32, got {dtype!r}") from None
    if dt not in (np.float64, np.float32):
        raise TypeError(f"dtype must be float64 or float32, got {dt}")
    return dt


class MLP:
    """A fully connected network ``a_l = phi(a_{l-1} @ W_l + b_l)`` with a linear last layer.

    Parameters
    ----------
    sizes
        Layer widths from input to output, e.g. ``[2, 64, 64, 1]`` (two hidden
        layers of 64 units); ``len(sizes) - 1`` weight matrices.
    activation
        A name from :func:`gradlab.activations.names`, or an
        :class:`~gradlab.activations.Activation` such as
        ``activations.get("leaky_relu", negative_slope=0.2)``.
    init
        A name from :func:`gradlab.initializers.names` for the weights; biases
        start at zero.
    rng, seed
        A ``numpy.random.Generator``, or an integer seed for one.
    init_options
        Options for the initializer, e.g. ``{"gain": 5/3}`` or ``{"mode":
        "fan_out"}``.
    dtype
        ``float64`` (default) or ``float32``.
    residual
        Residual connections ``a_l = a_{l-1} + residual_scale * phi(z_l)`` on
        every hidden layer whose input and output widths agree (He et al. 2016).
    residual_scale
        ``alpha``, the scale of the residual branch (> 0; default 1).
    layer_norm
        Layer normalization of every hidden layer's summed inputs, with a
        learned gain per unit (Ba, Kiros and Hinton 2016); the gains start at 1.
    norm_eps
        The ``eps`` in ``sqrt(var + eps)`` (PyTorch ``nn.LayerNorm``'s default 1e-5).

    Examples
    --------
    >>> net = MLP([2, 64, 64, 1], activation="tanh", init="xavier_normal", seed=0)
    >>> out = net.forward(np.zeros((5, 2)))
    >>> out.shape
    (5, 1)
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | activations.Activation = "tanh",
        init: str = "xavier_normal",
        *,
        rng: np.random.Generator | None = None,
        seed: int | None = None,
        init_options: dict[str, object] | None = None,
        dtype: type = np.float64,
        residual: bool = False,
        residual_scale: float = 1.0,
        layer_norm: bool = False,
        norm_eps: float = LAYER_NORM_EPS,
    ) -> None:
        sizes = _check_sizes(sizes)
        init_fn = initializers.get(check_choice(init, "init", initializers.names()))
        if init_options is not None and not isinstance(init_options, dict):
            raise TypeError(f"init_options must be a dict, got {type(init_options).__name__}")
        options = initializers.check_options(init, init_options or {})
        rng = check_rng(rng, seed)
        weights = [
            init_fn((m, n), rng, **options) for m, n in zip(sizes[:-1], sizes[1:], strict=True)
        ]
        biases = [np.zeros(n) for n in sizes[1:]]
        gains = [np.ones(n) for n in sizes[1:-1]] if _check_bool(layer_norm, "layer_norm") else None
        self._setup(weights, biases, activation, dtype, gains, residual, residual_scale, norm_eps)

    @classmethod
    def from_arrays(
        cls,
        weights: Sequence[np.ndarray],
        biases: Sequence[np.ndarray],
        activation: str | activations.Activation = "tanh",
        *,
        dtype: type = np.float64,
        gains: Sequence[np.ndarray] | None = None,
        residual: bool = False,
        residual_scale: float = 1.0,
        norm_eps: float = LAYER_NORM_EPS,
    ) -> MLP:
        """Build a network from explicit weight matrices ``(fan_in, fan_out)`` and biases.

        The arrays are copied. Consecutive shapes must chain:
        ``weights[l].shape[1] == weights[l+1].shape[0] == len(biases[l])``.
        ``gains`` (one array per hidden layer, the width of its output) turns
        on layer normalization; ``residual``, ``residual_scale`` and
        ``norm_eps`` are as in :class:`MLP`.
        """
        net = cls.__new__(cls)
        net._setup(weights, biases, activation, dtype, gains, residual, residual_scale, norm_eps)
        return net

    def _setup(
        self,
        weights,
        biases,
        activation,
        dtype,
        gains=None,
        residual=False,
        residual_scale=1.0,
        norm_eps=LAYER_NORM_EPS,
    ) -> None:
        dt = _check_dtype(dtype)
        if not isinstance(weights, Sequence) or len(weights) == 0:
            raise TypeError("weights must be a non-empty list of 2-D arrays")
        if not isinstance(biases, Sequence) or len(biases) != len(weights):
            raise ValueError(f"biases must be a list with one array per layer ({len(weights)})")
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        for i, (W, b) in enumerate(zip(weights, biases, strict=True)):
            W = check_array(W, f"weights[{i}]", ndim=2, dtype=dt).copy()
            if i > 0 and W.shape[0] != self.weights[-1].shape[1]:
                raise ValueError(
                    f"weights[{i}] must have {self.weights[-1].shape[1]} rows to follow "
                    f"weights[{i - 1}], got shape {W.shape}"
                )
            self.weights.append(W)
            self.biases.append(check_array(b, f"biases[{i}]", shape=(W.shape[1],), dtype=dt).copy())
        if not isinstance(activation, activations.Activation):
            check_choice(activation, "activation", activations.names())
        self.activation = activations.get(activation)
        self.dtype = dt
        self.sizes = [self.weights[0].shape[0]] + [W.shape[1] for W in self.weights]
        self.residual = _check_bool(residual, "residual")
        self.residual_scale = check_real(
            residual_scale, "residual_scale", minimum=0.0, strict_minimum=True
        )
        self.norm_eps = check_real(norm_eps, "norm_eps", minimum=0.0, strict_minimum=True)
        #: Layer-normalization gains ``g_l`` of the hidden layers (empty: no normalization).
        self.gains: list[np.ndarray] = []
        if gains is not None:
            if not isinstance(gains, Sequence) or len(gains) != len(self.weights) - 1:
                raise ValueError(
                    f"gains must be a list with one array per hidden layer ({len(weights) - 1})"
                )
            self.gains = [
                check_array(g, f"gains[{i}]", shape=(self.sizes[i + 1],), dtype=dt).copy()
                for i, g in enumerate(gains)
            ]
        #: Which layers (0-based) add their input to their output.
        self.residual_layers = [
            self.residual and i < len(self.weights) - 1 and self.sizes[i] == self.sizes[i + 1]
            for i in range(len(self.weights))
        ]
        # Forward cache (filled by forward) and backward scratch space.
        self.pre_activations: list[np.ndarray] = []  # z_1 .. z_L
        self.activations: list[np.ndarray] = []  # a_0 = X, a_1 .. a_L (a_L is z_L)
        self._scratch: dict[int, np.ndarray] = {}
        self._normalized: list[np.ndarray] = []  # u^_l of normalized layers
        self._inv_std: list[np.ndarray] = []  # 1 / sqrt(var(u_l) + eps), shape (n, 1)
        self._diagnostics_out: Gradients | None = None
        self._batch = -1

    # --- parameters -------------------------------------------------------------------------

    @property
    def depth(self) -> int:
        """Number of layers (weight matrices) ``L``."""
        return len(self.weights)

    @property
    def layer_norm(self) -> bool:
        """Whether the hidden layers are layer-normalized."""
        return bool(self.gains)

    def param_names(self) -> list[str]:
        """``["W1", "b1", "W2", "b2", ...]`` (with ``"g1"`` after ``"b1"`` etc. under layer
        normalization), matching :meth:`get_params`."""
        names = []
        for i in range(1, self.depth + 1):
            names += [f"W{i}", f"b{i}"] + ([f"g{i}"] if i <= len(self.gains) else [])
        return names

    def get_params(self) -> list[np.ndarray]:
        """The live parameter arrays ``[W_1, b_1, (g_1,) W_2, b_2, ...]`` (not copies).

        Updating them in place (``p -= lr * g``) updates the network.
        """
        params = []
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            params += [W, b] + ([self.gains[i]] if i < len(self.gains) else [])
        return params

    def set_params(self, params: Sequence[np.ndarray]) -> None:
        """Copy ``params`` (ordered as :meth:`get_params`) into the network."""
        current = self.get_params()
        if not isinstance(params, Sequence) or len(params) != len(current):
            raise ValueError(f"params must be a list of {len(current)} arrays (W1, b1, ...)")
        checked = [
            check_array(p, f"params[{i}]", shape=c.shape, dtype=self.dtype)
            for i, (p, c) in enumerate(zip(params, current, strict=True))
        ]
        for c, p in zip(current, checked, strict=True):
            c[...] = p

    def copy(self) -> MLP:
        """An independent copy of the network (same weights, same activation, same structure)."""
        return MLP.from_arrays(
            self.weights,
            self.biases,
            self.activation,
            dtype=self.dtype,
            gains=self.gains or None,
            residual=self.residual,
            residual_scale=self.residual_scale,
            norm_eps=self.norm_eps,
        )

    def __repr__(self) -> str:
        extra = ", layer_norm=True" if self.layer_norm else ""
        if self.residual:
            extra += f", residual=True, residual_scale={self.residual_scale:g}"
        return f"MLP(sizes={self.sizes}, activation={self.activation.name!r}{extra})"

    # --- forward ----------------------------------------------------------------------------

    def _check_X(self, X: object) -> np.ndarray:
        X = check_array(X, "X", ndim=2, shape=(None, self.sizes[0]), dtype=self.dtype)
        if X.shape[0] == 0:
            raise ValueError("X must have at least one row, got an empty batch")
        return X

    def _buffers_for(self, n: int) -> None:
        """(Re)allocate the forward/backward buffers for a batch of ``n`` rows."""
        if n == self._batch:
            return
        self.pre_activations = [np.empty((n, k), self.dtype) for k in self.sizes[1:]]
        hidden = [np.empty((n, k), self.dtype) for k in self.sizes[1:-1]]
        self.activations = [np.empty((0, self.sizes[0]), self.dtype), *hidden]
        self.activations.append(self.pre_activations[-1])  # linear last layer: a_L = z_L
        # One scratch array per distinct width holds delta_l in turn (backward)
        # and phi'(z_l) (diagnostics): only one layer's delta is alive at a time.
        self._scratch = {k: np.empty((n, k), self.dtype) for k in set(self.sizes[1:-1])}
        self._normalized = [
            np.empty((n, k), self.dtype) for k in self.sizes[1 : len(self.gains) + 1]
        ]
        self._inv_std = [np.empty((n, 1), self.dtype) for _ in self.gains]
        self._batch = n

    def _forward(self, X: np.ndarray) -> np.ndarray:
        self._buffers_for(X.shape[0])
        self.activations[0] = X
        a = X
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = self.pre_activations[i]
            np.matmul(a, W, out=z)  # z_l = a_{l-1} @ W_l + b_l
            if i < len(self.gains):  # z_l = g_l * (u_l - mean) / sqrt(var + eps) + b_l
                u_hat = self._normalized[i]
                np.subtract(z, z.mean(axis=1, keepdims=True), out=u_hat)
                inv = self._inv_std[i]
                np.mean(u_hat * u_hat, axis=1, keepdims=True, out=inv)
                inv += self.norm_eps
                np.sqrt(inv, out=inv)
                np.reciprocal(inv, out=inv)
                u_hat *= inv
                np.multiply(u_hat, self.gains[i], out=z)
            z += b
            if i < self.depth - 1:
                out = self.activations[i + 1]
                self.activation.forward(z, out=out)  # a_l = phi(z_l)
                if self.residual_layers[i]:  # a_l = a_{l-1} + alpha phi(z_l)
                    if self.residual_scale != 1.0:
                        out *= self.residual_scale
                    out += a
                a = out
        return self.activations[-1]

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Return the network's output ``a_L`` for the rows of ``X`` (shape ``(n, sizes[0])``).

        ``z_l`` and ``a_l`` are kept in :attr:`pre_activations` and
        :attr:`activations` (``activations[0]`` is ``X``) until the next call.
        """
        X = self._check_X(X)
        with np.errstate(all="ignore"):
            return self._forward(X).copy()

    # --- backward ---------------------------------------------------------------------------

    def _loss_gradient(self, output: np.ndarray, y: object, loss: str) -> tuple[float, np.ndarray]:
        n, k = output.shape
        if loss == "mse":
            target = check_array(y, "y", ndim=(1, 2), dtype=self.dtype)
            if target.ndim == 1 and k == 1:
                target = target[:, None]
            if target.shape != output.shape:
                raise ValueError(
                    f"y must have shape {output.shape} for loss='mse', got {target.shape}"
                )
            return _mse(output, target)
        if k < 2:
            raise ValueError("loss: 'cross_entropy' needs an output layer of at least 2 classes")
        return _cross_entropy(output, check_labels(y, "y", n=n, n_classes=k))

    def _new_gradients(self, n: int) -> Gradients:
        return Gradients(
            np.nan,
            [np.empty_like(W) for W in self.weights],
            [np.empty_like(b) for b in self.biases],
            [np.empty((n, k), self.dtype) for k in self.sizes[:-1]],
            [np.empty_like(g) for g in self.gains],
        )

    def _check_out(self, out: object, n: int) -> Gradients:
        ok = (
            isinstance(out, Gradients)
            and [g.shape for g in out.weight_grads] == [W.shape for W in self.weights]
            and [g.shape for g in out.bias_grads] == [b.shape for b in self.biases]
            and [g.shape for g in out.activation_grads] == [(n, k) for k in self.sizes[:-1]]
            and [g.shape for g in out.gain_grads] == [g.shape for g in self.gains]
        )
        if not ok:
            raise ValueError(
                "out must be a Gradients result of this network for the same batch size"
            )
        return out

    def loss_and_gradients(
        self, X: np.ndarray, y: np.ndarray, loss: str = "mse", *, out: Gradients | None = None
    ) -> Gradients:
        """Forward pass, loss, and backpropagation through every layer.

        Parameters
        ----------
        X
            Inputs, shape ``(n, sizes[0])``.
        y
            Targets: shape ``(n, sizes[-1])`` (or ``(n,)`` for one output) for
            ``"mse"``; integer class labels ``0..sizes[-1]-1``, shape ``(n,)``,
            for ``"cross_entropy"``.
        loss
            ``"mse"`` (:func:`mse`) or ``"cross_entropy"`` (:func:`cross_entropy`).
        out
            A previous result for the same batch size whose arrays are
            overwritten instead of allocating new ones (the trainer uses this).

        Returns
        -------
        Gradients
            ``(loss, weight_grads, bias_grads, activation_grads)``.
        """
        X = self._check_X(X)
        loss = check_choice(loss, "loss", LOSSES)
        n = X.shape[0]
        grads = self._new_gradients(n) if out is None else self._check_out(out, n)
        with np.errstate(all="ignore"):
            output = self._forward(X)
            # delta_L = dLoss/dz_L
            loss_value, delta = self._loss_gradient(output, y, loss)
            self._backward(delta, grads)
        return grads._replace(loss=loss_value)

    def backward(self, X: np.ndarray, grad_output: np.ndarray) -> Gradients:
        """Forward pass, then backpropagate a given output gradient ``dJ/da_L``.

        For any cost ``J`` whose gradient with respect to the output ``a_L`` is
        ``grad_output``: a vector-Jacobian product, like PyTorch's
        ``output.backward(gradient=grad_output)``. With a ``grad_output`` that
        does not depend on the network (a random "probe"), the gradient reaching
        layer ``l`` is exactly ``grad_output`` times the Jacobians of the layers
        above it, ``W_k^T diag(phi'(z_{k-1}))``.

        Parameters
        ----------
        X
            Inputs, shape ``(n, sizes[0])``.
        grad_output
            ``dJ/da_L``, shape ``(n, sizes[-1])``.

        Returns
        -------
        Gradients
            With ``loss = nan``.
        """
        X = self._check_X(X)
        g = check_array(grad_output, "grad_output", ndim=2, dtype=self.dtype)
        if g.shape != (X.shape[0], self.sizes[-1]):
            raise ValueError(
                f"grad_output must have shape {(X.shape[0], self.sizes[-1])}, got {g.shape}"
            )
        grads = self._new_gradients(X.shape[0])
        with np.errstate(all="ignore"):
            self._forward(X)
            self._backward(g.copy(), grads)  # the last layer is linear: dJ/dz_L = dJ/da_L
        return grads

    def _backward(self, delta: np.ndarray, grads: Gradients) -> None:
        """Backpropagate ``delta = dJ/dz_L`` through every layer into ``grads``."""
        for i in reversed(range(self.depth)):  # layer l = i + 1, from the last to the first
            # db_l = delta_l.sum(0)
            np.sum(delta, axis=0, out=grads.bias_grads[i])
            if i < len(self.gains):
                # dg_l = sum over the batch of delta_l * u^_l; d^ = delta_l * g_l
                u_hat = self._normalized[i]
                np.sum(delta * u_hat, axis=0, out=grads.gain_grads[i])
                d_hat = delta * self.gains[i]
                # dLoss/du_l = (d^ - mean(d^) - u^ mean(d^ u^)) / sqrt(var + eps)
                du = d_hat - d_hat.mean(axis=1, keepdims=True)
                du -= u_hat * (d_hat * u_hat).mean(axis=1, keepdims=True)
                du *= self._inv_std[i]
                delta = du
            # dW_l = a_{l-1}.T @ delta_l
            np.matmul(self.activations[i].T, delta, out=grads.weight_grads[i])
            # dLoss/da_{l-1} = delta_l @ W_l.T (+ dLoss/da_l through the skip connection)
            np.matmul(delta, self.weights[i].T, out=grads.activation_grads[i])
            if self.residual_layers[i]:
                grads.activation_grads[i] += grads.activation_grads[i + 1]
            if i > 0:
                # delta_{l-1} = (delta_l @ W_l.T) * phi'(z_{l-1})  (times alpha if residual)
                # (phi'(z_{l-1}) goes into a reused buffer, then is multiplied in place)
                delta = self._phi_prime(i - 1, out=self._scratch[self.sizes[i]])
                delta *= grads.activation_grads[i]
                if self.residual_layers[i - 1] and self.residual_scale != 1.0:
                    delta *= self.residual_scale

    def _phi_prime(self, i: int, out: np.ndarray) -> np.ndarray:
        """``phi'(z)`` of hidden layer ``i + 1`` into ``out``, to full relative precision.

        From the cached output ``a`` where that is exact (ReLU family: ``a > 0``
        exactly when ``z > 0``; not for a residual layer, whose output also holds
        its input), else from ``z`` (sigmoid and tanh: ``1 - a**2`` would be 0
        for a saturated unit whose true derivative is tiny but not 0).
        """
        act = self.activation
        if act.derivative_from_output is not None and not self.residual_layers[i]:
            return act.derivative_from_output(self.activations[i + 1], out)
        return act.derivative(self.pre_activations[i], out=out)

    # --- diagnostics ------------------------------------------------------------------------

    def diagnostics(
        self, X: np.ndarray, y: np.ndarray | None = None, loss: str = "mse"
    ) -> Diagnostics:
        """Per-layer activation and gradient statistics for one batch (see :class:`Diagnostics`).

        Runs :meth:`loss_and_gradients` (or only :meth:`forward` when ``y`` is
        ``None``: a third of the cost; the gradient entries are then ``nan``)
        and summarizes it with :meth:`summarize`.
        """
        X = self._check_X(X)
        loss = check_choice(loss, "loss", LOSSES)
        if y is None:
            with np.errstate(all="ignore"):
                self._forward(X)
            return self.summarize()
        # Only statistics leave this method, so the gradient arrays can be reused.
        reuse = self._diagnostics_out
        if reuse is not None and reuse.activation_grads[0].shape[0] != X.shape[0]:
            reuse = None
        self._diagnostics_out = self.loss_and_gradients(X, y, loss, out=reuse)
        return self.summarize(self._diagnostics_out)

    def summarize(self, result: Gradients | None = None) -> Diagnostics:
        """:class:`Diagnostics` of the batch of the last forward pass (and of ``result``).

        ``result`` must come from :meth:`loss_and_gradients` on that same batch;
        without it the gradient entries are ``nan``. Costs a few passes over
        each layer's activations, no matrix product.
        """
        if not self.activations:
            raise ValueError("summarize needs a forward pass first: call forward(X)")
        if result is not None and not isinstance(result, Gradients):
            raise TypeError(f"result must be a Gradients, got {type(result).__name__}")
        L = self.depth
        stats = {name: np.full(L, np.nan) for name in ("mean", "std", "saturated", "dead")}
        bounds = self.activation.bounds
        with np.errstate(all="ignore"):
            for i in range(L):
                a = self.activations[i + 1]
                stats["mean"][i] = a.mean()
                stats["std"][i] = a.std()
                if i == L - 1:
                    break  # the linear last layer neither saturates nor dies
                if bounds is not None:
                    if self.residual_layers[i]:  # the branch phi(z_l), not a_{l-1} + phi(z_l)
                        a = self.activation.forward(self.pre_activations[i])
                    low, high = bounds
                    tol = activations.SATURATION_TOL * (high - low)
                    saturated = np.count_nonzero(a < low + tol) + np.count_nonzero(a > high - tol)
                    stats["saturated"][i] = saturated / a.size
                d = self._phi_prime(i, out=self._scratch[a.shape[1]])
                alive = np.count_nonzero(np.any(d != 0, axis=0))  # units with some gradient
                stats["dead"][i] = 1.0 - alive / a.shape[1]

            def norms(arrays: list[np.ndarray] | None) -> np.ndarray:
                if arrays is None:
                    return np.full(L, np.nan)
                return np.array([frobenius_norm(x) for x in arrays])

            weight_norm = norms(self.weights)
            grads = (None, None, None) if result is None else result[1:4]
            weight_grad_norm, bias_grad_norm, activation_grad_norm = map(norms, grads)
            ratio = weight_grad_norm / weight_norm
        return Diagnostics(
            loss=np.nan if result is None else result.loss,
            activation_mean=stats["mean"],
            activation_std=stats["std"],
            saturated_fraction=stats["saturated"],
            dead_fraction=stats["dead"],
            weight_norm=weight_norm,
            weight_grad_norm=weight_grad_norm,
            bias_grad_norm=bias_grad_norm,
            activation_grad_norm=activation_grad_norm,
            grad_to_weight_ratio=ratio,
        )
