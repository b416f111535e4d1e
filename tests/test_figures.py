"""Every course figure and explorer: legible at phone width, colours named, data as claimed."""

import math

import matplotlib.colors as mcolors
import numpy as np
import pytest
from _mutation import shared_scope

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


def test_caption_output_refusals_name_the_argument():
    with pytest.raises(ValueError, match=r"^label must be one of FIGURE_NUMBERS' labels, got 'x'$"):
        plotting.caption_output("x", "A caption.")
    for caption in ("", " \n", 3, None):
        with pytest.raises(ValueError, match=r"^caption must be a non-empty str$"):
            plotting.caption_output("fig-step-errors", caption)


def test_display_figure_numbers_only_a_labelled_captioned_figure():
    from IPython.core.displaypub import CapturingDisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    def displayed(*args, **kwargs):
        shell = InteractiveShell.instance()
        pub = CapturingDisplayPublisher()
        saved, shell.display_pub = shell.display_pub, pub
        try:
            plotting.display_figure(*args, **kwargs)
        finally:
            shell.display_pub = saved
        return [(o["data"], o["metadata"]) for o in pub.outputs]

    bundle = ({"text/plain": "A picture."}, {"text/plain": {"k": 1}})
    assert displayed(bundle) == [bundle]
    assert displayed(bundle, label="fig-symmetry") == [bundle]  # no caption: not numbered
    assert displayed(bundle, caption="Cap.") == [bundle]  # no label: not numbered
    # Figure 4.3: "fig-symmetry" is the third label of chapter 4 in FIGURE_NUMBERS.
    note = {
        "text/markdown": "(fig-symmetry)=\n**Figure 4.3.** Cap.",
        "text/plain": "Figure 4.3. Cap.",
    }
    assert displayed(bundle, "fig-symmetry", "Cap.") == [
        (note, {plotting.NOTEBOOK_ONLY_KEY: True}),
        bundle,
    ]


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


# --- Chapter 2's figures, read artist by artist against the definitions ----------------------


def build(monkeypatch, make):
    """Call a plot function without rendering its PNG: (figure, alt, caption, label) as it gives
    them to plotting.show."""
    shown = []
    monkeypatch.setattr(plotting, "show", lambda *args, **kwargs: shown.append((args, kwargs)))
    make()
    ((args, kwargs),) = shown
    return (*args, kwargs["label"])


def _sigma(z):
    return 1 / (1 + np.exp(-z))


def _dsigma(z):
    return _sigma(z) * (1 - _sigma(z))


def _dtanh(z):
    return 1 - np.tanh(z) ** 2


def _hex(color):
    return mcolors.to_hex(color)


def _points_px(ax, line):
    return ax.transData.transform(np.column_stack([line.get_xdata(), line.get_ydata()]))


@pytest.fixture(scope=shared_scope)
def sigmoid_figure():
    """The book's Figure 2.1, as the chapter calls it (z_mark = 5), rendered once."""
    with pytest.MonkeyPatch.context() as mp:
        fig, view = capture(mp, lambda: backprop.plot_sigmoid_tanh_derivatives(z_mark=5.0))
    return fig, view


