"""``report.html``: the whole report, self-contained (inline CSS and SVG).

Viewable offline and attachable to a CI run: no script, no external
stylesheet, font or image; every text is escaped. The only links are the
failures' reproduction files, relative to the run directory (they resolve
wherever the directory is moved). Verdicts and failures come first; the long
tables are collapsed (``<details>``), the rows that need attention first.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .findings import next_steps, selection_line, verdict_counts
from .markdown import LEVEL_TEXT, headline
from .overview import LEVELS
from .plot import PLOT_HINT, trajectories_svg
from .tables import (
    Table,
    clean_scenarios,
    incomplete_lines,
    largest_table,
    lifecycle_parity_table,
    lifecycle_table,
    op_parity_table,
    op_table,
    overview_table,
    pairs_table,
    short_label,
    timing_table,
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
ul.verdicts { list-style: none; padding-left: 0; font-size: 1.05em; }
ul.verdicts li { margin: 0.2em 0; }
.level { display: inline-block; padding: 0 0.5em; border-radius: 4px;
         font-weight: 600; }
.level.pass { background: #e6f4ea; color: #1a7f37; }
.level.dev { background: #fff5d6; color: #7d4e00; }
.level.fail { background: #fbe3e4; color: #86181d; }
.level.crashed { background: #fde2c8; color: #7d3b00; }
pre.msg { background: #f6f8fa; border: 1px solid #d0d7de; padding: 0.4em 0.6em;
          white-space: pre-wrap; word-break: break-word; margin: 0.2em 0 0.8em 0;
          font-size: 0.85em; max-width: 110ch; }
.cause { border-left: 4px solid #8250df; background: #fbf8ff; padding: 0.4em 0.8em; }
details { margin: 0.6em 0; } summary { cursor: pointer; }
summary h2, summary h3 { display: inline; border: none; }
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


_LEVEL_CLASS = {
    "conformant": "pass",
    "conformant with deviations": "dev",
    "partial": "fail",
    "incomplete": "crashed",
    "load error": "fail",
}


def _code_spans(text: str) -> str:
    """Escaped text whose `code spans` become <code> elements."""
    parts = escape(text).split("`")
    return "".join(
        f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts)
    )


def _details(summary: str, body: list[str], heading: str = "h2") -> list[str]:
    """A collapsed section; ``summary`` is HTML already."""
    return [
        f"<details><summary><{heading}>{summary}</{heading}></summary>",
        *body,
        "</details>",
    ]


def _failures(doc: dict[str, Any]) -> list[str]:
    found = doc["findings"]["backends"]
    total = sum(f["failed"] for f in found.values())
    out = [f"<h2>Failures ({total})</h2>"]
    if not total:
        out.append(_p("None: no case failed, crashed or timed out."))
    for name, f in found.items():
        if not (f["failed"] or f["blocked"] or f["not_run"]):
            continue
        out.append(f"<h3>{escape(name)}: {f['failed']} failing</h3>")
        if f["causes"]:
            items = "".join(f"<li>{_code_spans(c['text'])}</li>" for c in f["causes"])
            out.append(
                '<div class="cause"><b>Probable common causes</b>'
                f"<ul>{items}</ul></div>"
            )
        for group in f["groups"]:
            n = len(group["cases"])
            body = []
            for case in group["cases"]:
                links = " · ".join(
                    f'<a href="{escape(quote(r))}">'
                    f"{'repro' if r.endswith('.py') else 'inputs'}</a>"
                    for r in case["repro"]
                )
                body.append(
                    f"<p><code>{escape(case['id'])}</code> {escape(case['outcome'])}"
                    + (f" — {links}" if links else "")
                    + "</p>"
                    f'<pre class="msg">{escape(case["text"])}</pre>'
                )
                if case.get("traceback"):
                    body.append(
                        "<details><summary>traceback</summary>"
                        f'<pre class="msg">{escape(case["traceback"])}</pre></details>'
                    )
            out += [
                f"<h4><code>{escape(group['op'])}</code> ({n} case"
                f"{'s' if n != 1 else ''})</h4>",
                *body,
            ]
        if f["blocked"]:
            items = "".join(
                f"<li>{escape(b['reason'])}: {len(b['cases'])} case(s): "
                f"{escape(', '.join(b['cases'][:6]))}"
                f"{' …' if len(b['cases']) > 6 else ''}</li>"
                for b in f["blocked"]
            )
            out.append(f"<p>Blocked (could not run because of):</p><ul>{items}</ul>")
        if f["not_run"]:
            out.append(_p(f"{f['not_run']} case(s) did not run."))
    return out


def _missing_and_deviations(doc: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for name, f in doc["findings"]["backends"].items():
        if f["missing"]:
            req = set(f["missing_required"])
            items = ", ".join(
                f"<code>{escape(op)}</code>" + (" (required)" if op in req else "")
                for op in f["missing"]
            )
            out += _details(
                f"{escape(name)}: {len(f['missing'])} ops not implemented "
                f"({len(req)} required)",
                [f"<p>{items}</p>"],
                "h3",
            )
    rows = []
    for name, f in doc["findings"]["backends"].items():
        for d in f["deviations"]:
            link = (
                f'<a href="{escape(d["link"])}">{escape(d["link"])}</a>'
                if d.get("link")
                else "—"
            )
            rows.append(
                f"<tr><td>{escape(name)}</td><td class=code>{escape(d['id'])}</td>"
                f"<td>{escape(d['reason'])}</td><td>{len(d['cases'])}</td>"
                f"<td>{link}</td></tr>"
            )
    if rows:
        out += _details(
            f"Declared deviations: {len(rows)} entries",
            [
                '<div class="wrap"><table><thead><tr><th>backend</th>'
                "<th>declared id</th><th>reason</th><th>cases</th><th>link</th>"
                f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
            ],
            "h3",
        )
    return out


def html_report(doc: dict[str, Any], directory: Path, warnings: list[str]) -> str:
    """The text of ``report.html``."""
    ov = doc["overview"]
    parity = doc["parity"]
    title = f"kconform: {headline(doc)} ({doc.get('run')})"
    verdicts = "".join(
        f"<li><b>{escape(name)}</b> "
        f'<span class="level {_LEVEL_CLASS.get(ov["backends"][name]["level"], "")}">'
        f"{escape(ov['backends'][name]['level'])}</span> "
        f"{escape(verdict_counts(ov['backends'][name]))}</li>"
        for name in ov["live"]
    )
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>kconform: {escape(headline(doc))}</h1>",
        f'<ul class="verdicts">{verdicts}</ul>',
    ]
    selection = selection_line(doc)
    if selection:
        out.append(f'<p class="banner">{escape(selection)}</p>')
    out.append(
        _p(
            f"Run {doc.get('run')} · contract {doc.get('contract_version')} · "
            f"kconform {doc.get('kconform_version')} · profile {doc.get('profile')} · "
            f"created {doc.get('created')} · updated {doc.get('updated')}",
            "note",
        )
    )
    why = incomplete_lines(doc)
    if why:
        items = "".join(f"<li>{escape(line)}</li>" for line in why)
        out.append(
            '<div class="banner">Incomplete run: the report covers only the cases '
            f"that finished.<ul>{items}</ul></div>"
        )
    for name in ov["live"]:
        error = ov["backends"][name]["load_error"]
        if error:
            out += [
                f"<h3>{escape(name)}: load error</h3>",
                f'<pre class="msg">{escape(error)}</pre>',
            ]

    out += _failures(doc)
    out += _missing_and_deviations(doc)

    out += ["<h2>Backends</h2>", _table(overview_table(doc, full=True))]
    golden = doc.get("golden") or {}
    if golden.get("backends"):
        labels = "; ".join(b["label"] for b in golden["backends"].values())
        out.append(
            _p(
                f"Golden columns (shipped with kconform, not run here): {labels}",
                "note",
            )
        )
    elif golden.get("note") and golden.get("enabled"):
        out.append(_p(f"Golden records: {golden['note']}.", "note"))
    levels = "".join(
        f"<li><b>{escape(level)}</b>: {escape(LEVEL_TEXT[level])}</li>"
        for level in LEVELS
    )
    out += _details("Conformance levels", [f"<ul>{levels}</ul>"], "h3")

    if (doc.get("timing") or {}).get("backends"):
        out += _details(
            "Time per backend: seconds in its cases, and the ratio to "
            f"{escape(doc['timing']['reference'])} on the cases both ran",
            [
                _p(
                    "Per kind of check; timings inform, they never decide conformance.",
                    "note",
                ),
                _table(timing_table(doc, full=True)),
            ],
        )

    if ov["ops"]:
        n_bad = len(ov["not_clean_ops"])
        out += _details(
            f"Ops × backends: {ov['clean_ops']} of {len(ov['ops'])} clean"
            + (f", {n_bad} not (listed first)" if n_bad else ""),
            [
                _p(
                    "Worst error of the op's passed cases against the float64 "
                    "oracle (ulp: units in the last place of the case's dtype; "
                    "× bound: multiple of the a-priori error bound of a sum; "
                    "exact: compared exactly), or FAIL n, dev n (declared "
                    "deviations), missing, unsupported, — (no case). (outlier): "
                    "the one backend that disagrees with all the others.",
                    "note",
                ),
                _table(op_table(doc, only_not_clean=False)),
            ],
        )
    if ov["lifecycle"]["stages"]:
        clean = clean_scenarios(doc)
        out += _details(
            f"Lifecycle stages × backends: {len(clean)} of "
            f"{len(ov['lifecycle']['scenarios'])} scenarios clean",
            [_table(lifecycle_table(doc))],
        )

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
            out += _details(
                "Parity by op (worst ULP distance between the two)",
                [_table(op_parity_table(doc))],
                "h3",
            )
        largest = []
        for pair in parity["pairs"]:
            if pair["largest"]:
                largest += [
                    f"<h4>{escape(pair['label'])}</h4>",
                    _table(largest_table(doc, pair)),
                ]
        if largest:
            out += _details("Largest differences, per pair", largest, "h3")

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
        body = [
            _p(
                "Per scenario, pair and kind of recorded array: max abs / max rel "
                f"(normwise); normwise above {parity['consensus_rtol']:g} is marked.",
                "note",
            )
        ]
        for scenario in parity["lifecycle"]:
            body += [
                f"<h4>{escape(scenario)}</h4>",
                _table(lifecycle_parity_table(doc, scenario)),
            ]
        out += _details("Lifecycle parity", body)

    if parity["trajectories"]:
        labels = {n: ov["backends"][n]["label"] for n in ov["columns"]}
        svg = trajectories_svg(
            parity["trajectories"], ov["columns"], labels, set(ov["golden"])
        )
        out += _details(
            "Loss trajectories",
            [
                svg if svg is not None else _p(PLOT_HINT, "note"),
                _table(trajectory_table(doc)),
            ],
        )

    notes = []
    for name in ov["live"]:
        b = ov["backends"][name]
        notes += [f"warning: {s}" for s in b["stale_deviations"]]
    notes += [f"warning: {w}" for w in warnings]
    if notes:
        items = "".join(f"<li>{escape(n)}</li>" for n in notes)
        out += ["<h2>Warnings</h2>", f"<ul>{items}</ul>"]
    steps = next_steps(doc)
    if steps:
        items = "".join(f"<li>{_code_spans(s)}</li>" for s in steps)
        out += ["<h2>Next steps</h2>", f"<ol>{items}</ol>"]
    out.append(
        _p(
            "Files beside this one: results.json (the records and this report's "
            "numbers, every message whole), summary.md, arrays/, repro/.",
            "note",
        )
    )
    out.append("</body></html>")
    return "\n".join(out) + "\n"
