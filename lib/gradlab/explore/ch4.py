"""Chapter 4 explorer: how the initializer sets the signal's and the gradient's scale per layer."""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator

from .. import activations, initializers
from .._validation import check_int
from ..plotting import COLORS, FIGURE_WIDTH
from ._base import Control, Explorer, OffScale, legend_above, off_scale_count
from ._text import FastText

__all__ = ["InitializationExplorer", "variance_factor"]

#: The schemes offered: those that make sense for a square hidden layer.
SCHEMES = (
    "standard_normal",
    "uniform_fan_in",
    "lecun_normal",
    "xavier_normal",
    "he_normal",
    "orthogonal",
)
ACTIVATIONS = ("tanh", "relu", "leaky_relu", "identity", "sigmoid")
#: The network's leaky ReLU slope: gradlab's default (``activations.leaky_relu``).
LEAKY_SLOPE = float(inspect.signature(activations.leaky_relu).parameters["negative_slope"].default)


def variance_factor(activation: str) -> float | None:
    """``c`` in He et al.'s recursion ``E[a_l^2] = c n Var[W] E[a_{l-1}^2]``, or None.

    .. math:: c = 1 \\text{ (identity)}, \\quad \\tfrac12 \\text{ (ReLU)}, \\quad
              \\tfrac{1 + a^2}{2} \\text{ (leaky ReLU of slope } a)

    A symmetric input to a ReLU keeps half of its second moment; a leaky ReLU keeps
    ``(1 + a^2) / 2`` of it. Bounded, curved activations (tanh, sigmoid) have no such closed
    form (their factor depends on the scale itself), so the answer is None.

    References
    ----------
    He, K., Zhang, X., Ren, S., Sun, J. (2015). Delving deep into rectifiers: surpassing
    human-level performance on ImageNet classification. *ICCV*, 1026-1034 (eqs. 7-10).
    """
    if activation == "identity":
        return 1.0
    if activation == "relu":
        return 0.5
    if activation == "leaky_relu":
        return (1.0 + LEAKY_SLOPE**2) / 2.0
    return None


