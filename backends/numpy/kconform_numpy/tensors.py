"""Hooks of the ``tensors`` and ``creation`` groups: arrays in and out, new tensors."""

from __future__ import annotations

import math
import numbers
from typing import Any

from autograd.numpy.numpy_boxes import ArrayBox

import kconform
from kconform.dtypes import FLOATS, name_of, to_numpy_dtype

from ._core import F64, NumpyTensor, _cast_value, as_tensor, cast, getval, np, out


def _shape(shape: Any, op: str) -> tuple[int, ...]:
    """Validate a shape: a tuple (or list) of non-negative Python ints."""
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(
            f"{op}: shape must be a tuple of ints; received {shape!r}"
        ) from None
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0:
            raise ValueError(
                f"{op}: shape must hold non-negative ints; received shape={shape!r}"
            )
    return tuple(int(d) for d in dims)


def _filled(shape: tuple[int, ...], value: Any, dtype: str) -> np.ndarray:
    """A tensor of ``shape`` holding ``value`` rounded to ``dtype`` as a cast would."""
    target = to_numpy_dtype(dtype)
    if isinstance(value, (bool, np.bool_)):
        scalar = np.asarray(value)
    elif isinstance(value, numbers.Integral):
        # Python ints keep their exact value for int64 (float64 would round 2**62 + 1).
        scalar = np.asarray(value, dtype=np.int64)
    else:
        scalar = np.asarray(float(value), dtype=F64)
    scalar = _cast_value(scalar, target)
    return np.full(shape, scalar, dtype=target)


@kconform.hookimpl
def kconform_from_numpy(array: Any) -> np.ndarray:
    """Copy a NumPy array into a new tensor (the numpy backend's tensors are arrays)."""
    arr = np.array(array, copy=True)
    try:
        name_of(arr.dtype)
    except ValueError:
        raise TypeError(
            f"from_numpy: dtype {arr.dtype} is not a contract dtype; expected one of "
            "float16, bfloat16, float32, float64, int32, int64, bool"
        ) from None
    return out(arr)


@kconform.hookimpl
def kconform_to_numpy(x: Any) -> np.ndarray:
    """Return a copy of ``x`` as a NumPy array (unboxed if traced)."""
    return np.array(getval(as_tensor(x)), copy=True)


@kconform.hookimpl
def kconform_is_tensor(x: Any) -> bool:
    """Whether ``x`` is a :class:`NumpyTensor`, or an autograd box of one (tracing).

    A plain ``numpy.ndarray`` is a host array, not a tensor: a framework must
    standardize it (dtype, copy) through ``from_numpy`` as with any backend.
    """
    return type(x) is NumpyTensor or isinstance(x, ArrayBox)


@kconform.hookimpl
def kconform_shape(x: Any) -> tuple[int, ...]:
    """Return the shape as a tuple of Python ints."""
    return tuple(int(d) for d in np.shape(getval(x)))


@kconform.hookimpl
def kconform_dtype(x: Any) -> str:
    """Return the contract dtype name."""
    return name_of(as_tensor(x).dtype)


@kconform.hookimpl
def kconform_cast(x: Any, dtype: str) -> Any:
    """Convert ``x`` to ``dtype`` with one correct rounding (bfloat16 included)."""
    return out(cast(as_tensor(x), dtype))


@kconform.hookimpl
def kconform_zeros(shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """Return zeros of ``shape`` and ``dtype``."""
    return out(np.zeros(_shape(shape, "zeros"), dtype=to_numpy_dtype(dtype)))


@kconform.hookimpl
def kconform_ones(shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """Return ones of ``shape`` and ``dtype``."""
    return out(np.ones(_shape(shape, "ones"), dtype=to_numpy_dtype(dtype)))


@kconform.hookimpl
def kconform_full(shape: tuple[int, ...], fill_value: float, dtype: str) -> np.ndarray:
    """Return ``shape`` filled with ``fill_value`` rounded to ``dtype``."""
    return out(_filled(_shape(shape, "full"), fill_value, dtype))


@kconform.hookimpl
def kconform_arange(
    start: float, stop: float | None, step: float, dtype: str
) -> np.ndarray:
    """Return ``start, start + step, ...`` below ``stop``, like ``numpy.arange``."""
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueError("arange: step must not be 0; received step=0")
    for name, v in (("start", start), ("stop", stop), ("step", step)):
        if not math.isfinite(v):
            raise ValueError(f"arange: {name} must be finite; received {name}={v!r}")
    n = max(math.ceil((stop - start) / step), 0)
    target = to_numpy_dtype(dtype)
    if all(isinstance(v, numbers.Integral) for v in (start, stop, step)):
        values = start + step * np.arange(n, dtype=np.int64)
        return out(_cast_value(values, target))
    # Each value is rounded once from float64, as a cast of start + i * step would be.
    values = start + step * np.arange(n, dtype=F64)
    return out(
        _cast_value(values, target) if dtype in FLOATS else values.astype(target)
    )


@kconform.hookimpl
def kconform_eye(n: int, m: int | None, dtype: str) -> np.ndarray:
    """Return the ``(n, m)`` identity-like matrix."""
    m = n if m is None else m
    _shape((n, m), "eye")
    return out(np.eye(n, m, dtype=to_numpy_dtype(dtype)))
