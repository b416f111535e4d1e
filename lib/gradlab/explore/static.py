"""Static explorers: every view of an explorer over a grid of its controls, for the HTML book.

The HTML book has no kernel. At build time the book's Sphinx extension (``tools/gvx_static.py``)
rebuilds each explorer from the spec in its output (:meth:`Explorer.spec`) and calls
:func:`generate`, which returns

* one **background** PNG: the figure with its animated artists hidden (axes, labels, legend and
  reference lines: everything a slider does not move), and
* the **drawing data** of the animated artists at every grid point
  (:meth:`Explorer.static_values`), in figure pixel coordinates (CSS pixels of the figure
  shown at :data:`~gradlab.plotting.DISPLAY_DPI`, y downwards), which a small script draws on
  a ``<canvas>`` laid over the background as the reader moves the page's native inputs.

Encoding (:data:`FORMAT`). Coordinates are quantized to ``1 / QUANTUM`` pixel, cut at
non-finite points, clipped to the artist's clip box (lines by Liang-Barsky, polygons by
Sutherland-Hodgman, both with a margin so joins and caps outside the box are unchanged), and
lines without markers lose the points within half a quantum of the chord
(Ramer-Douglas-Peucker). Each coordinate array is delta-encoded as int16 and *pooled*: an
array that repeats (the layers' x positions, an unmoved curve) is stored once. Style is stored
once per artist. The structure (which pool each artist uses in each view, the texts, the alt
text of every view) is JSON; the JSON and the int16 pool are deflated together (raw deflate,
RFC 1951, which the browser's ``DecompressionStream("deflate-raw")`` inflates) and
base64-encoded for an inline ``<script type="application/json">``.

Supported animated artists, exactly those the explorers use (anything else raises
:class:`UnsupportedArtistError` at build time): :class:`~matplotlib.lines.Line2D` (solid or
dashed, alpha, markers ``o v ^ s``, clip to the axes), :class:`~matplotlib.text.Text` and
:class:`~gradlab.explore._text.FastText` (unrotated, no mathtext, multi-line, ``ha``/``va``,
colour, size; the font is DejaVu Sans, matplotlib's, which the book ships as a subset), and
:class:`~matplotlib.patches.Polygon`.
"""

from __future__ import annotations

import base64
import importlib
import itertools
import json
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.colors import to_hex, to_rgba
from matplotlib.font_manager import fontManager
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.text import Text

from ..plotting import DISPLAY_DPI
from ._base import Control, Explorer, fmt
from ._text import _box_top, _line_metrics

__all__ = [
    "FORMAT",
    "QUANTUM",
    "MARKERS",
    "UnsupportedArtistError",
    "StaticExplorer",
    "from_spec",
    "generate",
    "encode_view",
    "decode_payload",
    "value_label",
    "grid_note",
    "FONT_FAMILY",
]

#: Version of the data format the page script reads.
FORMAT = 1
#: Coordinates are stored in units of 1 / QUANTUM CSS pixel.
QUANTUM = 8
#: Marker shapes the page script draws.
MARKERS = ("o", "v", "^", "s")
#: The only font family the static text is drawn in (matplotlib's default, shipped subset).
FONT_FAMILY = "DejaVu Sans"
_NO_LINE = ("None", "none", "", " ")
_CAPS = {"butt": "butt", "projecting": "square", "round": "round"}
_INT16 = (-32768, 32767)
#: Horizontal alignment of a text line: the fraction of its width left of the anchor (the page
#: measures the width with the shipped font, so right- and centre-aligned text ends where
#: matplotlib puts it whatever the browser's glyph advances).
_ANCHOR = {"left": 0.0, "center": 0.5, "right": 1.0}


class UnsupportedArtistError(TypeError):
    """An animated artist (or a property of one) the static page cannot draw."""


