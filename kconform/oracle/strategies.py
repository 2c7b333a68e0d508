"""Hypothesis strategies that draw op samples: shapes, broadcasting, axes, values."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..dtypes import FLOATS, finfo, round_to, to_numpy_dtype
from .spec import Sample

__all__ = ["array_of", "binary_samples", "reduction_samples", "unary_samples"]


def array_of(
    dtype: str, shape: Any, lo: float, hi: float
) -> st.SearchStrategy[np.ndarray]:
    """Arrays of ``dtype`` with values in ``[lo, hi]``, drawn in float64 and rounded."""
    if dtype == "bool":
        return hnp.arrays(np.bool_, shape)
    if dtype not in FLOATS:
        elements = st.integers(int(np.ceil(lo)), int(np.floor(hi)))
        return hnp.arrays(to_numpy_dtype(dtype), shape, elements=elements)
    elements = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    # Exploration stays in the normal range: values below sqrt(smallest normal)
    # become 0, so that no product of two inputs is subnormal (subnormals have
    # their own check).
    flush = float(np.sqrt(finfo(dtype).smallest_normal))
    return hnp.arrays(np.float64, shape, elements=elements).map(
        lambda a: round_to(np.where(np.abs(a) < flush, 0.0, a), dtype)
    )


_SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)


def unary_samples(dtype: str, lo: float, hi: float) -> st.SearchStrategy[Sample]:
    """``op(x)`` on any shape of rank 0 to 4 (zero-size included)."""
    return _SHAPES.flatmap(lambda s: array_of(dtype, s, lo, hi)).map(
        lambda x: Sample((x,))
    )


def binary_samples(
    dtype: str, lo: float, hi: float, lo2: float, hi2: float
) -> st.SearchStrategy[Sample]:
    """``op(x1, x2)`` on any pair of mutually broadcastable shapes."""
    shapes = hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=4, max_side=4
    )

    @st.composite
    def draw(data: st.DrawFn) -> Sample:
        s = data(shapes).input_shapes
        return Sample(
            (data(array_of(dtype, s[0], lo, hi)), data(array_of(dtype, s[1], lo2, hi2)))
        )

    return draw()


def reduction_samples(
    dtype: str, lo: float, hi: float, tuple_axes: bool
) -> st.SearchStrategy[Sample]:
    """``op(x, axis, keepdims)``, any valid axis (None/int/tuple), non-empty axes."""
    shapes = hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5)

    @st.composite
    def draw(data: st.DrawFn) -> Sample:
        shape = data(shapes)
        ndim = len(shape)
        axis_options = [st.none(), st.integers(-ndim, ndim - 1)]
        if tuple_axes:
            axis_options.append(hnp.valid_tuple_axes(ndim, min_size=1))
        axis = data(st.one_of(*axis_options))
        return Sample((data(array_of(dtype, shape, lo, hi)), axis, data(st.booleans())))

    return draw()
