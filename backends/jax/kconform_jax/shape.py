"""Contract group ``shape``: reshaping, joining, splitting, gathering, padding.

JAX never raises for an index out of range: gathers clamp or fill, dynamic
slices clamp. The contract wants an error, so indices are checked here
whenever their values are known (outside ``jit`` and for non-traced indices).
"""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp
import numpy as np
from jax import lax

from kconform import hookimpl

from ._common import (
    Array,
    arr,
    check_axes,
    check_axis,
    check_shape,
    dtype_name,
    host_value,
    is_traced,
    promote_all,
)
from ._kernel import kernel


@hookimpl
@kernel
def kconform_reshape(x: Array, shape: tuple[int, ...]) -> Array:
    """Return ``x`` reshaped row-major to ``shape`` (one entry may be -1)."""
    x = arr(x, "reshape")
    dims = tuple(shape) if not isinstance(shape, (int, np.integer)) else (shape,)
    known = [d for d in dims if d != -1]
    bad = any(not isinstance(d, (int, np.integer)) or d < -1 for d in dims)
    size = math.prod(known)
    if bad or len(known) < len(dims) - 1:
        raise ValueError(f"jax backend, op 'reshape': invalid shape {shape!r}; "
                         "expected non-negative ints with at most one -1")  # fmt: skip
    fits = size == x.size if len(known) == len(dims) else size and x.size % size == 0
    if not fits:
        raise ValueError(
            f"jax backend, op 'reshape': cannot reshape a tensor of shape "
            f"{tuple(x.shape)} (size {x.size}) into {tuple(dims)}"
        )
    return jnp.reshape(x, tuple(int(d) for d in dims))


@hookimpl
@kernel
def kconform_transpose(x: Array, axes: tuple[int, ...] | None) -> Array:
    """Permute the axes of ``x`` (None reverses them)."""
    x = arr(x, "transpose")
    if axes is None:
        return jnp.transpose(x)
    perm = tuple(check_axis(a, x.ndim, "transpose") for a in axes)
    if sorted(perm) != list(range(x.ndim)):
        raise ValueError(
            f"jax backend, op 'transpose': axes {tuple(axes)} is not a permutation "
            f"of the {x.ndim} axes of a tensor of shape {tuple(x.shape)}"
        )
    return jnp.transpose(x, perm)


@hookimpl
@kernel
def kconform_expand_dims(x: Array, axis: int) -> Array:
    """Insert a length-1 axis at ``axis``."""
    x = arr(x, "expand_dims")
    return jnp.expand_dims(x, check_axis(axis, x.ndim + 1, "expand_dims"))


@hookimpl
@kernel
def kconform_squeeze(x: Array, axis: int | tuple[int, ...] | None) -> Array:
    """Remove length-1 axes (those in ``axis``, or all)."""
    x = arr(x, "squeeze")
    if axis is None:
        return jnp.squeeze(x)
    axes = check_axes(axis, x.ndim, "squeeze")
    wrong = [a for a in axes if x.shape[a] != 1]
    if wrong:
        raise ValueError(
            f"jax backend, op 'squeeze': axis {wrong} of a tensor of shape "
            f"{tuple(x.shape)} does not have length 1"
        )
    return jnp.squeeze(x, axes)


def _tensor_list(op: str, xs: Any) -> list[Array]:
    if isinstance(xs, (str, bytes)) or not hasattr(xs, "__iter__"):
        raise TypeError(f"jax backend, op {op!r}: xs must be a list of tensors; "
                        f"received {type(xs).__name__}")  # fmt: skip
    items = [arr(t, op, f"xs[{i}]") for i, t in enumerate(xs)]
    if not items:
        raise ValueError(f"jax backend, op {op!r}: needs at least one tensor")
    return items


