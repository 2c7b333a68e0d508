"""The promotion table and dtype names."""

from __future__ import annotations

import itertools

import ml_dtypes
import numpy as np
import pytest

from kconform import dtypes


def test_promotion_table_matches_the_documented_rules():
    assert dtypes.promote("int32", "float32") == "float32"  # NumPy would say float64
    assert dtypes.promote("float16", "bfloat16") == "float32"
    assert dtypes.promote("int64", "float16") == "float16"
    assert dtypes.promote("int32", "int64") == "int64"
    assert dtypes.promote("bool", "int32") == "int32"
    assert dtypes.promote("float32", "float64") == "float64"


@pytest.mark.parametrize("a,b", list(itertools.product(dtypes.ALL, dtypes.ALL)))
def test_promotion_is_symmetric_and_bool_is_identity(a, b):
    assert dtypes.promote(a, b) == dtypes.promote(b, a)
    assert dtypes.promote("bool", a) == a
    assert dtypes.promote(a, a) == a


def test_names_round_trip_including_bfloat16():
    for name in dtypes.ALL:
        assert dtypes.name_of(dtypes.to_numpy_dtype(name)) == name
    assert dtypes.name_of(ml_dtypes.bfloat16) == "bfloat16"
    assert dtypes.is_float(np.dtype(ml_dtypes.bfloat16))
    assert not dtypes.is_float(np.dtype(np.int32))


def test_unknown_dtypes_are_rejected_with_the_choices():
    with pytest.raises(ValueError, match="expected one of float16"):
        dtypes.to_numpy_dtype("float8")
    with pytest.raises(ValueError, match="not a contract dtype"):
        dtypes.name_of(np.complex64)
