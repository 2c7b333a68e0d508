"""Fixtures for whole-session tests: plugin modules on sys.path, a pytester runner."""

from __future__ import annotations

from pathlib import Path

import pytest

PLUGINS = Path(__file__).parent.parent / "plugins"


@pytest.fixture
def run_suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    """Run the packaged conformance suite under pytester; returns (result, outcomes)."""
    pytest.importorskip("kconform_numpy")
    monkeypatch.syspath_prepend(str(PLUGINS))

    def run(*args: str):
        reprec = pytester.inline_run(
            "--pyargs",
            "kconform.suite",
            "-p",
            "no:cacheprovider",
            f"--kconform-report-dir={pytester.path / 'reports'}",
            *args,
        )
        outcomes = {}
        for rep in reprec.getreports("pytest_runtest_logreport"):
            if rep.when == "call" or rep.outcome != "passed":
                outcomes[rep.nodeid.rsplit("::", 1)[-1]] = (
                    "deviation" if hasattr(rep, "wasxfail") else rep.outcome
                )
        return reprec, outcomes

    return run
