"""Symbolic tensors and call nodes: the graph a functional model is made of."""

from __future__ import annotations

from typing import Any

from .. import _tree

__all__ = ["KerasTensor", "Node", "any_symbolic", "replace_symbolic"]


class KerasTensor:
    """A symbolic tensor: a shape (``None`` for unknown sizes) and a dtype, no values.

    ``keras.Input`` returns one; calling a layer on one returns another, and
    records the call in a :class:`Node` so that ``keras.Model(inputs, outputs)``
    can replay it on real data.
    """

    def __init__(
        self,
        shape: tuple[int | None, ...],
        dtype: str = "float32",
        name: str | None = None,
    ) -> None:
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.name = name
        self._node: Node | None = None
        self._index = 0

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def _no_ops(self, *args: Any) -> Any:
        raise TypeError(
            "Arithmetic on symbolic `keras.Input` tensors is not supported by the "
            "reference framework. Use layers instead, e.g. `layers.Add()([a, b])`, "
            "or wrap the computation in a custom `Layer`."
        )

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _no_ops
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __neg__ = _no_ops

    def __bool__(self) -> bool:
        raise TypeError("A symbolic KerasTensor has no truth value.")


class Node:
    """One call of a layer on symbolic inputs.

    Args:
        layer: The layer called.
        args: The structure of its ``inputs`` argument (KerasTensors at the leaves).
        kwargs: Other keyword arguments of the call (may hold KerasTensors too,
            e.g. an LSTM's ``initial_state``).
        rest: Further positional arguments (an attention layer's ``value``).
        outputs: The structure of symbolic outputs.
    """

    def __init__(
        self,
        layer: Any,
        args: Any,
        kwargs: dict[str, Any],
        outputs: Any,
        rest: tuple[Any, ...] = (),
    ) -> None:
        self.layer = layer
        self.args = args
        self.rest = tuple(rest)
        self.kwargs = kwargs
        self.outputs = outputs
        self.input_tensors = [
            t
            for t in _tree.flatten([args, list(self.rest), list(kwargs.values())])
            if isinstance(t, KerasTensor)
        ]
        self.output_tensors = _tree.flatten(outputs)
        for i, t in enumerate(self.output_tensors):
            t._node, t._index = self, i
        layer._inbound_nodes.append(self)

    @property
    def parents(self) -> list[Node]:
        return [t._node for t in self.input_tensors if t._node is not None]


def any_symbolic(s: Any) -> bool:
    """Whether any leaf of ``s`` is a :class:`KerasTensor`."""
    return any(isinstance(t, KerasTensor) for t in _tree.flatten(s))


def replace_symbolic(s: Any, values: dict[int, Any]) -> Any:
    """``s`` with each KerasTensor leaf replaced by ``values[id(tensor)]``."""
    return _tree.map_structure(
        lambda t: values[id(t)] if isinstance(t, KerasTensor) else t, s
    )
