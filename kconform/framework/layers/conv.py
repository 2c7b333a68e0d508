"""Convolution and pooling layers, channels-last: Conv1D, Conv2D, (global) pooling."""

from __future__ import annotations

import math
from typing import Any

from .. import activations, initializers, regularizers
from ._spec import InputSpec
from .core import positive_int
from .layer import Layer

__all__ = ["Conv1D", "Conv2D"]


def _tuple(value: Any, n: int, name: str) -> tuple[int, ...]:
    out = (value,) * n if isinstance(value, int) else tuple(value)
    if len(out) != n or any(
        isinstance(v, bool) or not isinstance(v, int) or v <= 0 for v in out
    ):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a positive integer or "
            f"a tuple of {n} positive integers. Received: {name}={value!r}"
        )
    return out


def _padding(value: Any) -> str:
    padding = str(value).lower()
    if padding not in ("valid", "same"):
        raise ValueError(
            "Received an invalid value for `padding`, expected 'valid' or 'same'. "
            f"Received: padding={value!r}"
        )
    return padding


def _channels_last(data_format: Any) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(
            "Only `data_format='channels_last'` is supported by the reference "
            f"framework. Received: data_format={data_format!r}"
        )


def out_length(
    n: int | None, k: int, stride: int, padding: str, dilation: int = 1
) -> int | None:
    """Output length of a convolution/pooling axis (None stays None)."""
    if n is None:
        return None
    if padding == "same":
        return math.ceil(n / stride)
    return max((n - dilation * (k - 1) - 1) // stride + 1, 0)


class _Conv(Layer):
    rank = 2

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        groups: int = 1,
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
        _channels_last(data_format)
        if groups != 1:
            raise ValueError(
                f"Only `groups=1` is supported. Received: groups={groups!r}"
            )
        self.filters = positive_int(filters, "filters")
        self.kernel_size = _tuple(kernel_size, self.rank, "kernel_size")
        self.strides = _tuple(strides, self.rank, "strides")
        self.padding = _padding(padding)
        self.dilation_rate = _tuple(dilation_rate, self.rank, "dilation_rate")
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
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def build(self, input_shape: Any) -> None:
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                f"Layer '{self.name}': the channel axis of the input must be known."
            )
        self.kernel = self.add_weight(
            shape=self.kernel_size + (channels, self.filters),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name="bias",
            )
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={-1: channels})
        self.built = True

    def _conv(self, inputs: Any) -> Any:
        raise NotImplementedError

    def call(self, inputs: Any) -> Any:
        x = self._conv(inputs)
        if self.bias is not None:
            x = self._engine.b.add(x, self.bias.value)
        return self.activation(x)

    def compute_output_shape(self, input_shape: Any) -> Any:
        spatial = tuple(
            out_length(n, k, s, self.padding, d)
            for n, k, s, d in zip(
                input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate
            )
        )
        return (input_shape[0],) + spatial + (self.filters,)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "dilation_rate": list(self.dilation_rate),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }


class Conv2D(_Conv):
    """2-D convolution over ``(batch, height, width, channels)`` inputs.

    Args:
        filters: Number of output channels.
        kernel_size: Int or pair, the window's height and width.
        strides: Int or pair. Defaults to 1.
        padding: ``"valid"`` or ``"same"``.
        dilation_rate: Int or pair. Defaults to 1.
        activation: Activation function. Defaults to linear.
        use_bias: Whether to add a bias. Defaults to ``True``.

    Output shape: ``(batch, new_height, new_width, filters)``.
    """

    rank = 2

    def _conv(self, inputs: Any) -> Any:
        return self._engine.b.conv2d(
            inputs, self.kernel.value, self.strides, self.padding, self.dilation_rate
        )


class Conv1D(_Conv):
    """1-D convolution over ``(batch, steps, channels)`` inputs."""

    rank = 1

    def _conv(self, inputs: Any) -> Any:
        return self._engine.b.conv1d(
            inputs,
            self.kernel.value,
            self.strides[0],
            self.padding,
            self.dilation_rate[0],
        )
