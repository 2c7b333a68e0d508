"""The oracle's float64 gradients (via autograd) and their finite-difference check."""

from __future__ import annotations

from typing import Any

import autograd
import autograd.numpy as anp
import numpy as np

from ..dtypes import is_float
from .measure import widen
from .spec import OpSpec, Sample

__all__ = [
    "Position",
    "cotangent",
    "diff_positions",
    "finite_difference_error",
    "reference_grads",
    "substitute",
]

#: Where a differentiable array sits in a sample: ``(arg, None)``, or
#: ``(arg, item)`` in a list.
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
    """Value, float64 gradients at ``positions`` of ``sample``, and cotangent ``w``."""
    args64 = widen(list(sample.args))
    w = cotangent(np.shape(spec.reference(*args64)))
    fn = _scalar_fn(spec, args64, positions, w)
    value, grads = autograd.value_and_grad(fn)(gather(args64, positions))
    return float(value), [np.asarray(g, dtype=np.float64) for g in grads], w


def gradient_scales(
    spec: OpSpec, sample: Sample, positions: list[Position], w: np.ndarray
) -> list[float]:
    """The scale each gradient's error is measured against (normwise).

    ``max|g_ref|``; and for an operand broadcast by an elementwise op, whose
    gradient is a sum over the broadcast axes, at least the error bound of that
    sum, ``n * sum(|terms|)``, where the terms are the gradient with respect to
    the operand broadcast to the output's shape.
    """
    args64 = widen(list(sample.args))
    _, grads, _ = reference_grads(spec, sample, positions)
    scales = [float(np.max(np.abs(g), initial=0.0)) for g in grads]
    if not spec.broadcasts:
        return scales
    out_shape = w.shape
    full = [np.broadcast_to(a, out_shape).copy() for a in gather(args64, positions)]
    fn = _scalar_fn(spec, args64, positions, w)
    terms = autograd.grad(fn)(full)
    for k, (arg, t) in enumerate(zip(gather(args64, positions), terms)):
        n = int(np.prod(out_shape)) // max(int(np.size(arg)), 1)
        if n > 1:
            lead = len(out_shape) - np.ndim(arg)
            axes = tuple(range(lead)) + tuple(
                i + lead
                for i, d in enumerate(np.shape(arg))
                if d == 1 and out_shape[i + lead] != 1
            )
            summed = np.sum(np.abs(np.asarray(t)), axis=axes)
            scales[k] = max(scales[k], n * float(np.max(summed, initial=0.0)) / 2)
    return scales


def finite_difference_error(
    spec: OpSpec, sample: Sample, positions: list[Position]
) -> float:
    """Normwise relative difference between oracle gradients and central differences."""
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
