"""Classes a saved config may name: built-ins and registered ones (never imported)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kconform.errors import KconformError

__all__ = [
    "UnknownClassError",
    "get_custom_objects",
    "lookup",
    "register_keras_serializable",
]


class UnknownClassError(KconformError, ValueError):
    """A saved config names a class that is neither built in nor registered."""


_REGISTERED: dict[str, Any] = {}
_by_class: dict[int, str] = {}

from .._limits import ALLOC_LIMIT  # noqa: E402,F401  (re-exported for the loaders)


def register_keras_serializable(
    package: str = "Custom", name: str | None = None
) -> Callable[[Any], Any]:
    """Decorator: let ``load_model`` rebuild this class from a saved config.

    Example:

    >>> @keras.saving.register_keras_serializable(package="my_package")
    ... class Double(keras.layers.Layer):
    ...     def call(self, inputs):
    ...         return inputs * 2
    """

    def decorate(cls: Any) -> Any:
        key = f"{package}>{name or cls.__name__}"
        _REGISTERED[key] = cls
        _by_class[id(cls)] = key
        return cls

    return decorate


def registered_name(cls: Any) -> str | None:
    """The ``package>Name`` a class was registered under, if any."""
    return _by_class.get(id(cls))


def get_custom_objects() -> dict[str, Any]:
    """The registered classes, by ``package>Name``."""
    return dict(_REGISTERED)


def lookup(
    class_name: str,
    registered: str | None,
    builtins: dict[str, Any],
    custom_objects: dict[str, Any] | None,
    what: str,
) -> Any:
    """Find a class by name among custom objects, registered classes and built-ins."""
    custom_objects = custom_objects or {}
    for key in (registered, class_name):
        if key and key in custom_objects:
            return custom_objects[key]
    if registered and registered in _REGISTERED:
        return _REGISTERED[registered]
    if class_name in builtins:
        return builtins[class_name]
    for key, cls in _REGISTERED.items():
        if key.split(">", 1)[1] == class_name:
            return cls
    raise UnknownClassError(
        f"Could not locate {what} class '{class_name}'. Make sure custom classes are "
        "decorated with `@keras.saving.register_keras_serializable()`, or pass them as "
        f"`custom_objects={{'{class_name}': {class_name}}}` to `load_model`. Saved "
        "files "
        "never import code."
    )
