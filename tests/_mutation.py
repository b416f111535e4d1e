"""What the tests need to know about mutation runs (``make mutants``, mutmut 3)."""

from __future__ import annotations

import os


def shared_scope(fixture_name: str, config: object) -> str:
    """Scope of a fixture built once per test module (a figure, an explorer, a run): ``module``.

    Except while mutmut records which tests call which function (``MUTANT_UNDER_TEST`` is
    ``stats``): then ``function``, so that every test using the fixture builds it and counts as
    calling what it calls. With ``module`` only the first such test would, and mutmut would
    test a mutant of the building code with that one test alone (the tests that read the
    figure would never run on it). Pass it as ``@pytest.fixture(scope=shared_scope)``.
    """
    return "function" if os.environ.get("MUTANT_UNDER_TEST") == "stats" else "module"
