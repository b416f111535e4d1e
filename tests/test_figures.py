"""Every course figure and explorer: legible at phone width, colours named, data as claimed."""

import math

import matplotlib.colors as mcolors
import numpy as np
import pytest

from gradlab import (
    backprop,
    capstone,
    chains,
    explore,
    gradcheck,
    initialization,
    plotting,
    saturation,
)
from gradlab import recurrent_study as rs
from gradlab.seeds import summarize


def _ladder():
    """The chapter's ladder: the cached runs of every seed at the chapter's depth."""
    runs = capstone.load_ladder_seeds()
    return [runs[(name, capstone.SETUP.depth)] for name in capstone.RUNGS]


# The chapter's figures, as the notebook calls them.
FIGURES = {
    "scalar_chains": lambda: chains.plot_scalar_chains([0.5, 0.6, 0.9, 1.0, 1.1, 1.6], depth=50),
    "random_scalar_chains": lambda: chains.plot_random_scalar_chains(
        0.5, 1.5, depth=200, n_draws=20, seed=2
    ),
    "log_norm_histogram": lambda: chains.plot_log_norm_histogram(
        width=4, depth=20, scale=0.5, n_draws=2000, seed=8
    ),
    "product_spectrum": lambda: chains.plot_product_spectrum(32, (1, 3, 10), seed=9),
    "sigmoid_tanh_derivatives": lambda: backprop.plot_sigmoid_tanh_derivatives(5.0),
    "gradient_norms": lambda: backprop.plot_gradient_norms(depth=30, width=64, seed=0),
    "step_errors": lambda: gradcheck.plot_step_errors(1.0),
    # Chapter 3 (the saturation runs shortened here; the chapter runs 4000 steps).
    "activation_family": lambda: saturation.plot_activation_family(),
    "saturation_over_training": lambda: saturation.plot_saturation_over_training(
        [
            saturation.saturation_over_training("sigmoid", steps=400, record_every=50),
            saturation.saturation_over_training("tanh", steps=400, record_every=50),
        ]
    ),
    "saturation_at_init": lambda: saturation.plot_saturation_at_init(
        [saturation.saturation_at_init("sigmoid"), saturation.saturation_at_init("tanh")]
    ),
    "dead_units": lambda: saturation.plot_dead_units(saturation.track_dead_units(lr=0.15, seed=7)),
    "gradient_flow": lambda: saturation.plot_gradient_flow(saturation.gradient_flow()),
    "activation_histograms": lambda: saturation.plot_activation_histograms(
        saturation.activation_samples()
    ),
    # Chapter 4.
    "init_forward_backward": lambda: initialization.plot_forward_backward(
        depth=30, width=256, seed=0
    ),
    "layer_histograms": lambda: initialization.plot_layer_histograms(),
    "jacobian_spectra": lambda: initialization.plot_jacobian_spectra(16, 128, seed=0),
    "symmetry": lambda: initialization.plot_symmetry(
        [
            initialization.symmetry_demo(seed=0),
            initialization.symmetry_demo("xavier_normal", seed=0),
        ]
    ),
    # Chapter 5 (training runs shortened here; the chapter runs 40 epochs).
    "temporal_gradients": lambda: rs.plot_temporal_gradients(
        [rs.temporal_gradient_norms(a, q, 40) for a in ("tanh", "sigmoid") for q in (0.8, 1, 1.5)]
    ),
    "above_threshold": lambda: rs.plot_above_threshold(
        [
            rs.temporal_gradient_norms("tanh", 2.0, 50, input_std=0.1),
            rs.temporal_gradient_norms("tanh", 2.0, 50, bias=3.0),
            rs.unexcited_direction("tanh", 2.0, 50),
        ]
    ),
    "clipping_runs": lambda: rs.plot_clipping_runs(
        [rs.run_adding(t, setup=rs.ADDING._replace(epochs=3)) for t in (None, 0.1)]
    ),
    "threshold_sweep": lambda: rs.plot_threshold_sweep(
        [rs.run_adding(t, setup=rs.ADDING._replace(epochs=2)) for t in (None, 0.1, 10.0)]
    ),
    "vanishing_runs": lambda: rs.plot_vanishing_runs(*rs.vanishing_runs(length=10)),
    # Chapter 6.
    "residual_at_init": lambda: capstone.plot_residual_at_init(
        capstone.residual_gradient_norms(depth=30, width=64, seed=0)
    ),
    "ladder_curves": lambda: capstone.plot_ladder_curves(_ladder()),
    "ladder_layer_gradients": lambda: capstone.plot_layer_gradients(_ladder()),
    "ladder_update_ratios": lambda: capstone.plot_update_ratios(_ladder()),
    "ladder_unit_health": lambda: capstone.plot_unit_health(_ladder()),
}

