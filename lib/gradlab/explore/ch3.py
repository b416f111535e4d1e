"""Chapter 3 explorer: what each layer's units do at initialization, and the gradient they pass."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from .. import activations, backprop
from .._validation import check_int
from ..network import Diagnostics
from ..plotting import COLORS, FIGURE_WIDTH
from ._base import Control, Explorer, OffScale, legend_above, off_scale_count
from ._text import FastText

__all__ = ["ActivationStatsExplorer"]


def _choices() -> tuple[str, ...]:
    """Every registered activation but the identity (read from the registry, so new ones appear)."""
    return tuple(name for name in activations.names() if name != "identity")


class ActivationStatsExplorer(Explorer):
    """Per-layer activation statistics and gradient norms of a deep MLP at initialization.

    Controls: the activation (every name of :func:`gradlab.activations.names` but the
    identity), the depth ``L`` (2 to 40) and the gain ``sigma sqrt(n)`` (0.5 to 3) of the
    weights, i.i.d. ``N(0, gain^2 / n)`` with ``n = 64``, zero biases, on a standard-normal
    batch of 16 (seeded). Two panels share the layer axis:

    * top, for the hidden layers ``1..L-1``: the mean of ``a_l = phi(z_l)`` over the batch and
      the units, with a band of one standard deviation either side, and on the right axis the
      percentage of units that are *saturated* (sigmoid and tanh: output within 1 % of the
      range from a bound) or *dead* (every other activation: ``phi'(z) = 0`` on every example
      of the batch), exactly as :meth:`gradlab.network.MLP.diagnostics` defines them;
    * bottom: ``log10 ||dJ/da_{l-1}||``, the gradient entering each layer ``l = 1..L``, as
      :func:`gradlab.backprop.gradient_norms_at_init` measures it with the same seed (a random
      probe gradient backpropagated from the top).

    The draws (batch, probe, one standard-normal matrix per layer) are made once for the
    deepest setting, in :func:`~gradlab.backprop.gradient_norms_at_init`'s order, so every
    activation and depth sees the same weights and the numbers equal that function's. Both
    y axes are fixed; a mean or a gradient that leaves its axis is marked by a triangle on the
    edge and a note says how many layers (the band is clipped at the edge).

    Parameters
    ----------
    seed : int
        Seeds the weights and the batch.
    caption : str, optional
        Replaces the default caption.

    References
    ----------
    Glorot, X., Bengio, Y. (2010). Understanding the difficulty of training deep feedforward
    neural networks. *AISTATS*, 249-256 (per-layer activation statistics at initialization).
    """

    controls = {
        "activation": Control("activation", "tanh", options=_choices()),
        "depth": Control("depth L", 20, 2, 40, 1, integer=True),
        "gain": Control("gain σ·√n", 1.0, 0.5, 3.0, 0.01),
    }
    label = "fig-activation-stats-explorer"
    caption = (
        "What the units of each layer do at initialization (top: mean activation with a band of "
        "one standard deviation, and the share of saturated or dead units) and the gradient "
        "entering each layer (bottom, log10 scale), for one activation, depth and gain."
    )
    width = 64
    batch = 16  # gradient_norms_at_init's default
    #: The static book's grid: 8 x 20 x 11 = 1760 views.
    static_grid = {
        "depth": tuple(range(2, 41, 2)),
        "gain": tuple(0.5 + 0.25 * k for k in range(11)),
    }
    figsize = (FIGURE_WIDTH, 6.6)
    ylim_act = (-1.5, 3.0)
    ylim_grad = (-40.0, 15.0)

    def __init__(self, seed: int = 0, caption: str | None = None) -> None:
        self.seed = check_int(seed, "seed", minimum=0)
        deepest = int(self.controls["depth"].max)
        self._probe = backprop.ProbeNetworks(self.width, deepest, batch=self.batch, seed=self.seed)
        super().__init__(caption)

    # -- the measurement ------------------------------------------------------
    def measure(
        self, values: dict[str, Any] | None = None
    ) -> tuple[backprop.GradientNorms, Diagnostics]:
        """The gradient norms and the per-layer diagnostics at ``values`` (default: current).

        The norms equal ``backprop.gradient_norms_at_init(activation, depth, 64, gain,
        seed=seed)``; the diagnostics equal ``MLP.diagnostics(X)`` of that network on its
        batch ``X`` (activation mean and std, saturated and dead fractions per layer).
        """
        v = self.values if values is None else values
        key = (v["activation"], v["depth"], v["gain"])
        if getattr(self, "_last", (None,))[0] != key:  # _apply then alt_text: measure once
            norms, net = self._probe.measure(*key)
            self._last = (key, (norms, net.summarize()))  # the batch's forward pass is cached
        return self._last[1]

    @staticmethod
    def counts_saturation(activation: str) -> bool:
        """Whether the top panel shows saturated units (bounded activations) or dead ones."""
        return activations.get(activation).bounds is not None

    def fraction(self, diag: Diagnostics, activation: str) -> np.ndarray:
        """Per hidden layer, the fraction of saturated (bounded ``phi``) or dead units."""
        frac = diag.saturated_fraction if self.counts_saturation(activation) else diag.dead_fraction
        return frac[:-1]

    # -- drawing ----------------------------------------------------------------
    def _build(self, fig: Figure) -> list[Artist]:
        blue, orange, grey = COLORS["blue"], COLORS["orange"], COLORS["grey"]
        xmax = int(self.controls["depth"].max) + 1
        top = fig.add_axes((0.14, 0.49, 0.72, 0.36))
        top.set_xlim(0, xmax)
        top.set_ylim(*self.ylim_act)
        top.set_ylabel("activation a")
        top.axhline(0.0, color=grey, lw=1)
        right = top.twinx()
        right.set_ylim(-4, 104)  # a marker at 0 % or 100 % stays whole
        right.set_ylabel("saturated or dead (%)", color=orange)
        right.tick_params(axis="y", colors=orange)
        right.set_yticks([0, 50, 100])
        right.grid(False)
        right.spines["right"].set_visible(True)
        bottom = fig.add_axes((0.14, 0.08, 0.72, 0.32))
        bottom.set_xlim(0, xmax)
        bottom.set_ylim(*self.ylim_grad)
        bottom.set_xlabel("layer ℓ")
        bottom.set_ylabel("log10 ‖∂J/∂a‖")
        bottom.axhline(0.0, color=grey, lw=1)
        (self._mean,) = top.plot([], [], "o-", ms=3, lw=1.5, color=blue, zorder=4)
        self._band = top.add_patch(
            Polygon(np.zeros((0, 2)), closed=True, color=blue, alpha=0.2, lw=0, zorder=3)
        )
        (self._frac,) = right.plot([], [], "s--", ms=3, lw=1.2, color=orange)
        legend_above(
            top,
            [self._mean, self._band, self._frac],
            ["mean", "± 1 std", "% saturated or dead"],
            columnspacing=1.0,
        )
        (self._grad,) = bottom.plot([], [], "o-", ms=3, lw=1.5, color=blue)
        self._mean_off = OffScale(top, blue, "mean off scale at {n} layer{s}")
        self._grad_off = OffScale(bottom, blue)
        self._header = fig.add_artist(FastText(0.02, 0.985, "", va="top", linespacing=1.4))
        self._top, self._bottom = top, bottom
        return [
            self._band,
            self._mean,
            self._frac,
            self._grad,
            *self._mean_off.artists,
            *self._grad_off.artists,
            self._header,
        ]

    def _apply(self, values: dict[str, Any]) -> None:
        norms, diag = self.measure(values)
        depth, activation = norms.depth, norms.activation
        hidden = np.arange(1, depth)
        mean, std = diag.activation_mean[:-1], diag.activation_std[:-1]
        self._mean.set_data(hidden, mean)
        upper, lower = mean + std, mean - std
        self._band.set_xy(np.column_stack([np.r_[hidden, hidden[::-1]], np.r_[upper, lower[::-1]]]))
        frac = self.fraction(diag, activation)
        self._frac.set_data(hidden, 100.0 * frac)
        self._mean_off.update(hidden, mean, self.ylim_act)
        layers = np.arange(1, depth + 1)
        logs = np.log10(norms.backward)
        self._grad.set_data(layers, logs)
        self._grad_off.update(layers, logs, self.ylim_grad)
        kind = "saturated" if self.counts_saturation(activation) else "dead"
        decades = f"{norms.decades_lost:+.1f}".replace("-", "−")
        self._header.set_text(
            f"{activation}, L = {depth}, gain {norms.gain:.2f}: first layer vs last "
            f"{decades} decades\n{kind} units: {100 * float(np.mean(frac)):.0f}% on average "
            "over the hidden layers"
        )

    def alt_text(self) -> str:
        norms, diag = self.measure()
        depth, activation = norms.depth, norms.activation
        mean, std = diag.activation_mean[:-1], diag.activation_std[:-1]
        frac = 100.0 * self.fraction(diag, activation)
        kind = "saturated" if self.counts_saturation(activation) else "dead"
        logs = np.log10(norms.backward)
        off = [
            f"the mean of {n} hidden layers" if what == "mean" else f"the gradient of {n} layers"
            for what, n in (
                ("mean", off_scale_count(mean, self.ylim_act)),
                ("grad", off_scale_count(logs, self.ylim_grad)),
            )
            if n
        ]
        clipped = (
            f" Off the plotted range, marked by triangles on the edge: {' and '.join(off)}."
            if off
            else ""
        )
        return (
            f"Two stacked plots for a network of {depth} layers of width {self.width} at "
            f"initialization, {activation} activation, weights with gain {norms.gain:.2f}. "
            f"Top, for hidden layers 1 to {depth - 1}: the mean activation goes from "
            f"{mean[0]:.3g} at layer 1 to {mean[-1]:.3g} at layer {depth - 1}, with standard "
            f"deviation from {std[0]:.3g} to {std[-1]:.3g} (a shaded band); {kind} units make "
            f"{frac.mean():.0f}% of the units on average (from {frac.min():.0f}% to "
            f"{frac.max():.0f}% per layer). Bottom: log10 of the norm of the gradient entering "
            f"each layer; from the last layer to the first it changes by "
            f"{norms.decades_lost:+.1f} decades.{clipped}"
        )
