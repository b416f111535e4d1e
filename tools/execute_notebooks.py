"""Re-execute the book's notebooks in place, deterministically.

Usage: python tools/execute_notebooks.py [NOTEBOOK ...]   (default: every notebook in _toc.yml)

* Runs every cell top to bottom in a fresh kernel (the one named in the notebook).
* Drops per-cell timing metadata, so re-running unchanged code changes no byte.
* Drops the live-widget view from outputs that also carry a picture (the explorers): a saved
  notebook has no widget state, so JupyterLab would show "model not found" where the picture
  of the default view can show instead. Running the cell brings the live sliders back.
* Copies each figure's alt text (``gradlab/alt`` in the PNG output's metadata, set by
  ``gradlab.plotting.show`` and the explorers) into the cell's ``mystnb.image.alt``, which
  MyST-NB puts on the ``<img>`` of the HTML book.
"""

from __future__ import annotations

import pathlib
import sys

import nbformat
from nbclient import NotebookClient

from gradlab.plotting import ALT_KEY

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from toc_notebooks import toc_notebooks  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


def sync_alt_text(nb: nbformat.NotebookNode) -> None:
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        alts = [
            out.get("metadata", {}).get("image/png", {}).get(ALT_KEY)
            for out in cell.get("outputs", [])
            if "image/png" in out.get("data", {})
        ]
        alts = [a for a in alts if a]
        mystnb = cell.metadata.get("mystnb", {})
        image = mystnb.get("image", {})
        if alts:
            image["alt"] = " ".join(alts)
            mystnb["image"] = image
            cell.metadata["mystnb"] = mystnb
        elif "alt" in image:
            del image["alt"]


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def drop_dead_widget_views(outputs: list) -> list:
    """Remove widget views that have a picture to fall back on."""
    for out in outputs:
        data = out.get("data", {})
        if WIDGET_VIEW in data and "image/png" in data:
            del data[WIDGET_VIEW]
    return outputs


def coalesce_streams(outputs: list) -> list:
    """Merge consecutive stdout (or stderr) chunks: how a print was flushed is noise."""
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            out.get("output_type") == "stream"
            and prev is not None
            and prev.get("output_type") == "stream"
            and prev.get("name") == out.get("name")
        ):
            prev["text"] += out["text"]
        else:
            merged.append(out)
    return merged


def execute(path: pathlib.Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        store_widget_state=False,
    )
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = drop_dead_widget_views(coalesce_streams(cell.outputs))
    sync_alt_text(nb)
    nbformat.write(nb, path)
    print(f"executed {path.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    paths = [pathlib.Path(a).resolve() for a in argv] or toc_notebooks()
    for path in paths:
        execute(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
