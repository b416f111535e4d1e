"""Print the notebooks listed in _toc.yml, one per line (used by the Makefile and tests).

Usage: python tools/toc_notebooks.py [--learner]
(``--learner``: the generated learner notebooks of the chapters instead, see
``tools/make_learner_notebooks.py``)
"""

from __future__ import annotations

import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
LEARNER_DIR = ROOT / "book" / "learner"
_CHAPTER = re.compile(r"\d\d_.+\.ipynb")


def toc_notebooks() -> list[pathlib.Path]:
    """Every ``.ipynb`` listed in ``_toc.yml``, in book order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return [ROOT / f"{f}.ipynb" for f in files if (ROOT / f"{f}.ipynb").exists()]


def chapter_notebooks() -> list[pathlib.Path]:
    """The chapters: notebooks of ``_toc.yml`` named ``NN_*.ipynb``, in book order."""
    return [p for p in toc_notebooks() if _CHAPTER.fullmatch(p.name)]


def learner_path(chapter: pathlib.Path) -> pathlib.Path:
    """Where the learner version of ``chapter`` lives: ``book/learner/NN_name_learner.ipynb``."""
    return LEARNER_DIR / f"{chapter.stem}_learner.ipynb"


def learner_notebooks() -> list[pathlib.Path]:
    """The learner notebook of every chapter, in book order (whether generated yet or not)."""
    return [learner_path(p) for p in chapter_notebooks()]


if __name__ == "__main__":
    paths = learner_notebooks() if sys.argv[1:] == ["--learner"] else toc_notebooks()
    for path in paths:
        print(path.relative_to(ROOT))
