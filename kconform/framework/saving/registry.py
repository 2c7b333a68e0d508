"""Classes a saved config may name: built-ins and registered ones (never imported)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kconform.errors import KconformError

__all__ = [
    "UnknownClassError",
    "custom_object_scope",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "lookup",
    "register_keras_serializable",
]


class UnknownClassError(KconformError, ValueError):
    """A saved config names a class that is neither built in nor registered."""


_REGISTERED: dict[str, Any] = {}
_by_class: dict[int, str] = {}
_SCOPES: list[dict[str, Any]] = []

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
    """The registered classes (``package>Name``) and those of open scopes."""
    out = dict(_REGISTERED)
    for scope in _SCOPES:
        out.update(scope)
    return out


class custom_object_scope:  # noqa: N801 - Keras's name
    """Within ``with custom_object_scope({"Name": cls}):``, loading finds ``cls``.

    Example:

    >>> with keras.saving.custom_object_scope({"MyDense": MyDense}):
    ...     model = keras.models.load_model("model.keras")
    """

    def __init__(self, *objects: dict[str, Any]) -> None:
        self._objects: dict[str, Any] = {}
        for mapping in objects:
            if mapping:
                self._objects.update(mapping)

    def __enter__(self) -> custom_object_scope:
        _SCOPES.append(self._objects)
        return self

    def __exit__(self, *exc: Any) -> None:
        _SCOPES.remove(self._objects)


def get_registered_name(obj: Any) -> str:
    """The ``package>Name`` an object was registered under, else its own name."""
    return _by_class.get(id(obj)) or getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(
    name: str, custom_objects: dict[str, Any] | None = None, module_objects: Any = None
) -> Any:
    """The object registered (or in scope, or in ``custom_objects``) as ``name``."""
    for source in (custom_objects or {}, *reversed(_SCOPES), _REGISTERED):
        if name in source:
            return source[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def lookup(
    class_name: str,
    registered: str | None,
    builtins: dict[str, Any],
    custom_objects: dict[str, Any] | None,
    what: str,
) -> Any:
    """Find a class by name among custom objects, registered classes and built-ins."""
    custom_objects = {
        **{k: v for scope in _SCOPES for k, v in scope.items()},
        **(custom_objects or {}),
    }
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
