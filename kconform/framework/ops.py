"""``keras.ops``: tensor functions for custom layers, on the running layer's backend.

Inside a layer's ``call`` these run on the backend the model is bound to;
outside one, on the default backend. Arguments may be tensors of that
backend, :class:`~kconform.framework.variables.Variable` objects, NumPy arrays
or Python numbers (a Python number takes the dtype of the tensor beside it,
as in Keras).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._engine import Engine, current_engine
from .variables import Variable

__all__ = [
    "abs",
    "add",
    "argmax",
    "argmin",
    "cast",
    "clip",
    "concatenate",
    "convert_to_numpy",
    "convert_to_tensor",
    "cos",
    "divide",
    "dtype",
    "equal",
    "exp",
    "expand_dims",
    "gelu",
    "greater",
    "less",
    "log",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "multiply",
    "negative",
    "one_hot",
    "ones",
    "power",
    "relu",
    "reshape",
    "rsqrt",
    "shape",
    "sigmoid",
    "sin",
    "softmax",
    "softplus",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "stop_gradient",
    "subtract",
    "sum",
    "take",
    "tanh",
    "transpose",
    "var",
    "where",
    "zeros",
]


def _t(e: Engine, x: Any, like: Any = None) -> Any:
    if isinstance(x, Variable):
        return x.value
    if e.b.is_tensor(x):
        return x
    if (
        like is not None
        and isinstance(x, (int, float, bool))
        and not isinstance(x, np.ndarray)
    ):
        return e.const(x, e.b.dtype(like))
    return e.tensor(x)


def _binary(name: str):
    def fn(x1: Any, x2: Any) -> Any:
        e = current_engine()
        a = x1.value if isinstance(x1, Variable) else x1
        b = x2.value if isinstance(x2, Variable) else x2
        a = _t(e, a, b if e.b.is_tensor(b) else None)
        b = _t(e, b, a)
        return getattr(e.b, name)(a, b)

    fn.__name__ = name
    fn.__doc__ = f"Elementwise ``{name}`` of two tensors (broadcast)."
    return fn


def _unary(name: str):
    def fn(x: Any) -> Any:
        e = current_engine()
        return getattr(e.b, name)(_t(e, x))

    fn.__name__ = name
    fn.__doc__ = f"Elementwise ``{name}``."
    return fn


add, subtract, multiply, divide = (
    _binary(n) for n in ("add", "subtract", "multiply", "divide")
)
power, maximum, minimum, matmul = (
    _binary(n) for n in ("power", "maximum", "minimum", "matmul")
)
equal, greater, less = (_binary(n) for n in ("equal", "greater", "less"))
abs, exp, log, sqrt, rsqrt = (_unary(n) for n in ("abs", "exp", "log", "sqrt", "rsqrt"))
square, tanh, sin, cos, negative = (
    _unary(n) for n in ("square", "tanh", "sin", "cos", "negative")
)
relu, sigmoid, softplus = (_unary(n) for n in ("relu", "sigmoid", "softplus"))
stop_gradient = _unary("stop_gradient")


def _reduction(name: str):
    def fn(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
        e = current_engine()
        if isinstance(axis, list):
            axis = tuple(axis)
        return getattr(e.b, name)(_t(e, x), axis, keepdims)

    fn.__name__ = name
    fn.__doc__ = f"``{name}`` over ``axis`` (None: all axes)."
    return fn


sum, mean, max, min, var, std = (
    _reduction(n) for n in ("sum", "mean", "max", "min", "var", "std")
)
logsumexp, argmax, argmin = (_reduction(n) for n in ("logsumexp", "argmax", "argmin"))


def convert_to_tensor(x: Any, dtype: str | None = None) -> Any:
    """Convert ``x`` to a tensor of the current backend."""
    e = current_engine()
    if isinstance(x, Variable):
        x = x.value
    return e.tensor(x, dtype)


def convert_to_numpy(x: Any) -> np.ndarray:
    """Convert a tensor (or Variable) to a NumPy array."""
    if isinstance(x, Variable):
        return x.numpy()
    return current_engine().numpy(x)


def cast(x: Any, dtype: str) -> Any:
    """Cast ``x`` to ``dtype``."""
    e = current_engine()
    return e.b.cast(_t(e, x), dtype)


def shape(x: Any) -> tuple[int, ...]:
    """Static shape of ``x``."""
    if isinstance(x, Variable):
        return x.shape
    return current_engine().b.shape(x)


def dtype(x: Any) -> str:
    """Dtype name of ``x``."""
    if isinstance(x, Variable):
        return x.dtype
    return current_engine().b.dtype(x)


def reshape(x: Any, newshape: tuple[int, ...]) -> Any:
    """Reshape ``x``; one entry may be -1."""
    e = current_engine()
    return e.b.reshape(_t(e, x), tuple(newshape))


def transpose(x: Any, axes: Any = None) -> Any:
    """Permute axes (None reverses them)."""
    e = current_engine()
    return e.b.transpose(_t(e, x), None if axes is None else tuple(axes))


def expand_dims(x: Any, axis: int) -> Any:
    """Insert a length-1 axis."""
    e = current_engine()
    return e.b.expand_dims(_t(e, x), axis)


def squeeze(x: Any, axis: Any = None) -> Any:
    """Remove length-1 axes."""
    e = current_engine()
    return e.b.squeeze(_t(e, x), axis)


def concatenate(xs: Any, axis: int = 0) -> Any:
    """Join tensors along an existing axis."""
    e = current_engine()
    return e.b.concatenate([_t(e, x) for x in xs], axis)


def stack(xs: Any, axis: int = 0) -> Any:
    """Join tensors along a new axis."""
    e = current_engine()
    return e.b.stack([_t(e, x) for x in xs], axis)


def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
    """Split along ``axis``, as ``numpy.split``."""
    e = current_engine()
    if isinstance(indices_or_sections, list):
        indices_or_sections = tuple(indices_or_sections)
    return e.b.split(_t(e, x), indices_or_sections, axis)


def take(x: Any, indices: Any, axis: int | None = None) -> Any:
    """Gather entries along ``axis``."""
    e = current_engine()
    return e.b.take(_t(e, x), _t(e, indices), axis)


def where(condition: Any, x1: Any, x2: Any) -> Any:
    """``x1`` where ``condition`` else ``x2``."""
    e = current_engine()
    c = _t(e, condition)
    a = x1.value if isinstance(x1, Variable) else x1
    b = x2.value if isinstance(x2, Variable) else x2
    a = _t(e, a, b if e.b.is_tensor(b) else None)
    b = _t(e, b, a)
    return e.b.where(c, a, b)


def clip(x: Any, x_min: Any, x_max: Any) -> Any:
    """Clamp to ``[x_min, x_max]``."""
    e = current_engine()
    return e.b.clip(_t(e, x), x_min, x_max)


def softmax(x: Any, axis: int = -1) -> Any:
    """Softmax along ``axis``."""
    e = current_engine()
    return e.b.softmax(_t(e, x), axis)


def log_softmax(x: Any, axis: int = -1) -> Any:
    """Log-softmax along ``axis``."""
    e = current_engine()
    return e.b.log_softmax(_t(e, x), axis)


def gelu(x: Any, approximate: bool = True) -> Any:
    """GELU (Keras ``ops.gelu`` defaults to the tanh approximation)."""
    e = current_engine()
    return e.b.gelu(_t(e, x), approximate)


def one_hot(x: Any, num_classes: int, dtype: str = "float32") -> Any:
    """One-hot rows for integer ``x``."""
    e = current_engine()
    return e.b.one_hot(_t(e, x), num_classes, dtype)


def zeros(shape: tuple[int, ...], dtype: str = "float32") -> Any:
    """A tensor of zeros."""
    return current_engine().b.zeros(tuple(shape), dtype)


def ones(shape: tuple[int, ...], dtype: str = "float32") -> Any:
    """A tensor of ones."""
    return current_engine().b.ones(tuple(shape), dtype)


from . import ops_array as _array  # noqa: E402 - the rest of keras.ops
from . import ops_numpy as _more  # noqa: E402
from .ops_array import *  # noqa: E402,F403
from .ops_numpy import *  # noqa: E402,F403

__all__ += _more.__all__ + _array.__all__


def _symbolic_aware(name: str, fn: Any) -> Any:
    """``fn`` that records a graph node when given symbolic tensors (Keras 3)."""
    import functools

    from .layers._graph import any_symbolic
    from .layers.op_layer import symbolic_op

    @functools.wraps(fn)
    def op(*args: Any, **kwargs: Any) -> Any:
        if any_symbolic(list(args)) or any_symbolic(list(kwargs.values())):
            return symbolic_op(name, args, kwargs)
        return fn(*args, **kwargs)

    return op


#: Functions that do not compute tensors from tensors (or take functions).
_NOT_SYMBOLIC = {
    "convert_to_numpy",
    "shape",
    "dtype",
    "size",
    "ndim",
    "cond",
    "fori_loop",
    "while_loop",
    "vectorized_map",
}
for _name in __all__:
    if _name not in _NOT_SYMBOLIC:
        globals()[_name] = _symbolic_aware(_name, globals()[_name])


def _symbolic_shape(fn: Any, attr: str) -> Any:
    import functools

    from .layers._graph import KerasTensor

    @functools.wraps(fn)
    def read(x: Any) -> Any:
        if isinstance(x, KerasTensor):
            return getattr(x, attr)
        return fn(x)

    return read


shape = _symbolic_shape(shape, "shape")  # noqa: F811
dtype = _symbolic_shape(dtype, "dtype")  # noqa: F811
ndim = _symbolic_shape(ndim, "ndim")  # noqa: F405
