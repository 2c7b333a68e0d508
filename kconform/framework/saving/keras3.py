"""Models saved by Keras 3 (``.keras``: config.json, metadata.json, model.weights.h5).

The config is translated, key by key, into kconform's layers: nested
initializers, regularizers, constraints and dtype policies become ours; an
option kconform does not implement is refused by name unless it is at its
neutral value (None, False). Nothing in the file is imported or run.

Weights: Keras stores each layer's variables under
``layers/<snake_case class name>[_n]/vars/<i>`` (the suffix counting the
layers of that class in the model's list), a recurrent layer's under
``cell/vars``, a wrapper's under ``forward_layer``/``backward_layer``/
``layer``, attention's under ``query_dense``, ``key_dense``, ``value_dense``,
``output_dense`` (:func:`placed`); the file is validated and read in a child process
(``h5_reader.py --keras3``), like kconform's own ``.h5`` files. Optimizer
state is not restored: a compiled model gets a fresh optimizer.
"""

from __future__ import annotations

import inspect
import os
import re
import tempfile
import warnings
from typing import Any

import numpy as np

from kconform.errors import KconformError

from . import _common
from ._common import CorruptFileError

__all__ = ["KERAS3_MEMBERS", "UnsupportedKerasConfig", "load_keras3"]

#: The members of a ``.keras`` file written by Keras 3.
KERAS3_MEMBERS = {"metadata.json", "config.json", "model.weights.h5"}

#: Options kconform ignores whatever their value: they do not change numbers.
_IGNORED = {
    "seed",
    "sparse",
    "ragged",
    "optional",
    "implementation",
    "unroll",
    "use_cudnn",
    "quantization_config",
    "input_axes",
    "output_axes",
    "autocast",
    "data_format",
    "flash_attention",
}


#: Options that only matter when another one is on (BatchNormalization's renorm).
_ONLY_WITH = {"renorm_momentum": "renorm", "renorm_clipping": "renorm"}


class UnsupportedKerasConfig(KconformError, ValueError):
    """A Keras 3 model uses something kconform's framework does not implement."""


