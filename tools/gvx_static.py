"""Static explorers: every explorer of the book moves in the static HTML (no server, no CDN).

Loaded by Jupyter Book through ``sphinx: local_extensions`` in ``_config.yml``.

A notebook's explorer output carries a small spec (``application/vnd.gradlab.explorer+json``:
class path, constructor arguments, current values; :meth:`gradlab.explore.Explorer.spec`) next
to the PNG of its current view. MyST-NB renders the PNG (the numbered, captioned figure) and
ignores the spec. After the doctree is resolved, this extension reads the specs from the
page's notebook, rebuilds each explorer with the same ``gradlab`` code and computes its views
over the class's static grid (:func:`gradlab.explore.static.generate`). It then wraps the
figure's image in the static explorer:

``<div class="gvx-explorer" data-explorer="ClassName">``: one labelled native
``<input type="range">`` (numeric) or ``<select>`` (choices) per control with an ``<output>``
showing the value, a ``role="img"`` view whose ``aria-label`` is the view's alt text (the PNG
stays inside it as the picture without JavaScript, under a ``<canvas>`` whose CSS background
is the explorer's background PNG), a note on the grid, and the view data inline in a
``<script type="application/json">`` (so the book works from ``file://``). The page script
``gvx-explorer.js`` (in ``_static``, with its CSS and a DejaVu Sans subset made with
fontTools at the end of the build) draws the view and sets ``data-view`` on the root.

Generated views are cached under ``_build/.gvx_static``, keyed by the spec, the data format
and a hash of gradlab's source, so a rebuild costs nothing until gradlab changes.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging as logging_std
import posixpath
import string
import time
from pathlib import Path
from typing import Any

import matplotlib
import nbformat
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent / "static_explorer"
ROOT = Path(__file__).resolve().parents[1]
#: The views that `make execute` computes and commits (``python tools/gvx_static.py``): the
#: build publishes these, so the pages show the same views, numbers and alt texts whatever
#: CPU builds the book, and a fresh clone builds without computing any.
COMMITTED = ROOT / "explorer_views"
FONT_FILE = "DejaVuSans-gvx.woff"
#: Always in the font subset (labels and numbers any explorer may show).
BASE_CHARS = set(string.printable.strip()) | {" "}


#: gradlab's subpackages no explorer imports (a test checks it): changing them keeps the views.
NOT_IN_VIEWS = ("exercises",)


def _source_hash() -> str:
    """Hash of every gradlab source file an explorer can use (a change regenerates the views);
    the exercise checkers (:data:`NOT_IN_VIEWS`) are left out."""
    import gradlab

    digest = hashlib.sha256()
    root = Path(gradlab.__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).parts[0] in NOT_IN_VIEWS:
            continue
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _cache_dir(app: Sphinx) -> Path:
    path = Path(app.outdir).parent / ".gvx_static"
    path.mkdir(parents=True, exist_ok=True)
    return path


def notebook_specs(path: Path) -> list[tuple[str | None, dict[str, Any], str]]:
    """(figure name or None, spec, cell id) of every explorer output in the notebook ``path``."""
    from gradlab.explore import SPEC_MIME

    nb = nbformat.read(path, as_version=4)
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            spec = out.get("data", {}).get(SPEC_MIME)
            if spec is not None:
                name = cell.metadata.get("mystnb", {}).get("figure", {}).get("name")
                found.append((name, spec, str(cell.get("id"))))
    return found


def _specs(app: Sphinx, docname: str) -> list[tuple[str, dict[str, Any]]]:
    """(figure name, spec) of every explorer output in the page's notebook."""
    source = Path(app.env.doc2path(docname))
    if source.suffix != ".ipynb":
        return []
    found = []
    for name, spec, cell_id in notebook_specs(source):
        if not name:
            logger.warning(
                f"[gvx_static] {docname}: explorer cell {cell_id} has no "
                "mystnb.figure.name; left as a picture",
                location=docname,
            )
            continue
        found.append((name, spec))
    return found


