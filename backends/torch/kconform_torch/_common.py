"""Shared helpers: dtype names, the device, axis checks, dtype promotion."""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np
import torch
from numpy.exceptions import AxisError

from kconform.dtypes import promote

__all__ = [
    "DEVICE",
    "FLOAT_DTYPES",
    "NAME_OF",
    "TORCH_OF",
    "AxisError",
    "OutOfRange",
    "as_tensor",
    "check_broadcast",
    "compute_dtype",
    "is_float",
    "name",
    "normalize_axes",
    "normalize_axis",
    "promote_all",
    "tensor_args",
    "to_dtype",
]

TORCH_OF: dict[str, torch.dtype] = {
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
    "int32": torch.int32,
    "int64": torch.int64,
    "bool": torch.bool,
}
NAME_OF: dict[torch.dtype, str] = {v: k for k, v in TORCH_OF.items()}
FLOAT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
LOW_PRECISION = (torch.float16, torch.bfloat16)


def _pick_device() -> torch.device:
    """CPU unless CUDA is available and KCONFORM_TORCH_DEVICE asks for it."""
    wanted = os.environ.get("KCONFORM_TORCH_DEVICE", "").strip()
    if wanted and wanted != "cpu" and torch.cuda.is_available():
        # NOTE: deterministic cuBLAS needs this set before the first CUDA call.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        return torch.device(wanted)
    return torch.device("cpu")


DEVICE: torch.device = _pick_device()
F = TypeVar("F", bound=Callable[..., Any])


class OutOfRange(IndexError, ValueError):
    """An index or block outside a tensor: both IndexError and ValueError."""


def name(x: torch.Tensor) -> str:
    """The contract dtype name of a tensor; raise for dtypes outside the contract."""
    try:
        return NAME_OF[x.dtype]
    except KeyError:
        raise TypeError(
            f"torch backend: tensor dtype {x.dtype} is not a contract dtype; "
            f"expected one of {', '.join(TORCH_OF)}"
        ) from None


def to_dtype(dtype: str) -> torch.dtype:
    """The torch dtype of a contract dtype name."""
    try:
        return TORCH_OF[dtype]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown dtype {dtype!r}; expected one of {', '.join(TORCH_OF)}"
        ) from None


def is_float(x: torch.Tensor) -> bool:
    """Whether ``x`` holds one of the contract's float dtypes."""
    return x.dtype in FLOAT_DTYPES


