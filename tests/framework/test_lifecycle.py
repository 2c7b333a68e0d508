"""The lifecycle scenarios of ``specs/lifecycle`` run stage by stage on each backend.

(The kconform pytest plugin also turns them into ``mlp-fit[jax]`` items; this
module checks the scenarios themselves and their cross-backend records.)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from kconform.specs.lifecycle import SCENARIOS


@dataclass
class Ctx:
    backend: Any
    scenario: str
    tmp_path: Path
    state: dict[str, Any] = field(default_factory=dict)


_records: dict[tuple[str, str], dict[str, Any]] = {}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario(backend: Any, name: str, tmp_path: Path) -> None:
    scenario = SCENARIOS[name]
    ctx = Ctx(backend, name, tmp_path)
    for stage in scenario.stages:
        start = time.perf_counter()
        try:
            stage.run(ctx)
        except AssertionError as exc:
            raise AssertionError(f"{name}-{stage.name}[{backend.name}]: {exc}") from exc
        ctx.state.setdefault("timings", {})[stage.name] = time.perf_counter() - start
    _records[(name, backend.name)] = ctx.state.get("records", {})
    records = ctx.state.get("records", {})
    if "epoch_losses" in records:
        assert np.isfinite(records["epoch_losses"]).all()


def test_scenarios_are_well_formed() -> None:
    assert {
        "mlp",
        "two_io",
        "cnn",
        "text_lstm",
        "custom_layer",
        "early_stopping",
        "save_load",
    } <= set(SCENARIOS)
    for scenario in SCENARIOS.values():
        names = [s.name for s in scenario.stages]
        assert len(names) == len(set(names)) and names[0] == "create", scenario.name
        assert all(callable(s.run) for s in scenario.stages)


def test_records_agree_across_backends() -> None:
    """Same initial weights, per-epoch losses within 1e-5 relative, across backends."""
    by_scenario: dict[str, dict[str, Any]] = {}
    for (name, backend), records in _records.items():
        by_scenario.setdefault(name, {})[backend] = records
    pairs = [(n, b) for n, runs in by_scenario.items() for b in runs if len(runs) > 1]
    if not pairs:
        pytest.skip("needs at least two backends (--backend=numpy,jax,...)")
    for name, runs in by_scenario.items():
        backends = sorted(runs)
        ref = runs[backends[0]]
        for other in backends[1:]:
            got = runs[other]
            if "initial_weights" in ref:
                for a, b in zip(ref["initial_weights"], got["initial_weights"]):
                    np.testing.assert_array_equal(
                        a,
                        b,
                        err_msg=f"{name}: initial weights {backends[0]} vs {other}",
                    )
            if "epoch_losses" in ref:
                np.testing.assert_allclose(
                    got["epoch_losses"],
                    ref["epoch_losses"],
                    rtol=1e-5,
                    err_msg=f"{name}: epoch losses {other} vs {backends[0]}",
                )
