"""Pooling layers: windowed max and mean (1-D and 2-D) and global pooling."""

from __future__ import annotations

from typing import Any

from ._spec import InputSpec
from .conv import _channels_last, _padding, _tuple, out_length
from .layer import Layer

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "MaxPooling1D",
    "MaxPooling2D",
]


class _Pool2D(Layer):
    def __init__(
        self,
        pool_size: Any = (2, 2),
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        _channels_last(data_format)
        self.pool_size = _tuple(pool_size, 2, "pool_size")
        self.strides = (
            self.pool_size if strides is None else _tuple(strides, 2, "strides")
        )
        self.padding = _padding(padding)
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape: Any) -> Any:
        spatial = tuple(
            out_length(n, k, s, self.padding)
            for n, k, s in zip(input_shape[1:3], self.pool_size, self.strides)
        )
        return (input_shape[0],) + spatial + (input_shape[3],)

    def _output_dtype(self, input_dtype: str) -> str:
        return input_dtype

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "pool_size": list(self.pool_size),
            "strides": list(self.strides),
            "padding": self.padding,
        }


class MaxPooling2D(_Pool2D):
    """Max over ``pool_size`` windows; ``strides`` default to ``pool_size``."""

    def call(self, inputs: Any) -> Any:
        return self._engine.b.max_pool2d(
            inputs, self.pool_size, self.strides, self.padding
        )


class AveragePooling2D(_Pool2D):
    """Mean over ``pool_size`` windows (padding left out of the count)."""

    def call(self, inputs: Any) -> Any:
        return self._engine.b.avg_pool2d(
            inputs, self.pool_size, self.strides, self.padding
        )


class _GlobalPool(Layer):
    axes: tuple[int, ...] = (1, 2)
    ndim = 4

    def __init__(
        self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any
    ):
        super().__init__(**kwargs)
        _channels_last(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self.ndim)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self.keepdims:
            return tuple(1 if i in self.axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in self.axes)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "keepdims": self.keepdims}


class GlobalAveragePooling2D(_GlobalPool):
    """Mean over height and width: ``(batch, h, w, c) -> (batch, c)``."""

    def call(self, inputs: Any) -> Any:
        return self._engine.b.mean(inputs, self.axes, self.keepdims)


class GlobalMaxPooling2D(_GlobalPool):
    """Max over height and width: ``(batch, h, w, c) -> (batch, c)``."""

    def call(self, inputs: Any) -> Any:
        return self._engine.b.max(inputs, self.axes, self.keepdims)


class GlobalAveragePooling1D(_GlobalPool):
    """Mean over steps: ``(batch, steps, c) -> (batch, c)``; masked steps left out."""

    axes = (1,)
    ndim = 3

    def call(self, inputs: Any, mask: Any = None) -> Any:
        b = self._engine.b
        if mask is None:
            return b.mean(inputs, self.axes, self.keepdims)
        dtype = b.dtype(inputs)
        weights = b.expand_dims(b.cast(mask, dtype), 2)
        total = b.sum(b.multiply(inputs, weights), self.axes, self.keepdims)
        count = b.sum(weights, self.axes, self.keepdims)
        return b.divide(total, count)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None


class GlobalMaxPooling1D(_GlobalPool):
    """Max over steps: ``(batch, steps, c) -> (batch, c)``."""

    axes = (1,)
    ndim = 3

    def call(self, inputs: Any) -> Any:
        return self._engine.b.max(inputs, self.axes, self.keepdims)


class _Pool1D(Layer):
    """1-D pooling as 2-D pooling of ``(batch, steps, 1, channels)``."""

    def __init__(
        self,
        pool_size: int = 2,
        strides: int | None = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        _channels_last(data_format)
        self.pool_size = _tuple(pool_size, 1, "pool_size")
        self.strides = (
            self.pool_size if strides is None else _tuple(strides, 1, "strides")
        )
        self.padding = _padding(padding)
        self.input_spec = InputSpec(ndim=3)

    def _pool(self, x: Any) -> Any:
        raise NotImplementedError

    def call(self, inputs: Any) -> Any:
        b = self._engine.b
        out = self._pool(b.expand_dims(inputs, 2))
        return b.squeeze(out, 2)

    def compute_output_shape(self, input_shape: Any) -> Any:
        steps = out_length(
            input_shape[1], self.pool_size[0], self.strides[0], self.padding
        )
        return (input_shape[0], steps, input_shape[2])

    def _output_dtype(self, input_dtype: str) -> str:
        return input_dtype

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "pool_size": list(self.pool_size),
            "strides": list(self.strides),
            "padding": self.padding,
        }


class MaxPooling1D(_Pool1D):
    """Max over ``pool_size`` steps; ``strides`` default to ``pool_size``."""

    def _pool(self, x: Any) -> Any:
        return self._engine.b.max_pool2d(
            x, (self.pool_size[0], 1), (self.strides[0], 1), self.padding
        )


class AveragePooling1D(_Pool1D):
    """Mean over ``pool_size`` steps (padding left out of the count)."""

    def _pool(self, x: Any) -> Any:
        return self._engine.b.avg_pool2d(
            x, (self.pool_size[0], 1), (self.strides[0], 1), self.padding
        )
