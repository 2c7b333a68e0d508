"""`Sequential`: a plain stack of layers, one input, one output."""

from __future__ import annotations

from typing import Any

from kconform.backend import Backend

from .. import _tree
from ..layers._graph import KerasTensor
from ..layers.input_layer import InputLayer
from ..layers.layer import Layer
from ..utils.naming import unique_name
from .model import Model

__all__ = ["Sequential"]


class Sequential(Model):
    """A linear stack of layers.

    Args:
        layers: Optional list of layers to add.
        trainable: Whether the model's weights are trainable.
        name: Name of the model, defaults to ``"sequential"``.
        backend: The backend to bind to (defaults to the current default).

    Example:

    >>> model = keras.Sequential([
    ...     keras.Input(shape=(784,)),
    ...     keras.layers.Dense(64, activation="relu"),
    ...     keras.layers.Dense(10),
    ... ])
    """

    def __init__(
        self,
        layers: list[Any] | None = None,
        trainable: bool = True,
        name: str | None = None,
        backend: str | Backend | None = None,
    ) -> None:
        Model.__init__(
            self,
            name=name or unique_name("sequential"),
            trainable=trainable,
            backend=backend,
        )
        self._input_layer: InputLayer | None = None
        self._output_tensor: KerasTensor | None = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        return [layer for layer in self._layers if not isinstance(layer, InputLayer)]

    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Add a layer (or a ``keras.Input``) on top of the stack."""
        if (
            isinstance(layer, KerasTensor)
            and layer._node is not None
            and isinstance(layer._node.layer, InputLayer)
        ):
            layer = layer._node.layer
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self.layers:
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured to "
                    "use "
                    "input shape; an `Input` can only be added first."
                )
            self._input_layer = layer
            self._layers.insert(0, layer)
            return
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `keras.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer).__name__})"
            )
        if any(layer.name == other.name for other in self._layers):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update "
                "the "
                "`name` argument to pass a unique name."
            )
        if (
            self._input_layer is None
            and not self.layers
            and layer._batch_input_shape is not None
        ):
            self._input_layer = InputLayer(batch_shape=layer._batch_input_shape)
            self._layers.insert(0, self._input_layer)
        self._layers.append(layer)
        if self._input_layer is not None and rebuild:
            self._build_graph()

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layers.pop()
        if self._input_layer is not None:
            self._build_graph()
        return layer

    def _build_graph(self) -> None:
        x = self._input_layer.output_tensor  # type: ignore[union-attr]
        for layer in self.layers:  # as in Keras, a layer may pass on a list
            x = layer(x)
        self._output_tensor = x
        self.built = True
        self._bind(self.engine)  # bind now: weights move to the model's backend

    def build(self, input_shape: Any = None) -> None:
        """Build the stack for inputs of ``input_shape`` (with the batch axis)."""
        if self._input_layer is None:
            if input_shape is None:
                raise ValueError(
                    f"Sequential model '{self.name}' cannot be built without an input "
                    "shape; "
                    "add a `keras.Input(shape=...)` first or pass `input_shape=` to "
                    "the first layer."
                )
            self._input_layer = InputLayer(batch_shape=(None,) + tuple(input_shape)[1:])
            self._layers.insert(0, self._input_layer)
        if not self.built or self._output_tensor is None:
            self._build_graph()

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
            inputs = inputs[0]
        if not self.built:
            self.build((None,) + tuple(self._engine.b.shape(inputs))[1:])
        if self._input_layer is not None:
            shape = tuple(self._engine.b.shape(inputs))
            expected = self._input_layer.batch_shape
            if len(shape) != len(expected):
                raise ValueError(
                    f'Input 0 of layer "{self.name}" is incompatible with the layer: '
                    f"expected shape={expected}, found shape={shape}"
                )
        x, mask = inputs, None
        for layer in self.layers:
            y = layer(x) if mask is None else layer(x, mask=mask)
            mask = layer.compute_mask(x, mask)
            x = y
        return x

    @property
    def output_names(self) -> list[str]:
        if not self.layers:
            return [self.name]
        n = len(self.outputs)
        last = self.layers[-1].name
        return [last] if n <= 1 else [f"{last}_{i}" for i in range(n)]

    @property
    def inputs(self) -> list[KerasTensor]:
        return [self._input_layer.output_tensor] if self._input_layer else []

    @property
    def outputs(self) -> list[KerasTensor]:
        if self._output_tensor is None:
            return []
        return _tree.flatten(self._output_tensor)

    def get_config(self) -> dict[str, Any]:
        from ..saving.serialization import sequential_config

        return sequential_config(self)
