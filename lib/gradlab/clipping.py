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
from typing import NamedTuple

import numpy as np

from ._validation import check_array, check_float_array, check_int, check_real

__all__ = [
    "clip_by_value",
    "clip_by_norm",
    "clip_by_global_norm",
    "global_norm",
    "frobenius_norm",
    "angle_between",
    "ClipComparison",
    "compare_clipping",
    "TensorwiseComparison",
    "compare_tensorwise",
    "torch_clip_grad_norm_",
    "torch_clip_grad_value_",
    "keras_clip_gradients",
    "suggest_threshold",
    "PYTORCH_CLIP_GRAD_NORM_URL",
    "KERAS_OPTIMIZER_URL",
    "OPTAX_CLIPPING_URL",
]

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


# --- the angle a clip introduces ----------------------------------------------------------

#: Where the framework behaviour below was read (the docs, and the source they link).
PYTORCH_CLIP_GRAD_NORM_URL = (
    "https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html"
)
KERAS_OPTIMIZER_URL = "https://keras.io/api/optimizers/"
OPTAX_CLIPPING_URL = "https://optax.readthedocs.io/en/latest/api/transformations.html"


def _flat(grads: Sequence[np.ndarray] | np.ndarray, name: str) -> np.ndarray:
    """One float64 vector: an array, or a list of arrays concatenated."""
    if isinstance(grads, np.ndarray) or not isinstance(grads, Sequence) or not grads:
        return check_float_array(grads, name).astype(np.float64).ravel()
    if all(isinstance(g, (int, float)) for g in grads):  # a plain list of numbers: one vector
        return check_float_array(grads, name).astype(np.float64).ravel()
    parts = [check_float_array(g, f"{name}[{i}]").ravel() for i, g in enumerate(grads)]
    return np.concatenate(parts).astype(np.float64)


def angle_between(a: object, b: object) -> float:
    """The angle between two gradients, in degrees (0 = same direction, 180 = opposite).

    .. math:: \\theta = 2 \\arctan2\\big(\\|a\\|b\\| - b\\|a\\|\\|,\\;
              \\|a\\|b\\| + b\\|a\\|\\|\\big)

    Kahan's formula: the same angle as ``arccos(a.b / (|a| |b|))`` but accurate for nearly
    parallel vectors, where ``arccos`` loses half the digits (``arccos(1 - 1e-17)`` is 0 in
    float64, while the true angle is 2.6e-7 degrees).

    Parameters
    ----------
    a, b : array_like or list of arrays
        Two gradients of the same total size (a list of arrays is concatenated, as a global
        norm sees it). Neither may be all zeros (a zero vector has no direction).

    References
    ----------
    Kahan, W. (2006). How futile are mindless assessments of roundoff in floating-point
    computation? Section 12 (angles between vectors).
    """
    x, y = _flat(a, "a"), _flat(b, "b")
    if x.shape != y.shape:
        raise ValueError(f"a and b must have the same size, got {x.size} and {y.size}")
    nx, ny = frobenius_norm(x), frobenius_norm(y)
    if nx == 0.0 or ny == 0.0:
        raise ValueError("a and b must be non-zero: a zero gradient has no direction")
    u, v = x / nx, y / ny  # unit vectors: the formula's a|b| and b|a|, rescaled
    return math.degrees(2.0 * math.atan2(frobenius_norm(u - v), frobenius_norm(u + v)))


class ClipComparison(NamedTuple):
    """Clipping one gradient vector by value and by norm (:func:`compare_clipping`).

    Attributes
    ----------
    gradient, by_value, by_norm
        The gradient and its two clipped versions (new arrays).
    threshold
        The clip value ``c`` (for both: entries to ``[-c, c]``, or the norm to ``c``).
    norm, value_norm, by_norm_norm
        Their norms.
    value_angle, norm_angle
        Degrees between the gradient and each clipped version (``norm_angle`` is 0 up to
        rounding: norm clipping keeps the direction).
    """

    gradient: np.ndarray
    by_value: np.ndarray
    by_norm: np.ndarray
    threshold: float
    norm: float
    value_norm: float
    by_norm_norm: float
    value_angle: float
    norm_angle: float


def compare_clipping(g: object, threshold: float) -> ClipComparison:
    """Clip ``g`` by value and by norm at the same ``threshold``; measure the angles.

    By value, ``g_i <- min(max(g_i, -c), c)``: only the large entries shrink, so the
    direction turns towards the diagonal of the box ``[-c, c]^n``. By norm,
    ``g <- c g / ||g||`` when ``||g|| > c`` (Pascanu et al. 2013, without an eps): the
    direction is kept. ``g`` is not modified.

    Parameters
    ----------
    g : array_like
        A non-zero gradient (any shape; treated as one vector).
    threshold : float
        ``c > 0``.
    """
    c = check_real(threshold, "threshold", minimum=0.0, strict_minimum=True)
    x = check_float_array(g, "g").astype(np.float64)
    norm = frobenius_norm(x)
    if norm == 0.0:
        raise ValueError("g must be non-zero: a zero gradient has no direction to compare")
    by_value = np.clip(x, -c, c)
    by_norm = x * (c / norm) if norm > c else x.copy()
    return ClipComparison(
        x.copy(),
        by_value,
        by_norm,
        c,
        norm,
        frobenius_norm(by_value),
        frobenius_norm(by_norm),
        angle_between(x, by_value),
        angle_between(x, by_norm),
    )


