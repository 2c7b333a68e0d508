"""Contract group ``random``: stateless draws from a ``jax.random`` key per seed."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kconform import hookimpl
from kconform.dtypes import FLOATS

from ._common import Array, check_shape, compute_dtype, np_dtype

_INT63 = (1 << 63) - 1


def _key(seed: Any, op: str) -> Array:
    """A typed PRNG key for a non-negative Python int of any size.

    ``jax.random.key`` takes a signed 64-bit seed; bits above 63 are folded
    in 32 at a time, so distinct seeds still give distinct keys.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"jax backend, op {op!r}: seed must be a non-negative int; "
                         f"received seed={seed!r}")  # fmt: skip
    seed = int(seed)
    key = jax.random.key(seed & _INT63)
    rest = seed >> 63
    while rest:
        key = jax.random.fold_in(key, rest & 0xFFFFFFFF)
        rest >>= 32
    return key


def _float_dtype(dtype: Any, op: str) -> str:
    if dtype not in FLOATS:
        raise ValueError(f"jax backend, op {op!r}: dtype must be a float dtype "
                         f"({', '.join(FLOATS)}); received {dtype!r}")  # fmt: skip
    return str(dtype)


@hookimpl
def kconform_random_uniform(
    shape: tuple[int, ...], minval: float, maxval: float, dtype: str, seed: int
) -> Array:
    """Uniform draws on ``[minval, maxval)``."""
    dims = check_shape(shape, "random_uniform")
    dtype = _float_dtype(dtype, "random_uniform")
    if not minval < maxval:
        raise ValueError("jax backend, op 'random_uniform': needs minval < maxval; "
                         f"received minval={minval}, maxval={maxval}")  # fmt: skip
    target = np_dtype(dtype)
    out = jax.random.uniform(
        _key(seed, "random_uniform"), dims, target, minval=minval, maxval=maxval
    )
    # Scaling [0, 1) to the range rounds; an upper end that rounded up to
    # maxval would leave the half-open interval.
    below = jnp.nextafter(jnp.asarray(maxval, target), jnp.asarray(minval, target))
    return jnp.minimum(out, below)


@hookimpl
def kconform_random_normal(
    shape: tuple[int, ...], mean: float, stddev: float, dtype: str, seed: int
) -> Array:
    """Normal draws with ``mean`` and ``stddev``."""
    dims = check_shape(shape, "random_normal")
    dtype = _float_dtype(dtype, "random_normal")
    wide = compute_dtype(dtype)
    z = jax.random.normal(_key(seed, "random_normal"), dims, wide)
    return (mean + stddev * z).astype(np_dtype(dtype))


@hookimpl
def kconform_random_truncated_normal(
    shape: tuple[int, ...], mean: float, stddev: float, dtype: str, seed: int
) -> Array:
    """Normal draws conditioned on ``|x - mean| <= 2 stddev`` (redrawn, not clipped)."""
    dims = check_shape(shape, "random_truncated_normal")
    dtype = _float_dtype(dtype, "random_truncated_normal")
    wide = compute_dtype(dtype)
    key = _key(seed, "random_truncated_normal")
    # jax.random.truncated_normal samples the truncated law exactly (inverse CDF).
    z = jax.random.truncated_normal(key, -2.0, 2.0, dims, wide)
    return (mean + stddev * z).astype(np_dtype(dtype))


@hookimpl
def kconform_random_bernoulli(shape: tuple[int, ...], p: float, seed: int) -> Array:
    """A bool mask, True with probability ``p``."""
    dims = check_shape(shape, "random_bernoulli")
    if not isinstance(p, (int, float, np.number)) or not 0.0 <= p <= 1.0:
        raise ValueError("jax backend, op 'random_bernoulli': p must be a number in "
                         f"[0, 1]; received p={p!r}")  # fmt: skip
    return jax.random.bernoulli(_key(seed, "random_bernoulli"), p, dims)


@hookimpl
def kconform_random_permutation(n: int, seed: int) -> Array:
    """A uniformly random permutation of ``0 .. n-1`` as int32."""
    (n,) = check_shape((n,), "random_permutation")
    perm = jax.random.permutation(_key(seed, "random_permutation"), n)
    return perm.astype(jnp.int32)
