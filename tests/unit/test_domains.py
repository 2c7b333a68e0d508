"""The whole-range inputs: derived from the dtype and the oracle, exact in it."""

from __future__ import annotations

import numpy as np
import pytest

from kconform.dtypes import FLOATS, finfo, round_to
from kconform.oracle.domains import (
    float_domain,
    from_ordinal,
    int_domain,
    to_ordinal,
    transitions,
    whole_range,
)
from kconform.oracle.measure import measure
from kconform.oracle.ranges import cast_range
from kconform.oracle.shape_rules import broadcast_mismatches, contraction_mismatches
from kconform.oracle.spec import Exact, Ulp


@pytest.mark.parametrize("dtype", FLOATS)
def test_ordinals_count_representable_values(dtype):
    info = finfo(dtype)
    values = np.array([0.0, float(info.smallest_subnormal), 1.0, float(info.max)])
    ords = to_ordinal(values, dtype)
    assert list(ords[:2]) == [0, 1]
    assert np.array_equal(from_ordinal(ords, dtype), values)
    assert np.array_equal(from_ordinal(-ords, dtype), -values)
    # consecutive ordinals are neighbours: the next value after 1 is 1 + eps
    assert from_ordinal(ords[2:3] + 1, dtype)[0] == 1.0 + float(info.eps)


@pytest.mark.parametrize("dtype", FLOATS)
def test_the_domain_spans_every_binade_and_the_boundaries(dtype):
    info = finfo(dtype)
    x = float_domain(np.random.default_rng(0), dtype)
    assert np.array_equal(round_to(x, dtype).astype(np.float64), x)  # exact in dtype
    exps = set(np.frexp(np.abs(x[x != 0]))[1].tolist())
    assert len(exps) >= info.maxexp - info.minexp  # every normal binade
    for v in (float(info.max), -float(info.max), float(info.smallest_normal), 1.0):
        assert v in x
    zeros = x[x == 0]
    assert sorted(np.signbit(zeros).tolist()) == [False, True]  # -0 and +0


@pytest.mark.parametrize(
    "dtype,threshold", [("float16", 11.09), ("float32", 88.72), ("float64", 709.78)]
)
def test_transitions_find_the_overflow_threshold_of_exp(dtype, threshold):
    grid = float_domain(np.random.default_rng(0), dtype)
    found = transitions(np.exp, dtype, grid)
    near = found[np.abs(found - threshold) < 0.02]
    assert near.size >= 4  # the last finite value and its neighbours, both sides
    with np.errstate(over="ignore"):
        rounded = round_to(np.exp(near), dtype).astype(np.float64)
    assert np.isfinite(rounded).any() and np.isinf(rounded).any()


def test_int64_values_reach_beyond_int32():
    x = int_domain(np.random.default_rng(0), "int64")
    assert x.max() == np.iinfo(np.int64).max and x.min() == np.iinfo(np.int64).min
    assert (np.abs(x[x != x.min()]) > 2**31).sum() >= 60
    assert whole_range(np.random.default_rng(0), "int32").dtype == np.int32


def test_casts_include_the_double_rounding_traps():
    samples = {s.args[1]: s.args[0] for s in cast_range(lambda x, d: x)("float64")}
    x = samples["float16"]
    trap = 1 + 2.0**-11 + 2.0**-41  # the tie between 1 and 1 + 2**-10, plus a little
    assert trap in x and 1 + 2.0**-11 in x and -trap in x
    assert round_to(np.array([trap]), "float16")[0] == 1 + 2.0**-10  # once: up
    assert np.float64(trap).astype(np.float32).astype(np.float16) == 1.0  # twice


def test_integer_results_wrap_and_zeros_keep_their_sign():
    out = np.array([-(2**31)], dtype=np.int32)
    ref = np.array([2**31], dtype=np.int64)  # int32 max + 1 wraps to min
    assert measure(out, ref, "int32", Exact(), ()).passed
    zero = np.array([0.0], dtype=np.float32)
    assert measure(zero, np.array([-0.0]), "float32", Ulp(1), ()).passed
    m = measure(zero, np.array([-0.0]), "float32", Ulp(1), (), signed_zeros=True)
    assert not m.passed and "zero of the wrong sign" in m.describe()


def test_the_tail_rule_fails_a_normal_result_returned_as_zero():
    out = np.array([0.0], dtype=np.float16)
    m = measure(out, np.array([-8.1e-4]), "float16", Ulp(10**6), ())
    assert not m.passed and m.describe().startswith("tail rule")


def test_each_generated_invalid_shape_breaks_one_rule():
    for s1, s2, _ in broadcast_mismatches((2, 1, 4), (3, 1)):
        bad = [
            (a, b)
            for a, b in zip(s1[::-1], s2[::-1], strict=False)
            if a != b and 1 not in (a, b)
        ]
        assert len(bad) == 1, (s1, s2)
        with pytest.raises(ValueError):
            np.broadcast_shapes(s1, s2)
    pairs = contraction_mismatches((3, 4), (4, 5))
    assert [t2 for _, t2, _ in pairs] == [(1, 5), (5, 5)] or sorted(
        t2 for _, t2, _ in pairs
    ) == [(1, 5), (5, 5)]
