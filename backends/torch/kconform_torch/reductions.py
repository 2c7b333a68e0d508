"""Contract group ``reductions``: sums, extremes, moments and arg-extremes over axes."""

from __future__ import annotations

from collections.abc import Callable

import torch

from kconform import hookimpl

from ._common import (
    compute_dtype,
    is_float,
    normalize_axes,
    normalize_axis,
    tensor_args,
)

Tensor = torch.Tensor
Axis = int | tuple[int, ...] | None


def _keep(out: Tensor, x: Tensor, axes: tuple[int, ...]) -> Tensor:
    """Reshape a fully reduced result so the reduced axes stay with length 1."""
    shape = [1 if i in axes else d for i, d in enumerate(x.shape)]
    return out.reshape(shape)


def _float_input(x: Tensor) -> Tensor:
    """Moments take float tensors; integers are read as float32 (as Keras does)."""
    return x if is_float(x) else x.to(torch.float32)


def _reduce(
    op: str,
    x: Tensor,
    axis: Axis,
    keepdims: bool,
    fn: Callable[[Tensor, tuple[int, ...], bool], Tensor],
    identity: Callable[[Tensor], Tensor],
) -> Tensor:
    """Normalise ``axis`` and apply ``fn(x, axes, keepdims)``.

    NOTE: torch reads ``dim=()`` as "every axis", NumPy as "no axis"; an empty
    tuple (or a 0-d tensor) therefore goes to ``identity``.
    """
    axes = normalize_axes(axis, x.ndim, op)
    if not axes:
        return identity(x)
    return fn(x, axes, keepdims)


def _check_nonempty(op: str, x: Tensor, axes: tuple[int, ...]) -> None:
    if any(x.shape[a] == 0 for a in axes):
        raise ValueError(
            f"torch backend: {op}: cannot reduce over an empty axis (shape "
            f"{tuple(x.shape)}, axes {axes}); {op} has no identity"
        )


