"""Spec builders for op families: unary and binary elementwise ops, reductions.

One call declares an op; the family supplies the canonical samples, special
values, invalid calls and the hypothesis strategy, so nothing is written twice.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..dtypes import FLOATS
from . import strategies as st
from .inputs import rand, special_values
from .ranges import binary_range, reduction_range, unary_range
from .shape_rules import broadcast_mismatches
from .spec import Budget, Exact, OpSpec, Sample, Ulp

__all__ = ["binary", "reduction", "unary", "UNARY_SHAPES", "BINARY_SHAPES"]

UNARY_SHAPES: tuple[tuple[int, ...], ...] = ((), (7,), (3, 4), (2, 3, 4), (0, 3))
BINARY_SHAPES: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = (
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((2, 1, 4), (3, 1)),
    ((), (2, 3)),
    ((5,), ()),
    ((0, 3), (3,)),
)
NON_BROADCASTING: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = (
    ((3, 4), (5,)),
    ((2, 3), (3, 2)),
)


def unary(
    op: str,
    reference: Callable[..., Any],
    *,
    dtypes: Sequence[str] = FLOATS,
    domain: tuple[float, float] = (-3.0, 3.0),
    budget: Budget | None = None,
    grad: bool = True,
    special: bool = True,
    extra_special: tuple[float, ...] = (),
    branches: tuple[float, ...] = (),
    signed_zeros: bool = True,
    result_dtype: Callable[[str], str] = lambda d: d,
    **kwargs: Any,
) -> OpSpec:
    """Declare a unary elementwise op ``op(x)`` sampled uniformly in ``domain``.

    Its ``range`` check covers the dtype's whole domain, with values on both
    sides of each of ``branches`` (where the function changes behaviour).
    """
    lo, hi = domain

    def samples(rng: np.random.Generator, dtype: str) -> list[Sample]:
        return [
            Sample((rand(rng, s, dtype, lo, hi),), f"shape={s}") for s in UNARY_SHAPES
        ]

    def specials(dtype: str) -> list[Sample]:
        return [Sample((special_values(dtype, extra_special),), "special values")]

    return OpSpec(
        op=op,
        dtypes=tuple(dtypes),
        samples=samples,
        reference=reference,
        budget=budget or Ulp(1),
        grad=grad,
        result_dtype=result_dtype,
        special=specials if special else None,
        range=unary_range(op, reference, branches) if special else None,
        signed_zeros=signed_zeros,
        explore=lambda dtype: st.unary_samples(dtype, lo, hi),
        **kwargs,
    )


def binary(
    op: str,
    reference: Callable[..., Any],
    *,
    dtypes: Sequence[str] = FLOATS,
    domain: tuple[float, float] = (-3.0, 3.0),
    domain2: tuple[float, float] | None = None,
    budget: Budget | None = None,
    grad: bool = True,
    special: bool = True,
    promotion: bool = True,
    signed_zeros: bool = True,
    result_dtype: Callable[[str], str] = lambda d: d,
    **kwargs: Any,
) -> OpSpec:
    """Declare a broadcasting ``op(x1, x2)``; non-broadcasting shapes must raise."""
    lo, hi = domain
    lo2, hi2 = domain2 or domain

    def samples(rng: np.random.Generator, dtype: str) -> list[Sample]:
        return [
            Sample(
                (rand(rng, s1, dtype, lo, hi), rand(rng, s2, dtype, lo2, hi2)),
                f"{s1} with {s2}",
            )
            for s1, s2 in BINARY_SHAPES
        ]

    def specials(dtype: str) -> list[Sample]:
        values = special_values(dtype)
        pairs = np.array(list(itertools.product(range(len(values)), repeat=2)))
        return [
            Sample(
                (values[pairs[:, 0]], values[pairs[:, 1]]),
                "all pairs of special values",
            )
        ]

    def errors() -> list[Sample]:
        dtype = dtypes[0] if "float32" not in dtypes else "float32"
        rng = np.random.default_rng(0)
        pairs = [
            (s1, s2, f"shapes {s1} and {s2} do not broadcast")
            for s1, s2 in NON_BROADCASTING
        ]
        for s1, s2 in BINARY_SHAPES:  # each valid pair broken in one dimension
            pairs += broadcast_mismatches(s1, s2)
        return [
            Sample(
                (rand(rng, s1, dtype, lo, hi), rand(rng, s2, dtype, lo2, hi2)), label
            )
            for s1, s2, label in pairs
        ]

    return OpSpec(
        op=op,
        dtypes=tuple(dtypes),
        samples=samples,
        reference=reference,
        budget=budget or Ulp(1),
        grad=grad,
        result_dtype=result_dtype,
        special=specials if special and any(d in FLOATS for d in dtypes) else None,
        range=binary_range(op, reference) if special else None,
        signed_zeros=signed_zeros,
        errors=errors,
        promotion=promotion,
        broadcasts=True,
        explore=lambda dtype: st.binary_samples(dtype, lo, hi, lo2, hi2),
        **kwargs,
    )


REDUCTION_AXES: tuple[tuple[Any, bool], ...] = (
    (None, False),
    (0, False),
    (-1, True),
    ((0, 2), False),
    ((0, 2), True),
    (1, False),
)


def reduction(
    op: str,
    reference: Callable[..., Any],
    *,
    dtypes: Sequence[str] = FLOATS,
    domain: tuple[float, float] = (-3.0, 3.0),
    budget: Budget | None = None,
    grad: bool = True,
    tuple_axes: bool = True,
    special: bool = True,
    magnitude: str = "linear",
    result_dtype: Callable[[str], str] = lambda d: d,
    **kwargs: Any,
) -> OpSpec:
    """Declare a reduction ``op(x, axis, keepdims)``; out-of-range axes must raise."""
    lo, hi = domain
    axes = [(a, k) for a, k in REDUCTION_AXES if tuple_axes or not isinstance(a, tuple)]

    def samples(rng: np.random.Generator, dtype: str) -> list[Sample]:
        x = rand(rng, (3, 4, 5), dtype, lo, hi)
        out = [Sample((x, a, k), f"axis={a} keepdims={k}") for a, k in axes]
        out.append(Sample((rand(rng, (), dtype, lo, hi), None, False), "scalar"))
        return out

    def specials(dtype: str) -> list[Sample]:
        v = special_values(dtype)
        return [
            Sample((v.reshape(-1, 1), 1, False), "each special value alone"),
            Sample((v[None, :], 1, False), "all special values together"),
        ]

    def errors() -> list[Sample]:
        x = rand(np.random.default_rng(0), (3, 4), dtypes[0], lo, hi)
        return [
            Sample((x, 2, False), "axis=2 out of range for rank 2"),
            Sample((x, -3, False), "axis=-3 out of range for rank 2"),
        ]

    return OpSpec(
        op=op,
        dtypes=tuple(dtypes),
        samples=samples,
        reference=reference,
        budget=budget or Exact(),
        grad=grad,
        result_dtype=result_dtype,
        special=specials if special and any(d in FLOATS for d in dtypes) else None,
        range=reduction_range(op, reference, magnitude),
        errors=errors,
        explore=lambda dtype: st.reduction_samples(dtype, lo, hi, tuple_axes),
        **kwargs,
    )