def compute_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype composite float math runs in: float32 for float16/bfloat16.

    Rounding once from float32 gives float16/bfloat16 results within half an
    ulp or so, where a chain of low-precision steps would round at each step.
    """
    return torch.float32 if dtype in LOW_PRECISION else dtype


def as_tensor(x: Any, like: torch.Tensor | None = None) -> torch.Tensor:
    """Accept a tensor as is; turn a NumPy array or a Python number into one.

    A Python number takes the dtype of ``like`` when given (a weak scalar, as
    Keras and NEP 50 treat it), else NumPy's default for it.
    """
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, (bool, int, float)) and like is not None:
        kind_ok = isinstance(x, bool) or like.dtype != torch.bool
        if kind_ok and (like.is_floating_point() or not isinstance(x, float)):
            return torch.tensor(x, dtype=like.dtype, device=like.device)
        return torch.tensor(x, dtype=torch.float32, device=like.device)
    if isinstance(x, (np.ndarray, np.generic, bool, int, float, list, tuple)):
        from .tensors import kconform_from_numpy

        return kconform_from_numpy(np.asarray(x))
    raise TypeError(
        f"torch backend: expected a torch tensor; received {type(x).__name__}"
    )


_MAYBE_HOST = (np.ndarray, np.generic, list, tuple)


def _host(x: Any) -> Any:
    """A NumPy array or scalar (explicit dtype) as a tensor; anything else as is."""
    if isinstance(x, (np.ndarray, np.generic)):
        from .tensors import kconform_from_numpy

        return kconform_from_numpy(x)
    if isinstance(x, (list, tuple)) and any(
        isinstance(v, (np.ndarray, np.generic)) for v in x
    ):
        return [_host(v) for v in x]
    return x


def tensor_args(*names: str) -> Callable[[F], F]:
    """Let the named tensor arguments also be NumPy arrays or NumPy scalars.

    As the numpy and jax backends do: a host array has an explicit dtype, so
    taking it is no silent coercion (Python numbers are not converted here).
    """

    def decorate(fn: F) -> F:
        params = list(inspect.signature(fn).parameters)
        where = {params.index(n): n for n in names}

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            # Fast path first: this wraps every op call.
            if kwargs or any(isinstance(a, _MAYBE_HOST) for a in args):
                args = tuple(_host(a) if i in where else a for i, a in enumerate(args))
                for n in where.values():
                    if n in kwargs:
                        kwargs[n] = _host(kwargs[n])
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


@functools.cache
def _promoted(dtypes: tuple[torch.dtype, ...]) -> torch.dtype:
    target = NAME_OF[dtypes[0]]
    for dt in dtypes[1:]:
        target = promote(target, NAME_OF[dt])
    return TORCH_OF[target]


def promote_all(*xs: Any) -> tuple[torch.Tensor, ...]:
    """Convert every input to the contract's promoted dtype of all of them."""
    if len(xs) == 2:  # the hot path: two tensors of one contract dtype
        a, b = xs
        if (
            isinstance(a, torch.Tensor)
            and isinstance(b, torch.Tensor)
            and a.dtype == b.dtype
            and a.dtype in NAME_OF
        ):
            return a, b
    tensors = [x for x in xs if isinstance(x, torch.Tensor)]
    like = tensors[0] if tensors else None
    ts = [as_tensor(x, like) for x in xs]
    for t in ts:
        name(t)  # rejects dtypes outside the contract
    dt = _promoted(tuple(t.dtype for t in ts))
    return tuple(t if t.dtype == dt else t.to(dt) for t in ts)


def check_broadcast(op: str, *shapes: Sequence[int]) -> tuple[int, ...]:
    """The broadcast shape of ``shapes`` by NumPy's rules, or a ValueError.

    Pure Python: torch.broadcast_shapes costs ~17 us a call, more than the op.
    """
    ndim = 0
    for s in shapes:  # (max(..., default=) breaks torch.compile graphs)
        ndim = max(ndim, len(s))
    out = [1] * ndim
    for s in shapes:
        for i, d in enumerate(s, ndim - len(s)):
            if d != 1 and out[i] != d:
                if out[i] != 1:
                    got = " and ".join(str(tuple(s)) for s in shapes)
                    raise ValueError(
                        f"torch backend: {op}: shapes {got} do not broadcast "
                        "(NumPy rules: trailing axes must be equal or 1)"
                    )
                out[i] = d
    return tuple(out)


def normalize_axis(axis: int, ndim: int, op: str) -> int:
    """A non-negative axis, or an AxisError (both a ValueError and an IndexError)."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"torch backend: {op}: axis must be an int; received {axis!r}")
    if not -ndim <= axis < ndim:
        raise AxisError(
            f"torch backend: {op}: axis {axis} is out of bounds for a tensor of "
            f"rank {ndim}; expected -{ndim} <= axis < {ndim}"
        )
    return int(axis) % ndim


def normalize_axes(
    axis: int | Iterable[int] | None, ndim: int, op: str
) -> tuple[int, ...]:
    """Sorted non-negative axes (all of them for None); duplicates raise."""
    if axis is None:
        return tuple(range(ndim))
    items = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    axes = tuple(normalize_axis(a, ndim, op) for a in items)
    if len(set(axes)) != len(axes):
        raise ValueError(f"torch backend: {op}: repeated axis in {axis!r}")
    return tuple(sorted(axes))
