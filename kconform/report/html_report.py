"""``report.html``: the whole report, self-contained (inline CSS and SVG, no links).

Viewable offline and attachable to a CI run: no script, no external
stylesheet, font or image; every text is escaped.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from .markdown import LEVEL_TEXT
from .overview import LEVELS
from .plot import PLOT_HINT, trajectories_svg
from .tables import (
    Table,
    incomplete_lines,
    largest_table,
    lifecycle_parity_table,
    lifecycle_table,
    op_parity_table,
    op_table,
    overview_table,
    pairs_table,
    short_label,
    trajectory_table,
)

__all__ = ["html_report"]

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5em;
       color: #1b1f23; background: #fff; }
h1 { font-size: 1.5em; } h2 { font-size: 1.25em; margin-top: 1.6em;
     border-bottom: 1px solid #d0d7de; } h3 { font-size: 1.05em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.85em; }
th, td { border: 1px solid #d0d7de; padding: 2px 6px; text-align: left;
         white-space: nowrap; }
th { background: #f6f8fa; position: sticky; top: 0; }
code, td.code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
td.pass { background: #e6f4ea; }
td.fail { background: #fbe3e4; color: #86181d; font-weight: 600; }
td.dev { background: #fff5d6; } td.missing { background: #eeeeee; }
td.crashed { background: #fde2c8; } td.skip { color: #6a737d; }
td.none { color: #a0a0a0; } td.golden { font-style: italic; }
.banner { border: 2px solid #cb2431; background: #ffeef0; padding: 0.6em 1em;
          font-weight: 600; }
.note { color: #586069; } .wrap { overflow-x: auto; }
svg { max-width: 100%; height: auto; }
"""


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
    body = []
    for row in table.rows:
        cells = []
        for cell in row:
            classes = " ".join(
                c for c in (cell.status, "code" if cell.code else "") if c
            )
            attr = f' class="{classes}"' if classes else ""
            cells.append(f"<td{attr}>{escape(cell.text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _p(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{escape(text)}</p>"


def html_report(doc: dict[str, Any], directory: Path, warnings: list[str]) -> str:
    """The text of ``report.html``."""
    ov = doc["overview"]
    parity = doc["parity"]
    title = f"kconform report: {doc.get('run')}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        "<h1>kconform conformance report</h1>",
        _p(
            f"Run {doc.get('run')} · contract {doc.get('contract_version')} · "
            f"kconform {doc.get('kconform_version')} · profile {doc.get('profile')} · "
            f"created {doc.get('created')} · updated {doc.get('updated')}",
            "note",
        ),
    ]
    why = incomplete_lines(doc)
    if why:
        items = "".join(f"<li>{escape(line)}</li>" for line in why)
        out.append(
            '<div class="banner">Incomplete run: the report covers only the cases '
            f"that finished.<ul>{items}</ul></div>"
        )

    out += ["<h2>Backends</h2>", _table(overview_table(doc, full=True))]
    golden = doc.get("golden") or {}
    if golden.get("backends"):
        labels = "; ".join(b["label"] for b in golden["backends"].values())
        out.append(
            _p(f"Golden columns (shipped with kconform, not run here): {labels}")
        )
    elif golden.get("note"):
        out.append(_p(f"Golden records: {golden['note']}.", "note"))
    levels = "".join(
        f"<li><b>{escape(level)}</b>: {escape(LEVEL_TEXT[level])}</li>"
        for level in LEVELS
    )
    out.append(f"<p>Conformance levels:</p><ul>{levels}</ul>")

    if ov["ops"]:
        out += [
            "<h2>Ops × backends</h2>",
            _p(
                "Worst error of the op's passed cases against the float64 oracle "
                "(ulp: units in the last place of the case's dtype; × bound: "
                "multiple of the a-priori error bound of a sum; exact: compared "
                "exactly), or FAIL n, dev n (declared deviations), missing, "
                "unsupported, — (no case). (outlier): the one backend that "
                "disagrees with all the others.",
                "note",
            ),
            _table(op_table(doc, only_not_clean=False)),
            _p(f"{ov['clean_ops']} of {len(ov['ops'])} ops clean on every backend."),
        ]
    if ov["lifecycle"]["stages"]:
        out += ["<h2>Lifecycle stages × backends</h2>", _table(lifecycle_table(doc))]

    if parity["pairs"]:
        out += [
            "<h2>Parity between backends</h2>",
            _p(
                "From the stored outputs of each case (op cases; lifecycle below). "
                "Left out: cases that failed or are declared deviations on either "
                "backend (they are in the op matrix).",
                "note",
            ),
            _table(pairs_table(doc)),
        ]
        if parity["ops"]:
            out += [
                "<h3>Parity by op (worst ULP distance between the two)</h3>",
                _table(op_parity_table(doc)),
            ]
        for pair in parity["pairs"]:
            if pair["largest"]:
                out += [
                    f"<h3>Largest differences: {escape(pair['label'])}</h3>",
                    _table(largest_table(doc, pair)),
                ]

    out.append("<h2>Outliers</h2>")
    if parity["outliers"]:
        items = "".join(
            f"<li>{escape(short_label(doc, name))} · <code>{escape(e['case'])}</code>"
            f" ({escape(e['reason'])}): {escape(e['detail'])}</li>"
            for name, entries in parity["outliers"].items()
            for e in entries
        )
        out.append(f"<ul>{items}</ul>")
    else:
        out.append(
            _p(
                "None: no case where exactly one backend disagrees with at least "
                "two others."
            )
        )

    if parity["lifecycle"]:
        out += [
            "<h2>Lifecycle parity</h2>",
            _p(
                "Per scenario, pair and kind of recorded array: max abs / max rel "
                f"(normwise); normwise above {parity['consensus_rtol']:g} is marked.",
                "note",
            ),
        ]
        for scenario in parity["lifecycle"]:
            out += [
                f"<h3>{escape(scenario)}</h3>",
                _table(lifecycle_parity_table(doc, scenario)),
            ]

    if parity["trajectories"]:
        out.append("<h2>Loss trajectories</h2>")
        labels = {n: ov["backends"][n]["label"] for n in ov["columns"]}
        svg = trajectories_svg(
            parity["trajectories"], ov["columns"], labels, set(ov["golden"])
        )
        out.append(svg if svg is not None else _p(PLOT_HINT, "note"))
        out.append(_table(trajectory_table(doc)))

    notes = []
    for name in ov["live"]:
        b = ov["backends"][name]
        notes += [f"warning: {s}" for s in b["stale_deviations"]]
        if b["load_error"]:
            notes.append(f"{name}: load error: {b['load_error']}")
    notes += [f"warning: {w}" for w in warnings]
    if notes:
        items = "".join(f"<li>{escape(n)}</li>" for n in notes)
        out += ["<h2>Warnings</h2>", f"<ul>{items}</ul>"]
    out.append(
        _p(
            f"Files in {directory}: results.json (the records and this report's "
            "numbers), summary.md, arrays/.",
            "note",
        )
    )
    out.append("</body></html>")
    return "\n".join(out) + "\n"