def _snake(name: str) -> str:
    """Keras's ``naming.to_snake_case``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _accepted(cls: Any) -> set[str] | None:
    """Keyword arguments ``cls(...)`` accepts (None: anything)."""
    names: set[str] = set()
    for klass in getattr(cls, "__mro__", [cls]):
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            params = inspect.signature(init).parameters
        except (TypeError, ValueError):
            return None
        names.update(p for p in params if p != "self")
    from ..layers.layer import _SHAPE_KWARGS

    return names | set(_SHAPE_KWARGS) | {"name", "dtype", "trainable"}


def _neutral(value: Any) -> bool:
    return value is None or value is False or value in ({}, [], "auto")


def _clean(cls: Any, config: dict[str, Any], what: str) -> dict[str, Any]:
    accepted = _accepted(cls)
    out: dict[str, Any] = {}
    for key, value in config.items():
        if accepted is not None and key not in accepted:
            if key in _IGNORED or _neutral(value):
                continue
            if key in _ONLY_WITH and not config.get(_ONLY_WITH[key]):
                continue
            raise UnsupportedKerasConfig(
                f"{what}: the option {key}={value!r} of Keras's "
                f"{getattr(cls, '__name__', cls)} is not supported by kconform's "
                "framework."
            )
        out[key] = _value(key, value, what)
    return out


def _value(key: str, value: Any, what: str) -> Any:
    """A config value with Keras's nested objects turned into kconform's."""
    if key == "dtype" and isinstance(value, dict):
        name = (value.get("config") or {}).get("name")
        if not isinstance(name, str) or name.startswith("mixed"):
            raise UnsupportedKerasConfig(
                f"{what}: the dtype policy {name!r} is not supported (mixed "
                "precision is not implemented by kconform's framework)."
            )
        return name
    if not (isinstance(value, dict) and "class_name" in value):
        return value
    inner = value.get("config") or {}
    name = value["class_name"]
    from .. import activations, constraints, initializers, regularizers
    from ..optimizers import schedules

    if key.endswith("initializer"):
        cls = initializers.ALL.get(_snake(name)) or initializers._BY_CLASS.get(name)
        table = initializers
    elif key.endswith("regularizer"):
        cls = regularizers.ALL.get(name)
        table = regularizers
    elif key.endswith("constraint"):
        cls = constraints._CLASSES.get(name)
        table = constraints
    elif key in ("activation", "recurrent_activation"):
        return activations.get(inner.get("name", name) if name == "function" else name)
    elif name in schedules.ALL:
        cls, table = schedules.ALL[name], schedules
    else:
        raise UnsupportedKerasConfig(f"{what}: cannot translate {key}={value!r}.")
    if cls is None:
        raise UnsupportedKerasConfig(
            f"{what}: {key} is Keras's {name}, which kconform does not implement."
        )
    cleaned = _clean(cls, dict(inner), f"{what} ({key})")
    if table is regularizers:
        return cls(**cleaned)
    return cls.from_config(cleaned) if hasattr(cls, "from_config") else cls(**cleaned)


def _op_layer(entry: dict[str, Any]) -> Any:
    """A Keras operation recorded in a functional graph (``NotEqual`` for an
    Embedding's mask, ``Add`` for ``a + b``) as a layer running ``keras.ops``."""
    from .. import ops
    from ..layers.layer import Layer

    name = _snake(entry["class_name"])
    fn = getattr(ops, name, None)
    if fn is None or name.startswith("_"):
        raise UnsupportedKerasConfig(
            f"The Keras operation {entry['class_name']!r} in the model's graph is not "
            "in kconform's keras.ops."
        )
    config = dict(entry.get("config") or {})
    layer_name = config.pop("name", None)

    class KerasOperation(Layer):
        def call(self, inputs: Any, *args: Any) -> Any:
            return fn(inputs, *args, **config)

    KerasOperation.__name__ = entry["class_name"]
    return KerasOperation(name=layer_name)


class _Builder:
    """Keras 3 layer and model configs to kconform objects."""

    def __init__(self, custom_objects: Any, backend: Any) -> None:
        self.custom_objects = custom_objects
        self.backend = backend

    def layer(self, entry: Any) -> Any:
        from ..layers import BUILTIN as LAYERS
        from .registry import lookup

        if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
            raise CorruptFileError(f"Invalid layer entry: {str(entry)[:200]}")
        name = entry["class_name"]
        if name in ("Sequential", "Functional", "Model"):
            return self.model(entry)
        if str(entry.get("module", "")).startswith("keras.src.ops"):
            return _op_layer(entry)
        cls = lookup(
            name, entry.get("registered_name"), LAYERS, self.custom_objects, "layer"
        )
        config = dict(entry.get("config") or {})
        what = f"layer '{config.get('name', '?')}' ({name})"
        nested: dict[str, Any] = {}
        for key in ("layer", "backward_layer", "cell"):
            if isinstance(config.get(key), dict):
                nested[key] = self.layer(config.pop(key))
        if isinstance(config.get("cells"), list):
            nested["cells"] = [self.layer(c) for c in config.pop("cells")]
        if name == "InputLayer":
            config.pop("batch_size", None)
        args = _clean(cls, config, what)
        try:
            return cls(**nested, **args)
        except (TypeError, ValueError) as exc:
            raise UnsupportedKerasConfig(f"Could not rebuild {what}: {exc}") from exc

    def model(self, entry: dict[str, Any]) -> Any:
        from ..models.functional import Functional
        from ..models.sequential import Sequential

        config = entry.get("config")
        if not isinstance(config, dict):
            raise CorruptFileError("The Keras model config has no 'config' object.")
        entries = config.get("layers") or []
        if entry["class_name"] == "Sequential":
            model = Sequential(
                name=config.get("name"),
                trainable=config.get("trainable", True),
                backend=self.backend,
            )
            layers = [self.layer(e) for e in entries]
            for layer in layers:
                model.add(layer)
            if not model.built and config.get("build_input_shape"):
                model.build(tuple(config["build_input_shape"]))
            model._keras_order = layers  # type: ignore[attr-defined]
            return model
        if "inbound_nodes" not in (entries[0] if entries else {}) and entries:
            raise UnsupportedKerasConfig(
                f"Keras model class {entry['class_name']!r} (a subclassed model) "
                "cannot be rebuilt from its config: kconform needs the class itself."
            )
        layers = {}
        ordered = []
        for e in entries:
            layer = self.layer(e)
            layers[e.get("name") or layer.name] = (layer, e)
            ordered.append(layer)
        tensors: dict[tuple[str, int, int], Any] = {}
        pending = []
        for lname, (layer, e) in layers.items():
            if e["class_name"] == "InputLayer":
                tensors[(lname, 0, 0)] = layer.output_tensor
                continue
            for index, node in enumerate(e.get("inbound_nodes") or []):
                pending.append((lname, index, node))
        while pending:
            left = []
            for lname, index, node in pending:
                try:
                    args = self._resolve(node.get("args", []), tensors)
                    kwargs = self._resolve(node.get("kwargs", {}), tensors)
                except KeyError:
                    left.append((lname, index, node))
                    continue
                from .. import _tree

                out = layers[lname][0](*args, **kwargs)
                for i, t in enumerate(_tree.flatten(out)):
                    tensors[(lname, index, i)] = t
            if len(left) == len(pending):
                raise CorruptFileError(
                    "The Keras model's graph refers to tensors no layer makes: "
                    f"{[p[0] for p in left][:5]}"
                )
            pending = left
        inputs = self._refs(config.get("input_layers"), tensors)
        outputs = self._refs(config.get("output_layers"), tensors)
        model = Functional(
            inputs, outputs, name=config.get("name"), backend=self.backend
        )
        model._keras_order = ordered  # type: ignore[attr-defined]
        return model

    def _resolve(self, value: Any, tensors: dict) -> Any:
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            history = (value.get("config") or {}).get("keras_history")
            if not isinstance(history, list) or len(history) != 3:
                raise CorruptFileError(f"Invalid tensor reference: {str(value)[:200]}")
            return tensors[(history[0], int(history[1]), int(history[2]))]
        if isinstance(value, dict):
            return {k: self._resolve(v, tensors) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve(v, tensors) for v in value]
        return value

    def _refs(self, spec: Any, tensors: dict) -> Any:
        try:
            if isinstance(spec, dict):
                return {k: self._refs(v, tensors) for k, v in spec.items()}
            if (
                isinstance(spec, list)
                and len(spec) == 3
                and isinstance(spec[0], str)
                and isinstance(spec[1], int)
            ):
                return tensors[(spec[0], spec[1], spec[2])]
            if isinstance(spec, list):
                return [self._refs(s, tensors) for s in spec]
        except KeyError as exc:
            raise CorruptFileError(
                f"The model's inputs or outputs name {exc}."
            ) from exc
        raise CorruptFileError(f"Invalid input/output reference: {str(spec)[:200]}")


def _container(layers: list[Any], base: str) -> list[tuple[str, list[Any]]]:
    used: dict[str, int] = {}
    out: list[tuple[str, list[Any]]] = []
    for layer in layers:
        name = _snake(type(layer).__name__)
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        out.extend(placed(layer, f"{base}/{name}"))
    return out


def placed(layer: Any, base: str = "") -> list[tuple[str, list[Any]]]:
    """Where Keras keeps ``layer``'s variables: ``(vars group path, variables)``
    pairs, the variables in the group's order (paths without a leading ``/``)."""
    from ..layers.attention import MultiHeadAttention
    from ..layers.input_layer import InputLayer
    from ..layers.recurrent import _RNN
    from ..layers.rnn_cells import RNN, StackedRNNCells, _Cell
    from ..layers.wrappers import Bidirectional, TimeDistributed
    from ..models.model import Model

    base = base.lstrip("/")
    here = f"{base}/vars" if base else "vars"
    if isinstance(layer, InputLayer):
        return [(here, [])]
    if isinstance(layer, Model):
        order = getattr(layer, "_keras_order", None) or layer.layers
        return _container(order, f"{base}/layers" if base else "layers")
    if isinstance(layer, _Cell):
        return [(here, layer.weights)]
    if isinstance(layer, _RNN):
        return [(f"{base}/cell/vars", layer.weights)]
    if isinstance(layer, RNN):
        return placed(layer.cell, f"{base}/cell")
    if isinstance(layer, StackedRNNCells):
        return _container(layer.cells, f"{base}/cells")
    if isinstance(layer, Bidirectional):
        return placed(layer.forward_layer, f"{base}/forward_layer") + placed(
            layer.backward_layer, f"{base}/backward_layer"
        )
    if isinstance(layer, TimeDistributed):
        return placed(layer.layer, f"{base}/layer")
    if isinstance(layer, MultiHeadAttention):
        return [
            (f"{base}/{key}_dense/vars", [v for v in pair if v is not None])
            for key, pair in zip(
                ("query", "key", "value", "output"), layer._projections.values()
            )
        ]
    return [(here, layer.weights)]


def _read_weights(data: bytes, path: str) -> dict[str, list[np.ndarray]]:
    """The ``vars`` groups of the file's model.weights.h5, read by the isolated
    reader (``h5_reader.py --keras3``)."""
    from .h5 import run_reader

    with tempfile.TemporaryDirectory(prefix="kconform-keras3-") as out:
        h5 = os.path.join(out, "model.weights.h5")
        with open(h5, "wb") as fh:
            fh.write(data)
        try:
            doc = run_reader(h5, out, "--keras3", what="reading its weights")
        except CorruptFileError as exc:
            raise CorruptFileError(
                str(exc).replace(h5, f"{path}!model.weights.h5")
            ) from None
        groups: dict[str, list[np.ndarray]] = {}
        with np.load(os.path.join(out, "arrays.npz"), allow_pickle=False) as arrays:
            for k, (prefix, n) in enumerate(doc["vars"]):
                groups[prefix] = [arrays[f"g{k}_{i}"] for i in range(n)]
    return groups


def load_keras3(
    zf: Any,
    path: str,
    read: Any,
    custom_objects: Any = None,
    compile: bool = True,
    backend: Any = None,
) -> Any:
    """The model of a Keras 3 ``.keras`` zip (``read(zf, member, path, limit)``)."""
    from .._engine import engine_for
    from .._limits import ALLOC_LIMIT, max_load_bytes

    config = _common.parse_json(
        read(zf, "config.json", path, _common.MAX_JSON_BYTES), "config.json", path
    )
    if not isinstance(config, dict):
        raise CorruptFileError(f"File '{path}': config.json is not a JSON object.")
    groups = _read_weights(read(zf, "model.weights.h5", path, max_load_bytes()), path)
    declared = [(a.shape, a.dtype) for arrays in groups.values() for a in arrays]
    budget = _common.budget_for(path, declared)
    token = ALLOC_LIMIT.set(budget)
    try:
        builder = _Builder(custom_objects, engine_for(backend).b)
        model = builder.layer(config)
    finally:
        ALLOC_LIMIT.reset(token)
    _assign(model, groups, path)
    compile_config = config.get("compile_config")
    if compile and isinstance(compile_config, dict) and compile_config.get("loss"):
        try:
            _compile(model, compile_config)
        except (KconformError, ValueError, TypeError) as exc:
            warnings.warn(
                f"File '{path}': the model loaded uncompiled; its compile config "
                f"could not be translated ({exc}). Call `model.compile(...)`.",
                stacklevel=3,
            )
    return model


def _assign(model: Any, groups: dict[str, list[np.ndarray]], path: str) -> None:
    """Each layer's variables from its Keras ``vars`` group (counts, shapes checked)."""
    done = 0
    for group, variables in placed(model):
        arrays = groups.get(group, [])
        if len(arrays) != len(variables):
            raise CorruptFileError(
                f"File '{path}': '{group}' holds {len(arrays)} arrays where the "
                f"model's layer has {len(variables)} weights; the file was saved "
                "from a different architecture."
            )
        for var, arr in zip(variables, arrays):
            if tuple(arr.shape) != var.shape:
                raise CorruptFileError(
                    f"File '{path}': weight '{var.path}' expects shape {var.shape}; "
                    f"'{group}' holds shape {tuple(arr.shape)}."
                )
            var.assign(np.asarray(arr, dtype=np.dtype(var.dtype)))
            done += 1
    if done != len(model.weights):
        raise CorruptFileError(
            f"File '{path}': {done} of the model's {len(model.weights)} weights "
            "have a place in the file."
        )


def _compile(model: Any, config: dict[str, Any]) -> None:
    from .. import losses, metrics, optimizers

    opt = config.get("optimizer")
    if isinstance(opt, dict):
        cls = optimizers.ALL.get(str(opt.get("class_name", "")).lower())
        if cls is None:
            raise UnsupportedKerasConfig(f"optimizer {opt.get('class_name')!r}")
        opt = cls(**_clean(cls, dict(opt.get("config") or {}), "optimizer"))

    def loss_of(spec: Any) -> Any:
        if isinstance(spec, dict) and "class_name" in spec:
            cls = losses.ALL_CLASSES.get(spec["class_name"])
            if cls is None:
                raise UnsupportedKerasConfig(f"loss {spec['class_name']!r}")
            return cls(**_clean(cls, dict(spec.get("config") or {}), "loss"))
        if isinstance(spec, dict):
            return {k: loss_of(v) for k, v in spec.items()}
        if isinstance(spec, list):
            return [loss_of(v) for v in spec]
        return spec

    def metric_of(spec: Any) -> Any:
        if isinstance(spec, dict) and "class_name" in spec:
            cls = metrics._CLASSES.get(spec["class_name"])
            if cls is None:
                raise UnsupportedKerasConfig(f"metric {spec['class_name']!r}")
            return cls(**_clean(cls, dict(spec.get("config") or {}), "metric"))
        if isinstance(spec, list):
            return [metric_of(v) for v in spec]
        if isinstance(spec, dict):
            return {k: metric_of(v) for k, v in spec.items()}
        return spec

    model.compile(
        optimizer=opt or "rmsprop",
        loss=loss_of(config.get("loss")),
        loss_weights=config.get("loss_weights"),
        metrics=metric_of(config.get("metrics")),
    )
