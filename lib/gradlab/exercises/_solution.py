"""Solutions that do not give their answer away in JupyterLab: the ``%solution`` magic.

A chapter notebook's worked solution is a code cell that computes the answer, prints it and
runs the checker. In the HTML book it sits inside a closed *Solution* dropdown. In JupyterLab
the cell's code is folded, but *Restart & Run All* would print its answer for everyone to see.
A solution cell therefore starts with::

    # Solution
    %solution  # keeps this cell's output folded until you open it

and everything the rest of the cell prints or displays (the printed text first, then the
displayed objects such as the checker's verdict, each in the order it came) is shown inside a
closed ``<details>`` element: "Show this solution's output (it contains the answer)". The
learner opens it with one click. The HTML book shows the same output open, inside the
solution's dropdown (``tools/gvx_book.py`` opens it and drops the ``%solution`` line from the
code it shows).

Importing :mod:`gradlab.exercises` inside IPython registers the magic (:func:`register`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

#: CSS class of the folded output (the HTML book opens these, see tools/gvx_book.py).
FOLD_CLASS = "gvx-solution-output"
#: What the closed fold says.
SUMMARY = "▶ Show this solution's output (it contains the answer)"
_TEXT_TYPES = ("text/html", "text/plain")
# JupyterLab's style hides the summary's disclosure triangle: the summary draws its own (▶).
_SUMMARY_STYLE = 'style="cursor:pointer;list-style:none;font-weight:bold"'


class FoldedOutput:
    """A solution cell's outputs inside one closed ``<details>`` element.

    Parameters
    ----------
    stdout : str
        What the cell printed.
    outputs : sequence of mapping
        Each displayed object's MIME bundle (``{"text/html": ..., "text/plain": ...}``), in
        order. Only ``text/html`` and ``text/plain`` are supported: a solution shows text.

    Notes
    -----
    The ``text/html`` form is ``<details class="gvx-solution-output"><summary>…</summary>
    …</details>`` (the HTML ``details`` element: closed until clicked, keyboard operable);
    the ``text/plain`` form is the outputs' plain text, for front ends without HTML.
    """

    def __init__(self, stdout: str, outputs: Sequence[Mapping[str, Any]]) -> None:
        if not isinstance(stdout, str):
            raise TypeError(f"stdout must be a str, got {type(stdout).__name__}")
        if isinstance(outputs, (str, bytes, Mapping)) or not isinstance(outputs, Sequence):
            raise TypeError(f"outputs must be a sequence of MIME bundles, got {outputs!r}")
        for bundle in outputs:
            if not isinstance(bundle, Mapping) or not any(k in bundle for k in _TEXT_TYPES):
                raise ValueError(
                    f"outputs must hold MIME bundles with text/html or text/plain, got {bundle!r}"
                )
        self.stdout = stdout
        self.outputs = [dict(b) for b in outputs]

    def html(self) -> str:
        """The closed ``<details>`` element with every output inside."""
        summary = f"<summary {_SUMMARY_STYLE}>{html.escape(SUMMARY)}</summary>"
        parts = [f'<details class="{FOLD_CLASS}">{summary}']
        if self.stdout:
            parts.append(f"<pre>{html.escape(self.stdout)}</pre>")
        for bundle in self.outputs:
            if "text/html" in bundle:
                parts.append(f"<div>{_text(bundle['text/html'])}</div>")
            else:
                parts.append(f"<pre>{html.escape(_text(bundle['text/plain']))}</pre>")
        parts.append("</details>")
        return "".join(parts)

    def plain(self) -> str:
        """The outputs as plain text, printed text first."""
        texts = [self.stdout.rstrip("\n")] if self.stdout else []
        texts += [_text(b.get("text/plain", "")) for b in self.outputs]
        return "\n".join(t for t in texts if t)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/html": self.html(), "text/plain": self.plain()}


def _text(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


class _Fold:
    """Capture one cell's output from the ``%solution`` line to the end of the cell."""

    def __init__(self, shell: Any) -> None:
        from IPython.utils.capture import capture_output

        self.shell = shell
        self.capture = capture_output(stdout=True, stderr=False, display=True)
        self.captured = self.capture.__enter__()
        shell.events.register("post_run_cell", self.finish)

    def finish(self, result: Any = None) -> None:
        self.shell.events.unregister("post_run_cell", self.finish)
        self.capture.__exit__(None, None, None)
        outputs = [o.data for o in self.captured.outputs]
        for bundle in outputs:
            for key in list(bundle):
                if key not in _TEXT_TYPES:
                    del bundle[key]
        folded = FoldedOutput(self.captured.stdout, [b for b in outputs if b])
        if folded.stdout or folded.outputs:
            from IPython.display import display

            display(folded)


def solution(line: str = "") -> None:
    """``%solution``: fold the rest of this cell's output until the reader opens it.

    Use it as the first statement of a worked solution's cell (after a ``# Solution``
    comment). Whatever the cell prints or displays from that line on is shown as one closed
    :class:`FoldedOutput`. See the module docstring.
    """
    from IPython import get_ipython

    if line.strip() and not line.strip().startswith("#"):
        raise ValueError(f"%solution takes no argument (a # comment only), got {line.strip()!r}")
    shell = get_ipython()
    if shell is None:
        raise RuntimeError("%solution works only inside IPython or Jupyter")
    _Fold(shell)


def register(shell: Any = None) -> bool:
    """Register the ``%solution`` line magic in ``shell`` (default: the running IPython).

    Returns ``True`` if it was registered, ``False`` outside IPython.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython is a dependency of the course
            return False
        shell = get_ipython()
    if shell is None:
        return False
    shell.register_magic_function(solution, magic_kind="line", magic_name="solution")
    return True
