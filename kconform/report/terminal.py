"""The terminal summary: verdicts and failures first, tables fitted to the width.

Each line is a :class:`Line`: a ``str`` that may carry pytest terminal markup
(``{"red": True, "bold": True}``), written by pytest's own terminal writer
(``write_line(line, **line.markup)``) in a session, or by :func:`print_lines`
from the ``kconform`` command; both honour ``NO_COLOR``, ``FORCE_COLOR`` and
whether the output is a terminal.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any, TextIO

from tabulate import tabulate

from .findings import next_steps, selection_line, verdict_counts
from .markdown import headline
from .tables import (
    Table,
    clean_scenarios,
    incomplete_lines,
    lifecycle_table,
    op_table,
    outlier_lines,
    pairs_brief_table,
    timing_table,
    trajectory_final_table,
)

__all__ = ["Line", "print_lines", "terminal_lines", "terminal_width"]

_BANNER = "!" * 78
#: Failing cases listed per backend in the terminal (summary.md has them all).
CASES_SHOWN = 12
#: Lines of one failure's message in the terminal (summary.md has it whole).
MESSAGE_LINES = 3

_LEVEL_MARKUP = {
    "conformant": {"green": True, "bold": True},
    "conformant with deviations": {"green": True},
    "partial": {"red": True, "bold": True},
    "incomplete": {"yellow": True, "bold": True},
    "load error": {"red": True, "bold": True},
}


class Line(str):
    """A line of the terminal summary, with its pytest terminal markup."""

    markup: dict[str, bool]

    def __new__(cls, text: str, **markup: bool) -> Line:
        line = super().__new__(cls, text)
        line.markup = markup
        return line


def terminal_width() -> int:
    """The width to fit tables to: the terminal's, or ``COLUMNS``, at least 60."""
    return max(60, shutil.get_terminal_size((100, 24)).columns)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _wrap(text: str, width: int, indent: str = "", most: int = 0) -> list[Line]:
    """Prose wrapped to ``width`` (at most ``most`` lines, the last one cut)."""
    lines = textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
        break_long_words=False,
    ) or [indent]
    if most and len(lines) > most:
        lines = [*lines[: most - 1], _cut(lines[most - 1] + " …", width)]
    return [Line(ln) for ln in lines]


def _table(table: Table, width: int) -> list[Line]:
    """The table in tabulate's ``simple`` format, columns dropped from the right
    until it fits ``width`` (a note says how many were left out)."""
    headers, rows = list(table.headers), table.texts(none="-")
    kept = len(headers)
    while True:
        text = tabulate(
            [r[:kept] for r in rows],
            headers=headers[:kept],
            tablefmt="simple",
            disable_numparse=True,
        ).splitlines()
        if kept <= 2 or max((len(t) for t in text), default=0) <= width:
            break
        kept -= 1
    lines = [Line(_cut(t, width)) for t in text]
    if kept < len(headers):
        lines.append(
            Line(
                f"({len(headers) - kept} more column(s) in summary.md: "
                f"{', '.join(headers[kept:])})"
            )
        )
    return lines


def _failure_lines(doc: dict[str, Any], directory: Path, width: int) -> list[Line]:
    found = doc["findings"]["backends"]
    total = sum(f["failed"] for f in found.values())
    if not total and not any(f["blocked"] or f["not_run"] for f in found.values()):
        return []
    lines = [Line(""), Line(f"kconform failures ({total})", red=True, bold=True)]
    for name, f in found.items():
        if not (f["failed"] or f["blocked"] or f["not_run"]):
            continue
        for cause in f["causes"]:
            lines += _wrap(f"{name}: probable cause: {cause['text']}", width)
        shown = 0
        for group in f["groups"]:
            for case in group["cases"]:
                if shown == CASES_SHOWN:
                    break
                shown += 1
                lines.append(Line(f"{case['id']} {case['outcome']}", red=True))
                first = (case["text"].splitlines() or [""])[0]
                lines += _wrap(first, width, "    ", MESSAGE_LINES)
                for rel in case["repro"]:
                    if rel.endswith(".py"):
                        lines.append(Line(f"    repro: {directory / rel}"))
        if shown < f["failed"]:
            lines.append(
                Line(
                    f"{name}: {f['failed'] - shown} more failing case(s) in summary.md"
                )
            )
        for b in f["blocked"]:
            lines.append(
                Line(_cut(f"{name}: {len(b['cases'])} blocked: {b['reason']}", width))
            )
        if f["not_run"]:
            lines.append(Line(f"{name}: {f['not_run']} case(s) did not run"))
    return lines