def view_key(spec: dict[str, Any], source_hash: str | None = None) -> str:
    """The name of a spec's views: its spec, the data format, gradlab's source, matplotlib."""
    from gradlab.explore import static

    source_hash = source_hash or _source_hash()
    return hashlib.sha256(
        json.dumps(
            [static.FORMAT, spec, source_hash, matplotlib.__version__], sort_keys=True
        ).encode()
    ).hexdigest()[:32]


def _read(folder: Path, key: str) -> dict[str, Any] | None:
    meta, png = folder / f"{key}.json", folder / f"{key}.png"
    if not (meta.exists() and png.exists()):
        return None
    found = json.loads(meta.read_text(encoding="utf-8"))
    found["background"] = png.read_bytes()
    return found


def compute(spec: dict[str, Any]) -> dict[str, Any]:
    """Every view of the explorer ``spec`` describes (the slow part: gradlab runs here)."""
    from gradlab.explore import static

    start = time.perf_counter()
    explorer = static.from_spec(spec)
    made = static.generate(explorer)
    found = {
        "spec": spec,
        "data": made.data,
        "alt": explorer.alt_text(),
        "note": static.grid_note(type(explorer)),
        "chars": "".join(sorted(made.chars)),
        "views": made.n_views,
        "background": made.background,
    }
    logger.info(
        f"[gvx_static] {made.data['class']}: {made.n_views} views in "
        f"{time.perf_counter() - start:.1f} s, {len(made.data['payload']) / 1e3:.0f} kB"
    )
    return found


