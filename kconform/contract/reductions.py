"""Contract group ``reductions``: reduce over axes, with ``keepdims``.

``axis`` is None (every axis), an int, or a tuple of ints; negative values
count from the end; an axis out of range must raise. With ``keepdims`` the
reduced axes stay with length 1. Reducing an empty axis: ``sum`` gives 0,
``prod`` 1, ``any`` False, ``all`` True; ``max``, ``min``, ``argmax`` and
``argmin`` must raise. Result dtypes: ``sum``, ``prod``, ``max``, ``min`` keep
the input's dtype (bool sums to int32); ``mean``, ``var``, ``std`` and
``logsumexp`` take float tensors and keep their dtype; ``any`` and ``all``
return bool; ``argmax`` and ``argmin`` return int32.
"""

from __future__ import annotations

from typing import Any

from ._marker import op

Tensor = Any
Axis = int | tuple[int, ...] | None


@op("reductions", axis=None, keepdims=False)
def kconform_sum(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return the sum over ``axis``."""


@op("reductions", axis=None, keepdims=False)
def kconform_mean(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return the arithmetic mean over ``axis``."""


@op("reductions", axis=None, keepdims=False)
def kconform_max(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return the maximum over ``axis``; NaN if any element reduced is NaN."""


@op("reductions", axis=None, keepdims=False)
def kconform_min(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return the minimum over ``axis``; NaN if any element reduced is NaN."""


@op("reductions", axis=None, keepdims=False)
def kconform_prod(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return the product over ``axis``."""


@op("reductions", axis=None, keepdims=False)
def kconform_var(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return the population variance (divisor ``n``, not ``n - 1``) over ``axis``."""


@op("reductions", axis=None, keepdims=False)
def kconform_std(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return the population standard deviation (divisor ``n``) over ``axis``."""


@op("reductions", axis=None, keepdims=False)
def kconform_logsumexp(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return ``log(sum(exp(x)))`` over ``axis``, without overflow for large ``x``.

    ``-inf`` entries contribute nothing; all ``-inf`` gives ``-inf``.
    """


@op("reductions", axis=None, keepdims=False)
def kconform_any(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return whether any element over ``axis`` is nonzero, as bool."""


@op("reductions", axis=None, keepdims=False)
def kconform_all(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return whether every element over ``axis`` is nonzero, as bool."""


@op("reductions", axis=None, keepdims=False)
def kconform_argmax(x: Tensor, axis: int | None, keepdims: bool) -> Tensor:
    """Return the int32 index of the first maximum along ``axis`` (None: flattened).

    ``axis`` is an int or None, never a tuple.
    """


@op("reductions", axis=None, keepdims=False)
def kconform_argmin(x: Tensor, axis: int | None, keepdims: bool) -> Tensor:
    """Return the int32 index of the first minimum along ``axis`` (None: flattened)."""
