"""Contract group ``shape``: reshaping, joining, splitting, gathering and padding."""

from __future__ import annotations

from typing import Any

import torch

from kconform import hookimpl

from ._common import (
    OutOfRange,
    as_tensor,
    check_broadcast,
    normalize_axes,
    normalize_axis,
    promote_all,
    tensor_args,
)
from .tensors import scalar_in

Tensor = torch.Tensor


def _ints(values: Any, op: str, what: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in values)
    except (TypeError, ValueError):
        raise TypeError(
            f"torch backend: {op}: {what} must be a tuple of ints; received {values!r}"
        ) from None


@hookimpl
@tensor_args("x")
def kconform_reshape(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Row-major reshape; one entry may be -1; a size mismatch raises."""
    dims = _ints(shape, "reshape", "shape")
    try:
        return torch.reshape(x, dims)
    except RuntimeError as exc:
        raise ValueError(
            f"torch backend: reshape: cannot reshape a tensor of shape "
            f"{tuple(x.shape)} (size {x.numel()}) into shape {dims}: {exc}"
        ) from None


@hookimpl
@tensor_args("x")
def kconform_transpose(x: Tensor, axes: tuple[int, ...] | None) -> Tensor:
    """Permute the axes (None reverses them)."""
    if axes is None:
        return x.permute(*reversed(range(x.ndim)))
    perm = tuple(normalize_axis(a, x.ndim, "transpose") for a in axes)
    if sorted(perm) != list(range(x.ndim)):
        raise ValueError(
            f"torch backend: transpose: axes {tuple(axes)} are not a permutation "
            f"of the {x.ndim} axes of a tensor of shape {tuple(x.shape)}"
        )
    return x.permute(*perm)


@hookimpl
@tensor_args("x")
def kconform_expand_dims(x: Tensor, axis: int) -> Tensor:
    """Insert a length-1 axis at ``axis``."""
    ax = normalize_axis(axis, x.ndim + 1, "expand_dims")
    return torch.unsqueeze(x, ax)


@hookimpl
@tensor_args("x")
def kconform_squeeze(x: Tensor, axis: int | tuple[int, ...] | None) -> Tensor:
    """Drop length-1 axes (those named, or all); naming a longer axis raises."""
    if axis is None:
        return torch.reshape(x, [d for d in x.shape if d != 1])
    axes = normalize_axes(axis, x.ndim, "squeeze")
    bad = [a for a in axes if x.shape[a] != 1]
    if bad:
        raise ValueError(
            f"torch backend: squeeze: axis {bad[0]} has length {x.shape[bad[0]]}, "
            f"not 1 (shape {tuple(x.shape)}); only length-1 axes can be squeezed"
        )
    return torch.reshape(x, [d for i, d in enumerate(x.shape) if i not in axes])


def _joinable(op: str, xs: list[Tensor]) -> tuple[Tensor, ...]:
    if not isinstance(xs, (list, tuple)) or not xs:
        raise ValueError(f"torch backend: {op}: needs a non-empty list of tensors")
    return promote_all(*xs)


@hookimpl
@tensor_args("xs")
def kconform_concatenate(xs: list[Tensor], axis: int) -> Tensor:
    """Join along an existing axis; the other axes must match."""
    ts = _joinable("concatenate", xs)
    ndim = ts[0].ndim
    if ndim == 0 or any(t.ndim != ndim for t in ts):
        raise ValueError(
            "torch backend: concatenate: inputs must have one rank of at least 1; "
            f"received shapes {[tuple(t.shape) for t in ts]}"
        )
    ax = normalize_axis(axis, ndim, "concatenate")
    for t in ts[1:]:
        if any(t.shape[i] != ts[0].shape[i] for i in range(ndim) if i != ax):
            raise ValueError(
                f"torch backend: concatenate: shapes {tuple(ts[0].shape)} and "
                f"{tuple(t.shape)} differ outside axis {ax}"
            )
    return torch.cat(ts, dim=ax)


@hookimpl
@tensor_args("xs")
def kconform_stack(xs: list[Tensor], axis: int) -> Tensor:
    """Join tensors of one shape along a new axis."""
    ts = _joinable("stack", xs)
    if any(t.shape != ts[0].shape for t in ts):
        raise ValueError(
            "torch backend: stack: all inputs must have one shape; received "
            f"{[tuple(t.shape) for t in ts]}"
        )
    ax = normalize_axis(axis, ts[0].ndim + 1, "stack")
    return torch.stack(ts, dim=ax)


@hookimpl
@tensor_args("x")
def kconform_split(
    x: Tensor, indices_or_sections: int | tuple[int, ...], axis: int
) -> list[Tensor]:
    """Split as ``numpy.split``: equal sections, or at split points (as slices)."""
    if x.ndim == 0:
        raise ValueError("torch backend: split: cannot split a 0-d tensor")
    ax = normalize_axis(axis, x.ndim, "split")
    n = x.shape[ax]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0 or n % k:
            raise ValueError(
                f"torch backend: split: {k} sections do not divide axis {ax} of "
                f"length {n} evenly; pass a divisor of {n} or split points"
            )
        points = [n // k * i for i in range(1, k)]
    else:
        points = list(_ints(indices_or_sections, "split", "indices_or_sections"))
    bounds = [0, *points, n]
    out = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        start, stop, _ = slice(a, b).indices(n)  # Python/NumPy slice semantics
        out.append(x.narrow(ax, start, max(stop - start, 0)))
    return out


def _indices(indices: Any, op: str) -> Tensor:
    idx = as_tensor(indices)
    if idx.dtype not in (torch.int32, torch.int64):
        raise TypeError(
            f"torch backend: {op}: indices must be int32 or int64; received {idx.dtype}"
        )
    return idx


# NOTE: run eagerly under torch.compile: the check needs concrete index values.
@torch.compiler.disable
def _check_range(op: str, idx: Tensor, n: int) -> Tensor:
    """Raise for any index outside ``[-n, n)`` (never clamp); return the indices
    with the negative ones counted from the end, as NumPy does."""
    if idx.numel() == 0:
        return idx
    lo, hi = int(idx.min()), int(idx.max())
    if lo < -n or hi >= n:
        bad = lo if lo < -n else hi
        raise OutOfRange(
            f"torch backend: {op}: index {bad} is out of range for an axis of "
            f"length {n}; expected -{n} <= index < {n}"
        )
    return torch.where(idx < 0, idx + n, idx)


@hookimpl
@tensor_args("x", "indices")
def kconform_take(x: Tensor, indices: Tensor, axis: int | None) -> Tensor:
    """Gather along ``axis`` (flattened when None) as ``numpy.take``."""
    idx = _indices(indices, "take")
    if axis is None:
        x, ax = x.reshape(-1), 0
    else:
        ax = normalize_axis(axis, x.ndim, "take")
    idx = _check_range("take", idx, x.shape[ax])
    flat = torch.index_select(x, ax, idx.reshape(-1).to(torch.int64))
    return flat.reshape(*x.shape[:ax], *idx.shape, *x.shape[ax + 1 :])


@hookimpl
@tensor_args("x", "indices")
def kconform_take_along_axis(x: Tensor, indices: Tensor, axis: int) -> Tensor:
    """Gather along ``axis`` with indices of ``x``'s rank; other axes broadcast."""
    idx = _indices(indices, "take_along_axis")
    if idx.ndim != x.ndim:
        raise ValueError(
            f"torch backend: take_along_axis: indices of rank {idx.ndim} for a tensor "
            f"of rank {x.ndim}; they must have the same rank"
        )
    ax = normalize_axis(axis, x.ndim, "take_along_axis")
    idx = _check_range("take_along_axis", idx, x.shape[ax])
    # torch.gather does not broadcast: expand the other axes by NumPy's rules.
    others = [s for i, s in enumerate(zip(x.shape, idx.shape, strict=True)) if i != ax]
    common = (
        check_broadcast("take_along_axis", *zip(*others, strict=True)) if others else ()
    )
    shape_x = list(common[:ax]) + [x.shape[ax]] + list(common[ax:])
    shape_i = list(common[:ax]) + [idx.shape[ax]] + list(common[ax:])
    return torch.gather(x.expand(shape_x), ax, idx.to(torch.int64).expand(shape_i))


@hookimpl
@tensor_args("x")
def kconform_slice(x: Tensor, start: tuple[int, ...], size: tuple[int, ...]) -> Tensor:
    """The block from ``start`` of extent ``size``; a block outside ``x`` raises."""
    start = _ints(start, "slice", "start")
    size = _ints(size, "slice", "size")
    if len(start) != x.ndim or len(size) != x.ndim:
        raise ValueError(
            f"torch backend: slice: start {start} and size {size} need one entry per "
            f"axis of a tensor of shape {tuple(x.shape)}"
        )
    for b, n, d in zip(start, size, x.shape, strict=True):
        if b < 0 or n < 0 or b + n > d:
            raise OutOfRange(
                f"torch backend: slice: block start={start} size={size} does not fit "
                f"inside shape {tuple(x.shape)}"
            )
    return x[tuple(slice(b, b + n) for b, n in zip(start, size, strict=True))]


@hookimpl
@tensor_args("x")
def kconform_pad(
    x: Tensor, pad_width: tuple[tuple[int, int], ...], constant_value: float
) -> Tensor:
    """Pad with ``constant_value`` (rounded to ``x``'s dtype); negative widths raise."""
    try:
        widths = [(int(a), int(b)) for a, b in pad_width]
    except (TypeError, ValueError):
        raise TypeError(
            "torch backend: pad: pad_width must be a tuple of (before, after) int "
            f"pairs; received {pad_width!r}"
        ) from None
    if len(widths) != x.ndim:
        raise ValueError(
            f"torch backend: pad: {len(widths)} (before, after) pairs for a tensor of "
            f"rank {x.ndim}; give one pair per axis"
        )
    if any(a < 0 or b < 0 for a, b in widths):
        raise ValueError(f"torch backend: pad: negative pad width in {widths}")
    shape = [d + a + b for d, (a, b) in zip(x.shape, widths, strict=True)]
    fill = scalar_in(constant_value, x.dtype)
    out = torch.full(shape, fill, dtype=x.dtype, device=x.device)
    out[tuple(slice(a, a + d) for d, (a, _) in zip(x.shape, widths, strict=True))] = x
    return out


@hookimpl
@tensor_args("x")
def kconform_broadcast_to(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Broadcast to ``shape`` by NumPy's rules (the target never shrinks)."""
    dims = _ints(shape, "broadcast_to", "shape")
    if len(dims) < x.ndim or check_broadcast("broadcast_to", x.shape, dims) != dims:
        raise ValueError(
            f"torch backend: broadcast_to: cannot broadcast shape {tuple(x.shape)} "
            f"to {dims}"
        )
    return torch.broadcast_to(x, dims).contiguous()


@hookimpl
@tensor_args("x")
def kconform_tile(x: Tensor, reps: tuple[int, ...]) -> Tensor:
    """Repeat along each axis, as ``numpy.tile``."""
    reps = _ints(reps, "tile", "reps")
    if any(r < 0 for r in reps):
        raise ValueError(f"torch backend: tile: negative repetition in {reps}")
    if not reps:
        return x.clone()
    return torch.tile(x, reps)
