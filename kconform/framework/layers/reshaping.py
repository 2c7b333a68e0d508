"""Reshaping layers: RepeatVector, Permute, UpSampling, ZeroPadding, Cropping.

Channels-last only, as the rest of the framework: inputs are
``(batch, steps, channels)`` (1D) or ``(batch, height, width, channels)`` (2D).
"""

from __future__ import annotations

from typing import Any

from ._spec import InputSpec
from .conv import _channels_last, _tuple
from .core import positive_int
from .layer import Layer

__all__ = [
    "Cropping1D",
    "Cropping2D",
    "Permute",
    "RepeatVector",
    "UpSampling1D",
    "UpSampling2D",
    "ZeroPadding1D",
    "ZeroPadding2D",
]


class _SameDtype(Layer):
    def _output_dtype(self, input_dtype: str) -> str:
        return input_dtype


def _times(size: Any, n: int) -> Any:
    return None if size is None else size * n


class RepeatVector(_SameDtype):
    """Repeat a ``(batch, features)`` input ``n`` times: ``(batch, n, features)``."""

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = positive_int(n, "n")
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs: Any) -> Any:
        b = self._engine.b
        batch, features = b.shape(inputs)
        return b.broadcast_to(b.expand_dims(inputs, 1), (batch, self.n, features))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n": self.n}


class Permute(_SameDtype):
    """Permute the non-batch axes: ``dims`` is a permutation of ``1..ndim-1``."""

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. The set of "
                "indices in `dims` must be consecutive and start from 1. "
                f"Received dims={dims}"
            )
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs: Any) -> Any:
        return self._engine.b.transpose(inputs, (0, *self.dims))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": list(self.dims)}


def _repeat_axes(b: Any, x: Any, factors: tuple[int, ...]) -> Any:
    """Repeat each entry of the spatial axes ``1..k`` by ``factors`` (nearest)."""
    shape = b.shape(x)
    k = len(factors)
    expanded: list[int] = [shape[0]]
    target: list[int] = [shape[0]]
    for n, f in zip(shape[1 : 1 + k], factors):
        expanded += [n, 1]
        target += [n, f]
    rest = list(shape[1 + k :])
    x = b.reshape(x, tuple(expanded + rest))
    x = b.broadcast_to(x, tuple(target + rest))
    out = [shape[0]] + [n * f for n, f in zip(shape[1 : 1 + k], factors)] + rest
    return b.reshape(x, tuple(out))


class UpSampling1D(_SameDtype):
    """Repeat each step ``size`` times: ``(batch, steps * size, channels)``."""

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.size = positive_int(size, "size")
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs: Any) -> Any:
        return _repeat_axes(self._engine.b, inputs, (self.size,))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], _times(input_shape[1], self.size), input_shape[2])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size}


class UpSampling2D(_SameDtype):
    """Repeat rows and columns by ``size`` (nearest-neighbour interpolation)."""

    def __init__(
        self,
        size: Any = (2, 2),
        data_format: str | None = None,
        interpolation: str = "nearest",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        _channels_last(data_format)
        if interpolation != "nearest":
            raise ValueError(
                "UpSampling2D supports interpolation='nearest' only in the reference "
                f"framework. Received: interpolation={interpolation!r}"
            )
        self.size = _tuple(size, 2, "size")
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs: Any) -> Any:
        return _repeat_axes(self._engine.b, inputs, self.size)

    def compute_output_shape(self, input_shape: Any) -> Any:
        h, w = (_times(n, f) for n, f in zip(input_shape[1:3], self.size))
        return (input_shape[0], h, w, input_shape[3])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "size": list(self.size),
            "data_format": "channels_last",
            "interpolation": self.interpolation,
        }


def _pairs(value: Any, k: int, name: str) -> tuple[tuple[int, int], ...]:
    """``1``, ``(1, 2)`` or ``((1, 2), (3, 4))`` as a (before, after) pair per axis."""
    if isinstance(value, int):
        pairs = [(value, value)] * k
    elif k == 1 and len(value) == 2 and all(isinstance(v, int) for v in value):
        pairs = [tuple(value)]
    elif len(value) == k and all(isinstance(v, int) for v in value):
        pairs = [(v, v) for v in value]
    elif len(value) == k:
        pairs = [tuple(v) for v in value]
    else:
        raise ValueError(f"Invalid `{name}`: {value!r}")
    if any(len(p) != 2 or min(p) < 0 for p in pairs):
        raise ValueError(
            f"`{name}` must hold non-negative integers. Received: {name}={value!r}"
        )
    return tuple((int(a), int(c)) for a, c in pairs)


def _plus(size: Any, pair: tuple[int, int], sign: int) -> Any:
    return None if size is None else size + sign * (pair[0] + pair[1])


class _ZeroPadding(_SameDtype):
    k = 1

    def __init__(self, padding: Any = 1, data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        _channels_last(data_format)
        self.padding = _pairs(padding, self.k, "padding")
        self.input_spec = InputSpec(ndim=self.k + 2)

    def call(self, inputs: Any) -> Any:
        return self._engine.b.pad(inputs, ((0, 0), *self.padding, (0, 0)), 0.0)

    def compute_output_shape(self, input_shape: Any) -> Any:
        spatial = (_plus(n, p, 1) for n, p in zip(input_shape[1:-1], self.padding))
        return (input_shape[0], *spatial, input_shape[-1])

    def get_config(self) -> dict[str, Any]:
        padding: Any = [list(p) for p in self.padding]
        return {
            **super().get_config(),
            "padding": padding[0] if self.k == 1 else padding,
        }


class ZeroPadding1D(_ZeroPadding):
    """Pad the steps axis with zeros (``padding``: an int or a (before, after) pair)."""

    k = 1


class ZeroPadding2D(_ZeroPadding):
    """Pad rows and columns with zeros (an int, two ints, or two pairs)."""

    k = 2


class _Cropping(_SameDtype):
    k = 1

    def __init__(
        self, cropping: Any = 1, data_format: str | None = None, **kwargs: Any
    ):
        super().__init__(**kwargs)
        _channels_last(data_format)
        self.cropping = _pairs(cropping, self.k, "cropping")
        self.input_spec = InputSpec(ndim=self.k + 2)

    def build(self, input_shape: Any) -> None:
        for n, (lo, hi) in zip(input_shape[1:-1], self.cropping):
            if n is not None and lo + hi >= n:
                raise ValueError(
                    f"Layer '{self.name}': cropping {self.cropping} leaves nothing of "
                    f"an input of shape {tuple(input_shape)}."
                )
        self.built = True

    def call(self, inputs: Any) -> Any:
        b = self._engine.b
        shape = b.shape(inputs)
        start = (0, *(lo for lo, _ in self.cropping), 0)
        size = (
            shape[0],
            *(n - lo - hi for n, (lo, hi) in zip(shape[1:-1], self.cropping)),
            shape[-1],
        )
        return b.slice(inputs, start, size)

    def compute_output_shape(self, input_shape: Any) -> Any:
        spatial = (_plus(n, p, -1) for n, p in zip(input_shape[1:-1], self.cropping))
        return (input_shape[0], *spatial, input_shape[-1])

    def get_config(self) -> dict[str, Any]:
        crop: Any = [list(p) for p in self.cropping]
        return {**super().get_config(), "cropping": crop[0] if self.k == 1 else crop}


class Cropping1D(_Cropping):
    """Cut ``cropping`` steps from the start and end of the steps axis."""

    k = 1


class Cropping2D(_Cropping):
    """Cut rows and columns from the borders (an int, two ints, or two pairs)."""

    k = 2
