"""A progress bar for long computations that leaves no trace in a saved notebook.

:func:`bar` shows an ipywidgets bar in a Jupyter kernel (replaced, when it closes, by a fixed
line of text), tqdm's text bar on a terminal, and nothing when ``enabled`` is False. Used by
:func:`gradlab.capstone.train_rung` and :func:`gradlab.saturation.saturation_over_seeds`.
"""

from __future__ import annotations

__all__ = ["bar", "NoBar", "WidgetBar"]


def bar(total: int, desc: str, enabled: bool = True, unit: str = "step"):
    """A progress bar: an ipywidgets bar in a Jupyter kernel, text on a terminal, else none.

    In a kernel the bar is displayed with a fixed ``text/plain`` (``desc``) and, when
    the work ends, the display is *replaced* by that same plain text: the saved notebook and
    nbval's fresh run both hold only ``desc`` (nbval ignores widget views), so no time or
    rate reaches a saved output, and the HTML book shows no dead widget.
    """
    if not enabled:
        return NoBar()
    try:
        from IPython import get_ipython

        kernel = get_ipython() is not None and hasattr(get_ipython(), "kernel")
    except ImportError:  # pragma: no cover - IPython is installed with ipywidgets
        kernel = False
    if kernel:
        return WidgetBar(total, desc, unit)
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=None, leave=False)


class NoBar:
    """A progress bar that shows nothing."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class WidgetBar:
    """An ipywidgets bar whose display is replaced by its fixed text when it closes."""

    WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

    def __init__(self, total: int, desc: str, unit: str = "step") -> None:
        from IPython.display import display
        from tqdm.notebook import tqdm

        self.text = desc
        self.bar = tqdm(total=total, desc=desc, unit=unit, display=False, leave=False)
        view = self.bar.container._repr_mimebundle_()[self.WIDGET_VIEW]
        self.handle = display(
            {self.WIDGET_VIEW: view, "text/plain": desc}, raw=True, display_id=True
        )

    def update(self, n: int = 1) -> None:
        self.bar.update(n)

    def close(self) -> None:
        self.handle.update({"text/plain": self.text}, raw=True)
        self.bar.disable = True  # already replaced: closing must not draw again
        self.bar.container.close()
