"""ULP distances and budget measurement against the oracle."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

from kconform.oracle.measure import measure
from kconform.oracle.spec import Bound, Exact, Ulp
from kconform.oracle.ulp import ulp_error, ulp_of


@pytest.mark.parametrize(
    "np_dtype,name",
    [(np.float16, "float16"), (np.float32, "float32"), (np.float64, "float64")],
)
def test_ulp_of_agrees_with_numpy_spacing(np_dtype, name):
    values = np.array([1.0, 3.5, 1e-3, 1000.0, -2.0], dtype=np_dtype)
    assert np.array_equal(
        ulp_of(values.astype(np.float64), name),
        np.spacing(np.abs(values)).astype(np.float64),
    )


def test_ulp_of_bfloat16_and_subnormals():
    assert ulp_of(np.array([1.0]), "bfloat16")[0] == 2.0**-7
    tiny = float(ml_dtypes.finfo(np.float32).smallest_subnormal)
    assert ulp_of(np.array([0.0, tiny]), "float32").tolist() == [tiny, tiny]


def test_ulp_error_counts_ulps_and_treats_special_values_exactly():
    one_ulp = 1.0 + 2.0**-23
    err = ulp_error(
        np.array([one_ulp, np.nan, np.inf, 1.0]),
        np.array([1.0, np.nan, 1e300, np.nan]),
        "float32",
    )
    assert err.tolist() == [
        1.0,
        0.0,
        0.0,
        np.inf,
    ]  # 1e300 overflows float32: inf is right


def test_measure_reports_the_worst_element_with_both_values():
    ref = np.array([[1.0, 2.0], [3.0, 4.0]])
    out = ref.astype(np.float32)
    out[1, 0] = np.float32(3.0) + 3 * np.spacing(np.float32(3.0))
    m = measure(out, ref, "float32", Ulp(2), (ref,))
    assert not m.passed and m.index == (1, 0) and m.error == pytest.approx(3.0)
    assert "max error 3 ulp > budget 2 ulp at (1, 0)" in m.describe()


def test_bound_budget_scales_with_the_sum():
    x = np.array([1e8, 1.0, -1e8])
    out = np.array([0.0], dtype=np.float32)  # float32 sum loses the 1.0 to cancellation
    scale = lambda v: len(v) * np.sum(np.abs(v))  # noqa: E731
    assert measure(out, np.array([1.0]), "float32", Bound(1, scale), (x,)).passed
    tight = measure(
        out, np.array([1.0]), "float32", Bound(1, lambda v: np.zeros(1)), (x,)
    )
    assert not tight.passed


def test_exact_compares_in_the_output_dtype():
    ref = np.array([0.1, 0.2])
    assert measure(ref.astype(np.float16), ref, "float16", Exact(), (ref,)).passed
    assert not measure(
        np.array([1, 2], np.int32), np.array([1, 3]), "int32", Exact(), ()
    ).passed
