"""The framework's view of one backend: its bound ops, constants, small composites.

Every model, layer, loss, metric and optimizer computes through an
:class:`Engine`, never through a module-level backend: two models bound to two
backends run side by side in one process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from kconform.backend import Backend
from kconform.dtypes import to_numpy_dtype

from . import _config

__all__ = ["Engine", "active_engine", "current_engine", "engine_for"]

_engines: dict[int, Engine] = {}
_local = threading.local()


class Engine:
    """A :class:`kconform.Backend` with the framework's helpers.

    ``engine.b`` is the backend itself: ``engine.b.matmul(x, w)`` is a plain
    function call. Constants made outside compiled code are cached; inside a
    function being compiled by the backend's ``jit`` they are made afresh, so
    that no traced value leaks out of a trace.
    """

    def __init__(self, backend: Backend) -> None:
        self.b = backend
        self.name = backend.name
        self.can_jit = bool(backend.jit)
        self._consts: dict[tuple[float, str], Any] = {}
        self._tracing = 0

    def __repr__(self) -> str:
        return f"<Engine {self.name}>"

    # -- tensors ------------------------------------------------------------
    def const(self, value: float, dtype: str = "float32") -> Any:
        """A 0-d tensor holding ``value`` rounded to ``dtype``."""
        if self._tracing:  # an op, not host data: compilers trace it as a constant
            return self.b.full((), value, dtype)
        key = (value, dtype)
        tensor = self._consts.get(key)
        if tensor is None:
            tensor = self.b.from_numpy(np.asarray(value, to_numpy_dtype(dtype)))
            self._consts[key] = tensor
        return tensor

    def tensor(self, value: Any, dtype: str | None = None) -> Any:
        """Convert a NumPy array, a Python number or a tensor of this backend."""
        if self.b.is_tensor(value):
            if dtype is not None and self.b.dtype(value) != dtype:
                return self.b.cast(value, dtype)
            return value
        arr = np.asarray(value)
        if dtype is None:
            dtype = standard_dtype(arr)
        return self.b.from_numpy(np.asarray(arr, to_numpy_dtype(dtype), order="C"))

    def cast(self, x: Any, dtype: str) -> Any:
        """``backend.cast``, skipped when ``x`` already has ``dtype``."""
        return x if self.b.dtype(x) == dtype else self.b.cast(x, dtype)

    def numpy(self, x: Any) -> np.ndarray:
        """Return ``x`` (a tensor of this backend or array-like) as a NumPy array."""
        return self.b.to_numpy(x) if self.b.is_tensor(x) else np.asarray(x)

    # -- compilation ----------------------------------------------------------
    @contextmanager
    def tracing(self) -> Iterator[None]:
        """Mark code as running inside a function being compiled: fresh constants."""
        self._tracing += 1
        try:
            yield
        finally:
            self._tracing -= 1

    def jit(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Compile ``fn`` with the backend's ``jit``; the trace makes its constants.

        NOTE: the compiled function marks the trace with plain push/pop, no
        ``with`` block: tracers such as ``torch.compile`` cannot split a graph
        inside a context manager. The wrapper restores the marks if it raises.
        """

        def traced(*args: Any) -> Any:
            self._tracing += 1
            _stack().append(self)
            out = fn(*args)
            _stack().pop()
            self._tracing -= 1
            return out

        compiled = self.b.jit(traced)

        def call(*args: Any) -> Any:
            depth, stack = self._tracing, _stack()
            size = len(stack)
            try:
                return compiled(*args)
            finally:
                self._tracing = depth
                del stack[size:]

        return call

    # -- small composites -------------------------------------------------------
    def scale(self, x: Any, factor: float) -> Any:
        """Return ``x * factor`` with ``factor`` rounded to ``x``'s dtype."""
        return self.b.multiply(x, self.const(factor, self.b.dtype(x)))

    def divide_no_nan(self, x1: Any, x2: Any) -> Any:
        """Return ``x1 / x2``, and 0 where ``x2 == 0`` (Keras ``divide_no_nan``)."""
        b = self.b
        zero = self.const(0.0, b.dtype(x2))
        nonzero = b.not_equal(x2, zero)
        safe = b.where(nonzero, x2, self.const(1.0, b.dtype(x2)))
        return b.where(nonzero, b.divide(x1, safe), self.const(0.0, b.dtype(x1)))

    def shape(self, x: Any) -> tuple[int, ...]:
        """The static shape of ``x``."""
        return self.b.shape(x)


def standard_dtype(arr: np.ndarray) -> str:
    """The contract dtype of a host array: floats to floatx, ints to int32 or int64."""
    kind = arr.dtype.kind
    if kind == "f" or arr.dtype.name == "bfloat16":
        return _config.floatx()
    if kind in "iu":
        big = arr.dtype.itemsize >= 4 and arr.dtype != np.int32
        if big and arr.size and (arr.max() > 2**31 - 1 or arr.min() < -(2**31)):
            return "int64"
        return "int32"
    if kind == "b":
        return "bool"
    raise TypeError(
        f"Received an array of unsupported dtype {arr.dtype}; expected a float, "
        "integer or bool array. Convert it first, e.g. `x.astype('float32')`."
    )


def engine_for(backend: Backend | str | None = None) -> Engine:
    """The (cached) engine of a backend, a backend name, or the current default."""
    if not isinstance(backend, Backend):
        backend = _config.get_backend(backend)
    engine = _engines.get(id(backend))
    if engine is None or engine.b is not backend:
        engine = _engines[id(backend)] = Engine(backend)
    return engine


def _stack() -> list[Engine]:
    stack = getattr(_local, "engines", None)
    if stack is None:
        stack = _local.engines = []
    return stack


@contextmanager
def active_engine(engine: Engine) -> Iterator[Engine]:
    """Make ``engine`` the one ``keras.ops`` uses while a bound layer runs."""
    stack = _stack()
    stack.append(engine)
    try:
        yield engine
    finally:
        stack.pop()


def current_engine() -> Engine:
    """The engine of the layer running now, else the default backend's."""
    stack = _stack()
    return stack[-1] if stack else engine_for(None)
