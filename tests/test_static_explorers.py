"""The static explorers' data (gradlab.explore.static): grids, specs, the encoder."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.patches import Circle, Polygon

from gradlab import explore
from gradlab.explore import SPEC_MIME, Control, Explorer, static
from gradlab.explore._text import FastText

EXPLORERS = [
    explore.ScalarChainExplorer,
    explore.MatrixProductExplorer,
    explore.GradientFlowExplorer,
    explore.ActivationStatsExplorer,
    explore.InitializationExplorer,
]


class Toy(Explorer):
    """A small explorer using every supported artist, with a log axis and clipping."""

    controls = {
        "slope": Control("slope", 1.0, -2.0, 2.0, 0.5),
        "kind": Control("kind", "a", options=("a", "b")),
    }
    figsize = (3.0, 2.0)

    def _build(self, fig):
        ax = fig.add_axes((0.2, 0.2, 0.7, 0.7))
        ax.set_xlim(0, 10)
        ax.set_ylim(-5, 5)
        (self.line,) = ax.plot([], [], "o-", ms=4, lw=1.5)
        (self.dashed,) = ax.plot([], [], "--", lw=2, alpha=0.5)
        self.band = ax.add_patch(Polygon(np.zeros((0, 2)), closed=True, alpha=0.2, lw=0))
        self.text = fig.add_artist(FastText(0.98, 0.02, "", ha="right", va="bottom"))
        return [self.band, self.line, self.dashed, self.text]

    def _apply(self, values):
        x = np.arange(11.0)
        y = values["slope"] * (x - 5)
        self.line.set_data(x, y if values["kind"] == "a" else -y)
        self.dashed.set_data(x, np.full(11, 1.0))
        self.band.set_xy(np.column_stack([np.r_[x, x[::-1]], np.r_[y + 1, y[::-1] - 1]]))
        self.text.set_text(f"slope {values['slope']:+.1f}\nkind {values['kind']}")

    def alt_text(self):
        return f"Toy line of slope {self.values['slope']} kind {self.values['kind']}."


@pytest.mark.parametrize("cls", EXPLORERS)
def test_every_explorer_declares_a_grid_holding_its_defaults(cls):
    grid = cls.static_values()
    assert list(grid) == list(cls.controls)
    for name, control in cls.controls.items():
        assert control.validate(name, control.default) in grid[name]
        if control.options is not None and name not in cls.static_grid:
            assert grid[name] == tuple(control.options)
    views = math.prod(len(v) for v in grid.values())
    assert 150 <= views <= 4000, f"{cls.__name__}: {views} views"


def test_static_values_reject_bad_grids():
    class Unknown(Toy):
        static_grid = {"nope": (1,)}

    class NoDefault(Toy):
        static_grid = {"slope": (-2.0, 0.0, 2.0)}

    class Repeats(Toy):
        static_grid = {"slope": (1.0, 1.0)}

    class OutOfRange(Toy):
        static_grid = {"slope": (1.0, 3.0)}

    with pytest.raises(ValueError, match="unknown controls"):
        Unknown.static_values()
    with pytest.raises(ValueError, match="default"):
        NoDefault.static_values()
    with pytest.raises(ValueError, match="repeats"):
        Repeats.static_values()
    with pytest.raises(ValueError, match="slope"):
        OutOfRange.static_values()
    assert Toy.static_values() == {
        "slope": (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0),
        "kind": ("a", "b"),
    }


def test_spec_rebuilds_the_explorer_and_travels_in_the_output():
    ex = explore.GradientFlowExplorer(seed=3)
    ex.update(activation="relu", depth=12)
    spec = ex.spec()
    assert spec == {
        "class": "gradlab.explore.ch2.GradientFlowExplorer",
        "kwargs": {"seed": 3},
        "values": {"activation": "relu", "depth": 12, "gain": 1.0},
    }
    again = static.from_spec(spec)
    assert type(again) is type(ex) and again.seed == 3 and again.values == ex.values
    assert again.alt_text() == ex.alt_text()
    data, _ = ex._repr_mimebundle_()
    assert data[SPEC_MIME] == spec
    with pytest.raises(TypeError, match="Explorer"):
        static.from_spec({"class": "gradlab.plotting.FigureView", "kwargs": {}, "values": {}})
    with pytest.raises(ValueError, match="lacks"):
        static.from_spec({"class": "x"})


def test_encoder_round_trip_matches_matplotlib_geometry():
    ex = Toy()
    made = static.generate(ex)
    assert ex.values == {"slope": 1.0, "kind": "a"}  # left where it was
    assert made.n_views == 18 and made.data["index"] == 6 * 2 + 0  # slope 1.0, kind "a"
    structure, pools = static.decode_payload(made.data)
    assert structure["alts"] == made.alts
    styles = made.data["artists"]
    assert [s["type"] for s in styles] == ["polygon", "line", "line", "text"]
    assert styles[1]["marker"] == "o" and styles[2]["dash"] and styles[2]["alpha"] == 0.5
    height = made.data["height"]
    q = made.data["quantum"]
    grid = Toy.static_values()
    for k, entries in enumerate(structure["views"]):
        slope, kind = grid["slope"][k // 2], grid["kind"][k % 2]
        ex.set_values(slope=slope, kind=kind)
        assert structure["alts"][k] == ex.alt_text()
        # The markers are at matplotlib's display coordinates (CSS px, y down).
        expected = ex.line.get_transform().transform(ex.line.get_xydata())
        top, bottom, ms = styles[1]["clip"][1], styles[1]["clip"][3], styles[1]["ms"]
        css_y = height - expected[:, 1]
        inside = (css_y >= top - ms) & (css_y <= bottom + ms)  # markers off the axes dropped
        xs, ys = pools[entries[1][1][0]], pools[entries[1][1][1]]
        assert np.allclose(xs, expected[inside, 0], atol=0.5 / q)
        assert np.allclose(ys, height - expected[inside, 1], atol=0.5 / q)
        # A clipped path stays within the clip box plus its margin.
        box = styles[1]["clip"]
        for i in range(0, len(entries[1][0]), 2):
            px, py = pools[entries[1][0][i]], pools[entries[1][0][i + 1]]
            assert px.min() >= box[0] - 10 and py.max() <= box[3] + 10
        # The text: two lines, right-aligned at the same right edge, baselines one step apart.
        (first, x1, y1, a1), (second, x2, y2, a2) = entries[3]
        assert first == f"slope {slope:+.1f}" and second == f"kind {kind}"
        assert y2 > y1 and x1 == x2 and a1 == a2 == 1.0  # right-aligned at one anchor
    # Pooling: the dashed line is the same in every view, stored once.
    dashed = {tuple(e[2][0]) for e in structure["views"]}
    assert len(dashed) == 1
    refs = sum(len(e[1][0]) + len(e[1][1]) + len(e[2][0]) for e in structure["views"])
    assert len(pools) < refs / 2


def test_straight_lines_are_stored_by_their_ends_and_breaks_are_kept():
    line = np.column_stack([np.linspace(0, 100, 51), np.linspace(10, 60, 51)])
    assert np.array_equal(static._simplify(line, 1 / 16), line[[0, -1]])
    bent = line.copy()
    bent[25, 1] += 0.2  # visible at 1/8 px: kept
    assert len(static._simplify(bent, 1 / 16)) > 2
    runs = static._runs(np.array([[0, 0], [1, 1], [np.nan, 2], [3, 3], [4, np.inf], [5, 5]]))
    assert [len(r) for r in runs] == [2, 1, 1]
    clipped = static._clip_polyline(
        np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 100.0]]), (-1, -1, 20, 20)
    )
    assert len(clipped) == 1 and np.allclose(clipped[0][-1], [10, 20])
    polygon = static._clip_polygon(
        np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 1e6], [0.0, 1e6]]), (-1, -1, 20, 20)
    )
    assert polygon[:, 1].max() == 20


def test_unsupported_artists_fail_loudly():
    class WithCircle(Toy):
        def _build(self, fig):
            artists = super()._build(fig)
            self.circle = fig.axes[0].add_patch(Circle((1, 1), 0.5))
            return [*artists, self.circle]

    class WithCross(Toy):
        def _build(self, fig):
            artists = super()._build(fig)
            self.line.set_marker("x")
            return artists

    with pytest.raises(static.UnsupportedArtistError, match="Circle"):
        static.generate(WithCircle())
    with pytest.raises(static.UnsupportedArtistError, match="marker"):
        static.generate(WithCross())
    with pytest.raises(TypeError, match="Explorer"):
        static.generate("not an explorer")


def test_start_values_must_be_grid_points():
    ex = Toy()
    ex.update(slope=0.25)  # a live value between two grid points
    with pytest.raises(ValueError, match="not a static grid value"):
        static.generate(ex)


def test_chapter4_explorer_generates_its_views(monkeypatch):
    """Chapter 4's page is written elsewhere: its data generation is checked here."""
    cls = explore.InitializationExplorer
    small = {
        "scheme": ("lecun_normal", "orthogonal"),
        "activation": ("tanh", "relu"),
        "depth": (2, 30, 50),
        "width": (16, 64),
    }
    monkeypatch.setattr(cls, "static_grid", small)
    ex = cls(seed=0)
    made = static.generate(ex)
    assert made.n_views == 24
    structure, pools = static.decode_payload(made.data)
    names = list(small)
    combos = [
        dict(zip(names, c, strict=True)) for c in __import__("itertools").product(*small.values())
    ]
    for k in (0, 7, 23):
        check = cls(seed=0)
        check.set_values(**combos[k])
        assert structure["alts"][k] == check.alt_text()
        header = structure["views"][k][-1]
        assert [line[0] for line in header] == check._header.get_text().split("\n")
    default = made.data["controls"]
    assert [c["labels"][c["index"]] for c in default] == ["lecun_normal", "relu", "30", "64"]
    assert made.background[:8] == b"\x89PNG\r\n\x1a\n"


