"""Measuring a backend's output against the float64 oracle under an error budget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dtypes import FLOATS, is_float, round_to
from .spec import Bound, Budget, Exact, Ulp
from .ulp import ulp_error, ulp_of, unit_roundoff

__all__ = ["Measurement", "measure", "widen"]


def widen(value: Any) -> Any:
    """Widen a sample argument for the oracle: floats to float64, ints to int64."""
    if isinstance(value, np.ndarray):
        if value.dtype == np.bool_:
            return value
        if np.issubdtype(value.dtype, np.integer):
            return value.astype(np.int64)
        return value.astype(np.float64)
    if isinstance(value, list):
        return [widen(v) for v in value]
    return value


@dataclass
class Measurement:
    """The worst element of one comparison, in the budget's unit."""

    error: float
    allowed: float
    unit: str
    index: tuple[int, ...] | None = None
    got: Any = None
    expected: Any = None
    worst_ulp: float | None = None

    @property
    def passed(self) -> bool:
        return bool(self.error <= self.allowed)

    def describe(self) -> str:
        """The one-line description, for example:

        ``max error 9 ulp > budget 4 ulp at (2, 5): got=0.1312 oracle=0.13119990``.
        """
        cmp = "<=" if self.passed else ">"
        if self.unit == "exact":
            head = "values differ" if not self.passed else "exact"
        else:
            head = (
                f"max error {_fmt_err(self.error)} {self.unit} {cmp} "
                f"budget {self.allowed:g} {self.unit}"
            )
        if self.index is None:
            return head
        return f"{head} at {self.index}: got={self.got!r} oracle={self.expected!r}"


def _fmt_err(err: float) -> str:
    return "inf" if np.isinf(err) else f"{err:.3g}"


def _equal_with_nan(out: np.ndarray, ref: np.ndarray) -> np.ndarray:
    if is_float(out.dtype) or is_float(ref.dtype):
        o, r = out.astype(np.float64), ref.astype(np.float64)
        return (o == r) | (np.isnan(o) & np.isnan(r))
    return out == ref


def _pick(arr: np.ndarray, index: tuple[int, ...]) -> Any:
    value = arr[index] if arr.ndim else arr[()]
    return value.item() if hasattr(value, "item") else value


def measure(
    out: np.ndarray, ref: Any, dtype: str, budget: Budget, args64: tuple
) -> Measurement:
    """Compare ``out`` (the backend's result as NumPy) with the oracle's ``ref``.

    Shapes must already agree. ``dtype`` is the expected result dtype.
    """
    ref = np.asarray(ref)
    if dtype not in FLOATS or isinstance(budget, Exact):
        if dtype in FLOATS:  # exact in the output dtype: the oracle rounded to it
            ref = round_to(ref, dtype)
        ok = _equal_with_nan(out, ref)
        if ok.all():
            return Measurement(0.0, 0.0, "exact")
        idx = tuple(int(i) for i in np.argwhere(~ok)[0])
        return Measurement(np.inf, 0.0, "exact", idx, _pick(out, idx), _pick(ref, idx))
    ulps = ulp_error(out, ref, dtype)
    worst_ulp = float(ulps.max()) if ulps.size else 0.0
    if isinstance(budget, Ulp):
        err = ulps
    else:
        assert isinstance(budget, Bound)
        # Scales of special values (inf, max) overflow harmlessly: their elements
        # are judged by the ULP rules for special values below.
        with np.errstate(all="ignore"):
            scale = np.broadcast_to(
                np.asarray(budget.scale(*args64), dtype=np.float64), ref.shape
            )
            ref64 = ref.astype(np.float64)
            bound = unit_roundoff(dtype) * scale + ulp_of(ref64, dtype)
            err = np.abs(out.astype(np.float64) - ref64) / bound
        err = np.where(np.isinf(ulps) | (ulps == 0), ulps, err)
        err = np.nan_to_num(err, nan=0.0)
    if err.size == 0:
        return Measurement(0.0, budget.allowed(dtype), budget.unit, worst_ulp=0.0)
    flat = int(np.argmax(err))
    idx = tuple(int(i) for i in np.unravel_index(flat, err.shape))
    return Measurement(
        float(err.reshape(-1)[flat]),
        budget.allowed(dtype),
        budget.unit,
        idx,
        _pick(out, idx),
        _pick(ref, idx),
        worst_ulp,
    )
