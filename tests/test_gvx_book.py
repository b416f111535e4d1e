"""The book's local Sphinx extension (tools/gvx_book.py), its config, and the sources it reads.

Repository discovery, the theme options it sets (checked by running sphinx-book-theme's own
launch-button code on them), the link forms the chapters use, and `make lab`.
"""

from __future__ import annotations

import importlib
import json
import pathlib
import re
import shutil
import subprocess
import sys
import types

import pytest
import yaml

from _book import NOTEBOOKS, ROOT, load, source

# The book's Sphinx extension, imported the way Jupyter Book loads it (tools/ on the path).
sys.path.insert(0, str(ROOT / "tools"))
gvx = importlib.import_module("gvx_book")

CHAPTER = "book/01_exponential_weights"
BIB_KEYS = set(re.findall(r"@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text()))


def fake_git(outputs: dict[str, str | None]):
    """A ``git(args)`` that answers from ``outputs`` (keyed by the joined args)."""
    calls = []

    def git(args):
        calls.append(args)
        return outputs.get(" ".join(args))

    git.calls = calls
    return git


# --- parse_github_url ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/owner/name",
        "https://github.com/owner/name.git",
        "https://github.com/owner/name/",
        "http://github.com/owner/name",
        "git@github.com:owner/name.git",
        "git@github.com:owner/name",
        "ssh://git@github.com/owner/name.git",
        "https://user@github.com/owner/name.git",
        "  https://github.com/owner/name.git\n",
    ],
)
def test_parse_github_url_forms(url):
    assert gvx.parse_github_url(url) == ("owner", "name")


def test_parse_github_url_keeps_dots_and_dashes():
    assert gvx.parse_github_url("git@github.com:my-org/gradients.vanishing-exploding.git") == (
        "my-org",
        "gradients.vanishing-exploding",
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://gitlab.com/owner/name.git",
        "git@gitlab.com:owner/name.git",
        "https://github.example.com/owner/name",
        "https://github.com.evil.org/owner/name",
        "https://github.com/owner",
        "https://github.com/owner/name/tree/main",
        "/srv/git/name.git",
        "",
    ],
)
def test_parse_github_url_rejects_other_remotes(url):
    assert gvx.parse_github_url(url) is None


def test_parse_github_url_type():
    with pytest.raises(TypeError, match="url"):
        gvx.parse_github_url(None)


# --- discover_repository ---------------------------------------------------------------------


def test_discover_env_override_wins_over_everything():
    git = fake_git({"remote get-url origin": "git@github.com:other/repo.git"})
    env = {
        "GVX_REPOSITORY_URL": "https://github.com/example-org/gve",
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": "ci/repo",
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_REF_NAME": "main",
    }
    repo = gvx.discover_repository(ROOT, env, git)
    assert (repo.owner, repo.name, repo.branch) == ("example-org", "gve", "main")
    assert repo.url == "https://github.com/example-org/gve"
    env["GVX_REPOSITORY_BRANCH"] = "course-v2"
    assert gvx.discover_repository(ROOT, env, git).branch == "course-v2"


def test_discover_env_override_none_disables():
    git = fake_git({"remote get-url origin": "git@github.com:other/repo.git"})
    assert gvx.discover_repository(ROOT, {"GVX_REPOSITORY_URL": "none"}, git) is None


def test_discover_env_override_must_be_github():
    with pytest.raises(ValueError, match="GVX_REPOSITORY_URL"):
        gvx.discover_repository(
            ROOT, {"GVX_REPOSITORY_URL": "https://gitlab.com/o/n"}, fake_git({})
        )


def test_discover_github_actions_push():
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "someone/gradients-vanishing-exploding",
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_REF_NAME": "main",
        "GITHUB_SHA": "0123abc",
    }
    git = fake_git({"remote get-url origin": "git@github.com:wrong/remote.git"})
    repo = gvx.discover_repository(ROOT, env, git)
    assert repo == gvx.Repository("someone", "gradients-vanishing-exploding", "main", "")


