"""Declared deviations: reading a backend's file, matching ids, reporting stale entries.

A deviation file is TOML with one ``[[deviation]]`` table per entry::

    [[deviation]]
    id = "erf[torch-bfloat16]"       # exact case id, or a pattern with * ?
    reason = "torch computes erf in bfloat16 without widening"
    link = "https://github.com/pytorch/pytorch/issues/..."   # optional

    [[deviation]]                    # one reason for many cases: ids = [...]
    ids = ["floor[mine-float16]", "ceil[mine-*]", "round-special[mine-*]"]
    reason = "rounding goes through float32"

How an id matches a case id (the names pytest prints: ``softmax[torch-float32]``,
``exp-grad[jax-float64]``, ``matmul-errors[numpy]``, ``mlp-fit[torch]``):

- an id without ``*`` or ``?`` is exact: it matches that one case, and a case
  it names that passes is reported (the entry is out of date);
- ``*`` matches any run of characters (none included), ``?`` exactly one;
  every other character is literal, ``[`` and ``]`` included (case ids hold
  them: ``erf[torch-*]`` matches every dtype of torch's erf, and
  ``*[torch-bfloat16]`` every check of every op in bfloat16);
- a pattern must match the whole case id, never a substring; a pattern may
  match cases that pass (only those that fail become deviations);
- an exact id is looked up before any pattern; among patterns the first in
  the file wins;
- an entry that matches no case of a run is reported as stale.

The plugin hook ``kconform_deviations`` returns the same entries as dicts
(``{"id": ..., "reason": ...}`` or ``{"ids": [...], "reason": ...}``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .errors import KconformError

__all__ = ["expand_entries", "is_pattern", "match_deviation", "read_deviations"]


def expand_entries(entries: object, where: str) -> list[dict[str, str]]:
    """Declared entries as one ``{"id", "reason", ...}`` dict per id.

    An entry gives ``id`` (one) or ``ids`` (a list) and a ``reason``; anything
    else (``link``, ``tracking``) is kept as text. Raises :class:`KconformError`
    naming ``where`` and the entry for anything malformed.
    """
    if not isinstance(entries, (list, tuple)):
        raise KconformError(
            f"{where}: expected a list of deviation entries, got "
            f"{type(entries).__name__}"
        )
    out: list[dict[str, str]] = []
    for i, entry in enumerate(entries):
        problem = None
        if not isinstance(entry, dict):
            problem = "is not a table"
        elif "reason" not in entry or not str(entry["reason"]).strip():
            problem = "has no 'reason'"
        elif ("id" in entry) == ("ids" in entry):
            problem = "needs exactly one of 'id' (a case id) or 'ids' (a list)"
        elif "ids" in entry and (
            not isinstance(entry["ids"], (list, tuple))
            or not entry["ids"]
            or not all(isinstance(x, str) and x for x in entry["ids"])
        ):
            problem = "'ids' must be a non-empty list of case ids"
        if problem:
            raise KconformError(
                f"{where}, entry {i + 1} {problem}; each [[deviation]] needs 'id' "
                f"or 'ids', and 'reason'. Received {entry!r}"
            )
        assert isinstance(entry, dict)
        extra = {k: str(v) for k, v in entry.items() if k not in ("id", "ids")}
        ids = [entry["id"]] if "id" in entry else list(entry["ids"])
        out += [{"id": str(case_id), **extra} for case_id in ids]
    return out


def read_deviations(path: str | Path) -> list[dict[str, str]]:
    """Read a deviations TOML file; a missing file means no deviations."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise KconformError(f"Deviation file {path} is not valid TOML: {exc}") from exc
    return expand_entries(data.get("deviation", []), f"Deviation file {path}")


def is_pattern(case_id: str) -> bool:
    """Whether a declared id is a pattern (has ``*`` or ``?``), not an exact id."""
    return "*" in case_id or "?" in case_id


def _compile(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts))


def match_deviation(
    case_id: str, deviations: list[dict[str, str]]
) -> dict[str, str] | None:
    """The first declared deviation matching ``case_id`` exactly or by pattern."""
    for dev in deviations:
        declared = dev["id"]
        if declared == case_id:
            return dev
    for dev in deviations:
        declared = dev["id"]
        if is_pattern(declared) and _compile(declared).fullmatch(case_id):
            return dev
    return None
