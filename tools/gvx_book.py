"""The course's Sphinx extension: repository links, learner notebooks, citations, pages, maths.

Loaded by Jupyter Book through ``sphinx: local_extensions`` in ``_config.yml``. It does five
things the stock Jupyter Book 1 / sphinx-book-theme stack cannot:

1. **Repository and launch buttons from the real repository.** On ``config-inited`` it finds
   the GitHub repository the book is built from (:func:`discover_repository`: the
   ``GVX_REPOSITORY_URL`` override, else GitHub Actions' ``GITHUB_SERVER_URL`` and
   ``GITHUB_REPOSITORY``, else the ``origin`` remote) and sets the sphinx-book-theme options
   that the repository, issues, Binder and Live Code buttons read
   (:func:`configure_repository`). When no repository is found those buttons are left out,
   never pointed at a placeholder.
2. **Learner notebooks.** A Markdown link to ``learner/NN_name_learner.ipynb`` becomes a
   download link to a copy of that notebook in the built site, followed, when the repository
   is known, by a link that opens it in JupyterLab on Binder.
3. **Citations that read as citations everywhere.** A Markdown link
   ``[Cohen and Newman, 1984](references.bib#cohen1984stability)`` shows readable
   author-year text in JupyterLab (jupyterlab-myst cannot read BibTeX, so ``{cite}`` shows
   "Citation Not Found" there) and on GitHub, and opens the BibTeX file when clicked; in the
   HTML book it links to the entry on the bibliography page, with the full reference as its
   tooltip.
4. **Lean, error-free pages** (:func:`_on_html_page_context`, found by a real browser, see
   ``tests/test_browser.py``): no notebook widget state in the page (no script on the static
   page reads it), each script once (sphinx-thebe's configuration was emitted twice, a
   ``SyntaxError``), no Thebe without a repository, KaTeX's style sheet only on pages with
   maths (Sphinx also counts the maths of a page's toctree children, so the intro had it),
   bibliography entries as ARIA list items; and ``static/gvx-book.js``/``.css``: solutions
   that open from every part of their title, display maths that scrolls in its own box with
   a cue, and a message instead of an endless spinner when Live Code cannot load Thebe. After
   the build, Font Awesome's 1.5 MB script is left out of the pages (its webfonts draw every
   icon) and the figures in ``_images/`` are re-encoded smaller at the same resolution
   (:func:`shrink_png`).
5. **Maths rendered when the book is built** (:class:`Katex`, the ``gvx_katex`` HTML maths
   renderer): KaTeX, run in an embedded V8 (``mini-racer``, a pip wheel: no Node), turns every
   formula into HTML (shown) and MathML (read by screen readers), so no page runs a maths
   script, maths reads without JavaScript, and no formula is a Tab stop. Equation numbers
   and their links are Sphinx's, as before. A formula KaTeX cannot render, or renders unlike
   LaTeX (``strict``), stops the build with the page and the TeX (:class:`KatexError`).
   KaTeX's style sheet and WOFF2 fonts are served from the book (``vendor/katex/static``,
   refreshed by ``tools/vendor_katex.py``); TeX macros go in ``gvx_maths_macros``.
"""

from __future__ import annotations

import atexit
import html as html_module
import json
import os
import posixpath
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import SphinxError
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number
from sphinx.util.nodes import make_refnode

logger = logging.getLogger(__name__)

#: Environment variable that overrides the discovered repository (``none`` disables it).
ENV_URL = "GVX_REPOSITORY_URL"
#: Environment variable that overrides the branch the launch buttons open.
ENV_BRANCH = "GVX_REPOSITORY_BRANCH"

_GITHUB_URL = re.compile(
    r"""^(?:
        (?:https?|git|ssh)://(?:[^@/]+@)?github\.com(?::\d+)?/   # https://, ssh://git@...
        | [^@/\s]+@github\.com:                                 # git@github.com:owner/...
    )
    (?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/
    (?P<name>[A-Za-z0-9._-]+?)
    (?:\.git)?/?$""",
    re.VERBOSE,
)
#: Markdown link target of a learner notebook (``learner/NN_name_learner.ipynb``).
LEARNER_PATH = re.compile(r"(?:^|/)learner/\d\d_[\w-]+_learner\.ipynb$")
#: The citation link form: ``[Author (year)](references.bib#key)`` (any relative path to a .bib).
CITATION_LINK = re.compile(r"\]\((?P<bib>[\w./-]*\.bib)#(?P<key>[^\s()\"#]+)\)")
_CITE_SCHEME = "gvx-cite:"
#: Launch providers that need a repository; they are removed when none is known.
_REPO_LAUNCHERS = ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url", "thebe")


@dataclass(frozen=True)
class Repository:
    """A GitHub repository and the branch the book's buttons open.

    Parameters
    ----------
    owner, name : str
        ``https://github.com/OWNER/NAME``.
    branch : str
        Branch (or tag or commit) that Binder checks out.
    path_to_book : str
        Folder of ``_config.yml`` relative to the repository root (``""`` at the root).
    """

    owner: str
    name: str
    branch: str = "main"
    path_to_book: str = ""

    @property
    def url(self) -> str:
        """``https://github.com/OWNER/NAME``."""
        return f"https://github.com/{self.owner}/{self.name}"

    def binder_url(self, path: str, binderhub_url: str = "https://mybinder.org") -> str:
        """URL that opens ``path`` (relative to the book's root) in JupyterLab on a BinderHub.

        ``{binderhub_url}/v2/gh/OWNER/NAME/BRANCH?urlpath=lab/tree/PATH`` (the BinderHub
        ``v2/gh`` launch URL; https://mybinder.readthedocs.io/en/latest/howto/user_interface.html).
        """
        if not isinstance(path, str) or not path or path.startswith("/"):
            raise ValueError(f"path must be a relative path, got {path!r}")
        prefix = f"{self.path_to_book.strip('/')}/" if self.path_to_book.strip("/") else ""
        hub = binderhub_url.rstrip("/")
        branch = quote(self.branch, safe="")
        return f"{hub}/v2/gh/{self.owner}/{self.name}/{branch}?urlpath=lab/tree/{prefix}{path}"


