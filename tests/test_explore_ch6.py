"""Chapter 6's explorer draws the cached runs of the ladder, marks what leaves its axes, and
passes the framework's generic checks (test_explore.py)."""

import numpy as np
import pytest
import test_explore as generic  # the framework's checks, run on this explorer below

from gradlab import capstone, explore, plotting
from gradlab.explore import static

CLS = explore.LadderExplorer


def test_controls_are_the_ladder():
    c = CLS.controls
    assert list(c["rung"].options) == list(capstone.RUNGS)
    assert tuple(c["depth"].options) == capstone.DEPTHS and c["depth"].default == 16
    assert tuple(c["seed"].options) == capstone.LADDER_SEEDS and c["seed"].default == 0


@pytest.mark.parametrize("rung", list(capstone.RUNGS))
@pytest.mark.parametrize("depth", capstone.DEPTHS)
@pytest.mark.parametrize("seed", [0, 3])
def test_explorer_draws_the_cached_run(rung, depth, seed):
    ex = CLS()
    ex.update(rung=rung, depth=depth, seed=seed)
    run = capstone.load_ladder(seed=seed)[(rung, depth)]
    x, acc = ex._acc.get_data()
    np.testing.assert_array_equal(x, run.record_steps)
    np.testing.assert_array_equal(acc, run.accuracy)
    steps, glob = ex._global.get_data()
    np.testing.assert_array_equal(steps, np.arange(0, len(run.loss), CLS.window))
    windows = run.global_grad_norm.reshape(-1, CLS.window)  # 2000 steps, windows of 10
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(glob, np.log10(np.nanmax(windows, axis=1)))
    layers, first = ex._grad[0].get_data()
    np.testing.assert_array_equal(layers, np.arange(1, depth + 1))
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(first, np.log10(run.grad_norm[0]))
    assert run.label in ex._header.get_text() and f"seed {seed}" in ex._header.get_text()
    if run.diverged_at is None:
        assert f"accuracy {run.final_accuracy:.3f}" in ex.alt_text()
    else:
        assert f"diverges at step {run.diverged_at}" in ex.alt_text()
        assert "nan" not in ex.alt_text() + ex._header.get_text()


@pytest.mark.parametrize("rung", list(capstone.RUNGS))
def test_header_units_are_the_results_tables(rung):
    # The header's dead (and saturated) shares at the end are the table's: the last evaluation.
    ex = CLS()
    ex.update(rung=rung)
    row = capstone.results_table([ex.measure()["run"]]).rows[0]
    header = ex._header.get_text()
    assert f"dead {row[6]}" in header
    assert (f"saturated {row[7]}" in header) == (row[7] != "–")


def test_spike_is_visible_and_off_scale_points_are_marked():
    ex = CLS()
    ex.update(rung="relu_he_spike", depth=16)
    run = ex.measure()["run"]
    assert np.nanmax(run.global_grad_norm) > 1e3  # the spike the rung is about
    ex.update(rung="sigmoid_xavier", depth=16)
    ratio = ex.measure()["ratio"]
    below = np.sum(ratio < CLS.ylim_ratio[0])
    x, _ = ex._ratio_off.below.get_data()
    assert len(x) == below
    if below:
        assert "off the plotted ranges" in ex.alt_text()


def test_window_max_keeps_spikes_and_skips_nan():
    x = np.array([1.0, 5.0, np.nan, 2.0, np.nan, np.nan, 3.0])
    np.testing.assert_array_equal(CLS.window_max(x, 2), [5.0, 2.0, np.nan, 3.0])


def test_runs_are_validated():
    with pytest.raises(TypeError, match="runs"):
        CLS(runs=[1, 2])
    with pytest.raises(ValueError, match="missing"):
        CLS(runs={("relu_he", 16): None})
    runs = capstone.load_ladder_seeds()
    with pytest.raises(ValueError, match="5 seeds"):
        CLS(runs={**runs, ("relu_he", 16): runs[("relu_he", 16)][:2]})


def test_is_legible_at_phone_width():
    ex = CLS()
    for values in ({}, {"rung": "sigmoid_normal", "depth": 8}, {"rung": "relu_he_clip"}):
        ex.update(**values)
        assert plotting.phone_text_px(ex.fig, ex._width) >= plotting.MIN_PHONE_TEXT_PX


def test_only_serializable_artists_are_animated():
    # The static-HTML serializer handles Line2D (markers o v ^ s), FastText and Polygon only.
    from matplotlib.lines import Line2D

    from gradlab.explore._text import FastText

    ex = CLS()
    for artist in ex._animated:
        assert isinstance(artist, (Line2D, FastText)), type(artist)
        if isinstance(artist, Line2D):
            assert artist.get_marker() in ("None", "o", "v", "^", "s", None, "")


@pytest.mark.parametrize(
    "bad, good",
    [
        ({"rung": "relu_xavier"}, {"rung": "residual"}),
        ({"depth": 12}, {"depth": 8}),
        ({"seed": 7}, {"seed": 2}),
    ],
)
def test_a_rejected_update_changes_nothing(bad, good):
    generic.test_a_rejected_update_changes_nothing(CLS, bad, good)


def test_rungs_are_offered_by_their_labels():
    rung = CLS.controls["rung"]
    assert rung.label_of("relu_he_spike") == capstone.RUNGS["relu_he_spike"].label
    assert dict(rung.widget_options())["ReLU, He, lr × 3"] == "relu_he_spike"
    assert static.value_label(rung, "relu_he") == "ReLU, He"
    assert "“ReLU, He, layer norm”" in static.grid_note(CLS)
    assert "relu_he" not in static.grid_note(CLS)


def test_zero_gradients_are_named_not_called_off_scale():
    ex = CLS()
    ex.update(rung="relu_he_spike", depth=16)
    end = ex.measure()["grad"][-1]
    assert np.all(end == -np.inf)  # every weight gradient is exactly 0 at the end
    note = ex._grad_off.note.get_text()
    assert note == "end: 16 layers zero, not drawn on a log scale"
    assert len(ex._grad_off.below.get_data()[0]) == 0  # no triangle for a zero
    assert "16 of the 16 layers is exactly 0" in ex.alt_text()
    ex.update(rung="relu_he")
    assert "zero" not in ex._grad_off.note.get_text() and "exactly 0" not in ex.alt_text()


def test_two_notes_go_on_two_lines():
    # Off-scale points and zero gradients in one panel: one line each, so neither runs off the
    # panel's left edge.
    ex = CLS()
    ex.update(rung="relu_he_spike", depth=8, seed=1)
    lines = ex._grad_off.note.get_text().split("\n")
    assert len(lines) == 2 and "off scale" in lines[0] and "zero" in lines[1], lines


def test_alt_text_of_a_diverged_run_counts_two_off_scale_points():
    # relu_he_spike, depth 16, seed 2: the loss stops being finite at step 11, and exactly two
    # points leave the plotted ranges (a plural sentence, not the singular one).
    ex = CLS()
    ex.update(rung="relu_he_spike", depth=16, seed=2)
    run = capstone.load_ladder(seed=2)[("relu_he_spike", 16)]
    assert run.diverged_at == 11
    triangles = sum(
        len(off.below.get_data()[0]) + len(off.above.get_data()[0])
        for off in (ex._global_off, ex._grad_off, ex._ratio_off)
    )
    assert triangles == 2
    alt = ex.alt_text()
    assert (
        ", and diverges at step 11 (its loss is no longer finite), so it has no final accuracy "
        "or loss. The largest" in alt
    )
    assert alt.endswith(" 2 points lie off the plotted ranges, marked by triangles.")
