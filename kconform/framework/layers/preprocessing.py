"""Preprocessing layers: Rescaling, and Normalization with ``adapt``.

As in Keras 3: ``Normalization`` computes ``(x - mean) / max(sqrt(variance),
epsilon)`` with ``epsilon = 1e-7``; its ``adapt(data)`` takes the mean and the
population variance of the data over every axis but ``axis`` (NumPy on the
host for an array; batch by batch, combined exactly, for an iterable).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .layer import Layer

__all__ = ["CategoryEncoding", "Discretization", "Normalization", "Rescaling"]

#: Keras's ``backend.epsilon()``.
EPSILON = 1e-7


class Rescaling(Layer):
    """``inputs * scale + offset`` (e.g. ``Rescaling(1 / 255)`` for pixel values).

    ``scale`` and ``offset`` are numbers or arrays that broadcast against the
    inputs (one per channel, say).
    """

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def call(self, inputs: Any) -> Any:
        e = self._engine
        dtype = self.dtype
        x = e.cast(inputs, dtype)
        scale = e.tensor(np.asarray(self.scale), dtype)
        offset = e.tensor(np.asarray(self.offset), dtype)
        return e.b.add(e.b.multiply(x, scale), offset)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            return np.asarray(v).tolist() if not isinstance(v, (int, float)) else v

        return {
            **super().get_config(),
            "scale": plain(self.scale),
            "offset": plain(self.offset),
        }


class Normalization(Layer):
    """Shift and scale inputs to mean 0 and variance 1 per feature.

    Args:
        axis: The axis (or axes) that keep a mean and variance of their own;
            the others are reduced. Defaults to -1 (one per feature). None: one
            mean and variance for everything.
        mean, variance: Given values (then ``adapt`` is not needed).
        invert: Apply the inverse transformation, ``mean + x * std``.
    """

    def __init__(
        self,
        axis: Any = -1,
        mean: Any = None,
        variance: Any = None,
        invert: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        self.axis = tuple(axis)
        if (mean is None) != (variance is None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must be "
                f"set. Received: mean={mean} and variance={variance}"
            )
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        self._adapted = mean is not None

    def build(self, input_shape: Any) -> None:
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                "All `axis` values must be in the range [-ndim, ndim). Received "
                f"inputs with ndim={ndim}, while axis={self.axis}"
            )
        self._keep = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep:
            if input_shape[d] is None:
                raise ValueError(
                    f"All `axis` values to be kept must have a known shape. Received "
                    f"axis={self.axis}, inputs.shape={tuple(input_shape)}"
                )
        self._reduce = tuple(d for d in range(ndim) if d not in self._keep)
        self._broadcast = tuple(
            input_shape[d] if d in self._keep else 1 for d in range(ndim)
        )
        self._stat_shape = tuple(input_shape[d] for d in self._keep)
        self._build_shape = tuple(input_shape)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean",
                shape=self._stat_shape,
                initializer="zeros",
                trainable=False,
            )
            self.adapt_variance = self.add_weight(
                name="variance",
                shape=self._stat_shape,
                initializer="ones",
                trainable=False,
            )
            self.count = self.add_weight(
                name="count",
                shape=(),
                dtype="int32",
                initializer="zeros",
                trainable=False,
            )
        self.built = True

    def _given(self, value: Any) -> np.ndarray:
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim == 0:
            return np.broadcast_to(arr, self._broadcast)
        expanded = [1] * len(self._broadcast)
        for i in range(1, arr.ndim + 1):
            expanded[self._keep[-i]] = arr.shape[-i]
        return np.broadcast_to(arr.reshape(expanded), self._broadcast)

    def adapt(self, data: Any) -> None:
        """Set the mean and variance from ``data`` (an array, or batches of it)."""
        if isinstance(data, np.ndarray) or hasattr(data, "__array__"):
            arr = np.asarray(data)
            self._check_shape(arr.shape)
            mean = np.mean(arr, axis=self._reduce)
            var = np.var(arr, axis=self._reduce)
        elif isinstance(data, Iterable):
            mean, var = self._adapt_batches(data)
        else:
            raise TypeError(
                f"Unsupported data type: {type(data)}. `adapt` supports arrays and "
                "iterables of batches (a list of arrays, a generator)."
            )
        self.adapt_mean.assign(np.asarray(mean, np.float32).reshape(self._stat_shape))
        self.adapt_variance.assign(
            np.asarray(var, np.float32).reshape(self._stat_shape)
        )
        self._adapted = True

    def _check_shape(self, shape: tuple[int, ...]) -> None:
        if not self.built:
            self.build(shape)
            return
        for d in self._keep:
            if shape[d] != self._build_shape[d]:
                raise ValueError(
                    f"The layer was built with input_shape={self._build_shape}, but "
                    f"adapt() is being called with data with an incompatible shape, "
                    f"data.shape={tuple(shape)}"
                )

    def _adapt_batches(self, data: Iterable[Any]) -> tuple[np.ndarray, np.ndarray]:
        total_mean: Any = None
        total_var: Any = None
        count = 0
        for batch in data:
            if isinstance(batch, tuple):
                batch = batch[0]
            arr = np.asarray(batch, dtype=np.float32)
            self._check_shape(arr.shape)
            if total_mean is None:
                total_mean = np.zeros(self._stat_shape, np.float32)
                total_var = np.zeros(self._stat_shape, np.float32)
            b_mean = np.mean(arr, axis=self._reduce)
            b_var = np.var(arr, axis=self._reduce)
            b_count = math.prod(arr.shape[d] for d in self._reduce)
            count += b_count
            w = float(b_count) / count
            new_mean = total_mean * (1.0 - w) + b_mean * w
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1.0 - w) + (
                b_var + (b_mean - new_mean) ** 2
            ) * w
            total_mean = new_mean
        if total_mean is None:
            raise ValueError("adapt() received no batches.")
        return total_mean, total_var

    def call(self, inputs: Any) -> Any:
        e = self._engine
        b = e.b
        dtype = self.dtype
        x = e.cast(inputs, dtype)
        if self.input_mean is not None:
            mean = e.tensor(self._given(self.input_mean), dtype)
            variance = e.tensor(self._given(self.input_variance), dtype)
        else:
            mean = b.reshape(self.adapt_mean.value, self._broadcast)
            variance = b.reshape(self.adapt_variance.value, self._broadcast)
        std = b.maximum(b.sqrt(variance), e.const(EPSILON, dtype))
        if self.invert:
            return b.add(mean, b.multiply(x, std))
        return b.divide(b.subtract(x, mean), std)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            return None if v is None else np.asarray(v).tolist()

        return {
            **super().get_config(),
            "axis": (
                None
                if not self.axis
                else self.axis[0]
                if len(self.axis) == 1
                else list(self.axis)
            ),
            "invert": self.invert,
            "mean": plain(self.input_mean),
            "variance": plain(self.input_variance),
        }


class CategoryEncoding(Layer):
    """Integer categories to one-hot, multi-hot or count vectors (Keras 3 rules).

    ``"one_hot"``: one vector per integer (a trailing axis of 1 is dropped);
    ``"multi_hot"`` / ``"count"``: one vector per row of a 2-D input (per input
    for a 1-D one), marking or counting the categories present.
    """

    def __init__(
        self,
        num_tokens: int | None = None,
        output_mode: str = "multi_hot",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if num_tokens is None or num_tokens < 1:
            raise ValueError(
                "`num_tokens` for CategoryEncoding must be a positive integer. "
                f"Received: num_tokens={num_tokens}"
            )
        if output_mode not in ("one_hot", "multi_hot", "count"):
            raise ValueError(
                "Unknown arg for output_mode: expected one of 'one_hot', 'multi_hot', "
                f"'count'. Received: output_mode={output_mode}"
            )
        if sparse:
            raise ValueError(
                "`sparse=True` is not supported by the reference framework."
            )
        self.num_tokens, self.output_mode = int(num_tokens), output_mode

    def call(self, inputs: Any, count_weights: Any = None) -> Any:
        e = self._engine
        b = e.b
        x = e.cast(inputs, "int32")
        dtype = self.dtype
        shape = b.shape(x)
        if not shape:
            x = b.expand_dims(x, -1)
            shape = b.shape(x)
        if self.output_mode == "one_hot":
            if len(shape) > 1 and shape[-1] == 1:
                x = b.reshape(x, tuple(shape[:-1]))
            return b.one_hot(x, self.num_tokens, dtype)
        hot = b.one_hot(x, self.num_tokens, dtype)
        axis = 1 if len(shape) > 1 else 0
        if self.output_mode == "multi_hot":
            return b.max(hot, axis, False)
        if count_weights is not None:
            hot = b.multiply(
                hot, b.expand_dims(e.cast(e.tensor(count_weights), dtype), -1)
            )
        return b.sum(hot, axis, False)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = tuple(input_shape)
        if not shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot":
            if len(shape) > 1 and shape[-1] == 1:
                shape = shape[:-1]
            return shape + (self.num_tokens,)
        return (shape[0], self.num_tokens) if len(shape) > 1 else (self.num_tokens,)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_tokens": self.num_tokens,
            "output_mode": self.output_mode,
            "sparse": False,
        }


class Discretization(Layer):
    """Bucket values by ``bin_boundaries``: ``i`` where ``b[i-1] <= x < b[i]``.

    ``adapt`` places ``num_bins - 1`` boundaries at the data's quantiles.
    Output ``int64`` indices (``output_mode="int"``), or one-/multi-hot and
    count vectors of ``len(bin_boundaries) + 1`` bins.
    """

    def __init__(
        self,
        bin_boundaries: Any = None,
        num_bins: int | None = None,
        epsilon: float = 0.01,
        output_mode: str = "int",
        sparse: bool = False,
        dtype: str | None = None,
        **kwargs: Any,
    ) -> None:
        if dtype is None:
            dtype = "int64" if output_mode == "int" else None
        super().__init__(dtype=dtype, **kwargs)
        if (bin_boundaries is None) == (num_bins is None):
            raise ValueError(
                "Discretization needs exactly one of `bin_boundaries` and `num_bins`. "
                f"Received: bin_boundaries={bin_boundaries}, num_bins={num_bins}"
            )
        if sparse:
            raise ValueError(
                "`sparse=True` is not supported by the reference framework."
            )
        self.bin_boundaries = (
            None if bin_boundaries is None else [float(v) for v in bin_boundaries]
        )
        self.num_bins, self.epsilon, self.output_mode = num_bins, epsilon, output_mode

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Boundaries at the ``1/num_bins, 2/num_bins, ...`` quantiles of ``data``."""
        if self.num_bins is None:
            raise ValueError("`adapt` needs `num_bins` (bin_boundaries were given).")
        values = np.asarray(data, dtype=np.float64).ravel()
        qs = np.linspace(0, 1, self.num_bins + 1)[1:-1]
        self.bin_boundaries = [float(v) for v in np.quantile(values, qs)]

    def call(self, inputs: Any) -> Any:
        e = self._engine
        b = e.b
        if self.bin_boundaries is None:
            raise ValueError("Discretization has no boundaries yet: call `adapt`.")
        x = e.tensor(inputs)
        dtype = b.dtype(x) if b.dtype(x).startswith("float") else "float32"
        x = e.cast(x, dtype)
        index = None
        for edge in self.bin_boundaries:
            above = b.cast(b.greater_equal(x, e.const(edge, dtype)), "int32")
            index = above if index is None else b.add(index, above)
        if index is None:
            index = b.zeros(b.shape(x), "int32")
        if self.output_mode == "int":
            return e.cast(index, self.dtype)
        encoder = CategoryEncoding(
            len(self.bin_boundaries) + 1, output_mode=self.output_mode, dtype=self.dtype
        )
        encoder._engine = e
        return encoder.call(index)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self.output_mode == "int":
            return input_shape
        n = len(self.bin_boundaries or [0] * ((self.num_bins or 1) - 1)) + 1
        return CategoryEncoding(n, self.output_mode).compute_output_shape(input_shape)

    def _output_dtype(self, input_dtype: str) -> str:
        return self.dtype

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
        }
