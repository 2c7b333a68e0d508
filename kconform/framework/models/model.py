"""`Model`: a layer that trains.

``keras.Model(inputs, outputs)`` builds a functional model;
subclasses define ``call``. A model binds to its backend when it is created.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kconform.backend import Backend

from .. import _config, _tree
from .._engine import Engine, engine_for
from ..layers._context import CallContext
from ..layers._graph import any_symbolic
from ..layers.layer import Layer
from ..trainer import Trainer
from . import summary as _summary

__all__ = ["Model"]


class Model(Trainer, Layer):
    """A model: layers plus training (``compile``, ``fit``, ``evaluate``, ``predict``).

    ``keras.Model(inputs, outputs, name=...)`` returns a functional model.
    Subclass ``Model`` and define ``call`` for anything else.

    Args:
        inputs: (functional) ``keras.Input`` tensors, a list or a dict of them.
        outputs: (functional) the tensors computed from them.
        name: Name of the model.
        backend: The backend to bind to: a name (``"jax"``) or a
            ``kconform.Backend``. Defaults to the current default backend
            (``keras.config.use_backend``, ``set_backend``, ``KCONFORM_BACKEND``).
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        if cls is Model and (
            len(args) >= 2
            or "inputs" in kwargs
            or "outputs" in kwargs
            or (args and any_symbolic(args[0]))
        ):
            from .functional import Functional

            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(
        self, *args: Any, backend: str | Backend | None = None, **kwargs: Any
    ) -> None:
        if args:
            raise TypeError(
                f"{type(self).__name__}.__init__ got positional arguments {args!r}; a "
                "subclassed model takes keyword arguments (name=..., backend=...)."
            )
        Layer.__init__(self, **kwargs)
        self._backend_spec = backend if backend is not None else _config._current_spec()
        Trainer.__init__(self)

    # -- backend ----------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        """The engine the model is bound to (binding it now if it was not yet)."""
        if self._engine is None:
            self._bind(engine_for(self._backend_spec))
        return self._engine  # type: ignore[return-value]

    @property
    def backend(self) -> Backend:
        """The :class:`kconform.Backend` the model is bound to."""
        return self.engine.b

    def _bind(self, engine: Engine) -> None:
        if self._engine is not None and self._engine is not engine:
            self._reset_compiled_steps()
        Layer._bind(self, engine)

    def _resolve_engine(self, ctx: CallContext | None) -> Engine:
        if self._engine is not None:
            return self._engine
        if ctx is not None:
            return ctx.engine
        return self.engine

    def to_backend(self, backend: str | Backend) -> Model:
        """Move the weights (and optimizer state) to another backend, in place."""
        engine = engine_for(backend)
        self._backend_spec = engine.b
        self._bind(engine)
        if self.optimizer is not None:
            self.optimizer._bind(engine)
        for m in self.metrics:
            m._bind(engine)
        return self

    # -- structure ----------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The model's layers (tracked attributes, for a subclassed model)."""
        return list(self._layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """Return a layer by ``name`` or by ``index``."""
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(self.layers)} layers."
                )
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"No such layer: {name}. Existing layers are: "
            f"{[layer.name for layer in self.layers]}."
        )

    def _all_layers(self) -> list[Layer]:
        out: list[Layer] = []
        stack = list(self._layers)
        while stack:
            layer = stack.pop(0)
            if not any(layer is x for x in out):
                out.append(layer)
                stack.extend(layer._layers)
        return out

    def _uses_noise(self) -> bool:
        return any(layer._draws_noise() for layer in self._all_layers())

    @property
    def output_names(self) -> list[str]:
        """Names of the outputs (output layers' names)."""
        return [self.name]

    def _flat_outputs(self, y_pred: Any) -> list[Any]:
        if isinstance(y_pred, dict):
            return [y_pred[n] for n in self.output_names]
        return _tree.flatten(y_pred)

    def _flat_targets(self, y: Any) -> list[Any]:
        names = self.output_names
        if isinstance(y, dict):
            unknown = set(y) - set(names)
            if unknown:
                raise ValueError(
                    f"Received targets for unknown outputs {sorted(unknown)}; the "
                    "model's "
                    f"outputs are {names}."
                )
            return [y.get(n) for n in names]
        if len(names) == 1:
            if isinstance(y, (list, tuple)) and len(y) == 1:
                return [y[0]]
            return [y]
        if not isinstance(y, (list, tuple)) or len(y) != len(names):
            got = len(y) if isinstance(y, (list, tuple)) else 1
            raise ValueError(
                f"The model has {len(names)} outputs {names} but received {got} target "
                "array(s). Pass `y` as a list with one array per output, or a dict by "
                "output name."
            )
        return list(y)

    def build(self, input_shape: Any = None) -> None:
        """Create the weights by running the model once on zeros of ``input_shape``."""
        if self.built:
            return
        if input_shape is None:
            raise ValueError(
                f"Model '{self.name}' cannot be built without an input shape: call "
                "`model.build(input_shape)` or call the model on data first."
            )
        engine = self.engine
        self._build_input_shape = (
            [None, *list(input_shape)[1:]]
            if _is_shape(input_shape)
            else [[None, *list(s)[1:]] for s in input_shape]
        )

        def zeros(shape: Any) -> Any:
            return np.zeros(
                tuple(1 if d is None else d for d in shape), dtype="float32"
            )

        sample = (
            zeros(input_shape)
            if _is_shape(input_shape)
            else [zeros(s) for s in input_shape]
        )
        self.built = (
            True  # so that the call below runs `call` instead of building again
        )
        try:
            self(sample, training=False)
        except Exception:
            self.built = False
            raise
        del engine

    def summary(
        self,
        line_length: int | None = None,
        positions: Any = None,
        print_fn: Any = None,
        **kwargs: Any,
    ) -> None:
        """Print a table of the layers, their output shapes and parameter counts."""
        _summary.print_summary(self, line_length=line_length, print_fn=print_fn)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Any:
        """Rebuild a model from :meth:`get_config` (functional graphs included)."""
        from ..saving.serialization import deserialize_model

        if cls.__name__ in ("Sequential", "Functional") or (
            "layers" in config and "inputs" in config and "outputs" in config
        ):
            name = "Sequential" if cls.__name__ == "Sequential" else "Functional"
            return deserialize_model(
                {"class_name": name, "config": config}, custom_objects
            )
        return cls(**config)

    # -- graph shapes (Sequential and functional models) ------------------------------
    def _graph_shapes(self, tensors: list[Any], what: str) -> Any:
        if not tensors:
            raise AttributeError(
                f"The model '{self.name}' has no defined {what}s yet: build it, or "
                f"start it with `keras.Input`, to know its {what} shape."
            )
        shapes = [tuple(t.shape) for t in tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def input_shape(self) -> Any:
        """Shape of the model's input (a list of shapes for several inputs)."""
        return self._graph_shapes(getattr(self, "inputs", []), "input")

    @property
    def output_shape(self) -> Any:
        """Shape of the model's output (a list of shapes for several outputs)."""
        return self._graph_shapes(getattr(self, "outputs", []), "output")

    @property
    def input(self) -> Any:
        inputs = getattr(self, "inputs", [])
        if not inputs:
            return Layer.input.fget(self)  # type: ignore[attr-defined]
        return inputs[0] if len(inputs) == 1 else inputs

    @property
    def output(self) -> Any:
        outputs = getattr(self, "outputs", [])
        if not outputs:
            return Layer.output.fget(self)  # type: ignore[attr-defined]
        return outputs[0] if len(outputs) == 1 else outputs

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if (
            not self.built
            and args
            and getattr(self, "_build_input_shape", None) is None
        ):
            shape = _batchless_shape(args[0])
            if shape is not None:  # saved with the model: loading builds it again
                self._build_input_shape = shape
        return Layer.__call__(self, *args, **kwargs)

    # -- saving ---------------------------------------------------------------------
    def save(self, filepath: Any, overwrite: bool = True, **kwargs: Any) -> None:
        """Save the model to a ``.keras`` zip or an ``.h5`` file (no pickle)."""
        from ..saving import save_model

        save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath: Any, overwrite: bool = True) -> None:
        """Save the weights to ``.weights.h5`` or ``.weights.npz``."""
        from ..saving import save_weights

        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: Any, skip_mismatch: bool = False) -> None:
        """Load weights saved by :meth:`save_weights`, or from a whole-model file."""
        from ..saving import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs: Any) -> str:
        """The model's architecture as a JSON string."""
        import json

        from ..saving.serialization import serialize_model

        return json.dumps(serialize_model(self), **kwargs)


def _is_shape(s: Any) -> bool:
    return isinstance(s, (tuple, list)) and all(
        d is None or isinstance(d, int) for d in s
    )


def _batchless_shape(x: Any) -> Any:
    """``[None, *shape[1:]]`` of an array (a list of them for a list), else None."""
    if isinstance(x, (list, tuple)) and x and not _is_shape(x):
        shapes = [_batchless_shape(item) for item in x]
        return None if any(s is None for s in shapes) else shapes
    shape = getattr(x, "shape", None)
    if shape is None:
        return None
    try:
        dims = [int(d) for d in tuple(shape)]
    except (TypeError, ValueError):
        return None
    return [None, *dims[1:]] if dims else None
