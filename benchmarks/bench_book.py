"""The static book's weight and speed in headless Chromium, and the book's build times.

Run: python benchmarks/bench_book.py [--loads 5] [--no-build] [--no-test] [--max-values 40]
[--html DIR] (``make bench-book``; ``--html`` measures another build, to compare two). Needs a
built book in ``_build/html`` (``make book``), Playwright and Debian's Chromium at
/usr/bin/chromium (never downloaded). Prints tables; asserts nothing.

Per page of ``_toc.yml`` (served over HTTP from 127.0.0.1, offline: requests leaving the origin
are aborted and counted), each load in a fresh browser context (an empty cache: a first visit):

- **own kB**: the page's own bytes: its HTML, its images (``_images/``) and anything else it
  loads that is not the theme's shared assets (``_static/``, ``searchindex.js``, the favicon);
  explorer data (any URL with "explorer" in it) counts as the page's own wherever it lives;
  **HTML kB**: the page's HTML alone (maths rendered at build time is in it);
- **shared kB**: the shared assets the page loads (``_static/``, ``searchindex.js``, the
  favicon: scripts, styles, fonts), what a reader's first page costs besides its own;
- **total kB** and **requests**: everything transferred on the first load (bodies and headers);
- **load ms**: ``loadEventEnd`` of the navigation (median of ``--loads``);
- **explorers ready ms**: from the navigation's start until every static explorer of the page
  is ready (``div.gvx-explorer.gvx-ready``: its canvas shown and its controls enabled), timed
  in the page by a mutation observer installed before any of its scripts (median; "-" on a
  page without explorers);
- **maths scripts** and **maths ms**: scripts requested whose URL names MathJax or KaTeX, and
  the time spent in them: from the end of the maths script's download to the end of its
  typesetting (``MathJax.startup.promise``; median), 0 when no maths script runs;
- **view ms** (median / p95): static explorers (``div.gvx-explorer``): for each native control
  (``input[type=range]``, ``select``), set each value over its range (at most ``--max-values``
  per control), dispatch ``input`` and ``change``, and time from the dispatch until the new
  view is drawn on the canvas (the script draws synchronously in the handler: the time until
  ``data-view`` has changed; ``performance.now()`` in the page). **next frame ms** (p95): from
  the dispatch to the next animation frame, when Chromium shows it; at 60 frames per second
  this is at most one frame (16.7 ms) plus the drawing whenever the view is drawn in time.
  "-" when the page has no static explorer.

Then (``--no-build`` skips it) the README's two commands on a fresh ``git clone`` of HEAD, with
this checkout's environment: ``make book`` (an empty build folder: the build executes no
notebook, so this is the Sphinx build and the static explorers' views), ``make book`` again
(nothing changed) and ``make test`` (``--no-test`` skips it: about 10 minutes), with the load
average before and after.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import _browser  # noqa: E402  (tests/_browser.py: server, Chromium, the TOC's pages)

SHARED = ("/_static/", "/searchindex.js", "/favicon")
#: A script that typesets maths in the browser (the book renders maths at build time).
MATHS_SCRIPT = re.compile(r"mathjax|katex", re.IGNORECASE)

#: Installed before any script of the page: resolves ``window.__gvxReady`` with the time
#: (``performance.now()``, from the navigation's start) at which every static explorer is ready.
READY_JS = """
window.__gvxReady = new Promise((resolve) => {
  const ready = () => [...document.querySelectorAll('div.gvx-explorer')]
    .every((e) => e.classList.contains('gvx-ready'));
  const observer = new MutationObserver(() => {
    if (ready()) { observer.disconnect(); resolve(performance.now()); }
  });
  document.addEventListener('DOMContentLoaded', () => {
    if (ready()) resolve(performance.now());
    else observer.observe(document.documentElement,
      {subtree: true, attributes: true, attributeFilter: ['class']});
  });
});
"""

VIEW_TIMES_JS = """
async ([root, maxValues]) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const times = [];
  const controls = [...root.querySelectorAll('input[type=range], select')];
  for (const control of controls) {
    let values;
    if (control.tagName === 'SELECT') {
      values = [...control.options].map((o) => o.value);
    } else {
      const min = +control.min || 0, max = control.max === '' ? 100 : +control.max;
      const step = control.step && control.step !== 'any' ? +control.step : (max - min) / 20;
      values = [];
      for (let v = min; v <= max + step / 2; v += step) values.push(String(v));
    }
    if (values.length > maxValues) {
      const every = values.length / maxValues;
      values = Array.from({length: maxValues}, (_, i) => values[Math.floor(i * every)]);
    }
    const original = control.value;
    for (const value of [...values, original]) {
      if (value === control.value) continue;
      const before = root.dataset.view;
      const changed = new Promise((resolve) => {
        const timer = setTimeout(() => { observer.disconnect(); resolve(false); }, 1000);
        const observer = new MutationObserver(() => {
          if (root.dataset.view !== before) {
            observer.disconnect(); clearTimeout(timer); resolve(true);
          }
        });
        observer.observe(root, {attributes: true, attributeFilter: ['data-view']});
      });
      const t0 = performance.now();
      control.value = value;
      control.dispatchEvent(new Event('input', {bubbles: true}));
      control.dispatchEvent(new Event('change', {bubbles: true}));
      // The page script redraws the canvas synchronously in the input handler.
      const drawn = root.dataset.view !== before ? performance.now() - t0 : null;
      const ok = drawn !== null || await changed;
      await frame();
      if (ok) times.push([drawn ?? performance.now() - t0, performance.now() - t0]);
    }
  }
  return times;
}
"""


def _is_own(url: str, origin: str) -> bool:
    path = url.removeprefix(origin)
    return "explorer" in path or not path.startswith(SHARED)


def measure_page(browser, server, path: str, loads: int, max_values: int) -> dict:  # noqa: ANN001
    """Weight and timings of one page (see the module docstring)."""
    if loads < 1:
        raise ValueError(f"loads must be >= 1, got {loads}")
    load_ms, ready_ms, maths_ms, views = [], [], [], []
    for i in range(loads):
        context, log = _browser.new_context(browser, server)
        context.add_init_script(READY_JS)
        page = context.new_page()
        requests: list = []
        if i == 0:
            page.on("requestfinished", lambda r, requests=requests: requests.append(r))
        page.goto(server.url(path), wait_until="load")
        t = page.evaluate(
            """async () => {
                const nav = performance.getEntriesByType('navigation')[0];
                const ready = await window.__gvxReady;
                let maths = 0;
                if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
                    await MathJax.startup.promise;
                    const script = performance.getEntriesByType('resource')
                        .find((r) => /mathjax|katex/i.test(r.name) && r.initiatorType === 'script');
                    maths = performance.now() - (script ? script.responseEnd : 0);
                }
                return [nav.loadEventEnd, ready, maths];
            }"""
        )
        load_ms.append(t[0])
        ready_ms.append(t[1])
        maths_ms.append(t[2])
        if i == 0:
            page.wait_for_timeout(500)  # late requests (fonts, lazy images)
            first = []
            for request in requests:
                s = request.sizes()
                first.append(
                    (
                        request.url,
                        s["responseBodySize"] + s["responseHeadersSize"],
                        request.resource_type,
                    )
                )
            off_origin = len(log.off_origin)
            for root in page.query_selector_all("div.gvx-explorer"):
                views += page.evaluate(VIEW_TIMES_JS, [root, max_values])
            explorers = len(page.query_selector_all("div.gvx-explorer"))
        context.close()
    own = sum(n for url, n, _ in first if _is_own(url, server.origin))
    return {
        "own": own,
        "html": sum(n for _, n, kind in first if kind == "document"),
        "shared": sum(n for url, n, _ in first if not _is_own(url, server.origin)),
        "total": sum(n for _, n, _ in first),
        "requests": len(first),
        "maths_scripts": sum(
            1 for url, _, kind in first if kind == "script" and MATHS_SCRIPT.search(url)
        ),
        "off_origin": off_origin,
        "load": statistics.median(load_ms),
        "ready": statistics.median(ready_ms) if explorers else None,
        "maths": statistics.median(maths_ms),
        "explorers": explorers,
        "views": views,
    }


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def page_table(loads: int, max_values: int, html: pathlib.Path = _browser.HTML) -> None:
    from playwright.sync_api import sync_playwright

    rows = []
    with _browser.Server(html) as server, sync_playwright() as playwright:
        browser = _browser.launch(playwright)
        for path in _browser.toc_pages():
            rows.append((path, measure_page(browser, server, path, loads, max_values)))
        browser.close()
    print(f"Pages (first load, fresh cache; times: median of {loads} loads; {_load()})\n")
    print(
        "| page | own kB | HTML kB | shared kB | total kB | requests | load ms "
        "| explorers ready ms | maths scripts | maths ms | explorers "
        "| view ms median / p95 (n) | next frame ms p95 |"
    )
    print(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
    )
    for path, r in rows:
        ready = f"{r['ready']:.0f}" if r["ready"] is not None else "-"
        drawn = [d for d, _ in r["views"]]
        framed = [f for _, f in r["views"]]
        views = (
            f"{statistics.median(drawn):.2f} / {p95(drawn):.2f} ({len(drawn)}) | {p95(framed):.1f}"
            if r["views"]
            else "- | -"
        )
        note = f" ({r['off_origin']} off-origin, aborted)" if r["off_origin"] else ""
        print(
            f"| {path} | {r['own'] / 1e3:.0f} | {r['html'] / 1e3:.0f} | {r['shared'] / 1e3:.0f} "
            f"| {r['total'] / 1e3:.0f} | {r['requests']}{note} | {r['load']:.0f} | {ready} "
            f"| {r['maths_scripts']} | {r['maths']:.0f} | {r['explorers']} | {views} |"
        )
    print(f"\nAfter the pages: {_load()}.")


def _make(clone: pathlib.Path, target: str) -> float:
    """Seconds for ``make TARGET`` in ``clone``, with this checkout's environment (.venv)."""
    # The clone's own gradlab, not the one this environment has installed (editable, from
    # this checkout, which may hold uncommitted changes).
    env = dict(os.environ, GVX_REPOSITORY_URL="none", PYTHONPATH=str(clone / "lib"))
    venv = pathlib.Path(sys.prefix)  # the virtual environment this runs in
    start = time.perf_counter()
    out = subprocess.run(
        ["make", target, f"VENV={venv}"], cwd=clone, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"make {target} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return elapsed


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min), {os.cpu_count()} cores"


