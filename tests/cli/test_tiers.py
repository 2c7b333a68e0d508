"""The smoke tier: one canonical case per op, the error cases, the mlp scenario."""

from __future__ import annotations

from collections import Counter

import pytest


def _collected(pytester: pytest.Pytester, *args: str) -> list[str]:
    pytest.importorskip("kconform_numpy")
    reprec = pytester.inline_run(
        "--pyargs",
        "kconform.suite",
        "--backend=numpy",
        "-p",
        "no:cacheprovider",
        f"--kconform-report-dir={pytester.path / 'run'}",
        "--collect-only",
        *args,
    )
    (call,) = reprec.getcalls("pytest_collection_finish")
    return [item.name for item in call.session.items]


def test_smoke_is_one_canonical_case_per_op_errors_and_mlp(pytester):
    from kconform.specs import all_specs

    names = _collected(pytester, "--kconform-tier=smoke")
    main = [n for n in names if "-" not in n.split("[")[0]]
    assert Counter(n.split("[")[0] for n in main) == {s.op: 1 for s in all_specs()}
    no_float32 = {"logical_and", "logical_or", "logical_not", "random_bernoulli"}
    for name in main:
        op = name.split("[")[0]
        assert name.endswith("-float32]") or op in no_float32 | {"random_permutation"}
    assert "logical_and[numpy-bool]" in names
    assert "random_permutation[numpy-int32]" in names
    errors = {f"{s.op}-errors[numpy]" for s in all_specs() if s.errors is not None}
    assert errors and errors <= set(names)
    assert "mlp-create[numpy]" in names and "mlp-fit[numpy]" in names
    assert not [n for n in names if "-grad[" in n or "-explore[" in n]
    assert not [n for n in names if n.startswith("cnn-")]


def test_smoke_combines_with_k(pytester):
    smoke = _collected(pytester, "--kconform-tier=smoke")
    both = _collected(pytester, "--kconform-tier=smoke", "-k", "softmax")
    assert "softmax[numpy-float32]" in both
    assert set(both) == {n for n in smoke if "softmax" in n}
