"""Seeded inputs in any contract dtype, and the special values of each float dtype."""

from __future__ import annotations

import numpy as np

from ..dtypes import FLOATS, INTS, finfo, round_to, to_numpy_dtype

__all__ = ["rand", "special_values", "subnormal_rows"]


def rand(
    rng: np.random.Generator,
    shape: tuple[int, ...],
    dtype: str,
    low: float = -3.0,
    high: float = 3.0,
) -> np.ndarray:
    """Uniform values in ``[low, high)`` of ``dtype``, drawn in float64 then rounded.

    Ints are drawn from ``[ceil(low), floor(high)]``; bools are fair coins.
    """
    if dtype == "bool":
        return np.asarray(rng.random(shape) < 0.5)
    if dtype in INTS:
        lo, hi = int(np.ceil(low)), int(np.floor(high))
        return rng.integers(lo, hi + 1, size=shape).astype(to_numpy_dtype(dtype))
    return round_to(rng.uniform(low, high, size=shape), dtype)


def special_values(dtype: str, extra: tuple[float, ...] = ()) -> np.ndarray:
    """±0, ±inf, NaN, the smallest subnormal and normal, ±max, ±1, and ``extra``.

    ``extra`` values are rounded to ``dtype`` (and dropped if they overflow).
    """
    if dtype not in FLOATS:
        raise ValueError(f"special values need a float dtype; received {dtype!r}")
    info = finfo(dtype)
    tiny_sub = float(info.smallest_subnormal)
    values = [
        0.0,
        -0.0,
        np.inf,
        -np.inf,
        np.nan,
        tiny_sub,
        -tiny_sub,
        float(info.smallest_normal),
        float(info.max),
        -float(info.max),
        1.0,
        -1.0,
        0.5,
    ]
    extras = [float(v) for v in round_to(np.asarray(extra, dtype=np.float64), dtype)]
    values += [v for v in extras if np.isfinite(v)]
    return round_to(np.asarray(values, dtype=np.float64), dtype)


def subnormal_rows(arrays: list[np.ndarray], dtype: str) -> np.ndarray:
    """Which rows (axis 0) hold a nonzero value below ``dtype``'s smallest normal.

    Special-value samples put one independent case per row, so that rows whose
    inputs or results are subnormal can be checked apart (``-subnormal`` cases):
    many backends flush subnormals to zero, and that must not hide NaN or inf.
    """
    tiny = float(finfo(dtype).smallest_normal)
    rows = np.zeros(len(arrays[0]) if np.ndim(arrays[0]) else 1, dtype=bool)
    for a in arrays:
        a64 = np.abs(np.asarray(a).astype(np.float64))
        sub = (a64 > 0) & (a64 < tiny)
        rows |= sub.reshape(len(rows), -1).any(axis=1) if sub.size else False
    return rows