SETTINGS = {
    explore.ScalarChainExplorer: [{}, {"w": 0.5, "depth": 100}, {"w": 1.5, "depth": 1}],
    explore.MatrixProductExplorer: [{}, {"gain": 0.5, "width": 1}, {"gain": 2.0, "width": 1024}],
    explore.ActivationStatsExplorer: [
        {},
        {"activation": "relu", "gain": 3.0, "depth": 40},
        {"activation": "sigmoid", "gain": 0.5, "depth": 2},
    ],
    explore.LadderExplorer: [
        {},
        {"rung": "relu_he_spike", "depth": 16},
        {"rung": "sigmoid_normal", "depth": 8},
    ],
    explore.InitializationExplorer: [
        {},
        {"scheme": "standard_normal", "activation": "tanh", "depth": 50, "width": 256},
        {"scheme": "uniform_fan_in", "activation": "sigmoid", "depth": 2, "width": 16},
    ],
    explore.ClippingExplorer: [{}, {"g1": 4.5, "g2": 4.5, "threshold": 0.2}, {"g1": 0.0}],
    explore.RecurrentGradientExplorer: [
        {},
        {"ratio": 3.0, "activation": "sigmoid", "length": 100, "inputs": 2.0},
        {"ratio": 0.5, "length": 5},
    ],
}

#: A word every explorer's figure shows (its axis labels or header).
EXPLORER_WORDS = {explore.ClippingExplorer: "by value", explore.RecurrentGradientExplorer: "steps"}


def capture(monkeypatch, make):
    """Call a chains.plot_* function and return (figure, view)."""
    figures = []
    show = plotting.show

    def recording_show(fig, alt, caption="", label=""):
        figures.append(fig)
        return show(fig, alt, caption=caption, label=label)

    monkeypatch.setattr(plotting, "show", recording_show)
    view = make()
    assert len(figures) == 1
    return figures[0], view


def small_texts(fig, display_width=None):
    return [
        (t, round(px, 2))
        for t, px in plotting.phone_text_sizes(fig, display_width)
        if px < plotting.MIN_PHONE_TEXT_PX
    ]


@pytest.mark.parametrize("name", FIGURES)
def test_course_figures_are_legible_at_phone_width(monkeypatch, name):
    fig, view = capture(monkeypatch, FIGURES[name])
    assert view.width == round(fig.get_figwidth() * plotting.DISPLAY_DPI)
    assert plotting.phone_text_px(fig) >= plotting.MIN_PHONE_TEXT_PX, small_texts(fig)
    texts = [t for t, _ in plotting.phone_text_sizes(fig)]
    ticks = {t.get_text() for ax in fig.axes for t in ax.get_xticklabels() if t.get_text()}
    assert ticks & set(texts)  # tick labels are counted


@pytest.mark.parametrize("cls", SETTINGS)
def test_explorers_are_legible_at_phone_width(cls):
    ex = cls()
    for values in SETTINGS[cls]:
        ex.update(**values)
        assert plotting.phone_text_px(ex.fig, ex._width) >= plotting.MIN_PHONE_TEXT_PX, (
            values,
            small_texts(ex.fig, ex._width),
        )
    texts = " ".join(t for t, _ in plotting.phone_text_sizes(ex.fig))
    assert EXPLORER_WORDS.get(cls, "layer") in texts  # axis labels and animated header counted


