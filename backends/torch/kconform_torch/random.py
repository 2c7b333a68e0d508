"""Contract group ``random``: stateless draws, one fresh ``torch.Generator`` per call.

Values are drawn in float64 on the CPU (so a seed gives the same numbers on
every device), rounded once to the requested dtype, and entries whose rounded
value falls outside the support (``maxval`` itself for uniform, beyond two
stddev for the truncated normal) are redrawn: rounding never leaks out of it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from kconform import hookimpl

from ._common import DEVICE, to_dtype
from .tensors import exact_cast, scalar_in

Tensor = torch.Tensor
_F64 = torch.float64
_MAX_ROUNDS = 100


def _generator(seed: int) -> torch.Generator:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
        raise ValueError(
            f"torch backend: seed must be an int in [0, 2**64); received {seed!r}"
        )
    return torch.Generator(device="cpu").manual_seed(seed)


def _size(shape: tuple[int, ...], op: str) -> tuple[tuple[int, ...], int]:
    dims = tuple(int(d) for d in shape)
    if any(d < 0 for d in dims):
        raise ValueError(f"torch backend: {op}: negative dimension in shape {dims}")
    return dims, math.prod(dims)


def _float_dtype(dtype: str, op: str) -> torch.dtype:
    dt = to_dtype(dtype)
    if not dt.is_floating_point:
        raise ValueError(
            f"torch backend: {op}: dtype must be a float dtype; received {dtype!r}"
        )
    return dt


@torch.compiler.disable  # data-dependent loop: always eager
def _redraw(
    op: str,
    n: int,
    draw: Callable[[int], Tensor],
    accept: Callable[[Tensor], Tensor],
    dt: torch.dtype,
) -> Tensor:
    """``n`` float64 draws rounded to ``dt``, redrawing those ``accept`` rejects."""
    x = exact_cast(draw(n), dt)
    for _ in range(_MAX_ROUNDS):
        bad = ~accept(x.to(_F64))
        k = int(bad.sum())
        if k == 0:
            return x
        x[bad] = exact_cast(draw(k), dt)
    raise ValueError(
        f"torch backend: {op}: no value of dtype {dt} lies in the requested support "
        "often enough; widen the range"
    )


@hookimpl
def kconform_random_uniform(
    shape: tuple[int, ...], minval: float, maxval: float, dtype: str, seed: int
) -> Tensor:
    """Uniform on ``[minval, maxval)``."""
    dt = _float_dtype(dtype, "random_uniform")
    dims, n = _size(shape, "random_uniform")
    g = _generator(seed)
    if maxval < minval:
        raise ValueError(
            f"torch backend: random_uniform: minval={minval} > maxval={maxval}"
        )
    if maxval == minval:
        return torch.full(dims, scalar_in(minval, dt), dtype=dt, device=DEVICE)
    width = float(maxval) - float(minval)

    def draw(k: int) -> Tensor:
        return minval + width * torch.rand(k, generator=g, dtype=_F64)

    x = _redraw("random_uniform", n, draw, lambda v: (v >= minval) & (v < maxval), dt)
    return x.reshape(dims).to(DEVICE)


def _normal(
    op: str,
    shape: tuple[int, ...],
    mean: float,
    stddev: float,
    dtype: str,
    seed: int,
    bound: float | None,
) -> Tensor:
    """Normal draws; with ``bound``, redraw those beyond ``bound * stddev``."""
    dt = _float_dtype(dtype, op)
    dims, n = _size(shape, op)
    g = _generator(seed)
    if stddev < 0:
        raise ValueError(f"torch backend: {op}: stddev must be >= 0; received {stddev}")

    def draw(k: int) -> Tensor:
        return mean + stddev * torch.randn(k, generator=g, dtype=_F64)

    if bound is None:
        x = exact_cast(draw(n), dt)
    else:
        limit = bound * stddev
        x = _redraw(op, n, draw, lambda v: (v - mean).abs() <= limit, dt)
    return x.reshape(dims).to(DEVICE)


@hookimpl
def kconform_random_normal(
    shape: tuple[int, ...], mean: float, stddev: float, dtype: str, seed: int
) -> Tensor:
    """Normal ``N(mean, stddev**2)``."""
    return _normal("random_normal", shape, mean, stddev, dtype, seed, None)


@hookimpl
def kconform_random_truncated_normal(
    shape: tuple[int, ...], mean: float, stddev: float, dtype: str, seed: int
) -> Tensor:
    """Normal conditioned on ``|x - mean| <= 2 stddev``, by redrawing (not clipping)."""
    return _normal("random_truncated_normal", shape, mean, stddev, dtype, seed, 2.0)


@hookimpl
def kconform_random_bernoulli(shape: tuple[int, ...], p: float, seed: int) -> Tensor:
    """Bool mask, True with probability ``p``."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(
            f"torch backend: random_bernoulli: p must be in [0, 1]; received {p}"
        )
    dims, _ = _size(shape, "random_bernoulli")
    u = torch.rand(dims, generator=_generator(seed), dtype=_F64)
    return (u < p).to(DEVICE)


@hookimpl
def kconform_random_permutation(n: int, seed: int) -> Tensor:
    """A uniformly random permutation of ``0 .. n-1``, int32."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(
            "torch backend: random_permutation: n must be a non-negative int; "
            f"received {n!r}"
        )
    perm = torch.randperm(n, generator=_generator(seed), dtype=torch.int64)
    return perm.to(torch.int32).to(DEVICE)