class TensorwiseComparison(NamedTuple):
    """Per-tensor against global norm clipping of a list of gradients (:func:`compare_tensorwise`).

    Attributes
    ----------
    norms
        Each tensor's norm before clipping.
    total_norm
        The global norm before clipping.
    per_tensor_norms, global_norms
        Each tensor's norm after per-tensor (``clipnorm``) and after global clipping.
    per_tensor_angle, global_angle
        Degrees between the whole gradient (all tensors concatenated) and each clipped one.
    """

    norms: np.ndarray
    total_norm: float
    per_tensor_norms: np.ndarray
    global_norms: np.ndarray
    per_tensor_angle: float
    global_angle: float


def compare_tensorwise(grads: Sequence[np.ndarray], max_norm: float) -> TensorwiseComparison:
    """Clip a list of gradients per tensor and globally; compare norms and directions.

    Per tensor (:func:`clip_by_norm`, Keras ``clipnorm``) each tensor keeps its own
    direction but their relative sizes change, so the whole gradient turns; globally
    (:func:`clip_by_global_norm`, PyTorch ``clip_grad_norm_``, Keras ``global_clipnorm``) one
    factor scales everything and the whole direction is kept. Both with ``eps = 0``.
    """
    per, norms = clip_by_norm(grads, max_norm, eps=0.0)
    glob, total = clip_by_global_norm(grads, max_norm, eps=0.0)
    return TensorwiseComparison(
        norms,
        total,
        np.array([frobenius_norm(g) for g in per]),
        np.array([frobenius_norm(g) for g in glob]),
        angle_between(grads, per),
        angle_between(grads, glob),
    )


# --- exactly what the frameworks do -------------------------------------------------------


def torch_clip_grad_norm_(
    grads: Sequence[np.ndarray],
    max_norm: float,
    norm_type: float = 2.0,
    *,
    error_if_nonfinite: bool = False,
) -> tuple[list[np.ndarray], float]:
    """PyTorch's ``torch.nn.utils.clip_grad_norm_``, step for step, on NumPy arrays.

    .. math:: N = \\big\\|(\\|g_1\\|_p, \\dots, \\|g_k\\|_p)\\big\\|_p, \\qquad
              g_i \\leftarrow g_i \\min\\big(1, c / (N + 10^{-6})\\big)

    with ``c = max_norm``, as in PyTorch's source (``torch/nn/utils/clip_grad.py``:
    ``_get_total_norm`` then ``_clip_grads_with_norm_``, where
    ``clip_coef = max_norm / (total_norm + 1e-6)`` is clamped to ``max=1.0``). The product
    is taken *always* (it avoids a device synchronisation): a gradient whose norm is exactly
    ``max_norm`` is scaled by ``max_norm / (max_norm + 1e-6)``, a hair below 1, and zero
    gradients stay zero (the coefficient is clamped to 1). An infinite ``N`` gives a
    coefficient 0: finite entries become 0, infinite ones ``nan``; with
    ``error_if_nonfinite=True`` a non-finite ``N`` raises (PyTorch: ``RuntimeError``; here
    ``ValueError``). PyTorch modifies ``.grad`` in place and returns ``N``; this
    returns new arrays and ``N``.

    Parameters
    ----------
    grads : list of arrays
        One gradient per parameter.
    max_norm : float
        The largest global norm allowed (> 0).
    norm_type : float
        ``p`` (>= 1), or ``math.inf`` for the largest magnitude.

    References
    ----------
    PyTorch documentation, ``torch.nn.utils.clip_grad_norm_``:
    https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html
    """
    c = check_real(max_norm, "max_norm", minimum=0.0, strict_minimum=True)
    if isinstance(norm_type, bool) or not isinstance(norm_type, (int, float)):
        raise TypeError(f"norm_type must be a real number >= 1 or math.inf, got {norm_type!r}")
    p = float(norm_type)
    if not p >= 1.0:
        raise ValueError(f"norm_type must be >= 1 (or math.inf), got {norm_type!r}")
    grads = _check_grads(grads, allow_nonfinite=True)
    with np.errstate(all="ignore"):
        if p == 2.0:
            norms = np.array([frobenius_norm(g) for g in grads])
            total = frobenius_norm(norms) if norms.size else 0.0
        elif math.isinf(p):
            norms = np.array([float(np.max(np.abs(g))) if g.size else 0.0 for g in grads])
            total = float(np.max(norms)) if norms.size else 0.0
        else:
            norms = np.array([float(np.sum(np.abs(g.astype(np.float64)) ** p)) for g in grads])
            total = float(np.sum(norms) ** (1.0 / p))
        if error_if_nonfinite and not math.isfinite(total):
            raise ValueError(
                f"the total norm of order {p:g} of grads is non-finite ({total}), so it cannot "
                "be clipped (PyTorch raises RuntimeError here)"
            )
        coef = min(c / (total + 1e-6), 1.0) if not math.isnan(total) else math.nan
        return [g * g.dtype.type(coef) for g in grads], total


