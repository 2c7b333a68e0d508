"""Measuring a backend's output against the float64 oracle under an error budget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dtypes import FLOATS, INTS, finfo, is_float, round_to, to_numpy_dtype
from .spec import Bound, Budget, Exact, Ulp
from .ulp import ulp_error, ulp_of, unit_roundoff

__all__ = ["TAIL_RELATIVE", "Measurement", "measure", "widen"]

#: The tail rule: where the oracle, rounded to the dtype, is a nonzero normal
#: number, a result that is zero, of the other sign, or off by more than this
#: relative error fails whatever the budget (ULP budgets, and bounds whose scale
#: is proportional to the result). It keeps a loose budget from passing a tail
#: flushed to zero (``gelu(-3.5)`` as ``-0.0``) or a wrong asymptote.
TAIL_RELATIVE = 2.0**-3


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
    #: The rule the worst element broke, when not the budget itself.
    rule: str | None = None

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
        if self.rule is not None and not self.passed:
            head = self.rule  # broken whatever the budget: the budget is beside it
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


def _zero_sign_wrong(out: np.ndarray, ref_rounded: np.ndarray) -> np.ndarray:
    """Where both are zero but of different signs."""
    o, r = out.astype(np.float64), ref_rounded.astype(np.float64)
    return (o == 0) & (r == 0) & (np.signbit(o) != np.signbit(r))


def _tail_wrong(out: np.ndarray, ref_rounded: np.ndarray, dtype: str) -> np.ndarray:
    """Where the rounded oracle is a nonzero normal and the result breaks the tail
    rule: zero, the other sign, or a relative error above TAIL_RELATIVE."""
    o, r = out.astype(np.float64), ref_rounded.astype(np.float64)
    tiny = float(finfo(dtype).smallest_normal)
    with np.errstate(all="ignore"):
        normal = np.isfinite(r) & (np.abs(r) >= tiny)
        rel = np.abs(o - r) / np.abs(r)
        bad = (o == 0) | (np.sign(o) != np.sign(r)) | ~(rel <= TAIL_RELATIVE)
    return normal & np.isfinite(o) & bad


def _pick(arr: np.ndarray, index: tuple[int, ...]) -> Any:
    value = arr[index] if arr.ndim else arr[()]
    return value.item() if hasattr(value, "item") else value


def measure(
    out: np.ndarray,
    ref: Any,
    dtype: str,
    budget: Budget,
    args64: tuple,
    signed_zeros: bool = False,
) -> Measurement:
    """Compare ``out`` (the backend's result as NumPy) with the oracle's ``ref``.

    Shapes must already agree. ``dtype`` is the expected result dtype. Integer
    results wrap modulo 2**bits (the contract's integer overflow); with
    ``signed_zeros`` a zero of the wrong sign fails.
    """
    ref = np.asarray(ref)
    if dtype in INTS and ref.dtype.kind in "iu":
        ref = ref.astype(to_numpy_dtype(dtype))  # two's complement wrap-around
    if dtype not in FLOATS or isinstance(budget, Exact):
        if dtype in FLOATS:  # exact in the output dtype: the oracle rounded to it
            ref = round_to(ref, dtype)
        ok = _equal_with_nan(out, ref)
        rule = None
        if signed_zeros and dtype in FLOATS and ok.all():
            ok = ~_zero_sign_wrong(out, ref)
            rule = "zero of the wrong sign"
        if ok.all():
            return Measurement(0.0, 0.0, "exact")
        idx = tuple(int(i) for i in np.argwhere(~ok)[0])
        return Measurement(
            np.inf, 0.0, "exact", idx, _pick(out, idx), _pick(ref, idx), rule=rule
        )
    ulps = ulp_error(out, ref, dtype)
    worst_ulp = float(ulps.max()) if ulps.size else 0.0
    rounded = round_to(ref, dtype)
    rules = np.zeros(ulps.shape, dtype=np.int8)
    if signed_zeros:
        rules[_zero_sign_wrong(out, rounded)] = 1
    if isinstance(budget, Ulp) or budget.tail:
        rules[(rules == 0) & _tail_wrong(out, rounded, dtype)] = 2
    if isinstance(budget, Ulp):
        err = ulps
    else:
        assert isinstance(budget, Bound)
        half = budget.half_in_float32 and dtype in ("float16", "bfloat16")
        u = unit_roundoff("float32" if half else dtype)
        # Scales of special values (inf, max) overflow harmlessly: their elements
        # are judged by the ULP rules for special values below.
        with np.errstate(all="ignore"):
            scale = np.broadcast_to(
                np.asarray(budget.scale(*args64), dtype=np.float64), ref.shape
            )
            ref64 = ref.astype(np.float64)
            bound = u * scale + ulp_of(ref64, dtype)
            err = np.abs(out.astype(np.float64) - ref64) / bound
        err = np.where(np.isinf(ulps) | (ulps == 0), ulps, err)
        err = np.nan_to_num(err, nan=0.0)
    if err.size and not err.max() <= budget.allowed(dtype):
        rules[...] = 0  # the budget itself fails: its message says more
    err = np.where(rules > 0, np.inf, err)
    if err.size == 0:
        return Measurement(0.0, budget.allowed(dtype), budget.unit, worst_ulp=0.0)
    flat = int(np.argmax(err))
    idx = tuple(int(i) for i in np.unravel_index(flat, err.shape))
    rule = int(rules.reshape(-1)[flat])
    return Measurement(
        float(err.reshape(-1)[flat]),
        budget.allowed(dtype),
        budget.unit,
        idx,
        _pick(out, idx),
        _pick(ref, idx),
        worst_ulp,
        rule=_RULES[rule],
    )


_RULES = {
    0: None,
    1: "zero of the wrong sign",
    2: f"tail rule: a normal result returned as zero, with the other sign or "
    f"off by more than {TAIL_RELATIVE:g} relatively",
}
