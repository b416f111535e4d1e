"""Chapter 2 explorer: the gradient reaching each layer of a deep network, by activation."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from .. import backprop
from .._validation import check_int
from ..plotting import COLORS, FIGURE_WIDTH
from ._base import Control, Explorer, OffScale, legend_above, off_scale_count
from ._text import FastText

__all__ = ["GradientFlowExplorer"]


class GradientFlowExplorer(Explorer):
    """``log10 ||dJ/da||`` entering each layer of a deep MLP at initialization.

    Controls: the activation, the depth ``L`` (2 to 50) and the gain ``sigma sqrt(n)`` of
    the weights (width ``n = 64``). The measurement is
    :func:`gradlab.backprop.gradient_norms_at_init` (a random probe gradient backpropagated
    through the network, so the picture is the product of Jacobians and nothing else); the
    dashed line is Chapter 1's prediction for a *linear* network with the same weights
    (:func:`gradlab.backprop.linear_prediction`), anchored at the top layer: the gap between
    the two is what the activation's derivative adds. The y axis is fixed; a curve that
    leaves it is marked on the edge and a note says so.

    Parameters
    ----------
    seed : int
        Seeds the weights and the batch (the same for every activation).
    caption : str, optional
        Replaces the default caption.
    """

    controls = {
        "activation": Control(
            "activation", "sigmoid", options=("sigmoid", "tanh", "relu", "identity")
        ),
        "depth": Control("depth L", 30, 2, 50, 1, integer=True),
        "gain": Control("gain σ·√n", 1.0, 0.5, 2.0, 0.01),
    }
    label = "fig-gradient-flow-explorer"
    caption = (
        "The gradient entering each layer of a deep network at initialization, on a log10 "
        "scale, against a linear network's prediction from Chapter 1 (dashed): the gap is what "
        "the activation's derivative adds, layer after layer."
    )
    width = 64
    #: The static book's grid: 4 x 25 x 16 = 1600 views (about 90 kB of page data).
    static_grid = {"depth": tuple(range(2, 51, 2)), "gain": tuple(0.5 + 0.1 * k for k in range(16))}
    figsize = (FIGURE_WIDTH, 4.2)
    ylim = (-40.0, 15.0)

    batch = 16  # gradient_norms_at_init's default

    def __init__(self, seed: int = 0, caption: str | None = None) -> None:
        self.seed = check_int(seed, "seed", minimum=0)
        # The draws of gradient_norms_at_init(seed=seed) at the deepest setting; a shallower
        # network uses the first L matrices, exactly as gradient_norms_at_init would.
        deepest = int(self.controls["depth"].max)
        self._probe = backprop.ProbeNetworks(self.width, deepest, batch=self.batch, seed=self.seed)
        super().__init__(caption)

    def norms(self, values: dict[str, Any] | None = None) -> backprop.GradientNorms:
        """The measurement drawn at ``values`` (default: the current settings).

        Equal to ``backprop.gradient_norms_at_init(activation, depth, 64, gain, seed=seed)``.
        """
        v = self.values if values is None else values
        key = (v["activation"], v["depth"], v["gain"])
        if getattr(self, "_last", (None,))[0] != key:  # _apply then alt_text: measure once
            self._last = (key, self._probe.measure(*key)[0])
        return self._last[1]

    def _build(self, fig: Figure) -> list[Artist]:
        ax = fig.add_axes((0.14, 0.13, 0.82, 0.65))
        ax.set_xlim(0, 51)
        ax.set_ylim(*self.ylim)
        ax.set_xlabel("layer ℓ")
        ax.set_ylabel("log10 ‖∂J/∂a‖ at ℓ's input")
        ax.axhline(0.0, color=COLORS["grey"], lw=1)
        blue, grey = COLORS["blue"], COLORS["grey"]
        (self._line,) = ax.plot([], [], "o-", ms=3, lw=1.5, color=blue)
        (self._pred,) = ax.plot([], [], ls="--", lw=2, color=grey)
        legend_above(ax, [self._line, self._pred], ["measured", "linear network (Chapter 1)"])
        self._off = OffScale(ax, blue)
        self._header = fig.add_artist(FastText(0.02, 0.98, "", va="top", linespacing=1.4))
        return [self._line, self._pred, *self._off.artists, self._header]

    def _apply(self, values: dict[str, Any]) -> None:
        norms = self.norms(values)
        layers = np.arange(1, norms.depth + 1)
        logs = np.log10(norms.backward)
        pred = backprop.linear_prediction(norms)
        self._line.set_data(layers, logs)
        self._pred.set_data(layers, pred)
        self._off.update(layers, logs, self.ylim)
        leaves = ", off the plot" if self._pred_off(pred) else ""
        self._header.set_text(
            f"{norms.activation}, L = {norms.depth}, gain {norms.gain:.2f}\n"
            f"first layer vs last: {norms.decades_lost:+.1f} decades "
            f"(linear: {pred[0] - pred[-1]:+.1f}{leaves})".replace("-", "−")
        )

    def _pred_off(self, pred: np.ndarray) -> bool:
        """Whether the dashed linear prediction leaves the fixed y range anywhere."""
        lo, hi = self.ylim
        return bool(np.any(pred < lo) or np.any(pred > hi))

    def alt_text(self) -> str:
        norms = self.norms()
        pred = backprop.linear_prediction(norms)
        off = off_scale_count(np.log10(norms.backward), self.ylim)
        clipped = (
            f" {off} layers fall outside the plotted range, marked by triangles."
            if off > 1
            else " 1 layer falls outside the plotted range, marked by a triangle."
            if off
            else ""
        )
        return (
            f"Plot of log10 of the norm of the gradient entering each of {norms.depth} layers "
            f"of width {self.width}, {norms.activation} activation, weights with gain "
            f"{norms.gain:.2f}, at initialization. From the last layer to the first it changes "
            f"by {norms.decades_lost:+.1f} decades, against {pred[0] - pred[-1]:+.1f} for a "
            f"linear network with the same weights (dashed straight line"
            f"{', which leaves the plotted range' if self._pred_off(pred) else ''}).{clipped}"
        )
