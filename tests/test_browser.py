"""Every page of the built book, read in a real browser: headless Chromium, offline, over HTTP.

Run after `jupyter-book build .` (the Makefile's `test` target does both); the fixtures are in
``tests/_browser.py``. Static explorers (``div.gvx-explorer``: native controls, a canvas, inline
JSON) are tested in their own module; here they only have to load as part of a clean page.
"""

from __future__ import annotations

import importlib
import json
import pathlib
import re
import shutil
import sys

import pytest
from _browser import (
    AXE_JS,
    DESKTOP_WIDTH,
    HTML,
    PHONE_WIDTH,
    ROOT,
    Server,
    chapter_pages,
    load,
    new_context,
    toc_pages,
    watch,
)

sys.path.insert(0, str(ROOT / "tools"))
gvx = importlib.import_module("gvx_book")

pytestmark = pytest.mark.html
PAGES = toc_pages()
CHAPTERS = chapter_pages()

#: axe-core violations (critical or serious) that come from the theme and cannot be fixed in
#: this project: rule id -> (CSS selector of the element, upstream reference). Each entry must
#: still occur (a stale entry fails), so the list shrinks when upstream fixes land. Fixed here
#: instead: label-content-name-mismatch on the search buttons and the colour-mode switch
#: (_templates/), region on the sidebar's title link (_templates/navbar-logo.html),
#: aria-required-children on the bibliography (tools/gvx_book.py).
AXE_ALLOWED: dict[str, tuple[str, str]] = {}
#: A file name used as alt text ("figure.png", "output_12_0.png").
FILE_NAME = re.compile(r"^[\w./-]+\.(png|jpe?g|gif|svg|webp)$", re.IGNORECASE)


def test_the_table_of_contents_is_covered():
    assert len(PAGES) >= 6 and len(CHAPTERS) >= 3, PAGES
    for path in PAGES:
        assert (HTML / path).is_file(), f"{path} was not built"


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_and_offline(open_page, path):
    page, log = open_page(path)
    page.wait_for_timeout(300)  # late console errors (deferred scripts)
    assert log.problems() == [], f"{path}:\n" + "\n".join(log.problems())
    assert page.title() and page.locator("main h1").count() >= 1, path


@pytest.mark.parametrize("path", PAGES)
def test_images_load_and_figures_are_captioned(open_page, path):
    page, _ = open_page(path)
    images = page.evaluate(
        """() => [...document.images].map(img => ({
            src: img.getAttribute('src'), alt: img.getAttribute('alt'),
            loaded: img.complete && img.naturalWidth > 0}))"""
    )
    for image in images:
        assert image["loaded"], f"{path}: {image['src']} did not load"
        alt = (image["alt"] or "").strip()
        assert alt and not FILE_NAME.match(alt), f"{path}: {image['src']} has alt {alt!r}"
    figures = page.evaluate(
        """() => [...document.querySelectorAll('main figure')].map(f => {
            const c = f.querySelector('figcaption');
            return {html: f.outerHTML.slice(0, 120), caption: c ? c.innerText.trim() : ''};
        })"""
    )
    for figure in figures:
        assert re.search(r"\w{3}", figure["caption"]), f"{path}: no caption: {figure['html']}"
    if path in CHAPTERS:
        assert images and figures, f"{path}: a chapter without figures"


def _solution_state(page) -> list[bool]:
    """For each solution of the page: is its body shown?"""
    return page.evaluate(
        """() => [...document.querySelectorAll('div.solution.admonition')].map(s => {
            const body = [...s.children].find(c => !c.classList.contains('admonition-title'));
            return !s.classList.contains('toggle-hidden') && !!body && body.offsetHeight > 0;
        })"""
    )


