"""Model configs as JSON-safe dicts, and models rebuilt from them by class lookup."""

from __future__ import annotations

from typing import Any

from kconform.errors import KconformError

from .. import _tree
from ..layers import BUILTIN as LAYERS
from ..layers._graph import KerasTensor
from ..layers.input_layer import InputLayer
from ..layers.layer import Layer
from .registry import lookup, registered_name

__all__ = [
    "deserialize_layer",
    "deserialize_model",
    "functional_config",
    "sequential_config",
    "serialize_layer",
    "serialize_model",
]

_JSON_LEAVES = (str, int, float, bool, type(None))


class ConfigError(KconformError, ValueError):
    """A saved config cannot be turned back into a model."""


def serialize_layer(layer: Layer) -> dict[str, Any]:
    """``{"class_name", "registered_name", "config"}`` of a layer (or nested model)."""
    from ..models.model import Model

    config = (
        serialize_model(layer)
        if isinstance(layer, Model)
        and type(layer).__name__ in ("Sequential", "Functional")
        else None
    )
    if config is not None:
        return config
    return {
        "class_name": type(layer).__name__,
        "registered_name": registered_name(type(layer)),
        "config": layer.get_config(),
    }


def deserialize_layer(
    entry: Any, custom_objects: dict[str, Any] | None = None
) -> Layer:
    """Rebuild a layer from :func:`serialize_layer`'s output."""
    if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
        raise ConfigError(
            f"Invalid layer entry in the saved config: {str(entry)[:200]}"
        )
    if entry["class_name"] in ("Sequential", "Functional"):
        return deserialize_model(entry, custom_objects)
    cls = lookup(
        entry["class_name"],
        entry.get("registered_name"),
        LAYERS,
        custom_objects,
        "layer",
    )
    config = entry.get("config") or {}
    if not isinstance(config, dict):
        raise ConfigError(
            f"Invalid config for layer class '{entry['class_name']}': {config!r}"
        )
    try:
        if _takes_custom_objects(cls):
            return cls.from_config(dict(config), custom_objects=custom_objects)
        return cls.from_config(dict(config))
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"Could not rebuild layer '{config.get('name', '?')}' "
            f"({entry['class_name']}) from "
            f"the saved config: {exc}"
        ) from exc


def _takes_custom_objects(cls: Any) -> bool:
    import inspect

    try:
        return "custom_objects" in inspect.signature(cls.from_config).parameters
    except (TypeError, ValueError):
        return False


def sequential_config(model: Any) -> dict[str, Any]:
    shape = (
        list(model._input_layer.batch_shape) if model._input_layer is not None else None
    )
    dtype = model._input_layer.dtype if model._input_layer is not None else None
    return {
        "name": model.name,
        "build_input_shape": shape,
        "input_dtype": dtype,
        "layers": [serialize_layer(layer) for layer in model.layers],
    }


def _tensor_refs(model: Any) -> dict[int, list[Any]]:
    refs: dict[int, list[Any]] = {}
    counts: dict[str, int] = {}
    for node in model._nodes:
        index = counts.get(node.layer.name, 0)
        counts[node.layer.name] = index + 1
        for t in node.output_tensors:
            refs[id(t)] = [node.layer.name, index, t._index]
    return refs


def functional_config(model: Any) -> dict[str, Any]:
    refs = _tensor_refs(model)

    def ref(s: Any) -> Any:
        def leaf(t: Any) -> Any:
            if isinstance(t, KerasTensor):
                return {"__tensor__": refs[id(t)]}
            if not isinstance(t, _JSON_LEAVES):
                raise ConfigError(
                    f"Cannot serialize the call argument {t!r} of model '{model.name}'."
                )
            return t

        return _tree.map_structure(leaf, s)

    layers, seen = [], set()
    for node in model._nodes:
        if id(node.layer) not in seen:
            seen.add(id(node.layer))
            layers.append(serialize_layer(node.layer))
    nodes = [
        {"layer": n.layer.name, "args": ref(n.args), "kwargs": ref(n.kwargs)}
        | ({"rest": ref(list(n.rest))} if n.rest else {})
        for n in model._nodes
        if not isinstance(n.layer, InputLayer)
    ]
    return {
        "name": model.name,
        "layers": layers,
        "nodes": nodes,
        "inputs": ref(model._inputs_struct),
        "outputs": ref(model._outputs_struct),
    }


