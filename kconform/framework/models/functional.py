"""Functional models: a graph of layer calls from ``keras.Input`` tensors to outputs."""

from __future__ import annotations

from typing import Any

from kconform.backend import Backend

from .. import _tree
from ..layers._graph import KerasTensor, Node, replace_symbolic
from ..layers.input_layer import InputLayer
from ..layers.layer import Layer
from ..utils.naming import unique_name
from .model import Model

__all__ = ["Functional"]


def _topological_nodes(outputs: list[KerasTensor]) -> list[Node]:
    order: list[Node] = []
    done: set[int] = set()
    visiting: set[int] = set()

    def visit(node: Node) -> None:
        if id(node) in done:
            return
        if id(node) in visiting:  # pragma: no cover - layers cannot build cycles
            raise ValueError("The layer graph has a cycle.")
        visiting.add(id(node))
        for parent in node.parents:
            visit(parent)
        visiting.discard(id(node))
        done.add(id(node))
        order.append(node)

    for t in outputs:
        if t._node is None:
            raise ValueError(f"Output tensor {t} was not produced by a layer call.")
        visit(t._node)
    return order


def _argument_masks(node: Node, masks: dict[int, Any]) -> dict[str, Any]:
    """Masks of tensors passed as other arguments, for a call that takes them.

    ``MultiHeadAttention(query, value)``: the value's mask is passed as
    ``value_mask`` (Keras reads it from the tensor itself).
    """
    if not masks or (not node.rest and not node.kwargs):
        return {}
    import inspect

    try:
        params = list(inspect.signature(type(node.layer).call).parameters)[1:]
    except (TypeError, ValueError):
        return {}
    named = dict(zip(params[1:], node.rest)) | dict(node.kwargs)
    out: dict[str, Any] = {}
    for name, value in named.items():
        key = f"{name}_mask"
        if isinstance(value, KerasTensor) and key in params and key not in node.kwargs:
            mask = masks.get(id(value))
            if mask is not None:
                out[key] = mask
    return out


