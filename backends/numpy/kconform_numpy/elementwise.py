"""Hooks of the ``elementwise`` group: arithmetic, math, comparisons, logic."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd.scipy import special as aspecial

import kconform
from kconform.dtypes import FLOATS, to_numpy_dtype

from ._core import (
    _cast_value,
    accum_dtype,
    anp,
    as_tensor,
    binary_operands,
    cast,
    dtype_of,
    getval,
    np,
    out,
    quiet,
    wide_dtype,
)
from .shape import broadcast_to

Fn = Callable[..., Any]


def _binary(fn: Fn, x1: Any, x2: Any) -> Any:
    """Apply ``fn`` to the promoted operands and round once to their dtype.

    float16 and bfloat16 run in float32. float32 runs natively, except when an
    operand is broadcast: then it runs in float64, because that operand's
    gradient is a sum over the broadcast axes, which can cancel badly in
    float32. The values are the same either way: for ``+ - * /`` rounding
    the wider result once is the correctly rounded result (53 >= 2 * 24 + 2).
    """
    a, b, d = binary_operands(x1, x2)
    w = accum_dtype(d) if d in FLOATS else a.dtype
    if d == "float32" and np.shape(a) != np.shape(b):
        w = np.dtype(np.float64)
    with quiet():
        r = fn(cast(a, w), cast(b, w))
    return out(cast(r, d))


def _float_result(d: str) -> str:
    """The dtype of a float-valued op on dtype ``d``: ints and bools give float32."""
    return d if d in FLOATS else "float32"


def _unary_wide(fn: Fn, x: Any) -> Any:
    """Apply a transcendental ``fn`` in float64 (see ``wide_dtype``); round once."""
    x = as_tensor(x)
    d = _float_result(dtype_of(x))
    with quiet():
        r = fn(cast(x, wide_dtype(d)))
    return out(cast(r, d))


def _unary_acc(fn: Fn, x: Any) -> Any:
    """Apply a correctly rounded ``fn`` (sqrt, square); float16/bfloat16 in float32."""
    x = as_tensor(x)
    d = dtype_of(x)
    with quiet():
        r = fn(cast(x, accum_dtype(d)))
    return out(cast(r, d))


def _exact(fn: Fn, x: Any) -> Any:
    """Apply an op whose result is exact in every dtype (negation, abs, rounding)."""
    with quiet():
        return out(fn(as_tensor(x)))


# -- binary arithmetic ------------------------------------------------------
@kconform.hookimpl
def kconform_add(x1: Any, x2: Any) -> Any:
    """Return ``x1 + x2``."""
    return _binary(anp.add, x1, x2)


@kconform.hookimpl
def kconform_subtract(x1: Any, x2: Any) -> Any:
    """Return ``x1 - x2``."""
    return _binary(anp.subtract, x1, x2)


@kconform.hookimpl
def kconform_multiply(x1: Any, x2: Any) -> Any:
    """Return ``x1 * x2``."""
    return _binary(anp.multiply, x1, x2)


@kconform.hookimpl
def kconform_divide(x1: Any, x2: Any) -> Any:
    """Return the IEEE true quotient; int operands give float32 (as JAX)."""
    a, b, d = binary_operands(x1, x2)
    if d not in FLOATS:
        with quiet():
            r = anp.divide(cast(a, "float64"), cast(b, "float64"))
        return out(cast(r, "float32"))
    return _binary(anp.divide, a, b)


@kconform.hookimpl
def kconform_power(x1: Any, x2: Any) -> Any:
    """Return ``x1 ** x2`` (C99 ``pow`` special values), evaluated in float64."""
    a, b, d = binary_operands(x1, x2)
    if d not in FLOATS:
        with quiet():
            return out(anp.power(a, b))
    w = wide_dtype(d)
    with quiet():
        r = anp.power(cast(a, w), cast(b, w))
    return out(cast(r, d))


@kconform.hookimpl
def kconform_maximum(x1: Any, x2: Any) -> Any:
    """Return the elementwise maximum, NaN-propagating."""
    a, b, _ = binary_operands(x1, x2)
    with quiet():
        return out(anp.maximum(a, b))


@kconform.hookimpl
def kconform_minimum(x1: Any, x2: Any) -> Any:
    """Return the elementwise minimum, NaN-propagating."""
    a, b, _ = binary_operands(x1, x2)
    with quiet():
        return out(anp.minimum(a, b))


# -- unary math -------------------------------------------------------------
@kconform.hookimpl
def kconform_negative(x: Any) -> Any:
    """Return ``-x``."""
    return _exact(anp.negative, x)


@kconform.hookimpl
def kconform_abs(x: Any) -> Any:
    """Return ``|x|``."""
    return _exact(anp.abs, x)


@kconform.hookimpl
def kconform_sign(x: Any) -> Any:
    """Return the sign of ``x`` in its dtype (NaN for NaN)."""
    x = as_tensor(x)
    if dtype_of(x) == "bool":
        return out(x)  # sign(True) = 1 = True
    return _exact(anp.sign, x)


@kconform.hookimpl
def kconform_exp(x: Any) -> Any:
    """Return ``e ** x``."""
    return _unary_wide(anp.exp, x)


@kconform.hookimpl
def kconform_log(x: Any) -> Any:
    """Return ``log(x)``."""
    return _unary_wide(anp.log, x)


@kconform.hookimpl
def kconform_log1p(x: Any) -> Any:
    """Return ``log(1 + x)``."""
    return _unary_wide(anp.log1p, x)


@kconform.hookimpl
def kconform_expm1(x: Any) -> Any:
    """Return ``exp(x) - 1``."""
    return _unary_wide(anp.expm1, x)


@kconform.hookimpl
def kconform_sqrt(x: Any) -> Any:
    """Return ``sqrt(x)``; IEEE-exact in float32 and float64, one rounding below."""
    x = as_tensor(x)
    if dtype_of(x) not in FLOATS:
        return _unary_wide(anp.sqrt, x)
    return _unary_acc(anp.sqrt, x)


@kconform.hookimpl
def kconform_rsqrt(x: Any) -> Any:
    """Return ``1 / sqrt(x)``, evaluated in float64 and rounded once."""
    return _unary_wide(lambda v: 1.0 / anp.sqrt(v), x)


@kconform.hookimpl
def kconform_square(x: Any) -> Any:
    """Return ``x * x``."""
    x = as_tensor(x)
    if dtype_of(x) == "bool":
        return out(x)
    return _unary_acc(anp.square, x)


def _integral_noop(fn: Fn, x: Any) -> Any:
    x = as_tensor(x)
    if dtype_of(x) not in FLOATS:
        return out(x)  # already integral; NumPy would return float64
    return _exact(fn, x)


@kconform.hookimpl
def kconform_floor(x: Any) -> Any:
    """Return ``floor(x)`` in ``x``'s dtype."""
    return _integral_noop(anp.floor, x)