def test_phone_text_px_measures_what_a_phone_shows():
    fig, ax = plotting.new_figure(6.0, 3.0)
    ax.set_axis_off()
    fig.text(0.5, 0.5, "big", fontsize=20)
    # 20 pt in a 6 in figure shown 600 px wide, shrunk to the phone's 390 px: 20 / 72 * 390 / 6.
    assert plotting.PHONE_CONTENT_WIDTH == 390
    assert plotting.phone_text_px(fig) == pytest.approx(20 / 72 * 390 / 6)
    assert plotting.phone_text_px(fig, display_width=300) == pytest.approx(20 / 72 * 300 / 6)
    fig.text(0.1, 0.1, "tiny", fontsize=8)
    assert plotting.phone_text_px(fig) < plotting.MIN_PHONE_TEXT_PX
    fig.text(0.2, 0.2, r"$x^2$", fontsize=20)  # a superscript is drawn at 0.7 of the size
    assert plotting.phone_text_sizes(fig)[0][0] == "tiny"
    assert dict(plotting.phone_text_sizes(fig))[r"$x^2$"] == pytest.approx(0.7 * 20 / 72 * 390 / 6)
    with pytest.raises(TypeError, match="fig"):
        plotting.phone_text_px("figure")
    with pytest.raises(ValueError, match="display_width"):
        plotting.phone_text_px(fig, display_width=0)


def test_default_tick_labels_would_fail_the_phone_rule():
    # The check can fail: a 7 in figure with matplotlib's 10 pt ticks is too small on a phone.
    import matplotlib

    with matplotlib.rc_context({"font.size": 10, "xtick.labelsize": 10, "ytick.labelsize": 10}):
        from matplotlib.figure import Figure

        fig = Figure(figsize=(7, 4))
        fig.subplots().plot([0, 1], [0, 1])
    assert plotting.phone_text_px(fig) < plotting.MIN_PHONE_TEXT_PX


def test_every_colour_has_a_prose_name():
    assert set(plotting.COLOR_NAMES) == set(plotting.COLORS)
    assert plotting.COLOR_NAMES["red"] == "vermilion"  # #D55E00 is not what prose calls red
    assert plotting.COLORS["red"] == "#D55E00"


def test_scalar_chains_figure_curves_are_distinguishable(monkeypatch):
    weights = [0.5, 0.6, 0.9, 1.0, 1.1, 1.6]
    fig, view = capture(monkeypatch, lambda: chains.plot_scalar_chains(weights, depth=50))
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert len(lines) == len(weights)
    looks = {(mcolors.to_hex(line.get_color()), line.get_linestyle()) for line in lines}
    assert len(looks) == len(weights)  # no two curves drawn alike
    for line, w in zip(lines, weights, strict=True):  # the data is scalar_chain's
        np.testing.assert_allclose(line.get_ydata(), np.abs(chains.scalar_chain(w, 50)))
    # Direct labels at the line ends, in the line's colour, in the same vertical order.
    labels = {t.get_text(): t for t in ax.texts}
    assert set(labels) == {f"w = {w:g}" for w in weights}
    for line, w in zip(lines, weights, strict=True):
        assert labels[f"w = {w:g}"].get_color() == line.get_color()
    heights = [labels[f"w = {w:g}"].get_position()[1] for w in weights]
    assert heights == sorted(heights)
    assert "decades per layer" in view.alt and view.caption


def test_random_chains_figure_and_histogram_show_their_functions(monkeypatch):
    fig, view = capture(
        monkeypatch, lambda: chains.plot_random_scalar_chains(0.5, 1.5, 30, n_draws=5, seed=4)
    )
    rng = np.random.default_rng(4)
    logs = chains.log_product(rng.uniform(0.5, 1.5, size=(5, 30))) / math.log(10)
    lines = fig.axes[0].get_lines()
    np.testing.assert_allclose([line.get_ydata() for line in lines[:5]], logs)
    trend = np.arange(31) * chains.uniform_mean_log(0.5, 1.5) / math.log(10)
    np.testing.assert_allclose(lines[5].get_ydata(), trend)
    assert f"{chains.uniform_mean_log(0.5, 1.5) / math.log(10):.4f} decades per layer" in view.alt
    assert view.caption

    fig, view = capture(
        monkeypatch, lambda: chains.plot_log_norm_histogram(4, 20, 0.5, n_draws=500, seed=8)
    )
    lam = chains.lyapunov_exponent(4, 0.5)
    xs = [line.get_xdata()[0] for line in fig.axes[0].get_lines()]
    assert xs == [0.0, pytest.approx(20 * lam)]
    assert view.caption


