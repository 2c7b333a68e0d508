"""Contract group ``shape``: reshaping, joining, splitting, indexing.

All of these move values without arithmetic, so results are exact and keep
their input's dtype. Every shape mismatch and every out-of-range index must
raise when the op is called eagerly: an index is never clamped or wrapped
silently (``take`` and ``take_along_axis`` count an index in ``[-n, 0)`` from
the end, as NumPy does; anything outside ``[-n, n)`` raises).
"""

from __future__ import annotations

from typing import Any

from ._marker import op

Tensor = Any


@op("shape")
def kconform_reshape(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Return ``x`` in row-major order with a new ``shape``; one entry may be -1.

    A shape whose size differs from ``x``'s must raise.
    """


@op("shape", axes=None)
def kconform_transpose(x: Tensor, axes: tuple[int, ...] | None) -> Tensor:
    """Permute the axes of ``x`` by ``axes`` (None reverses them)."""


@op("shape")
def kconform_expand_dims(x: Tensor, axis: int) -> Tensor:
    """Insert a length-1 axis at position ``axis`` (negative counts from the end)."""


@op("shape", axis=None)
def kconform_squeeze(x: Tensor, axis: int | tuple[int, ...] | None) -> Tensor:
    """Remove axes of length 1: those in ``axis``, or all of them if None.

    Naming an axis whose length is not 1 must raise.
    """


@op("shape", axis=0)
def kconform_concatenate(xs: list[Tensor], axis: int) -> Tensor:
    """Join a list of tensors along an existing ``axis``; other axes must match.

    The result dtype is the promotion of all inputs' dtypes.
    """


@op("shape", axis=0)
def kconform_stack(xs: list[Tensor], axis: int) -> Tensor:
    """Join a list of tensors of one shape along a new ``axis``."""


@op("shape", axis=0)
def kconform_split(
    x: Tensor, indices_or_sections: int | tuple[int, ...], axis: int
) -> list[Tensor]:
    """Split ``x`` along ``axis`` and return a list of tensors, as ``numpy.split``.

    An int must divide the axis length evenly (else raise); a tuple gives the
    split points.
    """


@op("shape", axis=None)
def kconform_take(x: Tensor, indices: Tensor, axis: int | None) -> Tensor:
    """Gather ``x`` along ``axis`` at int32/int64 ``indices``, as ``numpy.take``.

    With ``axis=None`` ``x`` is flattened first. The result's shape is
    ``x.shape[:axis] + indices.shape + x.shape[axis+1:]``. As in NumPy, an
    index in ``[-n, 0)`` counts from the end; indices outside ``[-n, n)`` must
    raise.
    """


@op("shape")
def kconform_take_along_axis(x: Tensor, indices: Tensor, axis: int) -> Tensor:
    """Gather along ``axis`` by ``indices`` of ``x``'s rank (``numpy.take_along_axis``).

    As in NumPy, an index in ``[-n, 0)`` counts from the end; indices outside
    ``[-n, n)`` must raise.
    """


@op("shape")
def kconform_slice(x: Tensor, start: tuple[int, ...], size: tuple[int, ...]) -> Tensor:
    """Return the block of ``x`` at ``start`` of extent ``size`` (one entry per axis).

    A block that does not fit inside ``x`` must raise.
    """


@op("shape", constant_value=0)
def kconform_pad(
    x: Tensor, pad_width: tuple[tuple[int, int], ...], constant_value: float
) -> Tensor:
    """Pad each axis ``i`` of ``x`` with ``constant_value`` by ``pad_width[i]``.

    ``pad_width[i]`` is ``(before, after)``. Negative widths must raise.
    """


@op("shape")
def kconform_broadcast_to(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Broadcast ``x`` to ``shape`` by NumPy's rules; incompatible shapes must raise."""


@op("shape")
def kconform_tile(x: Tensor, reps: tuple[int, ...]) -> Tensor:
    """Repeat ``x`` ``reps[i]`` times along axis ``i``, as ``numpy.tile``."""