@kconform.hookimpl
def kconform_ceil(x: Any) -> Any:
    """Return ``ceil(x)`` in ``x``'s dtype."""
    return _integral_noop(anp.ceil, x)


@kconform.hookimpl
def kconform_round(x: Any) -> Any:
    """Round half to even (``rint``) in ``x``'s dtype."""
    return _integral_noop(anp.rint, x)


@kconform.hookimpl
def kconform_tanh(x: Any) -> Any:
    """Return ``tanh(x)``."""
    return _unary_wide(anp.tanh, x)


@kconform.hookimpl
def kconform_sin(x: Any) -> Any:
    """Return ``sin(x)``."""
    return _unary_wide(anp.sin, x)


@kconform.hookimpl
def kconform_cos(x: Any) -> Any:
    """Return ``cos(x)``."""
    return _unary_wide(anp.cos, x)


@kconform.hookimpl
def kconform_erf(x: Any) -> Any:
    """Return ``erf(x)`` (SciPy's, in float64)."""
    return _unary_wide(aspecial.erf, x)


def _bound(value: float, d: str, up: bool) -> Any:
    """A clip bound in dtype ``d``; for ints the nearest integer inside the interval."""
    if d in FLOATS:
        return _cast_value(np.asarray(float(value)), to_numpy_dtype(d))
    if d == "bool":
        return np.asarray(bool(value))
    if math.isinf(value) or math.isnan(value):
        return None  # no integer bound: nothing to clip on this side
    v = math.ceil(value) if up else math.floor(value)
    info = np.iinfo(to_numpy_dtype(d))
    return np.asarray(min(max(v, info.min), info.max), dtype=to_numpy_dtype(d))


