"""Specs of the tensors and creation groups: exact round trips, casts, constructors."""

from __future__ import annotations

import numpy as np

from kconform.dtypes import ALL, FLOATS, INTS, NUMERIC, name_of, to_numpy_dtype
from kconform.oracle.inputs import rand, special_values
from kconform.oracle.ranges import cast_range
from kconform.oracle.spec import Exact, OpSpec, Sample

from .shape import _errors


def _values(dtype: str) -> np.ndarray:
    """Every kind of value a tensor of ``dtype`` must carry through bit for bit."""
    rng = np.random.default_rng(3)
    if dtype in FLOATS:
        return np.concatenate([special_values(dtype), rand(rng, (20,), dtype)]).reshape(
            3, 11
        )
    if dtype in INTS:
        info = np.iinfo(to_numpy_dtype(dtype))
        extremes = np.array([info.min, info.max, 0, -1, 1], dtype=to_numpy_dtype(dtype))
        return np.concatenate([extremes, rand(rng, (7,), dtype, -1000, 1000)]).reshape(
            3, 4
        )
    return rand(rng, (3, 4), dtype)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if name_of(a.dtype) in FLOATS:  # NaN payloads aside, every bit (and the sign of 0)
        nan = np.isnan(a.astype(np.float64))
        keep = np.repeat(
            ~nan.ravel(), a.dtype.itemsize
        )  # the bytes of non-NaN elements
        return bool(
            np.array_equal(nan, np.isnan(b.astype(np.float64)))
            and np.array_equal(
                a.reshape(-1).view(np.uint8)[keep], b.reshape(-1).view(np.uint8)[keep]
            )
        )
    return bool(np.array_equal(a, b))


def _check_round_trip(ctx, dtype: str) -> None:
    b = ctx.backend
    for shape in ((3, 4), (), (0, 2), (2, 1, 3)):
        src = _values(dtype)
        src = src.reshape(-1)[: int(np.prod(shape))].reshape(shape) if src.size else src
        original = src.copy()
        t = b.from_numpy(src)
        ctx.expect(
            b.is_tensor(t), f"from_numpy returned {type(t).__name__}, not a tensor"
        )
        if src.size:  # later writes to the source must not reach the tensor
            src[...] = ~src if dtype == "bool" else 7
        back = b.to_numpy(t)
        ctx.expect(
            isinstance(back, np.ndarray), f"to_numpy returned {type(back).__name__}"
        )
        ctx.expect(
            _same_bits(back, original),
            f"round trip of shape {shape} changed the data: sent {original!r}, "
            f"got back {back!r} ({back.dtype})",
        )


def _check_is_tensor(ctx, dtype: str) -> None:
    b = ctx.backend
    arr = _values(dtype)
    ctx.expect(b.is_tensor(b.from_numpy(arr)) is True, "is_tensor(tensor) is not True")
    for thing in (arr, 1.0, [1, 2], None):
        ctx.expect(
            b.is_tensor(thing) is False,
            f"is_tensor({type(thing).__name__}) is not False",
        )


def _check_shape(ctx, dtype: str) -> None:
    b = ctx.backend
    for shape in ((), (3,), (2, 0, 4), (1, 2, 3, 4, 5)):
        got = b.shape(b.from_numpy(np.zeros(shape, dtype=to_numpy_dtype(dtype))))
        ctx.expect(
            type(got) is tuple and all(type(d) is int for d in got) and got == shape,
            f"shape returned {got!r}, expected the tuple of ints {shape!r}",
        )


def _check_dtype(ctx, dtype: str) -> None:
    b = ctx.backend
    got = b.dtype(b.from_numpy(_values(dtype)))
    ctx.expect(got == dtype, f"dtype returned {got!r}, expected {dtype!r}")


def _cast_ref(x, dtype):
    if dtype == "bool":
        return x != 0
    if dtype in INTS and x.dtype.kind == "f":
        return np.trunc(x)
    if dtype in INTS and x.dtype.kind in "iu":
        return x  # int64: the comparison wraps it to a narrower target
    return x.astype(np.float64) if x.dtype != np.bool_ else x.astype(np.int64)


def _cast_samples(rng, dtype):
    x = rand(rng, (4, 5), dtype, -100.0, 100.0)
    return [Sample((x, target), f"{dtype} to {target}", dtype=target) for target in ALL]


def _full_samples(rng, dtype):
    value = True if dtype == "bool" else 3 if dtype in INTS else 0.1
    return [
        Sample(((2, 3), value, dtype), f"fill {value!r}"),
        Sample(((), value, dtype), "scalar"),
        Sample(((0, 4), value, dtype), "empty"),
    ]


def _shape_samples(rng, dtype):
    return [
        Sample(((2, 3), dtype), "(2,3)"),
        Sample(((), dtype), "scalar"),
        Sample(((0, 4), dtype), "empty"),
    ]


def _arange_ref(start, stop, step, dtype):
    return np.arange(start, stop, step) if stop is not None else np.arange(start)


def _arange_samples(rng, dtype):
    out = [
        Sample((0, 5, 1, dtype), "0..5"),
        Sample((2, 10, 3, dtype), "step 3"),
        Sample((5, None, 1, dtype), "stop=None"),
        Sample((5, 0, -1, dtype), "negative step"),
        Sample((3, 3, 1, dtype), "empty"),
    ]
    if dtype in FLOATS:
        out.append(Sample((1.0, 2.0, 0.25, dtype), "fractional step"))
    return out


def _eye_samples(rng, dtype):
    return [
        Sample((3, None, dtype), "3x3"),
        Sample((2, 4, dtype), "2x4"),
        Sample((0, None, dtype), "0x0"),
    ]


def property_spec(op, check, dtypes=ALL):
    return OpSpec(op, dtypes=dtypes, check=check)


SPECS = [
    property_spec("from_numpy", _check_round_trip),
    property_spec("to_numpy", _check_round_trip),
    property_spec("is_tensor", _check_is_tensor),
    property_spec("shape", _check_shape),
    property_spec("dtype", _check_dtype),
    OpSpec(
        "cast",
        dtypes=ALL,
        samples=_cast_samples,
        reference=_cast_ref,
        budget=Exact(),
        range=cast_range(_cast_ref),
        signed_zeros=True,
    ),
    OpSpec(
        "zeros", dtypes=ALL, samples=_shape_samples, reference=lambda s, d: np.zeros(s)
    ),
    OpSpec(
        "ones", dtypes=ALL, samples=_shape_samples, reference=lambda s, d: np.ones(s)
    ),
    OpSpec(
        "full",
        dtypes=ALL,
        samples=_full_samples,
        reference=lambda s, v, d: np.full(s, v),
    ),
    OpSpec(
        "arange",
        dtypes=NUMERIC,
        samples=_arange_samples,
        reference=_arange_ref,
        errors=_errors(("step=0", lambda g, d: (0, 5, 0, "int32"))),
    ),
    OpSpec(
        "eye", dtypes=ALL, samples=_eye_samples, reference=lambda n, m, d: np.eye(n, m)
    ),
]
