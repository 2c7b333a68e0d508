"""Core layers: Dense, Activation, Flatten, Reshape, Dropout, Embedding."""

from __future__ import annotations

import math
from typing import Any

from .. import activations, initializers, regularizers
from .._engine import current_engine
from ._context import current_context
from ._spec import InputSpec
from .layer import Layer

__all__ = [
    "Activation",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "Identity",
    "Reshape",
]


def positive_int(value: Any, name: str) -> int:
    """Validate a positive integer argument, with the Keras message."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a positive integer. "
            f"Received: {name}={value!r}"
        )
    return value


class Dense(Layer):
    """Densely connected layer: ``activation(matmul(inputs, kernel) + bias)``.

    Args:
        units: Positive integer, dimensionality of the output space.
        activation: Activation function (name or callable). Defaults to linear.
        use_bias: Whether to add a bias vector. Defaults to ``True``.
        kernel_initializer: Defaults to ``"glorot_uniform"``.
        bias_initializer: Defaults to ``"zeros"``.
        kernel_regularizer: Optional regularizer of the kernel.
        bias_regularizer: Optional regularizer of the bias.
        activity_regularizer: Optional regularizer of the output.

    Input shape: ``(batch_size, ..., input_dim)``.
    Output shape: ``(batch_size, ..., units)``.
    """

    supports_masking = True

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = positive_int(units, "units")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint, self.bias_constraint = (
            kernel_constraint,
            bias_constraint,
        )
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape: Any) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Layer '{self.name}': the last axis of the input must be known to "
                f"build a Dense layer. Received: input_shape={tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            shape=(input_dim, self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name="bias",
            )
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs: Any) -> Any:
        b = self._engine.b
        x = b.matmul(inputs, self.kernel.value)
        if self.bias is not None:
            x = b.add(x, self.bias.value)
        return self.activation(x)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }


class Activation(Layer):
    """Apply an activation function to the input."""

    supports_masking = True

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs: Any) -> Any:
        return self.activation(inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "activation": activations.serialize(self.activation),
        }


class Flatten(Layer):
    """Flatten every axis but the batch axis: ``(batch, ...) -> (batch, prod(...))``."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs: Any) -> Any:
        b = self._engine.b
        shape = b.shape(inputs)
        return b.reshape(inputs, (shape[0], math.prod(shape[1:])))

    def compute_output_shape(self, input_shape: Any) -> Any:
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))

    def _output_dtype(self, input_dtype: str) -> str:
        return input_dtype


class Reshape(Layer):
    """Reshape the non-batch axes to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        if sum(d == -1 for d in self.target_shape) > 1 or any(
            not isinstance(d, int) or (d < 1 and d != -1) for d in self.target_shape
        ):
            raise ValueError(
                "Received an invalid value for `target_shape`, expected positive "
                f"integers and at most one -1. Received: target_shape={target_shape}"
            )

    def compute_output_shape(self, input_shape: Any) -> Any:
        if -1 not in self.target_shape:
            return (input_shape[0],) + self.target_shape
        rest = input_shape[1:]
        if None in rest:
            return (input_shape[0],) + tuple(
                None if d == -1 else d for d in self.target_shape
            )
        known = math.prod(d for d in self.target_shape if d != -1)
        total = math.prod(rest)
        if total % known:
            raise ValueError(
                f"Layer '{self.name}': cannot reshape input of shape "
                f"{tuple(input_shape)} "
                f"to target_shape={self.target_shape}."
            )
        return (input_shape[0],) + tuple(
            total // known if d == -1 else d for d in self.target_shape
        )

    def call(self, inputs: Any) -> Any:
        b = self._engine.b
        batch = b.shape(inputs)[0]
        return b.reshape(inputs, (batch,) + self.target_shape)

    def _output_dtype(self, input_dtype: str) -> str:
        return input_dtype

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Dropout(Layer):
    """Inverted dropout: zero a fraction ``rate``, scale the rest by ``1/(1-rate)``.

    Only active when training. Masks are drawn on the host (see
    ``keras.utils.set_random_seed``), so every backend sees the same masks.

    Args:
        rate: Float in ``[0, 1)``, the fraction of inputs to drop.
        noise_shape: Optional shape of the mask, broadcast against the input.
        seed: Unused (host generator); kept for Keras compatibility.
    """

    supports_masking = True

    def __init__(
        self,
        rate: float,
        noise_shape: Any = None,
        seed: int | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if (
            isinstance(rate, bool)
            or not isinstance(rate, (int, float))
            or not 0 <= rate <= 1
        ):
            raise ValueError(
                "Invalid value received for argument `rate`. Expected a float value "
                f"between 0 and 1. Received: rate={rate!r}"
            )
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed

    def _draws_noise(self) -> bool:
        return 0 < self.rate < 1

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if not training or self.rate == 0:
            return inputs
        e = self._engine
        b = e.b
        shape = b.shape(inputs)
        if self.noise_shape is not None:
            shape = tuple(
                s if n is None else n for s, n in zip(shape, self.noise_shape)
            )
        dtype = b.dtype(inputs)
        if self.rate == 1:
            return b.multiply(inputs, e.const(0.0, dtype))
        keep = 1.0 - self.rate
        mask = current_context().dropout_mask(shape, keep)  # type: ignore[union-attr]
        return b.where(
            mask, b.divide(inputs, e.const(keep, dtype)), e.const(0.0, dtype)
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def _output_dtype(self, input_dtype: str) -> str:
        return input_dtype

    def get_config(self) -> dict[str, Any]:
        ns = None if self.noise_shape is None else list(self.noise_shape)
        return {
            **super().get_config(),
            "rate": self.rate,
            "noise_shape": ns,
            "seed": self.seed,
        }


class Embedding(Layer):
    """Map integers in ``[0, input_dim)`` to dense vectors of size ``output_dim``.

    Args:
        input_dim: Size of the vocabulary.
        output_dim: Size of each embedding vector.
        embeddings_initializer: Defaults to ``"uniform"`` (on ``[-0.05, 0.05]``).
        embeddings_regularizer: Optional regularizer.
        mask_zero: Whether index 0 is padding: the output then carries the mask
            ``inputs != 0``, which masking-aware layers downstream (recurrent
            layers, ``GlobalAveragePooling1D``, attention) honour.

    Input shape: ``(batch_size, ...)`` integers.
    Output shape: ``(batch_size, ..., output_dim)``.
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.input_dim = positive_int(input_dim, "input_dim")
        self.output_dim = positive_int(output_dim, "output_dim")
        self.mask_zero = bool(mask_zero)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = embeddings_constraint

    def build(self, input_shape: Any = None) -> None:
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
            name="embeddings",
        )
        self.built = True

    def call(self, inputs: Any) -> Any:
        b = self._engine.b
        if b.dtype(inputs) not in ("int32", "int64"):
            inputs = b.cast(inputs, "int32")
        return b.take(self.embeddings.value, inputs, 0)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if not self.mask_zero:
            return None
        e = self._engine or current_engine()
        inputs = e.tensor(inputs)
        return e.b.not_equal(inputs, e.const(0, e.b.dtype(inputs)))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "mask_zero": self.mask_zero,
            "embeddings_initializer": initializers.serialize(
                self.embeddings_initializer
            ),
            "embeddings_regularizer": regularizers.serialize(
                self.embeddings_regularizer
            ),
        }


class Identity(Layer):
    """Return the input unchanged (a placeholder in a model)."""

    supports_masking = True

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def _output_dtype(self, input_dtype: str) -> str:
        return input_dtype
