"""Shared browser fixtures: the built book served over HTTP, read by headless Chromium, offline.

Used by ``tests/test_browser.py`` (and any test that drives the built pages in a browser) and by
``benchmarks/bench_book.py``. Playwright drives Debian's Chromium (``/usr/bin/chromium``, or
``$GVX_CHROMIUM``); no browser is ever downloaded. The book in ``_build/html`` is served by
:mod:`http.server` on a free port of 127.0.0.1, and every request that would leave that origin
is recorded and aborted, so a page that works here works offline.

Fixtures (import them into a test module: ``from _browser import book, browser, open_page``):

``book``
    (session) a :class:`Server` of ``_build/html``: ``book.url("book/intro.html")``.
``browser``
    (session) a headless Chromium.
``open_page``
    (function) ``open_page(path, width=1280) -> (page, log)``: a fresh browser context at that
    viewport width, the page loaded (``load`` event, fonts ready), and a :class:`PageLog` of
    its console errors, page errors, failed requests and off-origin requests.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import pathlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("GVX_CHROMIUM", "/usr/bin/chromium")
#: Chromium flags: no sandbox (containers), nothing phoning home.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
]
#: axe-core, vendored (see tests/vendor/axe-core/README.md for how to refresh it).
AXE_JS = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
PHONE_WIDTH = 390
DESKTOP_WIDTH = 1280


def toc_pages() -> list[str]:
    """The HTML path (relative to ``_build/html``) of every page in ``_toc.yml``, in book order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files: list[str] = [toc["root"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return [f"{f.removesuffix('.ipynb').removesuffix('.md')}.html" for f in files]


def chapter_pages() -> list[str]:
    """The chapter pages (``book/NN_*.html``) of the table of contents."""
    return [p for p in toc_pages() if pathlib.PurePosixPath(p).name[:2].isdigit()]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A browser that aborts a request (a page closed while loading) breaks the pipe: not an
        # error of the book. Anything else is reported as usual.
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class Server:
    """``directory`` served over HTTP on a free port of 127.0.0.1, in a background thread."""

    def __init__(self, directory: pathlib.Path) -> None:
        if not directory.is_dir():
            raise ValueError(f"directory must exist, got {directory}")
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"{self.origin}/{path.lstrip('/')}"

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class PageLog:
    """What went wrong while a page loaded and was used."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    off_origin: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"failed request: {m}" for m in self.failed_requests]
            + [f"request off the origin: {m}" for m in self.off_origin]
        )


def launch(playwright):
    """Headless Chromium from ``CHROMIUM``; a clear failure if it is not installed."""
    if not pathlib.Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)


def new_context(
    browser,
    server: Server,
    width: int = DESKTOP_WIDTH,
    log: PageLog | None = None,
    scale: float = 1.0,
):
    """A browser context ``width`` CSS px wide (``scale`` device px each), kept on ``server``."""
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    context = browser.new_context(
        viewport={"width": width, "height": 900}, device_scale_factor=scale
    )
    log = PageLog() if log is None else log

    def route(r) -> None:
        url = r.request.url
        if url.startswith((server.origin + "/", "data:", "blob:")):
            r.continue_()
        else:
            log.off_origin.append(url)
            r.abort()

    context.route("**/*", route)
    return context, log


def watch(page, log: PageLog, server: Server) -> None:
    """Record ``page``'s console errors, uncaught errors and failed requests in ``log``."""
    page.on(
        "console",
        lambda m: (
            log.console_errors.append(f"{m.text} ({m.location.get('url', '')})")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))

    def failed(request) -> None:
        if request.url.startswith(server.origin):  # off-origin ones are logged by the route
            log.failed_requests.append(f"{request.url} ({request.failure})")

    def response(resp) -> None:
        if resp.status >= 400:
            log.failed_requests.append(f"{resp.url} (HTTP {resp.status})")

    page.on("requestfailed", failed)
    page.on("response", response)


def load(page, url: str) -> None:
    """Go to ``url`` and wait until it has loaded and its fonts are ready (the maths is in the
    page: rendered when the book was built)."""
    page.goto(url, wait_until="load")
    page.evaluate("async () => { await document.fonts.ready; }")


@pytest.fixture(scope="session")
def book() -> Iterator[Server]:
    if not (HTML / "index.html").exists():
        pytest.fail("_build/html is missing: run `jupyter-book build .` first (make test does)")
    with Server(HTML) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(book, browser) -> Iterator[Callable[..., tuple[object, PageLog]]]:
    contexts = []

    def opener(path: str, width: int = DESKTOP_WIDTH) -> tuple[object, PageLog]:
        context, log = new_context(browser, book, width)
        contexts.append(context)
        page = context.new_page()
        watch(page, log, book)
        load(page, book.url(path))
        return page, log

    yield opener
    for context in contexts:
        with contextlib.suppress(Exception):
            context.close()