def test_value_labels_and_note():
    gain = explore.GradientFlowExplorer.controls["gain"]
    assert static.value_label(gain, 1.5) == "1.50"
    assert static.value_label(explore.MatrixProductExplorer.controls["width"], 64) == "64"
    note = static.grid_note(explore.GradientFlowExplorer)
    assert "gain σ·√n: 0.50 to 2.00 in steps of 0.10" in note and "JupyterLab" in note
    assert "1600 views" in note


def test_option_labels_are_shown_and_validated():
    kind = Control("kind", "a", options=("a", "b"), labels=("first, A", "second"))
    assert static.value_label(kind, "b") == "second" and kind.label_of("a") == "first, A"
    assert kind.widget_options() == [("first, A", "a"), ("second", "b")]
    assert kind.validate("kind", "b") == "b"  # the value stays the key
    plain = Control("kind", "a", options=("a", "b"))
    assert plain.widget_options() == ["a", "b"] and static.value_label(plain, "a") == "a"
    for bad in (("only one",), ("x", ""), ("x", 2)):
        with pytest.raises(ValueError, match="labels"):
            Control("kind", "a", options=("a", "b"), labels=bad)
    with pytest.raises(ValueError, match="labels"):
        Control("slope", 1.0, 0.0, 2.0, 0.5, labels=("x",))


