"""The terminal summary: concise lines for a CI log (tabulate ``simple`` tables)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tabulate import tabulate

from .tables import (
    Table,
    clean_scenarios,
    incomplete_lines,
    lifecycle_table,
    op_table,
    outlier_lines,
    overview_table,
    pairs_table,
    trajectory_final_table,
)

__all__ = ["terminal_lines"]

_BANNER = "!" * 78


def _table(table: Table) -> list[str]:
    return tabulate(
        table.texts(none="-"),
        headers=table.headers,
        tablefmt="simple",
        disable_numparse=True,
    ).splitlines()


def terminal_lines(
    doc: dict[str, Any],
    directory: Path,
    files: list[Path],
    warnings: list[str],
) -> list[str]:
    """The lines printed at the end of a session (or by ``kconform report``)."""
    ov = doc["overview"]
    lines = [
        "",
        f"kconform conformance (contract {doc.get('contract_version')}, "
        f"exploration profile {doc.get('profile')}): {directory}",
    ]
    why = incomplete_lines(doc)
    if why:
        lines += [
            _BANNER,
            "!! INCOMPLETE RUN: the report covers only the cases that finished",
            *(f"!!   {line}" for line in why),
            _BANNER,
        ]
    lines += _table(overview_table(doc, full=False))
    golden = doc.get("golden") or {}
    if golden.get("backends"):
        labels = "; ".join(b["label"] for b in golden["backends"].values())
        lines.append(f"golden columns (shipped records, not run here): {labels}")

    summary = directory / "summary.md"
    if ov["ops"]:
        lines.append("")
        if ov["not_clean_ops"]:
            lines.append("kconform ops not clean on some backend (op x backend)")
            lines += _table(op_table(doc, only_not_clean=True))
        lines.append(
            f"{ov['clean_ops']} ops clean on every backend; full matrix in {summary}"
        )

    if ov["lifecycle"]["stages"]:
        clean = clean_scenarios(doc)
        lines.append("")
        if len(clean) < len(ov["lifecycle"]["scenarios"]):
            lines.append("kconform lifecycle (stage x backend)")
            lines += _table(lifecycle_table(doc, skip=clean))
        if clean:
            lines.append(
                f"{len(clean)} lifecycle scenario{'s' if len(clean) != 1 else ''} "
                f"pass every stage on every backend ({', '.join(clean)}); "
                f"full matrix in {summary}"
            )

    if doc["parity"]["pairs"]:
        lines += ["", "kconform parity (pairs of backends, from the stored outputs)"]
        lines += _table(pairs_table(doc))

    outliers = outlier_lines(doc, limit=6)
    if outliers:
        lines += ["", "kconform outliers (one backend disagrees with all the others)"]
        lines += outliers

    if doc["parity"]["trajectories"]:
        lines += ["", "kconform trajectories (final epoch loss)"]
        lines += _table(trajectory_final_table(doc))

    lines.append("")
    for name in ov["live"]:
        for stale in ov["backends"][name]["stale_deviations"]:
            lines.append(f"warning: {stale}")
        error = ov["backends"][name]["load_error"]
        if error:
            lines.append(f"{name}: {error}")
    lines += [f"warning: {w}" for w in warnings]
    names = ", ".join(p.name for p in files)
    lines.append(f"kconform: report in {directory} ({names})")
    return lines