@pytest.mark.parametrize("path", CHAPTERS)
def test_solutions_start_hidden_and_open_from_every_part_of_their_title(open_page, path):
    page, log = open_page(path)
    solutions = page.locator("div.solution.admonition")
    n = solutions.count()
    assert n >= 3, f"{path}: {n} solutions"
    assert _solution_state(page) == [False] * n, f"{path}: a solution is open at first"
    url = page.url
    title = solutions.nth(1).locator(".admonition-title")
    parts = {
        "the title text": lambda: title.click(position={"x": 8, "y": 10}),
        "the Exercise N link": lambda: title.locator("a").first.click(),
        "the toggle button": lambda: title.locator("button.toggle-button").click(),
    }
    assert title.locator("a").count() >= 1, f"{path}: the solution title has no exercise link"
    solutions.nth(0).locator("button.toggle-button").click()  # another one, left open
    expected = [True] + [False] * (n - 1)
    assert _solution_state(page) == expected, path
    for part, click in parts.items():
        click()
        expected[1] = True
        assert _solution_state(page) == expected, f"{path}: {part} did not open only its solution"
        click()
        expected[1] = False
        assert _solution_state(page) == expected, f"{path}: {part} did not close its solution"
    assert page.url == url, f"{path}: a click in a solution title left the page ({page.url})"
    assert log.problems() == [], log.problems()


@pytest.mark.parametrize("path", CHAPTERS)
def test_launch_and_download_buttons(open_page, book, path):
    page, _ = open_page(path)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")
    name = path.rsplit("/", 1)[-1].removesuffix(".html")
    download = page.locator(".dropdown-download-buttons a.btn-download-source-button")
    assert download.count() == 1, f"{path}: no download button"
    target = download.get_attribute("href")
    assert target == f"../_sources/book/{name}.ipynb", target
    status = page.evaluate("async u => (await fetch(u)).status", target)
    assert status == 200, f"{path}: the download button's {target} answers {status}"
    assert json.loads((HTML / "book" / target).resolve().read_text())["cells"]
    placeholders = ("REPLACE-WITH", "YOUR-ORG", "YOUR-USER", "<owner>", "OWNER/NAME")
    for href in hrefs:
        assert not any(p in href for p in placeholders), f"{path}: placeholder link {href}"
    repo = gvx.discover_repository(ROOT)
    launch = page.locator(".dropdown-launch-buttons a, .dropdown-launch-buttons button")
    if repo is None:  # a local clone without a GitHub origin: no launch buttons at all
        assert launch.count() == 0, f"{path}: launch buttons without a repository"
        assert not any("mybinder" in h or "github.com" in h for h in hrefs), path
        return
    binder = repo.binder_url(f"book/{name}.ipynb")
    assert binder in hrefs, f"{path}: no Binder button to {binder}"
    assert page.locator(".dropdown-launch-buttons button.btn-launch-thebe").count() == 1, path


@pytest.mark.parametrize("path", PAGES)
def test_axe_core_finds_no_serious_violation(open_page, path):
    page, _ = open_page(path)
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'critical' || v.impact === 'serious'
                || v.id === 'empty-table-header' || v.id === 'duplicate-id')
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.map(n => n.target.join(' '))}))"""
    )
    found = []
    for v in violations:
        allowed = AXE_ALLOWED.get(v["id"])
        targets = [t for t in v["targets"] if allowed is None or allowed[0] not in t]
        if targets:
            found.append(f"{v['id']} ({v['impact']}): {v['help']}: {targets}")
    assert found == [], f"{path}:\n" + "\n".join(found)


@pytest.mark.parametrize("path", PAGES)
def test_phone_width_no_sideways_page_and_wide_maths_scrolls_with_a_cue(open_page, path):
    page, log = open_page(path, width=PHONE_WIDTH)
    page.wait_for_timeout(200)  # gvx-book.js marks wide maths once its fonts are in
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{path}: the page scrolls sideways at {PHONE_WIDTH} px: {width}"
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('div.math > .katex-display')]
            .filter(b => b.scrollWidth > b.clientWidth + 1)
            .map(b => {const s = getComputedStyle(b); return {
                tex: b.closest('div.math').innerText.slice(0, 60), overflow: s.overflowX,
                cue: b.classList.contains('gvx-more-right') && s.boxShadow !== 'none',
                tab: b.tabIndex, right: b.getBoundingClientRect().right}})"""
    )
    for box in boxes:
        assert box["overflow"] in ("auto", "scroll"), f"{path}: {box}"
        assert box["cue"] and box["tab"] == 0, f"{path}: wide maths without a cue: {box}"
        assert box["right"] <= PHONE_WIDTH, f"{path}: wide maths box past the screen: {box}"
    assert log.problems() == [], log.problems()


