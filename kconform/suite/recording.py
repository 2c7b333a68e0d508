"""From pytest reports to records: what the session's controller writes to disk.

Items put their measurements in ``report.user_properties`` (``("kconform",
props)``), which pytest-xdist carries from its workers to the controller, so
one process (the controller, or the only one) writes the records however the
run was spread.
"""

from __future__ import annotations

from typing import Any

import pytest

from ..backend import Backend
from ..contract import CONTRACT_VERSION, OPS, op_names
from ..records.host import host_info
from ..records.schema import case_key, decode_array
from .state import SessionState

__all__ = ["backend_record", "case_record", "crashed_record", "planned_ids"]


def backend_record(state: SessionState, name: str) -> dict[str, Any]:
    """The static part of a backend's record: versions, coverage, load error."""
    from .._version import __version__

    base: dict[str, Any] = {
        "name": name,
        "kconform_version": __version__,
        "contract_version": CONTRACT_VERSION,
        "contract_size": len(op_names()),
        "required_ops": [n for n, info in OPS.items() if info.required],
        "host": host_info(),
    }
    if name in state.load_errors:
        return {
            **base,
            "info": {"framework": None, "framework_version": None, "device": None},
            "implemented": [],
            "capabilities": [],
            "deviations_declared": 0,
            "load_error": str(state.load_errors[name]),
        }
    backend: Backend = state.backends[name]
    info = {k: _plain(v) for k, v in backend.info.items()}
    return {
        **base,
        "info": info,
        "implemented": sorted(backend.implemented),
        "capabilities": sorted(backend.capabilities),
        "deviations_declared": len(backend.deviations),
        "load_error": None,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _first_line(report: pytest.TestReport) -> str | None:
    if report.passed:
        return None
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    text = getattr(report, "longreprtext", "") or ""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[0][:500] if lines else None


def case_record(
    report: pytest.TestReport, props: dict[str, Any], outcome: str
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """``(backend, case record, arrays)`` of a finished case."""
    case_id = report.nodeid.rsplit("::", 1)[-1]
    backend = props["backend"]
    case = {
        "id": case_id,
        "key": case_key(case_id, backend),
        "op": props["op"],
        "kind": props["kind"],
        "dtype": props.get("dtype"),
        "stage": props.get("stage"),
        "outcome": outcome,
        "error": props.get("error", {}),
        "duration": round(float(report.duration), 6),
        "deviation": props.get("deviation"),
        "message": _first_line(report),
    }
    if props.get("repro"):
        case["repro"] = list(props["repro"])
    arrays = {k: decode_array(v) for k, v in props.get("arrays", {}).items()}
    return backend, case, arrays


def crashed_record(
    report: pytest.TestReport, backend: str, case_id: str
) -> dict[str, Any]:
    """A case whose process died (a pytest-xdist worker crash) before reporting."""
    return {
        "id": case_id,
        "key": case_key(case_id, backend),
        "op": case_id.split("[", 1)[0],
        "kind": "crashed",
        "dtype": None,
        "stage": None,
        "outcome": "crashed",
        "error": {},
        "duration": round(float(report.duration), 6),
        "deviation": None,
        "message": _first_line(report),
    }


def planned_ids(items: list[pytest.Item]) -> dict[str, list[str]]:
    """The kconform cases among collected items, per backend."""
    out: dict[str, list[str]] = {}
    for item in items:
        name = getattr(item, "backend_name", None)
        if name is not None:
            out.setdefault(name, []).append(item.name)
    return out
