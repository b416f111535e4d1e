"""The explorer framework: controls, validated atomic updates, blitted redraws, live widget.

Speed. A plain ``interact`` rebuilds the whole figure per event (hundreds of
ms). Here the axes, labels and grid are drawn once into a background
(fixed axes limits, no tight bounding box); an update sets the data of the
few animated artists, restores the background, draws just those artists
(blitting) and encodes the pixels as a fast, lightly compressed PNG.
The sharp static PNG for the book is rendered without touching that cached
background, so the first slider move after a cell is shown costs no more
than any other. ``benchmarks/bench_explore.py`` measures it.

Robustness. :meth:`Explorer.update` validates every value (and coerces it to
the control's canonical type) before changing anything, so a rejected update
leaves the explorer exactly as it was. The widget's slider callbacks never
raise: an invalid value keeps the last good view and shows a short message.
"""

from __future__ import annotations

import html
import math
import numbers
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import plotting
from ..plotting import DISPLAY_DPI, FIGURE_WIDTH, RENDER_DPI
from ._text import FastText

__all__ = [
    "Control",
    "Explorer",
    "OffScale",
    "off_scale_count",
    "edge_markers",
    "EXPLORER_KEY",
    "LIVE_NOTE",
    "SPEC_MIME",
]

#: Output-metadata key naming the explorer that made an output.
EXPLORER_KEY = "gradlab/explorer"

#: MIME type of an explorer's spec in its output bundle (see :meth:`Explorer.spec`): the HTML
#: book's build turns it into a static explorer; JupyterLab and MyST-NB ignore it.
SPEC_MIME = "application/vnd.gradlab.explorer+json"

