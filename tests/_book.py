"""Shared helpers for the book tests: which notebooks the book holds, and their cells."""

from __future__ import annotations

import importlib.util
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]

_spec = importlib.util.spec_from_file_location("toc_notebooks", ROOT / "tools" / "toc_notebooks.py")
_toc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_toc)

NOTEBOOKS: list[pathlib.Path] = _toc.toc_notebooks()
CHAPTERS: list[pathlib.Path] = _toc.chapter_notebooks()
#: The generated learner notebook of each chapter (book/learner/NN_name_learner.ipynb).
LEARNERS: dict[pathlib.Path, pathlib.Path] = {p: _toc.learner_path(p) for p in CHAPTERS}


def load(path: pathlib.Path) -> dict:
    return json.loads(path.read_text())


def text_of(output: dict) -> str:
    """All text an output shows (stream text, text/plain, text/html)."""
    if output.get("output_type") == "stream":
        return "".join(output.get("text", ""))
    parts = []
    for key in ("text/plain", "text/html"):
        value = output.get("data", {}).get(key, "")
        parts.append("".join(value) if isinstance(value, list) else value)
    return "\n".join(parts)


def source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src
