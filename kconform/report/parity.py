"""Cross-backend parity, from the stored arrays only.

Everything here reads the case records and ``arrays/<backend>.npz`` of the
columns (:mod:`kconform.report.columns`), never a live backend, so a run of
several backends in one session and a merge of runs made apart give the same
numbers by construction.

**Pairs.** For every pair of columns and every case key both recorded with
arrays, the common arrays are compared (:func:`kconform.report.compare.compare_arrays`):
max absolute, max relative and max ULP distance, and mismatching elements of
integer and bool arrays; arrays of different shapes are reported as a shape
mismatch. Per pair and per op of each pair: cases compared, identical cases,
the worst ULP, relative and normwise difference with their cases (normwise,
``max|a - b| / max(max|a|, max|b|)`` per case, is not dominated by values near
zero the way the elementwise ULP and relative differences are). These
aggregates cover the op cases that passed on both columns (the others are
counted as ``excluded``: failures and declared deviations are in the op
matrix, and one flushed subnormal would otherwise be every pair's worst);
lifecycle stages have their own section.

**Consensus.** A case key recorded on three or more columns has an
*outlier* when exactly one column disagrees with all the others:

- op cases (judged against the oracle): every other column *passed* and
  this one *failed* or is a declared *deviation*;
- lifecycle stages (no oracle): the same rule on the stage outcomes, and a
  numeric consensus: every pair not involving X agrees within
  :data:`CONSENSUS_RTOL` and every pair involving X does not. Agreement is
  normwise, ``max|a - b| / max(max|a|, max|b|)`` over each recorded array
  of the stage (losses, metrics, predictions, weights, gradients): an
  elementwise relative difference is dominated by values near zero (a logit
  of 1e-5 that two correct backends round differently), a normwise one is not.

**Lifecycle parity.** Per scenario and pair, per kind of recorded array
(:data:`LIFECYCLE_CATEGORIES`: per-epoch and per-step losses, gradients at
step 0, weights, metrics, predictions): max absolute, max relative and
normwise differences. **Trajectories**: per scenario and column, the
per-epoch losses of its fit stage.

When golden columns are present, only the case keys recorded by at least
one of the run's own backends are compared (the report is about this run).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..records.schema import json_float
from .columns import Column
from .compare import ArrayDiff, compare_arrays

__all__ = [
    "CONSENSUS_RTOL",
    "LIFECYCLE_CATEGORIES",
    "CaseDiff",
    "compute_parity",
    "pair_id",
]

#: Normwise relative difference within which lifecycle numbers agree.
CONSENSUS_RTOL = 1e-4
#: The kinds of lifecycle arrays, by the first part of their name, in report order.
LIFECYCLE_CATEGORIES = (
    "initial_weights",
    "step0_loss",
    "step0_gradients",
    "step_losses",
    "epoch_losses",
    "history",
    "final_weights",
    "evaluate",
    "predictions",
)
#: Outcomes of a case that judged it (against the oracle, or the stage's checks).
JUDGED = ("passed", "failed", "deviation")


def pair_id(a: Column, b: Column) -> str:
    return f"{a.name} vs {b.name}"


@dataclass
class CaseDiff:
    """One case key compared on two columns: its common arrays."""

    key: str
    op: str
    kind: str
    arrays: dict[str, ArrayDiff] = field(default_factory=dict)

    def _max(self, attr: str) -> float | None:
        values = [
            getattr(d, attr)
            for d in self.arrays.values()
            if not d.shape_mismatch and getattr(d, attr) is not None
        ]
        return max(values) if values else None

    @property
    def ulp(self) -> float | None:
        return self._max("ulp")

    @property
    def rel(self) -> float:
        return self._max("max_rel") or 0.0

    @property
    def abs(self) -> float:
        return self._max("max_abs") or 0.0

    @property
    def scaled(self) -> float:
        if self.shape_mismatches:
            return math.inf
        return self._max("scaled") or 0.0

    @property
    def shape_mismatches(self) -> int:
        return sum(d.shape_mismatch for d in self.arrays.values())

    @property
    def exact_mismatches(self) -> int:
        """Differing elements of integer and bool arrays."""
        return sum(d.mismatches for d in self.arrays.values() if d.exact)

    @property
    def identical(self) -> bool:
        return all(d.equal for d in self.arrays.values())


def _case_diff(a: Column, b: Column, key: str) -> CaseDiff | None:
    ca, cb = a.by_key.get(key), b.by_key.get(key)
    if ca is None or cb is None:
        return None
    theirs = set(cb.get("arrays", []))
    diff = CaseDiff(key, ca.get("op", ""), ca.get("kind", ""))
    dtype = ca.get("dtype") or cb.get("dtype")
    for name in ca.get("arrays", []):
        if name not in theirs:
            continue
        x, y = a.array(key, name), b.array(key, name)
        if x is None or y is None:
            continue
        diff.arrays[name] = compare_arrays(x, y, dtype)
    return diff if diff.arrays else None


def _f(value: float | None) -> float | str | None:
    return None if value is None else json_float(value)


def _worst(value: float | None, key: str) -> dict[str, Any] | None:
    return None if value is None else {"value": _f(value), "case": key}


class _Aggregate:
    """Cases compared, identical, worst ULP/rel/abs/normwise with their cases."""

    def __init__(self) -> None:
        self.cases = self.identical = self.shape = self.exact = 0
        self.ulp: tuple[float, str] | None = None
        self.rel: tuple[float, str] | None = None
        self.abs: tuple[float, str] | None = None
        self.scaled: tuple[float, str] | None = None

    @staticmethod
    def _bump(
        cur: tuple[float, str] | None, value: float | None, key: str
    ) -> tuple[float, str] | None:
        if value is None:
            return cur
        if cur is None or value > cur[0]:
            return (value, key)
        return cur

    def add(self, diff: CaseDiff) -> None:
        self.cases += 1
        self.identical += diff.identical
        self.shape += diff.shape_mismatches > 0
        self.exact += diff.exact_mismatches > 0
        self.ulp = self._bump(self.ulp, diff.ulp, diff.key)
        self.rel = self._bump(self.rel, diff.rel, diff.key)
        self.abs = self._bump(self.abs, diff.abs, diff.key)
        self.scaled = self._bump(self.scaled, _nan_big(diff.scaled), diff.key)

    def to_json(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "identical": self.identical,
            "differing": self.cases - self.identical,
            "shape_mismatch": self.shape,
            "exact_mismatch": self.exact,
            "worst_ulp": _worst(*self.ulp) if self.ulp else None,
            "worst_rel": _worst(*self.rel) if self.rel else None,
            "worst_abs": _worst(*self.abs) if self.abs else None,
            "worst_scaled": _worst(*self.scaled) if self.scaled else None,
        }


def _keys(live: list[Column], golden: list[Column]) -> list[str]:
    """The case keys the report compares, sorted."""
    source = live or golden
    keys: set[str] = set()
    for col in source:
        keys.update(col.by_key)
    return sorted(keys)


def _largest(diffs: Iterable[CaseDiff], n: int = 10) -> list[dict[str, Any]]:
    """The ``n`` op cases of a pair that differ most (ULP, then relative)."""
    differing = [d for d in diffs if not d.identical]

    def rank(d: CaseDiff) -> tuple[float, float, str]:
        ulp = d.ulp if d.ulp is not None else -1.0
        return (-_nan_big(ulp), -_nan_big(d.rel), d.key)

    return [
        {
            "case": d.key,
            "op": d.op,
            "ulp": _f(d.ulp),
            "rel": _f(d.rel),
            "abs": _f(d.abs),
            "exact_mismatch": d.exact_mismatches,
            "shape_mismatch": d.shape_mismatches,
        }
        for d in sorted(differing, key=rank)[:n]
    ]


def _lifecycle_summary(diffs: Iterable[CaseDiff]) -> dict[str, Any]:
    """Lifecycle stages compared, and the worst normwise difference of a stage."""
    stages = [d for d in diffs if d.kind == "lifecycle"]
    worst: tuple[float, str] | None = None
    for d in sorted(stages, key=lambda d: d.key):
        s = _nan_big(d.scaled)
        if worst is None or s > worst[0]:
            worst = (s, d.key)
    return {
        "lifecycle_cases": len(stages),
        "lifecycle_identical": sum(d.identical for d in stages),
        "lifecycle_worst_scaled": _worst(*worst) if worst else None,
    }


def _nan_big(x: float) -> float:
    return math.inf if math.isnan(x) else x


def _category(name: str) -> str:
    return name.split("/", 1)[0]


def _lifecycle(
    pairs: list[tuple[Column, Column]], diffs: dict[str, dict[str, CaseDiff]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per scenario, per pair, per category: max abs, max rel, normwise."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for a, b in pairs:
        pid = pair_id(a, b)
        for key in sorted(diffs[pid]):
            diff = diffs[pid][key]
            if diff.kind != "lifecycle":
                continue
            per_cat = out.setdefault(diff.op, {}).setdefault(pid, {})
            for name, d in diff.arrays.items():
                cat = per_cat.setdefault(
                    _category(name),
                    {
                        "arrays": 0,
                        "identical": 0,
                        "shape_mismatch": 0,
                        "max_abs": 0.0,
                        "max_rel": 0.0,
                        "scaled": 0.0,
                    },
                )
                cat["arrays"] += 1
                cat["identical"] += d.equal
                if d.shape_mismatch:
                    cat["shape_mismatch"] += 1
                    continue
                for attr in ("max_abs", "max_rel", "scaled"):
                    cat[attr] = _nanmax(cat[attr], getattr(d, attr))
    order = {c: i for i, c in enumerate(LIFECYCLE_CATEGORIES)}
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for scenario in sorted(out):
        result[scenario] = {}
        for pid, cats in out[scenario].items():
            ordered = sorted(cats, key=lambda c: (order.get(c, len(order)), c))
            result[scenario][pid] = {
                c: {
                    k: (_f(v) if isinstance(v, float) else v)
                    for k, v in cats[c].items()
                }
                for c in ordered
            }
    return result


def _nanmax(a: float, b: float) -> float:
    if math.isnan(a) or math.isnan(b):
        return math.nan
    return max(a, b)


def _outliers(
    columns: list[Column],
    keys: list[str],
    diffs: dict[str, dict[str, CaseDiff]],
) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for key in keys:
        cases = {c.name: c.by_key[key] for c in columns if key in c.by_key}
        judged = {n: c for n, c in cases.items() if c.get("outcome") in JUDGED}
        if len(judged) >= 3:
            bad = [n for n, c in judged.items() if c["outcome"] != "passed"]
            if len(bad) == 1:
                name = bad[0]
                case = judged[name]
                others = sorted(n for n in judged if n != name)
                found.setdefault(name, {})[key] = {
                    "case": key,
                    "op": case.get("op"),
                    "kind": case.get("kind"),
                    "reason": case["outcome"],
                    "detail": f"{case['outcome']} here; passed on {', '.join(others)}",
                }
        kinds = {c.get("kind") for c in cases.values()}
        if kinds == {"lifecycle"}:
            numeric = _numeric_outlier(columns, key, diffs)
            if numeric is not None:
                name, detail = numeric
                case = cases[name]
                found.setdefault(name, {}).setdefault(
                    key,
                    {
                        "case": key,
                        "op": case.get("op"),
                        "kind": "lifecycle",
                        "reason": "numbers",
                        "detail": detail,
                    },
                )
    return {
        name: [found[name][k] for k in sorted(found[name])] for name in sorted(found)
    }


def _numeric_outlier(
    columns: list[Column], key: str, diffs: dict[str, dict[str, CaseDiff]]
) -> tuple[str, str] | None:
    """The one column whose lifecycle numbers differ from every other's."""
    scaled: dict[frozenset[str], float] = {}
    for a, b in itertools.combinations(columns, 2):
        diff = diffs.get(pair_id(a, b), {}).get(key)
        if diff is not None:
            s = diff.scaled
            scaled[frozenset((a.name, b.name))] = math.inf if math.isnan(s) else s
    names = sorted({n for pair in scaled for n in pair})
    if len(names) < 3:
        return None
    for x in names:
        mine = [v for p, v in scaled.items() if x in p]
        rest = [v for p, v in scaled.items() if x not in p]
        if len(mine) != len(names) - 1 or not rest:
            continue  # X was not compared with every other column
        if all(v <= CONSENSUS_RTOL for v in rest) and all(
            v > CONSENSUS_RTOL for v in mine
        ):
            others = ", ".join(n for n in names if n != x)
            return x, (
                f"differs from {others} by at least {min(mine):.3g} (normwise), "
                f"while they agree within {max(rest):.3g}; tolerance "
                f"{CONSENSUS_RTOL:g}"
            )
    return None


