"""Count JupyterLab's browser-console warnings and errors for chapter notebooks.

Run: python tools/lab_console.py [--notebook 01_exponential_weights.ipynb ...] [--no-run]
     [--python .venv/bin/python] [--timeout 600]

Needs Playwright (requirements-dev.txt; the browser is never downloaded) and Debian's Chromium
at /usr/bin/chromium; not part of `make test`. The script

1. copies the notebooks from ``book/`` to a temporary directory and starts JupyterLab there
   with ``--python`` (default: this interpreter; its environment must have the reader's
   requirements and ``gradlab``) on a free localhost port, with JUPYTER_PLATFORM_DIRS=1;
2. for each notebook, opens it in headless Chromium in a fresh page and records every console
   message of type warning or error, and every uncaught page error, while JupyterLab loads and
   the notebook opens (``load``) and then during Kernel > Restart Kernel and Run All Cells
   (``run``);
3. checks that MyST renders (a markdown cell's ``{admonition}`` or ``{exercise}`` directive
   becomes an admonition, not raw text) and, after the run, that the first explorer slider
   answers the keyboard (ArrowRight on its handle changes the explorer's image);
4. prints the messages (deduplicated, with counts) and one summary line per notebook, and exits
   non-zero if any notebook logged a warning or error or failed a check.

Everything is bounded by ``--timeout``; JupyterLab (in its own process group) is always
stopped at the end.

Two kinds of message remain with the pinned environment, neither from a version mismatch:
jupyterlab-myst logs ``No target for internal reference "#fig-..."`` (an error, once per render)
for links to figures that are named in code cells' metadata, which it does not read; and
JupyterLab logs ``Connection lost, reconnecting in 0 seconds.`` once per kernel restart.
"""

from __future__ import annotations

import argparse
import collections
import pathlib
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from lab_server import (  # noqa: E402
    explorer_count,
    free_port,
    lab_env,
    start_lab,
    stop_lab,
    wait_for_lab,
)

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
DEFAULT_NOTEBOOKS = ["01_exponential_weights.ipynb", "06_capstone.ipynb"]
# Raw MyST that a working jupyterlab-myst never shows in a rendered markdown cell.
RAW_MYST = re.compile(r"[:`]{3}\{(admonition|exercise|note|solution-start)\}")


def wait_idle(page, deadline: float) -> None:
    """Wait for the kernel to be idle (answering a kernel chooser if one is shown)."""
    while time.monotonic() < deadline:
        select = page.locator(".jp-Dialog button", has_text="Select")
        if select.count():
            select.first.click()
        if page.get_by_text("| Idle").count():
            return
        page.wait_for_timeout(500)
    raise TimeoutError("the kernel did not become idle")


def check_myst(page) -> str:
    """'ok' if MyST directives rendered as admonitions and none is left as raw text."""
    texts = page.eval_on_selector_all(
        ".jp-MarkdownCell .jp-RenderedMarkdown, .jp-MarkdownCell .jp-RenderedHTMLCommon",
        "els => els.map(e => e.innerText)",
    )
    raw = [t for t in texts if RAW_MYST.search(t)]
    admonitions = page.locator(".jp-MarkdownCell aside, .jp-MarkdownCell .admonition").count()
    if raw:
        return f"FAIL ({len(raw)} cells show raw MyST)"
    if not admonitions:
        return f"FAIL (no admonition among {len(texts)} rendered markdown cells)"
    return f"ok ({admonitions} admonitions)"