@hookimpl
@tensor_args("x")
def kconform_sum(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Sum in the input dtype (bool to int32; float16/bfloat16 add in float32)."""
    out_dt = torch.int32 if x.dtype == torch.bool else x.dtype
    acc = compute_dtype(out_dt)

    def fn(t: Tensor, axes: tuple[int, ...], keep: bool) -> Tensor:
        return torch.sum(t, dim=axes, keepdim=keep, dtype=acc).to(out_dt)

    return _reduce("sum", x, axis, keepdims, fn, lambda t: t.to(out_dt).clone())


@hookimpl
@tensor_args("x")
def kconform_mean(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Arithmetic mean (float16/bfloat16 accumulate in float32)."""
    x = _float_input(x)

    def fn(t: Tensor, axes: tuple[int, ...], keep: bool) -> Tensor:
        return torch.mean(t.to(compute_dtype(t.dtype)), dim=axes, keepdim=keep).to(
            t.dtype
        )

    return _reduce("mean", x, axis, keepdims, fn, torch.clone)


def _extreme(op: str, torch_fn: Callable[..., Tensor], bool_fn: Callable[..., Tensor]):
    def reduce(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
        def fn(t: Tensor, axes: tuple[int, ...], keep: bool) -> Tensor:
            _check_nonempty(op, t, axes)
            f = bool_fn if t.dtype == torch.bool else torch_fn
            return f(t, dim=axes, keepdim=keep)

        return _reduce(op, x, axis, keepdims, fn, torch.clone)

    return reduce


_max = _extreme("max", torch.amax, torch.any)
_min = _extreme("min", torch.amin, torch.all)


@hookimpl
@tensor_args("x")
def kconform_max(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Maximum; NaN-propagating; an empty axis raises."""
    return _max(x, axis, keepdims)


@hookimpl
@tensor_args("x")
def kconform_min(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Minimum; NaN-propagating; an empty axis raises."""
    return _min(x, axis, keepdims)


@hookimpl
@tensor_args("x")
def kconform_prod(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Product in the input dtype (torch.prod takes one axis: flatten those reduced)."""

    def fn(t: Tensor, axes: tuple[int, ...], keep: bool) -> Tensor:
        if t.dtype == torch.bool:
            return torch.all(t, dim=axes, keepdim=keep)
        rest = [i for i in range(t.ndim) if i not in axes]
        moved = t.permute(*rest, *axes)
        n = 1
        for a in axes:
            n *= t.shape[a]
        flat = moved.reshape(*[t.shape[i] for i in rest], n)
        out = torch.prod(flat, dim=-1, dtype=compute_dtype(t.dtype)).to(t.dtype)
        return _keep(out, t, axes) if keep else out

    return _reduce("prod", x, axis, keepdims, fn, torch.clone)


def _moment(x: Tensor, axes: tuple[int, ...], keep: bool, root: bool) -> Tensor:
    wide = x.to(compute_dtype(x.dtype))
    out = torch.var(wide, dim=axes, correction=0, keepdim=keep)
    return (torch.sqrt(out) if root else out).to(x.dtype)


def _spread0(x: Tensor) -> Tensor:
    """The spread over no axis: 0, or NaN where ``x`` is NaN or infinite (as NumPy)."""
    d = x - x
    return d * d


@hookimpl
@tensor_args("x")
def kconform_var(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Population variance (divisor n)."""
    x = _float_input(x)
    return _reduce(
        "var", x, axis, keepdims, lambda t, a, k: _moment(t, a, k, False), _spread0
    )


@hookimpl
@tensor_args("x")
def kconform_std(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Population standard deviation (divisor n)."""
    x = _float_input(x)
    return _reduce(
        "std", x, axis, keepdims, lambda t, a, k: _moment(t, a, k, True), _spread0
    )


@hookimpl
@tensor_args("x")
def kconform_logsumexp(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """``log(sum(exp(x)))``, stable (torch shifts by the max; all -inf gives -inf)."""
    x = _float_input(x)

    def fn(t: Tensor, axes: tuple[int, ...], keep: bool) -> Tensor:
        wide = t.to(compute_dtype(t.dtype))
        return torch.logsumexp(wide, dim=axes, keepdim=keep).to(t.dtype)

    return _reduce("logsumexp", x, axis, keepdims, fn, torch.clone)


@hookimpl
@tensor_args("x")
def kconform_any(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Whether any element is nonzero."""
    return _reduce(
        "any", x, axis, keepdims, lambda t, a, k: torch.any(t, dim=a, keepdim=k),
        lambda t: t != 0,
    )  # fmt: skip


@hookimpl
@tensor_args("x")
def kconform_all(x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Whether every element is nonzero."""
    return _reduce(
        "all", x, axis, keepdims, lambda t, a, k: torch.all(t, dim=a, keepdim=k),
        lambda t: t != 0,
    )  # fmt: skip


def _arg(
    op: str, fn: Callable[..., Tensor], x: Tensor, axis: int | None, keepdims: bool
) -> Tensor:
    """First index of the extreme, as int32; an empty axis raises."""
    if isinstance(axis, (tuple, list)):
        raise TypeError(
            f"torch backend: {op}: axis must be an int or None; received {axis!r}"
        )
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    if axis is None:
        if x.numel() == 0:
            raise ValueError(
                f"torch backend: {op}: attempt to get {op} of an empty tensor"
            )
        out = fn(x.reshape(-1), dim=0).to(torch.int32)
        return out.reshape((1,) * x.ndim) if keepdims else out
    ax = normalize_axis(axis, x.ndim, op) if x.ndim else normalize_axis(axis, 1, op)
    if x.ndim == 0:
        return torch.zeros((), dtype=torch.int32, device=x.device)
    _check_nonempty(op, x, (ax,))
    return fn(x, dim=ax, keepdim=keepdims).to(torch.int32)


@hookimpl
@tensor_args("x")
def kconform_argmax(x: Tensor, axis: int | None, keepdims: bool) -> Tensor:
    """Int32 index of the first maximum (NaN counts as the maximum, as in NumPy)."""
    return _arg("argmax", torch.argmax, x, axis, keepdims)


@hookimpl
@tensor_args("x")
def kconform_argmin(x: Tensor, axis: int | None, keepdims: bool) -> Tensor:
    """Int32 index of the first minimum (NaN counts as the minimum, as in NumPy)."""
    return _arg("argmin", torch.argmin, x, axis, keepdims)
