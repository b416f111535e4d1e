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
* Copies each figure's caption (``gradlab/caption`` in the same metadata) into the cell's
  ``mystnb.figure.caption``: MyST-NB then wraps the output in a numbered ``<figure>`` with that
  ``<figcaption>`` ("Figure 1.2: ..."). The figure's label, for ``{numref}`fig-...` ``, is the
  cell's ``mystnb.figure.name``, which the author sets; a captioned figure without one gets the
  stable name ``fig-<notebook>-<cell id>`` (printed, so the author can replace it with a
  meaningful one). A cell may show at most one captioned figure (MyST-NB would give every
  output of the cell the same label).
* Folds the solutions for JupyterLab: every cell of a solution (its ``{solution-start}``
  markdown, the ``exercise-solution`` code, the ``{solution-end}`` marker) gets
  ``"jupyter": {"source_hidden": true}``, and solution code cells also ``"outputs_hidden": true``
  and ``"collapsed": true`` (JupyterLab 4.5 folds a code cell's outputs from ``collapsed``; it
  ignores ``outputs_hidden``, which nbformat documents, so both are set). A ``{solution-end}``
  cell that also carries the next exercise is split in two first, so that only the marker is
  folded and no empty box shows. MyST-NB and nbval ignore these keys.

``make execute`` runs this, then ``tools/make_learner_notebooks.py`` (the learner notebooks are
derived from the executed chapters).
"""

from __future__ import annotations

import pathlib
import sys

import nbformat
from nbclient import NotebookClient

from gradlab.plotting import ALT_KEY, CAPTION_KEY, LABEL_KEY, NOTEBOOK_ONLY_KEY

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import make_learner_notebooks as learner  # noqa: E402
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


def _png_meta(cell: nbformat.NotebookNode, key: str) -> list[str]:
    values = [
        out.get("metadata", {}).get("image/png", {}).get(key)
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]
    return [v for v in values if v]


def sync_captions(nb: nbformat.NotebookNode, stem: str) -> None:
    """Copy each figure's caption into ``mystnb.figure.caption``; name unnamed figures."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        captions = _png_meta(cell, CAPTION_KEY)
        mystnb = cell.metadata.get("mystnb", {})
        figure = mystnb.get("figure", {})
        if not captions:
            figure.pop("caption", None)
            if not figure:
                mystnb.pop("figure", None)
            continue
        shown = [
            o
            for o in cell.outputs
            if o.output_type in ("display_data", "execute_result")
            and not o.get("metadata", {}).get(NOTEBOOK_ONLY_KEY)
        ]
        if len(captions) > 1 or len(shown) > 1:
            raise ValueError(
                f"{stem} cell {cell.get('id')}: a captioned figure must be the cell's only "
                "displayed output (MyST-NB labels every output of the cell with its name)"
            )
        figure["caption"] = captions[0]
        labels = _png_meta(cell, LABEL_KEY)
        if labels and figure.get("name") not in (None, "", labels[0]):
            raise ValueError(
                f"{stem} cell {cell.get('id')}: the figure's label is {labels[0]!r} in gradlab "
                f"but {figure['name']!r} in the cell's mystnb.figure.name"
            )
        if labels:
            figure["name"] = labels[0]
        if not figure.get("name"):
            figure["name"] = f"fig-{stem[:2]}-{cell.get('id', 'cell')}"
            print(
                f"  {stem}: a captioned figure (cell {cell.get('id')}) has no "
                f"mystnb.figure.name; named it {figure['name']!r}"
            )
        mystnb["figure"] = figure
        cell.metadata["mystnb"] = mystnb


def split_solution_ends(nb: nbformat.NotebookNode) -> None:
    """Give every ``{solution-end}`` marker a cell of its own (the rest follows it)."""
    cells = []
    for cell in nb.cells:
        end = learner.split_solution_end(cell)
        if end is None or not end[1].strip():
            cells.append(cell)
            continue
        marker, rest = end
        marker_cell = nbformat.v4.new_markdown_cell(marker)
        marker_cell.id = f"{cell.get('id', 'cell')}-end"[:64]
        cell.source = rest
        cells += [marker_cell, cell]
    nb.cells = cells


def fold_solutions(nb: nbformat.NotebookNode) -> None:
    """Collapse the solution cells in JupyterLab; unfold every other cell we folded before."""
    for cell, in_solution in zip(nb.cells, learner.solution_cells(nb.cells), strict=True):
        jupyter = cell.metadata.get("jupyter", {})
        if in_solution:
            jupyter["source_hidden"] = True
            if cell.cell_type == "code":
                jupyter["outputs_hidden"] = True
                cell.metadata["collapsed"] = True
            cell.metadata["jupyter"] = jupyter
        else:
            for key in ("source_hidden", "outputs_hidden"):
                jupyter.pop(key, None)
            if "jupyter" in cell.metadata and not jupyter:
                del cell.metadata["jupyter"]
            cell.metadata.pop("collapsed", None)


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
    sync_captions(nb, path.stem)
    split_solution_ends(nb)
    fold_solutions(nb)
    nbformat.write(nb, path)
    print(f"executed {path.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    paths = [pathlib.Path(a).resolve() for a in argv] or toc_notebooks()
    for path in paths:
        execute(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
