"""Ops compiled as one XLA program each, cached by shapes, dtypes and static arguments.

Called eagerly, ``jax.numpy`` dispatches every primitive on its own, and XLA
compiles each one for every new shape and dtype: a composite op (``logsumexp``,
``gelu``, the gradient of ``prod``) costs a dozen compilations per shape. A
:func:`kernel` compiles the whole op once instead, the way a JAX program runs
under ``jit``: its tensor arguments (arrays, and lists or tuples of arrays) are
traced, everything else (axes, shapes, Python numbers, flags) is static and part
of the cache key. Inside ``grad`` or a user's ``jit`` the kernel is one nested
``jit``, which JAX differentiates and inlines as usual.

A number among the static arguments (``add(x, -0.0)``, a NumPy scalar) also
enters the program as an input, never as a constant: XLA would fold ``x + 0.0``
into ``x`` and return ``-0.0`` for ``-0.0 + 0.0``. Inside the program,
:func:`traced_number` gives that input for the number (``host_value`` and
``arr`` use it), while the op's own code still sees the number itself to
decide dtypes.

Checks that need an argument's values (an index out of range, a negative integer
exponent) cannot run on traced arguments: they go in ``precheck``, which runs on
the concrete arguments before the kernel, and is skipped under a transformation,
as JAX itself does.

A call whose non-tensor arguments cannot be made a cache key (a dict, an
object), or which mixes tensors with other values in one list, runs eagerly:
that is how an invalid call reaches the op's own checks and its message.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import jax
import numpy as np

_TENSOR = (jax.Array, np.ndarray)


_NUMBER = (bool, int, float, np.generic)
#: Programs kept per op (each compiled anew for new shapes and dtypes, by JAX):
#: the oldest goes first, so that a loop passing a new number every call
#: (a learning rate) does not grow memory without end.
MAX_PROGRAMS = 1024
#: While a program is traced: id of each static number -> the input standing for it.
_TRACED: ContextVar[dict[int, Any] | None] = ContextVar(
    "kconform_jax_numbers", default=None
)


def traced_number(value: Any) -> Any:
    """The program input standing for the static number ``value``, or None
    (outside a kernel, or a number the op computed itself)."""
    numbers = _TRACED.get()
    return None if numbers is None else numbers.get(id(value))


def _as_input(value: Any) -> np.ndarray | None:
    """A static number as a program input (0-d: int64, float64, bool or its own
    NumPy dtype), or None where NumPy cannot hold it (an int beyond int64)."""
    try:
        array = np.asarray(value)
    except OverflowError:
        return None
    return None if array.dtype == object else array


class _Uncacheable(Exception):
    """An argument that cannot be part of a cache key."""


def _is_tensor_tree(value: Any) -> bool:
    if isinstance(value, _TENSOR):
        return True
    if isinstance(value, (list, tuple)) and value:
        flags = [isinstance(v, _TENSOR) for v in value]
        if all(flags):
            return True
        if any(flags):
            raise _Uncacheable  # a tensor among other values: an invalid call
    return False


def _key(value: Any) -> Any:
    """A hashable key telling apart what ``==`` confuses (1, 1.0, True; -0.0, 0.0)."""
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_key(v) for v in value))
    if value is None or isinstance(value, (bool, int, str)):
        return (type(value).__name__, value)
    if isinstance(value, (float, np.generic)):
        return (type(value).__name__, repr(value))
    raise _Uncacheable


def kernel(
    fn: Callable[..., Any] | None = None,
    *,
    precheck: Callable[..., None] | None = None,
) -> Any:
    """Decorate an op so that each call runs one compiled program (see the module)."""
    if fn is None:
        return functools.partial(kernel, precheck=precheck)
    compiled: dict[Any, Callable[..., Any]] = {}

    @functools.wraps(fn)
    def call(*args: Any) -> Any:
        if precheck is not None:
            precheck(*args)  # skips the value checks itself on traced arguments
        try:
            dynamic = [i for i, a in enumerate(args) if _is_tensor_tree(a)]
            static = tuple((i, _key(a)) for i, a in enumerate(args) if i not in dynamic)
        except _Uncacheable:
            return fn(*args)
        numbers = [
            i
            for i, a in enumerate(args)
            if i not in dynamic and isinstance(a, _NUMBER) and _as_input(a) is not None
        ]
        key = (static, tuple(dynamic), tuple(numbers))
        program = compiled.get(key)
        if program is None:
            if len(compiled) >= MAX_PROGRAMS:
                del compiled[next(iter(compiled))]
            program = compiled[key] = jax.jit(_bind(fn, args, dynamic, numbers))
        return program(
            *(args[i] for i in dynamic), *(_as_input(args[i]) for i in numbers)
        )

    call.__kconform_kernel__ = True  # type: ignore[attr-defined]
    call.programs = compiled  # type: ignore[attr-defined]  (for tests)
    return call


def _bind(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    dynamic: list[int],
    numbers: list[int],
) -> Any:
    """``fn`` of the dynamic arguments, then the inputs standing for the static
    numbers; the static arguments fixed as in ``args``."""
    fixed = [None if i in dynamic else a for i, a in enumerate(args)]

    def program(*traced: Any) -> Any:
        full = list(fixed)
        for i, value in zip(dynamic, traced, strict=False):
            full[i] = value
        inputs = traced[len(dynamic) :]
        stand_in = {id(fixed[i]): t for i, t in zip(numbers, inputs, strict=True)}
        token = _TRACED.set(stand_in)
        try:
            return fn(*full)
        finally:
            _TRACED.reset(token)

    return program
