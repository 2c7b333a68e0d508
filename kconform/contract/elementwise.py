"""Contract group ``elementwise``: unary and binary math, comparisons, logic.

Binary ops broadcast as NumPy does and return the dtype of
:func:`kconform.dtypes.promote` applied to their inputs' dtypes: for example
``int32 + float32 -> float32`` and ``float16 + bfloat16 -> float32``. Shapes
that do not broadcast must raise; nothing is broadcast silently beyond the
NumPy rules. Unary float ops keep their input's dtype. Comparisons return
``bool``. Integer overflow is unspecified.
"""

from __future__ import annotations

from typing import Any

from ._marker import op

Tensor = Any


# -- binary arithmetic ------------------------------------------------------
@op("elementwise")
def kconform_add(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 + x2``, broadcast, with the promoted dtype."""


@op("elementwise")
def kconform_subtract(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 - x2``, broadcast, with the promoted dtype."""


@op("elementwise")
def kconform_multiply(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 * x2``, broadcast, with the promoted dtype."""


@op("elementwise")
def kconform_divide(x1: Tensor, x2: Tensor) -> Tensor:
    """Return the true quotient ``x1 / x2`` of float tensors, broadcast, IEEE 754.

    ``x / 0`` is ``±inf`` and ``0 / 0`` is NaN; nothing raises.
    """


@op("elementwise")
def kconform_power(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 ** x2`` (float, broadcast) with C99 ``pow`` special values."""


@op("elementwise")
def kconform_maximum(x1: Tensor, x2: Tensor) -> Tensor:
    """Return the elementwise maximum; NaN if either input is NaN."""


@op("elementwise")
def kconform_minimum(x1: Tensor, x2: Tensor) -> Tensor:
    """Return the elementwise minimum; NaN if either input is NaN."""


# -- unary math -------------------------------------------------------------
@op("elementwise")
def kconform_negative(x: Tensor) -> Tensor:
    """Return ``-x``."""


@op("elementwise")
def kconform_abs(x: Tensor) -> Tensor:
    """Return ``|x|``."""


@op("elementwise")
def kconform_sign(x: Tensor) -> Tensor:
    """Return -1, 0 or 1 with the sign of ``x`` (NaN for NaN), in ``x``'s dtype."""


@op("elementwise")
def kconform_exp(x: Tensor) -> Tensor:
    """Return ``e ** x`` of a float tensor; overflows to ``inf``."""


@op("elementwise")
def kconform_log(x: Tensor) -> Tensor:
    """Return the natural log of a float tensor: ``-inf`` at 0, NaN below 0."""


@op("elementwise")
def kconform_log1p(x: Tensor) -> Tensor:
    """Return ``log(1 + x)``, accurate for small ``|x|``."""


@op("elementwise")
def kconform_expm1(x: Tensor) -> Tensor:
    """Return ``exp(x) - 1``, accurate for small ``|x|``."""


@op("elementwise")
def kconform_sqrt(x: Tensor) -> Tensor:
    """Return the square root of a float tensor (NaN below 0, ``-0`` at ``-0``)."""


@op("elementwise")
def kconform_rsqrt(x: Tensor) -> Tensor:
    """Return ``1 / sqrt(x)`` of a float tensor (``inf`` at 0)."""


@op("elementwise")
def kconform_square(x: Tensor) -> Tensor:
    """Return ``x * x``."""


@op("elementwise")
def kconform_floor(x: Tensor) -> Tensor:
    """Return the largest integer not above ``x``, in ``x``'s float dtype."""


@op("elementwise")
def kconform_ceil(x: Tensor) -> Tensor:
    """Return the smallest integer not below ``x``, in ``x``'s float dtype."""


@op("elementwise")
def kconform_round(x: Tensor) -> Tensor:
    """Round to nearest, ties to even (``round(2.5) == 2``), in ``x``'s dtype."""


@op("elementwise")
def kconform_tanh(x: Tensor) -> Tensor:
    """Return the hyperbolic tangent of a float tensor."""


@op("elementwise")
def kconform_sin(x: Tensor) -> Tensor:
    """Return the sine of a float tensor (radians)."""


@op("elementwise")
def kconform_cos(x: Tensor) -> Tensor:
    """Return the cosine of a float tensor (radians)."""


@op("elementwise")
def kconform_erf(x: Tensor) -> Tensor:
    """Return the error function of a float tensor."""


@op("elementwise", x_min=None, x_max=None)
def kconform_clip(x: Tensor, x_min: float | None, x_max: float | None) -> Tensor:
    """Clamp ``x`` to ``[x_min, x_max]``; Python-number bounds, either may be None.

    Keeps ``x``'s dtype. ``x_min > x_max`` gives ``x_max`` everywhere; NaN stays NaN.
    """


@op("elementwise")
def kconform_where(condition: Tensor, x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1`` where bool ``condition`` holds, else ``x2``; all three broadcast.

    The result dtype is ``promote(dtype(x1), dtype(x2))``.
    """


# -- comparisons and logic --------------------------------------------------
@op("elementwise")
def kconform_equal(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 == x2`` as bool, broadcast (NaN equals nothing)."""


@op("elementwise")
def kconform_not_equal(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 != x2`` as bool, broadcast (NaN differs from everything)."""


@op("elementwise")
def kconform_less(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 < x2`` as bool, broadcast."""


@op("elementwise")
def kconform_less_equal(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 <= x2`` as bool, broadcast."""


@op("elementwise")
def kconform_greater(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 > x2`` as bool, broadcast."""


@op("elementwise")
def kconform_greater_equal(x1: Tensor, x2: Tensor) -> Tensor:
    """Return ``x1 >= x2`` as bool, broadcast."""


@op("elementwise")
def kconform_logical_and(x1: Tensor, x2: Tensor) -> Tensor:
    """Return the elementwise AND of two bool tensors, broadcast."""


@op("elementwise")
def kconform_logical_or(x1: Tensor, x2: Tensor) -> Tensor:
    """Return the elementwise OR of two bool tensors, broadcast."""


@op("elementwise")
def kconform_logical_not(x: Tensor) -> Tensor:
    """Return the elementwise NOT of a bool tensor."""


@op("elementwise")
def kconform_isnan(x: Tensor) -> Tensor:
    """Return where ``x`` is NaN, as bool."""


@op("elementwise")
def kconform_isinf(x: Tensor) -> Tensor:
    """Return where ``x`` is ``+inf`` or ``-inf``, as bool."""


@op("elementwise")
def kconform_isfinite(x: Tensor) -> Tensor:
    """Return where ``x`` is neither infinite nor NaN, as bool."""
