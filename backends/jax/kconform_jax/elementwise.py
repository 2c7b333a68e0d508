"""Contract group ``elementwise``: binary and unary math, comparisons and logic."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np
from jax import lax

from kconform import hookimpl
from kconform.dtypes import FLOATS

from ._common import (
    Array,
    arr,
    binary_operands,
    cast,
    dtype_name,
    host_value,
    is_py_scalar,
    is_traced,
    np_dtype,
    to_float,
)
from ._kernel import kernel


def _binary(op: str, fn: Callable[[Array, Array], Array], x1: Any, x2: Any) -> Array:
    """Apply ``fn`` after casting both inputs to the contract's promoted dtype."""
    a, b, _ = binary_operands(op, x1, x2)
    # jnp broadcasts by NumPy's rules and raises on shapes that do not broadcast.
    return fn(a, b)


def _float_unary(op: str, fn: Callable[[Array], Array], x: Any) -> Array:
    """A float-valued op: float dtypes are kept, ints and bools give float32."""
    wide, result = to_float(arr(x, op))
    return cast(fn(wide), result)


# -- binary arithmetic ------------------------------------------------------
@hookimpl
@kernel
def kconform_add(x1: Array, x2: Array) -> Array:
    """Return ``x1 + x2`` with the promoted dtype."""
    return _binary("add", jnp.add, x1, x2)


@hookimpl
@kernel
def kconform_subtract(x1: Array, x2: Array) -> Array:
    """Return ``x1 - x2`` with the promoted dtype."""
    return _binary("subtract", jnp.subtract, x1, x2)


@hookimpl
@kernel
def kconform_multiply(x1: Array, x2: Array) -> Array:
    """Return ``x1 * x2`` with the promoted dtype."""
    return _binary("multiply", jnp.multiply, x1, x2)


@hookimpl
@kernel
def kconform_divide(x1: Array, x2: Array) -> Array:
    """Return the IEEE quotient; int operands give float32."""
    a, b, d = binary_operands("divide", x1, x2)
    if d not in FLOATS:  # int / int is float32, as in JAX's default mode
        return cast(
            jnp.true_divide(a.astype(jnp.float64), b.astype(jnp.float64)), "float32"
        )
    return jnp.true_divide(a, b)


def _power_operands(x1: Any, x2: Any) -> tuple[Array, Array]:
    """The promoted operands; raise on a negative integer exponent (when known)."""
    a, b, d = binary_operands("power", x1, x2)
    if d in ("int32", "int64") and not is_traced(b) and bool(jnp.any(b < 0)):
        raise ValueError(
            "jax backend, op 'power': integers to negative integer powers are not "
            "defined; cast to a float dtype first"
        )
    return a, b


@hookimpl
@kernel(precheck=_power_operands)
def kconform_power(x1: Array, x2: Array) -> Array:
    """Return ``x1 ** x2`` in the promoted dtype."""
    return jnp.power(*_power_operands(x1, x2))


@hookimpl
@kernel
def kconform_maximum(x1: Array, x2: Array) -> Array:
    """Return the elementwise maximum (NaN-propagating)."""
    return _binary("maximum", jnp.maximum, x1, x2)


@hookimpl
@kernel
def kconform_minimum(x1: Array, x2: Array) -> Array:
    """Return the elementwise minimum (NaN-propagating)."""
    return _binary("minimum", jnp.minimum, x1, x2)


# -- unary math -------------------------------------------------------------
@hookimpl
@kernel
def kconform_negative(x: Array) -> Array:
    """Return ``-x``."""
    return jnp.negative(arr(x, "negative"))


@hookimpl
@kernel
def kconform_abs(x: Array) -> Array:
    """Return ``|x|``."""
    return jnp.abs(arr(x, "abs"))


@hookimpl
@kernel
def kconform_sign(x: Array) -> Array:
    """Return the sign of ``x`` in its dtype (NaN for NaN)."""
    x = arr(x, "sign")
    return x if dtype_name(x) == "bool" else jnp.sign(x)  # sign(True) is True


@hookimpl
@kernel
def kconform_exp(x: Array) -> Array:
    """Return ``e ** x``."""
    return _float_unary("exp", jnp.exp, x)


@hookimpl
@kernel
def kconform_log(x: Array) -> Array:
    """Return the natural logarithm."""
    return _float_unary("log", jnp.log, x)


@hookimpl
@kernel
def kconform_log1p(x: Array) -> Array:
    """Return ``log(1 + x)``."""
    return _float_unary("log1p", jnp.log1p, x)


@hookimpl
@kernel
def kconform_expm1(x: Array) -> Array:
    """Return ``exp(x) - 1``."""
    return _float_unary("expm1", jnp.expm1, x)


@hookimpl
@kernel
def kconform_sqrt(x: Array) -> Array:
    """Return the square root."""
    return _float_unary("sqrt", jnp.sqrt, x)


@hookimpl
@kernel
def kconform_rsqrt(x: Array) -> Array:
    """Return ``1 / sqrt(x)``."""
    return _float_unary("rsqrt", lax.rsqrt, x)


@hookimpl
@kernel
def kconform_square(x: Array) -> Array:
    """Return ``x * x``."""
    x = arr(x, "square")
    return x * x


def _integral(op: str, fn: Callable[[Array], Array], x: Array) -> Array:
    """Rounding ops: the identity on integer and bool tensors (already integral)."""
    x = arr(x, op)
    return fn(x) if dtype_name(x) in FLOATS else x


@hookimpl
@kernel
def kconform_floor(x: Array) -> Array:
    """Return ``floor(x)`` in ``x``'s dtype."""
    return _integral("floor", jnp.floor, x)


