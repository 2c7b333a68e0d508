"""The oracle's float64 gradients (through autograd) and their finite-difference check."""

from __future__ import annotations

from typing import Any

import autograd
import autograd.numpy as anp
import numpy as np

from ..dtypes import is_float
from .measure import widen
from .spec import OpSpec, Sample

__all__ = ["Position", "cotangent", "diff_positions", "finite_difference_error",
           "reference_grads", "substitute"]  # fmt: skip

#: Where a differentiable array sits in a sample: ``(arg, None)`` or ``(arg, item)`` in a list.
Position = tuple[int, int | None]


def _is_float_array(a: Any) -> bool:
    return isinstance(a, np.ndarray) and is_float(a.dtype) and a.size > 0


def diff_positions(args: tuple[Any, ...]) -> list[Position]:
    """The float arrays of a sample, top level or inside a list argument."""
    out: list[Position] = []
    for i, a in enumerate(args):
        if _is_float_array(a):
            out.append((i, None))
        elif isinstance(a, list):
            out.extend((i, j) for j, v in enumerate(a) if _is_float_array(v))
    return out


def gather(args: list[Any], positions: list[Position]) -> list[Any]:
    """The values at ``positions``."""
    return [args[i] if j is None else args[i][j] for i, j in positions]


def substitute(
    args: list[Any], positions: list[Position], params: list[Any]
) -> list[Any]:
    """A copy of ``args`` with ``params`` put at ``positions``."""
    out = [list(a) if isinstance(a, list) else a for a in args]
    for (i, j), p in zip(positions, params):
        if j is None:
            out[i] = p
        else:
            out[i][j] = p
    return out


def cotangent(shape: tuple[int, ...], seed: int = 11) -> np.ndarray:
    """A fixed random weight ``w`` so the checked scalar is ``sum(op(*args) * w)``."""
    return np.random.default_rng(seed).uniform(0.5, 1.5, size=shape)


def _scalar_fn(
    spec: OpSpec, args64: list[Any], positions: list[Position], w: np.ndarray
) -> Any:
    def fn(params: list[Any]) -> Any:
        return anp.sum(spec.reference(*substitute(args64, positions, params)) * w)

    return fn


def reference_grads(
    spec: OpSpec, sample: Sample, positions: list[Position]
) -> tuple[float, list[np.ndarray], np.ndarray]:
    """Value, float64 gradients at ``positions`` of ``sample``, and the cotangent ``w``."""
    args64 = widen(list(sample.args))
    w = cotangent(np.shape(spec.reference(*args64)))
    fn = _scalar_fn(spec, args64, positions, w)
    value, grads = autograd.value_and_grad(fn)(gather(args64, positions))
    return float(value), [np.asarray(g, dtype=np.float64) for g in grads], w


def finite_difference_error(
    spec: OpSpec, sample: Sample, positions: list[Position]
) -> float:
    """Normwise relative difference between the oracle's gradients and central differences."""
    args64 = widen(list(sample.args))
    _, grads, w = reference_grads(spec, sample, positions)
    fn = _scalar_fn(spec, args64, positions, w)
    base = gather(args64, positions)
    worst = 0.0
    for k in range(len(positions)):
        fd = np.zeros_like(base[k])
        for idx in np.ndindex(*base[k].shape):
            h = 1e-6 * max(1.0, abs(float(base[k][idx])))
            plus, minus = [b.copy() for b in base], [b.copy() for b in base]
            plus[k][idx] += h
            minus[k][idx] -= h
            fd[idx] = (float(fn(plus)) - float(fn(minus))) / (2 * h)
        scale = max(float(np.max(np.abs(grads[k]))), 1e-300)
        worst = max(worst, float(np.max(np.abs(fd - grads[k]))) / scale)
    return worst
