"""How far apart two stored arrays are: absolute, relative, ULP, exact mismatches.

Two backends' outputs for the same case are compared element by element:

- **max abs**: ``|a - b|``;
- **max rel**: ``|a - b| / max(|a|, |b|, tiny)``, where ``tiny`` is the
  smallest normal number of the measuring dtype: below it the spacing of
  floats no longer shrinks, so a subnormal against zero (a backend that flushes
  subnormals) is a relative difference of at most about one unit of the
  normal range, not 1;
- **normwise**: ``max|a - b| / max(max|a|, max|b|, tiny)``: the largest
  difference against the largest magnitude of the output, which values near
  zero do not dominate;
- **max ULP** (float arrays): the number of representable values of the
  measuring dtype between ``a`` and ``b`` (adjacent floats are 1 apart; +0
  and -0 are 0 apart). The measuring dtype is the case's dtype when both
  arrays hold it exactly (float16 and bfloat16 outputs are stored widened to
  float32), else the wider of the two stored dtypes;
- **mismatches**: how many elements differ (for integer and bool arrays, the
  only measure that matters: they are equal or not).

NaN against NaN and an infinity against the same infinity are equal; NaN or an
infinity against anything else is an infinite distance in every measure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dtypes import FLOATS, finfo, to_numpy_dtype

__all__ = ["ArrayDiff", "compare_arrays", "measure_dtype", "ulp_distance"]

_INT_OF_SIZE = {2: np.int16, 4: np.int32, 8: np.int64}


@dataclass(frozen=True)
class ArrayDiff:
    """The distance between two arrays of the same case on two backends."""

    size: int
    equal: bool
    max_abs: float = 0.0
    max_rel: float = 0.0
    #: Normwise: ``max|a - b| / max(max|a|, max|b|, tiny)`` (robust near zero).
    scaled: float = 0.0
    #: ULP distance in :attr:`dtype`; None for integer and bool arrays.
    ulp: float | None = None
    mismatches: int = 0
    #: The dtype the ULP distance is counted in (None: compared exactly).
    dtype: str | None = None
    #: ``(shape_a, shape_b)`` when the shapes differ (nothing else is measured).
    shapes: tuple[tuple[int, ...], tuple[int, ...]] | None = None
    exact: bool = False  # integer or bool: equal or not

    @property
    def shape_mismatch(self) -> bool:
        return self.shapes is not None


def _is_float(arr: np.ndarray) -> bool:
    # bfloat16 (ml_dtypes) has kind 'V'; the store widens it to float32 anyway.
    return arr.dtype.kind == "f" or arr.dtype.name == "bfloat16"


def _holds(arr: np.ndarray, dtype: np.dtype) -> bool:
    """Whether every value of ``arr`` survives a round trip through ``dtype``."""
    if arr.dtype == dtype:
        return True
    with np.errstate(over="ignore", invalid="ignore"):
        back = arr.astype(dtype).astype(arr.dtype)
    return bool(np.array_equal(back, arr, equal_nan=True))


def measure_dtype(a: np.ndarray, b: np.ndarray, case_dtype: str | None) -> str:
    """The float dtype in which to count the ULPs between ``a`` and ``b``.

    The case's dtype where both arrays hold it exactly; otherwise the wider
    of the arrays' own dtypes.
    """
    if case_dtype in FLOATS:
        target = to_numpy_dtype(case_dtype)
        if _holds(a, target) and _holds(b, target):
            return case_dtype
    wider = max(a.dtype.itemsize, b.dtype.itemsize)
    return {2: "float16", 4: "float32"}.get(wider, "float64")


def _ordered(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """The floats of ``x`` in ``dtype`` as integers in the order of their values."""
    bits = x.astype(dtype).view(_INT_OF_SIZE[dtype.itemsize]).astype(np.int64)
    lowest = -(2 ** (8 * dtype.itemsize - 1))
    # Sign-magnitude to two's complement: -0.0 maps to 0, like +0.0.
    return np.where(bits < 0, lowest - bits, bits)


def ulp_distance(a: np.ndarray, b: np.ndarray, dtype: str) -> np.ndarray:
    """Elementwise count of ``dtype`` values between ``a`` and ``b`` (float64).

    ``a`` and ``b`` must hold values of ``dtype`` exactly (see
    :func:`measure_dtype`). Equal NaNs and equal infinities are 0 apart; a NaN
    or an infinity against anything else is ``inf``.

    >>> import numpy as np
    >>> one = np.float32(1.0)
    >>> float(ulp_distance(one, np.nextafter(one, np.float32(2)), "float32"))
    1.0
    """
    nd = to_numpy_dtype(dtype)
    a = np.asarray(a)
    b = np.asarray(b)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        oa, ob = _ordered(a, nd), _ordered(b, nd)
    same_sign = (oa >= 0) == (ob >= 0)
    with np.errstate(over="ignore"):
        near = np.abs(oa - ob).astype(np.float64)  # exact when the signs agree
    far = np.abs(oa).astype(np.float64) + np.abs(ob).astype(np.float64)
    dist = np.where(same_sign, near, far)
    return _specials(dist, a64, b64)


def _specials(dist: np.ndarray, a64: np.ndarray, b64: np.ndarray) -> np.ndarray:
    """0 where both are the same NaN/infinity, ``inf`` where only one is special."""
    special = ~np.isfinite(a64) | ~np.isfinite(b64)
    if not special.any():
        return dist
    same = (np.isnan(a64) & np.isnan(b64)) | (a64 == b64)
    dist = np.array(dist, dtype=np.float64, copy=True)
    dist[special] = np.where(same[special], 0.0, np.inf)
    return dist


def compare_arrays(a: np.ndarray, b: np.ndarray, case_dtype: str | None) -> ArrayDiff:
    """The distance between ``a`` and ``b`` (see the module docstring)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return ArrayDiff(size=0, equal=False, shapes=(tuple(a.shape), tuple(b.shape)))
    size = int(a.size)
    if size == 0:
        return ArrayDiff(size=0, equal=True, exact=not (_is_float(a) and _is_float(b)))
    if not (_is_float(a) and _is_float(b)):
        return _compare_exact(a, b)
    if a.dtype == b.dtype and a.tobytes() == b.tobytes():
        return ArrayDiff(
            size=size, equal=True, ulp=0.0, dtype=measure_dtype(a, b, case_dtype)
        )
    dtype = measure_dtype(a, b, case_dtype)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    tiny = float(finfo(dtype).tiny)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = _specials(np.abs(a64 - b64), a64, b64)
        mag = np.maximum(np.maximum(np.abs(a64), np.abs(b64)), tiny)
        rel = np.where(np.isfinite(diff) & (diff > 0), diff / mag, diff)
    ulp = ulp_distance(a, b, dtype)
    mismatches = int(np.count_nonzero(ulp))
    return ArrayDiff(
        size=size,
        equal=mismatches == 0,
        max_abs=float(diff.max()),
        max_rel=float(rel.max()),
        scaled=_scaled(diff, a64, b64, tiny),
        ulp=float(ulp.max()),
        mismatches=mismatches,
        dtype=dtype,
    )


