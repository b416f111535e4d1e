"""Gradient clipping: by value, by norm per tensor, and by global norm.

Each function takes a list of gradient arrays and returns
``(clipped_list, before)``, where ``before`` is what the clipping looked at
(the norms before clipping). Inputs are never modified: the returned arrays
are new.

Float32 gradients stay float32; integer arrays are converted to float64.

Which one to use? Pascanu, Mikolov and Bengio (2013) rescale the *whole*
gradient when its norm exceeds a threshold, ``g <- threshold * g / ||g||``:
the step keeps its direction and only its length is capped. Clipping each
entry to ``[-c, c]`` (by value) bounds every entry but can turn the gradient
away from the descent direction. Clipping each tensor on its own norm keeps
each tensor's direction but changes the relative sizes of the tensors.

============================ ====================================== ==========================
gradlab                      PyTorch                                Keras optimizer argument
============================ ====================================== ==========================
:func:`clip_by_global_norm`  ``torch.nn.utils.clip_grad_norm_``     ``global_clipnorm``
:func:`clip_by_norm`         (loop of ``clip_grad_norm_``)          ``clipnorm`` (per variable)
:func:`clip_by_value`        ``torch.nn.utils.clip_grad_value_``    ``clipvalue``
============================ ====================================== ==========================

The correspondences are approximate in the last digits: PyTorch divides by
``N + eps`` with ``eps = 1e-6`` (as gradlab does by default), while Keras's
``clipnorm``/``global_clipnorm`` and ``tf.clip_by_global_norm`` use no eps,
computing ``g * c / max(||g||, c)``. Pass ``eps=0`` for the Keras/TensorFlow form.

Clipping tames *exploding* gradients. It does nothing for *vanishing* ones: a
tiny gradient is below every threshold.

Non-finite gradients (``inf``/``nan``) raise ``ValueError`` by default, since
clipping cannot repair them. With ``allow_nonfinite=True`` they pass through
IEEE arithmetic as in PyTorch's ``clip_grad_norm_(..., error_if_nonfinite=False)``:
an infinite norm gives a scale of 0, so finite entries become 0 and infinite
ones ``nan``; ``nan`` stays ``nan``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._validation import check_float_array, check_real

__all__ = ["clip_by_value", "clip_by_norm", "clip_by_global_norm", "global_norm", "frobenius_norm"]

EPS = 1e-6


def frobenius_norm(x: np.ndarray) -> float:
    """``||x|| = sqrt(sum x_ij**2)``, computed without overflow or underflow.

    ``sqrt(sum x**2)`` overflows to ``inf`` once entries pass ~1e154 and
    underflows to 0 below ~1e-154; both happen in this course (exploding and
    vanishing gradients), so in those ranges the array is first divided by its
    largest magnitude. ``inf`` entries give ``inf``, ``nan`` gives ``nan``.
    ``x`` is any array of real numbers (an empty array has norm 0).
    """
    x = check_float_array(x, "x", finite=False)
    with np.errstate(all="ignore"):
        squares = float(np.vdot(x, x))
        if 1e-280 < squares < math.inf:
            return math.sqrt(squares)
        scale = float(np.max(np.abs(x))) if x.size else 0.0
        if scale == 0.0 or not math.isfinite(scale):
            return scale
        y = x / scale
        return scale * math.sqrt(float(np.vdot(y, y)))


def _check_grads(grads: object, allow_nonfinite: bool) -> list[np.ndarray]:
    """The gradients as float arrays, float32 kept as float32 (``check_array`` would upcast)."""
    if isinstance(grads, (np.ndarray, str, bytes)) or not isinstance(grads, Sequence):
        raise TypeError(
            f"grads must be a list of arrays (one per parameter), got {type(grads).__name__}"
        )
    if not isinstance(allow_nonfinite, bool):
        raise TypeError(f"allow_nonfinite must be True or False, got {allow_nonfinite!r}")
    checked = [check_float_array(g, f"grads[{i}]", finite=False) for i, g in enumerate(grads)]
    if not allow_nonfinite:
        for i, g in enumerate(checked):
            if not np.all(np.isfinite(g)):
                raise ValueError(
                    f"grads[{i}] contains non-finite values (inf or nan): the gradient has "
                    "already exploded, clipping cannot repair it (pass allow_nonfinite=True "
                    "to clip anyway)"
                )
    return checked


def global_norm(grads: Sequence[np.ndarray]) -> float:
    """``sqrt(sum_i ||g_i||**2)``: the norm of all gradients seen as one long vector.

    ``grads`` is a list of arrays; non-finite entries give ``inf`` or ``nan``.
    """
    grads = _check_grads(grads, allow_nonfinite=True)
    return frobenius_norm(np.array([frobenius_norm(g) for g in grads]))


def clip_by_value(
    grads: Sequence[np.ndarray], clip_value: float, *, allow_nonfinite: bool = False
) -> tuple[list[np.ndarray], np.ndarray]:
    """Clip every entry to ``[-clip_value, clip_value]``.

    ``g_ij <- min(max(g_ij, -c), c)``. Bounds each entry, but can change the
    gradient's direction (only the large entries shrink). PyTorch
    ``torch.nn.utils.clip_grad_value_``; Keras optimizers' ``clipvalue``.

    Returns
    -------
    (clipped, norms)
        New arrays, and the Frobenius norm of each input array.
    """
    c = check_real(clip_value, "clip_value", minimum=0.0, strict_minimum=True)
    grads = _check_grads(grads, allow_nonfinite)
    with np.errstate(all="ignore"):
        norms = np.array([frobenius_norm(g) for g in grads])
        return [np.clip(g, -c, c) for g in grads], norms


def clip_by_norm(
    grads: Sequence[np.ndarray],
    max_norm: float,
    *,
    eps: float = EPS,
    allow_nonfinite: bool = False,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Rescale each array on its own so its norm is at most ``max_norm``.

    ``g_i <- g_i * max_norm / (||g_i|| + eps)`` when ``||g_i|| > max_norm``
    (Frobenius norm). Keras optimizers' ``clipnorm`` (per variable) and
    ``tf.clip_by_norm`` are the same up to ``eps``: they use none, computing
    ``g_i * max_norm / max(||g_i||, max_norm)``, so the equivalence is
    approximate (the same formula with ``eps=0``).

    Returns
    -------
    (clipped, norms)
        New arrays, and each input array's norm before clipping.
    """
    max_norm = check_real(max_norm, "max_norm", minimum=0.0, strict_minimum=True)
    eps = check_real(eps, "eps", minimum=0.0)
    grads = _check_grads(grads, allow_nonfinite)
    with np.errstate(all="ignore"):
        norms = np.array([frobenius_norm(g) for g in grads])
        scales = np.where(norms > max_norm, max_norm / (norms + eps), 1.0)
        # float(s): a Python float keeps float32 gradients float32
        return [g * float(s) for g, s in zip(grads, scales, strict=True)], norms


