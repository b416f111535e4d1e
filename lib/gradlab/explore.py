"""Interactive explorers: sliders that redraw a figure in place.

Every explorer is one call in a notebook cell, e.g.
``explore.ScalarChainExplorer()``. It is three things at once:

* **headless**: ``ex.update(w=1.1, depth=40)`` changes the figure and returns
  the new PNG, with no frontend (tests and benchmarks drive it this way);
* **live** in JupyterLab (local, Binder, Live Code): sliders (ipywidgets 8)
  above an ``ipywidgets.Image`` whose PNG bytes are replaced on each move;
* **static** in the HTML book: the output bundle also holds a PNG of the
  default view with alt text, and the book prefers it over the widget, so a
  reader of the static page sees the figure, never a dead slider.

Speed. A plain ``interact`` rebuilds the whole figure per event (hundreds of
ms). Here the axes, labels and grid are drawn once into a background
(fixed axes limits, no tight bounding box); an update sets the data of the
few animated artists, restores the background, draws just those artists
(blitting) and encodes the pixels as a fast, lightly compressed PNG.
``benchmarks/bench_explore.py`` measures it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from . import chains, plotting
from ._validation import check_int, check_real
from .plotting import COLORS, DISPLAY_DPI, RENDER_DPI, png_bytes

__all__ = ["Control", "Explorer", "ScalarChainExplorer", "MatrixProductExplorer"]

#: Output-metadata key naming the explorer that made an output.
EXPLORER_KEY = "gradlab/explorer"

#: Caption shown under every explorer (live and static).
LIVE_NOTE = (
    "Sliders are live in JupyterLab (local, Binder or Live Code); "
    "the static page shows the default view."
)


@dataclass(frozen=True)
class Control:
    """One slider of an explorer.

    Parameters
    ----------
    label : str
        Text beside the slider.
    default : float or int
        Initial value.
    min, max, step : float, optional
        Range of a numeric slider (``step`` an int for an integer slider).
    options : sequence, optional
        Allowed values of a selection slider (instead of min/max/step).
    integer : bool
        Whether the value is an integer.
    """

    label: str
    default: float
    min: float | None = None
    max: float | None = None
    step: float | None = None
    options: tuple[float, ...] | None = None
    integer: bool = False

    def validate(self, name: str, value: object) -> float:
        """Return ``value`` if this control can take it; else raise naming ``name``."""
        if self.options is not None:
            if isinstance(value, bool) or value not in self.options:
                raise ValueError(f"{name} must be one of {list(self.options)}, got {value!r}")
            return value  # type: ignore[return-value]
        if self.integer:
            return check_int(value, name, minimum=int(self.min), maximum=int(self.max))
        return check_real(value, name, minimum=self.min, maximum=self.max)


class Explorer:
    """Base class: a figure, its controls, and an in-place ``update``.

    Subclasses define ``controls`` and implement ``_build(fig)`` (create axes
    and artists, return the animated ones), ``_apply(values)`` (set those
    artists' data) and ``alt_text()``.
    """

    controls: dict[str, Control] = {}
    figsize: tuple[float, float] = (7.0, 4.0)
    dpi: int = DISPLAY_DPI  # live frames are rendered at the size they are shown

    def __init__(self) -> None:
        self.values: dict[str, Any] = {k: c.default for k, c in self.controls.items()}
        self.fig = Figure(figsize=self.figsize, dpi=self.dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        with plotting.style():  # the course look: grid, no top/right spines
            self._animated: list[Artist] = self._build(self.fig)
        for artist in self._animated:
            artist.set_animated(True)
        self._background: Any = None
        self._widget: Any = None
        self._image: Any = None
        self._apply(self.values)

    # -- to be provided by subclasses -------------------------------------
    def _build(self, fig: Figure) -> list[Artist]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _apply(self, values: dict[str, Any]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def alt_text(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- headless API -------------------------------------------------------
    def update(self, **values: Any) -> bytes:
        """Set some controls, redraw in place, and return the new PNG.

        Unknown names and out-of-range values raise ``ValueError`` naming the
        control. The live image, if shown, is updated too.
        """
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(
                    f"unknown control {name!r}; this explorer has {list(self.controls)}"
                )
            values[name] = self.controls[name].validate(name, value)
        self.values.update(values)
        self._apply(self.values)
        png = self.render()
        if self._image is not None:
            self._image.value = png
        return png

    def render(self) -> bytes:
        """Blit the animated artists onto the cached background; encode as PNG."""
        if self._background is None:
            with plotting.style():  # ticks and grid lines are created at the first draw
                self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        for artist in self._animated:
            artist.draw(renderer)
        rgba = np.asarray(self.canvas.buffer_rgba())
        buf = io.BytesIO()
        Image.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=1)
        return buf.getvalue()

    def static_png(self, dpi: float = RENDER_DPI) -> bytes:
        """A sharp, full (non-blitted) rendering of the current view."""
        for artist in self._animated:
            artist.set_animated(False)
        try:
            return png_bytes(self.fig, dpi=dpi)
        finally:
            for artist in self._animated:
                artist.set_animated(True)
            self._background = None  # the savefig may have changed the canvas

    # -- live widget ----------------------------------------------------------
    @property
    def widget(self) -> Any:
        """The ipywidgets view (built on first use): sliders above the image."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    def _build_widget(self) -> Any:
        import ipywidgets as w

        sliders = []
        for name, c in self.controls.items():
            common = dict(
                description=c.label,
                value=self.values[name],
                continuous_update=True,
                style={"description_width": "initial"},
                layout=w.Layout(width="320px"),
            )
            if c.options is not None:
                slider = w.SelectionSlider(options=list(c.options), **common)
            elif c.integer:
                slider = w.IntSlider(min=c.min, max=c.max, step=c.step or 1, **common)
            else:
                slider = w.FloatSlider(min=c.min, max=c.max, step=c.step, **common)
            slider.observe(self._observer(name, c), names="value")
            sliders.append(slider)
        self._image = w.Image(
            value=self.render(), format="png", layout=w.Layout(width=f"{self._width}px")
        )
        caption = w.HTML(f"<small>{LIVE_NOTE}</small>")
        return w.VBox(
            [w.HBox(sliders, layout=w.Layout(flex_flow="row wrap")), self._image, caption]
        )

    def _observer(self, name: str, control: Control) -> Callable[[dict], None]:
        def on_change(change: dict) -> None:
            value = change["new"]
            if control.step and not control.integer and control.options is None:
                # Snap to the step; the outer round removes float noise (90 * 0.01 != 0.9).
                value = round(round(value / control.step) * control.step, 12)
            self.update(**{name: value})

        return on_change

    def _repr_mimebundle_(
        self, include: Sequence[str] | None = None, exclude: Sequence[str] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        # The live widget, plus the same picture-with-alt-text bundle as any course figure.
        alt = f"Interactive explorer, shown at its current settings. {self.alt_text()}"
        picture, meta = plotting.FigureView(self.static_png(), alt, self._width)._repr_mimebundle_()
        data = {**(self.widget._repr_mimebundle_() or {}), **picture}
        return data, {**meta, EXPLORER_KEY: type(self).__name__}

    @property
    def _width(self) -> int:
        """Display width in pixels, live and static alike."""
        return int(round(self.figsize[0] * DISPLAY_DPI))

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({settings})"


def _fmt(x: float) -> str:
    """Compact scientific notation for numbers spanning many decades."""
    if x == 0 or not math.isfinite(x):
        return str(x)
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:.4g}"
    return f"{x:.2e}"


class ScalarChainExplorer(Explorer):
    """``|a_L| = |w|^L`` for a chain of identical scalar weights.

    Controls: weight ``w`` (0.5 to 1.5) and depth ``L`` (1 to 100). The plot is
    ``|a_l|`` against layer ``l`` on a log scale; ``w = 1`` is the flat line.
    """

    controls = {
        "w": Control("weight w", 0.9, 0.5, 1.5, 0.01),
        "depth": Control("depth L", 50, 1, 100, 1, integer=True),
    }

    def _build(self, fig: Figure) -> list[Artist]:
        ax = fig.add_axes((0.11, 0.13, 0.78, 0.80))
        ax.set_yscale("log")
        ax.set_xlim(0, 100)
        ax.set_ylim(1e-32, 1e20)
        ax.set_xlabel(r"layer $\ell$")
        ax.set_ylabel(r"$|a_\ell|$ (log scale)")
        ax.axhline(1.0, color=COLORS["grey"], lw=1, ls="--")
        ax.text(
            101,
            1.0,
            "w = 1",
            va="center",
            ha="left",
            fontsize=8,
            color=COLORS["grey"],
            clip_on=False,
        )
        for w_ref in (0.5, 1.5):
            ls = np.arange(101)
            ax.plot(ls, w_ref**ls, color=COLORS["grey"], lw=0.8, alpha=0.5)
            ax.text(
                100,
                w_ref**100,
                f" w = {w_ref}",
                fontsize=8,
                va="center",
                color=COLORS["grey"],
                clip_on=False,
            )
        (self._line,) = ax.plot([], [], color=COLORS["blue"], lw=2.5)
        (self._dot,) = ax.plot([], [], "o", color=COLORS["red"], ms=7)
        self._label = ax.text(0.02, 0.96, "", transform=ax.transAxes, va="top", fontsize=11)
        self._ax = ax
        return [self._line, self._dot, self._label]

    def _apply(self, values: dict[str, Any]) -> None:
        w, depth = values["w"], values["depth"]
        a = chains.scalar_chain(w, depth)
        self._line.set_data(np.arange(depth + 1), np.abs(a))
        self._dot.set_data([depth], [abs(a[-1])])
        self._label.set_text(f"w = {w:.2f}, L = {depth}:  |w|^L = {_fmt(abs(a[-1]))}")

    def alt_text(self) -> str:
        w, depth = self.values["w"], self.values["depth"]
        end = abs(chains.scalar_chain(w, depth)[-1])
        trend = "shrinks" if abs(w) < 1 else "grows" if abs(w) > 1 else "stays at 1"
        return (
            f"Log-scale plot of |a_l| = |w|^l against layer l for w = {w:.2f}: a straight "
            f"line that {trend}, reaching {_fmt(end)} at depth L = {depth}. Grey reference "
            "lines show w = 0.5, w = 1 and w = 1.5."
        )


class MatrixProductExplorer(Explorer):
    """Log-norm of ``x_l = W_l ... W_1 x_0`` for random Gaussian matrices.

    Controls: the gain ``g = sigma * sqrt(n)`` of the entries' standard
    deviation and the width ``n``. Eight random products (seeded) are drawn to
    depth 100 and compared with the Lyapunov prediction
    ``lambda * l / ln 10`` (dashed). Draws use the exact chi-square shortcut of
    :func:`gradlab.chains.log_norms`, so even ``n = 1024`` updates instantly.
    """

    controls = {
        "gain": Control("gain σ·√n", 1.0, 0.5, 2.0, 0.01),
        "width": Control("width n", 4, options=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)),
    }
    depth = 100
    n_draws = 8
    figsize = (8.0, 4.0)

    def __init__(self, seed: int = 0) -> None:
        self.seed = check_int(seed, "seed", minimum=0)
        self._noise: dict[int, np.ndarray] = {}
        super().__init__()

    def _chi_part(self, width: int) -> np.ndarray:
        """Cumulative ``(1/2) ln chi^2_n`` per layer: the scale-free part of the log-norm."""
        if width not in self._noise:
            rng = np.random.default_rng([self.seed, width])
            unit = chains.log_norms(width, self.depth, 1.0, self.n_draws, rng=rng, method="chi2")
            self._noise[width] = unit
        return self._noise[width]

    def _build(self, fig: Figure) -> list[Artist]:
        ax = fig.add_axes((0.09, 0.13, 0.60, 0.80))
        ax.set_xlim(0, self.depth)
        ax.set_ylim(-40, 40)
        ax.set_xlabel(r"layer $\ell$")
        ax.set_ylabel(r"$\log_{10} \|x_\ell\|$")
        ax.axhline(0.0, color=COLORS["grey"], lw=1)
        layers = np.arange(self.depth + 1)
        self._layers = layers
        self._lines = [
            ax.plot(
                layers, np.zeros_like(layers, dtype=float), color=COLORS["blue"], lw=1, alpha=0.6
            )[0]
            for _ in range(self.n_draws)
        ]
        (self._pred,) = ax.plot(
            layers,
            np.zeros(layers.shape),
            color=COLORS["red"],
            lw=2,
            ls="--",
            label="Lyapunov prediction",
        )
        ax.legend(
            handles=[self._lines[0], self._pred],
            labels=[f"{self.n_draws} random products", "prediction ℓ·λ / ln 10"],
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            frameon=False,
        )
        self._label = ax.text(
            1.04, 0.76, "", transform=ax.transAxes, va="top", fontsize=9, family="monospace"
        )
        return [*self._lines, self._pred, self._label]

    def _apply(self, values: dict[str, Any]) -> None:
        gain, width = values["gain"], values["width"]
        sigma = gain / math.sqrt(width)
        lam = chains.lyapunov_exponent(width, sigma)
        shift = self._layers * math.log(sigma)
        logs = (self._chi_part(width) + shift) / math.log(10)
        for line, row in zip(self._lines, logs, strict=True):
            line.set_ydata(row)
        self._pred.set_ydata(self._layers * lam / math.log(10))
        measured = float(np.mean(logs[:, -1])) * math.log(10) / self.depth
        crit = chains.critical_scale(width) * math.sqrt(width)
        self._label.set_text(
            f"n = {width}, σ = {_fmt(sigma)}\n\n"
            f"growth rate per layer\n"
            f"  λ formula  {lam:+.4f}\n"
            f"  measured   {measured:+.4f}\n"
            f"  (mean of {self.n_draws} draws)\n\n"
            f"critical gain σ*·√n\n  {crit:.4f}"
        )

    def alt_text(self) -> str:
        gain, width = self.values["gain"], self.values["width"]
        sigma = gain / math.sqrt(width)
        lam = chains.lyapunov_exponent(width, sigma)
        trend = "falls" if lam < 0 else "rises"
        return (
            f"Plot of log10 of the norm of a vector after l random {width} x {width} Gaussian "
            f"layers with entry scale sigma = {_fmt(sigma)} (gain {gain:.2f}), for "
            f"{self.n_draws} random draws: the lines scatter around a dashed straight line "
            f"of slope lambda = {lam:+.4f} per layer, which {trend} with depth."
        )
