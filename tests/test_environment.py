"""The reader's environment: pinned as written, and JupyterLab's extensions all load."""

from __future__ import annotations

import json
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


def test_the_course_jupyterlab_defaults_reach_jupyterlab():
    """jupyter_config/labconfig sets the course's JupyterLab defaults (notebooks render every
    cell, so in-notebook links land: tools/chapter_terms.py); the Makefile and Binder's ./start
    put it on JUPYTER_CONFIG_PATH, where jupyterlab_server reads it."""
    import os

    config = ROOT / "jupyter_config"
    code = (
        "from jupyterlab_server.settings_utils import _get_overrides;"
        "import json; print(json.dumps(_get_overrides('/nonexistent')[0]))"
    )
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(config)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    overrides = json.loads(out.stdout)
    assert overrides["@jupyterlab/notebook-extension:tracker"]["windowingMode"] == "none"
    env["JUPYTER_CONFIG_PATH"] = str(ROOT / "lib")  # no labconfig there: the test can fail
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "@jupyterlab/notebook-extension:tracker" not in json.loads(out.stdout)
    assert (
        "export JUPYTER_CONFIG_PATH := $(CURDIR)/jupyter_config" in (ROOT / "Makefile").read_text()
    )
    start = ROOT / "start"
    assert os.access(start, os.X_OK)
    shown = subprocess.run(
        [str(start), "bash", "-c", 'echo "$JUPYTER_CONFIG_PATH"'], capture_output=True, text=True
    )
    assert shown.stdout.split(":")[0].strip() == str(config)
