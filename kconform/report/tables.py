"""The report's tables as plain data, shared by the terminal, Markdown and HTML.

Each builder reads the enriched ``results.json`` document (its ``overview``,
``parity`` and ``golden`` sections) and returns a :class:`Table`: headers and
rows of :class:`Cell` (text, and a status the HTML colours).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .overview import fmt_num
from .timing import KIND_ORDER

__all__ = [
    "Cell",
    "Table",
    "clean_scenarios",
    "incomplete_lines",
    "largest_table",
    "lifecycle_parity_table",
    "lifecycle_table",
    "op_parity_table",
    "op_table",
    "outlier_lines",
    "overview_table",
    "pairs_brief_table",
    "pairs_table",
    "short_label",
    "timing_table",
    "trajectory_final_table",
    "trajectory_table",
]


@dataclass(frozen=True)
class Cell:
    text: str
    status: str = ""  # pass | fail | dev | missing | crashed | skip | none | golden
    code: bool = False  # an identifier (a case id): monospace in Markdown/HTML

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)

    def texts(self, none: str = "—") -> list[list[str]]:
        return [[c.text if c.text != "—" else none for c in row] for row in self.rows]


def _c(value: Any, status: str = "", code: bool = False) -> Cell:
    return Cell(str(value), status, code)


def short_label(doc: dict[str, Any], name: str) -> str:
    """A column header: ``torch`` or ``torch (golden)``."""
    entry = doc["overview"]["backends"].get(name, {})
    return f"{name} (golden)" if entry.get("source") == "golden" else name


def _pair_label(doc: dict[str, Any], pair: dict[str, Any]) -> str:
    return f"{short_label(doc, pair['a'])} vs {short_label(doc, pair['b'])}"


def _worst(entry: dict[str, Any] | None) -> tuple[str, str]:
    if not entry:
        return "—", "—"
    return fmt_num(entry["value"]), entry["case"]


_LEVEL_STATUS = {
    "conformant": "pass",
    "conformant with deviations": "dev",
    "partial": "fail",
    "incomplete": "crashed",
    "load error": "fail",
}


def overview_table(doc: dict[str, Any], *, full: bool) -> Table:
    """One row per column: the level beside the name, then coverage and counts.

    Count columns that are zero on every row are left out. ``full`` adds the
    kconform and contract versions, missing required ops and the status.
    """
    ov = doc["overview"]
    rows: list[dict[str, Cell]] = []
    for name in ov["columns"]:
        b = ov["backends"][name]
        golden = b["source"] == "golden"
        counts = b["counts"]
        fw = " ".join(str(x) for x in (b["framework"], b["framework_version"]) if x)
        if b["load_error"]:
            fw = "load error"
        not_run = sum(counts.get(o, 0) for o in ("crashed", "timeout", "not-run"))
        level = b["level"] + (" (golden)" if golden else "")
        value, case = _worst(b["worst_ulp"])
        row = {
            "backend": _c(short_label(doc, name), "golden" if golden else ""),
            "level": _c(level, _LEVEL_STATUS.get(b["level"], "")),
            "framework": _c(fw or "—"),
            "kconform": _c(b["kconform_version"] or "—"),
            "contract": _c(b["contract_version"] or "—"),
            "ops": _c(f"{b['implemented']}/{b['contract_size']}"),
            "missing required": _c(
                ", ".join(b["missing_required"]) or "—",
                "missing" if b["missing_required"] else "",
            ),
            "passed": _c(counts["passed"]),
            "failed": _c(counts["failed"], "fail" if counts["failed"] else ""),
            "deviations": _c(counts["deviation"], "dev" if counts["deviation"] else ""),
            "missing": _c(counts["missing"], "missing" if counts["missing"] else ""),
            "unsupported": _c(counts["unsupported"]),
            "skipped": _c(counts["skipped"]),
            "blocked": _c(counts["blocked"], "crashed" if counts["blocked"] else ""),
            "not run": _c(not_run, "crashed" if not_run else ""),
            "stale": _c(
                len(b["stale_deviations"]), "dev" if b["stale_deviations"] else ""
            ),
            "outliers": _c(b["outliers"], "fail" if b["outliers"] else ""),
            "worst ulp": _c(f"{value} ({case})" if case != "—" else "—"),
        }
        if full:
            status = b["status"] or "—"
            if b["status_detail"]:
                status += f": {b['status_detail']}"
            row["status"] = _c(status)
        rows.append(row)
    headers = ["backend", "level", "framework"]
    if full:
        headers += ["kconform", "contract"]
    headers += ["ops"]
    if full:
        headers += ["missing required"]
    headers += [
        "passed",
        "failed",
        "deviations",
        "missing",
        "unsupported",
        "skipped",
        "blocked",
        "not run",
        "stale",
        "outliers",
        "worst ulp",
    ]
    if full:
        headers += ["status"]
    # A column that says nothing on any row (all zero, all "—") is left out.
    optional = set(headers[headers.index("failed") :]) | {"missing required"}
    optional.discard("worst ulp")
    headers = [
        h
        for h in headers
        if h not in optional or any(r[h].text not in ("0", "—") for r in rows)
    ]
    if full and all(r["status"].text == "complete" for r in rows):
        headers.remove("status")
    table = Table(headers)
    table.rows = [[r[h] for h in headers] for r in rows]
    return table


def op_table(doc: dict[str, Any], *, only_not_clean: bool) -> Table:
    """The op × backend matrix (cells: worst error, or what kept it from passing)."""
    ov = doc["overview"]
    table = Table(["op", *(short_label(doc, n) for n in ov["columns"])])
    not_clean = set(ov["not_clean_ops"])
    ops = list(ov["ops"])
    if only_not_clean:
        ops = [op for op in ops if op in not_clean]
    else:  # the rows that need attention first
        ops = [op for op in ops if op in not_clean] + [
            op for op in ops if op not in not_clean
        ]
    for op in ops:
        row = ov["ops"][op]
        table.rows.append(
            [
                _c(op, code=True),
                *(
                    _c(
                        row[n]["text"],
                        "fail" if row[n]["outliers"] else row[n]["status"],
                    )
                    for n in ov["columns"]
                ),
            ]
        )
    return table


#: Cell statuses that need no attention.
CLEAN = ("pass", "skip", "none")


def clean_scenarios(doc: dict[str, Any]) -> list[str]:
    """Scenarios whose every stage is clean on every one of the run's backends."""
    ov = doc["overview"]
    life = ov["lifecycle"]
    return [
        name
        for name, keys in life.get("scenarios", {}).items()
        if all(
            life["cells"][k][n]["status"] in CLEAN
            and not life["cells"][k][n]["outliers"]
            for k in keys
            for n in ov["live"]
        )
    ]


