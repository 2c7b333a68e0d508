"""Shared helpers: dtype names, promotion, axis checks, widening, exact casts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from kconform.dtypes import promote

from ._tf import tf

Tensor = Any
Axis = int | tuple[int, ...] | None

DTYPES: dict[str, tf.DType] = {
    "float16": tf.float16,
    "bfloat16": tf.bfloat16,
    "float32": tf.float32,
    "float64": tf.float64,
    "int32": tf.int32,
    "int64": tf.int64,
    "bool": tf.bool,
}
_NAMES = {v: k for k, v in DTYPES.items()}
FLOATS = (tf.float16, tf.bfloat16, tf.float32, tf.float64)
LOW = (tf.float16, tf.bfloat16)
INTS = (tf.int32, tf.int64)


def tf_dtype(name: str) -> tf.DType:
    """The TF dtype of a contract dtype name; unknown names raise ValueError."""
    try:
        return DTYPES[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown dtype {name!r}; expected one of {', '.join(DTYPES)}"
        ) from None


def name_of(dtype: tf.DType) -> str:
    """The contract name of a TF dtype; dtypes outside the contract raise TypeError."""
    try:
        return _NAMES[dtype]
    except KeyError:
        raise TypeError(
            f"TensorFlow dtype {dtype.name} is not a contract dtype; "
            f"expected one of {', '.join(DTYPES)}"
        ) from None


def as_tensor(x: Any) -> Tensor:
    """Return ``x`` as a TF tensor (variables read, NumPy arrays converted)."""
    if isinstance(x, tf.Tensor):
        return x
    return tf.convert_to_tensor(x)


def py_scalar(value: Any) -> Tensor:
    """A Python number as an exact TF scalar: bool, int64 or float64."""
    if isinstance(value, (bool, np.bool_)):
        return tf.constant(bool(value))
    if isinstance(value, (int, np.integer)):
        return tf.constant(int(value), tf.int64)
    return tf.constant(float(value), tf.float64)


def promoted(*xs: Any) -> list[Tensor]:
    """Convert tensors to the contract's promotion of their dtypes.

    TF never promotes implicitly (``int32 + float32`` raises), so every n-ary
    op casts its inputs first.
    """
    ts = [as_tensor(x) for x in xs]
    target = name_of(ts[0].dtype)
    for t in ts[1:]:
        target = promote(target, name_of(t.dtype))
    return [cast(t, target) for t in ts]


def float_input(x: Any) -> Tensor:
    """A float tensor for a float-only op: ints and bools become float32 (Keras)."""
    x = as_tensor(x)
    return x if x.dtype in FLOATS else tf.cast(x, tf.float32)


def widen(x: Tensor) -> tuple[Tensor, tf.DType]:
    """Return ``x`` as float32 if it is float16/bfloat16, with its original dtype.

    TF's CPU kernels for the 16-bit floats often accumulate (sums, means,
    matmul, conv, softmax) in the 16-bit type itself, overflowing or losing
    every bit past 2**11; computing in float32 and rounding once is what the
    error budget assumes.
    """
    return (tf.cast(x, tf.float32) if x.dtype in LOW else x), x.dtype


def narrow(y: Tensor, dtype: tf.DType) -> Tensor:
    """Round a widened result back to ``dtype`` (one rounding, to nearest even)."""
    return y if y.dtype == dtype else tf.cast(y, dtype)


def norm_axis(axis: int, ndim: int, *, name: str = "axis") -> int:
    """Normalise one axis in ``[-ndim, ndim)``; out of range raises ValueError."""
    if isinstance(axis, bool) or not isinstance(axis, int):
        try:
            axis = int(axis.__index__())
        except AttributeError:
            raise TypeError(f"{name} must be an int; received {axis!r}") from None
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{name}={axis} is out of range for a tensor of rank {ndim}; "
            f"expected {-ndim} <= {name} < {ndim}"
        )
    return axis % ndim if ndim else 0


def norm_axes(axis: int | Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    """Normalise a reduction ``axis`` (None, int or tuple) to sorted distinct axes."""
    if axis is None:
        return tuple(range(ndim))
    raw = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(norm_axis(a, ndim) for a in raw)
    if len(set(axes)) != len(axes):
        raise ValueError(f"axis={axis!r} names an axis twice")
    return tuple(sorted(axes))


def static_shape(x: Tensor) -> tuple[int, ...]:
    """The shape of ``x`` as Python ints (static both eagerly and when traced)."""
    dims = x.shape.as_list()
    if any(d is None for d in dims):
        raise ValueError(
            f"kconform-tensorflow needs static shapes; received {x.shape}. "
            "Trace tf.function with fully known input shapes."
        )
    return tuple(dims)


def check(ok: Any, exc: type[Exception], message: str) -> Any:
    """Raise ``exc(message)`` unless ``ok``; in a traced function, return an assert op.

    Eagerly ``ok`` is a concrete bool tensor and the check raises at once.
    Under ``tf.function`` it becomes a runtime assertion, which TF runs thanks
    to automatic control dependencies.
    """
    if tf.executing_eagerly():
        if not bool(ok):
            raise exc(message)
        return None
    return tf.debugging.Assert(ok, [message])


# -- correctly rounded casts ---------------------------------------------------
def _f32_round_to_odd(hi: Tensor, lo: Tensor) -> Tensor:
    """Round the exact float64 sum ``hi + lo`` to float32 *to odd*.

    Rounding to odd and then to nearest is one correct rounding as long as the
    intermediate has two more bits than the target, which float32 has over
    float16 and bfloat16. TF (and ml_dtypes) cast float64 and int32/int64 to
    the 16-bit floats through a plain float32 rounding: twice rounded, wrong at
    near-midpoints (``cast(1 + 2**-11 + 2**-30, float16)`` gives 1.0).
    """
    s = hi + lo
    err = lo - (s - hi)  # Fast2Sum: exact since |hi| >= |lo| or hi == 0
    y = tf.cast(s, tf.float32)
    diff = (tf.cast(y, tf.float64) - s) - err  # its sign is the sign of y - exact
    finite = tf.math.is_finite(y) & tf.math.is_finite(s)
    inexact = finite & tf.not_equal(diff, 0.0)
    too_big = ((diff > 0) & (s > 0)) | ((diff < 0) & (s < 0))
    bits = tf.bitcast(y, tf.int32)
    bits = tf.where(inexact & too_big, bits - 1, bits)  # truncate toward zero
    bits = tf.where(inexact, tf.bitwise.bitwise_or(bits, 1), bits)
    return tf.bitcast(bits, tf.float32)


def _split_f64(x: Tensor) -> tuple[Tensor, Tensor]:
    """Write ``x`` (float64, int32 or int64) as an exact float64 sum ``hi + lo``."""
    if x.dtype == tf.float64:
        return x, tf.zeros_like(x)
    if x.dtype == tf.int32:
        return tf.cast(x, tf.float64), tf.zeros(tf.shape(x), tf.float64)
    # int64 has up to 63 significant bits: split off the low 32, both exact.
    low = tf.bitwise.bitwise_and(x, tf.constant(0xFFFFFFFF, tf.int64))
    return tf.cast(x - low, tf.float64), tf.cast(low, tf.float64)


def cast(x: Tensor, dtype: str) -> Tensor:
    """Convert ``x`` to the contract dtype ``dtype`` with the contract's rounding."""
    target = tf_dtype(dtype)
    x = as_tensor(x)
    if x.dtype == target:
        return x
    if target == tf.bool:
        return tf.not_equal(x, tf.zeros((), x.dtype))  # NaN != 0 is True, as NumPy
    if target in LOW and x.dtype in (tf.float64, tf.int32, tf.int64):
        rounded = tf.cast(_f32_round_to_odd(*_split_f64(x)), target)
        # The split loses the sign of zero: -0.0 must stay -0.0.
        return tf.where(tf.equal(x, tf.zeros((), x.dtype)), tf.cast(x, target), rounded)
    return tf.cast(x, target)
