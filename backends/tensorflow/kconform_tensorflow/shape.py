"""Contract group ``shape``: reshaping, joining, splitting, gathering, padding."""

from __future__ import annotations

import math
from typing import Any

from kconform import hookimpl

from ._tf import tf
from ._util import (
    INTS,
    Tensor,
    as_tensor,
    cast,
    check,
    name_of,
    norm_axis,
    promoted,
    py_scalar,
    static_shape,
)


def _ints(values: Any, what: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in values)
    except TypeError:
        raise TypeError(
            f"{what} must be a tuple of ints; received {values!r}"
        ) from None


@hookimpl
def kconform_reshape(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Return ``x`` with a new ``shape`` (one entry may be -1)."""
    x = as_tensor(x)
    dims = _ints(shape, "shape")
    size = math.prod(static_shape(x))
    known = [d for d in dims if d != -1]
    ok = all(d >= 0 for d in known) and len(known) >= len(dims) - 1
    if ok and len(known) == len(dims):
        ok = math.prod(known) == size
    elif ok:
        ok = math.prod(known) != 0 and size % math.prod(known) == 0
    if not ok:
        raise ValueError(
            f"Cannot reshape a tensor of shape {static_shape(x)} "
            f"(size {size}) to {dims}"
        )
    return tf.reshape(x, dims)


@hookimpl
def kconform_transpose(x: Tensor, axes: tuple[int, ...] | None) -> Tensor:
    """Permute the axes of ``x`` (None reverses them)."""
    x = as_tensor(x)
    ndim = x.shape.rank
    if axes is None:
        return tf.transpose(x)
    perm = [norm_axis(a, ndim, name="axes") for a in _ints(axes, "axes")]
    if sorted(perm) != list(range(ndim)):
        raise ValueError(f"axes={axes!r} is not a permutation of the {ndim} axes")
    return tf.transpose(x, perm)


@hookimpl
def kconform_expand_dims(x: Tensor, axis: int) -> Tensor:
    """Insert a length-1 axis at ``axis``."""
    x = as_tensor(x)
    ndim = x.shape.rank
    if not isinstance(axis, int) or not -ndim - 1 <= axis <= ndim:
        raise ValueError(
            f"expand_dims: axis={axis!r} is out of range for a tensor of rank "
            f"{ndim}; expected {-ndim - 1} <= axis <= {ndim}"
        )
    return tf.expand_dims(x, axis % (ndim + 1))


@hookimpl
def kconform_squeeze(x: Tensor, axis: int | tuple[int, ...] | None) -> Tensor:
    """Remove length-1 axes (those in ``axis``, or all)."""
    x = as_tensor(x)
    shape = static_shape(x)
    if axis is None:
        return tf.reshape(x, [d for d in shape if d != 1])
    raw = (axis,) if isinstance(axis, int) else _ints(axis, "axis")
    axes = {norm_axis(a, len(shape)) for a in raw}
    if len(axes) != len(raw):
        raise ValueError(f"squeeze: axis={axis!r} names an axis twice")
    bad = [a for a in sorted(axes) if shape[a] != 1]
    if bad:
        raise ValueError(f"squeeze: axis {bad} of shape {shape} does not have length 1")
    return tf.reshape(x, [d for i, d in enumerate(shape) if i not in axes])


def _joinable(xs: list[Tensor], op: str) -> list[Tensor]:
    if not isinstance(xs, (list, tuple)) or not xs:
        raise ValueError(f"{op} needs a non-empty list of tensors; received {xs!r}")
    return promoted(*xs)


@hookimpl
def kconform_concatenate(xs: list[Tensor], axis: int) -> Tensor:
    """Join tensors along an existing ``axis``; the other axes must match."""
    ts = _joinable(xs, "concatenate")
    shapes = [static_shape(t) for t in ts]
    ndim = len(shapes[0])
    if ndim == 0:
        raise ValueError("concatenate: zero-rank tensors cannot be concatenated")
    ax = norm_axis(axis, ndim)
    drop = [s[:ax] + s[ax + 1 :] for s in shapes]
    if any(len(s) != ndim for s in shapes) or any(d != drop[0] for d in drop):
        raise ValueError(
            f"concatenate along axis {axis}: shapes {shapes} differ outside that axis"
        )
    return tf.concat(ts, ax)


@hookimpl
def kconform_stack(xs: list[Tensor], axis: int) -> Tensor:
    """Join tensors of one shape along a new ``axis``."""
    ts = _joinable(xs, "stack")
    shapes = [static_shape(t) for t in ts]
    if any(s != shapes[0] for s in shapes):
        raise ValueError(f"stack needs tensors of one shape; received {shapes}")
    return tf.stack(ts, norm_axis(axis, len(shapes[0]) + 1))


@hookimpl
def kconform_split(
    x: Tensor, indices_or_sections: int | tuple[int, ...], axis: int
) -> list[Tensor]:
    """Split ``x`` along ``axis`` as ``numpy.split``."""
    x = as_tensor(x)
    shape = static_shape(x)
    ax = norm_axis(axis, len(shape))
    n = shape[ax]
    if isinstance(indices_or_sections, int):
        sections = indices_or_sections
        if sections <= 0 or n % sections:
            raise ValueError(
                f"split: {sections} sections do not divide an axis of length {n} evenly"
            )
        points = [n // sections * i for i in range(1, sections)]
    else:
        points = list(_ints(indices_or_sections, "indices_or_sections"))
    # Python slice semantics (negative and out-of-range points clamp), as NumPy.
    bounds = [0, *points, n]
    lead = (slice(None),) * ax
    return [
        x[(*lead, slice(a, b))] for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]


def _check_indices(indices: Tensor, n: int, op: str) -> Tensor:
    indices = as_tensor(indices)
    if indices.dtype not in INTS:
        raise TypeError(
            f"{op}: indices must be int32 or int64; received {indices.dtype.name}"
        )
    bad = tf.reduce_any((indices < -n) | (indices >= n))
    check(~bad, IndexError, f"{op}: an index is outside [-{n}, {n})")
    # negative indices count from the end, as in NumPy (tf.gather refuses them)
    return tf.where(indices < 0, indices + tf.cast(n, indices.dtype), indices)


@hookimpl
def kconform_take(x: Tensor, indices: Tensor, axis: int | None) -> Tensor:
    """Gather entries of ``x`` along ``axis`` (None: of the flattened ``x``)."""
    x = as_tensor(x)
    if axis is None:
        x, ax = tf.reshape(x, [-1]), 0
    else:
        ax = norm_axis(axis, x.shape.rank)
    idx = _check_indices(indices, static_shape(x)[ax], "take")
    return tf.gather(x, idx, axis=ax)


@hookimpl
def kconform_take_along_axis(x: Tensor, indices: Tensor, axis: int) -> Tensor:
    """Gather along ``axis`` with ``indices`` of ``x``'s rank, as NumPy."""
    x = as_tensor(x)
    shape = static_shape(x)
    ax = norm_axis(axis, len(shape))
    idx = _check_indices(indices, shape[ax], "take_along_axis")
    ishape = static_shape(idx)
    if len(ishape) != len(shape):
        raise ValueError(
            f"take_along_axis: indices of rank {len(ishape)} for a "
            f"tensor of rank {len(shape)}; ranks must match"
        )
    # Broadcast every axis but `axis`, then gather with the axis moved last.
    try:
        common = tf.broadcast_static_shape(
            tf.TensorShape(shape[:ax] + (1,) + shape[ax + 1 :]),
            tf.TensorShape(ishape[:ax] + (1,) + ishape[ax + 1 :]),
        ).as_list()
    except ValueError:
        raise ValueError(
            f"take_along_axis: indices shape {ishape} does not "
            f"broadcast against {shape} outside axis {ax}"
        ) from None
    x_b = tf.broadcast_to(x, common[:ax] + [shape[ax]] + common[ax + 1 :])
    i_b = tf.broadcast_to(idx, common[:ax] + [ishape[ax]] + common[ax + 1 :])
    perm = [d for d in range(len(shape)) if d != ax] + [ax]
    inverse = [perm.index(d) for d in range(len(shape))]
    out = tf.gather(
        tf.transpose(x_b, perm),
        tf.transpose(i_b, perm),
        axis=len(shape) - 1,
        batch_dims=len(shape) - 1,
    )
    return tf.transpose(out, inverse)


@hookimpl
def kconform_slice(x: Tensor, start: tuple[int, ...], size: tuple[int, ...]) -> Tensor:
    """Return the block of ``x`` at ``start`` with extent ``size``."""
    x = as_tensor(x)
    shape = static_shape(x)
    begin, extent = _ints(start, "start"), _ints(size, "size")
    if len(begin) != len(shape) or len(extent) != len(shape):
        raise ValueError(
            f"slice: start {begin} and size {extent} need one entry per "
            f"axis of shape {shape}"
        )
    for b, e, n in zip(begin, extent, shape, strict=True):
        if b < 0 or e < 0 or b + e > n:
            raise IndexError(
                f"slice: block at {begin} of size {extent} does not "
                f"fit in a tensor of shape {shape}"
            )
    return tf.slice(x, begin, extent)


@hookimpl
def kconform_pad(
    x: Tensor, pad_width: tuple[tuple[int, int], ...], constant_value: float
) -> Tensor:
    """Pad ``x`` with ``constant_value`` by ``(before, after)`` per axis."""
    x = as_tensor(x)
    ndim = x.shape.rank
    try:
        widths = [(int(b), int(a)) for b, a in pad_width]
    except (TypeError, ValueError):
        raise ValueError(
            f"pad: pad_width must be ((before, after), ...) per axis; "
            f"received {pad_width!r}"
        ) from None
    if len(widths) != ndim:
        raise ValueError(
            f"pad: pad_width has {len(widths)} entries for a tensor of rank {ndim}"
        )
    if any(b < 0 or a < 0 for b, a in widths):
        raise ValueError(f"pad: negative widths are not allowed; received {widths}")
    value = cast(py_scalar(constant_value), name_of(x.dtype))
    return tf.pad(x, widths, constant_values=value)


@hookimpl
def kconform_broadcast_to(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Broadcast ``x`` to ``shape`` by NumPy's rules."""
    x = as_tensor(x)
    src, dst = static_shape(x), _ints(shape, "shape")
    ok = len(src) <= len(dst) and all(
        s in (1, d) for s, d in zip(reversed(src), reversed(dst), strict=False)
    )
    if not ok or any(d < 0 for d in dst):
        raise ValueError(f"Cannot broadcast shape {src} to {dst}")
    return tf.broadcast_to(x, dst)


@hookimpl
def kconform_tile(x: Tensor, reps: tuple[int, ...]) -> Tensor:
    """Repeat ``x`` ``reps[i]`` times along axis ``i``, as ``numpy.tile``."""
    x = as_tensor(x)
    counts = (reps,) if isinstance(reps, int) else _ints(reps, "reps")
    if any(r < 0 for r in counts):
        raise ValueError(f"tile: reps must be non-negative; received {reps!r}")
    ndim = x.shape.rank
    if len(counts) > ndim:  # NumPy prepends axes of length 1 to x
        x = tf.reshape(x, [1] * (len(counts) - ndim) + list(static_shape(x)))
    counts = (1,) * (x.shape.rank - len(counts)) + tuple(counts)
    return tf.tile(x, counts)
