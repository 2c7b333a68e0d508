"""Hooks of the ``linalg`` and ``nn`` groups: products, activations, softmax, one-hot.

Activations are evaluated in float64 and rounded once (see ``wide_dtype``),
written in forms that neither overflow nor cancel, and whose gradients stay
finite on both sides of every ``where``.
"""

from __future__ import annotations

import functools
import math
import operator
from typing import Any

from autograd.scipy import special as aspecial

import kconform
from kconform.dtypes import FLOATS, promote, to_numpy_dtype

from ._core import (
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
from .reductions import max_shift, normalize_axis


@kconform.hookimpl
def kconform_matmul(x1: Any, x2: Any) -> Any:
    """Matrix product as ``numpy.matmul``; float16/bfloat16 run in float32."""
    a, b, d = binary_operands(x1, x2)
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        raise ValueError(
            f"matmul: operands must have rank >= 1; received shapes "
            f"{np.shape(a)} and {np.shape(b)}"
        )
    ka = np.shape(a)[-1]
    kb = np.shape(b)[0] if np.ndim(b) == 1 else np.shape(b)[-2]
    if ka != kb:
        raise ValueError(
            f"matmul: inner dimensions differ: {np.shape(a)} @ "
            f"{np.shape(b)} ({ka} != {kb})"
        )
    acc = accum_dtype(d)
    with quiet():
        r = anp.matmul(cast(a, acc), cast(b, acc))
    return out(cast(out(r), d))


@kconform.hookimpl
def kconform_einsum(subscripts: str, operands: list[Any]) -> Any:
    """Explicit-output Einstein summation; float16/bfloat16 accumulate in float32."""
    if not isinstance(subscripts, str) or "->" not in subscripts:
        raise ValueError(
            f"einsum: subscripts must be a string with '->'; received {subscripts!r}"
        )
    ops = [as_tensor(o) for o in operands]
    if not ops:
        raise ValueError("einsum: needs at least one operand")
    d = functools.reduce(promote, (dtype_of(o) for o in ops))
    acc = accum_dtype(d)
    with quiet():
        r = anp.einsum(subscripts, *[cast(o, acc) for o in ops], optimize=len(ops) > 2)
    return out(cast(out(r), d))


def _activation(fn: Any, x: Any) -> Any:
    """Apply ``fn`` in float64 and round once (ints and bools give float32)."""
    x = as_tensor(x)
    d = dtype_of(x)
    d = d if d in FLOATS else "float32"
    with quiet():
        r = fn(cast(x, wide_dtype(d)))
    return out(cast(out(r), d))


@kconform.hookimpl
def kconform_relu(x: Any) -> Any:
    """``max(x, 0)``; NaN stays NaN; the gradient at 0 is 0 (as TF, JAX and PyTorch)."""
    x = as_tensor(x)
    with quiet():
        zero = np.zeros((), dtype=x.dtype)
        return out(anp.where(getval(x) <= zero, zero, x))


def _sigmoid(v: Any) -> Any:
    # exp(-|v|) never overflows; each branch is accurate where it is selected and
    # finite where it is not, so the gradient through `where` has no inf * 0.
    z = anp.exp(-anp.abs(v))
    return anp.where(getval(v) >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


@kconform.hookimpl
def kconform_sigmoid(x: Any) -> Any:
    """``1 / (1 + exp(-x))`` without overflow."""
    return _activation(_sigmoid, x)


@kconform.hookimpl
def kconform_softplus(x: Any) -> Any:
    """``log(1 + exp(x))`` as ``log1p(exp(-|x|)) + max(x, 0)``: no overflow."""
    return _activation(
        lambda v: anp.log1p(anp.exp(-anp.abs(v))) + anp.maximum(v, 0.0), x
    )


def _gelu_exact(v: Any) -> Any:
    # erfc(-t) = 1 + erf(t) without the cancellation of 1 + erf(t) for t << 0.
    return 0.5 * v * aspecial.erfc(-v / math.sqrt(2.0))


def _gelu_tanh(v: Any) -> Any:
    # 1 + tanh(u) = 2 * sigmoid(2u): the same function, no cancellation for u << 0.
    u = math.sqrt(2.0 / math.pi) * (v + 0.044715 * v**3)
    return v * _sigmoid(2.0 * u)


@kconform.hookimpl
def kconform_gelu(x: Any, approximate: bool) -> Any:
    """GELU, exact (erf) or with the tanh approximation."""
    return _activation(_gelu_tanh if approximate else _gelu_exact, x)


def _softmax_axis(x: Any, axis: int, op: str) -> tuple[Any, str, tuple[int, ...]]:
    x = as_tensor(x)
    d = dtype_of(x)
    if np.ndim(x) == 0:
        raise ValueError(f"{op}: needs a tensor of rank >= 1; received a scalar")
    axes = normalize_axis(operator.index(axis), np.ndim(x), op)
    return x, (d if d in FLOATS else "float32"), axes


@kconform.hookimpl
def kconform_softmax(x: Any, axis: int) -> Any:
    """``exp(x - m) / sum(exp(x - m))`` along ``axis``, ``m`` the max; in float64."""
    x, d, axes = _softmax_axis(x, axis, "softmax")
    xw = cast(x, np.float64)
    with quiet():
        e = anp.exp(xw - max_shift(xw, axes))
        r = e / anp.sum(e, axis=axes, keepdims=True)
    return out(cast(out(r), d))


@kconform.hookimpl
def kconform_log_softmax(x: Any, axis: int) -> Any:
    """``(x - m) - log(sum(exp(x - m)))`` along ``axis``, in float64.

    Subtracting the shift first keeps the result accurate for large logits,
    where ``x - logsumexp(x)`` would cancel.
    """
    x, d, axes = _softmax_axis(x, axis, "log_softmax")
    xw = cast(x, np.float64)
    with quiet():
        z = xw - max_shift(xw, axes)
        r = z - anp.log(anp.sum(anp.exp(z), axis=axes, keepdims=True))
    return out(cast(out(r), d))


@kconform.hookimpl
def kconform_one_hot(indices: Any, num_classes: int, dtype: str) -> Any:
    """One-hot rows; an index outside ``[0, num_classes)`` gives a row of zeros."""
    idx = getval(as_tensor(indices))
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"one_hot: indices must be int32 or int64; received dtype {idx.dtype}"
        )
    num_classes = operator.index(num_classes)
    if num_classes < 0:
        raise ValueError(f"one_hot: num_classes must be >= 0; received {num_classes}")
    hot = idx[..., None] == np.arange(num_classes, dtype=np.int64)
    return out(hot.astype(to_numpy_dtype(dtype)))


@kconform.hookimpl
def kconform_batch_norm(
    x: Any,
    mean: Any,
    variance: Any,
    offset: Any | None,
    scale: Any | None,
    epsilon: float,
) -> Any:
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset``, broadcast."""
    parts = [as_tensor(t) for t in (x, mean, variance, offset, scale) if t is not None]
    d = functools.reduce(promote, (dtype_of(t) for t in parts))
    d = d if d in FLOATS else "float32"
    np.broadcast_shapes(*(np.shape(t) for t in parts))  # raises on a mismatch
    # Elementwise arithmetic: evaluated in float64 and rounded once, in the
    # contract's order of operations.
    w = wide_dtype(d)
    x, mean, variance = (cast(t, w) for t in (x, mean, variance))
    with quiet():
        r = (x - mean) * (1.0 / anp.sqrt(variance + w.type(epsilon)))
        if scale is not None:
            r = r * cast(scale, w)
        if offset is not None:
            r = r + cast(offset, w)
    return out(cast(out(r), d))
