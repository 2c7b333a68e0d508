"""Contract groups ``tensors`` and ``creation``: NumPy in and out, casts, fills."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kconform import hookimpl
from kconform.dtypes import name_of as numpy_name_of

from ._tf import tf
from ._util import Tensor, as_tensor, cast, name_of, py_scalar, static_shape, tf_dtype


def _check_shape(shape: Any) -> tuple[int, ...]:
    try:
        dims = tuple(int(d) for d in shape)
    except TypeError:
        raise TypeError(f"shape must be a tuple of ints; received {shape!r}") from None
    if any(d < 0 for d in dims):
        raise ValueError(f"shape must not have negative entries; received {shape!r}")
    return dims


@hookimpl
def kconform_from_numpy(array: Any) -> Tensor:
    """Make a TF tensor holding a copy of a NumPy array."""
    array = np.asarray(array)
    numpy_name_of(array.dtype)  # raises for a dtype outside the contract
    # NOTE: eager tensors may alias an aligned NumPy buffer instead of copying
    # it; a private copy keeps later writes to `array` out of the tensor.
    return tf.constant(np.array(array, copy=True, order="C"))


@hookimpl
def kconform_to_numpy(x: Tensor) -> Any:
    """Return a NumPy copy of ``x`` (bfloat16 as ``ml_dtypes.bfloat16``)."""
    name_of(as_tensor(x).dtype)
    # .numpy() may share the tensor's buffer; a copy keeps the tensor immutable.
    return np.array(as_tensor(x).numpy(), copy=True)


@hookimpl
def kconform_is_tensor(x: Any) -> bool:
    """Return True for a ``tf.Tensor`` or ``tf.Variable``."""
    return isinstance(x, (tf.Tensor, tf.Variable))


@hookimpl
def kconform_shape(x: Tensor) -> tuple[int, ...]:
    """Return the static shape of ``x`` as Python ints."""
    return static_shape(as_tensor(x))


@hookimpl
def kconform_dtype(x: Tensor) -> str:
    """Return the contract dtype name of ``x``."""
    return name_of(x.dtype)


@hookimpl
def kconform_cast(x: Tensor, dtype: str) -> Tensor:
    """Convert ``x`` to ``dtype``, rounding to nearest even (see ``_util.cast``)."""
    return cast(x, dtype)


@hookimpl
def kconform_zeros(shape: tuple[int, ...], dtype: str) -> Tensor:
    """Return zeros of ``shape`` and ``dtype``."""
    return tf.zeros(_check_shape(shape), tf_dtype(dtype))


@hookimpl
def kconform_ones(shape: tuple[int, ...], dtype: str) -> Tensor:
    """Return ones of ``shape`` and ``dtype``."""
    return tf.ones(_check_shape(shape), tf_dtype(dtype))


@hookimpl
def kconform_full(shape: tuple[int, ...], fill_value: float, dtype: str) -> Tensor:
    """Return ``shape`` filled with ``fill_value`` rounded to ``dtype`` as a cast."""
    value = cast(py_scalar(fill_value), dtype)
    return tf.fill(_check_shape(shape), value)


@hookimpl
def kconform_arange(
    start: float, stop: float | None, step: float, dtype: str
) -> Tensor:
    """Return ``numpy.arange(start, stop, step)`` in ``dtype``."""
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueError("arange: step must not be 0; received step=0")
    n = max(math.ceil((stop - start) / step), 0)
    tf_dtype(dtype)  # an unknown dtype raises before any work
    if all(isinstance(v, (int, np.integer)) for v in (start, stop, step)):
        # Exact in int64; float targets round each value once.
        values = tf.range(n, dtype=tf.int64) * int(step) + int(start)
        return cast(values, dtype)
    # Each value is start + i * step computed in float64 (as NumPy does), then
    # rounded once, so float16 ranges do not accumulate float16 error.
    values = tf.range(n, dtype=tf.float64) * float(step) + float(start)
    return cast(values, dtype)


@hookimpl
def kconform_eye(n: int, m: int | None, dtype: str) -> Tensor:
    """Return an ``(n, m)`` matrix with ones on the diagonal."""
    m = n if m is None else m
    _check_shape((n, m))
    return cast(tf.eye(int(n), int(m), dtype=tf.int32), dtype)
