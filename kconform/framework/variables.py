"""Model state: `Variable` (a named value on one backend) and the stateless scope.

Training is functional: the trainer hands a function the current values of
every variable and gets new values back. While that function runs, a
:class:`StatelessScope` maps each variable to the value it should read, and
records what it assigns, instead of touching the variable itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from kconform.dtypes import to_numpy_dtype

from . import _config

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["StatelessScope", "Variable", "current_scope", "recording_host_values"]

_local = threading.local()


@contextmanager
def recording_host_values() -> Iterator[HostValues]:
    """Keep the host value (NumPy array) of every variable created inside.

    Initializers draw on the host; a variable moves its value to its backend.
    What is recorded is that value before any backend saw it (the last one
    set on the host: a preprocessing layer's ``adapt`` sets its statistics
    there), so a check can
    compare what a backend holds with what it was given, whichever backend
    it is (``HostValues.of(variable)``; None for a variable created from a
    backend tensor).
    """
    outer = getattr(_local, "host_values", None)
    record = _local.host_values = HostValues()
    try:
        yield record
    finally:
        _local.host_values = outer


class HostValues:
    """The host values of the variables created in :func:`recording_host_values`."""

    def __init__(self) -> None:
        self._values: dict[int, tuple[Variable, np.ndarray]] = {}

    def add(self, variable: Variable, host: np.ndarray) -> None:
        # the variable is kept with its value: its id() stays its own
        self._values[id(variable)] = (variable, np.array(host, copy=True))

    def of(self, variable: Variable) -> np.ndarray | None:
        entry = self._values.get(id(variable))
        return None if entry is None or entry[0] is not variable else entry[1]


def current_scope() -> StatelessScope | None:
    """The innermost active :class:`StatelessScope`, if any."""
    return getattr(_local, "scope", None)


class StatelessScope:
    """Read variables from ``values``; record assignments in ``updates``.

    Args:
        values: Pairs ``(variable, tensor)``: what each variable reads inside.
    """

    def __init__(self, values: Any = ()) -> None:
        self.values: dict[int, Any] = {id(v): t for v, t in values}
        self.updates: dict[int, Any] = {}
        self._parent: StatelessScope | None = None

    def __enter__(self) -> StatelessScope:
        self._parent = current_scope()
        _local.scope = self
        return self

    def __exit__(self, *exc: Any) -> None:
        _local.scope = self._parent

    def lookup(self, var: Variable) -> Any:
        key = id(var)
        if key in self.updates:
            return self.updates[key]
        if key in self.values:
            return self.values[key]
        if self._parent is not None:
            return self._parent.lookup(var)
        return var._value

    def current(self, var: Variable) -> Any:
        """The value ``var`` holds after what ran in this scope."""
        return self.lookup(var)


class Variable:
    """A named, shaped tensor of model state, bound to one backend.

    Until the owning model binds it, it holds its initial value as a host
    NumPy array (drawn on the host, so every backend starts from the same
    numbers); binding converts it with ``from_numpy``.

    Args:
        value: Initial value (NumPy array or a tensor of ``engine``'s backend).
        dtype: Contract dtype name.
        trainable: Whether gradient descent updates it.
        name: Short name, e.g. ``"kernel"``.
        engine: The engine to bind to now, or None to stay on the host.
    """

    __array_priority__ = 100  # NumPy defers `ndarray + Variable` to us

    def __init__(
        self,
        initializer: Any = None,
        shape: Any = None,
        dtype: str | None = None,
        trainable: bool = True,
        autocast: bool = True,
        aggregation: str = "none",
        synchronization: str = "auto",
        name: str | None = None,
        *,
        value: Any = None,
        engine: Engine | None = None,
        regularizer: Any = None,
        constraint: Any = None,
    ) -> None:
        del autocast, aggregation, synchronization
        if value is None:
            value = initializer
        if value is None:
            raise ValueError("A Variable needs an initial value or an initializer.")
        if isinstance(value, str) or (
            callable(value) and not _is_array_like(value, engine)
        ):
            if shape is None:
                raise ValueError(
                    "When creating a Variable from an initializer, pass its `shape`. "
                    f"Received: initializer={value!r}, shape=None"
                )
            from . import initializers

            dtype = dtype or _config.floatx()
            value = initializers.get(value)(tuple(shape), dtype)
        if dtype is None:
            from ._engine import standard_dtype

            if engine is not None and engine.b.is_tensor(value):
                dtype = engine.b.dtype(value)
            else:
                dtype = standard_dtype(np.asarray(value))
        self.name = name or "variable"
        self.path = self.name
        self.dtype = dtype
        self.trainable = trainable
        self.regularizer = regularizer
        self.constraint = constraint
        self._engine: Engine | None = None
        if engine is not None and engine.b.is_tensor(value):
            self._engine, self._value = engine, value
            self.shape = tuple(engine.b.shape(value))
        else:
            host = np.asarray(value, dtype=to_numpy_dtype(dtype))
            if shape is not None and tuple(shape) != host.shape:
                raise ValueError(_shape_error(self, host.shape, tuple(shape)))
            self.shape = tuple(host.shape)
            self._value = host
            record = getattr(_local, "host_values", None)
            if record is not None:
                record.add(self, host)
            if engine is not None:
                self.bind(engine)

    # -- binding -------------------------------------------------------------
    @property
    def engine(self) -> Engine | None:
        return self._engine

    def bind(self, engine: Engine) -> None:
        """Move the value to ``engine``'s backend (through the host if needed)."""
        if self._engine is engine:
            return
        host = self.numpy()
        self._value = engine.b.from_numpy(np.asarray(host, order="C"))
        self._engine = engine

    # -- value ------------------------------------------------------------------
    @property
    def value(self) -> Any:
        """The current value: a backend tensor (a host array while unbound)."""
        scope = getattr(_local, "scope", None)
        if scope is not None:
            return scope.lookup(self)
        return self._value

    def assign(self, value: Any) -> None:
        """Set the value (recorded by the active stateless scope, if any)."""
        scope = getattr(_local, "scope", None)
        if scope is not None:
            scope.updates[id(self)] = value
            return
        self._set(value)

    def assign_add(self, value: Any) -> Variable:
        """``self.assign(self + value)``; returns the variable."""
        self.assign(self._combined(value, "add"))
        return self

    def assign_sub(self, value: Any) -> Variable:
        """``self.assign(self - value)``; returns the variable."""
        self.assign(self._combined(value, "subtract"))
        return self

    def _combined(self, value: Any, op: str) -> Any:
        if isinstance(value, Variable):
            value = value.value
        current = self.value
        if self._engine is None and isinstance(current, np.ndarray):
            other = np.asarray(value)
            out = getattr(np, op)(current, other.astype(current.dtype, copy=False))
            return np.asarray(out, dtype=current.dtype)
        from . import ops

        engine = self._engine
        if engine is None:
            return getattr(ops, op)(current, value)
        from ._engine import active_engine

        with active_engine(engine):
            out = getattr(ops, op)(current, value)
            return engine.cast(out, self.dtype)

    def _set(self, value: Any) -> None:
        if self._engine is None:
            arr = np.asarray(value, dtype=to_numpy_dtype(self.dtype))
            if arr.shape != self.shape:
                raise ValueError(_shape_error(self, arr.shape))
            self._value = arr
            record = getattr(_local, "host_values", None)
            if record is not None:  # set on the host (adapt): still no backend saw it
                record.add(self, arr)
            return
        b = self._engine.b
        if not b.is_tensor(value):
            arr = np.asarray(value, dtype=to_numpy_dtype(self.dtype))
            if arr.shape != self.shape:
                raise ValueError(_shape_error(self, arr.shape))
            value = b.from_numpy(np.asarray(arr, order="C"))
        self._value = value

    def numpy(self) -> np.ndarray:
        """Return the value as a NumPy array (a copy; the scope's, inside one)."""
        value = self.value
        if self._engine is not None and self._engine.b.is_tensor(value):
            return np.array(self._engine.b.to_numpy(value))
        return np.array(value)

    # -- interop: NumPy, JAX and TensorFlow conversion protocols, operators -----------
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self.numpy()
        return arr if dtype is None else arr.astype(dtype)

    def __jax_array__(self) -> Any:
        return self.value

    def __tf_tensor__(self, dtype: Any = None, name: Any = None) -> Any:
        return self.value

    def __repr__(self) -> str:
        where = self._engine.name if self._engine else "host"
        return (
            f"<Variable path={self.path} shape={self.shape} dtype={self.dtype}"
            f" ({where})>"
        )

    def _binary(self, other: Any, op: str, reflected: bool = False) -> Any:
        from . import ops  # the public ops resolve the engine and convert operands

        a, b = (other, self) if reflected else (self, other)
        return getattr(ops, op)(a, b)

    def __add__(self, o: Any) -> Any:
        return self._binary(o, "add")

    def __radd__(self, o: Any) -> Any:
        return self._binary(o, "add", True)

    def __sub__(self, o: Any) -> Any:
        return self._binary(o, "subtract")

    def __rsub__(self, o: Any) -> Any:
        return self._binary(o, "subtract", True)

    def __mul__(self, o: Any) -> Any:
        return self._binary(o, "multiply")

    def __rmul__(self, o: Any) -> Any:
        return self._binary(o, "multiply", True)

    def __truediv__(self, o: Any) -> Any:
        return self._binary(o, "divide")

    def __rtruediv__(self, o: Any) -> Any:
        return self._binary(o, "divide", True)

    def __matmul__(self, o: Any) -> Any:
        return self._binary(o, "matmul")

    def __rmatmul__(self, o: Any) -> Any:
        return self._binary(o, "matmul", True)

    def __neg__(self) -> Any:
        from . import ops

        return ops.negative(self)

    def __pow__(self, o: Any) -> Any:
        return self._binary(o, "power")

    # -- conversions ------------------------------------------------------------
    def __float__(self) -> float:
        return float(self.numpy())

    def __int__(self) -> int:
        return int(self.numpy())

    def __index__(self) -> int:
        if "int" not in self.dtype:
            raise TypeError(
                f"Variable '{self.path}' of dtype {self.dtype} is no index."
            )
        return int(self.numpy())

    def __bool__(self) -> bool:
        return bool(self.numpy())

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError(f"len() of the 0-d Variable '{self.path}'")
        return self.shape[0]

    def __getitem__(self, key: Any) -> Any:
        if self._engine is None:
            return self.numpy()[key]
        from ._engine import active_engine
        from .layers.op_layer import _get_item

        with active_engine(self._engine):
            return _get_item(self.value, key)

    def __lt__(self, o: Any) -> Any:
        return self._binary(o, "less")

    def __gt__(self, o: Any) -> Any:
        return self._binary(o, "greater")

    def __le__(self, o: Any) -> Any:
        return self._binary(o, "less_equal")

    def __ge__(self, o: Any) -> Any:
        return self._binary(o, "greater_equal")

    __hash__ = object.__hash__


def _is_array_like(value: Any, engine: Engine | None) -> bool:
    if isinstance(value, (np.ndarray, np.generic)):
        return True
    return engine is not None and engine.b.is_tensor(value)


def _shape_error(var: Variable, received: tuple[int, ...], expected: Any = None) -> str:
    expected = var.shape if expected is None else expected
    return (
        f"Variable '{var.path}' has shape {expected}; received a value of shape "
        f"{tuple(received)}. Pass an array of shape {expected}."
    )
