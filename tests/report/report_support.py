"""Helpers of the report's tests: real sessions and hand-made run directories."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from suite_sessions import PLUGINS, run_session

from kconform.records import RunWriter

__all__ = ["PLUGINS", "SMALL", "case", "make_run", "run_session"]
#: Canonical cases only (hypothesis exploration is left out: its examples are
#: not what parity is about), and the MLP scenario's lifecycle stages.
SMALL = "(softmax or exp or argmax or equal or mlp) and not explore and not expm1"


def case(cid: str, outcome: str = "passed", **extra: Any) -> dict[str, Any]:
    head, _, params = cid.partition("[")
    backend, _, dtype = params.rstrip("]").partition("-")
    op, _, suffix = head.partition("-")
    lifecycle = not dtype and suffix not in ("grad", "errors")
    key = f"{head}[{dtype}]" if dtype else head
    return {
        "id": cid,
        "key": key,
        "op": op,
        "kind": "lifecycle" if lifecycle else "values",
        "dtype": dtype or None,
        "stage": suffix if lifecycle else None,
        "outcome": outcome,
        "error": extra.pop("error", {"ulp": 0.5} if outcome == "passed" else {}),
        "duration": 0.01,
        "deviation": extra.pop("deviation", None),
        "message": None,
        **extra,
    }


def make_run(
    directory: Path,
    cases: dict[str, list[tuple[dict[str, Any], dict[str, np.ndarray]]]],
    *,
    complete: bool = True,
    records: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """A run directory written by the real RunWriter."""
    writer = RunWriter(directory, run=directory.name, profile="ci")
    for name, entries in cases.items():
        record = {
            "name": name,
            "info": {"framework": f"fw-{name}", "framework_version": "1.0"},
            "kconform_version": "0.1.0",
            "contract_version": "1.0",
            "contract_size": 3,
            "required_ops": ["backend_info", "exp", "tanh"],
            "implemented": ["exp", "tanh", "argmax"],
            "capabilities": [],
            "deviations_declared": 0,
            "load_error": None,
            **(records or {}).get(name, {}),
        }
        writer.add_backend(record)
        writer.plan(name, [c["id"] for c, _ in entries])
        for case, arrays in entries:
            writer.add_case(name, case, arrays)
    writer.finish(complete=complete)
    return directory
