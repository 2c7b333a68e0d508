"""Contract group ``elementwise``: unary and binary math, comparisons, logic."""

from __future__ import annotations

import math

from kconform import hookimpl

from ._tf import tf
from ._util import (
    FLOATS,
    INTS,
    Tensor,
    as_tensor,
    cast,
    float_input,
    name_of,
    promoted,
    py_scalar,
)


def _broadcast_check(a: Tensor, b: Tensor) -> None:
    """Raise ValueError when two shapes do not broadcast by NumPy's rules."""
    try:
        tf.broadcast_static_shape(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"Shapes {tuple(a.shape)} and {tuple(b.shape)} do not broadcast"
        ) from None


def _binary(x1: Tensor, x2: Tensor) -> tuple[Tensor, Tensor]:
    a, b = promoted(x1, x2)
    _broadcast_check(a, b)
    return a, b


def _float_binary(x1: Tensor, x2: Tensor) -> tuple[Tensor, Tensor]:
    a, b = _binary(x1, x2)
    if a.dtype not in FLOATS:  # a float-only op on ints computes in float32 (Keras)
        a, b = tf.cast(a, tf.float32), tf.cast(b, tf.float32)
    return a, b


# -- binary arithmetic ------------------------------------------------------
@hookimpl
def kconform_add(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 + x2`` with the promoted dtype (bool: logical or, as NumPy)."""
    a, b = _binary(x1, x2)
    return tf.logical_or(a, b) if a.dtype == tf.bool else tf.add(a, b)


@hookimpl
def kconform_subtract(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 - x2`` with the promoted dtype (bool minus bool raises, as NumPy)."""
    a, b = _binary(x1, x2)
    if a.dtype == tf.bool:
        raise TypeError("subtract of two bool tensors is not defined; cast first")
    return tf.subtract(a, b)


@hookimpl
def kconform_multiply(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 * x2`` with the promoted dtype (bool: logical and)."""
    a, b = _binary(x1, x2)
    return tf.logical_and(a, b) if a.dtype == tf.bool else tf.multiply(a, b)


@hookimpl
def kconform_divide(x1: Tensor, x2: Tensor) -> Tensor:
    """Return the IEEE quotient ``x1 / x2``."""
    a, b = _float_binary(x1, x2)
    return tf.math.divide(a, b)


@hookimpl
def kconform_power(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 ** x2`` with C99 ``pow`` special values."""
    a, b = _binary(x1, x2)
    if a.dtype == tf.bool:  # 0 ** 0 == 1, 0 ** 1 == 0, 1 ** y == 1
        return tf.logical_or(a, tf.logical_not(b))
    if a.dtype in INTS:
        return tf.pow(a, b)
    out = tf.pow(a, b)
    # NOTE: TF returns +inf for pow(-0, y) with y a negative odd integer; C99
    # (and NumPy) keep the sign of zero there: -inf.
    b_odd = tf.equal(tf.math.floormod(b, 2.0), 1.0)
    neg_zero_pole = tf.equal(a, 0.0) & (tf.math.sign(1.0 / a) < 0) & (b < 0) & b_odd
    return tf.where(neg_zero_pole, tf.constant(-math.inf, a.dtype), out)


@hookimpl
def kconform_maximum(x1: Tensor, x2: Tensor) -> Tensor:
    """Return the elementwise maximum, NaN-propagating."""
    a, b = _binary(x1, x2)
    return tf.logical_or(a, b) if a.dtype == tf.bool else tf.maximum(a, b)


@hookimpl
def kconform_minimum(x1: Tensor, x2: Tensor) -> Tensor:
    """Return the elementwise minimum, NaN-propagating."""
    a, b = _binary(x1, x2)
    return tf.logical_and(a, b) if a.dtype == tf.bool else tf.minimum(a, b)


# -- unary math -------------------------------------------------------------
@hookimpl
def kconform_negative(x: Tensor) -> Tensor:
    """Return ``-x``."""
    x = as_tensor(x)
    if x.dtype == tf.bool:
        raise TypeError("negative of a bool tensor is not defined; use logical_not")
    return tf.negative(x)


@hookimpl
def kconform_abs(x: Tensor) -> Tensor:
    """Return ``|x|``."""
    x = as_tensor(x)
    return x if x.dtype == tf.bool else tf.abs(x)


@hookimpl
def kconform_sign(x: Tensor) -> Tensor:
    """Return the sign of ``x`` in its dtype (NaN for NaN)."""
    x = as_tensor(x)
    return x if x.dtype == tf.bool else tf.sign(x)


def _unary(fn):  # type: ignore[no-untyped-def]
    def apply(x: Tensor) -> Tensor:
        return fn(float_input(x))

    return apply


_exp = _unary(tf.exp)
_log = _unary(tf.math.log)
_log1p = _unary(tf.math.log1p)
_expm1 = _unary(tf.math.expm1)
_sqrt = _unary(tf.sqrt)
_rsqrt = _unary(tf.math.rsqrt)
_tanh = _unary(tf.tanh)
_sin = _unary(tf.sin)
_cos = _unary(tf.cos)


@_unary
def _erf(x: Tensor) -> Tensor:
    # NOTE: TF's float64 erf returns NaN from |x| ~ 1e300 up (inf included).
    # erf(+-6) already rounds to +-1 in every float dtype, so clamping there
    # changes no value; NaN and -0 pass through the clamp.
    return tf.math.erf(tf.clip_by_value(x, -6.0, 6.0))


@hookimpl
def kconform_exp(x: Tensor) -> Tensor:
    """Return ``e ** x``."""
    return _exp(x)


@hookimpl
def kconform_log(x: Tensor) -> Tensor:
    """Return the natural logarithm."""
    return _log(x)


@hookimpl
def kconform_log1p(x: Tensor) -> Tensor:
    """Return ``log(1 + x)``."""
    return _log1p(x)


@hookimpl
def kconform_expm1(x: Tensor) -> Tensor:
    """Return ``exp(x) - 1``."""
    return _expm1(x)


@hookimpl
def kconform_sqrt(x: Tensor) -> Tensor:
    """Return the square root."""
    return _sqrt(x)


@hookimpl
def kconform_rsqrt(x: Tensor) -> Tensor:
    """Return ``1 / sqrt(x)``."""
    return _rsqrt(x)


@hookimpl
def kconform_square(x: Tensor) -> Tensor:
    """Return ``x * x``."""
    x = as_tensor(x)
    return x if x.dtype == tf.bool else tf.square(x)


def _integral(fn):  # type: ignore[no-untyped-def]
    """Rounding ops: integers and bools are already integral (TF has no int kernels)."""

    def apply(x: Tensor) -> Tensor:
        x = as_tensor(x)
        return fn(x) if x.dtype in FLOATS else x

    return apply


_floor = _integral(tf.math.floor)
_ceil = _integral(tf.math.ceil)
_round = _integral(tf.math.round)  # TF rounds half to even, as the contract asks


@hookimpl
def kconform_floor(x: Tensor) -> Tensor:
    """Return the floor of ``x``."""
    return _floor(x)


@hookimpl
def kconform_ceil(x: Tensor) -> Tensor:
    """Return the ceiling of ``x``."""
    return _ceil(x)


@hookimpl
def kconform_round(x: Tensor) -> Tensor:
    """Round half to even."""
    return _round(x)


@hookimpl
def kconform_tanh(x: Tensor) -> Tensor:
    """Return the hyperbolic tangent."""
    return _tanh(x)


@hookimpl
def kconform_sin(x: Tensor) -> Tensor:
    """Return the sine."""
    return _sin(x)


@hookimpl
def kconform_cos(x: Tensor) -> Tensor:
    """Return the cosine."""
    return _cos(x)


@hookimpl
def kconform_erf(x: Tensor) -> Tensor:
    """Return the error function."""
    return _erf(x)


@hookimpl
def kconform_clip(x: Tensor, x_min: float | None, x_max: float | None) -> Tensor:
    """Clamp ``x`` to ``[x_min, x_max]`` in ``x``'s dtype; NaN stays NaN."""
    x = as_tensor(x)
    dtype = name_of(x.dtype)
    out = x
    # The bounds are rounded to x's dtype as a cast would, then maximum before
    # minimum: x_min > x_max gives x_max, and both propagate NaN.
    if x_min is not None:
        out = kconform_maximum(out, cast(py_scalar(x_min), dtype))
    if x_max is not None:
        out = kconform_minimum(out, cast(py_scalar(x_max), dtype))
    return out


@hookimpl
def kconform_where(condition: Tensor, x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1`` where ``condition`` holds, else ``x2``, all broadcast."""
    cond = as_tensor(condition)
    if cond.dtype != tf.bool:
        cond = tf.not_equal(cond, tf.zeros((), cond.dtype))
    a, b = _binary(x1, x2)
    _broadcast_check(cond, a)
    _broadcast_check(cond, b)
    return tf.where(cond, a, b)


# -- comparisons and logic --------------------------------------------------
def _compare(fn):  # type: ignore[no-untyped-def]
    def apply(x1: Tensor, x2: Tensor) -> Tensor:
        a, b = _binary(x1, x2)
        if a.dtype == tf.bool:  # TF orders no bools: compare as 0/1
            a, b = tf.cast(a, tf.int32), tf.cast(b, tf.int32)
        return fn(a, b)

    return apply


_equal = _compare(tf.equal)
_not_equal = _compare(tf.not_equal)
_less = _compare(tf.less)
_less_equal = _compare(tf.less_equal)
_greater = _compare(tf.greater)
_greater_equal = _compare(tf.greater_equal)


@hookimpl
def kconform_equal(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 == x2``."""
    return _equal(x1, x2)


@hookimpl
def kconform_not_equal(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 != x2``."""
    return _not_equal(x1, x2)


@hookimpl
def kconform_less(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 < x2``."""
    return _less(x1, x2)


@hookimpl
def kconform_less_equal(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 <= x2``."""
    return _less_equal(x1, x2)


@hookimpl
def kconform_greater(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 > x2``."""
    return _greater(x1, x2)


@hookimpl
def kconform_greater_equal(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 >= x2``."""
    return _greater_equal(x1, x2)


def _as_bool(x: Tensor) -> Tensor:
    x = as_tensor(x)
    return x if x.dtype == tf.bool else tf.not_equal(x, tf.zeros((), x.dtype))


@hookimpl
def kconform_logical_and(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 and x2`` (nonzero counts as True)."""
    a, b = _as_bool(x1), _as_bool(x2)
    _broadcast_check(a, b)
    return tf.logical_and(a, b)


@hookimpl
def kconform_logical_or(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 or x2`` (nonzero counts as True)."""
    a, b = _as_bool(x1), _as_bool(x2)
    _broadcast_check(a, b)
    return tf.logical_or(a, b)


@hookimpl
def kconform_logical_not(x: Tensor) -> Tensor:
    """Return ``not x``."""
    return tf.logical_not(_as_bool(x))


def _float_only(fn, default: bool):  # type: ignore[no-untyped-def]
    """isnan and friends: TF has no integer kernels, and ints are always finite."""

    def apply(x: Tensor) -> Tensor:
        x = as_tensor(x)
        if x.dtype in FLOATS:
            return fn(x)
        return tf.fill(tf.shape(x), default)

    return apply


_isnan = _float_only(tf.math.is_nan, False)
_isinf = _float_only(tf.math.is_inf, False)
_isfinite = _float_only(tf.math.is_finite, True)


@hookimpl
def kconform_isnan(x: Tensor) -> Tensor:
    """Return where ``x`` is NaN."""
    return _isnan(x)


@hookimpl
def kconform_isinf(x: Tensor) -> Tensor:
    """Return where ``x`` is infinite."""
    return _isinf(x)


@hookimpl
def kconform_isfinite(x: Tensor) -> Tensor:
    """Return where ``x`` is finite."""
    return _isfinite(x)
