"""The ``range`` samples of each op family: the op over its dtype's whole domain.

Built from :mod:`kconform.oracle.domains`. Rows whose inputs or results are
subnormal are left out (the ``subnormal`` check has them, apart, since many
backends flush subnormals to zero), so a ``-range`` case judges everything
else: the top of the range, overflow thresholds, tails, the sign of zero,
integer wrap-around.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..dtypes import FLOATS, INTS, finfo, round_to, to_numpy_dtype
from .domains import whole_range
from .inputs import subnormal_rows
from .spec import Sample

__all__ = ["binary_range", "cast_range", "reduction_range", "unary_range"]

RangeFn = Callable[[str], list[Sample]]


def _rng(op: str, dtype: str) -> np.random.Generator:
    return np.random.default_rng((sum(map(ord, op)), sum(map(ord, dtype)), 11))


def _keep_normal(
    reference: Callable[..., Any], arrays: list[np.ndarray], rest: tuple, dtype: str
) -> list[np.ndarray]:
    """``arrays`` (1-D, one case per element) without their subnormal rows.

    A row is left out when an input is subnormal or the result lies below
    ``smallest_normal / eps`` (within the precision's width of the subnormal
    range: computing it may pass through subnormals, which a backend that
    flushes them turns into zero; the ``subnormal`` check judges that).
    """
    if dtype not in FLOATS:
        return arrays
    with np.errstate(all="ignore"):
        ref = np.asarray(
            reference(*[a.astype(np.float64) for a in arrays], *rest), dtype=np.float64
        )
    info = finfo(dtype)
    near = float(info.smallest_normal) / float(info.eps)
    rows = subnormal_rows(arrays, dtype)
    with np.errstate(invalid="ignore"):
        rows |= (ref != 0) & (np.abs(ref) < near)
    return [a[~rows] for a in arrays]


def unary_range(
    op: str,
    reference: Callable[..., Any],
    branches: Iterable[float] = (),
    rest: tuple = (),
) -> RangeFn:
    """``op(x, *rest)`` over the whole domain, with the oracle's transitions and
    values either side of the declared ``branches``."""
    branches = tuple(branches)

    def make(dtype: str) -> list[Sample]:
        def fn(x: np.ndarray) -> Any:
            return reference(x, *rest)

        x = whole_range(
            _rng(op, dtype), dtype, fn if dtype in FLOATS else None, branches
        )
        (x,) = _keep_normal(reference, [x], rest, dtype)
        return [Sample((x, *rest), "whole range")]

    return make


def binary_range(op: str, reference: Callable[..., Any]) -> RangeFn:
    """``op(x1, x2)`` over pairs from the whole domain: random pairs, equal
    operands, opposite operands (signed zeros) and each value against 1 and -1."""

    def make(dtype: str) -> list[Sample]:
        rng = _rng(op, dtype)
        x = whole_range(rng, dtype)
        one = np.ones_like(x)
        firsts = [x[rng.permutation(x.size)], x, x, x, one, -one]
        seconds = [x[rng.permutation(x.size)], x, _negate(x), one, x, x]
        if dtype in FLOATS:
            firsts.append(np.array([0.0, -0.0, 0.0, -0.0], dtype=x.dtype))
            seconds.append(np.array([0.0, 0.0, -0.0, -0.0], dtype=x.dtype))
        x1, x2 = _keep_normal(
            reference, [np.concatenate(firsts), np.concatenate(seconds)], (), dtype
        )
        return [Sample((x1, x2), "pairs from the whole range")]

    return make


def _negate(x: np.ndarray) -> np.ndarray:
    if x.dtype.kind == "i":  # -min overflows: keep min itself
        info = np.iinfo(x.dtype)
        return np.where(x == info.min, x, -np.where(x == info.min, 0, x))
    return -x


#: How large an input may be for each kind of reduction, with ``n`` terms, so
#: that no intermediate overflows where the result does not.
MAGNITUDES: dict[str, Callable[[float, int], float]] = {
    "linear": lambda big, n: big / (2 * n),
    "square": lambda big, n: float(np.sqrt(big / (8 * n))),
    "product": lambda big, n: big ** (1.0 / n) / 2,
    "any": lambda big, n: np.inf,
}
ROW = 8


def reduction_range(
    op: str,
    reference: Callable[..., Any],
    magnitude: str = "linear",
    rest: tuple = (-1, False),
) -> RangeFn:
    """``op(x, *rest)`` (the last axis) over rows of eight values from the whole
    domain, rows of one sign, and rows of tied values (signed zeros among them)."""
    limit = MAGNITUDES[magnitude]

    def make(dtype: str) -> list[Sample]:
        rng = _rng(op, dtype)
        x = whole_range(rng, dtype)
        big = (
            float(finfo(dtype).max)
            if dtype in FLOATS
            else float(np.iinfo(to_numpy_dtype(dtype)).max)
        )
        x = x[np.abs(x.astype(np.float64)) <= limit(big, ROW)]
        if dtype in FLOATS:  # subnormal inputs are the subnormal check's
            x = x[~subnormal_rows([x], dtype)]
        if dtype in FLOATS and magnitude == "product":  # no partial product underflows
            low = 2 * float(finfo(dtype).smallest_normal) ** (1.0 / ROW)
            x = x[(x == 0) | (np.abs(x.astype(np.float64)) >= low)]
        if dtype in INTS and magnitude != "any":  # exact, wraps: keep it in range
            x = x[np.abs(x.astype(np.float64)) <= limit(big, ROW) / ROW]
        x = x[rng.permutation(x.size)][: (x.size // ROW) * ROW].reshape(-1, ROW)
        ties = _tie_rows(x.dtype)
        rows = np.concatenate([x, np.abs(x), ties]) if x.size else ties
        if dtype in FLOATS:
            rows = rows[~_near_subnormal(reference, rows, rest, dtype)]
        return [Sample((rows, *rest), "rows from the whole range, and ties")]

    return make


def _near_subnormal(
    reference: Callable[..., Any], rows: np.ndarray, rest: tuple, dtype: str
) -> np.ndarray:
    """Rows with a result below ``smallest_normal / eps`` (see _keep_normal)."""
    info = finfo(dtype)
    near = float(info.smallest_normal) / float(info.eps)
    with np.errstate(all="ignore"):
        ref = np.asarray(reference(rows.astype(np.float64), *rest), dtype=np.float64)
        small = (ref != 0) & (np.abs(ref) < near)
    return small.reshape(len(rows), -1).any(axis=1)


def _tie_rows(dtype: np.dtype) -> np.ndarray:
    """Rows whose extremes are tied: the first of equal values must win."""
    if dtype.kind == "f" or dtype == to_numpy_dtype("bfloat16"):
        rows = [
            [-0.0, 0.0, -0.0, 0.0, -1.0, -2.0, -0.0, 0.0],
            [0.0, -0.0, 0.0, -0.0, -3.0, -0.0, -5.0, -1.0],
            [1.0, 3.0, 3.0, 1.0, 3.0, 1.0, 2.0, 3.0],
            [-1.0, -3.0, -3.0, -1.0, -3.0, -1.0, -2.0, -3.0],
        ]
        return round_to(np.asarray(rows), str(_name(dtype)))
    rows = [[1, 3, 3, 1, 3, 1, 2, 3], [-1, -3, -3, -1, -3, -1, -2, -3]]
    return np.asarray(rows, dtype=dtype)


def _name(dtype: np.dtype) -> str:
    from ..dtypes import name_of

    return name_of(dtype)


def cast_range(reference: Callable[..., Any]) -> Callable[[str], list[Sample]]:
    """``cast(x, target)`` from the whole domain of the source dtype to each
    target, with the rounding ties of each float target, the double-rounding
    traps beside them (a tie plus a little, which rounding through float32
    would turn into a tie) and the overflow threshold of narrower targets.
    Float values beyond an int target's range are left out (unspecified)."""

    def make(dtype: str) -> list[Sample]:
        from ..dtypes import ALL

        rng = _rng("cast", dtype)
        x = whole_range(rng, dtype)
        out = []
        for target in ALL:
            values = x
            if dtype in FLOATS and target in FLOATS:
                values = np.concatenate([x, _ties(rng, dtype, target)])
            if dtype in FLOATS and target in INTS:
                info = np.iinfo(to_numpy_dtype(target))
                v64 = x.astype(np.float64)
                keep = (v64 > info.min - 1) & (v64 < info.max + 1)
                # float32 cannot hold int32's max: its neighbour above rounds out
                keep &= np.trunc(v64) <= info.max
                values = x[keep]
            if dtype in FLOATS:  # subnormal in, or out: the subnormal check's
                for d in (dtype, target) if target in FLOATS else (dtype,):
                    (values,) = _keep_normal(_identity, [values], (), d)
            out.append(
                Sample((values, target), f"{dtype} to {target}, whole range", target)
            )
        return out

    return make


