"""Screenshot pages of the built book with headless Chromium (for looking, not testing).

Usage: python tools/screenshot.py PAGE.html [OUT.png] [--full] [--width 1280]
Needs `pip install playwright` and Debian's chromium (/usr/bin/chromium); never downloads a browser.
"""

from __future__ import annotations

import argparse
import pathlib

from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[1]
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("page")
    parser.add_argument("out", nargs="?", default="screenshot.png")
    parser.add_argument("--full", action="store_true", help="the whole page, not one screen")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--scroll-to", default=None, help="CSS selector to scroll into view")
    args = parser.parse_args()
    page_path = pathlib.Path(args.page).resolve()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        page.goto(page_path.as_uri())
        page.wait_for_timeout(1500)
        if args.scroll_to:
            page.locator(args.scroll_to).first.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
        page.screenshot(path=args.out, full_page=args.full)
        browser.close()
    print(args.out)


if __name__ == "__main__":
    main()
