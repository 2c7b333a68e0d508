"""The columns of a report: the run's own backends, and golden ones beside them.

A *live* column is a backend that ran in this run (or in one of the runs
merged into it). A *golden* column is a built-in backend (numpy, jax, torch,
tensorflow) that did not run here, taken from the golden records shipped with
kconform (:mod:`kconform.golden`), so that a third-party backend is compared
with the built-in ones without installing their frameworks. Golden columns
take part in parity, consensus and trajectories; they are never counted as
this run's backends.
"""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..records.schema import array_key
from ..records.store import RecordsError, Run

__all__ = ["BUILTIN", "Column", "GoldenInfo", "golden_columns", "live_columns"]

#: The backends that golden records may provide.
BUILTIN = ("numpy", "jax", "torch", "tensorflow")


#: The header of an ``.npy`` member as NumPy writes it for a plain array.
_NPY_HEADER = re.compile(
    r"\{'descr': '([<>|=]?[a-zA-Z]\d*)', 'fortran_order': (False|True), "
    r"'shape': \(([\d, ]*)\), *\}"
)


def _parse_npy(raw: bytes) -> np.ndarray | None:
    """An ``.npy`` file's array, or None if it is not a plain one (then np.load).

    The same bytes ``np.load`` reads, without its general header parser (an
    ``ast`` evaluation per array, most of the time a report spends reading).
    """
    if raw[:6] != b"\x93NUMPY" or raw[6] not in (1, 2, 3):
        return None
    size = 2 if raw[6] == 1 else 4
    start = 8 + size
    length = int.from_bytes(raw[8:start], "little")
    match = _NPY_HEADER.fullmatch(raw[start : start + length].decode("latin1").strip())
    if match is None:
        return None
    dtype = np.dtype(match.group(1))
    shape = tuple(int(x) for x in match.group(3).split(",") if x.strip())
    count = math.prod(shape)
    offset = start + length
    if dtype.hasobject or len(raw) - offset != count * dtype.itemsize:
        return None
    order = "F" if match.group(2) == "True" else "C"
    return np.frombuffer(raw, dtype, count, offset).reshape(shape, order=order)


class _Arrays:
    """A backend's stored arrays, read one at a time as they are asked for."""

    def __init__(self, directory: Path, record: dict[str, Any]) -> None:
        self._zips: list[zipfile.ZipFile] = []
        self._where: dict[str, tuple[zipfile.ZipFile, str, Path]] = {}
        self._cache: dict[str, np.ndarray] = {}
        for rel in [record.get("arrays"), *record.get("array_parts", [])]:
            path = directory / rel if rel else None
            if path is None or not path.is_file():
                continue
            zf = zipfile.ZipFile(path)
            self._zips.append(zf)
            for member in zf.namelist():
                if member.endswith(".npy"):  # a later part wins, as in Run.arrays
                    self._where[member[:-4]] = (zf, member, path)

    def get(self, key: str) -> np.ndarray | None:
        if key not in self._cache:
            where = self._where.get(key)
            if where is None:
                return None
            zf, member, path = where
            arr = _parse_npy(zf.read(member))
            if arr is None:
                with np.load(path, allow_pickle=False) as data:
                    arr = data[key]
            self._cache[key] = arr
        return self._cache[key]

    def close(self) -> None:
        for zf in self._zips:
            zf.close()
        self._zips, self._where = [], {}