def clip_by_global_norm(
    grads: Sequence[np.ndarray],
    max_norm: float,
    *,
    eps: float = EPS,
    allow_nonfinite: bool = False,
) -> tuple[list[np.ndarray], float]:
    """Rescale all arrays together so their global norm is at most ``max_norm``.

    With ``N = sqrt(sum_i ||g_i||**2)``, every ``g_i <- g_i * max_norm / (N +
    eps)`` when ``N > max_norm``: Pascanu et al. (2013), Algorithm 1. The
    direction of the whole gradient is kept. PyTorch
    ``torch.nn.utils.clip_grad_norm_`` (same ``eps = 1e-6``). (PyTorch
    multiplies by ``min(1, max_norm / (N + eps))`` always, so a norm within
    ``eps`` of the threshold is shrunk by a hair; here only ``N > max_norm``
    is rescaled.) Keras optimizers' ``global_clipnorm`` and
    ``tf.clip_by_global_norm`` use no eps: they compute ``g_i * max_norm /
    max(N, max_norm)``, so they match this only approximately (to a relative
    ``eps / N``); with ``eps=0`` the formulas agree.

    Returns
    -------
    (clipped, total_norm)
        New arrays, and the global norm ``N`` before clipping.
    """
    max_norm = check_real(max_norm, "max_norm", minimum=0.0, strict_minimum=True)
    eps = check_real(eps, "eps", minimum=0.0)
    grads = _check_grads(grads, allow_nonfinite)
    total = global_norm(grads)
    with np.errstate(all="ignore"):
        if np.isnan(total):
            scale = np.nan
        else:
            scale = max_norm / (total + eps) if total > max_norm else 1.0
        return [g * scale for g in grads], total
