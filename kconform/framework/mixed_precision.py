"""``keras.mixed_precision``: only plain (non-mixed) policies are accepted."""

from __future__ import annotations

from .config import dtype_policy, set_dtype_policy

__all__ = ["dtype_policy", "global_policy", "set_dtype_policy", "set_global_policy"]

set_global_policy = set_dtype_policy
global_policy = dtype_policy
