"""Layer wrappers: TimeDistributed and Bidirectional (Keras 3 semantics)."""

from __future__ import annotations

from typing import Any

from .layer import Layer

__all__ = ["Bidirectional", "TimeDistributed"]


def _serialize(layer: Layer) -> dict[str, Any]:
    from ..saving.serialization import serialize_layer

    return serialize_layer(layer)


def _deserialize(entry: Any, custom_objects: Any = None) -> Layer:
    from ..saving.serialization import deserialize_layer

    return deserialize_layer(entry, custom_objects)


def _check_layer(layer: Any, wrapper: str) -> Layer:
    if not isinstance(layer, Layer):
        raise ValueError(
            f"Please initialize `{wrapper}` layer with a `keras.layers.Layer` "
            f"instance. Received: {layer!r}"
        )
    return layer


class TimeDistributed(Layer):
    """Apply ``layer`` to every time step of a ``(batch, time, ...)`` input.

    The steps are folded into the batch (``(batch * time, ...)``), the layer
    runs once, and the result is unfolded: one set of weights for all steps.
    """

    supports_masking = True

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.layer = _check_layer(layer, "TimeDistributed")

    def build(self, input_shape: Any) -> None:
        if len(input_shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` with at "
                f"least 3 dimensions, received: {tuple(input_shape)}"
            )
        inner = (None,) + tuple(input_shape[2:])
        self.layer._build_once(inner)
        self.built = True

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        b = self._engine.b
        shape = b.shape(inputs)
        folded = b.reshape(inputs, (shape[0] * shape[1],) + tuple(shape[2:]))
        kwargs = {"training": training} if training is not None else {}
        out = self.layer(folded, **kwargs)
        out_shape = b.shape(out)
        return b.reshape(out, (shape[0], shape[1]) + tuple(out_shape[1:]))

    def compute_output_shape(self, input_shape: Any) -> Any:
        inner = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])

    def _output_dtype(self, input_dtype: str) -> str:
        return self.layer._output_dtype(input_dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layer": _serialize(self.layer)}

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: Any = None
    ) -> TimeDistributed:
        config = dict(config)
        layer = _deserialize(config.pop("layer"), custom_objects)
        return cls(layer, **config)


_MERGE_MODES = ("sum", "mul", "concat", "ave", None)


class Bidirectional(Layer):
    """Run a recurrent layer forwards and a copy of it backwards, then merge.

    Args:
        layer: A recurrent layer (``LSTM``, ``GRU``, ``SimpleRNN``).
        merge_mode: ``"concat"`` (default), ``"sum"``, ``"mul"``, ``"ave"``, or
            None (a list of both outputs).
        backward_layer: Optional layer for the backward direction (it must
            have ``go_backwards=True``); by default a copy of ``layer``.

    The backward output sequence is flipped back into forward time order.
    Weights: the forward layer's, then the backward layer's.
    """

    supports_masking = True

    def __init__(
        self,
        layer: Layer,
        merge_mode: str | None = "concat",
        weights: Any = None,
        backward_layer: Layer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        _check_layer(layer, "Bidirectional")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should be "
                "one of {'sum', 'mul', 'ave', 'concat', None}"
            )
        self.merge_mode = merge_mode
        self.forward_layer = self._copy(layer, "forward_", layer.go_backwards)
        if backward_layer is None:
            self.backward_layer = self._copy(layer, "backward_", not layer.go_backwards)
        else:
            _check_layer(backward_layer, "Bidirectional")
            if backward_layer.go_backwards == layer.go_backwards:
                raise ValueError(
                    "Forward layer and backward layer should have different "
                    "`go_backwards` value."
                )
            self.backward_layer = backward_layer
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        for direction in (self.forward_layer, self.backward_layer):
            if hasattr(direction, "zero_output_for_mask"):
                direction.zero_output_for_mask = self.return_sequences
        self._initial_weights = weights

    @staticmethod
    def _copy(layer: Layer, prefix: str, go_backwards: bool) -> Layer:
        config = layer.get_config()
        name = config.get("name", layer.name)
        for p in ("forward_", "backward_"):
            if name.startswith(p):
                name = name[len(p) :]
        config["name"] = prefix + name
        config["go_backwards"] = go_backwards
        return type(layer).from_config(config)

    def build(self, input_shape: Any) -> None:
        self.forward_layer._build_once(input_shape)
        self.backward_layer._build_once(input_shape)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(
        self,
        sequences: Any,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> Any:
        b = self._engine.b
        fwd_state = bwd_state = None
        if initial_state is not None:
            states = list(initial_state)
            half = len(states) // 2
            fwd_state, bwd_state = states[:half], states[half:]
        kw: dict[str, Any] = {}
        if training is not None:
            kw["training"] = training
        if mask is not None:
            kw["mask"] = mask
        y = self.forward_layer(sequences, initial_state=fwd_state, **kw)
        y_rev = self.backward_layer(sequences, initial_state=bwd_state, **kw)
        states: list[Any] = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            steps = b.shape(y_rev)[1]
            y_rev = b.take(y_rev, b.arange(steps - 1, -1, -1, "int32"), 1)
        if self.merge_mode == "concat":
            out: Any = b.concatenate([y, y_rev], -1)
        elif self.merge_mode == "sum":
            out = b.add(y, y_rev)
        elif self.merge_mode == "ave":
            out = b.multiply(b.add(y, y_rev), self._engine.const(0.5, b.dtype(y)))
        elif self.merge_mode == "mul":
            out = b.multiply(y, y_rev)
        else:
            out = [y, y_rev]
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + states
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        out = mask if self.return_sequences else None
        if self.merge_mode is None:
            out = [out, out]
        if self.return_state:
            n = getattr(self.forward_layer, "n_states", 1)
            return (out if isinstance(out, list) else [out]) + [None] * (2 * n)
        return out

    def compute_output_shape(self, input_shape: Any) -> Any:
        fwd = self.forward_layer.compute_output_shape(input_shape)
        states: list[Any] = []
        if self.return_state:
            fwd, states = fwd[0], list(fwd[1:])
        if self.merge_mode == "concat":
            out: Any = tuple(fwd[:-1]) + (fwd[-1] * 2,)
        elif self.merge_mode is None:
            out = [tuple(fwd), tuple(fwd)]
        else:
            out = tuple(fwd)
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + states * 2
        return out

    def get_config(self) -> dict[str, Any]:
        config = {
            **super().get_config(),
            "layer": _serialize(self.forward_layer),
            "merge_mode": self.merge_mode,
        }
        config["backward_layer"] = _serialize(self.backward_layer)
        return config

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: Any = None
    ) -> Bidirectional:
        config = dict(config)
        layer = _deserialize(config.pop("layer"), custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            backward = _deserialize(backward, custom_objects)
        return cls(layer, backward_layer=backward, **config)
