"""The %solution magic: a worked solution's output stays folded until the reader opens it."""

from __future__ import annotations

import html
import re
import sys

import pytest
from _mutation import shared_scope
from IPython.core.displaypub import CapturingDisplayPublisher
from IPython.core.interactiveshell import InteractiveShell

from gradlab import exercises
from gradlab.exercises._solution import FOLD_CLASS, SUMMARY, FoldedOutput, solution


@pytest.fixture(scope=shared_scope)
def shell():
    ip = InteractiveShell.instance()
    assert exercises.register(ip)
    ip.user_ns["exercises"] = exercises
    return ip


def run(shell, code, capsys):
    """Run ``code`` as one cell; return (what reached stdout, displayed bundles)."""
    pub = CapturingDisplayPublisher()
    saved, shell.display_pub = shell.display_pub, pub
    try:
        result = shell.run_cell(code, store_history=False)
    finally:
        shell.display_pub = saved
    return capsys.readouterr().out, [o["data"] for o in pub.outputs], result


def test_the_magic_folds_prints_and_the_last_value(shell, capsys):
    out, shown, result = run(
        shell,
        "# Solution\n%solution\nx = 6 * 7\nprint('answer <', x)\n"
        "exercises.ch1.critical_gain(1.0)\n",
        capsys,
    )
    assert result.success
    assert "answer" not in out and "Correct" not in out  # nothing printed outside the fold
    assert len(shown) == 1
    page = shown[0]["text/html"]
    assert page.startswith(f'<details class="{FOLD_CLASS}"><summary ')
    assert "▶ Show this solution" in page
    assert "<details" in page and " open" not in page.split(">")[0]  # closed
    assert html.escape("answer < 42") in page  # escaped, in order
    verdict = exercises.ch1.critical_gain(1.0)
    assert verdict._repr_html_() in page
    assert page.index("answer") < page.index(verdict._repr_html_())
    assert shown[0]["text/plain"].splitlines()[0] == "answer < 42"


def test_the_fold_ends_with_the_cell(shell, capsys):
    run(shell, "%solution\nprint('inside')\n", capsys)
    out, shown, _ = run(shell, "print('next cell')\n", capsys)
    assert out == "next cell\n" and shown == []
    assert shell.display_pub.__class__ is not CapturingDisplayPublisher


def test_a_cell_that_fails_still_restores_the_output(shell, capsys):
    _, _, result = run(shell, "%solution\nprint('before')\n1 / 0\n", capsys)
    assert not result.success
    out, _, _ = run(shell, "print('after')\n", capsys)
    assert out == "after\n"


def test_a_silent_solution_shows_nothing(shell, capsys):
    out, shown, _ = run(shell, "%solution\ny = 1\n", capsys)
    assert out == "" and shown == []


def test_the_magic_takes_no_argument_but_a_comment(shell, capsys):
    _, _, result = run(shell, "%solution ch1-ex\n", capsys)
    assert isinstance(result.error_in_exec, ValueError)
    assert "no argument" in str(result.error_in_exec)
    _, shown, result = run(shell, "%solution  # folded until opened\nprint(1)\n", capsys)
    assert result.success and len(shown) == 1 and "<pre>1\n</pre>" in shown[0]["text/html"]


def test_folded_output_forms():
    f = FoldedOutput(
        "a & b\n", [{"text/plain": "<x>"}, {"text/html": "<b>y</b>", "text/plain": "y"}]
    )
    page = f.html()
    assert re.fullmatch(
        rf'<details class="{FOLD_CLASS}">'
        rf'<summary style="cursor:pointer;list-style:none;font-weight:bold">'
        rf"{re.escape(html.escape(SUMMARY))}"
        r"</summary>"
        r"<pre>a &amp; b\n</pre><pre>&lt;x&gt;</pre><div><b>y</b></div></details>",
        page,
    )
    assert f.plain() == "a & b\n<x>\ny"
    assert f._repr_mimebundle_() == {"text/html": page, "text/plain": "a & b\n<x>\ny"}


@pytest.mark.parametrize(
    ("stdout", "outputs", "error"),
    [
        (b"x", [], TypeError),
        ("x", "text", TypeError),
        ("x", {"text/plain": "a"}, TypeError),
        ("x", [{"image/png": b""}], ValueError),
        ("x", [3], ValueError),
    ],
)
def test_folded_output_rejects_bad_input(stdout, outputs, error):
    with pytest.raises(error, match="stdout|outputs"):
        FoldedOutput(stdout, outputs)


def test_register_outside_ipython_is_a_no_op(monkeypatch):
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert exercises.register() is False


def test_stderr_is_not_folded(shell, capsys):
    code = "%solution\nimport sys\nprint('careful', file=sys.stderr)\nprint('answer')\n"
    pub = CapturingDisplayPublisher()
    saved, shell.display_pub = shell.display_pub, pub
    try:
        shell.run_cell(code, store_history=False)
    finally:
        shell.display_pub = saved
    captured = capsys.readouterr()
    assert captured.err == "careful\n" and captured.out == ""
    assert [o["data"]["text/plain"] for o in pub.outputs] == ["answer"]


def test_folded_output_joins_text_given_as_a_list_of_lines():
    f = FoldedOutput("", [{"text/plain": ["a\n", "b"]}, {"text/html": ["<b>", "y</b>"]}])
    assert f.plain() == "a\nb"
    assert f.html().endswith("</summary><pre>a\nb</pre><div><b>y</b></div></details>")
    assert FoldedOutput("", [{"text/plain": 42}]).plain() == "42"


def test_plain_text_keeps_the_printed_line_but_its_final_newlines():
    assert FoldedOutput("total: MAX\n\n", []).plain() == "total: MAX"
    assert FoldedOutput("x = 1 \n", [{"text/plain": "y"}]).plain() == "x = 1 \ny"


def test_plain_text_skips_html_only_outputs():
    assert FoldedOutput("", [{"text/html": "<b>y</b>"}]).plain() == ""
    assert FoldedOutput("a\n", [{"text/html": "<b>y</b>"}, {"text/plain": "z"}]).plain() == "a\nz"


def test_folded_output_names_the_wrong_stdout_type():
    with pytest.raises(TypeError, match=r"^stdout must be a str, got bytes$"):
        FoldedOutput(b"x", [])


class FakeShell:
    """Records what register() asks of a shell."""

    def __init__(self):
        self.magics = []

    def register_magic_function(self, func, **kwargs):
        self.magics.append((func, kwargs))


def test_register_adds_the_line_magic_solution_to_the_given_shell():
    fake = FakeShell()
    assert exercises.register(fake) is True
    assert fake.magics == [(solution, {"magic_kind": "line", "magic_name": "solution"})]


def test_register_defaults_to_the_running_ipython(monkeypatch):
    import IPython

    fake = FakeShell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: fake)
    assert exercises.register() is True
    assert fake.magics == [(solution, {"magic_kind": "line", "magic_name": "solution"})]


def test_register_without_ipython_installed_is_a_no_op(monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)  # import IPython now fails
    assert exercises.register() is False


def test_the_magic_outside_ipython_says_where_it_works(monkeypatch):
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    with pytest.raises(RuntimeError, match=r"^%solution works only inside IPython or Jupyter$"):
        solution()
