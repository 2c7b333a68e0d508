"""Contract group ``nn``: channels-last convolution and pooling, TF-style padding."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from kconform import hookimpl

from ._common import compute_dtype, is_float, promote_all, tensor_args

Tensor = torch.Tensor
_PADDINGS = ("valid", "same")


def _tuple(value: Any, n: int, op: str, what: str) -> tuple[int, ...]:
    """An int or an n-tuple of positive ints."""
    items = (value,) * n if isinstance(value, int) else tuple(value)
    if len(items) != n or any(
        isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in items
    ):
        raise ValueError(
            f"torch backend: {op}: {what} must be a positive int or {n} positive ints; "
            f"received {value!r}"
        )
    return items


def _check_padding(padding: Any, op: str) -> None:
    if padding not in _PADDINGS:
        raise ValueError(
            f"torch backend: {op}: padding must be 'valid' or 'same'; "
            f"received {padding!r}"
        )


def _pads(n: int, k: int, s: int, d: int, padding: str) -> tuple[int, int]:
    """(before, after) for one axis: TensorFlow's 'same' puts the odd one after."""
    if padding == "valid":
        return 0, 0
    out = -(-n // s)
    total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def _out_len(n: int, k: int, s: int, d: int) -> int:
    span = d * (k - 1) + 1
    return (n - span) // s + 1 if n >= span else 0


def _conv(
    op: str,
    x: Tensor,
    kernel: Tensor,
    strides: Any,
    padding: str,
    dilation: Any,
    nsp: int,
) -> Tensor:
    """Shared body of conv1d/conv2d: check, pad explicitly, NCHW conv, back to NHWC."""
    x, kernel = promote_all(x, kernel)
    if x.ndim != nsp + 2 or kernel.ndim != nsp + 2:
        raise ValueError(
            f"torch backend: {op}: expected x of rank {nsp + 2} (batch, spatial..., "
            f"channels) and kernel of rank {nsp + 2} (spatial..., in, out); received "
            f"shapes {tuple(x.shape)} and {tuple(kernel.shape)}"
        )
    if x.shape[-1] != kernel.shape[-2]:
        raise ValueError(
            f"torch backend: {op}: x has {x.shape[-1]} channels but the kernel expects "
            f"{kernel.shape[-2]} (shapes {tuple(x.shape)} and {tuple(kernel.shape)})"
        )
    _check_padding(padding, op)
    s = _tuple(strides, nsp, op, "strides")
    d = _tuple(dilation, nsp, op, "dilation")
    ks = tuple(kernel.shape[:nsp])
    if 0 in ks:
        raise ValueError(
            f"torch backend: {op}: kernel has a zero-size spatial axis {ks}"
        )
    ns = tuple(x.shape[1:-1])
    pads = [
        _pads(n, k, si, di, padding) for n, k, si, di in zip(ns, ks, s, d, strict=True)
    ]
    outs = [
        _out_len(n + sum(p), k, si, di)
        for n, p, k, si, di in zip(ns, pads, ks, s, d, strict=True)
    ]
    batch, cin, cout = x.shape[0], x.shape[-1], kernel.shape[-1]
    if 0 in (batch, cin, cout, *outs):
        # An empty sum (no input channels) is 0; torch's kernels reject empty inputs.
        return torch.zeros((batch, *outs, cout), dtype=x.dtype, device=x.device)
    out_dt = x.dtype
    work = (
        out_dt if is_float(x) else torch.float64
    )  # integer conv through exact float64
    xt = x.to(work).movedim(-1, 1)  # (batch, channels, spatial...)
    w = kernel.to(work).permute(nsp + 1, nsp, *range(nsp))  # (out, in, spatial...)
    flat = [v for p in reversed(pads) for v in p]  # F.pad takes the last axis first
    if any(flat):
        xt = F.pad(xt, flat)
    fn = F.conv1d if nsp == 1 else F.conv2d
    y = fn(xt, w, stride=s, dilation=d).movedim(1, -1)
    return y if is_float(x) else torch.round(y).to(out_dt)


@hookimpl
@tensor_args("x", "kernel")
def kconform_conv1d(
    x: Tensor, kernel: Tensor, strides: int, padding: str, dilation: int
) -> Tensor:
    """1-D cross-correlation, ``(batch, width, in)`` * ``(k, in, out)``."""
    return _conv("conv1d", x, kernel, strides, padding, dilation, 1)


@hookimpl
@tensor_args("x", "kernel")
def kconform_conv2d(
    x: Tensor,
    kernel: Tensor,
    strides: tuple[int, int],
    padding: str,
    dilation: tuple[int, int],
) -> Tensor:
    """2-D cross-correlation, ``(batch, h, w, in)`` * ``(kh, kw, in, out)``."""
    return _conv("conv2d", x, kernel, strides, padding, dilation, 2)


def _lowest(dt: torch.dtype) -> float | int:
    """A padding value that never wins a max."""
    return float("-inf") if dt.is_floating_point else torch.iinfo(dt).min


def _pool(
    op: str, x: Tensor, pool_size: Any, strides: Any, padding: str, fill: float | int
) -> tuple[Tensor | None, tuple[int, ...], tuple[int, ...], list[int], tuple[int, ...]]:
    """Check the arguments; pad ``x`` (as NCHW) with ``fill``.

    Returns the padded NCHW tensor (None when the output is empty), the
    window, the strides, the F.pad widths and the NHWC output shape.
    """
    if x.ndim != 4:
        raise ValueError(
            f"torch backend: {op}: expected x of shape (batch, height, width, "
            f"channels); received shape {tuple(x.shape)}"
        )
    _check_padding(padding, op)
    k = _tuple(pool_size, 2, op, "pool_size")
    s = k if strides is None else _tuple(strides, 2, op, "strides")
    ns = x.shape[1:3]
    pads = [_pads(n, kk, ss, 1, padding) for n, kk, ss in zip(ns, k, s, strict=True)]
    outs = [
        _out_len(n + sum(p), kk, ss, 1)
        for n, p, kk, ss in zip(ns, pads, k, s, strict=True)
    ]
    shape = (x.shape[0], *outs, x.shape[3])
    if 0 in shape:
        return None, k, s, [], shape
    flat = [*pads[1], *pads[0]]  # F.pad takes the last axis (width) first
    xt = x.movedim(-1, 1)  # (batch, channels, height, width)
    if any(flat):
        xt = F.pad(xt, flat, value=fill)
    return xt, k, s, flat, shape


# NOTE: pooling uses torch's own NCHW kernels: an unfold-based version made
# torch.compile (2.13, CPU) emit a fused unfold_backward kernel that crashed
# the process (segfault) in a conv -> relu -> pool -> dense training step.
@hookimpl
@tensor_args("x")
def kconform_max_pool2d(
    x: Tensor,
    pool_size: tuple[int, int],
    strides: tuple[int, int] | None,
    padding: str,
) -> Tensor:
    """Max over windows; 'same' pads with -inf so padding never wins."""
    src = x.to(torch.int32) if x.dtype == torch.bool else x
    xt, k, s, _, shape = _pool(
        "max_pool2d", src, pool_size, strides, padding, _lowest(src.dtype)
    )
    if xt is None:
        return torch.empty(shape, dtype=x.dtype, device=x.device)
    out = F.max_pool2d(xt, k, s).movedim(1, -1)
    return out != 0 if x.dtype == torch.bool else out


@hookimpl
@tensor_args("x")
def kconform_avg_pool2d(
    x: Tensor,
    pool_size: tuple[int, int],
    strides: tuple[int, int] | None,
    padding: str,
) -> Tensor:
    """Mean over windows; 'same' leaves padded positions out of the count."""
    acc = compute_dtype(x.dtype) if is_float(x) else torch.float64
    xt, k, s, flat, shape = _pool(
        "avg_pool2d", x.to(acc), pool_size, strides, padding, 0
    )
    if xt is None:
        return torch.empty(shape, dtype=x.dtype, device=x.device)
    total = F.avg_pool2d(xt, k, s, divisor_override=1)  # window sums
    if any(flat):
        # Count the real (unpadded) positions of each window: exact small ints.
        ones = torch.ones((1, 1, *x.shape[1:3]), dtype=acc, device=x.device)
        count = F.avg_pool2d(F.pad(ones, flat), k, s, divisor_override=1)
        out = total / count
    else:
        out = total / (k[0] * k[1])
    out = out.movedim(1, -1)
    return out.to(x.dtype) if is_float(x) else torch.trunc(out).to(x.dtype)