def test_sigmoid_figure_draws_the_functions_and_derivatives(sigmoid_figure):
    fig, view = sigmoid_figure
    assert tuple(fig.get_size_inches()) == (plotting.FIGURE_WIDTH, 3.6)  # the course's size
    assert view.width == plotting.FIGURE_WIDTH * plotting.DISPLAY_DPI
    left, right = fig.axes
    blue, orange = plotting.COLORS["blue"], plotting.COLORS["orange"]
    curves = {
        left: [("σ(z)", _sigma, blue), ("tanh z", np.tanh, orange)],
        right: [("σ′(z)", _dsigma, blue), ("tanh′(z)", _dtanh, orange)],
    }
    for ax, expected in curves.items():
        lines = ax.get_lines()[:2]
        for line, (label, f, color) in zip(lines, expected, strict=True):
            z = line.get_xdata()
            # A grid symmetric about 0 that holds z = 0 itself (where the peaks are), out to
            # |z| = 8, where both derivatives are below 1e-3: the saturated tails show.
            assert z[0] == -z[-1] and 0.0 in z and len(z) > 200
            assert np.all(np.diff(z) > 0) and _dsigma(z[-1]) < 1e-3
            np.testing.assert_allclose(line.get_ydata(), f(z), rtol=1e-12, atol=1e-15)
            assert line.get_label() == label and _hex(line.get_color()) == color.lower()
        # Told apart without colour: solid against dashed; drawn with the same weight.
        assert [line.get_linestyle() for line in lines] == ["-", "--"]
        assert lines[0].get_linewidth() == lines[1].get_linewidth()
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [e[0] for e in expected]
        assert ax.get_xlabel() == "z"
    assert [line.get_linewidth() for line in right.get_lines()[:2]] == [
        line.get_linewidth() for line in left.get_lines()
    ]
    assert left.get_title() == "activation" and right.get_title() == "derivative (log scale)"
    assert left.get_yscale() == "linear" and right.get_yscale() == "log"
    # The left panel's ticks are the functions' limits: tanh from -1 to 1, the sigmoid from 0.
    assert list(left.get_yticks()) == [-1.0, 0.0, 1.0]


def test_sigmoid_figure_marks_the_peaks_and_the_values_at_z_mark(sigmoid_figure):
    fig, view = sigmoid_figure
    right = fig.axes[1]
    blue, orange = plotting.COLORS["blue"], plotting.COLORS["orange"]
    curves, marks = right.get_lines()[:2], right.get_lines()[2:]
    ds, dt = float(_dsigma(5.0)), float(_dtanh(5.0))
    expected = [([0.0, 0.25, ds], blue, curves[0]), ([0.0, 1.0, dt], orange, curves[1])]
    for mark, ((x0, peak, at_mark), color, curve) in zip(marks, expected, strict=True):
        np.testing.assert_allclose(mark.get_xdata(), [x0, 5.0])
        np.testing.assert_allclose(mark.get_ydata(), [peak, at_mark], rtol=1e-12)
        assert _hex(mark.get_color()) == color.lower() == _hex(curve.get_color())
        assert mark.get_linestyle() == "None"  # two points, not a line between them
    # Told apart without colour: different marker shapes, the same size.
    assert marks[0].get_marker() != marks[1].get_marker()
    assert "None" not in (marks[0].get_marker(), marks[1].get_marker())
    assert marks[0].get_markersize() == marks[1].get_markersize()
    # Each value at z_mark is written next to its mark, in the curve's colour, to two
    # significant figures (as the alt text gives it).
    renderer = fig.canvas.get_renderer()
    labels = right.texts
    # sigma'(5) = e^-5 / (1 + e^-5)^2 = 0.00665, tanh'(5) = 4 e^-10 / (1 + e^-10)^2 = 0.000182.
    assert [t.get_text() for t in labels] == [f"{ds:.2g}", f"{dt:.2g}"] == ["0.0066", "0.00018"]
    for text, mark, curve in zip(labels, marks, curves, strict=True):
        assert _hex(text.get_color()) == _hex(mark.get_color())
        box = text.get_window_extent(renderer)
        mx, my = _points_px(right, mark)[1]
        radius = mark.get_markersize() / 72 * fig.dpi / 2
        # Close to the mark (within 25 px of its centre) ...
        assert math.hypot(max(box.x0 - mx, 0, mx - box.x1), max(box.y0 - my, 0, my - box.y1)) < 25
        # ... covering neither the mark nor any point of its curve.
        assert not box.expanded(1, 1).padded(radius).contains(mx, my)
        xy = _points_px(right, curve)
        inside = (box.x0 <= xy[:, 0]) & (xy[:, 0] <= box.x1)
        inside &= (box.y0 <= xy[:, 1]) & (xy[:, 1] <= box.y1)
        assert not inside.any(), text.get_text()
    # The axis shows the peaks and the marks, labelled at whole decades without superscripts.
    low, high = right.get_ylim()
    assert low < dt < ds < 0.25 < 1.0 < high
    for curve in curves:  # the whole curves, tails included
        assert low <= curve.get_ydata().min() and curve.get_ydata().max() <= high
    ticks = right.get_yticks()
    shown = [t for t in ticks if low <= t <= high]
    assert [t.get_text() for t in right.get_yticklabels() if low <= t.get_position()[1] <= high]
    assert right.yaxis.get_minorticklocs().size == 0
    np.testing.assert_allclose(np.log10(shown), np.round(np.log10(shown)))
    # every two decades, from 1 down to the bottom decade
    assert np.all(np.diff(np.round(np.log10(shown))) == 2) and shown[-1] == 1.0
    assert np.log10(shown[0]) - np.log10(low) <= 2


