"""Browser helpers for the static explorers: serve the built book, drive Chromium, compare views.

Used by ``tests/test_static_explorers_html.py`` and ``benchmarks/bench_static_explorers.py``.
The server and Chromium are those of :mod:`_browser` (Debian's Chromium, never downloaded);
every request that leaves the server is aborted.
"""

from __future__ import annotations

import contextlib
import io
import pathlib
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
from _browser import HTML, Server, launch

from _book import CHAPTERS, ROOT, load

SPEC_MIME = "application/vnd.gradlab.explorer+json"


@contextlib.contextmanager
def serve(root: pathlib.Path = HTML) -> Iterator[str]:
    """Serve ``root`` on a free port (:class:`_browser.Server`); yield its base URL."""
    with Server(root) as server:
        yield server.origin


@contextlib.contextmanager
def browser(scale: float = 1.0) -> Iterator[Any]:
    """A headless Chromium page at ``scale`` device pixels per CSS pixel, offline.

    Chromium and its flags are :mod:`_browser`'s; requests off 127.0.0.1 are aborted.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch(p)
        try:
            context = chromium.new_context(
                viewport={"width": 1400, "height": 1000}, device_scale_factor=scale
            )
            context.route(
                re.compile(r"^(?!http://127\.0\.0\.1[:/]).*"), lambda route: route.abort()
            )
            yield context.new_page()
        finally:
            chromium.close()


def explorer_pages() -> list[tuple[str, list[dict[str, Any]]]]:
    """Each chapter's page path and the explorer specs its notebook carries, in order."""
    out = []
    for path in CHAPTERS:
        specs = [
            out_["data"][SPEC_MIME]
            for cell in load(path)["cells"]
            if cell["cell_type"] == "code"
            for out_ in cell.get("outputs", [])
            if SPEC_MIME in out_.get("data", {})
        ]
        out.append((str(path.relative_to(ROOT).with_suffix(".html")), specs))
    return out


def open_page(page: Any, url: str) -> list[Any]:
    """Load ``url`` and wait until every static explorer on it has drawn; return the roots."""
    page.goto(url, wait_until="load")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.gvx-explorer')]"
        ".every(e => e.classList.contains('gvx-ready'))",
        timeout=30_000,
    )
    page.evaluate("() => document.fonts.ready")
    return page.query_selector_all(".gvx-explorer")


def state(root: Any) -> dict[str, Any]:
    """The root's view index, the view's aria-label and each control's shown value."""
    return root.evaluate(
        """r => ({
            view: r.getAttribute('data-view'),
            label: r.querySelector('[role=img]').getAttribute('aria-label'),
            outputs: [...r.querySelectorAll('output')].map(o => o.value),
            inputs: [...r.querySelectorAll('[data-gvx-control]:not(output)')].map(i => i.value),
        })"""
    )


def set_indices(root: Any, indices: list[int]) -> None:
    """Set every control to a grid index and fire one ``input`` event per control."""
    root.evaluate(
        """(r, idx) => {
            const inputs = [...r.querySelectorAll('[data-gvx-control]:not(output)')];
            inputs.forEach((el, i) => {
                el.value = String(idx[i]);
                el.dispatchEvent(new Event('input', {bubbles: true}));
            });
        }""",
        indices,
    )


def composite(root: Any) -> bytes:
    """The view as the reader sees it: the background PNG with the explorer's canvas over it.

    Composed in the page at the canvas's device-pixel size (an element screenshot would also
    resample the page's fractional CSS offset, which is not the explorer's doing).
    """
    import base64

    url = root.evaluate(
        """async r => {
            const canvas = r.querySelector('canvas.gvx-canvas');
            const image = new Image();
            image.src = r.dataset.background;
            await image.decode();
            const out = document.createElement('canvas');
            out.width = canvas.width;
            out.height = canvas.height;
            const ctx = out.getContext('2d');
            ctx.fillStyle = '#ffffff';
            ctx.fillRect(0, 0, out.width, out.height);
            ctx.drawImage(image, 0, 0, out.width, out.height);
            ctx.drawImage(canvas, 0, 0);
            return out.toDataURL('image/png');
        }"""
    )
    return base64.b64decode(url.split(",", 1)[1])


def png_array(data: bytes) -> np.ndarray:
    """RGB pixels (0-255 floats) of a PNG."""
    from matplotlib import image

    rgba = image.imread(io.BytesIO(data), format="png")
    return np.asarray(rgba[..., :3], dtype=float) * 255.0


def compare(a: np.ndarray, b: np.ndarray, tile: int = 24) -> tuple[float, float]:
    """Mean absolute difference (0-255) and the worst ``tile`` x ``tile`` region's mean.

    Each pixel of ``a`` is compared with the closest of ``b``'s pixels within one device pixel
    (3 x 3 shifts): glyphs and antialiased edges placed a sub-pixel apart do not count, a line
    or a label two pixels off (or another number) still does.
    """
    if a.shape != b.shape:
        raise ValueError(f"sizes differ: {a.shape} vs {b.shape}")
    padded = np.pad(b, ((1, 1), (1, 1), (0, 0)), mode="edge")
    h, w = a.shape[:2]
    diff = np.full((h, w), np.inf)
    for dy in range(3):
        for dx in range(3):
            shifted = padded[dy : dy + h, dx : dx + w]
            np.minimum(diff, np.abs(a - shifted).mean(axis=2), out=diff)
    rows, cols = h // tile, w // tile
    tiles = diff[: rows * tile, : cols * tile].reshape(rows, tile, cols, tile).mean(axis=(1, 3))
    return float(diff.mean()), float(tiles.max())


def live_reference(spec: dict[str, Any], values: dict[str, Any], scale: float) -> np.ndarray:
    """The live explorer's view at ``values`` (blitted, as ``update`` returns it), ``scale`` x.

    The background is drawn as usual (it is the page's background PNG, pixel for pixel). The
    moving labels are drawn without hinting: FreeType's hinting rounds each glyph's advance to
    whole device pixels, which at 200 dpi makes a line of text 2.8 % wider than at the
    display's 100 dpi (252 against 245 CSS px for "slope -0.0458 decades per layer"), while the
    browser, like matplotlib at 100 dpi, is within 0.6 % of the linear advances (246.5 px).
    """
    from matplotlib import rc_context

    from gradlab.explore import _text, static
    from gradlab.plotting import DISPLAY_DPI

    cls = type(static.from_spec(spec))
    hi_dpi = type(cls.__name__, (cls,), {"dpi": DISPLAY_DPI * scale})
    explorer = hi_dpi(**spec["kwargs"])
    explorer.render()  # the background, hinted like the page's background PNG
    explorer.set_values(**values)
    cached = dict(_text._GLYPHS)
    try:
        _text._GLYPHS.clear()
        _text._raster.cache_clear()
        with rc_context({"text.hinting": "no_hinting"}):
            png = explorer.render()
    finally:
        _text._GLYPHS.clear()
        _text._GLYPHS.update(cached)
        _text._raster.cache_clear()
    return png_array(png)