def test_init_forward_backward_figure_draws_the_runs_and_hes_prediction(monkeypatch):
    fig, view = capture(
        monkeypatch, lambda: initialization.plot_forward_backward(depth=12, width=32, seed=1)
    )
    left, right = fig.axes
    runs = [
        initialization.forward_backward_stats(i, "relu", 12, 32, seed=1)
        for i in ("he_normal", "lecun_normal", "standard_normal")
    ]
    for k, run in enumerate(runs):
        np.testing.assert_array_equal(left.get_lines()[k].get_ydata(), run.activation_std)
        np.testing.assert_array_equal(right.get_lines()[k].get_ydata(), run.gradient_norm)
    predicted = left.get_lines()[3].get_ydata()
    np.testing.assert_allclose(predicted, runs[0].activation_std * 2.0 ** (-np.arange(1, 13) / 2))
    np.testing.assert_allclose(predicted, runs[1].activation_std, rtol=1e-10)
    assert f"output std {runs[2].output_std:.2g}" in view.alt
    assert f"{initialization.he_prediction(12):.1e}" in view.caption
    assert "leaves it" not in view.alt  # 12 layers: every scheme within 8 decades of 1
    # 30 layers: the forward axis covers He and n Var = 1, so the last layer's change shows;
    # the standard normal leaves it at the top, and the panel and the alt text say so.
    fig, view = capture(
        monkeypatch, lambda: initialization.plot_forward_backward(depth=30, width=32, seed=1)
    )
    runs = [
        initialization.forward_backward_stats(i, "relu", 30, 32, seed=1)
        for i in ("he_normal", "lecun_normal", "standard_normal")
    ]
    left = fig.axes[0]
    low, high = left.get_ylim()
    kept = np.concatenate([runs[0].activation_std, runs[1].activation_std])
    assert low <= kept.min() and kept.max() <= high < runs[2].activation_std.max()
    assert any(f"{runs[2].output_std:.1e} at 30" in t.get_text() for t in left.texts)
    assert "N(0, 1) leaves it at the top" in view.alt


def test_jacobian_figure_draws_the_resolved_spectra(monkeypatch):
    fig, view = capture(monkeypatch, lambda: initialization.plot_jacobian_spectra(6, 16, seed=3))
    cases = (("identity", 1.0, 1.0), ("tanh", 1.0, 0.1), ("relu", 2**0.5, 1.0))
    for ax, (act, g, s) in zip(fig.axes, cases, strict=True):
        for line, init in zip(ax.get_lines(), ("gaussian", "orthogonal"), strict=True):
            spec = initialization.jacobian_singular_values(
                init, act, 6, 16, gain=g, input_std=s, seed=3
            )
            np.testing.assert_allclose(line.get_ydata(), spec.resolved / np.log(10))
    assert "relu orthogonal:" in view.alt and "of 16 resolved" in view.alt


def test_symmetry_figure_draws_the_spread_and_loss(monkeypatch):
    runs = [initialization.symmetry_demo(steps=20, seed=0)]
    runs.append(initialization.symmetry_demo("he_normal", steps=20, seed=0))
    fig, view = capture(monkeypatch, lambda: initialization.plot_symmetry(runs))
    left, right = fig.axes
    np.testing.assert_array_equal(left.get_lines()[0].get_ydata(), np.zeros(21))
    np.testing.assert_array_equal(left.get_lines()[1].get_ydata(), runs[1].spread.max(axis=1))
    np.testing.assert_array_equal(right.get_lines()[1].get_ydata(), runs[1].loss)
    assert "constant: largest spread 0, identical units at every step: yes" in view.alt
    assert "he_normal: largest spread" in view.alt and "step: no" in view.alt


def test_layer_histograms_figure_bins_the_samples(monkeypatch):
    fig, view = capture(
        monkeypatch, lambda: initialization.plot_layer_histograms(depth=4, width=32, seed=2)
    )
    runs = [
        initialization.layer_samples(i, "tanh", 4, 32, seed=2)
        for i in ("uniform_fan_in", "xavier_uniform")
    ]
    top_left = fig.axes[0]
    assert len(top_left.patches) == 3  # one outlined histogram per hidden layer
    assert [ax.get_ylabel() for ax in fig.axes] == ["density", "", "density", ""]
    edges = np.linspace(-1, 1, 42)
    counts, _ = np.histogram(runs[0].activations[2], bins=edges, density=True)
    np.testing.assert_allclose(top_left.patches[2].get_xy()[1:-1:2, 1], counts)
    sds = ", ".join(f"{float(np.std(a)):.2g}" for a in runs[1].activations)
    assert f"xavier_uniform: activation std by layer {sds};" in view.alt


