"""``keras.config``: the default backend, floatx and epsilon."""

from __future__ import annotations

from ._config import (
    backend,
    epsilon,
    floatx,
    get_backend,
    set_backend,
    set_epsilon,
    set_floatx,
    use_backend,
)

__all__ = [
    "backend",
    "epsilon",
    "floatx",
    "get_backend",
    "set_backend",
    "set_epsilon",
    "set_floatx",
    "use_backend",
]
