"""Hooks of the ``nn`` group that slide windows: conv1d, conv2d, max and avg pooling.

A window op pads explicitly, gathers every window into a patch tensor
``(batch, out_h, out_w, k_h, k_w, channels)`` with one strided copy per kernel
tap, and reduces it (a single GEMM for convolutions). Patch extraction and its
adjoint (scatter-add of patches back onto the image) are autograd primitives
defined as each other's VJP, so gradients of any order exist and cost one
strided add per kernel tap rather than a per-element ``numpy.add.at``.
"""

from __future__ import annotations

import math
import operator
from typing import Any

from autograd.extend import defvjp, primitive

import kconform
from kconform.dtypes import FLOATS, promote

from ._core import accum_dtype, anp, as_tensor, cast, dtype_of, np, out, quiet

Geometry = tuple[int, int, int, int, int, int, int, int]  # kh kw sh sw dh dw oh ow


def _taps(geom: Geometry) -> Any:
    """Each kernel tap with the slices of the padded image it reads."""
    kh, kw, sh, sw, dh, dw, oh, ow = geom
    for i in range(kh):
        rows = slice(i * dh, i * dh + (oh - 1) * sh + 1, sh)
        for j in range(kw):
            yield i, j, rows, slice(j * dw, j * dw + (ow - 1) * sw + 1, sw)


@primitive
def _patches(xp: np.ndarray, geom: Geometry) -> np.ndarray:
    """Windows of a padded ``(b, h, w, c)`` image: ``(b, oh, ow, kh, kw, c)``."""
    kh, kw, *_, oh, ow = geom
    b, c = xp.shape[0], xp.shape[3]
    res = np.empty((b, oh, ow, kh, kw, c), dtype=xp.dtype)
    if res.size:
        for i, j, rows, cols in _taps(geom):
            res[:, :, :, i, j, :] = xp[:, rows, cols, :]
    return res


@primitive
def _patches_adjoint(
    g: np.ndarray, shape: tuple[int, ...], geom: Geometry
) -> np.ndarray:
    """Sum patch gradients back onto the padded image: the adjoint of ``_patches``."""
    res = np.zeros(shape, dtype=g.dtype)
    if g.size:
        for i, j, rows, cols in _taps(geom):
            res[:, rows, cols, :] += g[:, :, :, i, j, :]
    return res


defvjp(_patches, lambda ans, xp, geom: lambda g: _patches_adjoint(g, xp.shape, geom))
defvjp(_patches_adjoint, lambda ans, g, shape, geom: lambda h: _patches(h, geom))


def _pair(value: Any, name: str, op: str, rank: int = 2) -> tuple[int, ...]:
    """A positive int per spatial axis; an int is repeated (Keras-style)."""
    try:
        vals = (
            (operator.index(value),) * rank
            if not hasattr(value, "__len__")
            else tuple(operator.index(v) for v in value)
        )
    except TypeError:
        vals = ()
    if len(vals) != rank or any(v < 1 for v in vals):
        raise ValueError(
            f"{op}: {name} must be {rank} positive int(s); received {name}={value!r}"
        )
    return vals


