"""Depthwise and separable convolutions (Keras 3 layouts), from contract ``conv2d``.

A depthwise convolution convolves each input channel with its own
``depth_multiplier`` filters: here one ``conv2d`` per channel, the outputs
joined in Keras's order (channel ``c``'s filter ``m`` is output channel
``c * depth_multiplier + m``). A separable convolution follows it with a
pointwise (1x1) convolution.
"""

from __future__ import annotations

from typing import Any

from .. import activations, initializers, regularizers
from ._spec import InputSpec
from .conv import _channels_last, _padding, _tuple, out_length
from .core import positive_int
from .layer import Layer

__all__ = ["DepthwiseConv2D", "SeparableConv2D"]


class _Depthwise(Layer):
    rank = 2

    def __init__(
        self,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        _channels_last(data_format)
        self.kernel_size = _tuple(kernel_size, self.rank, "kernel_size")
        self.strides = _tuple(strides, self.rank, "strides")
        self.padding = _padding(padding)
        self.dilation_rate = _tuple(dilation_rate, self.rank, "dilation_rate")
        self.depth_multiplier = positive_int(depth_multiplier, "depth_multiplier")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = depthwise_constraint
        self.bias_constraint = bias_constraint
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _out_channels(self, channels: int) -> int:
        return channels * self.depth_multiplier

    def _add_depthwise(self, channels: int) -> None:
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
            name="depthwise_kernel",
        )

    def _add_bias(self, size: int) -> None:
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(size,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name="bias",
            )

    def build(self, input_shape: Any) -> None:
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                f"Layer '{self.name}': the channel axis of the input must be known."
            )
        self._add_depthwise(channels)
        self._add_bias(self._out_channels(channels))
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={-1: channels})
        self.built = True

    def _depthwise(self, x: Any) -> Any:
        b = self._engine.b
        channels = b.shape(x)[-1]
        kernel = self.depthwise_kernel.value
        outs = []
        for c in range(channels):
            xc = b.slice(x, (0, 0, 0, c), (*b.shape(x)[:3], 1))
            kc = b.slice(
                kernel, (0, 0, c, 0), (*self.kernel_size, 1, self.depth_multiplier)
            )
            outs.append(
                b.conv2d(xc, kc, self.strides, self.padding, self.dilation_rate)
            )
        return b.concatenate(outs, -1) if len(outs) > 1 else outs[0]

    def _finish(self, x: Any) -> Any:
        if self.bias is not None:
            x = self._engine.b.add(x, self.bias.value)
        return self.activation(x)

    def call(self, inputs: Any) -> Any:
        return self._finish(self._depthwise(inputs))

    def compute_output_shape(self, input_shape: Any) -> Any:
        spatial = tuple(
            out_length(n, k, s, self.padding, d)
            for n, k, s, d in zip(
                input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate
            )
        )
        return (input_shape[0],) + spatial + (self._out_channels(input_shape[-1]),)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "depth_multiplier": self.depth_multiplier,
            "dilation_rate": list(self.dilation_rate),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
        }


class DepthwiseConv2D(_Depthwise):
    """Each input channel convolved with its own ``depth_multiplier`` filters."""


class SeparableConv2D(_Depthwise):
    """A depthwise convolution followed by a pointwise (1x1) one to ``filters``."""

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        depth_multiplier: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        pointwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        pointwise_regularizer: Any = None,
        pointwise_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            kernel_size,
            strides=strides,
            padding=padding,
            depth_multiplier=depth_multiplier,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            **kwargs,
        )
        self.filters = positive_int(filters, "filters")
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = pointwise_constraint

    def _out_channels(self, channels: int) -> int:
        return self.filters

    def build(self, input_shape: Any) -> None:
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                f"Layer '{self.name}': the channel axis of the input must be known."
            )
        self._add_depthwise(channels)
        self.pointwise_kernel = self.add_weight(
            shape=(1, 1, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
            name="pointwise_kernel",
        )
        self._add_bias(self.filters)
        self.input_spec = InputSpec(ndim=4, axes={-1: channels})
        self.built = True

    def call(self, inputs: Any) -> Any:
        b = self._engine.b
        x = self._depthwise(inputs)
        x = b.conv2d(x, self.pointwise_kernel.value, (1, 1), "valid", (1, 1))
        return self._finish(x)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
        }