def test_the_wide_maths_cue_follows_the_scroll(open_page):
    """A display equation squeezed into a narrow box gets the cue on the side it hides."""
    path = next(p for p in PAGES if "maths" in p)
    page, _ = open_page(path, width=PHONE_WIDTH)
    box = page.locator("div.math > .katex-display").first
    box.evaluate("b => { b.closest('div.math').style.width = '120px'; }")
    page.evaluate("window.dispatchEvent(new Event('resize'))")
    page.wait_for_timeout(400)
    classes = box.evaluate("b => [...b.classList]")
    assert "gvx-more-right" in classes and "gvx-more-left" not in classes, classes
    assert box.evaluate("b => getComputedStyle(b).boxShadow") != "none"
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    page.wait_for_timeout(200)
    classes = box.evaluate("b => [...b.classList]")
    assert "gvx-more-left" in classes and "gvx-more-right" not in classes, classes


def test_live_code_says_when_thebe_cannot_load(browser, tmp_path):
    """Offline, the Live Code button ends on a message, not on "Loading thebe from CDN...".

    A minimal page with the book's real scripts (sphinx-thebe's, the theme's launch function
    as sphinx-book-theme calls it, and gvx-book.js); the CDN request is aborted as offline.
    """
    for name in ("sphinx-thebe.js", "gvx-book.js"):
        shutil.copy(HTML / "_static" / name, tmp_path / name)
    (tmp_path / "index.html").write_text(
        """<!doctype html><html lang="en"><head><title>Live Code</title>
        <script>const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js";
        const thebe_selector = ".cell"; const thebe_selector_input = "pre";
        const thebe_selector_output = ".output";</script>
        <script src="sphinx-thebe.js"></script><script defer src="gvx-book.js"></script>
        </head><body><main><section><h1>Page</h1><p>Text.</p></section>
        <button id="live" onclick="document.querySelector('section h1').insertAdjacentHTML(
          'afterend', '<button class=thebe-launch-button></button>'); initThebe()">Live Code
        </button></main></body></html>"""
    )
    with Server(tmp_path) as server:
        context, log = new_context(browser, server)
        try:
            page = context.new_page()
            watch(page, log, server)
            load(page, server.url("index.html"))
            page.click("#live")
            message = page.locator(".gvx-thebe-failed[role=status]")
            message.wait_for(timeout=10_000)
            assert "Live Code is not available" in message.inner_text()
            assert "Loading thebe" not in page.inner_text("body")
            assert log.off_origin == ["https://unpkg.com/thebe@0.8.2/lib/index.js"]
            assert log.page_errors == [], log.page_errors
        finally:
            context.close()