def parse_github_url(url: str) -> tuple[str, str] | None:
    """``(owner, name)`` of a GitHub remote URL, or ``None`` if it is not a GitHub repository.

    Accepts ``https://github.com/OWNER/NAME[.git][/]``, ``git@github.com:OWNER/NAME[.git]`` and
    ``ssh://git@github.com/OWNER/NAME[.git]`` (the forms ``git remote get-url`` prints).
    """
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, got {type(url).__name__}")
    match = _GITHUB_URL.match(url.strip())
    if match is None or match["name"] in {".", ".."}:
        return None
    return match["owner"], match["name"]


def _run_git(root: Path) -> Callable[[list[str]], str | None]:
    def git(args: list[str]) -> str | None:
        try:
            out = subprocess.run(
                ["git", "-C", str(root), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    return git


def _branch(environ: Mapping[str, str], git: Callable[[list[str]], str | None]) -> str:
    if environ.get(ENV_BRANCH):
        return environ[ENV_BRANCH]
    if environ.get("GITHUB_ACTIONS") == "true":
        ref = environ.get("GITHUB_REF", "")
        if ref.startswith(("refs/heads/", "refs/tags/")) and environ.get("GITHUB_REF_NAME"):
            return environ["GITHUB_REF_NAME"]
        if environ.get("GITHUB_SHA"):  # a pull request's merge commit, for example
            return environ["GITHUB_SHA"]
    upstream = git(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"])
    if upstream and upstream.startswith("origin/"):
        return upstream.removeprefix("origin/")
    default = git(["symbolic-ref", "--short", "refs/remotes/origin/HEAD"])
    if default and default.startswith("origin/"):
        return default.removeprefix("origin/")
    return "main"


def discover_repository(
    root: str | os.PathLike[str],
    environ: Mapping[str, str] | None = None,
    git: Callable[[list[str]], str | None] | None = None,
) -> Repository | None:
    """The GitHub repository the book at ``root`` is built from, or ``None``.

    In order: ``$GVX_REPOSITORY_URL`` (``none`` means no repository); on GitHub Actions,
    ``$GITHUB_SERVER_URL/$GITHUB_REPOSITORY``; else the ``origin`` remote of the git checkout
    at ``root``. Only GitHub repositories count (Binder's ``gh`` provider and the theme's
    buttons are built for them). The branch is ``$GVX_REPOSITORY_BRANCH``, else the pushed
    branch or tag on Actions (the commit for other refs), else the upstream branch of the
    checkout, else origin's default branch, else ``main``.

    Parameters
    ----------
    root : path-like
        The book's root folder (where ``_config.yml`` is).
    environ : mapping, optional
        Environment variables (default ``os.environ``).
    git : callable, optional
        ``git(args) -> stdout or None``, run in ``root`` (default: the ``git`` command).

    Raises
    ------
    ValueError
        If ``$GVX_REPOSITORY_URL`` is set but is not a GitHub repository URL.
    """
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a path, got {type(root).__name__}")
    environ = os.environ if environ is None else environ
    git = _run_git(Path(root)) if git is None else git

    override = environ.get(ENV_URL, "").strip()
    if override.lower() == "none":
        return None
    if override:
        parts = parse_github_url(override)
        if parts is None:
            raise ValueError(
                f"{ENV_URL} must be a GitHub repository URL "
                f"(https://github.com/OWNER/NAME), got {override!r}"
            )
    elif environ.get("GITHUB_ACTIONS") == "true" and environ.get("GITHUB_REPOSITORY"):
        server = environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        parts = parse_github_url(f"{server}/{environ['GITHUB_REPOSITORY']}")
    else:
        remote = git(["remote", "get-url", "origin"])
        parts = parse_github_url(remote) if remote else None
    if parts is None:
        return None
    prefix = git(["rev-parse", "--show-prefix"]) or ""
    return Repository(*parts, branch=_branch(environ, git), path_to_book=prefix.strip("/"))


def configure_repository(config: Any, repo: Repository | None) -> None:
    """Set the theme options the repository and launch buttons read, for ``repo`` or none.

    With a repository: ``html_theme_options`` gets ``repository_url``, ``repository_branch``,
    ``path_to_docs``, ``use_repository_button`` and ``use_issues_button`` (sphinx-book-theme
    1.3 turns these into ``html_context`` ``github_*`` entries and the header buttons, and its
    ``launch_buttons`` (``binderhub_url``, ``notebook_interface``, ``thebe``) into the Binder and
    Live Code buttons). Without one: the repository options and every launch provider that
    needs a repository are removed, so those buttons are left out (the download button stays).

    Parameters
    ----------
    config : sphinx.config.Config or any object with a ``html_theme_options`` dict
    repo : Repository or None
    """
    if not isinstance(getattr(config, "html_theme_options", None), dict):
        raise TypeError("config must have a html_theme_options dict")
    if repo is not None and not isinstance(repo, Repository):
        raise TypeError(f"repo must be a Repository or None, got {type(repo).__name__}")
    options = dict(config.html_theme_options)
    launch = dict(options.get("launch_buttons") or {})
    context = dict(getattr(config, "html_context", None) or {})
    for key in ("github_user", "github_repo", "github_version", "github_url", "doc_path"):
        context.pop(key, None)
    if repo is None:
        for key in ("repository_url", "repository_branch", "path_to_docs"):
            options.pop(key, None)
        for key in ("use_repository_button", "use_issues_button", "use_edit_page_button"):
            options[key] = False
        for key in _REPO_LAUNCHERS:
            launch.pop(key, None)
    else:
        options.update(
            repository_url=repo.url,
            repository_branch=repo.branch,
            path_to_docs=repo.path_to_book,
            use_repository_button=True,
            use_issues_button=True,
        )
        launch.setdefault("notebook_interface", "jupyterlab")
    options["launch_buttons"] = launch
    config.html_theme_options = options
    if hasattr(config, "html_context"):
        config.html_context = context
    config.gvx_repository = None if repo is None else repo.__dict__.copy()


def _repository(config: Config) -> Repository | None:
    data = getattr(config, "gvx_repository", None)
    return Repository(**data) if data else None


def _on_config_inited(app: Sphinx, config: Config) -> None:
    repo = discover_repository(app.confdir)
    configure_repository(config, repo)
    where = repo.url + f" (branch {repo.branch})" if repo else "none found: no repository buttons"
    logger.info(f"[gvx_book] repository: {where}")


# --- citations ------------------------------------------------------------------------------


class gvx_citation(nodes.Inline, nodes.TextElement):  # noqa: N801 (docutils node naming)
    """A citation link awaiting its bibliography entry (replaced before writing)."""


#: The in-notebook forms (``tools/chapter_terms.py``): ``](#term-x)``, ``](#maths-x)`` and
#: ``](#ref-KEY)`` land on the notebook's own "Terms, maths and sources" cell in JupyterLab;
#: that cell is not in the HTML book, where the same links go to the glossary page, the maths
#: page and the bibliography.
LOCAL_TERM_LINK = re.compile(r"\]\(#(?P<term>term-[\w-]+)\)")
LOCAL_CITATION_LINK = re.compile(r"\]\(#ref-(?P<key>[^\s()\"#]+)\)")
LOCAL_MATHS_LINK = re.compile(r"\]\(#(?P<label>maths-[\w-]+)\)")


def html_links(text: str) -> str:
    """``text`` with its citation and in-notebook links in the form the HTML build resolves.

    ``](x.bib#KEY)`` and ``](#ref-KEY)`` -> ``](gvx-cite:KEY)`` (MyST keeps the key; it drops
    a file's #id); ``](#term-x)`` -> ``](glossary.md#term-x)``; ``](#maths-x)`` ->
    ``](maths.ipynb#maths-x)``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    text = CITATION_LINK.sub(lambda m: f"]({_CITE_SCHEME}{m['key']})", text)
    text = LOCAL_CITATION_LINK.sub(lambda m: f"]({_CITE_SCHEME}{m['key']})", text)
    text = LOCAL_MATHS_LINK.sub(lambda m: f"](maths.ipynb#{m['label']})", text)
    return LOCAL_TERM_LINK.sub(lambda m: f"](glossary.md#{m['term']})", text)


def _rewrite_citation_links(app: Sphinx, docname: str, source: list[str]) -> None:
    """Citation and in-notebook links in the form the HTML build resolves (:func:`html_links`)."""
    source[0] = html_links(source[0])


#: Metadata key of a notebook output meant for the notebook only (``gradlab.plotting``'s
#: ``NOTEBOOK_ONLY_KEY``: the "Figure N.M. caption" under a figure, which the HTML book's
#: ``<figcaption>`` already shows).
NOTEBOOK_ONLY_KEY = "gradlab/notebook-only"


def drop_notebook_only_outputs(text: str) -> str:
    """A notebook's JSON ``text`` without its notebook-only outputs (unchanged if it has none)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if NOTEBOOK_ONLY_KEY not in text:
        return text
    nb = json.loads(text)
    for cell in nb.get("cells", []):
        if "outputs" in cell:
            cell["outputs"] = [
                o for o in cell["outputs"] if not o.get("metadata", {}).get(NOTEBOOK_ONLY_KEY)
            ]
    return json.dumps(nb, ensure_ascii=False)


def _drop_notebook_only_outputs(app: Sphinx, docname: str, source: list[str]) -> None:
    if str(app.env.doc2path(docname)).endswith(".ipynb"):
        source[0] = drop_notebook_only_outputs(source[0])


def _register_section_labels(app: Sphinx, doctree: nodes.document) -> None:
    """Let ``[text](page.ipynb#label)`` reach a section labelled ``(label)=``, or a glossary term.

    MyST resolves ``page#id`` through the page's heading slugs, which MyST-NB does not record
    for notebooks; a plain Markdown link is the form that also works in JupyterLab, so the
    explicit section labels of every page are recorded as slugs once the page is read (after
    docutils has moved each label onto its section).
    """
    slugs = app.env.metadata[app.env.docname].setdefault("myst_slugs", {})
    # Glossary terms too: ``[dead ReLU](glossary.md#term-dead-ReLU)`` links a term's entry.
    for term in doctree.findall(nodes.term):
        for ident in term["ids"]:
            slugs.setdefault(ident, (term.line or 0, ident, term.astext()))
    for section in doctree.findall(nodes.section):
        title = section.next_node(nodes.title)
        text = title.astext() if title is not None else ""
        for name in section["names"]:
            ident = doctree.nameids.get(name)
            if ident and name not in slugs:
                slugs[name] = (section.line or 0, ident, text)


class ReadLinks(SphinxTransform):
    """Turn citation links into :class:`gvx_citation` and learner links into downloads."""

    default_priority = 200

    def apply(self, **kwargs: Any) -> None:
        docname = self.env.docname
        for node in list(self.document.findall(addnodes.pending_xref)):
            target = node.get("reftarget", "")
            if node.get("reftype") == "myst" and target.startswith(_CITE_SCHEME):
                self._citation(node, target.removeprefix(_CITE_SCHEME), docname)
        for node in list(self.document.findall(addnodes.pending_xref)) + list(
            self.document.findall(addnodes.download_reference)
        ):
            if node.get("reftype") != "myst":
                continue
            path = self._learner_path(node, docname)
            if path is not None:
                self._learner(node, path, docname)

    def _citation(self, node: addnodes.pending_xref, key: str, docname: str) -> None:
        new = gvx_citation("", "", key=key)
        new += nodes.Text(node.astext())
        new.source, new.line = node.source, node.line
        self.document.set_id(new)
        domain = self.env.get_domain("cite")  # sphinxcontrib-bibtex: the key counts as cited
        if hasattr(domain, "citation_refs"):
            from sphinxcontrib.bibtex.citation_target import CitationTarget
            from sphinxcontrib.bibtex.roles import CitationRef

            domain.citation_refs.append(
                CitationRef(
                    citation_ref_id=new["ids"][0],
                    docname=docname,
                    line=node.line or 0,
                    targets=[CitationTarget(key=key, pre="", post="")],
                )
            )
        node.replace_self(new)

    def _learner_path(self, node: nodes.Element, docname: str) -> str | None:
        target = node.get("reftarget", "")
        if isinstance(node, addnodes.pending_xref) and node.get("refdomain") == "doc":
            path = f"{target}.ipynb"  # MyST resolved it to a docname (srcdir-relative)
        else:
            target = target.split("#", 1)[0]
            if target.startswith("/"):
                path = target.lstrip("/")
            else:
                path = posixpath.normpath(posixpath.join(posixpath.dirname(docname), target))
        return path if LEARNER_PATH.search(path) else None

    def _learner(self, node: nodes.Element, path: str, docname: str) -> None:
        if not (Path(self.env.srcdir) / path).is_file():
            logger.warning(
                f"learner notebook not found: {path} (generate it before building)",
                location=node,
                type="gvx",
                subtype="learner",
            )
            node.replace_self(nodes.inline("", node.astext()))
            return
        new = learner_download(path, docname, node.astext())
        new.source, new.line = node.source, node.line
        node.replace_self(new)


def learner_download(path: str, docname: str, text: str) -> addnodes.download_reference:
    """A download link to the learner notebook ``path`` (srcdir-relative) reading ``text``;
    marked ``gvx_learner``, so that the Binder link follows it when the repository is known."""
    link = addnodes.download_reference(
        "",
        "",
        refdomain=None,
        reftype="myst",
        reftarget="/" + path,
        refdoc=docname,
        refexplicit=True,
        gvx_learner=path,
    )
    link += nodes.inline("", text, classes=["xref", "download", "myst"])
    return link


def _citation_entry(app: Sphinx, key: str, fromdocname: str) -> tuple[str, str, str | None]:
    """(docname, id, tooltip) of ``key``'s entry in a bibliography (this page's first)."""
    domain = app.env.get_domain("cite")
    found = [
        c
        for c in domain.citations
        if c.key == key and domain.bibliographies[c.bibliography_key].list_ == "citation"
    ]
    if not found:
        raise KeyError(key)
    found.sort(key=lambda c: c.bibliography_key.docname != fromdocname)
    cit = found[0]
    tooltip = None
    if cit.tooltip_entry is not None:
        import pybtex.plugin

        plaintext = pybtex.plugin.find_plugin("pybtex.backends", "plaintext")()
        tooltip = cit.tooltip_entry.text.render(plaintext).replace("\\url ", "")
    return cit.bibliography_key.docname, cit.citation_id, tooltip


#: The line that folds a worked solution's output in JupyterLab (``gradlab.exercises``'s
#: ``%solution`` magic), and the fold it makes.
_SOLUTION_MAGIC = re.compile(r"^%solution(?:[ \t]+#[^\n]*)?[ \t]*(?:\n|\Z)", re.M)
_CLOSED_FOLD = '<details class="gvx-solution-output">'


def open_solutions(doctree: nodes.document) -> int:
    """Show worked solutions as the HTML book's readers expect them; return how many changed.

    In JupyterLab a solution cell's ``%solution`` line folds its output in a closed
    ``<details class="gvx-solution-output">``. The book already hides the whole solution in
    its dropdown, so here the code is shown without the ``%solution`` line and the fold is
    open (``static/gvx-book.css`` hides its summary).
    """
    changed = 0
    for block in list(doctree.findall(nodes.literal_block)):
        text = block.astext()
        if _SOLUTION_MAGIC.search(text):
            new = _SOLUTION_MAGIC.sub("", text)
            block.rawsource = new
            block.children = [nodes.Text(new)]
            changed += 1
    for raw in list(doctree.findall(nodes.raw)):
        text = raw.astext()
        if _CLOSED_FOLD in text:
            new = text.replace(_CLOSED_FOLD, _CLOSED_FOLD[:-1] + " open>")
            raw.rawsource = new
            raw.children = [nodes.Text(new)]
            changed += 1
    return changed


def _on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Resolve citations; add Binder links to learner notebooks; drop Thebe without a repo;
    show worked solutions open (:func:`open_solutions`)."""
    open_solutions(doctree)
    for node in list(doctree.findall(gvx_citation)):
        text = node.astext()
        try:
            todoc, target_id, tooltip = _citation_entry(app, node["key"], docname)
        except KeyError:
            logger.warning(
                f'citation key "{node["key"]}" is not in the bibliography',
                location=node,
                type="gvx",
                subtype="cite",
            )
            node.replace_self(nodes.inline("", text))
            continue
        ref = make_refnode(app.builder, docname, todoc, target_id, nodes.Text(text), tooltip)
        ref["classes"] += ["gvx-citation"]
        wrapper = nodes.inline("", "", ref, classes=["bibtex-citation"], ids=node["ids"])
        node.replace_self(wrapper)

    repo = _repository(app.config)
    hub = app.config.html_theme_options.get("launch_buttons", {}).get("binderhub_url", "")
    for node in list(doctree.findall(addnodes.download_reference)):
        path = node.get("gvx_learner")
        if not path or repo is None or not hub:
            continue
        link = nodes.reference(
            "", "open it in JupyterLab on Binder", refuri=repo.binder_url(path, hub)
        )
        link["classes"] += ["gvx-binder-link"]
        parent, index = node.parent, node.parent.index(node)
        for offset, extra in enumerate([nodes.Text(" (or "), link, nodes.Text(")")], 1):
            parent.insert(index + offset, extra)

    if repo is None:  # sphinx-thebe adds its config to every page; without a repo it is wrong
        for raw in list(doctree.findall(nodes.raw)):
            if "text/x-thebe-config" in raw.astext() or "kernelName =" in raw.astext():
                raw.parent.remove(raw)


# --- maths, rendered at build time ------------------------------------------------------------

#: KaTeX, vendored by ``tools/vendor_katex.py``: the renderer (``katex.min.js``, run here, never
#: served) and what the pages load (``static/katex/``: its style sheet and WOFF2 fonts).
KATEX_DIR = Path(__file__).resolve().parents[1] / "vendor" / "katex"
#: The style sheet, as served (``_static/katex/katex.min.css``), on pages with maths only.
KATEX_CSS = "katex/katex.min.css"
#: amsmath environments that number their lines: Sphinx numbers the block (``span.eqno``), as
#: it did for MathJax (whose tags were off), so KaTeX renders their starred forms.
_NUMBERED_ENV = re.compile(r"\\(begin|end)\{(equation|align|alignat|gather|multline|flalign)\}")
_TEX_TOKEN = re.compile(r"\\begin\{|\\end\{|\\\\")
_RENDER_JS = """
function gvxRender(tex, options) {
  try { return JSON.stringify({html: katex.renderToString(tex, options)}); }
  catch (e) { return JSON.stringify({error: String((e && e.message) || e)}); }
}
"""


class KatexError(SphinxError):
    """A formula KaTeX cannot render: the build stops, naming the page and the TeX."""

    category = "Maths error"


class Katex:
    """KaTeX (``katex.min.js``) in an embedded V8 (``mini-racer``): TeX to HTML and MathML.

    Every formula is rendered with ``throwOnError`` and ``strict="error"``: anything KaTeX
    would show in red, or render differently from LaTeX, raises :class:`ValueError`. Output is
    KaTeX's ``htmlAndMathml``: the HTML that is seen (``aria-hidden``) and the MathML that
    screen readers read, with the TeX as its annotation.

    Parameters
    ----------
    script : path-like
        ``katex.min.js``.
    macros : mapping of str to str, optional
        TeX macros (``{"\\RR": "\\mathbb{R}"}``), the same for every formula.
    """

    def __init__(
        self,
        script: str | os.PathLike[str] = KATEX_DIR / "katex.min.js",
        macros: Mapping[str, str] | None = None,
    ) -> None:
        try:
            from py_mini_racer import MiniRacer
        except ImportError:
            raise KatexError(
                "the book's maths is rendered when it is built, by KaTeX in mini-racer: "
                "pip install -r requirements-dev.txt (make book does)"
            ) from None
        macros = dict(macros or {})
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in macros.items()):
            raise TypeError("macros must map str to str")
        self._ctx = MiniRacer()
        # Closed before the interpreter exits: a V8 context left to the garbage collector at
        # shutdown hung the process at exit about one time in six (measured).
        atexit.register(self.close)
        self._ctx.eval(Path(script).read_text(encoding="utf-8"))
        self._ctx.eval(_RENDER_JS)
        self.version = str(self._ctx.eval("katex.version"))
        self.macros = macros
        self._cache: dict[tuple[str, bool], str] = {}

    def close(self) -> None:
        """Free the V8 context (once; :meth:`render` cannot be used after)."""
        if self._ctx is not None:
            self._ctx.close()
            self._ctx = None
            atexit.unregister(self.close)

    def render(self, tex: str, *, display: bool) -> str:
        """The HTML (+ MathML) of ``tex``, inline or in display mode."""
        if not isinstance(tex, str):
            raise TypeError(f"tex must be a str, got {type(tex).__name__}")
        key = (tex, bool(display))
        if key not in self._cache:
            if self._ctx is None:
                raise RuntimeError("this Katex is closed")
            options = {
                "displayMode": bool(display),
                "throwOnError": True,
                "strict": "error",
                "output": "htmlAndMathml",
                "trust": False,
                "macros": dict(self.macros),  # KaTeX writes \gdef into it: a fresh copy
            }
            result = json.loads(self._ctx.call("gvxRender", tex, options))
            if "error" in result:
                raise ValueError(result["error"])
            self._cache[key] = result["html"]
        return self._cache[key]


_KATEX: dict[str, Katex] = {}


def _katex(config: Any) -> Katex:
    macros = dict(getattr(config, "gvx_maths_macros", None) or {})
    key = json.dumps(macros, sort_keys=True)
    if key not in _KATEX:
        _KATEX[key] = Katex(macros=macros)
    return _KATEX[key]


def _top_level_newline(tex: str) -> bool:
    r"""Whether ``tex`` breaks lines (``\\``) outside any ``\begin{...}`` environment."""
    depth = 0
    for token in _TEX_TOKEN.findall(tex):
        if token == r"\begin{":
            depth += 1
        elif token == r"\end{":
            depth = max(depth - 1, 0)
        elif depth == 0:
            return True
    return False


def display_tex(text: str, *, nowrap: bool = False) -> str:
    r"""The TeX KaTeX renders for a display-maths block, as Sphinx wraps it for MathJax.

    A block of several equations (separated by blank lines) is aligned, one per line; an
    equation with a line break (``\\``) is aligned (Sphinx's ``split``, which KaTeX lacks:
    ``aligned`` lays it out the same). An amsmath block (``nowrap``, MyST's amsmath) is kept
    as written, its numbered environments starred: the block's number is Sphinx's.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if nowrap:
        return _NUMBERED_ENV.sub(lambda m: f"\\{m[1]}{{{m[2]}*}}", text)
    parts = [part.strip() for part in text.split("\n\n") if part.strip()]
    if len(parts) > 1:
        return "\\begin{aligned}" + " \\\\\n".join(parts) + "\\end{aligned}"
    tex = parts[0] if parts else ""
    return f"\\begin{{aligned}}{tex}\\end{{aligned}}" if _top_level_newline(tex) else tex


def _render(self: Any, node: nodes.Element, tex: str, display: bool) -> str:
    try:
        return _katex(self.builder.config).render(tex, display=display)
    except ValueError as error:
        where = logging.get_node_location(node) or "?"
        raise KatexError(
            f"{self.builder.current_docname} ({where}): this formula does not render: "
            f"{tex!r}: {error}"
        ) from None


def html_visit_math(self: Any, node: nodes.math) -> None:
    """Inline maths: KaTeX's HTML and MathML in ``<span class="math">``."""
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(_render(self, node, node.astext(), display=False) + "</span>")
    raise nodes.SkipNode


def html_visit_displaymath(self: Any, node: nodes.math_block) -> None:
    """Display maths: ``<div class="math">``, Sphinx's equation number and permalink
    (``span.eqno``), then KaTeX's ``span.katex-display`` (the box that scrolls when wide)."""
    html = _render(self, node, display_tex(node.astext(), nowrap=node["nowrap"]), display=True)
    # (an amsmath block keeps its class, "amsmath", from the node)
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node.get("number"):
        self.body.append(f'<span class="eqno">({get_node_equation_number(self, node)})')
        self.add_permalink_ref(node, "Link to this equation")
        self.body.append("</span>")
    self.body.append(html + "</div>\n")
    raise nodes.SkipNode


def _on_config_inited_maths(app: Sphinx, config: Config) -> None:
    """Serve KaTeX's style sheet and fonts (``_static/katex/``); render with it."""
    static = str(KATEX_DIR / "static")
    if static not in config.html_static_path:
        config.html_static_path = [*config.html_static_path, static]
    config.html_math_renderer = "gvx_katex"


# --- pages ----------------------------------------------------------------------------------

#: MIME type of the widget state MyST-NB copies from the notebook metadata into every page.
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: The book's own page script and style sheet (``static/``, served as ``_static/``).
PAGE_JS = "gvx-book.js"
PAGE_CSS = "gvx-book.css"


def _script_key(script: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    filename = str(getattr(script, "filename", script) or "")
    attributes = getattr(script, "attributes", {}) or {}
    return filename, tuple(sorted((k, str(v)) for k, v in attributes.items()))


def page_scripts(scripts: list[Any], *, has_thebe: bool) -> list[Any]:
    """The scripts a page should load, from the ones the Sphinx stack registered for it.

    Drops (1) notebook widget state (``type="application/vnd.jupyter.widget-state+json"``, no
    script on a static page reads it: the explorers there are pictures), (2) a script already
    listed with the same source, body and attributes (sphinx-thebe registers its configuration
    twice, and a second ``const THEBE_JS_URL`` is a ``SyntaxError``) and (3) sphinx-thebe and
    its configuration when ``has_thebe`` is false (no Live Code button without a repository).
    (No page loads a maths script: maths is rendered when the book is built.)

    Parameters
    ----------
    scripts : list
        Sphinx's ``script_files`` (objects with ``filename`` and ``attributes``).
    has_thebe : bool
        Whether the page offers Live Code.
    """
    if not isinstance(scripts, list):
        raise TypeError(f"scripts must be a list, got {type(scripts).__name__}")
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    kept = []
    for script in scripts:
        key = _script_key(script)
        filename, attributes = key[0], dict(key[1])
        body = attributes.get("body", "")
        if attributes.get("type") == WIDGET_STATE or key in seen:
            continue
        if not has_thebe and ("sphinx-thebe" in filename or "THEBE_JS_URL" in body):
            continue
        seen.add(key)
        kept.append(script)
    return kept


#: sphinx-design's assets, which it adds to every page; only a page with its elements (an
#: ``sd-`` class: grids, cards, tabs, badges...) needs them. The book has none today.
SPHINX_DESIGN_ASSETS = frozenset({"sphinx-design.min.css", "design-tabs.js"})
_SPHINX_DESIGN_CLASS = re.compile(r'class="(?:[^"]*\s)?sd-')

#: docutils' HTML5 writer marks a bibliography entry with the deprecated ``doc-biblioentry``
#: role inside a ``role="list"``: axe-core reports aria-required-children (critical).
_BIBLIOENTRY = re.compile(r'(<div class="citation" id="[^"]*" )role="doc-biblioentry"')


def _on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Trim the page's scripts (:func:`page_scripts`); KaTeX's style sheet only on pages with
    maths (Sphinx also counts the maths of a page's toctree children); bibliography entries
    as list items."""
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        launch = app.config.html_theme_options.get("launch_buttons", {}) or {}
        has_thebe = bool(launch.get("thebe")) and _repository(app.config) is not None
        scripts[:] = page_scripts(scripts, has_thebe=has_thebe)
    styles = context.get("css_files")
    math = app.env.get_domain("math")
    has_maths = bool(math.data.get("has_equations", {}).get(pagename, False))
    if isinstance(styles, list) and not has_maths:
        styles[:] = [
            c
            for c in styles
            if str(getattr(c, "filename", c)).removeprefix("_static/") != KATEX_CSS
        ]
    body = context.get("body")
    if not _SPHINX_DESIGN_CLASS.search(body if isinstance(body, str) else ""):
        # sphinx-design's style sheet (55 kB) and tabs script, on pages without its elements
        # (the index and search pages have no body, and no sphinx-design element either)
        for assets in (styles, scripts):
            if isinstance(assets, list):
                assets[:] = [
                    a
                    for a in assets
                    if posixpath.basename(str(getattr(a, "filename", a) or ""))
                    not in SPHINX_DESIGN_ASSETS
                ]
    body = context.get("body")
    if isinstance(body, str) and "doc-biblioentry" in body:
        body = context["body"] = _BIBLIOENTRY.sub(r'\1role="listitem"', body)
    if isinstance(body, str):
        context["body"] = stack_labels(solution_titles(unique_ids(body)))


#: sphinx-exercise 1.x gives every exercise's and solution's body the same id
#: (``exercise-content``, ``solution-content``); nothing links to them.
_REPEATED_IDS = re.compile(r'id="(exercise-content|solution-content)"')


#: sphinx-exercise 1.x writes a solution's title as ``Solution to<a ...> Exercise 6.1 (...)</a>``:
#: the space is inside the link, so its underline starts with a blank.
_SOLUTION_TITLE = re.compile(r'(<p class="admonition-title">Solution to)(<a [^>]*>) ')


def solution_titles(html: str) -> str:
    """``html`` with each solution title's space moved out of its link (``Solution to <a>``)."""
    if not isinstance(html, str):
        raise TypeError(f"html must be a str, got {type(html).__name__}")
    return _SOLUTION_TITLE.sub(r"\1 \2", html)


_STACK_TABLE = re.compile(r'(<div class="[^"]*\bgvx-stack\b[^"]*">.*?</table>)', re.S)
_HEAD_CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.S)
_ROW = re.compile(r"<tr[^>]*>.*?</tr>", re.S)
_MATH_START = re.compile(r'<span class="math[\s"]')
_SPAN_TAG = re.compile(r"<span\b|</span>")


def strip_maths(html: str) -> str:
    """``html`` without its maths (each ``<span class="math ...">`` with everything in it, the
    rendered formula's nested spans included)."""
    out, pos = [], 0
    while (start := _MATH_START.search(html, pos)) is not None:
        out.append(html[pos : start.start()])
        depth, pos = 0, len(html)
        for tag in _SPAN_TAG.finditer(html, start.start()):
            depth += 1 if tag.group(0) == "<span" else -1
            if depth == 0:
                pos = tag.end()
                break
    return "".join(out) + html[pos:]


def _label(cell: str) -> str:
    """A header cell's words, without its maths and tags (``Function \\(\\phi(z)\\)`` ->
    ``Function``; the maths would not read as words in a CSS label)."""
    text = re.sub(r"<[^>]+>", "", strip_maths(cell))
    return html_module.escape(" ".join(html_module.unescape(text).split()), quote=True)


def stack_labels(html: str) -> str:
    """``html`` with every body cell of a ``gvx-stack`` table labelled by its column's header
    (``data-label``): stacked on a phone, where the header row is hidden, a cell shows its
    column's name (``static/gvx-book.css``)."""
    if not isinstance(html, str):
        raise TypeError(f"html must be a str, got {type(html).__name__}")

    def label_table(match: re.Match[str]) -> str:
        table = match.group(1)
        head, sep, body = table.partition("</thead>")
        if not sep:
            return table
        labels = [_label(c) for c in _HEAD_CELL.findall(head)]

        def label_row(row: re.Match[str]) -> str:
            cells = iter(labels)
            return re.sub(
                r"<td(?=[ >])", lambda td: f'<td data-label="{next(cells, "")}"', row.group(0)
            )

        return head + sep + _ROW.sub(label_row, body)

    return _STACK_TABLE.sub(label_table, html)


def unique_ids(html: str) -> str:
    """``html`` with the n-th repeated sphinx-exercise body id made unique (``-2``, ``-3`` ...;
    the first keeps its name): an id must be unique in a page (HTML, section 3.2.6)."""
    if not isinstance(html, str):
        raise TypeError(f"html must be a str, got {type(html).__name__}")
    seen: dict[str, int] = {}

    def rename(match: re.Match[str]) -> str:
        name = match.group(1)
        seen[name] = seen.get(name, 0) + 1
        return match.group(0) if seen[name] == 1 else f'id="{name}-{seen[name]}"'

    return _REPEATED_IDS.sub(rename, html)


#: Largest mean absolute error (per channel, 0-255) a palette PNG may have to replace a figure.
PALETTE_MAX_MEAN_ERROR = 0.5


def shrink_png(path: str | os.PathLike[str]) -> tuple[int, int]:
    """Re-encode a figure PNG smaller, at the same pixel size: ``(bytes before, bytes after)``.

    The course's figures are matplotlib plots rendered at 2x (``gradlab.plotting.RENDER_DPI``)
    on an opaque background: flat colours and anti-aliased lines, a few thousand distinct
    colours. Such an image is written as an 8-bit palette PNG (median-cut quantisation to 256
    colours, no dithering; PNG palette images: ISO/IEC 15948, section 4.4) when its mean
    absolute error stays below :data:`PALETTE_MAX_MEAN_ERROR` per channel, else as an
    optimised RGB PNG when it is opaque (lossless); the smaller file wins and the original is
    kept when neither is smaller. Resolution is untouched, so the figure stays as sharp at
    390 and 1280 px. A palette image (already shrunk) is left alone.

    Parameters
    ----------
    path : path-like
        A PNG file, rewritten in place.
    """
    import io

    import numpy as np
    from PIL import Image

    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a path, got {type(path).__name__}")
    path = Path(path)
    if path.suffix.lower() != ".png" or not path.is_file():
        raise ValueError(f"path must be an existing .png file, got {path}")
    data = path.read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        image.load()
    if image.mode in ("P", "L", "1"):
        return len(data), len(data)
    rgba = image.convert("RGBA")
    if rgba.getchannel("A").getextrema() != (255, 255):
        return len(data), len(data)  # transparency: leave it as it is
    rgb = rgba.convert("RGB")
    candidates = []
    lossless = io.BytesIO()
    rgb.save(lossless, "PNG", optimize=True)
    candidates.append(lossless.getvalue())
    palette = rgb.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    error = np.abs(
        np.asarray(palette.convert("RGB"), dtype=np.int16) - np.asarray(rgb, dtype=np.int16)
    ).mean()
    if error <= PALETTE_MAX_MEAN_ERROR:
        small = io.BytesIO()
        palette.save(small, "PNG", optimize=True)
        candidates.append(small.getvalue())
    best = min(candidates, key=len)
    if len(best) < len(data):
        path.write_bytes(best)
        return len(data), len(best)
    return len(data), len(data)


#: pydata-sphinx-theme 0.17 loads Font Awesome twice: its style sheet (the webfonts, which
#: draw every icon of the theme and of sphinx-book-theme) and ``fontawesome.js`` (1.5 MB, "so
#: that users can add custom icons", which swaps each icon for an inline SVG). The book adds
#: no custom icon, so the script is left out.
_FONTAWESOME_JS = re.compile(
    r'[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*">'
    r"</script>\n?"
)


def drop_fontawesome_js(html: str) -> str:
    """``html`` without pydata-sphinx-theme's ``<script ... fontawesome.js>`` (see above)."""
    if not isinstance(html, str):
        raise TypeError(f"html must be a str, got {type(html).__name__}")
    return _FONTAWESOME_JS.sub("", html)


#: A Font Awesome icon rule of pydata-sphinx-theme's style sheet (Font Awesome 6's CSS, 1,800
#: icons): ``.fa-sun:before{content:"\f185"}``, one or more selectors for one code point.
_FA_ICON_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:(?:before|after),?)+)\{content:"\\([0-9a-f]+)"\}')
_FA_NAME = re.compile(r"\bfa-[a-z0-9-]+")
#: Font Awesome's webfonts as pydata-sphinx-theme ships them (under ``_static/``).
FA_FONTS = "vendor/fontawesome/webfonts"


def fontawesome_names(texts: list[str]) -> set[str]:
    """Every ``fa-NAME`` token in ``texts`` (the built pages and the scripts they load)."""
    return {name for text in texts for name in _FA_NAME.findall(text)}


def prune_icon_rules(css: str, used: set[str]) -> tuple[str, set[int]]:
    """``css`` with the Font Awesome icon rules of icons not in ``used`` left out (and unused
    aliases dropped from kept rules), and the code points of the icons kept."""
    if not isinstance(css, str):
        raise TypeError(f"css must be a str, got {type(css).__name__}")
    kept: set[int] = set()

    def keep(match: re.Match[str]) -> str:
        selectors = [s for s in match[1].split(",") if s.split(":")[0][1:] in used]
        if not selectors:
            return ""
        kept.add(int(match[2], 16))
        return ",".join(selectors) + '{content:"\\' + match[2] + '"}'

    return _FA_ICON_RULE.sub(keep, css), kept


def subset_font(path: str | os.PathLike[str], codepoints: set[int]) -> tuple[int, int]:
    """Rewrite the WOFF2 font at ``path`` with only the glyphs of ``codepoints``: ``(bytes
    before, bytes after)``."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    path = Path(path)
    before = path.stat().st_size
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    font = TTFont(path)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    font.flavor = "woff2"
    font.save(path)
    return before, path.stat().st_size


def trim_fontawesome(outdir: str | os.PathLike[str]) -> tuple[int, int]:
    """Shrink Font Awesome in a built book to the icons it shows: ``(bytes before, after)``.

    pydata-sphinx-theme's style sheet carries Font Awesome 6's 1,800 icon rules (85 kB) and its
    solid webfont every glyph (150 kB), on every page, for the 16 icons the book's header and
    buttons use. The icons used are the ``fa-NAME`` classes in the built pages and in the
    scripts they load (Font Awesome's own script, left out of the pages, excepted): the other
    icon rules are left out of the style sheet and the webfonts keep only the glyphs of the
    rules kept. Sphinx copies the theme's originals again on every build, and this runs after.
    """
    outdir = Path(outdir)
    static = outdir / "_static"
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in outdir.rglob("*.html")]
    texts += [
        p.read_text(encoding="utf-8", errors="replace")
        for p in static.rglob("*.js")
        if p.name != "fontawesome.js"
    ]
    used = fontawesome_names(texts)
    before = after = 0
    codepoints: set[int] = set()
    for sheet in static.rglob("*.css"):
        css = sheet.read_text(encoding="utf-8")
        if FA_FONTS not in css:
            continue
        lean, kept = prune_icon_rules(css, used)
        codepoints |= kept
        before, after = before + len(css.encode()), after + len(lean.encode())
        sheet.write_text(lean, encoding="utf-8")
    if not codepoints:
        return before, after
    for font in sorted((static / FA_FONTS).glob("*.woff2")):
        old, new = subset_font(font, codepoints)
        before, after = before + old, after + new
    return before, after


_AUTO_THEME = re.compile(r'(<html\b[^>]*\bdata-theme=")auto(")')


def light_without_script(html: str) -> str:
    """``html`` whose ``<html>`` tag says ``data-theme="light"`` instead of ``"auto"``.

    The theme defines its colours for ``light`` and ``dark`` only, and its script turns
    ``auto`` into one of them; without JavaScript the page kept ``auto`` and lost every colour
    (plain black headings, no code highlighting, a see-through header). With JavaScript on
    nothing changes: the theme's first script, in the head, sets ``data-theme`` from the
    reader's choice (``auto`` by default) before the page is drawn.
    """
    if not isinstance(html, str):
        raise TypeError(f"html must be a str, got {type(html).__name__}")
    return _AUTO_THEME.sub(r"\1light\2", html, count=1)


def _on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    """Leave Font Awesome's script out of every page and its unused icons out of the theme's
    style sheet and fonts (:func:`trim_fontawesome`); shrink the figures (:func:`shrink_png`)."""
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        lean = light_without_script(drop_fontawesome_js(text))
        if lean != text:
            page.write_text(lean, encoding="utf-8")
    before, after = trim_fontawesome(app.outdir)
    logger.info(f"[gvx_book] Font Awesome: {before / 1e3:.0f} kB -> {after / 1e3:.0f} kB")
    if not app.config.gvx_shrink_png:
        return
    before = after = 0
    for path in sorted((Path(app.outdir) / "_images").glob("*.png")):
        old, new = shrink_png(path)
        before, after = before + old, after + new
    if before:
        logger.info(f"[gvx_book] figures: {before / 1e3:.0f} kB -> {after / 1e3:.0f} kB")


def _visit_skip(self: Any, node: nodes.Node) -> None:
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("gvx_repository", None, "html", types=[dict, type(None)])
    app.add_config_value("gvx_shrink_png", True, "html", types=[bool])
    # TeX macros for every formula (KaTeX's ``macros``); MathJax's configuration defined none.
    app.add_config_value("gvx_maths_macros", {}, "env", types=[dict])
    app.connect("config-inited", _on_config_inited)
    app.connect("config-inited", _on_config_inited_maths)
    app.add_html_math_renderer("gvx_katex", (html_visit_math, None), (html_visit_displaymath, None))
    app.add_css_file(KATEX_CSS)
    app.connect("source-read", _rewrite_citation_links)
    app.connect("source-read", _drop_notebook_only_outputs)
    app.add_transform(ReadLinks)
    app.connect("doctree-read", _register_section_labels)
    app.add_node(
        gvx_citation,
        html=(_visit_skip, None),
        latex=(_visit_skip, None),
        text=(_visit_skip, None),
    )
    # After sphinx-thebe's doctree-resolved handler (priority 500), which adds its config.
    app.connect("doctree-resolved", _on_doctree_resolved, priority=600)
    # After MyST-NB's per-page scripts (priority 500).
    app.connect("html-page-context", _on_html_page_context, priority=900)
    app.add_css_file(PAGE_CSS)
    app.add_js_file(PAGE_JS, defer="defer")
    app.connect("build-finished", _on_build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
