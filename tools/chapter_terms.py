"""Glossary terms and citations that land on their entry in JupyterLab, too.

Usage: python tools/chapter_terms.py [--check]   (default: rewrite the notebooks in place)

In JupyterLab a link to another file cannot land on an entry: ``glossary.md#term-x`` opens
the glossary's raw source at line 1, ``references.bib#key`` the BibTeX file at line 1 (the
Markdown renderer there, jupyterlab-myst, ignores a link's ``#fragment``). A link *within* a
notebook does land. So every notebook of the book (chapters and the maths page) writes

* a glossary term as ``[dead ReLUs](#term-dead-ReLU)`` and
* a citation as ``[He et al., 2015](#ref-he2015delving)``,

and ends with one generated Markdown cell, **Terms and sources in this notebook**, that holds
the entry of each term it links (copied from ``book/glossary.md``) and of each work it cites
(formatted from ``book/references.bib`` in the bibliography's style), each under the MyST
target that the links point to. The cell is tagged ``remove-cell``: the HTML book leaves it
out, and ``tools/gvx_book.py`` points the same links at the glossary page and the
bibliography, as before. A link still written the old way (``glossary.md#term-x``,
``references.bib#key``) is rewritten by this script.

``--check`` changes nothing and fails if a notebook is not as this script would write it
(``tests/test_book.py`` runs it).
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
HEADING = "## Terms and sources in this notebook"

_OLD_TERM = re.compile(r"\]\((?:[\w./-]*/)?glossary\.md#(term-[\w-]+)\)")
_OLD_CITE = re.compile(r"\]\((?:[\w./-]*/)?references\.bib#([^\s()\"#]+)\)")
TERM_LINK = re.compile(r"\]\(#(term-[\w-]+)\)")
CITE_LINK = re.compile(r"\]\(#ref-([^\s()\"#]+)\)")


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
    term_ids: list[str], keys: list[str], glossary: dict, bib: dict, where: str
) -> str:
    """The Markdown of the generated cell for these term ids and citation keys."""
    parts = [
        HEADING,
        "",
        "The glossary entries and works this notebook links to, so that a link lands here in "
        "JupyterLab (the HTML book links the glossary page and the bibliography instead). "
        "Scroll back up, or use the table of contents on the left, to return.",
    ]
    for ident in term_ids:
        found = glossary.get(_norm(ident))
        if found is None:
            raise SystemExit(f"{where}: link to {ident!r}, which is not a term of {GLOSSARY.name}")
        term, definition = found
        definition = _OLD_CITE.sub(lambda m: f"](#ref-{m.group(1)})", definition)
        parts += ["", f"({ident})=", f"**{term}**: {definition}"]
    for key in keys:
        if key not in bib:
            raise SystemExit(f"{where}: citation of {key!r}, which is not in {BIBLIOGRAPHY.name}")
        parts += ["", f"(ref-{key})=", bib[key]]
    return "\n".join(parts)


def rewrite(nb: dict, where: str, glossary: dict, bib: dict) -> dict:
    """``nb`` with in-notebook term and citation links and its generated last cell."""
    cells = [c for c in nb["cells"] if c.get("id") != CELL_ID]
    term_ids: list[str] = []
    keys: list[str] = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        text = _source(cell)
        new = _OLD_TERM.sub(lambda m: f"](#{m.group(1)})", text)
        new = _OLD_CITE.sub(lambda m: f"](#ref-{m.group(1)})", new)
        if new != text:
            cell["source"] = new.splitlines(keepends=True)
        term_ids += TERM_LINK.findall(new)
        keys += CITE_LINK.findall(new)
    # A term's definition may cite a work: that work's entry is included too.
    for ident in term_ids:
        keys += _OLD_CITE.findall(glossary.get(_norm(ident), ("", ""))[1])
    if term_ids or keys:
        term_ids = sorted(set(term_ids), key=str.lower)
        keys = sorted(set(keys))
        cell = nbformat.v4.new_markdown_cell(
            terms_cell_source(term_ids, keys, glossary, bib, where)
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
    glossary, bib = glossary_entries(), bibliography_entries()
    stale = []
    for path in toc_notebooks():
        text = path.read_text(encoding="utf-8")
        nb = rewrite(json.loads(text), path.name, glossary, bib)
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
