"""gradlab.explore._text.FastText draws what matplotlib's Text draws (cached glyphs, no kerning).

Each case renders one label twice on an Agg canvas, once as ``Text`` and once as ``FastText``
with the same properties, and compares the ink: where it is (its bounding box, to a pixel or
two: FastText places glyphs by their advances, without kerning), how much of it there is, and
its colour. The fallbacks (rotation, mathtext, empty, invisible, vector output) must draw
exactly what ``Text`` draws.
"""

from __future__ import annotations

import io

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text

from gradlab.explore import _text
from gradlab.explore._text import FastText

W, H, DPI = 320, 160, 100


def _render(cls: type, x: float = 0.5, y: float = 0.5, text: str = "Tg 0.123\nslope -4", **kw):
    fig = plt.figure(figsize=(W / DPI, H / DPI), dpi=DPI, facecolor="white")
    try:
        fig.add_artist(cls(x, y, text, fontsize=kw.pop("fontsize", 14), **kw))
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(float)
    finally:
        plt.close(fig)


def _ink(img: np.ndarray) -> np.ndarray:
    """Darkness 0..1 per pixel (white background)."""
    return 1.0 - img.mean(axis=2) / 255.0


def _box(img: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.nonzero(_ink(img) > 0.25)
    assert rows.size, "no ink"
    return int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max())


def _compare(tol_px: int = 2, tol_ink: float = 0.04, **kw) -> tuple[np.ndarray, np.ndarray]:
    ref, fast = _render(Text, **kw), _render(FastText, **kw)
    box_ref, box_fast = _box(ref), _box(fast)
    assert np.abs(np.subtract(box_ref, box_fast)).max() <= tol_px, (box_ref, box_fast)
    ink_ref, ink_fast = _ink(ref).sum(), _ink(fast).sum()
    assert abs(ink_fast / ink_ref - 1) < tol_ink, (ink_ref, ink_fast)
    return ref, fast


@pytest.mark.parametrize("ha", ["left", "center", "right"])
@pytest.mark.parametrize("va", ["top", "center", "bottom", "baseline"])
def test_alignment_places_the_ink_where_text_does(ha: str, va: str) -> None:
    _compare(ha=ha, va=va)


@pytest.mark.parametrize("spacing", [1.0, 1.4, 2.5])
def test_numeric_line_spacing_matches_text(spacing: float) -> None:
    _compare(va="top", linespacing=spacing, text="first line\nsecond\nthird gy")


def test_default_line_spacing_matches_text() -> None:
    _compare(va="top", text="first line\nsecond\nthird gy")


def test_one_line_and_a_space_only_line() -> None:
    _compare(text="ajT 3.5 x")
    _compare(text="top\n \nbottom", va="center")


@pytest.mark.parametrize("colour", ["tab:red", "#1f77b4", (0.1, 0.6, 0.2)])
def test_colour_of_the_ink(colour) -> None:
    _, fast = _compare(text="MMM WWW", color=colour, fontsize=24)
    darkest = fast[np.unravel_index(_ink(fast).argmax(), fast.shape[:2])]
    want = np.array(matplotlib.colors.to_rgb(colour)) * 255
    assert np.abs(darkest - want).max() <= 3, (darkest, want)


def test_alpha_blends_with_the_background() -> None:
    full = _render(FastText, text="MMM", fontsize=24)
    half = _render(FastText, text="MMM", fontsize=24, alpha=0.5)
    ratio = _ink(half).sum() / _ink(full).sum()
    assert ratio == pytest.approx(0.5, abs=0.01)
    ref = _render(Text, text="MMM", fontsize=24, alpha=0.5)
    assert _ink(ref).sum() == pytest.approx(_ink(half).sum(), rel=0.04)


