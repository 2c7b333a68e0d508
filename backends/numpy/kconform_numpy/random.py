"""Hooks of the ``random`` group: stateless draws from ``Generator(PCG64(seed))``.

Each call builds its own generator from the seed, so the same seed and
arguments always give the same tensor and no global state is touched. Values
are drawn in float64 and rounded once to the requested dtype.
"""

from __future__ import annotations

import operator

import kconform
from kconform.dtypes import FLOATS, to_numpy_dtype

from ._core import F64, _cast_value, np, out, quiet
from .tensors import _shape


def _rng(seed: int, op: str) -> np.random.Generator:
    try:
        seed = operator.index(seed)
    except TypeError:
        raise TypeError(
            f"{op}: seed must be a non-negative int; received {seed!r}"
        ) from None
    if seed < 0:
        raise ValueError(f"{op}: seed must be a non-negative int; received seed={seed}")
    return np.random.Generator(np.random.PCG64(seed))


def _float_dtype(dtype: str, op: str) -> np.dtype:
    if dtype not in FLOATS:
        raise ValueError(
            f"{op}: dtype must be a float dtype ({', '.join(FLOATS)}); "
            f"received dtype={dtype!r}"
        )
    return to_numpy_dtype(dtype)


@kconform.hookimpl
def kconform_random_uniform(
    shape: tuple[int, ...], minval: float, maxval: float, dtype: str, seed: int
) -> np.ndarray:
    """Uniform on ``[minval, maxval)``; a draw rounded up to maxval steps below."""
    shape = _shape(shape, "random_uniform")
    target = _float_dtype(dtype, "random_uniform")
    if minval > maxval:
        raise ValueError(
            f"random_uniform: needs minval <= maxval; received "
            f"minval={minval}, maxval={maxval}"
        )
    if minval == maxval:  # the degenerate interval: every draw is minval
        return out(_cast_value(np.full(shape, float(minval)), target))
    u = _rng(seed, "random_uniform").random(shape, dtype=F64)
    values = _cast_value(minval + (maxval - minval) * u, target)
    top = _cast_value(np.asarray(float(maxval)), target)
    if (values >= top).any():
        # Rounding to a narrow dtype can reach maxval: use the largest value below it.
        with quiet():
            below = np.nextafter(top, _cast_value(np.asarray(float(minval)), target))
        values = np.where(values >= top, below, values).astype(target)
    return out(values)


@kconform.hookimpl
def kconform_random_normal(
    shape: tuple[int, ...], mean: float, stddev: float, dtype: str, seed: int
) -> np.ndarray:
    """Normal ``N(mean, stddev**2)``."""
    shape = _shape(shape, "random_normal")
    target = _float_dtype(dtype, "random_normal")
    z = _rng(seed, "random_normal").standard_normal(shape, dtype=F64)
    return out(_cast_value(mean + stddev * z, target))


@kconform.hookimpl
def kconform_random_truncated_normal(
    shape: tuple[int, ...], mean: float, stddev: float, dtype: str, seed: int
) -> np.ndarray:
    """Normal conditioned on ``|x - mean| <= 2 stddev`` by redrawing (Keras, TF)."""
    shape = _shape(shape, "random_truncated_normal")
    target = _float_dtype(dtype, "random_truncated_normal")
    rng = _rng(seed, "random_truncated_normal")
    z = rng.standard_normal(shape, dtype=F64)
    bad = np.abs(z) > 2.0
    while bad.any():  # about 4.6% of draws are redrawn each round
        z[bad] = rng.standard_normal(int(bad.sum()), dtype=F64)
        bad = np.abs(z) > 2.0
    return out(_cast_value(mean + stddev * z, target))


@kconform.hookimpl
def kconform_random_bernoulli(
    shape: tuple[int, ...], p: float, seed: int
) -> np.ndarray:
    """Bool mask, True with probability ``p``."""
    shape = _shape(shape, "random_bernoulli")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"random_bernoulli: p must be in [0, 1]; received p={p}")
    return out(_rng(seed, "random_bernoulli").random(shape, dtype=F64) < p)


@kconform.hookimpl
def kconform_random_permutation(n: int, seed: int) -> np.ndarray:
    """A uniformly random permutation of ``0 .. n-1`` as int32."""
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"random_permutation: n must be >= 0; received n={n}")
    return out(_rng(seed, "random_permutation").permutation(n).astype(np.int32))