def test_discover_github_actions_pull_request_uses_the_commit():
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "someone/gve",
        "GITHUB_REF": "refs/pull/7/merge",
        "GITHUB_REF_NAME": "7/merge",
        "GITHUB_SHA": "0123abc",
    }
    assert gvx.discover_repository(ROOT, env, fake_git({})).branch == "0123abc"


def test_discover_github_enterprise_is_not_github():
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_SERVER_URL": "https://git.corp.example",
        "GITHUB_REPOSITORY": "team/gve",
    }
    assert gvx.discover_repository(ROOT, env, fake_git({})) is None


@pytest.mark.parametrize(
    "remote",
    [
        "git@github.com:owner/name.git",
        "https://github.com/owner/name.git",
        "https://github.com/owner/name",
    ],
)
def test_discover_origin_remote(remote):
    git = fake_git(
        {
            "remote get-url origin": remote,
            "rev-parse --abbrev-ref --symbolic-full-name @{upstream}": "origin/trunk",
            "rev-parse --show-prefix": "",
        }
    )
    assert gvx.discover_repository(ROOT, {}, git) == gvx.Repository("owner", "name", "trunk", "")


def test_discover_branch_falls_back_to_origin_head_then_main():
    outputs = {
        "remote get-url origin": "git@github.com:owner/name.git",
        "symbolic-ref --short refs/remotes/origin/HEAD": "origin/develop",
    }
    assert gvx.discover_repository(ROOT, {}, fake_git(outputs)).branch == "develop"
    del outputs["symbolic-ref --short refs/remotes/origin/HEAD"]
    assert gvx.discover_repository(ROOT, {}, fake_git(outputs)).branch == "main"
    # an upstream on another remote (a fork, say) is not the branch Binder can see
    outputs["rev-parse --abbrev-ref --symbolic-full-name @{upstream}"] = "fork/feature"
    assert gvx.discover_repository(ROOT, {}, fake_git(outputs)).branch == "main"


def test_discover_book_in_a_subfolder():
    git = fake_git(
        {
            "remote get-url origin": "git@github.com:owner/name.git",
            "rev-parse --show-prefix": "course/",
        }
    )
    repo = gvx.discover_repository(ROOT, {}, git)
    assert repo.path_to_book == "course"
    assert repo.binder_url("book/x.ipynb").endswith("?urlpath=lab/tree/course/book/x.ipynb")


@pytest.mark.parametrize("remote", ["https://gitlab.com/owner/name.git", "/srv/git/name.git", None])
def test_discover_non_github_or_no_remote(remote):
    assert gvx.discover_repository(ROOT, {}, fake_git({"remote get-url origin": remote})) is None


def test_discover_root_type():
    with pytest.raises(TypeError, match="root"):
        gvx.discover_repository(3, {}, fake_git({}))


@pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")
def test_discover_with_real_git(tmp_path):
    def run(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    run("init", "-q", "-b", "main")
    assert gvx.discover_repository(tmp_path, {}) is None  # no remote
    run("remote", "add", "origin", "git@github.com:owner/name.git")
    assert gvx.discover_repository(tmp_path, {}) == gvx.Repository("owner", "name", "main", "")
    (tmp_path / "book").mkdir()
    assert gvx.discover_repository(tmp_path / "book", {}).path_to_book == "book"
    run("remote", "set-url", "origin", "https://gitlab.com/owner/name.git")
    assert gvx.discover_repository(tmp_path, {}) is None


def test_binder_url_form_and_validation():
    repo = gvx.Repository("OWNER", "NAME", "BRANCH")
    assert (
        repo.binder_url("book/learner/01_exponential_weights_learner.ipynb")
        == "https://mybinder.org/v2/gh/OWNER/NAME/BRANCH"
        "?urlpath=lab/tree/book/learner/01_exponential_weights_learner.ipynb"
    )
    assert (
        gvx.Repository("o", "n", "feature/x")
        .binder_url("a.ipynb")
        .startswith("https://mybinder.org/v2/gh/o/n/feature%2Fx?")
    )
    for bad in ("", "/abs.ipynb", None):
        with pytest.raises(ValueError, match="path"):
            repo.binder_url(bad)


# --- configure_repository, checked with sphinx-book-theme's own button code -------------------


class FakeConfig(types.SimpleNamespace):
    def __getitem__(self, key):
        return getattr(self, key)


def book_config() -> FakeConfig:
    """The theme options Jupyter Book derives from _config.yml."""
    from jupyter_book.config import get_final_config

    sphinx_config, _ = get_final_config(
        user_yaml=ROOT / "_config.yml", cli_config={"latex_individualpages": False}, sourcedir=ROOT
    )
    return FakeConfig(
        html_theme_options=sphinx_config["html_theme_options"],
        html_context={},
        html_theme="sphinx_book_theme",
    )


def header_buttons(config: FakeConfig) -> list[dict]:
    """The header buttons sphinx-book-theme 1.3 builds for Chapter 1 with ``config``."""
    from sphinx_book_theme.header_buttons import update_context_with_repository_info
    from sphinx_book_theme.header_buttons.launch import add_launch_buttons
    from sphinx_book_theme.header_buttons.source import add_source_buttons

    app = types.SimpleNamespace(
        config=config,
        builder=None,
        env=types.SimpleNamespace(
            doc2path=lambda name: str(ROOT / f"{name}.ipynb"),
            metadata={CHAPTER: {"kernelspec": {"name": "python3"}}},
        ),
    )
    update_context_with_repository_info(app)
    context = dict(
        config.html_context,
        header_buttons=[],
        pagename=CHAPTER,
        sourcename=f"{CHAPTER}.ipynb",
        page_source_suffix=".ipynb",
    )
    add_source_buttons(app, CHAPTER, "page.html", context, None)
    add_launch_buttons(app, CHAPTER, "page.html", context, None)
    return context["header_buttons"]


def flat(buttons: list[dict]) -> list[dict]:
    out = []
    for b in buttons:
        out += flat(b["buttons"]) if b.get("type") == "group" else [b]
    return out


def test_config_yml_has_no_placeholder_repository():
    text = (ROOT / "_config.yml").read_text()
    assert "REPLACE" not in text and "github.com/" not in text
    cfg = yaml.safe_load(text)
    assert cfg["repository"]["url"] == ""
    assert cfg["sphinx"]["local_extensions"]["gvx_book"] == "tools"


def test_configure_with_repository_gives_binder_jupyterlab_and_repo_buttons():
    config = book_config()
    gvx.configure_repository(config, gvx.Repository("OWNER", "NAME", "BRANCH"))
    buttons = {b.get("label") or b["text"]: b for b in flat(header_buttons(config))}
    assert buttons["Binder"]["url"] == (
        "https://mybinder.org/v2/gh/OWNER/NAME/BRANCH"
        "?urlpath=lab/tree/book/01_exponential_weights.ipynb"
    )
    assert buttons["launch-thebe"]["javascript"] == "initThebeSBT()"
    assert buttons["source-repository-button"]["url"] == "https://github.com/OWNER/NAME"
    assert buttons["source-issues-button"]["url"].startswith(
        "https://github.com/OWNER/NAME/issues/new?"
    )
    assert config.gvx_repository == {
        "owner": "OWNER",
        "name": "NAME",
        "branch": "BRANCH",
        "path_to_book": "",
    }


def test_configure_without_repository_leaves_the_buttons_out():
    config = book_config()
    config.html_context = {"github_user": "stale"}
    gvx.configure_repository(config, None)
    labels = [b.get("label") for b in flat(header_buttons(config))]
    assert labels == []  # no repository, issues, Binder or Live Code button
    opts = config.html_theme_options
    assert "repository_url" not in opts and not opts["use_repository_button"]
    assert not opts["use_issues_button"]
    assert "binderhub_url" not in opts["launch_buttons"]
    assert "thebe" not in opts["launch_buttons"]
    assert config.html_context == {} and config.gvx_repository is None


def test_configure_validates_its_arguments():
    with pytest.raises(TypeError, match="html_theme_options"):
        gvx.configure_repository(types.SimpleNamespace(), None)
    with pytest.raises(TypeError, match="repo"):
        gvx.configure_repository(book_config(), "https://github.com/o/n")


# --- the link forms the chapters use ---------------------------------------------------------


def markdown_cells(path):
    return [source(c) for c in load(path)["cells"] if c["cell_type"] == "markdown"]


def test_citation_link_regex():
    text = "see ([A, 2010](references.bib#a2010x); [B et al., 2011](../references.bib#b:2011))."
    assert [(m["bib"], m["key"]) for m in gvx.CITATION_LINK.finditer(text)] == [
        ("references.bib", "a2010x"),
        ("../references.bib", "b:2011"),
    ]
    out = [text]
    gvx._rewrite_citation_links(None, "doc", out)
    assert out[0] == "see ([A, 2010](gvx-cite:a2010x); [B et al., 2011](gvx-cite:b:2011))."


def test_notebooks_cite_only_with_links_to_known_keys():
    """Citations are `[Author, year](references.bib#key)`; no {cite} role (JupyterLab can't)."""
    for path in NOTEBOOKS:
        for text in markdown_cells(path):
            assert not re.search(r"\{(foot)?cite[\w:]*\}", text), f"{path.name}: use a cite link"
            for m in gvx.CITATION_LINK.finditer(text):
                assert (path.parent / m["bib"]).resolve() == ROOT / "book" / "references.bib"
                assert m["key"] in BIB_KEYS, f"{path.name} cites unknown {m['key']}"
            # an author-year text in front of every citation link
            for label in re.findall(r"\[([^\]]*)\]\([\w./-]*\.bib#", text):
                assert re.search(r"\w.*\b(1[89]|20)\d\d[a-z]?$", label), label


def test_chapters_link_their_learner_notebook_in_the_exercises():
    for path in NOTEBOOKS:
        if not path.name[:2].isdigit():
            continue
        target = f"learner/{path.stem}_learner.ipynb"
        cells = markdown_cells(path)
        heading = next(i for i, t in enumerate(cells) if re.search(r"^#+ .*Exercises", t, re.M))
        text = cells[heading].split("Exercises", 1)[1]
        assert re.search(r":::\{admonition\} Do the exercises in your own notebook", text), path
        assert f"]({target})" in text, f"{path.name}: no link to {target} in its exercises"
        assert gvx.LEARNER_PATH.search(target)


# --- make lab ----------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(("uid", "flag"), [("0", True), ("1000", False)])
def test_make_lab_allows_root_only_as_root(uid, flag):
    out = subprocess.run(
        ["make", "-s", "-n", "lab", f"USER_ID={uid}", "STAMP=Makefile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if "jupyter lab" in x)
    assert ("--allow-root" in line) is flag
    assert line.rstrip().endswith("book/")


# --- pages -----------------------------------------------------------------------------------


def _js(filename, **attributes):
    return types.SimpleNamespace(filename=filename, attributes=attributes)


def test_page_scripts_drop_widget_state_duplicates_and_thebe():
    state = _js("", type=gvx.WIDGET_STATE, body='{"state": {}}')
    thebe_config = _js("", body='const THEBE_JS_URL = "https://unpkg.com/thebe"')
    thebe = _js("_static/sphinx-thebe.js", **{"async": "async"})
    other = _js("_static/doctools.js")
    scripts = [other, state, thebe_config, thebe, thebe_config]
    assert gvx.page_scripts(scripts, has_thebe=True) == [other, thebe_config, thebe]
    assert gvx.page_scripts(scripts, has_thebe=False) == [other]
    assert gvx.page_scripts([], has_thebe=True) == []
    with pytest.raises(TypeError, match="scripts"):
        gvx.page_scripts((other,), has_thebe=True)


# --- maths, rendered at build time -------------------------------------------------------------


@pytest.fixture(scope="module")
def katex():
    renderer = gvx.Katex()
    yield renderer
    renderer.close()


def test_katex_renders_html_for_the_eye_and_mathml_with_the_tex(katex):
    tex = r"\frac{\partial L}{\partial w_\ell} < 1"
    inline = katex.render(tex, display=False)
    display = katex.render(tex, display=True)
    for html in (inline, display):
        assert html.count('<span class="katex">') == 1
        assert '<span class="katex-html" aria-hidden="true">' in html  # seen, not read
        math = re.search(r"<math\b.*?</math>", html, re.S)[0]  # read by screen readers
        assert "<mfrac>" in math and "&lt;" in math
        assert '<annotation encoding="application/x-tex">' in math and r"\partial L" in math
    assert "katex-display" in display and 'display="block"' in display
    assert "katex-display" not in inline and 'display="block"' not in inline
    assert katex.version == (gvx.KATEX_DIR / "VERSION").read_text().split()[1]


@pytest.mark.parametrize(
    ("tex", "why"),
    [
        (r"\frac{a", "end of input"),  # unbalanced
        (r"\nosuchmacro x", "Undefined control sequence"),
        ("x é", "strict"),  # renders in KaTeX, not in LaTeX: strict mode refuses it
        (r"\color{red}{x", "end of input"),
    ],
)
def test_katex_refuses_what_it_cannot_render(katex, tex, why):
    with pytest.raises(ValueError, match=why):
        katex.render(tex, display=False)
    with pytest.raises(TypeError, match="tex"):
        katex.render(None, display=False)


def test_katex_macros_apply_to_every_formula_and_nothing_leaks(katex):
    with_macros = gvx.Katex(macros={r"\RR": r"\mathbb{R}"})
    assert "mathbb" in with_macros.render(r"x \in \RR", display=False)
    with pytest.raises(ValueError, match="Undefined control sequence"):
        katex.render(r"x \in \RR", display=False)
    katex.render(r"\gdef\leaky{1}\leaky", display=False)  # \gdef lasts one formula only
    with pytest.raises(ValueError, match="Undefined control sequence"):
        katex.render(r"\leaky", display=False)
    with pytest.raises(TypeError, match="macros"):
        gvx.Katex(macros={r"\RR": 1})
    with_macros.close()
    with_macros.close()  # once is enough
    with pytest.raises(RuntimeError, match="closed"):
        with_macros.render("y", display=False)


def test_display_tex_wraps_blocks_as_sphinx_did_for_mathjax():
    assert gvx.display_tex("a = b") == "a = b"
    # several equations (blank lines between) are aligned, one a line
    assert gvx.display_tex("a = b\n\nc = d\n") == "\\begin{aligned}a = b \\\\\nc = d\\end{aligned}"
    # a line break outside any environment is aligned (Sphinx's split); inside one it is not
    assert gvx.display_tex(r"a &= b \\ c &= d") == r"\begin{aligned}a &= b \\ c &= d\end{aligned}"
    inner = r"f = \begin{cases} 1 \\ 0 \end{cases}"
    assert gvx.display_tex(inner) == inner
    # amsmath (nowrap): as written, numbered environments starred (Sphinx numbers the block)
    ams = "\\begin{align}\na &= b \\\\\nc &= d\n\\end{align}"
    assert gvx.display_tex(ams, nowrap=True) == ams.replace("{align}", "{align*}")
    assert gvx.display_tex(r"\begin{gather*}x\end{gather*}", nowrap=True).count("*") == 2
    with pytest.raises(TypeError, match="text"):
        gvx.display_tex(None)


def test_stack_labels_leave_out_rendered_maths(katex):
    rendered = katex.render(r"\phi(z)", display=False)
    header = f'<span class="math notranslate nohighlight">{rendered}</span>'
    assert gvx.strip_maths("<p>a <span>b</span></p>") == "<p>a <span>b</span></p>"
    assert gvx.strip_maths(f"<p>Function {header} of <span>z</span></p>") == (
        "<p>Function  of <span>z</span></p>"
    )
    table = (
        '<div class="gvx-stack docutils container"><table><thead><tr><th><p>Activation</p></th>'
        f"<th><p>Function {header}</p></th></tr></thead>"
        "<tbody><tr><td><p>relu</p></td><td><p>x</p></td></tr></tbody></table></div>"
    )
    out = gvx.stack_labels(table)
    assert '<td data-label="Function">' in out and '<td data-label="Activation">' in out


def _sphinx_build(tmp_path, pages: dict[str, str], **config):
    """Build ``pages`` (name -> MyST source) with MyST and gvx_book: the HTML of each page."""
    from io import StringIO

    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir()
    conf = {
        "extensions": ["myst_parser", "gvx_book"],
        "myst_enable_extensions": ["amsmath", "dollarmath"],
        "exclude_patterns": ["_build"],
        **config,
    }
    lines = ["import sys", f"sys.path.insert(0, {str(ROOT / 'tools')!r})"]
    lines += [f"{key} = {value!r}" for key, value in conf.items()]
    (src / "conf.py").write_text("\n".join(lines) + "\n")
    toc = "\n".join(f"   {name}" for name in pages if name != "index")
    pages = {"index": f"# Index\n\n```{{toctree}}\n{toc}\n```\n", **pages}
    for name, text in pages.items():
        (src / f"{name}.md").write_text(text)
    out = tmp_path / "html"
    app = Sphinx(
        src,
        src,
        out,
        tmp_path / "doctrees",
        "html",
        status=None,
        warning=StringIO(),
        freshenv=True,
    )
    app.build()
    return {name: (out / f"{name}.html").read_text() for name in pages}, out


def test_the_build_renders_numbers_references_amsmath_and_macros(tmp_path):
    page = (
        "# Maths\n\n$$ E = mc^2 $$ (eq-energy)\n\nAs {eq}`eq-energy` says, $x \\in \\RR$.\n\n"
        "\\begin{align}\na &= b \\\\\nc &= d\n\\end{align}\n\n"
        "\\begin{gather*}\nx\n\\end{gather*}\n"
    )
    html, out = _sphinx_build(
        tmp_path,
        {"maths": page, "words": "# Words\n\nNo maths.\n"},
        gvx_maths_macros={r"\RR": r"\mathbb{R}"},
    )
    maths = html["maths"]
    assert re.search(
        r'<div class="math notranslate nohighlight" id="equation-eq-energy">'
        r'\s*<span class="eqno">\(1\)',
        maths,
    )
    assert re.search(
        r'<a class="reference internal" href="#equation-eq-energy">\(1\)</a>',
        maths,
    )
    ams = re.findall(
        r'<div class="amsmath math notranslate nohighlight"[^>]*>(.*?)</div>', maths, re.S
    )
    assert len(ams) == 2 and '<span class="eqno">(2)' in ams[0] and "eqno" not in ams[1]
    assert all("katex-display" in block for block in ams)
    assert "eqn-num" not in maths  # one number, Sphinx's: KaTeX numbers no line
    assert "mord mathbb" in maths and maths.count("<math") == 4
    assert not re.search(r"<script[^>]*(katex|mathjax)", maths, re.I)
    assert "_static/katex/katex.min.css" in maths and "katex.min.css" not in html["words"]
    css = (out / "_static" / "katex" / "katex.min.css").read_text()
    fonts = set(re.findall(r"url\(fonts/([^)]+)\)", css))
    assert fonts and all((out / "_static" / "katex" / "fonts" / f).is_file() for f in fonts)


def test_a_formula_that_does_not_render_fails_the_build_naming_the_page(tmp_path):
    pages = {"fine": "# Fine\n\n$x$\n", "broken": "# Broken\n\nText $\\frac{a$ more.\n"}
    with pytest.raises(gvx.KatexError) as failure:
        _sphinx_build(tmp_path, pages)
    message = str(failure.value)
    assert "broken" in message and "broken.md" in message and r"\\frac{a" in message
    assert "fine" not in message and "end of input" in message


def test_shrink_png_keeps_a_plot_sharp_and_makes_it_smaller(tmp_path):
    import numpy as np
    from PIL import Image

    from gradlab import plotting

    fig, ax = plotting.new_figure()
    rng = np.random.default_rng(0)
    ax.plot(np.cumsum(rng.normal(size=(200, 20)), axis=0), alpha=0.6)
    path = tmp_path / "figure.png"
    path.write_bytes(plotting.png_bytes(fig))
    original = np.asarray(Image.open(path).convert("RGB"), dtype=float)
    before, after = gvx.shrink_png(path)
    assert after == path.stat().st_size and after < 0.6 * before, (before, after)
    shrunk = Image.open(path)
    assert shrunk.size == (original.shape[1], original.shape[0])  # same resolution
    error = np.abs(np.asarray(shrunk.convert("RGB"), dtype=float) - original).mean()
    assert error <= gvx.PALETTE_MAX_MEAN_ERROR
    assert gvx.shrink_png(path) == (after, after)  # idempotent


def test_shrink_png_never_loses_noise_or_transparency(tmp_path):
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(1)
    noise = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    path = tmp_path / "noise.png"
    Image.fromarray(noise).save(path, compress_level=0)
    gvx.shrink_png(path)
    assert (np.asarray(Image.open(path).convert("RGB")) == noise).all()  # lossless only
    clear = tmp_path / "clear.png"
    Image.fromarray(np.zeros((8, 8, 4), dtype=np.uint8)).save(clear)
    data = clear.read_bytes()
    assert gvx.shrink_png(clear) == (len(data), len(data)) and clear.read_bytes() == data
    with pytest.raises(ValueError, match="png"):
        gvx.shrink_png(tmp_path / "missing.png")
    with pytest.raises(TypeError, match="path"):
        gvx.shrink_png(3)


def test_drop_fontawesome_js_leaves_the_rest_of_the_page():
    page = (
        "<head>\n"
        '  <script defer src="../_static/scripts/fontawesome.js?digest=55c2"></script>\n'
        '  <link rel="preload" as="script" href="../_static/scripts/bootstrap.js" />\n'
        '<script src="../_static/doctools.js"></script>\n'
        "</head>"
    )
    lean = gvx.drop_fontawesome_js(page)
    assert "fontawesome" not in lean
    assert lean == page.replace(
        '  <script defer src="../_static/scripts/fontawesome.js?digest=55c2"></script>\n', ""
    )
    assert gvx.drop_fontawesome_js(lean) == lean
    with pytest.raises(TypeError, match="html"):
        gvx.drop_fontawesome_js(b"<head>")


# --- open_solutions ----------------------------------------------------------------------------


def test_open_solutions_drops_the_magic_line_and_opens_the_fold():
    from docutils import nodes
    from docutils.utils import new_document

    doc = new_document("test")
    code = "# Solution\n%solution  # folded\nx = 1\nprint('%solution stays in a string')\n"
    block = nodes.literal_block(code, code)
    other = nodes.literal_block("%solutions = 1\n", "%solutions = 1\n")
    fold = '<details class="gvx-solution-output"><summary>s</summary><pre>42</pre></details>'
    raw = nodes.raw(fold, fold, format="html")
    doc += [block, other, raw]
    assert gvx.open_solutions(doc) == 2
    shown = "# Solution\nx = 1\nprint('%solution stays in a string')\n"
    assert block.astext() == block.rawsource == shown
    assert other.astext() == "%solutions = 1\n"  # not the magic
    assert raw.astext().startswith('<details class="gvx-solution-output" open>')
    assert raw.astext().count("<details") == 1
    assert gvx.open_solutions(doc) == 0  # idempotent


def test_every_solution_cell_folds_its_output():
    """Each chapter's worked solutions start with %solution, so Run All in JupyterLab prints no
    answer; the learner notebooks (no solutions) do not need it."""
    for path in NOTEBOOKS:
        for cell in load(path)["cells"]:
            tags = cell["metadata"].get("tags", [])
            text = source(cell)
            if "exercise-solution" in tags:
                assert text.startswith("# Solution\n%solution  # "), (path.name, text[:40])
            else:
                assert "%solution" not in text, (path.name, text[:40])


def test_drop_notebook_only_outputs():
    from gradlab import plotting

    assert gvx.NOTEBOOK_ONLY_KEY == plotting.NOTEBOOK_ONLY_KEY
    note, meta = plotting.caption_output("fig-scalar-chains", "A caption with $x$.")
    keep = {"output_type": "display_data", "data": {"text/plain": "fig"}, "metadata": {}}
    drop = {"output_type": "display_data", "data": note, "metadata": meta}
    nb = {"cells": [{"cell_type": "code", "outputs": [keep, drop]}, {"cell_type": "markdown"}]}
    text = json.dumps(nb)
    out = json.loads(gvx.drop_notebook_only_outputs(text))
    assert out["cells"][0]["outputs"] == [keep]
    assert out["cells"][1] == {"cell_type": "markdown"}
    plain = json.dumps({"cells": [{"cell_type": "code", "outputs": [keep]}]})
    assert gvx.drop_notebook_only_outputs(plain) is plain
    with pytest.raises(TypeError, match="text"):
        gvx.drop_notebook_only_outputs(b"{}")


def test_html_links_point_in_notebook_links_at_the_glossary_and_bibliography():
    text = (
        "[dead ReLUs](#term-dead-ReLU), [He et al.](#ref-he2015delving), "
        "[Ba](references.bib#ba2016layer), [fig](#fig-x), [sec](#term), [SVD](#maths-svd)"
    )
    assert gvx.html_links(text) == (
        "[dead ReLUs](glossary.md#term-dead-ReLU), [He et al.](gvx-cite:he2015delving), "
        "[Ba](gvx-cite:ba2016layer), [fig](#fig-x), [sec](#term), [SVD](maths.ipynb#maths-svd)"
    )
    with pytest.raises(TypeError, match="text"):
        gvx.html_links(None)


def test_prune_icon_rules_keeps_the_icons_used_and_their_code_points():
    css = (
        ".fa{display:inline-block}"
        '.fa-sun:before{content:"\\f185"}'
        '.fa-gear:before,.fa-cog:before{content:"\\f013"}'
        '.fa-bars:before{content:"\\f0c9"}.fa-spin{animation:x}'
    )
    lean, kept = gvx.prune_icon_rules(css, {"fa-sun", "fa-cog", "fa-spin"})
    assert kept == {0xF185, 0xF013}
    assert lean == (
        '.fa{display:inline-block}.fa-sun:before{content:"\\f185"}'
        '.fa-cog:before{content:"\\f013"}.fa-spin{animation:x}'
    )
    assert gvx.prune_icon_rules(css, set())[1] == set()
    with pytest.raises(TypeError, match="css"):
        gvx.prune_icon_rules(None, set())
    pages = ['<i class="fa-solid fa-sun fa-lg"></i>', 'x.className = "fa-bars"']
    assert gvx.fontawesome_names(pages) == {"fa-solid", "fa-sun", "fa-lg", "fa-bars"}


def test_subset_font_keeps_exactly_the_glyphs_asked_for(tmp_path):
    import pydata_sphinx_theme
    from fontTools.ttLib import TTFont

    theme = pathlib.Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    font = tmp_path / "fa-solid-900.woff2"
    shutil.copy(theme / "static" / gvx.FA_FONTS / "fa-solid-900.woff2", font)
    assert {0xF185, 0xF0C9} < set(TTFont(font).getBestCmap())
    before, after = gvx.subset_font(font, {0xF185, 0xF0C9})
    assert after == font.stat().st_size and after < before / 10
    assert {c for c in TTFont(font).getBestCmap() if c >= 0xE000} == {0xF185, 0xF0C9}


def test_light_without_script_only_changes_the_html_tag():
    page = (
        '<html lang="en" data-content_root="../" data-theme="auto"><head><script>'
        'document.documentElement.dataset.theme = localStorage.getItem("theme") || "auto";'
        '</script></head><body data-theme="auto"></body></html>'
    )
    out = gvx.light_without_script(page)
    assert out.startswith('<html lang="en" data-content_root="../" data-theme="light">')
    assert '|| "auto"' in out and '<body data-theme="auto">' in out  # the script decides
    assert gvx.light_without_script(out) == out
    with pytest.raises(TypeError, match="html"):
        gvx.light_without_script(None)