def serialize_model(model: Any) -> dict[str, Any]:
    """The architecture of a Sequential, functional or registered subclassed model."""
    name = type(model).__name__
    if name in ("Sequential", "Functional"):
        return {"class_name": name, "config": model.get_config()}
    return {
        "class_name": name,
        "registered_name": registered_name(type(model)),
        "config": model.get_config(),
    }


def _rebuild_functional(
    config: dict[str, Any], custom_objects: Any, backend: Any
) -> Any:
    from ..models.functional import Functional

    layers = {}
    for entry in config.get("layers", []):
        layer = deserialize_layer(entry, custom_objects)
        layers[layer.name] = layer
    tensors: dict[tuple, KerasTensor] = {}
    counts: dict[str, int] = {}
    for name, layer in layers.items():
        if isinstance(layer, InputLayer):
            tensors[(name, 0, 0)] = layer.output_tensor
            counts[name] = 1

    def resolve(s: Any) -> Any:
        if isinstance(s, dict) and set(s) == {"__tensor__"}:
            key = tuple(s["__tensor__"])
            if key not in tensors:
                raise ConfigError(
                    f"The saved graph refers to an unknown tensor {list(key)}."
                )
            return tensors[key]
        if isinstance(s, dict):
            return {k: resolve(v) for k, v in s.items()}
        if isinstance(s, list):
            return [resolve(v) for v in s]
        return s

    for node in config.get("nodes", []):
        layer = layers.get(node.get("layer"))
        if layer is None:
            raise ConfigError(
                f"The saved graph calls an unknown layer {node.get('layer')!r}."
            )
        rest = resolve(node.get("rest") or [])
        if not isinstance(rest, list):
            raise ConfigError(f"Invalid call arguments of layer {layer.name!r}.")
        out = layer(resolve(node["args"]), *rest, **resolve(node.get("kwargs") or {}))
        index = counts.get(layer.name, 0)
        counts[layer.name] = index + 1
        for i, t in enumerate(_tree.flatten(out)):
            tensors[(layer.name, index, i)] = t
    return Functional(
        resolve(config["inputs"]),
        resolve(config["outputs"]),
        name=config.get("name"),
        backend=backend,
    )


def deserialize_model(
    entry: dict[str, Any],
    custom_objects: dict[str, Any] | None = None,
    backend: Any = None,
) -> Any:
    """Rebuild a model (with fresh weights) from :func:`serialize_model`'s output."""
    from ..models.sequential import Sequential

    if not isinstance(entry, dict):
        raise ConfigError("The saved model config is not a JSON object.")
    class_name, config = entry.get("class_name"), entry.get("config")
    if not isinstance(config, dict):
        raise ConfigError(
            f"The saved model config has no valid 'config' (class {class_name!r})."
        )
    try:
        if class_name == "Sequential":
            model = Sequential(
                name=config.get("name"),
                trainable=config.get("trainable", True),
                backend=backend,
            )
            layer_entries = list(config.get("layers", []))
            if layer_entries and layer_entries[0].get("class_name") == "InputLayer":
                first = deserialize_layer(layer_entries.pop(0), custom_objects)
                model.add(first)
            elif config.get("build_input_shape") is not None:
                model.add(
                    InputLayer(
                        batch_shape=tuple(config["build_input_shape"]),
                        dtype=config.get("input_dtype"),
                    )
                )
            for layer_entry in layer_entries:
                model.add(deserialize_layer(layer_entry, custom_objects))
            return model
        if class_name == "Functional":
            return _rebuild_functional(config, custom_objects, backend)
    except KconformError:
        raise
    except (TypeError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"Could not rebuild the saved {class_name} model: {type(exc).__name__}: "
            f"{exc}"
        ) from exc
    cls = lookup(
        str(class_name), entry.get("registered_name"), {}, custom_objects, "model"
    )
    model = cls.from_config(dict(config))
    if backend is not None:
        model._backend_spec = backend
    return model