@dataclass
class StaticExplorer:
    """An explorer's static form.

    Attributes
    ----------
    data : dict
        What the page script reads (JSON-serializable): ``format``, ``class``, ``width`` and
        ``height`` (CSS pixels), ``quantum``, ``controls`` (name, label, kind ``range`` or
        ``select``, ``values``, ``labels``, ``index`` of the initial value), ``artists`` (one
        style per animated artist, in drawing order), ``index`` (the initial view) and
        ``payload`` (base64 raw-deflate; see :func:`decode_payload`).
    background : bytes
        The background PNG (rendered at ``RENDER_DPI``).
    alts : list of str
        Every view's alt text (also inside the payload), in grid order.
    chars : set of str
        Every character the texts use (for the font subset).
    """

    data: dict[str, Any]
    background: bytes
    alts: list[str]
    chars: set[str]

    @property
    def n_views(self) -> int:
        """Number of views (the product of the grid's sizes)."""
        return len(self.alts)


# -- building ----------------------------------------------------------------------------------
def from_spec(spec: dict[str, Any]) -> Explorer:
    """Rebuild an explorer from :meth:`Explorer.spec`: import the class, call it, set values.

    Raises
    ------
    TypeError
        If ``spec`` is not a dict or its class is not an :class:`Explorer`.
    ValueError
        If a key is missing.
    """
    if not isinstance(spec, dict):
        raise TypeError(f"spec must be a dict, got {type(spec).__name__}")
    missing = {"class", "kwargs", "values"} - set(spec)
    if missing:
        raise ValueError(f"spec lacks {sorted(missing)}")
    module, _, name = spec["class"].rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and issubclass(cls, Explorer)):
        raise TypeError(f"spec['class'] must name an Explorer, got {spec['class']!r}")
    explorer = cls(**spec["kwargs"])
    explorer.set_values(**spec["values"])
    return explorer


def value_label(control: Control, value: Any) -> str:
    """How the page shows a control's value: the option's label, an integer, or the step's
    decimals."""
    if control.labels is not None:
        return control.label_of(value)
    if isinstance(value, str):
        return value
    if control.integer or float(value).is_integer() and control.options is not None:
        return str(int(value))
    if control.step:
        places = max(0, -int(np.floor(np.log10(control.step) + 1e-9)))
        return f"{value:.{places}f}"
    return fmt(float(value))


def grid_note(explorer_cls: type[Explorer]) -> str:
    """The sentence under a static explorer: what its controls take here, what is live where."""
    parts = []
    for name, values in explorer_cls.static_values().items():
        c = explorer_cls.controls[name]
        labels = [value_label(c, v) for v in values]
        if any("," in t for t in labels):  # labels such as "ReLU, He": quote each one
            labels = [f"“{t}”" for t in labels]
        if c.choices or len(labels) <= 6:
            parts.append(f"{c.label}: {', '.join(labels)}")
            continue
        steps = np.diff(np.asarray(values, dtype=float))
        if np.allclose(steps, steps[0]):
            step = value_label(c, steps[0]) if not c.integer else str(int(steps[0]))
            parts.append(f"{c.label}: {labels[0]} to {labels[-1]} in steps of {step}")
        else:
            parts.append(f"{c.label}: {', '.join(labels)}")
    n = int(np.prod([len(v) for v in explorer_cls.static_values().values()]))
    return (
        f"On this page the controls move over {n} views computed when the book was built "
        f"({'; '.join(parts)}). In JupyterLab (local, Binder or Live Code) the explorer is "
        "live over the full range of every slider."
    )