@hookimpl
@kernel
def kconform_concatenate(xs: list[Array], axis: int) -> Array:
    """Join tensors along an existing ``axis`` with the promoted dtype."""
    items, _ = promote_all(_tensor_list("concatenate", xs))
    first = items[0]
    if first.ndim == 0:
        raise ValueError("jax backend, op 'concatenate': 0-d tensors cannot be "
                         "concatenated; use stack")  # fmt: skip
    axis = check_axis(axis, first.ndim, "concatenate")
    for i, t in enumerate(items):
        other = [d for k, d in enumerate(t.shape) if k != axis]
        want = [d for k, d in enumerate(first.shape) if k != axis]
        if t.ndim != first.ndim or other != want:
            raise ValueError(
                f"jax backend, op 'concatenate': xs[{i}] has shape {tuple(t.shape)}, "
                f"xs[0] has {tuple(first.shape)}; all axes but {axis} must match"
            )
    return jnp.concatenate(items, axis=axis)


@hookimpl
@kernel
def kconform_stack(xs: list[Array], axis: int) -> Array:
    """Join tensors of one shape along a new ``axis``."""
    items, _ = promote_all(_tensor_list("stack", xs))
    shapes = {tuple(t.shape) for t in items}
    if len(shapes) != 1:
        raise ValueError(f"jax backend, op 'stack': tensors must share one shape; "
                         f"received {[tuple(t.shape) for t in items]}")  # fmt: skip
    axis = check_axis(axis, items[0].ndim + 1, "stack")
    return jnp.stack(items, axis=axis)


