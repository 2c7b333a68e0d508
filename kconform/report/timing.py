"""Where each backend spends its time: the ``timing`` section of ``results.json``.

Every case record carries its duration (the case's call: the op, the oracle,
the comparison). Per live backend this section sums them by kind of check,
names the slowest cases, and gives the ratio to a reference backend (numpy
when it ran, else the first backend) over the cases both ran, so that a
filtered or unfinished run still compares like with like. Timings inform;
they never decide conformance.
"""

from __future__ import annotations

from typing import Any

__all__ = ["KIND_ORDER", "timing"]

#: Check kinds in the order the tables show them (lifecycle stages are "stage").
KIND_ORDER = (
    "values",
    "property",
    "grad",
    "explore",
    "range",
    "special",
    "subnormal",
    "errors",
    "promotion",
    "stage",
)
_SLOWEST = 5


def _durations(record: dict[str, Any]) -> dict[str, tuple[str, float]]:
    """Case key -> (kind, seconds) for the cases that ran."""
    out = {}
    for case in record.get("cases", {}).values():
        duration = case.get("duration")
        if case.get("outcome") in ("not-run", "skipped") or not duration:
            continue
        kind = "stage" if case.get("stage") else str(case.get("kind") or "values")
        out[case.get("key") or case["id"]] = (kind, float(duration))
    return out


def timing(doc: dict[str, Any], live: list[str]) -> dict[str, Any]:
    """The ``timing`` section for the backends ``live`` of the run ``doc``."""
    records = doc.get("backends", {})
    per = {name: _durations(records.get(name, {})) for name in live}
    ran = [name for name in live if per[name]]
    reference = "numpy" if "numpy" in ran else (ran[0] if ran else None)
    backends = {}
    for name in ran:
        cases = per[name]
        kinds: dict[str, float] = {}
        for kind, seconds in cases.values():
            kinds[kind] = kinds.get(kind, 0.0) + seconds
        ratio = None
        if reference is not None and name != reference:
            common = cases.keys() & per[reference].keys()
            ref = sum(per[reference][k][1] for k in common)
            if ref > 0:
                ratio = sum(cases[k][1] for k in common) / ref
        slowest = sorted(cases.items(), key=lambda kv: -kv[1][1])[:_SLOWEST]
        backends[name] = {
            "cases": len(cases),
            "seconds": round(sum(s for _, s in cases.values()), 3),
            "ratio": None if ratio is None else round(ratio, 3),
            "kinds": {k: round(kinds[k], 3) for k in KIND_ORDER if k in kinds},
            "slowest": [
                {"case": key, "kind": kind, "seconds": round(seconds, 3)}
                for key, (kind, seconds) in slowest
            ],
        }
    return {"reference": reference, "backends": backends}
