"""Ops compiled as one XLA program each, cached by shapes, dtypes and static arguments.

Called eagerly, ``jax.numpy`` dispatches every primitive on its own, and XLA
compiles each one for every new shape and dtype: a composite op (``logsumexp``,
``gelu``, the gradient of ``prod``) costs a dozen compilations per shape. A
:func:`kernel` compiles the whole op once instead, the way a JAX program runs
under ``jit``: its tensor arguments (arrays, and lists or tuples of arrays) are
traced, everything else (axes, shapes, Python numbers, flags) is static and part
of the cache key. Inside ``grad`` or a user's ``jit`` the kernel is one nested
``jit``, which JAX differentiates and inlines as usual.

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
from typing import Any

import jax
import numpy as np

_TENSOR = (jax.Array, np.ndarray)


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
        key = (static, tuple(dynamic))
        program = compiled.get(key)
        if program is None:
            program = compiled[key] = jax.jit(_bind(fn, args, dynamic))
        return program(*(args[i] for i in dynamic))

    call.__kconform_kernel__ = True  # type: ignore[attr-defined]
    return call


def _bind(fn: Callable[..., Any], args: tuple[Any, ...], dynamic: list[int]) -> Any:
    """``fn`` of the dynamic arguments only, the static ones fixed as in ``args``."""
    fixed = [None if i in dynamic else a for i, a in enumerate(args)]

    def program(*traced: Any) -> Any:
        full = list(fixed)
        for i, value in zip(dynamic, traced, strict=True):
            full[i] = value
        return fn(*full)

    return program
