"""kconform: the conformance suite and harness for numerical deep-learning backends."""

from __future__ import annotations

from ._version import __version__
from .backend import Backend
from .contract import CONTRACT_VERSION, hookimpl, hookspec
from .errors import BackendLoadError, KconformError, UnknownBackendError
from .plugins import BackendRegistry, bind_plugin

__all__ = [
    "CONTRACT_VERSION",
    "Backend",
    "BackendLoadError",
    "BackendRegistry",
    "KconformError",
    "UnknownBackendError",
    "__version__",
    "bind_plugin",
    "hookimpl",
    "hookspec",
    "installed_backends",
    "load_backend",
]

_registry: BackendRegistry | None = None


def _the_registry() -> BackendRegistry:
    global _registry
    if _registry is None:
        _registry = BackendRegistry()
    return _registry


def load_backend(name: str) -> Backend:
    """Load an installed backend by name, e.g. ``kconform.load_backend("numpy")``."""
    return _the_registry().load(name)


def installed_backends() -> list[str]:
    """The names of the installed backends (entry points), without loading them."""
    return _the_registry().names()