def test_ladder_figures_draw_the_runs(monkeypatch):
    groups = _ladder()  # one tuple of runs (over seeds) per rung
    fig, view = capture(monkeypatch, lambda: capstone.plot_ladder_curves(groups))
    he = groups[2]
    lines = fig.axes[2].get_lines()  # ReLU, He: one line per seed, then the median, the target
    for line, run in zip(lines, he, strict=False):
        np.testing.assert_array_equal(line.get_ydata(), run.accuracy)
    np.testing.assert_array_equal(
        lines[len(he)].get_ydata(), np.median([r.accuracy for r in he], axis=0)
    )
    finals = summarize([r.final_accuracy for r in he])
    assert f"{he[0].label}: {finals.format('.2f')}" in view.alt and view.caption
    fig, view = capture(monkeypatch, lambda: capstone.plot_layer_gradients(groups))
    first = fig.axes[1].get_lines()[0]  # sigmoid with Xavier weights, at step 0: the median
    xavier = np.log10([r.grad_norm[0] for r in groups[1]])
    np.testing.assert_allclose(first.get_ydata(), np.median(xavier, axis=0))
    assert f"from {10 ** np.median(xavier[:, 0]):.1e} (layer 1)" in view.alt
    fig, view = capture(monkeypatch, lambda: capstone.plot_update_ratios(groups))
    assert "rule of thumb 1e-3" in view.alt and "median over 5 seeds" in view.alt
    fig, view = capture(monkeypatch, lambda: capstone.plot_unit_health(groups))
    dead = fig.axes[0].get_lines()[2].get_ydata()  # ReLU, He
    per_seed = [np.nanmean(r.dead_fraction, axis=1) for r in he]
    np.testing.assert_allclose(dead, np.median(per_seed, axis=0))
    ends = summarize([np.nanmean(r.dead_fraction[-1]) for r in he])
    assert f"{he[0].label}: dead {ends.format('.2f')}" in view.alt


def test_residual_figure_draws_relative_norms(monkeypatch):
    norms = capstone.residual_gradient_norms(depth=12, width=32, seed=1)
    fig, view = capture(monkeypatch, lambda: capstone.plot_residual_at_init(norms))
    lines = fig.axes[0].get_lines()
    np.testing.assert_allclose(
        lines[1].get_ydata(), np.log10(norms["residual"] / norms["residual"][-1])
    )
    assert f"{norms['residual'][0] / norms['residual'][-1]:.3g}" in view.alt


def test_jacobian_figure_draws_given_spectra_without_recomputing(monkeypatch):
    spectra = initialization.jacobian_spectra(5, 12, seed=4)
    calls = []
    real = initialization.jacobian_singular_values
    monkeypatch.setattr(
        initialization, "jacobian_singular_values", lambda *a, **k: calls.append(a) or real(*a, **k)
    )
    fig, view = capture(monkeypatch, lambda: initialization.plot_jacobian_spectra(spectra=spectra))
    assert calls == []
    line = fig.axes[2].get_lines()[0]  # ReLU, Gaussian
    np.testing.assert_allclose(
        line.get_ydata(), spectra[("relu", "gaussian")].resolved / np.log(10)
    )
    fresh = initialization.jacobian_singular_values("gaussian", "relu", 5, 12, gain=2**0.5, seed=4)
    np.testing.assert_array_equal(
        fresh.log_singular_values, spectra[("relu", "gaussian")].log_singular_values
    )
    with pytest.raises(TypeError, match="spectra"):
        initialization.plot_jacobian_spectra(spectra={("relu", "gaussian"): None})


# --- numbered figures in the notebook (Figure N.M and caption under the picture) ------------


