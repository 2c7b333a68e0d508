"""Contract group ``reductions``: sums, means, extrema, variance, logsumexp, argmax."""

from __future__ import annotations

import math
from collections.abc import Callable

from kconform import hookimpl

from ._tf import tf
from ._util import (
    FLOATS,
    Axis,
    Tensor,
    as_tensor,
    float_input,
    narrow,
    norm_axes,
    norm_axis,
    static_shape,
    widen,
)


def _reduce(x: Tensor, axis: Axis, keepdims: bool, fn: Callable[..., Tensor]) -> Tensor:
    """Apply ``fn(x, axes, keepdims)`` over normalised ``axis``."""
    x = as_tensor(x)
    axes = norm_axes(axis, x.shape.rank)
    return fn(x, list(axes), keepdims)


def _nonempty(x: Tensor, axes: list[int], op: str) -> None:
    shape = static_shape(x)
    if any(shape[a] == 0 for a in axes):
        raise ValueError(
            f"{op} of an empty axis is undefined: tensor of shape {shape}, "
            f"axes {tuple(axes)}"
        )


def _widened(fn: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """Run a float reduction in float32 for float16/bfloat16 inputs, round once.

    TF's CPU reductions on half accumulate in half: summing 1e5 ones gives inf.
    """

    def apply(x: Tensor, axes: list[int], keepdims: bool) -> Tensor:
        wide, dtype = widen(x)
        return narrow(fn(wide, axes, keepdims), dtype)

    return apply


@hookimpl
def kconform_sum(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return the sum over ``axis`` (bool sums to int32)."""
    x = as_tensor(x)
    if x.dtype == tf.bool:
        x = tf.cast(x, tf.int32)
    return _reduce(x, axis, keepdims, _widened(tf.reduce_sum))


@hookimpl
def kconform_mean(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return the arithmetic mean over ``axis``."""
    return _reduce(float_input(x), axis, keepdims, _widened(tf.reduce_mean))


def _extremum(reducer: Callable[..., Tensor], op: str) -> Callable[..., Tensor]:
    def apply(x: Tensor, axes: list[int], keepdims: bool) -> Tensor:
        _nonempty(x, axes, op)
        out = reducer(x, axes, keepdims)
        if x.dtype in FLOATS:  # NaN wins, whatever TF's kernel does with it
            has_nan = tf.reduce_any(tf.math.is_nan(x), axes, keepdims)
            out = tf.where(has_nan, tf.constant(math.nan, x.dtype), out)
        return out

    return apply


@hookimpl
def kconform_max(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return the maximum over ``axis``; NaN if any reduced element is NaN."""
    reducer = tf.reduce_any if as_tensor(x).dtype == tf.bool else tf.reduce_max
    return _reduce(x, axis, keepdims, _extremum(reducer, "max"))


@hookimpl
def kconform_min(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return the minimum over ``axis``; NaN if any reduced element is NaN."""
    reducer = tf.reduce_all if as_tensor(x).dtype == tf.bool else tf.reduce_min
    return _reduce(x, axis, keepdims, _extremum(reducer, "min"))


@hookimpl
def kconform_prod(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return the product over ``axis`` (bool: all)."""
    if as_tensor(x).dtype == tf.bool:
        return _reduce(x, axis, keepdims, tf.reduce_all)
    return _reduce(x, axis, keepdims, _widened(tf.reduce_prod))


def _variance(x: Tensor, axes: list[int], keepdims: bool) -> Tensor:
    # Two passes (mean, then mean of squared deviations): no cancellation.
    mean = tf.reduce_mean(x, axes, keepdims=True)
    return tf.reduce_mean(tf.square(x - mean), axes, keepdims=keepdims)


def _std(x: Tensor, axes: list[int], keepdims: bool) -> Tensor:
    var = _variance(x, axes, keepdims)
    # sqrt'(0) is inf and inf * 0 is NaN: a constant slice (one element, say)
    # would get a NaN gradient. Route var == 0 around sqrt (the double-where
    # trick) so its gradient is 0, as the oracle's.
    positive = var > 0
    safe = tf.where(positive, var, tf.ones_like(var))
    return tf.where(positive, tf.sqrt(safe), var)


@hookimpl
def kconform_var(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return the population variance over ``axis``."""
    return _reduce(float_input(x), axis, keepdims, _widened(_variance))


@hookimpl
def kconform_std(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return the population standard deviation over ``axis``."""
    return _reduce(float_input(x), axis, keepdims, _widened(_std))


def _logsumexp(x: Tensor, axes: list[int], keepdims: bool) -> Tensor:
    # Shift by the finite max: -inf entries give exp(-inf) = 0, all -inf gives
    # log(0) = -inf, +inf gives +inf, NaN propagates.
    raw_max = tf.reduce_max(x, axes, keepdims=True)
    shift = tf.stop_gradient(
        tf.where(tf.math.is_finite(raw_max), raw_max, tf.zeros_like(raw_max))
    )
    total = tf.reduce_sum(tf.exp(x - shift), axes, keepdims=True)
    out = tf.math.log(total) + shift
    return out if keepdims or not axes else tf.squeeze(out, axes)


@hookimpl
def kconform_logsumexp(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return ``log(sum(exp(x)))`` over ``axis`` without overflow."""
    return _reduce(float_input(x), axis, keepdims, _widened(_logsumexp))


def _as_bool(x: Tensor) -> Tensor:
    return x if x.dtype == tf.bool else tf.not_equal(x, tf.zeros((), x.dtype))


@hookimpl
def kconform_any(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return whether any element over ``axis`` is nonzero."""
    return _reduce(_as_bool(as_tensor(x)), axis, keepdims, tf.reduce_any)


@hookimpl
def kconform_all(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Return whether every element over ``axis`` is nonzero."""
    return _reduce(_as_bool(as_tensor(x)), axis, keepdims, tf.reduce_all)


def _arg(x: Tensor, axis: int | None, keepdims: bool, largest: bool) -> Tensor:
    """First index of the extremum along ``axis``; a NaN counts as the extremum."""
    x = as_tensor(x)
    op = "argmax" if largest else "argmin"
    if axis is not None and not isinstance(axis, int):
        raise TypeError(f"{op}: axis must be an int or None; received {axis!r}")
    ndim = x.shape.rank
    flat = axis is None
    if flat:
        x, ax = tf.reshape(x, [-1]), 0
    else:
        ax = norm_axis(axis, ndim)
    _nonempty(x, [ax], op)
    if x.dtype == tf.bool:
        x = tf.cast(x, tf.int32)
    fn = tf.math.argmax if largest else tf.math.argmin
    out = fn(x, axis=ax, output_type=tf.int32)
    if x.dtype in FLOATS:  # NumPy: the first NaN is the extremum; TF skips NaN
        nan = tf.math.is_nan(x)
        first_nan = tf.math.argmax(
            tf.cast(nan, tf.int32), axis=ax, output_type=tf.int32
        )
        out = tf.where(tf.reduce_any(nan, axis=ax), first_nan, out)
    if keepdims:
        if flat:
            return tf.reshape(out, [1] * ndim)
        return tf.expand_dims(out, ax)
    return out


@hookimpl
def kconform_argmax(x: Tensor, axis: int | None, keepdims: bool) -> Tensor:
    """Return the int32 index of the first maximum along ``axis``."""
    return _arg(x, axis, keepdims, largest=True)


@hookimpl
def kconform_argmin(x: Tensor, axis: int | None, keepdims: bool) -> Tensor:
    """Return the int32 index of the first minimum along ``axis``."""
    return _arg(x, axis, keepdims, largest=False)
