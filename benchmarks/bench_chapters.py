"""How long each chapter takes to execute top to bottom in a fresh kernel (the 60 s budget).

Usage: python benchmarks/bench_chapters.py [--runs N] [NOTEBOOK ...]
(default: every chapter in ``_toc.yml``, one run each). The notebooks are executed in memory
with nbclient, as ``tools/execute_notebooks.py`` does, and never written. Prints, per chapter,
the wall time of each run (kernel start included) and the median. Prints figures; asserts
nothing.
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from toc_notebooks import chapter_notebooks  # noqa: E402


def execute_seconds(path: pathlib.Path) -> float:
    """Wall time to execute ``path`` in a fresh kernel, in seconds (kernel start included)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    paths = [p.resolve() for p in args.notebooks] or chapter_notebooks()
    print(f"{'chapter':32} {'runs (s)':>24} {'median (s)':>11}")
    for path in paths:
        times = [execute_seconds(path) for _ in range(args.runs)]
        runs = " ".join(f"{t:.1f}" for t in times)
        print(f"{path.stem:32} {runs:>24} {statistics.median(times):>11.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