def test_reference_tables_fit_a_wide_screen_and_label_their_cells_on_a_phone(open_page):
    """The cheat sheet's tables (``gvx-stack``): at 1280 px every column is in view, no table
    scrolls sideways; at phone width each row is a block and every cell but the first names
    its column (the header row is hidden), and no cell is wider than the screen."""
    path = next(p for p in PAGES if "cheatsheet" in p)
    page, log = open_page(path, width=1280)
    page.wait_for_timeout(300)  # late layout (fonts)
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('.gvx-stack table')]
            .map(t => [t.scrollWidth, t.parentElement.clientWidth])"""
    )
    assert len(sizes) >= 6
    for table, box in sizes:
        assert table <= box + 1, f"a reference table overflows its column at 1280 px: {sizes}"
    page, log = open_page(path, width=PHONE_WIDTH)
    page.wait_for_timeout(300)
    cells = page.evaluate(
        """() => [...document.querySelectorAll('.gvx-stack tbody tr')].map(tr =>
            [...tr.cells].map((td, i) => {
                const label = getComputedStyle(td, '::before').content;
                const head = td.closest('table').tHead.rows[0].cells[i].innerText.trim();
                return [i, label, head, td.getBoundingClientRect().right, td.innerText.trim()];
            }))"""
    )
    for row in cells:
        for i, label, head, right, text in row:
            assert right <= PHONE_WIDTH, f"a cell past the screen: {text[:40]!r}"
            if i and text:
                assert label not in ("none", "normal", ""), f"cell {i} of {row[0][4]!r} unlabelled"
                name = label.strip('"')
                # The label is the header's text (maths as plain text).
                assert name.split(" ")[0] == head.split(" ")[0] or head.startswith("gradlab"), (
                    name,
                    head,
                )
    assert log.problems() == [], log.problems()


@pytest.mark.parametrize("path", CHAPTERS)
def test_wide_maths_in_an_opened_solution_gets_the_cue(open_page, path):
    """Display maths inside a solution has no size while the solution is closed; once it is
    opened at phone width, a box that hides maths must carry the scroll cue and be focusable."""
    page, log = open_page(path, width=PHONE_WIDTH)
    page.wait_for_timeout(200)
    buttons = page.locator("div.solution.admonition button.toggle-button")
    for k in range(buttons.count()):
        buttons.nth(k).click()
    page.wait_for_timeout(400)
    boxes = page.evaluate(
        """() => [...document.querySelectorAll(
                'div.solution div.math > .katex-display')]
            .map(b => ({wide: b.scrollWidth > b.clientWidth + 1, tab: b.tabIndex,
                        cue: b.classList.contains('gvx-more-right'),
                        tex: b.closest('div.math').innerText.slice(0, 40)}))"""
    )
    for box in boxes:
        if box["wide"]:
            assert box["cue"] and box["tab"] == 0, f"{path}: {box}"
    assert log.problems() == [], log.problems()


def test_back_to_top_does_not_cover_text_on_a_phone(open_page):
    path = CHAPTERS[0]
    page, _ = open_page(path, width=PHONE_WIDTH)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    page.wait_for_timeout(300)
    shown = page.evaluate(
        """() => { const b = document.querySelector('#pst-back-to-top');
                   return b ? getComputedStyle(b).display : 'absent'; }"""
    )
    assert shown in ("none", "absent"), shown
    page, _ = open_page(path, width=1280)  # on a wide screen the button stays
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    page.wait_for_timeout(300)
    assert page.evaluate("!!document.querySelector('#pst-back-to-top')")


def test_the_sticky_header_is_opaque_without_javascript(book, browser):
    path = CHAPTERS[0]
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(f"{book.origin}/{path}", wait_until="load")
        colour = page.evaluate(
            "getComputedStyle(document.querySelector('.bd-header')).backgroundColor"
        )
    finally:
        context.close()
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), colour


def test_the_theme_keeps_its_colours_without_javascript(book, browser):
    """Without JavaScript the page is in the theme's light mode (tools/gvx_book.py writes
    data-theme="light"; the theme's script, when it runs, sets the reader's mode first)."""
    path = CHAPTERS[0]
    looks = {}
    for javascript in (False, True):
        context = browser.new_context(
            viewport={"width": 1280, "height": 900},
            java_script_enabled=javascript,
            color_scheme="light",
        )
        try:
            page = context.new_page()
            page.goto(f"{book.origin}/{path}", wait_until="load")
            looks[javascript] = page.evaluate(
                """() => ({theme: document.documentElement.dataset.theme,
                    primary: getComputedStyle(document.documentElement)
                        .getPropertyValue('--pst-color-primary').trim(),
                    keyword: getComputedStyle(document.querySelector('div.highlight .kn, '
                        + 'div.highlight .k')).color})"""
            )
        finally:
            context.close()
    assert looks[False]["theme"] == "light" and looks[False]["primary"], looks
    assert looks[False] == {**looks[True], "theme": "light"}, looks  # as with the script


@pytest.mark.parametrize("path", [CHAPTERS[0], next(p for p in PAGES if "glossary" in p)])
def test_one_search_box_in_view(open_page, path):
    """On a wide screen one search box is in view, the sidebar's (the theme's header repeated
    it above, half hiding it). A phone has a search icon in the article header instead."""
    width = 1280
    page, _ = open_page(path, width=width)
    visible = page.evaluate(
        """() => [...document.querySelectorAll('button.search-button-field')]
            .filter(b => { const r = b.getBoundingClientRect();
                           return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < 900; })
            .length"""
    )
    assert visible == 1, f"{visible} search boxes in view at {width} px"


@pytest.mark.parametrize("path", PAGES)
def test_inline_maths_is_never_cut_off_on_a_phone(open_page, path):
    """Every inline formula fits its block and the screen, or scrolls in its own box (none
    needs to today: a formula too long for a phone belongs in display maths)."""
    page, _ = open_page(path, width=PHONE_WIDTH)
    page.wait_for_timeout(200)
    cut = page.evaluate(
        """() => [...document.querySelectorAll('span.math > .katex')]
            .filter(m => m.offsetParent !== null)
            .filter(m => { const r = m.getBoundingClientRect();
                           const s = getComputedStyle(m);
                           const scrolls = ['auto', 'scroll'].includes(s.overflowX);
                           const block = m.parentElement.closest('p, li, dd, td, div');
                           // A scrolling box around it, up to its table cell, list item or
                           // section (a stacked cheat-sheet cell scrolls on its own).
                           const limit = m.closest('td, li, dd, section');
                           let inScroller = false;
                           for (let a = m.parentElement; a && a !== limit.parentElement;
                                a = a.parentElement) {
                               if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX))
                                   inScroller = true;
                           }
                           const box = block.getBoundingClientRect();
                           return r.right > Math.min(box.right, window.innerWidth) + 1
                               && !scrolls && !inScroller; })
            .map(m => m.textContent.slice(0, 40))"""
    )
    assert cut == [], f"{path}: inline maths cut off at {PHONE_WIDTH} px: {cut[:3]}"


@pytest.mark.parametrize("path", CHAPTERS)
def test_figures_and_explorers_run_edge_to_edge_on_a_phone(open_page, path):
    """Figures and explorer views are drawn 600 CSS px wide with text that is >= 9 px once
    shown ``plotting.PHONE_CONTENT_WIDTH`` wide (tests/test_figures.py). On a 390 px phone the
    page must show every one of them that wide, inside the screen, with no sideways scroll:
    squeezed into the 342 px content column, 11 pt text was 8.7 px."""
    from gradlab import plotting

    page, _ = open_page(path, width=PHONE_WIDTH)
    shown = page.evaluate(
        """() => [...document.querySelectorAll(
                'main figure > a.image-reference > img, main figure .gvx-view')]
            .map(e => { const r = e.getBoundingClientRect();
                        return {id: e.closest('figure').id, left: r.left, right: r.right,
                                width: r.width}; })"""
    )
    chapter = pathlib.Path(path).stem[:2].lstrip("0")
    figures = [k for k, v in plotting.FIGURE_NUMBERS.items() if v.split(".")[0] == chapter]
    assert sorted(s["id"] for s in shown) == sorted(figures), path
    want = min(600, plotting.PHONE_CONTENT_WIDTH)
    for s in shown:
        assert s["width"] >= want - 0.5, f"{path}: {s} is narrower than {want} px"
        assert s["left"] >= -0.5 and s["right"] <= PHONE_WIDTH + 0.5, f"{path}: {s} off screen"
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{path}: the page scrolls sideways: {width}"


# --- maths, rendered when the book is built -----------------------------------------------------

#: A script that would typeset maths in the reader's browser.
MATHS_SCRIPT = re.compile(r"mathjax|katex", re.IGNORECASE)
#: Most bytes of shared assets (theme, scripts, styles, fonts: ``_static/``, the search index,
#: the favicon) one page may load on a first visit, fresh cache.
SHARED_MAX_BYTES = int(0.8 * 2**20)
SHARED = ("/_static/", "/searchindex.js", "/favicon")


@pytest.mark.parametrize("path", PAGES)
def test_no_maths_script_and_no_formula_in_the_tab_order(book, browser, path):
    """No page requests or runs a maths script, and pressing Tab through the whole page never
    stops on a formula; a wide display formula's scrolling box is a stop only while it hides
    maths (the keyboard must be able to scroll it), never the formula inside it."""
    context, log = new_context(browser, book)
    try:
        page = context.new_page()
        watch(page, log, book)
        scripts = []
        page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else 0)
        load(page, book.url(path))
        page.wait_for_timeout(300)
        assert [u for u in scripts if MATHS_SCRIPT.search(u)] == [], path
        assert page.evaluate("!window.MathJax && !window.katex"), path
        formulas = page.locator(".katex").count()
        assert formulas > 0 or "references" in path, f"{path}: no formula"
        stops = []
        for _ in range(1000):  # Tab until focus comes back to the first stop
            page.keyboard.press("Tab")
            stop = page.evaluate(
                """() => { const e = document.activeElement;
                    if (!e || e === document.body) return null;
                    if (!e.dataset.gvxTab) e.dataset.gvxTab = String(Math.random());
                    return {id: e.dataset.gvxTab, inFormula: !!e.closest('.katex'),
                            box: e.matches('.katex-display'),
                            scrolls: e.scrollWidth > e.clientWidth + 1,
                            html: e.outerHTML.slice(0, 80)}; }"""
            )
            if stop is None:
                continue
            if stops and stop["id"] == stops[0]["id"]:
                break
            stops.append(stop)
        assert len(stops) >= 10, f"{path}: {len(stops)} Tab stops"
        assert [s["html"] for s in stops if s["inFormula"]] == [], (
            f"{path}: a formula is a Tab stop"
        )
        for s in stops:
            assert not s["box"] or s["scrolls"], f"{path}: a maths box that does not scroll: {s}"
        assert log.problems() == [], log.problems()
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_every_formula_reads_without_javascript(book, browser, path):
    """With JavaScript off, every formula of the article shows as typeset maths in KaTeX's
    fonts (no TeX source), and every formula carries MathML for screen readers."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        load(page, book.url(path))
        result = page.evaluate(
            """() => {
                const formulas = [...document.querySelectorAll('.katex')];
                const bad = formulas.filter((k) => {
                    const seen = k.querySelector(':scope > .katex-html');
                    const math = k.querySelector(':scope > .katex-mathml > math');
                    const box = seen && seen.getBoundingClientRect();
                    const tex = math && math.querySelector('annotation[encoding*="x-tex"]');
                    // The article shows every formula; the navigation may fold some away
                    // (the page's collapsed table of contents, its print-only copy).
                    const shown = !k.closest('article') || (box.width > 0 && box.height > 0);
                    return !seen || !shown || !tex
                        || seen.getAttribute('aria-hidden') !== 'true'
                        || !getComputedStyle(k).fontFamily.includes('KaTeX_Main')
                        || math.closest('[aria-hidden="true"]');
                }).map((k) => k.textContent.slice(0, 60));
                const loaded = [...document.fonts]
                    .filter((f) => f.family.includes('KaTeX') && f.status === 'loaded').length;
                const main = document.querySelector('main').cloneNode(true);
                main.querySelectorAll('.katex-mathml').forEach((m) => m.remove());
                return {n: formulas.length, bad, loaded, text: main.textContent};
            }"""
        )
    finally:
        context.close()
    if "references" not in path:
        assert result["n"] > 0 and result["loaded"] > 0, (
            f"{path}: {result['n']}, {result['loaded']}"
        )
    assert result["bad"] == [], f"{path}: formulas that do not read: {result['bad'][:3]}"
    for raw in ("\\(", "\\[", "$$", "\\frac", "\\begin{"):
        assert raw not in result["text"], f"{path}: raw TeX {raw!r} without JavaScript"


