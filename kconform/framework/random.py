"""``keras.random``: random tensors on the running layer's backend.

Each draw goes through the backend's stateless random ops (contract group
``random``) with an explicit integer seed. ``seed`` may be an int (the same
draw every call, as in Keras), a :class:`SeedGenerator` (a new draw every
call, reproducible from the generator's seed) or None (a new seed from the
framework's host generator, which ``keras.utils.set_random_seed`` seeds).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _config
from ._engine import current_engine
from .utils.rng import next_seed

__all__ = [
    "SeedGenerator",
    "dropout",
    "normal",
    "randint",
    "shuffle",
    "truncated_normal",
    "uniform",
]


class SeedGenerator:
    """A stream of seeds: each draw that takes it gets a new, reproducible one.

    Args:
        seed: Initial seed (None: one from the framework's host generator).
    """

    def __init__(self, seed: int | None = None, **kwargs: Any) -> None:
        kwargs.pop("name", None)
        kwargs.pop("backend", None)
        if kwargs:
            raise TypeError(f"Unrecognized arguments for SeedGenerator: {kwargs}")
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
        ):
            raise ValueError(
                f"`seed` must be an integer or None. Received: seed={seed!r}"
            )
        self.seed = int(next_seed() if seed is None else seed)
        self._rng = np.random.default_rng(self.seed)

    def next(self) -> int:
        """The next seed of the stream."""
        return int(self._rng.integers(0, 2**31 - 1))

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


def draw_seed(seed: Any) -> int:
    """The integer seed of one draw, from an int, a SeedGenerator or None."""
    if seed is None:
        return next_seed()
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(
            "`seed` must be a non-negative integer, a keras.random.SeedGenerator "
            f"or None. Received: seed={seed!r}"
        )
    return int(seed) % (2**31 - 1)


def _shape(shape: Any) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)


def normal(
    shape: Any,
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: str | None = None,
    seed: Any = None,
) -> Any:
    """Draws from ``N(mean, stddev**2)``."""
    return current_engine().b.random_normal(
        _shape(shape),
        float(mean),
        float(stddev),
        dtype or _config.floatx(),
        draw_seed(seed),
    )


def uniform(
    shape: Any,
    minval: float = 0.0,
    maxval: float = 1.0,
    dtype: str | None = None,
    seed: Any = None,
) -> Any:
    """Draws from the uniform distribution on ``[minval, maxval)``."""
    return current_engine().b.random_uniform(
        _shape(shape),
        float(minval),
        float(maxval),
        dtype or _config.floatx(),
        draw_seed(seed),
    )


def truncated_normal(
    shape: Any,
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: str | None = None,
    seed: Any = None,
) -> Any:
    """Draws from ``N(mean, stddev**2)`` redrawn beyond two standard deviations."""
    return current_engine().b.random_truncated_normal(
        _shape(shape),
        float(mean),
        float(stddev),
        dtype or _config.floatx(),
        draw_seed(seed),
    )


def randint(
    shape: Any, minval: int, maxval: int, dtype: str = "int32", seed: Any = None
) -> Any:
    """Integers drawn uniformly from ``[minval, maxval)``.

    Drawn as ``floor(minval + u * (maxval - minval))`` from a float64 uniform
    ``u`` where the backend has float64 (float32 otherwise), clipped into range.
    """
    e = current_engine()
    b = e.b
    if maxval <= minval:
        raise ValueError(
            f"`maxval` must be greater than `minval`. Received: minval={minval}, "
            f"maxval={maxval}"
        )
    wide = "float64" if b.supports("float64") else "float32"
    u = b.random_uniform(
        _shape(shape), float(minval), float(maxval), wide, draw_seed(seed)
    )
    out = b.floor(u)
    out = b.clip(out, float(minval), float(maxval - 1))
    return b.cast(out, dtype)


def dropout(inputs: Any, rate: float, noise_shape: Any = None, seed: Any = None) -> Any:
    """Zero entries with probability ``rate``; scale the rest by ``1 / (1 - rate)``."""
    e = current_engine()
    b = e.b
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"`rate` must be in [0, 1). Received: rate={rate!r}")
    x = e.tensor(inputs)
    if rate == 0.0:
        return x
    shape = b.shape(x) if noise_shape is None else _shape(noise_shape)
    keep = b.random_bernoulli(tuple(shape), 1.0 - rate, draw_seed(seed))
    dtype = b.dtype(x)
    scaled = e.scale(x, 1.0 / (1.0 - rate))
    return b.where(keep, scaled, e.const(0.0, dtype))


def shuffle(x: Any, axis: int = 0, seed: Any = None) -> Any:
    """``x`` with its entries along ``axis`` in a random order."""
    e = current_engine()
    t = e.tensor(x)
    n = e.b.shape(t)[axis]
    return e.b.take(t, e.b.random_permutation(n, draw_seed(seed)), axis)