def test_text_partly_outside_the_canvas_is_clipped_not_shifted() -> None:
    # A line box a pixel taller than Text's (typographic metrics) shows a row more or less
    # of the glyphs cut by a top or bottom edge: the ink is compared loosely.
    for x, y, ha, va in [
        (-0.05, 0.5, "left", "center"),
        (1.02, 0.5, "right", "center"),
        (0.5, 1.03, "center", "top"),
        (0.5, -0.04, "center", "bottom"),
    ]:
        _compare(x=x, y=y, ha=ha, va=va, text="clipped text here", tol_ink=0.25)


def test_text_wholly_outside_the_canvas_draws_nothing() -> None:
    blank = _render(FastText, x=2.0, y=0.5, text="away")
    assert _ink(blank).max() == 0.0
    blank = _render(FastText, x=0.5, y=-1.0, text="away")
    assert _ink(blank).max() == 0.0


@pytest.mark.parametrize(
    "kw",
    [
        {"rotation": 30},
        {"text": "$x^2$ mathtext"},
        {"text": ""},
        {"visible": False},
    ],
    ids=["rotated", "mathtext", "empty", "invisible"],
)
def test_what_fast_text_does_not_handle_is_drawn_by_text(kw) -> None:
    np.testing.assert_array_equal(_render(FastText, **kw), _render(Text, **kw))


def test_vector_output_falls_back_to_text() -> None:
    out = {}
    for cls in (Text, FastText):
        fig = plt.figure(figsize=(2, 1))
        fig.add_artist(cls(0.1, 0.5, "vector"))
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
        out[cls] = buf.getvalue().count("<path") + buf.getvalue().count("<use")
    assert out[FastText] == out[Text] > 0


def test_glyph_cache_keys_on_font_size_dpi_and_character() -> None:
    _text._GLYPHS.clear()
    _text._raster.cache_clear()
    _render(FastText, text="ab", fontsize=10)
    keys = set(_text._GLYPHS)
    assert {k[3] for k in keys} == {"a", "b"} and {k[1] for k in keys} == {10.0}
    assert {k[2] for k in keys} == {DPI}
    _render(FastText, text="ab", fontsize=20)
    assert {k[1] for k in _text._GLYPHS} == {10.0, 20.0}


def test_raster_width_is_the_sum_of_advances() -> None:
    from matplotlib.font_manager import FontProperties, fontManager

    path = tuple(fontManager._find_fonts_by_props(FontProperties()))
    image, pen, above, pad = _text._raster(path, 12.0, 100.0, "WAVE")
    advances = sum(_text._glyph(path, 12.0, 100.0, c)[3] for c in "WAVE")
    assert pen == pytest.approx(advances)
    assert image.shape[0] >= above > 0 and pad >= 0
    assert 0.8 * pen <= image.shape[1] - pad <= 1.2 * pen
    assert 0.0 <= image.min() and image.max() <= 1.0 and image.max() > 0.9
    blank, pen_blank, above_blank, pad_blank = _text._raster(path, 12.0, 100.0, "  ")
    assert blank.shape == (1, 1) and blank.max() == 0.0
    space = _text._glyph(path, 12.0, 100.0, " ")[3]
    assert space > 0 and pen_blank == pytest.approx(2 * space)
    assert (above_blank, pad_blank) == (0, 0)


def test_line_metrics_follow_the_fonts_typographic_metrics() -> None:
    from matplotlib.font_manager import FontProperties, fontManager, get_font

    path = tuple(fontManager._find_fonts_by_props(FontProperties()))
    table = get_font(path).get_sfnt_table("OS/2")
    scale = 12.0 * 100.0 / 72.0 / get_font(path).units_per_EM
    ascent, descent = table["sTypoAscender"] * scale, -table["sTypoDescender"] * scale
    gap = table["sTypoLineGap"] * scale
    a, d, step = _text._line_metrics(path, 12.0, 100.0, 1.5)
    assert step == pytest.approx(1.5 * (ascent + descent))
    assert a - ascent == pytest.approx(d - descent) == pytest.approx(0.25 * (ascent + descent))
    a, d, step = _text._line_metrics(path, 12.0, 100.0, "normal")
    assert (a, d) == (pytest.approx(ascent + gap / 2), pytest.approx(descent + gap / 2))
    assert step == pytest.approx(ascent + descent + gap)


