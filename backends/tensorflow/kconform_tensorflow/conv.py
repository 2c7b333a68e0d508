"""Contract group ``nn``: channels-last convolutions and 2-D pooling."""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence

from kconform import hookimpl

from ._tf import tf
from ._util import (
    FLOATS,
    Tensor,
    as_tensor,
    float_input,
    narrow,
    promoted,
    static_shape,
    widen,
)


def _tuple(value: int | Sequence[int], n: int, what: str) -> tuple[int, ...]:
    """A positive int or an ``n``-tuple of positive ints, as an ``n``-tuple."""
    try:
        raw = (value,) * n if not isinstance(value, Sequence) else tuple(value)
        vals = tuple(operator.index(v) for v in raw)
    except TypeError:
        vals = ()
    if len(vals) != n or not all(v >= 1 for v in vals) or isinstance(value, bool):
        raise ValueError(
            f"{what} must be a positive int"
            + (f" or {n} positive ints" if n > 1 else "")
            + f"; received {value!r}"
        )
    return vals


def _padding(padding: str) -> str:
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same'; received {padding!r}")
    return padding


def _out_len(n: int, k: int, stride: int, dilation: int, padding: str) -> int:
    """Output length along one axis, per the contract."""
    if padding == "same":
        return -(-n // stride)
    eff = dilation * (k - 1) + 1
    return (n - eff) // stride + 1 if n >= eff else 0


def _same_pads(n: int, k: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding: ``total // 2`` before, the rest after."""
    out = -(-n // stride)
    total = max((out - 1) * stride + dilation * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def _conv(
    x: Tensor,
    kernel: Tensor,
    strides: tuple[int, ...],
    padding: str,
    dilation: tuple[int, ...],
    op: str,
) -> Tensor:
    """N-d cross-correlation, channels-last, with every stride/dilation combination."""
    nd = len(strides)
    x, kernel = promoted(x, kernel)
    xs, ks = static_shape(x), static_shape(kernel)
    if len(xs) != nd + 2 or len(ks) != nd + 2:
        raise ValueError(
            f"{op}: x must have rank {nd + 2} and kernel rank {nd + 2}; "
            f"received shapes {xs} and {ks}"
        )
    if xs[-1] != ks[-2]:
        raise ValueError(
            f"{op}: x has {xs[-1]} channels but the kernel expects "
            f"{ks[-2]} (x {xs}, kernel {ks})"
        )
    if any(k < 1 for k in ks[:nd]):
        raise ValueError(f"{op}: the kernel's spatial size must be >= 1; shape {ks}")
    spatial = [
        _out_len(n, k, s, d, padding)
        for n, k, s, d in zip(xs[1:-1], ks[:nd], strides, dilation, strict=True)
    ]
    out_shape = [xs[0], *spatial, ks[-1]]
    dtype = x.dtype
    if math.prod(out_shape) == 0 or xs[-1] == 0:
        return tf.zeros(out_shape, dtype)
    if dtype not in FLOATS:
        # No int64/bool conv kernels on CPU: float64 sums ints exactly below 2**53.
        x, kernel = tf.cast(x, tf.float64), tf.cast(kernel, tf.float64)
    x, _ = widen(x)
    kernel, _ = widen(kernel)
    if max(strides) > 1 and max(dilation) > 1:
        # NOTE: TF's conv rejects strides > 1 together with dilation > 1. Pad
        # as 'same' would, convolve with stride 1, then keep every stride-th
        # output: the same sums, term for term.
        if padding == "same":
            pads = [
                _same_pads(n, k, s, d)
                for n, k, s, d in zip(xs[1:-1], ks[:nd], strides, dilation, strict=True)
            ]
            x = tf.pad(x, [(0, 0), *pads, (0, 0)])
        full = tf.nn.convolution(
            x, kernel, strides=1, padding="VALID", dilations=list(dilation)
        )
        index = (slice(None),) + tuple(slice(None, None, s) for s in strides)
        out = full[index]
        out = out[(slice(None),) + tuple(slice(0, n) for n in spatial)]
    else:
        out = tf.nn.convolution(
            x,
            kernel,
            strides=list(strides),
            padding=padding.upper(),
            dilations=list(dilation),
        )
    if dtype == tf.bool:
        return tf.not_equal(out, 0.0)
    return narrow(out, dtype)


@hookimpl
def kconform_conv1d(
    x: Tensor, kernel: Tensor, strides: int, padding: str, dilation: int
) -> Tensor:
    """1-D cross-correlation of ``(batch, width, in)`` with ``(k, in, out)``."""
    return _conv(
        x,
        kernel,
        _tuple(strides, 1, "strides"),
        _padding(padding),
        _tuple(dilation, 1, "dilation"),
        "conv1d",
    )


@hookimpl
def kconform_conv2d(
    x: Tensor,
    kernel: Tensor,
    strides: tuple[int, int],
    padding: str,
    dilation: tuple[int, int],
) -> Tensor:
    """2-D cross-correlation of ``(batch, h, w, in)`` with ``(kh, kw, in, out)``."""
    return _conv(
        x,
        kernel,
        _tuple(strides, 2, "strides"),
        _padding(padding),
        _tuple(dilation, 2, "dilation"),
        "conv2d",
    )


def _pool_args(
    x: Tensor,
    pool_size: tuple[int, int],
    strides: tuple[int, int] | None,
    padding: str,
    op: str,
) -> tuple[Tensor, tuple[int, ...], tuple[int, ...], list[int]]:
    x = as_tensor(x)
    shape = static_shape(x)
    if len(shape) != 4:
        raise ValueError(
            f"{op}: x must be (batch, height, width, channels); received shape {shape}"
        )
    window = _tuple(pool_size, 2, "pool_size")
    step = window if strides is None else _tuple(strides, 2, "strides")
    _padding(padding)
    spatial = [
        _out_len(n, k, s, 1, padding)
        for n, k, s in zip(shape[1:3], window, step, strict=True)
    ]
    return x, window, step, [shape[0], *spatial, shape[3]]


@hookimpl
def kconform_max_pool2d(
    x: Tensor,
    pool_size: tuple[int, int],
    strides: tuple[int, int] | None,
    padding: str,
) -> Tensor:
    """Max over windows; with 'same', padded positions never win; NaN wins."""
    x, window, step, out_shape = _pool_args(
        x, pool_size, strides, padding, "max_pool2d"
    )
    dtype = x.dtype
    if math.prod(out_shape) == 0:
        return tf.zeros(out_shape, dtype)
    if dtype == tf.bool:
        x = tf.cast(x, tf.int32)
    out = tf.nn.max_pool2d(x, window, step, padding.upper())
    if dtype in FLOATS:  # NaN wins, as NumPy's max, whatever the kernel does
        nan = tf.cast(tf.math.is_nan(x), tf.float32)
        has_nan = tf.nn.max_pool2d(nan, window, step, padding.upper()) > 0
        out = tf.where(has_nan, tf.constant(math.nan, dtype), out)
    return tf.not_equal(out, 0) if dtype == tf.bool else out


@hookimpl
def kconform_avg_pool2d(
    x: Tensor,
    pool_size: tuple[int, int],
    strides: tuple[int, int] | None,
    padding: str,
) -> Tensor:
    """Mean over windows; with 'same', padded positions are left out of the count."""
    x, window, step, out_shape = _pool_args(
        x, pool_size, strides, padding, "avg_pool2d"
    )
    x = float_input(x)
    if math.prod(out_shape) == 0:
        return tf.zeros(out_shape, x.dtype)
    wide, dtype = widen(x)
    return narrow(tf.nn.avg_pool2d(wide, window, step, padding.upper()), dtype)
