"""``keras.backend``: the few Keras 2-style backend utilities users still call."""

from __future__ import annotations

from ._config import backend, epsilon, floatx, set_floatx
from .utils.naming import clear_session

__all__ = ["backend", "clear_session", "epsilon", "floatx", "set_floatx"]
