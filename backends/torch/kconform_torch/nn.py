"""Contract groups ``linalg`` and ``nn`` (conv/pool aside): products, activations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from kconform import hookimpl

from ._common import (
    as_tensor,
    check_broadcast,
    compute_dtype,
    is_float,
    normalize_axis,
    promote_all,
    tensor_args,
    to_dtype,
)

Tensor = torch.Tensor


@hookimpl
@tensor_args("x1", "x2")
def kconform_matmul(x1: Tensor, x2: Tensor) -> Tensor:
    """``numpy.matmul``: rank-1 operands as row/column, batch axes broadcast."""
    a, b = promote_all(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"torch backend: matmul: operands must have rank >= 1; received shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )
    k1, k2 = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k1 != k2:
        raise ValueError(
            f"torch backend: matmul: inner dimensions differ: {tuple(a.shape)} @ "
            f"{tuple(b.shape)} ({k1} != {k2})"
        )
    check_broadcast("matmul (batch axes)", a.shape[:-2], b.shape[:-2])
    if a.dtype == torch.bool:
        # NumPy's bool matmul is an OR of ANDs.
        return torch.matmul(a.to(torch.int64), b.to(torch.int64)) != 0
    return torch.matmul(a, b)


def _einsum_check(subscripts: str, operands: tuple[Tensor, ...]) -> None:
    """Check ranks and label sizes against ``subscripts`` (size 1 broadcasts)."""
    spec = subscripts.replace(" ", "")
    if spec.count("->") != 1:
        raise ValueError(
            f"torch backend: einsum: subscripts {subscripts!r} need an explicit '->'"
        )
    terms = spec.split("->")[0].split(",")
    if len(terms) != len(operands):
        raise ValueError(
            f"torch backend: einsum: {len(terms)} operand subscripts in "
            f"{subscripts!r} for {len(operands)} operands"
        )
    sizes: dict[str, int] = {}
    for term, t in zip(terms, operands, strict=True):
        pre, _, post = term.partition("...")
        labels = pre + post
        ok = t.ndim >= len(labels) if "..." in term else t.ndim == len(labels)
        if not ok:
            raise ValueError(
                f"torch backend: einsum: subscripts {term!r} do not fit an operand of "
                f"shape {tuple(t.shape)}"
            )
        dims = (*t.shape[: len(pre)], *t.shape[t.ndim - len(post) :])
        for lab, d in zip(labels, dims, strict=True):
            seen = sizes.setdefault(lab, d)
            if seen != d and 1 not in (seen, d):
                raise ValueError(
                    f"torch backend: einsum: label {lab!r} has sizes {seen} and {d} "
                    f"in {subscripts!r}"
                )
            sizes[lab] = max(seen, d)


@hookimpl
@tensor_args("operands")
def kconform_einsum(subscripts: str, operands: list[Tensor]) -> Tensor:
    """Explicit-output Einstein summation, as ``numpy.einsum``."""
    ts = promote_all(*operands)
    _einsum_check(subscripts, ts)
    try:
        return torch.einsum(subscripts, *ts)
    except RuntimeError as exc:
        raise ValueError(f"torch backend: einsum {subscripts!r}: {exc}") from None


def _widened(fn: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """Run ``fn`` in float32 for float16/bfloat16 inputs and round the result once."""

    def run(x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        x = x if is_float(x) else x.to(torch.float32)
        return fn(x.to(compute_dtype(x.dtype)), *args, **kwargs).to(x.dtype)

    return run


@hookimpl
@tensor_args("x")
def kconform_relu(x: Tensor) -> Tensor:
    """``max(x, 0)``; NaN stays NaN."""
    return torch.relu(x)


@hookimpl
@tensor_args("x")
def kconform_sigmoid(x: Tensor) -> Tensor:
    """Logistic sigmoid, accurate where the result is subnormal."""
    return _widened(_sigmoid)(x)


def _sigmoid(x: Tensor) -> Tensor:
    # NOTE: torch.sigmoid computes 1 / (1 + exp(-x)); exp(-x) overflows for
    # x < -88.7 in float32, giving 0 where the result is a subnormal
    # (sigmoid(-89) = 2.2e-39). For x < 0 use e / (1 + e), e = exp(x) <= 1;
    # the clamp keeps the unused branch (and its gradient) finite.
    e = torch.exp(torch.clamp(x, max=0.0))
    return torch.where(x < 0, e / (1 + e), torch.sigmoid(x))


def _softplus(x: Tensor) -> Tensor:
    # NOTE: F.softplus returns x above `threshold`; its default 20 drops up to
    # 2e-9 absolute in float64 (log1p(exp(21)) - 21 = 7.6e-10, ~1e5 ulp).
    # exp(-40) is below half an ulp of 40 in float64, and exp(40) is finite.
    threshold = 40.0 if x.dtype == torch.float64 else 20.0
    return F.softplus(x, beta=1.0, threshold=threshold)


@hookimpl
@tensor_args("x")
def kconform_softplus(x: Tensor) -> Tensor:
    """``log(1 + exp(x))`` without overflow."""
    return _widened(_softplus)(x)


@hookimpl
@tensor_args("x")
def kconform_gelu(x: Tensor, approximate: bool) -> Tensor:
    """GELU, exact (erf) or the tanh approximation."""
    return _widened(_gelu_tanh if approximate else _gelu_erf)(x)


# NOTE: F.gelu computes x/2 * (1 + erf(x/sqrt2)) and x/2 * (1 + tanh(z)), which
# cancel for x < 0 (6.4e3 ulp at x = -5 in float32; the tanh form gives -0.0
# for 1.9e-9 at x = -5.6). The same sums without cancellation:
# 1 + erf(t) = erfc(-t) and 1 + tanh(z) = 2 sigmoid(2z).
def _gelu_erf(x: Tensor) -> Tensor:
    return 0.5 * x * torch.special.erfc(-x * 0.7071067811865476)


def _gelu_tanh(x: Tensor) -> Tensor:
    z = 0.7978845608028654 * (x + 0.044715 * x * x * x)
    return x * _sigmoid(2.0 * z)


def _along(op: str, fn: Callable[..., Tensor], x: Tensor, axis: int) -> Tensor:
    x = x if is_float(x) else x.to(torch.float32)
    ax = normalize_axis(axis, x.ndim, op)
    return fn(x, dim=ax, dtype=compute_dtype(x.dtype)).to(x.dtype)


@hookimpl
@tensor_args("x")
def kconform_softmax(x: Tensor, axis: int) -> Tensor:
    """Softmax along ``axis``, max-shifted (``-inf`` gets probability 0)."""
    return _along("softmax", F.softmax, x, axis)


@hookimpl
@tensor_args("x")
def kconform_log_softmax(x: Tensor, axis: int) -> Tensor:
    """``x - logsumexp(x)`` along ``axis``."""
    return _along("log_softmax", F.log_softmax, x, axis)


@hookimpl
@tensor_args("indices")
def kconform_one_hot(indices: Tensor, num_classes: int, dtype: str) -> Tensor:
    """One-hot rows; an index outside ``[0, num_classes)`` gives a row of zeros."""
    idx = as_tensor(indices)
    if idx.dtype not in (torch.int32, torch.int64):
        raise TypeError(
            "torch backend: one_hot: indices must be int32 or int64; "
            f"received {idx.dtype}"
        )
    if (
        isinstance(num_classes, bool)
        or int(num_classes) != num_classes
        or num_classes < 0
    ):
        raise ValueError(
            "torch backend: one_hot: num_classes must be a non-negative int; "
            f"received {num_classes!r}"
        )
    classes = torch.arange(int(num_classes), dtype=idx.dtype, device=idx.device)
    return (idx.unsqueeze(-1) == classes).to(to_dtype(dtype))


@hookimpl
@tensor_args("x", "mean", "variance", "offset", "scale")
def kconform_batch_norm(
    x: Tensor,
    mean: Tensor,
    variance: Tensor,
    offset: Tensor | None,
    scale: Tensor | None,
    epsilon: float,
) -> Tensor:
    """``(x - mean) * (rsqrt(variance + epsilon) * scale) + offset`` (Keras's order)."""
    given = [t for t in (x, mean, variance, offset, scale) if t is not None]
    ts = promote_all(*given)
    check_broadcast("batch_norm", *(t.shape for t in ts))
    out_dt = ts[0].dtype if is_float(ts[0]) else torch.float32
    wide = [t.to(compute_dtype(out_dt)) for t in ts]
    xw, mw, vw, rest = wide[0], wide[1], wide[2], wide[3:]
    off = rest.pop(0) if offset is not None else None
    sc = rest.pop(0) if scale is not None else None
    inv = torch.rsqrt(vw + epsilon)
    if sc is not None:
        inv = inv * sc
    out = (xw - mw) * inv
    if off is not None:
        out = out + off
    return out.to(out_dt)
