"""Per-backend overview, conformance levels, and the op and lifecycle matrices.

Conformance levels, from the backend's record (:func:`conformance_level`):

``load error``
    The plugin did not load (import failure, misspelt or mistyped hooks, a
    missing essential hook); no case ran.
``incomplete``
    The backend's session did not finish (interrupted, crashed, timed out, or
    planned cases did not run): the numbers cover what finished.
``conformant``
    Every case ran to a verdict and none failed, no required op of the
    contract is missing, and no declared deviation was needed.
``conformant with deviations``
    As conformant, except that some cases fail as declared in the backend's
    deviations file (each one reported, with its reason).
``partial``
    Anything else: failed cases (or crashed, timed out, blocked, not run),
    or a required op missing (a backend brought up op by op is partial until
    it has them all).

Counts cover every case of the backend, op cases and lifecycle stages. The
worst ULP is the largest error of a *passed* op case against the oracle, in
ULPs of its dtype.
"""

from __future__ import annotations

from typing import Any

from ..records.schema import json_float, read_float
from .columns import Column

__all__ = [
    "LEVELS",
    "OUTCOMES",
    "conformance_level",
    "fmt_num",
    "lifecycle_matrix",
    "op_matrix",
    "overview",
]

#: Case outcomes, in report order.
OUTCOMES = (
    "passed",
    "failed",
    "deviation",
    "missing",
    "unsupported",
    "skipped",
    "blocked",
    "crashed",
    "timeout",
    "not-run",
)
#: Outcomes that keep a backend from being conformant.
BAD = ("failed", "blocked", "crashed", "timeout", "not-run")
LEVELS = (
    "conformant",
    "conformant with deviations",
    "partial",
    "incomplete",
    "load error",
)
#: Case kinds whose passing values were compared exactly when no error is given.
_VALUE_KINDS = ("values", "special", "subnormal", "range")


def fmt_num(value: float | str | None) -> str:
    """A number for a table: 3 significant digits, ``inf``, or ``—`` for none."""
    if value is None:
        return "—"
    x = read_float(value)
    assert x is not None
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    if abs(x) >= 1e4 or abs(x) < 1e-3:
        return f"{x:.2e}"
    return f"{x:.3g}"


def conformance_level(
    record: dict[str, Any], counts: dict[str, int], missing_required: list[str]
) -> str:
    """The level of a backend (see the module docstring)."""
    if record.get("load_error"):
        return "load error"
    if record.get("status") != "complete":
        return "incomplete"
    bad = sum(counts.get(o, 0) for o in BAD)
    if bad or missing_required:
        return "partial"
    if counts.get("deviation", 0):
        return "conformant with deviations"
    return "conformant"


def _worst_ulp(record: dict[str, Any]) -> dict[str, Any] | None:
    worst: tuple[float, str] | None = None
    for cid in sorted(record.get("cases", {})):
        case = record["cases"][cid]
        if case.get("outcome") != "passed" or case.get("kind") == "lifecycle":
            continue
        ulp = read_float((case.get("error") or {}).get("ulp"))
        if ulp is not None and (worst is None or ulp > worst[0]):
            worst = (ulp, cid)
    return None if worst is None else {"value": json_float(worst[0]), "case": worst[1]}


def _meta_hooks() -> set[str]:
    """Required hooks that describe the backend (checked when it loads), not ops."""
    from ..contract import OPS

    return {name for name, info in OPS.items() if info.group == "info"}


def backend_overview(
    col: Column, outliers: int, keys: set[str] | None = None
) -> dict[str, Any]:
    """One backend's row: versions, coverage, counts, worst ULP, level.

    ``keys``: count only these cases (a golden column beside a filtered run
    is counted over the cases the run selected).
    """
    rec = col.record
    info = rec.get("info") or {}
    counts = dict.fromkeys(OUTCOMES, 0)
    cases = rec.get("cases", {}).values()
    if keys is not None:
        cases = [c for k, c in col.by_key.items() if k in keys]
    for case in cases:
        outcome = case.get("outcome")
        counts[outcome] = counts.get(outcome, 0) + 1
    implemented = set(rec.get("implemented", []))
    required = set(rec.get("required_ops", [])) - _meta_hooks()
    missing_required = sorted(required - implemented)
    if rec.get("load_error"):
        missing_required = []  # nothing loaded: the load error says why
    return {
        "name": col.name,
        "label": col.label,
        "source": col.source,
        "framework": info.get("framework"),
        "framework_version": info.get("framework_version"),
        "device": info.get("device"),
        "kconform_version": rec.get("kconform_version"),
        "contract_version": rec.get("contract_version"),
        "contract_size": rec.get("contract_size"),
        "implemented": len(implemented),
        "missing_required": missing_required,
        "counts": counts,
        "cases": sum(counts.values()),
        "deviations_declared": rec.get("deviations_declared", 0),
        "stale_deviations": list(rec.get("stale_deviations", [])),
        "worst_ulp": _worst_ulp(rec),
        "outliers": outliers,
        "status": rec.get("status"),
        "status_detail": rec.get("status_detail"),
        "load_error": rec.get("load_error"),
        "level": conformance_level(rec, counts, missing_required),
    }


