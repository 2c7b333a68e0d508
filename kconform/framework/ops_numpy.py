"""``keras.ops`` beyond the basics: creation, logic, maths and layout functions.

Re-exported by :mod:`kconform.framework.ops`; each runs on the running layer's
backend through one or a few contract ops, with Keras 3's signature and
defaults (``keras.ops.arange``, ``keras.ops.norm``...).
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from . import _config
from ._engine import current_engine
from .variables import Variable

__all__ = [
    "all",
    "any",
    "binary_crossentropy",
    "categorical_crossentropy",
    "log_sigmoid",
    "selu",
    "sparse_categorical_crossentropy",
    "arange",
    "broadcast_to",
    "ceil",
    "dot",
    "einsum",
    "elu",
    "erf",
    "expm1",
    "eye",
    "floor",
    "full",
    "full_like",
    "greater_equal",
    "hard_sigmoid",
    "isfinite",
    "isinf",
    "isnan",
    "leaky_relu",
    "less_equal",
    "log1p",
    "logical_and",
    "logical_not",
    "logical_or",
    "moments",
    "norm",
    "normalize",
    "not_equal",
    "ones_like",
    "pad",
    "prod",
    "relu6",
    "round",
    "sign",
    "silu",
    "slice",
    "softsign",
    "swish",
    "take_along_axis",
    "tensordot",
    "tile",
    "zeros_like",
]


def _v(x: Any) -> Any:
    return x.value if isinstance(x, Variable) else x


def _t(x: Any, like: Any = None) -> Any:
    """``x`` as a tensor of the current backend (a number takes ``like``'s dtype)."""
    e = current_engine()
    x = _v(x)
    if e.b.is_tensor(x):
        return x
    if like is not None and isinstance(x, (int, float, bool)):
        return e.const(x, e.b.dtype(like))
    return e.tensor(x)


def _pair(x1: Any, x2: Any) -> tuple[Any, Any]:
    b = current_engine().b
    a, c = _v(x1), _v(x2)
    a = _t(a, c if b.is_tensor(c) else None)
    return a, _t(c, a)


def _binary(name: str) -> Any:
    def fn(x1: Any, x2: Any) -> Any:
        return getattr(current_engine().b, name)(*_pair(x1, x2))

    fn.__name__ = name
    fn.__doc__ = f"Elementwise ``{name}`` of two tensors (broadcast)."
    return fn


def _unary(name: str) -> Any:
    def fn(x: Any) -> Any:
        return getattr(current_engine().b, name)(_t(x))

    fn.__name__ = name
    fn.__doc__ = f"Elementwise ``{name}``."
    return fn


not_equal, less_equal, greater_equal = (
    _binary(n) for n in ("not_equal", "less_equal", "greater_equal")
)
logical_and, logical_or = _binary("logical_and"), _binary("logical_or")
logical_not, isnan, isinf, isfinite = (
    _unary(n) for n in ("logical_not", "isnan", "isinf", "isfinite")
)
log1p, expm1, sign, floor, ceil, erf = (
    _unary(n) for n in ("log1p", "expm1", "sign", "floor", "ceil", "erf")
)


def round(x: Any, decimals: int = 0) -> Any:  # noqa: A001 - Keras's name
    """Round half to even (``decimals`` places, as ``numpy.round``)."""
    e = current_engine()
    x = _t(x)
    if decimals == 0:
        return e.b.round(x)
    factor = 10.0**decimals
    return e.b.divide(e.b.round(e.scale(x, factor)), e.const(factor, e.b.dtype(x)))


def _reduction(name: str) -> Any:
    def fn(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
        if isinstance(axis, list):
            axis = tuple(axis)
        return getattr(current_engine().b, name)(_t(x), axis, keepdims)

    fn.__name__ = name
    fn.__doc__ = f"``{name}`` over ``axis`` (None: all axes)."
    return fn


prod, any, all = (_reduction(n) for n in ("prod", "any", "all"))  # noqa: A001


# -- creation -------------------------------------------------------------------
def arange(
    start: float, stop: float | None = None, step: float = 1, dtype: str | None = None
) -> Any:
    """Evenly spaced values in ``[start, stop)`` (``stop=None``: ``[0, start)``).

    The dtype defaults to int32 when every bound is an integer, else floatx.
    """
    if dtype is None:
        ints = builtins.all(
            isinstance(v, (int, np.integer))
            for v in (start, stop, step)
            if v is not None
        )
        dtype = "int32" if ints else _config.floatx()
    return current_engine().b.arange(start, stop, step, dtype)


def full(shape: Any, fill_value: float, dtype: str | None = None) -> Any:
    """A tensor of ``shape`` filled with ``fill_value``."""
    return current_engine().b.full(tuple(shape), fill_value, dtype or _config.floatx())


def eye(N: int, M: int | None = None, dtype: str | None = None) -> Any:  # noqa: N803
    """An ``(N, M)`` matrix with ones on the diagonal."""
    return current_engine().b.eye(N, M, dtype or _config.floatx())


def _like(x: Any, value: float, dtype: str | None) -> Any:
    b = current_engine().b
    t = _t(x)
    return b.full(b.shape(t), value, dtype or b.dtype(t))


def zeros_like(x: Any, dtype: str | None = None) -> Any:
    """Zeros of ``x``'s shape (and dtype unless given)."""
    return _like(x, 0, dtype)


def ones_like(x: Any, dtype: str | None = None) -> Any:
    """Ones of ``x``'s shape (and dtype unless given)."""
    return _like(x, 1, dtype)


def full_like(x: Any, fill_value: float, dtype: str | None = None) -> Any:
    """``fill_value`` in ``x``'s shape (and dtype unless given)."""
    return _like(x, fill_value, dtype)


# -- layout -----------------------------------------------------------------------
def pad(
    x: Any, pad_width: Any, mode: str = "constant", constant_values: float = 0
) -> Any:
    """Pad ``x`` (``pad_width``: one ``(before, after)`` pair per axis, or one pair)."""
    if mode != "constant":
        raise ValueError(
            f"`pad` supports mode='constant' only in the reference framework. "
            f"Received: mode={mode!r}"
        )
    b = current_engine().b
    t = _t(x)
    ndim = len(b.shape(t))
    width = np.asarray(pad_width, dtype=np.int64)
    if width.ndim == 0:
        width = np.full((ndim, 2), int(width))
    elif width.shape == (2,):
        width = np.tile(width, (ndim, 1))
    elif width.shape == (1, 2):
        width = np.tile(width[0], (ndim, 1))
    if width.shape != (ndim, 2):
        raise ValueError(
            f"`pad_width` must hold one (before, after) pair per axis of the "
            f"{ndim}-d input. Received: pad_width={pad_width!r}"
        )
    pairs = tuple((int(lo), int(hi)) for lo, hi in width)
    return b.pad(t, pairs, constant_values)


def tile(x: Any, repeats: Any) -> Any:
    """Repeat ``x`` along each axis, as ``numpy.tile``."""
    reps = (repeats,) if isinstance(repeats, int) else tuple(repeats)
    return current_engine().b.tile(_t(x), reps)


def broadcast_to(x: Any, shape: Any) -> Any:
    """Broadcast ``x`` to ``shape``."""
    return current_engine().b.broadcast_to(_t(x), tuple(shape))


def slice(inputs: Any, start_indices: Any, shape: Any) -> Any:  # noqa: A001
    """The block at ``start_indices`` of extent ``shape``."""
    return current_engine().b.slice(
        _t(inputs), tuple(int(i) for i in start_indices), tuple(int(s) for s in shape)
    )


def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> Any:
    """Gather along ``axis`` by ``indices`` (``numpy.take_along_axis``)."""
    b = current_engine().b
    t, idx = _t(x), _t(indices)
    if axis is None:
        t = b.reshape(t, (-1,))
        idx = b.reshape(idx, (-1,))
        axis = 0
    return b.take_along_axis(t, idx, axis)


# -- linear algebra -----------------------------------------------------------------
def einsum(subscripts: str, *operands: Any) -> Any:
    """Einstein summation (an implicit output is made explicit, as NumPy does)."""
    b = current_engine().b
    if "->" not in subscripts:
        inputs = subscripts.replace(" ", "")
        letters = [c for c in inputs if c.isalpha()]
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
        subscripts = f"{inputs}->{out}"
    return b.einsum(subscripts, [_t(o) for o in operands])


def dot(x1: Any, x2: Any) -> Any:
    """``numpy.dot``: matmul for 1-d and 2-d operands, a product with scalars."""
    b = current_engine().b
    a, c = _pair(x1, x2)
    if not b.shape(a) or not b.shape(c):
        return b.multiply(a, c)
    if len(b.shape(c)) <= 2:
        return b.matmul(a, c)
    return tensordot(a, c, axes=([-1], [-2]))


def tensordot(x1: Any, x2: Any, axes: Any = 2) -> Any:
    """Sum of products over ``axes`` (an int, or two lists of axes)."""
    b = current_engine().b
    a, c = _pair(x1, x2)
    na, nc = len(b.shape(a)), len(b.shape(c))
    if isinstance(axes, int):
        ax_a, ax_c = list(range(na - axes, na)), list(range(axes))
    else:
        ax_a, ax_c = (
            [axes[0]] if isinstance(axes[0], int) else list(axes[0]),
            [axes[1]] if isinstance(axes[1], int) else list(axes[1]),
        )
    ax_a = [i % na for i in ax_a]
    ax_c = [i % nc for i in ax_c]
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    sa = [next(letters) for _ in range(na)]
    sc = [next(letters) for _ in range(nc)]
    for i, j in zip(ax_a, ax_c):
        sc[j] = sa[i]
    out = [s for i, s in enumerate(sa) if i not in ax_a]
    out += [s for j, s in enumerate(sc) if j not in ax_c]
    return b.einsum(f"{''.join(sa)},{''.join(sc)}->{''.join(out)}", [a, c])


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A002
    """Vector or matrix norm, as ``numpy.linalg.norm`` (2-norm / Frobenius default).

    Supported: ``ord`` None, 2 (vectors), ``"fro"``, 1, ``inf``, ``-inf`` and
    0 for vectors, and ``"fro"`` for matrices (``axis`` of two axes).
    """
    e = current_engine()
    b = e.b
    t = _t(x)
    ndim = len(b.shape(t))
    if isinstance(axis, list):
        axis = tuple(axis)
    if axis is None:
        matrix = ndim == 2 and ord is not None
        axes: Any = tuple(range(ndim)) if ord is None or matrix else None
        if not matrix and ord is not None:
            t = b.reshape(t, (-1,))
            axes = 0
    else:
        axes = axis
        matrix = isinstance(axis, tuple) and len(axis) == 2
    if ord is None or ord == "fro" or (ord == 2 and not matrix):
        if matrix and ord not in (None, "fro"):
            raise ValueError(f"Matrix norm ord={ord!r} is not supported.")
        return b.sqrt(b.sum(b.square(t), axes, keepdims))
    if matrix:
        raise ValueError(
            f"Only the Frobenius matrix norm is supported. Received: ord={ord!r}"
        )
    if ord == 1:
        return b.sum(b.abs(t), axes, keepdims)
    if ord == math.inf:
        return b.max(b.abs(t), axes, keepdims)
    if ord == -math.inf:
        return b.min(b.abs(t), axes, keepdims)
    if ord == 0:
        dtype = b.dtype(t)
        nonzero = b.cast(b.not_equal(t, e.const(0.0, dtype)), dtype)
        return b.sum(nonzero, axes, keepdims)
    if isinstance(ord, (int, float)):
        dtype = b.dtype(t)
        powered = b.power(b.abs(t), e.const(float(ord), dtype))
        return b.power(b.sum(powered, axes, keepdims), e.const(1.0 / ord, dtype))
    raise ValueError(f"Invalid `ord` for norm: {ord!r}")


def normalize(
    x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None
) -> Any:
    """``x`` divided by its ``order``-norm along ``axis`` (Keras ``ops.normalize``).

    For ``order=2``, Keras's form: ``x * min(rsqrt(sum(x**2)), 1 / epsilon)``;
    ``epsilon`` defaults to ``1e-7`` (Keras's ``backend.epsilon()``).
    """
    if not isinstance(order, int) or order < 1:
        raise ValueError(
            f"Argument `order` must be an int >= 1. Received: order={order}"
        )
    e = current_engine()
    b = e.b
    t = _t(x)
    if not b.shape(t):
        t = b.expand_dims(t, 0)
    eps = 1e-7 if epsilon is None else epsilon
    dtype = b.dtype(t)
    if order == 2:
        inv = b.rsqrt(b.sum(b.square(t), axis, True))
        return b.multiply(t, b.minimum(inv, e.const(1.0 / eps, dtype)))
    denom = b.maximum(norm(t, ord=order, axis=axis, keepdims=True), e.const(eps, dtype))
    return b.divide(t, denom)


def moments(x: Any, axes: Any, keepdims: bool = False) -> tuple[Any, Any]:
    """Mean and variance of ``x`` over ``axes``."""
    b = current_engine().b
    t = _t(x)
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else axes
    return b.mean(t, axes, keepdims), b.var(t, axes, keepdims)


# -- activations as ops ----------------------------
def _activation(name: str) -> Any:
    def fn(x: Any, *args: Any, **kwargs: Any) -> Any:
        from . import activations

        return getattr(activations, name)(_t(x), *args, **kwargs)

    fn.__name__ = name
    fn.__doc__ = f"The ``{name}`` activation."
    return fn


leaky_relu, elu, silu, relu6 = (
    _activation(n) for n in ("leaky_relu", "elu", "silu", "relu6")
)
swish, softsign, hard_sigmoid = (
    _activation(n) for n in ("swish", "softsign", "hard_sigmoid")
)


def log_sigmoid(x: Any) -> Any:
    """``log(sigmoid(x)) = -softplus(-x)``."""
    b = current_engine().b
    return b.negative(b.softplus(b.negative(_t(x))))


selu = _activation("selu")


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Any:
    """Elementwise binary crossentropy (Keras ``ops.binary_crossentropy``)."""
    from .losses.functions import _binary_elementwise

    e = current_engine()
    output = _t(output)
    target = e.cast(_t(target), e.b.dtype(output))
    return _binary_elementwise(e, target, output, from_logits)


def categorical_crossentropy(
    target: Any, output: Any, from_logits: bool = False, axis: int = -1
) -> Any:
    """Per-sample crossentropy of one-hot ``target``."""
    from .losses import categorical_crossentropy as loss

    return loss(_t(target), _t(output), from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(
    target: Any, output: Any, from_logits: bool = False, axis: int = -1
) -> Any:
    """Per-sample crossentropy of integer ``target``."""
    from .losses import sparse_categorical_crossentropy as loss

    return loss(_t(target), _t(output), from_logits=from_logits, axis=axis)