def test_center_baseline_is_drawn_by_text() -> None:
    kw = {"va": "center_baseline"}
    np.testing.assert_array_equal(_render(FastText, **kw), _render(Text, **kw))


def test_box_top_puts_the_last_baseline_at_y_for_baseline() -> None:
    # two lines, ascent 10, descent 3, step 16: height 29
    assert _text._box_top("top", 100.0, 10.0, 29.0, 16.0, 2) == 100.0
    assert _text._box_top("bottom", 100.0, 10.0, 29.0, 16.0, 2) == 129.0
    assert _text._box_top("center", 100.0, 10.0, 29.0, 16.0, 2) == 114.5
    assert _text._box_top("baseline", 100.0, 10.0, 29.0, 16.0, 2) == 126.0
    assert _text._box_top("baseline", 100.0, 10.0, 13.0, 16.0, 1) == 110.0
    assert _text._box_top("center_baseline", 100.0, 10.0, 29.0, 16.0, 2) is None


@pytest.mark.parametrize(
    "font", [{"fontweight": "bold"}, {"family": "serif"}, {"family": "monospace"}]
)
def test_other_fonts_are_drawn_in_their_own_face(font) -> None:
    # Each face has its own advances: drawn in the default face, the line's length would differ.
    _compare(text="Wide mmm iii 0.125", fontsize=16, **font)


@pytest.mark.parametrize("colour", ["black", "tab:red"])
def test_a_solid_glyph_is_the_text_colour_inside(colour: str) -> None:
    # U+2588 FULL BLOCK covers its pixels fully (coverage 255 of 255): inside it the canvas is
    # exactly the colour (tab:red is #d62728), as Text draws it.
    want = np.round(np.array(matplotlib.colors.to_rgb(colour)) * 255.0)
    ref, fast = _compare(text="\u2588\u2588", fontsize=40, color=colour)
    inside = np.all(ref == want, axis=2)
    assert inside.sum() > 500
    np.testing.assert_array_equal(fast[inside], np.broadcast_to(want, fast[inside].shape))


@pytest.mark.parametrize(
    "edge", [{"y": 1.0, "va": "center"}, {"x": 0.0, "ha": "center"}], ids=["top", "left"]
)
def test_a_glyph_cut_by_an_edge_is_drawn_up_to_the_first_row_or_column(edge) -> None:
    # A full block centred on the top (left) edge: half of it is on the canvas, from row
    # (column) 0.
    kw = {"text": "\u2588", "fontsize": 40, "color": "black", **edge}
    ref, fast = _ink(_render(Text, **kw)), _ink(_render(FastText, **kw))
    if "x" in edge:
        ref, fast = ref.T, fast.T
    inked = ref[0] == 1.0
    assert inked.sum() > 10
    assert np.all(fast[0, inked] == 1.0)


def test_text_just_beyond_an_edge_draws_nothing() -> None:
    # Less than a glyph beyond the edge: the bitmap's overlap with the canvas is empty.
    for x, y, ha, va in [
        (1.01, 0.5, "left", "center"),
        (-0.01, 0.5, "right", "center"),
        (0.5, 1.01, "center", "bottom"),
        (0.5, -0.01, "center", "top"),
    ]:
        assert _ink(_render(FastText, x=x, y=y, ha=ha, va=va, text="away")).max() == 0.0


def test_a_line_above_the_canvas_does_not_stop_the_lines_below() -> None:
    # The first line lies wholly above the top edge; the last one is drawn all the same.
    _compare(y=1.0, va="center", text="above\n\nbelow")


