"""Merging layers (Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum,
Dot) and their functional interfaces (``layers.add([a, b])``...)."""

from __future__ import annotations

from typing import Any

from ._spec import is_shape
from .layer import Layer

__all__ = [
    "Add",
    "Average",
    "Concatenate",
    "Dot",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]


def _as_list(layer: Layer, inputs: Any, minimum: int = 2) -> list[Any]:
    if isinstance(inputs, dict):
        inputs = list(inputs.values())
    if not isinstance(inputs, (list, tuple)) or len(inputs) < minimum:
        raise ValueError(
            f"A merge layer ('{layer.name}') should be called on a list of at least "
            f"{minimum} inputs. Received: inputs={inputs!r}"
        )
    return list(inputs)


def _merged_mask(layer: Layer, masks: Any) -> Any:
    """Keras's merge mask: the AND of the inputs' masks (None if none has one)."""
    if not isinstance(masks, (list, tuple)):
        return masks
    present = [m for m in masks if m is not None]
    if not present:
        return None
    b = layer._engine.b
    out = b.cast(present[0], "bool")
    for m in present[1:]:
        out = b.logical_and(out, b.cast(m, "bool"))
    return out


class _Merge(Layer):
    _op = "add"
    supports_masking = True

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return _merged_mask(self, mask)

    def build(self, input_shape: Any) -> None:
        shapes = _as_list(self, input_shape)
        if any(not is_shape(s) for s in shapes):
            raise ValueError(f"Layer '{self.name}' expects a flat list of tensors.")
        self._check_shapes(shapes)
        self.built = True

    def _check_shapes(self, shapes: list[Any]) -> None:
        first = tuple(shapes[0])
        for s in shapes[1:]:
            if len(s) != len(first) or any(
                a is not None and c is not None and a != c and 1 not in (a, c)
                for a, c in zip(first[1:], tuple(s)[1:])
            ):
                raise ValueError(
                    f"Inputs of layer '{self.name}' ({type(self).__name__}) must have "
                    "the same shape. Received: "
                    f"input_shape={[tuple(x) for x in shapes]}"
                )

    def call(self, inputs: Any) -> Any:
        b = self._engine.b
        items = _as_list(self, inputs)
        out = items[0]
        op = getattr(b, self._op)
        for x in items[1:]:
            out = op(out, x)
        return out

    def compute_output_shape(self, input_shape: Any) -> Any:
        shapes = [tuple(s) for s in _as_list(self, input_shape)]
        return tuple(
            next((s[i] for s in shapes if s[i] not in (None, 1)), shapes[0][i])
            for i in range(len(shapes[0]))
        )

    def _output_dtype(self, input_dtype: str) -> str:
        return input_dtype


class Add(_Merge):
    """Elementwise sum of a list of tensors of the same shape."""

    _op = "add"


class Multiply(_Merge):
    """Elementwise product of a list of tensors of the same shape."""

    _op = "multiply"


class Maximum(_Merge):
    """Elementwise maximum of a list of tensors."""

    _op = "maximum"


class Minimum(_Merge):
    """Elementwise minimum of a list of tensors."""

    _op = "minimum"


class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    _op = "subtract"

    def build(self, input_shape: Any) -> None:
        if len(_as_list(self, input_shape)) != 2:
            raise ValueError(
                f"A `Subtract` layer ('{self.name}') should be called on exactly 2 "
                "inputs."
            )
        super().build(input_shape)


class Average(_Merge):
    """Elementwise mean of a list of tensors."""

    def call(self, inputs: Any) -> Any:
        e = self._engine
        items = _as_list(self, inputs)
        out = items[0]
        for x in items[1:]:
            out = e.b.add(out, x)
        return e.b.divide(out, e.const(float(len(items)), e.b.dtype(out)))