def _identity(v: np.ndarray) -> np.ndarray:
    return np.asarray(v, dtype=np.float64)


def _ties(rng: np.random.Generator, source: str, target: str) -> np.ndarray:
    """Values of ``source`` halfway between two ``target`` values, and beside.

    Ties round to even; a tie plus ``2**-j`` of the target's spacing rounds up,
    unless an intermediate rounding (through float32) dropped the excess first.
    """
    t = finfo(target)
    if finfo(source).nmant <= t.nmant:
        return np.empty(0, dtype=to_numpy_dtype(source))
    exps = rng.integers(int(t.minexp), int(t.maxexp) - 1, size=24)
    base = round_to(np.ldexp(rng.uniform(1, 2, size=exps.size), exps), target)
    base = np.concatenate([base.astype(np.float64), [1.0, 2.0, float(t.max)]])
    spacing = np.ldexp(1.0, np.frexp(base)[1] - 1 - int(t.nmant))
    half = spacing / 2
    offsets = [0.0] + [
        s * 2.0**-j for j in (1, 2, 8, 14, 16, 20, 24, 30, 40) for s in (1, -1)
    ]
    values = np.concatenate([base + half + o * half for o in offsets])
    values = np.concatenate([values, -values])
    exact = round_to(values, source).astype(np.float64) == values
    return round_to(values[exact & np.isfinite(values)], source)
