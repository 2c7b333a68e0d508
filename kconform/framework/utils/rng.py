"""Host-side randomness: every random number the framework needs, drawn with NumPy.

Initial weights, shuffles and dropout masks come from one seeded host
generator, so a model built and trained with the same seed starts from the
same weights and sees the same batches and masks on every backend.
"""

from __future__ import annotations

import random

import numpy as np

__all__ = ["host_rng", "next_seed", "set_random_seed"]

_rng = np.random.default_rng()


def set_random_seed(seed: int) -> None:
    """Seed the framework's host generator (and Python's and NumPy's global ones).

    Args:
        seed: A non-negative integer.

    Example:

    >>> keras.utils.set_random_seed(1337)
    """
    global _rng
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(
            "Received an invalid value for `seed`, expected a non-negative "
            f"integer. Received: seed={seed!r}"
        )
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    _rng = np.random.default_rng(int(seed))


def host_rng() -> np.random.Generator:
    """The framework's host generator."""
    return _rng


def next_seed() -> int:
    """Draw a fresh seed from the host generator."""
    return int(_rng.integers(0, 2**31 - 1))
