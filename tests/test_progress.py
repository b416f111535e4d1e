"""gradlab.progress: which bar is shown where, with the caller's total, text and unit."""

from __future__ import annotations

import sys

import IPython
import IPython.display
import pytest
import tqdm
import tqdm.notebook

from gradlab import progress


class _Recorder:
    """Stands in for a bar class: records how it was made."""

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


def test_disabled_is_no_bar_at_all():
    nobar = progress.bar(10, "x", enabled=False)
    assert isinstance(nobar, progress.NoBar)
    assert nobar.update() is None and nobar.update(5) is None and nobar.close() is None


@pytest.mark.parametrize("shell", [None, object()], ids=["plain python", "ipython terminal"])
def test_outside_a_kernel_is_tqdm_text_with_the_callers_settings(monkeypatch, shell):
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    monkeypatch.setattr(tqdm, "tqdm", _Recorder)
    made = progress.bar(7, "training", unit="epoch")
    assert made.args == ()
    assert made.kwargs == {
        "total": 7,
        "desc": "training",
        "unit": "epoch",
        "disable": None,  # tqdm's "off when not a terminal"
        "leave": False,
    }
    assert progress.bar(3, "x").kwargs["unit"] == "step"  # the documented default


def test_without_ipython_is_tqdm_text(monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)  # import IPython raises ImportError
    monkeypatch.setattr(tqdm, "tqdm", _Recorder)
    assert isinstance(progress.bar(2, "x"), _Recorder)


def test_in_a_kernel_is_the_widget_bar_with_the_callers_settings(monkeypatch):
    class Kernel:
        kernel = object()

    monkeypatch.setattr(IPython, "get_ipython", lambda: Kernel())
    monkeypatch.setattr(progress, "WidgetBar", _Recorder)
    assert progress.bar(7, "training", unit="epoch").args == (7, "training", "epoch")
    assert progress.bar(7, "training").args == (7, "training", "step")


def test_widget_bar_counts_and_closes_for_good(monkeypatch):
    calls = []

    class Handle:
        def update(self, obj, raw=False):
            calls.append(("update", obj, raw))

    def display(obj, raw=False, display_id=None):
        calls.append(("display", display_id, raw))
        shown.append(obj)
        return Handle()

    def tqdm_display(*args, **kwargs):  # tqdm.notebook's own display: it must not show itself
        calls.append(("tqdm's own display",))

    shown = []
    monkeypatch.setattr(IPython.display, "display", display)
    monkeypatch.setattr(tqdm.notebook, "display", tqdm_display)
    bar = progress.WidgetBar(4, "fit", unit="batch")
    assert (bar.bar.total, bar.bar.unit, bar.bar.leave) == (4, "batch", False)
    assert bar.bar.desc == "fit"
    view = bar.bar.container._repr_mimebundle_()[progress.WidgetBar.WIDGET_VIEW]
    assert shown[0] == {progress.WidgetBar.WIDGET_VIEW: view, "text/plain": "fit"}
    assert progress.WidgetBar(1, "y").bar.unit == "step"
    bar.update()
    bar.update(2)
    assert bar.bar.n == 3
    bar.close()
    assert calls[0] == ("display", True, True)  # and only that display
    assert calls.count(("tqdm's own display",)) == 0  # a display that can be replaced
    assert calls[-1] == ("update", {"text/plain": "fit"}, True)
    assert bar.bar.disable is True
