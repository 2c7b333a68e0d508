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

    # Operators record ops in the graph, as Keras 3's do (``x + 1``, ``x[:, 0]``).
    def _op(self, name: str, other: Any, reflected: bool = False) -> Any:
        from .. import ops

        a, b = (other, self) if reflected else (self, other)
        return getattr(ops, name)(a, b)

    def __add__(self, o: Any) -> Any:
        return self._op("add", o)

    def __radd__(self, o: Any) -> Any:
        return self._op("add", o, True)

    def __sub__(self, o: Any) -> Any:
        return self._op("subtract", o)

    def __rsub__(self, o: Any) -> Any:
        return self._op("subtract", o, True)

    def __mul__(self, o: Any) -> Any:
        return self._op("multiply", o)

    def __rmul__(self, o: Any) -> Any:
        return self._op("multiply", o, True)

    def __truediv__(self, o: Any) -> Any:
        return self._op("divide", o)

    def __rtruediv__(self, o: Any) -> Any:
        return self._op("divide", o, True)

    def __matmul__(self, o: Any) -> Any:
        return self._op("matmul", o)

    def __rmatmul__(self, o: Any) -> Any:
        return self._op("matmul", o, True)

    def __pow__(self, o: Any) -> Any:
        return self._op("power", o)

    def __lt__(self, o: Any) -> Any:
        return self._op("less", o)

    def __gt__(self, o: Any) -> Any:
        return self._op("greater", o)

    def __le__(self, o: Any) -> Any:
        return self._op("less_equal", o)

    def __ge__(self, o: Any) -> Any:
        return self._op("greater_equal", o)

    def __neg__(self) -> Any:
        from .. import ops

        return ops.negative(self)

    def __abs__(self) -> Any:
        from .. import ops

        return ops.abs(self)

    def __getitem__(self, key: Any) -> Any:
        from .op_layer import get_item

        return get_item(self, key)

    __hash__ = object.__hash__

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
