"""Writing and reading run directories, atomically.

Every write goes to a temporary file in the same directory and is moved into
place with :func:`os.replace`, so a reader (or a run killed at any instant)
only ever sees a whole file: the previous checkpoint or the new one. Arrays
are written before the ``results.json`` that names them.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .schema import FINISHED, SCHEMA, SCHEMA_VERSION, array_key

__all__ = [
    "Run",
    "RunWriter",
    "atomic_write_bytes",
    "atomic_write_text",
    "load_run",
    "now",
    "RecordsError",
]


class RecordsError(ValueError):
    """A run directory or results file that cannot be read."""


def now() -> str:
    """The current time, ISO 8601 in UTC, to the second."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _atomic(path: Path, write: Callable[[Any], None], mode: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file."""
    _atomic(path, lambda fh: fh.write(text.encode("utf-8")), "wb")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file."""
    _atomic(path, lambda fh: fh.write(data), "wb")


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    _atomic(path, lambda fh: np.savez_compressed(fh, **arrays), "wb")


@dataclass
class Run:
    """A run read back from its directory: the JSON document and its arrays."""

    directory: Path
    doc: dict[str, Any]
    _arrays: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    @property
    def backends(self) -> dict[str, dict[str, Any]]:
        return self.doc["backends"]

    @property
    def complete(self) -> bool:
        return bool(self.doc.get("complete"))

    def arrays(self, backend: str) -> dict[str, np.ndarray]:
        """Every array of ``backend``'s cases, keyed ``<case key>/<name>``.

        A checkpoint of an unfinished run may hold arrays in parts
        (``array_parts``) besides the consolidated file; both are read.
        """
        if backend not in self._arrays:
            record = self.backends[backend]
            files = [record.get("arrays"), *record.get("array_parts", [])]
            out: dict[str, np.ndarray] = {}
            for rel in files:
                path = self.directory / rel if rel else None
                if path is not None and path.exists():
                    with np.load(path, allow_pickle=False) as data:
                        out.update({k: data[k] for k in data.files})
            self._arrays[backend] = out
        return self._arrays[backend]

    def case_arrays(self, backend: str, case: dict[str, Any]) -> list[np.ndarray]:
        """The arrays of one case record, in the order it names them."""
        data = self.arrays(backend)
        out = []
        for name in case.get("arrays", []):
            key = array_key(case["key"], name)
            if key in data:
                out.append(data[key])
        return out


def load_run(path: str | Path) -> Run:
    """Read a run from its directory (or its ``results.json``)."""
    path = Path(path)
    directory = path.parent if path.name == "results.json" else path
    results = directory / "results.json"
    if not results.exists():
        raise RecordsError(
            f"{directory}: no results.json here; expected a kconform run directory "
            "(written by `kconform run --report DIR` or pytest "
            "--kconform-report-dir)"
        )
    try:
        doc = json.loads(results.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise RecordsError(f"{results}: not valid JSON ({exc})") from exc
    if doc.get("schema") != SCHEMA:
        raise RecordsError(f"{results}: not a kconform results file")
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise RecordsError(
            f"{results}: schema version {doc.get('schema_version')}, this kconform "
            f"reads version {SCHEMA_VERSION}; re-render it with the kconform that "
            "wrote it"
        )
    return Run(directory, doc)


@dataclass
class _BackendBuffer:
    record: dict[str, Any]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    #: Arrays not yet on disk: a checkpoint writes only these, as a new part file.
    pending: dict[str, np.ndarray] = field(default_factory=dict)


class RunWriter:
    """Accumulates a run's records and checkpoints them to ``directory``.

    ``checkpoint()`` writes at most every ``interval`` seconds (``force`` to
    write now); each checkpoint is a valid, incomplete run until ``finish``.
    """

    def __init__(
        self,
        directory: Path,
        *,
        run: str,
        profile: str,
        argv: Iterable[str] = (),
        interval: float = 5.0,
    ) -> None:
        from .._version import __version__
        from ..contract import CONTRACT_VERSION

        self.directory = Path(directory)
        self.interval = interval
        self._last = 0.0
        self._backends: dict[str, _BackendBuffer] = {}
        self.doc: dict[str, Any] = {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "kconform_version": __version__,
            "contract_version": CONTRACT_VERSION,
            "run": run,
            "created": now(),
            "updated": now(),
            "complete": False,
            "profile": profile,
            "argv": list(argv),
            "backends": {},
        }

    # -- building --------------------------------------------------------------------
    def add_backend(self, record: dict[str, Any]) -> None:
        """Register a backend record (see :mod:`kconform.records.schema`)."""
        name = record["name"]
        record.setdefault("source", "live")
        record.setdefault("status", "incomplete")
        record.setdefault("status_detail", None)
        record.setdefault("stale_deviations", [])
        record.setdefault("planned", [])
        record.setdefault("cases", {})
        record["arrays"] = f"arrays/{name}.npz"
        self._backends[name] = _BackendBuffer(record)
        self.doc["backends"][name] = record

    def plan(self, backend: str, case_ids: Iterable[str]) -> None:
        """The cases the run means to run on ``backend`` (unrun ones show as such)."""
        planned = self._backends[backend].record["planned"]
        for cid in case_ids:
            if cid not in planned:
                planned.append(cid)

    def add_case(
        self, backend: str, case: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> None:
        """Record one finished case and its arrays."""
        buf = self._backends[backend]
        case = dict(case)
        case["arrays"] = list(arrays)
        buf.record["cases"][case["id"]] = case
        for name, arr in arrays.items():
            buf.arrays[array_key(case["key"], name)] = arr
            buf.pending[array_key(case["key"], name)] = arr

    def backend_record(self, backend: str) -> dict[str, Any]:
        return self._backends[backend].record

    # -- writing ---------------------------------------------------------------------
    def checkpoint(self, force: bool = False) -> bool:
        """Write the run so far if ``interval`` has passed (or ``force``)."""
        t = time.monotonic()
        if not force and t - self._last < self.interval:
            return False
        self._last = t
        self._write()
        return True

    def finish(self, complete: bool, detail: str | None = None) -> None:
        """Mark each backend's unrun cases and write the final state."""
        for buf in self._backends.values():
            rec = buf.record
            if rec.get("load_error"):
                rec["status"] = "complete"
                continue
            unrun = [c for c in rec["planned"] if c not in rec["cases"]]
            if rec["status"] in ("crashed", "timeout"):
                pass
            elif unrun or not complete:
                rec["status"] = "interrupted" if detail else "incomplete"
                rec["status_detail"] = detail or (
                    f"{len(unrun)} planned cases did not run" if unrun else None
                )
            else:
                rec["status"] = "complete"
        self.doc["complete"] = complete and all(
            b.record["status"] == "complete" for b in self._backends.values()
        )
        self._write(final=True)

    def _write(self, final: bool = False) -> None:
        """Arrays first, then the JSON naming them.

        A checkpoint writes the arrays added since the last one as a new part
        file (cost proportional to what is new); the final write consolidates
        each backend's arrays into one file and then removes the parts.
        """
        stale_parts: list[Path] = []
        for buf in self._backends.values():
            record = buf.record
            parts = record.setdefault("array_parts", [])
            if final:
                if buf.arrays or parts:
                    _write_npz(self.directory / record["arrays"], buf.arrays)
                stale_parts += [self.directory / p for p in parts]
                record["array_parts"] = []
            elif buf.pending:
                rel = f"arrays/{record['name']}.part{len(parts)}.npz"
                _write_npz(self.directory / rel, buf.pending)
                parts.append(rel)
            buf.pending = {}
        self.doc["updated"] = now()
        text = json.dumps(self.doc, indent=1, allow_nan=False) + "\n"
        atomic_write_text(self.directory / "results.json", text)
        for path in stale_parts:
            path.unlink(missing_ok=True)


def finished(case: dict[str, Any]) -> bool:
    """Whether a case record ran to its end."""
    return case.get("outcome") in FINISHED
