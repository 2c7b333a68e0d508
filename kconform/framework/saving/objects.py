"""``keras.saving.serialize_keras_object`` / ``deserialize_keras_object``.

Any built-in or registered object (layer, model, optimizer, loss, metric,
initializer, regularizer, constraint, schedule, activation) to and from a
JSON-safe ``{"class_name", "config"}`` dict; as everywhere in kconform,
nothing in a config is imported or run.
"""

from __future__ import annotations

from typing import Any

from .registry import get_custom_objects, registered_name

__all__ = ["deserialize_keras_object", "serialize_keras_object"]


def serialize_keras_object(obj: Any) -> Any:
    """A JSON-safe description of ``obj`` (plain values are returned as they are)."""
    from ..layers.layer import Layer
    from .serialization import serialize_layer

    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, Layer):
        return serialize_layer(obj)
    if hasattr(obj, "get_config") and not isinstance(obj, type):
        return {
            "class_name": type(obj).__name__,
            "registered_name": registered_name(type(obj)),
            "config": obj.get_config(),
        }
    if callable(obj):
        return registered_name(obj) or getattr(obj, "__name__", None)
    raise ValueError(f"Cannot serialize {obj!r}: it has no `get_config()`.")


def _builtin_classes() -> dict[str, Any]:
    from .. import constraints, initializers, losses, metrics, optimizers, regularizers
    from ..layers import BUILTIN as LAYERS
    from ..optimizers import schedules

    found: dict[str, Any] = {}
    for table in (
        getattr(constraints, "_CLASSES", {}),
        {c.__name__: c for c in initializers.ALL.values() if isinstance(c, type)},
        {c.__name__: c for c in regularizers.ALL.values()},
        losses.ALL_CLASSES,
        metrics._CLASSES,
        {c.__name__: c for c in optimizers.ALL.values()},
        schedules.ALL,
        LAYERS,
    ):
        found.update(table)
    return found


def deserialize_keras_object(
    config: Any, custom_objects: dict[str, Any] | None = None, **kwargs: Any
) -> Any:
    """Rebuild what :func:`serialize_keras_object` described."""
    from ..layers.layer import Layer
    from .serialization import deserialize_layer, deserialize_model

    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, str):
        from .. import activations, losses

        for table in (custom_objects or {}, get_custom_objects()):
            if config in table:
                return table[config]
        if config in losses.ALL_FUNCTIONS:
            return losses.ALL_FUNCTIONS[config]
        return activations.get(config)
    if isinstance(config, list):
        return [deserialize_keras_object(c, custom_objects) for c in config]
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Not a serialized Keras object: {config!r}")
    name = config["class_name"]
    if name in ("Sequential", "Functional"):
        return deserialize_model(config, custom_objects)
    cls = None
    key = config.get("registered_name")
    for table in (custom_objects or {}, get_custom_objects()):
        cls = table.get(key) if key else None
        cls = cls or table.get(name)
        if cls is not None:
            break
    cls = cls or _builtin_classes().get(name)
    if cls is None:
        raise ValueError(
            f"Could not locate class '{name}'. Register it with "
            "`@keras.saving.register_keras_serializable()` or pass it in "
            "`custom_objects`."
        )
    if isinstance(cls, type) and issubclass(cls, Layer):
        return deserialize_layer(config, custom_objects)
    inner = dict(config.get("config") or {})
    if hasattr(cls, "from_config"):
        return cls.from_config(inner)
    return cls(**inner)
