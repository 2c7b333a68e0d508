"""``keras.models``: Model, Sequential, and loading/saving whole models."""

from __future__ import annotations

from typing import Any

from .functional import Functional
from .model import Model
from .sequential import Sequential

__all__ = [
    "Functional",
    "Model",
    "Sequential",
    "clone_model",
    "load_model",
    "model_from_json",
    "save_model",
]


def load_model(
    filepath: Any,
    custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
    backend: Any = None,
) -> Model:
    """Load a model saved with ``model.save`` (``.keras`` or ``.h5``)."""
    from ..saving import load_model as _load

    return _load(
        filepath,
        custom_objects=custom_objects,
        compile=compile,
        safe_mode=safe_mode,
        backend=backend,
    )


def save_model(
    model: Model, filepath: Any, overwrite: bool = True, **kwargs: Any
) -> None:
    """Save ``model`` to ``filepath`` (``.keras`` or ``.h5``)."""
    from ..saving import save_model as _save

    _save(model, filepath, overwrite=overwrite, **kwargs)


def clone_model(model: Model, backend: Any = None) -> Model:
    """A model of the same architecture with fresh weights (on any backend)."""
    from ..saving.serialization import deserialize_model, serialize_model

    return deserialize_model(serialize_model(model), backend=backend)


def model_from_json(
    json_string: str, custom_objects: dict[str, Any] | None = None, backend: Any = None
) -> Model:
    """A model (fresh weights) from the architecture :meth:`Model.to_json` wrote."""
    import json

    from ..saving.serialization import ConfigError, deserialize_model

    try:
        entry = json.loads(json_string)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"model_from_json: not a JSON model config: {exc}") from exc
    return deserialize_model(entry, custom_objects, backend=backend)
