"""Contract group ``nn``: channels-last convolutions and pooling through XLA windows.

XLA's ``"SAME"`` is TensorFlow's convention (``ceil(n / stride)`` outputs,
the odd padding element after), which is the contract's.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np
from jax import lax

from kconform import hookimpl

from ._common import (
    Array,
    arr,
    cast,
    compute_dtype,
    dtype_name,
    int_tuple,
    np_dtype,
    promote_all,
    to_float,
)
from ._kernel import kernel

_PADDINGS = {"valid": "VALID", "same": "SAME"}
_DIMENSION_NUMBERS = {1: ("NWC", "WIO", "NWC"), 2: ("NHWC", "HWIO", "NHWC")}


def _padding(op: str, padding: Any) -> str:
    if padding not in _PADDINGS:
        raise ValueError(
            f"jax backend, op {op!r}: padding must be 'valid' or 'same'; "
            f"received padding={padding!r}"
        )
    return _PADDINGS[padding]


def _conv(op: str, nd: int, x: Any, kernel: Any, strides: Any, padding: Any,
          dilation: Any) -> Array:  # fmt: skip
    """An ``nd``-dimensional channels-last cross-correlation, checked first."""
    x, kernel = arr(x, op), arr(kernel, op, "kernel")
    if x.ndim != nd + 2 or kernel.ndim != nd + 2:
        raise ValueError(
            f"jax backend, op {op!r}: expects x of rank {nd + 2} (batch, "
            f"{'width' if nd == 1 else 'height, width'}, channels) and a kernel of "
            f"rank {nd + 2}; received x {tuple(x.shape)}, kernel {tuple(kernel.shape)}"
        )
    if x.shape[-1] != kernel.shape[-2]:
        raise ValueError(
            f"jax backend, op {op!r}: x has {x.shape[-1]} input channels but the "
            f"kernel {tuple(kernel.shape)} expects {kernel.shape[-2]}"
        )
    if any(k < 1 for k in kernel.shape[:nd]):
        raise ValueError(
            f"jax backend, op {op!r}: kernel spatial size must be >= 1; received "
            f"kernel shape {tuple(kernel.shape)}"
        )
    strides = int_tuple(strides, nd, op, "strides")
    dilation = int_tuple(dilation, nd, op, "dilation")
    pad = _padding(op, padding)
    (x, kernel), target = promote_all([x, kernel])
    wide = compute_dtype(target)
    out = lax.conv_general_dilated(
        x.astype(wide), kernel.astype(wide), window_strides=strides, padding=pad,
        rhs_dilation=dilation, dimension_numbers=_DIMENSION_NUMBERS[nd],
    )  # fmt: skip
    return cast(out, target)


@hookimpl
@kernel
def kconform_conv1d(
    x: Array, kernel: Array, strides: int, padding: str, dilation: int
) -> Array:
    """1-D convolution: ``(batch, width, in)`` by ``(k, in, out)``."""
    return _conv("conv1d", 1, x, kernel, strides, padding, dilation)


@hookimpl
@kernel
def kconform_conv2d(
    x: Array,
    kernel: Array,
    strides: tuple[int, int],
    padding: str,
    dilation: tuple[int, int],
) -> Array:
    """2-D convolution: ``(batch, h, w, in)`` by ``(kh, kw, in, out)``."""
    return _conv("conv2d", 2, x, kernel, strides, padding, dilation)


def _pool_args(op: str, x: Any, pool_size: Any, strides: Any, padding: Any):
    x = arr(x, op)
    if x.ndim != 4:
        raise ValueError(
            f"jax backend, op {op!r}: expects x of rank 4 (batch, height, width, "
            f"channels); received {tuple(x.shape)}"
        )
    pool = int_tuple(pool_size, 2, op, "pool_size")
    steps = pool if strides is None else int_tuple(strides, 2, op, "strides")
    return x, (1, *pool, 1), (1, *steps, 1), _padding(op, padding)


@hookimpl
@kernel
def kconform_max_pool2d(
    x: Array,
    pool_size: tuple[int, int],
    strides: tuple[int, int] | None,
    padding: str,
) -> Array:
    """Max over windows; padding holds the dtype's lowest value, so never wins."""
    x, window, steps, pad = _pool_args("max_pool2d", x, pool_size, strides, padding)
    name = dtype_name(x)
    if name == "bool":
        lowest: Any = False
    elif name in ("int32", "int64"):
        lowest = np.iinfo(np_dtype(name)).min
    else:
        lowest = -np.inf
    # A concrete identity lets lax pick reduce_window_max, which has a JVP.
    init = np.array(lowest, dtype=np_dtype(name))
    return lax.reduce_window(x, init, lax.max, window, steps, pad)


@hookimpl
@kernel
def kconform_avg_pool2d(
    x: Array,
    pool_size: tuple[int, int],
    strides: tuple[int, int] | None,
    padding: str,
) -> Array:
    """Mean over windows; with 'same', padded positions are left out of the count."""
    x, window, steps, pad = _pool_args("avg_pool2d", x, pool_size, strides, padding)
    x, result = to_float(x)
    wide = compute_dtype(result)
    zero = np.array(0, dtype=wide)
    total = lax.reduce_window(x.astype(wide), zero, lax.add, window, steps, pad)
    if pad == "VALID":
        count: Any = np.array(window[1] * window[2], dtype=wide)
    else:
        # How many real (unpadded) positions each window covers.
        ones = jnp.ones((1, *x.shape[1:3], 1), wide)
        count = lax.reduce_window(ones, zero, lax.add, window, steps, pad)
    return cast(total / count, result)