def test_figure_numbers_follow_each_chapter():
    """FIGURE_NUMBERS lists each chapter's captioned figures in the chapters' order (so the
    number the notebook prints is the one the HTML book's numfig gives)."""
    import json

    from _book import CHAPTERS

    for chapter, path in enumerate(CHAPTERS, start=1):
        names = [
            c["metadata"]["mystnb"]["figure"]["name"]
            for c in json.loads(path.read_text())["cells"]
            if c["metadata"].get("mystnb", {}).get("figure", {}).get("caption")
        ]
        numbered = [
            k for k, v in plotting.FIGURE_NUMBERS.items() if v.split(".")[0] == str(chapter)
        ]
        assert names == numbered, path.name
        assert [plotting.FIGURE_NUMBERS[n] for n in names] == [
            f"{chapter}.{i}" for i in range(1, len(names) + 1)
        ]


def test_caption_output():
    data, meta = plotting.caption_output("fig-step-errors", "  Errors *fall* as $h^2$.  ")
    assert data == {
        "text/markdown": "(fig-step-errors)=\n**Figure 2.4.** Errors *fall* as $h^2$.",
        "text/plain": "Figure 2.4. Errors *fall* as $h^2$.",
    }
    assert meta == {plotting.NOTEBOOK_ONLY_KEY: True}
    for label in ("fig-nope", "", None, 3):
        with pytest.raises(ValueError, match="label"):
            plotting.caption_output(label, "A caption.")
    with pytest.raises(ValueError, match="caption"):
        plotting.caption_output("fig-step-errors", "  ")


def _displayed(obj):
    """What IPython displays for ``obj`` (as the last line of a cell): [(data, metadata)]."""
    from IPython.core.displaypub import CapturingDisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    pub = CapturingDisplayPublisher()
    saved, shell.display_pub = shell.display_pub, pub
    try:
        shell.user_ns["_obj"] = obj
        assert shell.run_cell("_obj", store_history=False).success
    finally:
        shell.display_pub = saved
    return [(o["data"], o["metadata"]) for o in pub.outputs]


def test_a_numbered_figure_shows_its_number_and_caption_above_it():
    fig, ax = plotting.new_figure()
    ax.plot([0, 1], [0, 1])
    view = plotting.show(fig, "A straight line from 0 to 1, for the test.", "Cap.", "fig-symmetry")
    (note, nmeta), (picture, pmeta) = _displayed(view)  # number and caption first
    assert set(picture) == {"image/png", "text/plain"}
    assert pmeta["image/png"][plotting.LABEL_KEY] == "fig-symmetry"
    assert pmeta["image/png"][plotting.CAPTION_KEY] == "Cap."
    assert note["text/plain"] == "Figure 4.3. Cap."
    assert nmeta == {plotting.NOTEBOOK_ONLY_KEY: True}
    plain = plotting.show(fig, "A straight line from 0 to 1, for the test.", "Cap.")
    assert len(_displayed(plain)) == 1  # no label: not a numbered figure
    with pytest.raises(ValueError, match="caption"):
        plotting.show(fig, "A straight line from 0 to 1, for the test.", "", "fig-symmetry")
    with pytest.raises(ValueError, match="label"):
        plotting.show(fig, "A straight line from 0 to 1, for the test.", "Cap.", "fig-none")
    with pytest.raises(TypeError, match="label"):
        plotting.show(fig, "A straight line from 0 to 1, for the test.", "Cap.", None)


def test_every_book_figure_function_and_explorer_is_labelled():
    """Every figure label is produced by exactly one gradlab function or explorer."""
    import ast
    import pathlib

    lib = pathlib.Path(plotting.__file__).parent
    found = []
    for path in sorted(lib.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "label":
                if isinstance(node.value, ast.Constant) and str(node.value.value).startswith(
                    "fig-"
                ):
                    found.append(node.value.value)
            if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["label"]:
                if isinstance(node.value, ast.Constant) and str(node.value.value).startswith(
                    "fig-"
                ):
                    found.append(node.value.value)
    assert sorted(found) == sorted(plotting.FIGURE_NUMBERS)


def test_an_explorer_shows_its_number_and_caption_above_it():
    from gradlab import explore

    shown = _displayed(explore.ScalarChainExplorer())
    (note, nmeta), (picture, _meta) = shown
    assert nmeta == {plotting.NOTEBOOK_ONLY_KEY: True}
    assert note["text/plain"].startswith("Figure 1.2. ")
    assert note["text/markdown"].startswith("(fig-scalar-chain-explorer)=\n**Figure 1.2.** ")
    assert "image/png" in picture and "application/vnd.jupyter.widget-view+json" in picture
