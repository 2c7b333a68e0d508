"""Hooks of the ``reductions`` group: sums, extrema, moments, logsumexp, arg-extrema."""

from __future__ import annotations

import operator
from typing import Any

from autograd.extend import defvjp, primitive

import kconform
from kconform.dtypes import FLOATS, to_numpy_dtype

from ._core import accum_dtype, anp, as_tensor, cast, dtype_of, getval, np, out, quiet

Axis = int | tuple[int, ...] | None


def normalize_axis(axis: Axis, ndim: int, op: str) -> tuple[int, ...]:
    """Axes as a sorted tuple of non-negative ints; out of range or repeated raises."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if not isinstance(axis, (tuple, list)) else tuple(axis)
    result = []
    for a in axes:
        try:
            a = operator.index(a)
        except TypeError:
            raise TypeError(
                f"{op}: axis must be an int or a tuple of ints; received axis={axis!r}"
            ) from None
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(
                f"{op}: axis {a} is out of range for a tensor of rank {ndim}"
            )
        result.append(a % ndim)
    if len(set(result)) != len(result):
        raise ValueError(f"{op}: repeated axis in axis={axis!r}")
    return tuple(sorted(result))


def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def _float_in(x: Any, op: str) -> tuple[Any, str]:
    """``x`` and the float dtype of the result (ints and bools reduce to float32)."""
    x = as_tensor(x)
    d = dtype_of(x)
    return x, d if d in FLOATS else "float32"


@kconform.hookimpl
def kconform_sum(x: Any, axis: Axis, keepdims: bool) -> Any:
    """Sum over ``axis``; floats accumulate in >= float32, ints keep their width."""
    x = as_tensor(x)
    d = dtype_of(x)
    axes = normalize_axis(axis, np.ndim(x), "sum")
    if d in FLOATS:
        with quiet():
            r = anp.sum(cast(x, accum_dtype(d)), axis=axes, keepdims=keepdims)
        return out(cast(out(r), d))
    target = "int32" if d == "bool" else d
    return out(
        np.sum(getval(x), axis=axes, keepdims=keepdims, dtype=to_numpy_dtype(target))
    )


@kconform.hookimpl
def kconform_prod(x: Any, axis: Axis, keepdims: bool) -> Any:
    """Product over ``axis``, in ``x``'s dtype (bool gives int32, as ``sum``)."""
    x = as_tensor(x)
    d = dtype_of(x)
    axes = normalize_axis(axis, np.ndim(x), "prod")
    if d in FLOATS:
        with quiet():
            r = anp.prod(cast(x, accum_dtype(d)), axis=axes, keepdims=keepdims)
        return out(cast(out(r), d))
    target = "int32" if d == "bool" else d
    return out(
        np.prod(getval(x), axis=axes, keepdims=keepdims, dtype=to_numpy_dtype(target))
    )


def _extremum(fn: Any, x: Any, axis: Axis, keepdims: bool, op: str) -> Any:
    x = as_tensor(x)
    axes = normalize_axis(axis, np.ndim(x), op)
    if any(np.shape(x)[a] == 0 for a in axes):
        raise ValueError(
            f"{op}: cannot reduce an empty axis (shape {np.shape(x)}, axis={axis!r}); "
            "the maximum and minimum of nothing are undefined"
        )
    with quiet():
        return out(fn(x, axis=axes, keepdims=keepdims))


@kconform.hookimpl
def kconform_max(x: Any, axis: Axis, keepdims: bool) -> Any:
    """Maximum over ``axis``; NaN if any reduced element is NaN; empty raises."""
    return _extremum(anp.max, x, axis, keepdims, "max")


@kconform.hookimpl
def kconform_min(x: Any, axis: Axis, keepdims: bool) -> Any:
    """Minimum over ``axis``; NaN if any reduced element is NaN; empty raises."""
    return _extremum(anp.min, x, axis, keepdims, "min")


def _mean(x: Any, axes: tuple[int, ...], keepdims: bool, acc: np.dtype) -> Any:
    """Mean in dtype ``acc``: an empty axis gives NaN without a NumPy warning."""
    n = _count(np.shape(x), axes)
    with quiet():
        s = anp.sum(cast(x, acc), axis=axes, keepdims=keepdims)
        return s / acc.type(n) if n else s * acc.type(np.nan)


@kconform.hookimpl
def kconform_mean(x: Any, axis: Axis, keepdims: bool) -> Any:
    """Arithmetic mean over ``axis`` (NaN over an empty axis)."""
    x, d = _float_in(x, "mean")
    axes = normalize_axis(axis, np.ndim(x), "mean")
    acc = accum_dtype(d) if dtype_of(x) in FLOATS else np.dtype(np.float64)
    return out(cast(out(_mean(x, axes, keepdims, acc)), d))


def _var(x: Any, axis: Axis, op: str) -> tuple[Any, tuple[int, ...], str]:
    """Population variance with keepdims, two-pass, in the accumulation dtype."""
    x, d = _float_in(x, op)
    axes = normalize_axis(axis, np.ndim(x), op)
    acc = accum_dtype(d) if dtype_of(x) in FLOATS else np.dtype(np.float64)
    xa = cast(x, acc)
    m = _mean(xa, axes, True, acc)
    with quiet():
        v = _mean(anp.square(xa - m), axes, True, acc)
    return v, axes, d


