"""Contract groups ``tensors`` and ``creation``: NumPy in and out, casts, fills."""

from __future__ import annotations

import math
from typing import Any

import ml_dtypes
import numpy as np
import torch

from kconform import hookimpl
from kconform.dtypes import name_of

from ._common import DEVICE, LOW_PRECISION, name, tensor_args, to_dtype

__all__ = [
    "exact_cast",
    "kconform_arange",
    "kconform_cast",
    "kconform_dtype",
    "kconform_eye",
    "kconform_from_numpy",
    "kconform_full",
    "kconform_is_tensor",
    "kconform_ones",
    "kconform_shape",
    "kconform_to_numpy",
    "kconform_zeros",
]


def _check_shape(shape: Any, op: str) -> tuple[int, ...]:
    try:
        dims = tuple(int(d) for d in shape)
    except TypeError:
        raise TypeError(
            f"torch backend: {op}: shape must be a tuple of ints; received {shape!r}"
        ) from None
    if any(d < 0 for d in dims):
        raise ValueError(
            f"torch backend: {op}: negative dimension in shape {dims}; "
            "expected non-negative ints"
        )
    return dims


# NOTE: host data is a constant to torch.compile: converting it eagerly keeps
# dynamo from tracing NumPy (and guarding, then recompiling, on its values).
@hookimpl
@torch.compiler.disable
def kconform_from_numpy(array: Any) -> torch.Tensor:
    """Copy a NumPy array into a tensor bit for bit (bfloat16 via an int16 view)."""
    arr = np.asarray(array)
    dtype = name_of(arr.dtype)  # raises ValueError for non-contract dtypes
    if dtype == "bfloat16":
        # torch.from_numpy does not know ml_dtypes.bfloat16: reinterpret the bits.
        bits = np.array(arr.view(np.int16), copy=True, order="C")
        return torch.from_numpy(bits).view(torch.bfloat16).to(DEVICE)
    out = torch.from_numpy(np.array(arr, copy=True, order="C"))
    return out.to(DEVICE)


@hookimpl
@torch.compiler.disable
def kconform_to_numpy(x: torch.Tensor) -> np.ndarray:
    """Copy a tensor into a NumPy array of the same dtype (bfloat16 as ml_dtypes)."""
    t = x.detach().to("cpu")
    name(t)
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().copy().view(ml_dtypes.bfloat16)
    return t.numpy().copy()


@hookimpl
def kconform_is_tensor(x: Any) -> bool:
    """Whether ``x`` is a torch tensor."""
    return isinstance(x, torch.Tensor)


@hookimpl
@tensor_args("x")
def kconform_shape(x: torch.Tensor) -> tuple[int, ...]:
    """The shape as a tuple of Python ints."""
    return tuple(int(d) for d in x.shape)


@hookimpl
@tensor_args("x")
def kconform_dtype(x: torch.Tensor) -> str:
    """The contract dtype name."""
    return name(x)


def _round_to_odd_f32(x: torch.Tensor) -> torch.Tensor:
    """Round float64 to float32 with round-to-odd (truncate, then set a sticky bit).

    Rounding that result to float16/bfloat16 (nearest-even) equals rounding
    ``x`` once: round-to-odd keeps the information a second rounding needs.
    """
    f = x.to(torch.float32)
    wide = f.to(torch.float64)
    inexact = (wide != x) & torch.isfinite(x)
    bits = f.view(torch.int32)
    # Sign-magnitude: bits - 1 moves one ulp toward zero for either sign.
    bits = torch.where(inexact & (wide.abs() > x.abs()), bits - 1, bits)
    bits = torch.where(inexact, bits | 1, bits)
    return bits.view(torch.float32)


def exact_cast(x: torch.Tensor, dt: torch.dtype) -> torch.Tensor:
    """Convert to ``dt`` rounding once, to nearest, ties to even.

    NOTE: torch (and ml_dtypes) convert float64 to float16/bfloat16 through
    float32, which rounds twice: float64 1 + 2**-8 + 2**-40 becomes bfloat16
    1.0 instead of 1.0078125. Integers go through float64 for the same reason.
    """
    if x.dtype == dt:
        return x
    if dt not in LOW_PRECISION or x.dtype in (
        torch.float32,
        torch.bool,
        *LOW_PRECISION,
    ):
        return x.to(dt)
    with torch.no_grad():
        wide = x.detach().to(torch.float64)
        out = _round_to_odd_f32(wide).to(dt)
    if x.requires_grad:
        # Straight-through: exact value, the gradient of a plain conversion.
        zero = (x - x.detach()).to(dt)
        out = out + zero
    return out


