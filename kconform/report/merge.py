"""Merging run directories: the backends of several runs into one run directory.

Each backend's record is copied as it is, and its arrays and the reproductions
of its failures byte for byte, so the merged report computes the same parity as
a run of all the backends in one session and its ``repro/`` scripts still run.
A backend may come from one input only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .._version import __version__
from ..records.schema import SCHEMA, SCHEMA_VERSION
from ..records.store import (
    RecordsError,
    Run,
    atomic_write_bytes,
    atomic_write_text,
    load_run,
    now,
)

__all__ = ["merge_runs"]


def _array_files(record: dict[str, Any]) -> list[str]:
    return [r for r in [record.get("arrays"), *record.get("array_parts", [])] if r]


def _relative(path: Path, start: Path) -> str:
    try:
        return os.path.relpath(path.resolve(), start.resolve())
    except ValueError:  # another drive (Windows)
        return str(path)


def _repro_files(record: dict[str, Any]) -> list[str]:
    cases = record.get("cases", {}).values()
    return [rel for case in cases for rel in case.get("repro", [])]


def _copy(src: Path, dest: Path, kept: set[Path]) -> bool:
    """Copy ``src`` to ``dest`` byte for byte, if it exists; note ``dest`` as kept."""
    if not src.is_file():
        return False
    atomic_write_bytes(dest, src.read_bytes())
    kept.add(dest.resolve())
    return True


def merge_runs(inputs: list[Path], out: Path) -> Run:
    """Write the merge of ``inputs`` to ``out``; returns the merged run.

    ``complete`` is true only if every input is complete. Backends marked
    ``source: golden`` in an input are not copied (golden columns are added
    when the report is rendered). Arrays of ``out`` that no merged backend
    names any more are removed, and so are reproductions no merged case names;
    nothing else in ``out`` is touched.
    """
    if not inputs:
        raise RecordsError("merge needs at least one run directory; received none")
    out = Path(out)
    runs = [load_run(p) for p in inputs]
    for run in runs:
        if run.directory.resolve() == out.resolve():
            raise RecordsError(
                f"{out} is both an input and the output of the merge; write the "
                "merge to a new directory (--out DIR)"
            )
    backends: dict[str, dict[str, Any]] = {}
    origin: dict[str, Run] = {}
    for run in runs:
        for name, record in run.backends.items():
            if record.get("source") == "golden":
                continue
            if name in origin:
                raise RecordsError(
                    f"backend {name!r} is in both {origin[name].directory} and "
                    f"{run.directory}; a merge takes each backend from one run: "
                    "pass only one of them"
                )
            origin[name] = run
            backends[name] = record
    profiles = sorted({str(r.doc.get("profile")) for r in runs})
    created = sorted(str(r.doc.get("created", "")) for r in runs)
    from ..contract import CONTRACT_VERSION

    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "kconform_version": __version__,
        "contract_version": CONTRACT_VERSION,
        "run": out.name,
        "created": created[0] if created else now(),
        "updated": now(),
        "complete": all(r.complete for r in runs),
        "profile": profiles[0] if len(profiles) == 1 else ", ".join(profiles),
        "argv": [],
        "merged_from": [
            {
                # relative to the merged run where it can be: a run directory
                # holds no absolute path, and still reads once it is moved
                "path": _relative(r.directory, out),
                "run": r.doc.get("run"),
                "created": r.doc.get("created"),
                "complete": r.complete,
                "backends": sorted(
                    n for n, b in r.backends.items() if b.get("source") != "golden"
                ),
            }
            for r in runs
        ],
        "backends": {},
    }
    kept: set[Path] = set()
    for name in sorted(backends):
        record = json.loads(json.dumps(backends[name]))  # a copy, plain data
        source = origin[name].directory
        present = [
            rel
            for rel in _array_files(record) + _repro_files(record)
            if _copy(source / rel, out / rel, kept)
        ]
        parts = [p for p in record.get("array_parts", []) if p in present]
        if record.get("array_parts"):
            record["array_parts"] = parts
        doc["backends"][name] = record
    text = json.dumps(doc, indent=1, allow_nan=False) + "\n"
    atomic_write_text(out / "results.json", text)
    for folder, pattern in (("arrays", "*.npz"), ("repro", "*")):
        if (out / folder).is_dir():
            for path in (out / folder).glob(pattern):
                if path.is_file() and path.resolve() not in kept:
                    path.unlink(missing_ok=True)
    return load_run(out)