def generate(
    explorer: Explorer, progress: Callable[[int, int], None] | None = None
) -> StaticExplorer:
    """Compute every view of ``explorer`` over its grid (:meth:`Explorer.static_values`).

    The views are walked in grid order (the first control slowest), with
    :meth:`Explorer.set_values` (no drawing), and each is encoded with :func:`encode_view`.
    The explorer is left at the values it had; its initial view is the grid point of those
    values, which must therefore be grid values.

    Parameters
    ----------
    explorer : Explorer
    progress : callable, optional
        Called as ``progress(done, total)`` every 200 views.

    Raises
    ------
    ValueError
        If the explorer's current values are not grid points.
    UnsupportedArtistError
        If an animated artist cannot be drawn by the page script.
    """
    if not isinstance(explorer, Explorer):
        raise TypeError(f"explorer must be an Explorer, got {type(explorer).__name__}")
    grid = explorer.static_values()
    names = list(grid)
    start = dict(explorer.values)
    index = []
    for name in names:
        if start[name] not in grid[name]:
            raise ValueError(
                f"{type(explorer).__name__}: {name} = {start[name]!r} is not a static grid value "
                f"({list(grid[name])})"
            )
        index.append(grid[name].index(start[name]))
    # Draw once first: the axes' final positions are only set at draw time (an axes with
    # ``set_aspect("equal")`` shrinks its box then), and the views are encoded in pixels.
    explorer.render()
    styles = [_style(a, explorer) for a in explorer._animated]
    pools = _Pools()
    views, alts, chars = [], [], set()
    total = int(np.prod([len(grid[n]) for n in names]))
    try:
        for k, combo in enumerate(itertools.product(*(grid[n] for n in names))):
            explorer.set_values(**dict(zip(names, combo, strict=True)))
            entries = encode_view(explorer, pools)
            alt = explorer.alt_text()
            views.append(entries)
            alts.append(alt)
            for entry, style in zip(entries, styles, strict=True):
                if style["type"] == "text":
                    chars.update("".join(line[0] for line in entry))
            if progress is not None and (k + 1) % 200 == 0:
                progress(k + 1, total)
    finally:
        explorer.set_values(**start)
    payload = _pack({"views": views, "alts": alts, "pools": pools.lengths}, pools.data())
    width, height = _size(explorer)
    controls = []
    for name, i in zip(names, index, strict=True):
        c = explorer.controls[name]
        controls.append(
            {
                "name": name,
                "label": c.label,
                "kind": "select" if c.choices else "range",
                "values": list(grid[name]),
                "labels": [value_label(c, v) for v in grid[name]],
                "index": i,
            }
        )
    flat = 0
    for name, i in zip(names, index, strict=True):
        flat = flat * len(grid[name]) + i
    data = {
        "format": FORMAT,
        "class": type(explorer).__name__,
        "width": width,
        "height": height,
        "quantum": QUANTUM,
        "controls": controls,
        "artists": styles,
        "index": flat,
        "payload": base64.b64encode(payload).decode("ascii"),
    }
    return StaticExplorer(data, explorer.background_png(), alts, chars)


