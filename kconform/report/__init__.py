"""The cross-backend report of a run directory: terminal, Markdown, HTML, JSON.

:func:`render` reads a run directory (``results.json`` and
``arrays/<backend>.npz``), computes everything from those files alone, and
writes next to them:

- ``summary.md``: GitHub-flavoured Markdown (and, with ``step_summary``, the
  same appended to ``$GITHUB_STEP_SUMMARY``);
- ``report.html``: self-contained (inline CSS and SVG), viewable offline,
  with a plot of the loss trajectories when matplotlib is installed
  (``pip install kconform[plot]``);
- ``results.json``: the run's records plus the sections ``overview`` (per
  backend: versions, coverage, counts, worst ULP, conformance level; the op
  and lifecycle matrices), ``parity`` (pairs, per op, outliers, lifecycle,
  trajectories) and ``golden`` (the golden records used). It stays a valid
  run directory: :func:`merge` and :func:`render` read it again.

It returns the concise terminal lines. :func:`merge` combines run directories
made apart (one per backend in CI, say) and renders the result.

The sections are described in :mod:`kconform.report.overview` (levels),
:mod:`kconform.report.parity` (pairs, consensus, lifecycle) and
:mod:`kconform.report.compare` (the distances).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..records.store import atomic_write_text, load_run
from .columns import golden_columns, live_columns
from .findings import findings
from .html_report import html_report
from .markdown import markdown
from .merge import merge_runs
from .overview import conformance_level, overview
from .parity import compute_parity
from .terminal import terminal_lines
from .timing import timing

__all__ = ["conformance_level", "merge", "render"]

FILES = ("summary.md", "report.html", "results.json")


def render(
    run_dir: str | Path, *, golden: bool = True, step_summary: bool = False
) -> list[str]:
    """Write the reports of ``run_dir``; returns the terminal summary lines.

    ``golden``: add the shipped golden records of the built-in backends that
    did not run here as parity columns. ``step_summary``: also append
    ``summary.md`` to the file named by ``$GITHUB_STEP_SUMMARY``, if set.
    """
    run = load_run(run_dir)
    directory = run.directory
    live, golden_here = live_columns(run)
    present = {c.name for c in live + golden_here}
    # Golden columns sit beside the run's own backends; a run without any
    # (nothing loaded, or nothing ran yet) is not a report of the golden records.
    added, info = golden_columns(present, golden and bool(live))
    if golden and not live:
        info.enabled, info.note = True, "no backend of this run to compare with"
    golden_cols = sorted(golden_here + added, key=lambda c: c.name)
    for col in golden_here:
        info.backends.setdefault(
            col.name,
            {
                "label": col.label,
                "kconform_version": col.record.get("kconform_version"),
                "contract_version": col.record.get("contract_version"),
                "framework": (col.record.get("info") or {}).get("framework"),
                "framework_version": (col.record.get("info") or {}).get(
                    "framework_version"
                ),
            },
        )
    warnings = []
    if info.enabled and info.note and "could not be read" in info.note:
        warnings.append(info.note)
    try:
        parity = compute_parity(live, golden_cols)
        keys = {k for c in (live or golden_cols) for k in c.by_key}
        ov = overview(live, golden_cols, keys, parity, run.complete)
    finally:
        for col in live + golden_cols:
            col.close()
    doc = dict(run.doc)
    doc["overview"] = ov
    doc["parity"] = parity
    doc["golden"] = info.to_json()
    doc["findings"] = findings(doc)
    doc["timing"] = timing(doc, ov["live"])

    summary = markdown(doc, directory, warnings)
    atomic_write_text(directory / "summary.md", summary)
    atomic_write_text(directory / "report.html", html_report(doc, directory, warnings))
    atomic_write_text(
        directory / "results.json", json.dumps(doc, indent=1, allow_nan=False) + "\n"
    )
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary and target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(summary + "\n")
    return terminal_lines(doc, directory, [directory / f for f in FILES], warnings)


def merge(inputs: list[Path], out: Path, *, golden: bool = True) -> list[str]:
    """Merge the run directories ``inputs`` into ``out`` and render it.

    Every backend of every input is copied (records as they are, arrays byte
    for byte); ``complete`` is true only if every input is. A backend found
    in two inputs is an error naming both (pass only one of them). Golden
    backends of the inputs are not copied: they are added at rendering.
    Returns the terminal lines of :func:`render`.
    """
    merge_runs([Path(p) for p in inputs], Path(out))
    return render(out, golden=golden)
