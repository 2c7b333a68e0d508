"""Shared helpers: dtypes, correctly rounded casts, weak scalars, compute precisions.

Tensors are :class:`NumpyTensor`, a bare subclass of ``numpy.ndarray`` (0-d
arrays for scalars, never NumPy scalars), or autograd ``ArrayBox`` values
while :func:`kconform_value_and_grad` traces a function. Every differentiable
computation goes through ``autograd.numpy`` so that any composition of this
backend's ops can be differentiated.
"""

from __future__ import annotations

from typing import Any

import autograd.numpy as anp
import ml_dtypes
import numpy as np
from autograd.extend import defvjp, primitive
from autograd.numpy.numpy_boxes import ArrayBox
from autograd.numpy.numpy_vspaces import ArrayVSpace
from autograd.tracer import getval, isbox

from kconform.dtypes import FLOATS, name_of, promote, to_numpy_dtype

__all__ = [
    "BF16",
    "NumpyTensor",
    "F32",
    "F64",
    "accum_dtype",
    "anp",
    "as_tensor",
    "binary_operands",
    "cast",
    "dtype_of",
    "getval",
    "isbox",
    "np",
    "out",
    "quiet",
    "wide_dtype",
]

BF16 = np.dtype(ml_dtypes.bfloat16)
F16 = np.dtype(np.float16)
F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)
_LOW = (F16, BF16)


class NumpyTensor(np.ndarray):
    """A tensor of the numpy backend: an ndarray of its own type.

    A distinct type lets ``is_tensor`` tell the backend's tensors from a
    user's host arrays (which a framework must standardize, e.g. float64 to
    floatx, before use), as it can for every other backend. It adds no state
    and no behaviour: NumPy and autograd treat it as an ndarray.
    """

    __slots__ = ()


# autograd boxes and differentiates values by their exact type.
ArrayBox.register(NumpyTensor)
ArrayVSpace.register(NumpyTensor)

# NOTE: NumPy scalars of bfloat16 (a 0-d reduction, `astype` of a NumPy scalar)
# are not known to autograd, which would refuse to box them mid-trace.
ArrayBox.register(ml_dtypes.bfloat16)
ArrayVSpace.register(ml_dtypes.bfloat16)


def quiet() -> np.errstate:
    """Silence IEEE warnings: ``1/0``, ``log(0)``, ``inf - inf`` are the contract."""
    return np.errstate(all="ignore")


def dtype_of(x: Any) -> str:
    """The contract dtype name of a tensor (or boxed tensor)."""
    return name_of(x.dtype)


def out(x: Any) -> Any:
    """Make a result a tensor: arrays and NumPy scalars become :class:`NumpyTensor`.

    A view, never a copy; boxed values (mid-trace) pass through unchanged.
    """
    if type(x) is NumpyTensor or isbox(x):
        return x
    return np.asarray(x).view(NumpyTensor)


# -- casting ---------------------------------------------------------------
def _f64_to_bf16(a: np.ndarray) -> np.ndarray:
    """Round float64 to bfloat16 once, to nearest even.

    ml_dtypes casts float64 -> bfloat16 through float32, which rounds twice
    (1 + 2**-8 + 2**-30 becomes 1.0 instead of 1 + 2**-7). Rounding to float32
    *to odd* first and then to nearest bfloat16 is exact, because float32 has
    more than 8 + 2 significand bits.
    """
    a = np.asarray(a, dtype=F64)
    with quiet():
        f = a.astype(F32)
        back = f.astype(F64)
        toward_zero = np.where(
            np.abs(back) > np.abs(a), np.nextafter(f, F32.type(0)), f
        )
        bits = toward_zero.view(np.uint32)
        inexact = (back != a) & np.isfinite(a)
        bits = np.where(inexact, bits | np.uint32(1), bits)
    return np.asarray(bits.view(F32).astype(BF16))


