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
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = [
    "COLORS",
    "style",
    "new_figure",
    "png_bytes",
    "FigureView",
    "show",
    "ALT_KEY",
    "CAPTION_KEY",
]

#: Key of the alt text in an ``image/png`` output's metadata.
ALT_KEY = "gradlab/alt"

#: Key of the figure caption in an ``image/png`` output's metadata. ``make execute`` copies it
#: into the cell's ``mystnb.figure.caption``, so the HTML book shows a numbered, captioned figure.
CAPTION_KEY = "gradlab/caption"

#: Colour-blind-safe palette (Okabe and Ito), used across the course.
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

_RC: dict[str, Any] = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "svg.hashsalt": "gradlab",
}

#: Pixel width a figure is shown at (its PNG is rendered at 2x for sharp screens).
DISPLAY_DPI = 100
RENDER_DPI = 200


def style() -> Any:
    """Context manager that applies the course's matplotlib style (for figures built here)."""
    return matplotlib.rc_context(_RC)


def new_figure(
    width: float = 7.0,
    height: float = 4.0,
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
        Size in inches (at 100 dpi on screen: 700 x 400 pixels by default).
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
    """

    def __init__(self, png: bytes, alt: str, width: int, caption: str = "") -> None:
        self.png = png
        self.alt = alt
        self.width = width
        self.caption = caption

    def _repr_mimebundle_(
        self, include: Sequence[str] | None = None, exclude: Sequence[str] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        data = {"image/png": self.png, "text/plain": self.alt}
        meta: dict[str, Any] = {"width": self.width, ALT_KEY: self.alt}
        if self.caption:
            meta[CAPTION_KEY] = self.caption
        return data, {"image/png": meta}

    def __repr__(self) -> str:
        return self.alt


def show(fig: Figure, alt: str, caption: str = "") -> FigureView:
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
    """
    if not isinstance(alt, str) or len(alt.strip()) < 20:
        raise ValueError("alt must be a sentence saying what the figure shows (>= 20 characters)")
    if not isinstance(caption, str):
        raise TypeError(f"caption must be a str, got {type(caption).__name__}")
    png = png_bytes(fig)
    width = int(round(fig.get_figwidth() * DISPLAY_DPI))
    return FigureView(png, alt.strip(), width, caption.strip())
