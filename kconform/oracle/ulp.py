"""Distances in units in the last place (ULPs) of a contract float dtype."""

from __future__ import annotations

import numpy as np

from ..dtypes import finfo

__all__ = ["ulp_error", "ulp_of", "unit_roundoff"]


def unit_roundoff(dtype: str) -> float:
    """``u = eps / 2``: the largest relative rounding error of ``dtype``."""
    return float(finfo(dtype).eps) / 2.0


def ulp_of(ref: np.ndarray, dtype: str) -> np.ndarray:
    """The spacing of ``dtype`` at each value of float64 ``ref``.

    The exponent is clamped to the dtype's normal range, so values near zero
    (and subnormals) use the subnormal spacing and values beyond the largest
    finite number use the spacing at the top of the range.
    """
    info = finfo(dtype)
    mag = np.abs(np.asarray(ref, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        exp = np.floor(np.log2(mag))  # -inf at 0: clamped to the subnormal range
    exp = np.clip(
        np.nan_to_num(exp, nan=0.0, posinf=0.0, neginf=info.minexp),
        info.minexp,
        info.maxexp - 1,
    )
    return np.ldexp(1.0, (exp - info.nmant).astype(np.int64))


def ulp_error(out: np.ndarray, ref: np.ndarray, dtype: str) -> np.ndarray:
    """Elementwise ``|out - ref|`` in ULPs of ``dtype`` at ``ref``.

    Special values must match exactly: NaN where the oracle has NaN, the same
    infinity where the oracle overflows in ``dtype``. A mismatch is ``inf``.
    """
    out = np.asarray(out).astype(np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    out, ref = np.broadcast_arrays(out, ref)
    info = finfo(dtype)
    # The oracle rounded to dtype: an overflow there means the right answer is inf.
    with np.errstate(all="ignore"):
        ref_rounded = np.where(
            np.abs(ref) > float(info.max) + ulp_of(ref, dtype) / 2,
            np.sign(ref) * np.inf,
            ref,
        )
    err = np.zeros(out.shape, dtype=np.float64)
    out_nan, ref_nan = np.isnan(out), np.isnan(ref_rounded)
    out_inf, ref_inf = np.isinf(out), np.isinf(ref_rounded)
    special = out_nan | ref_nan | out_inf | ref_inf
    same_special = (out_nan & ref_nan) | (out_inf & ref_inf & (out == ref_rounded))
    err[special & ~same_special] = np.inf
    finite = ~special
    with np.errstate(invalid="ignore", over="ignore"):
        err[finite] = np.abs(out[finite] - ref[finite]) / ulp_of(ref[finite], dtype)
    return err