class InitializationExplorer(Explorer):
    """Per-layer activation scale and gradient norm of a deep MLP, by initializer.

    Controls: the initializer (``SCHEMES``, from :mod:`gradlab.initializers`), the activation
    (``ACTIVATIONS``; leaky ReLU with gradlab's default slope 0.01), the depth ``L`` (2 to 50)
    and the width ``n`` (16 to 256). The network has ``L`` square ``n x n`` layers, zero biases,
    the activation after every layer but the last, on a standard-normal batch of 16. Two panels
    share the layer axis:

    * top: ``log10 rms(a_l)``, the root mean square ``sqrt(mean(a_l^2))`` over the batch and
      the units (the std about zero, the quantity He et al.'s recursion follows), for the input
      ``l = 0`` and the hidden layers ``1..L-1``;
    * bottom: ``log10 ||dJ/da_{l-1}||``, the gradient entering each layer ``l = 1..L``, from a
      random probe gradient at the output, as :func:`gradlab.backprop.gradient_norms_at_init`
      measures it.

    Dashed, where a closed form exists (identity, ReLU, leaky ReLU; see
    :func:`variance_factor`), the prediction

    .. math:: \\mathrm{rms}(a_l) = \\mathrm{rms}(a_0)\\,(c\\, n \\mathrm{Var}[W])^{l/2}, \\qquad
              \\|g_{l-1}\\| = \\|g_{L-1}\\|\\,(c\\, n \\mathrm{Var}[W])^{(L-l)/2}

    anchored at the measured input and top-layer values, with ``Var[W]`` from
    :func:`gradlab.initializers.variance`. For tanh and sigmoid the header says there is none.

    Draws. For each width the batch, the probe and one unit-variance base matrix per layer are
    drawn once, at construction, for every width and the deepest setting, from
    ``numpy.random.default_rng(seed)``, in :func:`~gradlab.backprop.gradient_norms_at_init`'s
    order: batch, probe, then the layers.
    Layer ``l``'s weights are those the scheme's gradlab initializer draws when called on that
    generator once per layer: Gaussian schemes scale the standard-normal base, the orthogonal
    scheme is the QR factor of it, ``uniform_fan_in`` uses uniforms drawn from the same
    generator state (both computed for all layers of a width on their first use, the default
    width's at construction). The products ``a W`` and ``delta W^T`` never form a scaled copy
    of ``W``.
    Both y axes are fixed; a value that leaves its axis is marked by a triangle on the edge and
    a note says how many layers.

    Parameters
    ----------
    seed : int
        Seeds the weights, the batch and the probe.
    caption : str, optional
        Replaces the default caption.

    References
    ----------
    Glorot, X., Bengio, Y. (2010). Understanding the difficulty of training deep feedforward
    neural networks. *AISTATS*, 249-256.
    He, K., Zhang, X., Ren, S., Sun, J. (2015). Delving deep into rectifiers. *ICCV*, 1026-1034.
    """

    controls = {
        "scheme": Control("initializer", "lecun_normal", options=SCHEMES),
        "activation": Control("activation", "relu", options=ACTIVATIONS),
        "depth": Control("depth L", 30, 2, 50, 1, integer=True),
        "width": Control("width n", 64, options=(16, 32, 64, 128, 256)),
    }
    label = "fig-initialization-explorer"
    caption = (
        "How the initializer sets the scale of the signal (top: root mean square of each "
        "layer's activations) and of the gradient entering each layer (bottom), both on a "
        "log10 scale, against He et al.'s prediction where one exists (dashed)."
    )
    batch = 16  # gradient_norms_at_init's default
    #: The static book's grid: 6 x 5 x 25 x 5 = 3750 views.
    static_grid = {"depth": tuple(range(2, 51, 2))}

    @classmethod
    def rounding_sensitive(cls, values: dict[str, Any]) -> bool:
        """Standard-normal weights with tanh put the network in the chaotic phase
        (``n Var[W] = n >> 1``; Poole et al. 2016): nearby inputs, and last-bit differences,
        separate by a constant factor per layer, and after about 28 layers at width 256 (40 at
        width 64) another CPU prints other numbers. Sensitive from depth 20 on, for margin."""
        return (
            values.get("scheme") == "standard_normal"
            and values.get("activation") == "tanh"
            and int(values.get("depth", 0)) >= 20
        )

    figsize = (FIGURE_WIDTH, 6.6)
    #: Fixed y ranges (decades): wide enough for 50 ReLU layers at n Var = 1 (-7.4 decades),
    #: narrow enough that a drift of half a decade shows. Values beyond are marked (OffScale).
    ylim_act = (-8.0, 8.0)
    ylim_grad = (-8.0, 8.0)
    forward_cache = 8  # forward passes kept (scheme, activation, width), most recent

    def __init__(self, seed: int = 0, caption: str | None = None) -> None:
        self.seed = check_int(seed, "seed", minimum=0)
        self._draws: dict[int, dict[str, Any]] = {}
        self._forwards: dict[tuple[str, str, int], dict[str, list]] = {}
        self._results: dict[tuple[str, str, int, int], tuple[np.ndarray, np.ndarray]] = {}
        for width in self.controls["width"].options:
            self._draw(int(width))
        default = int(self.controls["width"].default)
        for scheme in ("uniform_fan_in", "orthogonal"):  # the default width's, up front
            self._matrices(scheme, default)
        super().__init__(caption)

    # -- the draws -------------------------------------------------------------------
    def _draw(self, width: int) -> dict[str, Any]:
        """Batch, probe and standard-normal layer draws for ``width`` (made once, then cached)."""
        if width not in self._draws:
            rng = np.random.default_rng(self.seed)
            X = rng.standard_normal((self.batch, width))
            r = rng.standard_normal((self.batch, width))
            state = rng.bit_generator.state  # where the layers' draws start
            deepest = int(self.controls["depth"].max)
            normal = rng.standard_normal((deepest, width, width))
            self._draws[width] = {"X": X, "r": r, "state": state, "normal": normal}
        return self._draws[width]

    def _matrices(self, scheme: str, width: int) -> np.ndarray:
        """Every layer's ``uniform_fan_in`` or ``orthogonal`` weights for ``width``.

        Computed for all layers at once on first use, then cached: the uniform weights from
        the layers' generator state read as uniforms, ``-r + 2r U(0, 1)`` as
        ``Generator.uniform(-r, r)`` computes them; the orthogonal ones as the sign-corrected
        Q factors of the standard-normal base (Haar-distributed, Mezzadri 2007), as gradlab's
        :func:`~gradlab.initializers.orthogonal` draws them.
        """
        draws = self._draw(width)
        if scheme not in draws:
            if scheme == "uniform_fan_in":
                rng = np.random.default_rng()
                rng.bit_generator.state = draws["state"]
                W = rng.random(draws["normal"].shape)
                limit = math.sqrt(3.0 * self.weight_variance(scheme, width))
                W *= 2.0 * limit
                W += -limit
            else:
                W, rr = np.linalg.qr(draws["normal"])
                W *= np.where(np.diagonal(rr, axis1=1, axis2=2) < 0, -1.0, 1.0)[:, None, :]
            draws[scheme] = W
        return draws[scheme]

    def weights(self, scheme: str, width: int, layer: int, out: np.ndarray) -> np.ndarray:
        """Layer ``layer``'s weights (0-based) under ``scheme``, written into ``out``.

        Exactly what ``initializers.get(scheme)((n, n), rng)`` returns on its ``layer + 1``-th
        call, with ``rng = numpy.random.default_rng(seed)`` after the batch and the probe:
        ``std * N(0, 1)`` for the Gaussian schemes, ``-r + 2r U(0, 1)`` for ``uniform_fan_in``,
        and the sign-corrected Q of a QR factorization for ``orthogonal``.
        """
        if scheme in ("uniform_fan_in", "orthogonal"):
            np.copyto(out, self._matrices(scheme, width)[layer])
            return out
        draws = self._draw(width)
        std = math.sqrt(self.weight_variance(scheme, width))
        return np.multiply(draws["normal"][layer], std, out=out)

    def _times(self, x: np.ndarray, scheme: str, width: int, layer: int, *, t: bool) -> np.ndarray:
        """``x @ W`` (``t=False``) or ``x @ W.T`` (``t=True``) for layer ``layer``'s weights.

        Without forming ``W``: the stored uniform or orthogonal matrix is used as it is, and a
        Gaussian scheme's ``W = std * N`` as ``std * (x @ N)`` (equal up to rounding).
        """
        if scheme in ("uniform_fan_in", "orthogonal"):
            W = self._matrices(scheme, width)[layer]
            return x @ (W.T if t else W)
        N = self._draw(width)["normal"][layer]
        out = x @ (N.T if t else N)
        out *= math.sqrt(self.weight_variance(scheme, width))
        return out

    @staticmethod
    def weight_variance(scheme: str, width: int) -> float:
        """``Var[W]`` of ``scheme`` for a square ``width x width`` layer (gradlab's formula)."""
        return initializers.variance(scheme, width, width)

    # -- the measurement ------------------------------------------------------------------
    def _forward(self, scheme: str, activation: str, width: int, depth: int) -> dict[str, list]:
        """Forward pass to layer ``depth - 1``, extended lazily and kept for a few settings."""
        key = (scheme, activation, width)
        fwd = self._forwards.pop(key, None)
        if fwd is None:
            fwd = {"a": [self._draw(width)["X"]], "dphi": [], "rms": []}
            fwd["rms"].append(math.sqrt(float(np.mean(fwd["a"][0] ** 2))))
        self._forwards[key] = fwd  # most recent last
        while len(self._forwards) > self.forward_cache:
            self._forwards.pop(next(iter(self._forwards)))
        act = activations.get(activation)
        with np.errstate(all="ignore"):
            while len(fwd["a"]) < depth:  # a_l = phi(a_{l-1} @ W_l), as MLP._forward
                layer = len(fwd["a"]) - 1
                z = self._times(fwd["a"][-1], scheme, width, layer, t=False)
                a = act.forward(z)
                if act.derivative_from_output is not None:  # as MLP._phi_prime
                    fwd["dphi"].append(act.derivative_from_output(a, np.empty_like(a)))
                else:
                    fwd["dphi"].append(act.derivative(z))
                fwd["a"].append(a)
                fwd["rms"].append(math.sqrt(float(np.mean(a * a))))
        return fwd

    def measure(self, values: dict[str, Any] | None = None) -> dict[str, Any]:
        """What the view shows at ``values`` (default: the current settings).

        Returns a dict with ``rms`` (``sqrt(mean(a_l^2))`` for ``l = 0..L-1``), ``grads``
        (``||dJ/da_{l-1}||`` for ``l = 1..L``, the probe gradient ``r / batch`` at the linear
        output backpropagated as :meth:`gradlab.network.MLP.backward` does), ``nvar``
        (``n Var[W]``) and ``c`` (:func:`variance_factor`, None without a closed form).
        """
        v = self.values if values is None else values
        scheme, activation = v["scheme"], v["activation"]
        depth, width = int(v["depth"]), int(v["width"])
        key = (scheme, activation, width, depth)
        if key not in self._results:
            fwd = self._forward(scheme, activation, width, depth)
            delta = self._draw(width)["r"] / self.batch  # dJ/dz_L: the last layer is linear
            norms = np.empty(depth)
            with np.errstate(all="ignore"):
                for i in reversed(range(depth)):
                    g = self._times(delta, scheme, width, i, t=True)  # dJ/da_{l-1}
                    norms[i] = np.linalg.norm(g)
                    if i > 0:
                        delta = fwd["dphi"][i - 1] * g
            self._results[key] = (np.array(fwd["rms"][:depth]), norms)
        rms, norms = self._results[key]
        return {
            "rms": rms,
            "grads": norms,
            "nvar": width * self.weight_variance(scheme, width),
            "c": variance_factor(activation),
        }

    @staticmethod
    def predictions(m: dict[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
        """The dashed lines (log10), anchored at the input and at the top layer, or None."""
        if m["c"] is None:
            return None
        step = 0.5 * math.log10(m["c"] * m["nvar"])  # decades per layer
        depth = len(m["grads"])
        act = math.log10(m["rms"][0]) + step * np.arange(depth)
        grad = math.log10(m["grads"][-1]) + step * (depth - np.arange(1, depth + 1))
        return act, grad

    # -- drawing ----------------------------------------------------------------------------
    def _build(self, fig: Figure) -> list[Artist]:
        blue, grey = COLORS["blue"], COLORS["grey"]
        xmax = int(self.controls["depth"].max) + 1
        top = fig.add_axes((0.14, 0.49, 0.82, 0.34))
        top.set_xlim(-1, xmax)
        top.set_ylim(*self.ylim_act)
        top.set_ylabel("log10 rms(a_ℓ)")
        top.axhline(0.0, color=grey, lw=1)
        bottom = fig.add_axes((0.14, 0.08, 0.82, 0.32))
        bottom.set_xlim(-1, xmax)
        bottom.set_ylim(*self.ylim_grad)
        for ax in (top, bottom):
            ax.yaxis.set_major_locator(MultipleLocator(2))  # whole decades, on both panels
        bottom.set_xlabel("layer ℓ")
        bottom.set_ylabel("log10 ‖∂J/∂a‖")
        bottom.axhline(0.0, color=grey, lw=1)
        (self._act,) = top.plot([], [], "o-", ms=3, lw=1.5, color=blue, zorder=4)
        (self._act_pred,) = top.plot([], [], ls="--", lw=2, color=grey, zorder=3)
        (self._grad,) = bottom.plot([], [], "o-", ms=3, lw=1.5, color=blue, zorder=4)
        (self._grad_pred,) = bottom.plot([], [], ls="--", lw=2, color=grey, zorder=3)
        legend_above(
            top, [self._act, self._act_pred], ["measured", "predicted: ×√(c·n·Var[W]) per layer"]
        )
        self._act_off = OffScale(top, blue)
        self._grad_off = OffScale(bottom, blue)
        self._header = fig.add_artist(FastText(0.02, 0.985, "", va="top", linespacing=1.4))
        return [
            self._act_pred,
            self._act,
            self._grad_pred,
            self._grad,
            *self._act_off.artists,
            *self._grad_off.artists,
            self._header,
        ]

    @staticmethod
    def _log(x: np.ndarray) -> np.ndarray:
        """log10, with 0 as -inf and inf/nan as +inf (drawn as off-scale markers)."""
        with np.errstate(all="ignore"):
            out = np.log10(x)
        return np.where(np.isnan(out), np.inf, out)

    def _apply(self, values: dict[str, Any]) -> None:
        m = self.measure(values)
        depth = len(m["grads"])
        act_layers, grad_layers = np.arange(depth), np.arange(1, depth + 1)
        act, grad = self._log(m["rms"]), self._log(m["grads"])
        self._act.set_data(act_layers, act)
        self._grad.set_data(grad_layers, grad)
        pred = self.predictions(m)
        if pred is None:
            self._act_pred.set_data([], [])
            self._grad_pred.set_data([], [])
        else:
            self._act_pred.set_data(act_layers, pred[0])
            self._grad_pred.set_data(grad_layers, pred[1])
        self._act_off.update(act_layers, act, self.ylim_act)
        self._grad_off.update(grad_layers, grad, self.ylim_grad)
        self._header.set_text(self._header_text(values, m))

    @staticmethod
    def _header_text(values: dict[str, Any], m: dict[str, Any]) -> str:
        first = (
            f"{values['scheme']}, {values['activation']}, L = {values['depth']}, "
            f"n = {values['width']}: n·Var[W] = {m['nvar']:.3g}"
        )
        if m["c"] is None:
            second = f"{values['activation']}: no closed-form prediction (no dashed line)"
        else:
            factor = math.sqrt(m["c"] * m["nvar"])
            second = f"predicted: ×{factor:.3g} per layer (c = {m['c']:.5g})"
            if values["activation"] == "leaky_relu":
                second += f", slope α = {LEAKY_SLOPE:g}"
        return f"{first}\n{second}"

    def alt_text(self) -> str:
        v, m = self.values, self.measure()
        depth = len(m["grads"])
        act, grad = self._log(m["rms"]), self._log(m["grads"])
        off = [
            f"{what} of {n} layers"
            for what, n in (
                ("the activation scale", off_scale_count(act, self.ylim_act)),
                ("the gradient", off_scale_count(grad, self.ylim_grad)),
            )
            if n
        ]
        clipped = (
            f" Off the plotted range, marked by triangles on the edge: {' and '.join(off)}."
            if off
            else ""
        )
        if m["c"] is None:
            pred = f" There is no closed-form prediction for {v['activation']}."
        else:
            factor = math.sqrt(m["c"] * m["nvar"])
            slope = (
                f" for a leaky slope of {LEAKY_SLOPE:g}" if v["activation"] == "leaky_relu" else ""
            )
            pred = (
                f" Dashed straight lines show the prediction, a factor {factor:.3g} per layer "
                f"(c = {m['c']:.5g}{slope})."
            )
        return (
            f"Two stacked plots on log10 scales for a network of {depth} layers of width "
            f"{v['width']} at initialization, {v['activation']} activation, {v['scheme']} "
            f"weights (n times Var[W] = {m['nvar']:.3g}). Top: the root mean square of the "
            f"activations goes from {m['rms'][0]:.3g} at the input to {m['rms'][-1]:.3g} at "
            f"layer {depth - 1}. Bottom: the norm of the gradient entering each layer goes from "
            f"{m['grads'][-1]:.3g} at layer {depth} to {m['grads'][0]:.3g} at layer 1.{pred}"
            f"{clipped}"
        )
