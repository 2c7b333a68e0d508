"""Tiers: how much of the suite a run covers (``kconform run --tier``).

``smoke``
    a stratified sample, about two minutes for the four built-in backends
    together on two cores (JAX compiles per shape and dtype, which is what
    bounds it; the others take seconds):
    every check kind of every op -- canonical values, gradients, special
    values, subnormals, the whole range, promotion, error cases and a few
    explored examples -- in the cheapest dtype that exercises it (float32;
    the op's only dtype where it has no float32, the bool and int ops; the
    whole range in int64 too, where int64 values beyond int32 live), and the
    stages of the ``mlp`` lifecycle scenario.
``default``
    every case, with the ``ci`` exploration profile.
``thorough``
    every case, with the long ``thorough`` exploration profile.

``--kconform-tier=smoke`` selects the smoke cases in any pytest session; it
combines with ``-k`` and ``-m`` (a case must pass all of them).
"""

from __future__ import annotations

from typing import Any

import pytest

__all__ = [
    "SMOKE_DTYPE",
    "SMOKE_SCENARIOS",
    "TIERS",
    "SmokeTier",
    "in_smoke",
    "suite_command",
]

#: The pytest arguments of each tier of ``kconform run``.
TIERS: dict[str, list[str]] = {
    "smoke": ["--kconform-tier=smoke"],
    "default": [],
    "thorough": ["--kconform-profile=thorough"],
}
SMOKE_DTYPE = "float32"


#: ``python -m pytest``, except that the working directory goes to the *end* of
#: ``sys.path``: run from a kconform checkout, ``-m`` would put the source tree's
#: ``kconform/`` (which has no ``kconform.specs``: ``specs/`` becomes it only when
#: installed) before the installed package. Modules of the working directory
#: (``--backend-plugin=my_plugin``) stay importable.
_PYTEST_MAIN = (
    "import os, sys; "
    "sys.path[:] = [p for p in sys.path if p not in ('', os.getcwd())]; "
    "sys.path.append(os.getcwd()); "
    "import pytest; "
    "sys.exit(int(pytest.main()))"
)


def suite_command(backend: str, run_dir: Any, *extra: str) -> list[str]:
    """The command running the packaged suite on one backend into ``run_dir``."""
    import sys

    return [
        sys.executable,
        "-c",
        _PYTEST_MAIN,
        "--pyargs",
        "kconform.suite",
        f"--backend={backend}",
        f"--kconform-report-dir={run_dir}",
        "-p",
        "no:cacheprovider",
        # kconform is imported before pytest starts: it cannot be assert-rewritten
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        *extra,
    ]


SMOKE_SCENARIOS = ("mlp",)


def in_smoke(item: pytest.Item) -> bool:
    """Whether ``item`` is part of the smoke tier (non-kconform items are)."""
    from ..suite.items import OracleGradItem, SpecItem
    from ..suite.lifecycle import LifecycleItem

    if isinstance(item, SpecItem):
        if item.dtype is None:  # errors, promotion: one case per op
            return True
        dtypes = item.spec.dtypes
        wanted = SMOKE_DTYPE if SMOKE_DTYPE in dtypes else dtypes[0]
        if item.kind == "range" and "int64" in dtypes and item.dtype == "int64":
            return True
        if item.kind == "range" and wanted == "bool":
            wanted = next((d for d in dtypes if d != "bool"), wanted)
        return item.dtype == wanted
    if isinstance(item, LifecycleItem):
        return item.scenario.name in SMOKE_SCENARIOS
    return not isinstance(item, OracleGradItem)


class SmokeTier:
    """pytest plugin: deselects every case outside the smoke tier."""

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[Any]
    ) -> None:
        keep, drop = [], []
        for item in items:
            (keep if in_smoke(item) else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
