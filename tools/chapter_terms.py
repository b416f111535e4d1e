"""Glossary terms and citations that land on their entry in JupyterLab, too.

Usage: python tools/chapter_terms.py [--check]   (default: rewrite the notebooks in place)

In JupyterLab a link to another file cannot land on an entry: ``glossary.md#term-x`` opens
the glossary's raw source at line 1, ``references.bib#key`` the BibTeX file at line 1 (the
Markdown renderer there, jupyterlab-myst, ignores a link's ``#fragment``). A link *within* a
notebook does land. So every notebook of the book (chapters and the maths page) writes

* a glossary term as ``[dead ReLUs](#term-dead-ReLU)``,
* a citation as ``[He et al., 2015](#ref-he2015delving)``, and
* a section of the maths page as ``[the chi-square distribution](#maths-chi2)``,

and ends with one generated Markdown cell, **Terms, maths and sources in this notebook**, that
holds the number and caption of each figure the prose links (a target for JupyterLab's MyST
renderer, which otherwise logs an error for every ``[Figure 1.2](#fig-x)`` link and shows no
preview; the click still lands on the figure), the entry of each term it links (copied from
``book/glossary.md``), the opening of each maths section (from ``book/maths.ipynb``, with a link
to the page) and each work it cites (formatted from ``book/references.bib`` in the
bibliography's style), each under the MyST target that the links point to. The cell is tagged
``remove-cell``: the HTML book leaves it out, and ``tools/gvx_book.py`` points the same links at
the glossary page, the maths page and the bibliography, as before. A link still written the old
way (``glossary.md#term-x``, ``references.bib#key``, ``maths.ipynb#maths-x``) is rewritten by
this script.

``--check`` changes nothing and fails if a notebook is not as this script would write it
(``tests/test_chapter_terms.py`` runs it).
"""

from __future__ import annotations

import argparse
import json
import re
import sys

import nbformat
from pybtex.backends.markdown import Backend
from pybtex.database import parse_file
from pybtex.style.formatting.plain import Style
from toc_notebooks import ROOT, toc_notebooks

GLOSSARY = ROOT / "book" / "glossary.md"
BIBLIOGRAPHY = ROOT / "book" / "references.bib"
#: The generated cell's id and tag.
CELL_ID = "terms-and-sources"
REMOVE_TAG = "remove-cell"
HEADING = "## Terms, maths and sources in this notebook"

_OLD_TERM = re.compile(r"\]\((?:[\w./-]*/)?glossary\.md#(term-[\w-]+)\)")
_OLD_CITE = re.compile(r"\]\((?:[\w./-]*/)?references\.bib#([^\s()\"#]+)\)")
_OLD_MATHS = re.compile(r"\]\((?:[\w./-]*/)?maths\.ipynb#(maths-[\w-]+)\)")
MATHS = ROOT / "book" / "maths.ipynb"
TERM_LINK = re.compile(r"\]\(#(term-[\w-]+)\)")
CITE_LINK = re.compile(r"\]\(#ref-([^\s()\"#]+)\)")
MATHS_LINK = re.compile(r"\]\(#(maths-[\w-]+)\)")
FIGURE_LINK = re.compile(r"\]\(#(fig-[\w-]+)\)")


