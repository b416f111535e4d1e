"""The simulated CPU this run asked for (``GVX_CPU_PROFILE``, tools/cpu_profile.py) is the one
it runs under: NumPy's dispatch targets switched off, OpenBLAS's kernels and thread count.

``make test`` runs the unit tests and nbval under each profile; nbval's kernels inherit the
environment, and so does the subprocess here. If a profile silently did nothing, the whole
"same numbers on another CPU" check would prove nothing: so this fails loudly.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from _book import ROOT

_spec = importlib.util.spec_from_file_location("cpu_profile", ROOT / "tools" / "cpu_profile.py")
cpu_profile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cpu_profile)

PROFILE = os.environ.get("GVX_CPU_PROFILE", "native")

# exp and log: NumPy's AVX-512 and AVX2 kernels round differently in the last bit; the
# product: OpenBLAS's kernels sum in different orders.
_FINGERPRINT = """
import hashlib, numpy as np
x = np.linspace(-5, 5, 10001)
rng = np.random.default_rng(0)
a, b = rng.standard_normal((64, 64)), rng.standard_normal((64, 64))
h = hashlib.sha256()
for v in (np.exp(x), np.log1p(np.abs(x)), a @ b):
    h.update(np.ascontiguousarray(v).tobytes())
print(h.hexdigest())
"""


def _fingerprint(env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", _FINGERPRINT], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def _native_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in cpu_profile.environment("sandybridge"):
        env.pop(name, None)
    return env


def test_the_profile_is_known():
    assert PROFILE in cpu_profile.PROFILES, f"GVX_CPU_PROFILE={PROFILE!r} is not a profile"


def test_the_profile_took_effect_in_this_process():
    assert cpu_profile.problems(PROFILE) == []
    # and the variables are the ones the profile sets
    for name, value in cpu_profile.environment(PROFILE).items():
        assert os.environ.get(name, "native" if name == "GVX_CPU_PROFILE" else None) == value


_PROBE = """
import numpy, threadpoolctl
from numpy._core._multiarray_umath import __cpu_features__ as f
print(" ".join(sorted(k for k, v in f.items() if v)))
print(" ".join(str(p.get("architecture")) for p in threadpoolctl.threadpool_info()))
"""


def test_the_profile_changes_the_arithmetic_exactly_when_it_should():
    # The native CPU, asked in a subprocess without the profile's variables: which dispatch
    # targets and which OpenBLAS kernels it has. A profile that turns off something this CPU
    # has must compute differently; one that changes nothing here (the native profile, or a
    # profile that is this very CPU) must compute exactly alike.
    native = _native_env()
    features, kernels = subprocess.run(
        [sys.executable, "-c", _PROBE], env=native, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    turned_off = set(cpu_profile.disabled_features(PROFILE)) & set(features.split())
    coretype = cpu_profile.environment(PROFILE).get("OPENBLAS_CORETYPE")
    other_kernels = coretype is not None and coretype.lower() not in kernels.lower()
    should_differ = bool(turned_off) or other_kernels
    differs = _fingerprint(dict(os.environ)) != _fingerprint(native)
    assert differs == should_differ, (
        f"profile {PROFILE}: turns off {sorted(turned_off)} of this CPU's features, "
        f"OpenBLAS {kernels} -> {coretype}; the arithmetic {'changed' if differs else 'did not'}"
    )


def test_profiles_are_described_correctly():
    assert cpu_profile.environment("native") == {"GVX_CPU_PROFILE": "native"}
    haswell = cpu_profile.environment("haswell")
    assert haswell["OPENBLAS_CORETYPE"] == "Haswell"
    sandy = cpu_profile.environment("sandybridge")
    assert sandy["OPENBLAS_CORETYPE"] == "Sandybridge"
    dispatch = [str(n) for n in np._core._multiarray_umath.__cpu_dispatch__]
    if "X86_V3" in dispatch:
        assert "X86_V3" in sandy["NPY_DISABLE_CPU_FEATURES"].split(",")
        assert "X86_V3" not in haswell["NPY_DISABLE_CPU_FEATURES"].split(",")
        assert "X86_V4" in haswell["NPY_DISABLE_CPU_FEATURES"].split(",")
    with pytest.raises(ValueError, match="profile"):
        cpu_profile.environment("pentium")


def test_workers_times_blas_threads_fit_the_cores():
    assert cpu_profile.workers("native", cores=2) == 2  # threads unset: one each
    assert cpu_profile.workers("haswell", cores=2) == 2
    assert cpu_profile.workers("sandybridge", cores=2) == 1
    assert cpu_profile.workers("sandybridge", cores=8) == 4
    assert cpu_profile.workers("sandybridge", cores=1) == 1
    assert cpu_profile.workers("native") >= 1
    with pytest.raises(ValueError, match="profile"):
        cpu_profile.workers("pentium")
    with pytest.raises(ValueError, match="cores"):
        cpu_profile.workers("native", cores=0)
