"""Seeded inputs in any contract dtype, and the special values of each float dtype."""

from __future__ import annotations

import numpy as np

from ..dtypes import FLOATS, INTS, finfo, to_numpy_dtype

__all__ = ["rand", "special_values"]


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
        return rng.random(shape) < 0.5
    if dtype in INTS:
        lo, hi = int(np.ceil(low)), int(np.floor(high))
        return rng.integers(lo, hi + 1, size=shape).astype(to_numpy_dtype(dtype))
    return rng.uniform(low, high, size=shape).astype(to_numpy_dtype(dtype))


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
    np_dtype = to_numpy_dtype(dtype)
    with np.errstate(over="ignore"):
        extras = [
            float(np.asarray(v, dtype=np.float64).astype(np_dtype)) for v in extra
        ]
    values += [v for v in extras if np.isfinite(v)]
    return np.asarray(values, dtype=np.float64).astype(np_dtype)
