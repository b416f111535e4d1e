"""Chapter 5 explorers: clipping a 2-D gradient; the gradient through time of an RNN.

Animated artists are only :class:`~matplotlib.lines.Line2D`, :class:`FastText` and
:class:`~matplotlib.patches.Polygon` (arrows are a line plus a triangular Polygon head), so
the static HTML can serialize them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from .. import clipping, recurrent_study
from .._validation import check_int
from ..plotting import COLORS, FIGURE_WIDTH
from ._base import Control, Explorer, OffScale, legend_above, off_scale_count
from ._text import FastText

__all__ = ["ClippingExplorer", "RecurrentGradientExplorer"]


def _head(tip: np.ndarray, direction: np.ndarray, size: float) -> np.ndarray:
    """The three corners of an arrow head at ``tip`` pointing along ``direction``."""
    n = float(np.hypot(*direction))
    if n == 0.0:
        return np.array([tip, tip, tip])
    u = direction / n
    v = np.array([-u[1], u[0]])
    base = tip - size * u
    return np.array([tip, base + 0.45 * size * v, base - 0.45 * size * v])


class ClippingExplorer(Explorer):
    """A 2-D gradient clipped by value and by norm at the same threshold ``c``.

    Controls: the gradient's components ``g1`` and ``g2`` (each 0 to 4.5: the first
    quadrant; the others are its mirror images) and the threshold ``c`` (0.2 to 3). Drawn:
    the box ``[-c, c]^2`` that value clipping maps into (shaded), the circle of radius ``c``
    that norm clipping maps onto (dashed), the gradient (black), its value-clipped version
    (vermilion, entries clamped to ``[-c, c]``, :func:`gradlab.clipping.clip_by_value`) and
    its norm-clipped version (blue, ``c g / ||g||`` when ``||g|| > c``). The header gives
    both norms and the angle value clipping turns the gradient by
    (:func:`gradlab.clipping.compare_clipping`); norm clipping
    turns it by 0.
    """

    controls = {
        "g1": Control("gradient entry g1", 3.0, 0.0, 4.5, 0.1),
        "g2": Control("gradient entry g2", 1.0, 0.0, 4.5, 0.1),
        "threshold": Control("threshold c", 1.0, 0.2, 3.0, 0.1),
    }
    #: The static book's grid: entries in steps of 0.5, thresholds in steps of 0.4 (800 views).
    static_grid = {
        "g1": tuple(0.5 * k for k in range(10)),
        "g2": tuple(0.5 * k for k in range(10)),
        "threshold": tuple(0.2 + 0.4 * k for k in range(8)),
    }
    label = "fig-clipping-explorer"
    caption = (
        "A gradient g (black) clipped by value (vermilion: each entry into [−c, c], inside the "
        "shaded box) and by norm (blue: onto the dashed circle of radius c). Value clipping "
        "turns the gradient; norm clipping only shortens it."
    )
    figsize = (FIGURE_WIDTH, 4.0)
    #: The plane shown: the first quadrant, where the controls put g, and a margin around 0
    #: (the box and circle of a large c run off it on the negative side).
    lim = (-1.2, 5.0)

    def comparison(self, values: dict[str, Any] | None = None) -> clipping.ClipComparison | None:
        """:func:`gradlab.clipping.compare_clipping` at ``values`` (default: the current ones);
        None for the zero gradient, which has no direction."""
        v = self.values if values is None else values
        g = np.array([v["g1"], v["g2"]], dtype=float)
        if not np.any(g):
            return None
        return clipping.compare_clipping(g, v["threshold"])

    def _build(self, fig: Figure) -> list[Artist]:
        ax = fig.add_axes((0.1, 0.14, 0.58, 0.71))  # room for the x label below the square
        ax.set_xlim(*self.lim)
        ax.set_ylim(*self.lim)
        ax.set_aspect("equal")
        ax.set_xlabel("g₁")
        ax.set_ylabel("g₂")
        ax.axhline(0.0, color=COLORS["grey"], lw=1)
        ax.axvline(0.0, color=COLORS["grey"], lw=1)
        self._box = ax.add_patch(
            Polygon(np.zeros((4, 2)), closed=True, fc=COLORS["yellow"], alpha=0.35, ec="none")
        )
        (self._circle,) = ax.plot([], [], ls="--", lw=1.5, color=COLORS["blue"])
        self._arrows = {}
        heads = {}
        for key, colour, ls, lw in (
            ("gradient", COLORS["black"], "-", 2.0),
            ("by_value", COLORS["red"], "-", 2.5),
            ("by_norm", COLORS["blue"], "--", 2.5),
        ):
            (line,) = ax.plot([], [], color=colour, ls=ls, lw=lw)
            head = ax.add_patch(Polygon(np.zeros((3, 2)), closed=True, color=colour))
            self._arrows[key] = line
            heads[key] = head
        self._heads = heads
        ax.legend(
            handles=[self._arrows[k] for k in ("gradient", "by_value", "by_norm")],
            labels=["g", "by value", "by norm"],
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            frameon=False,
        )
        self._header = fig.add_artist(FastText(0.02, 0.985, "", va="top", linespacing=1.4))
        return [
            self._box,
            self._circle,
            *self._arrows.values(),
            *self._heads.values(),
            self._header,
        ]

    def _apply(self, values: dict[str, Any]) -> None:
        r = self.comparison(values)
        c = float(values["threshold"])
        self._box.set_xy(np.array([[-c, -c], [c, -c], [c, c], [-c, c]]))
        t = np.linspace(0.0, 2.0 * math.pi, 121)
        self._circle.set_data(c * np.cos(t), c * np.sin(t))
        if r is None:
            for key in self._arrows:
                self._arrows[key].set_data([], [])
                self._heads[key].set_xy(np.zeros((3, 2)))
            self._header.set_text(
                f"g = 0, c = {c:.1f}: nothing to clip\n(a zero gradient has no direction)"
            )
            return
        size = 0.35
        for key, vec in (
            ("gradient", r.gradient),
            ("by_value", r.by_value),
            ("by_norm", r.by_norm),
        ):
            n = float(np.hypot(*vec))
            stem = vec * max(n - 0.8 * size, 0.0) / n if n > 0 else vec
            self._arrows[key].set_data([0.0, stem[0]], [0.0, stem[1]])
            self._heads[key].set_xy(_head(vec, vec, size))
        self._header.set_text(
            f"‖g‖ = {r.norm:.2f}, c = {c:.1f}: by value norm {r.value_norm:.2f}, "
            f"turned {r.value_angle:.1f}°\n"
            f"by norm: norm {r.by_norm_norm:.2f}, turned {r.norm_angle:.1f}°"
        )

    def alt_text(self) -> str:
        r = self.comparison()
        if r is None:
            c = float(self.values["threshold"])
            return (
                f"A plane with the zero gradient, the box of half-width c = {c:.1f} and the "
                "circle of radius c: there is nothing to clip and no direction."
            )
        g, v, n = r.gradient, r.by_value, r.by_norm
        scene = (
            f"A plane with the gradient g = ({g[0]:.2f}, {g[1]:.2f}) of norm {r.norm:.2f}, the "
            f"box of half-width c = {r.threshold:.1f} and the circle of radius c."
        )
        if np.array_equal(v, g) and np.array_equal(n, g):
            return (
                f"{scene} The gradient is inside the box and the circle: neither clip "
                "changes it, and neither turns it."
            )
        return (
            f"A plane with the gradient g = ({g[0]:.2f}, {g[1]:.2f}) of norm {r.norm:.2f}, the "
            f"box of half-width c = {r.threshold:.1f} and the circle of radius c. Clipped by "
            f"value it becomes ({v[0]:.2f}, {v[1]:.2f}), norm {r.value_norm:.2f}, turned by "
            f"{r.value_angle:.1f} degrees; clipped by norm it becomes ({n[0]:.2f}, {n[1]:.2f}), "
            f"norm {r.by_norm_norm:.2f}, in the same direction."
        )


class RecurrentGradientExplorer(Explorer):
    """``log10 ||dL/dh_t|| / ||dL/dh_T||`` of an RNN against the steps back, with its bound.

    Controls: ``gamma sigma_max`` (0.5 to 3; 1 is Pascanu et al.'s threshold ``sigma_max =
    1/gamma``), the activation (tanh, ``gamma = 1``; sigmoid, ``gamma = 1/4``), the sequence
    length ``T`` (5 to 100) and the inputs' scale. The measurement is
    :func:`gradlab.recurrent_study.temporal_gradient_norms` (an orthogonal ``W_hh`` scaled to
    ``sigma_max``, 32 units, a batch of 8, seed ``seed``), computed by a
    :class:`~gradlab.recurrent_study.TemporalProbe` per activation, length and inputs (a new
    ratio only rescales ``W_hh``); the dashed line is the bound ``(gamma sigma_max)^(T - t)``.
    The y axis is fixed; values beyond it are marked on the edge. Results are cached per
    setting.
    """

    controls = {
        "ratio": Control("ratio γ·σ_max", 1.0, 0.5, 3.0, 0.05),
        "activation": Control("activation", "tanh", options=("tanh", "sigmoid")),
        "length": Control("length T", 50, 5, 100, 1, integer=True),
        "inputs": Control("inputs (std)", 0.5, options=(0.1, 0.5, 1.0, 2.0)),
    }
    #: The static book's grid: ratios in steps of 0.25, lengths 5, 10, 20, ..., 100 (968 views).
    static_grid = {
        "ratio": tuple(0.5 + 0.25 * k for k in range(11)),
        "length": (5, *range(10, 101, 10)),
    }

    @classmethod
    def rounding_sensitive(cls, values: dict[str, Any]) -> bool:
        """A tanh network far above the threshold, over many steps, explodes, and the
        exploding product amplifies last-bit differences between CPUs (seen from
        ``gamma sigma_max = 3``, 100 steps). Sensitive from 2.5 and 70 steps on, for margin."""
        return (
            values.get("activation") == "tanh"
            and float(values.get("ratio", 0.0)) >= 2.5
            and int(values.get("length", 0)) >= 70
        )

    label = "fig-recurrent-explorer"
    caption = (
        "The gradient reaching step $t$ of a recurrent network, relative to the last step, on "
        "a log10 scale, against Pascanu et al.'s bound $(\\gamma\\sigma_{\\max})^{T-t}$ "
        "(dashed): below $\\gamma\\sigma_{\\max} = 1$ it must vanish; above, it may explode "
        "or not."
    )
    figsize = (FIGURE_WIDTH, 4.2)
    ylim = (-30.0, 30.0)
    cache_size = 512

    def __init__(self, seed: int = 0, caption: str | None = None) -> None:
        self.seed = check_int(seed, "seed", minimum=0)
        self._cache: dict[tuple, recurrent_study.TemporalGradients] = {}
        self._probes: dict[tuple, recurrent_study.TemporalProbe] = {}
        super().__init__(caption)

    def measure(self, values: dict[str, Any] | None = None) -> recurrent_study.TemporalGradients:
        """The measurement drawn at ``values`` (default: the current settings)."""
        v = self.values if values is None else values
        key = (v["activation"], float(v["ratio"]), int(v["length"]), float(v["inputs"]))
        if key not in self._cache:
            if len(self._cache) >= self.cache_size:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = self._probe(key[0], key[2], key[3]).measure(key[1])
        return self._cache[key]

    def _probe(self, activation: str, length: int, inputs: float) -> recurrent_study.TemporalProbe:
        """The network and data of one (activation, length, inputs), drawn once: a new
        ``ratio`` only rescales ``W_hh`` and reruns the recursion."""
        key = (activation, length, inputs)
        if key not in self._probes:
            if len(self._probes) >= self.cache_size:
                self._probes.pop(next(iter(self._probes)))
            self._probes[key] = recurrent_study.TemporalProbe(
                activation, length, input_std=inputs, seed=self.seed
            )
        return self._probes[key]

    def _build(self, fig: Figure) -> list[Artist]:
        ax = fig.add_axes((0.14, 0.13, 0.82, 0.65))
        ax.set_xlim(0, int(self.controls["length"].max) + 1)
        ax.set_ylim(*self.ylim)
        ax.set_xlabel("steps back, T − t")
        ax.set_ylabel("log10 ‖∂L/∂h_t‖ / ‖∂L/∂h_T‖")
        ax.axhline(0.0, color=COLORS["grey"], lw=1)
        blue, grey = COLORS["blue"], COLORS["grey"]
        (self._line,) = ax.plot([], [], "o-", ms=3, lw=1.5, color=blue)
        (self._bound,) = ax.plot([], [], ls="--", lw=2, color=grey)
        legend_above(ax, [self._line, self._bound], ["measured", "bound (γσ_max)^(T−t)"])
        self._off = OffScale(ax, blue, "{n} step{s} off scale (triangles)")
        self._header = fig.add_artist(FastText(0.02, 0.98, "", va="top", linespacing=1.4))
        return [self._line, self._bound, *self._off.artists, self._header]

    def _apply(self, values: dict[str, Any]) -> None:
        r = self.measure(values)
        back = r.length - np.arange(r.length + 1)
        logs = recurrent_study._log10(r.relative)
        with np.errstate(all="ignore"):
            bound = back * math.log10(r.ratio)
        self._line.set_data(back, logs)
        self._bound.set_data(back, bound)
        self._off.update(back, logs, self.ylim)
        side = "below" if r.ratio < 1 else "at" if r.ratio == 1 else "above"
        verdict = "vanishing guaranteed" if r.ratio < 1 else "exploding possible, not certain"
        if r.ratio == 1:
            verdict = "the bound is flat"
        self._header.set_text(
            f"{r.activation}, γ = {r.gamma:g}: σ_max = {r.check.largest_singular_value:.3g}, "
            f"{side} 1/γ ({verdict})\n"
            f"T = {r.length}: {r.decades:+.1f} decades (bound {bound[0]:+.1f}), "
            f"×{r.factor_per_step:.3g} per step".replace("-", "−")
        )

    def alt_text(self) -> str:
        r = self.measure()
        logs = recurrent_study._log10(r.relative)
        off = off_scale_count(logs, self.ylim)
        clipped = (
            f" {off} steps fall outside the plotted range, marked by triangles."
            if off > 1
            else " 1 step falls outside the plotted range, marked by a triangle."
            if off
            else ""
        )
        return (
            f"Plot of log10 of the gradient norm reaching each of {r.length} steps back in a "
            f"{r.activation} recurrent network with γ times the largest singular value = "
            f"{r.ratio:g} and inputs of scale {r.input_std:g}: it changes by {r.decades:+.1f} "
            f"decades ({r.behaviour}), against {r.length * math.log10(r.ratio):+.1f} for the "
            f"bound (dashed straight line).{clipped}"
        )
