"""Chapter 6's explorer: pick a rung of the ladder, a depth and a seed, read its training
diagnostics."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from .. import capstone
from ..plotting import COLORS, FIGURE_WIDTH
from ._base import Control, Explorer, OffScale, legend_above, off_scale_count
from ._text import FastText

__all__ = ["LadderExplorer"]


def _log10(x: np.ndarray) -> np.ndarray:
    """log10, with 0 as -inf and inf/nan as nan (not drawn)."""
    with np.errstate(all="ignore"):
        out = np.log10(np.asarray(x, dtype=float))
    return np.where(np.isnan(out), np.nan, out)


class LadderExplorer(Explorer):
    """The capstone's ladder, one run at a time: what each diagnostic shows for each rung.

    The runs are precomputed (:func:`gradlab.capstone.load_ladder_seeds`): training a
    16-layer network for 2000 steps takes seconds, too slow for a slider. Every rung was
    trained with five seeds of the weights and minibatch order (:meth:`capstone.Setup.for_seed`);
    the ``seed`` control shows each one, so a reader sees how much of a run is luck. Four
    panels share the training step or the layer as x axis:

    * the accuracy on the whole data set against the step;
    * ``log10`` of the global gradient norm (before clipping), the largest in each window of
      ``window`` steps (so a one-step spike shows, with a tenth of the points to draw);
    * ``log10 ||dLoss/dW_l||`` per layer at the start (dotted), middle (dashed) and end
      (solid) of training;
    * ``log10`` of the median update-to-weight ratio ``||lr v_l|| / ||W_l||`` per layer, with
      the rule of thumb ``1e-3`` (grey line).

    The header gives the final accuracy and loss, the steps to the target accuracy, and the
    dead or saturated share of hidden units at the end. The y axes are fixed; values beyond
    them are marked by triangles on the edge. A weight gradient that is exactly 0 (every unit
    above it dead) has no log: it is not drawn, and the panel says how many layers have one.

    Parameters
    ----------
    runs : dict, optional
        ``(rung, depth) -> tuple of Run`` (one per seed of
        :data:`gradlab.capstone.LADDER_SEEDS`), default
        :func:`gradlab.capstone.load_ladder_seeds`.
    caption : str, optional
        Replaces the default caption.
    """

    controls = {
        "rung": Control(
            "rung",
            "relu_he",
            options=tuple(capstone.RUNGS),
            labels=tuple(r.label for r in capstone.RUNGS.values()),
        ),
        "depth": Control("depth L", capstone.SETUP.depth, options=capstone.DEPTHS),
        "seed": Control("seed", 0, options=capstone.LADDER_SEEDS, integer=True),
    }
    label = "fig-ladder-explorer"
    caption = (
        "One rung of the ladder at a time: accuracy, global gradient norm (spikes), per-layer "
        "gradient norms at the start, middle and end of training, and per-layer "
        "update-to-weight ratios against the rule of thumb $10^{-3}$."
    )
    figsize = (FIGURE_WIDTH, 7.8)
    window = 10
    ylim_global = (-3.0, 4.0)
    ylim_layer = (-7.0, 3.0)
    ylim_ratio = (-7.0, 0.0)

    def __init__(
        self,
        runs: dict[tuple[str, int], tuple[capstone.Run, ...]] | None = None,
        caption: str | None = None,
    ) -> None:
        if runs is None:
            runs = capstone.load_ladder_seeds()
        if not isinstance(runs, dict):
            raise TypeError(
                f"runs must be a dict (rung, depth) -> tuple of Run, got {type(runs).__name__}"
            )
        seeds = len(self.controls["seed"].options)
        missing = [
            (r, d)
            for r in self.controls["rung"].options
            for d in self.controls["depth"].options
            if not isinstance(runs.get((r, d)), tuple) or len(runs[(r, d)]) != seeds
        ]
        if missing:
            raise ValueError(
                f"runs must hold every rung at every depth, {seeds} seeds each; missing "
                f"{missing[:3]}"
            )
        self.runs = runs
        self._views: dict[tuple[str, int, int], dict[str, Any]] = {}
        super().__init__(caption)

    # -- what is drawn ----------------------------------------------------------------------
    def measure(self, values: dict[str, Any] | None = None) -> dict[str, Any]:
        """The data drawn for ``values`` (default: the current settings), computed once."""
        v = self.values if values is None else values
        key = (v["rung"], int(v["depth"]), int(v["seed"]))
        if key not in self._views:
            seed = self.controls["seed"].options.index(key[2])
            run = self.runs[key[:2]][seed]
            rows = capstone._time_rows(run)
            recorded = run.update_ratio[np.isfinite(run.update_ratio).any(axis=1)]
            with np.errstate(all="ignore"):
                ratio = (
                    np.nanmedian(recorded, axis=0) if len(recorded) else np.full(run.depth, np.nan)
                )
                # The units at the end: the last evaluation (as in capstone.results_table).
                end = int(np.flatnonzero(np.isfinite(run.dead_fraction).any(axis=1))[-1])
                dead = float(np.nanmean(run.dead_fraction[end]))
                sat_row = run.saturated_fraction[end]
                saturated = float(np.nanmean(sat_row)) if np.isfinite(sat_row).any() else None
            self._views[key] = {
                "run": run,
                "steps": np.arange(0, len(run.loss), self.window),
                "global": _log10(self.window_max(run.global_grad_norm, self.window)),
                "layers": np.arange(1, run.depth + 1),
                "grad": [_log10(run.grad_norm[r]) for r in rows],
                "ratio": _log10(ratio),
                "ratio_raw": ratio,
                "reached": capstone.steps_to_accuracy(run),
                "dead": dead,
                "saturated": saturated,
            }
        return self._views[key]

    @staticmethod
    def window_max(x: np.ndarray, window: int) -> np.ndarray:
        """The largest finite value of each run of ``window`` entries (nan where none is)."""
        n = math.ceil(len(x) / window)
        padded = np.full(n * window, -np.inf)
        padded[: len(x)] = np.where(np.isfinite(x), x, -np.inf)
        out = padded.reshape(n, window).max(axis=1)
        return np.where(np.isfinite(out), out, np.nan)

    # -- drawing ----------------------------------------------------------------------------
    def _build(self, fig: Figure) -> list[Artist]:
        blue, grey = COLORS["blue"], COLORS["grey"]
        steps = capstone.SETUP.steps
        xmax = max(self.controls["depth"].options) + 1
        left, width = 0.15, 0.81
        acc = fig.add_axes((left, 0.75, width, 0.14))
        acc.set_xlim(0, steps)
        acc.set_ylim(0.4, 1.02)
        acc.set_ylabel("accuracy")
        glob = fig.add_axes((left, 0.55, width, 0.14))
        glob.set_xlim(0, steps)
        glob.set_ylim(*self.ylim_global)
        glob.set_ylabel("log10 ‖g‖")
        glob.set_xlabel("training step")
        layer = fig.add_axes((left, 0.295, width, 0.135))
        layer.set_xlim(0, xmax)
        layer.set_ylim(*self.ylim_layer)
        layer.set_ylabel("log10 ‖∂L/∂W‖")
        ratio = fig.add_axes((left, 0.06, width, 0.145))
        ratio.set_xlim(0, xmax)
        ratio.set_ylim(*self.ylim_ratio)
        ratio.set_ylabel("log10 ratio")
        ratio.set_xlabel("layer ℓ")
        ratio.axhline(math.log10(capstone.UPDATE_RATIO_RULE), color=grey, lw=1.5)
        # The rule's label sits in the panel's bottom-right corner, away from the data lines.
        ratio.text(
            xmax - 0.2,
            self.ylim_ratio[0] + 0.3,
            "grey line: 1e−3 rule",
            color=grey,
            ha="right",
            va="bottom",
        )
        (self._acc,) = acc.plot([], [], "-", lw=1.8, color=blue)
        (self._global,) = glob.plot([], [], "-", lw=1.0, color=blue)
        shades = (COLORS["sky"], COLORS["blue"], COLORS["black"])
        styles = (":", "--", "-")
        self._grad = [
            layer.plot([], [], ls=s, marker="o", ms=3, lw=1.5, color=c)[0]
            for c, s in zip(shades, styles, strict=True)
        ]
        legend_above(
            layer, self._grad, ["start", "middle", "end"], borderaxespad=0.1, handlelength=None
        )
        (self._ratio,) = ratio.plot([], [], "s-", ms=4, lw=1.5, color=COLORS["orange"])
        self._global_off = OffScale(glob, blue, "{n} step{s} off scale (triangles)")
        self._grad_off = OffScale(layer, COLORS["black"])
        self._ratio_off = OffScale(ratio, COLORS["orange"])
        self._header = fig.add_artist(FastText(0.02, 0.988, "", va="top", linespacing=1.4))
        return [
            self._acc,
            self._global,
            *self._grad,
            self._ratio,
            *self._global_off.artists,
            *self._grad_off.artists,
            *self._ratio_off.artists,
            self._header,
        ]

    def _apply(self, values: dict[str, Any]) -> None:
        m = self.measure(values)
        run = m["run"]
        self._acc.set_data(run.record_steps, run.accuracy)
        self._global.set_data(m["steps"], m["global"])
        for line, g in zip(self._grad, m["grad"], strict=True):
            line.set_data(m["layers"], g)
        self._ratio.set_data(m["layers"], m["ratio"])
        finite = np.isfinite(m["global"])
        self._global_off.update(m["steps"][finite], m["global"][finite], self.ylim_global)
        end = m["grad"][-1]
        drawn = np.isfinite(end)
        self._grad_off.update(m["layers"][drawn], end[drawn], self.ylim_layer)
        zeros = int(np.sum(end == -np.inf))
        if zeros:
            note = self._grad_off.note
            zero = f"end: {zeros} layer{'s' if zeros > 1 else ''} zero, not drawn on a log scale"
            # Two notes go on two lines: one line would run off the panel's left edge.
            note.set_text(f"{note.get_text()}\n{zero}" if note.get_text() else zero)
        self._ratio_off.update(m["layers"], m["ratio"], self.ylim_ratio)
        self._header.set_text(self._header_text(values, m))

    @staticmethod
    def _header_text(values: dict[str, Any], m: dict[str, Any]) -> str:
        run = m["run"]
        reached = "not reached" if m["reached"] is None else f"at step {m['reached']}"
        first = f"{run.label}, L = {values['depth']}, seed {values['seed']}: "
        target = capstone.SETUP.target_accuracy
        if run.diverged_at is not None:  # no final accuracy, loss or units
            peak = np.nanmax(run.global_grad_norm)
            first += f"diverged at step {run.diverged_at}"
            return f"{first}\n{target:.0%} {reached}; largest ‖g‖ {peak:.3g}"
        first += f"accuracy {run.final_accuracy:.3f}"
        units = f"dead {m['dead']:.2f}"
        if m["saturated"] is not None:
            units += f", saturated {m['saturated']:.2f}"
        return f"{first}\n{target:.0%} {reached}; loss {run.final_loss:.3g}; {units}"

    def alt_text(self) -> str:
        v, m = self.values, self.measure()
        run = m["run"]
        start, end = run.grad_norm[0], m["grad"][-1]
        zeros = int(np.sum(end == -np.inf))
        reached = (
            f"never reaches {capstone.SETUP.target_accuracy:.0%} accuracy"
            if m["reached"] is None
            else f"reaches {capstone.SETUP.target_accuracy:.0%} accuracy at step {m['reached']}"
        )
        off = sum(
            off_scale_count(y, lim)
            for y, lim in (
                (m["global"][np.isfinite(m["global"])], self.ylim_global),
                (end[np.isfinite(end)], self.ylim_layer),
                (m["ratio"], self.ylim_ratio),
            )
        )
        note = (
            f" {off} points lie off the plotted ranges, marked by triangles."
            if off > 1
            else " 1 point lies off the plotted ranges, marked by a triangle."
            if off
            else ""
        )
        if run.diverged_at is None:
            ending = f"ending at accuracy {run.final_accuracy:.3f} and loss {run.final_loss:.3g}"
        else:
            ending = (
                f"and diverges at step {run.diverged_at} (its loss is no longer finite), so it "
                "has no final accuracy or loss"
            )
        if zeros:
            note += (
                f" At the end the weight gradient of {zeros} of the {run.depth} layers is "
                "exactly 0, which a log scale cannot draw."
            )
        return (
            f"Four stacked plots for the rung '{run.label}' with {v['depth']} layers, seed "
            f"{v['seed']} (one run of five). The run {reached}, {ending}. The largest global "
            "gradient norm is "
            f"{np.nanmax(run.global_grad_norm):.3g}. At step 0 the weight-gradient norm goes "
            f"from {start[0]:.2g} at layer 1 to {start[-1]:.2g} at layer {run.depth}. The "
            f"median update-to-weight ratio is {m['ratio_raw'][0]:.1e} at layer 1 and "
            f"{m['ratio_raw'][-1]:.1e} at layer {run.depth} (rule of thumb 1e-3).{note}"
        )
