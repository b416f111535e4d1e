"""The built HTML book, as a reader of the static pages meets it.

Run after `jupyter-book build .` (the Makefile's `test` target does both).
"""

from __future__ import annotations

import html.parser
import importlib
import json
import pathlib
import re
import sys

import pytest

from _book import CHAPTERS, ROOT, load, source

# The book's Sphinx extension, imported the way Jupyter Book loads it (tools/ on the path).
sys.path.insert(0, str(ROOT / "tools"))
gvx = importlib.import_module("gvx_book")

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
        # ... nor the notebook's widget state, which no script on the static page reads.
        assert "widget-state+json" not in text, name


def test_explorers_say_how_their_controls_work(pages):
    for name, (text, page) in pages.items():
        alts = [a.get("alt", "") for a in page.find("img")]
        assert any(t.startswith("Interactive explorer") for t in alts), name
        assert "computed when the book was built" in text, name
        assert "static page shows the default" not in text, name


def test_exercises_and_folded_solutions(pages):
    for name, (text, page) in pages.items():
        assert len(page.find("div", **{"class": "exercise"})) >= 3, name
        solutions = page.find("details") or page.find("div", **{"class": "solution"})
        assert len(solutions) >= 3, f"{name}: solutions missing"
        assert "dropdown" in text
        # The starters' "not attempted" outputs became the page's answer forms (or, for code,
        # a note on where to do it); the solutions still show the checker's "correct".
        assert text.count("gradlab-not-attempted") == 0
        assert text.count('class="gvx-check"') + text.count("gvx-code-exercise") >= 3
        assert text.count("gradlab-correct") >= 3


def links(page: Page) -> list[dict[str, str]]:
    return page.find("a")


def test_no_placeholder_anywhere():
    """No built page or script links to a placeholder or to someone else's repository."""
    placeholders = ("REPLACE-WITH", "YOUR-ORG", "YOUR-USER", "<owner>", "OWNER/NAME")
    foreign = ("executablebooks/jupyter-book", "binder-examples/")  # the stack's defaults
    files = [p for p in HTML.rglob("*") if p.suffix in (".html", ".js")]
    assert len(files) > 10
    for path in files:
        text = path.read_text(errors="replace")
        for word in placeholders + foreign:
            assert word not in text, f"{path.relative_to(HTML)} contains {word!r}"


def test_repository_and_launch_buttons_point_to_the_repository(pages):
    """Buttons open the repository the book was built from, or are absent when it is unknown.

    The repository is found the way the build finds it (`tools/gvx_book.py`), so run this in
    the environment that built the book (as `make test` does).
    """
    repo = gvx.discover_repository(ROOT)
    for name, (text, page) in pages.items():
        hrefs = [a.get("href", "") for a in links(page)]
        outside = [h for h in hrefs if "github.com" in h or "binder" in h]
        download = f"../_sources/book/{name}.ipynb"  # the download button stays either way
        assert download in hrefs and (HTML / "book" / download).resolve().is_file(), name
        if repo is None:
            assert outside == [], f"{name}: links to a repository that is not known: {outside}"
            for marker in (
                "launch-buttons",
                "launch-thebe",
                "x-thebe-config",
                "source-repository-button",
                "source-issues-button",
            ):
                assert marker not in text, f"{name}: {marker} without a repository"
            continue
        page_path = f"book/{name}.ipynb"
        assert repo.binder_url(page_path) in hrefs, f"{name}: no Binder button into JupyterLab"
        assert "launch-thebe" in text and f'repo: "{repo.owner}/{repo.name}"' in text, name
        assert repo.url in hrefs, f"{name}: no repository button"
        for href in outside:
            assert href.startswith((repo.url, f"https://mybinder.org/v2/gh/{repo.owner}/")), href


def test_chapters_link_a_downloadable_learner_notebook(pages):
    repo = gvx.discover_repository(ROOT)
    for name, (_, page) in pages.items():
        learner = f"{name}_learner.ipynb"
        downloads = [a for a in page.find("a", **{"class": "download"}) if learner in a["href"]]
        assert downloads, f"{name}: no download link to {learner}"
        for a in downloads:
            built = (HTML / "book" / a["href"]).resolve()
            assert built.is_file() and built.is_relative_to(HTML.resolve()), (
                f"{name}: {a['href']} missing"
            )
            assert json.loads(built.read_text())["cells"], built
        binder = [a["href"] for a in page.find("a", **{"class": "gvx-binder-link"})]
        if repo is None:
            assert binder == [], name
        else:
            assert binder == [repo.binder_url(f"book/learner/{learner}")], name