@hookimpl
@tensor_args("x")
def kconform_cast(x: torch.Tensor, dtype: str) -> torch.Tensor:
    """Convert to ``dtype``: nearest-even, truncation to ints, ``!= 0`` to bool."""
    dt = to_dtype(dtype)
    if dt == torch.bool:
        return x != 0
    return exact_cast(x, dt)


@hookimpl
def kconform_zeros(shape: tuple[int, ...], dtype: str) -> torch.Tensor:
    """A tensor of zeros."""
    return torch.zeros(
        _check_shape(shape, "zeros"), dtype=to_dtype(dtype), device=DEVICE
    )


@hookimpl
def kconform_ones(shape: tuple[int, ...], dtype: str) -> torch.Tensor:
    """A tensor of ones."""
    return torch.ones(_check_shape(shape, "ones"), dtype=to_dtype(dtype), device=DEVICE)


def scalar_in(value: float, dt: torch.dtype) -> bool | int | float:
    """A Python number rounded to ``dt`` as :func:`kconform_cast` rounds it."""
    if dt == torch.bool:
        return bool(value != 0)
    if dt in (torch.int32, torch.int64):
        if isinstance(value, (bool, int, np.integer)):
            return int(value)
        if not math.isfinite(value):
            raise ValueError(f"torch backend: cannot represent {value!r} as {dt}")
        return math.trunc(value)
    value = float(value)
    if dt == torch.float64:
        return value
    return _round_float(value, *_FORMATS[dt])


# (significand bits, minimum normal exponent, largest finite) of each format.
_FORMATS = {
    torch.float16: (11, -14, 65504.0),
    torch.bfloat16: (8, -126, 3.3895313892515355e38),
    torch.float32: (24, -126, 3.4028234663852886e38),
}


def _round_float(value: float, p: int, emin: int, largest: float) -> float:
    """Round a float64 to a format with ``p`` significand bits, once, ties to even.

    Pure Python (no tensor, no ``.item()``), so torch.compile folds it.
    """
    if value == 0 or not math.isfinite(value):
        return value
    _, e = math.frexp(value)  # value = m * 2**e with 0.5 <= |m| < 1
    q = max(e - p, emin - p + 1)  # exponent of the last place (subnormals too)
    out = math.ldexp(round(math.ldexp(value, -q)), q)  # round() is half-even
    if abs(out) > largest:
        return math.copysign(math.inf, value)
    return math.copysign(out, value)


@hookimpl
def kconform_full(
    shape: tuple[int, ...], fill_value: float, dtype: str
) -> torch.Tensor:
    """A tensor filled with ``fill_value`` rounded to ``dtype``."""
    dt = to_dtype(dtype)
    dims = _check_shape(shape, "full")
    return torch.full(dims, scalar_in(fill_value, dt), dtype=dt, device=DEVICE)


@hookimpl
def kconform_arange(
    start: float, stop: float | None, step: float, dtype: str
) -> torch.Tensor:
    """Values ``start + i * step`` in ``[start, stop)``, as ``numpy.arange``."""
    dt = to_dtype(dtype)
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueError("torch backend: arange: step must be nonzero; received step=0")
    ints = all(isinstance(v, (int, np.integer)) for v in (start, stop, step))
    if ints:
        n = max(-((start - stop) // step), 0)
        if dt in (torch.int32, torch.int64):
            return torch.arange(start, stop, step, dtype=dt, device=DEVICE)
    else:
        n = max(math.ceil((stop - start) / step), 0)
    i = torch.arange(n, dtype=torch.float64, device=DEVICE)
    values = start + i * step
    return kconform_cast(values, dtype)


@hookimpl
def kconform_eye(n: int, m: int | None, dtype: str) -> torch.Tensor:
    """An ``(n, m)`` matrix with ones on the diagonal."""
    m = n if m is None else m
    _check_shape((n, m), "eye")
    return torch.eye(n, m, dtype=to_dtype(dtype), device=DEVICE)
