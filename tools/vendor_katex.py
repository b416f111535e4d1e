"""Vendor KaTeX into ``vendor/katex/`` from its npm package (run by hand to upgrade KaTeX).

Usage: ``python tools/vendor_katex.py [VERSION]`` (default: the pinned :data:`VERSION`). Needs
``npm`` (only here: the build itself needs nothing beyond ``requirements*.txt``). It runs
``npm pack katex@VERSION`` (the registry's tarball, checked against its integrity hash by npm),
and writes:

- ``vendor/katex/katex.min.js``: the renderer, run at build time by ``tools/gvx_book.py`` in
  an embedded V8 (``mini-racer``); never served to readers;
- ``vendor/katex/static/katex/katex.min.css`` and ``fonts/*.woff2``: served with the book
  (``_static/katex/``). Only the WOFF2 fonts are kept (every browser the book supports reads
  them), and the style sheet's ``@font-face`` rules are trimmed to name only those;
- ``vendor/katex/LICENSE`` and ``vendor/katex/VERSION`` (version and npm integrity hash).
"""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEST = ROOT / "vendor" / "katex"
#: The KaTeX release the book renders its maths with.
VERSION = "0.19.1"
#: ``, url(fonts/X.woff) format("woff"), url(fonts/X.ttf) format("truetype")`` in @font-face.
_LEGACY_FONTS = re.compile(r',\s*url\([^)]*\.(?:woff|ttf)\)\s*format\("(?:woff|truetype)"\)')


def woff2_only(css: str) -> str:
    """``css`` with every ``@font-face`` source but the WOFF2 one removed."""
    trimmed = _LEGACY_FONTS.sub("", css)
    if re.search(r"\.(?:woff|ttf)\)", trimmed):
        raise ValueError("a WOFF or TTF font is still referenced: the KaTeX CSS changed form")
    return trimmed


def vendor(version: str = VERSION, dest: pathlib.Path = DEST) -> None:
    with tempfile.TemporaryDirectory(prefix="katex-") as tmp:
        out = subprocess.run(
            ["npm", "pack", "--json", f"katex@{version}"],
            cwd=tmp,
            capture_output=True,
            text=True,
            check=True,
        )
        info = json.loads(out.stdout)[0]
        with tarfile.open(pathlib.Path(tmp) / info["filename"]) as tar:
            tar.extractall(tmp, filter="data")
        package = pathlib.Path(tmp) / "package"
        dist = package / "dist"
        if dest.exists():
            shutil.rmtree(dest)
        static = dest / "static" / "katex"
        (static / "fonts").mkdir(parents=True)
        shutil.copy(dist / "katex.min.js", dest / "katex.min.js")
        shutil.copy(package / "LICENSE", dest / "LICENSE")
        css = woff2_only((dist / "katex.min.css").read_text(encoding="utf-8"))
        (static / "katex.min.css").write_text(css, encoding="utf-8")
        for font in sorted((dist / "fonts").glob("*.woff2")):
            shutil.copy(font, static / "fonts" / font.name)
        (dest / "VERSION").write_text(f"katex {info['version']} {info['integrity']}\n")
    print(f"KaTeX {version} vendored into {dest.relative_to(ROOT)}")


if __name__ == "__main__":
    vendor(*sys.argv[1:2])