def torch_clip_grad_value_(grads: Sequence[np.ndarray], clip_value: float) -> list[np.ndarray]:
    """PyTorch's ``torch.nn.utils.clip_grad_value_``: every entry clamped to ``[-c, c]``.

    ``clamp_min_(-c)`` then ``clamp_max_(c)`` on each gradient (PyTorch's source); it returns
    nothing and works in place, this returns new arrays. ``nan`` entries stay ``nan``.

    References
    ----------
    PyTorch documentation, ``torch.nn.utils.clip_grad_value_``:
    https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_value_.html
    """
    c = check_real(clip_value, "clip_value", minimum=0.0, strict_minimum=True)
    grads = _check_grads(grads, allow_nonfinite=True)
    return [np.minimum(np.maximum(g, -c), c) for g in grads]


def keras_clip_gradients(
    grads: Sequence[np.ndarray],
    *,
    clipnorm: float | None = None,
    global_clipnorm: float | None = None,
    clipvalue: float | None = None,
) -> list[np.ndarray]:
    """What a Keras 3 optimizer does with its ``clipnorm``, ``global_clipnorm`` or ``clipvalue``.

    At most one may be set (Keras raises ``ValueError`` otherwise); the optimizer applies it
    to the gradients before its update (``BaseOptimizer._clip_gradients``):

    * ``clipnorm = c``: each variable's gradient on its own,
      ``g * c / max(||g||, c)`` (a zero gradient stays zero);
    * ``global_clipnorm = c``: all together, ``g * c * min(1/N, 1/c)`` with ``N`` the global
      norm (a non-finite ``N`` makes every entry ``nan``);
    * ``clipvalue = c``: every entry to ``[-c, c]``.

    None of them adds an eps, so a norm exactly at ``c`` is left as it is.

    References
    ----------
    Keras 3 documentation, optimizers (common arguments): https://keras.io/api/optimizers/ ;
    source ``keras/src/optimizers/base_optimizer.py``.
    """
    chosen = {
        k: v
        for k, v in (
            ("clipnorm", clipnorm),
            ("global_clipnorm", global_clipnorm),
            ("clipvalue", clipvalue),
        )
        if v is not None
    }
    if len(chosen) > 1:
        raise ValueError(
            f"only one of clipnorm, global_clipnorm and clipvalue can be set, got {chosen}"
        )
    grads = _check_grads(grads, allow_nonfinite=True)
    if not chosen:
        return [g.copy() for g in grads]
    ((name, value),) = chosen.items()
    c = check_real(value, name, minimum=0.0, strict_minimum=True)
    with np.errstate(all="ignore"):
        if name == "clipvalue":
            return [np.clip(g, -c, c) for g in grads]
        if name == "clipnorm":
            out = []
            for g in grads:
                n = frobenius_norm(g)
                out.append(g * g.dtype.type(c) / g.dtype.type(max(n, c)))
            return out
        total = global_norm(grads)
        inverse = 1.0 / total if total != 0.0 else math.inf
        scale = c * min(inverse, 1.0 / c) + (total - total)  # nan for a non-finite norm
        return [g * g.dtype.type(scale) for g in grads]


# --- choosing the threshold -------------------------------------------------------------------


def suggest_threshold(norms: object, *, steps: int = 50, percentile: float = 50.0) -> float:
    """A clipping threshold from a gradient-norm history: a percentile of its early norms.

    .. math:: c = \\mathrm{percentile}_q\\big(\\|g_1\\|, \\dots, \\|g_s\\|\\big)

    over the first ``s = steps`` finite norms of an unclipped run (all of them if fewer), by
    default the median (``q = 50``). Pascanu, Mikolov and Bengio (2013, section 3.2) suggest
    looking at "the average norm over a sufficiently large number of updates"; the median is
    that average made robust to the spikes clipping is for: a typical step passes, a spike
    is cut back to a typical length. It is a starting point, to be tried with a few factors
    of 3 on either side.

    Parameters
    ----------
    norms : array_like
        Global gradient norms, one per step (e.g. ``History.global_grad_norm``).
    steps : int
        How many early steps to use (>= 1).
    percentile : float
        ``q`` in ``(0, 100]``.
    """
    x = check_array(norms, "norms", ndim=1, finite=False)
    s = check_int(steps, "steps", minimum=1)
    q = check_real(percentile, "percentile", minimum=0.0, strict_minimum=True)
    if q > 100.0:
        raise ValueError(f"percentile must be in (0, 100], got {percentile!r}")
    if np.any(x < 0):
        raise ValueError("norms must be >= 0 (they are norms)")
    early = x[np.isfinite(x)][:s]
    if early.size == 0:
        raise ValueError("norms must hold at least one finite value")
    return float(np.percentile(early, q))