def _drop(v: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
    if keepdims or not axes:
        return v
    shape = tuple(s for i, s in enumerate(np.shape(v)) if i not in axes)
    return anp.reshape(v, shape)


@kconform.hookimpl
def kconform_var(x: Any, axis: Axis, keepdims: bool) -> Any:
    """Population variance (divisor ``n``) over ``axis``."""
    v, axes, d = _var(x, axis, "var")
    return out(cast(out(_drop(v, axes, keepdims)), d))


@primitive
def _std_sqrt(v: Any) -> Any:
    return np.sqrt(v)


# At variance 0 (all elements equal) std is not differentiable; take the zero
# subgradient rather than inf * 0 = NaN.
defvjp(
    _std_sqrt,
    lambda ans, v: (
        lambda g: anp.where(ans > 0, g * 0.5 / anp.where(ans > 0, ans, 1), 0)
    ),
)


@kconform.hookimpl
def kconform_std(x: Any, axis: Axis, keepdims: bool) -> Any:
    """Population standard deviation (divisor ``n``) over ``axis``."""
    v, axes, d = _var(x, axis, "std")
    with quiet():
        s = _std_sqrt(v)
    return out(cast(out(_drop(s, axes, keepdims)), d))


def max_shift(x: Any, axes: tuple[int, ...]) -> np.ndarray:
    """The max over ``axes`` (keepdims) as a constant, 0 where it is not finite.

    Shifting by it keeps ``exp`` from overflowing; it is a constant for
    autograd because softmax and logsumexp gradients do not depend on it.
    All ``-inf`` (or an empty axis) and ``+inf`` maxima shift by 0.
    """
    xv = getval(x)
    if any(np.shape(xv)[a] == 0 for a in axes):
        return np.zeros(
            [1 if i in axes else s for i, s in enumerate(np.shape(xv))], xv.dtype
        )
    with quiet():
        m = np.max(xv, axis=axes, keepdims=True)
        return np.where(np.isfinite(m), m, 0).astype(xv.dtype)


def logsumexp_keepdims(x: Any, axes: tuple[int, ...], acc: np.dtype) -> Any:
    """``log(sum(exp(x)))`` over ``axes`` with keepdims, in dtype ``acc``."""
    xa = cast(x, acc)
    m = max_shift(xa, axes)
    with quiet():
        return anp.log(anp.sum(anp.exp(xa - m), axis=axes, keepdims=True)) + m


@kconform.hookimpl
def kconform_logsumexp(x: Any, axis: Axis, keepdims: bool) -> Any:
    """``log(sum(exp(x)))`` over ``axis``, evaluated in float64, rounded once."""
    x, d = _float_in(x, "logsumexp")
    axes = normalize_axis(axis, np.ndim(x), "logsumexp")
    r = logsumexp_keepdims(x, axes, np.dtype(np.float64))
    return out(cast(out(_drop(r, axes, keepdims)), d))


@kconform.hookimpl
def kconform_any(x: Any, axis: Axis, keepdims: bool) -> Any:
    """Whether any element over ``axis`` is nonzero."""
    xv = getval(as_tensor(x))
    axes = normalize_axis(axis, xv.ndim, "any")
    return out(np.any(xv, axis=axes, keepdims=keepdims))


@kconform.hookimpl
def kconform_all(x: Any, axis: Axis, keepdims: bool) -> Any:
    """Whether every element over ``axis`` is nonzero."""
    xv = getval(as_tensor(x))
    axes = normalize_axis(axis, xv.ndim, "all")
    return out(np.all(xv, axis=axes, keepdims=keepdims))


def _arg(fn: Any, x: Any, axis: int | None, keepdims: bool, op: str) -> Any:
    xv = getval(as_tensor(x))
    if isinstance(axis, (tuple, list)):
        raise TypeError(
            f"{op}: axis must be an int or None, never a tuple; received axis={axis!r}"
        )
    if axis is not None:
        (axis,) = normalize_axis(axis, xv.ndim, op)
    n = xv.size if axis is None else xv.shape[axis]
    if n == 0:
        raise ValueError(
            f"{op}: cannot take the {op} of an empty axis "
            f"(shape {xv.shape}, axis={axis!r})"
        )
    with quiet():
        return out(np.asarray(fn(xv, axis=axis, keepdims=keepdims), dtype=np.int32))


@kconform.hookimpl
def kconform_argmax(x: Any, axis: int | None, keepdims: bool) -> Any:
    """Int32 index of the first maximum (NaN counts as the maximum)."""
    return _arg(np.argmax, x, axis, keepdims, "argmax")


@kconform.hookimpl
def kconform_argmin(x: Any, axis: int | None, keepdims: bool) -> Any:
    """Int32 index of the first minimum (NaN counts as the minimum)."""
    return _arg(np.argmin, x, axis, keepdims, "argmin")
