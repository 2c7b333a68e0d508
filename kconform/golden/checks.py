"""What a backend's records must satisfy to become golden records."""

from __future__ import annotations

from typing import Any

from ..records.store import Run

__all__ = ["REFUSED_OUTCOMES", "golden_problems"]

#: Case outcomes that keep a backend's records out of the golden records: a
#: failure that no deviation declares, or a case that did not run to its end.
REFUSED_OUTCOMES = ("failed", "crashed", "timeout", "blocked", "not-run")

#: How many offending cases a refusal names.
_SHOWN = 8


def golden_problems(run: Run, backend: str, builtin: tuple[str, ...]) -> list[str]:
    """Why ``backend``'s records in ``run`` cannot be golden (empty: they can).

    Golden records come from a built-in backend, from a run with the ``ci``
    exploration profile (derandomized: the explored cases are reproducible),
    complete, and with no failure other than a declared deviation.
    """
    where = f"{backend} in {run.directory}"
    if backend not in builtin:
        return [
            f"{where}: not a built-in backend; golden records are made of "
            f"{', '.join(builtin)} only"
        ]
    record: dict[str, Any] = run.backends[backend]
    if record.get("load_error"):
        return [f"{where}: the backend failed to load: {record['load_error']}"]
    problems = []
    if run.doc.get("profile") != "ci":
        problems.append(
            f"{where}: run with the exploration profile {run.doc.get('profile')!r}; "
            "golden records need profile 'ci' (derandomized). Rerun without "
            "--kconform-profile / KCONFORM_PROFILE"
        )
    status = record.get("status")
    if status != "complete":
        detail = record.get("status_detail") or "the session did not finish"
        problems.append(
            f"{where}: status {status!r} ({detail}); golden records need a "
            "complete run. Rerun it to the end"
        )
    cases = record.get("cases", {})
    if not cases:
        problems.append(f"{where}: no case ran")
    bad = [c for c in cases.values() if c.get("outcome") in REFUSED_OUTCOMES]
    if bad:
        shown = "; ".join(
            f"{c['id']} {c['outcome']}"
            + (f": {c['message'][:160]}" if c.get("message") else "")
            for c in bad[:_SHOWN]
        )
        more = f" (and {len(bad) - _SHOWN} more)" if len(bad) > _SHOWN else ""
        problems.append(
            f"{where}: {len(bad)} cases failed or did not finish, and no "
            f"deviation declares them: {shown}{more}. Fix the backend, or declare "
            "the deviation in its deviations file, and rerun"
        )
    named = any(c.get("arrays") for c in cases.values())
    arrays = record.get("arrays")
    if named and not (arrays and (run.directory / arrays).is_file()):
        problems.append(
            f"{where}: the cases name arrays but {arrays or 'no arrays file'} is "
            "missing from the run directory"
        )
    return problems