# -- the payload -------------------------------------------------------------------------------
def _pack(structure: dict[str, Any], pool: np.ndarray) -> bytes:
    """``u32 length | JSON | pad to 2 | int16 LE pool``, raw-deflated (RFC 1951, level 9)."""
    text = json.dumps(structure, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    head = struct.pack("<I", len(text)) + text + b"\0" * (len(text) % 2)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    return deflate.compress(head + pool.astype("<i2").tobytes()) + deflate.flush()


def decode_payload(data: dict[str, Any]) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Inverse of the encoding, as the page script does it: the structure and the pools.

    Returns the JSON structure (``views``, ``alts``, ``pools``) and each pool as absolute
    coordinates in CSS pixels (float).
    """
    raw = zlib.decompress(base64.b64decode(data["payload"]), -15)
    (length,) = struct.unpack("<I", raw[:4])
    structure = json.loads(raw[4 : 4 + length].decode("utf-8"))
    start = 4 + length + length % 2
    ints = np.frombuffer(raw[start:], dtype="<i2").astype(np.int64)
    pools, offset = [], 0
    for n in structure["pools"]:
        pools.append(np.cumsum(ints[offset : offset + n]) / data["quantum"])
        offset += n
    return structure, pools


class _Pools:
    """Delta-encoded int16 arrays, each stored once."""

    def __init__(self) -> None:
        self.index: dict[bytes, int] = {}
        self.arrays: list[np.ndarray] = []
        self.lengths: list[int] = []

    def add(self, coords: np.ndarray) -> int:
        q = np.round(np.asarray(coords, dtype=float) * QUANTUM).astype(np.int64)
        delta = np.diff(q, prepend=0)
        if q.size and (q.min() < _INT16[0] or q.max() > _INT16[1]):
            raise ValueError("coordinates out of the int16 range after clipping")
        if delta.size and (delta.min() < _INT16[0] or delta.max() > _INT16[1]):
            raise ValueError("coordinate steps out of the int16 range after clipping")
        key = delta.astype("<i2").tobytes()
        if key not in self.index:
            self.index[key] = len(self.arrays)
            self.arrays.append(delta.astype(np.int16))
            self.lengths.append(int(delta.size))
        return self.index[key]

    def data(self) -> np.ndarray:
        return np.concatenate(self.arrays) if self.arrays else np.zeros(0, np.int16)


# -- geometry -----------------------------------------------------------------------------------
def _size(explorer: Explorer) -> tuple[int, int]:
    w, h = explorer.fig.get_size_inches()
    return int(round(w * DISPLAY_DPI)), int(round(h * DISPLAY_DPI))


def _to_css(explorer: Explorer, xy: np.ndarray) -> np.ndarray:
    """Display coordinates (figure pixels, y up) to CSS pixels (y down)."""
    s = DISPLAY_DPI / explorer.fig.dpi
    out = np.array(xy, dtype=float).reshape(-1, 2) * s
    out[:, 1] = _size(explorer)[1] - out[:, 1]
    return out


def _box(explorer: Explorer, artist: Artist, margin: float) -> tuple[float, float, float, float]:
    """The box coordinates are clipped to: the clip box (or the figure), plus ``margin``."""
    if artist.get_clip_on() and artist.get_clip_box() is not None:
        (x0, y0), (x1, y1) = _to_css(explorer, artist.get_clip_box().get_points())
    else:
        w, h = _size(explorer)
        x0, y0, x1, y1 = 0.0, 0.0, float(w), float(h)
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    return x0 - margin, y0 - margin, x1 + margin, y1 + margin


def _clip_css_box(explorer: Explorer, artist: Artist) -> list[float] | None:
    if not artist.get_clip_on() or artist.get_clip_box() is None:
        return None
    if artist.get_clip_path() is not None:
        raise UnsupportedArtistError(f"{artist!r}: clip paths are not supported")
    return [round(v, 3) for v in _box(explorer, artist, 0.0)]


def _runs(points: np.ndarray) -> list[np.ndarray]:
    """Split a polyline at its non-finite points (matplotlib draws nothing there)."""
    finite = np.all(np.isfinite(points), axis=1)
    runs, start = [], None
    for i, ok in enumerate(np.append(finite, False)):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            runs.append(points[start:i])
            start = None
    return runs


def _clip_polyline(points: np.ndarray, box: tuple[float, float, float, float]) -> list[np.ndarray]:
    """Clip a polyline to ``box`` (Liang-Barsky, all segments at once), as pieces inside it."""
    x0, y0, x1, y1 = box
    x, y = points[:, 0], points[:, 1]
    if (x >= x0).all() and (x <= x1).all() and (y >= y0).all() and (y <= y1).all():
        return [points]
    if len(points) < 2:
        return []
    a, d = points[:-1], np.diff(points, axis=0)
    t0, t1 = np.zeros(len(d)), np.ones(len(d))
    valid = np.ones(len(d), bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-d[:, 0], a[:, 0] - x0), (d[:, 0], x1 - a[:, 0]),
                     (-d[:, 1], a[:, 1] - y0), (d[:, 1], y1 - a[:, 1])):  # fmt: skip
            r = q / p
            valid &= ~((p == 0) & (q < 0))
            t0 = np.where(p < 0, np.maximum(t0, r), t0)
            t1 = np.where(p > 0, np.minimum(t1, r), t1)
    valid &= t0 <= t1
    starts, ends = a + t0[:, None] * d, a + t1[:, None] * d
    pieces: list[np.ndarray] = []
    idx = np.flatnonzero(valid)
    if not idx.size:
        return []
    # A piece continues while consecutive valid segments meet (end at 1, next start at 0).
    joined = (np.diff(idx) == 1) & (t1[idx[:-1]] == 1.0) & (t0[idx[1:]] == 0.0)
    breaks = np.flatnonzero(~joined) + 1
    for group in np.split(idx, breaks):
        piece = np.vstack([starts[group[:1]], ends[group]])
        pieces.append(piece)
    return pieces


def _clip_polygon(points: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """Clip a closed polygon to ``box`` (Sutherland-Hodgman)."""
    x0, y0, x1, y1 = box
    if (
        (points[:, 0] >= x0).all()
        and (points[:, 0] <= x1).all()
        and (points[:, 1] >= y0).all()
        and (points[:, 1] <= y1).all()
    ):
        return points
    poly = [tuple(p) for p in points]
    for axis, bound, keep_above in ((0, x0, True), (0, x1, False), (1, y0, True), (1, y1, False)):
        if not poly:
            break

        def inside(p: tuple[float, float], axis: int = axis, bound: float = bound,
                   keep_above: bool = keep_above) -> bool:  # fmt: skip
            return p[axis] >= bound if keep_above else p[axis] <= bound

        out = []
        for i, cur in enumerate(poly):
            prev = poly[i - 1]
            if inside(cur):
                if not inside(prev):
                    out.append(_cross(prev, cur, axis, bound))
                out.append(cur)
            elif inside(prev):
                out.append(_cross(prev, cur, axis, bound))
        poly = out
    return np.array(poly, dtype=float).reshape(-1, 2)


def _cross(a: tuple, b: tuple, axis: int, bound: float) -> tuple[float, float]:
    t = (bound - a[axis]) / (b[axis] - a[axis])
    return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))


def _simplify(points: np.ndarray, tol: float) -> np.ndarray:
    """Drop points that lie on the line through their neighbours (within a small tolerance).

    Vectorized passes: a pass removes every other point of each run of points within
    ``tol / 8`` of the chord of their neighbours (never two neighbours at once), until none is
    left; at most about ``log2(n)`` passes, so no kept line moves by more than ``tol``. A
    straight line (the explorers' log-scale chains) keeps its two ends; a curve keeps all.
    """
    step = tol / 8
    pts = points
    for _ in range(64):
        if len(pts) <= 2:
            break
        a, m, b = pts[:-2], pts[1:-1], pts[2:]
        d = b - a
        norm = np.hypot(d[:, 0], d[:, 1])
        cross = np.abs((m[:, 0] - a[:, 0]) * d[:, 1] - (m[:, 1] - a[:, 1]) * d[:, 0])
        along = np.hypot(m[:, 0] - a[:, 0], m[:, 1] - a[:, 1])
        dist = np.where(norm > 0, cross / np.where(norm > 0, norm, 1.0), along)
        # Between its neighbours (not a turn back), and close to their chord.
        inside = ((m - a) * d).sum(axis=1) >= 0
        inside &= ((b - m) * d).sum(axis=1) >= 0
        candidate = (dist <= step) & inside
        if not candidate.any():
            break
        position = np.arange(candidate.size)
        last_kept = np.maximum.accumulate(np.where(candidate, -1, position))
        remove = candidate & ((position - last_kept - 1) % 2 == 0)
        pts = np.vstack([pts[:1], m[~remove], pts[-1:]])
    return pts


# -- styles and per-view entries ------------------------------------------------------------------
def _points_to_px(explorer: Explorer, points: float) -> float:
    return float(points) * DISPLAY_DPI / 72.0


def _colour(value: Any) -> str:
    return to_hex(to_rgba(value), keep_alpha=False)


def _style(artist: Artist, explorer: Explorer) -> dict[str, Any]:
    """The per-artist style the page script needs (stored once), or raise."""
    if type(artist) is Line2D:
        return _line_style(artist, explorer)
    if isinstance(artist, Text) and type(artist).__name__ in ("Text", "FastText"):
        if artist.get_rotation() != 0:
            raise UnsupportedArtistError(f"{artist!r}: rotated text is not supported")
        families = artist.get_fontfamily()
        path = fontManager.findfont(artist.get_fontproperties())
        if "DejaVuSans" not in path.replace(" ", "") or artist.get_fontstyle() != "normal":
            raise UnsupportedArtistError(
                f"{artist!r}: only {FONT_FAMILY} (normal) is shipped, got {families} -> {path}"
            )
        if artist.get_fontweight() not in ("normal", 400):
            raise UnsupportedArtistError(f"{artist!r}: only normal-weight text is supported")
        rgba = to_rgba(artist.get_color(), artist.get_alpha())
        return {
            "type": "text",
            "color": _colour(rgba),
            "alpha": round(rgba[3], 4),
            "size": round(_points_to_px(explorer, artist.get_fontsize()), 4),
            "clip": _clip_css_box(explorer, artist),
        }
    if type(artist) is Polygon:
        if artist.get_hatch():
            raise UnsupportedArtistError(f"{artist!r}: hatching is not supported")
        face = to_rgba(artist.get_facecolor())
        edge = to_rgba(artist.get_edgecolor())
        lw = _points_to_px(explorer, artist.get_linewidth())
        return {
            "type": "polygon",
            "fill": _colour(face) if artist.get_fill() and face[3] > 0 else None,
            "fillAlpha": round(face[3], 4),
            "edge": _colour(edge) if lw > 0 and edge[3] > 0 else None,
            "edgeAlpha": round(edge[3], 4),
            "lw": round(lw, 4),
            "closed": bool(artist.get_closed()),
            "clip": _clip_css_box(explorer, artist),
        }
    raise UnsupportedArtistError(
        f"{type(explorer).__name__}: the static book cannot draw an animated "
        f"{type(artist).__module__}.{type(artist).__name__} ({artist!r}); supported: Line2D, "
        "Text/FastText, Polygon (gradlab.explore.static)"
    )


def _line_style(line: Line2D, explorer: Explorer) -> dict[str, Any]:
    if line.get_drawstyle() not in ("default", None) or line.get_markevery() is not None:
        raise UnsupportedArtistError(f"{line!r}: drawstyles and markevery are not supported")
    if line.get_path_effects():
        raise UnsupportedArtistError(f"{line!r}: path effects are not supported")
    marker = line.get_marker()
    marker = None if marker in _NO_LINE or marker is None else marker
    if marker is not None and marker not in MARKERS:
        raise UnsupportedArtistError(f"{line!r}: marker {marker!r} is not one of {MARKERS}")
    dashed = line.get_linestyle() not in ("-", "solid") and line.get_linestyle() not in _NO_LINE
    lw = 0.0 if line.get_linestyle() in _NO_LINE else _points_to_px(explorer, line.get_linewidth())
    dash = None
    offset = 0.0
    if dashed:
        offset, seq = line._dash_pattern  # in points, already scaled by the line width
        dash = [round(_points_to_px(explorer, v), 4) for v in seq]
        offset = _points_to_px(explorer, offset or 0.0)
    cap = (line.get_dash_capstyle() if dashed else line.get_solid_capstyle()) or "butt"
    join = (line.get_dash_joinstyle() if dashed else line.get_solid_joinstyle()) or "round"
    rgba = to_rgba(line.get_color(), line.get_alpha())
    return {
        "type": "line",
        "color": _colour(rgba),
        "alpha": round(rgba[3], 4),
        "lw": round(lw, 4),
        "dash": dash,
        "dashOffset": round(offset, 4),
        "cap": _CAPS[str(cap)],
        "join": str(join),
        "marker": marker,
        "ms": round(_points_to_px(explorer, line.get_markersize()), 4),
        "mew": round(_points_to_px(explorer, line.get_markeredgewidth()), 4),
        "mfc": _colour(line.get_markerfacecolor()) if marker else None,
        "mec": _colour(line.get_markeredgecolor()) if marker else None,
        "clip": _clip_css_box(explorer, line),
    }


def encode_view(explorer: Explorer, pools: _Pools) -> list[Any]:
    """The current view: one entry per animated artist, coordinates added to ``pools``.

    Entries: a line is ``[paths, markers]`` with ``paths`` a flat list of pool indices
    ``[x0, y0, x1, y1, ...]`` (one pair per drawn polyline) and ``markers`` ``[x, y]`` or
    ``[]``; a text is a list of ``[line, x, y, a]`` (each line's baseline at ``y``, its anchor
    at ``x``, CSS px, with the fraction ``a`` of its width left of the anchor: 0, 0.5 or 1);
    a polygon is ``[x, y]`` or ``[]``. Invisible artists give empty entries.
    """
    entries: list[Any] = []
    for artist in explorer._animated:
        if type(artist) is Line2D:
            entries.append(_line_entry(artist, explorer, pools))
        elif isinstance(artist, Text):
            entries.append(_text_entry(artist, explorer))
        elif type(artist) is Polygon:
            entries.append(_polygon_entry(artist, explorer, pools))
        else:
            _style(artist, explorer)  # raises UnsupportedArtistError
    return entries


def _line_entry(line: Line2D, explorer: Explorer, pools: _Pools) -> list[Any]:
    if not line.get_visible():
        return [[], []]
    xy = line.get_xydata()
    if xy.size == 0:
        return [[], []]
    with np.errstate(all="ignore"):
        points = _to_css(explorer, line.get_transform().transform(xy))
    lw = 0.0 if line.get_linestyle() in _NO_LINE else _points_to_px(explorer, line.get_linewidth())
    marker = line.get_marker()
    has_marker = marker not in _NO_LINE and marker is not None
    paths: list[int] = []
    if lw > 0:
        margin = 2 * lw + 2
        box = _box(explorer, line, margin)
        for run in _runs(points):
            for piece in _clip_polyline(run, box):
                if not has_marker:
                    piece = _simplify(piece, 0.5 / QUANTUM)
                paths += [pools.add(piece[:, 0]), pools.add(piece[:, 1])]
    markers: list[int] = []
    if has_marker:
        ms = _points_to_px(explorer, line.get_markersize())
        x0, y0, x1, y1 = _box(explorer, line, ms)
        finite = points[np.all(np.isfinite(points), axis=1)]
        fx, fy = finite[:, 0], finite[:, 1]
        keep = (fx >= x0) & (fx <= x1) & (fy >= y0) & (fy <= y1)
        finite = finite[keep]
        if len(finite):
            markers = [pools.add(finite[:, 0]), pools.add(finite[:, 1])]
    return [paths, markers]


def _text_entry(text: Text, explorer: Explorer) -> list[list[Any]]:
    """Each line's text, anchor and baseline, laid out as FastText does."""
    string = text.get_text()
    if not text.get_visible() or not string:
        return []
    if "$" in string:
        raise UnsupportedArtistError(f"{text!r}: mathtext is not supported")
    dpi = explorer.fig.dpi
    path = tuple(fontManager._find_fonts_by_props(text.get_fontproperties()))
    size = text.get_fontsize()
    lines = string.split("\n")
    ascent, descent, step = _line_metrics(path, size, dpi, text.get_linespacing())
    height = ascent + descent + step * (len(lines) - 1)
    x, y = text.get_transform().transform(text.get_unitless_position())
    va = text.get_verticalalignment()
    top = _box_top(va, y, ascent, height, step, len(lines))
    if top is None:
        raise UnsupportedArtistError(f"{text!r}: va={va!r} is not supported")
    ha = text.get_horizontalalignment()
    out = []
    for k, line in enumerate(lines):
        if not line:
            continue
        baseline = top - ascent - k * step
        (cx, cy) = _to_css(explorer, [[x, baseline]])[0]
        out.append([line, round(float(cx), 2), round(float(cy), 2), _ANCHOR.get(ha, 0.0)])
    return out


def _polygon_entry(poly: Polygon, explorer: Explorer, pools: _Pools) -> list[int]:
    if not poly.get_visible():
        return []
    xy = poly.get_xy()
    if len(xy) < 3:
        return []
    with np.errstate(all="ignore"):
        points = _to_css(explorer, poly.get_transform().transform(xy))
    if not np.all(np.isfinite(points)):
        points = points[np.all(np.isfinite(points), axis=1)]
    lw = _points_to_px(explorer, poly.get_linewidth())
    points = _clip_polygon(points, _box(explorer, poly, 2 * lw + 2))
    if len(points) < 3:
        return []
    return [pools.add(points[:, 0]), pools.add(points[:, 1])]
