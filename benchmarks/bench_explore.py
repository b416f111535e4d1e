"""Latency of the explorers' slider updates, driven headless.

Run: python benchmarks/bench_explore.py   (or `make bench`)

For each explorer and control, sweeps the slider across its range and times
``update(...)``: setting the artists' data, the blitted redraw and the PNG
encoding, i.e. everything between a slider event and new bytes for the image
widget. For scale, it also times what a plain ``interact`` does per event:
build the figure from scratch and save it as PNG.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from gradlab import chains, explore, plotting

REPEATS = 3  # sweeps per control


def sweep(control: explore.Control) -> list:
    if control.options is not None:
        values = list(control.options)
    elif control.integer:
        values = list(range(int(control.min), int(control.max) + 1, 3))
    else:
        values = [round(v, 2) for v in np.linspace(control.min, control.max, 60)]
    return values + values[::-1]


def time_updates(ex: explore.Explorer, name: str, values: list) -> list[float]:
    times = []
    for _ in range(REPEATS):
        for value in values:
            t0 = time.perf_counter()
            ex.update(**{name: value})
            times.append(time.perf_counter() - t0)
    return times


def naive_replot(n: int = 40) -> list[float]:
    """What `interact` does per event: a new 50-point log-scale figure, saved as PNG."""
    times = []
    for w in np.linspace(0.5, 1.5, n):
        t0 = time.perf_counter()
        fig, ax = plotting.new_figure(7, 4)
        ax.plot(np.arange(50), np.abs(chains.scalar_chain(w, 49)))
        ax.set_yscale("log")
        plotting.png_bytes(fig, dpi=100)
        times.append(time.perf_counter() - t0)
    return times


def row(label: str, times: list[float]) -> str:
    ms = np.array(times) * 1e3
    return (
        f"{label:<50} {len(ms):5d} {statistics.median(ms):9.1f} "
        f"{np.percentile(ms, 95):8.1f} {ms.max():8.1f}"
    )


def main() -> None:
    print(f"{'explorer / control':<50} {'n':>5} {'median':>9} {'p95':>8} {'max':>8}   (ms)")
    all_times = []
    for cls in (explore.ScalarChainExplorer, explore.MatrixProductExplorer):
        t0 = time.perf_counter()
        ex = cls()
        ex.render()
        build = time.perf_counter() - t0
        print(f"{cls.__name__ + ' (construct + first frame)':<50} {1:5d} {build * 1e3:9.1f}")
        for name, control in cls.controls.items():
            ex.update(**{name: control.default})
            times = time_updates(ex, name, sweep(control))
            all_times += times
            print(row(f"{cls.__name__}.{name}", times))
    print(row("all explorer updates", all_times))
    print(row("baseline: rebuild figure per event", naive_replot()))
    ms = np.array(all_times) * 1e3
    ok = statistics.median(ms) <= 50 and np.percentile(ms, 95) <= 100
    print(f"target median <= 50 ms and p95 <= 100 ms: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
