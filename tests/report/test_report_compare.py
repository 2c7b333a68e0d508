"""Distances between two backends' arrays: ULP, relative, absolute, exact counts."""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest

from kconform.dtypes import finfo, to_numpy_dtype
from kconform.report.compare import compare_arrays, measure_dtype, ulp_distance


def _next(x, dtype, n=1):
    x = np.asarray(x, dtype=dtype)
    for _ in range(n):
        x = np.nextafter(x, np.asarray(np.inf, dtype=dtype))
    return x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adjacent_floats_are_one_ulp_apart(dtype):
    a = np.array([1.0, -3.5, 1e-30, 7e20], dtype=dtype)
    b = _next(a, dtype)
    d = compare_arrays(a, b, np.dtype(dtype).name)
    assert d.ulp == 1.0 and d.mismatches == 4 and not d.equal
    assert d.max_abs == pytest.approx(float(np.max(np.abs(b.astype(float) - a))))
    d3 = compare_arrays(a, _next(a, dtype, 3), np.dtype(dtype).name)
    assert d3.ulp == 3.0


def test_low_precision_is_measured_in_the_case_dtype_not_its_storage():
    bf = ml_dtypes.bfloat16
    a = np.array([1.0, 2.5, -0.75], dtype=bf)
    b = _next(a, bf)
    # The store widens bfloat16 to float32: adjacent bfloat16 values are 2**16
    # float32 values apart, but one bfloat16 ULP.
    wa, wb = a.astype(np.float32), b.astype(np.float32)
    assert compare_arrays(wa, wb, "bfloat16").ulp == 1.0
    assert compare_arrays(wa, wb, "float32").ulp == 2.0**16
    h = np.array([0.1, 1000.0], dtype=np.float16)
    assert (
        compare_arrays(
            h.astype(np.float32), _next(h, np.float16).astype(np.float32), "float16"
        ).ulp
        == 1.0
    )


def test_values_the_case_dtype_cannot_hold_are_measured_in_their_own():
    # A float32 case whose output came back as float64 (a promotion failure).
    a = np.array([1.0 + 2.0**-40], dtype=np.float64)
    assert measure_dtype(a, a.copy(), "float32") == "float64"
    assert measure_dtype(np.ones(2, np.float32), np.ones(2), "float32") == "float32"


def test_zeros_of_either_sign_are_equal_and_crossing_zero_counts_both_sides():
    tiny = np.float32(np.nextafter(np.float32(0), np.float32(1)))  # smallest subnormal
    d = compare_arrays(np.array([0.0], np.float32), np.array([-0.0], np.float32), None)
    assert d.equal and d.ulp == 0.0 and d.max_rel == 0.0
    assert ulp_distance(np.array([tiny]), np.array([-tiny]), "float32")[0] == 2.0
    big = np.finfo(np.float64).max
    assert ulp_distance(np.array([big]), np.array([-big]), "float64")[0] > 1e19


def test_relative_difference_is_against_the_larger_magnitude_and_zero_at_zero():
    a = np.array([0.0, 2.0, -4.0], np.float64)
    b = np.array([0.0, 1.0, -4.0], np.float64)
    d = compare_arrays(a, b, "float64")
    assert d.max_rel == 0.5 and d.max_abs == 1.0 and d.mismatches == 1
    assert d.scaled == 0.25  # normwise: 1 / max(|a|, |b|) = 1 / 4


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_below_the_normal_range_relative_differences_are_against_the_smallest_normal(
    dtype,
):
    info = finfo(dtype)
    stored = np.float64 if dtype == "float64" else np.float32  # as records store
    sub = np.array([info.smallest_subnormal], to_numpy_dtype(dtype)).astype(stored)
    d = compare_arrays(sub, np.zeros(1, stored), dtype)  # a flushed subnormal
    assert d.ulp == 1.0 and d.max_abs == float(info.smallest_subnormal)
    assert d.max_rel == float(info.smallest_subnormal) / float(info.tiny) < 0.01
    assert d.scaled == d.max_rel  # normwise has the same floor
    # from the smallest normal up, relative differences are plain again
    normal = np.array([info.tiny, 2 * info.tiny], to_numpy_dtype(dtype)).astype(float)
    d = compare_arrays(normal, normal * np.array([1.0, 1.5]), None)
    assert d.max_rel == pytest.approx(1 / 3)


def test_nan_with_nan_and_equal_infinities_are_equal_anything_else_infinite():
    inf, nan = np.inf, np.nan
    a = np.array([nan, inf, -inf, 1.0], np.float32)
    assert compare_arrays(a, a.copy(), "float32").equal
    for other in ([1.0, inf, -inf, 1.0], [nan, -inf, -inf, 1.0], [nan, inf, 5.0, 1.0]):
        d = compare_arrays(a, np.array(other, np.float32), "float32")
        assert not d.equal and d.mismatches == 1
        assert math.isinf(d.ulp) and math.isinf(d.max_abs) and math.isinf(d.max_rel)


def test_integers_and_bools_are_equal_or_not_with_the_count_of_mismatches():
    d = compare_arrays(np.array([1, 2, 3, 4]), np.array([1, 0, 3, 5]), "int64")
    assert d.exact and d.mismatches == 2 and d.ulp is None and d.max_abs == 2.0
    b = compare_arrays(
        np.array([True, False, True]), np.array([True, True, False]), None
    )
    assert b.exact and b.mismatches == 2 and not b.equal
    same = compare_arrays(np.arange(5, dtype=np.int32), np.arange(5), "int32")
    assert same.equal and same.mismatches == 0


def test_different_shapes_are_a_shape_mismatch_not_a_number():
    d = compare_arrays(np.ones((2, 3)), np.ones((3, 2)), "float32")
    assert d.shape_mismatch and d.shapes == ((2, 3), (3, 2)) and not d.equal


def test_stored_arrays_read_back_as_numpy_reads_them(tmp_path):
    from kconform.report.columns import Column

    arrays = {
        "k/f32": np.linspace(-1, 1, 7, dtype=np.float32),
        "k/f64": np.array([np.nan, -np.inf, 0.0, -0.0]),
        "k/i64": np.arange(6, dtype=np.int64).reshape(2, 3),
        "k/bool": np.array([[True], [False]]),
        "k/scalar": np.float32(3.5),
        "k/empty": np.zeros((0, 4), np.float32),
        "k/fortran": np.asfortranarray(np.arange(12.0).reshape(3, 4)),
        "k/bigendian": np.arange(3, dtype=">f8"),
    }
    (tmp_path / "arrays").mkdir()
    np.savez_compressed(tmp_path / "arrays" / "x.npz", **arrays)
    col = Column("x", "live", {"arrays": "arrays/x.npz", "cases": {}}, tmp_path)
    for key, want in arrays.items():
        got = col.array("k", key.split("/")[1])
        assert got.dtype == np.asarray(want).dtype and got.shape == np.shape(want)
        np.testing.assert_array_equal(got, want)
    assert col.array("k", "nothing") is None
    col.close()
