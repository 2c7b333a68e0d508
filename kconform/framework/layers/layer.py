"""`Layer`: the base class of layers (state, build, call, symbolic calls, config)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _config, _tree, constraints, initializers, regularizers
from .._engine import Engine, active_engine, current_engine
from .._limits import ALLOC_LIMIT
from ..utils.naming import to_snake_case, unique_name
from ..variables import Variable
from ._context import CallContext, call_context, current_context
from ._graph import Node, any_symbolic
from ._layer_utils import (
    batch_shape_from,
    call_takes,
    collect_variables,
    first_call_argument,
    shapes_to_tensors,
    to_tensor,
    trace_outputs,
)
from ._spec import InputSpec, check_input

__all__ = ["InputSpec", "Layer"]

_SHAPE_KWARGS = (
    "input_shape",
    "input_dim",
    "batch_input_shape",
    "batch_size",
    "input_length",
)


class Layer:
    """Base class of layers: state (weights), computation (``call``), configuration.

    Subclass it and implement ``call(inputs)``; create weights in
    ``build(input_shape)`` with ``add_weight``. ``Layer.__call__`` builds the
    layer on first use, runs ``call`` on real tensors, or records a node when
    called on symbolic ``keras.Input`` tensors.

    Args:
        trainable: Whether the layer's weights are updated by training.
        dtype: Dtype of the weights, defaults to ``keras.config.floatx()``.
        name: Name of the layer, unique by default (``dense``, ``dense_1``...).
        activity_regularizer: Optional penalty on the layer's outputs.
        input_shape: Shape of the input (without the batch axis); only for
            the first layer of a ``Sequential`` model.
        input_dim: Shorthand for ``input_shape=(input_dim,)``.
    """

    def __init__(
        self,
        *,
        activity_regularizer: Any = None,
        trainable: bool = True,
        dtype: str | None = None,
        autocast: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        shape_kwargs = {k: kwargs.pop(k) for k in _SHAPE_KWARGS if k in kwargs}
        if kwargs:
            raise TypeError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{kwargs}"
            )
        if name is not None and (not isinstance(name, str) or not name or "/" in name):
            raise ValueError(
                "Received an invalid value for `name`, expected a non-empty string "
                f"without '/'. Received: name={name!r}"
            )
        self._layers: list[Layer] = []
        self._own_variables: list[Variable] = []
        self._inbound_nodes: list[Node] = []
        self._engine: Engine | None = None
        self._trainable = bool(trainable)
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self.dtype = dtype or _config.floatx()
        self.autocast = autocast
        self.built = False
        self.input_spec: InputSpec | list[InputSpec] | None = None
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._batch_input_shape = batch_shape_from(type(self).__name__, shape_kwargs)
        self._extra_losses: list[Any] = []

    # -- tracking ------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        layers = self.__dict__.get("_layers")
        if layers is not None and not name.startswith("_"):
            items = value if isinstance(value, (list, tuple)) else [value]
            for item in items:
                if (
                    isinstance(item, Layer)
                    and item is not self
                    and not any(item is x for x in layers)
                ):
                    layers.append(item)
        object.__setattr__(self, name, value)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = value

    @property
    def engine(self) -> Engine | None:
        """The engine this layer's weights live on (None until bound)."""
        return self._engine

    def _bind(self, engine: Engine) -> None:
        self._engine = engine
        for v in self._own_variables:
            v.bind(engine)
        for layer in self._layers:
            layer._bind(engine)

    # -- state ---------------------------------------------------------------------
    def add_weight(
        self,
        shape: Any = None,
        initializer: Any = None,
        dtype: str | None = None,
        trainable: bool = True,
        autocast: bool = True,
        regularizer: Any = None,
        constraint: Any = None,
        aggregation: str = "none",
        overwrite_with_gradient: bool = False,
        name: str | None = None,
    ) -> Variable:
        """Create a weight of this layer and return it as a :class:`Variable`.

        Args:
            shape: Shape tuple (defaults to ``()``).
            initializer: Name or initializer; defaults to ``"glorot_uniform"``
                for floats and ``"zeros"`` otherwise.
            dtype: Dtype of the weight; defaults to the layer's.
            trainable: Whether training updates it.
            regularizer: Optional penalty added to the loss.
            constraint: Optional callable applied after each update.
            name: Name of the weight (``kernel``, ``bias``...).
        """
        del autocast, aggregation, overwrite_with_gradient
        shape = () if shape is None else tuple(shape)
        if any(not isinstance(d, (int, np.integer)) or d < 0 for d in shape):
            raise ValueError(
                f"Layer '{self.name}': received an invalid `shape` for add_weight, "
                f"expected a tuple of non-negative ints. Received: shape={shape}"
            )
        budget = ALLOC_LIMIT.get()
        if budget is not None:  # loading a file: no more than it declares
            budget.take(shape, self.name)
        dtype = dtype or self.dtype
        if initializer is None:
            initializer = "glorot_uniform" if "float" in dtype else "zeros"
        init = initializers.get(initializer)
        name = name or f"variable_{len(self._own_variables)}" if name is None else name
        var = Variable(
            init(shape, dtype),
            dtype=dtype,
            trainable=trainable,
            name=name,
            engine=self._engine,
            regularizer=regularizers.get(regularizer),
            constraint=constraints.get(constraint),
        )
        var.path = f"{self.name}/{name}"
        self._own_variables.append(var)
        return var

    add_variable = add_weight

    def _variables(self, which: str) -> list[Variable]:
        return collect_variables(self, which)

    @property
    def weights(self) -> list[Variable]:
        """All weights: own trainable, own non-trainable, then sublayers'."""
        return self._variables("all")

    variables = weights

    @property
    def trainable_weights(self) -> list[Variable]:
        return self._variables("trainable")

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list[Variable]:
        return self._variables("non_trainable")

    non_trainable_variables = non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        """Weights as a list of NumPy arrays, in :attr:`weights` order."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        """Set weights from a list of arrays, in :attr:`weights` order."""
        params = self.weights
        if len(weights) != len(params):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a "
                f"weight list of length {len(weights)}, but the layer was expecting "
                f"{len(params)} weights."
            )
        for var, value in zip(params, weights):
            shape = tuple(np.shape(value))
            if shape != var.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape {var.shape} is not compatible "
                    f"with provided weight shape {shape}."
                )
        for var, value in zip(params, weights):
            var.assign(np.asarray(value))

    def count_params(self) -> int:
        """Number of scalars in the layer's weights."""
        return int(sum(math.prod(v.shape) for v in self.weights))

    @property
    def losses(self) -> list[Any]:
        """The losses of the last eager call (``add_loss``, activity penalties),
        then the weights' regularization penalties on their current values."""
        out = list(self._extra_losses) + list(getattr(self, "_call_losses", []))
        for v in self.weights:
            if v.regularizer is not None:
                engine = v.engine or current_engine()
                with active_engine(engine):
                    out.append(v.regularizer(v.value))
        return out

    def add_loss(self, loss: Any) -> None:
        """Add a loss tensor computed in ``call`` (e.g. an activity penalty)."""
        ctx = current_context()
        if ctx is not None:
            ctx.losses.append(loss)
        else:
            self._extra_losses.append(loss)

    # -- computation ---------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Create the layer's weights for inputs of ``input_shape``."""
        self.built = True

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """The layer's computation; override it."""
        raise NotImplementedError(
            f"Layer {type(self).__name__} does not implement `call()`; subclasses "
            "of `Layer` must define `def call(self, inputs): ...`."
        )

    def _draws_noise(self) -> bool:
        """Whether training draws random numbers here (dropout, noise layers):
        the train step then plans and feeds them (see ``_context``)."""
        return False

    #: Whether the layer passes a mask (``Embedding(mask_zero=True)``) through
    #: unchanged; layers that consume or make masks override :meth:`compute_mask`.
    supports_masking = False

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The mask of the outputs, from the inputs and their ``mask`` (Keras rule:
        passed through when :attr:`supports_masking`, else dropped)."""
        return mask if self.supports_masking else None

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Output shape for ``input_shape``; by default found by running ``call``."""
        return self._trace(input_shape, None)[0]

    def _build_once(self, shapes: Any) -> None:
        if not self.built:
            self.build(shapes)
            self.built = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args:
            first = first_call_argument(type(self))
            key = "inputs" if "inputs" in kwargs else first
            if key not in kwargs:
                raise TypeError(f"Layer '{self.name}' was called without inputs.")
            args = (kwargs.pop(key),)
        inputs, rest = args[0], args[1:]
        if (
            any_symbolic(inputs)
            or any_symbolic(list(rest))
            or any(any_symbolic(v) for v in kwargs.values())
        ):
            return self._symbolic_call(inputs, rest, kwargs)
        ctx = current_context()
        engine = self._resolve_engine(ctx)
        inputs = _tree.map_structure(lambda t: to_tensor(engine, t), inputs)
        if not self.built:
            self._build_once(_tree.map_structure(lambda t: engine.b.shape(t), inputs))
        if self._engine is None:
            self._bind(engine)
        if self.input_spec is not None:
            check_input(self, _tree.map_structure(engine.b.shape, inputs))
        if ctx is None:  # an eager call from user code: keep its add_loss values
            ctx = CallContext(kwargs.get("training"), engine)
            with call_context(ctx):
                outputs = self._run(engine, ctx, inputs, rest, kwargs)
            self._call_losses = list(ctx.losses)
            return outputs
        return self._run(engine, ctx, inputs, rest, kwargs)

    def _resolve_engine(self, ctx: CallContext | None) -> Engine:
        if self._engine is not None:
            return self._engine
        return ctx.engine if ctx is not None else current_engine()

    def _run(
        self, engine: Engine, ctx: CallContext, inputs: Any, rest: tuple, kwargs: dict
    ) -> Any:
        if call_takes(type(self), "training"):
            if kwargs.get("training") is None:
                kwargs["training"] = ctx.training
        else:
            kwargs.pop("training", None)
        if "mask" in kwargs and not call_takes(type(self), "mask"):
            del kwargs["mask"]
        with active_engine(engine):
            outputs = self.call(inputs, *rest, **kwargs)
            if self.activity_regularizer is not None:
                for out in _tree.flatten(outputs):
                    ctx.losses.append(self.activity_regularizer(out))
        return outputs

    def _symbolic_call(self, inputs: Any, rest: tuple, kwargs: dict[str, Any]) -> Any:
        if not any_symbolic(inputs):
            raise TypeError(
                f"Layer '{self.name}': its first argument must be symbolic when "
                "others are (call it on the `keras.Input` tensors)."
            )
        shapes = _tree.map_structure(lambda t: t.shape, inputs)
        self._build_once(shapes)
        if self.input_spec is not None:
            check_input(self, shapes)
        extra = bool(rest) or any(any_symbolic(v) for v in kwargs.values())
        if extra and not self._shape_from_inputs_only:
            out_shapes, dtypes = trace_outputs(self, shapes, inputs, rest, kwargs)
        elif type(self).compute_output_shape is Layer.compute_output_shape:
            out_shapes, dtypes = self._trace(shapes, inputs)
        else:
            out_shapes = self.compute_output_shape(shapes)
            dtypes = None
        in_dtype = _tree.flatten(inputs)[0].dtype
        outputs = shapes_to_tensors(
            out_shapes, dtypes, self._output_dtype(in_dtype), self.name
        )
        Node(self, inputs, dict(kwargs), outputs, rest)
        return outputs

    #: Whether ``compute_output_shape(input_shape)`` holds whatever the other
    #: call arguments are (else a call with symbolic extra arguments is traced).
    _shape_from_inputs_only = False

    def _output_dtype(self, input_dtype: str) -> str:
        return self.dtype

    def _trace(self, shapes: Any, symbolic: Any) -> tuple[Any, Any]:
        """Run ``call`` on zeros to learn the output shapes (batch axis -> None)."""
        return trace_outputs(self, shapes, symbolic)

    # -- graph information -----------------------------------------------------
    @property
    def input(self) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on a symbolic input."
            )
        return self._inbound_nodes[0].args

    @property
    def output(self) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on a symbolic input."
            )
        return self._inbound_nodes[0].outputs

    # -- configuration -----------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Constructor arguments as a JSON-serializable dict."""
        config: dict[str, Any] = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": self.dtype,
        }
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Create a layer from :meth:`get_config`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