def terminal_lines(
    doc: dict[str, Any],
    directory: Path,
    files: list[Path],
    warnings: list[str],
    width: int | None = None,
) -> list[Line]:
    """The lines printed at the end of a session (or by ``kconform report``)."""
    width = width or terminal_width()
    ov = doc["overview"]
    lines = [Line(""), Line(f"kconform: {headline(doc)}", bold=True)]
    why = incomplete_lines(doc)
    if why:
        lines += [
            Line(_BANNER, yellow=True),
            Line(
                "!! INCOMPLETE RUN: the report covers only the cases that finished",
                yellow=True,
                bold=True,
            ),
            *(Line(f"!!   {line}", yellow=True) for line in why),
            Line(_BANNER, yellow=True),
        ]
    pad = max((len(n) for n in ov["live"]), default=0)
    for name in ov["live"]:
        b = ov["backends"][name]
        lines.append(
            Line(
                f"  {name:<{pad}}  {b['level']}: {verdict_counts(b)}",
                **_LEVEL_MARKUP.get(b["level"], {}),
            )
        )
    summary = directory / "summary.md"
    others = ", ".join(p.name for p in files if p.name != "summary.md")
    lines.append(
        Line(f"report: {summary}" + (f" (and {others})" if others else ""), bold=True)
    )
    golden = doc.get("golden") or {}
    if golden.get("backends"):
        lines += _wrap(
            "golden columns (shipped records, not run here): "
            + ", ".join(golden["backends"]),
            width,
        )
    selection = selection_line(doc)
    if selection:
        lines += [Line(ln, yellow=True) for ln in _wrap(selection, width)]
    for name in ov["live"]:
        error = ov["backends"][name]["load_error"]
        if error:
            lines.append(Line(f"{name}: {error}", red=True))

    lines += _failure_lines(doc, directory, width)

    if ov["ops"] and ov["not_clean_ops"]:
        lines += [
            Line(""),
            Line("kconform ops not clean on some backend (op x backend)"),
        ]
        lines += _table(op_table(doc, only_not_clean=True), width)
        lines.append(Line(f"{ov['clean_ops']} ops clean on every backend"))

    if ov["lifecycle"]["stages"]:
        clean = clean_scenarios(doc)
        if len(clean) < len(ov["lifecycle"]["scenarios"]):
            lines += [Line(""), Line("kconform lifecycle (stage x backend)")]
            lines += _table(lifecycle_table(doc, skip=clean), width)
        if clean:
            lines += _wrap(
                f"{len(clean)} lifecycle scenario{'s' if len(clean) != 1 else ''} "
                f"pass every stage on every backend ({', '.join(clean)})",
                width,
            )

    pairs = pairs_brief_table(doc)
    if pairs.rows:
        lines += [
            Line(""),
            Line("kconform parity (pairs of backends, from the stored outputs)"),
        ]
        lines += _table(pairs, width)

    outliers = outlier_lines(doc, limit=6)
    if outliers:
        lines += [
            Line(""),
            Line("kconform outliers (one backend disagrees with all the others)"),
        ]
        for o in outliers:
            lines += _wrap(o, width, most=3)

    if doc["parity"]["trajectories"]:
        lines += [Line(""), Line("kconform trajectories (final epoch loss)")]
        lines += _table(trajectory_final_table(doc), width)

    if len((doc.get("timing") or {}).get("backends", {})) > 1:
        lines += [Line(""), Line("kconform time (seconds in each backend's cases)")]
        lines += _table(timing_table(doc, full=False), width)

    lines.append(Line(""))
    for name in ov["live"]:
        for stale in ov["backends"][name]["stale_deviations"]:
            lines.append(Line(f"warning: {stale}", yellow=True))
    lines += [Line(f"warning: {w}", yellow=True) for w in warnings]
    steps = next_steps(doc, directory_hint=str(directory))
    if steps:
        lines.append(Line("next:", bold=True))
        for step in steps:
            lines += _wrap(f"- {step}", width, "  ")
    return lines


def print_lines(lines: list[str], file: TextIO | None = None) -> None:
    """Write the lines with pytest's terminal writer (colour where it is wanted)."""
    from _pytest._io import TerminalWriter

    tw = TerminalWriter(file or sys.stdout)  # honours NO_COLOR, FORCE_COLOR
    for line in lines:
        tw.line(str(line), **getattr(line, "markup", {}))
    tw.flush()
