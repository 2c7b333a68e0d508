"""Contract groups ``autodiff``, ``compile`` and ``numerics``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._marker import op

Tensor = Any


@op("autodiff", has_aux=False)
def kconform_value_and_grad(
    fn: Callable[..., Any], has_aux: bool
) -> Callable[..., Any]:
    """Return a function computing ``fn``'s value and its gradient.

    ``fn(params, *args)`` takes ``params``, a list or a dict (str keys) of
    float tensors, and returns a scalar float tensor, or with ``has_aux`` a
    pair ``(scalar, aux)`` where ``aux`` is any nesting of lists, tuples and
    dicts of tensors. The returned function, called as ``g(params, *args)``,
    returns ``(value, grads)`` (``((value, aux), grads)`` with ``has_aux``),
    where ``grads`` has the structure of ``params`` and each gradient the
    shape and dtype of its parameter. ``args`` are not differentiated. A
    parameter ``fn`` does not use gets a zero gradient, never None.
    """


@op("autodiff")
def kconform_stop_gradient(x: Tensor) -> Tensor:
    """Return ``x`` unchanged, held constant by :func:`kconform_value_and_grad`."""


@op("compile", required=False)
def kconform_jit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Return a compiled version of ``fn`` with the same results.

    ``fn`` takes and returns tensors nested in lists, tuples and dicts, and
    does only tensor work (no Python branching on values). Compiling may
    happen at the first call. Results must equal ``fn``'s within the op's
    error budget. A backend without compilation does not implement this hook.
    """


@op("numerics", required=False)
def kconform_configure_numerics(deterministic: bool, allow_fast_matmul: bool) -> None:
    """Set process-wide numerics before a run.

    ``deterministic=True`` asks for run-to-run identical results (deterministic
    reductions and kernels). ``allow_fast_matmul=False`` turns off matmul and
    convolution fast paths that drop float32 precision (TF32, bf16 passes).
    kconform calls it with ``(True, False)`` before it runs cases.
    """