def lifecycle_table(doc: dict[str, Any], skip: Iterable[str] = ()) -> Table:
    """The lifecycle stage × backend matrix (without the scenarios in ``skip``)."""
    ov = doc["overview"]
    life = ov["lifecycle"]
    table = Table(["stage", *(short_label(doc, n) for n in ov["columns"])])
    skipped = {k for name in skip for k in life.get("scenarios", {}).get(name, [])}
    stages = [k for k in life["stages"] if k not in skipped]

    def clean(key: str) -> bool:
        return all(
            c["status"] in CLEAN and not c["outliers"]
            for c in life["cells"][key].values()
        )

    # the scenarios that need attention first, each one's stages in order
    by_scenario: dict[str, list[str]] = {}
    for name, keys in life.get("scenarios", {}).items():
        by_scenario[name] = [k for k in keys if k in stages]
    listed = {k for keys in by_scenario.values() for k in keys}
    groups = list(by_scenario.values()) + [[k] for k in stages if k not in listed]
    groups.sort(key=lambda keys: all(clean(k) for k in keys))
    for key in [k for keys in groups for k in keys]:
        row = life["cells"][key]
        table.rows.append(
            [
                _c(key, code=True),
                *(
                    _c(
                        row[n]["text"],
                        "fail" if row[n]["outliers"] else row[n]["status"],
                    )
                    for n in ov["columns"]
                ),
            ]
        )
    return table


def pairs_table(doc: dict[str, Any]) -> Table:
    """One row per pair of backends: cases compared, identical, worst differences."""
    rtol = doc["parity"].get("consensus_rtol", 1e-4)
    table = Table(
        [
            "pair",
            "cases",
            "identical",
            "left out",
            "worst ulp",
            "case",
            "worst rel",
            "case",
            "worst normwise",
            "shape ≠",
            "int/bool ≠",
            "stages",
            "stage worst (normwise)",
        ]
    )
    for pair in doc["parity"]["pairs"]:
        if not pair["cases"] and not pair.get("lifecycle_cases"):
            continue  # nothing in common (a backend that did not load, say)
        ulp, ulp_case = _worst(pair["worst_ulp"])
        rel, rel_case = _worst(pair["worst_rel"])
        table.rows.append(
            [
                _c(_pair_label(doc, pair)),
                _c(pair["cases"]),
                _c(pair["identical"]),
                _c(pair.get("excluded", 0)),
                _c(ulp),
                _c(ulp_case, code=ulp_case != "—"),
                _c(rel),
                _c(rel_case, code=rel_case != "—"),
                _normwise(pair.get("worst_scaled")),
                _c(pair["shape_mismatch"], "fail" if pair["shape_mismatch"] else ""),
                _c(pair["exact_mismatch"], "fail" if pair["exact_mismatch"] else ""),
                _c(pair.get("lifecycle_cases", 0)),
                _stage_worst(pair.get("lifecycle_worst_scaled"), rtol),
            ]
        )
    return table


