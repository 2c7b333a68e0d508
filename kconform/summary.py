"""The end-of-session conformance table (tabulate), one row per backend."""

from __future__ import annotations

from collections import Counter

from tabulate import tabulate

from .contract import op_names
from .deviations import is_pattern, match_deviation
from .suite.state import SessionState

__all__ = ["backend_rows", "render_terminal_summary", "stale_deviations"]

HEADERS = (
    "backend",
    "framework",
    "ops",
    "passed",
    "failed",
    "missing",
    "deviations",
    "unsupported",
    "worst ulp",
)


def backend_rows(state: SessionState) -> list[tuple[object, ...]]:
    """One row per selected backend: versions, coverage, outcomes, worst ULP error."""
    rows = []
    contract_size = len(op_names())
    for name in state.selected:
        if name in state.load_errors:
            rows.append(
                (
                    name,
                    "load error",
                    f"0/{contract_size}",
                    0,
                    1,
                    contract_size,
                    0,
                    0,
                    "-",
                )
            )
            continue
        backend = state.backends[name]
        mine = [
            o for o in state.outcomes if o.backend == name and o.kind != "lifecycle"
        ]
        counts = Counter(o.outcome for o in mine)
        missing_ops = contract_size - len(backend.implemented)
        worst = max(
            (o for o in mine if o.worst_ulp is not None and o.outcome == "passed"),
            key=lambda o: o.worst_ulp or 0.0,
            default=None,
        )
        worst_txt = f"{worst.worst_ulp:.3g} ({worst.case_id})" if worst else "-"
        info = backend.info
        rows.append(
            (
                name,
                f"{info.get('framework')} {info.get('framework_version')}",
                f"{len(backend.implemented)}/{contract_size}",
                counts["passed"],
                counts["failed"],
                missing_ops,
                counts["deviation"],
                counts["unsupported"],
                worst_txt,
            )
        )
    return rows


def stale_deviations(state: SessionState) -> list[str]:
    """Declared deviations that no longer describe a failure.

    An id matching no collected case of its backend; a pattern whose matched
    cases all ran and passed. (An exact id that passes already failed its case.)
    """
    stale = []
    case_ids: dict[str, list[str]] = state.extra.get("case_ids", {})
    for name, backend in state.backends.items():
        ids = case_ids.get(name, [])
        for dev in backend.deviations:
            if ids and not any(match_deviation(cid, [dev]) for cid in ids):
                stale.append(
                    f"{name}: declared deviation {dev['id']!r} matches no case"
                )
                continue
            ran = [
                o
                for o in state.outcomes
                if o.backend == name and o.deviation == dev["id"]
            ]
            if (
                is_pattern(dev["id"])
                and ran
                and all(o.outcome == "passed" for o in ran)
            ):
                stale.append(
                    f"{name}: declared deviation {dev['id']!r} matched "
                    f"{len(ran)} cases and none failed; remove or narrow it"
                )
    return stale


_CELL = {
    "passed": "pass",
    "failed": "FAIL",
    "blocked": "blocked",
    "deviation": "deviation",
    "unsupported": "unsupported",
    "skipped": "skip",
}


def lifecycle_rows(state: SessionState) -> tuple[list[str], list[list[str]]]:
    """The stage x backend matrix of lifecycle outcomes: headers and rows."""
    stages: dict[str, dict[str, str]] = {}
    for o in state.outcomes:
        if o.kind == "lifecycle":
            stage = o.case_id.rsplit("[", 1)[0]
            stages.setdefault(stage, {})[o.backend] = _CELL.get(o.outcome, o.outcome)
    backends = [b for b in state.selected if any(b in row for row in stages.values())]
    rows = [
        [stage, *(row.get(b, "-") for b in backends)] for stage, row in stages.items()
    ]
    return ["stage", *backends], rows


def render_terminal_summary(state: SessionState) -> list[str]:
    """The lines printed at the end of a pytest session."""
    from .contract import CONTRACT_VERSION

    lines = [
        "",
        f"kconform conformance (contract {CONTRACT_VERSION}, "
        f"exploration profile {state.profile})",
    ]
    lines += tabulate(
        backend_rows(state), headers=HEADERS, tablefmt="simple"
    ).splitlines()
    headers, rows = lifecycle_rows(state)
    if rows:
        lines += ["", "kconform lifecycle (stage x backend)"]
        lines += tabulate(rows, headers=headers, tablefmt="simple").splitlines()
    for name, err in state.load_errors.items():
        lines.append(f"{name}: {err}")
    for line in stale_deviations(state):
        lines.append(f"warning: {line}")
    return lines
