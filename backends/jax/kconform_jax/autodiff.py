"""Contract groups ``autodiff``, ``compile`` and ``numerics``: grad, jit, precision."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
from jax import lax

from kconform import hookimpl

from ._common import Array


@hookimpl
def kconform_value_and_grad(
    fn: Callable[..., Any], has_aux: bool
) -> Callable[..., Any]:
    """Return ``g(params, *args) -> (value, grads)`` differentiating ``params`` only.

    ``params`` is a pytree (list or dict), so the gradients come back with its
    structure; a parameter ``fn`` ignores gets zeros, as JAX always gives.
    """
    if not callable(fn):
        raise TypeError("jax backend, op 'value_and_grad': fn must be callable; "
                        f"received {type(fn).__name__}")  # fmt: skip
    return jax.value_and_grad(fn, argnums=0, has_aux=bool(has_aux))


@hookimpl
def kconform_stop_gradient(x: Array) -> Array:
    """Return ``x``, a constant for differentiation."""
    return lax.stop_gradient(x)


@hookimpl
def kconform_jit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Compile ``fn`` with XLA at its first call (again for new shapes or dtypes)."""
    if not callable(fn):
        raise TypeError(f"jax backend, op 'jit': fn must be callable; received "
                        f"{type(fn).__name__}")  # fmt: skip
    return jax.jit(fn)


@hookimpl
def kconform_configure_numerics(deterministic: bool, allow_fast_matmul: bool) -> None:
    """Set full-precision matmuls and convolutions unless fast ones are allowed.

    XLA on CPU is deterministic already, so ``deterministic`` changes nothing
    here. On GPU determinism needs ``XLA_FLAGS=--xla_gpu_deterministic_ops=true``
    before XLA starts; the environment is not changed behind the user's back,
    since other frameworks in the process read it too.
    """
    del deterministic
    # "highest" forbids the TF32/bf16 passes of TPU and GPU matmuls and convs.
    jax.config.update(
        "jax_default_matmul_precision", None if allow_fast_matmul else "highest"
    )