@hookimpl
@kernel
def kconform_ceil(x: Array) -> Array:
    """Return ``ceil(x)`` in ``x``'s dtype."""
    return _integral("ceil", jnp.ceil, x)


@hookimpl
@kernel
def kconform_round(x: Array) -> Array:
    """Round half to even, in ``x``'s dtype."""
    return _integral(
        "round", lambda v: lax.round(v, lax.RoundingMethod.TO_NEAREST_EVEN), x
    )


@hookimpl
@kernel
def kconform_tanh(x: Array) -> Array:
    """Return ``tanh(x)``."""
    return _float_unary("tanh", jnp.tanh, x)


@hookimpl
@kernel
def kconform_sin(x: Array) -> Array:
    """Return ``sin(x)``."""
    return _float_unary("sin", jnp.sin, x)


@hookimpl
@kernel
def kconform_cos(x: Array) -> Array:
    """Return ``cos(x)``."""
    return _float_unary("cos", jnp.cos, x)


@hookimpl
@kernel
def kconform_erf(x: Array) -> Array:
    """Return ``erf(x)``."""
    return _float_unary("erf", lax.erf, x)


def _bound(value: Any, name: str, up: bool) -> Array | None:
    """A clip bound in dtype ``name``; for ints the nearest integer inside."""
    if not is_py_scalar(value) and not isinstance(value, np.number):
        raise TypeError(
            "jax backend, op 'clip': bounds must be Python numbers or None; "
            f"received {type(value).__name__}"
        )
    if name in FLOATS or name == "bool":
        return host_value(value, name)
    if math.isinf(value) or math.isnan(value):
        return None  # no integer bound: nothing to clip on this side
    v = math.ceil(value) if up else math.floor(value)
    info = np.iinfo(np_dtype(name))
    return host_value(min(max(v, int(info.min)), int(info.max)), name)


@hookimpl
@kernel
def kconform_clip(x: Array, x_min: float | None, x_max: float | None) -> Array:
    """Clamp ``x`` to ``[x_min, x_max]`` in its dtype (``x_max`` wins if they cross)."""
    x = arr(x, "clip")
    name = dtype_name(x)
    out = x
    # jnp.maximum/minimum propagate NaN, so NaN stays NaN.
    if x_min is not None and (lo := _bound(x_min, name, up=True)) is not None:
        out = jnp.maximum(out, lo)
    if x_max is not None and (hi := _bound(x_max, name, up=False)) is not None:
        out = jnp.minimum(out, hi)
    return out


@hookimpl
@kernel
def kconform_where(condition: Array, x1: Array, x2: Array) -> Array:
    """Select from ``x1`` where ``condition`` holds, else from ``x2``, broadcast."""
    cond = arr(condition, "where", "condition")
    if dtype_name(cond) != "bool":
        raise TypeError(
            "jax backend, op 'where': condition must be a bool tensor; received "
            f"{dtype_name(cond)}. Fix: compare first, e.g. backend.greater(x, 0)"
        )
    a, b, _ = binary_operands("where", x1, x2)
    return jnp.where(cond, a, b)


# -- comparisons and logic --------------------------------------------------
@hookimpl
@kernel
def kconform_equal(x1: Array, x2: Array) -> Array:
    """Return ``x1 == x2``."""
    return _binary("equal", jnp.equal, x1, x2)


@hookimpl
@kernel
def kconform_not_equal(x1: Array, x2: Array) -> Array:
    """Return ``x1 != x2``."""
    return _binary("not_equal", jnp.not_equal, x1, x2)


@hookimpl
@kernel
def kconform_less(x1: Array, x2: Array) -> Array:
    """Return ``x1 < x2``."""
    return _binary("less", jnp.less, x1, x2)


@hookimpl
@kernel
def kconform_less_equal(x1: Array, x2: Array) -> Array:
    """Return ``x1 <= x2``."""
    return _binary("less_equal", jnp.less_equal, x1, x2)


@hookimpl
@kernel
def kconform_greater(x1: Array, x2: Array) -> Array:
    """Return ``x1 > x2``."""
    return _binary("greater", jnp.greater, x1, x2)


@hookimpl
@kernel
def kconform_greater_equal(x1: Array, x2: Array) -> Array:
    """Return ``x1 >= x2``."""
    return _binary("greater_equal", jnp.greater_equal, x1, x2)


@hookimpl
@kernel
def kconform_logical_and(x1: Array, x2: Array) -> Array:
    """Return ``x1 AND x2`` (nonzero counts as True)."""
    return _binary("logical_and", jnp.logical_and, x1, x2)


@hookimpl
@kernel
def kconform_logical_or(x1: Array, x2: Array) -> Array:
    """Return ``x1 OR x2`` (nonzero counts as True)."""
    return _binary("logical_or", jnp.logical_or, x1, x2)


@hookimpl
@kernel
def kconform_logical_not(x: Array) -> Array:
    """Return ``NOT x`` (nonzero counts as True)."""
    return jnp.logical_not(arr(x, "logical_not"))


@hookimpl
@kernel
def kconform_isnan(x: Array) -> Array:
    """Return where ``x`` is NaN."""
    return jnp.isnan(arr(x, "isnan"))


@hookimpl
@kernel
def kconform_isinf(x: Array) -> Array:
    """Return where ``x`` is infinite."""
    return jnp.isinf(arr(x, "isinf"))


@hookimpl
@kernel
def kconform_isfinite(x: Array) -> Array:
    """Return where ``x`` is finite."""
    return jnp.isfinite(arr(x, "isfinite"))