@kconform.hookimpl
def kconform_clip(x: Any, x_min: float | None, x_max: float | None) -> Any:
    """Clamp to ``[x_min, x_max]`` in ``x``'s dtype; ``x_min > x_max`` gives x_max."""
    x = as_tensor(x)
    d = dtype_of(x)
    r = x
    with quiet():
        if x_min is not None and (lo := _bound(x_min, d, up=True)) is not None:
            r = anp.maximum(r, lo)
        if x_max is not None and (hi := _bound(x_max, d, up=False)) is not None:
            r = anp.minimum(r, hi)
    return out(r)


@kconform.hookimpl
def kconform_where(condition: Any, x1: Any, x2: Any) -> Any:
    """Select from ``x1`` where ``condition`` holds, else from ``x2`` (broadcast)."""
    cond = getval(as_tensor(condition))
    if cond.dtype != np.bool_:
        raise TypeError(
            f"where: condition must be a bool tensor; received dtype {cond.dtype}. "
            "Compare first, e.g. backend.greater(x, 0)"
        )
    a, b, _ = binary_operands(x1, x2)
    shape = np.broadcast_shapes(cond.shape, np.shape(a), np.shape(b))
    # autograd's `where` gradient does not sum over broadcast axes: broadcast
    # first, so that `broadcast_to`'s gradient does.
    a, b = broadcast_to(a, shape), broadcast_to(b, shape)
    return out(anp.where(np.broadcast_to(cond, shape), a, b))


# -- comparisons and logic --------------------------------------------------
def _compare(fn: Fn, x1: Any, x2: Any) -> Any:
    a, b, _ = binary_operands(x1, x2)
    with quiet():
        return out(fn(getval(a), getval(b)))


@kconform.hookimpl
def kconform_equal(x1: Any, x2: Any) -> Any:
    """Return ``x1 == x2``."""
    return _compare(np.equal, x1, x2)


@kconform.hookimpl
def kconform_not_equal(x1: Any, x2: Any) -> Any:
    """Return ``x1 != x2``."""
    return _compare(np.not_equal, x1, x2)


@kconform.hookimpl
def kconform_less(x1: Any, x2: Any) -> Any:
    """Return ``x1 < x2``."""
    return _compare(np.less, x1, x2)


@kconform.hookimpl
def kconform_less_equal(x1: Any, x2: Any) -> Any:
    """Return ``x1 <= x2``."""
    return _compare(np.less_equal, x1, x2)


@kconform.hookimpl
def kconform_greater(x1: Any, x2: Any) -> Any:
    """Return ``x1 > x2``."""
    return _compare(np.greater, x1, x2)


@kconform.hookimpl
def kconform_greater_equal(x1: Any, x2: Any) -> Any:
    """Return ``x1 >= x2``."""
    return _compare(np.greater_equal, x1, x2)


@kconform.hookimpl
def kconform_logical_and(x1: Any, x2: Any) -> Any:
    """Return ``x1 AND x2``."""
    return _compare(np.logical_and, x1, x2)


@kconform.hookimpl
def kconform_logical_or(x1: Any, x2: Any) -> Any:
    """Return ``x1 OR x2``."""
    return _compare(np.logical_or, x1, x2)


@kconform.hookimpl
def kconform_logical_not(x: Any) -> Any:
    """Return ``NOT x``."""
    return out(np.logical_not(getval(as_tensor(x))))


@kconform.hookimpl
def kconform_isnan(x: Any) -> Any:
    """Return where ``x`` is NaN."""
    return out(np.isnan(getval(as_tensor(x))))


@kconform.hookimpl
def kconform_isinf(x: Any) -> Any:
    """Return where ``x`` is infinite."""
    return out(np.isinf(getval(as_tensor(x))))


@kconform.hookimpl
def kconform_isfinite(x: Any) -> Any:
    """Return where ``x`` is finite."""
    return out(np.isfinite(getval(as_tensor(x))))
