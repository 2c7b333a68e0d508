"""Limits that guard allocation while a saved model is rebuilt."""

from __future__ import annotations

import contextvars

__all__ = ["ALLOC_LIMIT"]

#: While loading: the largest number of scalars any one weight may have (from the file).
ALLOC_LIMIT: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "alloc_limit", default=None
)
