"""Declared deviations: reading a backend's file, matching ids, reporting stale entries.

A deviation file is TOML with one ``[[deviation]]`` table per entry::

    [[deviation]]
    id = "erf[torch-bfloat16]"       # exact case id, or a pattern with * ? [...]
    reason = "torch computes erf in bfloat16 without widening"
    link = "https://github.com/pytorch/pytorch/issues/..."   # optional

An id matches a case exactly, or as a pattern when it contains ``*`` (any run
of characters) or ``?`` (one character); brackets are literal, since case ids
hold them (``erf[torch-*]`` matches every dtype of torch's erf). The pattern
must match the whole id: never a substring.
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

__all__ = ["is_pattern", "match_deviation", "read_deviations"]


def read_deviations(path: str | Path) -> list[dict[str, str]]:
    """Read a deviations TOML file; a missing file means no deviations."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise KconformError(f"Deviation file {path} is not valid TOML: {exc}") from exc
    entries = data.get("deviation", [])
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "id" not in entry or "reason" not in entry:
            raise KconformError(
                f"Deviation file {path}, entry {i + 1}: each [[deviation]] needs "
                f"'id' and 'reason'; received {entry!r}"
            )
        out.append({k: str(v) for k, v in entry.items()})
    return out


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
