"""Input specifications: what rank and sizes a layer accepts, checked on every call."""

from __future__ import annotations

from typing import Any

__all__ = ["InputSpec", "check_input", "is_shape"]


def is_shape(s: Any) -> bool:
    """Whether ``s`` is one shape (ints and None), not a structure of shapes."""
    return isinstance(s, (tuple, list)) and all(
        d is None or isinstance(d, int) for d in s
    )


class InputSpec:
    """The rank and axis sizes a layer's input must have.

    Args:
        ndim: Exact rank expected.
        min_ndim: Minimum rank expected.
        axes: ``{axis: size}`` sizes expected at given axes (negative allowed).
    """

    def __init__(
        self,
        ndim: int | None = None,
        min_ndim: int | None = None,
        axes: dict[int, int] | None = None,
    ) -> None:
        self.ndim, self.min_ndim, self.axes = ndim, min_ndim, dict(axes or {})


def _check_one(layer: Any, spec: InputSpec, shape: tuple, index: int) -> None:
    where = f'Input {index} of layer "{layer.name}" is incompatible with the layer'
    shape = tuple(shape)
    if spec.ndim is not None and len(shape) != spec.ndim:
        raise ValueError(
            f"{where}: expected ndim={spec.ndim}, found ndim={len(shape)}. "
            f"Full shape received: {shape}"
        )
    if spec.min_ndim is not None and len(shape) < spec.min_ndim:
        raise ValueError(
            f"{where}: expected min_ndim={spec.min_ndim}, found ndim={len(shape)}. "
            f"Full shape received: {shape}"
        )
    for axis, size in spec.axes.items():
        if -len(shape) <= axis < len(shape):
            got = shape[axis]
            if got is not None and size is not None and got != size:
                raise ValueError(
                    f"{where}: expected axis {axis} of input shape to have value "
                    f"{size}, but received input with shape {shape}"
                )


def check_input(layer: Any, shapes: Any) -> None:
    """Raise a Keras-style ValueError if ``shapes`` do not fit ``layer.input_spec``."""
    spec = layer.input_spec
    if isinstance(spec, InputSpec):
        if not is_shape(shapes):
            raise ValueError(
                f'Layer "{layer.name}" expects 1 input, but it received '
                f"{len(shapes)} input tensors."
            )
        _check_one(layer, spec, shapes, 0)
        return
    shapes = list(shapes.values()) if isinstance(shapes, dict) else list(shapes)
    if len(spec) != len(shapes):
        raise ValueError(
            f'Layer "{layer.name}" expects {len(spec)} input(s), but it received '
            f"{len(shapes)} input tensors."
        )
    for i, (s, shape) in enumerate(zip(spec, shapes)):
        if s is not None:
            _check_one(layer, s, shape, i)
