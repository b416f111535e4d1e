"""Figures for the course: one look, PNG output, alt text that travels with it.

Figures are built on :class:`matplotlib.figure.Figure` directly (no
``pyplot``), so nothing is drawn twice by the notebook's inline backend and
nothing leaks between cells. :func:`show` wraps a finished figure with its alt
text; a notebook cell ends with it::

    fig, ax = plotting.new_figure()
    ax.plot(...)
    plotting.show(fig, alt="Log-scale plot of ...")

Jupyter displays the PNG. The alt text is the output's ``text/plain`` and
sits in the PNG output's metadata under ``gradlab/alt``; ``make execute`` copies
it into the cell's ``mystnb.image.alt`` so the HTML book's ``<img>`` carries it.
``show(fig, alt, caption=..., label=...)`` makes it a numbered figure of the book: the
caption goes into the same metadata (``make execute`` copies it, and the label, into the
cell's ``mystnb.figure``, for the HTML book's ``<figcaption>``), and the notebook also shows
"**Figure N.M.** caption" just above the picture (:data:`FIGURE_NUMBERS`), so a reader in
JupyterLab sees the number and caption that the prose's "Figure N.M" links point to; the
HTML book drops that second output, its ``<figcaption>`` says the same.

Rules every course figure follows (tested in ``tests/test_figures.py``):

* **Legible on a phone.** Every text stays >= ``MIN_PHONE_TEXT_PX`` CSS pixels when the
  page is 390 px wide (:func:`phone_text_px`). Use ``FIGURE_WIDTH`` (6 in) and the course
  style's sizes (11 pt and up); create legends and texts inside :func:`style` so they get
  them; avoid mathtext sub- and superscripts, which are drawn at 0.7 of the size (write
  ``log10 ‖x‖``, ``1e−30`` with :func:`log_tick_formatter`).
* **Colours named as drawn.** The palette is Okabe-Ito; prose names a colour with
  :data:`COLOR_NAMES` (``COLORS["red"]`` is *vermilion*). Lines are told apart by more
  than hue: label them directly (:func:`label_line_ends`) or vary the line style.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = [
    "FIGURE_NUMBERS",
    "caption_output",
    "COLORS",
    "style",
    "new_figure",
    "png_bytes",
    "FigureView",
    "show",
    "ALT_KEY",
    "CAPTION_KEY",
    "COLOR_NAMES",
    "DISPLAY_DPI",
    "RENDER_DPI",
    "FIGURE_WIDTH",
    "PHONE_CONTENT_WIDTH",
    "MIN_PHONE_TEXT_PX",
    "phone_text_sizes",
    "phone_text_px",
    "label_line_ends",
    "log_tick_formatter",
]

#: Key of the alt text in an ``image/png`` output's metadata.
ALT_KEY = "gradlab/alt"

#: Key of the figure caption in an ``image/png`` output's metadata. ``make execute`` copies it
#: into the cell's ``mystnb.figure.caption``, so the HTML book shows a numbered, captioned figure.
CAPTION_KEY = "gradlab/caption"

#: Key of the figure's label (``fig-...``, what "[Figure N.M](#fig-...)" links to) in the same
#: metadata; ``make execute`` checks it against the cell's ``mystnb.figure.name``.
LABEL_KEY = "gradlab/label"

#: Key, in an output's metadata, that marks an output shown only in the notebook: the HTML
#: book's build drops it (``tools/gvx_book.py``). Used for the figure's number and caption.
NOTEBOOK_ONLY_KEY = "gradlab/notebook-only"

#: The book's numbered figures: label -> number ("5.2" is Chapter 5's second figure). The
#: order in each chapter is checked against the chapter notebooks (``tests/test_figures.py``).
FIGURE_NUMBERS: dict[str, str] = {
    label: f"{chapter}.{i}"
    for chapter, labels in enumerate(
        (
            (
                "fig-scalar-chains",
                "fig-scalar-chain-explorer",
                "fig-random-scalar-chains",
                "fig-log-norm-histogram",
                "fig-matrix-product-explorer",
                "fig-product-spectrum",
            ),
            (
                "fig-sigmoid-derivative",
                "fig-gradient-norms",
                "fig-gradient-flow-explorer",
                "fig-step-errors",
            ),
            (
                "fig-saturation-at-init",
                "fig-saturation-training",
                "fig-dead-units",
                "fig-activation-family",
                "fig-gradient-flow",
                "fig-activation-histograms",
                "fig-activation-stats-explorer",
            ),
            (
                "fig-he-reproduced",
                "fig-layer-histograms",
                "fig-symmetry",
                "fig-jacobian-spectra",
                "fig-initialization-explorer",
            ),
            (
                "fig-temporal-gradients",
                "fig-above-threshold",
                "fig-recurrent-explorer",
                "fig-clipping-explorer",
                "fig-clipping-runs",
                "fig-threshold-sweep",
                "fig-vanishing-runs",
            ),
            (
                "fig-residual-at-init",
                "fig-ladder-curves",
                "fig-layer-gradients",
                "fig-update-ratios",
                "fig-unit-health",
                "fig-ladder-explorer",
            ),
        ),
        start=1,
    )
    for i, label in enumerate(labels, start=1)
}


def caption_output(label: str, caption: str) -> tuple[dict[str, str], dict[str, Any]]:
    """The notebook-only output just above a numbered figure: its number and caption.

    Returns the MIME bundle and metadata of "**Figure N.M.** caption" (``text/markdown``, which
    jupyterlab-myst renders with its maths; ``text/plain`` elsewhere), preceded by the MyST
    target ``(label)=``, so the prose's ``[Figure N.M](#label)`` links land on it in
    JupyterLab. The metadata carries :data:`NOTEBOOK_ONLY_KEY`: the HTML book, whose
    ``<figcaption>`` says the same, drops this output.

    Parameters
    ----------
    label : str
        A key of :data:`FIGURE_NUMBERS`.
    caption : str
        The caption (MyST markdown).
    """
    if not isinstance(label, str) or label not in FIGURE_NUMBERS:
        raise ValueError(f"label must be one of FIGURE_NUMBERS' labels, got {label!r}")
    if not isinstance(caption, str) or not caption.strip():
        raise ValueError("caption must be a non-empty str")
    head = f"Figure {FIGURE_NUMBERS[label]}."
    data = {
        "text/markdown": f"({label})=\n**{head}** {caption.strip()}",
        "text/plain": f"{head} {caption.strip()}",
    }
    return data, {NOTEBOOK_ONLY_KEY: True}


def display_figure(
    bundle: tuple[dict[str, Any], dict[str, Any]], label: str = "", caption: str = ""
) -> None:
    """Show a figure's MIME ``bundle`` (data, metadata) in IPython; a numbered figure (both
    ``label`` and ``caption``) gets its number and caption first (:func:`caption_output`), so
    a "Figure N.M" link lands on them with the picture right below. Used by
    :class:`FigureView` and the explorers."""
    from IPython.display import display

    if label and caption:
        note, note_meta = caption_output(label, caption)
        display(note, metadata=note_meta, raw=True)
    data, meta = bundle
    display(data, metadata=meta, raw=True)


#: Colour-blind-safe palette (Okabe and Ito, 2008), used across the course. The keys are short
#: handles for code; the words prose should use for a colour are in :data:`COLOR_NAMES`.
COLORS: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "red": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "grey": "#7F7F7F",
    "black": "#000000",
}

#: The colour each :data:`COLORS` key is called in prose, as drawn (Okabe and Ito's names):
#: ``COLORS["red"]`` is vermilion, an orange-red, and the text must say so.
COLOR_NAMES: dict[str, str] = {
    "blue": "blue",
    "orange": "orange",
    "green": "bluish green",
    "red": "vermilion",
    "purple": "reddish purple",
    "sky": "sky blue",
    "yellow": "yellow",
    "grey": "grey",
    "black": "black",
}

_RC: dict[str, Any] = {
    # Sizes keep every text >= MIN_PHONE_TEXT_PX at phone width for figures FIGURE_WIDTH wide.
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "legend.fontsize": 11,
    "svg.hashsalt": "gradlab",
}

#: Pixel width a figure is shown at (its PNG is rendered at 2x for sharp screens).
DISPLAY_DPI = 100
RENDER_DPI = 200

#: Legibility on a phone. A figure ``w`` inches wide is shown ``w * DISPLAY_DPI`` CSS pixels
#: wide, and shrunk to fit the screen on a phone: on a screen 640 px wide or less the book shows
#: figures and explorer views edge to edge (``static/gvx-book.css``), ``PHONE_CONTENT_WIDTH`` =
#: 390 CSS pixels on a 390 px wide phone (``tests/test_browser.py`` measures it; in the 342 px
#: content column, 11 pt text would be 8.7 px). A text of ``s`` points is then ``s / 72 *
#: min(w * DISPLAY_DPI, PHONE_CONTENT_WIDTH) / w`` CSS pixels tall, which must stay >=
#: ``MIN_PHONE_TEXT_PX``: for a figure wider than 3.9 in, ``s >= 9 * 72 * w / 390 ~ 1.66 w``
#: points. The course figures are ``FIGURE_WIDTH`` = 6 in wide (600 px on a desktop) with text
#: of 11 points or more (9.9 px on the phone).
PHONE_CONTENT_WIDTH = 390
MIN_PHONE_TEXT_PX = 9.0
FIGURE_WIDTH = 6.0


def style() -> Any:
    """Context manager that applies the course's matplotlib style (for figures built here)."""
    return matplotlib.rc_context(_RC)


