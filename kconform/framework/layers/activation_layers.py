"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax (Keras 3 definitions)."""

from __future__ import annotations

from typing import Any

from .. import activations, initializers, regularizers
from .layer import Layer

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]


class _Elementwise(Layer):
    """A layer whose output has its input's shape and dtype."""

    supports_masking = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def _output_dtype(self, input_dtype: str) -> str:
        return input_dtype


def _non_negative(value: Any, name: str, layer: str) -> float:
    if value is None or float(value) < 0:
        raise ValueError(
            f"`{name}` of a {layer} layer must be a non-negative number. "
            f"Received: {name}={value!r}"
        )
    return float(value)


class ReLU(_Elementwise):
    """Rectified linear unit, Keras's extended form.

    ``f(x) = max_value`` for ``x >= max_value``, ``x`` for
    ``threshold <= x < max_value``, ``negative_slope * (x - threshold)`` below.

    Args:
        max_value: Upper bound of the output (None: unbounded).
        negative_slope: Slope below the threshold. Defaults to 0.
        threshold: Where the output starts to be ``x``. Defaults to 0.
    """

    def __init__(
        self,
        max_value: float | None = None,
        negative_slope: float = 0.0,
        threshold: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if max_value is not None:
            max_value = _non_negative(max_value, "max_value", "ReLU")
        self.max_value = max_value
        self.negative_slope = _non_negative(negative_slope, "negative_slope", "ReLU")
        self.threshold = _non_negative(threshold, "threshold", "ReLU")

    def call(self, inputs: Any) -> Any:
        return activations.relu(
            inputs,
            negative_slope=self.negative_slope,
            max_value=self.max_value,
            threshold=self.threshold,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


class LeakyReLU(_Elementwise):
    """``x`` for ``x >= 0``, ``negative_slope * x`` below (default slope 0.3)."""

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:  # Keras 2's name
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = _non_negative(
            negative_slope, "negative_slope", "LeakyReLU"
        )

    def call(self, inputs: Any) -> Any:
        return activations.leaky_relu(inputs, self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_Elementwise):
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` below."""

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs: Any) -> Any:
        return activations.elu(inputs, self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(_Elementwise):
    """Softmax over ``axis`` (the last by default); ``mask`` entries get 0."""

    def __init__(self, axis: int | tuple[int, ...] = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs: Any, mask: Any = None) -> Any:
        e = self._engine
        b = e.b
        if mask is not None:  # Keras: a large negative number where masked
            dtype = b.dtype(inputs)
            big = e.const(-3e4 if dtype == "float16" else -1e9, dtype)
            inputs = b.where(b.cast(mask, "bool"), inputs, b.add(inputs, big))
        if isinstance(self.axis, (tuple, list)):
            lse = b.logsumexp(inputs, tuple(self.axis), True)
            return b.exp(b.subtract(inputs, lse))
        return b.softmax(inputs, self.axis)

    def get_config(self) -> dict[str, Any]:
        axis = list(self.axis) if isinstance(self.axis, tuple) else self.axis
        return {**super().get_config(), "axis": axis}


class PReLU(_Elementwise):
    """Leaky ReLU with a learned slope: ``x`` for ``x >= 0``, ``alpha * x`` below.

    Args:
        alpha_initializer: Defaults to ``"zeros"``.
        shared_axes: Axes (1-based, the batch axis excluded) along which one
            slope is shared, e.g. ``[1, 2]`` for one slope per channel of images.
    """

    def __init__(
        self,
        alpha_initializer: Any = "zeros",
        alpha_regularizer: Any = None,
        alpha_constraint: Any = None,
        shared_axes: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = alpha_constraint
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, int):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape: Any) -> None:
        shape = list(input_shape[1:])
        for i in self.shared_axes or []:
            shape[i - 1] = 1
        self.alpha = self.add_weight(
            shape=tuple(shape),
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
            name="alpha",
        )
        self.built = True

    def call(self, inputs: Any) -> Any:
        b = self._engine.b
        pos = b.relu(inputs)
        neg = b.multiply(b.negative(self.alpha.value), b.relu(b.negative(inputs)))
        return b.add(pos, neg)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "shared_axes": self.shared_axes,
        }