def _scaled(
    diff: np.ndarray, a64: np.ndarray, b64: np.ndarray, floor: float = 0.0
) -> float:
    """``max|a - b| / max(max|a|, max|b|, floor)`` over the finite values."""
    worst = float(diff.max())
    if worst == 0.0 or not np.isfinite(worst):
        return worst
    with np.errstate(invalid="ignore"):
        top = max(
            float(np.nanmax(np.abs(np.where(np.isfinite(a64), a64, 0.0)))),
            float(np.nanmax(np.abs(np.where(np.isfinite(b64), b64, 0.0)))),
        )
    top = max(top, floor)
    return worst / top if top > 0 else float("inf")


def _compare_exact(a: np.ndarray, b: np.ndarray) -> ArrayDiff:
    """Integer or bool arrays (or one of them): equal element by element or not."""
    if _is_float(a) or _is_float(b):
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        same = (a64 == b64) | (np.isnan(a64) & np.isnan(b64))
    else:
        same = np.equal(a, b)
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
    mismatches = int(a.size - np.count_nonzero(same))
    if mismatches == 0:
        return ArrayDiff(size=int(a.size), equal=True, exact=True)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = _specials(np.abs(a64 - b64), a64, b64)
        diff = np.where(same, 0.0, diff)
        mag = np.maximum(np.abs(a64), np.abs(b64))
        rel = np.where(mag > 0, diff / np.where(mag > 0, mag, 1.0), 0.0)
        rel = np.where(np.isfinite(diff), rel, diff)
    return ArrayDiff(
        size=int(a.size),
        equal=False,
        max_abs=float(diff.max()),
        max_rel=float(rel.max()),
        scaled=_scaled(diff, a64, b64),
        mismatches=mismatches,
        exact=True,
    )
