"""The reference pages: the cheat sheet covers gradlab, the glossary is linked from the chapters."""

from __future__ import annotations

import re

import pytest

from _book import CHAPTERS, ROOT, load, source
from gradlab import activations, clipping, initializers

CHEATSHEET = (ROOT / "book" / "cheatsheet.md").read_text()
GLOSSARY = (ROOT / "book" / "glossary.md").read_text()


def glossary_terms() -> list[str]:
    """The terms of the glossary directive: unindented lines inside the ``{glossary}`` fence."""
    body = GLOSSARY.split("```{glossary}", 1)[1].split("```", 1)[0]
    return [line for line in body.splitlines() if line.strip() and not line.startswith(" ")]


def term_anchor(term: str) -> str:
    """Sphinx's id for a glossary term (sphinx.util.nodes.make_id: case kept, spaces to '-')."""
    return "term-" + re.sub(r"[^A-Za-z0-9]+", "-", term).strip("-")


@pytest.mark.parametrize("name", activations.names())
def test_the_cheat_sheet_gives_every_activation(name):
    assert f"`activations.{name}`" in CHEATSHEET


@pytest.mark.parametrize(
    "name", [n for n in initializers.__all__ if n not in ("get", "variance", "names")]
)
def test_the_cheat_sheet_gives_every_initializer(name):
    assert f"`initializers.{name}`" in CHEATSHEET


@pytest.mark.parametrize("name", [n for n in clipping.__all__ if n.startswith("clip_")])
def test_the_cheat_sheet_gives_every_clipping_rule(name):
    assert f"`clipping.{name}`" in CHEATSHEET


def test_every_cheat_sheet_section_links_its_chapter():
    sections = CHEATSHEET.split("\n## ")[1:]
    assert sections
    for section in sections:
        assert re.search(r"\]\(0\d_\w+\.ipynb\)", section), f"no chapter link in {section[:40]!r}"


def test_the_glossary_terms_are_sorted_and_defined():
    terms = glossary_terms()
    assert len(terms) >= 25
    assert [t.lower() for t in terms] == sorted(t.lower() for t in terms)
    assert len(set(terms)) == len(terms)


def test_glossary_links_from_the_chapters_name_real_terms():
    anchors = {term_anchor(t) for t in glossary_terms()}
    linked = set()
    for path in CHAPTERS:
        for cell in load(path)["cells"]:
            if cell["cell_type"] == "markdown":
                # In-notebook links (tools/chapter_terms.py), which the HTML points at glossary.md.
                for anchor in re.findall(r"\]\(#(term-[^)]+)\)", source(cell)):
                    assert anchor in anchors, f"{path.name} links an unknown term #{anchor}"
                    linked.add(anchor)
    assert len(linked) >= len(anchors) // 2, "link each term where it first appears"


def test_the_intro_gives_each_chapter_its_own_estimated_time():
    intro = (ROOT / "book" / "intro.md").read_text()
    for path in CHAPTERS:
        first = "".join(source(c) for c in load(path)["cells"][:2])
        minutes = re.search(r"Estimated time:\*\* (\d+) minutes", first)
        assert minutes, f"{path.name} states no estimated time"
        row = re.search(rf"\]\({path.name}\) \|[^|]*\| (\d+) min \|", intro)
        assert row, f"the intro's chapter table has no row for {path.name}"
        assert row[1] == minutes[1], f"{path.name}: {minutes[1]} min, the intro says {row[1]}"
