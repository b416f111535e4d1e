"""Latency of the explorers' slider updates, driven headless (kernel side).

Run: python benchmarks/bench_explore.py   (or `make bench`)

For each explorer and control, sweeps the slider across its range and times
``update(...)``: validation, setting the artists' data, the blitted redraw and
the PNG encoding, i.e. everything between a slider event and new bytes for the
image widget. Then, per explorer, the first move after the cell is displayed
(``_repr_mimebundle_`` renders the static PNG and builds the widget; the next
move must not pay for a full redraw). For scale, it also times what a plain
``interact`` does per event: build the figure from scratch and save it as PNG.

Target (printed, not asserted; timings depend on the machine): p95 of every
slider <= 16.7 ms (one frame at 60 Hz), and the first move no slower than that.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from gradlab import chains, explore, plotting

REPEATS = 3  # sweeps per control
FIRST_MOVES = 5  # fresh explorers per "first move after display" row
TARGET_P95_MS = 16.7


def sweep(control: explore.Control) -> list:
    if control.options is not None:
        values = list(control.options)
    elif control.integer:
        values = list(range(int(control.min), int(control.max) + 1, 3))
    else:
        values = [control.snap(v) for v in np.linspace(control.min, control.max, 60)]
    return values + values[::-1]


def time_updates(ex: explore.Explorer, name: str, values: list) -> list[float]:
    times = []
    for _ in range(REPEATS):
        for value in values:
            t0 = time.perf_counter()
            ex.update(**{name: value})
            times.append(time.perf_counter() - t0)
    return times


def first_moves(cls: type[explore.Explorer]) -> list[float]:
    """The first slider move after the explorer's cell output is produced."""
    times = []
    for _ in range(FIRST_MOVES):
        ex = cls()
        ex._repr_mimebundle_()  # what Jupyter does when the cell is displayed
        name, control = next(iter(cls.controls.items()))
        value = control.options[-1] if control.options else control.max
        t0 = time.perf_counter()
        ex.update(**{name: value})
        times.append(time.perf_counter() - t0)
    return times


def naive_replot(n: int = 40) -> list[float]:
    """What `interact` does per event: a new 50-point log-scale figure, saved as PNG."""
    times = []
    for w in np.linspace(0.5, 1.5, n):
        t0 = time.perf_counter()
        fig, ax = plotting.new_figure()
        ax.plot(np.arange(50), np.abs(chains.scalar_chain(w, 49)))
        ax.set_yscale("log")
        plotting.png_bytes(fig, dpi=100)
        times.append(time.perf_counter() - t0)
    return times


def largest_network() -> list[tuple[str, list[float]]]:
    """InitializationExplorer at its largest network (width 256, depth 50), every choice swept.

    The sweeps above start from the default view (width 64) and the width sweep runs at the
    depth the depth sweep ended on; this row times the heaviest setting a reader can choose.
    """
    ex = explore.InitializationExplorer()
    ex.update(width=256, depth=50)
    return [
        (f"InitializationExplorer.{name} (n=256, L=50)", time_updates(ex, name, sweep(c)))
        for name, c in ex.controls.items()
        if name in ("scheme", "activation")
    ]


def stats(times: list[float]) -> tuple[float, float, float]:
    ms = np.array(times) * 1e3
    return statistics.median(ms), float(np.percentile(ms, 95)), float(ms.max())


def row(label: str, times: list[float]) -> str:
    median, p95, worst = stats(times)
    return f"{label:<50} {len(times):5d} {median:9.1f} {p95:8.1f} {worst:8.1f}"


def main() -> None:
    print(f"{'explorer / control':<50} {'n':>5} {'median':>9} {'p95':>8} {'max':>8}   (ms)")
    all_times, checks = [], []
    for cls in (
        explore.ScalarChainExplorer,
        explore.MatrixProductExplorer,
        explore.GradientFlowExplorer,
        explore.ActivationStatsExplorer,
        explore.InitializationExplorer,
        explore.ClippingExplorer,
        explore.RecurrentGradientExplorer,
        explore.LadderExplorer,
    ):
        t0 = time.perf_counter()
        ex = cls()
        ex.render()
        build = time.perf_counter() - t0
        print(f"{cls.__name__ + ' (construct + first frame)':<50} {1:5d} {build * 1e3:9.1f}")
        for name, control in cls.controls.items():
            ex.update(**{name: control.default})
            times = time_updates(ex, name, sweep(control))
            all_times += times
            checks.append((f"{cls.__name__}.{name} p95", stats(times)[1]))
            print(row(f"{cls.__name__}.{name}", times))
        firsts = first_moves(cls)
        checks.append((f"{cls.__name__} first move (max)", stats(firsts)[2]))
        print(row(f"{cls.__name__} first move after display", firsts))
    for label, times in largest_network():
        checks.append((f"{label} p95", stats(times)[1]))
        print(row(label, times))
    print(row("all explorer updates", all_times))
    print(row("baseline: rebuild figure per event", naive_replot()))
    print(f"\ntarget: every slider's p95 and every first move <= {TARGET_P95_MS} ms")
    for label, ms in checks:
        print(f"  {label:<48} {ms:6.1f} ms  {'met' if ms <= TARGET_P95_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
