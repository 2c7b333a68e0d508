"""Contract groups ``tensors`` and ``creation``: moving data in and out, making tensors.

Shapes are tuples of Python ints. Dtypes are the contract's names
(``"float16"``, ``"bfloat16"``, ``"float32"``, ``"float64"``, ``"int32"``,
``"int64"``, ``"bool"``); a backend never returns a dtype outside them.
"""

from __future__ import annotations

from typing import Any

from ._marker import op

Tensor = Any


@op("tensors")
def kconform_from_numpy(array: Any) -> Tensor:
    """Make a backend tensor holding a copy of a NumPy array.

    ``array`` has one of the contract dtypes (bfloat16 as ``ml_dtypes.bfloat16``).
    The result has the same shape, the same dtype and the same values, bit for
    bit (NaN payloads aside). Later changes to ``array`` do not reach the tensor.
    """


@op("tensors")
def kconform_to_numpy(x: Tensor) -> Any:
    """Return a NumPy array with the values, shape and dtype of ``x``.

    bfloat16 comes back as ``ml_dtypes.bfloat16``. Exact: no rounding.
    """


@op("tensors")
def kconform_is_tensor(x: Any) -> bool:
    """Return True if ``x`` is this backend's tensor (not a NumPy array or scalar)."""


@op("tensors")
def kconform_shape(x: Tensor) -> tuple[int, ...]:
    """Return the shape of ``x`` as a tuple of Python ints."""


@op("tensors")
def kconform_dtype(x: Tensor) -> str:
    """Return the contract dtype name of ``x``, e.g. ``"float32"``."""


@op("tensors")
def kconform_cast(x: Tensor, dtype: str) -> Tensor:
    """Convert ``x`` to ``dtype``.

    Float to float rounds to nearest, ties to even, once (never through an
    intermediate float32), overflowing to ±inf and keeping the sign of zero.
    Int to float rounds to nearest the same way. Float to int truncates toward
    zero (values out of the int range are unspecified). Int to a narrower int
    wraps modulo 2**bits (two's complement). Anything to bool is ``x != 0``;
    bool to a number gives 0 or 1.
    """


@op("creation")
def kconform_zeros(shape: tuple[int, ...], dtype: str) -> Tensor:
    """Return a tensor of ``shape`` and ``dtype`` filled with zeros."""


@op("creation")
def kconform_ones(shape: tuple[int, ...], dtype: str) -> Tensor:
    """Return a tensor of ``shape`` and ``dtype`` filled with ones."""


@op("creation")
def kconform_full(shape: tuple[int, ...], fill_value: float, dtype: str) -> Tensor:
    """Return a tensor of ``shape`` and ``dtype`` filled with ``fill_value``.

    ``fill_value`` is a Python number, rounded to ``dtype`` as :func:`kconform_cast`
    would round it.
    """


@op("creation", stop=None, step=1, dtype="int32")
def kconform_arange(
    start: float, stop: float | None, step: float, dtype: str
) -> Tensor:
    """Return evenly spaced values in ``[start, stop)``, like ``numpy.arange``.

    With ``stop=None`` the range is ``[0, start)``. The length is
    ``ceil((stop - start) / step)``, at least 0. ``step == 0`` must raise.
    """


@op("creation", m=None, dtype="float32")
def kconform_eye(n: int, m: int | None, dtype: str) -> Tensor:
    """Return an ``(n, m)`` matrix (``m`` defaults to ``n``), ones on the diagonal."""
