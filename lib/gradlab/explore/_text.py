"""Fast text for animated labels: glyphs rasterised once, then composited with NumPy.

Matplotlib 3.11's Agg backend shapes and rasterises every glyph of a text on every draw
(about 0.1 ms per glyph, plus the layout), so an animated two-line label of 80 characters
costs 10-20 ms per frame, the largest part of an explorer update. :class:`FastText` is a
:class:`matplotlib.text.Text` whose Agg drawing uses a cache of glyph bitmaps (per font,
size, dpi and character) and places them by their advance widths, as FreeType would without
kerning; it blends the line into the canvas buffer in one NumPy operation. Anything it does
not handle (rotation, mathtext, non-Agg renderers) falls back to ``Text.draw``. Its size,
colour and text are those of an ordinary ``Text`` (so :func:`gradlab.plotting.phone_text_px`
measures it like any other text).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.colors import to_rgba
from matplotlib.font_manager import fontManager, get_font
from matplotlib.ft2font import RenderMode
from matplotlib.text import Text

__all__ = ["FastText"]

_Glyph = tuple[np.ndarray, int, int, float]  # alpha bitmap, left, top (above baseline), advance
_GLYPHS: dict[tuple[Any, float, float, str], _Glyph] = {}


def _glyph(path: Any, size: float, dpi: float, char: str) -> _Glyph:
    """A character's bitmap as the Agg backend renders it (same font fallback and hinting).

    Returns the alpha bitmap (0..1), its left offset from the pen, its rows above the
    baseline and the pen advance, all in pixels.
    """
    key = (path, size, dpi, char)
    if key not in _GLYPHS:
        font = get_font(path)
        font.clear()
        font.set_size(size, dpi)
        flags = get_hinting_flag()
        item = font._layout(char, flags=flags)[0]
        face = item.ft_object
        face.set_size(size, dpi)
        face._set_transform(np.array([[0x10000, 0], [0, 0x10000]]), [0, 0])
        bitmap = face._render_glyph(item.glyph_index, flags, RenderMode.NORMAL)
        image = np.asarray(bitmap.buffer, dtype=np.float32) / 255.0
        pair = font._layout(char + "\u00a0", flags=flags)  # the pen after the character
        advance = (
            pair[1].x
            if len(pair) > 1
            else face.load_glyph(item.glyph_index, flags).linearHoriAdvance / 65536.0
        )
        _GLYPHS[key] = (image, int(bitmap.left), int(bitmap.top), float(advance))
    return _GLYPHS[key]


def _line_metrics(path: Any, size: float, dpi: float, spacing: Any) -> tuple[float, float, float]:
    """Ascent and descent of a line box and the distance between baselines, in pixels.

    From the font's OS/2 typographic metrics, as ``Text`` lays out lines: a numeric
    ``linespacing`` makes each line ``spacing * (ascent + descent)`` tall, centred.
    """
    font = get_font(path)
    table = font.get_sfnt_table("OS/2")
    scale = size * dpi / 72.0 / font.units_per_EM
    if table is not None:
        ascent, descent = table["sTypoAscender"] * scale, -table["sTypoDescender"] * scale
        gap = table["sTypoLineGap"] * scale
    else:  # pragma: no cover - fonts without an OS/2 table
        ascent, descent, gap = font.ascender * scale, -font.descender * scale, 0.0
    if isinstance(spacing, (int, float)):
        step = spacing * (ascent + descent)
        lead = (step - ascent - descent) / 2
        return ascent + lead, descent + lead, step
    return ascent + gap / 2, descent + gap / 2, ascent + descent + gap


def _box_top(
    va: str, y: float, ascent: float, height: float, step: float, lines: int
) -> float | None:
    """The display y of the top of a text's line box, as ``Text`` aligns it vertically.

    ``height`` is ``ascent + descent + step * (lines - 1)``; ``"baseline"`` puts the last
    line's baseline at ``y``, as matplotlib does. ``None`` for ``"center_baseline"`` (not
    handled: drawn by ``Text``).
    """
    tops = {"top": y, "center": y + height / 2, "bottom": y + height}
    tops["baseline"] = y + ascent + step * (lines - 1)
    return tops.get(va)


class FastText(Text):
    """A :class:`~matplotlib.text.Text` drawn from cached glyph bitmaps on Agg canvases."""

    def draw(self, renderer: Any) -> None:
        text = self.get_text()
        if (
            not isinstance(renderer, RendererAgg)
            or not self.get_visible()
            or self.get_rotation() != 0
            or "$" in text
            or not text
        ):
            return super().draw(renderer)
        dpi = renderer.dpi
        path = tuple(fontManager._find_fonts_by_props(self.get_fontproperties()))
        size = self.get_fontsize()
        lines = [_raster(path, size, dpi, line) for line in text.split("\n")]
        ascent, descent, step = _line_metrics(path, size, dpi, self.get_linespacing())
        height = ascent + descent + step * (len(lines) - 1)
        x, y = self.get_transform().transform(self.get_unitless_position())
        buf = np.asarray(renderer.buffer_rgba())
        rows, cols = buf.shape[:2]
        top = _box_top(self.get_verticalalignment(), y, ascent, height, step, len(lines))
        if top is None:
            return super().draw(renderer)
        rgba = to_rgba(self.get_color(), self.get_alpha())
        colour = np.array(rgba[:3], dtype=np.float32) * 255.0
        for k, (alpha, width, above, pad) in enumerate(lines):
            baseline = top - ascent - k * step  # display y, upwards
            ha = self.get_horizontalalignment()
            left = {"left": x, "center": x - width / 2, "right": x - width}.get(ha, x)
            r0 = int(round(rows - baseline)) - above  # buffer row of the bitmap's top
            c0 = int(round(left)) - pad
            h, w = alpha.shape
            rs, cs = max(r0, 0), max(c0, 0)
            re, ce = min(r0 + h, rows), min(c0 + w, cols)
            if rs >= re or cs >= ce:
                continue
            a = alpha[rs - r0 : re - r0, cs - c0 : ce - c0, None] * rgba[3]
            region = buf[rs:re, cs:ce, :3]
            region[...] = (region * (1.0 - a) + colour * a + 0.5).astype(np.uint8)
        self.stale = False
        return None


@functools.lru_cache(maxsize=512)
def _raster(path: Any, size: float, dpi: float, line: str) -> tuple[np.ndarray, float, int, int]:
    """One line as an alpha bitmap, its advance width, rows above the baseline, left pad."""
    pen, placed = 0.0, []
    for char in line:
        image, x_offset, top, advance = _glyph(path, size, dpi, char)
        if image.size:
            placed.append((image, int(round(pen)) + x_offset, top))
        pen += advance
    if not placed:
        return np.zeros((1, 1), np.float32), pen, 0, 0
    above = max(top for _, _, top in placed)
    below = max(image.shape[0] - top for image, _, top in placed)
    pad = -min(0, min(x for _, x, _ in placed))
    width = max(x + image.shape[1] for image, x, _ in placed) + pad
    out = np.zeros((above + below, width), np.float32)
    for image, x, top in placed:
        h, w = image.shape
        r, c = above - top, x + pad
        np.maximum(out[r : r + h, c : c + w], image, out=out[r : r + h, c : c + w])
    return out, pen, above, pad
