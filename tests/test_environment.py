"""The reader's environment: pinned as written, and JupyterLab's extensions all load."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def pins(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-e", "-r")):
            continue
        name, _, version = line.partition("==")
        assert version, f"{path.name}: {line!r} is not pinned with =="
        out[name] = version
    return out


@pytest.mark.parametrize("requirements", ["requirements.txt", "requirements-dev.txt"])
def test_installed_versions_match_the_pins(requirements):
    for name, version in pins(ROOT / requirements).items():
        assert metadata.version(name) == version, f"{name}: installed != pinned {version}"


def test_key_versions():
    req = pins(ROOT / "requirements.txt")
    assert req["jupyter-book"].startswith("1.")
    assert req["ipywidgets"].startswith("8.")
    assert req["jupyterlab"].startswith("4.")
    assert "-e ." in (ROOT / "requirements.txt").read_text()
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"


def test_jupyterlab_extensions_all_load():
    """A MyST or widgets extension that JupyterLab cannot load fails silently for a reader."""
    result = subprocess.run(
        [str(BIN / "jupyter-labextension"), "list"], capture_output=True, text=True, check=True
    )
    report = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    assert "not compatible" not in report, report
    for extension in ("jupyterlab-myst", "@jupyter-widgets/jupyterlab-manager"):
        line = next((ln for ln in report.splitlines() if extension in ln), "")
        assert "enabled" in line and "OK" in line, f"{extension}: {line or 'missing'}"


def test_the_build_environment_is_pinned_too():
    """``-e .`` in requirements.txt builds gradlab in an isolated environment from
    pyproject.toml's build requirements: each must be pinned to one version, like the rest."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    build = tomllib.loads((root / "pyproject.toml").read_text())["build-system"]
    assert build["requires"], "no build requirements"
    for requirement in build["requires"]:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", requirement), requirement
