"""From pytest reports to records: what the session's controller writes to disk.

Items put their measurements in ``item.kconform_props``, which the plugin
sets on each report as ``report.kconform``: pytest serialises report
attributes, so pytest-xdist carries them from its workers to the controller,
and one process (the controller, or the only one) writes the records however
the run was spread.
"""

from __future__ import annotations

import shlex
from typing import Any

import pytest

from ..backend import Backend
from ..contract import CONTRACT_VERSION, OPS, op_names
from ..records.host import host_info
from ..records.schema import case_key, decode_array
from .state import SessionState

__all__ = [
    "backend_record",
    "case_record",
    "crashed_record",
    "filters_text",
    "planned_ids",
]


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
        "suite_size": _suite_size(),
        # The options that selected part of the suite (-k, -m, a tier), if any.
        "selection": {"filters": state.extra.get("filters", "")},
    }
    if name in state.load_errors:
        return {
            **base,
            "info": {"framework": None, "framework_version": None, "device": None},
            "implemented": [],
            "capabilities": [],
            "deviations_declared": 0,
            "deviations": [],
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
        # The declared entries themselves: the report lists them with reasons.
        "deviations": [_plain(d) for d in backend.deviations],
        "load_error": None,
    }


def _suite_size() -> int | None:
    """The whole suite's case count per backend (a filtered run plans fewer)."""
    from .items import suite_size

    try:
        return suite_size()
    except Exception:  # noqa: BLE001 - specs that do not import: the run says why
        return None


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


#: The longest message a record keeps (a pathological exception text is cut).
MESSAGE_LIMIT = 20_000
#: The lines of a traceback a record keeps (its end: the frames nearest the error).
TRACEBACK_LINES = 60


def _cut(text: str, limit: int = MESSAGE_LIMIT) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[… {len(text) - limit} more characters]"


def _message(report: pytest.TestReport, props: dict[str, Any]) -> str | None:
    """The whole message of a case that did not pass (what it said, not a frame)."""
    if report.passed and not hasattr(report, "wasxfail"):
        return None
    if props.get("message"):
        return _cut(str(props["message"]))
    if report.skipped and isinstance(report.longrepr, tuple):
        return _cut(str(report.longrepr[2]).removeprefix("Skipped: "))
    if hasattr(report, "wasxfail"):
        return _cut(str(report.wasxfail)) or None
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return _cut(f"{crash.message}\n(at {crash.path}:{crash.lineno})")
    text = getattr(report, "longreprtext", "") or ""
    return _cut(text) or None


def _traceback(report: pytest.TestReport) -> str | None:
    """The end of the traceback of a case that raised (not a conformance failure)."""
    if not report.failed or getattr(report.longrepr, "reprcrash", None) is None:
        return None
    lines = (getattr(report, "longreprtext", "") or "").splitlines()
    if len(lines) > TRACEBACK_LINES:
        lines = ["[…]", *lines[-TRACEBACK_LINES:]]
    return "\n".join(lines) or None


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
        "message": _message(report, props),
    }
    trace = _traceback(report)
    if trace:
        case["traceback"] = trace
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
        "message": _message(report, {}),
    }


def planned_ids(items: list[pytest.Item]) -> dict[str, list[str]]:
    """The kconform cases among collected items, per backend."""
    out: dict[str, list[str]] = {}
    for item in items:
        name = getattr(item, "backend_name", None)
        if name is not None:
            out.setdefault(name, []).append(item.name)
    return out


_FILTER_OPTIONS = ("-k", "-m", "--kconform-tier", "--deselect")


def filters_text(argv: list[str]) -> str:
    """The selecting options of a pytest command line: ``-k softmax``."""
    out: list[str] = []
    it = iter(argv)
    for arg in it:
        for opt in _FILTER_OPTIONS:
            if arg == opt:
                out.append(f"{opt} {shlex.quote(next(it, ''))}")
            elif arg.startswith(opt + "=") or (
                len(opt) == 2 and arg.startswith(opt) and len(arg) > 2
            ):
                value = arg.split("=", 1)[1] if "=" in arg else arg[2:]
                out.append(f"{opt} {shlex.quote(value)}")
    return " ".join(out)