@dataclass
class Column:
    """One backend as the report shows it."""

    name: str
    source: str  # "live" | "golden"
    record: dict[str, Any]
    directory: Path
    _arrays: _Arrays | None = field(default=None, repr=False)
    _by_key: dict[str, dict[str, Any]] | None = field(default=None, repr=False)

    @property
    def golden(self) -> bool:
        return self.source == "golden"

    @property
    def framework(self) -> str:
        info = self.record.get("info") or {}
        fw, ver = info.get("framework"), info.get("framework_version")
        return " ".join(str(x) for x in (fw, ver) if x) or "-"

    @property
    def label(self) -> str:
        """``torch`` or ``torch (golden: kconform 0.1, torch 2.13, <cpu> <simd>)``."""
        if not self.golden:
            return self.name
        version = self.record.get("kconform_version", "?")
        host = self.record.get("host") or {}
        where = f", {host['cpu']}" if host.get("cpu") else ""
        if host.get("simd"):
            where += f" {host['simd']}"
        return f"{self.name} (golden: kconform {version}, {self.framework}{where})"

    @property
    def short(self) -> str:
        """The column header: ``torch`` or ``torch (golden)``."""
        return f"{self.name} (golden)" if self.golden else self.name

    @property
    def by_key(self) -> dict[str, dict[str, Any]]:
        """The backend's case records by case key, in the order of collection.

        That is the record's ``planned`` order (the same serial or under
        pytest-xdist, where cases finish in any order), then any case that
        was not planned (a crashed worker's) in the order it was recorded.
        """
        if self._by_key is None:
            cases = self.record.get("cases", {})
            planned = [cid for cid in self.record.get("planned") or [] if cid in cases]
            seen = set(planned)
            rest = [cid for cid in cases if cid not in seen]
            self._by_key = {}
            for cid in planned + rest:
                self._by_key.setdefault(cases[cid]["key"], cases[cid])
        return self._by_key

    def array(self, key: str, name: str) -> np.ndarray | None:
        """One stored array of the case ``key`` (None if it was not kept)."""
        if self._arrays is None:
            self._arrays = _Arrays(self.directory, self.record)
        return self._arrays.get(array_key(key, name))

    def close(self) -> None:
        if self._arrays is not None:
            self._arrays.close()
            self._arrays = None


def live_columns(run: Run) -> tuple[list[Column], list[Column]]:
    """The run's backends: ``(live, golden)``, each sorted by name.

    A backend record marked ``source: golden`` (the golden run itself, or a
    run that copied one) is a golden column, not one of this run's backends.
    """
    live, golden = [], []
    for name in sorted(run.backends):
        record = run.backends[name]
        source = "golden" if record.get("source") == "golden" else "live"
        col = Column(name, source, record, run.directory)
        (golden if col.golden else live).append(col)
    return live, golden


@dataclass
class GoldenInfo:
    """Which golden records a report used, for ``results.json``'s ``golden``."""

    enabled: bool
    available: bool = False
    directory: str | None = None
    note: str | None = None
    backends: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "available": self.available,
            "directory": self.directory,
            "note": self.note,
            "backends": self.backends,
        }


def _load_golden() -> Run | None:
    """The shipped golden run, or None; ImportError if kconform ships none."""
    from ..golden import load_golden_run  # lazily: it may not exist yet

    return load_golden_run()


def golden_columns(present: set[str], enabled: bool) -> tuple[list[Column], GoldenInfo]:
    """Golden columns for the built-in backends not in ``present``."""
    info = GoldenInfo(enabled=enabled)
    if not enabled:
        info.note = "golden records not used (turned off)"
        return [], info
    try:
        run = _load_golden()
    except ImportError:
        info.note = "this kconform ships no golden records"
        return [], info
    except (RecordsError, OSError, ValueError) as exc:
        info.note = f"the golden records could not be read: {exc}"
        return [], info
    if run is None:
        info.note = "this kconform ships no golden records"
        return [], info
    info.available = True
    info.directory = str(run.directory)
    cols = []
    for name in BUILTIN:
        if name in present or name not in run.backends:
            continue
        col = Column(name, "golden", run.backends[name], Path(run.directory))
        cols.append(col)
        rec = col.record
        info.backends[name] = {
            "label": col.label,
            "kconform_version": rec.get("kconform_version"),
            "contract_version": rec.get("contract_version"),
            "framework": (rec.get("info") or {}).get("framework"),
            "framework_version": (rec.get("info") or {}).get("framework_version"),
        }
    if not cols:
        info.note = "every built-in backend with golden records ran here"
    return sorted(cols, key=lambda c: c.name), info