@pytest.mark.parametrize("path", PAGES)
def test_a_pages_shared_assets_weigh_at_most_0_8_mib(book, browser, path):
    """First visit, fresh cache: the shared assets a page loads (the theme's styles, scripts and
    fonts, KaTeX's style sheet and the fonts its maths uses, the search index) stay small."""
    context, log = new_context(browser, book)
    try:
        page = context.new_page()
        done = []
        page.on("requestfinished", lambda request: done.append(request))
        load(page, book.url(path))
        page.wait_for_timeout(500)  # late requests (fonts, lazy images)
        sizes = {
            r.url.removeprefix(book.origin): r.sizes()["responseBodySize"]
            for r in done
            if r.url.removeprefix(book.origin).startswith(SHARED)
        }
    finally:
        context.close()
    total = sum(sizes.values())
    assert any(u.startswith("/_static/styles/") for u in sizes), sorted(sizes)
    biggest = sorted(sizes.items(), key=lambda kv: -kv[1])[:5]
    assert total <= SHARED_MAX_BYTES, f"{path}: {total / 2**20:.2f} MiB shared: {biggest}"
    assert log.off_origin == [], log.off_origin


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_maths_takes_the_texts_colour_in_either_mode(book, browser, scheme):
    """Every formula is drawn in the colour of the text around it (KaTeX inherits it: a
    caption's, a link's), so it reads in dark mode as well as the text does."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    try:
        page = context.new_page()
        load(page, book.url(CHAPTERS[0]))
        colours = page.evaluate(
            """() => ({mode: document.documentElement.dataset.theme,
                text: getComputedStyle(document.querySelector('main p')).color,
                n: document.querySelectorAll('.katex-html').length,
                odd: [...document.querySelectorAll('.katex-html')]
                    .map((k) => [getComputedStyle(k).color, getComputedStyle(
                        k.closest('span.math, div.math').parentElement).color,
                        k.parentElement.textContent.slice(0, 40)])
                    .filter(([maths, around]) => maths !== around)})"""
        )
    finally:
        context.close()
    assert colours["mode"] == scheme and colours["n"] > 100, colours
    assert colours["odd"] == [], colours["odd"][:3]
    red, green, blue = map(int, re.findall(r"\d+", colours["text"])[:3])
    light_text = (red + green + blue) / 3 > 128
    assert light_text == (scheme == "dark"), colours["text"]


@pytest.mark.parametrize(
    "path", [p for p in CHAPTERS if p.endswith(("04_initialization.html", "06_capstone.html"))]
)
def test_a_table_wider_than_a_phone_scrolls_with_a_cue(open_page, path):
    """Chapter 4's framework tables and Chapter 6's results tables are wider than a phone:
    each scrolls in its own box, which the keyboard reaches, and fades out on the side that
    hides columns until it is scrolled to its end."""
    page, log = open_page(path, width=PHONE_WIDTH)
    page.wait_for_timeout(300)
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('main table')].map(t => {
                let a = t.parentElement;
                while (a && !['auto', 'scroll'].includes(getComputedStyle(a).overflowX))
                    a = a.parentElement;
                return a; })
            .filter(a => a && a.scrollWidth > a.clientWidth + 1)
            .map(a => ({cue: a.classList.contains('gvx-more-right'),
                        mask: getComputedStyle(a).maskImage || getComputedStyle(a).webkitMaskImage,
                        tab: a.tabIndex}))"""
    )
    assert boxes, f"{path}: no table is wider than the phone (the test would prove nothing)"
    for box in boxes:
        assert box["cue"] and "gradient" in box["mask"] and box["tab"] == 0, f"{path}: {box}"
    ends = page.evaluate(
        """async () => { const out = [];
            for (const t of document.querySelectorAll('main table')) {
                let a = t.parentElement;
                while (a && !['auto', 'scroll'].includes(getComputedStyle(a).overflowX))
                    a = a.parentElement;
                if (!a || a.scrollWidth <= a.clientWidth + 1) continue;
                a.scrollLeft = a.scrollWidth;
                await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                out.push(a.classList.contains('gvx-more-right')); }
            return out; }"""
    )
    assert ends and not any(ends), f"{path}: the cue stays at the table's end"
    assert log.problems() == [], log.problems()


def test_an_opened_solution_shows_its_output_without_the_jupyterlab_fold(open_page):
    """In JupyterLab a worked solution's output sits in a closed "Show this solution's output"
    element (gradlab's %solution); in the book the solution's dropdown already hides it, so
    once the dropdown is open the output shows at once, with no second fold to open."""
    page, log = open_page(CHAPTERS[4], width=DESKTOP_WIDTH)
    title = page.locator(".admonition.toggle > .admonition-title").nth(1)
    title.scroll_into_view_if_needed()
    title.click()
    page.wait_for_timeout(400)
    state = title.evaluate(
        """t => { const sol = t.parentElement;
            const fold = sol.querySelector('details.gvx-solution-output');
            const summary = fold && fold.querySelector('summary');
            const pre = fold && fold.querySelector('pre');
            return {fold: !!fold, open: fold && fold.open,
                    summary: summary && getComputedStyle(summary).display,
                    answer: pre ? pre.getBoundingClientRect().height : 0,
                    text: pre ? pre.innerText : ''}; }"""
    )
    assert state["fold"] and state["open"] and state["summary"] == "none", state
    assert state["answer"] > 0 and "angle in degrees" in state["text"], state
    assert log.problems() == [], log.problems()
