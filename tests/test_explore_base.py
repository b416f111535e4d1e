"""The explorer framework itself (gradlab.explore._base) on a tiny hand-made explorer."""

import io
import math

import numpy as np
import pytest
from matplotlib.patches import Rectangle
from PIL import Image

from gradlab import plotting
from gradlab.explore._base import LIVE_NOTE, Control, Explorer, fmt


class Toy(Explorer):
    """One black square (the animated artist) on empty axes, and one control of each kind."""

    controls = {
        "n": Control("N", 3, min=2, max=9, integer=True),
        "k": Control("K", 4, min=1, max=10, step=3, integer=True),
        "x": Control("X", 0.5, min=-1.0, max=2.0, step=0.25),
        "o": Control("O", 8, options=(2, 8, 32)),
        "c": Control("C", "b", options=("a", "b"), labels=("Alpha", "Beta")),
    }
    figsize = (2.0, 1.5)
    label = "toy-label"

    def __init__(self, seed=0, caption=None):
        self.seed = seed
        super().__init__(caption)

    def _build(self, fig):
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        self.square = ax.add_patch(Rectangle((0.25, 0.25), 0.5, 0.5, color="black"))
        return [self.square]

    def _apply(self, values):
        pass

    def alt_text(self):
        return "A black square."


def image(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def centre(png: bytes) -> np.ndarray:
    rgb = image(png)
    return rgb[rgb.shape[0] // 2, rgb.shape[1] // 2]


# -- fmt ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (0.0, "0.0"),  # str(x): no exponent for zero
        (0, "0"),
        (-0.0, "-0.0"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        (math.nan, "nan"),
        (1e-3, "0.001"),  # the lower bound is inside the plain range
        (-1e-3, "-0.001"),
        (9.99e-4, "9.99e-04"),  # just below it: exponent
        (1e4, "1.00e+04"),  # the upper bound is outside
        (10000.5, "1.00e+04"),
        (9999.0, "9999"),  # just below it: plain, four significant digits
        (0.0051544, "0.005154"),
        (117.0, "117"),
    ],
)
def test_fmt_boundaries(x, text):
    assert fmt(x) == text


# -- Control --------------------------------------------------------------------------------


def test_control_labels_are_stored_as_a_tuple():
    c = Control("C", "a", options=("a", "b"), labels=["Alpha", "Beta"])
    assert c.labels == ("Alpha", "Beta")
    assert type(c.labels) is tuple


def test_label_of_with_and_without_labels():
    c = Control("C", "a", options=("a", "b"), labels=("Alpha", "Beta"))
    assert c.label_of("b") == "Beta"
    assert c.label_of("zz") == "zz"  # not an option: shown as itself
    assert c.label_of(0.5) == "0.5"
    plain = Control("O", 8, options=(2, 8))
    assert plain.label_of(8) == "8"
    real = Control("X", 0.5, min=0.0, max=1.0, step=0.25)
    assert real.label_of(0.75) == "0.75"
    assert real.label_of(3) == "3"


def test_widget_options():
    assert Control("O", 8, options=(2, 8)).widget_options() == [2, 8]
    c = Control("C", "a", options=("a", "b"), labels=("Alpha", "Beta"))
    assert c.widget_options() == [("Alpha", "a"), ("Beta", "b")]
    with pytest.raises(ValueError, match=r"^control 'X' has no options$"):
        Control("X", 0.5, min=0.0, max=1.0).widget_options()


def test_widget_options_never_drops_an_unlabelled_option():
    # __post_init__ checks the lengths; should the options change behind its back (a frozen
    # dataclass can still be forced), the pairing must fail rather than silently drop one.
    c = Control("C", "a", options=("a", "b"), labels=("Alpha", "Beta"))
    object.__setattr__(c, "options", ("a", "b", "c"))
    with pytest.raises(ValueError):
        c.widget_options()


# -- Explorer: repr, spec, mimebundle ---------------------------------------------------------


def test_repr_lists_the_settings():
    ex = Toy()
    assert repr(ex) == "Toy(n=3, k=4, x=0.5, o=8, c='b')"
    ex.set_values(x=1.25, c="a")
    assert repr(ex) == "Toy(n=3, k=4, x=1.25, o=8, c='a')"


def test_spec_keeps_positional_arguments_and_drops_the_caption():
    ex = Toy(5, caption="A caption.")
    ex.set_values(n=7)
    spec = ex.spec()
    assert spec == {
        "class": f"{__name__}.Toy",
        "kwargs": {"seed": 5},
        "values": {"n": 7, "k": 4, "x": 0.5, "o": 8, "c": "b"},
    }
    assert ex.caption == "A caption."


def test_spec_rejects_arguments_json_cannot_carry():
    with pytest.raises(TypeError):
        Toy(seed=object()).spec()


def test_spec_of_an_explorer_made_without_recorded_arguments():
    class Bare(Toy):
        def __new__(cls, *args, **kwargs):
            return object.__new__(cls)  # skips Explorer.__new__: no _init_args

    ex = Bare(3)
    assert not hasattr(ex, "_init_args")
    assert ex.spec()["kwargs"] == {}


def test_mimebundle_metadata_has_width_and_label():
    ex = Toy(caption="Cap.")
    data, meta = ex._repr_mimebundle_()
    picture = meta["image/png"]
    assert picture["width"] == 200  # 2.0 in at 100 dpi
    assert picture[plotting.LABEL_KEY] == "toy-label"
    assert picture[plotting.CAPTION_KEY] == "Cap."
    assert (
        data["text/plain"] == "Interactive explorer, shown at its current settings. A black square."
    )


# -- static and background pictures ----------------------------------------------------------


def test_static_png_leaves_the_live_canvas_alone():
    ex = Toy()
    ex.render()
    renderer = ex.canvas.get_renderer()
    png = ex.static_png(dpi=50)
    assert image(png).shape == (75, 100, 3)  # 1.5 x 2.0 in at 50 dpi
    assert tuple(centre(png)) == (0, 0, 0)  # the square is drawn
    assert ex.fig.canvas is ex.canvas
    assert ex.canvas.get_renderer() is renderer  # not redrawn at another dpi
    assert ex.square.get_animated() is True


def test_background_png_hides_the_animated_artists_then_restores_them():
    ex = Toy()
    ex.render()
    renderer = ex.canvas.get_renderer()
    png = ex.background_png(dpi=40)
    assert image(png).shape == (60, 80, 3)  # 1.5 x 2.0 in at 40 dpi
    assert tuple(centre(png)) == (255, 255, 255)  # no square
    assert ex.fig.canvas is ex.canvas
    assert ex.canvas.get_renderer() is renderer
    assert ex.square.get_visible() is True
    ex.square.set_visible(False)
    ex.background_png(dpi=20)
    assert ex.square.get_visible() is False


# -- the live widget ------------------------------------------------------------------------


@pytest.fixture
def toy_widget():
    import ipywidgets as w

    ex = Toy()
    ex.set_values(n=5, k=7, x=1.25, o=32, c="a")
    box = ex.widget
    sliders = {s.description: s for s in box.children[0].children}
    return w, ex, box, sliders


def test_widget_sliders_show_the_controls(toy_widget):
    w, ex, box, s = toy_widget
    assert list(s) == ["N", "K", "X", "O", "C"]
    n, k, x, o, c = (s[name] for name in ("N", "K", "X", "O", "C"))
    assert type(n) is w.IntSlider and (n.min, n.max, n.step, n.value) == (2, 9, 1, 5)
    assert type(k) is w.IntSlider and (k.min, k.max, k.step, k.value) == (1, 10, 3, 7)
    assert type(x) is w.FloatSlider and (x.min, x.max, x.step, x.value) == (-1.0, 2.0, 0.25, 1.25)
    assert type(o) is w.SelectionSlider and (o.options, o.value) == ((2, 8, 32), 32)
    assert type(c) is w.Dropdown and c.value == "a" and c.label == "Alpha"
    for slider in (n, k, x, o, c):
        assert slider.style.description_width == "initial"
        assert slider.layout.width == "300px"
    for slider in (n, k, x, o):
        assert slider.continuous_update is True


def test_widget_layout_image_status_and_note(toy_widget):
    w, ex, box, s = toy_widget
    row, img, status, note = box.children
    assert row.layout.flex_flow == "row wrap"
    assert img is ex._image and img.format == "png"
    assert img.layout.width == "200px" and img.layout.max_width == "100%"
    assert image(img.value).shape == (150, 200, 3)  # the live frame, 2.0 x 1.5 in at 100 dpi
    assert tuple(centre(img.value)) == (0, 0, 0)
    assert status is ex._status and status.value == ""
    assert note.value == f"<small>{LIVE_NOTE}</small>"


def test_widget_observes_only_the_value(toy_widget):
    w, ex, box, s = toy_widget
    s["N"].disabled = True  # another trait: no update, no message
    s["X"].tooltip = "tip"
    assert ex.message == "" and ex._status.value == ""
    s["N"].value = 6
    assert ex.values["n"] == 6


def test_observer_reports_the_rejected_value():
    ex = Toy()
    ex._observer("n", Toy.controls["n"])({"new": 99})
    assert ex.message == "Ignored N = 99: n must be in [2, 9], got 99"
    assert ex.values["n"] == 3
