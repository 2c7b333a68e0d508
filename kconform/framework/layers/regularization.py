"""Regularization layers: Gaussian noise and dropout, spatial dropout, activity penalty.

Their noise is drawn on the host and planned by the train step like dropout
masks (:mod:`._context`), so every backend sees the same numbers.
"""

from __future__ import annotations

import math
from typing import Any

from .. import regularizers
from ._context import current_context
from .core import Dropout
from .layer import Layer

__all__ = [
    "ActivityRegularization",
    "GaussianDropout",
    "GaussianNoise",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
]


def _check_rate(value: Any, name: str, upper_open: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"Invalid value received for argument `{name}`: {value!r}")
    if value < 0 or (value >= 1 if upper_open else False):
        raise ValueError(
            f"Invalid value received for argument `{name}`. Expected a float in "
            f"[0, 1). Received: {name}={value!r}"
        )
    return float(value)


class _Noise(Layer):
    supports_masking = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def _output_dtype(self, input_dtype: str) -> str:
        return input_dtype


class GaussianNoise(_Noise):
    """Add ``N(0, stddev**2)`` noise while training (a regularizer); identity else."""

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if stddev < 0:
            raise ValueError(f"`stddev` must be non-negative. Received: {stddev!r}")
        self.stddev, self.seed = float(stddev), seed

    def _draws_noise(self) -> bool:
        return self.stddev > 0

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if not training or self.stddev == 0:
            return inputs
        b = self._engine.b
        noise = current_context().normal_noise(b.shape(inputs), self.stddev)  # type: ignore[union-attr]
        return b.add(inputs, self._engine.cast(noise, b.dtype(inputs)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_Noise):
    """Multiply by ``N(1, rate / (1 - rate))`` noise while training; identity else."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate, self.seed = _check_rate(rate, "rate"), seed

    def _draws_noise(self) -> bool:
        return self.rate > 0

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if not training or self.rate == 0:
            return inputs
        e = self._engine
        b = e.b
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = current_context().normal_noise(b.shape(inputs), stddev)  # type: ignore[union-attr]
        dtype = b.dtype(inputs)
        factor = b.add(e.cast(noise, dtype), e.const(1.0, dtype))
        return b.multiply(inputs, factor)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class _SpatialDropout(Dropout):
    """Drop whole channels: one mask entry per sample and channel."""

    ndim = 3

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        kwargs.pop("noise_shape", None)
        super().__init__(rate, seed=seed, **kwargs)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        shape = self._engine.b.shape(inputs)
        if len(shape) != self.ndim:
            raise ValueError(
                f"{type(self).__name__} expects {self.ndim}-d inputs; received "
                f"shape {tuple(shape)}."
            )
        self.noise_shape = (shape[0],) + (1,) * (self.ndim - 2) + (shape[-1],)
        try:
            return super().call(inputs, training)
        finally:
            self.noise_shape = None

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("noise_shape", None)
        return config


class SpatialDropout1D(_SpatialDropout):
    """Dropout of whole channels of ``(batch, steps, channels)`` inputs."""

    ndim = 3


class SpatialDropout2D(_SpatialDropout):
    """Dropout of whole channels of ``(batch, height, width, channels)`` inputs."""

    ndim = 4


class SpatialDropout3D(_SpatialDropout):
    """Dropout of whole channels of 5-d channels-last inputs."""

    ndim = 5


class ActivityRegularization(Layer):
    """Identity adding ``l1 * sum(|x|) + l2 * sum(x**2)`` of its input to the loss."""

    supports_masking = True

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def _output_dtype(self, input_dtype: str) -> str:
        return input_dtype

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        return {**config, "l1": self.l1, "l2": self.l2}