def build_table(with_test: bool) -> None:
    """The two commands on a fresh ``git clone`` of HEAD (committed work only)."""
    with tempfile.TemporaryDirectory(prefix="gvx-bench-book-") as tmp:
        clone = pathlib.Path(tmp) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        # The environment is this checkout's, already installed: date the clone's requirement
        # files back so make does not reinstall it (and point its editable gradlab at the
        # clone, which would outlive the clone).
        for name in ("requirements.txt", "requirements-dev.txt", "pyproject.toml"):
            os.utime(clone / name, (0, 0))
        before = _load()
        clean = _make(clone, "book")
        cached = _make(clone, "book")
        test = _make(clone, "test") if with_test else None
        after = _load()
    print("\nThe two commands on a fresh clone of HEAD (this checkout's .venv)\n")
    print("| command | seconds |\n| --- | ---: |")
    print(f"| make book (fresh clone: empty _build) | {clean:.1f} |")
    print(f"| make book again (nothing changed) | {cached:.1f} |")
    if test is not None:
        print(f"| make test (three CPU profiles, build, HTML and browser tests) | {test:.1f} |")
    print(f"\nBefore: {before}. After: {after}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=5, help="loads per page (median)")
    parser.add_argument("--max-values", type=int, default=40, help="values per control")
    parser.add_argument("--no-build", action="store_true", help="skip the build timings")
    parser.add_argument("--no-test", action="store_true", help="time make book only")
    parser.add_argument(
        "--html", type=pathlib.Path, default=_browser.HTML, help="a built book (another build)"
    )
    args = parser.parse_args()
    if not (args.html / "index.html").exists():
        sys.exit(f"{args.html} is missing: run `make book` first")
    page_table(args.loads, args.max_values, args.html)
    if not args.no_build:
        build_table(with_test=not args.no_test)


if __name__ == "__main__":
    main()
