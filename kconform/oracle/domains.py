"""Inputs that cover a dtype's whole domain, derived from the dtype and the spec.

The canonical samples stay within a few units; faults live elsewhere: at the
top and bottom of the range, at overflow thresholds, where an implementation
switches formula (a softplus that returns ``x`` above some threshold), at the
sign of zero, beyond the int32 range in int64. The values here come from the
dtype's properties, so that a fault nobody listed is still in reach:

- **boundaries**: ±0, ±1 and their neighbours, the smallest subnormal and
  normal, the largest finite value and its neighbour;
- **magnitudes across the finite range**: one value with a random significand
  in every binade (log-uniform exponents), both signs, and eight per binade
  over ``[2**-8, 2**8)`` where most formulas switch;
- **landmarks** of the dtype where implementations change formula:
  ``±log(max)``, ``±log(smallest normal)``, ``±log(eps)``, ``sqrt(eps)``,
  ``1/sqrt(eps)``, ``sqrt(max)``, each with its neighbours;
- **branch points** a spec declares (``gelu``'s tail, ``log1p``'s -1), with
  values on both sides at relative steps ``2**-k``;
- **transitions** found from the oracle: where the result, rounded to the
  dtype, changes class (finite to inf, normal to subnormal or zero, NaN to a
  number), located by bisection over the dtype's representable values, with
  the values on both sides;
- **integers** from every bit width of the dtype, both signs, and its min and
  max (int64 values beyond the int32 range).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..dtypes import FLOATS, INTS, finfo, round_to, to_numpy_dtype

__all__ = [
    "float_domain",
    "from_ordinal",
    "int_domain",
    "landmarks",
    "to_ordinal",
    "transitions",
    "whole_range",
]

#: Binades sampled densely (eight values each): where formulas usually switch.
DENSE_BINADES = range(-8, 8)
DENSE_PER_BINADE = 8
#: Relative steps on each side of a declared branch point.
BRANCH_STEPS = tuple(2.0**-k for k in (1, 2, 3, 4, 6, 8, 12, 16, 24))

_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}
_INT = {2: np.int16, 4: np.int32, 8: np.int64}


def to_ordinal(values: np.ndarray, dtype: str) -> np.ndarray:
    """Each value's position among ``dtype``'s ordered representable values.

    Consecutive floats have consecutive ordinals, ``-0`` and ``+0`` both map to
    0; the values must already be representable in ``dtype`` and not NaN.
    """
    x = round_to(values, dtype)
    size = x.dtype.itemsize
    bits = x.view(_UINT[size]).astype(np.int64) if size < 8 else x.view(np.int64)
    sign_bit = 1 << (8 * size - 1)
    if size < 8:
        magnitude = bits & (sign_bit - 1)
        negative = (bits & sign_bit) != 0
    else:
        magnitude = bits & np.int64(0x7FFFFFFFFFFFFFFF)
        negative = bits < 0
    return np.where(negative, -magnitude, magnitude)


def from_ordinal(ordinals: np.ndarray, dtype: str) -> np.ndarray:
    """The float64 values of ``dtype`` at ``ordinals`` (the inverse of to_ordinal)."""
    target = to_numpy_dtype(dtype)
    size = target.itemsize
    o = np.asarray(ordinals, dtype=np.int64)
    magnitude = np.abs(o)
    if size < 8:
        bits = np.where(o < 0, magnitude | (1 << (8 * size - 1)), magnitude)
        return bits.astype(_UINT[size]).view(target).astype(np.float64)
    bits = np.where(o < 0, magnitude | np.int64(-0x8000000000000000), magnitude)
    return bits.astype(np.int64).view(np.float64)


def _neighbours(values: Iterable[float], dtype: str, k: int = 2) -> np.ndarray:
    """Each finite value of ``dtype`` with its ``k`` neighbours on either side."""
    v = round_to(np.asarray(list(values), dtype=np.float64), dtype).astype(np.float64)
    v = v[np.isfinite(v)]
    if not v.size:
        return v
    ords = to_ordinal(v, dtype)[:, None] + np.arange(-k, k + 1)[None, :]
    top = int(to_ordinal(np.array([float(finfo(dtype).max)]), dtype)[0])
    ords = np.clip(ords, -top, top)
    return from_ordinal(ords.reshape(-1), dtype)


def landmarks(dtype: str) -> np.ndarray:
    """Where implementations of exp, log, sqrt and friends switch formula."""
    info = finfo(dtype)
    eps, tiny, big = float(info.eps), float(info.smallest_normal), float(info.max)
    points = [
        np.log(big),
        np.log(tiny),
        np.log(eps),
        -np.log(eps),
        np.log(eps) / 2,
        np.sqrt(eps),
        1 / np.sqrt(eps),
        np.sqrt(big),
        np.sqrt(tiny),
        1 / eps,
    ]
    return _neighbours([s * p for p in points for s in (1.0, -1.0)], dtype)


def float_domain(
    rng: np.random.Generator,
    dtype: str,
    branches: Iterable[float] = (),
) -> np.ndarray:
    """Float64 values, exact in ``dtype``, covering its finite range (see above)."""
    info = finfo(dtype)
    sub, tiny, big = (
        float(info.smallest_subnormal),
        float(info.smallest_normal),
        float(info.max),
    )
    boundary = [0.0, 1.0, sub, 2 * sub, tiny - sub, tiny, big, 0.5, 2.0]
    parts = [_neighbours([s * b for b in boundary for s in (1.0, -1.0)], dtype, 1)]
    parts.append(np.array([-0.0]))
    low = int(np.log2(sub))
    exponents = np.arange(low, int(info.maxexp))
    parts.append(_binade_values(rng, exponents, 1))
    parts.append(_binade_values(rng, np.asarray(DENSE_BINADES), DENSE_PER_BINADE))
    parts.append(landmarks(dtype))
    for b in branches:
        side = [b * (1 + s * step) for step in BRANCH_STEPS for s in (1, -1)]
        if b == 0:
            side = [s * step for step in BRANCH_STEPS for s in (1, -1)]
        parts.append(_neighbours([b, *side], dtype))
    values = round_to(np.concatenate(parts), dtype).astype(np.float64)
    values = values[np.isfinite(values)]
    return _unique_keep_zero_signs(values)


def _binade_values(
    rng: np.random.Generator, exponents: np.ndarray, per: int
) -> np.ndarray:
    """``per`` values with random significands in each binade, both signs."""
    e = np.repeat(exponents, per)
    m = rng.uniform(1.0, 2.0, size=e.size)
    v = np.ldexp(m, e)
    return np.concatenate([v, -v])


def _unique_keep_zero_signs(values: np.ndarray) -> np.ndarray:
    """Sorted unique values, ``-0.0`` and ``+0.0`` both kept."""
    zeros = values[values == 0]
    rest = np.unique(values[values != 0])
    signs = np.unique(np.signbit(zeros))
    z = np.array([-0.0 if s else 0.0 for s in signs])
    return np.sort(np.concatenate([rest, z]), kind="stable")


def int_domain(rng: np.random.Generator, dtype: str) -> np.ndarray:
    """Int64 values of ``dtype``: every bit width, both signs, min and max."""
    info = np.iinfo(to_numpy_dtype(dtype))
    bits = info.bits - 1
    widths = np.arange(bits)
    low = np.left_shift(np.int64(1), widths.astype(np.int64))
    span = np.maximum(low, 1)
    offsets = (rng.random(widths.size) * span).astype(np.int64)
    values = low + offsets
    edges = [info.min, info.min + 1, -2, -1, 0, 1, 2, info.max - 1, info.max]
    return np.unique(
        np.concatenate([values, -values, np.asarray(edges, dtype=np.int64)])
    )


def _class_of(values: np.ndarray, dtype: str) -> np.ndarray:
    """0 NaN, ±1 zero, ±2 subnormal, ±3 normal, ±4 inf, after rounding to dtype."""
    r = round_to(values, dtype).astype(np.float64)
    mag = np.abs(r)
    tiny = float(finfo(dtype).smallest_normal)
    cls = np.select(
        [np.isnan(r), mag == 0, mag < tiny, np.isinf(r)], [0, 1, 2, 4], default=3
    )
    return np.where(np.signbit(r) & (cls > 0), -cls, cls)


def transitions(
    fn: Callable[[np.ndarray], Any], dtype: str, grid: np.ndarray, k: int = 2
) -> np.ndarray:
    """Values around each point where ``fn``'s result changes class in ``dtype``.

    ``fn`` is the float64 oracle of a unary elementwise op; ``grid`` the sorted
    domain values. Between adjacent grid values of different classes, bisection
    over the representable values of ``dtype`` finds the last value of the first
    class; it and ``k`` values either side are returned.
    """
    grid = grid[np.isfinite(grid)]
    if grid.size < 2:
        return np.empty(0)

    def classes(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return _class_of(np.asarray(fn(x), dtype=np.float64), dtype)

    c = classes(grid)
    change = np.nonzero(c[1:] != c[:-1])[0]
    if not change.size:
        return np.empty(0)
    lo = to_ordinal(grid[change], dtype)
    hi = to_ordinal(grid[change + 1], dtype)
    c_lo = c[change]
    for _ in range(70):  # ordinals of float64 span 2**64
        open_ = hi - lo > 1
        if not open_.any():
            break
        mid = lo + (hi - lo) // 2
        same = classes(from_ordinal(mid, dtype)) == c_lo
        lo = np.where(open_ & same, mid, lo)
        hi = np.where(open_ & ~same, mid, hi)
    return _neighbours(from_ordinal(lo, dtype), dtype, k)


def whole_range(
    rng: np.random.Generator,
    dtype: str,
    reference: Callable[[np.ndarray], Any] | None = None,
    branches: Iterable[float] = (),
) -> np.ndarray:
    """The domain of ``dtype`` as an array of it: floats with the transitions of
    ``reference`` (a unary oracle), ints across their range."""
    if dtype in INTS:
        return int_domain(rng, dtype).astype(to_numpy_dtype(dtype))
    if dtype not in FLOATS:
        raise ValueError(f"whole_range needs a float or int dtype; received {dtype!r}")
    values = float_domain(rng, dtype, branches)
    if reference is not None:
        found = transitions(reference, dtype, values)
        values = _unique_keep_zero_signs(np.concatenate([values, found]))
    return round_to(values, dtype)
