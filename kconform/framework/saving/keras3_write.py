"""Write a model as Keras 3 writes it, so that ``keras.models.load_model`` reads it.

``model.save("m.keras", format="keras3")``: ``metadata.json``,
``config.json`` in Keras's serialization (``module``/``class_name``/``config``
for every object, ``DTypePolicy`` dtypes, functional ``inbound_nodes``) and
``model.weights.h5`` with each layer's variables at Keras's paths (the ones
:mod:`.keras3` reads). Sequential and functional models of built-in layers;
the optimizer's state is not written (Keras builds a fresh optimizer).
"""

from __future__ import annotations

import datetime
import io
import json
import os
import tempfile
import zipfile
from typing import Any

from kconform.errors import KconformError

from .. import _tree
from .keras3 import placed

__all__ = ["save_keras3"]

#: The Keras version whose format this writes.
KERAS_FORMAT_VERSION = "3.15.1"

_MODULES = {
    "initializer": "keras.initializers",
    "regularizer": "keras.regularizers",
    "constraint": "keras.constraints",
}


def _policy(name: str) -> dict[str, Any]:
    return {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": {"name": name},
        "registered_name": None,
    }


def _object(key: str, value: Any) -> Any:
    """A nested object of a layer config in Keras's form."""
    if key == "dtype" and isinstance(value, str):
        return _policy(value)
    if isinstance(value, dict) and "class_name" in value and "config" in value:
        suffix = next((s for s in _MODULES if key.endswith(s)), None)
        if suffix is not None:
            return {
                "module": _MODULES[suffix],
                "class_name": value["class_name"],
                "config": value["config"],
                "registered_name": None,
            }
    return value


def _layer_entry(layer: Any) -> dict[str, Any]:
    from ..layers.input_layer import InputLayer
    from ..models.model import Model

    if isinstance(layer, Model):
        return _model_entry(layer)
    name = type(layer).__name__
    from ..layers import BUILTIN
    from ..layers.op_layer import OpLayer

    if isinstance(layer, OpLayer):
        raise KconformError(
            f"The model applies `ops.{layer.op}` to symbolic tensors (layer "
            f"'{layer.name}'); the Keras 3 format writer does not translate ops "
            "yet. Save it in kconform's own format, or use layers "
            "(layers.Add, layers.Concatenate...)."
        )
    if BUILTIN.get(name) is not type(layer):
        raise KconformError(
            f"Layer '{layer.name}' ({name}) is not a built-in layer: a Keras 3 file "
            "cannot name its class. Save it in kconform's own `.keras` format."
        )
    config = dict(layer.get_config())
    if isinstance(layer, InputLayer):
        config = {
            "batch_shape": list(layer.batch_shape),
            "dtype": layer.dtype,
            "sparse": False,
            "name": layer.name,
        }
    else:
        config.pop("batch_input_shape", None)
        for key in ("layer", "backward_layer", "cell"):
            attr = (
                "forward_layer"
                if key == "layer" and hasattr(layer, "forward_layer")
                else key
            )
            sub = getattr(layer, attr, None)
            if key in config and sub is not None:
                config[key] = _layer_entry(sub)
        if "cells" in config:
            config["cells"] = [_layer_entry(c) for c in layer.cells]
        config = {k: _object(k, v) for k, v in config.items()}
    return {
        "module": "keras.layers",
        "class_name": name,
        "config": config,
        "registered_name": None,
    }


def _tensor_ref(t: Any, where: dict[int, list[Any]]) -> dict[str, Any]:
    return {
        "class_name": "__keras_tensor__",
        "config": {
            "shape": list(t.shape),
            "dtype": t.dtype,
            "keras_history": where[id(t)],
        },
    }


def _model_entry(model: Any) -> dict[str, Any]:
    from ..layers._graph import KerasTensor
    from ..layers.input_layer import InputLayer
    from ..models.sequential import Sequential

    name = type(model).__name__
    if isinstance(model, Sequential):
        layers = ([model._input_layer] if model._input_layer else []) + model.layers
        return {
            "module": "keras",
            "class_name": "Sequential",
            "config": {
                "name": model.name,
                "trainable": model.trainable,
                "dtype": _policy(model.dtype),
                "layers": [_layer_entry(layer) for layer in layers],
            },
            "registered_name": None,
        }
    if name != "Functional":
        raise KconformError(
            f"Model '{model.name}' is a subclassed model ({name}): a Keras 3 file "
            "cannot rebuild it without its class. Save it in kconform's own format."
        )
    where: dict[int, list[Any]] = {}
    counts: dict[str, int] = {}
    nodes: dict[str, list[dict[str, Any]]] = {}
    for node in model._nodes:
        lname = node.layer.name
        index = counts.get(lname, 0)
        counts[lname] = index + 1
        for i, out in enumerate(node.output_tensors):
            where[id(out)] = [lname, index, i]
        if isinstance(node.layer, InputLayer):
            continue

        def ref(value: Any) -> Any:
            return _tree.map_structure(
                lambda x: _tensor_ref(x, where) if isinstance(x, KerasTensor) else x,
                value,
            )

        nodes.setdefault(lname, []).append(
            {
                "args": [ref(node.args), *[ref(a) for a in node.rest]],
                "kwargs": {k: ref(v) for k, v in node.kwargs.items()},
            }
        )
    entries = []
    for layer in model.layers:
        entry = _layer_entry(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = nodes.get(layer.name, [])
        entries.append(entry)

    def refs(struct: Any) -> Any:
        if isinstance(struct, dict):
            return {k: refs(v) for k, v in struct.items()}
        if isinstance(struct, (list, tuple)):
            return [refs(v) for v in struct]
        return where[id(struct)]

    return {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": {
            "name": model.name,
            "trainable": model.trainable,
            "layers": entries,
            "input_layers": refs(model._inputs_struct),
            "output_layers": refs(model._outputs_struct),
        },
        "registered_name": "Functional",
    }


def _weights_h5(model: Any) -> bytes:
    """``model.weights.h5`` with every weight at its Keras path."""
    import h5py

    buf = io.BytesIO()
    written = 0
    with h5py.File(buf, "w") as f:
        f.create_group("vars")
        for group, variables in placed(model):
            g = f.require_group(group)
            for i, var in enumerate(variables):
                g.create_dataset(str(i), data=var.numpy())
                written += 1
    if written != len(model.weights):
        raise KconformError(
            f"Model '{model.name}': {written} of its {len(model.weights)} weights map "
            "onto Keras's layout."
        )
    return buf.getvalue()


def save_keras3(model: Any, path: str) -> None:
    """Write ``model`` to ``path`` as Keras 3 would (atomically)."""
    config = _model_entry(model)
    config["build_config"] = {"input_shape": None}
    meta = {
        "keras_version": KERAS_FORMAT_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    }
    weights = _weights_h5(model)
    fd, tmp = tempfile.mkstemp(
        dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp"
    )
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w") as zf:
            zf.writestr("metadata.json", json.dumps(meta))
            zf.writestr("config.json", json.dumps(config))
            zf.writestr("model.weights.h5", weights)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
