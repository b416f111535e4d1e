"""Static explorers in the built book: view-change time in Chromium, and each page's own bytes.

Run after ``jupyter-book build .``: python benchmarks/bench_static_explorers.py [--changes 200]

For every chapter page with a static explorer it serves ``_build/html`` over HTTP (Python's
``http.server``, a free localhost port), opens the page in headless Chromium (Debian's
``/usr/bin/chromium``, offline) and, per explorer, times ``--changes`` view changes to random
grid points: from setting an input's value and dispatching its ``input`` event to the canvas
being drawn (the handler's drawing plus a one-pixel ``getImageData`` read-back, which waits for
the raster to finish), with ``performance.now()`` in the page. It prints median / p95 / max
per explorer against the 16.7 ms budget, and each chapter page's own bytes: its HTML, the
images it references under ``_images/`` (the explorers' backgrounds included) and, inside the
HTML, the explorers' inline data; the theme's shared assets and ``_static`` are not counted
(budget 1.5 MB). It asserts nothing.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import statistics
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from _browser_static import HTML, browser, explorer_pages, open_page, serve  # noqa: E402

BUDGET_MS = 16.7
BUDGET_BYTES = 1.5e6

TIMING = """(root, n) => {
    const inputs = [...root.querySelectorAll('[data-gvx-control]:not(output)')];
    const canvas = root.querySelector('canvas.gvx-canvas');
    const ctx = canvas.getContext('2d');
    const sizes = inputs.map(el => el.tagName === 'SELECT' ? el.options.length
                                                            : Number(el.max) + 1);
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const times = [];
    for (let k = 0; k < n; k++) {
        const i = Math.floor(random() * inputs.length);
        let v = Math.floor(random() * sizes[i]);
        if (String(v) === inputs[i].value) v = (v + 1) % sizes[i];
        const t0 = performance.now();
        inputs[i].value = String(v);
        inputs[i].dispatchEvent(new Event('input', {bubbles: true}));
        ctx.getImageData(0, 0, 1, 1);
        times.push(performance.now() - t0);
    }
    return times;
}"""


def own_bytes(path: pathlib.Path) -> dict[str, int]:
    """A page's HTML, referenced content images, and the explorers' inline data, in bytes."""
    text = path.read_text()
    images = set(re.findall(r'(?:src|data-background)="((?:\.\./)*_images/[^"]+)"', text))
    image_bytes = sum((path.parent / src).stat().st_size for src in images)
    data = sum(len(m) for m in re.findall(r'class="gvx-data">(.*?)</script>', text, re.S))
    backgrounds = sum(
        (path.parent / src).stat().st_size for src in re.findall(r'data-background="([^"]+)"', text)
    )
    return {
        "html": len(text.encode()),
        "images": image_bytes,
        "explorer data": data,
        "backgrounds": backgrounds,
        "total": len(text.encode()) + image_bytes,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200, help="view changes per explorer")
    args = parser.parse_args(argv)
    if not (HTML / "index.html").exists():
        print("_build/html is missing: run `jupyter-book build .` first")
        return 1
    print(f"{'page':<34} {'HTML':>9} {'images':>9} {'of which bg':>11} {'data':>9} {'own':>10}")
    pages = explorer_pages()
    for path, _ in pages:
        b = own_bytes(HTML / path)
        flag = "ok" if b["total"] <= BUDGET_BYTES else "OVER 1.5 MB"
        print(
            f"{path:<34} {b['html'] / 1e3:>7.0f}kB {b['images'] / 1e3:>7.0f}kB "
            f"{b['backgrounds'] / 1e3:>9.0f}kB {b['explorer data'] / 1e3:>7.0f}kB "
            f"{b['total'] / 1e6:>8.3f}MB  {flag}"
        )
    print()
    print(f"view change, input event to drawn canvas ({args.changes} random changes each)")
    print(f"{'explorer':<28} {'views':>6} {'median':>8} {'p95':>8} {'max':>8}  budget p95 16.7 ms")
    with serve() as url, browser(scale=2.0) as page:
        for path, specs in pages:
            if not specs:
                continue
            for root in open_page(page, f"{url}/{path}"):
                name = root.get_attribute("data-explorer")
                views = root.evaluate(
                    "r => JSON.parse(r.querySelector('script.gvx-data').textContent)"
                    ".controls.reduce((n, c) => n * c.values.length, 1)"
                )
                times = sorted(root.evaluate(TIMING, args.changes))
                p95 = times[int(0.95 * (len(times) - 1))]
                flag = "ok" if p95 <= BUDGET_MS else "OVER"
                print(
                    f"{name:<28} {views:>6} {statistics.median(times):>6.2f}ms "
                    f"{p95:>6.2f}ms {times[-1]:>6.2f}ms  {flag}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