def _write(folder: Path, key: str, found: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{key}.png").write_bytes(found["background"])
    meta = {k: v for k, v in found.items() if k != "background"}
    (folder / f"{key}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def static_explorer(app: Sphinx, spec: dict[str, Any]) -> dict[str, Any]:
    """The static explorer for ``spec``: the committed views (``explorer_views/``), else the
    build's cache, else computed now and cached in the build folder."""
    if not hasattr(app, "_gvx_source_hash"):
        app._gvx_source_hash = _source_hash()
    key = view_key(spec, app._gvx_source_hash)
    for folder in (COMMITTED, _cache_dir(app)):
        found = _read(folder, key)
        if found is not None:
            return found
    logger.warning(
        f"[gvx_static] {spec.get('class')}: no committed views for this gradlab; computing "
        "them now (run `make execute` to commit them)"
    )
    found = compute(spec)
    _write(_cache_dir(app), key, found)
    return found


def committed_keys(notebooks: list[Path]) -> dict[str, dict[str, Any]]:
    """The view key of every explorer spec in ``notebooks``, with its spec."""
    source_hash = _source_hash()
    return {
        view_key(spec, source_hash): spec
        for path in notebooks
        for _, spec, _ in notebook_specs(path)
    }


def write_committed(notebooks: list[Path], folder: Path = COMMITTED) -> list[str]:
    """Compute the views of every explorer in ``notebooks`` into ``folder`` (kept when
    current) and delete the views no notebook uses any more. Returns what it did."""
    wanted = committed_keys(notebooks)
    done = []
    for key, spec in wanted.items():
        if _read(folder, key) is None:
            start = time.perf_counter()
            _write(folder, key, compute(spec))
            done.append(f"computed {spec['class']} ({time.perf_counter() - start:.1f} s)")
    for path in sorted(folder.glob("*")):
        if path.suffix in (".json", ".png") and path.stem not in wanted:
            path.unlink()
            done.append(f"removed {path.name}")
    return done


def _controls_html(prefix: str, controls: list[dict[str, Any]]) -> str:
    parts = ['<div class="gvx-controls">']
    for c in controls:
        ident = html.escape(f"{prefix}-{c['name']}")
        name = html.escape(c["name"])
        label = html.escape(c["labels"][c["index"]])
        parts.append(
            f'<div class="gvx-control"><label for="{ident}">{html.escape(c["label"])}</label>'
        )
        if c["kind"] == "select":
            options = "".join(
                f'<option value="{k}"{" selected" if k == c["index"] else ""}>'
                f"{html.escape(text)}</option>"
                for k, text in enumerate(c["labels"])
            )
            parts.append(f'<select id="{ident}" data-gvx-control="{name}">{options}</select>')
        else:
            parts.append(
                f'<input type="range" id="{ident}" data-gvx-control="{name}" min="0" '
                f'max="{len(c["values"]) - 1}" step="1" value="{c["index"]}" '
                f'aria-valuetext="{label}"/>'
            )
        parts.append(f'<output for="{ident}" data-gvx-control="{name}">{label}</output></div>')
    parts.append("</div>")
    return "".join(parts)


#: Under an explorer whose script has not started (JavaScript off, or a browser without
#: DecompressionStream): it is a picture, and the controls are not shown.
STATIC_NOTE = (
    "This is a picture of the explorer at its default settings: with JavaScript on, controls "
    "appear here. In JupyterLab (local, Binder or Live Code) the explorer is live over the "
    "full range of every slider."
)


def wrap_html(prefix: str, found: dict[str, Any], background_uri: str) -> tuple[str, str]:
    """The static explorer's HTML before and after the figure's image."""
    data = found["data"]
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
    before = (
        f'<div class="gvx-explorer" data-explorer="{html.escape(data["class"])}" '
        f'data-background="{html.escape(background_uri)}" data-view="{data["index"]}">'
        + _controls_html(prefix, data["controls"])
        + f'<div class="gvx-view" role="img" aria-label="{html.escape(found["alt"])}" '
        f'style="max-width: {data["width"]}px">'
    )
    after = (
        '<canvas class="gvx-canvas" aria-hidden="true"></canvas></div>'
        f'<p class="gvx-note">{html.escape(found["note"])}</p>'
        f'<p class="gvx-note-static">{html.escape(STATIC_NOTE)}</p>'
        f'<script type="application/json" class="gvx-data">{payload}</script></div>'
    )
    return before, after


def _on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    specs = _specs(app, docname)
    if not specs:
        return
    figures = {}
    for figure in doctree.findall(nodes.figure):
        for name in (*figure.get("ids", []), *figure.get("names", [])):
            figures[name] = figure
    images = Path(app.outdir) / "_images"
    images.mkdir(parents=True, exist_ok=True)
    for name, spec in specs:
        figure = figures.get(name)
        image = next(iter(figure.findall(nodes.image)), None) if figure is not None else None
        if image is None:
            logger.warning(f"[gvx_static] {docname}: no figure {name!r}", location=docname)
            continue
        found = static_explorer(app, spec)
        app._gvx_chars.update(found["chars"])
        digest = hashlib.sha256(found["background"]).hexdigest()[:20]
        background = f"gvx-{digest}.png"
        (images / background).write_bytes(found["background"])
        uri = posixpath.relpath(f"_images/{background}", posixpath.dirname(docname) or ".")
        before, after = wrap_html(name, found, uri)
        image["classes"] += ["no-scaled-link", "gvx-fallback"]
        parent = image.parent
        unit = image
        if isinstance(parent, nodes.reference):  # an image link: keep the picture alone
            parent.replace_self(image)
            parent = image.parent
        index = parent.index(unit)
        parent.insert(index + 1, nodes.raw("", after, format="html"))
        parent.insert(index, nodes.raw("", before, format="html"))
        app._gvx_pages.add(docname)


def _on_page_context(app: Sphinx, pagename: str, *args: Any) -> None:
    if pagename in app._gvx_pages:
        app.add_css_file("gvx-explorer.css")
        app.add_js_file("gvx-explorer.js", loading_method="defer")


def write_font(out: Path, chars: set[str]) -> int:
    """Subset matplotlib's DejaVu Sans to ``chars`` as WOFF (fontTools); return its size.

    Raises
    ------
    ValueError
        If a character is not in DejaVu Sans (the static text could not look like the live).
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from matplotlib.font_manager import findfont

    path = findfont("DejaVu Sans")
    font = TTFont(path)
    cmap = font.getBestCmap()
    missing = sorted(c for c in chars if ord(c) not in cmap and c not in "\n")
    if missing:
        raise ValueError(f"DejaVu Sans lacks {missing}: the static explorers cannot draw them")
    options = subset.Options()
    options.flavor = "woff"
    options.hinting = False
    options.layout_features = []
    options.name_IDs = ["*"]  # keep the licence and names
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.flavor = "woff"
    font.save(str(out))
    return out.stat().st_size


def _on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    store = _cache_dir(app) / "chars.txt"
    chars = set(app._gvx_chars) | BASE_CHARS
    if store.exists():
        chars |= set(store.read_text(encoding="utf-8"))
    store.write_text("".join(sorted(chars)), encoding="utf-8")
    size = write_font(Path(app.outdir) / "_static" / FONT_FILE, chars)
    logger.info(f"[gvx_static] font subset: {len(chars)} characters, {size} bytes")


class _SpecIsNotAnOutput(logging_std.Filter):
    """Drop MyST-NB's "unknown output mime type" warning for the explorer spec, and only it.

    The spec is data for this extension, not something to render; every other unknown MIME
    type still warns (and fails the ``-W`` build).
    """

    def filter(self, record: logging_std.LogRecord) -> bool:
        from gradlab.explore import SPEC_MIME

        return f"unknown output mime type: {SPEC_MIME}" not in str(record.msg)


def _on_builder_inited(app: Sphinx) -> None:
    for handler in logging_std.getLogger("sphinx").handlers:
        handler.filters.insert(0, _SpecIsNotAnOutput())
    app._gvx_pages = set()
    app._gvx_chars = set()
    static = [str(p) for p in app.config.html_static_path]
    if str(ASSETS) not in static:
        app.config.html_static_path.append(str(ASSETS))


def _on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Remember the pages with explorers (re-read when gradlab changes)."""
    docname = app.env.docname
    docs = app.env.__dict__.setdefault("gvx_explorer_docs", set())
    docs.discard(docname)
    if _specs(app, docname):
        docs.add(docname)


def _on_env_purge_doc(app: Sphinx, env: Any, docname: str) -> None:
    env.__dict__.setdefault("gvx_explorer_docs", set()).discard(docname)


def _on_env_merge_info(app: Sphinx, env: Any, docnames: Any, other: Any) -> None:
    env.__dict__.setdefault("gvx_explorer_docs", set()).update(
        getattr(other, "gvx_explorer_docs", set())
    )


def _on_env_get_outdated(
    app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Pages with explorers are outdated when gradlab's source changed (their views did)."""
    current = _source_hash()
    previous = getattr(env, "gvx_source_hash", None)
    env.gvx_source_hash = current
    if previous is None or previous == current:
        return []
    return sorted(getattr(env, "gvx_explorer_docs", set()) - removed)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _on_builder_inited)
    app.connect("doctree-read", _on_doctree_read)
    app.connect("env-purge-doc", _on_env_purge_doc)
    app.connect("env-merge-info", _on_env_merge_info)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("doctree-resolved", _on_doctree_resolved)
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": False}


def main(argv: list[str]) -> int:
    """``python tools/gvx_static.py``: (re)compute the committed views of every explorer in the
    book (``make execute`` runs it); ``--check``: exit 1 if they are not current."""
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    from toc_notebooks import toc_notebooks

    notebooks = toc_notebooks()
    if "--check" in argv:
        wanted = committed_keys(notebooks)
        missing = [k for k in wanted if _read(COMMITTED, k) is None]
        extra = sorted(p.name for p in COMMITTED.glob("*.json") if p.stem not in wanted)
        for k in missing:
            print(f"missing views for {wanted[k]['class']} ({k})")
        for name in extra:
            print(f"stale views {name}")
        return 1 if missing or extra else 0
    for line in write_committed(notebooks):
        print(f"[gvx_static] {line}")
    return 0


if __name__ == "__main__":
    import sys

    logging_std.basicConfig(level=logging_std.INFO, format="%(message)s")
    sys.exit(main(sys.argv[1:]))