def _trajectories(columns: list[Column], keys: list[str]) -> dict[str, dict[str, Any]]:
    """Per scenario: the fit stage's per-epoch losses on each column."""
    stage_of: dict[str, str] = {}
    wanted = set(keys)
    for col in columns:
        for key, case in col.by_key.items():
            if key not in wanted:
                continue
            if case.get("kind") == "lifecycle" and "epoch_losses" in case.get(
                "arrays", []
            ):
                stage_of.setdefault(case.get("op", key), key)
    out: dict[str, dict[str, Any]] = {}
    for scenario in sorted(stage_of):
        key = stage_of[scenario]
        losses: dict[str, list[float | str]] = {}
        for col in columns:
            case = col.by_key.get(key)
            if case is None or "epoch_losses" not in case.get("arrays", []):
                continue
            arr = col.array(key, "epoch_losses")
            if arr is not None:
                losses[col.name] = [json_float(v) for v in arr.ravel().tolist()]
        stage = next(
            (c.by_key[key].get("stage") for c in columns if key in c.by_key), None
        )
        out[scenario] = {"case": key, "stage": stage, "backends": losses}
    return out


def _passed(column: Column, key: str) -> bool:
    case = column.by_key.get(key)
    return case is not None and case.get("outcome") == "passed"


def compute_parity(live: list[Column], golden: list[Column]) -> dict[str, Any]:
    """The ``parity`` section of ``results.json`` (see the module docstring)."""
    columns = live + golden
    keys = _keys(live, golden)
    pairs = list(itertools.combinations(columns, 2))
    diffs: dict[str, dict[str, CaseDiff]] = {}
    for a, b in pairs:
        found = {}
        for key in keys:
            diff = _case_diff(a, b, key)
            if diff is not None:
                found[key] = diff
        diffs[pair_id(a, b)] = found

    pair_rows = []
    ops: dict[str, dict[str, dict[str, Any]]] = {}
    for a, b in pairs:
        pid = pair_id(a, b)
        total = _Aggregate()
        per_op: dict[str, _Aggregate] = {}
        # Cases that failed or are declared deviations on either side are in the
        # op matrix already; left in, a flushed subnormal would be every pair's
        # worst (an infinite ULP distance) and hide how close conforming outputs are.
        op_diffs, excluded = [], 0
        for diff in diffs[pid].values():
            if diff.kind == "lifecycle":
                continue
            if _passed(a, diff.key) and _passed(b, diff.key):
                op_diffs.append(diff)
            else:
                excluded += 1
        for diff in op_diffs:
            total.add(diff)
            per_op.setdefault(diff.op, _Aggregate()).add(diff)
        pair_rows.append(
            {
                "id": pid,
                "a": a.name,
                "b": b.name,
                "label": f"{a.label} vs {b.label}",
                "sources": [a.source, b.source],
                **total.to_json(),
                "excluded": excluded,
                **_lifecycle_summary(diffs[pid].values()),
                "largest": _largest(op_diffs),
            }
        )
        for op, agg in per_op.items():
            ops.setdefault(op, {})[pid] = agg.to_json()
    return {
        "columns": [c.name for c in columns],
        "consensus_rtol": CONSENSUS_RTOL,
        "pairs": pair_rows,
        "ops": {op: ops[op] for op in sorted(ops)},
        "outliers": _outliers(columns, keys, diffs),
        "lifecycle": _lifecycle(pairs, diffs),
        "trajectories": _trajectories(columns, keys),
    }
