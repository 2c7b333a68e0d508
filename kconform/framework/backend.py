"""``keras.backend``: the few Keras 2-style backend utilities users still call."""

from __future__ import annotations

from ._config import backend, epsilon, floatx, set_epsilon, set_floatx
from .config import image_data_format, set_image_data_format
from .utils.naming import clear_session

__all__ = [
    "backend",
    "clear_session",
    "epsilon",
    "floatx",
    "image_data_format",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
]
