"""Print the notebooks listed in _toc.yml, one per line (used by the Makefile and tests)."""

from __future__ import annotations

import pathlib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]


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


if __name__ == "__main__":
    for path in toc_notebooks():
        print(path.relative_to(ROOT))
