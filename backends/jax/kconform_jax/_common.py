"""Shared helpers: input checks, contract dtype names, promotion, axis normalisation."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from kconform.dtypes import FLOATS, LOW_PRECISION, name_of, promote, to_numpy_dtype

from ._kernel import traced_number

Array = jax.Array
Axis = int | tuple[int, ...] | None


def is_py_scalar(x: Any) -> bool:
    """Whether ``x`` is a Python number (a NumPy scalar has a dtype: a tensor)."""
    return isinstance(x, (bool, int, float)) and not isinstance(x, np.generic)


def arr(x: Any, op: str, arg: str = "x") -> Array:
    """Return ``x`` as a JAX array, or raise for anything but a tensor.

    NumPy arrays and scalars are accepted (their dtype is explicit); Python
    numbers only where an op says so (:func:`binary_operands`), since alone
    they have no contract dtype.
    """
    if isinstance(x, jax.Array):
        dtype_name(x)  # rejects dtypes outside the contract (uint8, complex, ...)
        return x
    if isinstance(x, (np.ndarray, np.generic)):
        name_of(x.dtype)
        traced = traced_number(x)  # a NumPy scalar: a program input, not a constant
        return jnp.asarray(x) if traced is None else traced
    raise TypeError(
        f"jax backend, op {op!r}: argument {arg!r} must be a tensor (jax.Array "
        f"or numpy.ndarray); received {type(x).__name__}: {x!r:.60}. Fix: make "
        "it with from_numpy (or Backend.tensor) with an explicit dtype."
    )


def dtype_name(x: Array) -> str:
    """The contract name of a JAX array's dtype."""
    return name_of(x.dtype)


def np_dtype(name: str) -> np.dtype:
    """The NumPy/JAX dtype of a contract dtype name (bfloat16 via ml_dtypes)."""
    return to_numpy_dtype(name)


def is_traced(*xs: Any) -> bool:
    """Whether any argument is a tracer (inside jit, grad or vmap)."""
    return any(isinstance(x, jax.core.Tracer) for x in xs)


def promote_all(arrays: Sequence[Array]) -> tuple[list[Array], str]:
    """Cast every array to the contract's promotion of their dtypes (never JAX's)."""
    names = [dtype_name(a) for a in arrays]
    target = functools.reduce(promote, names)
    pairs = zip(arrays, names, strict=True)
    return [a if n == target else cast(a, target) for a, n in pairs], target


def _weak_dtype(value: Any, other: str) -> str:
    """The dtype a Python number takes beside a tensor of dtype ``other`` (JAX)."""
    if isinstance(value, bool):
        return other
    if isinstance(value, int):
        return other if other != "bool" else "int32"
    return other if other in FLOATS else "float32"


def host_value(value: Any, dtype: str) -> Array:
    """A Python number as a 0-d tensor of ``dtype``, rounded as :func:`cast` rounds.

    Inside a kernel, an argument's number is the program's input standing for
    it (see ``_kernel``), so that XLA cannot fold it into the arithmetic.
    """
    traced = traced_number(value)
    return cast(jnp.asarray(np.asarray(value)) if traced is None else traced, dtype)


def binary_operands(op: str, x1: Any, x2: Any) -> tuple[Array, Array, str]:
    """Both operands in their promoted dtype; a Python number takes the other's."""
    if is_py_scalar(x1) and is_py_scalar(x2):
        raise TypeError(
            f"jax backend, op {op!r}: at least one operand must be a tensor; "
            f"received two Python numbers ({x1!r}, {x2!r})"
        )
    if is_py_scalar(x1):
        b = arr(x2, op, "x2")
        d = _weak_dtype(x1, dtype_name(b))
        return host_value(x1, d), cast(b, d), d
    if is_py_scalar(x2):
        a = arr(x1, op, "x1")
        d = _weak_dtype(x2, dtype_name(a))
        return cast(a, d), host_value(x2, d), d
    (a, b), d = promote_all([arr(x1, op, "x1"), arr(x2, op, "x2")])
    return a, b, d


def float_result(name: str) -> str:
    """The dtype of a float-valued op on ``name``: ints and bools give float32."""
    return name if name in FLOATS else "float32"


def to_float(x: Array) -> tuple[Array, str]:
    """``x`` ready for a float-valued op, and the result dtype.

    Ints and bools are widened to float64 (exact below 2**53) and the result is
    float32, as Keras and JAX's default (32-bit) mode give.
    """
    name = dtype_name(x)
    if name in FLOATS:
        return x, name
    return x.astype(jnp.float64), "float32"


