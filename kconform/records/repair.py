"""Finishing the records of a session that did not finish them itself.

A pytest session killed for hanging, or dead from a crash, leaves its last
checkpoint: a valid ``results.json`` with the cases finished up to a few
seconds before. :func:`mark_unfinished` completes that picture for the
process that watched it (``kconform run``): the case that was running gets
the outcome ``timeout`` or ``crashed``, every planned case that did not run
gets ``not-run``, and the backend's status says what happened.
:func:`write_stub` writes the records of a backend whose session never wrote
any (it died while starting, or never started).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from .schema import case_key
from .store import RecordsError, RunWriter, atomic_write_text, load_run, now

__all__ = ["describe_case", "mark_unfinished", "write_stub"]

#: Case-id suffixes of the op suite and the kind of check each names.
_SUFFIX_KINDS = (
    "grad",
    "special",
    "subnormal",
    "range",
    "explore",
    "errors",
    "promotion",
)
#: What a backend's status may become here, and the outcome of its running case.
_CASE_OUTCOME = {"timeout": "timeout", "crashed": "crashed", "interrupted": "not-run"}


@lru_cache(maxsize=1)
def _main_kinds() -> dict[str, str]:
    """op -> the kind of its canonical cases ("values", or "property")."""
    try:
        from ..specs import all_specs
    except ImportError:  # pragma: no cover - specs ship with kconform
        return {}
    return {s.op: "property" if s.check is not None else "values" for s in all_specs()}


def describe_case(case_id: str, backend: str) -> dict[str, Any]:
    """op, kind, dtype and stage of a case, read from its id.

    >>> describe_case("exp-grad[torch-float32]", "torch")["kind"]
    'grad'
    >>> describe_case("mlp-fit[jax]", "jax")["stage"]
    'fit'
    """
    head, _, params = case_id.partition("[")
    params = params.removesuffix("]")
    dtype = params[len(backend) + 1 :] if params.startswith(backend + "-") else None
    kinds = _main_kinds()
    op, sep, suffix = head.rpartition("-")
    if sep and suffix in _SUFFIX_KINDS and (op in kinds or not kinds):
        return {"op": op, "kind": suffix, "dtype": dtype or None, "stage": None}
    if head in kinds:
        return {"op": head, "kind": kinds[head], "dtype": dtype, "stage": None}
    if sep and dtype is None:  # a lifecycle stage: <scenario>-<stage>[<backend>]
        return {"op": op, "kind": "lifecycle", "dtype": None, "stage": suffix}
    return {"op": head, "kind": "values", "dtype": dtype, "stage": None}


def _case(case_id: str, backend: str, outcome: str, message: str) -> dict[str, Any]:
    return {
        "id": case_id,
        "key": case_key(case_id, backend),
        **describe_case(case_id, backend),
        "outcome": outcome,
        "error": {},
        "duration": 0.0,
        "deviation": None,
        "message": message,
        "arrays": [],
    }


def mark_unfinished(
    run_dir: str | Path,
    status: str,
    case: str | None,
    detail: str,
    *,
    backend: str | None = None,
    duration: float | None = None,
    finished: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Mark the records in ``run_dir`` as cut short; returns the backend record.

    ``status`` is ``timeout`` (the session was killed while ``case`` ran),
    ``crashed`` (it died while ``case`` ran) or ``interrupted`` (it was
    stopped). ``case`` (None when no case was running; ignored unless it is
    one of the backend's planned cases) gets the outcome ``timeout``,
    ``crashed`` or (interrupted) ``not-run``; every other planned case
    without a record gets ``not-run``. ``backend`` defaults to
    the only backend of the run. ``finished`` are case records known from
    elsewhere (the session's journal) to have finished after the last
    checkpoint: they are kept, without their arrays, which were lost. The run
    is marked incomplete.
    """
    if status not in _CASE_OUTCOME:
        raise ValueError(
            f"status {status!r}: expected one of {', '.join(_CASE_OUTCOME)}"
        )
    run = load_run(run_dir)
    names = list(run.backends)
    if backend is None:
        if len(names) != 1:
            raise RecordsError(
                f"{run.directory}: holds backends {names}; say which one to mark"
            )
        backend = names[0]
    elif backend not in run.backends:
        raise RecordsError(
            f"{run.directory}: no backend {backend!r} here (it holds {names})"
        )
    record = run.backends[backend]
    cases = record.setdefault("cases", {})
    for done in finished:
        if done.get("id") and done["id"] not in cases:
            cases[done["id"]] = {**done, "arrays": []}
    planned = record.setdefault("planned", [])
    if case is not None and case in planned and case not in cases:
        what = {"timeout": "killed while running", "crashed": "crashed in"}
        entry = _case(
            case,
            backend,
            _CASE_OUTCOME[status],
            f"{what.get(status, 'stopped before finishing')} this case: {detail}",
        )
        entry["duration"] = 0.0 if duration is None else round(duration, 3)
        cases[case] = entry
    verb = {"timeout": "timed out in", "crashed": "crashed in"}.get(
        status, "was interrupted during"
    )
    reason = (
        f"did not run: the session {verb} {case}"
        if case
        else f"did not run: the session {status.replace('timeout', 'timed out')}"
    )
    for cid in planned:
        if cid not in cases:
            cases[cid] = _case(cid, backend, "not-run", reason)
    record["status"] = status
    record["status_detail"] = detail
    run.doc["complete"] = False
    run.doc["updated"] = now()
    text = json.dumps(run.doc, indent=1, allow_nan=False) + "\n"
    atomic_write_text(run.directory / "results.json", text)
    return record


def write_stub(
    run_dir: str | Path,
    backend: str,
    status: str,
    detail: str,
    *,
    profile: str = "ci",
    argv: list[str] | None = None,
    load_error: str | None = None,
) -> None:
    """Records for ``backend`` with no cases: its session wrote none.

    For a session that died or hung before its first checkpoint, that never
    started because the run was interrupted first, or whose plugin module
    failed to import (``load_error``).
    """
    from .._version import __version__
    from ..contract import CONTRACT_VERSION, OPS, op_names

    run_dir = Path(run_dir)
    writer = RunWriter(run_dir, run=run_dir.name, profile=profile, argv=argv or [])
    writer.add_backend(
        {
            "name": backend,
            "kconform_version": __version__,
            "contract_version": CONTRACT_VERSION,
            "contract_size": len(op_names()),
            "required_ops": [n for n, info in OPS.items() if info.required],
            "info": {"framework": None, "framework_version": None, "device": None},
            "implemented": [],
            "capabilities": [],
            "deviations_declared": 0,
            "load_error": load_error,
            "status": status,
            "status_detail": detail,
        }
    )
    writer.finish(complete=load_error is not None, detail=detail)