def test_citations_link_to_the_bibliography(pages):
    bibliography = Page((HTML / "book" / "references.html").read_text())
    # docutils' role="doc-biblioentry" becomes "listitem" (tools/gvx_book.py; axe-core)
    entries = {a["id"] for a in bibliography.find("div", role="listitem")}
    assert entries
    entry_text = (HTML / "book" / "references.html").read_text()
    for name, (text, page) in pages.items():
        # Both link forms (references.bib#key, and #ref-key within a notebook), in page order;
        # the notebook-only "Terms and sources" cell (remove-cell) is not in the page.
        cited = [
            key
            for cell in load(ROOT / "book" / f"{name}.ipynb")["cells"]
            if cell["cell_type"] == "markdown"
            and "remove-cell" not in cell["metadata"].get("tags", [])
            for key in re.findall(r"\]\(gvx-cite:([^)]+)\)", gvx.html_links(source(cell)))
        ]
        anchors = page.find("a", **{"class": "gvx-citation"})
        label_of = dict(
            re.findall(r'class="gvx-citation[^"]*" href="([^"]+)"[^>]*>([^<]+)</a>', text)
        )
        assert len(anchors) == len(cited) > 0, f"{name}: {len(anchors)} links, {len(cited)} cites"
        for key, a in zip(cited, anchors, strict=True):
            target, _, anchor = a["href"].partition("#")
            assert target == "references.html" and anchor in entries, (name, key, a["href"])
            # the entry it links to is the one its author-year text names
            block = entry_text.split(f'id="{anchor}"', 1)[1].split("</div>", 1)[0]
            label = label_of[a["href"]]
            # "He et al., 2016a": a letter tells two works of one author and year apart
            surname, year = label.split()[0].strip(","), re.search(r"(\d{4})[a-z]?$", label)[1]
            assert surname in block and f"{year}." in block, (key, label, block)
        for raw in ("Citation Not Found", "{cite", "gvx-cite:", "references.bib#", "](references"):
            assert raw not in text, f"{name}: {raw!r} on the page"


def test_maths_is_rendered_when_the_book_is_built_and_served_locally(pages):
    """Every formula is in the page as KaTeX's HTML (seen) and MathML with its TeX (read by
    screen readers); no page loads a maths script; KaTeX's style sheet and fonts come from the
    book itself, so maths renders offline and without JavaScript."""
    for name, (text, page) in pages.items():
        assert "{cite}" not in text and "Unknown" not in text, name
        scripts = re.findall(r"<script\b[^>]*>.*?</script>", text, re.S)
        assert not [s for s in scripts if re.search(r"mathjax|katex", s, re.I)], name
        formulas = len(re.findall(r'<(?:span|div) class="(?:amsmath )?math notranslate', text))
        assert formulas >= 20, f"{name}: {formulas} formulas"
        for part in (
            r'<span class="katex">',
            r'<math xmlns="http://www\.w3\.org/1998/Math/MathML"',
            r'<annotation encoding="application/x-tex">',
            # the rendering seen, hidden from screen readers (which read the MathML)
            r'<span (?=[^>]*\bclass="katex-html")(?=[^>]*\baria-hidden="true")[^>]*>',
        ):
            count = len(re.findall(part, text))
            assert count == formulas, f"{name}: {count} x {part} for {formulas} formulas"
        # No TeX left for a script to typeset (the TeX is only in the MathML's annotation).
        prose = re.sub(r"<annotation\b.*?</annotation>", "", text, flags=re.S)
        for raw in ("\\(", "\\[", "$$", "\\frac", "\\begin{"):
            assert raw not in _visible_text(prose), f"{name}: raw TeX {raw!r} in the page"
        sheets = [a["href"] for a in page.find("link", rel="stylesheet") if "katex" in a["href"]]
        assert len(sheets) == 1 and sheets[0].startswith("../_static/katex/katex.min.css"), sheets
    assert not (HTML / "_static" / "mathjax").exists()
    css = (HTML / "_static" / "katex" / "katex.min.css").read_text()
    fonts = re.findall(r"url\(([^)]+)\)", css)
    assert len(fonts) >= 10 and all(f.startswith("fonts/") and f.endswith(".woff2") for f in fonts)
    for font in fonts:
        assert (HTML / "_static" / "katex" / font).is_file(), font


def _visible_text(page_html: str) -> str:
    """The page's text with tags removed and entities decoded, white space folded."""
    import html as html_lib

    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.split())


def test_the_book_publishes_the_committed_outputs(pages):
    # The build must not execute notebooks (execute_notebooks: "off"): every line that a
    # committed, nbval-tested notebook prints is on its page, as committed. A build that
    # re-ran a chapter on the build machine would print other numbers for its stored or
    # round-off results (tools/cpu_profile.py explains why).
    config = (ROOT / "_config.yml").read_text()
    assert re.search(r'execute_notebooks:\s*"?off"?', config), "the build must not execute"
    checked = 0
    for path in CHAPTERS:
        shown = _visible_text(pages[path.stem][0])
        for i, cell in enumerate(load(path)["cells"]):
            for out in cell.get("outputs", []):
                if out.get("output_type") != "stream":
                    continue
                for line in "".join(out["text"]).splitlines():
                    line = " ".join(line.split())
                    if line:
                        assert line in shown, f"{path.name} cell {i}: {line!r} is not on its page"
                        checked += 1
    assert checked > 100, f"only {checked} printed lines found: are the notebooks executed?"


