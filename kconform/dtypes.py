"""The contract's dtypes, their NumPy equivalents, and the one promotion table."""

from __future__ import annotations

import itertools

import ml_dtypes
import numpy as np

__all__ = [
    "ALL",
    "BOOL",
    "FLOATS",
    "INTS",
    "LOW_PRECISION",
    "NUMERIC",
    "finfo",
    "is_float",
    "name_of",
    "promote",
    "promotion_table",
    "round_to",
    "to_numpy_dtype",
]

FLOATS: tuple[str, ...] = ("float16", "bfloat16", "float32", "float64")
LOW_PRECISION: tuple[str, ...] = ("float16", "bfloat16")
INTS: tuple[str, ...] = ("int32", "int64")
BOOL = "bool"
NUMERIC: tuple[str, ...] = FLOATS + INTS
ALL: tuple[str, ...] = NUMERIC + (BOOL,)

_NUMPY = {
    "float16": np.dtype(np.float16),
    "bfloat16": np.dtype(ml_dtypes.bfloat16),
    "float32": np.dtype(np.float32),
    "float64": np.dtype(np.float64),
    "int32": np.dtype(np.int32),
    "int64": np.dtype(np.int64),
    "bool": np.dtype(np.bool_),
}
_BY_NUMPY = {v: k for k, v in _NUMPY.items()}

# Each kind is a chain; promotion inside a kind takes the wider type, except
# float16 with bfloat16, which neither holds exactly: both go to float32.
_RANK = {
    "bool": 0,
    "int32": 1,
    "int64": 2,
    "float16": 3,
    "bfloat16": 3,
    "float32": 4,
    "float64": 5,
}


def to_numpy_dtype(name: str) -> np.dtype:
    """The NumPy dtype of a contract dtype name (bfloat16 through ml_dtypes)."""
    try:
        return _NUMPY[name]
    except KeyError:
        raise ValueError(
            f"Unknown dtype {name!r}; expected one of {', '.join(ALL)}"
        ) from None


def name_of(dtype: object) -> str:
    """The contract name of a NumPy dtype, e.g. ``name_of(np.float32) == 'float32'``."""
    try:
        return _BY_NUMPY[np.dtype(dtype)]  # type: ignore[call-overload]
    except (KeyError, TypeError):
        raise ValueError(
            f"dtype {dtype!r} is not a contract dtype; expected one of {', '.join(ALL)}"
        ) from None


def promote(a: str, b: str) -> str:
    """The result dtype of a binary op on tensors of dtypes `a` and `b`.

    The contract's table, not NumPy's: ``int32 + float32 -> float32`` (NumPy
    gives float64), ``float16 + bfloat16 -> float32``, ``bool + x -> x``,
    ``int + float -> that float``, otherwise the wider of the two.
    """
    for d in (a, b):
        to_numpy_dtype(d)
    if a == b:
        return a
    if {a, b} == {"float16", "bfloat16"}:
        return "float32"
    a_float, b_float = a in FLOATS, b in FLOATS
    if a_float != b_float:
        return a if a_float else b
    return a if _RANK[a] >= _RANK[b] else b


def promotion_table() -> dict[tuple[str, str], str]:
    """Every ordered pair of contract dtypes and its promoted dtype."""
    return {(a, b): promote(a, b) for a, b in itertools.product(ALL, ALL)}


def is_float(dtype: object) -> bool:
    """Whether a NumPy dtype is a contract float (bfloat16's kind is 'V', not 'f')."""
    try:
        return name_of(dtype) in FLOATS
    except ValueError:
        return False


def round_to(values: object, name: str) -> np.ndarray:
    """Round float64 ``values`` to dtype ``name`` once, to nearest, ties to even.

    ``astype(bfloat16)`` from float64 goes through float32 and rounds twice
    (``1 + 2**-8 + 2**-30`` becomes 1.0 instead of 1.0078125): bfloat16 is
    rounded here in float64 first, to a value it then holds exactly.
    """
    x = np.asarray(values, dtype=np.float64)
    target = to_numpy_dtype(name)
    if name != "bfloat16":
        with np.errstate(over="ignore"):
            return x.astype(target)
    _, exp = np.frexp(x)
    quantum = np.ldexp(
        1.0, np.maximum(exp - 8, -133)
    )  # 8 significant bits, 2**-133 subnormal
    with np.errstate(over="ignore", invalid="ignore"):
        rounded = np.where(np.isfinite(x), np.round(x / quantum) * quantum, x)
        return rounded.astype(target)


def finfo(name: str) -> ml_dtypes.finfo:
    """Floating-point limits of a contract float dtype (bfloat16 included)."""
    if name not in FLOATS:
        raise ValueError(f"finfo needs a float dtype; received {name!r}")
    return ml_dtypes.finfo(to_numpy_dtype(name))
