"""Minibatch SGD with momentum and optional gradient clipping, for the MLP and the RNN.

One step on a minibatch ``B``::

    g     = clip(dLoss_B/dtheta)        (clip: none, value, norm or global_norm)
    v     = momentum * v + g            (v starts at 0)
    theta = theta - lr * v

the form of PyTorch's ``torch.optim.SGD(lr, momentum)`` (without dampening or
Nesterov). The history records, at every step, the minibatch loss and the norm
of each gradient tensor *before* clipping, so a plot shows what clipping saw.

If the loss or a gradient becomes ``inf`` or ``nan``, training stops at that
step: :attr:`History.diverged_at` holds the step and :attr:`History.divergence`
says what went non-finite and in which layer. No ``RuntimeWarning`` escapes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from . import clipping
from ._validation import check_array, check_choice, check_int, check_labels, check_real, check_rng
from .network import MLP
from .rnn import RNN

__all__ = ["History", "train", "accuracy", "CLIP_MODES"]

CLIP_MODES = ("none", "value", "norm", "global_norm")


@dataclass
class History:
    """What :func:`train` returns; arrays have one row per step actually taken.

    Attributes
    ----------
    loss
        Minibatch loss at each step, before that step's update.
    grad_norms
        ``(steps, n_params)``: Frobenius norm of each gradient tensor before
        clipping, columns named by :attr:`param_names` (``W1, b1, ...``).
    global_grad_norm
        Norm of all gradients together, before clipping.
    clipped
        Whether clipping changed the gradient at that step.
    param_names
        Names of the parameter tensors (the columns of ``grad_norms``).
    diverged_at
        The step (0-based) at which the loss or a gradient became non-finite,
        or ``None``.
    divergence
        A one-line report of the divergence, or ``None``.
    epochs
        Number of completed epochs.
    """

    loss: np.ndarray
    grad_norms: np.ndarray
    global_grad_norm: np.ndarray
    clipped: np.ndarray
    param_names: list[str]
    diverged_at: int | None
    divergence: str | None
    epochs: int

    @property
    def weight_grad_norms(self) -> np.ndarray:
        """The columns of :attr:`grad_norms` for weight matrices (names starting with ``W``)."""
        columns = [i for i, name in enumerate(self.param_names) if name.startswith("W")]
        return self.grad_norms[:, columns]

    @property
    def diverged(self) -> bool:
        """``True`` if training stopped on a non-finite loss or gradient."""
        return self.diverged_at is not None


def accuracy(model: MLP, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose largest output is the label ``y`` (classification).

    ``y`` holds one integer class label ``0..k-1`` per row of ``X`` (``k`` outputs).
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be a gradlab MLP, got {type(model).__name__}")
    scores = model.forward(X)
    labels = check_labels(y, "y", n=scores.shape[0], n_classes=scores.shape[1])
    return float(np.mean(np.argmax(scores, axis=1) == labels))


def _divergence_report(step: int, epoch: int, loss: float, grads, names) -> str:
    bad = [name for name, g in zip(names, grads, strict=True) if not np.all(np.isfinite(g))]
    if bad:
        where = f"non-finite gradient in {', '.join(bad)} ({len(bad)} of {len(names)} tensors)"
    else:
        where = "all gradients finite"
    return f"training diverged at step {step} (epoch {epoch}): loss = {loss}; {where}"


def train(
    model: MLP | RNN,
    X: np.ndarray,
    y: np.ndarray,
    *,
    loss: str = "mse",
    epochs: int = 10,
    batch_size: int = 32,
    lr: float = 0.1,
    momentum: float = 0.0,
    clip: str | None = None,
    clip_threshold: float = 1.0,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
    progress: bool = True,
) -> History:
    """Train ``model`` in place with minibatch SGD (momentum) and optional clipping.

    Parameters
    ----------
    model
        An :class:`~gradlab.network.MLP` or :class:`~gradlab.rnn.RNN`.
    X, y
        Training data, in the shapes the model's ``loss_and_gradients`` takes.
    loss
        ``"mse"`` or ``"cross_entropy"`` (MLP only).
    epochs, batch_size
        Passes over the data, and rows per minibatch (the last one of an epoch
        may be smaller). Rows are shuffled each epoch with ``rng``.
    lr, momentum
        Learning rate (> 0) and momentum coefficient in ``[0, 1)``.
    clip, clip_threshold
        ``None``/``"none"``, ``"value"`` (:func:`~gradlab.clipping.clip_by_value`,
        threshold = clip value), ``"norm"`` (per tensor,
        :func:`~gradlab.clipping.clip_by_norm`) or ``"global_norm"``
        (:func:`~gradlab.clipping.clip_by_global_norm`, Pascanu et al. 2013).
    rng, seed
        Generator (or seed) for the shuffling: the same seed and the same
        initial model give the same numbers.
    progress
        Show a ``tqdm`` progress bar.

    Returns
    -------
    History
    """
    if not isinstance(model, (MLP, RNN)):
        raise TypeError(f"model must be a gradlab MLP or RNN, got {type(model).__name__}")
    X = check_array(X, "X", ndim=(2, 3))
    if X.shape[0] == 0:
        raise ValueError("X must have at least one row, got an empty array")
    loss = check_choice(loss, "loss", ("mse", "cross_entropy"))
    # Class labels stay integers; regression targets are floats (the model checks the rest).
    if loss == "cross_entropy":
        y = check_labels(y, "y")
    else:
        y = check_array(y, "y", ndim=(1, 2))
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have one row per row of X ({X.shape[0]}), got shape {y.shape}")
    epochs = check_int(epochs, "epochs", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    lr = check_real(lr, "lr", minimum=0.0, strict_minimum=True)
    momentum = check_real(momentum, "momentum", minimum=0.0)
    if momentum >= 1.0:
        raise ValueError(f"momentum must be < 1, got {momentum}")
    clip = check_choice("none" if clip is None else clip, "clip", CLIP_MODES)
    threshold = check_real(clip_threshold, "clip_threshold", minimum=0.0, strict_minimum=True)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    rng = check_rng(rng, seed)

    n = X.shape[0]
    params, names = model.get_params(), model.param_names()
    velocity = [np.zeros_like(p) for p in params]
    total_steps = epochs * math.ceil(n / batch_size)
    losses = np.full(total_steps, np.nan)
    norms = np.full((total_steps, len(params)), np.nan)
    global_norms = np.full(total_steps, np.nan)
    clipped = np.zeros(total_steps, dtype=bool)
    reuse: dict[int, object] = {}  # MLP: gradient arrays per batch size, overwritten each step
    step, diverged_at, report, done_epochs = 0, None, None, 0

    with (
        np.errstate(all="ignore"),
        tqdm(total=total_steps, disable=not progress, desc="train", unit="step") as bar,
    ):
        for epoch in range(epochs):
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                idx = order[start : start + batch_size]
                if isinstance(model, MLP):
                    result = model.loss_and_gradients(X[idx], y[idx], loss, out=reuse.get(len(idx)))
                    reuse[len(idx)] = result
                else:
                    result = model.loss_and_gradients(X[idx], y[idx], loss)
                grads = result.as_list()
                losses[step] = result.loss
                norms[step] = [clipping.frobenius_norm(g) for g in grads]
                global_norms[step] = clipping.frobenius_norm(norms[step])
                finite = all(np.isfinite(g).all() for g in grads)
                if not (finite and np.isfinite(result.loss)):
                    diverged_at = step
                    report = _divergence_report(step, epoch, result.loss, grads, names)
                    step += 1
                    break
                if clip == "value":
                    grads, _ = clipping.clip_by_value(grads, threshold)
                    clipped[step] = any(np.max(np.abs(g)) > threshold for g in result.as_list())
                elif clip == "norm":
                    grads, _ = clipping.clip_by_norm(grads, threshold)
                    clipped[step] = bool(np.any(norms[step] > threshold))
                elif clip == "global_norm":
                    grads, _ = clipping.clip_by_global_norm(grads, threshold)
                    clipped[step] = global_norms[step] > threshold
                for p, v, g in zip(params, velocity, grads, strict=True):
                    v *= momentum  # v = momentum v + g
                    v += g
                    p -= lr * v  # theta = theta - lr v
                step += 1
                bar.update(1)
            if diverged_at is not None:
                break
            done_epochs += 1
            bar.set_postfix(loss=f"{losses[step - 1]:.4g}")
        if report is not None and progress:
            bar.write(report)

    return History(
        loss=losses[:step],
        grad_norms=norms[:step],
        global_grad_norm=global_norms[:step],
        clipped=clipped[:step],
        param_names=names,
        diverged_at=diverged_at,
        divergence=report,
        epochs=done_epochs,
    )