def pairs_brief_table(doc: dict[str, Any]) -> Table:
    """The pairs table for a terminal: identical of compared, worst ULP and
    normwise difference, worst lifecycle stage (cases named in summary.md)."""
    rtol = doc["parity"].get("consensus_rtol", 1e-4)
    table = Table(["pair", "identical", "worst ulp", "normwise", "stages"])
    for pair in doc["parity"]["pairs"]:
        if not pair["cases"] and not pair.get("lifecycle_cases"):
            continue
        ulp, _ = _worst(pair["worst_ulp"])
        scaled = pair.get("worst_scaled")
        stage = _stage_worst(pair.get("lifecycle_worst_scaled"), rtol)
        table.rows.append(
            [
                _c(_pair_label(doc, pair)),
                _c(f"{pair['identical']}/{pair['cases']}"),
                _c(ulp),
                _c(fmt_num(scaled["value"]) if scaled else "—"),
                _c(stage.text.split(" (")[0], stage.status),
            ]
        )
    return table


def _normwise(entry: dict[str, Any] | None) -> Cell:
    if not entry:
        return _c("—", "none")
    value = float(entry["value"])
    return _c("identical" if value == 0 else f"{fmt_num(value)} ({entry['case']})")


def _stage_worst(entry: dict[str, Any] | None, rtol: float) -> Cell:
    if not entry:
        return _c("—", "none")
    value = float(entry["value"])
    text = "identical" if value == 0 else f"{fmt_num(value)} ({entry['case']})"
    return _c(text, "" if value <= rtol else "dev")


def _parity_cell(entry: dict[str, Any] | None) -> Cell:
    if entry is None:
        return _c("—", "none")
    if entry["shape_mismatch"]:
        return _c(f"shape ≠ {entry['shape_mismatch']}", "fail")
    parts = []
    if entry["worst_ulp"] is not None:
        value = entry["worst_ulp"]["value"]
        parts.append(
            "identical" if entry["differing"] == 0 else f"{fmt_num(value)} ulp"
        )
    elif entry["differing"] == 0:
        parts.append("identical")
    if entry["exact_mismatch"]:
        parts.append(f"int/bool ≠ {entry['exact_mismatch']}")
    if not parts:
        rel = (entry["worst_rel"] or {}).get("value")
        parts.append(f"rel {fmt_num(rel)}")
    status = "pass" if entry["differing"] == 0 else ""
    return _c(", ".join(parts), "fail" if entry["exact_mismatch"] else status)


def op_parity_table(doc: dict[str, Any]) -> Table:
    """Per op, per pair: the worst ULP distance between the two backends."""
    pairs = doc["parity"]["pairs"]
    table = Table(["op", *(_pair_label(doc, p) for p in pairs)])
    for op, per_pair in doc["parity"]["ops"].items():
        table.rows.append(
            [_c(op, code=True), *(_parity_cell(per_pair.get(p["id"])) for p in pairs)]
        )
    return table


def largest_table(doc: dict[str, Any], pair: dict[str, Any]) -> Table:
    """The cases that differ most between one pair of backends."""
    table = Table(["case", "ulp", "rel", "abs", "int/bool ≠", "shape ≠"])
    for entry in pair["largest"]:
        table.rows.append(
            [
                _c(entry["case"], code=True),
                _c(fmt_num(entry["ulp"])),
                _c(fmt_num(entry["rel"])),
                _c(fmt_num(entry["abs"])),
                _c(entry["exact_mismatch"]),
                _c(entry["shape_mismatch"]),
            ]
        )
    return table


def lifecycle_parity_table(doc: dict[str, Any], scenario: str) -> Table:
    """One scenario: per pair and kind of array, max abs / max rel (normwise)."""
    per_pair = doc["parity"]["lifecycle"][scenario]
    cats: list[str] = []
    for entry in per_pair.values():
        cats += [c for c in entry if c not in cats]
    table = Table(["pair", *cats])
    labels = {p["id"]: _pair_label(doc, p) for p in doc["parity"]["pairs"]}
    rtol = doc["parity"].get("consensus_rtol", 1e-4)
    for pid, entry in per_pair.items():
        row = [_c(labels.get(pid, pid))]
        for cat in cats:
            e = entry.get(cat)
            if e is None:
                row.append(_c("—", "none"))
            elif e["shape_mismatch"]:
                row.append(_c(f"shape ≠ {e['shape_mismatch']}", "fail"))
            elif e["identical"] == e["arrays"]:
                row.append(_c("identical", "pass"))
            else:
                scaled = float(e["scaled"])
                row.append(
                    _c(
                        f"{fmt_num(e['max_abs'])} / {fmt_num(e['max_rel'])} "
                        f"({fmt_num(e['scaled'])})",
                        "" if scaled <= rtol else "dev",
                    )
                )
        table.rows.append(row)
    return table


