"""Hooks of the ``shape`` group: reshaping, joining, splitting, gathering, padding.

All are exact. Indices are checked against concrete values before use: an
index in ``[-n, 0)`` counts from the end, as in NumPy; outside ``[-n, n)``
it raises (NumPy would raise too, but later and with less to say).
"""

from __future__ import annotations

import functools
import operator
from typing import Any

import kconform
from kconform.dtypes import promote, to_numpy_dtype

from ._core import _cast_value, anp, as_tensor, cast, dtype_of, getval, np, out
from .reductions import normalize_axis


def _ints(values: Any, what: str, op: str) -> tuple[int, ...]:
    try:
        return tuple(operator.index(v) for v in values)
    except TypeError:
        raise TypeError(
            f"{op}: {what} must be a tuple of ints; received {what}={values!r}"
        ) from None


def _column(d: int, ndim: int) -> list[int]:
    """A shape of rank ``ndim`` that is -1 on axis ``d`` and 1 elsewhere."""
    return [-1 if i == d else 1 for i in range(ndim)]


def _one_axis(axis: int, ndim: int, op: str) -> int:
    return normalize_axis(operator.index(axis), ndim, op)[0]


@kconform.hookimpl
def kconform_reshape(x: Any, shape: tuple[int, ...]) -> Any:
    """Row-major reshape; one -1 allowed; a size mismatch raises."""
    x = as_tensor(x)
    shape = _ints(shape, "shape", "reshape")
    return out(anp.reshape(x, shape))


@kconform.hookimpl
def kconform_transpose(x: Any, axes: tuple[int, ...] | None) -> Any:
    """Permute axes (None reverses them)."""
    x = as_tensor(x)
    if axes is not None:
        # Non-negative axes: autograd's transpose gradient inverts them by argsort.
        axes = tuple(a % max(np.ndim(x), 1) for a in _ints(axes, "axes", "transpose"))
        if sorted(axes) != list(range(np.ndim(x))) or len(axes) != np.ndim(x):
            raise ValueError(
                f"transpose: axes {axes} is not a permutation of the "
                f"{np.ndim(x)} axes of shape {np.shape(x)}"
            )
    return out(anp.transpose(x, axes))


@kconform.hookimpl
def kconform_expand_dims(x: Any, axis: int) -> Any:
    """Insert a length-1 axis at ``axis``."""
    x = as_tensor(x)
    axis = _one_axis(axis, np.ndim(x) + 1, "expand_dims")
    return out(anp.expand_dims(x, axis))


@kconform.hookimpl
def kconform_squeeze(x: Any, axis: int | tuple[int, ...] | None) -> Any:
    """Remove length-1 axes (those named, or all); naming a longer axis raises."""
    x = as_tensor(x)
    if axis is None:
        return out(anp.squeeze(x))
    axes = normalize_axis(axis, np.ndim(x), "squeeze")
    for a in axes:
        if np.shape(x)[a] != 1:
            raise ValueError(
                f"squeeze: axis {a} has length {np.shape(x)[a]}, not 1 "
                f"(shape {np.shape(x)})"
            )
    return out(anp.squeeze(x, axis=axes))


def _promoted(xs: list[Any], op: str) -> list[Any]:
    if isinstance(xs, (str, bytes)) or not hasattr(xs, "__len__") or len(xs) == 0:
        raise ValueError(f"{op}: needs a non-empty list of tensors; received {xs!r}")
    xs = [as_tensor(x) for x in xs]
    d = functools.reduce(promote, (dtype_of(x) for x in xs))
    return [cast(x, d) for x in xs]


@kconform.hookimpl
def kconform_concatenate(xs: list[Any], axis: int) -> Any:
    """Join along an existing axis; other axes must match; dtypes promote."""
    xs = _promoted(xs, "concatenate")
    return out(anp.concatenate(xs, axis=operator.index(axis)))


