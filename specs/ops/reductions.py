"""Specs of the reductions group: sums against their error bound, extremes exactly."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np

from kconform.dtypes import ALL, NUMERIC
from kconform.oracle.families import reduction
from kconform.oracle.spec import Bound, Exact


def _count(x: np.ndarray, axis, keepdims) -> int:
    """How many elements each output of a reduction over ``axis`` sums."""
    if axis is None:
        return max(int(np.size(x)), 1)
    axes = axis if isinstance(axis, tuple) else (axis,)
    return max(int(np.prod([np.shape(x)[a] for a in axes])), 1)


def _abs_sum(x, axis, keepdims):
    return np.sum(np.abs(x), axis=axis, keepdims=keepdims)


# Each scale is n * sum(|terms|) of the sum the op computes
# (see kconform.oracle.spec.Bound).
def _sum_scale(x, axis, keepdims):
    return _count(x, axis, keepdims) * _abs_sum(x, axis, keepdims)


def _mean_scale(x, axis, keepdims):
    return (_count(x, axis, keepdims) + 1) * np.mean(
        np.abs(x), axis=axis, keepdims=keepdims
    )


def _prod_scale(x, axis, keepdims):
    return _count(x, axis, keepdims) * np.abs(np.prod(x, axis=axis, keepdims=keepdims))


def _var_scale(x, axis, keepdims):
    # Two-pass variance: error below (n + 3) u mean(x^2) (Chan, Golub & LeVeque 1983).
    return (_count(x, axis, keepdims) + 3) * np.mean(
        np.square(x), axis=axis, keepdims=keepdims
    )


def _std_scale(x, axis, keepdims):
    std = np.std(x, axis=axis, keepdims=keepdims)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(std > 0, _var_scale(x, axis, keepdims) / (2 * std), np.inf)


def _lse_scale(x, axis, keepdims):
    return _count(x, axis, keepdims) + np.abs(_logsumexp(x, axis, keepdims))


def _logsumexp(x, axis, keepdims):
    m = anp.max(x, axis=axis, keepdims=True)
    m = anp.where(anp.isfinite(m), m, 0.0)
    out = anp.log(anp.sum(anp.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else _drop(out, axis, anp.ndim(x))


def _drop(out, axis, ndim):
    if axis is None:
        return anp.reshape(out, ())
    axes = axis if isinstance(axis, tuple) else (axis,)
    keep = [
        d for i, d in enumerate(anp.shape(out)) if i not in {a % ndim for a in axes}
    ]
    return anp.reshape(out, tuple(keep))


def _sum_dtype(d: str) -> str:
    return "int32" if d == "bool" else d


def _bool(d: str) -> str:
    return "bool"


def _int32(d: str) -> str:
    return "int32"


def _arg(fn):
    def ref(x, axis, keepdims):
        return np.asarray(fn(x, axis=axis, keepdims=keepdims))

    return ref


SPECS = [
    reduction(
        "sum",
        lambda x, a, k: anp.sum(x, axis=a, keepdims=k),
        dtypes=ALL,
        budget=Bound(1, _sum_scale),
        result_dtype=_sum_dtype,
    ),
    reduction(
        "mean",
        lambda x, a, k: anp.mean(x, axis=a, keepdims=k),
        budget=Bound(1, _mean_scale),
    ),
    reduction(
        "max",
        lambda x, a, k: anp.max(x, axis=a, keepdims=k),
        dtypes=NUMERIC,
        budget=Exact(),
        magnitude="any",
    ),
    reduction(
        "min",
        lambda x, a, k: anp.min(x, axis=a, keepdims=k),
        dtypes=NUMERIC,
        budget=Exact(),
        magnitude="any",
    ),
    reduction(
        "prod",
        lambda x, a, k: anp.prod(x, axis=a, keepdims=k),
        dtypes=NUMERIC,
        domain=(0.5, 1.5),
        budget=Bound(1, _prod_scale),
        magnitude="product",
    ),
    reduction(
        "var",
        lambda x, a, k: anp.var(x, axis=a, keepdims=k),
        budget=Bound(1, _var_scale),
        magnitude="square",
    ),
    reduction(
        "std",
        lambda x, a, k: anp.std(x, axis=a, keepdims=k),
        domain=(-3.0, 3.0),
        budget=Bound(1, _std_scale),
        magnitude="square",
    ),
    reduction("logsumexp", _logsumexp, budget=Bound(1, _lse_scale), magnitude="any"),
    reduction(
        "any",
        _arg(np.any),
        dtypes=ALL,
        result_dtype=_bool,
        grad=False,
        special=False,
        magnitude="any",
    ),
    reduction(
        "all",
        _arg(np.all),
        dtypes=ALL,
        result_dtype=_bool,
        grad=False,
        special=False,
        magnitude="any",
    ),
    reduction(
        "argmax",
        _arg(np.argmax),
        dtypes=NUMERIC,
        result_dtype=_int32,
        grad=False,
        tuple_axes=False,
        special=False,
        magnitude="any",
    ),
    reduction(
        "argmin",
        _arg(np.argmin),
        dtypes=NUMERIC,
        result_dtype=_int32,
        grad=False,
        tuple_axes=False,
        special=False,
        magnitude="any",
    ),
]
