"""``summary.md``: the whole report as GitHub-flavoured Markdown (pipe tables)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tabulate import tabulate

from .overview import LEVELS
from .tables import (
    Cell,
    Table,
    incomplete_lines,
    largest_table,
    lifecycle_parity_table,
    lifecycle_table,
    op_parity_table,
    op_table,
    outlier_lines,
    overview_table,
    pairs_table,
    trajectory_table,
)

__all__ = ["markdown", "md_escape"]

_SPECIAL = "\\`*_[]<>|#"

LEVEL_TEXT = {
    "conformant": "every case passed, no required op missing, no deviation",
    "conformant with deviations": "no failure, but declared deviations were needed",
    "partial": "failed cases, or a required op missing",
    "incomplete": "the backend's session did not finish",
    "load error": "the plugin did not load",
}


def md_escape(text: str) -> str:
    """Text for a Markdown table cell: no line breaks, punctuation escaped."""
    text = " ".join(str(text).split())
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)


def _md_cell(cell: Cell) -> str:
    text = " ".join(cell.text.split())
    if cell.code and "`" not in text and text != "—":
        return "`" + text.replace("|", "\\|") + "`"
    return md_escape(text)


def md_table(table: Table) -> list[str]:
    rows = [[_md_cell(c) for c in row] for row in table.rows]
    headers = [md_escape(h) for h in table.headers]
    return [
        *tabulate(
            rows, headers=headers, tablefmt="github", disable_numparse=True
        ).splitlines(),
        "",
    ]


def markdown(doc: dict[str, Any], directory: Path, warnings: list[str]) -> str:
    """The text of ``summary.md``."""
    ov = doc["overview"]
    parity = doc["parity"]
    out = [
        "# kconform conformance report",
        "",
        f"Run `{doc.get('run')}` · contract {md_escape(doc.get('contract_version'))} · "
        f"kconform {md_escape(doc.get('kconform_version'))} · profile "
        f"{md_escape(doc.get('profile'))} · created {md_escape(doc.get('created'))}"
        f" · updated {md_escape(doc.get('updated'))}",
        "",
    ]
    why = incomplete_lines(doc)
    if why:
        out += [
            "> [!WARNING]",
            "> **Incomplete run**: the report covers only the cases that finished.",
        ]
        out += [f"> - {md_escape(line)}" for line in why]
        out.append("")

    out += ["## Backends", ""]
    out += md_table(overview_table(doc, full=True))
    golden = doc.get("golden") or {}
    if golden.get("backends"):
        out.append(
            "Golden columns (records shipped with kconform, not run here): "
            + "; ".join(md_escape(b["label"]) for b in golden["backends"].values())
        )
        out.append("")
    elif golden.get("note"):
        out += [f"Golden records: {md_escape(golden['note'])}.", ""]
    out += ["Conformance levels:", ""]
    out += [f"- **{level}**: {LEVEL_TEXT[level]}" for level in LEVELS]
    out.append("")

    if ov["ops"]:
        out += [
            "## Ops × backends",
            "",
            "Worst error of the op's passed cases against the float64 oracle "
            "(`ulp`: units in the last place of the case's dtype; `× bound`: "
            "multiple of the a-priori error bound of a sum; `exact`: compared "
            "exactly), or `FAIL n` (failed cases), `dev n` (declared deviations), "
            "`missing` (op not implemented), `unsupported`, `—` (no case). "
            "(outlier): the one backend that disagrees with all the others.",
            "",
        ]
        out += md_table(op_table(doc, only_not_clean=False))
        out += [
            f"{ov['clean_ops']} of {len(ov['ops'])} ops clean on every backend.",
            "",
        ]

    if ov["lifecycle"]["stages"]:
        out += ["## Lifecycle stages × backends", ""]
        out += md_table(lifecycle_table(doc))

    if parity["pairs"]:
        out += [
            "## Parity between backends",
            "",
            "From the stored outputs of each case (op cases; lifecycle below): "
            "cases compared, cases with identical outputs, the largest ULP "
            "distance (in the case's dtype), relative and normwise difference "
            "(against the largest magnitude of the case's output, which tiny "
            "values do not dominate), with their cases. Left out: cases that "
            "failed or are declared "
            "deviations on either backend (they are in the op matrix).",
            "",
        ]
        out += md_table(pairs_table(doc))
        if parity["ops"]:
            out += ["### Parity by op (worst ULP distance between the two)", ""]
            out += md_table(op_parity_table(doc))
        for pair in parity["pairs"]:
            if pair["largest"]:
                out += [f"### Largest differences: {md_escape(pair['label'])}", ""]
                out += md_table(largest_table(doc, pair))

    out += ["## Outliers", ""]
    lines = outlier_lines(doc)
    if lines:
        out += [f"- {md_escape(line)}" for line in lines]
        details = [
            f"- {md_escape(name)} · `{e['case']}`: {md_escape(e['detail'])}"
            for name, entries in parity["outliers"].items()
            for e in entries
        ]
        out += [
            "",
            "<details><summary>Details</summary>",
            "",
            *details,
            "",
            "</details>",
        ]
    else:
        out.append(
            "None: no case where exactly one backend disagrees with at least two "
            "others."
        )
    out.append("")

    if parity["lifecycle"]:
        out += [
            "## Lifecycle parity",
            "",
            "Per scenario, pair and kind of recorded array: max abs / max rel "
            f"(normwise); normwise above {parity['consensus_rtol']:g} is marked.",
            "",
        ]
        for scenario in parity["lifecycle"]:
            out += [f"### {md_escape(scenario)}", ""]
            out += md_table(lifecycle_parity_table(doc, scenario))

    if parity["trajectories"]:
        out += ["## Loss trajectories", "", "Loss at the end of each epoch.", ""]
        out += md_table(trajectory_table(doc))

    notes = []
    for name in ov["live"]:
        b = ov["backends"][name]
        notes += [f"- warning: {md_escape(s)}" for s in b["stale_deviations"]]
        if b["load_error"]:
            notes.append(
                f"- {md_escape(name)}: load error: {md_escape(b['load_error'])}"
            )
    notes += [f"- warning: {md_escape(w)}" for w in warnings]
    if notes:
        out += ["## Warnings", "", *notes, ""]
    out += [
        f"Files: `results.json` (the records and this report's numbers), "
        f"`report.html`, `arrays/` in `{directory}`.",
        "",
    ]
    return "\n".join(out)
