"""Benchmark: forward + backward of a deep MLP against the BLAS floor.

Run with ``.venv/bin/python benchmarks/bench_network.py``. The network is 50
layers deep, 256 wide, batch 256, float64. The *floor* is the time of the bare
matrix products of the same shapes on this machine: 50 products
``(256x256) @ (256x256)`` forward and two per layer backward (``a.T @ delta``
and ``delta @ W.T``), all written into preallocated arrays. Everything else
(bias, activation, its derivative, the loss, bookkeeping) is the overhead the
target bounds at 1.5x the floor.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

from gradlab.network import MLP

DEPTH, WIDTH, BATCH = 50, 256, 256


def interleaved_medians(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median wall time (ms) of each function, timed in turn within every repeat.

    Interleaving makes the floor and the network share any drift of the
    machine's speed (frequency scaling, noisy neighbours on a VM), so their
    ratio is stable even when the absolute times are not.
    """
    for fn in fns.values():
        fn()  # warm-up: buffers allocated, caches filled
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: 1e3 * statistics.median(t) for name, t in times.items()}


def main(repeats: int) -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((BATCH, WIDTH))
    y = rng.standard_normal((BATCH, WIDTH))
    sizes = [WIDTH] * (DEPTH + 1)

    # The floor: the same matrix products, nothing else.
    A = [rng.standard_normal((BATCH, WIDTH)) for _ in range(DEPTH + 1)]
    Ws = [rng.standard_normal((WIDTH, WIDTH)) / 16 for _ in range(DEPTH)]
    dW = [np.empty((WIDTH, WIDTH)) for _ in range(DEPTH)]
    G = [np.empty((BATCH, WIDTH)) for _ in range(DEPTH)]

    def floor_forward() -> None:
        for i in range(DEPTH):
            np.matmul(A[i], Ws[i], out=A[i + 1])

    def floor_backward() -> None:
        for i in reversed(range(DEPTH)):
            np.matmul(A[i].T, A[i + 1], out=dW[i])
            np.matmul(A[i + 1], Ws[i].T, out=G[i])

    fns: dict[str, Callable[[], object]] = {
        "floor: forward matmuls": floor_forward,
        "floor: backward matmuls": floor_backward,
    }
    for activation, init in (("relu", "he_normal"), ("tanh", "xavier_normal")):
        net = MLP(sizes, activation=activation, init=init, seed=0)
        reuse = net.loss_and_gradients(X, y)
        fns |= {
            f"{activation}: forward": lambda net=net: net.forward(X),
            f"{activation}: fwd + bwd, out= reused": lambda net=net, reuse=reuse: (
                net.loss_and_gradients(X, y, out=reuse)
            ),
            f"{activation}: fwd + bwd, fresh arrays": lambda net=net: net.loss_and_gradients(X, y),
            f"{activation}: diagnostics(X), forward only": lambda net=net: net.diagnostics(X),
            f"{activation}: diagnostics(X, y)": lambda net=net: net.diagnostics(X, y),
            f"{activation}: summarize (statistics only)": lambda net=net, reuse=reuse: (
                net.summarize(reuse)
            ),
        }
    ms = interleaved_medians(fns, repeats)
    floor_fwd = ms["floor: forward matmuls"]
    floor = floor_fwd + ms["floor: backward matmuls"]
    rows = [
        ("floor: 50 matmuls (forward)", floor_fwd, floor_fwd),
        ("floor: 150 matmuls (forward + backward)", floor, floor),
    ]
    for act in ("relu", "tanh"):
        rows += [
            (f"{act}: forward", ms[f"{act}: forward"], floor_fwd),
            (f"{act}: fwd + bwd, out= reused", ms[f"{act}: fwd + bwd, out= reused"], floor),
            (f"{act}: fwd + bwd, fresh arrays", ms[f"{act}: fwd + bwd, fresh arrays"], floor),
            (
                f"{act}: diagnostics(X), forward only",
                ms[f"{act}: diagnostics(X), forward only"],
                floor_fwd,
            ),
            (f"{act}: diagnostics(X, y)", ms[f"{act}: diagnostics(X, y)"], floor),
            (
                f"{act}: summarize (statistics only)",
                ms[f"{act}: summarize (statistics only)"],
                float("nan"),
            ),
        ]

    print(f"MLP {DEPTH} layers x {WIDTH} wide, batch {BATCH}, float64; median of {repeats}")
    print(f"{'what':44s} {'median ms':>10s} {'x floor':>8s}")
    for name, t, base in rows:
        ratio = f"{t / base:8.2f}" if np.isfinite(base) else f"{'-':>8s}"
        print(f"{name:44s} {t:10.2f} {ratio}")
    # The size a chapter's live explorer uses: diagnostics on every slider move.
    small = MLP([64] * (DEPTH + 1), activation="tanh", init="xavier_normal", seed=0)
    Xs, ys = X[:128, :64], y[:128, :64]
    slider = interleaved_medians({"d": lambda: small.diagnostics(Xs, ys)}, repeats)["d"]
    print(f"{'slider size (50 x 64, batch 128): diagnostics':44s} {slider:10.2f} {'-':>8s}")
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1 / 1024 if sys.platform != "darwin" else 1 / 1024**2
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    print(f"{'peak memory (ru_maxrss)':44s} {peak:10.1f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed repetitions (default 30)")
    main(parser.parse_args().repeats)
