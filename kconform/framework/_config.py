"""Which backend a new model binds to, and the framework's global numerics settings.

A model binds to a backend when it is created, in this order of precedence: the
``backend=`` argument of the model; the innermost :func:`use_backend` context;
:func:`set_backend`; the ``KCONFORM_BACKEND`` environment variable; the
``KERAS_BACKEND`` environment variable (so Keras habits carry over); the
``"numpy"`` backend, or, where it is not installed and exactly one backend is
(a backend author's environment), that one. Variables are read when a model is
created, not at import, so ``os.environ["KCONFORM_BACKEND"] = "jax"`` after the
import works.

A bound model keeps its backend: changing the default later never reaches it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any

import kconform
from kconform.backend import Backend

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

ENV_VARS = ("KCONFORM_BACKEND", "KERAS_BACKEND")
DEFAULT_BACKEND = "numpy"

_default: str | Backend | None = None
_local = threading.local()
_floatx = "float32"
_epsilon = 1e-7


def _stack() -> list[str | Backend]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def _current_spec() -> str | Backend:
    stack = _stack()
    if stack:
        return stack[-1]
    if _default is not None:
        return _default
    for var in ENV_VARS:
        value = os.environ.get(var, "").strip()
        if value:
            return value
    return _fallback()


def _fallback() -> str:
    """``"numpy"``; else the only installed backend, if exactly one is."""
    installed = kconform.installed_backends()
    if DEFAULT_BACKEND not in installed and len(installed) == 1:
        return installed[0]
    return DEFAULT_BACKEND


def backend() -> str:
    """Return the name of the backend a model created now would bind to.

    Example:

    >>> keras.config.backend()
    'numpy'
    """
    spec = _current_spec()
    return spec.name if isinstance(spec, Backend) else spec


def get_backend(spec: str | Backend | None = None) -> Backend:
    """Return a loaded :class:`kconform.Backend` for ``spec``.

    Args:
        spec: A backend name (``"jax"``), a loaded ``Backend``, or None for the
            current default (see the module docstring).
    """
    if spec is None:
        spec = _current_spec()
    if isinstance(spec, Backend):
        return spec
    if not isinstance(spec, str) or not spec:
        raise ValueError(
            "Received an invalid value for `backend`, expected a backend name "
            f"such as 'numpy' or a kconform.Backend. Received: backend={spec!r}"
        )
    return kconform.load_backend(spec)


def set_backend(spec: str | Backend | None) -> None:
    """Set the default backend of models created from now on (None: back to the env).

    Models already created keep their backend.

    Example:

    >>> keras.config.set_backend("jax")
    """
    global _default
    if spec is not None and not isinstance(spec, (str, Backend)):
        raise ValueError(
            "Received an invalid value for `backend`, expected a backend name "
            f"or a kconform.Backend. Received: backend={spec!r}"
        )
    _default = spec


@contextlib.contextmanager
def use_backend(spec: str | Backend) -> Iterator[Backend]:
    """Context manager: models created inside bind to ``spec``.

    Example:

    >>> with keras.config.use_backend("torch"):
    ...     model = keras.Sequential([keras.layers.Dense(3)])
    """
    loaded = get_backend(spec)
    _stack().append(loaded)
    try:
        yield loaded
    finally:
        _stack().pop()


def floatx() -> str:
    """Return the default float dtype, ``"float32"`` unless changed."""
    return _floatx


def set_floatx(value: str) -> None:
    """Set the default float dtype (``"float32"`` unless changed)."""
    global _floatx
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(
            "Received an invalid value for `floatx`, expected one of "
            f"'float16', 'bfloat16', 'float32', 'float64'. Received: value={value!r}"
        )
    _floatx = value


def epsilon() -> float:
    """Return the fuzz factor of numeric expressions, ``1e-7`` as in Keras."""
    return _epsilon


def set_epsilon(value: Any) -> None:
    """Set the fuzz factor used by crossentropy clipping and optimizers' defaults."""
    global _epsilon
    _epsilon = float(value)