def test_views_are_encoded_where_the_drawn_figure_puts_them():
    # The clipping explorer's axes have an equal aspect: matplotlib shrinks their box only when
    # the figure is drawn, so encoding before any draw would place every line elsewhere.
    fresh = explore.ClippingExplorer()
    drawn = explore.ClippingExplorer()
    drawn.render()
    assert static.generate(fresh).data == static.generate(drawn).data


# -- the committed views (explorer_views/, written by `make execute`) -----------------------------


def _gvx_static():
    import importlib
    import sys

    from _book import ROOT

    sys.path.insert(0, str(ROOT / "tools"))
    return importlib.import_module("gvx_static")


def _committed() -> list:
    from _book import ROOT

    return sorted((ROOT / "explorer_views").glob("*.json"))


def test_committed_views_are_current():
    # The build publishes explorer_views/: one set of views per explorer of the book, made
    # by this gradlab. A change to gradlab or to an explorer's notebook output needs
    # `make execute`, which recomputes them.
    assert _gvx_static().main(["--check"]) == 0, "run `make execute` to recompute the views"
    assert len(_committed()) >= 8


@pytest.mark.parametrize("path", _committed(), ids=lambda p: p.stem[:8])
def test_committed_views_are_what_this_cpu_computes(path):
    # Under each simulated CPU (make test), a sample of every explorer's views is recomputed
    # and its alt text, which carries the view's numbers, must be the committed one.
    import itertools
    import json

    meta = json.loads(path.read_text(encoding="utf-8"))
    structure, _ = static.decode_payload(meta["data"])
    explorer = static.from_spec(meta["spec"])
    grid = explorer.static_values()
    combos = list(itertools.product(*grid.values()))
    assert len(combos) == len(structure["alts"]) == meta["views"]
    # Views where the explorer says rounding is amplified (a chaotic network, an exploding
    # product: Explorer.rounding_sensitive) are stored, not recomputed: at most 5% of any grid.
    values = [dict(zip(grid, c, strict=True)) for c in combos]
    sensitive = [type(explorer).rounding_sensitive(v) for v in values]
    assert sum(sensitive) <= 0.05 * len(values)
    stable = [i for i, s in enumerate(sensitive) if not s]
    sample = [stable[k] for k in np.linspace(0, len(stable) - 1, min(len(stable), 48)).astype(int)]
    for i in sorted(set(sample)):
        explorer.set_values(**values[i])
        assert explorer.alt_text() == structure["alts"][i], (type(explorer).__name__, combos[i])


