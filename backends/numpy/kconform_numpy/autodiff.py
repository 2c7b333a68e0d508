"""Hooks of the ``autodiff`` group: value_and_grad through autograd, stop_gradient."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import autograd

import kconform

from ._core import _cast_value, anp, as_tensor, cast, getval, isbox, np, out, quiet


def _unbox(tree: Any) -> Any:
    """Strip autograd boxes from a nesting of lists, tuples and dicts of tensors."""
    if isinstance(tree, dict):
        return {k: _unbox(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        items = [_unbox(v) for v in tree]
        if isinstance(tree, tuple) and hasattr(tree, "_fields"):  # a namedtuple
            return type(tree)(*items)
        return type(tree)(items)
    value = getval(tree)
    return out(value) if isinstance(value, (np.ndarray, np.generic)) else value


def _leaves(params: Any) -> tuple[list[str] | None, tuple[Any, ...]]:
    """The keys (None for a list) and the tensors of ``params``."""
    if isinstance(params, dict):
        keys = list(params)
        return keys, tuple(as_tensor(params[k]) for k in keys)
    if isinstance(params, (list, tuple)):
        return None, tuple(as_tensor(p) for p in params)
    raise TypeError(
        f"value_and_grad: params must be a list or a dict of tensors; received "
        f"{type(params).__name__}"
    )


def _finish(g: Any, p: Any) -> Any:
    """A gradient in its parameter's dtype and shape (boxed when nested in a trace)."""
    if isbox(g):  # value_and_grad inside another trace: stay differentiable
        return out(anp.reshape(cast(g, p.dtype), np.shape(p)))
    return out(_cast_value(np.asarray(g), p.dtype).reshape(np.shape(p)))


@kconform.hookimpl
def kconform_value_and_grad(
    fn: Callable[..., Any], has_aux: bool
) -> Callable[..., Any]:
    """Wrap ``fn(params, *args)`` to return ``(value, grads)``.

    With ``has_aux`` it returns ``((value, aux), grads)``, ``aux`` unboxed.
    """

    def value_and_grad_fn(params: Any, *args: Any) -> Any:
        keys, leaves = _leaves(params)
        as_tuple = isinstance(params, tuple)
        aux_holder: list[Any] = []

        def flat(boxed: Any) -> Any:
            # Index the boxed tuple so that fn sees a real list/dict of ArrayBoxes.
            ps = [boxed[i] for i in range(len(leaves))]
            p = (
                dict(zip(keys, ps, strict=True))
                if keys is not None
                else (tuple(ps) if as_tuple else ps)
            )
            result = fn(p, *args)
            if has_aux:
                if not (isinstance(result, (tuple, list)) and len(result) == 2):
                    raise TypeError(
                        "value_and_grad(has_aux=True): fn must return a pair "
                        f"(scalar, aux); received {type(result).__name__}"
                    )
                result, aux = result
                aux_holder.append(_unbox(aux))
            return result

        with quiet(), warnings.catch_warnings():
            # A loss that ignores every parameter is legal: its gradients are zeros.
            warnings.filterwarnings("ignore", message="Output seems independent")
            value, grads = autograd.value_and_grad(flat)(leaves)
        grads = [_finish(g, p) for g, p in zip(grads, leaves, strict=True)]
        value = out(value)
        if keys is not None:
            out_grads: Any = dict(zip(keys, grads, strict=True))
        else:
            out_grads = tuple(grads) if as_tuple else grads
        if has_aux:
            return (value, aux_holder[-1]), out_grads
        return value, out_grads

    return value_and_grad_fn


@kconform.hookimpl
def kconform_stop_gradient(x: Any) -> Any:
    """Return ``x`` unboxed: a constant to every enclosing autograd trace."""
    return out(getval(x) if isbox(x) else as_tensor(x))