@hookimpl
@kernel
def kconform_split(
    x: Array, indices_or_sections: int | tuple[int, ...], axis: int
) -> list[Array]:
    """Split ``x`` along ``axis`` into equal sections or at points, as numpy.split."""
    x = arr(x, "split")
    axis = check_axis(axis, x.ndim, "split")
    n = x.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0 or n % sections:
            raise ValueError(
                f"jax backend, op 'split': {sections} sections do not divide an "
                f"axis of length {n} evenly"
            )
        points = [n // sections * i for i in range(1, sections)]
    else:
        points = [int(p) for p in indices_or_sections]
    # Python slice semantics, as numpy.split: points past the end give empty pieces.
    bounds = [0, *points, n]
    index = [slice(None)] * x.ndim
    out = []
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        index[axis] = slice(lo, hi)
        out.append(x[tuple(index)])
    return out


def _check_indices(op: str, indices: Array, n: int) -> None:
    """Raise unless every (known) index lies in ``[-n, n)`` (negative: from the end,
    which ``jnp.take`` and ``jnp.take_along_axis`` do as NumPy)."""
    if dtype_name(indices) not in ("int32", "int64"):
        raise TypeError(f"jax backend, op {op!r}: indices must be int32 or int64; "
                        f"received {dtype_name(indices)}")  # fmt: skip
    if is_traced(indices) or indices.size == 0:
        return  # under jit the values are unknown: JAX fills, as documented
    host = np.asarray(indices)
    low, high = int(host.min()), int(host.max())
    if low < -n or high >= n:
        bad = low if low < -n else high
        raise IndexError(
            f"jax backend, op {op!r}: index {bad} is out of range for an axis of "
            f"length {n}; expected -{n} <= index < {n}"
        )


def _take_operands(x: Any, indices: Any, axis: int | None) -> tuple[Array, Array, int]:
    """``x`` (flattened for axis None), the indices and the axis, all checked."""
    x, indices = arr(x, "take"), arr(indices, "take", "indices")
    if axis is None:
        x, axis = jnp.ravel(x), 0
    axis = check_axis(axis, x.ndim, "take")
    _check_indices("take", indices, x.shape[axis])
    return x, indices, axis


@hookimpl
@kernel(precheck=_take_operands)
def kconform_take(x: Array, indices: Array, axis: int | None) -> Array:
    """Gather entries of ``x`` along ``axis`` (None: flattened) at ``indices``."""
    x, indices, axis = _take_operands(x, indices, axis)
    return jnp.take(x, indices, axis=axis)


def _take_along_operands(x: Any, indices: Any, axis: int) -> tuple[Array, Array, int]:
    """``x``, indices of its rank that broadcast against it, and the axis, checked."""
    x = arr(x, "take_along_axis")
    indices = arr(indices, "take_along_axis", "indices")
    if indices.ndim != x.ndim:
        raise ValueError(
            f"jax backend, op 'take_along_axis': indices of rank {indices.ndim} "
            f"for a tensor of rank {x.ndim}; the ranks must be equal"
        )
    axis = check_axis(axis, x.ndim, "take_along_axis")
    for k, (a, b) in enumerate(zip(x.shape, indices.shape, strict=True)):
        if k != axis and a != b and 1 not in (a, b):
            raise ValueError(
                f"jax backend, op 'take_along_axis': indices shape "
                f"{tuple(indices.shape)} does not broadcast against {tuple(x.shape)} "
                f"outside axis {axis}"
            )
    _check_indices("take_along_axis", indices, x.shape[axis])
    return x, indices, axis


@hookimpl
@kernel(precheck=_take_along_operands)
def kconform_take_along_axis(x: Array, indices: Array, axis: int) -> Array:
    """Gather along ``axis`` with ``indices`` of ``x``'s rank."""
    x, indices, axis = _take_along_operands(x, indices, axis)
    return jnp.take_along_axis(x, indices, axis=axis)


@hookimpl
@kernel
def kconform_slice(x: Array, start: tuple[int, ...], size: tuple[int, ...]) -> Array:
    """Return the block of ``x`` at ``start`` with extent ``size``."""
    x = arr(x, "slice")
    start, size = tuple(start), tuple(size)
    if len(start) != x.ndim or len(size) != x.ndim:
        raise ValueError(
            f"jax backend, op 'slice': start {start} and size {size} need one "
            f"entry per axis of a tensor of shape {tuple(x.shape)}"
        )
    for s, k, n in zip(start, size, x.shape, strict=True):
        if not (isinstance(s, (int, np.integer)) and isinstance(k, (int, np.integer))):
            raise TypeError("jax backend, op 'slice': start and size must be ints; "
                            f"received {start}, {size}")  # fmt: skip
        if s < 0 or k < 0 or s + k > n:
            raise IndexError(
                f"jax backend, op 'slice': block start={start} size={size} does not "
                f"fit inside a tensor of shape {tuple(x.shape)}"
            )
    return lax.slice(x, start, tuple(s + k for s, k in zip(start, size, strict=True)))


@hookimpl
@kernel
def kconform_pad(
    x: Array, pad_width: tuple[tuple[int, int], ...], constant_value: float
) -> Array:
    """Pad ``x`` with ``constant_value``, ``(before, after)`` per axis."""
    x = arr(x, "pad")
    widths = [tuple(p) for p in pad_width]
    if len(widths) != x.ndim or any(
        len(p) != 2 or any(not isinstance(w, (int, np.integer)) or w < 0 for w in p)
        for p in widths
    ):
        raise ValueError(
            f"jax backend, op 'pad': pad_width must hold one (before, after) pair "
            f"of non-negative ints per axis of shape {tuple(x.shape)}; "
            f"received {pad_width!r}"
        )
    value = host_value(constant_value, dtype_name(x))
    return lax.pad(x, value, [(int(lo), int(hi), 0) for lo, hi in widths])


@hookimpl
@kernel
def kconform_broadcast_to(x: Array, shape: tuple[int, ...]) -> Array:
    """Broadcast ``x`` to ``shape`` by NumPy's rules."""
    x = arr(x, "broadcast_to")
    dims = check_shape(shape, "broadcast_to")
    ok = len(dims) >= x.ndim and all(
        a in (1, b) for a, b in zip(x.shape[::-1], dims[::-1], strict=False)
    )
    if not ok:
        raise ValueError(
            f"jax backend, op 'broadcast_to': cannot broadcast shape "
            f"{tuple(x.shape)} to {dims}"
        )
    return jnp.broadcast_to(x, dims)


@hookimpl
@kernel
def kconform_tile(x: Array, reps: tuple[int, ...]) -> Array:
    """Repeat ``x`` ``reps[i]`` times along axis ``i``, as numpy.tile."""
    x = arr(x, "tile")
    reps = check_shape(reps, "tile")
    return jnp.tile(x, reps)