def _geometry(n: int, k: int, s: int, dil: int, padding: str) -> tuple[int, int, int]:
    """Output length and (before, after) padding along one axis (TF's convention)."""
    span = dil * (k - 1) + 1
    if padding == "valid":
        return max((n - span) // s + 1, 0), 0, 0
    out_len = math.ceil(n / s)
    total = max((out_len - 1) * s + span - n, 0)
    return out_len, total // 2, total - total // 2


def _check_padding(padding: Any, op: str) -> str:
    if padding not in ("valid", "same"):
        raise ValueError(
            f"{op}: padding must be 'valid' or 'same'; received padding={padding!r}"
        )
    return padding


def _windows(
    x: Any,
    k: tuple[int, int],
    s: tuple[int, int],
    dil: tuple[int, int],
    padding: str,
    fill: Any,
) -> Any:
    """Pad ``x`` ``(b, h, w, c)`` with ``fill`` and gather its windows."""
    _, h, w, _ = np.shape(x)
    oh, ph0, ph1 = _geometry(h, k[0], s[0], dil[0], padding)
    ow, pw0, pw1 = _geometry(w, k[1], s[1], dil[1], padding)
    if ph0 or ph1 or pw0 or pw1:
        widths = ((0, 0), (ph0, ph1), (pw0, pw1), (0, 0))
        x = anp.pad(x, widths, mode="constant", constant_values=fill)
    return _patches(x, (k[0], k[1], s[0], s[1], dil[0], dil[1], oh, ow))


def _conv(
    x: Any,
    kernel: Any,
    strides: tuple[int, int],
    padding: str,
    dilation: tuple[int, int],
    op: str,
) -> Any:
    """Channels-last 2-D cross-correlation of ``x`` (b, h, w, c) with (kh, kw, c, o)."""
    kh, kw, c, o = np.shape(kernel)
    if np.shape(x)[-1] != c:
        raise ValueError(
            f"{op}: x has {np.shape(x)[-1]} input channels but the kernel "
            f"expects {c} (kernel shape {np.shape(kernel)})"
        )
    if kh < 1 or kw < 1:
        raise ValueError(
            f"{op}: kernel spatial size must be >= 1; received {np.shape(kernel)}"
        )
    d = promote(dtype_of(x), dtype_of(kernel))
    acc = accum_dtype(d)
    with quiet():
        p = _windows(cast(x, acc), (kh, kw), strides, dilation, padding, 0)
        b, oh, ow = np.shape(p)[:3]
        cols = anp.reshape(p, (b * oh * ow, kh * kw * c))  # (b*oh*ow, kh*kw*c)
        r = anp.matmul(cols, anp.reshape(cast(kernel, acc), (kh * kw * c, o)))
    return out(cast(anp.reshape(r, (b, oh, ow, o)), d))


def _rank(x: Any, rank: int, what: str, layout: str, op: str) -> Any:
    x = as_tensor(x)
    if np.ndim(x) != rank:
        raise ValueError(
            f"{op}: {what} must have rank {rank} {layout}; received shape {np.shape(x)}"
        )
    return x


@kconform.hookimpl
def kconform_conv1d(
    x: Any, kernel: Any, strides: int, padding: str, dilation: int
) -> Any:
    """1-D cross-correlation, channels-last, as a conv2d of height 1."""
    x = _rank(x, 3, "x", "(batch, width, channels)", "conv1d")
    kernel = _rank(kernel, 3, "kernel", "(width, in_channels, out_channels)", "conv1d")
    (s,) = _pair(strides, "strides", "conv1d", rank=1)
    (dil,) = _pair(dilation, "dilation", "conv1d", rank=1)
    padding = _check_padding(padding, "conv1d")
    r = _conv(
        anp.expand_dims(x, 1),
        anp.expand_dims(kernel, 0),
        (1, s),
        padding,
        (1, dil),
        "conv1d",
    )
    return out(anp.squeeze(r, axis=1))


@kconform.hookimpl
def kconform_conv2d(
    x: Any,
    kernel: Any,
    strides: tuple[int, int],
    padding: str,
    dilation: tuple[int, int],
) -> Any:
    """2-D cross-correlation, channels-last."""
    x = _rank(x, 4, "x", "(batch, height, width, channels)", "conv2d")
    kernel = _rank(
        kernel, 4, "kernel", "(height, width, in_channels, out_channels)", "conv2d"
    )
    s = _pair(strides, "strides", "conv2d")
    dil = _pair(dilation, "dilation", "conv2d")
    return _conv(x, kernel, s, _check_padding(padding, "conv2d"), dil, "conv2d")


def _pool_args(x: Any, pool_size: Any, strides: Any, padding: str, op: str) -> tuple:
    x = _rank(x, 4, "x", "(batch, height, width, channels)", op)
    k = _pair(pool_size, "pool_size", op)
    s = k if strides is None else _pair(strides, "strides", op)
    return x, k, s, _check_padding(padding, op)


def _lowest(x: Any) -> Any:
    """The padding value that never wins a max: -inf, the int minimum, or False."""
    dt = x.dtype
    if dt.kind == "f" or dtype_of(x) in FLOATS:
        return -np.inf
    if dt.kind == "b":
        return False
    return np.iinfo(dt).min


@kconform.hookimpl
def kconform_max_pool2d(
    x: Any, pool_size: tuple[int, int], strides: tuple[int, int] | None, padding: str
) -> Any:
    """Max over windows; padded positions never win (they hold -inf)."""
    x, k, s, padding = _pool_args(x, pool_size, strides, padding, "max_pool2d")
    with quiet():
        p = _windows(x, k, s, (1, 1), padding, _lowest(x))
        return out(anp.max(p, axis=(3, 4)))


@kconform.hookimpl
def kconform_avg_pool2d(
    x: Any, pool_size: tuple[int, int], strides: tuple[int, int] | None, padding: str
) -> Any:
    """Mean over windows; padded positions are left out of the count."""
    x, k, s, padding = _pool_args(x, pool_size, strides, padding, "avg_pool2d")
    d = dtype_of(x)
    d = d if d in FLOATS else "float32"
    acc = accum_dtype(d)
    with quiet():
        p = _windows(cast(x, acc), k, s, (1, 1), padding, 0)
        total = anp.sum(p, axis=(3, 4))
        ones = np.ones((1, *np.shape(x)[1:3], 1), dtype=acc)
        count = np.sum(_windows(ones, k, s, (1, 1), padding, 0), axis=(3, 4))
        r = total / count
    return out(cast(r, d))