@kconform.hookimpl
def kconform_stack(xs: list[Any], axis: int) -> Any:
    """Join tensors of one shape along a new axis."""
    xs = _promoted(xs, "stack")
    shapes = {np.shape(x) for x in xs}
    if len(shapes) != 1:
        raise ValueError(f"stack: all tensors must have one shape; received {shapes}")
    axis = _one_axis(axis, np.ndim(xs[0]) + 1, "stack")
    return out(anp.stack(xs, axis=axis))


@kconform.hookimpl
def kconform_split(
    x: Any, indices_or_sections: int | tuple[int, ...], axis: int
) -> list[Any]:
    """Split as ``numpy.split``: an int must divide the axis evenly."""
    x = as_tensor(x)
    axis = _one_axis(axis, np.ndim(x), "split")
    n = np.shape(x)[axis]
    if isinstance(indices_or_sections, (tuple, list)):
        points = _ints(indices_or_sections, "indices_or_sections", "split")
        bounds = [0, *points, n]
        pieces = [(slice(a, b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    else:
        k = operator.index(indices_or_sections)
        if k <= 0 or n % k:
            raise ValueError(
                f"split: {k} sections do not divide axis {axis} of length {n} evenly"
            )
        step = n // k
        pieces = [slice(i * step, (i + 1) * step) for i in range(k)]
    lead = (slice(None),) * axis
    return [out(x[lead + (s,)]) for s in pieces]


def _index_array(indices: Any, op: str) -> np.ndarray:
    idx = getval(as_tensor(indices))
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"{op}: indices must be int32 or int64; received dtype {idx.dtype}"
        )
    return idx


def _check_range(idx: np.ndarray, n: int, op: str, axis: int | None) -> None:
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].ravel()[0]
        raise IndexError(
            f"{op}: index {bad} is out of range [-{n}, {n}) along axis "
            f"{axis}; indices are never clamped"
        )


@kconform.hookimpl
def kconform_take(x: Any, indices: Any, axis: int | None) -> Any:
    """Gather along ``axis`` (flattened if None); indices outside ``[-n, n)`` raise."""
    x = as_tensor(x)
    idx = _index_array(indices, "take")
    if axis is None:
        x, axis = anp.reshape(x, (-1,)), 0
    else:
        axis = _one_axis(axis, np.ndim(x), "take")
    _check_range(idx, np.shape(x)[axis], "take", axis)
    return out(x[(slice(None),) * axis + (idx,)])


@kconform.hookimpl
def kconform_take_along_axis(x: Any, indices: Any, axis: int) -> Any:
    """Gather with indices of ``x``'s rank, as ``numpy.take_along_axis``."""
    x = as_tensor(x)
    idx = _index_array(indices, "take_along_axis")
    ndim = np.ndim(x)
    if idx.ndim != ndim:
        raise ValueError(
            f"take_along_axis: indices have rank {idx.ndim}, x has rank "
            f"{ndim}; they must be equal"
        )
    axis = _one_axis(axis, ndim, "take_along_axis")
    shape = np.shape(x)
    _check_range(idx, shape[axis], "take_along_axis", axis)
    try:
        off = [d for d in range(ndim) if d != axis]
        np.broadcast_shapes(
            tuple(idx.shape[d] for d in off), tuple(shape[d] for d in off)
        )
    except ValueError:
        raise ValueError(
            f"take_along_axis: indices of shape {idx.shape} do not "
            f"broadcast against x of shape {shape} off axis {axis}"
        ) from None
    # One index array per axis, broadcast together: numpy.take_along_axis's grid.
    grid = [
        idx if d == axis else np.arange(shape[d]).reshape(_column(d, ndim))
        for d in range(ndim)
    ]
    return out(x[tuple(grid)])


@kconform.hookimpl
def kconform_slice(x: Any, start: tuple[int, ...], size: tuple[int, ...]) -> Any:
    """The block at ``start`` of extent ``size``; a block outside ``x`` raises."""
    x = as_tensor(x)
    shape = np.shape(x)
    start, size = _ints(start, "start", "slice"), _ints(size, "size", "slice")
    if len(start) != len(shape) or len(size) != len(shape):
        raise ValueError(
            f"slice: start {start} and size {size} need one entry per "
            f"axis of shape {shape}"
        )
    for a, (b, z, n) in enumerate(zip(start, size, shape, strict=True)):
        if b < 0 or z < 0 or b + z > n:
            raise IndexError(
                f"slice: block start={b} size={z} does not fit in axis "
                f"{a} of length {n} (shape {shape})"
            )
    return out(x[tuple(slice(b, b + z) for b, z in zip(start, size, strict=True))])


@kconform.hookimpl
def kconform_pad(
    x: Any, pad_width: tuple[tuple[int, int], ...], constant_value: float
) -> Any:
    """Pad with ``constant_value`` (rounded to ``x``'s dtype); negative widths raise."""
    x = as_tensor(x)
    try:
        widths = tuple(_ints(p, "pad_width", "pad") for p in pad_width)
    except TypeError:
        raise TypeError(
            f"pad: pad_width must be pairs of ints; received {pad_width!r}"
        ) from None
    if len(widths) != np.ndim(x) or any(len(p) != 2 for p in widths):
        raise ValueError(
            f"pad: pad_width needs one (before, after) pair per axis of "
            f"shape {np.shape(x)}; received {pad_width!r}"
        )
    if any(w < 0 for p in widths for w in p):
        raise ValueError(f"pad: widths must be non-negative; received {pad_width!r}")
    value = _cast_value(np.asarray(constant_value), to_numpy_dtype(dtype_of(x)))
    if np.ndim(x) == 0:
        return out(x)
    return out(anp.pad(x, widths, mode="constant", constant_values=value))


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    """Broadcast by NumPy's rules, differentiably (leading axes added by reshape)."""
    shape = tuple(shape)
    if np.broadcast_shapes(np.shape(x), shape) != shape:
        raise ValueError(
            f"broadcast_to: shape {np.shape(x)} does not broadcast to {shape}"
        )
    if np.shape(x) == shape:
        return x
    if 0 in shape:
        # The result holds nothing, so nothing flows back (autograd's broadcast_to
        # gradient mishandles 1 -> 0 axes).
        return np.zeros(shape, dtype=x.dtype)
    x = anp.reshape(x, (1,) * (len(shape) - np.ndim(x)) + np.shape(x))
    return anp.broadcast_to(x, shape)


@kconform.hookimpl
def kconform_broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    """Broadcast to ``shape``; incompatible shapes raise."""
    x = as_tensor(x)
    return out(broadcast_to(x, _ints(shape, "shape", "broadcast_to")))


@kconform.hookimpl
def kconform_tile(x: Any, reps: tuple[int, ...]) -> Any:
    """Repeat ``reps[i]`` times along axis ``i``, as ``numpy.tile``."""
    x = as_tensor(x)
    reps = _ints((reps,) if isinstance(reps, int) else reps, "reps", "tile")
    if any(r < 0 for r in reps):
        raise ValueError(f"tile: reps must be non-negative; received {reps!r}")
    ndim = max(len(reps), np.ndim(x))
    reps = (1,) * (ndim - len(reps)) + reps
    shape = (1,) * (ndim - np.ndim(x)) + np.shape(x)
    # (r0, d0, r1, d1, ...) broadcast from (1, d0, 1, d1, ...), then merged pairwise.
    interleaved = tuple(v for d in shape for v in (1, d))
    target = tuple(v for r, d in zip(reps, shape, strict=True) for v in (r, d))
    y = broadcast_to(anp.reshape(x, interleaved), target)
    return out(anp.reshape(y, tuple(r * d for r, d in zip(reps, shape, strict=True))))