def test_sigmoid_figure_legends_hide_no_data(sigmoid_figure):
    fig, _ = sigmoid_figure
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        box = ax.get_legend().get_window_extent(renderer)
        for line in ax.get_lines():
            xy = _points_px(ax, line)
            inside = (box.x0 <= xy[:, 0]) & (xy[:, 0] <= box.x1)
            inside &= (box.y0 <= xy[:, 1]) & (xy[:, 1] <= box.y1)
            assert not inside.any(), line.get_label()


def test_sigmoid_figure_right_axis_runs_from_1e_7_to_3_with_ticks_every_two_decades(
    sigmoid_figure,
):
    fig, _ = sigmoid_figure
    right = fig.axes[1]
    # At z_mark = 5 the lower mark, tanh'(5) = 1.8e-4, is two decades above 1.8e-6: the floor
    # of the axis, 1e-7, is lower still, so the axis runs from 1e-7 up to 3, above the peak
    # tanh'(0) = 1.
    assert _dtanh(5.0) / 100 > 1e-7
    low, high = right.get_ylim()
    assert low == pytest.approx(1e-7, rel=1e-12, abs=0) and high == pytest.approx(3.0, rel=1e-12)
    # Ticks at every even decade from the lowest one on the axis (1e-6) up to 1.
    np.testing.assert_allclose(right.get_yticks(), [1e-6, 1e-4, 1e-2, 1.0], rtol=1e-12)
    # The legend sits at the bottom of the panel, centred across it (the curves' tails fill
    # the lower corners).
    renderer = fig.canvas.get_renderer()
    box, panel = right.get_legend().get_window_extent(renderer), right.get_window_extent(renderer)
    assert (box.x0 + box.x1) / 2 == pytest.approx((panel.x0 + panel.x1) / 2, abs=1.0)
    assert box.y0 - panel.y0 < 0.1 * panel.height


def test_sigmoid_figure_alt_and_caption_state_what_is_drawn(sigmoid_figure):
    fig, view = sigmoid_figure
    left, right = fig.axes
    (sig, th), (dsig, dth) = left.get_lines()[:2], right.get_lines()[:2]
    z = dsig.get_xdata()
    # Left: the sigmoid from 0 to 1 and tanh from -1 to 1, flat at both ends.
    assert sig.get_ydata()[0] < 1e-3 and sig.get_ydata()[-1] > 1 - 1e-3
    assert th.get_ydata()[0] < -1 + 1e-6 and th.get_ydata()[-1] > 1 - 1e-6
    # Right: each derivative's largest value is at z = 0, 1/4 and 1 ...
    for line, peak in ((dsig, 0.25), (dth, 1.0)):
        y = line.get_ydata()
        assert z[np.argmax(y)] == 0.0 and y.max() == pytest.approx(peak, rel=1e-12)
    # ... and further out they fall exponentially: straight lines on the log axis, slopes
    # -1 and -2 per unit of z (sigma' ~ e^-z, tanh' ~ 4 e^-2z), to a tiny fraction (< 1e-3).
    tail = z >= 6
    for line, rate in ((dsig, 1.0), (dth, 2.0)):
        slope = np.diff(np.log(line.get_ydata()[tail])) / np.diff(z[tail])
        np.testing.assert_allclose(slope, -rate, atol=0.01)
        assert line.get_ydata()[-1] < 1e-3
    ds, dt = float(_dsigma(5.0)), float(_dtanh(5.0))
    assert view.alt == (
        "Left: the sigmoid rises from 0 to 1 and tanh from -1 to 1, both flat for large |z|. "
        "Right, on a log scale: the sigmoid's derivative peaks at 0.25 at z = 0 and tanh's at 1; "
        f"at z = 5 they have fallen to {ds:.2g} and {dt:.2g}, and both fall exponentially "
        "further out."
    )
    assert view.caption == (
        "The sigmoid and tanh, and their derivatives on a log scale. Neither derivative exceeds "
        r"its value at $z = 0$ ($\tfrac14$ and 1), and a saturated unit passes back only a tiny "
        "fraction of the gradient."
    )
    assert view.label == "fig-sigmoid-derivative"