def _norm(ident: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", ident.lower()).strip("-")


def glossary_entries() -> dict[str, tuple[str, str]]:
    """Normalised term id -> (term, definition as one paragraph of Markdown)."""
    text = GLOSSARY.read_text(encoding="utf-8")
    block = re.search(r"^```\{glossary\}\n(.*?)^```", text, re.S | re.M)
    if block is None:
        raise SystemExit(f"{GLOSSARY}: no ```{{glossary}} block")
    entries: dict[str, tuple[str, str]] = {}
    term, lines = None, []
    for line in block.group(1).splitlines() + [""]:
        if line and not line[0].isspace():
            if term:
                entries[_norm("term-" + term)] = (term, " ".join(lines))
            term, lines = line.strip(), []
        elif line.strip():
            lines.append(line.strip())
    if term:
        entries[_norm("term-" + term)] = (term, " ".join(lines))
    return entries


def maths_entries() -> dict[str, tuple[str, str]]:
    """Label -> (title, opening) of each labelled section of the maths page: its first
    paragraph (and the next block too when that paragraph ends with a colon)."""
    entries: dict[str, tuple[str, str]] = {}
    for cell in json.loads(MATHS.read_text(encoding="utf-8"))["cells"]:
        text = _source(cell)
        for m in re.finditer(r"^\((maths-[\w-]+)\)=\n#+ (.*)\n", text, re.M):
            blocks = [b.strip() for b in text[m.end() :].strip().split("\n\n") if b.strip()]
            opening = blocks[:1]
            if blocks and blocks[0].endswith(":") and len(blocks) > 1:
                opening = blocks[:2]
            entries[m.group(1)] = (m.group(2).strip(), "\n\n".join(opening))
    return entries


def bibliography_entries() -> dict[str, str]:
    """BibTeX key -> the formatted reference (Markdown), in the book's ``plain`` style."""
    data = parse_file(str(BIBLIOGRAPHY))
    backend = Backend()
    out = {}
    for entry in Style().format_entries(data.entries.values()):
        text = entry.text.render(backend)
        text = re.sub(r"\\([.\-():,'])", r"\1", text)  # the backend escapes more than needed
        out[entry.key] = " ".join(text.split())
    return out


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def terms_cell_source(
    term_ids: list[str],
    keys: list[str],
    glossary: dict,
    bib: dict,
    where: str,
    maths_ids: tuple[str, ...] = (),
    maths: dict | None = None,
    figures: tuple[tuple[str, str, str], ...] = (),
    cited_as: dict[str, str] | None = None,
) -> str:
    """The Markdown of the generated cell for these term ids and citation keys."""
    parts = [
        HEADING,
        "",
        "The figures, glossary entries, maths and works this notebook links to, so that a "
        "link lands here in JupyterLab (a figure's link lands on the figure itself; the HTML "
        "book links the glossary, the maths page and the bibliography instead). Hover over a "
        "link to preview its entry; scroll back up, or use the table of contents on the left, "
        "to return.",
    ]
    for label, number, caption in figures:
        parts += ["", f"({label})=", f"**Figure {number}** (above): {caption}"]
    for ident in term_ids:
        found = glossary.get(_norm(ident))
        if found is None:
            raise SystemExit(f"{where}: link to {ident!r}, which is not a term of {GLOSSARY.name}")
        term, definition = found
        definition = _OLD_CITE.sub(lambda m: f"](#ref-{m.group(1)})", definition)
        if maths is not None:
            definition = _OLD_MATHS.sub(lambda m: f"](#{m.group(1)})", definition)
        parts += ["", f"({ident})=", f"**{term}**: {definition}"]
    for ident in maths_ids:
        if maths is None or ident not in maths:
            raise SystemExit(f"{where}: link to {ident!r}, which is not a section of {MATHS.name}")
        title, opening = maths[ident]
        parts += [
            "",
            f"({ident})=",
            f"**{title}** (from [Maths you will meet](maths.ipynb), where code checks it): "
            + opening,
        ]
    for key in keys:
        if key not in bib:
            raise SystemExit(f"{where}: citation of {key!r}, which is not in {BIBLIOGRAPHY.name}")
        label = (cited_as or {}).get(key)
        entry = f"**{label}.** {bib[key]}" if label else bib[key]
        parts += ["", f"(ref-{key})=", entry]
    return "\n".join(parts)


def _figures(cells: list, where: str, linked: set[str]) -> tuple[tuple[str, str, str], ...]:
    """(label, number, caption) of each figure the prose links, in the notebook's order.

    JupyterLab's MyST renderer resolves a ``[Figure 1.2](#fig-x)`` link only against targets
    in Markdown cells, and the figure's own target is in its output: without a target here it
    logs "No target for internal reference" on every render. The click still lands on the
    figure, the first element with that id in the page.
    """
    from gradlab.plotting import FIGURE_NUMBERS

    found = []
    for cell in cells:
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        if figure.get("name") in linked and figure.get("caption"):
            label = figure["name"]
            if label not in FIGURE_NUMBERS:
                raise SystemExit(f"{where}: figure {label!r} is not in plotting.FIGURE_NUMBERS")
            found.append((label, FIGURE_NUMBERS[label], figure["caption"]))
    missing = linked - {f[0] for f in found}
    if missing:
        raise SystemExit(f"{where}: links to figures it does not have: {sorted(missing)}")
    return tuple(found)


#: A citation link with its text: ``[Hochreiter, 1991](#ref-hochreiter1991untersuchungen)``.
_CITATION = re.compile(r"\[([^\[\]]+)\]\(#ref-([^\s()\"#]+)\)")


def cited_as(cells: list) -> dict[str, str]:
    """Key -> the text of the first link that cites it ("Hochreiter, 1991"): the entry in the
    last cell starts with it, so the reader who clicked sees what they clicked."""
    found: dict[str, str] = {}
    for cell in cells:
        if cell["cell_type"] == "markdown" and cell.get("id") != CELL_ID:
            for text, key in _CITATION.findall(_source(cell)):
                found.setdefault(key, " ".join(text.split()))
    return found


def rewrite(nb: dict, where: str, glossary: dict, bib: dict, maths: dict | None = None) -> dict:
    """``nb`` with in-notebook term and citation links and its generated last cell."""
    cells = [c for c in nb["cells"] if c.get("id") != CELL_ID]
    term_ids: list[str] = []
    keys: list[str] = []
    maths_ids: list[str] = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        text = _source(cell)
        new = _OLD_TERM.sub(lambda m: f"](#{m.group(1)})", text)
        new = _OLD_CITE.sub(lambda m: f"](#ref-{m.group(1)})", new)
        if maths is not None:
            new = _OLD_MATHS.sub(lambda m: f"](#{m.group(1)})", new)
        if new != text:
            cell["source"] = new.splitlines(keepends=True)
        term_ids += TERM_LINK.findall(new)
        keys += CITE_LINK.findall(new)
        maths_ids += MATHS_LINK.findall(new)
    # A term's definition may cite a work or a maths section: its entry is included too.
    for ident in term_ids:
        definition = glossary.get(_norm(ident), ("", ""))[1]
        keys += _OLD_CITE.findall(definition)
        if maths is not None:
            maths_ids += _OLD_MATHS.findall(definition)
    figures = _figures(
        cells,
        where,
        {
            t
            for c in cells
            for t in FIGURE_LINK.findall(_source(c) if c["cell_type"] == "markdown" else "")
        },
    )
    if term_ids or keys or maths_ids or figures:
        term_ids = sorted(set(term_ids), key=str.lower)
        keys = sorted(set(keys))
        in_order = tuple(dict.fromkeys(maths_ids))
        cell = nbformat.v4.new_markdown_cell(
            terms_cell_source(
                term_ids, keys, glossary, bib, where, in_order, maths, figures, cited_as(cells)
            )
        )
        cell["id"] = CELL_ID
        cell["metadata"] = {"tags": [REMOVE_TAG]}
        cell["source"] = cell["source"].splitlines(keepends=True)
        cells.append(dict(cell))
    nb["cells"] = cells
    return nb


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; fail if stale")
    args = parser.parse_args(argv)
    glossary, bib, maths = glossary_entries(), bibliography_entries(), maths_entries()
    stale = []
    for path in toc_notebooks():
        text = path.read_text(encoding="utf-8")
        # The maths page's own sections are where its links land already.
        page_maths = None if path == MATHS else maths
        nb = rewrite(json.loads(text), path.name, glossary, bib, page_maths)
        new = json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        if new != text:
            stale.append(path.name)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    if args.check and stale:
        print(
            "not up to date (run python tools/chapter_terms.py): " + ", ".join(stale),
            file=sys.stderr,
        )
        return 1
    for name in stale:
        print(f"rewrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
