"""Start, wait for and stop a JupyterLab server for a browser to drive (tools/lab_console.py,
benchmarks/bench_browser.py); neither is part of ``make test``.

The server runs on a free localhost port with the course's JupyterLab defaults
(``jupyter_config/``, as ``make lab`` and Binder's ``./start`` set them), the kernel imports
``gradlab`` from this checkout's ``lib/``, and Jupyter's config, data and runtime files go to a
temporary directory, not to ``$HOME``. It runs in its own process group, so :func:`stop_lab`
always ends it and its kernels.
"""

from __future__ import annotations

import json
import os
import pathlib
import signal
import socket
import subprocess
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_env(python: str, home: pathlib.Path) -> dict[str, str]:
    # The kernel spec says "python": the Lab's own environment must come first on PATH. Jupyter's
    # config, data and runtime files go to the temporary directory, not to $HOME.
    return {
        **os.environ,
        "PATH": str(pathlib.Path(python).parent) + os.pathsep + os.environ.get("PATH", ""),
        "JUPYTER_PLATFORM_DIRS": "1",
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        # The course's JupyterLab defaults, as `make lab` and Binder's ./start set them.
        "JUPYTER_CONFIG_PATH": str(ROOT / "jupyter_config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "MPLCONFIGDIR": str(home / "matplotlib"),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "PYTHONPATH": str(ROOT / "lib") + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }


def start_lab(python: str, root: pathlib.Path, port: int, token: str) -> subprocess.Popen:
    home = root.parent
    env = lab_env(python, home)
    cmd = [
        python,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--allow-root",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=",
        "--LabServerApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    log = open(home / "lab.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_for_lab(port: int, token: str, deadline: float) -> None:
    url = f"http://127.0.0.1:{port}/api/status?token={token}"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("JupyterLab did not start")


def stop_lab(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def explorer_count(path: pathlib.Path) -> int:
    """How many explorer outputs the saved notebook has (each becomes one live image)."""
    nb = json.loads(path.read_text())
    return sum(
        "gradlab/explorer" in out.get("metadata", {})
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
    )
