"""Contract groups ``tensors`` and ``creation``: NumPy in and out, casts, fills."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kconform import hookimpl
from kconform.dtypes import ALL, FLOATS, name_of

from ._common import Array, arr, cast, check_shape, dtype_name, host_value, np_dtype
from ._kernel import kernel


@hookimpl
def kconform_from_numpy(array: Any) -> Array:
    """Copy a NumPy array of a contract dtype into a JAX array, bit for bit."""
    if not isinstance(array, (np.ndarray, np.generic)):
        raise TypeError(
            "jax backend, op 'from_numpy': expected a numpy.ndarray; received "
            f"{type(array).__name__}. Fix: pass numpy.asarray(value, dtype=...)."
        )
    name_of(array.dtype)  # raises for dtypes outside the contract
    # The host copy keeps later writes to ``array`` from reaching the tensor
    # (the CPU client may alias host memory); device_put moves the buffer
    # without running (and compiling, per shape) a copy on the device.
    return jax.device_put(np.array(array, copy=True))


@hookimpl
def kconform_to_numpy(x: Array) -> Any:
    """Return a writable NumPy copy of ``x`` (bfloat16 as ``ml_dtypes.bfloat16``)."""
    x = arr(x, "to_numpy")
    return np.array(x)


@hookimpl
def kconform_is_tensor(x: Any) -> bool:
    """Whether ``x`` is a JAX array (tracers included, NumPy arrays not)."""
    return isinstance(x, jax.Array)


@hookimpl
def kconform_shape(x: Array) -> tuple[int, ...]:
    """Return the shape of ``x`` as Python ints."""
    return tuple(int(d) for d in arr(x, "shape").shape)


@hookimpl
def kconform_dtype(x: Array) -> str:
    """Return the contract dtype name of ``x``."""
    return dtype_name(arr(x, "dtype"))


@hookimpl
@kernel
def kconform_cast(x: Array, dtype: str) -> Array:
    """Convert ``x`` to ``dtype`` (floats round to nearest even, to ints truncate)."""
    return cast(arr(x, "cast"), _check_dtype(dtype, "cast"))


def _check_dtype(dtype: Any, op: str) -> str:
    if dtype not in ALL:
        raise ValueError(
            f"jax backend, op {op!r}: unknown dtype {dtype!r}; expected one of "
            f"{', '.join(ALL)}"
        )
    return str(dtype)


@hookimpl
@kernel
def kconform_zeros(shape: tuple[int, ...], dtype: str) -> Array:
    """Return zeros of ``shape`` and ``dtype``."""
    dims = check_shape(shape, "zeros")
    return jnp.zeros(dims, np_dtype(_check_dtype(dtype, "zeros")))


@hookimpl
@kernel
def kconform_ones(shape: tuple[int, ...], dtype: str) -> Array:
    """Return ones of ``shape`` and ``dtype``."""
    dims = check_shape(shape, "ones")
    return jnp.ones(dims, np_dtype(_check_dtype(dtype, "ones")))


@hookimpl
@kernel
def kconform_full(shape: tuple[int, ...], fill_value: float, dtype: str) -> Array:
    """Fill ``shape`` with ``fill_value``, rounded to ``dtype`` as cast rounds."""
    dims = check_shape(shape, "full")
    dtype = _check_dtype(dtype, "full")
    if not isinstance(fill_value, (bool, int, float, np.number, np.bool_)):
        raise TypeError(
            "jax backend, op 'full': fill_value must be a Python number; "
            f"received {type(fill_value).__name__}"
        )
    # An exact host value (int64, float64 or bool), then the contract's cast.
    value = host_value(fill_value, dtype)
    return jnp.broadcast_to(value, dims)


def _arange_length(start: float, stop: float, step: float) -> int:
    if all(isinstance(v, (int, np.integer)) for v in (start, stop, step)):
        return max(-((int(start) - int(stop)) // int(step)), 0)
    return max(math.ceil((stop - start) / step), 0)


@hookimpl
@kernel
def kconform_arange(start: float, stop: float | None, step: float, dtype: str) -> Array:
    """Return ``[start, stop)`` in steps of ``step``, ``numpy.arange``'s length."""
    dtype = _check_dtype(dtype, "arange")
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueError("jax backend, op 'arange': step must not be 0; received 0")
    n = _arange_length(start, stop, step)
    if all(isinstance(v, (int, np.integer)) for v in (start, step)):
        host = int(start) + int(step) * np.arange(n, dtype=np.int64)
    else:
        # float64 values start + i * step, rounded once to the target dtype.
        host = float(start) + float(step) * np.arange(n, dtype=np.float64)
    values = jnp.asarray(host)
    if dtype in FLOATS and host.dtype == np.int64:
        values = values.astype(jnp.float64)
    return cast(values, dtype)


@hookimpl
@kernel
def kconform_eye(n: int, m: int | None, dtype: str) -> Array:
    """Return an ``(n, m)`` matrix with ones on the main diagonal."""
    dtype = _check_dtype(dtype, "eye")
    dims = check_shape((n, n if m is None else m), "eye")
    return jnp.eye(dims[0], dims[1], dtype=np_dtype(dtype))