def test_every_id_is_unique_on_its_page():
    """An id names one element (HTML, section 3.2.6): sphinx-exercise repeats its bodies' ids,
    which tools/gvx_book.py renames."""
    for path in sorted(HTML.rglob("*.html")):
        if "_static" in path.parts or "_sources" in path.parts:
            continue
        ids = re.findall(r'\sid="([^"]+)"', path.read_text(encoding="utf-8"))
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        assert not repeated, f"{path.relative_to(HTML)}: repeated ids {repeated[:5]}"


def test_unique_ids_renames_only_the_repeats():
    html = '<div id="exercise-content">a</div><p id="x"></p><div id="exercise-content">b</div>'
    html += '<div id="solution-content"></div><div id="exercise-content"></div>'
    out = gvx.unique_ids(html)
    assert out.count('id="exercise-content"') == 1 and 'id="exercise-content-3"' in out
    assert 'id="solution-content"' in out and 'id="x"' in out
    with pytest.raises(TypeError, match="html"):
        gvx.unique_ids(None)


def test_solution_titles_link_without_a_leading_space(pages):
    html = '<p class="admonition-title">Solution to<a class="reference internal" href="#x"> Ex'
    assert gvx.solution_titles(html) == (
        '<p class="admonition-title">Solution to <a class="reference internal" href="#x">Ex'
    )
    for name, (text, _) in pages.items():
        assert "Solution to<a" not in text and "#ch" in text, name
        assert re.search(
            r'Solution to <a class="reference internal" href="#ch[^"]*">Exercise', text
        )


def test_stack_labels_copy_each_headers_words_into_its_cells():
    table = (
        '<div class="gvx-stack docutils container"><table><thead><tr><th><p>Activation</p></th>'
        '<th><p>Function <span class="math notranslate">\\(\\phi(z)\\)</span></p></th>'
        '<th><p><code><span class="pre">gradlab</span></code></p></th></tr></thead>'
        "<tbody><tr><td><p>relu</p></td><td><p>x</p></td><td><p>y</p></td></tr>"
        '<tr class="row-odd"><td>tanh</td><td>a &amp; b</td><td></td></tr></tbody></table></div>'
    )
    out = gvx.stack_labels(table + "<table><tr><td>other</td></tr></table>")
    assert out.count('<td data-label="Activation">') == 2
    assert out.count('<td data-label="Function">') == 2 and 'data-label="gradlab"' in out
    assert "<table><tr><td>other</td></tr></table>" in out  # only gvx-stack tables
    with pytest.raises(TypeError, match="html"):
        gvx.stack_labels(None)


def test_every_icon_the_pages_use_keeps_its_rule_and_glyph():
    """The build keeps, of Font Awesome's 1,800 icons, those the pages use: each icon class on
    a page that the theme's style sheet defines is still defined, and its glyph is in the
    (subset) webfonts; the style sheet and the solid font shrank."""
    import pydata_sphinx_theme
    from fontTools.ttLib import TTFont

    theme = pathlib.Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    sheet = "styles/pydata-sphinx-theme.css"
    original = (theme / "static" / sheet).read_text()
    built = (HTML / "_static" / sheet).read_text()
    rule = re.compile(r'((?:\.fa-[a-z0-9-]+:before,?)+)\{content:"\\([0-9a-f]+)"\}')

    def icons(css: str) -> dict[str, int]:
        return {
            s.split(":")[0][1:]: int(code, 16)
            for selectors, code in rule.findall(css)
            for s in selectors.split(",")
        }

    defined, kept = icons(original), icons(built)
    assert len(defined) > 1500 and 5 <= len(kept) < 100, (len(defined), len(kept))
    used = set()
    for page in HTML.rglob("*.html"):
        for classes in re.findall(r'class="([^"]*\bfa-[^"]*)"', page.read_text()):
            used |= {c for c in classes.split() if c in defined}
    assert {"fa-bars", "fa-magnifying-glass", "fa-download"} <= used, used
    assert used <= set(kept), used - set(kept)
    glyphs = set()
    for font in (HTML / "_static" / gvx.FA_FONTS).glob("*.woff2"):
        glyphs |= set(TTFont(font).getBestCmap() or {})
    assert {kept[name] for name in used} <= glyphs
    solid = HTML / "_static" / gvx.FA_FONTS / "fa-solid-900.woff2"
    assert solid.stat().st_size < (theme / "static" / gvx.FA_FONTS / solid.name).stat().st_size / 10
    assert len(built) < len(original) - 50_000


def test_sphinx_design_assets_only_on_pages_that_use_it():
    for page in sorted(HTML.rglob("*.html")):
        text = page.read_text()
        uses = re.search(r'class="(?:[^"]*\s)?sd-', text) is not None
        for asset in gvx.SPHINX_DESIGN_ASSETS:
            assert (asset in text) == uses, f"{page.relative_to(HTML)}: {asset}"