def _loss(value: Any) -> str:
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return str(value)


def trajectory_final_table(doc: dict[str, Any]) -> Table:
    """Per scenario: epochs, and each backend's final epoch loss."""
    ov = doc["overview"]
    traj = doc["parity"]["trajectories"]
    names = [n for n in ov["columns"] if any(n in t["backends"] for t in traj.values())]
    table = Table(["scenario", "epochs", *(short_label(doc, n) for n in names)])
    for scenario, t in traj.items():
        epochs = max((len(v) for v in t["backends"].values()), default=0)
        row = [_c(scenario, code=True), _c(epochs)]
        for n in names:
            losses = t["backends"].get(n)
            row.append(_c(_loss(losses[-1]) if losses else "—"))
        table.rows.append(row)
    return table


def trajectory_table(doc: dict[str, Any]) -> Table:
    """Per scenario and backend: the loss at every epoch."""
    traj = doc["parity"]["trajectories"]
    epochs = max(
        (len(v) for t in traj.values() for v in t["backends"].values()), default=0
    )
    table = Table(["scenario", "backend", *(f"epoch {i + 1}" for i in range(epochs))])
    for scenario, t in traj.items():
        for name in doc["overview"]["columns"]:
            losses = t["backends"].get(name)
            if losses is None:
                continue
            cells = [_c(_loss(v)) for v in losses]
            cells += [_c("—", "none")] * (epochs - len(losses))
            table.rows.append(
                [_c(scenario, code=True), _c(short_label(doc, name)), *cells]
            )
    return table


def outlier_lines(doc: dict[str, Any], limit: int | None = None) -> list[str]:
    """``torch: 2 cases: exp[float32] (failed), ...`` per backend with outliers."""
    lines = []
    for name, entries in doc["parity"]["outliers"].items():
        shown = entries if limit is None else entries[:limit]
        items = ", ".join(f"{e['case']} ({e['reason']})" for e in shown)
        more = (
            f", and {len(entries) - len(shown)} more"
            if len(shown) < len(entries)
            else ""
        )
        n = len(entries)
        lines.append(
            f"{short_label(doc, name)}: {n} case{'s' if n != 1 else ''}: {items}{more}"
        )
    return lines


def incomplete_lines(doc: dict[str, Any]) -> list[str]:
    """Why the run is incomplete, one line per backend (empty if complete)."""
    if doc.get("complete"):
        return []
    lines = []
    for name in doc["overview"]["live"]:
        b = doc["overview"]["backends"][name]
        if b["status"] != "complete" and not b["load_error"]:
            detail = f": {b['status_detail']}" if b["status_detail"] else ""
            lines.append(f"{name}: {b['status']}{detail}")
    if not lines:
        lines.append("the run has not finished (or was cut short before it could say)")
    return lines


def _seconds(value: float) -> str:
    return f"{value:.1f}" if value >= 0.95 else f"{value:.2f}"


def timing_table(doc: dict[str, Any], *, full: bool) -> Table:
    """Seconds per backend (in its cases), the ratio to the reference backend on
    the cases both ran, and (``full``) per kind of check; then the slowest case."""
    section = doc.get("timing") or {}
    backends = section.get("backends", {})
    reference = section.get("reference")
    kinds = [k for k in KIND_ORDER if any(k in b["kinds"] for b in backends.values())]
    headers = ["backend", "cases", "seconds", f"× {reference}"]
    if full:
        headers += [f"{k} s" for k in kinds]
    else:
        headers.append("most in")
    headers.append("slowest case")
    table = Table(headers)
    for name, b in backends.items():
        ratio = b["ratio"]
        row = [
            _c(name),
            _c(b["cases"]),
            _c(_seconds(b["seconds"])),
            _c("1" if name == reference else "—" if ratio is None else f"{ratio:.2g}"),
        ]
        if full:
            row += [
                _c(_seconds(b["kinds"][k]) if k in b["kinds"] else "—") for k in kinds
            ]
        else:
            top = max(b["kinds"], key=b["kinds"].get)
            row.append(_c(f"{top} {_seconds(b['kinds'][top])} s"))
        slow = b["slowest"][0] if b["slowest"] else None
        row.append(_c(f"{slow['case']} {_seconds(slow['seconds'])} s" if slow else "—"))
        table.rows.append(row)
    return table