class Functional(Model):
    """A model defined by its inputs and outputs: ``keras.Model(inputs, outputs)``.

    Args:
        inputs: A ``keras.Input`` tensor, or a list/dict of them.
        outputs: The tensors computed from them, a tensor or a list/dict.
        name: Name of the model, defaults to ``"functional"``.
        backend: The backend to bind to (defaults to the current default).
    """

    def __init__(
        self,
        inputs: Any,
        outputs: Any,
        name: str | None = None,
        trainable: bool = True,
        backend: str | Backend | None = None,
        **kwargs: Any,
    ) -> None:
        Model.__init__(
            self,
            name=name or unique_name("functional"),
            trainable=trainable,
            backend=backend,
            **kwargs,
        )
        flat_in, flat_out = _tree.flatten(inputs), _tree.flatten(outputs)
        for t in flat_in:
            if (
                not isinstance(t, KerasTensor)
                or t._node is None
                or not isinstance(t._node.layer, InputLayer)
            ):
                raise ValueError(
                    "All `inputs` values must be KerasTensors returned by "
                    "`keras.Input`. "
                    f"Received: inputs={inputs!r} including invalid value {t!r}"
                )
        for t in flat_out:
            if not isinstance(t, KerasTensor):
                raise ValueError(
                    "All `outputs` values must be KerasTensors computed from the "
                    "inputs "
                    f"by layers. Received: outputs={outputs!r} including invalid "
                    f"value {t!r}"
                )
        self._inputs_struct, self._outputs_struct = inputs, outputs
        self._input_tensors, self._output_tensors = flat_in, flat_out
        self._nodes = _topological_nodes(flat_out)
        given = {id(t) for t in flat_in}
        for node in self._nodes:
            if (
                isinstance(node.layer, InputLayer)
                and id(node.output_tensors[0]) not in given
            ):
                raise ValueError(
                    "Graph disconnected: cannot find parent for KerasTensor "
                    f"{node.output_tensors[0]!r} (from Input '{node.layer.name}'): it "
                    "is not "
                    "among the model's `inputs`. Pass every `keras.Input` the outputs "
                    "depend on."
                )
        seen: list[Layer] = []
        for node in self._nodes:
            if not any(node.layer is x for x in seen):
                seen.append(node.layer)
        for t in flat_in:  # inputs that feed nothing still count as layers
            if not any(t._node.layer is x for x in seen):
                seen.insert(0, t._node.layer)
        self._layers = seen
        self.built = True
        _ = self.engine  # bind now: weights move to the model's backend

    @property
    def inputs(self) -> list[KerasTensor]:
        return list(self._input_tensors)

    @property
    def outputs(self) -> list[KerasTensor]:
        return list(self._output_tensors)

    @property
    def input_names(self) -> list[str]:
        return [t._node.layer.name for t in self._input_tensors]

    @property
    def output_names(self) -> list[str]:
        if isinstance(self._outputs_struct, dict):
            return list(self._outputs_struct)
        return [t._node.layer.name for t in self._output_tensors]

    def _flat_outputs(self, y_pred: Any) -> list[Any]:
        if isinstance(y_pred, dict):
            return [y_pred[k] for k in self._outputs_struct]
        return _tree.flatten(y_pred)

    def _standardize_inputs(self, inputs: Any) -> list[Any]:
        n = len(self._input_tensors)
        if isinstance(inputs, dict):
            names = self.input_names
            keys = (
                list(self._inputs_struct)
                if isinstance(self._inputs_struct, dict)
                else names
            )
            missing = [k for k in keys if k not in inputs]
            if missing:
                raise ValueError(
                    f"Model '{self.name}' expects inputs {keys}; missing {missing} in "
                    "the "
                    f"dict received (keys: {sorted(inputs)})."
                )
            if isinstance(self._inputs_struct, dict):
                return _tree.flatten({k: inputs[k] for k in self._inputs_struct})
            return [inputs[k] for k in names]
        flat = (
            [inputs]
            if n == 1 and not isinstance(inputs, (list, tuple))
            else list(inputs)
        )
        if len(flat) == 1 and n == 1 and isinstance(flat[0], (list, tuple)):
            flat = list(flat[0])
        if len(flat) != n:
            raise ValueError(
                f'Layer "{self.name}" expects {n} input(s), but it received '
                f"{len(flat)} "
                "input tensors."
            )
        return flat

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        engine = self._engine
        flat = self._standardize_inputs(inputs)
        values: dict[int, Any] = {}
        for i, (t, v) in enumerate(zip(self._input_tensors, flat)):
            v = engine.tensor(v) if not engine.b.is_tensor(v) else v
            shape = tuple(engine.b.shape(v))
            expected = t.shape
            if len(shape) != len(expected) or any(
                e is not None and e != s for e, s in zip(expected, shape)
            ):
                raise ValueError(
                    f'Input {i} of layer "{self.name}" is incompatible with the layer: '
                    f"expected shape={expected}, found shape={shape}"
                )
            values[id(t)] = v
        masks: dict[int, Any] = {}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args = replace_symbolic(node.args, values)
            rest = replace_symbolic(list(node.rest), values)
            kwargs = {k: replace_symbolic(v, values) for k, v in node.kwargs.items()}
            mask = _tree.map_structure(
                lambda t: masks.get(id(t)) if isinstance(t, KerasTensor) else None,
                node.args,
            )
            if any(m is not None for m in _tree.flatten(mask)) and "mask" not in kwargs:
                kwargs["mask"] = mask
            else:
                mask = None
            kwargs.update(_argument_masks(node, masks))
            outs = node.layer(args, *rest, **kwargs)
            out_masks = node.layer.compute_mask(args, mask)
            flat_out = _tree.flatten(outs)
            flat_masks = (
                _tree.flatten(out_masks)
                if isinstance(out_masks, (list, tuple))
                else [out_masks] * len(flat_out)
            )
            for t, o, m in zip(node.output_tensors, flat_out, flat_masks):
                values[id(t)] = o
                if m is not None:
                    masks[id(t)] = m
        return _tree.pack_like(
            self._outputs_struct, [values[id(t)] for t in self._output_tensors]
        )

    def get_config(self) -> dict[str, Any]:
        from ..saving.serialization import functional_config

        return functional_config(self)