def _cast_value(a: Any, target: np.dtype) -> np.ndarray:
    """Cast a plain array to ``target`` with one correct rounding."""
    a = np.asarray(a)
    if a.dtype == target:
        return a
    with quiet():  # overflow to inf, and float -> int of NaN/inf, are not errors here
        if target == BF16 and a.dtype in (F64, np.dtype(np.int64), np.dtype(np.int32)):
            return _f64_to_bf16(a.astype(F64))
        if {a.dtype, target} == {F16, BF16}:
            return a.astype(F32).astype(target)  # exact widening, then one rounding
        return np.asarray(a.astype(target))


@primitive
def _cast_prim(a: Any, target: np.dtype) -> np.ndarray:
    return _cast_value(a, target)


defvjp(_cast_prim, lambda ans, a, target: lambda g: _cast_prim(g, a.dtype))


def cast(x: Any, target: np.dtype | str) -> Any:
    """Cast a tensor, differentiably between floats; to int or bool gradients stop."""
    target = to_numpy_dtype(target) if isinstance(target, str) else np.dtype(target)
    if x.dtype == target:
        return x
    if target.kind in "biu" or x.dtype.kind in "biu":
        return _cast_value(getval(x), target)
    return _cast_prim(x, target)


# -- operands --------------------------------------------------------------
def _is_py_scalar(x: Any) -> bool:
    return isinstance(x, (bool, int, float)) and not isinstance(x, np.generic)


def as_tensor(x: Any) -> Any:
    """Accept a tensor, or leniently a host array or NumPy scalar; reject the rest."""
    if isinstance(x, np.ndarray) or isbox(x):
        name_of(x.dtype)  # raises for dtypes outside the contract
        return x
    if isinstance(x, np.generic):
        return np.asarray(x)
    raise TypeError(
        f"Expected a numpy-backend tensor (NumpyTensor); received "
        f"{type(x).__name__}: {x!r}. Make one with backend.from_numpy(...)"
    )


def _weak_dtype(value: Any, other: str) -> str:
    """The dtype a Python scalar takes beside a tensor of dtype ``other`` (as JAX)."""
    if isinstance(value, bool):
        return other
    if isinstance(value, int):
        return other if other != "bool" else "int32"
    return other if other in FLOATS else "float32"


def binary_operands(x1: Any, x2: Any) -> tuple[Any, Any, str]:
    """Cast operands to ``promote(dtype(x1), dtype(x2))``; Python scalars are weak."""
    if _is_py_scalar(x1) and _is_py_scalar(x2):
        raise TypeError(
            "At least one operand must be a tensor; received two Python scalars"
        )
    if _is_py_scalar(x1):
        x2 = as_tensor(x2)
        d = _weak_dtype(x1, dtype_of(x2))
        return _cast_value(np.asarray(x1), to_numpy_dtype(d)), cast(x2, d), d
    if _is_py_scalar(x2):
        x1 = as_tensor(x1)
        d = _weak_dtype(x2, dtype_of(x1))
        return cast(x1, d), _cast_value(np.asarray(x2), to_numpy_dtype(d)), d
    x1, x2 = as_tensor(x1), as_tensor(x2)
    d = promote(dtype_of(x1), dtype_of(x2))
    return cast(x1, d), cast(x2, d), d


def accum_dtype(d: str) -> np.dtype:
    """Where sums and products of dtype ``d`` run.

    NumPy's float16 and ml_dtypes' bfloat16 have no fast or complete kernels
    (bfloat16 matmul returns float32, einsum refuses bfloat16, float16 sums
    may accumulate in float16): they run in float32 and round once at the end.
    """
    npd = to_numpy_dtype(d)
    return F32 if npd in _LOW else npd


def wide_dtype(d: str) -> np.dtype:
    """Where transcendental functions of dtype ``d`` run: float64 below float64.

    NumPy's SIMD float32 ``exp``/``log``/``tanh`` are off by up to a few ULP;
    evaluating in float64 and rounding once gives (nearly always) the
    correctly rounded result for float32, float16 and bfloat16 alike.
    """
    return F64 if d in FLOATS else F32
