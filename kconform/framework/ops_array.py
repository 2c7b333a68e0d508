"""``keras.ops`` for array manipulation, sorting, and control flow.

Built from contract ops (the contract has no sort or scan: ``sort``,
``argsort`` and ``top_k`` rank elements by pairwise comparison, ``cumsum``
multiplies by a triangular matrix of ones), and plain Python for control flow
(``cond``, ``fori_loop``, ``while_loop``, ``vectorized_map``), which runs
eagerly and is traced by the backend's ``jit`` like any other Python code.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _config
from ._engine import current_engine
from .variables import Variable

__all__ = [
    "argsort",
    "cond",
    "cumprod",
    "cumsum",
    "diag",
    "flip",
    "fori_loop",
    "linspace",
    "meshgrid",
    "ndim",
    "outer",
    "repeat",
    "size",
    "sort",
    "top_k",
    "tril",
    "triu",
    "vectorized_map",
    "while_loop",
]


def _t(x: Any) -> Any:
    e = current_engine()
    if isinstance(x, Variable):
        return x.value
    return x if e.b.is_tensor(x) else e.tensor(x)


def size(x: Any) -> int:
    """Number of elements of ``x``."""
    return int(np.prod(current_engine().b.shape(_t(x)), dtype=np.int64))


def ndim(x: Any) -> int:
    """Number of axes of ``x``."""
    return len(current_engine().b.shape(_t(x)))


def flip(x: Any, axis: Any = None) -> Any:
    """Reverse the order of entries along ``axis`` (all axes when None)."""
    b = current_engine().b
    t = _t(x)
    shape = b.shape(t)
    axes = (
        range(len(shape))
        if axis is None
        else ([axis] if isinstance(axis, int) else list(axis))
    )
    for a in axes:
        n = shape[a]
        t = b.take(t, b.arange(n - 1, -1, -1, "int32"), a)
    return t


def repeat(x: Any, repeats: int, axis: int | None = None) -> Any:
    """Repeat each entry ``repeats`` times along ``axis`` (flattened when None)."""
    b = current_engine().b
    t = _t(x)
    if axis is None:
        t, axis = b.reshape(t, (-1,)), 0
    shape = list(b.shape(t))
    axis %= len(shape)
    expanded = b.expand_dims(t, axis + 1)
    target = shape[: axis + 1] + [int(repeats)] + shape[axis + 1 :]
    tiled = b.broadcast_to(expanded, tuple(target))
    shape[axis] *= int(repeats)
    return b.reshape(tiled, tuple(shape))


def _band(x: Any, k: int, lower: bool) -> Any:
    e = current_engine()
    b = e.b
    t = _t(x)
    rows, cols = b.shape(t)[-2:]
    keep = (
        np.tril(np.ones((rows, cols), bool), k)
        if lower
        else np.triu(np.ones((rows, cols), bool), k)
    )
    return b.where(b.from_numpy(keep), t, e.const(0, b.dtype(t)))


def tril(x: Any, k: int = 0) -> Any:
    """Entries on and below the ``k``-th diagonal (zeros above)."""
    return _band(x, k, True)


def triu(x: Any, k: int = 0) -> Any:
    """Entries on and above the ``k``-th diagonal (zeros below)."""
    return _band(x, k, False)


def diag(x: Any, k: int = 0) -> Any:
    """The ``k``-th diagonal of a matrix, or a matrix with vector ``x`` on it."""
    e = current_engine()
    b = e.b
    t = _t(x)
    shape = b.shape(t)
    if len(shape) == 1:  # a matrix with x on its k-th diagonal
        n = shape[0] + abs(k)
        on_diagonal = np.eye(n, k=k, dtype=bool)
        holder = np.zeros((n, shape[0]), np.float32)  # row i holds x[j]
        holder[np.nonzero(on_diagonal)[0], np.arange(shape[0])] = 1.0
        per_row = b.matmul(e.tensor(holder, b.dtype(t)), b.expand_dims(t, 1))
        return b.where(
            b.from_numpy(on_diagonal),
            b.broadcast_to(per_row, (n, n)),
            e.const(0, b.dtype(t)),
        )
    rows, cols = shape
    idx = [(i, i + k) for i in range(rows) if 0 <= i + k < cols]
    flat = b.reshape(t, (-1,))
    return b.take(flat, e.tensor(np.array([r * cols + c for r, c in idx], "int32")), 0)


def outer(x1: Any, x2: Any) -> Any:
    """``x1[:, None] * x2[None, :]`` of the flattened inputs."""
    b = current_engine().b
    a, c = b.reshape(_t(x1), (-1, 1)), b.reshape(_t(x2), (1, -1))
    return b.multiply(a, c)


def cumsum(x: Any, axis: int | None = None, dtype: str | None = None) -> Any:
    """Cumulative sum along ``axis`` (flattened when None)."""
    e = current_engine()
    b = e.b
    t = _t(x)
    if dtype is not None:
        t = e.cast(t, dtype)
    if axis is None:
        t, axis = b.reshape(t, (-1,)), 0
    ndims = len(b.shape(t))
    axis %= ndims
    n = b.shape(t)[axis]
    work = (
        t
        if b.dtype(t).startswith("float")
        else e.cast(t, "float64" if b.supports("float64") else "float32")
    )
    upper = e.tensor(np.triu(np.ones((n, n))), b.dtype(work))
    moved = b.transpose(work, tuple(i for i in range(ndims) if i != axis) + (axis,))
    summed = b.matmul(moved, upper)
    back = list(range(ndims - 1))
    back.insert(axis, ndims - 1)
    out = b.transpose(summed, tuple(back))
    if b.dtype(t) != b.dtype(out):
        out = e.cast(b.round(out), b.dtype(t))
    return out


def cumprod(x: Any, axis: int | None = None, dtype: str | None = None) -> Any:
    """Cumulative product along ``axis`` (flattened when None)."""
    e = current_engine()
    b = e.b
    t = _t(x)
    if dtype is not None:
        t = e.cast(t, dtype)
    if axis is None:
        t, axis = b.reshape(t, (-1,)), 0
    n = b.shape(t)[axis]
    parts = b.split(t, n, axis) if n else []
    out, running = [], None
    for part in parts:
        running = part if running is None else b.multiply(running, part)
        out.append(running)
    return b.concatenate(out, axis) if out else t


def linspace(
    start: float,
    stop: float,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: str | None = None,
    axis: int = 0,
) -> Any:
    """``num`` evenly spaced values from ``start`` to ``stop``."""
    values = np.linspace(
        start, stop, num, endpoint=endpoint, retstep=retstep, axis=axis
    )
    if retstep:
        values, step = values
    tensor = current_engine().tensor(np.asarray(values), dtype or _config.floatx())
    return (tensor, step) if retstep else tensor


def meshgrid(*xs: Any, indexing: str = "xy") -> list[Any]:
    """Coordinate grids of 1-d inputs, as ``numpy.meshgrid``."""
    b = current_engine().b
    vs = [b.reshape(_t(x), (-1,)) for x in xs]
    sizes = [b.shape(v)[0] for v in vs]
    n = len(vs)
    out = []
    for i, v in enumerate(vs):
        shape = [1] * n
        shape[i] = sizes[i]
        target = list(sizes)
        if indexing == "xy" and n >= 2:
            shape[0], shape[1] = shape[1], shape[0]
            target[0], target[1] = target[1], target[0]
        out.append(b.broadcast_to(b.reshape(v, tuple(shape)), tuple(target)))
    return out


def _ranks(t: Any, descending: bool) -> Any:
    """The stable rank of each entry along the last axis (0 = first in order)."""
    e = current_engine()
    b = e.b
    n = b.shape(t)[-1]
    a = b.expand_dims(t, -1)  # (..., n, 1): entry i
    c = b.expand_dims(t, -2)  # (..., 1, n): entry j
    before = b.greater(c, a) if descending else b.less(c, a)
    ties = b.logical_and(
        b.equal(c, a), b.from_numpy(np.tril(np.ones((n, n), bool), -1))
    )
    ahead = b.cast(b.logical_or(before, ties), "int32")
    return b.sum(ahead, -1)


def _order(t: Any, descending: bool) -> Any:
    """Indices that sort the last axis (stable)."""
    e = current_engine()
    b = e.b
    n = b.shape(t)[-1]
    ranks = _ranks(t, descending)  # (..., n)
    slots = e.tensor(np.arange(n, dtype=np.int32))
    hit = b.equal(b.expand_dims(ranks, -2), b.reshape(slots, (n, 1)))  # (..., n, n)
    idx = e.tensor(np.arange(n, dtype=np.int32))
    return b.sum(b.multiply(b.cast(hit, "int32"), idx), -1)


def argsort(x: Any, axis: int = -1) -> Any:
    """Indices that sort ``x`` along ``axis`` (ascending, stable)."""
    b = current_engine().b
    t = _t(x)
    nd = len(b.shape(t))
    axis %= nd
    moved = b.transpose(t, tuple(i for i in range(nd) if i != axis) + (axis,))
    order = _order(moved, False)
    back = list(range(nd - 1))
    back.insert(axis, nd - 1)
    return b.transpose(order, tuple(back))


def sort(x: Any, axis: int = -1) -> Any:
    """``x`` sorted along ``axis`` (ascending)."""
    b = current_engine().b
    t = _t(x)
    return b.take_along_axis(t, argsort(t, axis), axis)


def top_k(x: Any, k: int, sorted: bool = True) -> tuple[Any, Any]:  # noqa: A002
    """The ``k`` largest entries of the last axis and their indices."""
    e = current_engine()
    b = e.b
    t = _t(x)
    order = _order(t, True)
    n = b.shape(t)[-1]
    idx = b.slice(
        order,
        (0,) * (len(b.shape(t)) - 1) + (0,),
        tuple(b.shape(t)[:-1]) + (builtins.min(k, n),),
    )
    return b.take_along_axis(t, idx, -1), idx


# -- control flow ----------------------------------------------------------------------
def cond(pred: Any, true_fn: Callable[[], Any], false_fn: Callable[[], Any]) -> Any:
    """``true_fn()`` if ``pred`` else ``false_fn()`` (evaluated eagerly)."""
    value = pred
    if current_engine().b.is_tensor(pred):
        value = bool(np.asarray(current_engine().numpy(pred)))
    return true_fn() if value else false_fn()


def fori_loop(
    lower: int, upper: int, body_fun: Callable[[int, Any], Any], init_val: Any
) -> Any:
    """``val = body_fun(i, val)`` for ``i`` in ``[lower, upper)``."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def while_loop(
    cond: Callable[..., Any],
    body: Callable[..., Any],
    loop_vars: Any,
    maximum_iterations: int | None = None,
) -> Any:
    """Apply ``body`` while ``cond`` holds (loop variables as a tuple or one value)."""
    e = current_engine()
    single = not isinstance(loop_vars, (list, tuple))
    vars_ = (loop_vars,) if single else tuple(loop_vars)
    count = 0
    while True:
        keep = cond(*vars_)
        if e.b.is_tensor(keep):
            keep = bool(np.asarray(e.numpy(keep)))
        if not keep or (maximum_iterations is not None and count >= maximum_iterations):
            break
        out = body(*vars_)
        vars_ = (out,) if single else tuple(out)
        count += 1
    return vars_[0] if single else type(loop_vars)(vars_)


def vectorized_map(function: Callable[[Any], Any], elements: Any) -> Any:
    """``stack([function(e) for e in elements])`` along the first axis."""
    b = current_engine().b
    t = _t(elements)
    n = b.shape(t)[0]
    rows = [b.reshape(r, tuple(b.shape(t)[1:])) for r in b.split(t, n, 0)] if n else []
    return b.stack([_t(function(r)) for r in rows], 0)
