"""Simulated CPUs: the environment that makes NumPy and OpenBLAS compute as another CPU would.

A learner's laptop, Binder and GitHub's runners have CPUs we do not choose. NumPy picks its
SIMD kernels (``tanh``, ``exp``, sums ...) at import from the CPU's features, and OpenBLAS its
matrix-product kernels from the CPU's type; different kernels round differently in the last
bit. Two switches let one machine compute as others do:

- ``OPENBLAS_CORETYPE``: the OpenBLAS kernel family (``Haswell``: AVX2; ``Sandybridge``: AVX);
- ``NPY_DISABLE_CPU_FEATURES``: NumPy's dispatch targets to switch off, read from
  ``numpy._core._multiarray_umath.__cpu_dispatch__`` (with NumPy 2.4 on x86-64:
  ``X86_V3`` is AVX2/FMA, ``X86_V4`` and ``AVX512_*`` are AVX-512).

Profiles (``native`` changes nothing):

- ``haswell``: OpenBLAS Haswell kernels, NumPy's AVX-512 dispatch off, one BLAS thread;
- ``sandybridge``: OpenBLAS Sandybridge kernels, NumPy's AVX2 and AVX-512 dispatch off, two
  BLAS threads.

Usage::

    python tools/cpu_profile.py PROFILE        # print the variables, one ``NAME=value`` a line
    python tools/cpu_profile.py PROFILE --check  # exit 1 unless this process runs under it
    python tools/cpu_profile.py PROFILE --workers  # pytest workers that fit its BLAS threads

``make test`` runs the unit tests and nbval under each profile with ``env $(...)``;
``tests/test_cpu_profile.py`` fails when the profile it is told (``GVX_CPU_PROFILE``) did not
take effect.
"""

from __future__ import annotations

import os
import sys

PROFILES = ("native", "haswell", "sandybridge")
# What each profile switches off in NumPy's dispatch (by the level a target needs) and which
# OpenBLAS kernels and how many BLAS threads it asks for.
_SETTINGS = {
    "native": {"coretype": None, "off_from": None, "threads": None},
    "haswell": {"coretype": "Haswell", "off_from": "X86_V4", "threads": "1"},
    "sandybridge": {"coretype": "Sandybridge", "off_from": "X86_V3", "threads": "2"},
}


def _dispatch_targets() -> list[str]:
    """NumPy's dispatch targets on x86-64, in increasing order (``[]`` on other machines)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__

    return [str(name) for name in __cpu_dispatch__]


def disabled_features(profile: str) -> list[str]:
    """The dispatch targets ``profile`` switches off: its level and every one above it.

    ``__cpu_dispatch__`` lists NumPy's targets from the least to the most demanding
    (``X86_V3, X86_V4, AVX512_ICL, AVX512_SPR`` with NumPy 2.4), so turning off a level means
    turning off that name and every name after it.
    """
    if profile not in _SETTINGS:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    start = _SETTINGS[profile]["off_from"]
    targets = _dispatch_targets()
    if start is None or start not in targets:
        return []
    return targets[targets.index(start) :]


def environment(profile: str) -> dict[str, str]:
    """The environment variables that simulate ``profile`` (empty for ``native``)."""
    settings = _SETTINGS.get(profile)
    if settings is None:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    env = {"GVX_CPU_PROFILE": profile}
    if settings["coretype"]:
        env["OPENBLAS_CORETYPE"] = settings["coretype"]
    off = disabled_features(profile)
    if off:
        env["NPY_DISABLE_CPU_FEATURES"] = ",".join(off)
    if settings["threads"]:
        env["OPENBLAS_NUM_THREADS"] = settings["threads"]
    return env


def problems(profile: str) -> list[str]:
    """What is not as ``profile`` asks in *this* process (``[]`` when it took effect)."""
    import numpy  # noqa: F401  (loads OpenBLAS, so threadpoolctl can see it)
    import threadpoolctl
    from numpy._core._multiarray_umath import __cpu_features__

    settings = _SETTINGS.get(profile)
    if settings is None:
        return [f"unknown profile {profile!r}"]
    found = []
    for name in disabled_features(profile):
        if __cpu_features__.get(name):
            found.append(f"NumPy dispatch target {name} is still on")
    blas = [p for p in threadpoolctl.threadpool_info() if p.get("internal_api") == "openblas"]
    if not blas:
        found.append("no OpenBLAS found by threadpoolctl")
    for pool in blas:
        want = settings["coretype"]
        if want and str(pool.get("architecture", "")).lower() != want.lower():
            found.append(f"OpenBLAS runs {pool.get('architecture')} kernels, not {want}")
        if settings["threads"] and str(pool.get("num_threads")) != settings["threads"]:
            found.append(
                f"OpenBLAS uses {pool.get('num_threads')} threads, not {settings['threads']}"
            )
    return found


def workers(profile: str, cores: int | None = None) -> int:
    """pytest-xdist workers for ``profile`` on ``cores`` cores (default: this machine's), so
    that workers times BLAS threads stays within the cores: spinning OpenBLAS threads beyond
    them made a run up to 3.7 times slower. A profile that does not set threads counts as 1."""
    if profile not in _SETTINGS:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    cores = (os.cpu_count() or 1) if cores is None else cores
    if not isinstance(cores, int) or cores < 1:
        raise ValueError(f"cores must be a positive int, got {cores!r}")
    threads = int(_SETTINGS[profile]["threads"] or 1)
    return max(1, cores // threads)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in PROFILES:
        print(__doc__.strip().split("\n\n")[-3], file=sys.stderr)
        print(f"profile must be one of {PROFILES}", file=sys.stderr)
        return 2
    profile = argv[0]
    if "--workers" in argv[1:]:
        print(workers(profile))
        return 0
    if "--check" in argv[1:]:
        issues = problems(profile)
        for line in issues:
            print(f"cpu profile {profile}: {line}", file=sys.stderr)
        return 1 if issues else 0
    for name, value in environment(profile).items():
        print(f"{name}={value}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main(sys.argv[1:]))
