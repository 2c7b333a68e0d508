"""Contract group ``reductions``: sums, means, extrema, moments, arg-extrema."""

from __future__ import annotations

import jax.numpy as jnp
import jax.scipy.special as jsp

from kconform import hookimpl

from ._common import (
    Array,
    Axis,
    arr,
    cast,
    check_axes,
    check_axis,
    compute_dtype,
    dtype_name,
    to_float,
)
from ._kernel import kernel


def _prepare(op: str, x: Array, axis: Axis) -> tuple[Array, tuple[int, ...]]:
    x = arr(x, op)
    return x, check_axes(axis, x.ndim, op)


def _nonempty(op: str, x: Array, axes: tuple[int, ...]) -> None:
    """Raise for extrema over an empty axis, which have no value (shapes are static)."""
    if any(x.shape[a] == 0 for a in axes):
        raise ValueError(
            f"jax backend, op {op!r}: cannot reduce over an empty axis (shape "
            f"{tuple(x.shape)}, axis {axes}); {op} of nothing has no value"
        )


@hookimpl
@kernel
def kconform_sum(x: Array, axis: Axis, keepdims: bool) -> Array:
    """Sum over ``axis`` in ``x``'s dtype (bool counts as int32)."""
    x, axes = _prepare("sum", x, axis)
    name = dtype_name(x)
    # jnp.sum would widen int32 and bool to int64 under x64; the contract
    # keeps the dtype. float16/bfloat16 accumulate in float32 inside jnp.sum.
    out_dtype = jnp.int32 if name == "bool" else x.dtype
    return jnp.sum(x, axis=axes, dtype=out_dtype, keepdims=keepdims)


@hookimpl
@kernel
def kconform_mean(x: Array, axis: Axis, keepdims: bool) -> Array:
    """Arithmetic mean over ``axis`` (ints and bools give float32)."""
    x, axes = _prepare("mean", x, axis)
    x, result = to_float(x)
    # jnp.mean accumulates float16/bfloat16 in float32.
    return cast(jnp.mean(x, axis=axes, keepdims=keepdims), result)


@hookimpl
@kernel
def kconform_max(x: Array, axis: Axis, keepdims: bool) -> Array:
    """Maximum over ``axis`` (NaN-propagating); raises over an empty axis."""
    x, axes = _prepare("max", x, axis)
    _nonempty("max", x, axes)
    return jnp.max(x, axis=axes, keepdims=keepdims)


@hookimpl
@kernel
def kconform_min(x: Array, axis: Axis, keepdims: bool) -> Array:
    """Minimum over ``axis`` (NaN-propagating); raises over an empty axis."""
    x, axes = _prepare("min", x, axis)
    _nonempty("min", x, axes)
    return jnp.min(x, axis=axes, keepdims=keepdims)


@hookimpl
@kernel
def kconform_prod(x: Array, axis: Axis, keepdims: bool) -> Array:
    """Product over ``axis`` in ``x``'s dtype (bool gives int32, as ``sum``)."""
    x, axes = _prepare("prod", x, axis)
    out_dtype = jnp.int32 if dtype_name(x) == "bool" else x.dtype
    return jnp.prod(x, axis=axes, dtype=out_dtype, keepdims=keepdims)


def _moment(op: str, x: Array, axis: Axis, keepdims: bool, root: bool) -> Array:
    x, axes = _prepare(op, x, axis)
    x, result = to_float(x)
    wide = x.astype(compute_dtype(result))
    out = jnp.var(wide, axis=axes, keepdims=keepdims)  # population: ddof=0
    if root:
        # sqrt'(0) is inf, and inf * 0 would make the gradient of a constant
        # slice NaN; taking 0 there (as PyTorch does) needs sqrt kept off 0.
        zero = out == 0
        out = jnp.where(zero, 0.0, jnp.sqrt(jnp.where(zero, 1.0, out)))
    return cast(out, result)


@hookimpl
@kernel
def kconform_var(x: Array, axis: Axis, keepdims: bool) -> Array:
    """Population variance (divisor n) over ``axis``."""
    return _moment("var", x, axis, keepdims, root=False)


@hookimpl
@kernel
def kconform_std(x: Array, axis: Axis, keepdims: bool) -> Array:
    """Population standard deviation (divisor n) over ``axis``."""
    return _moment("std", x, axis, keepdims, root=True)


@hookimpl
@kernel
def kconform_logsumexp(x: Array, axis: Axis, keepdims: bool) -> Array:
    """``log(sum(exp(x)))`` over ``axis``, shifted by the maximum: no overflow."""
    x, axes = _prepare("logsumexp", x, axis)
    x, result = to_float(x)
    wide = x.astype(compute_dtype(result))
    # jax.scipy's logsumexp handles all -inf (-> -inf) and +inf entries.
    return cast(jsp.logsumexp(wide, axis=axes, keepdims=keepdims), result)


@hookimpl
@kernel
def kconform_any(x: Array, axis: Axis, keepdims: bool) -> Array:
    """Whether any element over ``axis`` is nonzero."""
    x, axes = _prepare("any", x, axis)
    return jnp.any(x, axis=axes, keepdims=keepdims)


@hookimpl
@kernel
def kconform_all(x: Array, axis: Axis, keepdims: bool) -> Array:
    """Whether every element over ``axis`` is nonzero."""
    x, axes = _prepare("all", x, axis)
    return jnp.all(x, axis=axes, keepdims=keepdims)


def _arg(op: str, fn, x: Array, axis: int | None, keepdims: bool) -> Array:
    x = arr(x, op)
    if axis is None:
        if x.size == 0:
            raise ValueError(
                f"jax backend, op {op!r}: tensor of shape {tuple(x.shape)} is "
                f"empty; {op} has no answer"
            )
    else:
        axis = check_axis(axis, x.ndim, op)
        _nonempty(op, x, (axis,))
    # jnp returns the first extremum, a NaN counting as the extremum.
    return fn(x, axis=axis, keepdims=keepdims).astype(jnp.int32)


@hookimpl
@kernel
def kconform_argmax(x: Array, axis: int | None, keepdims: bool) -> Array:
    """int32 index of the first maximum along ``axis`` (None: the flat tensor)."""
    return _arg("argmax", jnp.argmax, x, axis, keepdims)


@hookimpl
@kernel
def kconform_argmin(x: Array, axis: int | None, keepdims: bool) -> Array:
    """int32 index of the first minimum along ``axis`` (None: the flat tensor)."""
    return _arg("argmin", jnp.argmin, x, axis, keepdims)