def _op_cell(cases: list[dict[str, Any]], outliers: int) -> dict[str, Any]:
    """One op on one backend: its worst error, or what kept it from passing."""
    counts: dict[str, int] = {}
    for case in cases:
        counts[case.get("outcome", "")] = counts.get(case.get("outcome", ""), 0) + 1
    text, status = "—", "none"
    if counts.get("failed"):
        text, status = f"FAIL {counts['failed']}", "fail"
    elif any(counts.get(o) for o in ("crashed", "timeout", "not-run", "blocked")):
        word = next(
            o for o in ("crashed", "timeout", "not-run", "blocked") if counts.get(o)
        )
        text, status = f"{word.replace('-', ' ')} {counts[word]}", "crashed"
    elif counts.get("deviation"):
        text, status = f"dev {counts['deviation']}", "dev"
    elif counts.get("passed"):
        text, status = _passed_text(cases), "pass"
    elif counts.get("missing"):
        text, status = "missing", "missing"
    elif counts.get("unsupported"):
        text, status = "unsupported", "skip"
    elif counts.get("skipped"):
        text, status = "skip", "skip"
    if outliers:
        text += " (outlier)"
    return {"text": text, "status": status, "outliers": outliers}


def _passed_text(cases: list[dict[str, Any]]) -> str:
    units: dict[str, float] = {}
    exact = False
    for case in cases:
        if case.get("outcome") != "passed":
            continue
        error = case.get("error") or {}
        for unit in ("ulp", "bound", "grad_eps"):
            value = read_float(error.get(unit))
            if value is not None:
                units[unit] = max(units.get(unit, value), value)
        exact = exact or case.get("kind") in _VALUE_KINDS
    if "ulp" in units and not (units["ulp"] == 0 and "bound" in units):
        return "exact" if units["ulp"] == 0 else f"{fmt_num(units['ulp'])} ulp"
    if "bound" in units:
        return f"{fmt_num(units['bound'])} × bound"
    if "grad_eps" in units:
        return f"{fmt_num(units['grad_eps'])} eps (grad)"
    return "exact" if exact else "pass"


def _outlier_counts(outliers: dict[str, list[dict[str, Any]]]) -> dict[tuple, int]:
    counts: dict[tuple, int] = {}
    for name, entries in outliers.items():
        for entry in entries:
            k = (name, entry.get("op"), entry.get("kind") == "lifecycle")
            counts[k] = counts.get(k, 0) + 1
    return counts


def op_matrix(
    columns: list[Column], keys: set[str], outliers: dict[str, list[dict[str, Any]]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """``{op: {backend: cell}}`` over the op cases (lifecycle stages apart)."""
    per: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for col in columns:
        for key, case in col.by_key.items():
            if key in keys and case.get("kind") != "lifecycle":
                per.setdefault(case.get("op", key), {}).setdefault(col.name, [])
                per[case.get("op", key)][col.name].append(case)
    marks = _outlier_counts(outliers)
    return {
        op: {
            col.name: _op_cell(
                per[op].get(col.name, []), marks.get((col.name, op, False), 0)
            )
            for col in columns
        }
        for op in sorted(per)
    }


_STAGE_CELL = {
    "passed": "pass",
    "failed": "FAIL",
    "blocked": "blocked",
    "deviation": "deviation",
    "unsupported": "unsupported",
    "skipped": "skip",
    "missing": "missing",
    "crashed": "crashed",
    "timeout": "timeout",
    "not-run": "not run",
}
_STAGE_STATUS = {
    "passed": "pass",
    "failed": "fail",
    "blocked": "crashed",
    "deviation": "dev",
    "unsupported": "skip",
    "skipped": "skip",
    "missing": "missing",
    "crashed": "crashed",
    "timeout": "crashed",
    "not-run": "crashed",
}


def lifecycle_matrix(
    columns: list[Column], keys: set[str], outliers: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """``{"stages": [key, ...], "scenarios": {name: [key, ...]}, "cells": ...}``.

    ``cells`` is ``{key: {backend: cell}}``; stages keep the order of collection.
    """
    stages: list[str] = []
    scenarios: dict[str, list[str]] = {}
    for col in columns:
        for key, case in col.by_key.items():
            if key in keys and case.get("kind") == "lifecycle" and key not in stages:
                stages.append(key)
                scenarios.setdefault(case.get("op", key), []).append(key)
    flagged = {(name, e["case"]) for name, entries in outliers.items() for e in entries}
    cells: dict[str, dict[str, dict[str, Any]]] = {}
    for key in stages:
        row = {}
        for col in columns:
            case = col.by_key.get(key)
            if case is None:
                row[col.name] = {"text": "—", "status": "none", "outliers": 0}
                continue
            outcome = case.get("outcome", "")
            out = int((col.name, key) in flagged)
            text = _STAGE_CELL.get(outcome, outcome) + (" (outlier)" if out else "")
            row[col.name] = {
                "text": text,
                "status": _STAGE_STATUS.get(outcome, "none"),
                "outliers": out,
            }
        cells[key] = row
    return {"stages": stages, "scenarios": scenarios, "cells": cells}


def overview(
    live: list[Column],
    golden: list[Column],
    keys: set[str],
    parity: dict[str, Any],
    complete: bool,
) -> dict[str, Any]:
    """The ``overview`` section of ``results.json``."""
    columns = live + golden
    outliers = parity.get("outliers", {})
    backends = {
        col.name: backend_overview(
            col, len(outliers.get(col.name, [])), keys if col.golden else None
        )
        for col in columns
    }
    ops = op_matrix(columns, keys, outliers)
    live_names = [c.name for c in live]
    not_clean = [
        op
        for op, row in ops.items()
        if any(
            row[n]["status"] in ("fail", "crashed", "dev", "missing")
            or row[n]["outliers"]
            for n in live_names
        )
    ]
    return {
        "complete": complete,
        "columns": [c.name for c in columns],
        "live": live_names,
        "golden": [c.name for c in golden],
        "conformant": bool(live)
        and all(
            backends[n]["level"] in ("conformant", "conformant with deviations")
            for n in live_names
        ),
        "backends": backends,
        "ops": ops,
        "not_clean_ops": not_clean,
        "clean_ops": len(ops) - len(not_clean),
        "lifecycle": lifecycle_matrix(columns, keys, outliers),
    }
