"""Operations on symbolic tensors: ``x + 1``, ``ops.concatenate([a, b])``, ``x[:, 0]``.

As in Keras 3, calling a ``keras.ops`` function (or an operator) on a
``keras.Input``-derived tensor records a node in the functional graph. Here
the node's layer is an :class:`OpLayer` naming the op; its positional
arguments (tensors and numbers) are packed into one list, and its other
arguments are static (JSON: saved with the model, never code).
"""

from __future__ import annotations

from typing import Any

from .layer import Layer

__all__ = ["OpLayer", "decode_key", "encode_key", "get_item", "symbolic_op"]


def encode_key(key: Any) -> Any:
    """An indexing key (ints, slices, None, Ellipsis, tuples) as JSON."""
    if isinstance(key, tuple):
        return {"tuple": [encode_key(k) for k in key]}
    if isinstance(key, slice):
        return {"slice": [key.start, key.stop, key.step]}
    if key is Ellipsis:
        return {"ellipsis": True}
    if key is None or isinstance(key, int):
        return key
    raise TypeError(
        f"Indexing a symbolic tensor with {key!r} is not supported: use ints, "
        "slices, None and ..."
    )


def decode_key(key: Any) -> Any:
    if isinstance(key, dict):
        if "tuple" in key:
            return tuple(decode_key(k) for k in key["tuple"])
        if "slice" in key:
            return slice(*key["slice"])
        if key.get("ellipsis"):
            return Ellipsis
    return key


def _get_item(x: Any, key: Any) -> Any:
    """``x[key]`` on a backend tensor: basic indexing through contract ops."""
    import numpy as np

    from .._engine import current_engine

    e = current_engine()
    b = e.b
    shape = b.shape(x)
    key = key if isinstance(key, tuple) else (key,)
    if Ellipsis in key:
        i = key.index(Ellipsis)
        fill = len(shape) - (len(key) - 1 - key.count(None))
        key = key[:i] + (slice(None),) * fill + key[i + 1 :]
    out, axis, squeeze, expand = x, 0, [], []
    for k in key:
        if k is None:
            expand.append(axis + len(expand) - len(squeeze))
            continue
        n = shape[axis]
        if isinstance(k, int):
            idx = k + n if k < 0 else k
            out = b.take(out, e.tensor(np.array([idx], "int32")), axis)
            squeeze.append(axis)
        else:
            idx = np.arange(n)[k].astype("int32")
            out = b.take(out, e.tensor(idx), axis)
        axis += 1
    if squeeze:
        out = b.squeeze(out, tuple(squeeze))
    for a in sorted(expand):
        out = b.expand_dims(out, a)
    return out


def _template(value: Any, inputs: list[Any]) -> Any:
    """``value`` as JSON with each symbolic tensor replaced by ``{"__input__": i}``."""
    import numpy as np

    from ._graph import KerasTensor

    if isinstance(value, KerasTensor):
        inputs.append(value)
        return {"__input__": len(inputs) - 1}
    if isinstance(value, (list, tuple)):
        items = [_template(v, inputs) for v in value]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, (np.ndarray, np.generic)):
        return {"__array__": np.asarray(value).tolist(), "dtype": str(value.dtype)}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(
        f"A symbolic op cannot record the argument {value!r}: use tensors, numbers, "
        "strings, lists and NumPy arrays."
    )


def _filled(template: Any, inputs: list[Any]) -> Any:
    import numpy as np

    if isinstance(template, dict):
        if "__input__" in template:
            return inputs[template["__input__"]]
        if "__tuple__" in template:
            return tuple(_filled(v, inputs) for v in template["__tuple__"])
        if "__array__" in template:
            return np.asarray(template["__array__"], dtype=template["dtype"])
    if isinstance(template, list):
        return [_filled(v, inputs) for v in template]
    return template


class OpLayer(Layer):
    """One ``keras.ops`` function applied in a functional graph.

    Args:
        op: The function's name in ``keras.ops`` (or ``"get_item"``).
        args: Its positional arguments as JSON, each symbolic tensor a
            ``{"__input__": i}`` standing for the ``i``-th tensor the layer is
            called on.
        op_kwargs: Its keyword arguments (JSON values).
    """

    def __init__(
        self,
        op: str,
        args: Any = None,
        op_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.op = op
        self.args = [] if args is None else list(args)
        self.op_kwargs = dict(op_kwargs or {})
        if op != "get_item":
            self._function()  # refuse an unknown op now

    def _function(self) -> Any:
        from .. import ops

        fn = getattr(ops, self.op, None) if not self.op.startswith("_") else None
        if fn is None:
            raise ValueError(f"Unknown op {self.op!r}: it is not in keras.ops.")
        return getattr(fn, "__wrapped__", fn)

    def call(self, inputs: Any) -> Any:
        tensors = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        args = _filled(self.args, tensors)
        if self.op == "get_item":
            return _get_item(args[0], decode_key(self.op_kwargs["key"]))
        static = {k: _filled(v, []) for k, v in self.op_kwargs.items()}
        return self._function()(*args, **static)

    def _output_dtype(self, input_dtype: str) -> str:
        return input_dtype

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "op": self.op,
            "args": self.args,
            "op_kwargs": self.op_kwargs,
        }


def symbolic_op(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The symbolic result of ``keras.ops.<op>(*args, **kwargs)``."""
    from .._tree import flatten
    from ._graph import KerasTensor

    if any(isinstance(t, KerasTensor) for t in flatten(list(kwargs.values()))):
        raise TypeError(
            f"ops.{op}: pass symbolic tensors as positional arguments, not by keyword."
        )
    inputs: list[Any] = []
    template = _template(list(args), inputs)
    static = {k: _template(v, []) for k, v in kwargs.items()}
    return OpLayer(op, template, static)(inputs if len(inputs) > 1 else inputs[0])


def get_item(tensor: Any, key: Any) -> Any:
    """``tensor[key]`` of a symbolic tensor, as a node of the graph."""
    return OpLayer("get_item", [{"__input__": 0}], {"key": encode_key(key)})(tensor)