class Concatenate(Layer):
    """Concatenate a list of tensors along ``axis`` (the last by default)."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape: Any) -> None:
        shapes = [tuple(s) for s in _as_list(self, input_shape, minimum=1)]
        ndim = len(shapes[0])
        axis = self.axis % ndim
        for s in shapes[1:]:
            if len(s) != ndim or any(
                i != axis and a is not None and c is not None and a != c
                for i, (a, c) in enumerate(zip(shapes[0], s))
            ):
                raise ValueError(
                    "A `Concatenate` layer requires inputs with matching shapes except "
                    f"for the concatenation axis. Received: input_shape={shapes}"
                )
        self.built = True

    def call(self, inputs: Any) -> Any:
        return self._engine.b.concatenate(_as_list(self, inputs, minimum=1), self.axis)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """Joined along a time axis, the masks are joined too (all-True where an
        input has none); along the feature axis, their AND."""
        if not isinstance(mask, (list, tuple)) or all(m is None for m in mask):
            return None
        b = self._engine.b
        items = _as_list(self, inputs, minimum=1)
        ndim = len(b.shape(items[0]))
        if self.axis % ndim == ndim - 1:
            return _merged_mask(self, mask)
        full = [
            b.cast(m, "bool")
            if m is not None
            else b.full(b.shape(x)[: ndim - 1], True, "bool")
            for m, x in zip(mask, items)
        ]
        return b.concatenate(full, self.axis % ndim)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shapes = [tuple(s) for s in _as_list(self, input_shape, minimum=1)]
        axis = self.axis % len(shapes[0])
        sizes = [s[axis] for s in shapes]
        out = list(shapes[0])
        out[axis] = None if None in sizes else sum(sizes)
        for i in range(len(out)):
            if i != axis and out[i] is None:
                out[i] = next((s[i] for s in shapes if s[i] is not None), None)
        return tuple(out)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class Dot(Layer):
    """Dot product of two batches of tensors along ``axes`` (Keras ``batch_dot``).

    ``Dot(axes=1)([a, b])`` of two ``(batch, n)`` inputs is ``(batch, 1)``;
    ``Dot(axes=(2, 2))`` of ``(batch, n, d)`` and ``(batch, m, d)`` is
    ``(batch, n, m)``. ``normalize=True`` L2-normalises both inputs along the
    axes first (cosine proximity).
    """

    def __init__(self, axes: Any, normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axes, int):
            axes = (axes, axes)
        if len(axes) != 2 or not all(isinstance(a, int) for a in axes):
            raise ValueError(
                "Invalid format for argument `axes`: an integer or a pair of "
                f"integers. Received: axes={axes!r}"
            )
        self.axes = tuple(axes)
        self.normalize = normalize

    def _resolved(self, shapes: list[tuple[Any, ...]]) -> tuple[int, int]:
        return tuple(a % len(s) for a, s in zip(self.axes, shapes))  # type: ignore[return-value]

    def build(self, input_shape: Any) -> None:
        shapes = [tuple(s) for s in _as_list(self, input_shape)]
        if len(shapes) != 2:
            raise ValueError(f"A `Dot` layer ('{self.name}') takes exactly 2 inputs.")
        a1, a2 = self._resolved(shapes)
        n1, n2 = shapes[0][a1], shapes[1][a2]
        if n1 is not None and n2 is not None and n1 != n2:
            raise ValueError(
                f"Incompatible input shapes for Dot: axis {a1} of {shapes[0]} and "
                f"axis {a2} of {shapes[1]} differ ({n1} vs {n2})."
            )
        self.built = True

    def call(self, inputs: Any) -> Any:
        e = self._engine
        b = e.b
        x1, x2 = _as_list(self, inputs)
        a1, a2 = self._resolved([b.shape(x1), b.shape(x2)])
        if self.normalize:
            from ..ops_numpy import normalize

            x1, x2 = normalize(x1, axis=a1), normalize(x2, axis=a2)
        letters = iter("bcdefghijklmnopqrstuvwxyz")
        s1 = ["a"] + [next(letters) for _ in b.shape(x1)[1:]]
        s2 = ["a"] + [next(letters) for _ in b.shape(x2)[1:]]
        s2[a2] = s1[a1]
        out = [c for i, c in enumerate(s1) if i != a1]
        out += [c for i, c in enumerate(s2) if i not in (0, a2)]
        result = b.einsum(f"{''.join(s1)},{''.join(s2)}->{''.join(out)}", [x1, x2])
        if len(out) == 1:
            result = b.expand_dims(result, 1)
        return result

    def compute_output_shape(self, input_shape: Any) -> Any:
        s1, s2 = (tuple(s) for s in _as_list(self, input_shape))
        a1, a2 = self._resolved([s1, s2])
        out = [d for i, d in enumerate(s1) if i != a1]
        out += [d for i, d in enumerate(s2) if i not in (0, a2)]
        return tuple(out) if len(out) > 1 else (out[0], 1)

    def _output_dtype(self, input_dtype: str) -> str:
        return input_dtype

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axes": list(self.axes),
            "normalize": self.normalize,
        }


# -- the functional interface: `layers.add([a, b])` is `layers.Add()([a, b])` ----------
def add(inputs: Any, **kwargs: Any) -> Any:
    """Functional interface to :class:`Add`."""
    return Add(**kwargs)(inputs)


def subtract(inputs: Any, **kwargs: Any) -> Any:
    """Functional interface to :class:`Subtract`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: Any, **kwargs: Any) -> Any:
    """Functional interface to :class:`Multiply`."""
    return Multiply(**kwargs)(inputs)


def average(inputs: Any, **kwargs: Any) -> Any:
    """Functional interface to :class:`Average`."""
    return Average(**kwargs)(inputs)


def maximum(inputs: Any, **kwargs: Any) -> Any:
    """Functional interface to :class:`Maximum`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: Any, **kwargs: Any) -> Any:
    """Functional interface to :class:`Minimum`."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: Any, axis: int = -1, **kwargs: Any) -> Any:
    """Functional interface to :class:`Concatenate`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: Any, axes: Any = -1, normalize: bool = False, **kwargs: Any) -> Any:
    """Functional interface to :class:`Dot`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
