"""Contract group ``random``: stateless draws from TF's counter-based generators."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kconform import hookimpl
from kconform.dtypes import to_numpy_dtype

from ._tf import tf
from ._util import FLOATS, Tensor, tf_dtype

_MASK63 = (1 << 63) - 1


def _seed(seed: int) -> Tensor:
    """TF's stateless seed: a pair of int64s; Python ints of any size fit in two."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int; received {seed!r}")
    seed = int(seed)
    return tf.constant([seed & _MASK63, (seed >> 63) & _MASK63], tf.int64)


def _shape(shape: tuple[int, ...]) -> list[int]:
    dims = [int(d) for d in shape]
    if any(d < 0 for d in dims):
        raise ValueError(f"shape must not have negative entries; received {shape!r}")
    return dims


def _float_dtype(dtype: str, op: str) -> tf.DType:
    target = tf_dtype(dtype)
    if target not in FLOATS:
        raise ValueError(f"{op} draws floats; received dtype={dtype!r}")
    return target


def _draw(dtype: str, op: str, sample: Callable[[tf.DType], Tensor]) -> Tensor:
    """Sample in float32 (float64 for float64) and round once to ``dtype``.

    TF's 16-bit samplers scale and shift in 16-bit arithmetic; drawing wide and
    rounding once keeps ``mean + stddev * z`` accurate for any mean.
    """
    target = _float_dtype(dtype, op)
    wide = tf.float64 if target == tf.float64 else tf.float32
    return tf.cast(sample(wide), target)


@hookimpl
def kconform_random_uniform(
    shape: tuple[int, ...], minval: float, maxval: float, dtype: str, seed: int
) -> Tensor:
    """Draw uniformly from ``[minval, maxval)``."""
    dims, key = _shape(shape), _seed(seed)
    if not minval < maxval:
        raise ValueError(
            f"random_uniform needs minval < maxval; received "
            f"minval={minval}, maxval={maxval}"
        )
    out = _draw(
        dtype,
        "random_uniform",
        lambda d: tf.random.stateless_uniform(
            dims, key, minval=float(minval), maxval=float(maxval), dtype=d
        ),
    )
    # Rounding to a narrow dtype can land on maxval itself: keep the interval
    # half-open by stepping down to the largest value below it.
    np_dtype = to_numpy_dtype(dtype)
    below = np.asarray(maxval, np_dtype)
    if float(below) >= float(maxval):
        below = np.nextafter(below, np.asarray(-np.inf, np_dtype))
    return tf.minimum(out, tf.constant(below, out.dtype))


@hookimpl
def kconform_random_normal(
    shape: tuple[int, ...], mean: float, stddev: float, dtype: str, seed: int
) -> Tensor:
    """Draw from ``N(mean, stddev**2)``."""
    dims, key = _shape(shape), _seed(seed)
    return _draw(
        dtype,
        "random_normal",
        lambda d: tf.random.stateless_normal(
            dims, key, mean=float(mean), stddev=float(stddev), dtype=d
        ),
    )


@hookimpl
def kconform_random_truncated_normal(
    shape: tuple[int, ...], mean: float, stddev: float, dtype: str, seed: int
) -> Tensor:
    """Draw from ``N(mean, stddev**2)`` redrawn outside two standard deviations."""
    dims, key = _shape(shape), _seed(seed)
    # TF's truncated normal is already the Keras one: redraw beyond 2 stddev.
    return _draw(
        dtype,
        "random_truncated_normal",
        lambda d: tf.random.stateless_truncated_normal(
            dims, key, mean=float(mean), stddev=float(stddev), dtype=d
        ),
    )


@hookimpl
def kconform_random_bernoulli(shape: tuple[int, ...], p: float, seed: int) -> Tensor:
    """Draw a bool mask, True with probability ``p``."""
    dims, key = _shape(shape), _seed(seed)
    if not 0.0 <= float(p) <= 1.0:
        raise ValueError(f"random_bernoulli needs 0 <= p <= 1; received p={p}")
    # u in [0, 1): p=0 gives all False and p=1 all True; float64 keeps p exact.
    u = tf.random.stateless_uniform(dims, key, dtype=tf.float64)
    return u < float(p)


@hookimpl
def kconform_random_permutation(n: int, seed: int) -> Tensor:
    """Return a uniformly random permutation of ``0 .. n-1`` as int32."""
    key = _seed(seed)
    if int(n) < 0:
        raise ValueError(f"random_permutation needs n >= 0; received n={n}")
    # Sort keys over the full int64 range: ties, which would bias a stable
    # sort, are practically impossible (float32 keys collide from n ~ 3000).
    keys = tf.random.stateless_uniform(
        [int(n)], key, minval=None, maxval=None, dtype=tf.int64
    )
    return tf.argsort(keys, stable=True, direction="ASCENDING")
