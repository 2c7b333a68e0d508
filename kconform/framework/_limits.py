"""Limits that guard allocation while a saved model is rebuilt.

A model file declares its weights (HDF5 dataset shapes, the ``.keras``
manifest). Before the model is built from its config, the loader sets an
:class:`AllocBudget` from those declarations: no single weight may be larger
than the largest declared array, and all the weights built together may not
hold more values than the file declares. A config that asks for more (64
``Dense(4096)`` in a 6 KB file) is refused at the first weight beyond, before
the memory is taken. The declarations themselves are capped by
:func:`max_load_bytes` (``KCONFORM_MAX_LOAD_BYTES``, default 4 GiB).
"""

from __future__ import annotations

import contextvars
import math
import os
from dataclasses import dataclass

__all__ = ["ALLOC_LIMIT", "AllocBudget", "DEFAULT_MAX_LOAD_BYTES", "max_load_bytes"]

DEFAULT_MAX_LOAD_BYTES = 4 * 2**30


def max_load_bytes() -> int:
    """The most bytes of weights a loaded file may declare (env override)."""
    raw = os.environ.get("KCONFORM_MAX_LOAD_BYTES")
    if raw is None:
        return DEFAULT_MAX_LOAD_BYTES
    try:
        value = int(float(raw))
    except ValueError:
        raise ValueError(
            f"KCONFORM_MAX_LOAD_BYTES={raw!r} is not a number of bytes"
        ) from None
    return max(value, 0)


@dataclass
class AllocBudget:
    """What the weights built while loading may take, from the file's declarations."""

    per_weight: int
    total: int
    used: int = 0

    def take(self, shape: tuple[int, ...], layer: str) -> None:
        """Account for a weight of ``shape``; raise if it goes beyond the file."""
        from ..errors import KconformError

        n = math.prod(shape)
        if n > self.per_weight:
            raise KconformError(
                f"Layer '{layer}' declares a weight of shape {shape} ({n} values), "
                f"more than any weight stored in the file being loaded "
                f"({self.per_weight}); the saved config is corrupt or hostile."
            )
        if self.used + n > self.total:
            raise KconformError(
                f"Layer '{layer}' declares a weight of shape {shape}: the model's "
                f"weights would hold more values ({self.used + n}) than the file "
                f"being loaded stores ({self.total}); the saved config is corrupt "
                "or hostile."
            )
        self.used += n


#: While loading: the budget of the weights built from the file's config.
ALLOC_LIMIT: contextvars.ContextVar[AllocBudget | None] = contextvars.ContextVar(
    "alloc_limit", default=None
)
