"""Figures in the built HTML book: numbered per chapter, captioned.

Run after `jupyter-book build .` (the Makefile's `test` target does both).
"""

from __future__ import annotations

import html.parser
import re

import pytest
from test_html import pages  # noqa: F401  (the fixture: every chapter page, parsed)

pytestmark = pytest.mark.html
NUMBER = re.compile(r"Figure (\d+)\.(\d+)")


class Figures(html.parser.HTMLParser):
    """Each content image (src under _images/) with its enclosing <figure>'s caption, if any."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.figure: dict | None = None  # the <figure> being read
        self.in_caption = False
        self.images: list[dict] = []  # {"src", "figure": {"number", "caption"} or None}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "figure":
            self.figure = {"number": "", "caption": "", "images": []}
        elif tag == "figcaption" and self.figure is not None:
            self.in_caption = True
        elif tag == "span" and self.in_caption:
            self.stack.append(attrs.get("class", ""))
        elif tag == "img" and "_images/" in attrs.get("src", ""):
            image = {"src": attrs["src"], "figure": self.figure}
            self.images.append(image)

    def handle_endtag(self, tag):
        if tag == "figure":
            self.figure = None
        elif tag == "figcaption":
            self.in_caption = False
        elif tag == "span" and self.in_caption and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.in_caption or self.figure is None:
            return
        where = self.stack[-1] if self.stack else ""
        if "caption-number" in where:
            self.figure["number"] += data
        elif "caption-text" in where:
            self.figure["caption"] += data


def test_every_image_is_a_numbered_captioned_figure(pages):  # noqa: F811
    numbers: list[tuple[int, int]] = []
    for name, (text, _) in pages.items():
        images = Figures(text).images
        assert images, f"{name}: no figures found"
        for image in images:
            figure = image["figure"]
            assert figure is not None, f"{name}: {image['src']} is not inside a <figure>"
            match = NUMBER.fullmatch(figure["number"].strip())
            assert match, f"{name}: {image['src']}: no 'Figure N.M' number ({figure['number']!r})"
            assert len(figure["caption"].strip()) > 10, f"{name}: {image['src']}: empty caption"
            numbers.append((int(match[1]), int(match[2])))
    assert len(numbers) == len(set(numbers)), f"figure numbers repeat: {numbers}"
    assert numbers == sorted(numbers), f"figure numbers do not increase: {numbers}"
    chapters = sorted({chapter for chapter, _ in numbers})
    for chapter in chapters:
        within = [m for c, m in numbers if c == chapter]
        assert within == list(range(1, len(within) + 1)), f"chapter {chapter}: {within}"


def test_the_figure_test_reads_captions():
    """The parser finds a number and a caption in MyST-NB's figure markup, and none outside."""
    sample = (
        '<figure class="align-default" id="fig-x"><div><img alt="a" src="../_images/a.png"/>'
        '</div><figcaption><p><span class="caption-number">Figure 2.3 </span>'
        '<span class="caption-text">Products <em>shrink</em>.</span><a href="#fig-x">#</a>'
        '</p></figcaption></figure><p><img alt="b" src="../_images/b.png"/></p>'
    )
    first, second = Figures(sample).images
    assert first["figure"]["number"].strip() == "Figure 2.3"
    assert first["figure"]["caption"] == "Products shrink."
    assert second["figure"] is None


FIGURE_LINK = re.compile(r'<a class="reference internal" href="#(fig-[\w-]+)">(?:<[^>]+>)*([^<]*)')
FIGURE_BLOCK = re.compile(
    r'<figure[^>]*id="(fig-[\w-]+)".*?<span class="caption-number">([^<]*)</span>', re.S
)


def test_prose_figure_numbers_match_the_book(pages):  # noqa: F811
    """The prose writes "[Figure 1.3](#fig-label)" (readable in JupyterLab, where numbering is
    not available); the number it writes must be the number the book gives that figure."""
    for name, (text, _) in pages.items():
        numbers = {label: num.strip() for label, num in FIGURE_BLOCK.findall(text)}
        links = [(label, shown) for label, shown in FIGURE_LINK.findall(text) if shown.strip()]
        assert links, f"{name}: the prose refers to no figure by number"
        for label, shown in links:
            assert label in numbers, f"{name}: link to unknown figure {label}"
            assert shown.strip() == numbers[label], (
                f"{name}: the prose says {shown!r} for {label}, the book numbers it "
                f"{numbers[label]!r}"
            )


def test_links_to_sections_of_other_pages_land_on_an_anchor(pages):  # noqa: F811
    """A link to a section of another page (``[text](#maths-chi2)`` in a chapter, which the
    build points at ``maths.ipynb#maths-chi2``; ``glossary.md#term-x``) must reach the
    labelled section or term in the book."""
    from test_html import HTML

    checked = 0
    for name, (text, _) in pages.items():
        for page, anchor in re.findall(r'href="([\w./-]+\.html)#([\w-]+)"', text):
            target = (HTML / "book" / page).resolve()
            assert target.exists(), f"{name}: link to missing page {page}"
            assert f'id="{anchor}"' in target.read_text(), f"{name}: {page}#{anchor} not found"
            checked += 1
    assert checked > 0