def run_all(page, expected: int, deadline: float) -> int:
    """Kernel > Restart Kernel and Run All Cells; return the number of live explorer images."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Restart Kernel and Run All Cells").first.click()
    page.locator(".jp-Dialog .jp-mod-accept").first.click()
    page.wait_for_timeout(2000)
    n_images = 0
    while time.monotonic() < deadline:
        n_images = page.locator(".jp-OutputArea .widget-image").count()
        busy = page.locator(".jp-InputPrompt", has_text="[*]").count()
        if n_images >= expected and not busy and page.get_by_text("| Idle").count():
            return n_images
        page.wait_for_timeout(1000)
    shot = pathlib.Path(tempfile.gettempdir()) / "lab_console_failed.png"
    page.screenshot(path=str(shot))
    raise TimeoutError(f"Run All did not finish ({n_images} of {expected} images); see {shot}")


def check_slider(page) -> str:
    """'ok' if an arrow key on the first explorer slider changes that explorer's image."""
    handle = page.locator(".jp-OutputArea .widget-vbox .noUi-handle").first
    if not handle.count():
        return "FAIL (no slider)"
    image = handle.locator(
        "xpath=ancestor::div[contains(@class,'jp-OutputArea-output')]//img"
    ).first
    handle.scroll_into_view_if_needed()
    before = image.get_attribute("src")
    handle.focus()
    for key in ("ArrowRight", "ArrowLeft", "ArrowLeft"):  # the handle may start at its maximum
        handle.press(key)
        for _ in range(40):
            page.wait_for_timeout(250)
            if image.get_attribute("src") != before:
                return f"ok ({key} changed the image)"
    return "FAIL (image unchanged after ArrowRight and ArrowLeft)"


def check_notebook(browser, port, token, name, root, deadline, run) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    phase = ["load"]
    messages = {"load": [], "run": []}

    def on_console(msg):
        if msg.type in ("warning", "error"):
            messages[phase[0]].append(f"{msg.type}: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: messages[phase[0]].append(f"pageerror: {exc}"))
    workspace = f"console-{name[:2]}"
    page.goto(f"http://127.0.0.1:{port}/lab/workspaces/{workspace}/tree/{name}?token={token}&reset")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    wait_idle(page, deadline)
    page.wait_for_timeout(3000)  # late messages of the load
    result = {"notebook": name, "myst": check_myst(page), "widgets": "not run"}
    if run:
        phase[0] = "run"
        run_all(page, explorer_count(root / name), deadline)
        page.wait_for_timeout(2000)
        result["widgets"] = check_slider(page)
        page.wait_for_timeout(1000)
    page.close()
    result.update(load=messages["load"], run=messages["run"])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", action="append", help="a notebook under book/ (repeatable)")
    parser.add_argument("--python", default=sys.executable, help="the Python that runs the Lab")
    parser.add_argument("--no-run", action="store_true", help="only load, do not Run All")
    parser.add_argument("--timeout", type=float, default=600.0, help="whole run, seconds")
    args = parser.parse_args()
    if not pathlib.Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    notebooks = args.notebook or DEFAULT_NOTEBOOKS
    deadline = time.monotonic() + args.timeout
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("timeout")))
    signal.alarm(int(args.timeout) + 30)  # a hard stop even if a browser call hangs
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="gradlab-console-"))
    root = tmp / "notebooks"
    root.mkdir()
    for name in notebooks:
        shutil.copy(ROOT / "book" / name, root / name)
    port, token = free_port(), secrets.token_hex(16)
    lab = start_lab(args.python, root, port, token)
    failed = False
    try:
        wait_for_lab(port, token, min(deadline, time.monotonic() + 120))
        version = subprocess.run(
            [args.python, "-m", "jupyter", "labextension", "list"],
            capture_output=True,
            text=True,
            env=lab_env(args.python, tmp),
        )
        for line in (version.stdout + version.stderr).splitlines():
            if "enabled" in line or "JupyterLab v" in line:
                print(re.sub(r"\x1b\[[0-9;]*m", "", line).strip())
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            try:
                for name in notebooks:
                    r = check_notebook(browser, port, token, name, root, deadline, not args.no_run)
                    for phase in ("load", "run"):
                        firsts = [text.splitlines()[0] for text in r[phase]]
                        for text, n in collections.Counter(firsts).items():
                            print(f"  [{phase}] {n}x {text[:200]}")
                    print(
                        f"{name}: load {len(r['load'])} warnings/errors, run {len(r['run'])}; "
                        f"MyST {r['myst']}; widgets {r['widgets']}"
                    )
                    failed |= bool(r["load"] or r["run"])
                    failed |= r["myst"].startswith("FAIL") or r["widgets"].startswith("FAIL")
            finally:
                browser.close()
    finally:
        signal.alarm(0)
        stop_lab(lab)
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
