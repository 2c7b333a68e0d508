"""`InputLayer` and `keras.Input`: the entry points of a functional graph."""

from __future__ import annotations

from typing import Any

from .. import _config
from ._graph import KerasTensor, Node
from .layer import Layer

__all__ = ["Input", "InputLayer"]

_DTYPES = ("float16", "bfloat16", "float32", "float64", "int32", "int64", "bool")


class InputLayer(Layer):
    """The layer behind ``keras.Input``: it holds the input's shape and dtype.

    Args:
        shape: Shape without the batch axis, e.g. ``(784,)``.
        batch_size: Optional fixed batch size.
        dtype: Dtype of the input, defaults to ``keras.config.floatx()``.
        batch_shape: Full shape with the batch axis (instead of ``shape``).
        name: Optional name.
    """

    def __init__(
        self,
        shape: Any = None,
        batch_size: int | None = None,
        dtype: str | None = None,
        sparse: Any = None,
        batch_shape: Any = None,
        input_tensor: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        kwargs.pop("trainable", None)
        super().__init__(name=name, **kwargs)
        if sparse:
            raise ValueError(
                "Sparse inputs are not supported by the reference framework."
            )
        if shape is not None and batch_shape is not None:
            raise ValueError(
                "You cannot pass both `shape` and `batch_shape` at the same time."
            )
        if batch_shape is None:
            if shape is None:
                raise ValueError(
                    "You must pass a `shape` argument, e.g. "
                    "`keras.Input(shape=(784,))`."
                )
            if not hasattr(shape, "__iter__") or isinstance(shape, (str, bytes)):
                # Keras 3 refuses it too (standardize_shape): an int is not a shape
                raise ValueError(
                    f"Cannot convert '{shape}' to a shape: `shape` is a tuple "
                    f"without the batch axis, e.g. `keras.Input(shape=({shape},))`."
                )
            shape = tuple(shape)
            batch_shape = (batch_size,) + shape
        batch_shape = tuple(batch_shape)
        for d in batch_shape:
            if d is not None and (not isinstance(d, int) or d < 0):
                raise ValueError(
                    "Received an invalid value for `shape`, expected a tuple of "
                    f"non-negative ints or None. Received: shape={batch_shape[1:]}"
                )
        dtype = dtype or _config.floatx()
        if dtype not in _DTYPES:
            raise ValueError(
                f"Received an invalid value for `dtype`, expected one of {_DTYPES}. "
                f"Received: dtype={dtype!r}"
            )
        self.batch_shape = batch_shape
        self.dtype = dtype
        self.built = True
        self.output_tensor = KerasTensor(batch_shape, dtype, name=self.name)
        Node(self, [], {}, self.output_tensor)
        del input_tensor

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self.batch_shape

    def get_config(self) -> dict[str, Any]:
        return {
            "batch_shape": list(self.batch_shape),
            "dtype": self.dtype,
            "name": self.name,
        }


def Input(
    shape: Any = None,
    batch_size: int | None = None,
    dtype: str | None = None,
    sparse: Any = None,
    batch_shape: Any = None,
    name: str | None = None,
    tensor: Any = None,
    optional: bool = False,
) -> KerasTensor:
    """Create a symbolic input tensor, the start of a functional model.

    Args:
        shape: Shape without the batch axis, e.g. ``(784,)``; ``None`` for an
            unknown length.
        batch_size: Optional fixed batch size.
        dtype: Dtype of the input, defaults to ``"float32"``.
        batch_shape: Full shape including the batch axis (instead of ``shape``).
        name: Optional name (used to match dict inputs by key).

    Returns:
        A :class:`KerasTensor`.

    Example:

    >>> inputs = keras.Input(shape=(784,))
    >>> outputs = keras.layers.Dense(10)(inputs)
    >>> model = keras.Model(inputs, outputs)
    """
    del tensor, optional
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        batch_shape=batch_shape,
        name=name,
    )
    return layer.output_tensor
