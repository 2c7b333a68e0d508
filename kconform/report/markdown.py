"""``summary.md``: the whole report as GitHub-flavoured Markdown (pipe tables)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from tabulate import tabulate

from .findings import next_steps, selection_line, verdict_counts
from .overview import LEVELS
from .tables import (
    Cell,
    Table,
    clean_scenarios,
    incomplete_lines,
    largest_table,
    lifecycle_parity_table,
    lifecycle_table,
    op_parity_table,
    op_table,
    outlier_lines,
    overview_table,
    pairs_table,
    timing_table,
    trajectory_table,
)

__all__ = ["headline", "markdown", "md_escape"]

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


def md_text(text: str) -> str:
    """Prose for Markdown that keeps its `code` spans: only HTML and pipes escaped."""
    text = " ".join(str(text).split())
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


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


_ICON = {
    "conformant": "✅",
    "conformant with deviations": "☑️",
    "partial": "❌",
    "incomplete": "⏸️",
    "load error": "❌",
}
#: Lines of one message shown in Markdown (results.json keeps it whole).
MESSAGE_LINES = 15
#: Failing cases listed per backend in Markdown (the rest: results.json).
CASES_SHOWN = 200


def headline(doc: dict[str, Any]) -> str:
    """``4 backends conformant`` / ``1 of 2 backends not conformant``."""
    ov = doc["overview"]
    live = ov["live"]
    good = [
        n
        for n in live
        if ov["backends"][n]["level"] in ("conformant", "conformant with deviations")
    ]
    if not live:
        return "no backend ran"
    if len(good) == len(live):
        return f"{len(live)} backend{'s' if len(live) > 1 else ''} conformant"
    bad = len(live) - len(good)
    return f"{bad} of {len(live)} backend{'s' if len(live) > 1 else ''} not conformant"


def _code(text: str) -> list[str]:
    """An indented code block (GitHub and every CommonMark renderer agree on it)."""
    lines = text.splitlines() or [""]
    if len(lines) > MESSAGE_LINES:
        lines = [
            *lines[:MESSAGE_LINES],
            f"[… {len(lines) - MESSAGE_LINES} more lines in results.json]",
        ]
    return [*(f"    {ln}" for ln in lines), ""]


def _links(repro: list[str]) -> str:
    names = {".py": "repro", ".npz": "inputs"}
    parts = [
        f"[{names.get(Path(r).suffix, Path(r).suffix)}]({quote(r)})" for r in repro
    ]
    return " · ".join(parts)


def _details(summary: str, body: list[str]) -> list[str]:
    return ["<details>", f"<summary>{summary}</summary>", "", *body, "</details>", ""]


def _failures(doc: dict[str, Any]) -> list[str]:
    found = doc["findings"]["backends"]
    total = sum(f["failed"] for f in found.values())
    out = [f"## Failures ({total})", ""]
    if not total:
        out += [
            "None: no case failed, crashed or timed out"
            + (
                "."
                if not any(f["blocked"] or f["not_run"] for f in found.values())
                else " (but some were blocked or not run: below)."
            ),
            "",
        ]
    for name, f in found.items():
        if not (f["failed"] or f["blocked"] or f["not_run"]):
            continue
        out += [f"### {md_escape(name)}: {f['failed']} failing", ""]
        if f["causes"]:
            out += ["> [!IMPORTANT]", "> **Probable common causes**"]
            out += [f"> - {md_text(c['text'])}" for c in f["causes"]]
            out.append("")
        shown = 0
        for group in f["groups"]:
            n = len(group["cases"])
            out += [f"#### `{group['op']}` ({n} case{'s' if n != 1 else ''})", ""]
            for case in group["cases"]:
                if shown >= CASES_SHOWN:
                    break
                shown += 1
                links = _links(case["repro"])
                out += [
                    f"**`{case['id']}`** {case['outcome']}"
                    + (f" — {links}" if links else ""),
                    "",
                    *_code(case["text"]),
                ]
        if shown < f["failed"]:
            out += [
                f"{f['failed'] - shown} more failing cases: `results.json` "
                "(`findings`) has every one.",
                "",
            ]
        if f["blocked"]:
            out += ["Blocked (could not run because of):", ""]
            for b in f["blocked"]:
                ids = ", ".join(f"`{i}`" for i in b["cases"][:6])
                n = len(b["cases"])
                more = f" and {n - 6} more" if n > 6 else ""
                out.append(f"- {md_escape(b['reason'])}: {n} case(s): {ids}{more}")
            out.append("")
        if f["not_run"]:
            out += [f"{f['not_run']} case(s) did not run (see the status above).", ""]
    return out


def _missing(doc: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for name, f in doc["findings"]["backends"].items():
        if not f["missing"]:
            continue
        req = set(f["missing_required"])
        items = ", ".join(
            f"`{op}`" + (" (required)" if op in req else "") for op in f["missing"]
        )
        out += _details(
            f"<b>{md_escape(name)}: {len(f['missing'])} ops not implemented</b>"
            f" ({len(req)} required)",
            [items, ""],
        )
    return out


def _deviations(doc: dict[str, Any]) -> list[str]:
    rows = []
    for name, f in doc["findings"]["backends"].items():
        for d in f["deviations"]:
            link = f"[link]({d['link']})" if d.get("link") else "—"
            rows.append(
                f"| {md_escape(name)} | `{d['id']}` | {md_escape(d['reason'])} | "
                f"{len(d['cases'])} | {link} |"
            )
    if not rows:
        return []
    matched = sum(
        len(d["cases"])
        for f in doc["findings"]["backends"].values()
        for d in f["deviations"]
    )
    body = [
        "| backend | declared id | reason | cases | link |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]
    return _details(
        f"<b>Declared deviations</b>: {len(rows)} entries, {matched} cases", body
    )


def markdown(doc: dict[str, Any], directory: Path, warnings: list[str]) -> str:
    """The text of ``summary.md``: verdicts, failures, then the detail collapsed."""
    ov = doc["overview"]
    parity = doc["parity"]
    out = [f"# kconform: {headline(doc)}", ""]
    for name in ov["live"]:
        b = ov["backends"][name]
        out.append(
            f"- {_ICON.get(b['level'], '')} **{md_escape(name)}**: {b['level']} — "
            f"{verdict_counts(b)}"
        )
    selection = selection_line(doc)
    out += ["", *([md_escape(selection), ""] if selection else [])]
    out += [
        f"Run `{doc.get('run')}` · contract {md_escape(doc.get('contract_version'))}"
        f" · kconform {md_escape(doc.get('kconform_version'))} · profile "
        f"{md_escape(doc.get('profile'))} · updated {md_escape(doc.get('updated'))}"
        " · files beside this one: `report.html`, `results.json`, `repro/`",
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
    load_errors = [
        (n, ov["backends"][n]["load_error"])
        for n in ov["live"]
        if ov["backends"][n]["load_error"]
    ]
    for name, error in load_errors:
        out += [f"**{md_escape(name)}: load error**", "", *_code(error)]

    out += _failures(doc)
    out += _missing(doc)
    out += _deviations(doc)

    out += ["## Backends", ""]
    out += md_table(overview_table(doc, full=True))
    golden = doc.get("golden") or {}
    if golden.get("backends"):
        out += _details(
            "Golden columns: records shipped with kconform, not run here",
            [*(f"- {md_escape(b['label'])}" for b in golden["backends"].values()), ""],
        )
    elif golden.get("note") and golden.get("enabled"):
        out += [f"Golden records: {md_escape(golden['note'])}.", ""]
    out += _details(
        "Conformance levels",
        [*(f"- **{level}**: {LEVEL_TEXT[level]}" for level in LEVELS), ""],
    )

    if (doc.get("timing") or {}).get("backends"):
        out += _details(
            "<b>Time per backend</b>: seconds in its cases, and the ratio to "
            f"{md_escape(doc['timing']['reference'])} on the cases both ran",
            [
                "Per kind of check; timings inform, they never decide conformance.",
                "",
                *md_table(timing_table(doc, full=True)),
            ],
        )

    if ov["ops"]:
        n_bad = len(ov["not_clean_ops"])
        out += _details(
            f"<b>Ops × backends</b>: {ov['clean_ops']} of {len(ov['ops'])} ops clean "
            f"on every backend" + (f", {n_bad} not (listed first)" if n_bad else ""),
            [
                "Worst error of the op's passed cases against the float64 oracle "
                "(`ulp`: units in the last place of the case's dtype; `× bound`: "
                "multiple of the a-priori error bound of a sum; `exact`: compared "
                "exactly), or `FAIL n` (failed cases), `dev n` (declared "
                "deviations), `missing` (op not implemented), `unsupported`, `—` "
                "(no case). (outlier): the one backend that disagrees with all "
                "the others.",
                "",
                *md_table(op_table(doc, only_not_clean=False)),
            ],
        )

    if ov["lifecycle"]["stages"]:
        clean = clean_scenarios(doc)
        scenarios = ov["lifecycle"]["scenarios"]
        out += _details(
            f"<b>Lifecycle stages × backends</b>: {len(clean)} of {len(scenarios)} "
            "scenarios pass every stage on every backend",
            md_table(lifecycle_table(doc)),
        )

    if parity["pairs"]:
        out += [
            "## Parity between backends",
            "",
            "From the stored outputs of each case: cases compared, identical, the "
            "largest ULP distance, relative and normwise difference, with their "
            "cases; left out: cases that failed or are declared deviations on "
            "either backend.",
            "",
        ]
        out += md_table(pairs_table(doc))
        if parity["ops"]:
            out += _details(
                "Parity by op (worst ULP distance between the two)",
                md_table(op_parity_table(doc)),
            )
        largest = []
        for pair in parity["pairs"]:
            if pair["largest"]:
                largest += [f"#### {md_escape(pair['label'])}", ""]
                largest += md_table(largest_table(doc, pair))
        if largest:
            out += _details("Largest differences, per pair", largest)

    out += ["## Outliers", ""]
    lines = outlier_lines(doc, limit=6)
    if lines:
        out += [f"- {md_escape(line)}" for line in lines]
        details = [
            f"- {md_escape(name)} · `{e['case']}`: {md_escape(e['detail'])}"
            for name, entries in parity["outliers"].items()
            for e in entries
        ]
        out += ["", *_details("Every outlier", [*details, ""])]
    else:
        out += [
            "None: no case where exactly one backend disagrees with at least two "
            "others.",
            "",
        ]

    if parity["lifecycle"]:
        body = [
            "Per scenario, pair and kind of recorded array: max abs / max rel "
            f"(normwise); normwise above {parity['consensus_rtol']:g} is marked.",
            "",
        ]
        for scenario in parity["lifecycle"]:
            body += [f"#### {md_escape(scenario)}", ""]
            body += md_table(lifecycle_parity_table(doc, scenario))
        out += _details("<b>Lifecycle parity</b>", body)

    if parity["trajectories"]:
        out += _details(
            "<b>Loss trajectories</b> (loss at the end of each epoch)",
            md_table(trajectory_table(doc)),
        )

    notes = []
    for name in ov["live"]:
        b = ov["backends"][name]
        notes += [f"- warning: {md_escape(s)}" for s in b["stale_deviations"]]
    notes += [f"- warning: {md_escape(w)}" for w in warnings]
    if notes:
        out += ["## Warnings", "", *notes, ""]
    steps = next_steps(doc)
    if steps:
        out += ["## Next steps", "", *(f"1. {md_text(s)}" for s in steps), ""]
    return "\n".join(out)