def compute_dtype(name: str) -> np.dtype:
    """The dtype in which a composite op on ``name`` is evaluated.

    float16 and bfloat16 are widened to float32 so that the result is rounded
    once, at the end, rather than after every intermediate step.
    """
    return np_dtype("float32" if name in LOW_PRECISION else name)


# -- casting ---------------------------------------------------------------
@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _round_via_odd_f32(x: Array, target: np.dtype) -> Array:
    """Round float64 to float16 or bfloat16 once, to nearest even.

    XLA on CPU converts float64 to these through float32, which rounds twice
    (1 + 2**-11 + 2**-40 becomes 1.0 in float16, not 1 + 2**-10). Rounding to
    float32 *to odd* first (truncate, then set the last bit if anything was
    lost) makes the second, ties-to-even rounding exact: float32 has more than
    11 + 2 significand bits.
    """
    y = x.astype(jnp.float32)
    back = y.astype(jnp.float64)
    bits = lax.bitcast_convert_type(y, jnp.uint32)
    bits = jnp.where(jnp.abs(back) > jnp.abs(x), bits - jnp.uint32(1), bits)
    bits = jnp.where(back != x, bits | jnp.uint32(1), bits)
    return lax.bitcast_convert_type(bits, jnp.float32).astype(target)


@_round_via_odd_f32.defjvp
def _round_via_odd_f32_jvp(
    target: np.dtype, primals: tuple[Array], tangents: tuple[Array]
) -> tuple[Array, Array]:
    # The bit manipulation has no derivative; the cast's is the identity.
    return _round_via_odd_f32(primals[0], target), tangents[0].astype(target)


def cast(x: Array, dtype: str) -> Array:
    """Convert ``x`` to the contract dtype ``dtype`` with one correct rounding."""
    src = dtype_name(x)
    if src == dtype:
        return x
    target = np_dtype(dtype)
    if dtype in LOW_PRECISION and src in ("float64", "int32", "int64"):
        return _round_via_odd_f32(x.astype(jnp.float64), target)
    # float -> int truncates toward zero and anything -> bool is x != 0 in XLA.
    return x.astype(target)


def check_axis(axis: int, ndim: int, op: str) -> int:
    """Normalise one axis (negative counts from the end); raise if out of range."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(
            f"jax backend, op {op!r}: axis must be an int; received {axis!r}"
        )
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"jax backend, op {op!r}: axis {axis} is out of range for a tensor "
            f"of rank {ndim}; expected {-ndim} <= axis < {ndim}"
        )
    return int(axis) % ndim


def check_axes(axis: Axis, ndim: int, op: str) -> tuple[int, ...]:
    """Normalise None, an int or a tuple of ints into sorted distinct axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = tuple(check_axis(a, ndim, op) for a in axes)
    if len(set(out)) != len(out):
        raise ValueError(
            f"jax backend, op {op!r}: repeated axis in {axis!r} for a tensor "
            f"of rank {ndim}"
        )
    return tuple(sorted(out))


def check_shape(shape: Any, op: str) -> tuple[int, ...]:
    """Validate a shape: a tuple of non-negative Python ints."""
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        dims = tuple(int(d) for d in shape)
    except TypeError:
        raise TypeError(
            f"jax backend, op {op!r}: shape must be a tuple of ints; received {shape!r}"
        ) from None
    if any(d < 0 for d in dims) or any(
        isinstance(d, bool) or not isinstance(d, (int, np.integer)) for d in shape
    ):
        raise ValueError(
            f"jax backend, op {op!r}: shape must be non-negative ints; "
            f"received {shape!r}"
        )
    return dims


def int_tuple(
    value: Any, n: int, op: str, arg: str, minimum: int = 1
) -> tuple[int, ...]:
    """Expand an int or ``n`` ints (strides, dilation, pool size) and check them."""
    items = (value,) * n if isinstance(value, (int, np.integer)) else tuple(value)
    if len(items) != n or any(
        isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < minimum
        for v in items
    ):
        raise ValueError(
            f"jax backend, op {op!r}: {arg} must be an int or {n} ints, each "
            f">= {minimum}; received {arg}={value!r}"
        )
    return tuple(int(v) for v in items)