def new_figure(
    width: float = FIGURE_WIDTH,
    height: float = 3.6,
    *,
    ncols: int = 1,
    nrows: int = 1,
    dpi: float = DISPLAY_DPI,
    **subplot_kw: Any,
) -> tuple[Figure, Any]:
    """A figure in the course style and its axes (an array if more than one).

    Parameters
    ----------
    width, height : float
        Size in inches (at 100 dpi on screen: 600 x 360 pixels by default). Wider figures
        need larger text to pass :func:`phone_text_px`.
    ncols, nrows : int
        Grid of axes.
    dpi : float
        Figure dpi.
    **subplot_kw
        Passed to :meth:`matplotlib.figure.Figure.subplots`.
    """
    with style():
        fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, **subplot_kw)
    return fig, axes


def png_bytes(fig: Figure, dpi: float = RENDER_DPI) -> bytes:
    """Render ``fig`` to PNG bytes, byte-for-byte reproducible.

    The ``Software`` text chunk (matplotlib's version) is left out so the bytes
    depend only on the drawing.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    buf = io.BytesIO()
    with style():
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


class FigureView:
    """A finished figure with its alt text, for display in a notebook.

    Attributes
    ----------
    png : bytes
        The rendered image.
    alt : str
        What the figure shows, in words (the HTML ``alt`` and ``text/plain``).
    width : int
        Display width in pixels.
    caption : str
        The figure's caption (MyST markdown, one or two sentences), shown under the
        numbered figure in the HTML book. Empty for none.
    label : str
        The figure's label in the book (a key of :data:`FIGURE_NUMBERS`), or empty. A
        labelled figure with a caption also shows "**Figure N.M.** caption" just above it in
        the notebook (:func:`caption_output`), where a "Figure N.M" link lands.
    """

    def __init__(
        self, png: bytes, alt: str, width: int, caption: str = "", label: str = ""
    ) -> None:
        self.png = png
        self.alt = alt
        self.width = width
        self.caption = caption
        self.label = label

    def _repr_mimebundle_(
        self, include: Sequence[str] | None = None, exclude: Sequence[str] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        data = {"image/png": self.png, "text/plain": self.alt}
        meta: dict[str, Any] = {"width": self.width, ALT_KEY: self.alt}
        if self.caption:
            meta[CAPTION_KEY] = self.caption
        if self.label:
            meta[LABEL_KEY] = self.label
        return data, {"image/png": meta}

    def _ipython_display_(self) -> None:
        display_figure(self._repr_mimebundle_(), self.label, self.caption)

    def __repr__(self) -> str:
        return self.alt


def show(fig: Figure, alt: str, caption: str = "", label: str = "") -> FigureView:
    """Wrap ``fig`` for display with alt text; end a notebook cell with it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A finished figure (e.g. from :func:`new_figure`).
    alt : str
        One or two sentences saying what the figure shows (not how it looks):
        the axes, the curves, and the message a reader should take away.
    caption : str
        The caption under the numbered figure in the book (MyST markdown): what to look at.
    label : str
        The figure's label in the book, a key of :data:`FIGURE_NUMBERS` (empty: not a
        numbered figure). It needs a caption.
    """
    if not isinstance(alt, str) or len(alt.strip()) < 20:
        raise ValueError("alt must be a sentence saying what the figure shows (>= 20 characters)")
    if not isinstance(caption, str):
        raise TypeError(f"caption must be a str, got {type(caption).__name__}")
    if label:
        caption_output(label, caption)  # validates both
    elif not isinstance(label, str):
        raise TypeError(f"label must be a str, got {type(label).__name__}")
    png = png_bytes(fig)
    width = int(round(fig.get_figwidth() * DISPLAY_DPI))
    return FigureView(png, alt.strip(), width, caption.strip(), label)


def phone_text_sizes(fig: Figure, display_width: float | None = None) -> list[tuple[str, float]]:
    """Every visible text of ``fig`` and its height in CSS pixels on a phone.

    .. math:: h = \\frac{s}{72} \\cdot \\frac{\\min(D, P)}{w}

    for a text of ``s`` points in a figure ``w`` inches wide shown ``D`` CSS pixels wide
    (default ``w * DISPLAY_DPI``) and shrunk to fit a content column ``P =
    PHONE_CONTENT_WIDTH`` pixels wide. The figure is drawn first (tick labels exist only
    after a draw); tick labels, axis labels, titles, legends and annotations are all included,
    and a text with mathtext sub- or superscripts counts at the scripts' size (0.7 ``s``).
    Reference: WCAG 2.1 leaves text size to the author; 9 CSS px is this course's floor.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    display_width : float, optional
        Width the figure is shown at on a wide screen, in CSS pixels.

    Returns
    -------
    list of (str, float)
        ``(text, pixels)`` pairs, smallest first.
    """
    from matplotlib.text import Text

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    width_in = fig.get_figwidth()
    if display_width is None:
        display_width = width_in * DISPLAY_DPI
    elif not isinstance(display_width, (int, float)) or not display_width > 0:
        raise ValueError(f"display_width must be a positive number, got {display_width!r}")
    if fig.canvas is None or not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    with style():
        fig.canvas.draw()
    scale = min(display_width, PHONE_CONTENT_WIDTH) / width_in / 72.0
    tick_labels, drawn = set(), []
    for ax in fig.axes:
        for axis in ax._axis_map.values():
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                tick_labels.update((id(tick.label1), id(tick.label2)))
            if not (ax.get_visible() and ax.axison and axis.get_visible()):
                continue
            for tick in axis._update_ticks():  # the ticks a draw shows
                drawn += [label for label in (tick.label1, tick.label2) if label.get_visible()]
    texts = drawn + [t for t in fig.findobj(Text) if id(t) not in tick_labels]
    sizes = [
        (t.get_text(), t.get_fontsize() * scale * _script_factor(t.get_text()))
        for t in texts
        if t.get_visible() and t.get_text().strip()
    ]
    return sorted(sizes, key=lambda item: item[1])


def _script_factor(text: str) -> float:
    """Mathtext draws sub- and superscripts at 0.7 of the size (``mathtext.SHRINK_FACTOR``)."""
    parts = text.split("$")
    maths = parts[1::2] if len(parts) > 2 else []
    return 0.7 if any("^" in m or "_" in m for m in maths) else 1.0


def phone_text_px(fig: Figure, display_width: float | None = None) -> float:
    """The smallest text of ``fig`` in CSS pixels on a phone (see :func:`phone_text_sizes`).

    Every course figure keeps this ``>= MIN_PHONE_TEXT_PX``.
    """
    sizes = phone_text_sizes(fig, display_width)
    return sizes[0][1] if sizes else math.inf


def label_line_ends(
    ax: Axes, ends: Sequence[tuple[float, str, str]], *, gap_pt: float | None = None
) -> list[Any]:
    """Label lines directly at their right ends, spreading labels that would overlap.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes with its final limits and scales set.
    ends : sequence of (y, label, color)
        The data ``y`` of each line at the right edge of the axes, its label and colour.
    gap_pt : float, optional
        Minimum vertical distance between labels in points (default: 1.25 font sizes).

    Returns
    -------
    list of matplotlib.text.Text
    """
    import numpy as np

    fontsize = float(_RC["legend.fontsize"])
    gap_pt = 1.25 * fontsize if gap_pt is None else gap_pt
    fig = ax.get_figure()
    to_axes = ax.transLimits  # data (after scale) -> axes fraction
    ys = []
    for y, _, _ in ends:
        yt = ax.yaxis.get_transform().transform([y])[0] if np.isfinite(y) else np.nan
        ys.append(to_axes.transform([[0.0, yt]])[0][1])
    height_pt = ax.get_position().height * fig.get_figheight() * 72.0
    gap = gap_pt / height_pt  # in axes fraction
    order = sorted(range(len(ends)), key=lambda i: ys[i])
    placed = [min(max(ys[i], 0.0), 1.0) for i in order]
    for k in range(1, len(placed)):  # push up
        placed[k] = max(placed[k], placed[k - 1] + gap)
    overflow = placed[-1] - 1.0 if placed else 0.0
    if overflow > 0:  # then shift down as a block from the top
        placed[-1] = 1.0
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - gap)
    texts = []
    for k, i in enumerate(order):
        _, label, color = ends[i]
        texts.append(
            ax.text(
                1.01,
                placed[k],
                label,
                transform=ax.transAxes,
                color=color,
                va="center",
                ha="left",
                fontsize=fontsize,
                clip_on=False,
            )
        )
    return texts


def log_tick_formatter() -> Any:
    """Tick labels ``1e−30``, ``1``, ``1e10`` for a log axis: full-size text, no superscripts.

    Mathtext's ``10^{-30}`` draws the exponent at 0.7 of the font size, too small on a phone.
    """
    from matplotlib.ticker import FuncFormatter

    def label(value: float, _pos: int) -> str:
        if value <= 0:
            return ""
        exponent = math.log10(value)
        if abs(exponent - round(exponent)) > 1e-9:
            return f"{value:g}".replace("-", "\u2212")
        k = int(round(exponent))
        return "1" if k == 0 else f"1e{k}".replace("-", "\u2212")

    return FuncFormatter(label)
