"""The built HTML book, as a reader of the static pages meets it.

Run after `jupyter-book build .` (the Makefile's `test` target does both).
"""

from __future__ import annotations

import html.parser

import pytest

from _book import CHAPTERS, ROOT

pytestmark = pytest.mark.html
HTML = ROOT / "_build" / "html"


class Page(html.parser.HTMLParser):
    """Collects the tags and attributes of a page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def find(self, tag: str, **attr_contains: str) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.tags
            if t == tag and all(v in a.get(k, "") for k, v in attr_contains.items())
        ]


@pytest.fixture(scope="module")
def pages() -> dict[str, tuple[str, Page]]:
    if not (HTML / "index.html").exists():
        pytest.fail("_build/html is missing: run `jupyter-book build .` first (make test does)")
    out = {}
    for path in CHAPTERS:
        page = HTML / path.relative_to(ROOT).with_suffix(".html")
        assert page.exists(), f"{page} was not built"
        text = page.read_text()
        out[path.stem] = (text, Page(text))
    return out


def test_every_image_has_alt_text(pages):
    for name, (_, page) in pages.items():
        images = [a for a in page.find("img") if "_images/" in a.get("src", "")]
        assert images, f"{name}: no figures found"
        for attrs in images:
            assert len(attrs.get("alt", "")) > 40, f"{name}: image {attrs['src']} lacks alt text"


def test_no_dead_widgets(pages):
    for name, (text, page) in pages.items():
        # No widget view is rendered (it would be an empty box without a kernel) ...
        assert "application/vnd.jupyter.widget-view+json" not in text, name
        assert not page.find("div", **{"class": "jupyter-widgets"}), name
        # ... and no widget manager is fetched from a CDN (the pages work offline).
        scripts = " ".join(a.get("src", "") for a in page.find("script"))
        assert "unpkg.com" not in scripts and "html-manager" not in scripts, name
        assert "require.min.js" not in scripts, name


def test_explorers_show_their_default_view(pages):
    for name, (text, page) in pages.items():
        alts = [a.get("alt", "") for a in page.find("img")]
        assert any(t.startswith("Interactive explorer") for t in alts), name
        assert "Sliders are live" in text


def test_exercises_and_folded_solutions(pages):
    for name, (text, page) in pages.items():
        assert len(page.find("div", **{"class": "exercise"})) >= 3, name
        solutions = page.find("details") or page.find("div", **{"class": "solution"})
        assert len(solutions) >= 3, f"{name}: solutions missing"
        assert "dropdown" in text
        assert text.count("gradlab-not-attempted") >= 3
        assert text.count("gradlab-correct") >= 3


def test_launch_buttons(pages):
    for name, (text, _) in pages.items():
        assert "mybinder.org" in text, f"{name}: no Binder launch button"
        assert "thebe" in text.lower(), f"{name}: no Live Code button"
        assert "lab/tree" in text or "urlpath=lab" in text or "lab%2Ftree" in text, (
            f"{name}: Binder should open JupyterLab"
        )


def test_math_and_citations_render(pages):
    for name, (text, page) in pages.items():
        assert "math notranslate" in text, f"{name}: no maths on the page"
        assert "{cite}" not in text and "Unknown" not in text, name
        # MathJax comes from the book itself, so maths renders offline too.
        sources = [a["src"] for a in page.find("script") if "mathjax" in a.get("src", "").lower()]
        assert sources and all(s.startswith("../_static/mathjax/") for s in sources), sources
    assert (HTML / "_static" / "mathjax" / "tex-chtml.js").exists()
