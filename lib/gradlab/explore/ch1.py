"""Chapter 1 explorers: a chain of scalar weights, and products of random matrices."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from .. import chains
from .._validation import check_int
from ..plotting import COLORS, FIGURE_WIDTH, log_tick_formatter
from ._base import Control, Explorer, edge_markers, fmt, legend_above
from ._text import FastText

__all__ = ["ScalarChainExplorer", "MatrixProductExplorer"]

LN10 = math.log(10.0)


class ScalarChainExplorer(Explorer):
    """``|a_L| = |w|^L`` for a chain of identical scalar weights.

    Controls: weight ``w`` (0.5 to 1.5) and depth ``L`` (1 to 100). The plot is
    ``|a_l| = |w|^l`` (:func:`gradlab.chains.scalar_chain`) against layer ``l`` on a
    log scale, a straight line of slope ``log10 |w|`` decades per layer; ``w = 1`` is
    the flat line. The fixed axis, 1e-32 to 1e20, holds every setting
    (``0.5^100 = 7.9e-31``, ``1.5^100 = 4.1e17``).
    """

    controls = {
        "w": Control("weight w", 0.9, 0.5, 1.5, 0.01),
        "depth": Control("depth L", 50, 1, 100, 1, integer=True),
    }
    label = "fig-scalar-chain-explorer"
    caption = (
        "The chain $|a_\\ell| = |w|^\\ell$ on a log scale. Whatever $w$ and $L$, the line is "
        "straight: each layer multiplies by the same factor, so only the slope changes."
    )
    #: The static book's grid: 21 x 100 = 2100 views.
    static_grid = {"w": tuple(0.5 + 0.05 * k for k in range(21))}
    figsize = (FIGURE_WIDTH, 3.6)
    ylim = (1e-32, 1e20)

    def _build(self, fig: Figure) -> list[Artist]:
        ax = fig.add_axes((0.15, 0.15, 0.68, 0.64))
        ax.set_yscale("log")
        ax.set_xlim(0, 100)
        ax.set_ylim(*self.ylim)
        ax.set_yticks([1e-30, 1e-20, 1e-10, 1e0, 1e10, 1e20])
        ax.yaxis.set_major_formatter(log_tick_formatter())
        ax.minorticks_off()
        ax.set_xlabel("layer ℓ")
        ax.set_ylabel("|a| at layer ℓ (log scale)")
        grey = COLORS["grey"]
        ax.axhline(1.0, color=grey, lw=1, ls="--")
        layers = np.arange(101)
        for w_ref in (0.5, 1.5):
            ax.plot(layers, w_ref**layers, color=grey, lw=0.8, alpha=0.6)
        # The line labels start 7 points right of the axis end, clear of the end dot (7 points
        # across, drawn whole: not clipped by the axes) when the line ends on a reference line.
        for y, text in ((1.0, "w = 1"), (0.5**100, "w = 0.5"), (1.5**100, "w = 1.5")):
            ax.annotate(
                text,
                (100, y),
                xytext=(7, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                color=grey,
                annotation_clip=False,
            )
        (self._line,) = ax.plot([], [], color=COLORS["blue"], lw=2.5)
        (self._dot,) = ax.plot([], [], "o", color=COLORS["red"], ms=7, clip_on=False, zorder=5)
        self._label = fig.add_artist(FastText(0.02, 0.98, "", va="top", linespacing=1.4))
        self._ax = ax
        return [self._line, self._dot, self._label]

    def _apply(self, values: dict[str, Any]) -> None:
        w, depth = values["w"], values["depth"]
        a = np.abs(chains.scalar_chain(w, depth))
        self._line.set_data(np.arange(depth + 1), a)
        self._dot.set_data([depth], [a[-1]])
        self._label.set_text(
            f"w = {w:.2f}, L = {depth}:  |w|^L = {fmt(a[-1])}\n"
            f"slope {math.log10(abs(w)):+.4f} decades per layer"
        )

    def alt_text(self) -> str:
        w, depth = self.values["w"], self.values["depth"]
        end = abs(chains.scalar_chain(w, depth)[-1])
        slope = math.log10(abs(w))
        if slope == 0:
            trend = "stays flat at 1"
        else:
            per = 1 / abs(slope)
            trend = (
                f"{'falls' if slope < 0 else 'rises'} by {abs(slope):.4f} decades per layer "
                f"(a factor of 10 every {per:.1f} layers)"
            )
        return (
            f"Log-scale plot of |a_l| = |w|^l against layer l for w = {w:.2f}: a straight "
            f"line that {trend}, reaching {fmt(end)} at depth L = {depth}. Grey reference "
            "lines show w = 0.5, w = 1 and w = 1.5."
        )


class MatrixProductExplorer(Explorer):
    """``log10 ||x_l||`` for ``x_l = W_l ... W_1 x_0`` with random Gaussian matrices.

    Controls: the gain ``g = sigma * sqrt(n)`` of the entries' standard deviation and the
    width ``n``. Eight random products (seeded) are drawn to depth 100 and compared with
    the Lyapunov prediction ``lambda * l / ln 10`` (dashed,
    :func:`gradlab.chains.lyapunov_exponent`). Draws use the exact chi-square shortcut of
    :func:`gradlab.chains.log_norms`, so even ``n = 1024`` updates instantly. The y axis
    is fixed at ``ylim``; a line that leaves it is marked where it leaves (a triangle on
    the edge) and a note says how many lines are off scale.

    Parameters
    ----------
    seed : int
        Seeds the draws (one stream per width, so moving the gain only shifts lines).
    caption : str, optional
        Replaces the default caption.
    """

    controls = {
        "gain": Control("gain σ·√n", 1.0, 0.5, 2.0, 0.01),
        "width": Control("width n", 4, options=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)),
    }
    label = "fig-matrix-product-explorer"
    caption = (
        "Eight random products (solid) and the Lyapunov prediction (dashed) on a log10 scale. "
        "The slope is set by the gain *and* the width; at the critical gain it is flat."
    )
    #: The static book's grid: 16 x 11 = 176 views (8 random lines of 101 points each, about
    #: 0.75 kB a view: a gain step of 0.05 would add 130 kB and take Chapter 1 over 1.5 MB).
    static_grid = {"gain": tuple(0.5 + 0.1 * k for k in range(16))}
    depth = 100
    n_draws = 8
    figsize = (FIGURE_WIDTH, 4.4)
    ylim = (-40.0, 40.0)

    def __init__(self, seed: int = 0, caption: str | None = None) -> None:
        self.seed = check_int(seed, "seed", minimum=0)
        self._noise: dict[int, np.ndarray] = {}
        super().__init__(caption)

    def _chi_part(self, width: int) -> np.ndarray:
        """Cumulative ``(1/2) ln chi^2_n`` per layer: the scale-free part of the log-norm."""
        if width not in self._noise:
            rng = np.random.default_rng([self.seed, width])
            unit = chains.log_norms(width, self.depth, 1.0, self.n_draws, rng=rng, method="chi2")
            self._noise[width] = unit
        return self._noise[width]

    def _build(self, fig: Figure) -> list[Artist]:
        ax = fig.add_axes((0.13, 0.13, 0.83, 0.65))
        ax.set_xlim(0, self.depth)
        ax.set_ylim(*self.ylim)
        ax.set_xlabel("layer ℓ")
        ax.set_ylabel("log10 ‖x‖ at layer ℓ")
        ax.axhline(0.0, color=COLORS["grey"], lw=1)
        layers = np.arange(self.depth + 1)
        self._layers = layers
        blue, red = COLORS["blue"], COLORS["red"]
        self._lines = [
            ax.plot(layers, np.zeros(layers.shape), color=blue, lw=1, alpha=0.6)[0]
            for _ in range(self.n_draws)
        ]
        (self._pred,) = ax.plot(layers, np.zeros(layers.shape), color=red, lw=2, ls="--")
        legend_above(
            ax,
            [self._lines[0], self._pred],
            [f"{self.n_draws} random products", "prediction ℓλ / ln 10"],
            columnspacing=1.2,
        )
        # Where lines leave the fixed axis: triangles on the edge, and a note.
        self._below, self._above = edge_markers(ax, blue)
        self._pred_below, self._pred_above = edge_markers(ax, red)
        self._clip_note = ax.add_artist(
            FastText(0.99, 0.97, "", transform=ax.transAxes, ha="right", va="top")
        )
        self._header = fig.add_artist(FastText(0.02, 0.98, "", va="top", linespacing=1.4))
        return [
            *self._lines,
            self._pred,
            self._below,
            self._above,
            self._pred_below,
            self._pred_above,
            self._clip_note,
            self._header,
        ]

    def _slopes(self, gain: float, width: int) -> tuple[float, float, float]:
        """``sigma``, the predicted and the measured slope (decades per layer)."""
        sigma = gain / math.sqrt(width)
        lam = chains.lyapunov_exponent(width, sigma)
        logs = self._logs(gain, width)
        return sigma, lam / LN10, float(np.mean(logs[:, -1])) / self.depth

    def _logs(self, gain: float, width: int) -> np.ndarray:
        sigma = gain / math.sqrt(width)
        return (self._chi_part(width) + self._layers * math.log(sigma)) / LN10

    def _apply(self, values: dict[str, Any]) -> None:
        gain, width = values["gain"], values["width"]
        logs = self._logs(gain, width)
        sigma, predicted, measured = self._slopes(gain, width)
        for line, row in zip(self._lines, logs, strict=True):
            line.set_ydata(row)
        pred = self._layers * predicted
        self._pred.set_ydata(pred)
        lo, hi = self.ylim
        exits = {"below": ([], []), "above": ([], [])}
        for row in logs:
            self._mark_exit(row, exits)
        pred_exits = {"below": ([], []), "above": ([], [])}
        self._mark_exit(pred, pred_exits)
        self._below.set_data(*exits["below"])
        self._above.set_data(*exits["above"])
        self._pred_below.set_data(*pred_exits["below"])
        self._pred_above.set_data(*pred_exits["above"])
        # The note goes on the side opposite to the exits, where the plot is empty.
        notes = []
        for side, y in (("below", lo), ("above", hi)):
            n_off = len(exits[side][0]) + len(pred_exits[side][0])
            if n_off:
                arrow = "▼" if side == "below" else "▲"
                what = f"{n_off} line{'s' if n_off > 1 else ''}"
                notes.append(f"{arrow} {what} off scale {side} {y:+.0f}".replace("-", "−"))
        self._clip_note.set_text("\n".join(notes))
        low_side = bool(exits["below"][0] or pred_exits["below"][0])
        self._clip_note.set_y(0.97 if low_side else 0.03)
        self._clip_note.set_va("top" if low_side else "bottom")
        crit = chains.critical_scale(width) * math.sqrt(width)
        self._header.set_text(
            f"n = {width}, σ = {fmt(sigma)}, gain {gain:.2f} (critical gain {crit:.4f})\n"
            f"slope in decades per layer: predicted {predicted:+.4f}, measured {measured:+.4f}"
        )

    def _mark_exit(self, row: np.ndarray, exits: dict[str, tuple[list, list]]) -> None:
        """Record where ``row`` first leaves the y range, as a point on the edge."""
        lo, hi = self.ylim
        out = np.flatnonzero((row < lo) | (row > hi))
        if out.size:
            i = int(out[0])
            edge = lo if row[i] < lo else hi
            # Interpolate the layer at which the line crosses the edge.
            y0, y1 = row[i - 1], row[i]
            x = self._layers[i - 1] + (edge - y0) / (y1 - y0)
            side = "below" if edge == lo else "above"
            exits[side][0].append(float(x))
            exits[side][1].append(edge)

    def alt_text(self) -> str:
        gain, width = self.values["gain"], self.values["width"]
        sigma, predicted, measured = self._slopes(gain, width)
        lam = predicted * LN10
        # At the critical gain of a width lambda can be exactly 0: the line is flat.
        trend = "falls" if lam < 0 else "rises" if lam > 0 else "stays flat"
        logs = self._logs(gain, width)
        lo, hi = self.ylim
        off = int(np.sum(np.any((logs < lo) | (logs > hi), axis=1)))
        leave, marks = ("lines leave", "triangles") if off > 1 else ("lines leaves", "a triangle")
        clipped = (
            f" {off} of the {self.n_draws} {leave} the plotted range ({lo:+.0f} to "
            f"{hi:+.0f}), marked by {marks} at the edge."
            if off
            else ""
        )
        return (
            f"Plot of log10 of the norm of a vector after l random {width} x {width} Gaussian "
            f"layers with entry scale sigma = {fmt(sigma)} (gain {gain:.2f}), for "
            f"{self.n_draws} random draws: the lines scatter around a dashed straight line "
            f"of slope {predicted:+.4f} decades per layer (lambda = {lam:+.4f} in natural "
            f"log units), which {trend} with depth; the draws' mean slope is "
            f"{measured:+.4f} decades per layer.{clipped}"
        )
