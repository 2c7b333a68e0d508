"""Helpers of `Layer`: input conversion, shape bookkeeping, tracing output shapes."""

from __future__ import annotations

import inspect
from typing import Any

from kconform.errors import KconformError

from .. import _tree
from .._engine import Engine, active_engine, current_engine
from ..variables import Variable
from ._context import CallContext, call_context
from ._graph import KerasTensor
from ._spec import is_shape

__all__ = [
    "collect_variables",
    "batch_shape_from",
    "call_takes",
    "shapes_to_tensors",
    "to_tensor",
    "trace_outputs",
]

_TRACE_BATCH = (
    2  # stand-in batch size when a layer's output shape is found by running it
)
_TAKES: dict[tuple[type, str], bool] = {}


def call_takes(cls: type, arg: str) -> bool:
    """Whether ``cls.call`` accepts the keyword ``arg`` (cached per class)."""
    key = (cls, arg)
    if key not in _TAKES:
        params = inspect.signature(cls.call).parameters
        _TAKES[key] = arg in params or any(
            p.kind is p.VAR_KEYWORD for p in params.values()
        )
    return _TAKES[key]


def first_call_argument(cls: type) -> str:
    """The name of the first argument of ``cls.call`` (``inputs``, ``query``...)."""
    params = [p for p in inspect.signature(cls.call).parameters if p != "self"]
    return params[0] if params else "inputs"


def trace_outputs(
    layer: Any,
    shapes: Any,
    symbolic: Any,
    rest: tuple[Any, ...] = (),
    call_kwargs: dict[str, Any] | None = None,
) -> tuple[Any, Any]:
    """Run ``call`` on zeros to learn the output shapes (batch axis -> None).

    ``rest`` and ``call_kwargs``: the call's other arguments, whose symbolic
    tensors are replaced by zeros of their shapes too.
    """
    engine = layer._engine or current_engine()
    if layer._engine is None:
        layer._bind(engine)
    dtypes = _tree.flatten(symbolic) if symbolic is not None else None

    def zeros(item: tuple[Any, Any]) -> Any:
        shape, dtype = item
        concrete = tuple(_TRACE_BATCH if d is None else d for d in shape)
        return engine.b.zeros(concrete, dtype)

    flat_shapes = _flatten_shapes(shapes)
    flat_dtypes = (
        [t.dtype for t in dtypes] if dtypes else [layer.dtype] * len(flat_shapes)
    )
    tensors = [zeros(x) for x in zip(flat_shapes, flat_dtypes)]
    packed = (
        tensors[0]
        if is_shape(shapes)
        else _tree.pack_like(_shape_structure(shapes), tensors)
    )

    def concrete(t: Any) -> Any:
        if isinstance(t, KerasTensor):
            return zeros((t.shape, t.dtype))
        return t

    kwargs = {
        k: _tree.map_structure(concrete, v) for k, v in (call_kwargs or {}).items()
    }
    if call_takes(type(layer), "training"):
        kwargs["training"] = False
    args = [_tree.map_structure(concrete, a) for a in rest]
    with call_context(CallContext(False, engine)), active_engine(engine):
        try:
            out = layer.call(packed, *args, **kwargs)
        except Exception as exc:
            raise KconformError(
                f"Could not infer the output shape of layer '{layer.name}' "
                f"({type(layer).__name__}) for input shape {shapes}: "
                f"{type(exc).__name__}: {exc}. Implement "
                "`compute_output_shape(input_shape)` on the layer."
            ) from exc
    batch_unknown = _flatten_shapes(shapes)[0][:1] == (None,)

    def shape_of(t: Any) -> tuple:
        s = tuple(engine.b.shape(t))
        return ((None,) + s[1:]) if batch_unknown and s[:1] == (_TRACE_BATCH,) else s

    return _tree.map_structure(shape_of, out), _tree.map_structure(engine.b.dtype, out)


def to_tensor(engine: Engine, t: Any) -> Any:
    if isinstance(t, Variable):
        return t.value
    if t is None or engine.b.is_tensor(t):
        return t
    return engine.tensor(t)


def batch_shape_from(
    cls_name: str, kw: dict[str, Any]
) -> tuple[int | None, ...] | None:
    if "batch_input_shape" in kw and kw["batch_input_shape"] is not None:
        return tuple(kw["batch_input_shape"])
    batch = kw.get("batch_size")
    if kw.get("input_shape") is not None:
        shape = kw["input_shape"]
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        return (batch,) + shape
    if kw.get("input_dim") is not None:
        dim = kw["input_dim"]
        if not isinstance(dim, int) or dim <= 0:
            raise ValueError(
                f"Received an invalid value for `input_dim` of {cls_name}, expected "
                f"a positive integer. Received: input_dim={dim!r}"
            )
        length = kw.get("input_length")
        return (batch, length, dim) if length else (batch, dim)
    if kw.get("input_length") is not None:
        return (batch, kw["input_length"])
    return None


def _flatten_shapes(shapes: Any) -> list[tuple]:
    if is_shape(shapes):
        return [tuple(shapes)]
    out: list[tuple] = []
    for s in shapes.values() if isinstance(shapes, dict) else shapes:
        out.extend(_flatten_shapes(s))
    return out


def _shape_structure(shapes: Any) -> Any:
    if is_shape(shapes):
        return 0
    if isinstance(shapes, dict):
        return {k: _shape_structure(v) for k, v in shapes.items()}
    return [_shape_structure(s) for s in shapes]


def shapes_to_tensors(shapes: Any, dtypes: Any, default_dtype: str, name: str) -> Any:
    if is_shape(shapes):
        dtype = dtypes if isinstance(dtypes, str) else default_dtype
        return KerasTensor(shapes, dtype, name=name)
    if isinstance(shapes, dict):
        return {
            k: shapes_to_tensors(
                v, dtypes[k] if isinstance(dtypes, dict) else None, default_dtype, name
            )
            for k, v in shapes.items()
        }
    dts = dtypes if isinstance(dtypes, (list, tuple)) else [None] * len(shapes)
    return [shapes_to_tensors(s, d, default_dtype, name) for s, d in zip(shapes, dts)]


def collect_variables(layer: Any, which: str) -> list[Any]:
    """A layer's variables (all, trainable or non_trainable), own ones first."""
    own = layer._own_variables
    trainable = [v for v in own if v.trainable]
    frozen = [v for v in own if not v.trainable]
    if which == "all":
        group = trainable + frozen
    elif which == "trainable":
        group = trainable if layer._trainable else []
    else:
        group = frozen if layer._trainable else own
    seen: set[int] = set()
    out: list[Any] = []
    for v in group + [w for sub in layer._layers for w in sub._variables(which)]:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out