#: Note shown under every live explorer.
LIVE_NOTE = (
    "Sliders are live in JupyterLab (local, Binder or Live Code) over their full range; "
    "the HTML book's controls step through views precomputed on a grid."
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
        Allowed values of a selection slider (instead of min/max/step): numbers, or
        strings (a choice such as an activation's name, shown as a drop-down).
    integer : bool
        Whether the value is an integer.
    labels : sequence of str, optional
        What the page and the drop-down show for each option (default: the options
        themselves), so a choice keyed ``"relu_he"`` can read "ReLU, He".

    Raises
    ------
    ValueError
        If ``labels`` is given without options, or not one non-empty str per option.
    """

    label: str
    default: float
    min: float | None = None
    max: float | None = None
    step: float | None = None
    options: tuple[float, ...] | tuple[str, ...] | None = None
    integer: bool = False
    labels: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.labels is None:
            return
        labels = tuple(self.labels)
        if (
            self.options is None
            or len(labels) != len(self.options)
            or not all(isinstance(t, str) and t for t in labels)
        ):
            raise ValueError(
                f"labels must be one non-empty str per option of {self.label!r}, got {labels!r}"
            )
        object.__setattr__(self, "labels", labels)

    def label_of(self, value: Any) -> str:
        """What the page shows for the option ``value``: its label, or the option itself."""
        if self.labels is not None and self.options is not None and value in self.options:
            return self.labels[self.options.index(value)]
        return str(value)

    def widget_options(self) -> list[Any]:
        """The options as an ipywidgets selection takes them: ``(label, value)`` pairs when
        the control has labels, else the bare options."""
        if self.options is None:
            raise ValueError(f"control {self.label!r} has no options")
        if self.labels is None:
            return list(self.options)
        return list(zip(self.labels, self.options, strict=True))

    def validate(self, name: str, value: object) -> Any:
        """Return ``value`` in this control's canonical type, or raise naming ``name``.

        An options control returns the option itself (``8.0`` becomes the option ``8``;
        ``8.5`` is rejected); an integer control accepts exactly integral reals and returns
        an ``int``; a real control returns a finite ``float`` in ``[min, max]``, with float
        noise removed (a value within ``1e-9`` steps of a grid point is that grid point, so
        ``0.2 + 28 * 0.1`` is ``3.0``).

        Raises
        ------
        TypeError
            If ``value`` is not a real number (bools, strings, None, arrays).
        ValueError
            If it is nan, infinite, out of range, not integral, or not an option.
        """
        if self.choices:
            if not isinstance(value, str):
                raise TypeError(f"{name} must be one of {list(self.options)}, got {value!r}")
            if value not in self.options:
                raise ValueError(f"{name} must be one of {list(self.options)}, got {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}")
        if self.options is not None:
            for option in self.options:
                if value == option:
                    return option
            raise ValueError(f"{name} must be one of {list(self.options)}, got {value!r}")
        if self.integer:
            if value != math.floor(value):
                raise ValueError(f"{name} must be a whole number, got {value!r}")
            number: float = int(value)
        else:
            number = float(value)
            snapped = self.snap(number)
            if self.step and abs(snapped - number) <= 1e-9 * self.step:
                number = snapped  # float noise (0.2 + 28 * 0.1), not another value
        if (self.min is not None and number < self.min) or (
            self.max is not None and number > self.max
        ):
            raise ValueError(f"{name} must be in [{self.min}, {self.max}], got {value!r}")
        return number

    @property
    def choices(self) -> bool:
        """Whether the options are strings (a choice, not a number)."""
        return self.options is not None and all(isinstance(o, str) for o in self.options)

    def snap(self, value: float) -> float:
        """Snap a slider's float value to the step grid, float noise removed.

        ``min + k * step`` rounded to the decimal places of the step or of ``min``, whichever
        has more, so ``0.1 + 0.2`` becomes ``0.3``, ``57 * 0.01`` becomes ``0.57`` and, on the
        grid ``0.05, 0.15, ...``, ``0.26`` becomes ``0.25``; values just outside the range
        by float noise come back inside. Other controls' values are returned unchanged.
        """
        if self.options is not None or self.integer or not self.step:
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return value  # not a number: left for validate() to reject
        start = self.min if self.min is not None else 0.0
        k = round((value - start) / self.step)  # raises for nan / inf: the caller reports it
        # The grid's decimal places: the step's, or the start's where it has more (0.05 + k/10).
        places = max(0, *(-_exponent(x) for x in (self.step, start)))
        snapped = round(start + k * self.step, places)
        # Only float noise is pulled back into range; real outliers are left for validate().
        if self.min is not None and self.min - self.step / 2 < snapped < self.min:
            snapped = float(self.min)
        if self.max is not None and self.max < snapped < self.max + self.step / 2:
            snapped = float(self.max)
        return snapped


def _exponent(x: float) -> int:
    """The exponent of ``x``'s shortest decimal form: -2 for 0.05, 0 for 3.0."""
    return int(Decimal(repr(float(x))).normalize().as_tuple().exponent)


class Explorer:
    """Base class: a figure, its controls, and an in-place ``update``.

    Subclasses define ``controls``, ``caption`` and implement ``_build(fig)``
    (create axes and artists, return the animated ones), ``_apply(values)``
    (set those artists' data) and ``alt_text()``.

    Parameters
    ----------
    caption : str, optional
        The figure's caption in the book (MyST markdown); default the class's ``caption``.
    """

    controls: ClassVar[dict[str, Control]] = {}
    #: The values each control takes in the static HTML book (see :meth:`static_values`): a
    #: sequence of values per control name. A control left out takes every option, or every
    #: step of its range. Choose coarser steps where the full product would be too heavy.
    static_grid: ClassVar[dict[str, Sequence[Any]]] = {}
    caption: str = ""
    #: The explorer's figure label in the book (a key of ``plotting.FIGURE_NUMBERS``): the
    #: notebook shows "Figure N.M." and the caption above it (empty: not a numbered figure).
    label: str = ""
    message: str = ""  # why the last slider value was ignored ("" if it was not)
    figsize: tuple[float, float] = (FIGURE_WIDTH, 3.6)
    dpi: int = DISPLAY_DPI  # live frames are rendered at the size they are shown

    def __new__(cls, *args: Any, **kwargs: Any) -> Explorer:
        # Remember the constructor's arguments: the static book rebuilds the explorer from them.
        self = super().__new__(cls)
        self._init_args = (args, kwargs)
        return self

    def __init__(self, caption: str | None = None) -> None:
        if caption is not None:
            if not isinstance(caption, str):
                raise TypeError(f"caption must be a str, got {type(caption).__name__}")
            self.caption = caption.strip()
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
        self._status: Any = None
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

        Every value is validated (and coerced to its control's type) before anything
        changes: unknown names and bad values raise ``ValueError`` or ``TypeError`` naming
        the control and leave the explorer exactly as it was. The live image, if shown, is
        updated too.
        """
        self.set_values(**values)
        png = self.render()
        if self._image is not None:
            self._image.value = png
        return png

    def set_values(self, **values: Any) -> None:
        """Set some controls and the animated artists' data, without drawing anything.

        Validated as :meth:`update` (which is this plus a redraw); the static book uses it to
        walk the grid of views quickly.
        """
        checked = {}
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(
                    f"unknown control {name!r}; this explorer has {list(self.controls)}"
                )
            checked[name] = self.controls[name].validate(name, value)
        new = {**self.values, **checked}
        try:
            self._apply(new)
        except Exception:
            self._apply(self.values)  # put the last good view back
            raise
        self.values = new

    @classmethod
    def rounding_sensitive(cls, values: dict[str, Any]) -> bool:
        """Whether the view at ``values`` amplifies rounding into its printed numbers.

        A chaotic forward pass or an exploding product turns last-bit differences between
        CPUs (other SIMD or BLAS kernels) into other numbers in the alt text. The static book
        shows the committed views (``explorer_views/``), the same for every reader; live, in
        JupyterLab, such a view may show other numbers on another CPU. The tests recompute a
        sample of the committed views on several simulated CPUs and require equality wherever
        this is ``False``. Default: no view is sensitive.
        """
        return False

    @classmethod
    def static_values(cls) -> dict[str, tuple[Any, ...]]:
        """The values each control takes in the static HTML book, in the controls' order.

        ``static_grid[name]`` if given, else every option of an options control, else
        ``min, min + step, ..., max`` (snapped to the step's decimals). Every value is
        validated by its control, and the default must be one of them.

        Raises
        ------
        ValueError
            If ``static_grid`` names an unknown control, a value is invalid, values repeat,
            or a control's default is not a grid value.
        """
        unknown = set(cls.static_grid) - set(cls.controls)
        if unknown:
            raise ValueError(f"{cls.__name__}.static_grid names unknown controls {sorted(unknown)}")
        grid: dict[str, tuple[Any, ...]] = {}
        for name, c in cls.controls.items():
            if name in cls.static_grid:
                raw: Sequence[Any] = cls.static_grid[name]
            elif c.options is not None:
                raw = c.options
            else:
                if c.min is None or c.max is None or not c.step:
                    raise ValueError(f"{cls.__name__}: control {name!r} needs a static_grid")
                count = int(round((c.max - c.min) / c.step)) + 1
                raw = [c.snap(c.min + k * c.step) for k in range(count)]
            values = tuple(c.validate(name, c.snap(v)) for v in raw)
            if len(set(values)) != len(values):
                raise ValueError(f"{cls.__name__}.static_grid[{name!r}] repeats values")
            if c.validate(name, c.default) not in values:
                raise ValueError(
                    f"{cls.__name__}.static_grid[{name!r}] must contain the default {c.default!r}"
                )
            grid[name] = values
        return grid

    def spec(self) -> dict[str, Any]:
        """What rebuilds this explorer: class path, constructor arguments, current values.

        The output bundle carries it as :data:`SPEC_MIME`; the HTML book's build computes the
        static views from it (:mod:`gradlab.explore.static`). The caption is left out (the
        book's figure has it).
        """
        import inspect
        import json

        args, kwargs = getattr(self, "_init_args", ((), {}))
        bound = inspect.signature(type(self).__init__).bind(self, *args, **kwargs)
        arguments = {k: v for k, v in bound.arguments.items() if k not in ("self", "caption")}
        spec = {
            "class": f"{type(self).__module__}.{type(self).__qualname__}",
            "kwargs": arguments,
            "values": dict(self.values),
        }
        json.dumps(spec)  # raises TypeError for arguments the book could not rebuild from
        return spec

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
        return _encode(self.canvas)

    def static_png(self, dpi: float = RENDER_DPI) -> bytes:
        """A sharp, full (non-blitted) rendering of the current view.

        Drawn on a separate canvas, so the live canvas and its cached background are
        untouched and the next slider move is as fast as any other.
        """
        for artist in self._animated:
            artist.set_animated(False)
        live = self.fig.canvas
        try:
            FigureCanvasAgg(self.fig)  # attaches a fresh canvas to the figure
            return plotting.png_bytes(self.fig, dpi=dpi)
        finally:
            self.fig.set_canvas(live)
            for artist in self._animated:
                artist.set_animated(True)

    def background_png(self, dpi: float = RENDER_DPI) -> bytes:
        """The figure without its animated artists (axes, labels, legend, reference lines).

        The static book draws the animated artists over this picture in the browser. Drawn on
        a separate canvas, like :meth:`static_png`.
        """
        live = self.fig.canvas
        shown = [artist.get_visible() for artist in self._animated]
        try:
            for artist in self._animated:  # savefig draws animated artists too: hide them
                artist.set_visible(False)
            FigureCanvasAgg(self.fig)
            return plotting.png_bytes(self.fig, dpi=dpi)
        finally:
            self.fig.set_canvas(live)
            for artist, visible in zip(self._animated, shown, strict=True):
                artist.set_visible(visible)

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
                layout=w.Layout(width="300px"),
            )
            if c.choices:
                common.pop("continuous_update")
                slider = w.Dropdown(options=c.widget_options(), **common)
            elif c.options is not None:
                slider = w.SelectionSlider(options=c.widget_options(), **common)
            elif c.integer:
                slider = w.IntSlider(min=c.min, max=c.max, step=c.step or 1, **common)
            else:
                slider = w.FloatSlider(min=c.min, max=c.max, step=c.step, **common)
            slider.observe(self._observer(name, c), names="value")
            sliders.append(slider)
        self._image = w.Image(
            value=self.render(),
            format="png",
            layout=w.Layout(width=f"{self._width}px", max_width="100%"),
        )
        self._status = w.HTML("")
        caption = w.HTML(f"<small>{LIVE_NOTE}</small>")
        return w.VBox(
            [
                w.HBox(sliders, layout=w.Layout(flex_flow="row wrap")),
                self._image,
                self._status,
                caption,
            ]
        )

    def _observer(self, name: str, control: Control) -> Callable[[dict], None]:
        def on_change(change: dict) -> None:
            # A widget callback must never raise: keep the last good view, say why.
            try:
                self.update(**{name: control.snap(change["new"])})
            except Exception as error:  # noqa: BLE001 - reported in the widget instead
                self._report(f"Ignored {control.label} = {change.get('new')!r}: {error}")
            else:
                self._report("")

        return on_change

    def _report(self, message: str) -> None:
        """Show ``message`` under the live image (empty clears it)."""
        self.message = message
        if self._status is not None:
            self._status.value = f"<small>{html.escape(message)}</small>" if message else ""

    def _repr_mimebundle_(
        self, include: Sequence[str] | None = None, exclude: Sequence[str] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        # The live widget, plus the same picture-with-alt-text bundle as any course figure.
        alt = f"Interactive explorer, shown at its current settings. {self.alt_text()}"
        view = plotting.FigureView(self.static_png(), alt, self._width, self.caption, self.label)
        picture, meta = view._repr_mimebundle_()
        data = {**(self.widget._repr_mimebundle_() or {}), **picture, SPEC_MIME: self.spec()}
        return data, {**meta, EXPLORER_KEY: type(self).__name__}

    def _ipython_display_(self) -> None:
        plotting.display_figure(self._repr_mimebundle_(), self.label, self.caption)

    @property
    def _width(self) -> int:
        """Display width in pixels, live and static alike."""
        return int(round(self.figsize[0] * DISPLAY_DPI))

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({settings})"


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _encode(canvas: FigureCanvasAgg) -> bytes:
    """The canvas as a lossless RGB PNG, encoded for speed.

    Every row uses PNG filter type 0 (none) and the data is deflated at zlib level 1. On
    an explorer frame this is about 30% faster than Pillow at ``compress_level=1`` (which
    also tries the other filters on every row) for about 6% more bytes; the plots' flat
    backgrounds compress well without filtering. (PNG specification, sections 9 and 10.)
    """
    width, height = canvas.get_width_height(physical=True)
    rgba = np.asarray(canvas.buffer_rgba())
    raw = np.empty((height, 3 * width + 1), np.uint8)
    raw[:, 0] = 0  # filter type: none
    raw[:, 1:].reshape(height, width, 3)[...] = rgba[..., :3]
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(raw.tobytes(), 1)),
            _png_chunk(b"IEND", b""),
        )
    )


def fmt(x: float) -> str:
    """Compact notation for numbers spanning many decades (``0.005154``, ``1.17e+02``)."""
    if x == 0 or not math.isfinite(x):
        return str(x)
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:.4g}"
    return f"{x:.2e}"


def legend_above(ax: Any, handles: Sequence[Any], labels: Sequence[str], **options: Any) -> Any:
    """The explorers' legend: one row just above ``ax``, frameless, clear of the moving data.

    ``options`` override the defaults (``loc="lower left"``, ``bbox_to_anchor=(0, 1)``, one
    column per handle, ``borderaxespad=0.2``, ``handlelength=1.6``, ``frameon=False``).
    """
    settings = dict(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=len(handles),
        borderaxespad=0.2,
        handlelength=1.6,
        frameon=False,
    )
    return ax.legend(handles=list(handles), labels=list(labels), **{**settings, **options})


#: Size, in points, of the triangles that mark values off an explorer's y range.
EDGE_MARKER_SIZE = 8


def edge_markers(ax: Any, color: str) -> tuple[Any, Any]:
    """Two empty marker lines for values off ``ax``'s y range: ▼ at the bottom, ▲ at the top.

    Each triangle is drawn just *inside* its edge (shifted by half its size, in points), so
    it never reaches into a legend above the axes or the tick labels below them.
    """
    from matplotlib.transforms import offset_copy

    half = EDGE_MARKER_SIZE / 2
    marker = dict(ls="none", ms=EDGE_MARKER_SIZE, clip_on=False, zorder=5)
    up = offset_copy(ax.transData, fig=ax.figure, y=half, units="points")
    down = offset_copy(ax.transData, fig=ax.figure, y=-half, units="points")
    (below,) = ax.plot([], [], "v", color=color, transform=up, **marker)
    (above,) = ax.plot([], [], "^", color=color, transform=down, **marker)
    return below, above


def off_scale_count(y: np.ndarray, ylim: tuple[float, float]) -> int:
    """How many values of ``y`` lie outside ``ylim`` (what :class:`OffScale` marks)."""
    y = np.asarray(y)
    return int(np.sum((y < ylim[0]) | (y > ylim[1])))


class OffScale:
    """Where a curve leaves an explorer's fixed y range: triangles on the edge, and a note.

    An explorer keeps its axes fixed (so the blitted background stays valid); a value beyond
    them is marked by a triangle just inside the edge it crossed (▼ below, ▲ above; see
    :func:`edge_markers`) at its x, and a note
    in the axes says how many are off scale. The note sits at the top of the axes, or at the
    bottom when triangles are on the top edge, so it never covers them.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes, with its final y limits.
    color : str
        The triangles' colour (the curve's).
    template : str
        The note, with ``{n}`` the number of points off scale and ``{s}`` a plural "s".
    """

    def __init__(
        self, ax: Any, color: str, template: str = "{n} layer{s} off scale (triangles)"
    ) -> None:
        self.below, self.above = edge_markers(ax, color)
        self.note = ax.add_artist(
            FastText(0.99, 0.97, "", transform=ax.transAxes, ha="right", va="top")
        )
        self.template = template

    @property
    def artists(self) -> list[Artist]:
        """The animated artists: both sets of triangles and the note."""
        return [self.below, self.above, self.note]

    def update(self, x: np.ndarray, y: np.ndarray, ylim: tuple[float, float]) -> int:
        """Mark the points of ``(x, y)`` outside ``ylim``; return how many there are."""
        lo, hi = ylim
        x, y = np.asarray(x), np.asarray(y)
        below, above = y < lo, y > hi
        self.below.set_data(x[below], np.full(int(below.sum()), lo))
        self.above.set_data(x[above], np.full(int(above.sum()), hi))
        n = off_scale_count(y, ylim)
        self.note.set_text(self.template.format(n=n, s="s" if n > 1 else "") if n else "")
        high = bool(above.any())
        self.note.set_y(0.03 if high else 0.97)
        self.note.set_va("bottom" if high else "top")
        return n
