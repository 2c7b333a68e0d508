"""Unique default names (``dense``, ``dense_1``, ...), as Keras gives them."""

from __future__ import annotations

import re
from collections import defaultdict

__all__ = ["clear_session", "to_snake_case", "unique_name"]

_counts: dict[str, int] = defaultdict(int)


def to_snake_case(name: str) -> str:
    """``"BatchNormalization"`` -> ``"batch_normalization"``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def unique_name(prefix: str) -> str:
    """``prefix`` the first time, then ``prefix_1``, ``prefix_2``, ..."""
    n = _counts[prefix]
    _counts[prefix] += 1
    return prefix if n == 0 else f"{prefix}_{n}"


def clear_session() -> None:
    """Reset default-name counters (Keras's ``clear_session``)."""
    _counts.clear()
