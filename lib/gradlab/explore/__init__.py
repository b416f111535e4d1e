"""Interactive explorers: sliders that redraw a figure in place.

Every explorer is one call in a notebook cell, e.g.
``explore.ScalarChainExplorer()``. It is three things at once:

* **headless**: ``ex.update(w=1.1, depth=40)`` changes the figure and returns
  the new PNG, with no frontend (tests and benchmarks drive it this way);
* **live** in JupyterLab (local, Binder, Live Code): sliders (ipywidgets 8)
  above an ``ipywidgets.Image`` whose PNG bytes are replaced on each move;
* **static** in the HTML book: the output bundle also holds a PNG of the
  current view with alt text and a caption, and a spec of the explorer
  (:data:`SPEC_MIME`). At build time ``tools/gvx_static.py`` computes the views over
  the class's ``static_grid`` (:mod:`gradlab.explore.static`) and the page's native
  inputs move over them; without JavaScript the PNG shows.

The framework (:class:`Control`, :class:`Explorer`) is in ``_base``; each
chapter's explorers are in their own module (``ch1``, ...), re-exported here.
"""

from ._base import EXPLORER_KEY, LIVE_NOTE, SPEC_MIME, Control, Explorer, OffScale
from .ch1 import MatrixProductExplorer, ScalarChainExplorer
from .ch2 import GradientFlowExplorer
from .ch3 import ActivationStatsExplorer
from .ch4 import InitializationExplorer
from .ch5 import ClippingExplorer, RecurrentGradientExplorer
from .ch6 import LadderExplorer

__all__ = [
    "Control",
    "Explorer",
    "OffScale",
    "ScalarChainExplorer",
    "MatrixProductExplorer",
    "GradientFlowExplorer",
    "ActivationStatsExplorer",
    "InitializationExplorer",
    "ClippingExplorer",
    "RecurrentGradientExplorer",
    "LadderExplorer",
    "EXPLORER_KEY",
    "LIVE_NOTE",
    "SPEC_MIME",
]
