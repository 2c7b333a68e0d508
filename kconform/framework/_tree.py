"""Nested structures (lists, tuples, dicts) of leaves: flatten, map, rebuild."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["flatten", "map_structure", "pack_like"]


def flatten(s: Any) -> list[Any]:
    """Leaves of ``s`` in order (dicts by sorted key, as Keras does)."""
    if isinstance(s, (list, tuple)):
        out: list[Any] = []
        for item in s:
            out.extend(flatten(item))
        return out
    if isinstance(s, dict):
        out = []
        for key in sorted(s):
            out.extend(flatten(s[key]))
        return out
    return [s]


def map_structure(fn: Callable[[Any], Any], s: Any) -> Any:
    """Apply ``fn`` to every leaf, keeping the structure."""
    if isinstance(s, list):
        return [map_structure(fn, v) for v in s]
    if isinstance(s, tuple):
        return tuple(map_structure(fn, v) for v in s)
    if isinstance(s, dict):
        return {k: map_structure(fn, v) for k, v in s.items()}
    return fn(s)


def pack_like(structure: Any, leaves: list[Any]) -> Any:
    """Rebuild ``structure`` with ``leaves`` (in :func:`flatten` order)."""
    it = iter(leaves)

    def build(s: Any) -> Any:
        if isinstance(s, list):
            return [build(v) for v in s]
        if isinstance(s, tuple):
            return tuple(build(v) for v in s)
        if isinstance(s, dict):
            packed = {k: build(s[k]) for k in sorted(s)}
            return {k: packed[k] for k in s}
        return next(it)

    return build(structure)