def test_rounding_sensitive_views_are_the_chaotic_ones():
    # The declared regions: standard-normal tanh networks from depth 20 (the chaotic phase),
    # tanh recurrent networks at gamma sigma >= 2.5 over 70 steps or more; nothing else.
    init, rec = explore.InitializationExplorer, explore.RecurrentGradientExplorer
    chaotic = {"scheme": "standard_normal", "activation": "tanh", "depth": 20, "width": 64}
    assert init.rounding_sensitive(chaotic)
    assert not init.rounding_sensitive({**chaotic, "depth": 18})
    assert not init.rounding_sensitive({**chaotic, "activation": "relu"})
    assert not init.rounding_sensitive({**chaotic, "scheme": "xavier_normal"})
    exploding = {"ratio": 2.5, "activation": "tanh", "length": 70, "inputs": 0.1}
    assert rec.rounding_sensitive(exploding)
    assert not rec.rounding_sensitive({**exploding, "ratio": 2.25})
    assert not rec.rounding_sensitive({**exploding, "length": 60})
    assert not rec.rounding_sensitive({**exploding, "activation": "sigmoid"})
    assert not explore.ClippingExplorer.rounding_sensitive({"g1": 3.0, "g2": 1.0})


def test_no_explorer_imports_what_the_view_hash_leaves_out():
    """tools/gvx_static.py hashes gradlab without NOT_IN_VIEWS (the exercise checkers), so a
    change there keeps the committed views: that holds only while no explorer imports them."""
    import subprocess
    import sys

    NOT_IN_VIEWS = _gvx_static().NOT_IN_VIEWS

    code = (
        "import importlib, pkgutil, sys, gradlab.explore as e\n"
        "for m in pkgutil.iter_modules(e.__path__):\n"
        "    importlib.import_module(e.__name__ + '.' + m.name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('gradlab.')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "gradlab.explore.ch6" in loaded
    for name in NOT_IN_VIEWS:
        assert f"'gradlab.{name}" not in loaded, name
