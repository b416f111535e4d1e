"""Term and citation links land on their entry in JupyterLab (tools/chapter_terms.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from _book import NOTEBOOKS, ROOT, load, source

sys.path.insert(0, str(ROOT / "tools"))
import chapter_terms as ct  # noqa: E402


def test_every_notebook_is_as_the_tool_writes_it():
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "chapter_terms.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_term_and_citation_link_lands_in_the_notebook(path):
    cells = load(path)["cells"]
    prose = "".join(source(c) for c in cells if c["cell_type"] == "markdown")
    assert not ct._OLD_TERM.search(prose), "a glossary link still opens glossary.md"
    assert not ct._OLD_CITE.search(prose.replace(source(cells[-1]), "")), "a .bib link"
    if path.name != "maths.ipynb":
        assert not ct._OLD_MATHS.search(prose), "a link that opens the maths page at its top"
    targets: set[str] = set()
    last = cells[-1]
    if last.get("id") == ct.CELL_ID:
        assert last["metadata"]["tags"] == ["remove-cell"]
        text = source(last)
        assert text.startswith(ct.HEADING + "\n")
        labels = [line[1:-2] for line in text.splitlines() if line.endswith(")=")]
        assert len(labels) == len(set(labels)), "an entry is there twice"
        targets = set(labels)
    linked = (
        set(ct.TERM_LINK.findall(prose))
        | {f"ref-{k}" for k in ct.CITE_LINK.findall(prose)}
        | set(ct.MATHS_LINK.findall(prose))
        | set(ct.FIGURE_LINK.findall(prose))
    )
    assert linked <= targets  # every link has its entry
    assert {t for t in targets if t.startswith(("term-", "maths-", "fig-"))} <= linked


def test_rewrite_makes_links_local_and_collects_their_entries():
    glossary = {
        "term-dead-relu": (
            "dead ReLU",
            "A unit that is always off ([Lu et al.](references.bib#lu)).",
        ),
        "term-gain": ("gain", "A factor."),
    }
    bib = {"lu": "Lu. Dying ReLU. 2019.", "he": "He. Rectifiers. 2015.", "ba": "Ba. LN. 2016."}
    nb = {
        "cells": [
            {
                "cell_type": "markdown",
                "id": "a",
                "metadata": {},
                "source": [
                    "See [dead ReLUs](glossary.md#term-dead-ReLU) and [He](references.bib#he), "
                    "[He again](references.bib#he)."
                ],
            },
            {
                "cell_type": "code",
                "id": "b",
                "metadata": {},
                "source": "x = '](#term-gain)'",
                "outputs": [],
                "execution_count": None,
            },
        ]
    }
    maths = {"maths-svd": ("Singular values", "Every matrix maps a sphere to an ellipsoid.")}
    nb["cells"][0]["source"].append(" And [SVD](maths.ipynb#maths-svd).")
    out = ct.rewrite(json.loads(json.dumps(nb)), "t.ipynb", glossary, bib, maths)
    assert source(out["cells"][0]) == (
        "See [dead ReLUs](#term-dead-ReLU) and [He](#ref-he), [He again](#ref-he)."
        " And [SVD](#maths-svd)."
    )
    last = out["cells"][-1]
    assert last["id"] == ct.CELL_ID and last["metadata"] == {"tags": ["remove-cell"]}
    text = source(last)
    assert (
        "(term-dead-ReLU)=\n**dead ReLU**: A unit that is always off ([Lu et al.](#ref-lu))."
        in text
    )
    # cited twice, listed once, under the text of the first link that cites it
    assert text.count("(ref-he)=\n**He.** He. Rectifiers. 2015.") == 1
    assert "(ref-lu)=\nLu. Dying ReLU. 2019." in text  # cited by a definition
    assert "term-gain" not in text and "ref-ba" not in text  # code cells do not count
    assert "(maths-svd)=\n**Singular values** (from [Maths you will meet](maths.ipynb)" in text
    assert text.endswith("Lu. Dying ReLU. 2019.")  # terms, then maths, then works
    assert text.index("(term-") < text.index("(maths-svd)=") < text.index("(ref-")
    again = ct.rewrite(json.loads(json.dumps(out)), "t.ipynb", glossary, bib, maths)
    assert again == out  # idempotent
    nb["cells"][0]["source"] = ["[x](#maths-nope)"]
    with pytest.raises(SystemExit, match="maths-nope"):
        ct.rewrite(nb, "t.ipynb", glossary, bib, maths)
    nb["cells"][0]["source"] = ["[x](#term-nope)"]
    with pytest.raises(SystemExit, match="term-nope"):
        ct.rewrite(nb, "t.ipynb", glossary, bib)
    nb["cells"][0]["source"] = ["[x](#ref-nope)"]
    with pytest.raises(SystemExit, match="nope"):
        ct.rewrite(nb, "t.ipynb", glossary, bib)


def test_the_glossary_and_bibliography_parse():
    glossary = ct.glossary_entries()
    assert len(glossary) >= 30
    assert glossary["term-dead-relu"][0] == "dead ReLU"
    assert "Chapter" in glossary["term-dead-relu"][1]
    maths = ct.maths_entries()
    assert maths["maths-chi2"][0] == "The chi-square distribution"
    assert maths["maths-jensen"][1].count("$$") == 2  # "...the average:" and its formula
    bib = ct.bibliography_entries()
    assert "he2015delving" in bib and "Kaiming He" in bib["he2015delving"]
    # Markdown escapes only where Markdown needs them (clip\\_grad: an underscore), not "\\.".
    assert not re.search(r"\\[.\-():,']", "".join(bib.values()))


def test_a_linked_figure_gets_its_number_and_caption_as_a_target():
    fig_cell = {
        "cell_type": "code",
        "id": "f",
        "metadata": {"mystnb": {"figure": {"name": "fig-symmetry", "caption": "Spread."}}},
        "source": "",
        "outputs": [],
        "execution_count": None,
    }
    nb = {
        "cells": [
            {"cell_type": "markdown", "id": "a", "metadata": {}, "source": "[F](#fig-symmetry)"},
            fig_cell,
        ]
    }
    out = ct.rewrite(json.loads(json.dumps(nb)), "t.ipynb", {}, {}, {})
    assert "(fig-symmetry)=\n**Figure 4.3** (above): Spread." in source(out["cells"][-1])
    nb["cells"][0]["source"] = "[F](#fig-missing)"
    with pytest.raises(SystemExit, match="fig-missing"):
        ct.rewrite(nb, "t.ipynb", {}, {}, {})