def test_a_drawn_fast_text_is_no_longer_stale() -> None:
    fig = plt.figure(figsize=(2, 1), dpi=DPI)
    try:
        label = fig.add_artist(FastText(0.1, 0.5, "fresh"))
        fig.canvas.draw()
        assert not label.stale and not fig.stale
        label.set_text("changed")
        assert label.stale
    finally:
        plt.close(fig)


def test_agg_drawing_does_not_go_through_text_draw(monkeypatch) -> None:
    # The point of FastText: on an Agg canvas Text.draw (layout, FreeType per glyph) is skipped.
    calls = []
    original = Text.draw
    monkeypatch.setattr(Text, "draw", lambda self, r: calls.append(self) or original(self, r))
    for va in ["top", "center", "bottom", "baseline"]:
        assert _ink(_render(FastText, text="fast path", va=va)).sum() > 50
    assert calls == []
    _render(FastText, text="fast path", rotation=10)  # the fallback does use it
    assert len(calls) == 1


@pytest.mark.parametrize("fontsize", [10, 14, 17.5])
def test_a_single_glyph_is_the_bitmap_text_draws(fontsize: float) -> None:
    # One glyph on its baseline at a whole pixel: no advance, no kerning, no rounding of the
    # pen differs, so FastText's cached bitmap must land pixel for pixel where Text's does.
    for char in "aWg8":
        kw = {"text": char, "fontsize": fontsize, "va": "baseline", "color": "black"}
        np.testing.assert_array_equal(_render(FastText, **kw), _render(Text, **kw), err_msg=char)


def test_cached_glyphs_are_float32_coverage() -> None:
    # The cache holds FreeType's coverage (0..255) as float32 fractions 0..1: half the memory
    # of float64 for the same values (coverage / 255 rounds alike in both).
    from matplotlib.font_manager import FontProperties, fontManager

    path = tuple(fontManager._find_fonts_by_props(FontProperties()))
    image = _text._glyph(path, 13.0, 100.0, "Q")[0]
    assert image.dtype == np.float32
    assert image.min() == 0.0 and image.max() == 1.0


def test_an_advance_is_not_kerned_with_what_might_follow() -> None:
    # "O" kerns with "X" in DejaVu Sans; its advance in the cache is its own hinted advance
    # (FastText draws without kerning), the same whatever text it appears in.
    from matplotlib.backends.backend_agg import get_hinting_flag
    from matplotlib.font_manager import FontProperties, fontManager, get_font

    path = tuple(fontManager._find_fonts_by_props(FontProperties()))
    font = get_font(path)
    font.set_size(12.0, 100.0)
    for char in "O-":
        own = font.load_char(ord(char), get_hinting_flag()).horiAdvance / 64
        assert _text._glyph(path, 12.0, 100.0, char)[3] == own, char


def test_a_carriage_return_advances_by_its_own_glyph() -> None:
    # matplotlib's layout (FT2Font._layout) ends at a carriage return (nothing after it is
    # placed), so the pen after "\r" comes from its glyph's own linear advance; FastText's
    # line goes on after it.
    from matplotlib.backends.backend_agg import get_hinting_flag
    from matplotlib.font_manager import FontProperties, fontManager, get_font

    path = tuple(fontManager._find_fonts_by_props(FontProperties()))
    font = get_font(path)
    font.clear()
    font.set_size(12.0, 100.0)
    (item,) = font._layout("\r\u00a0", flags=get_hinting_flag())
    item.ft_object.set_size(12.0, 100.0)
    linear = item.ft_object.load_glyph(item.glyph_index, get_hinting_flag()).linearHoriAdvance
    assert _text._glyph(path, 12.0, 100.0, "\r")[3] == pytest.approx(linear / 65536, rel=1e-7)
    image, pen, _, _ = _text._raster(path, 12.0, 100.0, "a\rb")
    abc = sum(_text._glyph(path, 12.0, 100.0, c)[3] for c in "a\rb")
    assert pen == pytest.approx(abc) and 10 < pen < 60
