"""Contract group ``elementwise``: arithmetic, unary math, comparisons and logic."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from kconform import hookimpl

from ._common import check_broadcast, is_float, promote_all, tensor_args
from .tensors import scalar_in

Tensor = torch.Tensor
_INTS = (torch.int32, torch.int64)


def _binary(
    op: str, fn: Callable[[Tensor, Tensor], Tensor], x1: Tensor, x2: Tensor
) -> Tensor:
    """Promote both inputs per the contract table, check broadcasting, apply ``fn``."""
    a, b = promote_all(x1, x2)
    if a.shape != b.shape:
        check_broadcast(op, a.shape, b.shape)
    return fn(a, b)


def _to_float(*xs: Tensor) -> tuple[Tensor, ...]:
    """Integer and bool inputs to float32 (Keras's true-division rule)."""
    return tuple(x if is_float(x) else x.to(torch.float32) for x in xs)


# -- binary arithmetic ------------------------------------------------------
@hookimpl
@tensor_args("x1", "x2")
def kconform_add(x1: Tensor, x2: Tensor) -> Tensor:
    """``x1 + x2`` (bool + bool is logical or, as in NumPy)."""
    return _binary("add", torch.add, x1, x2)


@hookimpl
@tensor_args("x1", "x2")
def kconform_subtract(x1: Tensor, x2: Tensor) -> Tensor:
    """``x1 - x2``."""
    return _binary("subtract", torch.subtract, x1, x2)


@hookimpl
@tensor_args("x1", "x2")
def kconform_multiply(x1: Tensor, x2: Tensor) -> Tensor:
    """``x1 * x2``."""
    return _binary("multiply", torch.multiply, x1, x2)


@hookimpl
@tensor_args("x1", "x2")
def kconform_divide(x1: Tensor, x2: Tensor) -> Tensor:
    """IEEE true division; integer inputs divide in float32."""
    return _binary("divide", lambda a, b: torch.true_divide(*_to_float(a, b)), x1, x2)


@hookimpl
@tensor_args("x1", "x2")
def kconform_power(x1: Tensor, x2: Tensor) -> Tensor:
    """``x1 ** x2`` with C99 ``pow`` special values."""
    return _binary("power", torch.pow, x1, x2)


@hookimpl
@tensor_args("x1", "x2")
def kconform_maximum(x1: Tensor, x2: Tensor) -> Tensor:
    """Elementwise maximum, NaN-propagating."""
    return _binary("maximum", torch.maximum, x1, x2)


@hookimpl
@tensor_args("x1", "x2")
def kconform_minimum(x1: Tensor, x2: Tensor) -> Tensor:
    """Elementwise minimum, NaN-propagating."""
    return _binary("minimum", torch.minimum, x1, x2)


# -- unary math -------------------------------------------------------------
@hookimpl
@tensor_args("x")
def kconform_negative(x: Tensor) -> Tensor:
    """``-x``; bool has no negation (NumPy raises too)."""
    if x.dtype == torch.bool:
        raise TypeError("torch backend: negative is not defined for bool tensors")
    return torch.negative(x)


@hookimpl
@tensor_args("x")
def kconform_abs(x: Tensor) -> Tensor:
    """``|x|``."""
    return x.clone() if x.dtype == torch.bool else torch.abs(x)


@hookimpl
@tensor_args("x")
def kconform_sign(x: Tensor) -> Tensor:
    """-1, 0 or 1 in ``x``'s dtype; NaN for NaN (torch.sign gives 0 there)."""
    s = torch.sign(x)
    return torch.where(torch.isnan(x), x, s) if is_float(x) else s


@hookimpl
@tensor_args("x")
def kconform_exp(x: Tensor) -> Tensor:
    """``e ** x``."""
    return torch.exp(x)


@hookimpl
@tensor_args("x")
def kconform_log(x: Tensor) -> Tensor:
    """Natural logarithm."""
    return torch.log(x)


@hookimpl
@tensor_args("x")
def kconform_log1p(x: Tensor) -> Tensor:
    """``log(1 + x)``."""
    return torch.log1p(x)


@hookimpl
@tensor_args("x")
def kconform_expm1(x: Tensor) -> Tensor:
    """``exp(x) - 1``."""
    return torch.expm1(x)


@hookimpl
@tensor_args("x")
def kconform_sqrt(x: Tensor) -> Tensor:
    """Square root."""
    return torch.sqrt(x)


@hookimpl
@tensor_args("x")
def kconform_rsqrt(x: Tensor) -> Tensor:
    """``1 / sqrt(x)``."""
    return torch.rsqrt(x)


@hookimpl
@tensor_args("x")
def kconform_square(x: Tensor) -> Tensor:
    """``x * x``."""
    return torch.mul(x, x)


def _integral(fn: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """Apply a rounding function; integers and bools are already integral."""
    return fn(x) if is_float(x) else x.clone()


@hookimpl
@tensor_args("x")
def kconform_floor(x: Tensor) -> Tensor:
    """Round toward -inf."""
    return _integral(torch.floor, x)


@hookimpl
@tensor_args("x")
def kconform_ceil(x: Tensor) -> Tensor:
    """Round toward +inf."""
    return _integral(torch.ceil, x)


@hookimpl
@tensor_args("x")
def kconform_round(x: Tensor) -> Tensor:
    """Round half to even (torch.round does)."""
    return _integral(torch.round, x)


@hookimpl
@tensor_args("x")
def kconform_tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return torch.tanh(x)


@hookimpl
@tensor_args("x")
def kconform_sin(x: Tensor) -> Tensor:
    """Sine."""
    return torch.sin(x)


@hookimpl
@tensor_args("x")
def kconform_cos(x: Tensor) -> Tensor:
    """Cosine."""
    return torch.cos(x)


@hookimpl
@tensor_args("x")
def kconform_erf(x: Tensor) -> Tensor:
    """Error function (float16/bfloat16 through float32)."""
    # NOTE: torch's bfloat16 erf flushes small results: erf(1.17549e-38) gives 0
    # in bfloat16 (1.3264e-38 in float32), 144 ulp off.
    if x.dtype in (torch.float16, torch.bfloat16):
        return torch.erf(x.to(torch.float32)).to(x.dtype)
    return torch.erf(x)


@hookimpl
@tensor_args("x")
def kconform_clip(x: Tensor, x_min: float | None, x_max: float | None) -> Tensor:
    """Clamp to ``[x_min, x_max]`` in ``x``'s dtype (``x_max`` if ``x_min > x_max``)."""
    if x.dtype in _INTS:
        # An integer tensor clipped to [0.5, 2.5] lies in [1, 2].
        lo = None if x_min is None else math.ceil(x_min)
        hi = None if x_max is None else math.floor(x_max)
    else:
        lo = None if x_min is None else scalar_in(x_min, x.dtype)
        hi = None if x_max is None else scalar_in(x_max, x.dtype)
    if lo is None and hi is None:
        return x.clone()
    if x.dtype == torch.bool:
        out = x.to(torch.int32).clamp(lo, hi)
        return out != 0
    return torch.clamp(x, lo, hi)


@hookimpl
@tensor_args("condition", "x1", "x2")
def kconform_where(condition: Tensor, x1: Tensor, x2: Tensor) -> Tensor:
    """``x1`` where ``condition`` else ``x2``, all broadcast, promoted dtype."""
    a, b = promote_all(x1, x2)
    cond = condition if condition.dtype == torch.bool else condition != 0
    check_broadcast("where", cond.shape, a.shape, b.shape)
    return torch.where(cond, a, b)


# -- comparisons and logic --------------------------------------------------
@hookimpl
@tensor_args("x1", "x2")
def kconform_equal(x1: Tensor, x2: Tensor) -> Tensor:
    """``x1 == x2`` as bool."""
    return _binary("equal", torch.eq, x1, x2)


@hookimpl
@tensor_args("x1", "x2")
def kconform_not_equal(x1: Tensor, x2: Tensor) -> Tensor:
    """``x1 != x2`` as bool."""
    return _binary("not_equal", torch.ne, x1, x2)


@hookimpl
@tensor_args("x1", "x2")
def kconform_less(x1: Tensor, x2: Tensor) -> Tensor:
    """``x1 < x2`` as bool."""
    return _binary("less", torch.lt, x1, x2)


@hookimpl
@tensor_args("x1", "x2")
def kconform_less_equal(x1: Tensor, x2: Tensor) -> Tensor:
    """``x1 <= x2`` as bool."""
    return _binary("less_equal", torch.le, x1, x2)


@hookimpl
@tensor_args("x1", "x2")
def kconform_greater(x1: Tensor, x2: Tensor) -> Tensor:
    """``x1 > x2`` as bool."""
    return _binary("greater", torch.gt, x1, x2)


@hookimpl
@tensor_args("x1", "x2")
def kconform_greater_equal(x1: Tensor, x2: Tensor) -> Tensor:
    """``x1 >= x2`` as bool."""
    return _binary("greater_equal", torch.ge, x1, x2)


@hookimpl
@tensor_args("x1", "x2")
def kconform_logical_and(x1: Tensor, x2: Tensor) -> Tensor:
    """Elementwise AND."""
    return _binary("logical_and", torch.logical_and, x1, x2)


@hookimpl
@tensor_args("x1", "x2")
def kconform_logical_or(x1: Tensor, x2: Tensor) -> Tensor:
    """Elementwise OR."""
    return _binary("logical_or", torch.logical_or, x1, x2)


@hookimpl
@tensor_args("x")
def kconform_logical_not(x: Tensor) -> Tensor:
    """Elementwise NOT."""
    return torch.logical_not(x)


@hookimpl
@tensor_args("x")
def kconform_isnan(x: Tensor) -> Tensor:
    """Where ``x`` is NaN."""
    return torch.isnan(x)


@hookimpl
@tensor_args("x")
def kconform_isinf(x: Tensor) -> Tensor:
    """Where ``x`` is infinite."""
    return torch.isinf(x)


@hookimpl
@tensor_args("x")
def kconform_isfinite(x: Tensor) -> Tensor:
    """Where ``x`` is finite."""
    return torch.isfinite(x)
