"""Contract groups ``autodiff``, ``compile`` and ``numerics`` through torch."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import torch

from kconform import hookimpl

from ._common import tensor_args

Tensor = torch.Tensor


def _flatten(tree: Any) -> tuple[list[Any], Callable[[list[Any]], Any]]:
    """Leaves of a nesting of lists, tuples and dicts, and a function rebuilding it."""
    if isinstance(tree, dict):
        keys = list(tree)
        parts = [_flatten(tree[k]) for k in keys]
    elif isinstance(tree, (list, tuple)):
        keys = None
        parts = [_flatten(v) for v in tree]
    else:
        return [tree], lambda leaves: leaves[0]
    counts = [len(p[0]) for p in parts]
    leaves = [leaf for p in parts for leaf in p[0]]

    def rebuild(new: list[Any]) -> Any:
        items, at = [], 0
        for (_, sub), c in zip(parts, counts, strict=True):
            items.append(sub(new[at : at + c]))
            at += c
        if keys is not None:
            return dict(zip(keys, items, strict=True))
        return type(tree)(items) if isinstance(tree, tuple) else items

    return leaves, rebuild


def _detach_all(tree: Any) -> Any:
    leaves, rebuild = _flatten(tree)
    return rebuild([t.detach() if isinstance(t, Tensor) else t for t in leaves])


def _check_params(leaves: list[Any]) -> None:
    for i, p in enumerate(leaves):
        if not isinstance(p, Tensor) or not p.is_floating_point():
            what = p.dtype if isinstance(p, Tensor) else type(p).__name__
            raise TypeError(
                f"torch backend: value_and_grad: parameter {i} must be a float tensor; "
                f"received {what}. Pass non-float tensors in args"
            )


def _check_value(value: Any) -> Tensor:
    if (
        not isinstance(value, Tensor)
        or value.ndim != 0
        or not value.is_floating_point()
    ):
        got = tuple(value.shape) if isinstance(value, Tensor) else type(value).__name__
        raise TypeError(
            "torch backend: value_and_grad: fn must return a scalar float tensor "
            f"(or a (scalar, aux) pair with has_aux=True); received {got}"
        )
    return value


@hookimpl
def kconform_value_and_grad(
    fn: Callable[..., Any], has_aux: bool
) -> Callable[..., Any]:
    """Wrap ``fn(params, *args)`` to return ``(value, grads)`` by torch.autograd."""

    def value_and_grad(params: Any, *args: Any) -> Any:
        leaves, rebuild = _flatten(params)
        _check_params(leaves)
        # Fresh leaves: the caller's tensors are never marked or mutated.
        inputs = [p.detach().clone().requires_grad_(True) for p in leaves]
        with torch.enable_grad():
            out = fn(rebuild(inputs), *args)
            if has_aux:
                if not isinstance(out, (tuple, list)) or len(out) != 2:
                    raise TypeError(
                        "torch backend: value_and_grad(has_aux=True): fn must return a "
                        f"(value, aux) pair; received {type(out).__name__}"
                    )
                value, aux = out
            else:
                value, aux = out, None
            value = _check_value(value)
            grads: tuple[Tensor | None, ...] = (None,) * len(inputs)
            if value.requires_grad and inputs:
                grads = torch.autograd.grad(value, inputs, allow_unused=True)
        # An unused parameter gets zeros, never None.
        flat = [
            torch.zeros_like(p) if g is None else g.detach()
            for p, g in zip(inputs, grads, strict=True)
        ]
        value = value.detach()
        if has_aux:
            return (value, _detach_all(aux)), rebuild(flat)
        return value, rebuild(flat)

    return value_and_grad


@hookimpl
@tensor_args("x")
def kconform_stop_gradient(x: Tensor) -> Tensor:
    """``x`` detached from the autograd graph."""
    return x.detach()


@hookimpl
def kconform_jit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``torch.compile(fn)``: Inductor compiles at the first call of each shape."""
    import torch._inductor.config as inductor_config

    # NOTE: one compile worker: the default pool forks a process per core.
    inductor_config.compile_threads = 1
    compiled = torch.compile(fn)

    @functools.wraps(fn)
    def jitted(*args: Any, **kwargs: Any) -> Any:
        # NOTE: dynamo would trace NumPy calls in fn as torch ops, and fails
        # on ml_dtypes (np.asarray(v, bfloat16) raises InternalTorchDynamoError):
        # host NumPy work runs eagerly, between compiled graphs, instead.
        with torch._dynamo.config.patch(trace_numpy=False):
            return compiled(*args, **kwargs)

    return jitted


@hookimpl
def kconform_configure_numerics(deterministic: bool, allow_fast_matmul: bool) -> None:
    """Deterministic kernels on request; TF32 fp32 matmul off unless allowed."""
    torch.use_deterministic_algorithms(bool(deterministic))
    torch.backends.cudnn.deterministic = bool(deterministic)
    torch.backends.cudnn.benchmark = False
    torch.backends.cuda.matmul.allow_tf32 = bool(allow_fast_matmul)
    torch.backends.cudnn.allow_tf32 = bool(allow_fast_matmul)
    torch.set_float32_matmul_precision("high" if allow_fast_matmul else "highest")