def test_sigmoid_figure_z_mark_bounds(monkeypatch):
    with pytest.raises(ValueError, match=r"^z_mark must be >= 0.5, got 0.4"):
        backprop.plot_sigmoid_tanh_derivatives(0.4)
    with pytest.raises(ValueError, match=r"^z_mark must be <= 15.0, got 15.5"):
        backprop.plot_sigmoid_tanh_derivatives(15.5)
    with pytest.raises(TypeError, match=r"^z_mark must be a real number"):
        backprop.plot_sigmoid_tanh_derivatives("5")
    fig, alt, _, _ = build(monkeypatch, lambda: backprop.plot_sigmoid_tanh_derivatives(0.5))
    marks = fig.axes[1].get_lines()[2:]
    np.testing.assert_allclose([m.get_ydata()[1] for m in marks], [_dsigma(0.5), _dtanh(0.5)])
    assert f"at z = 0.5 they have fallen to {_dsigma(0.5):.2g} and {_dtanh(0.5):.2g}" in alt


@pytest.fixture(scope=shared_scope)
def gradient_figure():
    """The default call: the book's Figure 2.2, (sigmoid, tanh, relu), 30 layers of width 64,
    gain 1, seed 0 (the chapter passes these), rendered once."""
    with pytest.MonkeyPatch.context() as mp:
        return capture(mp, backprop.plot_gradient_norms)


