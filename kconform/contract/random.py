"""Contract group ``random``: stateless random numbers from an explicit seed.

``seed`` is a non-negative Python int. The same seed, shape and arguments give
the same tensor on every call in a process; different seeds give different,
statistically independent tensors. Results need not agree across backends:
kconform checks determinism, independence and the distribution (moments and a
Kolmogorov-Smirnov test), never bits.
"""

from __future__ import annotations

from typing import Any

from ._marker import op

Tensor = Any


@op("random", minval=0.0, maxval=1.0, dtype="float32", seed=0)
def kconform_random_uniform(
    shape: tuple[int, ...], minval: float, maxval: float, dtype: str, seed: int
) -> Tensor:
    """Draw from the uniform distribution on ``[minval, maxval)``, float dtype."""


@op("random", mean=0.0, stddev=1.0, dtype="float32", seed=0)
def kconform_random_normal(
    shape: tuple[int, ...], mean: float, stddev: float, dtype: str, seed: int
) -> Tensor:
    """Draw from the normal distribution ``N(mean, stddev**2)``, float dtype."""


@op("random", mean=0.0, stddev=1.0, dtype="float32", seed=0)
def kconform_random_truncated_normal(
    shape: tuple[int, ...], mean: float, stddev: float, dtype: str, seed: int
) -> Tensor:
    """Draw from ``N(mean, stddev**2)`` conditioned on ``|x - mean| <= 2 * stddev``.

    This is the Keras and TensorFlow truncated normal (redraw, not clip).
    """


@op("random", seed=0)
def kconform_random_bernoulli(shape: tuple[int, ...], p: float, seed: int) -> Tensor:
    """Draw a bool mask whose entries are True with probability ``p``."""


@op("random", seed=0)
def kconform_random_permutation(n: int, seed: int) -> Tensor:
    """Return a uniformly random permutation of ``0 .. n-1`` as int32."""