def _check_gradient_panels(fig, names, depth, width, gain, seed):
    """Each panel draws gradient_norms_at_init's norms and Chapter 1's line for a linear network;
    returns the runs."""
    assert tuple(fig.get_size_inches()) == (plotting.FIGURE_WIDTH, 3.6)  # the course's size
    runs = [backprop.gradient_norms_at_init(a, depth, width, gain, seed=seed) for a in names]
    linear = backprop.gradient_norms_at_init("identity", depth, width, gain, seed=seed)
    # The linear network's top-layer norm, then lambda / ln 10 decades more per layer down.
    lam = chains.lyapunov_exponent(width, gain / math.sqrt(width))
    layers = np.arange(1, depth + 1)
    predicted = np.log10(linear.backward[-1]) + (depth - layers) * lam / math.log(10)
    assert len(fig.axes) == len(names)
    for ax, run, name in zip(fig.axes, runs, names, strict=True):
        measured, line = ax.get_lines()
        np.testing.assert_array_equal(measured.get_xdata(), layers)
        np.testing.assert_array_equal(measured.get_ydata(), run.backward)
        np.testing.assert_array_equal(line.get_xdata(), layers)
        np.testing.assert_allclose(np.log10(line.get_ydata()), predicted, rtol=1e-12)
        # Measured: blue points, one per layer, joined; predicted: a dashed grey line.
        assert (measured.get_marker(), measured.get_linestyle()) == ("o", "-")
        assert _hex(measured.get_color()) == plotting.COLORS["blue"].lower()
        assert (line.get_marker(), line.get_linestyle()) == ("None", "--")
        assert _hex(line.get_color()) == plotting.COLORS["grey"].lower()
        assert ax.get_yscale() == "log" and ax.get_ylim() == fig.axes[0].get_ylim()
        decades = math.log10(run.backward[0] / run.backward[-1])
        assert ax.get_title() == f"{name}\n{decades:+.1f} decades".replace("-", "\u2212")
        assert ax.get_xlabel() == "layer ℓ"
        # Whole layer numbers: the first, the middle (rounded down) and the last.
        assert list(ax.get_xticks()) == [1, depth // 2, depth]
        assert all(isinstance(t, (int, np.integer)) for t in ax.xaxis.get_major_locator().locs)
    first = fig.axes[0]
    assert first.get_ylabel() == "‖∂J/∂a‖ at layer ℓ's input"
    assert all(ax.get_ylabel() == "" for ax in fig.axes[1:])
    # The y ticks: whole decades at a constant step, from the data's top decade down to its
    # bottom decade (less than a step above it), the step the smallest whole number of decades
    # at which five ticks would span the data's decades; labelled 1e−k in full-size text (no
    # superscripts), no minor ticks.
    norms = np.concatenate([r.backward for r in runs])
    top, bottom = math.ceil(np.log10(norms.max())), math.floor(np.log10(norms.min()))
    ticks = sorted(first.get_yticks())
    ks = np.log10(ticks)
    np.testing.assert_allclose(ks, np.round(ks), atol=1e-12)
    ks = [round(k) for k in ks]
    step = ks[1] - ks[0] if len(ks) > 1 else top - bottom + 1
    assert step >= 1 and np.all(np.diff(ks) == step)
    assert ks[-1] == top and bottom <= ks[0] < bottom + step
    assert 4 * step >= top - bottom and (step == 1 or 4 * (step - 1) < top - bottom)
    assert len(ks) <= 5
    formatter = first.yaxis.get_major_formatter()
    labels = ["1" if k == 0 else f"1e{k}".replace("-", "\u2212") for k in ks]
    assert [formatter(t, i) for i, t in enumerate(ticks)] == labels
    assert first.yaxis.get_minorticklocs().size == 0
    return runs


def test_gradient_figure_draws_each_activations_norms_and_the_linear_prediction(gradient_figure):
    fig, view = gradient_figure
    names = ("sigmoid", "tanh", "relu")
    runs = _check_gradient_panels(fig, names, 30, 64, 1.0, 0)
    # 30 markers a panel stand apart: a marker is narrower than the step between two layers.
    ax = fig.axes[0]
    measured = ax.get_lines()[0]
    step_px = np.diff(ax.transData.transform([[1, 1], [2, 1]])[:, 0])[0]
    assert measured.get_markersize() / 72 * fig.dpi < step_px
    linear = backprop.gradient_norms_at_init("identity", 30, 64, 1.0, seed=0)
    flat = abs(backprop.linear_prediction(linear)[0] - backprop.linear_prediction(linear)[-1])
    assert flat < 0.25  # nearly flat, against several decades for the sigmoid
    assert runs[0].decades_lost < -4
    summary = "; ".join(
        f"{name} {math.log10(r.backward[0] / r.backward[-1]):+.1f}"
        for name, r in zip(names, runs, strict=True)
    )
    assert view.alt == (
        "Per-layer norms of the gradient reaching each of 30 layers of width 64 at "
        "initialization (weights N(0, 1/64)), log scale, one panel per activation. "
        f"Change in orders of magnitude from the last layer to the first: {summary}. A dashed "
        "grey line shows a linear network's Chapter-1 prediction, nearly flat."
    )
    assert view.caption == (
        "Vanishing made visible: the gradient reaching each layer of a deep network at "
        "initialization, same weights' scale, three activations. The dashed line is a linear "
        "network's prediction from Chapter 1."
    )
    assert view.label == "fig-gradient-norms"


def test_gradient_figure_of_one_activation_with_another_gain(monkeypatch):
    fig, alt, caption, label = build(
        monkeypatch,
        lambda: backprop.plot_gradient_norms(("tanh",), depth=7, width=8, gain=1.5, seed=3),
    )
    _check_gradient_panels(fig, ("tanh",), 7, 8, 1.5, 3)
    # Weights N(0, gain^2 / width): 1.5^2 = 2.25.
    assert "each of 7 layers of width 8 at initialization (weights N(0, 2.25/8))" in alt
    assert label == "fig-gradient-norms"
    # The dashed line: Chapter 1's slope lambda / ln 10 decades a layer, over 6 steps; at gain
    # 1.5 it rises (lambda > 0) by over half a decade, so it is not called "nearly flat".
    lam = chains.lyapunov_exponent(8, 1.5 / math.sqrt(8))
    rise = 6 * lam / math.log(10)
    assert rise > 0.5
    assert alt.endswith(f"Chapter-1 prediction, {rise:+.1f} decades.")
    assert "same weights' scale, one activation." in caption
    with pytest.raises(ValueError, match=r"^activation_names must hold at least one activation$"):
        backprop.plot_gradient_norms(())


@pytest.mark.parametrize(
    ("names", "count"),
    [
        (("sigmoid", "relu"), "two activations"),
        (("sigmoid", "tanh", "relu", "elu"), "4 activations"),  # past three: in figures
    ],
)
def test_gradient_figure_caption_counts_the_activations(monkeypatch, names, count):
    fig, _, caption, _ = build(
        monkeypatch, lambda: backprop.plot_gradient_norms(names, depth=4, width=4, seed=0)
    )
    assert len(fig.axes) == len(names)
    assert f"same weights' scale, {count}. The dashed line" in caption


def test_gradient_figure_calls_a_dashed_line_nearly_flat_below_half_a_decade(monkeypatch):
    # The dashed line's change from the last layer to the first, line[0] - line[-1] in
    # decades: under half a decade it is "nearly flat"; from half a decade on, its value.
    depth = 4
    for change, words in [
        (math.nextafter(0.5, 0.0), "nearly flat"),
        (0.5, "+0.5 decades"),
        (-0.5, "-0.5 decades"),  # the size of the change counts, up or down
    ]:
        line = np.linspace(change, 0.0, depth)  # first layer to last
        assert line[0] - line[-1] == change
        monkeypatch.setattr(backprop, "linear_prediction", lambda norms, line=line: line)
        _, alt, _, _ = build(
            monkeypatch, lambda: backprop.plot_gradient_norms(("tanh",), depth=depth, width=4)
        )
        assert alt.endswith(f"Chapter-1 prediction, {words}.")


def test_sigmoid_figure_shows_the_marks_up_to_the_largest_z_mark(monkeypatch):
    # z_mark = 14.5, near the largest accepted: tanh'(14.5) = 4 e^-29 / (1 + e^-29)^2 ~ 1e-12.
    fig, alt, _, _ = build(monkeypatch, lambda: backprop.plot_sigmoid_tanh_derivatives(14.5))
    right = fig.axes[1]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    curves, marks = right.get_lines()[:2], right.get_lines()[2:]
    low, high = right.get_ylim()
    for curve in curves:  # the curves run out to the mark, and are shown whole
        assert curve.get_xdata()[-1] >= 14.5 and curve.get_xdata()[0] <= -14.5
        assert low <= curve.get_ydata().min()
    for mark, value in zip(marks, (_dsigma(14.5), _dtanh(14.5)), strict=True):
        assert mark.get_ydata()[1] == pytest.approx(value, rel=1e-9) and low < value < high
    panel = right.get_window_extent(renderer)
    for text in right.texts:  # the values are written inside the panel
        box = text.get_window_extent(renderer)
        assert panel.x0 <= box.x0 and box.x1 <= panel.x1
        assert panel.y0 <= box.y0 and box.y1 <= panel.y1
    # Ticks every two decades from 1 down to the bottom of the axis (within two decades of it).
    ticks = [t for t in right.get_yticks() if low <= t <= high]
    ks = np.log10(ticks)
    np.testing.assert_allclose(ks, np.round(ks), atol=1e-12)
    assert np.all(np.diff(ks) == 2) and min(ks) - np.log10(low) <= 2 and max(ks) == 0
    # The axis runs from two decades below the lower mark up to 3: tanh'(14.5) = sech^2(14.5)
    # (1 - tanh^2 would lose digits to cancellation), 1.0e-12, is far below 1e-7.
    assert low == pytest.approx(1 / math.cosh(14.5) ** 2 / 100, rel=1e-9, abs=0)
    assert high == pytest.approx(3.0, rel=1e-12)
    assert f"at z = 14.5 they have fallen to {_dsigma(14.5):.2g} and {_dtanh(14.5):.2g}" in alt
